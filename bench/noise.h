/* The noise probe a sweep runs before its points: the same fixed work a few dozen times, on
 * the CPU (in the sweep's process) and, where a GPU is usable, on the GPU (in a child: the
 * sweep's process never initialises CUDA). Its noise (adaptive.h: the relative half-width of
 * the median's 95 % order-statistic interval) is the machine's current noise; it goes into the
 * results context, and compare never calls a change smaller than either side's significant. */
#ifndef SB_NOISE_H
#define SB_NOISE_H

#define SB_NOISE_PROBE_REPS 30
#define SB_NOISE_CPU_PERMUTATIONS 8192 /* Keccak-f[1600] of one state per CPU repetition (a few ms) */

/* Times SB_NOISE_PROBE_REPS repetitions of the fixed CPU loop (after one warm-up); writes
 * their noise in percent and median in ms. */
void sb_noise_cpu_probe(double *noise_pct, double *median_ms);

/* `starkbench sweep --noise-probe` (a child): times SB_NOISE_PROBE_REPS launches of the fixed
 * GPU kernel and prints "gpu-noise: PCT MEDIAN_MS". Returns 0, or 1 after one line on stderr
 * when no GPU is usable. */
int sb_noise_gpu_child(void);

/* Parses the child's last line into *noise_pct, *median_ms. Returns 0 or -1. */
int sb_noise_gpu_parse(const char *line, double *noise_pct, double *median_ms);

#endif
