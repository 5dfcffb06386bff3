// Row-major NTTs (prover/ntt.h) over n rows x cols columns, all columns at once: the shape
// of the prover's traces (the CPU table is ~130 columns wide).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

extern "C" {
#include "field.h"
#include "ntt.h"
}

namespace {

std::vector<uint64_t> matrix(size_t n, size_t cols) {
    std::vector<uint64_t> m(n * cols);
    for (size_t i = 0; i < m.size(); i++) m[i] = gl_mul(i + 1, 0x9E3779B97F4A7C15ULL % GL_P);
    return m;
}

void set_counters(benchmark::State &state, size_t n, size_t cols) {
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n * cols));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n * cols * sizeof(uint64_t)));
}

void BM_ntt_forward_rows(benchmark::State &state) {
    const size_t n = size_t{1} << state.range(0), cols = static_cast<size_t>(state.range(1));
    auto m = matrix(n, cols);
    for (auto _ : state) {
        ntt_forward_rows(m.data(), n, cols);
        benchmark::ClobberMemory();
    }
    set_counters(state, n, cols);
}
BENCHMARK(BM_ntt_forward_rows)
    ->ArgNames({"log_n", "cols"})
    ->ArgsProduct({{10, 12, 14, 16}, {8, 64, 130}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_ntt_inverse_rows(benchmark::State &state) {
    const size_t n = size_t{1} << state.range(0), cols = static_cast<size_t>(state.range(1));
    auto m = matrix(n, cols);
    for (auto _ : state) {
        ntt_inverse_rows(m.data(), n, cols);
        benchmark::ClobberMemory();
    }
    set_counters(state, n, cols);
}
BENCHMARK(BM_ntt_inverse_rows)
    ->ArgNames({"log_n", "cols"})
    ->ArgsProduct({{12, 16}, {64}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_bit_reverse_rows(benchmark::State &state) {
    const size_t n = size_t{1} << state.range(0), cols = static_cast<size_t>(state.range(1));
    auto m = matrix(n, cols);
    for (auto _ : state) {
        bit_reverse_rows(m.data(), n, cols);
        benchmark::ClobberMemory();
    }
    set_counters(state, n, cols);
}
BENCHMARK(BM_bit_reverse_rows)
    ->ArgNames({"log_n", "cols"})
    ->ArgsProduct({{12, 16}, {64}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

} // namespace

BENCHMARK_MAIN();
