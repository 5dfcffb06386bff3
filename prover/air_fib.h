/* The fib_iterative AIR's layout (docs/AIR.md), for code that reads or writes
 * its traces cell by cell (tests, the checker's users). The AIR itself is
 * sb_air_fib() in air.h. */
#ifndef SB_AIR_FIB_H
#define SB_AIR_FIB_H

#include <stdint.h>

#include "air.h"
#include "rv64.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Table order in sb_air_fib()->tables. */
enum { FIB_TABLE_CPU = 0, FIB_TABLE_PROGRAM = 1, FIB_TABLE_RANGE = 2, FIB_N_TABLES = 3 };

/* LogUp bus tags: the first term of every message, distinct per relation. */
#define FIB_TAG_PROGRAM 1
#define FIB_TAG_RANGE 2
/* LogUp challenges: a message is tag + alpha v1 + alpha^2 v2 + ..., a fraction m / (gamma - message). */
enum { FIB_CH_ALPHA = 0, FIB_CH_GAMMA = 1, FIB_N_CHALLENGES = 2 };

#define FIB_LIMBS 4         /* a 64-bit value is four 16-bit limbs, least significant first */
#define FIB_LIMB_BITS 16
#define FIB_LOG_RANGE 16    /* the range table has 2^16 rows */
#define FIB_LOG_PROGRAM 4   /* the program table has 16 rows (RV64_PROGRAM_MAX) */

/* The decoded instruction the CPU looks up in the program table, in message
 * order: pc, the five opcode selectors (rv64_op order), rd, rs1, rs2 (register
 * numbers), the immediate's four limbs (of its 64-bit sign extension), and the
 * immediate as a field element (negative offsets are p - |imm|). */
enum {
    FIB_ROM_PC = 0,
    FIB_ROM_SEL = 1, /* + rv64_op */
    FIB_ROM_RD = 6,
    FIB_ROM_RS1 = 7,
    FIB_ROM_RS2 = 8,
    FIB_ROM_IMM = 9, /* + limb */
    FIB_ROM_IMM_F = 13,
    FIB_ROM_WIDTH = 14
};

/* CPU main columns. Registers x1..x15 (x0 has none); one-hot slots 0..15. */
#define FIB_CPU_PC 0
#define FIB_CPU_X(j, k) (1 + 4 * ((j) - 1) + (k))   /* register j in 1..15, limb k */
#define FIB_CPU_SEL(op) (61 + (op))                 /* opcode selector, op an rv64_op */
#define FIB_CPU_RD(j) (66 + (j))                    /* one-hot rd slot j in 0..15 */
#define FIB_CPU_RS1(j) (82 + (j))
#define FIB_CPU_RS2(j) (98 + (j))
#define FIB_CPU_IMM(k) (114 + (k))                  /* immediate limbs */
#define FIB_CPU_IMM_F 118                           /* immediate as a field element */
#define FIB_CPU_A(k) (119 + (k))                    /* value of rs1 */
#define FIB_CPU_B(k) (123 + (k))                    /* value of rs2 */
#define FIB_CPU_C(k) (127 + (k))                    /* result */
#define FIB_CPU_CARRY(k) (131 + (k))                /* carry out of limb k (the top one is dropped) */
#define FIB_CPU_NE 135                              /* rs1 != rs2 */
#define FIB_CPU_U 136                               /* inverse witness of the low-half difference */
#define FIB_CPU_V 137                               /* inverse witness of the high-half difference */
#define FIB_CPU_COLS 138

/* Program table: main = the multiplicity; fixed = the ROM tuple, then "real". */
#define FIB_PROG_MULT 0
#define FIB_PROG_MAIN_COLS 1
#define FIB_PROG_REAL FIB_ROM_WIDTH
#define FIB_PROG_FIXED_COLS (FIB_ROM_WIDTH + 1)

/* Range table: main = value, multiplicity. */
#define FIB_RANGE_VALUE 0
#define FIB_RANGE_MULT 1
#define FIB_RANGE_COLS 2

/* Constraints per table, in the order of air_fib_constraints_impl.h (air_fib.c names each one). */
#define FIB_CPU_MAIN_CONSTRAINTS 207
#define FIB_CPU_AUX_CONSTRAINTS 5
#define FIB_PROG_MAIN_CONSTRAINTS 1
#define FIB_RANGE_MAIN_CONSTRAINTS 2
#define FIB_TABLE_AUX_CONSTRAINTS 3 /* program and range */
/* The CPU's fractions per row: its program lookup and the range lookups of the four result limbs. */
#define FIB_CPU_FRACTIONS (1 + FIB_LIMBS)

/* Aux (Fp3) columns. The CPU's five fractions per row (program lookup, result
 * limbs 0..3) are paired into two helpers; the fifth is carried by the running
 * sum's constraint, as is the single fraction of the program and range tables. */
#define FIB_CPU_AUX_H0 0  /* program lookup + range lookup of c0 */
#define FIB_CPU_AUX_H1 1  /* range lookups of c1, c2 */
#define FIB_CPU_AUX_SUM 2 /* running sum, its row term adds the range lookup of c3 */
#define FIB_CPU_AUX_COLS 3
#define FIB_TABLE_AUX_SUM 0 /* program and range: the running sum alone */

/* Writes the main traces of every table for an execution of prog over
 * 2^pub->log_steps cycles (the honest gen_main runs rv64_fib_program of
 * pub->iterations; tests pass forged programs). The program table's
 * multiplicities count the CPU rows at each pc of the fib ROM for pub, so a
 * row that prog executes and that ROM lacks stays unbalanced on the bus.
 * main[t] is malloc'ed (caller frees). Returns 0, or -1 if prog does not run. */
int sb_air_fib_gen_main_program(const rv64_program *prog, const sb_public *pub, uint64_t **main);

/* Recomputes the program and range multiplicities from the CPU table (tests
 * that edit CPU rows call it to keep the bus honest). Values outside the
 * tables are not counted. */
void sb_air_fib_count_multiplicities(const sb_public *pub, uint64_t *const *main);

#ifdef __cplusplus
}
#endif

#endif
