#!/usr/bin/env bash
# Issue 18, item 3: temporaries are no longer predictable nor opened through links. The old name,
# "<out>.tmp.<pid>", is planted as a symbolic link to a victim file (a subshell knows the pid the
# command will have: it execs it); the victim stays untouched and the link stays a link. A file
# replaced keeps its mode, a new one gets 0666 less the umask, and no temporary is left behind.
# (The calibration's fixed "<out>.tmp" needs a GPU to reach from the CLI: tests/test_outfile.c
# plants it against sb_calibration_save.)
# usage: cli_input_temp_files.sh <starkbench> <source-dir>
set -u
SB=$1
source "$(dirname "$0")/lib_cli.sh"
echo "precious" > "$TMP/victim"

# prove --out: the proof's temporary
( ln -s "$TMP/victim" "$TMP/p.proof.tmp.$BASHPID"; exec "$SB" prove --steps 2^6 --backend cpu --out "$TMP/p.proof" ) \
    > /dev/null 2> "$TMP/err" || fail "prove with a planted temporary: $(cat "$TMP/err")"
[ "$(cat "$TMP/victim")" = "precious" ] || fail "prove wrote through the planted temporary"
ls "$TMP"/p.proof.tmp.* > /dev/null 2>&1 && [ -L "$(ls "$TMP"/p.proof.tmp.*)" ] || fail "the planted link was replaced"
expect 0 0 "" -- "$SB" verify "$TMP/p.proof"

# sweep --child --result: the results' and the CSV's temporaries
( ln -s "$TMP/victim" "$TMP/r.json.tmp.$BASHPID"; ln -s "$TMP/victim" "$TMP/r.csv.tmp.$BASHPID"
  exec "$SB" sweep --child --result "$TMP/r.json" --steps 2^6 --backend cpu --runs 1 --warmup 0 ) \
    > /dev/null 2> "$TMP/err" || fail "sweep --child with planted temporaries: $(cat "$TMP/err")"
[ "$(cat "$TMP/victim")" = "precious" ] || fail "sweep --child wrote through a planted temporary"
expect 0 "$REPORT_NOTES" "" -- "$SB" report "$TMP/r.json" --out "$TMP/rep"

# modes: a replaced file keeps its own, a new file follows the umask
chmod 0604 "$TMP/p.proof"
expect 0 0 "" -- "$SB" prove --steps 2^6 --backend cpu --out "$TMP/p.proof"
[ "$(stat -c %a "$TMP/p.proof")" = 604 ] || fail "the replaced proof has mode $(stat -c %a "$TMP/p.proof"), not 604"
(umask 027; exec "$SB" prove --steps 2^6 --backend cpu --out "$TMP/new.proof") > /dev/null || fail "prove under umask 027"
[ "$(stat -c %a "$TMP/new.proof")" = 640 ] || fail "a new proof under umask 027 has mode $(stat -c %a "$TMP/new.proof")"
chmod 0600 "$TMP/r.json"
expect 0 0 "" -- "$SB" sweep --child --result "$TMP/r.json" --steps 2^6 --backend cpu --runs 1 --warmup 0
[ "$(stat -c %a "$TMP/r.json")" = 600 ] || fail "the replaced results have mode $(stat -c %a "$TMP/r.json")"

# nothing left behind: no hidden temporary, no "<out>.tmp.*" but the planted ones
left=$(ls -A "$TMP" | grep -E '^\.|\.tmp\.' | grep -v -E "^(p\.proof|r\.json|r\.csv)\.tmp\.[0-9]+$")
[ -z "$left" ] || fail "temporaries left behind: $left"

[ $fails = 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "cli_input_temp_files: all checks passed"
