/* Run-time choice of the vector paths. */
#include "simd.h"

#include <stdlib.h>
#include <string.h>

int sb_simd_avx512(void) {
    const char *v = getenv("STARKBENCH_SIMD");
    if (v && strcmp(v, "off") == 0) return 0;
#if defined(__x86_64__) && defined(__GNUC__)
    return __builtin_cpu_supports("avx512f") ? 1 : 0;
#else
    return 0;
#endif
}
