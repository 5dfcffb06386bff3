#!/usr/bin/env bash
# Issue 18, the history database: `report --history bad.db` exited 0, and `history add` into any
# SQLite file silently added its tables there. Now a history database carries a marker, SQLite's
# application_id 0x53424849 ("SBHI"): a database without it is refused (one line, exit 2, the
# file unchanged) unless it is empty (add creates the schema and the marker) or holds exactly
# the history's tables as the code before the marker made them (add marks it; list reads it).
# report --history checks the database before it writes anything.
# usage: cli_input_history_db.sh <starkbench> <source-dir>
set -u
SB=$1
source "$(dirname "$0")/lib_cli.sh"
results_fixture "$TMP/good.json"
app_id() { python3 -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA application_id').fetchone()[0])" "$1"; }

# ---- bad databases: refused before anything is written ---------------------------------------
python3 - "$TMP" <<'PY'
import sqlite3, sys
d = sys.argv[1]
c = sqlite3.connect(d + "/foreign.db"); c.execute("CREATE TABLE t (x)"); c.execute("INSERT INTO t VALUES (1)"); c.commit()
c = sqlite3.connect(d + "/other_app.db"); c.execute("PRAGMA application_id = 1234"); c.execute("CREATE TABLE runs (x)"); c.commit()
PY
echo "not a database at all" > "$TMP/garbage.db"
cp "$TMP/foreign.db" "$TMP/foreign.orig"
for db in garbage foreign other_app missing; do
    expect 2 1 "report: --history $TMP/$db.db: " -- "$SB" report "$TMP/good.json" --out "$TMP/rep" --history "$TMP/$db.db"
    [ ! -e "$TMP/rep" ] || { fail "report wrote with a bad --history $db.db"; rm -rf "$TMP/rep"; }
done
[ ! -e "$TMP/missing.db" ] || fail "report --history created a database"
expect 2 1 "foreign.db: not a starkbench history database (no starkbench marker; tables: t)" -- \
    "$SB" history add "$TMP/good.json" --db "$TMP/foreign.db"
cmp -s "$TMP/foreign.db" "$TMP/foreign.orig" || fail "history add changed a foreign database"
expect 2 1 "other_app.db: not a starkbench history database (SQLite application_id 0x000004d2)" -- \
    "$SB" history add "$TMP/good.json" --db "$TMP/other_app.db"
expect 2 1 "garbage.db: not a starkbench history database" -- "$SB" history add "$TMP/good.json" --db "$TMP/garbage.db"
[ "$(cat "$TMP/garbage.db")" = "not a database at all" ] || fail "history add changed a file that is no database"
expect 2 1 "foreign.db: not a starkbench history database" -- "$SB" history list --db "$TMP/foreign.db"
: > "$TMP/empty.db"
expect 2 1 "empty.db: not a starkbench history database (no tables)" -- "$SB" history list --db "$TMP/empty.db"

# ---- ours: new and empty databases get the marker; one made before the marker is migrated -------
expect 0 0 "" -- "$SB" history add "$TMP/good.json" --db "$TMP/new.db"
[ "$(app_id "$TMP/new.db")" = 1396852809 ] || fail "a new database has application_id $(app_id "$TMP/new.db")"
expect 0 0 "" -- "$SB" history add "$TMP/good.json" --db "$TMP/empty.db"
[ "$(app_id "$TMP/empty.db")" = 1396852809 ] || fail "an empty file was not made a history database"
python3 - "$TMP/legacy.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("""
CREATE TABLE IF NOT EXISTS runs ( id INTEGER PRIMARY KEY, git_commit TEXT NOT NULL, machine TEXT NOT NULL, config TEXT NOT NULL,
 date TEXT NOT NULL, gpu TEXT, build_type TEXT, status TEXT, verdict TEXT, reps INTEGER, proof_digest TEXT, source TEXT,
 UNIQUE (git_commit, machine, config, date));
CREATE TABLE IF NOT EXISTS metrics ( run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, key TEXT NOT NULL,
 n INTEGER, median REAL, mean REAL, min REAL, max REAL, stddev REAL, mad REAL, cv REAL, PRIMARY KEY (run_id, key));
INSERT INTO runs VALUES (1, 'old0001', 'old-host', 'prove/old', '2026-01-01', '', 'Release', 'ok', 'n/a', 3, '', 'old.json');
INSERT INTO metrics VALUES (1, 'total', 3, 10, 10, 9, 11, 1, 1, 0.1);""")
c.commit()
PY
expect 0 0 "" -- "$SB" history list --db "$TMP/legacy.db"
grep -q "^1 run$" "$TMP/out" || fail "the pre-marker database does not list its run: $(cat "$TMP/out")"
[ "$(app_id "$TMP/legacy.db")" = 0 ] || fail "history list wrote to the database"
expect 0 0 "" -- "$SB" history add "$TMP/good.json" --db "$TMP/legacy.db"
[ "$(app_id "$TMP/legacy.db")" = 1396852809 ] || fail "the pre-marker database was not marked"
expect 0 0 "" -- "$SB" history list --db "$TMP/legacy.db"
grep -q "^4 runs$" "$TMP/out" || fail "the migrated database lost or missed runs: $(cat "$TMP/out")"
# and report takes it
expect 0 "$REPORT_NOTES" "" -- "$SB" report "$TMP/good.json" --out "$TMP/rep" --history "$TMP/legacy.db"

# ---- four writers at once on a new file (issue 16): the schema once, each run once ---------------
pids=()
for k in 1 2 3 4; do "$SB" history add "$TMP/good.json" --db "$TMP/conc.db" >"$TMP/conc$k.out" 2>&1 & pids+=($!); done
for p in "${pids[@]}"; do wait "$p" || fail "a concurrent history add failed: $(cat "$TMP"/conc*.out)"; done
[ "$(cat "$TMP"/conc*.out | grep -c "3 runs added")" = 1 ] || fail "not exactly one writer added the runs: $(cat "$TMP"/conc*.out)"
expect 0 0 "" -- "$SB" history list --db "$TMP/conc.db"
grep -q "^3 runs$" "$TMP/out" || fail "four writers of one file stored: $(tail -1 "$TMP/out")"

[ $fails = 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "cli_input_history_db: all checks passed"
