#!/usr/bin/env bash
# Mutation testing of the packages that keep a token safe (see
# docs/mutation-testing.md): operator mutants with gremlins, statement
# mutants with ./tools/mutants. Neither changes the work tree. Takes about
# an hour and a half on two cores; not part of .ci/run.
#
#   .ci/mutants.sh                              # the five core packages, both tools
#   .ci/mutants.sh internal/delivery            # one package
#   MUTANTS_TOOLS=statements .ci/mutants.sh     # only ./tools/mutants (or: gremlins)
#
# MUTANTS_OUT (default: mutants-out/, git-ignored) receives each tool's full
# report per package: gremlins-<pkg>.txt/.json and statements-<pkg>.txt/.json.
# MUTANTS_JOBS (default 1) mutants are tried at the same time. Builds use a
# build cache of their own (MUTANTS_GOCACHE), since every mutant is a new
# package to compile: delete it when done if space matters.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS=${MAKETOKEN_TOOLS:-/root/.cache/maketoken-tools}
GREMLINS_VERSION=v0.6.0
OUT=${MUTANTS_OUT:-mutants-out}
JOBS=${MUTANTS_JOBS:-1}
WHICH=${MUTANTS_TOOLS:-gremlins,statements}
export GOCACHE=${MUTANTS_GOCACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/maketoken-mutants/gocache}
export GOTOOLCHAIN=local GOFLAGS=
if [ $# -gt 0 ]; then
  pkgs=("$@")
else
  pkgs=(internal/tokens internal/delivery internal/job internal/makeapi internal/credentials)
fi
mkdir -p "$OUT" "$GOCACHE"

step() { printf '\n==> %s\n' "$*"; }

gremlins="$TOOLS/gremlins-$GREMLINS_VERSION/gremlins"
if [[ $WHICH == *gremlins* && ! -x $gremlins ]]; then
  step "gremlins $GREMLINS_VERSION (built once, then reused)"
  GOBIN="$(dirname "$gremlins")" go install "github.com/go-gremlins/gremlins/cmd/gremlins@$GREMLINS_VERSION"
fi

summary=()
for pkg in "${pkgs[@]}"; do
  pkg=${pkg#./}
  name=${pkg//\//-}
  if [[ $WHICH == *gremlins* ]]; then
    step "gremlins: $pkg"
    # gremlins gives each mutant its coverage run's time times a
    # coefficient, and the coverage run is mostly run time: aim for three
    # times the tests plus 20s for the build, and never let a cached result
    # stand for the run (GOFLAGS=-count=1).
    start=$(date +%s%N)
    GOFLAGS=-count=1 go test -cover "./$pkg/..." >/dev/null
    elapsed_ms=$((($(date +%s%N) - start) / 1000000))
    coef=$(((3 * elapsed_ms + 20000) / elapsed_ms + 1))
    # --invert-logical adds && <-> || (off by default in gremlins): the
    # mutant issue 19 named in the delivery rule is one.
    GOFLAGS=-count=1 nice -n 10 "$gremlins" unleash --workers "$JOBS" --invert-logical --timeout-coefficient "$coef" \
      -o "$OUT/gremlins-$name.json" "./$pkg" >"$OUT/gremlins-$name.txt" 2>&1 ||
      { tail -20 "$OUT/gremlins-$name.txt"; exit 1; }
    grep -E '^ *(LIVED|TIMED OUT|NOT VIABLE) ' "$OUT/gremlins-$name.txt" || true
    tail -5 "$OUT/gremlins-$name.txt"
    summary+=("gremlins   $pkg: $(grep -E '^(Killed|Test efficacy)' "$OUT/gremlins-$name.txt" | tr '\n' ' ')")
  fi
  if [[ $WHICH == *statements* ]]; then
    step "statement mutants: $pkg"
    nice -n 10 go run ./tools/mutants -j "$JOBS" -json "$OUT/statements-$name.json" "./$pkg" \
      2>"$OUT/statements-$name.log" | tee "$OUT/statements-$name.txt" ||
      { tail -20 "$OUT/statements-$name.log"; exit 1; }
    summary+=("statements $pkg: $(sed -n '3p' "$OUT/statements-$name.txt" | sed 's/^ *//')")
  fi
done

step "summary (full reports in $OUT/)"
printf '%s\n' "${summary[@]}"
