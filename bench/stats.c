#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double *sb_sorted_finite(const double *x, size_t n, size_t *m) {
    *m = 0;
    double *v = n ? malloc(n * sizeof *v) : NULL;
    if (!v) return NULL;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i])) v[(*m)++] = x[i];
    if (*m == 0) {
        free(v);
        return NULL;
    }
    qsort(v, *m, sizeof *v, cmp_double);
    return v;
}

static double median_sorted(const double *v, size_t m) {
    return m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
}

double sb_median(const double *x, size_t n) {
    size_t m;
    double *v = sb_sorted_finite(x, n, &m);
    if (!v) return NAN;
    double med = median_sorted(v, m);
    free(v);
    return med;
}

void sb_stats_compute(const double *x, size_t n, sb_stats *out) {
    size_t m;
    double *v = sb_sorted_finite(x, n, &m);
    out->n = m;
    if (!v) {
        out->min = out->max = out->mean = out->median = out->stddev = out->mad = out->cv = NAN;
        return;
    }
    out->min = v[0];
    out->max = v[m - 1];
    out->median = median_sorted(v, m);
    double sum = 0;
    for (size_t i = 0; i < m; i++) sum += v[i];
    out->mean = sum / (double)m;
    double ss = 0;
    for (size_t i = 0; i < m; i++) ss += (v[i] - out->mean) * (v[i] - out->mean);
    out->stddev = m > 1 ? sqrt(ss / (double)(m - 1)) : 0.0;
    out->cv = m > 1 ? out->stddev / out->mean : 0.0;
    for (size_t i = 0; i < m; i++) v[i] = fabs(v[i] - out->median);
    qsort(v, m, sizeof *v, cmp_double);
    out->mad = median_sorted(v, m);
    free(v);
}
