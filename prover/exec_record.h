/* The compact record of an execution that the cpu table is expanded from (docs/ARCHITECTURE.md
 * "Trace on the device"): the decoded program and the machine state every K = 2^log_k cycles.
 * The interpreter runs once, serially, on the host and keeps only the snapshots; any number of
 * workers then re-execute the K-cycle segments from their snapshots in parallel and fill their
 * rows (trace_row.h fib_trace_segment): host threads here, one device thread a segment in
 * kernels/trace.cu. At 2^23 cycles and K = 2^10 the record is 8192 states (1.1 MB) instead of
 * the table's 9.3 GB. */
#ifndef SB_EXEC_RECORD_H
#define SB_EXEC_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "rv64.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The default snapshot interval: 2^10 cycles (capped at the trace's length). */
#define SB_EXEC_LOG_K 10

typedef struct sb_exec_record {
    unsigned log_rows;                /* 2^log_rows cycles, one cpu-table row each */
    unsigned log_k;                   /* a snapshot every K = 2^log_k cycles, log_k <= log_rows */
    size_t len;                       /* words of the program, <= RV64_PROGRAM_MAX */
    rv64_insn code[RV64_PROGRAM_MAX]; /* the program, decoded */
    rv64_state *snapshots;            /* 2^(log_rows - log_k) states (malloc'ed): snapshot i is the
                                         state before cycle i K */
} sb_exec_record;

/* The testing switch STARKBENCH_CORRUPT_SNAPSHOT=I (read by every sb_exec_record_build, never
 * cached): the built record's snapshot I (I modulo the snapshot count) gets bit 0 of a1 (x11)
 * flipped, a record that does not match the program, so that the trace expanded from it breaks a
 * constraint at that snapshot's row (an update of a1, or at snapshot 0 the zero initial state);
 * tests/cli_prove.sh checks that the prover refuses it before writing a proof, on each backend. I
 * is a decimal count. */
#define SB_CORRUPT_ENV "STARKBENCH_CORRUPT_SNAPSHOT"

/* Parses a value of STARKBENCH_CORRUPT_SNAPSHOT into *index. Returns 0, or -1 with a one-line
 * reason in err (where err is not NULL). */
int sb_corrupt_parse(const char *value, uint64_t *index, char *err, size_t errlen);

/* Runs prog for 2^log_rows cycles from the zero state (pc 0, every register 0) and records it
 * in *rec with a snapshot every 2^log_k cycles. Returns 0, or -1 (nothing to free) when log_rows
 * is outside [RV64_MIN_LOG_STEPS, RV64_MAX_LOG_STEPS], log_k > log_rows, a word of prog does not
 * decode, the pc leaves the program, or memory runs out. Honours STARKBENCH_CORRUPT_SNAPSHOT. */
int sb_exec_record_build(const rv64_program *prog, unsigned log_rows, unsigned log_k, sb_exec_record *rec);

/* Frees rec's snapshots. */
void sb_exec_record_free(sb_exec_record *rec);

/* Writes the cpu table (2^log_rows x FIB_CPU_COLS, row-major, air_fib.h) of the execution rec
 * records to cpu: its segments in parallel (OpenMP), each re-executed from its snapshot. Returns
 * 0, or -1 when some segment's pc leaves the program (a snapshot the program cannot reach). */
int sb_exec_record_expand(const sb_exec_record *rec, uint64_t *cpu);

#ifdef __cplusplus
}
#endif

#endif
