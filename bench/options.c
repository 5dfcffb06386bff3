#include "options.h"

#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec_record.h"
#include "range.h"

#define SB_MAX_LOG_STEPS 30

int sb_parse_count(const char *s, int allow_inf, uint64_t *out) {
    if (!s || !*s) return -1;
    if (allow_inf && strcmp(s, "inf") == 0) {
        *out = UINT64_MAX;
        return 0;
    }
    if (s[0] == '2' && s[1] == '^') {
        if (s[2] < '0' || s[2] > '9') return -1;
        char *end;
        errno = 0;
        unsigned long k = strtoul(s + 2, &end, 10);
        if (*end) return -1;
        if (errno || k > 63) return errno = ERANGE, -1;
        *out = 1ULL << k;
        errno = 0;
        return 0;
    }
    if (s[0] < '0' || s[0] > '9') return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    int range = errno != 0;
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k') shift = 10;
    else if (*end == 'M' || *end == 'm') shift = 20;
    else if (*end == 'G' || *end == 'g') shift = 30;
    if (shift) end++;
    if (*end) return errno = 0, -1;
    if (range || (shift && v > (UINT64_MAX >> shift))) return errno = ERANGE, -1;
    *out = (uint64_t)v << shift;
    errno = 0;
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
        snprintf(err, errlen, "value too long");
        return -1;
    }
    strcpy(buf, s);
    char *save = NULL;
    char *item = strtok_r(buf, ",", &save);
    if (!item) {
        snprintf(err, errlen, "'%s' names no kernel (NAME=N,...; kernels: see 'starkbench kernels')", s);
        return -1;
    }
    for (; item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq) {
            snprintf(err, errlen, "'%s' is not NAME=N (kernels: see 'starkbench kernels')", item);
            return -1;
        }
        *eq = 0;
        int k = sb_kernel_lookup(item);
        if (k < 0) {
            snprintf(err, errlen, "unknown kernel '%s' (see 'starkbench kernels')", item);
            return -1;
        }
        uint64_t v;
        if (sb_parse_count(eq + 1, 0, &v) != 0 || v == 0 || v > 1024 || v % 32 != 0) {
            snprintf(err, errlen, "%s=%s is not a positive multiple of 32 up to 1024", item, eq + 1);
            return -1;
        }
        tpb[k] = (unsigned)v;
    }
    return 0;
}

unsigned sb_resolve_threads(unsigned threads) { return threads ? threads : (unsigned)omp_get_max_threads(); }

/* The options that take a value, with their environment mirror (NULL where none). */
static const struct {
    const char *name, *env;
    unsigned bit;
} valued[] = {
    {"steps", NULL, SB_OPT_STEPS},
    {"blowup", NULL, SB_OPT_BLOWUP},
    {"backend", "STARKBENCH_BACKEND", SB_OPT_BACKEND},
    {"gpu-threshold", "STARKBENCH_GPU_THRESHOLD", SB_OPT_GPU_THRESHOLD},
    {"tpb", "STARKBENCH_TPB", SB_OPT_TPB},
    {"threads", "STARKBENCH_THREADS", SB_OPT_THREADS},
    {"tp", "STARKBENCH_TP", SB_OPT_TP},
    {"runs", NULL, SB_OPT_RUNS},
    {"warmup", NULL, SB_OPT_WARMUP},
};
#define N_VALUED (sizeof valued / sizeof valued[0])

static int parse_steps(const char *label, const char *v, unsigned *log_steps) {
    uint64_t s;
    int parsed = sb_parse_count(v, 0, &s);
    if (parsed != 0 && errno == ERANGE) { /* a count, but past 2^64 */
        fprintf(stderr, "starkbench: %s '%s' is over the limit 2^%d\n", label, v, SB_MAX_LOG_STEPS);
        return -1;
    }
    if (parsed != 0 || s == 0 || (s & (s - 1)) != 0) {
        fprintf(stderr, "starkbench: %s '%s' is not a power of two (e.g. 65536, 2^16, 64K)\n", label, v);
        return -1;
    }
    unsigned k = 0;
    while ((1ULL << k) < s) k++;
    if (k > SB_MAX_LOG_STEPS) {
        fprintf(stderr, "starkbench: %s 2^%u is over the limit 2^%d\n", label, k, SB_MAX_LOG_STEPS);
        return -1;
    }
    *log_steps = k;
    return 0;
}

static int parse_small(const char *label, const char *v, unsigned lo, unsigned hi, unsigned *out) {
    uint64_t x;
    if (sb_parse_count(v, 0, &x) != 0 || x < lo || x > hi) {
        fprintf(stderr, "starkbench: %s '%s' must be an integer in [%u, %u]\n", label, v, lo, hi);
        return -1;
    }
    *out = (unsigned)x;
    return 0;
}

/* Applies valued option k from a flag or its mirror; label ("--tp" or "STARKBENCH_TP") names
 * the source in the one line printed when v is invalid. Returns 0 or -1. */
static int apply(sb_options *o, size_t k, const char *label, const char *v) {
    char err[256];
    switch (valued[k].bit) {
    case SB_OPT_STEPS: return parse_steps(label, v, &o->log_steps);
    case SB_OPT_BLOWUP:
        if (strcmp(v, "2") && strcmp(v, "4") && strcmp(v, "8")) {
            fprintf(stderr, "starkbench: %s '%s' must be 2, 4 or 8\n", label, v);
            return -1;
        }
        o->blowup = (unsigned)atoi(v);
        return 0;
    case SB_OPT_BACKEND:
        if (sb_parse_backend(v, &o->be.kind) != 0) {
            fprintf(stderr, "starkbench: %s '%s' must be cpu, gpu or auto\n", label, v);
            return -1;
        }
        return 0;
    case SB_OPT_GPU_THRESHOLD:
        if (sb_parse_count(v, 1, &o->be.gpu_threshold) != 0) {
            fprintf(stderr, "starkbench: %s '%s' must be a row count or 'inf'\n", label, v);
            return -1;
        }
        return 0;
    case SB_OPT_TPB:
        if (sb_parse_tpb(v, o->be.tpb, err, sizeof err) != 0) {
            fprintf(stderr, "starkbench: %s: %s\n", label, err);
            return -1;
        }
        return 0;
    case SB_OPT_THREADS: return parse_small(label, v, 1, 1024, &o->be.threads);
    case SB_OPT_TP: return parse_small(label, v, 1, 64, &o->tp);
    case SB_OPT_RUNS: return parse_small(label, v, 1, 100000, &o->runs);
    default: return parse_small(label, v, 0, 100000, &o->warmup);
    }
}

void sb_options_init(sb_options *o) {
    memset(o, 0, sizeof *o);
    o->log_steps = 16;
    o->blowup = 2;
    sb_backend_config_default(&o->be);
    o->tp = 1;
    o->runs = 1;
    o->range_sync = 1;
}

int sb_options_finish(sb_options *o, const char *command, unsigned accepted) {
    static const struct {
        unsigned bit;
        const char *flag;
    } flags[] = {{SB_OPT_STEPS, "--steps"},   {SB_OPT_BLOWUP, "--blowup"},   {SB_OPT_BACKEND, "--backend"},
                 {SB_OPT_GPU_THRESHOLD, "--gpu-threshold"}, {SB_OPT_TPB, "--tpb"}, {SB_OPT_THREADS, "--threads"},
                 {SB_OPT_TP, "--tp"},         {SB_OPT_RUNS, "--runs"},       {SB_OPT_WARMUP, "--warmup"},
                 {SB_OPT_JSON, "--json"},     {SB_OPT_NO_RANGE_SYNC, "--no-range-sync"}};
    for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++)
        if (o->set & flags[k].bit & ~accepted) {
            fprintf(stderr, "starkbench: %s: %s has no effect on %s (see 'starkbench %s --help')\n", command,
                    flags[k].flag, command, command);
            return -1;
        }
    for (size_t k = 0; k < N_VALUED; k++) {
        if (!valued[k].env || !(valued[k].bit & accepted) || (valued[k].bit & o->set)) continue;
        const char *v = getenv(valued[k].env);
        if (v && *v && apply(o, k, valued[k].env, v) != 0) return -1;
    }
    const char *delay = getenv(SB_DELAY_ENV); /* a testing switch every proving command honours */
    char name[SB_RANGE_NAME_LEN], err[256];
    double pct;
    if (delay && *delay && sb_delay_parse(delay, name, &pct, err, sizeof err) != 0) {
        fprintf(stderr, "starkbench: %s\n", err);
        return -1;
    }
    const char *corrupt = getenv(SB_CORRUPT_ENV); /* the same for the record's testing switch */
    uint64_t snapshot;
    if (corrupt && *corrupt && sb_corrupt_parse(corrupt, &snapshot, err, sizeof err) != 0) {
        fprintf(stderr, "starkbench: %s\n", err);
        return -1;
    }
    return 0;
}

int sb_env_is_mirror(const char *entry) {
    for (size_t k = 0; k < N_VALUED; k++) {
        size_t n = valued[k].env ? strlen(valued[k].env) : 0;
        if (n && strncmp(entry, valued[k].env, n) == 0 && entry[n] == '=') return 1;
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
        o->set |= SB_OPT_JSON;
        return 1;
    }
    if (strcmp(a, "--no-range-sync") == 0) {
        o->range_sync = 0;
        o->set |= SB_OPT_NO_RANGE_SYNC;
        return 1;
    }
    for (size_t k = 0; k < N_VALUED; k++) {
        int missing = 0;
        const char *v = sb_flag_value(argc, argv, i, valued[k].name, &missing);
        if (missing) return -1;
        if (!v) continue;
        char label[24];
        snprintf(label, sizeof label, "--%s", valued[k].name);
        if (apply(o, k, label, v) != 0) return -1;
        o->set |= valued[k].bit;
        return 1;
    }
    return 0;
}
