/* Fiat-Shamir transcript: a 32-byte Keccak-256 chaining state. Every byte rule here is
 * pinned in docs/PROTOCOL.md "Transcript"; change one and the proofs change. */
#include "transcript.h"

#include <string.h>

#include "keccak.h"

/* Domain tags: the first byte after the state says what the hash is for, so an absorb,
 * a squeeze and a fork can never hash the same bytes. */
#define TAG_ABSORB 0x01
#define TAG_SQUEEZE 0x02
#define TAG_FORK 0x03

static const char transcript_domain[] = "starkbench-transcript-v1";

static void put_be64(uint8_t out[8], uint64_t v) {
    for (int i = 0; i < 8; i++) out[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t get_be64(const uint8_t in[8]) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | in[i];
    return v;
}

/* state <- Keccak-256(state || tag || data); the squeeze counter restarts. */
static void chain(sb_transcript *t, uint8_t tag, const void *data, size_t len) {
    keccak256_ctx ctx;
    keccak256_init(&ctx);
    keccak256_update(&ctx, t->state, sizeof t->state);
    keccak256_update(&ctx, &tag, 1);
    keccak256_update(&ctx, data, len);
    keccak256_final(&ctx, t->state);
    t->counter = 0;
}

void transcript_init(sb_transcript *t, const char *label) {
    /* state <- Keccak-256("starkbench-transcript-v1" || 0x00 || label) */
    keccak256_ctx ctx;
    keccak256_init(&ctx);
    keccak256_update(&ctx, transcript_domain, sizeof transcript_domain); /* with its NUL */
    keccak256_update(&ctx, label, strlen(label));
    keccak256_final(&ctx, t->state);
    t->counter = 0;
}

void transcript_absorb_bytes(sb_transcript *t, const void *data, size_t len) { chain(t, TAG_ABSORB, data, len); }

void transcript_absorb_u64(sb_transcript *t, uint64_t v) {
    uint8_t b[8];
    put_be64(b, v);
    transcript_absorb_bytes(t, b, sizeof b);
}

void transcript_absorb_fp(sb_transcript *t, uint64_t a) { transcript_absorb_u64(t, gl_reduce(a)); }

void transcript_absorb_fp3(sb_transcript *t, fp3_t a) {
    uint8_t b[24];
    for (int i = 0; i < 3; i++) put_be64(b + 8 * i, gl_reduce(a.c[i]));
    transcript_absorb_bytes(t, b, sizeof b);
}

void transcript_absorb_digest(sb_transcript *t, const uint8_t d[32]) { transcript_absorb_bytes(t, d, 32); }

void transcript_squeeze_bytes(sb_transcript *t, uint8_t out[32]) {
    /* out <- Keccak-256(state || 0x02 || counter as u64 big-endian); the state is unchanged. */
    uint8_t msg[32 + 1 + 8];
    memcpy(msg, t->state, 32);
    msg[32] = TAG_SQUEEZE;
    put_be64(msg + 33, t->counter++);
    keccak256(msg, sizeof msg, out);
}

/* The first 8 bytes of a fresh squeeze, big-endian. */
static uint64_t squeeze_u64(sb_transcript *t) {
    uint8_t out[32];
    transcript_squeeze_bytes(t, out);
    return get_be64(out);
}

uint64_t transcript_squeeze_fp(sb_transcript *t) {
    for (;;) {
        uint64_t v = squeeze_u64(t);
        if (v < GL_P) return v; /* rejection: uniform on [0, p); retried with probability 2^-32 */
    }
}

fp3_t transcript_squeeze_fp3(sb_transcript *t) {
    fp3_t r;
    for (int i = 0; i < 3; i++) r.c[i] = transcript_squeeze_fp(t);
    return r;
}

uint64_t transcript_squeeze_index(sb_transcript *t, uint64_t bound) {
    if (bound <= 1) return 0; /* nothing to choose: no squeeze */
    /* Accept v below the largest multiple of bound that fits in 2^64, so v mod bound is uniform. */
    uint64_t excess = (0 - bound) % bound; /* 2^64 mod bound */
    for (;;) {
        uint64_t v = squeeze_u64(t);
        if (v <= UINT64_MAX - excess) return v % bound;
    }
}

sb_transcript transcript_fork(const sb_transcript *t, uint64_t fork_id) {
    sb_transcript f = *t;
    uint8_t b[8];
    put_be64(b, fork_id);
    chain(&f, TAG_FORK, b, sizeof b);
    return f;
}
