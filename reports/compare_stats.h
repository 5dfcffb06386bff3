/* Statistics for `starkbench compare`: the Mann-Whitney U test on two sets of repetitions,
 * Welch's t test on two sets of session medians, the paired t test on sessions that ran side by
 * side (both with the Student t distribution through the regularized incomplete beta function)
 * and Holm's step-down correction for testing many metrics at once. */
#ifndef SB_COMPARE_STATS_H
#define SB_COMPARE_STATS_H

#include <stddef.h>

/* Samples up to this size without ties get the exact distribution of U; larger ones, or any
 * tie, the normal approximation (tie-corrected variance, continuity correction 0.5). */
#define SB_MWU_EXACT_MAX 25

typedef enum sb_mwu_method { SB_MWU_EXACT, SB_MWU_NORMAL } sb_mwu_method;

typedef struct sb_mwu {
    size_t nx, ny;        /* values used (NAN skipped) */
    double u;             /* U of x: pairs (x_i, y_j) with x_i > y_j, ties counting 1/2 */
    double p;             /* two-sided p-value */
    sb_mwu_method method;
} sb_mwu;

/* Two-sided Mann-Whitney U test of x[0..nx) against y[0..ny); NAN values are skipped.
 * Returns 0, or -1 when either sample has no value (out->p is then NAN). */
int sb_mann_whitney(const double *x, size_t nx, const double *y, size_t ny, sb_mwu *out);

/* The smallest two-sided p-value the test can give for samples of sizes nx and ny
 * (complete separation, no ties). */
double sb_mann_whitney_min_p(size_t nx, size_t ny);

typedef struct sb_welch {
    size_t nx, ny;        /* values used (NAN skipped) */
    double mean_x, mean_y;
    double t;             /* (mean_x - mean_y) / sqrt(var_x / nx + var_y / ny); +-INFINITY or 0 without variance */
    double df;            /* Welch-Satterthwaite degrees of freedom; NAN when neither sample varies */
    double p;             /* two-sided p-value */
} sb_welch;

/* Welch's two-sample t test of x[0..nx) against y[0..ny) (unequal variances); NAN values are
 * skipped. When neither sample varies the difference of the means is exact: p = 1 when they
 * are equal, else 0. Returns 0, or -1 when a sample has fewer than 2 values (out->p is then NAN). */
int sb_welch_t(const double *x, size_t nx, const double *y, size_t ny, sb_welch *out);

typedef struct sb_paired {
    size_t n;             /* pairs used (a pair with a NAN value skipped) */
    double mean_diff;     /* mean of x_i - y_i */
    double t;             /* mean_diff / (sd of the differences / sqrt(n)); +-INFINITY or 0 without variance */
    double df;            /* n - 1 */
    double p;             /* two-sided p-value */
} sb_paired;

/* The paired t test of x[i] - y[i], i < n (Student's t with n - 1 degrees of freedom); a pair
 * where either value is NAN is skipped. When the differences do not vary, their mean is exact:
 * p = 1 when it is 0, else 0. Returns 0, or -1 when fewer than 2 pairs remain (out->p is then NAN). */
int sb_paired_t(const double *x, const double *y, size_t n, sb_paired *out);

/* The two-sided tail P(|T| >= |t|) of Student's t distribution with df > 0 degrees of freedom
 * (df may be non-integer; INFINITY gives the normal tail). Returns NAN for a NAN t or df <= 0. */
double sb_student_t_two_sided(double t, double df);

/* The regularized incomplete beta function I_x(a, b) for a, b > 0 and x in [0, 1]. Returns
 * NAN outside that domain or when its continued fraction does not converge (not for
 * a, b <= 1e6). */
double sb_beta_inc(double a, double b, double x);

/* Holm's step-down adjustment: adjusted[i] = max over the j <= rank(i) smallest p of
 * min(1, (n - j + 1) p_(j)). NAN p-values are left out of n and stay NAN. p and adjusted may alias. */
void sb_holm(const double *p, size_t n, double *adjusted);

#endif
