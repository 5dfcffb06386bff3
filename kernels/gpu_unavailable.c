/* Built instead of the CUDA backend when no CUDA compiler was found. */
#include <stdio.h>

#include "backend.h"
#include "gpu_backend.h"

#define NO_CUDA "starkbench was built without CUDA"

sb_backend *sb_gpu_backend_create(const sb_backend_config *cfg, char *err, size_t errlen) {
    (void)cfg;
    snprintf(err, errlen, NO_CUDA);
    return NULL;
}

int sb_gpu_available(char *name, size_t len) {
    if (len) name[0] = 0;
    return 0;
}

int sb_gpu_commitment_times(const sb_commitment *c, sb_gpu_times *t) {
    (void)c;
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
