/* The floors of issue 5, measured on the device the pipeline runs on: HBM bandwidth by a
 * large device-to-device copy (read + write bytes), and the rates of a straightforward
 * register-resident Goldilocks butterfly and a straightforward Keccak-f[1600], one thread
 * each, no shared memory, every result stored so nothing is optimised away. */
#include "field.h"
#include "gpu.h"
#include "keccak_f.cuh"
#include "launch.cuh"

#define FLOOR_ITERS 256

/* 12 radix-2 butterflies (three levels of a radix-8 block) per iteration. */
extern "C" __global__ void floor_butterflies(uint64_t *io) {
    const uint64_t t = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x;
    uint64_t v[8];
#pragma unroll
    for (int e = 0; e < 8; e++) v[e] = gl_reduce(io[t] * (e + 3) + 0x9E3779B97F4A7C15ULL);
    const uint64_t w[3] = {gl_reduce(io[t] ^ 0xD1B54A32D192ED03ULL), gl_reduce(io[t] + 12345), gl_reduce(~io[t])};
    for (int it = 0; it < FLOOR_ITERS; it++) {
#pragma unroll
        for (int l = 0; l < 3; l++)
#pragma unroll
            for (int e = 0; e < 8; e++) {
                if (e & (1 << l)) continue;
                const uint64_t x = gl_mul(v[e | (1 << l)], w[l]);
                v[e | (1 << l)] = gl_sub(v[e], x);
                v[e] = gl_add(v[e], x);
            }
    }
    uint64_t acc = 0;
#pragma unroll
    for (int e = 0; e < 8; e++) acc ^= v[e];
    io[t] = acc;
}

extern "C" __global__ void floor_keccak_f(uint64_t *io) {
    const uint64_t t = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x;
    uint64_t s[25];
#pragma unroll
    for (int l = 0; l < 25; l++) s[l] = io[t] + l;
    for (int it = 0; it < FLOOR_ITERS / 16; it++) keccak_f1600_dev(s);
    io[t] = s[0] ^ s[1] ^ s[2] ^ s[3];
}

/* Median of 5 timed runs (after one warm-up) of launch(i) on stream 0, in seconds. */
template <typename F>
static cudaError_t time_median(F launch, double *seconds) {
    cudaEvent_t a, b;
    cudaError_t e = cudaEventCreate(&a);
    if (e == cudaSuccess) e = cudaEventCreate(&b);
    float ms[5] = {0};
    for (int i = -1; i < 5 && e == cudaSuccess; i++) {
        cudaEventRecord(a, 0);
        if ((e = launch()) != cudaSuccess) break;
        cudaEventRecord(b, 0);
        if ((e = cudaEventSynchronize(b)) == cudaSuccess && i >= 0) e = cudaEventElapsedTime(&ms[i], a, b);
    }
    cudaEventDestroy(a);
    cudaEventDestroy(b);
    for (int i = 1; i < 5; i++)
        for (int j = i; j > 0 && ms[j] < ms[j - 1]; j--) {
            const float x = ms[j];
            ms[j] = ms[j - 1];
            ms[j - 1] = x;
        }
    *seconds = ms[2] / 1e3;
    return e;
}

extern "C" cudaError_t sb_gpu_measure_floors(sb_gpu_floor_rates *f, sb_gpu_site *site) {
    int dev, sms;
    cudaError_t e = cudaGetDevice(&dev);
    if (e == cudaSuccess) e = cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev);
    const size_t copy_bytes = (size_t)2 << 30;
    uint64_t *a = NULL, *b = NULL;
    if (e == cudaSuccess) e = cudaMalloc(&a, copy_bytes);
    if (e == cudaSuccess) e = cudaMalloc(&b, copy_bytes);
    if (e == cudaSuccess) e = cudaMemset(a, 0x5a, copy_bytes);
    if (e != cudaSuccess) {
        site->kernel = "cudaMalloc/cudaMemset";
        snprintf(site->launch, sizeof site->launch, "bytes=%zu", copy_bytes);
    }
    double sec = 0;
    if (e == cudaSuccess) {
        e = time_median([&] { return cudaMemcpyAsync(b, a, copy_bytes, cudaMemcpyDeviceToDevice, 0); }, &sec);
        f->copy_bytes_per_s = 2.0 * copy_bytes / sec;
    }
    const dim3 grid(sms * 16), block(128);
    const double threads = (double)grid.x * block.x;
    if (e == cudaSuccess) {
        e = time_median([&] {
            floor_butterflies<<<grid, block>>>(a);
            return sb_launch_check(site, "floor_butterflies", grid, block, 0);
        }, &sec);
        f->butterflies_per_s = threads * FLOOR_ITERS * 12 / sec;
    }
    if (e == cudaSuccess) {
        e = time_median([&] {
            floor_keccak_f<<<grid, block>>>(a);
            return sb_launch_check(site, "floor_keccak_f", grid, block, 0);
        }, &sec);
        f->keccak_f_per_s = threads * (FLOOR_ITERS / 16) / sec;
    }
    cudaFree(a);
    cudaFree(b);
    return e;
}
