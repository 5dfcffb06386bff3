#!/usr/bin/env bash
# Issue 18, item 8: sweep found out that --out could not be written only after its first point
# had run. Now the results, the checkpoint (<out>.partial.json) and their CSVs are checked before
# any work: one line, exit 2, and no point runs (its progress line would be a second line). prove
# checks --out before proving too.
# usage: cli_input_out_check.sh <starkbench> <source-dir>
set -u
SB=$1
source "$(dirname "$0")/lib_cli.sh"
SWEEP=("$SB" sweep --no-noise-probe --backend cpu --steps 2^6 --runs 1 --warmup 0 --calibration "$TMP/none.json")

expect 2 1 "sweep: --out $TMP/missing/r.json: cannot write: No such file or directory" -- "${SWEEP[@]}" --out "$TMP/missing/r.json"
mkdir "$TMP/r.json"
expect 2 1 "r.json: is a directory" -- "${SWEEP[@]}" --out "$TMP/r.json"
ln -s "$TMP/nowhere/x" "$TMP/s.partial.json"
expect 2 1 "s.partial.json: a symbolic link to nothing" -- "${SWEEP[@]}" --out "$TMP/s.json"
mkdir "$TMP/t.csv"
expect 2 1 "t.csv: is a directory" -- "${SWEEP[@]}" --out "$TMP/t.json"
ls "$TMP" | grep -q -E '^(s|t)\.json$' && fail "a refused sweep wrote results: $(ls "$TMP")"
# the same sweep with a writable --out runs its point
expect 0 1 "\[1/1\]" -- "${SWEEP[@]}" --out "$TMP/ok.json"
# prove: before the proof (2^22 steps would take a while: the refusal is immediate)
expect 2 1 "prove: $TMP/missing/p.proof: cannot write" -- "$SB" prove --steps 2^22 --backend cpu --out "$TMP/missing/p.proof"

[ $fails = 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "cli_input_out_check: all checks passed"
