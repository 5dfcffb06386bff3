/* Goldilocks and Fp3 against a 128-bit reference: random and edge inputs, values >= p,
 * batch inversion (aliased and not), powers, roots of unity, Fp3 laws. */
#include <stdio.h>
#include <stdlib.h>

#include "fp3.h"

#include "check.h"

typedef unsigned __int128 u128;
static const u128 P = GL_P;

static uint64_t rnd_canonical(void) { return rnd() % GL_P; }

/* Reference arithmetic on exact integers. */
static uint64_t ref_mul(uint64_t a, uint64_t b) { return (uint64_t)(((u128)a * b) % P); }
static uint64_t ref_add(uint64_t a, uint64_t b) { return (uint64_t)(((u128)a + b) % P); }
static uint64_t ref_sub(uint64_t a, uint64_t b) { return (uint64_t)(((u128)a + P - b) % P); }
static uint64_t ref_pow(uint64_t a, uint64_t e) {
    uint64_t r = 1;
    for (int i = 63; i >= 0; i--) {
        r = ref_mul(r, r);
        if ((e >> i) & 1) r = ref_mul(r, a);
    }
    return r;
}

static const uint64_t edges[] = {
    0, 1, 2, GL_P - 1, GL_P - 2, 1ULL << 32, (1ULL << 32) - 1, (1ULL << 32) + 1, 1ULL << 63, GL_EPSILON,
    GL_P / 2, GL_P / 2 + 1,
    /* >= p: only where the contract accepts any u64 */
    GL_P, GL_P + 1, UINT64_MAX, UINT64_MAX - 1, GL_P + GL_EPSILON,
};
#define N_EDGES (sizeof edges / sizeof edges[0])
#define N_CANONICAL_EDGES 12 /* edges[0..12) are < p */

static void base_ops(void) {
    /* Any-u64 inputs: reduce, reduce128, mul. */
    for (size_t i = 0; i < N_EDGES; i++) {
        CHECK(gl_reduce(edges[i]) == edges[i] % GL_P, "reduce(%llu)", (unsigned long long)edges[i]);
        for (size_t j = 0; j < N_EDGES; j++) {
            uint64_t a = edges[i], b = edges[j];
            CHECK(gl_mul(a, b) == ref_mul(a, b), "mul(%llu, %llu)", (unsigned long long)a, (unsigned long long)b);
            u128 v = ((u128)a << 64) | b;
            CHECK(gl_reduce128(b, a) == (uint64_t)(v % P), "reduce128(%llu:%llu)", (unsigned long long)a,
                  (unsigned long long)b);
        }
    }
    /* Canonical inputs: add, sub, neg. */
    for (size_t i = 0; i < N_CANONICAL_EDGES; i++)
        for (size_t j = 0; j < N_CANONICAL_EDGES; j++) {
            uint64_t a = edges[i], b = edges[j];
            CHECK(gl_add(a, b) == ref_add(a, b), "add(%llu, %llu)", (unsigned long long)a, (unsigned long long)b);
            CHECK(gl_sub(a, b) == ref_sub(a, b), "sub(%llu, %llu)", (unsigned long long)a, (unsigned long long)b);
            CHECK(gl_neg(a) == ref_sub(0, a), "neg(%llu)", (unsigned long long)a);
        }
    for (int k = 0; k < 200000; k++) {
        uint64_t a = rnd(), b = rnd(), ca = a % GL_P, cb = b % GL_P;
        CHECK(gl_mul(a, b) == ref_mul(a, b), "mul random");
        CHECK(gl_reduce128(a, b) == (uint64_t)((((u128)b << 64) | a) % P), "reduce128 random");
        CHECK(gl_add(ca, cb) == ref_add(ca, cb), "add random");
        CHECK(gl_sub(ca, cb) == ref_sub(ca, cb), "sub random");
    }
    for (int k = 0; k < 300; k++) {
        uint64_t a = rnd(), e = rnd();
        CHECK(gl_pow(a, e) == ref_pow(a % GL_P, e), "pow random");
        uint64_t inv = gl_inv(a);
        CHECK(a % GL_P == 0 || ref_mul(a, inv) == 1, "inv random");
    }
    CHECK(gl_inv(0) == 0 && gl_inv(GL_P) == 0, "inv(0) must be 0");
    CHECK(gl_inv(1) == 1 && gl_inv(GL_P - 1) == GL_P - 1, "inv(+-1)");
    CHECK(gl_pow(5, 0) == 1 && gl_pow(0, 0) == 1, "x^0 = 1");
}

/* gl_mul_pow2 for every c < 96 (each branch and its boundaries) on the canonical edges (x << c
 * overflowing p, the top word all ones, ...) and random elements, against the generic product. */
static void products_by_powers_of_two(void) {
    for (unsigned c = 0; c < 96; c++) {
        const uint64_t two_c = ref_pow(2, c);
        for (size_t i = 0; i < N_CANONICAL_EDGES + 4000; i++) {
            const uint64_t x = i < N_CANONICAL_EDGES ? edges[i] : rnd_canonical();
            CHECK(gl_mul_pow2(x, c) == ref_mul(x, two_c), "mul_pow2(%llu, %u)", (unsigned long long)x, c);
        }
    }
}

static void roots_of_unity(void) {
    CHECK(GL_ROOT_2_32 == ref_pow(GL_GENERATOR, (GL_P - 1) >> 32), "w = 7^((p-1)/2^32)");
    CHECK(GL_ROOT_2_32 == 1753635133440165772ULL, "w per docs/PROTOCOL.md");
    for (unsigned k = 1; k <= 32; k++) {
        uint64_t w = gl_root_of_unity(k);
        CHECK(ref_pow(w, 1ULL << k) == 1, "w_2^%u has order dividing 2^%u", k, k);
        CHECK(ref_pow(w, 1ULL << (k - 1)) == GL_P - 1, "w_2^%u is primitive", k);
    }
    CHECK(gl_root_of_unity(0) == 1, "w_1 = 1");
}

static void batch_inverse(void) {
    static const size_t sizes[] = {0, 1, 2, 255, 256, 257, 1000};
    uint64_t in[1000], out[1000], alias[1000];
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        for (size_t i = 0; i < n; i++) {
            in[i] = rnd();
            if (in[i] % GL_P == 0) in[i] = 3;
            alias[i] = in[i];
        }
        if (n > 3) in[3] = alias[3] = GL_P + 5; /* non-canonical input */
        gl_batch_inv(out, in, n);
        gl_batch_inv(alias, alias, n);
        for (size_t i = 0; i < n; i++) {
            CHECK(out[i] == gl_inv(in[i]), "batch_inv n=%zu i=%zu", n, i);
            CHECK(alias[i] == out[i], "aliased batch_inv n=%zu i=%zu", n, i);
        }
    }
}

static void powers(void) {
    static uint64_t out[20000];
    uint64_t start = rnd(), ratio = rnd();
    gl_powers(out, 20000, start, ratio); /* crosses the parallel threshold */
    for (size_t i = 0; i < 20000; i += 997)
        CHECK(out[i] == ref_mul(start % GL_P, ref_pow(ratio % GL_P, i)), "powers[%zu]", i);
    CHECK(out[19999] == ref_mul(start % GL_P, ref_pow(ratio % GL_P, 19999)), "powers[last]");
}

/* Fp3 reference: schoolbook product mod w^3 - 2 on exact integers. */
static fp3_t ref_fp3_mul(fp3_t a, fp3_t b) {
    uint64_t t[5] = {0};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) t[i + j] = ref_add(t[i + j], ref_mul(a.c[i], b.c[j]));
    fp3_t r = {{ref_add(t[0], ref_mul(2, t[3])), ref_add(t[1], ref_mul(2, t[4])), t[2]}};
    return r;
}

static fp3_t rnd_fp3(void) { return fp3_make(rnd_canonical(), rnd_canonical(), rnd_canonical()); }

static void extension(void) {
    fp3_t one = fp3_one();
    CHECK(fp3_is_zero(fp3_inv(fp3_zero())), "fp3 inv(0) = 0");
    fp3_t e = fp3_make(GL_P + 1, GL_P, UINT64_MAX); /* non-canonical: reduced by fp3_make */
    CHECK(e.c[0] == 1 && e.c[1] == 0 && e.c[2] == UINT64_MAX % GL_P, "fp3_make reduces");
    for (int k = 0; k < 2000; k++) {
        fp3_t a = rnd_fp3(), b = rnd_fp3(), c = rnd_fp3();
        if (k == 0) a = fp3_make(0, 1, 0); /* w itself */
        CHECK(fp3_eq(fp3_mul(a, b), ref_fp3_mul(a, b)), "fp3 mul vs schoolbook");
        CHECK(fp3_eq(fp3_mul(a, b), fp3_mul(b, a)), "fp3 mul commutes");
        CHECK(fp3_eq(fp3_mul(fp3_mul(a, b), c), fp3_mul(a, fp3_mul(b, c))), "fp3 mul associates");
        CHECK(fp3_eq(fp3_mul(a, fp3_add(b, c)), fp3_add(fp3_mul(a, b), fp3_mul(a, c))), "fp3 distributes");
        CHECK(fp3_eq(fp3_mul(a, one), a), "fp3 one");
        CHECK(fp3_eq(fp3_add(a, fp3_neg(a)), fp3_zero()), "fp3 neg");
        CHECK(fp3_eq(fp3_sub(a, b), fp3_add(a, fp3_neg(b))), "fp3 sub");
        CHECK(fp3_eq(fp3_mul(a, fp3_inv(a)), one), "fp3 a * a^-1 = 1");
        CHECK(fp3_eq(fp3_mul_base(a, c.c[0]), fp3_mul(a, fp3_from_base(c.c[0]))), "fp3 mul_base");
    }
    fp3_t w = fp3_make(0, 1, 0), w3 = fp3_pow(w, 3);
    CHECK(fp3_eq(w3, fp3_from_base(2)), "w^3 = 2");
    /* Fermat in Fp3: a^(p^3 - 1) = 1, checked as (a^(p-1))^(p^2+p+1) with p^2+p+1 split. */
    fp3_t a = rnd_fp3(), x = fp3_pow(a, GL_P - 1);
    fp3_t y = fp3_mul(fp3_pow(fp3_pow(x, GL_P), GL_P), fp3_mul(fp3_pow(x, GL_P), x));
    CHECK(fp3_eq(y, one), "a^(p^3-1) = 1");
}

int main(void) {
    rng_state = 0x243F6A8885A308D3ULL;
    base_ops();
    products_by_powers_of_two();
    roots_of_unity();
    batch_inverse();
    powers();
    extension();
    return check_finish("field");
}
