#!/usr/bin/env bash
# Issue 18, item 4: `sweep --suite DIR` read a directory as an empty suite and ran the default
# point (exit 0). Now a suite that cannot be read is one line, exit 2, before any point runs.
# usage: cli_input_suite_dir.sh <starkbench> <source-dir>
set -u
SB=$1
source "$(dirname "$0")/lib_cli.sh"
SWEEP=("$SB" sweep --no-noise-probe --runs 1 --warmup 0 --calibration "$TMP/none.json" --out "$TMP/s.json")

mkdir "$TMP/suites"
expect 2 1 "suites: cannot read: Is a directory" -- "${SWEEP[@]}" --suite "$TMP/suites"
expect 2 1 "missing.conf: No such file or directory" -- "${SWEEP[@]}" --suite "$TMP/missing.conf"
ls "$TMP"/s.* > /dev/null 2>&1 && fail "a refused suite left results: $(ls "$TMP")"
# a readable suite through a link still runs (the refusal is about reading, not the kind of path)
printf 'steps = 2^6\nbackend = cpu\n' > "$TMP/suites/tiny.conf"
ln -s suites/tiny.conf "$TMP/tiny.conf"
expect 0 1 "\[1/1\] prove/steps:6/" -- "${SWEEP[@]}" --suite "$TMP/tiny.conf"

[ $fails = 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "cli_input_suite_dir: all checks passed"
