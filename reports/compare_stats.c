#include "compare_stats.h"

#include <math.h>
#include <stdlib.h>

typedef struct tagged {
    double v;
    int from_x;
} tagged;

static int cmp_tagged(const void *a, const void *b) {
    double x = ((const tagged *)a)->v, y = ((const tagged *)b)->v;
    return (x > y) - (x < y);
}

/* Number of orderings with each U, for samples of sizes m and n without ties: the
 * coefficients of the Gaussian binomial [m+n choose m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i).
 * Returns an array of m*n + 1 counts (caller frees), or NULL. */
static double *u_counts(size_t m, size_t n) {
    size_t top = m * n;
    double *c = calloc(top + 1 + n + m, sizeof *c); /* room for the degree before each division */
    if (!c) return NULL;
    c[0] = 1;
    size_t deg = 0;
    for (size_t i = 1; i <= m; i++) {
        size_t a = n + i;
        for (size_t u = deg + a; u >= a; u--) c[u] -= c[u - a]; /* times (1 - q^a) */
        deg += a;
        for (size_t u = i; u <= deg; u++) c[u] += c[u - i]; /* divided by (1 - q^i): exact */
        deg -= i;
    }
    return c;
}

static double exact_p(size_t m, size_t n, double u) {
    double *c = u_counts(m, n);
    if (!c) return NAN;
    double total = 0, below = 0, above = 0;
    for (size_t k = 0; k <= m * n; k++) {
        total += c[k];
        if ((double)k <= u) below += c[k];
        if ((double)k >= u) above += c[k];
    }
    free(c);
    double p = 2 * fmin(below, above) / total;
    return p > 1 ? 1 : p;
}

int sb_mann_whitney(const double *x, size_t nx, const double *y, size_t ny, sb_mwu *out) {
    out->nx = out->ny = 0;
    out->u = out->p = NAN;
    out->method = SB_MWU_NORMAL;
    tagged *all = malloc((nx + ny + 1) * sizeof *all);
    if (!all) return -1;
    size_t n = 0;
    for (size_t i = 0; i < nx; i++)
        if (!isnan(x[i])) all[n++] = (tagged){x[i], 1}, out->nx++;
    for (size_t i = 0; i < ny; i++)
        if (!isnan(y[i])) all[n++] = (tagged){y[i], 0}, out->ny++;
    if (!out->nx || !out->ny) {
        free(all);
        return -1;
    }
    qsort(all, n, sizeof *all, cmp_tagged);
    /* midranks; rank sum of x; tie term sum(t^3 - t) */
    double rank_sum_x = 0, ties = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && all[j].v == all[i].v) j++;
        double t = (double)(j - i), midrank = (double)(i + j + 1) / 2; /* ranks i+1 .. j */
        for (size_t k = i; k < j; k++)
            if (all[k].from_x) rank_sum_x += midrank;
        ties += t * t * t - t;
        i = j;
    }
    free(all);
    double m = (double)out->nx, k = (double)out->ny, total = (double)n;
    out->u = rank_sum_x - m * (m + 1) / 2;
    if (ties == 0 && out->nx <= SB_MWU_EXACT_MAX && out->ny <= SB_MWU_EXACT_MAX) {
        out->method = SB_MWU_EXACT;
        out->p = exact_p(out->nx, out->ny, out->u);
        return 0;
    }
    double mean = m * k / 2;
    double var = m * k / 12 * ((total + 1) - ties / (total * (total - 1)));
    if (var <= 0) { /* every value equal: no evidence of a difference */
        out->p = 1;
        return 0;
    }
    double z = fmax(fabs(out->u - mean) - 0.5, 0) / sqrt(var);
    out->p = fmin(1, erfc(z / sqrt(2)));
    return 0;
}

double sb_mann_whitney_min_p(size_t nx, size_t ny) {
    double *v = malloc((nx + ny + 1) * sizeof *v);
    if (!v) return NAN;
    for (size_t i = 0; i < nx + ny; i++) v[i] = (double)i;
    sb_mwu r;
    double p = sb_mann_whitney(v, nx, v + nx, ny, &r) == 0 ? r.p : NAN;
    free(v);
    return p;
}

/* The continued fraction of I_x(a, b) (Numerical Recipes' betacf, by the modified Lentz
 * method), which converges quickly for x < (a + 1) / (a + b + 2). NAN if it does not converge. */
static double beta_fraction(double a, double b, double x) {
    const double tiny = 1e-300, eps = 1e-15;
    double c = 1, d = 1 - (a + b) * x / (a + 1);
    d = 1 / (fabs(d) < tiny ? tiny : d);
    double h = d;
    for (int m = 1; m <= 10000; m++) {
        double m2 = 2.0 * m;
        /* the even step d_2m, then the odd step d_2m+1 */
        double coef[2] = {m * (b - m) * x / ((a + m2 - 1) * (a + m2)),
                          -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))};
        double step = 1;
        for (int k = 0; k < 2; k++) {
            d = 1 + coef[k] * d;
            c = 1 + coef[k] / c;
            d = 1 / (fabs(d) < tiny ? tiny : d);
            if (fabs(c) < tiny) c = tiny;
            step = d * c;
            h *= step;
        }
        if (fabs(step - 1) < eps) return h;
    }
    return NAN;
}

/* I_x(a, b) given x and y = 1 - x, each exact (so that neither loses digits near 0 or 1). */
static double beta_inc(double a, double b, double x, double y) {
    if (x <= 0) return 0;
    if (y <= 0) return 1;
    double front = exp(a * log(x) + b * log(y) + lgamma(a + b) - lgamma(a) - lgamma(b));
    if (x < (a + 1) / (a + b + 2)) return front * beta_fraction(a, b, x) / a;
    return 1 - front * beta_fraction(b, a, y) / b; /* I_x(a, b) = 1 - I_y(b, a) */
}

double sb_beta_inc(double a, double b, double x) {
    if (!(a > 0 && b > 0 && x >= 0 && x <= 1) || isinf(a) || isinf(b)) return NAN;
    return beta_inc(a, b, x, 1 - x);
}

double sb_student_t_two_sided(double t, double df) {
    if (isnan(t) || !(df > 0)) return NAN;
    if (isinf(df)) return erfc(fabs(t) / sqrt(2));
    /* P(|T| >= |t|) = I_x(df/2, 1/2) with x = df / (df + t^2) = 1 / (1 + u), u = t^2 / df */
    double u = t / sqrt(df) * (t / sqrt(df));
    return beta_inc(df / 2, 0.5, 1 / (1 + u), isinf(u) ? 1 : u / (1 + u));
}

/* Mean and sample variance of the non-NAN values of x[0..n); returns their count. */
static size_t mean_var(const double *x, size_t n, double *mean, double *var) {
    size_t k = 0;
    double sum = 0, sq = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i])) sum += x[i], k++;
    *mean = k ? sum / (double)k : NAN;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i])) sq += (x[i] - *mean) * (x[i] - *mean);
    *var = k > 1 ? sq / (double)(k - 1) : NAN;
    return k;
}

int sb_welch_t(const double *x, size_t nx, const double *y, size_t ny, sb_welch *out) {
    double vx, vy;
    out->nx = mean_var(x, nx, &out->mean_x, &vx);
    out->ny = mean_var(y, ny, &out->mean_y, &vy);
    out->t = out->df = out->p = NAN;
    if (out->nx < 2 || out->ny < 2) return -1;
    double sx = vx / (double)out->nx, sy = vy / (double)out->ny, diff = out->mean_x - out->mean_y;
    if (sx + sy == 0) { /* neither varies: the difference of the means is exact */
        out->t = diff == 0 ? 0 : copysign(INFINITY, diff);
        out->p = diff == 0 ? 1 : 0;
        return 0;
    }
    out->t = diff / sqrt(sx + sy);
    out->df = (sx + sy) * (sx + sy) / (sx * sx / (double)(out->nx - 1) + sy * sy / (double)(out->ny - 1));
    out->p = sb_student_t_two_sided(out->t, out->df);
    return 0;
}

int sb_paired_t(const double *x, const double *y, size_t n, sb_paired *out) {
    double *d = malloc((n + 1) * sizeof *d), var;
    out->n = 0;
    out->mean_diff = out->t = out->df = out->p = NAN;
    if (!d) return -1;
    for (size_t i = 0; i < n; i++) d[i] = isnan(x[i]) || isnan(y[i]) ? NAN : x[i] - y[i];
    out->n = mean_var(d, n, &out->mean_diff, &var);
    free(d);
    if (out->n < 2) return -1;
    out->df = (double)(out->n - 1);
    if (var == 0) { /* every pair moved by the same amount: the mean difference is exact */
        out->t = out->mean_diff == 0 ? 0 : copysign(INFINITY, out->mean_diff);
        out->p = out->mean_diff == 0 ? 1 : 0;
        return 0;
    }
    out->t = out->mean_diff / sqrt(var / (double)out->n);
    out->p = sb_student_t_two_sided(out->t, out->df);
    return 0;
}

typedef struct indexed {
    double p;
    size_t i;
} indexed;

static int cmp_indexed(const void *a, const void *b) {
    double x = ((const indexed *)a)->p, y = ((const indexed *)b)->p;
    return (x > y) - (x < y);
}

void sb_holm(const double *p, size_t n, double *adjusted) {
    indexed *s = malloc((n + 1) * sizeof *s);
    if (!s) {
        for (size_t i = 0; i < n; i++) adjusted[i] = NAN;
        return;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(p[i])) s[m++] = (indexed){p[i], i};
    for (size_t i = 0; i < n; i++)
        if (isnan(p[i])) adjusted[i] = NAN;
    qsort(s, m, sizeof *s, cmp_indexed);
    double running = 0;
    for (size_t j = 0; j < m; j++) {
        double a = fmin(1, (double)(m - j) * s[j].p);
        if (a > running) running = a;
        adjusted[s[j].i] = running;
    }
    free(s);
}

