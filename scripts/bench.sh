#!/usr/bin/env bash
# The main job: set up, build, run the benchmarks, print the table.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
bin=build/starkbench

# ---- run ---------------------------------------------------------------------
# For now: the Round-1 pipeline (LDE + Merkle commit) on a few sizes, median of 3 runs.
backends=(cpu)
if "$bin" lde-commit --backend gpu --log-rows 1 --cols 1 >/dev/null 2>&1; then backends+=(gpu); fi
printf '%-10s %6s %7s %8s %14s %14s\n' rows cols blowup backend "lde ms" "commit ms"
for log_rows in 14 16 18; do
    for backend in "${backends[@]}"; do
        line=$("$bin" lde-commit --backend "$backend" --log-rows "$log_rows" --cols 64 --blowup 2 --runs 3 --warmup 1 |
            sed -n 's/^median of [0-9]*: lde \([0-9.]*\) ms, commit \([0-9.]*\) ms$/\1 \2/p')
        read -r lde commit <<<"$line"
        printf '%-10s %6s %7s %8s %14s %14s\n' "2^$log_rows" 64 2 "$backend" "$lde" "$commit"
    done
done
