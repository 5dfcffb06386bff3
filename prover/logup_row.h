/* The fib AIR's LogUp aux columns, chunk by chunk, written once for the host and the device
 * (SB_HD): air_fib.c's gen_aux (OpenMP over chunks) and kernels/logup.cu (one thread a chunk) both
 * build every table's aux columns and claimed sum with these functions (docs/AIR.md defines the
 * columns, docs/ARCHITECTURE.md "Trace on the device" the chunking and the scan).
 *
 * A table's rows are cut into chunks of chunk_rows rows (the last one shorter). For a chunk,
 * sb_logup_chunk_terms writes each row's term of the running sum (and the cpu table's helpers
 * H0, H1) with one field inversion: Montgomery's trick over the chunk, the running product kept
 * in each row's running-sum cell until the backward pass, which recomputes the row's
 * denominators and inverts them with a local Montgomery, so no scratch beyond the output exists.
 * The chunks' totals, scanned (sb_logup_exclusive_scan), give each chunk's offset, and
 * sb_logup_chunk_sums turns the terms into the running sum from that offset. Inverses and field
 * sums are unique, so any chunking gives the same bytes.
 *
 * The denominators are the constraints header's (prover/air_fib_constraints_impl.h) base-field
 * instantiation of the includer: define LOGUP_DENOM(name) to its name (air_fib.c: name##_base;
 * kernels/logup.cu: name##_dev) before including this header. */
#ifndef SB_LOGUP_ROW_H
#define SB_LOGUP_ROW_H

#include <stddef.h>
#include <stdint.h>

#include "air.h"
#include "air_fib.h"
#include "fp3.h"

#ifndef LOGUP_DENOM
#error "define LOGUP_DENOM(name) as the base-field instantiation of air_fib_constraints_impl.h"
#endif

/* The LogUp challenges: pw[i] = alpha^(i+1) (air.h's challenge powers), gamma. */
typedef struct sb_logup_challenges {
    fp3_t pw[SB_AIR_CHALLENGE_POWERS];
    fp3_t gamma;
} sb_logup_challenges;

/* One table's side of the bus. The cpu table (mult NULL): FIB_CPU_FRACTIONS fractions of
 * multiplicity -1 per row (cpu_denominators of its main row), aux FIB_CPU_AUX_COLS columns. The
 * program and range tables: one fraction mult[r * mult_cols] / (gamma - message of the width
 * values at rows + r * cols + tuple), aux one column. */
typedef struct sb_logup_table {
    const uint64_t *rows;   /* the rows the denominators come from (row-major, cols values a row) */
    const uint64_t *mult;   /* the multiplicity of row 0 (then every mult_cols values), or NULL: cpu */
    fp3_t *aux;             /* the aux columns (row-major, aux_cols fp3 a row) */
    uint64_t n;             /* rows */
    uint64_t tag;           /* program and range: the message's tag */
    unsigned cols, tuple, width, mult_cols, aux_cols;
} sb_logup_table;

/* Writes the challenges' form the chunks use from challenges[FIB_N_CHALLENGES] (host only). */
static inline void sb_logup_challenges_make(const fp3_t *challenges, sb_logup_challenges *c) {
    sb_challenge_powers(challenges[FIB_CH_ALPHA], c->pw);
    c->gamma = challenges[FIB_CH_GAMMA];
}

/* A table's side from its fields (sb_logup_table's order, less the pointers first). */
SB_HD sb_logup_table sb_logup_table_make(const uint64_t *rows, const uint64_t *mult, fp3_t *aux, uint64_t n,
                                         uint64_t tag, unsigned cols, unsigned tuple, unsigned width,
                                         unsigned mult_cols, unsigned aux_cols) {
    sb_logup_table t;
    t.rows = rows, t.mult = mult, t.aux = aux, t.n = n, t.tag = tag;
    t.cols = cols, t.tuple = tuple, t.width = width, t.mult_cols = mult_cols, t.aux_cols = aux_cols;
    return t;
}

/* Fills t[FIB_N_TABLES] for a cpu table of n_cpu rows: the main traces cpu, program, range (row-major
 * as gen_main writes them), the program table's fixed ROM rows (gen_fixed) and the aux outputs. */
SB_HD void sb_logup_tables(uint64_t n_cpu, const uint64_t *cpu, const uint64_t *program, const uint64_t *range,
                           const uint64_t *fixed, fp3_t *const aux[FIB_N_TABLES], sb_logup_table t[FIB_N_TABLES]) {
    t[FIB_TABLE_CPU] = sb_logup_table_make(cpu, NULL, aux[FIB_TABLE_CPU], n_cpu, 0, FIB_CPU_COLS, 0, 0, 0,
                                           FIB_CPU_AUX_COLS);
    t[FIB_TABLE_PROGRAM] = sb_logup_table_make(fixed, program + FIB_PROG_MULT, aux[FIB_TABLE_PROGRAM],
                                               (uint64_t)1 << FIB_LOG_PROGRAM, FIB_TAG_PROGRAM, FIB_PROG_FIXED_COLS,
                                               0, FIB_ROM_WIDTH, FIB_PROG_MAIN_COLS, 1);
    t[FIB_TABLE_RANGE] = sb_logup_table_make(range, range + FIB_RANGE_MULT, aux[FIB_TABLE_RANGE],
                                             (uint64_t)1 << FIB_LOG_RANGE, FIB_TAG_RANGE, FIB_RANGE_COLS,
                                             FIB_RANGE_VALUE, 1, FIB_RANGE_COLS, 1);
}

/* Chunks of chunk_rows rows (>= 1) in n rows. */
SB_HD uint64_t sb_logup_chunks(uint64_t n, uint64_t chunk_rows) { return (n + chunk_rows - 1) / chunk_rows; }

/* Rows of chunk c of n rows: chunk_rows, fewer for the last. */
SB_HD uint64_t sb_logup_chunk_len(uint64_t n, uint64_t chunk_rows, uint64_t c) {
    const uint64_t lo = c * chunk_rows;
    return n - lo < chunk_rows ? n - lo : chunk_rows;
}

/* Row r's running-sum cell. */
SB_HD fp3_t *sb_logup_sum_cell(const sb_logup_table *t, uint64_t r) {
    return t->aux + r * t->aux_cols + (t->mult ? FIB_TABLE_AUX_SUM : FIB_CPU_AUX_SUM);
}

/* Row r's denominators x[0 .. k) (k = FIB_CPU_FRACTIONS on the cpu table, else 1) and their
 * prefix products pre[i] = x[0] ... x[i-1]; returns the product of all k. */
SB_HD fp3_t sb_logup_row_denominators(const sb_logup_table *t, const sb_logup_challenges *c, uint64_t r,
                                      fp3_t x[FIB_CPU_FRACTIONS], fp3_t pre[FIB_CPU_FRACTIONS]) {
    const uint64_t *row = t->rows + r * t->cols;
    int k = 1;
    if (t->mult) {
        x[0] = LOGUP_DENOM(denominator)(c->gamma, t->tag, row + t->tuple, (int)t->width, c->pw);
    } else {
        LOGUP_DENOM(cpu_denominators)(row, c->pw, c->gamma, x);
        k = FIB_CPU_FRACTIONS;
    }
    fp3_t p = x[0];
    pre[0] = fp3_one();
    for (int i = 1; i < k; i++) {
        pre[i] = p;
        p = fp3_mul(p, x[i]);
    }
    return p;
}

/* Writes the terms of rows lo .. lo + len - 1 to their running-sum cells (the cpu table: with its
 * helpers H0 = -(1/x0 + 1/x1), H1 = -(1/x2 + 1/x3) and the term H0 + H1 - 1/x4; a table: mult / x)
 * and their sum to *total. Returns 0, or -1 when a denominator is 0 (*total is then 0 and the
 * cells hold products). */
SB_HD int sb_logup_chunk_terms(const sb_logup_table *t, const sb_logup_challenges *c, uint64_t lo, uint64_t len,
                               fp3_t *total) {
    fp3_t x[FIB_CPU_FRACTIONS], pre[FIB_CPU_FRACTIONS], acc = fp3_one();
    for (uint64_t r = lo; r < lo + len; r++) {
        *sb_logup_sum_cell(t, r) = acc;
        acc = fp3_mul(acc, sb_logup_row_denominators(t, c, r, x, pre));
    }
    *total = fp3_zero();
    if (fp3_is_zero(acc)) return -1;
    fp3_t inv = fp3_inv(acc), s = fp3_zero();
    for (uint64_t r = lo + len; r-- > lo;) {
        const fp3_t prod = sb_logup_row_denominators(t, c, r, x, pre);
        fp3_t *cell = sb_logup_sum_cell(t, r);
        fp3_t inv_row = fp3_mul(inv, *cell), term; /* 1 / prod */
        inv = fp3_mul(inv, prod);
        if (t->mult) {
            term = fp3_mul_base(inv_row, t->mult[r * t->mult_cols]);
        } else {
            fp3_t y[FIB_CPU_FRACTIONS];
            for (int i = FIB_CPU_FRACTIONS - 1; i > 0; i--) { /* y[i] = pre[i] (x[i+1] ... x[4]) / prod = 1 / x[i] */
                y[i] = fp3_mul(inv_row, pre[i]);
                inv_row = fp3_mul(inv_row, x[i]);
            }
            y[0] = inv_row;
            const fp3_t h0 = fp3_neg(fp3_add(y[0], y[1])), h1 = fp3_neg(fp3_add(y[2], y[3]));
            fp3_t *a = t->aux + r * t->aux_cols;
            a[FIB_CPU_AUX_H0] = h0;
            a[FIB_CPU_AUX_H1] = h1;
            term = fp3_sub(fp3_add(h0, h1), y[4]);
        }
        *cell = term;
        s = fp3_add(s, term);
    }
    *total = s;
    return 0;
}

/* Turns the terms of rows lo .. lo + len - 1 into the running sum that starts from offset (the
 * sum of every earlier row's term). */
SB_HD void sb_logup_chunk_sums(const sb_logup_table *t, uint64_t lo, uint64_t len, fp3_t offset) {
    for (uint64_t r = lo; r < lo + len; r++) {
        fp3_t *cell = sb_logup_sum_cell(t, r);
        offset = fp3_add(offset, *cell);
        *cell = offset;
    }
}

/* Replaces v[0 .. n) by offset + the sum of the values before each; returns offset + the sum of all. */
SB_HD fp3_t sb_logup_exclusive_scan(fp3_t *v, uint64_t n, fp3_t offset) {
    for (uint64_t i = 0; i < n; i++) {
        const fp3_t x = v[i];
        v[i] = offset;
        offset = fp3_add(offset, x);
    }
    return offset;
}

#endif
