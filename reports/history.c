/* `starkbench history add|list|plot`: the results history, in SQLite or PostgreSQL through one
 * interface (history_store.h); `list --changes` and the trend chart's markers are the change
 * points of each configuration's trend (changepoints.h). */
#include "history.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "changepoints.h"
#include "commands.h"
#include "history_store.h"
#include "options.h"
#include "plot.h"
#include "pool.h"
#include "stats.h"

int sb_history_check(const char *db, char *err, size_t errlen) {
    sb_hstore *s = sb_hstore_open(db, 0, err, errlen);
    sb_hstore_close(s);
    return s ? 0 : -1;
}

/* The GPU a point ran on (sweep --gpus records it), else the results' GPU; "" without one. */
static const char *point_gpu(const sb_results *r, const sb_point *p) {
    return p->gpu_index >= 0 && p->gpu_name[0] ? p->gpu_name : r->gpu_name;
}

/* The machine a point ran on: the host, and its GPU. */
static void machine_of(const sb_results *r, const sb_point *p, char *out, size_t cap) {
    if (point_gpu(r, p)[0]) snprintf(out, cap, "%s / %s", r->host_name, point_gpu(r, p));
    else snprintf(out, cap, "%s", r->host_name);
}

/* A number as a parameter: "%.17g" (exact), NULL for NAN. */
static const char *num_param(double v, char buf[32]) {
    if (!isfinite(v)) return NULL;
    snprintf(buf, 32, "%.17g", v);
    return buf;
}

/* Inserts one metric row of run `run`. Returns exec's answer. */
static int insert_metric(sb_hstore *s, const char *run, const char *key, const double *v, size_t n, char *err,
                         size_t errlen) {
    sb_stats st;
    sb_stats_compute(v, n, &st);
    char bufs[8][32];
    snprintf(bufs[7], sizeof bufs[7], "%zu", st.n);
    const char *params[] = {run,
                            key,
                            bufs[7],
                            num_param(st.median, bufs[0]),
                            num_param(st.mean, bufs[1]),
                            num_param(st.min, bufs[2]),
                            num_param(st.max, bufs[3]),
                            num_param(st.stddev, bufs[4]),
                            num_param(st.mad, bufs[5]),
                            num_param(st.cv, bufs[6])};
    return s->ops->exec(s,
                        "INSERT INTO metrics (run_id, key, n, median, mean, min, max, stddev, mad, cv) "
                        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);",
                        10, params, NULL, NULL, err, errlen);
}

static int keep_id(void *ctx, int n, const char *const *cells) {
    snprintf(ctx, 32, "%s", n > 0 && cells[0] ? cells[0] : "");
    return 1;
}

/* Adds the points of rs[0..n) in one transaction; counts the runs already there in *skipped.
 * Returns the runs added, SB_HSTORE_RETRY, or -1 with a reason in err. */
static long add_runs(sb_hstore *s, const sb_results *rs, size_t n, const char *const *sources, size_t *skipped,
                     char *err, size_t errlen) {
    long added = 0;
    *skipped = 0;
    int rc = s->ops->exec(s, s->ops->begin_write, 0, NULL, NULL, NULL, err, errlen);
    for (size_t f = 0; f < n && rc == 0; f++) {
        const sb_results *r = &rs[f];
        for (size_t i = 0; i < r->n_points && rc == 0; i++) {
            const sb_point *p = &r->points[i];
            char machine[300], reps[32], id[32] = "";
            machine_of(r, p, machine, sizeof machine);
            snprintf(reps, sizeof reps, "%zu", p->reps);
            const char *params[] = {r->git_commit, machine, p->name,         r->date,   point_gpu(r, p), r->build_type,
                                    p->status,     p->verdict, reps, p->proof_digest, sources[f]};
            /* a run already there (same commit, machine, config, date: the same file, or another
             * writer's) is left as it is, however many jobs add it at once */
            rc = s->ops->exec(s,
                              "INSERT INTO runs (git_commit, machine, config, date, gpu, build_type, status, verdict, "
                              "reps, proof_digest, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
                              "ON CONFLICT DO NOTHING RETURNING id;",
                              11, params, keep_id, id, err, errlen);
            if (rc != 0) break;
            if (!id[0]) {
                (*skipped)++;
                continue;
            }
            rc = insert_metric(s, id, "real_time", p->real_time_ms, p->reps, err, errlen);
            if (rc == 0) rc = insert_metric(s, id, "cpu_time", p->cpu_time_ms, p->reps, err, errlen);
            if (rc == 0 && !sb_point_find(p, "total"))
                rc = insert_metric(s, id, "total", sb_point_total(p), p->reps, err, errlen);
            for (size_t m = 0; rc == 0 && m < p->n_metrics; m++)
                rc = insert_metric(s, id, p->metrics[m].key, p->metrics[m].values, p->reps, err, errlen);
            added++;
        }
    }
    if (rc == 0) rc = s->ops->exec(s, "COMMIT;", 0, NULL, NULL, NULL, err, errlen);
    if (rc != 0) {
        char ignored[256];
        s->ops->exec(s, "ROLLBACK;", 0, NULL, NULL, NULL, ignored, sizeof ignored);
        return rc;
    }
    return added;
}

#define ADD_ATTEMPTS 20

long sb_history_add(const char *db, const sb_results *rs, size_t n, const char *const *sources, size_t *skipped,
                    char *err, size_t errlen) {
    *skipped = 0;
    sb_hstore *s = sb_hstore_open(db, 1, err, errlen);
    if (!s) return -1;
    long added = SB_HSTORE_RETRY;
    for (int attempt = 0; attempt < ADD_ATTEMPTS && added == SB_HSTORE_RETRY; attempt++) {
        if (attempt) {
            /* 10..59 ms, different in each writer process, so that colliding writers part */
            struct timespec pause = {0, (long)(10 + ((unsigned)getpid() * 7u + (unsigned)attempt * 13u) % 50u) * 1000000L};
            nanosleep(&pause, NULL);
        }
        added = add_runs(s, rs, n, sources, skipped, err, errlen);
    }
    if (added < 0) {
        char why[1200];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, errlen, "cannot add runs: %s%s", why, added == SB_HSTORE_RETRY ? " (other writers kept it busy)" : "");
    }
    sb_hstore_close(s);
    return added < 0 ? -1 : added;
}

/* Returns 1 when the filter (NULL: all) is in the run's config, machine or commit. */
static int matches(const char *filter, const char *config, const char *machine, const char *commit) {
    return !filter || strstr(config, filter) || strstr(machine, filter) || strstr(commit, filter);
}

static double cell_num(const char *cell) { return cell ? strtod(cell, NULL) : NAN; }

static const char *cell_text(const char *cell) { return cell ? cell : ""; }

/* Marks the change points of every series (column) of m: its cells in the order they were set (date order). */
static void mark_changes(sb_plot_matrix *m, double min_step_pct) {
    double *y = malloc((m->n_cells ? m->n_cells : 1) * sizeof *y);
    size_t *row = malloc((m->n_cells ? m->n_cells : 1) * sizeof *row);
    sb_change ch[64];
    for (size_t col = 0; y && row && col < m->cols; col++) {
        size_t n = 0;
        for (size_t i = 0; i < m->n_cells; i++)
            if (m->cells[i].col == col && m->cells[i].med > 0) {
                y[n] = m->cells[i].med;
                row[n++] = m->cells[i].row;
            }
        size_t found = sb_changepoints(y, n, min_step_pct, ch, 64);
        for (size_t c = 0; c < found && c < 64; c++) {
            char label[64];
            snprintf(label, sizeof label, "%+.1f %%", ch[c].step_pct);
            sb_plot_mark_row(m, row[ch[c].at], label);
        }
    }
    free(y);
    free(row);
}

/* A read query's rows for row (with ctx), those whose config, machine and commit (cells
 * c_config, c_machine, c_commit) match filter (NULL: all). */
typedef struct filtered {
    const char *filter;
    int c_config, c_machine, c_commit;
    sb_hstore_row_fn row;
    void *ctx;
} filtered;

static int filter_row(void *ctx, int n, const char *const *cells) {
    const filtered *f = ctx;
    if (!matches(f->filter, cell_text(cells[f->c_config]), cell_text(cells[f->c_machine]), cell_text(cells[f->c_commit])))
        return 0;
    return f->row(f->ctx, n, cells);
}

/* Runs the read query sql of metric ($1) on the history at db through f. Returns 0, or -1 with a
 * reason in err. */
static int read_runs(const char *db, const char *sql, const char *metric, filtered *f, char *err, size_t errlen) {
    sb_hstore *s = sb_hstore_open(db, 0, err, errlen);
    if (!s) return -1;
    const char *params[] = {metric};
    int rc = s->ops->exec(s, sql, 1, params, filter_row, f, err, errlen);
    sb_hstore_close(s);
    return rc == 0 ? 0 : -1;
}

static int plot_row(void *ctx, int n, const char *const *cells) {
    sb_plot_matrix *m = ctx;
    char commit[16], series[700];
    (void)n;
    snprintf(commit, sizeof commit, "%.12s", cell_text(cells[0]));
    snprintf(series, sizeof series, "%s @ %s", cell_text(cells[1]), cell_text(cells[2]));
    size_t row = sb_plot_row(m, commit);
    sb_plot_set(m, row, sb_plot_col(m, series), cell_num(cells[3]), cell_num(cells[4]), cell_num(cells[5]));
    return 0;
}

int sb_history_plot(const char *db, const char *metric, const char *filter, double min_step_pct, const char *dir,
                    char *stem, size_t stemlen, char *err, size_t errlen) {
    snprintf(stem, stemlen, "trend-");
    for (size_t i = 0, len = strlen(stem); metric[i] && len + 1 < stemlen; i++, len++) {
        char c = metric[i];
        stem[len] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ? c : '_';
        stem[len + 1] = 0;
    }
    if (!sb_plot_available()) {
        snprintf(err, errlen, "gnuplot not found on PATH: no trend chart");
        return -1;
    }
    sb_plot_matrix m = {0};
    filtered f = {filter, 1, 2, 0, plot_row, &m};
    if (read_runs(db,
                  "SELECT r.git_commit, r.config, r.machine, m.median, m.min, m.max FROM runs r "
                  "JOIN metrics m ON m.run_id = r.id WHERE m.key = $1 AND r.status = 'ok' ORDER BY r.date, r.id;",
                  metric, &f, err, errlen) != 0) {
        sb_plot_free(&m);
        return -1;
    }
    int rc = -1;
    char name[1024];
    if (m.n_cells == 0) {
        sb_hstore_display_name(db, name, sizeof name);
        snprintf(err, errlen, "%s: no successful run has metric '%s'%s%s", name, metric, filter ? " matching " : "",
                 filter ? filter : "");
    } else if (sb_mkdir_p(dir) != 0) {
        snprintf(err, errlen, "%s: cannot create folder: %s", dir, strerror(errno));
    } else {
        char title[200];
        mark_changes(&m, min_step_pct);
        snprintf(title, sizeof title, "%s over commits (median, min..max; dashed: change points of %g %% or more)", metric,
                 min_step_pct);
        rc = sb_plot_draw(dir, stem, &m, SB_PLOT_LINES, title, "ms", err, errlen);
    }
    sb_plot_free(&m);
    return rc;
}

/* ---- the command ----------------------------------------------------------------------- */

static void usage(FILE *out) {
    fprintf(out, "usage: starkbench history add RESULTS.json[,MORE.json...] [MORE.json...] [--db DB]\n"
                 "       starkbench history list [--changes [--min-step PCT]] [--filter TEXT] [--metric KEY] [--db DB]\n"
                 "       starkbench history plot [--metric KEY] [--filter TEXT] [--min-step PCT] [--out DIR] [--db DB]\n"
                 "  --db DB         the history: an SQLite file (default " SB_HISTORY_DEFAULT_DB "), or a team's\n"
                 "                  PostgreSQL database, postgresql://USER@HOST:PORT/DBNAME (libpq's URL syntax)\n"
                 "  --filter TEXT   only runs whose config, machine or commit contains TEXT\n"
                 "  --metric KEY    a metric key: total (default), real_time, cpu_time, \"cpu:R1 main commit\", ...\n"
                 "  --out DIR       where plot writes trend-<metric>.png/.svg (default results/trend)\n"
                 "  --changes       list the change points of each configuration's trend instead of the runs: steps\n"
                 "                  of at least --min-step PCT (default 5) between two windows of up to 5 runs\n"
                 "                  (docs/RESULTS.md \"Change points\"); plot marks them\n"
                 "  add takes several files (the shards of one sweep: a comma-separated list or one after the other)\n"
                 "  in one transaction; a run already there (same commit, machine, config and date) is not added\n"
                 "  again, however many jobs add it at once\n");
}

/* `history list --changes`: one series per configuration and machine (ok runs in date order). */
typedef struct change_run {
    char *config, *machine, commit[48], date[40];
    double y;
    size_t seq; /* date order, to keep it within a series */
} change_run;

typedef struct change_rows {
    change_run *runs;
    size_t n, cap;
} change_rows;

static int keep_change_row(void *ctx, int n, const char *const *cells) {
    change_rows *c = ctx;
    (void)n;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        change_run *grown = realloc(c->runs, c->cap * sizeof *grown);
        if (!grown) {
            fprintf(stderr, "starkbench history: out of memory\n");
            exit(2);
        }
        c->runs = grown;
    }
    change_run *r = &c->runs[c->n];
    r->config = strdup(cell_text(cells[0]));
    r->machine = strdup(cell_text(cells[1]));
    snprintf(r->commit, sizeof r->commit, "%s", cell_text(cells[2]));
    snprintf(r->date, sizeof r->date, "%s", cell_text(cells[3]));
    r->y = cell_num(cells[4]);
    r->seq = c->n++;
    return !r->config || !r->machine;
}

static int by_series(const void *a, const void *b) {
    const change_run *x = a, *y = b;
    int c = strcmp(x->config, y->config);
    if (!c) c = strcmp(x->machine, y->machine);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static int list_changes(const char *db, const char *filter, const char *metric, double min_step_pct) {
    change_rows rows = {NULL, 0, 0};
    filtered f = {filter, 0, 1, 2, keep_change_row, &rows};
    char err[1200];
    if (read_runs(db,
                  "SELECT r.config, r.machine, r.git_commit, r.date, m.median FROM runs r JOIN metrics m "
                  "ON m.run_id = r.id WHERE m.key = $1 AND r.status = 'ok' AND m.median > 0 ORDER BY r.date, r.id;",
                  metric, &f, err, sizeof err) != 0) {
        fprintf(stderr, "starkbench history: %s\n", err);
        return 2;
    }
    qsort(rows.runs, rows.n, sizeof *rows.runs, by_series);
    printf("change points of %s (steps of %g %% or more between windows of up to %d runs; docs/RESULTS.md)\n", metric,
           min_step_pct, SB_CHANGE_WINDOW);
    double *y = malloc((rows.n ? rows.n : 1) * sizeof *y);
    size_t series = 0, total = 0;
    for (size_t from = 0, to; y && from < rows.n; from = to) {
        const change_run *first = &rows.runs[from];
        for (to = from; to < rows.n && !strcmp(rows.runs[to].config, first->config) &&
                        !strcmp(rows.runs[to].machine, first->machine);
             to++)
            y[to - from] = rows.runs[to].y;
        sb_change ch[64];
        size_t found = sb_changepoints(y, to - from, min_step_pct, ch, 64);
        series++;
        for (size_t c = 0; c < found && c < 64; c++, total++) {
            const change_run *at = &rows.runs[from + ch[c].at], *prev = at - 1;
            printf("%s @ %s: %+.1f %% at %.12s (%s): %.3f -> %.3f, after %.12s\n", first->config, first->machine,
                   ch[c].step_pct, at->commit, at->date, ch[c].before, ch[c].after, prev->commit);
        }
    }
    for (size_t i = 0; i < rows.n; i++) {
        free(rows.runs[i].config);
        free(rows.runs[i].machine);
    }
    free(rows.runs);
    free(y);
    printf("%zu change point%s in %zu series\n", total, total == 1 ? "" : "s", series);
    return 0;
}

static int print_run(void *ctx, int n, const char *const *cells) {
    size_t *count = ctx;
    char med[32] = "-", cv[32] = "-";
    (void)n;
    if (cells[7]) snprintf(med, sizeof med, "%.3f", cell_num(cells[7]));
    if (cells[8]) snprintf(cv, sizeof cv, "%.2f", 100 * cell_num(cells[8]));
    printf("%-25s  %-12.12s  %-24.24s  %-10s  %-18s %4d  %12s  %6s  %s\n", cell_text(cells[0]), cell_text(cells[1]),
           cell_text(cells[2]), cell_text(cells[4]), cell_text(cells[5]), atoi(cell_text(cells[6])), med, cv,
           cell_text(cells[3]));
    (*count)++;
    return 0;
}

static int list_runs(const char *db, const char *filter, const char *metric) {
    size_t n = 0;
    filtered f = {filter, 3, 2, 1, print_run, &n};
    char err[1200];
    sb_hstore *s = sb_hstore_open(db, 0, err, sizeof err); /* checked before the header is printed */
    sb_hstore_close(s);
    if (!s) {
        fprintf(stderr, "starkbench history: %s\n", err);
        return 2;
    }
    printf("%-25s  %-12s  %-24s  %-10s  %-18s %4s  %12s  %6s  %s\n", "date", "commit", "machine", "status", "verdict",
           "reps", metric, "CV %", "config");
    if (read_runs(db,
                  "SELECT r.date, r.git_commit, r.machine, r.config, r.status, r.verdict, r.reps, m.median, m.cv "
                  "FROM runs r LEFT JOIN metrics m ON m.run_id = r.id AND m.key = $1 ORDER BY r.date, r.id;",
                  metric, &f, err, sizeof err) != 0) {
        fprintf(stderr, "starkbench history: %s\n", err);
        return 2;
    }
    printf("%zu run%s\n", n, n == 1 ? "" : "s");
    return 0;
}

/* `history add`: every file of args (each one file or a comma-separated list) loaded and checked
 * first, then added in one transaction. Returns the exit code. */
static int add_files(const char *db, const char **args, size_t n_args) {
    size_t cap = 0, n = 0, skipped = 0;
    for (size_t a = 0; a < n_args; a++) cap += strlen(args[a]) + 1;
    char **lists = calloc(n_args, sizeof *lists);
    const char **files = calloc(cap, sizeof *files);
    sb_results *rs = calloc(cap, sizeof *rs);
    char err[1200];
    int rc = lists && files && rs ? 0 : 2;
    for (size_t a = 0; a < n_args && rc == 0; a++) {
        lists[a] = strdup(args[a]);
        int got = lists[a] ? sb_pool_split(lists[a], files + n) : -1;
        if (got < 0) {
            fprintf(stderr, "starkbench history: empty file name in the list '%s'\n", args[a]);
            rc = 2;
        }
        for (int k = 0; k < got && rc == 0; k++, n++)
            if (sb_results_load(&rs[n], files[n], err, sizeof err) != 0) {
                fprintf(stderr, "starkbench history: %s\n", err);
                rc = 2;
            }
    }
    long added = rc == 0 ? sb_history_add(db, rs, n, files, &skipped, err, sizeof err) : -1;
    if (rc == 0 && added < 0) {
        fprintf(stderr, "starkbench history: %s\n", err);
        rc = 2;
    } else if (rc == 0) {
        char name[1024];
        sb_hstore_display_name(db, name, sizeof name);
        printf("history: %ld run%s added to %s", added, added == 1 ? "" : "s", name);
        if (skipped) printf(" (%zu already there)", skipped);
        printf("\n");
    }
    for (size_t i = 0; i < n; i++) sb_results_free(&rs[i]);
    for (size_t a = 0; lists && a < n_args; a++) free(lists[a]);
    free(lists);
    free(files);
    free(rs);
    return rc;
}

int cmd_history(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "starkbench history: usage: starkbench history add|list|plot [flags] (see --help)\n");
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    const char *action = argv[1], *db = SB_HISTORY_DEFAULT_DB, *filter = NULL, *metric = "total",
               *out = "results/trend";
    int changes = 0, n_args = 0;
    const char **args = calloc((size_t)argc, sizeof *args);
    double min_step = SB_CHANGE_MIN_STEP_PCT;
    if (strcmp(action, "add") != 0 && strcmp(action, "list") != 0 && strcmp(action, "plot") != 0) {
        fprintf(stderr, "starkbench history: unknown action '%s' (add, list or plot)\n", action);
        free(args);
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        int missing = 0;
        const char *v;
        if ((v = sb_flag_value(argc, argv, &i, "db", &missing))) db = v;
        else if ((v = sb_flag_value(argc, argv, &i, "filter", &missing))) filter = v;
        else if ((v = sb_flag_value(argc, argv, &i, "metric", &missing))) metric = v;
        else if ((v = sb_flag_value(argc, argv, &i, "out", &missing))) out = v;
        else if ((v = sb_flag_value(argc, argv, &i, "min-step", &missing))) {
            char *end;
            min_step = strtod(v, &end);
            if (end == v || *end || !(min_step > 0 && min_step <= 1000)) {
                fprintf(stderr, "starkbench history: --min-step '%s' must be a percentage in (0, 1000]\n", v);
                free(args);
                return 2;
            }
        } else if (!strcmp(argv[i], "--changes") && !strcmp(action, "list")) changes = 1;
        else if (missing) {
            free(args);
            return 2;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "starkbench history: unknown flag '%s' (see --help)\n", argv[i]);
            free(args);
            return 2;
        } else if (strcmp(action, "add") == 0) args[n_args++] = argv[i];
        else {
            fprintf(stderr, "starkbench history: unexpected argument '%s'\n", argv[i]);
            free(args);
            return 2;
        }
    }
    int rc = 0;
    char err[1200];
    if (strcmp(action, "list") == 0) rc = changes ? list_changes(db, filter, metric, min_step) : list_runs(db, filter, metric);
    else if (strcmp(action, "plot") == 0) {
        char stem[128];
        if (sb_history_plot(db, metric, filter, min_step, out, stem, sizeof stem, err, sizeof err) != 0) {
            fprintf(stderr, "starkbench history: %s\n", err);
            rc = 2;
        } else {
            printf("history: %s/%s.png and %s/%s.svg\n", out, stem, out, stem);
        }
    } else if (!n_args) {
        fprintf(stderr, "starkbench history add: usage: starkbench history add RESULTS.json[,MORE.json...] [--db DB] "
                        "(see --help)\n");
        rc = 2;
    } else {
        rc = add_files(db, args, (size_t)n_args);
    }
    free(args);
    return rc;
}
