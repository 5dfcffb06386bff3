/* starkbench lde-commit: the Round-1 pipeline alone (LDE + Merkle commit) on docs/ARCHITECTURE.md's
 * deterministic matrix, through the backend interface, so every backend prints the same root. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "commands.h"
#include "field.h"
#include "keccak.h"
#include "options.h"
#include "range.h"
#include "stats.h"
#include "../kernels/gpu_backend.h"

#define MATRIX_A 0x9E3779B97F4A7C15ULL
#define MATRIX_B 0xD1B54A32D192ED03ULL
#define MAX_LOG_ROWS 28
#define MAX_COLS 65536

static void usage(FILE *out) {
    fprintf(out,
            "usage: starkbench lde-commit [--log-rows n] [--cols m] [--blowup 2|4|8] [--ext3]\n"
            "                             [--backend cpu|gpu|auto] [--gpu-threshold N] [--tpb NAME=N,...]\n"
            "                             [--threads T] [--runs R] [--warmup W]\n"
            "                             [--floors] [--json]\n"
            "  LDE + Merkle commit of T[r][c] = ((r+1)*A + c*B) mod p (2^n rows, default n=16, m=64);\n"
            "  prints per-run and median LDE and commit times and 'root: <hex>'.\n"
            "  --ext3    read each 3 columns as one Fp3 column (m must be a multiple of 3)\n"
            "  --floors  also measure memcpy bandwidth (the LDE's memory floor) and Keccak-f[1600]/s on one core\n");
}

/* The matrix (docs/ARCHITECTURE.md "lde-commit"), exact: (r+1)*A + c*B < 2^97, reduced as a 128-bit integer. */
static void fill_matrix(uint64_t *t, size_t n, size_t cols) {
#pragma omp parallel for schedule(static)
    for (size_t r = 0; r < n; r++)
        for (size_t c = 0; c < cols; c++) {
            unsigned __int128 v = (unsigned __int128)(r + 1) * MATRIX_A + (unsigned __int128)c * MATRIX_B;
            t[r * cols + c] = gl_reduce128((uint64_t)v, (uint64_t)(v >> 64));
        }
}

static void hex(const sb_digest *d, char out[65]) {
    for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", d->b[i]);
}

/* Machine floors for docs/PERFORMANCE.md. */
typedef struct floors {
    double memcpy_gbs; /* bytes read + written per second, all threads, buffers of the LDE's size */
    double keccak_scalar, keccak_x8; /* permutations per second, one core */
} floors;

/* Best of 3 parallel memcpys of `bytes` (first touch excluded). Returns 0 or -1 (no memory). */
static int measure_memcpy(size_t bytes, double *gbs) {
    char *src = malloc(bytes), *dst = malloc(bytes);
    if (!src || !dst) {
        free(src);
        free(dst);
        return -1;
    }
    memset(src, 1, bytes);
    memset(dst, 0, bytes);
    const size_t chunk = (size_t)1 << 20;
    double best = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = sb_now();
#pragma omp parallel for schedule(static)
        for (size_t off = 0; off < bytes; off += chunk) memcpy(dst + off, src + off, bytes - off < chunk ? bytes - off : chunk);
        double dt = sb_now() - t0;
        if (dt < best) best = dt;
    }
    free(src);
    free(dst);
    *gbs = 2.0 * (double)bytes / best / 1e9;
    return 0;
}

/* Keccak-f[1600] permutations per second on one core: one state at a time, and eight side by
 * side (the path Merkle trees take; the scalar loop again when the vector path is off). */
static void measure_keccak(double *scalar, double *x8) {
    static uint64_t st[25 * 8];
    for (int eight = 0; eight < 2; eight++) {
        size_t perms = 0;
        double t0 = sb_now(), dt;
        do {
            for (int i = 0; i < 1000; i++) {
                if (eight) keccak_f1600_x8(st);
                else keccak_f1600(st);
            }
            perms += eight ? 8000 : 1000;
            dt = sb_now() - t0;
        } while (dt < 0.3);
        *(eight ? x8 : scalar) = (double)perms / dt;
    }
}

int cmd_lde_commit(int argc, char **argv) {
    sb_options o;
    sb_options_init(&o);
    uint64_t log_rows = 16, cols = 64;
    int ext3 = 0, want_floors = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int missing = 0;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--ext3") == 0) {
            ext3 = 1;
        } else if (strcmp(a, "--floors") == 0) {
            want_floors = 1;
        } else if ((v = sb_flag_value(argc, argv, &i, "log-rows", &missing)) || missing) {
            if (missing) return 2;
            if (sb_parse_count(v, 0, &log_rows) != 0 || log_rows > MAX_LOG_ROWS) {
                fprintf(stderr, "starkbench: --log-rows '%s' must be an integer in [0, %d]\n", v, MAX_LOG_ROWS);
                return 2;
            }
        } else if ((v = sb_flag_value(argc, argv, &i, "cols", &missing)) || missing) {
            if (missing) return 2;
            if (sb_parse_count(v, 0, &cols) != 0 || cols == 0 || cols > MAX_COLS) {
                fprintf(stderr, "starkbench: --cols '%s' must be an integer in [1, %d]\n", v, MAX_COLS);
                return 2;
            }
        } else {
            int r = sb_options_parse_flag(&o, argc, argv, &i);
            if (r < 0) return 2;
            if (r == 0) {
                fprintf(stderr, "starkbench: lde-commit: unknown flag '%s' (see 'starkbench lde-commit --help')\n", a);
                return 2;
            }
        }
    }
    if (sb_options_finish(&o, "lde-commit", ~(unsigned)(SB_OPT_STEPS | SB_OPT_TP | SB_OPT_NO_RANGE_SYNC)) != 0) return 2;
    if (ext3 && cols % 3 != 0) {
        fprintf(stderr, "starkbench: --ext3 needs --cols to be a multiple of 3 (got %llu)\n", (unsigned long long)cols);
        return 2;
    }
    size_t n = (size_t)1 << log_rows, lde_n = n * o.blowup;

    /* Host memory: trace + LDE + tree (+ two LDE-sized memcpy buffers with --floors). */
    double lde_bytes = (double)lde_n * (double)cols * 8.0, trace_bytes = (double)n * (double)cols * 8.0;
    double need = trace_bytes + lde_bytes + (2.0 * (double)lde_n - 1.0) * 32.0 + (want_floors ? 2.0 * lde_bytes : 0.0);
    double have = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    if (need > have) {
        fprintf(stderr, "starkbench: lde-commit 2^%llu x %llu at blowup %u needs %.1f GiB, over this machine's %.1f GiB\n",
                (unsigned long long)log_rows, (unsigned long long)cols, o.blowup, need / (1 << 30), have / (1 << 30));
        return 2;
    }

    char err[256] = "";
    sb_backend *be = sb_backend_create(&o.be, err, sizeof err);
    if (!be) {
        fprintf(stderr, "starkbench: %s\n", err);
        return 2;
    }
    uint64_t *trace = malloc(n * cols * sizeof *trace);
    size_t total = (size_t)o.warmup + o.runs;
    double *lde_ms = calloc(total, sizeof *lde_ms), *commit_ms = calloc(total, sizeof *commit_ms);
    /* GPU only: device times by CUDA events (H2D, LDE with the data on the device, commit). */
    double *dev_ms = calloc(3 * total, sizeof *dev_ms);
    int dev_runs = 0;
    if (!trace || !lde_ms || !commit_ms || !dev_ms) {
        fprintf(stderr, "starkbench: out of memory for a 2^%llu x %llu trace\n", (unsigned long long)log_rows,
                (unsigned long long)cols);
        free(trace);
        free(lde_ms);
        free(commit_ms);
        free(dev_ms);
        sb_backend_destroy(be);
        return 2;
    }
    if (o.be.threads) omp_set_num_threads((int)o.be.threads);
    fill_matrix(trace, n, cols);
    unsigned threads = sb_resolve_threads(o.be.threads);

    sb_op op_lde = {.table = "lde-commit", .op = SB_RANGE_NAME(SB_R1_MAIN_LDE)};
    sb_op op_commit = {.table = "lde-commit", .op = SB_RANGE_NAME(SB_R1_MAIN_COMMIT)};
    sb_digest root = {{0}};
    int rc = 0;
    for (size_t run = 0; run < total && rc == 0; run++) {
        sb_matrix c;
        memset(&c, 0, sizeof c);
        double t0 = sb_now();
        if (be->ops->lde(be, &op_lde, trace, n, cols, o.blowup, &c) != 0) {
            fprintf(stderr, "starkbench: lde failed: %s\n", op_lde.err);
            rc = 1;
            break;
        }
        be->ops->sync(be, op_lde.table);
        double t1 = sb_now();
        if (be->ops->commit(be, &op_commit, &c) != 0) {
            fprintf(stderr, "starkbench: commit failed: %s\n", op_commit.err);
            be->ops->release(be, &c);
            rc = 1;
            break;
        }
        be->ops->sync(be, op_lde.table);
        double t2 = sb_now();
        lde_ms[run] = 1e3 * (t1 - t0);
        commit_ms[run] = 1e3 * (t2 - t1);
        sb_gpu_times gt;
        if (run >= o.warmup && sb_gpu_matrix_times(&c, &gt) == 0) {
            dev_ms[dev_runs] = gt.h2d_ms, dev_ms[total + dev_runs] = gt.lde_ms, dev_ms[2 * total + dev_runs] = gt.commit_ms;
            dev_runs++;
        }
        if (run > 0 && memcmp(&root, &c.root, sizeof root) != 0) {
            fprintf(stderr, "starkbench: run %zu gave a different root than run 1: nondeterministic backend\n", run + 1);
            rc = 1;
        }
        root = c.root;
        be->ops->release(be, &c);
    }

    floors fl = {0, 0, 0};
    if (rc == 0 && want_floors) {
        if (measure_memcpy((size_t)lde_bytes, &fl.memcpy_gbs) != 0) {
            fprintf(stderr, "starkbench: out of memory for the memcpy floor\n");
            rc = 2;
        }
        measure_keccak(&fl.keccak_scalar, &fl.keccak_x8);
    }

    if (rc == 0) {
        char root_hex[65];
        hex(&root, root_hex);
        const double *lm = lde_ms + o.warmup, *cm = commit_ms + o.warmup;
        double lde_med = sb_median(lm, o.runs), commit_med = sb_median(cm, o.runs);
        /* The least the LDE can cost: read the trace once and write the LDE once at memcpy speed. */
        double floor_ms = want_floors ? 1e3 * (trace_bytes + lde_bytes) / (fl.memcpy_gbs * 1e9) : 0;
        if (o.json) {
            printf("{\"log_rows\": %llu, \"cols\": %llu, \"blowup\": %u, \"ext3\": %s, \"backend\": \"%s\", "
                   "\"threads\": %u, \"runs\": %u, \"warmup\": %u, \"lde_ms\": [",
                   (unsigned long long)log_rows, (unsigned long long)cols, o.blowup, ext3 ? "true" : "false",
                   be->ops->name, threads, o.runs, o.warmup);
            for (unsigned r = 0; r < o.runs; r++) printf("%s%.4f", r ? ", " : "", lm[r]);
            printf("], \"commit_ms\": [");
            for (unsigned r = 0; r < o.runs; r++) printf("%s%.4f", r ? ", " : "", cm[r]);
            printf("], \"lde_ms_median\": %.4f, \"commit_ms_median\": %.4f, \"cpu_ops\": %llu, \"gpu_ops\": %llu, "
                   "\"fallbacks\": %zu",
                   lde_med, commit_med, (unsigned long long)atomic_load(&be->cpu_ops),
                   (unsigned long long)atomic_load(&be->gpu_ops), be->n_fallbacks);
            if (want_floors)
                printf(", \"memcpy_gbs\": %.3f, \"lde_floor_ms\": %.4f, \"lde_over_floor\": %.3f, "
                       "\"keccak_perms_per_s_core\": %.0f, \"keccak_x8_perms_per_s_core\": %.0f",
                       fl.memcpy_gbs, floor_ms, lde_med / floor_ms, fl.keccak_scalar, fl.keccak_x8);
            if (dev_runs)
                printf(", \"gpu_h2d_ms\": %.4f, \"gpu_lde_ms\": %.4f, \"gpu_commit_ms\": %.4f", sb_median(dev_ms, dev_runs),
                       sb_median(dev_ms + total, dev_runs), sb_median(dev_ms + 2 * total, dev_runs));
            printf(", \"root\": \"%s\"}\n", root_hex);
        } else {
            printf("lde-commit: 2^%llu rows x %llu cols%s, blowup %u, backend %s, threads %u\n",
                   (unsigned long long)log_rows, (unsigned long long)cols, ext3 ? " (ext3)" : "", o.blowup,
                   be->ops->name, threads);
            for (unsigned r = 0; r < o.runs; r++) printf("run %u: lde %.3f ms, commit %.3f ms\n", r + 1, lm[r], cm[r]);
            printf("median of %u: lde %.3f ms, commit %.3f ms\n", o.runs, lde_med, commit_med);
            if (want_floors) {
                printf("memcpy: %.2f GB/s (read + write); lde floor %.3f ms; lde / floor = %.2f\n", fl.memcpy_gbs,
                       floor_ms, lde_med / floor_ms);
                printf("keccak-f[1600]: %.3f M permutations/s on one core (%.3f M/s eight at a time)\n",
                       fl.keccak_scalar / 1e6, fl.keccak_x8 / 1e6);
            }
            if (dev_runs)
                printf("gpu device time (median, CUDA events): h2d %.3f ms, lde with data on device %.3f ms, commit %.3f ms\n",
                       sb_median(dev_ms, dev_runs), sb_median(dev_ms + total, dev_runs),
                       sb_median(dev_ms + 2 * total, dev_runs));
            printf("ops: cpu %llu, gpu %llu; fallbacks %zu\n", (unsigned long long)atomic_load(&be->cpu_ops),
                   (unsigned long long)atomic_load(&be->gpu_ops), be->n_fallbacks);
            printf("root: %s\n", root_hex);
        }
        for (size_t f = 0; f < be->n_fallbacks && f < SB_MAX_FALLBACKS; f++)
            fprintf(stderr, "starkbench: fallback: %s %s kernel %s (%s): %s\n", be->fallbacks[f].table,
                    be->fallbacks[f].op, be->fallbacks[f].kernel, be->fallbacks[f].launch, be->fallbacks[f].error);
    }
    free(trace);
    free(lde_ms);
    free(commit_ms);
    free(dev_ms);
    sb_backend_destroy(be);
    return rc;
}
