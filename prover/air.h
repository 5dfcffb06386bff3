/* The contract between the generic multi-table STARK (prover.c, verifier.c)
 * and a machine's AIR (air_fib.c for fib_iterative).
 *
 * Each table has committed main columns (base field), fixed columns (the
 * verifier's: built from public values, never committed), and committed aux
 * columns (LogUp, Fp3). Every constraint has degree <= 3 in the columns and
 * applies on one domain (below). The STARK divides each numerator by that
 * domain's vanishing polynomial and combines them with powers of beta. */
#ifndef SB_AIR_H
#define SB_AIR_H

#include <stddef.h>
#include <stdint.h>

#include "fp3.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sb_domain {
    SB_DOM_TRANSITION = 0, /* rows 0..N-2: zero on H except the last point w^(N-1) */
    SB_DOM_FIRST = 1,      /* row 0 only */
    SB_DOM_LAST = 2,       /* row N-1 only */
    SB_DOM_ALL = 3         /* every row of H */
} sb_domain;

/* Public values: what the verifier knows. */
typedef struct sb_public {
    unsigned log_steps;  /* CPU table height 2^log_steps */
    uint64_t iterations; /* n, a closed form of log_steps (docs/AIR.md); never read from a proof */
    uint64_t output;     /* a0 = fib(n) mod 2^64 claimed by the prover */
} sb_public;

#define SB_AIR_MAX_CHALLENGES 4
/* LogUp compresses a tuple t into tag + c t[0] + c^2 t[1] + ... with the first challenge c: Fp3
 * frames carry c's powers, computed once per evaluation pass instead of on every row. */
#define SB_AIR_CHALLENGE_POWERS 16

/* Writes pows[i] = c^(i+1) for i < SB_AIR_CHALLENGE_POWERS. */
static inline void sb_challenge_powers(fp3_t c, fp3_t pows[SB_AIR_CHALLENGE_POWERS]) {
    pows[0] = c;
    for (int i = 1; i < SB_AIR_CHALLENGE_POWERS; i++) pows[i] = fp3_mul(pows[i - 1], c);
}

/* One row pair over the base field (LDE domain evaluation of main-only constraints). */
typedef struct sb_frame_base {
    const uint64_t *main_cur, *main_next;   /* n_main values */
    const uint64_t *fixed_cur, *fixed_next; /* n_fixed values */
    const sb_public *pub;
} sb_frame_base;

/* One row pair over Fp3 (aux constraints everywhere; every constraint at z). */
typedef struct sb_frame_ext {
    const fp3_t *main_cur, *main_next;
    const fp3_t *fixed_cur, *fixed_next;
    const fp3_t *aux_cur, *aux_next;        /* n_aux values */
    const fp3_t *challenges;                /* n_challenges LogUp challenges */
    fp3_t claimed_sum;                      /* this table's LogUp claimed sum */
    const sb_public *pub;
    const fp3_t *challenge_pows;            /* sb_challenge_powers(challenges[0]) */
} sb_frame_ext;

typedef struct sb_table_air {
    const char *name;           /* "cpu", "program", "range" */
    size_t n_main, n_fixed, n_aux;
    size_t n_main_constraints;  /* over main + fixed columns only */
    size_t n_aux_constraints;   /* may read everything */
    const uint8_t *main_domains; /* sb_domain of each main constraint */
    const uint8_t *aux_domains;
    /* Returns log2 of the table height for these public values. */
    unsigned (*log_rows)(const sb_public *pub);
    /* Writes the fixed columns (row-major rows x n_fixed); unused when n_fixed = 0. The verifier
     * builds and evaluates them itself, so a table with fixed columns has at most
     * 2^SB_MAX_FIXED_LOG_ROWS rows (proof.h), whatever the step count. */
    void (*gen_fixed)(const sb_public *pub, uint64_t *fixed);
    /* Main constraints over the base field and over Fp3: the same constraints
     * (one source, instantiated for each), out has n_main_constraints entries. */
    void (*eval_main_base)(const sb_frame_base *f, uint64_t *out);
    void (*eval_main_ext)(const sb_frame_ext *f, fp3_t *out);
    /* Aux (LogUp) constraints, out has n_aux_constraints entries; they read the frame's
     * challenge_pows where they compress tuples. */
    void (*eval_aux)(const sb_frame_ext *f, fp3_t *out);
    /* Each constraint's name for diagnostics (n_main_constraints / n_aux_constraints
     * entries, docs/AIR.md), or NULL. */
    const char *const *main_names;
    const char *const *aux_names;
} sb_table_air;

typedef struct sb_air {
    size_t n_tables;
    const sb_table_air *tables;
    size_t n_challenges; /* LogUp challenges (Fp3) drawn after all main roots */
    /* The verifier's statement: fills pub->log_steps and pub->iterations from log_steps alone (a
     * closed form: its cost does not grow with the steps) and leaves pub->output alone, which
     * the verifier takes from the proof. Returns 0, or -1 if log_steps is unsupported. */
    int (*statement)(unsigned log_steps, sb_public *pub);
    /* The prover's public values: statement, then the output from running the machine (cost
     * linear in the steps; never called by the verifier). Returns 0, or -1 if unsupported. */
    int (*public_values)(unsigned log_steps, sb_public *pub);
    /* Generates every table's main trace; main[t] is allocated by the callee (row-major
     * 2^log_rows x n_main, canonical). Returns 0 or -1. */
    int (*gen_main)(const sb_public *pub, uint64_t **main);
    /* Generates every table's aux trace (row-major 2^log_rows x n_aux Fp3) and its
     * claimed sum, from the main traces and the challenges. aux[t] allocated by the callee. */
    int (*gen_aux)(const sb_public *pub, uint64_t *const *main, const fp3_t *challenges, fp3_t **aux,
                   fp3_t *claimed_sums);
} sb_air;

/* The fib_iterative machine (air_fib.c). */
const sb_air *sb_air_fib(void);

#ifdef __cplusplus
}
#endif

#endif
