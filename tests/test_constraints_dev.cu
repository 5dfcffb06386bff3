/* The fib AIR's constraints as the GPU runs them (kernels/fib_constraints.cuh: the third
 * instantiation of prover/air_fib_constraints_impl.h) against air_fib.c's two, on the CPU: on
 * random rows every main constraint of every table equals eval_main_base and, lifted to Fp3,
 * eval_main_ext; every aux constraint equals eval_aux on the same rows lifted to Fp3; each
 * instantiation emits exactly its table's constraint count. No GPU needed. */
extern "C" { /* backend.h has no C++ guard of its own; first, so later includes keep C linkage */
#include "backend.h"
}
#include <string.h>

#include "fib_constraints.cuh"

#include "check.h"

static uint64_t rand_base(void) { return rnd() % GL_P; }
static fp3_t rand_fp3(void) { return fp3_make(rand_base(), rand_base(), rand_base()); }

enum { ROWS = 300, MAX_COLS = FIB_CPU_COLS, SENTINEL = 0x5a };

/* A row pair of random main and fixed values (canonical); on some rows every value is 0 or 1,
 * as selectors and one-hot slots are in a trace. */
typedef struct row_pair {
    uint64_t cur[MAX_COLS], next[MAX_COLS], fixed_cur[FIB_PROG_FIXED_COLS], fixed_next[FIB_PROG_FIXED_COLS];
} row_pair;

static void random_rows(row_pair *r, int bits) {
    uint64_t *all[4] = {r->cur, r->next, r->fixed_cur, r->fixed_next};
    const size_t len[4] = {MAX_COLS, MAX_COLS, FIB_PROG_FIXED_COLS, FIB_PROG_FIXED_COLS};
    for (int a = 0; a < 4; a++)
        for (size_t i = 0; i < len[a]; i++) all[a][i] = bits ? rnd() & 1 : rand_base();
}

static void lift(fp3_t *dst, const uint64_t *src, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] = fp3_from_base(src[i]);
}

/* The device instantiation's main constraints of table t into out. */
static void main_dev(int t, const row_pair *r, const sb_public *pub, uint64_t *out) {
    store_sink<uint64_t> sink = {out};
    if (t == FIB_TABLE_CPU) cpu_main_dev(r->cur, r->next, rv64_fib_halt_pc(pub->iterations), pub->output, sink);
    else if (t == FIB_TABLE_PROGRAM) program_main_dev(r->cur, r->fixed_cur, sink);
    else range_main_dev(r->cur, r->next, sink);
}

/* The device instantiation's aux constraints of table t into out. */
static void aux_dev(int t, const row_pair *r, const fp3_t *a, const fp3_t *an, const fp3_t *pows, fp3_t gamma,
                    fp3_t claimed, fp3_t *out) {
    store_sink<fp3_t> sink = {out};
    if (t == FIB_TABLE_CPU) cpu_aux_dev(r->cur, r->next, a, an, pows, gamma, claimed, sink);
    else if (t == FIB_TABLE_PROGRAM)
        program_aux_dev(r->cur, r->next, r->fixed_cur, r->fixed_next, a, an, pows, gamma, claimed, sink);
    else range_aux_dev(r->cur, r->next, a, an, pows, gamma, claimed, sink);
}

static void table(int t) {
    const sb_air *air = sb_air_fib();
    const sb_table_air *ta = &air->tables[t];
    static const size_t counts[FIB_N_TABLES][2] = {{FIB_CPU_MAIN_CONSTRAINTS, FIB_CPU_AUX_CONSTRAINTS},
                                                   {FIB_PROG_MAIN_CONSTRAINTS, FIB_TABLE_AUX_CONSTRAINTS},
                                                   {FIB_RANGE_MAIN_CONSTRAINTS, FIB_TABLE_AUX_CONSTRAINTS}};
    CHECK(ta->n_main_constraints == counts[t][0] && ta->n_aux_constraints == counts[t][1],
          "table %s: constraint counts %zu + %zu, air_fib.h says %zu + %zu", ta->name, ta->n_main_constraints,
          ta->n_aux_constraints, counts[t][0], counts[t][1]);
    const size_t nm = ta->n_main_constraints, na = ta->n_aux_constraints, aux_cols = ta->n_aux;
    sb_public pub;
    air->public_values(10 + (unsigned)t, &pub);
    static row_pair r;
    static fp3_t main_c[MAX_COLS], main_n[MAX_COLS], fix_c[FIB_PROG_FIXED_COLS], fix_n[FIB_PROG_FIXED_COLS];
    for (int k = 0; k < ROWS; k++) {
        random_rows(&r, k % 4 == 3);
        /* Main: base and device on the same base rows, Fp3 on them lifted. */
        uint64_t host[FIB_CPU_MAIN_CONSTRAINTS + 1], dev[FIB_CPU_MAIN_CONSTRAINTS + 1];
        fp3_t ext[FIB_CPU_MAIN_CONSTRAINTS];
        memset(dev, SENTINEL, sizeof dev);
        const sb_frame_base fb = {r.cur, r.next, r.fixed_cur, r.fixed_next, &pub};
        ta->eval_main_base(&fb, host);
        main_dev(t, &r, &pub, dev);
        lift(main_c, r.cur, ta->n_main), lift(main_n, r.next, ta->n_main);
        lift(fix_c, r.fixed_cur, FIB_PROG_FIXED_COLS), lift(fix_n, r.fixed_next, FIB_PROG_FIXED_COLS);
        fp3_t ch[FIB_N_CHALLENGES] = {rand_fp3(), rand_fp3()}, pows[SB_AIR_CHALLENGE_POWERS], a[6], an[6];
        sb_challenge_powers(ch[FIB_CH_ALPHA], pows);
        for (size_t i = 0; i < aux_cols; i++) a[i] = rand_fp3(), an[i] = rand_fp3();
        const fp3_t claimed = rand_fp3();
        const sb_frame_ext fe = {main_c, main_n, fix_c, fix_n, a, an, ch, claimed, &pub, pows};
        ta->eval_main_ext(&fe, ext);
        for (size_t i = 0; i < nm; i++) {
            CHECK(dev[i] == host[i], "table %s row %d: main constraint %zu '%s': device %llu, base %llu", ta->name, k,
                  i, ta->main_names[i], (unsigned long long)dev[i], (unsigned long long)host[i]);
            CHECK(fp3_eq(ext[i], fp3_from_base(dev[i])), "table %s row %d: main constraint %zu: Fp3 differs",
                  ta->name, k, i);
        }
        uint64_t untouched;
        memset(&untouched, SENTINEL, sizeof untouched);
        CHECK(dev[nm] == untouched, "table %s: the device emits more than %zu main constraints", ta->name, nm);
        /* Aux: the device reads the main columns as base values, the host as their lifts. */
        fp3_t host_aux[FIB_CPU_AUX_CONSTRAINTS + 1], dev_aux[FIB_CPU_AUX_CONSTRAINTS + 1];
        memset(dev_aux, SENTINEL, sizeof dev_aux);
        ta->eval_aux(&fe, host_aux);
        aux_dev(t, &r, a, an, pows, ch[FIB_CH_GAMMA], claimed, dev_aux);
        for (size_t i = 0; i < na; i++)
            CHECK(fp3_eq(dev_aux[i], host_aux[i]), "table %s row %d: aux constraint %zu '%s' differs", ta->name, k, i,
                  ta->aux_names[i]);
        CHECK(dev_aux[na].c[0] == untouched, "table %s: the device emits more than %zu aux constraints", ta->name, na);
    }
}

int main(void) {
    for (int t = 0; t < FIB_N_TABLES; t++) table(t);
    return check_finish("test_constraints_dev (the device instantiation of the fib constraints, on the host)");
}
