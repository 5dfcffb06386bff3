#!/usr/bin/env bash
# Installs the Debian packages starkbench needs, only those missing; says what it installed.
# Idempotent and non-interactive. Never installs CUDA: the build uses nvcc where it exists.
set -euo pipefail

# libbenchmark-tools + python3-scipy: Google Benchmark's own compare.py, which a test runs on our results files.
# git: starkbench bisect (worktrees) and its test.
# libpq-dev: a team's history on PostgreSQL (history --db postgresql://...); postgresql: the server its test starts.
packages=(build-essential cmake pkg-config libjansson-dev libsqlite3-dev libssl-dev libbenchmark-dev gnuplot-nox
          libbenchmark-tools python3-scipy python3-numpy git libpq-dev postgresql)

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
    echo "setup: all packages present (${packages[*]})"
    exit 0
fi

sudo=()
if ((EUID != 0)); then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: installed ${missing[*]}"
