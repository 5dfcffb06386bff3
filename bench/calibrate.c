/* `starkbench calibrate`: per table, every range's time CPU-forced (GPU backend, threshold
 * inf) and on the GPU (threshold 0), through the same backend operations a proof runs, stored
 * for the fallback detector keyed by GPU (model and UUID), driver, build, threads, table, height
 * and blowup (bench/detector.h); it prints the ranges the detector judges (those with GPU work).
 * And the card's floors (`kernels --floors`), which the report relates each GPU round to
 * (bench/efficiency.h). The GPU is the one CUDA numbers 0 (CUDA_VISIBLE_DEVICES picks it);
 * --gpus calibrates several, one after the other, each in a child pinned to it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kernels/gpu_backend.h"
#include "commands.h"
#include "detector.h"
#include "exec_record.h"
#include "gpus.h"
#include "nvml.h"
#include "stats.h"
#include "sweep_child.h"
#include "sweep_plan.h"

static void usage(FILE *out) {
    fprintf(out, "usage: starkbench calibrate [--steps LIST] [--blowup LIST] [--threads LIST] [--runs N (3)]\n"
                 "                            [--out FILE (results/calibration.json)] [--gpus all|0,1,...]\n"
                 "Measures every range of every table CPU-forced and on the GPU, and the card's floors\n"
                 "(D2D bandwidth, butterflies/s, Keccak-f/s), for the report's efficiency (needs a GPU).\n"
                 "Entries are per card (its UUID); --gpus calibrates each listed GPU (nvidia-smi's indices) in turn.\n");
}

/* `calibrate --gpus`: this command again (argv without --gpus) for each GPU of spec, one after the
 * other, each pinned to its card with CUDA_VISIBLE_DEVICES; they merge into one file. Returns the
 * worst exit code. */
static int calibrate_each(const char *spec, int argc, char **argv) {
    sb_gpu_info visible[SB_MAX_GPUS], chosen[SB_MAX_GPUS];
    char err[512];
    size_t n_visible = sb_nvml_list(visible, SB_MAX_GPUS);
    int n = n_visible ? sb_gpus_select(spec, visible, n_visible, chosen, err, sizeof err) : -1;
    if (n_visible == 0) snprintf(err, sizeof err, "--gpus %s: no GPU here that NVML can list", spec);
    if (n < 0) {
        fprintf(stderr, "starkbench: calibrate: %s\n", err);
        return 2;
    }
    char **child = calloc((size_t)argc + 2, sizeof *child);
    int m = 0, worst = 0;
    child[m++] = "starkbench";
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--gpus")) i++; /* and its value */
        else if (strncmp(argv[i], "--gpus=", 7) != 0) child[m++] = argv[i];
    }
    for (int k = 0; k < n; k++) {
        printf("calibrate: GPU %u (%s, %s)\n", chosen[k].index, chosen[k].name, chosen[k].uuid);
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            setenv("CUDA_VISIBLE_DEVICES", chosen[k].uuid, 1);
            execv("/proc/self/exe", child);
            _exit(127);
        }
        int status = 0;
        if (pid < 0 || waitpid(pid, &status, 0) < 0) status = 2 << 8;
        int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
        if (rc > worst) worst = rc;
    }
    free(child);
    return worst;
}

/* Proves 2^log_steps with the GPU backend at the given threshold into a new point of holder, under
 * cupti (NULL: uninstrumented) as a sweep's point runs. */
static sb_point *measure(sb_results *holder, const sb_options *base, uint64_t threshold, sb_cupti *cupti, char *err,
                         size_t errlen) {
    sb_options o = *base;
    o.be.kind = SB_BACKEND_GPU;
    o.be.gpu_threshold = threshold;
    sb_backend *be = sb_backend_create(&o.be, err, errlen);
    if (!be) return NULL;
    sb_point *p = sb_results_add_point(holder, o.runs);
    int rc = sb_sweep_run(p, &o, be, cupti, NULL);
    const sb_metric *ops = sb_point_find(p, "backend:gpu_ops");
    double gpu_ops = ops ? sb_median(ops->values, p->reps) : 0;
    if (rc != 0) snprintf(err, errlen, "%s", p->error);
    else if (threshold == 0 && be->n_fallbacks)
        snprintf(err, errlen, "the GPU run fell back (%s %s: %s): fix that first", be->fallbacks[0].op,
                 be->fallbacks[0].kernel, be->fallbacks[0].error);
    else if (threshold == 0 ? !(gpu_ops > 0) : gpu_ops != 0)
        snprintf(err, errlen, "the %s run did %.0f GPU operations", threshold ? "CPU-forced" : "GPU", gpu_ops);
    else err[0] = 0;
    sb_backend_destroy(be);
    return err[0] ? NULL : p;
}

static double range_median(const sb_point *p, const char *table, int id) {
    char key[sizeof ((sb_metric *)0)->key];
    sb_range_key(key, sizeof key, table, id, "");
    const sb_metric *m = sb_point_find(p, key);
    return m ? sb_median(m->values, p->reps) : NAN;
}

/* Fills e with every range of table ("" outside any table) measured in both runs. */
static void fill_entry(sb_calib_entry *e, const sb_point *cpu, const sb_point *gpu, const char *table) {
    for (int id = 0; id < SB_RANGE_COUNT; id++)
        if (sb_range_defs[id].per_table == (table[0] != 0)) {
            e->cpu_ms[id] = range_median(cpu, table, id);
            e->gpu_ms[id] = range_median(gpu, table, id);
        }
}

/* Prints the ranges of e the detector judges: one line each. */
static void print_entry(const sb_calib_entry *e) {
    for (int id = 0; id < SB_RANGE_COUNT; id++) {
        if (isnan(e->cpu_ms[id]) || isnan(e->gpu_ms[id]) || !sb_range_on_gpu((sb_range_id)id, sb_gpu_device_ops))
            continue;
        double ratio = e->cpu_ms[id] / e->gpu_ms[id];
        printf("%-8s rows 2^%-2d b%u t%u  %-16s %10.3f -> %9.3f ms (%6.1fx)%s\n", e->key.table[0] ? e->key.table : "(all)",
               e->key.rows ? __builtin_ctzll(e->key.rows) : 0, e->key.blowup, e->key.threads, sb_range_defs[id].name,
               e->cpu_ms[id], e->gpu_ms[id], ratio,
               ratio < SB_DETECT_MIN_RATIO ? "  (ratio under 3: timing undetectable)" : "");
    }
}

int cmd_calibrate(int argc, char **argv) {
    sb_options base;
    sb_options_init(&base);
    base.runs = 3;
    base.warmup = 1;
    base.range_sync = 1;
    sb_sweep_axes axes;
    memset(&axes, 0, sizeof axes);
    const char *out = "results/calibration.json", *gpus = NULL;
    char err[512];
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
        static const char *const valued[] = {"steps", "blowup", "threads", "runs", "out", "gpus"};
        const char *v = NULL;
        size_t k = 0;
        int missing = 0;
        for (; k < sizeof valued / sizeof valued[0] && !v && !missing; k++) v = sb_flag_value(argc, argv, &i, valued[k], &missing);
        if (missing) return 2;
        if (!v) {
            fprintf(stderr, "starkbench: calibrate: unknown argument '%s' (see 'starkbench calibrate --help')\n", argv[i]);
            return 2;
        }
        uint64_t n;
        if (k - 1 < 3) {
            if (sb_axes_set(&axes, valued[k - 1], v, err, sizeof err) != 1) {
                fprintf(stderr, "starkbench: %s\n", err);
                return 2;
            }
        } else if (k - 1 == 4) {
            out = v;
        } else if (k - 1 == 5) {
            if (sb_gpus_spec_check(v, err, sizeof err) != 0) {
                fprintf(stderr, "starkbench: calibrate: %s\n", err);
                return 2;
            }
            gpus = v;
        } else if (sb_parse_count(v, 0, &n) != 0 || n == 0 || n > 1000) {
            fprintf(stderr, "starkbench: --runs '%s' must be an integer in [1, 1000]\n", v);
            return 2;
        } else {
            base.runs = (unsigned)n;
        }
    }
    /* Only --threads has a mirror here (STARKBENCH_THREADS); the backend and threshold are the experiment's. */
    if (axes.ax[SB_AX_THREADS].n) base.set |= SB_OPT_THREADS;
    if (sb_options_finish(&base, "calibrate", SB_OPT_THREADS) != 0) return 2;
    static const char *const skewing[] = {"STARKBENCH_INJECT_SILENT_FALLBACK", "STARKBENCH_CPU_ROUNDS"};
    for (int k = 0; k < 2; k++)
        if (getenv(skewing[k])) {
            fprintf(stderr, "starkbench: calibrate: unset %s (it would calibrate GPU work done on the CPU)\n", skewing[k]);
            return 2;
        }
    if (getenv(SB_DELAY_ENV) && *getenv(SB_DELAY_ENV)) {
        fprintf(stderr, "starkbench: calibrate: unset %s (it would calibrate a delayed round)\n", SB_DELAY_ENV);
        return 2;
    }
    if (getenv(SB_CORRUPT_ENV) && *getenv(SB_CORRUPT_ENV)) {
        fprintf(stderr, "starkbench: calibrate: unset %s (it would calibrate a broken trace)\n", SB_CORRUPT_ENV);
        return 2;
    }
    if (gpus) return calibrate_each(gpus, argc, argv);
    const sb_axis *steps = &axes.ax[SB_AX_STEPS], *blowups = &axes.ax[SB_AX_BLOWUP], *threads = &axes.ax[SB_AX_THREADS];
    sb_axis one_steps = {1, {base.log_steps}}, one_blowup = {1, {base.blowup}},
            one_threads = {1, {sb_resolve_threads(base.be.threads)}};
    if (!steps->n) steps = &one_steps;
    if (!blowups->n) blowups = &one_blowup;
    if (!threads->n) threads = &one_threads;

    sb_results ctx; /* the driver as the sweep's results context reads it */
    sb_results_init(&ctx, argc, argv);
    sb_gpu_info card; /* the card CUDA numbers 0: its name and UUID from NVML, as a sweep records them */
    sb_nvml *nvml = sb_nvml_open();
    sb_nvml_info(nvml, &card);
    sb_nvml_close(nvml);
    /* A sweep's GPU points run under CUPTI by default where NVML lists a GPU (sweep.c), and CUPTI's
     * per-call cost weighs on ranges of many short launches (a 2^16 proof's FRI: several times its
     * uninstrumented time), so the reference they are judged against is measured the same way. It
     * must start before the first CUDA call. */
    sb_cupti *cupti = NULL;
    if (card.name[0]) {
        if (!(cupti = sb_cupti_start(err, sizeof err)))
            fprintf(stderr, "starkbench: calibrate: warning: %s; calibrating uninstrumented\n", err);
        snprintf(ctx.gpu_name, sizeof ctx.gpu_name, "%s", card.name);
    } else if (!ctx.gpu_name[0]) {
        sb_gpu_available(ctx.gpu_name, sizeof ctx.gpu_name); /* as sweep does without NVML */
    }
    sb_calibration cal;
    if (sb_calibration_load(&cal, out, err, sizeof err) != 0) {
        fprintf(stderr, "starkbench: %s\n", err);
        return 2;
    }
    int rc = 0;
    for (size_t s = 0; s < steps->n && rc == 0; s++)
        for (size_t b = 0; b < blowups->n && rc == 0; b++)
            for (size_t t = 0; t < threads->n && rc == 0; t++) {
                sb_options o = base;
                o.log_steps = (unsigned)steps->v[s];
                o.blowup = (unsigned)blowups->v[b];
                o.be.threads = (unsigned)threads->v[t];
                sb_detect_table tables[SB_POINT_MAX_TABLES];
                int nt = sb_point_tables(o.log_steps, tables, err, sizeof err);
                sb_results holder;
                memset(&holder, 0, sizeof holder);
                sb_point *cpu = nt < 0 ? NULL : measure(&holder, &o, SB_THRESHOLD_NEVER, cupti, err, sizeof err);
                sb_point *gpu = cpu ? measure(&holder, &o, 0, cupti, err, sizeof err) : NULL;
                if (gpu) cpu = &holder.points[0]; /* the second point may have moved the first */
                if (!gpu) {
                    fprintf(stderr, "starkbench: calibrate 2^%u b%u t%u: %s\n", o.log_steps, o.blowup, o.be.threads, err);
                    rc = strstr(err, "no usable GPU") ? 2 : 1;
                } else if (strcmp(cpu->proof_digest, gpu->proof_digest) != 0) {
                    fprintf(stderr, "starkbench: calibrate 2^%u b%u: CPU-forced and GPU proofs differ\n", o.log_steps, o.blowup);
                    rc = 1;
                }
                for (int ti = 0; rc == 0 && ti <= nt; ti++) { /* every table, then "" (outside any table) */
                    sb_calib_key key;
                    memset(&key, 0, sizeof key);
                    snprintf(key.gpu, sizeof key.gpu, "%s", ctx.gpu_name);
                    snprintf(key.uuid, sizeof key.uuid, "%s", card.uuid);
                    snprintf(key.driver, sizeof key.driver, "%s", ctx.gpu_driver);
                    snprintf(key.build, sizeof key.build, "%s", SB_GIT_COMMIT);
                    snprintf(key.table, sizeof key.table, "%s", ti < nt ? tables[ti].name : "");
                    key.threads = o.be.threads;
                    key.rows = ti < nt ? tables[ti].rows : 0;
                    key.blowup = o.blowup;
                    sb_calib_entry e;
                    sb_calib_entry_init(&e, &key);
                    fill_entry(&e, cpu, gpu, key.table);
                    if (sb_calibration_put(&cal, &e) != 0) rc = 2;
                    print_entry(&e);
                }
                sb_results_free(&holder);
            }
    if (rc == 0) {
        sb_calib_floors fl;
        memset(&fl, 0, sizeof fl);
        snprintf(fl.gpu, sizeof fl.gpu, "%s", ctx.gpu_name);
        snprintf(fl.uuid, sizeof fl.uuid, "%s", card.uuid);
        snprintf(fl.driver, sizeof fl.driver, "%s", ctx.gpu_driver);
        if (sb_gpu_floors(&fl.d2d_bytes_per_s, &fl.butterflies_per_s, &fl.keccak_f_per_s, err, sizeof err) != 0) {
            fprintf(stderr, "starkbench: calibrate: floors: %s\n", err);
            rc = 1;
        } else if (sb_calibration_put_floors(&cal, &fl) != 0) {
            rc = 2;
        } else {
            printf("floors: d2d %.1f GB/s, butterflies %.3g /s, keccak-f[1600] %.3g /s\n", fl.d2d_bytes_per_s / 1e9,
                   fl.butterflies_per_s, fl.keccak_f_per_s);
        }
    }
    if (rc == 0) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s", out);
        char *slash = strrchr(dir, '/');
        if (slash) *slash = 0, mkdir(dir, 0777);
        if (sb_calibration_save(&cal, out, err, sizeof err) != 0) {
            fprintf(stderr, "starkbench: %s\n", err);
            rc = 2;
        } else {
            printf("calibration: %s (gpu \"%s\" %s, driver %s, build %s)\n", out, ctx.gpu_name, card.uuid[0] ? card.uuid : "",
                   ctx.gpu_driver, SB_GIT_COMMIT);
        }
    }
    sb_cupti_stop(cupti);
    sb_calibration_free(&cal);
    sb_results_free(&ctx);
    return rc;
}
