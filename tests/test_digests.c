/* The sweep's proof-digest check (bench/digests.h) on hand-made points: a mismatch against
 * the CPU reference, against the majority, and what it must not flag. */
#include <string.h>

#include "check.h"
#include "digests.h"

#define DIGEST_A "aa00000000000000000000000000000000000000000000000000000000000000"
#define DIGEST_B "bb00000000000000000000000000000000000000000000000000000000000000"

static sb_point *add(sb_results *r, unsigned log_steps, unsigned blowup, const char *backend, const char *status,
                     const char *digest) {
    sb_point *p = sb_results_add_point(r, 1);
    p->log_steps = log_steps;
    p->blowup = blowup;
    snprintf(p->backend_used, sizeof p->backend_used, "%s", backend);
    snprintf(p->status, sizeof p->status, "%s", status);
    snprintf(p->proof_digest, sizeof p->proof_digest, "%s", digest);
    return p;
}

int main(void) {
    sb_results r;

    /* The CPU point is the reference even when GPU points outvote it. */
    memset(&r, 0, sizeof r);
    add(&r, 8, 2, "gpu", "ok", DIGEST_B);
    add(&r, 8, 2, "cpu", "ok", DIGEST_A);
    add(&r, 8, 2, "gpu", "ok", DIGEST_B);
    EXPECT(sb_check_digests(&r) == 2);
    EXPECT(r.points[0].digest_mismatch == 1 && r.points[1].digest_mismatch == 0 && r.points[2].digest_mismatch == 1);
    sb_results_free(&r);

    /* No CPU point: the majority is the reference. */
    memset(&r, 0, sizeof r);
    add(&r, 8, 2, "gpu", "ok", DIGEST_A);
    add(&r, 8, 2, "gpu", "ok", DIGEST_B);
    add(&r, 8, 2, "gpu", "ok", DIGEST_A);
    EXPECT(sb_check_digests(&r) == 1);
    EXPECT(r.points[0].digest_mismatch == 0 && r.points[1].digest_mismatch == 1 && r.points[2].digest_mismatch == 0);
    sb_results_free(&r);

    /* Other steps or blowup, or a failed point, is no reference and never flagged; a match clears the flag. */
    memset(&r, 0, sizeof r);
    add(&r, 8, 2, "cpu", "ok", DIGEST_A);
    add(&r, 8, 4, "gpu", "ok", DIGEST_B);
    add(&r, 9, 2, "gpu", "ok", DIGEST_B);
    add(&r, 8, 2, "cpu", "failed", DIGEST_B);
    sb_point *same = add(&r, 8, 2, "gpu", "ok", DIGEST_A);
    same->digest_mismatch = 1;
    EXPECT(sb_check_digests(&r) == 0);
    for (size_t i = 0; i < r.n_points; i++) CHECK(r.points[i].digest_mismatch == 0, "point %zu flagged", i);
    sb_results_free(&r);

    return failures ? 1 : 0;
}
