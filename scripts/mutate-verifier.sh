#!/usr/bin/env bash
# Mutation test of the verifier: disables each of its checks in turn, in a copy of the source
# tree, rebuilds the tests (CPU only), and reports which test catches the removal. A check
# that no test misses is a "survivor" and makes the script exit 1.
#
# Each check is marked in the source by a comment (docs/PROTOCOL.md "Security"):
#     /* MUTANT <name>: <from> => <to> */
# The mutant replaces the first <from> by <to> on the first line, from the marker's own line
# on, that holds <from> outside the marker comments: e.g. "if ( => if (0) if (" makes a
# rejecting branch unreachable. The shipped source and binaries are never touched.
#
# usage: scripts/mutate-verifier.sh [--keep] [NAME...]
#   NAME...  only these mutants (default: every marker under prover/)
#   --keep   leave the temporary tree (its path is printed) for a look at a mutant's logs
# About 10 minutes on 2 cores (too long for ctest); rerun it with every change to the verifier,
# the proof format or the protocol, and add a marker with every new check.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
keep=0
only=()
for a in "$@"; do
    case $a in
    --keep) keep=1 ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "mutate-verifier: unknown option $a" >&2; exit 2 ;;
    *) only+=("$a") ;;
    esac
done
command -v python3 >/dev/null || { echo "mutate-verifier: needs python3" >&2; exit 2; }

# The tests that exercise the verifier, cheapest and most specific first: the first one that
# fails is the one reported.
tests=(test_verifier test_proof_format test_soundness test_merkle test_transcript test_air test_prover)

work=$(mktemp -d "${TMPDIR:-/tmp}/mutate-verifier.XXXXXX")
if [ "$keep" = 1 ]; then echo "mutate-verifier: working in $work"; else trap 'rm -rf "$work"' EXIT; fi
src=$work/src build=$work/build
mkdir -p "$src"
# The working tree as it is (tracked and untracked files, not ignored ones: no build outputs).
(cd "$root" && git ls-files -z -co --exclude-standard) |
    while IFS= read -r -d '' f; do [ -f "$root/$f" ] && printf '%s\0' "$f"; done |
    (cd "$root" && tar --null -T - -cf -) | tar -xf - -C "$src"

# Lists the markers: name <TAB> file <TAB> target line (1-based).
python3 - "$src" >"$work/mutants.tsv" <<'EOF'
import pathlib, re, sys
src = pathlib.Path(sys.argv[1])
marker = re.compile(r"/\* MUTANT ([a-z0-9-]+): (.+?) => (.*?) \*/")
seen = set()
for path in sorted(src.glob("prover/*.[ch]")):
    lines = path.read_text().split("\n")
    for i, line in enumerate(lines):
        for m in marker.finditer(line):
            name, frm = m.group(1), m.group(2)
            if name in seen:
                sys.exit(f"mutate-verifier: mutant {name} is marked twice")
            seen.add(name)
            target = next((k for k in range(i, len(lines)) if frm in marker.sub("", lines[k])), None)
            if target is None:
                sys.exit(f"mutate-verifier: {path.relative_to(src)}:{i + 1}: '{frm}' not found for mutant {name}")
            print(f"{name}\t{path.relative_to(src)}\t{target + 1}")
EOF
if [ ${#only[@]} -gt 0 ]; then
    for n in "${only[@]}"; do
        cut -f1 "$work/mutants.tsv" | grep -qx -- "$n" || { echo "mutate-verifier: no mutant $n" >&2; exit 2; }
    done
    printf '%s\n' "${only[@]}" |
        awk -F'\t' 'NR == FNR { want[$1]; next } $1 in want' - "$work/mutants.tsv" >"$work/selected.tsv"
else
    cp "$work/mutants.tsv" "$work/selected.tsv"
fi

# Writes file with mutant name applied (from the pristine copy in $work/orig).
apply_mutant() {
    python3 - "$src" "$1" "$2" "$3" <<'EOF'
import pathlib, re, sys
src, name, rel, target = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]) - 1
marker = re.compile(r"/\* MUTANT ([a-z0-9-]+): (.+?) => (.*?) \*/")
path = src / rel
lines = path.read_text().split("\n")
frm, to = next((m.group(2), m.group(3)) for line in lines for m in marker.finditer(line) if m.group(1) == name)
code = marker.sub("", lines[target])
at = code.index(frm)
lines[target] = code[:at] + to + code[at + len(frm):]
path.write_text("\n".join(lines))
EOF
}

jobs=$(nproc)
echo "mutate-verifier: building the tests (CPU only) in $build"
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSB_ENABLE_CUDA=OFF >"$work/configure.log" 2>&1 ||
    { cat "$work/configure.log" >&2; exit 2; }
build_tests() { cmake --build "$build" -j"$jobs" --target "${tests[@]}" >"$1" 2>&1; }
# Runs the tests in order; prints the first that fails, or nothing.
first_failure() {
    for t in "${tests[@]}"; do
        if ! (cd "$build" && ctest -R "^$t\$" --timeout 600 --output-on-failure) >"$1.$t" 2>&1; then
            echo "$t"
            return
        fi
    done
}
build_tests "$work/build.log" || { tail -30 "$work/build.log" >&2; exit 2; }
failed=$(first_failure "$work/baseline")
if [ -n "$failed" ]; then
    echo "mutate-verifier: $failed fails without any mutant:" >&2
    tail -20 "$work/baseline.$failed" >&2
    exit 2
fi

total=$(wc -l <"$work/selected.tsv")
survivors=0
k=0
printf '| check | where | caught by |\n| --- | --- | --- |\n' >"$work/table.md"
while IFS=$'\t' read -r name rel line; do
    k=$((k + 1))
    cp "$src/$rel" "$work/orig"
    apply_mutant "$name" "$rel" "$line"
    if cmp -s "$src/$rel" "$work/orig"; then
        verdict="NOT APPLIED"
    elif ! build_tests "$work/$name.build.log"; then
        verdict="BUILD FAILED (see $name.build.log)"
    else
        verdict=$(first_failure "$work/$name")
        [ -n "$verdict" ] || verdict=SURVIVED
    fi
    cp "$work/orig" "$src/$rel"
    case $verdict in test_*) ;; *) survivors=$((survivors + 1)) ;; esac
    printf '[%d/%d] %-24s %-38s %s\n' "$k" "$total" "$name" "$rel:$line" "$verdict"
    printf '| `%s` | `%s:%s` | %s |\n' "$name" "$rel" "$line" "$verdict" >>"$work/table.md"
done <"$work/selected.tsv"

echo
cat "$work/table.md"
echo
if [ "$survivors" -gt 0 ]; then
    echo "mutate-verifier: $survivors of $total mutant(s) not caught" >&2
    exit 1
fi
echo "mutate-verifier: all $total mutants caught"
