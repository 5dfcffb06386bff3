#!/usr/bin/env bash
# Issue 18, item 7: sweep hung planning a 76,800-point grid (duplicates removed pairwise, no cap).
# Now the planner counts the grid first and refuses one over SB_SWEEP_MAX_POINTS (10,000
# configurations over all sections, before duplicates are removed) with one line before any
# work, and removes duplicates through a hash set. (The `timeout` only turns a hang into a
# failure; no time is asserted.)
# usage: cli_input_grid_cap.sh <starkbench> <source-dir>
set -u
SB=$1
source "$(dirname "$0")/lib_cli.sh"
SWEEP=(timeout 300 "$SB" sweep --no-noise-probe --runs 1 --warmup 0 --calibration "$TMP/none.json" --out "$TMP/g.json")
T32=$(seq -s, 1 32)
K32=$(seq -s, 32 32 1024)

# 5 steps x 3 blowups x 32 thresholds x 32 keccak tpb x 5 tp = 76,800 configurations
expect 2 1 "the grid has 76800 configurations, more than the 10000 a sweep plans" -- "${SWEEP[@]}" --backend gpu \
    --steps 2^8,2^9,2^10,2^11,2^12 --blowup 2,4,8 --gpu-threshold "$T32" --tpb "keccak=$K32" --tp 1,2,3,4,5
# every axis at 32 values: counted, not expanded
expect 2 1 "the grid has 1073741824 configurations" -- "${SWEEP[@]}" --steps "$(printf '2^%d,' $(seq 0 30))2^30" \
    --blowup "$(printf '2,%.0s' $(seq 31))2" --backend gpu --gpu-threshold "$T32" --tp "$T32" --threads "$T32" \
    --tpb "keccak=$K32"
# two suite sections of 6,000 each: the cap is over the whole sweep
printf '[a]\nbackend = gpu\nsteps = 2^8,2^9,2^10,2^11,2^12\nblowup = 2,4,8\ngpu-threshold = %s\ntpb = keccak=%s\n[b]\nbackend = gpu\nsteps = 2^13,2^14,2^15,2^16,2^17\nblowup = 2,4,8\ngpu-threshold = %s\ntpb = keccak=%s\n' \
    "$(seq -s, 1 20)" "$(seq -s, 32 32 640)" "$(seq -s, 1 20)" "$(seq -s, 32 32 640)" > "$TMP/big.conf"
expect 2 1 "the grid has 12000 configurations" -- "${SWEEP[@]}" --suite "$TMP/big.conf"
ls "$TMP"/g.* > /dev/null 2>&1 && fail "a refused grid left results"

# 9,600 configurations, under the cap: planned, then nothing matches the filter
expect 2 1 "no point to run" -- "${SWEEP[@]}" --backend gpu --steps 2^8,2^9,2^10,2^11,2^12 --blowup 2,4,8 \
    --gpu-threshold "$(seq -s, 1 10)" --tpb "keccak=$K32" --threads 1,2 --filter nothing-matches
# duplicates removed: on the CPU, 32 thresholds x 32 keccak tpb are one point
expect 0 1 "^\[1/1\] prove/steps:6/blowup:2/backend:cpu/threshold:inf/" -- "${SWEEP[@]}" --backend cpu --steps 2^6 \
    --gpu-threshold "$T32" --tpb "keccak=$K32"

[ $fails = 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "cli_input_grid_cap: all checks passed"
