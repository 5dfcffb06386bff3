/* Throttled repetitions excluded on a fixture (bench/throttle.h): a results file whose GPU point
 * has two of five repetitions marked throttled loads with their times left out of every
 * statistic (median 101, not 102), counted, and with their NVML figures kept; written back, the
 * file still holds every measured value; with keep_throttled the same file counts them all. The
 * stop reason and noise of adaptive repetitions round-trip too. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "results.h"
#include "stats.h"
#include "throttle.h"
#include "check.h"

static char dir[64];

/* The fixture: context keep_throttled as given; 5 repetitions, totals 100, 500, 101, 102, 900, the
 * second and fifth marked throttled (a thermal slowdown 0x40, a busy clock of 1100 MHz). */
static void write_fixture(const char *path, int keep) {
    static const double total[5] = {100, 500, 101, 102, 900}, mark[5] = {0, 1, 0, 0, 1};
    static const double reasons[5] = {0, 0x40, 0, 0, 0}, clock[5] = {1980, 1950, 1980, 1975, 1100};
    FILE *f = fopen(path, "w");
    fprintf(f, "{\"context\": {\"date\": \"2026-12-04T00:00:00+00:00\", \"host_name\": \"fixture\", \"gpu_name\": \"Fixture GPU\","
               " \"keep_throttled\": %s, \"noise_cpu_pct\": 0.5, \"noise_gpu_pct\": null},\n \"benchmarks\": [\n",
            keep ? "true" : "false");
    for (int k = 0; k < 5; k++)
        fprintf(f, "  {\"name\": \"p\", \"run_name\": \"p\", \"run_type\": \"iteration\", \"repetitions\": 5,"
                   " \"repetition_index\": %d, \"real_time\": %g, \"cpu_time\": %g, \"time_unit\": \"ms\","
                   " \"backend_used\": \"gpu\", \"status\": \"ok\", \"stop_reason\": \"max-runs\", \"noise_pct\": 12.5,"
                   " \"total\": %g, \"gpu:R1 main LDE\": %g, \"throttled\": %g, \"nvml:throttle_reasons\": %g,"
                   " \"nvml:sm_clock_busy_min_mhz\": %g}%s\n",
                k, total[k] + 1, 2 * total[k], total[k], total[k] / 4, mark[k], reasons[k], clock[k], k < 4 ? "," : "");
    fprintf(f, " ]}\n");
    fclose(f);
}

static const sb_point *load_one(sb_results *r, const char *path) {
    char err[512];
    if (sb_results_load(r, path, err, sizeof err) != 0) {
        CHECK(0, "%s", err);
        return NULL;
    }
    EXPECT(r->n_points == 1);
    return r->n_points == 1 ? &r->points[0] : NULL;
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/sb_test_throttled.XXXXXX");
    if (!mkdtemp(dir)) return 1;
    char fixture[128], again[128], kept[128], err[512];
    snprintf(fixture, sizeof fixture, "%s/fixture.json", dir);
    snprintf(again, sizeof again, "%s/again.json", dir);
    snprintf(kept, sizeof kept, "%s/kept.json", dir);
    write_fixture(fixture, 0);

    sb_results r;
    const sb_point *p = load_one(&r, fixture);
    if (p) {
        EXPECT(p->reps == 5 && p->n_throttled == 2 && sb_point_count_throttled(p) == 2);
        EXPECT(sb_median(sb_point_total(p), p->reps) == 101);          /* of 100, 101, 102 */
        EXPECT(sb_median(p->real_time_ms, p->reps) == 102);
        sb_stats s;
        sb_stats_compute(sb_point_find(p, "gpu:R1 main LDE")->values, p->reps, &s);
        EXPECT(s.n == 3 && s.max == 25.5);
        EXPECT(isnan(sb_point_total(p)[1]) && isnan(sb_point_total(p)[4]));
        EXPECT(sb_point_find(p, "nvml:throttle_reasons")->values[1] == 0x40);   /* why stays visible */
        EXPECT(sb_point_find(p, "nvml:sm_clock_busy_min_mhz")->values[4] == 1100);
        EXPECT(strcmp(p->stop_reason, "max-runs") == 0 && p->noise_pct == 12.5);
        EXPECT(r.noise_cpu_pct == 0.5 && isnan(r.noise_gpu_pct) && !r.keep_throttled);
        EXPECT(sb_results_write(&r, again, err, sizeof err) == 0);
    }
    sb_results_free(&r);

    /* written back: every repetition as measured, the aggregates without the throttled ones */
    json_error_t jerr;
    json_t *doc = json_load_file(again, 0, &jerr);
    EXPECT(doc != NULL);
    size_t i;
    json_t *e;
    int reps = 0, medians = 0;
    json_array_foreach(json_object_get(doc, "benchmarks"), i, e) {
        const char *type = json_string_value(json_object_get(e, "run_type"));
        if (type && strcmp(type, "iteration") == 0) {
            reps++;
            json_int_t k = json_integer_value(json_object_get(e, "repetition_index"));
            if (k == 1) EXPECT(json_real_value(json_object_get(e, "total")) == 500 &&
                               json_real_value(json_object_get(e, "real_time")) == 501 &&
                               !json_object_get(e, "error_occurred"));
        } else if (strcmp(json_string_value(json_object_get(e, "aggregate_name")), "median") == 0) {
            medians++;
            EXPECT(json_real_value(json_object_get(e, "total")) == 101);
        }
    }
    EXPECT(reps == 5 && medians == 1);
    json_decref(doc);
    p = load_one(&r, again); /* and it loads as the fixture did */
    if (p) EXPECT(p->n_throttled == 2 && sb_median(sb_point_total(p), p->reps) == 101);
    sb_results_free(&r);

    /* keep_throttled: the same repetitions all count */
    write_fixture(kept, 1);
    p = load_one(&r, kept);
    if (p) EXPECT(p->n_throttled == 2 && sb_median(sb_point_total(p), p->reps) == 102 && r.keep_throttled);
    sb_results_free(&r);

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return check_finish("test_throttled");
}
