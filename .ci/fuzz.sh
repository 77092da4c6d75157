#!/usr/bin/env bash
# Runs every fuzz target of the module for a bounded number of inputs each
# (FUZZTIME, default 100000x), after its committed seed corpus. Exits non-zero
# as soon as one target fails; the failing input is then in the package's
# testdata/fuzz/FuzzX/ folder (commit it with the fix, as a regression seed).
#
# A count, not a duration: with -fuzztime 10s, Go 1.26's coordinator can
# report its own deadline as a failure ("context deadline exceeded", no
# input written) when a worker is busy as the time runs out
# (go.dev/issue/75804, fixed in Go 1.27); it failed this step on FuzzExpand.
# A count sets no deadline. 50000 inputs take 1-10 s a target on the
# development machine; minimizing a new input is bounded by a count too.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZTIME=${FUZZTIME:-100000x}
found=0
# "package-dir FuzzName" for every fuzz target in a _test.go file.
while read -r dir name; do
  found=$((found + 1))
  printf '\n==> fuzz %s %s (%s)\n' "$dir" "$name" "$FUZZTIME"
  # -run '^$' skips the ordinary tests (go test ./... runs those); the
  # corpus is replayed before fuzzing starts. -parallel bounds the workers
  # on a shared machine.
  if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime 2000x -parallel 2 "./$dir"; then
    echo "fuzz target $name in ./$dir failed; see its testdata/fuzz/$name/ for the input" >&2
    exit 1
  fi
done < <(grep -rl --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]*\(' . \
  | sort \
  | while read -r file; do
      dir=$(dirname "${file#./}")
      grep -oE '^func Fuzz[A-Za-z0-9_]*' "$file" | sed "s|^func |$dir |"
    done)

if [ "$found" -eq 0 ]; then
  echo "no fuzz targets found" >&2
  exit 1
fi
printf '\n==> %d fuzz targets passed\n' "$found"
