#include "detector.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "stats.h"

#define CALIB_FORMAT "starkbench-calibration-1"

/* ---- calibration file ------------------------------------------------------------ */

static int key_equal(const sb_calib_key *a, const sb_calib_key *b) {
    return strcmp(a->gpu, b->gpu) == 0 && strcmp(a->driver, b->driver) == 0 && strcmp(a->build, b->build) == 0 &&
           a->threads == b->threads && a->rows == b->rows && a->cols == b->cols && a->blowup == b->blowup;
}

const sb_calib_entry *sb_calibration_find(const sb_calibration *c, const sb_calib_key *k) {
    for (size_t i = 0; c && i < c->n; i++)
        if (key_equal(&c->entries[i].key, k)) return &c->entries[i];
    return NULL;
}

int sb_calibration_put(sb_calibration *c, const sb_calib_entry *e) {
    sb_calib_entry *old = (sb_calib_entry *)sb_calibration_find(c, &e->key);
    if (old) {
        *old = *e;
        return 0;
    }
    sb_calib_entry *grown = realloc(c->entries, (c->n + 1) * sizeof *grown);
    if (!grown) return -1;
    c->entries = grown;
    c->entries[c->n++] = *e;
    return 0;
}

void sb_calibration_free(sb_calibration *c) {
    free(c->entries);
    c->entries = NULL;
    c->n = 0;
}

static int get_str(json_t *o, const char *name, char *dst, size_t cap) {
    const char *s = json_string_value(json_object_get(o, name));
    if (!s || strlen(s) >= cap) return -1;
    strcpy(dst, s);
    return 0;
}

static int get_num(json_t *o, const char *name, double *out) {
    json_t *v = json_object_get(o, name);
    if (!json_is_number(v)) return -1;
    *out = json_number_value(v);
    return 0;
}

static int entry_from_json(json_t *o, sb_calib_entry *e) {
    double threads, rows, cols, blowup;
    memset(e, 0, sizeof *e);
    if (get_str(o, "gpu", e->key.gpu, sizeof e->key.gpu) || get_str(o, "driver", e->key.driver, sizeof e->key.driver) ||
        get_str(o, "build", e->key.build, sizeof e->key.build) || get_num(o, "threads", &threads) ||
        get_num(o, "rows", &rows) || get_num(o, "cols", &cols) || get_num(o, "blowup", &blowup) ||
        get_num(o, "lde_cpu_ms", &e->lde_cpu_ms) || get_num(o, "lde_gpu_ms", &e->lde_gpu_ms) ||
        get_num(o, "commit_cpu_ms", &e->commit_cpu_ms) || get_num(o, "commit_gpu_ms", &e->commit_gpu_ms))
        return -1;
    e->key.threads = (unsigned)threads;
    e->key.rows = (uint64_t)rows;
    e->key.cols = (unsigned)cols;
    e->key.blowup = (unsigned)blowup;
    return 0;
}

int sb_calibration_load(sb_calibration *c, const char *path, char *err, size_t errlen) {
    memset(c, 0, sizeof *c);
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT) return 0;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    json_error_t je;
    json_t *root = json_loadf(f, 0, &je);
    fclose(f);
    if (!root) {
        snprintf(err, errlen, "%s: not JSON (line %d: %s)", path, je.line, je.text);
        return -1;
    }
    json_t *entries = json_object_get(root, "entries");
    const char *format = json_string_value(json_object_get(root, "format"));
    if (!format || strcmp(format, CALIB_FORMAT) != 0 || !json_is_array(entries)) {
        snprintf(err, errlen, "%s: not a starkbench calibration (format %s expected)", path, CALIB_FORMAT);
        json_decref(root);
        return -1;
    }
    size_t i;
    json_t *o;
    json_array_foreach(entries, i, o) {
        sb_calib_entry e;
        if (entry_from_json(o, &e) != 0) {
            snprintf(err, errlen, "%s: entry %zu lacks a field or has a wrong type", path, i);
            json_decref(root);
            sb_calibration_free(c);
            return -1;
        }
        if (sb_calibration_put(c, &e) != 0) {
            snprintf(err, errlen, "%s: out of memory", path);
            json_decref(root);
            sb_calibration_free(c);
            return -1;
        }
    }
    json_decref(root);
    return 0;
}

int sb_calibration_save(const sb_calibration *c, const char *path, char *err, size_t errlen) {
    json_t *entries = json_array();
    for (size_t i = 0; i < c->n; i++) {
        const sb_calib_entry *e = &c->entries[i];
        json_array_append_new(entries,
                              json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:f}", "gpu", e->key.gpu,
                                        "driver", e->key.driver, "build", e->key.build, "threads",
                                        (json_int_t)e->key.threads, "rows", (json_int_t)e->key.rows, "cols",
                                        (json_int_t)e->key.cols, "blowup", (json_int_t)e->key.blowup, "lde_cpu_ms",
                                        e->lde_cpu_ms, "lde_gpu_ms", e->lde_gpu_ms, "commit_cpu_ms",
                                        e->commit_cpu_ms, "commit_gpu_ms", e->commit_gpu_ms));
    }
    json_t *root = json_pack("{s:s, s:o}", "format", CALIB_FORMAT, "entries", entries);
    sb_outfile out;
    int rc = sb_outfile_open(&out, path, err, errlen);
    if (rc == 0 && json_dumpf(root, out.f, JSON_INDENT(2)) != 0) {
        snprintf(err, errlen, "%s: write failed: %s", path, strerror(errno));
        sb_outfile_discard(&out);
        rc = -1;
    } else if (rc == 0) {
        rc = sb_outfile_close(&out, err, errlen);
    }
    json_decref(root);
    return rc;
}

/* ---- verdicts -------------------------------------------------------------------- */

sb_timing_verdict sb_detect_timing(double measured_ms, double cpu_ms, double gpu_ms) {
    if (!(measured_ms > 0 && cpu_ms > 0 && gpu_ms > 0)) return SB_TIMING_UNDETECTABLE;
    double ratio = cpu_ms / gpu_ms;
    if (!(ratio >= SB_DETECT_MIN_RATIO)) return SB_TIMING_UNDETECTABLE;
    double p = log(measured_ms / gpu_ms) / log(ratio);
    return p > 0.5 + SB_DETECT_MARGIN ? SB_TIMING_CPU : SB_TIMING_GPU;
}

/* Verdicts in order of severity: a point takes the worst of its tables. */
enum { V_NA, V_CLEAN, V_UNDETECTABLE, V_SUSPECTED, V_FALLBACK };
static const char *const verdict_names[] = {"n/a", "clean", "undetectable", "suspected-fallback", "fallback"};

/* The Round-1 ranges a GPU-configured table runs through the backend's lde/commit. */
static const struct {
    const char *range;
    int aux;    /* 1: the aux matrix's shape */
    int commit; /* 1: needs a Keccak kernel, 0: needs any kernel */
} checked_ranges[] = {
    {"R1 main LDE", 0, 0},
    {"R1 main commit", 0, 1},
    {"R1 aux LDE", 1, 0},
    {"R1 aux commit", 1, 1},
};

static double metric_median(const sb_point *p, const char *table, const char *range, const char *suffix) {
    char key[sizeof ((sb_metric *)0)->key];
    snprintf(key, sizeof key, "%s:%s%s", table, range, suffix);
    const sb_metric *m = sb_point_find(p, key);
    return m ? sb_median(m->values, p->reps) : NAN;
}

static double metric_extreme(const sb_point *p, const char *table, const char *range, const char *suffix, int want_max) {
    char key[sizeof ((sb_metric *)0)->key];
    snprintf(key, sizeof key, "%s:%s%s", table, range, suffix);
    const sb_metric *m = sb_point_find(p, key);
    if (!m) return NAN;
    sb_stats s;
    sb_stats_compute(m->values, p->reps, &s);
    return want_max ? s.max : s.min;
}

/* Judges one GPU-configured table from timing and CUPTI; writes a short why. */
static int judge_gpu_table(const sb_point *p, const sb_detect_table *t, const sb_detect_context *ctx, char *why,
                           size_t len) {
    int unchecked = 0, measured_any = 0;
    char first_unchecked[96] = "";
    for (size_t r = 0; r < sizeof checked_ranges / sizeof checked_ranges[0]; r++) {
        const char *range = checked_ranges[r].range;
        unsigned cols = checked_ranges[r].aux ? t->aux_cols : t->main_cols;
        double ms = metric_median(p, t->name, range, "");
        if (cols == 0 || isnan(ms)) continue;
        measured_any = 1;
        int checked = 0;
        sb_calib_key k;
        memset(&k, 0, sizeof k);
        snprintf(k.gpu, sizeof k.gpu, "%s", ctx->gpu ? ctx->gpu : "");
        snprintf(k.driver, sizeof k.driver, "%s", ctx->driver ? ctx->driver : "");
        snprintf(k.build, sizeof k.build, "%s", ctx->build ? ctx->build : "");
        k.threads = p->threads;
        k.rows = t->rows;
        k.cols = cols;
        k.blowup = p->blowup;
        const sb_calib_entry *e = sb_calibration_find(ctx->calib, &k);
        const char *no_timing = "no calibration";
        if (e) {
            double cpu = checked_ranges[r].commit ? e->commit_cpu_ms : e->lde_cpu_ms;
            double gpu = checked_ranges[r].commit ? e->commit_gpu_ms : e->lde_gpu_ms;
            sb_timing_verdict tv = sb_detect_timing(ms, cpu, gpu);
            if (tv == SB_TIMING_CPU) {
                snprintf(why, len, "%s %.3g ms is nearer CPU %.3g ms than GPU %.3g ms", range, ms, cpu, gpu);
                return V_SUSPECTED;
            }
            checked = tv == SB_TIMING_GPU;
            no_timing = "CPU/GPU ratio under 3";
        }
        double launches = metric_extreme(p, t->name, range, ":launches", 0);
        if (!isnan(launches)) {
            double failed = metric_extreme(p, t->name, range, ":failed_launches", 1);
            double needed = checked_ranges[r].commit ? metric_extreme(p, t->name, range, ":keccak_launches", 0) : launches;
            if (failed > 0) {
                snprintf(why, len, "%s: a failed kernel launch in the CUDA runtime records", range);
                return V_SUSPECTED;
            }
            if (!(needed > 0)) {
                snprintf(why, len, "%s: no %s kernel in its CUPTI records", range,
                         checked_ranges[r].commit ? "Keccak" : "GPU");
                return V_SUSPECTED;
            }
            checked = 1;
        }
        if (!checked && !unchecked++)
            snprintf(first_unchecked, sizeof first_unchecked, "%s: %s, no CUPTI", range, no_timing);
    }
    if (!measured_any) {
        snprintf(why, len, "no Round-1 range measured");
        return V_UNDETECTABLE;
    }
    if (unchecked) {
        snprintf(why, len, "%s", first_unchecked);
        return V_UNDETECTABLE;
    }
    snprintf(why, len, "timing/CUPTI consistent with the GPU");
    return V_CLEAN;
}

/* Appends src to the string dst of capacity cap, truncating (the reason is a summary). */
static void append(char *dst, size_t cap, const char *src) {
    size_t n = strlen(dst), m = strlen(src);
    if (n + m >= cap) m = cap - 1 - n;
    memcpy(dst + n, src, m);
    dst[n + m] = 0;
}

void sb_detect_point(sb_point *p, const sb_detect_table *tables, size_t n_tables, const sb_detect_context *ctx) {
    p->verdict_reason[0] = 0;
    if (strcmp(p->status, "ok") != 0) {
        snprintf(p->verdict, sizeof p->verdict, "n/a");
        snprintf(p->verdict_reason, sizeof p->verdict_reason, "point did not run to completion (%s)", p->status);
        return;
    }
    int worst = V_NA;
    size_t attributed = 0;
    for (size_t i = 0; i < n_tables; i++) {
        const sb_detect_table *t = &tables[i];
        char why[256] = "";
        size_t records = 0;
        const sb_fallback *first = NULL;
        size_t logged = p->n_fallbacks < SB_MAX_FALLBACKS ? p->n_fallbacks : SB_MAX_FALLBACKS;
        for (size_t f = 0; f < logged; f++)
            if (strcmp(p->fallbacks[f].table, t->name) == 0 && !records++) first = &p->fallbacks[f];
        attributed += records;
        int v;
        if (strcmp(p->backend_used, "gpu") != 0 || p->threshold == SB_THRESHOLD_NEVER ||
            t->rows * p->blowup < p->threshold) {
            v = V_NA;
            snprintf(why, sizeof why, "on the CPU by configuration");
        } else if (records) {
            v = V_FALLBACK;
            snprintf(why, sizeof why, "%zu record(s), first: %.31s %.47s: %.100s", records, first->op, first->kernel,
                     first->error);
        } else {
            v = judge_gpu_table(p, t, ctx, why, sizeof why);
        }
        if (v > worst) worst = v;
        char part[320];
        snprintf(part, sizeof part, "%s%s: %s (%s)", i ? "; " : "", t->name, verdict_names[v], why);
        append(p->verdict_reason, sizeof p->verdict_reason, part);
    }
    if (attributed < p->n_fallbacks) { /* records of unknown tables, or beyond the kept log */
        char part[200];
        snprintf(part, sizeof part, "; %zu fallback record(s) outside the known tables", p->n_fallbacks - attributed);
        append(p->verdict_reason, sizeof p->verdict_reason, part);
        worst = V_FALLBACK;
    }
    snprintf(p->verdict, sizeof p->verdict, "%s", verdict_names[worst]);
}
