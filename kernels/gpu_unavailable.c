/* Built instead of the CUDA backend when no CUDA compiler was found. */
#include <stdio.h>

#include "backend.h"
#include "gpu_backend.h"

#define NO_CUDA "starkbench was built without CUDA"

const sb_opk_mask sb_gpu_device_ops = 0;

sb_opk_mask sb_gpu_placed_ops(unsigned cpu_rounds) {
    (void)cpu_rounds;
    return 0;
}

sb_backend *sb_gpu_backend_create(const sb_backend_config *cfg, char *err, size_t errlen) {
    (void)cfg;
    snprintf(err, errlen, NO_CUDA);
    return NULL;
}

int sb_gpu_available(char *name, size_t len) {
    if (len) name[0] = 0;
    return 0;
}

int sb_gpu_memory(const sb_backend *be, uint64_t *free_bytes, uint64_t *total_bytes) {
    (void)be;
    (void)free_bytes;
    (void)total_bytes;
    return -1;
}

int sb_gpu_matrix_times(const sb_matrix *m, sb_gpu_times *t) {
    (void)m;
    (void)t;
    return -1;
}

int sb_gpu_kernel_info(int k, const char **kernel, int *regs, int *max_tpb, char *err, size_t errlen) {
    (void)k;
    (void)kernel;
    (void)regs;
    (void)max_tpb;
    snprintf(err, errlen, NO_CUDA);
    return -1;
}

int sb_gpu_pipes(const char *names[SB_GPU_PIPE_PROBES], double seconds[SB_GPU_PIPE_PROBES],
                 unsigned long long *mismatches, char *err, size_t errlen) {
    (void)names;
    (void)seconds;
    (void)mismatches;
    snprintf(err, errlen, NO_CUDA);
    return -1;
}

int sb_gpu_floors(double *copy_bytes_per_s, double *butterflies_per_s, double *keccak_f_per_s, char *err,
                  size_t errlen) {
    (void)copy_bytes_per_s;
    (void)butterflies_per_s;
    (void)keccak_f_per_s;
    snprintf(err, errlen, NO_CUDA);
    return -1;
}

int sb_gpu_noise_probe(double *ms, int n, char *err, size_t errlen) {
    (void)ms;
    (void)n;
    snprintf(err, errlen, NO_CUDA);
    return -1;
}
