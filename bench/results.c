/* Results files: Google Benchmark JSON (jansson) + flat CSV, and the loader.
 * docs/RESULTS.md is the format's reference; keep the two in step. */
#include "results.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "options.h"
#include "outfile.h"
#include "stats.h"
#include "throttle.h"

/* ---- the data model ---------------------------------------------------------- */

/* Copies src (NULL = "") into dst of cap bytes, truncating. */
static void copy_str(char *dst, size_t cap, const char *src) {
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) n = cap - 1;
    if (n) memcpy(dst, src, n);
    dst[n] = 0;
}

/* Reads the first line of a small file into buf (newline stripped). Returns 0 or -1. */
static int read_line(const char *path, char *buf, size_t cap) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    int ok = fgets(buf, (int)cap, f) != NULL;
    fclose(f);
    if (!ok) return -1;
    buf[strcspn(buf, "\n")] = 0;
    return 0;
}

static double cpu_mhz(void) {
    char line[256];
    if (read_line("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", line, sizeof line) == 0)
        return atof(line) / 1000.0; /* kHz */
    FILE *f = fopen("/proc/cpuinfo", "r");
    double mhz = 0;
    if (!f) return mhz;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "cpu MHz", 7) == 0) {
            const char *colon = strchr(line, ':');
            if (colon) mhz = atof(colon + 1);
            break;
        }
    fclose(f);
    return mhz;
}

/* As Google Benchmark decides it: any CPU whose governor is not "performance". */
static int cpu_scaling_enabled(int num_cpus) {
    for (int c = 0; c < num_cpus; c++) {
        char path[96], gov[64];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_governor", c);
        if (read_line(path, gov, sizeof gov) == 0 && strcmp(gov, "performance") != 0) return 1;
    }
    return 0;
}

static int popcount_hex_map(const char *map) {
    int n = 0;
    for (const char *s = map; *s; s++) {
        int v = (*s >= '0' && *s <= '9') ? *s - '0' : (*s >= 'a' && *s <= 'f') ? *s - 'a' + 10 : 0;
        n += __builtin_popcount((unsigned)v);
    }
    return n;
}

static void read_caches(sb_results *r) {
    for (int i = 0; r->n_caches < SB_MAX_CACHES; i++) {
        char dir[80], path[128], v[64];
        snprintf(dir, sizeof dir, "/sys/devices/system/cpu/cpu0/cache/index%d", i);
        snprintf(path, sizeof path, "%s/type", dir);
        if (read_line(path, v, sizeof v) != 0) break;
        sb_cache *c = &r->caches[r->n_caches++];
        copy_str(c->type, sizeof c->type, v);
        snprintf(path, sizeof path, "%s/level", dir);
        c->level = read_line(path, v, sizeof v) == 0 ? atoi(v) : 0;
        snprintf(path, sizeof path, "%s/size", dir);
        c->size = 0;
        if (read_line(path, v, sizeof v) == 0) {
            char *end;
            c->size = strtoll(v, &end, 10);
            if (*end == 'K') c->size <<= 10;
            else if (*end == 'M') c->size <<= 20;
        }
        snprintf(path, sizeof path, "%s/shared_cpu_map", dir);
        c->num_sharing = read_line(path, v, sizeof v) == 0 ? popcount_hex_map(v) : 0;
    }
}

/* GPU name, driver and the driver's CUDA version from `nvidia-smi -q` (never CUDA itself:
 * the sweep's parent process must not initialise it). Leaves the fields empty without a GPU. */
static void read_gpu(sb_results *r) {
    FILE *f = popen("command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -q -i 0 2>/dev/null", "r");
    if (!f) return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        char *val = colon + 1;
        while (*val == ' ') val++;
        val[strcspn(val, "\n")] = 0;
        if (strstr(line, "Product Name") && !r->gpu_name[0]) copy_str(r->gpu_name, sizeof r->gpu_name, val);
        else if (strstr(line, "Driver Version") && !r->gpu_driver[0]) copy_str(r->gpu_driver, sizeof r->gpu_driver, val);
        else if (strstr(line, "CUDA Version") && !r->cuda_version[0]) copy_str(r->cuda_version, sizeof r->cuda_version, val);
    }
    pclose(f);
}

void sb_results_init(sb_results *r, int argc, char **argv) {
    memset(r, 0, sizeof *r);
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char tz[8];
    strftime(r->date, sizeof r->date, "%Y-%m-%dT%H:%M:%S", &tm);
    strftime(tz, sizeof tz, "%z", &tm); /* +hhmm -> +hh:mm as Google Benchmark writes it */
    size_t dl = strlen(r->date);
    snprintf(r->date + dl, sizeof r->date - dl, "%.3s:%.2s", tz, tz + 3);
    if (gethostname(r->host_name, sizeof r->host_name) != 0) copy_str(r->host_name, sizeof r->host_name, "unknown");
    r->host_name[sizeof r->host_name - 1] = 0;
    copy_str(r->executable, sizeof r->executable, argc > 0 ? argv[0] : "starkbench");
    for (int i = 0; i < argc; i++) {
        size_t len = strlen(r->command_line);
        snprintf(r->command_line + len, sizeof r->command_line - len, "%s%s", i ? " " : "", argv[i]);
    }
    r->num_cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
    r->mhz_per_cpu = cpu_mhz();
    r->cpu_scaling_enabled = cpu_scaling_enabled(r->num_cpus);
    if (getloadavg(r->load_avg, 3) != 3) r->load_avg[0] = r->load_avg[1] = r->load_avg[2] = 0;
    read_caches(r);
    copy_str(r->library_build_type, sizeof r->library_build_type,
             strcmp(SB_BUILD_TYPE, "Debug") == 0 ? "debug" : "release");
    copy_str(r->git_commit, sizeof r->git_commit, SB_GIT_COMMIT);
    copy_str(r->build_type, sizeof r->build_type, SB_BUILD_TYPE);
    read_gpu(r);
    r->range_sync = 1;
    r->cupti_overhead_pct = NAN;
    r->noise_cpu_pct = r->noise_cpu_ms = r->noise_gpu_pct = r->noise_gpu_ms = r->locked_clock_mhz = NAN;
}

static double *nan_array(size_t n) {
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) {
        fprintf(stderr, "starkbench: out of memory\n");
        exit(2);
    }
    for (size_t i = 0; i < n; i++) v[i] = NAN;
    return v;
}

sb_point *sb_results_add_point(sb_results *r, size_t reps) {
    sb_point *pts = realloc(r->points, (r->n_points + 1) * sizeof *pts);
    if (!pts) {
        fprintf(stderr, "starkbench: out of memory\n");
        exit(2);
    }
    r->points = pts;
    sb_point *p = &pts[r->n_points++];
    memset(p, 0, sizeof *p);
    p->reps = reps;
    p->real_time_ms = nan_array(reps);
    p->cpu_time_ms = nan_array(reps);
    copy_str(p->status, sizeof p->status, "ok");
    copy_str(p->verdict, sizeof p->verdict, "n/a");
    copy_str(p->backend_used, sizeof p->backend_used, "cpu");
    copy_str(p->tpb, sizeof p->tpb, "default");
    p->tp = 1;
    p->noise_pct = NAN;
    p->gpu_index = -1;
    return p;
}

const sb_metric *sb_point_find(const sb_point *p, const char *key) {
    for (size_t i = 0; i < p->n_metrics; i++)
        if (strcmp(p->metrics[i].key, key) == 0) return &p->metrics[i];
    return NULL;
}

sb_metric *sb_point_metric(sb_point *p, const char *key) {
    sb_metric *m = (sb_metric *)sb_point_find(p, key);
    if (m) return m;
    sb_metric *ms = realloc(p->metrics, (p->n_metrics + 1) * sizeof *ms);
    if (!ms) {
        fprintf(stderr, "starkbench: out of memory\n");
        exit(2);
    }
    p->metrics = ms;
    m = &ms[p->n_metrics++];
    copy_str(m->key, sizeof m->key, key);
    m->values = nan_array(p->reps);
    m->raw = NULL;
    return m;
}

void sb_results_free(sb_results *r) {
    for (size_t i = 0; i < r->n_points; i++) {
        sb_point *p = &r->points[i];
        for (size_t k = 0; k < p->n_metrics; k++) {
            free(p->metrics[k].values);
            free(p->metrics[k].raw);
        }
        free(p->metrics);
        free(p->real_time_ms);
        free(p->cpu_time_ms);
        free(p->raw_real_time_ms);
        free(p->raw_cpu_time_ms);
        free(p->fallbacks);
    }
    free(r->points);
    r->points = NULL;
    r->n_points = 0;
}

int sb_metric_is_round(const char *key) {
    /* "<table>:R<k> <name>": a table's round range (docs/ARCHITECTURE.md "Ranges"). Keys with a third part are
     * CUPTI figures of a range; "<range>:<figure>" are those of a range outside any table. */
    const char *colon = strchr(key, ':');
    if (!colon || colon == key || strchr(colon + 1, ':')) return 0;
    return colon[1] == 'R' && colon[2] >= '1' && colon[2] <= '9' && colon[3] == ' ';
}

int sb_verdict_rank(const char *v) { return strcmp(v, "fallback") == 0 ? 2 : strcmp(v, "suspected-fallback") == 0; }

const double *sb_point_total(const sb_point *p) {
    const sb_metric *m = sb_point_find(p, "total");
    return m ? m->values : p->real_time_ms;
}

const char *sb_format_ms(double ms, char buf[24]) {
    if (isnan(ms)) snprintf(buf, 24, "-");
    else snprintf(buf, 24, fabs(ms) >= 1 || ms == 0 ? "%.3f" : "%.4g", ms);
    return buf;
}

/* ---- writing ------------------------------------------------------------------- */

/* The aggregates written after a point's repetitions: Google Benchmark's four, then ours. */
enum { AGG_MEAN, AGG_MEDIAN, AGG_STDDEV, AGG_CV, AGG_MIN, AGG_MAX, AGG_MAD, AGG_COUNT };
static const char *const agg_names[AGG_COUNT] = {"mean", "median", "stddev", "cv", "min", "max", "mad"};

static double agg_value(const sb_stats *s, int a) {
    switch (a) {
    case AGG_MEAN: return s->mean;
    case AGG_MEDIAN: return s->median;
    case AGG_STDDEV: return s->stddev;
    case AGG_CV: return s->cv;
    case AGG_MIN: return s->min;
    case AGG_MAX: return s->max;
    default: return s->mad;
    }
}

static double agg_of(const double *x, size_t n, int a) {
    sb_stats s;
    sb_stats_compute(x, n, &s);
    return agg_value(&s, a);
}

/* JSON has no NaN or infinity: a missing value is an absent key (or null in the context). */
static void set_num(json_t *o, const char *key, double v) {
    if (isfinite(v)) json_object_set_new(o, key, json_real(v));
}

static void set_threshold(json_t *o, uint64_t t) {
    if (t == SB_THRESHOLD_NEVER) json_object_set_new(o, "gpu_threshold", json_string("inf"));
    else json_object_set_new(o, "gpu_threshold", json_integer((json_int_t)t));
}

static const char *backend_name(sb_backend_kind k) {
    return k == SB_BACKEND_CPU ? "cpu" : k == SB_BACKEND_GPU ? "gpu" : "auto";
}

static int point_ok(const sb_point *p) { return strcmp(p->status, "ok") == 0; }

/* A repetition's values as measured (what the files hold): raw where throttled ones are excluded. */
static const double *measured(const double *values, const double *raw) { return raw ? raw : values; }

/* The fields every entry of point p carries: Google Benchmark's identity keys and our point. */
static json_t *entry_common(const sb_point *p, size_t family, const char *suffix) {
    char name[300];
    snprintf(name, sizeof name, "%s%s", p->name, suffix);
    json_t *e = json_object();
    json_object_set_new(e, "name", json_string(name));
    json_object_set_new(e, "family_index", json_integer((json_int_t)family));
    json_object_set_new(e, "per_family_instance_index", json_integer(0));
    json_object_set_new(e, "run_name", json_string(p->name));
    json_object_set_new(e, "repetitions", json_integer((json_int_t)p->reps));
    json_object_set_new(e, "threads", json_integer(1));
    json_object_set_new(e, "steps", json_integer((json_int_t)1 << p->log_steps));
    json_object_set_new(e, "log_steps", json_integer(p->log_steps));
    if (p->blowup) json_object_set_new(e, "blowup", json_integer(p->blowup)); /* 0: not known (a Google Benchmark file) */
    json_object_set_new(e, "backend", json_string(backend_name(p->backend)));
    json_object_set_new(e, "backend_used", json_string(p->backend_used));
    set_threshold(e, p->threshold);
    json_object_set_new(e, "tp", json_integer(p->tp));
    json_object_set_new(e, "cpu_threads", json_integer(p->threads));
    json_object_set_new(e, "tpb", json_string(p->tpb));
    json_object_set_new(e, "status", json_string(p->status));
    json_object_set_new(e, "proof_digest", json_string(p->proof_digest));
    json_object_set_new(e, "digest_mismatch", json_boolean(p->digest_mismatch));
    json_t *fb = json_array();
    size_t logged = p->n_fallbacks < SB_MAX_FALLBACKS ? p->n_fallbacks : SB_MAX_FALLBACKS;
    for (size_t i = 0; p->fallbacks && i < logged; i++) {
        const sb_fallback *f = &p->fallbacks[i];
        json_array_append_new(fb, json_pack("{s:s,s:s,s:s,s:s,s:s}", "table", f->table, "op", f->op, "kernel",
                                            f->kernel, "launch", f->launch, "error", f->error));
    }
    json_object_set_new(e, "fallbacks", fb);
    json_object_set_new(e, "fallback_count", json_integer((json_int_t)p->n_fallbacks));
    json_object_set_new(e, "verdict", json_string(p->verdict));
    json_object_set_new(e, "verdict_reason", json_string(p->verdict_reason));
    if (p->stop_reason[0]) json_object_set_new(e, "stop_reason", json_string(p->stop_reason));
    set_num(e, "noise_pct", p->noise_pct);
    if (p->gpu_index >= 0) {
        json_object_set_new(e, "gpu_index", json_integer(p->gpu_index));
        json_object_set_new(e, "gpu_name", json_string(p->gpu_name));
        json_object_set_new(e, "gpu_uuid", json_string(p->gpu_uuid));
    }
    return e;
}

static void mark_error(json_t *e, const sb_point *p) {
    json_object_set_new(e, "error_occurred", json_true());
    json_object_set_new(e, "error_message", json_string(p->error[0] ? p->error : p->status));
}

static json_t *results_to_json(const sb_results *r) {
    json_t *ctx = json_object();
    json_object_set_new(ctx, "date", json_string(r->date));
    json_object_set_new(ctx, "host_name", json_string(r->host_name));
    json_object_set_new(ctx, "executable", json_string(r->executable));
    json_object_set_new(ctx, "num_cpus", json_integer(r->num_cpus));
    json_object_set_new(ctx, "mhz_per_cpu", json_integer((json_int_t)llround(r->mhz_per_cpu)));
    json_object_set_new(ctx, "cpu_scaling_enabled", json_boolean(r->cpu_scaling_enabled));
    json_t *caches = json_array();
    for (size_t i = 0; i < r->n_caches; i++)
        json_array_append_new(caches, json_pack("{s:s,s:i,s:I,s:i}", "type", r->caches[i].type, "level",
                                                r->caches[i].level, "size", (json_int_t)r->caches[i].size,
                                                "num_sharing", r->caches[i].num_sharing));
    json_object_set_new(ctx, "caches", caches);
    json_object_set_new(ctx, "load_avg", json_pack("[f,f,f]", r->load_avg[0], r->load_avg[1], r->load_avg[2]));
    json_object_set_new(ctx, "library_build_type", json_string(r->library_build_type));
    json_object_set_new(ctx, "json_schema_version", json_integer(1));
    json_object_set_new(ctx, "gpu_name", json_string(r->gpu_name));
    json_object_set_new(ctx, "gpu_driver", json_string(r->gpu_driver));
    json_object_set_new(ctx, "cuda_version", json_string(r->cuda_version));
    json_object_set_new(ctx, "git_commit", json_string(r->git_commit));
    json_object_set_new(ctx, "build_type", json_string(r->build_type));
    json_object_set_new(ctx, "command_line", json_string(r->command_line));
    json_object_set_new(ctx, "range_sync", json_boolean(r->range_sync));
    json_object_set_new(ctx, "cupti", json_boolean(r->cupti));
    json_object_set_new(ctx, "cupti_overhead_pct",
                        isfinite(r->cupti_overhead_pct) ? json_real(r->cupti_overhead_pct) : json_null());
    json_object_set_new(ctx, "keep_throttled", json_boolean(r->keep_throttled));
    const struct { const char *key; double v; } nullable[] = {
        {"noise_cpu_pct", r->noise_cpu_pct}, {"noise_cpu_ms", r->noise_cpu_ms}, {"noise_gpu_pct", r->noise_gpu_pct},
        {"noise_gpu_ms", r->noise_gpu_ms},   {"locked_clock_mhz", r->locked_clock_mhz}};
    for (size_t i = 0; i < sizeof nullable / sizeof nullable[0]; i++)
        json_object_set_new(ctx, nullable[i].key, isfinite(nullable[i].v) ? json_real(nullable[i].v) : json_null());
    json_object_set_new(ctx, "delay_round", json_string(r->delay_round));
    json_t *gpus = json_array();
    for (size_t i = 0; i < r->n_gpus; i++) {
        const sb_gpu_info *g = &r->gpus[i];
        json_t *o = json_pack("{s:i,s:s,s:s}", "index", (int)g->index, "name", g->name, "uuid", g->uuid);
        json_object_set_new(o, "memory_mib", g->memory_total ? json_real((double)g->memory_total / (1 << 20)) : json_null());
        json_object_set_new(o, "noise_gpu_pct", isfinite(g->noise_pct) ? json_real(g->noise_pct) : json_null());
        json_object_set_new(o, "noise_gpu_ms", isfinite(g->noise_ms) ? json_real(g->noise_ms) : json_null());
        json_array_append_new(gpus, o);
    }
    json_object_set_new(ctx, "gpus", gpus);
    if (r->shard_count) {
        json_object_set_new(ctx, "shard_index", json_integer(r->shard_index));
        json_object_set_new(ctx, "shard_count", json_integer(r->shard_count));
        json_object_set_new(ctx, "plan_points", json_integer((json_int_t)r->plan_points));
    }

    json_t *bms = json_array();
    for (size_t i = 0; i < r->n_points; i++) {
        const sb_point *p = &r->points[i];
        if (p->reps == 0) { /* never ran (infeasible, skipped): one entry carries the point */
            json_t *e = entry_common(p, i, "");
            json_object_set_new(e, "run_type", json_string("iteration"));
            json_object_set_new(e, "repetition_index", json_integer(0));
            json_object_set_new(e, "iterations", json_integer(0));
            json_object_set_new(e, "real_time", json_real(0));
            json_object_set_new(e, "cpu_time", json_real(0));
            json_object_set_new(e, "time_unit", json_string("ms"));
            mark_error(e, p);
            json_array_append_new(bms, e);
            continue;
        }
        const double *real = measured(p->real_time_ms, p->raw_real_time_ms), *cpu = measured(p->cpu_time_ms, p->raw_cpu_time_ms);
        for (size_t k = 0; k < p->reps; k++) {
            json_t *e = entry_common(p, i, "");
            json_object_set_new(e, "run_type", json_string("iteration"));
            json_object_set_new(e, "repetition_index", json_integer((json_int_t)k));
            json_object_set_new(e, "iterations", json_integer(1));
            json_object_set_new(e, "real_time", json_real(isfinite(real[k]) ? real[k] : 0));
            json_object_set_new(e, "cpu_time", json_real(isfinite(cpu[k]) ? cpu[k] : 0));
            json_object_set_new(e, "time_unit", json_string("ms"));
            for (size_t m = 0; m < p->n_metrics; m++)
                set_num(e, p->metrics[m].key, measured(p->metrics[m].values, p->metrics[m].raw)[k]);
            if (!point_ok(p) || !isfinite(real[k])) mark_error(e, p);
            json_array_append_new(bms, e);
        }
        if (!point_ok(p)) continue; /* as Google Benchmark: no aggregates of a failed run */
        for (int a = 0; a < AGG_COUNT; a++) {
            char suffix[16];
            snprintf(suffix, sizeof suffix, "_%s", agg_names[a]);
            json_t *e = entry_common(p, i, suffix);
            json_object_set_new(e, "run_type", json_string("aggregate"));
            json_object_set_new(e, "aggregate_name", json_string(agg_names[a]));
            json_object_set_new(e, "aggregate_unit", json_string(a == AGG_CV ? "percentage" : "time"));
            json_object_set_new(e, "iterations", json_integer((json_int_t)p->reps));
            double rt = agg_of(p->real_time_ms, p->reps, a), ct = agg_of(p->cpu_time_ms, p->reps, a);
            json_object_set_new(e, "real_time", json_real(isfinite(rt) ? rt : 0));
            json_object_set_new(e, "cpu_time", json_real(isfinite(ct) ? ct : 0));
            json_object_set_new(e, "time_unit", json_string("ms"));
            for (size_t m = 0; m < p->n_metrics; m++)
                set_num(e, p->metrics[m].key, agg_of(p->metrics[m].values, p->reps, a));
            json_array_append_new(bms, e);
        }
    }
    json_t *root = json_object();
    json_object_set_new(root, "context", ctx);
    json_object_set_new(root, "benchmarks", bms);
    return root;
}

/* CSV: RFC 4180 quoting where a field needs it. */
static void csv_str(FILE *f, const char *s) {
    if (strpbrk(s, ",\"\n\r") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_num(FILE *f, double v) {
    if (isfinite(v)) fprintf(f, ",%.17g", v);
    else fputc(',', f);
}

/* Collects the union of metric keys over all points, in order of first appearance. */
static const char **metric_union(const sb_results *r, size_t *n) {
    size_t cap = 0;
    for (size_t i = 0; i < r->n_points; i++) cap += r->points[i].n_metrics;
    const char **keys = malloc((cap ? cap : 1) * sizeof *keys);
    *n = 0;
    if (!keys) return NULL;
    for (size_t i = 0; i < r->n_points; i++)
        for (size_t m = 0; m < r->points[i].n_metrics; m++) {
            const char *k = r->points[i].metrics[m].key;
            size_t j = 0;
            while (j < *n && strcmp(keys[j], k) != 0) j++;
            if (j == *n) keys[(*n)++] = k;
        }
    return keys;
}

static const char *const csv_fixed[] = {
    "name", "run_name", "run_type", "aggregate_name", "repetition_index", "steps", "blowup", "backend",
    "backend_used", "gpu_threshold", "tp", "cpu_threads", "tpb", "status", "error", "verdict",
    "digest_mismatch", "fallback_count", "proof_digest", "real_time_ms", "cpu_time_ms", "stop_reason", "noise_pct",
    "gpu_index", "gpu_name", "gpu_uuid"};

enum { CSV_AGGREGATE = -1, CSV_NEVER_RAN = -2 };

/* One CSV row: rep >= 0 a repetition, CSV_AGGREGATE aggregate agg, CSV_NEVER_RAN a point without
 * repetitions (no values). */
static void csv_row(FILE *f, const sb_point *p, long rep, int agg, const char **keys, size_t n_keys) {
    char name[300], threshold[24];
    int is_agg = rep == CSV_AGGREGATE;
    snprintf(name, sizeof name, "%s%s%s", p->name, is_agg ? "_" : "", is_agg ? agg_names[agg] : "");
    if (p->threshold == SB_THRESHOLD_NEVER) copy_str(threshold, sizeof threshold, "inf");
    else snprintf(threshold, sizeof threshold, "%llu", (unsigned long long)p->threshold);
    csv_str(f, name);
    fputc(',', f);
    csv_str(f, p->name);
    fprintf(f, ",%s,%s,", is_agg ? "aggregate" : "iteration", is_agg ? agg_names[agg] : "");
    if (rep >= 0) fprintf(f, "%ld", rep);
    fprintf(f, ",%llu,%u,%s,", 1ULL << p->log_steps, p->blowup, backend_name(p->backend));
    csv_str(f, p->backend_used);
    fprintf(f, ",%s,%u,%u,", threshold, p->tp, p->threads);
    csv_str(f, p->tpb);
    fputc(',', f);
    csv_str(f, p->status);
    fputc(',', f);
    csv_str(f, p->error);
    fputc(',', f);
    csv_str(f, p->verdict);
    fprintf(f, ",%d,%zu,%s", p->digest_mismatch, p->n_fallbacks, p->proof_digest);
    if (rep >= 0) {
        csv_num(f, measured(p->real_time_ms, p->raw_real_time_ms)[rep]);
        csv_num(f, measured(p->cpu_time_ms, p->raw_cpu_time_ms)[rep]);
    } else {
        csv_num(f, is_agg ? agg_of(p->real_time_ms, p->reps, agg) : NAN);
        csv_num(f, is_agg ? agg_of(p->cpu_time_ms, p->reps, agg) : NAN);
    }
    fputc(',', f);
    csv_str(f, p->stop_reason);
    csv_num(f, p->noise_pct);
    if (p->gpu_index >= 0) fprintf(f, ",%d,", p->gpu_index);
    else fputs(",,", f);
    csv_str(f, p->gpu_name);
    fputc(',', f);
    csv_str(f, p->gpu_uuid);
    for (size_t k = 0; k < n_keys; k++) {
        const sb_metric *m = sb_point_find(p, keys[k]);
        csv_num(f, !m ? NAN : rep >= 0 ? measured(m->values, m->raw)[rep] : is_agg ? agg_of(m->values, p->reps, agg) : NAN);
    }
    fputc('\n', f);
}

static void write_csv(FILE *f, const sb_results *r) {
    size_t n_keys;
    const char **keys = metric_union(r, &n_keys);
    for (size_t c = 0; c < sizeof csv_fixed / sizeof csv_fixed[0]; c++) fprintf(f, "%s%s", c ? "," : "", csv_fixed[c]);
    for (size_t k = 0; k < n_keys; k++) {
        fputc(',', f);
        csv_str(f, keys[k]);
    }
    fputc('\n', f);
    for (size_t i = 0; i < r->n_points; i++) {
        const sb_point *p = &r->points[i];
        if (p->reps == 0) csv_row(f, p, CSV_NEVER_RAN, 0, keys, n_keys);
        for (size_t k = 0; k < p->reps; k++) csv_row(f, p, (long)k, 0, keys, n_keys);
        if (point_ok(p) && p->reps)
            for (int a = 0; a < AGG_COUNT; a++) csv_row(f, p, CSV_AGGREGATE, a, keys, n_keys);
    }
    free(keys);
}

/* Path of the CSV beside a results JSON: ".json" replaced by ".csv" (or ".csv" appended). */
static void csv_path_of(const char *path, char *out, size_t cap) {
    size_t len = strlen(path);
    if (len >= 5 && strcmp(path + len - 5, ".json") == 0) snprintf(out, cap, "%.*s.csv", (int)(len - 5), path);
    else snprintf(out, cap, "%s.csv", path);
}

int sb_results_write(const sb_results *r, const char *path, char *err, size_t errlen) {
    char csv[SB_OUTFILE_PATH_MAX + 8]; /* a name too long for the helper is refused there */
    csv_path_of(path, csv, sizeof csv);
    sb_outfile fj, fc;
    if (sb_outfile_open(&fj, path, err, errlen) != 0) return -1;
    json_t *root = results_to_json(r);
    int bad = json_dumpf(root, fj.f, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) != 0 || fputc('\n', fj.f) == EOF;
    json_decref(root);
    if (bad) {
        snprintf(err, errlen, "%s: write failed: %s", path, strerror(errno));
        sb_outfile_discard(&fj);
        return -1;
    }
    if (sb_outfile_finish(&fj, err, errlen) != 0) return -1;
    if (sb_outfile_open(&fc, csv, err, errlen) != 0) {
        sb_outfile_discard(&fj);
        return -1;
    }
    write_csv(fc.f, r);
    /* both complete before either is renamed: a failure leaves the previous pair as it was */
    if (sb_outfile_finish(&fc, err, errlen) != 0) {
        sb_outfile_discard(&fj);
        return -1;
    }
    if (sb_outfile_commit(&fj, err, errlen) != 0) {
        sb_outfile_discard(&fc);
        return -1;
    }
    return sb_outfile_commit(&fc, err, errlen);
}

/* ---- loading ------------------------------------------------------------------- */

/* Keys of an entry that are not counters (metrics). */
static const char *const reserved_keys[] = {
    "name", "family_index", "per_family_instance_index", "run_name", "run_type", "repetitions",
    "repetition_index", "threads", "iterations", "real_time", "cpu_time", "time_unit", "aggregate_name",
    "aggregate_unit", "label", "error_occurred", "error_message", "skipped", "skip_message", "steps",
    "log_steps", "blowup", "backend", "backend_used", "gpu_threshold", "tp", "cpu_threads", "tpb", "status",
    "proof_digest", "digest_mismatch", "fallbacks", "fallback_count", "verdict", "verdict_reason", "stop_reason",
    "noise_pct", "gpu_index", "gpu_name", "gpu_uuid"};

static int is_reserved(const char *key) {
    for (size_t i = 0; i < sizeof reserved_keys / sizeof reserved_keys[0]; i++)
        if (strcmp(key, reserved_keys[i]) == 0) return 1;
    return 0;
}

static void get_str(const json_t *o, const char *key, char *dst, size_t cap) {
    const char *s = json_string_value(json_object_get(o, key));
    if (s) copy_str(dst, cap, s);
}

static double get_num(const json_t *o, const char *key, double dflt) {
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : dflt;
}

static int time_unit_scale(const char *unit, double *to_ms) {
    static const struct { const char *name; double ms; } units[] = {{"ns", 1e-6}, {"us", 1e-3}, {"ms", 1}, {"s", 1e3}};
    for (size_t i = 0; unit && i < sizeof units / sizeof units[0]; i++)
        if (strcmp(unit, units[i].name) == 0) {
            *to_ms = units[i].ms;
            return 0;
        }
    return -1;
}

static int is_aggregate(const json_t *e) {
    const char *t = json_string_value(json_object_get(e, "run_type"));
    return t && strcmp(t, "aggregate") == 0;
}

static const char *entry_run_name(const json_t *e) {
    const char *rn = json_string_value(json_object_get(e, "run_name"));
    return rn ? rn : json_string_value(json_object_get(e, "name"));
}

/* ---- the schema the loader checks: every field it reads, its type and range (docs/RESULTS.md) */

/* The largest time (ms) or counter a file may hold: sums and squares over a point's
 * repetitions stay finite, so no infinity or NaN reaches the statistics. */
#define MAX_VALUE 1e18
/* The most counters one point may have (a sweep records fewer than 200), and repetitions. */
#define MAX_METRICS 1024
#define MAX_REPS 100000
#define GPU_INDEX_MAX 1023 /* NVML indices of one host */
#define NAME_MAX_LEN (sizeof ((sb_point *)0)->name - 1)

typedef enum field_kind { F_STRING, F_BOOL, F_INT, F_NUMBER } field_kind;

typedef struct field_rule {
    const char *key;
    field_kind kind;
    double lo, hi;             /* a number's range; F_STRING: hi is the longest length (0: any) */
    const char *const *one_of; /* F_STRING: the values allowed (NULL-terminated), or NULL for any */
    int nullable;              /* null stands for "not measured" */
} field_rule;

static const char *const run_types[] = {"iteration", "aggregate", NULL};
static const char *const time_units[] = {"ns", "us", "ms", "s", NULL};
static const char *const backends[] = {"cpu", "gpu", "auto", NULL};
static const char *const backends_used[] = {"cpu", "gpu", NULL};
static const char *const statuses[] = {"ok", "failed", "timeout", "infeasible", "skipped", NULL};
static const char *const verdicts[] = {"clean", "fallback", "suspected-fallback", "undetectable", "n/a", NULL};

static const field_rule context_rules[] = {
    {"date", F_STRING, 0, 0, NULL, 0},          {"host_name", F_STRING, 0, 0, NULL, 0},
    {"executable", F_STRING, 0, 0, NULL, 0},    {"library_build_type", F_STRING, 0, 0, NULL, 0},
    {"gpu_name", F_STRING, 0, 0, NULL, 0},      {"gpu_driver", F_STRING, 0, 0, NULL, 0},
    {"cuda_version", F_STRING, 0, 0, NULL, 0},  {"git_commit", F_STRING, 0, 0, NULL, 0},
    {"build_type", F_STRING, 0, 0, NULL, 0},    {"command_line", F_STRING, 0, 0, NULL, 0},
    {"num_cpus", F_INT, 0, 1 << 20, NULL, 0},   {"mhz_per_cpu", F_NUMBER, 0, 1e6, NULL, 0},
    {"cpu_scaling_enabled", F_BOOL, 0, 0, NULL, 0}, {"range_sync", F_BOOL, 0, 0, NULL, 0},
    {"cupti", F_BOOL, 0, 0, NULL, 0},           {"cupti_overhead_pct", F_NUMBER, -1e6, 1e6, NULL, 1},
    {"keep_throttled", F_BOOL, 0, 0, NULL, 0},  {"delay_round", F_STRING, 0, 63, NULL, 0},
    {"noise_cpu_pct", F_NUMBER, 0, 1e6, NULL, 1}, {"noise_cpu_ms", F_NUMBER, 0, MAX_VALUE, NULL, 1},
    {"noise_gpu_pct", F_NUMBER, 0, 1e6, NULL, 1}, {"noise_gpu_ms", F_NUMBER, 0, MAX_VALUE, NULL, 1},
    {"locked_clock_mhz", F_NUMBER, 0, 1e5, NULL, 1},
    {"shard_index", F_INT, 1, SB_RESULTS_MAX_POINTS, NULL, 0}, {"shard_count", F_INT, 1, SB_RESULTS_MAX_POINTS, NULL, 0},
    {"plan_points", F_INT, 0, SB_RESULTS_MAX_POINTS, NULL, 0},
};

/* A GPU's name and UUID as NVML gives them (sb_gpu_info). */
#define GPU_NAME_MAX (sizeof ((sb_gpu_info *)0)->name - 1)

static const field_rule gpu_rules[] = {
    {"index", F_INT, 0, GPU_INDEX_MAX, NULL, 0},
    {"name", F_STRING, 0, GPU_NAME_MAX, NULL, 0},
    {"uuid", F_STRING, 0, GPU_NAME_MAX, NULL, 0},
    {"memory_mib", F_NUMBER, 0, 1e9, NULL, 1},
    {"noise_gpu_pct", F_NUMBER, 0, 1e6, NULL, 1},
    {"noise_gpu_ms", F_NUMBER, 0, MAX_VALUE, NULL, 1},
};

static const field_rule cache_rules[] = {
    {"type", F_STRING, 0, 0, NULL, 0},
    {"level", F_INT, 0, 16, NULL, 0},
    {"size", F_INT, 0, 1e15, NULL, 0},
    {"num_sharing", F_INT, 0, 1 << 20, NULL, 0},
};

static const field_rule fallback_rules[] = {
    {"table", F_STRING, 0, 0, NULL, 0}, {"op", F_STRING, 0, 0, NULL, 0},    {"kernel", F_STRING, 0, 0, NULL, 0},
    {"launch", F_STRING, 0, 0, NULL, 0}, {"error", F_STRING, 0, 0, NULL, 0},
};

static const field_rule entry_rules[] = {
    {"run_name", F_STRING, 0, 0, NULL, 0},
    {"run_type", F_STRING, 0, 0, run_types, 0},
    {"aggregate_name", F_STRING, 0, 0, NULL, 0},
    {"time_unit", F_STRING, 0, 0, time_units, 0},
    {"real_time", F_NUMBER, 0, MAX_VALUE, NULL, 0},
    {"cpu_time", F_NUMBER, 0, MAX_VALUE, NULL, 0},
    {"repetitions", F_INT, 0, MAX_REPS, NULL, 0},
    {"repetition_index", F_INT, 0, MAX_REPS - 1, NULL, 0},
    {"steps", F_INT, 1, 1 << 30, NULL, 0},
    {"log_steps", F_INT, 0, 30, NULL, 0}, /* as --steps: up to 2^30 */
    {"blowup", F_INT, 2, 8, NULL, 0},
    {"tp", F_INT, 1, 64, NULL, 0},
    {"cpu_threads", F_INT, 0, 1024, NULL, 0},
    {"backend", F_STRING, 0, 0, backends, 0},
    {"backend_used", F_STRING, 0, 0, backends_used, 0},
    {"tpb", F_STRING, 0, sizeof ((sb_point *)0)->tpb - 1, NULL, 0},
    {"status", F_STRING, 0, 0, statuses, 0},
    {"error_occurred", F_BOOL, 0, 0, NULL, 0},
    {"error_message", F_STRING, 0, 0, NULL, 0},
    {"proof_digest", F_STRING, 0, 64, NULL, 0},
    {"digest_mismatch", F_BOOL, 0, 0, NULL, 0},
    {"fallback_count", F_INT, 0, 1e9, NULL, 0},
    {"verdict", F_STRING, 0, 0, verdicts, 0},
    {"verdict_reason", F_STRING, 0, 0, NULL, 0},
    {"gpu_index", F_INT, 0, GPU_INDEX_MAX, NULL, 0},
    {"gpu_name", F_STRING, 0, GPU_NAME_MAX, NULL, 0},
    {"gpu_uuid", F_STRING, 0, GPU_NAME_MAX, NULL, 0},
};

#define N_RULES(r) (sizeof r / sizeof r[0])

/* Writes where + ": " + the formatted reason into why. Returns -1. */
static int reject(char *why, size_t cap, const char *where, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int reject(char *why, size_t cap, const char *where, const char *fmt, ...) {
    int n = snprintf(why, cap, "%s: ", where);
    if (n < 0 || (size_t)n >= cap) return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why + n, cap - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

/* A short, printable rendering of v for messages (JSON text, at most about 40 characters). */
static void render(const json_t *v, char out[64]) {
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    snprintf(out, 64, "%.40s%s", s ? s : "?", s && strlen(s) > 40 ? "..." : "");
    free(s);
}

/* Copies s into out for a message: control characters as '?', long text cut with "...". */
static void printable(const char *s, char out[64]) {
    size_t n = 0;
    for (; s[n] && n < 40; n++) out[n] = (unsigned char)s[n] < 0x20 || s[n] == 0x7f ? '?' : s[n];
    snprintf(out + n, 64 - n, "%s", s[n] ? "..." : "");
}

static int has_control_char(const char *s) {
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return 1;
    return 0;
}

/* Checks the fields of object o that rules name (an absent field passes). where names o in
 * messages. Returns 0, or -1 with "where: key: reason" in why. */
static int check_fields(const json_t *o, const field_rule *rules, size_t n_rules, const char *where, char *why,
                        size_t cap) {
    static const char *const kinds[] = {"a string", "a boolean", "an integer", "a number"};
    char shown[64], at[400];
    for (size_t i = 0; i < n_rules; i++) {
        const field_rule *r = &rules[i];
        const json_t *v = json_object_get(o, r->key);
        if (!v || (r->nullable && json_is_null(v))) continue;
        snprintf(at, sizeof at, "%.300s: %s", where, r->key);
        render(v, shown);
        int type_ok = r->kind == F_STRING ? json_is_string(v) : r->kind == F_BOOL ? json_is_boolean(v)
                      : r->kind == F_INT  ? json_is_integer(v)
                                          : json_is_number(v);
        if (!type_ok) return reject(why, cap, at, "%s is not %s", shown, kinds[r->kind]);
        if (r->kind == F_INT || r->kind == F_NUMBER) {
            double x = json_number_value(v);
            if (!(x >= r->lo && x <= r->hi)) return reject(why, cap, at, "%s is outside [%g, %g]", shown, r->lo, r->hi);
        } else if (r->kind == F_STRING) {
            size_t len = json_string_length(v);
            if (r->hi && len > r->hi) return reject(why, cap, at, "%zu characters, more than %g", len, r->hi);
            if (r->one_of) {
                size_t k = 0;
                while (r->one_of[k] && strcmp(r->one_of[k], json_string_value(v)) != 0) k++;
                if (!r->one_of[k]) {
                    char list[128] = "";
                    for (k = 0; r->one_of[k]; k++)
                        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "", r->one_of[k]);
                    return reject(why, cap, at, "%s is not one of %s", shown, list);
                }
            }
        }
    }
    return 0;
}

/* Checks each element of o's array `key` (absent passes) as an object with rules. */
static int check_array(const json_t *o, const char *key, const field_rule *rules, size_t n_rules, const char *where,
                       char *why, size_t cap) {
    const json_t *a = json_object_get(o, key), *x;
    size_t i;
    if (!a) return 0;
    if (!json_is_array(a)) return reject(why, cap, where, "%s is not an array", key);
    json_array_foreach(a, i, x) {
        char at[400];
        snprintf(at, sizeof at, "%.300s: %s[%zu]", where, key, i);
        if (rules && !json_is_object(x)) return reject(why, cap, at, "not an object");
        if (!rules && !(json_is_number(x) && json_number_value(x) >= 0 && json_number_value(x) <= 1e6))
            return reject(why, cap, at, "not a number in [0, 1e6]");
        if (rules && check_fields(x, rules, n_rules, at, why, cap) != 0) return -1;
    }
    return 0;
}

/* A GPU UUID as NVML writes it: "" (unknown) or "GPU-" / "MIG-" and hex digits with dashes. */
static int uuid_ok(const char *s) {
    if (!s || !*s) return 1;
    return (strncmp(s, "GPU-", 4) == 0 || strncmp(s, "MIG-", 4) == 0) && s[4] &&
           strspn(s + 4, "0123456789abcdefABCDEF-") == strlen(s + 4);
}

static int check_context(const json_t *ctx, char *why, size_t cap) {
    if (check_fields(ctx, context_rules, N_RULES(context_rules), "context", why, cap) != 0 ||
        check_array(ctx, "caches", cache_rules, N_RULES(cache_rules), "context", why, cap) != 0 ||
        check_array(ctx, "load_avg", NULL, 0, "context", why, cap) != 0 ||
        check_array(ctx, "gpus", gpu_rules, N_RULES(gpu_rules), "context", why, cap) != 0)
        return -1;
    const json_t *gpus = json_object_get(ctx, "gpus"), *g;
    size_t i;
    if (json_array_size(gpus) > SB_MAX_GPUS) return reject(why, cap, "context", "gpus: more than %d GPUs", SB_MAX_GPUS);
    json_array_foreach(gpus, i, g) {
        if (!uuid_ok(json_string_value(json_object_get(g, "uuid"))))
            return reject(why, cap, "context", "gpus[%zu]: uuid: not \"GPU-\" or \"MIG-\" and hex digits", i);
    }
    const json_t *si = json_object_get(ctx, "shard_index"), *sc = json_object_get(ctx, "shard_count");
    if (!si != !sc) return reject(why, cap, "context", "shard_index and shard_count come together");
    if (si && json_integer_value(si) > json_integer_value(sc))
        return reject(why, cap, "context", "shard_index %lld is above shard_count %lld", (long long)json_integer_value(si),
                      (long long)json_integer_value(sc));
    return 0;
}

/* Checks entry i: the keys it needs, every field the loader reads (entry_rules and what a
 * table cannot say) and its counters. Returns 0, or -1 with a reason naming the field. */
static int check_entry(const json_t *e, size_t i, char *why, size_t cap) {
    char where[120], shown[64];
    snprintf(where, sizeof where, "benchmarks[%zu]", i);
    if (!json_is_object(e)) return reject(why, cap, where, "not an object");
    const char *name = json_string_value(json_object_get(e, "name"));
    if (!name) return reject(why, cap, where, "has no string \"name\"");
    printable(name, shown);
    snprintf(where, sizeof where, "benchmarks[%zu] '%s'", i, shown);
    if (check_fields(e, entry_rules, N_RULES(entry_rules), where, why, cap) != 0) return -1;
    /* the names a point is known by (an aggregate's, "<name>_median", is not read) */
    static const char *const names[] = {"name", "run_name"};
    for (int k = 0; k < 2 && !is_aggregate(e); k++) {
        const char *s = json_string_value(json_object_get(e, names[k]));
        if (!s) continue;
        if (!*s) return reject(why, cap, where, "%s: empty", names[k]);
        if (strlen(s) > NAME_MAX_LEN)
            return reject(why, cap, where, "%s: %zu characters, more than %zu", names[k], strlen(s), NAME_MAX_LEN);
        if (has_control_char(s)) return reject(why, cap, where, "%s: contains a control character", names[k]);
    }
    double scale;
    if (time_unit_scale(json_string_value(json_object_get(e, "time_unit")), &scale) != 0)
        return reject(why, cap, where, "has no time_unit ns|us|ms|s");
    static const char *const times[] = {"real_time", "cpu_time"};
    for (int t = 0; t < 2; t++) {
        const json_t *v = json_object_get(e, times[t]);
        if (!v) return reject(why, cap, where, "has no numeric real_time and cpu_time");
        if (json_number_value(v) * scale > MAX_VALUE)
            return reject(why, cap, where, "%s: %g %s is more than %g ms", times[t], json_number_value(v),
                          json_string_value(json_object_get(e, "time_unit")), MAX_VALUE);
    }
    if (is_aggregate(e) && !json_is_string(json_object_get(e, "aggregate_name")))
        return reject(why, cap, where, "an aggregate without aggregate_name");
    const json_t *steps = json_object_get(e, "steps"), *log_steps = json_object_get(e, "log_steps");
    json_int_t s = json_integer_value(steps);
    if (steps && (s & (s - 1)) != 0) return reject(why, cap, where, "steps: %lld is not a power of two", (long long)s);
    if (steps && log_steps && s != (json_int_t)1 << json_integer_value(log_steps))
        return reject(why, cap, where, "steps %lld and log_steps %lld disagree", (long long)s,
                      (long long)json_integer_value(log_steps));
    json_int_t blowup = json_integer_value(json_object_get(e, "blowup"));
    if (json_object_get(e, "blowup") && blowup != 2 && blowup != 4 && blowup != 8)
        return reject(why, cap, where, "blowup: %lld is not 2, 4 or 8", (long long)blowup);
    const json_t *th = json_object_get(e, "gpu_threshold");
    if (th && !(json_is_string(th) && strcmp(json_string_value(th), "inf") == 0) &&
        !(json_is_integer(th) && json_integer_value(th) >= 0)) {
        render(th, shown);
        return reject(why, cap, where, "gpu_threshold: %s is neither a count nor \"inf\"", shown);
    }
    int error = json_is_true(json_object_get(e, "error_occurred"));
    if (json_object_get(e, "repetitions") && json_integer_value(json_object_get(e, "repetitions")) == 0 && !error)
        return reject(why, cap, where, "repetitions: 0 on an entry without error_occurred (only a point that never ran has none)");
    if (!uuid_ok(json_string_value(json_object_get(e, "gpu_uuid"))))
        return reject(why, cap, where, "gpu_uuid: not \"GPU-\" or \"MIG-\" and hex digits");
    if (!json_object_get(e, "gpu_index") && (json_object_get(e, "gpu_name") || json_object_get(e, "gpu_uuid")))
        return reject(why, cap, where, "gpu_name or gpu_uuid without gpu_index");
    const char *digest = json_string_value(json_object_get(e, "proof_digest"));
    if (digest && digest[0] && (strlen(digest) != 64 || strspn(digest, "0123456789abcdef") != 64))
        return reject(why, cap, where, "proof_digest: not 64 lowercase hex digits");
    if (check_array(e, "fallbacks", fallback_rules, N_RULES(fallback_rules), where, why, cap) != 0) return -1;
    size_t logged = json_array_size(json_object_get(e, "fallbacks"));
    const json_t *count = json_object_get(e, "fallback_count");
    if (count && (size_t)json_integer_value(count) < logged)
        return reject(why, cap, where, "fallback_count %lld is below the %zu records in fallbacks",
                      (long long)json_integer_value(count), logged);
    const char *key;
    const json_t *v;
    size_t n_counters = 0;
    json_object_foreach((json_t *)e, key, v) {
        if (!json_is_number(v) || is_reserved(key)) continue;
        printable(key, shown);
        if (strlen(key) >= sizeof ((sb_metric *)0)->key)
            return reject(why, cap, where, "counter '%s': a name of more than %zu characters", shown,
                          sizeof ((sb_metric *)0)->key - 1);
        if (!(json_number_value(v) >= 0 && json_number_value(v) <= MAX_VALUE))
            return reject(why, cap, where, "counter '%s': %g is outside [0, %g]", shown, json_number_value(v), MAX_VALUE);
        if (++n_counters > MAX_METRICS) return reject(why, cap, where, "more than %d counters", MAX_METRICS);
    }
    return 0;
}

static void load_context(sb_results *r, const json_t *ctx) {
    get_str(ctx, "date", r->date, sizeof r->date);
    get_str(ctx, "host_name", r->host_name, sizeof r->host_name);
    get_str(ctx, "executable", r->executable, sizeof r->executable);
    get_str(ctx, "library_build_type", r->library_build_type, sizeof r->library_build_type);
    r->num_cpus = (int)get_num(ctx, "num_cpus", 0);
    r->mhz_per_cpu = get_num(ctx, "mhz_per_cpu", 0);
    r->cpu_scaling_enabled = json_is_true(json_object_get(ctx, "cpu_scaling_enabled"));
    const json_t *la = json_object_get(ctx, "load_avg");
    for (size_t i = 0; i < 3; i++) r->load_avg[i] = json_is_number(json_array_get(la, i)) ? json_number_value(json_array_get(la, i)) : 0;
    const json_t *caches = json_object_get(ctx, "caches");
    for (size_t i = 0; i < json_array_size(caches) && r->n_caches < SB_MAX_CACHES; i++) {
        const json_t *c = json_array_get(caches, i);
        sb_cache *dst = &r->caches[r->n_caches++];
        get_str(c, "type", dst->type, sizeof dst->type);
        dst->level = (int)get_num(c, "level", 0);
        dst->size = (long long)get_num(c, "size", 0);
        dst->num_sharing = (int)get_num(c, "num_sharing", 0);
    }
    get_str(ctx, "gpu_name", r->gpu_name, sizeof r->gpu_name);
    get_str(ctx, "gpu_driver", r->gpu_driver, sizeof r->gpu_driver);
    get_str(ctx, "cuda_version", r->cuda_version, sizeof r->cuda_version);
    get_str(ctx, "git_commit", r->git_commit, sizeof r->git_commit);
    get_str(ctx, "build_type", r->build_type, sizeof r->build_type);
    get_str(ctx, "command_line", r->command_line, sizeof r->command_line);
    const json_t *rs = json_object_get(ctx, "range_sync");
    r->range_sync = rs ? json_is_true(rs) : 1;
    r->cupti = json_is_true(json_object_get(ctx, "cupti"));
    r->cupti_overhead_pct = get_num(ctx, "cupti_overhead_pct", NAN);
    r->keep_throttled = json_is_true(json_object_get(ctx, "keep_throttled"));
    r->noise_cpu_pct = get_num(ctx, "noise_cpu_pct", NAN);
    r->noise_cpu_ms = get_num(ctx, "noise_cpu_ms", NAN);
    r->noise_gpu_pct = get_num(ctx, "noise_gpu_pct", NAN);
    r->noise_gpu_ms = get_num(ctx, "noise_gpu_ms", NAN);
    r->locked_clock_mhz = get_num(ctx, "locked_clock_mhz", NAN);
    get_str(ctx, "delay_round", r->delay_round, sizeof r->delay_round);
    const json_t *gpus = json_object_get(ctx, "gpus"), *o;
    size_t i;
    json_array_foreach(gpus, i, o) {
        sb_gpu_info *g = &r->gpus[r->n_gpus++]; /* check_context allowed at most SB_MAX_GPUS */
        g->index = (unsigned)get_num(o, "index", 0);
        get_str(o, "name", g->name, sizeof g->name);
        get_str(o, "uuid", g->uuid, sizeof g->uuid);
        g->memory_total = (uint64_t)(get_num(o, "memory_mib", 0) * (1 << 20));
        g->noise_pct = get_num(o, "noise_gpu_pct", NAN);
        g->noise_ms = get_num(o, "noise_gpu_ms", NAN);
    }
    r->shard_index = (unsigned)get_num(ctx, "shard_index", 0);
    r->shard_count = (unsigned)get_num(ctx, "shard_count", 0);
    r->plan_points = (size_t)get_num(ctx, "plan_points", 0);
}

/* Fills p's point fields from its first entry e (checked by check_entry). */
static void load_point_fields(sb_point *p, const json_t *e) {
    get_str(e, "tpb", p->tpb, sizeof p->tpb);
    get_str(e, "backend_used", p->backend_used, sizeof p->backend_used);
    get_str(e, "proof_digest", p->proof_digest, sizeof p->proof_digest);
    get_str(e, "verdict", p->verdict, sizeof p->verdict);
    get_str(e, "verdict_reason", p->verdict_reason, sizeof p->verdict_reason);
    get_str(e, "stop_reason", p->stop_reason, sizeof p->stop_reason);
    p->noise_pct = get_num(e, "noise_pct", NAN);
    p->gpu_index = (int)get_num(e, "gpu_index", -1);
    get_str(e, "gpu_name", p->gpu_name, sizeof p->gpu_name);
    get_str(e, "gpu_uuid", p->gpu_uuid, sizeof p->gpu_uuid);
    get_str(e, "status", p->status, sizeof p->status);
    if (json_is_true(json_object_get(e, "error_occurred"))) {
        if (strcmp(p->status, "ok") == 0) copy_str(p->status, sizeof p->status, "failed");
        get_str(e, "error_message", p->error, sizeof p->error);
    }
    double steps = get_num(e, "steps", 0);
    p->log_steps = (unsigned)get_num(e, "log_steps", steps > 0 ? log2(steps) : 0);
    p->blowup = (unsigned)get_num(e, "blowup", 0);
    p->tp = (unsigned)get_num(e, "tp", 1);
    p->threads = (unsigned)get_num(e, "cpu_threads", 0);
    p->digest_mismatch = json_is_true(json_object_get(e, "digest_mismatch"));
    const char *be = json_string_value(json_object_get(e, "backend"));
    if (be) sb_parse_backend(be, &p->backend);
    const json_t *th = json_object_get(e, "gpu_threshold");
    if (json_is_string(th)) p->threshold = SB_THRESHOLD_NEVER;
    else if (th) p->threshold = (uint64_t)json_integer_value(th);
    const json_t *fb = json_object_get(e, "fallbacks");
    p->n_fallbacks = json_array_size(fb);
    p->fallbacks = p->n_fallbacks ? calloc(p->n_fallbacks, sizeof *p->fallbacks) : NULL;
    if (p->n_fallbacks && !p->fallbacks) {
        fprintf(stderr, "starkbench: out of memory\n");
        exit(2);
    }
    for (size_t i = 0; i < p->n_fallbacks; i++) {
        const json_t *f = json_array_get(fb, i);
        get_str(f, "table", p->fallbacks[i].table, sizeof p->fallbacks[i].table);
        get_str(f, "op", p->fallbacks[i].op, sizeof p->fallbacks[i].op);
        get_str(f, "kernel", p->fallbacks[i].kernel, sizeof p->fallbacks[i].kernel);
        get_str(f, "launch", p->fallbacks[i].launch, sizeof p->fallbacks[i].launch);
        get_str(f, "error", p->fallbacks[i].error, sizeof p->fallbacks[i].error);
    }
    /* the count may exceed the log (SB_MAX_FALLBACKS); the log is what the array holds */
    double count = get_num(e, "fallback_count", (double)p->n_fallbacks);
    if (count > (double)p->n_fallbacks && p->n_fallbacks == SB_MAX_FALLBACKS) p->n_fallbacks = (size_t)count;
}

static void *checked_calloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "starkbench: out of memory\n");
        exit(2);
    }
    return p;
}

/* Loads the repetition entries (aggregates are recomputed from them). */
static int load_benchmarks(sb_results *r, const json_t *bms, char *why, size_t cap) {
    size_t n = json_array_size(bms);
    for (size_t i = 0; i < n; i++)
        if (check_entry(json_array_get(bms, i), i, why, cap) != 0) return -1;
    /* pass 1: one point per run_name (a hash from name to point), with as many repetitions as
     * it has entries; each entry remembers its point, so pass 2 never looks a name up again */
    size_t *point_of = checked_calloc(n, sizeof *point_of), *counts = checked_calloc(n, sizeof *counts);
    const char **names = checked_calloc(n, sizeof *names);
    json_t *index = json_object();
    size_t n_names = 0;
    int too_many = 0;
    for (size_t i = 0; i < n && !too_many; i++) {
        const json_t *e = json_array_get(bms, i);
        if (is_aggregate(e)) continue;
        const char *rn = entry_run_name(e);
        const json_t *known = json_object_get(index, rn);
        if (known) point_of[i] = (size_t)json_integer_value(known);
        else if (n_names == SB_RESULTS_MAX_POINTS) {
            snprintf(why, cap, "more than %d benchmarks (points)", SB_RESULTS_MAX_POINTS);
            too_many = 1;
            continue;
        } else {
            point_of[i] = n_names;
            names[n_names++] = rn;
            if (json_object_set_new(index, rn, json_integer((json_int_t)point_of[i])) != 0) {
                fprintf(stderr, "starkbench: out of memory\n");
                exit(2);
            }
        }
        if (get_num(e, "repetitions", 1) > 0) counts[point_of[i]]++; /* "repetitions": 0 marks a point that never ran */
    }
    json_decref(index);
    if (too_many) {
        free(point_of);
        free(counts);
        free(names);
        return -1;
    }
    /* offsets[j]: where point j's repetitions start in `taken` (which repetition_index is used) */
    size_t *offsets = checked_calloc(n_names + 1, sizeof *offsets), *filled = checked_calloc(n_names, sizeof *filled);
    for (size_t j = 0; j < n_names; j++) {
        offsets[j + 1] = offsets[j] + counts[j];
        copy_str(sb_results_add_point(r, counts[j])->name, sizeof r->points[0].name, names[j]);
    }
    unsigned char *taken = checked_calloc(offsets[n_names], 1);
    int rc = 0;
    /* pass 2: fill them */
    for (size_t i = 0; i < n && rc == 0; i++) {
        const json_t *e = json_array_get(bms, i);
        if (is_aggregate(e)) continue;
        size_t pi = point_of[i];
        sb_point *p = &r->points[pi];
        if (filled[pi] == 0) load_point_fields(p, e);
        if (p->reps == 0) continue;
        char where[64];
        printable(p->name, where); /* the point's name, shortened, for messages */
        const json_t *idx = json_object_get(e, "repetition_index");
        size_t k = idx ? (size_t)json_integer_value(idx) : filled[pi];
        if (k >= p->reps) {
            snprintf(why, cap, "benchmark '%s': repetition_index %zu but %zu repetitions", where, k, p->reps);
            rc = -1;
            continue;
        }
        if (taken[offsets[pi] + k]++) {
            snprintf(why, cap, "benchmark '%s': repetition_index %zu appears twice", where, k);
            rc = -1;
            continue;
        }
        filled[pi]++;
        double scale = 1;
        time_unit_scale(json_string_value(json_object_get(e, "time_unit")), &scale);
        int err = json_is_true(json_object_get(e, "error_occurred"));
        p->real_time_ms[k] = err ? NAN : json_number_value(json_object_get(e, "real_time")) * scale;
        p->cpu_time_ms[k] = err ? NAN : json_number_value(json_object_get(e, "cpu_time")) * scale;
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)e, key, v) {
            if (!json_is_number(v) || is_reserved(key)) continue;
            if (p->n_metrics == MAX_METRICS && !sb_point_find(p, key)) {
                snprintf(why, cap, "benchmark '%s': more than %d counters over its repetitions", where, MAX_METRICS);
                rc = -1;
                break;
            }
            sb_point_metric(p, key)->values[k] = json_number_value(v);
        }
    }
    free(point_of);
    free(counts);
    free(names);
    free(offsets);
    free(filled);
    free(taken);
    for (size_t i = 0; rc == 0 && i < r->n_points; i++) {
        sb_point *p = &r->points[i];
        if (r->keep_throttled) p->n_throttled = sb_point_count_throttled(p);
        else sb_point_exclude_throttled(p);
    }
    return rc;
}

int sb_results_load(sb_results *r, const char *path, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    r->range_sync = 1;
    r->cupti_overhead_pct = r->noise_cpu_pct = r->noise_cpu_ms = r->noise_gpu_pct = r->noise_gpu_ms = NAN;
    r->locked_clock_mhz = NAN;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        return -1;
    }
    json_error_t jerr;
    json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
    fclose(f);
    if (!root) {
        snprintf(err, errlen, "%s: not JSON (line %d, column %d: %s)", path, jerr.line, jerr.column, jerr.text);
        return -1;
    }
    char why[600] = "";
    const json_t *ctx = json_object_get(root, "context");
    const json_t *bms = json_object_get(root, "benchmarks");
    int rc = -1;
    if (!json_is_object(root)) snprintf(why, sizeof why, "the top level is not an object");
    else if (!json_is_object(ctx)) snprintf(why, sizeof why, "no \"context\" object");
    else if (!json_is_array(bms)) snprintf(why, sizeof why, "no \"benchmarks\" array");
    else if (check_context(ctx, why, sizeof why) == 0) {
        load_context(r, ctx);
        rc = load_benchmarks(r, bms, why, sizeof why);
    }
    json_decref(root);
    if (rc != 0) {
        snprintf(err, errlen, "%s: wrong schema: %s", path, why);
        sb_results_free(r);
    }
    return rc;
}
