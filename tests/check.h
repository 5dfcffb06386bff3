/* What every C test needs: CHECK (count a failure with a one-line reason and go on), a
 * deterministic generator, and the exit code. Include once per test program. */
#ifndef SB_TEST_CHECK_H
#define SB_TEST_CHECK_H

#include <stdint.h>
#include <stdio.h>

static int failures;
#define CHECK(cond, ...)                                         \
    do {                                                         \
        if (!(cond)) {                                           \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                        \
            fprintf(stderr, "\n");                               \
            failures++;                                          \
        }                                                        \
    } while (0)

/* splitmix64: the same sequence on every machine; reseed by assigning rng_state. */
static uint64_t rng_state = 0x243F6A8885A308D3ULL;
static inline uint64_t rnd(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Prints the verdict; returns the process exit code (0 or 1). */
static inline int check_finish(const char *what) {
    if (failures) {
        fprintf(stderr, "%s: %d failure(s)\n", what, failures);
        return 1;
    }
    printf("%s: all checks passed\n", what);
    return 0;
}

#endif
