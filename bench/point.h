/* One sweep point: the configuration it runs, its name, the tables it proves and its
 * memory model (docs/ARCHITECTURE.md "Harness", feasibility). */
#ifndef SB_POINT_H
#define SB_POINT_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "detector.h"
#include "results.h"

typedef struct sb_point_config {
    unsigned log_steps, blowup, tp;
    unsigned threads;          /* resolved: never 0 in a plan */
    sb_backend_kind backend;
    uint64_t threshold;        /* SB_THRESHOLD_NEVER = inf */
    unsigned tpb[SB_K_COUNT];  /* 0 = the kernel's default */
} sb_point_config;

/* Writes the point's name, "prove/steps:16/blowup:2/backend:gpu/threshold:inf/tp:1/threads:2/tpb:default"
 * (steps as log2, tpb as "keccak=128,ntt=256" listing only non-default kernels). */
void sb_point_config_name(const sb_point_config *c, char *name, size_t len);

/* Copies c's name and axes into p. */
void sb_point_config_apply(const sb_point_config *c, sb_point *p);

/* Appends c as common flags (--steps, --blowup, --backend, --gpu-threshold, --tp, --threads, --tpb)
 * to argv, storing the strings in buf (cap bytes). Returns the new argc, or -1 if buf is too small. */
int sb_point_config_argv(const sb_point_config *c, char **argv, int argc, char *buf, size_t cap);

#define SB_POINT_MAX_TABLES 8

/* Fills tables (up to SB_POINT_MAX_TABLES) with the shapes of every table of a proof of 2^log_steps
 * steps (from the AIR; without running the machine). Returns the table count, or -1 with a
 * reason in err. */
int sb_point_tables(unsigned log_steps, sb_detect_table *tables, char *err, size_t errlen);

/* The peak memory a proof needs, by where it lives (docs/ARCHITECTURE.md "Feasibility"):
 * every buffer of every round (the traces, the main, aux and composition LDEs and trees, the
 * fixed columns' LDE, the composition's scratch and parts, FRI layer 0 and every folded layer
 * with its tree, host copies a CPU round makes of device matrices, the device rounds' scratch), each
 * on the device where the GPU backend runs the operation that makes it in its round (device_ops,
 * for tables at or above the threshold), else on the host; Round 1 with every table's traces, Rounds 2-4 with every
 * table's held matrices, each beside the scratch of the --tp largest tables in flight. */
typedef struct sb_memory_model {
    uint64_t host_bytes;
    uint64_t device_bytes;
} sb_memory_model;

/* Computes the memory model of point c whose tables are tables[0..n) (n <= SB_POINT_MAX_TABLES), the
 * GPU backend running device_ops on the device (an SB_OPK_IN_ROUND mask: sb_gpu_device_ops by
 * default, sb_gpu_placed_ops of a chosen placement). */
void sb_point_memory(const sb_point_config *c, sb_opk_mask device_ops, const sb_detect_table *tables, size_t n,
                     sb_memory_model *m);

/* Moves the point src (owned by another sb_results) to the end of dst; src is left empty. Returns it. */
sb_point *sb_point_move(sb_results *dst, sb_point *src);

#endif
