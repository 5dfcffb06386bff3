/* Two soundness requirements of the protocol, each with a test that fails without it:
 * - the OOD point z is drawn from Fp3 \ Fp by rejection (docs/PROTOCOL.md, Round 3): a scripted
 *   source whose first draws lie in Fp (on H, on the LDE coset, on a FRI domain) must be skipped,
 *   and every accepted z, z*w_N is off H, the LDE coset and every FRI domain;
 * - the LogUp bus tags (docs/AIR.md): a program tuple and a range value whose fields compress
 *   to the same value give messages that differ by exactly the tag difference, in the
 *   constraints (every table's eval_aux) and in the prover's aux trace (gen_aux). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "air_fib.h"
#include "check.h"
#include "stark.h"

static fp3_t rand_fp3(void) { return fp3_make(rnd() % GL_P, rnd() % GL_P, rnd() % GL_P); }

/* ---- z drawn outside Fp -------------------------------------------------------------------- */

/* The domains of a table of 2^log_n rows at blowup 2^log_b (lde.h: the coset 7<w_D>; FRI layer l
 * is its image under x -> x^(2^l)). Returns the name of one that holds x, or NULL. */
static const char *domain_of(fp3_t x, unsigned log_n, unsigned log_b) {
    if (fp3_eq(fp3_pow(x, (uint64_t)1 << log_n), fp3_one())) return "H";
    const unsigned log_d = log_n + log_b;
    const fp3_t shift_d = fp3_from_base(gl_pow(GL_GENERATOR, (uint64_t)1 << log_d));
    /* x in 7^(2^l) <w_(D/2^l)> iff x^(D/2^l) = 7^D. */
    for (unsigned l = 0; l <= log_d; l++)
        if (fp3_eq(fp3_pow(x, (uint64_t)1 << (log_d - l)), shift_d)) return l == 0 ? "the LDE coset" : "a FRI domain";
    return NULL;
}

/* A source that yields the scripted values in order. */
typedef struct script {
    const fp3_t *v;
    size_t n, used;
} script;

static fp3_t script_next(void *ctx) {
    script *s = ctx;
    if (s->used >= s->n) { /* exhausted: count it and end the loop with c1 and c2 both non-zero */
        s->used++;
        return fp3_make(0, 1, 1);
    }
    return s->v[s->used++];
}

static void test_draw_rejects_base(void) {
    const unsigned log_n = 8, log_b = 2, log_d = log_n + log_b;
    const uint64_t w_n = gl_root_of_unity(log_n), w_d = gl_root_of_unity(log_d);
    const fp3_t proper = fp3_make(5, 0, 3);
    const fp3_t on_h = fp3_from_base(w_n);
    const fp3_t on_coset = fp3_from_base(gl_mul(GL_GENERATOR, gl_pow(w_d, 3)));
    const fp3_t on_fri = fp3_from_base(gl_mul(gl_pow(GL_GENERATOR, 4), gl_pow(w_d, 4 * 5))); /* layer 2 */
    /* The helper is not vacuous: it finds each rejected draw on its domain. */
    CHECK(domain_of(on_h, log_n, log_b) && !strcmp(domain_of(on_h, log_n, log_b), "H"), "w_N not on H");
    CHECK(domain_of(on_coset, log_n, log_b) && !strcmp(domain_of(on_coset, log_n, log_b), "the LDE coset"),
          "7 w_D^3 not on the LDE coset");
    CHECK(domain_of(on_fri, log_n, log_b) && !strcmp(domain_of(on_fri, log_n, log_b), "a FRI domain"),
          "7^4 w_D^20 not on a FRI domain");

    const fp3_t base_first[] = {on_h, on_coset, on_fri, fp3_zero(), fp3_from_base(GL_P - 1), proper};
    script s = {base_first, sizeof base_first / sizeof *base_first, 0};
    fp3_t z = sb_stark_draw_outside_fp(script_next, &s);
    CHECK(fp3_eq(z, proper) && s.used == s.n, "draws in Fp not skipped: got (%llu, %llu, %llu) after %zu draws",
          (unsigned long long)z.c[0], (unsigned long long)z.c[1], (unsigned long long)z.c[2], s.used);
    CHECK(!fp3_is_base(z) && !domain_of(z, log_n, log_b) && !domain_of(fp3_mul_base(z, w_n), log_n, log_b),
          "z or z w_N on a domain");

    /* c1 != 0 or c2 != 0 is enough (PROTOCOL.md): such a first draw is kept as it is. */
    const fp3_t c1_only[] = {fp3_make(0, 7, 0), proper}, c2_only[] = {fp3_make(GL_P - 1, 0, 1), proper};
    const fp3_t *firsts[] = {c1_only, c2_only};
    for (int k = 0; k < 2; k++) {
        script one = {firsts[k], 2, 0};
        z = sb_stark_draw_outside_fp(script_next, &one);
        CHECK(fp3_eq(z, firsts[k][0]) && one.used == 1, "case %d: a draw outside Fp was not kept (%zu draws)", k,
              one.used);
    }
}

/* The production draw: the transcript's first Fp3 squeeze (outside Fp but with probability
 * 2^-128), and for every blowup, z and z w_N avoid H, the coset and the FRI domains. */
static void test_draw_z_transcript(void) {
    const unsigned log_n = 10;
    for (int k = 0; k < 64; k++) {
        sb_transcript a, b;
        transcript_init(&a, "starkbench-test-z");
        transcript_absorb_u64(&a, (uint64_t)k);
        b = a;
        fp3_t z = sb_stark_draw_z(&a), first = transcript_squeeze_fp3(&b);
        CHECK(fp3_eq(z, first) && memcmp(&a, &b, sizeof a) == 0, "draw %d: z is not the first squeeze", k);
        CHECK(!fp3_is_base(z), "draw %d: z in Fp", k);
        fp3_t zw = fp3_mul_base(z, gl_root_of_unity(log_n));
        for (unsigned log_b = 1; log_b <= 3; log_b++) {
            const char *dz = domain_of(z, log_n, log_b), *dzw = domain_of(zw, log_n, log_b);
            CHECK(!dz && !dzw, "draw %d b=%u: z on %s, z w_N on %s", k, 1u << log_b, dz ? dz : "-", dzw ? dzw : "-");
        }
    }
}

/* ---- bus tags ------------------------------------------------------------------------------ */

/* The message of the range relation for value v: tag + alpha v (docs/AIR.md). */
static fp3_t range_den(fp3_t gamma, fp3_t alpha, uint64_t v) {
    return fp3_sub(gamma, fp3_add(fp3_from_base(FIB_TAG_RANGE), fp3_mul_base(alpha, v)));
}

/* A program tuple (v, 0, ..., 0) and the range value v compress to the same alpha v: the program
 * and range tables' first-row constraint s x = mult, with s = 1/x of the range row, and the CPU's
 * lookup pair with h = -2/x of the range lookup, are zero only if the tags are equal. */
static void test_tags_constraints(void) {
    const sb_air *air = sb_air_fib();
    sb_public pub;
    air->public_values(8, &pub);
    const fp3_t ch[FIB_N_CHALLENGES] = {rand_fp3(), rand_fp3()}, zero = fp3_zero(), one = fp3_one();
    const fp3_t alpha = ch[FIB_CH_ALPHA], gamma = ch[FIB_CH_GAMMA];
    fp3_t pows[SB_AIR_CHALLENGE_POWERS];
    sb_challenge_powers(alpha, pows);
    const fp3_t tag_gap = fp3_from_base(gl_sub(FIB_TAG_RANGE, FIB_TAG_PROGRAM)); /* range minus program */
    const uint64_t values[] = {0, 1, 12345, 65535};
    for (size_t k = 0; k < sizeof values / sizeof *values; k++) {
        const uint64_t v = values[k];
        const fp3_t s = fp3_inv(range_den(gamma, alpha, v));
        fp3_t out[8];

        fp3_t range_row[FIB_RANGE_COLS] = {fp3_from_base(v), one}, range_next[FIB_RANGE_COLS] = {zero, zero};
        sb_frame_ext fr = {.main_cur = range_row, .main_next = range_next, .aux_cur = &s, .aux_next = &zero,
                           .challenges = ch, .claimed_sum = zero, .pub = &pub,
                           .challenge_pows = pows};
        air->tables[FIB_TABLE_RANGE].eval_aux(&fr, out);
        CHECK(fp3_is_zero(out[0]), "v=%llu: the range message is not tag + alpha v", (unsigned long long)v);

        fp3_t tuple[FIB_PROG_FIXED_COLS], tuple_next[FIB_PROG_FIXED_COLS], mult = one;
        for (int i = 0; i < FIB_PROG_FIXED_COLS; i++) tuple[i] = tuple_next[i] = zero;
        tuple[FIB_ROM_PC] = fp3_from_base(v);
        tuple[FIB_PROG_REAL] = one;
        sb_frame_ext fp = {.main_cur = &mult, .main_next = &zero, .fixed_cur = tuple, .fixed_next = tuple_next,
                           .aux_cur = &s, .aux_next = &zero, .challenges = ch, .claimed_sum = zero, .pub = &pub,
                           .challenge_pows = pows};
        air->tables[FIB_TABLE_PROGRAM].eval_aux(&fp, out);
        /* s (gamma - m_P) - 1 = s (m_R - m_P): the fields cancel, the tags remain. */
        CHECK(fp3_eq(out[0], fp3_mul(s, tag_gap)) && !fp3_is_zero(out[0]),
              "v=%llu: program table message vs range message: not separated by the tags alone",
              (unsigned long long)v);

        /* A CPU row whose program lookup is (v, 0, ..., 0) and whose result limb c0 is v. */
        fp3_t row[FIB_CPU_COLS], row_next[FIB_CPU_COLS], aux[FIB_CPU_AUX_COLS], aux_next[FIB_CPU_AUX_COLS];
        for (int i = 0; i < FIB_CPU_COLS; i++) row[i] = row_next[i] = zero;
        for (int i = 0; i < FIB_CPU_AUX_COLS; i++) aux[i] = aux_next[i] = zero;
        row[FIB_CPU_PC] = row[FIB_CPU_C(0)] = fp3_from_base(v);
        aux[FIB_CPU_AUX_H0] = fp3_mul_base(s, GL_P - 2);
        sb_frame_ext fc = {.main_cur = row, .main_next = row_next, .aux_cur = aux, .aux_next = aux_next,
                           .challenges = ch, .claimed_sum = zero, .pub = &pub,
                           .challenge_pows = pows};
        air->tables[FIB_TABLE_CPU].eval_aux(&fc, out);
        /* h x_P x_R + x_P + x_R with h = -2 / x_R is x_R - x_P = m_P - m_R. */
        CHECK(fp3_eq(out[0], fp3_neg(tag_gap)) && !fp3_is_zero(out[0]),
              "v=%llu: the CPU's program and range lookups are not separated by the tags alone",
              (unsigned long long)v);
    }
}

/* The prover's side (gen_aux): one program padding row (tuple all zero) and the range row of
 * value 0, multiplicity 1 each, everything else 0. Both tuples compress to 0, so each claimed
 * sum is 1 / (gamma - its tag) and the two differ: with equal tags a range entry would balance
 * a program lookup. */
static void test_tags_gen_aux(void) {
    const sb_air *air = sb_air_fib();
    sb_public pub;
    uint64_t *main[FIB_N_TABLES] = {0}, fixed[FIB_PROG_FIXED_COLS << FIB_LOG_PROGRAM];
    fp3_t *aux[FIB_N_TABLES] = {0}, claimed[FIB_N_TABLES];
    const fp3_t ch[FIB_N_CHALLENGES] = {rand_fp3(), rand_fp3()};
    const size_t pad = ((size_t)1 << FIB_LOG_PROGRAM) - 1;
    if (air->public_values(8, &pub) || air->gen_main(&pub, main)) {
        CHECK(0, "generate");
        return;
    }
    air->tables[FIB_TABLE_PROGRAM].gen_fixed(&pub, fixed);
    int pad_zero = 1;
    for (int i = 0; i < FIB_PROG_FIXED_COLS; i++) pad_zero &= fixed[pad * FIB_PROG_FIXED_COLS + i] == 0;
    CHECK(pad_zero, "program row %zu is not padding", pad);
    for (size_t r = 0; r <= pad; r++) main[FIB_TABLE_PROGRAM][r * FIB_PROG_MAIN_COLS + FIB_PROG_MULT] = r == pad;
    for (size_t v = 0; v < (size_t)1 << FIB_LOG_RANGE; v++)
        main[FIB_TABLE_RANGE][v * FIB_RANGE_COLS + FIB_RANGE_MULT] = v == 0;
    if (air->gen_aux(&pub, main, ch, aux, claimed)) {
        CHECK(0, "gen_aux");
        return;
    }
    const fp3_t g = ch[FIB_CH_GAMMA];
    const fp3_t want_p = fp3_inv(fp3_sub(g, fp3_from_base(FIB_TAG_PROGRAM)));
    const fp3_t want_r = fp3_inv(range_den(g, ch[FIB_CH_ALPHA], 0));
    CHECK(fp3_eq(claimed[FIB_TABLE_PROGRAM], want_p), "program claimed sum is not 1/(gamma - program tag)");
    CHECK(fp3_eq(claimed[FIB_TABLE_RANGE], want_r), "range claimed sum is not 1/(gamma - range tag)");
    CHECK(!fp3_eq(claimed[FIB_TABLE_PROGRAM], claimed[FIB_TABLE_RANGE]),
          "a program padding row and range value 0 give the same fraction");
    for (int t = 0; t < FIB_N_TABLES; t++) free(main[t]), free(aux[t]);
}

int main(void) {
    test_draw_rejects_base();
    test_draw_z_transcript();
    test_tags_constraints();
    test_tags_gen_aux();
    return check_finish("soundness");
}
