/* Round 2 on the device (gpu_rounds.h): the composition polynomial of a fib AIR table on every LDE
 * row, then its interpolation and split into parts over H. One thread a row: the row's work is
 * fib_composition_row (fib_constraints.cuh), the CPU's composition_row on the same write-once
 * constraints. The per-row functions are host-tested (tests/test_rounds_dev.cu), the kernels by
 * tests/test_gpu_round_kernels.c where a GPU is present. */
#include "fib_constraints.cuh"
#include "launch.cuh"

/* The CPU table's rows take 240 registers a thread (sm_90, ptxas -v): at most 256 threads a block. */
#define COMPOSE_MAX_TPB 256

template <int TABLE>
__global__ void __launch_bounds__(COMPOSE_MAX_TPB) fib_composition_rows(fib_comp_view v, uint64_t *c) {
    const uint64_t m = 1ull << (v.log_n + v.log_b);
    for (uint64_t i = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; i < m; i += (uint64_t)gridDim.x * blockDim.x) {
        const fp3_t r = fib_composition_row<TABLE>(v, i);
        c[3 * i] = r.c[0], c[3 * i + 1] = r.c[1], c[3 * i + 2] = r.c[2];
    }
}

static void (*const rows_by_table[FIB_N_TABLES])(fib_comp_view, uint64_t *) = {
    fib_composition_rows<FIB_TABLE_CPU>, fib_composition_rows<FIB_TABLE_PROGRAM>, fib_composition_rows<FIB_TABLE_RANGE>};
static const char *const rows_names[FIB_N_TABLES] = {"fib_composition_rows<cpu>", "fib_composition_rows<program>",
                                                     "fib_composition_rows<range>"};

/* Coefficient j of C to its part (composition_split_coefficient), scaled by 7^-j / M. *bad: every
 * thread that finds a non-zero coefficient past the parts stores the same 1. */
extern "C" __global__ void composition_split(const uint64_t *dif, uint64_t *parts, unsigned log_n, unsigned log_b,
                                             uint64_t inv_m, uint64_t inv_gen, uint32_t *bad) {
    const uint64_t m = 1ull << (log_n + log_b);
    for (uint64_t j = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; j < m; j += (uint64_t)gridDim.x * blockDim.x)
        if (composition_split_coefficient(dif, parts, log_n, log_b, SB_COMPOSITION_PARTS, j,
                                          gl_mul(inv_m, gl_pow(inv_gen, j))))
            *bad = 1;
}

extern "C" cudaError_t sb_gpu_fib_composition(const sb_gpu_composition_args *a, cudaStream_t s, sb_gpu_site *site) {
    const char *why = sb_bad_tpb(a->tpb, a->max_blocks);
    if (a->tpb > COMPOSE_MAX_TPB) why = "more than 256 threads a block (240 registers a thread)";
    else if (a->table < 0 || a->table >= FIB_N_TABLES) why = "not a fib AIR table";
    else if (a->log_b < 1 || a->log_b > 3 || a->log_n + a->log_b > GL_TWO_ADICITY) why = "LDE shape outside blowup 2..8, 2^32 rows";
    else if (!a->main || !a->aux || !a->consts || !a->c || (a->table == FIB_TABLE_PROGRAM && !a->fixed))
        why = "a matrix is missing";
    const char *kernel = a->table >= 0 && a->table < FIB_N_TABLES ? rows_names[a->table] : "fib_composition_rows";
    if (why) return sb_launch_reject(site, kernel, why);
    const uint64_t m = 1ull << (a->log_n + a->log_b);
    const dim3 grid(sb_grid_blocks((m + a->tpb - 1) / a->tpb, a->max_blocks)), block(a->tpb);
    const fib_comp_view v = {a->main, a->fixed, a->aux, a->consts, a->log_n, a->log_b};
    rows_by_table[a->table]<<<grid, block, 0, s>>>(v, a->c);
    return sb_launch_check(site, kernel, grid, block, 0);
}

extern "C" cudaError_t sb_gpu_composition_split(uint64_t *c, unsigned log_n, unsigned log_b, const uint64_t *itw_lde,
                                                const uint64_t *tw_n, uint64_t *parts, uint32_t *degree_bad,
                                                unsigned tpb_ntt, unsigned tpb, unsigned max_blocks, cudaStream_t s,
                                                sb_gpu_site *site) {
    const char *why = sb_bad_tpb(tpb, max_blocks);
    if (log_b < 1 || log_b > 3 || log_n + log_b > GL_TWO_ADICITY) why = "LDE shape outside blowup 2..8, 2^32 rows";
    if (why) return sb_launch_reject(site, "composition_split", why);
    cudaError_t e = sb_gpu_intt_dif(c, log_n + log_b, 3, itw_lde, tpb_ntt, max_blocks, s, site);
    if (e != cudaSuccess) return e;
    e = sb_runtime_check(cudaMemsetAsync(degree_bad, 0, sizeof *degree_bad, s), "cudaMemsetAsync(degree flag)", site);
    if (e != cudaSuccess) return e;
    const uint64_t m = 1ull << (log_n + log_b);
    const dim3 grid(sb_grid_blocks((m + tpb - 1) / tpb, max_blocks)), block(tpb);
    composition_split<<<grid, block, 0, s>>>(c, parts, log_n, log_b, gl_inv(m), gl_inv(GL_GENERATOR), degree_bad);
    if ((e = sb_launch_check(site, "composition_split", grid, block, 0)) != cudaSuccess) return e;
    return sb_gpu_ntt_dit(parts, log_n, 3 * SB_COMPOSITION_PARTS, tw_n, tpb_ntt, max_blocks, s, site);
}

extern "C" const void *sb_gpu_composition_kernel(int i) {
    if (i >= 0 && i < FIB_N_TABLES) return (const void *)rows_by_table[i];
    return i == FIB_N_TABLES ? (const void *)composition_split : NULL;
}
