/* The fib_iterative AIR: CPU, program (ROM) and range tables on a LogUp bus
 * (docs/AIR.md is the specification of every column and constraint). */
#include "air_fib.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "exec_record.h"
#include "trace_row.h"

/* ---- constraint names and domains (the order of air_fib_constraints_impl.h; air_fib.h counts them) -- */

#define L4(p, s) p "0" s, p "1" s, p "2" s, p "3" s
#define S16(p, s)                                                                                       \
    p "0" s, p "1" s, p "2" s, p "3" s, p "4" s, p "5" s, p "6" s, p "7" s, p "8" s, p "9" s, p "10" s, \
        p "11" s, p "12" s, p "13" s, p "14" s, p "15" s
#define X15(s)                                                                                           \
    L4("x1 limb ", s), L4("x2 limb ", s), L4("x3 limb ", s), L4("x4 limb ", s), L4("x5 limb ", s),       \
        L4("x6 limb ", s), L4("x7 limb ", s), L4("x8 limb ", s), L4("x9 limb ", s), L4("x10 limb ", s), \
        L4("x11 limb ", s), L4("x12 limb ", s), L4("x13 limb ", s), L4("x14 limb ", s), L4("x15 limb ", s)

static const char *const cpu_main_names[FIB_CPU_MAIN_CONSTRAINTS] = {
    "opcode addi boolean", "opcode add boolean", "opcode bne boolean", "opcode jal boolean", "opcode lui boolean",
    "opcode one-hot", S16("rd slot ", " boolean"), S16("rs1 slot ", " boolean"), S16("rs2 slot ", " boolean"),
    "rd one-hot", "rs1 one-hot", "rs2 one-hot", L4("operand a limb ", ""), L4("operand b limb ", ""),
    L4("carry ", " boolean"), L4("add limb ", ""), "jal link low half", "jal link limb 2", "jal link limb 3",
    "bne ne boolean", "bne inverse witness", "bne equal low half", "bne equal high half",
    "pc update", X15(" update"),
    "pc starts at 0", X15(" starts at 0"),
    "pc ends at halt", L4("a0 limb ", " = output"),
};

#define R4(d) d, d, d, d
#define R16(d) R4(d), R4(d), R4(d), R4(d)
#define R60(d) R16(d), R16(d), R16(d), R4(d), R4(d), R4(d)
#define ALL SB_DOM_ALL
#define TRANS SB_DOM_TRANSITION
static const uint8_t cpu_main_domains[] = {
    R4(ALL), ALL, ALL,                           /* opcode selectors */
    R16(ALL), R16(ALL), R16(ALL), ALL, ALL, ALL, /* register slots */
    R16(ALL),                                    /* operands, carries, addition */
    ALL, ALL, ALL, R4(ALL),                      /* jal link, bne */
    TRANS, R60(TRANS),                           /* pc and register updates */
    SB_DOM_FIRST, R60(SB_DOM_FIRST),             /* initial state */
    SB_DOM_LAST, R4(SB_DOM_LAST),                /* halt and output */
};
_Static_assert(sizeof cpu_main_domains == FIB_CPU_MAIN_CONSTRAINTS, "one domain per CPU constraint");

/* ---- the constraints, one source instantiated over each field ------------------------------- */

/* x * a; on LDE rows a lies in the base field (3 products instead of 9). */
static inline fp3_t fp3_scale_ext(fp3_t x, fp3_t a) { return fp3_is_base(a) ? fp3_mul_base(x, a.c[0]) : fp3_mul(x, a); }
static inline fp3_t fp3_identity(fp3_t a) { return a; }

#define F_QUAL static
#define F_SINK_QUAL static
#define F_SINK(T) T *
#define F_EMIT(out, i, v) ((out)[i] = (v))

/* Base field: the main constraints on LDE rows, the LogUp denominators of the aux trace. */
#include "air_fib_base_field.h"
#define F_FN(name) name##_base
#define F_AUX 0
#include "air_fib_constraints_impl.h"

/* Fp3: every constraint at the out-of-domain point, the aux constraints everywhere. */
#define F fp3_t
#define F_ADD fp3_add
#define F_SUB fp3_sub
#define F_MUL fp3_mul
#define F_C(u) fp3_from_base(u)
#define F_MULC fp3_mul_base
#define F_SCALE fp3_scale_ext
#define F_EXT fp3_identity
#define F_FN(name) name##_ext
#define F_AUX 1
#include "air_fib_constraints_impl.h"

static const char *const cpu_aux_names[FIB_CPU_AUX_CONSTRAINTS] = {
    "lookup pair 0 (program, range c0)", "lookup pair 1 (range c1, c2)", "running sum first", "running sum step",
    "running sum = claimed"};
static const uint8_t cpu_aux_domains[] = {ALL, ALL, SB_DOM_FIRST, TRANS, SB_DOM_LAST};
/* Program and range tables: the running sum carries the row's one fraction. */
static const char *const table_aux_names[FIB_TABLE_AUX_CONSTRAINTS] = {"running sum first", "running sum step",
                                                                       "running sum = claimed"};
static const uint8_t table_aux_domains[] = {SB_DOM_FIRST, TRANS, SB_DOM_LAST};

static const char *const program_main_names[FIB_PROG_MAIN_CONSTRAINTS] = {"padding multiplicity zero"};
static const uint8_t program_main_domains[] = {ALL};
static const char *const range_main_names[FIB_RANGE_MAIN_CONSTRAINTS] = {"range starts at 0", "range increments"};
static const uint8_t range_main_domains[] = {SB_DOM_FIRST, TRANS};

/* ---- public values and fixed columns -------------------------------------------------------- */

/* n(S) in closed form: what the verifier knows without running anything. */
static int fib_statement(unsigned log_steps, sb_public *pub) {
    uint64_t n = rv64_fib_iterations(log_steps);
    if (n == 0) return -1;
    pub->log_steps = log_steps;
    pub->iterations = n;
    return 0;
}

/* The prover's: the statement, then the output from running the machine. */
static int fib_public_values(unsigned log_steps, sb_public *pub) {
    rv64_program prog;
    if (fib_statement(log_steps, pub) || rv64_fib_program(pub->iterations, &prog)) return -1;
    uint64_t n = pub->iterations;
    rv64_state s = {0};
    if (rv64_run(&prog, &s, rv64_fib_prologue(n) + 5 * n, NULL) || s.pc != rv64_fib_halt_pc(n)) return -1;
    pub->output = s.x[RV64_A0];
    return 0;
}

static unsigned cpu_log_rows(const sb_public *pub) { return pub->log_steps; }
static unsigned program_log_rows(const sb_public *pub) {
    (void)pub;
    return FIB_LOG_PROGRAM;
}
static unsigned range_log_rows(const sb_public *pub) {
    (void)pub;
    return FIB_LOG_RANGE;
}

/* The ROM the verifier builds from n: one row per instruction word, then padding (real = 0). */
static void program_gen_fixed(const sb_public *pub, uint64_t *fixed) {
    memset(fixed, 0, sizeof(uint64_t) * FIB_PROG_FIXED_COLS << FIB_LOG_PROGRAM);
    rv64_program prog;
    if (rv64_fib_program(pub->iterations, &prog)) return;
    for (size_t i = 0; i < prog.len; i++) {
        rv64_insn in;
        if (rv64_decode(prog.words[i], &in)) return;
        fib_rom_tuple(&in, 4 * i, fixed + i * FIB_PROG_FIXED_COLS);
        fixed[i * FIB_PROG_FIXED_COLS + FIB_PROG_REAL] = 1;
    }
}

/* ---- constraint entry points ----------------------------------------------------------------- */

static void cpu_eval_base(const sb_frame_base *f, uint64_t *out) {
    cpu_main_base(f->main_cur, f->main_next, rv64_fib_halt_pc(f->pub->iterations), f->pub->output, out);
}
static void cpu_eval_ext(const sb_frame_ext *f, fp3_t *out) {
    cpu_main_ext(f->main_cur, f->main_next, rv64_fib_halt_pc(f->pub->iterations), f->pub->output, out);
}
static void program_eval_base(const sb_frame_base *f, uint64_t *out) { program_main_base(f->main_cur, f->fixed_cur, out); }
static void program_eval_ext(const sb_frame_ext *f, fp3_t *out) { program_main_ext(f->main_cur, f->fixed_cur, out); }
static void range_eval_base(const sb_frame_base *f, uint64_t *out) { range_main_base(f->main_cur, f->main_next, out); }
static void range_eval_ext(const sb_frame_ext *f, fp3_t *out) { range_main_ext(f->main_cur, f->main_next, out); }

_Static_assert(FIB_CH_ALPHA == 0, "the LogUp messages use the powers of the first challenge");
_Static_assert(FIB_ROM_WIDTH <= SB_AIR_CHALLENGE_POWERS, "a ROM tuple fits the challenge powers");

static void cpu_eval_aux(const sb_frame_ext *f, fp3_t *out) {
    cpu_aux_ext(f->main_cur, f->main_next, f->aux_cur, f->aux_next, f->challenge_pows, f->challenges[FIB_CH_GAMMA],
                f->claimed_sum, out);
}
static void program_eval_aux(const sb_frame_ext *f, fp3_t *out) {
    program_aux_ext(f->main_cur, f->main_next, f->fixed_cur, f->fixed_next, f->aux_cur, f->aux_next,
                    f->challenge_pows, f->challenges[FIB_CH_GAMMA], f->claimed_sum, out);
}
static void range_eval_aux(const sb_frame_ext *f, fp3_t *out) {
    range_aux_ext(f->main_cur, f->main_next, f->aux_cur, f->aux_next, f->challenge_pows, f->challenges[FIB_CH_GAMMA],
                  f->claimed_sum, out);
}

/* ---- LogUp ---------------------------------------------------------------------------------- */

/* The aux columns chunk by chunk with the device's functions (logup_row.h), over the
 * denominators of the base-field instantiation above. */
#define LOGUP_DENOM(name) name##_base
#include "logup_row.h"

/* One table's aux columns and claimed sum: its chunks' terms in parallel, the chunks' totals
 * scanned, then their running sums in parallel. Returns -1 when a denominator is 0 or out of memory. */
static int logup_table_aux(const sb_logup_table *t, const sb_logup_challenges *ch, fp3_t *claimed) {
    enum { CHUNK_ROWS = 1024 };
    const uint64_t chunks = sb_logup_chunks(t->n, CHUNK_ROWS);
    fp3_t *totals = malloc(sizeof(fp3_t) * chunks);
    if (!totals) return -1;
    int bad = 0;
#pragma omp parallel for schedule(static) reduction(| : bad)
    for (long c = 0; c < (long)chunks; c++)
        bad |= sb_logup_chunk_terms(t, ch, (uint64_t)c * CHUNK_ROWS, sb_logup_chunk_len(t->n, CHUNK_ROWS, c),
                                    &totals[c]) != 0;
    if (!bad) {
        *claimed = sb_logup_exclusive_scan(totals, chunks, fp3_zero());
#pragma omp parallel for schedule(static)
        for (long c = 0; c < (long)chunks; c++)
            sb_logup_chunk_sums(t, (uint64_t)c * CHUNK_ROWS, sb_logup_chunk_len(t->n, CHUNK_ROWS, c), totals[c]);
    }
    free(totals);
    return bad ? -1 : 0;
}

static int fib_gen_aux(const sb_public *pub, uint64_t *const *main, const fp3_t *challenges, fp3_t **aux,
                       fp3_t *claimed) {
    sb_logup_challenges ch;
    sb_logup_challenges_make(challenges, &ch);
    const size_t n_cpu = (size_t)1 << pub->log_steps;
    aux[FIB_TABLE_CPU] = malloc(sizeof(fp3_t) * FIB_CPU_AUX_COLS * n_cpu);
    aux[FIB_TABLE_PROGRAM] = malloc(sizeof(fp3_t) << FIB_LOG_PROGRAM);
    aux[FIB_TABLE_RANGE] = malloc(sizeof(fp3_t) << FIB_LOG_RANGE);
    uint64_t fixed[FIB_PROG_FIXED_COLS << FIB_LOG_PROGRAM];
    sb_logup_table t[FIB_N_TABLES];
    int rc = -1;
    if (!aux[FIB_TABLE_CPU] || !aux[FIB_TABLE_PROGRAM] || !aux[FIB_TABLE_RANGE]) goto done;
    program_gen_fixed(pub, fixed);
    sb_logup_tables(n_cpu, main[FIB_TABLE_CPU], main[FIB_TABLE_PROGRAM], main[FIB_TABLE_RANGE], fixed, aux, t);
    for (int k = 0; k < FIB_N_TABLES; k++)
        if (logup_table_aux(&t[k], &ch, &claimed[k])) goto done;
    rc = 0;
done:
    if (rc) {
        for (int k = 0; k < FIB_N_TABLES; k++) {
            free(aux[k]);
            aux[k] = NULL;
        }
    }
    return rc;
}

/* ---- main trace generation ------------------------------------------------------------------ */

void sb_air_fib_count_multiplicities(const sb_public *pub, uint64_t *const *main) {
    const size_t n = (size_t)1 << pub->log_steps, n_prog = (size_t)1 << FIB_LOG_PROGRAM,
                 n_range = (size_t)1 << FIB_LOG_RANGE;
    rv64_program rom;
    size_t rom_len = rv64_fib_program(pub->iterations, &rom) ? 0 : rom.len;
    uint64_t *prog = main[FIB_TABLE_PROGRAM], *range = main[FIB_TABLE_RANGE];
    for (size_t i = 0; i < n_prog; i++) prog[i * FIB_PROG_MAIN_COLS + FIB_PROG_MULT] = 0;
    for (size_t v = 0; v < n_range; v++) range[v * FIB_RANGE_COLS + FIB_RANGE_MULT] = 0;
    for (size_t r = 0; r < n; r++) {
        const uint64_t *row = main[FIB_TABLE_CPU] + r * FIB_CPU_COLS, p = fib_program_row(row, rom_len);
        if (p != FIB_NO_ROW) prog[p * FIB_PROG_MAIN_COLS + FIB_PROG_MULT]++;
        for (int k = 0; k < FIB_LIMBS; k++) {
            const uint64_t v = fib_range_row(row, k);
            if (v != FIB_NO_ROW) range[v * FIB_RANGE_COLS + FIB_RANGE_MULT]++;
        }
    }
}

int sb_air_fib_gen_main_program(const rv64_program *prog, const sb_public *pub, uint64_t **main) {
    const unsigned log_k = pub->log_steps < SB_EXEC_LOG_K ? pub->log_steps : SB_EXEC_LOG_K;
    sb_exec_record rec;
    if (sb_exec_record_build(prog, pub->log_steps, log_k, &rec)) return -1;
    const size_t n = (size_t)1 << pub->log_steps, n_range = (size_t)1 << FIB_LOG_RANGE;
    uint64_t *cpu = malloc(sizeof(uint64_t) * FIB_CPU_COLS * n);
    uint64_t *program = calloc((size_t)FIB_PROG_MAIN_COLS << FIB_LOG_PROGRAM, sizeof(uint64_t));
    uint64_t *range = malloc(sizeof(uint64_t) * FIB_RANGE_COLS * n_range);
    const int bad = !cpu || !program || !range || sb_exec_record_expand(&rec, cpu);
    sb_exec_record_free(&rec);
    if (bad) {
        free(cpu), free(program), free(range);
        return -1;
    }
    for (size_t v = 0; v < n_range; v++) range[v * FIB_RANGE_COLS + FIB_RANGE_VALUE] = v;
    main[FIB_TABLE_CPU] = cpu;
    main[FIB_TABLE_PROGRAM] = program;
    main[FIB_TABLE_RANGE] = range;
    sb_air_fib_count_multiplicities(pub, main);
    return 0;
}

static int fib_gen_main(const sb_public *pub, uint64_t **main) {
    rv64_program prog;
    if (rv64_fib_program(pub->iterations, &prog)) return -1;
    return sb_air_fib_gen_main_program(&prog, pub, main);
}

/* ---- the AIR ---------------------------------------------------------------------------------- */

#define COUNT(a) (sizeof(a) / sizeof *(a))
_Static_assert(COUNT(cpu_aux_domains) == FIB_CPU_AUX_CONSTRAINTS, "CPU aux names and domains");
_Static_assert(COUNT(table_aux_domains) == FIB_TABLE_AUX_CONSTRAINTS, "table aux names and domains");
_Static_assert(COUNT(program_main_domains) == FIB_PROG_MAIN_CONSTRAINTS, "program names and domains");
_Static_assert(COUNT(range_main_domains) == FIB_RANGE_MAIN_CONSTRAINTS, "range names and domains");

static const sb_table_air fib_tables[FIB_N_TABLES] = {
    [FIB_TABLE_CPU] = {.name = "cpu",
                       .n_main = FIB_CPU_COLS,
                       .n_fixed = 0,
                       .n_aux = FIB_CPU_AUX_COLS,
                       .n_main_constraints = FIB_CPU_MAIN_CONSTRAINTS,
                       .n_aux_constraints = COUNT(cpu_aux_names),
                       .main_domains = cpu_main_domains,
                       .aux_domains = cpu_aux_domains,
                       .log_rows = cpu_log_rows,
                       .gen_fixed = NULL,
                       .eval_main_base = cpu_eval_base,
                       .eval_main_ext = cpu_eval_ext,
                       .eval_aux = cpu_eval_aux,
                       .main_names = cpu_main_names,
                       .aux_names = cpu_aux_names},
    [FIB_TABLE_PROGRAM] = {.name = "program",
                           .n_main = FIB_PROG_MAIN_COLS,
                           .n_fixed = FIB_PROG_FIXED_COLS,
                           .n_aux = 1,
                           .n_main_constraints = COUNT(program_main_names),
                           .n_aux_constraints = COUNT(table_aux_names),
                           .main_domains = program_main_domains,
                           .aux_domains = table_aux_domains,
                           .log_rows = program_log_rows,
                           .gen_fixed = program_gen_fixed,
                           .eval_main_base = program_eval_base,
                           .eval_main_ext = program_eval_ext,
                           .eval_aux = program_eval_aux,
                           .main_names = program_main_names,
                           .aux_names = table_aux_names},
    [FIB_TABLE_RANGE] = {.name = "range",
                         .n_main = FIB_RANGE_COLS,
                         .n_fixed = 0,
                         .n_aux = 1,
                         .n_main_constraints = COUNT(range_main_names),
                         .n_aux_constraints = COUNT(table_aux_names),
                         .main_domains = range_main_domains,
                         .aux_domains = table_aux_domains,
                         .log_rows = range_log_rows,
                         .gen_fixed = NULL,
                         .eval_main_base = range_eval_base,
                         .eval_main_ext = range_eval_ext,
                         .eval_aux = range_eval_aux,
                         .main_names = range_main_names,
                         .aux_names = table_aux_names},
};

static const sb_air fib_air = {
    .n_tables = FIB_N_TABLES,
    .tables = fib_tables,
    .n_challenges = FIB_N_CHALLENGES,
    .statement = fib_statement,
    .public_values = fib_public_values,
    .gen_main = fib_gen_main,
    .gen_aux = fib_gen_aux,
};

const sb_air *sb_air_fib(void) { return &fib_air; }
