# Shared by the tests/cli_*.sh scripts (sourced): a temporary folder TMP removed at exit, a
# failure counter, and `expect`, which checks a command's exit code, its number of stderr
# lines and a stderr pattern.
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# expect CODE LINES-ON-STDERR PATTERN -- command...: exit code, stderr line count, a stderr pattern.
expect() {
    local code=$1 lines=$2 pattern=$3
    shift 4
    "$@" >"$TMP/out" 2>"$TMP/err"
    local rc=$? n
    n=$(wc -l <"$TMP/err")
    [ "$rc" = "$code" ] || fail "$* -> exit $rc, want $code ($(head -c 300 "$TMP/err"))"
    [ "$n" = "$lines" ] || fail "$* -> $n stderr lines, want $lines: $(head -c 300 "$TMP/err")"
    [ -z "$pattern" ] || grep -q -- "$pattern" "$TMP/err" || fail "$* -> stderr lacks '$pattern': $(cat "$TMP/err")"
}
