/* The device trace's kernels (kernels/gpu_trace.h) launched on the device and compared byte for
 * byte with the host trace (sb_air_fib_gen_main_program): the cpu table expanded from an
 * execution record, and the program and range tables with their multiplicities, for 2^6 .. 2^16
 * rows, several snapshot intervals and --tpb settings; a snapshot whose pc leaves the program
 * raises the failure flag; shapes the kernels cannot index are refused before any launch. Skips
 * (77) without CUDA or without a GPU. */
#include "test_gpu_util.h"

#ifndef SB_HAVE_CUDA
int main(void) {
    printf("SKIPPED: built without CUDA\n");
    return 77;
}
#else

#include "../kernels/gpu_trace.h"
#include "air_fib.h"
#include "exec_record.h"
#include "test_gpu_launch.h"

static unsigned max_blocks;

/* The device tables of one record. */
typedef struct dev_trace {
    rv64_state *snapshots;
    uint64_t *cpu, *program, *range;
    uint32_t *bad;
} dev_trace;

static dev_trace dev_trace_alloc(const sb_exec_record *rec) {
    const size_t segments = (size_t)1 << (rec->log_rows - rec->log_k);
    dev_trace d;
    d.snapshots = dev_alloc(segments * sizeof(rv64_state));
    CUDA_OK(cudaMemcpy(d.snapshots, rec->snapshots, segments * sizeof(rv64_state), cudaMemcpyHostToDevice));
    d.cpu = dev_alloc(sizeof(uint64_t) * FIB_CPU_COLS << rec->log_rows);
    d.program = dev_alloc(sizeof(uint64_t) * FIB_PROG_MAIN_COLS << FIB_LOG_PROGRAM);
    d.range = dev_alloc(sizeof(uint64_t) * FIB_RANGE_COLS << FIB_LOG_RANGE);
    d.bad = dev_alloc(sizeof(uint32_t));
    return d;
}

static void dev_trace_free(dev_trace *d) {
    CUDA_OK(cudaFree(d->snapshots));
    CUDA_OK(cudaFree(d->cpu));
    CUDA_OK(cudaFree(d->program));
    CUDA_OK(cudaFree(d->range));
    CUDA_OK(cudaFree(d->bad));
}

/* The honest record of 2^log_rows steps at interval 2^log_k, expanded and counted on the device
 * with tpb threads a block, against the host's tables. */
static void expand(unsigned log_rows, unsigned log_k, unsigned tpb) {
    sb_public pub;
    rv64_program prog;
    sb_exec_record rec;
    uint64_t *want[FIB_N_TABLES] = {0};
    if (sb_air_fib()->public_values(log_rows, &pub) || rv64_fib_program(pub.iterations, &prog) ||
        sb_exec_record_build(&prog, log_rows, log_k, &rec) || sb_air_fib_gen_main_program(&prog, &pub, want)) {
        fprintf(stderr, "FAIL: no host trace of 2^%u rows\n", log_rows);
        exit(1);
    }
    dev_trace d = dev_trace_alloc(&rec);
    sb_gpu_site site = {0};
    uint32_t bad = 1;
    if (ran(sb_gpu_trace_expand(&rec, d.snapshots, d.cpu, d.bad, tpb, max_blocks, stream, &site), &site, "expand") &&
        ran(sb_gpu_trace_multiplicities(d.cpu, log_rows, prog.len, d.program, d.range, tpb, max_blocks, stream, &site),
            &site, "multiplicities")) {
        CUDA_OK(cudaMemcpy(&bad, d.bad, sizeof bad, cudaMemcpyDeviceToHost));
        CHECK(bad == 0, "2^%u rows at interval 2^%u, tpb %u: the failure flag is set", log_rows, log_k, tpb);
        const size_t bytes[FIB_N_TABLES] = {sizeof(uint64_t) * FIB_CPU_COLS << log_rows,
                                            sizeof(uint64_t) * FIB_PROG_MAIN_COLS << FIB_LOG_PROGRAM,
                                            sizeof(uint64_t) * FIB_RANGE_COLS << FIB_LOG_RANGE};
        const uint64_t *dev[FIB_N_TABLES] = {d.cpu, d.program, d.range};
        for (int t = 0; t < FIB_N_TABLES; t++) {
            uint64_t *got = malloc(bytes[t]);
            CUDA_OK(cudaMemcpy(got, dev[t], bytes[t], cudaMemcpyDeviceToHost));
            CHECK(memcmp(got, want[t], bytes[t]) == 0, "2^%u rows at interval 2^%u, tpb %u: table %d differs",
                  log_rows, log_k, tpb, t);
            free(got);
        }
    }
    /* A snapshot past the program: its segment fails and says so. */
    rec.snapshots[0].pc = 4 * RV64_PROGRAM_MAX;
    CUDA_OK(cudaMemcpy(d.snapshots, rec.snapshots, sizeof(rv64_state), cudaMemcpyHostToDevice));
    if (ran(sb_gpu_trace_expand(&rec, d.snapshots, d.cpu, d.bad, tpb, max_blocks, stream, &site), &site,
            "expand (pc outside)")) {
        CUDA_OK(cudaMemcpy(&bad, d.bad, sizeof bad, cudaMemcpyDeviceToHost));
        CHECK(bad == 1, "2^%u rows, tpb %u: a snapshot outside the program leaves the flag clear", log_rows, tpb);
    }
    dev_trace_free(&d);
    sb_exec_record_free(&rec);
    for (int t = 0; t < FIB_N_TABLES; t++) free(want[t]);
}

static void refusals(void) {
    sb_public pub;
    rv64_program prog;
    sb_exec_record rec;
    if (sb_air_fib()->public_values(8, &pub) || rv64_fib_program(pub.iterations, &prog) ||
        sb_exec_record_build(&prog, 8, 4, &rec)) {
        fprintf(stderr, "FAIL: no record\n");
        exit(1);
    }
    dev_trace d = dev_trace_alloc(&rec);
    sb_gpu_site site = {0};
    refused(sb_gpu_trace_expand(&rec, d.snapshots, d.cpu, d.bad, 48, max_blocks, stream, &site), &site, "tpb 48");
    sb_exec_record odd = rec;
    odd.log_k = 9;
    refused(sb_gpu_trace_expand(&odd, d.snapshots, d.cpu, d.bad, 64, max_blocks, stream, &site), &site,
            "an interval past the trace");
    odd = rec;
    odd.len = 0;
    refused(sb_gpu_trace_expand(&odd, d.snapshots, d.cpu, d.bad, 64, max_blocks, stream, &site), &site, "no program");
    refused(sb_gpu_trace_expand(&rec, d.snapshots, NULL, d.bad, 64, max_blocks, stream, &site), &site, "no table");
    refused(sb_gpu_trace_multiplicities(d.cpu, 8, 17, d.program, d.range, 64, max_blocks, stream, &site), &site,
            "a ROM of 17 words");
    refused(sb_gpu_trace_multiplicities(d.cpu, 5, prog.len, d.program, d.range, 64, max_blocks, stream, &site), &site,
            "2^5 rows");
    refused(sb_gpu_trace_multiplicities(d.cpu, 8, prog.len, d.program, d.range, 2048, max_blocks, stream, &site),
            &site, "tpb 2048");
    dev_trace_free(&d);
    sb_exec_record_free(&rec);
}

int main(void) {
    gpu_or_skip();
    int sms = 0;
    CUDA_OK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
    max_blocks = 16 * (unsigned)sms;
    CUDA_OK(cudaStreamCreate(&stream));
    static const unsigned tpbs[] = {32, 64, 256};
    for (unsigned log_rows = RV64_MIN_LOG_STEPS; log_rows <= 16; log_rows += 2) {
        const unsigned log_ks[] = {0, 4, log_rows < SB_EXEC_LOG_K ? log_rows : SB_EXEC_LOG_K};
        for (int i = 0; i < 3; i++) expand(log_rows, log_ks[i], tpbs[(log_rows / 2 + i) % 3]);
    }
    refusals();
    CUDA_OK(cudaStreamDestroy(stream));
    return check_finish("test_gpu_trace");
}

#endif
