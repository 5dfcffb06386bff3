#!/usr/bin/env bash
# starkbench prove / verify from the command line: the printed lines, the proof file,
# exit codes 0 (valid) / 1 (invalid) / 2 (unreadable or bad usage), one line each.
# usage: cli_prove.sh <starkbench> <source-dir>
set -u
SB=$1
source "$(dirname "$0")/lib_cli.sh"

# ---- prove: the lines and the file -------------------------------------------------
expect 0 0 "" -- "$SB" prove --steps 2^8 --backend cpu --out "$TMP/p.bin"
cp "$TMP/out" "$TMP/prove.txt"
size=$(stat -c %s "$TMP/p.bin")
grep -qx "output: 12586269025" "$TMP/prove.txt" || fail "prove: no 'output: 12586269025' (fib(50) for 2^8 steps)"
grep -qx "proof size: $size bytes" "$TMP/prove.txt" || fail "prove: proof size line does not match the file ($size)"
grep -q "^security: 128.0 bits claimed, query phase only = 219 queries" "$TMP/prove.txt" || fail "prove: security line"
grep -q "^backend: cpu (gpu ops 0, cpu ops [1-9]" "$TMP/prove.txt" || fail "prove: backend line"
grep -qx "fallbacks: none" "$TMP/prove.txt" || fail "prove: fallbacks line"
grep -qx "=== PROVER TIMING ===" "$TMP/prove.txt" || fail "prove: no timing table"
for t in cpu program range; do grep -qx "table $t" "$TMP/prove.txt" || fail "prove: no table $t"; done
for r in "R1 main LDE" "R1 main commit" "R1 aux LDE" "R1 aux commit" "R2 evaluate" "R2 commit" "R3 OOD" \
    "R4 DEEP" "R4 FRI" "R4 queries"; do
    [ "$(grep -c "^  $r  *[0-9.]* ms   peak host [0-9.]* MiB, device n/a$" "$TMP/prove.txt")" = 3 ] ||
        fail "prove: '$r' not once per table, with its memory high-water mark"
done
for r in "Total LDE" "Total Merkle" "Total" "R4 grinding"; do
    grep -q "^$r  *[0-9.]* ms" "$TMP/prove.txt" || fail "prove: no '$r' line"
done
grep -q "^Total  *[0-9.]* ms   peak host [0-9.]* MiB, device n/a$" "$TMP/prove.txt" || fail "prove: no proof-wide peak"
ls "$TMP" | grep -q tmp && fail "prove: a temporary file was left behind"

# --json: one object with the same facts
expect 0 0 "" -- "$SB" prove --steps 2^8 --backend cpu --json --tp 3
if command -v python3 >/dev/null; then
    python3 - "$TMP/out" "$size" <<'EOF' || fail "prove --json: bad object"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["output"] == "12586269025" and j["iterations"] == 50 and j["log_steps"] == 8, j
assert j["proof_size"] == int(sys.argv[2]) and j["queries"] == 219 and j["backend"] == "cpu", j
assert j["fallbacks"] == [] and j["fallback_count"] == 0 and j["cpu_ops"] > 0, j
names = {(r["table"], r["name"]) for r in j["ranges"]}
assert all(r["host_peak_mib"] >= 0 and r["device_peak_mib"] is None for r in j["ranges"]), j["ranges"]
assert [r["host_peak_mib"] for r in j["ranges"] if r["name"] == "prove"][0] > 0, j["ranges"]
assert ("", "prove") in names and ("range", "R4 FRI") in names and ("", "R4 grinding") in names, names
assert len(j["proof_digest"]) == 64 and j["total_ms"] > 0, j
EOF
fi

# The same proof bytes for every --tp and --threads.
d1=$(grep "^proof digest:" "$TMP/prove.txt")
"$SB" prove --steps 2^8 --backend cpu --tp 3 --threads 1 --no-range-sync >"$TMP/o2" 2>&1
"$SB" prove --steps 2^8 --backend cpu --tp 1 --threads 2 >"$TMP/o3" 2>&1
[ "$d1" = "$(grep "^proof digest:" "$TMP/o2")" ] || fail "prove: --tp 3 --threads 1 gives other bytes"
[ "$d1" = "$(grep "^proof digest:" "$TMP/o3")" ] || fail "prove: --threads 2 gives other bytes"

# ---- verify: 0 / 1 / 2 --------------------------------------------------------------
expect 0 0 "" -- "$SB" verify "$TMP/p.bin"
grep -q "^valid proof: output: 12586269025 " "$TMP/out" || fail "verify: no output line"
[ "$(wc -l <"$TMP/out")" = 1 ] || fail "verify: more than one line"

# a flipped bit in the middle (query openings): invalid, naming the check
python3 -c "
import sys; b = bytearray(open(sys.argv[1], 'rb').read()); b[len(b) // 2] ^= 0x10
open(sys.argv[2], 'wb').write(b)" "$TMP/p.bin" "$TMP/bad.bin" 2>/dev/null ||
    { cp "$TMP/p.bin" "$TMP/bad.bin"; printf '\x55' | dd of="$TMP/bad.bin" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null; }
expect 1 1 "^invalid proof: " -- "$SB" verify "$TMP/bad.bin"

head -c $((size - 1)) "$TMP/p.bin" >"$TMP/short.bin"
expect 2 1 "^unreadable proof: .*truncated" -- "$SB" verify "$TMP/short.bin"
{ cat "$TMP/p.bin"; printf 'x'; } >"$TMP/long.bin"
expect 2 1 "^unreadable proof: .*trailing" -- "$SB" verify "$TMP/long.bin"
head -c 5000 /dev/urandom >"$TMP/garbage.bin"
expect 2 1 "^unreadable proof: " -- "$SB" verify "$TMP/garbage.bin"
: >"$TMP/empty.bin"
expect 2 1 "^unreadable proof: " -- "$SB" verify "$TMP/empty.bin"
expect 2 1 "^unreadable proof: cannot open" -- "$SB" verify "$TMP/missing.bin"
expect 2 1 "usage" -- "$SB" verify
expect 2 1 "usage" -- "$SB" verify "$TMP/p.bin" "$TMP/p.bin"

# ---- a record that does not match the program (STARKBENCH_CORRUPT_SNAPSHOT) ------------
# corrupted_record BACKEND: at blowup 4 the prover refuses the broken trace (the composition is
# not of low degree) with one line and writes no proof; at blowup 2 the composition has no room
# to show it, and verify rejects the proof at the OOD point.
corrupted_record() {
    for snap in 0 3; do
        expect 1 1 "prove failed: the composition polynomial is not of low degree: the trace breaks a constraint" -- \
            env STARKBENCH_CORRUPT_SNAPSHOT=$snap "$SB" prove --steps 2^12 --blowup 4 --backend "$1" --out "$TMP/c.bin"
        [ -e "$TMP/c.bin" ] && fail "$1: a proof was written from corrupted snapshot $snap"
    done
    env STARKBENCH_CORRUPT_SNAPSHOT=3 "$SB" prove --steps 2^12 --blowup 2 --backend "$1" --out "$TMP/c.bin" \
        >/dev/null 2>&1 || fail "$1: prove at blowup 2 from a corrupted snapshot failed"
    expect 1 1 "^invalid proof: constraints at the OOD point z (table cpu)$" -- "$SB" verify "$TMP/c.bin"
    rm -f "$TMP/c.bin"
}
corrupted_record cpu
expect 2 1 "STARKBENCH_CORRUPT_SNAPSHOT 'x' must be a snapshot index" -- \
    env STARKBENCH_CORRUPT_SNAPSHOT=x "$SB" prove --steps 2^6 --backend cpu

# ---- bad flags: one line, exit 2 ----------------------------------------------------
expect 2 1 "not supported" -- "$SB" prove --steps 8 --backend cpu
expect 2 1 "power of two" -- "$SB" prove --steps 100
expect 2 1 "over the limit" -- "$SB" prove --steps 2^31
expect 2 1 "blowup" -- "$SB" prove --blowup 3
# a size the memory model (every round's buffers) puts far beyond any CI machine: refused before any work
expect 2 1 "need about .* GiB of host memory, over this machine's" -- "$SB" prove --steps 2^29 --backend cpu
expect 2 1 "unknown argument" -- "$SB" prove --frobnicate
expect 2 1 "needs a value" -- "$SB" prove --out
expect 2 1 "cannot write" -- "$SB" prove --steps 2^6 --backend cpu --out "$TMP/no/such/dir/p.bin"
"$SB" prove --steps 2^6 --backend gpu >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" != 0 ]; then # no usable GPU here: one line, exit 2
    [ "$rc" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] || fail "prove --backend gpu without a GPU: exit $rc, $(cat "$TMP/err")"
else # a GPU: its text names the setup and GPU busy; a size beyond any card's memory is refused
    grep -q "^setup  *[0-9.]* ms (CUDA context" "$TMP/out" || fail "prove --backend gpu: no setup line"
    grep -Eq "^GPU busy  *([0-9.]* ms, [0-9.]* % of the proof|not measured \()" "$TMP/out" ||
        fail "prove --backend gpu: no GPU busy line"
    # every table on the device, the traces too (their host model is small): the device model refuses it
    expect 2 1 "need about .* GiB of device memory, over the .* GiB free of" -- \
        "$SB" prove --steps 2^27 --blowup 8 --backend gpu
    corrupted_record gpu # the record crosses to the device and is expanded there
fi

[ "$fails" = 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "cli_prove: all passed"
