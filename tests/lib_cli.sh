# Shared by the tests/cli_*.sh scripts (sourced): a temporary folder TMP removed at exit, a
# failure counter, and `expect`, which checks a command's exit code, its number of stderr
# lines and a stderr pattern.
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# expect CODE LINES-ON-STDERR PATTERN -- command...: exit code, stderr line count, a stderr pattern.
expect() {
    local code=$1 lines=$2 pattern=$3
    shift 4
    "$@" >"$TMP/out" 2>"$TMP/err"
    local rc=$? n
    n=$(wc -l <"$TMP/err")
    [ "$rc" = "$code" ] || fail "$* -> exit $rc, want $code ($(head -c 300 "$TMP/err"))"
    [ "$n" = "$lines" ] || fail "$* -> $n stderr lines, want $lines: $(head -c 300 "$TMP/err")"
    [ -z "$pattern" ] || grep -q -- "$pattern" "$TMP/err" || fail "$* -> stderr lacks '$pattern': $(cat "$TMP/err")"
}

# results_fixture FILE: a small results file as a sweep writes one: two CPU points of three
# repetitions (a total and three rounds each) and a point that never ran (infeasible).
results_fixture() {
    python3 - "$1" <<'PY'
import json, sys
entries = []
for steps, base in ((8, 40.0), (10, 80.0)):
    name = "prove/steps:%d/blowup:2/backend:cpu/threshold:inf/tp:1/threads:2/tpb:default" % steps
    for k in range(3):
        t = base * (1 + 0.01 * k)
        entries.append({"name": name, "run_name": name, "run_type": "iteration", "repetitions": 3,
                        "repetition_index": k, "threads": 1, "iterations": 1, "real_time": t + 1,
                        "cpu_time": 2 * t, "time_unit": "ms", "steps": 1 << steps, "log_steps": steps,
                        "blowup": 2, "backend": "cpu", "backend_used": "cpu", "gpu_threshold": "inf", "tp": 1,
                        "cpu_threads": 2, "tpb": "default", "status": "ok", "proof_digest": "%064d" % steps,
                        "digest_mismatch": False, "fallbacks": [], "fallback_count": 0, "verdict": "n/a",
                        "verdict_reason": "", "total": t, "cpu:R1 main LDE": 0.3 * t,
                        "cpu:R1 main commit": 0.25 * t, "cpu:R2 evaluate": 0.4 * t})
name = "prove/steps:30/blowup:8/backend:cpu/threshold:inf/tp:1/threads:2/tpb:default"
entries.append({"name": name, "run_name": name, "run_type": "iteration", "repetitions": 0, "repetition_index": 0,
                "iterations": 0, "real_time": 0, "cpu_time": 0, "time_unit": "ms", "log_steps": 30, "blowup": 8,
                "status": "infeasible", "error_occurred": True, "error_message": "needs 900 GiB of host memory"})
context = {"date": "2026-12-04T00:00:00+00:00", "host_name": "fixture-host", "executable": "starkbench",
           "num_cpus": 2, "mhz_per_cpu": 2000, "cpu_scaling_enabled": False, "caches": [], "load_avg": [0, 0, 0],
           "library_build_type": "release", "gpu_name": "", "gpu_driver": "", "cuda_version": "",
           "git_commit": "fixture0001", "build_type": "Release", "command_line": "starkbench sweep",
           "range_sync": True, "cupti": False, "cupti_overhead_pct": None}
json.dump({"context": context, "benchmarks": entries}, open(sys.argv[1], "w"), indent=1)
PY
}

# results_edit IN OUT CODE: OUT is IN after the Python statements CODE, which see the document
# as d and its repetition entries as it (a list).
results_edit() {
    python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
it = [b for b in d['benchmarks'] if b.get('run_type') == 'iteration']
$3
json.dump(d, open(sys.argv[2], 'w'))" "$1" "$2"
}

# make_chardev PATH: a character device with the null device's numbers at PATH; fails (with a
# note) where mknod is not permitted, so that the caller skips that case.
make_chardev() {
    mknod "$1" c 1 3 2>/dev/null && return 0
    echo "note: mknod not permitted here: character-device case skipped"
    return 1
}

# is_chardev PATH: PATH is still a character device with the numbers make_chardev gave it.
is_chardev() { [ -c "$1" ] && [ "$(stat -c %t:%T "$1")" = "1:3" ]; }

# Lines report prints on stderr for a file it reads well: "charts skipped" without gnuplot.
REPORT_NOTES=$(command -v gnuplot >/dev/null && echo 0 || echo 1)
