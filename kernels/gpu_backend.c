/* The GPU backend (docs/ARCHITECTURE.md "GPU backend"): LDEs, Merkle commits, uploads and
 * openings on the device, row-major end to end, and the Rounds 2-4 operations (composition and
 * its split, OOD, DEEP, FRI folds with their layers' trees, grinding); a matrix's values and tree
 * stay in its device handle, and only roots, OOD values, the degree flag, the last FRI layer, the
 * nonce, opened rows and paths come back (a whole matrix only when an operation on the CPU path
 * asks for it). By default every operation of every round runs on the device, the traces included.
 *
 * Every operation runs on the stream of its table (sb_op.table) and synchronizes it before
 * returning, so a fault is seen by the operation that caused it, and sync waits for one
 * table's work only. Every GPU operation goes through run(): its
 * placement (threshold, the kinds placed on the device), the injection switch, and on a CUDA error the
 * record and the redo on the CPU path (sb_cpu_ops); nothing falls back silently except under
 * the documented injection switch (gpu_backend.h). */
#include "gpu_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "air_fib.h"
#include "exec_record.h"
#include "field.h"
#include "gpu.h"
#include "gpu_logup.h"
#include "gpu_rounds.h"
#include "gpu_trace.h"
#include "ntt.h"
#include "range_names.h"
#include "rounds.h"

/* Host <-> device copies go through two pinned staging buffers of SB_GPU_STAGE_BYTES: the
 * host copies one (OpenMP) while the DMA engine drains the other. A pageable cudaMemcpy moved
 * only ~8.5 GB/s on an H100 host (4.3 GB trace: 504 ms). */
#define STAGE_BYTES SB_GPU_STAGE_BYTES
/* Tables with a stream of their own; more share the last one (every operation synchronizes its
 * stream before returning, so sharing costs only sync's precision). */
#define MAX_STREAMS 16

typedef struct gpu_impl {
    int device;
    unsigned sms;        /* the device's SM count */
    unsigned max_blocks; /* grid cap of the grid-stride kernels */
    pthread_mutex_t tw_lock;
    uint64_t *tw[GL_TWO_ADICITY + 1], *itw[GL_TWO_ADICITY + 1]; /* twiddles per log2 size, built once */
    pthread_mutex_t stage_lock; /* one staged copy at a time (the link is shared anyway) */
    void *stage[2];
    cudaEvent_t stage_free[2]; /* recorded after the DMA that last used stage[i] */
    sb_opk_mask placed; /* the operations it runs on the device (sb_gpu_placed_ops of cfg.cpu_rounds) */
    pthread_mutex_t stream_lock;
    size_t n_streams;
    struct {
        char table[16];
        cudaStream_t stream;
    } streams[MAX_STREAMS]; /* one non-blocking stream per table, made on first use */
} gpu_impl;

/* The device side of a matrix (sb_matrix.device). */
typedef struct gpu_matrix {
    cudaStream_t stream; /* its table's (gpu_impl.streams) */
    uint64_t *values; /* rows x cols, row-major */
    uint64_t *nodes;  /* 2L-1 digests (4 lanes each), heap layout; NULL until a GPU commit */
    size_t tree_leaves; /* L of nodes (rows for SB_LEAVES_ROWS, rows/2 for SB_LEAVES_PAIRS) */
    unsigned log_rows;
    sb_gpu_times times;
} gpu_matrix;

static gpu_impl *impl_of(sb_backend *be) { return (gpu_impl *)be->impl; }

static unsigned tpb_of(const sb_backend *be, sb_kernel_id k) {
    return be->cfg.tpb[k] ? be->cfg.tpb[k] : sb_kernel_default_tpb[k];
}

/* Runs a runtime call; on failure names it in the site (a launcher names its own kernel). */
#define CU(call, what)                                                  \
    do {                                                                \
        if ((e = (call)) != cudaSuccess) {                              \
            if (!site->kernel) {                                        \
                site->kernel = (what);                                  \
                snprintf(site->launch, sizeof site->launch, "(runtime call)"); \
            }                                                           \
            goto out;                                                   \
        }                                                               \
    } while (0)

/* The twiddle tables of size 2^log_n, built on first use (then read-only, shared by every stream). */
static cudaError_t twiddles(sb_backend *be, unsigned log_n, cudaStream_t s, const uint64_t **tw,
                            const uint64_t **itw, sb_gpu_site *site) {
    gpu_impl *g = impl_of(be);
    cudaError_t e = cudaSuccess;
    pthread_mutex_lock(&g->tw_lock);
    if (!g->tw[log_n]) {
        const size_t count = log_n ? (size_t)1 << (log_n - 1) : 1;
        uint64_t *t = NULL, *it = NULL;
        CU(cudaMalloc((void **)&t, count * sizeof *t), "cudaMalloc");
        CU(cudaMalloc((void **)&it, count * sizeof *it), "cudaMalloc");
        CU(sb_gpu_twiddles(t, log_n, 0, tpb_of(be, SB_K_NTT), g->max_blocks, s, site), "twiddle_powers");
        CU(sb_gpu_twiddles(it, log_n, 1, tpb_of(be, SB_K_NTT), g->max_blocks, s, site), "twiddle_powers");
        CU(cudaStreamSynchronize(s), "cudaStreamSynchronize");
        g->tw[log_n] = t, g->itw[log_n] = it;
        t = it = NULL;
        sb_backend_mem(be, SB_MEM_DEVICE, (int64_t)(2 * count * sizeof *t)); /* kept until destroy */
    out:
        cudaFree(t);
        cudaFree(it);
    }
    *tw = g->tw[log_n], *itw = g->itw[log_n];
    pthread_mutex_unlock(&g->tw_lock);
    return e;
}

static void host_copy(void *dst, const void *src, size_t len) {
    const size_t piece = (size_t)1 << 20;
#pragma omp parallel for schedule(static)
    for (size_t off = 0; off < len; off += piece)
        memcpy((char *)dst + off, (const char *)src + off, len - off < piece ? len - off : piece);
}

static size_t stage_len(size_t bytes, size_t k) {
    return bytes - k * STAGE_BYTES < STAGE_BYTES ? bytes - k * STAGE_BYTES : STAGE_BYTES;
}

/* Copies bytes between host and device memory on stream s through the staging buffers.
 * Returns when the host side is done (and, to the device, the copies are queued on s). */
static cudaError_t staged_copy(sb_backend *be, int to_device, void *dst, const void *src, size_t bytes,
                               cudaStream_t s, sb_gpu_site *site) {
    gpu_impl *g = impl_of(be);
    cudaError_t e = cudaSuccess;
    const size_t chunks = (bytes + STAGE_BYTES - 1) / STAGE_BYTES;
    pthread_mutex_lock(&g->stage_lock);
    for (int i = 0; i < 2 && !g->stage[i]; i++) {
        CU(cudaHostAlloc(&g->stage[i], STAGE_BYTES, cudaHostAllocDefault), "cudaHostAlloc(staging)");
        sb_backend_mem(be, SB_MEM_HOST, STAGE_BYTES); /* pinned, kept until destroy */
        CU(cudaEventCreateWithFlags(&g->stage_free[i], cudaEventDisableTiming), "cudaEventCreate");
    }
    for (size_t k = 0; k <= chunks; k++) {
        const int i = (int)(k & 1), j = !i;
        if (k < chunks) CU(cudaEventSynchronize(g->stage_free[i]), "cudaEventSynchronize(staging)");
        if (to_device && k < chunks) {
            host_copy(g->stage[i], (const char *)src + k * STAGE_BYTES, stage_len(bytes, k));
            CU(cudaMemcpyAsync((char *)dst + k * STAGE_BYTES, g->stage[i], stage_len(bytes, k),
                               cudaMemcpyHostToDevice, s), "cudaMemcpyAsync(H2D)");
            CU(cudaEventRecord(g->stage_free[i], s), "cudaEventRecord");
        } else if (!to_device) {
            if (k < chunks) {
                CU(cudaMemcpyAsync(g->stage[i], (const char *)src + k * STAGE_BYTES, stage_len(bytes, k),
                                   cudaMemcpyDeviceToHost, s), "cudaMemcpyAsync(D2H)");
                CU(cudaEventRecord(g->stage_free[i], s), "cudaEventRecord");
            }
            if (k > 0) {
                CU(cudaEventSynchronize(g->stage_free[j]), "cudaEventSynchronize(staging)");
                host_copy((char *)dst + (k - 1) * STAGE_BYTES, g->stage[j], stage_len(bytes, k - 1));
            }
        }
    }
out:
    pthread_mutex_unlock(&g->stage_lock);
    return e;
}

/* ---- where an operation runs, and its recorded fallback ------------------------------- */

/* Every kind of operation with kernels, wired through run(). */
#define KERNEL_KINDS                                                                                     \
    (SB_OPK_TRACE | SB_OPK_LDE | SB_OPK_COMMIT | SB_OPK_OPEN | SB_OPK_COMPOSITION | SB_OPK_OOD | SB_OPK_DEEP | \
     SB_OPK_FRI | SB_OPK_GRIND)
#define PLACED(cpu_rounds, r) ((cpu_rounds) >> ((r) - 1) & 1 ? 0u : SB_OPK_IN_ROUND(r, KERNEL_KINDS))
#define PLACED_OPS(cpu_rounds) \
    (PLACED(cpu_rounds, 1) | PLACED(cpu_rounds, 2) | PLACED(cpu_rounds, 3) | PLACED(cpu_rounds, 4))
const sb_opk_mask sb_gpu_device_ops = PLACED_OPS(0);

sb_opk_mask sb_gpu_placed_ops(unsigned cpu_rounds) {
    return cpu_rounds == SB_CPU_ROUNDS_DEFAULT ? sb_gpu_device_ops : PLACED_OPS(cpu_rounds);
}

/* STARKBENCH_INJECT_SILENT_FALLBACK, read at call time. */
static int inject_silent(const char *name) {
    const char *v = getenv("STARKBENCH_INJECT_SILENT_FALLBACK");
    return v && (strcmp(v, "all") == 0 || strcmp(v, name) == 0);
}

/* Returns 1 when be places an operation of one of `kinds` (SB_OPK_*) running in op's range on the
 * device (impl->placed); an operation outside any round is always placed there. */
static int kind_on_gpu(const sb_backend *be, const sb_op *op, unsigned kinds) {
    const sb_range_def *d = sb_range_find(op->op);
    return !d || !d->round || (((const gpu_impl *)be->impl)->placed & SB_OPK_IN_ROUND(d->round, kinds)) != 0;
}

/* Returns 1 when an operation of one of `kinds` in op making a matrix of `rows` rows belongs on
 * the GPU: at or above the threshold and placed there. */
static int placed_on_gpu(const sb_backend *be, const sb_op *op, unsigned kinds, uint64_t rows) {
    return rows >= be->cfg.gpu_threshold && kind_on_gpu(be, op, kinds);
}

/* One GPU operation and its CPU path. */
typedef struct gpu_op {
    const char *name; /* its name for STARKBENCH_INJECT_SILENT_FALLBACK */
    int on_gpu;       /* the placement (placed_on_gpu, where the data lives): 0 runs the CPU path */
    /* Returns a CUDA error, or cudaSuccess with op->err set when the operation ran and failed on
     * its data (a broken trace), as its CPU path would. */
    cudaError_t (*gpu)(sb_backend *be, sb_op *op, void *args, sb_gpu_site *site);
    int (*cpu)(sb_backend *be, sb_op *op, void *args); /* counts itself in cpu_ops */
    void *args;
} gpu_op;

/* Runs o: on the CPU path where it is placed there or the injection switch names it (no
 * record: the silent fallback the harness must catch), else on the GPU, counted in gpu_ops; a
 * CUDA error is recorded with its site and the operation redone on the CPU path. Returns 0, or
 * -1 with op->err. */
static int run(sb_backend *be, sb_op *op, const gpu_op *o) {
    if (!o->on_gpu || inject_silent(o->name)) return o->cpu(be, op, o->args);
    sb_gpu_site site = {0};
    op->err[0] = 0;
    const cudaError_t e = o->gpu(be, op, o->args, &site);
    if (e == cudaSuccess) {
        if (op->err[0]) return -1; /* failed on its data, as the CPU path would; not counted, as there */
        atomic_fetch_add(&be->gpu_ops, 1);
        return 0;
    }
    char error[160];
    snprintf(error, sizeof error, "%s: %s", cudaGetErrorName(e), cudaGetErrorString(e));
    sb_backend_record_fallback(be, op, site.kernel, site.launch, error);
    cudaGetLastError(); /* clear a non-sticky error so later operations can use the device */
    return o->cpu(be, op, o->args);
}

/* ---- device matrices ----------------------------------------------------------------- */

/* The stream of table's operations ("" for calls outside any table), made on first use. */
static cudaError_t table_stream(sb_backend *be, const char *table, cudaStream_t *s) {
    gpu_impl *g = impl_of(be);
    cudaError_t e = cudaSuccess;
    size_t k = 0;
    pthread_mutex_lock(&g->stream_lock);
    while (k < g->n_streams && strncmp(g->streams[k].table, table, sizeof g->streams[k].table - 1) != 0) k++;
    if (k == g->n_streams && k == MAX_STREAMS) k--;
    else if (k == g->n_streams && (e = cudaStreamCreateWithFlags(&g->streams[k].stream, cudaStreamNonBlocking)) ==
                                      cudaSuccess)
        snprintf(g->streams[g->n_streams++].table, sizeof g->streams[k].table, "%s", table);
    if (e == cudaSuccess) *s = g->streams[k].stream;
    pthread_mutex_unlock(&g->stream_lock);
    return e;
}

/* cudaMallocAsync, counted in the backend's device memory. */
static cudaError_t dev_alloc(sb_backend *be, void *p, size_t bytes, cudaStream_t s) {
    const cudaError_t e = cudaMallocAsync((void **)p, bytes, s);
    if (e == cudaSuccess) sb_backend_mem(be, SB_MEM_DEVICE, (int64_t)bytes);
    return e;
}

/* cudaFreeAsync of a dev_alloc of `bytes` (p may be NULL). */
static void dev_free(sb_backend *be, void *p, size_t bytes, cudaStream_t s) {
    if (!p) return;
    cudaFreeAsync(p, s);
    sb_backend_mem(be, SB_MEM_DEVICE, -(int64_t)bytes);
}

static size_t tree_bytes(size_t leaves) { return (2 * leaves - 1) * 4 * sizeof(uint64_t); }

/* Frees m's device tree (if any). */
static void drop_tree(sb_backend *be, gpu_matrix *d) {
    dev_free(be, d->nodes, tree_bytes(d->tree_leaves), d->stream);
    d->nodes = NULL, d->tree_leaves = 0;
}

/* Frees the device side of m. */
static void drop_device(sb_backend *be, sb_matrix *m) {
    gpu_matrix *d = (gpu_matrix *)m->device;
    if (!d) return;
    if (d->stream) {
        dev_free(be, d->values, m->rows * m->cols * sizeof(uint64_t), d->stream);
        drop_tree(be, d);
        cudaStreamSynchronize(d->stream);
    }
    free(d);
    m->device = NULL;
}

/* The device values of m, or NULL where it lives on the host only. */
static uint64_t *device_values(const sb_matrix *m) {
    const gpu_matrix *d = (const gpu_matrix *)m->device;
    return d ? d->values : NULL;
}

/* Selects be's device and returns the stream of op's table. */
static cudaError_t op_stream(sb_backend *be, const sb_op *op, cudaStream_t *s, sb_gpu_site *site) {
    cudaError_t e = cudaSuccess;
    CU(cudaSetDevice(impl_of(be)->device), "cudaSetDevice");
    CU(table_stream(be, op->table ? op->table : "", s), "cudaStreamCreate");
out:
    return e;
}

/* Makes m an empty device matrix of this shape on the stream of op's table, with room for its
 * values (uninitialised); on failure m holds what drop_device frees. */
static cudaError_t device_matrix(sb_backend *be, const sb_op *op, sb_matrix *m, size_t rows, size_t cols,
                                 unsigned blowup, uint64_t offset, sb_gpu_site *site) {
    memset(m, 0, sizeof *m);
    m->rows = rows, m->cols = cols, m->blowup = blowup, m->n = rows / blowup, m->offset = offset;
    cudaError_t e = cudaSuccess;
    gpu_matrix *d = calloc(1, sizeof *d);
    if (!d) {
        site->kernel = "calloc(device handle)";
        return cudaErrorMemoryAllocation;
    }
    m->device = d;
    d->log_rows = (unsigned)log2_exact(rows);
    CU(op_stream(be, op, &d->stream, site), "cudaStreamCreate");
    CU(dev_alloc(be, &d->values, rows * cols * sizeof(uint64_t), d->stream), "cudaMallocAsync(values)");
out:
    return e;
}

static float elapsed_ms(cudaEvent_t a, cudaEvent_t b) {
    float ms = 0;
    cudaEventElapsedTime(&ms, a, b);
    return ms;
}

/* Rejects shapes the kernels cannot index; fills the log sizes. */
static int check_shape(sb_op *op, size_t n, size_t cols, unsigned blowup, unsigned *log_n, unsigned *log_b) {
    const int ln = log2_exact(n), lb = log2_exact(blowup);
    if (ln < 0 || lb < 0) return sb_op_fail(op, "GPU LDE: rows (%zu) and blowup (%u) must be powers of two", n, blowup);
    if (ln + lb > GL_TWO_ADICITY)
        return sb_op_fail(op, "GPU LDE: %zu x %u = 2^%d LDE rows exceed 2^%d, the field's largest NTT", n, blowup,
                          ln + lb, GL_TWO_ADICITY);
    if (cols == 0 || cols > (size_t)INT32_MAX >> lb)
        return sb_op_fail(op, "GPU LDE: %zu columns x blowup %u is outside 1 .. 2^31-1, what a launch can index",
                          cols, blowup);
    if (cols > SIZE_MAX / sizeof(uint64_t) >> (ln + lb))
        return sb_op_fail(op, "GPU LDE: %zu x %zu elements overflow the address space", n * blowup, cols);
    *log_n = (unsigned)ln, *log_b = (unsigned)lb;
    return 0;
}

/* ---- main_trace, aux_trace ------------------------------------------------------------- */

static void gpu_release(sb_backend *be, sb_matrix *m);

/* The fib AIR's traces on the device (kernels/gpu_trace.h): the host runs the machine once and
 * keeps a snapshot every 2^SB_EXEC_LOG_K cycles; only those cross PCIe (1.1 MB at 2^23 steps), and
 * the device re-executes the segments into every table. Another AIR's traces run its generators. */
typedef struct trace_args {
    const sb_air *air;
    const sb_public *pub;
    unsigned blowup;
    sb_matrix *main;
} trace_args;

/* The fib AIR's statement within the machine's range, whose cpu table's LDE the threshold puts on
 * the device: the traces' placement (the cpu table is the tallest). */
static int traces_on_gpu(const sb_backend *be, const sb_op *op, const sb_air *air, const sb_public *pub,
                         unsigned blowup) {
    return air == sb_air_fib() && pub->log_steps >= RV64_MIN_LOG_STEPS && pub->log_steps <= RV64_MAX_LOG_STEPS &&
           placed_on_gpu(be, op, SB_OPK_TRACE, ((uint64_t)1 << pub->log_steps) * blowup);
}

/* Makes out[t] the empty device matrix over H of every table t of air: n_main columns, or with aux
 * 3 n_aux. On failure the caller releases them (release_tables). */
static cudaError_t device_tables(sb_backend *be, const sb_op *op, const sb_air *air, const sb_public *pub, int aux,
                                 sb_matrix *out, sb_gpu_site *site) {
    cudaError_t e = cudaSuccess;
    for (size_t t = 0; t < air->n_tables && e == cudaSuccess; t++)
        e = device_matrix(be, op, &out[t], (size_t)1 << air->tables[t].log_rows(pub),
                          aux ? 3 * air->tables[t].n_aux : air->tables[t].n_main, 1, 1, site);
    return e;
}

static void release_tables(sb_backend *be, const sb_air *air, sb_matrix *m) {
    for (size_t t = 0; t < air->n_tables; t++) gpu_release(be, &m[t]);
}

static cudaError_t main_trace_gpu(sb_backend *be, sb_op *op, void *args, sb_gpu_site *site) {
    const trace_args *a = args;
    const sb_public *pub = a->pub;
    const unsigned log_k = pub->log_steps < SB_EXEC_LOG_K ? pub->log_steps : SB_EXEC_LOG_K;
    cudaError_t e = cudaSuccess;
    rv64_program prog;
    sb_exec_record rec = {0};
    rv64_state *snapshots = NULL;
    uint32_t *bad = NULL, bad_host = 0;
    size_t snapshot_bytes = 0;
    if (rv64_fib_program(pub->iterations, &prog) != 0 || sb_exec_record_build(&prog, pub->log_steps, log_k, &rec) != 0) {
        sb_op_fail(op, "the machine could not generate its trace for 2^%u steps", pub->log_steps);
        return cudaSuccess;
    }
    CU(device_tables(be, op, a->air, pub, 0, a->main, site), "device_matrix");
    const cudaStream_t s = ((gpu_matrix *)a->main[FIB_TABLE_CPU].device)->stream;
    snapshot_bytes = ((size_t)1 << (pub->log_steps - log_k)) * sizeof *snapshots;
    CU(dev_alloc(be, &snapshots, snapshot_bytes, s), "cudaMallocAsync(snapshots)");
    CU(dev_alloc(be, &bad, sizeof *bad, s), "cudaMallocAsync(flag)");
    CU(cudaMemcpyAsync(snapshots, rec.snapshots, snapshot_bytes, cudaMemcpyHostToDevice, s), "cudaMemcpyAsync(H2D)");
    uint64_t *cpu = device_values(&a->main[FIB_TABLE_CPU]);
    CU(sb_gpu_trace_expand(&rec, snapshots, cpu, bad, tpb_of(be, SB_K_TRACE), impl_of(be)->max_blocks, s, site),
       "sb_gpu_trace_expand");
    CU(sb_gpu_trace_multiplicities(cpu, pub->log_steps, prog.len, device_values(&a->main[FIB_TABLE_PROGRAM]),
                                   device_values(&a->main[FIB_TABLE_RANGE]), tpb_of(be, SB_K_MULT),
                                   impl_of(be)->max_blocks, s, site),
       "sb_gpu_trace_multiplicities");
    CU(cudaMemcpyAsync(&bad_host, bad, sizeof bad_host, cudaMemcpyDeviceToHost, s), "cudaMemcpyAsync(D2H)");
    CU(cudaStreamSynchronize(s), "cudaStreamSynchronize (a trace kernel faulted)");
    if (bad_host) sb_op_fail(op, "the execution record leaves the program: a snapshot the machine cannot reach");
out:
    if (a->main[FIB_TABLE_CPU].device) {
        const cudaStream_t fs = ((gpu_matrix *)a->main[FIB_TABLE_CPU].device)->stream;
        dev_free(be, snapshots, snapshot_bytes, fs);
        dev_free(be, bad, sizeof *bad, fs);
    }
    sb_exec_record_free(&rec);
    if (e != cudaSuccess || op->err[0]) release_tables(be, a->air, a->main);
    return e;
}

static int main_trace_cpu(sb_backend *be, sb_op *op, void *args) {
    const trace_args *a = args;
    return sb_cpu_ops.main_trace(be, op, a->air, a->pub, a->blowup, a->main);
}

static int gpu_main_trace(sb_backend *be, sb_op *op, const sb_air *air, const sb_public *pub, unsigned blowup,
                          sb_matrix *main) {
    trace_args a = {air, pub, blowup, main};
    for (size_t t = 0; t < air->n_tables; t++) memset(&main[t], 0, sizeof main[t]);
    const gpu_op o = {"trace", traces_on_gpu(be, op, air, pub, blowup), main_trace_gpu, main_trace_cpu, &a};
    return run(be, op, &o);
}

typedef struct aux_args {
    trace_args t;
    const fp3_t *challenges;
    sb_matrix *aux;
    fp3_t *claimed;
} aux_args;

static cudaError_t aux_trace_gpu(sb_backend *be, sb_op *op, void *args, sb_gpu_site *site) {
    const aux_args *a = args;
    const sb_air *air = a->t.air;
    const sb_public *pub = a->t.pub;
    cudaError_t e = cudaSuccess;
    void *scratch = NULL;
    fp3_t *claimed = NULL, claimed_host[FIB_N_TABLES];
    uint32_t *bad = NULL, bad_host = 0;
    const size_t scratch_bytes = sb_gpu_logup_scratch_bytes(pub->log_steps, SB_LOGUP_CHUNK_ROWS);
    CU(device_tables(be, op, air, pub, 1, a->aux, site), "device_matrix");
    const cudaStream_t s = ((gpu_matrix *)a->aux[FIB_TABLE_CPU].device)->stream;
    CU(dev_alloc(be, &scratch, scratch_bytes, s), "cudaMallocAsync(scratch)");
    CU(dev_alloc(be, &claimed, sizeof claimed_host, s), "cudaMallocAsync(sums)");
    CU(dev_alloc(be, &bad, sizeof *bad, s), "cudaMallocAsync(flag)");
    const sb_matrix *m = a->t.main;
    fp3_t *aux_values[FIB_N_TABLES];
    for (int t = 0; t < FIB_N_TABLES; t++) aux_values[t] = (fp3_t *)device_values(&a->aux[t]);
    CU(sb_gpu_logup_aux(pub, a->challenges, device_values(&m[FIB_TABLE_CPU]), device_values(&m[FIB_TABLE_PROGRAM]),
                        device_values(&m[FIB_TABLE_RANGE]), aux_values[FIB_TABLE_CPU], aux_values[FIB_TABLE_PROGRAM],
                        aux_values[FIB_TABLE_RANGE], claimed, bad, scratch, SB_LOGUP_CHUNK_ROWS,
                        tpb_of(be, SB_K_LOGUP), impl_of(be)->max_blocks, s, site),
       "sb_gpu_logup_aux");
    CU(cudaMemcpyAsync(claimed_host, claimed, sizeof claimed_host, cudaMemcpyDeviceToHost, s), "cudaMemcpyAsync(D2H)");
    CU(cudaMemcpyAsync(&bad_host, bad, sizeof bad_host, cudaMemcpyDeviceToHost, s), "cudaMemcpyAsync(D2H)");
    CU(cudaStreamSynchronize(s), "cudaStreamSynchronize (a LogUp kernel faulted)");
    if (bad_host) sb_op_fail(op, SB_AUX_TRACE_ZERO);
    else memcpy(a->claimed, claimed_host, sizeof claimed_host);
out:
    if (a->aux[FIB_TABLE_CPU].device) {
        const cudaStream_t fs = ((gpu_matrix *)a->aux[FIB_TABLE_CPU].device)->stream;
        dev_free(be, scratch, scratch_bytes, fs);
        dev_free(be, claimed, sizeof claimed_host, fs);
        dev_free(be, bad, sizeof *bad, fs);
    }
    if (e != cudaSuccess || op->err[0]) release_tables(be, air, a->aux);
    return e;
}

static int aux_trace_cpu(sb_backend *be, sb_op *op, void *args) {
    const aux_args *a = args;
    return sb_cpu_ops.aux_trace(be, op, a->t.air, a->t.pub, a->t.blowup, a->t.main, a->challenges, a->aux,
                                a->claimed);
}

static int gpu_aux_trace(sb_backend *be, sb_op *op, const sb_air *air, const sb_public *pub, unsigned blowup,
                         sb_matrix *main, const fp3_t *challenges, sb_matrix *aux, fp3_t *claimed) {
    aux_args a = {{air, pub, blowup, main}, challenges, aux, claimed};
    for (size_t t = 0; t < air->n_tables; t++) memset(&aux[t], 0, sizeof aux[t]);
    /* Where main_trace ran on the device (placed there, no fallback), so does this: the same
     * placement, and the kernels read the main traces there. */
    int mains_on_device = 1;
    for (size_t t = 0; t < air->n_tables; t++) mains_on_device &= device_values(&main[t]) != NULL;
    const gpu_op o = {"trace", mains_on_device, aux_trace_gpu, aux_trace_cpu, &a};
    return run(be, op, &o);
}

/* ---- lde, lde_matrix ------------------------------------------------------------------- */

/* An LDE of n x cols values over H: from the host trace, or from the matrix in. */
typedef struct lde_args {
    const uint64_t *trace;
    sb_matrix *in;
    size_t n, cols;
    unsigned log_n, log_b;
    sb_matrix *out;
} lde_args;

static cudaError_t lde_gpu(sb_backend *be, sb_op *op, void *args, sb_gpu_site *site) {
    const lde_args *a = args;
    gpu_impl *g = impl_of(be);
    const size_t n = a->n, cols = a->cols, lde_n = n << a->log_b;
    sb_matrix *c = a->out;
    cudaError_t e = cudaSuccess;
    uint64_t *d_trace = NULL, *tables = NULL;
    cudaEvent_t ev[3] = {NULL, NULL, NULL};
    const uint64_t *tw, *itw;
    const gpu_matrix *src = a->in ? (const gpu_matrix *)a->in->device : NULL;
    const size_t trace_bytes = n * cols * sizeof(uint64_t);
    const size_t tables_bytes = sb_gpu_coset_table_len(a->log_n, a->log_b) * sizeof(uint64_t);
    CU(device_matrix(be, op, c, lde_n, cols, 1u << a->log_b, GL_GENERATOR, site), "device_matrix");
    gpu_matrix *d = (gpu_matrix *)c->device;
    for (int i = 0; i < 3; i++) CU(cudaEventCreate(&ev[i]), "cudaEventCreate");
    CU(twiddles(be, a->log_n, d->stream, &tw, &itw, site), "twiddles");
    CU(dev_alloc(be, &d_trace, trace_bytes, d->stream), "cudaMallocAsync(trace)");
    CU(dev_alloc(be, &tables, tables_bytes, d->stream), "cudaMallocAsync(coset tables)");
    CU(cudaEventRecord(ev[0], d->stream), "cudaEventRecord");
    if (src && src->values) /* already on the device (complete: every operation syncs its stream) */
        CU(cudaMemcpyAsync(d_trace, src->values, n * cols * sizeof(uint64_t), cudaMemcpyDeviceToDevice, d->stream),
           "cudaMemcpyAsync(D2D)");
    else
        CU(staged_copy(be, 1, d_trace, a->in ? a->in->host : a->trace, n * cols * sizeof(uint64_t), d->stream, site),
           "trace H2D");
    CU(cudaEventRecord(ev[1], d->stream), "cudaEventRecord");
    const sb_gpu_lde_args args_ = {
        .trace = d_trace, .lde = d->values, .coset_tables = tables, .tw = tw, .itw = itw,
        .log_n = a->log_n, .log_b = a->log_b, .cols = (unsigned)cols,
        .tpb_ntt = tpb_of(be, SB_K_NTT), .tpb_scale = tpb_of(be, SB_K_SCALE), .max_blocks = g->max_blocks};
    CU(sb_gpu_lde(&args_, d->stream, site), "sb_gpu_lde");
    CU(cudaEventRecord(ev[2], d->stream), "cudaEventRecord");
    CU(cudaStreamSynchronize(d->stream), "cudaStreamSynchronize (a kernel of the LDE faulted)");
    d->times.h2d_ms = elapsed_ms(ev[0], ev[1]);
    d->times.lde_ms = elapsed_ms(ev[1], ev[2]);
out:
    if (c->device) {
        gpu_matrix *dd = (gpu_matrix *)c->device;
        dev_free(be, d_trace, trace_bytes, dd->stream);
        dev_free(be, tables, tables_bytes, dd->stream);
    }
    for (int i = 0; i < 3; i++)
        if (ev[i]) cudaEventDestroy(ev[i]);
    if (e != cudaSuccess) drop_device(be, c);
    return e;
}

static int lde_cpu(sb_backend *be, sb_op *op, void *args) {
    const lde_args *a = args;
    return a->in ? sb_cpu_ops.lde_matrix(be, op, a->in, 1u << a->log_b, a->out)
                 : sb_cpu_ops.lde(be, op, a->trace, a->n, a->cols, 1u << a->log_b, a->out);
}

static int gpu_lde(sb_backend *be, sb_op *op, const uint64_t *trace, size_t n, size_t cols, unsigned blowup,
                   sb_matrix *out) {
    lde_args a = {trace, NULL, n, cols, 0, 0, out};
    memset(out, 0, sizeof *out);
    if (check_shape(op, n, cols, blowup, &a.log_n, &a.log_b)) return -1;
    const gpu_op o = {"lde", placed_on_gpu(be, op, SB_OPK_LDE, (uint64_t)n * blowup), lde_gpu, lde_cpu, &a};
    return run(be, op, &o);
}

static int gpu_lde_matrix(sb_backend *be, sb_op *op, sb_matrix *in, unsigned blowup, sb_matrix *out) {
    lde_args a = {NULL, in, in->rows, in->cols, 0, 0, out};
    memset(out, 0, sizeof *out);
    if (in->blowup != 1 || in->offset != 1) return sb_op_fail(op, "GPU LDE: the input is not values over H");
    if (check_shape(op, in->rows, in->cols, blowup, &a.log_n, &a.log_b)) return -1;
    const gpu_op o = {"lde", placed_on_gpu(be, op, SB_OPK_LDE, (uint64_t)in->rows * blowup), lde_gpu, lde_cpu, &a};
    return run(be, op, &o);
}

/* ---- from_host, to_host ---------------------------------------------------------------- */

typedef struct upload_args {
    const uint64_t *values;
    size_t rows, cols;
    unsigned blowup;
    uint64_t offset;
    sb_matrix *out;
} upload_args;

static cudaError_t upload_gpu(sb_backend *be, sb_op *op, void *args, sb_gpu_site *site) {
    const upload_args *a = args;
    sb_matrix *m = a->out;
    cudaError_t e = cudaSuccess;
    CU(device_matrix(be, op, m, a->rows, a->cols, a->blowup, a->offset, site), "device_matrix");
    gpu_matrix *d = (gpu_matrix *)m->device;
    CU(staged_copy(be, 1, d->values, a->values, a->rows * a->cols * sizeof(uint64_t), d->stream, site),
       "values H2D");
    CU(cudaStreamSynchronize(d->stream), "cudaStreamSynchronize");
out:
    if (e != cudaSuccess) drop_device(be, m);
    return e;
}

static int upload_cpu(sb_backend *be, sb_op *op, void *args) {
    const upload_args *a = args;
    return sb_cpu_ops.from_host(be, op, a->values, a->rows, a->cols, a->blowup, a->offset, a->out);
}

static int gpu_from_host(sb_backend *be, sb_op *op, const uint64_t *values, size_t rows, size_t cols,
                         unsigned blowup, uint64_t offset, sb_matrix *out) {
    upload_args a = {values, rows, cols, blowup, offset, out};
    memset(out, 0, sizeof *out);
    if (log2_exact(rows) < 0 || log2_exact(blowup) < 0 || blowup > rows || cols == 0 ||
        rows > SIZE_MAX / sizeof(uint64_t) / cols)
        return sb_op_fail(op, "bad matrix shape %zu x %zu, blowup %u", rows, cols, blowup);
    /* The kernels index at most 2^32 rows of 2^31 - 1 columns; a wider matrix stays on the host. */
    const int indexable = log2_exact(rows) <= GL_TWO_ADICITY && cols <= INT32_MAX;
    const gpu_op o = {"upload", indexable && placed_on_gpu(be, op, KERNEL_KINDS, rows), upload_gpu, upload_cpu, &a};
    return run(be, op, &o);
}

static const uint64_t *gpu_to_host(sb_backend *be, sb_op *op, sb_matrix *m) {
    const gpu_matrix *d = (const gpu_matrix *)m->device;
    if (m->host || !d) return sb_cpu_ops.to_host(be, op, m);
    sb_matrix copy;
    if (sb_matrix_host_alloc(be, op, &copy, m->rows, m->cols, m->blowup, m->offset) != 0) return NULL;
    sb_gpu_site site = {0};
    cudaError_t e = staged_copy(be, 0, copy.host, d->values, m->rows * m->cols * sizeof(uint64_t),
                                d->stream, &site);
    if (e != cudaSuccess) {
        sb_cpu_ops.release(be, &copy);
        sb_op_fail(op, "GPU matrix to host: %s in %s", cudaGetErrorString(e), site.kernel);
        return NULL;
    }
    return m->host = copy.host;
}

/* ---- commit ---------------------------------------------------------------------------- */

static cudaError_t commit_gpu(sb_backend *be, sb_op *op, void *args, sb_gpu_site *site) {
    (void)op; /* the matrix's stream is its table's already */
    sb_matrix *c = args;
    gpu_impl *g = impl_of(be);
    gpu_matrix *d = (gpu_matrix *)c->device;
    const size_t leaves = c->rows;
    cudaError_t e = cudaSuccess;
    cudaEvent_t ev[2] = {NULL, NULL};
    c->committed = 0;
    CU(cudaSetDevice(g->device), "cudaSetDevice");
    for (int i = 0; i < 2; i++) CU(cudaEventCreate(&ev[i]), "cudaEventCreate");
    if (d->nodes && d->tree_leaves != leaves) drop_tree(be, d); /* a tree of another layout */
    if (!d->nodes) {
        CU(dev_alloc(be, &d->nodes, tree_bytes(leaves), d->stream), "cudaMallocAsync(tree)");
        d->tree_leaves = leaves;
    }
    CU(cudaEventRecord(ev[0], d->stream), "cudaEventRecord");
    CU(sb_gpu_merkle(d->values, d->log_rows, (unsigned)c->cols, d->nodes, tpb_of(be, SB_K_KECCAK),
                     tpb_of(be, SB_K_MERKLE), g->sms, d->stream, site), "sb_gpu_merkle");
    CU(cudaEventRecord(ev[1], d->stream), "cudaEventRecord");
    CU(cudaMemcpyAsync(c->root.b, d->nodes, sizeof c->root.b, cudaMemcpyDeviceToHost, d->stream),
       "cudaMemcpyAsync(root D2H)");
    CU(cudaStreamSynchronize(d->stream), "cudaStreamSynchronize (a Merkle kernel faulted)");
    d->times.commit_ms = elapsed_ms(ev[0], ev[1]);
    c->leaves = SB_LEAVES_ROWS;
    c->committed = 1;
out:
    for (int i = 0; i < 2; i++)
        if (ev[i]) cudaEventDestroy(ev[i]);
    if (e != cudaSuccess) drop_tree(be, d);
    return e;
}

/* The CPU commits the host copy of the values; after a sticky fault that copy cannot be made
 * and the commit fails with to_host's reason (never silently). */
static int commit_cpu(sb_backend *be, sb_op *op, void *args) { return sb_cpu_ops.commit(be, op, args); }

static int gpu_commit(sb_backend *be, sb_op *op, sb_matrix *c) {
    const gpu_matrix *d = (const gpu_matrix *)c->device;
    const gpu_op o = {"commit", d && kind_on_gpu(be, op, SB_OPK_COMMIT), commit_gpu, commit_cpu, c};
    return run(be, op, &o);
}

/* ---- open_many ------------------------------------------------------------------------- */

typedef struct open_args {
    sb_matrix *m;
    const size_t *leaves;
    size_t n;
    uint64_t *rows;
    sb_digest *paths;
} open_args;

/* An LDE's leaves (merkle_open_many: row bitrev(leaf)) or a FRI layer's (fri_open_many: the pair). */
static cudaError_t open_gpu(sb_backend *be, sb_op *op, void *args, sb_gpu_site *site) {
    (void)op;
    const open_args *a = args;
    const sb_matrix *c = a->m;
    const gpu_matrix *d = (const gpu_matrix *)c->device;
    const size_t n = a->n;
    const unsigned depth = (unsigned)log2_exact(sb_matrix_leaves(c));
    /* One buffer each side: the leaves, then the leaves' values, then the paths. */
    const size_t row_words = n * sb_matrix_leaf_width(c), path_words = n * depth * 4;
    const size_t bytes = (n + row_words + path_words) * sizeof(uint64_t);
    cudaError_t e = cudaSuccess;
    uint64_t *dev = NULL, *host = malloc(bytes);
    if (!host) {
        site->kernel = "malloc(openings)";
        return cudaErrorMemoryAllocation;
    }
    for (size_t i = 0; i < n; i++) host[i] = a->leaves[i];
    CU(cudaSetDevice(impl_of(be)->device), "cudaSetDevice");
    CU(dev_alloc(be, &dev, bytes, d->stream), "cudaMallocAsync(openings)");
    CU(cudaMemcpyAsync(dev, host, n * sizeof *host, cudaMemcpyHostToDevice, d->stream), "cudaMemcpyAsync(leaves H2D)");
    if (c->leaves == SB_LEAVES_PAIRS)
        CU(sb_gpu_fri_open((const fp3_t *)d->values, d->nodes, depth, dev, n, (fp3_t *)(dev + n), dev + n + row_words,
                           tpb_of(be, SB_K_FRI), impl_of(be)->max_blocks, d->stream, site), "fri_open_many");
    else
        CU(sb_gpu_merkle_open(d->values, d->nodes, (unsigned)c->cols, depth, dev, n, dev + n, dev + n + row_words,
                              tpb_of(be, SB_K_MERKLE), impl_of(be)->max_blocks, d->stream, site), "merkle_open_many");
    CU(cudaMemcpyAsync(host + n, dev + n, (row_words + path_words) * sizeof *host, cudaMemcpyDeviceToHost,
                       d->stream), "cudaMemcpyAsync(openings D2H)");
    CU(cudaStreamSynchronize(d->stream), "cudaStreamSynchronize");
    memcpy(a->rows, host + n, row_words * sizeof *a->rows);
    memcpy(a->paths, host + n + row_words, path_words * sizeof *host);
out:
    dev_free(be, dev, bytes, d->stream);
    free(host);
    return e;
}

/* The CPU opens the host copy through a host tree (built from it first, in the matrix's layout,
 * where it was committed on the device: the same root; part of this operation, not another). */
static int open_cpu(sb_backend *be, sb_op *op, void *args) {
    const open_args *a = args;
    if (!a->m->tree.nodes && sb_matrix_host_tree(be, op, a->m, a->m->leaves) != 0) return -1;
    return sb_cpu_ops.open_many(be, op, a->m, a->leaves, a->n, a->rows, a->paths);
}

static int gpu_open_many(sb_backend *be, sb_op *op, sb_matrix *m, const size_t *leaves, size_t n, uint64_t *rows,
                         sb_digest *paths) {
    if (!m->committed) return sb_op_fail(op, "open: the matrix is not committed");
    for (size_t i = 0; i < n; i++)
        if (leaves[i] >= sb_matrix_leaves(m))
            return sb_op_fail(op, "open: leaf %zu out of range (%zu leaves)", leaves[i], sb_matrix_leaves(m));
    if (n == 0) return 0;
    const gpu_matrix *d = (const gpu_matrix *)m->device;
    open_args a = {m, leaves, n, rows, paths};
    const gpu_op o = {"open", d && d->nodes && kind_on_gpu(be, op, SB_OPK_OPEN), open_gpu, open_cpu, &a};
    return run(be, op, &o);
}

static void gpu_release(sb_backend *be, sb_matrix *m) {
    drop_device(be, m);
    sb_cpu_ops.release(be, m);
}

/* ---- Rounds 2-4 ------------------------------------------------------------------------ */

/* Each round operation runs on the device where its round is not kept on the CPU and its inputs
 * live there (they are complete: every operation synchronizes its stream before returning), in
 * shapes its kernels take; anything else runs its CPU path (sb_cpu_round_ops), which also gives
 * the reason a bad input fails. Outputs and scratch live on the stream of the call's table. */

/* Returns 1 when the n matrices share one LDE domain (rows, blowup, offset 7) and each lives on
 * the device with at most 2^31 - 1 columns, and the points lie outside Fp, as the OOD and DEEP
 * kernels need. */
static int ldes_on_device(sb_matrix *const *mats, size_t n, const fp3_t *points, size_t n_points) {
    for (size_t k = 0; k < n; k++)
        if (!device_values(mats[k]) || mats[k]->rows != mats[0]->rows || mats[k]->blowup != mats[0]->blowup ||
            mats[k]->offset != GL_GENERATOR || mats[k]->cols == 0 || mats[k]->cols > INT32_MAX)
            return 0;
    for (size_t p = 0; p < n_points; p++)
        if (fp3_is_base(points[p])) return 0;
    return n > 0;
}

/* Round 2: C on every LDE row, its split into the parts over H, all on the device. */
typedef struct comp_args {
    const sb_composition_in *in;
    sb_gpu_fib_comp_consts consts; /* sb_gpu_fib_comp_consts_init for the table and shape */
    int table;                     /* FIB_TABLE_* */
    unsigned log_n, log_b;
    sb_matrix *parts;
} comp_args;

static cudaError_t composition_gpu(sb_backend *be, sb_op *op, void *args, sb_gpu_site *site) {
    comp_args *a = args;
    gpu_impl *g = impl_of(be);
    const sb_composition_in *in = a->in;
    const size_t n = (size_t)1 << a->log_n, m = n << a->log_b, c_bytes = m * 3 * sizeof(uint64_t);
    cudaError_t e = cudaSuccess;
    sb_gpu_fib_comp_consts *consts = NULL;
    uint64_t *c = NULL;
    uint32_t *bad = NULL, bad_host = 0;
    const uint64_t *tw_m, *itw_m, *tw_n, *itw_n;
    CU(device_matrix(be, op, a->parts, n, 3 * SB_COMPOSITION_PARTS, 1, 1, site), "device_matrix");
    const cudaStream_t s = ((gpu_matrix *)a->parts->device)->stream;
    CU(twiddles(be, a->log_n + a->log_b, s, &tw_m, &itw_m, site), "twiddles");
    CU(twiddles(be, a->log_n, s, &tw_n, &itw_n, site), "twiddles");
    CU(dev_alloc(be, &consts, sizeof *consts, s), "cudaMallocAsync(composition constants)");
    CU(dev_alloc(be, &c, c_bytes, s), "cudaMallocAsync(composition values)");
    CU(dev_alloc(be, &bad, sizeof *bad, s), "cudaMallocAsync(degree flag)");
    CU(cudaMemcpyAsync(consts, &a->consts, sizeof *consts, cudaMemcpyHostToDevice, s),
       "cudaMemcpyAsync(composition constants H2D)");
    const sb_gpu_composition_args ca = {
        .table = a->table, .main = device_values(in->main), .fixed = in->fixed ? device_values(in->fixed) : NULL,
        .aux = device_values(in->aux), .consts = consts, .log_n = a->log_n, .log_b = a->log_b, .c = c,
        .tpb = tpb_of(be, SB_K_COMPOSE), .max_blocks = g->max_blocks};
    CU(sb_gpu_fib_composition(&ca, s, site), "fib_composition_rows");
    CU(sb_gpu_composition_split(c, a->log_n, a->log_b, itw_m, tw_n, device_values(a->parts), bad,
                                tpb_of(be, SB_K_NTT), tpb_of(be, SB_K_COMPOSE), g->max_blocks, s, site),
       "composition_split");
    CU(cudaMemcpyAsync(&bad_host, bad, sizeof bad_host, cudaMemcpyDeviceToHost, s), "cudaMemcpyAsync(degree flag D2H)");
    CU(cudaStreamSynchronize(s), "cudaStreamSynchronize (a Round-2 kernel faulted)");
    if (bad_host) sb_op_fail(op, "%s (table %s, %s)", SB_COMPOSITION_NOT_LOW, op->table, op->op);
out:
    if (a->parts->device) {
        const cudaStream_t fs = ((gpu_matrix *)a->parts->device)->stream;
        dev_free(be, consts, sizeof *consts, fs);
        dev_free(be, c, c_bytes, fs);
        dev_free(be, bad, sizeof *bad, fs);
    }
    if (e != cudaSuccess || bad_host) gpu_release(be, a->parts);
    return e;
}

static int composition_cpu(sb_backend *be, sb_op *op, void *args) {
    const comp_args *a = args;
    return sb_cpu_round_ops.composition(be, op, a->in, a->parts);
}

static int gpu_composition(sb_backend *be, sb_op *op, const sb_composition_in *in, sb_matrix *parts) {
    comp_args a = {.in = in, .table = sb_gpu_fib_table(in->air), .parts = parts};
    memset(parts, 0, sizeof *parts);
    const sb_matrix *mm = in->main;
    const sb_table_air *air = in->air;
    /* The kernels know the fib AIR's tables (another AIR's composition runs on the CPU path,
     * counted there, not a fallback) at blowup 2..8, over device LDEs of the AIR's widths. */
    int on_gpu = kind_on_gpu(be, op, SB_OPK_COMPOSITION) && a.table >= 0 && device_values(in->main) && device_values(in->aux) &&
                 mm->cols == air->n_main && in->aux->cols == 3 * air->n_aux && in->aux->rows == mm->rows &&
                 (!air->n_fixed || (in->fixed && device_values(in->fixed) && in->fixed->cols == air->n_fixed &&
                                    in->fixed->rows == mm->rows));
    if (on_gpu) {
        a.log_n = (unsigned)log2_exact(mm->n), a.log_b = (unsigned)log2_exact(mm->blowup);
        on_gpu = sb_gpu_fib_comp_consts_init(&a.consts, a.table, in->pub, a.log_n, a.log_b, in->beta, in->challenges,
                                             in->claimed_sum) == 0;
    }
    const gpu_op o = {"composition", on_gpu, composition_gpu, composition_cpu, &a};
    return run(be, op, &o);
}

/* Round 3: every column at every point by the barycentric kernels; only the values come back. */
typedef struct ood_args {
    sb_matrix *const *mats;
    size_t n_mats;
    const fp3_t *points;
    size_t n_points;
    fp3_t *const *outs;
} ood_args;

static cudaError_t ood_gpu(sb_backend *be, sb_op *op, void *args, sb_gpu_site *site) {
    const ood_args *a = args;
    gpu_impl *g = impl_of(be);
    const unsigned log_n = (unsigned)log2_exact(a->mats[0]->n), np = (unsigned)a->n_points;
    sb_gpu_ood_matrix dm[SB_DEEP_MAX_MATS];
    size_t out_len = 0, max_cols = 0;
    for (size_t k = 0; k < a->n_mats; k++) {
        out_len += a->n_points * a->mats[k]->cols;
        if (a->mats[k]->cols > max_cols) max_cols = a->mats[k]->cols;
    }
    const size_t scratch_len = sb_gpu_ood_scratch_len(log_n, np, (unsigned)max_cols, g->sms);
    const size_t bytes = (out_len + scratch_len) * sizeof(fp3_t);
    cudaError_t e = cudaSuccess;
    cudaStream_t s = NULL;
    fp3_t *dev = NULL, *host = malloc(out_len * sizeof *host);
    if (!host) {
        site->kernel = "malloc(OOD values)";
        return cudaErrorMemoryAllocation;
    }
    CU(op_stream(be, op, &s, site), "cudaStreamCreate");
    CU(dev_alloc(be, &dev, bytes, s), "cudaMallocAsync(OOD values and scratch)");
    for (size_t k = 0, at = 0; k < a->n_mats; at += a->n_points * a->mats[k]->cols, k++) {
        const sb_matrix *mk = a->mats[k];
        dm[k] = (sb_gpu_ood_matrix){device_values(mk), (uint64_t)mk->blowup * mk->cols, (unsigned)mk->cols, dev + at};
    }
    CU(sb_gpu_ood(dm, (unsigned)a->n_mats, log_n, a->points, np, dev + out_len, tpb_of(be, SB_K_OOD), g->sms, s, site),
       "ood_dot");
    CU(cudaMemcpyAsync(host, dev, out_len * sizeof *host, cudaMemcpyDeviceToHost, s), "cudaMemcpyAsync(OOD D2H)");
    CU(cudaStreamSynchronize(s), "cudaStreamSynchronize (a Round-3 kernel faulted)");
    for (size_t k = 0, at = 0; k < a->n_mats; at += a->n_points * a->mats[k]->cols, k++)
        memcpy(a->outs[k], host + at, a->n_points * a->mats[k]->cols * sizeof *host);
out:
    if (s) dev_free(be, dev, bytes, s);
    free(host);
    return e;
}

static int ood_cpu(sb_backend *be, sb_op *op, void *args) {
    const ood_args *a = args;
    return sb_cpu_round_ops.ood(be, op, a->mats, a->n_mats, a->points, a->n_points, a->outs);
}

static int gpu_ood(sb_backend *be, sb_op *op, sb_matrix *const *mats, size_t n_mats, const fp3_t *points,
                   size_t n_points, fp3_t *const *outs) {
    const ood_args a = {mats, n_mats, points, n_points, outs};
    int on_gpu = kind_on_gpu(be, op, SB_OPK_OOD) && n_mats <= SB_DEEP_MAX_MATS && n_points >= 1 &&
                 n_points <= SB_GPU_OOD_MAX_POINTS && ldes_on_device(mats, n_mats, points, n_points);
    for (size_t k = 0; on_gpu && k < n_mats; k++) on_gpu = (mats[k]->cols + 31) / 32 <= 65535; /* the grid's y */
    const gpu_op o = {"ood", on_gpu, ood_gpu, ood_cpu, (void *)&a};
    return run(be, op, &o);
}

/* Round 4: the DEEP quotient on every LDE row into FRI layer 0, which stays on the device. */
typedef struct deep_args {
    const sb_deep_in *in;
    sb_matrix *layer0;
} deep_args;

static cudaError_t deep_gpu(sb_backend *be, sb_op *op, void *args, sb_gpu_site *site) {
    const deep_args *a = args;
    const sb_deep_in *in = a->in;
    const sb_matrix *m0 = in->mats[0];
    size_t n_coeffs = 0;
    for (size_t k = 0; k < in->n_mats; k++) n_coeffs += in->mats[k]->cols;
    const size_t coeff_bytes = n_coeffs * sizeof(fp3_t);
    cudaError_t e = cudaSuccess;
    fp3_t *coeffs = NULL, *host = malloc(coeff_bytes);
    if (!host) {
        site->kernel = "malloc(DEEP coefficients)";
        return cudaErrorMemoryAllocation;
    }
    CU(device_matrix(be, op, a->layer0, m0->rows, 3, m0->blowup, GL_GENERATOR, site), "device_matrix");
    const cudaStream_t s = ((gpu_matrix *)a->layer0->device)->stream;
    CU(dev_alloc(be, &coeffs, coeff_bytes, s), "cudaMallocAsync(DEEP coefficients)");
    sb_gpu_deep_args da = {.n_mats = (unsigned)in->n_mats, .n_shifted = (unsigned)in->n_shifted, .z = in->z,
                           .zw = in->zw, .sum_z = in->sum_z, .sum_zw = in->sum_zw,
                           .log_m = (unsigned)log2_exact(m0->rows), .out = (fp3_t *)device_values(a->layer0),
                           .tpb = tpb_of(be, SB_K_DEEP), .max_blocks = impl_of(be)->max_blocks};
    for (size_t k = 0, at = 0; k < in->n_mats; at += in->mats[k]->cols, k++) {
        memcpy(host + at, in->coeffs[k], in->mats[k]->cols * sizeof *host);
        da.rows[k] = device_values(in->mats[k]), da.cols[k] = (unsigned)in->mats[k]->cols, da.coeffs[k] = coeffs + at;
    }
    CU(cudaMemcpyAsync(coeffs, host, coeff_bytes, cudaMemcpyHostToDevice, s), "cudaMemcpyAsync(DEEP coefficients H2D)");
    CU(sb_gpu_deep(&da, s, site), "deep_rows");
    CU(cudaStreamSynchronize(s), "cudaStreamSynchronize (a DEEP kernel faulted)");
out:
    if (a->layer0->device) dev_free(be, coeffs, coeff_bytes, ((gpu_matrix *)a->layer0->device)->stream);
    if (e != cudaSuccess) gpu_release(be, a->layer0);
    free(host);
    return e;
}

static int deep_cpu(sb_backend *be, sb_op *op, void *args) {
    const deep_args *a = args;
    return sb_cpu_round_ops.deep(be, op, a->in, a->layer0);
}

static int gpu_deep(sb_backend *be, sb_op *op, const sb_deep_in *in, sb_matrix *layer0) {
    const deep_args a = {in, layer0};
    const fp3_t points[2] = {in->z, in->zw};
    memset(layer0, 0, sizeof *layer0);
    const int on_gpu = kind_on_gpu(be, op, SB_OPK_DEEP) && in->n_mats <= SB_DEEP_MAX_MATS && in->n_shifted <= in->n_mats &&
                       ldes_on_device(in->mats, in->n_mats, points, 2);
    const gpu_op o = {"deep", on_gpu, deep_gpu, deep_cpu, (void *)&a};
    return run(be, op, &o);
}

/* Round 4, one FRI step: the fold, and for a committed layer its leaves and tree, on the device;
 * only the root comes back (and, through to_host, the last layer). */
typedef struct fri_args {
    sb_matrix *layer;
    fp3_t alpha;
    int commit;
    sb_matrix *next;
} fri_args;

static cudaError_t fri_gpu(sb_backend *be, sb_op *op, void *args, sb_gpu_site *site) {
    const fri_args *a = args;
    gpu_impl *g = impl_of(be);
    const sb_matrix *l = a->layer;
    const size_t half = l->rows / 2, leaves = half / 2;
    cudaError_t e = cudaSuccess;
    CU(device_matrix(be, op, a->next, half, 3, l->blowup, gl_mul(l->offset, l->offset), site), "device_matrix");
    gpu_matrix *d = (gpu_matrix *)a->next->device;
    if (a->commit) {
        CU(dev_alloc(be, &d->nodes, tree_bytes(leaves), d->stream), "cudaMallocAsync(FRI layer tree)");
        d->tree_leaves = leaves;
    }
    CU(sb_gpu_fri_fold((const fp3_t *)device_values(l), (unsigned)log2_exact(l->rows), l->offset, a->alpha,
                       (fp3_t *)d->values, d->nodes, tpb_of(be, SB_K_FRI), tpb_of(be, SB_K_MERKLE), g->sms,
                       g->max_blocks, d->stream, site),
       "fri_fold");
    if (a->commit)
        CU(cudaMemcpyAsync(a->next->root.b, d->nodes, sizeof a->next->root.b, cudaMemcpyDeviceToHost, d->stream),
           "cudaMemcpyAsync(FRI root D2H)");
    CU(cudaStreamSynchronize(d->stream), "cudaStreamSynchronize (a FRI kernel faulted)");
    if (a->commit) a->next->leaves = SB_LEAVES_PAIRS, a->next->committed = 1;
out:
    if (e != cudaSuccess) gpu_release(be, a->next);
    return e;
}

static int fri_cpu(sb_backend *be, sb_op *op, void *args) {
    const fri_args *a = args;
    return sb_cpu_round_ops.fri_fold(be, op, a->layer, a->alpha, a->commit, a->next);
}

static int gpu_fri_fold(sb_backend *be, sb_op *op, sb_matrix *layer, fp3_t alpha, int commit, sb_matrix *next) {
    fri_args a = {layer, alpha, commit, next};
    memset(next, 0, sizeof *next);
    const int log_m = log2_exact(layer->rows);
    const int on_gpu = kind_on_gpu(be, op, SB_OPK_FRI) && device_values(layer) && layer->cols == 3 && log_m >= (commit ? 2 : 1) &&
                       log_m <= GL_TWO_ADICITY && layer->blowup <= layer->rows / 2 && layer->offset % GL_P != 0;
    const gpu_op o = {"fri", on_gpu, fri_gpu, fri_cpu, &a};
    return run(be, op, &o);
}

/* The proof of work: the smallest nonce, searched in increasing batches on the device. */
typedef struct grind_args {
    const uint8_t *seed;
    uint64_t *nonce;
} grind_args;

static cudaError_t grind_gpu(sb_backend *be, sb_op *op, void *args, sb_gpu_site *site) {
    const grind_args *a = args;
    cudaError_t e = cudaSuccess;
    cudaStream_t s = NULL;
    uint64_t *found = NULL;
    CU(op_stream(be, op, &s, site), "cudaStreamCreate");
    CU(dev_alloc(be, &found, sizeof *found, s), "cudaMallocAsync(nonce)");
    CU(sb_gpu_pow_search(a->seed, UINT64_MAX, found, tpb_of(be, SB_K_POW), impl_of(be)->sms, s, a->nonce, site),
       "pow_batch");
    if (*a->nonce == UINT64_MAX) sb_op_fail(op, "proof of work: no nonce below 2^64 (table %s, %s)", op->table, op->op);
out:
    if (s) {
        dev_free(be, found, sizeof *found, s);
        cudaStreamSynchronize(s);
    }
    return e;
}

static int grind_cpu(sb_backend *be, sb_op *op, void *args) {
    const grind_args *a = args;
    return sb_cpu_round_ops.grind(be, op, a->seed, a->nonce);
}

/* Grinding belongs to no table: on the device wherever some table may be (threshold not inf). */
static int gpu_grind(sb_backend *be, sb_op *op, const uint8_t seed[32], uint64_t *nonce) {
    const grind_args a = {seed, nonce};
    const gpu_op o = {"grind", be->cfg.gpu_threshold != SB_THRESHOLD_NEVER && kind_on_gpu(be, op, SB_OPK_GRIND), grind_gpu,
                      grind_cpu, (void *)&a};
    return run(be, op, &o);
}

static const sb_round_ops gpu_round_ops = {
    .composition = gpu_composition,
    .ood = gpu_ood,
    .deep = gpu_deep,
    .fri_fold = gpu_fri_fold,
    .grind = gpu_grind,
};

/* Waits for table's stream only: with --tp another table's work goes on meanwhile. */
static void gpu_sync(sb_backend *be, const char *table) {
    gpu_impl *g = impl_of(be);
    cudaSetDevice(g->device);
    if (!table || !table[0]) {
        cudaDeviceSynchronize();
        return;
    }
    cudaStream_t s = NULL;
    pthread_mutex_lock(&g->stream_lock);
    for (size_t k = 0; k < g->n_streams && !s; k++)
        if (strncmp(g->streams[k].table, table, sizeof g->streams[k].table - 1) == 0) s = g->streams[k].stream;
    pthread_mutex_unlock(&g->stream_lock);
    if (s) cudaStreamSynchronize(s);
}

static void gpu_destroy(sb_backend *be) {
    gpu_impl *g = impl_of(be);
    cudaSetDevice(g->device);
    cudaDeviceSynchronize();
    for (size_t k = 0; k < g->n_streams; k++) cudaStreamDestroy(g->streams[k].stream);
    for (int i = 0; i <= GL_TWO_ADICITY; i++) {
        cudaFree(g->tw[i]);
        cudaFree(g->itw[i]);
    }
    cudaMemPool_t pool;
    if (cudaDeviceGetDefaultMemPool(&pool, g->device) == cudaSuccess) cudaMemPoolTrimTo(pool, 0);
    for (int i = 0; i < 2; i++)
        if (g->stage[i]) {
            cudaFreeHost(g->stage[i]);
            cudaEventDestroy(g->stage_free[i]);
        }
    pthread_mutex_destroy(&g->tw_lock);
    pthread_mutex_destroy(&g->stage_lock);
    pthread_mutex_destroy(&g->stream_lock);
    free(g);
}

static const sb_backend_ops gpu_ops = {
    .name = "gpu",
    .mem_spaces = 1u << SB_MEM_HOST | 1u << SB_MEM_DEVICE,
    .main_trace = gpu_main_trace,
    .aux_trace = gpu_aux_trace,
    .lde = gpu_lde,
    .lde_matrix = gpu_lde_matrix,
    .from_host = gpu_from_host,
    .commit = gpu_commit,
    .to_host = gpu_to_host,
    .open_many = gpu_open_many,
    .release = gpu_release,
    .sync = gpu_sync,
    .destroy = gpu_destroy,
    .rounds = &gpu_round_ops,
};

int sb_gpu_available(char *name, size_t len) {
    int count = 0;
    struct cudaDeviceProp prop;
    if (cudaGetDeviceCount(&count) != cudaSuccess || count < 1 || cudaGetDeviceProperties(&prop, 0) != cudaSuccess) {
        cudaGetLastError();
        if (len) name[0] = 0;
        return 0;
    }
    if (len) snprintf(name, len, "%s", prop.name);
    return 1;
}

sb_backend *sb_gpu_backend_create(const sb_backend_config *cfg, char *err, size_t errlen) {
    int count = 0, sms = 0;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess || count < 1) {
        snprintf(err, errlen, "no CUDA device (%s)", e != cudaSuccess ? cudaGetErrorString(e) : "none found");
        cudaGetLastError();
        return NULL;
    }
    if (cfg->device < 0 || cfg->device >= count) {
        snprintf(err, errlen, "CUDA device %d does not exist (%d present)", cfg->device, count);
        return NULL;
    }
    for (int k = 0; k < SB_K_COUNT; k++)
        if (cfg->tpb[k] % 32 || cfg->tpb[k] > 1024) {
            snprintf(err, errlen, "--tpb %s=%u: not a multiple of 32 up to 1024", sb_kernel_names[k], cfg->tpb[k]);
            return NULL;
        }
    /* The default placement, unless the caller chose one; STARKBENCH_CPU_ROUNDS replaces the default
     * and adds to a caller's choice (gpu_backend.h). */
    const int by_default = cfg->cpu_rounds == SB_CPU_ROUNDS_DEFAULT;
    unsigned cpu_rounds = cfg->cpu_rounds, env_rounds = 0;
    const char *rounds_env = getenv("STARKBENCH_CPU_ROUNDS");
    if (rounds_env && sb_rounds_parse(rounds_env, &env_rounds) != 0) {
        snprintf(err, errlen, "STARKBENCH_CPU_ROUNDS='%s' is not 'none' or a comma-separated list of R1, R2, R3, R4",
                 rounds_env);
        return NULL;
    }
    if (rounds_env) cpu_rounds = by_default ? env_rounds : cpu_rounds | env_rounds;
    cudaMemPool_t pool;
    uint64_t keep = UINT64_MAX; /* keep freed pool memory for the next operation instead of unmapping it */
    if ((e = cudaSetDevice(cfg->device)) != cudaSuccess ||
        (e = cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, cfg->device)) != cudaSuccess ||
        (e = cudaDeviceGetDefaultMemPool(&pool, cfg->device)) != cudaSuccess ||
        (e = cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep)) != cudaSuccess ||
        (e = sb_gpu_ntt_load()) != cudaSuccess || (e = sb_gpu_keccak_load()) != cudaSuccess ||
        (e = sb_gpu_rounds_load()) != cudaSuccess || (e = sb_gpu_trace_load()) != cudaSuccess ||
        (e = sb_gpu_logup_load()) != cudaSuccess) {
        snprintf(err, errlen, "CUDA device %d unusable: %s", cfg->device, cudaGetErrorString(e));
        cudaGetLastError();
        return NULL;
    }
    sb_backend *be = calloc(1, sizeof *be);
    gpu_impl *g = calloc(1, sizeof *g);
    if (!be || !g) {
        free(be);
        free(g);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    g->device = cfg->device;
    g->sms = (unsigned)sms;
    g->max_blocks = g->sms * 16;
    pthread_mutex_init(&g->tw_lock, NULL);
    pthread_mutex_init(&g->stage_lock, NULL);
    pthread_mutex_init(&g->stream_lock, NULL);
    sb_backend_init_common(be, &gpu_ops, cfg);
    be->cfg.cpu_rounds = cpu_rounds;
    g->placed = sb_gpu_placed_ops(cpu_rounds);
    be->impl = g;
    return be;
}

int sb_gpu_memory(const sb_backend *be, uint64_t *free_bytes, uint64_t *total_bytes) {
    size_t f = 0, t = 0;
    if (strcmp(be->ops->name, "gpu") != 0 || cudaSetDevice(((const gpu_impl *)be->impl)->device) != cudaSuccess ||
        cudaMemGetInfo(&f, &t) != cudaSuccess) {
        cudaGetLastError();
        return -1;
    }
    *free_bytes = f, *total_bytes = t;
    return 0;
}

int sb_gpu_matrix_times(const sb_matrix *m, sb_gpu_times *t) {
    const gpu_matrix *d = (const gpu_matrix *)m->device;
    if (!d) return -1;
    *t = d->times;
    return 0;
}

_Static_assert(SB_GPU_PIPE_PROBES == SB_PIPE_PROBES, "gpu_backend.h and gpu.h count the same pipe probes");

int sb_gpu_pipes(const char *names[SB_GPU_PIPE_PROBES], double seconds[SB_GPU_PIPE_PROBES],
                 unsigned long long *mismatches, char *err, size_t errlen) {
    sb_gpu_site site = {0};
    const cudaError_t e = sb_gpu_measure_pipes(seconds, mismatches, &site);
    if (e != cudaSuccess) {
        snprintf(err, errlen, "%s in %s %s", cudaGetErrorString(e), site.kernel ? site.kernel : "?", site.launch);
        return -1;
    }
    for (int i = 0; i < SB_GPU_PIPE_PROBES; i++) names[i] = sb_gpu_pipe_names[i];
    return 0;
}

int sb_gpu_kernel_info(int k, const char **kernel, int *regs, int *max_tpb, char *err, size_t errlen) {
    static const char *const names[SB_K_COUNT] = {
        [SB_K_NTT] = "ntt_dit_levels_row_major, ntt_dif_levels_row_major, twiddle_powers",
        [SB_K_SCALE] = "ntt_lde_low_levels_row_major (last inverse pass, coset scaling, first forward pass), "
                       "coset_power_tables",
        [SB_K_KECCAK] = "keccak256_leaves_row_major",
        [SB_K_MERKLE] = "keccak256_merkle_levels",
        [SB_K_COMPOSE] = "fib_composition_rows<cpu, program, range>, composition_split",
        [SB_K_OOD] = "ood_weights, ood_dot, ood_reduce",
        [SB_K_DEEP] = "deep_rows",
        [SB_K_FRI] = "fri_fold, fri_fold_leaves, fri_open_many",
        [SB_K_POW] = "pow_batch",
        [SB_K_TRACE] = "trace_expand",
        [SB_K_MULT] = "trace_tables_init, trace_multiplicities",
        [SB_K_LOGUP] = "logup_terms, logup_scan, logup_sums",
    };
    const void *fn = k == SB_K_NTT ? sb_gpu_ntt_kernel(0) : k == SB_K_SCALE ? sb_gpu_ntt_kernel(1)
                   : k == SB_K_KECCAK ? sb_gpu_keccak_kernel(0) : k == SB_K_MERKLE ? sb_gpu_keccak_kernel(1)
                   : k == SB_K_TRACE || k == SB_K_MULT ? sb_gpu_trace_kernel(k)
                   : k == SB_K_LOGUP ? sb_gpu_logup_kernel(k) : sb_gpu_rounds_kernel(k);
    char name[256];
    if (!sb_gpu_available(name, sizeof name)) {
        snprintf(err, errlen, "no usable CUDA device");
        return -1;
    }
    *kernel = names[k];
    if (!fn) return 1;
    struct cudaFuncAttributes a;
    const cudaError_t e = cudaFuncGetAttributes(&a, fn);
    if (e != cudaSuccess) {
        snprintf(err, errlen, "cudaFuncGetAttributes: %s", cudaGetErrorString(e));
        return -1;
    }
    *regs = a.numRegs;
    *max_tpb = a.maxThreadsPerBlock;
    return 0;
}

int sb_gpu_noise_probe(double *ms, int n, char *err, size_t errlen) {
    sb_gpu_site site = {0};
    char name[256];
    if (!sb_gpu_available(name, sizeof name)) {
        snprintf(err, errlen, "no usable CUDA device");
        return -1;
    }
    const cudaError_t e = sb_gpu_time_noise_probe(ms, n, &site);
    if (e != cudaSuccess) {
        snprintf(err, errlen, "%s in %s %s", cudaGetErrorString(e), site.kernel ? site.kernel : "?", site.launch);
        return -1;
    }
    return 0;
}

int sb_gpu_floors(double *copy_bytes_per_s, double *butterflies_per_s, double *keccak_f_per_s, char *err,
                  size_t errlen) {
    sb_gpu_floor_rates f;
    sb_gpu_site site = {0};
    const cudaError_t e = sb_gpu_measure_floors(&f, &site);
    if (e != cudaSuccess) {
        snprintf(err, errlen, "%s in %s %s", cudaGetErrorString(e), site.kernel ? site.kernel : "?", site.launch);
        return -1;
    }
    *copy_bytes_per_s = f.copy_bytes_per_s;
    *butterflies_per_s = f.butterflies_per_s;
    *keccak_f_per_s = f.keccak_f_per_s;
    return 0;
}
