/* Transcript: the byte rules of docs/PROTOCOL.md rebuilt with keccak256 by hand, known first
 * outputs (computed independently with Python's pycryptodome from the same rules),
 * determinism, canonical absorbs, separation of labels/forks/absorbs, and unbiased draws. */
#include <stdio.h>
#include <string.h>

#include "keccak.h"
#include "transcript.h"

#include "check.h"

static void to_hex(const uint8_t d[32], char out[65]) {
    for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void put_be64(uint8_t *out, uint64_t v) {
    for (int i = 0; i < 8; i++) out[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* The rules, spelled out: init, absorb (tag 1), squeeze (tag 2, counter), fork (tag 3). */
static void rules_by_hand(void) {
    uint8_t buf[64], state[32], want[32], got[32];
    const char domain[] = "starkbench-transcript-v1";
    memcpy(buf, domain, sizeof domain); /* with its NUL */
    memcpy(buf + sizeof domain, "L", 1);
    keccak256(buf, sizeof domain + 1, state);
    sb_transcript t;
    transcript_init(&t, "L");
    CHECK(memcmp(t.state, state, 32) == 0, "init state");

    memcpy(buf, state, 32);
    buf[32] = 0x02;
    for (uint64_t ctr = 0; ctr < 2; ctr++) {
        put_be64(buf + 33, ctr);
        keccak256(buf, 41, want);
        transcript_squeeze_bytes(&t, got);
        CHECK(memcmp(got, want, 32) == 0, "squeeze %llu", (unsigned long long)ctr);
    }
    memcpy(buf, state, 32);
    buf[32] = 0x01;
    memcpy(buf + 33, "xyz", 3);
    keccak256(buf, 36, state);
    transcript_absorb_bytes(&t, "xyz", 3);
    CHECK(memcmp(t.state, state, 32) == 0 && t.counter == 0, "absorb chains the state and restarts the counter");

    memcpy(buf, state, 32);
    buf[32] = 0x03;
    put_be64(buf + 33, 9);
    keccak256(buf, 41, want);
    sb_transcript f = transcript_fork(&t, 9);
    CHECK(memcmp(f.state, want, 32) == 0, "fork state");
    CHECK(memcmp(t.state, state, 32) == 0, "fork leaves the parent alone");
}

static void known_outputs(void) {
    sb_transcript t;
    uint8_t out[32];
    char hex[65];
    transcript_init(&t, "starkbench-test");
    to_hex(t.state, hex);
    CHECK(strcmp(hex, "69218b505b894518a9030763c85f83f8c60a1063df7b43eb7f394a11859927b1") == 0, "init: %s", hex);
    transcript_squeeze_bytes(&t, out);
    to_hex(out, hex);
    CHECK(strcmp(hex, "0a624e8915e3d9a052813c88beb83f60059faff7c02eb0670c584ed61c078473") == 0, "squeeze: %s", hex);
    transcript_absorb_u64(&t, 42);
    sb_transcript fork = transcript_fork(&t, 7);
    transcript_absorb_fp3(&t, fp3_make(1, 2, 3));
    uint64_t fp = transcript_squeeze_fp(&t);
    CHECK(fp == 0xbe6bdd493c362ab5ULL, "squeeze_fp: %#llx", (unsigned long long)fp);
    uint64_t idx = transcript_squeeze_index(&t, 219);
    CHECK(idx == 120, "squeeze_index(219): %llu", (unsigned long long)idx);
    transcript_squeeze_bytes(&fork, out);
    to_hex(out, hex);
    CHECK(strcmp(hex, "9d943349a98f9de2cfbffeb22e80cc459e2539a0e627aa2d04a92c9809614499") == 0, "fork: %s", hex);
}

static void separation_and_canonical(void) {
    sb_transcript a, b;
    uint8_t x[32], y[32];
    transcript_init(&a, "one");
    transcript_init(&b, "two");
    transcript_squeeze_bytes(&a, x);
    transcript_squeeze_bytes(&b, y);
    CHECK(memcmp(x, y, 32) != 0, "labels separate");

    transcript_init(&a, "L");
    transcript_init(&b, "L");
    transcript_absorb_fp(&a, 5);
    transcript_absorb_fp(&b, 5 + GL_P);
    CHECK(memcmp(a.state, b.state, 32) == 0, "absorb_fp reduces");
    transcript_absorb_fp3(&a, fp3_make(1, 2, 3));
    fp3_t raw = {{1 + GL_P, 2, 3 + GL_P}}; /* not made canonical by fp3_make */
    transcript_absorb_fp3(&b, raw);
    CHECK(memcmp(a.state, b.state, 32) == 0, "absorb_fp3 reduces");

    transcript_init(&a, "L");
    transcript_init(&b, "L");
    transcript_absorb_bytes(&a, "ab", 2);
    transcript_absorb_bytes(&b, "a", 1);
    transcript_absorb_bytes(&b, "b", 1);
    CHECK(memcmp(a.state, b.state, 32) != 0, "absorb boundaries matter");

    transcript_init(&a, "L");
    sb_transcript f0 = transcript_fork(&a, 0), f1 = transcript_fork(&a, 1);
    transcript_absorb_u64(&a, 0);
    CHECK(memcmp(f0.state, f1.state, 32) != 0, "forks differ by id");
    CHECK(memcmp(f0.state, a.state, 32) != 0, "a fork is not an absorb of the same id");

    transcript_init(&a, "L");
    transcript_init(&b, "L");
    for (int i = 0; i < 10; i++) {
        transcript_absorb_u64(&a, (uint64_t)i);
        transcript_absorb_u64(&b, (uint64_t)i);
        fp3_t u = transcript_squeeze_fp3(&a), v = transcript_squeeze_fp3(&b);
        CHECK(fp3_eq(u, v), "determinism");
        CHECK(u.c[0] < GL_P && u.c[1] < GL_P && u.c[2] < GL_P, "canonical fp3");
    }
    transcript_squeeze_bytes(&a, x);
    transcript_squeeze_bytes(&a, y);
    CHECK(memcmp(x, y, 32) != 0, "consecutive squeezes differ");
}

static void indices(void) {
    sb_transcript t;
    transcript_init(&t, "indices");
    static const uint64_t bounds[] = {1, 2, 3, 219, 1ULL << 20, (1ULL << 63) + 1, UINT64_MAX};
    for (size_t b = 0; b < sizeof bounds / sizeof bounds[0]; b++)
        for (int i = 0; i < 200; i++) {
            uint64_t v = transcript_squeeze_index(&t, bounds[b]);
            CHECK(v < bounds[b], "index %llu >= bound %llu", (unsigned long long)v, (unsigned long long)bounds[b]);
        }
    /* 3000 draws in [0, 3): each count within 6 standard deviations (sd ~ 26) of 1000. */
    int count[3] = {0};
    for (int i = 0; i < 3000; i++) count[transcript_squeeze_index(&t, 3)]++;
    for (int k = 0; k < 3; k++) CHECK(count[k] > 840 && count[k] < 1160, "index %d drawn %d times of 3000", k, count[k]);
    /* Bound 2^63 + 1 rejects about half of the 64-bit draws; what is kept is below the bound
     * and both halves appear. */
    int high = 0;
    for (int i = 0; i < 400; i++) high += transcript_squeeze_index(&t, (1ULL << 63) + 1) >= (1ULL << 62);
    CHECK(high > 100 && high < 300, "bound 2^63+1: %d of 400 in the upper half", high);
}

int main(void) {
    rules_by_hand();
    known_outputs();
    separation_and_canonical();
    indices();
    return check_finish("transcript");
}
