/* NVML samples (clocks, temperature, power, throttle reasons) and device memory.
 *
 * nvml.h is not on the CPU machines and no Debian package has it, so the
 * driver's libnvidia-ml.so.1 is loaded at run time (dlopen) with the few
 * entry points declared here. NVML never creates a CUDA context: the sweep's
 * parent may use it. The devices a process may use are those CUDA_VISIBLE_DEVICES
 * names (indices or UUIDs, resolved as gpus.h says), else every device, in NVML's
 * order (nvidia-smi's numbering). */
#ifndef SB_NVML_H
#define SB_NVML_H

#include <stddef.h>
#include <stdint.h>

#include "results.h"

typedef struct sb_nvml sb_nvml;

/* One reading; a field the device does not report is NAN. */
typedef struct sb_nvml_sample {
    double sm_clock_mhz, mem_clock_mhz;
    double temp_c;
    double power_w;
    double throttle_reasons; /* nvmlClocksEventReasons bit mask (exact below 2^53) */
} sb_nvml_sample;

/* Loads NVML and opens the first device this process may use: the one CUDA numbers 0 where
 * the order of CUDA_VISIBLE_DEVICES (or, unset, PCI bus order) is CUDA's. Returns NULL when
 * there is no driver library or no such device. */
sb_nvml *sb_nvml_open(void);
/* Loads NVML and opens the device of NVML index `index`. Returns NULL as above. */
sb_nvml *sb_nvml_open_index(unsigned index);
void sb_nvml_close(sb_nvml *n);

/* Writes the open device's NVML index, name, UUID, total and free memory into g (noise NAN).
 * Returns 0, or -1 when n is NULL. */
int sb_nvml_info(sb_nvml *n, sb_gpu_info *g);

/* Lists the devices this process may use (at most cap) with sb_nvml_info's figures, in the
 * order CUDA_VISIBLE_DEVICES gives (else NVML's). Returns the count: 0 without NVML or a GPU. */
size_t sb_nvml_list(sb_gpu_info *gpus, size_t cap);

/* Writes the device's total and free memory in bytes. Returns 0 or -1. */
int sb_nvml_memory(sb_nvml *n, uint64_t *total, uint64_t *free_bytes);

/* Reads the current clocks, temperature, power and throttle reasons into s. */
void sb_nvml_sample_now(sb_nvml *n, sb_nvml_sample *s);

/* Writes the device's maximum SM clock in MHz. Returns 0 or -1. */
int sb_nvml_max_sm_clock(sb_nvml *n, double *mhz);

/* Locks the SM clock at mhz (nvmlDeviceSetGpuLockedClocks; needs root on most systems).
 * Returns 0, or -1 with NVML's reason in err. sb_nvml_unlock_clocks resets it (0 or -1). */
int sb_nvml_lock_clocks(sb_nvml *n, unsigned mhz, char *err, size_t errlen);
int sb_nvml_unlock_clocks(sb_nvml *n);

/* A thread that samples the clocks and throttle reasons every interval_s seconds while a
 * repetition runs, so that a slowdown in its middle is seen, not only the state after it. */
typedef struct sb_nvml_watch sb_nvml_watch;

/* Starts sampling n. Returns NULL when n is NULL or the thread cannot start. */
sb_nvml_watch *sb_nvml_watch_start(sb_nvml *n, double interval_s);
/* Stops the thread and frees w; writes the OR of every sample's throttle reasons (NAN without
 * a sample) and the lowest SM clock among the samples taken while the GPU was not idle (NAN
 * without one: an idle GPU lowers its clocks by design). */
void sb_nvml_watch_stop(sb_nvml_watch *w, double *reasons, double *busy_clock_mhz);

#endif
