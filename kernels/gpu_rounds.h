/* Rounds 2-4 on the device: launchers callable from C, over raw device pointers, in gpu.h's style
 * (threads per block and stream explicit, grid-stride loops, every launch checked, a CUDA error
 * returned with the failing kernel and its launch configuration in *site). A shape a kernel
 * cannot index is rejected before anything is queued: cudaErrorInvalidValue, with
 * site->launch = "not launched: <why>". Matrices are row-major; an Fp3 value is 3 consecutive
 * u64 (c0, c1, c2), so an M x 3 base matrix and M fp3_t are the same bytes. Every value these
 * kernels write equals the CPU's (prover/cpu_rounds.c, stark_poly.c, fri.c, stark_common.c)
 * byte for byte: they compute it with the same inline field code and the same per-element
 * functions (prover/stark_row.h, kernels/rounds.cuh, kernels/fib_constraints.cuh).
 *
 * Stream use: each launcher queues its kernels on s only, in order, and reads no device value
 * back except sb_gpu_pow_search (which synchronizes s); the caller orders s against its
 * other streams. */
#ifndef SB_GPU_ROUNDS_H
#define SB_GPU_ROUNDS_H

#include <stddef.h>
#include <stdint.h>

#include "air_fib.h"
#include "fp3.h"
#include "gpu.h"
#include "rounds.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Round 2: the composition polynomial of a fib AIR table --------------------------------- */

/* The most constraints of a fib table (the CPU table's main and aux constraints). */
#define SB_GPU_FIB_MAX_CONSTRAINTS (FIB_CPU_MAIN_CONSTRAINTS + FIB_CPU_AUX_CONSTRAINTS)

/* What a composition kernel reads besides the LDEs: built on the host by
 * sb_gpu_fib_comp_consts_init and copied to device memory once per composition (every thread
 * reads the same entry at the same time, so the loads are broadcasts). */
typedef struct sb_gpu_fib_comp_consts {
    fp3_t beta_pows[SB_GPU_FIB_MAX_CONSTRAINTS];  /* beta^i: the table's main constraints, then its aux ones */
    fp3_t alpha_pows[SB_AIR_CHALLENGE_POWERS];    /* sb_challenge_powers(alpha) */
    fp3_t gamma, claimed_sum;                     /* the LogUp challenge gamma, the table's claimed sum */
    uint64_t w;                                   /* w_M, M = n * blowup: LDE row i is the point 7 w^i */
    uint64_t g;                                   /* w_n^(n-1), the last point of H */
    uint64_t vanish[8];                           /* x^n - 1 = 7^n w_b^j - 1 on the LDE rows i = j mod blowup */
    uint64_t halt_pc, output;                     /* the CPU table's last-row values */
    uint8_t domains[SB_GPU_FIB_MAX_CONSTRAINTS];  /* sb_domain of each constraint, same order as beta_pows */
} sb_gpu_fib_comp_consts;

/* Returns the FIB_TABLE_* index of air in sb_air_fib(), or -1 when air is another AIR's table
 * (the composition kernels know the fib AIR only; another AIR's composition stays on the CPU). */
int sb_gpu_fib_table(const sb_table_air *air);

/* Fills k for fib table `table` of 2^log_n rows at blowup 2^log_b (1 <= log_b <= 3, as the CPU
 * composition requires): beta's powers, the table's domains, the challenge powers, gamma
 * (challenges[FIB_CH_GAMMA]), claimed_sum, the zerofier constants and the public values.
 * Returns 0, or -1 for an unknown table or an unsupported shape. */
int sb_gpu_fib_comp_consts_init(sb_gpu_fib_comp_consts *k, int table, const sb_public *pub, unsigned log_n,
                                unsigned log_b, fp3_t beta, const fp3_t *challenges, fp3_t claimed_sum);

typedef struct sb_gpu_composition_args {
    int table;                            /* FIB_TABLE_* */
    const uint64_t *main;                 /* M x n_main: the main LDE */
    const uint64_t *fixed;                /* M x n_fixed: the fixed columns' LDE (program table), else NULL */
    const uint64_t *aux;                  /* M x 3 n_aux: the aux LDE */
    const sb_gpu_fib_comp_consts *consts; /* device copy of sb_gpu_fib_comp_consts_init's result */
    unsigned log_n, log_b;                /* the same as consts was built for */
    uint64_t *c;                          /* out: M x 3, C at every LDE row (fp3) */
    unsigned tpb, max_blocks;             /* threads per block (a multiple of 32, <= 256: the CPU table's rows
                                             take 250 registers a thread), grid cap */
} sb_gpu_composition_args;

/* Queues C(x_i) = sum_j beta^j num_j(x_i) / Z_dom(j)(x_i) on every LDE row i (cpu_rounds.c
 * composition_row): one thread a row, the table's main constraints over the base field and
 * its aux constraints over Fp3 (the write-once air_fib_constraints_impl.h), weighted and summed
 * per domain as they are emitted, then divided by the domains' vanishing polynomials (one
 * inversion a row). */
cudaError_t sb_gpu_fib_composition(const sb_gpu_composition_args *a, cudaStream_t s, sb_gpu_site *site);

/* Queues the interpolation and split of C (cpu_rounds.c split_parts): c (M x 3, C on the LDE
 * coset, overwritten) goes through the inverse NTT (itw_lde: sb_gpu_twiddles(log_n + log_b,
 * inverse)); coefficient j of C, scaled by 7^-j / M, goes to part j / n as its coefficient
 * j mod n; then the forward NTT over H (tw_n: sb_gpu_twiddles(log_n, forward)) leaves parts
 * (n x 3 SB_COMPOSITION_PARTS: row k = C_0(w_n^k) then C_1(w_n^k)) as the CPU writes them.
 * *degree_bad (device) is set to 0, then to 1 by any non-zero coefficient of index >= 2n: the
 * caller reads it once s gets there, and fails as the CPU does ("the composition polynomial is
 * not of low degree: the trace breaks a constraint"). tpb_ntt: the NTT passes (--tpb ntt). */
cudaError_t sb_gpu_composition_split(uint64_t *c, unsigned log_n, unsigned log_b, const uint64_t *itw_lde,
                                     const uint64_t *tw_n, uint64_t *parts, uint32_t *degree_bad, unsigned tpb_ntt,
                                     unsigned tpb, unsigned max_blocks, cudaStream_t s, sb_gpu_site *site);

/* ---- Round 3: out-of-domain values (sb_coset_eval) ------------------------------------------- */

#define SB_GPU_OOD_MAX_POINTS 4

/* A matrix to evaluate: row j of the coset 7 <w_n> at rows + j * stride (the LDE's rows 0, b,
 * 2b, ...: stride = blowup * cols), cols columns of polynomials of degree < n. */
typedef struct sb_gpu_ood_matrix {
    const uint64_t *rows;
    uint64_t stride;
    unsigned cols;
    fp3_t *out; /* n_points x cols: out[p * cols + c] = column c at points[p] */
} sb_gpu_ood_matrix;

/* Scratch (fp3_t elements) sb_gpu_ood needs: the weights (n x n_points) and the per-block sums. */
size_t sb_gpu_ood_scratch_len(unsigned log_n, unsigned n_points, unsigned max_cols, unsigned sms);

/* Queues the barycentric evaluation of every column of the n_mats matrices at the n_points
 * (<= SB_GPU_OOD_MAX_POINTS, each outside Fp) points: f(z) = (z^n - 7^n)/(n 7^n) *
 * sum_j f(x_j) x_j / (z - x_j). The weights x_j / (z - x_j) once (one inversion each), then per
 * matrix a dot product of each column with each point's weights: threadIdx.x = column (a warp
 * reads 32 consecutive values of a row), rows spread over threadIdx.y and the blocks, the block's
 * rows summed in shared memory, the blocks' sums by a second kernel. Field addition is exact,
 * so the order of the sums cannot change the value: the result is the CPU's for any grid.
 * scratch: sb_gpu_ood_scratch_len(log_n, n_points, the widest matrix, sms) elements. */
cudaError_t sb_gpu_ood(const sb_gpu_ood_matrix *mats, unsigned n_mats, unsigned log_n, const fp3_t *points,
                       unsigned n_points, fp3_t *scratch, unsigned tpb, unsigned sms, cudaStream_t s,
                       sb_gpu_site *site);

/* ---- Round 4: DEEP composition ------------------------------------------------------------------ */

typedef struct sb_gpu_deep_args {
    unsigned n_mats, n_shifted;                   /* as rounds.h sb_deep_in */
    const uint64_t *rows[SB_DEEP_MAX_MATS];   /* M x cols[k] LDEs */
    unsigned cols[SB_DEEP_MAX_MATS];
    const fp3_t *coeffs[SB_DEEP_MAX_MATS];    /* cols[k] coefficients each (device) */
    fp3_t z, zw, sum_z, sum_zw;
    unsigned log_m;                               /* M = 2^log_m LDE rows */
    fp3_t *out;                                   /* M values of Q, natural order */
    unsigned tpb, max_blocks;                     /* tpb: a multiple of 32, <= 1024 */
} sb_gpu_deep_args;

/* Queues Q at every LDE row (cpu_rounds.c deep_impl): each block stages tpb rows x 32 columns in
 * shared memory at a time (coalesced loads, threadIdx.x = column), then each thread sums its row's
 * products with the coefficients and divides as sb_deep_value does, with 1/(x - z) and
 * 1/(x - z w) from one base inversion (the norm trick of sb_inv_shift). */
cudaError_t sb_gpu_deep(const sb_gpu_deep_args *a, cudaStream_t s, sb_gpu_site *site);

/* ---- Round 4: FRI ------------------------------------------------------------------------------------ */

/* Queues one FRI fold (rounds.h fri_fold): layer holds m = 2^log_m values on the coset
 * offset * <w_m>; out[k] = sb_fri_fold_pair(layer[k], layer[k + m/2], 1/x_k, alpha) for k < m/2.
 * With nodes (not NULL, log_m >= 2) the folded layer is committed in the same pass: leaf k =
 * the digest of (out[k], out[k + m/4]) as 6 canonical elements, then the tree levels (gpu.h
 * sb_gpu_merkle_tree): nodes holds 2L-1 digests for L = m/4, the root at 0 in byte order.
 * tpb_merkle, sms: the tree levels' (gpu.h sb_gpu_merkle). */
cudaError_t sb_gpu_fri_fold(const fp3_t *layer, unsigned log_m, uint64_t offset, fp3_t alpha, fp3_t *out,
                            uint64_t *nodes, unsigned tpb, unsigned tpb_merkle, unsigned sms, unsigned max_blocks,
                            cudaStream_t s, sb_gpu_site *site);

/* Queues the openings of n leaves of a committed FRI layer (the backend's open_many of an
 * SB_LEAVES_PAIRS matrix): layer holds 2L values, nodes its tree of L = 2^log_leaves leaves (as
 * sb_gpu_fri_fold left them), leaves[i] < L. pairs[2i], pairs[2i + 1] = layer[leaves[i]],
 * layer[leaves[i] + L], the leaf's values; paths[i] (log_leaves digests, leaf level first, byte
 * order) = its authentication path. One block a leaf. merkle_open_many does not fit: it gathers
 * LDE row bitrev(leaf) of a row-major matrix, while a FRI leaf pairs layer[k] with layer[k + L];
 * the path code (merkle_path_lanes) is shared. */
cudaError_t sb_gpu_fri_open(const fp3_t *layer, const uint64_t *nodes, unsigned log_leaves, const uint64_t *leaves,
                            uint64_t n, fp3_t *pairs, uint64_t *paths, unsigned tpb, unsigned max_blocks,
                            cudaStream_t s, sb_gpu_site *site);

/* The final polynomial stays on the host: its layer has blowup * 8 values at most (64), which
 * the caller copies back to interpolate, check and absorb (fri.c sb_fri_commit). */

/* ---- Round 4: grinding ---------------------------------------------------------------------------- */

/* Searches the smallest nonce < limit with sb_pow_ok(seed, nonce) (stark.h, docs/PROTOCOL.md
 * "Proof of work") and writes it to *nonce, or limit when there is none: batches of
 * consecutive nonces in increasing order, each batch's smallest hit by atomicMin, a batch
 * skipped whole once an earlier one has a hit, so the answer is the CPU's (sb_pow_search).
 * found: one device u64 of scratch. Synchronizes s (once per SB_GPU_POW_ROUND batches). */
#define SB_GPU_POW_BATCH_LOG 20
#define SB_GPU_POW_ROUND 16
cudaError_t sb_gpu_pow_search(const uint8_t seed[32], uint64_t limit, uint64_t *found, unsigned tpb, unsigned sms,
                              cudaStream_t s, uint64_t *nonce, sb_gpu_site *site);

/* ---- kernels for the harness ---------------------------------------------------------------------- */

/* Loads every kernel of this file's launchers into the current context (see sb_load_kernels). */
cudaError_t sb_gpu_rounds_load(void);

/* composition.cu's kernels, i = 0 .. FIB_N_TABLES (the rows per table, then the split), else NULL
 * (sb_gpu_rounds_load and sb_gpu_rounds_kernel read them). */
const void *sb_gpu_composition_kernel(int i);

/* The kernel of --tpb group k (SB_K_COMPOSE .. SB_K_POW) with the most registers, for
 * cudaFuncGetAttributes (compose: the CPU table's rows); NULL for another id. */
const void *sb_gpu_rounds_kernel(int k);

#ifdef __cplusplus
}
#endif

#endif
