/* Helpers shared by the GPU tests (tests/test_gpu_*.c), on top of check.h: skip without a
 * GPU, backends with a chosen threshold and tpb, random traces with non-canonical values. */
#ifndef SB_TEST_GPU_UTIL_H
#define SB_TEST_GPU_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "check.h"
#include "field.h"

/* Exits 77 (ctest SKIPPED) unless a usable CUDA device exists. */
static inline void gpu_or_skip(void) {
    char name[256];
    if (!sb_gpu_available(name, sizeof name)) {
        printf("SKIPPED: no GPU\n");
        exit(77);
    }
    printf("GPU: %s\n", name);
}

/* A backend of `kind` with the given threshold and tpb (NULL = defaults); exits on failure. */
static inline sb_backend *backend(sb_backend_kind kind, uint64_t threshold, const unsigned *tpb) {
    sb_backend_config cfg;
    sb_backend_config_default(&cfg);
    cfg.kind = kind;
    cfg.gpu_threshold = threshold;
    if (tpb) memcpy(cfg.tpb, tpb, sizeof cfg.tpb);
    char err[256] = "";
    sb_backend *be = sb_backend_create(&cfg, err, sizeof err);
    if (!be || strcmp(be->ops->name, kind == SB_BACKEND_GPU ? "gpu" : "cpu") != 0) {
        fprintf(stderr, "FAIL: cannot create the %s backend: %s\n", kind == SB_BACKEND_GPU ? "gpu" : "cpu", err);
        exit(1);
    }
    return be;
}

/* n x cols random values; every 7th is x + p for some x < 2^32 - 1 (non-canonical, must act as x). */
static inline uint64_t *random_trace(size_t n, size_t cols) {
    uint64_t *t = malloc(n * cols * sizeof *t);
    if (!t) exit(1);
    for (size_t i = 0; i < n * cols; i++) t[i] = i % 7 == 3 ? rnd() % GL_EPSILON + GL_P : rnd() % GL_P;
    return t;
}

#endif
