/* Which path ran, and that no fallback is silent: counters for a forced CPU path (threshold
 * inf) and a forced GPU path (threshold 0) and at the threshold's edge; Keccak leaves at 1024
 * threads per block (~80 registers/thread cannot launch) give a recorded fallback and the CPU's
 * root; the injection switch STARKBENCH_INJECT_SILENT_FALLBACK gives the right root and NO
 * record, read at call time; shapes beyond the kernels' limits are rejected with a reason. */
#include "test_gpu_util.h"

#include "../kernels/gpu_backend.h"

static sb_op op = {.table = "cpu", .op = "R1 main commit"};

/* lde + commit on be; returns the root (exits the check on failure). */
static sb_digest lde_commit(sb_backend *be, const uint64_t *trace, size_t n, size_t cols, unsigned blowup) {
    sb_matrix c;
    memset(&c, 0, sizeof c);
    sb_digest root = {{0}};
    if (be->ops->lde(be, &op, trace, n, cols, blowup, &c) == 0 && be->ops->commit(be, &op, &c) == 0) root = c.root;
    else CHECK(0, "lde/commit failed: %s", op.err);
    be->ops->release(be, &c);
    return root;
}

static uint64_t ops(sb_backend *be, int gpu) { return atomic_load(gpu ? &be->gpu_ops : &be->cpu_ops); }

int main(void) {
    gpu_or_skip();
    const size_t n = 1 << 10, cols = 40;
    const unsigned blowup = 4;
    uint64_t *trace = random_trace(n, cols);
    sb_backend *cpu = backend(SB_BACKEND_CPU, 0, NULL);
    const sb_digest want = lde_commit(cpu, trace, n, cols, blowup);

    /* Forced CPU path: every op counted on the CPU, none on the GPU, same root. */
    sb_backend *be = backend(SB_BACKEND_GPU, SB_THRESHOLD_NEVER, NULL);
    sb_digest got = lde_commit(be, trace, n, cols, blowup);
    CHECK(ops(be, 0) == 2 && ops(be, 1) == 0, "threshold inf: cpu_ops %llu gpu_ops %llu, want 2 and 0",
          (unsigned long long)ops(be, 0), (unsigned long long)ops(be, 1));
    CHECK(memcmp(&got, &want, sizeof got) == 0, "threshold inf: wrong root");
    sb_backend_destroy(be);

    /* Forced GPU path, and the threshold's edge: an LDE of exactly `threshold` rows is not below it. */
    const uint64_t thresholds[3] = {0, n * blowup, n * blowup + 1};
    for (int t = 0; t < 3; t++) {
        be = backend(SB_BACKEND_GPU, thresholds[t], NULL);
        got = lde_commit(be, trace, n, cols, blowup);
        const int on_gpu = t < 2;
        CHECK(ops(be, 1) == (on_gpu ? 2u : 0u) && ops(be, 0) == (on_gpu ? 0u : 2u),
              "threshold %llu: cpu_ops %llu gpu_ops %llu", (unsigned long long)thresholds[t],
              (unsigned long long)ops(be, 0), (unsigned long long)ops(be, 1));
        CHECK(memcmp(&got, &want, sizeof got) == 0, "threshold %llu: wrong root", (unsigned long long)thresholds[t]);
        CHECK(be->n_fallbacks == 0, "threshold %llu: unexpected fallback", (unsigned long long)thresholds[t]);
        sb_backend_destroy(be);
    }

    /* Keccak leaves at 1024 threads per block. */
    unsigned tpb[SB_K_COUNT] = {0};
    tpb[SB_K_KECCAK] = 1024;
    be = backend(SB_BACKEND_GPU, 0, tpb);
    const char *kernel = NULL;
    int regs = 0, max_tpb = 0;
    char err[256];
    CHECK(sb_gpu_kernel_info(SB_K_KECCAK, &kernel, &regs, &max_tpb, err, sizeof err) == 0, "kernel info: %s", err);
    printf("keccak leaves: %d registers/thread, at most %d threads/block\n", regs, max_tpb);
    got = lde_commit(be, trace, n, cols, blowup);
    CHECK(memcmp(&got, &want, sizeof got) == 0, "keccak=1024: wrong root");
    if (max_tpb < 1024) {
        CHECK(be->n_fallbacks == 1, "keccak=1024: %zu fallback records, want 1", be->n_fallbacks);
        const sb_fallback *f = &be->fallbacks[0];
        printf("recorded: %s | %s | %s | %s | %s\n", f->table, f->op, f->kernel, f->launch, f->error);
        CHECK(strcmp(f->table, "cpu") == 0 && strcmp(f->op, "R1 main commit") == 0, "record names %s/%s", f->table, f->op);
        CHECK(strcmp(f->kernel, "keccak256_leaves_row_major") == 0, "record names kernel '%s'", f->kernel);
        CHECK(strstr(f->launch, "block=(1024,1,1)") != NULL, "record's launch '%s'", f->launch);
        CHECK(strstr(f->error, "cudaErrorLaunchOutOfResources") != NULL, "record's error '%s'", f->error);
        CHECK(ops(be, 1) == 1 && ops(be, 0) == 1, "keccak=1024: the LDE on the GPU, the commit on the CPU");
    } else {
        CHECK(be->n_fallbacks == 0 && ops(be, 1) == 2, "keccak=1024 launches here: no fallback expected");
    }
    /* The device is still usable after that failed launch. */
    const uint64_t gpu_before = ops(be, 1);
    tpb[SB_K_KECCAK] = 0;
    sb_backend_destroy(be);
    be = backend(SB_BACKEND_GPU, 0, tpb);
    got = lde_commit(be, trace, n, cols, blowup);
    CHECK(ops(be, 1) == 2 && be->n_fallbacks == 0 && memcmp(&got, &want, sizeof got) == 0,
          "after the failed launch (gpu_ops were %llu) the device is not usable", (unsigned long long)gpu_before);
    sb_backend_destroy(be);

    /* Silent injection: the right root, no record; read at every call. */
    const char *const inject[3] = {"lde", "commit", "all"};
    for (int i = 0; i < 3; i++) {
        be = backend(SB_BACKEND_GPU, 0, NULL);
        setenv("STARKBENCH_INJECT_SILENT_FALLBACK", inject[i], 1);
        got = lde_commit(be, trace, n, cols, blowup);
        CHECK(memcmp(&got, &want, sizeof got) == 0, "inject %s: wrong root", inject[i]);
        CHECK(be->n_fallbacks == 0, "inject %s: a record was written (the fallback must be silent)", inject[i]);
        CHECK(ops(be, 1) == (i == 0 ? 0u : i == 1 ? 1u : 0u), "inject %s: gpu_ops %llu", inject[i],
              (unsigned long long)ops(be, 1));
        unsetenv("STARKBENCH_INJECT_SILENT_FALLBACK");
        const uint64_t before = ops(be, 1);
        got = lde_commit(be, trace, n, cols, blowup);
        CHECK(ops(be, 1) == before + 2 && memcmp(&got, &want, sizeof got) == 0,
              "inject %s: the switch was not re-read at call time", inject[i]);
        sb_backend_destroy(be);
    }

    /* Size limits: rejected before any memory is touched (the trace pointer is too small on purpose). */
    be = backend(SB_BACKEND_GPU, 0, NULL);
    static const struct { size_t n, cols; unsigned blowup; const char *why; } bad[] = {
        {(size_t)1 << 31, 1, 4, "2^33"}, {(size_t)1 << 32, 1, 2, "2^33"}, {4, 0, 2, "columns"},
        {4, (size_t)1 << 30, 4, "columns"}, {12, 4, 2, "powers of two"}, {4, 4, 3, "powers of two"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sb_matrix c;
        memset(&c, 0, sizeof c);
        op.err[0] = 0;
        const int rc = be->ops->lde(be, &op, trace, bad[i].n, bad[i].cols, bad[i].blowup, &c);
        CHECK(rc == -1 && strstr(op.err, bad[i].why) != NULL, "shape %zu x %zu b %u: rc %d, '%s'", bad[i].n,
              bad[i].cols, bad[i].blowup, rc, op.err);
        printf("rejected: %s\n", op.err);
    }
    CHECK(ops(be, 0) == 0 && ops(be, 1) == 0 && be->n_fallbacks == 0, "a rejected shape ran or fell back");
    sb_backend_destroy(be);

    sb_backend_destroy(cpu);
    free(trace);
    return check_finish("test_gpu_fallback");
}
