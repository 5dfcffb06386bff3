/* The memory model of bench/point.c against the backends' own accounting: for proofs of several
 * sizes, blowups and --tp, each space's high-water mark over the whole proof (the prove range)
 * never exceeds the model (the traces included: the backend makes them); and the model is not a
 * blanket over-estimate (within 20 % of the host figure on the CPU backend, a factor 2 of each on
 * the GPU backend). Where a GPU is usable the GPU backend runs the same cases at threshold 0, by
 * default and with the traces on the device; here it is skipped with a note. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../kernels/gpu_backend.h"
#include "check.h"
#include "point.h"
#include "prover.h"
#include "range.h"
#include "range_names.h"

/* cpu_rounds: the GPU backend's placement (SB_CPU_ROUNDS_DEFAULT, or 0: the traces on the device too). */
static void check_case(sb_backend_kind kind, unsigned cpu_rounds, unsigned log_steps, unsigned blowup, unsigned tp) {
    sb_backend_config cfg;
    sb_backend_config_default(&cfg);
    cfg.kind = kind;
    cfg.cpu_rounds = cpu_rounds;
    char err[256] = "";
    sb_backend *be = sb_backend_create(&cfg, err, sizeof err);
    CHECK(be != NULL, "backend: %s", err);
    if (!be) return;
    sb_ranges rs;
    sb_ranges_init(&rs, be, 0, NULL);
    sb_prove_config pc = {log_steps, blowup, tp, 0};
    sb_proof proof;
    CHECK(sb_prove(&pc, be, &rs, &proof, err, sizeof err) == 0, "2^%u: prove: %s", log_steps, err);
    const sb_range_rec *whole = NULL;
    for (size_t i = 0; i < rs.n; i++)
        if (!rs.recs[i].table[0] && strcmp(rs.recs[i].name, SB_RANGE_NAME(SB_PROVE)) == 0) whole = &rs.recs[i];
    sb_detect_table tables[SB_POINT_MAX_TABLES];
    int nt = sb_point_tables(log_steps, tables, err, sizeof err);
    sb_point_config c = {log_steps, blowup, tp, 2, kind, kind == SB_BACKEND_CPU ? SB_THRESHOLD_NEVER : 0, {0}};
    sb_memory_model mm;
    sb_point_memory(&c, kind == SB_BACKEND_CPU ? 0 : sb_gpu_placed_ops(be->cfg.cpu_rounds), tables, (size_t)nt, &mm);
    const double model[SB_MEM_SPACES] = {(double)mm.host_bytes, (double)mm.device_bytes};
    const char *what = kind == SB_BACKEND_CPU ? "cpu" : cpu_rounds ? "gpu" : "gpu (device trace)";
    CHECK(whole != NULL, "no prove range");
    for (int s = 0; whole && s < SB_MEM_SPACES; s++) {
        const double got = whole->mem_peak[s];
        printf("%s 2^%u b%u tp%u %s: backend peak %.2f MiB, model %.2f MiB\n", what, log_steps, blowup, tp,
               s ? "device" : "host", got / (1 << 20), model[s] / (1 << 20));
        if (kind == SB_BACKEND_CPU && s == SB_MEM_DEVICE) {
            CHECK(isnan(got) && model[s] == 0, "the CPU backend has no device memory, and the model none");
            continue;
        }
        CHECK(got > 0 && got <= model[s], "%s 2^%u b%u tp%u: the backend held %.0f bytes, over the model's %.0f",
              what, log_steps, blowup, tp, got, model[s]);
        const double slack = kind == SB_BACKEND_CPU ? 1.2 : 2.0;
        CHECK(model[s] <= slack * got, "%s 2^%u b%u tp%u: the model's %.0f bytes are far above the "
              "backend's %.0f", what, log_steps, blowup, tp, model[s], got);
    }
    sb_proof_free(&proof);
    sb_ranges_destroy(&rs);
    for (int s = 0; s < SB_MEM_SPACES; s++) /* what stays: the GPU backend's twiddles and staging */
        if (kind == SB_BACKEND_CPU)
            CHECK(atomic_load(&be->mem_now[s]) == 0, "%llu bytes still counted after the proof",
                  (unsigned long long)atomic_load(&be->mem_now[s]));
    sb_backend_destroy(be);
}

int main(void) {
    static const unsigned cases[][3] = {{8, 2, 1}, {12, 8, 1}, {12, 4, 3}, {14, 2, 3}};
    char gpu[128];
    const int have_gpu = sb_gpu_available(gpu, sizeof gpu);
    if (!have_gpu) printf("no GPU: the GPU backend's cases are skipped\n");
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        check_case(SB_BACKEND_CPU, SB_CPU_ROUNDS_DEFAULT, cases[k][0], cases[k][1], cases[k][2]);
        if (have_gpu) {
            check_case(SB_BACKEND_GPU, SB_CPU_ROUNDS_DEFAULT, cases[k][0], cases[k][1], cases[k][2]);
            check_case(SB_BACKEND_GPU, 0, cases[k][0], cases[k][1], cases[k][2]);
        }
    }
    return check_finish("test_memory_model");
}
