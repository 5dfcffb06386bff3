/* Summary statistics over the repetitions of one metric.
 *
 * NAN-aware: NAN values (a repetition without that metric) are skipped, and n
 * counts the values used. Conventions follow Google Benchmark's aggregates so
 * that its compare.py agrees with ours: stddev is the sample standard deviation
 * (n - 1 in the denominator) and is 0 for a single value; cv = stddev / mean
 * (0 for a single value). With no value at all every field but n is NAN. */
#ifndef SB_STATS_H
#define SB_STATS_H

#include <stddef.h>

typedef struct sb_stats {
    size_t n;      /* values used (non-NAN) */
    double min, max, mean;
    double median; /* mean of the two middle values when n is even */
    double stddev; /* sample standard deviation */
    double mad;    /* median absolute deviation from the median (unscaled) */
    double cv;     /* coefficient of variation: stddev / mean */
} sb_stats;

/* Computes the statistics of x[0..n) into out (x may be NULL when n is 0; x is not modified). */
void sb_stats_compute(const double *x, size_t n, sb_stats *out);

/* Returns the median of the non-NAN values of x[0..n), or NAN when there is none. */
double sb_median(const double *x, size_t n);

/* Copies the non-NAN values of x[0..n) into a new ascending array (the caller frees it) and
 * writes their count to *m. Returns NULL, with *m = 0, when there is none (or out of memory). */
double *sb_sorted_finite(const double *x, size_t n, size_t *m);

#endif
