/* The CUDA side of the GPU backend: launchers callable from C (gpu_backend.c, the
 * `kernels` command, tests). Every launcher takes its threads per block and its
 * stream explicitly, checks each launch, and on a CUDA error returns it with the
 * failing kernel and its launch configuration written to *site, for the
 * fallback record. Device buffers are row-major: element (r, c) of an R x C
 * matrix at [r*C + c]; a digest is 4 u64 lanes (its 32 bytes, little-endian). */
#ifndef SB_GPU_H
#define SB_GPU_H

#include <stddef.h>
#include <stdint.h>

#include <cuda_runtime_api.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Where a CUDA error happened: the kernel (or runtime call) and its launch configuration. */
typedef struct sb_gpu_site {
    const char *kernel;
    char launch[64]; /* e.g. "grid=(528,1,1) block=(16,16,1) smem=32768" */
} sb_gpu_site;

/* Rows per fused NTT pass are at most 2^SB_NTT_MAX_LEVELS (the shared-memory tile). */
#define SB_NTT_MAX_LEVELS 8
/* Columns per NTT tile (blockDim.x): 16 u64 = one 128-byte segment of a row. */
#define SB_NTT_TILE_COLS 16

/* Number of u64 in the coset power tables sb_gpu_lde needs for 2^log_n rows and blowup 2^log_b. */
size_t sb_gpu_coset_table_len(unsigned log_n, unsigned log_b);

/* Fills tw[t] = w^t for t < max(1, n/2), w the 2^log_n-th root of unity (its inverse when inverse). */
cudaError_t sb_gpu_twiddles(uint64_t *tw, unsigned log_n, int inverse, unsigned tpb, unsigned max_blocks,
                            cudaStream_t s, sb_gpu_site *site);

typedef struct sb_gpu_lde_args {
    uint64_t *trace;        /* in: 2^log_n x cols evaluations over H; overwritten (coefficients) */
    uint64_t *lde;          /* out: 2^(log_n+log_b) x cols, the coset LDE in natural order */
    uint64_t *coset_tables; /* scratch of sb_gpu_coset_table_len entries */
    const uint64_t *tw;     /* sb_gpu_twiddles(log_n, forward) */
    const uint64_t *itw;    /* sb_gpu_twiddles(log_n, inverse) */
    unsigned log_n, log_b, cols;
    unsigned tpb_ntt, tpb_scale; /* multiples of 32 (>= SB_NTT_TILE_COLS), <= 1024 */
    unsigned max_blocks;         /* grid cap for the grid-stride loops */
} sb_gpu_lde_args;

/* Queues the coset LDE (docs/PROTOCOL.md "Encoding") on s: inverse NTT by decimation in frequency (natural in,
 * bit-reversed out), then per coset k of the blowup one forward NTT by decimation in time over the
 * coefficients times (7 w_bN^k)^j / n (bit-reversed in, natural out), all cosets in one pass as the
 * columns of an n x (b*cols) view whose row m is LDE rows b*m .. b*m+b-1. No bit-reversal pass. */
cudaError_t sb_gpu_lde(const sb_gpu_lde_args *a, cudaStream_t s, sb_gpu_site *site);

/* Queue whole NTTs of the 2^log_n x cols row-major matrix in place with the LDE's passes (at most
 * SB_NTT_MAX_LEVELS levels a pass, tpb threads at most): sb_gpu_intt_dif is the inverse transform
 * by decimation in frequency (itw: sb_gpu_twiddles(log_n, inverse)), natural order in,
 * bit-reversed out, unscaled (n a_j at row bitrev(j)); sb_gpu_ntt_dit the forward one by
 * decimation in time (tw: sb_gpu_twiddles(log_n, forward)), bit-reversed in, natural out. Values
 * in must be canonical. */
cudaError_t sb_gpu_intt_dif(uint64_t *data, unsigned log_n, unsigned cols, const uint64_t *itw, unsigned tpb,
                            unsigned max_blocks, cudaStream_t s, sb_gpu_site *site);
cudaError_t sb_gpu_ntt_dit(uint64_t *data, unsigned log_n, unsigned cols, const uint64_t *tw, unsigned tpb,
                           unsigned max_blocks, cudaStream_t s, sb_gpu_site *site);

/* Queues the Merkle tree over the LDE (2^log_rows x cols): leaf k = Keccak-256 of
 * row bitrev(k) (canonical u64 big-endian), nodes in heap layout (2L-1 digests, root at 0; the
 * root in byte order, every other node's lanes bit-interleaved, see keccak_f.cuh). sms:
 * the device's SM count (it sizes the leaves' grid, and the tree levels with at most that many
 * subtrees are climbed in one launch). */
cudaError_t sb_gpu_merkle(const uint64_t *lde, unsigned log_rows, unsigned cols, uint64_t *nodes,
                          unsigned tpb_keccak, unsigned tpb_merkle, unsigned sms, cudaStream_t s, sb_gpu_site *site);

/* Queues the tree levels over leaves already in nodes[L-1 .. 2L-2] (interleaved digests, as the
 * leaves kernel writes them), L = 2^log_leaves: the inner nodes, the root at 0 in byte order.
 * sb_gpu_merkle is the leaves kernel and this. */
cudaError_t sb_gpu_merkle_tree(uint64_t *nodes, unsigned log_leaves, unsigned tpb_merkle, unsigned sms, cudaStream_t s,
                               sb_gpu_site *site);

/* Queues the openings of the n leaves leaves[0..n) (each < 2^log_rows) of the tree nodes over lde
 * (2^log_rows x cols): rows (n x cols) = LDE row bitrev(leaf), paths (n x log_rows digests) = the
 * authentication paths, leaf level first. One block of tpb threads per leaf. */
cudaError_t sb_gpu_merkle_open(const uint64_t *lde, const uint64_t *nodes, unsigned cols, unsigned log_rows,
                               const uint64_t *leaves, uint64_t n, uint64_t *rows, uint64_t *paths, unsigned tpb,
                               unsigned max_blocks, cudaStream_t s, sb_gpu_site *site);

/* Load every kernel of the NTT / Keccak module into the current context (see sb_load_kernels). */
cudaError_t sb_gpu_ntt_load(void);
cudaError_t sb_gpu_keccak_load(void);

/* Kernels for cudaFuncGetAttributes: the forward NTT pass (tpb ntt) or, with expand, the coset
 * expansion pass (tpb scale); the Keccak leaves (tpb keccak; of its instantiations per cols mod 17, the
 * one with the most registers) or, with tree, the tree levels (tpb merkle). */
const void *sb_gpu_ntt_kernel(int expand);
const void *sb_gpu_keccak_kernel(int tree);

/* Floors measured on the device (issue 5): D2D copy bandwidth (read + write bytes), the rate of a
 * straightforward register-resident Goldilocks butterfly, and of a straightforward Keccak-f[1600]. */
typedef struct sb_gpu_floor_rates {
    double copy_bytes_per_s;
    double butterflies_per_s;
    double keccak_f_per_s;
} sb_gpu_floor_rates;
cudaError_t sb_gpu_measure_floors(sb_gpu_floor_rates *f, sb_gpu_site *site);

/* The GPU noise probe (bench/noise.h): n timed launches (ms, CUDA events, after one warm-up) of
 * the floor's Keccak-f kernel on a fixed grid of SB_NOISE_PROBE_BLOCKS x 128 threads, whatever
 * the device, so the work is the same everywhere. */
#define SB_NOISE_PROBE_BLOCKS 1024
cudaError_t sb_gpu_time_noise_probe(double *ms, int n, sb_gpu_site *site);

/* The pipe probes (kernels/floors.cu): the instruction X beside three LOP3 in each step. */
enum { SB_PIPE_LOP3, SB_PIPE_SHF, SB_PIPE_PRMT, SB_PIPE_IMAD, SB_PIPE_FP64_SHIFT, SB_PIPE_PROBES };
extern const char *const sb_gpu_pipe_names[SB_PIPE_PROBES];

/* Times each pipe probe (median of 5, seconds) and counts the mismatches of the FP64 funnel
 * shift against SHF.L.W over every shift and 2^24 pairs (0 expected). */
cudaError_t sb_gpu_measure_pipes(double seconds[SB_PIPE_PROBES], unsigned long long *mismatches, sb_gpu_site *site);

#ifdef __cplusplus
}
#endif

#endif
