/* The conformance cases of every round operation, run on one backend: each result byte-equal
 * to an independent straightforward reference written here (LDE through the plain NTT
 * module, Merkle trees hashed leaf by leaf with keccak256, the composition from the AIR's Fp3
 * constraints row by row with plain inversions, OOD by Horner on the coefficients, DEEP and the
 * FRI fold by their formulas, the proof of work by a scalar loop), on random inputs of
 * several sizes. test_round_conformance runs them on the CPU backend, test_gpu_rounds on the
 * GPU backend (skipped without a GPU). Include once, after check.h. */
#ifndef SB_TEST_ROUND_CASES_H
#define SB_TEST_ROUND_CASES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kernels/gpu_backend.h"
#include "air.h"
#include "air_fib.h"
#include "backend.h"
#include "fri.h"
#include "keccak.h"
#include "ntt.h"
#include "range_names.h"
#include "rounds.h"
#include "stark.h"
#include "toy_air.h"

/* ---- the references ---------------------------------------------------------------------- */

static uint64_t *alloc_u64(size_t n) {
    uint64_t *p = calloc(n ? n : 1, sizeof *p);
    if (!p) {
        fprintf(stderr, "FAIL: out of memory\n");
        exit(1);
    }
    return p;
}

/* n x cols values < p; with noncanonical, every 7th is x + p for a small x (must act as x). */
static uint64_t *random_values(size_t n, size_t cols, int noncanonical) {
    uint64_t *v = alloc_u64(n * cols);
    for (size_t i = 0; i < n * cols; i++)
        v[i] = noncanonical && i % 7 == 3 ? rnd() % GL_EPSILON + GL_P : rnd() % GL_P;
    return v;
}

static fp3_t random_fp3_outside_base(void) {
    fp3_t z;
    do z = fp3_make(rnd() % GL_P, rnd() % GL_P, rnd() % GL_P);
    while (fp3_is_base(z));
    return z;
}

/* Coefficients (natural order) of the cols columns of values over H = <w_n>. */
static uint64_t *ref_coefficients(const uint64_t *values, size_t n, size_t cols) {
    uint64_t *c = alloc_u64(n * cols);
    for (size_t i = 0; i < n * cols; i++) c[i] = gl_reduce(values[i]);
    ntt_inverse_rows(c, n, cols);
    return c;
}

/* The values at offset * w_m^i (i < m, natural order) of the polynomials with these n
 * coefficients per column (n <= m): scale coefficient k by offset^k, zero-pad, forward NTT. */
static uint64_t *ref_coset_values(const uint64_t *coeffs, size_t n, size_t cols, size_t m, uint64_t offset) {
    uint64_t *v = alloc_u64(m * cols), f = 1;
    for (size_t k = 0; k < n; k++, f = gl_mul(f, offset))
        for (size_t c = 0; c < cols; c++) v[k * cols + c] = gl_mul(coeffs[k * cols + c], f);
    ntt_forward_rows(v, m, cols);
    return v;
}

/* The coset LDE of a trace: its coefficients evaluated at 7 w_bn^i. */
static uint64_t *ref_lde(const uint64_t *trace, size_t n, size_t cols, unsigned blowup) {
    uint64_t *c = ref_coefficients(trace, n, cols), *v = ref_coset_values(c, n, cols, n * blowup, GL_GENERATOR);
    free(c);
    return v;
}

/* A leaf: Keccak-256 of the elements, canonical, u64 big-endian. */
static sb_digest ref_leaf(const uint64_t *elems, size_t n) {
    uint8_t *bytes = malloc(8 * n + 1);
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 8; k++) bytes[8 * i + k] = (uint8_t)(gl_reduce(elems[i]) >> (56 - 8 * k));
    sb_digest d;
    keccak256(bytes, 8 * n, d.b);
    free(bytes);
    return d;
}

/* The heap of a Merkle tree over L leaves: node i's children at 2i+1, 2i+2, leaf j at L-1+j. */
static sb_digest *ref_tree(const sb_digest *leaves, size_t L) {
    sb_digest *t = malloc((2 * L - 1) * sizeof *t);
    memcpy(t + L - 1, leaves, L * sizeof *t);
    for (size_t i = L - 1; i-- > 0;) {
        uint8_t pair[64];
        memcpy(pair, t[2 * i + 1].b, 32);
        memcpy(pair + 32, t[2 * i + 2].b, 32);
        keccak256(pair, 64, t[i].b);
    }
    return t;
}

/* The tree of an LDE commitment: leaf k = row bitrev(k). */
static sb_digest *ref_lde_tree(const uint64_t *rows, size_t m, size_t cols) {
    sb_digest *leaves = malloc(m * sizeof *leaves);
    const unsigned bits = (unsigned)log2_exact(m);
    for (size_t k = 0; k < m; k++) leaves[k] = ref_leaf(rows + bit_reverse_index(k, bits) * cols, cols);
    sb_digest *t = ref_tree(leaves, m);
    free(leaves);
    return t;
}

/* Checks path (log2 L digests, leaf level first) of leaf j against the tree: every sibling. */
static int ref_path_ok(const sb_digest *tree, size_t L, size_t j, const sb_digest *path) {
    size_t node = L - 1 + j;
    for (unsigned l = 0; node > 0; l++, node = (node - 1) / 2)
        if (memcmp(path[l].b, tree[node & 1 ? node + 1 : node - 1].b, 32) != 0) return 0;
    return 1;
}

/* ---- helpers over the backend ------------------------------------------------------------ */

static sb_op round_op(sb_range_id range) {
    sb_op op = {.table = "conformance", .op = SB_RANGE_NAME(range)};
    return op;
}

static int is_gpu(const sb_backend *be) { return strcmp(be->ops->name, "gpu") == 0; }

/* Checks that the operations since (cpu0, gpu0) ran on the side this backend runs an operation
 * of kind `kind` of op's round on: the GPU where the GPU backend places that kind in that round
 * (sb_gpu_placed_ops of its cpu_rounds) and, with on_device, its input lives there (the data's
 * placement; the composition: a fib table), else the CPU. */
static void check_side(const sb_backend *be, const sb_op *op, unsigned kind, int on_device, uint64_t cpu0,
                       uint64_t gpu0, const char *what) {
    const sb_range_def *d = sb_range_find(op->op);
    const int gpu = is_gpu(be) && d && (sb_range_kinds_in(d, sb_gpu_placed_ops(be->cfg.cpu_rounds)) & kind) &&
                    on_device;
    const uint64_t c = atomic_load(&be->cpu_ops) - cpu0, g = atomic_load(&be->gpu_ops) - gpu0;
    CHECK(gpu ? g > 0 && c == 0 : c > 0 && g == 0, "%s: %llu cpu and %llu gpu ops, want the %s", what,
          (unsigned long long)c, (unsigned long long)g, gpu ? "GPU" : "CPU");
}
#define OPS_BEFORE(be) const uint64_t cpu0_ = atomic_load(&(be)->cpu_ops), gpu0_ = atomic_load(&(be)->gpu_ops)
#define CHECK_SIDE(be, op, kind, on_device, what) check_side(be, op, kind, on_device, cpu0_, gpu0_, what)

static const uint64_t *host_of(sb_backend *be, sb_op *op, sb_matrix *m) {
    const uint64_t *v = be->ops->to_host(be, op, m);
    CHECK(v != NULL, "to_host: %s", op->err);
    return v;
}

/* Compares an opening of leaves of m (committed) with the reference tree and leaf values. */
static void check_openings(sb_backend *be, sb_matrix *m, const sb_digest *tree, const uint64_t *leaf_values,
                           const char *what) {
    sb_op op = round_op(SB_R4_QUERIES);
    const size_t L = sb_matrix_leaves(m), w = sb_matrix_leaf_width(m);
    const unsigned bits = (unsigned)log2_exact(L);
    size_t leaves[6] = {0, L - 1, L / 2, (L / 2 + 1) % L, rnd() % L, rnd() % L};
    uint64_t *rows = alloc_u64(6 * w);
    sb_digest *paths = malloc((6 * bits + 1) * sizeof *paths);
    OPS_BEFORE(be);
    CHECK(be->ops->open_many(be, &op, m, leaves, 6, rows, paths) == 0, "%s: open_many: %s", what, op.err);
    CHECK_SIDE(be, &op, SB_OPK_OPEN, m->device != NULL, what);
    for (int i = 0; i < 6; i++) {
        CHECK(memcmp(rows + i * w, leaf_values + leaves[i] * w, w * 8) == 0, "%s: opened values of leaf %zu", what,
              leaves[i]);
        CHECK(ref_path_ok(tree, L, leaves[i], paths + i * bits), "%s: path of leaf %zu", what, leaves[i]);
    }
    size_t bad = L;
    CHECK(be->ops->open_many(be, &op, m, &bad, 1, rows, paths) == -1 && strstr(op.err, "out of range"),
          "%s: leaf %zu of %zu accepted (%s)", what, bad, L, op.err);
    free(rows);
    free(paths);
}

/* ---- the cases ----------------------------------------------------------------------------- */

/* lde (host trace) and lde_matrix (values over H held by the backend) against the NTT module,
 * up to 2^18 LDE rows (the GPU's three-pass NTT plan) with few columns; non-canonical inputs. */
static void case_lde(sb_backend *be) {
    static const struct { unsigned log_n, cols, blowup; } shapes[] = {
        {0, 1, 2}, {1, 3, 2}, {3, 2, 4}, {4, 17, 8}, {6, 5, 2}, {8, 7, 4}, {9, 33, 2}, {10, 12, 8},
        {12, 4, 2}, {17, 1, 2}, {17, 2, 2}, {18, 1, 2}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const size_t n = (size_t)1 << shapes[s].log_n, cols = shapes[s].cols, m = n * shapes[s].blowup;
        char what[96];
        snprintf(what, sizeof what, "lde 2^%u x %zu b%u", shapes[s].log_n, cols, shapes[s].blowup);
        uint64_t *trace = random_values(n, cols, 1), *want = ref_lde(trace, n, cols, shapes[s].blowup);
        sb_op op = round_op(SB_R1_MAIN_LDE);
        sb_matrix a = {0}, h = {0}, b = {0};
        OPS_BEFORE(be);
        CHECK(be->ops->lde(be, &op, trace, n, cols, shapes[s].blowup, &a) == 0, "%s: %s", what, op.err);
        CHECK_SIDE(be, &op, SB_OPK_LDE, 1, what);
        CHECK(a.rows == m && a.cols == cols && a.n == n && a.blowup == shapes[s].blowup && a.offset == GL_GENERATOR,
              "%s: shape", what);
        const uint64_t *got = host_of(be, &op, &a);
        CHECK(got && memcmp(got, want, m * cols * 8) == 0, "%s: values differ from the reference", what);
        /* The same values held by the backend as a matrix over H (canonical: from_host's contract). */
        for (size_t i = 0; i < n * cols; i++) trace[i] = gl_reduce(trace[i]);
        CHECK(be->ops->from_host(be, &op, trace, n, cols, 1, 1, &h) == 0, "%s: from_host: %s", what, op.err);
        CHECK(be->ops->lde_matrix(be, &op, &h, shapes[s].blowup, &b) == 0, "%s: lde_matrix: %s", what, op.err);
        got = host_of(be, &op, &b);
        CHECK(got && memcmp(got, want, m * cols * 8) == 0, "%s: lde_matrix values differ from the reference", what);
        be->ops->release(be, &a);
        be->ops->release(be, &h);
        be->ops->release(be, &b);
        free(trace);
        free(want);
    }
}

/* lde-commit's deterministic matrix (docs/ARCHITECTURE.md "lde-commit"): T[r][c] = ((r+1) A + c B) mod p. */
static uint64_t *design_matrix(size_t n, size_t cols) {
    uint64_t *t = alloc_u64(n * cols);
    for (size_t r = 0; r < n; r++)
        for (size_t c = 0; c < cols; c++) {
            unsigned __int128 v =
                (unsigned __int128)(r + 1) * 0x9E3779B97F4A7C15ULL + (unsigned __int128)c * 0xD1B54A32D192ED03ULL;
            t[r * cols + c] = gl_reduce128((uint64_t)v, (uint64_t)(v >> 64));
        }
    return t;
}

/* commit of every width remainder mod 17 (cols 1..17, then 18, 33..35, 64) on random values,
 * the root against the plain tree and the openings against the reference; then the known
 * roots of tests/vectors/commit-widths.txt (the deterministic matrix, 2^5 x cols 1..17). */
static void commit_one(sb_backend *be, const uint64_t *values, size_t rows, size_t cols, const char *known_hex) {
    char what[64];
    snprintf(what, sizeof what, "commit %zu x %zu", rows, cols);
    sb_op op = round_op(SB_R1_MAIN_COMMIT);
    sb_matrix m = {0};
    CHECK(be->ops->from_host(be, &op, values, rows, cols, 2, GL_GENERATOR, &m) == 0, "%s: %s", what, op.err);
    OPS_BEFORE(be);
    CHECK(be->ops->commit(be, &op, &m) == 0, "%s: %s", what, op.err);
    CHECK_SIDE(be, &op, SB_OPK_COMMIT, 1, what);
    sb_digest *tree = ref_lde_tree(values, rows, cols);
    CHECK(m.committed && m.leaves == SB_LEAVES_ROWS && memcmp(m.root.b, tree[0].b, 32) == 0,
          "%s: root differs from the plain tree", what);
    if (known_hex) {
        char got[65];
        for (int i = 0; i < 32; i++) snprintf(got + 2 * i, 3, "%02x", m.root.b[i]);
        CHECK(strcmp(got, known_hex) == 0, "%s: root %s, known %s", what, got, known_hex);
    }
    uint64_t *by_leaf = alloc_u64(rows * cols); /* leaf k holds row bitrev(k) */
    for (size_t k = 0; k < rows; k++)
        memcpy(by_leaf + k * cols, values + bit_reverse_index(k, (unsigned)log2_exact(rows)) * cols, cols * 8);
    check_openings(be, &m, tree, by_leaf, what);
    free(by_leaf);
    free(tree);
    be->ops->release(be, &m);
}

static void case_commit(sb_backend *be) {
    static const unsigned widths[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 33, 34, 35, 64};
    for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++)
        for (unsigned log_rows = 1; log_rows <= 11; log_rows += 5) {
            uint64_t *values = random_values((size_t)1 << log_rows, widths[w], 0);
            commit_one(be, values, (size_t)1 << log_rows, widths[w], NULL);
            free(values);
        }
    FILE *f = fopen(SB_SOURCE_DIR "/tests/vectors/commit-widths.txt", "r");
    CHECK(f != NULL, "tests/vectors/commit-widths.txt is missing: the known roots cannot be checked");
    char line[256];
    int known = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned log_rows, cols;
        char hex[65];
        if (line[0] == '#' || sscanf(line, "%u %u %64s", &log_rows, &cols, hex) != 3) continue;
        uint64_t *values = design_matrix((size_t)1 << log_rows, cols);
        commit_one(be, values, (size_t)1 << log_rows, cols, hex);
        free(values);
        known++;
    }
    if (f) fclose(f);
    CHECK(known >= 17, "only %d known roots read (widths 1..17 expected)", known);
}

/* The composition's parts over H by the reference: every constraint of the AIR table in its Fp3
 * form (eval_main_ext, eval_aux) at every LDE row of the reference LDEs, weighted by beta^k
 * and divided by its domain's vanishing polynomial (plain inversions), interpolated by the NTT
 * module; returns 0 and the n x 6 parts, or -1 when C has degree >= 2n. */
static int ref_composition(const sb_composition_in *in, const uint64_t *main, const uint64_t *fixed,
                           const uint64_t *aux, size_t n, unsigned blowup, uint64_t *parts) {
    const sb_table_air *air = in->air;
    const size_t m = n * blowup, nmc = air->n_main_constraints, nc = nmc + air->n_aux_constraints;
    const uint64_t w = gl_root_of_unity((unsigned)log2_exact(m));
    const uint64_t g = gl_pow(gl_root_of_unity((unsigned)log2_exact(n)), n - 1);
    fp3_t *c = calloc(m, sizeof *c), *vals = calloc(nc + 1, sizeof *vals), *beta_k = calloc(nc + 1, sizeof *beta_k);
    fp3_t *cur = calloc(air->n_main + air->n_fixed + 1, sizeof *cur), *nxt = calloc(air->n_main + air->n_fixed + 1,
                                                                                     sizeof *nxt);
    fp3_t challenge_pows[SB_AIR_CHALLENGE_POWERS];
    sb_challenge_powers(in->challenges[0], challenge_pows); /* the frame's contract (air.h) */
    beta_k[0] = fp3_one();
    for (size_t k = 1; k < nc; k++) beta_k[k] = fp3_mul(beta_k[k - 1], in->beta);
    uint64_t x = GL_GENERATOR;
    for (size_t i = 0; i < m; i++, x = gl_mul(x, w)) {
        const size_t j = (i + blowup) % m;
        for (size_t k = 0; k < air->n_main; k++)
            cur[k] = fp3_from_base(main[i * air->n_main + k]), nxt[k] = fp3_from_base(main[j * air->n_main + k]);
        for (size_t k = 0; k < air->n_fixed; k++)
            cur[air->n_main + k] = fp3_from_base(fixed[i * air->n_fixed + k]),
                          nxt[air->n_main + k] = fp3_from_base(fixed[j * air->n_fixed + k]);
        const sb_frame_ext fe = {cur, nxt, cur + air->n_main, nxt + air->n_main,
                                 (const fp3_t *)(aux + i * 3 * air->n_aux), (const fp3_t *)(aux + j * 3 * air->n_aux),
                                 in->challenges, in->claimed_sum, in->pub, challenge_pows};
        air->eval_main_ext(&fe, vals);
        air->eval_aux(&fe, vals + nmc);
        const uint64_t vanish = gl_sub(gl_pow(x, n), 1);
        const uint64_t z[4] = {[SB_DOM_TRANSITION] = gl_mul(vanish, gl_inv(gl_sub(x, g))),
                               [SB_DOM_FIRST] = gl_sub(x, 1), [SB_DOM_LAST] = gl_sub(x, g), [SB_DOM_ALL] = vanish};
        fp3_t sum = fp3_zero();
        for (size_t k = 0; k < nc; k++) {
            const uint8_t d = k < nmc ? air->main_domains[k] : air->aux_domains[k - nmc];
            sum = fp3_add(sum, fp3_mul_base(fp3_mul(beta_k[k], vals[k]), gl_inv(z[d])));
        }
        c[i] = sum;
    }
    /* Coefficients: the inverse NTT gives those of C(7 x); coefficient k of C is that / 7^k. */
    ntt_inverse_rows(c[0].c, m, 3);
    const uint64_t inv7 = gl_inv(GL_GENERATOR);
    uint64_t s = 1;
    for (size_t k = 0; k < m; k++, s = gl_mul(s, inv7)) c[k] = fp3_mul_base(c[k], s);
    int low = 1;
    for (size_t k = SB_COMPOSITION_PARTS * n; k < m; k++) low &= fp3_is_zero(c[k]);
    for (size_t part = 0; low && part < SB_COMPOSITION_PARTS; part++) {
        uint64_t *v = alloc_u64(n * 3);
        memcpy(v, c[part * n].c, n * sizeof(fp3_t));
        ntt_forward_rows(v, n, 3);
        for (size_t k = 0; k < n; k++) memcpy(parts + k * 3 * SB_COMPOSITION_PARTS + 3 * part, v + 3 * k, 24);
        free(v);
    }
    free(c);
    free(vals);
    free(beta_k);
    free(cur);
    free(nxt);
    return low ? 0 : -1;
}

/* composition of every table of an AIR (real traces: the toy AIR, fib_iterative) with random
 * beta and LogUp challenges; table `broken` (-1: none) breaks a constraint (the toy AIR:
 * toy_corrupt; fib_iterative: the CPU table's pc at row 5 off by one before the aux trace is
 * built) and must fail as the reference says it must. */
static void composition_air(sb_backend *be, const sb_air *air, unsigned log_steps, unsigned blowup, int broken_table) {
    sb_public pub;
    uint64_t *main[SB_MAX_TABLES] = {0};
    fp3_t *aux[SB_MAX_TABLES] = {0}, ch[SB_AIR_MAX_CHALLENGES], sums[SB_MAX_TABLES];
    for (size_t k = 0; k < air->n_challenges; k++) ch[k] = random_fp3_outside_base();
    int traces = air->public_values(log_steps, &pub) == 0 && air->gen_main(&pub, main) == 0;
    if (traces && air == sb_air_fib() && broken_table == FIB_TABLE_CPU) main[FIB_TABLE_CPU][5 * FIB_CPU_COLS + FIB_CPU_PC]++;
    CHECK(traces && air->gen_aux(&pub, main, ch, aux, sums) == 0, "composition 2^%u: the AIR's traces", log_steps);
    for (size_t t = 0; t < air->n_tables; t++) {
        const sb_table_air *ta = &air->tables[t];
        const size_t n = (size_t)1 << ta->log_rows(&pub);
        const int broken = (int)t == broken_table;
        char what[96];
        snprintf(what, sizeof what, "composition %s 2^%zu b%u%s", ta->name, (size_t)log2_exact(n), blowup,
                 broken ? " (broken trace)" : "");
        uint64_t *fixed = alloc_u64(n * (ta->n_fixed + 1));
        if (ta->n_fixed) ta->gen_fixed(&pub, fixed);
        uint64_t *ref_main = ref_lde(main[t], n, ta->n_main, blowup), *ref_aux = ref_lde(aux[t][0].c, n, 3 * ta->n_aux,
                                                                                         blowup);
        uint64_t *ref_fixed = ta->n_fixed ? ref_lde(fixed, n, ta->n_fixed, blowup) : NULL;
        sb_op op = round_op(SB_R2_EVALUATE);
        sb_matrix lm = {0}, la = {0}, lf = {0}, parts = {0};
        CHECK(be->ops->lde(be, &op, main[t], n, ta->n_main, blowup, &lm) == 0 &&
                  be->ops->lde(be, &op, aux[t][0].c, n, 3 * ta->n_aux, blowup, &la) == 0 &&
                  (!ta->n_fixed || be->ops->lde(be, &op, fixed, n, ta->n_fixed, blowup, &lf) == 0),
              "%s: the LDEs: %s", what, op.err);
        sb_composition_in in = {ta, &pub, &lm, ta->n_fixed ? &lf : NULL, &la, ch, sums[t], random_fp3_outside_base()};
        uint64_t *want = alloc_u64(n * 3 * SB_COMPOSITION_PARTS);
        const int ref_rc = ref_composition(&in, ref_main, ref_fixed, ref_aux, n, blowup, want);
        OPS_BEFORE(be);
        const int rc = be->ops->rounds->composition(be, &op, &in, &parts);
        if (broken) {
            CHECK(ref_rc == -1 && rc == -1 && strstr(op.err, "not of low degree"), "%s: rc %d (reference %d): %s",
                  what, rc, ref_rc, op.err);
        } else {
            CHECK(ref_rc == 0 && rc == 0, "%s: rc %d (reference %d): %s", what, rc, ref_rc, op.err);
            CHECK_SIDE(be, &op, SB_OPK_COMPOSITION, air == sb_air_fib() && lm.device != NULL, what);
            CHECK(parts.rows == n && parts.cols == 3 * SB_COMPOSITION_PARTS && parts.blowup == 1 && parts.offset == 1,
                  "%s: the parts' shape", what);
            const uint64_t *got = rc == 0 ? host_of(be, &op, &parts) : NULL;
            CHECK(got && memcmp(got, want, n * 3 * SB_COMPOSITION_PARTS * 8) == 0, "%s: parts differ", what);
        }
        be->ops->release(be, &lm);
        be->ops->release(be, &la);
        be->ops->release(be, &lf);
        be->ops->release(be, &parts);
        free(want);
        free(ref_main);
        free(ref_aux);
        free(ref_fixed);
        free(fixed);
    }
    for (size_t t = 0; t < air->n_tables; t++) {
        free(main[t]);
        free(aux[t]);
    }
}

static void case_composition(sb_backend *be) {
    static const unsigned toy[][2] = {{3, 2}, {5, 4}, {7, 8}, {9, 2}};
    for (size_t k = 0; k < sizeof toy / sizeof toy[0]; k++) composition_air(be, &toy_air, toy[k][0], toy[k][1], -1);
    composition_air(be, sb_air_fib(), 6, 2, -1);
    composition_air(be, sb_air_fib(), 7, 8, -1);
    toy_corrupt = 5; /* a broken transition of table fib: C is not of low degree at blowup >= 4 */
    composition_air(be, &toy_air, 6, 4, 0);
    toy_corrupt = 0;
    composition_air(be, sb_air_fib(), 6, 4, FIB_TABLE_CPU); /* the GPU's degree flag, where it runs */
}

/* ood: random traces of several widths, their LDEs by the backend, evaluated at z and z w_n
 * against Horner on the trace's coefficients. */
static void case_ood(sb_backend *be) {
    static const unsigned shapes[][2] = {{0, 2}, {3, 2}, {6, 4}, {10, 8}, {12, 2}};
    static const size_t widths[3] = {1, 6, 13};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const size_t n = (size_t)1 << shapes[s][0];
        const unsigned blowup = shapes[s][1];
        char what[64];
        snprintf(what, sizeof what, "ood 2^%u b%u", shapes[s][0], blowup);
        sb_op op = round_op(SB_R3_OOD);
        sb_matrix mats[3] = {{0}};
        sb_matrix *ptrs[3];
        uint64_t *coeffs[3];
        fp3_t *outs[3], pts[2];
        pts[0] = random_fp3_outside_base();
        pts[1] = fp3_mul_base(pts[0], gl_root_of_unity((unsigned)shapes[s][0]));
        for (int k = 0; k < 3; k++) {
            uint64_t *trace = random_values(n, widths[k], 1);
            coeffs[k] = ref_coefficients(trace, n, widths[k]);
            CHECK(be->ops->lde(be, &op, trace, n, widths[k], blowup, &mats[k]) == 0, "%s: lde: %s", what, op.err);
            ptrs[k] = &mats[k];
            outs[k] = calloc(2 * widths[k], sizeof(fp3_t));
            free(trace);
        }
        OPS_BEFORE(be);
        CHECK(be->ops->rounds->ood(be, &op, ptrs, 3, pts, 2, outs) == 0, "%s: %s", what, op.err);
        CHECK_SIDE(be, &op, SB_OPK_OOD, mats[0].device != NULL, what);
        for (int k = 0; k < 3; k++) {
            for (int p = 0; p < 2; p++)
                for (size_t c = 0; c < widths[k]; c++) {
                    fp3_t want = fp3_zero();
                    for (size_t j = n; j-- > 0;)
                        want = fp3_add(fp3_mul(want, pts[p]), fp3_from_base(coeffs[k][j * widths[k] + c]));
                    CHECK(fp3_eq(outs[k][p * widths[k] + c], want), "%s: matrix %d point %d column %zu", what, k, p,
                          c);
                }
            be->ops->release(be, &mats[k]);
            free(coeffs[k]);
            free(outs[k]);
        }
    }
}

/* deep: three matrices (two also opened at z w) of random values held by the backend, random
 * coefficients, points and claimed sums, against the formula with plain Fp3 inversions. */
static void case_deep(sb_backend *be) {
    static const unsigned shapes[][2] = {{0, 2}, {4, 4}, {8, 8}, {11, 2}};
    static const size_t widths[3] = {7, 6, 6};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const size_t n = (size_t)1 << shapes[s][0];
        const unsigned blowup = shapes[s][1];
        const size_t m = n * blowup;
        char what[64];
        snprintf(what, sizeof what, "deep 2^%u b%u", shapes[s][0], blowup);
        sb_op op = round_op(SB_R4_DEEP);
        sb_matrix mats[3] = {{0}}, layer0 = {0};
        uint64_t *vals[3];
        fp3_t *coeffs[3];
        sb_deep_in in = {.n_mats = 3, .n_shifted = 2};
        for (int k = 0; k < 3; k++) {
            vals[k] = random_values(m, widths[k], 0);
            coeffs[k] = calloc(widths[k], sizeof(fp3_t));
            for (size_t c = 0; c < widths[k]; c++) coeffs[k][c] = fp3_make(rnd() % GL_P, rnd() % GL_P, rnd() % GL_P);
            CHECK(be->ops->from_host(be, &op, vals[k], m, widths[k], blowup, GL_GENERATOR, &mats[k]) == 0,
                  "%s: from_host: %s", what, op.err);
            in.mats[k] = &mats[k];
            in.coeffs[k] = coeffs[k];
        }
        in.z = random_fp3_outside_base();
        in.zw = fp3_mul_base(in.z, gl_root_of_unity((unsigned)shapes[s][0]));
        in.sum_z = fp3_make(rnd() % GL_P, rnd() % GL_P, rnd() % GL_P);
        in.sum_zw = fp3_make(rnd() % GL_P, rnd() % GL_P, rnd() % GL_P);
        OPS_BEFORE(be);
        CHECK(be->ops->rounds->deep(be, &op, &in, &layer0) == 0, "%s: %s", what, op.err);
        CHECK_SIDE(be, &op, SB_OPK_DEEP, mats[0].device != NULL, what);
        CHECK(layer0.rows == m && layer0.cols == 3 && layer0.blowup == blowup && layer0.offset == GL_GENERATOR,
              "%s: layer 0's shape", what);
        const fp3_t *got = (const fp3_t *)host_of(be, &op, &layer0);
        const uint64_t w = gl_root_of_unity((unsigned)log2_exact(m));
        uint64_t x = GL_GENERATOR;
        size_t wrong = 0;
        for (size_t i = 0; got && i < m; i++, x = gl_mul(x, w)) {
            fp3_t sum[2] = {fp3_zero(), fp3_zero()}; /* over the shifted matrices, over all */
            for (int k = 0; k < 3; k++)
                for (size_t c = 0; c < widths[k]; c++) {
                    fp3_t t = fp3_mul_base(coeffs[k][c], vals[k][i * widths[k] + c]);
                    sum[1] = fp3_add(sum[1], t);
                    if (k < 2) sum[0] = fp3_add(sum[0], t);
                }
            const fp3_t xe = fp3_from_base(x);
            fp3_t want = fp3_add(fp3_mul(fp3_sub(sum[1], in.sum_z), fp3_inv(fp3_sub(xe, in.z))),
                                 fp3_mul(fp3_sub(sum[0], in.sum_zw), fp3_inv(fp3_sub(xe, in.zw))));
            wrong += !fp3_eq(got[i], want);
        }
        CHECK(got && wrong == 0, "%s: %zu of %zu values differ", what, wrong, m);
        for (int k = 0; k < 3; k++) {
            be->ops->release(be, &mats[k]);
            free(vals[k]);
            free(coeffs[k]);
        }
        be->ops->release(be, &layer0);
    }
}

/* fri_fold: random layers on random FRI cosets, folded with and without the commit, against
 * the fold formula (plain inversion of each x) and the pair tree; the pairs' openings. */
static void case_fri(sb_backend *be) {
    static const unsigned shapes[][3] = {{1, 2, 0}, {2, 2, 1}, {3, 4, 0}, {6, 8, 2}, {10, 2, 3}, {13, 4, 1}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const size_t m = (size_t)1 << shapes[s][0], half = m / 2;
        const unsigned blowup = shapes[s][1] <= half ? shapes[s][1] : 1;
        const uint64_t offset = sb_fri_offset(shapes[s][2]);
        for (int commit = 0; commit < 2; commit++) {
            if (commit && m < 4) continue;
            char what[64];
            snprintf(what, sizeof what, "fri 2^%u (layer %u)%s", shapes[s][0], shapes[s][2], commit ? " + commit" : "");
            sb_op op = round_op(SB_R4_FRI);
            uint64_t *vals = random_values(m, 3, 0);
            sb_matrix layer = {0}, next = {0};
            CHECK(be->ops->from_host(be, &op, vals, m, 3, blowup, offset, &layer) == 0, "%s: from_host: %s", what,
                  op.err);
            const fp3_t alpha = fp3_make(rnd() % GL_P, rnd() % GL_P, rnd() % GL_P), *a = (const fp3_t *)vals;
            OPS_BEFORE(be);
            CHECK(be->ops->rounds->fri_fold(be, &op, &layer, alpha, commit, &next) == 0, "%s: %s", what, op.err);
            CHECK_SIDE(be, &op, SB_OPK_FRI, layer.device != NULL, what);
            CHECK(next.rows == half && next.cols == 3 && next.offset == gl_mul(offset, offset) &&
                      next.committed == commit,
                  "%s: the next layer's shape", what);
            const fp3_t *got = (const fp3_t *)host_of(be, &op, &next);
            fp3_t *want = calloc(half, sizeof *want);
            const uint64_t w = gl_root_of_unity((unsigned)shapes[s][0]), half_inv = gl_inv(2);
            uint64_t x = offset;
            for (size_t k = 0; k < half; k++, x = gl_mul(x, w)) {
                fp3_t sum = fp3_add(a[k], a[k + half]), diff = fp3_mul_base(fp3_sub(a[k], a[k + half]), gl_inv(x));
                want[k] = fp3_mul_base(fp3_add(sum, fp3_mul(alpha, diff)), half_inv);
            }
            CHECK(got && memcmp(got, want, half * sizeof *want) == 0, "%s: folded values differ", what);
            if (commit && got) {
                const size_t L = half / 2;
                uint64_t *pairs = alloc_u64(6 * L);
                sb_digest *leaves = malloc(L * sizeof *leaves);
                for (size_t k = 0; k < L; k++) {
                    memcpy(pairs + 6 * k, want[k].c, 24);
                    memcpy(pairs + 6 * k + 3, want[k + L].c, 24);
                    leaves[k] = ref_leaf(pairs + 6 * k, 6);
                }
                sb_digest *tree = ref_tree(leaves, L);
                CHECK(next.leaves == SB_LEAVES_PAIRS && memcmp(next.root.b, tree[0].b, 32) == 0,
                      "%s: root differs from the plain pair tree", what);
                check_openings(be, &next, tree, pairs, what);
                free(pairs);
                free(leaves);
                free(tree);
            }
            free(want);
            free(vals);
            be->ops->release(be, &layer);
            be->ops->release(be, &next);
        }
    }
}

/* grind: the smallest nonce by a scalar loop over Keccak-256(seed || nonce big-endian). */
_Static_assert(SB_POW_BITS == 20, "the reference loop checks 20 leading zero bits");
static void case_grind(sb_backend *be) {
    for (int s = 0; s < 2; s++) {
        uint8_t seed[32], msg[40], h[32];
        for (int i = 0; i < 32; i++) seed[i] = (uint8_t)rnd();
        memcpy(msg, seed, 32);
        uint64_t want = 0;
        for (;; want++) {
            for (int i = 0; i < 8; i++) msg[32 + i] = (uint8_t)(want >> (56 - 8 * i));
            keccak256(msg, sizeof msg, h);
            if (h[0] == 0 && h[1] == 0 && (h[2] >> 4) == 0) break; /* 20 zero bits */
        }
        sb_op op = {.table = "", .op = SB_RANGE_NAME(SB_R4_GRINDING)};
        uint64_t got = 0;
        OPS_BEFORE(be);
        CHECK(be->ops->rounds->grind(be, &op, seed, &got) == 0, "grind: %s", op.err);
        CHECK_SIDE(be, &op, SB_OPK_GRIND, 1, "grind");
        CHECK(got == want, "grind seed %d: nonce %llu, the scalar loop's %llu", s, (unsigned long long)got,
              (unsigned long long)want);
    }
}

/* Every case on be. */
static void run_round_cases(sb_backend *be) {
    case_lde(be);
    case_commit(be);
    case_composition(be);
    case_ood(be);
    case_deep(be);
    case_fri(be);
    case_grind(be);
}

#endif
