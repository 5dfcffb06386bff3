/* The round operations on the GPU backend (skips without a GPU): the conformance cases of
 * tests/round_cases.h (every operation byte-equal to its independent reference, on the side its
 * placement says) with the default placement, every round on the device; whole proofs
 * byte-identical to the CPU backend's for blowup 2, 4, 8 and --tp 1, 3, with every round on the
 * device and with each round kept on the CPU alone (cfg.cpu_rounds: same bytes, fewer GPU
 * operations where that round has kernels);
 * STARKBENCH_CPU_ROUNDS read at creation; and a silent injected fallback of each operation name
 * (same bytes, no record). */
#include "test_gpu_util.h"

#include "round_cases.h"

#define LOG_STEPS 10

typedef struct run {
    sb_proof proof;
    uint64_t cpu_ops, gpu_ops;
    size_t fallbacks;
} run;

/* Proves with a new backend of kind at threshold 0 with cpu_rounds; the proof and counters. */
static run prove_with(sb_backend_kind kind, unsigned cpu_rounds, unsigned blowup, unsigned tp) {
    sb_backend_config cfg;
    sb_backend_config_default(&cfg);
    cfg.kind = kind;
    cfg.cpu_rounds = cpu_rounds;
    char err[256] = "";
    run r = {{0}, 0, 0, 0};
    sb_backend *be = sb_backend_create(&cfg, err, sizeof err);
    CHECK(be != NULL, "backend: %s", err);
    if (!be) return r;
    sb_prove_config pc = {LOG_STEPS, blowup, tp, 0};
    if (sb_stark_prove(sb_air_fib(), &pc, be, NULL, &r.proof, err, sizeof err) != 0) {
        CHECK(0, "prove b=%u tp=%u rounds %x: %s", blowup, tp, cpu_rounds, err);
        r.proof.len = 0;
    }
    r.cpu_ops = atomic_load(&be->cpu_ops), r.gpu_ops = atomic_load(&be->gpu_ops), r.fallbacks = be->n_fallbacks;
    sb_backend_destroy(be);
    return r;
}

static int same(const run *a, const run *b) {
    return a->proof.len && a->proof.len == b->proof.len && memcmp(a->proof.bytes, b->proof.bytes, a->proof.len) == 0;
}

/* Returns 1 when round r has a range whose operations the GPU backend runs on the device when no
 * round is kept on the CPU. */
static int round_has_kernels(unsigned r) {
    for (int id = 0; id < SB_RANGE_COUNT; id++)
        if (sb_range_defs[id].round == r && sb_range_kinds_in(&sb_range_defs[id], sb_gpu_placed_ops(0))) return 1;
    return 0;
}

/* The kinds of operation the GPU backend has kernels for, in any round. */
static unsigned device_kinds(void) {
    const sb_opk_mask placed = sb_gpu_placed_ops(0);
    sb_opk_mask kinds = 0;
    for (unsigned r = 1; r <= 4; r++) kinds |= placed >> SB_OPK_ROUND_BITS * (r - 1);
    return (unsigned)(kinds & 0xffffu);
}

/* A GPU backend created with cfg.cpu_rounds = cpu_rounds; exits on failure. */
static sb_backend *gpu_backend(unsigned cpu_rounds) {
    sb_backend_config cfg;
    sb_backend_config_default(&cfg);
    cfg.kind = SB_BACKEND_GPU;
    cfg.cpu_rounds = cpu_rounds;
    char err[256] = "";
    sb_backend *be = sb_backend_create(&cfg, err, sizeof err);
    if (!be) {
        fprintf(stderr, "FAIL: cannot create the GPU backend: %s\n", err);
        exit(1);
    }
    return be;
}

/* The kind of operation an injection name covers (0: none the prover runs). */
static unsigned inject_kind(const char *name) {
    static const struct { const char *name; unsigned kind; } kinds[] = {
        {"lde", SB_OPK_LDE},   {"commit", SB_OPK_COMMIT}, {"open", SB_OPK_OPEN}, {"composition", SB_OPK_COMPOSITION},
        {"ood", SB_OPK_OOD},   {"deep", SB_OPK_DEEP},     {"fri", SB_OPK_FRI},   {"grind", SB_OPK_GRIND},
        {"trace", SB_OPK_TRACE}};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (strcmp(kinds[k].name, name) == 0) return kinds[k].kind;
    return 0;
}

int main(void) {
    gpu_or_skip();
    rng_state = 0x5EED0F0C0DE5ULL;
    /* The default placement is every kind of every round on the device. */
    CHECK(sb_gpu_placed_ops(SB_CPU_ROUNDS_DEFAULT) == sb_gpu_placed_ops(0), "the default placement "
          "(%#llx) is not every kind of every round on the device (%#llx)",
          (unsigned long long)sb_gpu_placed_ops(SB_CPU_ROUNDS_DEFAULT), (unsigned long long)sb_gpu_placed_ops(0));
    sb_backend *gpu = gpu_backend(SB_CPU_ROUNDS_DEFAULT);
    run_round_cases(gpu);
    CHECK(gpu->n_fallbacks == 0, "%zu fallbacks in the conformance cases (first: %s %s)", gpu->n_fallbacks,
          gpu->fallbacks[0].kernel, gpu->fallbacks[0].error);
    sb_backend_destroy(gpu);

    static const unsigned blowups[3] = {2, 4, 8};
    for (int b = 0; b < 3; b++)
        for (unsigned tp = 1; tp <= 3; tp += 2) {
            run want = prove_with(SB_BACKEND_CPU, 0, blowups[b], tp);
            run def = prove_with(SB_BACKEND_GPU, SB_CPU_ROUNDS_DEFAULT, blowups[b], tp);
            run all = prove_with(SB_BACKEND_GPU, 0, blowups[b], tp);
            CHECK(same(&want, &def) && def.fallbacks == 0 && def.gpu_ops > 0, "b=%u tp=%u: GPU proof (default "
                  "placement) differs or fell back", blowups[b], tp);
            CHECK(same(&want, &all) && all.fallbacks == 0 && all.cpu_ops == 0, "b=%u tp=%u: GPU proof (every kind on "
                  "the device, the traces too) differs, fell back or ran %llu operations on the CPU", blowups[b], tp,
                  (unsigned long long)all.cpu_ops);
            CHECK(def.gpu_ops + def.cpu_ops == want.cpu_ops && all.gpu_ops == want.cpu_ops,
                  "b=%u tp=%u: %llu + %llu operations (default), %llu (all on the device), the CPU's %llu", blowups[b],
                  tp, (unsigned long long)def.gpu_ops, (unsigned long long)def.cpu_ops,
                  (unsigned long long)all.gpu_ops, (unsigned long long)want.cpu_ops);
            sb_proof_free(&def.proof);
            for (unsigned r = 1; r <= 4; r++) {
                run one = prove_with(SB_BACKEND_GPU, 1u << (r - 1), blowups[b], tp);
                CHECK(same(&want, &one) && one.fallbacks == 0, "b=%u tp=%u: R%u on the CPU gives other bytes",
                      blowups[b], tp, r);
                CHECK(round_has_kernels(r) ? one.gpu_ops < all.gpu_ops : one.gpu_ops == all.gpu_ops,
                      "b=%u tp=%u: R%u on the CPU: %llu GPU operations, %llu with every round on the GPU", blowups[b],
                      tp, r, (unsigned long long)one.gpu_ops, (unsigned long long)all.gpu_ops);
                sb_proof_free(&one.proof);
            }
            sb_proof_free(&want.proof);
            sb_proof_free(&all.proof);
        }

    /* STARKBENCH_CPU_ROUNDS at creation: replaces the default placement, adds to a caller's own;
     * none puts every round on the device; a bad or empty value refuses the backend. */
    static const struct { const char *value; unsigned cfg, want; } envs[] = {
        {"R1,R3", SB_CPU_ROUNDS_DEFAULT, 5}, {"none", SB_CPU_ROUNDS_DEFAULT, 0}, {"R2", 1, 3}, {"none", 4, 4}};
    for (size_t k = 0; k < sizeof envs / sizeof envs[0]; k++) {
        setenv("STARKBENCH_CPU_ROUNDS", envs[k].value, 1);
        sb_backend *be = gpu_backend(envs[k].cfg);
        CHECK(be->cfg.cpu_rounds == envs[k].want, "STARKBENCH_CPU_ROUNDS=%s over %#x: mask %#x, want %#x",
              envs[k].value, envs[k].cfg, be->cfg.cpu_rounds, envs[k].want);
        sb_backend_destroy(be);
    }
    static const char *const bad[] = {"R9", ""};
    for (int k = 0; k < 2; k++) {
        setenv("STARKBENCH_CPU_ROUNDS", bad[k], 1);
        sb_backend_config cfg;
        sb_backend_config_default(&cfg);
        cfg.kind = SB_BACKEND_GPU;
        char err[256] = "", want[64];
        snprintf(want, sizeof want, "STARKBENCH_CPU_ROUNDS='%s'", bad[k]);
        sb_backend *be = sb_backend_create(&cfg, err, sizeof err);
        CHECK(!be && strstr(err, want), "a bad STARKBENCH_CPU_ROUNDS accepted: %s", err);
        sb_backend_destroy(be);
    }
    unsetenv("STARKBENCH_CPU_ROUNDS");

    /* A silent fallback of each operation name: the same bytes, no record, and fewer GPU
     * operations where the name has kernels. */
    run want = prove_with(SB_BACKEND_CPU, 0, 2, 1), all = prove_with(SB_BACKEND_GPU, 0, 2, 1);
    for (int k = 0; k < SB_INJECT_NAMES; k++) {
        const char *name = sb_inject_names[k];
        setenv("STARKBENCH_INJECT_SILENT_FALLBACK", name, 1);
        run inj = prove_with(SB_BACKEND_GPU, 0, 2, 1);
        unsetenv("STARKBENCH_INJECT_SILENT_FALLBACK");
        const int has_kernels = strcmp(name, "all") == 0 ? 1 : (inject_kind(name) & device_kinds()) != 0;
        CHECK(same(&want, &inj) && inj.fallbacks == 0, "inject %s: other bytes or a record", name);
        CHECK(has_kernels ? inj.gpu_ops < all.gpu_ops : inj.gpu_ops == all.gpu_ops,
              "inject %s: %llu GPU operations, %llu without", name, (unsigned long long)inj.gpu_ops,
              (unsigned long long)all.gpu_ops);
        sb_proof_free(&inj.proof);
    }
    sb_proof_free(&want.proof);
    sb_proof_free(&all.proof);
    return check_finish("test_gpu_rounds");
}
