/* Named ranges: the one place where round names are opened and closed.
 *
 * A range times itself on the host (wall clock), pushes/pops the NVTX range of
 * the same name in the domain "starkbench" (free when no tool is attached),
 * calls optional hooks (the harness pushes CUPTI external correlation ids
 * there) and, in range-sync mode, synchronizes the backend's work of the range's
 * table before it stops the clock so that the range's wall time contains its GPU
 * work and no other table's; with a backend it also records the backend's memory
 * high-water mark while the range was open. Thread-safe: tables proved
 * concurrently record into one set. The names are range_names.h's. */
#ifndef SB_RANGE_H
#define SB_RANGE_H

#include <pthread.h>
#include <stdio.h>

#include "backend.h"

#define SB_RANGE_TABLE_LEN 16
#define SB_RANGE_NAME_LEN 24
#define SB_MAX_RANGES 512

typedef struct sb_range_rec {
    char table[SB_RANGE_TABLE_LEN]; /* "" for ranges outside any table (e.g. "prove") */
    char name[SB_RANGE_NAME_LEN];
    double start;   /* seconds since the set was created */
    double seconds; /* wall time */
    /* The backend's allocated bytes at their highest while the range was open, per
     * sb_mem_space (all of its tables' work: with --tp, what ran beside it too); NAN where
     * unknown (no backend, a space it does not allocate in, every watcher in use). */
    double mem_peak[SB_MEM_SPACES];
} sb_range_rec;

typedef struct sb_range_hooks {
    /* Called on the range's thread right after it opens / right before it closes. id is the record index. */
    void (*begin)(void *ud, unsigned id, const char *table, const char *name);
    void (*end)(void *ud, unsigned id, const char *table, const char *name);
    void *ud;
} sb_range_hooks;

typedef struct sb_ranges {
    pthread_mutex_t lock;
    double t0;
    size_t n;
    sb_range_rec recs[SB_MAX_RANGES];
    sb_backend *backend;      /* the backend whose memory is watched; NULL: none */
    int range_sync;           /* synchronize the backend at each range end */
    int nvtx;                 /* push NVTX ranges (0 when STARKBENCH_NVTX=off at sb_ranges_init) */
    sb_range_hooks hooks;
} sb_ranges;

typedef struct sb_range {
    sb_ranges *set;
    unsigned id;
    double t_begin;
    int mem_watch; /* the backend's memory watcher, or -1 */
} sb_range;

/* Initialises an empty set for the ranges of be's proofs (be may be NULL: no sync, no memory
 * figures). range_sync: synchronize be at each range end (0 under --no-range-sync). hooks may
 * be NULL. STARKBENCH_NVTX=off (read here) leaves NVTX out of this set's ranges: the harness
 * measures the instrumentation's overhead with it. */
void sb_ranges_init(sb_ranges *set, sb_backend *be, int range_sync, const sb_range_hooks *hooks);
void sb_ranges_destroy(sb_ranges *set);

/* Opens a range. table may be NULL or "" for a range outside any table. */
sb_range sb_range_begin(sb_ranges *set, const char *table, const char *name);
/* Closes it and stores its wall time. */
void sb_range_end(sb_range *r);

/* The testing switch STARKBENCH_DELAY_ROUND="NAME:PCT" (read at every range end, never cached):
 * each range named NAME, in every table, spins PCT % of its own time longer before its clock
 * stops, so that range and every range around it (the total) grow by that time; the figures of
 * docs/PERFORMANCE.md measure compare's power with it. PCT is a number in (0, 1000]. */
#define SB_DELAY_ENV "STARKBENCH_DELAY_ROUND"

/* Parses a value of STARKBENCH_DELAY_ROUND: the range name before the last ':' into name
 * (SB_RANGE_NAME_LEN bytes), the percentage after it into *pct. Returns 0, or -1 with a
 * one-line reason in err. */
int sb_delay_parse(const char *value, char name[SB_RANGE_NAME_LEN], double *pct, char *err, size_t errlen);

/* Returns the summed seconds of every range named `name` of table `table` (NULL: all tables). */
double sb_ranges_sum(const sb_ranges *set, const char *table, const char *name);

/* Prints the "=== PROVER TIMING ===" table: per table every round range, then
 * Total LDE, Total Merkle and Total (the "prove" range); with a backend, a range line and
 * Total end with the memory high-water marks, "peak host X MiB, device Y MiB" ("n/a" for a
 * space the backend does not allocate in). */
void sb_ranges_print(const sb_ranges *set, FILE *out);

/* Monotonic seconds. */
double sb_now(void);

#endif
