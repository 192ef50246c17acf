#!/usr/bin/env bash
# extra_rtos.sh - arsenal_rtos.h on every board it supports (leg "extra"):
# the kernel suite booted with the tick and tickless on mps2 M3/M4F/M7,
# micro:bit M0 and RISC-V rv32/rv64 with and without F, and the M0 build.
set -u
cd "$(dirname "$0")/.."
pass=0; fail=0
for s in tests/rtos_firmware.sh tests/rtos_m0.sh; do
  if timeout 600 sh "$s" > "build/matrix/$(basename "$s").log" 2>&1; then
    pass=$((pass + 1)); echo "$(basename "$s"): ok ($(grep -c 'ok ' "build/matrix/$(basename "$s").log") lines ok)"
  else
    fail=$((fail + 1)); echo "$(basename "$s") FAILED"; tail -20 "build/matrix/$(basename "$s").log"
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
