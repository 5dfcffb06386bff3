/* The GPU backend (DESIGN.md "GPU backend"): Round 1's LDE and Merkle commit on the device,
 * row-major end to end; the LDE and its tree stay in the commitment's device handle, and only
 * roots, opened rows and paths come back (the whole LDE only when a CPU round asks for it).
 *
 * Every operation runs on its commitment's own stream and synchronizes it before returning, so
 * a fault is seen by the operation that caused it. Any CUDA error in lde/commit redoes that
 * operation on the CPU path (sb_cpu_ops) and records it; nothing falls back silently except
 * under the documented injection switch (gpu_backend.h). */
#include "gpu_backend.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field.h"
#include "gpu.h"
#include "gpu_rounds.h"
#include "ntt.h"
#include "rounds.h"

/* Host <-> device copies go through two pinned staging buffers of this size: the host copies
 * one (OpenMP) while the DMA engine drains the other. A pageable cudaMemcpy moved only
 * ~8.5 GB/s on an H100 host (4.3 GB trace: 504 ms). */
#define STAGE_BYTES ((size_t)32 << 20)

typedef struct gpu_impl {
    int device;
    unsigned sms;        /* the device's SM count */
    unsigned max_blocks; /* grid cap of the grid-stride kernels */
    pthread_mutex_t tw_lock;
    uint64_t *tw[GL_TWO_ADICITY + 1], *itw[GL_TWO_ADICITY + 1]; /* twiddles per log2 size, built once */
    pthread_mutex_t stage_lock; /* one staged copy at a time (the link is shared anyway) */
    void *stage[2];
    cudaEvent_t stage_free[2]; /* recorded after the DMA that last used stage[i] */
} gpu_impl;

/* The device side of a commitment (sb_commitment.device). */
typedef struct gpu_commitment {
    cudaStream_t stream;
    uint64_t *lde;   /* lde_n x cols, row-major */
    uint64_t *nodes; /* 2L-1 digests (4 lanes each), heap layout; NULL until a GPU commit */
    unsigned log_rows;
    sb_gpu_times times;
} gpu_commitment;

static gpu_impl *impl_of(sb_backend *be) { return (gpu_impl *)be->impl; }

static unsigned tpb_of(const sb_backend *be, sb_kernel_id k) {
    return be->cfg.tpb[k] ? be->cfg.tpb[k] : sb_kernel_default_tpb[k];
}

static int set_error(sb_backend *be, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&be->lock);
    vsnprintf(be->last_error, sizeof be->last_error, fmt, ap);
    pthread_mutex_unlock(&be->lock);
    va_end(ap);
    return -1;
}

/* STARKBENCH_INJECT_SILENT_FALLBACK, read at call time. */
static int inject_silent(const char *op) {
    const char *v = getenv("STARKBENCH_INJECT_SILENT_FALLBACK");
    return v && (strcmp(v, "all") == 0 || strcmp(v, op) == 0);
}

static void record(sb_backend *be, const sb_op *op, const sb_gpu_site *site, cudaError_t e) {
    char error[160];
    snprintf(error, sizeof error, "%s: %s", cudaGetErrorName(e), cudaGetErrorString(e));
    sb_backend_record_fallback(be, op, site->kernel, site->launch, error);
    cudaGetLastError(); /* clear a non-sticky error so later operations can use the device */
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
static cudaError_t staged_copy(gpu_impl *g, int to_device, void *dst, const void *src, size_t bytes, cudaStream_t s,
                               sb_gpu_site *site) {
    cudaError_t e = cudaSuccess;
    const size_t chunks = (bytes + STAGE_BYTES - 1) / STAGE_BYTES;
    pthread_mutex_lock(&g->stage_lock);
    for (int i = 0; i < 2 && !g->stage[i]; i++) {
        CU(cudaHostAlloc(&g->stage[i], STAGE_BYTES, cudaHostAllocDefault), "cudaHostAlloc(staging)");
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

/* Frees the device side of c (after its stream's work is done). */
static void drop_device(sb_commitment *c) {
    gpu_commitment *d = (gpu_commitment *)c->device;
    if (!d) return;
    cudaStreamSynchronize(d->stream);
    cudaFree(d->lde);
    cudaFree(d->nodes);
    cudaStreamDestroy(d->stream);
    free(d);
    c->device = NULL;
}

static float elapsed_ms(cudaEvent_t a, cudaEvent_t b) {
    float ms = 0;
    cudaEventElapsedTime(&ms, a, b);
    return ms;
}

/* Rejects shapes the kernels cannot index; fills the log sizes. */
static int check_shape(sb_backend *be, size_t n, size_t cols, unsigned blowup, unsigned *log_n, unsigned *log_b) {
    const int ln = log2_exact(n), lb = log2_exact(blowup);
    if (ln < 0 || lb < 0) return set_error(be, "GPU LDE: rows (%zu) and blowup (%u) must be powers of two", n, blowup);
    if (ln + lb > GL_TWO_ADICITY)
        return set_error(be, "GPU LDE: %zu x %u = 2^%d LDE rows exceed 2^%d, the field's largest NTT", n, blowup,
                         ln + lb, GL_TWO_ADICITY);
    if (cols == 0 || cols > (size_t)INT32_MAX >> lb)
        return set_error(be, "GPU LDE: %zu columns x blowup %u is outside 1 .. 2^31-1, what a launch can index",
                         cols, blowup);
    if (cols > SIZE_MAX / sizeof(uint64_t) >> (ln + lb))
        return set_error(be, "GPU LDE: %zu x %zu elements overflow the address space", n * blowup, cols);
    *log_n = (unsigned)ln, *log_b = (unsigned)lb;
    return 0;
}

static cudaError_t lde_on_device(sb_backend *be, const uint64_t *trace, unsigned log_n, unsigned log_b, size_t cols,
                                 sb_commitment *c, sb_gpu_site *site) {
    gpu_impl *g = impl_of(be);
    const size_t n = (size_t)1 << log_n, lde_n = n << log_b;
    cudaError_t e = cudaSuccess;
    uint64_t *d_trace = NULL, *tables = NULL;
    cudaEvent_t ev[3] = {NULL, NULL, NULL};
    gpu_commitment *d = calloc(1, sizeof *d);
    if (!d) {
        site->kernel = "calloc(device handle)";
        return cudaErrorMemoryAllocation;
    }
    c->device = d;
    d->log_rows = log_n + log_b;
    const uint64_t *tw, *itw;
    CU(cudaSetDevice(g->device), "cudaSetDevice");
    CU(cudaStreamCreateWithFlags(&d->stream, cudaStreamNonBlocking), "cudaStreamCreate");
    for (int i = 0; i < 3; i++) CU(cudaEventCreate(&ev[i]), "cudaEventCreate");
    CU(twiddles(be, log_n, d->stream, &tw, &itw, site), "twiddles");
    CU(cudaMallocAsync((void **)&d_trace, n * cols * sizeof(uint64_t), d->stream), "cudaMallocAsync(trace)");
    CU(cudaMallocAsync((void **)&d->lde, lde_n * cols * sizeof(uint64_t), d->stream), "cudaMallocAsync(lde)");
    CU(cudaMallocAsync((void **)&tables, sb_gpu_coset_table_len(log_n, log_b) * sizeof(uint64_t), d->stream),
       "cudaMallocAsync(coset tables)");
    CU(cudaEventRecord(ev[0], d->stream), "cudaEventRecord");
    CU(staged_copy(g, 1, d_trace, trace, n * cols * sizeof(uint64_t), d->stream, site), "trace H2D");
    CU(cudaEventRecord(ev[1], d->stream), "cudaEventRecord");
    const sb_gpu_lde_args args = {
        .trace = d_trace, .lde = d->lde, .coset_tables = tables, .tw = tw, .itw = itw,
        .log_n = log_n, .log_b = log_b, .cols = (unsigned)cols,
        .tpb_ntt = tpb_of(be, SB_K_NTT), .tpb_scale = tpb_of(be, SB_K_SCALE), .max_blocks = g->max_blocks};
    CU(sb_gpu_lde(&args, d->stream, site), "sb_gpu_lde");
    CU(cudaEventRecord(ev[2], d->stream), "cudaEventRecord");
    CU(cudaStreamSynchronize(d->stream), "cudaStreamSynchronize (a kernel of the LDE faulted)");
    d->times.h2d_ms = elapsed_ms(ev[0], ev[1]);
    d->times.lde_ms = elapsed_ms(ev[1], ev[2]);
out:
    if (d_trace) cudaFreeAsync(d_trace, d->stream);
    if (tables) cudaFreeAsync(tables, d->stream);
    for (int i = 0; i < 3; i++)
        if (ev[i]) cudaEventDestroy(ev[i]);
    if (e != cudaSuccess) drop_device(c);
    return e;
}

static int gpu_lde(sb_backend *be, const sb_op *op, const uint64_t *trace, size_t n, size_t cols, unsigned blowup,
                   sb_commitment *c) {
    unsigned log_n = 0, log_b = 0;
    if (check_shape(be, n, cols, blowup, &log_n, &log_b)) return -1;
    if ((uint64_t)n * blowup < be->cfg.gpu_threshold || inject_silent("lde"))
        return sb_cpu_ops.lde(be, op, trace, n, cols, blowup, c);
    memset(c, 0, sizeof *c);
    c->n = n, c->cols = cols, c->blowup = blowup, c->lde_n = n * blowup;
    sb_gpu_site site = {0};
    const cudaError_t e = lde_on_device(be, trace, log_n, log_b, cols, c, &site);
    if (e == cudaSuccess) {
        atomic_fetch_add(&be->gpu_ops, 1);
        return 0;
    }
    record(be, op, &site, e);
    return sb_cpu_ops.lde(be, op, trace, n, cols, blowup, c);
}

static const uint64_t *gpu_lde_host(sb_backend *be, sb_commitment *c) {
    gpu_commitment *d = (gpu_commitment *)c->device;
    if (c->lde || !d) return sb_cpu_ops.lde_host(be, c);
    const size_t bytes = c->lde_n * c->cols * sizeof(uint64_t);
    uint64_t *h = malloc(bytes);
    if (!h) {
        set_error(be, "GPU LDE to host: out of host memory (%zu bytes)", bytes);
        return NULL;
    }
    sb_gpu_site site = {0};
    cudaError_t e = staged_copy(impl_of(be), 0, h, d->lde, bytes, d->stream, &site);
    if (e != cudaSuccess) {
        free(h);
        set_error(be, "GPU LDE to host: %s in %s", cudaGetErrorString(e), site.kernel);
        return NULL;
    }
    return c->lde = h;
}

static cudaError_t commit_on_device(sb_backend *be, sb_commitment *c, sb_gpu_site *site) {
    gpu_impl *g = impl_of(be);
    gpu_commitment *d = (gpu_commitment *)c->device;
    const size_t leaves = c->lde_n;
    cudaError_t e = cudaSuccess;
    cudaEvent_t ev[2] = {NULL, NULL};
    CU(cudaSetDevice(g->device), "cudaSetDevice");
    for (int i = 0; i < 2; i++) CU(cudaEventCreate(&ev[i]), "cudaEventCreate");
    if (!d->nodes) CU(cudaMallocAsync((void **)&d->nodes, (2 * leaves - 1) * 4 * sizeof(uint64_t), d->stream),
                      "cudaMallocAsync(tree)");
    CU(cudaEventRecord(ev[0], d->stream), "cudaEventRecord");
    CU(sb_gpu_merkle(d->lde, d->log_rows, (unsigned)c->cols, d->nodes, tpb_of(be, SB_K_KECCAK),
                     tpb_of(be, SB_K_MERKLE), g->sms, d->stream, site), "sb_gpu_merkle");
    CU(cudaEventRecord(ev[1], d->stream), "cudaEventRecord");
    CU(cudaMemcpyAsync(c->root.b, d->nodes, sizeof c->root.b, cudaMemcpyDeviceToHost, d->stream),
       "cudaMemcpyAsync(root D2H)");
    CU(cudaStreamSynchronize(d->stream), "cudaStreamSynchronize (a Merkle kernel faulted)");
    d->times.commit_ms = elapsed_ms(ev[0], ev[1]);
    c->tree.n_leaves = leaves;
out:
    for (int i = 0; i < 2; i++)
        if (ev[i]) cudaEventDestroy(ev[i]);
    if (e != cudaSuccess && d->nodes) {
        cudaFree(d->nodes);
        d->nodes = NULL;
    }
    return e;
}

static int gpu_commit(sb_backend *be, const sb_op *op, sb_commitment *c) {
    gpu_commitment *d = (gpu_commitment *)c->device;
    if (!d) return sb_cpu_ops.commit(be, op, c);
    if (!inject_silent("commit")) {
        sb_gpu_site site = {0};
        const cudaError_t e = commit_on_device(be, c, &site);
        if (e == cudaSuccess) {
            atomic_fetch_add(&be->gpu_ops, 1);
            return 0;
        }
        record(be, op, &site, e);
    }
    /* The CPU commits the host copy of the LDE; after a sticky fault that copy cannot be made. */
    if (!gpu_lde_host(be, c))
        return set_error(be, "GPU commit fell back, but the LDE on the device is lost (%s)",
                         cudaGetErrorString(cudaGetLastError()));
    return sb_cpu_ops.commit(be, op, c);
}

static int gpu_open_many(sb_backend *be, sb_commitment *c, const size_t *leaves, size_t n, uint64_t *rows,
                         sb_digest *paths) {
    gpu_commitment *d = (gpu_commitment *)c->device;
    if (!d || !d->nodes) return sb_cpu_ops.open_many(be, c, leaves, n, rows, paths);
    for (size_t i = 0; i < n; i++)
        if (leaves[i] >= c->lde_n)
            return set_error(be, "open: leaf %zu out of range (%zu leaves)", leaves[i], c->lde_n);
    if (n == 0) return 0;
    /* One buffer each side: the leaves, then the rows, then the paths. */
    const size_t row_words = n * c->cols, path_words = n * d->log_rows * 4;
    const size_t bytes = (n + row_words + path_words) * sizeof(uint64_t);
    sb_gpu_site site_ = {0}, *site = &site_;
    cudaError_t e = cudaSuccess;
    uint64_t *dev = NULL, *host = malloc(bytes);
    if (!host) return set_error(be, "GPU open: out of host memory (%zu bytes)", bytes);
    for (size_t i = 0; i < n; i++) host[i] = leaves[i];
    CU(cudaSetDevice(impl_of(be)->device), "cudaSetDevice");
    CU(cudaMallocAsync((void **)&dev, bytes, d->stream), "cudaMallocAsync(openings)");
    CU(cudaMemcpyAsync(dev, host, n * sizeof *host, cudaMemcpyHostToDevice, d->stream), "cudaMemcpyAsync(leaves H2D)");
    CU(sb_gpu_merkle_open(d->lde, d->nodes, (unsigned)c->cols, d->log_rows, dev, n, dev + n, dev + n + row_words,
                          tpb_of(be, SB_K_MERKLE), impl_of(be)->max_blocks, d->stream, site), "merkle_open_many");
    CU(cudaMemcpyAsync(host + n, dev + n, (row_words + path_words) * sizeof *host, cudaMemcpyDeviceToHost,
                       d->stream), "cudaMemcpyAsync(openings D2H)");
    CU(cudaStreamSynchronize(d->stream), "cudaStreamSynchronize");
    memcpy(rows, host + n, row_words * sizeof *rows);
    memcpy(paths, host + n + row_words, path_words * sizeof *host);
out:
    if (dev) cudaFreeAsync(dev, d->stream);
    free(host);
    if (e != cudaSuccess) return set_error(be, "GPU open: %s in %s", cudaGetErrorString(e), site->kernel);
    return 0;
}

static void gpu_release(sb_backend *be, sb_commitment *c) {
    drop_device(c);
    sb_cpu_ops.release(be, c);
}

static void gpu_sync(sb_backend *be) {
    cudaSetDevice(impl_of(be)->device);
    cudaDeviceSynchronize();
}

static void gpu_destroy(sb_backend *be) {
    gpu_impl *g = impl_of(be);
    cudaSetDevice(g->device);
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
    free(g);
}

static const sb_backend_ops gpu_ops = {
    .name = "gpu",
    .lde = gpu_lde,
    .commit = gpu_commit,
    .lde_host = gpu_lde_host,
    .open_many = gpu_open_many,
    .release = gpu_release,
    .sync = gpu_sync,
    .destroy = gpu_destroy,
    .rounds = &sb_cpu_round_ops,
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
    cudaMemPool_t pool;
    uint64_t keep = UINT64_MAX; /* keep freed pool memory for the next operation instead of unmapping it */
    if ((e = cudaSetDevice(cfg->device)) != cudaSuccess ||
        (e = cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, cfg->device)) != cudaSuccess ||
        (e = cudaDeviceGetDefaultMemPool(&pool, cfg->device)) != cudaSuccess ||
        (e = cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep)) != cudaSuccess ||
        (e = sb_gpu_ntt_load()) != cudaSuccess || (e = sb_gpu_keccak_load()) != cudaSuccess) {
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
    sb_backend_init_common(be, &gpu_ops, cfg);
    be->impl = g;
    return be;
}

int sb_gpu_commitment_times(const sb_commitment *c, sb_gpu_times *t) {
    const gpu_commitment *d = (const gpu_commitment *)c->device;
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
        [SB_K_COMPOSE] = "fib_composition_rows<cpu, program, range>, composition_split (not wired yet)",
        [SB_K_OOD] = "ood_weights, ood_dot, ood_reduce (not wired yet)",
        [SB_K_DEEP] = "deep_rows (not wired yet)",
        [SB_K_FRI] = "fri_fold, fri_fold_leaves, fri_open_many (not wired yet)",
        [SB_K_POW] = "pow_batch (not wired yet)",
    };
    const void *fn = k == SB_K_NTT ? sb_gpu_ntt_kernel(0) : k == SB_K_SCALE ? sb_gpu_ntt_kernel(1)
                   : k == SB_K_KECCAK ? sb_gpu_keccak_kernel(0) : k == SB_K_MERKLE ? sb_gpu_keccak_kernel(1)
                   : sb_gpu_rounds_kernel(k);
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
