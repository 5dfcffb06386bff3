// Goldilocks and Fp3 arithmetic: throughput of the inline field functions the prover and the
// CUDA kernels share (prover/field.h, prover/fp3.h), and the batch inversion.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

extern "C" {
#include "field.h"
#include "fp3.h"
}

namespace {

std::vector<uint64_t> field_elements(size_t n, uint64_t seed) {
    std::vector<uint64_t> v(n);
    uint64_t x = seed;
    for (auto &e : v) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        e = gl_reduce(x) | 1; // non-zero, for the inversions
    }
    return v;
}

// A dependent chain of n multiplications (latency-bound, as in a Horner evaluation).
void BM_gl_mul_chain(benchmark::State &state) {
    const size_t n = static_cast<size_t>(state.range(0));
    auto a = field_elements(n, 1);
    for (auto _ : state) {
        uint64_t acc = 1;
        for (size_t i = 0; i < n; i++) acc = gl_mul(acc, a[i]);
        benchmark::DoNotOptimize(acc);
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_gl_mul_chain)->ArgNames({"n"})->Arg(1 << 12);

// n independent multiplications (throughput-bound, as in a pointwise product).
void BM_gl_mul_vector(benchmark::State &state) {
    const size_t n = static_cast<size_t>(state.range(0));
    auto a = field_elements(n, 1), b = field_elements(n, 2);
    std::vector<uint64_t> out(n);
    for (auto _ : state) {
        for (size_t i = 0; i < n; i++) out[i] = gl_mul(a[i], b[i]);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_gl_mul_vector)->ArgNames({"n"})->Arg(1 << 12);

void BM_gl_add_vector(benchmark::State &state) {
    const size_t n = static_cast<size_t>(state.range(0));
    auto a = field_elements(n, 1), b = field_elements(n, 2);
    std::vector<uint64_t> out(n);
    for (auto _ : state) {
        for (size_t i = 0; i < n; i++) out[i] = gl_add(a[i], b[i]);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_gl_add_vector)->ArgNames({"n"})->Arg(1 << 12);

void BM_gl_inv(benchmark::State &state) {
    auto a = field_elements(64, 3);
    size_t i = 0;
    for (auto _ : state) benchmark::DoNotOptimize(gl_inv(a[i++ & 63]));
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_gl_inv);

// Montgomery's trick: one inversion and 3(n-1) multiplications for n inverses.
void BM_gl_batch_inv(benchmark::State &state) {
    const size_t n = static_cast<size_t>(state.range(0));
    auto a = field_elements(n, 4);
    std::vector<uint64_t> out(n);
    for (auto _ : state) {
        gl_batch_inv(out.data(), a.data(), n);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_gl_batch_inv)->ArgNames({"n"})->RangeMultiplier(16)->Range(1 << 8, 1 << 16);

void BM_fp3_mul_vector(benchmark::State &state) {
    const size_t n = static_cast<size_t>(state.range(0));
    auto a = field_elements(3 * n, 5), b = field_elements(3 * n, 6);
    std::vector<fp3_t> x(n), y(n), out(n);
    for (size_t i = 0; i < n; i++) {
        x[i] = fp3_make(a[3 * i], a[3 * i + 1], a[3 * i + 2]);
        y[i] = fp3_make(b[3 * i], b[3 * i + 1], b[3 * i + 2]);
    }
    for (auto _ : state) {
        for (size_t i = 0; i < n; i++) out[i] = fp3_mul(x[i], y[i]);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_fp3_mul_vector)->ArgNames({"n"})->Arg(1 << 12);

} // namespace

BENCHMARK_MAIN();
