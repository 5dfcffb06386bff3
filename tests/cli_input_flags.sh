#!/usr/bin/env bash
# Issue 18, the flags it named: `--tpb ''` was taken as "no change" and `--steps 2^64` called
# "not a power of two". Now an empty tpb list is refused (flag, environment mirror, sweep axis)
# and a count past 2^64 - 1 is "over the limit 2^30", one line, exit 2.
# usage: cli_input_flags.sh <starkbench> <source-dir>
set -u
SB=$1
source "$(dirname "$0")/lib_cli.sh"
unset STARKBENCH_BACKEND STARKBENCH_GPU_THRESHOLD STARKBENCH_TPB STARKBENCH_THREADS STARKBENCH_TP

for empty in "" ","; do
    expect 2 1 "^starkbench: --tpb: '$empty' names no kernel" -- "$SB" prove --steps 2^6 --tpb "$empty"
done
for empty in "" "," ", ,"; do
    expect 2 1 "^starkbench: --tpb: empty list" -- "$SB" sweep --steps 2^6 --tpb "$empty" --out "$TMP/s.json"
done
expect 2 1 "^starkbench: --tpb: '' names no kernel" -- "$SB" prove --steps 2^6 --tpb=
expect 2 1 "^starkbench: STARKBENCH_TPB: ',' names no kernel" -- env STARKBENCH_TPB=, "$SB" prove --steps 2^6
expect 2 1 "--tpb: keccak= is not a positive multiple of 32" -- "$SB" prove --steps 2^6 --tpb keccak=

for big in 2^64 2^99 18446744073709551616 99999999999999999999 17179869184G; do
    expect 2 1 "^starkbench: --steps '$big' is over the limit 2^30$" -- "$SB" prove --steps "$big"
    expect 2 1 "^starkbench: --steps: '$big' is over the limit 2^30$" -- "$SB" sweep --steps "$big" --out "$TMP/s.json"
done
expect 2 1 "^starkbench: --steps '3' is not a power of two" -- "$SB" prove --steps 3
expect 2 1 "^starkbench: --steps: '3' is not a power of two" -- "$SB" sweep --steps 3 --out "$TMP/s.json"
ls "$TMP"/s.* > /dev/null 2>&1 && fail "a refused sweep wrote results"

[ $fails = 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "cli_input_flags: all checks passed"
