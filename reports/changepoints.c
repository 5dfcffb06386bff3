#include "changepoints.h"

#include <math.h>
#include <stdlib.h>

#include "stats.h"

/* Sum of |y - median(y)| over y[0..n), and the median (into *med). */
static double l1_cost(const double *y, size_t n, double *med) {
    double m = sb_median(y, n), c = 0;
    for (size_t i = 0; i < n; i++) c += fabs(y[i] - m);
    if (med) *med = m;
    return c;
}

/* The robust relative spread 1.4826 MAD / median of y[0..n). */
static double spread(const double *y, size_t n) {
    sb_stats s;
    sb_stats_compute(y, n, &s);
    return s.median > 0 ? 1.4826 * s.mad / s.median : INFINITY;
}

typedef struct candidate {
    sb_change c;
    double score;
} candidate;

static int by_score(const void *a, const void *b) {
    double x = ((const candidate *)a)->score, y = ((const candidate *)b)->score;
    return (x < y) - (x > y);
}

static int by_index(const void *a, const void *b) {
    size_t x = ((const sb_change *)a)->at, y = ((const sb_change *)b)->at;
    return (x > y) - (x < y);
}

size_t sb_changepoints(const double *y, size_t n, double min_step_pct, sb_change *out, size_t cap) {
    candidate *cand = malloc((n ? n : 1) * sizeof *cand);
    size_t nc = 0;
    for (size_t k = 2; cand && k + 2 <= n; k++) {
        size_t b0 = k > SB_CHANGE_WINDOW ? k - SB_CHANGE_WINDOW : 0, a1 = k + SB_CHANGE_WINDOW < n ? k + SB_CHANGE_WINDOW : n;
        const double *B = y + b0, *A = y + k;
        size_t nb = k - b0, na = a1 - k;
        double mb, ma;
        double cost = l1_cost(B, nb, &mb) + l1_cost(A, na, &ma);
        if (!(mb > 0)) continue;
        double step = ma / mb - 1;
        if (fabs(step) < min_step_pct / 100 || !(fabs(step) > 2 * (spread(B, nb) + spread(A, na)))) continue;
        cand[nc].c = (sb_change){k, mb, ma, 100 * step};
        cand[nc++].score = l1_cost(B, nb + na, NULL) - cost; /* B and A are adjacent in y */
    }
    qsort(cand, nc, sizeof *cand, by_score);
    size_t found = 0;
    sb_change *kept = malloc((nc ? nc : 1) * sizeof *kept);
    for (size_t i = 0; kept && i < nc; i++) {
        int near = 0;
        for (size_t j = 0; j < found && !near; j++) {
            size_t a = cand[i].c.at, b = kept[j].at;
            near = (a > b ? a - b : b - a) < SB_CHANGE_WINDOW;
        }
        if (!near) kept[found++] = cand[i].c;
    }
    if (kept) qsort(kept, found, sizeof *kept, by_index);
    for (size_t i = 0; kept && i < found && i < cap; i++) out[i] = kept[i];
    free(kept);
    free(cand);
    return found;
}
