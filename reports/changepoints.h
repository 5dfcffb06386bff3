/* Change points in a configuration's trend: steps in the series of run medians of one metric,
 * one configuration and one machine, in date order (`history list --changes`, marked on the
 * trend chart).
 *
 * The method, a robust two-window step detector over consecutive runs: at each boundary k
 * (k >= 2 runs before it, >= 2 from it on) the window B holds the up to SB_CHANGE_WINDOW runs
 * before k and A the up to SB_CHANGE_WINDOW runs from k. With m_B, m_A their medians and
 * s_B = 1.4826 MAD(B) / m_B, s_A likewise (robust relative spreads), k is a candidate when the
 * step m_A / m_B - 1 is at least min_step in size and larger than 2 (s_A + s_B). A candidate's
 * score is the L1 cost the step saves: sum |y - median| over B and A together, minus that over
 * B and over A apart. Candidates are accepted best score first, each only when no accepted one
 * lies within SB_CHANGE_WINDOW - 1 runs of it (so one step is reported once, at the run where it
 * happened). A single slow run between normal ones moves no window median and is not a step;
 * a new level needs two runs to show. */
#ifndef SB_CHANGEPOINTS_H
#define SB_CHANGEPOINTS_H

#include <stddef.h>

#define SB_CHANGE_WINDOW 5
#define SB_CHANGE_MIN_STEP_PCT 5.0 /* default minimum step (history --min-step) */

typedef struct sb_change {
    size_t at;            /* index of the first run on the new level */
    double before, after; /* the window medians */
    double step_pct;      /* 100 (after / before - 1) */
} sb_change;

/* Finds the change points of y[0..n) (positive values; NAN runs are not allowed) with a minimum
 * step of min_step_pct percent, as above, into out (up to cap, in order of index). Returns how
 * many were found (all of them, even beyond cap). */
size_t sb_changepoints(const double *y, size_t n, double min_step_pct, sb_change *out, size_t cap);

#endif
