/* The silent-fallback detector (DESIGN.md "Fallback detection, two independent ways").
 *
 * Per point and per table it combines three kinds of evidence:
 *  (1) the backend's own fallback records                      -> "fallback";
 *  (2) timing: a Round-1 range configured for the GPU whose median time is
 *      nearer the CPU-forced calibration than the GPU calibration of the same
 *      shape on a log scale (with a margin)                    -> "suspected-fallback";
 *  (3) CUPTI, when it ran: a GPU range with no kernel of the kind it needs
 *      (any kernel for an LDE, a Keccak kernel for a commit) or with a failed
 *      kernel launch in the runtime-API records                -> "suspected-fallback".
 * A table is "clean" when every GPU range was checked by (2) or (3) and none
 * flagged; where neither could tell (no calibration, CPU/GPU ratio under
 * SB_DETECT_MIN_RATIO, no CUPTI) it is "undetectable", not a guess. Tables that
 * run on the CPU by configuration are "n/a". The functions are pure: a test can
 * feed a fake calibration. */
#ifndef SB_DETECTOR_H
#define SB_DETECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "results.h"

#define SB_DETECT_MIN_RATIO 3.0 /* calibrated CPU/GPU time ratio below which timing cannot tell */
#define SB_DETECT_MARGIN 0.1    /* flag only beyond the log-scale midpoint by this fraction of the CPU-GPU distance */

/* What a calibration is valid for: the same GPU, driver, build, CPU threads,
 * committed matrix shape and blowup. */
typedef struct sb_calib_key {
    char gpu[128];
    char driver[32];
    char build[48];
    unsigned threads;
    uint64_t rows;  /* trace rows of the committed matrix */
    unsigned cols;  /* base columns (3 per Fp3 column) */
    unsigned blowup;
} sb_calib_key;

/* Median times (ms) of the LDE and the Merkle commit of one shape, CPU-forced and on the GPU. */
typedef struct sb_calib_entry {
    sb_calib_key key;
    double lde_cpu_ms, lde_gpu_ms;
    double commit_cpu_ms, commit_gpu_ms;
} sb_calib_entry;

typedef struct sb_calibration {
    size_t n;
    sb_calib_entry *entries;
} sb_calibration;

/* Loads a calibration file. A missing file gives an empty calibration and returns 0;
 * unreadable or malformed content returns -1 with a one-line reason in err. */
int sb_calibration_load(sb_calibration *c, const char *path, char *err, size_t errlen);
/* Writes c to path (outfile.h: a temporary renamed into place, or in place for a device).
 * Returns 0, or -1 with a reason in err. */
int sb_calibration_save(const sb_calibration *c, const char *path, char *err, size_t errlen);
/* Adds e, replacing an entry with the same key. Returns 0, or -1 when out of memory. */
int sb_calibration_put(sb_calibration *c, const sb_calib_entry *e);
/* Returns the entry with key k, or NULL. */
const sb_calib_entry *sb_calibration_find(const sb_calibration *c, const sb_calib_key *k);
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
} sb_detect_table;

/* Where the point ran, to look its calibration up. */
typedef struct sb_detect_context {
    const char *gpu, *driver, *build;
    const sb_calibration *calib; /* may be NULL: timing evidence then absent */
} sb_detect_context;

/* Sets p->verdict and p->verdict_reason (per table: "<table>: <verdict> (<why>); ...")
 * from p's fallbacks, median range times, CUPTI metrics ("<table>:<range>:launches",
 * ":keccak_launches", ":failed_launches") and the calibration. Points whose status is
 * not "ok" or that did not run on the GPU get "n/a". */
void sb_detect_point(sb_point *p, const sb_detect_table *tables, size_t n_tables, const sb_detect_context *ctx);

#endif
