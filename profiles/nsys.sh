#!/usr/bin/env bash
# Runs one `starkbench prove` configuration under Nsight Systems and keeps a text summary.
# The capture is limited to one NVTX range of the domain "starkbench" (default: the first
# "R1 main commit"; --range prove for the whole proof). Clock control: nsys does not lock
# clocks; the GPU runs at its default (boost) clocks, recorded in the summary's header.
# Output: OUT/nsys.nsys-rep (open in nsys-ui) and OUT/nsys-summary.txt (what `starkbench
# report --out OUT` links).
set -euo pipefail
cd "$(dirname "$0")/.."
source profiles/common.sh

usage() {
  cat <<'USAGE'
usage: profiles/nsys.sh [--range NAME] [--out DIR] [--starkbench PATH] [-- PROVE-FLAGS...]
  --range NAME      capture only the first NVTX range NAME of domain starkbench
                    (default "R1 main commit"; "prove" = one whole proof)
  --out DIR         where nsys.nsys-rep and nsys-summary.txt go (default results/profile)
  --starkbench PATH the binary (default build/starkbench, or $STARKBENCH)
  PROVE-FLAGS       passed to `starkbench prove` (e.g. --steps 2^20 --backend gpu --tpb keccak=128)
USAGE
}
parse_extra() { return 1; }

parse_common "$@"
require_tool nsys "install Nsight Systems (part of the CUDA toolkit)"

# Our ranges use plain (unregistered) ASCII messages: NSYS_NVTX_PROFILER_REGISTER_ONLY=0 lets
# the capture range match them.
nsys profile --trace=cuda,nvtx,osrt --force-overwrite=true --output="$OUT/nsys" \
  --capture-range=nvtx --nvtx-capture="$RANGE@starkbench" --capture-range-end=stop \
  --env-var=NSYS_NVTX_PROFILER_REGISTER_ONLY=0 \
  "$SB" prove "${PROVE_ARGS[@]}" > "$OUT/nsys-prove.txt"

{
  echo "# nsys summary: starkbench prove ${PROVE_ARGS[*]}"
  echo "# capture: first NVTX range '$RANGE' in domain starkbench"
  echo "# clock control: none (nsys does not lock clocks); GPU clocks when the summary was written:"
  gpu_clocks | sed 's/^/#   /'
  echo
  nsys stats --report nvtx_sum,cuda_gpu_kern_sum,cuda_gpu_mem_time_sum,cuda_api_sum --format column "$OUT/nsys.nsys-rep"
} > "$OUT/nsys-summary.txt"
echo "nsys: $OUT/nsys.nsys-rep, summary in $OUT/nsys-summary.txt"
