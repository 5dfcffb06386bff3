/* Change points (reports/changepoints.h): a clean step is found once, at the run where it
 * happened; a single slow run, a drift under the minimum step and noise are not steps; two steps
 * far enough apart are both found; a new level shows once it has two runs. Then on a fixture
 * history (twelve results files, one commit each): `history list --changes` names the commit of
 * the 10 % step of one configuration and nothing for the other, --min-step 15 hides it, and the
 * trend chart marks it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "changepoints.h"
#include "commands.h"
#include "plot.h"
#include "results.h"
#include "check.h"

static char dir[64], db[128];

static void check_series(void) {
    sb_change c[8];
    /* a clean 10 % step at index 6, with +-0.5 % noise */
    const double step[12] = {100, 100.4, 99.6, 100.2, 99.8, 100, 110.3, 109.7, 110, 110.5, 109.6, 110};
    EXPECT(sb_changepoints(step, 12, 5, c, 8) == 1);
    EXPECT(c[0].at == 6 && fabs(c[0].step_pct - 10) < 0.6 && fabs(c[0].before - 100) < 0.3);
    /* ... not with a minimum step of 15 % */
    EXPECT(sb_changepoints(step, 12, 15, c, 8) == 0);
    /* a single 20 % spike is no step */
    const double spike[10] = {100, 100, 100.5, 120, 99.5, 100, 100, 100.2, 99.8, 100};
    EXPECT(sb_changepoints(spike, 10, 5, c, 8) == 0);
    /* a drift of 0.5 % a run (4.5 % in all) and +-3 % noise with a 2 % step: none */
    double drift[10], noisy[12];
    for (int i = 0; i < 10; i++) drift[i] = 100 * (1 + 0.005 * i);
    EXPECT(sb_changepoints(drift, 10, 5, c, 8) == 0);
    rng_state = 3;
    for (int i = 0; i < 12; i++) noisy[i] = 100 * (i < 6 ? 1 : 1.02) * (1 + 0.03 * ((double)(rnd() >> 11) / (1ULL << 52) - 1));
    EXPECT(sb_changepoints(noisy, 12, 5, c, 8) == 0);
    /* two steps, up 20 % at 5 and down 15 % at 11 */
    double two[16];
    for (int i = 0; i < 16; i++) two[i] = i < 5 ? 100 : i < 11 ? 120 : 102;
    EXPECT(sb_changepoints(two, 16, 5, c, 8) == 2);
    EXPECT(c[0].at == 5 && fabs(c[0].step_pct - 20) < 1e-9 && c[1].at == 11 && fabs(c[1].step_pct + 15) < 1e-9);
    /* a new level at the end: one run is not enough, two are */
    const double tail[8] = {100, 100, 100, 100, 100, 100, 100, 112};
    EXPECT(sb_changepoints(tail, 8, 5, c, 8) == 0);
    const double tail2[8] = {100, 100, 100, 100, 100, 100, 112, 112};
    EXPECT(sb_changepoints(tail2, 8, 5, c, 8) == 1 && c[0].at == 6);
    EXPECT(sb_changepoints(tail2, 3, 5, c, 8) == 0); /* too short for a window a side */
}

/* Writes result file i (commit c%02d, date day i): config "fast" steps from 100 to 110 ms at file 6,
 * config "slow" stays at 400 ms with a 20 % spike at file 3. */
static void write_run(int i) {
    sb_results r;
    char *argv[] = {"test_changepoints"};
    sb_results_init(&r, 1, argv);
    snprintf(r.git_commit, sizeof r.git_commit, "c%02d", i);
    snprintf(r.date, sizeof r.date, "2026-11-%02dT00:00:00+00:00", i + 1);
    snprintf(r.host_name, sizeof r.host_name, "bench-host");
    r.gpu_name[0] = 0;
    const double jitter[12] = {0, .004, -.004, .002, -.002, 0, .003, -.003, 0, .005, -.004, 0};
    for (int c = 0; c < 2; c++) {
        sb_point *p = sb_results_add_point(&r, 3);
        snprintf(p->name, sizeof p->name, "prove/steps:%d/blowup:2/backend:cpu", c ? 14 : 12);
        double level = c ? (i == 3 ? 480 : 400) : (i >= 6 ? 110 : 100);
        for (int k = 0; k < 3; k++) {
            double t = level * (1 + jitter[i]) * (1 + 0.001 * (k - 1));
            p->real_time_ms[k] = p->cpu_time_ms[k] = t;
            sb_point_metric(p, "total")->values[k] = t;
        }
    }
    char path[160], err[512];
    snprintf(path, sizeof path, "%s/r%02d.json", dir, i);
    if (sb_results_write(&r, path, err, sizeof err) != 0) fprintf(stderr, "%s\n", err);
    sb_results_free(&r);
}

static int history(char *out, size_t cap, int argc, char **argv) {
    char cap_path[160];
    snprintf(cap_path, sizeof cap_path, "%s/stdout.txt", dir);
    return run_captured(cmd_history, argc, argv, cap_path, out, cap);
}

static void check_history(void) {
    static char out[1 << 15];
    for (int i = 0; i < 12; i++) {
        write_run(i);
        char path[160];
        snprintf(path, sizeof path, "%s/r%02d.json", dir, i);
        char *argv[] = {"history", "add", path, "--db", db};
        EXPECT(history(out, sizeof out, 5, argv) == 0);
    }
    char *list[] = {"history", "list", "--changes", "--db", db};
    EXPECT(history(out, sizeof out, 5, list) == 0);
    EXPECT(strstr(out, "prove/steps:12/blowup:2/backend:cpu @ bench-host: +10.0 % at c06 (2026-11-07T00:00:00+00:00): "
                       "100.000 -> 110.000, after c05\n") != NULL);
    EXPECT(strstr(out, "steps:14") == NULL);
    EXPECT(strstr(out, "1 change point in 2 series") != NULL);
    if (!strstr(out, "at c06")) fprintf(stderr, "%s", out);
    char *strict[] = {"history", "list", "--changes", "--min-step", "15", "--db", db};
    EXPECT(history(out, sizeof out, 7, strict) == 0 && strstr(out, "0 change points in 2 series") != NULL);
    char *filtered[] = {"history", "list", "--changes", "--filter", "steps:14", "--db", db};
    EXPECT(history(out, sizeof out, 7, filtered) == 0 && strstr(out, "0 change points in 1 series") != NULL);
    char *bad[] = {"history", "list", "--changes", "--min-step", "x", "--db", db};
    EXPECT(history(out, sizeof out, 7, bad) == 2);
    char *plot_changes[] = {"history", "plot", "--changes", "--db", db};
    EXPECT(history(out, sizeof out, 5, plot_changes) == 2); /* --changes is list's */
    if (!sb_plot_available()) return;
    char outdir[160], gp[200];
    snprintf(outdir, sizeof outdir, "%s/trend", dir);
    char *plot[] = {"history", "plot", "--db", db, "--out", outdir};
    EXPECT(history(out, sizeof out, 6, plot) == 0);
    snprintf(gp, sizeof gp, "%s/trend-total.gp", outdir);
    FILE *f = fopen(gp, "r");
    static char script[1 << 14];
    size_t n = f ? fread(script, 1, sizeof script - 1, f) : 0;
    if (f) fclose(f);
    script[n] = 0;
    /* the step is at c06, the 7th commit: x = 6 */
    EXPECT(strstr(script, "set arrow from 6, graph 0 to 6, graph 1 nohead") != NULL);
    EXPECT(strstr(script, "set label '+10.0 %' at 6,") != NULL);
    EXPECT(strstr(script, "set arrow from 3,") == NULL); /* the spike is not marked */
}

int main(void) {
    check_series();
    snprintf(dir, sizeof dir, "/tmp/sb_test_changepoints.XXXXXX");
    if (!mkdtemp(dir)) return 1;
    snprintf(db, sizeof db, "%s/h.db", dir);
    check_history();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return check_finish("test_changepoints");
}
