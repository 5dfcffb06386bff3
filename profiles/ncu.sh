#!/usr/bin/env bash
# Runs one `starkbench prove` configuration under Nsight Compute, profiling only the kernels
# launched inside one NVTX range of the domain "starkbench" (default "R1 main commit"), and
# keeps a text summary. Clock control: ncu locks the GPU to its base clocks by default
# (--clock base), so kernel times are lower-clocked than in a sweep; --clock none leaves
# the clocks alone. The summary's header says which was used.
# Output: OUT/ncu.ncu-rep (open in ncu-ui) and OUT/ncu-summary.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
source profiles/common.sh

usage() {
  cat <<'USAGE'
usage: profiles/ncu.sh [--range NAME] [--clock base|none] [--set NAME] [--launch-count N]
                       [--nvtx-include EXPR] [--out DIR] [--starkbench PATH] [-- PROVE-FLAGS...]
  --range NAME        profile the kernels of NVTX push/pop range NAME (default "R1 main commit")
  --nvtx-include EXPR the ncu filter verbatim (default "starkbench@NAME/")
  --clock base|none   ncu's --clock-control: base (ncu's default: locked base clocks) or none
  --set NAME          ncu section set (default basic; full for every section)
  --launch-count N    stop after N profiled kernels (default 50)
  --out DIR           where ncu.ncu-rep and ncu-summary.txt go (default results/profile)
  --starkbench PATH   the binary (default build/starkbench, or $STARKBENCH)
  PROVE-FLAGS         passed to `starkbench prove` (e.g. --steps 2^20 --backend gpu)
USAGE
}
CLOCK=base
SET=basic
COUNT=50
INCLUDE=
parse_extra() {
  SHIFT=2
  [ $# -ge 2 ] || return 1
  case $1 in
    --clock) CLOCK=$2 ;;
    --set) SET=$2 ;;
    --launch-count) COUNT=$2 ;;
    --nvtx-include) INCLUDE=$2 ;;
    *) return 1 ;;
  esac
}

parse_common "$@"
case $CLOCK in base|none) ;; *) die "--clock must be base or none" ;; esac
[[ $COUNT =~ ^[1-9][0-9]*$ ]] || die "--launch-count must be a positive count"
require_tool ncu "install Nsight Compute (part of the CUDA toolkit)"
INCLUDE=${INCLUDE:-starkbench@$RANGE/}

ncu --nvtx --nvtx-include "$INCLUDE" --clock-control "$CLOCK" --set "$SET" --launch-count "$COUNT" \
  --force-overwrite --export "$OUT/ncu" \
  "$SB" prove "${PROVE_ARGS[@]}" > "$OUT/ncu-prove.txt"

{
  echo "# ncu summary: starkbench prove ${PROVE_ARGS[*]}"
  echo "# filter: --nvtx --nvtx-include '$INCLUDE'; section set $SET; at most $COUNT kernels"
  if [ "$CLOCK" = base ]; then
    echo "# clock control: base (ncu locked the GPU to its base clocks while profiling)"
  else
    echo "# clock control: none (the GPU ran at its default clocks)"
  fi
  gpu_clocks | sed 's/^/#   /'
  echo
  ncu --import "$OUT/ncu.ncu-rep" --print-summary per-kernel
} > "$OUT/ncu-summary.txt"
echo "ncu: $OUT/ncu.ncu-rep, summary in $OUT/ncu-summary.txt"
