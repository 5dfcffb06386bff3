/* Keccak-256 Merkle trees (docs/PROTOCOL.md "Merkle commitments").
 *
 * L = 2^k leaves in heap layout: 2L-1 digests, root at index 0, children of
 * node i at 2i+1 and 2i+2, leaf j at node L-1+j. parent = Keccak-256(left || right).
 * A row leaf is Keccak-256 of the row's elements, each canonical, u64 big-endian. */
#ifndef SB_MERKLE_H
#define SB_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sb_digest {
    uint8_t b[32];
} sb_digest;

typedef struct merkle_tree {
    size_t n_leaves;   /* L, a power of two >= 1 */
    sb_digest *nodes;  /* 2L-1 nodes, heap layout; owned */
} merkle_tree;

/* Serializes cols elements (reduced mod p, big-endian) and hashes them: one leaf digest. */
void merkle_hash_row(const uint64_t *row, size_t cols, sb_digest *out);

/* Builds the tree over the rows of a row-major lde_n x cols LDE matrix where leaf k
 * commits LDE row bitrev(k) over log2(lde_n) bits (so rows x and -x are adjacent leaves).
 * Returns 0, or -1 on allocation failure / bad size. OpenMP-parallel. */
int merkle_build_lde(merkle_tree *t, const uint64_t *lde, size_t lde_n, size_t cols);

/* Builds the tree over n_leaves given leaf digests (n_leaves a power of two). Returns 0 or -1. */
int merkle_build_leaves(merkle_tree *t, const sb_digest *leaves, size_t n_leaves);

/* Fills the inner nodes of t from its leaves (nodes L-1 .. 2L-2 already set). */
void merkle_build_inner(merkle_tree *t);

const sb_digest *merkle_root(const merkle_tree *t);

/* Returns the bytes of t's nodes: (2L-1) digests, or 0 for an empty tree. */
size_t merkle_tree_bytes(const merkle_tree *t);

/* Writes the authentication path of leaf j: log2(L) sibling digests, leaf level first. */
void merkle_path(const merkle_tree *t, size_t j, sb_digest *path);

/* Returns 1 iff `leaf` at index j with path (log_leaves digests) hashes up to root. */
int merkle_verify(const sb_digest *root, const sb_digest *leaf, size_t j, unsigned log_leaves,
                  const sb_digest *path);

void merkle_free(merkle_tree *t);

#ifdef __cplusplus
}
#endif

#endif
