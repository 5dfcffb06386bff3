/* The device trace's per-thread work (kernels/trace.cu over prover/trace_row.h) run on the CPU as
 * nvcc compiles it, in the kernels' order, against the host trace (sb_air_fib_gen_main_program),
 * on a machine without a GPU:
 *   expansion: every segment of an execution record re-executed from its snapshot (trace_expand's
 *     thread body), then the multiplicities from the cpu rows, byte-equal to the host's three
 *     tables for 2^8 .. 2^16 rows and snapshot intervals from 1 row to the whole trace;
 *   a corrupted record: one register bit flipped in one snapshot gives a trace that the prover's
 *     constraint check (sb_air_check) rejects at the row before that snapshot, naming the
 *     register's update; a snapshot whose pc leaves the program fails its segment. */
#include <stdlib.h>
#include <string.h>

extern "C" { /* air_check.h has no C++ guard of its own */
#include "air_check.h"
}
#include "air_fib.h"
#include "exec_record.h"
#include "trace_row.h"

#include "check.h"

static void *xmalloc(size_t bytes) {
    void *p = malloc(bytes);
    if (!p) {
        fprintf(stderr, "FAIL: out of memory\n");
        exit(1);
    }
    return p;
}

/* The three main tables from rec: the cpu table segment by segment as trace_expand's threads
 * fill it, then the range values and the multiplicities the kernels count (the same per-row
 * lookups, trace_row.h) for pub's ROM. Returns 0, or -1 when a segment fails (trace_expand's *bad). */
static int expand_dev(const sb_exec_record *rec, const sb_public *pub, uint64_t **main) {
    const uint64_t n = (uint64_t)1 << rec->log_rows, k = (uint64_t)1 << rec->log_k, n_range = 1u << FIB_LOG_RANGE;
    main[FIB_TABLE_CPU] = (uint64_t *)xmalloc(n * FIB_CPU_COLS * sizeof(uint64_t));
    main[FIB_TABLE_PROGRAM] = (uint64_t *)xmalloc((FIB_PROG_MAIN_COLS << FIB_LOG_PROGRAM) * sizeof(uint64_t));
    main[FIB_TABLE_RANGE] = (uint64_t *)xmalloc(n_range * FIB_RANGE_COLS * sizeof(uint64_t));
    int bad = 0;
    for (uint64_t i = 0; i < n / k; i++)
        bad |= fib_trace_segment(rec->code, rec->len, rec->snapshots[i], main[FIB_TABLE_CPU] + i * k * FIB_CPU_COLS, k);
    for (uint64_t v = 0; v < n_range; v++) main[FIB_TABLE_RANGE][v * FIB_RANGE_COLS + FIB_RANGE_VALUE] = v;
    sb_air_fib_count_multiplicities(pub, main);
    return bad ? -1 : 0;
}

static void free_tables(uint64_t **main) {
    for (int t = 0; t < FIB_N_TABLES; t++) free(main[t]), main[t] = NULL;
}

/* The honest statement of 2^log_rows steps, its program and its record at interval 2^log_k. */
static void record(unsigned log_rows, unsigned log_k, sb_public *pub, rv64_program *prog, sb_exec_record *rec) {
    const int ok = sb_air_fib()->public_values(log_rows, pub) == 0 && rv64_fib_program(pub->iterations, prog) == 0 &&
                   sb_exec_record_build(prog, log_rows, log_k, rec) == 0;
    if (!ok) {
        fprintf(stderr, "FAIL: no record of 2^%u steps at interval 2^%u\n", log_rows, log_k);
        exit(1);
    }
}

/* Bytes of each table: the cpu table's a row, the others whole (FIB_TABLE_* order). */
static const size_t table_bytes[FIB_N_TABLES] = {FIB_CPU_COLS * sizeof(uint64_t),
                                                 (FIB_PROG_MAIN_COLS << FIB_LOG_PROGRAM) * sizeof(uint64_t),
                                                 (FIB_RANGE_COLS << FIB_LOG_RANGE) * sizeof(uint64_t)};

static void equal_to_host(unsigned log_rows, unsigned log_k) {
    sb_public pub;
    rv64_program prog;
    sb_exec_record rec;
    record(log_rows, log_k, &pub, &prog, &rec);
    uint64_t *want[FIB_N_TABLES] = {0}, *got[FIB_N_TABLES] = {0};
    CHECK(sb_air_fib_gen_main_program(&prog, &pub, want) == 0, "host trace of 2^%u rows", log_rows);
    CHECK(expand_dev(&rec, &pub, got) == 0, "2^%u rows at interval 2^%u: a segment failed", log_rows, log_k);
    for (int t = 0; t < FIB_N_TABLES; t++) {
        const size_t bytes = t == FIB_TABLE_CPU ? table_bytes[t] << log_rows : table_bytes[t];
        CHECK(want[t] && memcmp(want[t], got[t], bytes) == 0, "2^%u rows at interval 2^%u: table %d differs",
              log_rows, log_k, t);
    }
    free_tables(want);
    free_tables(got);
    sb_exec_record_free(&rec);
}

/* Bit 0 of a1 (x11) flipped in snapshot 5 of 2^10 rows at interval 2^6: rows 320 .. 383 are
 * consistent among themselves, row 319's successor is not its update. */
static void corrupted_snapshot(void) {
    enum { LOG_ROWS = 10, LOG_K = 6, SNAP = 5 };
    sb_public pub;
    rv64_program prog;
    sb_exec_record rec;
    record(LOG_ROWS, LOG_K, &pub, &prog, &rec);
    rec.snapshots[SNAP].x[RV64_A1] ^= 1;
    uint64_t *main[FIB_N_TABLES] = {0};
    CHECK(expand_dev(&rec, &pub, main) == 0, "the corrupted record does not expand");
    fp3_t ch[FIB_N_CHALLENGES];
    for (int i = 0; i < FIB_N_CHALLENGES; i++) ch[i] = fp3_make(rnd() % GL_P, rnd() % GL_P, rnd() % GL_P);
    char msg[256] = "";
    const int rc = sb_air_check(sb_air_fib(), &pub, main, ch, NULL, NULL, msg, sizeof msg);
    CHECK(rc != 0 && strstr(msg, "table cpu: main constraint") && strstr(msg, "'x11 limb 0 update' (domain transition)") &&
              strstr(msg, "fails at row 319"),
          "corrupted snapshot: check returned %d, '%s'", rc, msg);
    free_tables(main);

    /* The same snapshot with a pc past the program: its segment fails, the others expand. */
    rec.snapshots[SNAP].pc = 4 * RV64_PROGRAM_MAX;
    CHECK(expand_dev(&rec, &pub, main) == -1, "a snapshot outside the program expands");
    free_tables(main);
    sb_exec_record_free(&rec);
}

int main(void) {
    for (unsigned log_rows = 8; log_rows <= 16; log_rows += 2) {
        const unsigned log_ks[] = {0, 3, SB_EXEC_LOG_K < log_rows ? SB_EXEC_LOG_K : log_rows, log_rows};
        for (int i = 0; i < 4; i++) equal_to_host(log_rows, log_ks[i]);
    }
    corrupted_snapshot();
    return check_finish("test_trace_dev");
}
