/* The verifier's checks, each against a prover that lies consistently, so that the check under
 * test is the only one that can reject (docs/PROTOCOL.md "Security" lists which test catches the
 * removal of each check; scripts/mutate-verifier.sh measures it):
 * - LogUp balance: a multiplicity off by one, every aux column and claimed sum computed from it;
 * - constraints at z: a claimed output that the trace does not end with (toy and fib_iterative);
 * - proof of work, FRI final polynomial (without and after folds), DEEP quotient (composition
 *   values at z that satisfy the constraints but are not the committed ones): an edited proof whose
 *   transcript is replayed (sb_stark_replay_transcript), whose nonce is ground again, and whose
 *   openings are answered from the honest proof (a toy proof of 2^3 rows opens every pair
 *   index of both tables);
 * - the statement: n never read from anywhere but log_steps, nor the output computed by running
 *   the machine (the verifier never calls public_values); an unsupported log_steps is refused;
 *   each public value changes the transcript; a table with fixed columns is bounded in height;
 * - the protocol's bytes: a known proof digest (toy AIR, 2^6 rows, blowup 2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "air_fib.h"
#include "check.h"
#include "keccak.h"
#include "stark.h"
#include "toy_air.h"

static sb_proof prove(const sb_air *air, unsigned log_steps, unsigned blowup) {
    sb_backend_config cfg;
    sb_backend_config_default(&cfg);
    cfg.kind = SB_BACKEND_CPU;
    sb_backend *be = sb_backend_create(&cfg, NULL, 0);
    sb_prove_config pc = {log_steps, blowup, 1, 0};
    sb_proof p;
    char err[320] = "";
    if (sb_stark_prove(air, &pc, be, NULL, &p, err, sizeof err) != 0) {
        fprintf(stderr, "FAIL: prove 2^%u: %s\n", log_steps, err);
        exit(1);
    }
    sb_backend_destroy(be);
    return p;
}

/* Verifies bytes and requires rc, with `check` in the reason (any reason when NULL). */
static void expect_verdict(const sb_air *air, const uint8_t *bytes, size_t len, int want_rc, const char *check,
                           const char *what) {
    char why[400] = "";
    int rc = sb_stark_verify(air, bytes, len, NULL, why, sizeof why);
    CHECK(rc == want_rc && (!check || strstr(why, check)), "%s: verify %d '%s' (want %d '%s')", what, rc, why,
          want_rc, check ? check : "");
}

/* ---- provers that lie through the AIR --------------------------------------------------- */

/* The toy AIR with one more occurrence of lut value 0 counted than the fib table looks up. */
static int toy_gen_main_extra_count(const sb_public *pub, uint64_t **main) {
    if (toy_gen_main(pub, main)) return -1;
    main[1][0]++;
    return 0;
}

static void test_logup_balance(void) {
    sb_air lying = toy_air;
    lying.gen_main = toy_gen_main_extra_count;
    sb_proof p = prove(&lying, 6, 2);
    expect_verdict(&toy_air, p.bytes, p.len, SB_VERIFY_INVALID, "LogUp sums do not balance", "extra lut count");
    sb_proof_free(&p);
}

/* A claimed output one more than the machine's: the trace is honest, the last-row constraint
 * "b = output" (toy) or "a0 limb 0 = output" (fib) fails, and at blowup 2 the prover does not
 * notice (its composition fills the domain). */
static int toy_public_values_off_by_one(unsigned log_steps, sb_public *pub) {
    if (toy_public_values(log_steps, pub)) return -1;
    pub->output++;
    return 0;
}
static int fib_public_values_off_by_one(unsigned log_steps, sb_public *pub) {
    if (sb_air_fib()->public_values(log_steps, pub)) return -1;
    pub->output++;
    return 0;
}

static void test_wrong_output(void) {
    sb_air toy = toy_air, fib = *sb_air_fib();
    toy.public_values = toy_public_values_off_by_one;
    fib.public_values = fib_public_values_off_by_one;
    sb_proof p = prove(&toy, 6, 2);
    expect_verdict(&toy_air, p.bytes, p.len, SB_VERIFY_INVALID, "constraints at the OOD point z (table fib)",
                   "toy, output + 1");
    sb_proof_free(&p);
    p = prove(&fib, 8, 2);
    expect_verdict(sb_air_fib(), p.bytes, p.len, SB_VERIFY_INVALID, "constraints at the OOD point z (table cpu)",
                   "fib, output + 1");
    sb_proof_free(&p);
}

/* ---- provers that lie by editing a proof and replaying its transcript ---------------------- */

/* Replays p's transcript for its own statement: n from log_steps, the output p claims. */
static void replay(const sb_air *air, const sb_stark_proof *p, sb_stark_replay *r) {
    sb_public pub = {0};
    air->statement(p->shape.log_steps, &pub);
    pub.output = p->output;
    sb_stark_replay_transcript(air, p, &pub, r);
}

/* The query indices of p for a given nonce; writes the proof-of-work seed too. */
static void draw_indices(const sb_air *air, const sb_stark_proof *p, uint64_t nonce, size_t *idx, uint8_t seed[32]) {
    sb_stark_replay r;
    replay(air, p, &r);
    transcript_squeeze_bytes(&r.shared, seed);
    transcript_absorb_u64(&r.shared, nonce);
    sb_stark_draw_queries(&r.shared, &p->shape, idx);
}

/* Copies the openings of query js of src to query jd of dst (table t; same shape). */
static void copy_query(sb_stark_proof *dst, size_t jd, const sb_stark_proof *src, size_t js, size_t t) {
    const sb_table_shape *ts = &src->shape.t[t];
    const sb_table_proof *s = &src->t[t];
    sb_table_proof *d = &dst->t[t];
#define COPY(field, per_query) \
    memcpy(d->field + jd * (per_query), s->field + js * (per_query), (per_query) * sizeof *s->field)
    COPY(main_rows, 2 * ts->n_main);
    COPY(aux_rows, 2 * ts->n_aux);
    COPY(parts_rows, 2 * ts->n_parts);
    COPY(main_paths, ts->trace_path);
    COPY(aux_paths, ts->trace_path);
    COPY(parts_paths, ts->trace_path);
    COPY(fri_siblings, ts->n_fri_roots);
    COPY(fri_paths, ts->fri_path);
#undef COPY
}

/* The toy proof of 2^3 rows at blowup 2, parsed, and its query indices. */
typedef struct honest {
    sb_proof bytes;
    sb_stark_proof p;
    size_t idx[SB_MAX_TABLES * 256];
} honest;

static void honest_init(honest *h) {
    h->bytes = prove(&toy_air, 3, 2);
    char why[200];
    if (sb_proof_parse(&toy_air, h->bytes.bytes, h->bytes.len, &h->p, why, sizeof why) != 0 ||
        h->p.shape.n_queries > 256) {
        fprintf(stderr, "FAIL: parse the toy proof: %s\n", why);
        exit(1);
    }
    uint8_t seed[32];
    draw_indices(&toy_air, &h->p, h->p.nonce, h->idx, seed);
    /* Every pair index of every table is opened somewhere: what lets a forgery answer any query. */
    for (size_t t = 0; t < h->p.shape.n_tables; t++) {
        size_t pairs = (size_t)1 << (h->p.shape.t[t].log_lde - 1), seen = 0;
        for (size_t i = 0; i < pairs; i++)
            for (size_t j = 0; j < h->p.shape.n_queries; j++)
                if (h->idx[t * h->p.shape.n_queries + j] == i) {
                    seen++;
                    break;
                }
        CHECK(seen == pairs, "table %zu: the honest proof opens %zu of %zu pair indices", t, seen, pairs);
    }
}

/* Forges a proof from h's: edit (NULL: none) changes the parsed copy, then the nonce is ground
 * again on the replayed transcript (or, without want_pow, the smallest one that fails is
 * taken), and every query of the new indices is answered with h's opening of that index. The
 * forgery must get want_rc with `check` in the reason. Returns the forged bytes (caller frees). */
typedef void (*edit_fn)(sb_stark_proof *f);
static sb_proof forge(const honest *h, edit_fn edit, int want_pow, int want_rc, const char *check, const char *what) {
    sb_stark_proof f;
    char why[200];
    sb_proof out = {0};
    if (sb_proof_parse(&toy_air, h->bytes.bytes, h->bytes.len, &f, why, sizeof why) != 0) {
        CHECK(0, "%s: parse: %s", what, why);
        return out;
    }
    if (edit) edit(&f);
    uint8_t seed[32];
    size_t idx[SB_MAX_TABLES * 256];
    draw_indices(&toy_air, &f, 0, idx, seed);
    uint64_t nonce = 0;
    if (want_pow) nonce = sb_pow_search(seed, UINT64_MAX);
    else
        while (nonce < 1000 && sb_pow_ok(seed, nonce)) nonce++;
    f.nonce = nonce;
    draw_indices(&toy_air, &f, nonce, idx, seed);
    const size_t q = f.shape.n_queries;
    for (size_t t = 0; t < f.shape.n_tables; t++)
        for (size_t j = 0; j < q; j++) {
            size_t js = 0;
            while (js < q && h->idx[t * q + js] != idx[t * q + j]) js++;
            if (js < q) copy_query(&f, j, &h->p, js, t);
        }
    CHECK(sb_proof_serialize(&f, &out.bytes, &out.len) == 0, "%s: serialize", what);
    sb_proof_release(&f);
    expect_verdict(&toy_air, out.bytes, out.len, want_rc, check, what);
    return out;
}

/* Nothing edited: the machinery gives back the honest proof, byte for byte. */
static void test_forge_unedited(const honest *h) {
    sb_proof p = forge(h, NULL, 1, SB_VERIFY_OK, NULL, "unedited forgery");
    CHECK(p.len == h->bytes.len && memcmp(p.bytes, h->bytes.bytes, p.len) == 0, "unedited forgery: other bytes");
    sb_proof_free(&p);
}

/* One final coefficient of a table changed: the FRI layers and the openings are the honest ones
 * (reopened for the new indices), so only the final polynomial's check disagrees. Table fib
 * (8 rows) has no fold: its DEEP values meet the final polynomial directly; table lut (16 rows)
 * folds once. */
static void bump_final(sb_stark_proof *f, size_t t) {
    f->t[t].final_poly[0].c[1] = gl_add(f->t[t].final_poly[0].c[1], 1);
}
static void e_final_fib(sb_stark_proof *f) { bump_final(f, 0); }
static void e_final_lut(sb_stark_proof *f) { bump_final(f, 1); }

/* OOD values of the composition parts that still satisfy the constraints at z (C_0(z) + z^N C_1(z)
 * unchanged: C_0's first component moved by d z^N, C_1's by -d) but are not the committed
 * parts' values at z: only the DEEP quotient can tell, and it is no longer a polynomial, so the
 * FRI check at the end of table fib's queries (no fold: the final polynomial) rejects it. */
static void e_parts_at_z(sb_stark_proof *f) {
    sb_stark_replay r;
    replay(&toy_air, f, &r);
    const sb_table_shape *ts = &f->shape.t[0];
    fp3_t *parts_z = f->t[0].ood + 2 * ts->n_main + 2 * ts->n_aux, d = fp3_make(5, 6, 7);
    fp3_t z_n = fp3_pow(r.tc[0].z, (uint64_t)1 << ts->log_n);
    parts_z[0] = fp3_add(parts_z[0], fp3_mul(d, z_n));
    parts_z[3] = fp3_sub(parts_z[3], d);
}

static void test_forgeries(const honest *h) {
    CHECK(h->p.shape.t[0].n_folds == 0 && h->p.shape.t[1].n_folds == 1, "toy 2^3: %u and %u folds",
          h->p.shape.t[0].n_folds, h->p.shape.t[1].n_folds);
    static const struct {
        const char *what;
        edit_fn edit;
        int want_pow;
        const char *check;
    } cases[] = {
        {"a nonce without its zero bits", NULL, 0, "proof-of-work"},
        {"final polynomial, no fold", e_final_fib, 1, "FRI final polynomial (table fib"},
        {"final polynomial, one fold", e_final_lut, 1, "FRI final polynomial (table lut"},
        {"composition values at z off the committed ones", e_parts_at_z, 1, "FRI final polynomial (table fib"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        sb_proof p = forge(h, cases[k].edit, cases[k].want_pow, SB_VERIFY_INVALID, cases[k].check, cases[k].what);
        sb_proof_free(&p);
    }
}

/* ---- the statement -------------------------------------------------------------------------- */

static int public_values_calls;
static int counting_public_values(unsigned log_steps, sb_public *pub) {
    public_values_calls++;
    return sb_air_fib()->public_values(log_steps, pub);
}

/* The verifier learns n from log_steps and the output from the proof: it never runs the machine. */
static void test_no_execution(void) {
    sb_air fib = *sb_air_fib();
    sb_proof p = prove(&fib, 9, 2);
    fib.public_values = counting_public_values;
    sb_public pub = {0};
    char why[200] = "";
    int rc = sb_stark_verify(&fib, p.bytes, p.len, &pub, why, sizeof why);
    CHECK(rc == SB_VERIFY_OK && public_values_calls == 0, "verify %d '%s', public_values called %d times", rc, why,
          public_values_calls);
    CHECK(pub.log_steps == 9 && pub.iterations == rv64_fib_iterations(9) && pub.output == p.pub.output,
          "verifier's public values: 2^%u, n = %llu, output %llu", pub.log_steps,
          (unsigned long long)pub.iterations, (unsigned long long)pub.output);
    sb_proof_free(&p);
}

/* A well-formed file for 2^5 steps (the parser takes log_steps 1..30, the machine 6..30). */
static void test_unsupported_steps(void) {
    sb_proof_shape s;
    char why[200];
    CHECK(sb_proof_shape_init(sb_air_fib(), 5, 2, &s, why, sizeof why) == 0, "shape 2^5: %s", why);
    size_t len = sb_proof_size(&s);
    uint8_t *b = calloc(len, 1);
    memcpy(b, SB_PROOF_MAGIC, 8);
    b[11] = SB_PROOF_VERSION;
    b[12] = 5;
    b[13] = 2;
    expect_verdict(sb_air_fib(), b, len, SB_VERIFY_MALFORMED, "does not support 2^5 steps", "2^5 steps");
    free(b);
}

/* Each public value is absorbed: changing one changes the transcript. */
static void test_statement_absorbed(void) {
    const sb_air *air = sb_air_fib();
    sb_proof_shape s;
    char why[200];
    CHECK(sb_proof_shape_init(air, 8, 2, &s, why, sizeof why) == 0, "shape: %s", why);
    sb_public base = {8, 50, 12586269025ULL}, other[2] = {base, base};
    other[0].iterations++;
    other[1].output ^= 1ULL << 63;
    sb_transcript a, b;
    sb_stark_begin(&a, air, &s, &base);
    for (int k = 0; k < 2; k++) {
        sb_stark_begin(&b, air, &s, &other[k]);
        CHECK(memcmp(a.state, b.state, sizeof a.state) != 0, "public value %d is not in the statement", k);
    }
}

/* The verifier evaluates fixed columns itself: a table with them may not grow with the steps. */
static unsigned toy_lut_tall(const sb_public *pub) { return pub->log_steps; }
static void test_fixed_columns_bounded(void) {
    sb_table_air tables[2] = {toy_tables[0], toy_tables[1]};
    tables[1].log_rows = toy_lut_tall;
    sb_air tall = toy_air;
    tall.tables = tables;
    sb_proof_shape s;
    char why[200] = "";
    CHECK(sb_proof_shape_init(&tall, SB_MAX_FIXED_LOG_ROWS, 2, &s, why, sizeof why) == 0, "2^%d rows: %s",
          SB_MAX_FIXED_LOG_ROWS, why);
    CHECK(sb_proof_shape_init(&tall, SB_MAX_FIXED_LOG_ROWS + 1, 2, &s, why, sizeof why) != 0 &&
              strstr(why, "table lut: fixed columns on 2^11 rows"),
          "fixed columns on 2^%d rows: '%s'", SB_MAX_FIXED_LOG_ROWS + 1, why);
}

/* ---- the protocol's bytes ------------------------------------------------------------------- */

/* The toy proof of 2^6 rows at blowup 2: a change to the transcript, the statement, the query
 * derivation or the format shows here (docs/PROTOCOL.md is the definition). */
static void test_known_proof(void) {
    static const char want[] = "419b71dd1b805adfcac1e7a2c8cd2122443c80ffc0339bb9aa7a201dad7cd14d";
    sb_proof p = prove(&toy_air, 6, 2);
    uint8_t d[32];
    char hex[65];
    keccak256(p.bytes, p.len, d);
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", d[i]);
    CHECK(strcmp(hex, want) == 0, "toy 2^6 proof digest %s, want %s", hex, want);
    sb_proof_free(&p);
}

int main(void) {
    test_known_proof();
    test_no_execution();
    test_unsupported_steps();
    test_statement_absorbed();
    test_fixed_columns_bounded();
    test_logup_balance();
    test_wrong_output();
    honest h;
    honest_init(&h);
    test_forge_unedited(&h);
    test_forgeries(&h);
    sb_proof_release(&h.p);
    sb_proof_free(&h.bytes);
    return check_finish("test_verifier");
}
