#!/bin/sh
# bench/bench_rtos.sh - arsenal_rtos.h against the FreeRTOS-Kernel V11
# reference figures of shared/FIRMWARE.md (measured on this machine with the
# same flags: -Os -ffunction-sections -fdata-sections -Wl,--gc-sections).
#
#   sh bench/bench_rtos.sh            Cortex-M3 (mps2-an385) and RV32IMAC (virt)
#
# For each target: kernel .text linked (sum of the kernel's functions in the
# linked image of bench/bench_rtos_fw.c, which uses every module), per
# module; sizeof(ars_rtos_task); instructions per yield switch and per queue
# send->receive round trip, counted exactly by the TCG plugin
# tests/rtos_icount_plugin.c under -icount shift=0 (deterministic).
# Extra compiler flags may follow, e.g. -DARSENAL_RTOS_STACK_CHECK=0.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${BENCH_BUILD:-$ROOT/build/bench_rtos}
mkdir -p "$OUT"
gcc -shared -fPIC -O2 -Wall -o "$OUT/rtos_icount.so" "$ROOT/tests/rtos_icount_plugin.c"
FW="$ROOT/firmware"

run_board() { # board, ref_text, ref_tcb, ref_yield, ref_queue
    b=$1; shift
    case $b in
    an385) CC=arm-none-eabi-gcc; CPU="-mcpu=cortex-m3 -mthumb"; SRCS="$FW/mps2/startup.c $FW/common.c"
           LDS="$FW/mps2/link.ld"; QEMU="qemu-system-arm -M mps2-an385 -semihosting-config enable=on,target=native";
           NAME="Cortex-M3" ;;
    rv32)  CC=riscv64-unknown-elf-gcc; CPU="-march=rv32imac -misa-spec=2.2 -mabi=ilp32"
           SRCS="$FW/virt/startup.S $FW/virt/virt.c $FW/common.c"; LDS="$FW/virt/link.ld"
           QEMU="qemu-system-riscv32 -M virt -bios none"; NAME="RV32IMAC" ;;
    esac
    ELF="$OUT/bench_rtos_$b.elf"
    # shellcheck disable=SC2086
    $CC $CPU -std=c99 -Os -g -ffreestanding -nostdlib -ffunction-sections -fdata-sections \
        -I"$ROOT/firmware" $EXTRA "$ROOT/bench/bench_rtos_fw.c" $SRCS -T "$LDS" -Wl,--gc-sections -lgcc -o "$ELF"
    echo "ars_rtos_task t;" | $CC $CPU -ffreestanding -x c -include "$ROOT/arsenal_rtos.h" -c -o "$OUT/tcb_$b.o" -
    TCB=$(${CC%gcc}nm -S "$OUT/tcb_$b.o" | awk 'function hex(h,  i, v, c) { v = 0; h = tolower(h); for (i = 1; i <= length(h); i++) { c = index("0123456789abcdef", substr(h, i, 1)) - 1; v = v * 16 + c } return v } $4 == "t" { print hex($2) }')
    addr() { ${CC%gcc}nm "$ELF" | awk -v s="$1" 'function hex(h,  i, v, c) { v = 0; h = tolower(h); for (i = 1; i <= length(h); i++) { c = index("0123456789abcdef", substr(h, i, 1)) - 1; v = v * 16 + c } return v } $3 == s { printf "0x%x\n", hex($1) - hex($1) % 2 }'; }
    # shellcheck disable=SC2086
    WIN=$(timeout 60 $QEMU -nographic -monitor none -icount shift=0,sleep=off -kernel "$ELF" \
        -plugin "$OUT/rtos_icount.so,begin=$(addr bench_begin),end=$(addr bench_end)" \
        -d plugin </dev/null 2>&1 | awk '/icount window/ { print $4 }' | tr '\n' ' ')
    set -- "$@" $WIN
    # $5 = empty window, $6 = 2N yield switches, $7 = N queue round trips (N = 100)
    echo "== $NAME ($b) $EXTRA"
    ${CC%gcc}nm -S --size-sort "$ELF" | awk 'function hex(h,  i, v, c) { v = 0; h = tolower(h); for (i = 1; i <= length(h); i++) { c = index("0123456789abcdef", substr(h, i, 1)) - 1; v = v * 16 + c } return v } 
        $3 ~ /^[Tt]$/ && ($4 ~ /^ars_rtos_|^ars__|^PendSV_Handler$|^SysTick_Handler$/) {
            if ($1 in seen) next; seen[$1] = 1
            n = $4; sz = hex($2); m = "core (tasks, scheduler, tick)"
            if (n ~ /sem_/) m = "semaphores"
            else if (n ~ /mutex|inherited|set_prio/) m = "mutexes + inheritance"
            else if (n ~ /queue|q_put|copy/) m = "queues"
            else if (n ~ /event|ev_/) m = "event flags"
            else if (n ~ /timer/ && n !~ /rv_timer/) m = "software timers"
            else if (n ~ /PendSV|SysTick|rv_|cm_|port_|stack_init|pendsv|trap_hook/) m = "port (switch, tick, start)"
            mod[m] += sz; tot += sz
        }
        END { for (m in mod) printf "  %-32s %5d B\n", m, mod[m]; printf "  %-32s %5d B   (FreeRTOS %s B)\n", "kernel .text linked", tot, REF }' REF="$1"
    echo "  TCB (sizeof ars_rtos_task)       $TCB B     (FreeRTOS $2 B)"
    awk -v e="$5" -v y="$6" -v qq="$7" -v ry="$3" -v rq="$4" 'BEGIN {
        printf "  instructions per yield switch    %.1f    (FreeRTOS %s)\n", (y - e) / 200.0, ry
        printf "  queue send->receive round trip   %.1f   (FreeRTOS %s)\n", (qq - e) / 100.0, rq }'
}
EXTRA="$*"
run_board an385 5203 76 60 673
run_board rv32 6625 76 123 795
