/* The fib AIR's main trace, row by row, written once for the host and the device (SB_HD): the
 * program table's ROM tuple, one cpu-table row from the machine state before its cycle, a segment
 * of rows re-executed from a snapshot with its BNE inverse witnesses, and the table rows a cpu row
 * looks up. air_fib.c and exec_record.c build the host trace with these; kernels/trace.cu the
 * device's (docs/AIR.md lays out the columns, docs/ARCHITECTURE.md "Trace on the device"). */
#ifndef SB_TRACE_ROW_H
#define SB_TRACE_ROW_H

#include <stddef.h>
#include <stdint.h>

#include "air_fib.h"
#include "field.h"
#include "rv64.h"
#include "rv64_step.h"

/* Returns 16-bit limb k of v (least significant first). */
SB_HD uint64_t fib_limb(uint64_t v, int k) { return (v >> (FIB_LIMB_BITS * k)) & 0xffff; }

/* Returns the signed immediate as a field element (negative offsets are p - |imm|). */
SB_HD uint64_t fib_imm_field(int64_t imm) { return imm >= 0 ? (uint64_t)imm : GL_P - (0 - (uint64_t)imm); }

/* Writes the program-table tuple of instruction in at pc to t[0 .. FIB_ROM_WIDTH) (FIB_ROM_* order). */
SB_HD void fib_rom_tuple(const rv64_insn *in, uint64_t pc, uint64_t *t) {
    t[FIB_ROM_PC] = pc;
    for (int op = 0; op < RV64_NOPS; op++) t[FIB_ROM_SEL + op] = (uint64_t)(in->op == (rv64_op)op);
    t[FIB_ROM_RD] = in->rd;
    t[FIB_ROM_RS1] = in->rs1;
    t[FIB_ROM_RS2] = in->rs2;
    for (int k = 0; k < FIB_LIMBS; k++) t[FIB_ROM_IMM + k] = fib_limb((uint64_t)in->imm, k);
    t[FIB_ROM_IMM_F] = fib_imm_field(in->imm);
}

/* Writes v's four limbs to dst[0..4). */
SB_HD void fib_put_limbs(uint64_t *dst, uint64_t v) {
    for (int k = 0; k < FIB_LIMBS; k++) dst[k] = fib_limb(v, k);
}

/* Returns the 64-bit value whose limbs are src[0..4). */
SB_HD uint64_t fib_get_limbs(const uint64_t *src) {
    uint64_t v = 0;
    for (int k = FIB_LIMBS - 1; k >= 0; k--) v = (v << FIB_LIMB_BITS) | src[k];
    return v;
}

/* Fills the cpu row (FIB_CPU_COLS values) of the cycle that executes in from state s, except the
 * BNE inverse witnesses U and V, which it leaves 0 (fib_ne_witness says which one the row needs). */
SB_HD void fib_cpu_fill_row(uint64_t *row, const rv64_state *s, const rv64_insn *in) {
    uint64_t t[FIB_ROM_WIDTH];
    fib_rom_tuple(in, s->pc, t);
    for (int c = 0; c < FIB_CPU_COLS; c++) row[c] = 0;
    row[FIB_CPU_PC] = s->pc;
    for (int j = 1; j < RV64_NREGS; j++) fib_put_limbs(&row[FIB_CPU_X(j, 0)], s->x[j]);
    for (int op = 0; op < RV64_NOPS; op++) row[FIB_CPU_SEL(op)] = t[FIB_ROM_SEL + op];
    row[FIB_CPU_RD(t[FIB_ROM_RD])] = 1;
    row[FIB_CPU_RS1(t[FIB_ROM_RS1])] = 1;
    row[FIB_CPU_RS2(t[FIB_ROM_RS2])] = 1;
    for (int k = 0; k < FIB_LIMBS; k++) row[FIB_CPU_IMM(k)] = t[FIB_ROM_IMM + k];
    row[FIB_CPU_IMM_F] = t[FIB_ROM_IMM_F];

    const uint64_t a = s->x[in->rs1], b = s->x[in->rs2];
    fib_put_limbs(&row[FIB_CPU_A(0)], a);
    fib_put_limbs(&row[FIB_CPU_B(0)], b);
    if (in->op == RV64_JAL) {
        fib_put_limbs(&row[FIB_CPU_C(0)], s->pc + 4);
    } else {
        const uint64_t b_eff = in->op == RV64_ADD ? b : (in->op == RV64_BNE ? 0 : (uint64_t)in->imm);
        uint64_t carry = 0;
        for (int k = 0; k < FIB_LIMBS; k++) {
            const uint64_t sum = fib_limb(a, k) + fib_limb(b_eff, k) + carry;
            row[FIB_CPU_C(k)] = sum & 0xffff;
            row[FIB_CPU_CARRY(k)] = carry = sum >> FIB_LIMB_BITS;
        }
    }
    row[FIB_CPU_NE] = a != b;
}

/* The BNE inverse witness of a row whose operands are a and b: returns the column that holds 1/d
 * (FIB_CPU_U when the low halves differ, else FIB_CPU_V when the high halves do) and writes the
 * difference d (non-zero) to *d; returns 0 when a = b (both witnesses stay 0). */
SB_HD int fib_ne_witness(uint64_t a, uint64_t b, uint64_t *d) {
    const uint64_t d_lo = gl_sub(a & 0xffffffffu, b & 0xffffffffu), d_hi = gl_sub(a >> 32, b >> 32);
    *d = d_lo ? d_lo : d_hi;
    return d_lo ? FIB_CPU_U : d_hi ? FIB_CPU_V : 0;
}

/* The witness column of a filled row (fib_ne_witness of its operands) and its difference *d. */
SB_HD int fib_row_witness(const uint64_t *row, uint64_t *d) {
    return fib_ne_witness(fib_get_limbs(&row[FIB_CPU_A(0)]), fib_get_limbs(&row[FIB_CPU_B(0)]), d);
}

/* Executes `count` cycles of code (len decoded words) from state st, filling one cpu row per
 * cycle at rows[0 .. count * FIB_CPU_COLS), inverse witnesses included: Montgomery's trick over
 * the segment (the witness cell holds the product of the earlier differences until the backward
 * pass, which recomputes each difference from the row's operands), so no scratch is needed.
 * Returns 0, or -1 when the pc leaves the program (rows are then partly written). */
SB_HD int fib_trace_segment(const rv64_insn *code, size_t len, rv64_state st, uint64_t *rows, uint64_t count) {
    uint64_t acc = 1, d;
    for (uint64_t r = 0; r < count; r++) {
        uint64_t *row = rows + r * FIB_CPU_COLS;
        const rv64_insn *in = rv64_fetch(code, len, &st);
        if (!in) return -1;
        fib_cpu_fill_row(row, &st, in);
        const int w = fib_row_witness(row, &d);
        if (w) {
            row[w] = acc;
            acc = gl_mul(acc, d);
        }
        rv64_execute(in, &st);
    }
    uint64_t inv = gl_inv(acc); /* 1 / (product of every difference) */
    for (uint64_t r = count; r-- > 0;) {
        uint64_t *row = rows + r * FIB_CPU_COLS;
        const int w = fib_row_witness(row, &d);
        if (w) {
            row[w] = gl_mul(inv, row[w]);
            inv = gl_mul(inv, d);
        }
    }
    return 0;
}

/* No table row (a lookup outside the table). */
#define FIB_NO_ROW UINT64_MAX

/* Returns the program-table row that a cpu row looks up (its pc / 4), or FIB_NO_ROW when its pc is
 * not a word of the ROM (rom_len words). */
SB_HD uint64_t fib_program_row(const uint64_t *row, uint64_t rom_len) {
    const uint64_t pc = row[FIB_CPU_PC];
    return pc % 4 == 0 && pc / 4 < rom_len ? pc / 4 : FIB_NO_ROW;
}

/* Returns the range-table row that a cpu row's result limb k looks up, or FIB_NO_ROW above the table. */
SB_HD uint64_t fib_range_row(const uint64_t *row, int k) {
    const uint64_t v = row[FIB_CPU_C(k)];
    return v < ((uint64_t)1 << FIB_LOG_RANGE) ? v : FIB_NO_ROW;
}

#endif
