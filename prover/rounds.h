/* The heavy operations of Rounds 2-4 behind the backend interface (composition
 * evaluation over the LDE, OOD evaluation, DEEP composition, FRI folding and
 * commit, the proof-of-work search; query openings are the backend's open_many).
 * Inputs and outputs are backend matrices (backend.h): a backend with kernels keeps
 * them in its memory, and only what the transcript needs (OOD values, roots, the
 * nonce) comes back as plain values. The CPU implementation reads its inputs through
 * ops->to_host, so it runs on matrices of either backend. Every implementation must
 * give the same values bit for bit (docs/PROTOCOL.md pins the math).
 *
 * Conventions: an LDE row i is the point 7 * w_{lde_n}^i (natural order); an
 * ext3 matrix of M columns is a base matrix of 3M columns; every op may be called
 * concurrently from several threads (--tp) on distinct data, each with its own
 * sb_op; every op returns 0, or -1 with a one-line reason in op->err. */
#ifndef SB_ROUNDS_H
#define SB_ROUNDS_H

#include "air.h"
#include "backend.h"

/* The composition polynomial is split into this many parts of degree < n
 * (C = C_0 + x^n C_1): constraints of degree <= 3 on the transition and ALL
 * domains, <= 2 on the boundary domains, and blowup >= 2. */
#define SB_COMPOSITION_PARTS 2

/* The failure of a composition whose C has degree >= SB_COMPOSITION_PARTS * n, on every backend. */
#define SB_COMPOSITION_NOT_LOW "the composition polynomial is not of low degree: the trace breaks a constraint"

/* Round 2 input for one table (every commitment has the same n and blowup). */
typedef struct sb_composition_in {
    const sb_table_air *air;
    const sb_public *pub;
    sb_matrix *main;         /* main trace LDE, air->n_main columns */
    sb_matrix *fixed;        /* fixed columns' LDE (never committed); NULL when air->n_fixed = 0 */
    sb_matrix *aux;          /* aux trace LDE, 3 * air->n_aux columns */
    const fp3_t *challenges; /* the LogUp challenges */
    fp3_t claimed_sum;       /* this table's LogUp claimed sum */
    fp3_t beta;              /* constraint i (main ones first, then aux) is weighted by beta^i */
} sb_composition_in;

/* Round 4 input: the DEEP composition
 *   Q(x) = (S(x) - sum_z) / (x - z) + (S'(x) - sum_zw) / (x - z*w_n)
 * where S combines every base column k of every matrix with coeffs[m][k] and S'
 * only those of the first n_shifted matrices (the ones also opened at z*w_n). */
#define SB_DEEP_MAX_MATS 4
typedef struct sb_deep_in {
    size_t n_mats, n_shifted;
    sb_matrix *mats[SB_DEEP_MAX_MATS];
    const fp3_t *coeffs[SB_DEEP_MAX_MATS]; /* one per base column of mats[m] */
    fp3_t z, zw;
    fp3_t sum_z, sum_zw; /* the claimed values of S(z) and S'(z*w_n) */
} sb_deep_in;

typedef struct sb_round_ops {
    /* Round 2: evaluates C(x) = sum_i beta^i num_i(x) / Z_dom(i)(x) on every LDE row,
     * interpolates it and makes parts the values over H (natural order) of its parts:
     * n x 3*SB_COMPOSITION_PARTS (ext3, part j = columns 3j..3j+2; blowup 1, offset 1).
     * Fails when C has degree >= SB_COMPOSITION_PARTS * n (the trace breaks a constraint). */
    int (*composition)(sb_backend *be, sb_op *op, const sb_composition_in *in, sb_matrix *parts);
    /* Round 3: evaluates every base column of each of the n_mats LDE matrices (one height n,
     * degree < n) at each point: outs[k][p * mats[k]->cols + col] for p < n_points. Only
     * these values leave the backend. */
    int (*ood)(sb_backend *be, sb_op *op, sb_matrix *const *mats, size_t n_mats, const fp3_t *points,
               size_t n_points, fp3_t *const *outs);
    /* Round 4: makes layer0 the DEEP polynomial Q at every LDE row: one ext3 column of lde_n
     * rows (natural order), offset 7, the blowup of the inputs: FRI layer 0. */
    int (*deep)(sb_backend *be, sb_op *op, const sb_deep_in *in, sb_matrix *layer0);
    /* Round 4, one FRI step: layer holds m values (one ext3 column) on the coset
     * offset * <w_m>; makes next the folded layer of m/2 values on offset^2 * <w_{m/2}>,
     * next[k] = (a + b)/2 + alpha (a - b)/(2 x_k), a = layer[k], b = layer[k + m/2],
     * x_k = offset * w_m^k, and when commit is set commits it (SB_LEAVES_PAIRS: leaf k =
     * merkle_hash_row of (next[k], next[k + m/4]) as 6 base elements; next->root set). */
    int (*fri_fold)(sb_backend *be, sb_op *op, sb_matrix *layer, fp3_t alpha, int commit, sb_matrix *next);
    /* The proof of work: writes the smallest nonce with sb_pow_ok(seed, nonce) (stark.h),
     * the same on every backend and thread count. */
    int (*grind)(sb_backend *be, sb_op *op, const uint8_t seed[32], uint64_t *nonce);
} sb_round_ops;

/* The CPU implementation (cpu_rounds.c). */
extern const sb_round_ops sb_cpu_round_ops;

#endif
