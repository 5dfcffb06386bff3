#!/usr/bin/env bash
# The false-alarm rate and the power of the CI gate (docs/PERFORMANCE.md "The gate's figures"):
# N A/A pairs through scripts/ci-compare.sh (the same binary on both sides) and N pairs whose
# candidate runs with a delay injected in one round (STARKBENCH_DELAY_ROUND, prover/range.h).
#
#   scripts/compare-power.sh [-n N] [-r ROUNDS] [-d PCT] [-R RANGE] BIN [-- FLAGS...]
#
# N pairs of each kind (default 20), ROUNDS interleaved rounds per pair (default: ci-compare's),
# a delay of PCT % (default 5) in the range RANGE (default "R2 evaluate"). FLAGS go to every
# ci-compare (default --max-noise 1). Prints one line per pair and then the counts: A/A pairs
# that FAILed (goal <= 1 of 20), delayed pairs detected, i.e. FAILed (goal >= 16 of 20), and
# delayed pairs where compare marked RANGE WARN or FAIL in some table. Each pair's compare output
# and its sweeps' results (KIND-I/, ci-compare's CI_COMPARE_DIR) stay in $POWER_DIR when set
# (else a temporary directory removed on exit). Exit 0, or 2 when an argument is wrong or a gate
# could not run (exit 2 of ci-compare).
set -uo pipefail

die() {
    echo "compare-power: $*" >&2
    exit 2
}
usage="usage: scripts/compare-power.sh [-n N] [-r ROUNDS] [-d PCT] [-R RANGE] BIN [-- FLAGS...]"
n=20 rounds="" pct=5 range="R2 evaluate"
while getopts "n:r:d:R:h" opt; do
    case $opt in
    n) n=$OPTARG ;;
    r) rounds=$OPTARG ;;
    d) pct=$OPTARG ;;
    R) range=$OPTARG ;;
    *) die "$usage" ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || die "$usage"
[[ $n =~ ^[1-9][0-9]{0,2}$ ]] || die "N '$n' must be a count from 1 to 999"
[ -z "$rounds" ] || [[ $rounds =~ ^[1-9][0-9]{0,2}$ ]] || die "ROUNDS '$rounds' must be a count from 1 to 999"
[[ $pct =~ ^[0-9]+([.][0-9]+)?$ ]] || die "PCT '$pct' must be a number"
bin=$(realpath "$1" 2> /dev/null) && [ -f "$bin" ] && [ -x "$bin" ] || die "'$1' is not an executable file"
shift
if [ $# -gt 0 ]; then
    [ "$1" = "--" ] || die "unexpected argument '$1' ($usage)"
    shift
fi
flags=("$@")
[ ${#flags[@]} -gt 0 ] || flags=(--max-noise 1)
here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${POWER_DIR:-}" ]; then
    dir=$POWER_DIR
    mkdir -p "$dir" || die "cannot create POWER_DIR '$dir'"
else
    dir=$(mktemp -d) || die "cannot create a temporary directory"
    trap 'rm -rf "$dir"' EXIT
fi
# the delayed candidate: the same binary, with the switch set for it alone
delayed=$dir/delayed-starkbench
printf '#!/bin/sh\nSTARKBENCH_DELAY_ROUND="%s:%s" exec "%s" "$@"\n' "$range" "$pct" "$bin" > "$delayed"
chmod +x "$delayed"

aa_fail=0 delay_fail=0 delay_marked=0
# the two kinds alternate, so that a slow drift of the machine reaches both alike
for ((i = 1; i <= n; i++)); do
    for kind in aa delay; do
        cand=$bin
        [ "$kind" = delay ] && cand=$delayed
        out=$dir/$kind-$i.txt rc=0
        CI_COMPARE_DIR=$dir/$kind-$i bash "$here/ci-compare.sh" "$bin" "$cand" ${rounds:+"$rounds"} -- "${flags[@]}" > "$out" \
            2> "$dir/$kind-$i.log" || rc=$?
        [ "$rc" -le 1 ] || die "$kind pair $i: ci-compare exited $rc ($(tail -n 1 "$dir/$kind-$i.log"))"
        marked=0
        grep -Eq "^  [a-z]+:$range .*(WARN|FAIL)" "$out" && marked=1
        if [ "$kind" = aa ]; then
            aa_fail=$((aa_fail + rc))
        else
            delay_fail=$((delay_fail + rc))
            delay_marked=$((delay_marked + marked))
        fi
        echo "$kind pair $i/$n: compare exit $rc, $range marked: $marked ($(grep '^summary:' "$out" | sed 's/.*: \([0-9]* FAIL\)/\1/'))"
    done
done
echo "A/A: $aa_fail of $n pairs FAILed"
echo "delay $pct % in $range: $delay_fail of $n pairs detected (FAIL), $delay_marked of $n with $range marked WARN or FAIL"
echo "(ci-compare rounds ${rounds:-default}, flags: ${flags[*]}; $(uname -n), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
