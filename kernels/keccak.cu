/* Keccak-256 Merkle trees over row-major LDEs, built on the device.
 *
 * One thread per leaf reads one contiguous row (LDE row bitrev(k) for leaf k), absorbs
 * it serialized as canonical big-endian u64 (17 lanes per block, Keccak padding 0x01 ..
 * 0x80), and writes the digest to node L-1+k; then one launch per tree level hashes
 * sibling pairs, which sit next to each other in the heap layout (children 2i+1, 2i+2). */
#include "gpu.h"
#include "keccak_f.cuh"
#include "launch.cuh"

#define RATE_LANES 17

/* lde must be canonical, as sb_gpu_lde leaves it (the loads do not reduce). */
extern "C" __global__ void keccak256_leaves_row_major(const uint64_t *__restrict__ lde, unsigned cols,
                                                      unsigned log_rows, uint64_t *__restrict__ nodes) {
    const uint64_t leaves = 1ull << log_rows;
    for (uint64_t k = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; k < leaves;
         k += (uint64_t)gridDim.x * blockDim.x) {
        const uint64_t row = log_rows ? __brevll(k) >> (64 - log_rows) : 0;
        const uint64_t *src = lde + row * cols;
        kl s[25];
#pragma unroll
        for (int l = 0; l < 25; l++) s[l] = {0, 0};
        unsigned rem = cols;
        for (; rem >= RATE_LANES; rem -= RATE_LANES, src += RATE_LANES) {
#pragma unroll
            for (int l = 0; l < RATE_LANES; l++) kl_absorb_be(s[l], src[l]);
            keccak_f1600_dev(s);
        }
#pragma unroll
        for (unsigned l = 0; l < RATE_LANES; l++) {
            if (l < rem) kl_absorb_be(s[l], src[l]);
            if (l == rem) s[l].lo ^= 0x01;
        }
        s[RATE_LANES - 1].hi ^= 0x80000000u;
        keccak_f1600_digest(s);
        uint64_t *out = nodes + (leaves - 1 + k) * 4;
#pragma unroll
        for (int l = 0; l < 4; l++) out[l] = kl_u64(s[l]);
    }
}

/* Nodes first .. first+count-1 (one tree level) from their children. */
extern "C" __global__ void keccak256_merkle_level(uint64_t *nodes, uint64_t first, uint64_t count) {
    for (uint64_t t = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; t < count;
         t += (uint64_t)gridDim.x * blockDim.x) {
        const uint64_t i = first + t;
        const uint64_t *child = nodes + (2 * i + 1) * 4;
        kl s[25];
#pragma unroll
        for (int l = 0; l < 8; l++) s[l] = {(uint32_t)child[l], (uint32_t)(child[l] >> 32)};
#pragma unroll
        for (int l = 8; l < 25; l++) s[l] = {0, 0};
        s[8].lo = 0x01;
        s[RATE_LANES - 1].hi = 0x80000000u;
        keccak_f1600_digest(s);
#pragma unroll
        for (int l = 0; l < 4; l++) nodes[i * 4 + l] = kl_u64(s[l]);
    }
}

/* The openings of n leaves, one block per leaf (grid-stride): rows[i] = LDE row bitrev(leaves[i])
 * (cols values), paths[i][d] = the sibling of its ancestor d levels up (leaf level first): level d
 * starts at node 2^(log_rows-d) - 1 and siblings differ in the lowest bit of their offset. */
extern "C" __global__ void merkle_open_many(const uint64_t *__restrict__ lde, const uint64_t *__restrict__ nodes,
                                            unsigned cols, unsigned log_rows, const uint64_t *__restrict__ leaves,
                                            uint64_t n, uint64_t *__restrict__ rows, uint64_t *__restrict__ paths) {
    for (uint64_t i = blockIdx.x; i < n; i += gridDim.x) {
        const uint64_t j = leaves[i], row = log_rows ? __brevll(j) >> (64 - log_rows) : 0;
        for (unsigned c = threadIdx.x; c < cols; c += blockDim.x) rows[i * cols + c] = lde[row * cols + c];
        for (unsigned t = threadIdx.x; t < 4 * log_rows; t += blockDim.x) {
            const unsigned d = t / 4;
            const uint64_t sib = (1ull << (log_rows - d)) - 1 + ((j >> d) ^ 1);
            paths[(i * log_rows + d) * 4 + t % 4] = nodes[sib * 4 + t % 4];
        }
    }
}

extern "C" cudaError_t sb_gpu_merkle(const uint64_t *lde, unsigned log_rows, unsigned cols, uint64_t *nodes,
                                     unsigned tpb_keccak, unsigned tpb_merkle, unsigned max_blocks, cudaStream_t s,
                                     sb_gpu_site *site) {
    const uint64_t leaves = 1ull << log_rows;
    const dim3 grid(sb_grid_blocks((leaves + tpb_keccak - 1) / tpb_keccak, max_blocks)), block(tpb_keccak);
    keccak256_leaves_row_major<<<grid, block, 0, s>>>(lde, cols, log_rows, nodes);
    cudaError_t e = sb_launch_check(site, "keccak256_leaves_row_major", grid, block, 0);
    for (uint64_t count = leaves / 2; e == cudaSuccess && count >= 1; count /= 2) {
        const dim3 g(sb_grid_blocks((count + tpb_merkle - 1) / tpb_merkle, max_blocks)), b(tpb_merkle);
        keccak256_merkle_level<<<g, b, 0, s>>>(nodes, count - 1, count);
        e = sb_launch_check(site, "keccak256_merkle_level", g, b, 0);
    }
    return e;
}

extern "C" cudaError_t sb_gpu_merkle_open(const uint64_t *lde, const uint64_t *nodes, unsigned cols,
                                          unsigned log_rows, const uint64_t *leaves, uint64_t n, uint64_t *rows,
                                          uint64_t *paths, unsigned tpb, unsigned max_blocks, cudaStream_t s,
                                          sb_gpu_site *site) {
    const dim3 grid(sb_grid_blocks(n, max_blocks)), block(tpb);
    merkle_open_many<<<grid, block, 0, s>>>(lde, nodes, cols, log_rows, leaves, n, rows, paths);
    return sb_launch_check(site, "merkle_open_many", grid, block, 0);
}

extern "C" const void *sb_gpu_keccak_kernel(int tree) {
    return tree ? (const void *)keccak256_merkle_level : (const void *)keccak256_leaves_row_major;
}
