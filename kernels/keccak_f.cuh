/* Keccak-f[1600] on the device, every 64-bit lane held as two 32-bit halves (lo, hi) in registers
 * (every index a constant after unrolling). Same permutation as prover/keccak.c.
 *
 * Why halves: the SMs have no 64-bit logic unit, so every 64-bit operation becomes 32-bit ones
 * anyway; written on halves, a round is exactly 121 three-input LOP3 (theta's parities 20, theta
 * folded into the rho input 50, chi 50, iota 1) and 58 funnel shifts (29 rotations) on the ALU
 * pipe, which is the kernel's limit, plus one add (iota's high word) on the FMA pipe. The same
 * round on uint64_t compiled to ~7 % more. The multiplier pipe cannot take rotations over:
 * IMAD.HI and IMAD.WIDE, the only multiplies that shift right, run at half rate and still hold
 * the ALU (docs/PERFORMANCE.md, "Round 6"). */
#ifndef SB_KECCAK_F_CUH
#define SB_KECCAK_F_CUH

#include <stdint.h>

#include "keccak.h"

static __constant__ uint64_t keccak_round_constants[24] = KECCAK_ROUND_CONSTANTS;

/* A lane: bits 0..31 in lo, 32..63 in hi. */
struct kl {
    uint32_t lo, hi;
};

__device__ __forceinline__ kl kl_xor3(kl a, kl b, kl c) { return {a.lo ^ b.lo ^ c.lo, a.hi ^ b.hi ^ c.hi}; }

__device__ __forceinline__ kl kl_xor5(kl a, kl b, kl c, kl d, kl e) {
    return {a.lo ^ b.lo ^ c.lo ^ d.lo ^ e.lo, a.hi ^ b.hi ^ c.hi ^ d.hi ^ e.hi};
}

/* Rotation left by n, 0 < n < 64, n != 32 (a constant: two SHF.L.W with immediate shifts). */
__device__ __forceinline__ kl kl_rotl(kl x, int n) {
    if (n < 32) return {__funnelshift_l(x.hi, x.lo, n), __funnelshift_l(x.lo, x.hi, n)};
    return {__funnelshift_l(x.lo, x.hi, n - 32), __funnelshift_l(x.hi, x.lo, n - 32)};
}

/* chi: a ^ (~b & c), one LOP3 per half. */
__device__ __forceinline__ kl kl_chi(kl a, kl b, kl c) { return {a.lo ^ (~b.lo & c.lo), a.hi ^ (~b.hi & c.hi)}; }

/* One round: theta (d_x = c_{x-1} ^ rot(c_{x+1}, 1), folded into the rho input), rho + pi
 * (b[y + 5((2x+3y) mod 5)] = rot(a[x + 5y] ^ d_x, r)), chi, iota. */
__device__ __forceinline__ void keccak_round(kl s[25], uint64_t rc) {
    kl c[5], r[5];
#pragma unroll
    for (int x = 0; x < 5; x++) c[x] = kl_xor5(s[x], s[x + 5], s[x + 10], s[x + 15], s[x + 20]);
#pragma unroll
    for (int x = 0; x < 5; x++) r[x] = kl_rotl(c[x], 1);
#define TH(i, x) kl_xor3(s[i], c[((x) + 4) % 5], r[((x) + 1) % 5])
    const kl b0 = TH(0, 0), b1 = kl_rotl(TH(6, 1), 44), b2 = kl_rotl(TH(12, 2), 43), b3 = kl_rotl(TH(18, 3), 21),
             b4 = kl_rotl(TH(24, 4), 14), b5 = kl_rotl(TH(3, 3), 28), b6 = kl_rotl(TH(9, 4), 20),
             b7 = kl_rotl(TH(10, 0), 3), b8 = kl_rotl(TH(16, 1), 45), b9 = kl_rotl(TH(22, 2), 61),
             b10 = kl_rotl(TH(1, 1), 1), b11 = kl_rotl(TH(7, 2), 6), b12 = kl_rotl(TH(13, 3), 25),
             b13 = kl_rotl(TH(19, 4), 8), b14 = kl_rotl(TH(20, 0), 18), b15 = kl_rotl(TH(4, 4), 27),
             b16 = kl_rotl(TH(5, 0), 36), b17 = kl_rotl(TH(11, 1), 10), b18 = kl_rotl(TH(17, 2), 15),
             b19 = kl_rotl(TH(23, 3), 56), b20 = kl_rotl(TH(2, 2), 62), b21 = kl_rotl(TH(8, 3), 55),
             b22 = kl_rotl(TH(14, 4), 39), b23 = kl_rotl(TH(15, 0), 41), b24 = kl_rotl(TH(21, 1), 2);
#undef TH
    s[0] = kl_chi(b0, b1, b2), s[1] = kl_chi(b1, b2, b3), s[2] = kl_chi(b2, b3, b4), s[3] = kl_chi(b3, b4, b0);
    s[4] = kl_chi(b4, b0, b1), s[5] = kl_chi(b5, b6, b7), s[6] = kl_chi(b6, b7, b8), s[7] = kl_chi(b7, b8, b9);
    s[8] = kl_chi(b8, b9, b5), s[9] = kl_chi(b9, b5, b6), s[10] = kl_chi(b10, b11, b12);
    s[11] = kl_chi(b11, b12, b13), s[12] = kl_chi(b12, b13, b14), s[13] = kl_chi(b13, b14, b10);
    s[14] = kl_chi(b14, b10, b11), s[15] = kl_chi(b15, b16, b17), s[16] = kl_chi(b16, b17, b18);
    s[17] = kl_chi(b17, b18, b19), s[18] = kl_chi(b18, b19, b15), s[19] = kl_chi(b19, b15, b16);
    s[20] = kl_chi(b20, b21, b22), s[21] = kl_chi(b21, b22, b23), s[22] = kl_chi(b22, b23, b24);
    s[23] = kl_chi(b23, b24, b20), s[24] = kl_chi(b24, b20, b21);
    /* iota. Every round constant's high word is 0 or 2^31 (checked below), so adding it is the
     * XOR, and the add issues on the FMA pipe, beside the saturated ALU. */
    s[0].lo ^= (uint32_t)rc;
    s[0].hi += (uint32_t)(rc >> 32);
}

constexpr bool keccak_rc_high_words_are_sign_bits() {
    constexpr uint64_t rc[24] = KECCAK_ROUND_CONSTANTS;
    for (int r = 0; r < 24; r++)
        if ((rc[r] >> 32) != 0 && (rc[r] >> 32) != 0x80000000u) return false;
    return true;
}
static_assert(keccak_rc_high_words_are_sign_bits(), "iota adds the round constants' high words");

/* The permutation; four rounds per loop iteration: two cost ~1 % more in loop overhead, a
 * fully unrolled permutation overflows the instruction cache. */
__device__ __forceinline__ void keccak_f1600_dev(kl s[25]) {
#pragma unroll 4
    for (int r = 0; r < 24; r++) keccak_round(s, keccak_round_constants[r]);
}

/* The permutation when only lanes 0..3 (a Keccak-256 digest) are read afterwards. The last
 * round is peeled so that the compiler drops the 21 lanes nobody reads (~120 of its ~180
 * instructions). PEEL_FIRST = 1 peels round 0 too, for a state with constant lanes (a tree
 * node: 8 data lanes, the padding, zeros), which then fold away (~30 instructions); the same
 * eight round bodies either way, as 20 rounds stay in the loop. The leaves keep round 0 in the
 * loop: peeled after a dense absorb it saves nothing and costs some instantiations 6 registers. */
template <int PEEL_FIRST>
__device__ __forceinline__ void keccak_f1600_digest(kl s[25]) {
    if (PEEL_FIRST) keccak_round(s, keccak_round_constants[0]);
#pragma unroll 4
    for (int r = PEEL_FIRST; r < PEEL_FIRST + 20; r++) keccak_round(s, keccak_round_constants[r]);
#pragma unroll
    for (int r = PEEL_FIRST + 20; r < 24; r++) keccak_round(s, keccak_round_constants[r]);
}

/* The canonical field element v serialized big-endian, as a lane (Keccak lanes are
 * little-endian): lo takes the byte-reversed high word, hi the byte-reversed low word. */
__device__ __forceinline__ kl kl_be(uint64_t v) {
    return {__byte_perm((uint32_t)(v >> 32), 0, 0x0123), __byte_perm((uint32_t)v, 0, 0x0123)};
}

/* XORs kl_be(v) into lane l. */
__device__ __forceinline__ void kl_absorb_be(kl &l, uint64_t v) {
    const kl w = kl_be(v);
    l.lo ^= w.lo;
    l.hi ^= w.hi;
}

/* Lane l as a little-endian uint64_t (the digest's bytes in memory order). */
__device__ __forceinline__ uint64_t kl_u64(kl l) { return ((uint64_t)l.hi << 32) | l.lo; }

#endif
