/* Row-major NTTs: every butterfly combines two whole rows, so the inner loop runs over
 * contiguous columns. Levels are processed in cache-sized chunks: the levels s..s+L-1
 * only ever combine rows that differ in bits s..s+L-1 of their index, so the matrix splits
 * into independent groups of 2^L rows that stay in cache for all L levels; one pass over
 * memory then does L levels instead of one. */
#include "ntt.h"

#include <omp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "field.h"
#include "simd.h"

/* Bytes of rows a group may span to stay in a core's L2 (this machine: 2 MiB per core). */
#define NTT_GROUP_BYTES (512u * 1024u)
/* Below this many element operations a parallel region costs more than it saves. */
#define NTT_PARALLEL_MIN (1u << 15)

/* ---- twiddles ---------------------------------------------------------------
 * Level m (butterflies of rows 2^m apart) uses w_{2^(m+1)}^j for j < 2^m. The tables do
 * not depend on the transform size, so one table per level serves every n; each is built
 * once, on first use, and kept for the life of the process. */

#define NTT_MAX_LEVELS 32
static _Atomic(uint64_t *) twiddle_tables[2][NTT_MAX_LEVELS];
static pthread_mutex_t twiddle_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t *twiddles_build(unsigned m, int inverse) {
    size_t len = (size_t)1 << m;
    uint64_t *t = malloc(len * sizeof *t);
    if (!t) return NULL;
    uint64_t w = gl_root_of_unity(m + 1);
    gl_powers(t, len, 1, inverse ? gl_inv(w) : w);
    return t;
}

/* Returns level m's table, or NULL when it cannot be allocated. Thread-safe. */
static const uint64_t *twiddles(unsigned m, int inverse) {
    uint64_t *t = atomic_load_explicit(&twiddle_tables[inverse][m], memory_order_acquire);
    if (t) return t;
    pthread_mutex_lock(&twiddle_lock);
    t = atomic_load_explicit(&twiddle_tables[inverse][m], memory_order_relaxed);
    if (!t) {
        t = twiddles_build(m, inverse);
        atomic_store_explicit(&twiddle_tables[inverse][m], t, memory_order_release);
    }
    pthread_mutex_unlock(&twiddle_lock);
    return t;
}

/* ---- butterflies on whole rows ----------------------------------------------
 * Scalar versions use field.h; on CPUs with AVX-512 (detected at run time) eight columns go
 * through one register with the same canonical arithmetic, so the results are identical. */

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define NTT_HAVE_AVX512_PATH 1
#define AVX512 __attribute__((target("avx512f")))

AVX512 static inline __m512i v_add(__m512i a, __m512i b) {
    const __m512i p = _mm512_set1_epi64((long long)GL_P), eps = _mm512_set1_epi64((long long)GL_EPSILON);
    __m512i s = _mm512_add_epi64(a, b);
    s = _mm512_mask_add_epi64(s, _mm512_cmplt_epu64_mask(s, a), s, eps); /* carry: 2^64 = eps */
    return _mm512_mask_sub_epi64(s, _mm512_cmpge_epu64_mask(s, p), s, p);
}

AVX512 static inline __m512i v_sub(__m512i a, __m512i b) {
    const __m512i eps = _mm512_set1_epi64((long long)GL_EPSILON);
    __m512i d = _mm512_sub_epi64(a, b);
    return _mm512_mask_sub_epi64(d, _mm512_cmplt_epu64_mask(a, b), d, eps); /* borrow: + p = - eps */
}

/* gl_mul: the 128-bit product from four 32x32 products, then gl_reduce128's steps. */
AVX512 static inline __m512i v_mul(__m512i a, __m512i b) {
    const __m512i p = _mm512_set1_epi64((long long)GL_P), eps = _mm512_set1_epi64((long long)GL_EPSILON);
    __m512i a_hi = _mm512_srli_epi64(a, 32), b_hi = _mm512_srli_epi64(b, 32);
    __m512i ll = _mm512_mul_epu32(a, b), lh = _mm512_mul_epu32(a, b_hi);
    __m512i hl = _mm512_mul_epu32(a_hi, b), hh = _mm512_mul_epu32(a_hi, b_hi);
    __m512i mid = _mm512_add_epi64(lh, hl);
    __mmask8 mid_carry = _mm512_cmplt_epu64_mask(mid, lh); /* worth 2^96 = 2^32 in hi */
    __m512i lo = _mm512_add_epi64(ll, _mm512_slli_epi64(mid, 32));
    __mmask8 lo_carry = _mm512_cmplt_epu64_mask(lo, ll);
    __m512i hi = _mm512_add_epi64(hh, _mm512_srli_epi64(mid, 32));
    hi = _mm512_mask_add_epi64(hi, mid_carry, hi, _mm512_set1_epi64(1LL << 32));
    hi = _mm512_mask_add_epi64(hi, lo_carry, hi, _mm512_set1_epi64(1));
    /* reduce: lo - (hi >> 32) + (hi & eps) * eps */
    __m512i hi_hi = _mm512_srli_epi64(hi, 32), hi_lo = _mm512_and_si512(hi, eps);
    __m512i t0 = _mm512_sub_epi64(lo, hi_hi);
    t0 = _mm512_mask_sub_epi64(t0, _mm512_cmplt_epu64_mask(lo, hi_hi), t0, eps);
    __m512i t1 = _mm512_sub_epi64(_mm512_slli_epi64(hi_lo, 32), hi_lo);
    __m512i r = _mm512_add_epi64(t0, t1);
    r = _mm512_mask_add_epi64(r, _mm512_cmplt_epu64_mask(r, t1), r, eps);
    return _mm512_mask_sub_epi64(r, _mm512_cmpge_epu64_mask(r, p), r, p);
}

/* Eight columns per step; the last, partial step uses masked loads and stores. */
AVX512 static void butterfly_avx512(uint64_t *a, uint64_t *b, size_t cols, uint64_t w, int dif) {
    const __m512i vw = _mm512_set1_epi64((long long)w);
    for (size_t c = 0; c < cols; c += 8) {
        __mmask8 m = cols - c >= 8 ? 0xFF : (__mmask8)((1u << (cols - c)) - 1);
        __m512i x = _mm512_maskz_loadu_epi64(m, a + c), y = _mm512_maskz_loadu_epi64(m, b + c);
        __m512i u, v;
        if (dif) {
            u = v_add(x, y);
            v = w == 1 ? v_sub(x, y) : v_mul(v_sub(x, y), vw);
        } else {
            if (w != 1) y = v_mul(y, vw);
            u = v_add(x, y);
            v = v_sub(x, y);
        }
        _mm512_mask_storeu_epi64(a + c, m, u);
        _mm512_mask_storeu_epi64(b + c, m, v);
    }
}

#endif

/* Decimation in time: (a, b) <- (a + w b, a - w b). */
static void butterfly_dit(uint64_t *restrict a, uint64_t *restrict b, size_t cols, uint64_t w, int simd) {
#ifdef NTT_HAVE_AVX512_PATH
    if (simd) {
        butterfly_avx512(a, b, cols, w, 0);
        return;
    }
#endif
    (void)simd;
    for (size_t c = 0; c < cols; c++) {
        uint64_t x = a[c], y = w == 1 ? b[c] : gl_mul(w, b[c]);
        a[c] = gl_add(x, y);
        b[c] = gl_sub(x, y);
    }
}

/* Decimation in frequency: (a, b) <- (a + b, (a - b) w). */
static void butterfly_dif(uint64_t *restrict a, uint64_t *restrict b, size_t cols, uint64_t w, int simd) {
#ifdef NTT_HAVE_AVX512_PATH
    if (simd) {
        butterfly_avx512(a, b, cols, w, 1);
        return;
    }
#endif
    (void)simd;
    for (size_t c = 0; c < cols; c++) {
        uint64_t x = a[c], y = b[c];
        a[c] = gl_add(x, y);
        b[c] = w == 1 ? gl_sub(x, y) : gl_mul(gl_sub(x, y), w);
    }
}

static inline void prefetch_pair(const uint64_t *a, size_t gap, size_t cols) {
    for (size_t c = 0; c < cols; c += 8) {
        __builtin_prefetch(a + c, 1);
        __builtin_prefetch(a + gap + c, 1);
    }
}

/* Applies levels s..s+L-1 (DIT: ascending; DIF: descending) to every group of 2^L rows
 * whose indices differ only in bits s..s+L-1. tw[l] is level s+l's twiddle table. */
static void level_chunk(uint64_t *data, size_t n, size_t stride, size_t cols, unsigned s, unsigned L,
                        const uint64_t *const *tw, int dif) {
    size_t groups = n >> L, group_rows = (size_t)1 << L, low_mask = ((size_t)1 << s) - 1;
    int parallel = groups > 1 && (uint64_t)n * cols * L >= NTT_PARALLEL_MIN, simd = sb_simd_avx512();
#pragma omp parallel for schedule(static) if (parallel)
    for (size_t g = 0; g < groups; g++) {
        size_t base = ((g & ~low_mask) << L) | (g & low_mask);
        for (unsigned i = 0; i < L; i++) {
            unsigned l = dif ? L - 1 - i : i;
            size_t half = (size_t)1 << (s + l), jmask = half - 1;
            for (size_t k = 0; k < group_rows; k++) {
                if (k & ((size_t)1 << l)) continue;
                size_t r0 = base + (k << s);
                uint64_t *a = data + r0 * stride, *b = data + (r0 + half) * stride;
                /* The chunk's first level brings the group in from memory, rows far apart:
                 * ask for the next pair while this one computes. */
                if (i == 0 && k + 1 < group_rows) prefetch_pair(data + (r0 + ((size_t)1 << s)) * stride, half * stride, cols);
                uint64_t w = tw[l][r0 & jmask];
                if (dif) butterfly_dif(a, b, cols, w, simd);
                else butterfly_dit(a, b, cols, w, simd);
            }
        }
    }
}

/* Largest L such that a group of 2^L rows fits NTT_GROUP_BYTES (at least 1). */
static unsigned chunk_levels(size_t cols) {
    unsigned L = 1;
    while (((size_t)2 << L) * cols * sizeof(uint64_t) <= NTT_GROUP_BYTES) L++;
    return L;
}

/* Runs levels [lo, hi) in chunks: ascending for DIT, descending for DIF.
 * Returns 0, or -1 when a twiddle table cannot be allocated. */
static int run_levels(uint64_t *data, size_t n, size_t stride, size_t cols, unsigned lo, unsigned hi,
                      int inverse, int dif) {
    const uint64_t *tw[NTT_MAX_LEVELS];
    for (unsigned m = lo; m < hi; m++)
        if (!(tw[m] = twiddles(m, inverse))) return -1;
    unsigned count = hi - lo, L = chunk_levels(cols);
    unsigned chunks = (count + L - 1) / L;
    for (unsigned c = 0; c < chunks; c++) {
        /* Equal chunk sizes keep every pass equally deep. */
        unsigned a = c * count / chunks, b = (c + 1) * count / chunks;
        unsigned first = dif ? hi - b : lo + a;
        level_chunk(data, n, stride, cols, first, b - a, tw + first, dif);
    }
    return 0;
}

int ntt_dif_rows(uint64_t *data, size_t n, size_t stride, size_t cols, int inverse) {
    int log_n = log2_exact(n);
    if (log_n <= 0) return 0;
    return run_levels(data, n, stride, cols, 0, (unsigned)log_n, inverse, 1);
}

int ntt_dit_rows(uint64_t *data, size_t n, size_t stride, size_t cols, int inverse, unsigned first_level) {
    int log_n = log2_exact(n);
    if (log_n <= 0 || first_level >= (unsigned)log_n) return 0;
    return run_levels(data, n, stride, cols, first_level, (unsigned)log_n, inverse, 0);
}

/* The void transforms of ntt.h have no error path: their tables (n/2 elements, cached)
 * failing to allocate is fatal, like the allocation of the matrix itself would have been. */
static void check_tables(int rc) {
    if (rc == 0) return;
    fprintf(stderr, "starkbench: out of memory for NTT twiddle tables\n");
    abort();
}

void ntt_forward_rows(uint64_t *data, size_t n, size_t cols) {
    bit_reverse_rows(data, n, cols);
    check_tables(ntt_dit_rows(data, n, cols, cols, 0, 0));
}

void ntt_inverse_rows(uint64_t *data, size_t n, size_t cols) {
    check_tables(ntt_dif_rows(data, n, cols, cols, 1));
    bit_reverse_rows(data, n, cols);
    uint64_t n_inv = gl_inv(gl_reduce((uint64_t)n));
    size_t total = n * cols;
#pragma omp parallel for schedule(static) if (total >= NTT_PARALLEL_MIN)
    for (size_t i = 0; i < total; i++) data[i] = gl_mul(data[i], n_inv);
}

void bit_reverse_rows(uint64_t *data, size_t n, size_t cols) {
    int log_n = log2_exact(n);
    if (log_n <= 0) return;
#pragma omp parallel for schedule(static) if ((uint64_t)n * cols >= NTT_PARALLEL_MIN)
    for (size_t i = 0; i < n; i++) {
        size_t j = bit_reverse_index(i, (unsigned)log_n);
        if (i >= j) continue;
        uint64_t *a = data + i * cols, *b = data + j * cols;
        for (size_t c = 0; c < cols; c++) {
            uint64_t t = a[c];
            a[c] = b[c];
            b[c] = t;
        }
    }
}

int log2_exact(uint64_t n) {
    if (n == 0 || (n & (n - 1))) return -1;
    return __builtin_ctzll(n);
}
