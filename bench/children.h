/* The sweep's child processes (docs/ARCHITECTURE.md "Process model"): /proc/self/exe with an
 * argv, stdout and stderr into a pipe, killed with SIGKILL past a deadline or when the sweep is
 * interrupted, several at once (sweep --gpus runs one point per GPU concurrently). */
#ifndef SB_CHILDREN_H
#define SB_CHILDREN_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct sb_child {
    pid_t pid;             /* 0: not running */
    int fd;                /* the read end of its output pipe */
    double deadline;       /* sb_now() seconds */
    char *text;            /* its output so far */
    size_t len;
    int exit_status;       /* waitpid status, once reaped */
    int timed_out, was_interrupted;
    char last_line[256];   /* its last non-empty output line */
    char warnings[1024];   /* its "warning:" lines */
} sb_child;

/* Starts `/proc/self/exe argv` in c (zeroed first) with this process's environment less the flag
 * mirrors (options.h: the child gets every option as a flag), and with pin ("NAME=value", e.g.
 * "CUDA_VISIBLE_DEVICES=GPU-...") in place of NAME's entry when pin is not NULL. The child dies
 * with this process (PR_SET_PDEATHSIG). Returns 0, or -1 (errno) when it could not start. */
int sb_child_start(sb_child *c, char **argv, const char *pin, double timeout_s);

/* Waits until one of the running children *cs[0..n) (pid != 0; cs[i] may be NULL) ends: its output reaches EOF,
 * or its deadline passes (it is killed, timed_out). Reaps it (exit_status, last_line, warnings;
 * pid back to 0) and returns its position. When *stop becomes set (SIGINT/SIGTERM), every
 * running child is killed, reaped and marked was_interrupted, and -1 is returned; -1 too when
 * none is running. */
int sb_child_wait(sb_child *const *cs, size_t n, volatile sig_atomic_t *stop);

/* sb_child_start, then sb_child_wait on that child alone. Returns 0, or -1 when it could not
 * start or was interrupted (c->was_interrupted). */
int sb_child_run(sb_child *c, char **argv, const char *pin, double timeout_s, volatile sig_atomic_t *stop);

#endif
