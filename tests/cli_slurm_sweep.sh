#!/usr/bin/env bash
# Issue 16, scripts/slurm-sweep.sh without Slurm: it parses (bash -n) and passes the linter
# (shellcheck) where that is installed; --dry-run prints an array job of N tasks and a report job that waits
# for all of them (afterok); the printed jobs, run here the way Slurm would (each array task with
# its SLURM_ARRAY_TASK_ID, then the report job), sweep every point of the plan once, pool the
# shards into one report and one history add, and make the report job fail when a shard's sweep
# had a failed point (its task still succeeds: its results exist). Bad arguments: one line, exit 2.
# usage: cli_slurm_sweep.sh <starkbench> <source-dir>
set -u
SB=$1
SRC=$2
SCRIPT=$SRC/scripts/slurm-sweep.sh
source "$(dirname "$0")/lib_cli.sh"
cd "$TMP" || exit 1

bash -n "$SCRIPT" || fail "slurm-sweep.sh does not parse"
if command -v shellcheck >/dev/null; then
    shellcheck "$SCRIPT" >sc.txt 2>&1 || fail "shellcheck: $(cat sc.txt)"
else
    echo "note: shellcheck is not installed: only bash -n checked"
fi

# the plan: three points, one of which fails (2^1 steps), in three shards
FLAGS=(--backend cpu --steps 2^1,2^6 --blowup 2,4 --filter "steps:6/blowup:2|steps:6/blowup:4|steps:1/blowup:2"
       --runs 1 --warmup 0 --threads 2 --no-noise-probe --calibration none.json)
"$SB" sweep "${FLAGS[@]}" --list >plan.txt
[ "$(wc -l <plan.txt)" = 3 ] || fail "the plan: $(cat plan.txt)"
expect 0 0 "" -- "$SCRIPT" -n 3 -o "$TMP/run dir" -b "$SB" -H "$TMP/h.db" --dry-run -s "--partition=cpu --time=10" -- "${FLAGS[@]}"
[ "$(wc -l <out)" = 2 ] || fail "--dry-run printed $(wc -l <out) lines, want 2 sbatch commands: $(cat out)"
array=$(sed -n 1p out) report=$(sed -n 2p out)

grep -q -- "--array=1-3 " <<<"$array" || fail "the array job: $array"
grep -q -- "--partition=cpu --time=10" <<<"$array" || fail "the sbatch flags are not passed: $array"
grep -q -- "--dependency=afterok:" <<<"$report" || fail "the report job does not wait for the array: $report"
grep -q -- '--shard "$SLURM_ARRAY_TASK_ID/3"' <<<"$array" || fail "the task does not pick its shard: $array"
# each job as Slurm would run it: its --wrap script (the last word), the array's once a task
mkdir -p "$TMP/run dir"
eval "set -- $array"
wrap=${*: -1}
for i in 1 2 3; do
    SLURM_ARRAY_TASK_ID=$i bash -c "$wrap" >"task$i.log" 2>&1 || fail "array task $i failed: $(tail -3 "task$i.log")"
done
cat "$TMP/run dir"/shard-*.rc | sort | tr '\n' ' ' | grep -qx "0 0 1 " || fail "the tasks' sweep exit codes: $(cat "$TMP/run dir"/shard-*.rc)"
eval "set -- $report"
wrap=${*: -1}
bash -c "$wrap" >report.log 2>&1
[ $? = 1 ] || fail "the report job must fail when a shard had a failed point: $(cat report.log)"
grep -q "| shards | 1/3, 2/3, 3/3 of a 3-way split of 3 points (sweep --shard): complete |" "$TMP/run dir/report/report.md" ||
    fail "the pooled report: $(grep -i shard "$TMP/run dir/report/report.md")"
grep -q "history: 3 runs added to $TMP/h.db" report.log || fail "the report job's history add: $(cat report.log)"
for name in $(cat plan.txt); do
    grep -q "$name" "$TMP/run dir/report/report.md" || fail "the report lacks $name"
done

# ---- bad arguments ----------------------------------------------------------------------------
expect 2 1 "-n '0' must be a count" -- "$SCRIPT" -n 0 --dry-run
expect 2 1 "--out is set by slurm-sweep" -- "$SCRIPT" --dry-run -- --steps 2^8 --out x.json
expect 2 1 "--shard=1/2 is set by slurm-sweep" -- "$SCRIPT" --dry-run -- --shard=1/2
expect 2 1 "unexpected argument 'x'" -- "$SCRIPT" x
expect 2 1 "is not an executable file" -- "$SCRIPT" -b "$TMP/none"

[ $fails = 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "cli_slurm_sweep: all checks passed"
