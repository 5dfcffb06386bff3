/* history: add / list round trip (values checked in the database itself), re-adding is a
 * no-op, several files in one add (shards), filters, change points, the trend chart, and bad
 * databases rejected. On an SQLite file by default; `test_history postgresql://...` runs the
 * same round trip on an empty PostgreSQL database (tests/cli_history_pg.sh starts one). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "history.h"
#include "history_store.h"
#include "plot.h"
#include "results.h"
#include "check.h"


static char dir[64], db[1024];

/* Writes dir/name.json: commit `commit`, two points with totals base*(1, 1.1, 0.9). */
static void write_results(const char *name, const char *commit, const char *date, double base) {
    sb_results r;
    char *argv[] = {"test_history"};
    sb_results_init(&r, 1, argv);
    snprintf(r.git_commit, sizeof r.git_commit, "%s", commit);
    snprintf(r.date, sizeof r.date, "%s", date);
    snprintf(r.host_name, sizeof r.host_name, "bench-host");
    r.gpu_name[0] = 0;
    for (int i = 0; i < 3; i++) {
        sb_point *p = sb_results_add_point(&r, 3);
        snprintf(p->name, sizeof p->name, "prove/steps:%d/blowup:2/backend:%s", 12 + 2 * i, i == 2 ? "gpu" : "cpu");
        if (i == 2) { /* a point that ran on a GPU: its machine names that GPU */
            p->gpu_index = 1;
            snprintf(p->gpu_name, sizeof p->gpu_name, "Test GPU");
            snprintf(p->gpu_uuid, sizeof p->gpu_uuid, "GPU-0123");
        }
        snprintf(p->verdict, sizeof p->verdict, "clean");
        const double f[3] = {1, 1.1, 0.9};
        for (int k = 0; k < 3; k++) {
            double t = base * (i + 1) * f[k];
            p->real_time_ms[k] = t + 1;
            p->cpu_time_ms[k] = 2 * t;
            sb_point_metric(p, "total")->values[k] = t;
            sb_point_metric(p, "cpu:R1 main commit")->values[k] = t / 4;
        }
    }
    char path[160], err[512];
    snprintf(path, sizeof path, "%s/%s.json", dir, name);
    if (sb_results_write(&r, path, err, sizeof err) != 0) fprintf(stderr, "%s\n", err);
    sb_results_free(&r);
}

/* Runs `starkbench history ARGS` with stdout captured into out; returns its exit code. */
static int run_history(char *out, size_t cap, int argc, char **argv) {
    char cap_path[160];
    snprintf(cap_path, sizeof cap_path, "%s/stdout.txt", dir);
    return run_captured(cmd_history, argc, argv, cap_path, out, cap);
}

static int add(const char *name, char *out, size_t cap) {
    char path[160];
    snprintf(path, sizeof path, "%s/%s.json", dir, name);
    char *argv[] = {"history", "add", path, "--db", db};
    return run_history(out, cap, 5, argv);
}

static int keep_cells(void *ctx, int n, const char *const *cells) {
    char *out = ctx;
    out[0] = 0;
    for (int c = 0; c < n; c++) snprintf(out + strlen(out), 256 - strlen(out), "%s%s", c ? "|" : "", cells[c] ? cells[c] : "NULL");
    return 1;
}

/* The first row of a query of the database itself (through the store: either kind), its cells
 * joined with '|', "" without a row. */
static void stored(const char *sql, int n, const char *const *params, char out[256]) {
    char err[1200];
    out[0] = 0;
    sb_hstore *s = sb_hstore_open(db, 0, err, sizeof err);
    CHECK(s != NULL, "%s", err);
    if (s) CHECK(s->ops->exec(s, sql, n, params, keep_cells, out, err, sizeof err) == 0, "%s", err);
    sb_hstore_close(s);
}

/* Returns the stored median of metric key for config at commit, or NAN. */
static double stored_median(const char *commit, const char *config, const char *key) {
    char row[256];
    const char *params[] = {commit, config, key};
    stored("SELECT m.median FROM runs r JOIN metrics m ON m.run_id = r.id WHERE r.git_commit = $1 AND r.config = $2 "
           "AND m.key = $3;",
           3, params, row);
    return row[0] ? strtod(row, NULL) : NAN;
}

static size_t count_lines_with(const char *text, const char *needle) {
    size_t n = 0;
    for (const char *s = strstr(text, needle); s; s = strstr(s + 1, needle)) n++;
    return n;
}

int main(int argc, char **argv) {
    snprintf(dir, sizeof dir, "/tmp/sb_test_history.XXXXXX");
    if (!mkdtemp(dir)) return 1;
    const int postgres = argc > 1;
    if (postgres) snprintf(db, sizeof db, "%s", argv[1]);
    else snprintf(db, sizeof db, "%s/sub/history.db", dir); /* the folder does not exist yet */
    static char out[65536];
    write_results("a", "aaaaaaaaaaaa", "2026-01-01T10:00:00+00:00", 100);
    write_results("b", "bbbbbbbbbbbb", "2026-01-02T10:00:00+00:00", 90);

    char *list_none[] = {"history", "list", "--db", db};
    EXPECT(run_history(out, sizeof out, 4, list_none) == 2); /* no history yet: refused, nothing made */
    EXPECT(add("a", out, sizeof out) == 0);
    EXPECT(strstr(out, "3 runs added") != NULL);
    EXPECT(add("a", out, sizeof out) == 0); /* the same file again: nothing new */
    EXPECT(strstr(out, "0 runs added") && strstr(out, "(3 already there)"));
    EXPECT(add("b", out, sizeof out) == 0);
    /* the GPU point's machine names its GPU; the stored row as the store hands it back */
    char row[256];
    const char *gpu_params[] = {"prove/steps:16/blowup:2/backend:gpu", "aaaaaaaaaaaa"};
    stored("SELECT machine, gpu, reps, status, source FROM runs WHERE config = $1 AND git_commit = $2;", 2, gpu_params, row);
    char want[256];
    snprintf(want, sizeof want, "bench-host / Test GPU|Test GPU|3|ok|%s/a.json", dir);
    CHECK(strcmp(row, want) == 0, "stored run: %s", row);

    /* values as stored: medians of 100*{1, 1.1, 0.9} = 100; R1 commit 25; steps:14 doubles */
    EXPECT(fabs(stored_median("aaaaaaaaaaaa", "prove/steps:12/blowup:2/backend:cpu", "total") - 100) < 1e-9);
    EXPECT(fabs(stored_median("aaaaaaaaaaaa", "prove/steps:14/blowup:2/backend:cpu", "total") - 200) < 1e-9);
    EXPECT(fabs(stored_median("bbbbbbbbbbbb", "prove/steps:12/blowup:2/backend:cpu", "cpu:R1 main commit") - 22.5) < 1e-9);
    EXPECT(fabs(stored_median("aaaaaaaaaaaa", "prove/steps:12/blowup:2/backend:cpu", "real_time") - 101) < 1e-9);

    char *list_all[] = {"history", "list", "--db", db};
    EXPECT(run_history(out, sizeof out, 4, list_all) == 0);
    EXPECT(strstr(out, "6 runs") != NULL);
    EXPECT(count_lines_with(out, "bench-host") == 6);
    /* listed in date order, with the total's median */
    const char *a = strstr(out, "aaaaaaaaaaaa"), *b = strstr(out, "bbbbbbbbbbbb");
    EXPECT(a && b && a < b);
    EXPECT(strstr(out, "100.000") && strstr(out, "180.000"));

    char *list_filtered[] = {"history", "list", "--db", db, "--filter", "steps:14", "--metric", "cpu:R1 main commit"};
    EXPECT(run_history(out, sizeof out, 8, list_filtered) == 0);
    EXPECT(strstr(out, "2 runs") != NULL && strstr(out, "steps:12") == NULL);
    EXPECT(strstr(out, "50.000") && strstr(out, "45.000")); /* 200/4, 180/4 */
    char *list_by_gpu[] = {"history", "list", "--db", db, "--filter", "Test GPU"};
    EXPECT(run_history(out, sizeof out, 6, list_by_gpu) == 0 && strstr(out, "\n2 runs\n"));

    /* several files in one add (the shards of a sweep, or runs of other commits): all or nothing */
    write_results("c", "cccccccccccc", "2026-01-03T10:00:00+00:00", 91);
    write_results("d", "dddddddddddd", "2026-01-04T10:00:00+00:00", 120);
    write_results("e", "eeeeeeeeeeee", "2026-01-05T10:00:00+00:00", 121);
    char cd[400], e[200], missing_file[200];
    snprintf(cd, sizeof cd, "%s/c.json,%s/d.json", dir, dir);
    snprintf(e, sizeof e, "%s/e.json", dir);
    snprintf(missing_file, sizeof missing_file, "%s/none.json", dir);
    char *add_bad[] = {"history", "add", cd, missing_file, "--db", db};
    EXPECT(run_history(out, sizeof out, 6, add_bad) == 2);
    EXPECT(run_history(out, sizeof out, 4, list_all) == 0 && strstr(out, "\n6 runs\n")); /* nothing of c, d */
    char *add_many[] = {"history", "add", cd, e, "--db", db};
    EXPECT(run_history(out, sizeof out, 6, add_many) == 0 && strstr(out, "9 runs added"));

    /* change points: steps:12's totals 100, 90, 91, 120, 121 step up by 120.5 / 91 at d */
    char *changes[] = {"history", "list", "--changes", "--db", db, "--filter", "steps:12"};
    EXPECT(run_history(out, sizeof out, 7, changes) == 0);
    CHECK(strstr(out, "prove/steps:12/blowup:2/backend:cpu @ bench-host: +32.4 % at dddddddddddd "
                      "(2026-01-04T10:00:00+00:00): 91.000 -> 120.500, after cccccccccccc") &&
              strstr(out, "1 change point in 1 series"),
          "changes: %s", out);

    if (sb_plot_available()) {
        char plots[128];
        snprintf(plots, sizeof plots, "%s/plots", dir);
        char *plot[] = {"history", "plot", "--db", db, "--metric", "total", "--out", plots};
        EXPECT(run_history(out, sizeof out, 8, plot) == 0);
        char png[192], dat[192];
        snprintf(png, sizeof png, "%s/trend-total.png", plots);
        snprintf(dat, sizeof dat, "%s/trend-total.dat", plots);
        EXPECT(access(png, R_OK) == 0);
        /* two commits in order, one column triple per config */
        FILE *f = fopen(dat, "r");
        char line[512] = "";
        EXPECT(f && fgets(line, sizeof line, f) && fgets(line, sizeof line, f));
        CHECK(strncmp(line, "aaaaaaaaaaaa\t100\t90\t110\t200\t180\t220\t", 36) == 0, "%s", line);
        if (f) fclose(f);
        char *none[] = {"history", "plot", "--db", db, "--metric", "no-such-metric", "--out", plots};
        EXPECT(run_history(out, sizeof out, 8, none) == 2);
    }

    char *bad_action[] = {"history", "remove"};
    EXPECT(run_history(out, sizeof out, 2, bad_action) == 2);
    if (postgres) { /* the files below are SQLite's; cli_history_pg.sh refuses foreign PostgreSQL databases */
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
        return check_finish("test_history (PostgreSQL)");
    }

    /* a file that is not a database, a database that does not exist */
    char bad[128];
    snprintf(bad, sizeof bad, "%s/bad.db", dir);
    FILE *f = fopen(bad, "w");
    fputs("not a database, just text that is long enough to look like a header.....\n", f);
    fclose(f);
    char *list_bad[] = {"history", "list", "--db", bad};
    EXPECT(run_history(out, sizeof out, 4, list_bad) == 2);
    char missing[128];
    snprintf(missing, sizeof missing, "%s/missing.db", dir);
    char *list_missing[] = {"history", "list", "--db", missing};
    EXPECT(run_history(out, sizeof out, 4, list_missing) == 2);
    EXPECT(access(missing, F_OK) != 0); /* list never creates a database */

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return check_finish("test_history");
}
