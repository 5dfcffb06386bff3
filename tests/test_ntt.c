/* Row-major NTTs against a naive O(N^2) DFT, round trips, the DIF/DIT halves with a row
 * stride, and the coset LDE against naive evaluation at the coset points (base and ext3). */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp3.h"
#include "lde.h"
#include "ntt.h"

#include "check.h"


static uint64_t *random_matrix(size_t n, size_t cols) {
    uint64_t *m = malloc(n * cols * sizeof *m);
    for (size_t i = 0; i < n * cols; i++) m[i] = rnd() % GL_P;
    return m;
}

/* Horner: sum_k coef[k*cols + c] x^k. */
static uint64_t eval_column(const uint64_t *coef, size_t n, size_t cols, size_t c, uint64_t x) {
    uint64_t acc = 0;
    for (size_t k = n; k-- > 0;) acc = gl_add(gl_mul(acc, x), coef[k * cols + c]);
    return acc;
}

/* Forward and inverse against the naive DFT, natural order, every element. */
static void naive_dft(void) {
    static const size_t ns[] = {1, 2, 4, 8, 16, 64, 256};
    static const size_t colss[] = {1, 3, 5};
    for (size_t a = 0; a < sizeof ns / sizeof ns[0]; a++)
        for (size_t b = 0; b < sizeof colss / sizeof colss[0]; b++) {
            size_t n = ns[a], cols = colss[b];
            uint64_t w = gl_root_of_unity((unsigned)log2_exact(n));
            uint64_t *coef = random_matrix(n, cols), *data = malloc(n * cols * sizeof *data);
            memcpy(data, coef, n * cols * sizeof *data);
            ntt_forward_rows(data, n, cols);
            int bad = 0;
            for (size_t r = 0; r < n; r++)
                for (size_t c = 0; c < cols; c++) bad += data[r * cols + c] != eval_column(coef, n, cols, c, gl_pow(w, r));
            CHECK(bad == 0, "forward n=%zu cols=%zu: %d wrong elements", n, cols, bad);
            /* Inverse of evaluations: coefficients a_k = (1/n) sum_r e_r w^-rk. */
            uint64_t *evals = random_matrix(n, cols);
            memcpy(data, evals, n * cols * sizeof *data);
            ntt_inverse_rows(data, n, cols);
            uint64_t n_inv = gl_inv(n), w_inv = gl_inv(w);
            bad = 0;
            for (size_t k = 0; k < n; k++)
                for (size_t c = 0; c < cols; c++)
                    bad += data[k * cols + c] != gl_mul(n_inv, eval_column(evals, n, cols, c, gl_pow(w_inv, k)));
            CHECK(bad == 0, "inverse n=%zu cols=%zu: %d wrong elements", n, cols, bad);
            free(coef);
            free(data);
            free(evals);
        }
}

/* Sizes whose levels span several cache chunks (600 columns: a few rows per chunk), on 1 and 2
 * threads: the forward transform checked at sample rows, then the round trip everywhere. */
static void large_and_threads(void) {
    const size_t n = 1 << 10, cols = 600;
    uint64_t *coef = random_matrix(n, cols), *d1 = malloc(n * cols * 8), *d2 = malloc(n * cols * 8);
    memcpy(d1, coef, n * cols * 8);
    memcpy(d2, coef, n * cols * 8);
    int prev = omp_get_max_threads();
    omp_set_num_threads(1);
    ntt_forward_rows(d1, n, cols);
    omp_set_num_threads(2);
    ntt_forward_rows(d2, n, cols);
    omp_set_num_threads(prev);
    CHECK(memcmp(d1, d2, n * cols * 8) == 0, "1 and 2 threads differ");
    uint64_t w = gl_root_of_unity(10);
    static const size_t rows[] = {0, 1, 2, 511, 512, 513, 1023};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        for (size_t c = 0; c < cols; c += 149)
            CHECK(d1[rows[i] * cols + c] == eval_column(coef, n, cols, c, gl_pow(w, rows[i])), "large forward row %zu col %zu",
                  rows[i], c);
    ntt_inverse_rows(d1, n, cols);
    CHECK(memcmp(d1, coef, n * cols * 8) == 0, "large round trip");
    free(coef);
    free(d1);
    free(d2);
}

/* The DIF and DIT halves on every 3rd row of a buffer (stride > cols); rows in between untouched. */
static void halves_with_stride(void) {
    const size_t n = 32, cols = 4, spread = 3, stride = spread * cols;
    uint64_t *coef = random_matrix(n, cols), *buf = random_matrix(n * spread, cols), *keep = malloc(n * spread * cols * 8);
    for (size_t r = 0; r < n; r++) memcpy(buf + r * stride, coef + r * cols, cols * 8);
    memcpy(keep, buf, n * spread * cols * 8);
    CHECK(ntt_dif_rows(buf, n, stride, cols, 0) == 0, "dif");
    /* DIF leaves A(w^bitrev(p)) in row p. */
    uint64_t w = gl_root_of_unity(5);
    int bad = 0, touched = 0;
    for (size_t p = 0; p < n; p++) {
        for (size_t c = 0; c < cols; c++)
            bad += buf[p * stride + c] != eval_column(coef, n, cols, c, gl_pow(w, bit_reverse_index(p, 5)));
        touched += memcmp(buf + p * stride + cols, keep + p * stride + cols, (stride - cols) * 8) != 0;
    }
    CHECK(bad == 0, "dif output is not bit-reversed evaluations");
    CHECK(touched == 0, "dif wrote rows outside the stride");
    /* DIT with inverse twiddles from bit-reversed evaluations gives n * coefficients. */
    CHECK(ntt_dit_rows(buf, n, stride, cols, 1, 0) == 0, "dit");
    bad = 0;
    for (size_t k = 0; k < n; k++)
        for (size_t c = 0; c < cols; c++) bad += buf[k * stride + c] != gl_mul(n, coef[k * cols + c]);
    CHECK(bad == 0, "dit(inverse) after dif does not return n * coefficients");
    free(coef);
    free(buf);
    free(keep);
}

static void bitrev_and_log2(void) {
    CHECK(log2_exact(1) == 0 && log2_exact(1ULL << 40) == 40, "log2_exact powers");
    CHECK(log2_exact(0) == -1 && log2_exact(3) == -1 && log2_exact(96) == -1, "log2_exact non-powers");
    CHECK(bit_reverse_index(1, 3) == 4 && bit_reverse_index(6, 3) == 3 && bit_reverse_index(5, 0) == 0, "bit_reverse_index");
    const size_t n = 16, cols = 3;
    uint64_t *m = random_matrix(n, cols), *orig = malloc(n * cols * 8);
    memcpy(orig, m, n * cols * 8);
    bit_reverse_rows(m, n, cols);
    int bad = 0;
    for (size_t r = 0; r < n; r++) bad += memcmp(m + r * cols, orig + bit_reverse_index(r, 4) * cols, cols * 8) != 0;
    CHECK(bad == 0, "bit_reverse_rows");
    free(m);
    free(orig);
}

/* LDE of a random polynomial of degree < n: trace = its values on H (naive), and every LDE row
 * must equal the polynomial at 7 * w_{bn}^i. Base columns and one ext3 column (3 base columns). */
static void lde_naive(size_t n, size_t cols, unsigned blowup) {
    size_t lde_n = n * blowup;
    uint64_t *coef = random_matrix(n, cols), *trace = malloc(n * cols * 8), *out = malloc(lde_n * cols * 8);
    uint64_t w = gl_root_of_unity((unsigned)log2_exact(n)), rest = 0;
    /* Column 0 takes the value 5 at row 0 (x = 1), fed as the non-canonical 5 + p. */
    for (size_t k = 1; k < n; k++) rest = gl_add(rest, coef[k * cols]);
    coef[0] = gl_sub(5, rest);
    for (size_t r = 0; r < n; r++)
        for (size_t c = 0; c < cols; c++) trace[r * cols + c] = eval_column(coef, n, cols, c, gl_pow(w, r));
    CHECK(trace[0] == 5, "test setup");
    trace[0] += GL_P;
    CHECK(lde_coset_row_major(trace, n, cols, blowup, out) == 0, "lde n=%zu", n);
    int bad = 0;
    for (size_t i = 0; i < lde_n; i++)
        for (size_t c = 0; c < cols; c++) bad += out[i * cols + c] != eval_column(coef, n, cols, c, lde_point(lde_n, i));
    CHECK(bad == 0, "lde n=%zu cols=%zu b=%u: %d wrong elements", n, cols, blowup, bad);
    if (cols == 3) { /* the same matrix read as one Fp3 column: sum_k coef_k x^k in Fp3 */
        bad = 0;
        for (size_t i = 0; i < lde_n; i++) {
            uint64_t x = lde_point(lde_n, i);
            fp3_t acc = fp3_zero();
            for (size_t k = n; k-- > 0;)
                acc = fp3_add(fp3_mul_base(acc, x), fp3_make(coef[3 * k], coef[3 * k + 1], coef[3 * k + 2]));
            bad += !fp3_eq(acc, fp3_make(out[3 * i], out[3 * i + 1], out[3 * i + 2]));
        }
        CHECK(bad == 0, "ext3 lde n=%zu b=%u: %d wrong rows", n, blowup, bad);
    }
    free(coef);
    free(trace);
    free(out);
}

static void lde_checks(void) {
    CHECK(lde_point(8, 0) == 7, "LDE row 0 is the coset offset 7");
    CHECK(lde_point(8, 4) == GL_P - 7, "LDE row lde_n/2 is -7");
    static const unsigned blowups[] = {1, 2, 4, 8};
    for (size_t b = 0; b < 4; b++) {
        lde_naive(1, 2, blowups[b]);
        lde_naive(2, 1, blowups[b]);
        lde_naive(32, 3, blowups[b]);
        lde_naive(64, 5, blowups[b]);
    }
    lde_naive(256, 600, 2); /* several cache chunks per transform */
    uint64_t t[8] = {0}, o[64];
    CHECK(lde_coset_row_major(t, 3, 1, 2, o) == -1, "n not a power of two rejected");
    CHECK(lde_coset_row_major(t, 4, 1, 3, o) == -1, "blowup 3 rejected");
    CHECK(lde_coset_row_major(t, 4, 0, 2, o) == -1, "0 columns rejected");
    CHECK(lde_coset_row_major(NULL, 4, 1, 2, o) == -1, "NULL trace rejected");
}

/* Every check runs on the vector path (where the CPU has one) and on the scalar path. */
int main(void) {
    rng_state = 0x13198A2E03707344ULL;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) setenv("STARKBENCH_SIMD", "off", 1);
        naive_dft();
        large_and_threads();
        halves_with_stride();
        bitrev_and_log2();
        lde_checks();
    }
    return check_finish("ntt + lde");
}
