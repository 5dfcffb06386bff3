#include "air_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_TABLES 8

static const char *const domain_names[] = {"transition", "first", "last", "all"};

static int in_domain(uint8_t dom, size_t row, size_t n) {
    switch (dom) {
    case SB_DOM_TRANSITION: return row + 1 < n;
    case SB_DOM_FIRST: return row == 0;
    case SB_DOM_LAST: return row + 1 == n;
    default: return 1;
    }
}

static int fail(char *msg, size_t len, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, len, fmt, ap);
    va_end(ap);
    return -1;
}

static void lift(fp3_t *dst, const uint64_t *src, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] = fp3_from_base(src[i]);
}

/* Scratch for one table: a row pair in both fields, constraint outputs, first failing rows. */
typedef struct scratch {
    fp3_t *main_cur, *main_next, *fixed_cur, *fixed_next;
    uint64_t *out_base;
    fp3_t *out_ext, *out_aux;
    size_t *first_main, *first_aux; /* first failing row of each constraint, or SIZE_MAX */
} scratch;

static void scratch_free(scratch *s) {
    free(s->main_cur), free(s->main_next), free(s->fixed_cur), free(s->fixed_next);
    free(s->out_base), free(s->out_ext), free(s->out_aux), free(s->first_main), free(s->first_aux);
}

static int scratch_alloc(scratch *s, const sb_table_air *t) {
    size_t nm = t->n_main + 1, nf = t->n_fixed + 1, cm = t->n_main_constraints + 1, ca = t->n_aux_constraints + 1;
    s->main_cur = malloc(sizeof(fp3_t) * nm);
    s->main_next = malloc(sizeof(fp3_t) * nm);
    s->fixed_cur = malloc(sizeof(fp3_t) * nf);
    s->fixed_next = malloc(sizeof(fp3_t) * nf);
    s->out_base = malloc(sizeof(uint64_t) * cm);
    s->out_ext = malloc(sizeof(fp3_t) * cm);
    s->out_aux = malloc(sizeof(fp3_t) * ca);
    s->first_main = malloc(sizeof(size_t) * cm);
    s->first_aux = malloc(sizeof(size_t) * ca);
    if (!s->main_cur || !s->main_next || !s->fixed_cur || !s->fixed_next || !s->out_base || !s->out_ext ||
        !s->out_aux || !s->first_main || !s->first_aux)
        return -1;
    for (size_t c = 0; c < cm; c++) s->first_main[c] = SIZE_MAX;
    for (size_t c = 0; c < ca; c++) s->first_aux[c] = SIZE_MAX;
    return 0;
}

static const char *constraint_name(const char *const *names, size_t c) { return names ? names[c] : "?"; }

/* Checks one table; returns 0 or -1 with msg. */
static int check_table(const sb_air *air, size_t ti, const sb_public *pub, const uint64_t *main,
                       const fp3_t *challenges, const fp3_t *aux, fp3_t claimed, char *msg, size_t len) {
    const sb_table_air *t = &air->tables[ti];
    const size_t n = (size_t)1 << t->log_rows(pub);
    for (size_t i = 0; i < n * t->n_main; i++)
        if (main[i] >= GL_P)
            return fail(msg, len, "table %s: main value at row %zu column %zu is not canonical", t->name,
                        i / t->n_main, i % t->n_main);

    uint64_t *fixed = NULL;
    scratch s = {0};
    int rc = -1;
    if (t->n_fixed) {
        fixed = malloc(sizeof(uint64_t) * n * t->n_fixed);
        if (!fixed) goto done;
        t->gen_fixed(pub, fixed);
    }
    fp3_t challenge_pows[SB_AIR_CHALLENGE_POWERS];
    if (air->n_challenges) sb_challenge_powers(challenges[0], challenge_pows);
    if (scratch_alloc(&s, t)) {
        fail(msg, len, "table %s: out of memory", t->name);
        goto done;
    }
    for (size_t r = 0; r < n; r++) {
        size_t r1 = (r + 1) % n;
        sb_frame_base fb = {.main_cur = main + r * t->n_main,
                            .main_next = main + r1 * t->n_main,
                            .fixed_cur = fixed ? fixed + r * t->n_fixed : NULL,
                            .fixed_next = fixed ? fixed + r1 * t->n_fixed : NULL,
                            .pub = pub};
        lift(s.main_cur, fb.main_cur, t->n_main);
        lift(s.main_next, fb.main_next, t->n_main);
        if (fixed) {
            lift(s.fixed_cur, fb.fixed_cur, t->n_fixed);
            lift(s.fixed_next, fb.fixed_next, t->n_fixed);
        }
        sb_frame_ext fe = {.main_cur = s.main_cur,
                           .main_next = s.main_next,
                           .fixed_cur = s.fixed_cur,
                           .fixed_next = s.fixed_next,
                           .aux_cur = aux + r * t->n_aux,
                           .aux_next = aux + r1 * t->n_aux,
                           .challenges = challenges,
                           .claimed_sum = claimed,
                           .pub = pub,
                           .challenge_pows = challenge_pows};
        t->eval_main_base(&fb, s.out_base);
        t->eval_main_ext(&fe, s.out_ext);
        for (size_t c = 0; c < t->n_main_constraints; c++) {
            if (!fp3_eq(s.out_ext[c], fp3_from_base(s.out_base[c]))) {
                fail(msg, len, "table %s: main constraint %zu '%s': base and Fp3 evaluations disagree at row %zu",
                     t->name, c, constraint_name(t->main_names, c), r);
                goto done;
            }
            if (s.out_base[c] && s.first_main[c] == SIZE_MAX && in_domain(t->main_domains[c], r, n))
                s.first_main[c] = r;
        }
        t->eval_aux(&fe, s.out_aux);
        for (size_t c = 0; c < t->n_aux_constraints; c++)
            if (!fp3_is_zero(s.out_aux[c]) && s.first_aux[c] == SIZE_MAX && in_domain(t->aux_domains[c], r, n))
                s.first_aux[c] = r;
    }
    for (size_t c = 0; c < t->n_main_constraints; c++)
        if (s.first_main[c] != SIZE_MAX) {
            fail(msg, len, "table %s: main constraint %zu '%s' (domain %s) fails at row %zu", t->name, c,
                 constraint_name(t->main_names, c), domain_names[t->main_domains[c]], s.first_main[c]);
            goto done;
        }
    for (size_t c = 0; c < t->n_aux_constraints; c++)
        if (s.first_aux[c] != SIZE_MAX) {
            fail(msg, len, "table %s: aux constraint %zu '%s' (domain %s) fails at row %zu", t->name, c,
                 constraint_name(t->aux_names, c), domain_names[t->aux_domains[c]], s.first_aux[c]);
            goto done;
        }
    rc = 0;
done:
    scratch_free(&s);
    free(fixed);
    return rc;
}

int sb_air_check(const sb_air *air, const sb_public *pub, uint64_t *const *main, const fp3_t *challenges,
                 fp3_t *const *aux, const fp3_t *claimed_sums, char *msg, size_t msglen) {
    if (air->n_tables > MAX_TABLES) return fail(msg, msglen, "too many tables (%zu)", air->n_tables);
    fp3_t *own_aux[MAX_TABLES] = {0}, own_claimed[MAX_TABLES];
    int rc = -1;
    if (!aux) {
        if (air->gen_aux(pub, main, challenges, own_aux, own_claimed)) {
            fail(msg, msglen, "gen_aux failed (a LogUp denominator is zero?)");
            goto done;
        }
        aux = own_aux;
        claimed_sums = own_claimed;
    }
    fp3_t total = fp3_zero();
    for (size_t t = 0; t < air->n_tables; t++) {
        if (check_table(air, t, pub, main[t], challenges, aux[t], claimed_sums[t], msg, msglen)) goto done;
        total = fp3_add(total, claimed_sums[t]);
    }
    if (!fp3_is_zero(total)) {
        fail(msg, msglen,
             "LogUp bus: the claimed sums add up to (%llu, %llu, %llu), not 0 (a looked-up tuple or a "
             "multiplicity does not match its table)",
             (unsigned long long)total.c[0], (unsigned long long)total.c[1], (unsigned long long)total.c[2]);
        goto done;
    }
    rc = 0;
done:
    for (size_t t = 0; t < air->n_tables; t++) free(own_aux[t]);
    return rc;
}
