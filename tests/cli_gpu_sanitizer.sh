#!/usr/bin/env bash
# compute-sanitizer memcheck, racecheck and synccheck on a small whole GPU proof (every table and
# every operation on the GPU, the traces too: the default placement at threshold 0): no memory
# error, no shared-memory hazard, no invalid barrier, no fallback, no operation on the CPU, and the
# proof verifies; then the same tools on the device trace's and LogUp's kernel tests
# (tests/test_gpu_trace.c, tests/test_gpu_logup.c).
# Usage: cli_gpu_sanitizer.sh STARKBENCH SOURCE_DIR. Skipped (77) without a GPU or the tool.
set -u
SB=$1
command -v compute-sanitizer >/dev/null 2>&1 || { echo "SKIPPED: compute-sanitizer not found"; exit 77; }
"$SB" sweep --probe 2>/dev/null | grep -q "^gpu: none" && { echo "SKIPPED: no GPU"; exit 77; }
dir=$(mktemp -d /tmp/sb_sanitizer.XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The CPU backend's proof digest and operation count: with every round on the device, the GPU
# does all of them and gives the same bytes.
"$SB" prove --steps 2^8 --backend cpu >"$dir/cpu.txt" 2>&1 || fail "cpu prove: $(cat "$dir/cpu.txt")"
all_ops=$(sed -n 's/^backend: cpu (gpu ops 0, cpu ops \([0-9]*\))$/\1/p' "$dir/cpu.txt")
digest=$(sed -n 's/^proof digest: //p' "$dir/cpu.txt")
[ -n "$all_ops" ] && [ -n "$digest" ] || fail "no operation count or digest from the CPU backend"
for tool in memcheck racecheck synccheck; do
    compute-sanitizer --tool "$tool" --error-exitcode 9 "$SB" prove --steps 2^8 \
        --backend gpu --gpu-threshold 0 --out "$dir/$tool.proof" >"$dir/$tool.txt" 2>&1 ||
        fail "$tool: exit $?: $(tail -20 "$dir/$tool.txt")"
    grep -q "ERROR SUMMARY: 0 errors\|RACECHECK SUMMARY: 0 hazards" "$dir/$tool.txt" || fail "$tool: no clean summary"
    grep -q "^fallbacks: none" "$dir/$tool.txt" || fail "$tool: the GPU path fell back: $(grep -A3 '^fallbacks' "$dir/$tool.txt")"
    grep -q "^backend: gpu (gpu ops $all_ops, cpu ops 0)" "$dir/$tool.txt" ||
        fail "$tool: not every operation on the GPU: $(grep '^backend' "$dir/$tool.txt")"
    grep -q "^proof digest: $digest\$" "$dir/$tool.txt" || fail "$tool: the proof differs from the CPU's"
    "$SB" verify "$dir/$tool.proof" >/dev/null || fail "$tool: the proof does not verify"
done
for test in test_gpu_trace test_gpu_logup; do
    bin=$(dirname "$SB")/$test
    [ -x "$bin" ] || fail "no $bin"
    for tool in memcheck racecheck synccheck; do
        compute-sanitizer --tool "$tool" --error-exitcode 9 "$bin" >"$dir/$test-$tool.txt" 2>&1 ||
            fail "$tool on $test: exit $?: $(tail -20 "$dir/$test-$tool.txt")"
        grep -q "ERROR SUMMARY: 0 errors\|RACECHECK SUMMARY: 0 hazards" "$dir/$test-$tool.txt" ||
            fail "$tool on $test: no clean summary"
    done
done
echo "cli_gpu_sanitizer: ok"
