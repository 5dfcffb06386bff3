/* What every C test needs: CHECK (count a failure with a one-line reason and go on), running a
 * subcommand captured, writing a fixture file, a deterministic generator, and the exit code.
 * Include once per test program. */
#ifndef SB_TEST_CHECK_H
#define SB_TEST_CHECK_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

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

/* CHECK with the condition itself as the reason. */
#define EXPECT(cond) CHECK(cond, "%s", #cond)

/* Runs a subcommand (cmd_compare, cmd_history, ...) with its stdout captured through the file
 * capture_path into out (NUL-terminated, at most cap - 1 bytes); returns its exit code. */
static inline int run_captured(int (*cmd)(int, char **), int argc, char **argv, const char *capture_path,
                               char *out, size_t cap) {
    fflush(stdout);
    int saved = dup(1), fd = open(capture_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    close(fd);
    int rc = cmd(argc, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    out[0] = 0;
    FILE *f = fopen(capture_path, "r");
    if (f) {
        size_t n = fread(out, 1, cap - 1, f);
        out[n] = 0;
        fclose(f);
    }
    return rc;
}

/* Writes text to path (a fixture; failures show in the checks that read it). */
static inline void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

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
