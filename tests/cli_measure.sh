#!/usr/bin/env bash
# Measurement you can trust: adaptive repetitions on real sweeps (a generous --max-noise stops at
# --min-runs, an impossible one spends --max-runs), the noise probe and the other new context
# fields, --lock-clocks saying in one line why it could not lock, the delay switch growing its
# round and the total, a report and a compare of a fixture with throttled repetitions, and bad
# flags refused with one line.
# usage: cli_measure.sh <starkbench> <source-dir>
set -uo pipefail
SB=$(realpath "$1")
command -v python3 > /dev/null || { echo "SKIP: python3 is needed to parse the results"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail() {
  echo "cli_measure: FAIL: $*" >&2
  exit 1
}
COMMON=(--backend cpu --steps 2^8 --warmup 0 --threads 2 --calibration none.json)

# ---- adaptive: stops for low noise at --min-runs; at its budget when the target is impossible ----
"$SB" sweep "${COMMON[@]}" --max-noise 1000 --min-runs 6 --max-runs 9 --lock-clocks 1500 --out a.json > out.txt 2> err.txt ||
  fail "adaptive sweep exited $?: $(cat err.txt)"
grep -Eq -- "--lock-clocks 1500: .*clocks not locked|SM clock locked at 1500 MHz" err.txt || fail "no --lock-clocks line: $(cat err.txt)"
[ "$(grep -c -- '--lock-clocks' err.txt)" -eq 1 ] || fail "--lock-clocks said more than one line"
grep -q "noise probe (30 repetitions): CPU [0-9.]* % (median [0-9.]* ms)" err.txt || fail "no noise probe line: $(cat err.txt)"
grep -q "median [0-9.]* ms of 6 (stop noise, noise [0-9.]* %)" err.txt || fail "progress line lacks the stop: $(cat err.txt)"
"$SB" sweep "${COMMON[@]}" --max-noise 0.0001 --min-runs 2 --max-runs 3 --keep-throttled --no-noise-probe --out b.json \
  > out2.txt 2> err2.txt || fail "budget sweep exited $?: $(cat err2.txt)"
! grep -q "noise probe" err2.txt || fail "--no-noise-probe still probed"
python3 - a.json b.json << 'PY' || fail "adaptive results do not hold what they should"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
ra = [e for e in a["benchmarks"] if e["run_type"] == "iteration"]
rb = [e for e in b["benchmarks"] if e["run_type"] == "iteration"]
assert len(ra) == 6 and all(e["repetitions"] == 6 and e["stop_reason"] == "noise" for e in ra), ra[0]
assert 0 < ra[0]["noise_pct"] <= 1000, ra[0]["noise_pct"]
assert len(rb) == 3 and all(e["stop_reason"] == "max-runs" for e in rb), rb[0]
assert "noise_pct" not in rb[0], "3 repetitions have no interval: the noise is unknown"
ca, cb = a["context"], b["context"]
assert ca["noise_cpu_pct"] > 0 and ca["noise_cpu_ms"] > 0 and ca["noise_gpu_pct"] is None, ca
assert cb["noise_cpu_pct"] is None, "--no-noise-probe"
assert ca["keep_throttled"] is False and cb["keep_throttled"] is True
assert ca["locked_clock_mhz"] is None and ca["delay_round"] == ""
PY

# ---- the delay switch: R2 evaluate grows by 1000 % of itself, and so does the total ---------
# Three proves a side, each range taken at its fastest: a busy machine stalls a short range now
# and then, which only ever adds time, so the minimum is what the switch did.
for k in 1 2 3; do
  "$SB" prove "${COMMON[@]:0:4}" --json > plain-$k.json || fail "prove exited $?"
  STARKBENCH_DELAY_ROUND="R2 evaluate:1000" "$SB" prove "${COMMON[@]:0:4}" --json > slow-$k.json ||
    fail "delayed prove failed"
done
python3 - << 'PY' || fail "the delay switch did not delay R2 evaluate alone"
import json
plain, slow = ([json.load(open("%s-%d.json" % (side, k))) for k in (1, 2, 3)] for side in ("plain", "slow"))
def ms(docs, name):
    return min(sum(r["ms"] for r in d["ranges"] if r["name"] == name) for d in docs)
def total(docs):
    return min(d["total_ms"] for d in docs)
assert ms(slow, "R2 evaluate") > 4 * ms(plain, "R2 evaluate"), (ms(slow, "R2 evaluate"), ms(plain, "R2 evaluate"))
assert ms(slow, "R1 main LDE") < 4 * ms(plain, "R1 main LDE"), (ms(slow, "R1 main LDE"), ms(plain, "R1 main LDE"))
extra = ms(slow, "R2 evaluate") - ms(plain, "R2 evaluate")
assert total(slow) > total(plain) + 0.5 * extra, (total(slow), total(plain), extra)
assert len({d["proof_digest"] for d in plain + slow}) == 1
PY

# ---- throttled repetitions on a fixture: excluded, counted, reported ----------------------
python3 - << 'PY'
import json
reps = []
for k, (t, mark) in enumerate([(100, 0), (500, 1), (101, 0), (102, 0), (900, 1)]):
    reps.append({"name": "p", "run_name": "p", "run_type": "iteration", "repetitions": 5, "repetition_index": k,
                 "real_time": t + 1, "cpu_time": t, "time_unit": "ms", "backend": "gpu", "backend_used": "gpu",
                 "gpu_threshold": 0, "log_steps": 12, "blowup": 2, "status": "ok", "total": t, "gpu:R1 main LDE": t / 4,
                 "throttled": mark, "nvml:throttle_reasons": 0x40 * mark})
ctx = {"date": "2026-12-04T00:00:00+00:00", "host_name": "fixture", "gpu_name": "Fixture GPU", "gpu_driver": "1.0",
       "keep_throttled": False, "noise_cpu_pct": 0.5, "noise_cpu_ms": 3.1}
json.dump({"context": ctx, "benchmarks": reps}, open("throttled.json", "w"))
PY
"$SB" report throttled.json --out rep --calibration none.json > /dev/null 2> err.txt || fail "report failed: $(cat err.txt)"
grep -q '| `p` | gpu | 3 | 101.000 |' rep/report.md || fail "the totals do not leave the throttled repetitions out: $(grep '`p`' rep/report.md)"
grep -q '| - | - | 2 |$' rep/report.md || fail "the totals row does not count 2 throttled"
grep -q '| throttling | 2 repetitions throttled (NVML), left out of the statistics |' rep/report.md || fail "no throttling line"
grep -q '| noise probe | CPU 0.50 % (median 3.100 ms)' rep/report.md || fail "no noise probe line"
grep -q "No floors for Fixture GPU (driver 1.0) in \`none.json\`" rep/report.md || fail "no floors note"
"$SB" compare throttled.json throttled.json > cmp.txt || fail "A/A compare of the fixture failed"
grep -q "note  throttled repetitions (NVML): 2 base, 2 candidate, left out of the statistics" cmp.txt || fail "compare does not count them"
grep -q "(3 vs 3 repetitions)" cmp.txt || fail "compare pooled the throttled ones"

# ---- bad input: one line, exit 2 ------------------------------------------------------------
for args in "--max-noise 1 --runs 3" "--min-runs 3" "--max-noise 1 --min-runs 5 --max-runs 3" "--max-noise 0" \
  "--max-noise x" "--lock-clocks 5" "--clock-ref 1000" "--max-time -1 --max-noise 1"; do
  # shellcheck disable=SC2086
  "$SB" sweep --backend cpu $args > /dev/null 2> err.txt
  rc=$?
  [ $rc -eq 2 ] || fail "sweep $args: exit $rc, 2 expected"
  [ "$(wc -l < err.txt)" -eq 1 ] || fail "sweep $args: one line expected: $(cat err.txt)"
done
for cmd in sweep prove; do
  STARKBENCH_DELAY_ROUND="R2 evaluate" "$SB" $cmd --backend cpu --steps 2^8 > /dev/null 2> err.txt
  rc=$?
  [ $rc -eq 2 ] && [ "$(wc -l < err.txt)" -eq 1 ] && grep -q 'STARKBENCH_DELAY_ROUND .* must be "RANGE NAME:PERCENT"' err.txt ||
    fail "$cmd with a bad STARKBENCH_DELAY_ROUND: exit $rc, $(cat err.txt)"
done
echo "cli_measure: ok"
