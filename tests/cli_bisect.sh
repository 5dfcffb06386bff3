#!/usr/bin/env bash
# starkbench bisect on a scratch git repository whose commits change the delay switch: its
# "build" is `true` and its "sweep" runs this starkbench with STARKBENCH_DELAY_ROUND read from the
# commit's delay.txt. c0 (GOOD) and c1 have no delay, c2 and c3 delay R2 evaluate by 800 %: the
# first FAIL is c2, found with GOOD, BAD and two probes. BAD without a regression exits 1; a GOOD
# that does not build exits 3; bad revisions exit 2 with one line; the worktree is removed.
# Six runs a side with --alpha 0.005 let only the total FAIL (complete separation gives p = 0.0022;
# Holm over the ~18 rounds would need 0.0003), so the wild round timings of a loaded 2-core machine
# cannot make the A/A commit c1 FAIL, while the delayed commits (total about x3) do. One thread:
# on a loaded machine OpenMP's barriers wait for descheduled threads, which is most of the noise.
# usage: cli_bisect.sh <starkbench> <source-dir>
set -uo pipefail
SB=$(realpath "$1")
command -v git > /dev/null || { echo "SKIP: git is needed"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "cli_bisect: FAIL: $*" >&2
  exit 1
}
repo=$work/repo
mkdir "$repo" && cd "$repo" || exit 1
git init -q . && git config user.email t@example.com && git config user.name test
commit() { # message, delay
  printf '%s' "$2" > delay.txt
  echo "$1" >> notes.txt
  git add -A && git commit -qm "$1"
  git rev-parse HEAD
}
c0=$(commit "c0 no delay" "")
c1=$(commit "c1 notes only" "")
c2=$(commit "c2 slow evaluate" "R2 evaluate:800")
c3=$(commit "c3 still slow" "R2 evaluate:800")
SWEEP="env STARKBENCH_DELAY_ROUND=\"\$(cat delay.txt)\" '$SB' sweep"
FLAGS=(-- --backend cpu --steps 2^8 --runs 6 --warmup 0 --threads 1 --no-noise-probe --calibration none.json)

# ---- the first FAIL ------------------------------------------------------------------------
rc=0
"$SB" bisect "$c0" "$c3" --build true --sweep "$SWEEP" --fail 50 --alpha 0.005 --out "$work/out" "${FLAGS[@]}" > out.txt 2> err.txt || rc=$?
[ "$rc" -eq 0 ] || fail "bisect exited $rc: $(cat out.txt err.txt)"
grep -q "^bisect: 3 commits after GOOD ${c0:0:12} up to BAD ${c3:0:12}" out.txt || fail "no header: $(cat out.txt)"
grep -q "^bisect: BAD  ${c3:0:12} c3 still slow: 1 FAIL, [0-9]* WARN -> FAIL" out.txt || fail "BAD not judged FAIL: $(cat out.txt)"
grep -q "^bisect: \[1\] ${c1:0:12} c1 notes only: 0 FAIL, [0-9]* WARN -> \(ok\|WARN\)" out.txt || fail "c1 not ok: $(cat out.txt)"
grep -q "^bisect: \[2\] ${c2:0:12} c2 slow evaluate: 1 FAIL" out.txt || fail "c2 not FAIL: $(cat out.txt)"
grep -q "^first FAIL: $c2 c2 slow evaluate$" out.txt || fail "wrong answer: $(cat out.txt)"
[ "$(grep -c '^bisect: \[' out.txt)" -eq 2 ] || fail "expected two probes: $(cat out.txt)"
for f in "${c0:0:12}.json" "${c3:0:12}-compare.txt" "${c2:0:12}-sweep.log"; do
  [ -s "$work/out/$f" ] || fail "--out lacks $f"
done
grep -q '"delay_round": "R2 evaluate:800"' "$work/out/${c2:0:12}.json" || fail "the sweep did not record the delay switch"
[ "$(git worktree list | wc -l)" -eq 1 ] || fail "the temporary worktree was left: $(git worktree list)"

# ---- BAD does not FAIL: exit 1 -------------------------------------------------------------
rc=0
"$SB" bisect "$c0" "$c1" --build true --sweep "$SWEEP" --fail 50 --alpha 0.005 "${FLAGS[@]}" > out.txt 2> err.txt || rc=$?
[ "$rc" -eq 1 ] || fail "a BAD without regression exited $rc: $(cat out.txt err.txt)"
grep -q "BAD does not FAIL against GOOD: nothing to find" out.txt || fail "no 'nothing to find': $(cat out.txt)"

# ---- GOOD cannot be built: exit 3 ----------------------------------------------------------
rc=0
"$SB" bisect "$c0" "$c3" --build false --sweep "$SWEEP" "${FLAGS[@]}" > out.txt 2> err.txt || rc=$?
[ "$rc" -eq 3 ] || fail "an unbuildable GOOD exited $rc"
grep -q "^bisect: GOOD ${c0:0:12}: build failed (exit 1; " err.txt || fail "no build failure line: $(cat err.txt)"

# ---- bad input: exit 2, one line -----------------------------------------------------------
expect2() { # label, expected text, args...
  local label=$1 text=$2 rc=0
  shift 2
  "$SB" bisect "$@" > /dev/null 2> err.txt || rc=$?
  [ "$rc" -eq 2 ] || fail "$label: exit $rc, expected 2"
  [ "$(wc -l < err.txt)" -eq 1 ] || fail "$label: stderr is not one line: $(cat err.txt)"
  grep -q -- "$text" err.txt || fail "$label: stderr lacks '$text': $(cat err.txt)"
}
expect2 "no revisions" "usage: starkbench bisect GOOD BAD"
expect2 "unknown revision" "GOOD: unknown revision 'nope'" nope "$c3"
expect2 "reversed" "is not an ancestor of BAD" "$c3" "$c0"
expect2 "same commit" "is not an ancestor of BAD" "$c1" "$c1"
expect2 "not a repository" "is not inside a git repository" "$c0" "$c3" --repo /
expect2 "unknown flag" "unknown flag '--bogus'" "$c0" "$c3" --bogus
[ "$(git worktree list | wc -l)" -eq 1 ] || fail "a worktree was left: $(git worktree list)"
echo "cli_bisect: ok"
