/* The floors of issue 5, measured on the device the pipeline runs on: HBM bandwidth by a
 * large device-to-device copy (read + write bytes), and the rates of a straightforward
 * register-resident Goldilocks butterfly and a straightforward Keccak-f[1600], one thread
 * each, no shared memory, every result stored so nothing is optimised away. Beside them, the
 * pipe probes behind the Keccak kernels' design (which instructions run beside the ALU). */
#include <stdlib.h>

#include "field.h"
#include "gpu.h"
#include "keccak_f.cuh"
#include "launch.cuh"

#define FLOOR_ITERS 256

__device__ __forceinline__ uint64_t rotl_u64(uint64_t x, int n) { return (x << n) | (x >> (64 - n)); }

/* The straightforward Keccak-f of the floor: 64-bit lanes as the C code writes them.
 * One round: theta, rho + pi (b[y + 5((2x+3y) mod 5)] = rot(a[x + 5y], r)), chi, iota. */
__device__ __forceinline__ void keccak_round_u64(uint64_t s[25], uint64_t rc) {
    const uint64_t c0 = s[0] ^ s[5] ^ s[10] ^ s[15] ^ s[20], c1 = s[1] ^ s[6] ^ s[11] ^ s[16] ^ s[21],
                   c2 = s[2] ^ s[7] ^ s[12] ^ s[17] ^ s[22], c3 = s[3] ^ s[8] ^ s[13] ^ s[18] ^ s[23],
                   c4 = s[4] ^ s[9] ^ s[14] ^ s[19] ^ s[24];
    const uint64_t d0 = c4 ^ rotl_u64(c1, 1), d1 = c0 ^ rotl_u64(c2, 1), d2 = c1 ^ rotl_u64(c3, 1),
                   d3 = c2 ^ rotl_u64(c4, 1), d4 = c3 ^ rotl_u64(c0, 1);
    const uint64_t b0 = s[0] ^ d0, b1 = rotl_u64(s[6] ^ d1, 44), b2 = rotl_u64(s[12] ^ d2, 43);
    const uint64_t b3 = rotl_u64(s[18] ^ d3, 21), b4 = rotl_u64(s[24] ^ d4, 14), b5 = rotl_u64(s[3] ^ d3, 28);
    const uint64_t b6 = rotl_u64(s[9] ^ d4, 20), b7 = rotl_u64(s[10] ^ d0, 3), b8 = rotl_u64(s[16] ^ d1, 45);
    const uint64_t b9 = rotl_u64(s[22] ^ d2, 61), b10 = rotl_u64(s[1] ^ d1, 1), b11 = rotl_u64(s[7] ^ d2, 6);
    const uint64_t b12 = rotl_u64(s[13] ^ d3, 25), b13 = rotl_u64(s[19] ^ d4, 8), b14 = rotl_u64(s[20] ^ d0, 18);
    const uint64_t b15 = rotl_u64(s[4] ^ d4, 27), b16 = rotl_u64(s[5] ^ d0, 36), b17 = rotl_u64(s[11] ^ d1, 10);
    const uint64_t b18 = rotl_u64(s[17] ^ d2, 15), b19 = rotl_u64(s[23] ^ d3, 56), b20 = rotl_u64(s[2] ^ d2, 62);
    const uint64_t b21 = rotl_u64(s[8] ^ d3, 55), b22 = rotl_u64(s[14] ^ d4, 39), b23 = rotl_u64(s[15] ^ d0, 41);
    const uint64_t b24 = rotl_u64(s[21] ^ d1, 2);
    s[0] = b0 ^ (~b1 & b2);
    s[1] = b1 ^ (~b2 & b3);
    s[2] = b2 ^ (~b3 & b4);
    s[3] = b3 ^ (~b4 & b0);
    s[4] = b4 ^ (~b0 & b1);
    s[5] = b5 ^ (~b6 & b7);
    s[6] = b6 ^ (~b7 & b8);
    s[7] = b7 ^ (~b8 & b9);
    s[8] = b8 ^ (~b9 & b5);
    s[9] = b9 ^ (~b5 & b6);
    s[10] = b10 ^ (~b11 & b12);
    s[11] = b11 ^ (~b12 & b13);
    s[12] = b12 ^ (~b13 & b14);
    s[13] = b13 ^ (~b14 & b10);
    s[14] = b14 ^ (~b10 & b11);
    s[15] = b15 ^ (~b16 & b17);
    s[16] = b16 ^ (~b17 & b18);
    s[17] = b17 ^ (~b18 & b19);
    s[18] = b18 ^ (~b19 & b15);
    s[19] = b19 ^ (~b15 & b16);
    s[20] = b20 ^ (~b21 & b22);
    s[21] = b21 ^ (~b22 & b23);
    s[22] = b22 ^ (~b23 & b24);
    s[23] = b23 ^ (~b24 & b20);
    s[24] = b24 ^ (~b20 & b21);
    s[0] ^= rc;
}

__device__ __forceinline__ void keccak_f1600_u64(uint64_t s[25]) {
#pragma unroll 2
    for (int r = 0; r < 24; r++) keccak_round_u64(s, kl_u64(keccak_round_constants[KECCAK_PLAIN].rc[r]));
}

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
    for (int it = 0; it < FLOOR_ITERS / 16; it++) keccak_f1600_u64(s);
    io[t] = s[0] ^ s[1] ^ s[2] ^ s[3];
}

/* Pipe probes: which instructions issue beside the ALU pipe that the Keccak rounds saturate
 * (docs/PERFORMANCE.md, rounds 6 and 8). A step of a chain is three LOP3 and one instruction X;
 * each thread runs PIPE_CHAINS independent chains, so the steps are throughput-bound. With
 * X = LOP3 every step is 4 ALU instructions (the reference); an X that runs on another pipe
 * makes the step up to a quarter faster, an X that holds the ALU does not. */
#define PIPE_CHAINS 6
#define PIPE_STEPS 2048
#define PIPE_SHIFT 7 /* the funnel shift of the SHF and FP64 probes */

__device__ __forceinline__ uint32_t lop3_xor(uint32_t a, uint32_t b, uint32_t c) {
    uint32_t r;
    asm("lop3.b32 %0, %1, %2, %3, 0x96;" : "=r"(r) : "r"(a), "r"(b), "r"(c));
    return r;
}

/* (c << n) | (b >> (32 - n)) for 0 < n < 32 (the word of a 64-bit rotation SHF.L.W makes) on the
 * FP64 pipe: with L = c 2^n - 2^(20+n) mod 2^32 (one IMAD), the fused multiply-add
 * (2^52 + b) 2^(n-32) + (2^52 + L) = 2^52 + L + 2^(20+n) + b / 2^(32-n) stays below 2^53, so
 * rounded toward zero its low word is L + 2^(20+n) + (b >> (32-n)) mod 2^32, the shift's word.
 * The constants of n come from the caller (fp64_shift_of), so that ptxas keeps the multiply-add
 * an IMAD; 0x43300000 is the high word of 2^52. */
struct fp64_shift {
    uint32_t mul, add; /* 2^n, -2^(20+n) mod 2^32 */
    double scale;      /* 2^(n-32) */
};

__host__ __device__ inline fp64_shift fp64_shift_of(int n) {
    return {1u << n, n < 12 ? 0u - (1u << (20 + n)) : 0u, ldexp(1.0, n - 32)};
}

__device__ __forceinline__ uint32_t funnel_shift_fp64(uint32_t c, uint32_t b, fp64_shift k) {
    const uint32_t low = c * k.mul + k.add;
    double r;
    asm("{\n\t.reg .f64 x, y;\n\t"
        "mov.b64 x, {%1, %3};\n\t"
        "mov.b64 y, {%2, %3};\n\t"
        "fma.rz.f64 %0, x, %4, y;\n\t}"
        : "=d"(r)
        : "r"(b), "r"(low), "r"(0x43300000u), "d"(k.scale));
    return (uint32_t)__double_as_longlong(r);
}

__device__ __forceinline__ uint32_t pipe_x(int x, uint32_t a, uint32_t b, fp64_shift k) {
    switch (x) {
    case SB_PIPE_SHF: return __funnelshift_l(b, a, PIPE_SHIFT);
    case SB_PIPE_PRMT: return __byte_perm(a, b, 0x0123);
    case SB_PIPE_IMAD: return a * k.mul + b;
    case SB_PIPE_FP64_SHIFT: return funnel_shift_fp64(a, b, k);
    default: return lop3_xor(a, b, k.mul);
    }
}

/* k = fp64_shift_of(PIPE_SHIFT), passed in so that its multiplier is not a constant to ptxas. */
template <int X>
__global__ void pipe_probe(uint32_t *io, fp64_shift k) {
    const uint32_t t = blockIdx.x * blockDim.x + threadIdx.x, y = io[t] | 1, z = y * 3;
    uint32_t a[PIPE_CHAINS], b[PIPE_CHAINS];
#pragma unroll
    for (int c = 0; c < PIPE_CHAINS; c++) a[c] = io[t] + c, b[c] = a[c] * 7 + 1;
    for (int i = 0; i < PIPE_STEPS; i++)
#pragma unroll
        for (int c = 0; c < PIPE_CHAINS; c++) {
            a[c] = lop3_xor(a[c], b[c], y);
            b[c] = lop3_xor(b[c], a[c], z);
            a[c] = pipe_x(X, lop3_xor(a[c], b[c], z), b[c], k);
        }
    uint32_t r = 0;
#pragma unroll
    for (int c = 0; c < PIPE_CHAINS; c++) r ^= a[c] ^ b[c];
    io[t] = r;
}

/* funnel_shift_fp64 against the funnel shift for every n in 1..31 on 2^24 pseudo-random pairs
 * and the extreme words; counts the mismatches. */
__global__ void pipe_check_fp64_shift(unsigned long long *mismatches) {
    const uint64_t t = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x;
    const uint64_t h = (t + 1) * 0x9E3779B97F4A7C15ULL;
    const uint32_t extremes[3] = {0, 1, 0xffffffffu};
    const uint32_t c = t < 9 ? extremes[t % 3] : (uint32_t)(h >> 32), b = t < 9 ? extremes[t / 3] : (uint32_t)h;
    for (int n = 1; n < 32; n++)
        if (funnel_shift_fp64(c, b, fp64_shift_of(n)) != __funnelshift_l(b, c, n)) atomicAdd(mismatches, 1ull);
}

extern "C" const char *const sb_gpu_pipe_names[SB_PIPE_PROBES] = {
    "LOP3 (the ALU reference)", "SHF.L.W (funnel shift)", "PRMT (byte permute)", "IMAD (multiply-add)",
    "funnel shift on the FP64 pipe (IMAD + DFMA.RZ)"};

/* Times n runs of launch() on stream 0 after one warm-up, each between two events: ms[0..n). */
template <typename F>
static cudaError_t time_each(F launch, float *ms, int n) {
    cudaEvent_t a, b;
    cudaError_t e = cudaEventCreate(&a);
    if (e == cudaSuccess) e = cudaEventCreate(&b);
    for (int i = -1; i < n && e == cudaSuccess; i++) {
        cudaEventRecord(a, 0);
        if ((e = launch()) != cudaSuccess) break;
        cudaEventRecord(b, 0);
        if ((e = cudaEventSynchronize(b)) == cudaSuccess && i >= 0) e = cudaEventElapsedTime(&ms[i], a, b);
    }
    cudaEventDestroy(a);
    cudaEventDestroy(b);
    return e;
}

/* Median of 5 timed runs (after one warm-up) of launch() on stream 0, in seconds. */
template <typename F>
static cudaError_t time_median(F launch, double *seconds) {
    float ms[5] = {0};
    const cudaError_t e = time_each(launch, ms, 5);
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

extern "C" cudaError_t sb_gpu_time_noise_probe(double *ms, int n, sb_gpu_site *site) {
    const dim3 grid(SB_NOISE_PROBE_BLOCKS), block(128);
    uint64_t *io = NULL;
    float *t = (float *)calloc((size_t)n, sizeof *t);
    cudaError_t e = t ? cudaMalloc(&io, (size_t)grid.x * block.x * sizeof *io) : cudaErrorMemoryAllocation;
    if (e == cudaSuccess) e = cudaMemset(io, 0x5a, (size_t)grid.x * block.x * sizeof *io);
    if (e != cudaSuccess) site->kernel = "cudaMalloc/cudaMemset";
    if (e == cudaSuccess)
        e = time_each([&] {
            floor_keccak_f<<<grid, block>>>(io);
            return sb_launch_check(site, "floor_keccak_f", grid, block, 0);
        }, t, n);
    for (int i = 0; t && i < n; i++) ms[i] = t[i];
    cudaFree(io);
    free(t);
    return e;
}

extern "C" cudaError_t sb_gpu_measure_pipes(double seconds[SB_PIPE_PROBES], unsigned long long *mismatches,
                                           sb_gpu_site *site) {
    static void (*const probes[SB_PIPE_PROBES])(uint32_t *, fp64_shift) = {
        pipe_probe<SB_PIPE_LOP3>, pipe_probe<SB_PIPE_SHF>, pipe_probe<SB_PIPE_PRMT>, pipe_probe<SB_PIPE_IMAD>,
        pipe_probe<SB_PIPE_FP64_SHIFT>};
    int dev, sms;
    cudaError_t e = cudaGetDevice(&dev);
    if (e == cudaSuccess) e = cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev);
    const dim3 grid(sms * 8), block(128);
    const size_t io_bytes = (size_t)grid.x * block.x * sizeof(uint32_t);
    uint32_t *io = NULL;
    unsigned long long *bad = NULL;
    if (e == cudaSuccess) e = cudaMalloc(&io, io_bytes);
    if (e == cudaSuccess) e = cudaMemset(io, 0x5a, io_bytes);
    if (e == cudaSuccess) e = cudaMalloc(&bad, sizeof *bad);
    if (e == cudaSuccess) e = cudaMemset(bad, 0, sizeof *bad);
    if (e != cudaSuccess) site->kernel = "cudaMalloc/cudaMemset";
    const fp64_shift k = fp64_shift_of(PIPE_SHIFT);
    for (int x = 0; x < SB_PIPE_PROBES && e == cudaSuccess; x++)
        e = time_median([&] {
            probes[x]<<<grid, block>>>(io, k);
            return sb_launch_check(site, "pipe_probe", grid, block, 0);
        }, &seconds[x]);
    if (e == cudaSuccess) {
        const dim3 g(1 << 16), b(256);
        pipe_check_fp64_shift<<<g, b>>>(bad);
        e = sb_launch_check(site, "pipe_check_fp64_shift", g, b, 0);
    }
    if (e == cudaSuccess) e = cudaMemcpy(mismatches, bad, sizeof *bad, cudaMemcpyDeviceToHost);
    cudaFree(io);
    cudaFree(bad);
    return e;
}
