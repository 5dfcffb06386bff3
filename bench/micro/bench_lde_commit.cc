// The Round-1 pipeline: coset LDE + Merkle commit of lde-commit's deterministic matrix.
// CPU: the library functions (prover/lde.h, prover/merkle.h) and the CPU backend.
// GPU (built with CUDA and run where a device is usable; otherwise not registered): the GPU
// backend through the backend interface, timed with CUDA events (UseManualTime), warm or
// with the L2 cache flushed before each iteration (axis l2flush).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <vector>

extern "C" {
#include "backend.h"
#include "field.h"
#include "lde.h"
#include "merkle.h"
}

#ifdef SB_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif

namespace {

// docs/ARCHITECTURE.md "lde-commit": T[r][c] = ((r+1)*A + c*B) mod p.
std::vector<uint64_t> lde_commit_matrix(size_t n, size_t cols) {
    const uint64_t a = 0x9E3779B97F4A7C15ULL % GL_P, b = 0xD1B54A32D192ED03ULL % GL_P;
    std::vector<uint64_t> t(n * cols);
    for (size_t r = 0; r < n; r++)
        for (size_t c = 0; c < cols; c++) t[r * cols + c] = gl_add(gl_mul(r + 1, a), gl_mul(c, b));
    return t;
}

struct shape {
    size_t n, cols;
    unsigned blowup;
    explicit shape(const benchmark::State &s)
        : n(size_t{1} << s.range(0)), cols(static_cast<size_t>(s.range(1))), blowup(static_cast<unsigned>(s.range(2))) {}
    int64_t lde_bytes() const { return static_cast<int64_t>(n * blowup * cols * sizeof(uint64_t)); }
};

void BM_lde_cpu(benchmark::State &state) {
    shape s(state);
    auto trace = lde_commit_matrix(s.n, s.cols);
    std::vector<uint64_t> lde(s.n * s.blowup * s.cols);
    for (auto _ : state) {
        if (lde_coset_row_major(trace.data(), s.n, s.cols, s.blowup, lde.data()) != 0) {
            state.SkipWithError("lde_coset_row_major rejected the shape");
            break;
        }
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() * s.lde_bytes());
}

void BM_commit_cpu(benchmark::State &state) {
    shape s(state);
    auto trace = lde_commit_matrix(s.n, s.cols);
    std::vector<uint64_t> lde(s.n * s.blowup * s.cols);
    lde_coset_row_major(trace.data(), s.n, s.cols, s.blowup, lde.data());
    for (auto _ : state) {
        merkle_tree t{};
        if (merkle_build_lde(&t, lde.data(), s.n * s.blowup, s.cols) != 0) {
            state.SkipWithError("merkle_build_lde failed");
            break;
        }
        benchmark::DoNotOptimize(t.nodes);
        merkle_free(&t);
    }
    state.SetBytesProcessed(state.iterations() * s.lde_bytes());
}

// LDE + commit through a backend's operations, as the prover calls them.
bool backend_lde_commit(sb_backend *be, const std::vector<uint64_t> &trace, const shape &s) {
    sb_op op{};
    op.table = "bench";
    op.op = "R1 main commit";
    sb_matrix c{};
    bool ok = be->ops->lde(be, &op, trace.data(), s.n, s.cols, s.blowup, &c) == 0 && be->ops->commit(be, &op, &c) == 0;
    be->ops->sync(be, "");
    be->ops->release(be, &c);
    return ok;
}

void BM_lde_commit_backend_cpu(benchmark::State &state) {
    shape s(state);
    auto trace = lde_commit_matrix(s.n, s.cols);
    sb_backend_config cfg;
    sb_backend_config_default(&cfg);
    cfg.kind = SB_BACKEND_CPU;
    sb_backend *be = sb_cpu_backend_create(&cfg);
    for (auto _ : state)
        if (!backend_lde_commit(be, trace, s)) {
            state.SkipWithError("the CPU backend failed");
            break;
        }
    state.SetBytesProcessed(state.iterations() * s.lde_bytes());
    sb_backend_destroy(be);
}

#ifdef SB_HAVE_CUDA
// Evicts the L2 cache by writing a buffer twice its size (outside the timed region).
class l2_flusher {
  public:
    l2_flusher() {
        int dev = 0, bytes = 0;
        cudaGetDevice(&dev);
        cudaDeviceGetAttribute(&bytes, cudaDevAttrL2CacheSize, dev);
        size_ = 2 * static_cast<size_t>(bytes);
        if (size_ && cudaMalloc(&buf_, size_) != cudaSuccess) buf_ = nullptr;
    }
    ~l2_flusher() { cudaFree(buf_); }
    bool flush() { return buf_ && cudaMemset(buf_, 0, size_) == cudaSuccess && cudaDeviceSynchronize() == cudaSuccess; }

  private:
    void *buf_ = nullptr;
    size_t size_ = 0;
};

void BM_lde_commit_gpu(benchmark::State &state) {
    shape s(state);
    const bool cold = state.range(3) != 0;
    auto trace = lde_commit_matrix(s.n, s.cols);
    sb_backend_config cfg;
    sb_backend_config_default(&cfg);
    cfg.kind = SB_BACKEND_GPU;
    char err[256] = "";
    sb_backend *be = sb_gpu_backend_create(&cfg, err, sizeof err);
    if (!be) {
        state.SkipWithError(err);
        return;
    }
    l2_flusher flusher;
    cudaEvent_t start, stop;
    cudaEventCreate(&start);
    cudaEventCreate(&stop);
    for (auto _ : state) {
        if (cold && !flusher.flush()) {
            state.SkipWithError("L2 flush failed");
            break;
        }
        // The stop event is recorded after the backend's sync: it covers every stream it used.
        cudaEventRecord(start, 0);
        bool ok = backend_lde_commit(be, trace, s);
        cudaEventRecord(stop, 0);
        cudaEventSynchronize(stop);
        float ms = 0;
        cudaEventElapsedTime(&ms, start, stop);
        if (!ok || be->n_fallbacks) {
            state.SkipWithError(be->n_fallbacks ? "the GPU backend fell back to the CPU" : "the GPU backend failed");
            break;
        }
        state.SetIterationTime(ms / 1e3);
    }
    state.SetBytesProcessed(state.iterations() * s.lde_bytes());
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    sb_backend_destroy(be);
}
#endif

void cpu_shapes(benchmark::internal::Benchmark *b) {
    b->ArgNames({"log_n", "cols", "blowup"})->ArgsProduct({{12, 14, 16}, {64}, {2, 4}})->Unit(benchmark::kMillisecond);
    b->UseRealTime();
}

} // namespace

BENCHMARK(BM_lde_cpu)->Apply(cpu_shapes);
BENCHMARK(BM_commit_cpu)->Apply(cpu_shapes);
BENCHMARK(BM_lde_commit_backend_cpu)->Apply(cpu_shapes);

int main(int argc, char **argv) {
    char gpu[128] = "";
    if (sb_gpu_available(gpu, sizeof gpu)) {
#ifdef SB_HAVE_CUDA
        benchmark::RegisterBenchmark("BM_lde_commit_gpu", BM_lde_commit_gpu)
            ->ArgNames({"log_n", "cols", "blowup", "l2flush"})
            ->ArgsProduct({{16, 20, 22}, {64}, {2, 4}, {0, 1}})
            ->Unit(benchmark::kMillisecond)
            ->UseManualTime();
#endif
    } else {
        std::fprintf(stderr, "bench_lde_commit: no usable GPU: GPU benchmarks skipped\n");
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
