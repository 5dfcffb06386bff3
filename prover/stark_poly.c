#include "stark_poly.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "ntt.h"

/* Elements per inversion in the batch inverse; also the row chunk of sb_coset_eval. */
#define FP3_CHUNK 256
/* Below this many rows a parallel region costs more than it saves. */
#define PARALLEL_MIN_ROWS 4096

void sb_fp3_batch_inv(fp3_t *out, const fp3_t *in, size_t n) {
    fp3_t prefix[FP3_CHUNK];
    for (size_t base = 0; base < n; base += FP3_CHUNK) {
        size_t m = n - base < FP3_CHUNK ? n - base : FP3_CHUNK;
        const fp3_t *x = in + base;
        fp3_t acc = fp3_one();
        for (size_t i = 0; i < m; i++) {
            acc = fp3_mul(acc, x[i]);
            prefix[i] = acc;
        }
        fp3_t inv = fp3_inv(acc);
        for (size_t i = m - 1; i > 0; i--) {
            fp3_t xi = x[i]; /* read before out[base + i], which may alias it, is written */
            out[base + i] = fp3_mul(inv, prefix[i - 1]);
            inv = fp3_mul(inv, xi);
        }
        out[base] = inv;
    }
}

fp3_t sb_fp3_dot_base(const fp3_t *coeffs, const uint64_t *row, size_t cols) {
    fp3_t s = fp3_zero();
    for (size_t k = 0; k < cols; k++) s = fp3_add(s, fp3_mul_base(coeffs[k], row[k]));
    return s;
}

fp3_t sb_fp3_horner_base(const fp3_t *coeffs, size_t n, uint64_t y) {
    fp3_t r = fp3_zero();
    for (size_t k = n; k-- > 0;) r = fp3_add(fp3_mul_base(r, y), coeffs[k]);
    return r;
}

void sb_fp3_powers(fp3_t *pows, size_t n, fp3_t x) {
    fp3_t p = fp3_one();
    for (size_t i = 0; i < n; i++) {
        pows[i] = p;
        p = fp3_mul(p, x);
    }
}

int sb_coset_eval(const sb_eval_matrix *mats, size_t n_mats, size_t n, uint64_t s, const fp3_t *points,
                  size_t n_points) {
    int log_n = log2_exact(n);
    if (log_n < 0 || log_n > GL_TWO_ADICITY || n_mats == 0 || n_points == 0) return -1;
    size_t acc_len = 0; /* one accumulator per (matrix, point, column) */
    for (size_t k = 0; k < n_mats; k++) {
        if (!mats[k].rows || mats[k].stride < mats[k].cols) return -1;
        acc_len += n_points * mats[k].cols;
    }
    uint64_t w = gl_root_of_unity((unsigned)log_n);
    int nt = n >= PARALLEL_MIN_ROWS ? omp_get_max_threads() : 1;
    fp3_t *acc = calloc((size_t)nt * acc_len, sizeof *acc);
    if (!acc) return -1;
    /* f(z) = (z^n - s^n) / (n s^n) * sum_j f_j x_j / (z - x_j), x_j = s w^j. Chunks of rows are
     * independent; each thread sums into its own accumulator (exact, so the order is free). */
#pragma omp parallel num_threads(nt)
    {
        fp3_t *my = acc + (size_t)omp_get_thread_num() * acc_len;
        uint64_t x[FP3_CHUNK];
        fp3_t wts[FP3_CHUNK];
#pragma omp for schedule(static)
        for (size_t base = 0; base < n; base += FP3_CHUNK) {
            size_t m = n - base < FP3_CHUNK ? n - base : FP3_CHUNK;
            x[0] = gl_mul(s, gl_pow(w, base));
            for (size_t j = 1; j < m; j++) x[j] = gl_mul(x[j - 1], w);
            fp3_t *ap = my;
            for (size_t p = 0; p < n_points; p++) {
                for (size_t j = 0; j < m; j++) wts[j] = fp3_sub(points[p], fp3_from_base(x[j]));
                sb_fp3_batch_inv(wts, wts, m);
                for (size_t j = 0; j < m; j++) wts[j] = fp3_mul_base(wts[j], x[j]);
                for (size_t k = 0; k < n_mats; k++) { /* accumulators in (point, matrix, column) order */
                    size_t cols = mats[k].cols;
                    for (size_t j = 0; j < m; j++) {
                        const uint64_t *row = mats[k].rows + (base + j) * mats[k].stride;
                        for (size_t c = 0; c < cols; c++) ap[c] = fp3_add(ap[c], fp3_mul_base(wts[j], row[c]));
                    }
                    ap += cols;
                }
            }
        }
    }
    uint64_t s_n = gl_pow(s, n);
    uint64_t inv_n_sn = gl_inv(gl_mul(gl_reduce((uint64_t)n), s_n));
    const fp3_t *sum = acc;
    for (size_t p = 0; p < n_points; p++) {
        fp3_t scale = fp3_mul_base(fp3_sub(fp3_pow(points[p], n), fp3_from_base(s_n)), inv_n_sn);
        for (size_t k = 0; k < n_mats; k++)
            for (size_t c = 0; c < mats[k].cols; c++, sum++) {
                fp3_t v = *sum;
                for (int t = 1; t < nt; t++) v = fp3_add(v, sum[(size_t)t * acc_len]);
                mats[k].out[p * mats[k].cols + c] = fp3_mul(v, scale);
            }
    }
    free(acc);
    return 0;
}

int sb_coset_interpolate(uint64_t *vals, size_t m, size_t cols, uint64_t s) {
    int log_m = log2_exact(m);
    if (!vals || log_m < 0 || log_m > GL_TWO_ADICITY || cols == 0) return -1;
    /* The inverse NTT gives the coefficients of f(s x); coefficient k of f is that one times s^-k. */
    ntt_inverse_rows(vals, m, cols);
    uint64_t s_inv = gl_inv(s), f = 1;
    for (size_t k = 0; k < m; k++) {
        for (size_t c = 0; c < cols; c++) vals[k * cols + c] = gl_mul(vals[k * cols + c], f);
        f = gl_mul(f, s_inv);
    }
    return 0;
}

fp3_t sb_zerofier(sb_domain d, fp3_t x, fp3_t x_n, unsigned log_n) {
    uint64_t last = gl_pow(gl_root_of_unity(log_n), ((uint64_t)1 << log_n) - 1);
    fp3_t vanish = fp3_sub(x_n, fp3_one());
    switch (d) {
    case SB_DOM_TRANSITION: return fp3_mul(vanish, fp3_inv(fp3_sub(x, fp3_from_base(last))));
    case SB_DOM_FIRST: return fp3_sub(x, fp3_one());
    case SB_DOM_LAST: return fp3_sub(x, fp3_from_base(last));
    case SB_DOM_ALL: break;
    }
    return vanish;
}

void sb_accumulate_ext(fp3_t acc[4], const fp3_t *vals, const uint8_t *domains, const fp3_t *beta_pows, size_t n) {
    for (size_t i = 0; i < n; i++) acc[domains[i]] = fp3_add(acc[domains[i]], fp3_mul(beta_pows[i], vals[i]));
}

void sb_accumulate_base(fp3_t acc[4], const uint64_t *vals, const uint8_t *domains, const fp3_t *beta_pows,
                        size_t n) {
    for (size_t i = 0; i < n; i++)
        acc[domains[i]] = fp3_add(acc[domains[i]], fp3_mul_base(beta_pows[i], vals[i]));
}
