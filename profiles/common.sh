# Shared by profiles/nsys.sh and profiles/ncu.sh (sourced, not run).
# Sets SB (the starkbench binary), OUT (output folder) and PROVE_ARGS from the command line;
# each script adds its own flags through a parse_extra function that returns 0 when it took "$1".

die() { echo "$(basename "$0"): $*" >&2; exit 2; }

# Checks the profiler is there, then creates the output folder.
require_tool() { # name, what to install
  command -v "$1" > /dev/null 2>&1 || die "$1 not found on PATH ($2)"
  mkdir -p "$OUT" || die "cannot create $OUT"
}

parse_common() {
  SB=${STARKBENCH:-build/starkbench}
  OUT=results/profile
  RANGE="R1 main commit"
  PROVE_ARGS=()
  while [ $# -gt 0 ]; do
    case $1 in
      --out) [ $# -ge 2 ] || die "--out needs a folder"; OUT=$2; shift 2 ;;
      --range) [ $# -ge 2 ] || die "--range needs a range name"; RANGE=$2; shift 2 ;;
      --starkbench) [ $# -ge 2 ] || die "--starkbench needs a path"; SB=$2; shift 2 ;;
      -h|--help) usage; exit 0 ;;
      --) shift; PROVE_ARGS=("$@"); break ;;
      *) parse_extra "$@" || die "unknown flag '$1' (see --help)"; shift "$SHIFT" ;;
    esac
  done
  [ -x "$SB" ] || die "$SB is not an executable starkbench (build it, or pass --starkbench PATH)"
}

# Writes the clocks the GPU reports now (SM, memory, their maxima), for the summary's header.
gpu_clocks() {
  if command -v nvidia-smi > /dev/null 2>&1; then
    nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,clocks.max.sm,clocks.max.mem --format=csv 2>&1
  else
    echo "nvidia-smi not found: clocks unknown"
  fi
}
