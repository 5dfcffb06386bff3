/* Named ranges: nesting and sums, the timing table's lines and totals, hooks called on
 * the range's thread with its record index, and STARKBENCH_NVTX=off read per range set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "range.h"
#include "check.h"

static unsigned begun, ended;
static void on_begin(void *ud, unsigned id, const char *table, const char *name) {
    (void)ud, (void)table, (void)name;
    begun |= 1u << id;
}
static void on_end(void *ud, unsigned id, const char *table, const char *name) {
    (void)ud, (void)table, (void)name;
    ended |= 1u << id;
}

static void sleep_ms(long ms) {
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

int main(void) {
    sb_range_hooks hooks = {on_begin, on_end, NULL};
    sb_ranges set;
    unsetenv("STARKBENCH_NVTX");
    sb_ranges_init(&set, NULL, 0, &hooks);
    CHECK(set.nvtx == 1, "NVTX ranges are on by default");
    sb_range prove = sb_range_begin(&set, "", "prove");
    sb_range lde = sb_range_begin(&set, "cpu", "R1 main LDE");
    sleep_ms(20);
    sb_range_end(&lde);
    sb_range commit = sb_range_begin(&set, "cpu", "R1 main commit");
    sleep_ms(10);
    sb_range_end(&commit);
    sb_range aux = sb_range_begin(&set, "range", "R1 aux LDE");
    sleep_ms(5);
    sb_range_end(&aux);
    sb_range_end(&prove);
    CHECK(set.n == 4, "4 records, got %zu", set.n);
    CHECK(begun == 0xF && ended == 0xF, "hooks saw ids %x / %x", begun, ended);
    const double lde_s = sb_ranges_sum(&set, "cpu", "R1 main LDE"), all_lde = sb_ranges_sum(&set, NULL, "R1 aux LDE");
    CHECK(lde_s >= 0.019 && lde_s < 0.5, "R1 main LDE took %f s", lde_s);
    CHECK(all_lde >= 0.004 && sb_ranges_sum(&set, "cpu", "R1 aux LDE") == 0, "per-table sums");
    CHECK(sb_ranges_sum(&set, "", "prove") >= lde_s + sb_ranges_sum(&set, "cpu", "R1 main commit"),
          "the outer range contains the inner ones");

    char buf[2048] = "";
    FILE *f = fmemopen(buf, sizeof buf, "w");
    sb_ranges_print(&set, f);
    fclose(f);
    CHECK(strstr(buf, "=== PROVER TIMING ===\ntable cpu\n  R1 main LDE") != NULL, "table layout:\n%s", buf);
    CHECK(strstr(buf, "table range\n  R1 aux LDE") != NULL && strstr(buf, "Total LDE") && strstr(buf, "Total Merkle") &&
              strstr(buf, "Total "),
          "totals:\n%s", buf);
    double total_lde = 0;
    const char *t = strstr(buf, "Total LDE");
    CHECK(t && sscanf(t, "Total LDE %lf ms", &total_lde) == 1 && total_lde >= 1e3 * (lde_s + all_lde) - 0.01,
          "Total LDE sums every table's LDE ranges: %f", total_lde);
    sb_ranges_destroy(&set);

    setenv("STARKBENCH_NVTX", "off", 1);
    sb_ranges_init(&set, NULL, 0, NULL);
    CHECK(set.nvtx == 0, "STARKBENCH_NVTX=off turns NVTX off for the set");
    sb_range r = sb_range_begin(&set, "cpu", "R2 evaluate");
    sb_range_end(&r);
    CHECK(set.n == 1 && set.recs[0].seconds >= 0, "ranges still time without NVTX");
    sb_ranges_destroy(&set);
    unsetenv("STARKBENCH_NVTX");
    return check_finish("test_ranges");
}
