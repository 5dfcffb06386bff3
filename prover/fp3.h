/* Cubic extension Fp3 = Fp[w]/(w^3 - 2) over Goldilocks.
 *
 * An element is c0 + c1 w + c2 w^2, stored as three canonical uint64_t; a
 * row-major matrix of M Fp3 columns is therefore a base matrix of 3M columns.
 * Shared by host and device code like field.h. */
#ifndef SB_FP3_H
#define SB_FP3_H

#include "field.h"

typedef struct fp3 {
    uint64_t c[3];
} fp3_t;

SB_HD fp3_t fp3_make(uint64_t c0, uint64_t c1, uint64_t c2) {
    fp3_t r;
    r.c[0] = gl_reduce(c0);
    r.c[1] = gl_reduce(c1);
    r.c[2] = gl_reduce(c2);
    return r;
}
SB_HD fp3_t fp3_from_base(uint64_t a) { return fp3_make(a, 0, 0); }
SB_HD fp3_t fp3_zero(void) { return fp3_make(0, 0, 0); }
SB_HD fp3_t fp3_one(void) { return fp3_make(1, 0, 0); }
SB_HD int fp3_is_zero(fp3_t a) { return (a.c[0] | a.c[1] | a.c[2]) == 0; }
SB_HD int fp3_eq(fp3_t a, fp3_t b) { return a.c[0] == b.c[0] && a.c[1] == b.c[1] && a.c[2] == b.c[2]; }
/* True when a lies in the base field (c1 = c2 = 0). */
SB_HD int fp3_is_base(fp3_t a) { return (a.c[1] | a.c[2]) == 0; }

SB_HD fp3_t fp3_add(fp3_t a, fp3_t b) {
    fp3_t r;
    for (int i = 0; i < 3; i++) r.c[i] = gl_add(a.c[i], b.c[i]);
    return r;
}
SB_HD fp3_t fp3_sub(fp3_t a, fp3_t b) {
    fp3_t r;
    for (int i = 0; i < 3; i++) r.c[i] = gl_sub(a.c[i], b.c[i]);
    return r;
}
SB_HD fp3_t fp3_neg(fp3_t a) {
    fp3_t r;
    for (int i = 0; i < 3; i++) r.c[i] = gl_neg(a.c[i]);
    return r;
}
/* a * s for a base-field scalar s. */
SB_HD fp3_t fp3_mul_base(fp3_t a, uint64_t s) {
    fp3_t r;
    for (int i = 0; i < 3; i++) r.c[i] = gl_mul(a.c[i], s);
    return r;
}
/* a + s for a base-field scalar s. */
SB_HD fp3_t fp3_add_base(fp3_t a, uint64_t s) {
    a.c[0] = gl_add(a.c[0], gl_reduce(s));
    return a;
}

/* (a0 + a1 w + a2 w^2)(b0 + b1 w + b2 w^2) with w^3 = 2. */
SB_HD fp3_t fp3_mul(fp3_t a, fp3_t b) {
    uint64_t a0b0 = gl_mul(a.c[0], b.c[0]);
    uint64_t a1b1 = gl_mul(a.c[1], b.c[1]);
    uint64_t a2b2 = gl_mul(a.c[2], b.c[2]);
    uint64_t a0b1 = gl_add(gl_mul(a.c[0], b.c[1]), gl_mul(a.c[1], b.c[0]));
    uint64_t a0b2 = gl_add(gl_add(gl_mul(a.c[0], b.c[2]), gl_mul(a.c[2], b.c[0])), a1b1);
    uint64_t a1b2 = gl_add(gl_mul(a.c[1], b.c[2]), gl_mul(a.c[2], b.c[1]));
    fp3_t r;
    r.c[0] = gl_add(a0b0, gl_add(a1b2, a1b2));  /* + 2 * (a1b2 + a2b1) */
    r.c[1] = gl_add(a0b1, gl_add(a2b2, a2b2));  /* + 2 * a2b2 */
    r.c[2] = a0b2;
    return r;
}
SB_HD fp3_t fp3_sqr(fp3_t a) { return fp3_mul(a, a); }

SB_HD fp3_t fp3_pow(fp3_t a, uint64_t e) {
    fp3_t r = fp3_one();
    while (e) {
        if (e & 1) r = fp3_mul(r, a);
        a = fp3_mul(a, a);
        e >>= 1;
    }
    return r;
}

/* Returns a^-1; returns 0 for a = 0.
 * Uses the norm: a * a' * a'' = N(a) in Fp, with the conjugates obtained from
 * the adjugate of the multiplication-by-a matrix. */
SB_HD fp3_t fp3_inv(fp3_t a) {
    uint64_t a0 = a.c[0], a1 = a.c[1], a2 = a.c[2];
    /* Cofactors of [[a0, 2a2, 2a1], [a1, a0, 2a2], [a2, a1, a0]]. */
    uint64_t t0 = gl_sub(gl_mul(a0, a0), gl_mul(gl_add(a1, a1), a2));   /* a0^2 - 2 a1 a2 */
    uint64_t t1 = gl_sub(gl_mul(gl_add(a2, a2), a2), gl_mul(a0, a1));   /* 2 a2^2 - a0 a1 */
    uint64_t t2 = gl_sub(gl_mul(a1, a1), gl_mul(a0, a2));               /* a1^2 - a0 a2 */
    /* N = a0 t0 + 2 (a2 t1 + a1 t2) */
    uint64_t n = gl_add(gl_mul(a0, t0), gl_mul(2, gl_add(gl_mul(a2, t1), gl_mul(a1, t2))));
    uint64_t ninv = gl_inv(n);
    return fp3_make(gl_mul(t0, ninv), gl_mul(t1, ninv), gl_mul(t2, ninv));
}

#endif
