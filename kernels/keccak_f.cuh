/* Keccak-f[1600] on the device: the 25-lane state in registers (every index a constant
 * after unrolling), 64-bit rotations as funnel shifts. Same permutation as prover/keccak.c. */
#ifndef SB_KECCAK_F_CUH
#define SB_KECCAK_F_CUH

#include <stdint.h>

#include "keccak.h"

static __constant__ uint64_t keccak_round_constants[24] = KECCAK_ROUND_CONSTANTS;

__device__ __forceinline__ uint64_t rotl64(uint64_t x, int n) { return (x << n) | (x >> (64 - n)); }

/* One round: theta, rho + pi (b[y + 5((2x+3y) mod 5)] = rot(a[x + 5y], r)), chi, iota. */
__device__ __forceinline__ void keccak_round(uint64_t s[25], uint64_t rc) {
    const uint64_t c0 = s[0] ^ s[5] ^ s[10] ^ s[15] ^ s[20], c1 = s[1] ^ s[6] ^ s[11] ^ s[16] ^ s[21],
                   c2 = s[2] ^ s[7] ^ s[12] ^ s[17] ^ s[22], c3 = s[3] ^ s[8] ^ s[13] ^ s[18] ^ s[23],
                   c4 = s[4] ^ s[9] ^ s[14] ^ s[19] ^ s[24];
    const uint64_t d0 = c4 ^ rotl64(c1, 1), d1 = c0 ^ rotl64(c2, 1), d2 = c1 ^ rotl64(c3, 1),
                   d3 = c2 ^ rotl64(c4, 1), d4 = c3 ^ rotl64(c0, 1);
    const uint64_t b0 = s[0] ^ d0, b1 = rotl64(s[6] ^ d1, 44), b2 = rotl64(s[12] ^ d2, 43);
    const uint64_t b3 = rotl64(s[18] ^ d3, 21), b4 = rotl64(s[24] ^ d4, 14), b5 = rotl64(s[3] ^ d3, 28);
    const uint64_t b6 = rotl64(s[9] ^ d4, 20), b7 = rotl64(s[10] ^ d0, 3), b8 = rotl64(s[16] ^ d1, 45);
    const uint64_t b9 = rotl64(s[22] ^ d2, 61), b10 = rotl64(s[1] ^ d1, 1), b11 = rotl64(s[7] ^ d2, 6);
    const uint64_t b12 = rotl64(s[13] ^ d3, 25), b13 = rotl64(s[19] ^ d4, 8), b14 = rotl64(s[20] ^ d0, 18);
    const uint64_t b15 = rotl64(s[4] ^ d4, 27), b16 = rotl64(s[5] ^ d0, 36), b17 = rotl64(s[11] ^ d1, 10);
    const uint64_t b18 = rotl64(s[17] ^ d2, 15), b19 = rotl64(s[23] ^ d3, 56), b20 = rotl64(s[2] ^ d2, 62);
    const uint64_t b21 = rotl64(s[8] ^ d3, 55), b22 = rotl64(s[14] ^ d4, 39), b23 = rotl64(s[15] ^ d0, 41);
    const uint64_t b24 = rotl64(s[21] ^ d1, 2);
    s[0] = b0 ^ (~b1 & b2);
    s[1] = b1 ^ (~b2 & b3);
    s[2] = b2 ^ (~b3 & b4);
    s[3] = b3 ^ (~b4 & b0);
    s[4] = b4 ^ (~b0 & b1);
    s[5] = b5 ^ (~b6 & b7);
    s[6] = b6 ^ (~b7 & b8);
    s[7] = b7 ^ (~b8 & b9);
    s[8] = b8 ^ (~b9 & b5);
    s[9] = b9 ^ (~b5 & b6);
    s[10] = b10 ^ (~b11 & b12);
    s[11] = b11 ^ (~b12 & b13);
    s[12] = b12 ^ (~b13 & b14);
    s[13] = b13 ^ (~b14 & b10);
    s[14] = b14 ^ (~b10 & b11);
    s[15] = b15 ^ (~b16 & b17);
    s[16] = b16 ^ (~b17 & b18);
    s[17] = b17 ^ (~b18 & b19);
    s[18] = b18 ^ (~b19 & b15);
    s[19] = b19 ^ (~b15 & b16);
    s[20] = b20 ^ (~b21 & b22);
    s[21] = b21 ^ (~b22 & b23);
    s[22] = b22 ^ (~b23 & b24);
    s[23] = b23 ^ (~b24 & b20);
    s[24] = b24 ^ (~b20 & b21);
    s[0] ^= rc;
}

__device__ __forceinline__ void keccak_f1600_dev(uint64_t s[25]) {
#pragma unroll 2
    for (int r = 0; r < 24; r++) keccak_round(s, keccak_round_constants[r]);
}

/* The lane of a canonical field element serialized big-endian (Keccak lanes are little-endian). */
__device__ __forceinline__ uint64_t be_lane(uint64_t v) {
    const uint32_t lo = (uint32_t)v, hi = (uint32_t)(v >> 32);
    return ((uint64_t)__byte_perm(lo, 0, 0x0123) << 32) | __byte_perm(hi, 0, 0x0123);
}

#endif
