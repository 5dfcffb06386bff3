#include "range.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "range_names.h"

#ifdef SB_HAVE_NVTX
#include <nvtx3/nvToolsExt.h>

static nvtxDomainHandle_t nvtx_domain;
static pthread_once_t nvtx_once = PTHREAD_ONCE_INIT;
static void nvtx_domain_create(void) { nvtx_domain = nvtxDomainCreateA("starkbench"); }

static void nvtx_push(const char *name) {
    pthread_once(&nvtx_once, nvtx_domain_create);
    nvtxEventAttributes_t a;
    memset(&a, 0, sizeof a);
    a.version = NVTX_VERSION;
    a.size = NVTX_EVENT_ATTRIB_STRUCT_SIZE;
    a.messageType = NVTX_MESSAGE_TYPE_ASCII;
    a.message.ascii = name;
    nvtxDomainRangePushEx(nvtx_domain, &a);
}
static void nvtx_pop(void) { nvtxDomainRangePop(nvtx_domain); }
#else
static void nvtx_push(const char *name) { (void)name; }
static void nvtx_pop(void) {}
#endif

double sb_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void sb_ranges_init(sb_ranges *set, sb_backend *be, int range_sync, const sb_range_hooks *hooks) {
    memset(set, 0, sizeof *set);
    pthread_mutex_init(&set->lock, NULL);
    set->t0 = sb_now();
    set->backend = be;
    set->range_sync = be && range_sync;
    const char *nvtx = getenv("STARKBENCH_NVTX");
    set->nvtx = !(nvtx && strcmp(nvtx, "off") == 0);
    if (hooks) set->hooks = *hooks;
}

void sb_ranges_destroy(sb_ranges *set) { pthread_mutex_destroy(&set->lock); }

static void copy_name(char *dst, size_t cap, const char *src) {
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) n = cap - 1;
    if (n) memcpy(dst, src, n);
    dst[n] = 0;
}

sb_range sb_range_begin(sb_ranges *set, const char *table, const char *name) {
    sb_range r = {set, 0, 0, set->backend ? sb_backend_mem_watch(set->backend) : -1};
    pthread_mutex_lock(&set->lock);
    /* A full set keeps timing into its last slot rather than losing the range. */
    r.id = set->n < SB_MAX_RANGES ? (unsigned)set->n++ : SB_MAX_RANGES - 1;
    sb_range_rec *rec = &set->recs[r.id];
    copy_name(rec->table, sizeof rec->table, table);
    copy_name(rec->name, sizeof rec->name, name);
    for (int s = 0; s < SB_MEM_SPACES; s++) rec->mem_peak[s] = NAN;
    pthread_mutex_unlock(&set->lock);
    if (set->nvtx) nvtx_push(name);
    if (set->hooks.begin) set->hooks.begin(set->hooks.ud, r.id, table ? table : "", name);
    r.t_begin = sb_now();
    rec->start = r.t_begin - set->t0;
    return r;
}

int sb_delay_parse(const char *value, char name[SB_RANGE_NAME_LEN], double *pct, char *err, size_t errlen) {
    const char *colon = strrchr(value, ':');
    char *end;
    if (!colon || colon == value || (size_t)(colon - value) >= SB_RANGE_NAME_LEN) {
        snprintf(err, errlen, "%s '%s' must be \"RANGE NAME:PERCENT\", e.g. \"R2 evaluate:5\"", SB_DELAY_ENV, value);
        return -1;
    }
    *pct = strtod(colon + 1, &end);
    if (end == colon + 1 || *end || !(*pct > 0 && *pct <= 1000)) {
        snprintf(err, errlen, "%s '%s': the percentage must be a number in (0, 1000]", SB_DELAY_ENV, value);
        return -1;
    }
    memcpy(name, value, (size_t)(colon - value));
    name[colon - value] = 0;
    return 0;
}

/* The delay STARKBENCH_DELAY_ROUND asks of a range named `name` that took `seconds`, or 0. */
static double delay_of(const char *name, double seconds) {
    const char *v = getenv(SB_DELAY_ENV);
    char target[SB_RANGE_NAME_LEN], err[8];
    double pct;
    if (!v || !*v || sb_delay_parse(v, target, &pct, err, sizeof err) != 0 || strcmp(target, name) != 0) return 0;
    return seconds * pct / 100;
}

void sb_range_end(sb_range *r) {
    sb_ranges *set = r->set;
    sb_range_rec *rec = &set->recs[r->id];
    if (set->range_sync) set->backend->ops->sync(set->backend, rec->table);
    double t = sb_now();
    const double delay = delay_of(rec->name, t - r->t_begin);
    if (delay > 0) { /* spin, as work would: the core stays busy */
        const double until = t + delay;
        while ((t = sb_now()) < until) {
        }
    }
    uint64_t peak[SB_MEM_SPACES];
    if (r->mem_watch >= 0) sb_backend_mem_unwatch(set->backend, r->mem_watch, peak);
    if (set->hooks.end) set->hooks.end(set->hooks.ud, r->id, rec->table, rec->name);
    if (set->nvtx) nvtx_pop();
    pthread_mutex_lock(&set->lock);
    rec->seconds = t - r->t_begin;
    for (int s = 0; s < SB_MEM_SPACES; s++)
        rec->mem_peak[s] = r->mem_watch >= 0 && (set->backend->ops->mem_spaces >> s & 1) ? (double)peak[s] : NAN;
    pthread_mutex_unlock(&set->lock);
}

double sb_ranges_sum(const sb_ranges *set, const char *table, const char *name) {
    double s = 0;
    for (size_t i = 0; i < set->n; i++) {
        const sb_range_rec *rec = &set->recs[i];
        if (table && strcmp(rec->table, table) != 0) continue;
        if (strcmp(rec->name, name) == 0) s += rec->seconds;
    }
    return s;
}

/* Sums every table's ranges that add to total t. */
static double sum_total(const sb_ranges *set, sb_range_total t) {
    double s = 0;
    for (size_t i = 0; i < set->n; i++) {
        const sb_range_rec *rec = &set->recs[i];
        const sb_range_def *d = sb_range_find(rec->name);
        if (rec->table[0] && d && d->total == t) s += rec->seconds;
    }
    return s;
}

/* Ends a line with rec's memory peaks, "   peak host X MiB, device Y MiB", where it has any. */
static void print_peaks(FILE *out, const sb_range_rec *rec) {
    if (isnan(rec->mem_peak[SB_MEM_HOST]) && isnan(rec->mem_peak[SB_MEM_DEVICE])) {
        fprintf(out, "\n");
        return;
    }
    char v[SB_MEM_SPACES][24];
    for (int s = 0; s < SB_MEM_SPACES; s++)
        if (isnan(rec->mem_peak[s])) snprintf(v[s], sizeof v[s], "n/a");
        else snprintf(v[s], sizeof v[s], "%.1f MiB", rec->mem_peak[s] / (1 << 20));
    fprintf(out, "   peak host %s, device %s\n", v[SB_MEM_HOST], v[SB_MEM_DEVICE]);
}

void sb_ranges_print(const sb_ranges *set, FILE *out) {
    fprintf(out, "=== PROVER TIMING ===\n");
    /* Tables in order of first appearance, ranges in recorded order. */
    for (size_t i = 0; i < set->n; i++) {
        const char *table = set->recs[i].table;
        if (!table[0]) continue;
        int seen = 0;
        for (size_t j = 0; j < i; j++)
            if (strcmp(set->recs[j].table, table) == 0) seen = 1;
        if (seen) continue;
        fprintf(out, "table %s\n", table);
        for (size_t j = i; j < set->n; j++)
            if (strcmp(set->recs[j].table, table) == 0) {
                fprintf(out, "  %-20s %10.3f ms", set->recs[j].name, 1e3 * set->recs[j].seconds);
                print_peaks(out, &set->recs[j]);
            }
    }
    fprintf(out, "%-22s %10.3f ms\n", "Total LDE", 1e3 * sum_total(set, SB_TOTAL_LDE));
    fprintf(out, "%-22s %10.3f ms\n", "Total Merkle", 1e3 * sum_total(set, SB_TOTAL_MERKLE));
    fprintf(out, "%-22s %10.3f ms", "Total", 1e3 * sb_ranges_sum(set, "", SB_RANGE_NAME(SB_PROVE)));
    const sb_range_rec *whole = NULL;
    for (size_t i = 0; i < set->n; i++)
        if (!set->recs[i].table[0] && strcmp(set->recs[i].name, SB_RANGE_NAME(SB_PROVE)) == 0) whole = &set->recs[i];
    if (whole) print_peaks(out, whole);
    else fprintf(out, "\n");
}
