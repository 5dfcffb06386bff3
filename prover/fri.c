#include "fri.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntt.h"
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

void sb_fri_prover_free(sb_backend *be, sb_fri_prover *st) {
    for (unsigned l = 0; l < 32; l++) be->ops->release(be, &st->layers[l]);
    memset(st, 0, sizeof *st);
}

int sb_fri_commit(sb_backend *be, sb_op *op, sb_matrix *layer0, unsigned log_n, sb_transcript *tr,
                  sb_fri_prover *st, sb_digest *roots, fp3_t *final_coeffs) {
    memset(st, 0, sizeof *st);
    st->log_lde = (unsigned)log2_exact(layer0->rows);
    st->n_folds = sb_fri_folds(log_n);
    const sb_round_ops *ops = be->ops->rounds;
    sb_matrix *cur = layer0;
    for (unsigned l = 0; l < st->n_folds; l++) {
        fp3_t alpha = transcript_squeeze_fp3(tr);
        int committed = l + 1 < st->n_folds;
        if (ops->fri_fold(be, op, cur, alpha, committed, &st->layers[l + 1]) != 0) return -1;
        cur = &st->layers[l + 1];
        if (committed) {
            roots[l] = cur->root;
            transcript_absorb_digest(tr, roots[l].b);
        }
    }
    /* The last layer is sent in the clear: interpolate it and check its degree. */
    size_t m = cur->rows, n_final = (size_t)1 << (log_n - st->n_folds);
    const uint64_t *last = be->ops->to_host(be, op, cur);
    if (!last) return -1;
    fp3_t *coeffs = malloc(m * sizeof *coeffs);
    if (!coeffs) return sb_op_fail(op, "FRI: out of memory for the final layer");
    memcpy(coeffs, last, m * sizeof *coeffs);
    sb_coset_interpolate(coeffs[0].c, m, 3, cur->offset);
    for (size_t k = n_final; k < m; k++)
        if (!fp3_is_zero(coeffs[k])) {
            free(coeffs);
            return sb_op_fail(op, "FRI: the final layer has degree >= %zu (the DEEP polynomial is not low-degree)",
                              n_final);
        }
    memcpy(final_coeffs, coeffs, n_final * sizeof *coeffs);
    free(coeffs);
    for (size_t k = 0; k < n_final; k++) transcript_absorb_fp3(tr, final_coeffs[k]);
    return 0;
}

int sb_fri_open(sb_backend *be, sb_op *op, sb_fri_prover *st, const size_t *queries, size_t q, fp3_t *siblings,
                size_t sibling_stride, sb_digest *paths, size_t path_stride) {
    if (st->n_folds < 2 || q == 0) return 0;
    size_t *leaves = malloc(q * sizeof *leaves);
    fp3_t *pairs = malloc(2 * q * sizeof *pairs);
    sb_digest *layer_paths = malloc(q * st->log_lde * sizeof *layer_paths);
    int rc = leaves && pairs && layer_paths ? 0 : sb_op_fail(op, "FRI: out of memory for the openings");
    size_t path_at = 0; /* where layer l's path starts inside one query's paths */
    for (unsigned l = 1; rc == 0 && l < st->n_folds; l++) {
        /* Layer l has 2 half values; the verifier computes row r = i0 mod 2 half itself and needs
         * the other value of r's pair, leaf r mod half. */
        const size_t half = (size_t)1 << (st->log_lde - l - 1), depth = st->log_lde - l - 1;
        for (size_t j = 0; j < q; j++) leaves[j] = queries[j] & (half - 1);
        rc = be->ops->open_many(be, op, &st->layers[l], leaves, q, pairs[0].c, layer_paths);
        for (size_t j = 0; rc == 0 && j < q; j++) {
            const int r_low = (queries[j] & half) == 0; /* r < half: the verifier has the pair's low value */
            siblings[j * sibling_stride + l - 1] = pairs[2 * j + r_low];
            memcpy(paths + j * path_stride + path_at, layer_paths + j * depth, depth * sizeof *paths);
        }
        path_at += depth;
    }
    free(leaves);
    free(pairs);
    free(layer_paths);
    return rc;
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
            /* MUTANT fri-final-folded: if ( => if (0) if ( */
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
        /* MUTANT fri-layer-1-path: if ( => if (l > 0) if ( */
        /* MUTANT fri-layer-2-up-paths: if ( => if (l == 0) if ( */
        if (!merkle_verify(&roots[l], &d, leaf, log_m - 2, paths)) {
            snprintf(why, whylen, "FRI layer %u Merkle path", l + 1);
            return -1;
        }
        paths += log_m - 2;
        i = leaf;
    }
    /* No fold: layer 0 itself is the final polynomial. */
    uint64_t x = gl_mul(GL_GENERATOR, gl_pow(gl_root_of_unity(log_lde), i0));
    /* MUTANT fri-final-unfolded: if ( => if (0) if ( */
    if (!fp3_eq(a, sb_fp3_horner_base(final_coeffs, n_final, x)) ||
        !fp3_eq(b, sb_fp3_horner_base(final_coeffs, n_final, gl_neg(x)))) {
        snprintf(why, whylen, "FRI final polynomial");
        return -1;
    }
    return 0;
}
