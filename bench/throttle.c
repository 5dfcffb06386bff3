#include "throttle.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sb_throttled(double reasons, double busy_clock_mhz, double ref_clock_mhz) {
    if (isfinite(reasons) && reasons >= 0 && ((uint64_t)reasons & SB_THROTTLE_REASONS)) return 1;
    return busy_clock_mhz > 0 && ref_clock_mhz > 0 && busy_clock_mhz < SB_THROTTLE_CLOCK_FRACTION * ref_clock_mhz;
}

size_t sb_point_count_throttled(const sb_point *p) {
    const sb_metric *m = sb_point_find(p, "throttled");
    size_t n = 0;
    for (size_t k = 0; m && k < p->reps; k++) n += m->values[k] == 1;
    return n;
}

/* NANs values[k] for the flagged repetitions, keeping the measured values in *raw first. */
static void exclude(double *values, double **raw, size_t reps, const unsigned char *flagged) {
    if (!*raw) {
        *raw = malloc((reps ? reps : 1) * sizeof **raw);
        if (!*raw) {
            fprintf(stderr, "starkbench: out of memory\n");
            exit(2);
        }
        memcpy(*raw, values, reps * sizeof **raw);
    }
    for (size_t k = 0; k < reps; k++)
        if (flagged[k]) values[k] = NAN;
}

void sb_point_exclude_throttled(sb_point *p) {
    const sb_metric *mark = sb_point_find(p, "throttled");
    p->n_throttled = sb_point_count_throttled(p);
    if (!p->n_throttled) return;
    unsigned char *flagged = malloc(p->reps);
    if (!flagged) {
        fprintf(stderr, "starkbench: out of memory\n");
        exit(2);
    }
    for (size_t k = 0; k < p->reps; k++) flagged[k] = mark->values[k] == 1;
    exclude(p->real_time_ms, &p->raw_real_time_ms, p->reps, flagged);
    exclude(p->cpu_time_ms, &p->raw_cpu_time_ms, p->reps, flagged);
    for (size_t i = 0; i < p->n_metrics; i++) {
        sb_metric *m = &p->metrics[i];
        if (strcmp(m->key, "throttled") != 0 && strncmp(m->key, "nvml:", 5) != 0)
            exclude(m->values, &m->raw, p->reps, flagged);
    }
    free(flagged);
}
