// Keccak-f[1600] and Keccak-256 (prover/keccak.h), and the Merkle leaf hash of one row
// (prover/merkle.h): the per-core cost behind every commit.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

extern "C" {
#include "keccak.h"
#include "merkle.h"
}

namespace {

void BM_keccak_f1600(benchmark::State &state) {
    uint64_t st[25] = {1};
    for (auto _ : state) {
        keccak_f1600(st);
        benchmark::DoNotOptimize(st);
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations())); // permutations
}
BENCHMARK(BM_keccak_f1600);

void BM_keccak256(benchmark::State &state) {
    std::vector<uint8_t> data(static_cast<size_t>(state.range(0)), 0xA5);
    uint8_t out[32];
    for (auto _ : state) {
        keccak256(data.data(), data.size(), out);
        benchmark::DoNotOptimize(out);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
}
BENCHMARK(BM_keccak256)->ArgNames({"bytes"})->Arg(64)->Arg(1040)->Arg(1 << 16);

// One leaf: a row of cols elements serialized big-endian and hashed.
void BM_merkle_hash_row(benchmark::State &state) {
    std::vector<uint64_t> row(static_cast<size_t>(state.range(0)));
    for (size_t i = 0; i < row.size(); i++) row[i] = i * 0x9E3779B97F4A7C15ULL;
    sb_digest d;
    for (auto _ : state) {
        merkle_hash_row(row.data(), row.size(), &d);
        benchmark::DoNotOptimize(d);
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations())); // leaves
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * row.size() * 8));
}
BENCHMARK(BM_merkle_hash_row)->ArgNames({"cols"})->Arg(8)->Arg(64)->Arg(130);

} // namespace

BENCHMARK_MAIN();
