/* The per-element math of Rounds 2-4, shared by the CPU rounds (cpu_rounds.c, stark_poly.c, fri.c)
 * and the CUDA kernels (kernels/rounds.cuh): every function is SB_HD (field.h), so both backends
 * compute each value with the same code (docs/PROTOCOL.md pins the math). */
#ifndef SB_STARK_ROW_H
#define SB_STARK_ROW_H

#include <stdint.h>

#include "air.h"
#include "fp3.h"

/* 1/2 mod p = (p + 1) / 2. */
#define GL_INV_TWO 0x7FFFFFFF80000001ULL

/* 1/(x - z) for base x and one z in Fp3 \ Fp, through the norm: with z', z'' the conjugates of
 * z, N(x) = (x - z)(x - z')(x - z'') has base coefficients and 1/(x - z) = q(x) / N(x),
 * q(x) = (x - z')(x - z'') = x^2 - a x + b. One base inversion per x (batched on the CPU)
 * instead of an Fp3 one. sb_inv_shift_init (stark_poly.h) fills it from z. */
typedef struct sb_inv_shift {
    uint64_t n1, n2, n3; /* N(x) = x^3 - n1 x^2 + n2 x - n3 */
    fp3_t a, b;
} sb_inv_shift;

/* Returns N(x), non-zero for every base x. */
SB_HD uint64_t sb_inv_shift_norm(const sb_inv_shift *c, uint64_t x) {
    return gl_sub(gl_mul(gl_add(gl_mul(gl_sub(x, c->n1), x), c->n2), x), c->n3);
}

/* Returns 1/(x - z) = q(x) / N(x) from inv_norm = 1/N(x). */
SB_HD fp3_t sb_inv_shift_apply(const sb_inv_shift *c, uint64_t x, uint64_t inv_norm) {
    fp3_t q = fp3_add_base(fp3_sub(c->b, fp3_mul_base(c->a, x)), gl_mul(x, x));
    return fp3_mul_base(q, inv_norm);
}

/* The composition value at an LDE point x from the weighted constraint sums acc[d] of each
 * sb_domain d: the sums divided by their domains'
 * vanishing polynomials, given inv_vanish = 1/(x^n - 1), inv_first = 1/(x - 1) and
 * inv_last = 1/(x - g), g = w_n^(n-1). TRANSITION divides by (x^n - 1)/(x - g). */
SB_HD fp3_t sb_composition_combine(const fp3_t acc[4], uint64_t x, uint64_t g, uint64_t inv_vanish,
                                   uint64_t inv_first, uint64_t inv_last) {
    const uint64_t inv_transition = gl_mul(gl_sub(x, g), inv_vanish);
    fp3_t c = fp3_mul_base(acc[SB_DOM_ALL], inv_vanish);
    c = fp3_add(c, fp3_mul_base(acc[SB_DOM_TRANSITION], inv_transition));
    c = fp3_add(c, fp3_mul_base(acc[SB_DOM_FIRST], inv_first));
    return fp3_add(c, fp3_mul_base(acc[SB_DOM_LAST], inv_last));
}

/* The DEEP composition value at one point x (rounds.h sb_deep_in):
 * (s - sum_z) * inv_x_z + (s_shifted - sum_zw) * inv_x_zw. */
SB_HD fp3_t sb_deep_value(fp3_t s, fp3_t s_shifted, fp3_t sum_z, fp3_t sum_zw, fp3_t inv_x_z, fp3_t inv_x_zw) {
    return fp3_add(fp3_mul(fp3_sub(s, sum_z), inv_x_z), fp3_mul(fp3_sub(s_shifted, sum_zw), inv_x_zw));
}

/* Returns the folded value (a + b)/2 + alpha (a - b) * inv_x / 2 of the FRI pair a = Q(x), b = Q(-x). */
SB_HD fp3_t sb_fri_fold_pair(fp3_t a, fp3_t b, uint64_t inv_x, fp3_t alpha) {
    fp3_t even = fp3_add(a, b);
    fp3_t odd = fp3_mul_base(fp3_sub(a, b), inv_x);
    return fp3_mul_base(fp3_add(even, fp3_mul(alpha, odd)), GL_INV_TWO);
}

#endif
