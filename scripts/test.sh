#!/usr/bin/env bash
# Builds and runs every test: the normal build in build/ (CUDA when nvcc is found), then an
# ASan + UBSan build of the CPU code in build-asan/. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

scripts/setup.sh

echo "== build/ (release, CUDA auto)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

echo "== build-asan/ (ASan + UBSan, CPU only)"
cmake -S . -B build-asan -DSB_SANITIZE=ON -DSB_ENABLE_CUDA=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$jobs")

echo "test: all passed"
