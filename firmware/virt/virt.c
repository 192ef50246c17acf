/* virt/virt.c - UART, exit, clock and fault report for QEMU's RISC-V virt
   machine; reset code is in startup.S. See ../board.h.

   NS16550 UART at 0x10000000, SiFive test device at 0x100000 (exit),
   CLINT mtime at 0x200BFF8 counting at 10 MHz. */
#include "board.h"

#define BOARD__UART_THR (*(volatile uint8_t *)(uintptr_t)0x10000000u)
#define BOARD__UART_LSR (*(volatile uint8_t *)(uintptr_t)0x10000005u)
#define BOARD__TEST_DEV (*(volatile uint32_t *)(uintptr_t)0x00100000u)
#define BOARD__MTIME_LO (*(volatile uint32_t *)(uintptr_t)0x0200BFF8u)
#define BOARD__MTIME_HI (*(volatile uint32_t *)(uintptr_t)0x0200BFFCu)
#define BOARD__MTIME_HZ 10000000u

extern void (*__init_array_start[])(void), (*__init_array_end[])(void);
int main(void);
void board__stack_paint(void);
int board__exit_code(int code);

const char *board_name(void) {
#if __riscv_xlen == 64
#if defined(__riscv_flen) && __riscv_flen >= 64
    return "rv64gc";
#else
    return "rv64";
#endif
#else
#if defined(__riscv_flen) && __riscv_flen >= 64
    return "rv32d";
#elif defined(__riscv_flen)
    return "rv32f";
#elif defined(__riscv_32e) || defined(__riscv_e)
    return "rv32e";
#else
    return "rv32";
#endif
#endif
}

void ars_test_putc(char c) {
    while (!(BOARD__UART_LSR & 0x20u)) { } /* wait for THR empty */
    BOARD__UART_THR = (uint8_t)c;
}

void board_exit(int code) {
    code = board__exit_code(code);
    BOARD__TEST_DEV = code ? ((uint32_t)code << 16) | 0x3333u : 0x5555u;
    for (;;) __asm__ volatile("wfi");
}

static uint64_t board__mtime(void) {
#if __riscv_xlen == 64
    return *(volatile uint64_t *)(uintptr_t)0x0200BFF8u;
#else
    uint32_t hi, lo;
    do { hi = BOARD__MTIME_HI; lo = BOARD__MTIME_LO; } while (hi != BOARD__MTIME_HI);
    return (uint64_t)hi << 32 | lo;
#endif
}

uint32_t board_millis(void) { return (uint32_t)(board__mtime() / (BOARD__MTIME_HZ / 1000u)); }
void board_tick(void) { /* mtime runs by itself */ }

__attribute__((noreturn)) void board__start(void);
void board__start(void) {
    void (**f)(void);
    board__stack_paint();
    for (f = __init_array_start; f < __init_array_end; f++) (*f)();
    board_exit(main());
    for (;;) { }
}

static const char *board__cause_name(uintptr_t cause) {
    static const char *const names[] = {
        "instruction address misaligned", "instruction access fault", "illegal instruction",
        "breakpoint", "load address misaligned", "load access fault",
        "store address misaligned", "store access fault", "ecall from U-mode",
        "ecall from S-mode", "reserved", "ecall from M-mode",
        "instruction page fault", "load page fault", "reserved", "store page fault"};
    if ((intptr_t)cause < 0) return "unexpected interrupt";
    return cause < sizeof names / sizeof names[0] ? names[cause] : "exception";
}

/* Entered from board_trap_vector on the trap stack; see board.h. */
void board_trap_fault(uintptr_t cause, uintptr_t epc, uintptr_t tval, uintptr_t sp, uintptr_t ra) {
    board_puts("\nFAULT ");
    board_puts(board__cause_name(cause));
    board_puts(" mcause="); board_puthex(cause);
    board_puts(" mepc="); board_puthex(epc);
    board_puts(" mtval="); board_puthex(tval);
    board_puts(" sp="); board_puthex(sp);
    board_puts(" ra="); board_puthex(ra);
    ars_test_putc('\n');
    board_exit(BOARD_FAULT_EXIT);
    for (;;) { }
}
