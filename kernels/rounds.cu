/* Rounds 3 and 4 on the device (gpu_rounds.h): OOD values, DEEP composition, FRI folds with their
 * leaves, FRI openings, and the grinding search. Short grid-stride kernels around the per-element
 * functions of rounds.cuh, which the CPU rounds share through prover/stark_row.h. The per-element
 * functions are host-tested (tests/test_rounds_dev.cu), the kernels by tests/test_gpu_round_kernels.c
 * where a GPU is present. */
#include "gpu_rounds.h"
#include "launch.cuh"
#include "rounds.cuh"
#include "stark_poly.h"

/* ---- OOD ---------------------------------------------------------------------------------------- */

/* The points' sb_inv_shift and barycentric scales, by value (kernel parameters). Kernels index them
 * only in loops unrolled over SB_GPU_OOD_MAX_POINTS, so every index is a constant. */
struct ood_points {
    sb_inv_shift shift[SB_GPU_OOD_MAX_POINTS];
    fp3_t scale[SB_GPU_OOD_MAX_POINTS];
};

/* wts[j * n_points + p] = x_j / (z_p - x_j) for the coset point x_j = 7 w_n^j. */
extern "C" __global__ void ood_weights(ood_points pts, unsigned n_points, uint64_t w_n, uint64_t n, fp3_t *wts) {
    for (uint64_t j = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; j < n; j += (uint64_t)gridDim.x * blockDim.x) {
        const uint64_t x = lde_point(w_n, j);
#pragma unroll
        for (unsigned p = 0; p < SB_GPU_OOD_MAX_POINTS; p++)
            if (p < n_points) {
                const sb_inv_shift c = pts.shift[p];
                wts[j * n_points + p] = ood_weight(&c, x);
            }
    }
}

/* Block (32, Y): column blockIdx.y * 32 + threadIdx.x, coset rows threadIdx.y + Y * (blockIdx.x +
 * gridDim.x * t); each thread sums its rows' value times each point's weight, the block's Y sums
 * meet in shared memory (one point at a time: every entry is written before the barrier that
 * precedes its read), and row 0 writes partial[(blockIdx.x * n_points + p) * cols + column]. */
extern "C" __global__ void ood_dot(const uint64_t *rows, uint64_t stride, unsigned cols, uint64_t n,
                                   const fp3_t *wts, unsigned n_points, fp3_t *partial) {
    extern __shared__ fp3_t red[];
    const unsigned col = blockIdx.y * 32 + threadIdx.x;
    const bool live = col < cols;
    fp3_t acc[SB_GPU_OOD_MAX_POINTS];
#pragma unroll
    for (unsigned p = 0; p < SB_GPU_OOD_MAX_POINTS; p++) acc[p] = fp3_zero();
    for (uint64_t r = blockIdx.x * (uint64_t)blockDim.y + threadIdx.y; r < n; r += (uint64_t)gridDim.x * blockDim.y) {
        const uint64_t v = live ? rows[r * stride + col] : 0;
#pragma unroll
        for (unsigned p = 0; p < SB_GPU_OOD_MAX_POINTS; p++)
            if (p < n_points) acc[p] = fp3_madd_base(acc[p], wts[r * n_points + p], v);
    }
#pragma unroll
    for (unsigned p = 0; p < SB_GPU_OOD_MAX_POINTS; p++)
        if (p < n_points) {
            red[threadIdx.y * 32 + threadIdx.x] = acc[p];
            __syncthreads();
            if (threadIdx.y == 0 && live) {
                fp3_t sum = red[threadIdx.x];
                for (unsigned y = 1; y < blockDim.y; y++) sum = fp3_add(sum, red[y * 32 + threadIdx.x]);
                partial[((uint64_t)blockIdx.x * n_points + p) * cols + col] = sum;
            }
            __syncthreads();
        }
}

/* out[p * cols + c] = scale_p times the sum of the blocks' partial sums of (p, c). */
extern "C" __global__ void ood_reduce(const fp3_t *partial, unsigned blocks, unsigned n_points, unsigned cols,
                                      ood_points pts, fp3_t *out) {
    const uint64_t total = (uint64_t)n_points * cols;
    for (uint64_t t = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; t < total;
         t += (uint64_t)gridDim.x * blockDim.x) {
        const unsigned p = (unsigned)(t / cols), c = (unsigned)(t % cols);
        fp3_t sum = fp3_zero(), scale = pts.scale[0];
        for (unsigned b = 0; b < blocks; b++) sum = fp3_add(sum, partial[((uint64_t)b * n_points + p) * cols + c]);
#pragma unroll
        for (unsigned q = 1; q < SB_GPU_OOD_MAX_POINTS; q++)
            if (p == q) scale = pts.scale[q];
        out[t] = fp3_mul(sum, scale);
    }
}

/* Blocks of the dot kernel along the rows: enough for the coset, at most two an SM per column
 * tile (the partial sums, and sb_gpu_ood_scratch_len, grow with it). */
static unsigned ood_row_blocks(uint64_t n, unsigned rows_per_block, unsigned sms) {
    const uint64_t need = (n + rows_per_block - 1) / rows_per_block, cap = 2ull * sms;
    return (unsigned)(need < cap ? need : cap);
}

extern "C" size_t sb_gpu_ood_scratch_len(unsigned log_n, unsigned n_points, unsigned max_cols, unsigned sms) {
    return (((size_t)1 << log_n) + 2 * (size_t)sms * max_cols) * n_points;
}

extern "C" cudaError_t sb_gpu_ood(const sb_gpu_ood_matrix *mats, unsigned n_mats, unsigned log_n, const fp3_t *points,
                                  unsigned n_points, fp3_t *scratch, unsigned tpb, unsigned sms, cudaStream_t s,
                                  sb_gpu_site *site) {
    const char *why = sb_bad_tpb(tpb, sms);
    if (n_points == 0 || n_points > SB_GPU_OOD_MAX_POINTS) why = "1 .. 4 points";
    else if (log_n > GL_TWO_ADICITY) why = "more rows than the field's 2^32";
    for (unsigned k = 0; !why && k < n_mats; k++)
        if (mats[k].cols == 0 || mats[k].stride < mats[k].cols || (mats[k].cols + 31) / 32 > 65535)
            why = "a matrix's columns outside 1 .. min(stride, 65535 x 32)";
    for (unsigned p = 0; !why && p < n_points; p++)
        if (fp3_is_base(points[p])) why = "a point in the base field";
    if (why) return sb_launch_reject(site, "ood_weights", why);
    const uint64_t n = 1ull << log_n;
    ood_points pts;
    for (unsigned p = 0; p < n_points; p++) {
        sb_inv_shift_init(&pts.shift[p], points[p]);
        pts.scale[p] = sb_coset_eval_scale(points[p], n, GL_GENERATOR);
    }
    for (unsigned p = n_points; p < SB_GPU_OOD_MAX_POINTS; p++) pts.shift[p] = pts.shift[0], pts.scale[p] = pts.scale[0];
    fp3_t *wts = scratch, *partial = scratch + n * n_points;
    dim3 grid(sb_grid_blocks((n + tpb - 1) / tpb, 16 * sms)), block(tpb);
    ood_weights<<<grid, block, 0, s>>>(pts, n_points, gl_root_of_unity(log_n), n, wts);
    cudaError_t e = sb_launch_check(site, "ood_weights", grid, block, 0);
    const unsigned y = tpb / 32, blocks = ood_row_blocks(n, y, sms);
    for (unsigned k = 0; e == cudaSuccess && k < n_mats; k++) {
        const dim3 dgrid(blocks, (mats[k].cols + 31) / 32), dblock(32, y);
        const size_t smem = (size_t)tpb * sizeof(fp3_t);
        ood_dot<<<dgrid, dblock, smem, s>>>(mats[k].rows, mats[k].stride, mats[k].cols, n, wts, n_points, partial);
        if ((e = sb_launch_check(site, "ood_dot", dgrid, dblock, smem)) != cudaSuccess) break;
        const uint64_t outs = (uint64_t)n_points * mats[k].cols;
        grid = dim3(sb_grid_blocks((outs + tpb - 1) / tpb, 16 * sms));
        ood_reduce<<<grid, block, 0, s>>>(partial, blocks, n_points, mats[k].cols, pts, mats[k].out);
        e = sb_launch_check(site, "ood_reduce", grid, block, 0);
    }
    return e;
}

/* ---- DEEP ---------------------------------------------------------------------------------------- */

struct deep_params {
    const uint64_t *rows[SB_DEEP_MAX_MATS];
    const fp3_t *coeffs[SB_DEEP_MAX_MATS];
    unsigned cols[SB_DEEP_MAX_MATS];
    unsigned n_mats, n_shifted, log_m;
    sb_inv_shift sz, szw;
    fp3_t sum_z, sum_zw;
    uint64_t w; /* w_M */
    fp3_t *out;
};

/* Tiles of blockDim.x rows, one a thread: per matrix and per 32 columns the block's warps load the
 * tile (a warp reads 32 consecutive values of a row) into shared memory, row stride 33 against
 * bank conflicts; after the barrier each thread adds its row's 32 products with the coefficients
 * (the same coefficient in every thread: a broadcast load); a second barrier before the tile is
 * reused. Every tile entry a thread reads was written in that round (zero past the matrix). */
extern "C" __global__ void deep_rows(deep_params a) {
    extern __shared__ uint64_t tile[];
    const unsigned rows_per_tile = blockDim.x, warps = blockDim.x / 32, lane = threadIdx.x % 32;
    const uint64_t m = 1ull << a.log_m;
    for (uint64_t row0 = blockIdx.x * (uint64_t)rows_per_tile; row0 < m; row0 += (uint64_t)gridDim.x * rows_per_tile) {
        fp3_t s = fp3_zero(), s_shifted = fp3_zero();
#pragma unroll
        for (unsigned k = 0; k < SB_DEEP_MAX_MATS; k++) {
            if (k >= a.n_mats) break;
            const uint64_t *rows = a.rows[k];
            const fp3_t *coeffs = a.coeffs[k];
            const unsigned cols = a.cols[k];
            fp3_t acc = fp3_zero();
            for (unsigned c0 = 0; c0 < cols; c0 += 32) {
                for (unsigned r = threadIdx.x / 32; r < rows_per_tile; r += warps) {
                    const bool in = row0 + r < m && c0 + lane < cols;
                    tile[r * 33 + lane] = in ? rows[(row0 + r) * cols + c0 + lane] : 0;
                }
                __syncthreads();
                const unsigned width = cols - c0 < 32 ? cols - c0 : 32;
                for (unsigned c = 0; c < width; c++) acc = fp3_madd_base(acc, coeffs[c0 + c], tile[threadIdx.x * 33 + c]);
                __syncthreads();
            }
            s = fp3_add(s, acc);
            if (k < a.n_shifted) s_shifted = fp3_add(s_shifted, acc);
        }
        const uint64_t i = row0 + threadIdx.x;
        if (i < m) {
            const sb_inv_shift sz = a.sz, szw = a.szw;
            a.out[i] = deep_row_value(&sz, &szw, lde_point(a.w, i), s, s_shifted, a.sum_z, a.sum_zw);
        }
    }
}

extern "C" cudaError_t sb_gpu_deep(const sb_gpu_deep_args *a, cudaStream_t s, sb_gpu_site *site) {
    const char *why = sb_bad_tpb(a->tpb, a->max_blocks);
    if (a->n_mats == 0 || a->n_mats > SB_DEEP_MAX_MATS || a->n_shifted > a->n_mats) why = "bad matrix count";
    else if (a->log_m > GL_TWO_ADICITY) why = "more rows than the field's 2^32";
    else if (fp3_is_base(a->z) || fp3_is_base(a->zw)) why = "a point in the base field";
    for (unsigned k = 0; !why && k < a->n_mats; k++)
        if (!a->rows[k] || !a->coeffs[k] || a->cols[k] == 0) why = "a matrix is missing";
    if (why) return sb_launch_reject(site, "deep_rows", why);
    deep_params p = {};
    for (unsigned k = 0; k < a->n_mats; k++) p.rows[k] = a->rows[k], p.coeffs[k] = a->coeffs[k], p.cols[k] = a->cols[k];
    p.n_mats = a->n_mats, p.n_shifted = a->n_shifted, p.log_m = a->log_m;
    sb_inv_shift_init(&p.sz, a->z);
    sb_inv_shift_init(&p.szw, a->zw);
    p.sum_z = a->sum_z, p.sum_zw = a->sum_zw, p.w = gl_root_of_unity(a->log_m), p.out = a->out;
    const uint64_t m = 1ull << a->log_m;
    const dim3 grid(sb_grid_blocks((m + a->tpb - 1) / a->tpb, a->max_blocks)), block(a->tpb);
    const size_t smem = (size_t)a->tpb * 33 * sizeof(uint64_t);
    /* Above 48 KiB of dynamic shared memory a kernel must opt in (tpb > 186). */
    cudaError_t e = sb_runtime_check(cudaFuncSetAttribute(deep_rows, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem),
                                 "cudaFuncSetAttribute(deep_rows)", site);
    if (e != cudaSuccess) return e;
    deep_rows<<<grid, block, smem, s>>>(p);
    return sb_launch_check(site, "deep_rows", grid, block, smem);
}

/* ---- FRI ---------------------------------------------------------------------------------------- */

/* out[k] for k < half (fri_fold_at). */
extern "C" __global__ void fri_fold(const fp3_t *layer, uint64_t half, uint64_t inv_offset, uint64_t inv_w,
                                    fp3_t alpha, fp3_t *out) {
    for (uint64_t k = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; k < half; k += (uint64_t)gridDim.x * blockDim.x)
        out[k] = fri_fold_at(layer, half, k, inv_offset, inv_w, alpha);
}

/* The fold and the folded layer's leaves in one pass: thread k < half/2 folds k and k + half/2,
 * the two values of leaf k, and writes both and the leaf's node. */
extern "C" __global__ void fri_fold_leaves(const fp3_t *layer, uint64_t half, uint64_t inv_offset, uint64_t inv_w,
                                           fp3_t alpha, fp3_t *out, uint64_t *nodes) {
    const uint64_t leaves = half / 2;
    for (uint64_t k = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; k < leaves;
         k += (uint64_t)gridDim.x * blockDim.x) {
        const fp3_t lo = fri_fold_at(layer, half, k, inv_offset, inv_w, alpha);
        const fp3_t hi = fri_fold_at(layer, half, k + leaves, inv_offset, inv_w, alpha);
        out[k] = lo, out[k + leaves] = hi;
        fri_leaf_node(lo, hi, nodes + (leaves - 1 + k) * 4);
    }
}

/* One block a leaf (grid-stride): its pair, then its path (merkle_path_lanes). */
extern "C" __global__ void fri_open_many(const fp3_t *layer, const uint64_t *nodes, unsigned log_leaves,
                                         const uint64_t *leaves, uint64_t n, fp3_t *pairs, uint64_t *paths) {
    const uint64_t half = 1ull << log_leaves;
    for (uint64_t i = blockIdx.x; i < n; i += gridDim.x) {
        const uint64_t k = leaves[i];
        if (threadIdx.x == 0) pairs[2 * i] = layer[k], pairs[2 * i + 1] = layer[k + half];
        merkle_path_lanes(nodes, log_leaves, k, paths + i * log_leaves * 4, threadIdx.x, blockDim.x);
    }
}

extern "C" cudaError_t sb_gpu_fri_fold(const fp3_t *layer, unsigned log_m, uint64_t offset, fp3_t alpha, fp3_t *out,
                                       uint64_t *nodes, unsigned tpb, unsigned tpb_merkle, unsigned sms,
                                       unsigned max_blocks, cudaStream_t s, sb_gpu_site *site) {
    const char *kernel = nodes ? "fri_fold_leaves" : "fri_fold";
    const char *why = sb_bad_tpb(tpb, max_blocks);
    if (log_m < (nodes ? 2u : 1u) || log_m > GL_TWO_ADICITY) why = "layer too small to fold (or above 2^32)";
    else if (offset % GL_P == 0) why = "a zero coset offset";
    if (why) return sb_launch_reject(site, kernel, why);
    const uint64_t half = 1ull << (log_m - 1), items = nodes ? half / 2 : half;
    const uint64_t inv_offset = gl_inv(offset), inv_w = gl_inv(gl_root_of_unity(log_m));
    const dim3 grid(sb_grid_blocks((items + tpb - 1) / tpb, max_blocks)), block(tpb);
    if (!nodes) {
        fri_fold<<<grid, block, 0, s>>>(layer, half, inv_offset, inv_w, alpha, out);
        return sb_launch_check(site, kernel, grid, block, 0);
    }
    fri_fold_leaves<<<grid, block, 0, s>>>(layer, half, inv_offset, inv_w, alpha, out, nodes);
    const cudaError_t e = sb_launch_check(site, kernel, grid, block, 0);
    return e == cudaSuccess ? sb_gpu_merkle_tree(nodes, log_m - 2, tpb_merkle, sms, s, site) : e;
}

extern "C" cudaError_t sb_gpu_fri_open(const fp3_t *layer, const uint64_t *nodes, unsigned log_leaves,
                                       const uint64_t *leaves, uint64_t n, fp3_t *pairs, uint64_t *paths, unsigned tpb,
                                       unsigned max_blocks, cudaStream_t s, sb_gpu_site *site) {
    const char *why = sb_bad_tpb(tpb, max_blocks);
    if (log_leaves > GL_TWO_ADICITY - 1) why = "more leaves than 2^31";
    if (why) return sb_launch_reject(site, "fri_open_many", why);
    if (n == 0) return cudaSuccess;
    const dim3 grid(sb_grid_blocks(n, max_blocks)), block(tpb);
    fri_open_many<<<grid, block, 0, s>>>(layer, nodes, log_leaves, leaves, n, pairs, paths);
    return sb_launch_check(site, "fri_open_many", grid, block, 0);
}

/* ---- grinding --------------------------------------------------------------------------------- */

struct pow_seed {
    kl lane[4];
};

/* Nonces first .. end-1, a thread every gridDim.x * blockDim.x: a thread stops at its first hit
 * (its later nonces are larger) and as soon as a smaller hit is known (*found only decreases), so
 * the batch leaves its smallest hit in *found, or nothing. A batch queued after one with a hit
 * finds *found below its first nonce and returns at once. */
extern "C" __global__ void pow_batch(pow_seed seed, uint64_t first, uint64_t end, unsigned long long *found) {
    const uint64_t step = (uint64_t)gridDim.x * blockDim.x;
    for (uint64_t nonce = first + blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; nonce < end; nonce += step) {
        if (nonce > *(volatile unsigned long long *)found) return;
        if (pow_hit(seed.lane, nonce)) {
            atomicMin(found, (unsigned long long)nonce);
            return;
        }
    }
}

extern "C" cudaError_t sb_gpu_pow_search(const uint8_t seed[32], uint64_t limit, uint64_t *found, unsigned tpb,
                                         unsigned sms, cudaStream_t s, uint64_t *nonce, sb_gpu_site *site) {
    const char *why = sb_bad_tpb(tpb, sms);
    if (why) return sb_launch_reject(site, "pow_batch", why);
    pow_seed sd;
    pow_seed_lanes(seed, sd.lane);
    const uint64_t batch = 1ull << SB_GPU_POW_BATCH_LOG;
    const dim3 grid(sb_grid_blocks(batch / tpb, 8 * sms)), block(tpb);
    cudaError_t e = sb_runtime_check(cudaMemsetAsync(found, 0xff, sizeof *found, s), "cudaMemsetAsync(pow)", site);
    for (uint64_t first = 0; e == cudaSuccess && first < limit;) {
        for (unsigned b = 0; b < SB_GPU_POW_ROUND && first < limit && e == cudaSuccess; b++) {
            const uint64_t end = limit - first < batch ? limit : first + batch;
            pow_batch<<<grid, block, 0, s>>>(sd, first, end, (unsigned long long *)found);
            e = sb_launch_check(site, "pow_batch", grid, block, 0);
            first = end;
        }
        uint64_t hit = UINT64_MAX;
        if (e == cudaSuccess)
            e = sb_runtime_check(cudaMemcpyAsync(&hit, found, sizeof hit, cudaMemcpyDeviceToHost, s), "cudaMemcpyAsync(pow)",
                             site);
        if (e == cudaSuccess) e = sb_runtime_check(cudaStreamSynchronize(s), "cudaStreamSynchronize(pow_batch)", site);
        if (e == cudaSuccess && hit != UINT64_MAX) {
            *nonce = hit;
            return cudaSuccess;
        }
    }
    if (e == cudaSuccess) *nonce = limit;
    return e;
}

/* ---- kernels for the harness --------------------------------------------------------------------- */

extern "C" cudaError_t sb_gpu_rounds_load(void) {
    static const void *const kernels[] = {(const void *)ood_weights,     (const void *)ood_dot,
                                          (const void *)ood_reduce,      (const void *)deep_rows,
                                          (const void *)fri_fold,        (const void *)fri_fold_leaves,
                                          (const void *)fri_open_many,   (const void *)pow_batch};
    cudaError_t e = sb_load_kernels(kernels, sizeof kernels / sizeof kernels[0]);
    for (int i = 0; e == cudaSuccess && sb_gpu_composition_kernel(i); i++) {
        const void *k = sb_gpu_composition_kernel(i);
        e = sb_load_kernels(&k, 1);
    }
    return e;
}

extern "C" const void *sb_gpu_rounds_kernel(int k) {
    switch (k) {
    case SB_K_COMPOSE: return sb_gpu_composition_kernel(FIB_TABLE_CPU);
    case SB_K_OOD: return (const void *)ood_dot;
    case SB_K_DEEP: return (const void *)deep_rows;
    case SB_K_FRI: return (const void *)fri_fold_leaves;
    case SB_K_POW: return (const void *)pow_batch;
    default: return NULL;
    }
}
