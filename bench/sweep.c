/* `starkbench sweep`: runs a configuration grid, each point in a child process (one per GPU at
 * a time with --gpus), and writes the results (JSON + CSV); --shard I/N runs one part of the
 * plan. The parent never initialises CUDA: it learns about the GPUs from a probe child and
 * NVML. docs/ARCHITECTURE.md ("Harness") describes it. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kernels/gpu_backend.h"
#include "children.h"
#include "commands.h"
#include "detector.h"
#include "digests.h"
#include "gpus.h"
#include "noise.h"
#include "nvml.h"
#include "options.h"
#include "outfile.h"
#include "range.h"
#include "stats.h"
#include "sweep_child.h"
#include "sweep_plan.h"

#define INJECT_ENV "STARKBENCH_INJECT_SILENT_FALLBACK"
#define DEFAULT_TIMEOUT_S 1800.0

static void usage(FILE *out) {
    fprintf(out,
            "usage: starkbench sweep [axes | --suite FILE] [flags]\n"
            "axes (comma lists; a grid unless --zip):\n"
            "  --steps 2^12,2^14  --blowup 2,4,8  --backend cpu,gpu,auto  --gpu-threshold 0,2^16,inf\n"
            "  --tp 1,2  --threads 1,2  --tpb keccak=64,128,ntt=128,256 (repeatable)  --zip\n"
            "  --suite FILE        axes and options from a suite (bench/suites/default.conf); axes\n"
            "                      given on the command line replace the suite's\n"
            "flags:\n"
            "  --runs N (5)  --warmup N (1)  --timeout SEC per point (1800)\n"
            "  --max-noise PCT     adaptive repetitions instead of --runs: a point repeats until the noise of\n"
            "                      its median (the relative half-width of its 95 %% order-statistic interval)\n"
            "                      is at most PCT, after --min-runs N (10), within --max-runs N (100) and\n"
            "                      --max-time SEC (120) per point\n"
            "  --keep-throttled    count repetitions NVML saw throttled (thermal, power, hardware slowdown,\n"
            "                      busy SM clock < 90 %% of the maximum) in the statistics; default: excluded\n"
            "  --lock-clocks MHZ   lock the SM clock of every GPU of the sweep through NVML (needs root; one\n"
            "                      line if not)\n"
            "  --no-noise-probe    skip the CPU/GPU noise probe that precedes the points\n"
            "  --filter REGEX      run only points whose name matches (POSIX extended)\n"
            "  --gpus all|0,1,...  run GPU points on these GPUs (nvidia-smi's indices), one point per GPU at a\n"
            "                      time, concurrently; default: the first GPU CUDA would use\n"
            "  --shard I/N         run part I of N of the plan (1 <= I <= N): point k of the plan (after\n"
            "                      --filter) belongs to part k mod N + 1; report, compare and history add\n"
            "                      take the parts' files as one comma-separated list\n"
            "  --list              print the names of the points the sweep would run (after --filter and\n"
            "                      --shard) and exit\n"
            "  --out FILE.json     results (default results/<date>-<commit>.json; CSV beside)\n"
            "  --resume            keep the points already finished in --out (or its .partial.json)\n"
            "  --no-range-sync     measure the overlapped pipeline (ranges do not synchronize)\n"
            "  --cupti | --no-cupti  CUPTI kernel records (default: on where a GPU is present)\n"
            "  --calibration FILE  detector calibration (default results/calibration.json)\n"
            "  --inject-silent-fallback OP  make the GPU backend fall back silently (detector test)\n"
            "exit: 0 all points clean; 1 a point failed or timed out, a digest mismatch, or a\n"
            "(suspected) fallback; 2 bad input; 130 interrupted (--resume continues)\n");
}

typedef struct sweep_opts {
    sb_sweep_axes axes; /* from the command line */
    int zip;
    const char *suite, *filter, *out, *calibration, *inject;
    unsigned runs, warmup;
    int runs_set, warmup_set, timeout_set;
    double timeout_s;
    int resume, range_sync, cupti; /* cupti: -1 = default */
    sb_rep_policy policy;          /* --max-noise, --min-runs, --max-runs, --max-time, --keep-throttled */
    unsigned lock_clocks_mhz;      /* --lock-clocks, 0 = none */
    int noise_probe;
    const char *gpus;              /* --gpus, NULL = the first usable GPU */
    unsigned shard_index, shard_count; /* --shard I/N; 0 = the whole plan */
    int list;                      /* --list */
} sweep_opts;

static int parse_args(int argc, char **argv, sweep_opts *o) {
    memset(o, 0, sizeof *o);
    o->runs = 5;
    o->warmup = 1;
    o->timeout_s = DEFAULT_TIMEOUT_S;
    o->range_sync = 1;
    o->cupti = -1;
    o->noise_probe = 1;
    o->calibration = "results/calibration.json";
    sb_rep_policy_init(&o->policy);
    unsigned given = 0;
    char err[256];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            exit(0);
        }
        int pr = strcmp(a, "--clock-ref") && strncmp(a, "--clock-ref=", 12) ? sb_rep_policy_flag(&o->policy, argc, argv, &i, &given) : 0;
        if (pr < 0) return -1;
        if (pr > 0) continue;
        if (!strcmp(a, "--zip")) o->zip = 1;
        else if (!strcmp(a, "--no-noise-probe")) o->noise_probe = 0;
        else if (!strcmp(a, "--list")) o->list = 1;
        else if (!strcmp(a, "--resume")) o->resume = 1;
        else if (!strcmp(a, "--no-range-sync")) o->range_sync = 0;
        else if (!strcmp(a, "--cupti")) o->cupti = 1;
        else if (!strcmp(a, "--no-cupti")) o->cupti = 0;
        else {
            static const char *const valued[] = {"steps", "blowup", "backend", "gpu-threshold", "tp", "threads", "tpb",
                                                 "suite", "runs", "warmup", "timeout", "filter", "out", "calibration",
                                                 "inject-silent-fallback", "lock-clocks", "gpus", "shard"};
            const char *v = NULL;
            size_t k = 0;
            int missing = 0;
            for (; k < sizeof valued / sizeof valued[0] && !v; k++) {
                v = sb_flag_value(argc, argv, &i, valued[k], &missing);
                if (missing) return -1;
            }
            if (!v) {
                fprintf(stderr, "starkbench: sweep: unknown argument '%s' (see 'starkbench sweep --help')\n", a);
                return -1;
            }
            const char *name = valued[k - 1];
            uint64_t n;
            char *end;
            if (k - 1 < 7) {
                if (sb_axes_set(&o->axes, name, v, err, sizeof err) != 1) {
                    fprintf(stderr, "starkbench: %s\n", err);
                    return -1;
                }
            } else if (!strcmp(name, "suite")) o->suite = v;
            else if (!strcmp(name, "filter")) o->filter = v;
            else if (!strcmp(name, "out")) o->out = v;
            else if (!strcmp(name, "calibration")) o->calibration = v;
            else if (!strcmp(name, "inject-silent-fallback")) {
                if (!sb_inject_name_valid(v)) {
                    fprintf(stderr, "starkbench: --inject-silent-fallback '%s' must name a GPU operation (%s)\n", v,
                            SB_INJECT_NAMES_LIST);
                    return -1;
                }
                o->inject = v;
            } else if (!strcmp(name, "lock-clocks")) {
                if (sb_parse_count(v, 0, &n) != 0 || n < 100 || n > 10000) {
                    fprintf(stderr, "starkbench: --lock-clocks '%s' must be an SM clock in MHz (100..10000)\n", v);
                    return -1;
                }
                o->lock_clocks_mhz = (unsigned)n;
            } else if (!strcmp(name, "gpus")) {
                if (sb_gpus_spec_check(v, err, sizeof err) != 0) {
                    fprintf(stderr, "starkbench: %s\n", err);
                    return -1;
                }
                o->gpus = v;
            } else if (!strcmp(name, "shard")) {
                unsigned i_part, n_parts;
                int used = 0;
                const char *slash = strchr(v, '/');
                if (sscanf(v, "%u/%u%n", &i_part, &n_parts, &used) != 2 || v[used] || v[0] < '0' || v[0] > '9' ||
                    !slash || slash[1] < '0' || slash[1] > '9' ||
                    i_part < 1 || i_part > n_parts || n_parts > SB_SWEEP_MAX_POINTS) {
                    fprintf(stderr, "starkbench: --shard '%s' must be I/N with 1 <= I <= N <= %d (e.g. 2/4)\n", v,
                            SB_SWEEP_MAX_POINTS);
                    return -1;
                }
                o->shard_index = i_part;
                o->shard_count = n_parts;
            }
            else if (!strcmp(name, "timeout")) {
                o->timeout_s = strtod(v, &end);
                if (*end || end == v || !(o->timeout_s > 0)) {
                    fprintf(stderr, "starkbench: --timeout '%s' must be a positive number of seconds\n", v);
                    return -1;
                }
                o->timeout_set = 1;
            } else if (sb_parse_count(v, 0, &n) != 0 || n > 100000 || (!strcmp(name, "runs") && n == 0)) {
                fprintf(stderr, "starkbench: --%s '%s' must be a count%s\n", name, v, strcmp(name, "runs") ? "" : " >= 1");
                return -1;
            } else if (!strcmp(name, "runs")) {
                o->runs = (unsigned)n;
                o->runs_set = 1;
            } else {
                o->warmup = (unsigned)n;
                o->warmup_set = 1;
            }
        }
    }
    if (o->zip) o->axes.zip = 1;
    const sb_adaptive *ad = &o->policy.adaptive;
    if (ad->max_noise_pct > 0 && o->runs_set) {
        fprintf(stderr, "starkbench: --runs fixes the repetitions; with --max-noise give --min-runs and --max-runs\n");
        return -1;
    }
    if (!(ad->max_noise_pct > 0) && (given & 0xE)) {
        fprintf(stderr, "starkbench: --min-runs, --max-runs and --max-time need --max-noise (else --runs N)\n");
        return -1;
    }
    if (ad->min_runs > ad->max_runs || ad->max_runs == 0) {
        fprintf(stderr, "starkbench: --min-runs %u is above --max-runs %u\n", ad->min_runs, ad->max_runs);
        return -1;
    }
    return 0;
}

/* ---- child processes --------------------------------------------------------------- */

static volatile sig_atomic_t interrupted;
static void on_signal(int sig) {
    (void)sig;
    interrupted = 1;
}

/* Probes the GPU in a child (CUDA stays out of this process). Writes its name or "". */
static void probe_gpu(char *name, size_t len) {
    char *argv[] = {"starkbench", "sweep", "--probe", NULL};
    sb_child cr;
    name[0] = 0;
    if (sb_child_run(&cr, argv, NULL, 120, &interrupted) != 0 || !WIFEXITED(cr.exit_status) ||
        WEXITSTATUS(cr.exit_status) != 0)
        return;
    if (strncmp(cr.last_line, "gpu: ", 5) == 0 && strcmp(cr.last_line + 5, "none") != 0)
        snprintf(name, len, "%.100s", cr.last_line + 5);
}

static uint64_t host_available_bytes(void) {
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    unsigned long long kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) break;
    if (f) fclose(f);
    return (uint64_t)kb * 1024;
}

/* ---- one point ------------------------------------------------------------------------ */

/* Where points run: one slot per GPU of the sweep, and one for CPU points (last), which run
 * alone (no GPU point beside them). */
typedef struct run_slot {
    sb_gpu_info gpu;        /* the slot's GPU (unused for the CPU slot) */
    char pin[128];          /* "CUDA_VISIBLE_DEVICES=<its UUID>" for the children, "" when unpinned */
    sb_detect_context detect;
    sb_nvml *nvml;          /* open only while its clock is locked (--lock-clocks) */
    sb_child child;         /* the point running there (child.pid != 0) */
    size_t cfg;             /* which configuration */
    uint64_t host_bytes;    /* its host memory model */
} run_slot;

typedef struct sweep_env {
    char tmpdir[64];
    unsigned runs, warmup;
    double timeout_s;
    int range_sync, cupti;
    const sb_rep_policy *policy; /* how points repeat (adaptive or --runs) */
    uint64_t host_bytes;         /* host memory available when the sweep started */
    size_t n_gpus;               /* GPU slots; slots[n_gpus] is the CPU slot */
    run_slot slots[SB_MAX_GPUS + 1];
} sweep_env;

/* Appends the child's repetition flags for policy pol (adaptive ones only with --max-noise) to
 * argv, their values in vals. Returns the new argc. */
static int policy_argv(const sb_rep_policy *pol, char **argv, int argc, char vals[4][32]) {
    if (pol->adaptive.max_noise_pct > 0) {
        static char *const flags[] = {"--max-noise", "--min-runs", "--max-time"};
        snprintf(vals[0], 32, "%.17g", pol->adaptive.max_noise_pct);
        snprintf(vals[1], 32, "%u", pol->adaptive.min_runs);
        snprintf(vals[2], 32, "%.17g", pol->adaptive.max_time_s);
        for (int k = 0; k < 3; k++) {
            argv[argc++] = flags[k];
            argv[argc++] = vals[k];
        }
    }
    if (pol->keep_throttled) argv[argc++] = "--keep-throttled";
    if (pol->clock_ref_mhz > 0) {
        snprintf(vals[3], 32, "%.17g", pol->clock_ref_mhz);
        argv[argc++] = "--clock-ref";
        argv[argc++] = vals[3];
    }
    return argc;
}

/* Starts configuration c in slot k's child: `runs` repetitions with pol NULL, else pol's rule
 * within a budget of `runs`; cupti: record CUPTI. Returns 0, or -1 when it could not start. */
static int start_point(sweep_env *env, size_t k, const sb_point_config *c, int cupti, unsigned runs,
                       const sb_rep_policy *pol) {
    char result[128], buf[1024], vals[4][32], pvals[4][32];
    snprintf(result, sizeof result, "%s/point-%zu.json", env->tmpdir, k);
    remove(result);
    char *argv[56];
    int argc = 0;
    argv[argc++] = "starkbench";
    argv[argc++] = "sweep";
    argv[argc++] = "--child";
    argv[argc++] = "--result";
    argv[argc++] = result;
    argc = sb_point_config_argv(c, argv, argc, buf, sizeof buf);
    snprintf(vals[0], sizeof vals[0], "%u", runs);
    snprintf(vals[1], sizeof vals[1], "%u", env->warmup);
    argv[argc++] = "--runs";
    argv[argc++] = vals[0];
    argv[argc++] = "--warmup";
    argv[argc++] = vals[1];
    if (!env->range_sync) argv[argc++] = "--no-range-sync";
    if (cupti) argv[argc++] = "--cupti";
    if (pol) argc = policy_argv(pol, argv, argc, pvals);
    argv[argc] = NULL;
    run_slot *slot = &env->slots[k];
    return sb_child_start(&slot->child, argv, slot->pin[0] ? slot->pin : NULL, env->timeout_s);
}

/* Moves the point slot k's finished child measured for configuration c into r (status
 * failed/timeout when the child did not deliver), naming the slot's GPU; *cupti_ran (may be NULL)
 * tells whether CUPTI recorded it. Returns the point. */
static sb_point *collect_point(sweep_env *env, size_t k, const sb_point_config *c, unsigned runs, sb_results *r,
                               int *cupti_ran) {
    const sb_child *cr = &env->slots[k].child;
    char result[128], err[256];
    snprintf(result, sizeof result, "%s/point-%zu.json", env->tmpdir, k);
    if (cr->warnings[0]) fputs(cr->warnings, stderr);
    sb_results one;
    sb_point *p = NULL;
    if (cupti_ran) *cupti_ran = 0;
    if (!cr->timed_out && sb_results_load(&one, result, err, sizeof err) == 0) {
        if (one.n_points == 1) {
            if (cupti_ran) *cupti_ran = one.cupti;
            p = sb_point_move(r, &one.points[0]);
        }
        sb_results_free(&one);
    }
    if (!p) {
        p = sb_results_add_point(r, runs);
        sb_point_config_apply(c, p);
        if (cr->timed_out) {
            snprintf(p->status, sizeof p->status, "timeout");
            snprintf(p->error, sizeof p->error, "killed after the --timeout of %g s", env->timeout_s);
        } else {
            snprintf(p->status, sizeof p->status, "failed");
            if (WIFSIGNALED(cr->exit_status))
                snprintf(p->error, sizeof p->error, "child killed by signal %d (%s)%s%.160s", WTERMSIG(cr->exit_status),
                         strsignal(WTERMSIG(cr->exit_status)), cr->last_line[0] ? ": " : "", cr->last_line);
            else
                snprintf(p->error, sizeof p->error, "child exited with %d: %.200s", WEXITSTATUS(cr->exit_status),
                         cr->last_line[0] ? cr->last_line : "no result");
        }
    }
    if (k < env->n_gpus) { /* the GPU it ran on */
        const sb_gpu_info *g = &env->slots[k].gpu;
        p->gpu_index = (int)g->index;
        snprintf(p->gpu_name, sizeof p->gpu_name, "%s", g->name);
        snprintf(p->gpu_uuid, sizeof p->gpu_uuid, "%s", g->uuid);
    }
    return p;
}

/* Runs configuration c in slot k and waits for it (start_point, collect_point). Returns 0, or
 * -1 when interrupted. */
static int run_point(sweep_env *env, size_t k, const sb_point_config *c, int cupti, unsigned runs,
                     const sb_rep_policy *pol, sb_results *r, int *cupti_ran) {
    sb_child *cr = &env->slots[k].child;
    if (start_point(env, k, c, cupti, runs, pol) == 0 && sb_child_wait(&cr, 1, &interrupted) != 0) return -1;
    collect_point(env, k, c, runs, r, cupti_ran);
    return 0;
}

/* ---- after the sweep ------------------------------------------------------------------- */

static double median_total(const sb_point *p) { return sb_median(sb_point_total(p), p->reps); }

/* A point's noise for the tables: "-" where unknown (fewer than 6 usable repetitions). */
static const char *noise_text(const sb_point *p, char buf[16]) {
    if (isfinite(p->noise_pct)) snprintf(buf, 16, "%.2f", p->noise_pct);
    else snprintf(buf, 16, "-");
    return buf;
}

static void print_summary(const sb_results *r, FILE *out) {
    fprintf(out, "\n%-92s %-10s %12s %7s %5s %-9s %8s  %s\n", "point", "status", "median ms", "cv %", "N", "stop",
            "noise %", "detector");
    for (size_t i = 0; i < r->n_points; i++) {
        const sb_point *p = &r->points[i];
        sb_stats s;
        char noise[16];
        sb_stats_compute(sb_point_total(p), p->reps, &s);
        fprintf(out, "%-92s %-10s %12.3f %7.2f %5zu %-9s %8s  %s%s\n", p->name, p->status, s.median, 100 * s.cv, s.n,
                p->stop_reason[0] ? p->stop_reason : "-", noise_text(p, noise), p->verdict,
                p->digest_mismatch ? "  DIGEST MISMATCH" : "");
        if (p->n_throttled)
            fprintf(out, "    %zu of %zu repetitions throttled (NVML): %s\n", p->n_throttled, p->reps,
                    r->keep_throttled ? "kept (--keep-throttled)" : "left out of the statistics");
        if (strcmp(p->status, "ok")) fprintf(out, "    %s\n", p->error);
        else if (strcmp(p->verdict, "clean") && strcmp(p->verdict, "n/a")) fprintf(out, "    %s\n", p->verdict_reason);
    }
    if (!isnan(r->cupti_overhead_pct)) fprintf(out, "CUPTI + NVTX overhead on a whole proof: %+.2f %%\n", r->cupti_overhead_pct);
}

/* Measures the instrumentation's overhead on configuration c: median proof time with CUPTI and
 * NVTX both off (STARKBENCH_NVTX=off in the child) vs both on. */
static double cupti_overhead(sweep_env *env, const sb_point_config *c) {
    sb_results tmp;
    memset(&tmp, 0, sizeof tmp);
    unsigned runs = env->policy->adaptive.max_noise_pct > 0 ? env->policy->adaptive.min_runs : env->runs;
    if (runs < 3) runs = 3;
    double pct = NAN;
    int ran = 0;
    setenv("STARKBENCH_NVTX", "off", 1);
    const int off = run_point(env, 0, c, 0, runs, NULL, &tmp, NULL);
    unsetenv("STARKBENCH_NVTX");
    if (off == 0 && run_point(env, 0, c, 1, runs, NULL, &tmp, &ran) == 0 && ran &&
        !strcmp(tmp.points[0].status, "ok") && !strcmp(tmp.points[1].status, "ok"))
        pct = 100 * (sb_median(tmp.points[1].real_time_ms, runs) / sb_median(tmp.points[0].real_time_ms, runs) - 1);
    sb_results_free(&tmp);
    return pct;
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Locks the SM clock of every GPU of the sweep (else of the first one this process may use)
 * where NVML allows it, all or none; else says why in one line. */
static void lock_clocks(sweep_env *env, unsigned mhz, sb_rep_policy *policy, sb_results *r) {
    char err[256] = "";
    size_t n = env->n_gpus ? env->n_gpus : 1, locked = 0;
    run_slot *slots = env->slots; /* without GPU slots, slot 0 holds the first GPU only for the lock */
    for (size_t k = 0; k < n && !err[0]; k++) {
        slots[k].nvml = env->n_gpus ? sb_nvml_open_index(slots[k].gpu.index) : sb_nvml_open();
        if (!slots[k].nvml) snprintf(err, sizeof err, "no NVML (no NVIDIA driver or GPU)");
        else if (sb_nvml_lock_clocks(slots[k].nvml, mhz, err, sizeof err) == 0) locked++;
    }
    if (err[0]) {
        for (size_t k = 0; k < n; k++) {
            if (k < locked) sb_nvml_unlock_clocks(slots[k].nvml);
            sb_nvml_close(slots[k].nvml);
            slots[k].nvml = NULL;
        }
        fprintf(stderr, "starkbench: sweep: --lock-clocks %u: %s%s: clocks not locked\n", mhz,
                n > 1 && locked ? "on one of the GPUs: " : "", err);
        return;
    }
    r->locked_clock_mhz = mhz;
    policy->clock_ref_mhz = mhz; /* throttling is judged against the locked clock, not the card's maximum */
    fprintf(stderr, "starkbench: sweep: SM clock locked at %u MHz%s (reset at the end)\n", mhz,
            n > 1 ? " on every GPU" : "");
}

/* Resets the clocks lock_clocks locked. Returns 0, or -1 when one could not be reset. */
static int unlock_clocks(sweep_env *env) {
    int rc = 0;
    for (size_t k = 0; k <= env->n_gpus; k++) {
        if (env->slots[k].nvml && sb_nvml_unlock_clocks(env->slots[k].nvml) != 0) rc = -1;
        sb_nvml_close(env->slots[k].nvml);
        env->slots[k].nvml = NULL;
    }
    return rc;
}

/* The noise probe (noise.h) into r's context: the CPU loop here, the GPU kernel in a child on
 * each GPU of the sweep (the context's figure is the largest, each GPU's is in "gpus"). */
static void noise_probe(sweep_env *env, sb_results *r) {
    sb_noise_cpu_probe(&r->noise_cpu_pct, &r->noise_cpu_ms);
    char line[200 + 160 * SB_MAX_GPUS];
    int len = snprintf(line, sizeof line, "CPU %.2f %% (median %.3f ms)", r->noise_cpu_pct, r->noise_cpu_ms);
    for (size_t k = 0; k < env->n_gpus; k++) {
        char *argv[] = {"starkbench", "sweep", "--noise-probe", NULL}, gpu[16] = "GPU";
        sb_gpu_info *g = &r->gpus[k];
        run_slot *slot = &env->slots[k];
        if (env->n_gpus > 1) snprintf(gpu, sizeof gpu, "GPU %u", g->index);
        if (sb_child_run(&slot->child, argv, slot->pin[0] ? slot->pin : NULL, 120, &interrupted) == 0 &&
            WIFEXITED(slot->child.exit_status) && WEXITSTATUS(slot->child.exit_status) == 0 &&
            sb_noise_gpu_parse(slot->child.last_line, &g->noise_pct, &g->noise_ms) == 0) {
            len += snprintf(line + len, sizeof line - (size_t)len, ", %s %.2f %% (median %.3f ms)", gpu, g->noise_pct,
                            g->noise_ms);
            if (!(r->noise_gpu_pct >= g->noise_pct)) { /* the largest (NAN: none yet) */
                r->noise_gpu_pct = g->noise_pct;
                r->noise_gpu_ms = g->noise_ms;
            }
        } else {
            len += snprintf(line + len, sizeof line - (size_t)len, ", %s not measured (%.100s)", gpu,
                            slot->child.last_line);
        }
    }
    fprintf(stderr, "starkbench: sweep: noise probe (%d repetitions): %s\n", SB_NOISE_PROBE_REPS, line);
}

/* A finished point of an earlier run is reused by --resume when it repeated the way this sweep would. */
static int same_repetitions(const sb_point *q, const sb_rep_policy *pol, unsigned runs) {
    if (!strcmp(q->status, "infeasible")) return 1;
    if (pol->adaptive.max_noise_pct > 0) return q->stop_reason[0] && strcmp(q->stop_reason, "runs") != 0;
    return q->reps == runs && (!q->stop_reason[0] || !strcmp(q->stop_reason, "runs"));
}

/* ---- the command ------------------------------------------------------------------------ */

static int build_plan(const sweep_opts *o, sb_point_config **cfgs, size_t *n, unsigned *runs, unsigned *warmup,
                      double *timeout_s) {
    char err[512];
    sb_sweep_axes *groups = NULL;
    int n_groups = 1;
    sb_suite_options so = {0, 0, 0};
    if (o->suite) {
        n_groups = sb_suite_load(o->suite, &groups, &so, err, sizeof err);
        if (n_groups < 0) {
            fprintf(stderr, "starkbench: %s\n", err);
            return -1;
        }
    } else if (!(groups = calloc(1, sizeof *groups))) {
        return -1;
    }
    /* The base configuration: defaults, then the environment for each axis that not every
     * group gives (an axis the command line or every suite section sets wins over its mirror). */
    sb_options base_opts;
    sb_options_init(&base_opts);
    static const struct {
        int axis;
        unsigned bit;
    } mirrored[] = {{SB_AX_BACKEND, SB_OPT_BACKEND}, {SB_AX_THRESHOLD, SB_OPT_GPU_THRESHOLD},
                    {SB_AX_TP, SB_OPT_TP},           {SB_AX_THREADS, SB_OPT_THREADS}};
    base_opts.set = SB_OPT_MIRRORED;
    for (int g = 0; g < n_groups; g++) {
        sb_sweep_axes a = groups[g];
        sb_axes_override(&a, &o->axes);
        for (size_t m = 0; m < sizeof mirrored / sizeof mirrored[0]; m++)
            if (!a.ax[mirrored[m].axis].n) base_opts.set &= ~mirrored[m].bit;
        int any_tpb = 0;
        for (int k = 0; k < SB_K_COUNT; k++) any_tpb |= a.ax[SB_AX_TPB + k].n != 0;
        if (!any_tpb) base_opts.set &= ~(unsigned)SB_OPT_TPB;
    }
    if (sb_options_finish(&base_opts, "sweep", SB_OPT_MIRRORED) != 0) {
        free(groups);
        return -1;
    }
    sb_point_config base = {base_opts.log_steps, base_opts.blowup, base_opts.tp,
                            sb_resolve_threads(base_opts.be.threads), base_opts.be.kind, base_opts.be.gpu_threshold, {0}};
    memcpy(base.tpb, base_opts.be.tpb, sizeof base.tpb);
    *runs = o->runs_set || !so.runs ? o->runs : so.runs;
    *warmup = o->warmup_set || !so.warmup ? o->warmup : so.warmup;
    *timeout_s = o->timeout_set || !(so.timeout_s > 0) ? o->timeout_s : so.timeout_s;
    /* the grid's size first: a grid over the cap is refused before anything is expanded */
    size_t total = 0;
    for (int g = 0; g < n_groups; g++) {
        sb_axes_override(&groups[g], &o->axes);
        size_t count = sb_axes_count(&groups[g]);
        total = count > SIZE_MAX - total ? SIZE_MAX : total + count;
    }
    int rc = 0;
    if (total > SB_SWEEP_MAX_POINTS) {
        fprintf(stderr, "starkbench: sweep: the grid has %s%zu configurations, more than the %d a sweep plans "
                        "(fewer axis values, --zip, or several sweeps)\n",
                total == SIZE_MAX ? "over " : "", total, SB_SWEEP_MAX_POINTS);
        rc = -1;
    }
    for (int g = 0; g < n_groups && rc == 0; g++)
        if (sb_axes_expand(&groups[g], &base, cfgs, n, err, sizeof err) != 0) {
            fprintf(stderr, "starkbench: %s\n", err);
            rc = -1;
        }
    if (rc == 0 && sb_configs_unique(*cfgs, n) != 0) {
        fprintf(stderr, "starkbench: sweep: out of memory while planning\n");
        rc = -1;
    }
    free(groups);
    return rc;
}

/* Keeps the configurations matching the filter, then with --shard I/N those of part I: point k
 * (from 0) of what the filter kept belongs to part k mod N + 1, so the parts split the plan in
 * its order, each every N-th point. *plan_points gets the count before the split. Returns 0, or
 * -1 after one line on stderr when the filter is invalid or keeps no point. */
static int filter_and_shard(const sweep_opts *o, sb_point_config *cfgs, size_t *n, size_t *plan_points) {
    regex_t re;
    if (o->filter) {
        int e = regcomp(&re, o->filter, REG_EXTENDED | REG_NOSUB);
        if (e) {
            char msg[128];
            regerror(e, &re, msg, sizeof msg);
            fprintf(stderr, "starkbench: --filter '%s': %s\n", o->filter, msg);
            return -1;
        }
    }
    size_t kept = 0, part = 0;
    for (size_t i = 0; i < *n; i++) {
        char name[256];
        sb_point_config_name(&cfgs[i], name, sizeof name);
        if (o->filter && regexec(&re, name, 0, NULL, 0) != 0) continue;
        cfgs[kept++] = cfgs[i];
    }
    if (o->filter) regfree(&re);
    *plan_points = kept;
    if (kept == 0) {
        fprintf(stderr, "starkbench: sweep: no point to run (check --filter and the axes)\n");
        return -1;
    }
    for (size_t k = 0; k < kept && o->shard_count; k++)
        if (k % o->shard_count == o->shard_index - 1) cfgs[part++] = cfgs[k];
    if (o->shard_count) {
        *n = part;
        if (!part)
            fprintf(stderr, "starkbench: sweep: shard %u/%u has no point (the plan has %zu)\n", o->shard_index,
                    o->shard_count, kept);
    } else {
        *n = kept;
    }
    return 0;
}

/* Leaves out the GPU-backend points where no GPU is usable (`auto` ones run on the CPU). Returns
 * 0, or -1 after one line on stderr when that leaves no point of some. */
static int drop_gpu_points(sb_point_config *cfgs, size_t *n, int have_gpu) {
    size_t kept = 0, no_gpu = 0;
    for (size_t i = 0; i < *n; i++) {
        if (cfgs[i].backend == SB_BACKEND_GPU && !have_gpu) no_gpu++;
        else cfgs[kept++] = cfgs[i];
    }
    *n = kept;
    if (kept == 0 && no_gpu) {
        fprintf(stderr, "starkbench: sweep: no point to run: %zu GPU point(s) and no usable GPU here\n", no_gpu);
        return -1;
    }
    if (no_gpu) fprintf(stderr, "starkbench: sweep: %zu GPU point(s) left out: no usable GPU here\n", no_gpu);
    return 0;
}

/* Orders r's points as the plan does: rank[i] is point i's position in the plan (distinct). */
static void sort_points(sb_results *r, const size_t *rank) {
    if (!r->n_points) return;
    size_t max = 0;
    for (size_t i = 0; i < r->n_points; i++) max = rank[i] > max ? rank[i] : max;
    sb_point *sorted = malloc((r->n_points ? r->n_points : 1) * sizeof *sorted);
    size_t *point_at = calloc(max + 1, sizeof *point_at); /* rank -> point + 1 */
    if (!sorted || !point_at) {
        fprintf(stderr, "starkbench: out of memory\n");
        exit(2);
    }
    for (size_t i = 0; i < r->n_points; i++) point_at[rank[i]] = i + 1;
    size_t k = 0;
    for (size_t q = 0; q <= max; q++)
        if (point_at[q]) sorted[k++] = r->points[point_at[q] - 1];
    memcpy(r->points, sorted, k * sizeof *sorted);
    free(point_at);
    free(sorted);
}

enum { PLACE_WAIT, PLACE_START, PLACE_INFEASIBLE };

/* Decides where configuration c runs now. A GPU point (GPU backend or auto, where the sweep has
 * GPUs) takes the first idle GPU whose free memory holds its memory model's device part
 * (gpus.h), while no CPU point runs; a CPU point runs alone; either only while the host memory
 * of the points running beside it leaves room for its own. Returns PLACE_START with the slot in
 * *slot (its host_bytes set), PLACE_WAIT when it must wait for a running point, or
 * PLACE_INFEASIBLE with the reason in why when no slot could ever hold it. */
static int place_point(sweep_env *env, const sb_point_config *c, size_t *slot, char *why, size_t cap) {
    sb_detect_table tables[SB_POINT_MAX_TABLES];
    char err[256];
    int nt = sb_point_tables(c->log_steps, tables, err, sizeof err);
    sb_memory_model mm = {0, 0};
    if (nt > 0) sb_point_memory(c, sb_gpu_device_ops, tables, (size_t)nt, &mm);
    const size_t cpu_slot = env->n_gpus;
    sb_gpu_info gpus[SB_MAX_GPUS];
    int busy[SB_MAX_GPUS], running = env->slots[cpu_slot].child.pid != 0;
    uint64_t host_in_use = env->slots[cpu_slot].child.pid ? env->slots[cpu_slot].host_bytes : 0, card = 0;
    for (size_t g = 0; g < cpu_slot; g++) {
        gpus[g] = env->slots[g].gpu;
        busy[g] = env->slots[g].child.pid != 0;
        running += busy[g];
        host_in_use += busy[g] ? env->slots[g].host_bytes : 0;
        card = gpus[g].memory_free > card ? gpus[g].memory_free : card;
    }
    const int on_gpu = c->backend != SB_BACKEND_CPU && cpu_slot > 0;
    int k = on_gpu ? sb_gpus_pick(gpus, busy, cpu_slot, mm.device_bytes) : (int)cpu_slot;
    if (mm.host_bytes > env->host_bytes || k == SB_GPU_NONE) {
        const int host = mm.host_bytes > env->host_bytes;
        snprintf(why, cap, "memory model needs %.2f GiB of %s memory, %.2f GiB available%s",
                 (double)(host ? mm.host_bytes : mm.device_bytes) / (1 << 30), host ? "host" : "device",
                 (double)(host ? env->host_bytes : card) / (1 << 30), !host && cpu_slot > 1 ? " on the largest GPU" : "");
        return PLACE_INFEASIBLE;
    }
    if (k < 0 || env->slots[cpu_slot].child.pid || (!on_gpu && running) ||
        (running && host_in_use + mm.host_bytes > env->host_bytes))
        return PLACE_WAIT;
    *slot = (size_t)k;
    env->slots[k].host_bytes = mm.host_bytes;
    return PLACE_START;
}

/* The detector's view of a point's tables (from the AIR); 0 tables when the AIR refuses. */
static void detect(sb_point *p, const sb_detect_context *ctx) {
    sb_detect_table tables[SB_POINT_MAX_TABLES];
    char err[256];
    int nt = sb_point_tables(p->log_steps, tables, err, sizeof err);
    sb_detect_point(p, tables, nt > 0 ? (size_t)nt : 0, ctx);
}

int cmd_sweep(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--child")) return sb_sweep_child(argc - 2, argv + 2);
    if (argc > 1 && !strcmp(argv[1], "--probe")) return sb_sweep_probe();
    if (argc > 1 && !strcmp(argv[1], "--noise-probe")) return sb_noise_gpu_child();
    sweep_opts o;
    if (parse_args(argc, argv, &o) != 0) return 2;
    if (o.suite && o.zip) {
        fprintf(stderr, "starkbench: --zip applies to command-line axes; a suite section says 'zip = yes'\n");
        return 2;
    }
    sweep_env env;
    memset(&env, 0, sizeof env);
    sb_point_config *cfgs = NULL;
    size_t n = 0;
    if (build_plan(&o, &cfgs, &n, &env.runs, &env.warmup, &env.timeout_s) != 0) {
        free(cfgs); /* what a section expanded before another failed */
        return 2;
    }
    env.policy = &o.policy;
    if (o.policy.adaptive.max_noise_pct > 0) env.runs = o.policy.adaptive.max_runs; /* the budget a child allocates */
    size_t plan_points = 0;
    if (filter_and_shard(&o, cfgs, &n, &plan_points) != 0) {
        free(cfgs);
        return 2;
    }
    if (o.list) { /* the plan as this sweep would run it, GPU points included */
        for (size_t i = 0; i < n; i++) {
            char name[256];
            sb_point_config_name(&cfgs[i], name, sizeof name);
            printf("%s\n", name);
        }
        free(cfgs);
        return 0;
    }

    /* results paths, checked before any work: a sweep never runs for nothing */
    char out[SB_OUTFILE_PATH_MAX], partial[SB_OUTFILE_PATH_MAX + 16], csv[SB_OUTFILE_PATH_MAX + 16],
        err[SB_OUTFILE_PATH_MAX + 128];
    if (o.out) snprintf(out, sizeof out, "%s", o.out);
    else {
        char date[32];
        time_t now = time(NULL);
        strftime(date, sizeof date, "%Y-%m-%d-%H%M%S", localtime(&now));
        mkdir("results", 0777);
        char part[48] = "";
        if (o.shard_count) snprintf(part, sizeof part, "-shard%uof%u", o.shard_index, o.shard_count);
        snprintf(out, sizeof out, "results/%s-%s%s.json", date, SB_GIT_COMMIT, part);
    }
    if (o.out && strlen(o.out) >= sizeof out - 16) {
        fprintf(stderr, "starkbench: sweep: --out: a path of %zu characters is too long\n", strlen(o.out));
        free(cfgs);
        return 2;
    }
    if (!ends_with(out, ".json")) {
        fprintf(stderr, "starkbench: --out '%s' must end in .json (the CSV goes beside it)\n", out);
        free(cfgs);
        return 2;
    }
    snprintf(partial, sizeof partial, "%.*s.partial.json", (int)(strlen(out) - 5), out);
    const char *written[] = {out, partial};
    for (int w = 0; w < 2; w++) {
        snprintf(csv, sizeof csv, "%.*s.csv", (int)(strlen(written[w]) - 5), written[w]);
        if (sb_outfile_check(written[w], err, sizeof err) != 0 || sb_outfile_check(csv, err, sizeof err) != 0) {
            fprintf(stderr, "starkbench: sweep: --out %s\n", err);
            free(cfgs);
            return 2;
        }
    }

    int wants_gpu = 0;
    for (size_t i = 0; i < n; i++) wants_gpu |= cfgs[i].backend != SB_BACKEND_CPU;
    char gpu[128] = "";
    if (wants_gpu) probe_gpu(gpu, sizeof gpu);
    /* the GPUs: NVML's list (CUDA_VISIBLE_DEVICES honoured), --gpus of it or its first */
    sb_gpu_info visible[SB_MAX_GPUS], chosen[SB_MAX_GPUS];
    size_t n_visible = wants_gpu || o.gpus ? sb_nvml_list(visible, SB_MAX_GPUS) : 0;
    int n_chosen = 0;
    if (o.gpus && n_visible) n_chosen = sb_gpus_select(o.gpus, visible, n_visible, chosen, err, sizeof err);
    else if (o.gpus && gpu[0] && strcmp(o.gpus, "0") && strcmp(o.gpus, "all")) {
        snprintf(err, sizeof err, "--gpus %s: NVML (libnvidia-ml.so.1) cannot list the GPUs here: only --gpus 0 or all", o.gpus);
        n_chosen = -1;
    }
    if (n_chosen < 0) {
        fprintf(stderr, "starkbench: sweep: %s\n", err);
        free(cfgs);
        return 2;
    }
    if (gpu[0]) { /* a usable GPU: each slot pinned to its card by UUID */
        if (!o.gpus && n_visible) chosen[n_chosen++] = visible[0];
        if (!n_chosen) { /* no NVML: the GPU CUDA numbers 0, unpinned, its memory unknown */
            memset(&chosen[0], 0, sizeof chosen[0]);
            snprintf(chosen[0].name, sizeof chosen[0].name, "%s", gpu);
            n_chosen = 1;
        }
        env.n_gpus = (size_t)n_chosen;
    } else if (o.gpus && wants_gpu) {
        fprintf(stderr, "starkbench: sweep: --gpus %s: no usable GPU here\n", o.gpus);
    }
    if (drop_gpu_points(cfgs, &n, gpu[0] != 0) != 0) {
        free(cfgs);
        return 2;
    }

    sb_calibration calib;
    if (sb_calibration_load(&calib, o.calibration, err, sizeof err) != 0) {
        fprintf(stderr, "starkbench: --calibration %s\n", err);
        free(cfgs);
        return 2;
    }
    if (o.inject) setenv(INJECT_ENV, o.inject, 1);
    else if (getenv(INJECT_ENV)) fprintf(stderr, "starkbench: warning: %s is set: every point inherits it\n", INJECT_ENV);

    /* the whole command line, with the real executable, for the results' context */
    char exe[512] = "starkbench";
    ssize_t el = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (el > 0) exe[el] = 0;
    char **full = calloc((size_t)argc + 2, sizeof *full);
    full[0] = exe;
    for (int i = 0; i < argc; i++) full[i + 1] = argv[i];
    sb_results r;
    sb_results_init(&r, argc + 1, full);
    free(full);
    if (env.n_gpus && chosen[0].name[0]) snprintf(r.gpu_name, sizeof r.gpu_name, "%s", chosen[0].name);
    r.n_gpus = env.n_gpus;
    for (size_t k = 0; k < env.n_gpus; k++) {
        run_slot *slot = &env.slots[k];
        r.gpus[k] = slot->gpu = chosen[k];
        r.gpus[k].noise_pct = r.gpus[k].noise_ms = NAN;
        if (chosen[k].uuid[0]) snprintf(slot->pin, sizeof slot->pin, "CUDA_VISIBLE_DEVICES=%s", chosen[k].uuid);
        slot->detect = (sb_detect_context){chosen[k].name[0] ? slot->gpu.name : r.gpu_name, r.gpu_driver, SB_GIT_COMMIT,
                                           slot->gpu.uuid, &calib, sb_gpu_device_ops};
        if (!chosen[k].memory_free)
            fprintf(stderr, "starkbench: warning: no NVML: device memory of GPU %u not checked\n", chosen[k].index);
    }
    env.slots[env.n_gpus].detect = (sb_detect_context){r.gpu_name, r.gpu_driver, SB_GIT_COMMIT, "", &calib, sb_gpu_device_ops};
    if (o.shard_count) {
        r.shard_index = o.shard_index;
        r.shard_count = o.shard_count;
        r.plan_points = plan_points;
    }
    env.range_sync = r.range_sync = o.range_sync;
    env.cupti = r.cupti = o.cupti < 0 ? env.n_gpus != 0 : o.cupti;
    r.keep_throttled = o.policy.keep_throttled;
    const char *delay = getenv(SB_DELAY_ENV); /* valid: build_plan's sb_options_finish checked it */
    if (delay && *delay) {
        snprintf(r.delay_round, sizeof r.delay_round, "%s", delay);
        fprintf(stderr, "starkbench: warning: %s=%s: every point is delayed (a testing switch)\n", SB_DELAY_ENV, delay);
    }
    env.host_bytes = host_available_bytes();

    /* --resume: reuse finished points of the partial (or final) file */
    sb_results prev;
    memset(&prev, 0, sizeof prev);
    if (o.resume) {
        const char *from = access(partial, R_OK) == 0 ? partial : out;
        if (access(from, R_OK) == 0) {
            if (sb_results_load(&prev, from, err, sizeof err) != 0) {
                fprintf(stderr, "starkbench: --resume: %s\n", err);
                sb_results_free(&r);
                sb_calibration_free(&calib);
                free(cfgs);
                return 2;
            }
            if (!isnan(prev.cupti_overhead_pct)) r.cupti_overhead_pct = prev.cupti_overhead_pct;
        }
    }

    char tmpl[] = "/tmp/starkbench-sweep-XXXXXX";
    if (!mkdtemp(tmpl)) {
        fprintf(stderr, "starkbench: cannot create a temporary directory: %s\n", strerror(errno));
        sb_results_free(&prev);
        sb_results_free(&r);
        sb_calibration_free(&calib);
        free(cfgs);
        return 2;
    }
    snprintf(env.tmpdir, sizeof env.tmpdir, "%s", tmpl);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    if (o.lock_clocks_mhz) lock_clocks(&env, o.lock_clocks_mhz, &o.policy, &r);
    if (o.noise_probe && n) noise_probe(&env, &r);
    if (env.cupti && isnan(r.cupti_overhead_pct)) {
        for (size_t i = 0; i < n; i++)
            if (cfgs[i].backend != SB_BACKEND_CPU) {
                fprintf(stderr, "starkbench: sweep: measuring the CUPTI + NVTX overhead on the first GPU point\n");
                r.cupti_overhead_pct = cupti_overhead(&env, &cfgs[i]);
                break;
            }
    }

    /* rank[i]: the plan position of r's point i, to write them in the plan's order */
    size_t *rank = calloc(n + 1, sizeof *rank), *todo = calloc(n + 1, sizeof *todo);
    if (!rank || !todo) {
        fprintf(stderr, "starkbench: out of memory\n");
        exit(2);
    }
    size_t to_run = 0, done = 0, reused = 0;
    for (size_t i = 0; i < n; i++) {
        char name[256];
        sb_point_config_name(&cfgs[i], name, sizeof name);
        int found = 0;
        for (size_t j = 0; j < prev.n_points && !found; j++) {
            sb_point *q = &prev.points[j];
            if (!strcmp(q->name, name) && same_repetitions(q, &o.policy, env.runs) &&
                (!strcmp(q->status, "ok") || !strcmp(q->status, "infeasible"))) {
                found = 1;
                rank[r.n_points] = i;
                sb_point_move(&r, q);
                reused++;
            }
        }
        if (!found) todo[to_run++] = i;
    }
    if (reused) fprintf(stderr, "starkbench: sweep: resuming: %zu point(s) already done\n", reused);

    /* The points in plan order (place_point): each GPU point on an idle GPU with room for it,
     * concurrently, each CPU point alone; then waits for one to end. */
    int rc = 0;
    double t0 = sb_now();
    size_t next = 0;
    const size_t cpu_slot = env.n_gpus;
    sb_child *children[SB_MAX_GPUS + 1];
    for (size_t g = 0; g <= cpu_slot; g++) children[g] = &env.slots[g].child;
    while (!interrupted) {
        size_t running = 0, k = 0;
        for (size_t g = 0; g <= cpu_slot; g++) running += env.slots[g].child.pid != 0;
        if (next == to_run && !running) break;
        sb_point *p = NULL;
        char why[256];
        int place = next < to_run ? place_point(&env, &cfgs[todo[next]], &k, why, sizeof why) : PLACE_WAIT;
        if (place == PLACE_INFEASIBLE) { /* recorded, never run */
            p = sb_results_add_point(&r, env.runs);
            sb_point_config_apply(&cfgs[todo[next]], p);
            snprintf(p->status, sizeof p->status, "infeasible");
            snprintf(p->error, sizeof p->error, "%s", why);
            rank[r.n_points - 1] = todo[next++];
            k = cpu_slot;
        } else if (place == PLACE_START) {
            const sb_point_config *c = &cfgs[todo[next]];
            env.slots[k].cfg = todo[next++];
            if (start_point(&env, k, c, env.cupti && k < cpu_slot, env.runs, env.policy) == 0) continue;
            p = collect_point(&env, k, c, env.runs, &r, NULL); /* could not start: failed */
            rank[r.n_points - 1] = env.slots[k].cfg;
        } else {
            int ended = sb_child_wait(children, cpu_slot + 1, &interrupted);
            if (ended < 0) break; /* interrupted */
            k = (size_t)ended;
            int ran = 0;
            p = collect_point(&env, k, &cfgs[env.slots[k].cfg], env.runs, &r, &ran);
            if (env.cupti && k < cpu_slot && !ran) r.cupti = 0; /* the child said why on stderr */
            rank[r.n_points - 1] = env.slots[k].cfg;
        }
        detect(p, &env.slots[k].detect);
        done++;
        double el = sb_now() - t0;
        char noise[16], where[24] = "";
        if (env.n_gpus > 1 && p->gpu_index >= 0) snprintf(where, sizeof where, " on GPU %d", p->gpu_index);
        fprintf(stderr, "[%zu/%zu] %s%s: %s, median %.3f ms of %zu (stop %s, noise %s %%%s), %s | elapsed %.1f s, ~%.1f s left\n",
                done + reused, n, p->name, where, p->status, median_total(p), p->reps,
                p->stop_reason[0] ? p->stop_reason : "-", noise_text(p, noise),
                p->n_throttled ? ", throttled ones left out" : "", p->verdict, el,
                el / (double)done * (double)(to_run - done));
        if (sb_results_write(&r, partial, err, sizeof err) != 0) {
            fprintf(stderr, "starkbench: %s\n", err);
            rc = 2;
            break;
        }
    }
    if (rc == 2 || interrupted) /* a checkpoint could not be written, or a signal: points still running end now */
        for (size_t g = 0; g <= cpu_slot; g++)
            if (env.slots[g].child.pid) kill(env.slots[g].child.pid, SIGKILL);
    while (sb_child_wait(children, cpu_slot + 1, NULL) >= 0) {
    }
    for (size_t k = 0; k <= cpu_slot; k++) {
        char tmpfile[160];
        snprintf(tmpfile, sizeof tmpfile, "%s/point-%zu.json", env.tmpdir, k);
        remove(tmpfile);
        snprintf(tmpfile, sizeof tmpfile, "%s/point-%zu.csv", env.tmpdir, k);
        remove(tmpfile);
    }
    rmdir(env.tmpdir);
    sort_points(&r, rank);
    free(rank);
    free(todo);

    if (interrupted) {
        fprintf(stderr, "starkbench: sweep interrupted after %zu of %zu points; %s holds them, '--resume' continues\n",
                done + reused, n, partial);
        rc = 130;
    } else if (rc == 0) {
        sb_check_digests(&r);
        for (size_t i = 0; i < r.n_points; i++) {
            const sb_point *p = &r.points[i];
            if (!strcmp(p->status, "failed") || !strcmp(p->status, "timeout") || p->digest_mismatch ||
                !strcmp(p->verdict, "fallback") || !strcmp(p->verdict, "suspected-fallback"))
                rc = 1;
        }
        print_summary(&r, stdout);
        if (sb_results_write(&r, out, err, sizeof err) != 0) {
            fprintf(stderr, "starkbench: %s\n", err);
            rc = 2;
        } else {
            snprintf(csv, sizeof csv, "%.*s.partial.csv", (int)(strlen(out) - 5), out);
            sb_outfile_remove(partial);
            sb_outfile_remove(csv);
            printf("results: %s (CSV beside it)\n", out);
        }
    }
    if (unlock_clocks(&env) != 0)
        fprintf(stderr, "starkbench: warning: could not reset the locked clocks (nvidia-smi -rgc does)\n");
    sb_results_free(&prev);
    sb_results_free(&r);
    sb_calibration_free(&calib);
    free(cfgs);
    return rc;
}
