/* The backend interface's common part: configuration, kernel names, the fallback log,
 * and the choice between the CPU and GPU backends. */
#include "backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const sb_kernel_names[SB_K_COUNT] = {"ntt", "scale", "keccak", "merkle", "compose",
                                                  "ood", "deep",  "fri",    "pow",    "trace", "mult",
                                                  "logup"};
/* Keccak keeps its 25-lane state in registers (80 a thread): 256 threads per block, the best of
 * 64..384 on an H100; 1024 cannot launch (the upstream bug). The Rounds 2-4 kernels' defaults
 * are not measured yet (none has run on a GPU): compose's CPU-table rows take 250 registers
 * (at most 256 threads), deep's shared tile is 264 bytes a thread. trace (one thread a segment
 * of rows), mult (one a row) and logup (one a chunk of rows) are not measured either. */
const unsigned sb_kernel_default_tpb[SB_K_COUNT] = {256, 256, 256, 128, 128, 256, 128, 256, 256, 64, 256, 128};

int sb_kernel_lookup(const char *name) {
    for (int k = 0; k < SB_K_COUNT; k++)
        if (strcmp(name, sb_kernel_names[k]) == 0) return k;
    return -1;
}

const char *const sb_inject_names[SB_INJECT_NAMES] = {"trace", "lde", "upload", "commit", "open",  "composition",
                                                      "ood",   "deep", "fri",    "grind",  "all"};

int sb_inject_name_valid(const char *name) {
    for (int k = 0; k < SB_INJECT_NAMES; k++)
        if (strcmp(name, sb_inject_names[k]) == 0) return 1;
    return 0;
}

int sb_rounds_parse(const char *list, unsigned *mask) {
    unsigned m = 0;
    if (strcmp(list, "none") == 0) {
        *mask = 0;
        return 0;
    }
    for (const char *p = list;; p += 3) {
        if (p[0] != 'R' || p[1] < '1' || p[1] > '4' || (p[2] != ',' && p[2] != 0)) return -1;
        m |= 1u << (p[1] - '1');
        if (p[2] == 0) break;
    }
    *mask = m;
    return 0;
}

void sb_backend_config_default(sb_backend_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->kind = SB_BACKEND_AUTO;
    cfg->gpu_threshold = 0;
    cfg->cpu_rounds = SB_CPU_ROUNDS_DEFAULT;
}

void sb_backend_init_common(sb_backend *be, const sb_backend_ops *ops, const sb_backend_config *cfg) {
    memset(be, 0, sizeof *be);
    be->ops = ops;
    be->cfg = *cfg;
    atomic_init(&be->cpu_ops, 0);
    atomic_init(&be->gpu_ops, 0);
    atomic_init(&be->mem_watching, 0);
    for (int s = 0; s < SB_MEM_SPACES; s++) {
        atomic_init(&be->mem_now[s], 0);
        atomic_init(&be->mem_peak[s], 0);
        for (int w = 0; w < SB_MEM_WATCHERS; w++) atomic_init(&be->mem_watch[w][s], 0);
    }
    pthread_mutex_init(&be->lock, NULL);
}

static void raise_to(atomic_uint_fast64_t *peak, uint_fast64_t v) {
    uint_fast64_t old = atomic_load(peak);
    while (old < v && !atomic_compare_exchange_weak(peak, &old, v)) {
    }
}

void sb_backend_mem(sb_backend *be, sb_mem_space s, int64_t bytes) {
    const uint_fast64_t now = bytes >= 0 ? atomic_fetch_add(&be->mem_now[s], (uint_fast64_t)bytes) + (uint_fast64_t)bytes
                                         : atomic_fetch_sub(&be->mem_now[s], (uint_fast64_t)-bytes) - (uint_fast64_t)-bytes;
    if (bytes <= 0) return;
    raise_to(&be->mem_peak[s], now);
    const uint_fast64_t watching = atomic_load(&be->mem_watching);
    for (int w = 0; w < SB_MEM_WATCHERS; w++)
        if (watching >> w & 1) raise_to(&be->mem_watch[w][s], now);
}

int sb_backend_mem_watch(sb_backend *be) {
    uint_fast64_t used = atomic_load(&be->mem_watching);
    for (int w = 0; w < SB_MEM_WATCHERS; w++) {
        const uint_fast64_t bit = (uint_fast64_t)1 << w;
        if (used & bit) continue;
        if (!atomic_compare_exchange_strong(&be->mem_watching, &used, used | bit)) {
            w = -1; /* another watcher came or went: look again from the start */
            continue;
        }
        /* Start from now (a stale value of the slot's last watcher goes); an allocation between
         * the store and here is caught by the second read. */
        for (int s = 0; s < SB_MEM_SPACES; s++) {
            atomic_store(&be->mem_watch[w][s], atomic_load(&be->mem_now[s]));
            raise_to(&be->mem_watch[w][s], atomic_load(&be->mem_now[s]));
        }
        return w;
    }
    return -1;
}

void sb_backend_mem_unwatch(sb_backend *be, int w, uint64_t peak[SB_MEM_SPACES]) {
    for (int s = 0; s < SB_MEM_SPACES; s++) peak[s] = atomic_load(&be->mem_watch[w][s]);
    atomic_fetch_and(&be->mem_watching, ~((uint_fast64_t)1 << w));
}

static void copy_field(char *dst, size_t cap, const char *src) {
    snprintf(dst, cap, "%s", src ? src : "");
}

void sb_backend_record_fallback(sb_backend *be, const sb_op *op, const char *kernel, const char *launch,
                                const char *error) {
    pthread_mutex_lock(&be->lock);
    if (be->n_fallbacks < SB_MAX_FALLBACKS) {
        sb_fallback *f = &be->fallbacks[be->n_fallbacks];
        copy_field(f->table, sizeof f->table, op ? op->table : NULL);
        copy_field(f->op, sizeof f->op, op ? op->op : NULL);
        copy_field(f->kernel, sizeof f->kernel, kernel);
        copy_field(f->launch, sizeof f->launch, launch);
        copy_field(f->error, sizeof f->error, error);
    }
    be->n_fallbacks++;
    pthread_mutex_unlock(&be->lock);
}

sb_backend *sb_backend_create(const sb_backend_config *cfg, char *err, size_t errlen) {
    if (cfg->kind == SB_BACKEND_CPU) return sb_cpu_backend_create(cfg);
    char gpu_err[256] = "";
    sb_backend *be = sb_gpu_backend_create(cfg, gpu_err, sizeof gpu_err);
    if (be) return be;
    if (cfg->kind == SB_BACKEND_GPU) {
        snprintf(err, errlen, "--backend gpu: no usable GPU (%s)", gpu_err);
        return NULL;
    }
    return sb_cpu_backend_create(cfg);
}

void sb_backend_destroy(sb_backend *be) {
    if (!be) return;
    pthread_mutex_destroy(&be->lock);
    if (be->ops->destroy) be->ops->destroy(be);
    else free(be->impl);
    free(be);
}
