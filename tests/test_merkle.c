/* Merkle trees: leaf serialization, the root rebuilt by hand, every path verifies and every
 * tampering is rejected; and the CPU backend's lde/commit/open_many on top of them. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "field.h"
#include "keccak.h"
#include "lde.h"
#include "ntt.h"

#include "check.h"


static int digest_eq(const sb_digest *a, const sb_digest *b) { return memcmp(a->b, b->b, 32) == 0; }

/* A leaf is Keccak-256 of the row's canonical values, u64 big-endian (any length: > 1 block too). */
static void leaf_serialization(void) {
    uint64_t row[40];
    uint8_t bytes[320];
    for (size_t cols = 1; cols <= 40; cols += 13) {
        for (size_t c = 0; c < cols; c++) {
            row[c] = rnd() % GL_P;
            for (int k = 0; k < 8; k++) bytes[8 * c + k] = (uint8_t)(row[c] >> (56 - 8 * k));
        }
        sb_digest got, want;
        keccak256(bytes, 8 * cols, want.b);
        merkle_hash_row(row, cols, &got);
        CHECK(digest_eq(&got, &want), "leaf of %zu columns", cols);
        row[0] = rnd() % GL_EPSILON; /* v < 2^32 - 1, so that v + p fits in 64 bits ... */
        merkle_hash_row(row, cols, &want);
        row[0] += GL_P; /* ... and v + p hash alike */
        merkle_hash_row(row, cols, &got);
        CHECK(digest_eq(&got, &want), "non-canonical value hashed differently (%zu columns)", cols);
    }
}

/* An 8-row LDE: leaves commit rows bitrev(k), parents hash left || right, all by hand. */
static void root_by_hand(void) {
    enum { N = 8, COLS = 3 };
    uint64_t lde[N * COLS];
    for (int i = 0; i < N * COLS; i++) lde[i] = rnd() % GL_P;
    sb_digest level[N];
    for (int k = 0; k < N; k++) merkle_hash_row(lde + bit_reverse_index(k, 3) * COLS, COLS, &level[k]);
    for (int width = N; width > 1; width /= 2)
        for (int i = 0; i < width / 2; i++) {
            uint8_t pair[64];
            memcpy(pair, level[2 * i].b, 32);
            memcpy(pair + 32, level[2 * i + 1].b, 32);
            keccak256(pair, 64, level[i].b);
        }
    merkle_tree t;
    CHECK(merkle_build_lde(&t, lde, N, COLS) == 0, "build");
    CHECK(digest_eq(merkle_root(&t), &level[0]), "root differs from the hand-built one");
    merkle_free(&t);
}

static void paths(size_t n_leaves) {
    unsigned log = (unsigned)log2_exact(n_leaves);
    sb_digest *leaves = malloc(n_leaves * sizeof *leaves), path[32], bad_path[32];
    for (size_t i = 0; i < n_leaves; i++)
        for (int k = 0; k < 32; k++) leaves[i].b[k] = (uint8_t)rnd();
    merkle_tree t;
    CHECK(merkle_build_leaves(&t, leaves, n_leaves) == 0, "build %zu leaves", n_leaves);
    const sb_digest *root = merkle_root(&t);
    if (n_leaves == 1) CHECK(digest_eq(root, &leaves[0]), "a single leaf is the root");
    for (size_t j = 0; j < n_leaves; j++) {
        merkle_path(&t, j, path);
        CHECK(merkle_verify(root, &leaves[j], j, log, path), "path of leaf %zu of %zu", j, n_leaves);
        for (unsigned l = 0; l < log; l++) { /* every path element, one flipped bit each */
            memcpy(bad_path, path, log * sizeof *path);
            bad_path[l].b[rnd() % 32] ^= (uint8_t)(1u << (rnd() % 8));
            CHECK(!merkle_verify(root, &leaves[j], j, log, bad_path), "tampered path[%u] accepted", l);
        }
        sb_digest bad_leaf = leaves[j];
        bad_leaf.b[31] ^= 1;
        CHECK(!merkle_verify(root, &bad_leaf, j, log, path), "tampered leaf accepted");
        if (n_leaves > 1)
            CHECK(!merkle_verify(root, &leaves[j], j ^ 1, log, path), "wrong index accepted");
        CHECK(!merkle_verify(root, &leaves[j], j + n_leaves, log, path), "index beyond the tree accepted");
        sb_digest bad_root = *root;
        bad_root.b[0] ^= 0x80;
        CHECK(!merkle_verify(&bad_root, &leaves[j], j, log, path), "wrong root accepted");
    }
    merkle_free(&t);
    CHECK(merkle_build_leaves(&t, leaves, 3) == -1, "3 leaves rejected");
    free(leaves);
}

/* The CPU backend: counters, identical roots for 1 and 2 threads, opened rows and paths. */
static void cpu_backend(void) {
    const size_t n = 1 << 10, cols = 13;
    const unsigned blowup = 4;
    uint64_t *trace = malloc(n * cols * 8), *want = malloc(n * blowup * cols * 8);
    for (size_t i = 0; i < n * cols; i++) trace[i] = rnd() % GL_P;
    CHECK(lde_coset_row_major(trace, n, cols, blowup, want) == 0, "reference lde");
    sb_digest roots[2];
    for (unsigned threads = 1; threads <= 2; threads++) {
        sb_backend_config cfg;
        sb_backend_config_default(&cfg);
        cfg.kind = SB_BACKEND_CPU;
        cfg.threads = threads;
        sb_backend *be = sb_backend_create(&cfg, NULL, 0);
        CHECK(be && strcmp(be->ops->name, "cpu") == 0, "cpu backend");
        int omp_before = omp_get_max_threads();
        sb_op op = {.table = "test", .op = "R1 main LDE"};
        sb_matrix c;
        CHECK(be->ops->lde(be, &op, trace, n, cols, blowup, &c) == 0, "lde");
        CHECK(atomic_load(&be->cpu_ops) == 1, "one cpu op after lde");
        CHECK(c.rows == n * blowup && c.cols == cols && c.n == n && c.blowup == blowup && c.offset == GL_GENERATOR &&
                  c.host && !c.device,
              "matrix shape");
        CHECK(memcmp(be->ops->to_host(be, &op, &c), want, n * blowup * cols * 8) == 0, "lde values");
        CHECK(be->ops->commit(be, &op, &c) == 0, "commit");
        CHECK(atomic_load(&be->cpu_ops) == 2 && atomic_load(&be->gpu_ops) == 0, "two cpu ops, no gpu op");
        CHECK(omp_get_max_threads() == omp_before, "the caller's thread count restored");
        roots[threads - 1] = c.root;
        unsigned log = (unsigned)log2_exact(c.rows);
        enum { OPENED = 11 };
        size_t leaves[OPENED];
        uint64_t rows[OPENED * 13];
        sb_digest paths[OPENED * 12], leaf;
        for (size_t i = 0; i < OPENED; i++) leaves[i] = i * 377;
        CHECK(log == 12 && be->ops->open_many(be, &op, &c, leaves, OPENED, rows, paths) == 0, "open_many");
        for (size_t i = 0; i < OPENED; i++) {
            const size_t j = leaves[i];
            CHECK(memcmp(rows + i * cols, want + bit_reverse_index(j, log) * cols, cols * 8) == 0, "opened row %zu", j);
            merkle_hash_row(rows + i * cols, cols, &leaf);
            CHECK(merkle_verify(&c.root, &leaf, j, log, paths + i * log), "opened path %zu", j);
        }
        leaves[OPENED - 1] = c.rows;
        CHECK(be->ops->open_many(be, &op, &c, leaves, OPENED, rows, paths) == -1 && strstr(op.err, "out of range"),
              "open out of range rejected: %s", op.err);
        be->ops->sync(be, "");
        be->ops->release(be, &c);
        CHECK(c.host == NULL && c.tree.nodes == NULL, "release zeroes");
        sb_matrix bad;
        CHECK(be->ops->lde(be, &op, trace, n - 1, cols, blowup, &bad) == -1, "n not a power of two rejected");
        sb_backend_destroy(be);
    }
    CHECK(digest_eq(&roots[0], &roots[1]), "roots differ between 1 and 2 threads");
    free(trace);
    free(want);
}

/* Every check runs on the vector path (where the CPU has one) and on the scalar path. */
int main(void) {
    rng_state = 0xA4093822299F31D0ULL;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) setenv("STARKBENCH_SIMD", "off", 1);
        leaf_serialization();
        root_by_hand();
        static const size_t sizes[] = {1, 2, 8, 64};
        for (size_t i = 0; i < 4; i++) paths(sizes[i]);
        cpu_backend();
    }
    return check_finish("merkle + cpu backend");
}
