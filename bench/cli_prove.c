/* starkbench prove / verify: the fib_iterative STARK from the command line
 * (docs/ARCHITECTURE.md "prove --json" gives the JSON form). */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kernels/gpu_backend.h"
#include "commands.h"
#include "cupti.h"
#include "keccak.h"
#include "options.h"
#include "point.h"
#include "outfile.h"
#include "prover.h"
#include "range.h"
#include "range_names.h"

/* verify refuses files larger than any proof it can read (2^30 steps, blowup 2 is ~20 MB). */
#define MAX_PROOF_FILE (256u << 20)

static void prove_usage(FILE *out) {
    fprintf(out,
            "usage: starkbench prove [--steps S] [--blowup 2|4|8] [--backend cpu|gpu|auto] [--gpu-threshold N]\n"
            "                        [--tpb NAME=N,...] [--tp N] [--threads T] [--out FILE] [--json]\n"
            "                        [--no-range-sync] [--no-cupti]\n"
            "  proves fib_iterative over S rows (a power of two: 65536, 2^16, 64K; default 2^16) and prints\n"
            "  the output, the proof size, the security claim, the backend's op counts and fallbacks, the\n"
            "  per-round timing table and, on a GPU, the backend's setup time (CUDA context and modules, not\n"
            "  in the proof's) and GPU busy: the share of the proof's time in which a kernel or copy ran\n"
            "  (CUPTI; --no-cupti leaves it out). --out writes the proof (a temporary renamed into place; a\n"
            "  device or FIFO is written in place, a link followed to its file).\n");
}

static void hex32(const uint8_t d[32], char out[65]) {
    for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* Writes the proof to path (outfile.h: a temporary renamed into place, or in place for a
 * device). Returns 0, or -1 with a reason in err. */
static int write_proof(const char *path, const sb_proof *p, char *err, size_t errlen) {
    sb_outfile out;
    if (sb_outfile_open(&out, path, err, errlen) != 0) return -1;
    if (fwrite(p->bytes, 1, p->len, out.f) != p->len) {
        snprintf(err, errlen, "%s: write failed: %s", path, strerror(errno));
        sb_outfile_discard(&out);
        return -1;
    }
    return sb_outfile_close(&out, err, errlen);
}

/* Refuses (one line, returns -1) a proof whose memory model (bench/point.h) does not fit this
 * machine's memory or, on the GPU backend, the device's. */
static int check_memory(const sb_options *o, const sb_backend *be) {
    sb_detect_table tables[SB_POINT_MAX_TABLES];
    char err[200];
    int nt = sb_point_tables(o->log_steps, tables, err, sizeof err);
    if (nt < 0) {
        fprintf(stderr, "starkbench: prove: %s\n", err);
        return -1;
    }
    const int gpu = strcmp(be->ops->name, "gpu") == 0;
    sb_point_config c = {o->log_steps, o->blowup, o->tp, o->be.threads, gpu ? SB_BACKEND_GPU : SB_BACKEND_CPU,
                         o->be.gpu_threshold, {0}};
    sb_memory_model mm;
    sb_point_memory(&c, gpu ? sb_gpu_placed_ops(be->cfg.cpu_rounds) : 0, tables, (size_t)nt, &mm);
    const double host = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    uint64_t dev_free = 0, dev_total = 0;
    if (mm.host_bytes > host) {
        fprintf(stderr, "starkbench: prove: 2^%u steps at blowup %u need about %.1f GiB of host memory, over this "
                        "machine's %.1f GiB\n", o->log_steps, o->blowup, (double)mm.host_bytes / (1 << 30), host / (1 << 30));
        return -1;
    }
    if (gpu && mm.device_bytes && sb_gpu_memory(be, &dev_free, &dev_total) == 0 && mm.device_bytes > dev_free) {
        fprintf(stderr, "starkbench: prove: 2^%u steps at blowup %u need about %.1f GiB of device memory, over the "
                        "%.1f GiB free of %.1f GiB (a higher --gpu-threshold keeps small tables on the CPU)\n",
                o->log_steps, o->blowup, (double)mm.device_bytes / (1 << 30), (double)dev_free / (1 << 30),
                (double)dev_total / (1 << 30));
        return -1;
    }
    return 0;
}

/* What prove measured around the proof on a GPU backend (NAN where not measured). */
typedef struct device_times {
    double setup_ms;    /* sb_backend_create: the CUDA context, module loads */
    double busy_ms;     /* CUPTI: the union of the proof's kernels and copies */
    char busy_why[160]; /* why busy_ms is NAN (on a GPU backend) */
} device_times;

/* GPU busy as a share of the proof's time, NAN when not measured. */
static double busy_pct(const device_times *dt, const sb_ranges *rs) {
    const double total_ms = 1e3 * sb_ranges_sum(rs, "", SB_RANGE_NAME(SB_PROVE));
    return total_ms > 0 ? 100 * dt->busy_ms / total_ms : NAN;
}

static void print_text(const sb_options *o, const sb_backend *be, const sb_ranges *rs, const sb_proof *p,
                       const char *digest, const char *out_path, const device_times *dt) {
    char note[400];
    sb_security_note(o->blowup, note, sizeof note);
    printf("output: %llu\n", (unsigned long long)p->pub.output);
    printf("proof size: %zu bytes\n", p->len);
    printf("proof digest: %s\n", digest);
    printf("%s\n", note);
    printf("backend: %s (gpu ops %llu, cpu ops %llu)\n", be->ops->name, (unsigned long long)atomic_load(&be->gpu_ops),
           (unsigned long long)atomic_load(&be->cpu_ops));
    if (be->n_fallbacks == 0) printf("fallbacks: none\n");
    for (size_t i = 0; i < be->n_fallbacks && i < SB_MAX_FALLBACKS; i++) {
        const sb_fallback *f = &be->fallbacks[i];
        printf("fallback: table %s, op %s, kernel %s, launch %s: %s\n", f->table, f->op, f->kernel, f->launch,
               f->error);
    }
    if (be->n_fallbacks > SB_MAX_FALLBACKS)
        printf("fallbacks: %zu in all (the first %d shown)\n", be->n_fallbacks, SB_MAX_FALLBACKS);
    sb_ranges_print(rs, stdout);
    /* Work done once for all tables, outside every table's rounds. */
    for (size_t i = 0; i < rs->n; i++)
        if (!rs->recs[i].table[0] && strcmp(rs->recs[i].name, SB_RANGE_NAME(SB_PROVE)) != 0)
            printf("%-22s %10.3f ms (all tables)\n", rs->recs[i].name, 1e3 * rs->recs[i].seconds);
    if (strcmp(be->ops->name, "gpu") == 0) {
        printf("%-22s %10.3f ms (CUDA context and modules, before the proof)\n", "setup", dt->setup_ms);
        if (isnan(dt->busy_ms)) printf("%-22s not measured (%s)\n", "GPU busy", dt->busy_why);
        else printf("%-22s %10.3f ms, %.1f %% of the proof (a kernel or copy running)\n", "GPU busy", dt->busy_ms,
                    busy_pct(dt, rs));
    }
    if (out_path) printf("proof written to %s\n", out_path);
}

/* A number, or null where it is NAN. */
static json_t *json_number_or_null(double v) { return isnan(v) ? json_null() : json_real(v); }

static int print_json(const sb_options *o, const sb_backend *be, const sb_ranges *rs, const sb_proof *p,
                      const char *digest, const char *out_path, const device_times *dt) {
    char note[400], num[24];
    sb_security_note(o->blowup, note, sizeof note);
    snprintf(num, sizeof num, "%llu", (unsigned long long)p->pub.output);
    json_t *j = json_object();
    json_object_set_new(j, "steps", json_integer((json_int_t)1 << o->log_steps));
    json_object_set_new(j, "log_steps", json_integer(o->log_steps));
    json_object_set_new(j, "blowup", json_integer(o->blowup));
    json_object_set_new(j, "tp", json_integer(o->tp));
    json_object_set_new(j, "threads", json_integer(sb_resolve_threads(o->be.threads)));
    json_object_set_new(j, "iterations", json_integer((json_int_t)p->pub.iterations));
    json_object_set_new(j, "output", json_string(num));
    json_object_set_new(j, "proof_size", json_integer((json_int_t)p->len));
    json_object_set_new(j, "proof_digest", json_string(digest));
    json_object_set_new(j, "queries", json_integer(sb_query_count(o->blowup)));
    json_object_set_new(j, "security", json_string(note));
    json_object_set_new(j, "backend", json_string(be->ops->name));
    json_object_set_new(j, "gpu_ops", json_integer((json_int_t)atomic_load(&be->gpu_ops)));
    json_object_set_new(j, "cpu_ops", json_integer((json_int_t)atomic_load(&be->cpu_ops)));
    json_object_set_new(j, "range_sync", json_boolean(o->range_sync));
    json_t *fb = json_array();
    for (size_t i = 0; i < be->n_fallbacks && i < SB_MAX_FALLBACKS; i++) {
        const sb_fallback *f = &be->fallbacks[i];
        json_array_append_new(fb, json_pack("{s:s, s:s, s:s, s:s, s:s}", "table", f->table, "op", f->op, "kernel",
                                            f->kernel, "launch", f->launch, "error", f->error));
    }
    json_object_set_new(j, "fallbacks", fb);
    json_object_set_new(j, "fallback_count", json_integer((json_int_t)be->n_fallbacks));
    json_t *ranges = json_array();
    for (size_t i = 0; i < rs->n; i++) {
        const sb_range_rec *r = &rs->recs[i];
        json_t *peak[SB_MEM_SPACES];
        for (int s = 0; s < SB_MEM_SPACES; s++)
            peak[s] = isnan(r->mem_peak[s]) ? json_null() : json_real(r->mem_peak[s] / (1 << 20));
        json_array_append_new(ranges, json_pack("{s:s, s:s, s:f, s:f, s:o, s:o}", "table", r->table, "name", r->name,
                                                "start_ms", 1e3 * r->start, "ms", 1e3 * r->seconds, "host_peak_mib",
                                                peak[SB_MEM_HOST], "device_peak_mib", peak[SB_MEM_DEVICE]));
    }
    json_object_set_new(j, "ranges", ranges);
    json_object_set_new(j, "total_ms", json_real(1e3 * sb_ranges_sum(rs, "", SB_RANGE_NAME(SB_PROVE))));
    json_object_set_new(j, "setup_ms", json_number_or_null(strcmp(be->ops->name, "gpu") == 0 ? dt->setup_ms : NAN));
    json_object_set_new(j, "gpu_busy_ms", json_number_or_null(dt->busy_ms));
    json_object_set_new(j, "gpu_busy_pct", json_number_or_null(busy_pct(dt, rs)));
    json_object_set_new(j, "out", out_path ? json_string(out_path) : json_null());
    int rc = json_dumpf(j, stdout, JSON_COMPACT) == 0 ? 0 : -1;
    printf("\n");
    json_decref(j);
    return rc;
}

int cmd_prove(int argc, char **argv) {
    sb_options o;
    sb_options_init(&o);
    const char *out_path = NULL;
    int cupti_wanted = 1;
    for (int i = 1; i < argc; i++) {
        int missing = 0;
        const char *v;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            prove_usage(stdout);
            return 0;
        } else if ((v = sb_flag_value(argc, argv, &i, "out", &missing)) || missing) {
            if (missing) return 2;
            out_path = v;
        } else if (strcmp(argv[i], "--no-cupti") == 0) {
            cupti_wanted = 0;
        } else {
            int r = sb_options_parse_flag(&o, argc, argv, &i);
            if (r < 0) return 2;
            if (r == 0) {
                fprintf(stderr, "starkbench: prove: unknown argument '%s' (see 'starkbench prove --help')\n", argv[i]);
                return 2;
            }
        }
    }
    if (sb_options_finish(&o, "prove", ~(unsigned)(SB_OPT_RUNS | SB_OPT_WARMUP)) != 0) return 2;
    char err[SB_OUTFILE_PATH_MAX + 128] = "";
    if (out_path && sb_outfile_check(out_path, err, sizeof err) != 0) { /* before the work, not after it */
        fprintf(stderr, "starkbench: prove: %s\n", err);
        return 2;
    }
    device_times dt = {NAN, NAN, "--no-cupti"};
    sb_cupti *cupti = NULL; /* before the first CUDA call: the backend's creation */
    if (cupti_wanted && o.be.kind != SB_BACKEND_CPU && !(cupti = sb_cupti_start(dt.busy_why, sizeof dt.busy_why)))
        cupti_wanted = 0;
    const double t0 = sb_now();
    sb_backend *be = sb_backend_create(&o.be, err, sizeof err);
    dt.setup_ms = 1e3 * (sb_now() - t0);
    if (!be) {
        fprintf(stderr, "starkbench: %s\n", err);
        sb_cupti_stop(cupti);
        return 2;
    }
    sb_public pub;
    if (check_memory(&o, be) != 0) {
        sb_backend_destroy(be);
        sb_cupti_stop(cupti);
        return 2;
    }
    if (sb_air_fib()->statement(o.log_steps, &pub) != 0) {
        fprintf(stderr, "starkbench: prove: --steps 2^%u is not supported (fib_iterative runs 2^6 .. 2^30 rows)\n",
                o.log_steps);
        sb_backend_destroy(be);
        sb_cupti_stop(cupti);
        return 2;
    }
    if (cupti) sb_cupti_discard(cupti); /* the backend's setup is not the proof's work */
    sb_ranges rs;
    sb_ranges_init(&rs, be, o.range_sync, NULL);
    sb_prove_config cfg = {o.log_steps, o.blowup, o.tp, o.be.threads};
    sb_proof proof;
    int rc = 0;
    if (sb_prove(&cfg, be, &rs, &proof, err, sizeof err) != 0) {
        fprintf(stderr, "starkbench: prove failed: %s\n", err);
        rc = 1;
    } else if (out_path && write_proof(out_path, &proof, err, sizeof err) != 0) {
        fprintf(stderr, "starkbench: prove: %s\n", err);
        rc = 2;
    } else {
        uint8_t d[32];
        char digest[65];
        keccak256(proof.bytes, proof.len, d);
        hex32(d, digest);
        if (cupti) {
            be->ops->sync(be, "");
            dt.busy_ms = sb_cupti_busy_ms(cupti);
        }
        if (o.json) rc = print_json(&o, be, &rs, &proof, digest, out_path, &dt) == 0 ? 0 : 1;
        else print_text(&o, be, &rs, &proof, digest, out_path, &dt);
    }
    sb_proof_free(&proof); /* sb_prove leaves it empty on failure */
    sb_ranges_destroy(&rs);
    sb_backend_destroy(be);
    sb_cupti_stop(cupti);
    return rc;
}

/* Reads a whole file of at most MAX_PROOF_FILE bytes. Returns 0, or -1 with a reason in why. */
static int read_file(const char *path, uint8_t **bytes, size_t *len, char *why, size_t whylen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, whylen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    int too_large = 0;
    while (buf) {
        if (n == cap) {
            if (cap >= MAX_PROOF_FILE) {
                too_large = 1;
                break;
            }
            uint8_t *bigger = realloc(buf, 2 * cap);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0) break;
        n += got;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad || too_large) {
        snprintf(why, whylen, "%s: %s", path,
                 !buf ? "out of memory" : bad ? "read error" : "larger than any proof (over 256 MiB)");
        free(buf);
        return -1;
    }
    *bytes = buf;
    *len = n;
    return 0;
}

int cmd_verify(int argc, char **argv) {
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: starkbench verify FILE\n  exit 0: valid (prints the output), 1: invalid (names the failed "
               "check), 2: unreadable\n");
        return 0;
    }
    if (argc != 2) {
        fprintf(stderr, "starkbench: usage: starkbench verify FILE\n");
        return 2;
    }
    char why[400];
    uint8_t *bytes;
    size_t len;
    if (read_file(argv[1], &bytes, &len, why, sizeof why) != 0) {
        fprintf(stderr, "unreadable proof: %s\n", why);
        return 2;
    }
    sb_public pub;
    int rc = sb_verify(bytes, len, &pub, why, sizeof why);
    free(bytes);
    if (rc == SB_VERIFY_OK) {
        printf("valid proof: output: %llu (fib_iterative, n = %llu, 2^%u steps)\n", (unsigned long long)pub.output,
               (unsigned long long)pub.iterations, pub.log_steps);
        return 0;
    }
    fprintf(stderr, "%s proof: %s\n", rc == SB_VERIFY_INVALID ? "invalid" : "unreadable", why);
    return rc == SB_VERIFY_INVALID ? 1 : 2;
}
