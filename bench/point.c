#include "point.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kernels/gpu_backend.h"
#include "air.h"
#include "fri.h"
#include "rounds.h"

static const char *backend_name(sb_backend_kind k) {
    return k == SB_BACKEND_CPU ? "cpu" : k == SB_BACKEND_GPU ? "gpu" : "auto";
}

static void tpb_string(const unsigned tpb[SB_K_COUNT], char *out, size_t len) {
    size_t used = 0;
    out[0] = 0;
    for (int k = 0; k < SB_K_COUNT; k++)
        if (tpb[k] && used < len)
            used += (size_t)snprintf(out + used, len - used, "%s%s=%u", used ? "," : "", sb_kernel_names[k], tpb[k]);
    if (!used) snprintf(out, len, "default");
}

static void threshold_string(uint64_t t, char *out, size_t len) {
    if (t == SB_THRESHOLD_NEVER) snprintf(out, len, "inf");
    else snprintf(out, len, "%llu", (unsigned long long)t);
}

void sb_point_config_name(const sb_point_config *c, char *name, size_t len) {
    char tpb[128], th[24];
    tpb_string(c->tpb, tpb, sizeof tpb);
    threshold_string(c->threshold, th, sizeof th);
    snprintf(name, len, "prove/steps:%u/blowup:%u/backend:%s/threshold:%s/tp:%u/threads:%u/tpb:%s", c->log_steps,
             c->blowup, backend_name(c->backend), th, c->tp, c->threads, tpb);
}

void sb_point_config_apply(const sb_point_config *c, sb_point *p) {
    sb_point_config_name(c, p->name, sizeof p->name);
    p->log_steps = c->log_steps;
    p->blowup = c->blowup;
    p->tp = c->tp;
    p->threads = c->threads;
    p->backend = c->backend;
    p->threshold = c->threshold;
    tpb_string(c->tpb, p->tpb, sizeof p->tpb);
}

int sb_point_config_argv(const sb_point_config *c, char **argv, int argc, char *buf, size_t cap) {
    char tpb[128], th[24];
    tpb_string(c->tpb, tpb, sizeof tpb);
    threshold_string(c->threshold, th, sizeof th);
    char vals[6][136];
    const char *flags[6] = {"--steps", "--blowup", "--backend", "--gpu-threshold", "--tp", "--threads"};
    snprintf(vals[0], sizeof vals[0], "2^%u", c->log_steps);
    snprintf(vals[1], sizeof vals[1], "%u", c->blowup);
    snprintf(vals[2], sizeof vals[2], "%s", backend_name(c->backend));
    snprintf(vals[3], sizeof vals[3], "%s", th);
    snprintf(vals[4], sizeof vals[4], "%u", c->tp);
    snprintf(vals[5], sizeof vals[5], "%u", c->threads);
    size_t used = 0;
    int n_flags = strcmp(tpb, "default") ? 7 : 6;
    for (int i = 0; i < n_flags; i++) {
        const char *flag = i < 6 ? flags[i] : "--tpb";
        const char *val = i < 6 ? vals[i] : tpb;
        size_t lf = strlen(flag) + 1, lv = strlen(val) + 1;
        if (used + lf + lv > cap) return -1;
        argv[argc++] = memcpy(buf + used, flag, lf);
        used += lf;
        argv[argc++] = memcpy(buf + used, val, lv);
        used += lv;
    }
    return argc;
}

int sb_point_tables(unsigned log_steps, sb_detect_table *tables, char *err, size_t errlen) {
    const sb_air *air = sb_air_fib();
    /* Table heights follow from the step count alone; running the machine for the public
     * output (public_values) would cost seconds at 2^30 steps. */
    sb_public pub = {log_steps, 0, 0};
    if (air->n_tables > SB_POINT_MAX_TABLES) {
        snprintf(err, errlen, "the AIR has %zu tables (at most %d supported)", air->n_tables, SB_POINT_MAX_TABLES);
        return -1;
    }
    for (size_t t = 0; t < air->n_tables; t++) {
        const sb_table_air *ta = &air->tables[t];
        tables[t].name = ta->name;
        tables[t].rows = 1ULL << ta->log_rows(&pub);
        tables[t].main_cols = (unsigned)ta->n_main;
        tables[t].aux_cols = (unsigned)(3 * ta->n_aux);
        tables[t].fixed_cols = (unsigned)ta->n_fixed;
    }
    return (int)air->n_tables;
}

/* One table's memory, per sb_mem_space (the model of docs/ARCHITECTURE.md "Feasibility"). */
typedef struct table_memory {
    uint64_t r1[SB_MEM_SPACES];         /* Round 1: its traces, main and aux LDEs and trees */
    uint64_t r1_scratch[SB_MEM_SPACES]; /* the most one Round-1 LDE holds beside its output */
    uint64_t held[SB_MEM_SPACES];       /* Round 2 to the end: LDEs, trees, FRI layers, host copies */
    uint64_t transient[SB_MEM_SPACES];  /* the most its Rounds 2-4 hold beside that at once */
} table_memory;

static uint64_t tree_bytes(uint64_t leaves) { return (2 * leaves - 1) * sizeof(sb_digest); }

/* An operation of the kinds k in round r, in dev_ops' terms (an SB_OPK_IN_ROUND mask). */
#define AT(r, k) SB_OPK_IN_ROUND(r, k)

/* Adds a matrix of v bytes made by the operation `made`, with a tree of t bytes (0: none) made by
 * `tree_made`, read by the operations `read` (AT masks), to acc: on the device where dev_ops (what
 * runs on the device for this table) has its maker; a device matrix read on the CPU gets a host
 * copy, and its tree a host copy where the openings (R4 queries) run on the CPU. */
static void add_matrix(uint64_t acc[SB_MEM_SPACES], sb_opk_mask dev_ops, sb_opk_mask made, sb_opk_mask tree_made, sb_opk_mask read,
                       uint64_t v, uint64_t t) {
    const int dev = (dev_ops & made) != 0, dev_tree = dev && (dev_ops & tree_made);
    acc[dev ? SB_MEM_DEVICE : SB_MEM_HOST] += v;
    acc[dev_tree ? SB_MEM_DEVICE : SB_MEM_HOST] += t;
    if (dev && (read & ~dev_ops)) acc[SB_MEM_HOST] += v;
    if (dev_tree && !(dev_ops & AT(4, SB_OPK_OPEN))) acc[SB_MEM_HOST] += t;
}

/* The SMs the model allows the device (the OOD kernels' partial sums grow with them; an H200 has 132). */
#define MODEL_MAX_SMS 256

static void table_model(const sb_detect_table *tb, unsigned blowup, sb_opk_mask dev_ops, table_memory *tm) {
    memset(tm, 0, sizeof *tm);
    const uint64_t n = tb->rows, m = n * blowup, ext = 3 * sizeof(uint64_t);
    /* The operations that read the trace LDEs, and the parts LDE. */
    const sb_opk_mask read_trace = AT(2, SB_OPK_COMPOSITION) | AT(3, SB_OPK_OOD) | AT(4, SB_OPK_DEEP | SB_OPK_OPEN);
    const sb_opk_mask read_parts = AT(3, SB_OPK_OOD) | AT(4, SB_OPK_DEEP | SB_OPK_OPEN);
    const unsigned cols[2] = {tb->main_cols, tb->aux_cols};
    const int lde1_dev = (dev_ops & AT(1, SB_OPK_LDE)) != 0, lde2_dev = (dev_ops & AT(2, SB_OPK_LDE)) != 0;
    const int comp_dev = (dev_ops & AT(2, SB_OPK_COMPOSITION)) != 0;
    const unsigned log_n = (unsigned)__builtin_ctzll(n);
    /* A device LDE's scratch beside its output: the input's copy and the coset power tables. */
    const uint64_t coset_tables = blowup * (((uint64_t)1 << (log_n + 1) / 2) + ((uint64_t)1 << log_n / 2)) * 8;
    for (int k = 0; k < 2; k++) {
        if (!cols[k]) continue;
        /* the trace over H, read by its LDE (and the main trace by the aux trace's generation) */
        add_matrix(tm->r1, dev_ops, AT(1, SB_OPK_TRACE), 0, AT(1, SB_OPK_LDE | SB_OPK_TRACE), n * cols[k] * 8, 0);
        add_matrix(tm->r1, dev_ops, AT(1, SB_OPK_LDE), AT(1, SB_OPK_COMMIT), 0, m * cols[k] * 8, tree_bytes(m));
        add_matrix(tm->held, dev_ops, AT(1, SB_OPK_LDE), AT(1, SB_OPK_COMMIT), read_trace, m * cols[k] * 8,
                   tree_bytes(m));
        if (lde1_dev && n * cols[k] * 8 + coset_tables > tm->r1_scratch[SB_MEM_DEVICE])
            tm->r1_scratch[SB_MEM_DEVICE] = n * cols[k] * 8 + coset_tables;
    }
    const uint64_t parts_cols = 3 * SB_COMPOSITION_PARTS;
    add_matrix(tm->held, dev_ops, AT(2, SB_OPK_LDE), AT(2, SB_OPK_COMMIT), read_parts, m * parts_cols * 8,
               tree_bytes(m));
    /* FRI layers 1..L (L - 1 committed), one Fp3 column each, opened by the queries. */
    const unsigned folds = sb_fri_folds(log_n);
    for (unsigned l = 1; l <= folds; l++)
        add_matrix(tm->held, dev_ops, AT(4, SB_OPK_FRI), AT(4, SB_OPK_FRI), AT(4, SB_OPK_FRI | SB_OPK_OPEN),
                   (m >> l) * ext, l < folds ? tree_bytes(m >> (l + 1)) : 0);
    if (dev_ops & AT(4, SB_OPK_FRI)) tm->held[SB_MEM_HOST] += (m >> folds) * ext; /* the last layer, to the proof */
    /* Round 2 at its height: the fixed LDE, C and the zerofiers (on the device C alone), the parts
     * over H, the parts LDE's input copy on the device. Round 3 on the device: the barycentric
     * weights of two points and the partial sums of the widest matrix. Round 4: FRI layer 0
     * (DEEP's output) during the folds, and DEEP's coefficients. */
    uint64_t r2[SB_MEM_SPACES] = {0, 0}, r3[SB_MEM_SPACES] = {0, 0}, r4[SB_MEM_SPACES] = {0, 0};
    add_matrix(r2, dev_ops, AT(2, SB_OPK_LDE), 0, AT(2, SB_OPK_COMPOSITION), m * tb->fixed_cols * 8, 0);
    r2[comp_dev ? SB_MEM_DEVICE : SB_MEM_HOST] += 2 * m * ext + n * parts_cols * 8;
    if (lde2_dev) r2[SB_MEM_DEVICE] += n * (parts_cols > tb->fixed_cols ? parts_cols : tb->fixed_cols) * 8 + coset_tables;
    uint64_t widest = parts_cols;
    for (int k = 0; k < 2; k++) widest = cols[k] > widest ? cols[k] : widest;
    if (dev_ops & AT(3, SB_OPK_OOD)) r3[SB_MEM_DEVICE] += (n + 2 * MODEL_MAX_SMS * widest) * 2 * ext;
    add_matrix(r4, dev_ops, AT(4, SB_OPK_DEEP), 0, AT(4, SB_OPK_FRI), m * ext, 0);
    if (dev_ops & AT(4, SB_OPK_DEEP)) r4[SB_MEM_DEVICE] += (cols[0] + cols[1] + parts_cols) * ext;
    for (int s = 0; s < SB_MEM_SPACES; s++) {
        const uint64_t r23 = r2[s] > r3[s] ? r2[s] : r3[s];
        tm->transient[s] = r23 > r4[s] ? r23 : r4[s];
    }
    /* The twiddle tables, kept: of the trace's height (the LDEs), of the LDE's (the composition's split). */
    if (lde1_dev || lde2_dev) tm->held[SB_MEM_DEVICE] += n * 8;
    if (comp_dev) tm->held[SB_MEM_DEVICE] += m * 8;
}

/* Sums the `tp` largest of v[0..n). */
static uint64_t top_sum(const uint64_t *v, size_t n, unsigned tp) {
    uint64_t sorted[SB_POINT_MAX_TABLES], sum = 0;
    memcpy(sorted, v, n * sizeof *v);
    for (size_t i = 0; i < n; i++) /* n is a handful of tables */
        for (size_t j = i + 1; j < n; j++)
            if (sorted[j] > sorted[i]) {
                uint64_t t = sorted[i];
                sorted[i] = sorted[j], sorted[j] = t;
            }
    for (size_t i = 0; i < n && i < tp; i++) sum += sorted[i];
    return sum;
}

void sb_point_memory(const sb_point_config *c, sb_opk_mask device_ops, const sb_detect_table *tables, size_t n,
                     sb_memory_model *mm) {
    const int gpu = c->backend != SB_BACKEND_CPU && c->threshold != SB_THRESHOLD_NEVER;
    const unsigned tp = c->tp ? c->tp : 1;
    uint64_t peak[SB_MEM_SPACES] = {0, 0}, staging = 0;
    for (int s = 0; s < SB_MEM_SPACES; s++) {
        uint64_t r1 = 0, held = 0, r1_scratch[SB_POINT_MAX_TABLES], transient[SB_POINT_MAX_TABLES];
        for (size_t t = 0; t < n; t++) {
            table_memory tm;
            const sb_opk_mask dev_ops = gpu && tables[t].rows * c->blowup >= c->threshold ? device_ops : 0;
            if (dev_ops) staging = 2 * SB_GPU_STAGE_BYTES;
            table_model(&tables[t], c->blowup, dev_ops, &tm);
            r1 += tm.r1[s], held += tm.held[s];
            r1_scratch[t] = tm.r1_scratch[s], transient[t] = tm.transient[s];
        }
        /* Tables run tp at a time: Round 1 holds every table's traces and LDEs, Rounds 2-4 every
         * table's held matrices, each beside the scratch of the tp largest in flight. */
        const uint64_t in_r1 = r1 + top_sum(r1_scratch, n, tp), in_rounds = held + top_sum(transient, n, tp);
        peak[s] = in_r1 > in_rounds ? in_r1 : in_rounds;
    }
    mm->host_bytes = peak[SB_MEM_HOST] + staging;
    mm->device_bytes = peak[SB_MEM_DEVICE];
}

sb_point *sb_point_move(sb_results *dst, sb_point *src) {
    sb_point *pts = realloc(dst->points, (dst->n_points + 1) * sizeof *pts);
    if (!pts) {
        fprintf(stderr, "starkbench: out of memory\n");
        exit(2);
    }
    dst->points = pts;
    sb_point *p = &pts[dst->n_points++];
    *p = *src;
    src->n_metrics = 0;
    src->metrics = NULL;
    src->real_time_ms = src->cpu_time_ms = src->raw_real_time_ms = src->raw_cpu_time_ms = NULL;
    src->n_fallbacks = 0;
    src->fallbacks = NULL;
    return p;
}
