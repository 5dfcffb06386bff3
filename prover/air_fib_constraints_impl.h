/* The fib AIR's constraints, lookup tuples and LogUp denominators, written once (docs/AIR.md).
 *
 * Included three times, so that no two evaluations can disagree: by air_fib.c over the base
 * field (every LDE row; trace generation) and over Fp3 (the out-of-domain point), and by
 * kernels/fib_constraints.cuh as device code (every LDE row on the GPU). Before each inclusion
 * the includer defines (air_fib_base_field.h: the first seven for the base field)
 *   F                 the element type of the main and fixed columns (uint64_t or fp3_t)
 *   F_ADD, F_SUB, F_MUL(a, b)   field operations on F
 *   F_C(u)            a canonical base-field constant as an F
 *   F_MULC(a, u)      a * u for a canonical base-field constant u
 *   F_SCALE(x, a)     x * a for an fp3_t x and an F a, as an fp3_t
 *   F_EXT(a)          a as an fp3_t
 *   F_FN(name)        the instantiation's name for a function
 *   F_AUX             1 to include the LogUp (aux) constraints, 0 to leave them out
 * and this file #undefs them at its end. These stay defined, as they are the same for every
 * instantiation of one includer:
 *   F_QUAL            the qualifiers of every function (host: static; device: SB_HD)
 *   F_SINK_QUAL       the qualifiers of a function that emits constraint values (device: a
 *                     template over the sink type)
 *   F_SINK(T)         the type of an output sink of T values (host: T *)
 *   F_EMIT(out, i, v) emits v as the value of constraint i (host: out[i] = v; the device's sink
 *                     may weight and accumulate it instead of storing it)
 * assert() checks the constraint counts (device code has assert too; NDEBUG removes both).
 * No include guard, by design. Constraint order = the names and domains in air_fib.c, whose
 * counts are air_fib.h's FIB_*_CONSTRAINTS. */

F_QUAL F F_FN(boolean)(F x) { return F_MUL(x, F_SUB(x, F_C(1))); }

/* Limbs lo + 2^16 hi of a 32-bit half. */
F_QUAL F F_FN(half)(F lo, F hi) { return F_ADD(lo, F_MULC(hi, 1u << FIB_LIMB_BITS)); }

/* CPU table: emits the FIB_CPU_MAIN_CONSTRAINTS numerators. halt_pc and output are the public
 * values the last row is bound to (rv64_fib_halt_pc(n), fib(n) mod 2^64). Allocation-free,
 * straight-line. */
F_SINK_QUAL void F_FN(cpu_main)(const F *cur, const F *next, uint64_t halt_pc, uint64_t output, F_SINK(F) out) {
    const F one = F_C(1), limb_base = F_C(1u << FIB_LIMB_BITS), four = F_C(4);
    const F s_addi = cur[FIB_CPU_SEL(RV64_ADDI)], s_add = cur[FIB_CPU_SEL(RV64_ADD)];
    const F s_bne = cur[FIB_CPU_SEL(RV64_BNE)], s_jal = cur[FIB_CPU_SEL(RV64_JAL)];
    const F s_lui = cur[FIB_CPU_SEL(RV64_LUI)];
    const F pc = cur[FIB_CPU_PC], ne = cur[FIB_CPU_NE], imm_f = cur[FIB_CPU_IMM_F];
    size_t o = 0;

    /* Decoded instruction: opcode selectors boolean and exactly one set; rd, rs1, rs2 one-hot. */
    F sum = F_C(0);
    for (int op = 0; op < RV64_NOPS; op++) {
        F_EMIT(out, o++, F_FN(boolean)(cur[FIB_CPU_SEL(op)]));
        sum = F_ADD(sum, cur[FIB_CPU_SEL(op)]);
    }
    F_EMIT(out, o++, F_SUB(sum, one));
    const int slot0[3] = {FIB_CPU_RD(0), FIB_CPU_RS1(0), FIB_CPU_RS2(0)};
    for (int r = 0; r < 3; r++)
        for (int j = 0; j < RV64_NREGS; j++) F_EMIT(out, o++, F_FN(boolean)(cur[slot0[r] + j]));
    for (int r = 0; r < 3; r++) {
        sum = F_C(0);
        for (int j = 0; j < RV64_NREGS; j++) sum = F_ADD(sum, cur[slot0[r] + j]);
        F_EMIT(out, o++, F_SUB(sum, one));
    }

    /* Operands a = x[rs1], b = x[rs2]; slot 0 (x0) has no column and reads 0. */
    for (int r = 1; r < 3; r++)
        for (int k = 0; k < FIB_LIMBS; k++) {
            F acc = cur[(r == 1 ? FIB_CPU_A(k) : FIB_CPU_B(k))];
            for (int j = 1; j < RV64_NREGS; j++) acc = F_SUB(acc, F_MUL(cur[slot0[r] + j], cur[FIB_CPU_X(j, k)]));
            F_EMIT(out, o++, acc);
        }

    /* c = a + b' mod 2^64, limb by limb with boolean carries; the top carry is
     * dropped (wrapping). b' = b on ADD, imm on ADDI and LUI (LUI reads x0),
     * 0 on BNE (c = a, discarded: BNE's rd is x0). Off on JAL rows. */
    for (int k = 0; k < FIB_LIMBS; k++) F_EMIT(out, o++, F_FN(boolean)(cur[FIB_CPU_CARRY(k)]));
    const F s_imm = F_ADD(s_addi, s_lui), not_jal = F_SUB(one, s_jal);
    F carry_in = F_C(0);
    for (int k = 0; k < FIB_LIMBS; k++) {
        F b_eff = F_ADD(F_MUL(s_add, cur[FIB_CPU_B(k)]), F_MUL(s_imm, cur[FIB_CPU_IMM(k)]));
        F lhs = F_ADD(F_ADD(cur[FIB_CPU_A(k)], b_eff), carry_in);
        F rhs = F_ADD(cur[FIB_CPU_C(k)], F_MUL(limb_base, cur[FIB_CPU_CARRY(k)]));
        F_EMIT(out, o++, F_MUL(not_jal, F_SUB(lhs, rhs)));
        carry_in = cur[FIB_CPU_CARRY(k)];
    }

    /* JAL links rd = pc + 4: c0 + 2^16 c1 = pc + 4, c2 = c3 = 0. */
    F_EMIT(out, o++, F_MUL(s_jal, F_SUB(F_FN(half)(cur[FIB_CPU_C(0)], cur[FIB_CPU_C(1)]), F_ADD(pc, four))));
    F_EMIT(out, o++, F_MUL(s_jal, cur[FIB_CPU_C(2)]));
    F_EMIT(out, o++, F_MUL(s_jal, cur[FIB_CPU_C(3)]));

    /* ne = (rs1 != rs2) on the 32-bit halves (each difference is non-zero iff
     * its halves differ): d_lo u + d_hi v = ne, (1 - ne) d_lo = (1 - ne) d_hi = 0. */
    const F d_lo = F_SUB(F_FN(half)(cur[FIB_CPU_A(0)], cur[FIB_CPU_A(1)]), F_FN(half)(cur[FIB_CPU_B(0)], cur[FIB_CPU_B(1)]));
    const F d_hi = F_SUB(F_FN(half)(cur[FIB_CPU_A(2)], cur[FIB_CPU_A(3)]), F_FN(half)(cur[FIB_CPU_B(2)], cur[FIB_CPU_B(3)]));
    const F eq = F_SUB(one, ne);
    F_EMIT(out, o++, F_FN(boolean)(ne));
    F_EMIT(out, o++, F_SUB(F_ADD(F_MUL(d_lo, cur[FIB_CPU_U]), F_MUL(d_hi, cur[FIB_CPU_V])), ne));
    F_EMIT(out, o++, F_MUL(eq, d_lo));
    F_EMIT(out, o++, F_MUL(eq, d_hi));

    /* Transition: pc moves by 4, by imm on JAL and on a taken BNE. */
    F step = F_MUL(s_bne, F_ADD(F_MUL(ne, imm_f), F_MUL(eq, four)));
    step = F_ADD(step, F_MUL(s_jal, imm_f));
    step = F_ADD(step, F_MUL(F_ADD(s_add, s_imm), four));
    F_EMIT(out, o++, F_SUB(F_SUB(next[FIB_CPU_PC], pc), step));
    /* Transition: rd receives c (slot 0 discards it), every other register is unchanged. */
    for (int j = 1; j < RV64_NREGS; j++)
        for (int k = 0; k < FIB_LIMBS; k++) {
            F x = cur[FIB_CPU_X(j, k)];
            F_EMIT(out, o++, F_SUB(F_SUB(next[FIB_CPU_X(j, k)], x), F_MUL(cur[FIB_CPU_RD(j)], F_SUB(cur[FIB_CPU_C(k)], x))));
        }

    /* First row: pc = 0, every register 0. */
    F_EMIT(out, o++, pc);
    for (int j = 1; j < RV64_NREGS; j++)
        for (int k = 0; k < FIB_LIMBS; k++) F_EMIT(out, o++, cur[FIB_CPU_X(j, k)]);

    /* Last row: pc = the halt, a0 = the public output, limb by limb. */
    F_EMIT(out, o++, F_SUB(pc, F_C(halt_pc)));
    for (int k = 0; k < FIB_LIMBS; k++)
        /* MUTANT output-binding: F_C((output >> (FIB_LIMB_BITS * k)) & 0xffff) => cur[FIB_CPU_X(RV64_A0, k)] */
        F_EMIT(out, o++, F_SUB(cur[FIB_CPU_X(RV64_A0, k)], F_C((output >> (FIB_LIMB_BITS * k)) & 0xffff)));
    assert(o == FIB_CPU_MAIN_CONSTRAINTS);
}

/* Program table: a padding row (real = 0) is looked up zero times. */
F_SINK_QUAL void F_FN(program_main)(const F *cur, const F *fixed_cur, F_SINK(F) out) {
    F_EMIT(out, 0, F_MUL(F_SUB(F_C(1), fixed_cur[FIB_PROG_REAL]), cur[FIB_PROG_MULT]));
}

/* Range table: the value column is 0, 1, 2, ... (first row 0, then +1). */
F_SINK_QUAL void F_FN(range_main)(const F *cur, const F *next, F_SINK(F) out) {
    F_EMIT(out, 0, cur[FIB_RANGE_VALUE]);
    F_EMIT(out, 1, F_SUB(F_SUB(next[FIB_RANGE_VALUE], cur[FIB_RANGE_VALUE]), F_C(1)));
}

/* The program-lookup tuple of a CPU row, in FIB_ROM_* order. Register numbers
 * come from the one-hot slots: sum_j j slot_j, summed as the suffix sums
 * sum_k sum_{j >= k} slot_j (additions only: this runs on every LDE row). */
F_QUAL void F_FN(cpu_rom_tuple)(const F *row, F *t) {
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

/* A fraction's denominator gamma - message, the message being tag + alpha t[0] + alpha^2 t[1] + ...
 * with pw[i] = alpha^(i+1) (air.h's challenge powers). */
F_QUAL fp3_t F_FN(denominator)(fp3_t gamma, uint64_t tag, const F *t, int n, const fp3_t *pw) {
    fp3_t m = fp3_from_base(tag);
    for (int i = 0; i < n; i++) m = fp3_add(m, F_SCALE(pw[i], t[i]));
    return fp3_sub(gamma, m);
}

/* The CPU row's FIB_CPU_FRACTIONS denominators: its program lookup, then the range lookups of
 * the result limbs c0..c3 (the aux trace and the aux constraints both start from these). */
F_QUAL void F_FN(cpu_denominators)(const F *row, const fp3_t *pw, fp3_t gamma, fp3_t *x) {
    F t[FIB_ROM_WIDTH];
    F_FN(cpu_rom_tuple)(row, t);
    x[0] = F_FN(denominator)(gamma, FIB_TAG_PROGRAM, t, FIB_ROM_WIDTH, pw);
    for (int k = 0; k < FIB_LIMBS; k++) x[1 + k] = F_FN(denominator)(gamma, FIB_TAG_RANGE, &row[FIB_CPU_C(k)], 1, pw);
}

#if F_AUX
/* Two fractions -1/x + -1/y in one helper h: h x y + y + x = 0 (degree 3). */
F_QUAL fp3_t F_FN(pair_constraint)(fp3_t h, fp3_t x, fp3_t y) { return fp3_add(fp3_mul(fp3_mul(h, x), y), fp3_add(x, y)); }

/* CPU table: emits the FIB_CPU_AUX_CONSTRAINTS LogUp constraints of the row pair (cur, next) of
 * main columns and (a, an) of aux columns; pw: the challenge powers, claimed: the table's sum. */
F_SINK_QUAL void F_FN(cpu_aux)(const F *cur, const F *next, const fp3_t *a, const fp3_t *an, const fp3_t *pw,
                               fp3_t gamma, fp3_t claimed, F_SINK(fp3_t) out) {
    fp3_t x[FIB_CPU_FRACTIONS];
    F_FN(cpu_denominators)(cur, pw, gamma, x);
    const fp3_t x_c3_next = F_FN(denominator)(gamma, FIB_TAG_RANGE, &next[FIB_CPU_C(3)], 1, pw);
    const fp3_t helpers = fp3_add(a[FIB_CPU_AUX_H0], a[FIB_CPU_AUX_H1]);
    const fp3_t helpers_next = fp3_add(an[FIB_CPU_AUX_H0], an[FIB_CPU_AUX_H1]);
    F_EMIT(out, 0, F_FN(pair_constraint)(a[FIB_CPU_AUX_H0], x[0], x[1]));
    F_EMIT(out, 1, F_FN(pair_constraint)(a[FIB_CPU_AUX_H1], x[2], x[3]));
    /* s_0 = h0 + h1 - 1/x_c3, s_{i+1} = s_i + (same on row i+1), s_{N-1} = claimed. */
    F_EMIT(out, 2, fp3_add(fp3_mul(fp3_sub(a[FIB_CPU_AUX_SUM], helpers), x[4]), fp3_one()));
    F_EMIT(out, 3, fp3_add(fp3_mul(fp3_sub(fp3_sub(an[FIB_CPU_AUX_SUM], a[FIB_CPU_AUX_SUM]), helpers_next), x_c3_next),
                           fp3_one()));
    F_EMIT(out, 4, fp3_sub(a[FIB_CPU_AUX_SUM], claimed));
}

/* A table side with one fraction mult/x per row: emits s_0 x_0 = mult_0,
 * (s_{i+1} - s_i) x_{i+1} = mult_{i+1}, s_{N-1} = claimed (FIB_TABLE_AUX_CONSTRAINTS). */
F_SINK_QUAL void F_FN(table_sum)(const fp3_t *a, const fp3_t *an, fp3_t x, fp3_t x_next, F mult, F mult_next,
                                 fp3_t claimed, F_SINK(fp3_t) out) {
    const fp3_t s = a[FIB_TABLE_AUX_SUM], s_next = an[FIB_TABLE_AUX_SUM];
    F_EMIT(out, 0, fp3_sub(fp3_mul(s, x), F_EXT(mult)));
    F_EMIT(out, 1, fp3_sub(fp3_mul(fp3_sub(s_next, s), x_next), F_EXT(mult_next)));
    F_EMIT(out, 2, fp3_sub(s, claimed));
}

/* Program table: the fraction mult / (gamma - message of the fixed ROM row). */
F_SINK_QUAL void F_FN(program_aux)(const F *cur, const F *next, const F *fixed_cur, const F *fixed_next,
                                   const fp3_t *a, const fp3_t *an, const fp3_t *pw, fp3_t gamma, fp3_t claimed,
                                   F_SINK(fp3_t) out) {
    F_FN(table_sum)(a, an, F_FN(denominator)(gamma, FIB_TAG_PROGRAM, fixed_cur, FIB_ROM_WIDTH, pw),
                    F_FN(denominator)(gamma, FIB_TAG_PROGRAM, fixed_next, FIB_ROM_WIDTH, pw), cur[FIB_PROG_MULT],
                    next[FIB_PROG_MULT], claimed, out);
}

/* Range table: the fraction mult / (gamma - (tag + alpha value)). */
F_SINK_QUAL void F_FN(range_aux)(const F *cur, const F *next, const fp3_t *a, const fp3_t *an, const fp3_t *pw,
                                 fp3_t gamma, fp3_t claimed, F_SINK(fp3_t) out) {
    F_FN(table_sum)(a, an, F_FN(denominator)(gamma, FIB_TAG_RANGE, &cur[FIB_RANGE_VALUE], 1, pw),
                    F_FN(denominator)(gamma, FIB_TAG_RANGE, &next[FIB_RANGE_VALUE], 1, pw), cur[FIB_RANGE_MULT],
                    next[FIB_RANGE_MULT], claimed, out);
}
#endif

#undef F
#undef F_ADD
#undef F_SUB
#undef F_MUL
#undef F_C
#undef F_MULC
#undef F_SCALE
#undef F_EXT
#undef F_FN
#undef F_AUX
