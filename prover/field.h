/* Goldilocks field arithmetic, p = 2^64 - 2^32 + 1.
 *
 * Elements are uint64_t and every function returns the canonical value (< p).
 * gl_reduce, gl_reduce128, gl_mul, gl_pow and gl_inv accept any uint64_t (values
 * >= p are treated as their residue); gl_add, gl_sub and gl_neg need canonical
 * inputs (reduce first).
 * The inline functions here are shared by the C prover and the CUDA kernels
 * (SB_HD expands to __host__ __device__ under nvcc), so both backends compute
 * with the same code. */
#ifndef SB_FIELD_H
#define SB_FIELD_H

#include <stddef.h>
#include <stdint.h>

#if defined(__CUDACC__)
#define SB_HD __host__ __device__ __forceinline__
#else
#define SB_HD static inline
#endif

#define GL_P 0xFFFFFFFF00000001ULL
/* 2^64 mod p = 2^32 - 1. */
#define GL_EPSILON 0xFFFFFFFFULL
/* Multiplicative generator of the whole group; also the LDE coset offset. */
#define GL_GENERATOR 7ULL
/* Primitive 2^32-th root of unity: 7^((p-1)/2^32). */
#define GL_ROOT_2_32 1753635133440165772ULL
#define GL_TWO_ADICITY 32

/* Returns a mod p for any 64-bit a. */
SB_HD uint64_t gl_reduce(uint64_t a) { return a >= GL_P ? a - GL_P : a; }

/* Returns (a - b) mod p; a, b canonical (or any a, b <= p whose difference lies in [-p, p)). */
SB_HD uint64_t gl_sub(uint64_t a, uint64_t b) {
#if defined(__CUDA_ARCH__)
    /* Device: d = a - b; on a borrow d - EPSILON (= d + p mod 2^64), which cannot borrow again. */
    uint64_t r;
    asm("{\n\t.reg .u32 a0, a1, b0, b1, d0, d1, c;\n\t"
        "mov.b64 {a0, a1}, %1;\n\tmov.b64 {b0, b1}, %2;\n\t"
        "sub.cc.u32 d0, a0, b0;\n\tsubc.cc.u32 d1, a1, b1;\n\tsubc.u32 c, 0, 0;\n\t"
        "sub.cc.u32 d0, d0, c;\n\tsubc.u32 d1, d1, 0;\n\t"
        "mov.b64 %0, {d0, d1};\n\t}"
        : "=l"(r) : "l"(a), "l"(b));
    return r;
#else
    uint64_t d = a - b;
    return (a < b) ? d - GL_EPSILON : d; /* d + p = d - EPSILON mod 2^64 */
#endif
}

/* Returns (a + b) mod p; a, b canonical. */
SB_HD uint64_t gl_add(uint64_t a, uint64_t b) {
#if defined(__CUDA_ARCH__)
    /* Device: a - (p - b), with gl_sub's one borrow fix; p - b is in [1, p], so the difference
     * is a + b - p in [0, p) or, after a borrow, a + b < p. */
    return gl_sub(a, GL_P - b);
#else
    uint64_t s = a + b;
    /* On carry, 2^64 = EPSILON (mod p); s + EPSILON cannot carry again for canonical inputs. */
    uint64_t fix = (s < a) ? GL_EPSILON : 0;
    s += fix;
    return gl_reduce(s);
#endif
}

/* Returns -a mod p; a canonical. */
SB_HD uint64_t gl_neg(uint64_t a) { return a ? GL_P - a : 0; }

/* Reduces a 128-bit value hi*2^64 + lo modulo p (2^64 = 2^32 - 1, 2^96 = -1). */
SB_HD uint64_t gl_reduce128(uint64_t lo, uint64_t hi) {
#if defined(__CUDA_ARCH__)
    /* Device: one carry chain. t = lo - hi_hi (minus EPSILON on a borrow, which cannot borrow
     * again); r = t - hi_lo + hi_lo * 2^32 with k = carry - borrow in {0, 1}, then r + k EPSILON
     * (cannot carry), then r - p when r >= p (r + EPSILON carries). */
    uint64_t r;
    asm("{\n\t.reg .u32 l0, l1, h0, h1, t0, t1, b, k, s0, s1;\n\t.reg .pred q;\n\t"
        "mov.b64 {l0, l1}, %1;\n\tmov.b64 {h0, h1}, %2;\n\t"
        "sub.cc.u32 t0, l0, h1;\n\tsubc.cc.u32 t1, l1, 0;\n\tsubc.u32 b, 0, 0;\n\t"
        "sub.cc.u32 t0, t0, b;\n\tsubc.u32 t1, t1, 0;\n\t"
        "sub.cc.u32 t0, t0, h0;\n\tsubc.cc.u32 t1, t1, 0;\n\tsubc.u32 b, 0, 0;\n\t"
        "add.cc.u32 t1, t1, h0;\n\taddc.u32 k, b, 0;\n\tneg.s32 k, k;\n\t"
        "add.cc.u32 t0, t0, k;\n\taddc.u32 t1, t1, 0;\n\t"
        "add.cc.u32 s0, t0, 0xffffffff;\n\taddc.cc.u32 s1, t1, 0;\n\taddc.u32 k, 0, 0;\n\t"
        "setp.ne.u32 q, k, 0;\n\tselp.b32 t0, s0, t0, q;\n\tselp.b32 t1, s1, t1, q;\n\t"
        "mov.b64 %0, {t0, t1};\n\t}"
        : "=l"(r) : "l"(lo), "l"(hi));
    return r;
#else
    uint64_t hi_hi = hi >> 32;
    uint64_t hi_lo = hi & GL_EPSILON;
    uint64_t t0 = lo - hi_hi; /* lo - hi_hi * 2^96 */
    if (lo < hi_hi) t0 -= GL_EPSILON;
    uint64_t t1 = hi_lo * GL_EPSILON; /* hi_lo * 2^64 */
    uint64_t r = t0 + t1;
    if (r < t1) r += GL_EPSILON;
    return gl_reduce(r);
#endif
}

/* Returns a * b mod p; a, b canonical (or any u64: the result is canonical). */
SB_HD uint64_t gl_mul(uint64_t a, uint64_t b) {
#if defined(__CUDA_ARCH__)
    uint64_t lo = a * b;
    uint64_t hi = __umul64hi(a, b);
#else
    unsigned __int128 prod = (unsigned __int128)a * b;
    uint64_t lo = (uint64_t)prod;
    uint64_t hi = (uint64_t)(prod >> 64);
#endif
    return gl_reduce128(lo, hi);
}

SB_HD uint64_t gl_sqr(uint64_t a) { return gl_mul(a, a); }

/* Products by powers of two, each one gl_sub instead of a 128-bit reduction (2^64 = 2^32 - 1 =
 * EPSILON, 2^96 = -1 mod p; 2 has order 192, so 2^(12j) are the 16th roots of unity the NTT's
 * inner radix-16 steps multiply by). x is canonical in all three.
 *
 * 0 < c < 32: with h = x >> (64 - c) < 2^31, x 2^c = (x << c) + h EPSILON = (x << c) - (p - h EPSILON),
 * p - h EPSILON = (~h) 2^32 + h + 1. x << c may exceed p; gl_sub's one fix still lands in [0, p)
 * because the true difference lies in (-p, p). */
SB_HD uint64_t gl_mul_pow2_below32(uint64_t x, unsigned c) {
    const uint32_t h = (uint32_t)(x >> (64 - c));
    return gl_sub(x << c, ((uint64_t)(uint32_t)~h << 32) | (h + 1));
}

/* c = 32 + d, 0 < d < 32: x = A + M 2^(32-d) + H 2^(64-d) (A < 2^(32-d), M < 2^32, H < 2^d), so
 * x 2^c = a 2^32 + M 2^64 + H 2^96 = (a + M) 2^32 - (M + H), a = A 2^d (the low word of x << d).
 * With a + M = u0 + k 2^32: (a + M) 2^32 = u0 2^32 + k EPSILON, i.e. u0 2^32 + (0 - k) mod 2^32,
 * which is below p, and M + H < 2^33. */
SB_HD uint64_t gl_mul_pow2_32to64(uint64_t x, unsigned d) {
    const uint32_t x0 = (uint32_t)x, x1 = (uint32_t)(x >> 32);
    const uint32_t a = x0 << d, m = (x1 << d) | (x0 >> (32 - d)), h = x1 >> (32 - d);
    const uint64_t u = (uint64_t)a + m;
    return gl_sub((u << 32) | (uint32_t)(0u - (uint32_t)(u >> 32)), (uint64_t)m + h);
}

/* c = 64 + d, 0 < d < 32: with x = l + h 2^(32-d), l < 2^(32-d): x 2^(64+d) = l 2^d 2^64 + h 2^96 =
 * b (2^32 - 1) - h, b = l 2^d < 2^32 (the low word of x << d); b (2^32 - 1) < p, h < 2^(32+d). */
SB_HD uint64_t gl_mul_pow2_above64(uint64_t x, unsigned d) {
    const uint64_t b = (uint32_t)((uint32_t)x << d);
    return gl_sub((b << 32) - b, x >> (32 - d));
}

/* Returns x * 2^c mod p for x canonical, c < 96 (x * 2^(c+96) = -(x * 2^c)). Meant for a constant
 * c, where the branches fold; c = 32 and 64 take the generic reduction. */
SB_HD uint64_t gl_mul_pow2(uint64_t x, unsigned c) {
    if (c == 0) return x;
    if (c < 32) return gl_mul_pow2_below32(x, c);
    if (c > 32 && c < 64) return gl_mul_pow2_32to64(x, c - 32);
    if (c > 64) return gl_mul_pow2_above64(x, c - 64);
    return c == 32 ? gl_reduce128(x << 32, x >> 32) : gl_reduce128(0, x);
}

/* Returns a^e mod p. */
SB_HD uint64_t gl_pow(uint64_t a, uint64_t e) {
    uint64_t r = 1, b = gl_reduce(a);
    while (e) {
        if (e & 1) r = gl_mul(r, b);
        b = gl_mul(b, b);
        e >>= 1;
    }
    return r;
}

/* Returns a^-1 mod p (a^(p-2)); returns 0 for a = 0. */
SB_HD uint64_t gl_inv(uint64_t a) { return gl_pow(a, GL_P - 2); }

/* Returns the primitive 2^log_n-th root of unity, log_n <= 32. */
SB_HD uint64_t gl_root_of_unity(unsigned log_n) {
    uint64_t w = GL_ROOT_2_32;
    for (unsigned i = log_n; i < GL_TWO_ADICITY; i++) w = gl_mul(w, w);
    return w;
}

#if !defined(__CUDACC__)
/* Writes out[i] = in[i]^-1 for i < n (Montgomery's trick, one inversion).
 * in and out may alias. Every in[i] must be non-zero. */
void gl_batch_inv(uint64_t *out, const uint64_t *in, size_t n);

/* Writes out[i] = start * ratio^i for i < n (OpenMP-parallel for large n). */
void gl_powers(uint64_t *out, size_t n, uint64_t start, uint64_t ratio);
#endif

#endif
