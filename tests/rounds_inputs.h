/* What the Rounds 2-4 kernel tests share (test_rounds_dev.cu on the host, test_gpu_round_kernels.c
 * on a GPU): random field values and matrices, host LDEs as CPU backend matrices, a fib trace and
 * its tables' LDEs,
 * the composition cases checked against the CPU composition, the FRI fold cases. C and C++;
 * include after check.h (rnd, CHECK), backend.h and rounds.h. */
#ifndef SB_TEST_ROUNDS_INPUTS_H
#define SB_TEST_ROUNDS_INPUTS_H

#include <stdlib.h>
#include <string.h>

#include "air_fib.h"
#include "fri.h"
#include "ntt.h"
#include "rounds.h"

static inline uint64_t rand_base(void) { return rnd() % GL_P; }
static inline fp3_t rand_fp3(void) { return fp3_make(rand_base(), rand_base(), rand_base()); }
/* An Fp3 element outside the base field (c1 != 0), as an OOD point must be. */
static inline fp3_t rand_outside_fp(void) {
    fp3_t z = rand_fp3();
    z.c[1] |= 1;
    return z;
}

/* malloc that exits on failure (size 0 allowed). */
static inline void *xmalloc(size_t bytes) {
    void *p = malloc(bytes ? bytes : 8);
    if (!p) {
        fprintf(stderr, "FAIL: out of memory (%zu bytes)\n", bytes);
        exit(1);
    }
    return p;
}

/* rows x cols random canonical values. */
static inline uint64_t *random_matrix(size_t rows, size_t cols) {
    uint64_t *m = (uint64_t *)xmalloc(rows * cols * sizeof *m);
    for (size_t i = 0; i < rows * cols; i++) m[i] = rand_base();
    return m;
}

/* A call of range `range` outside the prover (the tests' own error buffer). */
static inline sb_op test_op(const char *range) {
    sb_op op;
    memset(&op, 0, sizeof op);
    op.table = "test", op.op = range;
    return op;
}

/* The CPU backend's matrix of the LDE values lde (rows = n * blowup, offset 7); frees lde. */
static inline sb_matrix host_lde(sb_backend *cpu, uint64_t *lde, size_t n, size_t cols, unsigned blowup) {
    sb_op op = test_op("R1 main LDE");
    sb_matrix m;
    memset(&m, 0, sizeof m);
    CHECK(cpu->ops->from_host(cpu, &op, lde, n * blowup, cols, blowup, GL_GENERATOR, &m) == 0, "host LDE: %s",
          op.err);
    free(lde);
    return m;
}

/* A fib_iterative trace: public values, every table's main and aux trace, the claimed sums. */
typedef struct fib_trace {
    sb_public pub;
    uint64_t *main[FIB_N_TABLES];
    fp3_t *aux[FIB_N_TABLES];
    fp3_t sums[FIB_N_TABLES];
} fib_trace;

/* The trace of 2^log_steps steps for the LogUp challenges ch; corrupt: the CPU table's pc at
 * row 5 off by one (a broken pc update) before the aux trace is built. Returns 0 or -1. */
static inline int fib_trace_make(fib_trace *tr, unsigned log_steps, int corrupt, const fp3_t *ch) {
    const sb_air *air = sb_air_fib();
    memset(tr, 0, sizeof *tr);
    if (air->public_values(log_steps, &tr->pub) != 0 || air->gen_main(&tr->pub, tr->main) != 0) return -1;
    if (corrupt) tr->main[FIB_TABLE_CPU][5 * FIB_CPU_COLS + FIB_CPU_PC] += 1;
    return air->gen_aux(&tr->pub, tr->main, ch, tr->aux, tr->sums);
}

static inline void fib_trace_free(fib_trace *tr) {
    for (int t = 0; t < FIB_N_TABLES; t++) free(tr->main[t]), free(tr->aux[t]);
}

/* Table t's main, aux and fixed (zeroed when it has none) LDEs at blowup, by the CPU backend.
 * Returns 0 or -1. */
static inline int fib_table_ldes(sb_backend *cpu, const fib_trace *tr, int t, unsigned blowup, sb_matrix *m,
                                 sb_matrix *a, sb_matrix *f) {
    sb_op op = test_op("R1 main LDE");
    const sb_table_air *ta = &sb_air_fib()->tables[t];
    const size_t n = (size_t)1 << ta->log_rows(&tr->pub);
    memset(f, 0, sizeof *f);
    if (cpu->ops->lde(cpu, &op, tr->main[t], n, ta->n_main, blowup, m) != 0 ||
        cpu->ops->lde(cpu, &op, tr->aux[t][0].c, n, 3 * ta->n_aux, blowup, a) != 0)
        return -1;
    if (!ta->n_fixed) return 0;
    uint64_t *fixed = (uint64_t *)xmalloc(n * ta->n_fixed * sizeof *fixed);
    ta->gen_fixed(&tr->pub, fixed);
    const int rc = cpu->ops->lde(cpu, &op, fixed, n, ta->n_fixed, blowup, f);
    free(fixed);
    return rc;
}

/* ---- composition ----------------------------------------------------------------------------- */

/* A device path's composition of fib table t: its parts (n x 3 SB_COMPOSITION_PARTS, the CPU's
 * layout) and degree flag for in; returns 0 when it ran (a failure to run is its own CHECK). */
typedef int (*composition_fn)(int t, const sb_composition_in *in, uint64_t *parts, uint32_t *bad, void *ctx);

/* The CPU composition and fn on the same LDEs with a random beta: equal parts, or (low_degree 0)
 * the same failure: the CPU's "not of low degree", the device's flag. */
static inline void composition_check(sb_backend *cpu, int t, const sb_public *pub, sb_matrix *m, sb_matrix *f,
                                     sb_matrix *a, const fp3_t *ch, fp3_t claimed, int low_degree,
                                     composition_fn fn, void *ctx, const char *what) {
    sb_op op = test_op("R2 evaluate");
    const size_t bytes = m->n * 3 * SB_COMPOSITION_PARTS * sizeof(uint64_t);
    uint64_t *got = (uint64_t *)xmalloc(bytes);
    memset(got, 0xff, bytes);
    const sb_composition_in in = {&sb_air_fib()->tables[t], pub, m, f, a, ch, claimed, rand_fp3()};
    sb_matrix want;
    const int rc = sb_cpu_round_ops.composition(cpu, &op, &in, &want);
    uint32_t bad = 2;
    if (fn(t, &in, got, &bad, ctx) == 0) {
        if (low_degree) {
            CHECK(rc == 0 && bad == 0, "%s: failed (cpu rc %d '%s', device degree flag %u)", what, rc, op.err, bad);
            CHECK(rc == 0 && memcmp(want.host, got, bytes) == 0, "%s: the parts differ from the CPU's", what);
        } else {
            CHECK(rc != 0 && strstr(op.err, "not of low degree"), "%s: the CPU accepted a broken trace (%s)", what,
                  op.err);
            CHECK(bad == 1, "%s: the device degree flag is %u, not 1", what, bad);
        }
    }
    cpu->ops->release(cpu, &want);
    free(got);
}

/* composition_check on every table of a 2^log_steps trace (fib_trace_make) at blowup. */
static inline void composition_traces(sb_backend *cpu, unsigned log_steps, int corrupt, unsigned blowup,
                                      composition_fn fn, void *ctx, const char *label) {
    const sb_air *air = sb_air_fib();
    const fp3_t ch[FIB_N_CHALLENGES] = {rand_fp3(), rand_fp3()};
    fib_trace tr;
    CHECK(fib_trace_make(&tr, log_steps, corrupt, ch) == 0, "fib trace of 2^%u steps", log_steps);
    for (int t = 0; t < FIB_N_TABLES; t++) {
        const sb_table_air *ta = &air->tables[t];
        sb_matrix m, a, f;
        CHECK(fib_table_ldes(cpu, &tr, t, blowup, &m, &a, &f) == 0, "LDEs of table %s", ta->name);
        char what[160];
        snprintf(what, sizeof what, "composition of table %s, 2^%u steps%s, blowup %u%s", ta->name, log_steps,
                 corrupt ? " (corrupt pc)" : "", blowup, label);
        /* The corrupt pc breaks the CPU table alone; the bus imbalance is not the composition's to see. */
        composition_check(cpu, t, &tr.pub, &m, ta->n_fixed ? &f : NULL, &a, ch, tr.sums[t],
                          !(corrupt && t == FIB_TABLE_CPU), fn, ctx, what);
        cpu->ops->release(cpu, &m), cpu->ops->release(cpu, &a), cpu->ops->release(cpu, &f);
    }
    fib_trace_free(&tr);
}

/* composition_check on random LDEs of 2^log_n x 2 rows, every table: at blowup 2 the composition
 * fills the domain and no degree check applies, so any values are a valid case. */
static inline void composition_random(sb_backend *cpu, unsigned log_n, composition_fn fn, void *ctx,
                                      const char *label) {
    const sb_air *air = sb_air_fib();
    sb_public pub;
    air->public_values(9, &pub);
    for (int t = 0; t < FIB_N_TABLES; t++) {
        const sb_table_air *ta = &air->tables[t];
        const size_t n = (size_t)1 << log_n, mm = 2 * n;
        sb_matrix m = host_lde(cpu, random_matrix(mm, ta->n_main), n, ta->n_main, 2);
        sb_matrix a = host_lde(cpu, random_matrix(mm, 3 * ta->n_aux), n, 3 * ta->n_aux, 2), f;
        memset(&f, 0, sizeof f);
        if (ta->n_fixed) f = host_lde(cpu, random_matrix(mm, ta->n_fixed), n, ta->n_fixed, 2);
        const fp3_t ch[FIB_N_CHALLENGES] = {rand_fp3(), rand_fp3()};
        char what[160];
        snprintf(what, sizeof what, "composition of table %s, random LDE of 2^%u x 2 rows%s", ta->name, log_n, label);
        composition_check(cpu, t, &pub, &m, ta->n_fixed ? &f : NULL, &a, ch, rand_fp3(), 1, fn, ctx, what);
        cpu->ops->release(cpu, &m), cpu->ops->release(cpu, &a), cpu->ops->release(cpu, &f);
    }
}

/* ---- FRI -------------------------------------------------------------------------------------------- */

/* A fold case: a random layer of m = 2^log_m values on layer `index`'s coset (a CPU backend matrix), a
 * random alpha, and the CPU's fold (want: m/2 values; next: the folded layer, with, when committed,
 * its tree of m/4 leaves). */
typedef struct fri_case {
    size_t m, half, leaves;
    uint64_t offset;
    fp3_t alpha, *layer, *want;
    sb_matrix layer_m, next;
} fri_case;

static inline void fri_case_make(fri_case *c, sb_backend *cpu, unsigned log_m, unsigned index, int committed) {
    sb_op op = test_op("R4 FRI");
    c->m = (size_t)1 << log_m, c->half = c->m / 2, c->leaves = c->half / 2;
    fp3_t *layer = (fp3_t *)xmalloc(c->m * sizeof(fp3_t));
    for (size_t i = 0; i < c->m; i++) layer[i] = rand_fp3();
    c->offset = sb_fri_offset(index), c->alpha = rand_fp3();
    memset(&c->layer_m, 0, sizeof c->layer_m), memset(&c->next, 0, sizeof c->next);
    CHECK(cpu->ops->from_host(cpu, &op, layer[0].c, c->m, 3, 1, c->offset, &c->layer_m) == 0, "layer of 2^%u: %s",
          log_m, op.err);
    free(layer);
    c->layer = (fp3_t *)c->layer_m.host;
    CHECK(sb_cpu_round_ops.fri_fold(cpu, &op, &c->layer_m, c->alpha, committed, &c->next) == 0,
          "cpu fri_fold of 2^%u values: %s", log_m, op.err);
    c->want = (fp3_t *)c->next.host;
}

static inline void fri_case_free(sb_backend *cpu, fri_case *c) {
    cpu->ops->release(cpu, &c->layer_m);
    cpu->ops->release(cpu, &c->next);
}

#endif
