#include "adaptive.h"

#include <math.h>
#include <stdlib.h>

#include "stats.h"

/* P(B = i) for B ~ Binomial(m, 1/2), through lgamma so that large m neither overflows nor underflows early. */
static double binom_half_pmf(size_t m, size_t i) {
    return exp(lgamma((double)m + 1) - lgamma((double)i + 1) - lgamma((double)(m - i) + 1) - (double)m * M_LN2);
}

size_t sb_median_ci(const double *x, size_t n, double conf, double *lo, double *hi, double *coverage) {
    size_t m;
    double *v = sb_sorted_finite(x, n, &m);
    /* k grows while the two tails below x_(k) and above x_(m+1-k), 2 P(B <= k - 1), stay within 1 - conf */
    size_t k = 0;
    double cdf = 0; /* P(B <= k - 1) */
    while (v && k + 1 <= m / 2) {
        double next = cdf + binom_half_pmf(m, k);
        if (2 * next > 1 - conf) break;
        cdf = next;
        k++;
    }
    double l = NAN, h = NAN, c = NAN;
    if (k) {
        l = v[k - 1];
        h = v[m - k];
        c = 1 - 2 * cdf;
    }
    if (lo) *lo = l;
    if (hi) *hi = h;
    if (coverage) *coverage = c;
    free(v);
    return k;
}

double sb_noise_pct(const double *x, size_t n) {
    double med = sb_median(x, n), lo, hi;
    if (isnan(med)) return NAN;
    if (!sb_median_ci(x, n, SB_NOISE_CONFIDENCE, &lo, &hi, NULL) || med == 0) return INFINITY;
    return 100 * (hi - lo) / 2 / fabs(med);
}

const char *sb_adaptive_stop(const sb_adaptive *a, const double *x, size_t done, double elapsed_s, double *noise_pct) {
    double noise = sb_noise_pct(x, done);
    if (noise_pct) *noise_pct = noise;
    if (!(a->max_noise_pct > 0)) return done >= a->max_runs ? "runs" : NULL;
    if (done >= a->min_runs && noise <= a->max_noise_pct) return "noise";
    if (done >= a->max_runs) return "max-runs";
    if (elapsed_s >= a->max_time_s) return "max-time";
    return NULL;
}
