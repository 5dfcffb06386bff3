/* The silent-fallback detector (docs/ARCHITECTURE.md "Harness", fallback detector).
 *
 * Per point and per table it combines three kinds of evidence:
 *  (1) the backend's own fallback records                      -> "fallback";
 *  (2) timing: a GPU range (below) whose median time is nearer the CPU-forced
 *      calibration than the GPU calibration of the same table, height and
 *      blowup on a log scale (with a margin)                   -> "suspected-fallback";
 *  (3) CUPTI, when it ran: a GPU range with no kernel of the kind it needs
 *      (a Keccak kernel for a commit range, any kernel otherwise) or with a
 *      failed kernel launch in the runtime-API records         -> "suspected-fallback".
 * The GPU ranges come from the one range table (prover/range_names.h): every range
 * whose operations include one the GPU backend runs on the device in that range's round
 * (sb_detect_context.device_ops); the ranges outside any table (grinding) are judged
 * as one more table, "" ("all tables"), when one of them is a GPU range.
 * A table is "clean" when every GPU range was checked by (2) or (3) and none
 * flagged; where neither could tell (no calibration, CPU/GPU ratio under
 * SB_DETECT_MIN_RATIO, no CUPTI) it is "undetectable", not a guess. Tables that
 * run on the CPU by configuration are "n/a". The functions are pure: a test can
 * feed a fake calibration. */
#ifndef SB_DETECTOR_H
#define SB_DETECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "range_names.h"
#include "results.h"

#define SB_DETECT_MIN_RATIO 3.0 /* calibrated CPU/GPU time ratio below which timing cannot tell */
#define SB_DETECT_MARGIN 0.1    /* flag only beyond the log-scale midpoint by this fraction of the CPU-GPU distance */

/* What a calibration is valid for: the same GPU, driver, build, CPU threads, table (its
 * constraints and columns), table height and blowup. The card's UUID tells cards of one model
 * apart; a card without an entry of its own takes one of another card of its model and driver
 * (sb_calibration_lookup). */
typedef struct sb_calib_key {
    char gpu[128];
    char uuid[96];  /* NVML's, "" where calibrated without NVML */
    char driver[32];
    char build[48];
    unsigned threads;
    char table[16]; /* "" for the ranges outside any table */
    uint64_t rows;  /* the table's trace rows (0 for "") */
    unsigned blowup;
} sb_calib_key;

/* Median times (ms) of every range of one table, CPU-forced and on the GPU; NAN where a range
 * was not measured. */
typedef struct sb_calib_entry {
    sb_calib_key key;
    double cpu_ms[SB_RANGE_COUNT], gpu_ms[SB_RANGE_COUNT];
} sb_calib_entry;

/* Makes e an entry for key with no range measured. */
void sb_calib_entry_init(sb_calib_entry *e, const sb_calib_key *key);

/* The card's floors (`kernels --floors`), which calibrate measures and saves beside the entries,
 * keyed by GPU name and driver: what the report relates each GPU round's rate to. */
typedef struct sb_calib_floors {
    char gpu[128];
    char uuid[96];
    char driver[32];
    double d2d_bytes_per_s;    /* device-to-device copy, bytes read + written per second */
    double butterflies_per_s;  /* straightforward Goldilocks butterflies per second */
    double keccak_f_per_s;     /* straightforward Keccak-f[1600] permutations per second */
} sb_calib_floors;

typedef struct sb_calibration {
    size_t n;
    sb_calib_entry *entries;
    size_t n_floors;
    sb_calib_floors *floors;
} sb_calibration;

/* Loads a calibration file. A missing file gives an empty calibration and returns 0;
 * unreadable or malformed content returns -1 with a one-line reason in err. */
int sb_calibration_load(sb_calibration *c, const char *path, char *err, size_t errlen);
/* Writes c to path (outfile.h: a temporary renamed into place, or in place for a device).
 * Returns 0, or -1 with a reason in err. */
int sb_calibration_save(const sb_calibration *c, const char *path, char *err, size_t errlen);
/* Adds e, replacing an entry with the same key. Returns 0, or -1 when out of memory. */
int sb_calibration_put(sb_calibration *c, const sb_calib_entry *e);
/* Adds f, replacing the floors of the same card (GPU, UUID) and driver. Returns 0, or -1 when out of memory. */
int sb_calibration_put_floors(sb_calibration *c, const sb_calib_floors *f);
/* Returns the floors of that card and driver, else those of another card of that GPU model and
 * driver, or NULL. */
const sb_calib_floors *sb_calibration_floors(const sb_calibration *c, const char *gpu, const char *driver,
                                             const char *uuid);
/* Returns the entry with key k exactly (its card's UUID too), or NULL. */
const sb_calib_entry *sb_calibration_find(const sb_calibration *c, const sb_calib_key *k);
/* Returns the entry of key k's card, else one of another card of the same model and driver (the
 * rest of the key equal), or NULL: what the detector judges a point with. */
const sb_calib_entry *sb_calibration_lookup(const sb_calibration *c, const sb_calib_key *k);
void sb_calibration_free(sb_calibration *c);

typedef enum sb_timing_verdict {
    SB_TIMING_GPU = 0,          /* nearer the GPU calibration: consistent with running on the GPU */
    SB_TIMING_CPU = 1,          /* nearer the CPU calibration by more than the margin */
    SB_TIMING_UNDETECTABLE = 2  /* ratio under SB_DETECT_MIN_RATIO, or a value missing / not positive */
} sb_timing_verdict;

/* Classifies one measured time against the calibrated CPU and GPU times of its shape (all ms):
 * with p = log(measured / gpu) / log(cpu / gpu), p > 1/2 + SB_DETECT_MARGIN is SB_TIMING_CPU. */
sb_timing_verdict sb_detect_timing(double measured_ms, double cpu_ms, double gpu_ms);

/* One table of the proof as the detector needs it. */
typedef struct sb_detect_table {
    const char *name;   /* "cpu", "program", "range" */
    uint64_t rows;      /* trace rows */
    unsigned main_cols; /* committed main columns (base) */
    unsigned aux_cols;  /* committed aux columns in base elements (3 per Fp3 column), 0 if none */
    unsigned fixed_cols; /* fixed columns (their LDE is evaluated in Round 2, never committed) */
} sb_detect_table;

/* Where the point ran, to look its calibration up, and what the GPU backend runs on the device. */
typedef struct sb_detect_context {
    const char *gpu, *driver, *build;
    const char *uuid;            /* the card's UUID (NULL or "": unknown) */
    const sb_calibration *calib; /* may be NULL: timing evidence then absent */
    sb_opk_mask device_ops;      /* what the GPU backend runs on the device: an SB_OPK_IN_ROUND mask (sb_gpu_device_ops) */
} sb_detect_context;

/* Writes the results key of range id (sb_range_id) of table ("" outside any table: the bare name)
 * with a suffix ("" for its time, ":launches", ... for its CUPTI figures). */
void sb_range_key(char *key, size_t cap, const char *table, int id, const char *suffix);

/* Returns 1 when range id runs GPU work for a backend whose device operations are device_ops (an
 * SB_OPK_IN_ROUND mask). */
static inline int sb_range_on_gpu(sb_range_id id, sb_opk_mask device_ops) {
    return sb_range_kinds_in(&sb_range_defs[id], device_ops) != 0;
}

/* Sets p->verdict and p->verdict_reason (per table: "<table>: <verdict> (<why>); ...")
 * from p's fallbacks, median range times, CUPTI metrics ("<table>:<range>:launches",
 * ":keccak_launches", ":failed_launches"; "<range>:..." outside any table) and the
 * calibration. Points whose status is not "ok" or that did not run on the GPU get "n/a". */
void sb_detect_point(sb_point *p, const sb_detect_table *tables, size_t n_tables, const sb_detect_context *ctx);

#endif
