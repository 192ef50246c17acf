/* board.h - bare-metal board support for Arsenal's firmware tests (QEMU).

   Boards (see tests/firmware.sh --list):
     an385   qemu-system-arm -M mps2-an385   Cortex-M3          firmware/mps2/
     an386   qemu-system-arm -M mps2-an386   Cortex-M4F (FPU)   firmware/mps2/
     rv32    qemu-system-riscv32 -M virt     RV32IMAC  ilp32    firmware/virt/
     rv32f   qemu-system-riscv32 -M virt     RV32IMAFC ilp32f   firmware/virt/
     rv32d   qemu-system-riscv32 -M virt     RV32IMAFDC ilp32d  firmware/virt/
     rv64    qemu-system-riscv64 -M virt     RV64IMAC  lp64     firmware/virt/
     rv64gc  qemu-system-riscv64 -M virt     RV64IMAFDC lp64d   firmware/virt/

   Reset code copies .data, zeroes .bss, sets the stack (16 KiB at least, at
   the top of RAM), enables the FPU when the build uses one (CPACR on
   Cortex-M, mstatus.FS on RISC-V), starts the millisecond clock, calls
   `int main(void)` and then board_exit(main's return value).

   Faults (HardFault/MemManage/BusFault/UsageFault/NMI on Cortex-M, any trap
   on RISC-V) print one line with the cause and PC over the UART and exit
   with status BOARD_FAULT_EXIT (99).

   The main stack is the top __stack_size bytes of RAM (16 KiB unless the
   link says -Wl,--defsym=__stack_size=N); its lowest words are painted at
   reset and checked by board_exit(): a program that ran deeper reports
   "FAULT main stack overflowed" and exits nonzero even if main returned 0.

   Handlers an RTOS may own are weak and can be replaced by defining a
   strong symbol of the same name:
     Cortex-M: SVC_Handler, PendSV_Handler, SysTick_Handler
               (a replacement SysTick_Handler should call board_tick() once
               per millisecond, or board_millis() stops advancing);
     RISC-V:   board_trap_vector (mtvec, direct mode, 4-byte aligned).
   RISC-V board_millis() reads CLINT mtime directly and needs no interrupt.

   The memory functions below are weak: newlib, picolibc or the user may
   provide their own.
*/
#ifndef ARS_BOARD_H
#define ARS_BOARD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BOARD_FAULT_EXIT 99

void ars_test_putc(char c);     /* UART, blocking */
void board_puts(const char *s); /* ars_test_putc for each char */
void board_puthex(uintptr_t v); /* "0x" and all hex digits of v */
void board_exit(int code)       /* QEMU exits with status code & 0xff (nonzero stays nonzero) */
    __attribute__((noreturn));
uint32_t board_millis(void);    /* ms since boot */
void board_tick(void);          /* Cortex-M: advance the ms clock by one (called from SysTick) */
const char *board_name(void);   /* "an385", "rv32", ... */

#if defined(__riscv)
/* Prints "FAULT <cause> mcause=.. mepc=.. mtval=.. sp=.. ra=.." and exits
   with BOARD_FAULT_EXIT. An RTOS that owns board_trap_vector can pass the
   exceptions it does not handle here. */
void board_trap_fault(uintptr_t mcause, uintptr_t mepc, uintptr_t mtval, uintptr_t sp, uintptr_t ra)
    __attribute__((noreturn));
#endif

/* Free RAM between the end of .bss and the bottom of the main stack. */
void *board_heap_start(void);
size_t board_heap_size(void);

/* Provided weakly by firmware/common.c. */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#ifdef __cplusplus
}
#endif

#endif /* ARS_BOARD_H */
