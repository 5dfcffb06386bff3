/* The fib_iterative STARK prover and verifier (protocol: docs/PROTOCOL.md). */
#ifndef SB_PROVER_H
#define SB_PROVER_H

#include <stddef.h>
#include <stdint.h>

#include "air.h"
#include "backend.h"
#include "range.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sb_prove_config {
    unsigned log_steps; /* CPU table height 2^log_steps */
    unsigned blowup;    /* 2, 4 or 8 */
    unsigned tp;        /* tables proved concurrently (>= 1) */
    unsigned threads;   /* CPU threads (0 = OpenMP default) */
} sb_prove_config;

typedef struct sb_proof {
    uint8_t *bytes; /* serialized proof, owned (free with sb_proof_free) */
    size_t len;
    sb_public pub;
} sb_proof;

/* Proves fib_iterative with the given backend, recording every round range into ranges
 * (which may be NULL). Returns 0, or -1 with a one-line reason in err. */
int sb_prove(const sb_prove_config *cfg, sb_backend *be, sb_ranges *ranges, sb_proof *out, char *err,
             size_t errlen);
void sb_proof_free(sb_proof *p);

/* Verify results. */
#define SB_VERIFY_OK 0
#define SB_VERIFY_INVALID 1   /* well-formed but a check failed */
#define SB_VERIFY_MALFORMED 2 /* unreadable: truncated, garbage, bad version, non-canonical */

/* Verifies a serialized proof. Returns SB_VERIFY_*, with a one-line reason in why; fills pub on success. */
int sb_verify(const uint8_t *bytes, size_t len, sb_public *pub, char *why, size_t whylen);

/* The security level prove claims and how it was computed (one line). */
void sb_security_note(unsigned blowup, char *out, size_t len);

/* The FRI query count for a blowup: ceil((128 - 20) / -log2(sqrt(1/b) + 1/300)). */
unsigned sb_query_count(unsigned blowup);

#ifdef __cplusplus
}
#endif

#endif
