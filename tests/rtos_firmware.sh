#!/bin/sh
# tests/rtos_firmware.sh - boots tests/test_rtos.c on every QEMU board the
# RTOS supports, with the periodic tick and with tickless idle:
#   an385 (M3), an386 (M4F), rv32, rv32f, rv64, rv64gc via tests/firmware.sh;
#   mps2-an500 (M7, double-precision FPU) with firmware/mps2's startup;
#   microbit (M0) via tests/rtos_m0.sh.
# Prints one line per run and exits nonzero if any run failed.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="${FW_BUILD:-$ROOT/build/fw}/m7"
fail=0
report() { # name rc logfile
    printf '%-22s %s  %s\n' "$1" "$([ "$2" = 0 ] && echo ok || echo "FAIL($2)")" "$(tail -1 "$3")"
    [ "$2" = 0 ] || fail=1
}
# the two tick modes run side by side, each in its own build directory
# (-icount makes the guests' time independent of the host's load); their
# lines print in order once both are done
BASE="${FW_BUILD:-$ROOT/build/fw}"
TMPD=$(mktemp -d)
run_mode() { # t: every board with ARSENAL_RTOS_TICKLESS=t
    t=$1 LOG="$TMPD/log$1" OUT="$BASE/t$1/m7"
    export FW_BUILD="$BASE/t$1"
    for b in an385 an386 rv32 rv32f rv64 rv64gc; do
        sh "$ROOT/tests/firmware.sh" "$b" "$ROOT/tests/test_rtos.c" -DARSENAL_RTOS_TICKLESS=$t >"$LOG" 2>&1
        report "$b tickless=$t" $? "$LOG"
    done
    mkdir -p "$OUT"
    if arm-none-eabi-gcc -mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16 -std=c99 -Os -g \
        -ffreestanding -nostdlib -ffunction-sections -fdata-sections -DARS_TEST_FREESTANDING \
        -DARS_TEST_QUICK -DARSENAL_RTOS_TICKLESS=$t -I"$ROOT/tests" -I"$ROOT/firmware" \
        "$ROOT/tests/test_rtos.c" "$ROOT/firmware/mps2/startup.c" "$ROOT/firmware/common.c" \
        -T "$ROOT/firmware/mps2/link.ld" -Wl,--gc-sections -lgcc -o "$OUT/test_rtos.elf" >"$LOG" 2>&1; then
        sed -n 's/.*ars-test-fw-stdin: *//p' "$ROOT/tests/test_rtos.c" | head -1 | tr -d '\n' |
        timeout 60 qemu-system-arm -M mps2-an500 -semihosting-config enable=on,target=native -nographic \
            -monitor none -icount shift=0,sleep=off -kernel "$OUT/test_rtos.elf" >"$LOG" 2>&1
        report "an500(M7) tickless=$t" $? "$LOG"
    else report "an500(M7) tickless=$t" 125 "$LOG"; fi
    sh "$ROOT/tests/rtos_m0.sh" -DARSENAL_RTOS_TICKLESS=$t >"$LOG" 2>&1
    report "microbit(M0) tickless=$t" $? "$LOG"
    [ $fail = 0 ]
}
run_mode 0 > "$TMPD/out0" & p0=$!
run_mode 1 > "$TMPD/out1" & p1=$!
wait $p0 || fail=1
wait $p1 || fail=1
cat "$TMPD/out0" "$TMPD/out1"
rm -rf "$TMPD"
exit $fail
