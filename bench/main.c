/* starkbench: one binary, git-style subcommands. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static const struct {
    const char *name;
    int (*run)(int, char **);
    const char *help;
} commands[] = {
    {"prove", cmd_prove, "prove fib_iterative; print output, proof size and the round timing table"},
    {"verify", cmd_verify, "verify a proof file (exit 0 valid, 1 invalid, 2 unreadable)"},
    {"lde-commit", cmd_lde_commit, "Round-1 pipeline alone on the deterministic matrix: LDE + Merkle root"},
    {"kernels", cmd_kernels, "list the GPU kernels whose threads-per-block --tpb sets"},
    {"sweep", cmd_sweep, "run a configuration grid, median-of-N; write results (JSON + CSV)"},
    {"calibrate", cmd_calibrate, "measure CPU-forced and GPU commit times for the fallback detector"},
    {"report", cmd_report, "turn results into markdown + charts"},
    {"compare", cmd_compare, "compare results (several files a side are pooled); exit code for CI"},
    {"history", cmd_history, "store results in the history database, list trends and their change points, plot"},
    {"bisect", cmd_bisect, "find the first commit whose sweep compare FAILs against GOOD's (builds each in a worktree)"},
};

static void usage(FILE *out) {
    fprintf(out, "usage: starkbench <command> [flags]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].help);
    fprintf(out, "\n'starkbench <command> --help' describes a command's flags.\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "starkbench: unknown command '%s' (see 'starkbench --help')\n", argv[1]);
    return 2;
}
