/* Helpers of the tests that call the kernels' launchers directly (test_gpu_round_kernels.c,
 * test_gpu_trace.c), on top of test_gpu_util.h and a CUDA build: the one stream they queue on,
 * runtime calls that exit on failure, a launcher's result and its refusal of a shape. */
#ifndef SB_TEST_GPU_LAUNCH_H
#define SB_TEST_GPU_LAUNCH_H

#include "../kernels/gpu.h"
#include "test_gpu_util.h"

static cudaStream_t stream;

/* A runtime call outside the launchers under test: exits on failure. */
#define CUDA_OK(call)                                                                                   \
    do {                                                                                                \
        cudaError_t e_ = (call);                                                                        \
        if (e_ != cudaSuccess) {                                                                        \
            fprintf(stderr, "FAIL %s:%d: %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(e_)); \
            exit(1);                                                                                    \
        }                                                                                               \
    } while (0)

static inline void *dev_alloc(size_t bytes) {
    void *p = NULL;
    CUDA_OK(cudaMalloc(&p, bytes ? bytes : 8));
    return p;
}

/* A launcher's result: success, and the stream's work finished without a fault. */
static inline int ran(cudaError_t e, const sb_gpu_site *site, const char *what) {
    CHECK(e == cudaSuccess, "%s: %s in %s %s", what, cudaGetErrorString(e), site->kernel ? site->kernel : "?",
          site->launch);
    if (e != cudaSuccess) return 0;
    e = cudaStreamSynchronize(stream);
    CHECK(e == cudaSuccess, "%s: a kernel faulted: %s", what, cudaGetErrorString(e));
    return e == cudaSuccess;
}

/* A launcher's refusal of a shape: cudaErrorInvalidValue, "not launched: ...", nothing queued. */
static inline void refused(cudaError_t e, const sb_gpu_site *site, const char *what) {
    CHECK(e == cudaErrorInvalidValue && strncmp(site->launch, "not launched: ", 14) == 0,
          "%s: not refused (%s, '%s')", what, cudaGetErrorName(e), site->launch);
}

#endif
