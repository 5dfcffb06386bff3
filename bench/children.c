#include "children.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "options.h"
#include "range.h"

#define MAX_CHILDREN 80 /* SB_MAX_GPUS slots and the CPU one, with room */

/* Keeps the last non-empty line of the text and collects warning lines. */
static void scan_output(sb_child *c) {
    const char *s = c->text ? c->text : "";
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        if (len) {
            snprintf(c->last_line, sizeof c->last_line, "%.*s", (int)len, s);
            if (memmem(s, len, "warning:", 8)) {
                size_t w = strlen(c->warnings);
                snprintf(c->warnings + w, sizeof c->warnings - w, "%.*s\n", (int)len, s);
            }
        }
        s += len + (nl != NULL);
    }
}

int sb_child_start(sb_child *c, char **argv, const char *pin, double timeout_s) {
    extern char **environ;
    memset(c, 0, sizeof *c);
    size_t n_env = 0, kept = 0, pin_name = pin ? strcspn(pin, "=") + 1 : 0;
    while (environ[n_env]) n_env++;
    char **envp = malloc((n_env + 2) * sizeof *envp); /* built here: the forked child only execs */
    if (!envp) return -1;
    for (size_t i = 0; i < n_env; i++)
        if (!sb_env_is_mirror(environ[i]) && !(pin && strncmp(environ[i], pin, pin_name) == 0)) envp[kept++] = environ[i];
    if (pin) envp[kept++] = (char *)pin;
    envp[kept] = NULL;
    int fds[2];
    if (pipe(fds) != 0) {
        free(envp);
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        free(envp);
        return -1;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* a killed sweep takes its point with it */
        if (getppid() != parent) _exit(127);
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        execve("/proc/self/exe", argv, envp);
        fprintf(stderr, "cannot exec /proc/self/exe: %s\n", strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    free(envp);
    c->pid = pid;
    c->fd = fds[0];
    c->deadline = sb_now() + timeout_s;
    return 0;
}

/* Ends child c: killed unless its output ended by itself, reaped, its output scanned. */
static void finish(sb_child *c, int kill_it) {
    if (kill_it) kill(c->pid, SIGKILL);
    close(c->fd);
    while (waitpid(c->pid, &c->exit_status, 0) < 0 && errno == EINTR) {
    }
    scan_output(c);
    free(c->text);
    c->text = NULL;
    c->pid = 0;
}

int sb_child_wait(sb_child *const *cs, size_t n, volatile sig_atomic_t *stop) {
    struct pollfd pf[MAX_CHILDREN];
    size_t at[MAX_CHILDREN];
    for (;;) {
        size_t m = 0;
        double now = sb_now(), first = INFINITY;
        for (size_t i = 0; i < n && m < MAX_CHILDREN; i++) {
            if (!cs[i] || !cs[i]->pid) continue;
            if (cs[i]->deadline <= now) {
                cs[i]->timed_out = 1;
                finish(cs[i], 1);
                return (int)i;
            }
            first = fmin(first, cs[i]->deadline);
            pf[m] = (struct pollfd){cs[i]->fd, POLLIN, 0};
            at[m++] = i;
        }
        if (m == 0) return -1;
        double left = first - now;
        int pr = poll(pf, m, left > 1e6 ? 1000000000 : (int)ceil(left * 1e3));
        if (pr < 0 && errno == EINTR && stop && *stop) {
            for (size_t i = 0; i < n; i++)
                if (cs[i] && cs[i]->pid) {
                    cs[i]->was_interrupted = 1;
                    finish(cs[i], 1);
                }
            return -1;
        }
        for (size_t k = 0; pr > 0 && k < m; k++) {
            if (!pf[k].revents) continue;
            sb_child *c = cs[at[k]];
            char buf[4096];
            ssize_t got = read(c->fd, buf, sizeof buf);
            if (got < 0 && errno == EINTR) continue;
            char *grown = got > 0 ? realloc(c->text, c->len + (size_t)got + 1) : NULL;
            if (got <= 0 || !grown) { /* EOF: the child exited (or closed its output) */
                finish(c, got > 0);
                return (int)at[k];
            }
            c->text = grown;
            memcpy(c->text + c->len, buf, (size_t)got);
            c->len += (size_t)got;
            c->text[c->len] = 0;
        }
    }
}

int sb_child_run(sb_child *c, char **argv, const char *pin, double timeout_s, volatile sig_atomic_t *stop) {
    if (sb_child_start(c, argv, pin, timeout_s) != 0) return -1;
    return sb_child_wait(&c, 1, stop) == 0 ? 0 : -1;
}
