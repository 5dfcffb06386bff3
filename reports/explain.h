/* A regression explained from CUPTI (compare): for a round (or the total) marked WARN or FAIL,
 * the kernels whose summed time changed most between the base and the candidate, any change
 * of their launch configuration (grid, block, registers per thread, static and dynamic shared
 * memory), and the change of the scope's memcpy bytes and time. Medians over the repetitions
 * of each side; the records are bench/cupti.h's metric keys. */
#ifndef SB_EXPLAIN_H
#define SB_EXPLAIN_H

#include <stdio.h>

#include "results.h"

#define SB_EXPLAIN_TOP 3 /* kernels listed per explained metric */

/* The configuration figures of a kernel, in this order: grid (blocks), block (threads),
 * registers per thread, static and dynamic shared memory (bytes per block). */
enum { SB_KCFG_GRID, SB_KCFG_BLOCK, SB_KCFG_REGS, SB_KCFG_STATIC_SMEM, SB_KCFG_DYNAMIC_SMEM, SB_KCFG_COUNT };

typedef struct sb_kernel_delta {
    char name[48];
    double base_ms, cand_ms;             /* median summed time in the scope; 0 where a side never launched it */
    double base_launches, cand_launches; /* median launches in the scope */
    double base_cfg[SB_KCFG_COUNT], cand_cfg[SB_KCFG_COUNT]; /* its last launch per side (NAN unknown) */
} sb_kernel_delta;

typedef struct sb_explanation {
    int base_cupti, cand_cupti;  /* the side has CUPTI kernel records */
    size_t n;                    /* kernels in k, largest |cand_ms - base_ms| first */
    sb_kernel_delta k[SB_EXPLAIN_TOP];
    double base_memcpy_ms, cand_memcpy_ms, base_memcpy_bytes, cand_memcpy_bytes; /* medians; NAN without records */
} sb_explanation;

/* Explains `metric` of base point b against candidate point c: "total" looks at the whole proof
 * (every kernel, every range's memcpys), a round key "<table>:<range>" at the kernels and
 * memcpys that range launched. */
void sb_explain(const sb_point *b, const sb_point *c, const char *metric, sb_explanation *e);

/* Writes e: markdown 0 as text lines indented by `indent`, else as markdown list items. */
void sb_explain_write(FILE *f, const sb_explanation *e, int markdown, const char *indent);

#endif
