/* The STARK end to end: proofs verify for blowup 2, 4, 8 at several sizes (the toy AIR
 * of toy_air.h and fib_iterative), the bytes do not depend on --tp or --threads, the
 * output is fib(n) mod 2^64, a bad trace never yields a valid proof, every round range
 * is recorded, and the query counts and proof-of-work search are what PROTOCOL.md says. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fri.h"
#include "ntt.h"
#include "check.h"
#include "range_names.h"
#include "stark.h"
#include "toy_air.h"


static sb_backend *cpu_backend(unsigned threads) {
    sb_backend_config cfg;
    sb_backend_config_default(&cfg);
    cfg.kind = SB_BACKEND_CPU;
    cfg.threads = threads;
    return sb_backend_create(&cfg, NULL, 0);
}

/* Proves with air and returns the proof (len 0 on failure, reason in err). */
static sb_proof prove(const sb_air *air, unsigned log_steps, unsigned blowup, unsigned tp, unsigned threads,
                      sb_ranges *ranges, char *err, size_t errlen) {
    sb_backend *be = cpu_backend(threads);
    sb_prove_config cfg = {log_steps, blowup, tp, threads};
    sb_proof p;
    if (sb_stark_prove(air, &cfg, be, ranges, &p, err, errlen) != 0) p.len = 0;
    sb_backend_destroy(be);
    return p;
}

static void test_toy_verifies(void) {
    static const unsigned sizes[][2] = {{3, 2}, {4, 2}, {6, 2}, {9, 2}, {4, 4}, {7, 4}, {4, 8}, {6, 8}};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        char err[256] = "", why[256] = "";
        sb_proof p = prove(&toy_air, sizes[k][0], sizes[k][1], 1, 0, NULL, err, sizeof err);
        CHECK(p.len > 0, "toy 2^%u b=%u: prove failed: %s", sizes[k][0], sizes[k][1], err);
        sb_public pub = {0};
        int rc = sb_stark_verify(&toy_air, p.bytes, p.len, &pub, why, sizeof why);
        CHECK(rc == SB_VERIFY_OK, "toy 2^%u b=%u: verify %d: %s", sizes[k][0], sizes[k][1], rc, why);
        sb_public want = {0};
        toy_public_values(sizes[k][0], &want);
        CHECK(pub.output == want.output && pub.iterations == want.iterations, "toy public values");
        sb_proof_free(&p);
    }
}

/* fib(n) mod 2^64 by the definition, independently of the machine. */
static uint64_t fib_u64(uint64_t n) {
    uint64_t a = 0, b = 1;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t t = a + b;
        a = b;
        b = t;
    }
    return a;
}

static void test_fib_verifies(void) {
    static const unsigned sizes[][2] = {{8, 2}, {10, 2}, {12, 2}, {14, 2}, {8, 4}, {10, 4}, {8, 8}, {10, 8}};
    uint64_t last_n = 0;
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        char err[320] = "", why[320] = "";
        sb_proof p = prove(sb_air_fib(), sizes[k][0], sizes[k][1], 1, 0, NULL, err, sizeof err);
        CHECK(p.len > 0, "fib 2^%u b=%u: prove failed: %s", sizes[k][0], sizes[k][1], err);
        sb_public pub = {0};
        int rc = sb_verify(p.bytes, p.len, &pub, why, sizeof why);
        CHECK(rc == SB_VERIFY_OK, "fib 2^%u b=%u: verify %d: %s", sizes[k][0], sizes[k][1], rc, why);
        CHECK(pub.output == p.pub.output && pub.iterations == p.pub.iterations && pub.log_steps == sizes[k][0],
              "fib 2^%u: the verifier's public values differ from the prover's", sizes[k][0]);
        CHECK(pub.output == fib_u64(pub.iterations), "fib 2^%u: output %llu != fib(%llu) mod 2^64", sizes[k][0],
              (unsigned long long)pub.output, (unsigned long long)pub.iterations);
        if (sizes[k][1] == 2) {
            CHECK(pub.iterations > last_n, "fib 2^%u: n = %llu does not grow with the steps", sizes[k][0],
                  (unsigned long long)pub.iterations);
            last_n = pub.iterations;
        }
        if (sizes[k][0] == 8) /* 3 setup instructions + 5 per iteration + a halt row fit 256 rows: n = 50 */
            CHECK(pub.iterations == 50 && pub.output == 12586269025ULL, "fib 2^8: n = %llu, output %llu",
                  (unsigned long long)pub.iterations, (unsigned long long)pub.output);
        sb_proof_free(&p);
    }
}

/* A trace that breaks one transition constraint: blowup 4 catches it in the prover (the
 * composition is not of low degree); at blowup 2 the proof must not verify. */
static void test_toy_bad_trace(void) {
    char err[256] = "", why[256] = "";
    toy_corrupt = 5;
    sb_proof p = prove(&toy_air, 6, 4, 1, 0, NULL, err, sizeof err);
    CHECK(p.len == 0 && strstr(err, "not of low degree"), "bad trace at b=4: got '%s'", err);
    sb_proof_free(&p);
    p = prove(&toy_air, 6, 2, 1, 0, NULL, err, sizeof err);
    if (p.len) {
        int rc = sb_stark_verify(&toy_air, p.bytes, p.len, NULL, why, sizeof why);
        CHECK(rc == SB_VERIFY_INVALID && strstr(why, "constraints at the OOD point"), "bad trace at b=2: %d %s", rc,
              why);
    }
    sb_proof_free(&p);
    toy_corrupt = 0;
}

static int same_bytes(const sb_proof *a, const sb_proof *b) {
    return a->len == b->len && a->len > 0 && memcmp(a->bytes, b->bytes, a->len) == 0;
}

static void test_determinism(const sb_air *air, unsigned log_steps, unsigned blowup) {
    char err[256] = "";
    sb_proof base = prove(air, log_steps, blowup, 1, 1, NULL, err, sizeof err);
    CHECK(base.len > 0, "prove failed: %s", err);
    static const unsigned cfgs[][2] = {{3, 1}, {1, 2}, {3, 2}};
    for (size_t k = 0; k < sizeof cfgs / sizeof cfgs[0]; k++) {
        sb_proof p = prove(air, log_steps, blowup, cfgs[k][0], cfgs[k][1], NULL, err, sizeof err);
        CHECK(same_bytes(&base, &p), "2^%u b=%u: tp %u threads %u gives other bytes", log_steps, blowup, cfgs[k][0],
              cfgs[k][1]);
        sb_proof_free(&p);
    }
    sb_proof_free(&base);
}

static void test_query_counts(void) {
    CHECK(sb_query_count(2) == 219, "b=2: %u", sb_query_count(2));
    CHECK(sb_query_count(4) == 110, "b=4: %u", sb_query_count(4));
    CHECK(sb_query_count(8) == 73, "b=8: %u", sb_query_count(8));
    char note[400];
    sb_security_note(2, note, sizeof note);
    CHECK(strstr(note, "query phase only") && strstr(note, "219 queries"), "note: %s", note);
}

/* The smallest nonce, whatever the thread count; nothing below it works. */
static void test_pow(void) {
    uint8_t seed[32] = {3, 2, 3}; /* its answer is small: the brute-force check below stays fast */
    omp_set_num_threads(1);
    uint64_t one = sb_pow_search(seed, UINT64_MAX);
    omp_set_num_threads(2);
    uint64_t two = sb_pow_search(seed, UINT64_MAX);
    CHECK(one == two && sb_pow_ok(seed, one), "pow: %llu vs %llu", (unsigned long long)one, (unsigned long long)two);
    CHECK(sb_pow_search(seed, one) == one, "pow: search below the answer finds nothing");
    uint64_t hits = 0;
    for (uint64_t k = 0; k < one; k++) hits += (uint64_t)sb_pow_ok(seed, k);
    CHECK(hits == 0, "pow: %llu smaller nonces work", (unsigned long long)hits);
}

static void test_ranges(void) {
    sb_ranges set;
    sb_ranges_init(&set, NULL, 0, NULL);
    char err[256] = "";
    sb_proof p = prove(&toy_air, 5, 2, 2, 0, &set, err, sizeof err);
    CHECK(p.len > 0, "prove failed: %s", err);
    /* Every range of the range table, once per table or once outside them, and nothing else. */
    for (int k = 0; k < SB_RANGE_COUNT; k++) {
        const sb_range_def *d = &sb_range_defs[k];
        for (size_t t = 0; t < (d->per_table ? toy_air.n_tables : 1); t++) {
            const char *table = d->per_table ? toy_tables[t].name : "";
            int found = 0;
            for (size_t i = 0; i < set.n; i++)
                found += strcmp(set.recs[i].name, d->name) == 0 && strcmp(set.recs[i].table, table) == 0;
            CHECK(found == 1, "range %s of table '%s' recorded %d times", d->name, table, found);
        }
    }
    for (size_t i = 0; i < set.n; i++) CHECK(sb_range_find(set.recs[i].name), "range '%s' is not in the table", set.recs[i].name);
    CHECK(sb_ranges_sum(&set, "", SB_RANGE_NAME(SB_PROVE)) > 0, "no prove range");
    sb_proof_free(&p);
    sb_ranges_destroy(&set);
}

/* Values on the coset 7<w_m> of a random Fp3 polynomial with `deg` coefficients. */
static fp3_t *coset_values(size_t deg, size_t m, uint64_t seed) {
    fp3_t *v = calloc(m, sizeof *v);
    uint64_t shift = 1;
    for (size_t k = 0; k < deg; k++, shift = gl_mul(shift, GL_GENERATOR))
        for (int c = 0; c < 3; c++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            v[k].c[c] = gl_mul(gl_reduce(seed), shift);
        }
    ntt_forward_rows(v[0].c, m, 3);
    return v;
}

/* FRI alone: a polynomial of degree < n folds to a final polynomial that every query accepts;
 * a wrong final coefficient, a wrong layer-0 value and a too-high degree are caught. */
static void test_fri(void) {
    const unsigned log_n = 7, log_lde = 9;
    const size_t n = (size_t)1 << log_n, m = (size_t)1 << log_lde, n_folds = sb_fri_folds(log_n);
    sb_backend *be = cpu_backend(0);
    sb_op op = {.table = "fri", .op = "R4 FRI"};
    fp3_t *layer0 = coset_values(n, m, 7), alphas[32], final[16];
    sb_digest roots[32];
    sb_transcript tr, replay;
    transcript_init(&tr, "fri-test");
    replay = tr;
    sb_fri_prover st;
    sb_matrix l0;
    CHECK(be->ops->from_host(be, &op, layer0[0].c, m, 3, (unsigned)(m / n), GL_GENERATOR, &l0) == 0, "from_host: %s",
          op.err);
    CHECK(sb_fri_commit(be, &op, &l0, log_n, &tr, &st, roots, final) == 0, "fri: %s", op.err);
    for (unsigned l = 0; l < n_folds; l++) {
        alphas[l] = transcript_squeeze_fp3(&replay);
        if (l + 1 < n_folds) transcript_absorb_digest(&replay, roots[l].b);
    }
    size_t n_final = n >> n_folds, queries[8], q = 0;
    for (size_t i0 = 0; i0 < m / 2; i0 += 37) queries[q++] = i0;
    const size_t path_len = sb_fri_path_len(log_lde, (unsigned)n_folds);
    fp3_t sibs[8 * 32];
    sb_digest paths[8 * 64];
    CHECK(path_len <= 64 && sb_fri_open(be, &op, &st, queries, q, sibs, 32, paths, 64) == 0, "fri open: %s", op.err);
    char why[64] = "";
    for (size_t j = 0; j < q; j++) {
        const size_t i0 = queries[j];
        const fp3_t *sj = sibs + 32 * j;
        const sb_digest *pj = paths + 64 * j;
        fp3_t a = layer0[i0], b = layer0[i0 + m / 2];
        CHECK(sb_fri_verify_query(log_lde, (unsigned)n_folds, alphas, roots, final, n_final, i0, a, b, sj, pj, why,
                                  sizeof why) == 0, "fri query %zu: %s", i0, why);
        fp3_t a_bad = fp3_add(a, fp3_one());
        CHECK(sb_fri_verify_query(log_lde, (unsigned)n_folds, alphas, roots, final, n_final, i0, a_bad, b, sj, pj, why,
                                  sizeof why) != 0 && strstr(why, "FRI layer 1"), "fri: wrong Q(x) accepted");
        final[n_final - 1] = fp3_add(final[n_final - 1], fp3_one());
        CHECK(sb_fri_verify_query(log_lde, (unsigned)n_folds, alphas, roots, final, n_final, i0, a, b, sj, pj, why,
                                  sizeof why) != 0 && strstr(why, "final polynomial"),
              "fri: wrong final polynomial accepted");
        final[n_final - 1] = fp3_sub(final[n_final - 1], fp3_one());
    }
    sb_fri_prover_free(be, &st);
    be->ops->release(be, &l0);
    free(layer0);
    layer0 = coset_values(n + 1, m, 7); /* degree n: not low enough */
    CHECK(be->ops->from_host(be, &op, layer0[0].c, m, 3, (unsigned)(m / n), GL_GENERATOR, &l0) == 0, "from_host");
    CHECK(sb_fri_commit(be, &op, &l0, log_n, &tr, &st, roots, final) != 0 && strstr(op.err, "degree"),
          "fri: degree n accepted (%s)", op.err);
    sb_fri_prover_free(be, &st);
    be->ops->release(be, &l0);
    free(layer0);
    sb_backend_destroy(be);
}

int main(void) {
    test_query_counts();
    test_pow();
    test_fri();
    test_toy_verifies();
    test_toy_bad_trace();
    test_determinism(&toy_air, 8, 2);
    test_fib_verifies();
    test_determinism(sb_air_fib(), 10, 2);
    test_determinism(sb_air_fib(), 8, 4);
    test_determinism(&toy_air, 6, 8);
    test_ranges();
    return check_finish("test_prover");
}
