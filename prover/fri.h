/* FRI with folding factor 2 (docs/PROTOCOL.md "FRI").
 *
 * Layer 0 is the DEEP polynomial Q (degree < n) on D_0 = 7 * <w_M>, M = blowup * n,
 * natural order; it is never committed (its values at a query come from the trace
 * openings). Layer l has M_l = M / 2^l values on D_l = 7^(2^l) * <w_{M_l}>. Folding with
 * alpha_l: Q_{l+1}(x^2) = (Q_l(x) + Q_l(-x))/2 + alpha_l (Q_l(x) - Q_l(-x))/(2x).
 * Layers 1..L-1 are committed, leaf k = (Q_l[k], Q_l[k + M_l/2]) (the sibling pair x, -x);
 * layer L = Q_L, of degree < 2^(log n - L), is sent as its coefficients. */
#ifndef SB_FRI_H
#define SB_FRI_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "fp3.h"
#include "stark_row.h" /* sb_fri_fold_pair */
#include "transcript.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Folding stops at a final polynomial of fewer than 2^SB_FRI_FINAL_LOG coefficients. */
#define SB_FRI_FINAL_LOG 3

/* Returns L, the number of folds for a polynomial of degree < 2^log_n. */
static inline unsigned sb_fri_folds(unsigned log_n) { return log_n > SB_FRI_FINAL_LOG ? log_n - SB_FRI_FINAL_LOG : 0; }

/* Returns the offset of layer l's coset: 7^(2^l). */
uint64_t sb_fri_offset(unsigned layer);

/* Writes the leaf digest of a committed pair: merkle_hash_row of lo.c0..c2, hi.c0..c2. */
void sb_fri_leaf(fp3_t lo, fp3_t hi, sb_digest *out);

/* The prover's FRI state for one table: the folded layers as backend matrices. */
typedef struct sb_fri_prover {
    unsigned log_lde, n_folds;
    sb_matrix layers[32]; /* layers[l], l = 1..n_folds; 1..n_folds-1 committed */
} sb_fri_prover;

/* The commit phase: folds layer0 (M = 2^log_lde values of one ext3 column, offset 7; the
 * caller keeps it) through the backend's fri_fold, drawing alpha_l from tr before fold l and
 * absorbing the root of every committed layer after it; writes the roots (n_folds - 1, or
 * none) and the final polynomial's 2^(log_n - n_folds) coefficients (from the last layer's
 * host copy: 2^(log_lde - n_folds) values), and absorbs those. Returns 0, or -1 with a reason
 * in op->err (e.g. the final layer is not of low degree); st then holds what was built
 * (sb_fri_prover_free). */
int sb_fri_commit(sb_backend *be, sb_op *op, sb_matrix *layer0, unsigned log_n, sb_transcript *tr,
                  sb_fri_prover *st, sb_digest *roots, fp3_t *final_coeffs);

/* Writes the openings of the q pair indices queries[j] (< M/2) in every committed layer, one
 * backend open_many per layer: query j's siblings of the values the verifier folds
 * (n_folds - 1 of them, at siblings + j * sibling_stride) and its paths (log2(M_l / 2)
 * digests a layer, layer by layer, at paths + j * path_stride). Returns 0, or -1 with
 * op->err. */
int sb_fri_open(sb_backend *be, sb_op *op, sb_fri_prover *st, const size_t *queries, size_t q, fp3_t *siblings,
                size_t sibling_stride, sb_digest *paths, size_t path_stride);

/* Releases every layer through the backend and zeroes st. */
void sb_fri_prover_free(sb_backend *be, sb_fri_prover *st);

/* Returns the digests in one query's FRI paths: sum over l = 1..n_folds-1 of log_lde - l - 1. */
size_t sb_fri_path_len(unsigned log_lde, unsigned n_folds);

/* The verifier's check of one query: a = Q_0(x), b = Q_0(-x) for x = D_0 row i0, folded
 * through every layer against its root (alphas: n_folds, roots: n_folds - 1), ending on the
 * final polynomial. Returns 0, or -1 with the failing check in why. */
int sb_fri_verify_query(unsigned log_lde, unsigned n_folds, const fp3_t *alphas, const sb_digest *roots,
                        const fp3_t *final_coeffs, size_t n_final, size_t i0, fp3_t a, fp3_t b,
                        const fp3_t *siblings, const sb_digest *paths, char *why, size_t whylen);

#ifdef __cplusplus
}
#endif

#endif
