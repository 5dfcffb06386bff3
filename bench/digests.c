#include "digests.h"

#include <string.h>

size_t sb_check_digests(sb_results *r) {
    size_t flagged = 0;
    for (size_t i = 0; i < r->n_points; i++) {
        const sb_point *a = &r->points[i];
        if (strcmp(a->status, "ok") || !a->proof_digest[0]) continue;
        const char *ref = NULL;
        size_t best = 0;
        for (size_t j = 0; j < r->n_points; j++) {
            const sb_point *b = &r->points[j];
            if (strcmp(b->status, "ok") || !b->proof_digest[0] || b->log_steps != a->log_steps || b->blowup != a->blowup)
                continue;
            if (!strcmp(b->backend_used, "cpu")) {
                ref = b->proof_digest;
                break;
            }
            size_t votes = 0;
            for (size_t k = 0; k < r->n_points; k++)
                if (!strcmp(r->points[k].proof_digest, b->proof_digest)) votes++;
            if (votes > best) best = votes, ref = b->proof_digest;
        }
        r->points[i].digest_mismatch = ref && strcmp(ref, a->proof_digest) != 0;
        flagged += (size_t)r->points[i].digest_mismatch;
    }
    return flagged;
}
