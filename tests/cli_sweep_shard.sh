#!/usr/bin/env bash
# Issue 16, sharded sweeps (sweep --shard I/N): on real plans (both suites, a command-line grid
# whose duplicates the plan removes, a zipped grid, a filtered suite) the N shards hold every
# point of the plan exactly once for N = 1..7, point k in shard k mod N + 1, in the plan's order,
# the same on every call. Then a real CPU sweep in two shards: each file records its shard,
# report pools them (and says which shards it has), compare takes the shards against the
# shards of a second run, history add takes them in one go; shards of one split may come from
# separate machines, other files of a side may not. An empty shard writes an empty results file,
# exit 0.
# usage: cli_sweep_shard.sh <starkbench> <source-dir>
set -u
SB=$1
SRC=$2
source "$(dirname "$0")/lib_cli.sh"
cd "$TMP" || exit 1

# ---- the split, on real plans -----------------------------------------------------------------
plans=("--suite $SRC/bench/suites/default.conf"
       "--suite $SRC/bench/suites/h100-figures.conf"
       "--backend cpu,gpu,auto --gpu-threshold 0,2^16,inf --steps 2^8,2^10,2^12 --blowup 2,4 --tpb keccak=64,128"
       "--zip --steps 2^8,2^10,2^12,2^14,2^16 --blowup 2,4,8,2,4 --backend cpu"
       "--suite $SRC/bench/suites/default.conf --filter blowup:2")
for plan in "${plans[@]}"; do
    # shellcheck disable=SC2086 # a plan is several flags
    "$SB" sweep $plan --list >full.txt 2>list.err || { fail "--list of '$plan': $(cat list.err)"; continue; }
    total=$(wc -l <full.txt)
    [ "$total" -gt 1 ] || fail "'$plan' plans $total point(s)"
    [ "$(sort full.txt | uniq -d | wc -l)" = 0 ] || fail "'$plan' lists a point twice: $(sort full.txt | uniq -d | head -3)"
    # shellcheck disable=SC2086
    "$SB" sweep $plan --list | cmp -s - full.txt || fail "'$plan': --list differs between two calls"
    for n in 1 2 3 4 5 6 7; do
        : >union.txt
        for i in $(seq 1 $n); do
            # shellcheck disable=SC2086
            "$SB" sweep $plan --list --shard "$i/$n" >part.txt 2>part.err || fail "'$plan' --shard $i/$n: $(cat part.err)"
            awk -v n="$n" -v i="$i" '(NR - 1) % n == i - 1' full.txt | cmp -s - part.txt ||
                fail "'$plan' --shard $i/$n is not every $n-th point of the plan from point $i"
            size=$(wc -l <part.txt)
            [ "$size" -ge $((total / n)) ] && [ "$size" -le $(((total + n - 1) / n)) ] ||
                fail "'$plan' --shard $i/$n holds $size of $total points"
            cat part.txt >>union.txt
        done
        sort full.txt >a.txt
        sort union.txt >b.txt
        cmp -s a.txt b.txt || fail "'$plan': the $n shards do not hold every point exactly once: $(diff a.txt b.txt | head -5)"
    done
done

# ---- bad values: one line, exit 2 ---------------------------------------------------------------
for bad in 0/3 4/3 3 1/0 a/b 1/3x -1/3 "1/ 3" 1/10001 ""; do
    expect 2 1 "--shard '$bad' must be I/N with 1 <= I <= N" -- "$SB" sweep --steps 2^8 --backend cpu --list --shard "$bad"
done

# ---- a real sweep in two shards (points 1 and 3 of the plan, then point 2) -------------------------
COMMON=(--backend cpu --steps 2^6 --blowup 2,4,8 --runs 2 --warmup 0 --threads 2 --no-noise-probe --calibration none.json)
"$SB" sweep "${COMMON[@]}" --list >plan.txt
for i in 1 2; do
    "$SB" sweep "${COMMON[@]}" --shard "$i/2" --out "s$i.json" >/dev/null 2>"s$i.err" || fail "shard $i/2: $(cat "s$i.err")"
done
python3 - <<'PY' || fail "the shards' files do not hold their shard"
import json
names = open("plan.txt").read().split()
assert len(names) == 3, names
for i in (1, 2):
    d = json.load(open("s%d.json" % i))
    c = d["context"]
    assert (c["shard_index"], c["shard_count"], c["plan_points"]) == (i, 2, 3), c
    mine = [b["run_name"] for b in d["benchmarks"] if b["run_type"] == "iteration" and b["repetition_index"] == 0]
    assert mine == names[i - 1::2], (i, mine)
PY
expect 0 "$REPORT_NOTES" "" -- "$SB" report s1.json,s2.json --out rep
grep -q "| shards | 1/2, 2/2 of a 2-way split of 3 points (sweep --shard): complete |" rep/report.md ||
    fail "report does not name the shards: $(grep -i shard rep/report.md)"
while read -r name; do
    grep -q "^| \`$name\` | cpu | 2 |" rep/report.md || fail "report's totals lack $name"
done <plan.txt
expect 0 "$REPORT_NOTES" "" -- "$SB" report s2.json --out rep2
grep -q "| shards | 2/2 of a 2-way split of 3 points (sweep --shard); \*\*missing\*\*: 1/2 |" rep2/report.md ||
    fail "report does not say a shard is missing: $(grep -i shard rep2/report.md)"
cp s1.json c1.json
cp s2.json c2.json
expect 0 0 "" -- "$SB" compare s1.json,s2.json c2.json,c1.json
grep -q "summary: 3 benchmarks" out || fail "compare of shards against shards: $(cat out)"
expect 0 0 "" -- "$SB" history add s1.json s2.json --db h.db
grep -q "history: 3 runs added to h.db" out || fail "history add of the shards: $(cat out)"
expect 0 0 "" -- "$SB" history add s1.json,s2.json --db h.db
grep -q "history: 0 runs added to h.db (3 already there)" out || fail "history add of the shards again: $(cat out)"

# shards run on separate machines; other files of one side may not, nor one point on two machines
results_edit s2.json s2-other-host.json "d['context']['host_name'] = 'node-17'"
expect 0 0 "" -- "$SB" compare s1.json,s2.json s1.json,s2-other-host.json
expect 0 "$REPORT_NOTES" "" -- "$SB" report s1.json,s2-other-host.json --out rep3
results_edit s1.json s1-other-host.json "d['context']['host_name'] = 'node-17'"
expect 2 1 "s1.json and .*s1-other-host.json differ in machine" -- "$SB" compare s2.json s1.json,s1-other-host.json
results_edit s1.json s1-as-2.json "d['context'].update(host_name='node-17', shard_index=2)"
expect 2 1 "was measured on .* and on node-17 .*: pool only runs of one machine" -- "$SB" report s1.json,s1-as-2.json --out rep4
[ ! -e rep4 ] || fail "report wrote for files it refused"

# an empty shard: nothing to run, an empty results file, exit 0
expect 0 1 "shard 4/4 has no point (the plan has 3)" -- "$SB" sweep "${COMMON[@]}" --shard 4/4 --out e4.json
python3 -c "import json; d = json.load(open('e4.json')); assert d['benchmarks'] == [] and d['context']['shard_index'] == 4" ||
    fail "the empty shard's file"
expect 0 "$REPORT_NOTES" "" -- "$SB" report e4.json --out rep5
grep -q "4/4 of a 4-way split of 3 points (sweep --shard); \*\*missing\*\*: 1/4, 2/4, 3/4 |" rep5/report.md ||
    fail "the empty shard's report: $(grep -i shard rep5/report.md)"

[ $fails = 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "cli_sweep_shard: all checks passed"
