#include "options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SB_MAX_LOG_STEPS 30

int sb_parse_count(const char *s, int allow_inf, uint64_t *out) {
    if (!s || !*s) return -1;
    if (allow_inf && strcmp(s, "inf") == 0) {
        *out = UINT64_MAX;
        return 0;
    }
    if (s[0] == '2' && s[1] == '^') {
        char *end;
        errno = 0;
        unsigned long k = strtoul(s + 2, &end, 10);
        if (errno || *end || end == s + 2 || k > 63) return -1;
        *out = 1ULL << k;
        return 0;
    }
    if (s[0] < '0' || s[0] > '9') return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno) return -1;
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k') shift = 10;
    else if (*end == 'M' || *end == 'm') shift = 20;
    else if (*end == 'G' || *end == 'g') shift = 30;
    if (shift) end++;
    if (*end) return -1;
    if (shift && v > (UINT64_MAX >> shift)) return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

int sb_parse_backend(const char *s, sb_backend_kind *out) {
    if (strcmp(s, "cpu") == 0) *out = SB_BACKEND_CPU;
    else if (strcmp(s, "gpu") == 0) *out = SB_BACKEND_GPU;
    else if (strcmp(s, "auto") == 0) *out = SB_BACKEND_AUTO;
    else return -1;
    return 0;
}

int sb_parse_tpb(const char *s, unsigned tpb[SB_K_COUNT], char *err, size_t errlen) {
    char buf[512];
    if (strlen(s) >= sizeof buf) {
        snprintf(err, errlen, "--tpb value too long");
        return -1;
    }
    strcpy(buf, s);
    char *save = NULL;
    for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq) {
            snprintf(err, errlen, "--tpb: '%s' is not NAME=N (kernels: see 'starkbench kernels')", item);
            return -1;
        }
        *eq = 0;
        int k = sb_kernel_lookup(item);
        if (k < 0) {
            snprintf(err, errlen, "--tpb: unknown kernel '%s' (see 'starkbench kernels')", item);
            return -1;
        }
        uint64_t v;
        if (sb_parse_count(eq + 1, 0, &v) != 0 || v == 0 || v > 1024 || v % 32 != 0) {
            snprintf(err, errlen, "--tpb: %s=%s is not a positive multiple of 32 up to 1024", item, eq + 1);
            return -1;
        }
        tpb[k] = (unsigned)v;
    }
    return 0;
}

static int parse_steps(const char *v, unsigned *log_steps) {
    uint64_t s;
    if (sb_parse_count(v, 0, &s) != 0 || s == 0 || (s & (s - 1)) != 0) {
        fprintf(stderr, "starkbench: --steps '%s' is not a power of two (e.g. 65536, 2^16, 64K)\n", v);
        return -1;
    }
    unsigned k = 0;
    while ((1ULL << k) < s) k++;
    if (k > SB_MAX_LOG_STEPS) {
        fprintf(stderr, "starkbench: --steps 2^%u is over the limit 2^%d\n", k, SB_MAX_LOG_STEPS);
        return -1;
    }
    *log_steps = k;
    return 0;
}

static int parse_small(const char *flag, const char *v, unsigned lo, unsigned hi, unsigned *out) {
    uint64_t x;
    if (sb_parse_count(v, 0, &x) != 0 || x < lo || x > hi) {
        fprintf(stderr, "starkbench: %s '%s' must be an integer in [%u, %u]\n", flag, v, lo, hi);
        return -1;
    }
    *out = (unsigned)x;
    return 0;
}

/* Applies one option by name; shared by flags and environment variables. */
static int apply(sb_options *o, const char *name, const char *v) {
    char err[256];
    if (strcmp(name, "steps") == 0) return parse_steps(v, &o->log_steps);
    if (strcmp(name, "blowup") == 0) {
        if (strcmp(v, "2") && strcmp(v, "4") && strcmp(v, "8")) {
            fprintf(stderr, "starkbench: --blowup '%s' must be 2, 4 or 8\n", v);
            return -1;
        }
        o->blowup = (unsigned)atoi(v);
        return 0;
    }
    if (strcmp(name, "backend") == 0) {
        if (sb_parse_backend(v, &o->be.kind) != 0) {
            fprintf(stderr, "starkbench: --backend '%s' must be cpu, gpu or auto\n", v);
            return -1;
        }
        return 0;
    }
    if (strcmp(name, "gpu-threshold") == 0) {
        if (sb_parse_count(v, 1, &o->be.gpu_threshold) != 0) {
            fprintf(stderr, "starkbench: --gpu-threshold '%s' must be a row count or 'inf'\n", v);
            return -1;
        }
        return 0;
    }
    if (strcmp(name, "tpb") == 0) {
        if (sb_parse_tpb(v, o->be.tpb, err, sizeof err) != 0) {
            fprintf(stderr, "starkbench: %s\n", err);
            return -1;
        }
        return 0;
    }
    if (strcmp(name, "threads") == 0) return parse_small("--threads", v, 1, 1024, &o->be.threads);
    if (strcmp(name, "tp") == 0) return parse_small("--tp", v, 1, 64, &o->tp);
    if (strcmp(name, "runs") == 0) return parse_small("--runs", v, 1, 100000, &o->runs);
    if (strcmp(name, "warmup") == 0) return parse_small("--warmup", v, 0, 100000, &o->warmup);
    return 1; /* not an option with a value */
}

int sb_options_init(sb_options *o) {
    memset(o, 0, sizeof *o);
    o->log_steps = 16;
    o->blowup = 2;
    sb_backend_config_default(&o->be);
    o->tp = 1;
    o->runs = 1;
    o->range_sync = 1;
    static const struct { const char *env, *name; } mirrors[] = {
        {"STARKBENCH_BACKEND", "backend"}, {"STARKBENCH_GPU_THRESHOLD", "gpu-threshold"},
        {"STARKBENCH_TPB", "tpb"},         {"STARKBENCH_THREADS", "threads"},
        {"STARKBENCH_TP", "tp"},
    };
    for (size_t i = 0; i < sizeof mirrors / sizeof mirrors[0]; i++) {
        const char *v = getenv(mirrors[i].env);
        if (v && *v && apply(o, mirrors[i].name, v) != 0) {
            fprintf(stderr, "starkbench: (from %s)\n", mirrors[i].env);
            return -1;
        }
    }
    return 0;
}

const char *sb_flag_value(int argc, char **argv, int *i, const char *name, int *missing) {
    const char *a = argv[*i];
    if (a[0] != '-' || a[1] != '-') return NULL;
    size_t n = strlen(name);
    if (strncmp(a + 2, name, n) != 0) return NULL;
    if (a[2 + n] == '=') return a + 3 + n;
    if (a[2 + n] != 0) return NULL;
    if (*i + 1 >= argc) {
        fprintf(stderr, "starkbench: --%s needs a value\n", name);
        *missing = 1;
        return NULL;
    }
    return argv[++*i];
}

int sb_options_parse_flag(sb_options *o, int argc, char **argv, int *i) {
    const char *a = argv[*i];
    if (strcmp(a, "--json") == 0) {
        o->json = 1;
        return 1;
    }
    if (strcmp(a, "--no-range-sync") == 0) {
        o->range_sync = 0;
        return 1;
    }
    static const char *const valued[] = {"steps", "blowup", "backend", "gpu-threshold", "tpb",
                                         "threads", "tp", "runs", "warmup"};
    for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++) {
        int missing = 0;
        const char *v = sb_flag_value(argc, argv, i, valued[k], &missing);
        if (missing) return -1;
        if (v) return apply(o, valued[k], v) == 0 ? 1 : -1;
    }
    return 0;
}
