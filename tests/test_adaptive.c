/* Adaptive repetitions (bench/adaptive.h): the order-statistic interval of the median against
 * hand-computed binomial tails, the noise figure, and the stopping rule on synthetic noise: a
 * quiet point stops at --min-runs, a noisy one spends its run budget, a slow one its time budget;
 * the throttle rule (bench/throttle.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "adaptive.h"
#include "throttle.h"
#include "check.h"

#define NEAR(a, b, tol) (fabs((a) - (b)) <= (tol))

static void check_interval(void) {
    double x[1000], lo, hi, cov;
    for (int i = 0; i < 1000; i++) x[i] = 1000 - i; /* descending: the interval must sort */
    /* 5 values: the widest interval [x(1), x(5)] covers 1 - 2/32 = 93.75 % < 95 %: none */
    EXPECT(sb_median_ci(x + 995, 5, 0.95, &lo, &hi, &cov) == 0 && isnan(lo) && isnan(hi) && isnan(cov));
    EXPECT(isinf(sb_noise_pct(x + 995, 5)));
    /* 6 values {1..6}: k = 1, [1, 6], coverage 1 - 2/64 */
    EXPECT(sb_median_ci(x + 994, 6, 0.95, &lo, &hi, &cov) == 1 && lo == 1 && hi == 6 && NEAR(cov, 62.0 / 64, 1e-12));
    /* 10 values {1..10}: P(B <= 1) = 11/1024 (2x = 0.021), P(B <= 2) = 56/1024 (2x = 0.109): k = 2, [2, 9] */
    EXPECT(sb_median_ci(x + 990, 10, 0.95, &lo, &hi, &cov) == 2 && lo == 2 && hi == 9 && NEAR(cov, 1 - 22.0 / 1024, 1e-12));
    /* ... its noise: median 5.5, half-width 3.5 -> 63.6 % */
    EXPECT(NEAR(sb_noise_pct(x + 990, 10), 100 * 3.5 / 5.5, 1e-9));
    /* at 90 % the same values allow k = 3: 2 P(B <= 2) = 0.109 > 0.1, so still 2; at 80 % k = 3 */
    EXPECT(sb_median_ci(x + 990, 10, 0.80, NULL, NULL, NULL) == 3);
    /* NANs are skipped: {1, NAN, 2..6, NAN} is the 6-value case */
    double y[8] = {1, NAN, 2, 3, 4, 5, 6, NAN};
    EXPECT(sb_median_ci(y, 8, 0.95, &lo, &hi, NULL) == 1 && lo == 1 && hi == 6);
    /* 1000 values: k is the normal approximation's 500 - 1.96 sqrt(1000)/2 = 469 within one, coverage >= 95 % */
    size_t k = sb_median_ci(x, 1000, 0.95, &lo, &hi, &cov);
    EXPECT(k >= 468 && k <= 470 && cov >= 0.95 && cov < 0.96 && lo == (double)k && hi == 1001.0 - (double)k);
    EXPECT(isnan(sb_noise_pct(y + 1, 1)));
}

/* Repeats until the rule stops, drawing value v_k = 100 (1 + jitter * u), u uniform in [-1, 1),
 * each repetition taking rep_s seconds. Returns the repetitions made; *why gets the reason. */
static size_t simulate(const sb_adaptive *a, double jitter, double rep_s, const char **why, double *noise) {
    static double v[1000];
    rng_state = 7;
    for (size_t done = 1; done <= 1000; done++) {
        v[done - 1] = 100 * (1 + jitter * ((double)(rnd() >> 11) / (double)(1ULL << 52) - 1));
        *why = sb_adaptive_stop(a, v, done, rep_s * (double)done, noise);
        if (*why) return done;
    }
    return 0;
}

static void check_stopping(void) {
    const char *why;
    double noise;
    sb_adaptive a = {1.0, 10, 40, 1e9};
    /* 0.1 % noise: under 1 % as soon as an interval exists, so it stops at --min-runs */
    EXPECT(simulate(&a, 0.001, 0.1, &why, &noise) == 10 && strcmp(why, "noise") == 0 && noise < 0.2);
    /* +-40 %: the noise of 40 repetitions is still far above 1 %: the run budget */
    EXPECT(simulate(&a, 0.4, 0.1, &why, &noise) == 40 && strcmp(why, "max-runs") == 0 && noise > 5);
    /* the time budget ends it first (even before --min-runs): 7 repetitions of 1 s within 6.5 s */
    a.max_time_s = 6.5;
    EXPECT(simulate(&a, 0.4, 1.0, &why, &noise) == 7 && strcmp(why, "max-time") == 0);
    /* a fixed count (no --max-noise): exactly max_runs, reason "runs" */
    sb_adaptive fixed = {0, 0, 5, 0};
    EXPECT(simulate(&fixed, 0.4, 100.0, &why, &noise) == 5 && strcmp(why, "runs") == 0);
    /* throttled repetitions (NAN) do not count toward the noise: 10 quiet values with 6 left out
     * leave 4, too few for an interval, so a point with --min-runs 6 goes on */
    double v[10] = {100, NAN, 100.1, NAN, 99.9, NAN, 100, NAN, NAN, NAN};
    sb_adaptive b = {1.0, 6, 100, 1e9};
    EXPECT(sb_adaptive_stop(&b, v, 10, 1, &noise) == NULL && isinf(noise));
}

static void check_throttle_rule(void) {
    EXPECT(sb_throttled(0x4, NAN, NAN) == 1);             /* software power cap */
    EXPECT(sb_throttled(0x8 | 0x1, 1980, 1980) == 1);     /* hardware slowdown, whatever the clock */
    EXPECT(sb_throttled(0x20, NAN, 1980) == 1 && sb_throttled(0x40, NAN, 0) == 1 && sb_throttled(0x80, NAN, 0) == 1);
    EXPECT(sb_throttled(0x1 | 0x2 | 0x10 | 0x100, 1980, 1980) == 0); /* idle, app clocks, sync boost, display */
    /* 90 % of 1980 MHz is 1782: exactly that is not under it, 1781 is */
    EXPECT(sb_throttled(0, 1782, 1980) == 0 && sb_throttled(0, 1781, 1980) == 1);
    EXPECT(sb_throttled(NAN, NAN, 1980) == 0 && sb_throttled(0, 500, NAN) == 0); /* nothing known: not marked */
}

int main(void) {
    check_interval();
    check_stopping();
    check_throttle_rule();
    return check_finish("test_adaptive");
}
