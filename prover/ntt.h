/* Number-theoretic transforms over Goldilocks on row-major matrices.
 *
 * A matrix is n rows x cols columns, row-major (element (r, c) at data[r*cols + c]);
 * every transform acts on all columns at once, in place, without copying a
 * column out. n must be a power of two, 1 <= n <= 2^32. Parallel with OpenMP
 * (the calling thread's omp_get_max_threads()). */
#ifndef SB_NTT_H
#define SB_NTT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Forward NTT: on input column c holds coefficients a_0..a_{n-1} (natural order);
 * on output it holds evaluations A(w_n^r) at row r (natural order), w_n = gl_root_of_unity(log2 n). */
void ntt_forward_rows(uint64_t *data, size_t n, size_t cols);

/* Inverse NTT: evaluations over <w_n> in natural order -> coefficients, natural order (scaled by 1/n). */
void ntt_inverse_rows(uint64_t *data, size_t n, size_t cols);

/* The two halves of the transforms above, for callers that can use bit-reversed order
 * directly (the LDE does: it never permutes). Rows are `stride` elements apart (stride >= cols),
 * so a transform can run on every b-th row of a larger buffer.
 * ntt_dif_rows: natural-order input -> bit-reversed output, over <w_n> (inverse: <w_n^-1>),
 * unscaled. ntt_dit_rows: bit-reversed input -> natural-order output; it applies only the
 * butterfly levels first_level..log2(n)-1 (level m pairs rows 2^m apart), for a caller
 * that has already produced the lower levels' result itself.
 * Both return 0, or -1 when the twiddle tables cannot be allocated (data then unchanged).
 * (The void transforms above abort with a message in that case.) */
int ntt_dif_rows(uint64_t *data, size_t n, size_t stride, size_t cols, int inverse);
int ntt_dit_rows(uint64_t *data, size_t n, size_t stride, size_t cols, int inverse, unsigned first_level);

/* Permutes the rows of the matrix into bit-reversed order over log2(n) bits. */
void bit_reverse_rows(uint64_t *data, size_t n, size_t cols);

/* Returns the bit reversal of the low `bits` bits of x. */
static inline uint64_t bit_reverse_index(uint64_t x, unsigned bits) {
    uint64_t r = 0;
    for (unsigned i = 0; i < bits; i++) { r = (r << 1) | (x & 1); x >>= 1; }
    return r;
}

/* Returns log2(n) for a power of two n, or -1 when n is not a power of two. */
int log2_exact(uint64_t n);

#ifdef __cplusplus
}
#endif

#endif
