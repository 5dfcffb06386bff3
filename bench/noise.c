#include "noise.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "adaptive.h"
#include "../kernels/gpu_backend.h"
#include "keccak.h"
#include "range.h"
#include "stats.h"

void sb_noise_cpu_probe(double *noise_pct, double *median_ms) {
    uint64_t st[25];
    double ms[SB_NOISE_PROBE_REPS];
    memset(st, 0, sizeof st);
    for (int i = -1; i < SB_NOISE_PROBE_REPS; i++) {
        double t0 = sb_now();
        for (int k = 0; k < SB_NOISE_CPU_PERMUTATIONS; k++) keccak_f1600(st);
        if (i >= 0) ms[i] = 1e3 * (sb_now() - t0);
    }
    /* the state depends on every permutation, so none can be skipped; its value is irrelevant */
    __asm__ volatile("" : : "r"(st[0]) : "memory");
    *noise_pct = sb_noise_pct(ms, SB_NOISE_PROBE_REPS);
    *median_ms = sb_median(ms, SB_NOISE_PROBE_REPS);
}

int sb_noise_gpu_child(void) {
    double ms[SB_NOISE_PROBE_REPS];
    char err[256];
    if (sb_gpu_noise_probe(ms, SB_NOISE_PROBE_REPS, err, sizeof err) != 0) {
        fprintf(stderr, "starkbench: GPU noise probe: %s\n", err);
        return 1;
    }
    printf("gpu-noise: %.6g %.6g\n", sb_noise_pct(ms, SB_NOISE_PROBE_REPS), sb_median(ms, SB_NOISE_PROBE_REPS));
    return 0;
}

int sb_noise_gpu_parse(const char *line, double *noise_pct, double *median_ms) {
    return sscanf(line, "gpu-noise: %lf %lf", noise_pct, median_ms) == 2 ? 0 : -1;
}
