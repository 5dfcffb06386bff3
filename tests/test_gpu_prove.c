/* Whole fib_iterative proofs byte-identical on the CPU and GPU backends for blowup 2, 4, 8,
 * every operation of every round on the device (the default placement, the traces included: the
 * counters see every operation on the GPU), a mixed path (threshold: small tables on the CPU),
 * other --tpb values, a recorded fallback (Keccak leaves at 1024 threads/block) and a silent
 * injected one: every proof the same bytes, every proof verifies. Skips without a GPU. */
#include "test_gpu_util.h"

#include "stark.h"

#define LOG_STEPS 10

/* Proves with be; returns the proof (len 0 on failure). */
static sb_proof prove(sb_backend *be, unsigned blowup, const char *what) {
    sb_prove_config cfg = {LOG_STEPS, blowup, 1, 0};
    sb_proof p;
    char err[256] = "";
    if (sb_stark_prove(sb_air_fib(), &cfg, be, NULL, &p, err, sizeof err) != 0) {
        CHECK(0, "%s b=%u: prove failed: %s", what, blowup, err);
        p.bytes = NULL, p.len = 0;
    }
    return p;
}

static void same_and_valid(const sb_proof *want, const sb_proof *got, unsigned blowup, const char *what) {
    CHECK(got->len == want->len && memcmp(got->bytes, want->bytes, want->len) == 0,
          "%s b=%u: proof bytes differ from the CPU's (%zu vs %zu bytes)", what, blowup, got->len, want->len);
    char why[256] = "";
    const int rc = sb_stark_verify(sb_air_fib(), got->bytes, got->len, NULL, why, sizeof why);
    CHECK(rc == SB_VERIFY_OK, "%s b=%u: verify %d: %s", what, blowup, rc, why);
}

int main(void) {
    gpu_or_skip();
    static const unsigned blowups[3] = {2, 4, 8};
    for (int b = 0; b < 3; b++) {
        const unsigned blowup = blowups[b];
        sb_backend *cpu = backend(SB_BACKEND_CPU, 0, NULL);
        sb_proof want = prove(cpu, blowup, "cpu");
        const uint64_t all_ops = atomic_load(&cpu->cpu_ops);
        sb_backend_destroy(cpu);
        if (!want.len) continue;

        sb_backend *gpu = backend(SB_BACKEND_GPU, 0, NULL);
        sb_proof got = prove(gpu, blowup, "gpu");
        const uint64_t g_ops = atomic_load(&gpu->gpu_ops), c_ops = atomic_load(&gpu->cpu_ops);
        CHECK(g_ops == all_ops && c_ops == 0 && gpu->n_fallbacks == 0,
              "gpu b=%u: gpu_ops %llu, cpu_ops %llu (want the CPU backend's %llu, 0), fallbacks %zu", blowup,
              (unsigned long long)g_ops, (unsigned long long)c_ops, (unsigned long long)all_ops, gpu->n_fallbacks);
        same_and_valid(&want, &got, blowup, "gpu");
        sb_proof_free(&got);
        sb_backend_destroy(gpu);

        /* Mixed: tables whose LDE is under 2^14 rows stay on the CPU (the program table). */
        unsigned tpb[SB_K_COUNT] = {64, 128, 64, 256};
        gpu = backend(SB_BACKEND_GPU, (uint64_t)1 << 14, tpb);
        got = prove(gpu, blowup, "mixed");
        CHECK(atomic_load(&gpu->gpu_ops) > 0 && atomic_load(&gpu->cpu_ops) > 0, "mixed b=%u: both paths should run",
              blowup);
        same_and_valid(&want, &got, blowup, "mixed + tpb");
        sb_proof_free(&got);
        sb_backend_destroy(gpu);

        /* Keccak leaves at 1024 threads/block cannot launch: recorded fallbacks, same proof. */
        memset(tpb, 0, sizeof tpb);
        tpb[SB_K_KECCAK] = 1024;
        gpu = backend(SB_BACKEND_GPU, 0, tpb);
        got = prove(gpu, blowup, "keccak=1024");
        CHECK(gpu->n_fallbacks > 0 && strcmp(gpu->fallbacks[0].kernel, "keccak256_leaves_row_major") == 0,
              "keccak=1024 b=%u: %zu fallback records", blowup, gpu->n_fallbacks);
        same_and_valid(&want, &got, blowup, "keccak=1024");
        sb_proof_free(&got);
        sb_backend_destroy(gpu);

        /* Injected silent fallback of every commit: same proof, no record. */
        setenv("STARKBENCH_INJECT_SILENT_FALLBACK", "commit", 1);
        gpu = backend(SB_BACKEND_GPU, 0, NULL);
        got = prove(gpu, blowup, "silent");
        CHECK(gpu->n_fallbacks == 0, "silent b=%u: a record was written", blowup);
        same_and_valid(&want, &got, blowup, "silent");
        unsetenv("STARKBENCH_INJECT_SILENT_FALLBACK");
        sb_proof_free(&got);
        sb_backend_destroy(gpu);
        sb_proof_free(&want);
    }
    return check_finish("test_gpu_prove");
}
