/* The STARK end to end: proofs verify for blowup 2, 4, 8 at several sizes (the toy AIR
 * of toy_air.h and fib_iterative), the bytes do not depend on --tp or --threads, the
 * output is fib(n) mod 2^64, a bad trace never yields a valid proof, every round range
 * is recorded, and the query counts and proof-of-work search are what PROTOCOL.md says. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stark.h"
#include "toy_air.h"

static int failures;
#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);             \
            fprintf(stderr, __VA_ARGS__);                                    \
            fprintf(stderr, "\n");                                           \
            failures++;                                                      \
        }                                                                    \
    } while (0)

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
        CHECK(rc == SB_VERIFY_INVALID, "bad trace at b=2 verified (%d)", rc);
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
    sb_ranges_init(&set, NULL, NULL);
    char err[256] = "";
    sb_proof p = prove(&toy_air, 5, 2, 2, 0, &set, err, sizeof err);
    CHECK(p.len > 0, "prove failed: %s", err);
    static const char *const names[] = {"R1 main LDE", "R1 main commit", "R1 aux LDE", "R1 aux commit",
                                        "R2 evaluate", "R2 commit",      "R3 OOD",     "R4 DEEP",
                                        "R4 FRI",      "R4 queries"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        for (size_t t = 0; t < toy_air.n_tables; t++) {
            int found = 0;
            for (size_t i = 0; i < set.n; i++)
                found |= strcmp(set.recs[i].name, names[k]) == 0 && strcmp(set.recs[i].table, toy_tables[t].name) == 0;
            CHECK(found, "range %s of table %s missing", names[k], toy_tables[t].name);
        }
    CHECK(sb_ranges_sum(&set, "", "prove") > 0, "no prove range");
    sb_proof_free(&p);
    sb_ranges_destroy(&set);
}

int main(void) {
    test_query_counts();
    test_pow();
    test_toy_verifies();
    test_toy_bad_trace();
    test_determinism(&toy_air, 8, 2);
    test_ranges();
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("test_prover: all passed\n");
    return 0;
}
