/* The RV64 machine (prover/rv64.h): encodings against words assembled by LLVM's
 * RISC-V assembler (llvm-mc -triple=riscv64 -show-encoding), the fib program's
 * words, the interpreter against fib(n) mod 2^64 by fast doubling, and n(S). */
#include <string.h>

#include "check.h"
#include "rv64.h"

typedef struct known {
    const char *text;
    rv64_insn insn;
    uint32_t word;
} known;

/* Words from llvm-mc; the decoded form per rv64.h (absent fields are 0). */
static const known vectors[] = {
    {"addi a0, x0, 0", {RV64_ADDI, 10, 0, 0, 0}, 0x00000513},
    {"addi a1, x0, 1", {RV64_ADDI, 11, 0, 0, 1}, 0x00100593},
    {"addi a2, x0, 2047", {RV64_ADDI, 12, 0, 0, 2047}, 0x7ff00613},
    {"lui a2, 1", {RV64_LUI, 12, 0, 0, 4096}, 0x00001637},
    {"addi a2, a2, -2048", {RV64_ADDI, 12, 12, 0, -2048}, 0x80060613},
    {"lui a2, 0x80000", {RV64_LUI, 12, 0, 0, INT32_MIN}, 0x80000637},
    {"add a3, a0, a1", {RV64_ADD, 13, 10, 11, 0}, 0x00b506b3},
    {"addi a0, a1, 0", {RV64_ADDI, 10, 11, 0, 0}, 0x00058513},
    {"addi a1, a3, 0", {RV64_ADDI, 11, 13, 0, 0}, 0x00068593},
    {"addi a2, a2, -1", {RV64_ADDI, 12, 12, 0, -1}, 0xfff60613},
    {"bne a2, x0, -16", {RV64_BNE, 0, 12, 0, -16}, 0xfe0618e3},
    {"jal x0, 0", {RV64_JAL, 0, 0, 0, 0}, 0x0000006f},
    {"jal x1, -2048", {RV64_JAL, 1, 0, 0, -2048}, 0x801ff0ef},
    {"bne x15, x14, 4094", {RV64_BNE, 0, 15, 14, 4094}, 0x7ee79fe3},
    {"lui x15, 0xfffff", {RV64_LUI, 15, 0, 0, -4096}, 0xfffff7b7},
};

static int insn_eq(const rv64_insn *a, const rv64_insn *b) {
    return a->op == b->op && a->rd == b->rd && a->rs1 == b->rs1 && a->rs2 == b->rs2 && a->imm == b->imm;
}

static void test_known_encodings(void) {
    for (size_t i = 0; i < sizeof vectors / sizeof *vectors; i++) {
        const known *v = &vectors[i];
        uint32_t w = 0;
        rv64_insn d;
        CHECK(rv64_encode(&v->insn, &w) == 0 && w == v->word, "encode %s: got %08x want %08x", v->text, w, v->word);
        CHECK(rv64_decode(v->word, &d) == 0 && insn_eq(&d, &v->insn), "decode %s", v->text);
    }
}

static void test_rejects(void) {
    /* Words outside the subset: illegal 0, SUB, SLTI (funct3 2), BEQ (funct3 0), x16, ADD with funct7 1 (MUL). */
    const uint32_t bad_words[] = {0x00000000, 0x40b50533, 0x00252513, 0x00060863, 0x00000813, 0x02b50533};
    for (size_t i = 0; i < sizeof bad_words / sizeof *bad_words; i++) {
        rv64_insn d;
        CHECK(rv64_decode(bad_words[i], &d) == -1, "decode accepted %08x", bad_words[i]);
    }
    const rv64_insn bad[] = {
        {RV64_ADDI, 16, 0, 0, 0},        {RV64_ADDI, 1, 0, 0, 2048},   {RV64_ADDI, 1, 0, 0, -2049},
        {RV64_ADDI, 1, 0, 3, 0},         {RV64_ADD, 1, 2, 3, 1},       {RV64_BNE, 0, 1, 2, 3},
        {RV64_BNE, 0, 1, 2, 4096},       {RV64_BNE, 1, 1, 2, 4},       {RV64_JAL, 0, 0, 0, 1 << 20},
        {RV64_JAL, 0, 0, 0, 3},          {RV64_JAL, 0, 1, 0, 0},       {RV64_LUI, 1, 0, 0, 4095},
        {RV64_LUI, 1, 0, 0, 1ll << 31},  {RV64_LUI, 1, 2, 0, 4096},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        uint32_t w;
        CHECK(rv64_encode(&bad[i], &w) == -1, "encode accepted case %zu", i);
    }
}

/* Random valid instructions survive encode + decode, and random words that decode re-encode to themselves. */
static void test_round_trip(void) {
    for (int i = 0; i < 20000; i++) {
        rv64_insn in = {(rv64_op)(rnd() % RV64_NOPS), 0, 0, 0, 0};
        uint64_t r = rnd();
        unsigned a = r & 15, b = (r >> 4) & 15, c = (r >> 8) & 15;
        int64_t x = (int64_t)(r >> 12);
        switch (in.op) {
        case RV64_ADDI: in = (rv64_insn){in.op, a, b, 0, x % 4096 - 2048}; break;
        case RV64_ADD: in = (rv64_insn){in.op, a, b, c, 0}; break;
        case RV64_BNE: in = (rv64_insn){in.op, 0, b, c, 2 * (x % 4096) - 4096}; break;
        case RV64_JAL: in = (rv64_insn){in.op, a, 0, 0, 2 * (x % (1 << 20)) - (1 << 20)}; break;
        case RV64_LUI: in = (rv64_insn){in.op, a, 0, 0, 4096 * (x % (1 << 20)) - (1ll << 31)}; break;
        }
        uint32_t w;
        rv64_insn d;
        CHECK(rv64_encode(&in, &w) == 0 && rv64_decode(w, &d) == 0 && insn_eq(&d, &in), "round trip %d", i);
        uint32_t word = (uint32_t)rnd(), again;
        if (rv64_decode(word, &d) == 0)
            CHECK(rv64_encode(&d, &again) == 0 && again == word, "re-encode %08x", word);
    }
}

static void test_fib_program(void) {
    rv64_program p;
    const uint32_t small[] = {0x00000513, 0x00100593, 0x00a00613, 0x00b506b3, 0x00058513,
                              0x00068593, 0xfff60613, 0xfe0618e3, 0x0000006f}; /* n = 10 */
    CHECK(rv64_fib_program(10, &p) == 0 && p.len == 9 && memcmp(p.words, small, sizeof small) == 0, "fib(10) words");
    CHECK(rv64_fib_halt_pc(10) == 32, "halt pc small");
    /* n = 4095 = lui a2, 1; addi a2, a2, -1 (hi rounds up: 4095 = 4096 - 1). */
    const uint32_t large[] = {0x00000513, 0x00100593, 0x00001637, 0xfff60613, 0x00b506b3,
                              0x00058513, 0x00068593, 0xfff60613, 0xfe0618e3, 0x0000006f};
    CHECK(rv64_fib_program(4095, &p) == 0 && p.len == 10 && memcmp(p.words, large, sizeof large) == 0, "fib(4095) words");
    CHECK(rv64_fib_halt_pc(4095) == 36, "halt pc large");
    CHECK(rv64_fib_program(0, &p) == -1, "n = 0 rejected");
    CHECK(rv64_fib_program((1ull << 31) - 2048, &p) == -1, "n too large rejected");
    CHECK(rv64_fib_program((1ull << 31) - 2049, &p) == 0, "largest n accepted");
}

/* fib(n) mod 2^64 by fast doubling: F(2k) = F(k)(2F(k+1) - F(k)), F(2k+1) = F(k)^2 + F(k+1)^2. */
static uint64_t fib_ref(uint64_t n) {
    uint64_t a = 0, b = 1; /* F(k), F(k+1) */
    for (int bit = 63; bit >= 0; bit--) {
        uint64_t c = a * (2 * b - a), d = a * a + b * b;
        a = c, b = d;
        if ((n >> bit) & 1) {
            uint64_t t = a + b;
            a = b, b = t;
        }
    }
    return a;
}

static void test_interpreter(void) {
    CHECK(fib_ref(93) == 12200160415121876738ull && fib_ref(94) == 1293530146158671551ull &&
              fib_ref(100) == 3736710778780434371ull,
          "fib_ref known values");
    const uint64_t ns[] = {1, 2, 10, 93, 94, 100, 2047, 2048, 4095, 100000, 1000003};
    for (size_t i = 0; i < sizeof ns / sizeof *ns; i++) {
        uint64_t n = ns[i];
        rv64_program p;
        rv64_state s = {0};
        CHECK(rv64_fib_program(n, &p) == 0, "assemble %llu", (unsigned long long)n);
        uint64_t cycles = rv64_fib_prologue(n) + 5 * n;
        CHECK(rv64_run(&p, &s, cycles, NULL) == 0, "run %llu", (unsigned long long)n);
        CHECK(s.pc == rv64_fib_halt_pc(n) && s.x[RV64_A0] == fib_ref(n) && s.x[RV64_A1] == fib_ref(n + 1) &&
                  s.x[RV64_A2] == 0,
              "fib(%llu): pc %llu a0 %llu want %llu", (unsigned long long)n, (unsigned long long)s.pc,
              (unsigned long long)s.x[RV64_A0], (unsigned long long)fib_ref(n));
        /* The halt is a self-loop: padding rows change nothing. */
        rv64_state h = s;
        CHECK(rv64_run(&p, &h, 7, NULL) == 0 && memcmp(&h, &s, sizeof s) == 0, "halt loops");
    }

    /* One recorded row per cycle: the state before it. */
    rv64_program p;
    rv64_state s = {0}, rows[40];
    rv64_fib_program(5, &p);
    CHECK(rv64_run(&p, &s, 40, rows) == 0, "record");
    CHECK(rows[0].pc == 0 && rows[0].x[RV64_A0] == 0 && rows[1].pc == 4 && rows[3].pc == 12 && rows[8].pc == 12 &&
              rows[3].x[RV64_A2] == 5 && rows[28].pc == 32 && rows[39].pc == 32 && rows[39].x[RV64_A0] == 5,
          "recorded rows");
    for (int i = 0; i < 40; i++) CHECK(rows[i].x[0] == 0, "x0 stays 0");

    /* x0 discards writes; LUI sign-extends; ADD wraps. */
    rv64_program q = {.len = 5};
    const rv64_insn prog[] = {{RV64_ADDI, 0, 0, 0, 5},
                              {RV64_LUI, 1, 0, 0, INT32_MIN},
                              {RV64_ADDI, 2, 0, 0, -1},
                              {RV64_ADD, 3, 2, 2, 0},
                              {RV64_JAL, 4, 0, 0, 0}};
    for (int i = 0; i < 5; i++) rv64_encode(&prog[i], &q.words[i]);
    rv64_state t = {0};
    CHECK(rv64_run(&q, &t, 5, NULL) == 0 && t.x[0] == 0 && t.x[1] == 0xffffffff80000000ull &&
              t.x[3] == 0xfffffffffffffffeull && t.x[4] == 20 && t.pc == 16,
          "x0, lui, wrap, jal link");

    /* Leaving the program or an undecodable word is an error. */
    rv64_program off = {.len = 1};
    rv64_encode(&(rv64_insn){RV64_JAL, 0, 0, 0, 8}, &off.words[0]);
    rv64_state u = {0};
    CHECK(rv64_run(&off, &u, 2, NULL) == -1, "pc leaves the program");
    rv64_program garbage = {.len = 1, .words = {0x40b50533}};
    rv64_state g = {0};
    CHECK(rv64_run(&garbage, &g, 1, NULL) == -1, "undecodable word");
}

static void test_iterations(void) {
    CHECK(rv64_fib_iterations(8) == 50 && rv64_fib_iterations(13) == 1637 && rv64_fib_iterations(14) == 3275 &&
              rv64_fib_iterations(16) == 13106,
          "n(S) known values");
    CHECK(rv64_fib_iterations(RV64_MIN_LOG_STEPS - 1) == 0 && rv64_fib_iterations(RV64_MAX_LOG_STEPS + 1) == 0,
          "unsupported S");
    for (unsigned s = RV64_MIN_LOG_STEPS; s <= RV64_MAX_LOG_STEPS; s++) {
        uint64_t n = rv64_fib_iterations(s), rows = 1ull << s;
        rv64_program p;
        CHECK(n >= 1 && rv64_fib_program(n, &p) == 0, "S=%u assembles", s);
        CHECK(rv64_fib_prologue(n) + 5 * n + 1 <= rows, "S=%u fits", s);
        CHECK(rv64_fib_prologue(n + 1) + 5 * (n + 1) + 1 > rows, "S=%u maximal", s);
    }
}

int main(void) {
    test_known_encodings();
    test_rejects();
    test_round_trip();
    test_fib_program();
    test_interpreter();
    test_iterations();
    return check_finish("rv64");
}
