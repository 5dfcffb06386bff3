/* Polynomial helpers shared by the prover's round operations and the verifier,
 * so that both compute every value with the same code (docs/PROTOCOL.md). */
#ifndef SB_STARK_POLY_H
#define SB_STARK_POLY_H

#include <stddef.h>
#include <stdint.h>

#include "air.h"
#include "fp3.h"
#include "stark_row.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fills c for the point z (Fp3 \ Fp; stark_row.h). */
void sb_inv_shift_init(sb_inv_shift *c, fp3_t z);
/* Writes out[j] = 1/(x[j] - z) for j < m; scratch holds m base elements. Every x[j] must differ from z. */
void sb_inv_shift_batch(const sb_inv_shift *c, const uint64_t *x, size_t m, fp3_t *out, uint64_t *scratch);

/* Returns sum_k coeffs[k] * row[k] over cols base elements. */
fp3_t sb_fp3_dot_base(const fp3_t *coeffs, const uint64_t *row, size_t cols);

/* Returns sum_k coeffs[k] * y^k (Horner; y in the base field). */
fp3_t sb_fp3_horner_base(const fp3_t *coeffs, size_t n, uint64_t y);

/* Writes pows[i] = x^i for i < n. */
void sb_fp3_powers(fp3_t *pows, size_t n, fp3_t x);

/* A matrix to evaluate: row j (cols base values at rows + j*stride, stride >= cols) holds
 * the values of cols polynomials of degree < n at the coset point s * w_n^j; out receives
 * each polynomial's value at each point, out[p * cols + c]. */
typedef struct sb_eval_matrix {
    const uint64_t *rows;
    size_t stride, cols;
    fp3_t *out;
} sb_eval_matrix;

#define SB_EVAL_MAX_POINTS 4

/* Barycentric evaluation of every column of n_mats matrices over the coset s * <w_n> at
 * n_points (<= SB_EVAL_MAX_POINTS) points, each outside the base field. The weights are shared by the matrices.
 * OpenMP-parallel; exact, so independent of the thread count. Returns 0, or -1 on bad
 * arguments or allocation failure. */
int sb_coset_eval(const sb_eval_matrix *mats, size_t n_mats, size_t n, uint64_t s, const fp3_t *points,
                  size_t n_points);

/* Interpolation from a coset: the row-major m x cols matrix holds, in row i, the values of
 * cols polynomials at s * w_m^i; on return row k holds their coefficients of x^k.
 * m a power of two. Returns 0, or -1 on bad arguments. */
int sb_coset_interpolate(uint64_t *vals, size_t m, size_t cols, uint64_t s);

/* The vanishing polynomial of a constraint domain (air.h) on H = <w_n>, evaluated at x:
 * ALL: x^n - 1; TRANSITION: (x^n - 1) / (x - w_n^(n-1)); FIRST: x - 1; LAST: x - w_n^(n-1).
 * x_n is x^n. Returns the value (the caller inverts it). */
fp3_t sb_zerofier(sb_domain d, fp3_t x, fp3_t x_n, unsigned log_n);

/* The vanishing polynomials' constants on an LDE of 2^log_n rows at blowup 2^log_b: *g = w_n^(n-1),
 * the last point of H, and vanish[j] = x^n - 1 on the LDE rows i = j mod 2^log_b (x^n = 7^n w_b^j
 * takes 2^log_b values; vanish has 2^log_b entries). */
void sb_lde_vanishing(unsigned log_n, unsigned log_b, uint64_t *g, uint64_t *vanish);

/* Adds beta_pows[i] * vals[i] into acc[domains[i]] for i < n (acc has one entry per sb_domain;
 * every domains[i] must be a valid sb_domain: stark.h checks the AIR once). */
void sb_accumulate_ext(fp3_t acc[4], const fp3_t *vals, const uint8_t *domains, const fp3_t *beta_pows, size_t n);
void sb_accumulate_base(fp3_t acc[4], const uint64_t *vals, const uint8_t *domains, const fp3_t *beta_pows,
                        size_t n);

/* Returns the barycentric factor of sb_coset_eval at z: (z^n - s^n) / (n s^n), i.e. f(z) is
 * this times sum_j f(x_j) x_j / (z - x_j) over x_j = s w_n^j. */
fp3_t sb_coset_eval_scale(fp3_t z, size_t n, uint64_t s);

#ifdef __cplusplus
}
#endif

#endif
