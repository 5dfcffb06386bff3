/* Keccak-256 Merkle trees over row-major LDEs, built on the device.
 *
 * One thread per leaf reads one contiguous row (LDE row bitrev(k) for leaf k), absorbs
 * it serialized as canonical big-endian u64 (17 lanes per block, Keccak padding 0x01 ..
 * 0x80), and writes the digest to node L-1+k; then the tree launches hash sibling pairs, which
 * sit next to each other in the heap layout (children 2i+1, 2i+2), several levels a launch.
 * Every node but the root holds its digest's lanes bit-interleaved (keccak_f.cuh): the nodes'
 * permutations run interleaved, 5 ALU instructions a round fewer, and each leaf converts its
 * four digest lanes once. The root and the openings' paths leave the device in byte order. */
#include "gpu.h"
#include "keccak_f.cuh"
#include "launch.cuh"

#define RATE_LANES KECCAK256_RATE_LANES

/* lde must be canonical, as sb_gpu_lde leaves it (the loads do not reduce). full_blocks =
 * cols / 17, REM = cols mod 17. The first block is written into the state rather than XORed
 * into zeros; one permutation call site serves every block but the last (whose permutation
 * is the digest's), because the instruction cache holds little more than that loop. */
template <int REM>
__global__ void keccak256_leaves_row_major(const uint64_t *__restrict__ lde, unsigned full_blocks,
                                           unsigned log_rows, uint64_t *__restrict__ nodes) {
    const uint64_t leaves = 1ull << log_rows;
    const unsigned cols = full_blocks * RATE_LANES + REM;
    for (uint64_t k = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; k < leaves;
         k += (uint64_t)gridDim.x * blockDim.x) {
        const uint64_t row = log_rows ? __brevll(k) >> (64 - log_rows) : 0;
        const uint64_t *src = lde + row * cols;
        kl s[25];
#pragma unroll
        for (int l = RATE_LANES; l < 25; l++) s[l] = {0, 0};
        if (full_blocks == 0) {
#pragma unroll
            for (int l = 0; l < RATE_LANES; l++) s[l] = {0, 0};
        } else {
#pragma unroll
            for (int l = 0; l < RATE_LANES; l++) s[l] = kl_be(src[l]);
            for (unsigned b = 1;; b++) {
                keccak_f1600_dev(s);
                src += RATE_LANES;
                if (b == full_blocks) break;
#pragma unroll
                for (int l = 0; l < RATE_LANES; l++) kl_absorb_be(s[l], src[l]);
            }
        }
        keccak_absorb_last_block<REM>(s, src);
        keccak_f1600_digest<0, KECCAK_PLAIN>(s);
        keccak_store_node_digest(s, nodes + (leaves - 1 + k) * 4);
    }
}

/* One instantiation of the leaves kernel per cols mod 17. */
#define LEAVES_REM(r) keccak256_leaves_row_major<r>
static void (*const leaves_by_rem[RATE_LANES])(const uint64_t *, unsigned, unsigned, uint64_t *) = {
    LEAVES_REM(0),  LEAVES_REM(1),  LEAVES_REM(2),  LEAVES_REM(3),  LEAVES_REM(4),  LEAVES_REM(5),
    LEAVES_REM(6),  LEAVES_REM(7),  LEAVES_REM(8),  LEAVES_REM(9),  LEAVES_REM(10), LEAVES_REM(11),
    LEAVES_REM(12), LEAVES_REM(13), LEAVES_REM(14), LEAVES_REM(15), LEAVES_REM(16)};
#undef LEAVES_REM

/* Node i of the heap from its children 2i+1, 2i+2 (one permutation: 64 bytes fit the rate), all
 * three interleaved. The padding's two bits (bit 0 of lane 8, bit 63 of lane 16) sit in the same
 * words either way. */
__device__ __forceinline__ void keccak256_node(uint64_t *nodes, uint64_t i) {
    const uint64_t *child = nodes + (2 * i + 1) * 4;
    kl s[25];
#pragma unroll
    for (int l = 0; l < 8; l++) s[l] = kl_of_u64(child[l]);
#pragma unroll
    for (int l = 8; l < 25; l++) s[l] = {0, 0};
    s[8].lo = 0x01;
    s[RATE_LANES - 1].hi = 0x80000000u;
    keccak_f1600_digest<1, KECCAK_INTERLEAVED>(s);
#pragma unroll
    for (int l = 0; l < 4; l++) nodes[i * 4 + l] = kl_u64(s[l]);
}

/* `levels` tree levels in one launch, the lowest of `count` nodes. Block b owns subtree b of
 * `per_block` nodes at that level (a power of two dividing count; the grid is count / per_block
 * blocks) and climbs it level by level. Children are read back from global memory, which the
 * barrier makes visible within the block (plain loads, not the read-only path). */
extern "C" __global__ void keccak256_merkle_levels(uint64_t *nodes, uint64_t count, unsigned per_block,
                                                   unsigned levels) {
    for (unsigned l = 0; l < levels; l++) {
        const unsigned n = per_block >> l;
        if (threadIdx.x < n) keccak256_node(nodes, (count >> l) - 1 + blockIdx.x * (uint64_t)n + threadIdx.x);
        __syncthreads();
    }
}

/* The root (node 0) from interleaved to byte order, in place (nothing reads it as a child): one
 * thread a lane. */
extern "C" __global__ void merkle_root_deinterleave(uint64_t *nodes) {
    nodes[threadIdx.x] = u64_deinterleave(nodes[threadIdx.x]);
}

/* The openings of n leaves, one block per leaf (grid-stride): rows[i] = LDE row bitrev(leaves[i])
 * (cols values), paths[i] = its authentication path (merkle_path_lanes). */
extern "C" __global__ void merkle_open_many(const uint64_t *__restrict__ lde, const uint64_t *__restrict__ nodes,
                                            unsigned cols, unsigned log_rows, const uint64_t *__restrict__ leaves,
                                            uint64_t n, uint64_t *__restrict__ rows, uint64_t *__restrict__ paths) {
    for (uint64_t i = blockIdx.x; i < n; i += gridDim.x) {
        const uint64_t j = leaves[i], row = log_rows ? __brevll(j) >> (64 - log_rows) : 0;
        for (unsigned c = threadIdx.x; c < cols; c += blockDim.x) rows[i * cols + c] = lde[row * cols + c];
        merkle_path_lanes(nodes, log_rows, j, paths + i * log_rows * 4, threadIdx.x, blockDim.x);
    }
}

/* The leaves' grid: 8192 threads an SM, ~11 waves of the 768 threads (3 blocks of 256 at 80
 * registers) an SM holds, ~10 leaves a thread for 2^24 leaves on an H100. Fewer waves leave a long last partial wave
 * (16 blocks of 256 an SM, 5.3 waves: leaves 17.71-17.75 ms against 17.66 ms), more blocks pay
 * more block starts (one leaf a thread, 65536 blocks: 17.96 ms). */
#define LEAVES_THREADS_PER_SM 8192u

extern "C" cudaError_t sb_gpu_merkle(const uint64_t *lde, unsigned log_rows, unsigned cols, uint64_t *nodes,
                                     unsigned tpb_keccak, unsigned tpb_merkle, unsigned sms, cudaStream_t s,
                                     sb_gpu_site *site) {
    const uint64_t leaves = 1ull << log_rows;
    const dim3 grid(sb_grid_blocks((leaves + tpb_keccak - 1) / tpb_keccak, sms * (LEAVES_THREADS_PER_SM / tpb_keccak))),
        block(tpb_keccak);
    leaves_by_rem[cols % RATE_LANES]<<<grid, block, 0, s>>>(lde, cols / RATE_LANES, log_rows, nodes);
    const cudaError_t e = sb_launch_check(site, "keccak256_leaves_row_major", grid, block, 0);
    return e == cudaSuccess ? sb_gpu_merkle_tree(nodes, log_rows, tpb_merkle, sms, s, site) : e;
}

extern "C" cudaError_t sb_gpu_merkle_tree(uint64_t *nodes, unsigned log_leaves, unsigned tpb_merkle, unsigned sms,
                                          cudaStream_t s, sb_gpu_site *site) {
    const uint64_t leaves = 1ull << log_leaves;
    cudaError_t e = cudaSuccess;
    /* Subtrees of the largest power of two <= tpb nodes, a block each (one node a thread: a grid
     * capped at 16 blocks an SM, two nodes a thread, took 2.128 ms instead of 2.111 for 2^23
     * nodes). While a level has more subtrees than SMs it is throughput and gets a launch of
     * its own (climbing it in the same launch would leave most warps of a block waiting at the
     * barrier); from there the work is latency, and each block climbs its subtree to the
     * subtree's root, one permutation latency a level instead of a launch a level. */
    unsigned block_nodes = 1;
    while (2 * block_nodes <= tpb_merkle) block_nodes *= 2;
    for (uint64_t count = leaves / 2; e == cudaSuccess && count >= 1;) {
        const unsigned per_block = count < block_nodes ? (unsigned)count : block_nodes;
        unsigned levels = 1;
        if (count / per_block <= sms)
            while ((per_block >> levels) >= 1) levels++;
        const dim3 g((unsigned)(count / per_block)), b(tpb_merkle);
        keccak256_merkle_levels<<<g, b, 0, s>>>(nodes, count, per_block, levels);
        e = sb_launch_check(site, "keccak256_merkle_levels", g, b, 0);
        count >>= levels;
    }
    if (e != cudaSuccess) return e;
    merkle_root_deinterleave<<<1, 4, 0, s>>>(nodes);
    return sb_launch_check(site, "merkle_root_deinterleave", dim3(1), dim3(4), 0);
}

extern "C" cudaError_t sb_gpu_merkle_open(const uint64_t *lde, const uint64_t *nodes, unsigned cols,
                                          unsigned log_rows, const uint64_t *leaves, uint64_t n, uint64_t *rows,
                                          uint64_t *paths, unsigned tpb, unsigned max_blocks, cudaStream_t s,
                                          sb_gpu_site *site) {
    const dim3 grid(sb_grid_blocks(n, max_blocks)), block(tpb);
    merkle_open_many<<<grid, block, 0, s>>>(lde, nodes, cols, log_rows, leaves, n, rows, paths);
    return sb_launch_check(site, "merkle_open_many", grid, block, 0);
}

extern "C" cudaError_t sb_gpu_keccak_load(void) {
    cudaError_t e = sb_load_kernels((const void *const *)leaves_by_rem, RATE_LANES);
    static const void *const tree[] = {(const void *)keccak256_merkle_levels, (const void *)merkle_root_deinterleave,
                                       (const void *)merkle_open_many};
    return e == cudaSuccess ? sb_load_kernels(tree, 3) : e;
}

/* The leaves kernel as `kernels` and the fallback tests see it: every instantiation takes 80 registers
 * on sm_90 (ptxas -v), so the one for cols = 0 mod 17 stands for all. */
extern "C" const void *sb_gpu_keccak_kernel(int tree) {
    return tree ? (const void *)keccak256_merkle_levels : (const void *)leaves_by_rem[0];
}
