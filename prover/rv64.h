/* The fib_iterative machine: a tiny RV64 subset (docs/AIR.md "The machine").
 *
 * Registers x0..x15 (x0 reads 0, writes to it are discarded), 64-bit wrapping
 * arithmetic, byte-addressed pc with 4-byte instructions starting at 0. Real
 * RV64 instruction words: ADDI, ADD, BNE, JAL, LUI; anything else is rejected.
 * `jal x0, 0` is the halt: a self-loop, so the execution can be padded with it. */
#ifndef SB_RV64_H
#define SB_RV64_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RV64_NREGS 16
/* ABI names of the registers fib_iterative uses. */
#define RV64_A0 10
#define RV64_A1 11
#define RV64_A2 12
#define RV64_A3 13

typedef enum rv64_op { RV64_ADDI = 0, RV64_ADD = 1, RV64_BNE = 2, RV64_JAL = 3, RV64_LUI = 4 } rv64_op;
#define RV64_NOPS 5

/* A decoded instruction. Fields an encoding lacks are 0 (e.g. BNE has rd = 0,
 * JAL and LUI have rs1 = rs2 = 0, ADD has imm = 0), so a decoded ADDI/LUI/JAL
 * reads x0 where it reads nothing. imm is the sign-extended immediate as the
 * instruction uses it: ADDI imm12, BNE/JAL the byte offset, LUI imm20 << 12. */
typedef struct rv64_insn {
    rv64_op op;
    unsigned rd, rs1, rs2; /* < RV64_NREGS */
    int64_t imm;
} rv64_insn;

/* Encodes in as an RV64 word into *word. Returns 0, or -1 if a register is
 * >= 16 or the immediate does not fit its format (ADDI: [-2048, 2047]; BNE: even
 * in [-4096, 4094]; JAL: even in [-2^20, 2^20 - 2]; LUI: a multiple of 4096 in
 * [-2^31, 2^31 - 4096]) or a field the format lacks is non-zero. */
int rv64_encode(const rv64_insn *in, uint32_t *word);

/* Decodes word into *out. Returns 0, or -1 for anything but the five
 * instructions above with registers < 16. */
int rv64_decode(uint32_t word, rv64_insn *out);

#define RV64_PROGRAM_MAX 16

/* A program: words[i] sits at pc = 4 i. */
typedef struct rv64_program {
    size_t len;
    uint32_t words[RV64_PROGRAM_MAX];
} rv64_program;

/* Assembles fib_iterative for n >= 1 iterations (docs/AIR.md "The program"): a0 = 0, a1 = 1,
 * a2 = n (one ADDI when n < 2048, else LUI + ADDI), the 5-instruction loop,
 * then the halt `jal x0, 0` as the last word. Returns 0, or -1 if n is 0 or
 * n >= 2^31 - 2048 (a2 must load as a positive 32-bit value). */
int rv64_fib_program(uint64_t n, rv64_program *prog);

/* Returns the pc of the halt (the last word) of rv64_fib_program(n). */
uint64_t rv64_fib_halt_pc(uint64_t n);

/* Returns the number of instructions before the loop (3 or 4) for n iterations. */
unsigned rv64_fib_prologue(uint64_t n);

/* Returns n(S): the largest n whose execution (prologue + 5 n cycles) and at
 * least one halt row fit 2^log_steps rows (docs/AIR.md), or 0 if log_steps is
 * outside [RV64_MIN_LOG_STEPS, RV64_MAX_LOG_STEPS]. */
#define RV64_MIN_LOG_STEPS 6
#define RV64_MAX_LOG_STEPS 30
uint64_t rv64_fib_iterations(unsigned log_steps);

/* Machine state: pc and the registers (x[0] stays 0). */
typedef struct rv64_state {
    uint64_t pc;
    uint64_t x[RV64_NREGS];
} rv64_state;

/* Runs `cycles` instructions of prog from *s, updating *s. If rows is non-NULL,
 * rows[i] receives the state before cycle i (one trace row per cycle). Returns
 * 0, or -1 if a word does not decode or the pc leaves the program (or is not
 * a multiple of 4). */
int rv64_run(const rv64_program *prog, rv64_state *s, uint64_t cycles, rv64_state *rows);

#ifdef __cplusplus
}
#endif

#endif
