#!/usr/bin/env bash
# Issue 16, sweep --gpus: `--gpus 0` is what a sweep without --gpus does (the same plan on both
# suites and a grid, the same points, statuses, proof digests, repetitions and GPU fields in the
# results, the same GPU points left out where no GPU is usable, plus one line naming --gpus);
# a CPU point never names a GPU; bad --gpus values are refused in one line, exit 2, and so is a
# GPU index that is not there. On a machine without a GPU only the CPU path runs here; a GPU
# machine runs the GPU side in tests/cli_gpu_harness.sh.
# usage: cli_sweep_gpus.sh <starkbench> <source-dir>
set -u
SB=$1
SRC=$2
source "$(dirname "$0")/lib_cli.sh"
cd "$TMP" || exit 1

# ---- the plan ---------------------------------------------------------------------------------
for plan in "--suite $SRC/bench/suites/default.conf" "--suite $SRC/bench/suites/h100-figures.conf" \
    "--backend cpu,gpu,auto --steps 2^8,2^10 --gpu-threshold 0,inf" "--backend cpu --steps 2^8 --shard 1/2"; do
    # shellcheck disable=SC2086 # a plan is several flags
    "$SB" sweep $plan --list >without.txt 2>&1 || fail "--list of '$plan': $(cat without.txt)"
    # shellcheck disable=SC2086
    "$SB" sweep $plan --list --gpus 0 >with.txt 2>&1 || fail "--list --gpus 0 of '$plan': $(cat with.txt)"
    cmp -s without.txt with.txt || fail "'$plan' plans other points with --gpus 0: $(diff without.txt with.txt | head -5)"
done

# ---- the results: a CPU sweep with and without --gpus 0 ---------------------------------------------
COMMON=(--backend cpu --steps 2^6 --blowup 2,4 --runs 2 --warmup 0 --threads 2 --no-noise-probe --calibration none.json)
expect 0 2 "" -- "$SB" sweep "${COMMON[@]}" --out without.json # stderr: a progress line a point
expect 0 2 "" -- "$SB" sweep "${COMMON[@]}" --gpus 0 --out with.json
# what a results file says about its points and GPUs, timings and dates left out
summary() {
    python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["context"]
print("gpus", c["gpus"], "gpu_name", c["gpu_name"], "shard", c.get("shard_index"))
for b in d["benchmarks"]:
    keys = ("name", "run_type", "repetitions", "repetition_index", "status", "backend_used", "proof_digest",
            "digest_mismatch", "verdict", "gpu_index", "gpu_name", "gpu_uuid", "fallback_count", "stop_reason")
    print([b.get(k) for k in keys], sorted(k for k in b if k not in ("real_time", "cpu_time") and not isinstance(b[k], float)))
PY
}
summary without.json >without.txt
summary with.json >with.txt
cmp -s without.txt with.txt || fail "--gpus 0 gives other results: $(diff without.txt with.txt | head -5)"
grep -q "'gpu_index'" with.txt && fail "a CPU point names a GPU: $(grep -m1 gpu_index with.txt)"
[ "$(grep -c "'ok'" with.txt)" -ge 2 ] || fail "the points did not run: $(cat with.txt)"

# ---- GPU points where no GPU is usable: left out the same way, --gpus names itself in one line -------
if [ "$("$SB" sweep --probe)" = "gpu: none" ]; then
    expect 0 2 "1 GPU point(s) left out: no usable GPU here" -- "$SB" sweep "${COMMON[@]}" --blowup 2 --backend cpu,gpu --out a.json
    expect 0 3 "--gpus 0: no usable GPU here" -- "$SB" sweep "${COMMON[@]}" --blowup 2 --backend cpu,gpu --gpus 0 --out b.json
    grep -q "1 GPU point(s) left out: no usable GPU here" err || fail "--gpus 0 does not leave the GPU point out the same way"
    summary a.json >a.txt
    summary b.json >b.txt
    cmp -s a.txt b.txt || fail "--gpus 0 without a GPU gives other results: $(diff a.txt b.txt | head -5)"
    expect 2 2 "no point to run: 1 GPU point(s) and no usable GPU here" -- \
        "$SB" sweep "${COMMON[@]}" --blowup 2 --backend gpu --gpus all --out c.json
    expect 2 1 "calibrate: --gpus 0: no GPU here that NVML can list" -- "$SB" calibrate --gpus 0
fi

# ---- bad values ----------------------------------------------------------------------------------
for bad in "" x 0, ,1 -1 64 "0 1" 1,1 all,0; do
    expect 2 1 "--gpus '$bad'" -- "$SB" sweep --backend cpu --steps 2^8 --list --gpus "$bad"
done
expect 2 1 "--gpus 'x' must be 'all' or GPU indices as nvidia-smi lists them" -- "$SB" calibrate --gpus x
if "$SB" sweep --probe | grep -qv "gpu: none" && command -v nvidia-smi >/dev/null; then
    n=$(nvidia-smi -L | wc -l) # an index past the GPUs here
    expect 2 1 "--gpus $n: no GPU $n here" -- "$SB" sweep --backend gpu --steps 2^8 --runs 1 --gpus "$n" --out d.json
fi

[ $fails = 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "cli_sweep_gpus: all checks passed"
