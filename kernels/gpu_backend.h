/* What the GPU backend offers beyond the backend interface (backend.h): device-side
 * timings of a commitment, kernel attributes and the floors for the `kernels` command.
 * Built in both configurations: without CUDA (gpu_unavailable.c) every call says so.
 *
 * Fault injection (read at every lde/commit call, never cached):
 *   STARKBENCH_INJECT_SILENT_FALLBACK=lde|commit|all makes that GPU operation run on the
 *   CPU path WITHOUT a fallback record -- the silent fallback the harness must detect. */
#ifndef SB_GPU_BACKEND_H
#define SB_GPU_BACKEND_H

#include <stddef.h>

#include "backend.h"

/* Device time (CUDA events) of the GPU lde/commit that filled c, in milliseconds: the H2D of
 * the trace, the LDE kernels with the data already on the device, the Merkle kernels. */
typedef struct sb_gpu_times {
    double h2d_ms, lde_ms, commit_ms;
} sb_gpu_times;

/* Fills t for c. Returns 0, or -1 when c's LDE does not live on the GPU. commit_ms is 0 before
 * a GPU commit. */
int sb_gpu_commitment_times(const sb_commitment *c, sb_gpu_times *t);

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
