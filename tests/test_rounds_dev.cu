/* The Rounds 2-4 kernels' per-element work (kernels/rounds.cuh, kernels/fib_constraints.cuh) run on
 * the CPU, in the order the kernels run it, against the CPU backend's round operations
 * (sb_cpu_round_ops) and the prover's own functions, byte for byte, on a machine without a GPU:
 *   composition: every row's C (fib_composition_row) through the same inverse NTT, split
 *     (composition_split_coefficient) and forward NTT as sb_gpu_composition_split, equal to the
 *     CPU composition's parts for the three fib tables on real traces at blowup 2 and 8 and on
 *     random LDEs at blowup 2; a trace that breaks a constraint fails both at blowup 4, where the
 *     other tables' parts agree;
 *   OOD: weights (ood_weight) and scales against sb_cpu_round_ops.ood, several sizes and points;
 *   DEEP: deep_row_value over the rows' dot products against sb_cpu_round_ops.deep;
 *   FRI: fri_fold_at and fri_leaf_node against sb_cpu_round_ops.fri_fold (values, leaves), the
 *     openings (a leaf's pair layer[k], layer[k + L], merkle_path_lanes over the device tree layout)
 *     against sb_fri_open's siblings and paths;
 *   grinding: pow_hit against sb_pow_ok, and the batch search's answer against sb_pow_search
 *     (seeds with a small answer, searched exhaustively). */
extern "C" { /* backend.h and rounds.h have no C++ guard of their own; first, so later includes keep C linkage */
#include "backend.h"
#include "rounds.h"
}
#include "fib_constraints.cuh"
#include "fri.h"
#include "merkle.h"
#include "ntt.h"
#include "stark.h"
#include "stark_poly.h"
#include "transcript.h"

#include "check.h"
#include "rounds_inputs.h"

static sb_op op = test_op("R2 evaluate");

/* ---- composition ----------------------------------------------------------------------------------- */

static fp3_t composition_row(int t, const fib_comp_view &v, uint64_t i) {
    if (t == FIB_TABLE_CPU) return fib_composition_row<FIB_TABLE_CPU>(v, i);
    if (t == FIB_TABLE_PROGRAM) return fib_composition_row<FIB_TABLE_PROGRAM>(v, i);
    return fib_composition_row<FIB_TABLE_RANGE>(v, i);
}

/* C on every row as the kernel computes it (fib_composition_row), then sb_gpu_composition_split's
 * steps on the host: the unscaled inverse NTT (natural in, bit-reversed out), the split
 * (composition_split_coefficient), the forward NTT (bit-reversed in): a composition_fn. */
static int composition_dev(int t, const sb_composition_in *in, uint64_t *parts, uint32_t *bad, void *ctx) {
    (void)ctx;
    const sb_matrix *m = in->main;
    const unsigned log_n = (unsigned)log2_exact(m->n), log_b = (unsigned)log2_exact(m->blowup);
    sb_gpu_fib_comp_consts k;
    CHECK(sb_gpu_fib_comp_consts_init(&k, t, in->pub, log_n, log_b, in->beta, in->challenges, in->claimed_sum) == 0,
          "consts for table %d", t);
    const fib_comp_view v = {m->host, in->fixed ? in->fixed->host : NULL, in->aux->host, &k, log_n, log_b};
    uint64_t *c = (uint64_t *)xmalloc(m->rows * 3 * sizeof *c);
    for (uint64_t i = 0; i < m->rows; i++) {
        const fp3_t r = composition_row(t, v, i);
        memcpy(c + 3 * i, r.c, sizeof r.c);
    }
    ntt_dif_rows(c, m->rows, 3, 3, 1);
    *bad = 0;
    const uint64_t inv_gen = gl_inv(GL_GENERATOR);
    uint64_t scale = gl_inv(m->rows);
    for (uint64_t j = 0; j < m->rows; j++, scale = gl_mul(scale, inv_gen))
        *bad |= (uint32_t)composition_split_coefficient(c, parts, log_n, log_b, SB_COMPOSITION_PARTS, j, scale);
    ntt_dit_rows(parts, m->n, 3 * SB_COMPOSITION_PARTS, 3 * SB_COMPOSITION_PARTS, 0, 0);
    free(c);
    return 0;
}

/* ---- OOD ------------------------------------------------------------------------------------------------ */

static void ood(sb_backend *cpu, unsigned log_n, unsigned blowup, unsigned n_points) {
    const size_t n = (size_t)1 << log_n;
    static const size_t widths[] = {1, 9, 40};
    enum { MATS = 3 };
    sb_matrix c[MATS];
    sb_matrix *mats[MATS];
    fp3_t *want[MATS], *got[MATS], points[SB_GPU_OOD_MAX_POINTS];
    for (unsigned p = 0; p < n_points; p++) points[p] = rand_outside_fp();
    for (int k = 0; k < MATS; k++) {
        c[k] = host_lde(cpu, random_matrix(n * blowup, widths[k]), n, widths[k], blowup);
        mats[k] = &c[k];
        want[k] = (fp3_t *)xmalloc(n_points * widths[k] * sizeof(fp3_t));
        got[k] = (fp3_t *)xmalloc(n_points * widths[k] * sizeof(fp3_t));
    }
    CHECK(sb_cpu_round_ops.ood(cpu, &op, mats, MATS, points, n_points, want) == 0, "cpu ood: %s", op.err);
    /* The kernels' sums: weights per coset row, a dot product per column, the scale per point. */
    const uint64_t w_n = gl_root_of_unity(log_n);
    for (unsigned p = 0; p < n_points; p++) {
        sb_inv_shift shift;
        sb_inv_shift_init(&shift, points[p]);
        const fp3_t scale = sb_coset_eval_scale(points[p], n, GL_GENERATOR);
        for (int k = 0; k < MATS; k++)
            for (size_t col = 0; col < widths[k]; col++) {
                fp3_t sum = fp3_zero();
                for (uint64_t j = 0; j < n; j++)
                    sum = fp3_madd_base(sum, ood_weight(&shift, lde_point(w_n, j)), c[k].host[j * blowup * widths[k] + col]);
                got[k][p * widths[k] + col] = fp3_mul(sum, scale);
            }
    }
    for (int k = 0; k < MATS; k++) {
        CHECK(memcmp(want[k], got[k], n_points * widths[k] * sizeof(fp3_t)) == 0,
              "OOD of 2^%u rows (blowup %u), %u points, matrix %d of %zu columns differs", log_n, blowup, n_points, k,
              widths[k]);
        cpu->ops->release(cpu, &c[k]);
        free(want[k]);
        free(got[k]);
    }
}

/* ---- DEEP ------------------------------------------------------------------------------------------------ */

static void deep(sb_backend *cpu, unsigned log_n, unsigned blowup) {
    const size_t n = (size_t)1 << log_n, m = n * blowup;
    static const size_t widths[] = {33, 9, 6};
    enum { MATS = 3 };
    sb_matrix c[MATS];
    fp3_t *coeffs[MATS];
    sb_deep_in in;
    memset(&in, 0, sizeof in);
    in.n_mats = MATS, in.n_shifted = 2;
    for (int k = 0; k < MATS; k++) {
        c[k] = host_lde(cpu, random_matrix(m, widths[k]), n, widths[k], blowup);
        coeffs[k] = (fp3_t *)xmalloc(widths[k] * sizeof(fp3_t));
        for (size_t i = 0; i < widths[k]; i++) coeffs[k][i] = rand_fp3();
        in.mats[k] = &c[k], in.coeffs[k] = coeffs[k];
    }
    in.z = rand_outside_fp(), in.zw = fp3_mul_base(in.z, gl_root_of_unity(log_n));
    in.sum_z = rand_fp3(), in.sum_zw = rand_fp3();
    fp3_t *got = (fp3_t *)xmalloc(m * sizeof(fp3_t));
    sb_matrix layer0;
    CHECK(sb_cpu_round_ops.deep(cpu, &op, &in, &layer0) == 0, "cpu deep: %s", op.err);
    const fp3_t *want = (const fp3_t *)layer0.host;
    sb_inv_shift sz, szw;
    sb_inv_shift_init(&sz, in.z);
    sb_inv_shift_init(&szw, in.zw);
    const uint64_t w = gl_root_of_unity(log_n + (unsigned)log2_exact(blowup));
    for (uint64_t i = 0; i < m; i++) {
        fp3_t s = fp3_zero(), s_shifted = fp3_zero();
        for (int k = 0; k < MATS; k++) {
            fp3_t acc = fp3_zero();
            for (size_t col = 0; col < widths[k]; col++) acc = fp3_madd_base(acc, coeffs[k][col], c[k].host[i * widths[k] + col]);
            s = fp3_add(s, acc);
            if ((size_t)k < in.n_shifted) s_shifted = fp3_add(s_shifted, acc);
        }
        got[i] = deep_row_value(&sz, &szw, lde_point(w, i), s, s_shifted, in.sum_z, in.sum_zw);
    }
    CHECK(want && memcmp(want, got, m * sizeof(fp3_t)) == 0, "DEEP of 2^%u x %u rows differs", log_n, blowup);
    for (int k = 0; k < MATS; k++) cpu->ops->release(cpu, &c[k]), free(coeffs[k]);
    cpu->ops->release(cpu, &layer0);
    free(got);
}

/* ---- FRI -------------------------------------------------------------------------------------------------- */

/* The lanes of a digest (little-endian words), the device tree's node layout (interleaved). */
static void node_of_digest(const sb_digest *d, uint64_t node[4]) {
    for (int l = 0; l < 4; l++) {
        uint64_t v;
        memcpy(&v, d->b + 8 * l, 8);
        node[l] = kl_u64(kl_interleave(kl_of_u64(v)));
    }
}

static void fri_fold(sb_backend *cpu, unsigned log_m, unsigned layer_index, int committed) {
    fri_case c;
    fri_case_make(&c, cpu, log_m, layer_index, committed);
    fp3_t *got = (fp3_t *)xmalloc(c.half * sizeof(fp3_t));
    const uint64_t inv_offset = gl_inv(c.offset), inv_w = gl_inv(gl_root_of_unity(log_m));
    for (size_t k = 0; k < c.half; k++) got[k] = fri_fold_at(c.layer, c.half, k, inv_offset, inv_w, c.alpha);
    CHECK(memcmp(c.want, got, c.half * sizeof(fp3_t)) == 0, "FRI fold of 2^%u values (layer %u) differs", log_m,
          layer_index);
    for (size_t k = 0; committed && k < c.leaves; k++) {
        uint64_t node[4], expect[4];
        fri_leaf_node(got[k], got[k + c.leaves], node);
        node_of_digest(&c.next.tree.nodes[c.leaves - 1 + k], expect);
        CHECK(memcmp(node, expect, sizeof node) == 0, "FRI leaf %zu of 2^%u values differs", k, log_m);
    }
    fri_case_free(cpu, &c);
    free(got);
}

/* sb_fri_commit on a random layer 0 (it builds every layer and tree, then finds the last one not of
 * low degree: fine here), then each query's openings as the device opens a committed layer
 * (sb_gpu_fri_open: the leaf's pair, merkle_path_lanes over the device tree layout), the sibling
 * the verifier needs taken from the pair, against sb_fri_open on the CPU backend. */
static void fri_openings(sb_backend *cpu, unsigned log_n, unsigned blowup) {
    enum { Q = 20 };
    const unsigned log_lde = log_n + (unsigned)log2_exact(blowup);
    const size_t m = (size_t)1 << log_lde;
    sb_op fri_op = test_op("R4 FRI");
    sb_matrix layer0 = host_lde(cpu, random_matrix(m, 3), m / blowup, 3, blowup);
    sb_transcript tr;
    transcript_init(&tr, "test");
    sb_fri_prover st;
    sb_digest roots[32];
    fp3_t final_coeffs[64];
    sb_fri_commit(cpu, &fri_op, &layer0, log_n, &tr, &st, roots, final_coeffs);
    const size_t n_open = st.n_folds > 1 ? st.n_folds - 1 : 0, path_len = sb_fri_path_len(log_lde, st.n_folds);
    CHECK(n_open > 0, "no committed FRI layer at 2^%u rows", log_n);
    size_t queries[Q];
    for (int q = 0; q < Q; q++) queries[q] = rnd() % (m / 2);
    fp3_t want_sib[Q * 32], got_sib[32];
    sb_digest *want_paths = (sb_digest *)xmalloc(Q * path_len * sizeof(sb_digest));
    uint64_t *got_paths = (uint64_t *)xmalloc(path_len * 4 * sizeof(uint64_t));
    CHECK(sb_fri_open(cpu, &fri_op, &st, queries, Q, want_sib, 32, want_paths, path_len) == 0, "sb_fri_open: %s",
          fri_op.err);
    for (int q = 0; q < Q; q++) {
        uint64_t *path = got_paths, r = queries[q];
        for (unsigned l = 1; l < st.n_folds; l++) {
            const unsigned log_leaves = log_lde - l - 1;
            const size_t leaves = (size_t)1 << log_leaves, leaf = r & (leaves - 1);
            const fp3_t *layer = (const fp3_t *)st.layers[l].host;
            uint64_t *nodes = (uint64_t *)xmalloc((2 * leaves - 1) * 4 * sizeof(uint64_t));
            for (size_t i = 0; i < 2 * leaves - 1; i++) node_of_digest(&st.layers[l].tree.nodes[i], nodes + 4 * i);
            const fp3_t pair[2] = {layer[leaf], layer[leaf + leaves]};
            got_sib[l - 1] = pair[r < leaves];
            merkle_path_lanes(nodes, log_leaves, leaf, path, 0, 1);
            path += 4 * log_leaves;
            r = leaf;
            free(nodes);
        }
        CHECK(memcmp(want_sib + q * 32, got_sib, n_open * sizeof(fp3_t)) == 0, "FRI siblings of query %zu differ",
              queries[q]);
        CHECK(memcmp(want_paths + q * path_len, got_paths, path_len * sizeof(sb_digest)) == 0,
              "FRI paths of query %zu differ", queries[q]);
    }
    sb_fri_prover_free(cpu, &st);
    cpu->ops->release(cpu, &layer0);
    free(want_paths);
    free(got_paths);
}

/* ---- grinding ------------------------------------------------------------------------------------------ */

/* The kernels' batch search on the host: batches of nonces in increasing order, each batch's
 * threads striding through it, stopping at a first hit or past a known smaller one. */
static uint64_t pow_search_dev(const kl seed[4], uint64_t limit, uint64_t batch, uint64_t threads) {
    uint64_t found = UINT64_MAX;
    for (uint64_t first = 0; first < limit && found == UINT64_MAX;) {
        const uint64_t end = limit - first < batch ? limit : first + batch;
        for (uint64_t t = 0; t < threads; t++)
            for (uint64_t nonce = first + t; nonce < end && nonce <= found; nonce += threads)
                if (pow_hit(seed, nonce)) {
                    found = nonce < found ? nonce : found;
                    break;
                }
        first = end;
    }
    return found == UINT64_MAX ? limit : found;
}

/* Seeds whose answer lies below 2^16 (one in ~16), so that the host emulation stays short. */
static void grinding(void) {
    CHECK(SB_POW_BITS <= 32, "the kernels test the digest's first 32 bits");
    const uint64_t small = 1u << 16;
    int searched = 0;
    for (int s = 0; s < 200 && searched < 2; s++) {
        uint8_t seed[32];
        for (int i = 0; i < 32; i++) seed[i] = (uint8_t)rnd();
        kl lanes[4];
        pow_seed_lanes(seed, lanes);
        for (int i = 0; i < 20; i++) {
            const uint64_t nonce = i < 10 ? rnd() : (uint64_t)i;
            CHECK(pow_hit(lanes, nonce) == sb_pow_ok(seed, nonce), "seed %d nonce %llu: predicate differs", s,
                  (unsigned long long)nonce);
        }
        const uint64_t want = sb_pow_search(seed, small);
        if (want == small) continue;
        searched++;
        CHECK(pow_hit(lanes, want), "seed %d: the CPU's nonce %llu is no hit for the device", s,
              (unsigned long long)want);
        CHECK(pow_search_dev(lanes, UINT64_MAX, 1 << 12, 96) == want, "seed %d: the batch search's nonce differs", s);
        CHECK(pow_search_dev(lanes, want, 1 << 12, 96) == want, "seed %d: nonces below the answer hit", s);
    }
    CHECK(searched == 2, "only %d seeds with a nonce below 2^16 in 200", searched);
}

int main(void) {
    sb_backend_config cfg;
    sb_backend_config_default(&cfg);
    cfg.kind = SB_BACKEND_CPU;
    sb_backend *cpu = sb_cpu_backend_create(&cfg);
    CHECK(SB_DEEP_MAX_MATS == 4 && SB_GPU_OOD_MAX_POINTS <= SB_EVAL_MAX_POINTS, "the kernels' limits exceed the CPU's");
    composition_traces(cpu, 7, 0, 2, composition_dev, NULL, "");
    composition_traces(cpu, 7, 0, 8, composition_dev, NULL, "");
    composition_traces(cpu, 6, 1, 4, composition_dev, NULL, ""); /* all but the CPU table pass */
    static const unsigned random_log_ns[] = {0, 1, 6};
    for (int i = 0; i < 3; i++) composition_random(cpu, random_log_ns[i], composition_dev, NULL, "");
    for (unsigned log_n = 0; log_n <= 9; log_n += 3)
        for (unsigned p = 1; p <= SB_GPU_OOD_MAX_POINTS; p++) ood(cpu, log_n, 2 << (p % 3), p);
    for (unsigned log_n = 1; log_n <= 9; log_n += 4) deep(cpu, log_n, 2 << (log_n % 3));
    for (unsigned log_m = 1; log_m <= 12; log_m++) fri_fold(cpu, log_m, log_m % 5, 0);
    for (unsigned log_m = 2; log_m <= 12; log_m += 2) fri_fold(cpu, log_m, log_m % 5, 1);
    fri_openings(cpu, 6, 2);
    fri_openings(cpu, 8, 8);
    grinding();
    sb_backend_destroy(cpu);
    return check_finish("test_rounds_dev (the Rounds 2-4 kernels' per-element work, on the host)");
}
