#!/usr/bin/env bash
# extra_coro.sh - arsenal_coro.h beyond its unit tests (matrix leg "extra"):
# the AArch64 switch with BTI enforced (tests/coro_bti_aarch64.c, built
# freestanding with -mbranch-protection=standard and run in
# qemu-aarch64 -cpu max), and its control: a call to a function without a
# landing pad must fault there with SIGILL. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
pass=0; fail=0
D=${MATRIX_DIR:-build/matrix}/bti
mkdir -p "$D"
CC=aarch64-linux-gnu-gcc
FLAGS="-std=c99 -O2 -ffreestanding -nostdlib -static -mno-outline-atomics -mbranch-protection=standard
  -fno-stack-protector -Wall -Wextra -Wpedantic -Werror -I."
if ! command -v "$CC" >/dev/null 2>&1 || ! command -v qemu-aarch64 >/dev/null 2>&1; then
  echo "needs $CC and qemu-aarch64 (make deps)"; echo "0 passed, 1 failed"; exit 1
fi
# shellcheck disable=SC2086
if $CC $FLAGS -o "$D/bti" tests/coro_bti_aarch64.c > "$D/build.log" 2>&1 &&
   readelf -n "$D/bti" | grep -q 'AArch64 feature: BTI' &&
   qemu-aarch64 -cpu max "$D/bti" > "$D/run.log" 2>&1; then
  pass=$((pass + 1)); echo "bti: $(cat "$D/run.log")"
else
  fail=$((fail + 1)); echo "bti FAILED:"; cat "$D/build.log" "$D/run.log" 2>/dev/null | tail -20
fi
# shellcheck disable=SC2086
if $CC $FLAGS -DBTI_CONTROL -o "$D/bti_control" tests/coro_bti_aarch64.c > "$D/build_control.log" 2>&1; then
  # in a subshell whose stderr is dropped: the shell's own "Illegal instruction" notice
  ( qemu-aarch64 -cpu max "$D/bti_control" > "$D/run_control.log" 2>&1; echo $? > "$D/rc_control" ) 2>/dev/null
  rc=$(cat "$D/rc_control")
  if [ "$rc" = 132 ]; then pass=$((pass + 1)); echo "bti control: a call without a landing pad faults (SIGILL)"
  else fail=$((fail + 1)); echo "bti control FAILED (exit $rc, want 132: BTI not enforced?)"; cat "$D/run_control.log"; fi
else
  fail=$((fail + 1)); echo "bti control: build FAILED"; tail -20 "$D/build_control.log"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
