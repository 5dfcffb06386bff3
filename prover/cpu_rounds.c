/* The CPU implementation of the Rounds 2-4 operations (rounds.h). Every input is read
 * through ops->to_host, so these run on matrices of either backend; every output is a host
 * matrix (sb_matrix_host_alloc). */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fri.h"
#include "ntt.h"
#include "rounds.h"
#include "stark.h"
#include "stark_poly.h"

_Static_assert(sizeof(fp3_t) == 3 * sizeof(uint64_t), "an ext3 row is 3 base elements per column");

/* Rows per chunk of the row loops (one batch inversion each). */
#define ROW_CHUNK 256

/* be->cfg.threads (0 = OpenMP default) applies inside one operation only. */
static int threads_enter(const sb_backend *be) {
    int prev = omp_get_max_threads();
    if (be->cfg.threads) omp_set_num_threads((int)be->cfg.threads);
    return prev;
}

static int fail(sb_op *op, const char *what) {
    return sb_op_fail(op, "%s (table %s, %s)", what, op->table, op->op);
}

/* Counts one operation that ran on the CPU path, or releases what a failed one left in out
 * (may be NULL); returns rc. */
static int finish(sb_backend *be, int rc, sb_matrix *out) {
    if (rc == 0) atomic_fetch_add(&be->cpu_ops, 1);
    else if (out) be->ops->release(be, out);
    return rc;
}

/* ---- Round 2: the composition polynomial ------------------------------------------- */

/* The per-row inverses of the vanishing polynomials on the LDE coset x_i = 7 w_M^i. */
typedef struct zerofiers {
    uint64_t *x;          /* x_i */
    uint64_t *inv_first;  /* 1 / (x_i - 1) */
    uint64_t *inv_last;   /* 1 / (x_i - g), g = w_n^(n-1) */
    uint64_t inv_vanish[8]; /* 1 / (x^n - 1): x^n = 7^n w_b^(i mod b) takes b values */
    uint64_t g;
} zerofiers;

static int zerofiers_init(zerofiers *z, size_t n, unsigned blowup) {
    size_t m = n * blowup;
    unsigned log_n = (unsigned)log2_exact(n), log_m = (unsigned)log2_exact(m);
    z->x = malloc(m * sizeof *z->x);
    z->inv_first = malloc(m * sizeof *z->inv_first);
    z->inv_last = malloc(m * sizeof *z->inv_last);
    if (!z->x || !z->inv_first || !z->inv_last) return -1;
    sb_lde_vanishing(log_n, log_m - log_n, &z->g, z->inv_vanish);
    for (unsigned j = 0; j < blowup; j++) z->inv_vanish[j] = gl_inv(z->inv_vanish[j]);
    gl_powers(z->x, m, GL_GENERATOR, gl_root_of_unity(log_m));
#pragma omp parallel for schedule(static)
    for (size_t base = 0; base < m; base += ROW_CHUNK) {
        size_t len = m - base < ROW_CHUNK ? m - base : ROW_CHUNK;
        for (size_t i = base; i < base + len; i++) {
            z->inv_first[i] = gl_sub(z->x[i], 1);
            z->inv_last[i] = gl_sub(z->x[i], z->g);
        }
        gl_batch_inv(z->inv_first + base, z->inv_first + base, len);
        gl_batch_inv(z->inv_last + base, z->inv_last + base, len);
    }
    return 0;
}

static void zerofiers_free(zerofiers *z) {
    free(z->x);
    free(z->inv_first);
    free(z->inv_last);
}

/* Per-thread scratch of the composition loop. */
typedef struct comp_scratch {
    uint64_t *main_vals;
    fp3_t *aux_vals, *main_cur, *main_next, *fixed_cur, *fixed_next;
} comp_scratch;

static void to_ext(fp3_t *out, const uint64_t *in, size_t n) {
    for (size_t k = 0; k < n; k++) out[k] = fp3_from_base(in[k]);
}

/* Evaluates C at LDE row i. */
static fp3_t composition_row(const sb_composition_in *in, const uint64_t *main, const uint64_t *fixed,
                             const uint64_t *aux, const zerofiers *z, const fp3_t *beta_pows,
                             const fp3_t *challenge_pows, size_t i, comp_scratch *s) {
    const sb_table_air *air = in->air;
    size_t m = in->main->rows, next = (i + in->main->blowup) & (m - 1);
    sb_frame_base fb = {main + i * air->n_main, main + next * air->n_main, fixed ? fixed + i * air->n_fixed : NULL,
                        fixed ? fixed + next * air->n_fixed : NULL, in->pub};
    fp3_t acc[4] = {fp3_zero(), fp3_zero(), fp3_zero(), fp3_zero()};
    air->eval_main_base(&fb, s->main_vals);
    sb_accumulate_base(acc, s->main_vals, air->main_domains, beta_pows, air->n_main_constraints);
    if (air->n_aux_constraints) {
        to_ext(s->main_cur, fb.main_cur, air->n_main);
        to_ext(s->main_next, fb.main_next, air->n_main);
        if (fixed) {
            to_ext(s->fixed_cur, fb.fixed_cur, air->n_fixed);
            to_ext(s->fixed_next, fb.fixed_next, air->n_fixed);
        }
        size_t aux_w = 3 * air->n_aux;
        sb_frame_ext fe = {s->main_cur, s->main_next, s->fixed_cur, s->fixed_next,
                           (const fp3_t *)(aux + i * aux_w), (const fp3_t *)(aux + next * aux_w),
                           in->challenges, in->claimed_sum, in->pub, challenge_pows};
        air->eval_aux(&fe, s->aux_vals);
        sb_accumulate_ext(acc, s->aux_vals, air->aux_domains, beta_pows + air->n_main_constraints,
                          air->n_aux_constraints);
    }
    return sb_composition_combine(acc, z->x[i], z->g, z->inv_vanish[i & (in->main->blowup - 1)], z->inv_first[i],
                                  z->inv_last[i]);
}

/* Interpolates C (m values on the coset 7<w_m>, overwritten) and makes parts its parts' values over H. */
static int split_parts(sb_backend *be, sb_op *op, fp3_t *c, size_t n, size_t m, sb_matrix *parts) {
    sb_coset_interpolate(c[0].c, m, 3, GL_GENERATOR);
    for (size_t k = SB_COMPOSITION_PARTS * n; k < m; k++)
        if (!fp3_is_zero(c[k]))
            return fail(op, SB_COMPOSITION_NOT_LOW);
    const size_t w = 3 * SB_COMPOSITION_PARTS;
    if (sb_matrix_host_alloc(be, op, parts, n, w, 1, 1) != 0) return -1;
    for (size_t k = 0; k < n; k++)
        for (size_t j = 0; j < SB_COMPOSITION_PARTS; j++) memcpy(parts->host + k * w + 3 * j, c[j * n + k].c, 24);
    ntt_forward_rows(parts->host, n, w);
    return 0;
}

static int composition_impl(sb_backend *be, sb_op *op, const sb_composition_in *in, sb_matrix *parts) {
    const sb_table_air *air = in->air;
    size_t n = in->main->n, m = in->main->rows;
    if (air->n_fixed && !in->fixed) return fail(op, "composition: the fixed columns' LDE is missing");
    const uint64_t *main = be->ops->to_host(be, op, in->main), *aux = main ? be->ops->to_host(be, op, in->aux) : NULL;
    const uint64_t *fixed = in->fixed && aux ? be->ops->to_host(be, op, in->fixed) : NULL;
    if (!main || !aux || (in->fixed && !fixed)) return -1;
    if (in->main->blowup < 2 || in->main->blowup > 8 || in->aux->rows != m || (fixed && in->fixed->rows != m))
        return fail(op, "composition: the LDEs do not share one domain of blowup 2..8");
    size_t nc = air->n_main_constraints + air->n_aux_constraints;
    fp3_t *beta_pows = malloc((nc ? nc : 1) * sizeof *beta_pows), challenge_pows[SB_AIR_CHALLENGE_POWERS];
    fp3_t *c = malloc(m * sizeof *c);
    zerofiers z = {0};
    const int64_t scratch = (int64_t)(m * sizeof *c + 3 * m * sizeof(uint64_t)); /* C and the zerofiers */
    sb_backend_mem(be, SB_MEM_HOST, scratch);
    int rc = -1, oom = !beta_pows || !c || zerofiers_init(&z, n, in->main->blowup) != 0;
    if (!oom) {
        sb_fp3_powers(beta_pows, nc, in->beta);
        if (air->n_aux_constraints) sb_challenge_powers(in->challenges[0], challenge_pows);
#pragma omp parallel
        {
            comp_scratch s = {malloc((air->n_main_constraints + 1) * sizeof(uint64_t)),
                              malloc((air->n_aux_constraints + 1) * sizeof(fp3_t)),
                              malloc((air->n_main + 1) * sizeof(fp3_t)), malloc((air->n_main + 1) * sizeof(fp3_t)),
                              malloc((air->n_fixed + 1) * sizeof(fp3_t)), malloc((air->n_fixed + 1) * sizeof(fp3_t))};
            int ok = s.main_vals && s.aux_vals && s.main_cur && s.main_next && s.fixed_cur && s.fixed_next;
            if (!ok) {
#pragma omp atomic write
                oom = 1;
            }
#pragma omp for schedule(static)
            for (size_t i = 0; i < m; i++)
                if (ok) c[i] = composition_row(in, main, fixed, aux, &z, beta_pows, challenge_pows, i, &s);
            free(s.main_vals);
            free(s.aux_vals);
            free(s.main_cur);
            free(s.main_next);
            free(s.fixed_cur);
            free(s.fixed_next);
        }
    }
    if (oom) rc = fail(op, "composition: out of memory");
    else rc = split_parts(be, op, c, n, m, parts);
    zerofiers_free(&z);
    free(beta_pows);
    free(c);
    sb_backend_mem(be, SB_MEM_HOST, -scratch);
    return rc;
}

static int cpu_composition(sb_backend *be, sb_op *op, const sb_composition_in *in, sb_matrix *parts) {
    memset(parts, 0, sizeof *parts);
    int prev = threads_enter(be);
    int rc = composition_impl(be, op, in, parts);
    omp_set_num_threads(prev);
    return finish(be, rc, parts);
}

/* ---- Round 3: out-of-domain evaluations --------------------------------------------- */

static int cpu_ood(sb_backend *be, sb_op *op, sb_matrix *const *mats, size_t n_mats, const fp3_t *points,
                   size_t n_points, fp3_t *const *outs) {
    sb_eval_matrix em[SB_DEEP_MAX_MATS];
    if (n_mats == 0 || n_mats > SB_DEEP_MAX_MATS) return fail(op, "OOD: bad matrix count");
    for (size_t k = 0; k < n_mats; k++) {
        /* Every blowup-th LDE row is the coset 7<w_n>: n points determine a polynomial of degree < n. */
        sb_matrix *c = mats[k];
        if (c->n != mats[0]->n || c->blowup != mats[0]->blowup || c->offset != GL_GENERATOR)
            return fail(op, "OOD: the LDEs are not of one shape");
        em[k] = (sb_eval_matrix){be->ops->to_host(be, op, c), c->blowup * c->cols, c->cols, outs[k]};
        if (!em[k].rows) return -1;
    }
    int prev = threads_enter(be);
    int rc = sb_coset_eval(em, n_mats, mats[0]->n, GL_GENERATOR, points, n_points);
    omp_set_num_threads(prev);
    return finish(be, rc == 0 ? 0 : fail(op, "OOD: out of memory or bad shape"), NULL);
}

/* ---- Round 4: DEEP composition and FRI folding --------------------------------------- */

static int deep_impl(sb_backend *be, sb_op *op, const sb_deep_in *in, sb_matrix *layer0) {
    const uint64_t *lde[SB_DEEP_MAX_MATS];
    if (in->n_mats == 0 || in->n_mats > SB_DEEP_MAX_MATS || in->n_shifted > in->n_mats)
        return fail(op, "DEEP: bad matrix count");
    size_t m = in->mats[0]->rows;
    for (size_t k = 0; k < in->n_mats; k++) {
        if (in->mats[k]->rows != m || in->mats[k]->offset != GL_GENERATOR)
            return fail(op, "DEEP: the LDEs are not of one domain");
        if (!(lde[k] = be->ops->to_host(be, op, in->mats[k]))) return -1;
    }
    if (sb_matrix_host_alloc(be, op, layer0, m, 3, in->mats[0]->blowup, GL_GENERATOR) != 0) return -1;
    fp3_t *out = (fp3_t *)layer0->host;
    uint64_t w = gl_root_of_unity((unsigned)log2_exact(m));
    sb_inv_shift shift_z, shift_zw;
    sb_inv_shift_init(&shift_z, in->z);
    sb_inv_shift_init(&shift_zw, in->zw);
#pragma omp parallel for schedule(static)
    for (size_t base = 0; base < m; base += ROW_CHUNK) {
        size_t len = m - base < ROW_CHUNK ? m - base : ROW_CHUNK;
        fp3_t inv_z[ROW_CHUNK], inv_zw[ROW_CHUNK];
        uint64_t x[ROW_CHUNK], scratch[ROW_CHUNK];
        x[0] = gl_mul(GL_GENERATOR, gl_pow(w, base));
        for (size_t j = 1; j < len; j++) x[j] = gl_mul(x[j - 1], w);
        sb_inv_shift_batch(&shift_z, x, len, inv_z, scratch);
        sb_inv_shift_batch(&shift_zw, x, len, inv_zw, scratch);
        for (size_t j = 0; j < len; j++) {
            size_t i = base + j;
            fp3_t s_shifted = fp3_zero(), s;
            for (size_t k = 0; k < in->n_shifted; k++) {
                size_t cols = in->mats[k]->cols;
                s_shifted = fp3_add(s_shifted, sb_fp3_dot_base(in->coeffs[k], lde[k] + i * cols, cols));
            }
            s = s_shifted;
            for (size_t k = in->n_shifted; k < in->n_mats; k++) {
                size_t cols = in->mats[k]->cols;
                s = fp3_add(s, sb_fp3_dot_base(in->coeffs[k], lde[k] + i * cols, cols));
            }
            out[i] = sb_deep_value(s, s_shifted, in->sum_z, in->sum_zw, inv_z[j], inv_zw[j]);
        }
    }
    return 0;
}

static int cpu_deep(sb_backend *be, sb_op *op, const sb_deep_in *in, sb_matrix *layer0) {
    memset(layer0, 0, sizeof *layer0);
    int prev = threads_enter(be);
    int rc = deep_impl(be, op, in, layer0);
    omp_set_num_threads(prev);
    return finish(be, rc, layer0);
}

static int fri_fold_impl(sb_backend *be, sb_op *op, sb_matrix *layer_m, fp3_t alpha, int commit, sb_matrix *next) {
    const size_t m = layer_m->rows;
    int log_m = log2_exact(m);
    if (layer_m->cols != 3 || log_m < 1 || (commit && log_m < 2) || layer_m->blowup > m / 2)
        return fail(op, "FRI: layer too small to fold");
    const fp3_t *layer = (const fp3_t *)be->ops->to_host(be, op, layer_m);
    if (!layer) return -1;
    size_t half = m / 2;
    if (sb_matrix_host_alloc(be, op, next, half, 3, layer_m->blowup, gl_mul(layer_m->offset, layer_m->offset)) != 0)
        return -1;
    fp3_t *out = (fp3_t *)next->host;
    uint64_t inv_w = gl_inv(gl_root_of_unity((unsigned)log_m)), inv_offset = gl_inv(layer_m->offset);
#pragma omp parallel for schedule(static)
    for (size_t base = 0; base < half; base += ROW_CHUNK) {
        size_t end = base + ROW_CHUNK < half ? base + ROW_CHUNK : half;
        uint64_t inv_x = gl_mul(inv_offset, gl_pow(inv_w, base));
        for (size_t k = base; k < end; k++, inv_x = gl_mul(inv_x, inv_w))
            out[k] = sb_fri_fold_pair(layer[k], layer[k + half], inv_x, alpha);
    }
    return commit ? sb_matrix_host_tree(be, op, next, SB_LEAVES_PAIRS) : 0;
}

static int cpu_fri_fold(sb_backend *be, sb_op *op, sb_matrix *layer, fp3_t alpha, int commit, sb_matrix *next) {
    memset(next, 0, sizeof *next);
    int prev = threads_enter(be);
    int rc = fri_fold_impl(be, op, layer, alpha, commit, next);
    omp_set_num_threads(prev);
    return finish(be, rc, next);
}

static int cpu_grind(sb_backend *be, sb_op *op, const uint8_t seed[32], uint64_t *nonce) {
    int prev = threads_enter(be);
    *nonce = sb_pow_search(seed, UINT64_MAX);
    omp_set_num_threads(prev);
    return finish(be, *nonce == UINT64_MAX ? fail(op, "proof of work: no nonce below 2^64") : 0, NULL);
}

const sb_round_ops sb_cpu_round_ops = {
    .composition = cpu_composition,
    .ood = cpu_ood,
    .deep = cpu_deep,
    .fri_fold = cpu_fri_fold,
    .grind = cpu_grind,
};
