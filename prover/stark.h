/* The multi-table STARK over any AIR (air.h), and the protocol steps that the prover
 * and the verifier must take identically (docs/PROTOCOL.md pins each byte).
 * prover.h's sb_prove / sb_verify are these with the fib_iterative AIR. */
#ifndef SB_STARK_H
#define SB_STARK_H

#include <stddef.h>
#include <stdint.h>

#include "prover.h"
#include "proof.h"
#include "transcript.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Proof-of-work: Keccak-256(seed || nonce as u64 big-endian) must start with this many zero bits. */
#define SB_POW_BITS 20
/* The transcript's label. */
#define SB_TRANSCRIPT_LABEL "starkbench-stark-v1"

/* sb_prove / sb_verify for an arbitrary AIR. */
int sb_stark_prove(const sb_air *air, const sb_prove_config *cfg, sb_backend *be, sb_ranges *ranges, sb_proof *out,
                   char *err, size_t errlen);
int sb_stark_verify(const sb_air *air, const uint8_t *bytes, size_t len, sb_public *pub, char *why, size_t whylen);

/* What one table's fork draws in Rounds 2-4 (docs/PROTOCOL.md). */
typedef struct sb_table_challenges {
    fp3_t beta, z, zw, gamma;
    fp3_t alphas[32];   /* the FRI fold challenges, n_folds of them */
    sb_transcript fork; /* after the final polynomial's absorbs: the digest it yields joins the shared one */
} sb_table_challenges;

/* A proof's transcript replayed up to the proof-of-work seed. */
typedef struct sb_stark_replay {
    fp3_t challenges[SB_AIR_MAX_CHALLENGES]; /* the LogUp challenges */
    sb_table_challenges tc[SB_MAX_TABLES];
    sb_transcript shared; /* after the join: its next squeeze is the proof-of-work seed */
} sb_stark_replay;

/* Replays the transcript of the parsed proof p for the statement pub, as the prover ran it:
 * the statement, the main roots, the LogUp challenges, the aux roots and claimed sums, each
 * table's Rounds 2-4 on its fork, the join. Checks nothing (sb_stark_verify does, on this
 * replay); a test that forges a proof replays it too, so the forgery is consistent with its
 * transcript by construction. */
void sb_stark_replay_transcript(const sb_air *air, const sb_stark_proof *p, const sb_public *pub,
                                sb_stark_replay *r);

/* Starts the transcript and absorbs the statement: parameters, public values, the AIR's shape. */
void sb_stark_begin(sb_transcript *tr, const sb_air *air, const sb_proof_shape *s, const sb_public *pub);

/* Draws the OOD point: Fp3 elements until one is outside Fp (so z and z*w avoid H, the LDE
 * coset and every FRI domain); sb_stark_draw_outside_fp over transcript_squeeze_fp3. */
fp3_t sb_stark_draw_z(sb_transcript *tr);

/* Calls draw(ctx) until it returns an element outside Fp (c1 != 0 or c2 != 0) and returns that
 * one. sb_stark_draw_z's rejection loop, with the source as an argument so that a test can
 * script the draws. */
fp3_t sb_stark_draw_outside_fp(fp3_t (*draw)(void *ctx), void *ctx);

/* Absorbs n Fp3 values, one absorb each. */
void sb_stark_absorb_fp3s(sb_transcript *tr, const fp3_t *v, size_t n);

/* The DEEP claimed sums of one table from its OOD values (proof.h layout) and gamma powers
 * (main columns, then aux, then parts): sum_z over every column, sum_zw over main and aux. */
void sb_stark_deep_sums(const sb_table_shape *ts, const fp3_t *ood, const fp3_t *gamma_pows, fp3_t *sum_z,
                        fp3_t *sum_zw);

/* Joins the per-table forks: absorbs 32 bytes squeezed from each fork, in table order, into shared. */
void sb_stark_join(sb_transcript *shared, sb_transcript *forks, size_t n);

/* Draws the query indices after the nonce: for each table in order, n_queries pair indices
 * uniform in [0, lde_n / 2), repeats kept; idx[t * n_queries + j]. */
void sb_stark_draw_queries(sb_transcript *shared, const sb_proof_shape *s, size_t *idx);

/* Returns 1 iff Keccak-256(seed || nonce) starts with SB_POW_BITS zero bits. */
int sb_pow_ok(const uint8_t seed[32], uint64_t nonce);
/* Returns the smallest nonce < limit that passes sb_pow_ok, or limit when none does
 * (OpenMP-parallel; the answer does not depend on the thread count). */
uint64_t sb_pow_search(const uint8_t seed[32], uint64_t limit);

/* Returns the Fp3 value of an ext3 column from the values of its three base components
 * (c0 + c1 W + c2 W^2, W^3 = 2). */
fp3_t sb_ext3_recombine(const fp3_t comp[3]);

#ifdef __cplusplus
}
#endif

#endif
