/* Command-line flags shared by every subcommand (DESIGN.md "Common flags").
 *
 * Environment variables mirror some flags (STARKBENCH_BACKEND, STARKBENCH_GPU_THRESHOLD,
 * STARKBENCH_TPB, STARKBENCH_THREADS, STARKBENCH_TP); they are read when
 * sb_options_init is called, never cached, and flags parsed afterwards win. */
#ifndef SB_OPTIONS_H
#define SB_OPTIONS_H

#include <stdint.h>

#include "backend.h"

typedef struct sb_options {
    unsigned log_steps;    /* --steps (power of two), stored as log2 */
    unsigned blowup;       /* --blowup 2|4|8 */
    sb_backend_config be;  /* --backend, --gpu-threshold, --tpb, --threads */
    unsigned tp;           /* --tp */
    unsigned runs;         /* --runs */
    unsigned warmup;       /* --warmup */
    int json;              /* --json */
    int range_sync;        /* 1 unless --no-range-sync */
} sb_options;

/* Defaults (steps 2^16, blowup 2, auto backend, tp 1, runs 1, warmup 0), then the environment.
 * Returns 0, or -1 after printing one line to stderr when an environment value is invalid. */
int sb_options_init(sb_options *o);

/* Tries to parse the common flag at argv[*i] (forms "--flag value" and "--flag=value").
 * Returns 1 when consumed (advancing *i past its value), 0 when argv[*i] is not a common
 * flag, -1 after printing one line to stderr when its value is invalid. */
int sb_options_parse_flag(sb_options *o, int argc, char **argv, int *i);

/* Parses a count: decimal, "2^k", or with suffix K/M/G (powers of two: 8M = 2^23).
 * "inf" gives UINT64_MAX when allow_inf. Returns 0 or -1. */
int sb_parse_count(const char *s, int allow_inf, uint64_t *out);

/* Parses "NAME=N,NAME=N" into tpb (entries not named are left as they are). N must be a
 * positive multiple of 32 up to 1024 and NAME one of sb_kernel_names.
 * Returns 0, or -1 with a one-line reason in err. */
int sb_parse_tpb(const char *s, unsigned tpb[SB_K_COUNT], char *err, size_t errlen);

/* Parses "cpu"|"gpu"|"auto". Returns 0 or -1. */
int sb_parse_backend(const char *s, sb_backend_kind *out);

/* Returns the value of flag `name` at argv[*i] ("--name v" or "--name=v"), advancing *i,
 * or NULL when argv[*i] is not that flag. Prints an error and sets *missing when the value is absent. */
const char *sb_flag_value(int argc, char **argv, int *i, const char *name, int *missing);

#endif
