#!/bin/bash
# The harness on a GPU (exit 77 without one): a clean GPU sweep is unflagged and its proofs
# equal the CPU's; in range-sync mode every round's CUPTI kernel time fits in its wall time;
# with the GPU threshold at 0 the same, and each table's Rounds 2-4 ranges launch kernels;
# a silent injected fallback (no backend record) is flagged by CUPTI and, where the
# calibration can tell, by timing alone; Keccak at 1024 threads per block is flagged. GPU
# points name their GPU (index, name, UUID, as the calibration's entries do), `--gpus 0` runs
# the same points as no --gpus, and with two GPUs or more `--gpus all` runs two points at once,
# one on each.
# usage: cli_gpu_harness.sh <starkbench> <source-dir>
set -u
SB=$1
[ "$("$SB" sweep --probe)" = "gpu: none" ] && { echo "SKIP: no usable GPU"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to parse the results"; exit 77; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
S=(--steps 2^16 --blowup 2 --runs 3 --warmup 1 --calibration cal.json)

"$SB" calibrate --steps 2^16 --blowup 2 --runs 3 --out cal.json >cal.txt 2>&1 || fail "calibrate: $(cat cal.txt)"
cat cal.txt

# ---- a clean sweep: CPU and GPU points, CUPTI on, range-sync ---------------------------
"$SB" sweep "${S[@]}" --backend cpu,gpu --gpu-threshold 0 --cupti --out clean.json >clean.txt 2>&1 ||
    fail "a clean GPU sweep must exit 0: $(cat clean.txt)"
python3 - clean.json <<'PY' || fail "clean sweep: $(cat clean.txt)"
import json, sys
doc = json.load(open(sys.argv[1]))
assert isinstance(doc["context"]["cupti_overhead_pct"], (int, float)), "CUPTI overhead not measured"
it = [b for b in doc["benchmarks"] if b["run_type"] == "iteration"]
gpu = [b for b in it if b["backend_used"] == "gpu"]
cpu = [b for b in it if b["backend_used"] == "cpu"]
assert gpu and cpu, "one CPU and one GPU point expected"
assert all(not b["digest_mismatch"] for b in it) and {b["proof_digest"] for b in it} == {cpu[0]["proof_digest"]}
for b in gpu:
    assert b["verdict"] == "clean" and b["fallback_count"] == 0, b["verdict"] + ": " + b["verdict_reason"]
    assert b["cpu:R1 main commit:keccak_launches"] > 0, "no Keccak kernel in the GPU main commit"
    checked = 0
    for k, v in b.items():
        if k.endswith(":kernel_ms") and k[:-10] in b:
            wall = b[k[:-10]]
            assert v <= wall * 1.001 + 0.01, "%s: kernel time %.3f ms exceeds the range's %.3f ms" % (k, v, wall)
            checked += 1
    assert checked >= 4, "too few rounds with CUPTI kernel time"
print("clean: overhead %.2f %%" % doc["context"]["cupti_overhead_pct"])
PY

# ---- the Rounds 2-4 kernels under the harness (the clean sweep's GPU point) ---------------
python3 - clean.json <<'PY' || fail "Rounds 2-4 on the GPU: $(cat clean.txt)"
import json, sys
points = [b for b in json.load(open(sys.argv[1]))["benchmarks"] if b["run_type"] == "iteration"]
cpu = [b for b in points if b["backend_used"] == "cpu"][0]
b = [b for b in points if b["backend"] == "gpu"][0]
assert b["backend_used"] == "gpu" and b["fallback_count"] == 0, b["verdict_reason"]
assert b["proof_digest"] == cpu["proof_digest"], "another proof than the CPU's"
assert b["verdict"] == "clean", b["verdict"] + ": " + b["verdict_reason"]
for table in ("cpu", "program", "range"):
    for rng in ("R2 evaluate", "R3 OOD", "R4 DEEP", "R4 FRI", "R4 queries"):
        assert b.get("%s:%s:launches" % (table, rng), 0) > 0, "%s %s launched no kernel" % (table, rng)
        k, wall = "%s:%s:kernel_ms" % (table, rng), b["%s:%s" % (table, rng)]
        assert b[k] <= wall * 1.001 + 0.01, "%s: kernel time %.3f ms exceeds the range's %.3f ms" % (k, b[k], wall)
assert b.get("R4 grinding:launches", 0) > 0, "grinding launched no kernel"
busy, total = b.get("gpu_busy_ms", 0), b["total"]
assert 0 < busy <= total * 1.001 and abs(b["gpu_busy_pct"] - 100 * busy / total) < 1e-6 * 100, \
    "GPU busy %.3f ms (%s %%) of a %.3f ms proof" % (busy, b.get("gpu_busy_pct"), total)
PY

# ---- the GPU a point ran on (sweep --gpus) -----------------------------------------------
"$SB" sweep "${S[@]}" --backend cpu,gpu --gpu-threshold 0 --gpus 0 --out gpus0.json >gpus0.txt 2>&1 ||
    fail "--gpus 0: $(cat gpus0.txt)"
python3 - clean.json gpus0.json cal.json <<'PY' || fail "GPU records: $(cat gpus0.txt)"
import json, sys
docs = [json.load(open(f)) for f in sys.argv[1:3]]
points = [{b["run_name"]: b for b in d["benchmarks"] if b["run_type"] == "iteration"} for d in docs]
assert points[0].keys() == points[1].keys(), "--gpus 0 ran other points"
card = docs[0]["context"]["gpus"][0]
assert docs[1]["context"]["gpus"] == [dict(card, noise_gpu_pct=docs[1]["context"]["gpus"][0]["noise_gpu_pct"],
                                           noise_gpu_ms=docs[1]["context"]["gpus"][0]["noise_gpu_ms"])]
assert card["uuid"].startswith("GPU-") and card["memory_mib"] > 0, card
for name, b in points[0].items():
    c = points[1][name]
    assert b["proof_digest"] == c["proof_digest"] and b["status"] == c["status"] == "ok"
    if b["backend_used"] == "gpu":
        assert (b["gpu_index"], b["gpu_uuid"], b["gpu_name"]) == (card["index"], card["uuid"], card["name"]), b
        assert (c["gpu_index"], c["gpu_uuid"]) == (card["index"], card["uuid"]), c
    else:
        assert "gpu_index" not in b and "gpu_index" not in c, "a CPU point names a GPU"
assert all(e["uuid"] == card["uuid"] for e in json.load(open(sys.argv[3]))["entries"]), "calibration not per card"
PY
if [ "$(nvidia-smi -L 2>/dev/null | grep -c '^GPU ')" -ge 2 ]; then
    "$SB" sweep "${S[@]}" --backend gpu --gpu-threshold 0 --tpb keccak=64,128 --gpus all --no-cupti --out all.json \
        >all.txt 2>&1 || fail "--gpus all: $(cat all.txt)"
    python3 - all.json <<'PY' || fail "--gpus all: $(cat all.txt)"
import json, sys
d = json.load(open(sys.argv[1]))
it = [b for b in d["benchmarks"] if b["run_type"] == "iteration" and b["repetition_index"] == 0]
assert len(d["context"]["gpus"]) >= 2 and len(it) == 2
assert {b["gpu_uuid"] for b in it} == {g["uuid"] for g in d["context"]["gpus"][:2]}, "the two points on two GPUs"
assert len({b["proof_digest"] for b in it}) == 1
PY
fi

# ---- a silent fallback of the commit: no record, flagged from the outside ---------------
"$SB" sweep "${S[@]}" --backend gpu --gpu-threshold 0 --cupti --inject-silent-fallback commit --out inj.json >inj.txt 2>&1
[ $? -eq 1 ] || fail "an injected silent fallback must make the sweep exit 1: $(cat inj.txt)"
"$SB" sweep "${S[@]}" --backend gpu --gpu-threshold 0 --no-cupti --inject-silent-fallback commit --out inj_t.json >inj_t.txt 2>&1
python3 - inj.json inj_t.json cal.json <<'PY' || fail "silent fallback: $(cat inj.txt inj_t.txt)"
import json, sys
def gpu_point(path):
    return [b for b in json.load(open(path))["benchmarks"] if b["run_type"] == "iteration"][0]
b = gpu_point(sys.argv[1])
assert b["fallback_count"] == 0, "the injection must leave no backend record"
assert b["verdict"] == "suspected-fallback", b["verdict"] + ": " + b["verdict_reason"]
# timing alone: flagged where the calibration can tell the commit apart (ratio >= 3)
t = gpu_point(sys.argv[2])
commits = ("R1 main commit", "R1 aux commit", "R2 commit")
ratio = max(v["cpu_ms"] / v["gpu_ms"] for e in json.load(open(sys.argv[3]))["entries"]
            for k, v in e["ranges"].items() if k in commits)
want = "suspected-fallback" if ratio >= 3 else "undetectable"
assert t["verdict"] == want, "timing only (max ratio %.1f): %s: %s" % (ratio, t["verdict"], t["verdict_reason"])
PY

# ---- the upstream bug: Keccak launched with 1024 threads per block ---------------------
"$SB" sweep "${S[@]}" --backend gpu --gpu-threshold 0 --tpb keccak=1024 --cupti --out k1024.json >k1024.txt 2>&1
[ $? -eq 1 ] || fail "keccak=1024 must make the sweep exit 1: $(cat k1024.txt)"
python3 - k1024.json <<'PY' || fail "keccak=1024: $(cat k1024.txt)"
import json, sys
b = [b for b in json.load(open(sys.argv[1]))["benchmarks"] if b["run_type"] == "iteration"][0]
assert b["verdict"] in ("fallback", "suspected-fallback"), b["verdict"] + ": " + b["verdict_reason"]
PY
echo "cli_gpu_harness: ok"
