/* `starkbench bisect GOOD BAD [flags] [-- SWEEP FLAGS]`: the first commit whose sweep `compare`
 * marks FAIL against GOOD's (asv's `find`), by binary search over the first-parent commits
 * GOOD..BAD, each built and swept in one temporary git worktree. docs/ARCHITECTURE.md ("bisect")
 * describes it; the exit codes are in usage(). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "nvml.h"
#include "options.h"

#define MAX_COMMITS 4096
#define DEFAULT_SWEEP "build-bisect/starkbench sweep"

static void usage(FILE *out) {
    fprintf(out,
            "usage: starkbench bisect GOOD BAD [--build CMD] [--sweep CMD] [--out DIR] [--repo DIR]\n"
            "                         [--warn PCT] [--fail PCT] [--alpha A] [-- SWEEP-FLAGS...]\n"
            "Finds the first commit after GOOD, up to BAD (first parents), whose sweep compare marks FAIL\n"
            "against GOOD's: GOOD and BAD are swept first, then a binary search; a commit whose build or\n"
            "sweep fails is skipped. Each commit is checked out in one temporary git worktree, where\n"
            "  --build CMD  builds it (sh -c; default: cmake -S . -B build-bisect -DCMAKE_BUILD_TYPE=Release\n"
            "               [-DSB_ENABLE_CUDA=OFF where NVML sees no GPU] && cmake --build build-bisect\n"
            "               --target starkbench -j<cpus>)\n"
            "  --sweep CMD  sweeps it (sh -c, with SWEEP-FLAGS and --out FILE appended as arguments;\n"
            "               default: " DEFAULT_SWEEP ")\n"
            "  both run with STARKBENCH_BISECT_COMMIT set to the commit; SWEEP-FLAGS default to\n"
            "  --backend cpu --steps 2^12 --blowup 2 --runs 5 --warmup 1\n"
            "  --out DIR    keep each commit's results, build, sweep and compare logs there (default: a\n"
            "               temporary directory, removed at the end)\n"
            "  --repo DIR   the git repository (default: the one around the current directory)\n"
            "  --warn, --fail, --alpha go to compare (this binary's)\n"
            "exit: 0 the first FAIL commit found; 1 BAD does not FAIL against GOOD (nothing to find);\n"
            "2 bad input (not a repository, unknown revision, GOOD not an ancestor of BAD); 3 undecided\n"
            "(GOOD or BAD cannot be built or swept, or every candidate left was skipped); 130 interrupted\n");
}

static volatile sig_atomic_t interrupted;
static void on_signal(int sig) {
    (void)sig;
    interrupted = 1;
}

/* Runs argv (execvp) in cwd (NULL: here) with STARKBENCH_BISECT_COMMIT=commit (NULL: unset),
 * stdout into out (cap bytes, NUL-terminated; NULL: into the file log, or /dev/null) and stderr
 * into log (NULL: /dev/null). Returns the exit status (128 + signal when killed), -1 when it
 * could not start. */
static int run(char *const argv[], const char *cwd, const char *commit, char *out, size_t cap, const char *log) {
    int fds[2] = {-1, -1};
    if (out && pipe(fds) != 0) return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int err = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (err < 0 || (cwd && chdir(cwd) != 0)) _exit(126);
        dup2(out ? fds[1] : err, STDOUT_FILENO);
        dup2(err, STDERR_FILENO);
        if (out) close(fds[0]), close(fds[1]);
        close(err);
        if (commit) setenv("STARKBENCH_BISECT_COMMIT", commit, 1);
        execvp(argv[0], argv);
        _exit(127);
    }
    size_t len = 0;
    if (out) {
        close(fds[1]);
        char spill[4096]; /* output beyond cap is read and dropped, so the child never blocks on a full pipe */
        for (;;) {
            int full = len + 1 >= cap;
            ssize_t n = read(fds[0], full ? spill : out + len, full ? sizeof spill : cap - 1 - len);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            if (!full) len += (size_t)n;
        }
        close(fds[0]);
        out[len] = 0;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* `git -C repo ARGS...` with its stdout (first line, trailing newline cut) in out. Returns git's status. */
static int git(const char *repo, char *out, size_t cap, const char *a, const char *b, const char *c, const char *d) {
    char *argv[] = {"git", "-C", (char *)repo, (char *)a, (char *)b, (char *)c, (char *)d, NULL};
    char buf[1 << 16];
    int rc = run(argv, NULL, NULL, out ? out : buf, out ? cap : sizeof buf, NULL);
    if (out && rc == 0) out[strcspn(out, "\n")] = 0;
    return rc;
}

typedef struct bisect {
    char repo[1024], tmp[64], wt[128], dir[1024];
    const char *build, *sweep;
    char **sweep_flags;
    int n_sweep_flags;
    char *compare_flags[6];
    int n_compare_flags;
    char good_json[1200];
} bisect;

/* The commit's results file, "DIR/<sha12>.json", and its logs beside it. */
static void path_of(const bisect *b, const char *sha, const char *what, char *out, size_t cap) {
    snprintf(out, cap, "%s/%.12s%s", b->dir, sha, what);
}

/* Checks sha out, builds and sweeps it. Returns 0 with its results file, or -1 after one line
 * saying which step failed (its log named). */
static int measure(const bisect *b, const char *sha, const char *label) {
    char log[1300], json[1300], script[4200];
    if (interrupted) return -1;
    if (git(b->wt, NULL, 0, "checkout", "--quiet", "--detach", sha) != 0) {
        fprintf(stderr, "bisect: %s %.12s: cannot check it out\n", label, sha);
        return -1;
    }
    path_of(b, sha, "-build.log", log, sizeof log);
    char *build[] = {"sh", "-c", (char *)b->build, NULL};
    int rc = run(build, b->wt, sha, NULL, 0, log);
    if (rc != 0) {
        fprintf(stderr, "bisect: %s %.12s: build failed (exit %d; %s)\n", label, sha, rc, log);
        return -1;
    }
    path_of(b, sha, ".json", json, sizeof json);
    path_of(b, sha, "-sweep.log", log, sizeof log);
    remove(json);
    snprintf(script, sizeof script, "%s \"$@\"", b->sweep);
    char **argv = calloc((size_t)b->n_sweep_flags + 8, sizeof *argv);
    if (!argv) return -1;
    int argc = 0;
    argv[argc++] = "sh";
    argv[argc++] = "-c";
    argv[argc++] = script;
    argv[argc++] = "sh";
    for (int i = 0; i < b->n_sweep_flags; i++) argv[argc++] = b->sweep_flags[i];
    argv[argc++] = "--out";
    argv[argc++] = json;
    rc = run(argv, b->wt, sha, NULL, 0, log);
    free(argv);
    if ((rc != 0 && rc != 1) || access(json, R_OK) != 0) { /* 1: points flagged; compare judges them */
        fprintf(stderr, "bisect: %s %.12s: sweep failed (exit %d; %s)\n", label, sha, rc, log);
        return -1;
    }
    return 0;
}

/* Compares sha's results against GOOD's with this binary's compare. Returns 1 FAIL, 0 ok/WARN, -1 when
 * compare could not judge; writes compare's summary verdict ("1 FAIL, 0 WARN -> FAIL") to verdict. */
static int judge(const bisect *b, const char *sha, char *verdict, size_t cap) {
    char json[1300], txt[1300];
    path_of(b, sha, ".json", json, sizeof json);
    path_of(b, sha, "-compare.txt", txt, sizeof txt);
    char *argv[12] = {"/proc/self/exe", "compare", (char *)b->good_json, json};
    int argc = 4;
    for (int i = 0; i < b->n_compare_flags; i++) argv[argc++] = b->compare_flags[i];
    argv[argc] = NULL;
    static char out[1 << 20];
    int rc = run(argv, NULL, NULL, out, sizeof out, txt);
    FILE *f = fopen(txt, "a");
    if (f) fputs(out, f), fclose(f);
    const char *summary = strstr(out, "summary: "), *tail = summary ? strstr(summary, ": ") : NULL;
    tail = tail ? strstr(tail + 2, "%: ") : NULL;
    snprintf(verdict, cap, "%.*s", tail ? (int)strcspn(tail + 3, "\n") : 0, tail ? tail + 3 : "");
    if (rc != 0 && rc != 1) snprintf(verdict, cap, "compare could not judge it (exit %d; %.300s)", rc, txt);
    return rc == 1 ? 1 : rc == 0 ? 0 : -1;
}

/* The default build: CUDA only where NVML sees a GPU (a CPU-only build is quicker and enough there). */
static void default_build(char *out, size_t cap) {
    sb_nvml *n = sb_nvml_open();
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    snprintf(out, cap,
             "cmake -S . -B build-bisect -DCMAKE_BUILD_TYPE=Release%s && cmake --build build-bisect --target starkbench -j%ld",
             n ? "" : " -DSB_ENABLE_CUDA=OFF", cpus > 0 ? cpus : 1);
    sb_nvml_close(n);
}

static void subject_of(const bisect *b, const char *sha, char *out, size_t cap) {
    if (git(b->repo, out, cap, "log", "-1", "--format=%s", sha) != 0) out[0] = 0;
}

/* Parses the arguments into b and the two revisions. Returns 0, or 2 after one line. */
static int parse(int argc, char **argv, bisect *b, const char **good, const char **bad, const char **out_dir,
                 const char **repo_arg) {
    static char *default_flags[] = {"--backend", "cpu", "--steps", "2^12", "--blowup", "2", "--runs", "5", "--warmup", "1"};
    b->sweep = DEFAULT_SWEEP;
    b->sweep_flags = default_flags;
    b->n_sweep_flags = sizeof default_flags / sizeof default_flags[0];
    int n_revs = 0;
    for (int i = 1; i < argc; i++) {
        int missing = 0;
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(argv[i], "--")) {
            if (i + 1 < argc) b->sweep_flags = argv + i + 1, b->n_sweep_flags = argc - i - 1;
            break;
        } else if ((v = sb_flag_value(argc, argv, &i, "build", &missing))) b->build = v;
        else if ((v = sb_flag_value(argc, argv, &i, "sweep", &missing))) b->sweep = v;
        else if ((v = sb_flag_value(argc, argv, &i, "out", &missing))) *out_dir = v;
        else if ((v = sb_flag_value(argc, argv, &i, "repo", &missing))) *repo_arg = v;
        else if (!missing && (!strcmp(argv[i], "--warn") || !strcmp(argv[i], "--fail") || !strcmp(argv[i], "--alpha"))) {
            if (i + 1 >= argc || b->n_compare_flags > 4) {
                fprintf(stderr, "starkbench bisect: %s needs a value\n", argv[i]);
                return 2;
            }
            b->compare_flags[b->n_compare_flags++] = argv[i];
            b->compare_flags[b->n_compare_flags++] = argv[++i];
        } else if (missing) return 2;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "starkbench bisect: unknown flag '%s' (see 'starkbench bisect --help')\n", argv[i]);
            return 2;
        } else if (n_revs < 2) {
            *(n_revs++ ? bad : good) = argv[i];
        } else {
            fprintf(stderr, "starkbench bisect: unexpected argument '%s' (GOOD and BAD only; see --help)\n", argv[i]);
            return 2;
        }
    }
    if (n_revs != 2) {
        fprintf(stderr, "starkbench bisect: usage: starkbench bisect GOOD BAD [flags] [-- SWEEP-FLAGS] (see --help)\n");
        return 2;
    }
    return 0;
}

/* Removes the worktree and the temporary directory (results kept with --out live elsewhere). */
static void cleanup(const bisect *b) {
    if (b->wt[0]) git(b->repo, NULL, 0, "worktree", "remove", "--force", b->wt);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", b->tmp);
    if (b->tmp[0] && system(cmd) != 0) fprintf(stderr, "bisect: could not remove %s\n", b->tmp);
}

int cmd_bisect(int argc, char **argv) {
    bisect b;
    memset(&b, 0, sizeof b);
    const char *good_rev = NULL, *bad_rev = NULL, *out_dir = NULL, *repo_arg = ".";
    if (parse(argc, argv, &b, &good_rev, &bad_rev, &out_dir, &repo_arg) != 0) return 2;
    char good[64], bad[64], spec[300];
    if (git(repo_arg, b.repo, sizeof b.repo, "rev-parse", "--show-toplevel", NULL, NULL) != 0) {
        fprintf(stderr, "starkbench bisect: %s is not inside a git repository\n", repo_arg);
        return 2;
    }
    const char *revs[2] = {good_rev, bad_rev};
    char *shas[2] = {good, bad};
    for (int k = 0; k < 2; k++) {
        snprintf(spec, sizeof spec, "%s^{commit}", revs[k]);
        if (git(b.repo, shas[k], 64, "rev-parse", "--verify", "--quiet", spec) != 0) {
            fprintf(stderr, "starkbench bisect: %s: unknown revision '%s' in %s\n", k ? "BAD" : "GOOD", revs[k], b.repo);
            return 2;
        }
    }
    if (git(b.repo, NULL, 0, "merge-base", "--is-ancestor", good, bad) != 0 || !strcmp(good, bad)) {
        fprintf(stderr, "starkbench bisect: GOOD %.12s is not an ancestor of BAD %.12s\n", good, bad);
        return 2;
    }
    static char list[MAX_COMMITS * 42];
    snprintf(spec, sizeof spec, "%s..%s", good, bad);
    char *rl[] = {"git", "-C", b.repo, "rev-list", "--reverse", "--first-parent", spec, NULL};
    if (run(rl, NULL, NULL, list, sizeof list, NULL) != 0) {
        fprintf(stderr, "starkbench bisect: git rev-list %s failed\n", spec);
        return 2;
    }
    char *commits[MAX_COMMITS];
    size_t n = 0;
    for (char *save = NULL, *line = strtok_r(list, "\n", &save); line && n < MAX_COMMITS; line = strtok_r(NULL, "\n", &save))
        commits[n++] = line;
    if (n == 0 || strcmp(commits[n - 1], bad) != 0) {
        fprintf(stderr, "starkbench bisect: BAD %.12s is not on the first-parent line from GOOD %.12s\n", bad, good);
        return 2;
    }

    char build_cmd[512];
    if (!b.build) default_build(build_cmd, sizeof build_cmd), b.build = build_cmd;
    snprintf(b.tmp, sizeof b.tmp, "/tmp/starkbench-bisect-XXXXXX");
    if (!mkdtemp(b.tmp)) {
        fprintf(stderr, "starkbench bisect: cannot create a temporary directory: %s\n", strerror(errno));
        return 2;
    }
    if (out_dir) {
        char *abs = mkdir(out_dir, 0777) != 0 && errno != EEXIST ? NULL : realpath(out_dir, NULL);
        if (!abs) {
            fprintf(stderr, "starkbench bisect: --out %s: cannot use it: %s\n", out_dir, strerror(errno));
            cleanup(&b);
            return 2;
        }
        snprintf(b.dir, sizeof b.dir, "%s", abs);
        free(abs);
    } else {
        snprintf(b.dir, sizeof b.dir, "%s", b.tmp);
    }
    snprintf(b.wt, sizeof b.wt, "%s/src", b.tmp);
    if (git(b.repo, NULL, 0, "worktree", "add", "--detach", b.wt) != 0) {
        fprintf(stderr, "starkbench bisect: git worktree add %s failed\n", b.wt);
        b.wt[0] = 0;
        cleanup(&b);
        return 2;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    size_t steps = 0;
    for (size_t k = n; k > 1; k = (k + 1) / 2) steps++;
    printf("bisect: %zu commit%s after GOOD %.12s up to BAD %.12s; about %zu sweep%s after GOOD's and BAD's\n", n,
           n == 1 ? "" : "s", good, bad, steps, steps == 1 ? "" : "s");
    printf("bisect: build: %s\nbisect: sweep: %s", b.build, b.sweep);
    for (int i = 0; i < b.n_sweep_flags; i++) printf(" %s", b.sweep_flags[i]);
    printf(" --out ...\n");
    fflush(stdout);
    path_of(&b, good, ".json", b.good_json, sizeof b.good_json);
    char verdict[400] = "", subject[200];
    int rc = 3;
    /* state per commit: 0 untested, 1 ok, 2 FAIL, 3 skipped */
    unsigned char *state = calloc(n, 1);
    if (!state || measure(&b, good, "GOOD") != 0) goto done;
    printf("bisect: GOOD %.12s swept\n", good);
    if (measure(&b, bad, "BAD") != 0 || judge(&b, bad, verdict, sizeof verdict) < 0) {
        if (!interrupted) fprintf(stderr, "bisect: BAD %.12s: %s\n", bad, verdict[0] ? verdict : "not measured");
        goto done;
    }
    subject_of(&b, bad, subject, sizeof subject);
    printf("bisect: BAD  %.12s %s: %s\n", bad, subject, verdict);
    if (!strstr(verdict, "-> FAIL")) {
        printf("bisect: BAD does not FAIL against GOOD: nothing to find\n");
        rc = 1;
        goto done;
    }
    state[n - 1] = 2;
    long lo = -1, hi = (long)n - 1; /* lo: the last commit known not to FAIL (-1: GOOD), hi: the first known to */
    for (size_t probe = 1; !interrupted; probe++) {
        /* the untested commit between lo and hi nearest their middle */
        long mid = -1;
        double centre = (double)(lo + hi) / 2, best = 1e18;
        for (long k = lo + 1; k < hi; k++) {
            double d = (double)k - centre;
            if (state[k] == 0 && (d < 0 ? -d : d) < best) best = d < 0 ? -d : d, mid = k;
        }
        if (mid < 0) break;
        subject_of(&b, commits[mid], subject, sizeof subject);
        int j = measure(&b, commits[mid], "commit") == 0 ? judge(&b, commits[mid], verdict, sizeof verdict) : -1;
        if (interrupted) break;
        state[mid] = j == 1 ? 2 : j == 0 ? 1 : 3;
        printf("bisect: [%zu] %.12s %s: %s\n", probe, commits[mid], subject, j < 0 ? "skipped" : verdict);
        fflush(stdout);
        if (j == 1) hi = mid;
        else if (j == 0) lo = mid;
    }
    if (interrupted) {
        fprintf(stderr, "bisect: interrupted\n");
        rc = 130;
        goto done;
    }
    subject_of(&b, commits[hi], subject, sizeof subject);
    if (hi == lo + 1) {
        printf("first FAIL: %s %s\n", commits[hi], subject);
        rc = 0;
    } else { /* every commit between lo and hi was skipped */
        printf("bisect: undecided: the first FAIL is one of these (the others could not be built or swept):\n");
        for (long k = lo + 1; k <= hi; k++) {
            subject_of(&b, commits[k], subject, sizeof subject);
            printf("  %s %s\n", commits[k], subject);
        }
        rc = 3;
    }
done:
    if (out_dir) printf("bisect: results and logs in %s\n", b.dir);
    free(state);
    cleanup(&b);
    return interrupted ? 130 : rc;
}
