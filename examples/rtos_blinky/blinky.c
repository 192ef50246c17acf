/* blinky.c - arsenal_rtos.h on real (QEMU) firmware: two tasks, a queue and
   a software timer.

   A periodic timer (every 100 ticks = 100 ms) posts the time into a queue
   from timer context (an interrupt). The blink task takes each post, toggles
   LED 0 and forwards a line to the report task, which writes it to the UART.
   A key task reads the UART with a deadline (it never hangs when nothing is
   typed): 'f' makes the blinks twice as fast, 's' twice as slow (reported
   as a "rate" line). After 10 blinks the program ends.

   Build and boot (from this directory):
       make              builds blinky-an385.elf (Cortex-M3) and blinky-rv32.elf
       make run-rtos     boots both in QEMU (-icount: deterministic output;
                         stdin is /dev/null there, so no key comes)
       printf f | qemu-system-arm -M mps2-an385 -nographic -monitor none \
           -semihosting-config enable=on,target=native -kernel blinky-an385.elf
                         a key on QEMU's stdin (UART0): blinks every 50 ms
   The same file builds on Linux as ../rtos_hosted.c (hosted port), where
   the keys come from stdin: `printf f > keys; ./rtos_hosted < keys`. Hosted
   time is simulated and does not wait for a terminal or a slow pipe: only
   input that is already there when the program starts is sure to be seen;
   at the end of stdin the key task ends. */
#define ARSENAL_RTOS_IMPLEMENTATION
#ifndef ARSENAL_RTOS_HAL_HOSTED
#if defined(__arm__)
#define ARSENAL_RTOS_HAL_MPS2
#define ARSENAL_RTOS_TICK_HOOK() board_tick()   /* keeps board_millis() going */
#else
#define ARSENAL_RTOS_HAL_VIRT
#endif
#include "board.h"                              /* from ../../firmware */
#endif
#include "../../arsenal_rtos.h"

#define BLINKS 10

static ars_rtos_task blink_task, report_task, key_task;
#ifdef ARSENAL_RTOS_HAL_HOSTED
#define STACK_BYTES 65536          /* hosted stacks also hold a ucontext */
#else
#define STACK_BYTES 1024
#endif
static uint64_t blink_stack[STACK_BYTES / 8], report_stack[STACK_BYTES / 8], key_stack[STACK_BYTES / 8];
static ars_rtos_queue ticks_q, lines_q;
static ars_rtos_tick_t ticks_buf[4];
typedef struct { char text[24]; } line;
static line lines_buf[4];
static ars_rtos_timer beat;

static void on_beat(ars_rtos_timer *t, void *arg) {
    ars_rtos_tick_t now = ars_rtos_now();
    (void)t; (void)arg;
    ars_rtos_queue_send(&ticks_q, &now, ARS_RTOS_NOWAIT);   /* interrupt-safe */
}

static void put_num(char *p, unsigned v, int width) {
    while (width--) { p[width] = (char)('0' + v % 10); v /= 10; }
}

static void blink(void *arg) {
    ars_rtos_tick_t when;
    int n;
    (void)arg;
    for (n = 1; n <= BLINKS; n++) {
        line l;
        const char *fmt = "t=00000 led0=x\n";
        int i;
        ars_rtos_queue_recv(&ticks_q, &when, ARS_RTOS_NEVER);
        ars_rtos_gpio_set(0, !ars_rtos_gpio_get(0));
        for (i = 0; fmt[i]; i++) l.text[i] = fmt[i];
        l.text[i] = 0;
        put_num(l.text + 2, (unsigned)when, 5);
        l.text[13] = ars_rtos_gpio_get(0) ? '1' : '0';
        ars_rtos_queue_send(&lines_q, &l, ARS_RTOS_NEVER);
    }
    ars_rtos_timer_stop(&beat);
    {
        line l = {{'d', 'o', 'n', 'e', '\n', 0}};
        ars_rtos_queue_send(&lines_q, &l, ARS_RTOS_NEVER);
    }
}

/* 'f' halves the blink period, 's' doubles it (10..1000 ticks) */
static void keys(void *arg) {
    ars_rtos_tick_t period = 100;
    (void)arg;
    for (;;) {
        char c;
        int r = ars_rtos_uart_read(&c, 1, ars_rtos_now() + 500);
        if (r == ARS_EEOF) return;                   /* hosted: stdin ended */
        if (r != 1 || (c != 'f' && c != 's')) continue;   /* timeout, other key */
        if (c == 'f' && period > 10) period /= 2;
        if (c == 's' && period < 1000) period *= 2;
        ars_rtos_timer_start(&beat, period, period);
        {
            line l = {{'r', 'a', 't', 'e', ' ', '0', '0', '0', '0', '\n', 0}};
            put_num(l.text + 5, (unsigned)period, 4);
            ars_rtos_queue_send(&lines_q, &l, ARS_RTOS_NEVER);
        }
    }
}

static void report(void *arg) {
    line l;
    (void)arg;
    for (;;) {
        size_t n = 0;
        ars_rtos_queue_recv(&lines_q, &l, ARS_RTOS_NEVER);
        while (l.text[n]) n++;
        ars_rtos_uart_write(l.text, n);
        if (l.text[0] == 'd') {
#ifdef ARSENAL_RTOS_HAL_HOSTED
            ars_rtos_stop(0);
#else
            board_exit(0);
#endif
        }
    }
}

int main(void) {
    ars_rtos_init();
    ars_rtos_queue_init(&ticks_q, ticks_buf, sizeof ticks_buf[0], 4);
    ars_rtos_queue_init(&lines_q, lines_buf, sizeof lines_buf[0], 4);
    ars_rtos_timer_init(&beat, on_beat, 0);
    ars_rtos_timer_start(&beat, 100, 100);
    ars_rtos_task_create(&blink_task, blink, 0, 2, blink_stack, sizeof blink_stack);
    ars_rtos_task_create(&report_task, report, 0, 1, report_stack, sizeof report_stack);
    ars_rtos_task_create(&key_task, keys, 0, 1, key_stack, sizeof key_stack);
    ars_rtos_uart_write("blinky\n", 7);
    return ars_rtos_start();
}
