#!/usr/bin/env bash
# Issue 18, item 2: an output that already exists and is not a regular file is written in place,
# never replaced by a regular file (a temporary renamed over /dev/null destroyed it); a symbolic
# link is followed to the file it names, which gets the content while the link stays; a link to
# nothing and a directory are refused with one line, exit 2. Checked on prove --out, sweep
# --child --result (results JSON + CSV), sweep --out and report's report.md, in a temporary
# folder (a character device made with mknod, skipped where that is not permitted; a FIFO).
# usage: cli_input_output_targets.sh <starkbench> <source-dir>
set -u
SB=$1
source "$(dirname "$0")/lib_cli.sh"
PROVE=("$SB" prove --steps 2^6 --backend cpu)
CHILD=("$SB" sweep --child --steps 2^6 --backend cpu --runs 1 --warmup 0)

# ---- a character device ---------------------------------------------------------------------
if make_chardev "$TMP/dev"; then
    expect 0 0 "" -- "${PROVE[@]}" --out "$TMP/dev"
    is_chardev "$TMP/dev" || fail "prove --out replaced the character device: $(ls -l "$TMP/dev")"
    expect 0 0 "" -- "${CHILD[@]}" --result "$TMP/dev"
    is_chardev "$TMP/dev" || fail "sweep --child --result replaced the character device"
    mkdir "$TMP/rep" && make_chardev "$TMP/rep/report.md"
    results_fixture "$TMP/good.json"
    expect 0 "$REPORT_NOTES" "" -- "$SB" report "$TMP/good.json" --out "$TMP/rep"
    is_chardev "$TMP/rep/report.md" || fail "report replaced a report.md that is a character device"
    ls -A "$TMP" "$TMP/rep" | grep -q '^\.' && fail "a temporary was left: $(ls -A "$TMP" "$TMP/rep")"
fi

# ---- a FIFO: written in place, its reader gets the proof ---------------------------------------
mkfifo "$TMP/fifo"
timeout 120 cat "$TMP/fifo" > "$TMP/from_fifo" &  # the limit: a replaced FIFO never gets its writer
reader=$!
expect 0 0 "" -- "${PROVE[@]}" --out "$TMP/fifo"
[ -p "$TMP/fifo" ] || { fail "prove --out replaced the FIFO"; kill "$reader"; }
wait "$reader"
expect 0 0 "" -- "$SB" verify "$TMP/from_fifo"

# ---- a symbolic link to a regular file: the file gets the content, the link stays -----------------
mkdir "$TMP/elsewhere"
echo "old" > "$TMP/elsewhere/proof.bin"
ln -s elsewhere/proof.bin "$TMP/link.proof"
expect 0 0 "" -- "${PROVE[@]}" --out "$TMP/link.proof"
[ -L "$TMP/link.proof" ] || fail "prove --out replaced the symbolic link by a file"
expect 0 0 "" -- "$SB" verify "$TMP/elsewhere/proof.bin"
ls -A "$TMP/elsewhere" | grep -q '^\.' && fail "a temporary was left beside the link's target"
echo "old" > "$TMP/elsewhere/r.json"
ln -s elsewhere/r.json "$TMP/r.json"
expect 0 1 "\[1/1\]" -- "$SB" sweep --no-noise-probe --steps 2^6 --backend cpu --runs 1 --warmup 0 --calibration "$TMP/none.json" --out "$TMP/r.json"
[ -L "$TMP/r.json" ] || fail "sweep --out replaced the symbolic link by a file"
grep -q '"benchmarks"' "$TMP/elsewhere/r.json" || fail "the sweep's results did not reach the link's target"
[ -f "$TMP/r.csv" ] || fail "no CSV beside the results"

# ---- refused: a link to nothing, a directory --------------------------------------------------
ln -s "$TMP/nothing/there" "$TMP/dangling.proof"
expect 2 1 "dangling.proof: a symbolic link to nothing: not followed" -- "${PROVE[@]}" --out "$TMP/dangling.proof"
[ -L "$TMP/dangling.proof" ] && [ ! -e "$TMP/nothing" ] || fail "the dangling link was followed or replaced"
expect 2 1 "dangling.proof: a symbolic link to nothing" -- "${CHILD[@]}" --result "$TMP/dangling.proof"
expect 2 1 "elsewhere: is a directory" -- "${PROVE[@]}" --out "$TMP/elsewhere"
[ -d "$TMP/elsewhere" ] || fail "the directory was replaced"

[ $fails = 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "cli_input_output_targets: all checks passed"
