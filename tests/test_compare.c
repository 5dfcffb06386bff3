/* compare: Mann-Whitney U and Holm against hand-computed values, the incomplete beta function,
 * Student's t tail and Welch's t against SciPy's; the CI gate on synthetic results (A/A passes,
 * a small shift warns, a clear 10 % regression fails, a new fallback fails, too few repetitions
 * cannot fail, files without a common benchmark are rejected); pooling (runs split across two
 * files report as one file, a failure in any file counts, files of different setups or given
 * twice are rejected); sessions (an A/A pair whose processes differ by a few percent passes
 * Welch's t on the session medians where the pooled rank test calls it significant, a real
 * slowdown of one round in every session fails, constant sessions, a round in too few sessions
 * falls back to the rank test). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "compare_stats.h"
#include "pool.h"
#include "results.h"
#include "stats.h"
#include "check.h"

#define NEAR(a, b, tol) (fabs((a) - (b)) <= (tol))

static void check_mann_whitney(void) {
    sb_mwu r;
    /* complete separation, 3 vs 3: U = 0, P(U <= 0) = 1/C(6,3) = 1/20, two-sided 0.1 */
    const double a[] = {1, 2, 3}, b[] = {4, 5, 6};
    EXPECT(sb_mann_whitney(a, 3, b, 3, &r) == 0);
    EXPECT(r.u == 0 && r.method == SB_MWU_EXACT && NEAR(r.p, 0.1, 1e-12));
    /* U's counts for 3 vs 3 are 1,1,2,3,3,3,3,2,1,1; x = {1,3,5}: U = 3, P(U <= 3) = 7/20 -> p = 0.7 */
    const double c[] = {1, 3, 5}, d[] = {2, 4, 6};
    EXPECT(sb_mann_whitney(c, 3, d, 3, &r) == 0);
    EXPECT(r.u == 3 && NEAR(r.p, 0.7, 1e-12));
    /* swapping the samples gives U' = 9 - U and the same p */
    EXPECT(sb_mann_whitney(d, 3, c, 3, &r) == 0);
    EXPECT(r.u == 6 && NEAR(r.p, 0.7, 1e-12));
    /* ties: midranks 1,3,3,3,5.5,5.5,7.5,7.5; R_x = 12.5, U = 2.5; var = 16/12 (9 - 36/56) = 78/7;
     * z = (|2.5 - 8| - 0.5) / sqrt(78/7) */
    const double e[] = {1, 2, 2, 3}, f[] = {2, 3, 4, 4};
    EXPECT(sb_mann_whitney(e, 4, f, 4, &r) == 0);
    EXPECT(r.u == 2.5 && r.method == SB_MWU_NORMAL);
    EXPECT(NEAR(r.p, 0.134169180128, 1e-9));
    /* NAN values are skipped */
    const double g[] = {1, NAN, 2, 3}, h[] = {4, 5, NAN, 6};
    EXPECT(sb_mann_whitney(g, 4, h, 4, &r) == 0);
    EXPECT(r.nx == 3 && r.ny == 3 && NEAR(r.p, 0.1, 1e-12));
    /* all equal: no evidence */
    const double same[] = {5, 5, 5};
    EXPECT(sb_mann_whitney(same, 3, same, 3, &r) == 0 && r.p == 1);
    /* an empty sample */
    const double none[] = {NAN};
    EXPECT(sb_mann_whitney(none, 1, a, 3, &r) == -1 && isnan(r.p));
    /* smallest p: 2 / C(10,5) = 2/252 exactly; 30 vs 30 (normal): erfc(z / sqrt 2), z = 449.5 / sqrt(4575) */
    EXPECT(NEAR(sb_mann_whitney_min_p(5, 5), 2.0 / 252, 1e-15));
    EXPECT(NEAR(sb_mann_whitney_min_p(10, 10), 2.0 / 184756, 1e-15));
    EXPECT(NEAR(sb_mann_whitney_min_p(30, 30) / 3.019859359162151e-11, 1, 1e-9));
}

/* Reference values from SciPy 1.10.1 (Debian's python3-scipy, /usr/bin/python3):
 * scipy.special.betainc(a, b, x); 2 * scipy.stats.t.sf(abs(t), df); scipy.stats.ttest_ind(x, y,
 * equal_var=False) for t and p, with df = (vx/nx + vy/ny)^2 / ((vx/nx)^2/(nx-1) + (vy/ny)^2/(ny-1)). */
static void check_student_t(void) {
    static const struct { double a, b, x, want; } beta[] = {
        {0.5, 0.5, 0.3, 0.3690101195655454},   {2, 3, 0.4, 0.5247999999999999},
        {10, 0.5, 0.9, 0.15164090963470997},   {0.5, 10, 0.01, 0.3420718248432155},
        {30, 40, 0.45, 0.6447480085585666},    {1, 1, 0.7, 0.7},
        {5e5, 0.5, 0.999999, 0.3173105079047983},
    };
    for (size_t i = 0; i < sizeof beta / sizeof beta[0]; i++) {
        double got = sb_beta_inc(beta[i].a, beta[i].b, beta[i].x);
        CHECK(fabs(got / beta[i].want - 1) < 1e-12 || (beta[i].a > 1e4 && fabs(got / beta[i].want - 1) < 1e-8),
              "I_%g(%g, %g) = %.17g, SciPy %.17g", beta[i].x, beta[i].a, beta[i].b, got, beta[i].want);
    }
    EXPECT(sb_beta_inc(2, 3, 0) == 0 && sb_beta_inc(2, 3, 1) == 1);
    EXPECT(isnan(sb_beta_inc(0, 1, 0.5)) && isnan(sb_beta_inc(1, 1, 1.5)) && isnan(sb_beta_inc(1, -1, 0.5)));
    static const struct { double t, df, want; } tail[] = {
        {0, 3, 1.0},                          {1.0, 2, 0.42264973081037427}, /* 1 - 1/sqrt(3) */
        {2.5, 3, 0.08770664700806555},        {-3.7, 4, 0.02083542949044991},
        {10, 5, 0.00017094757574296357},      {50, 2, 0.0003997601598880805},
        {2.0, 7.3, 0.08394103933410305},      {4.2, 8, 0.0029965137010812245},
        {1e3, 6, 6.749893688648216e-17},      {12, 30, 5.580185415199261e-13},
        {0.5, 100.5, 0.6181681092764426},     {0.1, 2.5, 0.9278065440624896},
        {-1.3, 1.0, 0.41742880032030527},     {6.0, 2.2, 0.02117808434235389}, /* df 1: 1 - 2 atan(1.3) / pi */
        {1.96, 1e6, 0.04999606758526978},
    };
    for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++) {
        double got = sb_student_t_two_sided(tail[i].t, tail[i].df);
        double tol = tail[i].df > 1e4 ? 1e-8 : 1e-11;
        CHECK(fabs(got / tail[i].want - 1) < tol, "P(|T| >= %g), df %g = %.17g, SciPy %.17g", tail[i].t, tail[i].df, got,
              tail[i].want);
    }
    EXPECT(sb_student_t_two_sided(INFINITY, 3) == 0 && sb_student_t_two_sided(1e300, 3) == 0);
    EXPECT(NEAR(sb_student_t_two_sided(1.96, INFINITY), erfc(1.96 / sqrt(2)), 1e-15));
    EXPECT(isnan(sb_student_t_two_sided(NAN, 3)) && isnan(sb_student_t_two_sided(1, 0)));

    sb_welch w;
    const double x[] = {10.1, 9.8, 10.3, 10.0, 9.9}, y[] = {10.6, 10.9, 10.4, 11.2};
    EXPECT(sb_welch_t(x, 5, y, 4, &w) == 0 && w.nx == 5 && w.ny == 4);
    EXPECT(NEAR(w.t, -3.87179487179487, 1e-12) && NEAR(w.df, 4.430925784170331, 1e-12));
    EXPECT(NEAR(w.p / 0.014799350952915674, 1, 1e-10));
    /* the swap changes t's sign only; NAN values are skipped */
    const double xs[] = {1.0, NAN, 2.0, 3.0}, ys[] = {1.5, 2.5, 3.5, 4.5, 5.5, 6.5};
    EXPECT(sb_welch_t(ys, 6, xs, 4, &w) == 0 && w.nx == 6 && w.ny == 3);
    EXPECT(NEAR(w.t, 2.0889318714683744, 1e-12) && NEAR(w.df, 6.797752808988765, 1e-12));
    EXPECT(NEAR(w.p / 0.0762702443137421, 1, 1e-10));
    /* one side constant: df is the other's n - 1 */
    const double flat[] = {5, 5, 5}, around[] = {4, 6, 5.5, 4.5};
    EXPECT(sb_welch_t(flat, 3, around, 4, &w) == 0 && w.t == 0 && NEAR(w.df, 3, 1e-12) && NEAR(w.p, 1, 1e-15));
    /* neither side varies: no division by zero; equal means p = 1, a shift is exact: p = 0 */
    const double five[] = {5, 5, 5, 5}, six[] = {6, 6, 6};
    EXPECT(sb_welch_t(flat, 3, five, 4, &w) == 0 && w.p == 1 && w.t == 0 && isnan(w.df));
    EXPECT(sb_welch_t(flat, 3, six, 3, &w) == 0 && w.p == 0 && w.t == -INFINITY && isnan(w.df));
    EXPECT(sb_welch_t(six, 3, flat, 3, &w) == 0 && w.p == 0 && w.t == INFINITY);
    /* fewer than two values a side: no test */
    const double one[] = {5, NAN};
    EXPECT(sb_welch_t(one, 2, six, 3, &w) == -1 && isnan(w.p));
}

/* Reference p-values from the closed forms of Student's t tail for even df (df 4:
 * 1 - sin(a) (1 + cos^2(a) / 2), df 2: 1 - sin(a), a = atan(|t| / sqrt(df))), not the
 * incomplete beta function the code uses. */
static void check_paired(void) {
    sb_paired r;
    /* differences -0.5 -1.1 -0.1 -1.2 -0.6: mean -0.7, variance 0.205, t = -0.7 / sqrt(0.041) */
    const double x[] = {10.1, 9.8, 10.3, 10.0, 9.9}, y[] = {10.6, 10.9, 10.4, 11.2, 10.5};
    EXPECT(sb_paired_t(x, y, 5, &r) == 0 && r.n == 5 && r.df == 4);
    EXPECT(NEAR(r.mean_diff, -0.7, 1e-12) && NEAR(r.t, -3.457053588273563, 1e-12));
    EXPECT(NEAR(r.p / 0.025887240861783845, 1, 1e-10));
    /* a pair with a NAN value is skipped: differences 2, 2.5, 2 */
    const double a[] = {3, NAN, 5, 4, 7}, b[] = {1, 8, 2.5, 2, NAN};
    EXPECT(sb_paired_t(a, b, 5, &r) == 0 && r.n == 3 && r.df == 2 && NEAR(r.t, 13, 1e-12));
    EXPECT(NEAR(r.p / 0.005865153227565645, 1, 1e-10));
    /* a constant shift is exact (p = 0); no shift at all gives p = 1; the swap flips t only */
    const double c[] = {1, 2, 3}, c1[] = {2, 3, 4};
    EXPECT(sb_paired_t(c1, c, 3, &r) == 0 && r.t == INFINITY && r.p == 0);
    EXPECT(sb_paired_t(c, c1, 3, &r) == 0 && r.t == -INFINITY && r.p == 0);
    EXPECT(sb_paired_t(c, c, 3, &r) == 0 && r.t == 0 && r.p == 1);
    /* fewer than two pairs: no test */
    EXPECT(sb_paired_t(a, b, 2, &r) == -1 && isnan(r.p) && r.n == 1);
}

static void check_holm(void) {
    /* sorted 0.005, 0.01, 0.03, 0.04 -> 0.02, 0.03, 0.06, max(0.04, 0.06) */
    const double p[] = {0.01, 0.04, 0.03, 0.005};
    double adj[4];
    sb_holm(p, 4, adj);
    EXPECT(NEAR(adj[0], 0.03, 1e-15) && NEAR(adj[1], 0.06, 1e-15) && NEAR(adj[2], 0.06, 1e-15) && NEAR(adj[3], 0.02, 1e-15));
    /* NAN entries do not count; results are capped at 1 */
    double q[] = {0.3, NAN, 0.6};
    sb_holm(q, 3, q);
    EXPECT(NEAR(q[0], 0.6, 1e-15) && isnan(q[1]) && NEAR(q[2], 0.6, 1e-15));
    double r[] = {0.7, 0.9};
    sb_holm(r, 2, r);
    EXPECT(r[0] == 1 && r[1] == 1);
}

/* ---- the gate on synthetic results ------------------------------------------------------ */

static char dir[64];
static unsigned long long lcg_state;

/* Deterministic noise in [-1, 1). */
static double noise(void) {
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(lcg_state >> 11) / (double)(1ULL << 52) - 1;
}

/* Writes name.json: two points, every time scaled by `scale` (R2 evaluate's also by
 * `evaluate_scale`), with relative noise `jitter`; the first point's verdict is `verdict` and
 * its status `status` (not "ok": no timings). Of the `reps` repetitions the generator draws,
 * only those in [from, to) are written, so that a run split across files has the same values
 * as one file with all of them. */
static void write_part(const char *name, unsigned long long seed, size_t reps, double scale, double evaluate_scale,
                       double jitter, const char *verdict, const char *status, size_t from, size_t to) {
    static const struct { const char *key; double ms; } rounds[] = {
        {"cpu:R1 main LDE", 30}, {"cpu:R1 main commit", 25}, {"cpu:R2 evaluate", 40}, {"range:R1 main LDE", 0.2}};
    lcg_state = seed;
    sb_results r;
    char *argv[] = {"test_compare"};
    sb_results_init(&r, 1, argv);
    for (int i = 0; i < 2; i++) {
        sb_point *p = sb_results_add_point(&r, to - from);
        snprintf(p->name, sizeof p->name, "prove/steps:%d/blowup:2/backend:cpu/threshold:0/tp:1/threads:2/tpb:default",
                 12 + 2 * i);
        p->log_steps = 12 + 2 * (unsigned)i;
        p->blowup = 2;
        snprintf(p->verdict, sizeof p->verdict, "%s", i == 0 ? verdict : "clean");
        int ok = i > 0 || strcmp(status, "ok") == 0;
        if (!ok) {
            snprintf(p->status, sizeof p->status, "%s", status);
            snprintf(p->error, sizeof p->error, "killed after the --timeout");
        }
        for (size_t k = 0; k < reps; k++) {
            double total = 0;
            for (size_t m = 0; m < sizeof rounds / sizeof rounds[0]; m++) {
                double v = rounds[m].ms * (1 << (2 * i)) * scale * (1 + jitter * noise());
                if (strcmp(rounds[m].key, "cpu:R2 evaluate") == 0) v *= evaluate_scale;
                if (ok && k >= from && k < to) sb_point_metric(p, rounds[m].key)->values[k - from] = v;
                total += v;
            }
            if (!ok || k < from || k >= to) continue;
            sb_point_metric(p, "total")->values[k - from] = total;
            p->real_time_ms[k - from] = total + 1;
            p->cpu_time_ms[k - from] = 2 * total;
        }
    }
    char path[128], err[512];
    snprintf(path, sizeof path, "%s/%s.json", dir, name);
    if (sb_results_write(&r, path, err, sizeof err) != 0) fprintf(stderr, "%s\n", err);
    sb_results_free(&r);
}

static void write_results(const char *name, unsigned long long seed, size_t reps, double scale, double jitter,
                          const char *verdict) {
    write_part(name, seed, reps, scale, 1, jitter, verdict, "ok", 0, reps);
}

/* Copies dir/from.json to dir/to.json with every `old` replaced by `new`. */
static void rewrite(const char *from, const char *to, const char *old, const char *new) {
    char path[128], text[1 << 16], out[1 << 16];
    snprintf(path, sizeof path, "%s/%s.json", dir, from);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f) fclose(f);
    text[n] = 0;
    char *o = out;
    for (const char *t = text, *hit; *t; t = hit + strlen(old)) {
        hit = strstr(t, old);
        if (!hit) hit = t + strlen(t);
        memcpy(o, t, (size_t)(hit - t));
        o += hit - t;
        if (!*hit) break;
        o += sprintf(o, "%s", new);
    }
    *o = 0;
    snprintf(path, sizeof path, "%s/%s.json", dir, to);
    f = fopen(path, "w");
    fputs(out, f);
    fclose(f);
}

/* Turns "a,b" into "dir/a.json,dir/b.json" in out (cap bytes). */
static void expand(const char *names, char *out, size_t cap) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", names);
    size_t len = 0;
    out[0] = 0;
    for (char *save, *n = strtok_r(buf, ",", &save); n; n = strtok_r(NULL, ",", &save))
        len += (size_t)snprintf(out + len, cap - len, "%s%s/%s.json", len ? "," : "", dir, n);
}

/* Runs `starkbench compare dir/a.json dir/b.json extra` (a and b: comma-separated names) with
 * stdout captured into out. */
static int run_compare(const char *a, const char *b, const char *extra, char *out, size_t cap) {
    char pa[1024], pb[1024], cap_path[128];
    expand(a, pa, sizeof pa);
    expand(b, pb, sizeof pb);
    snprintf(cap_path, sizeof cap_path, "%s/stdout.txt", dir);
    char *argv[10] = {"compare", pa, pb, NULL};
    int argc = 3;
    char extra_buf[160];
    snprintf(extra_buf, sizeof extra_buf, "%s", extra ? extra : "");
    for (char *t = strtok(extra_buf, " "); t && argc < 9; t = strtok(NULL, " ")) argv[argc++] = t;
    return run_captured(cmd_compare, argc, argv, cap_path, out, cap);
}

/* The report after the two header lines (which name the files). */
static const char *body(const char *out) {
    const char *b = strstr(out, "\nprove/");
    return b ? b : out;
}

static void check_gate(void) {
    static char out[65536];
    /* A/A: one build, two sessions of 10 repetitions with 3 % jitter */
    write_results("base", 1, 10, 1.0, 0.03, "clean");
    write_results("aa", 2, 10, 1.0, 0.03, "clean");
    EXPECT(run_compare("base", "aa", NULL, out, sizeof out) == 0);
    EXPECT(strstr(out, "-> FAIL") == NULL && strstr(out, " FAIL\n") == NULL);
    /* a clean 4 % shift: WARN, still exit 0 */
    write_results("shift4", 3, 10, 1.04, 0.005, "clean");
    write_results("base_quiet", 4, 10, 1.0, 0.005, "clean");
    EXPECT(run_compare("base_quiet", "shift4", NULL, out, sizeof out) == 0);
    EXPECT(strstr(out, "WARN") != NULL && strstr(out, "-> WARN") != NULL);
    /* a 10 % regression with clear separation: FAIL, exit 1 */
    write_results("slow10", 5, 10, 1.10, 0.01, "clean");
    EXPECT(run_compare("base_quiet", "slow10", NULL, out, sizeof out) == 1);
    EXPECT(strstr(out, "-> FAIL") != NULL);
    /* ... but not with --fail 20 */
    EXPECT(run_compare("base_quiet", "slow10", "--fail 20", out, sizeof out) == 0);
    /* the tiny range (0.2 ms, < 2 % of the total) is shown but not gated */
    EXPECT(strstr(out, "range:R1 main LDE") != NULL);
    /* 3 vs 3 repetitions cannot reach significance after Holm: no FAIL, and a note says so */
    write_results("base3", 6, 3, 1.0, 0.005, "clean");
    write_results("slow3", 7, 3, 1.10, 0.005, "clean");
    EXPECT(run_compare("base3", "slow3", NULL, out, sizeof out) == 0);
    EXPECT(strstr(out, "no total can FAIL on timing") != NULL);
    /* equal timings but a new suspected fallback: FAIL */
    write_results("fallback", 2, 10, 1.0, 0.03, "suspected-fallback");
    EXPECT(run_compare("base", "fallback", NULL, out, sizeof out) == 1);
    EXPECT(strstr(out, "clean -> suspected-fallback") != NULL);
    /* no benchmark in common: exit 2 */
    char pa[128];
    snprintf(pa, sizeof pa, "%s/other.json", dir);
    FILE *f = fopen(pa, "w");
    fputs("{\"context\": {}, \"benchmarks\": [{\"name\": \"BM_other\", \"real_time\": 1, \"cpu_time\": 1, "
          "\"time_unit\": \"ms\"}]}\n",
          f);
    fclose(f);
    EXPECT(run_compare("base", "other", NULL, out, sizeof out) == 2);
    /* bad flags */
    EXPECT(run_compare("base", "aa", "--alpha 2", out, sizeof out) == 2);
    EXPECT(run_compare("base", "aa", "--warn 9", out, sizeof out) == 2); /* warn above fail */
}

/* Pooling: runs split across files give the report of one file with all repetitions;
 * disagreeing or repeated files are rejected. */
/* Writes NAME_a.json and NAME_b.json: repetitions [0, cut) and [cut, 10) of
 * write_results(NAME, seed, 10, scale, jitter, "clean"). */
static void write_split(const char *name, unsigned long long seed, double scale, double jitter, size_t cut) {
    char part[64];
    snprintf(part, sizeof part, "%s_a", name);
    write_part(part, seed, 10, scale, 1, jitter, "clean", "ok", 0, cut);
    snprintf(part, sizeof part, "%s_b", name);
    write_part(part, seed, 10, scale, 1, jitter, "clean", "ok", cut, 10);
}

/* Removes every `what` from text; returns how many there were. */
static int strip(char *text, const char *what) {
    int n = 0;
    for (char *hit; (hit = strstr(text, what)); n++) memmove(hit, hit + strlen(what), strlen(hit + strlen(what)) + 1);
    return n;
}

/* Compares base with cand as one file a side and split in two (base's parts in reverse order):
 * both exit with rc and print the same report (medians, p-values, verdicts); two sessions a side
 * are too few for Welch's t, so both use the rank test on the pooled repetitions. */
static void check_split_same(const char *base, const char *cand, int rc) {
    static char one[65536], split[65536];
    char b2[64], c2[64];
    snprintf(b2, sizeof b2, "%s_b,%s_a", base, base);
    snprintf(c2, sizeof c2, "%s_a,%s_b", cand, cand);
    EXPECT(run_compare(base, cand, NULL, one, sizeof one) == rc);
    EXPECT(run_compare(b2, c2, NULL, split, sizeof split) == rc);
    EXPECT(strip(split, " in 2 vs 2 sessions: Mann-Whitney U on the pooled repetitions") == 2);
    CHECK(strcmp(body(one), body(split)) == 0, "pooled report differs from one file's:\n%s\nvs\n%s", one, split);
    EXPECT(strstr(split, "(10 vs 10 repetitions)") != NULL);
    EXPECT(strstr(split, "_b.json, ") != NULL && strstr(split, "_a.json (commit ") != NULL);
}

static void check_pooling(void) {
    static char split[65536];
    /* A/A with the base split 4 + 6 and the candidate 7 + 3 */
    write_split("base", 1, 1.0, 0.03, 4);
    write_split("aa", 2, 1.0, 0.03, 7);
    check_split_same("base", "aa", 0);
    /* a 10 % regression split across files still FAILs, with the same medians and p-values */
    write_split("base_quiet", 4, 1.0, 0.005, 5);
    write_split("slow10", 5, 1.10, 0.01, 2);
    check_split_same("base_quiet", "slow10", 1);
    /* a point that timed out in one candidate file FAILs the pooled candidate */
    write_part("aa_timeout", 2, 10, 1.0, 1, 0.03, "clean", "timeout", 0, 3);
    EXPECT(run_compare("base", "aa_a,aa_timeout", NULL, split, sizeof split) == 1);
    EXPECT(strstr(split, "FAIL  candidate point timeout: killed after the --timeout (in ") != NULL);
    /* ... and so does one that has no timing at all (it used to pass unseen) */
    EXPECT(run_compare("base", "aa_timeout", NULL, split, sizeof split) == 1);
    EXPECT(strstr(split, "(10 vs 0 repetitions)") != NULL);
    /* a new fallback verdict in one candidate file is the pooled point's */
    write_part("fb_b", 2, 10, 1.0, 1, 0.03, "fallback", "ok", 7, 10);
    EXPECT(run_compare("base_a,base_b", "aa_a,fb_b", NULL, split, sizeof split) == 1);
    EXPECT(strstr(split, "clean -> fallback") != NULL);
    /* proof bytes that differ between files of one commit: FAIL for the candidate, a note for the base */
    char digest_a[96], digest_b[96];
    snprintf(digest_a, sizeof digest_a, "\"proof_digest\": \"%064d\"", 10);
    snprintf(digest_b, sizeof digest_b, "\"proof_digest\": \"%064d\"", 11);
    rewrite("aa_a", "dg_a", "\"proof_digest\": \"\"", digest_a);
    rewrite("aa_b", "dg_b", "\"proof_digest\": \"\"", digest_b);
    EXPECT(run_compare("base", "dg_a,dg_b", NULL, split, sizeof split) == 1);
    EXPECT(strstr(split, "FAIL  candidate proof digest differs between its files of one commit") != NULL);
    EXPECT(run_compare("dg_a,dg_b", "aa", NULL, split, sizeof split) == 0);
    EXPECT(strstr(split, "note  base proof digest differs between its files of one commit") != NULL);
    /* bad multi-file input: exit 2 */
    EXPECT(run_compare("base_a,base_a", "aa", NULL, split, sizeof split) == 2);     /* counted twice */
    EXPECT(run_compare("base_a,missing", "aa", NULL, split, sizeof split) == 2);    /* unreadable */
    char arg[256], *argv[] = {"compare", arg, "x.json"};
    snprintf(arg, sizeof arg, "%s/base_a.json,", dir);                            /* empty name */
    EXPECT(run_captured(cmd_compare, 3, argv, "/dev/null", split, sizeof split) == 2);
    rewrite("base_b", "other_host", "\"host_name\": \"", "\"host_name\": \"other-");
    EXPECT(run_compare("base_a,other_host", "aa", NULL, split, sizeof split) == 2);
    rewrite("aa_b", "no_sync", "\"range_sync\": true", "\"range_sync\": false");
    EXPECT(run_compare("base", "aa_a,no_sync", NULL, split, sizeof split) == 2);
    rewrite("aa_b", "on_gpu", "\"backend_used\": \"cpu\"", "\"backend_used\": \"gpu\"");
    EXPECT(run_compare("base", "aa_a,on_gpu", NULL, split, sizeof split) == 2);
    /* the unchanged copy pools fine: the rejections above are the edits' */
    rewrite("aa_b", "aa_copy", "\"host_name\": \"", "\"host_name\": \"");
    EXPECT(run_compare("base", "aa_a,aa_copy", NULL, split, sizeof split) == 0);
}

/* ---- sessions, the unit of replication ------------------------------------------------------ */

/* Writes NAME1.json .. NAMEn.json (n <= 9): n sessions of `reps` repetitions, as n processes of
 * one build would: session k's times scaled by scale * (1 + o_k + d_k), o_k uniform in [-spread,
 * spread) (drawn from seed), d_k the machine's drift in round k (drift_k of the rounds, NULL: none),
 * and jitter within the session; R2 evaluate's also by evaluate_scale. Writes the list
 * "NAME1,...,NAMEn" to list. */
static void write_sessions(const char *name, unsigned long long seed, size_t n, size_t reps, double scale,
                           double evaluate_scale, double spread, const double *drift, double jitter, char *list,
                           size_t cap) {
    double offset[9];
    lcg_state = seed;
    for (size_t k = 0; k < n; k++) offset[k] = spread * noise() + (drift ? drift[k] : 0);
    size_t len = 0;
    for (size_t k = 0; k < n; k++) {
        char file[64];
        snprintf(file, sizeof file, "%s%zu", name, k + 1);
        write_part(file, seed * 16 + k, reps, scale * (1 + offset[k]), evaluate_scale, jitter, "clean", "ok", 0, reps);
        len += (size_t)snprintf(list + len, cap - len, "%s%s", len ? "," : "", file);
    }
}

/* The test the gate used before it knew sessions: Mann-Whitney U on the pooled repetitions of
 * the first point's total, base list a against b. Writes the change of its median to *change_pct. */
static double pooled_rank_p(const char *a, const char *b, double *change_pct) {
    char pa[1024], pb[1024], err[512];
    expand(a, pa, sizeof pa);
    expand(b, pb, sizeof pb);
    sb_pool s[2];
    sb_mwu u = {.p = NAN};
    *change_pct = NAN;
    if (sb_pool_load(&s[0], "base", pa, err, sizeof err) == 0 && sb_pool_load(&s[1], "candidate", pb, err, sizeof err) == 0) {
        const sb_point *x = &s[0].pooled.points[0], *y = &s[1].pooled.points[0];
        sb_mann_whitney(sb_point_total(x), x->reps, sb_point_total(y), y->reps, &u);
        double mx = sb_median(sb_point_total(x), x->reps), my = sb_median(sb_point_total(y), y->reps);
        *change_pct = 100 * (my - mx) / mx;
    } else {
        fprintf(stderr, "%s\n", err);
    }
    sb_pool_free(&s[0]);
    sb_pool_free(&s[1]);
    return u.p;
}

/* Counts the table rows of out whose metric starts with `metric` and whose verdict column has `verdict`. */
static int count_rows(const char *out, const char *metric, const char *verdict) {
    int n = 0;
    char row[40], end[40];
    snprintf(row, sizeof row, "\n  %s", metric);
    snprintf(end, sizeof end, " %s", verdict);
    for (const char *r = out; (r = strstr(r, row)); r++) {
        const char *eol = strchr(r + 1, '\n');
        size_t len = eol ? (size_t)(eol - r) : strlen(r);
        char line[256];
        snprintf(line, sizeof line, "%.*s", (int)len, r);
        n += strstr(line, end) != NULL;
    }
    return n;
}

/* Rounds of interleaved sessions (--paired): the machine drifts by up to +-6 % from round to
 * round, the same for both sessions of a round, while each process is off by at most 0.5 %. */
static void check_paired_rounds(void) {
    static char out[65536];
    char base[256], cand[256];
    double drift[8];
    lcg_state = 99;
    for (int k = 0; k < 8; k++) drift[k] = 0.06 * noise();
    write_sessions("drift_base", 31, 8, 6, 1.0, 1, 0.005, drift, 0.002, base, sizeof base);
    write_sessions("drift_aa", 47, 8, 6, 1.0, 1, 0.005, drift, 0.002, cand, sizeof cand);
    EXPECT(run_compare(base, cand, "--paired", out, sizeof out) == 0);
    EXPECT(strstr(out, "(48 vs 48 repetitions in 8 vs 8 sessions: paired t on the rounds' log ratios of the session "
                       "medians)\n") != NULL);
    EXPECT(count_rows(out, "", "FAIL") == 0 && count_rows(out, "", "faster") == 0);
    EXPECT(strstr(out, "(8 paired t on the medians of 3 or more rounds, 0 Welch t on the medians") != NULL);
    /* R2 evaluate 4 % slower in every candidate session: the rounds' ratios show it, while
     * Welch's t on the same sessions sees only the drift */
    write_sessions("drift_slow", 53, 8, 6, 1.0, 1.04, 0.005, drift, 0.002, cand, sizeof cand);
    EXPECT(run_compare(base, cand, "--paired --fail 3", out, sizeof out) == 1);
    CHECK(count_rows(out, "cpu:R2 evaluate", "FAIL") == 2 && count_rows(out, "", "FAIL") == 2, "%s", out);
    EXPECT(run_compare(base, cand, "--fail 3", out, sizeof out) == 0);
    CHECK(count_rows(out, "", "FAIL") == 0 && strstr(out, "sessions: Welch t on the session medians)") != NULL, "%s", out);
    /* each session's fastest repetition instead of its median: the same verdicts here */
    EXPECT(run_compare(base, cand, "--paired --fail 3 --session-stat min", out, sizeof out) == 1);
    EXPECT(strstr(out, "sessions: paired t on the rounds' log ratios of the session minima)\n") != NULL);
    EXPECT(count_rows(out, "cpu:R2 evaluate", "FAIL") == 2 && count_rows(out, "", "FAIL") == 2);
    EXPECT(strstr(out, "(8 paired t on the minima of 3 or more rounds, 0 Welch t on the minima") != NULL);
    EXPECT(run_compare(base, cand, "--paired --session-stat mean", out, sizeof out) == 2);
    /* the statistic itself, per session in file order */
    char list[320], err[256];
    snprintf(list, sizeof list, "%s/drift_base1.json,%s/drift_base2.json", dir, dir);
    sb_pool two;
    EXPECT(sb_pool_load(&two, "base", list, err, sizeof err) == 0);
    const sb_point *p0 = &two.pooled.points[0];
    const double *tot = sb_point_total(p0);
    double lo[2], mid[2], first_min = tot[0];
    for (size_t k = 1; k < 6; k++) first_min = fmin(first_min, tot[k]);
    EXPECT(sb_pool_session_stats(&two.sessions[0], tot, SB_SESSION_MIN, lo) == 2 && lo[0] == first_min);
    EXPECT(sb_pool_session_stats(&two.sessions[0], tot, SB_SESSION_MEDIAN, mid) == 2 && mid[0] == sb_median(tot, 6));
    EXPECT(lo[0] < mid[0] && lo[1] < mid[1]);
    sb_pool_free(&two);
    /* a round measured in no round on both sides (base rounds 1-4, candidate rounds 5-8) has no
     * pair: Welch's t on its sessions instead, marked */
    for (int k = 1; k <= 4; k++) {
        char file[32];
        snprintf(file, sizeof file, "drift_base%d", k);
        rewrite(file, file, "cpu:R1 main commit", "cpu:R1 main Commit");
        snprintf(file, sizeof file, "drift_slow%d", k + 4);
        rewrite(file, file, "cpu:R1 main commit", "cpu:R1 main Commit");
    }
    EXPECT(run_compare(base, cand, "--paired --fail 3", out, sizeof out) == 1);
    CHECK(strstr(out, "sessions: paired t on the rounds' log ratios of the session medians, Welch t where marked)") != NULL,
          "%s", out);
    EXPECT(count_rows(out, "", "(Welch t on the session medians)") == 4);
    /* the k-th files of the sides pair up: as many a side, or one clear line */
    char *comma = strrchr(cand, ',');
    *comma = 0;
    EXPECT(run_compare(base, cand, "--paired", out, sizeof out) == 2);
}

static void check_sessions(void) {
    static char out[65536];
    char base[256], cand[256];
    /* A/A: every session tight (0.2 % jitter) but each process off by up to +-5 %, the same
     * distribution on both sides. The pooled rank test takes 60 repetitions a side as
     * independent and calls the offset of the candidate's sessions significant (and, above 5 %,
     * the old gate's FAIL); Welch's t on 5 vs 5 session medians sees 5 samples a side. */
    write_sessions("ses_base", 12, 5, 12, 1.0, 1, 0.05, NULL, 0.002, base, sizeof base);
    write_sessions("ses_aa", 28, 5, 12, 1.0, 1, 0.05, NULL, 0.002, cand, sizeof cand);
    double change, rank_p = pooled_rank_p(base, cand, &change);
    CHECK(rank_p < 1e-6 && change > 5, "the fixture does not reproduce the false alarm: rank p %g, change %+.2f %%", rank_p,
          change);
    EXPECT(run_compare(base, cand, NULL, out, sizeof out) == 0);
    EXPECT(strstr(out, "  (60 vs 60 repetitions in 5 vs 5 sessions: Welch t on the session medians)\n") != NULL);
    EXPECT(count_rows(out, "", "FAIL") == 0 && strstr(out, ": 0 FAIL, ") != NULL);
    EXPECT(strstr(out, "8 gated tests (8 Welch t on the medians of 3 or more sessions a side, 0 Mann-Whitney U") != NULL);
    EXPECT(strstr(out, "rank tests on the pooled repetitions") == NULL && strstr(out, "smallest p-value") == NULL);
    /* a real 10 % slowdown of R2 evaluate in every candidate session: that round FAILs in both
     * points (Welch's p has no floor, so it passes Holm over the rounds); the others do not */
    write_sessions("ses_slow", 128, 5, 12, 1.0, 1.10, 0.05, NULL, 0.002, cand, sizeof cand);
    EXPECT(run_compare(base, cand, NULL, out, sizeof out) == 1);
    CHECK(count_rows(out, "cpu:R2 evaluate", "FAIL") == 2 && count_rows(out, "", "FAIL") == 2, "%s", out);
    /* 3 sessions a side suffice; without any variation the shift is exact (p = 0), and equal
     * sessions give p = 1 (no division by zero) */
    write_sessions("flat_base", 5, 3, 4, 1.0, 1, 0, NULL, 0, base, sizeof base);
    write_sessions("flat_aa", 6, 3, 4, 1.0, 1, 0, NULL, 0, cand, sizeof cand);
    EXPECT(run_compare(base, cand, NULL, out, sizeof out) == 0);
    EXPECT(strstr(out, "(12 vs 12 repetitions in 3 vs 3 sessions: Welch t on the session medians)") != NULL);
    EXPECT(count_rows(out, "total", "ok") == 2 && strstr(out, " +0.00%   1.0000   1.0000 ") != NULL);
    write_sessions("flat_slow", 7, 3, 4, 1.10, 1, 0, NULL, 0, cand, sizeof cand);
    EXPECT(run_compare(base, cand, NULL, out, sizeof out) == 1);
    EXPECT(count_rows(out, "total", "FAIL") == 2 && strstr(out, "+10.00%  0.0e+00  0.0e+00 ") != NULL);
    /* a round with values in only 2 sessions a side falls back to the rank test, marked; on the
     * same offsets as the A/A pair above it FAILs where Welch's t on the sessions does not */
    write_sessions("mix_base", 12, 5, 12, 1.0, 1, 0.05, NULL, 0.002, base, sizeof base);
    write_sessions("mix_aa", 28, 5, 12, 1.0, 1, 0.05, NULL, 0.002, cand, sizeof cand);
    for (int k = 1; k <= 3; k++) {
        char file[32];
        snprintf(file, sizeof file, "mix_base%d", k);
        rewrite(file, file, "cpu:R1 main commit", "cpu:R1 main Commit");
        snprintf(file, sizeof file, "mix_aa%d", k);
        rewrite(file, file, "cpu:R1 main commit", "cpu:R1 main Commit");
    }
    EXPECT(run_compare(base, cand, NULL, out, sizeof out) == 1);
    EXPECT(strstr(out, "in 5 vs 5 sessions: Welch t on the session medians, a rank test where marked)") != NULL);
    EXPECT(count_rows(out, "cpu:R1 main commit", "FAIL (rank test on the repetitions)") == 2);
    EXPECT(count_rows(out, "", "(rank test on the repetitions)") == 2 && count_rows(out, "", "FAIL") == 2);
    EXPECT(strstr(out, "note: 2 of the 10 gated tests are rank tests on the pooled repetitions") != NULL);
    /* markdown says the same */
    char md[128], args[160];
    snprintf(md, sizeof md, "%s/sessions.md", dir);
    snprintf(args, sizeof args, "--md %s", md);
    run_compare(base, cand, args, out, sizeof out);
    FILE *f = fopen(md, "r");
    size_t n = f ? fread(out, 1, sizeof out - 1, f) : 0;
    if (f) fclose(f);
    out[n] = 0;
    EXPECT(strstr(out, "| metric | base ms | cand ms | change | p | p(Holm) | noise | verdict |") != NULL);
    EXPECT(strstr(out, "60 vs 60 repetitions in 5 vs 5 sessions: Welch t on the session medians, a rank test where marked\n") != NULL);
}

int main(void) {
    check_mann_whitney();
    check_student_t();
    check_paired();
    check_holm();
    snprintf(dir, sizeof dir, "/tmp/sb_test_compare.XXXXXX");
    if (!mkdtemp(dir)) return 1;
    check_gate();
    check_pooling();
    check_sessions();
    check_paired_rounds();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return check_finish("test_compare");
}
