/* The multi-table STARK prover (docs/PROTOCOL.md): Rounds 1-4 over any AIR, every heavy
 * operation through the backend, tables proved concurrently with --tp. */
#include <math.h>
#include <omp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fri.h"
#include "ntt.h"
#include "range_names.h"
#include "rounds.h"
#include "stark.h"
#include "stark_poly.h"

unsigned sb_query_count(unsigned blowup) {
    double per_query = -log2(sqrt(1.0 / blowup) + 1.0 / 300.0);
    return (unsigned)ceil((128.0 - SB_POW_BITS) / per_query);
}

void sb_security_note(unsigned blowup, char *out, size_t len) {
    unsigned q = sb_query_count(blowup);
    double per_query = -log2(sqrt(1.0 / blowup) + 1.0 / 300.0);
    snprintf(out, len,
             "security: %.1f bits claimed, query phase only = %u queries x %.3f bits (-log2(sqrt(1/%u) + 1/300)) + "
             "%d bits grinding; commit-phase and DEEP terms not counted (docs/PROTOCOL.md \"Security\")",
             q * per_query + SB_POW_BITS, q, per_query, blowup, SB_POW_BITS);
}

void sb_proof_free(sb_proof *p) {
    free(p->bytes);
    p->bytes = NULL;
    p->len = 0;
}

/* ---- state ------------------------------------------------------------------------- */

typedef struct table_work {
    size_t t;
    const sb_table_air *air;
    const sb_table_shape *ts;
    sb_table_proof *tp;
    sb_op op; /* this table's calls: its error buffer is the table's own */
    sb_matrix main, aux, parts;
    sb_transcript fork;
    sb_fri_prover fri;
    fp3_t z, zw; /* the OOD points */
    int failed;
    char err[320];
} table_work;

typedef struct prove_ctx {
    const sb_air *air;
    const sb_prove_config *cfg;
    sb_backend *be;
    sb_ranges *ranges;
    sb_public pub;
    sb_stark_proof proof;
    sb_matrix main_trace[SB_MAX_TABLES], aux_trace[SB_MAX_TABLES]; /* values over H, in the backend */
    fp3_t challenges[SB_AIR_MAX_CHALLENGES];
    sb_op global_op; /* calls outside any table (grinding) */
    sb_transcript shared;
    sb_transcript forks[SB_MAX_TABLES];
    size_t *queries; /* n_tables x n_queries pair indices */
    table_work w[SB_MAX_TABLES];
} prove_ctx;

/* Ranges are optional: a NULL set records nothing. */
static sb_range range_open(sb_ranges *set, const char *table, sb_range_id id) {
    if (set) return sb_range_begin(set, table, SB_RANGE_NAME(id));
    sb_range none = {0};
    return none;
}

/* Opens table w's range id; the backend calls inside it carry its name. */
static sb_range table_range(prove_ctx *ctx, table_work *w, sb_range_id id) {
    w->op.op = SB_RANGE_NAME(id);
    return range_open(ctx->ranges, w->air->name, id);
}
static void range_close(sb_range *r) {
    if (r->set) sb_range_end(r);
}

/* fmt holds two %s: the table's name and detail. */
static int table_fail(table_work *w, const char *fmt, const char *detail) {
    char d[160];
    snprintf(d, sizeof d, "%.159s", detail);
    snprintf(w->err, sizeof w->err, fmt, w->air->name, d);
    w->failed = 1;
    return -1;
}

/* The backend's reason for the failure of the call op. */
static const char *backend_reason(const sb_op *op) { return op->err[0] ? op->err : "no reason given"; }

/* A round operation failed: its own reason is the table's. Returns -1. */
static int op_failed(table_work *w) {
    snprintf(w->err, sizeof w->err, "%s", backend_reason(&w->op));
    w->failed = 1;
    return -1;
}

/* LDE (+ commit) of a trace over H through the backend, each in its named range. */
static int lde_commit(prove_ctx *ctx, table_work *w, sb_matrix *trace, sb_range_id lde_range, sb_range_id commit_range,
                      sb_matrix *c) {
    sb_backend *be = ctx->be;
    sb_range r = table_range(ctx, w, lde_range);
    int rc = be->ops->lde_matrix(be, &w->op, trace, ctx->cfg->blowup, c);
    range_close(&r);
    if (rc != 0) return table_fail(w, "table %s: LDE failed: %s", backend_reason(&w->op));
    r = table_range(ctx, w, commit_range);
    rc = be->ops->commit(be, &w->op, c);
    range_close(&r);
    if (rc != 0) return table_fail(w, "table %s: commit failed: %s", backend_reason(&w->op));
    return 0;
}

/* ---- the phases, each run per table (concurrently with --tp) ------------------------- */

static void phase_main(prove_ctx *ctx, table_work *w) {
    if (lde_commit(ctx, w, &ctx->main_trace[w->t], SB_R1_MAIN_LDE, SB_R1_MAIN_COMMIT, &w->main) == 0)
        w->tp->main_root = w->main.root;
}

/* The aux trace over H is needed by its LDE only. */
static void phase_aux(prove_ctx *ctx, table_work *w) {
    if (lde_commit(ctx, w, &ctx->aux_trace[w->t], SB_R1_AUX_LDE, SB_R1_AUX_COMMIT, &w->aux) == 0)
        w->tp->aux_root = w->aux.root;
    ctx->be->ops->release(ctx->be, &ctx->aux_trace[w->t]);
}

/* Round 2: composition over the LDE, its parts' LDE ("R2 evaluate") and commit ("R2 commit");
 * every matrix stays in the backend. */
static int round2(prove_ctx *ctx, table_work *w) {
    sb_backend *be = ctx->be;
    const sb_table_air *air = w->air;
    size_t n = (size_t)1 << w->ts->log_n;
    fp3_t beta = transcript_squeeze_fp3(&w->fork);
    sb_range r = table_range(ctx, w, SB_R2_EVALUATE);
    sb_matrix fixed = {0}, parts_on_h = {0};
    int rc = 0;
    if (air->n_fixed) { /* the fixed columns' LDE: evaluated, never committed */
        uint64_t *f = malloc(n * air->n_fixed * sizeof *f);
        if (!f) rc = table_fail(w, "table %s: %s", "out of memory for the fixed columns");
        else {
            air->gen_fixed(&ctx->pub, f);
            if (be->ops->lde(be, &w->op, f, n, air->n_fixed, ctx->cfg->blowup, &fixed) != 0)
                rc = table_fail(w, "table %s: fixed-column LDE failed: %s", backend_reason(&w->op));
            free(f);
        }
    }
    if (rc == 0) {
        sb_composition_in in = {air,       &ctx->pub,       &w->main, air->n_fixed ? &fixed : NULL, &w->aux,
                                ctx->challenges, w->tp->claimed_sum, beta};
        if (be->ops->rounds->composition(be, &w->op, &in, &parts_on_h) != 0) rc = op_failed(w);
    }
    if (rc == 0 && be->ops->lde_matrix(be, &w->op, &parts_on_h, ctx->cfg->blowup, &w->parts) != 0)
        rc = table_fail(w, "table %s: composition LDE failed: %s", backend_reason(&w->op));
    be->ops->release(be, &fixed);
    be->ops->release(be, &parts_on_h);
    range_close(&r);
    if (rc != 0) return -1;
    r = table_range(ctx, w, SB_R2_COMMIT);
    rc = be->ops->commit(be, &w->op, &w->parts);
    range_close(&r);
    if (rc != 0) return table_fail(w, "table %s: composition commit failed: %s", backend_reason(&w->op));
    w->tp->parts_root = w->parts.root;
    transcript_absorb_digest(&w->fork, w->parts.root.b);
    return 0;
}

/* Round 3: every committed column at z and z*w_n, the parts at z; only the values come back. */
static int round3(prove_ctx *ctx, table_work *w) {
    const sb_round_ops *ops = ctx->be->ops->rounds;
    const sb_table_shape *ts = w->ts;
    w->z = sb_stark_draw_z(&w->fork);
    w->zw = fp3_mul_base(w->z, gl_root_of_unity(ts->log_n));
    fp3_t pts[2] = {w->z, w->zw};
    sb_range r = table_range(ctx, w, SB_R3_OOD);
    fp3_t *ood = w->tp->ood, parts_at[2 * 3 * SB_COMPOSITION_PARTS];
    sb_matrix *mats[3] = {&w->main, &w->aux, &w->parts};
    fp3_t *outs[3] = {ood, ood + 2 * ts->n_main, parts_at};
    int rc = ops->ood(ctx->be, &w->op, mats, 3, pts, 2, outs);
    memcpy(ood + 2 * ts->n_main + 2 * ts->n_aux, parts_at, ts->n_parts * sizeof *ood); /* the parts at z only */
    range_close(&r);
    if (rc != 0) return op_failed(w);
    sb_stark_absorb_fp3s(&w->fork, ood, ts->n_ood);
    return 0;
}

/* Round 4 up to the queries: DEEP composition into FRI layer 0 ("R4 DEEP"), then the FRI commit
 * phase ("R4 FRI"); the layers stay in the backend. */
static int round4(prove_ctx *ctx, table_work *w) {
    sb_backend *be = ctx->be;
    const sb_table_shape *ts = w->ts;
    size_t n_coeffs = ts->n_main + ts->n_aux + ts->n_parts;
    fp3_t gamma = transcript_squeeze_fp3(&w->fork);
    fp3_t *g = malloc(n_coeffs * sizeof *g);
    sb_matrix layer0 = {0};
    if (!g) return table_fail(w, "table %s: %s", "out of memory for the DEEP composition");
    sb_fp3_powers(g, n_coeffs, gamma);
    sb_deep_in in = {.n_mats = 3,
                     .n_shifted = 2,
                     .mats = {&w->main, &w->aux, &w->parts},
                     .coeffs = {g, g + ts->n_main, g + ts->n_main + ts->n_aux},
                     .z = w->z,
                     .zw = w->zw};
    sb_stark_deep_sums(ts, w->tp->ood, g, &in.sum_z, &in.sum_zw);
    sb_range r = table_range(ctx, w, SB_R4_DEEP);
    int rc = be->ops->rounds->deep(be, &w->op, &in, &layer0);
    range_close(&r);
    free(g);
    if (rc != 0) return op_failed(w);
    r = table_range(ctx, w, SB_R4_FRI);
    rc = sb_fri_commit(be, &w->op, &layer0, ts->log_n, &w->fork, &w->fri, w->tp->fri_roots, w->tp->final_poly);
    range_close(&r);
    be->ops->release(be, &layer0); /* the queries open layer 0 through the trace openings */
    return rc == 0 ? 0 : op_failed(w);
}

static void phase_rounds(prove_ctx *ctx, table_work *w) {
    if (round2(ctx, w) == 0 && round3(ctx, w) == 0) round4(ctx, w);
}

/* Opens trace rows x = D row i and -x = row i + M/2 of c for the q query indices i: the adjacent
 * leaves k = bitrev(i), k + 1, all in one backend call. The proof keeps both rows (rows: q pairs
 * of rows, the backend's layout) and the path above the pair (paths: q x (log_lde - 1)); the
 * verifier hashes the rows. leaves (2q) and scratch (2q x log_lde) are the caller's. */
static int open_pairs(sb_backend *be, sb_op *op, sb_matrix *c, unsigned log_lde, const size_t *queries, unsigned q,
                      size_t *leaves, sb_digest *scratch, uint64_t *rows, sb_digest *paths) {
    for (unsigned j = 0; j < q; j++) {
        leaves[2 * j] = (size_t)bit_reverse_index(queries[j], log_lde);
        leaves[2 * j + 1] = leaves[2 * j] + 1;
    }
    if (be->ops->open_many(be, op, c, leaves, 2 * (size_t)q, rows, scratch) != 0) return -1;
    for (unsigned j = 0; j < q; j++)
        memcpy(paths + j * (log_lde - 1), scratch + 2 * j * log_lde + 1, (log_lde - 1) * sizeof *paths);
    return 0;
}

static void phase_queries(prove_ctx *ctx, table_work *w) {
    const sb_table_shape *ts = w->ts;
    sb_table_proof *tp = w->tp;
    const unsigned q = ctx->proof.shape.n_queries;
    const size_t *queries = ctx->queries + w->t * q;
    sb_range r = table_range(ctx, w, SB_R4_QUERIES);
    size_t *leaves = malloc(2 * (size_t)q * sizeof *leaves);
    sb_digest *scratch = malloc(2 * (size_t)q * ts->log_lde * sizeof *scratch);
    if (!leaves || !scratch)
        table_fail(w, "table %s: %s", "out of memory for the query openings");
    else if (open_pairs(ctx->be, &w->op, &w->main, ts->log_lde, queries, q, leaves, scratch, tp->main_rows,
                        tp->main_paths) != 0 ||
             open_pairs(ctx->be, &w->op, &w->aux, ts->log_lde, queries, q, leaves, scratch, tp->aux_rows,
                        tp->aux_paths) != 0 ||
             open_pairs(ctx->be, &w->op, &w->parts, ts->log_lde, queries, q, leaves, scratch, tp->parts_rows,
                        tp->parts_paths) != 0 ||
             sb_fri_open(ctx->be, &w->op, &w->fri, queries, q, tp->fri_siblings, ts->n_fri_roots, tp->fri_paths,
                         ts->fri_path) != 0)
        table_fail(w, "table %s: opening failed: %s", backend_reason(&w->op));
    free(leaves);
    free(scratch);
    range_close(&r);
}

/* ---- running the phases over tables ------------------------------------------------ */

typedef void (*phase_fn)(prove_ctx *ctx, table_work *w);

typedef struct runner {
    prove_ctx *ctx;
    phase_fn fn;
    atomic_size_t next;
} runner;

static void *runner_thread(void *arg) {
    runner *r = arg;
    if (r->ctx->cfg->threads) omp_set_num_threads((int)r->ctx->cfg->threads);
    size_t n = r->ctx->proof.shape.n_tables;
    for (size_t t; (t = atomic_fetch_add(&r->next, 1)) < n;) r->fn(r->ctx, &r->ctx->w[t]);
    return NULL;
}

/* Runs fn on every table, cfg->tp at a time; returns 0, or -1 with the first failing table's reason. */
static int run_tables(prove_ctx *ctx, phase_fn fn, char *err, size_t errlen) {
    size_t n = ctx->proof.shape.n_tables, tp = ctx->cfg->tp > 1 ? ctx->cfg->tp : 1;
    if (tp > n) tp = n;
    runner r = {ctx, fn, 0};
    pthread_t th[SB_MAX_TABLES];
    size_t started = 0;
    for (; tp > 1 && started < tp; started++)
        if (pthread_create(&th[started], NULL, runner_thread, &r) != 0) break;
    runner_thread(&r); /* the calling thread works too (and alone when tp = 1 or threads ran out) */
    for (size_t k = 0; k < started; k++) pthread_join(th[k], NULL);
    for (size_t t = 0; t < n; t++)
        if (ctx->w[t].failed) {
            snprintf(err, errlen, "%.*s", (int)sizeof ctx->w[t].err, ctx->w[t].err);
            return -1;
        }
    return 0;
}

/* ---- the proof ----------------------------------------------------------------------- */

/* Everything between the statement and the serialized proof. */
static int prove_rounds(prove_ctx *ctx, char *err, size_t errlen) {
    const sb_air *air = ctx->air;
    sb_backend *be = ctx->be;
    sb_proof_shape *s = &ctx->proof.shape;
    sb_range r = range_open(ctx->ranges, "", SB_R1_MAIN_TRACE);
    ctx->global_op.op = SB_RANGE_NAME(SB_R1_MAIN_TRACE);
    int rc = be->ops->main_trace(be, &ctx->global_op, air, &ctx->pub, ctx->cfg->blowup, ctx->main_trace);
    range_close(&r);
    if (rc != 0) {
        snprintf(err, errlen, "main trace: %s", backend_reason(&ctx->global_op));
        return -1;
    }
    if (run_tables(ctx, phase_main, err, errlen) != 0) return -1;
    for (size_t t = 0; t < s->n_tables; t++) transcript_absorb_digest(&ctx->shared, ctx->proof.t[t].main_root.b);
    for (size_t i = 0; i < air->n_challenges; i++) ctx->challenges[i] = transcript_squeeze_fp3(&ctx->shared);

    fp3_t sums[SB_MAX_TABLES];
    r = range_open(ctx->ranges, "", SB_R1_AUX_TRACE);
    ctx->global_op.op = SB_RANGE_NAME(SB_R1_AUX_TRACE);
    rc = be->ops->aux_trace(be, &ctx->global_op, air, &ctx->pub, ctx->cfg->blowup, ctx->main_trace, ctx->challenges,
                            ctx->aux_trace, sums);
    range_close(&r);
    for (size_t t = 0; t < s->n_tables; t++) /* the main LDEs hold everything later rounds need */
        be->ops->release(be, &ctx->main_trace[t]);
    if (rc != 0) {
        snprintf(err, errlen, "aux trace: %s", backend_reason(&ctx->global_op));
        return -1;
    }
    for (size_t t = 0; t < s->n_tables; t++) ctx->proof.t[t].claimed_sum = sums[t];
    if (run_tables(ctx, phase_aux, err, errlen) != 0) return -1;
    for (size_t t = 0; t < s->n_tables; t++) transcript_absorb_digest(&ctx->shared, ctx->proof.t[t].aux_root.b);
    for (size_t t = 0; t < s->n_tables; t++) transcript_absorb_fp3(&ctx->shared, sums[t]);

    /* Rounds 2-4 per table on its own fork: concurrent, and the bytes do not depend on the order. */
    for (size_t t = 0; t < s->n_tables; t++) ctx->w[t].fork = transcript_fork(&ctx->shared, t);
    if (run_tables(ctx, phase_rounds, err, errlen) != 0) return -1;
    for (size_t t = 0; t < s->n_tables; t++) ctx->forks[t] = ctx->w[t].fork;
    sb_stark_join(&ctx->shared, ctx->forks, s->n_tables);

    r = range_open(ctx->ranges, "", SB_R4_GRINDING);
    uint8_t seed[32];
    transcript_squeeze_bytes(&ctx->shared, seed);
    ctx->global_op.op = SB_RANGE_NAME(SB_R4_GRINDING);
    rc = ctx->be->ops->rounds->grind(ctx->be, &ctx->global_op, seed, &ctx->proof.nonce);
    range_close(&r);
    if (rc != 0) {
        snprintf(err, errlen, "grinding failed: %s", backend_reason(&ctx->global_op));
        return -1;
    }
    transcript_absorb_u64(&ctx->shared, ctx->proof.nonce);
    ctx->queries = malloc(s->n_tables * s->n_queries * sizeof *ctx->queries);
    if (!ctx->queries) {
        snprintf(err, errlen, "out of memory for the query indices");
        return -1;
    }
    sb_stark_draw_queries(&ctx->shared, s, ctx->queries);
    return run_tables(ctx, phase_queries, err, errlen);
}

static void ctx_free(prove_ctx *ctx) {
    for (size_t t = 0; t < SB_MAX_TABLES; t++) {
        table_work *w = &ctx->w[t];
        ctx->be->ops->release(ctx->be, &ctx->main_trace[t]);
        ctx->be->ops->release(ctx->be, &ctx->aux_trace[t]);
        if (w->air) {
            ctx->be->ops->release(ctx->be, &w->main);
            ctx->be->ops->release(ctx->be, &w->aux);
            ctx->be->ops->release(ctx->be, &w->parts);
            sb_fri_prover_free(ctx->be, &w->fri);
        }
    }
    free(ctx->queries);
    sb_proof_release(&ctx->proof);
}

int sb_stark_prove(const sb_air *air, const sb_prove_config *cfg, sb_backend *be, sb_ranges *ranges, sb_proof *out,
                   char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    prove_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ctx->air = air;
    ctx->cfg = cfg;
    ctx->be = be;
    ctx->ranges = ranges;
    ctx->global_op.table = "";
    int prev_threads = omp_get_max_threads();
    if (cfg->threads) omp_set_num_threads((int)cfg->threads);
    sb_range whole = range_open(ranges, "", SB_PROVE);
    int rc = -1;
    char why[200];
    if (sb_proof_shape_init(air, cfg->log_steps, cfg->blowup, &ctx->proof.shape, why, sizeof why) != 0)
        snprintf(err, errlen, "unsupported parameters: %s", why);
    else if (air->public_values(cfg->log_steps, &ctx->pub) != 0)
        snprintf(err, errlen, "the machine does not support 2^%u steps", cfg->log_steps);
    else if (sb_proof_alloc(&ctx->proof) != 0)
        snprintf(err, errlen, "out of memory for the proof");
    else {
        ctx->proof.output = ctx->pub.output;
        for (size_t t = 0; t < air->n_tables; t++) {
            table_work *w = &ctx->w[t];
            w->t = t;
            w->air = &air->tables[t];
            w->ts = &ctx->proof.shape.t[t];
            w->tp = &ctx->proof.t[t];
            w->op.table = w->air->name;
        }
        sb_stark_begin(&ctx->shared, air, &ctx->proof.shape, &ctx->pub);
        rc = prove_rounds(ctx, err, errlen);
        if (rc == 0 && sb_proof_serialize(&ctx->proof, &out->bytes, &out->len) != 0) {
            snprintf(err, errlen, "out of memory serializing the proof");
            rc = -1;
        }
        if (rc == 0) out->pub = ctx->pub;
    }
    ctx_free(ctx);
    free(ctx);
    range_close(&whole);
    omp_set_num_threads(prev_threads);
    return rc;
}
