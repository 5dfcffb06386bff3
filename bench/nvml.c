#include "nvml.h"

#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gpus.h"
#include "throttle.h"

/* The subset of NVML's ABI used here (types as the driver library defines them). */
typedef int nvml_return;     /* nvmlReturn_t: 0 = NVML_SUCCESS */
typedef void *nvml_device;   /* nvmlDevice_t */
typedef struct nvml_memory { /* nvmlMemory_t */
    unsigned long long total, free, used;
} nvml_memory;
enum { NVML_CLOCK_SM = 1, NVML_CLOCK_MEM = 2, NVML_TEMPERATURE_GPU = 0 };

struct sb_nvml {
    void *lib;
    nvml_device dev;
    unsigned index; /* dev's NVML index */
    nvml_return (*shutdown)(void);
    nvml_return (*count)(unsigned *);
    nvml_return (*by_index)(unsigned, nvml_device *);
    nvml_return (*name)(nvml_device, char *, unsigned);
    nvml_return (*uuid)(nvml_device, char *, unsigned);
    nvml_return (*memory_info)(nvml_device, nvml_memory *);
    nvml_return (*clock_info)(nvml_device, int, unsigned *);
    nvml_return (*temperature)(nvml_device, int, unsigned *);
    nvml_return (*power_usage)(nvml_device, unsigned *);
    nvml_return (*event_reasons)(nvml_device, unsigned long long *);
    nvml_return (*max_clock)(nvml_device, int, unsigned *);
    nvml_return (*lock_clocks)(nvml_device, unsigned, unsigned);
    nvml_return (*reset_clocks)(nvml_device);
    const char *(*error_string)(nvml_return);
};

/* Loads NVML and its entry points, no device chosen yet. Returns NULL without a driver library. */
static sb_nvml *nvml_load(void) {
    void *lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return NULL;
    nvml_return (*init)(void) = (nvml_return(*)(void))dlsym(lib, "nvmlInit_v2");
    sb_nvml *n = calloc(1, sizeof *n);
    if (n) {
        n->by_index = (nvml_return(*)(unsigned, nvml_device *))dlsym(lib, "nvmlDeviceGetHandleByIndex_v2");
        n->count = (nvml_return(*)(unsigned *))dlsym(lib, "nvmlDeviceGetCount_v2");
    }
    if (!n || !init || !n->by_index || !n->count || init() != 0) {
        free(n);
        dlclose(lib);
        return NULL;
    }
    n->lib = lib;
    n->shutdown = (nvml_return(*)(void))dlsym(lib, "nvmlShutdown");
    n->name = (nvml_return(*)(nvml_device, char *, unsigned))dlsym(lib, "nvmlDeviceGetName");
    n->uuid = (nvml_return(*)(nvml_device, char *, unsigned))dlsym(lib, "nvmlDeviceGetUUID");
    n->memory_info = (nvml_return(*)(nvml_device, nvml_memory *))dlsym(lib, "nvmlDeviceGetMemoryInfo");
    n->clock_info = (nvml_return(*)(nvml_device, int, unsigned *))dlsym(lib, "nvmlDeviceGetClockInfo");
    n->temperature = (nvml_return(*)(nvml_device, int, unsigned *))dlsym(lib, "nvmlDeviceGetTemperature");
    n->power_usage = (nvml_return(*)(nvml_device, unsigned *))dlsym(lib, "nvmlDeviceGetPowerUsage");
    /* Renamed from "throttle" to "clocks event" reasons in newer drivers; both have the same bits. */
    n->event_reasons = (nvml_return(*)(nvml_device, unsigned long long *))dlsym(lib, "nvmlDeviceGetCurrentClocksEventReasons");
    if (!n->event_reasons)
        n->event_reasons =
            (nvml_return(*)(nvml_device, unsigned long long *))dlsym(lib, "nvmlDeviceGetCurrentClocksThrottleReasons");
    n->max_clock = (nvml_return(*)(nvml_device, int, unsigned *))dlsym(lib, "nvmlDeviceGetMaxClockInfo");
    n->lock_clocks = (nvml_return(*)(nvml_device, unsigned, unsigned))dlsym(lib, "nvmlDeviceSetGpuLockedClocks");
    n->reset_clocks = (nvml_return(*)(nvml_device))dlsym(lib, "nvmlDeviceResetGpuLockedClocks");
    n->error_string = (const char *(*)(nvml_return))dlsym(lib, "nvmlErrorString");
    return n;
}

/* The NVML indices of the devices this process may use (CUDA_VISIBLE_DEVICES resolved against
 * NVML's list), into idx. Returns how many. */
static size_t visible_devices(sb_nvml *n, unsigned idx[SB_MAX_GPUS]) {
    unsigned count = 0;
    if (n->count(&count) != 0) return 0;
    if (count > SB_MAX_GPUS) count = SB_MAX_GPUS;
    char uuids[SB_MAX_GPUS][96];
    const char *names[SB_MAX_GPUS];
    for (unsigned d = 0; d < count; d++) {
        nvml_device dev;
        uuids[d][0] = 0;
        if (n->uuid && n->by_index(d, &dev) == 0) n->uuid(dev, uuids[d], sizeof uuids[d]);
        names[d] = uuids[d];
    }
    return sb_gpus_visible(getenv("CUDA_VISIBLE_DEVICES"), names, count, idx, SB_MAX_GPUS);
}

sb_nvml *sb_nvml_open_index(unsigned index) {
    sb_nvml *n = nvml_load();
    if (!n) return NULL;
    n->index = index;
    if (n->by_index(index, &n->dev) != 0) {
        sb_nvml_close(n);
        return NULL;
    }
    return n;
}

sb_nvml *sb_nvml_open(void) {
    sb_nvml *n = nvml_load();
    unsigned idx[SB_MAX_GPUS];
    if (!n || visible_devices(n, idx) == 0 || n->by_index(idx[0], &n->dev) != 0) {
        sb_nvml_close(n);
        return NULL;
    }
    n->index = idx[0];
    return n;
}

int sb_nvml_info(sb_nvml *n, sb_gpu_info *g) {
    memset(g, 0, sizeof *g);
    g->noise_pct = g->noise_ms = NAN;
    if (!n) return -1;
    g->index = n->index;
    if (n->name) n->name(n->dev, g->name, sizeof g->name);
    if (n->uuid) n->uuid(n->dev, g->uuid, sizeof g->uuid);
    sb_nvml_memory(n, &g->memory_total, &g->memory_free);
    return 0;
}

size_t sb_nvml_list(sb_gpu_info *gpus, size_t cap) {
    sb_nvml *n = nvml_load();
    unsigned idx[SB_MAX_GPUS];
    size_t k = 0, visible = n ? visible_devices(n, idx) : 0;
    for (size_t v = 0; v < visible && k < cap; v++) {
        if (n->by_index(idx[v], &n->dev) != 0) continue;
        n->index = idx[v];
        sb_nvml_info(n, &gpus[k++]);
    }
    sb_nvml_close(n);
    return k;
}

void sb_nvml_close(sb_nvml *n) {
    if (!n) return;
    if (n->shutdown) n->shutdown();
    dlclose(n->lib);
    free(n);
}

int sb_nvml_memory(sb_nvml *n, uint64_t *total, uint64_t *free_bytes) {
    nvml_memory m;
    if (!n || !n->memory_info || n->memory_info(n->dev, &m) != 0) return -1;
    *total = m.total;
    *free_bytes = m.free;
    return 0;
}

void sb_nvml_sample_now(sb_nvml *n, sb_nvml_sample *s) {
    unsigned v;
    unsigned long long mask;
    s->sm_clock_mhz = s->mem_clock_mhz = s->temp_c = s->power_w = s->throttle_reasons = NAN;
    if (!n) return;
    if (n->clock_info && n->clock_info(n->dev, NVML_CLOCK_SM, &v) == 0) s->sm_clock_mhz = v;
    if (n->clock_info && n->clock_info(n->dev, NVML_CLOCK_MEM, &v) == 0) s->mem_clock_mhz = v;
    if (n->temperature && n->temperature(n->dev, NVML_TEMPERATURE_GPU, &v) == 0) s->temp_c = v;
    if (n->power_usage && n->power_usage(n->dev, &v) == 0) s->power_w = v / 1000.0; /* milliwatts */
    if (n->event_reasons && n->event_reasons(n->dev, &mask) == 0) s->throttle_reasons = (double)mask;
}

int sb_nvml_max_sm_clock(sb_nvml *n, double *mhz) {
    unsigned v;
    if (!n || !n->max_clock || n->max_clock(n->dev, NVML_CLOCK_SM, &v) != 0 || v == 0) return -1;
    *mhz = v;
    return 0;
}

int sb_nvml_lock_clocks(sb_nvml *n, unsigned mhz, char *err, size_t errlen) {
    if (!n->lock_clocks) {
        snprintf(err, errlen, "this driver's NVML has no nvmlDeviceSetGpuLockedClocks");
        return -1;
    }
    nvml_return rc = n->lock_clocks(n->dev, mhz, mhz);
    if (rc == 0) return 0;
    const char *why = n->error_string ? n->error_string(rc) : NULL;
    snprintf(err, errlen, "NVML refused: %s%s", why ? why : "error", rc == 4 ? " (locking clocks needs root)" : "");
    return -1;
}

int sb_nvml_unlock_clocks(sb_nvml *n) { return n && n->reset_clocks && n->reset_clocks(n->dev) == 0 ? 0 : -1; }

struct sb_nvml_watch {
    sb_nvml *nvml;
    pthread_t thread;
    atomic_int stop;
    long interval_ns;
    unsigned long long reasons;
    unsigned busy_clock; /* lowest SM clock while not idle; 0 = none seen */
    int sampled;
};

/* One sample into w. */
static void watch_sample(sb_nvml_watch *w) {
    sb_nvml *n = w->nvml;
    unsigned long long mask;
    unsigned clock;
    if (!n->event_reasons || n->event_reasons(n->dev, &mask) != 0) return;
    w->sampled = 1;
    w->reasons |= mask;
    if (!(mask & SB_THROTTLE_GPU_IDLE) && n->clock_info && n->clock_info(n->dev, NVML_CLOCK_SM, &clock) == 0 &&
        (w->busy_clock == 0 || clock < w->busy_clock))
        w->busy_clock = clock;
}

static void *watch_loop(void *arg) {
    sb_nvml_watch *w = arg;
    struct timespec ts = {w->interval_ns / 1000000000L, w->interval_ns % 1000000000L};
    while (!atomic_load(&w->stop)) {
        watch_sample(w);
        nanosleep(&ts, NULL);
    }
    return NULL;
}

sb_nvml_watch *sb_nvml_watch_start(sb_nvml *n, double interval_s) {
    if (!n) return NULL;
    sb_nvml_watch *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->nvml = n;
    w->interval_ns = (long)(interval_s * 1e9);
    atomic_init(&w->stop, 0);
    if (pthread_create(&w->thread, NULL, watch_loop, w) != 0) {
        free(w);
        return NULL;
    }
    return w;
}

void sb_nvml_watch_stop(sb_nvml_watch *w, double *reasons, double *busy_clock_mhz) {
    *reasons = *busy_clock_mhz = NAN;
    if (!w) return;
    atomic_store(&w->stop, 1);
    pthread_join(w->thread, NULL);
    watch_sample(w); /* the state right after the repetition too */
    if (w->sampled) *reasons = (double)w->reasons;
    if (w->busy_clock) *busy_clock_mhz = w->busy_clock;
    free(w);
}
