/* Results of a sweep: the data model shared by the sweep runner (writer) and
 * report / compare / history (readers). On disk: JSON in Google Benchmark's
 * schema plus a flat CSV beside it (docs/RESULTS.md gives both formats).
 *
 * A point is one configuration; it has `reps` measured repetitions. Each
 * metric holds one value per repetition; keys are "total", "<table>:<range>"
 * (e.g. "cpu:R1 main commit", milliseconds), "<table>:<range>:kernel_ms",
 * ":memcpy_ms", ":memcpy_bytes", ":launches" (CUPTI), "gpu_busy_ms",
 * "nvml:sm_clock_mhz", "nvml:mem_clock_mhz", "nvml:temp_c", "nvml:power_w",
 * "nvml:throttle_reasons", "backend:cpu_ops", "backend:gpu_ops". */
#ifndef SB_RESULTS_H
#define SB_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"

typedef struct sb_metric {
    char key[128];
    double *values; /* reps values (NAN where a repetition has none or it is excluded as throttled) */
    double *raw;    /* NULL, or the values as measured when throttled repetitions were excluded (what is written) */
} sb_metric;

typedef struct sb_point {
    char name[256];            /* "prove/steps:16/blowup:2/backend:cpu/threshold:0/tp:1/threads:2/tpb:default" */
    unsigned log_steps, blowup, tp, threads;
    sb_backend_kind backend;   /* as asked for */
    char backend_used[8];      /* "cpu" or "gpu": what the run got */
    uint64_t threshold;        /* SB_THRESHOLD_NEVER = inf */
    char tpb[128];             /* "default" or "keccak=128,ntt=256" */
    char status[16];           /* "ok", "failed", "timeout", "infeasible", "skipped" */
    char error[256];           /* why, when status is not "ok" */
    size_t reps;
    double *real_time_ms;      /* reps values: wall time of the whole proof */
    double *cpu_time_ms;       /* reps values: process CPU time */
    double *raw_real_time_ms, *raw_cpu_time_ms; /* as sb_metric.raw */
    size_t n_throttled;        /* repetitions marked throttled (metric "throttled" = 1; bench/throttle.h) */
    char stop_reason[16];      /* why it stopped repeating: "runs" (fixed N), "noise", "max-runs", "max-time"; "" unknown */
    double noise_pct;          /* noise of the total's median (bench/adaptive.h), NAN when unknown */
    size_t n_metrics;
    sb_metric *metrics;
    char proof_digest[65];     /* Keccak-256 of the proof bytes, hex; "" if none */
    int digest_mismatch;       /* 1 when it differs from other points of the same steps and blowup */
    size_t n_fallbacks;        /* backend fallback records */
    sb_fallback *fallbacks;
    char verdict[24];          /* detector: "clean", "fallback", "suspected-fallback", "undetectable", "n/a" */
    char verdict_reason[256];
    int gpu_index;             /* the GPU it ran on (NVML index, nvidia-smi's numbering); -1: none (a CPU point) */
    char gpu_name[96];         /* that GPU's name and UUID ("" where NVML could not say) */
    char gpu_uuid[96];
} sb_point;

/* One CPU cache level as Google Benchmark's context lists it. */
typedef struct sb_cache {
    char type[16]; /* "Data", "Instruction", "Unified" */
    int level;
    long long size; /* bytes */
    int num_sharing; /* CPUs sharing it */
} sb_cache;

#define SB_MAX_CACHES 8

/* One GPU a sweep ran points on (results context "gpus"). */
typedef struct sb_gpu_info {
    unsigned index;              /* NVML index: nvidia-smi's numbering */
    char name[96];
    char uuid[96];               /* "GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", "" when unknown */
    uint64_t memory_total;       /* bytes; 0 when unknown */
    uint64_t memory_free;        /* bytes when the sweep started (not written to files); 0 when unknown */
    double noise_pct, noise_ms;  /* its noise probe (bench/noise.h), NAN when not measured */
} sb_gpu_info;

/* The most GPUs a sweep uses (and a results file lists). */
#define SB_MAX_GPUS 64

typedef struct sb_results {
    /* Google Benchmark context keys */
    char date[40], host_name[128], executable[256], library_build_type[16];
    int num_cpus;
    double mhz_per_cpu;
    int cpu_scaling_enabled;
    double load_avg[3];
    size_t n_caches;
    sb_cache caches[SB_MAX_CACHES];
    /* ours */
    char git_commit[48], build_type[24], command_line[1024], gpu_name[128], gpu_driver[32], cuda_version[16];
    int range_sync, cupti;
    double cupti_overhead_pct; /* measured overhead of CUPTI + NVTX on a whole proof, NAN if not measured */
    int keep_throttled;        /* throttled repetitions count in the statistics (sweep --keep-throttled) */
    double noise_cpu_pct, noise_cpu_ms; /* the noise probe before the sweep (bench/noise.h), NAN if not run */
    double noise_gpu_pct, noise_gpu_ms;
    double locked_clock_mhz;   /* SM clock locked by --lock-clocks, NAN when not locked */
    char delay_round[64];      /* STARKBENCH_DELAY_ROUND during the sweep, "" when unset */
    size_t n_gpus;             /* the GPUs its points ran on (sweep --gpus; one without it) */
    sb_gpu_info gpus[SB_MAX_GPUS];
    unsigned shard_index, shard_count; /* sweep --shard I/N (1 <= I <= N); 0, 0 when not sharded */
    size_t plan_points;        /* with --shard: the points of the whole plan the shards split */
    size_t n_points;
    sb_point *points;
} sb_results;

/* The most points a results file may hold (what one sweep can plan): the readers compare
 * points by name, and a bigger file is refused rather than taking minutes. */
#define SB_RESULTS_MAX_POINTS 10000

/* Fills the context from this process and machine (date, host, cpus, git commit, GPU, ...). */
void sb_results_init(sb_results *r, int argc, char **argv);
/* Appends a point (zeroed, reps repetitions allocated) and returns it. */
sb_point *sb_results_add_point(sb_results *r, size_t reps);
/* Returns the metric named key in p, adding it (values NAN) when absent. */
sb_metric *sb_point_metric(sb_point *p, const char *key);
/* Returns the metric named key, or NULL. */
const sb_metric *sb_point_find(const sb_point *p, const char *key);
void sb_results_free(sb_results *r);

/* Writes JSON to path and CSV to the same path with ".csv" in place of ".json" through
 * outfile.h (temporaries renamed into place once both are complete; devices in place).
 * Returns 0, or -1 with a one-line reason in err. */
int sb_results_write(const sb_results *r, const char *path, char *err, size_t errlen);
/* Loads a results JSON written by sb_results_write (or Google Benchmark), checking the type
 * and range of every field it reads (docs/RESULTS.md "Loading"): whatever it accepts has
 * names that fit, finite times and counters in [0, 1e18], repetitions in order and at most
 * SB_RESULTS_MAX_POINTS points. Unless the context says keep_throttled, repetitions marked
 * throttled are excluded from every statistic (bench/throttle.h: their values become NAN, the
 * measured ones stay in raw and are written back). Returns 0, or -1 with a one-line reason in
 * err (unreadable, not JSON, wrong schema: where and which field). */
int sb_results_load(sb_results *r, const char *path, char *err, size_t errlen);

/* Returns 1 when key is a round time "<table>:R<k> <name>" (e.g. "cpu:R1 main LDE"); 0 for CUPTI,
 * NVML, backend and table-less keys. */
int sb_metric_is_round(const char *key);

/* Ranks a detector verdict by how bad it is: 2 "fallback", 1 "suspected-fallback", else 0. */
int sb_verdict_rank(const char *verdict);

/* Returns the values of p's metric "total" (the "prove" range), or its real_time_ms when the
 * point has none (e.g. a Google Benchmark file). */
const double *sb_point_total(const sb_point *p);

/* Formats a time in ms for tables: three decimals from 1 ms up, four significant digits
 * below (micro-benchmarks), "-" for NAN. Returns buf. */
const char *sb_format_ms(double ms, char buf[24]);

#endif
