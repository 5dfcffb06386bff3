#include "explain.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static double median_of(const sb_point *p, const char *key) {
    const sb_metric *m = sb_point_find(p, key);
    return m ? sb_median(m->values, p->reps) : NAN;
}

/* The kernel prefix of metric keys in this scope: "kernel:" (the whole proof) or "<round>:kernel:". */
static void scope_prefix(const char *metric, char *out, size_t cap) {
    if (strcmp(metric, "total") == 0) snprintf(out, cap, "kernel:");
    else snprintf(out, cap, "%s:kernel:", metric);
}

static int has_kernels(const sb_point *p) {
    for (size_t i = 0; i < p->n_metrics; i++)
        if (strncmp(p->metrics[i].key, "kernel:", 7) == 0) return 1;
    return 0;
}

/* The kernel name of key "<prefix><name>:ms", into name; 0 when key is not such a key. */
static int kernel_of(const char *key, const char *prefix, char *name, size_t cap) {
    size_t lp = strlen(prefix), lk = strlen(key);
    if (strncmp(key, prefix, lp) != 0 || lk < lp + 4 || strcmp(key + lk - 3, ":ms") != 0) return 0;
    snprintf(name, cap, "%.*s", (int)(lk - lp - 3), key + lp);
    return strchr(name, ':') == NULL; /* "<round>:kernel:N:ms" must not match the whole-proof prefix */
}

static void fill(sb_kernel_delta *d, const sb_point *b, const sb_point *c, const char *prefix) {
    static const char *const cfg[SB_KCFG_COUNT] = {"grid", "block", "regs", "static_smem", "dynamic_smem"};
    char key[300];
    const sb_point *side[2] = {b, c};
    for (int s = 0; s < 2; s++) {
        snprintf(key, sizeof key, "%s%s:ms", prefix, d->name);
        double ms = median_of(side[s], key);
        snprintf(key, sizeof key, "%s%s:launches", prefix, d->name);
        double launches = median_of(side[s], key);
        *(s ? &d->cand_ms : &d->base_ms) = isnan(ms) ? 0 : ms;
        *(s ? &d->cand_launches : &d->base_launches) = isnan(launches) ? 0 : launches;
        for (int k = 0; k < SB_KCFG_COUNT; k++) {
            snprintf(key, sizeof key, "kernel:%s:%s", d->name, cfg[k]);
            (s ? d->cand_cfg : d->base_cfg)[k] = median_of(side[s], key);
        }
    }
}

/* Median over the repetitions of the sum of every range's memcpy figure `what` ("memcpy_ms", "memcpy_bytes"). */
static double proof_memcpy(const sb_point *p, const char *what) {
    double *sum = malloc((p->reps ? p->reps : 1) * sizeof *sum);
    if (!sum) return NAN;
    int any = 0;
    for (size_t r = 0; r < p->reps; r++) sum[r] = NAN;
    size_t lw = strlen(what);
    for (size_t i = 0; i < p->n_metrics; i++) {
        const char *key = p->metrics[i].key;
        size_t lk = strlen(key);
        if (strncmp(key, "kernel:", 7) == 0 || lk <= lw + 1 || key[lk - lw - 1] != ':' || strcmp(key + lk - lw, what))
            continue;
        if (strstr(key, ":kernel:")) continue;
        any = 1;
        for (size_t r = 0; r < p->reps; r++) {
            double v = p->metrics[i].values[r];
            if (!isnan(v)) sum[r] = (isnan(sum[r]) ? 0 : sum[r]) + v;
        }
    }
    double med = any ? sb_median(sum, p->reps) : NAN;
    free(sum);
    return med;
}

static double scope_memcpy(const sb_point *p, const char *metric, const char *what) {
    if (strcmp(metric, "total") == 0) return proof_memcpy(p, what);
    char key[300];
    snprintf(key, sizeof key, "%s:%s", metric, what);
    return median_of(p, key);
}

static int by_change(const void *x, const void *y) {
    const sb_kernel_delta *a = x, *b = y;
    double da = fabs(a->cand_ms - a->base_ms), db = fabs(b->cand_ms - b->base_ms);
    return (da < db) - (da > db);
}

void sb_explain(const sb_point *b, const sb_point *c, const char *metric, sb_explanation *e) {
    memset(e, 0, sizeof *e);
    e->base_cupti = has_kernels(b);
    e->cand_cupti = has_kernels(c);
    char prefix[200], name[sizeof e->k[0].name];
    scope_prefix(metric, prefix, sizeof prefix);
    /* every kernel either side launched in the scope */
    size_t n = 0, cap = b->n_metrics + c->n_metrics;
    sb_kernel_delta *all = calloc(cap ? cap : 1, sizeof *all);
    const sb_point *side[2] = {b, c};
    for (int s = 0; s < 2 && all; s++)
        for (size_t i = 0; i < side[s]->n_metrics; i++) {
            if (!kernel_of(side[s]->metrics[i].key, prefix, name, sizeof name)) continue;
            size_t j = 0;
            while (j < n && strncmp(all[j].name, name, sizeof all[j].name - 1) != 0) j++;
            if (j == n) snprintf(all[n++].name, sizeof all[0].name, "%s", name);
        }
    for (size_t j = 0; j < n; j++) fill(&all[j], b, c, prefix);
    qsort(all, n, sizeof *all, by_change);
    e->n = n < SB_EXPLAIN_TOP ? n : SB_EXPLAIN_TOP;
    if (all) memcpy(e->k, all, e->n * sizeof *all);
    free(all);
    e->base_memcpy_ms = scope_memcpy(b, metric, "memcpy_ms");
    e->cand_memcpy_ms = scope_memcpy(c, metric, "memcpy_ms");
    e->base_memcpy_bytes = scope_memcpy(b, metric, "memcpy_bytes");
    e->cand_memcpy_bytes = scope_memcpy(c, metric, "memcpy_bytes");
}

/* Appends " name a -> b" to buf for each configuration figure that differs. */
static void cfg_changes(const sb_kernel_delta *d, const char *arrow, char *buf, size_t cap) {
    static const char *const names[SB_KCFG_COUNT] = {"grid", "block", "regs/thread", "static smem", "dynamic smem"};
    buf[0] = 0;
    for (int k = 0; k < SB_KCFG_COUNT; k++) {
        double a = d->base_cfg[k], b = d->cand_cfg[k];
        if ((isnan(a) && isnan(b)) || a == b) continue;
        size_t len = strlen(buf);
        char sa[24] = "-", sb[24] = "-";
        if (!isnan(a)) snprintf(sa, sizeof sa, "%.0f", a);
        if (!isnan(b)) snprintf(sb, sizeof sb, "%.0f", b);
        snprintf(buf + len, cap - len, "%s%s %s %s %s", len ? ", " : "; ", names[k], sa, arrow, sb);
    }
}

void sb_explain_write(FILE *f, const sb_explanation *e, int markdown, const char *indent) {
    const char *arrow = markdown ? "→" : "->";
    const char *item = markdown ? "- " : "";
    if (!e->base_cupti || !e->cand_cupti) {
        fprintf(f, "%s%sno CUPTI kernel records in the %s: nothing to explain it with (sweep --cupti on a GPU)\n", indent,
                item, !e->base_cupti && !e->cand_cupti ? "base or the candidate" : !e->base_cupti ? "base" : "candidate");
        return;
    }
    if (!e->n) fprintf(f, "%s%sno kernel ran in this range on either side\n", indent, item);
    for (size_t i = 0; i < e->n; i++) {
        const sb_kernel_delta *d = &e->k[i];
        char cfg[300], b[24], c[24];
        cfg_changes(d, arrow, cfg, sizeof cfg);
        fprintf(f, "%s%skernel %s%s%s %s %s %s ms (%+.3f ms; launches %.0f %s %.0f)%s\n", indent, item, markdown ? "`" : "",
                d->name, markdown ? "`" : "", sb_format_ms(d->base_ms, b), arrow, sb_format_ms(d->cand_ms, c),
                d->cand_ms - d->base_ms, d->base_launches, arrow, d->cand_launches, cfg);
    }
    if (!isnan(e->base_memcpy_bytes) || !isnan(e->cand_memcpy_bytes)) {
        char b[24], c[24];
        fprintf(f, "%s%smemcpy %.0f %s %.0f bytes (%+.0f), %s %s %s ms\n", indent, item, e->base_memcpy_bytes, arrow,
                e->cand_memcpy_bytes, e->cand_memcpy_bytes - e->base_memcpy_bytes, sb_format_ms(e->base_memcpy_ms, b),
                arrow, sb_format_ms(e->cand_memcpy_ms, c));
    }
}
