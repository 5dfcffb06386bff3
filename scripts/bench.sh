#!/usr/bin/env bash
# The main job: set up, build, run the benchmarks, print the table.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
bin=build/starkbench

# ---- run ---------------------------------------------------------------------
# The default suite (bench/suites/default.conf): CPU points everywhere, GPU points where a
# GPU is present (after a calibration of the fallback detector). Extra arguments go to
# `starkbench sweep` (e.g. `scripts/bench.sh --steps 2^12 --runs 3` for a quick run).
mkdir -p results
out="results/$(date +%Y-%m-%d-%H%M%S)-$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown).json"
if [ "$("$bin" sweep --probe)" != "gpu: none" ]; then
    "$bin" calibrate --steps 2^16,2^18,2^20 --blowup 2,4 --out results/calibration.json
fi
rc=0
"$bin" sweep --suite bench/suites/default.conf --out "$out" "$@" || rc=$?
# 1 = flagged points (failed, digest mismatch, fallback): still worth a report.
if [ "$rc" -le 1 ] && [ -f "$out" ]; then
    "$bin" report "$out"
fi
exit "$rc"
