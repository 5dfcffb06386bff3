#!/usr/bin/env bash
# Issue 16, a team history on PostgreSQL: `history --db postgresql://...` on a real server
# (Debian's postgresql: initdb and pg_ctl in a temporary folder, its unix socket there, no TCP;
# run as the unprivileged user nobody when the test runs as root, since postgres refuses root).
# The same round trip as the SQLite file (test_history with the URL), the same `list` and
# `list --changes` output as an SQLite file holding the same runs, report --history, four
# concurrent writers (the same file: its runs once; four files: all of them; both on an empty
# database, so the schema is made once too), and databases that are not a starkbench history
# refused in one line, exit 2, untouched. Without libpq in the build: one line, exit 2, then
# skipped (77); skipped too without the server's binaries.
# usage: cli_history_pg.sh <starkbench> <source-dir>
set -u
SB=$1
BIN=$(dirname "$SB")
source "$(dirname "$0")/lib_cli.sh"

# ---- a build without libpq says so in one line; then there is nothing more to test --------------
expect 2 1 "" -- "$SB" history list --db "postgresql:///none?host=$TMP&port=1"
if grep -q "built without libpq" "$TMP/err"; then
    [ $fails = 0 ] || exit 1
    echo "SKIP: starkbench was built without libpq (libpq-dev): PostgreSQL histories are refused in one line"
    exit 77
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ] ||
    { echo "SKIP: no PostgreSQL server here (scripts/setup.sh installs the postgresql package)"; exit 77; }

# ---- the server: a temporary cluster, owned and run by an unprivileged user when we are root -----
PGDIR=$(mktemp -d /tmp/sb-pg.XXXXXX)
as_owner=()
if [ "$(id -u)" = 0 ]; then
    chown nobody "$PGDIR" || { rm -rf "$PGDIR"; echo "SKIP: cannot hand $PGDIR to the user nobody"; exit 77; }
    if command -v runuser >/dev/null; then as_owner=(runuser -u nobody --)
    elif command -v setpriv >/dev/null; then as_owner=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
    else rm -rf "$PGDIR"; echo "SKIP: root, and neither runuser nor setpriv to run postgres as nobody"; exit 77
    fi
fi
cleanup() {
    [ -f "$PGDIR/data/postmaster.pid" ] && "${as_owner[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$PGDIR" "$TMP"
}
trap cleanup EXIT
PORT=$((20000 + RANDOM % 20000)) # the socket is private to PGDIR: any port number is free there
"${as_owner[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U starkbench --no-sync --locale=C -E UTF8 >"$TMP/initdb.log" 2>&1 ||
    { echo "SKIP: initdb failed here: $(tail -n 3 "$TMP/initdb.log")"; exit 77; }
"${as_owner[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 30 \
    -o "-k $PGDIR -p $PORT -c listen_addresses='' -c fsync=off" start >/dev/null ||
    { echo "FAIL: the server did not start: $(tail -n 5 "$PGDIR/server.log")"; exit 1; }
psql_in() { "$PGBIN/psql" -X -q -A -t -h "$PGDIR" -p "$PORT" -U starkbench -d "$1" -c "$2"; }
url() { echo "postgresql:///$1?host=$PGDIR&port=$PORT&user=starkbench"; }
for db in roundtrip same diff listed alien other newer empty; do psql_in postgres "CREATE DATABASE $db" || fail "createdb $db"; done

# ---- the round trip of test_history, on PostgreSQL --------------------------------------------
"$BIN/test_history" "$(url roundtrip)" >"$TMP/rt.out" 2>&1 || fail "test_history on PostgreSQL: $(grep FAIL "$TMP/rt.out")"

# ---- the same runs list the same from SQLite and PostgreSQL -------------------------------------
results_fixture "$TMP/good.json"
for k in 1 2 3 4; do # four commits, the last two 20 % slower: a change point
    results_edit "$TMP/good.json" "$TMP/c$k.json" "
d['context']['git_commit'] = 'commit000$k'
d['context']['date'] = '2026-12-0${k}T00:00:00+00:00'
for b in it[:6]: b['total'] *= $([ $k -gt 2 ] && echo 1.2 || echo 1.0)" # (the point that never ran has none)
done
all="$TMP/c1.json,$TMP/c2.json,$TMP/c3.json,$TMP/c4.json"
for db in "$TMP/listed.db" "$(url listed)"; do
    expect 0 0 "" -- "$SB" history add "$all" --db "$db"
    grep -q "history: 12 runs added to " "$TMP/out" || fail "add to $db: $(cat "$TMP/out")"
done
# same_listing ARGS...: `history ARGS` prints the same from the SQLite file and from PostgreSQL
same_listing() {
    "$SB" history "$@" --db "$TMP/listed.db" >"$TMP/sqlite.txt" 2>&1
    "$SB" history "$@" --db "$(url listed)" >"$TMP/pg.txt" 2>&1
    cmp -s "$TMP/sqlite.txt" "$TMP/pg.txt" || fail "history $* differs between SQLite and PostgreSQL: $(diff "$TMP/sqlite.txt" "$TMP/pg.txt")"
}
same_listing list --filter steps:10 --metric "cpu:R1 main commit"
grep -q "^4 runs$" "$TMP/sqlite.txt" || fail "the filtered listing: $(cat "$TMP/sqlite.txt")"
same_listing list --changes --min-step 10
same_listing list
grep -q "^12 runs$" "$TMP/sqlite.txt" || fail "the listing: $(cat "$TMP/sqlite.txt")"
"$SB" history list --changes --db "$(url listed)" >"$TMP/changes.txt"
grep -q "+20.0 % at commit0003" "$TMP/changes.txt" || fail "no change point at commit0003: $(cat "$TMP/changes.txt")"
expect 0 "$REPORT_NOTES" "" -- "$SB" report "$TMP/c4.json" --out "$TMP/rep" --history "$(url listed)"
if command -v gnuplot >/dev/null; then
    grep -q "Trend over commits (postgresql:///listed" "$TMP/rep/report.md" || fail "report --history drew no trend"
    [ -s "$TMP/rep/trend-total.png" ] || fail "no trend chart from PostgreSQL"
fi

# ---- four writers at once on an empty database --------------------------------------------------
pids=()
for k in 1 2 3 4; do "$SB" history add "$TMP/good.json" --db "$(url same)" >"$TMP/same$k.out" 2>&1 & pids+=($!); done
for p in "${pids[@]}"; do wait "$p" || fail "a concurrent history add of one file failed: $(cat "$TMP"/same*.out)"; done
[ "$(psql_in same "SELECT count(*) FROM runs")" = 3 ] || fail "one file added by four writers: $(psql_in same "SELECT count(*) FROM runs") runs, want 3"
[ "$(cat "$TMP"/same*.out | grep -c "3 runs added")" = 1 ] || fail "not exactly one writer added the runs: $(cat "$TMP"/same*.out)"
[ "$(psql_in same "SELECT count(*) FROM metrics")" = "$(psql_in listed "SELECT count(*) FROM metrics m JOIN runs r ON r.id = m.run_id WHERE r.git_commit = 'commit0001'")" ] ||
    fail "four writers stored a different number of metrics than one"
pids=()
for k in 1 2 3 4; do "$SB" history add "$TMP/c$k.json" --db "$(url diff)" >"$TMP/diff$k.out" 2>&1 & pids+=($!); done
for p in "${pids[@]}"; do wait "$p" || fail "a concurrent history add of four files failed: $(cat "$TMP"/diff*.out)"; done
[ "$(psql_in diff "SELECT count(*) FROM runs")" = 12 ] || fail "four files added at once: $(psql_in diff "SELECT count(*) FROM runs") runs, want 12"
[ "$(psql_in diff "SELECT count(*) FROM starkbench_meta")" = 2 ] || fail "the marker was made more than once"

# ---- not a starkbench history: refused, one line, exit 2, nothing written -----------------------
psql_in alien "CREATE TABLE t (x int)"
psql_in other "CREATE TABLE starkbench_meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO starkbench_meta VALUES ('application_id', 'XXXX'), ('format_version', '1')"
psql_in newer "CREATE TABLE starkbench_meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO starkbench_meta VALUES ('application_id', 'SBHI'), ('format_version', '2')"
expect 2 1 "alien?host=.*: not a starkbench history database (no starkbench_meta table; tables: t)" -- \
    "$SB" history add "$TMP/good.json" --db "$(url alien)"
expect 2 1 "other?host=.*: not a starkbench history database (starkbench_meta application_id 'XXXX')" -- \
    "$SB" history add "$TMP/good.json" --db "$(url other)"
expect 2 1 "a starkbench history of format version '2'; this starkbench reads version 1" -- \
    "$SB" history add "$TMP/good.json" --db "$(url newer)"
expect 2 1 "empty?host=.*: not a starkbench history database (no tables)" -- "$SB" history list --db "$(url empty)"
expect 2 1 "report: --history postgresql:///alien" -- "$SB" report "$TMP/good.json" --out "$TMP/rep2" --history "$(url alien)"
[ ! -e "$TMP/rep2" ] || fail "report wrote with a foreign --history"
for db in alien other newer empty; do
    tables=$(psql_in "$db" "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public'")
    case $db in alien) want=t ;; empty) want= ;; *) want=starkbench_meta ;; esac
    [ "$tables" = "$want" ] || fail "$db was written to: tables '$tables'"
done
expect 2 1 "postgresql://starkbench:\*\*\*@127.0.0.1:1/x?sslmode=disable&password=\*\*\*: cannot connect" -- \
    "$SB" history list --db "postgresql://starkbench:secret@127.0.0.1:1/x?sslmode=disable&password=secret"

[ $fails = 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "cli_history_pg: all checks passed"
