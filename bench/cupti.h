/* CUPTI collector: every kernel and memcpy of a proof, attributed to the range
 * that launched it (docs/ARCHITECTURE.md "Harness", CUPTI).
 *
 * Activity API kinds CONCURRENT_KERNEL, MEMCPY, RUNTIME and EXTERNAL_CORRELATION.
 * The range hooks push an external correlation id (the range's record index + 1)
 * on the range's thread when it opens and pop it when it closes, so CUPTI tags
 * each runtime call, and through its correlation id each kernel and memcpy, with
 * the innermost open range: attribution by launch, not by timestamps (kernels
 * run after their range's host code in --no-range-sync mode).
 *
 * Compiled in with SB_HAVE_CUPTI (a CUDA build with libcupti); otherwise
 * sb_cupti_start says so and returns NULL. One collector per process. */
#ifndef SB_CUPTI_H
#define SB_CUPTI_H

#include <stddef.h>

#include "range.h"
#include "results.h"

typedef struct sb_cupti sb_cupti;

/* Returns the profiling tool attached to this process ("nsys", "ncu", "compute-sanitizer",
 * "a CUDA injection tool"), judged from its environment, or NULL when none. */
const char *sb_profiler_attached(void);

/* Enables the activity kinds; call before the first CUDA call of the process. Returns NULL
 * with a one-line reason in err when not built with CUPTI, under a profiling tool (which
 * owns CUPTI), or when CUPTI refuses. */
sb_cupti *sb_cupti_start(char *err, size_t errlen);

/* Fills h with the hooks that push/pop the external correlation ids. */
void sb_cupti_hooks(sb_cupti *c, sb_range_hooks *h);

/* Flushes CUPTI's buffers (call after the device is idle) and adds repetition rep's figures
 * to p, naming ranges from the set they were recorded in; then forgets the records.
 * Per range key K ("<table>:<range>", or the range name outside tables): K:kernel_ms (the
 * union of its kernels' intervals: within the range's wall time in range-sync mode),
 * K:launches, K:keccak_launches (kernels whose name contains "keccak"), K:failed_launches
 * (kernel-launch runtime calls that returned an error), K:memcpy_ms, K:memcpy_bytes,
 * K:h2d_bytes, K:d2h_bytes, K:d2d_bytes. Per kernel N (name, at most 40 characters):
 * kernel:N:launches, kernel:N:ms, kernel:N:grid (blocks), kernel:N:block (threads),
 * kernel:N:regs (per thread), kernel:N:static_smem, kernel:N:dynamic_smem and their sum
 * kernel:N:smem_bytes (bytes per block; grid to smem: its last launch), and per range and
 * kernel K:kernel:N:launches and K:kernel:N:ms (summed). And gpu_busy_ms: the union of the
 * intervals of every kernel and memcpy (the time in which the device worked on this proof),
 * gpu_busy_pct: its share of the repetition's total (when p has one for rep), and
 * cupti:dropped_records when CUPTI's buffers overflowed. */
void sb_cupti_collect(sb_cupti *c, const sb_ranges *ranges, sb_point *p, size_t rep);

/* Flushes CUPTI's buffers (call after the device is idle) and returns the milliseconds in which
 * a kernel or memcpy recorded since the last collect, discard or busy call ran (the union of their
 * intervals), then forgets the records. NAN without CUPTI or memory. */
double sb_cupti_busy_ms(sb_cupti *c);

/* Flushes CUPTI's buffers and forgets every record so far (the warmup proofs', which would
 * otherwise land, unattributed, in the first repetition's figures and GPU busy time). */
void sb_cupti_discard(sb_cupti *c);

/* Flushes, disables the activity kinds and frees the collector. */
void sb_cupti_stop(sb_cupti *c);

#endif
