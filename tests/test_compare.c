/* compare: Mann-Whitney U and Holm against hand-computed values; the CI gate on synthetic
 * results (A/A passes, a small shift warns, a clear 10 % regression fails, a new fallback fails,
 * too few repetitions cannot fail, files without a common benchmark are rejected); pooling
 * (runs split across files report exactly as one file, a failure in any file counts, files of
 * different setups or given twice are rejected). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "compare_stats.h"
#include "results.h"
#include "check.h"

#define NEAR(a, b, tol) (fabs((a) - (b)) <= (tol))

static void check_mann_whitney(void) {
    sb_mwu r;
    /* complete separation, 3 vs 3: U = 0, P(U <= 0) = 1/C(6,3) = 1/20, two-sided 0.1 */
    const double a[] = {1, 2, 3}, b[] = {4, 5, 6};
    EXPECT(sb_mann_whitney(a, 3, b, 3, &r) == 0);
    EXPECT(r.u == 0 && r.method == SB_MWU_EXACT && NEAR(r.p, 0.1, 1e-12));
    /* U's counts for 3 vs 3 are 1,1,2,3,3,3,3,2,1,1; x = {1,3,5}: U = 3, P(U <= 3) = 7/20 -> p = 0.7 */
    const double c[] = {1, 3, 5}, d[] = {2, 4, 6};
    EXPECT(sb_mann_whitney(c, 3, d, 3, &r) == 0);
    EXPECT(r.u == 3 && NEAR(r.p, 0.7, 1e-12));
    /* swapping the samples gives U' = 9 - U and the same p */
    EXPECT(sb_mann_whitney(d, 3, c, 3, &r) == 0);
    EXPECT(r.u == 6 && NEAR(r.p, 0.7, 1e-12));
    /* ties: midranks 1,3,3,3,5.5,5.5,7.5,7.5; R_x = 12.5, U = 2.5; var = 16/12 (9 - 36/56) = 78/7;
     * z = (|2.5 - 8| - 0.5) / sqrt(78/7) */
    const double e[] = {1, 2, 2, 3}, f[] = {2, 3, 4, 4};
    EXPECT(sb_mann_whitney(e, 4, f, 4, &r) == 0);
    EXPECT(r.u == 2.5 && r.method == SB_MWU_NORMAL);
    EXPECT(NEAR(r.p, 0.134169180128, 1e-9));
    /* NAN values are skipped */
    const double g[] = {1, NAN, 2, 3}, h[] = {4, 5, NAN, 6};
    EXPECT(sb_mann_whitney(g, 4, h, 4, &r) == 0);
    EXPECT(r.nx == 3 && r.ny == 3 && NEAR(r.p, 0.1, 1e-12));
    /* all equal: no evidence */
    const double same[] = {5, 5, 5};
    EXPECT(sb_mann_whitney(same, 3, same, 3, &r) == 0 && r.p == 1);
    /* an empty sample */
    const double none[] = {NAN};
    EXPECT(sb_mann_whitney(none, 1, a, 3, &r) == -1 && isnan(r.p));
    /* smallest p: 2 / C(10,5) = 2/252 exactly; 30 vs 30 (normal): erfc(z / sqrt 2), z = 449.5 / sqrt(4575) */
    EXPECT(NEAR(sb_mann_whitney_min_p(5, 5), 2.0 / 252, 1e-15));
    EXPECT(NEAR(sb_mann_whitney_min_p(10, 10), 2.0 / 184756, 1e-15));
    EXPECT(NEAR(sb_mann_whitney_min_p(30, 30) / 3.019859359162151e-11, 1, 1e-9));
}

static void check_holm(void) {
    /* sorted 0.005, 0.01, 0.03, 0.04 -> 0.02, 0.03, 0.06, max(0.04, 0.06) */
    const double p[] = {0.01, 0.04, 0.03, 0.005};
    double adj[4];
    sb_holm(p, 4, adj);
    EXPECT(NEAR(adj[0], 0.03, 1e-15) && NEAR(adj[1], 0.06, 1e-15) && NEAR(adj[2], 0.06, 1e-15) && NEAR(adj[3], 0.02, 1e-15));
    /* NAN entries do not count; results are capped at 1 */
    double q[] = {0.3, NAN, 0.6};
    sb_holm(q, 3, q);
    EXPECT(NEAR(q[0], 0.6, 1e-15) && isnan(q[1]) && NEAR(q[2], 0.6, 1e-15));
    double r[] = {0.7, 0.9};
    sb_holm(r, 2, r);
    EXPECT(r[0] == 1 && r[1] == 1);
}

/* ---- the gate on synthetic results ------------------------------------------------------ */

static char dir[64];
static unsigned long long lcg_state;

/* Deterministic noise in [-1, 1). */
static double noise(void) {
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(lcg_state >> 11) / (double)(1ULL << 52) - 1;
}

/* Writes name.json: two points, every time scaled by `scale`, with relative noise `jitter`;
 * the first point's verdict is `verdict` and its status `status` (not "ok": no timings). Of the
 * `reps` repetitions the generator draws, only those in [from, to) are written, so that a run
 * split across files has the same values as one file with all of them. */
static void write_part(const char *name, unsigned long long seed, size_t reps, double scale, double jitter,
                       const char *verdict, const char *status, size_t from, size_t to) {
    static const struct { const char *key; double ms; } rounds[] = {
        {"cpu:R1 main LDE", 30}, {"cpu:R1 main commit", 25}, {"cpu:R2 evaluate", 40}, {"range:R1 main LDE", 0.2}};
    lcg_state = seed;
    sb_results r;
    char *argv[] = {"test_compare"};
    sb_results_init(&r, 1, argv);
    for (int i = 0; i < 2; i++) {
        sb_point *p = sb_results_add_point(&r, to - from);
        snprintf(p->name, sizeof p->name, "prove/steps:%d/blowup:2/backend:cpu/threshold:0/tp:1/threads:2/tpb:default",
                 12 + 2 * i);
        p->log_steps = 12 + 2 * (unsigned)i;
        p->blowup = 2;
        snprintf(p->verdict, sizeof p->verdict, "%s", i == 0 ? verdict : "clean");
        int ok = i > 0 || strcmp(status, "ok") == 0;
        if (!ok) {
            snprintf(p->status, sizeof p->status, "%s", status);
            snprintf(p->error, sizeof p->error, "killed after the --timeout");
        }
        for (size_t k = 0; k < reps; k++) {
            double total = 0;
            for (size_t m = 0; m < sizeof rounds / sizeof rounds[0]; m++) {
                double v = rounds[m].ms * (1 << (2 * i)) * scale * (1 + jitter * noise());
                if (ok && k >= from && k < to) sb_point_metric(p, rounds[m].key)->values[k - from] = v;
                total += v;
            }
            if (!ok || k < from || k >= to) continue;
            sb_point_metric(p, "total")->values[k - from] = total;
            p->real_time_ms[k - from] = total + 1;
            p->cpu_time_ms[k - from] = 2 * total;
        }
    }
    char path[128], err[512];
    snprintf(path, sizeof path, "%s/%s.json", dir, name);
    if (sb_results_write(&r, path, err, sizeof err) != 0) fprintf(stderr, "%s\n", err);
    sb_results_free(&r);
}

static void write_results(const char *name, unsigned long long seed, size_t reps, double scale, double jitter,
                          const char *verdict) {
    write_part(name, seed, reps, scale, jitter, verdict, "ok", 0, reps);
}

/* Copies dir/from.json to dir/to.json with every `old` replaced by `new`. */
static void rewrite(const char *from, const char *to, const char *old, const char *new) {
    char path[128], text[1 << 16], out[1 << 16];
    snprintf(path, sizeof path, "%s/%s.json", dir, from);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f) fclose(f);
    text[n] = 0;
    char *o = out;
    for (const char *t = text, *hit; *t; t = hit + strlen(old)) {
        hit = strstr(t, old);
        if (!hit) hit = t + strlen(t);
        memcpy(o, t, (size_t)(hit - t));
        o += hit - t;
        if (!*hit) break;
        o += sprintf(o, "%s", new);
    }
    *o = 0;
    snprintf(path, sizeof path, "%s/%s.json", dir, to);
    f = fopen(path, "w");
    fputs(out, f);
    fclose(f);
}

/* Turns "a,b" into "dir/a.json,dir/b.json" in out (cap bytes). */
static void expand(const char *names, char *out, size_t cap) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", names);
    size_t len = 0;
    out[0] = 0;
    for (char *save, *n = strtok_r(buf, ",", &save); n; n = strtok_r(NULL, ",", &save))
        len += (size_t)snprintf(out + len, cap - len, "%s%s/%s.json", len ? "," : "", dir, n);
}

/* Runs `starkbench compare dir/a.json dir/b.json extra` (a and b: comma-separated names) with
 * stdout captured into out. */
static int run_compare(const char *a, const char *b, const char *extra, char *out, size_t cap) {
    char pa[1024], pb[1024], cap_path[128];
    expand(a, pa, sizeof pa);
    expand(b, pb, sizeof pb);
    snprintf(cap_path, sizeof cap_path, "%s/stdout.txt", dir);
    char *argv[6] = {"compare", pa, pb, NULL, NULL, NULL};
    int argc = 3;
    char extra_buf[64];
    if (extra) {
        snprintf(extra_buf, sizeof extra_buf, "%s", extra);
        argv[argc++] = strtok(extra_buf, " ");
        argv[argc++] = strtok(NULL, " ");
    }
    return run_captured(cmd_compare, argc, argv, cap_path, out, cap);
}

/* The report after the two header lines (which name the files). */
static const char *body(const char *out) {
    const char *b = strstr(out, "\nprove/");
    return b ? b : out;
}

static void check_gate(void) {
    static char out[65536];
    /* A/A: one build, two sessions of 10 repetitions with 3 % jitter */
    write_results("base", 1, 10, 1.0, 0.03, "clean");
    write_results("aa", 2, 10, 1.0, 0.03, "clean");
    EXPECT(run_compare("base", "aa", NULL, out, sizeof out) == 0);
    EXPECT(strstr(out, "-> FAIL") == NULL && strstr(out, " FAIL\n") == NULL);
    /* a clean 4 % shift: WARN, still exit 0 */
    write_results("shift4", 3, 10, 1.04, 0.005, "clean");
    write_results("base_quiet", 4, 10, 1.0, 0.005, "clean");
    EXPECT(run_compare("base_quiet", "shift4", NULL, out, sizeof out) == 0);
    EXPECT(strstr(out, "WARN") != NULL && strstr(out, "-> WARN") != NULL);
    /* a 10 % regression with clear separation: FAIL, exit 1 */
    write_results("slow10", 5, 10, 1.10, 0.01, "clean");
    EXPECT(run_compare("base_quiet", "slow10", NULL, out, sizeof out) == 1);
    EXPECT(strstr(out, "-> FAIL") != NULL);
    /* ... but not with --fail 20 */
    EXPECT(run_compare("base_quiet", "slow10", "--fail 20", out, sizeof out) == 0);
    /* the tiny range (0.2 ms, < 2 % of the total) is shown but not gated */
    EXPECT(strstr(out, "range:R1 main LDE") != NULL);
    /* 3 vs 3 repetitions cannot reach significance after Holm: no FAIL, and a note says so */
    write_results("base3", 6, 3, 1.0, 0.005, "clean");
    write_results("slow3", 7, 3, 1.10, 0.005, "clean");
    EXPECT(run_compare("base3", "slow3", NULL, out, sizeof out) == 0);
    EXPECT(strstr(out, "no total can FAIL on timing") != NULL);
    /* equal timings but a new suspected fallback: FAIL */
    write_results("fallback", 2, 10, 1.0, 0.03, "suspected-fallback");
    EXPECT(run_compare("base", "fallback", NULL, out, sizeof out) == 1);
    EXPECT(strstr(out, "clean -> suspected-fallback") != NULL);
    /* no benchmark in common: exit 2 */
    char pa[128];
    snprintf(pa, sizeof pa, "%s/other.json", dir);
    FILE *f = fopen(pa, "w");
    fputs("{\"context\": {}, \"benchmarks\": [{\"name\": \"BM_other\", \"real_time\": 1, \"cpu_time\": 1, "
          "\"time_unit\": \"ms\"}]}\n",
          f);
    fclose(f);
    EXPECT(run_compare("base", "other", NULL, out, sizeof out) == 2);
    /* bad flags */
    EXPECT(run_compare("base", "aa", "--alpha 2", out, sizeof out) == 2);
    EXPECT(run_compare("base", "aa", "--warn 9", out, sizeof out) == 2); /* warn above fail */
}

/* Pooling: runs split across files give the report of one file with all repetitions;
 * disagreeing or repeated files are rejected. */
/* Writes NAME_a.json and NAME_b.json: repetitions [0, cut) and [cut, 10) of
 * write_results(NAME, seed, 10, scale, jitter, "clean"). */
static void write_split(const char *name, unsigned long long seed, double scale, double jitter, size_t cut) {
    char part[64];
    snprintf(part, sizeof part, "%s_a", name);
    write_part(part, seed, 10, scale, jitter, "clean", "ok", 0, cut);
    snprintf(part, sizeof part, "%s_b", name);
    write_part(part, seed, 10, scale, jitter, "clean", "ok", cut, 10);
}

/* Compares base with cand as one file a side and split in two (base's parts in reverse order):
 * both exit with rc and print the same report (medians, p-values, verdicts). */
static void check_split_same(const char *base, const char *cand, int rc) {
    static char one[65536], split[65536];
    char b2[64], c2[64];
    snprintf(b2, sizeof b2, "%s_b,%s_a", base, base);
    snprintf(c2, sizeof c2, "%s_a,%s_b", cand, cand);
    EXPECT(run_compare(base, cand, NULL, one, sizeof one) == rc);
    EXPECT(run_compare(b2, c2, NULL, split, sizeof split) == rc);
    CHECK(strcmp(body(one), body(split)) == 0, "pooled report differs from one file's:\n%s\nvs\n%s", one, split);
    EXPECT(strstr(split, "(10 vs 10 repetitions)") != NULL);
    EXPECT(strstr(split, "_b.json, ") != NULL && strstr(split, "_a.json (commit ") != NULL);
}

static void check_pooling(void) {
    static char split[65536];
    /* A/A with the base split 4 + 6 and the candidate 7 + 3 */
    write_split("base", 1, 1.0, 0.03, 4);
    write_split("aa", 2, 1.0, 0.03, 7);
    check_split_same("base", "aa", 0);
    /* a 10 % regression split across files still FAILs, with the same medians and p-values */
    write_split("base_quiet", 4, 1.0, 0.005, 5);
    write_split("slow10", 5, 1.10, 0.01, 2);
    check_split_same("base_quiet", "slow10", 1);
    /* a point that timed out in one candidate file FAILs the pooled candidate */
    write_part("aa_timeout", 2, 10, 1.0, 0.03, "clean", "timeout", 0, 3);
    EXPECT(run_compare("base", "aa_a,aa_timeout", NULL, split, sizeof split) == 1);
    EXPECT(strstr(split, "FAIL  candidate point timeout: killed after the --timeout (in ") != NULL);
    /* ... and so does one that has no timing at all (it used to pass unseen) */
    EXPECT(run_compare("base", "aa_timeout", NULL, split, sizeof split) == 1);
    EXPECT(strstr(split, "(10 vs 0 repetitions)") != NULL);
    /* a new fallback verdict in one candidate file is the pooled point's */
    write_part("fb_b", 2, 10, 1.0, 0.03, "fallback", "ok", 7, 10);
    EXPECT(run_compare("base_a,base_b", "aa_a,fb_b", NULL, split, sizeof split) == 1);
    EXPECT(strstr(split, "clean -> fallback") != NULL);
    /* proof bytes that differ between files of one commit: FAIL for the candidate, a note for the base */
    char digest_a[96], digest_b[96];
    snprintf(digest_a, sizeof digest_a, "\"proof_digest\": \"%064d\"", 10);
    snprintf(digest_b, sizeof digest_b, "\"proof_digest\": \"%064d\"", 11);
    rewrite("aa_a", "dg_a", "\"proof_digest\": \"\"", digest_a);
    rewrite("aa_b", "dg_b", "\"proof_digest\": \"\"", digest_b);
    EXPECT(run_compare("base", "dg_a,dg_b", NULL, split, sizeof split) == 1);
    EXPECT(strstr(split, "FAIL  candidate proof digest differs between its files of one commit") != NULL);
    EXPECT(run_compare("dg_a,dg_b", "aa", NULL, split, sizeof split) == 0);
    EXPECT(strstr(split, "note  base proof digest differs between its files of one commit") != NULL);
    /* bad multi-file input: exit 2 */
    EXPECT(run_compare("base_a,base_a", "aa", NULL, split, sizeof split) == 2);     /* counted twice */
    EXPECT(run_compare("base_a,missing", "aa", NULL, split, sizeof split) == 2);    /* unreadable */
    char arg[256], *argv[] = {"compare", arg, "x.json"};
    snprintf(arg, sizeof arg, "%s/base_a.json,", dir);                            /* empty name */
    EXPECT(run_captured(cmd_compare, 3, argv, "/dev/null", split, sizeof split) == 2);
    rewrite("base_b", "other_host", "\"host_name\": \"", "\"host_name\": \"other-");
    EXPECT(run_compare("base_a,other_host", "aa", NULL, split, sizeof split) == 2);
    rewrite("aa_b", "no_sync", "\"range_sync\": true", "\"range_sync\": false");
    EXPECT(run_compare("base", "aa_a,no_sync", NULL, split, sizeof split) == 2);
    rewrite("aa_b", "on_gpu", "\"backend_used\": \"cpu\"", "\"backend_used\": \"gpu\"");
    EXPECT(run_compare("base", "aa_a,on_gpu", NULL, split, sizeof split) == 2);
    /* the unchanged copy pools fine: the rejections above are the edits' */
    rewrite("aa_b", "aa_copy", "\"host_name\": \"", "\"host_name\": \"");
    EXPECT(run_compare("base", "aa_a,aa_copy", NULL, split, sizeof split) == 0);
}

int main(void) {
    check_mann_whitney();
    check_holm();
    snprintf(dir, sizeof dir, "/tmp/sb_test_compare.XXXXXX");
    if (!mkdtemp(dir)) return 1;
    check_gate();
    check_pooling();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return check_finish("test_compare");
}
