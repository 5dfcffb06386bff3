/* The proof format. One walk over the fields (walk_body) serves writing and reading,
 * so the two can never disagree on the layout. */
#include "proof.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fri.h"
#include "prover.h"
#include "rounds.h"

/* magic (8) + version (4) + log_steps (1) + blowup (1) */
#define HEADER_LEN 14

int sb_proof_shape_init(const sb_air *air, unsigned log_steps, unsigned blowup, sb_proof_shape *s, char *why,
                        size_t whylen) {
    memset(s, 0, sizeof *s);
    if (blowup != 2 && blowup != 4 && blowup != 8) { /* MUTANT parse-blowup: if ( => if (0) if ( */
        snprintf(why, whylen, "blowup %u is not 2, 4 or 8", blowup);
        return -1;
    }
    if (log_steps < 1 || log_steps > SB_MAX_LOG_STEPS) { /* MUTANT parse-log-steps: if ( => if (0) if ( */
        snprintf(why, whylen, "log_steps %u is outside 1..%d", log_steps, SB_MAX_LOG_STEPS);
        return -1;
    }
    if (air->n_tables == 0 || air->n_tables > SB_MAX_TABLES || air->n_challenges > SB_AIR_MAX_CHALLENGES) {
        snprintf(why, whylen, "the AIR has %zu tables and %zu challenges (limits %d, %d)", air->n_tables,
                 air->n_challenges, SB_MAX_TABLES, SB_AIR_MAX_CHALLENGES);
        return -1;
    }
    s->log_steps = log_steps;
    s->blowup = blowup;
    s->log_blowup = blowup == 2 ? 1 : blowup == 4 ? 2 : 3;
    s->n_queries = sb_query_count(blowup);
    s->n_tables = air->n_tables;
    sb_public provisional = {log_steps, 0, 0};
    for (size_t t = 0; t < air->n_tables; t++) {
        const sb_table_air *ta = &air->tables[t];
        sb_table_shape *ts = &s->t[t];
        for (size_t i = 0; i < ta->n_main_constraints + ta->n_aux_constraints; i++) {
            uint8_t d = i < ta->n_main_constraints ? ta->main_domains[i] : ta->aux_domains[i - ta->n_main_constraints];
            if (d > SB_DOM_ALL) {
                snprintf(why, whylen, "table %s: constraint %zu has domain %u", ta->name, i, d);
                return -1;
            }
        }
        ts->log_n = ta->log_rows(&provisional);
        ts->log_lde = ts->log_n + s->log_blowup;
        if (ts->log_n < 1 || ts->log_lde > GL_TWO_ADICITY) {
            snprintf(why, whylen, "table %s: 2^%u rows at blowup %u is outside the field's domains", ta->name,
                     ts->log_n, blowup);
            return -1;
        }
        if (ta->n_fixed && ts->log_n > SB_MAX_FIXED_LOG_ROWS) { /* MUTANT fixed-rows-bound: if ( => if (0) if ( */
            snprintf(why, whylen, "table %s: fixed columns on 2^%u rows (the verifier evaluates them; at most 2^%d)",
                     ta->name, ts->log_n, SB_MAX_FIXED_LOG_ROWS);
            return -1;
        }
        ts->n_main = ta->n_main;
        ts->n_fixed = ta->n_fixed;
        ts->n_aux = 3 * ta->n_aux;
        ts->n_parts = 3 * SB_COMPOSITION_PARTS;
        ts->n_ood = 2 * ts->n_main + 2 * ts->n_aux + ts->n_parts;
        ts->n_folds = sb_fri_folds(ts->log_n);
        ts->n_fri_roots = ts->n_folds ? ts->n_folds - 1 : 0;
        ts->n_final = (size_t)1 << (ts->log_n - ts->n_folds);
        ts->trace_path = ts->log_lde - 1;
        ts->fri_path = sb_fri_path_len(ts->log_lde, ts->n_folds);
    }
    return 0;
}

/* ---- one walk, two directions ---------------------------------------------------- */

typedef struct cursor {
    int reading;
    uint8_t *out;      /* writing */
    const uint8_t *in; /* reading */
    size_t pos, len;   /* byte offsets in the whole proof */
    const sb_air *air; /* table names for messages; NULL when writing */
    size_t table;
    char *why;
    size_t whylen;
    int failed;
} cursor;

static void io_bytes(cursor *c, void *v, size_t n) {
    if (c->failed) return;
    if (n > c->len - c->pos) {
        snprintf(c->why, c->whylen, "truncated at byte %zu", c->pos);
        c->failed = 1;
        return;
    }
    if (c->reading) memcpy(v, c->in + c->pos, n);
    else memcpy(c->out + c->pos, v, n);
    c->pos += n;
}

static void io_u64(cursor *c, uint64_t *v) {
    uint8_t b[8];
    if (!c->reading)
        for (int i = 0; i < 8; i++) b[i] = (uint8_t)(*v >> (56 - 8 * i));
    io_bytes(c, b, 8);
    if (c->reading && !c->failed) {
        *v = 0;
        for (int i = 0; i < 8; i++) *v = (*v << 8) | b[i];
    }
}

/* Base field elements: canonical on read. */
static void io_fes(cursor *c, uint64_t *v, size_t n, const char *what) {
    for (size_t i = 0; i < n; i++) {
        size_t at = c->pos;
        io_u64(c, &v[i]);
        if (c->reading && !c->failed && v[i] >= GL_P) { /* MUTANT parse-canonical: if ( => if (0) if ( */
            snprintf(c->why, c->whylen, "non-canonical field element at byte %zu (%s, table %s)", at, what,
                     c->air->tables[c->table].name);
            c->failed = 1;
        }
    }
}

static void io_fp3s(cursor *c, fp3_t *v, size_t n, const char *what) {
    for (size_t i = 0; i < n; i++) io_fes(c, v[i].c, 3, what);
}

static void io_digests(cursor *c, sb_digest *d, size_t n) {
    for (size_t i = 0; i < n; i++) io_bytes(c, d[i].b, 32);
}

/* Everything after the header, in the order of docs/PROTOCOL.md "Proof format". */
static void walk_body(cursor *c, sb_stark_proof *p) {
    const sb_proof_shape *s = &p->shape;
    io_u64(c, &p->output);
    for (size_t t = 0; t < s->n_tables; t++) io_digests(c, &p->t[t].main_root, 1);
    for (size_t t = 0; t < s->n_tables; t++) io_digests(c, &p->t[t].aux_root, 1);
    for (c->table = 0; c->table < s->n_tables; c->table++) io_fp3s(c, &p->t[c->table].claimed_sum, 1, "claimed sum");
    for (c->table = 0; c->table < s->n_tables; c->table++) {
        const sb_table_shape *ts = &s->t[c->table];
        sb_table_proof *tp = &p->t[c->table];
        io_digests(c, &tp->parts_root, 1);
        io_fp3s(c, tp->ood, ts->n_ood, "OOD values");
        io_digests(c, tp->fri_roots, ts->n_fri_roots);
        io_fp3s(c, tp->final_poly, ts->n_final, "final polynomial");
    }
    io_u64(c, &p->nonce);
    for (c->table = 0; c->table < s->n_tables; c->table++) {
        const sb_table_shape *ts = &s->t[c->table];
        sb_table_proof *tp = &p->t[c->table];
        for (size_t q = 0; q < s->n_queries; q++) {
            io_fes(c, tp->main_rows + q * 2 * ts->n_main, 2 * ts->n_main, "main rows");
            io_digests(c, tp->main_paths + q * ts->trace_path, ts->trace_path);
            io_fes(c, tp->aux_rows + q * 2 * ts->n_aux, 2 * ts->n_aux, "aux rows");
            io_digests(c, tp->aux_paths + q * ts->trace_path, ts->trace_path);
            io_fes(c, tp->parts_rows + q * 2 * ts->n_parts, 2 * ts->n_parts, "composition rows");
            io_digests(c, tp->parts_paths + q * ts->trace_path, ts->trace_path);
            sb_digest *path = tp->fri_paths + q * ts->fri_path;
            for (size_t l = 1; l <= ts->n_fri_roots; l++) {
                io_fp3s(c, tp->fri_siblings + q * ts->n_fri_roots + (l - 1), 1, "FRI sibling");
                size_t len = ts->log_lde - l - 1;
                io_digests(c, path, len);
                path += len;
            }
        }
    }
}

/* ---- sizes and allocation ---------------------------------------------------------- */

size_t sb_proof_size(const sb_proof_shape *s) {
    /* The lengths walk_body reads and writes; serialize and parse check that they agree. */
    size_t n = HEADER_LEN + 8 + 8; /* header, output, nonce */
    for (size_t t = 0; t < s->n_tables; t++) {
        const sb_table_shape *ts = &s->t[t];
        n += 32 + 32 + 24;                                                    /* roots, claimed sum */
        n += 32 + 24 * ts->n_ood + 32 * ts->n_fri_roots + 24 * ts->n_final; /* rounds 2-4 */
        n += s->n_queries * (16 * (ts->n_main + ts->n_aux + ts->n_parts) + 32 * 3 * ts->trace_path +
                             24 * ts->n_fri_roots + 32 * ts->fri_path);
    }
    return n;
}

int sb_proof_alloc(sb_stark_proof *p) {
    const sb_proof_shape *s = &p->shape;
    size_t q = s->n_queries;
    for (size_t t = 0; t < s->n_tables; t++) {
        const sb_table_shape *ts = &s->t[t];
        sb_table_proof *tp = &p->t[t];
        size_t n_fp3 = ts->n_ood + ts->n_final + q * ts->n_fri_roots;
        size_t n_u64 = q * 2 * (ts->n_main + ts->n_aux + ts->n_parts);
        size_t n_dig = ts->n_fri_roots + q * (3 * ts->trace_path + ts->fri_path);
        uint8_t *a = calloc(1, n_fp3 * sizeof(fp3_t) + n_u64 * sizeof(uint64_t) + n_dig * sizeof(sb_digest));
        if (!a) {
            sb_proof_release(p);
            return -1;
        }
        tp->arena = a;
        fp3_t *f = (fp3_t *)a;
        tp->ood = f;
        tp->final_poly = f + ts->n_ood;
        tp->fri_siblings = f + ts->n_ood + ts->n_final;
        uint64_t *u = (uint64_t *)(f + n_fp3);
        tp->main_rows = u;
        tp->aux_rows = u + q * 2 * ts->n_main;
        tp->parts_rows = u + q * 2 * (ts->n_main + ts->n_aux);
        sb_digest *d = (sb_digest *)(u + n_u64);
        tp->fri_roots = d;
        tp->main_paths = d + ts->n_fri_roots;
        tp->aux_paths = tp->main_paths + q * ts->trace_path;
        tp->parts_paths = tp->aux_paths + q * ts->trace_path;
        tp->fri_paths = tp->parts_paths + q * ts->trace_path;
    }
    return 0;
}

void sb_proof_release(sb_stark_proof *p) {
    for (size_t t = 0; t < SB_MAX_TABLES; t++) free(p->t[t].arena);
    memset(p->t, 0, sizeof p->t);
}

/* ---- serialize and parse ----------------------------------------------------------- */

static void put_header(uint8_t *out, const sb_proof_shape *s) {
    memcpy(out, SB_PROOF_MAGIC, 8);
    for (int i = 0; i < 4; i++) out[8 + i] = (uint8_t)(SB_PROOF_VERSION >> (24 - 8 * i));
    out[12] = (uint8_t)s->log_steps;
    out[13] = (uint8_t)s->blowup;
}

int sb_proof_serialize(const sb_stark_proof *p, uint8_t **bytes, size_t *len) {
    size_t n = sb_proof_size(&p->shape);
    uint8_t *out = malloc(n);
    if (!out) return -1;
    put_header(out, &p->shape);
    char why[64];
    /* Writing only reads p; the cast lets one walk serve both directions. */
    cursor c = {.out = out, .pos = HEADER_LEN, .len = n, .why = why, .whylen = sizeof why};
    walk_body(&c, (sb_stark_proof *)p);
    if (c.failed || c.pos != n) { /* the size formula and the walk disagree: a bug, never a proof */
        free(out);
        return -1;
    }
    *bytes = out;
    *len = n;
    return 0;
}

int sb_proof_parse(const sb_air *air, const uint8_t *bytes, size_t len, sb_stark_proof *p, char *why,
                   size_t whylen) {
    memset(p, 0, sizeof *p);
    if (len < HEADER_LEN) { /* MUTANT parse-header-length: if ( => if (0) if ( */
        snprintf(why, whylen, "%zu bytes: too short for a proof header", len);
        return -1;
    }
    if (memcmp(bytes, SB_PROOF_MAGIC, 8) != 0) { /* MUTANT parse-magic: if ( => if (0) if ( */
        snprintf(why, whylen, "not a starkbench proof (bad magic)");
        return -1;
    }
    uint32_t version = 0;
    for (int i = 0; i < 4; i++) version = (version << 8) | bytes[8 + i];
    if (version != SB_PROOF_VERSION) { /* MUTANT parse-version: if ( => if (0) if ( */
        snprintf(why, whylen, "proof format version %u (this build reads %u)", version, SB_PROOF_VERSION);
        return -1;
    }
    char reason[200];
    if (sb_proof_shape_init(air, bytes[12], bytes[13], &p->shape, reason, sizeof reason) != 0) {
        snprintf(why, whylen, "unsupported parameters: %s", reason);
        return -1;
    }
    size_t want = sb_proof_size(&p->shape);
    if (len != want) { /* MUTANT parse-length: if ( => if (0) if ( */
        snprintf(why, whylen, "%zu bytes where log_steps %u, blowup %u need exactly %zu (%s)", len,
                 p->shape.log_steps, p->shape.blowup, want, len < want ? "truncated" : "trailing bytes");
        return -1;
    }
    if (sb_proof_alloc(p) != 0) {
        snprintf(why, whylen, "out of memory for a %zu-byte proof", len);
        return -1;
    }
    cursor c = {.reading = 1, .in = bytes, .pos = HEADER_LEN, .len = len, .air = air, .why = why, .whylen = whylen};
    walk_body(&c, p);
    if (!c.failed && c.pos != len) {
        snprintf(why, whylen, "internal: the proof layout read %zu of %zu bytes", c.pos, len);
        c.failed = 1;
    }
    if (c.failed) {
        sb_proof_release(p);
        return -1;
    }
    return 0;
}
