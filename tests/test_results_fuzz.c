/* A fuzz loop over the results loader: a real results file (written by sb_results_write),
 * mutated at random, structurally (values of the wrong type or range, keys removed or added,
 * entries repeated, dropped or renamed) and byte by byte (flips, cuts, repeats), a few thousand
 * times with a fixed seed. The loader either refuses a file with one line naming it, or accepts
 * it with every value finite and in range; some accepted files are written back and load again,
 * and report, compare and history run on them without crashing (every write is fsync'd: a
 * sample keeps the loop fast). Runs under ASan/UBSan too. */
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "commands.h"
#include "history.h"
#include "results.h"
#include "stats.h"

#define ITERATIONS 3000

static char dir[64];

/* Three points: ok with 3 repetitions (rounds, NVML, a fallback), failed, infeasible. */
static void write_seed(const char *path) {
    sb_results r;
    char *argv[] = {"starkbench", "sweep"}, err[512];
    sb_results_init(&r, 2, argv);
    /* a context that does not depend on the machine or the hour: the same bytes every run */
    snprintf(r.date, sizeof r.date, "2026-12-04T00:00:00+00:00");
    snprintf(r.host_name, sizeof r.host_name, "fuzz-host");
    snprintf(r.git_commit, sizeof r.git_commit, "0123456789ab");
    r.gpu_name[0] = r.gpu_driver[0] = r.cuda_version[0] = 0;
    r.num_cpus = 2, r.mhz_per_cpu = 2000, r.cpu_scaling_enabled = 0, r.n_caches = 0;
    r.load_avg[0] = r.load_avg[1] = r.load_avg[2] = 0.5;
    static const char *const statuses[] = {"ok", "failed", "infeasible"};
    for (int i = 0; i < 3; i++) {
        sb_point *p = sb_results_add_point(&r, i == 2 ? 0 : 3);
        snprintf(p->name, sizeof p->name, "prove/steps:%d/blowup:2/backend:cpu/threshold:inf/tp:1/threads:2/tpb:default",
                 8 + 2 * i);
        p->log_steps = 8 + 2 * (unsigned)i;
        p->blowup = 2;
        p->threads = 2;
        p->threshold = SB_THRESHOLD_NEVER;
        snprintf(p->status, sizeof p->status, "%s", statuses[i]);
        if (i) snprintf(p->error, sizeof p->error, "child exited with 1");
        snprintf(p->proof_digest, sizeof p->proof_digest, "%064d", i);
        for (size_t k = 0; k < p->reps; k++) {
            p->real_time_ms[k] = 100 + (double)k;
            p->cpu_time_ms[k] = 190 + (double)k;
            sb_point_metric(p, "total")->values[k] = 99 + (double)k;
            sb_point_metric(p, "cpu:R1 main LDE")->values[k] = 30 + (double)k;
            sb_point_metric(p, "cpu:R2 evaluate")->values[k] = 40;
            sb_point_metric(p, "nvml:temp_c")->values[k] = k == 1 ? NAN : 60;
        }
        if (i == 0) {
            p->n_fallbacks = 1;
            p->fallbacks = calloc(1, sizeof *p->fallbacks);
            snprintf(p->fallbacks[0].op, sizeof p->fallbacks[0].op, "R1 main commit");
            snprintf(p->verdict, sizeof p->verdict, "fallback");
        }
    }
    if (sb_results_write(&r, path, err, sizeof err) != 0) fprintf(stderr, "%s\n", err);
    sb_results_free(&r);
}

static size_t pick(size_t n) { return n ? (size_t)(rnd() % n) : 0; }

/* A value of any type, many of them out of every range the schema allows. */
static json_t *hostile_value(void) {
    static char long_text[400];
    memset(long_text, 'x', sizeof long_text - 1);
    switch (pick(30)) {
    case 0: return json_string("");
    case 1: return json_string("x");
    case 2: return json_string(long_text + pick(300));
    case 3: return json_string("inf");
    case 4: return json_string("ok");
    case 5: return json_string("aggregate");
    case 6: return json_string("s");
    case 7: return json_string("line\nbreak");
    case 8: return json_integer(0);
    case 9: return json_integer(-1);
    case 10: return json_integer(1);
    case 11: return json_integer(2 + (json_int_t)pick(7));
    case 12: return json_integer(31);
    case 13: return json_integer((json_int_t)1 << 62);
    case 14: return json_integer(INT64_MIN);
    case 15: return json_real(-0.0);
    case 16: return json_real(1e308);
    case 17: return json_real(-1e308);
    case 18: return json_real(1e-308);
    case 19: return json_real(0.5);
    case 20: return json_real(1e19);
    case 21: return json_true();
    case 22: return json_false();
    case 23: return json_null();
    case 24: return json_array();
    case 25: return json_object();
    case 26: return json_pack("[f,f,f]", 1.0, -2.0, 1e300);
    case 27: return json_pack("{s:i}", "a", 1);
    case 28: return json_pack("[{s:s}]", "table", "cpu");
    default: return json_integer(1000000 + (json_int_t)pick(1000));
    }
}

static const char *const known_keys[] = {
    "name", "run_name", "run_type", "repetitions", "repetition_index", "real_time", "cpu_time", "time_unit",
    "aggregate_name", "error_occurred", "error_message", "steps", "log_steps", "blowup", "backend", "backend_used",
    "gpu_threshold", "tp", "cpu_threads", "tpb", "status", "proof_digest", "digest_mismatch", "fallbacks",
    "fallback_count", "verdict", "verdict_reason", "total", "cpu:R1 main LDE", "nvml:temp_c", "date", "host_name",
    "num_cpus", "mhz_per_cpu", "cpu_scaling_enabled", "caches", "load_avg", "range_sync", "cupti",
    "cupti_overhead_pct", "git_commit", "context", "benchmarks"};

/* A random key of object o (NULL when empty). */
static const char *some_key(json_t *o) {
    size_t n = json_object_size(o), i = pick(n);
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) if (i-- == 0) return key;
    return NULL;
}

/* One structural mutation of the document. */
static void mutate(json_t *doc) {
    json_t *bms = json_object_get(doc, "benchmarks");
    json_t *target = json_is_array(bms) && json_array_size(bms) && pick(4) ? json_array_get(bms, pick(json_array_size(bms)))
                                                                          : json_object_get(doc, "context");
    if (!json_is_object(target)) target = doc;
    const char *key = some_key(target);
    switch (pick(8)) {
    case 0: /* a field gets a value of any type */
    case 1:
        if (key) json_object_set_new(target, key, hostile_value());
        break;
    case 2: /* a field disappears */
        if (key) json_object_del(target, key);
        break;
    case 3: /* a field appears (a known one, or a counter of a long or odd name) */
        if (pick(2)) json_object_set_new(target, known_keys[pick(sizeof known_keys / sizeof known_keys[0])], hostile_value());
        else {
            char name[300];
            size_t len = 1 + pick(sizeof name - 1);
            for (size_t i = 0; i < len; i++) name[i] = (char)('a' + pick(26));
            name[len] = 0;
            json_object_set_new(target, name, json_real((double)pick(1000)));
        }
        break;
    case 4: /* an entry repeated */
        if (json_is_array(bms) && json_array_size(bms))
            json_array_append_new(bms, json_deep_copy(json_array_get(bms, pick(json_array_size(bms)))));
        break;
    case 5: /* an entry dropped */
        if (json_is_array(bms) && json_array_size(bms)) json_array_remove(bms, pick(json_array_size(bms)));
        break;
    case 6: { /* a name of 250 to 300 characters, on name or run_name */
        char name[320];
        size_t len = 250 + pick(51);
        memset(name, 'n', len);
        name[len] = 0;
        json_object_set_new(target, pick(2) ? "name" : "run_name", json_string(name));
        break;
    }
    default: /* the whole context or benchmarks replaced */
        json_object_set_new(doc, pick(2) ? "context" : "benchmarks", hostile_value());
        break;
    }
}

/* One byte-level mutation of text (len bytes in a buffer of cap): a flip, a cut or a repeat. */
static size_t mutate_bytes(char *text, size_t len, size_t cap) {
    size_t at = pick(len);
    switch (pick(3)) {
    case 0: text[at] = (char)(1 + pick(255)); return len;
    case 1: return at;
    default: {
        size_t n = 1 + pick(64);
        if (at + n > len) n = len - at;
        if (len + n > cap) return len;
        memmove(text + at + n, text + at, len - at);
        return len + n;
    }
    }
}

static void write_bytes(const char *path, const char *text, size_t len) {
    FILE *f = fopen(path, "wb");
    fwrite(text, 1, len, f);
    fclose(f);
}

static int in_range(double v) { return isnan(v) || (v >= 0 && v <= 1e18); }

/* What an accepted file promises: names that fit, schema values, finite values in range. */
static void check_accepted(const sb_results *r, const char *path) {
    for (size_t i = 0; i < r->n_points; i++) {
        const sb_point *p = &r->points[i];
        CHECK(strlen(p->name) < sizeof p->name && p->log_steps <= 30 && p->tp >= 1 && p->tp <= 64,
              "%s: point %zu out of range", path, i);
        CHECK(p->blowup == 0 || p->blowup == 2 || p->blowup == 4 || p->blowup == 8, "%s: blowup %u", path, p->blowup);
        for (size_t k = 0; k < p->reps; k++) CHECK(in_range(p->real_time_ms[k]) && in_range(p->cpu_time_ms[k]), "%s: time", path);
        for (size_t m = 0; m < p->n_metrics; m++)
            for (size_t k = 0; k < p->reps; k++) CHECK(in_range(p->metrics[m].values[k]), "%s: %s", path, p->metrics[m].key);
        sb_stats s;
        sb_stats_compute(sb_point_total(p), p->reps, &s);
        CHECK(s.n == 0 || (isfinite(s.mean) && isfinite(s.stddev) && isfinite(s.cv)), "%s: stats not finite", path);
    }
}

/* The commands on an accepted file: exit codes only (their output goes to a file). */
static void run_commands(const char *path, int iteration) {
    char out_dir[128], db[128], cap_path[128], cap[4096];
    snprintf(out_dir, sizeof out_dir, "%s/report-%d", dir, iteration);
    snprintf(db, sizeof db, "%s/history.db", dir);
    snprintf(cap_path, sizeof cap_path, "%s/stdout.txt", dir);
    char *report[] = {"report", (char *)path, "--out", out_dir};
    char *compare[] = {"compare", (char *)path, (char *)path};
    char *history[] = {"history", "add", (char *)path, "--db", db};
    fflush(stderr);
    int saved = dup(2), null = open("/dev/null", O_WRONLY); /* their notes ("charts skipped") are not the test's */
    dup2(null, 2);
    close(null);
    int rc = run_captured(cmd_report, 4, report, cap_path, cap, sizeof cap);
    CHECK(rc == 0, "report of an accepted file exited %d", rc);
    rc = run_captured(cmd_compare, 3, compare, cap_path, cap, sizeof cap);
    CHECK(rc == 0 || rc == 1 || rc == 2, "compare exited %d", rc);
    rc = run_captured(cmd_history, 5, history, cap_path, cap, sizeof cap);
    CHECK(rc == 0, "history add of an accepted file exited %d", rc);
    dup2(saved, 2);
    close(saved);
}

int main(void) {
    json_object_seed(1); /* the same hash order, so the same mutations, on every run */
    /* tmpfs where there is one: the writes' fsyncs cost nothing there */
    snprintf(dir, sizeof dir, "/dev/shm/sb_test_results_fuzz.XXXXXX");
    if (!mkdtemp(dir)) {
        snprintf(dir, sizeof dir, "/tmp/sb_test_results_fuzz.XXXXXX");
        if (!mkdtemp(dir)) return 1;
    }
    char *path_env = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    setenv("PATH", "/nonexistent", 1); /* no gnuplot: the report's charts are skipped, fast */
    char seed[128], path[128], back[128], err[1024];
    snprintf(seed, sizeof seed, "%s/seed.json", dir);
    snprintf(path, sizeof path, "%s/mutated.json", dir);
    snprintf(back, sizeof back, "%s/back.json", dir);
    write_seed(seed);
    json_error_t jerr;
    json_t *base = json_load_file(seed, 0, &jerr);
    sb_results r;
    EXPECT(base && sb_results_load(&r, seed, err, sizeof err) == 0);
    if (!base) return check_finish("test_results_fuzz");
    sb_results_free(&r);
    static char text[1 << 20];
    size_t accepted = 0, refused = 0;
    rng_state = 18;
    for (int it = 0; it < ITERATIONS; it++) {
        json_t *doc = json_deep_copy(base);
        for (size_t m = 1 + pick(3); m > 0; m--) mutate(doc);
        size_t len = json_dumpb(doc, text, sizeof text, JSON_COMPACT);
        json_decref(doc);
        if (len > sizeof text) continue;
        if (pick(4) == 0) len = mutate_bytes(text, len, sizeof text);
        write_bytes(path, text, len);
        err[0] = 0;
        if (sb_results_load(&r, path, err, sizeof err) != 0) {
            CHECK(err[0] && strstr(err, path) == err && !strchr(err, '\n'), "iteration %d: refusal '%s'", it, err);
            refused++;
            continue;
        }
        check_accepted(&r, path);
        if (accepted++ % 10 == 0) { /* what the loader accepts, the writer writes and the loader accepts again */
            sb_results again;
            CHECK(sb_results_write(&r, back, err, sizeof err) == 0, "iteration %d: write back: %s", it, err);
            int rc = sb_results_load(&again, back, err, sizeof err);
            CHECK(rc == 0 && again.n_points == r.n_points, "iteration %d: written back, refused: %s", it, err);
            if (rc == 0) sb_results_free(&again);
        }
        sb_results_free(&r);
        if (accepted % 40 == 1) run_commands(path, it);
    }
    json_decref(base);
    setenv("PATH", path_env, 1);
    free(path_env);
    /* both paths exercised: the mutations are neither all harmless nor all fatal */
    CHECK(accepted >= ITERATIONS / 20 && refused >= ITERATIONS / 5, "%zu accepted, %zu refused", accepted, refused);
    printf("test_results_fuzz: %d mutations, %zu accepted, %zu refused\n", ITERATIONS, accepted, refused);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return check_finish("test_results_fuzz");
}
