#include "range_names.h"

#include <stddef.h>
#include <string.h>

_Static_assert(SB_OPK_TRACE < 1u << SB_OPK_ROUND_BITS, "the kinds of one round fit its bits of an SB_OPK_IN_ROUND mask");

const sb_range_def sb_range_defs[SB_RANGE_COUNT] = {
    [SB_R1_MAIN_LDE] = {"R1 main LDE", 1, 1, SB_OPK_LDE, SB_TOTAL_LDE},
    [SB_R1_MAIN_COMMIT] = {"R1 main commit", 1, 1, SB_OPK_COMMIT, SB_TOTAL_MERKLE},
    [SB_R1_AUX_LDE] = {"R1 aux LDE", 1, 1, SB_OPK_LDE, SB_TOTAL_LDE},
    [SB_R1_AUX_COMMIT] = {"R1 aux commit", 1, 1, SB_OPK_COMMIT, SB_TOTAL_MERKLE},
    /* the fixed columns' LDE, the composition, its parts' LDE */
    [SB_R2_EVALUATE] = {"R2 evaluate", 2, 1, SB_OPK_LDE | SB_OPK_COMPOSITION, SB_TOTAL_NONE},
    [SB_R2_COMMIT] = {"R2 commit", 2, 1, SB_OPK_COMMIT, SB_TOTAL_MERKLE},
    [SB_R3_OOD] = {"R3 OOD", 3, 1, SB_OPK_OOD, SB_TOTAL_NONE},
    [SB_R4_DEEP] = {"R4 DEEP", 4, 1, SB_OPK_DEEP, SB_TOTAL_NONE},
    /* every fold and layer commit, the last layer to the host */
    [SB_R4_FRI] = {"R4 FRI", 4, 1, SB_OPK_FRI, SB_TOTAL_NONE},
    /* the trace, aux and parts openings, each committed FRI layer's */
    [SB_R4_QUERIES] = {"R4 queries", 4, 1, SB_OPK_OPEN, SB_TOTAL_NONE},
    /* every table's main trace (the execution record expanded on the device), then its LogUp columns */
    [SB_R1_MAIN_TRACE] = {"R1 main trace", 1, 0, SB_OPK_TRACE, SB_TOTAL_NONE},
    [SB_R1_AUX_TRACE] = {"R1 aux trace", 1, 0, SB_OPK_TRACE, SB_TOTAL_NONE},
    [SB_R4_GRINDING] = {"R4 grinding", 4, 0, SB_OPK_GRIND, SB_TOTAL_NONE},
    [SB_PROVE] = {"prove", 0, 0, 0, SB_TOTAL_NONE},
};

const sb_range_def *sb_range_find(const char *name) {
    for (int k = 0; name && k < SB_RANGE_COUNT; k++)
        if (strcmp(sb_range_defs[k].name, name) == 0) return &sb_range_defs[k];
    return NULL;
}
