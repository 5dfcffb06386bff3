/* Keccak-f[1600] on 64-bit lanes, and the Keccak-256 sponge (rate 136 bytes, padding 0x01 .. 0x80).
 * Lane (x, y) is st[x + 5y]; bytes enter lanes little-endian. */
#include "keccak.h"

#include <string.h>

#include "simd.h"

static const uint64_t round_constants[24] = KECCAK_ROUND_CONSTANTS;

static inline uint64_t rol(uint64_t v, unsigned r) { return r ? (v << r) | (v >> (64 - r)) : v; }

/* rho and pi together: B[y + 5((2x + 3y) mod 5)] = rol(A[x + 5y] ^ D[x], rho(x, y)). */
#define RHO_PI(x, y, r) b[(y) + 5 * ((2 * (x) + 3 * (y)) % 5)] = rol(a[(x) + 5 * (y)] ^ d[x], r)
/* chi on plane y. */
#define CHI(y)                                                                                 \
    do {                                                                                       \
        for (int x = 0; x < 5; x++)                                                            \
            a[x + 5 * (y)] = b[x + 5 * (y)] ^ (~b[(x + 1) % 5 + 5 * (y)] & b[(x + 2) % 5 + 5 * (y)]); \
    } while (0)

void keccak_f1600(uint64_t st[25]) {
    uint64_t a[25], b[25], c[5], d[5];
    memcpy(a, st, sizeof a);
    for (int round = 0; round < 24; round++) {
        /* theta */
        for (int x = 0; x < 5; x++) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (int x = 0; x < 5; x++) d[x] = c[(x + 4) % 5] ^ rol(c[(x + 1) % 5], 1);
        /* rho + pi, written out so every index and rotation is a constant */
        RHO_PI(0, 0, 0);  RHO_PI(1, 0, 1);  RHO_PI(2, 0, 62); RHO_PI(3, 0, 28); RHO_PI(4, 0, 27);
        RHO_PI(0, 1, 36); RHO_PI(1, 1, 44); RHO_PI(2, 1, 6);  RHO_PI(3, 1, 55); RHO_PI(4, 1, 20);
        RHO_PI(0, 2, 3);  RHO_PI(1, 2, 10); RHO_PI(2, 2, 43); RHO_PI(3, 2, 25); RHO_PI(4, 2, 39);
        RHO_PI(0, 3, 41); RHO_PI(1, 3, 45); RHO_PI(2, 3, 15); RHO_PI(3, 3, 21); RHO_PI(4, 3, 8);
        RHO_PI(0, 4, 18); RHO_PI(1, 4, 2);  RHO_PI(2, 4, 61); RHO_PI(3, 4, 56); RHO_PI(4, 4, 14);
        /* chi */
        CHI(0); CHI(1); CHI(2); CHI(3); CHI(4);
        /* iota */
        a[0] ^= round_constants[round];
    }
    memcpy(st, a, sizeof a);
}

static inline uint64_t load_le64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

void keccak256_init(keccak256_ctx *ctx) { memset(ctx, 0, sizeof *ctx); }

/* XORs byte i of the current block. */
static inline void xor_byte(keccak256_ctx *ctx, size_t i, uint8_t v) {
    ctx->st[i / 8] ^= (uint64_t)v << (8 * (i % 8));
}

void keccak256_update(keccak256_ctx *ctx, const void *data, size_t len) {
    const uint8_t *p = data;
    /* Finish a partial lane byte by byte; then whole lanes; then the tail. */
    while (len && (ctx->pos % 8)) {
        xor_byte(ctx, ctx->pos++, *p++);
        len--;
        if (ctx->pos == KECCAK256_RATE) {
            keccak_f1600(ctx->st);
            ctx->pos = 0;
        }
    }
    while (len >= 8) {
        ctx->st[ctx->pos / 8] ^= load_le64(p);
        ctx->pos += 8;
        p += 8;
        len -= 8;
        if (ctx->pos == KECCAK256_RATE) {
            keccak_f1600(ctx->st);
            ctx->pos = 0;
        }
    }
    while (len--) xor_byte(ctx, ctx->pos++, *p++); /* < 8 bytes: cannot fill the block */
}

void keccak256_final(keccak256_ctx *ctx, uint8_t out[32]) {
    xor_byte(ctx, ctx->pos, 0x01);
    xor_byte(ctx, KECCAK256_RATE - 1, 0x80);
    keccak_f1600(ctx->st);
    for (int i = 0; i < 32; i++) out[i] = (uint8_t)(ctx->st[i / 8] >> (8 * (i % 8)));
}

void keccak256(const void *data, size_t len, uint8_t out[32]) {
    keccak256_ctx ctx;
    keccak256_init(&ctx);
    keccak256_update(&ctx, data, len);
    keccak256_final(&ctx, out);
}

/* ---- eight sponges side by side ---------------------------------------------- */

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define KECCAK_HAVE_AVX512_PATH 1

/* The round of keccak_f1600 on 8 states per register: theta's 5-way XOR and chi are one
 * ternary-logic instruction each (0x96 = a ^ b ^ c, 0xD2 = a ^ (~b & c)). */
#define V_RHO_PI(x, y, r) vb[(y) + 5 * ((2 * (x) + 3 * (y)) % 5)] = _mm512_rol_epi64(_mm512_xor_si512(va[(x) + 5 * (y)], vd[x]), r)

__attribute__((target("avx512f"))) static void keccak_f1600_x8_avx512(uint64_t st[25 * 8]) {
    __m512i va[25], vb[25], vc[5], vd[5];
    for (int i = 0; i < 25; i++) va[i] = _mm512_loadu_si512((const void *)(st + 8 * i));
    for (int round = 0; round < 24; round++) {
        for (int x = 0; x < 5; x++)
            vc[x] = _mm512_ternarylogic_epi64(_mm512_ternarylogic_epi64(va[x], va[x + 5], va[x + 10], 0x96), va[x + 15],
                                              va[x + 20], 0x96);
        for (int x = 0; x < 5; x++) vd[x] = _mm512_xor_si512(vc[(x + 4) % 5], _mm512_rol_epi64(vc[(x + 1) % 5], 1));
        V_RHO_PI(0, 0, 0);  V_RHO_PI(1, 0, 1);  V_RHO_PI(2, 0, 62); V_RHO_PI(3, 0, 28); V_RHO_PI(4, 0, 27);
        V_RHO_PI(0, 1, 36); V_RHO_PI(1, 1, 44); V_RHO_PI(2, 1, 6);  V_RHO_PI(3, 1, 55); V_RHO_PI(4, 1, 20);
        V_RHO_PI(0, 2, 3);  V_RHO_PI(1, 2, 10); V_RHO_PI(2, 2, 43); V_RHO_PI(3, 2, 25); V_RHO_PI(4, 2, 39);
        V_RHO_PI(0, 3, 41); V_RHO_PI(1, 3, 45); V_RHO_PI(2, 3, 15); V_RHO_PI(3, 3, 21); V_RHO_PI(4, 3, 8);
        V_RHO_PI(0, 4, 18); V_RHO_PI(1, 4, 2);  V_RHO_PI(2, 4, 61); V_RHO_PI(3, 4, 56); V_RHO_PI(4, 4, 14);
        for (int y = 0; y < 25; y += 5)
            for (int x = 0; x < 5; x++)
                va[y + x] = _mm512_ternarylogic_epi64(vb[y + x], vb[y + (x + 1) % 5], vb[y + (x + 2) % 5], 0xD2);
        va[0] = _mm512_xor_si512(va[0], _mm512_set1_epi64((long long)round_constants[round]));
    }
    for (int i = 0; i < 25; i++) _mm512_storeu_si512((void *)(st + 8 * i), va[i]);
}
#endif

static void keccak_f1600_x8_with(uint64_t st[25 * 8], int simd) {
#ifdef KECCAK_HAVE_AVX512_PATH
    if (simd) {
        keccak_f1600_x8_avx512(st);
        return;
    }
#endif
    (void)simd;
    for (int i = 0; i < 8; i++) {
        uint64_t one[25];
        for (int l = 0; l < 25; l++) one[l] = st[8 * l + i];
        keccak_f1600(one);
        for (int l = 0; l < 25; l++) st[8 * l + i] = one[l];
    }
}

void keccak_f1600_x8(uint64_t st[25 * 8]) { keccak_f1600_x8_with(st, sb_simd_avx512()); }

void keccak256_x8_init(keccak256_x8_ctx *ctx) {
    memset(ctx, 0, sizeof *ctx);
    ctx->simd = sb_simd_avx512();
}

void keccak256_x8_absorb(keccak256_x8_ctx *ctx, const uint64_t w[8]) {
    uint64_t *lane = ctx->st + 8 * ctx->words;
    for (int i = 0; i < 8; i++) lane[i] ^= w[i];
    if (++ctx->words == KECCAK256_RATE / 8) {
        keccak_f1600_x8_with(ctx->st, ctx->simd);
        ctx->words = 0;
    }
}

void keccak256_x8_final(keccak256_x8_ctx *ctx, uint8_t out[8][32]) {
    /* The same padding as keccak256_final, at a word boundary: 0x01 opens the word after the
     * message, 0x80 closes the block. */
    for (int i = 0; i < 8; i++) {
        ctx->st[8 * ctx->words + i] ^= 0x01;
        ctx->st[8 * (KECCAK256_RATE / 8 - 1) + i] ^= 0x80ULL << 56;
    }
    keccak_f1600_x8_with(ctx->st, ctx->simd);
    for (int i = 0; i < 8; i++)
        for (int k = 0; k < 32; k++) out[i][k] = (uint8_t)(ctx->st[8 * (k / 8) + i] >> (8 * (k % 8)));
}
