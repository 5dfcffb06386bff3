#include "fri.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rounds.h"
#include "stark_poly.h"

uint64_t sb_fri_offset(unsigned layer) {
    uint64_t s = GL_GENERATOR;
    for (unsigned l = 0; l < layer; l++) s = gl_mul(s, s);
    return s;
}

void sb_fri_leaf(fp3_t lo, fp3_t hi, sb_digest *out) {
    uint64_t row[6] = {lo.c[0], lo.c[1], lo.c[2], hi.c[0], hi.c[1], hi.c[2]};
    merkle_hash_row(row, 6, out);
}

size_t sb_fri_path_len(unsigned log_lde, unsigned n_folds) {
    size_t len = 0;
    for (unsigned l = 1; l < n_folds; l++) len += log_lde - l - 1;
    return len;
}

void sb_fri_prover_free(sb_fri_prover *st) {
    for (unsigned l = 0; l < 32; l++) {
        free(st->layers[l]);
        merkle_free(&st->trees[l]);
    }
    memset(st, 0, sizeof *st);
}

int sb_fri_commit(sb_backend *be, const sb_op *op, const fp3_t *layer0, unsigned log_lde, unsigned log_n,
                  sb_transcript *tr, sb_fri_prover *st, sb_digest *roots, fp3_t *final_coeffs, char *err,
                  size_t errlen) {
    memset(st, 0, sizeof *st);
    st->log_lde = log_lde;
    st->n_folds = sb_fri_folds(log_n);
    const sb_round_ops *ops = be->ops->rounds;
    const fp3_t *cur = layer0;
    for (unsigned l = 0; l < st->n_folds; l++) {
        size_t m = (size_t)1 << (log_lde - l);
        fp3_t alpha = transcript_squeeze_fp3(tr);
        fp3_t *next = malloc(m / 2 * sizeof *next);
        if (!next) {
            snprintf(err, errlen, "FRI: out of memory for layer %u", l + 1);
            return -1;
        }
        int committed = l + 1 < st->n_folds;
        int rc = ops->fri_fold(be, op, cur, m, sb_fri_offset(l), alpha, next, committed ? &st->trees[l + 1] : NULL,
                               err, errlen);
        st->layers[l + 1] = next;
        if (rc != 0) return -1;
        if (committed) {
            roots[l] = *merkle_root(&st->trees[l + 1]);
            transcript_absorb_digest(tr, roots[l].b);
        }
        cur = next;
    }
    /* The last layer is sent in the clear: interpolate it and check its degree. */
    unsigned log_m = log_lde - st->n_folds;
    size_t m = (size_t)1 << log_m, n_final = (size_t)1 << (log_n - st->n_folds);
    fp3_t *coeffs = malloc(m * sizeof *coeffs);
    if (!coeffs) {
        snprintf(err, errlen, "FRI: out of memory for the final layer");
        return -1;
    }
    memcpy(coeffs, cur, m * sizeof *coeffs);
    sb_coset_interpolate(coeffs[0].c, m, 3, sb_fri_offset(st->n_folds));
    for (size_t k = n_final; k < m; k++)
        if (!fp3_is_zero(coeffs[k])) {
            free(coeffs);
            snprintf(err, errlen, "FRI: the final layer has degree >= %zu (the DEEP polynomial is not low-degree)",
                     n_final);
            return -1;
        }
    memcpy(final_coeffs, coeffs, n_final * sizeof *coeffs);
    free(coeffs);
    for (size_t k = 0; k < n_final; k++) transcript_absorb_fp3(tr, final_coeffs[k]);
    return 0;
}

void sb_fri_open(const sb_fri_prover *st, size_t i0, fp3_t *siblings, sb_digest *paths) {
    size_t r = i0; /* the row of layer l that the verifier computes by folding layer l-1 */
    for (unsigned l = 1; l < st->n_folds; l++) {
        size_t half = (size_t)1 << (st->log_lde - l - 1);
        size_t leaf = r & (half - 1);
        *siblings++ = r < half ? st->layers[l][leaf + half] : st->layers[l][leaf];
        merkle_path(&st->trees[l], leaf, paths);
        paths += st->log_lde - l - 1;
        r = leaf;
    }
}

int sb_fri_verify_query(unsigned log_lde, unsigned n_folds, const fp3_t *alphas, const sb_digest *roots,
                        const fp3_t *final_coeffs, size_t n_final, size_t i0, fp3_t a, fp3_t b,
                        const fp3_t *siblings, const sb_digest *paths, char *why, size_t whylen) {
    fp3_t lo = a, hi = b;
    size_t i = i0; /* pair index in layer l */
    for (unsigned l = 0; l < n_folds; l++) {
        unsigned log_m = log_lde - l;
        uint64_t x = gl_mul(sb_fri_offset(l), gl_pow(gl_root_of_unity(log_m), i));
        fp3_t v = sb_fri_fold_pair(lo, hi, gl_inv(x), alphas[l]);
        if (l + 1 == n_folds) {
            uint64_t y = gl_mul(sb_fri_offset(n_folds), gl_pow(gl_root_of_unity(log_m - 1), i));
            if (!fp3_eq(v, sb_fp3_horner_base(final_coeffs, n_final, y))) {
                snprintf(why, whylen, "FRI final polynomial");
                return -1;
            }
            return 0;
        }
        size_t half = (size_t)1 << (log_m - 2);
        size_t leaf = i & (half - 1);
        if (i < half) {
            lo = v;
            hi = *siblings++;
        } else {
            lo = *siblings++;
            hi = v;
        }
        sb_digest d;
        sb_fri_leaf(lo, hi, &d);
        if (!merkle_verify(&roots[l], &d, leaf, log_m - 2, paths)) {
            snprintf(why, whylen, "FRI layer %u Merkle path", l + 1);
            return -1;
        }
        paths += log_m - 2;
        i = leaf;
    }
    /* No fold: layer 0 itself is the final polynomial. */
    uint64_t x = gl_mul(GL_GENERATOR, gl_pow(gl_root_of_unity(log_lde), i0));
    if (!fp3_eq(a, sb_fp3_horner_base(final_coeffs, n_final, x)) ||
        !fp3_eq(b, sb_fp3_horner_base(final_coeffs, n_final, gl_neg(x)))) {
        snprintf(why, whylen, "FRI final polynomial");
        return -1;
    }
    return 0;
}
