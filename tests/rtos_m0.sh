#!/bin/sh
# tests/rtos_m0.sh - boots tests/test_rtos.c on a Cortex-M0 (ARMv6-M port of
# arsenal_rtos.h) in `qemu-system-arm -M microbit`, with the minimal board
# support in tests/rtos_m0_board.c. Exit status = the suite's.
#   sh tests/rtos_m0.sh [extra cflags]
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="${FW_BUILD:-$ROOT/build/fw}/m0"
mkdir -p "$OUT" || exit 125
cat > "$OUT/m0.ld" <<'LD'
MEMORY { ROM (rx) : ORIGIN = 0, LENGTH = 256K  RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 16K }
ENTRY(reset)
SECTIONS {
  .text : { KEEP(*(.vectors)) *(.text .text.*) *(.rodata .rodata.*) } > ROM
  .data : ALIGN(4) { __data_start = .; *(.data .data.*) . = ALIGN(4); __data_end = .; } > RAM AT > ROM
  __data_load = LOADADDR(.data);
  .bss (NOLOAD) : ALIGN(4) { __bss_start = .; *(.bss .bss.* COMMON) . = ALIGN(4); __bss_end = .; } > RAM
  __stack_top = ORIGIN(RAM) + LENGTH(RAM);
  ASSERT(__bss_end + 1024 <= __stack_top, "no room for the main stack")
}
LD
arm-none-eabi-gcc -mcpu=cortex-m0 -mthumb -std=c99 -Os -g -Wall -Wextra -ffreestanding -nostdlib \
    -ffunction-sections -fdata-sections -DARS_TEST_FREESTANDING -DARS_TEST_QUICK \
    -DTEST_STK=1024 -DARSENAL_RTOS_CPU_HZ=16000000 -I"$ROOT/tests" "$@" \
    "$ROOT/tests/test_rtos.c" "$ROOT/tests/rtos_m0_board.c" \
    -T "$OUT/m0.ld" -Wl,--gc-sections -lgcc -o "$OUT/test_rtos.elf" || exit 125
timeout "${FW_TIMEOUT:-60}" qemu-system-arm -M microbit -nographic -monitor none \
    -semihosting-config enable=on,target=native -icount shift=0,sleep=off \
    -kernel "$OUT/test_rtos.elf" </dev/null
