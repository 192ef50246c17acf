#!/usr/bin/env bash
# extra_rtos.sh - arsenal_rtos.h on every board it supports (leg "extra"):
# the kernel suite booted with the tick and tickless on mps2 M3/M4F/M7,
# micro:bit M0 and RISC-V rv32/rv64 with and without F, and the M0 build;
# then the size and instruction budgets of bench/bench_rtos.sh.
set -u
cd "$(dirname "$0")/.."
L=${MATRIX_DIR:-build/matrix}      # logs and builds go with the matrix run's
mkdir -p "$L"
export FW_BUILD="${FW_BUILD:-$L/fw}"
pass=0; fail=0
for s in tests/rtos_firmware.sh; do   # (it boots the M0 too, with and without the tick)
  if timeout 600 sh "$s" > "$L/$(basename "$s").log" 2>&1; then
    pass=$((pass + 1)); echo "$(basename "$s"): ok ($(grep -c 'ok ' "$L/$(basename "$s").log") lines ok)"
  else
    fail=$((fail + 1)); echo "$(basename "$s") FAILED"; tail -20 "$L/$(basename "$s").log"
  fi
done
# the issue's budgets, which are deterministic (linked size, and instruction
# counts under -icount): kernel .text, instructions per yield switch and per
# queue round trip, Cortex-M3 / RV32
if BENCH_BUILD="$L/bench_rtos" sh bench/bench_rtos.sh > "$L/bench_rtos.log" 2>&1 &&
   awk '/^== Cortex-M3/ { b = 0 } /^== RV32/ { b = 1 }
        /kernel .text linked/ { t[b] = $4 } /per yield switch/ { y[b] = $5 } /send->receive round trip/ { q[b] = $5 }
        END { printf "rtos budgets: .text %s / %s B (<= 3000 / 3800), yield %s / %s (<= 40 / 100), queue %s / %s (<= 400 / 500)\n", t[0], t[1], y[0], y[1], q[0], q[1];
              exit !(t[0] > 0 && t[0] <= 3000 && t[1] > 0 && t[1] <= 3800 && y[0] > 0 && y[0] <= 40 && y[1] > 0 && y[1] <= 100 && q[0] > 0 && q[0] <= 400 && q[1] > 0 && q[1] <= 500) }' "$L/bench_rtos.log"; then
  pass=$((pass + 1))
else
  fail=$((fail + 1)); echo "rtos budgets FAILED"; tail -30 "$L/bench_rtos.log"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
