/* Keccak-f[1600] on the device, every 64-bit lane held as two 32-bit words in registers (every
 * index a constant after unrolling). Same permutation as prover/keccak.c.
 *
 * Why words: the SMs have no 64-bit logic unit, so every 64-bit operation becomes 32-bit ones
 * anyway; written on words, a round is exactly 121 three-input LOP3 (theta's parities 20, theta
 * folded into the rho input 50, chi 50, iota 1) and 58 funnel shifts (29 rotations) on the ALU
 * pipe, which is the kernel's limit, plus one add (iota's high word) on the FMA pipe. The same
 * round on uint64_t compiled to ~7 % more. The multiplier pipe cannot take rotations over:
 * IMAD.HI and IMAD.WIDE, the only multiplies that shift right, run at half rate and still hold
 * the ALU (docs/PERFORMANCE.md, "Round 6").
 *
 * Two ways to split a lane into its words (keccak_repr): PLAIN, bits 0..31 and 32..63; and
 * INTERLEAVED, the even bits and the odd bits. Interleaved, a rotation by 2k is a rotation of
 * each word by k, and a rotation by 1 swaps the words and rotates one of them: theta's five
 * rotations by 1 and rho's of lane 1 cost one funnel shift each instead of two, and iota XORs
 * both words (its odd word is no sign bit), 174 ALU instructions a round instead of 179.
 * Converting a lane costs ~20, so only the tree nodes, whose inputs are digests, run
 * interleaved: the device tree stores its digests interleaved (kl_interleave). */
#ifndef SB_KECCAK_F_CUH
#define SB_KECCAK_F_CUH

#include <stdint.h>

#include "field.h"
#include "keccak.h"

/* Every function here is SB_HD (field.h), so it also compiles for the host: tests/test_keccak_f.cu
 * runs the kernels' permutation on the CPU, where there is no GPU. The two intrinsics have host
 * equivalents, and the round constants come from a constexpr table there. */

/* __funnelshift_l: the high word of ((hi:lo) << (n mod 32)). */
SB_HD uint32_t word_funnel_l(uint32_t lo, uint32_t hi, unsigned n) {
#ifdef __CUDA_ARCH__
    return __funnelshift_l(lo, hi, n);
#else
    return (uint32_t)(((((uint64_t)hi << 32) | lo) << (n % 32)) >> 32);
#endif
}

/* __byte_perm without its sign mode: byte i of the result is byte (sel >> 4i) & 7 of y:x. */
SB_HD uint32_t word_byte_perm(uint32_t x, uint32_t y, uint32_t sel) {
#ifdef __CUDA_ARCH__
    return __byte_perm(x, y, sel);
#else
    const uint64_t yx = ((uint64_t)y << 32) | x;
    uint32_t r = 0;
    for (int i = 0; i < 4; i++) r |= (uint32_t)(yx >> (8 * ((sel >> (4 * i)) & 7)) & 0xff) << (8 * i);
    return r;
#endif
}

/* A pragma for the device pass only (#pragma unroll is unknown to the host compiler). */
#ifdef __CUDA_ARCH__
#define SB_DEVICE_PRAGMA(p) _Pragma(#p)
#else
#define SB_DEVICE_PRAGMA(p)
#endif

enum keccak_repr { KECCAK_PLAIN, KECCAK_INTERLEAVED };

/* A lane as two words: PLAIN lo = bits 0..31, hi = bits 32..63; INTERLEAVED lo = bits 0, 2, ..,
 * 62 (bit 2i as bit i), hi = bits 1, 3, .., 63. */
struct kl {
    uint32_t lo, hi;
};

/* One delta swap: exchanges the bits of x under mask m with those s places above them. */
__host__ __device__ constexpr uint32_t bits_delta_swap(uint32_t x, uint32_t m, int s) {
    const uint32_t t = ((x >> s) ^ x) & m;
    return x ^ t ^ (t << s);
}

/* A word's bits regrouped byte-wise: byte 0 = its even bits of bits 0..15, byte 1 = the odd
 * ones, bytes 2, 3 the same of bits 16..31. kl_interleave's byte permutations finish the job. */
__host__ __device__ constexpr uint32_t bits_unzip_halves(uint32_t x) {
    return bits_delta_swap(bits_delta_swap(bits_delta_swap(x, 0x22222222u, 1), 0x0C0C0C0Cu, 2), 0x00F000F0u, 4);
}
__host__ __device__ constexpr uint32_t bits_zip_halves(uint32_t x) {
    return bits_delta_swap(bits_delta_swap(bits_delta_swap(x, 0x00F000F0u, 4), 0x0C0C0C0Cu, 2), 0x22222222u, 1);
}

/* PLAIN -> INTERLEAVED and back (~20 ALU instructions a lane). */
SB_HD kl kl_interleave(kl x) {
    const uint32_t a = bits_unzip_halves(x.lo), b = bits_unzip_halves(x.hi);
    return {word_byte_perm(a, b, 0x6420), word_byte_perm(a, b, 0x7531)};
}
SB_HD kl kl_deinterleave(kl x) {
    return {bits_zip_halves(word_byte_perm(x.lo, x.hi, 0x5140)), bits_zip_halves(word_byte_perm(x.lo, x.hi, 0x7362))};
}

/* The 24 round constants as lanes of representation R (constexpr, for the tables below). */
struct keccak_rc_table {
    kl rc[24];
};
template <keccak_repr R>
constexpr keccak_rc_table keccak_rc_lanes() {
    constexpr uint64_t rc64[24] = KECCAK_ROUND_CONSTANTS;
    keccak_rc_table t{};
    for (int r = 0; r < 24; r++) {
        uint32_t lo = 0, hi = 0;
        for (int i = 0; i < 32; i++) {
            const int even = R == KECCAK_PLAIN ? i : 2 * i, odd = R == KECCAK_PLAIN ? 32 + i : 2 * i + 1;
            lo |= (uint32_t)((rc64[r] >> even) & 1) << i;
            hi |= (uint32_t)((rc64[r] >> odd) & 1) << i;
        }
        t.rc[r] = {lo, hi};
    }
    return t;
}
/* Indexed by keccak_repr; the device reads its copy in constant memory. */
static constexpr keccak_rc_table keccak_round_constants_host[2] = {keccak_rc_lanes<KECCAK_PLAIN>(),
                                                                   keccak_rc_lanes<KECCAK_INTERLEAVED>()};
static __constant__ keccak_rc_table keccak_round_constants[2] = {keccak_round_constants_host[0],
                                                                  keccak_round_constants_host[1]};

SB_HD kl kl_xor3(kl a, kl b, kl c) { return {a.lo ^ b.lo ^ c.lo, a.hi ^ b.hi ^ c.hi}; }

SB_HD kl kl_xor5(kl a, kl b, kl c, kl d, kl e) {
    return {a.lo ^ b.lo ^ c.lo ^ d.lo ^ e.lo, a.hi ^ b.hi ^ c.hi ^ d.hi ^ e.hi};
}

/* A word rotated left by n (a constant; none for n = 0 mod 32, else one SHF.L.W). */
SB_HD uint32_t word_rotl(uint32_t x, int n) {
    return n % 32 ? word_funnel_l(x, x, n % 32) : x;
}

/* Rotation left by n, 0 < n < 64 (a constant). PLAIN, n != 32: two SHF.L.W. INTERLEAVED: even
 * n = 2k rotates both words by k; odd n = 2k+1 moves the odd word, rotated by k+1, to the even
 * one and the even word, rotated by k, to the odd one (one SHF.L.W for n = 1). */
template <keccak_repr R>
SB_HD kl kl_rotl(kl x, int n) {
    if (R == KECCAK_INTERLEAVED) {
        if (n % 2 == 0) return {word_rotl(x.lo, n / 2), word_rotl(x.hi, n / 2)};
        return {word_rotl(x.hi, n / 2 + 1), word_rotl(x.lo, n / 2)};
    }
    if (n < 32) return {word_funnel_l(x.hi, x.lo, n), word_funnel_l(x.lo, x.hi, n)};
    return {word_funnel_l(x.lo, x.hi, n - 32), word_funnel_l(x.hi, x.lo, n - 32)};
}

/* chi: a ^ (~b & c), one LOP3 per half. */
SB_HD kl kl_chi(kl a, kl b, kl c) { return {a.lo ^ (~b.lo & c.lo), a.hi ^ (~b.hi & c.hi)}; }

/* One round: theta (d_x = c_{x-1} ^ rot(c_{x+1}, 1), folded into the rho input), rho + pi
 * (b[y + 5((2x+3y) mod 5)] = rot(a[x + 5y] ^ d_x, r)), chi, iota. */
template <keccak_repr R>
SB_HD void keccak_round(kl s[25], kl rc) {
    kl c[5], r[5];
SB_DEVICE_PRAGMA(unroll)
    for (int x = 0; x < 5; x++) c[x] = kl_xor5(s[x], s[x + 5], s[x + 10], s[x + 15], s[x + 20]);
SB_DEVICE_PRAGMA(unroll)
    for (int x = 0; x < 5; x++) r[x] = kl_rotl<R>(c[x], 1);
#define TH(i, x) kl_xor3(s[i], c[((x) + 4) % 5], r[((x) + 1) % 5])
#define ROT kl_rotl<R>
    const kl b0 = TH(0, 0), b1 = ROT(TH(6, 1), 44), b2 = ROT(TH(12, 2), 43), b3 = ROT(TH(18, 3), 21),
             b4 = ROT(TH(24, 4), 14), b5 = ROT(TH(3, 3), 28), b6 = ROT(TH(9, 4), 20),
             b7 = ROT(TH(10, 0), 3), b8 = ROT(TH(16, 1), 45), b9 = ROT(TH(22, 2), 61),
             b10 = ROT(TH(1, 1), 1), b11 = ROT(TH(7, 2), 6), b12 = ROT(TH(13, 3), 25),
             b13 = ROT(TH(19, 4), 8), b14 = ROT(TH(20, 0), 18), b15 = ROT(TH(4, 4), 27),
             b16 = ROT(TH(5, 0), 36), b17 = ROT(TH(11, 1), 10), b18 = ROT(TH(17, 2), 15),
             b19 = ROT(TH(23, 3), 56), b20 = ROT(TH(2, 2), 62), b21 = ROT(TH(8, 3), 55),
             b22 = ROT(TH(14, 4), 39), b23 = ROT(TH(15, 0), 41), b24 = ROT(TH(21, 1), 2);
#undef TH
#undef ROT
    s[0] = kl_chi(b0, b1, b2), s[1] = kl_chi(b1, b2, b3), s[2] = kl_chi(b2, b3, b4), s[3] = kl_chi(b3, b4, b0);
    s[4] = kl_chi(b4, b0, b1), s[5] = kl_chi(b5, b6, b7), s[6] = kl_chi(b6, b7, b8), s[7] = kl_chi(b7, b8, b9);
    s[8] = kl_chi(b8, b9, b5), s[9] = kl_chi(b9, b5, b6), s[10] = kl_chi(b10, b11, b12);
    s[11] = kl_chi(b11, b12, b13), s[12] = kl_chi(b12, b13, b14), s[13] = kl_chi(b13, b14, b10);
    s[14] = kl_chi(b14, b10, b11), s[15] = kl_chi(b15, b16, b17), s[16] = kl_chi(b16, b17, b18);
    s[17] = kl_chi(b17, b18, b19), s[18] = kl_chi(b18, b19, b15), s[19] = kl_chi(b19, b15, b16);
    s[20] = kl_chi(b20, b21, b22), s[21] = kl_chi(b21, b22, b23), s[22] = kl_chi(b22, b23, b24);
    s[23] = kl_chi(b23, b24, b20), s[24] = kl_chi(b24, b20, b21);
    /* iota. PLAIN: every round constant's high word is 0 or 2^31 (checked below), so adding it
     * is the XOR, and the add issues on the FMA pipe, beside the saturated ALU. */
    s[0].lo ^= rc.lo;
    if (R == KECCAK_PLAIN) s[0].hi += rc.hi;
    else s[0].hi ^= rc.hi;
}

constexpr bool keccak_rc_high_words_are_sign_bits() {
    constexpr keccak_rc_table t = keccak_rc_lanes<KECCAK_PLAIN>();
    for (int r = 0; r < 24; r++)
        if (t.rc[r].hi != 0 && t.rc[r].hi != 0x80000000u) return false;
    return true;
}
static_assert(keccak_rc_high_words_are_sign_bits(), "iota adds the round constants' high words");

template <keccak_repr R>
SB_HD void keccak_round_r(kl s[25], int r) {
#ifdef __CUDA_ARCH__
    keccak_round<R>(s, keccak_round_constants[R].rc[r]);
#else
    keccak_round<R>(s, keccak_round_constants_host[R].rc[r]);
#endif
}

/* The permutation (PLAIN); four rounds per loop iteration: two cost ~1 % more in loop overhead, a
 * fully unrolled permutation overflows the instruction cache. */
SB_HD void keccak_f1600_dev(kl s[25]) {
SB_DEVICE_PRAGMA(unroll 4)
    for (int r = 0; r < 24; r++) keccak_round_r<KECCAK_PLAIN>(s, r);
}

/* The permutation when only lanes 0..3 (a Keccak-256 digest) are read afterwards. The last
 * round is peeled so that the compiler drops the 21 lanes nobody reads (~120 of its ~180
 * instructions). PEEL_FIRST = 1 peels round 0 too, for a state with constant lanes (a tree
 * node: 8 data lanes, the padding, zeros), which then fold away (~30 instructions); the same
 * eight round bodies either way, as 20 rounds stay in the loop. The leaves keep round 0 in the
 * loop: peeled after a dense absorb it saves nothing and costs some instantiations 6 registers. */
template <int PEEL_FIRST, keccak_repr R>
SB_HD void keccak_f1600_digest(kl s[25]) {
    if (PEEL_FIRST) keccak_round_r<R>(s, 0);
SB_DEVICE_PRAGMA(unroll 4)
    for (int r = PEEL_FIRST; r < PEEL_FIRST + 20; r++) keccak_round_r<R>(s, r);
SB_DEVICE_PRAGMA(unroll)
    for (int r = PEEL_FIRST + 20; r < 24; r++) keccak_round_r<R>(s, r);
}

/* The canonical field element v serialized big-endian, as a lane (Keccak lanes are
 * little-endian): lo takes the byte-reversed high word, hi the byte-reversed low word. */
SB_HD kl kl_be(uint64_t v) {
    return {word_byte_perm((uint32_t)(v >> 32), 0, 0x0123), word_byte_perm((uint32_t)v, 0, 0x0123)};
}

/* XORs kl_be(v) into lane l. */
SB_HD void kl_absorb_be(kl &l, uint64_t v) {
    const kl w = kl_be(v);
    l.lo ^= w.lo;
    l.hi ^= w.hi;
}

/* A lane's words as one uint64_t, lo in the low half (PLAIN: the lane, i.e. its 8 bytes of a digest
 * in memory order), and back. */
__host__ __device__ constexpr uint64_t kl_u64(kl l) { return ((uint64_t)l.hi << 32) | l.lo; }
SB_HD kl kl_of_u64(uint64_t v) { return {(uint32_t)v, (uint32_t)(v >> 32)}; }

/* An interleaved lane stored as kl_u64, in byte order (the tree's digests leaving the device). */
SB_HD uint64_t u64_deinterleave(uint64_t v) { return kl_u64(kl_deinterleave(kl_of_u64(v))); }

/* Keccak-256's rate in lanes (136 bytes). */
#define KECCAK256_RATE_LANES 17

/* The last block of a row of canonical field elements: its REM (< 17) elements absorbed
 * big-endian, then the padding (0x01 after them, 0x80 in the rate's last byte); REM is a
 * template argument so that the block's loads, swaps and padding carry no per-lane predicates. */
template <int REM>
SB_HD void keccak_absorb_last_block(kl s[25], const uint64_t *__restrict__ src) {
SB_DEVICE_PRAGMA(unroll)
    for (int l = 0; l < REM; l++) kl_absorb_be(s[l], src[l]);
    s[REM].lo ^= 0x01;
    s[KECCAK256_RATE_LANES - 1].hi ^= 0x80000000u;
}

/* Writes lanes first, first + step, ... of the authentication path of leaf j (log_leaves digests,
 * leaf level first, byte order) from a device tree's nodes (heap layout, interleaved): level d's
 * digest is the sibling of leaf j's ancestor d levels up; level d starts at node
 * 2^(log_leaves-d) - 1 and siblings differ in the lowest bit of their offset. A block's threads
 * share one path with first = threadIdx.x, step = blockDim.x. */
SB_HD void merkle_path_lanes(const uint64_t *nodes, unsigned log_leaves, uint64_t j, uint64_t *path, unsigned first,
                             unsigned step) {
    for (unsigned t = first; t < 4 * log_leaves; t += step) {
        const unsigned d = t / 4;
        const uint64_t sib = (1ull << (log_leaves - d)) - 1 + ((j >> d) ^ 1);
        path[t] = u64_deinterleave(nodes[sib * 4 + t % 4]);
    }
}

/* Stores a PLAIN state's digest (lanes 0..3) as the device tree keeps a node: bit-interleaved. */
SB_HD void keccak_store_node_digest(const kl s[25], uint64_t *node) {
SB_DEVICE_PRAGMA(unroll)
    for (int l = 0; l < 4; l++) node[l] = kl_u64(kl_interleave(s[l]));
}

#endif
