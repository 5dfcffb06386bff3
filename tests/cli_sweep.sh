#!/bin/bash
# starkbench sweep on the CPU (2^8 steps, 2 runs): results JSON + CSV parse and hold what
# they should; a failing, an infeasible and a timed-out point are recorded and the sweep
# goes on; a sweep killed mid-way leaves the previous results file intact and --resume
# completes it without re-running finished points; suites; bad input exits 2.
# usage: cli_sweep.sh <starkbench> <source-dir>
set -u
SB=$1
SRC=$2
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to parse the results"; exit 77; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
COMMON=(--backend cpu --steps 2^8 --runs 2 --warmup 0 --threads 2 --calibration none.json)

# ---- 1. a two-point grid: JSON (Google Benchmark schema) and CSV --------------------------
"$SB" sweep "${COMMON[@]}" --blowup 2,4 --out r.json >out1.txt 2>err1.txt || fail "sweep exited $?: $(cat err1.txt)"
grep -q '^\[2/2\] prove/steps:8/blowup:4/' err1.txt || fail "no progress line: $(cat err1.txt)"
python3 - r.json r.csv <<'PY' || fail "results do not hold what they should"
import csv, json, re, sys
doc = json.load(open(sys.argv[1]))
ctx = doc["context"]
for k in ("date", "host_name", "executable", "num_cpus", "mhz_per_cpu", "library_build_type", "git_commit", "command_line"):
    assert k in ctx, "context lacks " + k
assert "sweep" in ctx["command_line"]
it = [b for b in doc["benchmarks"] if b["run_type"] == "iteration"]
agg = [b for b in doc["benchmarks"] if b["run_type"] == "aggregate"]
names = sorted({b["run_name"] for b in it})
assert names == ["prove/steps:8/blowup:2/backend:cpu/threshold:inf/tp:1/threads:2/tpb:default",
                 "prove/steps:8/blowup:4/backend:cpu/threshold:inf/tp:1/threads:2/tpb:default"], names
for name in names:
    reps = [b for b in it if b["run_name"] == name]
    assert len(reps) == 2 and all(b["repetitions"] == 2 for b in reps)
    for b in reps:
        assert b["time_unit"] == "ms" and b["real_time"] > 0 and b["cpu_time"] > 0, b
        assert b["status"] == "ok" and b["backend_used"] == "cpu", b
        assert b["total"] > 0 and b["cpu:R1 main commit"] > 0, "round ranges missing"
        assert b["total"] <= b["real_time"] * 1.01, "the prove range exceeds the wall time"
        assert re.fullmatch("[0-9a-f]{64}", b["proof_digest"]), b["proof_digest"]
        assert b["digest_mismatch"] is False and b["verdict"] == "n/a"
    assert reps[0]["proof_digest"] == reps[1]["proof_digest"]
    for a in ("mean", "median", "stddev", "cv"):
        assert [b for b in agg if b["run_name"] == name and b["aggregate_name"] == a], "no _" + a
rows = list(csv.DictReader(open(sys.argv[2])))
for col in ("name", "run_type", "status", "real_time_ms", "cpu_time_ms", "total", "cpu:R1 main commit", "proof_digest"):
    assert col in rows[0], "CSV lacks column " + col
assert len([r for r in rows if r["run_type"] == "iteration"]) == 4
PY

# ---- 2. failing, infeasible and ok points in one sweep; then a timeout --------------------
"$SB" sweep "${COMMON[@]}" --blowup 2 --steps 2^1,2^30,2^8 --out f.json >out2.txt 2>err2.txt
rc=$?
[ $rc -eq 1 ] || fail "a sweep with a failed point must exit 1, got $rc: $(cat err2.txt)"
python3 - f.json <<'PY' || fail "failed/infeasible points not recorded as such: $(cat out2.txt)"
import json, sys
it = [b for b in json.load(open(sys.argv[1]))["benchmarks"] if b["run_type"] == "iteration"]
status = {b["run_name"].split("/")[1]: b for b in it}
assert status["steps:1"]["status"] == "failed" and status["steps:1"]["error_occurred"], status["steps:1"]
assert status["steps:1"]["error_message"], "a failed point says why"
assert status["steps:30"]["status"] == "infeasible" and "memory" in status["steps:30"]["error_message"]
assert status["steps:8"]["status"] == "ok" and status["steps:8"]["real_time"] > 0
PY
"$SB" sweep "${COMMON[@]}" --blowup 2,4 --timeout 0.001 --out t.json >out3.txt 2>err3.txt
rc=$?
[ $rc -eq 1 ] || fail "timed-out points must make the sweep exit 1, got $rc"
[ "$(grep -c 'killed after the --timeout' out3.txt)" -eq 2 ] || fail "both points time out and are recorded: $(cat out3.txt)"

# ---- 3. kill the sweep mid-way; the previous file survives; --resume completes it --------
cp r.json before.json
RESUME=(--backend cpu --steps 2^8 --runs 1 --warmup 0 --threads 2 --calibration none.json --blowup 2,4 --tp 1,2 --out r.json)
"$SB" sweep "${RESUME[@]}" >/dev/null 2>err4.txt &
pid=$!
for _ in $(seq 600); do
    [ -s r.partial.json ] && break
    sleep 0.1
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
[ -s r.partial.json ] || fail "no checkpoint was written before the kill"
cmp -s r.json before.json || fail "the interrupted sweep changed the previous results file"
done_before=$(python3 -c "import json,sys; d=json.load(open('r.partial.json')); print(len({b['run_name'] for b in d['benchmarks']}))") ||
    fail "the checkpoint does not parse"
[ "$done_before" -ge 1 ] && [ "$done_before" -lt 4 ] || fail "checkpoint holds $done_before points; 1..3 expected"
cp r.partial.json partial.json
"$SB" sweep "${RESUME[@]}" --resume >out5.txt 2>err5.txt || fail "resume exited $?: $(cat err5.txt)"
grep -q "resuming: $done_before point(s) already done" err5.txt || fail "resume did not reuse the checkpoint: $(cat err5.txt)"
[ ! -e r.partial.json ] || fail "the checkpoint remains after a completed sweep"
python3 - partial.json r.json <<'PY' || fail "the resumed results are incomplete or re-ran finished points"
import json, sys
def points(path):
    out = {}
    for b in json.load(open(path))["benchmarks"]:
        if b["run_type"] == "iteration":
            out.setdefault(b["run_name"], []).append(b["real_time"])
    return out
before, after = points(sys.argv[1]), points(sys.argv[2])
assert len(after) == 4 and all(len(v) == 1 for v in after.values()), after
for name, times in before.items():
    assert after[name] == times, name + " was re-run"
PY

# ---- 4. suites ---------------------------------------------------------------------------
"$SB" sweep --suite "$SRC/bench/suites/default.conf" --steps 2^8 --blowup 2 --runs 1 --warmup 0 \
    --filter 'backend:cpu' --calibration none.json --out s.json >out6.txt 2>err6.txt || fail "default suite: $(cat err6.txt)"
[ "$(grep -c '^prove/' out6.txt)" -eq 1 ] || fail "the default suite at 2^8 x b2 has one CPU point: $(cat out6.txt)"
printf 'runs = 1\n[a]\nsteps = 2^8\nbogus = 1\n' >bad.conf
"$SB" sweep --suite bad.conf 2>err7.txt
[ $? -eq 2 ] && grep -q "bad.conf:4: unknown key 'bogus'" err7.txt || fail "a bad suite must exit 2 naming FILE:LINE: $(cat err7.txt)"

# ---- 5. bad input: one line, exit 2 ------------------------------------------------------
for args in "--blowup 3" "--out r.txt" "--tpb keccak=100" "--filter (" "--runs 0" "--zip --steps 2^8,2^9 --blowup 2,4,8"; do
    # shellcheck disable=SC2086
    "$SB" sweep --backend cpu $args >/dev/null 2>err8.txt
    rc=$?
    [ $rc -eq 2 ] || fail "sweep $args: exit $rc, 2 expected"
    [ "$(wc -l <err8.txt)" -eq 1 ] || fail "sweep $args: one line expected on stderr: $(cat err8.txt)"
done
echo "cli_sweep: ok"
