/* Fiat-Shamir transcript over Keccak-256 (exact byte rules in docs/PROTOCOL.md).
 *
 * Absorbed field elements are reduced mod p and encoded u64 big-endian; squeezed
 * field elements are uniformly distributed (rejection sampling); indices are unbiased. */
#ifndef SB_TRANSCRIPT_H
#define SB_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "fp3.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sb_transcript {
    uint8_t state[32];
    uint64_t counter; /* squeezes since the last absorb */
} sb_transcript;

/* Starts a transcript bound to a domain-separation label. */
void transcript_init(sb_transcript *t, const char *label);
void transcript_absorb_bytes(sb_transcript *t, const void *data, size_t len);
void transcript_absorb_u64(sb_transcript *t, uint64_t v);       /* big-endian, as is */
void transcript_absorb_fp(sb_transcript *t, uint64_t a);        /* canonical, big-endian */
void transcript_absorb_fp3(sb_transcript *t, fp3_t a);          /* c0 || c1 || c2 */
void transcript_absorb_digest(sb_transcript *t, const uint8_t d[32]);
/* Writes 32 fresh bytes. */
void transcript_squeeze_bytes(sb_transcript *t, uint8_t out[32]);
uint64_t transcript_squeeze_fp(sb_transcript *t);
fp3_t transcript_squeeze_fp3(sb_transcript *t);
/* Returns an index uniform in [0, bound), bound >= 1. */
uint64_t transcript_squeeze_index(sb_transcript *t, uint64_t bound);
/* A copy of t with the 64-bit value `fork_id` absorbed (per-table forks). */
sb_transcript transcript_fork(const sb_transcript *t, uint64_t fork_id);

#ifdef __cplusplus
}
#endif

#endif
