#!/usr/bin/env bash
# The common flags (bench/options.h) from the command line: count forms, limits, --gpu-threshold
# and --tpb values, the five environment mirrors (applied, beaten by flags, one line when bad),
# flags a command would ignore, sweep's mirror-free children, and one-line usage errors.
# usage: cli_options.sh <starkbench> <source-dir>
set -u
SB=$1
source "$(dirname "$0")/lib_cli.sh"
unset STARKBENCH_BACKEND STARKBENCH_GPU_THRESHOLD STARKBENCH_TPB STARKBENCH_THREADS STARKBENCH_TP

# json_is KEY VALUE: the last command's stdout is a JSON object whose KEY is VALUE.
json_is() {
    local got
    got=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$TMP/out" "$1" 2>&1)
    [ "$got" = "$2" ] || fail "json $1 = '$got', want '$2'"
}

# ---- counts: 2^k, decimal, K/M/G suffixes; limits and garbage -------------------------------
expect 0 0 "" -- "$SB" prove --steps 2^8 --backend cpu --json
json_is log_steps 8
expect 0 0 "" -- "$SB" prove --steps=256 --backend cpu --json --tp 2^1 --threads 1 --gpu-threshold 64K
json_is log_steps 8
json_is tp 2
expect 0 0 "" -- "$SB" prove --steps 1K --backend cpu --json --gpu-threshold inf
json_is log_steps 10
expect 2 1 "over the limit 2^30" -- "$SB" prove --steps 2^31
expect 2 1 "over the limit 2^30" -- "$SB" prove --steps 4G
expect 2 1 "not a power of two" -- "$SB" prove --steps 300
for bad in 0 2^ 2^x 2^64 8Q 1.5K -256 "" K 99999999999999999999; do
    expect 2 1 "--steps" -- "$SB" prove --steps "$bad"
done
expect 2 1 "needs a value" -- "$SB" prove --steps
expect 2 1 "must be 2, 4 or 8" -- "$SB" prove --blowup 3
expect 2 1 "must be an integer in \[1, 1024\]" -- "$SB" prove --threads 0
expect 2 1 "must be an integer in \[1, 64\]" -- "$SB" prove --tp 65

# ---- --gpu-threshold and --tpb ------------------------------------------------------------
for bad in -1 1.5 infinity 2^ none; do
    expect 2 1 "--gpu-threshold '$bad' must be a row count or 'inf'" -- "$SB" prove --gpu-threshold "$bad"
done
expect 2 1 "--tpb: unknown kernel 'nosuch'" -- "$SB" prove --tpb nosuch=64
expect 2 1 "--tpb: keccak=100 is not a positive multiple of 32" -- "$SB" prove --tpb keccak=100
expect 2 1 "--tpb: keccak=2048 is not a positive multiple of 32" -- "$SB" lde-commit --tpb keccak=2048
expect 2 1 "--tpb: 'keccak' is not NAME=N" -- "$SB" prove --tpb keccak
expect 0 0 "" -- "$SB" prove --steps 2^8 --backend cpu --tpb keccak=64,ntt=1024

# ---- environment mirrors: applied where no flag is given ----------------------------------
STARKBENCH_THREADS=3 STARKBENCH_TP=2 expect 0 0 "" -- "$SB" prove --steps 2^8 --backend cpu --json
json_is threads 3
json_is tp 2
STARKBENCH_THREADS=3 expect 0 0 "" -- "$SB" lde-commit --log-rows 4 --cols 3 --backend cpu --json
json_is threads 3
# Without --threads or its mirror, the thread count the prover resolved, never 0.
expect 0 0 "" -- "$SB" prove --steps 2^8 --backend cpu --json
threads=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["threads"])' "$TMP/out")
[ "$threads" -ge 1 ] 2>/dev/null || fail "prove --json threads '$threads' without --threads"
OMP_NUM_THREADS=2 expect 0 0 "" -- "$SB" prove --steps 2^8 --backend cpu --json
json_is threads 2
# STARKBENCH_BACKEND=gpu: the GPU run, or (no usable GPU) the one line that says so.
STARKBENCH_BACKEND=gpu "$SB" prove --steps 2^8 --json >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc = 0 ]; then json_is backend gpu
else [ $rc = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] && grep -qi gpu "$TMP/err" ||
    fail "STARKBENCH_BACKEND=gpu prove: exit $rc: $(cat "$TMP/err")"; fi
# The sweep's base configuration takes the threshold and tpb mirrors (seen in the point's name).
STARKBENCH_GPU_THRESHOLD=2^10 STARKBENCH_TPB=keccak=64 STARKBENCH_THREADS=1 expect 0 1 "" -- \
    "$SB" sweep --steps 2^8 --backend auto --runs 1 --warmup 0 --no-cupti --no-noise-probe --out "$TMP/s1.json" --filter threshold:1024
grep -q '"name": *"prove/steps:8/blowup:2/backend:auto/threshold:1024/tp:1/threads:1/tpb:keccak=64"' "$TMP/s1.json" ||
    fail "sweep: STARKBENCH_GPU_THRESHOLD / STARKBENCH_TPB not in the point: $(grep -o '"name": *"[^"]*"' "$TMP/s1.json" | head -1)"

# ---- flags beat the environment, even an invalid one ----------------------------------------
STARKBENCH_THREADS=3 STARKBENCH_TP=3 expect 0 0 "" -- "$SB" prove --steps 2^8 --backend cpu --json --threads 1 --tp 1
json_is threads 1
json_is tp 1
STARKBENCH_BACKEND=foo expect 0 0 "" -- "$SB" lde-commit --log-rows 4 --cols 3 --backend cpu
STARKBENCH_BACKEND=foo STARKBENCH_GPU_THRESHOLD=x STARKBENCH_TPB=x STARKBENCH_THREADS=0 STARKBENCH_TP=0 \
    expect 0 0 "" -- "$SB" prove --steps 2^8 --backend cpu --gpu-threshold inf --tpb keccak=64 --threads 1 --tp 1
# A command that does not take an option does not read its mirror.
STARKBENCH_BACKEND=foo expect 0 0 "" -- "$SB" kernels

# ---- an invalid mirror: one line naming it, exit 2 ------------------------------------------
STARKBENCH_BACKEND=foo expect 2 1 "^starkbench: STARKBENCH_BACKEND 'foo' must be cpu, gpu or auto$" -- "$SB" prove --steps 2^8
STARKBENCH_GPU_THRESHOLD=lots expect 2 1 "STARKBENCH_GPU_THRESHOLD 'lots'" -- "$SB" lde-commit --log-rows 4
STARKBENCH_TPB=nosuch=64 expect 2 1 "STARKBENCH_TPB: unknown kernel 'nosuch'" -- "$SB" prove --steps 2^8
STARKBENCH_THREADS=0 expect 2 1 "STARKBENCH_THREADS '0' must be an integer" -- "$SB" prove --steps 2^8
STARKBENCH_TP=99 expect 2 1 "STARKBENCH_TP '99' must be an integer" -- "$SB" prove --steps 2^8
STARKBENCH_TP=x expect 2 1 "STARKBENCH_TP 'x'" -- "$SB" sweep --steps 2^8 --backend cpu --out "$TMP/s2.json"
STARKBENCH_THREADS=0 expect 2 1 "STARKBENCH_THREADS '0'" -- "$SB" calibrate
# switches that would put GPU work on the CPU: calibrate refuses them, before needing a GPU
STARKBENCH_CPU_ROUNDS=R2 expect 2 1 "unset STARKBENCH_CPU_ROUNDS" -- "$SB" calibrate
STARKBENCH_INJECT_SILENT_FALLBACK=deep expect 2 1 "unset STARKBENCH_INJECT_SILENT_FALLBACK" -- "$SB" calibrate
# without a GPU, calibrate says so in one line (no warning about CUPTI beside it)
if [ "$("$SB" sweep --probe)" = "gpu: none" ]; then
    expect 2 1 "no usable GPU" -- "$SB" calibrate --steps 2^8 --out "$TMP/cal.json"
    [ -e "$TMP/cal.json" ] && fail "calibrate without a GPU wrote a calibration"
fi
# and the testing switches that would calibrate a delayed round or a broken trace
STARKBENCH_DELAY_ROUND="R2 evaluate:5" expect 2 1 "unset STARKBENCH_DELAY_ROUND" -- "$SB" calibrate
STARKBENCH_CORRUPT_SNAPSHOT=3 expect 2 1 "unset STARKBENCH_CORRUPT_SNAPSHOT" -- "$SB" calibrate
STARKBENCH_CORRUPT_SNAPSHOT=-1 expect 2 1 "STARKBENCH_CORRUPT_SNAPSHOT '-1' must be a snapshot index" -- \
    "$SB" sweep --steps 2^8 --backend cpu --out "$TMP/s3.json"

# ---- sweep children get every option as a flag, no mirror: a CPU point keeps default tpb ----
STARKBENCH_TPB=keccak=64 STARKBENCH_GPU_THRESHOLD=0 expect 0 1 "" -- \
    "$SB" sweep --steps 2^8 --backend cpu --threads 1 --runs 1 --warmup 0 --no-cupti --no-noise-probe --out "$TMP/s3.json"
grep -q '"name": *"prove/steps:8/blowup:2/backend:cpu/threshold:inf/tp:1/threads:1/tpb:default"' "$TMP/s3.json" ||
    fail "sweep: a mirror leaked into the CPU point: $(grep -o '"name": *"[^"]*"' "$TMP/s3.json" | head -1)"
grep -q '"tpb": *"default"' "$TMP/s3.json" || fail "sweep: the CPU point's recorded tpb is not default"

# ---- a flag that would do nothing is refused --------------------------------------------------
expect 2 1 "prove: --runs has no effect on prove" -- "$SB" prove --steps 2^8 --runs 3
expect 2 1 "prove: --warmup has no effect on prove" -- "$SB" prove --steps 2^8 --warmup 1
expect 2 1 "lde-commit: --steps has no effect" -- "$SB" lde-commit --steps 2^8
expect 2 1 "lde-commit: --tp has no effect" -- "$SB" lde-commit --tp 2
expect 2 1 "lde-commit: --no-range-sync has no effect" -- "$SB" lde-commit --no-range-sync
expect 2 1 "kernels: --threads has no effect" -- "$SB" kernels --threads 2
expect 2 1 "kernels: --json has no effect" -- "$SB" kernels --json
# kernels --pipes: one line without a GPU; on one, every probe timed and the FP64 funnel shift exact
if "$SB" kernels --pipes >"$TMP/out" 2>"$TMP/err"; then
    [ "$(grep -c '^  X = ' "$TMP/out")" = 5 ] || fail "kernels --pipes: want 5 probe lines: $(cat "$TMP/out")"
    grep -q ": 0 mismatches$" "$TMP/out" || fail "kernels --pipes: the FP64 funnel shift mismatched: $(cat "$TMP/out")"
else
    expect 2 1 "kernels --pipes needs a GPU" -- "$SB" kernels --pipes
fi
for op in lde upload commit open composition ood deep fri grind all; do  # accepted: the parse gets past it to the (invalid) --filter
    expect 2 1 "--filter" -- "$SB" sweep --steps 2^8 --backend cpu --inject-silent-fallback $op --filter '('
done
expect 2 1 "--inject-silent-fallback 'ntt' must name a GPU operation (trace, lde, upload, .*, grind or all)" -- \
    "$SB" sweep --steps 2^8 --backend cpu --inject-silent-fallback ntt --out "$TMP/s5.json" --filter '('

# ---- usage errors: one line --------------------------------------------------------------------
expect 2 1 "usage: starkbench report .*see --help" -- "$SB" report
expect 2 1 "usage: starkbench history .*see --help" -- "$SB" history
expect 2 1 "usage: starkbench history add .*see --help" -- "$SB" history add
if "$SB" sweep --probe | grep -qx "gpu: none"; then
    expect 2 1 "no usable GPU" -- "$SB" sweep --steps 2^8 --backend gpu --out "$TMP/s4.json"
fi

[ $fails = 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "cli_options: all checks passed"
