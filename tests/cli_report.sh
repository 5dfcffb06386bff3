#!/usr/bin/env bash
# report / compare / history on a results fixture generated here: markdown content, charts
# (when gnuplot is present; skipped with a note when it is not), and corrupt input rejected
# with one line and exit 2.
# usage: cli_report.sh <path-to-starkbench> <source-dir>
set -euo pipefail
SB=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "cli_report: $*" >&2; exit 1; }

# The fixture: Google Benchmark JSON with our fields. Points: name-free axes below; each has
# 3 repetitions of total = base * (1, 1.01, 1.02) split into rounds (30/25/40/5 %).
# columns: backend used threshold tpb verdict base_ms
awk -v commit="$1" 'BEGIN {
  n = split("cpu cpu inf default clean 400|gpu gpu 0 default clean 100|gpu gpu 0 keccak=64 clean 110|" \
            "gpu gpu 0 keccak=1024 suspected-fallback 380|gpu gpu 65536 default clean 120", pts, "|");
  printf "{\n \"context\": {\"date\": \"2026-01-02T03:04:05+00:00\", \"host_name\": \"fixture-host\", \"executable\": \"starkbench\",\n";
  printf "  \"num_cpus\": 2, \"mhz_per_cpu\": 2000, \"cpu_scaling_enabled\": false, \"caches\": [], \"load_avg\": [0, 0, 0],\n";
  printf "  \"library_build_type\": \"release\", \"gpu_name\": \"Fixture GPU\", \"gpu_driver\": \"1.0\", \"cuda_version\": \"13.0\",\n";
  printf "  \"git_commit\": \"fixture0001\", \"build_type\": \"Release\", \"command_line\": \"starkbench sweep\", \"range_sync\": true,\n";
  printf "  \"cupti\": false, \"cupti_overhead_pct\": null},\n \"benchmarks\": [\n";
  sep = "";
  for (i = 1; i <= n; i++) {
    split(pts[i], f, " ");
    name = sprintf("prove/steps:12/blowup:2/backend:%s/threshold:%s/tp:1/threads:2/tpb:%s", f[1], f[3], f[4]);
    thr = f[3] == "inf" ? "\"inf\"" : f[3];
    fb = f[5] == "clean" ? "[]" : "[{\"table\": \"cpu\", \"op\": \"R1 main commit\", \"kernel\": \"keccak256_leaves\", \"launch\": \"grid=(32,1,1) block=(1024,1,1)\", \"error\": \"too many resources requested for launch\"}]";
    reason = f[5] == "clean" ? "" : "commit time nearer the CPU calibration";
    for (k = 0; k < 3; k++) {
      t = f[6] * (1 + 0.01 * k);
      printf "%s  {\"name\": \"%s\", \"run_name\": \"%s\", \"run_type\": \"iteration\", \"repetitions\": 3, \"repetition_index\": %d,", sep, name, name, k;
      printf " \"threads\": 1, \"iterations\": 1, \"real_time\": %.6f, \"cpu_time\": %.6f, \"time_unit\": \"ms\",", t + 1, 2 * t;
      printf " \"steps\": 4096, \"log_steps\": 12, \"blowup\": 2, \"backend\": \"%s\", \"backend_used\": \"%s\", \"gpu_threshold\": %s,", f[1], f[2], thr;
      printf " \"tp\": 1, \"cpu_threads\": 2, \"tpb\": \"%s\", \"status\": \"ok\", \"proof_digest\": \"%064d\", \"digest_mismatch\": false,", f[4], 42;
      printf " \"fallbacks\": %s, \"verdict\": \"%s\", \"verdict_reason\": \"%s\",", fb, f[5], reason;
      if (f[2] == "gpu") printf " \"gpu_busy_ms\": %.6f, \"gpu_busy_pct\": 50,", 0.5 * t;
      printf " \"total\": %.6f, \"cpu:R1 main LDE\": %.6f, \"cpu:R1 main commit\": %.6f, \"cpu:R2 evaluate\": %.6f, \"range:R1 main LDE\": %.6f}",
             t, 0.3 * t, 0.25 * t, 0.4 * t, 0.05 * t;
      sep = ",\n";
    }
  }
  printf ",\n  {\"name\": \"prove/steps:30/blowup:8/backend:gpu/threshold:0/tp:1/threads:2/tpb:default\", \"run_type\": \"iteration\",";
  printf " \"repetitions\": 0, \"repetition_index\": 0, \"threads\": 1, \"iterations\": 0, \"real_time\": 0, \"cpu_time\": 0,";
  printf " \"time_unit\": \"ms\", \"status\": \"infeasible\", \"error_occurred\": true, \"error_message\": \"needs 900 GiB of device memory\"}\n";
  printf " ]\n}\n";
}' > "$work/fixture.json"

# ---- report -------------------------------------------------------------------------------
"$SB" report "$work/fixture.json" --out "$work/rep" > "$work/out.txt" 2> "$work/err.txt" || fail "report exited $?: $(cat "$work/err.txt")"
md=$work/rep/report.md
[ -s "$md" ] || fail "no report.md"
grep -q '^## Totals (median of N)' "$md" || fail "no totals table"
# GPU default point: totals 100, 101, 102 -> median 101.000, min 100, max 102
grep -q '| `prove/steps:12/blowup:2/backend:gpu/threshold:0/tp:1/threads:2/tpb:default` | gpu | 3 | 101.000 | 0.99 | 100.000 | 102.000 | clean |' "$md" \
  || fail "wrong totals row for the default GPU point"
# its R1 main commit round: 25 % of the total
grep -q '| cpu | R1 main commit | 25.250 | 0.99 | 25.0 % | - | - |' "$md" || fail "wrong per-round row"
grep -q '^total 101.000 ms (CV 0.99 %, N = 3), GPU busy 50.500 ms (50.0 % of the total)$' "$md" ||
    fail "no GPU busy time and share in a GPU point's heading"
grep -q '\*\*suspected-fallback\*\* `prove/steps:12/blowup:2/backend:gpu/threshold:0/tp:1/threads:2/tpb:keccak=1024`' "$md" \
  || fail "the suspected fallback is not reported"
grep -q 'too many resources requested for launch' "$md" || fail "the fallback record is not listed"
grep -q '| `prove/steps:30/blowup:8/backend:gpu/threshold:0/tp:1/threads:2/tpb:default` | infeasible | needs 900 GiB of device memory |' "$md" \
  || fail "the infeasible point is not listed"
grep -q 'All 5 proofs agree' "$md" || fail "digest summary missing"

if command -v gnuplot > /dev/null; then
  for chart in rounds tpb threshold gpu-vs-cpu; do
    [ -s "$work/rep/$chart.svg" ] || fail "chart $chart.svg missing"
    head -c 8 "$work/rep/$chart.png" | od -An -tx1 | grep -q '89 50 4e 47' || fail "$chart.png is not a PNG"
    grep -q "($chart.svg)" "$md" || fail "chart $chart not linked from the report"
  done
  # the trend over commits from a history database
  "$SB" history add "$work/fixture.json" --db "$work/h.db" > /dev/null
  "$SB" report "$work/fixture.json" --out "$work/rep2" --history "$work/h.db" > /dev/null 2>&1 || fail "report --history failed"
  [ -s "$work/rep2/trend-total.png" ] || fail "no trend chart"
  grep -q 'Trend over commits' "$work/rep2/report.md" || fail "trend not in the report"
else
  echo "cli_report: gnuplot absent, chart checks skipped"
fi

# without gnuplot on PATH: the report is still written, with a note instead of charts
PATH=/nonexistent "$SB" report "$work/fixture.json" --out "$work/rep3" > /dev/null 2> "$work/err.txt" || fail "report without gnuplot failed"
grep -q 'Charts skipped: gnuplot is not installed' "$work/rep3/report.md" || fail "no note about the missing gnuplot"
[ ! -e "$work/rep3/rounds.png" ] || fail "a chart appeared without gnuplot"

# ---- compare: the fixture against itself passes -------------------------------------------
"$SB" compare "$work/fixture.json" "$work/fixture.json" > "$work/out.txt" || fail "A/A compare of one file did not pass"
grep -q -- '-> ok' "$work/out.txt" || fail "A/A compare summary is not ok"

# ---- bad input: one line on stderr, exit 2 ------------------------------------------------
expect_exit2() { # label, expected text, command...
  local label=$1 text=$2 rc=0
  shift 2
  "$@" > /dev/null 2> "$work/err.txt" || rc=$?
  [ "$rc" -eq 2 ] || fail "$label: exit $rc, expected 2"
  [ "$(wc -l < "$work/err.txt")" -eq 1 ] || fail "$label: stderr is not one line: $(cat "$work/err.txt")"
  grep -q "$text" "$work/err.txt" || fail "$label: stderr lacks '$text': $(cat "$work/err.txt")"
}
head -c 1500 "$work/fixture.json" > "$work/truncated.json"
printf 'not json at all' > "$work/garbage.json"
printf '{"context": {}, "benchmarks": {}}' > "$work/schema.json"
expect_exit2 "report truncated" "not JSON" "$SB" report "$work/truncated.json" --out "$work/x"
expect_exit2 "report garbage" "not JSON" "$SB" report "$work/garbage.json" --out "$work/x"
expect_exit2 "report wrong schema" "wrong schema" "$SB" report "$work/schema.json" --out "$work/x"
expect_exit2 "report missing" "cannot read" "$SB" report "$work/missing.json"
expect_exit2 "compare truncated base" "not JSON" "$SB" compare "$work/truncated.json" "$work/fixture.json"
expect_exit2 "compare truncated candidate" "not JSON" "$SB" compare "$work/fixture.json" "$work/truncated.json"
expect_exit2 "compare wrong schema" "wrong schema" "$SB" compare "$work/fixture.json" "$work/schema.json"
expect_exit2 "history add truncated" "not JSON" "$SB" history add "$work/truncated.json" --db "$work/h2.db"
expect_exit2 "report unknown flag" "unknown flag" "$SB" report "$work/fixture.json" --bogus
[ ! -e "$work/x" ] || fail "report created its folder for bad input"
echo "cli_report: ok"
