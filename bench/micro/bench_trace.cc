// The host side of the trace from an execution record (prover/exec_record.h): the serial
// interpreter keeping a snapshot every 2^log_k cycles (what the GPU backend's main_trace runs on
// the host before the device expands it), and the host's parallel expansion into the cpu table.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

extern "C" {
#include "air.h"
#include "air_fib.h"
#include "exec_record.h"
}

namespace {

// The fib program of a 2^log_rows-step statement; skips the benchmark when there is none.
bool fib_program(benchmark::State &state, unsigned log_rows, rv64_program *prog) {
    sb_public pub;
    if (sb_air_fib()->statement(log_rows, &pub) != 0 || rv64_fib_program(pub.iterations, prog) != 0) {
        state.SkipWithError("no fib program for this size");
        return false;
    }
    return true;
}

void BM_exec_record_build(benchmark::State &state) {
    const auto log_rows = static_cast<unsigned>(state.range(0)), log_k = static_cast<unsigned>(state.range(1));
    rv64_program prog;
    if (!fib_program(state, log_rows, &prog)) return;
    for (auto _ : state) {
        sb_exec_record rec;
        if (sb_exec_record_build(&prog, log_rows, log_k, &rec) != 0) {
            state.SkipWithError("the record could not be built");
            return;
        }
        benchmark::DoNotOptimize(rec.snapshots);
        sb_exec_record_free(&rec);
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) << log_rows); // cycles
}
BENCHMARK(BM_exec_record_build)
    ->ArgNames({"log_rows", "log_k"})
    ->Args({20, SB_EXEC_LOG_K})
    ->Args({23, SB_EXEC_LOG_K})
    ->Args({23, 6})
    ->Unit(benchmark::kMillisecond);

void BM_exec_record_expand(benchmark::State &state) {
    const auto log_rows = static_cast<unsigned>(state.range(0));
    rv64_program prog;
    sb_exec_record rec;
    if (!fib_program(state, log_rows, &prog) || sb_exec_record_build(&prog, log_rows, SB_EXEC_LOG_K, &rec) != 0) {
        state.SkipWithError("the record could not be built");
        return;
    }
    std::vector<uint64_t> cpu((static_cast<size_t>(1) << log_rows) * FIB_CPU_COLS);
    for (auto _ : state) {
        if (sb_exec_record_expand(&rec, cpu.data()) != 0) {
            state.SkipWithError("the record does not expand");
            break;
        }
        benchmark::ClobberMemory();
    }
    sb_exec_record_free(&rec);
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) << log_rows); // rows
}
BENCHMARK(BM_exec_record_expand)->ArgNames({"log_rows"})->Arg(16)->Arg(20)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
