/* The child side of a sweep: one point per process (docs/ARCHITECTURE.md "Harness", process model).
 *
 * The parent runs `starkbench sweep --child --result FILE [--cupti] [--no-range-sync]
 * <common flags of the point> --runs N --warmup W`; the child proves warmup + N times
 * through sb_prove, verifies the first proof, and writes a results file (results.h)
 * holding that one point to FILE. Only children initialise CUDA. */
#ifndef SB_SWEEP_CHILD_H
#define SB_SWEEP_CHILD_H

#include "cupti.h"
#include "options.h"
#include "point.h"

/* Runs the point described by argv (after "--child"). Returns 0 when FILE was written
 * (whatever the point's status), 2 on bad arguments or when FILE cannot be written. */
int sb_sweep_child(int argc, char **argv);

/* Proves o->warmup times, then p->reps times with backend be into p: per repetition the
 * wall and process CPU time, every range as "<table>:<range>" ms and "total", proof_bytes,
 * backend counters (backend:cpu_ops, gpu_ops, fallbacks), NVML samples and, when cupti is
 * not NULL, its figures; the proof digest, checked equal across repetitions; the first
 * proof verified. Returns 0, or -1 with p->status "failed" and the reason in p->error. */
int sb_sweep_run(sb_point *p, const sb_options *o, sb_backend *be, sb_cupti *cupti);

/* `starkbench sweep --probe`: prints "gpu: <name>" when a usable CUDA device exists,
 * else "gpu: none". Returns 0. */
int sb_sweep_probe(void);

#endif
