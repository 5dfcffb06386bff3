#include "sweep_child.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cupti.h"
#include "keccak.h"
#include "nvml.h"
#include "options.h"
#include "prover.h"
#include "range_names.h"

int sb_sweep_probe(void) {
    char name[128];
    if (sb_gpu_available(name, sizeof name)) printf("gpu: %s\n", name);
    else printf("gpu: none\n");
    return 0;
}

static double process_cpu_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return 1e3 * (double)ts.tv_sec + 1e-6 * (double)ts.tv_nsec;
}

static void hex_digest(const sb_proof *proof, char out[65]) {
    uint8_t d[32];
    keccak256(proof->bytes, proof->len, d);
    for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* Stores repetition rep's range times: "<table>:<range>" (ms, summed over repeats) and "total";
 * and the backend's memory high-water marks while each was open (MiB, the highest over
 * repeats): "<table>:<range>:host_peak_mib", ":device_peak_mib", and for the whole proof
 * "host_peak_mib", "device_peak_mib". */
static void record_ranges(sb_point *p, size_t rep, const sb_ranges *rs) {
    static const char *const peak_names[SB_MEM_SPACES] = {"host_peak_mib", "device_peak_mib"};
    char key[sizeof ((sb_metric *)0)->key], peak_key[sizeof key + 24];
    for (size_t i = 0; i < rs->n; i++) {
        const sb_range_rec *r = &rs->recs[i];
        const int whole = !r->table[0] && strcmp(r->name, SB_RANGE_NAME(SB_PROVE)) == 0;
        if (r->table[0]) snprintf(key, sizeof key, "%s:%s", r->table, r->name);
        else if (whole) snprintf(key, sizeof key, "total");
        else snprintf(key, sizeof key, "%s", r->name);
        double *v = &sb_point_metric(p, key)->values[rep];
        *v = (isnan(*v) ? 0 : *v) + 1e3 * r->seconds;
        for (int s = 0; s < SB_MEM_SPACES; s++) {
            if (isnan(r->mem_peak[s])) continue;
            if (whole) snprintf(peak_key, sizeof peak_key, "%s", peak_names[s]);
            else snprintf(peak_key, sizeof peak_key, "%s:%s", key, peak_names[s]);
            double *m = &sb_point_metric(p, peak_key)->values[rep], mib = r->mem_peak[s] / (1 << 20);
            if (isnan(*m) || mib > *m) *m = mib;
        }
    }
}

static void record_nvml(sb_point *p, size_t rep, sb_nvml *nvml) {
    sb_nvml_sample s;
    sb_nvml_sample_now(nvml, &s);
    sb_point_metric(p, "nvml:sm_clock_mhz")->values[rep] = s.sm_clock_mhz;
    sb_point_metric(p, "nvml:mem_clock_mhz")->values[rep] = s.mem_clock_mhz;
    sb_point_metric(p, "nvml:temp_c")->values[rep] = s.temp_c;
    sb_point_metric(p, "nvml:power_w")->values[rep] = s.power_w;
    sb_point_metric(p, "nvml:throttle_reasons")->values[rep] = s.throttle_reasons;
}

static void fail(sb_point *p, const char *status, const char *why) {
    snprintf(p->status, sizeof p->status, "%s", status);
    snprintf(p->error, sizeof p->error, "%s", why);
}

int sb_sweep_run(sb_point *p, const sb_options *o, sb_backend *be, sb_cupti *cupti) {
    sb_prove_config pc = {o->log_steps, o->blowup, o->tp, o->be.threads};
    char err[256];
    sb_proof proof;
    for (unsigned w = 0; w < o->warmup; w++) {
        if (sb_prove(&pc, be, NULL, &proof, err, sizeof err) != 0) {
            fail(p, "failed", err);
            return -1;
        }
        sb_proof_free(&proof);
    }
    if (cupti) {
        be->ops->sync(be, "");
        sb_cupti_discard(cupti);
    }
    sb_nvml *nvml = strcmp(be->ops->name, "gpu") == 0 ? sb_nvml_open() : NULL; /* clocks of an idle GPU say nothing */
    sb_range_hooks hooks;
    memset(&hooks, 0, sizeof hooks);
    if (cupti) sb_cupti_hooks(cupti, &hooks);
    int rc = 0;
    for (size_t rep = 0; rep < p->reps && rc == 0; rep++) {
        sb_ranges *rs = malloc(sizeof *rs);
        if (!rs) {
            fail(p, "failed", "out of memory");
            rc = -1;
            break;
        }
        sb_ranges_init(rs, be, o->range_sync, &hooks);
        uint64_t cpu_ops = atomic_load(&be->cpu_ops), gpu_ops = atomic_load(&be->gpu_ops);
        size_t fallbacks = be->n_fallbacks;
        double c0 = process_cpu_ms(), t0 = sb_now();
        int prc = sb_prove(&pc, be, rs, &proof, err, sizeof err);
        double t1 = sb_now(), c1 = process_cpu_ms();
        if (prc != 0) {
            fail(p, "failed", err);
            rc = -1;
        } else {
            be->ops->sync(be, "");
            p->real_time_ms[rep] = 1e3 * (t1 - t0);
            p->cpu_time_ms[rep] = c1 - c0;
            record_ranges(p, rep, rs);
            if (!sb_point_find(p, "total")) sb_point_metric(p, "total")->values[rep] = p->real_time_ms[rep];
            sb_point_metric(p, "proof_bytes")->values[rep] = (double)proof.len;
            sb_point_metric(p, "backend:cpu_ops")->values[rep] = (double)(atomic_load(&be->cpu_ops) - cpu_ops);
            sb_point_metric(p, "backend:gpu_ops")->values[rep] = (double)(atomic_load(&be->gpu_ops) - gpu_ops);
            sb_point_metric(p, "backend:fallbacks")->values[rep] = (double)(be->n_fallbacks - fallbacks);
            if (nvml) record_nvml(p, rep, nvml);
            if (cupti) sb_cupti_collect(cupti, rs, p, rep);
            char digest[65];
            hex_digest(&proof, digest);
            if (rep == 0) {
                snprintf(p->proof_digest, sizeof p->proof_digest, "%s", digest);
                sb_public pub;
                char why[256];
                if (sb_verify(proof.bytes, proof.len, &pub, why, sizeof why) != SB_VERIFY_OK) {
                    snprintf(err, sizeof err, "the proof does not verify: %.200s", why);
                    fail(p, "failed", err);
                    rc = -1;
                }
            } else if (strcmp(digest, p->proof_digest) != 0) {
                fail(p, "failed", "the proof bytes differ between repetitions (non-deterministic prover)");
                rc = -1;
            }
            sb_proof_free(&proof);
        }
        sb_ranges_destroy(rs);
        free(rs);
    }
    sb_nvml_close(nvml);
    return rc;
}

int sb_sweep_child(int argc, char **argv) {
    sb_options o;
    sb_options_init(&o);
    const char *result = NULL;
    int want_cupti = 0;
    for (int i = 0; i < argc; i++) {
        int missing = 0;
        const char *v = sb_flag_value(argc, argv, &i, "result", &missing);
        if (missing) return 2;
        if (v) result = v;
        else if (strcmp(argv[i], "--cupti") == 0) want_cupti = 1;
        else if (sb_options_parse_flag(&o, argc, argv, &i) != 1) {
            fprintf(stderr, "starkbench: sweep --child: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (!result) {
        fprintf(stderr, "starkbench: sweep --child needs --result FILE\n");
        return 2;
    }
    if (sb_options_finish(&o, "sweep --child", ~(unsigned)SB_OPT_JSON) != 0) return 2;
    o.be.threads = sb_resolve_threads(o.be.threads);
    sb_point_config cfg = {o.log_steps, o.blowup, o.tp, o.be.threads, o.be.kind, o.be.gpu_threshold, {0}};
    memcpy(cfg.tpb, o.be.tpb, sizeof cfg.tpb);

    sb_results r;
    memset(&r, 0, sizeof r);
    r.range_sync = o.range_sync;
    r.cupti_overhead_pct = NAN;
    sb_point *p = sb_results_add_point(&r, o.runs);
    sb_point_config_apply(&cfg, p);
    char err[256];
    /* CUPTI must be enabled before the first CUDA call, i.e. before the backend exists. */
    sb_cupti *cupti = NULL;
    if (want_cupti && !(cupti = sb_cupti_start(err, sizeof err))) fprintf(stderr, "starkbench: warning: %s\n", err);
    r.cupti = cupti != NULL;
    sb_backend *be = sb_backend_create(&o.be, err, sizeof err);
    if (!be) {
        fail(p, "failed", err);
    } else {
        snprintf(p->backend_used, sizeof p->backend_used, "%s", be->ops->name);
        sb_sweep_run(p, &o, be, cupti);
        size_t logged = be->n_fallbacks < SB_MAX_FALLBACKS ? be->n_fallbacks : SB_MAX_FALLBACKS;
        if (logged) {
            p->fallbacks = malloc(logged * sizeof *p->fallbacks);
            if (p->fallbacks) memcpy(p->fallbacks, be->fallbacks, logged * sizeof *p->fallbacks);
            p->n_fallbacks = p->fallbacks ? be->n_fallbacks : 0;
        }
    }
    sb_cupti_stop(cupti);
    sb_backend_destroy(be);
    int rc = sb_results_write(&r, result, err, sizeof err);
    if (rc != 0) fprintf(stderr, "starkbench: %s\n", err);
    sb_results_free(&r);
    return rc == 0 ? 0 : 2;
}
