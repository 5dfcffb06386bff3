/* The conformance suite of the round operations (tests/round_cases.h) on the CPU backend:
 * lde, lde_matrix, commit (every width mod 17, known roots), openings, composition, OOD, DEEP,
 * FRI fold + commit and grinding, each byte-equal to an independent reference. The GPU
 * backend runs the same cases in test_gpu_rounds (skipped without a GPU). Also the parsing of
 * STARKBENCH_CPU_ROUNDS and of the injection switch's names. */
#include "check.h"
#include "round_cases.h"

int main(void) {
    rng_state = 0x5EED0F0C0DE5ULL;
    sb_backend_config cfg;
    sb_backend_config_default(&cfg);
    cfg.kind = SB_BACKEND_CPU;
    sb_backend *be = sb_backend_create(&cfg, NULL, 0);
    run_round_cases(be);
    CHECK(be->n_fallbacks == 0, "the CPU backend recorded a fallback");
    sb_backend_destroy(be);

    unsigned mask = 99;
    CHECK(sb_rounds_parse("R2", &mask) == 0 && mask == 2, "R2: %u", mask);
    CHECK(sb_rounds_parse("R1,R3,R4", &mask) == 0 && mask == 13, "R1,R3,R4: %u", mask);
    CHECK(sb_rounds_parse("none", &mask) == 0 && mask == 0, "none: %u", mask);
    static const char *const bad[] = {"",    "R5",  "R0",      "R2,",  "R2,,R3", "r2",
                                      "R2 ", "R12", ",R1", "all", "none,R2", "None"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mask = 99;
        CHECK(sb_rounds_parse(bad[i], &mask) == -1 && mask == 99, "'%s' accepted", bad[i]);
    }
    for (int k = 0; k < SB_INJECT_NAMES; k++)
        CHECK(sb_inject_name_valid(sb_inject_names[k]) && strstr(SB_INJECT_NAMES_LIST, sb_inject_names[k]),
              "injection name %s", sb_inject_names[k]);
    CHECK(!sb_inject_name_valid("ntt") && !sb_inject_name_valid(""), "unknown injection names accepted");
    return check_finish("test_round_conformance");
}
