/* The device LogUp (kernels/gpu_logup.h) launched on the device and compared byte for byte with
 * the AIR's gen_aux: the aux columns and claimed sums of the cpu, program and range tables for
 * 2^8, 2^12 and 2^16 cpu rows, several --tpb settings and chunk lengths (odd chunk counts, more
 * chunks than threads, one chunk for a whole table); challenges that make a denominator 0 raise
 * the failure flag; shapes the kernels cannot index are refused before any launch. Skips (77)
 * without CUDA or without a GPU. */
#include "test_gpu_util.h"

#ifndef SB_HAVE_CUDA
int main(void) {
    printf("SKIPPED: built without CUDA\n");
    return 77;
}
#else

#include "../kernels/gpu_logup.h"
#include "air_fib.h"
#include "test_gpu_launch.h"
#include "rounds.h"
#include "rounds_inputs.h" /* rand_fp3 */

static unsigned max_blocks;

static const unsigned log_n_of[FIB_N_TABLES] = {0, FIB_LOG_PROGRAM, FIB_LOG_RANGE};
static const size_t main_cols[FIB_N_TABLES] = {FIB_CPU_COLS, FIB_PROG_MAIN_COLS, FIB_RANGE_COLS};
static const size_t aux_cols[FIB_N_TABLES] = {FIB_CPU_AUX_COLS, 1, 1};

/* One statement's host main tables and their device copies, with the device outputs. */
typedef struct logup_case {
    sb_public pub;
    uint64_t *main[FIB_N_TABLES], *dev_main[FIB_N_TABLES];
    fp3_t *dev_aux[FIB_N_TABLES], *dev_claimed;
    uint32_t *bad;
} logup_case;

static unsigned table_log_rows(const logup_case *c, int t) { return t == FIB_TABLE_CPU ? c->pub.log_steps : log_n_of[t]; }

static logup_case case_make(unsigned log_rows) {
    logup_case c;
    const sb_air *air = sb_air_fib();
    if (air->public_values(log_rows, &c.pub) || air->gen_main(&c.pub, c.main)) {
        fprintf(stderr, "FAIL: no main trace of 2^%u rows\n", log_rows);
        exit(1);
    }
    for (int t = 0; t < FIB_N_TABLES; t++) {
        const size_t bytes = sizeof(uint64_t) * main_cols[t] << table_log_rows(&c, t);
        c.dev_main[t] = dev_alloc(bytes);
        CUDA_OK(cudaMemcpy(c.dev_main[t], c.main[t], bytes, cudaMemcpyHostToDevice));
        c.dev_aux[t] = dev_alloc(sizeof(fp3_t) * aux_cols[t] << table_log_rows(&c, t));
    }
    c.dev_claimed = dev_alloc(sizeof(fp3_t) * FIB_N_TABLES);
    c.bad = dev_alloc(sizeof(uint32_t));
    return c;
}

static void case_free(logup_case *c) {
    for (int t = 0; t < FIB_N_TABLES; t++) {
        free(c->main[t]);
        CUDA_OK(cudaFree(c->dev_main[t]));
        CUDA_OK(cudaFree(c->dev_aux[t]));
    }
    CUDA_OK(cudaFree(c->dev_claimed));
    CUDA_OK(cudaFree(c->bad));
}

/* Queues sb_gpu_logup_aux of the case with fresh scratch and runs it to the end; returns its result. */
static cudaError_t run_logup(logup_case *c, const fp3_t *ch, unsigned chunk_rows, unsigned tpb, sb_gpu_site *site,
                             const char *what) {
    void *scratch = dev_alloc(sb_gpu_logup_scratch_bytes(c->pub.log_steps, chunk_rows));
    const cudaError_t e = sb_gpu_logup_aux(&c->pub, ch, c->dev_main[FIB_TABLE_CPU], c->dev_main[FIB_TABLE_PROGRAM],
                                           c->dev_main[FIB_TABLE_RANGE], c->dev_aux[FIB_TABLE_CPU],
                                           c->dev_aux[FIB_TABLE_PROGRAM], c->dev_aux[FIB_TABLE_RANGE], c->dev_claimed,
                                           c->bad, scratch, chunk_rows, tpb, max_blocks, stream, site);
    const int ok = e == cudaSuccess ? ran(e, site, what) : 1;
    CUDA_OK(cudaFree(scratch));
    return ok ? e : cudaErrorLaunchFailure;
}

static uint32_t read_flag(const logup_case *c) {
    uint32_t bad = 2;
    CUDA_OK(cudaMemcpy(&bad, c->bad, sizeof bad, cudaMemcpyDeviceToHost));
    return bad;
}

/* The device aux of 2^log_rows rows in chunks of chunk_rows, tpb threads a block, against gen_aux. */
static void equal_to_host(logup_case *c, unsigned chunk_rows, unsigned tpb) {
    const unsigned log_rows = c->pub.log_steps;
    const fp3_t ch[FIB_N_CHALLENGES] = {rand_fp3(), rand_fp3()};
    fp3_t *want[FIB_N_TABLES] = {0}, want_claimed[FIB_N_TABLES], got_claimed[FIB_N_TABLES];
    if (sb_air_fib()->gen_aux(&c->pub, c->main, ch, want, want_claimed)) {
        fprintf(stderr, "FAIL: no host aux of 2^%u rows\n", log_rows);
        exit(1);
    }
    sb_gpu_site site = {0};
    if (run_logup(c, ch, chunk_rows, tpb, &site, "logup") == cudaSuccess) {
        CHECK(read_flag(c) == 0, "2^%u rows, chunks of %u, tpb %u: the failure flag is set", log_rows, chunk_rows, tpb);
        CUDA_OK(cudaMemcpy(got_claimed, c->dev_claimed, sizeof got_claimed, cudaMemcpyDeviceToHost));
        for (int t = 0; t < FIB_N_TABLES; t++) {
            const size_t bytes = sizeof(fp3_t) * aux_cols[t] << table_log_rows(c, t);
            fp3_t *got = malloc(bytes);
            CUDA_OK(cudaMemcpy(got, c->dev_aux[t], bytes, cudaMemcpyDeviceToHost));
            CHECK(memcmp(got, want[t], bytes) == 0, "2^%u rows, chunks of %u, tpb %u: table %d's aux differs",
                  log_rows, chunk_rows, tpb, t);
            CHECK(fp3_eq(got_claimed[t], want_claimed[t]), "2^%u rows, chunks of %u, tpb %u: table %d's claimed sum",
                  log_rows, chunk_rows, tpb, t);
            free(got);
        }
    }
    for (int t = 0; t < FIB_N_TABLES; t++) free(want[t]);
}

/* gamma = tag_range + alpha * 5: range row 5's denominator is 0, and the flag says so. */
static void zero_denominator(logup_case *c) {
    fp3_t ch[FIB_N_CHALLENGES];
    ch[FIB_CH_ALPHA] = rand_fp3();
    ch[FIB_CH_GAMMA] = fp3_add_base(fp3_mul_base(ch[FIB_CH_ALPHA], 5), FIB_TAG_RANGE);
    sb_gpu_site site = {0};
    if (run_logup(c, ch, SB_LOGUP_CHUNK_ROWS, 64, &site, "logup (zero denominator)") == cudaSuccess)
        CHECK(read_flag(c) == 1, "a zero denominator leaves the flag clear");
}

static void refusals(logup_case *c) {
    const fp3_t ch[FIB_N_CHALLENGES] = {rand_fp3(), rand_fp3()};
    sb_gpu_site site = {0};
    refused(run_logup(c, ch, SB_LOGUP_CHUNK_ROWS, 48, &site, "tpb 48"), &site, "tpb 48");
    refused(run_logup(c, ch, SB_LOGUP_CHUNK_ROWS, 2048, &site, "tpb 2048"), &site, "tpb 2048");
    refused(run_logup(c, ch, 0, 64, &site, "chunks of 0 rows"), &site, "chunks of 0 rows");
    const sb_public pub = c->pub;
    c->pub.log_steps = 5;
    refused(run_logup(c, ch, SB_LOGUP_CHUNK_ROWS, 64, &site, "2^5 rows"), &site, "2^5 rows");
    c->pub = pub;
    fp3_t *aux = c->dev_aux[FIB_TABLE_RANGE];
    c->dev_aux[FIB_TABLE_RANGE] = NULL;
    refused(run_logup(c, ch, SB_LOGUP_CHUNK_ROWS, 64, &site, "no range aux"), &site, "no range aux");
    c->dev_aux[FIB_TABLE_RANGE] = aux;
    CHECK(sb_gpu_logup_scratch_bytes(8, 0) == 0, "scratch for chunks of 0 rows");
    /* 2^8 cpu rows in chunks of 32: 8 + 1 + 2048 chunk totals. */
    CHECK(sb_gpu_logup_scratch_bytes(8, 32) == sizeof(fp3_t) * (8 + 1 + 2048), "scratch of 2^8 rows in chunks of 32");
}

int main(void) {
    gpu_or_skip();
    int sms = 0;
    CUDA_OK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
    max_blocks = 16 * (unsigned)sms;
    CUDA_OK(cudaStreamCreate(&stream));
    static const unsigned tpbs[] = {32, 128, 256}; /* logup_terms' registers allow at most 352 */
    /* The default, odd lengths (odd chunk counts: 2^16 / 7 = 9363 range chunks, runs of several
     * totals a thread), one chunk for the whole program table and more. */
    static const unsigned chunks[] = {SB_LOGUP_CHUNK_ROWS, 7, 100, 1u << 16};
    for (unsigned log_rows = 8; log_rows <= 16; log_rows += 4) {
        logup_case c = case_make(log_rows);
        for (int i = 0; i < 4; i++) equal_to_host(&c, chunks[i], tpbs[(log_rows / 4 + i) % 3]);
        if (log_rows == 8) {
            zero_denominator(&c);
            refusals(&c);
        }
        case_free(&c);
    }
    /* A grid smaller than the chunks: every thread loops. */
    max_blocks = 1;
    logup_case c = case_make(12);
    equal_to_host(&c, 3, 32);
    case_free(&c);
    CUDA_OK(cudaStreamDestroy(stream));
    return check_finish("test_gpu_logup");
}

#endif
