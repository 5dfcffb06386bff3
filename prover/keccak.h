/* Keccak-f[1600] and Keccak-256 (original Keccak padding 0x01, not SHA3's 0x06). */
#ifndef SB_KECCAK_H
#define SB_KECCAK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KECCAK256_RATE 136 /* bytes absorbed per permutation */

/* The 24 iota round constants, as an initializer shared by the host and device permutations. */
#define KECCAK_ROUND_CONSTANTS                                                                           \
    {                                                                                                    \
        0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808AULL, 0x8000000080008000ULL,     \
            0x000000000000808BULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL, \
            0x000000000000008AULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000AULL, \
            0x000000008000808BULL, 0x800000000000008BULL, 0x8000000000008089ULL, 0x8000000000008003ULL, \
            0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800AULL, 0x800000008000000AULL, \
            0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL  \
    }

/* Applies the 24-round Keccak-f[1600] permutation to st (lanes in the standard x + 5y order). */
void keccak_f1600(uint64_t st[25]);

/* Incremental Keccak-256. */
typedef struct keccak256_ctx {
    uint64_t st[25];
    size_t pos; /* bytes absorbed into the current block */
} keccak256_ctx;

void keccak256_init(keccak256_ctx *ctx);
void keccak256_update(keccak256_ctx *ctx, const void *data, size_t len);
/* Writes the 32-byte digest; ctx must be re-initialised before reuse. */
void keccak256_final(keccak256_ctx *ctx, uint8_t out[32]);

/* One-shot Keccak-256 of len bytes. */
void keccak256(const void *data, size_t len, uint8_t out[32]);

/* Eight Keccak-256 sponges side by side, for messages made of whole 64-bit words (Merkle rows
 * and node pairs): AVX-512 where sb_simd_avx512() allows it (simd.h), else one by one; the
 * digests are the same either way. A word is 8 message bytes read little-endian. */
typedef struct keccak256_x8_ctx {
    uint64_t st[25 * 8]; /* lane-major: st[8 * lane + i] is lane `lane` of sponge i */
    size_t words;        /* words absorbed into the current block */
    int simd;            /* sb_simd_avx512() when initialised */
} keccak256_x8_ctx;

void keccak256_x8_init(keccak256_x8_ctx *ctx);
/* Appends word w[i] to message i, for i < 8. */
void keccak256_x8_absorb(keccak256_x8_ctx *ctx, const uint64_t w[8]);
/* Writes the 8 digests; ctx must be re-initialised before reuse. */
void keccak256_x8_final(keccak256_x8_ctx *ctx, uint8_t out[8][32]);
/* Applies Keccak-f[1600] to the 8 lane-major states. */
void keccak_f1600_x8(uint64_t st[25 * 8]);

#ifdef __cplusplus
}
#endif

#endif
