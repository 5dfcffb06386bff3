#include "stark_poly.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "ntt.h"

/* Rows per chunk of sb_coset_eval (one batch inversion each). */
#define FP3_CHUNK 256
/* Below this many rows a parallel region costs more than it saves. */
#define PARALLEL_MIN_ROWS 4096

/* A sum of 128-bit products, reduced once at the end instead of once per product:
 * lo + carries * 2^128 (2^128 = -2^32 mod p). */
typedef struct lazy_sum {
    unsigned __int128 lo;
    uint64_t carries;
} lazy_sum;

static inline void lazy_add(lazy_sum *a, uint64_t x, uint64_t y) {
    unsigned __int128 prod = (unsigned __int128)x * y;
    a->lo += prod;
    a->carries += a->lo < prod;
}

static inline uint64_t lazy_reduce(const lazy_sum *a) {
    uint64_t r = gl_reduce128((uint64_t)a->lo, (uint64_t)(a->lo >> 64));
    return gl_add(r, gl_mul(gl_reduce(a->carries), GL_P - (1ULL << 32)));
}

/* Adds c * v (Fp3 times base) into three lazy sums. */
static inline void lazy_add_fp3(lazy_sum s[3], fp3_t c, uint64_t v) {
    for (int k = 0; k < 3; k++) lazy_add(&s[k], c.c[k], v);
}

/* Adds a * b (Fp3 times Fp3, w^3 = 2) into three lazy sums; b2 = 2b. */
static inline void lazy_add_fp3_mul(lazy_sum s[3], fp3_t a, fp3_t b, fp3_t b2) {
    lazy_add(&s[0], a.c[0], b.c[0]), lazy_add(&s[0], a.c[1], b2.c[2]), lazy_add(&s[0], a.c[2], b2.c[1]);
    lazy_add(&s[1], a.c[0], b.c[1]), lazy_add(&s[1], a.c[1], b.c[0]), lazy_add(&s[1], a.c[2], b2.c[2]);
    lazy_add(&s[2], a.c[0], b.c[2]), lazy_add(&s[2], a.c[1], b.c[1]), lazy_add(&s[2], a.c[2], b.c[0]);
}

static inline fp3_t lazy_reduce_fp3(const lazy_sum s[3]) {
    fp3_t r;
    for (int k = 0; k < 3; k++) r.c[k] = lazy_reduce(&s[k]);
    return r;
}

void sb_inv_shift_init(sb_inv_shift *c, fp3_t z) {
    /* Frobenius: w^p = zeta w with zeta = 2^((p-1)/3), a primitive cube root of unity. */
    uint64_t zeta = gl_pow(2, (GL_P - 1) / 3), zeta2 = gl_mul(zeta, zeta);
    fp3_t z1 = fp3_make(z.c[0], gl_mul(z.c[1], zeta), gl_mul(z.c[2], zeta2));
    fp3_t z2 = fp3_make(z.c[0], gl_mul(z.c[1], zeta2), gl_mul(z.c[2], zeta));
    c->a = fp3_add(z1, z2);
    c->b = fp3_mul(z1, z2);
    /* The symmetric functions of z, z', z'' lie in the base field. */
    c->n1 = fp3_add(z, c->a).c[0];
    c->n2 = fp3_add(fp3_mul(z, c->a), c->b).c[0];
    c->n3 = fp3_mul(z, c->b).c[0];
}

void sb_inv_shift_batch(const sb_inv_shift *c, const uint64_t *x, size_t m, fp3_t *out, uint64_t *scratch) {
    for (size_t j = 0; j < m; j++) scratch[j] = sb_inv_shift_norm(c, x[j]);
    gl_batch_inv(scratch, scratch, m);
    for (size_t j = 0; j < m; j++) out[j] = sb_inv_shift_apply(c, x[j], scratch[j]);
}

fp3_t sb_fp3_dot_base(const fp3_t *coeffs, const uint64_t *row, size_t cols) {
    lazy_sum s[3] = {{0, 0}, {0, 0}, {0, 0}};
    for (size_t k = 0; k < cols; k++) lazy_add_fp3(s, coeffs[k], row[k]);
    return lazy_reduce_fp3(s);
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
    if (log_n < 0 || log_n > GL_TWO_ADICITY || n_mats == 0 || n_points == 0 || n_points > SB_EVAL_MAX_POINTS) return -1;
    sb_inv_shift shifts[SB_EVAL_MAX_POINTS];
    for (size_t p = 0; p < n_points; p++) sb_inv_shift_init(&shifts[p], points[p]);
    size_t acc_len = 0; /* one accumulator per (matrix, point, column) */
    for (size_t k = 0; k < n_mats; k++) {
        if (!mats[k].rows || mats[k].stride < mats[k].cols) return -1;
        acc_len += n_points * mats[k].cols;
    }
    uint64_t w = gl_root_of_unity((unsigned)log_n);
    int nt = n >= PARALLEL_MIN_ROWS ? omp_get_max_threads() : 1;
    lazy_sum *acc = calloc((size_t)nt * acc_len * 3, sizeof *acc);
    fp3_t *partial = calloc((size_t)nt * acc_len, sizeof *partial);
    if (!acc || !partial) {
        free(acc);
        free(partial);
        return -1;
    }
    /* f(z) = (z^n - s^n) / (n s^n) * sum_j f_j x_j / (z - x_j), x_j = s w^j. Chunks of rows are
     * independent; each thread sums into its own accumulators (exact, so the order is free). */
#pragma omp parallel num_threads(nt)
    {
        int me = omp_get_thread_num();
        lazy_sum *my = acc + (size_t)me * acc_len * 3;
        uint64_t x[FP3_CHUNK], scratch[FP3_CHUNK];
        fp3_t wts[FP3_CHUNK];
#pragma omp for schedule(static)
        for (size_t base = 0; base < n; base += FP3_CHUNK) {
            size_t m = n - base < FP3_CHUNK ? n - base : FP3_CHUNK;
            x[0] = gl_mul(s, gl_pow(w, base));
            for (size_t j = 1; j < m; j++) x[j] = gl_mul(x[j - 1], w);
            lazy_sum *ap = my;
            for (size_t p = 0; p < n_points; p++) {
                sb_inv_shift_batch(&shifts[p], x, m, wts, scratch); /* 1 / (x_j - z) */
                for (size_t j = 0; j < m; j++) wts[j] = fp3_mul_base(wts[j], gl_neg(x[j]));
                for (size_t k = 0; k < n_mats; k++) { /* accumulators in (point, matrix, column) order */
                    size_t cols = mats[k].cols;
                    for (size_t j = 0; j < m; j++) {
                        const uint64_t *row = mats[k].rows + (base + j) * mats[k].stride;
                        for (size_t c = 0; c < cols; c++) lazy_add_fp3(ap + 3 * c, wts[j], row[c]);
                    }
                    ap += 3 * cols;
                }
            }
        }
        for (size_t i = 0; i < acc_len; i++) partial[(size_t)me * acc_len + i] = lazy_reduce_fp3(my + 3 * i);
    }
    const fp3_t *sum = partial;
    for (size_t p = 0; p < n_points; p++) {
        fp3_t scale = sb_coset_eval_scale(points[p], n, s);
        for (size_t k = 0; k < n_mats; k++)
            for (size_t c = 0; c < mats[k].cols; c++, sum++) {
                fp3_t v = *sum;
                for (int t = 1; t < nt; t++) v = fp3_add(v, sum[(size_t)t * acc_len]);
                mats[k].out[p * mats[k].cols + c] = fp3_mul(v, scale);
            }
    }
    free(acc);
    free(partial);
    return 0;
}

fp3_t sb_coset_eval_scale(fp3_t z, size_t n, uint64_t s) {
    uint64_t s_n = gl_pow(s, n);
    uint64_t inv_n_sn = gl_inv(gl_mul(gl_reduce((uint64_t)n), s_n));
    return fp3_mul_base(fp3_sub(fp3_pow(z, n), fp3_from_base(s_n)), inv_n_sn);
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

void sb_lde_vanishing(unsigned log_n, unsigned log_b, uint64_t *g, uint64_t *vanish) {
    const uint64_t n = (uint64_t)1 << log_n, seven_n = gl_pow(GL_GENERATOR, n), w_b = gl_root_of_unity(log_b);
    *g = gl_pow(gl_root_of_unity(log_n), n - 1);
    for (unsigned j = 0; j < 1u << log_b; j++) vanish[j] = gl_sub(gl_mul(seven_n, gl_pow(w_b, j)), 1);
}

void sb_accumulate_ext(fp3_t acc[4], const fp3_t *vals, const uint8_t *domains, const fp3_t *beta_pows, size_t n) {
    lazy_sum s[4][3];
    memset(s, 0, sizeof s);
    for (size_t i = 0; i < n; i++)
        lazy_add_fp3_mul(s[domains[i]], vals[i], beta_pows[i], fp3_add(beta_pows[i], beta_pows[i]));
    for (int d = 0; d < 4; d++) acc[d] = fp3_add(acc[d], lazy_reduce_fp3(s[d]));
}

void sb_accumulate_base(fp3_t acc[4], const uint64_t *vals, const uint8_t *domains, const fp3_t *beta_pows,
                        size_t n) {
    lazy_sum s[4][3];
    memset(s, 0, sizeof s);
    for (size_t i = 0; i < n; i++) lazy_add_fp3(s[domains[i]], beta_pows[i], vals[i]);
    for (int d = 0; d < 4; d++) acc[d] = fp3_add(acc[d], lazy_reduce_fp3(s[d]));
}
