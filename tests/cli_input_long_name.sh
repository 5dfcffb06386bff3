#!/usr/bin/env bash
# Issue 18, item 1: a benchmark name of 256+ characters (the loader kept 255 and then looked the
# full name up: report, compare, history add and sweep --resume died with SIGSEGV). Now a name
# that does not fit is refused with one line naming the file and the field, exit 2, and nothing
# is written; a name of 255 characters still loads.
# usage: cli_input_long_name.sh <starkbench> <source-dir>
set -u
SB=$1
source "$(dirname "$0")/lib_cli.sh"

# the file of the report, as given there
python3 -c "import json; json.dump({'context': {}, 'benchmarks': [{'name': 'x' * 256, 'time_unit': 'ms', 'real_time': 1, 'cpu_time': 1}]}, open('$TMP/long.json', 'w'))"
expect 2 1 "long.json: wrong schema: benchmarks\[0\] .*: name: 256 characters, more than 255" -- "$SB" report "$TMP/long.json" --out "$TMP/rep"
[ ! -e "$TMP/rep" ] || fail "report made its folder for a refused file"
expect 2 1 "name: 256 characters" -- "$SB" compare "$TMP/long.json" "$TMP/long.json"
expect 2 1 "name: 256 characters" -- "$SB" history add "$TMP/long.json" --db "$TMP/h.db"
[ ! -e "$TMP/h.db" ] || fail "history add made a database for a refused file"

# a sweep's own file with one point renamed (run_name too), as --resume finds it
results_fixture "$TMP/good.json"
results_edit "$TMP/good.json" "$TMP/r.partial.json" "
for b in it[:3]: b['name'] = b['run_name'] = 'p' * 300"
cp "$TMP/r.partial.json" "$TMP/before.json"
expect 2 1 "resume: .*r.partial.json: wrong schema: .*name: 300 characters" -- \
    "$SB" sweep --backend cpu --steps 2^6 --runs 1 --warmup 0 --resume --calibration "$TMP/none.json" --out "$TMP/r.json"
cmp -s "$TMP/r.partial.json" "$TMP/before.json" || fail "sweep --resume changed the file it refused"
[ ! -e "$TMP/r.json" ] || fail "sweep --resume wrote results after refusing its partial file"
# only run_name too long (name fits): refused as well
results_edit "$TMP/good.json" "$TMP/run_name.json" "it[0]['run_name'] = 'q' * 256"
expect 2 1 "run_name: 256 characters" -- "$SB" report "$TMP/run_name.json" --out "$TMP/rep"

# 255 characters fit: every command takes it
python3 -c "import json; json.dump({'context': {}, 'benchmarks': [{'name': 'x' * 255, 'time_unit': 'ms', 'real_time': 1, 'cpu_time': 1}]}, open('$TMP/fits.json', 'w'))"
expect 0 "$REPORT_NOTES" "" -- "$SB" report "$TMP/fits.json" --out "$TMP/rep255"
grep -q "$(printf 'x%.0s' $(seq 255))" "$TMP/rep255/report.md" || fail "the 255-character name is not in the report"
expect 0 0 "" -- "$SB" compare "$TMP/fits.json" "$TMP/fits.json"
expect 0 0 "" -- "$SB" history add "$TMP/fits.json" --db "$TMP/h255.db"

[ $fails = 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "cli_input_long_name: all checks passed"
