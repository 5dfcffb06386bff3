/* Row-major NTTs and the coset LDE on the device.
 *
 * A pass runs k <= 8 consecutive butterfly levels (bits s0 .. s0+k-1 of the row index) on a
 * tile of the 2^k rows that differ only in these bits x SB_NTT_TILE_COLS columns, threadIdx.x
 * = column so every row segment is one coalesced 128-byte access. In NTT terms the pass is one
 * radix-2^k step: a size-2^k DFT of each tile column and one multiplication per element by
 * w_{2^(s0+k)}^(low * bitrev_k(t)) (t = tile row, low = the row bits below s0), before the DFT
 * when decimating in time (DIT), after it in frequency (DIF). The size-2^k DFT is split the
 * same way into two register steps of at most 4 levels, on tile bits [0,4) and [4,k), each
 * thread holding one group of 2^r elements, exchanged through shared memory; step [4, k)
 * multiplies by w_{2^k}^((t mod 16) * bitrev_r(t >> 4)) (a table per block). The twiddles
 * inside a group are 16th roots of unity, which are powers of two (2 has order 192 mod p):
 * shifts and one subtraction (gl_mul_pow2) instead of a multiplication, and most are 1. Radix
 * 16 rather than 8 leaves 1 15/16 general products per element and 8-level pass instead of
 * 2 5/8 (the per-tile factor and one step table instead of two). The first step reads global
 * memory and the last writes it; every value is canonical after each operation, so every value
 * is the CPU's. */
#include "field.h"
#include "gpu.h"
#include "launch.cuh"

namespace {

constexpr unsigned TILE_COLS = SB_NTT_TILE_COLS;

__device__ __forceinline__ uint64_t bitrev_bits(uint64_t x, unsigned bits) {
    return bits ? __brevll(x) >> (64 - bits) : 0;
}

/* w_{2^m}^i = 2^root_exp(inverse, m, i) for m <= 6: gl_root_of_unity(6) = 2^39, its inverse
 * 2^153, and 2^192 = 1. */
__host__ __device__ constexpr unsigned root_exp(bool inverse, unsigned m, unsigned i) {
    return ((inverse ? 153u : 39u) * (i << (6 - m))) % 192u;
}

/* DIT butterfly (a, b) <- (a + w b, a - w b), w = 2^c; the sign of w swaps the outputs. */
__device__ __forceinline__ void dit_pow2(uint64_t &a, uint64_t &b, unsigned c) {
    const uint64_t x = gl_mul_pow2(b, c % 96);
    const uint64_t s = gl_add(a, x), d = gl_sub(a, x);
    a = c < 96 ? s : d;
    b = c < 96 ? d : s;
}

/* DIF butterfly (a, b) <- (a + b, (a - b) w), w = 2^c; the sign of w swaps the subtraction. */
__device__ __forceinline__ void dif_pow2(uint64_t &a, uint64_t &b, unsigned c) {
    const uint64_t d = c < 96 ? gl_sub(a, b) : gl_sub(b, a);
    a = gl_add(a, b);
    b = gl_mul_pow2(d, c % 96);
}

/* The size-2^R DFT network of one group in registers, root w_{2^R}: level l pairs elements
 * e, e + 2^l with twiddle w_{2^(l+1)}^(e mod 2^l); DIT runs the levels upwards (bit-reversed
 * in, natural out), DIF downwards (natural in, bit-reversed out). */
template <int R, bool DIT, bool INV>
__device__ __forceinline__ void radix_net(uint64_t v[]) {
#pragma unroll
    for (int li = 0; li < R; li++) {
        const int l = DIT ? li : R - 1 - li;
#pragma unroll
        for (int e = 0; e < (1 << R); e++) {
            if (e & (1 << l)) continue;
            const unsigned c = root_exp(INV, l + 1, e & ((1 << l) - 1));
            if (DIT) dit_pow2(v[e], v[e | (1 << l)], c);
            else dif_pow2(v[e], v[e | (1 << l)], c);
        }
    }
}

/* Group g of step [A, A+R) covers tile rows base | e << A (e < 2^R). */
template <int A, int R>
__device__ __forceinline__ unsigned group_base(unsigned g) {
    return (g & ((1u << A) - 1)) | ((g >> A) << (A + R));
}

/* The factors of step [A, A+R) before a DIT / after a DIF network (module comment): ext[t] (per
 * tile, may be NULL) for A = 0, else fa[t] = w_{2^(A+R)}^((t mod 2^A) * bitrev_R(t >> A)). */
template <int A, int R>
__device__ __forceinline__ void step_factors(uint64_t v[], unsigned base, const uint64_t *ext, const uint64_t *fa) {
    if (A == 0) {
        if (ext)
#pragma unroll
            for (int e = 0; e < (1 << R); e++) v[e] = gl_mul(v[e], ext[base | e]);
    } else {
#pragma unroll
        for (int e = 1; e < (1 << R); e++) v[e] = gl_mul(v[e], fa[base | (e << A)]);
    }
}

/* A tile in shared memory, p = this thread's column of row 0. */
struct smem_rows {
    uint64_t *p;
    template <int A, int R>
    __device__ __forceinline__ void load(unsigned base, uint64_t v[]) const {
#pragma unroll
        for (int e = 0; e < (1 << R); e++) v[e] = p[(base | (e << A)) * TILE_COLS];
    }
    template <int A, int R>
    __device__ __forceinline__ void store(unsigned base, const uint64_t v[]) const {
#pragma unroll
        for (int e = 0; e < (1 << R); e++) p[(base | (e << A)) * TILE_COLS] = v[e];
    }
};

/* A tile in global memory: tile row t at p[t * t_stride] (p = row low | high, this thread's
 * column); nothing is read or written for a column past the matrix (live false). Loads
 * reduce where they read the caller's trace (reduce): it may hold x + p, and the butterflies
 * want canonical inputs; every later pass reads canonical values. */
struct gmem_rows {
    uint64_t *p;
    size_t t_stride;
    bool live, reduce;
    template <int A, int R>
    __device__ __forceinline__ void load(unsigned base, uint64_t v[]) const {
        const uint64_t *q = p + base * t_stride;
#pragma unroll
        for (int e = 0; e < (1 << R); e++) {
            const uint64_t x = live ? q[(size_t)e * (t_stride << A)] : 0;
            v[e] = reduce ? gl_reduce(x) : x;
        }
    }
    template <int A, int R>
    __device__ __forceinline__ void store(unsigned base, const uint64_t v[]) const {
        uint64_t *q = p + base * t_stride;
        if (live)
#pragma unroll
            for (int e = 0; e < (1 << R); e++) q[(size_t)e * (t_stride << A)] = v[e];
    }
};

/* One register step [A, A+R) of a 2^k-row tile, from `in` to `out` (in place when both are
 * the same shared tile: each thread reads its groups before writing them). */
template <int A, int R, bool DIT, bool INV, class In, class Out>
__device__ __forceinline__ void step(const In &in, const Out &out, unsigned k, const uint64_t *ext,
                                     const uint64_t *f4) {
    const unsigned groups = 1u << (k - R);
    for (unsigned g = threadIdx.y; g < groups; g += blockDim.y) {
        const unsigned base = group_base<A, R>(g);
        uint64_t v[1 << R];
        in.template load<A, R>(base, v);
        if (DIT) step_factors<A, R>(v, base, ext, f4);
        radix_net<R, DIT, INV>(v);
        if (!DIT) step_factors<A, R>(v, base, ext, f4);
        out.template store<A, R>(base, v);
    }
}

/* The whole tile (k <= 8 levels) from `in` to `out` through the shared tile `work`: DIT steps
 * [0,4), [4,k) upwards with ext before the first, DIF the same steps downwards with ext after
 * the last. Ends with a barrier, so the caller may reuse every buffer. */
template <bool DIT, bool INV, class In, class Out>
__device__ __forceinline__ void tile_ntt(const In &in, const smem_rows &work, const Out &out, unsigned k,
                                         const uint64_t *ext, const uint64_t *f4) {
    if (k <= 4) {
        switch (k) {
        case 0: step<0, 0, DIT, INV>(in, out, k, ext, f4); break;
        case 1: step<0, 1, DIT, INV>(in, out, k, ext, f4); break;
        case 2: step<0, 2, DIT, INV>(in, out, k, ext, f4); break;
        case 3: step<0, 3, DIT, INV>(in, out, k, ext, f4); break;
        default: step<0, 4, DIT, INV>(in, out, k, ext, f4); break;
        }
    } else if (DIT) {
        step<0, 4, DIT, INV>(in, work, k, ext, f4);
        __syncthreads();
        switch (k) {
        case 5: step<4, 1, DIT, INV>(work, out, k, ext, f4); break;
        case 6: step<4, 2, DIT, INV>(work, out, k, ext, f4); break;
        case 7: step<4, 3, DIT, INV>(work, out, k, ext, f4); break;
        default: step<4, 4, DIT, INV>(work, out, k, ext, f4); break;
        }
    } else {
        switch (k) {
        case 5: step<4, 1, DIT, INV>(in, work, k, ext, f4); break;
        case 6: step<4, 2, DIT, INV>(in, work, k, ext, f4); break;
        case 7: step<4, 3, DIT, INV>(in, work, k, ext, f4); break;
        default: step<4, 4, DIT, INV>(in, work, k, ext, f4); break;
        }
        __syncthreads();
        step<0, 4, DIT, INV>(work, out, k, ext, f4);
    }
    __syncthreads();
}

/* w_N^e for e < N = 2^log_n from tw[i] = w_N^i, i < N/2 (w_N^(N/2) = -1). */
__device__ __forceinline__ uint64_t tw_pow(const uint64_t *__restrict__ tw, unsigned log_n, uint64_t e) {
    const uint64_t half = (1ull << log_n) >> 1;
    return e < half || half == 0 ? tw[e] : gl_neg(tw[e - half]);
}

__device__ __forceinline__ unsigned thread_rank() { return threadIdx.y * blockDim.x + threadIdx.x; }

/* w_{2^(a+r)}^((t mod 2^a) * bitrev_r(t >> a)): the factor of tile row t < 2^(a+r) in step [a, a+r). */
__device__ __forceinline__ uint64_t step_factor(const uint64_t *tw, unsigned log_n, unsigned t, unsigned a,
                                                unsigned r) {
    const uint64_t e = (t & ((1u << a) - 1)) * bitrev_bits(t >> a, r);
    return tw_pow(tw, log_n, e << (log_n - a - r));
}

/* f4: the factors of step [4, k) (step_factors) for a 2^k-row tile, k > 4; ends with a barrier. */
__device__ __forceinline__ void fill_step_factors(uint64_t *f4, const uint64_t *tw, unsigned log_n, unsigned k) {
    if (k > 4)
        for (unsigned t = thread_rank(); t < 1u << k; t += blockDim.x * blockDim.y)
            f4[t] = step_factor(tw, log_n, t, 4, k - 4);
    __syncthreads();
}

/* ext[t] = w_{2^(s0+k)}^(low * bitrev_k(t)), the per-tile factors (low < 2^s0); ends with a barrier. */
__device__ __forceinline__ void fill_tile_factors(uint64_t *ext, const uint64_t *tw, unsigned log_n, unsigned s0,
                                                  unsigned k, uint64_t low) {
    for (unsigned t = thread_rank(); t < 1u << k; t += blockDim.x * blockDim.y)
        ext[t] = tw_pow(tw, log_n, (low * bitrev_bits(t, k)) << (log_n - s0 - k));
    __syncthreads();
}

/* One pass of k levels from s0 over an n x ncols view with row stride `stride`, in place,
 * grid-stride over tiles; reduce: the loads reduce (the first pass over a trace). Shared memory:
 * the tile, ext, f4. */
template <bool DIT, bool INV>
__device__ __forceinline__ void ntt_pass(uint64_t *data, size_t stride, unsigned ncols, unsigned log_n, unsigned s0,
                                         unsigned k, const uint64_t *tw, bool reduce) {
    extern __shared__ uint64_t smem[];
    uint64_t *ext = smem + ((size_t)TILE_COLS << k), *f4 = ext + (1u << k);
    fill_step_factors(f4, tw, log_n, k);
    const smem_rows work{smem + threadIdx.x};
    const unsigned chunks = (ncols + TILE_COLS - 1) / TILE_COLS;
    const uint64_t items = ((1ull << log_n) >> k) * chunks;
    for (uint64_t item = blockIdx.x; item < items; item += gridDim.x) {
        const uint64_t g = item / chunks;
        const unsigned col = (unsigned)(item % chunks) * TILE_COLS + threadIdx.x;
        const uint64_t low = g & ((1ull << s0) - 1), high = (g >> s0) << (s0 + k);
        fill_tile_factors(ext, tw, log_n, s0, k, low);
        const gmem_rows rows{data + (low | high) * stride + col, stride << s0, col < ncols, reduce};
        tile_ntt<DIT, INV>(rows, work, rows, k, ext, f4);
    }
}

} // namespace

/* The radix-16 steps want ~70 registers a thread; the bound of 64 keeps every --tpb up to 1024
 * launchable (it costs at most a 4-byte spill) and fits 4 blocks of 256 threads on an SM. */
#define NTT_BOUNDS __launch_bounds__(1024)

/* Inverse-direction pass (natural order in, bit-reversed out over the whole transform). */
extern "C" __global__ void NTT_BOUNDS ntt_dif_levels_row_major(uint64_t *data, size_t stride, unsigned ncols,
                                                               unsigned log_n, unsigned s0, unsigned k,
                                                               const uint64_t *itw, bool reduce) {
    ntt_pass<false, true>(data, stride, ncols, log_n, s0, k, itw, reduce);
}

/* Forward pass (bit-reversed in, natural out over the whole transform). */
extern "C" __global__ void NTT_BOUNDS ntt_dit_levels_row_major(uint64_t *data, size_t stride, unsigned ncols,
                                                               unsigned log_n, unsigned s0, unsigned k,
                                                               const uint64_t *tw) {
    ntt_pass<true, false>(data, stride, ncols, log_n, s0, k, tw, false);
}

/* The lowest k levels of the LDE, both ways, one tile at a time: the last inverse pass on the
 * trace leaves the tile's coefficients n * a_j (j = bitrev(row)) in shared memory, and for every
 * coset c the first forward pass runs on them times (7 w_bN^c)^j / n = hi[c][j >> split] *
 * lo[c][j mod 2^split] into columns c*cols .. of the n x (b*cols) LDE view. Shared memory:
 * coefficients, work tile, coset factors, f4 inverse and forward. */
extern "C" __global__ void NTT_BOUNDS ntt_lde_low_levels_row_major(uint64_t *trace, unsigned cols, uint64_t *lde,
                                                                   unsigned log_n, unsigned log_b, unsigned k,
                                                                   const uint64_t *itw, const uint64_t *tw,
                                                                   const uint64_t *lo, const uint64_t *hi,
                                                                   unsigned split, bool reduce) {
    extern __shared__ uint64_t smem[];
    const size_t tile = (size_t)TILE_COLS << k;
    uint64_t *coset = smem + 2 * tile, *f4_inv = coset + (1u << k), *f4 = f4_inv + (1u << k);
    fill_step_factors(f4_inv, itw, log_n, k);
    fill_step_factors(f4, tw, log_n, k);
    const smem_rows coef{smem + threadIdx.x}, work{smem + tile + threadIdx.x};
    const uint64_t lo_len = 1ull << split, hi_len = (1ull << log_n) >> split;
    const size_t wide = (size_t)cols << log_b;
    const unsigned chunks = (cols + TILE_COLS - 1) / TILE_COLS;
    const uint64_t items = ((1ull << log_n) >> k) * chunks;
    for (uint64_t item = blockIdx.x; item < items; item += gridDim.x) {
        const uint64_t high = (item / chunks) << k;
        const unsigned col = (unsigned)(item % chunks) * TILE_COLS + threadIdx.x;
        const bool live = col < cols;
        const gmem_rows in{trace + high * cols + col, cols, live, reduce};
        tile_ntt<false, true>(in, work, coef, k, nullptr, f4_inv);
        for (unsigned c = 0; c < 1u << log_b; c++) {
            for (unsigned t = thread_rank(); t < 1u << k; t += blockDim.x * blockDim.y) {
                const uint64_t j = bitrev_bits(high | t, log_n);
                coset[t] = gl_mul(hi[c * hi_len + (j >> split)], lo[c * lo_len + (j & (lo_len - 1))]);
            }
            __syncthreads();
            const gmem_rows out{lde + high * wide + (size_t)c * cols + col, wide, live, false};
            tile_ntt<true, false>(coef, work, out, k, coset, f4);
        }
    }
}

/* tw[t] = w^t for t < count. */
extern "C" __global__ void twiddle_powers(uint64_t *tw, uint64_t w, uint64_t count) {
    for (uint64_t t = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; t < count; t += (uint64_t)gridDim.x * blockDim.x)
        tw[t] = gl_pow(w, t);
}

/* The coset power tables: lo[k][i] = base_k^i / n, hi[k][i] = base_k^(i << split),
 * base_k = 7 w_bN^k, stored as all lo tables then all hi tables. */
extern "C" __global__ void coset_power_tables(uint64_t *t, unsigned log_n, unsigned log_b, unsigned split) {
    const uint64_t lo_len = 1ull << split, hi_len = (1ull << log_n) >> split, per = lo_len + hi_len;
    const uint64_t b = 1ull << log_b, total = b * per;
    const uint64_t n_inv = gl_inv(1ull << log_n);
    const uint64_t w_bn = gl_root_of_unity(log_n + log_b);
    const uint64_t step = (uint64_t)gridDim.x * blockDim.x;
    for (uint64_t i = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; i < total; i += step) {
        const uint64_t k = i / per, r = i % per;
        const uint64_t base = gl_mul(GL_GENERATOR, gl_pow(w_bn, k));
        if (r < lo_len) t[k * lo_len + r] = gl_mul(gl_pow(base, r), n_inv);
        else t[b * lo_len + k * hi_len + (r - lo_len)] = gl_pow(base, (r - lo_len) << split);
    }
}

static unsigned coset_split(unsigned log_n) { return (log_n + 1) / 2; }

extern "C" size_t sb_gpu_coset_table_len(unsigned log_n, unsigned log_b) {
    const unsigned split = coset_split(log_n);
    return ((size_t)1 << log_b) * (((size_t)1 << split) + ((size_t)1 << (log_n - split)));
}

extern "C" cudaError_t sb_gpu_twiddles(uint64_t *tw, unsigned log_n, int inverse, unsigned tpb, unsigned max_blocks,
                                       cudaStream_t s, sb_gpu_site *site) {
    const uint64_t count = log_n ? 1ull << (log_n - 1) : 1;
    uint64_t w = gl_root_of_unity(log_n);
    if (inverse) w = gl_inv(w);
    const dim3 grid(sb_grid_blocks((count + tpb - 1) / tpb, max_blocks)), block(tpb);
    twiddle_powers<<<grid, block, 0, s>>>(tw, w, count);
    return sb_launch_check(site, "twiddle_powers", grid, block, 0);
}

/* Splits log_n levels into the fewest passes of at most SB_NTT_MAX_LEVELS, sizes balanced, the
 * smaller ones first: pass 0 is the fused low-level kernel, whose two shared tiles limit it to
 * three 2^8-row blocks an SM (2^23 rows: 7, 8, 8 was 0.15 ms faster than 8, 8, 7 on an H100). */
static unsigned plan_passes(unsigned log_n, unsigned k[]) {
    const unsigned passes = log_n ? (log_n + SB_NTT_MAX_LEVELS - 1) / SB_NTT_MAX_LEVELS : 1;
    for (unsigned i = 0; i < passes; i++) k[i] = log_n / passes + (i >= passes - log_n % passes);
    return passes;
}

/* The block of a k-level pass: tpb threads, but never more than the first register step has
 * groups (TILE_COLS x 2^(k-4), at least a warp): with more, the extra threads would only wait
 * at its barrier (a 7-level pass at 256 threads stalled a third of its cycles there). */
static dim3 tile_block(unsigned tpb, unsigned k) {
    const unsigned groups = TILE_COLS << (k > 4 ? k - 4 : 0), threads = groups < 32 ? 32 : groups;
    return dim3(TILE_COLS, (tpb < threads ? tpb : threads) / TILE_COLS);
}

static cudaError_t launch_pass(int dit, uint64_t *data, size_t stride, unsigned ncols, unsigned log_n, unsigned s0,
                               unsigned k, const uint64_t *tw, bool reduce, unsigned tpb, unsigned max_blocks,
                               cudaStream_t s, sb_gpu_site *site) {
    const uint64_t items = ((1ull << log_n) >> k) * ((ncols + TILE_COLS - 1) / TILE_COLS);
    const dim3 grid(sb_grid_blocks(items, max_blocks)), block = tile_block(tpb, k);
    const size_t smem = ((size_t)(TILE_COLS + 2) << k) * sizeof(uint64_t);
    if (dit) ntt_dit_levels_row_major<<<grid, block, smem, s>>>(data, stride, ncols, log_n, s0, k, tw);
    else ntt_dif_levels_row_major<<<grid, block, smem, s>>>(data, stride, ncols, log_n, s0, k, tw, reduce);
    return sb_launch_check(site, dit ? "ntt_dit_levels_row_major" : "ntt_dif_levels_row_major", grid, block, smem);
}

extern "C" cudaError_t sb_gpu_lde(const sb_gpu_lde_args *a, cudaStream_t s, sb_gpu_site *site) {
    unsigned k[32 / SB_NTT_MAX_LEVELS + 1], s0[32 / SB_NTT_MAX_LEVELS + 1];
    const unsigned passes = plan_passes(a->log_n, k);
    for (unsigned i = 0; i < passes; i++) s0[i] = i ? s0[i - 1] + k[i - 1] : 0;
    const unsigned split = coset_split(a->log_n);
    const size_t table_len = sb_gpu_coset_table_len(a->log_n, a->log_b);
    cudaError_t e;

    const dim3 tgrid(sb_grid_blocks((table_len + a->tpb_scale - 1) / a->tpb_scale, a->max_blocks)),
        tblock(a->tpb_scale);
    coset_power_tables<<<tgrid, tblock, 0, s>>>(a->coset_tables, a->log_n, a->log_b, split);
    if ((e = sb_launch_check(site, "coset_power_tables", tgrid, tblock, 0)) != cudaSuccess) return e;

    /* Inverse NTT: top levels first, in place on the trace; its last pass (the lowest bits) is
     * fused with the coset expansion and the first forward pass, whose tiles hold the same rows. */
    for (unsigned i = passes; i-- > 1;) {
        e = launch_pass(0, a->trace, a->cols, a->cols, a->log_n, s0[i], k[i], a->itw, i == passes - 1, a->tpb_ntt,
                        a->max_blocks, s, site);
        if (e != cudaSuccess) return e;
    }

    const uint64_t *lo = a->coset_tables;
    const uint64_t *hi = lo + ((size_t)1 << (split + a->log_b));
    const uint64_t items = ((1ull << a->log_n) >> k[0]) * ((a->cols + TILE_COLS - 1) / TILE_COLS);
    const dim3 grid(sb_grid_blocks(items, a->max_blocks)), block = tile_block(a->tpb_scale, k[0]);
    const size_t smem = ((size_t)(2 * TILE_COLS + 3) << k[0]) * sizeof(uint64_t);
    /* Above 48 KiB of dynamic shared memory a kernel must opt in. */
    cudaFuncSetAttribute(ntt_lde_low_levels_row_major, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem);
    ntt_lde_low_levels_row_major<<<grid, block, smem, s>>>(a->trace, a->cols, a->lde, a->log_n, a->log_b, k[0],
                                                            a->itw, a->tw, lo, hi, split, passes == 1);
    if ((e = sb_launch_check(site, "ntt_lde_low_levels_row_major", grid, block, smem)) != cudaSuccess) return e;

    const unsigned wide = a->cols << a->log_b;
    for (unsigned i = 1; i < passes; i++) {
        e = launch_pass(1, a->lde, wide, wide, a->log_n, s0[i], k[i], a->tw, false, a->tpb_ntt, a->max_blocks, s,
                        site);
        if (e != cudaSuccess) return e;
    }
    return cudaSuccess;
}

/* Rejects a whole NTT the passes cannot index (launch.cuh sb_launch_reject). */
static cudaError_t check_ntt_shape(unsigned log_n, unsigned cols, const char *kernel, sb_gpu_site *site) {
    if (log_n > GL_TWO_ADICITY) return sb_launch_reject(site, kernel, "more rows than the field's 2^32");
    if (cols == 0 || cols > (unsigned)INT32_MAX) return sb_launch_reject(site, kernel, "columns outside 1 .. 2^31-1");
    return cudaSuccess;
}

extern "C" cudaError_t sb_gpu_intt_dif(uint64_t *data, unsigned log_n, unsigned cols, const uint64_t *itw,
                                       unsigned tpb, unsigned max_blocks, cudaStream_t s, sb_gpu_site *site) {
    unsigned k[32 / SB_NTT_MAX_LEVELS + 1], s0 = log_n;
    cudaError_t e = check_ntt_shape(log_n, cols, "ntt_dif_levels_row_major", site);
    /* Decimation in frequency: the top levels first. */
    for (unsigned i = plan_passes(log_n, k); e == cudaSuccess && i-- > 0;) {
        s0 -= k[i];
        e = launch_pass(0, data, cols, cols, log_n, s0, k[i], itw, false, tpb, max_blocks, s, site);
    }
    return e;
}

extern "C" cudaError_t sb_gpu_ntt_dit(uint64_t *data, unsigned log_n, unsigned cols, const uint64_t *tw,
                                      unsigned tpb, unsigned max_blocks, cudaStream_t s, sb_gpu_site *site) {
    unsigned k[32 / SB_NTT_MAX_LEVELS + 1], s0 = 0;
    cudaError_t e = check_ntt_shape(log_n, cols, "ntt_dit_levels_row_major", site);
    /* Decimation in time: the lowest levels first. */
    const unsigned passes = plan_passes(log_n, k);
    for (unsigned i = 0; e == cudaSuccess && i < passes; s0 += k[i++])
        e = launch_pass(1, data, cols, cols, log_n, s0, k[i], tw, false, tpb, max_blocks, s, site);
    return e;
}

extern "C" cudaError_t sb_gpu_ntt_load(void) {
    static const void *const kernels[] = {(const void *)ntt_dif_levels_row_major, (const void *)ntt_dit_levels_row_major,
                                          (const void *)ntt_lde_low_levels_row_major, (const void *)twiddle_powers,
                                          (const void *)coset_power_tables};
    return sb_load_kernels(kernels, sizeof kernels / sizeof kernels[0]);
}

extern "C" const void *sb_gpu_ntt_kernel(int expand) {
    return expand ? (const void *)ntt_lde_low_levels_row_major : (const void *)ntt_dit_levels_row_major;
}
