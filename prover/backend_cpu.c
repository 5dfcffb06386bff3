/* The CPU backend: LDE and commit on the host, with OpenMP over cfg.threads threads. */
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "lde.h"
#include "ntt.h"
#include "rounds.h"

/* cfg.threads (0 = OpenMP default) applies to the parallel regions of one operation;
 * the caller's own setting is restored afterwards. */
static int threads_enter(const sb_backend *be) {
    int prev = omp_get_max_threads();
    if (be->cfg.threads) omp_set_num_threads((int)be->cfg.threads);
    return prev;
}
static void threads_leave(int prev) { omp_set_num_threads(prev); }

/* Leaves a one-line reason in be->last_error and returns -1. */
static int fail(sb_backend *be, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&be->lock);
    vsnprintf(be->last_error, sizeof be->last_error, fmt, ap);
    pthread_mutex_unlock(&be->lock);
    va_end(ap);
    return -1;
}

static int cpu_lde(sb_backend *be, const sb_op *op, const uint64_t *trace, size_t n, size_t cols,
                   unsigned blowup, sb_commitment *c) {
    (void)op;
    memset(c, 0, sizeof *c);
    if (log2_exact(n) < 0 || log2_exact(blowup) < 0 || cols == 0 || n > SIZE_MAX / blowup ||
        n * blowup > SIZE_MAX / sizeof(uint64_t) / cols)
        return fail(be, "cpu lde: bad shape %zu x %zu, blowup %u", n, cols, blowup);
    size_t lde_n = n * blowup;
    /* Whole cache lines per allocation: rows start where the hardware prefetcher expects. */
    size_t bytes = (lde_n * cols * sizeof(uint64_t) + 63) & ~(size_t)63;
    uint64_t *lde = aligned_alloc(64, bytes);
    if (!lde) return fail(be, "cpu lde: out of memory for %zu x %zu", lde_n, cols);
    int prev = threads_enter(be);
    int rc = lde_coset_row_major(trace, n, cols, blowup, lde);
    threads_leave(prev);
    if (rc != 0) {
        free(lde);
        return fail(be, "cpu lde: out of memory (twiddles) or log2(%zu) > 32", lde_n);
    }
    c->n = n;
    c->cols = cols;
    c->blowup = blowup;
    c->lde_n = lde_n;
    c->lde = lde;
    atomic_fetch_add(&be->cpu_ops, 1);
    return 0;
}

static int cpu_commit(sb_backend *be, const sb_op *op, sb_commitment *c) {
    (void)op;
    if (!c->lde) return fail(be, "cpu commit: the commitment has no LDE");
    merkle_free(&c->tree);
    int prev = threads_enter(be);
    int rc = merkle_build_lde(&c->tree, c->lde, c->lde_n, c->cols);
    threads_leave(prev);
    if (rc != 0) return fail(be, "cpu commit: out of memory for %zu leaves", c->lde_n);
    c->root = *merkle_root(&c->tree);
    atomic_fetch_add(&be->cpu_ops, 1);
    return 0;
}

static const uint64_t *cpu_lde_host(sb_backend *be, sb_commitment *c) {
    (void)be;
    return c->lde;
}

static int cpu_open_many(sb_backend *be, sb_commitment *c, const size_t *leaves, size_t n, uint64_t *rows,
                         sb_digest *paths) {
    if (!c->lde || !c->tree.nodes) return fail(be, "cpu open: the commitment is not committed");
    const unsigned bits = (unsigned)log2_exact(c->lde_n);
    for (size_t i = 0; i < n; i++) {
        if (leaves[i] >= c->lde_n) return fail(be, "cpu open: leaf %zu out of range (%zu leaves)", leaves[i], c->lde_n);
        memcpy(rows + i * c->cols, c->lde + bit_reverse_index(leaves[i], bits) * c->cols, c->cols * sizeof *rows);
        merkle_path(&c->tree, leaves[i], paths + i * bits);
    }
    return 0;
}

static void cpu_release(sb_backend *be, sb_commitment *c) {
    (void)be;
    free(c->lde);
    merkle_free(&c->tree);
    memset(c, 0, sizeof *c);
}

static void cpu_sync(sb_backend *be) { (void)be; /* every CPU operation is complete when it returns */ }

const sb_backend_ops sb_cpu_ops = {
    .name = "cpu",
    .lde = cpu_lde,
    .commit = cpu_commit,
    .lde_host = cpu_lde_host,
    .open_many = cpu_open_many,
    .release = cpu_release,
    .sync = cpu_sync,
    .destroy = NULL,
    .rounds = &sb_cpu_round_ops,
};

sb_backend *sb_cpu_backend_create(const sb_backend_config *cfg) {
    sb_backend *be = malloc(sizeof *be);
    if (!be) return NULL;
    sb_backend_init_common(be, &sb_cpu_ops, cfg);
    return be;
}
