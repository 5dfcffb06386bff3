/* Keccak-256 Merkle trees in heap layout, built level by level with OpenMP. */
#include "merkle.h"

#include <stdlib.h>
#include <string.h>

#include "field.h"
#include "keccak.h"
#include "ntt.h"

/* Below this many hashes per level a parallel region costs more than it saves. */
#define MERKLE_PARALLEL_MIN 256

/* Elements serialized per update: one Keccak-256 block (136 bytes = 17 elements). */
#define ROW_CHUNK (KECCAK256_RATE / 8)

void merkle_hash_row(const uint64_t *row, size_t cols, sb_digest *out) {
    keccak256_ctx ctx;
    uint8_t buf[ROW_CHUNK * 8];
    keccak256_init(&ctx);
    for (size_t base = 0; base < cols; base += ROW_CHUNK) {
        size_t m = cols - base < ROW_CHUNK ? cols - base : ROW_CHUNK;
        for (size_t i = 0; i < m; i++) {
            uint64_t v = gl_reduce(row[base + i]);
            for (int k = 0; k < 8; k++) buf[8 * i + k] = (uint8_t)(v >> (56 - 8 * k));
        }
        keccak256_update(&ctx, buf, 8 * m);
    }
    keccak256_final(&ctx, out->b);
}

static void hash_pair(const sb_digest *left, const sb_digest *right, sb_digest *out) {
    keccak256_ctx ctx;
    keccak256_init(&ctx);
    keccak256_update(&ctx, left->b, 32);
    keccak256_update(&ctx, right->b, 32);
    keccak256_final(&ctx, out->b);
}

/* ---- eight hashes at once (keccak256_x8): the same digests as the functions above ---- */

static inline uint64_t load_le64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* Leaves of 8 rows; an element serialized big-endian is the byte-swapped little-endian word. */
static void hash_rows_x8(const uint64_t *const rows[8], size_t cols, sb_digest out[8]) {
    keccak256_x8_ctx ctx;
    uint64_t w[8];
    keccak256_x8_init(&ctx);
    for (size_t c = 0; c < cols; c++) {
        for (int i = 0; i < 8; i++) w[i] = __builtin_bswap64(gl_reduce(rows[i][c]));
        keccak256_x8_absorb(&ctx, w);
    }
    keccak256_x8_final(&ctx, (uint8_t(*)[32])out);
}

/* Parents out[i] = H(children[2i] || children[2i+1]) for i < 8. */
static void hash_pairs_x8(const sb_digest *children, sb_digest *out) {
    keccak256_x8_ctx ctx;
    uint64_t w[8];
    keccak256_x8_init(&ctx);
    for (int k = 0; k < 8; k++) { /* 64 bytes: 4 words of the left child, then 4 of the right */
        for (int i = 0; i < 8; i++) w[i] = load_le64(children[2 * i + k / 4].b + 8 * (k % 4));
        keccak256_x8_absorb(&ctx, w);
    }
    keccak256_x8_final(&ctx, (uint8_t(*)[32])out);
}

/* Allocates the nodes of a tree of n_leaves (a power of two >= 1). Returns 0 or -1. */
static int tree_alloc(merkle_tree *t, size_t n_leaves) {
    t->n_leaves = 0;
    t->nodes = NULL;
    if (log2_exact(n_leaves) < 0 || n_leaves > (SIZE_MAX / sizeof(sb_digest)) / 2) return -1;
    t->nodes = malloc((2 * n_leaves - 1) * sizeof(sb_digest));
    if (!t->nodes) return -1;
    t->n_leaves = n_leaves;
    return 0;
}

void merkle_build_inner(merkle_tree *t) {
    /* Level by level from the leaves up: the nodes of one level, [first, 2*first], are independent. */
    for (size_t first = t->n_leaves - 1; first > 0; first /= 2) {
        size_t lo = first / 2, hi = first; /* parents of level [first, 2*first] are [lo, first) */
        sb_digest *nodes = t->nodes;
        if (hi - lo < 8) {
            for (size_t i = lo; i < hi; i++) hash_pair(&nodes[2 * i + 1], &nodes[2 * i + 2], &nodes[i]);
            continue;
        }
        /* A level of >= 8 nodes has a multiple of 8; its children are contiguous. */
#pragma omp parallel for schedule(static) if (hi - lo >= MERKLE_PARALLEL_MIN)
        for (size_t i = lo; i < hi; i += 8) hash_pairs_x8(&nodes[2 * i + 1], &nodes[i]);
    }
}

int merkle_build_lde(merkle_tree *t, const uint64_t *lde, size_t lde_n, size_t cols) {
    if (!lde || cols == 0 || tree_alloc(t, lde_n) != 0) return -1;
    unsigned bits = (unsigned)log2_exact(lde_n);
    sb_digest *leaves = t->nodes + (lde_n - 1);
    if (lde_n < 8) {
        for (size_t k = 0; k < lde_n; k++) merkle_hash_row(lde + bit_reverse_index(k, bits) * cols, cols, &leaves[k]);
    } else {
#pragma omp parallel for schedule(static) if (lde_n >= MERKLE_PARALLEL_MIN)
        for (size_t k = 0; k < lde_n; k += 8) {
            const uint64_t *rows[8];
            for (int i = 0; i < 8; i++) rows[i] = lde + bit_reverse_index(k + (size_t)i, bits) * cols;
            hash_rows_x8(rows, cols, &leaves[k]);
        }
    }
    merkle_build_inner(t);
    return 0;
}

int merkle_build_leaves(merkle_tree *t, const sb_digest *leaves, size_t n_leaves) {
    if (!leaves || tree_alloc(t, n_leaves) != 0) return -1;
    memcpy(t->nodes + (n_leaves - 1), leaves, n_leaves * sizeof *leaves);
    merkle_build_inner(t);
    return 0;
}

const sb_digest *merkle_root(const merkle_tree *t) { return &t->nodes[0]; }

size_t merkle_tree_bytes(const merkle_tree *t) { return t->nodes ? (2 * t->n_leaves - 1) * sizeof(sb_digest) : 0; }

void merkle_path(const merkle_tree *t, size_t j, sb_digest *path) {
    /* A left child has an odd index, its sibling follows it; a right child's precedes it. */
    for (size_t node = t->n_leaves - 1 + j, l = 0; node > 0; node = (node - 1) / 2, l++)
        path[l] = t->nodes[(node & 1) ? node + 1 : node - 1];
}

int merkle_verify(const sb_digest *root, const sb_digest *leaf, size_t j, unsigned log_leaves,
                  const sb_digest *path) {
    if (log_leaves >= 64 || (j >> log_leaves) != 0) return 0; /* MUTANT merkle-index-range: if ( => if (0) if ( */
    sb_digest cur = *leaf;
    for (unsigned l = 0; l < log_leaves; l++) {
        if ((j >> l) & 1) hash_pair(&path[l], &cur, &cur);
        else hash_pair(&cur, &path[l], &cur);
    }
    return memcmp(cur.b, root->b, sizeof cur.b) == 0; /* MUTANT merkle-root: return => return 1 || */
}

void merkle_free(merkle_tree *t) {
    free(t->nodes);
    t->nodes = NULL;
    t->n_leaves = 0;
}
