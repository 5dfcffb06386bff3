/* A small two-table AIR for testing the STARK apart from fib_iterative: every
 * constraint domain, a degree-3 constraint, a fixed column evaluated by the
 * verifier, tables of different heights and a LogUp bus between them.
 *
 * Table "fib" (2^log_steps rows): a, b, cube, s.
 *   FIRST a = 0, b = 1; TRANSITION a' = b, b' = a + b; ALL cube = a^3; LAST b = output.
 *   s is looked up in "lut": aux h = -1 / (gamma - (1 + alpha s)), running sum acc.
 * Table "lut" (16 rows): fixed v = row, main m = how often v occurs as s.
 *   aux h = m / (gamma - (1 + alpha v)), running sum acc.
 * Aux constraints (both tables): ALL h (gamma - msg) = numerator; FIRST acc = h;
 * TRANSITION acc' = acc + h'; LAST acc = claimed sum.
 * toy_corrupt (when non-zero) adds 1 to fib's b at row toy_corrupt - 1 after generation. */
#ifndef SB_TEST_TOY_AIR_H
#define SB_TEST_TOY_AIR_H

#include <stdlib.h>

#include "air.h"
#include "stark_poly.h"

#define TOY_LUT_LOG 4
static size_t toy_corrupt;

static unsigned toy_fib_log_rows(const sb_public *pub) { return pub->log_steps; }
static unsigned toy_lut_log_rows(const sb_public *pub) {
    (void)pub;
    return TOY_LUT_LOG;
}
static void toy_lut_fixed(const sb_public *pub, uint64_t *fixed) {
    (void)pub;
    for (uint64_t r = 0; r < (1u << TOY_LUT_LOG); r++) fixed[r] = r;
}

static void toy_fib_main_base(const sb_frame_base *f, uint64_t *out) {
    const uint64_t *c = f->main_cur, *n = f->main_next;
    out[0] = c[0];
    out[1] = gl_sub(c[1], 1);
    out[2] = gl_sub(n[0], c[1]);
    out[3] = gl_sub(n[1], gl_add(c[0], c[1]));
    out[4] = gl_sub(c[2], gl_mul(c[0], gl_mul(c[0], c[0])));
    out[5] = gl_sub(c[1], gl_reduce(f->pub->output));
}
static void toy_fib_main_ext(const sb_frame_ext *f, fp3_t *out) {
    const fp3_t *c = f->main_cur, *n = f->main_next;
    out[0] = c[0];
    out[1] = fp3_sub(c[1], fp3_one());
    out[2] = fp3_sub(n[0], c[1]);
    out[3] = fp3_sub(n[1], fp3_add(c[0], c[1]));
    out[4] = fp3_sub(c[2], fp3_mul(c[0], fp3_mul(c[0], c[0])));
    out[5] = fp3_sub(c[1], fp3_from_base(f->pub->output));
}
static void toy_lut_main_base(const sb_frame_base *f, uint64_t *out) { (void)f, (void)out; }
static void toy_lut_main_ext(const sb_frame_ext *f, fp3_t *out) { (void)f, (void)out; }

/* gamma - (1 + alpha v) */
static fp3_t toy_denominator(const fp3_t *ch, fp3_t v) {
    return fp3_sub(ch[1], fp3_add(fp3_one(), fp3_mul(ch[0], v)));
}
static void toy_running_sum(const sb_frame_ext *f, fp3_t *out) {
    const fp3_t *a = f->aux_cur, *an = f->aux_next;
    out[1] = fp3_sub(a[1], a[0]);
    out[2] = fp3_sub(an[1], fp3_add(a[1], an[0]));
    out[3] = fp3_sub(a[1], f->claimed_sum);
}
static void toy_fib_aux(const sb_frame_ext *f, fp3_t *out) {
    out[0] = fp3_add(fp3_mul(f->aux_cur[0], toy_denominator(f->challenges, f->main_cur[3])), fp3_one());
    toy_running_sum(f, out);
}
static void toy_lut_aux(const sb_frame_ext *f, fp3_t *out) {
    out[0] = fp3_sub(fp3_mul(f->aux_cur[0], toy_denominator(f->challenges, f->fixed_cur[0])), f->main_cur[0]);
    toy_running_sum(f, out);
}

static const uint8_t toy_fib_main_domains[] = {SB_DOM_FIRST, SB_DOM_FIRST, SB_DOM_TRANSITION, SB_DOM_TRANSITION,
                                               SB_DOM_ALL,   SB_DOM_LAST};
static const uint8_t toy_aux_domains[] = {SB_DOM_ALL, SB_DOM_FIRST, SB_DOM_TRANSITION, SB_DOM_LAST};

static int toy_statement(unsigned log_steps, sb_public *pub) {
    if (log_steps < 3 || log_steps > 22) return -1;
    pub->log_steps = log_steps;
    pub->iterations = (1ull << log_steps) - 1;
    return 0;
}
static int toy_public_values(unsigned log_steps, sb_public *pub) {
    if (toy_statement(log_steps, pub)) return -1;
    uint64_t a = 0, b = 1;
    for (uint64_t r = 0; r < pub->iterations; r++) {
        uint64_t t = gl_add(a, b);
        a = b;
        b = t;
    }
    pub->output = b;
    return 0;
}

static int toy_gen_main(const sb_public *pub, uint64_t **main) {
    size_t n = (size_t)1 << pub->log_steps, nl = 1u << TOY_LUT_LOG;
    main[0] = malloc(n * 4 * sizeof(uint64_t));
    main[1] = calloc(nl, sizeof(uint64_t));
    if (!main[0] || !main[1]) return -1;
    uint64_t a = 0, b = 1;
    for (size_t r = 0; r < n; r++) {
        uint64_t *row = main[0] + 4 * r;
        row[0] = a;
        row[1] = b;
        row[2] = gl_mul(a, gl_mul(a, a));
        row[3] = r % nl;
        main[1][r % nl]++;
        uint64_t t = gl_add(a, b);
        a = b;
        b = t;
    }
    if (toy_corrupt) main[0][4 * (toy_corrupt - 1) + 1] = gl_add(main[0][4 * (toy_corrupt - 1) + 1], 1);
    return 0;
}

/* h = numerator / (gamma - (1 + alpha v)) per row, and the running sum; returns the sum. */
static fp3_t toy_fill_aux(fp3_t *aux, size_t n, const fp3_t *ch, const uint64_t *values, size_t vstride,
                          const uint64_t *nums, size_t nstride, int negate) {
    for (size_t r = 0; r < n; r++) aux[2 * r] = toy_denominator(ch, fp3_from_base(values[r * vstride]));
    for (size_t r = 0; r < n; r++) aux[2 * r] = fp3_inv(aux[2 * r]);
    fp3_t acc = fp3_zero();
    for (size_t r = 0; r < n; r++) {
        fp3_t num = nums ? fp3_from_base(nums[r * nstride]) : fp3_one();
        fp3_t h = fp3_mul(aux[2 * r], negate ? fp3_neg(num) : num);
        aux[2 * r] = h;
        acc = fp3_add(acc, h);
        aux[2 * r + 1] = acc;
    }
    return acc;
}

static int toy_gen_aux(const sb_public *pub, uint64_t *const *main, const fp3_t *ch, fp3_t **aux, fp3_t *sums) {
    size_t n = (size_t)1 << pub->log_steps, nl = 1u << TOY_LUT_LOG;
    aux[0] = malloc(n * 2 * sizeof(fp3_t));
    aux[1] = malloc(nl * 2 * sizeof(fp3_t));
    if (!aux[0] || !aux[1]) return -1;
    uint64_t v[1u << TOY_LUT_LOG];
    toy_lut_fixed(pub, v);
    sums[0] = toy_fill_aux(aux[0], n, ch, main[0] + 3, 4, NULL, 0, 1);
    sums[1] = toy_fill_aux(aux[1], nl, ch, v, 1, main[1], 1, 0);
    return 0;
}

static const sb_table_air toy_tables[2] = {
    {.name = "fib", .n_main = 4, .n_fixed = 0, .n_aux = 2, .n_main_constraints = 6, .n_aux_constraints = 4,
     .main_domains = toy_fib_main_domains, .aux_domains = toy_aux_domains, .log_rows = toy_fib_log_rows,
     .eval_main_base = toy_fib_main_base, .eval_main_ext = toy_fib_main_ext, .eval_aux = toy_fib_aux},
    {.name = "lut", .n_main = 1, .n_fixed = 1, .n_aux = 2, .n_main_constraints = 0, .n_aux_constraints = 4,
     .main_domains = NULL, .aux_domains = toy_aux_domains, .log_rows = toy_lut_log_rows, .gen_fixed = toy_lut_fixed,
     .eval_main_base = toy_lut_main_base, .eval_main_ext = toy_lut_main_ext, .eval_aux = toy_lut_aux},
};

static const sb_air toy_air = {.n_tables = 2, .tables = toy_tables, .n_challenges = 2,
                               .statement = toy_statement,
                               .public_values = toy_public_values, .gen_main = toy_gen_main,
                               .gen_aux = toy_gen_aux};

#endif
