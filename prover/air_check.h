/* A debug checker for an AIR's traces: every constraint of every table on every
 * row of its domain, and the LogUp bus balance. For tests, and for the prover
 * in debug builds (a trace bug shows up here by name, not as a failed proof). */
#ifndef SB_AIR_CHECK_H
#define SB_AIR_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "air.h"

/* Checks the traces of air for the public values pub.
 *   main:       every table's main trace (row-major 2^log_rows x n_main), as gen_main writes it.
 *   challenges: air->n_challenges LogUp challenges.
 *   aux, claimed_sums: every table's aux trace and claimed sum; NULL, NULL to
 *               have the checker build them with air->gen_aux from main.
 * The fixed columns come from air->gen_fixed (the verifier's, never the
 * prover's). The checker verifies that main values are canonical; evaluates the
 * main constraints both over the base field and over Fp3 (the two instantiations
 * must agree) and the aux constraints, on every row of each constraint's domain
 * (the next row of the last row is row 0); and that the claimed sums add up to 0.
 * Returns 0 if everything holds. Otherwise returns -1 and writes one line to msg
 * (msglen bytes) naming the first failure: within a table, the lowest-numbered
 * failing main constraint, else aux constraint, at its first failing row, e.g.
 * "table cpu: main constraint 69 'add limb 0' (domain all) fails at row 17";
 * tables in order; the bus last. */
int sb_air_check(const sb_air *air, const sb_public *pub, uint64_t *const *main, const fp3_t *challenges,
                 fp3_t *const *aux, const fp3_t *claimed_sums, char *msg, size_t msglen);

#endif
