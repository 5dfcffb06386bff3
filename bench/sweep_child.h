/* The child side of a sweep: one point per process (docs/ARCHITECTURE.md "Harness", process model).
 *
 * The parent runs `starkbench sweep --child --result FILE [--cupti] [--no-range-sync]
 * [--max-noise PCT --min-runs N --max-runs N --max-time SEC] [--keep-throttled]
 * [--clock-ref MHZ] <common flags of the point> --runs N --warmup W`; the child proves
 * warmup + N times (or, with --max-noise, until the stopping rule of adaptive.h says so, N
 * being the budget: the parent passes --max-runs as --runs) through sb_prove, verifies the first proof, and writes a
 * results file (results.h) holding that one point to FILE. Only children initialise CUDA. */
#ifndef SB_SWEEP_CHILD_H
#define SB_SWEEP_CHILD_H

#include "adaptive.h"
#include "cupti.h"
#include "options.h"
#include "point.h"

/* Runs the point described by argv (after "--child"). Returns 0 when FILE was written
 * (whatever the point's status), 2 on bad arguments or when FILE cannot be written. */
int sb_sweep_child(int argc, char **argv);

/* How a point repeats and how its repetitions are judged. */
typedef struct sb_rep_policy {
    sb_adaptive adaptive;  /* max_noise_pct 0: exactly p->reps repetitions */
    int keep_throttled;    /* throttled repetitions count toward the noise (--keep-throttled) */
    double clock_ref_mhz;  /* the SM clock throttling is judged against; 0 = the card's maximum (NVML) */
} sb_rep_policy;

/* Parses the repetition flag at argv[*i] into pol: --max-noise PCT (> 0), --min-runs N, --max-runs N
 * (>= 1), --max-time SEC (> 0), --keep-throttled, --clock-ref MHZ (> 0); *given gets the bit
 * 1 << (its index in that list). Returns 1 when consumed (advancing *i past its value), 0 when
 * argv[*i] is none of them, -1 after one line on stderr when its value is invalid. */
int sb_rep_policy_flag(sb_rep_policy *pol, int argc, char **argv, int *i, unsigned *given);

/* Sets pol's defaults: a fixed count, no --max-noise, the SB_ADAPTIVE_DEFAULT_* budget. */
void sb_rep_policy_init(sb_rep_policy *pol);

/* Proves o->warmup times, then repeats with backend be into p: p->reps times, or with policy's
 * max_noise_pct until sb_adaptive_stop says so (p->reps, allocated as the max_runs budget, is
 * then set to the repetitions made). Per repetition: the wall and process CPU time, every range
 * as "<table>:<range>" ms and "total", proof_bytes, backend counters (backend:cpu_ops, gpu_ops,
 * fallbacks), on a GPU the NVML samples (a watch thread during the proof) and the mark
 * "throttled" (throttle.h), and, when cupti is not NULL, its figures; the proof digest, checked
 * equal across repetitions; the first proof verified. Sets p->stop_reason and p->noise_pct (of
 * the total, throttled repetitions left out unless kept). policy NULL: a fixed count, clocks
 * judged against the card's maximum. Returns 0, or -1 with p->status "failed" and the reason
 * in p->error. */
int sb_sweep_run(sb_point *p, const sb_options *o, sb_backend *be, sb_cupti *cupti, const sb_rep_policy *policy);

/* `starkbench sweep --probe`: prints "gpu: <name>" when a usable CUDA device exists,
 * else "gpu: none". Returns 0. */
int sb_sweep_probe(void);

#endif
