/* history: add / list round trip (values checked in the database itself), re-adding is a
 * no-op, filters, the trend chart, and bad databases rejected. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "history.h"
#include "plot.h"
#include "results.h"
#include "check.h"


static char dir[64], db[128];

/* Writes dir/name.json: commit `commit`, two points with totals base*(1, 1.1, 0.9). */
static void write_results(const char *name, const char *commit, const char *date, double base) {
    sb_results r;
    char *argv[] = {"test_history"};
    sb_results_init(&r, 1, argv);
    snprintf(r.git_commit, sizeof r.git_commit, "%s", commit);
    snprintf(r.date, sizeof r.date, "%s", date);
    snprintf(r.host_name, sizeof r.host_name, "bench-host");
    r.gpu_name[0] = 0;
    for (int i = 0; i < 2; i++) {
        sb_point *p = sb_results_add_point(&r, 3);
        snprintf(p->name, sizeof p->name, "prove/steps:%d/blowup:2/backend:cpu", 12 + 2 * i);
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

/* Returns the stored median of metric key for config at commit, or NAN. */
static double stored_median(const char *commit, const char *config, const char *key) {
    sqlite3 *h;
    double v = NAN;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) return v;
    sqlite3_stmt *st;
    sqlite3_prepare_v2(h, "SELECT m.median FROM runs r JOIN metrics m ON m.run_id = r.id "
                          "WHERE r.git_commit = ? AND r.config = ? AND m.key = ?;", -1, &st, NULL);
    sqlite3_bind_text(st, 1, commit, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, config, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

static size_t count_lines_with(const char *text, const char *needle) {
    size_t n = 0;
    for (const char *s = strstr(text, needle); s; s = strstr(s + 1, needle)) n++;
    return n;
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/sb_test_history.XXXXXX");
    if (!mkdtemp(dir)) return 1;
    snprintf(db, sizeof db, "%s/sub/history.db", dir); /* the folder does not exist yet */
    static char out[65536];
    write_results("a", "aaaaaaaaaaaa", "2026-01-01T10:00:00+00:00", 100);
    write_results("b", "bbbbbbbbbbbb", "2026-01-02T10:00:00+00:00", 90);

    EXPECT(add("a", out, sizeof out) == 0);
    EXPECT(strstr(out, "2 runs added") != NULL);
    EXPECT(add("a", out, sizeof out) == 0); /* the same file again: nothing new */
    EXPECT(strstr(out, "0 runs added") && strstr(out, "(2 already there)"));
    EXPECT(add("b", out, sizeof out) == 0);

    /* values as stored: medians of 100*{1, 1.1, 0.9} = 100; R1 commit 25; steps:14 doubles */
    EXPECT(fabs(stored_median("aaaaaaaaaaaa", "prove/steps:12/blowup:2/backend:cpu", "total") - 100) < 1e-9);
    EXPECT(fabs(stored_median("aaaaaaaaaaaa", "prove/steps:14/blowup:2/backend:cpu", "total") - 200) < 1e-9);
    EXPECT(fabs(stored_median("bbbbbbbbbbbb", "prove/steps:12/blowup:2/backend:cpu", "cpu:R1 main commit") - 22.5) < 1e-9);
    EXPECT(fabs(stored_median("aaaaaaaaaaaa", "prove/steps:12/blowup:2/backend:cpu", "real_time") - 101) < 1e-9);

    char *list_all[] = {"history", "list", "--db", db};
    EXPECT(run_history(out, sizeof out, 4, list_all) == 0);
    EXPECT(strstr(out, "4 runs") != NULL);
    EXPECT(count_lines_with(out, "bench-host") == 4);
    /* listed in date order, with the total's median */
    const char *a = strstr(out, "aaaaaaaaaaaa"), *b = strstr(out, "bbbbbbbbbbbb");
    EXPECT(a && b && a < b);
    EXPECT(strstr(out, "100.000") && strstr(out, "180.000"));

    char *list_filtered[] = {"history", "list", "--db", db, "--filter", "steps:14", "--metric", "cpu:R1 main commit"};
    EXPECT(run_history(out, sizeof out, 8, list_filtered) == 0);
    EXPECT(strstr(out, "2 runs") != NULL && strstr(out, "steps:12") == NULL);
    EXPECT(strstr(out, "50.000") && strstr(out, "45.000")); /* 200/4, 180/4 */

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
        EXPECT(strcmp(line, "aaaaaaaaaaaa\t100\t90\t110\t200\t180\t220\n") == 0);
        if (f) fclose(f);
        char *none[] = {"history", "plot", "--db", db, "--metric", "no-such-metric", "--out", plots};
        EXPECT(run_history(out, sizeof out, 8, none) == 2);
    }

    /* a file that is not a database, a database that does not exist, a bad action */
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
    char *bad_action[] = {"history", "remove"};
    EXPECT(run_history(out, sizeof out, 2, bad_action) == 2);

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return check_finish("test_history");
}
