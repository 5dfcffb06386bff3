/* The Rounds 2-4 kernels (kernels/gpu_rounds.h) launched on the device and compared byte for byte
 * with the CPU reference (sb_cpu_round_ops, ntt.h, sb_pow_search) on random inputs of several
 * sizes and --tpb settings: the whole NTTs the split uses (three-pass plans from 2^17 rows), the
 * composition of every fib table (real traces at blowup 2, 4, 8, random LDEs, a broken trace's
 * degree flag), OOD (1..4 points, widths around the 32-column tiles), DEEP, FRI folds with and
 * without their tree and the layer's openings, and the grinding search; shapes the kernels cannot
 * index are refused before any launch. Skips (77) without CUDA or without a GPU. */
#include "test_gpu_util.h"

#ifndef SB_HAVE_CUDA
int main(void) {
    printf("SKIPPED: built without CUDA\n");
    return 77;
}
#else

#include "../kernels/gpu_rounds.h"
#include "test_gpu_launch.h"
#include "fri.h"
#include "merkle.h"
#include "ntt.h"
#include "stark.h"
#include "stark_poly.h"

#include "rounds_inputs.h"

static unsigned sms, max_blocks;
static sb_op op;

static void *to_dev(const void *host, size_t bytes) {
    void *d = dev_alloc(bytes);
    if (bytes) CUDA_OK(cudaMemcpy(d, host, bytes, cudaMemcpyHostToDevice));
    return d;
}
static void to_host(void *host, const void *dev, size_t bytes) {
    CUDA_OK(cudaMemcpy(host, dev, bytes, cudaMemcpyDeviceToHost));
}

/* sb_gpu_twiddles of size 2^log_n on the device. */
static uint64_t *twiddles(unsigned log_n, int inverse) {
    const size_t count = log_n ? (size_t)1 << (log_n - 1) : 1;
    uint64_t *t = dev_alloc(count * sizeof *t);
    sb_gpu_site site = {0};
    ran(sb_gpu_twiddles(t, log_n, inverse, 256, max_blocks, stream, &site), &site, "twiddles");
    return t;
}

/* ---- whole NTTs ----------------------------------------------------------------------------------- */

static void ntts(void) {
    static const struct {
        unsigned log_n, cols;
    } shapes[] = {{0, 3}, {1, 3}, {4, 6}, {8, 3}, {9, 17}, {12, 6}, {16, 6}, {17, 3}, {18, 6}};
    static const unsigned tpbs[] = {32, 256, 1024};
    for (size_t t = 0; t < sizeof tpbs / sizeof *tpbs; t++)
        for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
            const unsigned log_n = shapes[s].log_n, cols = shapes[s].cols;
            const size_t n = (size_t)1 << log_n, bytes = n * cols * sizeof(uint64_t);
            uint64_t *in = random_matrix(n, cols), *want = xmalloc(bytes), *got = xmalloc(bytes);
            uint64_t *tw = twiddles(log_n, 0), *itw = twiddles(log_n, 1), *d = to_dev(in, bytes);
            sb_gpu_site site = {0};
            memcpy(want, in, bytes);
            ntt_dif_rows(want, n, cols, cols, 1);
            if (ran(sb_gpu_intt_dif(d, log_n, cols, itw, tpbs[t], max_blocks, stream, &site), &site, "intt_dif")) {
                to_host(got, d, bytes);
                CHECK(memcmp(want, got, bytes) == 0, "inverse DIF NTT of 2^%u x %u, tpb %u differs", log_n, cols,
                      tpbs[t]);
            }
            memcpy(want, in, bytes);
            ntt_dit_rows(want, n, cols, cols, 0, 0);
            CUDA_OK(cudaMemcpy(d, in, bytes, cudaMemcpyHostToDevice));
            if (ran(sb_gpu_ntt_dit(d, log_n, cols, tw, tpbs[t], max_blocks, stream, &site), &site, "ntt_dit")) {
                to_host(got, d, bytes);
                CHECK(memcmp(want, got, bytes) == 0, "forward DIT NTT of 2^%u x %u, tpb %u differs", log_n, cols,
                      tpbs[t]);
            }
            cudaFree(tw), cudaFree(itw), cudaFree(d);
            free(in), free(want), free(got);
        }
}

/* ---- composition --------------------------------------------------------------------------------- */

/* The GPU composition of table t: the LDEs uploaded, sb_gpu_fib_composition and
 * sb_gpu_composition_split at *(unsigned *)ctx threads a block: a composition_fn. */
static int composition_gpu(int t, const sb_composition_in *in, uint64_t *parts, uint32_t *bad, void *ctx) {
    const unsigned tpb = *(const unsigned *)ctx;
    const sb_matrix *m = in->main, *a = in->aux, *f = in->fixed;
    const unsigned log_n = (unsigned)log2_exact(m->n), log_b = (unsigned)log2_exact(m->blowup);
    const size_t parts_bytes = m->n * 3 * SB_COMPOSITION_PARTS * sizeof(uint64_t);
    sb_gpu_fib_comp_consts k;
    CHECK(sb_gpu_fib_comp_consts_init(&k, t, in->pub, log_n, log_b, in->beta, in->challenges, in->claimed_sum) == 0,
          "consts for table %d", t);
    sb_gpu_fib_comp_consts *dk = to_dev(&k, sizeof k);
    uint64_t *dm = to_dev(m->host, m->rows * m->cols * sizeof(uint64_t));
    uint64_t *da = to_dev(a->host, a->rows * a->cols * sizeof(uint64_t));
    uint64_t *df = f ? to_dev(f->host, f->rows * f->cols * sizeof(uint64_t)) : NULL;
    uint64_t *dc = dev_alloc(m->rows * 3 * sizeof(uint64_t)), *dparts = dev_alloc(parts_bytes);
    uint32_t *dbad = dev_alloc(sizeof *dbad);
    uint64_t *itw = twiddles(log_n + log_b, 1), *tw = twiddles(log_n, 0);
    const sb_gpu_composition_args args = {t, dm, df, da, dk, log_n, log_b, dc, tpb, max_blocks};
    sb_gpu_site site = {0};
    const int ok = ran(sb_gpu_fib_composition(&args, stream, &site), &site, "composition") &&
                   ran(sb_gpu_composition_split(dc, log_n, log_b, itw, tw, dparts, dbad, 256, tpb, max_blocks, stream,
                                                &site),
                       &site, "composition split");
    if (ok) {
        to_host(parts, dparts, parts_bytes);
        to_host(bad, dbad, sizeof *bad);
    }
    cudaFree(dk), cudaFree(dm), cudaFree(da), cudaFree(df), cudaFree(dc), cudaFree(dparts), cudaFree(dbad);
    cudaFree(itw), cudaFree(tw);
    return ok ? 0 : -1;
}

/* ---- OOD ------------------------------------------------------------------------------------------------ */

static void ood(sb_backend *cpu, unsigned log_n, unsigned blowup, unsigned n_points, unsigned tpb) {
    /* the operation takes up to SB_DEEP_MAX_MATS matrices: a single column, one warp's width, one over
     * it, and the cpu table's main width */
    static const unsigned widths[SB_DEEP_MAX_MATS] = {1, 32, 33, 138};
    enum { MATS = SB_DEEP_MAX_MATS };
    const size_t n = (size_t)1 << log_n;
    sb_matrix c[MATS];
    sb_matrix *mats[MATS];
    sb_gpu_ood_matrix dm[MATS];
    fp3_t *want[MATS], points[SB_GPU_OOD_MAX_POINTS];
    for (unsigned p = 0; p < n_points; p++) points[p] = rand_outside_fp();
    for (int k = 0; k < MATS; k++) {
        c[k] = host_lde(cpu, random_matrix(n * blowup, widths[k]), n, widths[k], blowup);
        mats[k] = &c[k];
        want[k] = xmalloc(n_points * widths[k] * sizeof(fp3_t));
        dm[k] = (sb_gpu_ood_matrix){to_dev(c[k].host, n * blowup * widths[k] * sizeof(uint64_t)),
                                    (uint64_t)blowup * widths[k], widths[k],
                                    dev_alloc(n_points * widths[k] * sizeof(fp3_t))};
    }
    CHECK(sb_cpu_round_ops.ood(cpu, &op, mats, MATS, points, n_points, want) == 0, "cpu ood: %s", op.err);
    fp3_t *scratch = dev_alloc(sb_gpu_ood_scratch_len(log_n, n_points, 138, sms) * sizeof(fp3_t));
    sb_gpu_site site = {0};
    if (ran(sb_gpu_ood(dm, MATS, log_n, points, n_points, scratch, tpb, sms, stream, &site), &site, "ood"))
        for (int k = 0; k < MATS; k++) {
            fp3_t *got = xmalloc(n_points * widths[k] * sizeof(fp3_t));
            to_host(got, dm[k].out, n_points * widths[k] * sizeof(fp3_t));
            CHECK(memcmp(want[k], got, n_points * widths[k] * sizeof(fp3_t)) == 0,
                  "OOD of 2^%u rows (blowup %u), %u points, %u columns, tpb %u differs", log_n, blowup, n_points,
                  widths[k], tpb);
            free(got);
        }
    for (int k = 0; k < MATS; k++) {
        cudaFree((void *)dm[k].rows), cudaFree(dm[k].out);
        cpu->ops->release(cpu, &c[k]);
        free(want[k]);
    }
    cudaFree(scratch);
}

/* ---- DEEP ------------------------------------------------------------------------------------------------ */

static void deep(sb_backend *cpu, unsigned log_n, unsigned blowup, const unsigned *widths, unsigned tpb) {
    enum { MATS = 3 };
    const size_t n = (size_t)1 << log_n, m = n * blowup;
    sb_matrix c[MATS];
    fp3_t *coeffs[MATS];
    sb_deep_in in;
    sb_gpu_deep_args args;
    memset(&in, 0, sizeof in);
    memset(&args, 0, sizeof args);
    in.n_mats = args.n_mats = MATS, in.n_shifted = args.n_shifted = 2;
    for (int k = 0; k < MATS; k++) {
        c[k] = host_lde(cpu, random_matrix(m, widths[k]), n, widths[k], blowup);
        coeffs[k] = xmalloc(widths[k] * sizeof(fp3_t));
        for (unsigned i = 0; i < widths[k]; i++) coeffs[k][i] = rand_fp3();
        in.mats[k] = &c[k], in.coeffs[k] = coeffs[k];
        args.rows[k] = to_dev(c[k].host, m * widths[k] * sizeof(uint64_t));
        args.coeffs[k] = to_dev(coeffs[k], widths[k] * sizeof(fp3_t));
        args.cols[k] = widths[k];
    }
    in.z = args.z = rand_outside_fp();
    in.zw = args.zw = fp3_mul_base(in.z, gl_root_of_unity(log_n));
    in.sum_z = args.sum_z = rand_fp3(), in.sum_zw = args.sum_zw = rand_fp3();
    args.log_m = log_n + (unsigned)log2_exact(blowup);
    args.out = dev_alloc(m * sizeof(fp3_t));
    args.tpb = tpb, args.max_blocks = max_blocks;
    fp3_t *got = xmalloc(m * sizeof(fp3_t));
    sb_matrix layer0;
    CHECK(sb_cpu_round_ops.deep(cpu, &op, &in, &layer0) == 0, "cpu deep: %s", op.err);
    sb_gpu_site site = {0};
    if (ran(sb_gpu_deep(&args, stream, &site), &site, "deep")) {
        to_host(got, args.out, m * sizeof(fp3_t));
        CHECK(layer0.host && memcmp(layer0.host, got, m * sizeof(fp3_t)) == 0, "DEEP of 2^%u x %u rows (widths %u %u %u), tpb %u differs",
              log_n, blowup, widths[0], widths[1], widths[2], tpb);
    }
    for (int k = 0; k < MATS; k++) {
        cudaFree((void *)args.rows[k]), cudaFree((void *)args.coeffs[k]);
        cpu->ops->release(cpu, &c[k]);
        free(coeffs[k]);
    }
    cudaFree(args.out);
    cpu->ops->release(cpu, &layer0);
    free(got);
}

/* ---- FRI -------------------------------------------------------------------------------------------------- */

/* A fold of 2^log_m values (committed: with its tree and openings) against the CPU's. */
static void fri(sb_backend *cpu, unsigned log_m, unsigned layer_index, int committed, unsigned tpb) {
    fri_case c;
    fri_case_make(&c, cpu, log_m, layer_index, committed);
    const unsigned log_leaves = log_m >= 2 ? log_m - 2 : 0;
    fp3_t *got = xmalloc(c.half * sizeof(fp3_t));
    fp3_t *dl = to_dev(c.layer, c.m * sizeof(fp3_t)), *dout = dev_alloc(c.half * sizeof(fp3_t));
    uint64_t *nodes = committed ? dev_alloc((2 * c.leaves - 1) * 4 * sizeof(uint64_t)) : NULL;
    sb_gpu_site site = {0};
    if (ran(sb_gpu_fri_fold(dl, log_m, c.offset, c.alpha, dout, nodes, tpb, 128, sms, max_blocks, stream, &site), &site,
            "fri_fold")) {
        to_host(got, dout, c.half * sizeof(fp3_t));
        CHECK(memcmp(c.want, got, c.half * sizeof(fp3_t)) == 0, "FRI fold of 2^%u values, tpb %u differs", log_m, tpb);
        if (committed) {
            sb_digest root;
            to_host(root.b, nodes, sizeof root.b);
            CHECK(memcmp(root.b, c.next.root.b, 32) == 0, "FRI layer root of 2^%u values, tpb %u differs",
                  log_m, tpb);
        }
    }
    if (committed) { /* openings of random leaves of the folded layer (2L values) */
        enum { Q = 37 };
        uint64_t leaves[Q], *paths = xmalloc(Q * log_leaves * 4 * sizeof *paths);
        fp3_t pairs[2 * Q];
        sb_digest *want_paths = xmalloc(Q * log_leaves * sizeof *want_paths);
        for (int q = 0; q < Q; q++) {
            leaves[q] = rnd() % c.leaves;
            merkle_path(&c.next.tree, leaves[q], want_paths + q * log_leaves);
        }
        uint64_t *dleaves = to_dev(leaves, sizeof leaves), *dpaths = dev_alloc(Q * log_leaves * 4 * sizeof *paths);
        fp3_t *dpairs = dev_alloc(sizeof pairs);
        if (ran(sb_gpu_fri_open(dout, nodes, log_leaves, dleaves, Q, dpairs, dpaths, tpb, max_blocks, stream, &site),
                &site, "fri_open")) {
            to_host(pairs, dpairs, sizeof pairs);
            to_host(paths, dpaths, Q * log_leaves * 4 * sizeof *paths);
            for (int q = 0; q < Q; q++)
                CHECK(fp3_eq(pairs[2 * q], c.want[leaves[q]]) && fp3_eq(pairs[2 * q + 1], c.want[leaves[q] + c.leaves]),
                      "FRI pair of leaf %llu (2^%u values) differs", (unsigned long long)leaves[q], log_m - 1);
            CHECK(memcmp(paths, want_paths, Q * log_leaves * sizeof *want_paths) == 0,
                  "FRI paths of a layer of 2^%u values differ", log_m - 1);
        }
        cudaFree(dleaves), cudaFree(dpaths), cudaFree(dpairs);
        free(paths), free(want_paths);
    }
    cudaFree(dl), cudaFree(dout), cudaFree(nodes);
    fri_case_free(cpu, &c);
    free(got);
}

/* ---- grinding ----------------------------------------------------------------------------------------- */

static void grinding(unsigned tpb) {
    uint64_t *found = dev_alloc(sizeof *found);
    for (int s = 0; s < 4; s++) {
        uint8_t seed[32];
        for (int i = 0; i < 32; i++) seed[i] = (uint8_t)rnd();
        const uint64_t want = sb_pow_search(seed, UINT64_MAX);
        uint64_t got = 0;
        sb_gpu_site site = {0};
        if (ran(sb_gpu_pow_search(seed, UINT64_MAX, found, tpb, sms, stream, &got, &site), &site, "pow"))
            CHECK(got == want, "seed %d, tpb %u: GPU nonce %llu, CPU %llu", s, tpb, (unsigned long long)got,
                  (unsigned long long)want);
        /* Below the answer nothing passes: the search returns its limit. */
        if (ran(sb_gpu_pow_search(seed, want, found, tpb, sms, stream, &got, &site), &site, "pow below"))
            CHECK(got == want, "seed %d, tpb %u: a nonce below %llu passed (%llu)", s, tpb, (unsigned long long)want,
                  (unsigned long long)got);
    }
    cudaFree(found);
}

/* ---- refusals ---------------------------------------------------------------------------------------- */

static void refusals(void) {
    sb_gpu_site site = {0};
    fp3_t points[SB_GPU_OOD_MAX_POINTS + 1] = {{{0, 1, 0}}, {{0, 1, 0}}, {{0, 1, 0}}, {{0, 1, 0}}, {{0, 1, 0}}};
    sb_gpu_ood_matrix mat = {NULL, 1, 1, NULL};
    refused(sb_gpu_ood(&mat, 1, 4, points, SB_GPU_OOD_MAX_POINTS + 1, NULL, 256, sms, stream, &site), &site,
            "OOD at 5 points");
    points[0] = fp3_from_base(3);
    refused(sb_gpu_ood(&mat, 1, 4, points, 1, NULL, 256, sms, stream, &site), &site, "OOD at a base-field point");
    const sb_gpu_composition_args args = {FIB_TABLE_RANGE, (uint64_t *)8, NULL, (uint64_t *)8, (void *)8, 4, 1,
                                          (uint64_t *)8, 512, max_blocks};
    refused(sb_gpu_fib_composition(&args, stream, &site), &site, "composition at 512 threads a block");
    sb_gpu_composition_args prog = args;
    prog.table = FIB_TABLE_PROGRAM, prog.tpb = 128;
    refused(sb_gpu_fib_composition(&prog, stream, &site), &site, "program composition without fixed columns");
    refused(sb_gpu_composition_split(NULL, 4, 4, NULL, NULL, NULL, NULL, 256, 256, max_blocks, stream, &site), &site,
            "split at blowup 16");
    refused(sb_gpu_fri_fold(NULL, 1, 7, fp3_one(), NULL, (uint64_t *)8, 256, 128, sms, max_blocks, stream, &site),
            &site, "a committed fold of 2 values");
    sb_gpu_deep_args d;
    memset(&d, 0, sizeof d);
    d.n_mats = 1, d.n_shifted = 2, d.tpb = 128, d.max_blocks = max_blocks;
    refused(sb_gpu_deep(&d, stream, &site), &site, "DEEP with more shifted matrices than matrices");
    refused(sb_gpu_intt_dif(NULL, 33, 3, NULL, 256, max_blocks, stream, &site), &site, "NTT of 2^33 rows");
    const uint8_t seed[32] = {1};
    uint64_t nonce = 0;
    refused(sb_gpu_pow_search(seed, 10, NULL, 48, sms, stream, &nonce, &site), &site, "grinding at 48 threads a block");
}

int main(void) {
    gpu_or_skip();
    int sm_count = 0;
    CUDA_OK(cudaDeviceGetAttribute(&sm_count, cudaDevAttrMultiProcessorCount, 0));
    sms = (unsigned)sm_count, max_blocks = 16 * sms;
    CUDA_OK(cudaStreamCreate(&stream));
    CUDA_OK(sb_gpu_rounds_load());
    sb_backend *cpu = backend(SB_BACKEND_CPU, 0, NULL);
    op = test_op("R3 OOD");

    ntts();
    static const unsigned compose_tpbs[] = {32, 128, 256};
    for (unsigned b = 0; b < 3; b++) {
        char label[32];
        snprintf(label, sizeof label, ", tpb %u", compose_tpbs[b]);
        composition_traces(cpu, 8, 0, 2u << b, composition_gpu, (void *)&compose_tpbs[b], label);
        composition_random(cpu, 5 * b, composition_gpu, (void *)&compose_tpbs[b], label);
    }
    composition_traces(cpu, 7, 1, 4, composition_gpu, (void *)&compose_tpbs[1], ", tpb 128");
    composition_random(cpu, 17, composition_gpu, (void *)&compose_tpbs[2], ", tpb 256"); /* a 3-pass 2^18 NTT */
    static const unsigned ood_tpbs[] = {32, 256, 1024};
    static const unsigned ood_log_ns[] = {0, 5, 10, 13};
    for (size_t i = 0; i < sizeof ood_log_ns / sizeof *ood_log_ns; i++)
        for (unsigned p = 1; p <= SB_GPU_OOD_MAX_POINTS; p++) ood(cpu, ood_log_ns[i], 2 << (p % 3), p, ood_tpbs[p % 3]);
    static const unsigned prover_widths[] = {138, 9, 6}, odd_widths[] = {1, 33, 64}, deep_tpbs[] = {32, 128, 512};
    for (unsigned log_n = 0; log_n <= 12; log_n += 4) {
        deep(cpu, log_n, 2 << (log_n % 3), prover_widths, deep_tpbs[log_n % 3]);
        deep(cpu, log_n, 2, odd_widths, deep_tpbs[(log_n + 1) % 3]);
    }
    static const unsigned fri_tpbs[] = {32, 256, 512};
    for (unsigned log_m = 1; log_m <= 18; log_m++) fri(cpu, log_m, log_m % 7, 0, fri_tpbs[log_m % 3]);
    for (unsigned log_m = 2; log_m <= 18; log_m++) fri(cpu, log_m, log_m % 7, 1, fri_tpbs[log_m % 3]);
    grinding(64);
    grinding(256);
    refusals();

    sb_backend_destroy(cpu);
    CUDA_OK(cudaStreamDestroy(stream));
    return check_finish("test_gpu_round_kernels");
}

#endif
