/* One cycle of the fib_iterative machine (rv64.h), host-and-device (SB_HD): the interpreter
 * (rv64_run), the execution record's builder and its expansions on the host (exec_record.c) and on
 * the device (kernels/trace.cu) all step with these two functions, so no two of them can disagree
 * on what an instruction does. */
#ifndef SB_RV64_STEP_H
#define SB_RV64_STEP_H

#include <stddef.h>
#include <stdint.h>

#include "field.h"
#include "rv64.h"

/* Returns the decoded instruction at st's pc in code (len words, decoded), or NULL when the pc
 * is not a multiple of 4 or leaves the program. */
SB_HD const rv64_insn *rv64_fetch(const rv64_insn *code, size_t len, const rv64_state *st) {
    return st->pc % 4 || st->pc / 4 >= len ? NULL : &code[st->pc / 4];
}

/* Executes in (fetched at st->pc) on *st: 64-bit wrapping arithmetic, x0 stays 0. */
SB_HD void rv64_execute(const rv64_insn *in, rv64_state *st) {
    uint64_t next_pc = st->pc + 4, result = 0;
    switch (in->op) {
    case RV64_ADDI: result = st->x[in->rs1] + (uint64_t)in->imm; break;
    case RV64_ADD: result = st->x[in->rs1] + st->x[in->rs2]; break;
    case RV64_LUI: result = (uint64_t)in->imm; break;
    case RV64_JAL:
        result = st->pc + 4;
        next_pc = st->pc + (uint64_t)in->imm;
        break;
    case RV64_BNE:
        if (st->x[in->rs1] != st->x[in->rs2]) next_pc = st->pc + (uint64_t)in->imm;
        break;
    }
    /* BNE decodes with rd = 0, so every instruction "writes" and x0 discards it. */
    st->x[in->rd] = result;
    st->x[0] = 0;
    st->pc = next_pc;
}

#endif
