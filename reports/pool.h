/* Results files taken together: one file or a comma-separated list of them ("a.json,b.json"),
 * pooled into one sb_results: each point once, with the repetitions of every file that has it,
 * in file order. Interleaved sessions of one build (scripts/ci-compare.sh) and the shards of
 * one sweep (sweep --shard) pool this way; compare reads each side, report its input so. */
#ifndef SB_POOL_H
#define SB_POOL_H

#include <stddef.h>

#include "results.h"

/* How a pooled point's repetitions split over the files (sessions) that have it, in file order:
 * the repetitions of one session ran in one process and share its state, so they are not
 * independent of each other; the session is the unit of replication. */
typedef struct sb_pool_sessions {
    size_t n;     /* files that have the point */
    size_t *reps; /* reps[k]: the k-th one's repetitions (a run of them in the pooled values); they add up to the point's */
} sb_pool_sessions;

typedef struct sb_pool {
    const char *label;       /* how messages name the list: "base", "candidate", "report" */
    char *arg;               /* copy of the argument, split at its commas into files */
    const char **files;
    size_t n_files;
    char commits[200];       /* the distinct git commits of the files, ", "-separated */
    size_t n_commits;
    sb_results pooled;       /* the first file's context; every point pooled over the files */
    unsigned char *unstable; /* per pooled point: its proof digest differs between files of one commit */
    sb_pool_sessions *sessions; /* per pooled point: its repetitions by file */
    double noise_cpu_pct, noise_gpu_pct; /* the median noise probe figures of its files (NAN: none) */
    unsigned shard_count;    /* N when every file is a shard of an N-way split (sweep --shard), else 0 */
    unsigned char shards[SB_RESULTS_MAX_POINTS + 1]; /* with shard_count: shards[i] set when shard i is given */
} sb_pool;

/* Splits a comma-separated list into files (at most one per comma, plus one: room for
 * strlen(list) + 1 entries) in place. Returns the count, or -1 when an entry is empty. */
int sb_pool_split(char *list, const char **files);

/* Loads the files of arg and pools them into s (zeroed first). The files must have measured the
 * same setup: one machine (shards of one split, which run on separate machines, excepted), GPU,
 * build type and range-sync mode (commits may differ); a file given twice, a point that ran on
 * different backends in two files, or was measured on two machines, is refused. A failure or a
 * worse detector verdict in any file is the pooled point's. Returns 0, or -1 with a one-line
 * reason in err; free s with sb_pool_free either way. */
int sb_pool_load(sb_pool *s, const char *label, const char *arg, char *err, size_t errlen);

void sb_pool_free(sb_pool *s);

/* What stands for a session's repetitions in a test between sessions. */
typedef enum sb_session_stat {
    SB_SESSION_MEDIAN, /* the typical repetition */
    SB_SESSION_MIN,    /* the fastest: on a shared machine interference only adds time */
} sb_session_stat;

/* Writes stat of each session's non-NAN values among values[0..reps) (a metric of the pooled
 * point split as in s) to out[0..s->n), in file order; NAN for a session without a value.
 * Returns how many are not NAN. */
size_t sb_pool_session_stats(const sb_pool_sessions *s, const double *values, sb_session_stat stat, double *out);

#endif
