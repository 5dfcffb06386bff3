/* Coset LDE without any row permutation pass:
 *
 * 1. The inverse NTT runs decimation-in-frequency on trace rows placed every `blowup`-th
 *    row of out, so it leaves n * coefficient bitrev(p) in out row blowup*p.
 * 2. That is exactly the bit-reversed input a size blowup*n decimation-in-time NTT wants for
 *    the zero-padded coefficients: coefficient k < n sits at row blowup*bitrev(k), every
 *    other row is zero. Its first log2(blowup) levels then only copy each non-zero row into
 *    the blowup-1 rows after it, so we do that copy, folding in the coset shift 7^k and the
 *    1/n of the inverse transform, and run the remaining levels. */
#include "lde.h"

#include <stdlib.h>

#include "field.h"
#include "ntt.h"

/* Below this many elements a parallel region costs more than it saves. */
#define LDE_PARALLEL_MIN (1u << 15)

int lde_coset_row_major(const uint64_t *trace, size_t n, size_t cols, unsigned blowup, uint64_t *out) {
    int log_n = log2_exact(n), log_b = log2_exact(blowup);
    if (!trace || !out || cols == 0 || log_n < 0 || log_b < 0 || log_n + log_b > 32) return -1;
    size_t stride = (size_t)blowup * cols, lde_n = n << log_b;
    int parallel = (uint64_t)lde_n * cols >= LDE_PARALLEL_MIN;

    /* shift[k] = 7^k / n: the coset offset and the inverse NTT's scaling in one factor. */
    uint64_t *shift = malloc(n * sizeof *shift);
    if (!shift) return -1;
    gl_powers(shift, n, gl_inv(gl_reduce((uint64_t)n)), GL_GENERATOR);

#pragma omp parallel for schedule(static) if (parallel)
    for (size_t r = 0; r < n; r++)
        for (size_t c = 0; c < cols; c++) out[r * stride + c] = gl_reduce(trace[r * cols + c]);

    if (ntt_dif_rows(out, n, stride, cols, 1) != 0) {
        free(shift);
        return -1;
    }

#pragma omp parallel for schedule(static) if (parallel)
    for (size_t p = 0; p < n; p++) {
        uint64_t *row = out + p * stride, s = shift[bit_reverse_index(p, (unsigned)log_n)];
        for (size_t c = 0; c < cols; c++) row[c] = gl_mul(row[c], s);
        for (size_t t = 1; t < blowup; t++)
            for (size_t c = 0; c < cols; c++) row[t * cols + c] = row[c];
    }
    free(shift);

    return ntt_dit_rows(out, lde_n, cols, cols, 0, (unsigned)log_b);
}

uint64_t lde_point(size_t lde_n, size_t i) {
    int log = log2_exact(lde_n);
    if (log < 0 || log > GL_TWO_ADICITY) return 0;
    return gl_mul(GL_GENERATOR, gl_pow(gl_root_of_unity((unsigned)log), i));
}
