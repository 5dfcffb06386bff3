/* The fib AIR (prover/air_fib.c) through the debug checker (prover/air_check.h):
 * honest traces pass with random challenges; each tampering is rejected and the
 * checker names the constraint it breaks (so no constraint family is vacuous);
 * every constraint has degree <= 3; public values match fib(n) mod 2^64. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "air_check.h"
#include "air_fib.h"
#include "check.h"
#include "exec_record.h"
#include "keccak.h"

static fp3_t rand_fp3(void) { return fp3_make(rnd() % GL_P, rnd() % GL_P, rnd() % GL_P); }

/* One proof's worth of traces: public values, main traces, challenges, aux traces. */
typedef struct fixture {
    sb_public pub;
    uint64_t *main[FIB_N_TABLES];
    fp3_t ch[FIB_N_CHALLENGES];
    fp3_t *aux[FIB_N_TABLES];
    fp3_t claimed[FIB_N_TABLES];
} fixture;

static const sb_air *air;

static void fixture_free(fixture *f) {
    for (int t = 0; t < FIB_N_TABLES; t++) {
        free(f->main[t]);
        free(f->aux[t]);
        f->main[t] = NULL;
        f->aux[t] = NULL;
    }
}

static int fixture_init(fixture *f, unsigned log_steps) {
    memset(f, 0, sizeof *f);
    if (air->public_values(log_steps, &f->pub) || air->gen_main(&f->pub, f->main)) return -1;
    for (int i = 0; i < FIB_N_CHALLENGES; i++) f->ch[i] = rand_fp3();
    return 0;
}

static uint64_t *cpu_row(fixture *f, size_t r) { return f->main[FIB_TABLE_CPU] + r * FIB_CPU_COLS; }
static size_t cpu_rows(const fixture *f) { return (size_t)1 << f->pub.log_steps; }

/* The first CPU row at pc whose rs1 value a satisfies want_ne (a != b) when want_ne >= 0. */
static size_t find_row(fixture *f, uint64_t pc, int want_ne) {
    for (size_t r = 0; r < cpu_rows(f); r++) {
        uint64_t *row = cpu_row(f, r);
        if (row[FIB_CPU_PC] == pc && (want_ne < 0 || row[FIB_CPU_NE] == (uint64_t)want_ne)) return r;
    }
    fprintf(stderr, "no row at pc %llu\n", (unsigned long long)pc);
    exit(1);
}

/* Runs the checker (aux from gen_aux unless the fixture carries its own). */
static int check(fixture *f, char *msg, size_t len) {
    msg[0] = 0;
    return sb_air_check(air, &f->pub, f->main, f->ch, f->aux[0] ? f->aux : NULL, f->aux[0] ? f->claimed : NULL,
                        msg, len);
}

static void expect_accept(fixture *f, const char *what) {
    char msg[512];
    CHECK(check(f, msg, sizeof msg) == 0, "%s: honest trace rejected: %s", what, msg);
}

static void expect_reject(fixture *f, const char *what, const char *needle) {
    char msg[512];
    int rc = check(f, msg, sizeof msg);
    CHECK(rc == -1 && strstr(msg, needle), "%s: want a rejection naming \"%s\", got rc %d \"%s\"", what, needle, rc,
          msg);
}

/* ---- honest traces ------------------------------------------------------------------------- */

static uint64_t fib_ref(uint64_t n) {
    uint64_t a = 0, b = 1;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t t = a + b;
        a = b, b = t;
    }
    return a;
}

static void test_honest(void) {
    /* 2^8..2^12, and 2^14 where the iteration count is loaded with LUI + ADDI. */
    const unsigned sizes[] = {8, 9, 10, 11, 12, 14};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        fixture f;
        CHECK(fixture_init(&f, sizes[i]) == 0, "log %u: generate", sizes[i]);
        CHECK(f.pub.iterations == rv64_fib_iterations(sizes[i]) && f.pub.output == fib_ref(f.pub.iterations),
              "log %u: output %llu", sizes[i], (unsigned long long)f.pub.output);
        char what[32];
        snprintf(what, sizeof what, "log %u", sizes[i]);
        expect_accept(&f, what);
        fixture_free(&f);
    }
    sb_public p;
    CHECK(air->public_values(RV64_MIN_LOG_STEPS - 1, &p) == -1 && air->public_values(RV64_MAX_LOG_STEPS + 1, &p) == -1,
          "unsupported log_steps rejected");
    CHECK(air->public_values(20, &p) == 0 && p.output == fib_ref(rv64_fib_iterations(20)), "log 20 output wraps");
}

/* ---- tampering: each case names the constraint it must break -------------------------------- */

enum { PC_ADD = 12, PC_MV_A0 = 16, PC_MV_A1 = 20, PC_DEC = 24, PC_BNE = 28, PC_HALT = 32 }; /* n < 2048 */

static void t_register_limb(fixture *f) { cpu_row(f, 20)[FIB_CPU_X(5, 0)] = 1; }
static void t_result_limb(fixture *f) { cpu_row(f, find_row(f, PC_MV_A1, -1))[FIB_CPU_C(0)] += 1; }
static void t_selector_twice(fixture *f) { cpu_row(f, find_row(f, PC_MV_A0, -1))[FIB_CPU_SEL(RV64_ADD)] = 1; }
static void t_selector_value(fixture *f) {
    uint64_t *row = cpu_row(f, find_row(f, PC_MV_A0, -1));
    row[FIB_CPU_SEL(RV64_ADDI)] = 2, row[FIB_CPU_SEL(RV64_ADD)] = GL_P - 1; /* still sums to 1 */
}
static void t_rd_value(fixture *f) {
    uint64_t *row = cpu_row(f, find_row(f, PC_MV_A1, -1));
    row[FIB_CPU_RD(RV64_A1)] = 2, row[FIB_CPU_RD(0)] = GL_P - 1;
}
static void t_rd_twice(fixture *f) { cpu_row(f, find_row(f, PC_MV_A1, -1))[FIB_CPU_RD(5)] = 1; }
static void t_operand_a(fixture *f) { cpu_row(f, find_row(f, PC_ADD, -1))[FIB_CPU_A(0)] += 1; }
static void t_operand_b(fixture *f) { cpu_row(f, find_row(f, PC_ADD, -1))[FIB_CPU_B(1)] += 1; }
static void t_carry_value(fixture *f) { cpu_row(f, find_row(f, PC_ADD, -1))[FIB_CPU_CARRY(0)] = 2; }
static void t_carry_flip(fixture *f) {
    uint64_t *row = cpu_row(f, find_row(f, PC_DEC, -1)); /* a2 - 1 = a2 + 0xffff..ff carries out of limb 0 */
    row[FIB_CPU_CARRY(0)] ^= 1;
}
static void t_jal_link(fixture *f) { cpu_row(f, cpu_rows(f) - 1)[FIB_CPU_C(0)] += 1; }
static void t_jal_link_high(fixture *f) { cpu_row(f, cpu_rows(f) - 1)[FIB_CPU_C(2)] = 1; }
static void t_rs1_twice(fixture *f) { cpu_row(f, find_row(f, PC_ADD, -1))[FIB_CPU_RS1(5)] = 1; }
static void t_ne_value(fixture *f) { cpu_row(f, find_row(f, PC_BNE, 1))[FIB_CPU_NE] = 2; }
static void t_bne_says_equal(fixture *f) { /* a2 != 0, the lie "equal" to fall out of the loop early */
    uint64_t *row = cpu_row(f, find_row(f, PC_BNE, 1));
    row[FIB_CPU_NE] = 0, row[FIB_CPU_U] = 0, row[FIB_CPU_V] = 0;
}
static void t_bne_says_differ(fixture *f) { cpu_row(f, find_row(f, PC_BNE, 0))[FIB_CPU_NE] = 1; }
/* Low halves equal, high halves differ, ne kept 0: a2 gets a high limb from the last BNE on. */
static void t_bne_high_half(fixture *f) {
    size_t r0 = find_row(f, PC_BNE, 0);
    for (size_t r = r0; r < cpu_rows(f); r++) cpu_row(f, r)[FIB_CPU_X(RV64_A2, 2)] = 1;
    cpu_row(f, r0)[FIB_CPU_A(2)] = 1;
    cpu_row(f, r0)[FIB_CPU_C(2)] = 1; /* BNE's sum c = a + 0 */
    sb_air_fib_count_multiplicities(&f->pub, f->main);
}
static void t_pc_jump(fixture *f) { cpu_row(f, find_row(f, PC_MV_A0, -1))[FIB_CPU_PC] += 4; }
static void t_register_start(fixture *f) {
    for (size_t r = 0; r < cpu_rows(f); r++) cpu_row(f, r)[FIB_CPU_X(5, 0)] = 7; /* x5 is never used: consistent */
}
/* Start at the halt with zero registers, claiming fib(n) = 0: every row is a halt row. */
static void t_start_at_halt(fixture *f) {
    uint64_t halt[FIB_CPU_COLS];
    memcpy(halt, cpu_row(f, cpu_rows(f) - 1), sizeof halt);
    for (int j = 1; j < RV64_NREGS; j++)
        for (int k = 0; k < FIB_LIMBS; k++) halt[FIB_CPU_X(j, k)] = 0;
    for (size_t r = 0; r < cpu_rows(f); r++) memcpy(cpu_row(f, r), halt, sizeof halt);
    f->pub.output = 0;
    sb_air_fib_count_multiplicities(&f->pub, f->main);
}
/* Run one iteration more than fits: the last row is still in the loop. */
static void t_not_halted(fixture *f) {
    rv64_program p;
    rv64_fib_program(f->pub.iterations + 1, &p);
    fixture_free(f);
    sb_air_fib_gen_main_program(&p, &f->pub, f->main);
}
static void t_output_low(fixture *f) { f->pub.output ^= 1; }
static void t_output_high(fixture *f) { f->pub.output ^= 1ull << 63; }
/* `addi a0, a1, 0` replaced by `add a0, a1, x0`: same execution and output, a row the ROM lacks. */
static void t_forged_program(fixture *f) {
    rv64_program p;
    rv64_fib_program(f->pub.iterations, &p);
    rv64_encode(&(rv64_insn){RV64_ADD, RV64_A0, RV64_A1, 0, 0}, &p.words[PC_MV_A0 / 4]);
    fixture_free(f);
    sb_air_fib_gen_main_program(&p, &f->pub, f->main);
}
/* A result limb out of [0, 2^16) that every CPU constraint accepts: on a BNE row
 * (c = a, discarded) borrow 2^16 from limb 1: c0 = a0 - 2^16, carry0 = 1, c1 = a1 + 1. */
static void t_limb_out_of_range(fixture *f) {
    uint64_t *row = cpu_row(f, find_row(f, PC_BNE, 1));
    row[FIB_CPU_C(0)] = gl_sub(row[FIB_CPU_A(0)], 1u << 16);
    row[FIB_CPU_CARRY(0)] = 1;
    row[FIB_CPU_C(1)] = row[FIB_CPU_A(1)] + 1;
    sb_air_fib_count_multiplicities(&f->pub, f->main);
}
static void t_range_multiplicity(fixture *f) { f->main[FIB_TABLE_RANGE][7 * FIB_RANGE_COLS + FIB_RANGE_MULT] += 1; }
static void t_program_multiplicity(fixture *f) {
    f->main[FIB_TABLE_PROGRAM][(PC_ADD / 4) * FIB_PROG_MAIN_COLS + FIB_PROG_MULT] += 1;
}
static void t_program_padding(fixture *f) { f->main[FIB_TABLE_PROGRAM][12 * FIB_PROG_MAIN_COLS + FIB_PROG_MULT] = 1; }
static void t_range_swap(fixture *f) {
    uint64_t *a = f->main[FIB_TABLE_RANGE] + 5 * FIB_RANGE_COLS, *b = a + FIB_RANGE_COLS, t[FIB_RANGE_COLS];
    memcpy(t, a, sizeof t), memcpy(a, b, sizeof t), memcpy(b, t, sizeof t);
}
static void t_range_shift(fixture *f) {
    for (size_t v = 0; v < (1u << FIB_LOG_RANGE); v++) f->main[FIB_TABLE_RANGE][v * FIB_RANGE_COLS + FIB_RANGE_VALUE]++;
}
static void t_non_canonical(fixture *f) { cpu_row(f, 3)[FIB_CPU_X(5, 0)] = GL_P; }

/* Aux tampering: the fixture's own aux (from gen_aux), then one cell changed. */
static void with_aux(fixture *f) { air->gen_aux(&f->pub, f->main, f->ch, f->aux, f->claimed); }
static void bump(fp3_t *x) { *x = fp3_add(*x, fp3_one()); }
static void t_aux_h0(fixture *f) { with_aux(f), bump(&f->aux[FIB_TABLE_CPU][3 * FIB_CPU_AUX_COLS + FIB_CPU_AUX_H0]); }
static void t_aux_h1(fixture *f) { with_aux(f), bump(&f->aux[FIB_TABLE_CPU][3 * FIB_CPU_AUX_COLS + FIB_CPU_AUX_H1]); }
static void t_aux_first(fixture *f) { with_aux(f), bump(&f->aux[FIB_TABLE_CPU][FIB_CPU_AUX_SUM]); }
static void t_aux_step(fixture *f) { with_aux(f), bump(&f->aux[FIB_TABLE_CPU][7 * FIB_CPU_AUX_COLS + FIB_CPU_AUX_SUM]); }
static void t_aux_claimed(fixture *f) { with_aux(f), bump(&f->claimed[FIB_TABLE_CPU]); }
static void t_aux_range_first(fixture *f) { with_aux(f), bump(&f->aux[FIB_TABLE_RANGE][0]); }
static void t_aux_range_step(fixture *f) { with_aux(f), bump(&f->aux[FIB_TABLE_RANGE][9]); }
static void t_aux_program_claimed(fixture *f) { with_aux(f), bump(&f->claimed[FIB_TABLE_PROGRAM]); }

typedef struct tamper {
    const char *what;
    void (*apply)(fixture *f);
    const char *needle;
} tamper;

static const tamper tampers[] = {
    {"register limb", t_register_limb, "cpu: main constraint 97 'x5 limb 0 update' (domain transition) fails at row 19"},
    {"result limb", t_result_limb, "'add limb 0'"},
    {"selector set twice", t_selector_twice, "'opcode one-hot'"},
    {"selector not boolean", t_selector_value, "'opcode addi boolean'"},
    {"rd slot not boolean", t_rd_value, "'rd slot 0 boolean'"},
    {"rd two slots", t_rd_twice, "'rd one-hot'"},
    {"operand a", t_operand_a, "'operand a limb 0'"},
    {"operand b", t_operand_b, "'operand b limb 1'"},
    {"carry not boolean", t_carry_value, "'carry 0 boolean'"},
    {"carry flipped", t_carry_flip, "'add limb 0'"},
    {"jal link", t_jal_link, "'jal link low half'"},
    {"jal link high limb", t_jal_link_high, "'jal link limb 2'"},
    {"rs1 two slots", t_rs1_twice, "'rs1 one-hot'"},
    {"ne not boolean", t_ne_value, "'bne ne boolean'"},
    {"bne witness lie: equal", t_bne_says_equal, "'bne equal low half'"},
    {"bne witness lie: differ", t_bne_says_differ, "'bne inverse witness'"},
    {"bne high halves differ", t_bne_high_half, "'bne equal high half'"},
    {"pc jumps", t_pc_jump, "'pc update'"},
    {"register starts non-zero", t_register_start, "'x5 limb 0 starts at 0' (domain first) fails at row 0"},
    {"start at the halt", t_start_at_halt, "'pc starts at 0' (domain first) fails at row 0"},
    {"not halted", t_not_halted, "'pc ends at halt' (domain last)"},
    {"wrong output (low bit)", t_output_low, "'a0 limb 0 = output'"},
    {"wrong output (high bit)", t_output_high, "'a0 limb 3 = output'"},
    {"forged program row", t_forged_program, "LogUp bus"},
    {"result limb out of range", t_limb_out_of_range, "LogUp bus"},
    {"range multiplicity", t_range_multiplicity, "LogUp bus"},
    {"program multiplicity", t_program_multiplicity, "LogUp bus"},
    {"program padding multiplicity", t_program_padding, "table program: main constraint 0 'padding multiplicity zero'"},
    {"range rows out of order", t_range_swap, "table range: main constraint 1 'range increments' (domain transition) fails at row 4"},
    {"range starts at 1", t_range_shift, "table range: main constraint 0 'range starts at 0'"},
    {"non-canonical value", t_non_canonical, "not canonical"},
    {"aux helper 0", t_aux_h0, "table cpu: aux constraint 0 'lookup pair 0 (program, range c0)' (domain all) fails at row 3"},
    {"aux helper 1", t_aux_h1, "aux constraint 1 'lookup pair 1 (range c1, c2)' (domain all) fails at row 3"},
    {"aux sum row 0", t_aux_first, "table cpu: aux constraint 2 'running sum first'"},
    {"aux sum step", t_aux_step, "table cpu: aux constraint 3 'running sum step' (domain transition) fails at row 6"},
    {"aux claimed sum", t_aux_claimed, "table cpu: aux constraint 4 'running sum = claimed'"},
    {"range aux row 0", t_aux_range_first, "table range: aux constraint 0 'running sum first'"},
    {"range aux step", t_aux_range_step, "table range: aux constraint 1 'running sum step' (domain transition) fails at row 8"},
    {"program claimed sum", t_aux_program_claimed, "table program: aux constraint 2 'running sum = claimed'"},
};

static void test_tampering(void) {
    for (size_t i = 0; i < sizeof tampers / sizeof *tampers; i++) {
        fixture f;
        if (fixture_init(&f, 8)) {
            CHECK(0, "generate");
            return;
        }
        tampers[i].apply(&f);
        expect_reject(&f, tampers[i].what, tampers[i].needle);
        fixture_free(&f);
    }
}

/* ---- the bytes of the main traces, and the execution record they are expanded from ---------- */

/* Keccak-256 of the cpu, program and range tables in that order (row-major u64, this machine's
 * little-endian bytes), as the per-row generator before the execution record (issue 14) wrote
 * them: the record's expansion must not change a byte. */
static void test_known_traces(void) {
    static const struct {
        unsigned log_steps;
        const char *keccak;
    } known[] = {{8, "78534d7fc8e316a26d4569f3026ff73270acd374b1ace9617f950233883f9bb9"},
                 {12, "f1446c4085d32ae1f10b47e7553df99e821510d31ab70942d48fe9633ba4c03a"},
                 {16, "c96ac088f0edd11a7a71ba3eb0624cf6cd4f5b818fea93f9853a7232c86f936a"}};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
        fixture f;
        CHECK(fixture_init(&f, known[i].log_steps) == 0, "log %u: generate", known[i].log_steps);
        const size_t bytes[FIB_N_TABLES] = {sizeof(uint64_t) * FIB_CPU_COLS << known[i].log_steps,
                                            sizeof(uint64_t) * FIB_PROG_MAIN_COLS << FIB_LOG_PROGRAM,
                                            sizeof(uint64_t) * FIB_RANGE_COLS << FIB_LOG_RANGE};
        keccak256_ctx ctx;
        keccak256_init(&ctx);
        for (int t = 0; t < FIB_N_TABLES; t++) keccak256_update(&ctx, f.main[t], bytes[t]);
        uint8_t d[32];
        char hex[65];
        keccak256_final(&ctx, d);
        for (int b = 0; b < 32; b++) snprintf(hex + 2 * b, 3, "%02x", d[b]);
        CHECK(strcmp(hex, known[i].keccak) == 0, "log %u: main traces' Keccak-256 %s, want %s", known[i].log_steps, hex,
              known[i].keccak);
        fixture_free(&f);
    }
}

/* Snapshots against the interpreter's own rows (rv64_run), and what the record refuses. */
static void test_record(void) {
    enum { LOG_ROWS = 8, LOG_K = 3 };
    sb_public pub;
    rv64_program prog;
    sb_exec_record rec;
    CHECK(air->public_values(LOG_ROWS, &pub) == 0 && rv64_fib_program(pub.iterations, &prog) == 0, "fib program");
    rv64_state rows[1 << LOG_ROWS], st = {0};
    CHECK(rv64_run(&prog, &st, 1 << LOG_ROWS, rows) == 0, "rv64_run");
    if (sb_exec_record_build(&prog, LOG_ROWS, LOG_K, &rec)) {
        CHECK(0, "no record of 2^%d rows", LOG_ROWS);
        return;
    }
    for (int i = 0; i < 1 << (LOG_ROWS - LOG_K); i++)
        CHECK(memcmp(&rec.snapshots[i], &rows[i << LOG_K], sizeof(rv64_state)) == 0, "snapshot %d differs", i);
    CHECK(rec.len == prog.len && rec.code[0].op == RV64_ADDI && rec.code[prog.len - 1].op == RV64_JAL, "decoded program");
    sb_exec_record_free(&rec);
    CHECK(sb_exec_record_build(&prog, LOG_ROWS, LOG_ROWS + 1, &rec) == -1, "an interval past the trace accepted");
    CHECK(sb_exec_record_build(&prog, RV64_MIN_LOG_STEPS - 1, 0, &rec) == -1, "2^5 rows accepted");
    rv64_program bad = prog;
    bad.words[1] = 0; /* not an instruction */
    CHECK(sb_exec_record_build(&bad, LOG_ROWS, LOG_K, &rec) == -1, "an undecodable word accepted");
    bad = prog;
    bad.len = prog.len - 1; /* the halt gone: the pc runs off the end */
    CHECK(sb_exec_record_build(&bad, LOG_ROWS, LOG_K, &rec) == -1, "a pc past the program accepted");
}

/* ---- degree: along a random line X(t) = P + t Q, every constraint is a polynomial
 * in t of degree <= 3, so its 4th finite difference over t = 0..4 vanishes -------------------- */

static void test_degree(void) {
    sb_public pub;
    air->public_values(8, &pub);
    for (size_t ti = 0; ti < air->n_tables; ti++) {
        const sb_table_air *t = &air->tables[ti];
        size_t nv = 2 * (t->n_main + t->n_fixed + t->n_aux) + 1;
        fp3_t *p = malloc(sizeof(fp3_t) * nv), *q = malloc(sizeof(fp3_t) * nv), *x = malloc(sizeof(fp3_t) * nv);
        size_t nc = t->n_main_constraints + t->n_aux_constraints;
        fp3_t *y = malloc(sizeof(fp3_t) * nc * 5);
        fp3_t ch[FIB_N_CHALLENGES] = {rand_fp3(), rand_fp3()}, pows[SB_AIR_CHALLENGE_POWERS];
        sb_challenge_powers(ch[0], pows);
        for (size_t i = 0; i < nv; i++) p[i] = rand_fp3(), q[i] = rand_fp3();
        for (uint64_t s = 0; s < 5; s++) {
            for (size_t i = 0; i < nv; i++) x[i] = fp3_add(p[i], fp3_mul_base(q[i], s));
            size_t m = t->n_main, fx = t->n_fixed, a = t->n_aux;
            sb_frame_ext fe = {.main_cur = x, .main_next = x + m, .fixed_cur = x + 2 * m, .fixed_next = x + 2 * m + fx,
                               .aux_cur = x + 2 * (m + fx), .aux_next = x + 2 * (m + fx) + a, .challenges = ch,
                               .claimed_sum = x[nv - 1], .pub = &pub, .challenge_pows = pows};
            t->eval_main_ext(&fe, y + s * nc);
            t->eval_aux(&fe, y + s * nc + t->n_main_constraints);
        }
        const uint64_t binom[5] = {1, GL_P - 4, 6, GL_P - 4, 1}; /* (-1)^(4-s) C(4, s) */
        for (size_t c = 0; c < nc; c++) {
            fp3_t d = fp3_zero();
            for (int s = 0; s < 5; s++) d = fp3_add(d, fp3_mul_base(y[s * nc + c], binom[s]));
            int is_aux = c >= t->n_main_constraints;
            size_t ci = is_aux ? c - t->n_main_constraints : c;
            CHECK(fp3_is_zero(d), "table %s %s constraint %zu '%s' has degree > 3", t->name, is_aux ? "aux" : "main", ci,
                  (is_aux ? t->aux_names : t->main_names)[ci]);
        }
        free(p), free(q), free(x), free(y);
    }
}

int main(void) {
    air = sb_air_fib();
    test_honest();
    test_known_traces();
    test_record();
    test_tampering();
    test_degree();
    return check_finish("air");
}
