/* PLACEHOLDER: the CPU implementation of the Rounds 2-4 operations (owned by the prover work). */
#include "rounds.h"
const sb_round_ops sb_cpu_round_ops = {0};
