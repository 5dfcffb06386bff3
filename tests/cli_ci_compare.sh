#!/usr/bin/env bash
# scripts/ci-compare.sh: an A/A gate (one binary on both sides) pools its interleaved rounds
# and passes, from 3 rounds on testing the rounds' paired ratios of the sessions' fastest
# repetitions (--session-stat reaches compare); a candidate whose points time out FAILs with
# compare's exit 1; bad arguments exit 2 with one line. Args: path to starkbench, source dir.
set -uo pipefail
SB=$(realpath "$1")
CI="$2/scripts/ci-compare.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail() {
  echo "cli_ci_compare: FAIL: $*" >&2
  exit 1
}

# ---- A/A: 2 rounds x 2 runs = 4 pooled repetitions a side ----------------------------------
# --alpha 0.02 is below the smallest p-value 4 vs 4 repetitions allow (0.0286), so timing noise
# on a loaded machine cannot fail this test: it checks the plumbing (rounds, files, pooling,
# flags routed to compare, exit code), and compare's note confirms the flag reached it.
rc=0
CI_COMPARE_DIR="$work/aa" bash "$CI" "$SB" "$SB" 2 -- --steps 2^8 --runs 2 --alpha 0.02 --session-stat median \
  > out.txt 2> err.txt || rc=$?
[ "$rc" -eq 0 ] || fail "A/A gate exited $rc: $(tail -n 3 err.txt)"
for f in base-1 base-2 cand-1 cand-2; do
  [ -f "aa/$f.json" ] || fail "no aa/$f.json"
done
grep -q "^base      $work/aa/base-1.json, $work/aa/base-2.json " out.txt || fail "base side is not the two base files"
grep -q "^candidate $work/aa/cand-1.json, $work/aa/cand-2.json " out.txt || fail "candidate side is not the two cand files"
grep -q "steps:8/blowup:2/backend:cpu/.*(4 vs 4 repetitions in 2 vs 2 sessions: Mann-Whitney U on the pooled repetitions)" out.txt || fail "rounds not pooled to 4 vs 4 repetitions"
grep -q "Holm, alpha 0.02" out.txt || fail "--alpha did not reach compare"
grep -q "paired t on the medians of 3 or more rounds" out.txt || fail "--session-stat median did not reach compare"
grep -Eq -- "-> (ok|WARN)$" out.txt || fail "no ok/WARN summary"
[ "$(grep -c '^ci-compare: round' err.txt)" -eq 2 ] || fail "expected 2 round lines on stderr"

# ---- 3 rounds: compare pairs the rounds' fastest repetitions (ci-compare's defaults) ----------
# --fail 1000: no timing can FAIL, so the A/A outcome does not depend on the machine's noise
rc=0
bash "$CI" "$SB" "$SB" 3 -- --steps 2^8 --runs 2 --fail 1000 > out.txt 2> err.txt || rc=$?
[ "$rc" -eq 0 ] || fail "3-round A/A gate exited $rc: $(tail -n 3 err.txt)"
grep -q "(6 vs 6 repetitions in 3 vs 3 sessions: paired t on the rounds' log ratios of the session minima)" out.txt ||
  fail "the 3 rounds were not paired: $(grep -m1 'repetitions' out.txt)"
grep -q "gated tests ([0-9]* paired t on the minima of 3 or more rounds, 0 Welch t" out.txt || fail "no paired count in the summary"

# ---- a candidate whose points time out: compare FAILs, exit 1 --------------------------------
cat > timeout-cand << EOF
#!/usr/bin/env bash
if [ "\$1" = sweep ]; then set -- "\$@" --timeout 0.05; fi
exec "$SB" "\$@"
EOF
chmod +x timeout-cand
rc=0
bash "$CI" "$SB" "$work/timeout-cand" 1 -- --steps 2^8 --runs 1 > out.txt 2> err.txt || rc=$?
[ "$rc" -eq 1 ] || fail "a timed-out candidate exited $rc, expected 1"
grep -q "FAIL  candidate point timeout" out.txt || fail "no FAIL line for the timed-out candidate"

# ---- bad arguments: exit 2, one line --------------------------------------------------------
expect_exit2() { # label, expected text, args...
  local label=$1 text=$2 rc=0
  shift 2
  bash "$CI" "$@" > /dev/null 2> err.txt || rc=$?
  [ "$rc" -eq 2 ] || fail "$label: exit $rc, expected 2"
  [ "$(wc -l < err.txt)" -eq 1 ] || fail "$label: stderr is not one line: $(cat err.txt)"
  grep -q -- "$text" err.txt || fail "$label: stderr lacks '$text': $(cat err.txt)"
}
expect_exit2 "no arguments" "usage: scripts/ci-compare.sh"
expect_exit2 "one binary" "usage: scripts/ci-compare.sh" "$SB"
expect_exit2 "missing binary" "'$work/nope' is not an executable file" "$SB" "$work/nope"
expect_exit2 "zero rounds" "ROUNDS '0' must be a count" "$SB" "$SB" 0
expect_exit2 "junk rounds" "ROUNDS 'x' must be a count" "$SB" "$SB" x
expect_exit2 "extra argument" "unexpected argument 'y'" "$SB" "$SB" 2 y
expect_exit2 "--out" "--out is set by ci-compare" "$SB" "$SB" 1 -- --out x.json
expect_exit2 "--fail without value" "--fail needs a value" "$SB" "$SB" 1 -- --fail
echo "cli_ci_compare: ok"
