/* Whether the vector paths of the CPU code may run (NTT butterflies, 8-way Keccak). */
#ifndef SB_SIMD_H
#define SB_SIMD_H

/* Returns 1 when the CPU has AVX-512F and the environment does not say STARKBENCH_SIMD=off
 * (read at every call, so a test can run both paths in one process); 0 otherwise. Both paths
 * give identical results; callers ask once per operation, not per element. */
int sb_simd_avx512(void);

#endif
