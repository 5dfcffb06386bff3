/* The fallback detector on a fake calibration (CPU only), table-driven from the one range
 * table (prover/range_names.h): every range whose operations the GPU runs is judged, each one
 * slowed to its CPU time alone is flagged by name (so renaming a range cannot blind the
 * detector), ranges the GPU does not run are not judged, the ranges outside any table are
 * judged as "all tables" once grinding runs on the GPU; records win, a small CPU/GPU ratio is
 * "undetectable", CUPTI evidence works alone, a card's own calibration wins over its model's,
 * and the calibration file round-trips. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kernels/gpu_backend.h"
#include "detector.h"

#include "check.h"

#define CPU_MS 1000.0
#define GPU_MS 100.0
#define ALL_KINDS ((SB_OPK_TRACE << 1) - 1u)
#define ALL_OPS SB_OPK_IN_EVERY_ROUND(ALL_KINDS) /* every kind in every round */
/* A GPU backend that keeps Rounds 2-4 on the CPU (cfg.cpu_rounds R2,R3,R4) runs Round 1's
 * operations alone on the device: the ranges of the other rounds are not judged. */
#define ROUND1_OPS SB_OPK_IN_ROUND(1, 0xffffu)
/* Round 1's per-table operations alone (the cards below are calibrated for the cpu table only) */
#define TABLE_ROUND1_OPS SB_OPK_IN_ROUND(1, SB_OPK_LDE | SB_OPK_COMMIT)

static const sb_detect_table tables[] = {
    {"cpu", 1u << 10, 130, 6, 0},
    {"range", 1u << 16, 1, 3, 0},
};
#define N_TABLES 2

/* A calibration entry for table ("" outside any table) with every range at CPU_MS vs GPU_MS. */
static sb_calib_entry entry(const char *table, uint64_t rows, const char *driver, double cpu, double gpu) {
    sb_calib_key k;
    memset(&k, 0, sizeof k);
    snprintf(k.gpu, sizeof k.gpu, "NVIDIA H100 80GB HBM3");
    snprintf(k.driver, sizeof k.driver, "%s", driver);
    snprintf(k.build, sizeof k.build, "abc123");
    snprintf(k.table, sizeof k.table, "%s", table);
    k.threads = 2;
    k.rows = rows;
    k.blowup = 2;
    sb_calib_entry e;
    sb_calib_entry_init(&e, &k);
    for (int id = 0; id < SB_RANGE_COUNT; id++)
        if (sb_range_defs[id].per_table == (table[0] != 0)) e.cpu_ms[id] = cpu, e.gpu_ms[id] = gpu;
    return e;
}

/* Sets range id of table ("" outside any table) to v in both repetitions, with a suffix. */
static void set(sb_point *p, const char *table, int id, const char *suffix, double v) {
    char key[sizeof ((sb_metric *)0)->key];
    sb_range_key(key, sizeof key, table, id, suffix);
    sb_metric *m = sb_point_metric(p, key);
    m->values[0] = v;
    m->values[1] = v * 1.02;
}

/* Sets every range of every table and outside them to v (with a suffix). */
static void set_all(sb_point *p, const char *suffix, double v) {
    for (int id = 0; id < SB_RANGE_COUNT; id++) {
        if (!sb_range_defs[id].per_table) set(p, "", id, suffix, v);
        else
            for (size_t t = 0; t < N_TABLES; t++) set(p, tables[t].name, id, suffix, v);
    }
}

/* A GPU point of two repetitions where every range took the GPU calibration's time. */
static sb_point *gpu_point(sb_results *r) {
    sb_point *p = sb_results_add_point(r, 2);
    snprintf(p->backend_used, sizeof p->backend_used, "gpu");
    p->backend = SB_BACKEND_GPU;
    p->blowup = 2;
    p->threads = 2;
    p->threshold = 0;
    set_all(p, "", GPU_MS * 0.99);
    return p;
}

static int verdict_is(const sb_point *p, const char *v) { return strcmp(p->verdict, v) == 0; }

int main(void) {
    /* Timing alone: calibration CPU 1850 ms, GPU 250 ms (ratio 7.4). */
    CHECK(sb_detect_timing(260, 1850, 250) == SB_TIMING_GPU, "260 ms is GPU-like");
    CHECK(sb_detect_timing(1900, 1850, 250) == SB_TIMING_CPU, "1900 ms is CPU-like");
    CHECK(sb_detect_timing(700, 1850, 250) == SB_TIMING_GPU, "700 ms is within the margin (p = 0.51)");
    CHECK(sb_detect_timing(1000, 1850, 250) == SB_TIMING_CPU, "1000 ms is past the margin (p = 0.69)");
    CHECK(sb_detect_timing(500, 500, 200) == SB_TIMING_UNDETECTABLE, "ratio 2.5 cannot tell");
    CHECK(sb_detect_timing(NAN, 1850, 250) == SB_TIMING_UNDETECTABLE, "no measurement");

    sb_calibration cal = {0, NULL, 0, NULL};
    sb_calib_entry es[] = {entry("cpu", 1u << 10, "550.54", CPU_MS, GPU_MS),
                           entry("range", 1u << 16, "550.54", CPU_MS, GPU_MS), entry("", 0, "550.54", CPU_MS, GPU_MS)};
    for (size_t i = 0; i < 3; i++) CHECK(sb_calibration_put(&cal, &es[i]) == 0, "put");
    sb_detect_context round1 = {"NVIDIA H100 80GB HBM3", "550.54", "abc123", "", &cal, ROUND1_OPS};
    sb_detect_context all = {"NVIDIA H100 80GB HBM3", "550.54", "abc123", "", &cal, ALL_OPS};
    sb_results r;
    memset(&r, 0, sizeof r);

    /* A normal GPU run: clean, with Round 1 alone on the device and with every operation there. */
    sb_point *p = gpu_point(&r);
    sb_detect_point(p, tables, N_TABLES, &round1);
    CHECK(verdict_is(p, "clean"), "normal run: %s (%s)", p->verdict, p->verdict_reason);
    CHECK(strstr(p->verdict_reason, "all tables: clean"), "the trace ranges (outside the tables) judged: %s",
          p->verdict_reason);
    sb_detect_point(p, tables, N_TABLES, &all);
    CHECK(verdict_is(p, "clean") && strstr(p->verdict_reason, "all tables: clean"), "normal run, all ops: %s (%s)",
          p->verdict, p->verdict_reason);

    /* Each range alone at its CPU time, no record: flagged by name wherever the GPU runs it. */
    int judged_round1 = 0;
    for (int id = 0; id < SB_RANGE_COUNT; id++) {
        const sb_range_def *d = &sb_range_defs[id];
        if (!d->ops) continue;
        p = gpu_point(&r);
        set(p, d->per_table ? "cpu" : "", id, "", CPU_MS);
        char want[96];
        snprintf(want, sizeof want, "%s: suspected-fallback (%s ", d->per_table ? "cpu" : "all tables", d->name);
        sb_detect_point(p, tables, N_TABLES, &all);
        CHECK(verdict_is(p, "suspected-fallback") && strstr(p->verdict_reason, want), "%s slow, all ops: %s (%s)",
              d->name, p->verdict, p->verdict_reason);
        sb_detect_point(p, tables, N_TABLES, &round1);
        const int on_gpu = sb_range_on_gpu((sb_range_id)id, ROUND1_OPS);
        judged_round1 += on_gpu;
        CHECK(verdict_is(p, on_gpu ? "suspected-fallback" : "clean"), "%s slow, Round 1 on the GPU: %s (%s)",
              d->name, p->verdict, p->verdict_reason);
    }
    CHECK(judged_round1 == 6, "Round 1's GPU ranges: main and aux trace, LDE and commit (%d)", judged_round1);
    CHECK(sb_gpu_device_ops == 0 || sb_gpu_device_ops == ALL_OPS,
          "the GPU backend's default (%#llx) is not every operation on the device",
          (unsigned long long)sb_gpu_device_ops);

    /* The same slow commit with a backend record: "fallback", which outranks the timing. */
    p = gpu_point(&r);
    set(p, "cpu", SB_R1_MAIN_COMMIT, "", CPU_MS);
    p->n_fallbacks = 1;
    p->fallbacks = calloc(1, sizeof *p->fallbacks);
    snprintf(p->fallbacks[0].table, sizeof p->fallbacks[0].table, "cpu");
    snprintf(p->fallbacks[0].op, sizeof p->fallbacks[0].op, "%s", SB_RANGE_NAME(SB_R1_MAIN_COMMIT));
    snprintf(p->fallbacks[0].error, sizeof p->fallbacks[0].error, "too many resources requested for launch");
    sb_detect_point(p, tables, N_TABLES, &all);
    CHECK(verdict_is(p, "fallback"), "recorded: %s", p->verdict);
    CHECK(strstr(p->verdict_reason, "too many resources") != NULL, "reason: %s", p->verdict_reason);

    /* Ratio under 3 (the cpu table calibrated at 500 vs 200): undetectable. */
    sb_calibration small = {0, NULL, 0, NULL};
    sb_calib_entry e = entry("cpu", 1u << 10, "550.54", 500, 200);
    sb_calibration_put(&small, &e);
    sb_detect_context sctx = {"NVIDIA H100 80GB HBM3", "550.54", "abc123", "", &small, ALL_OPS};
    p = gpu_point(&r);
    set_all(p, "", 500);
    sb_detect_point(p, tables, 1, &sctx);
    CHECK(verdict_is(p, "undetectable") && strstr(p->verdict_reason, "ratio under 3"), "ratio 2.5: %s (%s)",
          p->verdict, p->verdict_reason);

    /* A calibration for another driver does not apply: undetectable, not clean. */
    sb_detect_context other = {"NVIDIA H100 80GB HBM3", "560.00", "abc123", "", &cal, ALL_OPS};
    p = gpu_point(&r);
    sb_detect_point(p, tables, 1, &other);
    CHECK(verdict_is(p, "undetectable"), "other driver: %s", p->verdict);
    CHECK(strstr(p->verdict_reason, "no calibration") != NULL, "reason: %s", p->verdict_reason);

    /* Per card (sweep --gpus): a card's own entry (its UUID) wins; a card without one takes an
     * entry of another card of its model and driver; the model of another driver applies to none. */
    sb_calibration cards = {0, NULL, 0, NULL};
    sb_calib_entry card1 = entry("cpu", 1u << 10, "550.54", CPU_MS, GPU_MS);
    snprintf(card1.key.uuid, sizeof card1.key.uuid, "GPU-1111");
    sb_calib_entry card2 = card1;
    snprintf(card2.key.uuid, sizeof card2.key.uuid, "GPU-2222");
    for (int id = 0; id < SB_RANGE_COUNT; id++) /* a slower card (and host) */
        if (!isnan(card2.gpu_ms[id])) card2.gpu_ms[id] = 5 * GPU_MS, card2.cpu_ms[id] = 10 * CPU_MS;
    CHECK(sb_calibration_put(&cards, &card1) == 0 && sb_calibration_put(&cards, &card2) == 0 && cards.n == 2,
          "two cards of one model are two entries: %zu", cards.n);
    sb_calib_key want = card2.key;
    CHECK(sb_calibration_lookup(&cards, &want) == &cards.entries[1], "card 2 finds its own entry");
    snprintf(want.uuid, sizeof want.uuid, "GPU-3333");
    CHECK(sb_calibration_find(&cards, &want) == NULL && sb_calibration_lookup(&cards, &want) != NULL,
          "a third card of the model takes another card's entry, not as its own");
    snprintf(want.driver, sizeof want.driver, "560.00");
    CHECK(sb_calibration_lookup(&cards, &want) == NULL, "another driver: no entry");
    /* a point at 5x the first card's GPU time is GPU-like on card 2, CPU-like on card 1 */
    sb_detect_context on1 = {"NVIDIA H100 80GB HBM3", "550.54", "abc123", "GPU-1111", &cards, TABLE_ROUND1_OPS};
    sb_detect_context on2 = {"NVIDIA H100 80GB HBM3", "550.54", "abc123", "GPU-2222", &cards, TABLE_ROUND1_OPS};
    p = gpu_point(&r);
    set_all(p, "", 5 * GPU_MS * 0.99);
    sb_detect_point(p, tables, 1, &on2);
    CHECK(verdict_is(p, "clean"), "card 2's own calibration: %s (%s)", p->verdict, p->verdict_reason);
    sb_detect_point(p, tables, 1, &on1);
    CHECK(verdict_is(p, "suspected-fallback"), "card 1's calibration: %s (%s)", p->verdict, p->verdict_reason);
    sb_calib_floors fl1 = {"NVIDIA H100 80GB HBM3", "GPU-1111", "550.54", 1e12, 1e11, 1e10};
    sb_calib_floors fl2 = {"NVIDIA H100 80GB HBM3", "GPU-2222", "550.54", 2e12, 2e11, 2e10};
    CHECK(sb_calibration_put_floors(&cards, &fl1) == 0 && sb_calibration_put_floors(&cards, &fl2) == 0 &&
              cards.n_floors == 2,
          "two cards' floors");
    const sb_calib_floors *got = sb_calibration_floors(&cards, fl2.gpu, "550.54", "GPU-2222");
    CHECK(got && got->d2d_bytes_per_s == 2e12, "card 2's floors");
    got = sb_calibration_floors(&cards, fl2.gpu, "550.54", "GPU-9999");
    CHECK(got && got->d2d_bytes_per_s == 1e12, "another card of the model: the first card's floors");
    CHECK(!sb_calibration_floors(&cards, fl2.gpu, "560.00", "GPU-2222"), "another driver: no floors");
    char cpath[] = "/tmp/sb_calib_cards_XXXXXX";
    int cfd = mkstemp(cpath);
    close(cfd);
    char cerr[256];
    sb_calibration cback;
    CHECK(sb_calibration_save(&cards, cpath, cerr, sizeof cerr) == 0 && sb_calibration_load(&cback, cpath, cerr, sizeof cerr) == 0,
          "cards round trip: %s", cerr);
    CHECK(cback.n == 2 && sb_calibration_find(&cback, &card2.key) && cback.entries[1].gpu_ms[SB_R1_MAIN_LDE] == 5 * GPU_MS &&
              cback.n_floors == 2 && !strcmp(cback.floors[1].uuid, "GPU-2222"),
          "the UUIDs survive the file");
    sb_calibration_free(&cback);
    remove(cpath);
    sb_calibration_free(&cards);

    /* CUPTI alone (no calibration): kernels present -> clean; a commit range without a Keccak
     * kernel, or a range without any kernel -> suspected; a failed launch -> suspected. */
    sb_detect_context nocal = {"NVIDIA H100 80GB HBM3", "550.54", "abc123", "", NULL, ROUND1_OPS};
    p = gpu_point(&r);
    set_all(p, ":launches", 12);
    set_all(p, ":keccak_launches", 1);
    set_all(p, ":failed_launches", 0);
    sb_detect_point(p, tables, N_TABLES, &nocal);
    CHECK(verdict_is(p, "clean"), "CUPTI clean: %s (%s)", p->verdict, p->verdict_reason);
    set(p, "range", SB_R1_AUX_COMMIT, ":keccak_launches", 0);
    sb_detect_point(p, tables, N_TABLES, &nocal);
    CHECK(verdict_is(p, "suspected-fallback") && strstr(p->verdict_reason, "R1 aux commit: no Keccak kernel"),
          "no keccak: %s (%s)", p->verdict, p->verdict_reason);
    set(p, "range", SB_R1_AUX_COMMIT, ":keccak_launches", 1);
    set(p, "range", SB_R3_OOD, ":launches", 0);
    sb_detect_point(p, tables, N_TABLES, &nocal);
    CHECK(verdict_is(p, "clean"), "no kernel in R3 OOD, kept on the CPU: %s (%s)", p->verdict,
          p->verdict_reason);
    sb_detect_context nocal_all = nocal;
    nocal_all.device_ops = ALL_OPS;
    sb_detect_point(p, tables, N_TABLES, &nocal_all);
    CHECK(verdict_is(p, "suspected-fallback") && strstr(p->verdict_reason, "R3 OOD: no GPU kernel"),
          "no kernel: %s (%s)", p->verdict, p->verdict_reason);
    set(p, "range", SB_R3_OOD, ":launches", 3);
    set(p, "cpu", SB_R1_MAIN_LDE, ":failed_launches", 1);
    sb_detect_point(p, tables, N_TABLES, &nocal);
    CHECK(verdict_is(p, "suspected-fallback"), "failed launch: %s", p->verdict);

    /* CPU by configuration: threshold inf, or a CPU run, is n/a; a failed point is n/a. */
    p = gpu_point(&r);
    set_all(p, "", CPU_MS);
    p->threshold = SB_THRESHOLD_NEVER;
    sb_detect_point(p, tables, N_TABLES, &all);
    CHECK(verdict_is(p, "n/a"), "threshold inf: %s", p->verdict);
    p = gpu_point(&r);
    set(p, "cpu", SB_R1_MAIN_COMMIT, "", CPU_MS);
    p->threshold = 1u << 12; /* cpu table LDE 2^11 rows stays on the CPU; range (2^17) on the GPU */
    sb_detect_point(p, tables, N_TABLES, &all);
    CHECK(verdict_is(p, "clean") && strstr(p->verdict_reason, "cpu: n/a"), "below threshold: %s (%s)", p->verdict,
          p->verdict_reason);
    p = gpu_point(&r);
    snprintf(p->status, sizeof p->status, "timeout");
    sb_detect_point(p, tables, N_TABLES, &all);
    CHECK(verdict_is(p, "n/a"), "timeout: %s", p->verdict);

    /* The calibration file round-trips every range; a later put with the same key replaces. */
    char path[] = "/tmp/sb_calib_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    char err[256];
    e = entry("cpu", 1u << 10, "550.54", 1000, 100);
    e.cpu_ms[SB_R3_OOD] = 77;
    e.gpu_ms[SB_R4_DEEP] = NAN; /* a range measured one way only is not stored */
    sb_calibration_put(&cal, &e);
    CHECK(cal.n == 3, "put replaces: %zu entries", cal.n);
    CHECK(sb_calibration_save(&cal, path, err, sizeof err) == 0, "save: %s", err);
    sb_calibration back;
    CHECK(sb_calibration_load(&back, path, err, sizeof err) == 0, "load: %s", err);
    CHECK(back.n == 3, "loaded %zu entries", back.n);
    const sb_calib_entry *f = sb_calibration_find(&back, &e.key);
    CHECK(f && f->cpu_ms[SB_R1_MAIN_COMMIT] == 1000 && f->gpu_ms[SB_R1_AUX_LDE] == 100 && f->cpu_ms[SB_R3_OOD] == 77 &&
              isnan(f->cpu_ms[SB_R4_DEEP]) && isnan(f->cpu_ms[SB_R4_GRINDING]),
          "loaded values");
    sb_calibration_free(&back);

    FILE *bad = fopen(path, "w");
    fputs("{\"format\": \"starkbench-calibration-1\", \"entries\": []}", bad);
    fclose(bad);
    CHECK(sb_calibration_load(&back, path, err, sizeof err) == -1 && strstr(err, "run calibrate again"),
          "an older format rejected: %s", err);
    bad = fopen(path, "w");
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
