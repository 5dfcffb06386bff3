/* The proof: its shape (every length, derived from the parameters alone), the
 * in-memory form, and the versioned binary format (docs/PROTOCOL.md "Proof format").
 *
 * The format carries no lengths: log_steps, blowup and the AIR fix every size, so a
 * parser knows the exact file length before it reads a section, and nothing read
 * from a file can ask for a large allocation. Elements are canonical u64 big-endian. */
#ifndef SB_PROOF_H
#define SB_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include "air.h"
#include "fp3.h"
#include "merkle.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SB_PROOF_MAGIC "SBPROOF"  /* 8 bytes with its NUL */
#define SB_PROOF_VERSION 1u
#define SB_MAX_TABLES 8
#define SB_MAX_LOG_STEPS 30
/* A table with fixed columns has at most 2^SB_MAX_FIXED_LOG_ROWS rows: the verifier builds and
 * evaluates its fixed columns itself, so this bounds that work whatever the step count. */
#define SB_MAX_FIXED_LOG_ROWS 10

/* Every length of one table's part of the proof. */
typedef struct sb_table_shape {
    unsigned log_n;           /* table height 2^log_n */
    unsigned log_lde;         /* log_n + log2(blowup) */
    size_t n_main, n_fixed;   /* base columns */
    size_t n_aux;             /* aux base columns: 3 * air n_aux */
    size_t n_parts;           /* composition parts' base columns: 3 * SB_COMPOSITION_PARTS */
    size_t n_ood;             /* Fp3 OOD values: 2 n_main + 2 n_aux + n_parts */
    unsigned n_folds;         /* FRI folds L; committed layers L - 1 (none when L = 0) */
    size_t n_fri_roots;       /* max(L - 1, 0) */
    size_t n_final;           /* final polynomial coefficients 2^(log_n - L) */
    size_t trace_path;        /* digests of one trace-pair path: log_lde - 1 */
    size_t fri_path;          /* digests of one query's FRI paths (sb_fri_path_len) */
} sb_table_shape;

typedef struct sb_proof_shape {
    unsigned log_steps, blowup, log_blowup;
    unsigned n_queries;       /* sb_query_count(blowup) per table */
    size_t n_tables;
    sb_table_shape t[SB_MAX_TABLES];
} sb_proof_shape;

/* One table's data; arrays are query-major where they are per query. */
typedef struct sb_table_proof {
    sb_digest main_root, aux_root, parts_root;
    fp3_t claimed_sum;
    fp3_t *ood;             /* n_ood: main at z, main at z*w, aux at z, aux at z*w, parts at z */
    sb_digest *fri_roots;   /* n_fri_roots: layers 1..L-1 */
    fp3_t *final_poly;      /* n_final coefficients, x^0 first */
    uint64_t *main_rows;    /* q x 2 x n_main: the rows at x then -x */
    sb_digest *main_paths;  /* q x trace_path */
    uint64_t *aux_rows;     /* q x 2 x n_aux */
    sb_digest *aux_paths;
    uint64_t *parts_rows;   /* q x 2 x n_parts */
    sb_digest *parts_paths;
    fp3_t *fri_siblings;    /* q x n_fri_roots */
    sb_digest *fri_paths;   /* q x fri_path */
    void *arena;            /* owns every array above */
} sb_table_proof;

typedef struct sb_stark_proof {
    sb_proof_shape shape;
    uint64_t output;        /* the claimed public output */
    uint64_t nonce;         /* proof-of-work nonce */
    sb_table_proof t[SB_MAX_TABLES];
} sb_stark_proof;

/* Computes the shape for an AIR, log_steps and blowup (iterations are not needed: a table's
 * height may depend on log_steps only). Returns 0, or -1 with a reason in why when the
 * parameters are unsupported (blowup not 2/4/8, log_steps out of range, too many tables, an
 * AIR domain out of range, a domain beyond 2^32, fixed columns on a table of more than
 * 2^SB_MAX_FIXED_LOG_ROWS rows). */
int sb_proof_shape_init(const sb_air *air, unsigned log_steps, unsigned blowup, sb_proof_shape *s, char *why,
                        size_t whylen);

/* Returns the exact serialized length of a proof of this shape. */
size_t sb_proof_size(const sb_proof_shape *s);

/* Allocates every array of p for its shape (p->shape set by the caller). Returns 0 or -1. */
int sb_proof_alloc(sb_stark_proof *p);
void sb_proof_release(sb_stark_proof *p);

/* Serializes p into a new buffer of sb_proof_size bytes. Returns 0 or -1 (out of memory). */
int sb_proof_serialize(const sb_stark_proof *p, uint8_t **bytes, size_t *len);

/* Parses a proof strictly (magic, version, supported parameters, exact length, canonical
 * elements) and allocates p. Returns 0, or -1 with a one-line reason in why (p then holds
 * nothing to release). */
int sb_proof_parse(const sb_air *air, const uint8_t *bytes, size_t len, sb_stark_proof *p, char *why,
                   size_t whylen);

#ifdef __cplusplus
}
#endif

#endif
