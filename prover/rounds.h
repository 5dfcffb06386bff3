/* The heavy operations of Rounds 2-4 behind the backend interface (composition
 * evaluation over the LDE, OOD evaluation, DEEP composition, FRI folding and
 * commit, query openings). Every implementation reads LDEs through
 * sb_lde_host(be, c), so it works on commitments of either backend. */
#ifndef SB_ROUNDS_H
#define SB_ROUNDS_H

#include "backend.h"

typedef struct sb_round_ops {
    /* PLACEHOLDER member until the prover defines the operations. */
    int unused;
} sb_round_ops;

/* The CPU implementation (cpu_rounds.c). */
extern const sb_round_ops sb_cpu_round_ops;

#endif
