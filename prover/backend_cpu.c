/* PLACEHOLDER: the CPU backend (owned by the foundation work). */
#include <stdlib.h>
#include "backend.h"
#include "rounds.h"
const sb_backend_ops sb_cpu_ops = {.name = "cpu", .rounds = &sb_cpu_round_ops};
sb_backend *sb_cpu_backend_create(const sb_backend_config *cfg) {
    sb_backend *be = calloc(1, sizeof *be);
    if (be) sb_backend_init_common(be, &sb_cpu_ops, cfg);
    return be;
}
