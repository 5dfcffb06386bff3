/* Launch bookkeeping shared by the .cu files: every launch is checked right after it is
 * queued, and a failure names the kernel and its configuration (for the fallback record). */
#ifndef SB_LAUNCH_CUH
#define SB_LAUNCH_CUH

#include <stdio.h>

#include "gpu.h"

/* Returns the launch error of the kernel just queued (cudaGetLastError also clears a
 * non-sticky error) and, on failure, describes the launch in *site. */
static inline cudaError_t sb_launch_check(sb_gpu_site *site, const char *kernel, dim3 grid, dim3 block,
                                          size_t smem) {
    cudaError_t e = cudaGetLastError();
    if (e != cudaSuccess && site) {
        site->kernel = kernel;
        snprintf(site->launch, sizeof site->launch, "grid=(%u,%u,%u) block=(%u,%u,%u) smem=%zu", grid.x,
                 grid.y, grid.z, block.x, block.y, block.z, smem);
    }
    return e;
}

/* A launch refused before anything is queued (a shape the kernel cannot index): names the kernel,
 * says why in site->launch, returns cudaErrorInvalidValue. */
static inline cudaError_t sb_launch_reject(sb_gpu_site *site, const char *kernel, const char *why) {
    if (site) {
        site->kernel = kernel;
        snprintf(site->launch, sizeof site->launch, "not launched: %s", why);
    }
    return cudaErrorInvalidValue;
}

/* Returns why a launch of tpb threads a block and at most max_blocks blocks cannot run (whole
 * warps, at most a block's 1024 threads, some blocks), or NULL. */
static inline const char *sb_bad_tpb(unsigned tpb, unsigned max_blocks) {
    if (tpb == 0 || tpb % 32 || tpb > 1024) return "threads per block not a multiple of 32 up to 1024";
    return max_blocks == 0 ? "no blocks" : NULL;
}

/* Returns e; a failed runtime call (not a kernel) is named in *site. */
static inline cudaError_t sb_runtime_check(cudaError_t e, const char *call, sb_gpu_site *site) {
    if (e != cudaSuccess && site) {
        site->kernel = call;
        snprintf(site->launch, sizeof site->launch, "(runtime call)");
    }
    return e;
}

/* Blocks for a grid-stride loop over `items` work items: never more than needed, never above cap. */
static inline unsigned sb_grid_blocks(uint64_t items, unsigned cap) {
    if (items == 0) return 1;
    return items < cap ? (unsigned)items : cap;
}

/* Loads the n kernels k[0..n) into the context now: CUDA loads a kernel lazily at its first
 * launch (or attribute query) otherwise, which would land inside the first operation's time
 * (seen in prove 2^20: ~0.5 ms of R1 main commit for two kernels, ~2 ms for a few leaves
 * instantiations). */
static inline cudaError_t sb_load_kernels(const void *const *k, size_t n) {
    struct cudaFuncAttributes a;
    for (size_t i = 0; i < n; i++) {
        const cudaError_t e = cudaFuncGetAttributes(&a, k[i]);
        if (e != cudaSuccess) return e;
    }
    return cudaSuccess;
}

#endif
