/* Results files: written, then parsed back independently (jansson, CSV by hand) and by the
 * loader; loader errors; the atomic write keeps an existing file when the write fails. */
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "results.h"
#include "check.h"


static char dir[64];

static void path_in_dir(char *out, size_t cap, const char *name) { snprintf(out, cap, "%s/%s", dir, name); }

static char *read_text(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *s = malloc((size_t)n + 1);
    s[fread(s, 1, (size_t)n, f)] = 0;
    fclose(f);
    return s;
}

/* Two points: an ok GPU point with 3 repetitions, and an infeasible one that never ran. */
static void make_results(sb_results *r) {
    char *argv[] = {"starkbench", "sweep", "--runs", "3"};
    sb_results_init(r, 4, argv);
    r->cupti = 1;
    sb_point *p = sb_results_add_point(r, 3);
    snprintf(p->name, sizeof p->name, "prove/steps:16/blowup:2/backend:gpu/threshold:0/tp:1/threads:2/tpb:keccak=128,ntt=256");
    p->log_steps = 16;
    p->blowup = 2;
    p->tp = 1;
    p->threads = 2;
    p->backend = SB_BACKEND_GPU;
    snprintf(p->backend_used, sizeof p->backend_used, "gpu");
    snprintf(p->tpb, sizeof p->tpb, "keccak=128,ntt=256");
    snprintf(p->proof_digest, sizeof p->proof_digest, "%064d", 7);
    snprintf(p->verdict, sizeof p->verdict, "fallback");
    snprintf(p->verdict_reason, sizeof p->verdict_reason, "backend recorded 1 fallback");
    p->gpu_index = 1; /* sweep --gpus: the GPU it ran on */
    snprintf(p->gpu_name, sizeof p->gpu_name, "NVIDIA H200");
    snprintf(p->gpu_uuid, sizeof p->gpu_uuid, "GPU-8f3c0d2e-1a2b-4c5d-8e9f-0a1b2c3d4e5f");
    r->n_gpus = 2;
    for (unsigned g = 0; g < 2; g++) {
        r->gpus[g] = (sb_gpu_info){g, "NVIDIA H200", "", (uint64_t)143771 << 20, 0, g ? NAN : 0.5, g ? NAN : 2.25};
        snprintf(r->gpus[g].uuid, sizeof r->gpus[g].uuid, "GPU-8f3c0d2e-1a2b-4c5d-8e9f-0a1b2c3d4e5%u", g ? 0xf : 0);
    }
    r->shard_index = 2;
    r->shard_count = 3;
    r->plan_points = 7;
    const double real[3] = {100, 110, 130}, commit[3] = {10, 12, 11}, temp[3] = {60, NAN, 62};
    for (int k = 0; k < 3; k++) {
        p->real_time_ms[k] = real[k];
        p->cpu_time_ms[k] = real[k] * 2;
        sb_point_metric(p, "total")->values[k] = real[k] - 1;
        sb_point_metric(p, "cpu:R1 main commit")->values[k] = commit[k];
        sb_point_metric(p, "nvml:temp_c")->values[k] = temp[k];
    }
    p->n_fallbacks = 1;
    p->fallbacks = calloc(1, sizeof *p->fallbacks);
    snprintf(p->fallbacks[0].table, sizeof p->fallbacks[0].table, "cpu");
    snprintf(p->fallbacks[0].op, sizeof p->fallbacks[0].op, "R1 main commit");
    snprintf(p->fallbacks[0].kernel, sizeof p->fallbacks[0].kernel, "keccak256_leaves");
    snprintf(p->fallbacks[0].error, sizeof p->fallbacks[0].error, "too many resources requested for launch");

    sb_point *q = sb_results_add_point(r, 0);
    snprintf(q->name, sizeof q->name, "prove/steps:30/blowup:8/backend:cpu/threshold:inf/tp:1/threads:2/tpb:default");
    q->log_steps = 30;
    q->blowup = 8;
    q->threshold = SB_THRESHOLD_NEVER;
    snprintf(q->status, sizeof q->status, "infeasible");
    snprintf(q->error, sizeof q->error, "needs 1.2 TiB of host memory, 31 GiB present");
}

static const json_t *find_entry(const json_t *bms, const char *name) {
    for (size_t i = 0; i < json_array_size(bms); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(bms, i), "name")), name) == 0)
            return json_array_get(bms, i);
    return NULL;
}

static double num(const json_t *o, const char *key) {
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The JSON against Google Benchmark's schema, read with jansson alone. */
static void check_json_schema(const char *path, const sb_results *r) {
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    EXPECT(root != NULL);
    if (!root) return;
    const json_t *ctx = json_object_get(root, "context");
    const char *str_keys[] = {"date", "host_name", "executable", "library_build_type", "gpu_name", "gpu_driver",
                              "cuda_version", "git_commit", "build_type", "command_line"};
    for (size_t i = 0; i < sizeof str_keys / sizeof str_keys[0]; i++) EXPECT(json_is_string(json_object_get(ctx, str_keys[i])));
    EXPECT(json_is_integer(json_object_get(ctx, "num_cpus")));
    EXPECT(json_is_number(json_object_get(ctx, "mhz_per_cpu")));
    EXPECT(json_is_boolean(json_object_get(ctx, "cpu_scaling_enabled")));
    EXPECT(json_is_array(json_object_get(ctx, "caches")));
    EXPECT(json_array_size(json_object_get(ctx, "load_avg")) == 3);
    EXPECT(json_is_true(json_object_get(ctx, "range_sync")));
    EXPECT(json_is_true(json_object_get(ctx, "cupti")));
    EXPECT(json_is_null(json_object_get(ctx, "cupti_overhead_pct")));
    EXPECT(strcmp(json_string_value(json_object_get(ctx, "command_line")), "starkbench sweep --runs 3") == 0);
    EXPECT(strcmp(json_string_value(json_object_get(ctx, "git_commit")), r->git_commit) == 0);
    EXPECT(num(ctx, "shard_index") == 2 && num(ctx, "shard_count") == 3 && num(ctx, "plan_points") == 7);
    const json_t *gpus = json_object_get(ctx, "gpus"), *g1 = json_array_get(gpus, 1);
    EXPECT(json_array_size(gpus) == 2 && num(json_array_get(gpus, 0), "noise_gpu_pct") == 0.5);
    EXPECT(num(g1, "index") == 1 && num(g1, "memory_mib") == 143771 && json_is_null(json_object_get(g1, "noise_gpu_pct")));
    EXPECT(strcmp(json_string_value(json_object_get(g1, "uuid")), r->gpus[1].uuid) == 0);

    const json_t *bms = json_object_get(root, "benchmarks");
    EXPECT(json_array_size(bms) == 3 + 7 + 1); /* repetitions, aggregates, the point that never ran */
    const char *name = r->points[0].name;
    const json_t *e0 = json_array_get(bms, 0);
    EXPECT(strcmp(json_string_value(json_object_get(e0, "name")), name) == 0);
    EXPECT(strcmp(json_string_value(json_object_get(e0, "run_name")), name) == 0);
    EXPECT(strcmp(json_string_value(json_object_get(e0, "run_type")), "iteration") == 0);
    EXPECT(strcmp(json_string_value(json_object_get(e0, "time_unit")), "ms") == 0);
    EXPECT(num(e0, "repetitions") == 3 && num(e0, "repetition_index") == 0 && num(e0, "iterations") == 1);
    EXPECT(num(e0, "threads") == 1 && num(e0, "cpu_threads") == 2);
    EXPECT(num(e0, "real_time") == 100 && num(e0, "cpu_time") == 200);
    EXPECT(num(e0, "total") == 99 && num(e0, "cpu:R1 main commit") == 10 && num(e0, "nvml:temp_c") == 60);
    EXPECT(num(e0, "steps") == 65536 && num(e0, "blowup") == 2 && num(e0, "gpu_threshold") == 0);
    EXPECT(strcmp(json_string_value(json_object_get(e0, "tpb")), "keccak=128,ntt=256") == 0);
    EXPECT(strcmp(json_string_value(json_object_get(e0, "verdict")), "fallback") == 0);
    EXPECT(json_is_false(json_object_get(e0, "digest_mismatch")));
    const json_t *fb = json_array_get(json_object_get(e0, "fallbacks"), 0);
    EXPECT(fb && strcmp(json_string_value(json_object_get(fb, "kernel")), "keccak256_leaves") == 0);
    EXPECT(json_object_get(e0, "error_occurred") == NULL);
    EXPECT(num(e0, "gpu_index") == 1 && strcmp(json_string_value(json_object_get(e0, "gpu_name")), "NVIDIA H200") == 0);
    EXPECT(strcmp(json_string_value(json_object_get(e0, "gpu_uuid")), r->points[0].gpu_uuid) == 0);
    /* a repetition without a value has no counter (JSON has no NaN) */
    EXPECT(json_object_get(json_array_get(bms, 1), "nvml:temp_c") == NULL);
    EXPECT(num(json_array_get(bms, 2), "repetition_index") == 2);

    char agg[320];
    snprintf(agg, sizeof agg, "%s_median", name);
    const json_t *med = find_entry(bms, agg);
    EXPECT(med && strcmp(json_string_value(json_object_get(med, "run_type")), "aggregate") == 0);
    EXPECT(med && strcmp(json_string_value(json_object_get(med, "aggregate_name")), "median") == 0);
    EXPECT(med && num(med, "real_time") == 110 && num(med, "cpu:R1 main commit") == 11 && num(med, "nvml:temp_c") == 61);
    snprintf(agg, sizeof agg, "%s_mean", name);
    const json_t *mean = find_entry(bms, agg);
    EXPECT(mean && fabs(num(mean, "real_time") - 340.0 / 3) < 1e-9);
    snprintf(agg, sizeof agg, "%s_stddev", name);
    /* sample stddev of 100, 110, 130: mean 113.33, squares 177.78 + 11.11 + 277.78 = 466.67, / 2 */
    const json_t *sd = find_entry(bms, agg);
    EXPECT(sd && fabs(num(sd, "real_time") - sqrt(1400.0 / 6)) < 1e-9);
    snprintf(agg, sizeof agg, "%s_cv", name);
    const json_t *cv = find_entry(bms, agg);
    EXPECT(cv && strcmp(json_string_value(json_object_get(cv, "aggregate_unit")), "percentage") == 0);
    EXPECT(cv && fabs(num(cv, "real_time") - sqrt(1400.0 / 6) / (340.0 / 3)) < 1e-12);
    snprintf(agg, sizeof agg, "%s_mad", name);
    EXPECT(find_entry(bms, agg) && num(find_entry(bms, agg), "real_time") == 10); /* |100-110|,0,20 -> 10 */
    snprintf(agg, sizeof agg, "%s_max", name);
    EXPECT(find_entry(bms, agg) && num(find_entry(bms, agg), "cpu:R1 main commit") == 12);

    const json_t *inf = json_array_get(bms, 10);
    EXPECT(strcmp(json_string_value(json_object_get(inf, "name")), r->points[1].name) == 0);
    EXPECT(json_is_true(json_object_get(inf, "error_occurred")));
    EXPECT(strstr(json_string_value(json_object_get(inf, "error_message")), "TiB") != NULL);
    EXPECT(strcmp(json_string_value(json_object_get(inf, "status")), "infeasible") == 0);
    EXPECT(strcmp(json_string_value(json_object_get(inf, "gpu_threshold")), "inf") == 0);
    EXPECT(num(inf, "repetitions") == 0);
    EXPECT(json_object_get(inf, "gpu_index") == NULL && json_object_get(inf, "gpu_uuid") == NULL); /* a CPU point */
    json_decref(root);
}

/* Splits one CSV line (RFC 4180 quoting) into at most max fields; returns the count. */
static size_t csv_split(char *line, char **fields, size_t max) {
    size_t n = 0;
    char *s = line, *w = line;
    while (n < max) {
        fields[n++] = w;
        int quoted = *s == '"';
        if (quoted) s++;
        for (;;) {
            if (quoted && *s == '"' && s[1] == '"') { *w++ = '"'; s += 2; }
            else if (quoted && *s == '"') { quoted = 0; s++; }
            else if (!quoted && (*s == ',' || *s == '\n' || !*s)) break;
            else *w++ = *s++;
        }
        int end = *s != ',';
        *w++ = 0;
        s++;
        if (end) break;
    }
    return n;
}

static void check_csv(const char *path, const sb_results *r) {
    char *text = read_text(path);
    EXPECT(text != NULL);
    if (!text) return;
    const char *fixed[] = {"name", "run_name", "run_type", "aggregate_name", "repetition_index", "steps", "blowup",
                           "backend", "backend_used", "gpu_threshold", "tp", "cpu_threads", "tpb", "status", "error",
                           "verdict", "digest_mismatch", "fallback_count", "proof_digest", "real_time_ms", "cpu_time_ms",
                           "stop_reason", "noise_pct", "gpu_index", "gpu_name", "gpu_uuid", "total", "cpu:R1 main commit",
                           "nvml:temp_c"};
    size_t n_cols = sizeof fixed / sizeof fixed[0];
    char *save = NULL, *line = strtok_r(text, "\n", &save);
    char *f[64];
    EXPECT(csv_split(line, f, 64) == n_cols);
    for (size_t c = 0; c < n_cols; c++) EXPECT(strcmp(f[c], fixed[c]) == 0);
    size_t rows = 0;
    while ((line = strtok_r(NULL, "\n", &save))) {
        size_t n = csv_split(line, f, 64);
        EXPECT(n == n_cols);
        if (rows == 0) { /* first repetition of point 0 */
            EXPECT(strcmp(f[0], r->points[0].name) == 0);
            EXPECT(strcmp(f[2], "iteration") == 0 && strcmp(f[4], "0") == 0);
            EXPECT(strcmp(f[12], "keccak=128,ntt=256") == 0);
            EXPECT(atof(f[19]) == 100 && atof(f[27]) == 10 && atof(f[28]) == 60);
            EXPECT(strcmp(f[23], "1") == 0 && strcmp(f[24], "NVIDIA H200") == 0 && strncmp(f[25], "GPU-8f3c", 8) == 0);
        }
        if (rows == 1) EXPECT(f[28][0] == 0); /* NaN is an empty cell */
        if (rows == 3) EXPECT(strcmp(f[2], "aggregate") == 0 && strcmp(f[3], "mean") == 0);
        if (rows == 10) {
            EXPECT(strcmp(f[13], "infeasible") == 0 && strcmp(f[9], "inf") == 0 && f[19][0] == 0);
            EXPECT(f[23][0] == 0 && f[25][0] == 0); /* no GPU */
        }
        rows++;
    }
    EXPECT(rows == 3 + 7 + 1);
    free(text);
}

static void check_round_trip(const char *path, const sb_results *r) {
    sb_results l;
    char err[512];
    EXPECT(sb_results_load(&l, path, err, sizeof err) == 0);
    EXPECT(l.n_points == 2);
    if (l.n_points != 2) return;
    EXPECT(strcmp(l.date, r->date) == 0 && strcmp(l.host_name, r->host_name) == 0);
    EXPECT(l.num_cpus == r->num_cpus && l.cupti == 1 && l.range_sync == 1 && isnan(l.cupti_overhead_pct));
    EXPECT(l.n_caches == r->n_caches);
    const sb_point *p = &l.points[0], *o = &r->points[0];
    EXPECT(strcmp(p->name, o->name) == 0 && p->reps == 3 && p->log_steps == 16 && p->blowup == 2);
    EXPECT(p->backend == SB_BACKEND_GPU && strcmp(p->backend_used, "gpu") == 0 && p->threads == 2);
    EXPECT(strcmp(p->tpb, o->tpb) == 0 && strcmp(p->proof_digest, o->proof_digest) == 0);
    EXPECT(strcmp(p->status, "ok") == 0 && strcmp(p->verdict, "fallback") == 0);
    EXPECT(strcmp(p->verdict_reason, o->verdict_reason) == 0);
    EXPECT(p->n_fallbacks == 1 && strcmp(p->fallbacks[0].error, o->fallbacks[0].error) == 0);
    EXPECT(p->n_metrics == 3);
    for (int k = 0; k < 3; k++) {
        EXPECT(p->real_time_ms[k] == o->real_time_ms[k] && p->cpu_time_ms[k] == o->cpu_time_ms[k]);
        EXPECT(sb_point_find(p, "cpu:R1 main commit")->values[k] == o->metrics[1].values[k]);
    }
    EXPECT(isnan(sb_point_find(p, "nvml:temp_c")->values[1]));
    EXPECT(sb_point_total(p)[2] == 129);
    const sb_point *q = &l.points[1];
    EXPECT(q->reps == 0 && strcmp(q->status, "infeasible") == 0 && q->threshold == SB_THRESHOLD_NEVER);
    EXPECT(strcmp(q->error, r->points[1].error) == 0 && q->log_steps == 30);
    EXPECT(p->gpu_index == 1 && strcmp(p->gpu_name, o->gpu_name) == 0 && strcmp(p->gpu_uuid, o->gpu_uuid) == 0);
    EXPECT(q->gpu_index == -1 && q->gpu_uuid[0] == 0);
    EXPECT(l.shard_index == 2 && l.shard_count == 3 && l.plan_points == 7 && l.n_gpus == 2);
    EXPECT(l.gpus[1].index == 1 && strcmp(l.gpus[1].uuid, r->gpus[1].uuid) == 0 && l.gpus[1].memory_total == r->gpus[1].memory_total);
    EXPECT(l.gpus[0].noise_pct == 0.5 && l.gpus[0].noise_ms == 2.25 && isnan(l.gpus[1].noise_pct));
    sb_results_free(&l);
}

/* The loader rejects bad files with one line naming the file and the reason. */
static void check_load_error(const char *name, const char *content, const char *expect) {
    char path[128], err[512] = "";
    path_in_dir(path, sizeof path, name);
    if (content) write_text(path, content);
    sb_results l;
    EXPECT(sb_results_load(&l, path, err, sizeof err) == -1);
    EXPECT(strstr(err, expect) != NULL && strstr(err, path) != NULL && strchr(err, '\n') == NULL);
    if (!strstr(err, expect)) fprintf(stderr, "  got: %s\n", err);
}

static void check_loader_errors(const char *good_path) {
    check_load_error("missing.json", NULL, "cannot read");
    check_load_error("garbage.json", "this is not json\n", "not JSON");
    char *good = read_text(good_path);
    good[strlen(good) / 2] = 0; /* a truncated file */
    check_load_error("truncated.json", good, "not JSON");
    free(good);
    check_load_error("array.json", "[1, 2]", "wrong schema");
    check_load_error("nobench.json", "{\"context\": {}}", "wrong schema");
    check_load_error("badentry.json", "{\"context\": {}, \"benchmarks\": [{\"name\": \"x\", \"real_time\": 1}]}",
                     "time_unit");
    check_load_error("badthreshold.json",
                     "{\"context\": {}, \"benchmarks\": [{\"name\": \"x\", \"real_time\": 1, \"cpu_time\": 1, "
                     "\"time_unit\": \"ms\", \"gpu_threshold\": -4}]}",
                     "gpu_threshold");
}

/* A file as Google Benchmark itself writes it (ns, no point fields) loads too. */
static void check_google_benchmark_file(void) {
    char path[128], err[512];
    path_in_dir(path, sizeof path, "gb.json");
    write_text(path, "{\"context\": {\"date\": \"2024-01-01T00:00:00+00:00\", \"num_cpus\": 8, \"mhz_per_cpu\": 3000,"
                     " \"library_build_type\": \"release\"},\n \"benchmarks\": [\n"
                     "  {\"name\": \"BM_ntt/log_n:10\", \"run_name\": \"BM_ntt/log_n:10\", \"run_type\": \"iteration\","
                     " \"repetitions\": 2, \"repetition_index\": 0, \"threads\": 1, \"iterations\": 100,"
                     " \"real_time\": 2500000, \"cpu_time\": 2400000, \"time_unit\": \"ns\", \"items_per_second\": 5},\n"
                     "  {\"name\": \"BM_ntt/log_n:10\", \"run_name\": \"BM_ntt/log_n:10\", \"run_type\": \"iteration\","
                     " \"repetitions\": 2, \"repetition_index\": 1, \"threads\": 1, \"iterations\": 100,"
                     " \"real_time\": 3.5, \"cpu_time\": 3, \"time_unit\": \"ms\", \"items_per_second\": 4},\n"
                     "  {\"name\": \"BM_ntt/log_n:10_mean\", \"run_name\": \"BM_ntt/log_n:10\", \"run_type\": \"aggregate\","
                     " \"aggregate_name\": \"mean\", \"repetitions\": 2, \"threads\": 1, \"iterations\": 2,"
                     " \"real_time\": 3, \"cpu_time\": 2.7, \"time_unit\": \"ms\"}]}\n");
    sb_results l;
    EXPECT(sb_results_load(&l, path, err, sizeof err) == 0);
    EXPECT(l.n_points == 1 && l.num_cpus == 8);
    if (l.n_points == 1) {
        EXPECT(l.points[0].reps == 2 && l.points[0].real_time_ms[0] == 2.5 && l.points[0].real_time_ms[1] == 3.5);
        EXPECT(sb_point_find(&l.points[0], "items_per_second")->values[1] == 4);
        EXPECT(strcmp(l.points[0].status, "ok") == 0 && sb_point_total(&l.points[0]) == l.points[0].real_time_ms);
    }
    sb_results_free(&l);
}

/* A point's name of 255 characters, the most the loader takes, survives a write and a load
 * (its aggregates are named longer: "<name>_median"). */
static void check_longest_name(void) {
    sb_results r, l;
    char *argv[] = {"starkbench"}, path[128], err[512] = "";
    sb_results_init(&r, 1, argv);
    sb_point *p = sb_results_add_point(&r, 2);
    memset(p->name, 'n', sizeof p->name - 1);
    p->real_time_ms[0] = p->real_time_ms[1] = p->cpu_time_ms[0] = p->cpu_time_ms[1] = 5;
    path_in_dir(path, sizeof path, "longest.json");
    EXPECT(sb_results_write(&r, path, err, sizeof err) == 0);
    CHECK(sb_results_load(&l, path, err, sizeof err) == 0, "%s", err);
    EXPECT(l.n_points == 1 && strcmp(l.points[0].name, p->name) == 0 && l.points[0].reps == 2);
    sb_results_free(&l);
    sb_results_free(&r);
}

/* A write that fails half-way (file size limit) leaves the previous results intact. */
static void check_atomic_write(const sb_results *r) {
    char path[128], csv[128], err[512] = "";
    path_in_dir(path, sizeof path, "keep.json");
    path_in_dir(csv, sizeof csv, "keep.csv");
    write_text(path, "previous results\n");
    write_text(csv, "previous csv\n");
    struct rlimit old, small = {.rlim_cur = 2048, .rlim_max = RLIM_INFINITY};
    getrlimit(RLIMIT_FSIZE, &old);
    small.rlim_max = old.rlim_max;
    signal(SIGXFSZ, SIG_IGN);
    EXPECT(setrlimit(RLIMIT_FSIZE, &small) == 0);
    EXPECT(sb_results_write(r, path, err, sizeof err) == -1);
    EXPECT(setrlimit(RLIMIT_FSIZE, &old) == 0);
    EXPECT(strstr(err, "write failed") != NULL);
    char *a = read_text(path), *b = read_text(csv);
    EXPECT(a && strcmp(a, "previous results\n") == 0);
    EXPECT(b && strcmp(b, "previous csv\n") == 0);
    free(a);
    free(b);
    /* (no temporary is left behind: tests/test_outfile.c counts the folder's entries) */
    /* and a write that succeeds replaces both */
    EXPECT(sb_results_write(r, path, err, sizeof err) == 0);
    a = read_text(csv);
    EXPECT(a && strncmp(a, "name,run_name,", 14) == 0);
    free(a);
}

/* Only a table's round ranges are rounds: not the CUPTI figures of a range, in or outside a table. */
static void check_round_keys(void) {
    EXPECT(sb_metric_is_round("cpu:R1 main LDE"));
    EXPECT(sb_metric_is_round("range:R4 queries"));
    EXPECT(!sb_metric_is_round("cpu:R1 main LDE:kernel_ms"));
    EXPECT(!sb_metric_is_round("prove:kernel_ms"));
    EXPECT(!sb_metric_is_round("R1 main trace:launches"));
    EXPECT(!sb_metric_is_round("nvml:temp_c"));
    EXPECT(!sb_metric_is_round("backend:gpu_ops"));
    EXPECT(!sb_metric_is_round("total"));
}

int main(void) {
    check_round_keys();
    snprintf(dir, sizeof dir, "/tmp/sb_test_results.XXXXXX");
    if (!mkdtemp(dir)) return 1;
    sb_results r;
    make_results(&r);
    char path[128], csv[128], err[512];
    path_in_dir(path, sizeof path, "r.json");
    path_in_dir(csv, sizeof csv, "r.csv");
    EXPECT(sb_results_write(&r, path, err, sizeof err) == 0);
    check_json_schema(path, &r);
    check_csv(csv, &r);
    check_round_trip(path, &r);
    check_loader_errors(path);
    check_google_benchmark_file();
    check_longest_name();
    check_atomic_write(&r);
    sb_results_free(&r);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return check_finish("test_results");
}
