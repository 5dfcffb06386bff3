/* Row-major NTTs and the coset LDE on the device.
 *
 * A pass runs k consecutive butterfly levels (bits s0 .. s0+k-1 of the row index) in
 * shared memory: a block loads a tile of 2^k rows (those that differ only in these
 * bits) x SB_NTT_TILE_COLS columns, threadIdx.x = column so every row segment is one
 * coalesced 128-byte access, then each thread takes 2^3 tile rows of its column into
 * registers and runs three levels there before the next exchange through the tile.
 * The field arithmetic is field.h's, so every value is the CPU's. */
#include "field.h"
#include "gpu.h"
#include "launch.cuh"

namespace {

constexpr unsigned TILE_COLS = SB_NTT_TILE_COLS;
constexpr int REG_LEVELS = 3; /* butterfly levels per register step */

__device__ __forceinline__ uint64_t bitrev_bits(uint64_t x, unsigned bits) {
    return bits ? __brevll(x) >> (64 - bits) : 0;
}

struct pass_geom {
    unsigned log_n; /* NTT size 2^log_n */
    unsigned s0;    /* first level (row bit) of the pass */
    unsigned k;     /* levels in the pass */
};

/* Levels t0 .. t0+R-1 of the tile (global levels s0+t0 ..), in registers. `low` = the row
 * bits below s0 shared by the whole tile. DIT: Cooley-Tukey, levels upwards; DIF:
 * Gentleman-Sande, levels downwards. Twiddle of level s for the pair's lower row i:
 * w_{2^(s+1)}^(i mod 2^s) = tw[(i mod 2^s) << (log_n - 1 - s)]. */
template <int R, bool DIT>
__device__ __forceinline__ void radix_step(uint64_t *tile, unsigned t0, const pass_geom &p, uint64_t low,
                                           const uint64_t *__restrict__ tw) {
    const unsigned groups = 1u << (p.k - R);
    for (unsigned h = threadIdx.y; h < groups; h += blockDim.y) {
        const unsigned j0 = (h & ((1u << t0) - 1)) | ((h >> t0) << (t0 + R));
        uint64_t v[1 << R];
#pragma unroll
        for (int e = 0; e < (1 << R); e++) v[e] = tile[(j0 | ((unsigned)e << t0)) * TILE_COLS + threadIdx.x];
#pragma unroll
        for (int li = 0; li < R; li++) {
            const int l = DIT ? li : R - 1 - li;
            const unsigned s = p.s0 + t0 + l;
#pragma unroll
            for (int e = 0; e < (1 << R); e++) {
                if (e & (1 << l)) continue;
                const int f = e | (1 << l);
                const uint64_t jm = (j0 | ((unsigned)e << t0)) & ((1u << (t0 + l)) - 1);
                const uint64_t w = tw[(low | (jm << p.s0)) << (p.log_n - 1 - s)];
                if (DIT) {
                    const uint64_t x = gl_mul(v[f], w);
                    v[f] = gl_sub(v[e], x);
                    v[e] = gl_add(v[e], x);
                } else {
                    const uint64_t u = v[e];
                    v[e] = gl_add(u, v[f]);
                    v[f] = gl_mul(gl_sub(u, v[f]), w);
                }
            }
        }
#pragma unroll
        for (int e = 0; e < (1 << R); e++) tile[(j0 | ((unsigned)e << t0)) * TILE_COLS + threadIdx.x] = v[e];
    }
}

template <bool DIT>
__device__ __forceinline__ void tile_levels(uint64_t *tile, const pass_geom &p, uint64_t low, const uint64_t *tw) {
    for (unsigned done = 0; done < p.k;) {
        const unsigned r = p.k - done < REG_LEVELS ? p.k - done : REG_LEVELS;
        const unsigned t0 = DIT ? done : p.k - done - r;
        if (r == 3) radix_step<3, DIT>(tile, t0, p, low, tw);
        else if (r == 2) radix_step<2, DIT>(tile, t0, p, low, tw);
        else radix_step<1, DIT>(tile, t0, p, low, tw);
        __syncthreads();
        done += r;
    }
}

/* Coefficients for the coset expansion: column col of the n x (b*src_cols) view is column
 * col % src_cols of coset k = col / src_cols; the value at bit-reversed position row holds
 * n * a_j, j = bitrev(row), and becomes a_j * (7 w_bN^k)^j = n*a_j * hi[k][j >> split] * lo[k][j & mask]
 * (1/n is folded into lo). */
struct expand_src {
    const uint64_t *coef;
    unsigned cols;
    const uint64_t *lo, *hi;
    unsigned split;
};

__device__ __forceinline__ uint64_t expand_load(const expand_src &x, const pass_geom &p, uint64_t row, unsigned col) {
    const unsigned k = col / x.cols, c = col - k * x.cols;
    const uint64_t j = bitrev_bits(row, p.log_n);
    const uint64_t lo_len = 1ull << x.split, hi_len = (1ull << p.log_n) >> x.split;
    const uint64_t f = gl_mul(x.hi[k * hi_len + (j >> x.split)], x.lo[k * lo_len + (j & (lo_len - 1))]);
    return gl_mul(x.coef[row * x.cols + c], f);
}

/* One pass over an n x ncols view with row stride `stride` (grid-stride over tiles). With
 * EXPAND the tile is loaded from the coefficients (expand_src) instead of from data. Loads
 * reduce: a trace may hold x + p, and the butterflies want canonical inputs. */
template <bool DIT, bool EXPAND>
__device__ __forceinline__ void ntt_pass(uint64_t *data, size_t stride, unsigned ncols, pass_geom p,
                                         const uint64_t *tw, expand_src x) {
    extern __shared__ uint64_t tile[];
    const unsigned size = 1u << p.k;
    const unsigned chunks = (ncols + TILE_COLS - 1) / TILE_COLS;
    const uint64_t items = ((1ull << p.log_n) >> p.k) * chunks;
    for (uint64_t item = blockIdx.x; item < items; item += gridDim.x) {
        const uint64_t g = item / chunks;
        const unsigned col = (unsigned)(item % chunks) * TILE_COLS + threadIdx.x;
        const bool live = col < ncols;
        const uint64_t low = g & ((1ull << p.s0) - 1);
        const uint64_t high = (g >> p.s0) << (p.s0 + p.k);
        for (unsigned j = threadIdx.y; j < size; j += blockDim.y) {
            const uint64_t row = low | ((uint64_t)j << p.s0) | high;
            uint64_t v = 0;
            if (live) v = EXPAND ? expand_load(x, p, row, col) : gl_reduce(data[row * stride + col]);
            tile[j * TILE_COLS + threadIdx.x] = v;
        }
        __syncthreads();
        tile_levels<DIT>(tile, p, low, tw);
        if (live)
            for (unsigned j = threadIdx.y; j < size; j += blockDim.y)
                data[(low | ((uint64_t)j << p.s0) | high) * stride + col] = tile[j * TILE_COLS + threadIdx.x];
        __syncthreads();
    }
}

} // namespace

/* Inverse-direction pass (natural order in, bit-reversed out over the whole transform). */
extern "C" __global__ void ntt_dif_levels_row_major(uint64_t *data, size_t stride, unsigned ncols, unsigned log_n,
                                                    unsigned s0, unsigned k, const uint64_t *tw) {
    ntt_pass<false, false>(data, stride, ncols, pass_geom{log_n, s0, k}, tw, expand_src{});
}

/* Forward pass (bit-reversed in, natural out over the whole transform). */
extern "C" __global__ void ntt_dit_levels_row_major(uint64_t *data, size_t stride, unsigned ncols, unsigned log_n,
                                                    unsigned s0, unsigned k, const uint64_t *tw) {
    ntt_pass<true, false>(data, stride, ncols, pass_geom{log_n, s0, k}, tw, expand_src{});
}

/* The first forward pass of the LDE: coset scaling of the coefficients into every coset's
 * columns, fused with the lowest k levels. */
extern "C" __global__ void ntt_dit_expand_row_major(uint64_t *lde, size_t stride, unsigned ncols, unsigned log_n,
                                                    unsigned k, const uint64_t *tw, const uint64_t *coef,
                                                    unsigned cols, const uint64_t *lo, const uint64_t *hi,
                                                    unsigned split) {
    ntt_pass<true, true>(lde, stride, ncols, pass_geom{log_n, 0, k}, tw, expand_src{coef, cols, lo, hi, split});
}

/* tw[t] = w^t for t < count. */
extern "C" __global__ void twiddle_powers(uint64_t *tw, uint64_t w, uint64_t count) {
    for (uint64_t t = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; t < count; t += (uint64_t)gridDim.x * blockDim.x)
        tw[t] = gl_pow(w, t);
}

/* The coset power tables of expand_load: lo[k][i] = base_k^i / n, hi[k][i] = base_k^(i << split),
 * base_k = 7 w_bN^k, stored as all lo tables then all hi tables. */
extern "C" __global__ void coset_power_tables(uint64_t *t, unsigned log_n, unsigned log_b, unsigned split) {
    const uint64_t lo_len = 1ull << split, hi_len = (1ull << log_n) >> split, per = lo_len + hi_len;
    const uint64_t b = 1ull << log_b, total = b * per;
    const uint64_t n_inv = gl_inv(1ull << log_n);
    const uint64_t w_bn = gl_root_of_unity(log_n + log_b);
    for (uint64_t i = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; i < total; i += (uint64_t)gridDim.x * blockDim.x) {
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

/* Splits log_n levels into the fewest passes of at most SB_NTT_MAX_LEVELS, sizes balanced. */
static unsigned plan_passes(unsigned log_n, unsigned k[]) {
    const unsigned passes = log_n ? (log_n + SB_NTT_MAX_LEVELS - 1) / SB_NTT_MAX_LEVELS : 1;
    for (unsigned i = 0; i < passes; i++) k[i] = log_n / passes + (i < log_n % passes);
    return passes;
}

static cudaError_t launch_pass(int dit, uint64_t *data, size_t stride, unsigned ncols, unsigned log_n, unsigned s0,
                               unsigned k, const uint64_t *tw, unsigned tpb, unsigned max_blocks, cudaStream_t s,
                               sb_gpu_site *site) {
    const uint64_t items = ((1ull << log_n) >> k) * ((ncols + TILE_COLS - 1) / TILE_COLS);
    const dim3 grid(sb_grid_blocks(items, max_blocks)), block(TILE_COLS, tpb / TILE_COLS);
    const size_t smem = ((size_t)1 << k) * TILE_COLS * sizeof(uint64_t);
    if (dit) ntt_dit_levels_row_major<<<grid, block, smem, s>>>(data, stride, ncols, log_n, s0, k, tw);
    else ntt_dif_levels_row_major<<<grid, block, smem, s>>>(data, stride, ncols, log_n, s0, k, tw);
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

    /* Inverse NTT: top levels first; the last pass holds the lowest bits, like the first forward one. */
    for (unsigned i = passes; i-- > 0;) {
        if (k[i] == 0) continue;
        e = launch_pass(0, a->trace, a->cols, a->cols, a->log_n, s0[i], k[i], a->itw, a->tpb_ntt, a->max_blocks, s,
                        site);
        if (e != cudaSuccess) return e;
    }

    const unsigned wide = a->cols << a->log_b;
    const uint64_t *lo = a->coset_tables;
    const uint64_t *hi = lo + ((size_t)1 << (split + a->log_b));
    const uint64_t items = ((1ull << a->log_n) >> k[0]) * ((wide + TILE_COLS - 1) / TILE_COLS);
    const dim3 grid(sb_grid_blocks(items, a->max_blocks)), block(TILE_COLS, a->tpb_scale / TILE_COLS);
    const size_t smem = ((size_t)1 << k[0]) * TILE_COLS * sizeof(uint64_t);
    ntt_dit_expand_row_major<<<grid, block, smem, s>>>(a->lde, wide, wide, a->log_n, k[0], a->tw, a->trace, a->cols,
                                                        lo, hi, split);
    if ((e = sb_launch_check(site, "ntt_dit_expand_row_major", grid, block, smem)) != cudaSuccess) return e;

    for (unsigned i = 1; i < passes; i++) {
        e = launch_pass(1, a->lde, wide, wide, a->log_n, s0[i], k[i], a->tw, a->tpb_ntt, a->max_blocks, s, site);
        if (e != cudaSuccess) return e;
    }
    return cudaSuccess;
}

extern "C" const void *sb_gpu_ntt_kernel(int expand) {
    return expand ? (const void *)ntt_dit_expand_row_major : (const void *)ntt_dit_levels_row_major;
}
