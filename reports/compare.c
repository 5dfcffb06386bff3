/* `starkbench compare BASE.json[,BASE2.json...] CAND.json[,CAND2.json...]`: the CI gate.
 *
 * Each side is one results file or several (interleaved sessions of one build, see
 * scripts/ci-compare.sh): a point's repetitions are pooled over the files of its side, so
 * medians see all of them. Per benchmark (a point present on both sides) and per metric (the
 * total, then every round "<table>:<range>"; with --no-range-sync results only the total and
 * GPU busy time, since overlapped ranges do not add up): both medians, the relative change and
 * a p-value. The repetitions of one session (file) ran in one process and share its state
 * (memory layout, cores, threads, clocks), so they are not independent, and the machine drifts
 * between sessions. With --paired (scripts/ci-compare.sh: file k of each side ran in round k, one
 * after the other) the p-value is the paired t test on the rounds' log ratios of the session
 * medians, which cancels that drift; else, where both sides have at least SESSIONS_FOR_T
 * sessions with a value, Welch's t test on the session medians; otherwise (one file a side:
 * nothing better exists) the Mann-Whitney U test on the pooled repetitions, which understates
 * the variation between processes. Only the
 * totals and the rounds that matter (median >= 1 ms or >= 2 % of the total, on either side)
 * are gated, and their p-values are adjusted with Holm's method within two families, the
 * totals and the rounds, so that testing many rounds of a same-build A/A pair does not
 * manufacture a failure while a regression of the whole proof can still fail. A change no
 * larger than the noise either side's noise probe measured (bench/noise.h) is never significant.
 * Every WARN or FAIL is explained from the CUPTI records (explain.h); --md writes it all as
 * markdown too. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "compare_stats.h"
#include "explain.h"
#include "options.h"
#include "outfile.h"
#include "pool.h"
#include "results.h"
#include "stats.h"

#define ROUND_MIN_MS 1.0
#define ROUND_MIN_SHARE 0.02
/* Sessions a side (rounds, with --paired), each with a value of the metric, for a t test on the
 * session medians. */
#define SESSIONS_FOR_T 3

/* The test of a row, from the strongest the data allow to the weakest. */
typedef enum cmp_test {
    CMP_PAIRED, /* paired t on the rounds' log ratios of the session medians (--paired) */
    CMP_WELCH,  /* Welch's t on the session medians */
    CMP_RANK,   /* Mann-Whitney U on the pooled repetitions */
} cmp_test;

/* The tests' names, "%s" the session statistic's ("medians", "minima"). */
static const char *const test_names[] = {"paired t on the rounds' log ratios of the session %s",
                                         "Welch t on the session %s", "Mann-Whitney U on the pooled repetitions"};
static const char *const stat_names[] = {"medians", "minima"};

typedef struct cmp_row {
    const sb_point *base, *cand;
    const char *metric;  /* "total", a round key or "gpu_busy_ms" */
    double base_med, cand_med, change_pct;
    cmp_test test;
    sb_paired pair;      /* with CMP_PAIRED */
    sb_welch welch;      /* with CMP_WELCH */
    sb_mwu rank;         /* with CMP_RANK */
    double p;            /* the two-sided p-value of the row's test */
    int gated;
    double p_holm;
    double noise_pct;    /* the larger noise of the two sides' probes (NAN: not measured) */
    int within_noise;    /* |change| <= noise_pct: never significant */
    const char *verdict; /* "ok", "WARN", "FAIL", "faster", "-" (not gated) */
} cmp_row;

typedef struct cmp_opts {
    double warn_pct, fail_pct, alpha;
    int paired;     /* --paired: the k-th files of the two sides ran side by side */
    sb_session_stat stat; /* --session-stat: what stands for a session in the t tests */
    const char *md; /* --md FILE, or NULL */
} cmp_opts;

#define USAGE                                                                      \
    "usage: starkbench compare BASE.json[,BASE2.json...] CAND.json[,CAND2.json...] " \
    "[--warn PCT] [--fail PCT] [--alpha A] [--paired] [--session-stat median|min] [--md FILE]"

static void usage(void) {
    printf(USAGE "\n"
           "  Each side is a results file or a comma-separated list of them (e.g. interleaved runs\n"
           "  of one build, scripts/ci-compare.sh): the repetitions of a point are pooled over the\n"
           "  files of its side (the shards of a sweep --shard pool into the whole sweep). The files of\n"
           "  one side must come from one machine (shards of one split excepted), GPU, build type and\n"
           "  range-sync mode (their commits may differ).\n"
           "  --warn PCT   WARN when a gated median is more than PCT %% slower (default 3)\n"
           "  --fail PCT   FAIL when it is more than PCT %% slower and significant after Holm (default 5)\n"
           "  --alpha A    significance level of the Holm-adjusted tests (default 0.05)\n"
           "  --paired     the k-th base file and the k-th candidate file ran side by side, one round of\n"
           "               interleaved sessions (scripts/ci-compare.sh passes it): a metric with a value in\n"
           "               both files of at least %d rounds is tested with the paired t test on the\n"
           "               rounds' log ratios of the session medians, which cancels the machine's drift\n"
           "               from round to round; the sides must have as many files each\n"
           "  --session-stat median|min\n"
           "               what stands for a session in the t tests (default median): min, the session's\n"
           "               fastest repetition, ignores interference that only adds time; the medians,\n"
           "               changes and thresholds shown stay the pooled medians'\n"
           "  --md FILE    also write the comparison, with the CUPTI explanation of every WARN and FAIL,\n"
           "               as markdown to FILE\n"
           "  Otherwise a metric with values in at least %d files (sessions) on each side is tested with\n"
           "  Welch's t on the session medians, else with the Mann-Whitney U test on the pooled\n"
           "  repetitions, which takes the repetitions of one process as independent and so understates\n"
           "  the variation between processes: gate on interleaved sessions (scripts/ci-compare.sh).\n"
           "  A change no larger than the noise of either side's noise probe is never significant.\n"
           "exit: 0 ok or WARN, 1 FAIL, 2 unreadable or mismatched input\n",
           SESSIONS_FOR_T, SESSIONS_FOR_T);
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

static void print_side(FILE *f, int md, const sb_pool *s) {
    fprintf(f, md ? "| %s | " : "%-9s ", s->label);
    for (size_t i = 0; i < s->n_files; i++) fprintf(f, md ? "%s`%s`" : "%s%s", i ? ", " : "", s->files[i]);
    const sb_results *r = &s->pooled;
    fprintf(f, " (commit%s %s, %s%s%s", s->n_commits > 1 ? "s" : "", s->commits, r->host_name, r->gpu_name[0] ? ", " : "",
            r->gpu_name);
    if (!isnan(s->noise_cpu_pct)) fprintf(f, "; noise CPU %.2f %%", s->noise_cpu_pct);
    if (!isnan(s->noise_gpu_pct)) fprintf(f, ", GPU %.2f %%", s->noise_gpu_pct);
    fprintf(f, md ? ") |\n" : ")\n");
}

/* The noise a change of point c must exceed: the larger probe figure of the two sides, the GPU's
 * too where the point ran on the GPU (its proof uses both). NAN when no side measured it. */
static double row_noise(const sb_pool sides[2], const sb_point *c) {
    double n = NAN;
    for (int s = 0; s < 2; s++) {
        n = fmax(n, sides[s].noise_cpu_pct);
        if (strcmp(c->backend_used, "gpu") == 0) n = fmax(n, sides[s].noise_gpu_pct);
    }
    return n;
}

static const double *metric_values(const sb_point *p, const char *metric) {
    if (strcmp(metric, "total") == 0) return sb_point_total(p);
    const sb_metric *m = sb_point_find(p, metric);
    return m ? m->values : NULL;
}

static void *or_exit(void *p) {
    if (!p) {
        fprintf(stderr, "starkbench compare: out of memory\n");
        exit(2);
    }
    return p;
}

/* The sessions (files) of point p of side s. */
static const sb_pool_sessions *sessions_of(const sb_pool *s, const sb_point *p) {
    return &s->sessions[p - s->pooled.points];
}

/* Tests row's values bv (base) against cv with the strongest test the data allow, each session
 * standing as its statistic o->stat: with o->paired,
 * where the point is in every file of both sides (file k of one side ran beside file k of the
 * other), the paired t test on the log ratios of the session medians of the rounds with a value
 * on both sides, if SESSIONS_FOR_T; else Welch's t on the session medians where both sides have
 * SESSIONS_FOR_T sessions with a value; else Mann-Whitney U on the repetitions. */
static void test_row(cmp_row *row, const sb_pool sides[2], const cmp_opts *o, const double *bv, const double *cv) {
    const sb_pool_sessions *bs = sessions_of(&sides[0], row->base), *cs = sessions_of(&sides[1], row->cand);
    double *bm = or_exit(malloc((bs->n + cs->n) * sizeof *bm)), *cm = bm + bs->n;
    size_t nb = sb_pool_session_stats(bs, bv, o->stat, bm), nc = sb_pool_session_stats(cs, cv, o->stat, cm);
    row->test = nb >= SESSIONS_FOR_T && nc >= SESSIONS_FOR_T ? CMP_WELCH : CMP_RANK;
    if (o->paired && bs->n == sides[0].n_files && cs->n == sides[1].n_files) { /* equal: cmd_compare checks */
        double *lb = or_exit(malloc(2 * bs->n * sizeof *lb)), *lc = lb + bs->n;
        for (size_t k = 0; k < bs->n; k++) lb[k] = log(bm[k]), lc[k] = log(cm[k]); /* NAN stays NAN */
        if (sb_paired_t(lc, lb, bs->n, &row->pair) == 0 && row->pair.n >= SESSIONS_FOR_T) row->test = CMP_PAIRED;
        free(lb);
    }
    if (row->test == CMP_WELCH) sb_welch_t(bm, bs->n, cm, cs->n, &row->welch);
    if (row->test == CMP_RANK) sb_mann_whitney(bv, row->base->reps, cv, row->cand->reps, &row->rank);
    row->p = row->test == CMP_PAIRED ? row->pair.p : row->test == CMP_WELCH ? row->welch.p : row->rank.p;
    free(bm);
}

/* Appends the comparison of one metric of benchmark b (base) and c (candidate). */
static void add_row(cmp_row **rows, size_t *n, const sb_pool sides[2], const cmp_opts *o, const sb_point *b, const sb_point *c,
                    const char *metric, double base_total, double noise_pct) {
    const double *bv = metric_values(b, metric), *cv = metric_values(c, metric);
    if (!bv || !cv) return;
    cmp_row row = {.base = b, .cand = c, .metric = metric, .p_holm = NAN, .verdict = "-", .noise_pct = noise_pct};
    row.base_med = sb_median(bv, b->reps);
    row.cand_med = sb_median(cv, c->reps);
    if (isnan(row.base_med) || isnan(row.cand_med)) return;
    row.change_pct = row.base_med > 0 ? 100 * (row.cand_med - row.base_med) / row.base_med : NAN;
    row.within_noise = fabs(row.change_pct) <= noise_pct; /* false for a NAN noise */
    test_row(&row, sides, o, bv, cv);
    double larger = fmax(row.base_med, row.cand_med);
    row.gated = !sb_metric_is_round(metric) || larger >= ROUND_MIN_MS || larger >= ROUND_MIN_SHARE * base_total;
    row.gated = row.gated && !isnan(row.p) && !isnan(row.change_pct);
    *rows = or_exit(realloc(*rows, (*n + 1) * sizeof **rows));
    (*rows)[(*n)++] = row;
}

static size_t count_values(const double *v, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += !isnan(v[i]);
    return k;
}

/* Failures that are not timings: a point that stopped working or has no repetition on a side
 * (unless neither side ran it: infeasible or skipped on both), a wrong proof, a new fallback.
 * Writes each to f (markdown list items with md); returns how many. */
static int point_failures(FILE *f, int md, const sb_pool *base, const sb_pool *cand, const sb_point *b,
                          const sb_point *c) {
    const char *note = md ? "- note: " : "  note  ", *fail = md ? "- **FAIL**: " : "  FAIL  ";
    int fails = 0;
    if (base->unstable[b - base->pooled.points]) fprintf(f, "%sbase proof digest differs between its files of one commit\n", note);
    if (cand->unstable[c - cand->pooled.points]) {
        fprintf(f, "%scandidate proof digest differs between its files of one commit: proofs not reproducible\n", fail);
        fails++;
    }
    /* a side without repetitions, or whose point did not run to the end, is never "ok" */
    int base_ran = strcmp(b->status, "ok") == 0 && count_values(sb_point_total(b), b->reps);
    int cand_ran = strcmp(c->status, "ok") == 0 && count_values(sb_point_total(c), c->reps);
    int both_skipped = strcmp(b->status, c->status) == 0 && (!strcmp(b->status, "infeasible") || !strcmp(b->status, "skipped"));
    if (both_skipped) {
        fprintf(f, "%snot run on either side (%s)\n", md ? "- skip: " : "  skip  ", b->status);
    } else if (!base_ran || !cand_ran) {
        const sb_point *x = base_ran ? c : b;
        const char *side = base_ran ? "candidate" : "base";
        if (strcmp(x->status, "ok") == 0) fprintf(f, "%s%s has no repetition: nothing to compare\n", fail, side);
        else fprintf(f, "%s%s point %s: %s\n", fail, side, x->status, x->error);
        fails++;
    }
    if (c->digest_mismatch) {
        fprintf(f, "%scandidate proof digest differs from other points of the same steps and blowup\n", fail);
        fails++;
    }
    if (sb_verdict_rank(c->verdict) && !sb_verdict_rank(b->verdict)) {
        fprintf(f, "%sfallback detector: %s -> %s (%s)\n", fail, b->verdict, c->verdict, c->verdict_reason);
        fails++;
    }
    if (b->proof_digest[0] && c->proof_digest[0] && strcmp(b->proof_digest, c->proof_digest) != 0)
        fprintf(f, "%sproof bytes changed (digest %.12s -> %.12s)\n", note, b->proof_digest, c->proof_digest);
    if (b->n_throttled || c->n_throttled)
        fprintf(f, "%sthrottled repetitions (NVML): %zu base, %zu candidate, %s\n", note, b->n_throttled, c->n_throttled,
                base->pooled.keep_throttled || cand->pooled.keep_throttled ? "kept in a side (--keep-throttled)"
                                                                           : "left out of the statistics");
    return fails;
}

/* Writes row r; a row tested more weakly than its point's strongest test point_test is marked
 * (stat: the session statistic's name). */
static void print_row(FILE *f, int md, const cmp_row *r, cmp_test point_test, const char *stat) {
    static const char *const marks[] = {"", " (Welch t on the session %s)", " (rank test on the repetitions)"};
    char p[16] = "-", ph[16] = "-", noise[16] = "-";
    if (!isnan(r->p)) snprintf(p, sizeof p, r->p < 1e-4 ? "%.1e" : "%.4f", r->p);
    if (!isnan(r->p_holm)) snprintf(ph, sizeof ph, r->p_holm < 1e-4 ? "%.1e" : "%.4f", r->p_holm);
    if (!isnan(r->noise_pct)) snprintf(noise, sizeof noise, "%.2f%%", r->noise_pct);
    char b[24], c[24];
    const char *held = r->gated && r->within_noise && r->p_holm < 0.5 ? " (within the noise)" : "";
    char weaker[48] = "";
    if (r->test != point_test) snprintf(weaker, sizeof weaker, marks[r->test], stat);
    fprintf(f, md ? "| %s | %s | %s | %+.2f %% | %s | %s | %s | %s%s%s |\n" : "  %-28s %11s %11s %+8.2f%% %8s %8s %7s  %s%s%s\n",
            r->metric, sb_format_ms(r->base_med, b), sb_format_ms(r->cand_med, c), r->change_pct, p, ph, noise, r->verdict,
            held, weaker);
}

static void print_header(FILE *f, int md) {
    if (md)
        fprintf(f, "\n| metric | base ms | cand ms | change | p | p(Holm) | noise | verdict |\n"
                   "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
    else
        fprintf(f, "  %-28s %11s %11s %9s %8s %8s %7s  %s\n", "metric", "base ms", "cand ms", "change", "p", "p(Holm)",
                "noise", "verdict");
}

/* Writes the line that opens point b's comparison: its name, repetitions, sessions and the tests
 * its rows rows[0..n) used, the strongest first. Returns the strongest (a row tested more weakly
 * is marked). */
static cmp_test print_point(FILE *f, int md, const sb_pool sides[2], const sb_point *b, const sb_point *c,
                            const cmp_row *rows, size_t n, const char *stat) {
    static const char *const weaker[] = {"", ", Welch t where marked", ", a rank test where marked"};
    int used[CMP_RANK + 1] = {0};
    cmp_test strongest = CMP_RANK;
    for (size_t k = 0; k < n; k++) {
        used[rows[k].test] = 1;
        if (rows[k].test < strongest) strongest = rows[k].test;
    }
    const size_t nb = sessions_of(&sides[0], b)->n, nc = sessions_of(&sides[1], c)->n;
    fprintf(f, md ? "\n## `%s`\n\n%zu vs %zu repetitions" : "\n%s  (%zu vs %zu repetitions", b->name,
            count_values(sb_point_total(b), b->reps), count_values(sb_point_total(c), c->reps));
    if (nb > 1 || nc > 1) {
        fprintf(f, " in %zu vs %zu sessions: ", nb, nc);
        fprintf(f, test_names[strongest], stat);
        for (int t = strongest + 1; t <= CMP_RANK; t++)
            if (used[t]) fputs(weaker[t], f);
    }
    fprintf(f, md ? "\n\n" : ")\n");
    return strongest;
}

/* Writes the comparison to f, as text or (md) markdown, naming the session statistic stat;
 * returns the non-timing failures. */
static int write_comparison(FILE *f, int md, const sb_pool sides[2], const cmp_row *rows, size_t n_rows,
                            const char *stat) {
    const sb_results *base = &sides[0].pooled, *cand = &sides[1].pooled;
    int fails = 0;
    if (md) fprintf(f, "# starkbench compare\n\n| side | files |\n| --- | --- |\n");
    print_side(f, md, &sides[0]);
    print_side(f, md, &sides[1]);
    if (!base->range_sync || !cand->range_sync)
        fprintf(f, "%sranges overlap (--no-range-sync): comparing totals and GPU busy time only\n", md ? "\n" : "");
    /* every common point, including one whose candidate has no timing left (it failed or timed out) */
    for (size_t i = 0, r = 0; i < base->n_points; i++) {
        const sb_point *b = &base->points[i], *c = find_point(cand, b->name);
        if (!c) continue;
        size_t n_point = 0;
        while (r + n_point < n_rows && rows[r + n_point].base == b) n_point++;
        const cmp_test point_test = print_point(f, md, sides, b, c, rows + r, n_point, stat);
        fails += point_failures(f, md, &sides[0], &sides[1], b, c);
        /* explained from CUPTI where a side recorded kernels; a GPU point without any says so once */
        sb_explanation e;
        sb_explain(b, c, "total", &e);
        const int explain = e.base_cupti || e.cand_cupti;
        if (!explain && strcmp(c->backend_used, "gpu") == 0)
            fprintf(f, "%sno CUPTI kernel records: a WARN or FAIL cannot be explained (sweep --cupti on a GPU)\n",
                    md ? "- note: " : "  note  ");
        size_t first = r;
        if (r < n_rows && rows[r].base == b) print_header(f, md);
        for (; r < n_rows && rows[r].base == b; r++) {
            print_row(f, md, &rows[r], point_test, stat);
            if (md || !explain || (strcmp(rows[r].verdict, "WARN") && strcmp(rows[r].verdict, "FAIL"))) continue;
            sb_explain(b, c, rows[r].metric, &e);
            sb_explain_write(f, &e, 0, "      why: ");
        }
        for (size_t k = first; md && explain && k < r; k++) { /* markdown: the explanations after the table */
            if (strcmp(rows[k].verdict, "WARN") && strcmp(rows[k].verdict, "FAIL")) continue;
            sb_explain(b, c, rows[k].metric, &e);
            fprintf(f, "\n**%s** `%s` %+.2f %%, explained from CUPTI:\n\n", rows[k].verdict, rows[k].metric,
                    rows[k].change_pct);
            sb_explain_write(f, &e, 1, "");
        }
    }
    for (size_t i = 0; i < base->n_points; i++)
        if (!find_point(cand, base->points[i].name)) fprintf(f, "\nonly in base: %s\n", base->points[i].name);
    for (size_t i = 0; i < cand->n_points; i++)
        if (!find_point(base, cand->points[i].name)) fprintf(f, "\nonly in candidate: %s\n", cand->points[i].name);
    fprintf(f, "\n");
    return fails;
}

int cmd_compare(int argc, char **argv) {
    cmp_opts o = {3, 5, 0.05, 0, SB_SESSION_MEDIAN, NULL};
    const char *args[2] = {NULL, NULL};
    int n_args = 0;
    for (int i = 1; i < argc; i++) {
        int missing = 0;
        const char *v;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage();
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
        } else if (strcmp(argv[i], "--paired") == 0) {
            o.paired = 1;
        } else if ((v = sb_flag_value(argc, argv, &i, "session-stat", &missing))) {
            if (strcmp(v, "median") && strcmp(v, "min")) {
                fprintf(stderr, "starkbench compare: --session-stat %s is not median or min\n", v);
                return 2;
            }
            o.stat = strcmp(v, "min") == 0 ? SB_SESSION_MIN : SB_SESSION_MEDIAN;
        } else if ((v = sb_flag_value(argc, argv, &i, "md", &missing))) {
            o.md = v;
        } else if (missing) {
            return 2;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "starkbench compare: unknown flag '%s' (see --help)\n", argv[i]);
            return 2;
        } else if (n_args < 2) {
            args[n_args++] = argv[i];
        } else {
            fprintf(stderr, "starkbench compare: unexpected argument '%s' (one BASE and one CAND list; see --help)\n",
                    argv[i]);
            return 2;
        }
    }
    if (n_args != 2) {
        fprintf(stderr, "%s (see --help)\n", USAGE);
        return 2;
    }
    if (o.warn_pct > o.fail_pct) {
        fprintf(stderr, "starkbench compare: --warn %g is above --fail %g\n", o.warn_pct, o.fail_pct);
        return 2;
    }
    sb_pool sides[2];
    memset(sides, 0, sizeof sides);
    char load_err[1200];
    if (sb_pool_load(&sides[0], "base", args[0], load_err, sizeof load_err) != 0 ||
        sb_pool_load(&sides[1], "candidate", args[1], load_err, sizeof load_err) != 0) {
        fprintf(stderr, "starkbench compare: %s\n", load_err);
        sb_pool_free(&sides[0]);
        sb_pool_free(&sides[1]);
        return 2;
    }
    if (o.paired && sides[0].n_files != sides[1].n_files) {
        fprintf(stderr, "starkbench compare: --paired needs as many candidate files as base files (%zu vs %zu)\n",
                sides[0].n_files, sides[1].n_files);
        sb_pool_free(&sides[0]);
        sb_pool_free(&sides[1]);
        return 2;
    }
    sb_outfile md_out;
    char md_err[SB_OUTFILE_PATH_MAX + 128];
    if (o.md && sb_outfile_open(&md_out, o.md, md_err, sizeof md_err) != 0) {
        fprintf(stderr, "starkbench compare: --md %s\n", md_err);
        sb_pool_free(&sides[0]);
        sb_pool_free(&sides[1]);
        return 2;
    }
    FILE *md = o.md ? md_out.f : NULL;
    const sb_results *base = &sides[0].pooled, *cand = &sides[1].pooled;
    int overlapped = !base->range_sync || !cand->range_sync;
    cmp_row *rows = NULL;
    size_t n_rows = 0, common = 0;
    for (size_t i = 0; i < base->n_points; i++) {
        const sb_point *b = &base->points[i], *c = find_point(cand, b->name);
        if (!c) continue;
        common++;
        double base_total = sb_median(sb_point_total(b), b->reps), noise = row_noise(sides, c);
        add_row(&rows, &n_rows, sides, &o, b, c, "total", base_total, noise);
        if (overlapped) {
            add_row(&rows, &n_rows, sides, &o, b, c, "gpu_busy_ms", base_total, noise);
            continue;
        }
        for (size_t m = 0; m < b->n_metrics; m++)
            if (sb_metric_is_round(b->metrics[m].key))
                add_row(&rows, &n_rows, sides, &o, b, c, b->metrics[m].key, base_total, noise);
    }
    if (common == 0) {
        fprintf(stderr, "starkbench compare: %s and %s have no benchmark in common\n", args[0], args[1]);
        if (md) sb_outfile_discard(&md_out);
        free(rows);
        sb_pool_free(&sides[0]);
        sb_pool_free(&sides[1]);
        return 2;
    }

    /* Holm within two families: the totals (the primary gate, few tests, so that a
     * regression of the whole proof can fail with the usual 5-10 repetitions) and the
     * gated rounds (many tests; they localise a regression and need more repetitions).
     * A rank test has a floor on its p-value (min_p, over the rank-tested rows of a family);
     * Welch's t on session medians has none. */
    double *p = or_exit(malloc((n_rows + 1) * sizeof *p));
    size_t n_family[2] = {0, 0}, n_ranked[2] = {0, 0};
    double min_p[2] = {1, 1};
    for (int family = 0; family < 2; family++) {
        for (size_t i = 0; i < n_rows; i++) {
            int is_total = strcmp(rows[i].metric, "total") == 0;
            p[i] = rows[i].gated && is_total == (family == 0) ? rows[i].p : NAN;
            if (isnan(p[i])) continue;
            n_family[family]++;
            if (rows[i].test != CMP_RANK) continue;
            n_ranked[family]++;
            min_p[family] = fmin(min_p[family], sb_mann_whitney_min_p(rows[i].rank.nx, rows[i].rank.ny));
        }
        sb_holm(p, n_rows, p);
        for (size_t i = 0; i < n_rows; i++)
            if (!isnan(p[i])) rows[i].p_holm = p[i];
    }
    const size_t n_gated = n_family[0] + n_family[1];
    size_t n_test[CMP_RANK + 1] = {0};
    for (size_t i = 0; i < n_rows; i++) n_test[rows[i].test] += (size_t)rows[i].gated;
    int fails = 0, warns = 0;
    for (size_t i = 0; i < n_rows; i++) {
        cmp_row *r = &rows[i];
        if (!r->gated) continue;
        int significant = r->p_holm < o.alpha && !r->within_noise;
        if (r->change_pct > o.fail_pct && significant) r->verdict = "FAIL", fails++;
        else if (r->change_pct > o.warn_pct) r->verdict = "WARN", warns++;
        else if (r->change_pct < -o.warn_pct && significant) r->verdict = "faster";
        else r->verdict = "ok";
    }
    free(p);

    fails += write_comparison(stdout, 0, sides, rows, n_rows, stat_names[o.stat]);
    if (md) write_comparison(md, 1, sides, rows, n_rows, stat_names[o.stat]);
    for (int k = 0; k < 2; k++) {
        FILE *f = k ? md : stdout;
        if (!f) continue;
        for (int family = 0; family < 2; family++)
            if (n_ranked[family] && min_p[family] * (double)n_family[family] >= o.alpha)
                fprintf(f, "note: the smallest p-value these repetition counts allow is %.4f; Holm over %zu %s needs one "
                           "below %.4f, so no %s%s can FAIL on timing: run more repetitions (--runs), or %d sessions a "
                           "side\n%s",
                        min_p[family], n_family[family], family ? "rounds" : "totals", o.alpha / (double)n_family[family],
                        family ? "round" : "total", n_ranked[family] < n_family[family] ? " tested on the repetitions" : "",
                        SESSIONS_FOR_T, k ? "\n" : "");
        if (n_ranked[0] + n_ranked[1])
            fprintf(f, "note: %zu of the %zu gated tests are rank tests on the pooled repetitions (fewer than %d sessions "
                       "a side): the repetitions of one process share its state, so these p-values understate the "
                       "variation between processes; trust the interleaved sessions of scripts/ci-compare.sh\n%s",
                    n_ranked[0] + n_ranked[1], n_gated, SESSIONS_FOR_T, k ? "\n" : "");
        fprintf(f, "%ssummary: %zu benchmarks, %zu gated tests (", k ? "**" : "", common, n_gated);
        const char *stat = stat_names[o.stat];
        if (o.paired) fprintf(f, "%zu paired t on the %s of %d or more rounds, ", n_test[CMP_PAIRED], stat, SESSIONS_FOR_T);
        fprintf(f, "%zu Welch t on the %s of %d or more sessions a side, %zu Mann-Whitney U on the pooled "
                   "repetitions, exact without ties up to %d repetitions, else normal approximation; Holm, alpha %g; "
                   "never significant within the noise), WARN above %g %%, FAIL above %g %%: %d FAIL, %d WARN -> %s%s\n",
                n_test[CMP_WELCH], stat, SESSIONS_FOR_T, n_test[CMP_RANK], SB_MWU_EXACT_MAX, o.alpha, o.warn_pct,
                o.fail_pct, fails, warns, fails ? "FAIL" : warns ? "WARN" : "ok", k ? "**" : "");
    }
    int md_lost = md && sb_outfile_close(&md_out, md_err, sizeof md_err) != 0;
    if (md_lost) fprintf(stderr, "starkbench compare: --md %s\n", md_err);
    free(rows);
    sb_pool_free(&sides[0]);
    sb_pool_free(&sides[1]);
    return fails ? 1 : md_lost ? 2 : 0; /* a FAIL stands; else a lost --md file is exit 2 */
}
