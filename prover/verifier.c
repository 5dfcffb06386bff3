/* The STARK verifier (docs/PROTOCOL.md "Verifier"): replays the transcript, checks every
 * constraint at z, the LogUp balance, the proof-of-work, and every query's Merkle paths
 * and DEEP/FRI consistency. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fri.h"
#include "ntt.h"
#include "rounds.h"
#include "stark.h"
#include "stark_poly.h"

typedef struct verify_ctx {
    const sb_air *air;
    const sb_stark_proof *p;
    const sb_public *pub;
    sb_stark_replay r;
    char *why;
    size_t whylen;
} verify_ctx;

static int invalid(verify_ctx *v, const char *check, size_t t, long query) {
    const char *table = v->air->tables[t].name;
    if (query >= 0) snprintf(v->why, v->whylen, "%s (table %s, query %ld)", check, table, query);
    else snprintf(v->why, v->whylen, "%s (table %s)", check, table);
    return SB_VERIFY_INVALID;
}

/* Rounds 2-4 of one table's fork, as the prover ran them. */
static void replay_table(const sb_table_shape *ts, const sb_table_proof *tp, sb_table_challenges *c) {
    c->beta = transcript_squeeze_fp3(&c->fork);
    transcript_absorb_digest(&c->fork, tp->parts_root.b);
    c->z = sb_stark_draw_z(&c->fork);
    c->zw = fp3_mul_base(c->z, gl_root_of_unity(ts->log_n));
    sb_stark_absorb_fp3s(&c->fork, tp->ood, ts->n_ood);
    c->gamma = transcript_squeeze_fp3(&c->fork);
    for (unsigned l = 0; l < ts->n_folds; l++) {
        c->alphas[l] = transcript_squeeze_fp3(&c->fork);
        if (l + 1 < ts->n_folds) transcript_absorb_digest(&c->fork, tp->fri_roots[l].b);
    }
    sb_stark_absorb_fp3s(&c->fork, tp->final_poly, ts->n_final);
}

void sb_stark_replay_transcript(const sb_air *air, const sb_stark_proof *p, const sb_public *pub,
                                sb_stark_replay *r) {
    const sb_proof_shape *s = &p->shape;
    sb_stark_begin(&r->shared, air, s, pub);
    for (size_t t = 0; t < s->n_tables; t++) transcript_absorb_digest(&r->shared, p->t[t].main_root.b);
    for (size_t i = 0; i < air->n_challenges; i++) r->challenges[i] = transcript_squeeze_fp3(&r->shared);
    for (size_t t = 0; t < s->n_tables; t++) transcript_absorb_digest(&r->shared, p->t[t].aux_root.b);
    for (size_t t = 0; t < s->n_tables; t++) transcript_absorb_fp3(&r->shared, p->t[t].claimed_sum);
    sb_transcript forks[SB_MAX_TABLES];
    for (size_t t = 0; t < s->n_tables; t++) {
        r->tc[t].fork = transcript_fork(&r->shared, t);
        replay_table(&s->t[t], &p->t[t], &r->tc[t]);
        forks[t] = r->tc[t].fork;
    }
    sb_stark_join(&r->shared, forks, s->n_tables);
}

/* The ext3 columns' values from their base components' values (n_ext columns). */
static void recombine(fp3_t *out, const fp3_t *comps, size_t n_ext) {
    for (size_t k = 0; k < n_ext; k++) out[k] = sb_ext3_recombine(comps + 3 * k);
}

/* Every constraint of table t at z against the composition parts' values at z. */
static int check_constraints(verify_ctx *v, size_t t) {
    const sb_table_air *air = &v->air->tables[t];
    const sb_table_shape *ts = &v->p->shape.t[t];
    const sb_table_proof *tp = &v->p->t[t];
    const sb_table_challenges *c = &v->r.tc[t];
    size_t n = (size_t)1 << ts->log_n, nc = air->n_main_constraints + air->n_aux_constraints;
    size_t n_fixed = air->n_fixed, n_aux = air->n_aux;
    /* One allocation: fixed rows, fixed at z / zw, aux at z / zw, constraint values, beta powers. */
    size_t n_fp3 = 2 * n_fixed + 2 * n_aux + 2 * (nc + 1);
    uint8_t *mem = malloc(n * n_fixed * sizeof(uint64_t) + n_fp3 * sizeof(fp3_t));
    if (!mem) {
        snprintf(v->why, v->whylen, "out of memory checking the constraints");
        return SB_VERIFY_MALFORMED;
    }
    fp3_t *fixed_at = (fp3_t *)mem, *aux_at = fixed_at + 2 * n_fixed, *vals = aux_at + 2 * n_aux;
    fp3_t *beta_pows = vals + nc + 1;
    uint64_t *fixed_rows = (uint64_t *)(beta_pows + nc + 1);
    fp3_t pts[2] = {c->z, c->zw};
    /* The fixed columns are the verifier's own: built from the public values, evaluated here. */
    if (n_fixed) {
        air->gen_fixed(v->pub, fixed_rows);
        sb_eval_matrix em = {fixed_rows, n_fixed, n_fixed, fixed_at};
        if (sb_coset_eval(&em, 1, n, 1, pts, 2) != 0) {
            free(mem);
            snprintf(v->why, v->whylen, "out of memory evaluating the fixed columns");
            return SB_VERIFY_MALFORMED;
        }
    }
    const fp3_t *aux_z = tp->ood + 2 * ts->n_main, *aux_zw = aux_z + ts->n_aux, *parts_z = aux_zw + ts->n_aux;
    recombine(aux_at, aux_z, n_aux);
    recombine(aux_at + n_aux, aux_zw, n_aux);
    fp3_t challenge_pows[SB_AIR_CHALLENGE_POWERS];
    sb_challenge_powers(v->r.challenges[0], challenge_pows);
    sb_frame_ext f = {tp->ood,       tp->ood + ts->n_main, fixed_at,        fixed_at + n_fixed, aux_at,
                      aux_at + n_aux, v->r.challenges,        tp->claimed_sum, v->pub,             challenge_pows};
    air->eval_main_ext(&f, vals);
    if (air->n_aux_constraints) air->eval_aux(&f, vals + air->n_main_constraints);
    sb_fp3_powers(beta_pows, nc, c->beta);
    fp3_t acc[4] = {fp3_zero(), fp3_zero(), fp3_zero(), fp3_zero()};
    sb_accumulate_ext(acc, vals, air->main_domains, beta_pows, air->n_main_constraints);
    sb_accumulate_ext(acc, vals + air->n_main_constraints, air->aux_domains, beta_pows + air->n_main_constraints,
                      air->n_aux_constraints);
    fp3_t z_n = fp3_pow(c->z, n), composition = fp3_zero();
    for (int d = 0; d < 4; d++)
        composition = fp3_add(composition,
                              fp3_mul(acc[d], fp3_inv(sb_zerofier((sb_domain)d, c->z, z_n, ts->log_n))));
    /* C(z) = sum_j z^(j n) C_j(z) */
    fp3_t claimed = fp3_zero(), shift = fp3_one();
    for (size_t j = 0; j < SB_COMPOSITION_PARTS; j++) {
        claimed = fp3_add(claimed, fp3_mul(shift, sb_ext3_recombine(parts_z + 3 * j)));
        shift = fp3_mul(shift, z_n);
    }
    free(mem);
    if (!fp3_eq(composition, claimed)) /* MUTANT constraints-at-z: if ( => if (0) if ( */
        return invalid(v, "constraints at the OOD point z", t, -1);
    return SB_VERIFY_OK;
}

/* Checks one opened trace pair (rows at x then -x) against its root. */
static int check_pair(const sb_digest *root, const uint64_t *rows, size_t cols, const sb_digest *path,
                      unsigned log_lde, size_t i) {
    sb_digest full[64], leaf;
    merkle_hash_row(rows + cols, cols, &full[0]); /* the sibling leaf: the row at -x */
    memcpy(full + 1, path, (log_lde - 1) * sizeof *path);
    merkle_hash_row(rows, cols, &leaf);
    return merkle_verify(root, &leaf, (size_t)bit_reverse_index(i, log_lde), log_lde, full);
}

static int check_query(verify_ctx *v, size_t t, size_t j, size_t i, const fp3_t *g, fp3_t sum_z, fp3_t sum_zw) {
    const sb_table_shape *ts = &v->p->shape.t[t];
    const sb_table_proof *tp = &v->p->t[t];
    const sb_table_challenges *c = &v->r.tc[t];
    const uint64_t *main = tp->main_rows + j * 2 * ts->n_main, *aux = tp->aux_rows + j * 2 * ts->n_aux;
    const uint64_t *parts = tp->parts_rows + j * 2 * ts->n_parts;
    /* MUTANT main-path: if ( => if (0) if ( */
    if (!check_pair(&tp->main_root, main, ts->n_main, tp->main_paths + j * ts->trace_path, ts->log_lde, i))
        return invalid(v, "main trace Merkle path", t, (long)j);
    /* MUTANT aux-path: if ( => if (0) if ( */
    if (!check_pair(&tp->aux_root, aux, ts->n_aux, tp->aux_paths + j * ts->trace_path, ts->log_lde, i))
        return invalid(v, "aux trace Merkle path", t, (long)j);
    /* MUTANT parts-path: if ( => if (0) if ( */
    if (!check_pair(&tp->parts_root, parts, ts->n_parts, tp->parts_paths + j * ts->trace_path, ts->log_lde, i))
        return invalid(v, "composition Merkle path", t, (long)j);
    /* The DEEP composition at x and -x, from the opened rows. */
    uint64_t x = gl_mul(GL_GENERATOR, gl_pow(gl_root_of_unity(ts->log_lde), i));
    fp3_t q[2];
    for (int side = 0; side < 2; side++) {
        uint64_t pt = side ? gl_neg(x) : x;
        fp3_t s_shifted = fp3_add(sb_fp3_dot_base(g, main + side * ts->n_main, ts->n_main),
                                  sb_fp3_dot_base(g + ts->n_main, aux + side * ts->n_aux, ts->n_aux));
        fp3_t s = fp3_add(s_shifted,
                          sb_fp3_dot_base(g + ts->n_main + ts->n_aux, parts + side * ts->n_parts, ts->n_parts));
        fp3_t inv_z = fp3_inv(fp3_sub(fp3_from_base(pt), c->z)), inv_zw = fp3_inv(fp3_sub(fp3_from_base(pt), c->zw));
        q[side] = sb_deep_value(s, s_shifted, sum_z, sum_zw, inv_z, inv_zw);
    }
    char fri_why[64];
    if (sb_fri_verify_query(ts->log_lde, ts->n_folds, c->alphas, tp->fri_roots, tp->final_poly, ts->n_final, i, q[0],
                            q[1], tp->fri_siblings + j * ts->n_fri_roots, tp->fri_paths + j * ts->fri_path, fri_why,
                            sizeof fri_why) != 0)
        return invalid(v, fri_why, t, (long)j);
    return SB_VERIFY_OK;
}

static int check_queries(verify_ctx *v, size_t t, const size_t *idx) {
    const sb_table_shape *ts = &v->p->shape.t[t];
    size_t n_coeffs = ts->n_main + ts->n_aux + ts->n_parts;
    fp3_t *g = malloc(n_coeffs * sizeof *g);
    if (!g) {
        snprintf(v->why, v->whylen, "out of memory checking the queries");
        return SB_VERIFY_MALFORMED;
    }
    sb_fp3_powers(g, n_coeffs, v->r.tc[t].gamma);
    fp3_t sum_z, sum_zw;
    sb_stark_deep_sums(ts, v->p->t[t].ood, g, &sum_z, &sum_zw);
    int rc = SB_VERIFY_OK;
    for (size_t j = 0; j < v->p->shape.n_queries && rc == SB_VERIFY_OK; j++)
        rc = check_query(v, t, j, idx[j], g, sum_z, sum_zw);
    free(g);
    return rc;
}

static int verify_parsed(verify_ctx *v) {
    const sb_stark_proof *p = v->p;
    const sb_proof_shape *s = &p->shape;
    sb_stark_replay_transcript(v->air, p, v->pub, &v->r);
    fp3_t bus = fp3_zero();
    for (size_t t = 0; t < s->n_tables; t++) bus = fp3_add(bus, p->t[t].claimed_sum);
    if (!fp3_is_zero(bus)) { /* MUTANT logup-balance: if ( => if (0) if ( */
        snprintf(v->why, v->whylen, "LogUp sums do not balance across the tables");
        return SB_VERIFY_INVALID;
    }
    for (size_t t = 0; t < s->n_tables; t++) {
        int rc = check_constraints(v, t);
        if (rc != SB_VERIFY_OK) return rc;
    }
    uint8_t seed[32];
    transcript_squeeze_bytes(&v->r.shared, seed);
    if (!sb_pow_ok(seed, p->nonce)) { /* MUTANT pow-nonce: if ( => if (0) if ( */
        snprintf(v->why, v->whylen, "proof-of-work nonce does not give %d zero bits", SB_POW_BITS);
        return SB_VERIFY_INVALID;
    }
    /* MUTANT query-index-nonce: transcript_absorb_u64(&v->r.shared, p->nonce); => (void)0; */
    transcript_absorb_u64(&v->r.shared, p->nonce);
    size_t *idx = malloc(s->n_tables * s->n_queries * sizeof *idx);
    if (!idx) {
        snprintf(v->why, v->whylen, "out of memory for the query indices");
        return SB_VERIFY_MALFORMED;
    }
    sb_stark_draw_queries(&v->r.shared, s, idx);
    int rc = SB_VERIFY_OK;
    for (size_t t = 0; t < s->n_tables && rc == SB_VERIFY_OK; t++) rc = check_queries(v, t, idx + t * s->n_queries);
    free(idx);
    return rc;
}

int sb_stark_verify(const sb_air *air, const uint8_t *bytes, size_t len, sb_public *pub, char *why, size_t whylen) {
    sb_stark_proof p;
    if (sb_proof_parse(air, bytes, len, &p, why, whylen) != 0) return SB_VERIFY_MALFORMED;
    /* n is a closed form of log_steps (nothing is run), never read from the proof; the output is
     * the prover's claim, bound by the statement's absorb and the last-row constraints. */
    sb_public pb = {0};
    int rc = air->statement(p.shape.log_steps, &pb);
    if (rc != 0) { /* MUTANT statement-supported: if ( => if (0) if ( */
        snprintf(why, whylen, "the machine does not support 2^%u steps", p.shape.log_steps);
        sb_proof_release(&p);
        return SB_VERIFY_MALFORMED;
    }
    pb.output = p.output;
    verify_ctx v = {.air = air, .p = &p, .pub = &pb, .why = why, .whylen = whylen};
    rc = verify_parsed(&v);
    if (rc == SB_VERIFY_OK && pub) *pub = pb;
    sb_proof_release(&p);
    return rc;
}
