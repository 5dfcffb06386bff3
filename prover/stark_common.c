/* The protocol steps shared by the prover and the verifier. */
#include "stark.h"

#include <omp.h>
#include <string.h>

#include "keccak.h"

void sb_stark_begin(sb_transcript *tr, const sb_air *air, const sb_proof_shape *s, const sb_public *pub) {
    transcript_init(tr, SB_TRANSCRIPT_LABEL);
    uint64_t st[8 + 6 * SB_MAX_TABLES];
    size_t n = 0;
    st[n++] = SB_PROOF_VERSION;
    st[n++] = s->log_steps;
    st[n++] = s->blowup;
    st[n++] = s->n_queries;
    st[n++] = SB_POW_BITS;
    st[n++] = pub->iterations; /* MUTANT statement-iterations: pub->iterations => 0 */
    st[n++] = pub->output;     /* MUTANT statement-output: pub->output => 0 */
    st[n++] = s->n_tables;
    for (size_t t = 0; t < s->n_tables; t++) {
        const sb_table_air *ta = &air->tables[t];
        st[n++] = s->t[t].log_n;
        st[n++] = ta->n_main;
        st[n++] = ta->n_fixed;
        st[n++] = ta->n_aux;
        st[n++] = ta->n_main_constraints;
        st[n++] = ta->n_aux_constraints;
    }
    uint8_t bytes[sizeof st];
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 8; k++) bytes[8 * i + k] = (uint8_t)(st[i] >> (56 - 8 * k));
    transcript_absorb_bytes(tr, bytes, 8 * n);
}

fp3_t sb_stark_draw_outside_fp(fp3_t (*draw)(void *ctx), void *ctx) {
    for (;;) {
        fp3_t z = draw(ctx);
        if (!fp3_is_base(z)) return z; /* MUTANT ood-point-outside-fp: if ( => if (1 || */
    }
}

static fp3_t squeeze_fp3(void *tr) { return transcript_squeeze_fp3(tr); }

fp3_t sb_stark_draw_z(sb_transcript *tr) { return sb_stark_draw_outside_fp(squeeze_fp3, tr); }

void sb_stark_absorb_fp3s(sb_transcript *tr, const fp3_t *v, size_t n) {
    for (size_t i = 0; i < n; i++) transcript_absorb_fp3(tr, v[i]);
}

void sb_stark_deep_sums(const sb_table_shape *ts, const fp3_t *ood, const fp3_t *gamma_pows, fp3_t *sum_z,
                        fp3_t *sum_zw) {
    const fp3_t *main_z = ood, *main_zw = ood + ts->n_main;
    const fp3_t *aux_z = ood + 2 * ts->n_main, *aux_zw = aux_z + ts->n_aux, *parts_z = aux_zw + ts->n_aux;
    const fp3_t *g_aux = gamma_pows + ts->n_main, *g_parts = g_aux + ts->n_aux;
    fp3_t sz = fp3_zero(), szw = fp3_zero();
    for (size_t k = 0; k < ts->n_main; k++) {
        sz = fp3_add(sz, fp3_mul(gamma_pows[k], main_z[k]));
        szw = fp3_add(szw, fp3_mul(gamma_pows[k], main_zw[k]));
    }
    for (size_t k = 0; k < ts->n_aux; k++) {
        sz = fp3_add(sz, fp3_mul(g_aux[k], aux_z[k]));
        szw = fp3_add(szw, fp3_mul(g_aux[k], aux_zw[k]));
    }
    for (size_t k = 0; k < ts->n_parts; k++) sz = fp3_add(sz, fp3_mul(g_parts[k], parts_z[k]));
    *sum_z = sz;
    *sum_zw = szw;
}

void sb_stark_join(sb_transcript *shared, sb_transcript *forks, size_t n) {
    uint8_t digests[32 * SB_MAX_TABLES];
    for (size_t t = 0; t < n; t++) transcript_squeeze_bytes(&forks[t], digests + 32 * t);
    transcript_absorb_bytes(shared, digests, 32 * n);
}

void sb_stark_draw_queries(sb_transcript *shared, const sb_proof_shape *s, size_t *idx) {
    for (size_t t = 0; t < s->n_tables; t++)
        for (size_t j = 0; j < s->n_queries; j++)
            /* MUTANT query-index-range: log_lde - 1 => log_lde - 2 */
            idx[t * s->n_queries + j] = (size_t)transcript_squeeze_index(shared, (uint64_t)1 << (s->t[t].log_lde - 1));
}

int sb_pow_ok(const uint8_t seed[32], uint64_t nonce) {
    uint8_t msg[40], h[32];
    memcpy(msg, seed, 32);
    for (int i = 0; i < 8; i++) msg[32 + i] = (uint8_t)(nonce >> (56 - 8 * i));
    keccak256(msg, sizeof msg, h);
    /* The first SB_POW_BITS bits, most significant bit of byte 0 first. */
    uint32_t top = ((uint32_t)h[0] << 24) | ((uint32_t)h[1] << 16) | ((uint32_t)h[2] << 8) | h[3];
    return (top >> (32 - SB_POW_BITS)) == 0; /* MUTANT pow-predicate: SB_POW_BITS => (SB_POW_BITS - 4) */
}

/* Nonces per block: the threads scan consecutive blocks, and the first block with a hit wins;
 * blocks are large so that a round (one block per thread) is long next to its barrier. */
#define POW_BLOCK 32768

/* Hashes nonces first .. first+7 at once (keccak256_x8: the digests sb_pow_ok computes);
 * returns the smallest that passes, or UINT64_MAX. */
static uint64_t pow_scan8(const uint64_t seed_words[4], uint64_t first) {
    keccak256_x8_ctx ctx;
    uint64_t w[8];
    uint8_t h[8][32];
    keccak256_x8_init(&ctx);
    for (int k = 0; k < 4; k++) {
        for (int i = 0; i < 8; i++) w[i] = seed_words[k];
        keccak256_x8_absorb(&ctx, w);
    }
    for (int i = 0; i < 8; i++) w[i] = __builtin_bswap64(first + (uint64_t)i); /* big-endian bytes as a word */
    keccak256_x8_absorb(&ctx, w);
    keccak256_x8_final(&ctx, h);
    for (int i = 0; i < 8; i++) {
        uint32_t top = ((uint32_t)h[i][0] << 24) | ((uint32_t)h[i][1] << 16) | ((uint32_t)h[i][2] << 8) | h[i][3];
        if ((top >> (32 - SB_POW_BITS)) == 0) return first + (uint64_t)i;
    }
    return UINT64_MAX;
}

uint64_t sb_pow_search(const uint8_t seed[32], uint64_t limit) {
    uint64_t seed_words[4]; /* the seed's bytes as little-endian words, as keccak256_x8 reads them */
    for (int k = 0; k < 4; k++) {
        seed_words[k] = 0;
        for (int i = 7; i >= 0; i--) seed_words[k] = (seed_words[k] << 8) | seed[8 * k + i];
    }
    uint64_t found = limit;
    for (uint64_t start = 0; start < limit && found == limit;) {
        int nt = omp_get_max_threads();
        uint64_t span = (uint64_t)nt * POW_BLOCK;
        if (span > limit - start) span = limit - start;
        /* Each round scans [start, start + span) completely; the minimum over it is exact. */
#pragma omp parallel for schedule(static, 1) num_threads(nt) reduction(min : found)
        for (uint64_t b = 0; b < (span + POW_BLOCK - 1) / POW_BLOCK; b++) {
            uint64_t lo = start + b * POW_BLOCK, hi = lo + POW_BLOCK < start + span ? lo + POW_BLOCK : start + span;
            for (uint64_t first = lo; first < hi; first += 8) {
                uint64_t hit = pow_scan8(seed_words, first);
                if (hit < hi) {
                    if (hit < found) found = hit;
                    break;
                }
            }
        }
        start += span;
    }
    return found;
}

fp3_t sb_ext3_recombine(const fp3_t comp[3]) {
    const fp3_t w = fp3_make(0, 1, 0), w2 = fp3_make(0, 0, 1);
    return fp3_add(comp[0], fp3_add(fp3_mul(comp[1], w), fp3_mul(comp[2], w2)));
}
