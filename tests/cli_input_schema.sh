#!/usr/bin/env bash
# Issue 18, item 6: report, compare and history took wrong types and out-of-range values with
# exit 0 ("blowup": "x", "log_steps": -5, negative times, 1e308 s turning into infinity and a CV
# of -nan, a candidate of zero repetitions passing compare). Now every field the loader reads is
# checked: one line naming the file and the field, exit 2, nothing written. And compare never
# calls a point "ok" when a side has no repetition of it.
# usage: cli_input_schema.sh <starkbench> <source-dir>
set -u
SB=$1
source "$(dirname "$0")/lib_cli.sh"
results_fixture "$TMP/good.json"

# refused CODE PATTERN: the fixture edited by CODE is refused by report, compare and history add
refused() {
    results_edit "$TMP/good.json" "$TMP/bad.json" "$1"
    expect 2 1 "bad.json: wrong schema: .*$2" -- "$SB" report "$TMP/bad.json" --out "$TMP/rep"
    [ ! -e "$TMP/rep" ] || { fail "report wrote for a refused file ($2)"; rm -rf "$TMP/rep"; }
    expect 2 1 "bad.json: wrong schema: .*$2" -- "$SB" compare "$TMP/good.json" "$TMP/bad.json"
    expect 2 1 "bad.json: wrong schema: .*$2" -- "$SB" history add "$TMP/bad.json" --db "$TMP/h.db"
    [ ! -e "$TMP/h.db" ] || { fail "history add made a database for a refused file ($2)"; rm -f "$TMP/h.db"; }
}
refused "it[0]['blowup'] = 'x'" "benchmarks\[0\] 'prove/steps:8/.*': blowup: \"x\" is not an integer"
refused "it[0]['blowup'] = 3" "blowup: 3 is not 2, 4 or 8"
refused "it[0]['log_steps'] = -5" "log_steps: -5 is outside \[0, 30\]"
refused "it[0]['steps'] = 3" "steps: 3 is not a power of two"
refused "it[0]['steps'] = 512" "steps 512 and log_steps 8 disagree"
refused "it[1]['real_time'] = -1" "benchmarks\[1\] .*real_time: -1 is outside"
refused "it[0]['cpu_time'] = 1e308" "cpu_time: 1e308 is outside"
refused "
for b in it: b['real_time'] = 1e17; b['time_unit'] = 's'" "real_time: 1e+17 s is more than 1e+18 ms"
refused "it[0]['total'] = -4" "counter 'total': -4 is outside"
refused "it[0]['time_unit'] = 'minutes'" "time_unit: \"minutes\" is not one of ns, us, ms, s"
refused "it[0]['tp'] = 0" "tp: 0 is outside \[1, 64\]"
refused "it[0]['status'] = 'great'" "status: \"great\" is not one of ok, failed"
refused "it[0]['verdict'] = 7" "verdict: 7 is not a string"
refused "it[0]['gpu_threshold'] = -4" "gpu_threshold: -4 is neither a count nor \"inf\""
refused "it[0]['proof_digest'] = 'zz'" "proof_digest: not 64 lowercase hex digits"
refused "it[0]['fallbacks'] = [1]" "fallbacks\[0\]: not an object"
refused "it[1]['repetition_index'] = 0" "repetition_index 0 appears twice"
refused "it[0]['repetition_index'] = 5" "repetition_index 5 but 3 repetitions"
refused "it[0]['name'] = it[0]['run_name'] = 'a\nb'" "name: contains a control character"
refused "d['context']['num_cpus'] = 'many'" "context: num_cpus: \"many\" is not an integer"
refused "d['context']['load_avg'] = [1, 'x']" "context: load_avg\[1\]: not a number"
# the GPU a point ran on (sweep --gpus), the context's GPUs and shard (sweep --shard)
refused "it[0]['gpu_index'] = -1" "gpu_index: -1 is outside \[0, 1023\]"
refused "it[0].update(gpu_index=0, gpu_uuid='GPU-xyz')" "gpu_uuid: not \"GPU-\" or \"MIG-\" and hex digits"
refused "it[0]['gpu_name'] = 'H200'" "gpu_name or gpu_uuid without gpu_index"
refused "it[0].update(gpu_index=0, gpu_name='x' * 96)" "gpu_name: 96 characters, more than 95"
refused "d['context']['gpus'] = [{'index': 'one'}]" "context: gpus\[0\]: index: \"one\" is not an integer"
refused "d['context']['gpus'] = [{'index': 0, 'uuid': 'GPU-12', 'noise_gpu_pct': -3}]" "gpus\[0\]: noise_gpu_pct: -3 is outside"
refused "d['context']['gpus'] = [{'index': 0, 'uuid': 'nvidia0'}]" "context: gpus\[0\]: uuid: not"
refused "d['context']['gpus'] = [{'index': i} for i in range(65)]" "context: gpus: more than 64 GPUs"
refused "d['context'].update(shard_index=3, shard_count=2)" "context: shard_index 3 is above shard_count 2"
refused "d['context'].update(shard_index=0, shard_count=2)" "context: shard_index: 0 is outside \[1, 10000\]"
refused "d['context']['shard_count'] = 4" "context: shard_index and shard_count come together"
refused "d['context']['noise_cpu_pct'] = 'low'" "context: noise_cpu_pct: \"low\" is not a number"
# a candidate of zero repetitions (every entry says so, none ran): refused, not passed
refused "
for b in d['benchmarks']: b['repetitions'] = 0" "repetitions: 0 on an entry without error_occurred"

# more points than a sweep can plan (SB_RESULTS_MAX_POINTS): refused, not compared for minutes
for n in 10000 10001; do
    python3 -c "import json; json.dump({'context': {}, 'benchmarks': [{'name': 'p%06d' % i, 'time_unit': 'ms', 'real_time': 1, 'cpu_time': 1} for i in range($n)]}, open('$TMP/many$n.json', 'w'))"
done
expect 0 "$REPORT_NOTES" "" -- "$SB" report "$TMP/many10000.json" --out "$TMP/many"
for cmd in "report $TMP/many10001.json --out $TMP/rep" "compare $TMP/many10001.json $TMP/many10001.json" \
           "history add $TMP/many10001.json --db $TMP/h.db"; do
    expect 2 1 "many10001.json: wrong schema: more than 10000 benchmarks (points)" -- "$SB" $cmd
done

# ---- compare: a side without repetitions is never "ok" ----------------------------------------
# the candidate failed every repetition: FAIL, exit 1
results_edit "$TMP/good.json" "$TMP/failed.json" "
for b in it[:3]: b.update(error_occurred=True, error_message='child exited with 1', status='failed')"
expect 1 0 "" -- "$SB" compare "$TMP/good.json" "$TMP/failed.json"
grep -q "FAIL  candidate point failed: child exited with 1" "$TMP/out" || fail "no FAIL for a failed candidate: $(cat "$TMP/out")"
# the base never ran a point the candidate ran: nothing to compare against, FAIL
expect 1 0 "" -- "$SB" compare "$TMP/failed.json" "$TMP/good.json"
grep -q "FAIL  base point failed" "$TMP/out" || fail "no FAIL for a failed base: $(cat "$TMP/out")"
# a point infeasible on both sides is skipped, not failed; the A/A run passes
expect 0 0 "" -- "$SB" compare "$TMP/good.json" "$TMP/good.json"
grep -q "skip  not run on either side (infeasible)" "$TMP/out" || fail "the infeasible point is not skipped: $(cat "$TMP/out")"
grep -q -- "-> ok" "$TMP/out" || fail "A/A compare did not pass: $(cat "$TMP/out")"
grep -q -i "nan\|inf%" "$TMP/out" && fail "compare printed a NaN or infinity: $(cat "$TMP/out")"

[ $fails = 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "cli_input_schema: all checks passed"
