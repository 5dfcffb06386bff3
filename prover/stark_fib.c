/* prover.h's entry points: the STARK of stark.h with the fib_iterative AIR. */
#include "stark.h"

int sb_prove(const sb_prove_config *cfg, sb_backend *be, sb_ranges *ranges, sb_proof *out, char *err, size_t errlen) {
    return sb_stark_prove(sb_air_fib(), cfg, be, ranges, out, err, errlen);
}

int sb_verify(const uint8_t *bytes, size_t len, sb_public *pub, char *why, size_t whylen) {
    return sb_stark_verify(sb_air_fib(), bytes, len, pub, why, whylen);
}
