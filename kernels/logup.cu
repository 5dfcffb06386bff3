/* The fib AIR's LogUp aux columns on the device (gpu_logup.h): short grid-stride kernels around
 * the host's per-chunk functions (prover/logup_row.h) over the device instantiation of the
 * denominators (fib_constraints.cuh). The chunks of the three tables form one index space
 * (cpu, then program, then range), so each pass is one launch. The functions are host-tested
 * through the host aux trace (tests/test_logup_dev.cu), the kernels by tests/test_gpu_logup.c
 * where a GPU is present. */
extern "C" { /* backend.h has no C++ guard of its own (the --tpb ids) */
#include "backend.h"
}
#include "fib_constraints.cuh"
#include "gpu_logup.h"
#include "launch.cuh"

#define LOGUP_DENOM(name) name##_dev
#include "logup_row.h"

/* Everything a pass reads, by value: the tables, where each table's chunks start in the one index
 * space, the challenges and the program table's ROM rows (its tables[FIB_TABLE_PROGRAM].rows
 * is set to fixed in the kernel: a host pointer cannot name a kernel parameter). */
struct logup_params {
    sb_logup_table tables[FIB_N_TABLES];
    uint64_t first_chunk[FIB_N_TABLES + 1];
    uint64_t chunk_rows;
    sb_logup_challenges c;
    uint64_t fixed[FIB_PROG_FIXED_COLS << FIB_LOG_PROGRAM];
};
static_assert(sizeof(logup_params) <= 4096, "the parameters fit a kernel's 4 KB of arguments");

/* Chunk i of the index space: its table (with the ROM rows in place) and its first row and rows. */
__device__ __forceinline__ sb_logup_table logup_chunk(const logup_params &p, uint64_t i, uint64_t *lo, uint64_t *len) {
    const int k = i < p.first_chunk[FIB_TABLE_PROGRAM] ? FIB_TABLE_CPU
                : i < p.first_chunk[FIB_TABLE_RANGE]   ? FIB_TABLE_PROGRAM
                                                       : FIB_TABLE_RANGE;
    sb_logup_table t = p.tables[k];
    if (k == FIB_TABLE_PROGRAM) t.rows = p.fixed;
    const uint64_t c = i - p.first_chunk[k];
    *lo = c * p.chunk_rows;
    *len = sb_logup_chunk_len(t.n, p.chunk_rows, c);
    return t;
}

/* One thread a chunk: its rows' terms (and the cpu helpers), its total to totals[i]. */
extern "C" __global__ void logup_terms(const __grid_constant__ logup_params p, fp3_t *totals, uint32_t *bad) {
    for (uint64_t i = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; i < p.first_chunk[FIB_N_TABLES];
         i += (uint64_t)gridDim.x * blockDim.x) {
        uint64_t lo, len;
        const sb_logup_table t = logup_chunk(p, i, &lo, &len);
        if (sb_logup_chunk_terms(&t, &p.c, lo, len, &totals[i])) atomicOr(bad, 1u);
    }
}

/* Where each table's chunks start in the index space (logup_params.first_chunk), by value. */
struct logup_first {
    uint64_t first_chunk[FIB_N_TABLES + 1];
};

/* Block k scans table k's chunk totals (totals[first[k] .. first[k + 1])) into their offsets and
 * writes the table's claimed sum: each thread sums a run of consecutive totals, the runs' sums
 * are scanned in shared memory (Hillis-Steele), and each thread rewrites its run as offsets
 * from its run's. */
extern "C" __global__ void logup_scan(fp3_t *totals, logup_first f, fp3_t *claimed) {
    extern __shared__ fp3_t run_sums[];
    const uint64_t base = f.first_chunk[blockIdx.x], m = f.first_chunk[blockIdx.x + 1] - base;
    const uint64_t per = (m + blockDim.x - 1) / blockDim.x, lo = threadIdx.x * per < m ? threadIdx.x * per : m;
    const uint64_t len = m - lo < per ? m - lo : per;
    fp3_t *run = totals + base + lo, sum = fp3_zero();
    for (uint64_t j = 0; j < len; j++) sum = fp3_add(sum, run[j]);
    run_sums[threadIdx.x] = sum;
    __syncthreads();
    for (unsigned d = 1; d < blockDim.x; d <<= 1) {
        const fp3_t v = threadIdx.x >= d ? run_sums[threadIdx.x - d] : fp3_zero();
        __syncthreads();
        run_sums[threadIdx.x] = fp3_add(run_sums[threadIdx.x], v);
        __syncthreads();
    }
    sb_logup_exclusive_scan(run, len, threadIdx.x ? run_sums[threadIdx.x - 1] : fp3_zero());
    if (threadIdx.x == blockDim.x - 1) claimed[blockIdx.x] = run_sums[threadIdx.x];
}

/* One thread a chunk: its terms into the running sum from its offset. */
extern "C" __global__ void logup_sums(const __grid_constant__ logup_params p, const fp3_t *offsets) {
    for (uint64_t i = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; i < p.first_chunk[FIB_N_TABLES];
         i += (uint64_t)gridDim.x * blockDim.x) {
        uint64_t lo, len;
        const sb_logup_table t = logup_chunk(p, i, &lo, &len);
        sb_logup_chunk_sums(&t, lo, len, offsets[i]);
    }
}

/* Where each table's chunks start in the one index space of a 2^log_rows-row cpu table
 * (first[FIB_N_TABLES]: the count of all). */
static void chunk_starts(unsigned log_rows, uint64_t chunk_rows, uint64_t first[FIB_N_TABLES + 1]) {
    const uint64_t n[FIB_N_TABLES] = {(uint64_t)1 << log_rows, (uint64_t)1 << FIB_LOG_PROGRAM,
                                      (uint64_t)1 << FIB_LOG_RANGE};
    first[0] = 0;
    for (int k = 0; k < FIB_N_TABLES; k++) first[k + 1] = first[k] + sb_logup_chunks(n[k], chunk_rows);
}

extern "C" size_t sb_gpu_logup_scratch_bytes(unsigned log_rows, unsigned chunk_rows) {
    if (chunk_rows == 0 || log_rows > RV64_MAX_LOG_STEPS) return 0;
    uint64_t first[FIB_N_TABLES + 1];
    chunk_starts(log_rows, chunk_rows, first);
    return sizeof(fp3_t) * first[FIB_N_TABLES];
}

extern "C" cudaError_t sb_gpu_logup_aux(const sb_public *pub, const fp3_t *challenges, const uint64_t *cpu,
                                        const uint64_t *program, const uint64_t *range, fp3_t *cpu_aux,
                                        fp3_t *program_aux, fp3_t *range_aux, fp3_t *claimed, uint32_t *bad,
                                        void *scratch, unsigned chunk_rows, unsigned tpb, unsigned max_blocks,
                                        cudaStream_t s, sb_gpu_site *site) {
    const char *why = sb_bad_tpb(tpb, max_blocks);
    if (!why && (!pub || !challenges)) why = "no statement or challenges";
    if (!why && (pub->log_steps < RV64_MIN_LOG_STEPS || pub->log_steps > RV64_MAX_LOG_STEPS))
        why = "rows outside 2^6 .. 2^30";
    if (!why && chunk_rows == 0) why = "chunks of 0 rows";
    if (!why && (!cpu || !program || !range || !cpu_aux || !program_aux || !range_aux || !claimed || !bad || !scratch))
        why = "a NULL buffer";
    if (why) return sb_launch_reject(site, "logup_terms", why);

    logup_params p;
    sb_logup_challenges_make(challenges, &p.c);
    sb_air_fib()->tables[FIB_TABLE_PROGRAM].gen_fixed(pub, p.fixed);
    fp3_t *const aux[FIB_N_TABLES] = {cpu_aux, program_aux, range_aux};
    sb_logup_tables((uint64_t)1 << pub->log_steps, cpu, program, range, NULL, aux, p.tables);
    chunk_starts(pub->log_steps, chunk_rows, p.first_chunk);
    p.chunk_rows = chunk_rows;
    logup_first f;
    for (int k = 0; k <= FIB_N_TABLES; k++) f.first_chunk[k] = p.first_chunk[k];
    fp3_t *totals = (fp3_t *)scratch;

    cudaError_t e = sb_runtime_check(cudaMemsetAsync(bad, 0, sizeof *bad, s), "cudaMemsetAsync", site);
    if (e != cudaSuccess) return e;
    const dim3 block(tpb), grid(sb_grid_blocks((p.first_chunk[FIB_N_TABLES] + tpb - 1) / tpb, max_blocks));
    logup_terms<<<grid, block, 0, s>>>(p, totals, bad);
    if ((e = sb_launch_check(site, "logup_terms", grid, block, 0)) != cudaSuccess) return e;
    const size_t smem = sizeof(fp3_t) * tpb;
    logup_scan<<<FIB_N_TABLES, block, smem, s>>>(totals, f, claimed);
    if ((e = sb_launch_check(site, "logup_scan", dim3(FIB_N_TABLES), block, smem)) != cudaSuccess) return e;
    logup_sums<<<grid, block, 0, s>>>(p, totals);
    return sb_launch_check(site, "logup_sums", grid, block, 0);
}

extern "C" const void *sb_gpu_logup_kernel(int k) { return k == SB_K_LOGUP ? (const void *)logup_terms : NULL; }

extern "C" cudaError_t sb_gpu_logup_load(void) {
    static const void *const kernels[] = {(const void *)logup_terms, (const void *)logup_scan, (const void *)logup_sums};
    return sb_load_kernels(kernels, sizeof kernels / sizeof kernels[0]);
}
