/* Command-line flags shared by every subcommand (README.md "CLI overview").
 *
 * Environment variables mirror five flags (STARKBENCH_BACKEND, STARKBENCH_GPU_THRESHOLD,
 * STARKBENCH_TPB, STARKBENCH_THREADS, STARKBENCH_TP). A command parses its flags, then calls
 * sb_options_finish, which reads the mirrors at that moment (never cached) and applies each
 * only where the command takes that option and no flag set it: flags win. */
#ifndef SB_OPTIONS_H
#define SB_OPTIONS_H

#include <stdint.h>

#include "backend.h"

/* One bit per common option (sb_options.set, the accepted mask of sb_options_finish). */
enum {
    SB_OPT_STEPS = 1u << 0,
    SB_OPT_BLOWUP = 1u << 1,
    SB_OPT_BACKEND = 1u << 2,
    SB_OPT_GPU_THRESHOLD = 1u << 3,
    SB_OPT_TPB = 1u << 4,
    SB_OPT_THREADS = 1u << 5,
    SB_OPT_TP = 1u << 6,
    SB_OPT_RUNS = 1u << 7,
    SB_OPT_WARMUP = 1u << 8,
    SB_OPT_JSON = 1u << 9,
    SB_OPT_NO_RANGE_SYNC = 1u << 10,
    SB_OPT_MIRRORED = SB_OPT_BACKEND | SB_OPT_GPU_THRESHOLD | SB_OPT_TPB | SB_OPT_THREADS | SB_OPT_TP,
};

typedef struct sb_options {
    unsigned log_steps;    /* --steps (power of two), stored as log2 */
    unsigned blowup;       /* --blowup 2|4|8 */
    sb_backend_config be;  /* --backend, --gpu-threshold, --tpb, --threads */
    unsigned tp;           /* --tp */
    unsigned runs;         /* --runs */
    unsigned warmup;       /* --warmup */
    int json;              /* --json */
    int range_sync;        /* 1 unless --no-range-sync */
    unsigned set;          /* SB_OPT_* bits of the options a flag set (the environment leaves them) */
} sb_options;

/* Sets the defaults (steps 2^16, blowup 2, auto backend, tp 1, runs 1, warmup 0, no option set). */
void sb_options_init(sb_options *o);

/* Tries to parse the common flag at argv[*i] (forms "--flag value" and "--flag=value") and
 * marks it in o->set. Returns 1 when consumed (advancing *i past its value), 0 when argv[*i]
 * is not a common flag, -1 after printing one line to stderr when its value is invalid. */
int sb_options_parse_flag(sb_options *o, int argc, char **argv, int *i);

/* Ends a command's flag parsing. command names it in messages; accepted holds the SB_OPT_*
 * bits of the options it uses. A flag outside accepted would do nothing: one line on stderr
 * ("--runs has no effect on prove"), -1. Then each environment mirror of an accepted option
 * that no flag set is applied; an invalid one prints one line naming the variable, -1; so does
 * an invalid STARKBENCH_DELAY_ROUND (range.h). Returns 0 or -1. */
int sb_options_finish(sb_options *o, const char *command, unsigned accepted);

/* Returns 1 when the environment entry "NAME=value" is one of the five mirrors, else 0
 * (a sweep leaves them out of its children, which get every option as a flag). */
int sb_env_is_mirror(const char *entry);

/* Resolves a thread count of 0 (the OpenMP default) to the threads the prover uses. */
unsigned sb_resolve_threads(unsigned threads);

/* Parses a count: decimal, "2^k", or with suffix K/M/G (powers of two: 8M = 2^23).
 * "inf" gives UINT64_MAX when allow_inf. Returns 0, or -1 with errno ERANGE for a count past
 * 2^64 - 1 ("2^64") and errno 0 for text that is no count. */
int sb_parse_count(const char *s, int allow_inf, uint64_t *out);

/* Parses "NAME=N,NAME=N" into tpb (entries not named are left as they are). N must be a
 * positive multiple of 32 up to 1024 and NAME one of sb_kernel_names; at least one entry.
 * Returns 0, or -1 with a one-line reason in err (without the flag's name). */
int sb_parse_tpb(const char *s, unsigned tpb[SB_K_COUNT], char *err, size_t errlen);

/* Parses "cpu"|"gpu"|"auto". Returns 0 or -1. */
int sb_parse_backend(const char *s, sb_backend_kind *out);

/* Returns the value of flag `name` at argv[*i] ("--name v" or "--name=v"), advancing *i,
 * or NULL when argv[*i] is not that flag. Prints an error and sets *missing when the value is absent. */
const char *sb_flag_value(int argc, char **argv, int *i, const char *name, int *missing);

#endif
