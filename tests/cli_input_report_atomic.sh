#!/usr/bin/env bash
# Issue 18, item 5: report wrote report.md in place, so a full disk left a cut-off file. Now it is
# a temporary renamed into place: a write that fails (here the file size limit, `ulimit -f`, with
# SIGXFSZ ignored so that the write returns EFBIG like a full disk's ENOSPC) leaves the previous
# report.md byte for byte, no temporary, and says so in one line, exit 2.
# usage: cli_input_report_atomic.sh <starkbench> <source-dir>
set -u
SB=$1
source "$(dirname "$0")/lib_cli.sh"
results_fixture "$TMP/good.json"

# without gnuplot: the charts are skipped (one note), the only files are report.md's
NOGNUPLOT=(env PATH=/nonexistent "$SB")
expect 0 1 "charts skipped" -- "${NOGNUPLOT[@]}" report "$TMP/good.json" --out "$TMP/rep"
cp "$TMP/rep/report.md" "$TMP/previous.md"
[ "$(stat -c %s "$TMP/previous.md")" -gt 2048 ] || fail "the fixture's report is too small to be cut by a 1 KiB limit"
# the same report again, with the size limit under report.md's size
expect 2 2 "report.md: write failed: File too large" -- bash -c 'trap "" XFSZ; ulimit -f 1; exec "$@"' limit \
    "${NOGNUPLOT[@]}" report "$TMP/good.json" --out "$TMP/rep"
cmp -s "$TMP/rep/report.md" "$TMP/previous.md" || fail "report.md changed after a failed write"
left=$(ls -A "$TMP/rep" | grep -v '^report\.md$')
[ -z "$left" ] || fail "a failed report left: $left"
# and without the limit it is written again, whole
expect 0 1 "charts skipped" -- "${NOGNUPLOT[@]}" report "$TMP/good.json" --out "$TMP/rep"
cmp -s "$TMP/rep/report.md" "$TMP/previous.md" || fail "the report is not the same report again"

[ $fails = 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "cli_input_report_atomic: all checks passed"
