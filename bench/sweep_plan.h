/* A sweep's plan: axes given as lists on the command line or in a suite file
 * (bench/suites/NAME.conf), expanded into point configurations as a grid (cross
 * product) or zipped. */
#ifndef SB_SWEEP_PLAN_H
#define SB_SWEEP_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "point.h"

/* Axes in expansion order; the tpb axes follow, one per kernel (SB_AX_TPB + sb_kernel_id). */
enum { SB_AX_STEPS, SB_AX_BLOWUP, SB_AX_BACKEND, SB_AX_THRESHOLD, SB_AX_TP, SB_AX_THREADS, SB_AX_TPB, SB_AX_COUNT = SB_AX_TPB + SB_K_COUNT };

#define SB_AXIS_MAX 32

typedef struct sb_axis {
    size_t n; /* 0: not given (the base configuration's value) */
    uint64_t v[SB_AXIS_MAX];
} sb_axis;

typedef struct sb_sweep_axes {
    sb_axis ax[SB_AX_COUNT];
    int zip; /* 1: point i takes value i of every axis (axes of one value broadcast) */
} sb_sweep_axes;

/* Sets an axis from a list. name is a flag name without "--": steps, blowup, backend,
 * gpu-threshold, tp, threads, or tpb (list "keccak=64,128,ntt=256": a value without a name
 * belongs to the kernel named before it; each named kernel's axis is replaced).
 * Returns 1 when set, 0 when name is not an axis, -1 with a one-line reason in err. */
int sb_axes_set(sb_sweep_axes *a, const char *name, const char *list, char *err, size_t errlen);

/* Overwrites in dst every axis that src gives. */
void sb_axes_override(sb_sweep_axes *dst, const sb_sweep_axes *src);

/* Options a suite file may set besides axes (0 / NULL where it does not). */
typedef struct sb_suite_options {
    unsigned runs, warmup;
    double timeout_s;
} sb_suite_options;

/* Reads a suite file: "key = value" lines, '#' comments, "[name]" sections. Keys before
 * the first section are defaults of every section; each section is one grid (axes as in
 * sb_axes_set, plus "zip = yes|no"); "runs", "warmup" and "timeout" are global only.
 * A file without sections is one grid. Allocates *groups (free it). Returns the group
 * count, or -1 with "FILE:LINE: reason" in err. */
int sb_suite_load(const char *path, sb_sweep_axes **groups, sb_suite_options *opts, char *err, size_t errlen);

/* The most configurations a sweep plans, over all its sections and before duplicates are
 * removed: a larger grid is refused before any work (README "Bad input and output files").
 * The results loader's limit, so that a sweep's results always load. */
#define SB_SWEEP_MAX_POINTS SB_RESULTS_MAX_POINTS

/* Returns how many configurations a expands to before duplicates are removed (SIZE_MAX when
 * the product overflows): the product of the axes' lengths, or the longest axis when zipped. */
size_t sb_axes_count(const sb_sweep_axes *a);

/* Appends the sb_axes_count(a) configurations of a to *cfgs (realloc'd; *n updated), taking each
 * axis not given from base. CPU-backend points get threshold inf, points of threshold inf the
 * default tpb (neither changes their work). Returns 0, or -1 with a reason in err (zipped axes
 * of different lengths, no memory). */
int sb_axes_expand(const sb_sweep_axes *a, const sb_point_config *base, sb_point_config **cfgs, size_t *n, char *err,
                   size_t errlen);

/* Removes from cfgs[0..*n) every configuration whose name an earlier one has (keeping the
 * order), in time linear in *n. Returns 0, or -1 when out of memory. */
int sb_configs_unique(sb_point_config *cfgs, size_t *n);

#endif
