/* The per-element work of the Rounds 2-4 kernels (gpu_rounds.h), host-and-device (SB_HD) so that
 * tests/test_rounds_dev.cu runs it on the CPU and compares it with the CPU rounds on a machine
 * without a GPU. The kernels (composition.cu, rounds.cu) are grid-stride loops around these. */
#ifndef SB_ROUNDS_CUH
#define SB_ROUNDS_CUH

#include <stdint.h>

#include "fp3.h"
#include "keccak_f.cuh"
#include "ntt.h"
#include "stark.h"
#include "stark_row.h"

/* The low `bits` bits of x reversed. */
SB_HD uint64_t bitrev_index(uint64_t x, unsigned bits) {
#ifdef __CUDA_ARCH__
    return bits ? __brevll(x) >> (64 - bits) : 0;
#else
    return bit_reverse_index(x, bits);
#endif
}

/* LDE row i's point 7 w^i (w: the LDE's root of unity). */
SB_HD uint64_t lde_point(uint64_t w, uint64_t i) { return gl_mul(GL_GENERATOR, gl_pow(w, i)); }

/* acc + c * v for an Fp3 coefficient c and a base value v. */
SB_HD fp3_t fp3_madd_base(fp3_t acc, fp3_t c, uint64_t v) { return fp3_add(acc, fp3_mul_base(c, v)); }

/* ---- composition split --------------------------------------------------------------------- */

/* One coefficient of the split (gpu_rounds.h sb_gpu_composition_split): dif is C after the
 * unscaled inverse NTT over the M = n * 2^log_b LDE rows, so its row bitrev(j) holds M 7^j c_j;
 * scale = 7^-j / M. Coefficient j < parts * n goes to part j / n as coefficient j mod n, at row
 * bitrev(j mod n) of the n x 3 parts matrix (the forward NTT's bit-reversed input). Returns 1
 * when j is past the parts and c_j is not zero (C is not of low degree), else 0. */
SB_HD int composition_split_coefficient(const uint64_t *dif, uint64_t *parts, unsigned log_n, unsigned log_b,
                                        unsigned n_parts, uint64_t j, uint64_t scale) {
    const uint64_t *v = dif + 3 * bitrev_index(j, log_n + log_b);
    const uint64_t c0 = gl_mul(v[0], scale), c1 = gl_mul(v[1], scale), c2 = gl_mul(v[2], scale);
    const uint64_t part = j >> log_n;
    if (part >= n_parts) return (c0 | c1 | c2) != 0;
    uint64_t *out = parts + bitrev_index(j & ((1ull << log_n) - 1), log_n) * 3 * n_parts + 3 * part;
    out[0] = c0, out[1] = c1, out[2] = c2;
    return 0;
}

/* ---- OOD ------------------------------------------------------------------------------------------ */

/* The barycentric weight x / (z - x) of the coset point x for the point z of c (stark_poly.c
 * sb_coset_eval: -x times 1/(x - z)). */
SB_HD fp3_t ood_weight(const sb_inv_shift *c, uint64_t x) {
    return fp3_mul_base(sb_inv_shift_apply(c, x, gl_inv(sb_inv_shift_norm(c, x))), gl_neg(x));
}

/* ---- DEEP ----------------------------------------------------------------------------------------- */

/* Q at the LDE point x from the row's sums s (every column) and s_shifted (the shifted matrices'
 * columns): 1/(x - z) and 1/(x - z w) from one inversion of the product of their norms. */
SB_HD fp3_t deep_row_value(const sb_inv_shift *sz, const sb_inv_shift *szw, uint64_t x, fp3_t s, fp3_t s_shifted,
                           fp3_t sum_z, fp3_t sum_zw) {
    const uint64_t nz = sb_inv_shift_norm(sz, x), nzw = sb_inv_shift_norm(szw, x);
    const uint64_t inv = gl_inv(gl_mul(nz, nzw));
    return sb_deep_value(s, s_shifted, sum_z, sum_zw, sb_inv_shift_apply(sz, x, gl_mul(inv, nzw)),
                         sb_inv_shift_apply(szw, x, gl_mul(inv, nz)));
}

/* ---- FRI ------------------------------------------------------------------------------------------- */

/* The folded value k < m/2 of a layer of m = 2 half values: x_k = offset w_m^k, so
 * 1/x_k = inv_offset * inv_w^k (inv_w = 1/w_m). */
SB_HD fp3_t fri_fold_at(const fp3_t *layer, uint64_t half, uint64_t k, uint64_t inv_offset, uint64_t inv_w,
                        fp3_t alpha) {
    return sb_fri_fold_pair(layer[k], layer[k + half], gl_mul(inv_offset, gl_pow(inv_w, k)), alpha);
}

/* A committed FRI pair's leaf (fri.c sb_fri_leaf: the Keccak-256 of lo.c0..c2, hi.c0..c2 as
 * canonical big-endian elements) as the device tree stores a node: 4 bit-interleaved lanes. */
SB_HD void fri_leaf_node(fp3_t lo, fp3_t hi, uint64_t node[4]) {
    const uint64_t row[6] = {lo.c[0], lo.c[1], lo.c[2], hi.c[0], hi.c[1], hi.c[2]};
    kl s[25];
SB_DEVICE_PRAGMA(unroll)
    for (int l = 0; l < 25; l++) s[l] = {0, 0};
    keccak_absorb_last_block<6>(s, row);
    keccak_f1600_digest<0, KECCAK_PLAIN>(s);
    keccak_store_node_digest(s, node);
}

/* ---- grinding ---------------------------------------------------------------------------------------- */

/* The seed's 32 bytes as the first 4 lanes of the message Keccak absorbs (little-endian words). */
SB_HD void pow_seed_lanes(const uint8_t seed[32], kl lanes[4]) {
    for (int l = 0; l < 4; l++) {
        uint64_t w = 0;
        for (int i = 7; i >= 0; i--) w = (w << 8) | seed[8 * l + i];
        lanes[l] = kl_of_u64(w);
    }
}

/* 1 iff Keccak-256(seed || be64(nonce)) starts with SB_POW_BITS zero bits (stark.h sb_pow_ok):
 * one block of 40 message bytes; the digest's first 4 bytes are lane 0's low word. */
SB_HD int pow_hit(const kl seed[4], uint64_t nonce) {
    kl s[25];
SB_DEVICE_PRAGMA(unroll)
    for (int l = 0; l < 4; l++) s[l] = seed[l];
    s[4] = kl_be(nonce);
SB_DEVICE_PRAGMA(unroll)
    for (int l = 5; l < 25; l++) s[l] = {0, 0};
    s[5].lo = 0x01;                /* padding after byte 40 */
    s[16].hi = 0x80000000u;        /* the rate's last byte */
    keccak_f1600_digest<0, KECCAK_PLAIN>(s);
    const uint32_t top = word_byte_perm(s[0].lo, 0, 0x0123); /* bytes 0..3, byte 0 most significant */
    return (top >> (32 - SB_POW_BITS)) == 0;
}

#endif
