/* Which GPUs a sweep uses and which one a point runs on (sweep --gpus; docs/ARCHITECTURE.md
 * "Process model"). Pure functions over lists of sb_gpu_info (results.h), which nvml.h fills
 * from NVML: the sweep's parent never initialises CUDA. */
#ifndef SB_GPUS_H
#define SB_GPUS_H

#include <stddef.h>
#include <stdint.h>

#include "results.h"

/* Resolves a CUDA_VISIBLE_DEVICES value against the n devices NVML lists (uuids[i]: device i's
 * UUID): writes the NVML indices of the devices it names, in its order, to idx (at most cap) and
 * returns how many. visible NULL (unset): every device, 0..n-1. An entry is a device index below
 * n or a prefix of exactly one UUID ("GPU-8f3c..."); as in CUDA, the list ends at the first entry
 * that names no device or names one a second time ("" or "-1": no device). */
size_t sb_gpus_visible(const char *visible, const char *const *uuids, size_t n, unsigned *idx, size_t cap);

/* Checks the syntax of a --gpus value: "all", or a comma list of NVML indices (each below
 * SB_MAX_GPUS, none twice). Returns 0, or -1 with a one-line reason in err. */
int sb_gpus_spec_check(const char *spec, char *err, size_t errlen);

/* Selects the GPUs of --gpus spec among the n visible ones: all of them for "all", else the
 * listed NVML indices, in the list's order, each of which must be visible. Writes them to out
 * (room for SB_MAX_GPUS) and returns their count, or -1 with a one-line reason in err. */
int sb_gpus_select(const char *spec, const sb_gpu_info *visible, size_t n, sb_gpu_info *out, char *err, size_t errlen);

#define SB_GPU_WAIT (-1) /* only a busy GPU has room: wait for it */
#define SB_GPU_NONE (-2) /* no GPU has room: the point is infeasible */

/* Where a point that needs `need` bytes of device memory runs: the position of the first idle
 * GPU (busy[i] == 0) whose free memory (memory_free; 0 = unknown, taken as enough) holds it;
 * SB_GPU_WAIT when only busy GPUs do; SB_GPU_NONE when none does (or n is 0). */
int sb_gpus_pick(const sb_gpu_info *gpus, const int *busy, size_t n, uint64_t need);

#endif
