#include "pool.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "stats.h"

static void *checked(void *p) {
    if (!p) {
        fprintf(stderr, "starkbench: out of memory\n");
        exit(2);
    }
    return p;
}

int sb_pool_split(char *list, const char **files) {
    int n = 0;
    for (char *f = list, *next; f; f = next) {
        next = strchr(f, ',');
        if (next) *next++ = 0;
        if (!*f) return -1;
        files[n++] = f;
    }
    return n;
}

static const sb_point *find_point(const sb_results *r, const char *name) {
    for (size_t i = 0; i < r->n_points; i++)
        if (strcmp(r->points[i].name, name) == 0) return &r->points[i];
    return NULL;
}

/* Two shards of one split (sweep --shard): they may come from separate machines. */
static int other_shard(const sb_results *a, const sb_results *b) {
    return a->shard_count && a->shard_count == b->shard_count && a->shard_index != b->shard_index;
}

/* Returns 0 when file ib measured what file 0 did (machine, GPU, build type, range sync),
 * else -1 with a reason in err. */
static int check_same_setup(const sb_pool *s, const sb_results *a, const sb_results *b, size_t ib, char *err,
                            size_t errlen) {
    static const char *const names[] = {"machine", "GPU", "build type", "range sync"};
    const char *va[] = {a->host_name, a->gpu_name, a->build_type, a->range_sync ? "on" : "off"};
    const char *vb[] = {b->host_name, b->gpu_name, b->build_type, b->range_sync ? "on" : "off"};
    for (int k = 0; k < 4; k++)
        if (strcmp(va[k], vb[k]) != 0 && !(k == 0 && other_shard(a, b))) {
            snprintf(err, errlen, "%s and %s differ in %s ('%s' vs '%s'): pool only runs of one setup", s->files[0],
                     s->files[ib], names[k], va[k], vb[k]);
            return -1;
        }
    return 0;
}

/* Adds the repetitions of x (a point of file g) to the pooled point ip at offset at; first: x is
 * the point ip was copied from. Returns 0, or -1 with a reason in err when the two cannot pool. */
static int pool_into(sb_pool *s, const sb_results *in, size_t ip, size_t at, const sb_point *x, size_t g, size_t first,
                     char *err, size_t errlen) {
    sb_point *p = &s->pooled.points[ip];
    if (strcmp(p->backend_used, x->backend_used) != 0) {
        snprintf(err, errlen, "%s ran on %s in %s but on %s in %s: not one configuration", p->name, p->backend_used,
                 s->files[first], x->backend_used, s->files[g]);
        return -1;
    }
    if (strcmp(in[first].host_name, in[g].host_name) != 0) {
        snprintf(err, errlen, "%s was measured on %s (%s) and on %s (%s): pool only runs of one machine", p->name,
                 in[first].host_name, s->files[first], in[g].host_name, s->files[g]);
        return -1;
    }
    memcpy(p->real_time_ms + at, x->real_time_ms, x->reps * sizeof(double));
    memcpy(p->cpu_time_ms + at, x->cpu_time_ms, x->reps * sizeof(double));
    for (size_t m = 0; m < x->n_metrics; m++)
        memcpy(sb_point_metric(p, x->metrics[m].key)->values + at, x->metrics[m].values, x->reps * sizeof(double));
    if (g == first) return 0;
    p->n_throttled += x->n_throttled;
    if (strcmp(p->status, "ok") == 0 && strcmp(x->status, "ok") != 0) {
        snprintf(p->status, sizeof p->status, "%s", x->status);
        snprintf(p->error, sizeof p->error, "%.200s (in %s)", x->error, s->files[g]);
    }
    p->digest_mismatch |= x->digest_mismatch;
    if (p->proof_digest[0] && x->proof_digest[0] && strcmp(p->proof_digest, x->proof_digest) != 0 && s->n_commits == 1)
        s->unstable[ip] = 1;
    if (sb_verdict_rank(x->verdict) > sb_verdict_rank(p->verdict)) {
        snprintf(p->verdict, sizeof p->verdict, "%s", x->verdict);
        snprintf(p->verdict_reason, sizeof p->verdict_reason, "%s", x->verdict_reason);
    }
    return 0;
}

/* Pools the loaded files in[0..s->n_files) into s->pooled: points in order of first appearance,
 * each with the repetitions of every file that has it, in file order. Returns 0 or -1. */
static int pool_files(sb_pool *s, const sb_results *in, char *err, size_t errlen) {
    size_t max_points = 0;
    for (size_t f = 0; f < s->n_files; f++) max_points += in[f].n_points;
    s->unstable = checked(calloc(max_points + 1, 1));
    s->sessions = checked(calloc(max_points + 1, sizeof *s->sessions));
    s->pooled = in[0];
    s->pooled.points = NULL;
    s->pooled.n_points = 0;
    for (size_t f = 0; f < s->n_files; f++)
        for (size_t i = 0; i < in[f].n_points; i++) {
            const sb_point *q = &in[f].points[i];
            if (find_point(&s->pooled, q->name)) continue;
            size_t reps = 0;
            for (size_t g = f; g < s->n_files; g++) {
                const sb_point *x = find_point(&in[g], q->name);
                reps += x ? x->reps : 0;
            }
            sb_point *p = sb_results_add_point(&s->pooled, reps);
            double *real = p->real_time_ms, *cpu = p->cpu_time_ms;
            /* the configuration and outcome of q, with its fallback records */
            *p = *q;
            p->reps = reps;
            p->real_time_ms = real;
            p->cpu_time_ms = cpu;
            p->raw_real_time_ms = p->raw_cpu_time_ms = NULL; /* pooled values are the usable ones */
            p->n_metrics = 0, p->metrics = NULL;
            size_t logged = q->n_fallbacks < SB_MAX_FALLBACKS ? q->n_fallbacks : SB_MAX_FALLBACKS;
            p->fallbacks = q->fallbacks ? checked(malloc(logged * sizeof *p->fallbacks + 1)) : NULL;
            if (p->fallbacks) memcpy(p->fallbacks, q->fallbacks, logged * sizeof *p->fallbacks);
            sb_pool_sessions *sessions = &s->sessions[s->pooled.n_points - 1];
            sessions->reps = checked(malloc((s->n_files - f) * sizeof *sessions->reps));
            size_t at = 0;
            for (size_t g = f; g < s->n_files; g++) {
                const sb_point *x = find_point(&in[g], q->name);
                if (!x) continue;
                if (pool_into(s, in, s->pooled.n_points - 1, at, x, g, f, err, errlen) != 0) return -1;
                at += x->reps;
                sessions->reps[sessions->n++] = x->reps;
            }
        }
    return 0;
}

/* Notes file i's shard: s->shard_count stays N while every file is a shard of an N-way split. */
static void note_shard(sb_pool *s, const sb_results *r, size_t i) {
    if (i == 0) s->shard_count = r->shard_count;
    if (!r->shard_count || r->shard_count != s->shard_count) s->shard_count = 0;
    if (s->shard_count) s->shards[r->shard_index] = 1;
}

/* The median of the files' CPU (gpu = 0) or GPU noise probes, NAN when none has one: one probe a
 * stall inflated does not silence the gate for the whole side. */
static double median_noise(const sb_results *in, size_t n, int gpu) {
    double *v = checked(malloc(n * sizeof *v));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const double x = gpu ? in[i].noise_gpu_pct : in[i].noise_cpu_pct;
        if (!isnan(x)) v[k++] = x;
    }
    const double m = k ? sb_median(v, k) : NAN;
    free(v);
    return m;
}

int sb_pool_load(sb_pool *s, const char *label, const char *arg, char *err, size_t errlen) {
    memset(s, 0, sizeof *s);
    s->label = label;
    s->noise_cpu_pct = s->noise_gpu_pct = NAN;
    s->arg = checked(strdup(arg));
    s->files = checked(calloc(strlen(arg) + 1, sizeof *s->files));
    int n = sb_pool_split(s->arg, s->files);
    if (n < 0) {
        snprintf(err, errlen, "empty file name in the %s list '%s'", label, arg);
        return -1;
    }
    s->n_files = (size_t)n;
    sb_results *in = checked(calloc(s->n_files, sizeof *in));
    size_t loaded = 0;
    int rc = -1;
    for (size_t i = 0; i < s->n_files; i++) {
        struct stat si, sj;
        for (size_t j = 0; j < i; j++)
            if (stat(s->files[i], &si) == 0 && stat(s->files[j], &sj) == 0 && si.st_dev == sj.st_dev &&
                si.st_ino == sj.st_ino) {
                snprintf(err, errlen, "%s is given twice for the %s (its repetitions would count twice)", s->files[i],
                         label);
                goto out;
            }
        if (sb_results_load(&in[i], s->files[i], err, errlen) != 0) goto out;
        loaded++;
        if (i > 0 && check_same_setup(s, &in[0], &in[i], i, err, errlen) != 0) goto out;
        note_shard(s, &in[i], i);
        int seen = 0;
        for (size_t j = 0; j < i; j++) seen |= strcmp(in[j].git_commit, in[i].git_commit) == 0;
        if (!seen) {
            const char *c = in[i].git_commit[0] ? in[i].git_commit : "unknown";
            size_t len = strlen(s->commits);
            snprintf(s->commits + len, sizeof s->commits - len, "%s%s", len ? ", " : "", c);
            s->n_commits++;
        }
    }
    s->noise_cpu_pct = median_noise(in, s->n_files, 0);
    s->noise_gpu_pct = median_noise(in, s->n_files, 1);
    rc = pool_files(s, in, err, errlen);
out:
    for (size_t i = 0; i < loaded; i++) sb_results_free(&in[i]);
    free(in);
    return rc;
}

void sb_pool_free(sb_pool *s) {
    for (size_t i = 0; s->sessions && i < s->pooled.n_points; i++) free(s->sessions[i].reps);
    free(s->sessions);
    sb_results_free(&s->pooled);
    free(s->unstable);
    free(s->files);
    free(s->arg);
}

/* The smallest non-NAN value of v[0..n), or NAN. */
static double min_value(const double *v, size_t n) {
    double m = NAN;
    for (size_t i = 0; i < n; i++) m = fmin(m, v[i]); /* fmin skips a NAN */
    return m;
}

size_t sb_pool_session_stats(const sb_pool_sessions *s, const double *values, sb_session_stat stat, double *out) {
    size_t n = 0, at = 0;
    for (size_t k = 0; k < s->n; at += s->reps[k++]) {
        out[k] = stat == SB_SESSION_MIN ? min_value(values + at, s->reps[k]) : sb_median(values + at, s->reps[k]);
        n += !isnan(out[k]);
    }
    return n;
}
