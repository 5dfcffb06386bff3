/* What the GPU backend offers beyond the backend interface (backend.h): device-side
 * timings of a matrix, kernel attributes and the floors for the `kernels` command.
 * Built in both configurations: without CUDA (gpu_unavailable.c) every call says so.
 *
 * Fault injection (read at every call of a GPU operation, never cached):
 *   STARKBENCH_INJECT_SILENT_FALLBACK=NAME makes the GPU operations of that name run on the
 *   CPU path WITHOUT a fallback record -- the silent fallback the harness must detect. NAME is
 *   one of sb_inject_names (backend.h): lde (lde and lde_matrix), upload (from_host), commit, open
 *   (open_many), composition, ood, deep, fri (fri_fold), grind, or all. An operation placed on
 *   the CPU anyway (its round kept there, another AIR's composition) is unaffected.
 *
 * Where operations run (read when the backend is created):
 *   by default (cfg.cpu_rounds = SB_CPU_ROUNDS_DEFAULT) every operation of every round runs on
 *   the GPU: the traces, LDEs, commits, openings, the composition, OOD, DEEP, FRI folds and
 *   grinding. A chosen
 *   cfg.cpu_rounds (bit k-1: round k) runs every operation of those rounds on the CPU path and
 *   every kind of the others on the GPU; matrices move between host and device where an
 *   operation needs them; the proof bytes are the same. STARKBENCH_CPU_ROUNDS=R2,R4 (any of
 *   R1..R4, comma-separated) or =none (every operation on the GPU) replaces the default, and adds
 *   its rounds to a caller's own
 *   cfg.cpu_rounds; an empty or other value fails the creation. For verifying and
 *   bisecting the GPU rounds; the harness judges the default placement only (a sweep child run
 *   with it is judged as if it ran the default). */
#ifndef SB_GPU_BACKEND_H
#define SB_GPU_BACKEND_H

#include <stddef.h>

#include "backend.h"
#include "range_names.h"

/* The operations (an SB_OPK_IN_ROUND mask, prover/range_names.h) a GPU backend created with
 * cfg.cpu_rounds = cpu_rounds runs on the device: SB_CPU_ROUNDS_DEFAULT gives sb_gpu_device_ops;
 * otherwise every kind with a kernel in every round not kept on the CPU. 0 in a build without
 * CUDA. */
sb_opk_mask sb_gpu_placed_ops(unsigned cpu_rounds);

/* The operations the GPU backend runs on the device by default: every kind in every round; the
 * fallback detector, calibrate and the memory model judge the ranges holding them. */
extern const sb_opk_mask sb_gpu_device_ops;

/* Writes the free and total memory of be's device (cudaMemGetInfo). Returns 0, or -1 when be
 * is not a GPU backend or the device does not answer. */
int sb_gpu_memory(const sb_backend *be, uint64_t *free_bytes, uint64_t *total_bytes);

/* Each of the two pinned host buffers host <-> device copies go through (kept until destroy). */
#define SB_GPU_STAGE_BYTES ((size_t)32 << 20)

/* Device time (CUDA events) of the GPU lde/commit that filled m, in milliseconds: the H2D of
 * the trace, the LDE kernels with the data already on the device, the Merkle kernels. */
typedef struct sb_gpu_times {
    double h2d_ms, lde_ms, commit_ms;
} sb_gpu_times;

/* Fills t for m. Returns 0, or -1 when m does not live on the GPU. commit_ms is 0 before a GPU
 * commit. */
int sb_gpu_matrix_times(const sb_matrix *m, sb_gpu_times *t);

/* The kernel launched with tpb[k] (k an sb_kernel_id) on device 0: its name(s), registers per
 * thread and max threads per block (cudaFuncGetAttributes). Returns 0; 1 when k launches no
 * kernel of its own (*kernel then says why; regs, max_tpb untouched); -1 with a reason in err
 * when no GPU is usable. */
int sb_gpu_kernel_info(int k, const char **kernel, int *regs, int *max_tpb, char *err, size_t errlen);

/* Measures issue 5's floors on device 0: D2D copy bandwidth (bytes read + written per second),
 * straightforward Goldilocks butterflies per second, Keccak-f[1600] per second.
 * Returns 0, or -1 with a reason in err. */
int sb_gpu_floors(double *copy_bytes_per_s, double *butterflies_per_s, double *keccak_f_per_s, char *err,
                  size_t errlen);

/* The GPU noise probe on device 0: ms[0..n) for n launches of a fixed Keccak-f kernel (after one
 * warm-up). Returns 0, or -1 with a reason in err. */
int sb_gpu_noise_probe(double *ms, int n, char *err, size_t errlen);

/* Runs the pipe probes on device 0 (which instructions issue beside the ALU, kernels/floors.cu):
 * names[i] and seconds[i] (median of 5) for each of the SB_GPU_PIPE_PROBES probes, and the
 * mismatches of the FP64-pipe funnel shift against SHF.L.W (0 expected). Returns 0, or -1 with
 * a reason in err. */
#define SB_GPU_PIPE_PROBES 5
int sb_gpu_pipes(const char *names[SB_GPU_PIPE_PROBES], double seconds[SB_GPU_PIPE_PROBES],
                 unsigned long long *mismatches, char *err, size_t errlen);

#endif
