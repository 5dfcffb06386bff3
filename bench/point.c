#include "point.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "air.h"

static const char *backend_name(sb_backend_kind k) {
    return k == SB_BACKEND_CPU ? "cpu" : k == SB_BACKEND_GPU ? "gpu" : "auto";
}

static void tpb_string(const unsigned tpb[SB_K_COUNT], char *out, size_t len) {
    size_t used = 0;
    out[0] = 0;
    for (int k = 0; k < SB_K_COUNT; k++)
        if (tpb[k] && used < len)
            used += (size_t)snprintf(out + used, len - used, "%s%s=%u", used ? "," : "", sb_kernel_names[k], tpb[k]);
    if (!used) snprintf(out, len, "default");
}

static void threshold_string(uint64_t t, char *out, size_t len) {
    if (t == SB_THRESHOLD_NEVER) snprintf(out, len, "inf");
    else snprintf(out, len, "%llu", (unsigned long long)t);
}

void sb_point_config_name(const sb_point_config *c, char *name, size_t len) {
    char tpb[128], th[24];
    tpb_string(c->tpb, tpb, sizeof tpb);
    threshold_string(c->threshold, th, sizeof th);
    snprintf(name, len, "prove/steps:%u/blowup:%u/backend:%s/threshold:%s/tp:%u/threads:%u/tpb:%s", c->log_steps,
             c->blowup, backend_name(c->backend), th, c->tp, c->threads, tpb);
}

void sb_point_config_apply(const sb_point_config *c, sb_point *p) {
    sb_point_config_name(c, p->name, sizeof p->name);
    p->log_steps = c->log_steps;
    p->blowup = c->blowup;
    p->tp = c->tp;
    p->threads = c->threads;
    p->backend = c->backend;
    p->threshold = c->threshold;
    tpb_string(c->tpb, p->tpb, sizeof p->tpb);
}

int sb_point_config_argv(const sb_point_config *c, char **argv, int argc, char *buf, size_t cap) {
    char tpb[128], th[24];
    tpb_string(c->tpb, tpb, sizeof tpb);
    threshold_string(c->threshold, th, sizeof th);
    char vals[6][136];
    const char *flags[6] = {"--steps", "--blowup", "--backend", "--gpu-threshold", "--tp", "--threads"};
    snprintf(vals[0], sizeof vals[0], "2^%u", c->log_steps);
    snprintf(vals[1], sizeof vals[1], "%u", c->blowup);
    snprintf(vals[2], sizeof vals[2], "%s", backend_name(c->backend));
    snprintf(vals[3], sizeof vals[3], "%s", th);
    snprintf(vals[4], sizeof vals[4], "%u", c->tp);
    snprintf(vals[5], sizeof vals[5], "%u", c->threads);
    size_t used = 0;
    int n_flags = strcmp(tpb, "default") ? 7 : 6;
    for (int i = 0; i < n_flags; i++) {
        const char *flag = i < 6 ? flags[i] : "--tpb";
        const char *val = i < 6 ? vals[i] : tpb;
        size_t lf = strlen(flag) + 1, lv = strlen(val) + 1;
        if (used + lf + lv > cap) return -1;
        argv[argc++] = memcpy(buf + used, flag, lf);
        used += lf;
        argv[argc++] = memcpy(buf + used, val, lv);
        used += lv;
    }
    return argc;
}

int sb_point_tables(unsigned log_steps, sb_detect_table *tables, char *err, size_t errlen) {
    const sb_air *air = sb_air_fib();
    /* Table heights follow from the step count alone; running the machine for the public
     * output (public_values) would cost seconds at 2^30 steps. */
    sb_public pub = {log_steps, 0, 0};
    if (air->n_tables > SB_POINT_MAX_TABLES) {
        snprintf(err, errlen, "the AIR has %zu tables (at most %d supported)", air->n_tables, SB_POINT_MAX_TABLES);
        return -1;
    }
    for (size_t t = 0; t < air->n_tables; t++) {
        const sb_table_air *ta = &air->tables[t];
        tables[t].name = ta->name;
        tables[t].rows = 1ULL << ta->log_rows(&pub);
        tables[t].main_cols = (unsigned)ta->n_main;
        tables[t].aux_cols = (unsigned)(3 * ta->n_aux);
    }
    return (int)air->n_tables;
}

/* Bytes of a committed matrix: the trace, its LDE and its Merkle tree (2 * LDE rows digests). */
static uint64_t matrix_bytes(uint64_t rows, unsigned cols, unsigned blowup) {
    uint64_t lde_rows = rows * blowup;
    return (rows + lde_rows) * cols * sizeof(uint64_t) + 2 * lde_rows * sizeof(sb_digest);
}

/* The composition polynomial of degree-3 constraints splits into 2 parts, Fp3 each. */
#define SB_COMPOSITION_COLS 6

void sb_point_memory(const sb_point_config *c, const sb_detect_table *tables, size_t n, sb_memory_model *m) {
    m->host_bytes = m->device_bytes = 0;
    int gpu = c->backend != SB_BACKEND_CPU && c->threshold != SB_THRESHOLD_NEVER;
    for (size_t t = 0; t < n; t++) {
        uint64_t committed = matrix_bytes(tables[t].rows, tables[t].main_cols, c->blowup) +
                             matrix_bytes(tables[t].rows, tables[t].aux_cols, c->blowup);
        m->host_bytes += committed + matrix_bytes(tables[t].rows, SB_COMPOSITION_COLS, c->blowup);
        if (gpu && tables[t].rows * c->blowup >= c->threshold) m->device_bytes += committed;
    }
}

sb_point *sb_point_move(sb_results *dst, sb_point *src) {
    sb_point *pts = realloc(dst->points, (dst->n_points + 1) * sizeof *pts);
    if (!pts) {
        fprintf(stderr, "starkbench: out of memory\n");
        exit(2);
    }
    dst->points = pts;
    sb_point *p = &pts[dst->n_points++];
    *p = *src;
    src->n_metrics = 0;
    src->metrics = NULL;
    src->real_time_ms = src->cpu_time_ms = src->raw_real_time_ms = src->raw_cpu_time_ms = NULL;
    src->n_fallbacks = 0;
    src->fallbacks = NULL;
    return p;
}
