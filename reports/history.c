/* `starkbench history add|list|plot`: the results history in SQLite; `list --changes` and the
 * trend chart's markers are the change points of each configuration's trend (changepoints.h). */
#include "history.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "changepoints.h"
#include "commands.h"
#include "options.h"
#include "plot.h"
#include "stats.h"

static const char *const schema =
    "CREATE TABLE IF NOT EXISTS runs ("
    " id INTEGER PRIMARY KEY, git_commit TEXT NOT NULL, machine TEXT NOT NULL, config TEXT NOT NULL,"
    " date TEXT NOT NULL, gpu TEXT, build_type TEXT, status TEXT, verdict TEXT, reps INTEGER,"
    " proof_digest TEXT, source TEXT, UNIQUE (git_commit, machine, config, date));"
    "CREATE TABLE IF NOT EXISTS metrics ("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, key TEXT NOT NULL,"
    " n INTEGER, median REAL, mean REAL, min REAL, max REAL, stddev REAL, mad REAL, cv REAL,"
    " PRIMARY KEY (run_id, key));";

/* The marker of a starkbench history database: SQLite's application_id header field (the one
 * SQLite keeps for naming an application's file format), "SBHI". */
#define HISTORY_APP_ID 0x53424849

/* The tables and columns of the schema above, to recognise a database the code before the
 * marker made (same schema, application_id still 0). */
static const struct {
    const char *table, *columns;
} legacy_tables[] = {
    {"runs", "id,git_commit,machine,config,date,gpu,build_type,status,verdict,reps,proof_digest,source"},
    {"metrics", "run_id,key,n,median,mean,min,max,stddev,mad,cv"},
};

/* Runs a query of one text or integer value; returns it as text in out ("" for NULL). */
static int query_text(sqlite3 *db, const char *sql, char *out, size_t cap) {
    sqlite3_stmt *st = NULL;
    int ok = sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW;
    if (ok) snprintf(out, cap, "%s", sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "");
    sqlite3_finalize(st);
    return ok ? 0 : -1;
}

/* Decides whether db is a starkbench history: our marker, or (without any marker) nothing
 * but the tables of the schema, or nothing at all. *empty is set for a database without
 * tables. Returns 0, or -1 with a reason in err. */
static int check_marker(sqlite3 *db, const char *path, int *empty, char *err, size_t errlen) {
    char v[1024];
    *empty = 0;
    if (query_text(db, "PRAGMA application_id;", v, sizeof v) != 0) {
        snprintf(err, errlen, "%s: not a starkbench history database: %s", path, sqlite3_errmsg(db));
        return -1;
    }
    long id = strtol(v, NULL, 10);
    if (id == HISTORY_APP_ID) return 0;
    if (id != 0) {
        snprintf(err, errlen, "%s: not a starkbench history database (SQLite application_id 0x%08lx)", path,
                 (unsigned long)(uint32_t)id);
        return -1;
    }
    if (query_text(db, "SELECT count(*) FROM sqlite_master;", v, sizeof v) != 0) {
        snprintf(err, errlen, "%s: not a starkbench history database: %s", path, sqlite3_errmsg(db));
        return -1;
    }
    if (strcmp(v, "0") == 0) {
        *empty = 1;
        return 0;
    }
    for (size_t t = 0; t < sizeof legacy_tables / sizeof legacy_tables[0]; t++) {
        char sql[200];
        snprintf(sql, sizeof sql,
                 "SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info('%s') ORDER BY cid);",
                 legacy_tables[t].table);
        if (query_text(db, sql, v, sizeof v) != 0 || strcmp(v, legacy_tables[t].columns) != 0) goto foreign;
    }
    if (query_text(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT IN ('runs', 'metrics');",
                   v, sizeof v) == 0 && strcmp(v, "0") == 0)
        return 0;
foreign:
    query_text(db, "SELECT group_concat(name, ', ') FROM sqlite_master WHERE type = 'table';", v, sizeof v);
    snprintf(err, errlen, "%s: not a starkbench history database (no starkbench marker; tables: %.200s)", path,
             v[0] ? v : "none");
    return -1;
}

/* Opens db (read-only unless create) after checking that it is a starkbench history
 * (check_marker); create makes a new database, or marks one made before the marker existed.
 * Returns the handle, or NULL with a reason in err. */
static sqlite3 *open_db(const char *path, int create, char *err, size_t errlen) {
    if (create) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) {
            *slash = 0;
            if (sb_mkdir_p(dir) != 0) {
                snprintf(err, errlen, "%s: cannot create folder: %s", dir, strerror(errno));
                return NULL;
            }
        }
    }
    sqlite3 *db = NULL;
    int flags = create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot open history database: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    int empty = 0, ok = 1;
    char *msg = NULL;
    /* one write transaction from the check to the marker: no other writer in between */
    if (create && sqlite3_exec(db, "BEGIN IMMEDIATE;", NULL, NULL, &msg) != SQLITE_OK) ok = 0;
    else if (check_marker(db, path, &empty, err, errlen) != 0) ok = -1;
    else if (create) {
        char marker[64];
        snprintf(marker, sizeof marker, "PRAGMA application_id = %d; COMMIT;", HISTORY_APP_ID);
        ok = sqlite3_exec(db, schema, NULL, NULL, &msg) == SQLITE_OK &&
             sqlite3_exec(db, marker, NULL, NULL, &msg) == SQLITE_OK;
    } else if (empty) {
        snprintf(err, errlen, "%s: not a starkbench history database (no tables)", path);
        ok = -1;
    } else {
        ok = sqlite3_exec(db, "SELECT count(*) FROM runs JOIN metrics ON run_id = id LIMIT 1;", NULL, NULL, &msg) ==
             SQLITE_OK;
    }
    if (ok == 0) snprintf(err, errlen, "%s: not a starkbench history database: %s", path, msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    if (ok != 1) {
        if (create) sqlite3_exec(db, "ROLLBACK;", NULL, NULL, NULL);
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_exec(db, "PRAGMA foreign_keys = ON;", NULL, NULL, NULL);
    return db;
}

int sb_history_check(const char *path, char *err, size_t errlen) {
    sqlite3 *db = open_db(path, 0, err, errlen);
    if (!db) return -1;
    sqlite3_close(db);
    return 0;
}

static void machine_of(const sb_results *r, char *out, size_t cap) {
    if (r->gpu_name[0]) snprintf(out, cap, "%s / %s", r->host_name, r->gpu_name);
    else snprintf(out, cap, "%s", r->host_name);
}

static void bind_stats(sqlite3_stmt *st, const double *v, size_t n) {
    sb_stats s;
    sb_stats_compute(v, n, &s);
    const double cols[] = {s.median, s.mean, s.min, s.max, s.stddev, s.mad, s.cv};
    sqlite3_bind_int64(st, 3, (sqlite3_int64)s.n);
    for (int i = 0; i < 7; i++) {
        if (isfinite(cols[i])) sqlite3_bind_double(st, 4 + i, cols[i]);
        else sqlite3_bind_null(st, 4 + i);
    }
}

/* Inserts one metric row; returns 0 or -1. */
static int insert_metric(sqlite3_stmt *st, sqlite3_int64 run, const char *key, const double *v, size_t n) {
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, run);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
    bind_stats(st, v, n);
    return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

long sb_history_add(const char *path, const sb_results *r, const char *source, size_t *skipped, char *err,
                    size_t errlen) {
    *skipped = 0;
    sqlite3 *db = open_db(path, 1, err, errlen);
    if (!db) return -1;
    char machine[300];
    machine_of(r, machine, sizeof machine);
    sqlite3_stmt *run = NULL, *met = NULL;
    long added = 0;
    int ok = sqlite3_exec(db, "BEGIN;", NULL, NULL, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(db,
                                "INSERT OR IGNORE INTO runs (git_commit, machine, config, date, gpu, build_type, "
                                "status, verdict, reps, proof_digest, source) VALUES (?,?,?,?,?,?,?,?,?,?,?);",
                                -1, &run, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(db,
                                "INSERT INTO metrics (run_id, key, n, median, mean, min, max, stddev, mad, cv) "
                                "VALUES (?,?,?,?,?,?,?,?,?,?);",
                                -1, &met, NULL) == SQLITE_OK;
    for (size_t i = 0; ok && i < r->n_points; i++) {
        const sb_point *p = &r->points[i];
        const char *text[] = {r->git_commit, machine, p->name, r->date, r->gpu_name, r->build_type, p->status, p->verdict};
        sqlite3_reset(run);
        for (int k = 0; k < 8; k++) sqlite3_bind_text(run, k + 1, text[k], -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(run, 9, (sqlite3_int64)p->reps);
        sqlite3_bind_text(run, 10, p->proof_digest, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(run, 11, source, -1, SQLITE_TRANSIENT);
        ok = sqlite3_step(run) == SQLITE_DONE;
        if (!ok) break;
        if (sqlite3_changes(db) == 0) {
            (*skipped)++;
            continue;
        }
        sqlite3_int64 id = sqlite3_last_insert_rowid(db);
        ok = insert_metric(met, id, "real_time", p->real_time_ms, p->reps) == 0 &&
             insert_metric(met, id, "cpu_time", p->cpu_time_ms, p->reps) == 0;
        if (ok && !sb_point_find(p, "total")) ok = insert_metric(met, id, "total", sb_point_total(p), p->reps) == 0;
        for (size_t m = 0; ok && m < p->n_metrics; m++)
            ok = insert_metric(met, id, p->metrics[m].key, p->metrics[m].values, p->reps) == 0;
        added++;
    }
    if (ok) ok = sqlite3_exec(db, "COMMIT;", NULL, NULL, NULL) == SQLITE_OK;
    if (!ok) {
        snprintf(err, errlen, "%s: cannot add runs: %s", path, sqlite3_errmsg(db));
        sqlite3_exec(db, "ROLLBACK;", NULL, NULL, NULL);
    }
    sqlite3_finalize(run);
    sqlite3_finalize(met);
    sqlite3_close(db);
    return ok ? added : -1;
}

/* Binds the filter (NULL = all) of "... AND (?N IS NULL OR instr(config, ?N) OR ...)" queries. */
static void bind_filter(sqlite3_stmt *st, int index, const char *filter) {
    if (filter) sqlite3_bind_text(st, index, filter, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, index);
}

#define FILTER_SQL "(?2 IS NULL OR instr(r.config, ?2) OR instr(r.machine, ?2) OR instr(r.git_commit, ?2))"

static double column_or_nan(sqlite3_stmt *st, int col) {
    return sqlite3_column_type(st, col) == SQLITE_NULL ? NAN : sqlite3_column_double(st, col);
}

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

int sb_history_plot(const char *path, const char *metric, const char *filter, double min_step_pct, const char *dir,
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
    sqlite3 *db = open_db(path, 0, err, errlen);
    if (!db) return -1;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT r.git_commit, r.config || ' @ ' || r.machine, m.median, m.min, m.max "
                           "FROM runs r JOIN metrics m ON m.run_id = r.id "
                           "WHERE m.key = ?1 AND r.status = 'ok' AND " FILTER_SQL " ORDER BY r.date, r.id;",
                           -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return -1;
    }
    sqlite3_bind_text(st, 1, metric, -1, SQLITE_TRANSIENT);
    bind_filter(st, 2, filter);
    sb_plot_matrix m = {0};
    while (sqlite3_step(st) == SQLITE_ROW) {
        char commit[16];
        snprintf(commit, sizeof commit, "%.12s", (const char *)sqlite3_column_text(st, 0));
        size_t row = sb_plot_row(&m, commit);
        size_t col = sb_plot_col(&m, (const char *)sqlite3_column_text(st, 1));
        sb_plot_set(&m, row, col, column_or_nan(st, 2), column_or_nan(st, 3), column_or_nan(st, 4));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    int rc = -1;
    if (m.n_cells == 0) {
        snprintf(err, errlen, "%s: no successful run has metric '%s'%s%s", path, metric, filter ? " matching " : "",
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
    fprintf(out, "usage: starkbench history add RESULTS.json [--db FILE]\n"
                 "       starkbench history list [--changes [--min-step PCT]] [--filter TEXT] [--metric KEY] [--db FILE]\n"
                 "       starkbench history plot [--metric KEY] [--filter TEXT] [--min-step PCT] [--out DIR] [--db FILE]\n"
                 "  --db FILE       the history database (default " SB_HISTORY_DEFAULT_DB ")\n"
                 "  --filter TEXT   only runs whose config, machine or commit contains TEXT\n"
                 "  --metric KEY    a metric key: total (default), real_time, cpu_time, \"cpu:R1 main commit\", ...\n"
                 "  --out DIR       where plot writes trend-<metric>.png/.svg (default results/trend)\n"
                 "  --changes       list the change points of each configuration's trend instead of the runs: steps\n"
                 "                  of at least --min-step PCT (default 5) between two windows of up to 5 runs\n"
                 "                  (docs/RESULTS.md \"Change points\"); plot marks them\n");
}

/* Opens db read-only and prepares sql with ?1 = metric and ?2 = filter. Returns the statement
 * (*db open), or NULL after one line on stderr. */
static sqlite3_stmt *list_query(const char *path, const char *sql, const char *metric, const char *filter, sqlite3 **db) {
    char err[1200];
    sqlite3_stmt *st = NULL;
    if (!(*db = open_db(path, 0, err, sizeof err))) {
        fprintf(stderr, "starkbench history: %s\n", err);
        return NULL;
    }
    if (sqlite3_prepare_v2(*db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "starkbench history: %s: %s\n", path, sqlite3_errmsg(*db));
        sqlite3_close(*db);
        return NULL;
    }
    sqlite3_bind_text(st, 1, metric, -1, SQLITE_TRANSIENT);
    bind_filter(st, 2, filter);
    return st;
}

/* `history list --changes`: per configuration and machine (runs that are ok, in date order), the
 * change points of the metric's medians. */
static int list_changes(const char *path, const char *filter, const char *metric, double min_step_pct) {
    sqlite3 *db;
    sqlite3_stmt *st = list_query(path,
                                  "SELECT r.config, r.machine, r.git_commit, r.date, m.median FROM runs r JOIN metrics m "
                                  "ON m.run_id = r.id WHERE m.key = ?1 AND r.status = 'ok' AND m.median > 0 AND " FILTER_SQL
                                  " ORDER BY r.config, r.machine, r.date, r.id;",
                                  metric, filter, &db);
    if (!st) return 2;
    printf("change points of %s (steps of %g %% or more between windows of up to %d runs; docs/RESULTS.md)\n", metric,
           min_step_pct, SB_CHANGE_WINDOW);
    typedef struct run {
        char commit[48], date[40];
    } run;
    size_t cap = 0, n = 0, series = 0, total = 0;
    run *runs = NULL;
    double *y = NULL;
    char config[512] = "", machine[300] = "";
    int more = sqlite3_step(st) == SQLITE_ROW;
    while (more || n) {
        int same = more && !strcmp(config, (const char *)sqlite3_column_text(st, 0)) &&
                   !strcmp(machine, (const char *)sqlite3_column_text(st, 1));
        if (!same && n) { /* a series ends: report its changes */
            sb_change ch[64];
            size_t found = sb_changepoints(y, n, min_step_pct, ch, 64);
            series++;
            for (size_t c = 0; c < found && c < 64; c++, total++) {
                const run *at = &runs[ch[c].at], *prev = &runs[ch[c].at - 1];
                printf("%s @ %s: %+.1f %% at %.12s (%s): %.3f -> %.3f, after %.12s\n", config, machine, ch[c].step_pct,
                       at->commit, at->date, ch[c].before, ch[c].after, prev->commit);
            }
            n = 0;
        }
        if (!more) break;
        if (n == 0) {
            snprintf(config, sizeof config, "%s", (const char *)sqlite3_column_text(st, 0));
            snprintf(machine, sizeof machine, "%s", (const char *)sqlite3_column_text(st, 1));
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            run *gr = realloc(runs, cap * sizeof *runs);
            double *gy = realloc(y, cap * sizeof *y);
            if (!gr || !gy) {
                fprintf(stderr, "starkbench history: out of memory\n");
                exit(2);
            }
            runs = gr, y = gy;
        }
        snprintf(runs[n].commit, sizeof runs[n].commit, "%s", (const char *)sqlite3_column_text(st, 2));
        snprintf(runs[n].date, sizeof runs[n].date, "%s", (const char *)sqlite3_column_text(st, 3));
        y[n++] = sqlite3_column_double(st, 4);
        more = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(runs);
    free(y);
    printf("%zu change point%s in %zu series\n", total, total == 1 ? "" : "s", series);
    return 0;
}

static int list_runs(const char *path, const char *filter, const char *metric) {
    sqlite3 *db;
    sqlite3_stmt *st = list_query(path,
                                  "SELECT r.date, r.git_commit, r.machine, r.config, r.status, r.verdict, r.reps, m.median, "
                                  "m.cv FROM runs r LEFT JOIN metrics m ON m.run_id = r.id AND m.key = ?1 WHERE " FILTER_SQL
                                  " ORDER BY r.date, r.id;",
                                  metric, filter, &db);
    if (!st) return 2;
    printf("%-25s  %-12s  %-24s  %-10s  %-18s %4s  %12s  %6s  %s\n", "date", "commit", "machine", "status", "verdict",
           "reps", metric, "CV %", "config");
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        char med[32] = "-", cv[32] = "-";
        if (sqlite3_column_type(st, 7) != SQLITE_NULL) snprintf(med, sizeof med, "%.3f", sqlite3_column_double(st, 7));
        if (sqlite3_column_type(st, 8) != SQLITE_NULL) snprintf(cv, sizeof cv, "%.2f", 100 * sqlite3_column_double(st, 8));
        printf("%-25s  %-12.12s  %-24.24s  %-10s  %-18s %4d  %12s  %6s  %s\n", sqlite3_column_text(st, 0),
               sqlite3_column_text(st, 1), sqlite3_column_text(st, 2), sqlite3_column_text(st, 4),
               sqlite3_column_text(st, 5), sqlite3_column_int(st, 6), med, cv, sqlite3_column_text(st, 3));
        n++;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    printf("%zu run%s\n", n, n == 1 ? "" : "s");
    return 0;
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
               *out = "results/trend", *file = NULL;
    int changes = 0;
    double min_step = SB_CHANGE_MIN_STEP_PCT;
    if (strcmp(action, "add") != 0 && strcmp(action, "list") != 0 && strcmp(action, "plot") != 0) {
        fprintf(stderr, "starkbench history: unknown action '%s' (add, list or plot)\n", action);
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
                return 2;
            }
        } else if (!strcmp(argv[i], "--changes") && !strcmp(action, "list")) changes = 1;
        else if (missing) return 2;
        else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "starkbench history: unknown flag '%s' (see --help)\n", argv[i]);
            return 2;
        } else if (!file && strcmp(action, "add") == 0) file = argv[i];
        else {
            fprintf(stderr, "starkbench history: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    }
    char err[1200];
    if (strcmp(action, "list") == 0) return changes ? list_changes(db, filter, metric, min_step) : list_runs(db, filter, metric);
    if (strcmp(action, "plot") == 0) {
        char stem[128];
        if (sb_history_plot(db, metric, filter, min_step, out, stem, sizeof stem, err, sizeof err) != 0) {
            fprintf(stderr, "starkbench history: %s\n", err);
            return 2;
        }
        printf("history: %s/%s.png and %s/%s.svg\n", out, stem, out, stem);
        return 0;
    }
    if (!file) {
        fprintf(stderr, "starkbench history add: usage: starkbench history add RESULTS.json [--db FILE] (see --help)\n");
        return 2;
    }
    sb_results r;
    if (sb_results_load(&r, file, err, sizeof err) != 0) {
        fprintf(stderr, "starkbench history: %s\n", err);
        return 2;
    }
    size_t skipped;
    long added = sb_history_add(db, &r, file, &skipped, err, sizeof err);
    sb_results_free(&r);
    if (added < 0) {
        fprintf(stderr, "starkbench history: %s\n", err);
        return 2;
    }
    printf("history: %ld run%s added to %s", added, added == 1 ? "" : "s", db);
    if (skipped) printf(" (%zu already there)", skipped);
    printf("\n");
    return 0;
}
