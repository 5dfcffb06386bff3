#!/usr/bin/env bash
# compute-sanitizer memcheck and racecheck on a small whole GPU proof (every table on the GPU):
# no memory error, no shared-memory hazard, no fallback, and the proof still verifies.
# Usage: cli_gpu_sanitizer.sh STARKBENCH SOURCE_DIR. Skipped (77) without a GPU or the tool.
set -u
SB=$1
command -v compute-sanitizer >/dev/null 2>&1 || { echo "SKIPPED: compute-sanitizer not found"; exit 77; }
"$SB" sweep --probe 2>/dev/null | grep -q "^gpu: none" && { echo "SKIPPED: no GPU"; exit 77; }
dir=$(mktemp -d /tmp/sb_sanitizer.XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for tool in memcheck racecheck; do
    compute-sanitizer --tool "$tool" --error-exitcode 9 "$SB" prove --steps 2^8 --backend gpu --gpu-threshold 0 \
        --out "$dir/$tool.proof" >"$dir/$tool.txt" 2>&1 || fail "$tool: exit $?: $(tail -20 "$dir/$tool.txt")"
    grep -q "ERROR SUMMARY: 0 errors\|RACECHECK SUMMARY: 0 hazards" "$dir/$tool.txt" || fail "$tool: no clean summary"
    grep -q "^fallbacks: none" "$dir/$tool.txt" || fail "$tool: the GPU path fell back: $(grep -A3 '^fallbacks' "$dir/$tool.txt")"
    grep -q "^backend: gpu (gpu ops [1-9]" "$dir/$tool.txt" || fail "$tool: no GPU operation ran"
    "$SB" verify "$dir/$tool.proof" >/dev/null || fail "$tool: the proof does not verify"
done
echo "cli_gpu_sanitizer: ok"
