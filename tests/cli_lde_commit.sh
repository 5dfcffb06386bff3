#!/usr/bin/env bash
# starkbench lde-commit: known roots, the same root for every --threads, --json, and bad
# input rejected with exit 2 and exactly one line on stderr.
# usage: cli_lde_commit.sh <path-to-starkbench> <source-dir>
set -u
bin=$1
src=$2
vectors="$src/tests/vectors/lde-commit.txt" # known roots (docs/ARCHITECTURE.md "lde-commit")
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

root_of() { "$bin" lde-commit --backend cpu "$@" | sed -n 's/^root: //p'; }

# Known roots (base, and --ext3 where the column count allows it).
if [[ -r $vectors ]]; then
    while read -r log cols blowup want; do
        [[ $log == \#* || -z $log ]] && continue
        got=$(root_of --log-rows "$log" --cols "$cols" --blowup "$blowup")
        [[ $got == "$want" ]] || fail "vector $log $cols $blowup: got '$got', want $want"
        if ((cols % 3 == 0)); then
            got=$(root_of --log-rows "$log" --cols "$cols" --blowup "$blowup" --ext3)
            [[ $got == "$want" ]] || fail "vector $log $cols $blowup --ext3: got '$got', want $want"
        fi
    done <"$vectors"
else
    fail "$vectors is missing: the known roots cannot be checked"
fi

# Same root for 1 and 2 threads, on shapes whose NTT levels span several cache chunks.
for shape in "--log-rows 12 --cols 20 --blowup 4" "--log-rows 10 --cols 600 --blowup 2"; do
    # shellcheck disable=SC2086
    r1=$(root_of $shape --threads 1)
    # shellcheck disable=SC2086
    r2=$(root_of $shape --threads 2 --runs 2)
    [[ ${#r1} == 64 && $r1 == "$r2" ]] || fail "threads 1 vs 2 ($shape): '$r1' vs '$r2'"
done

# The scalar paths (STARKBENCH_SIMD=off) give the vector paths' root.
r1=$(root_of --log-rows 10 --cols 37 --blowup 8)
r2=$(STARKBENCH_SIMD=off root_of --log-rows 10 --cols 37 --blowup 8)
[[ ${#r1} == 64 && $r1 == "$r2" ]] || fail "STARKBENCH_SIMD=off: '$r1' vs '$r2'"

# --json carries the same root.
json=$("$bin" lde-commit --backend cpu --log-rows 6 --cols 9 --blowup 2 --json)
[[ $json == *'"root": "c22440db71fbca4c789f3433e77f668bf7d64b617dda56e8252d39f1619e111c"'* ]] ||
    fail "--json: $json"

# Bad input: exit 2, nothing on stdout, exactly one line on stderr.
expect_bad() {
    "$bin" lde-commit "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    local lines
    lines=$(wc -l <"$tmp/err")
    if [[ $rc != 2 || -s $tmp/out || $lines != 1 ]]; then
        fail "lde-commit $* -> rc $rc, $lines stderr lines: $(cat "$tmp/err")"
    fi
}
expect_bad --log-rows 99
expect_bad --log-rows x
expect_bad --log-rows
expect_bad --cols 0
expect_bad --cols 3 --ext3 --cols 4
expect_bad --blowup 3
expect_bad --backend foo
expect_bad --threads 0
expect_bad --runs 0
expect_bad --frobnicate
expect_bad --log-rows 28 --cols 65536 # far over any host's memory
if ! "$bin" lde-commit --backend gpu --log-rows 2 --cols 1 >/dev/null 2>&1; then
    expect_bad --backend gpu --log-rows 2 --cols 1 # no usable GPU here
fi

if ((fails)); then
    echo "$fails failure(s)" >&2
    exit 1
fi
echo "cli_lde_commit: all checks passed"
