/* Every named range of a proof, defined once: the prover opens them, the timing table and the
 * results keys print them, the fallback detector and calibrate judge them (bench/), and the
 * GPU backend places operations by them. Renaming a range here renames it everywhere: the
 * code takes every range name from this table. */
#ifndef SB_RANGE_NAMES_H
#define SB_RANGE_NAMES_H

#include <stdint.h>

typedef enum sb_range_id {
    SB_R1_MAIN_LDE,
    SB_R1_MAIN_COMMIT,
    SB_R1_AUX_LDE,
    SB_R1_AUX_COMMIT,
    SB_R2_EVALUATE,
    SB_R2_COMMIT,
    SB_R3_OOD,
    SB_R4_DEEP,
    SB_R4_FRI,
    SB_R4_QUERIES,
    SB_R1_MAIN_TRACE, /* outside any table from here on */
    SB_R1_AUX_TRACE,
    SB_R4_GRINDING,
    SB_PROVE,
    SB_RANGE_COUNT
} sb_range_id;

/* The kinds of backend operation a range runs (bits of sb_range_def.ops). */
enum {
    SB_OPK_LDE = 1u << 0,         /* lde, lde_matrix */
    SB_OPK_COMMIT = 1u << 1,      /* commit */
    SB_OPK_OPEN = 1u << 2,        /* open_many */
    SB_OPK_COMPOSITION = 1u << 3, /* rounds->composition */
    SB_OPK_OOD = 1u << 4,         /* rounds->ood */
    SB_OPK_DEEP = 1u << 5,        /* rounds->deep */
    SB_OPK_FRI = 1u << 6,         /* rounds->fri_fold (a fold and its layer's commit) */
    SB_OPK_GRIND = 1u << 7,       /* rounds->grind */
    SB_OPK_TRACE = 1u << 8        /* main_trace, aux_trace */
};

/* Operations by round, in one mask: the kinds (SB_OPK_*) of round r (1..4) in bits 16 (r - 1) ..
 * 16 r - 1. Where operations run is per round (a round's ranges share a kind with another
 * round's: LDE, commit), so sb_gpu_device_ops, what the GPU backend runs on the device, is such a
 * mask. */
typedef uint64_t sb_opk_mask;
#define SB_OPK_ROUND_BITS 16
#define SB_OPK_IN_ROUND(r, kinds) ((sb_opk_mask)(kinds) << SB_OPK_ROUND_BITS * ((r) - 1))
/* The kinds in every round. */
#define SB_OPK_IN_EVERY_ROUND(kinds) \
    (SB_OPK_IN_ROUND(1, kinds) | SB_OPK_IN_ROUND(2, kinds) | SB_OPK_IN_ROUND(3, kinds) | SB_OPK_IN_ROUND(4, kinds))

/* Which total of the timing table a range adds to. */
typedef enum sb_range_total { SB_TOTAL_NONE, SB_TOTAL_LDE, SB_TOTAL_MERKLE } sb_range_total;

typedef struct sb_range_def {
    const char *name;      /* e.g. "R1 main LDE": NVTX range, timing-table line, results key */
    unsigned round;        /* 1..4; 0 for "prove" */
    int per_table;         /* 1: opened once per table; 0: once, outside any table */
    unsigned ops;          /* SB_OPK_* of the backend operations inside it (0: host work only) */
    sb_range_total total;  /* "Total LDE" / "Total Merkle" of the timing table */
} sb_range_def;

extern const sb_range_def sb_range_defs[SB_RANGE_COUNT];

/* The name of range id. */
#define SB_RANGE_NAME(id) (sb_range_defs[id].name)

/* Returns the definition named name, or NULL. */
const sb_range_def *sb_range_find(const char *name);

/* Returns the kinds of d's operations that `placed` (an SB_OPK_IN_ROUND mask) holds for d's
 * round; 0 for a range of no round (prove). */
static inline unsigned sb_range_kinds_in(const sb_range_def *d, sb_opk_mask placed) {
    return d->round ? (unsigned)(d->ops & placed >> SB_OPK_ROUND_BITS * (d->round - 1) & 0xffffu) : 0;
}

#endif
