/* The CPU backend: every matrix in host memory, LDE and commit with OpenMP over cfg.threads
 * threads; the Rounds 2-4 operations are cpu_rounds.c. */
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "air.h"
#include "backend.h"
#include "fri.h"
#include "lde.h"
#include "ntt.h"
#include "proof.h"
#include "rounds.h"

/* cfg.threads (0 = OpenMP default) applies to the parallel regions of one operation;
 * the caller's own setting is restored afterwards. */
static int threads_enter(const sb_backend *be) {
    int prev = omp_get_max_threads();
    if (be->cfg.threads) omp_set_num_threads((int)be->cfg.threads);
    return prev;
}
static void threads_leave(int prev) { omp_set_num_threads(prev); }

int sb_op_fail(sb_op *op, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(op->err, sizeof op->err, fmt, ap);
    va_end(ap);
    return -1;
}

/* The bytes of a host matrix's values: whole cache lines, so rows start where the hardware
 * prefetcher expects. */
static size_t host_bytes(size_t rows, size_t cols) { return (rows * cols * sizeof(uint64_t) + 63) & ~(size_t)63; }

int sb_matrix_host_alloc(sb_backend *be, sb_op *op, sb_matrix *m, size_t rows, size_t cols, unsigned blowup,
                         uint64_t offset) {
    memset(m, 0, sizeof *m);
    if (log2_exact(rows) < 0 || log2_exact(blowup) < 0 || blowup > rows || cols == 0 ||
        rows > SIZE_MAX / sizeof(uint64_t) / cols)
        return sb_op_fail(op, "bad matrix shape %zu x %zu, blowup %u", rows, cols, blowup);
    m->host = aligned_alloc(64, host_bytes(rows, cols));
    if (!m->host) return sb_op_fail(op, "out of memory for a %zu x %zu matrix", rows, cols);
    sb_backend_mem(be, SB_MEM_HOST, (int64_t)host_bytes(rows, cols));
    m->rows = rows;
    m->cols = cols;
    m->blowup = blowup;
    m->n = rows / blowup;
    m->offset = offset;
    return 0;
}

static int lde_into(sb_backend *be, sb_op *op, const uint64_t *values, size_t n, size_t cols, unsigned blowup,
                    sb_matrix *out) {
    if (log2_exact(n) < 0 || log2_exact(blowup) < 0 || cols == 0 || n > SIZE_MAX / blowup)
        return sb_op_fail(op, "cpu lde: bad shape %zu x %zu, blowup %u", n, cols, blowup);
    if (sb_matrix_host_alloc(be, op, out, n * blowup, cols, blowup, GL_GENERATOR) != 0) return -1;
    int prev = threads_enter(be);
    int rc = lde_coset_row_major(values, n, cols, blowup, out->host);
    threads_leave(prev);
    if (rc != 0) {
        be->ops->release(be, out);
        return sb_op_fail(op, "cpu lde: out of memory (twiddles) or log2(%zu) > 32", n * blowup);
    }
    atomic_fetch_add(&be->cpu_ops, 1);
    return 0;
}

static int cpu_lde(sb_backend *be, sb_op *op, const uint64_t *trace, size_t n, size_t cols, unsigned blowup,
                   sb_matrix *out) {
    memset(out, 0, sizeof *out);
    return lde_into(be, op, trace, n, cols, blowup, out);
}

static int cpu_lde_matrix(sb_backend *be, sb_op *op, sb_matrix *in, unsigned blowup, sb_matrix *out) {
    memset(out, 0, sizeof *out);
    if (in->blowup != 1 || in->offset != 1) return sb_op_fail(op, "cpu lde: the input is not values over H");
    const uint64_t *values = be->ops->to_host(be, op, in);
    return values ? lde_into(be, op, values, in->rows, in->cols, blowup, out) : -1;
}

/* ---- Round 1's traces: the AIR's own generators ---------------------------------------- */

/* Makes m the host matrix over H (blowup 1, offset 1) of rows x cols values, taking ownership of
 * values (malloc'ed by an AIR's generator; freed by release). */
static void adopt_host(sb_backend *be, sb_matrix *m, void *values, size_t rows, size_t cols) {
    memset(m, 0, sizeof *m);
    m->host = values;
    m->rows = rows, m->cols = cols, m->n = rows, m->blowup = 1, m->offset = 1;
    sb_backend_mem(be, SB_MEM_HOST, (int64_t)host_bytes(rows, cols));
}

static int cpu_main_trace(sb_backend *be, sb_op *op, const sb_air *air, const sb_public *pub, unsigned blowup,
                          sb_matrix *main) {
    (void)blowup;
    uint64_t *t[SB_MAX_TABLES] = {0};
    int prev = threads_enter(be);
    const int rc = air->gen_main(pub, t);
    threads_leave(prev);
    if (rc != 0) return sb_op_fail(op, "the machine could not generate its trace for 2^%u steps", pub->log_steps);
    for (size_t k = 0; k < air->n_tables; k++)
        adopt_host(be, &main[k], t[k], (size_t)1 << air->tables[k].log_rows(pub), air->tables[k].n_main);
    atomic_fetch_add(&be->cpu_ops, 1);
    return 0;
}

static int cpu_aux_trace(sb_backend *be, sb_op *op, const sb_air *air, const sb_public *pub, unsigned blowup,
                         sb_matrix *main, const fp3_t *challenges, sb_matrix *aux, fp3_t *claimed) {
    (void)blowup;
    uint64_t *m[SB_MAX_TABLES];
    fp3_t *a[SB_MAX_TABLES] = {0};
    for (size_t k = 0; k < air->n_tables; k++)
        if (!(m[k] = (uint64_t *)be->ops->to_host(be, op, &main[k]))) return -1;
    int prev = threads_enter(be);
    const int rc = air->gen_aux(pub, m, challenges, a, claimed);
    threads_leave(prev);
    if (rc != 0) return sb_op_fail(op, SB_AUX_TRACE_ZERO);
    for (size_t k = 0; k < air->n_tables; k++)
        adopt_host(be, &aux[k], a[k], (size_t)1 << air->tables[k].log_rows(pub), 3 * air->tables[k].n_aux);
    atomic_fetch_add(&be->cpu_ops, 1);
    return 0;
}

static int cpu_from_host(sb_backend *be, sb_op *op, const uint64_t *values, size_t rows, size_t cols,
                         unsigned blowup, uint64_t offset, sb_matrix *out) {
    if (sb_matrix_host_alloc(be, op, out, rows, cols, blowup, offset) != 0) return -1;
    memcpy(out->host, values, rows * cols * sizeof *values);
    return 0;
}

/* The FRI pair tree of a layer of 3 columns: leaf k = sb_fri_leaf(row k, row k + rows/2). */
static int pair_tree(sb_backend *be, merkle_tree *t, const uint64_t *values, size_t rows) {
    const fp3_t *v = (const fp3_t *)values;
    const size_t n_leaves = rows / 2;
    sb_digest *leaves = malloc(n_leaves * sizeof *leaves);
    if (!leaves) return -1;
    sb_backend_mem(be, SB_MEM_HOST, (int64_t)(n_leaves * sizeof *leaves));
#pragma omp parallel for schedule(static)
    for (size_t k = 0; k < n_leaves; k++) sb_fri_leaf(v[k], v[k + n_leaves], &leaves[k]);
    const int rc = merkle_build_leaves(t, leaves, n_leaves);
    free(leaves);
    sb_backend_mem(be, SB_MEM_HOST, -(int64_t)(n_leaves * sizeof *leaves));
    return rc;
}

int sb_matrix_host_tree(sb_backend *be, sb_op *op, sb_matrix *m, sb_leaf_layout layout) {
    if (layout == SB_LEAVES_PAIRS && (m->cols != 3 || m->rows < 2))
        return sb_op_fail(op, "cpu commit: a pair tree needs a FRI layer (3 columns, 2+ rows), not %zu x %zu",
                          m->rows, m->cols);
    const uint64_t *values = be->ops->to_host(be, op, m);
    if (!values) return -1;
    sb_backend_mem(be, SB_MEM_HOST, -(int64_t)merkle_tree_bytes(&m->tree));
    merkle_free(&m->tree);
    m->committed = 0;
    int prev = threads_enter(be);
    int rc = layout == SB_LEAVES_PAIRS ? pair_tree(be, &m->tree, values, m->rows)
                                       : merkle_build_lde(&m->tree, values, m->rows, m->cols);
    threads_leave(prev);
    if (rc != 0) return sb_op_fail(op, "cpu commit: out of memory for the tree of %zu rows", m->rows);
    sb_backend_mem(be, SB_MEM_HOST, (int64_t)merkle_tree_bytes(&m->tree));
    m->root = *merkle_root(&m->tree);
    m->leaves = layout;
    m->committed = 1;
    return 0;
}

static int cpu_commit(sb_backend *be, sb_op *op, sb_matrix *m) {
    if (sb_matrix_host_tree(be, op, m, SB_LEAVES_ROWS) != 0) return -1;
    atomic_fetch_add(&be->cpu_ops, 1);
    return 0;
}

static const uint64_t *cpu_to_host(sb_backend *be, sb_op *op, sb_matrix *m) {
    (void)be;
    if (!m->host) sb_op_fail(op, "the matrix holds no values");
    return m->host;
}

static int cpu_open_many(sb_backend *be, sb_op *op, sb_matrix *m, const size_t *leaves, size_t n, uint64_t *rows,
                         sb_digest *paths) {
    if (!m->host || !m->tree.nodes) return sb_op_fail(op, "cpu open: the matrix is not committed on the host");
    const size_t n_leaves = sb_matrix_leaves(m), width = sb_matrix_leaf_width(m), half = m->rows / 2;
    const unsigned bits = (unsigned)log2_exact(n_leaves);
    for (size_t i = 0; i < n; i++) {
        const size_t k = leaves[i];
        if (k >= n_leaves) return sb_op_fail(op, "cpu open: leaf %zu out of range (%zu leaves)", k, n_leaves);
        uint64_t *row = rows + i * width;
        if (m->leaves == SB_LEAVES_PAIRS) {
            memcpy(row, m->host + k * m->cols, m->cols * sizeof *row);
            memcpy(row + m->cols, m->host + (k + half) * m->cols, m->cols * sizeof *row);
        } else {
            memcpy(row, m->host + bit_reverse_index(k, bits) * m->cols, m->cols * sizeof *row);
        }
        merkle_path(&m->tree, k, paths + i * bits);
    }
    atomic_fetch_add(&be->cpu_ops, 1);
    return 0;
}

static void cpu_release(sb_backend *be, sb_matrix *m) {
    if (m->host) sb_backend_mem(be, SB_MEM_HOST, -(int64_t)host_bytes(m->rows, m->cols));
    sb_backend_mem(be, SB_MEM_HOST, -(int64_t)merkle_tree_bytes(&m->tree));
    free(m->host);
    merkle_free(&m->tree);
    memset(m, 0, sizeof *m);
}

static void cpu_sync(sb_backend *be, const char *table) {
    (void)be, (void)table; /* every CPU operation is complete when it returns */
}

const sb_backend_ops sb_cpu_ops = {
    .name = "cpu",
    .mem_spaces = 1u << SB_MEM_HOST,
    .main_trace = cpu_main_trace,
    .aux_trace = cpu_aux_trace,
    .lde = cpu_lde,
    .lde_matrix = cpu_lde_matrix,
    .from_host = cpu_from_host,
    .commit = cpu_commit,
    .to_host = cpu_to_host,
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
