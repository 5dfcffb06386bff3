/* starkbench kernels: the --tpb kernel names with their defaults and, on a GPU, what each
 * compiled kernel needs (registers/thread) and allows (max threads/block); with --floors, the
 * device floors of issue 5 for an lde-commit shape; with --pipes, the pipe probes behind the
 * Keccak kernels' design. */
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "commands.h"
#include "efficiency.h"
#include "../kernels/gpu_backend.h"
#include "options.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: starkbench kernels [--floors [--log-rows n] [--cols m] [--blowup b]] [--pipes]\n"
            "  lists the --tpb kernel names, their default threads per block and, on a GPU, the\n"
            "  registers per thread and max threads per block of the kernel each one launches.\n"
            "  --floors  measures the device's D2D copy bandwidth, Goldilocks butterflies/s and Keccak-f/s,\n"
            "            and prints the floors they set for lde-commit of 2^n x m at blowup b (default 23, 64, 2)\n"
            "  --pipes   times steps of three LOP3 and one instruction X each: an X on another pipe than the\n"
            "            ALU makes the step faster than X = LOP3; and checks the FP64-pipe funnel shift\n");
}

/* The floors of lde-commit 2^log_n x cols at blowup b (issue 5). */
static int print_floors(unsigned log_n, unsigned cols, unsigned blowup) {
    double copy, bfly, keccak;
    char err[256];
    if (sb_gpu_floors(&copy, &bfly, &keccak, err, sizeof err) != 0) {
        fprintf(stderr, "starkbench: kernels --floors: %s\n", err);
        return 2;
    }
    sb_work lde, commit; /* the work as bench/efficiency.h defines it */
    sb_work_lde(1ull << log_n, cols, blowup, &lde);
    sb_work_commit(1ull << log_n, cols, blowup, &commit);
    const double bytes = lde.bytes, butterflies = lde.butterflies, perms = commit.permutations;
    printf("d2d copy: %.1f GB/s (read + write)\n", copy / 1e9);
    printf("butterflies: %.3g /s (straightforward, register-resident)\n", bfly);
    printf("keccak-f[1600]: %.3g /s (straightforward, one thread per state)\n", keccak);
    printf("lde-commit 2^%u x %u, blowup %u:\n", log_n, cols, blowup);
    printf("  LDE HBM floor: %.2f GB moved -> %.2f ms\n", bytes / 1e9, 1e3 * bytes / copy);
    printf("  LDE butterfly floor: %.3g butterflies -> %.2f ms\n", butterflies, 1e3 * butterflies / bfly);
    printf("  commit Keccak floor: %.3g permutations -> %.2f ms\n", perms, 1e3 * perms / keccak);
    return 0;
}

/* The pipe probes: each step's time against the all-LOP3 step. */
static int print_pipes(void) {
    const char *names[SB_GPU_PIPE_PROBES];
    double sec[SB_GPU_PIPE_PROBES];
    unsigned long long mismatches = 0;
    char err[256];
    if (sb_gpu_pipes(names, sec, &mismatches, err, sizeof err) != 0) {
        fprintf(stderr, "starkbench: kernels --pipes: %s\n", err);
        return 2;
    }
    printf("pipe probes: steps of 3 LOP3 + X (vs X = LOP3: 1.00 = X holds the ALU, 0.75 = X runs beside it)\n");
    for (int i = 0; i < SB_GPU_PIPE_PROBES; i++)
        printf("  X = %-48s %8.3f ms  %.2f\n", names[i], 1e3 * sec[i], sec[i] / sec[0]);
    printf("FP64-pipe funnel shift vs SHF.L.W, every shift 1..31 on 2^24 pairs: %llu mismatches\n", mismatches);
    return mismatches ? 1 : 0;
}

int cmd_kernels(int argc, char **argv) {
    sb_options o;
    sb_options_init(&o);
    int floors = 0, pipes = 0;
    uint64_t log_n = 23, cols = 64;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int missing = 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--floors") == 0) {
            floors = 1;
        } else if (strcmp(argv[i], "--pipes") == 0) {
            pipes = 1;
        } else if ((v = sb_flag_value(argc, argv, &i, "log-rows", &missing)) || missing) {
            if (missing || sb_parse_count(v, 0, &log_n) != 0 || log_n < 1 || log_n > 31) {
                fprintf(stderr, "starkbench: kernels: --log-rows must be an integer in [1, 31]\n");
                return 2;
            }
        } else if ((v = sb_flag_value(argc, argv, &i, "cols", &missing)) || missing) {
            if (missing || sb_parse_count(v, 0, &cols) != 0 || cols < 1 || cols > 65536) {
                fprintf(stderr, "starkbench: kernels: --cols must be an integer in [1, 65536]\n");
                return 2;
            }
        } else {
            const int r = sb_options_parse_flag(&o, argc, argv, &i);
            if (r < 0) return 2;
            if (r == 0) {
                fprintf(stderr, "starkbench: kernels: unknown flag '%s' (see 'starkbench kernels --help')\n", argv[i]);
                return 2;
            }
        }
    }
    if (sb_options_finish(&o, "kernels", SB_OPT_BLOWUP) != 0) return 2;
    char err[256] = "";
    int gpu = 1;
    printf("%-10s %-11s %-5s %-8s %s\n", "name", "default_tpb", "regs", "max_tpb", "kernel");
    for (int k = 0; k < SB_K_COUNT; k++) {
        const char *kernel = "";
        int regs = 0, max_tpb = 0;
        const int r = gpu ? sb_gpu_kernel_info(k, &kernel, &regs, &max_tpb, err, sizeof err) : -1;
        if (r < 0) gpu = 0;
        if (r == 0) printf("%-10s %-11u %-5d %-8d %s\n", sb_kernel_names[k], sb_kernel_default_tpb[k], regs, max_tpb, kernel);
        else printf("%-10s %-11u %-5s %-8s %s\n", sb_kernel_names[k], sb_kernel_default_tpb[k], "-", "-", r > 0 ? kernel : "");
    }
    if (!gpu) printf("(no GPU attributes: %s)\n", err);
    if (!floors && !pipes) return 0;
    if (!gpu) {
        fprintf(stderr, "starkbench: kernels %s needs a GPU (%s)\n", floors ? "--floors" : "--pipes", err);
        return 2;
    }
    if (floors) {
        const int r = print_floors((unsigned)log_n, (unsigned)cols, o.blowup);
        if (r != 0) return r;
    }
    return pipes ? print_pipes() : 0;
}
