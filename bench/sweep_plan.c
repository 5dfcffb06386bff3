#include "sweep_plan.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

static const char *const axis_flags[SB_AX_TPB] = {"steps", "blowup", "backend", "gpu-threshold", "tp", "threads"};

/* Parses one value of a non-tpb axis. Returns 0 or -1 with a reason. */
static int parse_value(int axis, const char *s, uint64_t *v, char *err, size_t errlen) {
    switch (axis) {
    case SB_AX_STEPS: {
        int parsed = sb_parse_count(s, 0, v);
        if (parsed == 0 && *v && (*v & (*v - 1)) == 0 && *v <= (1ULL << 30)) {
            unsigned k = 0;
            while ((1ULL << k) < *v) k++;
            *v = k;
            return 0;
        }
        if ((parsed != 0 && errno == ERANGE) || (parsed == 0 && *v > (1ULL << 30)))
            snprintf(err, errlen, "--steps: '%s' is over the limit 2^30", s);
        else snprintf(err, errlen, "--steps: '%s' is not a power of two up to 2^30", s);
        return -1;
    }
    case SB_AX_BLOWUP:
        if (sb_parse_count(s, 0, v) == 0 && (*v == 2 || *v == 4 || *v == 8)) return 0;
        snprintf(err, errlen, "--blowup: '%s' must be 2, 4 or 8", s);
        return -1;
    case SB_AX_BACKEND: {
        sb_backend_kind k;
        if (sb_parse_backend(s, &k) == 0) {
            *v = k;
            return 0;
        }
        snprintf(err, errlen, "--backend: '%s' must be cpu, gpu or auto", s);
        return -1;
    }
    case SB_AX_THRESHOLD:
        if (sb_parse_count(s, 1, v) == 0) return 0;
        snprintf(err, errlen, "--gpu-threshold: '%s' must be a row count or 'inf'", s);
        return -1;
    default: /* tp, threads */
        if (sb_parse_count(s, 0, v) == 0 && *v >= 1 && *v <= 1024) return 0;
        snprintf(err, errlen, "--%s: '%s' must be an integer in [1, 1024]", axis_flags[axis], s);
        return -1;
    }
}

static int push(sb_axis *ax, uint64_t v, const char *flag, char *err, size_t errlen) {
    if (ax->n == SB_AXIS_MAX) {
        snprintf(err, errlen, "--%s: more than %d values", flag, SB_AXIS_MAX);
        return -1;
    }
    ax->v[ax->n++] = v;
    return 0;
}

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = 0;
    return s;
}

static int set_tpb(sb_sweep_axes *a, char *list, char *err, size_t errlen) {
    int kernel = -1;
    if (!list[strspn(list, ", \t")]) {
        snprintf(err, errlen, "--tpb: empty list (NAME=N,N,...)");
        return -1;
    }
    char *save = NULL;
    for (char *item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        item = trim(item);
        char *eq = strchr(item, '=');
        const char *val = item;
        if (eq) {
            *eq = 0;
            kernel = sb_kernel_lookup(trim(item));
            if (kernel < 0) {
                snprintf(err, errlen, "--tpb: unknown kernel '%s' (see 'starkbench kernels')", item);
                return -1;
            }
            a->ax[SB_AX_TPB + kernel].n = 0;
            val = trim(eq + 1);
        } else if (kernel < 0) {
            snprintf(err, errlen, "--tpb: '%s' names no kernel (NAME=N,N,...)", item);
            return -1;
        }
        uint64_t v;
        if (sb_parse_count(val, 0, &v) != 0 || v == 0 || v > 1024 || v % 32 != 0) {
            snprintf(err, errlen, "--tpb: %s=%s is not a positive multiple of 32 up to 1024", sb_kernel_names[kernel], val);
            return -1;
        }
        if (push(&a->ax[SB_AX_TPB + kernel], v, "tpb", err, errlen) != 0) return -1;
    }
    return 0;
}

int sb_axes_set(sb_sweep_axes *a, const char *name, const char *list, char *err, size_t errlen) {
    char buf[1024];
    if (strlen(list) >= sizeof buf) {
        snprintf(err, errlen, "--%s: list too long", name);
        return -1;
    }
    strcpy(buf, list);
    if (strcmp(name, "tpb") == 0) return set_tpb(a, buf, err, errlen) == 0 ? 1 : -1;
    int axis = -1;
    for (int i = 0; i < SB_AX_TPB; i++)
        if (strcmp(name, axis_flags[i]) == 0) axis = i;
    if (axis < 0) return 0;
    sb_axis *ax = &a->ax[axis];
    ax->n = 0;
    char *save = NULL;
    for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        uint64_t v;
        if (parse_value(axis, trim(item), &v, err, errlen) != 0 || push(ax, v, name, err, errlen) != 0) return -1;
    }
    if (ax->n == 0) {
        snprintf(err, errlen, "--%s: empty list", name);
        return -1;
    }
    return 1;
}

void sb_axes_override(sb_sweep_axes *dst, const sb_sweep_axes *src) {
    for (int i = 0; i < SB_AX_COUNT; i++)
        if (src->ax[i].n) dst->ax[i] = src->ax[i];
    if (src->zip) dst->zip = 1;
}

static int parse_yes_no(const char *v, int *out) {
    if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1")) *out = 1;
    else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0")) *out = 0;
    else return -1;
    return 0;
}

/* Applies a global-only key. Returns 1 when it was one, 0 when not, -1 on a bad value. */
static int suite_option(sb_suite_options *o, const char *key, const char *val, char *err, size_t errlen) {
    char *end;
    errno = 0;
    if (!strcmp(key, "runs") || !strcmp(key, "warmup")) {
        unsigned long v = strtoul(val, &end, 10);
        if (errno || *end || end == val || v > 100000 || (!strcmp(key, "runs") && v == 0)) {
            snprintf(err, errlen, "%s '%s' is not a count", key, val);
            return -1;
        }
        *(!strcmp(key, "runs") ? &o->runs : &o->warmup) = (unsigned)v;
        return 1;
    }
    if (!strcmp(key, "timeout")) {
        double v = strtod(val, &end);
        if (errno || *end || end == val || !(v > 0)) {
            snprintf(err, errlen, "timeout '%s' is not a positive number of seconds", val);
            return -1;
        }
        o->timeout_s = v;
        return 1;
    }
    return 0;
}

int sb_suite_load(const char *path, sb_sweep_axes **groups, sb_suite_options *opts, char *err, size_t errlen) {
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    memset(opts, 0, sizeof *opts);
    sb_sweep_axes defaults;
    memset(&defaults, 0, sizeof defaults);
    sb_sweep_axes *g = NULL;
    size_t n = 0;
    char line[1024], why[256];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *s = trim(line);
        if (!*s) continue;
        if (*s == '[') {
            sb_sweep_axes *grown = realloc(g, (n + 1) * sizeof *g);
            if (!grown || s[strlen(s) - 1] != ']') {
                if (grown) g = grown;
                snprintf(why, sizeof why, "a section header is \"[name]\"");
                rc = -1;
                break;
            }
            g = grown;
            g[n++] = defaults;
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(why, sizeof why, "expected \"key = value\"");
            rc = -1;
            break;
        }
        *eq = 0;
        char *key = trim(s), *val = trim(eq + 1);
        sb_sweep_axes *target = n ? &g[n - 1] : &defaults;
        int r = suite_option(opts, key, val, why, sizeof why);
        if (r == 1 && n) {
            snprintf(why, sizeof why, "'%s' is global: put it before the first section", key);
            r = -1;
        }
        if (r == 0 && !strcmp(key, "zip")) r = parse_yes_no(val, &target->zip) == 0 ? 1 : -1;
        if (r == -1 && !strcmp(key, "zip")) snprintf(why, sizeof why, "zip must be yes or no");
        if (r == 0) r = sb_axes_set(target, key, val, why, sizeof why);
        if (r == 0) snprintf(why, sizeof why, "unknown key '%s'", key);
        if (r != 1) rc = -1;
    }
    if (rc == 0 && ferror(f)) { /* a directory opens, then fails on the first read */
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        fclose(f);
        free(g);
        return -1;
    }
    fclose(f);
    if (rc != 0) {
        snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
        free(g);
        return -1;
    }
    if (n == 0) {
        g = malloc(sizeof *g);
        if (!g) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        g[n++] = defaults;
    }
    *groups = g;
    return (int)n;
}

static void apply_axis(int axis, uint64_t v, sb_point_config *c) {
    switch (axis) {
    case SB_AX_STEPS: c->log_steps = (unsigned)v; break;
    case SB_AX_BLOWUP: c->blowup = (unsigned)v; break;
    case SB_AX_BACKEND: c->backend = (sb_backend_kind)v; break;
    case SB_AX_THRESHOLD: c->threshold = v; break;
    case SB_AX_TP: c->tp = (unsigned)v; break;
    case SB_AX_THREADS: c->threads = (unsigned)v; break;
    default: c->tpb[axis - SB_AX_TPB] = (unsigned)v; break;
    }
}

size_t sb_axes_count(const sb_sweep_axes *a) {
    size_t count = 1;
    for (int i = 0; i < SB_AX_COUNT; i++) {
        size_t len = a->ax[i].n;
        if (!len) continue;
        if (a->zip) count = len > count ? len : count;
        else count = count > SIZE_MAX / len ? SIZE_MAX : count * len;
    }
    return count;
}

int sb_axes_expand(const sb_sweep_axes *a, const sb_point_config *base, sb_point_config **cfgs, size_t *n, char *err,
                   size_t errlen) {
    size_t count = sb_axes_count(a), idx[SB_AX_COUNT] = {0};
    for (int i = 0; a->zip && i < SB_AX_COUNT; i++)
        if (a->ax[i].n > 1 && a->ax[i].n != count) {
            snprintf(err, errlen, "--zip: axes have different lengths (%zu and %zu values)", a->ax[i].n, count);
            return -1;
        }
    sb_point_config *grown = count <= SIZE_MAX / sizeof *grown - *n ? realloc(*cfgs, (*n + count) * sizeof *grown) : NULL;
    if (!grown) {
        snprintf(err, errlen, "out of memory for %zu configurations", count);
        return -1;
    }
    *cfgs = grown;
    for (size_t p = 0; p < count; p++) {
        sb_point_config c = *base;
        for (int i = 0; i < SB_AX_COUNT; i++) {
            const sb_axis *ax = &a->ax[i];
            if (ax->n) apply_axis(i, ax->v[a->zip ? (ax->n == 1 ? 0 : p) : idx[i]], &c);
        }
        /* On the CPU path threshold and tpb change nothing: one point, not a row of copies. */
        if (c.backend == SB_BACKEND_CPU) c.threshold = SB_THRESHOLD_NEVER;
        if (c.threshold == SB_THRESHOLD_NEVER) memset(c.tpb, 0, sizeof c.tpb);
        grown[(*n)++] = c;
        /* odometer over the grid, last axis fastest */
        for (int i = SB_AX_COUNT - 1; !a->zip && i >= 0; i--) {
            if (!a->ax[i].n) continue;
            if (++idx[i] < a->ax[i].n) break;
            idx[i] = 0;
        }
    }
    return 0;
}

int sb_configs_unique(sb_point_config *cfgs, size_t *n) {
    json_t *seen = json_object(); /* a hash set of the names kept */
    size_t kept = 0;
    int rc = seen ? 0 : -1;
    for (size_t i = 0; i < *n && rc == 0; i++) {
        char name[256];
        sb_point_config_name(&cfgs[i], name, sizeof name);
        if (json_object_get(seen, name)) continue;
        rc = json_object_set_new(seen, name, json_true());
        cfgs[kept++] = cfgs[i];
    }
    json_decref(seen);
    if (rc == 0) *n = kept;
    return rc;
}
