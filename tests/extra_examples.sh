#!/usr/bin/env bash
# extra_examples.sh - the examples that take arguments (leg "extra"):
# tests/examples_args.sh builds them and checks that bad options and values
# are refused with exit status 2 and a message, that a failed listen, connect
# or file open ends them with the reason and a non-zero status, and that
# valid quick runs still work (servers on loopback, random ports). Ends
# with "N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 2
L=${MATRIX_DIR:-build/matrix}      # logs and builds go with the matrix run's
mkdir -p "$L/extra_examples"
pass=0; fail=0
if B="$L"/extra_examples timeout 300 bash tests/examples_args.sh > "$L"/extra_examples/args.log 2>&1; then
  pass=$((pass + 1)); echo "examples_args: $(tail -1 "$L"/extra_examples/args.log)"
else
  fail=$((fail + 1)); echo "examples_args FAILED"; grep -v '^ok ' "$L"/extra_examples/args.log | tail -20
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
