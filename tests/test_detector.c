/* The fallback detector on a fake calibration (CPU only): a synthetic slow commit is
 * flagged, a normal one passes, a small CPU/GPU ratio is "undetectable", records win,
 * CUPTI evidence works alone, and the calibration file round-trips. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detector.h"

#include "check.h"

static const sb_detect_table tables[] = {
    {"cpu", 1u << 10, 130, 6},
    {"range", 1u << 16, 1, 3},
};

static sb_calib_entry entry(uint64_t rows, unsigned cols, const char *driver, double cpu, double gpu) {
    sb_calib_entry e;
    memset(&e, 0, sizeof e);
    snprintf(e.key.gpu, sizeof e.key.gpu, "NVIDIA H100 80GB HBM3");
    snprintf(e.key.driver, sizeof e.key.driver, "%s", driver);
    snprintf(e.key.build, sizeof e.key.build, "abc123");
    e.key.threads = 2;
    e.key.rows = rows;
    e.key.cols = cols;
    e.key.blowup = 2;
    e.lde_cpu_ms = e.commit_cpu_ms = cpu;
    e.lde_gpu_ms = e.commit_gpu_ms = gpu;
    return e;
}

/* A GPU point of two repetitions where every Round-1 range of every table took `ms`,
 * except the cpu table's main commit, which took `commit_ms`. */
static sb_point *gpu_point(sb_results *r, double ms, double commit_ms) {
    sb_point *p = sb_results_add_point(r, 2);
    snprintf(p->backend_used, sizeof p->backend_used, "gpu");
    p->backend = SB_BACKEND_GPU;
    p->blowup = 2;
    p->threads = 2;
    p->threshold = 0;
    const char *ranges[] = {"R1 main LDE", "R1 main commit", "R1 aux LDE", "R1 aux commit"};
    for (size_t t = 0; t < 2; t++)
        for (size_t k = 0; k < 4; k++) {
            char key[72];
            snprintf(key, sizeof key, "%s:%s", tables[t].name, ranges[k]);
            sb_metric *m = sb_point_metric(p, key);
            int slow = t == 0 && k == 1;
            m->values[0] = slow ? commit_ms : ms;
            m->values[1] = slow ? commit_ms * 1.02 : ms * 0.98;
        }
    return p;
}

static void set_all(sb_point *p, const char *suffix, double v) {
    const char *ranges[] = {"R1 main LDE", "R1 main commit", "R1 aux LDE", "R1 aux commit"};
    for (size_t t = 0; t < 2; t++)
        for (size_t k = 0; k < 4; k++) {
            char key[72];
            snprintf(key, sizeof key, "%s:%s%s", tables[t].name, ranges[k], suffix);
            sb_metric *m = sb_point_metric(p, key);
            m->values[0] = m->values[1] = v;
        }
}

int main(void) {
    /* Timing alone: calibration CPU 1850 ms, GPU 250 ms (ratio 7.4). */
    CHECK(sb_detect_timing(260, 1850, 250) == SB_TIMING_GPU, "260 ms is GPU-like");
    CHECK(sb_detect_timing(1900, 1850, 250) == SB_TIMING_CPU, "1900 ms is CPU-like");
    CHECK(sb_detect_timing(700, 1850, 250) == SB_TIMING_GPU, "700 ms is within the margin (p = 0.51)");
    CHECK(sb_detect_timing(1000, 1850, 250) == SB_TIMING_CPU, "1000 ms is past the margin (p = 0.69)");
    CHECK(sb_detect_timing(500, 500, 200) == SB_TIMING_UNDETECTABLE, "ratio 2.5 cannot tell");
    CHECK(sb_detect_timing(NAN, 1850, 250) == SB_TIMING_UNDETECTABLE, "no measurement");

    sb_calibration cal = {0, NULL, 0, NULL};
    sb_calib_entry es[] = {entry(1u << 10, 130, "550.54", 1850, 250), entry(1u << 10, 18, "550.54", 400, 40),
                           entry(1u << 16, 1, "550.54", 300, 30), entry(1u << 16, 9, "550.54", 900, 60)};
    for (size_t i = 0; i < 4; i++) CHECK(sb_calibration_put(&cal, &es[i]) == 0, "put");
    sb_detect_context ctx = {"NVIDIA H100 80GB HBM3", "550.54", "abc123", &cal};
    sb_detect_table t3[] = {{"cpu", 1u << 10, 130, 18}, {"range", 1u << 16, 1, 9}};
    sb_results r;
    memset(&r, 0, sizeof r);

    /* A normal GPU run: clean. Ranges take their GPU calibration times. */
    sb_point *p = gpu_point(&r, 40, 250);
    sb_metric *m = sb_point_metric(p, "range:R1 main LDE");
    m->values[0] = m->values[1] = 30;
    m = sb_point_metric(p, "range:R1 main commit");
    m->values[0] = m->values[1] = 30;
    m = sb_point_metric(p, "range:R1 aux LDE");
    m->values[0] = m->values[1] = 60;
    m = sb_point_metric(p, "range:R1 aux commit");
    m->values[0] = m->values[1] = 60;
    sb_detect_point(p, t3, 2, &ctx);
    CHECK(strcmp(p->verdict, "clean") == 0, "normal run: %s (%s)", p->verdict, p->verdict_reason);

    /* The upstream symptom: the main commit takes the CPU time, no record. */
    p = gpu_point(&r, 40, 1900);
    sb_detect_point(p, t3, 2, &ctx);
    CHECK(strcmp(p->verdict, "suspected-fallback") == 0, "slow commit: %s", p->verdict);
    CHECK(strstr(p->verdict_reason, "cpu: suspected-fallback (R1 main commit") != NULL, "reason: %s",
          p->verdict_reason);

    /* The same slow commit with a backend record: "fallback", which outranks the timing. */
    p = gpu_point(&r, 40, 1900);
    p->n_fallbacks = 1;
    p->fallbacks = calloc(1, sizeof *p->fallbacks);
    snprintf(p->fallbacks[0].table, sizeof p->fallbacks[0].table, "cpu");
    snprintf(p->fallbacks[0].op, sizeof p->fallbacks[0].op, "R1 main commit");
    snprintf(p->fallbacks[0].error, sizeof p->fallbacks[0].error, "too many resources requested for launch");
    sb_detect_point(p, t3, 2, &ctx);
    CHECK(strcmp(p->verdict, "fallback") == 0, "recorded: %s", p->verdict);
    CHECK(strstr(p->verdict_reason, "too many resources") != NULL, "reason: %s", p->verdict_reason);

    /* Ratio under 3 (lde and commit of the cpu main shape calibrated at 500 vs 200): undetectable. */
    sb_calibration small = {0, NULL, 0, NULL};
    sb_calib_entry e = entry(1u << 10, 130, "550.54", 500, 200);
    sb_calibration_put(&small, &e);
    sb_detect_context sctx = {"NVIDIA H100 80GB HBM3", "550.54", "abc123", &small};
    sb_detect_table cpu_only[] = {{"cpu", 1u << 10, 130, 0}};
    p = gpu_point(&r, 500, 500);
    sb_detect_point(p, cpu_only, 1, &sctx);
    CHECK(strcmp(p->verdict, "undetectable") == 0, "ratio 2.5: %s (%s)", p->verdict, p->verdict_reason);

    /* A calibration for another driver does not apply: undetectable, not clean. */
    sb_detect_context other = {"NVIDIA H100 80GB HBM3", "560.00", "abc123", &cal};
    p = gpu_point(&r, 40, 250);
    sb_detect_point(p, cpu_only, 1, &other);
    CHECK(strcmp(p->verdict, "undetectable") == 0, "other driver: %s", p->verdict);
    CHECK(strstr(p->verdict_reason, "no calibration") != NULL, "reason: %s", p->verdict_reason);

    /* CUPTI alone (no calibration): Keccak kernels present -> clean; absent -> suspected;
     * a failed launch -> suspected. */
    sb_detect_context nocal = {"NVIDIA H100 80GB HBM3", "550.54", "abc123", NULL};
    p = gpu_point(&r, 40, 250);
    set_all(p, ":launches", 12);
    set_all(p, ":keccak_launches", 1);
    set_all(p, ":failed_launches", 0);
    sb_detect_point(p, t3, 2, &nocal);
    CHECK(strcmp(p->verdict, "clean") == 0, "CUPTI clean: %s (%s)", p->verdict, p->verdict_reason);
    sb_point_metric(p, "range:R1 aux commit:keccak_launches")->values[1] = 0;
    sb_detect_point(p, t3, 2, &nocal);
    CHECK(strcmp(p->verdict, "suspected-fallback") == 0, "no keccak: %s", p->verdict);
    CHECK(strstr(p->verdict_reason, "no Keccak kernel") != NULL, "reason: %s", p->verdict_reason);
    sb_point_metric(p, "range:R1 aux commit:keccak_launches")->values[1] = 1;
    sb_point_metric(p, "cpu:R1 main LDE:failed_launches")->values[0] = 1;
    sb_detect_point(p, t3, 2, &nocal);
    CHECK(strcmp(p->verdict, "suspected-fallback") == 0, "failed launch: %s", p->verdict);

    /* CPU by configuration: threshold inf, or a CPU run, is n/a; a failed point is n/a. */
    p = gpu_point(&r, 40, 1900);
    p->threshold = SB_THRESHOLD_NEVER;
    sb_detect_point(p, t3, 2, &ctx);
    CHECK(strcmp(p->verdict, "n/a") == 0, "threshold inf: %s", p->verdict);
    p = gpu_point(&r, 40, 1900);
    p->threshold = 1u << 12; /* cpu table LDE 2^11 rows stays on the CPU; range (2^17) on the GPU */
    sb_detect_point(p, t3, 2, &ctx);
    CHECK(strstr(p->verdict_reason, "cpu: n/a") != NULL, "below threshold: %s", p->verdict_reason);
    p = gpu_point(&r, 40, 1900);
    snprintf(p->status, sizeof p->status, "timeout");
    sb_detect_point(p, t3, 2, &ctx);
    CHECK(strcmp(p->verdict, "n/a") == 0, "timeout: %s", p->verdict);

    /* The calibration file round-trips; a later put with the same key replaces. */
    char path[] = "/tmp/sb_calib_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    char err[256];
    e = entry(1u << 10, 130, "550.54", 1000, 100);
    sb_calibration_put(&cal, &e);
    CHECK(cal.n == 4, "put replaces: %zu entries", cal.n);
    sb_calib_floors fl = {"NVIDIA H100 80GB HBM3", "550.54", 5.5e12, 1.25e12, 3.5e10};
    CHECK(sb_calibration_put_floors(&cal, &fl) == 0, "put floors");
    fl.keccak_f_per_s = 4e10; /* same GPU and driver: replaces */
    CHECK(sb_calibration_put_floors(&cal, &fl) == 0 && cal.n_floors == 1, "floors replaced");
    CHECK(sb_calibration_save(&cal, path, err, sizeof err) == 0, "save: %s", err);
    sb_calibration back;
    CHECK(sb_calibration_load(&back, path, err, sizeof err) == 0, "load: %s", err);
    CHECK(back.n == 4, "loaded %zu entries", back.n);
    const sb_calib_entry *f = sb_calibration_find(&back, &e.key);
    CHECK(f && f->commit_cpu_ms == 1000 && f->lde_gpu_ms == 100, "loaded values");
    const sb_calib_floors *lf = sb_calibration_floors(&back, "NVIDIA H100 80GB HBM3", "550.54");
    CHECK(back.n_floors == 1 && lf && lf->d2d_bytes_per_s == 5.5e12 && lf->keccak_f_per_s == 4e10, "floors round-trip");
    CHECK(!sb_calibration_floors(&back, "NVIDIA H100 80GB HBM3", "999"), "floors are per driver");
    sb_calibration_free(&back);

    FILE *bad = fopen(path, "w");
    fputs("{\"format\": \"something else\", \"entries\": []}", bad);
    fclose(bad);
    CHECK(sb_calibration_load(&back, path, err, sizeof err) == -1 && strstr(err, "not a starkbench calibration"),
          "wrong format rejected: %s", err);
    bad = fopen(path, "w");
    fputs("{not json", bad);
    fclose(bad);
    CHECK(sb_calibration_load(&back, path, err, sizeof err) == -1 && strstr(err, "not JSON"), "garbage: %s", err);
    remove(path);
    CHECK(sb_calibration_load(&back, path, err, sizeof err) == 0 && back.n == 0, "missing file = empty");

    sb_calibration_free(&cal);
    sb_calibration_free(&small);
    sb_results_free(&r);
    return check_finish("test_detector");
}
