/* `starkbench compare BASE.json CAND.json`: the CI gate.
 *
 * Per benchmark (a point present in both files) and per metric (the total, then every
 * round "<table>:<range>"; with --no-range-sync results only the total and GPU busy time,
 * since overlapped ranges do not add up): both medians, the relative change and a
 * Mann-Whitney U p-value on the repetitions. Only the totals and the rounds that matter
 * (median >= 1 ms or >= 2 % of the total, in either file) are gated, and their p-values
 * are adjusted with Holm's method within two families, the totals and the rounds, so
 * that testing many rounds of a same-build A/A pair does not manufacture a failure
 * while a regression of the whole proof can still fail at 5 repetitions. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "compare_stats.h"
#include "options.h"
#include "results.h"
#include "stats.h"

#define ROUND_MIN_MS 1.0
#define ROUND_MIN_SHARE 0.02

typedef struct cmp_row {
    const sb_point *base, *cand;
    const char *metric;  /* "total", a round key or "gpu_busy_ms" */
    double base_med, cand_med, change_pct;
    sb_mwu test;
    int gated;
    double p_holm;
    const char *verdict; /* "ok", "WARN", "FAIL", "faster", "-" (not gated) */
} cmp_row;

typedef struct cmp_opts {
    double warn_pct, fail_pct, alpha;
} cmp_opts;

static void usage(FILE *out) {
    fprintf(out, "usage: starkbench compare BASE.json CAND.json [--warn PCT] [--fail PCT] [--alpha A]\n"
                 "  --warn PCT   WARN when a gated median is more than PCT %% slower (default 3)\n"
                 "  --fail PCT   FAIL when it is more than PCT %% slower and significant after Holm (default 5)\n"
                 "  --alpha A    significance level of the Holm-adjusted Mann-Whitney U test (default 0.05)\n"
                 "exit: 0 ok or WARN, 1 FAIL, 2 unreadable or mismatched input\n");
}

static int parse_pct(const char *s, double lo, double hi, double *out) {
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi)) return -1;
    *out = v;
    return 0;
}

static const sb_point *find_point(const sb_results *r, const char *name) {
    for (size_t i = 0; i < r->n_points; i++)
        if (strcmp(r->points[i].name, name) == 0) return &r->points[i];
    return NULL;
}

static const double *metric_values(const sb_point *p, const char *metric) {
    if (strcmp(metric, "total") == 0) return sb_point_total(p);
    const sb_metric *m = sb_point_find(p, metric);
    return m ? m->values : NULL;
}

/* Appends the comparison of one metric of one benchmark. */
static void add_row(cmp_row **rows, size_t *n, const sb_point *b, const sb_point *c, const char *metric,
                    double base_total) {
    const double *bv = metric_values(b, metric), *cv = metric_values(c, metric);
    if (!bv || !cv) return;
    cmp_row row = {.base = b, .cand = c, .metric = metric, .p_holm = NAN, .verdict = "-"};
    row.base_med = sb_median(bv, b->reps);
    row.cand_med = sb_median(cv, c->reps);
    if (isnan(row.base_med) || isnan(row.cand_med)) return;
    row.change_pct = row.base_med > 0 ? 100 * (row.cand_med - row.base_med) / row.base_med : NAN;
    sb_mann_whitney(bv, b->reps, cv, c->reps, &row.test);
    double larger = fmax(row.base_med, row.cand_med);
    row.gated = !sb_metric_is_round(metric) || larger >= ROUND_MIN_MS || larger >= ROUND_MIN_SHARE * base_total;
    row.gated = row.gated && !isnan(row.test.p) && !isnan(row.change_pct);
    cmp_row *grown = realloc(*rows, (*n + 1) * sizeof *grown);
    if (!grown) {
        fprintf(stderr, "starkbench compare: out of memory\n");
        exit(2);
    }
    *rows = grown;
    grown[(*n)++] = row;
}

static int bad_verdict(const char *v) { return strcmp(v, "fallback") == 0 || strcmp(v, "suspected-fallback") == 0; }

/* Failures that are not timings: a point that stopped working, a wrong proof, a new fallback.
 * Prints each; returns how many. */
static int point_failures(const sb_point *b, const sb_point *c) {
    int fails = 0;
    if (strcmp(b->status, "ok") == 0 && strcmp(c->status, "ok") != 0) {
        printf("  FAIL  candidate point %s: %s\n", c->status, c->error);
        fails++;
    }
    if (c->digest_mismatch) {
        printf("  FAIL  candidate proof digest differs from other points of the same steps and blowup\n");
        fails++;
    }
    if (bad_verdict(c->verdict) && !bad_verdict(b->verdict)) {
        printf("  FAIL  fallback detector: %s -> %s (%s)\n", b->verdict, c->verdict, c->verdict_reason);
        fails++;
    }
    if (b->proof_digest[0] && c->proof_digest[0] && strcmp(b->proof_digest, c->proof_digest) != 0)
        printf("  note  proof bytes changed (digest %.12s -> %.12s)\n", b->proof_digest, c->proof_digest);
    return fails;
}

static void print_row(const cmp_row *r) {
    char p[16] = "-", ph[16] = "-";
    if (!isnan(r->test.p)) snprintf(p, sizeof p, r->test.p < 1e-4 ? "%.1e" : "%.4f", r->test.p);
    if (!isnan(r->p_holm)) snprintf(ph, sizeof ph, r->p_holm < 1e-4 ? "%.1e" : "%.4f", r->p_holm);
    char b[24], c[24];
    printf("  %-28s %11s %11s %+8.2f%% %8s %8s  %s\n", r->metric, sb_format_ms(r->base_med, b),
           sb_format_ms(r->cand_med, c), r->change_pct, p, ph,
           r->verdict);
}

int cmd_compare(int argc, char **argv) {
    cmp_opts o = {3, 5, 0.05};
    const char *files[2] = {NULL, NULL};
    int n_files = 0;
    for (int i = 1; i < argc; i++) {
        int missing = 0;
        const char *v;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if ((v = sb_flag_value(argc, argv, &i, "warn", &missing))) {
            if (parse_pct(v, 0, 1000, &o.warn_pct) != 0) {
                fprintf(stderr, "starkbench compare: --warn %s is not a percentage\n", v);
                return 2;
            }
        } else if ((v = sb_flag_value(argc, argv, &i, "fail", &missing))) {
            if (parse_pct(v, 0, 1000, &o.fail_pct) != 0) {
                fprintf(stderr, "starkbench compare: --fail %s is not a percentage\n", v);
                return 2;
            }
        } else if ((v = sb_flag_value(argc, argv, &i, "alpha", &missing))) {
            if (parse_pct(v, 1e-9, 0.5, &o.alpha) != 0) {
                fprintf(stderr, "starkbench compare: --alpha %s is not in (0, 0.5]\n", v);
                return 2;
            }
        } else if (missing) {
            return 2;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "starkbench compare: unknown flag '%s' (see --help)\n", argv[i]);
            return 2;
        } else if (n_files < 2) {
            files[n_files++] = argv[i];
        } else {
            fprintf(stderr, "starkbench compare: too many files (expected BASE.json CAND.json)\n");
            return 2;
        }
    }
    if (n_files != 2) {
        usage(stderr);
        return 2;
    }
    if (o.warn_pct > o.fail_pct) {
        fprintf(stderr, "starkbench compare: --warn %g is above --fail %g\n", o.warn_pct, o.fail_pct);
        return 2;
    }
    sb_results base, cand;
    char err[1200];
    if (sb_results_load(&base, files[0], err, sizeof err) != 0) {
        fprintf(stderr, "starkbench compare: %s\n", err);
        return 2;
    }
    if (sb_results_load(&cand, files[1], err, sizeof err) != 0) {
        fprintf(stderr, "starkbench compare: %s\n", err);
        sb_results_free(&base);
        return 2;
    }
    int overlapped = !base.range_sync || !cand.range_sync;
    cmp_row *rows = NULL;
    size_t n_rows = 0, common = 0;
    for (size_t i = 0; i < base.n_points; i++) {
        const sb_point *b = &base.points[i], *c = find_point(&cand, b->name);
        if (!c) continue;
        common++;
        double base_total = sb_median(sb_point_total(b), b->reps);
        add_row(&rows, &n_rows, b, c, "total", base_total);
        if (overlapped) {
            add_row(&rows, &n_rows, b, c, "gpu_busy_ms", base_total);
            continue;
        }
        for (size_t m = 0; m < b->n_metrics; m++)
            if (sb_metric_is_round(b->metrics[m].key)) add_row(&rows, &n_rows, b, c, b->metrics[m].key, base_total);
    }
    if (common == 0) {
        fprintf(stderr, "starkbench compare: %s and %s have no benchmark in common\n", files[0], files[1]);
        sb_results_free(&base);
        sb_results_free(&cand);
        return 2;
    }

    /* Holm within two families: the totals (the primary gate, few tests, so that a
     * regression of the whole proof can fail with the usual 5-10 repetitions) and the
     * gated rounds (many tests; they localise a regression and need more repetitions). */
    double *p = malloc((n_rows + 1) * sizeof *p);
    size_t n_gated = 0, n_family[2] = {0, 0};
    double min_p = 1;
    for (int family = 0; family < 2; family++) {
        for (size_t i = 0; i < n_rows; i++) {
            int is_total = strcmp(rows[i].metric, "total") == 0;
            p[i] = rows[i].gated && is_total == (family == 0) ? rows[i].test.p : NAN;
            if (isnan(p[i])) continue;
            n_family[family]++;
            min_p = fmin(min_p, sb_mann_whitney_min_p(rows[i].test.nx, rows[i].test.ny));
        }
        sb_holm(p, n_rows, p);
        for (size_t i = 0; i < n_rows; i++)
            if (!isnan(p[i])) rows[i].p_holm = p[i];
    }
    n_gated = n_family[0] + n_family[1];
    int fails = 0, warns = 0;
    for (size_t i = 0; i < n_rows; i++) {
        cmp_row *r = &rows[i];
        if (!r->gated) continue;
        int significant = r->p_holm < o.alpha;
        if (r->change_pct > o.fail_pct && significant) r->verdict = "FAIL", fails++;
        else if (r->change_pct > o.warn_pct) r->verdict = "WARN", warns++;
        else if (r->change_pct < -o.warn_pct && significant) r->verdict = "faster";
        else r->verdict = "ok";
    }
    free(p);

    printf("base      %s (commit %s, %s%s%s)\n", files[0], base.git_commit, base.host_name, base.gpu_name[0] ? ", " : "",
           base.gpu_name);
    printf("candidate %s (commit %s, %s%s%s)\n", files[1], cand.git_commit, cand.host_name, cand.gpu_name[0] ? ", " : "",
           cand.gpu_name);
    if (overlapped) printf("ranges overlap (--no-range-sync): comparing totals and GPU busy time only\n");
    const sb_point *shown = NULL;
    for (size_t i = 0; i < n_rows; i++) {
        if (rows[i].base != shown) {
            shown = rows[i].base;
            printf("\n%s  (%zu vs %zu repetitions)\n", shown->name, rows[i].test.nx, rows[i].test.ny);
            printf("  %-28s %11s %11s %9s %8s %8s  %s\n", "metric", "base ms", "cand ms", "change", "p(U)", "p(Holm)",
                   "verdict");
            fails += point_failures(rows[i].base, rows[i].cand);
        }
        print_row(&rows[i]);
    }
    for (size_t i = 0; i < base.n_points; i++)
        if (!find_point(&cand, base.points[i].name)) printf("\nonly in base: %s\n", base.points[i].name);
    for (size_t i = 0; i < cand.n_points; i++)
        if (!find_point(&base, cand.points[i].name)) printf("\nonly in candidate: %s\n", cand.points[i].name);
    printf("\n");
    for (int family = 0; family < 2; family++)
        if (n_family[family] && min_p * (double)n_family[family] >= o.alpha)
            printf("note: the smallest p-value these repetition counts allow is %.4f; Holm over %zu %s needs one "
                   "below %.4f, so no %s can FAIL on timing: run more repetitions (--runs)\n",
                   min_p, n_family[family], family ? "rounds" : "totals", o.alpha / (double)n_family[family],
                   family ? "round" : "total");
    printf("summary: %zu benchmarks, %zu gated tests (Mann-Whitney U: exact without ties up to %d repetitions, "
           "else normal approximation; Holm, alpha %g), WARN above %g %%, FAIL above %g %%: %d FAIL, %d WARN -> %s\n",
           common, n_gated, SB_MWU_EXACT_MAX, o.alpha, o.warn_pct, o.fail_pct, fails, warns,
           fails ? "FAIL" : warns ? "WARN" : "ok");
    free(rows);
    sb_results_free(&base);
    sb_results_free(&cand);
    return fails ? 1 : 0;
}
