#include "rv64.h"

#include "rv64_step.h"

#define OPC_OP_IMM 0x13u /* ADDI (funct3 0) */
#define OPC_OP 0x33u     /* ADD (funct3 0, funct7 0) */
#define OPC_BRANCH 0x63u /* BNE (funct3 1) */
#define OPC_JAL 0x6fu
#define OPC_LUI 0x37u

/* Sign-extends the low `bits` bits of v. */
static int64_t sext(uint64_t v, unsigned bits) {
    uint64_t m = 1ull << (bits - 1);
    v &= (m << 1) - 1;
    return (int64_t)((v ^ m) - m);
}

static uint32_t bits_of(uint64_t v, unsigned hi, unsigned lo) { return (uint32_t)((v >> lo) & ((1ull << (hi - lo + 1)) - 1)); }

int rv64_encode(const rv64_insn *in, uint32_t *word) {
    if (in->rd >= RV64_NREGS || in->rs1 >= RV64_NREGS || in->rs2 >= RV64_NREGS) return -1;
    uint32_t rd = in->rd, rs1 = in->rs1, rs2 = in->rs2;
    int64_t imm = in->imm;
    uint64_t u = (uint64_t)imm;
    switch (in->op) {
    case RV64_ADDI:
        if (rs2 || imm < -2048 || imm > 2047) return -1;
        *word = (bits_of(u, 11, 0) << 20) | (rs1 << 15) | (rd << 7) | OPC_OP_IMM;
        return 0;
    case RV64_ADD:
        if (imm) return -1;
        *word = (rs2 << 20) | (rs1 << 15) | (rd << 7) | OPC_OP;
        return 0;
    case RV64_BNE:
        if (rd || (imm & 1) || imm < -4096 || imm > 4094) return -1;
        *word = (bits_of(u, 12, 12) << 31) | (bits_of(u, 10, 5) << 25) | (rs2 << 20) | (rs1 << 15) | (1u << 12) |
                (bits_of(u, 4, 1) << 8) | (bits_of(u, 11, 11) << 7) | OPC_BRANCH;
        return 0;
    case RV64_JAL:
        if (rs1 || rs2 || (imm & 1) || imm < -(1 << 20) || imm > (1 << 20) - 2) return -1;
        *word = (bits_of(u, 20, 20) << 31) | (bits_of(u, 10, 1) << 21) | (bits_of(u, 11, 11) << 20) |
                (bits_of(u, 19, 12) << 12) | (rd << 7) | OPC_JAL;
        return 0;
    case RV64_LUI:
        if (rs1 || rs2 || (imm & 0xfff) || imm < INT32_MIN || imm > INT32_MAX) return -1;
        *word = (bits_of(u, 31, 12) << 12) | (rd << 7) | OPC_LUI;
        return 0;
    }
    return -1;
}

int rv64_decode(uint32_t w, rv64_insn *out) {
    uint32_t opcode = w & 0x7f, funct3 = bits_of(w, 14, 12), funct7 = bits_of(w, 31, 25);
    uint32_t rd = bits_of(w, 11, 7), rs1 = bits_of(w, 19, 15), rs2 = bits_of(w, 24, 20);
    rv64_insn d = {0};
    switch (opcode) {
    case OPC_OP_IMM:
        if (funct3 != 0) return -1;
        d = (rv64_insn){RV64_ADDI, rd, rs1, 0, sext(w >> 20, 12)};
        break;
    case OPC_OP:
        if (funct3 != 0 || funct7 != 0) return -1;
        d = (rv64_insn){RV64_ADD, rd, rs1, rs2, 0};
        break;
    case OPC_BRANCH:
        if (funct3 != 1) return -1;
        d = (rv64_insn){RV64_BNE, 0, rs1, rs2,
                        sext(((uint64_t)bits_of(w, 31, 31) << 12) | ((uint64_t)bits_of(w, 7, 7) << 11) |
                                 ((uint64_t)bits_of(w, 30, 25) << 5) | ((uint64_t)bits_of(w, 11, 8) << 1),
                             13)};
        break;
    case OPC_JAL:
        d = (rv64_insn){RV64_JAL, rd, 0, 0,
                        sext(((uint64_t)bits_of(w, 31, 31) << 20) | ((uint64_t)bits_of(w, 19, 12) << 12) |
                                 ((uint64_t)bits_of(w, 20, 20) << 11) | ((uint64_t)bits_of(w, 30, 21) << 1),
                             21)};
        break;
    case OPC_LUI:
        d = (rv64_insn){RV64_LUI, rd, 0, 0, sext(w & 0xfffff000u, 32)};
        break;
    default:
        return -1;
    }
    if (d.rd >= RV64_NREGS || d.rs1 >= RV64_NREGS || d.rs2 >= RV64_NREGS) return -1;
    *out = d;
    return 0;
}

enum { ZERO = 0, A0 = RV64_A0, A1 = RV64_A1, A2 = RV64_A2, A3 = RV64_A3 };

#define FIB_N_MAX ((1ull << 31) - 2048)
#define ADDI_IMM_MAX 2047

unsigned rv64_fib_prologue(uint64_t n) { return n <= ADDI_IMM_MAX ? 3 : 4; }

int rv64_fib_program(uint64_t n, rv64_program *prog) {
    if (n == 0 || n >= FIB_N_MAX) return -1;
    rv64_insn code[RV64_PROGRAM_MAX];
    size_t len = 0;
    code[len++] = (rv64_insn){RV64_ADDI, A0, ZERO, 0, 0};
    code[len++] = (rv64_insn){RV64_ADDI, A1, ZERO, 0, 1};
    if (n <= ADDI_IMM_MAX) {
        code[len++] = (rv64_insn){RV64_ADDI, A2, ZERO, 0, (int64_t)n};
    } else {
        /* a2 = (hi << 12) + lo with lo in [-2048, 2047]: round hi so ADDI's sign extension lands on n. */
        int64_t hi = (int64_t)((n + 0x800) >> 12), lo = (int64_t)n - (hi << 12);
        code[len++] = (rv64_insn){RV64_LUI, A2, 0, 0, hi << 12};
        code[len++] = (rv64_insn){RV64_ADDI, A2, A2, 0, lo};
    }
    size_t loop = len;
    code[len++] = (rv64_insn){RV64_ADD, A3, A0, A1, 0};
    code[len++] = (rv64_insn){RV64_ADDI, A0, A1, 0, 0};
    code[len++] = (rv64_insn){RV64_ADDI, A1, A3, 0, 0};
    code[len++] = (rv64_insn){RV64_ADDI, A2, A2, 0, -1};
    code[len] = (rv64_insn){RV64_BNE, 0, A2, ZERO, 4 * ((int64_t)loop - (int64_t)len)};
    len++;
    code[len++] = (rv64_insn){RV64_JAL, ZERO, 0, 0, 0};
    prog->len = len;
    for (size_t i = 0; i < len; i++)
        if (rv64_encode(&code[i], &prog->words[i])) return -1;
    return 0;
}

/* The prologue, the 5-instruction loop, then the halt. */
uint64_t rv64_fib_halt_pc(uint64_t n) { return 4 * ((uint64_t)rv64_fib_prologue(n) + 5); }

uint64_t rv64_fib_iterations(unsigned log_steps) {
    if (log_steps < RV64_MIN_LOG_STEPS || log_steps > RV64_MAX_LOG_STEPS) return 0;
    uint64_t rows = 1ull << log_steps;
    /* Largest n with prologue(n) + 5 n + 1 <= rows: try the short prologue, and
     * if that n needs the long one, the long one's n (still >= 2048 from 2^14 rows on). */
    uint64_t n = (rows - 1 - 3) / 5;
    if (rv64_fib_prologue(n) == 4) n = (rows - 1 - 4) / 5;
    return n;
}

int rv64_run(const rv64_program *prog, rv64_state *s, uint64_t cycles, rv64_state *rows) {
    rv64_insn code[RV64_PROGRAM_MAX];
    if (prog->len > RV64_PROGRAM_MAX) return -1;
    for (size_t i = 0; i < prog->len; i++)
        if (rv64_decode(prog->words[i], &code[i])) return -1;
    rv64_state st = *s;
    for (uint64_t c = 0; c < cycles; c++) {
        const rv64_insn *in = rv64_fetch(code, prog->len, &st);
        if (!in) return -1;
        if (rows) rows[c] = st;
        rv64_execute(in, &st);
    }
    *s = st;
    return 0;
}
