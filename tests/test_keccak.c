/* Keccak-256 known answers, incremental hashing, and the permutation against OpenSSL's SHA3-256. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keccak.h"

#include "check.h"

#ifdef SB_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

static void to_hex(const uint8_t d[32], char out[65]) {
    for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* The test message of length n: byte i = 7i + 3 (mod 256). */
static void pattern(uint8_t *m, size_t n) {
    for (size_t i = 0; i < n; i++) m[i] = (uint8_t)(i * 7 + 3);
}

/* Known answers from an independent Keccak-256 (Python pycryptodome, Cryptodome.Hash.keccak). */
static void known_answers(void) {
    static const struct {
        const char *text; /* NULL: pattern() of len bytes */
        size_t len;
        const char *hex;
    } kat[] = {
        {"", 0, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"},
        {"abc", 3, "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"},
        {NULL, 135, "00ef96af9cf4b24c7f269d922294444a197d0a33638c2e56634c57e892103a8f"}, /* 0x01 and 0x80 share a byte */
        {NULL, 136, "742061bcad767ed4c4f5883b1dcb1aad11afdcc140dc469d953759b127b9f9ed"}, /* padding is a whole block */
        {NULL, 137, "e3371f61e770abf254c34239c3b0099ad90594507415bc81dd0a10b9692bbf2a"},
        {NULL, 272, "ac141fd7b0a0ffcd2e967254d508da3ec616596493c36fa304425647d90e6de5"},
        {NULL, 500, "e37163b2a792d9984ce6b739d44dd9b615a802b13ac67f3ac0629aa2dddbc0a1"},
    };
    uint8_t msg[512], d[32];
    char hex[65];
    for (size_t k = 0; k < sizeof kat / sizeof kat[0]; k++) {
        if (kat[k].text) memcpy(msg, kat[k].text, kat[k].len);
        else pattern(msg, kat[k].len);
        keccak256(msg, kat[k].len, d);
        to_hex(d, hex);
        CHECK(strcmp(hex, kat[k].hex) == 0, "Keccak-256 of %zu bytes: %s, want %s", kat[k].len, hex, kat[k].hex);
    }
}

/* Feeding a message in two pieces, split anywhere, or byte by byte, gives the one-shot digest. */
static void incremental(void) {
    uint8_t msg[300], want[32], got[32];
    pattern(msg, sizeof msg);
    keccak256(msg, sizeof msg, want);
    for (size_t split = 0; split <= sizeof msg; split++) {
        keccak256_ctx ctx;
        keccak256_init(&ctx);
        keccak256_update(&ctx, msg, split);
        keccak256_update(&ctx, msg + split, sizeof msg - split);
        keccak256_final(&ctx, got);
        CHECK(memcmp(got, want, 32) == 0, "split at %zu differs from one-shot", split);
    }
    keccak256_ctx ctx;
    keccak256_init(&ctx);
    for (size_t i = 0; i < sizeof msg; i++) keccak256_update(&ctx, msg + i, 1);
    keccak256_final(&ctx, got);
    CHECK(memcmp(got, want, 32) == 0, "byte-by-byte differs from one-shot");
}

/* The 8-way sponge: the same digests as keccak256 on the words' bytes, for messages of 0..40
 * words (across block boundaries); and the x8 permutation equals 8 scalar ones. */
static void eight_way(void) {
    uint64_t words[8][40];
    uint8_t bytes[8 * 40], want[32], got[8][32];
    for (int i = 0; i < 8; i++)
        for (int w = 0; w < 40; w++) words[i][w] = 0x0123456789ABCDEFULL * (uint64_t)(i + 1) + 0x9E3779B97F4A7C15ULL * (uint64_t)w;
    for (size_t n = 0; n <= 40; n++) {
        keccak256_x8_ctx ctx;
        keccak256_x8_init(&ctx);
        for (size_t w = 0; w < n; w++) {
            uint64_t col[8];
            for (int i = 0; i < 8; i++) col[i] = words[i][w];
            keccak256_x8_absorb(&ctx, col);
        }
        keccak256_x8_final(&ctx, got);
        for (int i = 0; i < 8; i++) {
            for (size_t w = 0; w < n; w++)
                for (int k = 0; k < 8; k++) bytes[8 * w + k] = (uint8_t)(words[i][w] >> (8 * k));
            keccak256(bytes, 8 * n, want);
            CHECK(memcmp(got[i], want, 32) == 0, "x8 sponge %d, %zu words", i, n);
        }
    }
    uint64_t st8[25 * 8], st1[8][25];
    for (int l = 0; l < 25; l++)
        for (int i = 0; i < 8; i++) st8[8 * l + i] = st1[i][l] = words[i][l] ^ (uint64_t)l;
    keccak_f1600_x8(st8);
    for (int i = 0; i < 8; i++) {
        keccak_f1600(st1[i]);
        for (int l = 0; l < 25; l++) CHECK(st8[8 * l + i] == st1[i][l], "x8 permutation state %d lane %d", i, l);
    }
}

#ifdef SB_HAVE_OPENSSL
/* SHA3-256 = the same sponge with padding 0x06: built from keccak_f1600 alone. */
static void sha3_256_from_permutation(const uint8_t *m, size_t len, uint8_t out[32]) {
    uint64_t st[25] = {0};
    uint8_t block[KECCAK256_RATE];
    for (;;) {
        size_t take = len < KECCAK256_RATE ? len : KECCAK256_RATE;
        memset(block, 0, sizeof block);
        memcpy(block, m, take);
        if (take < KECCAK256_RATE) { /* the last, padded block */
            block[take] ^= 0x06;
            block[KECCAK256_RATE - 1] ^= 0x80;
        }
        for (size_t i = 0; i < KECCAK256_RATE; i++) st[i / 8] ^= (uint64_t)block[i] << (8 * (i % 8));
        keccak_f1600(st);
        if (take < KECCAK256_RATE) break;
        m += take;
        len -= take;
    }
    for (int i = 0; i < 32; i++) out[i] = (uint8_t)(st[i / 8] >> (8 * (i % 8)));
}

static void against_openssl(void) {
    uint8_t msg[1000], mine[32], theirs[32];
    pattern(msg, sizeof msg);
    static const size_t lens[] = {0, 1, 3, 135, 136, 137, 271, 272, 273, 999, 1000};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        unsigned int out_len = 0;
        int ok = EVP_Digest(msg, lens[k], theirs, &out_len, EVP_sha3_256(), NULL);
        CHECK(ok == 1 && out_len == 32, "OpenSSL SHA3-256 failed");
        sha3_256_from_permutation(msg, lens[k], mine);
        CHECK(memcmp(mine, theirs, 32) == 0, "SHA3-256 from keccak_f1600 differs from OpenSSL at %zu bytes",
              lens[k]);
    }
}
#endif

/* Every check runs on the vector path (where the CPU has one) and on the scalar path. */
int main(void) {
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) setenv("STARKBENCH_SIMD", "off", 1);
        known_answers();
        incremental();
        eight_way();
#ifdef SB_HAVE_OPENSSL
        against_openssl();
#else
        printf("note: built without OpenSSL, permutation not checked against SHA3-256\n");
#endif
    }
    return check_finish("keccak");
}
