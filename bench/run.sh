#!/bin/sh
# Runs maketoken's performance benchmark from a fresh checkout; flags are
# passed on (e.g. -only startup -reps 500). See docs/performance.md.
# Unlike `go run ./bench`, it keeps the benchmark's exit code: 0 every
# target met, 1 a target missed, 2 the benchmark could not run.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/bench" ./bench
set +e
"$tmp/bench" "$@"
code=$?
set -e
exit "$code"
