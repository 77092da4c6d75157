#!/bin/sh
# Runs maketoken's performance benchmark from a fresh checkout; flags are
# passed on (e.g. -only startup -reps 500). See docs/performance.md.
set -e
cd "$(dirname "$0")/.."
exec go run ./bench "$@"
