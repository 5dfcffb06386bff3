/* The host side of the Round 2 kernels (gpu_rounds.h): which fib table an AIR table is, and the
 * constants a composition kernel reads, computed with the CPU's own helpers. */
#include <string.h>

#include "gpu_rounds.h"
#include "stark_poly.h"

int sb_gpu_fib_table(const sb_table_air *air) {
    const sb_air *fib = sb_air_fib();
    for (size_t t = 0; t < fib->n_tables; t++)
        if (air == &fib->tables[t]) return (int)t;
    return -1;
}

int sb_gpu_fib_comp_consts_init(sb_gpu_fib_comp_consts *k, int table, const sb_public *pub, unsigned log_n,
                                unsigned log_b, fp3_t beta, const fp3_t *challenges, fp3_t claimed_sum) {
    const sb_air *fib = sb_air_fib();
    if (table < 0 || (size_t)table >= fib->n_tables || log_b < 1 || log_b > 3 || log_n + log_b > GL_TWO_ADICITY)
        return -1;
    const sb_table_air *t = &fib->tables[table];
    const size_t nm = t->n_main_constraints, na = t->n_aux_constraints;
    if (nm + na > SB_GPU_FIB_MAX_CONSTRAINTS) return -1;
    memset(k, 0, sizeof *k);
    sb_fp3_powers(k->beta_pows, nm + na, beta);
    memcpy(k->domains, t->main_domains, nm);
    memcpy(k->domains + nm, t->aux_domains, na);
    sb_challenge_powers(challenges[FIB_CH_ALPHA], k->alpha_pows);
    k->gamma = challenges[FIB_CH_GAMMA];
    k->claimed_sum = claimed_sum;
    k->w = gl_root_of_unity(log_n + log_b);
    sb_lde_vanishing(log_n, log_b, &k->g, k->vanish);
    k->halt_pc = rv64_fib_halt_pc(pub->iterations);
    k->output = pub->output;
    return 0;
}
