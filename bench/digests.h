/* The sweep's proof-digest check: every configuration of the same steps and blowup must
 * give the same proof bytes, whatever backend, threshold, tp, threads or tpb it ran with. */
#ifndef SB_DIGESTS_H
#define SB_DIGESTS_H

#include <stddef.h>

#include "results.h"

/* Sets digest_mismatch (1 or 0) on every "ok" point of r that has a digest: 1 when it differs
 * from the reference of its steps and blowup, the digest of an ok point that ran on the CPU
 * (backend_used "cpu"), else the most common one. Other points are left as they are.
 * Returns the count flagged. */
size_t sb_check_digests(sb_results *r);

#endif
