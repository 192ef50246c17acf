/* rtos_m0_board.c - just enough board support to boot tests/test_rtos.c on
   a Cortex-M0 in QEMU: `-M microbit` (nRF51822: 256 KiB flash at 0,
   16 KiB RAM at 0x20000000, UART0 at 0x40002000, 16 MHz). firmware/ has no
   M0 board; tests/rtos_m0.sh builds and boots with this file. Provides
   what firmware/board.h declares for the test: ars_test_putc, board_exit
   (semihosting SYS_EXIT_EXTENDED), board_tick, the mem* functions. */
#include <stddef.h>
#include <stdint.h>

#define REG(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define UART_STARTTX 0x40002008u
#define UART_TXDRDY  0x4000211Cu
#define UART_ENABLE  0x40002500u
#define UART_TXD     0x4000251Cu

extern uint32_t __data_start[], __data_end[], __data_load[], __bss_start[], __bss_end[], __stack_top[];
int main(void);
void board_exit(int code) __attribute__((noreturn));
void ars_rtos_pendsv_handler(void);
void ars_rtos_systick_handler(void);

static volatile uint32_t ms;
void board_tick(void) { ms = ms + 1u; }
uint32_t board_millis(void) { return ms; }
const char *board_name(void) { return "microbit-m0"; }

void ars_test_putc(char c) {
    uint32_t spin = 100000;
    if (REG(UART_ENABLE) != 4u) { REG(UART_ENABLE) = 4u; REG(UART_STARTTX) = 1u; }
    REG(UART_TXDRDY) = 0;
    REG(UART_TXD) = (uint32_t)(unsigned char)c;
    while (!REG(UART_TXDRDY) && --spin) {}
}
void board_puts(const char *s) { while (*s) ars_test_putc(*s++); }

void board_exit(int code) {
    volatile uint32_t block[2];
    block[0] = 0x20026u;
    block[1] = (uint32_t)code;
    {
        register uint32_t r0 __asm__("r0") = 0x20u;
        register volatile uint32_t *r1 __asm__("r1") = block;
        __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    }
    for (;;) {}
}

void *memcpy(void *d, const void *s, size_t n) { unsigned char *a = (unsigned char *)d; const unsigned char *b = (const unsigned char *)s; while (n--) *a++ = *b++; return d; }
void *memset(void *d, int c, size_t n) { unsigned char *a = (unsigned char *)d; while (n--) *a++ = (unsigned char)c; return d; }
void *memmove(void *d, const void *s, size_t n) {
    unsigned char *a = (unsigned char *)d; const unsigned char *b = (const unsigned char *)s;
    if (a < b) while (n--) *a++ = *b++; else { a += n; b += n; while (n--) *--a = *--b; }
    return d;
}
int memcmp(const void *x, const void *y, size_t n) {
    const unsigned char *a = (const unsigned char *)x, *b = (const unsigned char *)y;
    for (; n; n--, a++, b++) if (*a != *b) return *a - *b;
    return 0;
}

static void fault(void) { board_puts("\nFAULT m0\n"); board_exit(99); }
void reset(void) {
    uint32_t *s = __data_load, *d = __data_start;
    while (d < __data_end) *d++ = *s++;
    for (d = __bss_start; d < __bss_end; d++) *d = 0;
    board_exit(main());
}
__attribute__((section(".vectors"), used)) static void (*const vectors[16 + 32])(void) = {
    (void (*)(void))(uintptr_t)__stack_top, reset, fault, fault, 0, 0, 0, 0, 0, 0, 0, fault, 0, 0,
    ars_rtos_pendsv_handler, ars_rtos_systick_handler,
};
