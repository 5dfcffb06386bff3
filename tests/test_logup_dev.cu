/* The device LogUp's per-thread work (kernels/logup.cu over prover/logup_row.h, with the device
 * instantiation of the denominators) run on the CPU as nvcc compiles it, in the kernels' order,
 * against the AIR's gen_aux, on a machine without a GPU:
 *   aux columns: every chunk's terms (logup_terms' thread body), each table's chunk totals scanned
 *     as logup_scan's block does (runs of consecutive totals, the runs' sums scanned, each run from
 *     its offset), then every chunk's running sums (logup_sums'); byte-equal to gen_aux's columns
 *     and claimed sums of the three tables for 2^6 .. 2^14 cpu rows, chunks of 1 row to more than
 *     a table (odd chunk counts), blocks of 32, 96 (not a power of two) and 1024 threads; the
 *     result passes the AIR's constraint check;
 *   a zero denominator: gamma equal to the range message of one value makes that range row's
 *     chunk, and only it, report -1 (gen_aux refuses the challenges too). */
#include <stdlib.h>
#include <string.h>

extern "C" { /* air_check.h, backend.h and rounds.h have no C++ guard of their own */
#include "air_check.h"
#include "backend.h"
#include "rounds.h"
}
#include "fib_constraints.cuh"
#include "gpu_logup.h"

#define LOGUP_DENOM(name) name##_dev
#include "logup_row.h"

#include "check.h"
#include "rounds_inputs.h" /* xmalloc, rand_fp3 */

/* One proof's traces: the statement of 2^log_rows steps, its main tables and its ROM rows. */
typedef struct traces {
    sb_public pub;
    uint64_t *main[FIB_N_TABLES];
    uint64_t fixed[FIB_PROG_FIXED_COLS << FIB_LOG_PROGRAM];
} traces;

static void traces_make(unsigned log_rows, traces *tr) {
    const sb_air *air = sb_air_fib();
    if (air->public_values(log_rows, &tr->pub) || air->gen_main(&tr->pub, tr->main)) {
        fprintf(stderr, "FAIL: no main trace of 2^%u rows\n", log_rows);
        exit(1);
    }
    air->tables[FIB_TABLE_PROGRAM].gen_fixed(&tr->pub, tr->fixed);
}

static void traces_free(traces *tr) {
    for (int t = 0; t < FIB_N_TABLES; t++) free(tr->main[t]);
}

static const size_t aux_cols[FIB_N_TABLES] = {FIB_CPU_AUX_COLS, 1, 1};

static size_t aux_bytes(int t, unsigned log_rows) {
    const unsigned log_n = t == FIB_TABLE_CPU ? log_rows : t == FIB_TABLE_PROGRAM ? FIB_LOG_PROGRAM : FIB_LOG_RANGE;
    return sizeof(fp3_t) * aux_cols[t] << log_n;
}

/* logup_scan's block of `runs` threads on one table's m totals: returns the claimed sum. */
static fp3_t scan_as_block(fp3_t *totals, uint64_t m, uint64_t runs) {
    const uint64_t per = (m + runs - 1) / runs;
    fp3_t *run_sums = (fp3_t *)xmalloc(sizeof(fp3_t) * runs);
    for (uint64_t i = 0; i < runs; i++) {
        const uint64_t lo = i * per < m ? i * per : m, len = m - lo < per ? m - lo : per;
        run_sums[i] = fp3_zero();
        for (uint64_t j = 0; j < len; j++) run_sums[i] = fp3_add(run_sums[i], totals[lo + j]);
    }
    const fp3_t claimed = sb_logup_exclusive_scan(run_sums, runs, fp3_zero());
    for (uint64_t i = 0; i < runs; i++) {
        const uint64_t lo = i * per < m ? i * per : m, len = m - lo < per ? m - lo : per;
        sb_logup_exclusive_scan(totals + lo, len, run_sums[i]);
    }
    free(run_sums);
    return claimed;
}

/* The three passes over every table in chunks of chunk_rows rows, the scan by blocks of `runs`
 * threads: aux[t] (allocated here) and claimed. Returns 0, or -1 when a chunk reports a zero
 * denominator. */
static int aux_dev(const traces *tr, const fp3_t *challenges, uint64_t chunk_rows, uint64_t runs, fp3_t **aux,
                   fp3_t *claimed) {
    const unsigned log_rows = tr->pub.log_steps;
    for (int t = 0; t < FIB_N_TABLES; t++) aux[t] = (fp3_t *)xmalloc(aux_bytes(t, log_rows));
    sb_logup_challenges ch;
    sb_logup_challenges_make(challenges, &ch);
    sb_logup_table tab[FIB_N_TABLES];
    sb_logup_tables((uint64_t)1 << log_rows, tr->main[FIB_TABLE_CPU], tr->main[FIB_TABLE_PROGRAM],
                    tr->main[FIB_TABLE_RANGE], tr->fixed, aux, tab);
    int bad = 0;
    for (int t = 0; t < FIB_N_TABLES; t++) {
        const uint64_t chunks = sb_logup_chunks(tab[t].n, chunk_rows);
        fp3_t *totals = (fp3_t *)xmalloc(sizeof(fp3_t) * chunks);
        for (uint64_t c = 0; c < chunks; c++)
            bad |= sb_logup_chunk_terms(&tab[t], &ch, c * chunk_rows, sb_logup_chunk_len(tab[t].n, chunk_rows, c),
                                        &totals[c]);
        claimed[t] = scan_as_block(totals, chunks, runs);
        for (uint64_t c = 0; c < chunks; c++)
            sb_logup_chunk_sums(&tab[t], c * chunk_rows, sb_logup_chunk_len(tab[t].n, chunk_rows, c), totals[c]);
        free(totals);
    }
    return bad ? -1 : 0;
}

static void free_aux(fp3_t **aux) {
    for (int t = 0; t < FIB_N_TABLES; t++) free(aux[t]), aux[t] = NULL;
}

static void equal_to_host(unsigned log_rows) {
    traces tr;
    traces_make(log_rows, &tr);
    const fp3_t ch[FIB_N_CHALLENGES] = {rand_fp3(), rand_fp3()};
    fp3_t *want[FIB_N_TABLES] = {0}, want_claimed[FIB_N_TABLES];
    CHECK(sb_air_fib()->gen_aux(&tr.pub, tr.main, ch, want, want_claimed) == 0, "gen_aux of 2^%u rows", log_rows);
    /* Chunks of 1 row, odd lengths, the device default, one chunk for the program table or the
     * whole cpu table; runs: a warp, a block of 96 (not a power of two), more runs than chunks. */
    const uint64_t chunk_rows[] = {1, 3, 7, SB_LOGUP_CHUNK_ROWS, 100, (uint64_t)1 << log_rows};
    const uint64_t runs[] = {32, 96, 1024};
    for (size_t i = 0; i < sizeof chunk_rows / sizeof *chunk_rows; i++) {
        fp3_t *got[FIB_N_TABLES] = {0}, got_claimed[FIB_N_TABLES];
        const uint64_t r = runs[i % 3];
        CHECK(aux_dev(&tr, ch, chunk_rows[i], r, got, got_claimed) == 0, "2^%u rows, chunks of %llu: a chunk failed",
              log_rows, (unsigned long long)chunk_rows[i]);
        for (int t = 0; t < FIB_N_TABLES; t++) {
            CHECK(want[t] && memcmp(want[t], got[t], aux_bytes(t, log_rows)) == 0 &&
                      fp3_eq(want_claimed[t], got_claimed[t]),
                  "2^%u rows, chunks of %llu, %llu runs: table %d's aux or claimed sum differs", log_rows,
                  (unsigned long long)chunk_rows[i], (unsigned long long)r, t);
        }
        if (i == 1) {
            char msg[256] = "";
            CHECK(sb_air_check(sb_air_fib(), &tr.pub, tr.main, ch, got, got_claimed, msg, sizeof msg) == 0,
                  "2^%u rows: the device aux fails the check: %s", log_rows, msg);
        }
        free_aux(got);
    }
    free_aux(want);
    traces_free(&tr);
}

/* gamma = tag_range + alpha * V: range row V's denominator is 0. */
static void zero_denominator(void) {
    enum { LOG_ROWS = 8, V = 777, CHUNK = 64 };
    traces tr;
    traces_make(LOG_ROWS, &tr);
    fp3_t ch[FIB_N_CHALLENGES];
    ch[FIB_CH_ALPHA] = rand_fp3();
    ch[FIB_CH_GAMMA] = fp3_add_base(fp3_mul_base(ch[FIB_CH_ALPHA], V), FIB_TAG_RANGE);
    fp3_t *aux[FIB_N_TABLES] = {0}, claimed[FIB_N_TABLES];
    CHECK(sb_air_fib()->gen_aux(&tr.pub, tr.main, ch, aux, claimed) == -1, "gen_aux takes a zero denominator");
    free_aux(aux);
    sb_logup_challenges c;
    sb_logup_challenges_make(ch, &c);
    fp3_t *out[FIB_N_TABLES];
    for (int t = 0; t < FIB_N_TABLES; t++) out[t] = (fp3_t *)xmalloc(aux_bytes(t, LOG_ROWS));
    sb_logup_table tab[FIB_N_TABLES];
    sb_logup_tables((uint64_t)1 << LOG_ROWS, tr.main[FIB_TABLE_CPU], tr.main[FIB_TABLE_PROGRAM],
                    tr.main[FIB_TABLE_RANGE], tr.fixed, out, tab);
    const sb_logup_table *range = &tab[FIB_TABLE_RANGE];
    for (uint64_t c0 = 0; c0 < sb_logup_chunks(range->n, CHUNK); c0++) {
        fp3_t total = fp3_one();
        const int rc = sb_logup_chunk_terms(range, &c, c0 * CHUNK, CHUNK, &total);
        const int has_v = c0 == V / CHUNK;
        CHECK(rc == (has_v ? -1 : 0) && (!has_v || fp3_is_zero(total)), "range chunk %llu: returned %d",
              (unsigned long long)c0, rc);
    }
    free_aux(out);
    traces_free(&tr);
}

int main(void) {
    for (unsigned log_rows = RV64_MIN_LOG_STEPS; log_rows <= 14; log_rows += 2) equal_to_host(log_rows);
    zero_denominator();
    return check_finish("test_logup_dev");
}
