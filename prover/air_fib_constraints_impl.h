/* The fib AIR's main constraints and lookup tuples, written once (docs/AIR.md).
 *
 * air_fib.c includes this file twice: over the base field (every LDE row) and
 * over Fp3 (the out-of-domain point), so the two can never disagree. Before
 * each inclusion it defines
 *   F                 the element type (uint64_t or fp3_t)
 *   F_ADD, F_SUB, F_MUL(a, b)   field operations on F
 *   F_C(u)            a canonical base-field constant as an F
 *   F_MULC(a, u)      a * u for a canonical base-field constant u
 *   F_SCALE(x, a)     x * a for an fp3_t x and an F a, as an fp3_t
 *   F_FN(name)        the instantiation's name for a function
 * and this file #undefs them at its end. No include guard, by design.
 * Constraint order = the names and domains in air_fib.c, whose count is
 * FIB_CPU_MAIN_CONSTRAINTS. */

static inline F F_FN(boolean)(F x) { return F_MUL(x, F_SUB(x, F_C(1))); }

/* Limbs lo + 2^16 hi of a 32-bit half. */
static inline F F_FN(half)(F lo, F hi) { return F_ADD(lo, F_MULC(hi, 1u << FIB_LIMB_BITS)); }

/* CPU table: out receives FIB_CPU_MAIN_CONSTRAINTS numerators. Allocation-free, straight-line. */
static void F_FN(cpu_main)(const F *cur, const F *next, const sb_public *pub, F *out) {
    const F one = F_C(1), limb_base = F_C(1u << FIB_LIMB_BITS), four = F_C(4);
    const F s_addi = cur[FIB_CPU_SEL(RV64_ADDI)], s_add = cur[FIB_CPU_SEL(RV64_ADD)];
    const F s_bne = cur[FIB_CPU_SEL(RV64_BNE)], s_jal = cur[FIB_CPU_SEL(RV64_JAL)];
    const F s_lui = cur[FIB_CPU_SEL(RV64_LUI)];
    const F pc = cur[FIB_CPU_PC], ne = cur[FIB_CPU_NE], imm_f = cur[FIB_CPU_IMM_F];
    size_t o = 0;

    /* Decoded instruction: opcode selectors boolean and exactly one set; rd, rs1, rs2 one-hot. */
    F sum = F_C(0);
    for (int op = 0; op < RV64_NOPS; op++) {
        out[o++] = F_FN(boolean)(cur[FIB_CPU_SEL(op)]);
        sum = F_ADD(sum, cur[FIB_CPU_SEL(op)]);
    }
    out[o++] = F_SUB(sum, one);
    const int slot0[3] = {FIB_CPU_RD(0), FIB_CPU_RS1(0), FIB_CPU_RS2(0)};
    for (int r = 0; r < 3; r++)
        for (int j = 0; j < RV64_NREGS; j++) out[o++] = F_FN(boolean)(cur[slot0[r] + j]);
    for (int r = 0; r < 3; r++) {
        sum = F_C(0);
        for (int j = 0; j < RV64_NREGS; j++) sum = F_ADD(sum, cur[slot0[r] + j]);
        out[o++] = F_SUB(sum, one);
    }

    /* Operands a = x[rs1], b = x[rs2]; slot 0 (x0) has no column and reads 0. */
    for (int r = 1; r < 3; r++)
        for (int k = 0; k < FIB_LIMBS; k++) {
            F acc = cur[(r == 1 ? FIB_CPU_A(k) : FIB_CPU_B(k))];
            for (int j = 1; j < RV64_NREGS; j++) acc = F_SUB(acc, F_MUL(cur[slot0[r] + j], cur[FIB_CPU_X(j, k)]));
            out[o++] = acc;
        }

    /* c = a + b' mod 2^64, limb by limb with boolean carries; the top carry is
     * dropped (wrapping). b' = b on ADD, imm on ADDI and LUI (LUI reads x0),
     * 0 on BNE (c = a, discarded: BNE's rd is x0). Off on JAL rows. */
    for (int k = 0; k < FIB_LIMBS; k++) out[o++] = F_FN(boolean)(cur[FIB_CPU_CARRY(k)]);
    const F s_imm = F_ADD(s_addi, s_lui), not_jal = F_SUB(one, s_jal);
    F carry_in = F_C(0);
    for (int k = 0; k < FIB_LIMBS; k++) {
        F b_eff = F_ADD(F_MUL(s_add, cur[FIB_CPU_B(k)]), F_MUL(s_imm, cur[FIB_CPU_IMM(k)]));
        F lhs = F_ADD(F_ADD(cur[FIB_CPU_A(k)], b_eff), carry_in);
        F rhs = F_ADD(cur[FIB_CPU_C(k)], F_MUL(limb_base, cur[FIB_CPU_CARRY(k)]));
        out[o++] = F_MUL(not_jal, F_SUB(lhs, rhs));
        carry_in = cur[FIB_CPU_CARRY(k)];
    }

    /* JAL links rd = pc + 4: c0 + 2^16 c1 = pc + 4, c2 = c3 = 0. */
    out[o++] = F_MUL(s_jal, F_SUB(F_FN(half)(cur[FIB_CPU_C(0)], cur[FIB_CPU_C(1)]), F_ADD(pc, four)));
    out[o++] = F_MUL(s_jal, cur[FIB_CPU_C(2)]);
    out[o++] = F_MUL(s_jal, cur[FIB_CPU_C(3)]);

    /* ne = (rs1 != rs2) on the 32-bit halves (each difference is non-zero iff
     * its halves differ): d_lo u + d_hi v = ne, (1 - ne) d_lo = (1 - ne) d_hi = 0. */
    const F d_lo = F_SUB(F_FN(half)(cur[FIB_CPU_A(0)], cur[FIB_CPU_A(1)]), F_FN(half)(cur[FIB_CPU_B(0)], cur[FIB_CPU_B(1)]));
    const F d_hi = F_SUB(F_FN(half)(cur[FIB_CPU_A(2)], cur[FIB_CPU_A(3)]), F_FN(half)(cur[FIB_CPU_B(2)], cur[FIB_CPU_B(3)]));
    const F eq = F_SUB(one, ne);
    out[o++] = F_FN(boolean)(ne);
    out[o++] = F_SUB(F_ADD(F_MUL(d_lo, cur[FIB_CPU_U]), F_MUL(d_hi, cur[FIB_CPU_V])), ne);
    out[o++] = F_MUL(eq, d_lo);
    out[o++] = F_MUL(eq, d_hi);

    /* Transition: pc moves by 4, by imm on JAL and on a taken BNE. */
    F step = F_MUL(s_bne, F_ADD(F_MUL(ne, imm_f), F_MUL(eq, four)));
    step = F_ADD(step, F_MUL(s_jal, imm_f));
    step = F_ADD(step, F_MUL(F_ADD(s_add, s_imm), four));
    out[o++] = F_SUB(F_SUB(next[FIB_CPU_PC], pc), step);
    /* Transition: rd receives c (slot 0 discards it), every other register is unchanged. */
    for (int j = 1; j < RV64_NREGS; j++)
        for (int k = 0; k < FIB_LIMBS; k++) {
            F x = cur[FIB_CPU_X(j, k)];
            out[o++] = F_SUB(F_SUB(next[FIB_CPU_X(j, k)], x), F_MUL(cur[FIB_CPU_RD(j)], F_SUB(cur[FIB_CPU_C(k)], x)));
        }

    /* First row: pc = 0, every register 0. */
    out[o++] = pc;
    for (int j = 1; j < RV64_NREGS; j++)
        for (int k = 0; k < FIB_LIMBS; k++) out[o++] = cur[FIB_CPU_X(j, k)];

    /* Last row: pc = the halt, a0 = the public output, limb by limb. */
    out[o++] = F_SUB(pc, F_C(rv64_fib_halt_pc(pub->iterations)));
    for (int k = 0; k < FIB_LIMBS; k++)
        /* MUTANT output-binding: F_C((pub->output >> (FIB_LIMB_BITS * k)) & 0xffff) => cur[FIB_CPU_X(RV64_A0, k)] */
        out[o++] = F_SUB(cur[FIB_CPU_X(RV64_A0, k)], F_C((pub->output >> (FIB_LIMB_BITS * k)) & 0xffff));
    assert(o == FIB_CPU_MAIN_CONSTRAINTS);
}

/* Program table: a padding row (real = 0) is looked up zero times. */
static void F_FN(program_main)(const F *cur, const F *fixed_cur, F *out) {
    out[0] = F_MUL(F_SUB(F_C(1), fixed_cur[FIB_PROG_REAL]), cur[FIB_PROG_MULT]);
}

/* Range table: the value column is 0, 1, 2, ... (first row 0, then +1). */
static void F_FN(range_main)(const F *cur, const F *next, F *out) {
    out[0] = cur[FIB_RANGE_VALUE];
    out[1] = F_SUB(F_SUB(next[FIB_RANGE_VALUE], cur[FIB_RANGE_VALUE]), F_C(1));
}

/* The program-lookup tuple of a CPU row, in FIB_ROM_* order. Register numbers
 * come from the one-hot slots: sum_j j slot_j, summed as the suffix sums
 * sum_k sum_{j >= k} slot_j (additions only: this runs on every LDE row). */
static void F_FN(cpu_rom_tuple)(const F *row, F *t) {
    t[FIB_ROM_PC] = row[FIB_CPU_PC];
    for (int op = 0; op < RV64_NOPS; op++) t[FIB_ROM_SEL + op] = row[FIB_CPU_SEL(op)];
    const int slot0[3] = {FIB_CPU_RD(0), FIB_CPU_RS1(0), FIB_CPU_RS2(0)};
    for (int r = 0; r < 3; r++) {
        F idx = F_C(0), suffix = F_C(0);
        for (int j = RV64_NREGS - 1; j >= 1; j--) {
            suffix = F_ADD(suffix, row[slot0[r] + j]);
            idx = F_ADD(idx, suffix);
        }
        t[FIB_ROM_RD + r] = idx;
    }
    for (int k = 0; k < FIB_LIMBS; k++) t[FIB_ROM_IMM + k] = row[FIB_CPU_IMM(k)];
    t[FIB_ROM_IMM_F] = row[FIB_CPU_IMM_F];
}

/* A bus message: tag + alpha t[0] + alpha^2 t[1] + ..., with pw[i] = alpha^(i+1). */
static fp3_t F_FN(message)(uint64_t tag, const F *t, size_t n, const fp3_t *pw) {
    fp3_t m = fp3_from_base(tag);
    for (size_t i = 0; i < n; i++) m = fp3_add(m, F_SCALE(pw[i], t[i]));
    return m;
}

#undef F
#undef F_ADD
#undef F_SUB
#undef F_MUL
#undef F_C
#undef F_MULC
#undef F_SCALE
#undef F_FN
