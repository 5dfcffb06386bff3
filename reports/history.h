/* The results history: a database of every run, keyed by commit, machine, config (the
 * benchmark name) and the results' date, with per-metric statistics (docs/RESULTS.md "History
 * database" gives the schema). db is an SQLite file (the default) or a PostgreSQL URL
 * ("postgresql://..."; history_store.h). */
#ifndef SB_HISTORY_H
#define SB_HISTORY_H

#include <stddef.h>

#include "results.h"

#define SB_HISTORY_DEFAULT_DB "results/history.db"

/* A history database carries a marker: SQLite's application_id 0x53424849 ("SBHI"), in
 * PostgreSQL the table starkbench_meta. A database without it is refused unless it is empty (add
 * creates the schema and the marker) or is an SQLite file holding exactly the schema's tables,
 * as the code before the marker made them (add marks it). Every function below checks this first. */

/* Checks that db is a starkbench history database that can be read. Returns 0, or -1 with a
 * one-line reason in err. */
int sb_history_check(const char *db, char *err, size_t errlen);

/* Adds every point of rs[0..n) (read from files sources[0..n)) to db in one transaction, creating
 * db (an SQLite file and its folder) where missing. A run already present (same commit, machine,
 * config, date; the machine is the host and the GPU the point ran on) is skipped and counted in
 * *skipped, also when other writers add it at the same time. Returns the number of runs added,
 * or -1 with a one-line reason in err. */
long sb_history_add(const char *db, const sb_results *rs, size_t n, const char *const *sources, size_t *skipped,
                    char *err, size_t errlen);

/* Draws the trend of `metric` (median with min..max bars) over commits, one line per config and
 * machine, for runs whose config, machine or commit contains `filter` (NULL: all), into
 * dir/<stem>.png and .svg, each series' change points of at least min_step_pct percent
 * (changepoints.h) marked; writes the stem ("trend-<metric>") to stem.
 * Returns 0, or -1 with a one-line reason in err (no such run, no gnuplot, ...). */
int sb_history_plot(const char *db, const char *metric, const char *filter, double min_step_pct, const char *dir,
                    char *stem, size_t stemlen, char *err, size_t errlen);

#endif
