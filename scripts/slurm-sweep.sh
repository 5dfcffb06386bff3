#!/usr/bin/env bash
# A sweep split over a Slurm job array: task I of N runs `starkbench sweep ... --shard I/N` on
# the node Slurm gives it, and a last job, which starts once every task has succeeded
# (--dependency=afterok), pools the N results files into one report (and adds them to a history).
#
#   scripts/slurm-sweep.sh [-n SHARDS] [-o DIR] [-b BIN] [-H DB] [-s SBATCH-FLAGS] [--dry-run] [-- SWEEP-FLAGS...]
#
#   -n SHARDS        tasks of the array (default 4)
#   -o DIR           where shard-I.json (+ .csv, .log, .rc) and report/ go (default results/slurm-DATE);
#                    every node must see it (a shared filesystem)
#   -b BIN           the starkbench binary every node runs (default build/starkbench)
#   -H DB            also `history add` the shards to DB: an SQLite file on the shared filesystem or a
#                    team's postgresql://... database
#   -s SBATCH-FLAGS  more sbatch flags for every job, one string (e.g. "--partition=gpu --gres=gpu:4
#                    --time=02:00:00"); on nodes of several GPUs, give the sweeps --gpus all
#   --dry-run        print the two sbatch commands (shell-quoted, one a line) instead of submitting them
#   SWEEP-FLAGS      for every shard's sweep (default: --suite bench/suites/default.conf); not --out,
#                    --shard or --resume, which the script sets
#
# A task succeeds when its sweep wrote its results: exit 0, or 1 (a point failed, a digest
# mismatch, a fallback: results the report shows); its exit code stays in DIR/shard-I.rc. The
# report job writes DIR/report/report.md, then exits 1 when a shard's sweep exited 1. Prints the
# job ids (or, with --dry-run, the commands). docs/ARCHITECTURE.md "Sharded sweeps".
set -euo pipefail

die() {
    echo "slurm-sweep: $*" >&2
    exit 2
}
usage="usage: scripts/slurm-sweep.sh [-n SHARDS] [-o DIR] [-b BIN] [-H DB] [-s SBATCH-FLAGS] [--dry-run] [-- SWEEP-FLAGS...]"
shards=4 dir="results/slurm-$(date +%Y-%m-%d-%H%M%S)" bin=build/starkbench db="" sbatch_extra="" dry_run=0
while [ $# -gt 0 ]; do
    case $1 in
    -n | -o | -b | -H | -s)
        [ $# -ge 2 ] || die "$1 needs a value ($usage)"
        case $1 in
        -n) shards=$2 ;;
        -o) dir=$2 ;;
        -b) bin=$2 ;;
        -H) db=$2 ;;
        -s) sbatch_extra=$2 ;;
        esac
        shift 2
        ;;
    --dry-run) dry_run=1 && shift ;;
    -h | --help) echo "$usage" && exit 0 ;;
    --) shift && break ;;
    *) die "unexpected argument '$1' ($usage)" ;;
    esac
done
[[ $shards =~ ^[1-9][0-9]{0,3}$ ]] || die "-n '$shards' must be a count of shards from 1 to 9999"
sweep_flags=("$@")
[ ${#sweep_flags[@]} -gt 0 ] || sweep_flags=(--suite bench/suites/default.conf)
for f in "${sweep_flags[@]}"; do
    case $f in --out | --out=* | --shard | --shard=* | --resume) die "$f is set by slurm-sweep (one file per shard in -o DIR)" ;; esac
done
[ $dry_run = 1 ] || [ -x "$bin" ] || die "'$bin' is not an executable file (-b BIN)"
[ $dry_run = 1 ] || command -v sbatch >/dev/null || die "no sbatch here: run this on a Slurm login node (or --dry-run)"
read -r -a extra <<<"$sbatch_extra"

# The words joined into one line of shell, each quoted where it needs it (for --wrap and --dry-run).
quoted() {
    local out="" w
    for w; do
        [[ $w =~ ^[A-Za-z0-9_./=:%,+@^-]+$ ]] || w=${w@Q}
        out+="${out:+ }$w"
    done
    printf '%s' "$out"
}
list=""
for ((i = 1; i <= shards; i++)); do list+="${list:+,}$dir/shard-$i.json"; done
task="$(quoted "$bin" sweep "${sweep_flags[@]}") --shard \"\$SLURM_ARRAY_TASK_ID/$shards\" --out $(quoted "$dir")/shard-\"\$SLURM_ARRAY_TASK_ID\".json"
task+="; rc=\$?; echo \$rc > $(quoted "$dir")/shard-\"\$SLURM_ARRAY_TASK_ID\".rc; [ \$rc -le 1 ]"
final="$(quoted "$bin" report "$list" --out "$dir/report")"
[ -z "$db" ] || final+=" && $(quoted "$bin" history add "$list" --db "$db")"
final+=" && ! grep -qx 1 $(quoted "$dir")/shard-*.rc"

array_job=(sbatch --parsable "--array=1-$shards" --job-name=starkbench-sweep "--output=$dir/shard-%a.log"
           "${extra[@]}" --wrap "$task")
report_job=(sbatch --parsable "--dependency=afterok:ARRAY_JOB_ID" --job-name=starkbench-report
            "--output=$dir/report.log" "${extra[@]}" --wrap "$final")
if [ $dry_run = 1 ]; then
    quoted "${array_job[@]}" && echo
    quoted "${report_job[@]}" && echo
    exit 0
fi
mkdir -p "$dir"
array_id=$("${array_job[@]}") || die "sbatch refused the array job"
array_id=${array_id%%;*} # --parsable: "ID" or "ID;CLUSTER"
report_job[2]="--dependency=afterok:$array_id"
report_id=$("${report_job[@]}") || die "sbatch refused the report job (the array job $array_id is queued)"
echo "slurm-sweep: array job $array_id ($shards shards), report job ${report_id%%;*} -> $dir/report/report.md"
