#include "gpus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t sb_gpus_visible(const char *visible, const char *const *uuids, size_t n, unsigned *idx, size_t cap) {
    size_t k = 0;
    if (!visible) {
        for (; k < n && k < cap; k++) idx[k] = (unsigned)k;
        return k;
    }
    for (const char *s = visible; *s && k < cap;) {
        size_t len = strcspn(s, ",");
        char entry[128];
        snprintf(entry, sizeof entry, "%.*s", (int)(len < sizeof entry ? len : sizeof entry - 1), s);
        long found = -1;
        if (entry[0] >= '0' && entry[0] <= '9') {
            char *end;
            unsigned long v = strtoul(entry, &end, 10);
            if (!*end && v < n) found = (long)v;
        } else if (entry[0]) {
            for (size_t d = 0; d < n; d++)
                if (strncmp(uuids[d], entry, strlen(entry)) == 0) {
                    if (found >= 0) { /* a prefix of two UUIDs names no one device */
                        found = -1;
                        break;
                    }
                    found = (long)d;
                }
        }
        for (size_t j = 0; j < k && found >= 0; j++)
            if (idx[j] == (unsigned)found) found = -1;
        if (found < 0) break;
        idx[k++] = (unsigned)found;
        s += len + (s[len] == ',');
    }
    return k;
}

/* Parses spec into idx (*all for "all"). Returns the count, or -1 with a reason in err. */
static int parse_spec(const char *spec, unsigned idx[SB_MAX_GPUS], int *all, char *err, size_t errlen) {
    *all = strcmp(spec, "all") == 0;
    if (*all) return 0;
    int n = 0;
    for (const char *s = spec;; s++) {
        char *end;
        unsigned long v = *s >= '0' && *s <= '9' ? strtoul(s, &end, 10) : SB_MAX_GPUS;
        if (v >= SB_MAX_GPUS || (*end && *end != ',')) {
            snprintf(err, errlen, "--gpus '%s' must be 'all' or GPU indices as nvidia-smi lists them (e.g. 0,1)", spec);
            return -1;
        }
        for (int j = 0; j < n; j++)
            if (idx[j] == v) {
                snprintf(err, errlen, "--gpus '%s' names GPU %lu twice", spec, v);
                return -1;
            }
        idx[n++] = (unsigned)v;
        s = end;
        if (!*s) return n;
    }
}

int sb_gpus_spec_check(const char *spec, char *err, size_t errlen) {
    unsigned idx[SB_MAX_GPUS];
    int all;
    return parse_spec(spec, idx, &all, err, errlen) < 0 ? -1 : 0;
}

int sb_gpus_select(const char *spec, const sb_gpu_info *visible, size_t n, sb_gpu_info *out, char *err, size_t errlen) {
    unsigned idx[SB_MAX_GPUS];
    int all, count = parse_spec(spec, idx, &all, err, errlen);
    if (count < 0) return -1;
    if (all) {
        memcpy(out, visible, (n < SB_MAX_GPUS ? n : SB_MAX_GPUS) * sizeof *out);
        return (int)(n < SB_MAX_GPUS ? n : SB_MAX_GPUS);
    }
    for (int k = 0; k < count; k++) {
        size_t v = 0;
        while (v < n && visible[v].index != idx[k]) v++;
        if (v == n) {
            char list[256] = "";
            for (size_t j = 0; j < n; j++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%u", j ? ", " : "", visible[j].index);
            snprintf(err, errlen, "--gpus %s: no GPU %u here (GPUs: %s%s)", spec, idx[k], n ? list : "none",
                     getenv("CUDA_VISIBLE_DEVICES") ? ", as CUDA_VISIBLE_DEVICES restricts them" : "");
            return -1;
        }
        out[k] = visible[v];
    }
    return count;
}

int sb_gpus_pick(const sb_gpu_info *gpus, const int *busy, size_t n, uint64_t need) {
    int room_busy = 0;
    for (size_t i = 0; i < n; i++) {
        int room = gpus[i].memory_free == 0 || gpus[i].memory_free >= need;
        if (room && !busy[i]) return (int)i;
        room_busy |= room;
    }
    return room_busy ? SB_GPU_WAIT : SB_GPU_NONE;
}
