/* GPU LDE and Merkle commit byte-equal to the CPU: LDE values, roots, opened rows and paths,
 * base and ext3 widths (3M columns), several sizes and --tpb settings, and the known roots of
 * tests/vectors/lde-commit.txt on lde-commit's deterministic matrix (docs/ARCHITECTURE.md "lde-commit").
 * Skips without a GPU. */
#include "test_gpu_util.h"

#include "merkle.h"
#include "ntt.h"

/* Runs lde + commit of trace on both backends and compares everything a prover reads. */
static void compare(sb_backend *cpu, sb_backend *gpu, const uint64_t *trace, size_t n, size_t cols, unsigned blowup,
                    const char *what) {
    sb_op op = {.table = "test", .op = "R1 main LDE"};
    sb_matrix a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    const uint64_t gpu_before = atomic_load(&gpu->gpu_ops);
    CHECK(cpu->ops->lde(cpu, &op, trace, n, cols, blowup, &a) == 0 && cpu->ops->commit(cpu, &op, &a) == 0,
          "%s: cpu lde/commit: %s", what, op.err);
    CHECK(gpu->ops->lde(gpu, &op, trace, n, cols, blowup, &b) == 0 && gpu->ops->commit(gpu, &op, &b) == 0,
          "%s: gpu lde/commit: %s", what, op.err);
    CHECK(atomic_load(&gpu->gpu_ops) == gpu_before + 2, "%s: lde + commit did not both run on the GPU", what);
    CHECK(b.host == NULL && b.device != NULL, "%s: the GPU LDE should live on the device until asked for", what);
    CHECK(memcmp(a.root.b, b.root.b, 32) == 0, "%s: roots differ", what);
    const uint64_t *la = cpu->ops->to_host(cpu, &op, &a), *lb = gpu->ops->to_host(gpu, &op, &b);
    CHECK(la && lb && memcmp(la, lb, a.rows * cols * sizeof *la) == 0, "%s: LDE values differ", what);
    CHECK(gpu->ops->to_host(gpu, &op, &b) == lb, "%s: a second to_host copied again", what);
    const unsigned log_l = (unsigned)__builtin_ctzll(a.rows);
    enum { OPENED = 4 };
    const size_t leaves[OPENED] = {0, 1, (a.rows / 2 + 1) % a.rows, a.rows - 1};
    uint64_t *ra = malloc(OPENED * cols * sizeof *ra), *rb = malloc(OPENED * cols * sizeof *rb);
    sb_digest pa[OPENED * 32], pb[OPENED * 32];
    CHECK(cpu->ops->open_many(cpu, &op, &a, leaves, OPENED, ra, pa) == 0 &&
          gpu->ops->open_many(gpu, &op, &b, leaves, OPENED, rb, pb) == 0, "%s: open_many: %s", what, op.err);
    CHECK(memcmp(ra, rb, OPENED * cols * sizeof *ra) == 0 && memcmp(pa, pb, OPENED * log_l * sizeof *pa) == 0,
          "%s: openings differ", what);
    for (int i = 0; i < OPENED; i++) {
        const size_t j = leaves[i];
        CHECK(memcmp(rb + i * cols, la + bit_reverse_index(j, log_l) * cols, cols * sizeof *rb) == 0,
              "%s: GPU row of leaf %zu is not LDE row bitrev(%zu)", what, j, j);
        sb_digest leaf;
        merkle_hash_row(rb + i * cols, cols, &leaf);
        CHECK(merkle_verify(&b.root, &leaf, j, log_l, pb + i * log_l), "%s: GPU path of leaf %zu does not verify",
              what, j);
    }
    const size_t bad[2] = {0, a.rows};
    CHECK(gpu->ops->open_many(gpu, &op, &b, bad, 2, rb, pb) == -1 && strstr(op.err, "out of range"),
          "%s: a leaf out of range accepted", what);
    free(ra);
    free(rb);
    cpu->ops->release(cpu, &a);
    gpu->ops->release(gpu, &b);
    CHECK(b.device == NULL && b.host == NULL, "%s: release left state behind", what);
}

/* lde-commit's deterministic matrix (docs/ARCHITECTURE.md): T[r][c] = ((r+1) A + c B) mod p, exact. */
static uint64_t *design_matrix(size_t n, size_t cols) {
    uint64_t *t = malloc(n * cols * sizeof *t);
    for (size_t r = 0; r < n; r++)
        for (size_t c = 0; c < cols; c++) {
            unsigned __int128 v = (unsigned __int128)(r + 1) * 0x9E3779B97F4A7C15ULL +
                                  (unsigned __int128)c * 0xD1B54A32D192ED03ULL;
            t[r * cols + c] = gl_reduce128((uint64_t)v, (uint64_t)(v >> 64));
        }
    return t;
}

static void known_roots(sb_backend *gpu) {
    FILE *f = fopen(SB_SOURCE_DIR "/tests/vectors/lde-commit.txt", "r");
    CHECK(f != NULL, "tests/vectors/lde-commit.txt is missing: the known roots cannot be checked");
    if (!f) return;
    char line[512];
    int checked = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned log_n, cols, blowup;
        char hex[65];
        if (line[0] == '#' || sscanf(line, "%u %u %u %64s", &log_n, &cols, &blowup, hex) != 4) continue;
        uint64_t *t = design_matrix((size_t)1 << log_n, cols);
        sb_op op = {.table = "test", .op = "R1 main commit"};
        sb_matrix c;
        memset(&c, 0, sizeof c);
        CHECK(gpu->ops->lde(gpu, &op, t, (size_t)1 << log_n, cols, blowup, &c) == 0 &&
                  gpu->ops->commit(gpu, &op, &c) == 0, "vector %u %u %u: %s", log_n, cols, blowup, op.err);
        char got[65];
        for (int i = 0; i < 32; i++) snprintf(got + 2 * i, 3, "%02x", c.root.b[i]);
        CHECK(strcmp(got, hex) == 0, "vector 2^%u x %u blowup %u: root %s, expected %s", log_n, cols, blowup, got, hex);
        gpu->ops->release(gpu, &c);
        free(t);
        checked++;
    }
    fclose(f);
    CHECK(checked >= 5, "only %d known roots read", checked);
}

int main(void) {
    gpu_or_skip();
    sb_backend *cpu = backend(SB_BACKEND_CPU, 0, NULL);
    /* tpb order: ntt, scale, keccak, merkle (0 = default). */
    static const unsigned tpbs[][SB_K_COUNT] = {{0, 0, 0, 0}, {32, 64, 32, 32}, {1024, 1024, 256, 512}, {96, 160, 64, 96}};
    static const struct { unsigned log_n, cols, blowup; } shapes[] = {
        {0, 1, 2}, {1, 3, 2}, {2, 1, 2}, {3, 2, 4}, {4, 17, 8}, {5, 3, 2}, {7, 18, 4},
        {8, 64, 2}, {9, 33, 2}, {10, 48, 2}, {11, 130, 2}, {12, 9, 8}, {14, 64, 4}, {16, 64, 2}};
    for (size_t t = 0; t < sizeof tpbs / sizeof tpbs[0]; t++) {
        sb_backend *gpu = backend(SB_BACKEND_GPU, 0, tpbs[t]);
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
            const size_t n = (size_t)1 << shapes[s].log_n;
            if (t > 0 && shapes[s].log_n > 12) continue; /* every tpb on the smaller shapes keeps this fast */
            uint64_t *trace = random_trace(n, shapes[s].cols);
            char what[128];
            snprintf(what, sizeof what, "2^%u x %u%s blowup %u, tpb set %zu", shapes[s].log_n, shapes[s].cols,
                     shapes[s].cols % 3 ? "" : " (ext3)", shapes[s].blowup, t);
            compare(cpu, gpu, trace, n, shapes[s].cols, shapes[s].blowup, what);
            free(trace);
        }
        if (t == 0) known_roots(gpu);
        CHECK(gpu->n_fallbacks == 0, "tpb set %zu: %zu unexpected fallbacks (first: %s %s)", t, gpu->n_fallbacks,
              gpu->fallbacks[0].kernel, gpu->fallbacks[0].error);
        sb_backend_destroy(gpu);
    }
    sb_backend_destroy(cpu);
    return check_finish("test_gpu_lde");
}
