/* NVML samples (clocks, temperature, power, throttle reasons) and device memory.
 *
 * nvml.h is not on the CPU machines and no Debian package has it, so the
 * driver's libnvidia-ml.so.1 is loaded at run time (dlopen) with the few
 * entry points declared here. NVML never creates a CUDA context: the sweep's
 * parent may use it. The device is the first of CUDA_VISIBLE_DEVICES when that
 * is a number, else NVML index 0. */
#ifndef SB_NVML_H
#define SB_NVML_H

#include <stdint.h>

typedef struct sb_nvml sb_nvml;

/* One reading; a field the device does not report is NAN. */
typedef struct sb_nvml_sample {
    double sm_clock_mhz, mem_clock_mhz;
    double temp_c;
    double power_w;
    double throttle_reasons; /* nvmlClocksEventReasons bit mask (exact below 2^53) */
} sb_nvml_sample;

/* Loads NVML and opens the device. Returns NULL when there is no driver library or no device. */
sb_nvml *sb_nvml_open(void);
void sb_nvml_close(sb_nvml *n);

/* Writes the device's total and free memory in bytes. Returns 0 or -1. */
int sb_nvml_memory(sb_nvml *n, uint64_t *total, uint64_t *free_bytes);

/* Reads the current clocks, temperature, power and throttle reasons into s. */
void sb_nvml_sample_now(sb_nvml *n, sb_nvml_sample *s);

#endif
