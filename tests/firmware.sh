#!/bin/sh
# tests/firmware.sh - build a test program for a QEMU board and boot it.
#
#   tests/firmware.sh <board> <test.c> [extra cflags...]
#       builds build/fw/<board>/<test>.elf with the board support in
#       firmware/ (-DARS_TEST_FREESTANDING -DARS_TEST_QUICK), boots it in
#       QEMU under `timeout 60`, passes the UART output through and exits
#       with main()'s return value (99 = CPU fault or main stack
#       overflow, 124 = timeout, 125 = build failed). QEMU's stdin, which
#       -nographic connects to the UART, is /dev/null, unless the test's
#       source has a line `ars-test-fw-stdin: TEXT`: then TEXT (no newline)
#       is what the firmware can read there.
#   tests/firmware.sh --list     board names, one a line
#   tests/firmware.sh --check    exit 0 if every board's compiler and QEMU exist
#
# Environment: FW_TIMEOUT (seconds, default 60), FW_BUILD (default build/fw).
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BOARDS="an385 an386 rv32 rv32f rv32d rv32e rv64 rv64gc"

# board_vars <board>: sets CC, CPU_FLAGS, SRCS, LDS, QEMU, QEMU_ARGS
board_vars() {
    FW="$ROOT/firmware"
    case "$1" in
    an385|an386)
        CC=arm-none-eabi-gcc
        if [ "$1" = an385 ]; then
            CPU_FLAGS="-mcpu=cortex-m3 -mthumb"
        else
            CPU_FLAGS="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
        fi
        SRCS="$FW/mps2/startup.c $FW/common.c"
        LDS="$FW/mps2/link.ld"
        QEMU=qemu-system-arm
        QEMU_ARGS="-M mps2-$1 -semihosting-config enable=on,target=native" ;;
    rv32|rv32f|rv32d|rv32e|rv64|rv64gc)
        CC=riscv64-unknown-elf-gcc
        case "$1" in
        rv32)   CPU_FLAGS="-march=rv32imac -misa-spec=2.2 -mabi=ilp32" ;;
        rv32f)  CPU_FLAGS="-march=rv32imafc -misa-spec=2.2 -mabi=ilp32f" ;;
        rv32d)  CPU_FLAGS="-march=rv32imafdc -misa-spec=2.2 -mabi=ilp32d" ;;   # fsd/fld on RV32
        rv32e)  CPU_FLAGS="-march=rv32emac -misa-spec=2.2 -mabi=ilp32e" ;;   # x0-x15, on virt's rv32 CPU
        rv64)   CPU_FLAGS="-march=rv64imac -misa-spec=2.2 -mabi=lp64 -mcmodel=medany" ;;
        rv64gc) CPU_FLAGS="-march=rv64imafdc -misa-spec=2.2 -mabi=lp64d -mcmodel=medany" ;;
        esac
        SRCS="$FW/virt/startup.S $FW/virt/virt.c $FW/common.c"
        LDS="$FW/virt/link.ld"
        case "$1" in rv32*) QEMU=qemu-system-riscv32 ;; *) QEMU=qemu-system-riscv64 ;; esac
        QEMU_ARGS="-M virt -bios none" ;;
    *) return 1 ;;
    esac
}

case "${1:-}" in
--list)
    for b in $BOARDS; do echo "$b"; done
    exit 0 ;;
--check)
    ok=0
    for b in $BOARDS; do
        board_vars "$b"
        for t in "$CC" "$QEMU" timeout; do
            command -v "$t" >/dev/null 2>&1 || { echo "firmware.sh: missing $t (board $b)" >&2; ok=1; }
        done
    done
    exit $ok ;;
""|-h|--help)
    awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"
    exit 2 ;;
esac

[ $# -ge 2 ] || { echo "usage: tests/firmware.sh <board> <test.c> [cflags...] (--list, --check)" >&2; exit 2; }
BOARD=$1; TEST=$2; shift 2
board_vars "$BOARD" || { echo "firmware.sh: unknown board '$BOARD' (try --list)" >&2; exit 2; }
[ -f "$TEST" ] || { echo "firmware.sh: no such file: $TEST" >&2; exit 2; }

OUT="${FW_BUILD:-$ROOT/build/fw}/$BOARD"
mkdir -p "$OUT" || exit 125
ELF="$OUT/$(basename "$TEST" .c).elf"

# shellcheck disable=SC2086  # word splitting of the flag lists is intended
$CC $CPU_FLAGS -std=c99 -Os -g -Wall -Wextra \
    -ffreestanding -nostdlib -ffunction-sections -fdata-sections \
    -DARS_TEST_FREESTANDING -DARS_TEST_QUICK \
    -I"$ROOT/tests" -I"$ROOT/firmware" \
    "$TEST" $SRCS "$@" \
    -T "$LDS" -Wl,--gc-sections -Wl,-Map="$ELF.map" -lgcc -o "$ELF" || exit 125

IN=$(sed -n 's/.*ars-test-fw-stdin: *//p' "$TEST" | head -1)
# shellcheck disable=SC2086
if [ -n "$IN" ]; then
    printf '%s' "$IN" | timeout "${FW_TIMEOUT:-60}" $QEMU $QEMU_ARGS -nographic -monitor none \
        -icount shift=0,sleep=off -kernel "$ELF"
else
    timeout "${FW_TIMEOUT:-60}" $QEMU $QEMU_ARGS -nographic -monitor none \
        -icount shift=0,sleep=off -kernel "$ELF" </dev/null
fi
