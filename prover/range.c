#include "range.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

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

void sb_ranges_init(sb_ranges *set, sb_backend *sync_backend, const sb_range_hooks *hooks) {
    memset(set, 0, sizeof *set);
    pthread_mutex_init(&set->lock, NULL);
    set->t0 = sb_now();
    set->sync_backend = sync_backend;
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
    sb_range r = {set, 0, 0};
    pthread_mutex_lock(&set->lock);
    /* A full set keeps timing into its last slot rather than losing the range. */
    r.id = set->n < SB_MAX_RANGES ? (unsigned)set->n++ : SB_MAX_RANGES - 1;
    sb_range_rec *rec = &set->recs[r.id];
    copy_name(rec->table, sizeof rec->table, table);
    copy_name(rec->name, sizeof rec->name, name);
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
    if (set->sync_backend && set->sync_backend->ops->sync) set->sync_backend->ops->sync(set->sync_backend);
    double t = sb_now();
    sb_range_rec *rec = &set->recs[r->id];
    const double delay = delay_of(rec->name, t - r->t_begin);
    if (delay > 0) { /* spin, as work would: the core stays busy */
        const double until = t + delay;
        while ((t = sb_now()) < until) {
        }
    }
    if (set->hooks.end) set->hooks.end(set->hooks.ud, r->id, rec->table, rec->name);
    if (set->nvtx) nvtx_pop();
    pthread_mutex_lock(&set->lock);
    rec->seconds = t - r->t_begin;
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

static double sum_suffix(const sb_ranges *set, const char *suffix) {
    double s = 0;
    size_t ls = strlen(suffix);
    for (size_t i = 0; i < set->n; i++) {
        const sb_range_rec *rec = &set->recs[i];
        size_t ln = strlen(rec->name);
        if (rec->table[0] && ln >= ls && strcmp(rec->name + ln - ls, suffix) == 0) s += rec->seconds;
    }
    return s;
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
            if (strcmp(set->recs[j].table, table) == 0)
                fprintf(out, "  %-20s %10.3f ms\n", set->recs[j].name, 1e3 * set->recs[j].seconds);
    }
    fprintf(out, "%-22s %10.3f ms\n", "Total LDE", 1e3 * sum_suffix(set, " LDE"));
    fprintf(out, "%-22s %10.3f ms\n", "Total Merkle", 1e3 * sum_suffix(set, " commit"));
    fprintf(out, "%-22s %10.3f ms\n", "Total", 1e3 * sb_ranges_sum(set, "", "prove"));
}
