/* mps2/startup.c - reset, vectors, UART, SysTick and exit for QEMU's
   mps2-an385 (Cortex-M3) and mps2-an386 (Cortex-M4F); see ../board.h.

   Memory (QEMU 7.2, checked): 4 MiB ZBT SSRAM1 at 0x00000000 holds vectors,
   code and the .data image (link.ld calls it ROM); 4 MiB ZBT SSRAM2/3 at
   0x20000000 holds .data, .bss, the free heap and the main stack at the top.
   Exit goes through semihosting SYS_EXIT_EXTENDED, so QEMU must run with
   -semihosting-config enable=on,target=native.
*/
#include "board.h"

#define BOARD__REG(a) (*(volatile uint32_t *)(uintptr_t)(a))

/* CMSDK APB UART0 */
#define UART0_DATA     BOARD__REG(0x40004000u)
#define UART0_STATE    BOARD__REG(0x40004004u)
#define UART0_CTRL     BOARD__REG(0x40004008u)
#define UART0_BAUDDIV  BOARD__REG(0x40004010u)
/* System control block and SysTick */
#define SYST_CSR       BOARD__REG(0xE000E010u)
#define SYST_RVR       BOARD__REG(0xE000E014u)
#define SYST_CVR       BOARD__REG(0xE000E018u)
#define SCB_VTOR       BOARD__REG(0xE000ED08u)
#define SCB_SHPR3      BOARD__REG(0xE000ED20u)
#define SCB_CFSR       BOARD__REG(0xE000ED28u)
#define SCB_HFSR       BOARD__REG(0xE000ED2Cu)
#define SCB_MMFAR      BOARD__REG(0xE000ED34u)
#define SCB_BFAR       BOARD__REG(0xE000ED38u)
#define SCB_CPACR      BOARD__REG(0xE000ED88u)

#define BOARD__CPU_HZ  25000000u
#define BOARD__NUM_IRQ 32

extern uint32_t __data_start[], __data_end[], __data_load[], __bss_start[], __bss_end[];
extern uint32_t __stack_top[], __ram_start[], __ram_end[];
extern void (*__init_array_start[])(void), (*__init_array_end[])(void);
int main(void);
void board__stack_paint(void);
int board__exit_code(int code);

static volatile uint32_t board__ms;
/* Faults report on their own stack (extern only so the asm can name it). */
__attribute__((aligned(8))) uint32_t board__fault_stack[256];

const char *board_name(void) {
#if defined(__ARM_FP)
    return "an386";
#else
    return "an385";
#endif
}

void ars_test_putc(char c) {
    while (UART0_STATE & 1u) { } /* TX buffer full */
    UART0_DATA = (uint32_t)(unsigned char)c;
}

void board_exit(int code) {
    volatile uint32_t block[2];
    code = board__exit_code(code);
    block[0] = 0x20026u;                           /* ADP_Stopped_ApplicationExit */
    block[1] = (uint32_t)code;
    {
        register uint32_t r0 __asm__("r0") = 0x20u; /* SYS_EXIT_EXTENDED */
        register volatile uint32_t *r1 __asm__("r1") = block;
        __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    }
    for (;;) __asm__ volatile("wfi");
}

void board_tick(void) { board__ms = board__ms + 1u; }
uint32_t board_millis(void) { return board__ms; }

/* ---- exceptions ---------------------------------------------------- */

static const char *board__exc_name(uint32_t n) {
    switch (n) {
    case 2: return "NMI";
    case 3: return "HardFault";
    case 4: return "MemManage";
    case 5: return "BusFault";
    case 6: return "UsageFault";
    case 11: return "SVCall";
    case 12: return "DebugMonitor";
    case 14: return "PendSV";
    case 15: return "SysTick";
    default: return n >= 16 ? "IRQ" : "exception";
    }
}

/* Called by board__fault_entry on the fault stack; frame = the stacked
   r0-r3, r12, lr, pc, xpsr of the interrupted code. */
__attribute__((used, noreturn)) void board__fault(uint32_t *frame, uint32_t exc_return);
void board__fault(uint32_t *frame, uint32_t exc_return) {
    uint32_t ipsr, cfsr = SCB_CFSR, hfsr = SCB_HFSR;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    ipsr &= 0x1ffu;
    board_puts("\nFAULT ");
    board_puts(board__exc_name(ipsr));
    if (ipsr >= 16) { board_puts(" #"); board_puthex(ipsr - 16); }
    if ((uintptr_t)frame >= (uintptr_t)__ram_start && (uintptr_t)(frame + 8) <= (uintptr_t)__ram_end) {
        board_puts(" pc="); board_puthex(frame[6]);
        board_puts(" lr="); board_puthex(frame[5]);
    } else {
        board_puts(" sp="); board_puthex((uintptr_t)frame); board_puts(" (bad stack)");
    }
    board_puts(" exc_return="); board_puthex(exc_return);
    board_puts(" cfsr="); board_puthex(cfsr);
    board_puts(" hfsr="); board_puthex(hfsr);
    if (cfsr & 0x80u) { board_puts(" mmfar="); board_puthex(SCB_MMFAR); }
    if (cfsr & 0x8000u) { board_puts(" bfar="); board_puthex(SCB_BFAR); }
    ars_test_putc('\n');
    board_exit(BOARD_FAULT_EXIT);
    for (;;) { }
}

/* Picks the stack the exception frame went to, switches to the fault
   stack (the main stack may be the thing that overflowed) and reports. */
__attribute__((naked)) static void board__fault_entry(void) {
    __asm__ volatile(
        "tst   lr, #4\n"
        "ite   eq\n"
        "mrseq r0, msp\n"
        "mrsne r0, psp\n"
        "mov   r1, lr\n"
        "movw  r2, #:lower16:board__fault_stack+1024\n"
        "movt  r2, #:upper16:board__fault_stack+1024\n"
        "mov   sp, r2\n"
        "b     board__fault\n");
}

void NMI_Handler(void) __attribute__((weak, alias("board__fault_entry")));
void HardFault_Handler(void) __attribute__((weak, alias("board__fault_entry")));
void MemManage_Handler(void) __attribute__((weak, alias("board__fault_entry")));
void BusFault_Handler(void) __attribute__((weak, alias("board__fault_entry")));
void UsageFault_Handler(void) __attribute__((weak, alias("board__fault_entry")));
void DebugMon_Handler(void) __attribute__((weak, alias("board__fault_entry")));
/* An RTOS port replaces these three. */
void SVC_Handler(void) __attribute__((weak, alias("board__fault_entry")));
void PendSV_Handler(void) __attribute__((weak, alias("board__fault_entry")));
__attribute__((weak)) void SysTick_Handler(void) { board_tick(); }
/* External interrupts: nothing is enabled in the NVIC, so any is a bug. */
void Default_IRQHandler(void) __attribute__((weak, alias("board__fault_entry")));

__attribute__((noreturn)) void Reset_Handler(void);

/* Entry 0 is the initial MSP, the rest are handlers. */
typedef union { void (*fn)(void); void *sp; } board__vector;

__attribute__((used, section(".vectors")))
static const board__vector board__vectors[16 + BOARD__NUM_IRQ] = {
    {.sp = __stack_top}, {Reset_Handler}, {NMI_Handler}, {HardFault_Handler},
    {MemManage_Handler}, {BusFault_Handler}, {UsageFault_Handler}, {0},
    {0}, {0}, {0}, {SVC_Handler},
    {DebugMon_Handler}, {0}, {PendSV_Handler}, {SysTick_Handler},
#define BOARD__I4 {Default_IRQHandler}, {Default_IRQHandler}, {Default_IRQHandler}, {Default_IRQHandler}
    BOARD__I4, BOARD__I4, BOARD__I4, BOARD__I4, BOARD__I4, BOARD__I4, BOARD__I4, BOARD__I4,
#undef BOARD__I4
};

void Reset_Handler(void) {
    uint32_t *d, *s;
    void (**f)(void);
#if defined(__ARM_FP)
    /* CP10 and CP11 full access before any floating-point instruction. */
    SCB_CPACR |= 0xFu << 20;
    __asm__ volatile("dsb\n isb" ::: "memory");
#endif
    for (d = __data_start, s = __data_load; d < __data_end;) *d++ = *s++;
    for (d = __bss_start; d < __bss_end;) *d++ = 0;
    board__stack_paint();

    UART0_BAUDDIV = 16;
    UART0_CTRL = 1; /* TX enable; without it output is dropped */

    SCB_VTOR = (uint32_t)(uintptr_t)board__vectors;
    SCB_SHPR3 = 0xFFFF0000u; /* PendSV and SysTick at the lowest priority */
    SYST_RVR = BOARD__CPU_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7; /* processor clock, interrupt, enable */
    __asm__ volatile("cpsie i" ::: "memory");

    for (f = __init_array_start; f < __init_array_end; f++) (*f)();
    board_exit(main());
    for (;;) { }
}
