/* The starkbench subcommands. Each takes argv after the subcommand name (argv[0] is the
 * subcommand) and returns the process exit code: 0 success, 1 a negative result
 * (invalid proof, regression), 2 bad input or usage. */
#ifndef SB_COMMANDS_H
#define SB_COMMANDS_H

int cmd_prove(int argc, char **argv);      /* bench/cli_prove.c */
int cmd_verify(int argc, char **argv);     /* bench/cli_prove.c */
int cmd_lde_commit(int argc, char **argv); /* bench/cli_lde_commit.c */
int cmd_kernels(int argc, char **argv);    /* bench/cli_kernels.c */
int cmd_sweep(int argc, char **argv);      /* bench/sweep.c */
int cmd_calibrate(int argc, char **argv);  /* bench/calibrate.c */
int cmd_report(int argc, char **argv);     /* reports/report.c */
int cmd_compare(int argc, char **argv);    /* reports/compare.c */
int cmd_history(int argc, char **argv);    /* reports/history.c */
int cmd_bisect(int argc, char **argv);     /* bench/bisect.c */

#endif
