#include "cupti.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *sb_profiler_attached(void) {
    const char *inj = getenv("CUDA_INJECTION64_PATH");
    const char *preload = getenv("LD_PRELOAD");
    if (getenv("NSYS_PROFILING_SESSION_ID") || (inj && strstr(inj, "nsys"))) return "nsys";
    if (inj && (strstr(inj, "ncu") || strstr(inj, "InterceptorInjection"))) return "ncu";
    if ((inj && strstr(inj, "sanitizer")) || (preload && strstr(preload, "sanitizer"))) return "compute-sanitizer";
    if (inj && *inj) return "a CUDA injection tool";
    return NULL;
}

#ifndef SB_HAVE_CUPTI

sb_cupti *sb_cupti_start(char *err, size_t errlen) {
    snprintf(err, errlen, "built without CUPTI");
    return NULL;
}
void sb_cupti_hooks(sb_cupti *c, sb_range_hooks *h) {
    (void)c;
    memset(h, 0, sizeof *h);
}
void sb_cupti_collect(sb_cupti *c, const sb_ranges *ranges, sb_point *p, size_t rep) {
    (void)c, (void)ranges, (void)p, (void)rep;
}
double sb_cupti_busy_ms(sb_cupti *c) {
    (void)c;
    return NAN;
}
void sb_cupti_discard(sb_cupti *c) { (void)c; }
void sb_cupti_stop(sb_cupti *c) { (void)c; }

#else

/* CUPTI's parts, not its umbrella <cupti.h>: bench/cupti.h shadows that name on the include path. */
#include <cuda.h>
#include <cupti_activity.h>
#include <cupti_callbacks.h>
#include <cupti_result.h>
#include <cupti_runtime_cbid.h>
#include <pthread.h>

#define BUFFER_BYTES (8u << 20)
#define KERNEL_NAME_LEN 41

typedef struct kernel_rec {
    uint32_t corr;
    uint64_t ext; /* its range (record index + 1), 0 when none; set by sb_cupti_collect */
    uint64_t start, end;
    char name[KERNEL_NAME_LEN];
    uint64_t grid, block;
    unsigned regs, static_smem, dynamic_smem;
} kernel_rec;

typedef struct memcpy_rec {
    uint32_t corr;
    uint64_t start, end, bytes;
    uint8_t kind;
} memcpy_rec;

typedef struct corr_rec {
    uint32_t corr;
    uint64_t ext; /* range record index + 1 */
} corr_rec;

/* CUPTI's buffer callbacks carry no user pointer: the collector is a process singleton. */
struct sb_cupti {
    pthread_mutex_t lock;
    kernel_rec *kernels;
    size_t n_kernels, cap_kernels;
    memcpy_rec *memcpys;
    size_t n_memcpys, cap_memcpys;
    corr_rec *corrs;
    size_t n_corrs, cap_corrs;
    uint32_t *failed; /* correlation ids of kernel launches that returned an error */
    size_t n_failed, cap_failed;
    size_t dropped;
};
static sb_cupti collector = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, NULL, 0, 0, NULL, 0, 0, NULL, 0, 0, 0};
static int started;

/* Grows *arr (elements of size sz) to hold one more; returns the slot or NULL when out of memory. */
static void *grow(void **arr, size_t *n, size_t *cap, size_t sz) {
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 1024;
        void *p = realloc(*arr, nc * sz);
        if (!p) return NULL;
        *arr = p;
        *cap = nc;
    }
    return (char *)*arr + (*n)++ * sz;
}
#define PUSH(arr, n, cap) grow((void **)&(arr), &(n), &(cap), sizeof *(arr))

static int is_launch(CUpti_CallbackId cbid) {
    switch (cbid) {
    case CUPTI_RUNTIME_TRACE_CBID_cudaLaunch_v3020:
    case CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernel_v7000:
    case CUPTI_RUNTIME_TRACE_CBID_cudaLaunch_ptsz_v7000:
    case CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernel_ptsz_v7000:
    case CUPTI_RUNTIME_TRACE_CBID_cudaLaunchCooperativeKernel_v9000:
    case CUPTI_RUNTIME_TRACE_CBID_cudaLaunchCooperativeKernel_ptsz_v9000:
    case CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernelExC_v11060:
    case CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernelExC_ptsz_v11060:
    case CUPTI_RUNTIME_TRACE_CBID___cudaLaunchKernel_v13000:
    case CUPTI_RUNTIME_TRACE_CBID___cudaLaunchKernel_ptsz_v13000: return 1;
    default: return 0;
    }
}

static void CUPTIAPI buffer_requested(uint8_t **buffer, size_t *size, size_t *max_records) {
    *buffer = aligned_alloc(8, BUFFER_BYTES);
    *size = *buffer ? BUFFER_BYTES : 0;
    *max_records = 0;
}

static void store(sb_cupti *c, const CUpti_Activity *rec) {
    switch (rec->kind) {
    case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL: {
        const CUpti_ActivityKernel10 *k = (const CUpti_ActivityKernel10 *)rec;
        kernel_rec *d = PUSH(c->kernels, c->n_kernels, c->cap_kernels);
        if (!d) break;
        d->corr = k->correlationId;
        d->start = k->start;
        d->end = k->end;
        snprintf(d->name, sizeof d->name, "%s", k->name ? k->name : "?");
        d->grid = (uint64_t)k->gridX * (uint64_t)k->gridY * (uint64_t)k->gridZ;
        d->block = (uint64_t)k->blockX * (uint64_t)k->blockY * (uint64_t)k->blockZ;
        d->regs = k->registersPerThread;
        d->static_smem = (unsigned)k->staticSharedMemory;
        d->dynamic_smem = (unsigned)k->dynamicSharedMemory;
        break;
    }
    case CUPTI_ACTIVITY_KIND_MEMCPY: {
        const CUpti_ActivityMemcpy6 *m = (const CUpti_ActivityMemcpy6 *)rec;
        memcpy_rec *d = PUSH(c->memcpys, c->n_memcpys, c->cap_memcpys);
        if (!d) break;
        *d = (memcpy_rec){m->correlationId, m->start, m->end, m->bytes, m->copyKind};
        break;
    }
    case CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION: {
        const CUpti_ActivityExternalCorrelation *e = (const CUpti_ActivityExternalCorrelation *)rec;
        if (e->externalKind != CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM0) break;
        corr_rec *d = PUSH(c->corrs, c->n_corrs, c->cap_corrs);
        if (d) *d = (corr_rec){e->correlationId, e->externalId};
        break;
    }
    case CUPTI_ACTIVITY_KIND_RUNTIME: {
        const CUpti_ActivityAPI *a = (const CUpti_ActivityAPI *)rec;
        if (a->returnValue == 0 || !is_launch(a->cbid)) break;
        uint32_t *d = PUSH(c->failed, c->n_failed, c->cap_failed);
        if (d) *d = a->correlationId;
        break;
    }
    default: break;
    }
}

static void CUPTIAPI buffer_completed(CUcontext ctx, uint32_t stream, uint8_t *buffer, size_t size, size_t valid) {
    (void)size;
    sb_cupti *c = &collector;
    pthread_mutex_lock(&c->lock);
    CUpti_Activity *rec = NULL;
    while (cuptiActivityGetNextRecord(buffer, valid, &rec) == CUPTI_SUCCESS) store(c, rec);
    size_t dropped = 0;
    if (cuptiActivityGetNumDroppedRecords(ctx, stream, &dropped) == CUPTI_SUCCESS) c->dropped += dropped;
    pthread_mutex_unlock(&c->lock);
    free(buffer);
}

static const CUpti_ActivityKind kinds[] = {CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL, CUPTI_ACTIVITY_KIND_MEMCPY,
                                           CUPTI_ACTIVITY_KIND_RUNTIME, CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION};

sb_cupti *sb_cupti_start(char *err, size_t errlen) {
    const char *tool = sb_profiler_attached();
    if (tool) {
        snprintf(err, errlen, "CUPTI off: running under %s", tool);
        return NULL;
    }
    if (started) return &collector;
    CUptiResult r = cuptiActivityRegisterCallbacks(buffer_requested, buffer_completed);
    for (size_t i = 0; r == CUPTI_SUCCESS && i < sizeof kinds / sizeof kinds[0]; i++) r = cuptiActivityEnable(kinds[i]);
    if (r != CUPTI_SUCCESS) {
        const char *s = NULL;
        cuptiGetResultString(r, &s);
        snprintf(err, errlen, "CUPTI off: %s", s ? s : "activity API refused");
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) cuptiActivityDisable(kinds[i]);
        return NULL;
    }
    started = 1;
    return &collector;
}

static void hook_begin(void *ud, unsigned id, const char *table, const char *name) {
    (void)ud, (void)table, (void)name;
    cuptiActivityPushExternalCorrelationId(CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM0, (uint64_t)id + 1);
}

static void hook_end(void *ud, unsigned id, const char *table, const char *name) {
    (void)ud, (void)id, (void)table, (void)name;
    uint64_t last;
    cuptiActivityPopExternalCorrelationId(CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM0, &last);
}

void sb_cupti_hooks(sb_cupti *c, sb_range_hooks *h) {
    h->begin = hook_begin;
    h->end = hook_end;
    h->ud = c;
}

static int cmp_corr(const void *a, const void *b) {
    uint32_t x = ((const corr_rec *)a)->corr, y = ((const corr_rec *)b)->corr;
    return (x > y) - (x < y);
}

/* The external id (range record index + 1) CUPTI tagged correlation id corr with, or 0. */
static uint64_t ext_of(const sb_cupti *c, const sb_ranges *ranges, uint32_t corr) {
    corr_rec probe = {corr, 0};
    const corr_rec *hit = bsearch(&probe, c->corrs, c->n_corrs, sizeof *c->corrs, cmp_corr);
    return hit && hit->ext <= ranges->n ? hit->ext : 0;
}

/* The metric prefix of range ext: "<table>:<range>", the name of a range outside tables, or "unattributed". */
static void key_of(const sb_ranges *ranges, uint64_t ext, char *key, size_t len) {
    if (!ext) {
        snprintf(key, len, "unattributed");
        return;
    }
    const sb_range_rec *r = &ranges->recs[ext - 1];
    if (r->table[0]) snprintf(key, len, "%s:%s", r->table, r->name);
    else snprintf(key, len, "%s", r->name);
}

/* Repetition rep's value of metric "<prefix>:<suffix>" (prefixes are at most 95 characters:
 * a range key, ":kernel:" and a 40-character name; suffixes at most 15). */
static double *slot(sb_point *p, size_t rep, const char *prefix, const char *suffix) {
    char key[sizeof ((sb_metric *)0)->key];
    snprintf(key, sizeof key, "%.95s:%.15s", prefix, suffix);
    return &sb_point_metric(p, key)->values[rep];
}

/* Adds v to that value (NAN counts as 0). */
static void add(sb_point *p, size_t rep, const char *prefix, const char *suffix, double v) {
    double *x = slot(p, rep, prefix, suffix);
    *x = isnan(*x) ? v : *x + v;
}

static void set(sb_point *p, size_t rep, const char *prefix, const char *suffix, double v) {
    *slot(p, rep, prefix, suffix) = v;
}

typedef struct interval {
    uint64_t start, end;
} interval;

static int cmp_start(const void *a, const void *b) {
    uint64_t x = ((const interval *)a)->start, y = ((const interval *)b)->start;
    return (x > y) - (x < y);
}

static int cmp_kernel_start(const void *a, const void *b) {
    uint64_t x = ((const kernel_rec *)a)->start, y = ((const kernel_rec *)b)->start;
    return (x > y) - (x < y);
}

/* Nanoseconds covered by the union of the intervals v[0..n) (sorted here). */
static uint64_t union_ns(interval *v, size_t n) {
    qsort(v, n, sizeof *v, cmp_start);
    uint64_t busy = 0, s = 0, e = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || v[i].start > e) {
            busy += e - s;
            s = v[i].start, e = v[i].end;
        } else if (v[i].end > e) {
            e = v[i].end;
        }
    }
    return busy + (e - s);
}

/* Nanoseconds in which a kernel of range ext (every kernel when all is set) or, with copies, a
 * memcpy ran; v has room for every record. */
static uint64_t busy_ns(const sb_cupti *c, interval *v, uint64_t ext, int all, int copies) {
    size_t n = 0;
    for (size_t i = 0; i < c->n_kernels; i++)
        if (all || c->kernels[i].ext == ext) v[n++] = (interval){c->kernels[i].start, c->kernels[i].end};
    for (size_t i = 0; copies && i < c->n_memcpys; i++) v[n++] = (interval){c->memcpys[i].start, c->memcpys[i].end};
    return union_ns(v, n);
}

static int contains_keccak(const char *name) {
    for (const char *s = name; *s; s++)
        if (strncasecmp(s, "keccak", 6) == 0) return 1;
    return 0;
}

/* Forgets every record so far (the caller holds the lock). */
static void forget_records(sb_cupti *c) { c->n_kernels = c->n_memcpys = c->n_corrs = c->n_failed = c->dropped = 0; }

void sb_cupti_collect(sb_cupti *c, const sb_ranges *ranges, sb_point *p, size_t rep) {
    cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
    pthread_mutex_lock(&c->lock);
    qsort(c->corrs, c->n_corrs, sizeof *c->corrs, cmp_corr);
    qsort(c->kernels, c->n_kernels, sizeof *c->kernels, cmp_kernel_start); /* "its last launch" is the latest */
    interval *spans = malloc((c->n_kernels + c->n_memcpys + 1) * sizeof *spans);
    char key[64], kname[sizeof ((sb_metric *)0)->key], in_range[sizeof ((sb_metric *)0)->key];
    /* Every range gets zero counts, so "no Keccak kernel" is a 0, not a missing value. */
    for (uint64_t ext = 1; ext <= ranges->n; ext++) {
        key_of(ranges, ext, key, sizeof key);
        static const char *const zeroed[] = {"kernel_ms", "launches", "keccak_launches", "failed_launches"};
        for (size_t z = 0; z < sizeof zeroed / sizeof zeroed[0]; z++) set(p, rep, key, zeroed[z], 0);
    }
    for (size_t i = 0; i < c->n_kernels; i++) {
        kernel_rec *k = &c->kernels[i];
        k->ext = ext_of(c, ranges, k->corr);
        key_of(ranges, k->ext, key, sizeof key);
        add(p, rep, key, "launches", 1);
        if (contains_keccak(k->name)) add(p, rep, key, "keccak_launches", 1);
        snprintf(kname, sizeof kname, "kernel:%s", k->name);
        add(p, rep, kname, "launches", 1);
        add(p, rep, kname, "ms", (double)(k->end - k->start) * 1e-6);
        set(p, rep, kname, "grid", (double)k->grid);
        set(p, rep, kname, "block", (double)k->block);
        set(p, rep, kname, "regs", k->regs);
        set(p, rep, kname, "smem_bytes", k->static_smem + k->dynamic_smem);
        set(p, rep, kname, "static_smem", k->static_smem);
        set(p, rep, kname, "dynamic_smem", k->dynamic_smem);
        snprintf(in_range, sizeof in_range, "%.47s:%.79s", key, kname); /* the kernel's share of its range */
        add(p, rep, in_range, "launches", 1);
        add(p, rep, in_range, "ms", (double)(k->end - k->start) * 1e-6);
    }
    /* A range's kernel time is the union of its kernels' intervals (streams may overlap them). */
    for (uint64_t ext = 0; spans && ext <= ranges->n; ext++) {
        uint64_t ns = busy_ns(c, spans, ext, 0, 0);
        if (!ns) continue;
        key_of(ranges, ext, key, sizeof key);
        set(p, rep, key, "kernel_ms", (double)ns * 1e-6);
    }
    for (size_t i = 0; i < c->n_memcpys; i++) {
        const memcpy_rec *m = &c->memcpys[i];
        key_of(ranges, ext_of(c, ranges, m->corr), key, sizeof key);
        add(p, rep, key, "memcpy_ms", (double)(m->end - m->start) * 1e-6);
        add(p, rep, key, "memcpy_bytes", (double)m->bytes);
        const char *kind = m->kind == CUPTI_ACTIVITY_MEMCPY_KIND_HTOD   ? "h2d_bytes"
                           : m->kind == CUPTI_ACTIVITY_MEMCPY_KIND_DTOH ? "d2h_bytes"
                           : m->kind == CUPTI_ACTIVITY_MEMCPY_KIND_DTOD ? "d2d_bytes"
                                                                        : NULL;
        if (kind) add(p, rep, key, kind, (double)m->bytes);
    }
    for (size_t i = 0; i < c->n_failed; i++) {
        key_of(ranges, ext_of(c, ranges, c->failed[i]), key, sizeof key);
        add(p, rep, key, "failed_launches", 1);
    }
    if (spans) {
        const double busy_ms = (double)busy_ns(c, spans, 0, 1, 1) * 1e-6;
        const sb_metric *total = sb_point_find(p, "total");
        sb_point_metric(p, "gpu_busy_ms")->values[rep] = busy_ms;
        if (total && total->values[rep] > 0)
            sb_point_metric(p, "gpu_busy_pct")->values[rep] = 100 * busy_ms / total->values[rep];
    }
    free(spans);
    if (c->dropped) sb_point_metric(p, "cupti:dropped_records")->values[rep] = (double)c->dropped;
    forget_records(c);
    pthread_mutex_unlock(&c->lock);
}

double sb_cupti_busy_ms(sb_cupti *c) {
    cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
    pthread_mutex_lock(&c->lock);
    interval *spans = malloc((c->n_kernels + c->n_memcpys + 1) * sizeof *spans);
    const double ms = spans ? (double)busy_ns(c, spans, 0, 1, 1) * 1e-6 : NAN;
    free(spans);
    forget_records(c);
    pthread_mutex_unlock(&c->lock);
    return ms;
}

void sb_cupti_discard(sb_cupti *c) {
    cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
    pthread_mutex_lock(&c->lock);
    forget_records(c);
    pthread_mutex_unlock(&c->lock);
}

void sb_cupti_stop(sb_cupti *c) {
    if (!c || !started) return;
    cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) cuptiActivityDisable(kinds[i]);
    pthread_mutex_lock(&c->lock);
    free(c->kernels);
    free(c->memcpys);
    free(c->corrs);
    free(c->failed);
    c->kernels = NULL;
    c->memcpys = NULL;
    c->corrs = NULL;
    c->failed = NULL;
    c->n_kernels = c->cap_kernels = c->n_memcpys = c->cap_memcpys = 0;
    c->n_corrs = c->cap_corrs = c->n_failed = c->cap_failed = 0;
    pthread_mutex_unlock(&c->lock);
    started = 0;
}

#endif
