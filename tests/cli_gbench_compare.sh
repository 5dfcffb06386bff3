#!/usr/bin/env bash
# Google Benchmark's own tools/compare.py (Debian's libbenchmark-tools) reads a sweep's results
# file: the per-repetition entries, the aggregates and the U test on the repetitions.
# Usage: cli_gbench_compare.sh STARKBENCH SOURCE_DIR. Skipped (77) without compare.py or scipy.
set -u
SB=$1
COMPARE=/usr/share/benchmark/compare.py
PY=/usr/bin/python3
[ -f "$COMPARE" ] && "$PY" -c "import scipy, numpy" 2>/dev/null || { echo "SKIPPED: no compare.py with scipy"; exit 77; }
dir=$(mktemp -d /tmp/sb_gbench.XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$SB" sweep --backend cpu --steps 2^8 --blowup 2,4 --runs 3 --warmup 0 --out "$dir/r.json" >"$dir/sweep.txt" 2>&1 ||
    fail "sweep: $(tail -3 "$dir/sweep.txt")"
"$PY" "$COMPARE" benchmarks "$dir/r.json" "$dir/r.json" >"$dir/out.txt" 2>&1 || fail "compare.py: $(tail -5 "$dir/out.txt")"
for b in 2 4; do
    name="prove/steps:8/blowup:$b/backend:cpu/threshold:inf/tp:1/threads:"
    [ "$(grep -c "$name" "$dir/out.txt")" -ge 8 ] || fail "compare.py lists no repetitions + aggregates of blowup $b: $(cat "$dir/out.txt")"
    grep "$name" "$dir/out.txt" | grep -q "_pvalue" || fail "compare.py ran no U test for blowup $b"
    grep "$name" "$dir/out.txt" | grep -q "_median" || fail "compare.py saw no median aggregate for blowup $b"
done
# The same file on both sides: every time change is exactly zero.
grep "prove/" "$dir/out.txt" | grep -v "_pvalue" | grep -v -q "+0.0000" && fail "A/A changes are not zero: $(cat "$dir/out.txt")"
echo "cli_gbench_compare: ok"
