#include "efficiency.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "point.h"
#include "range_names.h"
#include "rounds.h"
#include "stats.h"

void sb_work_lde(uint64_t n, unsigned cols, unsigned blowup, sb_work *w) {
    const double rows = (double)n, log_n = log2(rows);
    w->bytes = 8.0 * cols * (rows + rows * blowup);
    w->butterflies = (rows / 2) * log_n * cols * (1.0 + blowup);
    w->permutations = 0;
}

void sb_work_commit(uint64_t n, unsigned cols, unsigned blowup, sb_work *w) {
    const double lde_n = (double)n * blowup;
    w->bytes = w->butterflies = 0;
    w->permutations = lde_n * (8.0 * cols / 136 + 1) + (lde_n - 1);
}

size_t sb_point_efficiency(const sb_point *p, const sb_calib_floors *f, sb_round_efficiency *out) {
    sb_detect_table tables[SB_POINT_MAX_TABLES];
    char err[256];
    int nt = sb_point_tables(p->log_steps, tables, err, sizeof err);
    size_t n = 0;
    for (int t = 0; t < nt; t++) {
        const sb_detect_table *tb = &tables[t];
        if (p->threshold == SB_THRESHOLD_NEVER || tb->rows * p->blowup < p->threshold) continue; /* on the CPU */
        const struct {
            sb_range_id range;
            unsigned cols;
            int commit;
        } rounds[] = {{SB_R1_MAIN_LDE, tb->main_cols, 0}, {SB_R1_MAIN_COMMIT, tb->main_cols, 1},
                      {SB_R1_AUX_LDE, tb->aux_cols, 0},   {SB_R1_AUX_COMMIT, tb->aux_cols, 1},
                      {SB_R2_COMMIT, 3 * SB_COMPOSITION_PARTS, 1}};
        for (size_t r = 0; r < sizeof rounds / sizeof rounds[0]; r++) {
            if (!rounds[r].cols) continue;
            char key[sizeof ((sb_metric *)0)->key];
            snprintf(key, sizeof key, "%s:%s", tb->name, SB_RANGE_NAME(rounds[r].range));
            const sb_metric *m = sb_point_find(p, key);
            double ms = m ? sb_median(m->values, p->reps) : NAN;
            if (!(ms > 0)) continue;
            sb_work w;
            if (rounds[r].commit) sb_work_commit(tb->rows, rounds[r].cols, p->blowup, &w);
            else sb_work_lde(tb->rows, rounds[r].cols, p->blowup, &w);
            const struct {
                const char *unit;
                double work, floor_rate;
            } units[] = {{"bytes", w.bytes, f->d2d_bytes_per_s},
                         {"butterflies", w.butterflies, f->butterflies_per_s},
                         {"permutations", w.permutations, f->keccak_f_per_s}};
            for (size_t u = 0; u < 3 && n < SB_EFFICIENCY_MAX; u++) {
                if (!(units[u].work > 0)) continue;
                out[n++] = (sb_round_efficiency){tb->name, SB_RANGE_NAME(rounds[r].range), units[u].unit, units[u].work, ms,
                                                 units[u].work / (ms / 1e3), units[u].floor_rate};
            }
        }
    }
    return n;
}
