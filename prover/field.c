/* Goldilocks: the out-of-line part of field.h. */
#include "field.h"

/* Elements per inversion: the prefix products live on the stack, so no allocation can
 * fail and in/out may alias; one inversion per chunk adds < 1 multiplication per element. */
#define BATCH_INV_CHUNK 256

void gl_batch_inv(uint64_t *out, const uint64_t *in, size_t n) {
    uint64_t prefix[BATCH_INV_CHUNK];
    for (size_t base = 0; base < n; base += BATCH_INV_CHUNK) {
        size_t m = n - base < BATCH_INV_CHUNK ? n - base : BATCH_INV_CHUNK;
        const uint64_t *x = in + base;
        uint64_t acc = 1;
        for (size_t i = 0; i < m; i++) {
            acc = gl_mul(acc, x[i]);
            prefix[i] = acc;
        }
        /* inv = (x[0] .. x[i])^-1, so x[i]^-1 = inv * prefix[i-1] and then inv *= x[i]. */
        uint64_t inv = gl_inv(acc);
        for (size_t i = m - 1; i > 0; i--) {
            uint64_t xi = x[i]; /* read before out[base + i], which may be x[i], is written */
            out[base + i] = gl_mul(inv, prefix[i - 1]);
            inv = gl_mul(inv, xi);
        }
        out[base] = inv;
    }
}

void gl_powers(uint64_t *out, size_t n, uint64_t start, uint64_t ratio) {
    /* Each chunk starts from its own power, so chunks are independent. */
    const size_t chunk = 4096;
    ratio = gl_reduce(ratio);
#pragma omp parallel for schedule(static) if (n >= 4 * chunk)
    for (size_t base = 0; base < n; base += chunk) {
        uint64_t x = gl_mul(start, gl_pow(ratio, base));
        size_t end = base + chunk < n ? base + chunk : n;
        for (size_t i = base; i < end; i++) {
            out[i] = x;
            x = gl_mul(x, ratio);
        }
    }
}
