/* A regression explained (reports/explain.h, compare): a fixture pair where the candidate's
 * Keccak leaves kernel runs with 128 threads per block instead of 256 and takes 16 ms instead of
 * 10 in R1 main commit; compare FAILs that round and names the kernel, its time and block change
 * and the memcpy change, in its text and in --md; a kernel that did not change is listed after
 * it; without CUPTI records it says so. And the noise guard: the same 10 % regression is not
 * significant when a side's noise probe measured 15 %: a 9 % slowdown of the round FAILs against a
 * quiet base and only WARNs against that one. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "explain.h"
#include "results.h"
#include "check.h"

static char dir[64];

/* Writes dir/name.json: one GPU point, 10 repetitions with 0.5 % deterministic jitter; the leaves
 * kernel takes leaves_ms with `block` threads per block; the round's memcpys move memcpy_bytes;
 * cupti 0 leaves the kernel records out. noise: the CPU noise probe figure (NAN: none). */
static void write_side(const char *name, double leaves_ms, double block, double memcpy_bytes, int cupti, double noise) {
    sb_results r;
    char *argv[] = {"test_explain"};
    sb_results_init(&r, 1, argv);
    snprintf(r.host_name, sizeof r.host_name, "fixture-host");
    snprintf(r.gpu_name, sizeof r.gpu_name, "Fixture GPU");
    r.noise_cpu_pct = noise;
    sb_point *p = sb_results_add_point(&r, 10);
    snprintf(p->name, sizeof p->name, "prove/steps:16/blowup:2/backend:gpu/threshold:0/tp:1/threads:2/tpb:default");
    snprintf(p->backend_used, sizeof p->backend_used, "gpu");
    p->backend = SB_BACKEND_GPU;
    for (int k = 0; k < 10; k++) {
        double j = 1 + 0.005 * ((k * 7) % 10 - 4.5) / 4.5;
        double commit = (leaves_ms + 2 + 1) * j, other = 80 * j;
        sb_point_metric(p, "total")->values[k] = commit + other;
        p->real_time_ms[k] = commit + other + 1;
        p->cpu_time_ms[k] = commit + other;
        sb_point_metric(p, "gpu:R1 main commit")->values[k] = commit;
        sb_point_metric(p, "gpu:R2 evaluate")->values[k] = other;
        if (!cupti) continue;
        static const char *const round = "gpu:R1 main commit";
        char key[128];
        const struct { const char *kernel; double ms, block, regs; } ks[] = {
            {"keccak256_leaves_row_major", leaves_ms * j, block, 80}, {"keccak256_merkle_levels", 2, 128, 71}};
        for (int i = 0; i < 2; i++) {
            snprintf(key, sizeof key, "%s:kernel:%s:ms", round, ks[i].kernel);
            sb_point_metric(p, key)->values[k] = ks[i].ms;
            snprintf(key, sizeof key, "%s:kernel:%s:launches", round, ks[i].kernel);
            sb_point_metric(p, key)->values[k] = 3;
            const char *cfg[] = {"ms", "launches", "grid", "block", "regs", "static_smem", "dynamic_smem"};
            const double val[] = {ks[i].ms, 3, 1056, ks[i].block, ks[i].regs, 0, 0};
            for (int c = 0; c < 7; c++) {
                snprintf(key, sizeof key, "kernel:%s:%s", ks[i].kernel, cfg[c]);
                sb_point_metric(p, key)->values[k] = val[c];
            }
        }
        sb_point_metric(p, "gpu:R1 main commit:memcpy_bytes")->values[k] = memcpy_bytes;
        sb_point_metric(p, "gpu:R1 main commit:memcpy_ms")->values[k] = memcpy_bytes / 25e6;
        sb_point_metric(p, "gpu:R1 main LDE:memcpy_bytes")->values[k] = 1 << 20;
        sb_point_metric(p, "gpu:R1 main LDE:memcpy_ms")->values[k] = 0.05;
    }
    char path[128], err[512];
    snprintf(path, sizeof path, "%s/%s.json", dir, name);
    if (sb_results_write(&r, path, err, sizeof err) != 0) fprintf(stderr, "%s\n", err);
    sb_results_free(&r);
}

/* Writes the comma-separated list of dir/NAME.json for the comma-separated names. */
static void side_paths(char *buf, size_t cap, const char *names) {
    char copy[256];
    snprintf(copy, sizeof copy, "%s", names);
    size_t len = 0;
    buf[0] = 0;
    for (char *save = NULL, *n = strtok_r(copy, ",", &save); n; n = strtok_r(NULL, ",", &save))
        len += (size_t)snprintf(buf + len, cap - len, "%s%s/%s.json", len ? "," : "", dir, n);
}

/* compare over the sides a and b (comma-separated fixture names). */
static int run_compare(const char *a, const char *b, const char *md, char *out, size_t cap) {
    char pa[512], pb[512], cap_path[128];
    side_paths(pa, sizeof pa, a);
    side_paths(pb, sizeof pb, b);
    snprintf(cap_path, sizeof cap_path, "%s/stdout.txt", dir);
    char *argv[] = {"compare", pa, pb, "--md", (char *)md};
    return run_captured(cmd_compare, md ? 5 : 3, argv, cap_path, out, cap);
}

static char *read_file(const char *path) {
    static char text[1 << 16];
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f) fclose(f);
    text[n] = 0;
    return text;
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/sb_test_explain.XXXXXX");
    if (!mkdtemp(dir)) return 1;
    static char out[1 << 16];
    char md[128];
    snprintf(md, sizeof md, "%s/compare.md", dir);
    write_side("base", 10, 256, 4096, 1, NAN);
    write_side("cand", 16, 128, 8192, 1, NAN);

    /* the explanation itself */
    sb_results b, c;
    char err[512], pb[128], pc[128];
    snprintf(pb, sizeof pb, "%s/base.json", dir);
    snprintf(pc, sizeof pc, "%s/cand.json", dir);
    EXPECT(sb_results_load(&b, pb, err, sizeof err) == 0 && sb_results_load(&c, pc, err, sizeof err) == 0);
    sb_explanation e;
    sb_explain(&b.points[0], &c.points[0], "gpu:R1 main commit", &e);
    EXPECT(e.base_cupti && e.cand_cupti && e.n == 2);
    EXPECT(strcmp(e.k[0].name, "keccak256_leaves_row_major") == 0 && fabs(e.k[0].base_ms - 10) < 0.1 &&
           fabs(e.k[0].cand_ms - 16) < 0.1);
    EXPECT(e.k[0].base_cfg[SB_KCFG_BLOCK] == 256 && e.k[0].cand_cfg[SB_KCFG_BLOCK] == 128);
    EXPECT(e.k[0].base_cfg[SB_KCFG_REGS] == 80 && e.k[0].cand_cfg[SB_KCFG_REGS] == 80);
    EXPECT(strcmp(e.k[1].name, "keccak256_merkle_levels") == 0 && e.k[1].cand_ms == e.k[1].base_ms);
    EXPECT(e.base_memcpy_bytes == 4096 && e.cand_memcpy_bytes == 8192);
    /* the whole proof: every kernel, and the memcpys of every range summed */
    sb_explain(&b.points[0], &c.points[0], "total", &e);
    EXPECT(e.n == 2 && strcmp(e.k[0].name, "keccak256_leaves_row_major") == 0);
    EXPECT(e.base_memcpy_bytes == 4096 + (1 << 20) && e.cand_memcpy_bytes == 8192 + (1 << 20));
    sb_results_free(&b);
    sb_results_free(&c);

    /* compare: FAIL on the round, explained in the text and the markdown */
    EXPECT(run_compare("base", "cand", md, out, sizeof out) == 1);
    const char *row = strstr(out, "gpu:R1 main commit");
    EXPECT(row && strstr(row, "FAIL") != NULL);
    EXPECT(strstr(out, "      why: kernel keccak256_leaves_row_major 10.000 -> 16.000 ms (+6.000 ms; launches 3 -> 3); "
                       "block 256 -> 128\n") != NULL);
    EXPECT(strstr(out, "      why: kernel keccak256_merkle_levels 2.000 -> 2.000 ms (+0.000 ms; launches 3 -> 3)\n") != NULL);
    EXPECT(strstr(out, "      why: memcpy 4096 -> 8192 bytes (+4096), 0.0001638 -> 0.0003277 ms\n") != NULL);
    const char *m = read_file(md);
    EXPECT(strstr(m, "# starkbench compare") != NULL);
    EXPECT(strstr(m, "| gpu:R1 main commit | 13.000 | 19.000 | +46.15 % |") != NULL);
    EXPECT(strstr(m, "**FAIL** `gpu:R1 main commit`") != NULL);
    EXPECT(strstr(m, "- kernel `keccak256_leaves_row_major` 10.000 → 16.000 ms (+6.000 ms; launches 3 → 3); block 256 → 128\n") != NULL);
    EXPECT(strstr(m, "-> FAIL**") != NULL);

    /* without CUPTI records on one side: said so */
    write_side("cand_nocupti", 16, 128, 8192, 0, NAN);
    EXPECT(run_compare("base", "cand_nocupti", NULL, out, sizeof out) == 1);
    EXPECT(strstr(out, "why: no CUPTI kernel records in the candidate") != NULL);

    /* the noise guard: the same regression within a side's 15 % probe noise is not significant */
    write_side("base_noisy", 10, 256, 4096, 1, 15);
    write_side("cand_small", 11.2, 256, 4096, 1, NAN); /* R1 main commit 13 -> 14.2 ms: +9.2 % */
    EXPECT(run_compare("base", "cand_small", NULL, out, sizeof out) == 1);
    EXPECT(run_compare("base_noisy", "cand_small", NULL, out, sizeof out) == 0);
    EXPECT(strstr(out, "(within the noise)") != NULL && strstr(out, "noise CPU 15.00 %") != NULL);
    EXPECT(strstr(out, "-> WARN") != NULL);
    /* a side's noise is the median of its files' probes: one stalled probe does not silence the gate */
    write_side("base_quiet1", 10, 256, 4096, 1, 0.5);
    write_side("base_quiet2", 10, 256, 4096, 1, 0.5);
    EXPECT(run_compare("base_noisy,base_quiet1,base_quiet2", "cand_small", NULL, out, sizeof out) == 1);
    EXPECT(strstr(out, "noise CPU 0.50 %") != NULL && strstr(out, "(within the noise)") == NULL);
    /* an unwritable --md: one line, exit 2 */
    EXPECT(run_compare("base", "cand", "/nonexistent/dir/x.md", out, sizeof out) == 2);

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return check_finish("test_explain");
}
