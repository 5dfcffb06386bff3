/* The proof format: strict parsing (truncated, trailing, garbage, bad header, non-canonical
 * elements -> MALFORMED with a reason), a parse/serialize round trip, tampering in every
 * section (-> INVALID naming the check), a bit-flip sample over a whole proof, a wrong
 * public output, and a bounded random fuzz loop that must never crash or accept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "stark.h"
#include "toy_air.h"



static sb_proof make_proof(const sb_air *air, unsigned log_steps) {
    sb_backend_config cfg;
    sb_backend_config_default(&cfg);
    cfg.kind = SB_BACKEND_CPU;
    sb_backend *be = sb_backend_create(&cfg, NULL, 0);
    sb_prove_config pc = {log_steps, 2, 1, 0};
    sb_proof p;
    char err[256] = "";
    if (sb_stark_prove(air, &pc, be, NULL, &p, err, sizeof err) != 0) {
        fprintf(stderr, "prove failed: %s\n", err);
        exit(1);
    }
    sb_backend_destroy(be);
    return p;
}

static int verify(const sb_air *air, const uint8_t *b, size_t len, char *why, size_t whylen) {
    why[0] = 0;
    int rc = sb_stark_verify(air, b, len, NULL, why, whylen);
    /* Every outcome but OK comes with its one-line reason. */
    if (rc != SB_VERIFY_OK && (why[0] == 0 || strchr(why, '\n'))) {
        fprintf(stderr, "FAIL: verify %d without a one-line reason\n", rc);
        failures++;
    }
    return rc;
}

static void expect_malformed(const sb_air *air, const uint8_t *b, size_t len, const char *what, const char *reason) {
    char why[400];
    int rc = verify(air, b, len, why, sizeof why);
    CHECK(rc == SB_VERIFY_MALFORMED && (!reason || strstr(why, reason)), "%s: rc %d, '%s' (want '%s')", what, rc, why,
          reason ? reason : "");
}

static void test_malformed(const sb_air *air, const sb_proof *p) {
    uint8_t *b = malloc(p->len + 1);
    memcpy(b, p->bytes, p->len);
    const size_t cuts[] = {0, 7, 13, 14, 100, p->len / 2, p->len - 1};
    for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) expect_malformed(air, b, cuts[k], "truncated", NULL);
    expect_malformed(air, b, 13, "13 bytes: no whole header", "too short for a proof header");
    expect_malformed(air, b, p->len - 1, "truncated by one", "truncated");
    b[p->len] = 0;
    expect_malformed(air, b, p->len + 1, "one trailing byte", "trailing");

    b[0] ^= 1;
    expect_malformed(air, b, p->len, "bad magic", "magic");
    b[0] ^= 1;
    b[11] ^= 2;
    expect_malformed(air, b, p->len, "bad version", "version");
    b[11] ^= 2;
    uint8_t keep = b[13];
    const uint8_t blowups[] = {0, 1, 3, 16, 255};
    for (size_t k = 0; k < sizeof blowups; k++) {
        b[13] = blowups[k];
        expect_malformed(air, b, p->len, "bad blowup", "is not 2, 4 or 8");
    }
    b[13] = 4; /* supported, but the length no longer matches */
    expect_malformed(air, b, p->len, "blowup 4 on a blowup-2 body", "exactly");
    b[13] = keep;
    keep = b[12];
    const uint8_t steps[] = {0, 31, 200};
    for (size_t k = 0; k < sizeof steps; k++) {
        b[12] = steps[k];
        expect_malformed(air, b, p->len, "bad log_steps", "is outside 1..30");
    }
    b[12] = keep;

    /* A non-canonical element: the first OOD value of table 0 set to p. Its offset: header (14),
     * output (8), main and aux roots (32 each per table), claimed sums (24 each), parts root. */
    sb_proof_shape s;
    char why[200];
    CHECK(sb_proof_shape_init(air, b[12], b[13], &s, why, sizeof why) == 0, "shape: %s", why);
    size_t at = 14 + 8 + s.n_tables * (32 + 32 + 24) + 32;
    for (int i = 0; i < 8; i++) b[at + i] = (uint8_t)(GL_P >> (56 - 8 * i));
    expect_malformed(air, b, p->len, "OOD value = p", "non-canonical");
    memset(b + at, 0xff, 8);
    expect_malformed(air, b, p->len, "OOD value = 2^64 - 1", "non-canonical");

    for (size_t len = 0; len < 64; len += 7) { /* garbage of several lengths */
        for (size_t i = 0; i < len; i++) b[i] = (uint8_t)rnd();
        expect_malformed(air, b, len, "garbage", NULL);
    }
    free(b);
}

static void test_round_trip(const sb_air *air, const sb_proof *p) {
    sb_stark_proof sp;
    char why[200];
    CHECK(sb_proof_parse(air, p->bytes, p->len, &sp, why, sizeof why) == 0, "parse: %s", why);
    uint8_t *b;
    size_t len;
    CHECK(sb_proof_serialize(&sp, &b, &len) == 0 && len == p->len && memcmp(b, p->bytes, len) == 0,
          "parse + serialize is not the identity");
    CHECK(sb_proof_size(&sp.shape) == p->len, "sb_proof_size %zu vs %zu", sb_proof_size(&sp.shape), p->len);
    free(b);
    sb_proof_release(&sp);
}

/* One edit of the parsed proof, reserialized: the verifier must answer INVALID, naming `check`. */
typedef void (*edit_fn)(sb_stark_proof *sp);
static void fp3_bump(fp3_t *v) { v->c[0] = gl_add(v->c[0], 1); }
static void e_main_root(sb_stark_proof *sp) { sp->t[0].main_root.b[5] ^= 1; }
static void e_aux_root(sb_stark_proof *sp) { sp->t[1].aux_root.b[0] ^= 0x80; }
static void e_claimed_sum(sb_stark_proof *sp) { fp3_bump(&sp->t[0].claimed_sum); }
static void e_claimed_sums_balanced(sb_stark_proof *sp) { /* still balanced: the aux constraints catch it */
    fp3_bump(&sp->t[0].claimed_sum);
    sp->t[1].claimed_sum.c[0] = gl_sub(sp->t[1].claimed_sum.c[0], 1);
}
static void e_parts_root(sb_stark_proof *sp) { sp->t[0].parts_root.b[31] ^= 4; }
static void e_ood_main(sb_stark_proof *sp) { fp3_bump(&sp->t[0].ood[1]); }
static void e_ood_aux(sb_stark_proof *sp) { fp3_bump(&sp->t[1].ood[2 * sp->shape.t[1].n_main + 1]); }
static void e_ood_parts(sb_stark_proof *sp) { fp3_bump(&sp->t[0].ood[sp->shape.t[0].n_ood - 1]); }
static void e_fri_root(sb_stark_proof *sp) { sp->t[0].fri_roots[0].b[3] ^= 1; }
static void e_final_poly(sb_stark_proof *sp) { fp3_bump(&sp->t[0].final_poly[1]); }
static void e_nonce(sb_stark_proof *sp) { sp->nonce ^= 1; }
static void e_output(sb_stark_proof *sp) { sp->output += 1; }
static void e_main_row(sb_stark_proof *sp) { sp->t[0].main_rows[3] = gl_add(sp->t[0].main_rows[3], 1); }
static void e_main_row_neg(sb_stark_proof *sp) {
    uint64_t *v = &sp->t[0].main_rows[5 * 2 * sp->shape.t[0].n_main + sp->shape.t[0].n_main];
    *v = gl_add(*v, 2);
}
static void e_main_path(sb_stark_proof *sp) { sp->t[0].main_paths[7 * sp->shape.t[0].trace_path + 2].b[9] ^= 1; }
static void e_aux_row(sb_stark_proof *sp) { sp->t[1].aux_rows[4] = gl_add(sp->t[1].aux_rows[4], 1); }
static void e_aux_path(sb_stark_proof *sp) { sp->t[1].aux_paths[0].b[0] ^= 1; }
static void e_parts_row(sb_stark_proof *sp) { sp->t[0].parts_rows[11] = gl_add(sp->t[0].parts_rows[11], 1); }
static void e_parts_path(sb_stark_proof *sp) { sp->t[0].parts_paths[3].b[3] ^= 1; }
static void e_fri_sibling(sb_stark_proof *sp) { fp3_bump(&sp->t[0].fri_siblings[2 * sp->shape.t[0].n_fri_roots]); }
static void e_fri_path(sb_stark_proof *sp) { sp->t[0].fri_paths[sp->shape.t[0].fri_path - 1].b[1] ^= 1; }

static void test_tampering(const sb_air *air, const sb_proof *p) {
    static const struct {
        const char *what;
        edit_fn edit;
        const char *check; /* NULL: the edit changes the transcript, any check may catch it */
    } cases[] = {
        {"main root", e_main_root, NULL},
        {"aux root", e_aux_root, NULL},
        {"claimed sum", e_claimed_sum, "LogUp sums do not balance"},
        {"claimed sums, balanced", e_claimed_sums_balanced, NULL},
        {"composition root", e_parts_root, NULL},
        {"OOD main value", e_ood_main, NULL},
        {"OOD aux value", e_ood_aux, NULL},
        {"OOD composition value", e_ood_parts, NULL},
        {"FRI layer root", e_fri_root, NULL},
        {"final polynomial", e_final_poly, NULL},
        {"nonce", e_nonce, "proof-of-work"},
        {"public output", e_output, NULL},
        {"main row at x", e_main_row, "main trace Merkle path"},
        {"main row at -x", e_main_row_neg, "main trace Merkle path"},
        {"main path", e_main_path, "main trace Merkle path"},
        {"aux row", e_aux_row, "aux trace Merkle path"},
        {"aux path", e_aux_path, "aux trace Merkle path"},
        {"composition row", e_parts_row, "composition Merkle path"},
        {"composition path", e_parts_path, "composition Merkle path"},
        {"FRI sibling", e_fri_sibling, "FRI layer 1 Merkle path"},
        {"FRI path", e_fri_path, "FRI layer"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        sb_stark_proof sp;
        char why[400];
        CHECK(sb_proof_parse(air, p->bytes, p->len, &sp, why, sizeof why) == 0, "parse: %s", why);
        cases[k].edit(&sp);
        uint8_t *b;
        size_t len;
        CHECK(sb_proof_serialize(&sp, &b, &len) == 0, "serialize");
        int rc = verify(air, b, len, why, sizeof why);
        CHECK(rc == SB_VERIFY_INVALID && (!cases[k].check || strstr(why, cases[k].check)), "%s: rc %d, '%s'",
              cases[k].what, rc, why);
        free(b);
        sb_proof_release(&sp);
    }
}

/* Flipping any bit must make verify fail: a sample of positions over the whole proof. */
static void test_bit_flips(const sb_air *air, const sb_proof *p, size_t samples) {
    uint8_t *b = malloc(p->len);
    memcpy(b, p->bytes, p->len);
    size_t invalid = 0, malformed = 0;
    for (size_t k = 0; k < samples; k++) {
        size_t pos = k < 14 * 8 ? k / 8 : (size_t)(rnd() % p->len); /* every header bit, then a sample */
        uint8_t bit = (uint8_t)(1u << (k < 14 * 8 ? k % 8 : rnd() % 8));
        b[pos] ^= bit;
        char why[400];
        int rc = verify(air, b, p->len, why, sizeof why);
        CHECK(rc != SB_VERIFY_OK, "flipping bit %u of byte %zu still verifies", bit, pos);
        invalid += rc == SB_VERIFY_INVALID;
        malformed += rc == SB_VERIFY_MALFORMED;
        b[pos] ^= bit;
    }
    CHECK(invalid > 0 && malformed > 0, "bit flips: %zu invalid, %zu malformed", invalid, malformed);
    free(b);
}

/* Random edits, truncations and extensions: never a crash, never accepted. */
static void test_fuzz(const sb_air *air, const sb_proof *p, size_t rounds) {
    uint8_t *b = malloc(p->len + 64);
    for (size_t k = 0; k < rounds; k++) {
        memcpy(b, p->bytes, p->len);
        size_t len = p->len;
        switch (rnd() % 4) {
        case 0: len = (size_t)(rnd() % p->len); break;               /* truncate */
        case 1: len += 1 + (size_t)(rnd() % 64); break;               /* extend */
        default:                                                      /* overwrite a few bytes */
            for (unsigned e = 1 + (unsigned)(rnd() % 4); e > 0; e--) b[rnd() % p->len] ^= (uint8_t)(1 + rnd() % 255);
        }
        for (size_t i = p->len; i < len; i++) b[i] = (uint8_t)rnd();
        char why[400];
        int rc = verify(air, b, len, why, sizeof why);
        CHECK(rc != SB_VERIFY_OK || (len == p->len && memcmp(b, p->bytes, len) == 0), "fuzz round %zu accepted", k);
    }
    free(b);
}

int main(void) {
    sb_proof toy = make_proof(&toy_air, 6);
    char why[400];
    CHECK(verify(&toy_air, toy.bytes, toy.len, why, sizeof why) == SB_VERIFY_OK, "toy proof: %s", why);
    test_round_trip(&toy_air, &toy);
    test_malformed(&toy_air, &toy);
    test_tampering(&toy_air, &toy);
    test_bit_flips(&toy_air, &toy, 400);
    test_fuzz(&toy_air, &toy, 1500);
    sb_proof_free(&toy);

    /* fib_iterative: a wrong public output, tampered sections, a bit-flip sample. */
    sb_proof fib = make_proof(sb_air_fib(), 8);
    CHECK(sb_verify(fib.bytes, fib.len, NULL, why, sizeof why) == SB_VERIFY_OK, "fib proof: %s", why);
    test_round_trip(sb_air_fib(), &fib);
    test_malformed(sb_air_fib(), &fib);
    test_tampering(sb_air_fib(), &fib);
    test_bit_flips(sb_air_fib(), &fib, 150);
    sb_proof_free(&fib);
    return check_finish("test_proof_format");
}
