/* Coset low-degree extension (docs/PROTOCOL.md "Encoding").
 *
 * Input: a row-major n x cols matrix whose column c holds the evaluations of a
 * polynomial of degree < n over H = <w_n> in natural order (row r <-> w_n^r).
 * Output: the row-major (blowup*n) x cols matrix of its evaluations on the
 * coset 7*<w_{blowup*n}> in natural order (row i <-> 7 * w_{bn}^i).
 * An ext3 matrix of M columns is passed as a base matrix of 3M columns. */
#ifndef SB_LDE_H
#define SB_LDE_H

#include <stddef.h>
#include <stdint.h>

/* Computes the LDE of `trace` into `out` (capacity blowup*n*cols; must not alias trace).
 * n a power of two, blowup in {1,2,4,8,...}. Returns 0, or -1 on bad arguments. */
int lde_coset_row_major(const uint64_t *trace, size_t n, size_t cols, unsigned blowup, uint64_t *out);

/* Returns the field element of LDE row i: 7 * w_{lde_n}^i. */
uint64_t lde_point(size_t lde_n, size_t i);

#endif
