/* The fib AIR's constraints as device code: the third instantiation of
 * prover/air_fib_constraints_impl.h (the first two are air_fib.c's, over the base field and Fp3),
 * and the composition polynomial's value at one LDE row built on it. Host-and-device (SB_HD):
 * tests/test_constraints_dev.cu checks this instantiation against air_fib.c's on random rows,
 * and tests/test_rounds_dev.cu the composition row against the CPU composition, without a GPU.
 *
 * Main and fixed columns are base-field values on every LDE row, so F = uint64_t; the aux
 * constraints read them as such and the aux columns as Fp3. Constraint values go to a sink
 * (F_EMIT): a plain store (store_sink, for the tests) or comp_sink, which weights each value by its
 * beta power and adds it to its domain's sum as it is emitted, so no array of constraint values
 * exists on the device. */
#ifndef SB_FIB_CONSTRAINTS_CUH
#define SB_FIB_CONSTRAINTS_CUH

#include <assert.h>
#include <stddef.h>

#include "air_fib.h"
#include "gpu_rounds.h"
#include "rounds.cuh"
#include "stark_row.h"

/* A sink that stores constraint i's value at out[i]. */
template <class T>
struct store_sink {
    T *out;
    SB_HD void emit(size_t i, T v) const { out[i] = v; }
};

/* A sink that adds beta_pows[i] * v to acc[domains[i]]: one sum per sb_domain, as
 * sb_accumulate_base / sb_accumulate_ext keep them (field addition is exact, so summing as the
 * values come gives the CPU's sums). The switch keeps acc in registers (every thread takes the
 * same case: the constraint index is the same across a warp). */
struct comp_sink {
    fp3_t acc[4];
    const fp3_t *beta_pows;
    const uint8_t *domains;
    SB_HD void add(unsigned d, fp3_t t) {
        switch (d) {
        case SB_DOM_TRANSITION: acc[SB_DOM_TRANSITION] = fp3_add(acc[SB_DOM_TRANSITION], t); break;
        case SB_DOM_FIRST: acc[SB_DOM_FIRST] = fp3_add(acc[SB_DOM_FIRST], t); break;
        case SB_DOM_LAST: acc[SB_DOM_LAST] = fp3_add(acc[SB_DOM_LAST], t); break;
        default: acc[SB_DOM_ALL] = fp3_add(acc[SB_DOM_ALL], t); break;
        }
    }
    SB_HD void emit(size_t i, uint64_t v) { add(domains[i], fp3_mul_base(beta_pows[i], v)); }
    SB_HD void emit(size_t i, fp3_t v) { add(domains[i], fp3_mul(beta_pows[i], v)); }
    /* The next constraints' weights start n constraints further. */
    SB_HD void skip(size_t n) { beta_pows += n, domains += n; }
};

#define F_QUAL SB_HD
#define F_SINK_QUAL template <class Sink> SB_HD
#define F_SINK(T) Sink &
#define F_EMIT(out, i, v) (out).emit((i), (v))

#include "air_fib_base_field.h"
#define F_FN(name) name##_dev
#define F_AUX 1
#include "air_fib_constraints_impl.h"

/* Where a composition kernel reads one table's LDEs (gpu_rounds.h sb_gpu_composition_args). */
struct fib_comp_view {
    const uint64_t *main, *fixed, *aux;
    const sb_gpu_fib_comp_consts *k;
    unsigned log_n, log_b;
};

/* C at LDE row i of table TABLE (cpu_rounds.c composition_row): the row pair (i, i + blowup), its
 * main constraints then its aux constraints into one comp_sink, then the domains' divisions with
 * 1/(x - 1), 1/(x - g) and 1/(x^n - 1) from one inversion. */
template <int TABLE>
SB_HD fp3_t fib_composition_row(const fib_comp_view &v, uint64_t i) {
    constexpr unsigned n_main = TABLE == FIB_TABLE_CPU ? FIB_CPU_COLS
                              : TABLE == FIB_TABLE_PROGRAM ? FIB_PROG_MAIN_COLS : FIB_RANGE_COLS;
    constexpr unsigned n_aux = TABLE == FIB_TABLE_CPU ? FIB_CPU_AUX_COLS : 1;
    const sb_gpu_fib_comp_consts *k = v.k;
    const uint64_t m = 1ull << (v.log_n + v.log_b), next = (i + (1ull << v.log_b)) & (m - 1);
    const uint64_t *mc = v.main + i * n_main, *mn = v.main + next * n_main;
    const fp3_t *ac = (const fp3_t *)(v.aux + i * 3 * n_aux), *an = (const fp3_t *)(v.aux + next * 3 * n_aux);
    comp_sink s = {{fp3_zero(), fp3_zero(), fp3_zero(), fp3_zero()}, k->beta_pows, k->domains};
    if (TABLE == FIB_TABLE_CPU) {
        cpu_main_dev(mc, mn, k->halt_pc, k->output, s);
        s.skip(FIB_CPU_MAIN_CONSTRAINTS);
        cpu_aux_dev(mc, mn, ac, an, k->alpha_pows, k->gamma, k->claimed_sum, s);
    } else if (TABLE == FIB_TABLE_PROGRAM) {
        const uint64_t *fc = v.fixed + i * FIB_PROG_FIXED_COLS, *fn = v.fixed + next * FIB_PROG_FIXED_COLS;
        program_main_dev(mc, fc, s);
        s.skip(FIB_PROG_MAIN_CONSTRAINTS);
        program_aux_dev(mc, mn, fc, fn, ac, an, k->alpha_pows, k->gamma, k->claimed_sum, s);
    } else {
        range_main_dev(mc, mn, s);
        s.skip(FIB_RANGE_MAIN_CONSTRAINTS);
        range_aux_dev(mc, mn, ac, an, k->alpha_pows, k->gamma, k->claimed_sum, s);
    }
    const uint64_t x = lde_point(k->w, i), d_first = gl_sub(x, 1), d_last = gl_sub(x, k->g);
    const uint64_t vanish = k->vanish[i & ((1u << v.log_b) - 1)], d_boundary = gl_mul(d_first, d_last);
    const uint64_t inv = gl_inv(gl_mul(d_boundary, vanish)), inv_boundary = gl_mul(inv, vanish);
    return sb_composition_combine(s.acc, x, k->g, gl_mul(inv, d_boundary), gl_mul(inv_boundary, d_last),
                                  gl_mul(inv_boundary, d_first));
}

#endif
