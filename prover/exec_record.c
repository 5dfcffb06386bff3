/* The execution record (exec_record.h): built by one serial run, expanded by segments. */
#include "exec_record.h"

#include <stdio.h>
#include <stdlib.h>

#include "trace_row.h"

int sb_exec_record_build(const rv64_program *prog, unsigned log_rows, unsigned log_k, sb_exec_record *rec) {
    if (log_rows < RV64_MIN_LOG_STEPS || log_rows > RV64_MAX_LOG_STEPS || log_k > log_rows ||
        prog->len > RV64_PROGRAM_MAX)
        return -1;
    rec->log_rows = log_rows, rec->log_k = log_k, rec->len = prog->len;
    for (size_t i = 0; i < prog->len; i++)
        if (rv64_decode(prog->words[i], &rec->code[i])) return -1;
    const uint64_t segments = (uint64_t)1 << (log_rows - log_k), k = (uint64_t)1 << log_k;
    rec->snapshots = malloc(sizeof(rv64_state) * segments);
    if (!rec->snapshots) return -1;
    rv64_state st = {0};
    for (uint64_t s = 0; s < segments; s++) {
        rec->snapshots[s] = st;
        for (uint64_t c = 0; c < k; c++) {
            const rv64_insn *in = rv64_fetch(rec->code, rec->len, &st);
            if (!in) {
                sb_exec_record_free(rec);
                return -1;
            }
            rv64_execute(in, &st);
        }
    }
    const char *corrupt = getenv(SB_CORRUPT_ENV);
    uint64_t i;
    if (corrupt && *corrupt && sb_corrupt_parse(corrupt, &i, NULL, 0) == 0) rec->snapshots[i % segments].x[RV64_A1] ^= 1;
    return 0;
}

int sb_corrupt_parse(const char *value, uint64_t *index, char *err, size_t errlen) {
    char *end;
    const unsigned long long v = strtoull(value, &end, 10);
    if (value[0] < '0' || value[0] > '9' || *end || v > UINT32_MAX) {
        if (err) snprintf(err, errlen, "%s '%s' must be a snapshot index (a decimal count)", SB_CORRUPT_ENV, value);
        return -1;
    }
    *index = v;
    return 0;
}

void sb_exec_record_free(sb_exec_record *rec) {
    free(rec->snapshots);
    rec->snapshots = NULL;
}

int sb_exec_record_expand(const sb_exec_record *rec, uint64_t *cpu) {
    const long segments = 1L << (rec->log_rows - rec->log_k);
    const uint64_t k = (uint64_t)1 << rec->log_k;
    int bad = 0;
#pragma omp parallel for schedule(static) reduction(| : bad)
    for (long s = 0; s < segments; s++)
        bad |= fib_trace_segment(rec->code, rec->len, rec->snapshots[s], cpu + (uint64_t)s * k * FIB_CPU_COLS, k) != 0;
    return bad ? -1 : 0;
}
