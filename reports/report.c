/* `starkbench report RESULTS.json[,MORE.json...] [--out DIR] [--history DB] [--calibration FILE]`: the
 * markdown a pull request pastes (median-of-N totals and per-round tables, fallback verdicts,
 * digest checks, each GPU round's rate against the card's floors) and gnuplot charts beside it
 * (PNG + SVG): stacked rounds per config, scaling over steps (log-log), blowup, tpb and
 * threshold sweeps, GPU vs CPU, and the trend over commits (with its change points) from the
 * history database. A comma-separated list of files (the shards of one sweep, interleaved
 * sessions) is pooled first (pool.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "changepoints.h"
#include "commands.h"
#include "detector.h"
#include "efficiency.h"
#include "history.h"
#include "options.h"
#include "outfile.h"
#include "plot.h"
#include "pool.h"
#include "results.h"
#include "stats.h"

/* ---- point axes and labels --------------------------------------------------------------- */

typedef enum axis { AX_STEPS, AX_BLOWUP, AX_BACKEND, AX_THRESHOLD, AX_TP, AX_THREADS, AX_TPB, AX_COUNT } axis;
static const char *const axis_names[AX_COUNT] = {"steps", "blowup", "backend", "threshold", "tp", "threads", "tpb"};

static void axis_value(const sb_point *p, axis a, char *out, size_t cap) {
    switch (a) {
    case AX_STEPS: snprintf(out, cap, "2^%u", p->log_steps); break;
    case AX_BLOWUP: snprintf(out, cap, "%u", p->blowup); break;
    case AX_BACKEND: snprintf(out, cap, "%s", p->backend_used); break;
    case AX_THRESHOLD:
        if (p->threshold == SB_THRESHOLD_NEVER) snprintf(out, cap, "inf");
        else snprintf(out, cap, "%llu", (unsigned long long)p->threshold);
        break;
    case AX_TP: snprintf(out, cap, "%u", p->tp); break;
    case AX_THREADS: snprintf(out, cap, "%u", p->threads); break;
    default: snprintf(out, cap, "%s", p->tpb); break;
    }
}

typedef int (*point_pred)(const sb_point *p, int range_sync);

/* Bit a of the result is set when axis a takes more than one value among the points selected. */
static unsigned varying_axes(const sb_results *r, point_pred pick) {
    unsigned mask = 0;
    const sb_point *first = NULL;
    for (size_t i = 0; i < r->n_points; i++) {
        const sb_point *p = &r->points[i];
        if (!pick(p, r->range_sync)) continue;
        if (!first) {
            first = p;
            continue;
        }
        for (int a = 0; a < AX_COUNT; a++) {
            char x[160], y[160];
            axis_value(first, (axis)a, x, sizeof x);
            axis_value(p, (axis)a, y, sizeof y);
            if (strcmp(x, y) != 0) mask |= 1u << a;
        }
    }
    return mask;
}

/* A short label: the axes in mask, e.g. "steps 2^16, blowup 4"; the point's name when mask is empty. */
static void point_label(const sb_point *p, unsigned mask, char *out, size_t cap) {
    out[0] = 0;
    for (int a = 0; a < AX_COUNT; a++) {
        if (!(mask & (1u << a))) continue;
        char v[160];
        axis_value(p, (axis)a, v, sizeof v);
        size_t len = strlen(out);
        snprintf(out + len, cap - len, "%s%s %s", len ? ", " : "", axis_names[a], v);
    }
    if (!out[0]) snprintf(out, cap, "%s", p->name);
}

static int is_ok(const sb_point *p, int range_sync) {
    (void)range_sync;
    return strcmp(p->status, "ok") == 0 && p->reps > 0;
}

/* tpb and threshold only mean something where the GPU was asked for. */
static int is_gpu_configured(const sb_point *p, int range_sync) {
    return is_ok(p, range_sync) && p->backend != SB_BACKEND_CPU;
}

/* Per-round times add up to the proof only with range sync and one table at a time. */
static int is_stackable(const sb_point *p, int range_sync) { return is_ok(p, range_sync) && range_sync && p->tp == 1; }

/* ---- markdown ------------------------------------------------------------------------------ */

/* Writes s with the characters that would break a table cell escaped. */
static void md_cell(FILE *f, const char *s) {
    for (; *s; s++) {
        if (*s == '|') fputs("\\|", f);
        else if (*s == '\n') fputc(' ', f);
        else fputc(*s, f);
    }
}

/* The shards a pool holds: "1/4, 2/4 of a 4-way split of 22 points; missing: 3/4, 4/4". */
static void write_shards(FILE *f, const sb_pool *pool) {
    const sb_results *r = &pool->pooled;
    if (!pool->shard_count) {
        if (r->shard_count)
            fprintf(f, "| shards | mixed: the files are not the shards of one split (this one: %u/%u) |\n", r->shard_index,
                    r->shard_count);
        return;
    }
    fprintf(f, "| shards |");
    for (unsigned k = 1, n = 0; k <= pool->shard_count; k++)
        if (pool->shards[k]) fprintf(f, "%s %u/%u", n++ ? "," : "", k, pool->shard_count);
    fprintf(f, " of a %u-way split of %zu points (sweep --shard)", pool->shard_count, r->plan_points);
    unsigned missing = 0;
    for (unsigned k = 1; k <= pool->shard_count; k++)
        if (!pool->shards[k]) fprintf(f, "%s %u/%u", missing++ ? "," : "; **missing**:", k, pool->shard_count);
    fprintf(f, "%s |\n", missing ? "" : ": complete");
}

static void write_context(FILE *f, const sb_pool *pool) {
    const sb_results *r = &pool->pooled;
    fprintf(f, "# starkbench results\n\nFrom ");
    for (size_t i = 0; i < pool->n_files; i++) fprintf(f, "%s`%s`", i ? ", " : "", pool->files[i]);
    fprintf(f, "%s.\n\n| | |\n| --- | --- |\n", pool->n_files > 1 ? " (pooled)" : "");
    fprintf(f, "| date | %s |\n| host | %s (%d CPUs, %.0f MHz%s) |\n", r->date, r->host_name, r->num_cpus, r->mhz_per_cpu,
            r->cpu_scaling_enabled ? ", CPU frequency scaling on" : "");
    if (r->gpu_name[0]) fprintf(f, "| GPU | %s (driver %s, CUDA %s) |\n", r->gpu_name, r->gpu_driver, r->cuda_version);
    else fprintf(f, "| GPU | none |\n");
    if (r->n_gpus > 1) {
        fprintf(f, "| GPUs (sweep --gpus) |");
        for (size_t i = 0; i < r->n_gpus; i++)
            fprintf(f, "%s %u: %s `%s`", i ? "," : "", r->gpus[i].index, r->gpus[i].name, r->gpus[i].uuid);
        fprintf(f, " |\n");
    }
    write_shards(f, pool);
    fprintf(f, "| build | commit%s `%s`, %s |\n| command | `", pool->n_commits > 1 ? "s" : "", pool->commits, r->build_type);
    md_cell(f, r->command_line);
    fprintf(f, "` |\n| timing | %s |\n",
            r->range_sync ? "range sync: each round's wall time includes its GPU work"
                          : "no range sync: rounds overlap, only the total and GPU busy time are comparable");
    if (r->cupti) {
        fprintf(f, "| CUPTI | on");
        if (isfinite(r->cupti_overhead_pct)) fprintf(f, " (CUPTI + NVTX overhead on a whole proof: %.1f %%)", r->cupti_overhead_pct);
        fprintf(f, " |\n");
    }
    if (pool->n_files > 1 && isfinite(pool->noise_cpu_pct)) {
        fprintf(f, "| noise probe | the median of the files: CPU %.2f %%", pool->noise_cpu_pct);
        if (isfinite(pool->noise_gpu_pct)) fprintf(f, ", GPU %.2f %%", pool->noise_gpu_pct);
        fprintf(f, " (relative half-width of the median's 95 %% interval before each sweep) |\n");
    } else if (isfinite(r->noise_cpu_pct)) {
        fprintf(f, "| noise probe | CPU %.2f %% (median %.3f ms)", r->noise_cpu_pct, r->noise_cpu_ms);
        if (r->n_gpus > 1)
            for (size_t i = 0; i < r->n_gpus; i++)
                fprintf(f, ", GPU %u %.2f %% (median %.3f ms)", r->gpus[i].index, r->gpus[i].noise_pct, r->gpus[i].noise_ms);
        else if (isfinite(r->noise_gpu_pct))
            fprintf(f, ", GPU %.2f %% (median %.3f ms)", r->noise_gpu_pct, r->noise_gpu_ms);
        fprintf(f, ": relative half-width of the median's 95 %% interval before the sweep |\n");
    }
    size_t throttled = 0;
    for (size_t i = 0; i < r->n_points; i++) throttled += r->points[i].n_throttled;
    if (throttled)
        fprintf(f, "| throttling | %zu repetition%s throttled (NVML), %s |\n", throttled, throttled == 1 ? "" : "s",
                r->keep_throttled ? "kept in the statistics (--keep-throttled)" : "left out of the statistics");
    if (isfinite(r->locked_clock_mhz)) fprintf(f, "| clocks | SM clock locked at %.0f MHz |\n", r->locked_clock_mhz);
    if (r->delay_round[0]) fprintf(f, "| **testing switch** | STARKBENCH_DELAY_ROUND=%s: rounds delayed on purpose |\n", r->delay_round);
    fprintf(f, "\n");
}

static void stats_of(const double *v, size_t n, sb_stats *s) { sb_stats_compute(v, n, s); }

static void write_totals(FILE *f, const sb_results *r) {
    fprintf(f, "## Totals (median of N)\n\n"
               "| benchmark | backend | N | total ms | CV %% | min ms | max ms | verdict | proof digest | stop | noise %% "
               "| throttled |\n"
               "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | ---: | ---: |\n");
    for (size_t i = 0; i < r->n_points; i++) {
        const sb_point *p = &r->points[i];
        if (!is_ok(p, r->range_sync)) continue;
        sb_stats s;
        stats_of(sb_point_total(p), p->reps, &s);
        char med[24], lo[24], hi[24];
        char noise[24] = "-", backend[32];
        if (!isnan(p->noise_pct)) snprintf(noise, sizeof noise, "%.2f", p->noise_pct);
        if (r->n_gpus > 1 && p->gpu_index >= 0) snprintf(backend, sizeof backend, "%s on GPU %d", p->backend_used, p->gpu_index);
        else snprintf(backend, sizeof backend, "%s", p->backend_used);
        fprintf(f, "| `%s` | %s | %zu | %s | %.2f | %s | %s | %s | %s%.12s%s | %s | %s | %zu |\n", p->name, backend,
                s.n, sb_format_ms(s.median, med), 100 * s.cv, sb_format_ms(s.min, lo), sb_format_ms(s.max, hi), p->verdict,
                p->proof_digest[0] ? "`" : "-", p->proof_digest, p->proof_digest[0] ? "`" : "",
                p->stop_reason[0] ? p->stop_reason : "-", noise, p->n_throttled);
    }
    fprintf(f, "\n");
}

static double metric_median(const sb_point *p, const char *key) {
    const sb_metric *m = sb_point_find(p, key);
    return m ? sb_median(m->values, p->reps) : NAN;
}

static void write_rounds(FILE *f, const sb_results *r) {
    fprintf(f, "## Per-round medians\n\n");
    if (!r->range_sync)
        fprintf(f, "Measured without range sync: the rounds overlap and do not add up to the total; "
                   "compare only the totals and GPU busy time.\n\n");
    for (size_t i = 0; i < r->n_points; i++) {
        const sb_point *p = &r->points[i];
        if (!is_ok(p, r->range_sync)) continue;
        sb_stats total;
        stats_of(sb_point_total(p), p->reps, &total);
        char buf[24];
        fprintf(f, "### `%s`\n\ntotal %s ms (CV %.2f %%, N = %zu)", p->name, sb_format_ms(total.median, buf),
                100 * total.cv, total.n);
        double busy = metric_median(p, "gpu_busy_ms");
        const double busy_pct = metric_median(p, "gpu_busy_pct");
        if (isfinite(busy)) fprintf(f, ", GPU busy %s ms", sb_format_ms(busy, buf));
        if (isfinite(busy_pct)) fprintf(f, " (%.1f %% of the total)", busy_pct);
        fprintf(f, "\n\n| table | round | median ms | CV %% | share | kernel ms | launches |\n"
                   "| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
        for (size_t m = 0; m < p->n_metrics; m++) {
            const char *key = p->metrics[m].key;
            if (!sb_metric_is_round(key)) continue;
            sb_stats s;
            stats_of(p->metrics[m].values, p->reps, &s);
            char kernel_key[160], launches_key[160], kernel[24], launches[32] = "-";
            snprintf(kernel_key, sizeof kernel_key, "%s:kernel_ms", key);
            snprintf(launches_key, sizeof launches_key, "%s:launches", key);
            double k = metric_median(p, kernel_key), l = metric_median(p, launches_key);
            sb_format_ms(k, kernel);
            if (isfinite(l)) snprintf(launches, sizeof launches, "%.0f", l);
            const char *colon = strchr(key, ':');
            fprintf(f, "| %.*s | %s | %s | %.2f | %.1f %% | %s | %s |\n", (int)(colon - key), key, colon + 1,
                    sb_format_ms(s.median, buf), 100 * s.cv, 100 * s.median / total.median, kernel, launches);
        }
        fprintf(f, "\n");
    }
}

static int is_flagged(const char *verdict) { return strcmp(verdict, "clean") != 0 && strcmp(verdict, "n/a") != 0; }

static int same_fallback(const sb_fallback *a, const sb_fallback *b) {
    return !strcmp(a->table, b->table) && !strcmp(a->op, b->op) && !strcmp(a->kernel, b->kernel) &&
           !strcmp(a->launch, b->launch) && !strcmp(a->error, b->error);
}

static void write_verdicts(FILE *f, const sb_results *r) {
    fprintf(f, "## Fallbacks and detector verdicts\n\n");
    size_t flagged = 0, checked = 0;
    for (size_t i = 0; i < r->n_points; i++) {
        const sb_point *p = &r->points[i];
        if (strcmp(p->verdict, "n/a") != 0) checked++;
        if (!is_flagged(p->verdict) && p->n_fallbacks == 0) continue;
        flagged++;
        fprintf(f, "- **%s** `%s`: ", p->verdict, p->name);
        md_cell(f, p->verdict_reason);
        fprintf(f, "\n");
        size_t logged = p->n_fallbacks < SB_MAX_FALLBACKS ? p->n_fallbacks : SB_MAX_FALLBACKS;
        if (!logged) continue;
        /* Every repetition records the same failures: one row per distinct record, with its count. */
        fprintf(f, "\n  %zu fallback record%s:\n\n  | table | operation | kernel | launch | CUDA error | times |\n"
                   "  | --- | --- | --- | --- | --- | ---: |\n",
                p->n_fallbacks, p->n_fallbacks == 1 ? "" : "s");
        for (size_t k = 0; k < logged; k++) {
            const sb_fallback *fb = &p->fallbacks[k];
            size_t times = 0, earlier = 0;
            for (size_t j = 0; j < logged; j++)
                if (same_fallback(&p->fallbacks[j], fb)) times++, earlier += j < k;
            if (earlier) continue;
            const char *cells[] = {fb->table, fb->op, fb->kernel, fb->launch, fb->error};
            fprintf(f, "  |");
            for (int c = 0; c < 5; c++) {
                fputc(' ', f);
                md_cell(f, cells[c]);
                fprintf(f, " |");
            }
            fprintf(f, " %zu |\n", times);
        }
        fprintf(f, "\n");
    }
    if (!flagged)
        fprintf(f, "No fallback recorded and none suspected (%zu point%s checked by the detector).\n", checked,
                checked == 1 ? "" : "s");
    fprintf(f, "\n## Proof digests\n\n");
    size_t mismatches = 0, with_digest = 0;
    for (size_t i = 0; i < r->n_points; i++) {
        const sb_point *p = &r->points[i];
        with_digest += p->proof_digest[0] != 0;
        if (!p->digest_mismatch) continue;
        if (!mismatches++) fprintf(f, "**Digest mismatch**: these points proved different bytes than the others of the same steps and blowup:\n\n");
        fprintf(f, "- `%s`: `%s`\n", p->name, p->proof_digest);
    }
    if (!mismatches && with_digest)
        fprintf(f, "All %zu proofs agree with every other point of the same steps and blowup.\n", with_digest);
    else if (!with_digest) fprintf(f, "No proof digests in this file.\n");
    fprintf(f, "\n");
}

static void write_failures(FILE *f, const sb_results *r) {
    size_t n = 0;
    for (size_t i = 0; i < r->n_points; i++) {
        const sb_point *p = &r->points[i];
        if (strcmp(p->status, "ok") == 0) continue;
        if (!n++) fprintf(f, "## Points that did not run\n\n| benchmark | status | why |\n| --- | --- | --- |\n");
        fprintf(f, "| `%s` | %s | ", p->name, p->status);
        md_cell(f, p->error);
        fprintf(f, " |\n");
    }
    if (n) fprintf(f, "\n");
}

/* The floors of the card point p ran on (its own GPU, else the results' GPU), or NULL. */
static const sb_calib_floors *point_floors(const sb_calibration *cal, const sb_results *r, const sb_point *p) {
    return p->gpu_index >= 0 && p->gpu_name[0] ? sb_calibration_floors(cal, p->gpu_name, r->gpu_driver, p->gpu_uuid)
                                               : sb_calibration_floors(cal, r->gpu_name, r->gpu_driver, "");
}

/* Each GPU point's GPU rounds against its card's floors from the calibration (efficiency.h). */
static void write_efficiency(FILE *f, const sb_results *r, const char *calibration) {
    size_t gpu_points = 0;
    for (size_t i = 0; i < r->n_points; i++)
        gpu_points += is_ok(&r->points[i], r->range_sync) && strcmp(r->points[i].backend_used, "gpu") == 0;
    if (!gpu_points) return;
    fprintf(f, "## Efficiency against the card's floors\n\n");
    sb_calibration cal;
    char err[1200];
    if (sb_calibration_load(&cal, calibration, err, sizeof err) != 0) {
        fprintf(f, "No floors: %s\n\n", err);
        return;
    }
    /* the floors of every card the points ran on, once each */
    const sb_calib_floors *listed[SB_MAX_GPUS + 1];
    size_t n_listed = 0, without = 0;
    for (size_t i = 0; i < r->n_points; i++) {
        const sb_point *p = &r->points[i];
        if (!is_ok(p, r->range_sync) || strcmp(p->backend_used, "gpu") != 0) continue;
        const sb_calib_floors *fl = point_floors(&cal, r, p);
        size_t k = 0;
        while (k < n_listed && listed[k] != fl) k++;
        if (!fl) without++;
        else if (k == n_listed && n_listed < SB_MAX_GPUS + 1) listed[n_listed++] = fl;
    }
    if (without)
        fprintf(f, "No floors for %s (driver %s) in `%s`%s: `starkbench calibrate` measures and saves them.\n\n",
                r->gpu_name[0] ? r->gpu_name : "this GPU", r->gpu_driver, calibration,
                n_listed ? " for some GPU points" : "");
    if (!n_listed) {
        sb_calibration_free(&cal);
        return;
    }
    for (size_t k = 0; k < n_listed; k++)
        fprintf(f, "Floors (`%s`, %s%s%s): D2D copy %.1f GB/s, straightforward butterflies %.3g /s, straightforward "
                   "Keccak-f %.3g /s.\n",
                calibration, listed[k]->gpu, listed[k]->uuid[0] ? " " : "", listed[k]->uuid,
                listed[k]->d2d_bytes_per_s / 1e9, listed[k]->butterflies_per_s, listed[k]->keccak_f_per_s);
    fprintf(f, "A round's work comes from its shape (docs/PERFORMANCE.md \"Efficiency\"); achieved = work / median "
               "time.\n\n"
               "| benchmark | table | round | work | median ms | achieved /s | floor /s | of the floor |\n"
               "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
    sb_round_efficiency rows[SB_EFFICIENCY_MAX];
    for (size_t i = 0; i < r->n_points; i++) {
        const sb_point *p = &r->points[i];
        const sb_calib_floors *fl = point_floors(&cal, r, p);
        if (!is_ok(p, r->range_sync) || strcmp(p->backend_used, "gpu") != 0 || !fl) continue;
        size_t n = sb_point_efficiency(p, fl, rows);
        for (size_t k = 0; k < n; k++) {
            char ms[24];
            fprintf(f, "| `%s` | %s | %s | %.3g %s | %s | %.3g | %.3g | %.1f %% |\n", p->name, rows[k].table, rows[k].range,
                    rows[k].work, rows[k].unit, sb_format_ms(rows[k].ms, ms), rows[k].rate, rows[k].floor_rate,
                    100 * rows[k].rate / rows[k].floor_rate);
        }
    }
    fprintf(f, "\n");
    sb_calibration_free(&cal);
}

/* ---- charts -------------------------------------------------------------------------------- */

typedef struct chart_log {
    FILE *md;
    const char *dir;
    int drawn;
} chart_log;

static void draw(chart_log *log, const char *stem, const sb_plot_matrix *m, sb_plot_style style, const char *title) {
    char err[1400];
    if (sb_plot_draw(log->dir, stem, m, style, title, "ms", err, sizeof err) != 0) {
        fprintf(log->md, "- %s: not drawn (%s)\n", title, err);
        fprintf(stderr, "starkbench report: %s\n", err);
        return;
    }
    fprintf(log->md, "### %s\n\n![%s](%s.svg)\n\n[PNG](%s.png) · data `%s.dat` · script `%s.gp`\n\n", title, title, stem,
            stem, stem, stem);
    log->drawn++;
}

/* The median over p's repetitions of round `round` ("R1 main LDE") summed over every table. */
static double round_median(const sb_point *p, const char *round) {
    double *sum = malloc((p->reps ? p->reps : 1) * sizeof *sum);
    if (!sum) return NAN;
    for (size_t rep = 0; rep < p->reps; rep++) {
        sum[rep] = NAN;
        for (size_t j = 0; j < p->n_metrics; j++) {
            const char *key = p->metrics[j].key;
            double v = p->metrics[j].values[rep];
            if (sb_metric_is_round(key) && strcmp(strchr(key, ':') + 1, round) == 0 && !isnan(v))
                sum[rep] = (isnan(sum[rep]) ? 0 : sum[rep]) + v;
        }
    }
    double med = sb_median(sum, p->reps);
    free(sum);
    return med;
}

/* Sets, in row `row` of m, one column per round of p: its median summed over tables. */
static void set_rounds(sb_plot_matrix *m, size_t row, const sb_point *p) {
    for (size_t k = 0; k < p->n_metrics; k++) {
        const char *key = p->metrics[k].key;
        if (!sb_metric_is_round(key)) continue;
        const char *round = strchr(key, ':') + 1;
        sb_plot_set(m, row, sb_plot_col(m, round), round_median(p, round), NAN, NAN);
    }
}

/* Stacked bars of the rounds' medians (summed over tables) per configuration. */
static void chart_rounds(chart_log *log, const sb_results *r) {
    sb_plot_matrix m = {0};
    unsigned mask = varying_axes(r, is_stackable);
    for (size_t i = 0; i < r->n_points; i++) {
        const sb_point *p = &r->points[i];
        if (!is_stackable(p, r->range_sync)) continue;
        char label[512];
        point_label(p, mask, label, sizeof label);
        set_rounds(&m, sb_plot_row(&m, label), p);
    }
    if (m.cols) draw(log, "rounds", &m, SB_PLOT_STACKED, "Rounds per configuration (median ms, all tables)");
    else if (!r->range_sync) fprintf(log->md, "- Rounds per configuration: not drawn (no range sync: rounds overlap)\n");
    sb_plot_free(&m);
}

/* Per-round time against steps (log-log), one chart per setting of the other varying axes
 * (blowup, backend, ...), one line per round (summed over tables). */
static void chart_rounds_scaling(chart_log *log, const sb_results *r) {
    unsigned mask = varying_axes(r, is_ok);
    if (!(mask & (1u << AX_STEPS)) || !r->range_sync) return;
    mask &= ~(1u << AX_STEPS);
    sb_plot_matrix series = {0}; /* only its row labels: the settings, in order of appearance */
    for (size_t i = 0; i < r->n_points; i++) {
        char label[512];
        point_label(&r->points[i], mask, label, sizeof label);
        if (is_ok(&r->points[i], r->range_sync)) sb_plot_row(&series, mask ? label : "all");
    }
    for (size_t s = 0; s < series.rows; s++) {
        sb_plot_matrix m = {0};
        for (size_t i = 0; i < r->n_points; i++) {
            const sb_point *p = &r->points[i];
            char label[512], steps[32];
            point_label(p, mask, label, sizeof label);
            if (!is_ok(p, r->range_sync) || strcmp(mask ? label : "all", series.row_labels[s]) != 0) continue;
            snprintf(steps, sizeof steps, "%llu", 1ULL << p->log_steps);
            set_rounds(&m, sb_plot_row(&m, steps), p);
        }
        char stem[48], title[600];
        snprintf(stem, sizeof stem, "scaling-rounds-%zu", s + 1);
        snprintf(title, sizeof title, "Rounds vs steps (log-log, median ms, all tables)%s%s", mask ? ": " : "",
                 mask ? series.row_labels[s] : "");
        if (m.rows > 1) draw(log, stem, &m, SB_PLOT_LOGLOG, title);
        sb_plot_free(&m);
    }
    sb_plot_free(&series);
}

/* Total medians over the values of one axis, one series per setting of the other axes that vary;
 * best_of keeps the fastest point per cell (GPU vs CPU: each backend at its best setting). style:
 * BARS puts the series on x (one cluster per axis value), LINES the axis values, LOGLOG the axis
 * as numbers (steps) on logarithmic axes. */
static void chart_axis(chart_log *log, const sb_results *r, point_pred pick, axis a, unsigned ignore,
                       sb_plot_style style, int best_of, const char *stem, const char *title) {
    const int axis_on_x = style != SB_PLOT_BARS;
    unsigned mask = varying_axes(r, pick);
    if (!(mask & (1u << a))) return;
    mask &= ~((1u << a) | ignore);
    sb_plot_matrix m = {0};
    for (size_t i = 0; i < r->n_points; i++) {
        const sb_point *p = &r->points[i];
        if (!pick(p, r->range_sync)) continue;
        char series[512], value[160];
        point_label(p, mask, series, sizeof series);
        if (!mask) snprintf(series, sizeof series, "total");
        if (style == SB_PLOT_LOGLOG) snprintf(value, sizeof value, "%llu", 1ULL << p->log_steps);
        else axis_value(p, a, value, sizeof value);
        size_t row = axis_on_x ? sb_plot_row(&m, value) : sb_plot_row(&m, series);
        size_t col = axis_on_x ? sb_plot_col(&m, series) : sb_plot_col(&m, value);
        sb_stats s;
        stats_of(sb_point_total(p), p->reps, &s);
        if (best_of) { /* skip unless faster than the cell's current value */
            int beaten = 0;
            for (size_t c = 0; c < m.n_cells; c++)
                if (m.cells[c].row == row && m.cells[c].col == col && m.cells[c].med <= s.median) beaten = 1;
            if (beaten) continue;
        }
        sb_plot_set(&m, row, col, s.median, s.min, s.max);
    }
    /* worth drawing only where one series has two values of the axis */
    int useful = 0;
    for (size_t c = 0; c < m.n_cells && !useful; c++)
        for (size_t d = c + 1; d < m.n_cells && !useful; d++)
            useful = axis_on_x ? (m.cells[c].col == m.cells[d].col && m.cells[c].row != m.cells[d].row)
                               : (m.cells[c].row == m.cells[d].row && m.cells[c].col != m.cells[d].col);
    if (useful) draw(log, stem, &m, style, title);
    sb_plot_free(&m);
}

static void write_charts(FILE *md, const sb_results *r, const char *dir, const char *history_db) {
    fprintf(md, "## Charts\n\n");
    if (!sb_plot_available()) {
        fprintf(md, "Charts skipped: gnuplot is not installed (`apt-get install gnuplot-nox`).\n\n");
        fprintf(stderr, "starkbench report: gnuplot not found on PATH: charts skipped\n");
        return;
    }
    chart_log log = {md, dir, 0};
    chart_rounds(&log, r);
    const unsigned gpu_only = (1u << AX_TPB) | (1u << AX_THRESHOLD);
    chart_axis(&log, r, is_ok, AX_STEPS, 0, SB_PLOT_LOGLOG, 0, "scaling", "Total vs steps (log-log; median, min..max)");
    chart_rounds_scaling(&log, r);
    chart_axis(&log, r, is_ok, AX_BLOWUP, 0, SB_PLOT_LINES, 0, "blowup", "Total vs blowup (median, min..max)");
    chart_axis(&log, r, is_gpu_configured, AX_TPB, 0, SB_PLOT_LINES, 0, "tpb", "Total vs threads per block (median, min..max)");
    chart_axis(&log, r, is_gpu_configured, AX_THRESHOLD, 0, SB_PLOT_LINES, 0, "threshold",
               "Total vs GPU threshold (median, min..max)");
    chart_axis(&log, r, is_ok, AX_BACKEND, gpu_only, SB_PLOT_BARS, 1, "gpu-vs-cpu", "GPU vs CPU: total, each at its fastest setting");
    if (history_db) {
        char stem[128], err[1400];
        if (sb_history_plot(history_db, "total", NULL, SB_CHANGE_MIN_STEP_PCT, dir, stem, sizeof stem, err, sizeof err) == 0) {
            fprintf(md, "### Trend over commits (%s)\n\n![trend](%s.svg)\n\n[PNG](%s.png)\n\n", history_db, stem, stem);
            log.drawn++;
        } else {
            fprintf(md, "- Trend over commits: not drawn (%s)\n", err);
            fprintf(stderr, "starkbench report: %s\n", err);
        }
    }
    if (!log.drawn) fprintf(md, "No chart applies: a single configuration and no history.\n");
    fprintf(md, "\n");
}

/* Links the profile summaries that profiles/nsys.sh and profiles/ncu.sh left in dir. */
static void write_profiles(FILE *md, const char *dir) {
    static const char *const names[] = {"nsys-summary.txt", "ncu-summary.txt"};
    int any = 0;
    for (size_t i = 0; i < 2; i++) {
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (access(path, R_OK) != 0) continue;
        if (!any++) fprintf(md, "## Profiles\n\n");
        fprintf(md, "- [%s](%s)\n", names[i], names[i]);
    }
    if (any) fprintf(md, "\n");
}

static void usage(FILE *out) {
    fprintf(out, "usage: starkbench report RESULTS.json[,MORE.json...] [--out DIR] [--history DB] [--calibration FILE]\n"
                 "  a comma-separated list (the shards of one sweep, interleaved sessions) is pooled: each point's\n"
                 "  repetitions over the files that have it\n"
                 "  --out DIR          where report.md and the charts go (default: RESULTS-report beside the file)\n"
                 "  --history DB       add the trend over commits (change points marked) from this history database\n"
                 "  --calibration FILE the card's floors for the GPU rounds' efficiency (default results/calibration.json,\n"
                 "                     written by starkbench calibrate)\n");
}

int cmd_report(int argc, char **argv) {
    const char *file = NULL, *out = NULL, *history_db = NULL, *calibration = "results/calibration.json";
    for (int i = 1; i < argc; i++) {
        int missing = 0;
        const char *v;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if ((v = sb_flag_value(argc, argv, &i, "out", &missing))) out = v;
        else if ((v = sb_flag_value(argc, argv, &i, "history", &missing))) history_db = v;
        else if ((v = sb_flag_value(argc, argv, &i, "calibration", &missing))) calibration = v;
        else if (missing) return 2;
        else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "starkbench report: unknown flag '%s' (see --help)\n", argv[i]);
            return 2;
        } else if (!file) file = argv[i];
        else {
            fprintf(stderr, "starkbench report: one results file or one comma-separated list of them ('%s' is extra)\n",
                    argv[i]);
            return 2;
        }
    }
    if (!file) {
        fprintf(stderr, "starkbench report: usage: starkbench report RESULTS.json [--out DIR] [--history DB] "
                        "[--calibration FILE] (see --help)\n");
        return 2;
    }
    char err[SB_OUTFILE_PATH_MAX + 256];
    if (history_db && sb_history_check(history_db, err, sizeof err) != 0) {
        fprintf(stderr, "starkbench report: --history %s\n", err);
        return 2;
    }
    sb_pool pool;
    if (sb_pool_load(&pool, "report", file, err, sizeof err) != 0) {
        fprintf(stderr, "starkbench report: %s\n", err);
        sb_pool_free(&pool);
        return 2;
    }
    const sb_results *r = &pool.pooled;
    file = pool.files[0]; /* a list's report goes beside its first file */
    char dir[1024], md_path[1100];
    size_t len = strlen(file);
    int n;
    if (out) n = snprintf(dir, sizeof dir, "%s", out);
    else if (len > 5 && strcmp(file + len - 5, ".json") == 0) n = snprintf(dir, sizeof dir, "%.*s-report", (int)(len - 5), file);
    else n = snprintf(dir, sizeof dir, "%s-report", file);
    snprintf(md_path, sizeof md_path, "%s/report.md", dir);
    /* report.md is a temporary until every line is written: a full disk leaves the previous one */
    sb_outfile md;
    if (n >= (int)sizeof dir) errno = ENAMETOOLONG;
    if (n >= (int)sizeof dir || sb_mkdir_p(dir) != 0) {
        fprintf(stderr, "starkbench report: %s: cannot write: %s\n", dir, strerror(errno));
        sb_pool_free(&pool);
        return 2;
    }
    if (sb_outfile_open(&md, md_path, err, sizeof err) != 0) {
        fprintf(stderr, "starkbench report: %s\n", err);
        sb_pool_free(&pool);
        return 2;
    }
    write_context(md.f, &pool);
    write_totals(md.f, r);
    write_verdicts(md.f, r);
    write_failures(md.f, r);
    write_rounds(md.f, r);
    write_efficiency(md.f, r, calibration);
    write_charts(md.f, r, dir, history_db);
    write_profiles(md.f, dir);
    sb_pool_free(&pool);
    if (sb_outfile_close(&md, err, sizeof err) != 0) {
        fprintf(stderr, "starkbench report: %s\n", err);
        return 2;
    }
    printf("report: %s\n", md_path);
    return 0;
}
