#include "detector.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "stats.h"

#define CALIB_FORMAT "starkbench-calibration-2"

/* ---- calibration file ------------------------------------------------------------ */

/* Equal keys; any_card: the UUIDs may differ (another card of the same model and driver). */
static int key_equal(const sb_calib_key *a, const sb_calib_key *b, int any_card) {
    return strcmp(a->gpu, b->gpu) == 0 && strcmp(a->driver, b->driver) == 0 && strcmp(a->build, b->build) == 0 &&
           a->threads == b->threads && strcmp(a->table, b->table) == 0 && a->rows == b->rows && a->blowup == b->blowup &&
           (any_card || strcmp(a->uuid, b->uuid) == 0);
}

void sb_calib_entry_init(sb_calib_entry *e, const sb_calib_key *key) {
    memset(e, 0, sizeof *e);
    e->key = *key;
    for (int r = 0; r < SB_RANGE_COUNT; r++) e->cpu_ms[r] = e->gpu_ms[r] = NAN;
}

const sb_calib_entry *sb_calibration_find(const sb_calibration *c, const sb_calib_key *k) {
    for (size_t i = 0; c && i < c->n; i++)
        if (key_equal(&c->entries[i].key, k, 0)) return &c->entries[i];
    return NULL;
}

const sb_calib_entry *sb_calibration_lookup(const sb_calibration *c, const sb_calib_key *k) {
    const sb_calib_entry *e = sb_calibration_find(c, k);
    for (size_t i = 0; c && i < c->n && !e; i++)
        if (key_equal(&c->entries[i].key, k, 1)) e = &c->entries[i];
    return e;
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

/* The floors of that card (any_card: of any card of that model and driver), or NULL. */
static const sb_calib_floors *find_floors(const sb_calibration *c, const char *gpu, const char *driver, const char *uuid,
                                          int any_card) {
    for (size_t i = 0; c && i < c->n_floors; i++)
        if (strcmp(c->floors[i].gpu, gpu) == 0 && strcmp(c->floors[i].driver, driver) == 0 &&
            (any_card || strcmp(c->floors[i].uuid, uuid) == 0))
            return &c->floors[i];
    return NULL;
}

const sb_calib_floors *sb_calibration_floors(const sb_calibration *c, const char *gpu, const char *driver,
                                             const char *uuid) {
    const sb_calib_floors *f = find_floors(c, gpu, driver, uuid, 0);
    return f ? f : find_floors(c, gpu, driver, uuid, 1);
}

int sb_calibration_put_floors(sb_calibration *c, const sb_calib_floors *f) {
    sb_calib_floors *old = (sb_calib_floors *)find_floors(c, f->gpu, f->driver, f->uuid, 0);
    if (old) {
        *old = *f;
        return 0;
    }
    sb_calib_floors *grown = realloc(c->floors, (c->n_floors + 1) * sizeof *grown);
    if (!grown) return -1;
    c->floors = grown;
    c->floors[c->n_floors++] = *f;
    return 0;
}

void sb_calibration_free(sb_calibration *c) {
    free(c->entries);
    free(c->floors);
    c->entries = NULL;
    c->floors = NULL;
    c->n = c->n_floors = 0;
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

/* An entry: its key, and "ranges": {"<range name>": {"cpu_ms": C, "gpu_ms": G}, ...}; a range
 * this build does not name is skipped (a renamed range is simply not calibrated). */
static int entry_from_json(json_t *o, sb_calib_entry *e) {
    double threads, rows, blowup;
    sb_calib_key k;
    memset(&k, 0, sizeof k);
    json_t *ranges = json_object_get(o, "ranges");
    if (get_str(o, "gpu", k.gpu, sizeof k.gpu) || get_str(o, "driver", k.driver, sizeof k.driver) ||
        get_str(o, "build", k.build, sizeof k.build) || get_num(o, "threads", &threads) ||
        get_str(o, "table", k.table, sizeof k.table) || get_num(o, "rows", &rows) || get_num(o, "blowup", &blowup) ||
        !json_is_object(ranges))
        return -1;
    if (json_object_get(o, "uuid") && get_str(o, "uuid", k.uuid, sizeof k.uuid)) return -1; /* absent: calibrated before UUIDs */
    k.threads = (unsigned)threads;
    k.rows = (uint64_t)rows;
    k.blowup = (unsigned)blowup;
    sb_calib_entry_init(e, &k);
    const char *name;
    json_t *v;
    json_object_foreach(ranges, name, v) {
        double cpu, gpu;
        if (get_num(v, "cpu_ms", &cpu) || get_num(v, "gpu_ms", &gpu)) return -1;
        const sb_range_def *d = sb_range_find(name);
        if (d) e->cpu_ms[d - sb_range_defs] = cpu, e->gpu_ms[d - sb_range_defs] = gpu;
    }
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
        snprintf(err, errlen, "%s: not a starkbench calibration (format %s expected%s)", path, CALIB_FORMAT,
                 format && strncmp(format, "starkbench-calibration-", 23) == 0 ? ": an older one, run calibrate again"
                                                                              : "");
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
    json_t *floors = json_object_get(root, "floors"); /* optional: calibrations before the floors have none */
    json_array_foreach(floors, i, o) {
        sb_calib_floors f;
        memset(&f, 0, sizeof f);
        if (get_str(o, "gpu", f.gpu, sizeof f.gpu) || get_str(o, "driver", f.driver, sizeof f.driver) ||
            (json_object_get(o, "uuid") && get_str(o, "uuid", f.uuid, sizeof f.uuid)) ||
            get_num(o, "d2d_bytes_per_s", &f.d2d_bytes_per_s) || get_num(o, "butterflies_per_s", &f.butterflies_per_s) ||
            get_num(o, "keccak_f_per_s", &f.keccak_f_per_s) || sb_calibration_put_floors(c, &f) != 0) {
            snprintf(err, errlen, "%s: floors %zu lack a field or have a wrong type", path, i);
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
        json_t *ranges = json_object();
        for (int r = 0; r < SB_RANGE_COUNT; r++)
            if (!isnan(e->cpu_ms[r]) && !isnan(e->gpu_ms[r]))
                json_object_set_new(ranges, sb_range_defs[r].name,
                                    json_pack("{s:f, s:f}", "cpu_ms", e->cpu_ms[r], "gpu_ms", e->gpu_ms[r]));
        json_array_append_new(entries, json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:I, s:I, s:o}", "gpu", e->key.gpu,
                                                 "uuid", e->key.uuid, "driver", e->key.driver, "build", e->key.build, "threads",
                                                 (json_int_t)e->key.threads, "table", e->key.table, "rows",
                                                 (json_int_t)e->key.rows, "blowup", (json_int_t)e->key.blowup,
                                                 "ranges", ranges));
    }
    json_t *floors = json_array();
    for (size_t i = 0; i < c->n_floors; i++) {
        const sb_calib_floors *f = &c->floors[i];
        json_array_append_new(floors, json_pack("{s:s, s:s, s:s, s:f, s:f, s:f}", "gpu", f->gpu, "uuid", f->uuid,
                                                "driver", f->driver,
                                                "d2d_bytes_per_s", f->d2d_bytes_per_s, "butterflies_per_s",
                                                f->butterflies_per_s, "keccak_f_per_s", f->keccak_f_per_s));
    }
    json_t *root = json_pack("{s:s, s:o, s:o}", "format", CALIB_FORMAT, "entries", entries, "floors", floors);
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

void sb_range_key(char *key, size_t cap, const char *table, int id, const char *suffix) {
    if (table[0]) snprintf(key, cap, "%s:%s%s", table, sb_range_defs[id].name, suffix);
    else snprintf(key, cap, "%s%s", sb_range_defs[id].name, suffix);
}

static double metric_median(const sb_point *p, const char *table, int id, const char *suffix) {
    char key[sizeof ((sb_metric *)0)->key];
    sb_range_key(key, sizeof key, table, id, suffix);
    const sb_metric *m = sb_point_find(p, key);
    return m ? sb_median(m->values, p->reps) : NAN;
}

static double metric_extreme(const sb_point *p, const char *table, int id, const char *suffix, int want_max) {
    char key[sizeof ((sb_metric *)0)->key];
    sb_range_key(key, sizeof key, table, id, suffix);
    const sb_metric *m = sb_point_find(p, key);
    if (!m) return NAN;
    sb_stats s;
    sb_stats_compute(m->values, p->reps, &s);
    return want_max ? s.max : s.min;
}

/* Judges one GPU-configured table (table "": the ranges outside any table, rows 0) from timing
 * and CUPTI over every GPU range of the range table; writes a short why. */
static int judge_gpu_table(const sb_point *p, const char *table, uint64_t rows, const sb_detect_context *ctx,
                           char *why, size_t len) {
    int unchecked = 0, measured_any = 0;
    char first_unchecked[96] = "";
    sb_calib_key k;
    memset(&k, 0, sizeof k);
    snprintf(k.gpu, sizeof k.gpu, "%s", ctx->gpu ? ctx->gpu : "");
    snprintf(k.driver, sizeof k.driver, "%s", ctx->driver ? ctx->driver : "");
    snprintf(k.uuid, sizeof k.uuid, "%s", ctx->uuid ? ctx->uuid : "");
    snprintf(k.build, sizeof k.build, "%s", ctx->build ? ctx->build : "");
    snprintf(k.table, sizeof k.table, "%s", table);
    k.threads = p->threads;
    k.rows = rows;
    k.blowup = p->blowup;
    const sb_calib_entry *e = sb_calibration_lookup(ctx->calib, &k);
    for (int id = 0; id < SB_RANGE_COUNT; id++) {
        const sb_range_def *d = &sb_range_defs[id];
        const char *range = d->name;
        if (d->per_table != (table[0] != 0) || !sb_range_on_gpu((sb_range_id)id, ctx->device_ops)) continue;
        double ms = metric_median(p, table, id, "");
        if (isnan(ms)) continue; /* not run (e.g. a table without aux columns) */
        measured_any = 1;
        int checked = 0;
        /* A range whose GPU work is only commits must show a Keccak kernel; others any kernel. */
        const int keccak = sb_range_kinds_in(d, ctx->device_ops) == SB_OPK_COMMIT;
        const char *no_timing = "no calibration";
        if (e && !isnan(e->cpu_ms[id])) {
            double cpu = e->cpu_ms[id], gpu = e->gpu_ms[id];
            sb_timing_verdict tv = sb_detect_timing(ms, cpu, gpu);
            if (tv == SB_TIMING_CPU) {
                snprintf(why, len, "%s %.3g ms is nearer CPU %.3g ms than GPU %.3g ms", range, ms, cpu, gpu);
                return V_SUSPECTED;
            }
            checked = tv == SB_TIMING_GPU;
            no_timing = "CPU/GPU ratio under 3";
        }
        double launches = metric_extreme(p, table, id, ":launches", 0);
        if (!isnan(launches)) {
            double failed = metric_extreme(p, table, id, ":failed_launches", 1);
            double needed = keccak ? metric_extreme(p, table, id, ":keccak_launches", 0) : launches;
            if (failed > 0) {
                snprintf(why, len, "%s: a failed kernel launch in the CUDA runtime records", range);
                return V_SUSPECTED;
            }
            if (!(needed > 0)) {
                snprintf(why, len, "%s: no %s kernel in its CUPTI records", range, keccak ? "Keccak" : "GPU");
                return V_SUSPECTED;
            }
            checked = 1;
        }
        if (!checked && !unchecked++)
            snprintf(first_unchecked, sizeof first_unchecked, "%s: %s, no CUPTI", range, no_timing);
    }
    if (!measured_any) {
        snprintf(why, len, "no GPU range measured");
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
    /* The ranges outside any table are judged as one more table, "", where one runs GPU work. */
    int global = 0;
    for (int id = 0; id < SB_RANGE_COUNT; id++)
        global |= !sb_range_defs[id].per_table && sb_range_on_gpu((sb_range_id)id, ctx->device_ops);
    int worst = V_NA;
    size_t attributed = 0;
    const int on_gpu = strcmp(p->backend_used, "gpu") == 0 && p->threshold != SB_THRESHOLD_NEVER;
    for (size_t i = 0; i < n_tables + (size_t)global; i++) {
        const char *name = i < n_tables ? tables[i].name : "";
        const uint64_t rows = i < n_tables ? tables[i].rows : 0;
        char why[256] = "";
        size_t records = 0;
        const sb_fallback *first = NULL;
        size_t logged = p->n_fallbacks < SB_MAX_FALLBACKS ? p->n_fallbacks : SB_MAX_FALLBACKS;
        for (size_t f = 0; f < logged; f++)
            if (strcmp(p->fallbacks[f].table, name) == 0 && !records++) first = &p->fallbacks[f];
        attributed += records;
        int v;
        if (!on_gpu || (i < n_tables && rows * p->blowup < p->threshold)) {
            v = V_NA;
            snprintf(why, sizeof why, "on the CPU by configuration");
        } else if (records) {
            v = V_FALLBACK;
            snprintf(why, sizeof why, "%zu record(s), first: %.31s %.47s: %.100s", records, first->op, first->kernel,
                     first->error);
        } else {
            v = judge_gpu_table(p, name, rows, ctx, why, sizeof why);
        }
        if (v > worst) worst = v;
        char part[320];
        snprintf(part, sizeof part, "%s%s: %s (%s)", i ? "; " : "", name[0] ? name : "all tables", verdict_names[v],
                 why);
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
