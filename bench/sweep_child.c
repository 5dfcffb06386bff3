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
#include "throttle.h"

#define NVML_WATCH_INTERVAL_S 0.01

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

/* Repetition rep's NVML figures: a sample right after the proof, the OR of the throttle reasons
 * and the lowest busy SM clock the watch saw during it, and whether that makes it throttled. */
static void record_nvml(sb_point *p, size_t rep, sb_nvml *nvml, sb_nvml_watch *watch, double clock_ref_mhz) {
    double reasons, busy_clock;
    sb_nvml_watch_stop(watch, &reasons, &busy_clock);
    sb_nvml_sample s;
    sb_nvml_sample_now(nvml, &s);
    sb_point_metric(p, "nvml:sm_clock_mhz")->values[rep] = s.sm_clock_mhz;
    sb_point_metric(p, "nvml:sm_clock_busy_min_mhz")->values[rep] = busy_clock;
    sb_point_metric(p, "nvml:mem_clock_mhz")->values[rep] = s.mem_clock_mhz;
    sb_point_metric(p, "nvml:temp_c")->values[rep] = s.temp_c;
    sb_point_metric(p, "nvml:power_w")->values[rep] = s.power_w;
    sb_point_metric(p, "nvml:throttle_reasons")->values[rep] = isnan(reasons) ? s.throttle_reasons : reasons;
    sb_point_metric(p, "throttled")->values[rep] = sb_throttled(isnan(reasons) ? s.throttle_reasons : reasons, busy_clock,
                                                                clock_ref_mhz);
}

/* The totals of repetitions 0..done that count toward the noise, into x (throttled ones NAN unless kept). */
static void usable_totals(const sb_point *p, size_t done, int keep_throttled, double *x) {
    const sb_metric *total = sb_point_find(p, "total"), *mark = sb_point_find(p, "throttled");
    for (size_t k = 0; k < done; k++)
        x[k] = !total || (!keep_throttled && mark && mark->values[k] == 1) ? NAN : total->values[k];
}

static void fail(sb_point *p, const char *status, const char *why) {
    snprintf(p->status, sizeof p->status, "%s", status);
    snprintf(p->error, sizeof p->error, "%s", why);
}

void sb_rep_policy_init(sb_rep_policy *pol) {
    memset(pol, 0, sizeof *pol);
    pol->adaptive = (sb_adaptive){0, SB_ADAPTIVE_DEFAULT_MIN_RUNS, SB_ADAPTIVE_DEFAULT_MAX_RUNS, SB_ADAPTIVE_DEFAULT_MAX_TIME_S};
}

int sb_rep_policy_flag(sb_rep_policy *pol, int argc, char **argv, int *i, unsigned *given) {
    static const char *const names[] = {"max-noise", "min-runs", "max-runs", "max-time", "keep-throttled", "clock-ref"};
    if (strcmp(argv[*i], "--keep-throttled") == 0) {
        pol->keep_throttled = 1;
        *given |= 1u << 4;
        return 1;
    }
    for (unsigned k = 0; k < sizeof names / sizeof names[0]; k++) {
        int missing = 0;
        const char *v = k == 4 ? NULL : sb_flag_value(argc, argv, i, names[k], &missing);
        if (missing) return -1;
        if (!v) continue;
        char *end;
        double x = strtod(v, &end);
        int integer = k == 1 || k == 2;
        if (end == v || *end || !(x > 0 || (k == 1 && x == 0)) || x > 1e6 || (integer && x != (unsigned)x)) {
            fprintf(stderr, "starkbench: --%s '%s' must be a %s\n", names[k], v,
                    integer ? "count" : k == 0 ? "percentage above 0" : "positive number");
            return -1;
        }
        if (k == 0) pol->adaptive.max_noise_pct = x;
        else if (k == 1) pol->adaptive.min_runs = (unsigned)x;
        else if (k == 2) pol->adaptive.max_runs = (unsigned)x;
        else if (k == 3) pol->adaptive.max_time_s = x;
        else pol->clock_ref_mhz = x;
        *given |= 1u << k;
        return 1;
    }
    return 0;
}

int sb_sweep_run(sb_point *p, const sb_options *o, sb_backend *be, sb_cupti *cupti, const sb_rep_policy *policy) {
    const sb_rep_policy fixed = {{0, 0, (unsigned)p->reps, 0}, 0, 0};
    if (!policy) policy = &fixed;
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
    double clock_ref = policy->clock_ref_mhz;
    if (nvml && !(clock_ref > 0) && sb_nvml_max_sm_clock(nvml, &clock_ref) != 0) clock_ref = 0;
    sb_range_hooks hooks;
    memset(&hooks, 0, sizeof hooks);
    if (cupti) sb_cupti_hooks(cupti, &hooks);
    int rc = 0;
    size_t done = 0;
    double *usable = malloc((p->reps ? p->reps : 1) * sizeof *usable), started = sb_now();
    for (size_t rep = 0; rep < p->reps && rc == 0 && usable; rep++) {
        sb_ranges *rs = malloc(sizeof *rs);
        if (!rs) {
            fail(p, "failed", "out of memory");
            rc = -1;
            break;
        }
        sb_ranges_init(rs, be, o->range_sync, &hooks);
        uint64_t cpu_ops = atomic_load(&be->cpu_ops), gpu_ops = atomic_load(&be->gpu_ops);
        size_t fallbacks = be->n_fallbacks;
        sb_nvml_watch *watch = sb_nvml_watch_start(nvml, NVML_WATCH_INTERVAL_S);
        double c0 = process_cpu_ms(), t0 = sb_now();
        int prc = sb_prove(&pc, be, rs, &proof, err, sizeof err);
        double t1 = sb_now(), c1 = process_cpu_ms();
        done = rep + 1;
        if (prc != 0) {
            double ignored[2];
            sb_nvml_watch_stop(watch, &ignored[0], &ignored[1]);
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
            if (nvml) record_nvml(p, rep, nvml, watch, clock_ref); /* watch is NULL without NVML */
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
        if (rc == 0) {
            usable_totals(p, done, policy->keep_throttled, usable);
            const char *stop = sb_adaptive_stop(&policy->adaptive, usable, done, sb_now() - started, &p->noise_pct);
            if (stop) {
                snprintf(p->stop_reason, sizeof p->stop_reason, "%s", stop);
                break;
            }
        }
    }
    if (!usable) fail(p, "failed", "out of memory");
    free(usable);
    if (policy->adaptive.max_noise_pct > 0 && done) p->reps = done; /* the budget was allocated, these were made */
    sb_nvml_close(nvml);
    return usable ? rc : -1;
}

int sb_sweep_child(int argc, char **argv) {
    sb_options o;
    sb_options_init(&o);
    const char *result = NULL;
    int want_cupti = 0, pr = 0;
    sb_rep_policy policy;
    sb_rep_policy_init(&policy);
    unsigned given = 0;
    for (int i = 0; i < argc; i++) {
        int missing = 0;
        const char *v = sb_flag_value(argc, argv, &i, "result", &missing);
        if (missing) return 2;
        if (v) result = v;
        else if (strcmp(argv[i], "--cupti") == 0) want_cupti = 1;
        else if ((pr = sb_rep_policy_flag(&policy, argc, argv, &i, &given)) != 0) {
            if (pr < 0) return 2;
        } else if (sb_options_parse_flag(&o, argc, argv, &i) != 1) {
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
    r.cupti_overhead_pct = r.noise_cpu_pct = r.noise_cpu_ms = r.noise_gpu_pct = r.noise_gpu_ms = NAN;
    r.locked_clock_mhz = NAN; /* the parent's context has these; the child's file carries its point */
    r.keep_throttled = policy.keep_throttled;
    policy.adaptive.max_runs = o.runs; /* --runs: the fixed count, or the budget of adaptive repetitions */
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
        sb_sweep_run(p, &o, be, cupti, &policy);
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
