/* Noise of a median and the stopping rule of adaptive repetitions (`sweep --max-noise`).
 *
 * The noise of a set of repetitions is the relative half-width of the distribution-free
 * confidence interval of their median: with the m values sorted, x_(1) <= ... <= x_(m), the
 * interval [x_(k), x_(m+1-k)] covers the true median with probability 1 - 2 P(B <= k - 1),
 * B ~ Binomial(m, 1/2), whatever the distribution (the order-statistic interval); k is the
 * largest index whose coverage is at least SB_NOISE_CONFIDENCE. noise = (x_(m+1-k) - x_(k))
 * / 2 / median, in percent. At 95 % an interval needs m >= 6 (coverage 1 - 2/64); below
 * that the noise is unknown (infinite). The same figure is the noise probe's
 * (bench/noise.h) and compare's noise guard. */
#ifndef SB_ADAPTIVE_H
#define SB_ADAPTIVE_H

#include <stddef.h>

#define SB_NOISE_CONFIDENCE 0.95

/* The order-statistic interval of the median of the non-NAN values of x[0..n) at confidence
 * conf (0 < conf < 1): writes its ends to *lo, *hi and its exact coverage to *coverage (any may
 * be NULL). Returns the order index k (1-based, >= 1), or 0 when the values are too few for
 * any interval at conf (the outputs are then NAN). */
size_t sb_median_ci(const double *x, size_t n, double conf, double *lo, double *hi, double *coverage);

/* The noise of x[0..n) in percent, as above at SB_NOISE_CONFIDENCE: NAN without values,
 * INFINITY when they are too few for an interval (or the median is 0). */
double sb_noise_pct(const double *x, size_t n);

/* When a point stops repeating. max_noise_pct 0 means a fixed count (runs = max_runs). */
typedef struct sb_adaptive {
    double max_noise_pct; /* --max-noise: stop once the noise is at most this */
    unsigned min_runs;    /* --min-runs: never stop for low noise before this many */
    unsigned max_runs;    /* --max-runs: the repetition budget */
    double max_time_s;    /* --max-time: the time budget (seconds of measured repetitions) */
} sb_adaptive;

#define SB_ADAPTIVE_DEFAULT_MIN_RUNS 10
#define SB_ADAPTIVE_DEFAULT_MAX_RUNS 100
#define SB_ADAPTIVE_DEFAULT_MAX_TIME_S 120.0

/* Decides after `done` repetitions taking elapsed_s seconds in all, whose usable totals are
 * x[0..done) (NAN for a repetition that does not count, e.g. a throttled one). Returns NULL to
 * go on, else why the point stops: "noise" (done >= min_runs and noise <= max_noise_pct),
 * "max-runs" (done >= max_runs) or "max-time" (elapsed_s >= max_time_s; it wins over
 * min_runs). With max_noise_pct 0 the only reason is "runs" (done >= max_runs). Writes the
 * current noise (sb_noise_pct) to *noise_pct when not NULL. */
const char *sb_adaptive_stop(const sb_adaptive *a, const double *x, size_t done, double elapsed_s, double *noise_pct);

#endif
