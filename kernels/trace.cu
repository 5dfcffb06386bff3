/* The fib AIR's main trace on the device (gpu_trace.h): short grid-stride kernels around the
 * host's per-row functions (prover/trace_row.h). The functions are host-tested through the host
 * trace (tests/test_trace_dev.cu), the kernels by tests/test_gpu_trace.c where a GPU is present. */
extern "C" { /* backend.h has no C++ guard of its own (the --tpb ids) */
#include "backend.h"
}
#include "air_fib.h"
#include "gpu_trace.h"
#include "launch.cuh"
#include "trace_row.h"

/* The decoded program by value (a kernel parameter): every thread reads the same words. */
struct trace_program {
    rv64_insn code[RV64_PROGRAM_MAX];
};

/* Thread i re-executes segment i: rows i K .. i K + K - 1 of cpu. */
extern "C" __global__ void trace_expand(trace_program p, unsigned len, const rv64_state *snapshots, uint64_t segments,
                                        unsigned log_k, uint64_t *cpu, uint32_t *bad) {
    for (uint64_t i = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; i < segments;
         i += (uint64_t)gridDim.x * blockDim.x)
        if (fib_trace_segment(p.code, len, snapshots[i], cpu + (i << log_k) * FIB_CPU_COLS, (uint64_t)1 << log_k))
            atomicOr(bad, 1u);
}

/* The program table's multiplicities to 0; the range table's rows (v, 0). */
extern "C" __global__ void trace_tables_init(uint64_t *program, uint64_t *range) {
    for (uint64_t v = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; v < ((uint64_t)1 << FIB_LOG_RANGE);
         v += (uint64_t)gridDim.x * blockDim.x) {
        if (v < ((uint64_t)1 << FIB_LOG_PROGRAM)) program[v * FIB_PROG_MAIN_COLS + FIB_PROG_MULT] = 0;
        range[v * FIB_RANGE_COLS + FIB_RANGE_VALUE] = v;
        range[v * FIB_RANGE_COLS + FIB_RANGE_MULT] = 0;
    }
}

/* Counts one lookup of table row v (FIB_NO_ROW: none) in mult[v * cols]: the lanes of a warp that
 * look up the same row add once, by their number. A loop of a few instructions and registers whose
 * high limbs are 0 send most rows to a few counters, where single atomics would queue. */
__device__ __forceinline__ void count_lookup(uint64_t *mult, unsigned cols, uint64_t v) {
    static_assert(sizeof(uint64_t) == sizeof(unsigned long long), "atomicAdd counts in 64-bit words");
    const unsigned same = __match_any_sync(__activemask(), v);
    if (v != FIB_NO_ROW && (threadIdx.x & 31) == (unsigned)__ffs(same) - 1)
        atomicAdd((unsigned long long *)&mult[v * cols], (unsigned long long)__popc(same));
}

/* One thread a cpu row: its program lookup and its four range lookups. */
extern "C" __global__ void trace_multiplicities(const uint64_t *cpu, uint64_t n, uint64_t rom_len, uint64_t *program,
                                                uint64_t *range) {
    for (uint64_t r = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; r < n; r += (uint64_t)gridDim.x * blockDim.x) {
        const uint64_t *row = cpu + r * FIB_CPU_COLS;
        count_lookup(program + FIB_PROG_MULT, FIB_PROG_MAIN_COLS, fib_program_row(row, rom_len));
        for (int k = 0; k < FIB_LIMBS; k++) count_lookup(range + FIB_RANGE_MULT, FIB_RANGE_COLS, fib_range_row(row, k));
    }
}

/* Why 2^log_rows rows cannot be expanded or counted, or NULL. */
static const char *bad_rows(unsigned log_rows) {
    return log_rows < RV64_MIN_LOG_STEPS || log_rows > RV64_MAX_LOG_STEPS ? "rows outside 2^6 .. 2^30" : NULL;
}

extern "C" cudaError_t sb_gpu_trace_expand(const sb_exec_record *rec, const rv64_state *snapshots, uint64_t *cpu,
                                           uint32_t *bad, unsigned tpb, unsigned max_blocks, cudaStream_t s,
                                           sb_gpu_site *site) {
    const char *why = sb_bad_tpb(tpb, max_blocks);
    if (!why) why = bad_rows(rec->log_rows);
    if (!why && rec->log_k > rec->log_rows) why = "snapshot interval longer than the trace";
    if (!why && (rec->len == 0 || rec->len > RV64_PROGRAM_MAX)) why = "program of 0 or more than 16 words";
    if (!why && (!snapshots || !cpu || !bad)) why = "a NULL buffer";
    if (why) return sb_launch_reject(site, "trace_expand", why);
    trace_program p;
    for (size_t i = 0; i < RV64_PROGRAM_MAX; i++) p.code[i] = i < rec->len ? rec->code[i] : rv64_insn{};
    cudaError_t e = sb_runtime_check(cudaMemsetAsync(bad, 0, sizeof *bad, s), "cudaMemsetAsync", site);
    if (e != cudaSuccess) return e;
    const uint64_t segments = (uint64_t)1 << (rec->log_rows - rec->log_k);
    const dim3 grid(sb_grid_blocks((segments + tpb - 1) / tpb, max_blocks)), block(tpb);
    trace_expand<<<grid, block, 0, s>>>(p, (unsigned)rec->len, snapshots, segments, rec->log_k, cpu, bad);
    return sb_launch_check(site, "trace_expand", grid, block, 0);
}

extern "C" cudaError_t sb_gpu_trace_multiplicities(const uint64_t *cpu, unsigned log_rows, size_t rom_len,
                                                   uint64_t *program, uint64_t *range, unsigned tpb,
                                                   unsigned max_blocks, cudaStream_t s, sb_gpu_site *site) {
    const char *why = sb_bad_tpb(tpb, max_blocks);
    if (!why) why = bad_rows(log_rows);
    if (!why && rom_len > ((size_t)1 << FIB_LOG_PROGRAM)) why = "ROM longer than the program table";
    if (!why && (!cpu || !program || !range)) why = "a NULL buffer";
    if (why) return sb_launch_reject(site, "trace_multiplicities", why);
    const uint64_t n = (uint64_t)1 << log_rows;
    const dim3 block(tpb), init_grid(sb_grid_blocks(((uint64_t)1 << FIB_LOG_RANGE) / tpb + 1, max_blocks));
    trace_tables_init<<<init_grid, block, 0, s>>>(program, range);
    cudaError_t e = sb_launch_check(site, "trace_tables_init", init_grid, block, 0);
    if (e != cudaSuccess) return e;
    const dim3 grid(sb_grid_blocks((n + tpb - 1) / tpb, max_blocks));
    trace_multiplicities<<<grid, block, 0, s>>>(cpu, n, rom_len, program, range);
    return sb_launch_check(site, "trace_multiplicities", grid, block, 0);
}

extern "C" const void *sb_gpu_trace_kernel(int k) {
    switch (k) {
    case SB_K_TRACE: return (const void *)trace_expand;
    case SB_K_MULT: return (const void *)trace_multiplicities;
    default: return NULL;
    }
}

extern "C" cudaError_t sb_gpu_trace_load(void) {
    static const void *const kernels[] = {(const void *)trace_expand, (const void *)trace_tables_init,
                                          (const void *)trace_multiplicities};
    return sb_load_kernels(kernels, sizeof kernels / sizeof kernels[0]);
}
