#include "nvml.h"

#include <dlfcn.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
    nvml_return (*shutdown)(void);
    nvml_return (*memory_info)(nvml_device, nvml_memory *);
    nvml_return (*clock_info)(nvml_device, int, unsigned *);
    nvml_return (*temperature)(nvml_device, int, unsigned *);
    nvml_return (*power_usage)(nvml_device, unsigned *);
    nvml_return (*event_reasons)(nvml_device, unsigned long long *);
};

/* The NVML index of the device CUDA will use as ordinal 0. */
static unsigned device_index(void) {
    const char *v = getenv("CUDA_VISIBLE_DEVICES");
    if (!v || *v < '0' || *v > '9') return 0;
    return (unsigned)strtoul(v, NULL, 10);
}

sb_nvml *sb_nvml_open(void) {
    void *lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return NULL;
    nvml_return (*init)(void) = (nvml_return(*)(void))dlsym(lib, "nvmlInit_v2");
    nvml_return (*by_index)(unsigned, nvml_device *) =
        (nvml_return(*)(unsigned, nvml_device *))dlsym(lib, "nvmlDeviceGetHandleByIndex_v2");
    sb_nvml *n = calloc(1, sizeof *n);
    if (!n || !init || !by_index || init() != 0) {
        free(n);
        dlclose(lib);
        return NULL;
    }
    n->lib = lib;
    n->shutdown = (nvml_return(*)(void))dlsym(lib, "nvmlShutdown");
    if (by_index(device_index(), &n->dev) != 0) {
        sb_nvml_close(n);
        return NULL;
    }
    n->memory_info = (nvml_return(*)(nvml_device, nvml_memory *))dlsym(lib, "nvmlDeviceGetMemoryInfo");
    n->clock_info = (nvml_return(*)(nvml_device, int, unsigned *))dlsym(lib, "nvmlDeviceGetClockInfo");
    n->temperature = (nvml_return(*)(nvml_device, int, unsigned *))dlsym(lib, "nvmlDeviceGetTemperature");
    n->power_usage = (nvml_return(*)(nvml_device, unsigned *))dlsym(lib, "nvmlDeviceGetPowerUsage");
    /* Renamed from "throttle" to "clocks event" reasons in newer drivers; both have the same bits. */
    n->event_reasons = (nvml_return(*)(nvml_device, unsigned long long *))dlsym(lib, "nvmlDeviceGetCurrentClocksEventReasons");
    if (!n->event_reasons)
        n->event_reasons =
            (nvml_return(*)(nvml_device, unsigned long long *))dlsym(lib, "nvmlDeviceGetCurrentClocksThrottleReasons");
    return n;
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
