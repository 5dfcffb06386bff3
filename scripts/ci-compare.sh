#!/usr/bin/env bash
# The CI gate: interleaved sweeps of a baseline and a candidate build on this machine, then
# `starkbench compare` over all of them (docs/ARCHITECTURE.md "Reports": interleaving cancels drift).
#
#   scripts/ci-compare.sh BASE_BIN CAND_BIN [ROUNDS] [-- FLAGS...]
#
# Each of ROUNDS rounds (default 10) runs `BIN sweep ... --out DIR/base-I.json` for both
# binaries, the baseline first in odd rounds and the candidate first in even ones; then
# `CAND_BIN compare --paired --session-stat min DIR/base-1.json,... DIR/cand-1.json,...` pools
# the rounds per side and tests each metric on the rounds' ratios of the sessions' fastest
# repetitions (the two sweeps of a round share the machine's state of the moment, so its drift
# cancels; interference only adds time, so the fastest repetition moves least with it). Exit: compare's (0 ok or WARN, 1 FAIL, 2 bad
# input); 2 also when an argument is wrong or a sweep cannot run (its log is printed).
#
# FLAGS go to both sweeps, except compare's own --warn, --fail, --alpha and --session-stat, which
# go to compare (--session-stat median: the sessions' medians instead).
# Without FLAGS the sweeps run a small CPU suite: --backend cpu --steps 2^12 --blowup 2
# --runs 3 --warmup 1 (FLAGS replace any of these; with --suite none of them is added). With
# --max-noise, --max-runs 20 instead of --runs 3: the gate's unit is the session, and a round
# more buys it more than repetitions past 20 in a session (docs/PERFORMANCE.md "The gate's
# figures").
# Results and logs go to $CI_COMPARE_DIR when set (kept, e.g. as CI artifacts), else to a
# temporary directory removed on exit.
set -uo pipefail

die() {
    echo "ci-compare: $*" >&2
    exit 2
}
usage="usage: scripts/ci-compare.sh BASE_BIN CAND_BIN [ROUNDS] [-- SWEEP-FLAGS...]"
[ $# -ge 2 ] || die "$usage"
base_bin=$1 cand_bin=$2
shift 2
rounds=10
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
    [[ $1 =~ ^[1-9][0-9]{0,2}$ ]] || die "ROUNDS '$1' must be a count from 1 to 999 ($usage)"
    rounds=$1
    shift
fi
if [ $# -gt 0 ]; then
    [ "$1" = "--" ] || die "unexpected argument '$1' ($usage)"
    shift
fi
for bin in "$base_bin" "$cand_bin"; do
    [ -f "$bin" ] && [ -x "$bin" ] || die "'$bin' is not an executable file"
done

sweep_flags=() compare_flags=() suite=0 adaptive=0
while [ $# -gt 0 ]; do
    case $1 in
    --warn | --fail | --alpha | --session-stat)
        [ $# -ge 2 ] || die "$1 needs a value"
        compare_flags+=("$1" "$2")
        shift 2
        ;;
    --warn=* | --fail=* | --alpha=* | --session-stat=*) compare_flags+=("$1") && shift ;;
    --out | --out=* | --resume) die "$1 is set by ci-compare (results go to \$CI_COMPARE_DIR)" ;;
    *)
        [[ $1 == --suite || $1 == --suite=* ]] && suite=1
        [[ $1 == --max-noise || $1 == --max-noise=* ]] && adaptive=1
        sweep_flags+=("$1")
        shift
        ;;
    esac
done
defaults=()
[ "$suite" = 1 ] || defaults=(--backend cpu --steps 2^12 --blowup 2 --warmup 1)
if [ "$suite" = 0 ]; then
    if [ "$adaptive" = 1 ]; then defaults+=(--max-runs 20); else defaults+=(--runs 3); fi
fi

if [ -n "${CI_COMPARE_DIR:-}" ]; then
    dir=$CI_COMPARE_DIR
    mkdir -p "$dir" || die "cannot create CI_COMPARE_DIR '$dir'"
else
    dir=$(mktemp -d) || die "cannot create a temporary directory"
    trap 'rm -rf "$dir"' EXIT
fi
[[ $dir != *,* ]] || die "the results directory '$dir' contains a comma (compare separates files with commas)"

# Runs one sweep; a sweep exit of 1 (flagged points) still leaves results for compare to judge.
sweep() { # side, bin, round
    local out="$dir/$1-$3.json" log="$dir/$1-$3.log" rc=0
    "$2" sweep "${defaults[@]}" "${sweep_flags[@]}" --out "$out" > "$log" 2>&1 || rc=$?
    if [ "$rc" -gt 1 ] || [ ! -f "$out" ]; then
        tail -n 20 "$log" >&2
        die "the $1 sweep of round $3 failed (exit $rc; log above)"
    fi
}

base_files=() cand_files=()
for ((i = 1; i <= rounds; i++)); do
    if ((i % 2)); then
        sweep base "$base_bin" "$i" && sweep cand "$cand_bin" "$i"
    else
        sweep cand "$cand_bin" "$i" && sweep base "$base_bin" "$i"
    fi
    echo "ci-compare: round $i/$rounds done" >&2
    base_files+=("$dir/base-$i.json")
    cand_files+=("$dir/cand-$i.json")
done
join() { local IFS=,; echo "$*"; }
rc=0
"$cand_bin" compare --paired --session-stat min "$(join "${base_files[@]}")" "$(join "${cand_files[@]}")" "${compare_flags[@]}" || rc=$?
exit "$rc"
