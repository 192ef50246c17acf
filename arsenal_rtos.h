/* arsenal_rtos.h - v0.1.0 - a small preemptive fixed-priority kernel for
   microcontrollers (Cortex-M, RISC-V) with a hosted Linux port for tests.

   Do this:
       #define ARSENAL_RTOS_IMPLEMENTATION
   before you include this file in *one* C or C++ file to create the
   implementation (ARSENAL_IMPLEMENTATION switches on every Arsenal header).

   CONFIGURATION (define before including; default in brackets)
     ARSENAL_RTOS_API           [extern] visibility of every function
     ARSENAL_RTOS_STATIC        [off] make the whole implementation static
     ARSENAL_ASSERT(c)          [nothing] internal consistency checks
     ARSENAL_RTOS_PRIORITIES    [8] number of priorities, 2..32; 0 is the idle
                                task's, higher numbers preempt lower ones
     ARSENAL_RTOS_TIMESLICE     [1] round-robin slice in ticks among tasks of
                                one priority; 0 turns round-robin off
     ARSENAL_RTOS_TICK_HZ       [1000] tick rate; 1 tick = 1 ms by default
     ARSENAL_RTOS_CPU_HZ        [25000000 Cortex-M, 10000000 RISC-V] clock of
                                SysTick / of the CLINT mtime counter
     ARSENAL_RTOS_STACK_CHECK   [1] check the stack pointer against the stack's
                                bounds and its canary word at every switch
     ARSENAL_RTOS_TICK_HOOK()   [nothing] called at the start of every tick
                                interrupt (e.g. a board's millisecond clock);
                                with TICKLESS one call may stand for many
                                ticks (ars_rtos_now() has the count), and
                                the idle task calls it when it counts ticks
                                itself (Cortex-M: after an early wake-up;
                                RISC-V: after every idle sleep; hosted:
                                once per jump of simulated time)
     ARSENAL_RTOS_TICKLESS      [0] idle skips the tick interrupts up to the
                                next wake-up (SysTick period stretched /
                                mtimecmp moved); the tick count stays exact
     ARSENAL_RTOS_IDLE_STACK    [512 B Cortex-M, 1 KiB RISC-V, 64 KiB hosted]
     ARSENAL_RTOS_CLINT         [0x2000000] CLINT base (RISC-V)
     ARSENAL_RTOS_NO_HANDLER_NAMES [off] Cortex-M: do not define the CMSIS
                                names PendSV_Handler / SysTick_Handler; put
                                ars_rtos_pendsv_handler / _systick_handler
                                in your vector table yourself
     ARSENAL_RTOS_MEMCPY(d,s,n) [a byte loop] copy used by queues
     ARSENAL_RTOS_HAL_MPS2, _HAL_VIRT, _HAL_HOSTED [off] compile the minimal
                                HAL (UART write/read, GPIO set/get) for that
                                board (QEMU mps2-an38x, RISC-V virt, Linux)
     Ports are detected: ARSENAL_RTOS_PORT_CORTEX_M, _RISCV, _HOSTED (any
     POSIX compiler with <ucontext.h>) may be defined to force one.

   EXAMPLE
       #define ARSENAL_RTOS_IMPLEMENTATION
       #include "arsenal_rtos.h"
       static ars_rtos_task ta, tb;
       static uint32_t sa[256], sb[256];
       static ars_rtos_sem sem;
       static volatile unsigned beats;
       static void producer(void *arg) {      // every 100 ticks, no drift
           ars_rtos_tick_t t = ars_rtos_now();
           for (;;) { ars_rtos_delay_until(&t, 100); ars_rtos_sem_give(&sem); }
       }
       static void consumer(void *arg) {
           for (;;) if (ars_rtos_sem_take(&sem, ars_rtos_now() + 500) == 0) beats++;
       }
       int main(void) {
           ars_rtos_init();
           ars_rtos_sem_init(&sem, 0, 1);        // binary
           ars_rtos_task_create(&ta, producer, 0, 2, sa, sizeof sa);
           ars_rtos_task_create(&tb, consumer, 0, 1, sb, sizeof sb);
           return ars_rtos_start();             // firmware: never returns
       }
   More: examples/rtos_blinky/ (firmware), examples/rtos_hosted.c (Linux).

   TIME: the unit is the tick. Blocking calls take an absolute deadline
   (ars_rtos_now() + n); ARS_RTOS_NEVER waits forever, ARS_RTOS_NOWAIT (0)
   does not block (ARS_EAGAIN when it would have to); a deadline that passes
   gives ARS_ETIMEDOUT. Comparisons are wrap-safe for deadlines < 2^31 ticks
   away; the two values 0 and 0xFFFFFFFF are reserved: a deadline computed
   as ars_rtos_now() + n that lands on one of them means NOWAIT or NEVER.
   Delays, delay_until and timers have no such values: they end on every
   tick, 0xFFFFFFFF too. A wait that ars_rtos_task_suspend cuts short
   returns ARS_ECANCELED once the task is resumed; so does one that was
   handed its unit but had not run yet (the unit goes back, see CAVEATS).

   SCHEDULING: the highest-priority ready task runs; tasks of one priority
   share the CPU in time slices (the slice counter is global: a task that
   yields hands the rest of its slice on). Mutexes lend a waiter's priority
   to the owner, along chains of owners; the owner's priority is recomputed
   from what it still holds whenever a mutex is released, a waiter times
   out or leaves, or a priority is set (so it steps down one mutex at a
   time). Queues copy items; a waiting receiver gets the item straight into
   its buffer.

   INTERRUPTS: one API. Calls that make sense in an interrupt (sem give/take
   with NOWAIT, queue send/receive with NOWAIT, event set/clear/wait with
   NOWAIT, task resume, timer start/stop, now) detect interrupt context and
   work there; a call that would block, a mutex call, delay, yield, create,
   delete, suspend and priority set return ARS_EISR there, doing nothing.
   A task that masked interrupts itself (Cortex-M: PRIMASK, cpsid i; on
   M3/M4/M7 also BASEPRI raised above 0, as in FreeRTOS's critical
   sections, which masks PendSV at its lowest priority; RISC-V:
   mstatus.MIE cleared) cannot be switched away from, so a call that
   would block there (a wait with a deadline other than NOWAIT, a
   delay, delay_until, ars_rtos_uart_read) returns ARS_EISR too, doing
   nothing (delay_until leaves *prev as it is); the other calls work, and
   the switch one of them (a give that wakes a higher task, a yield, which
   returns 0) asks for happens when the task unmasks interrupts.
   Software timer callbacks run in the tick interrupt (timer context): they
   may use the interrupt-safe calls.

   PORTS
     Cortex-M0/M0+ (ARMv6-M), M3, M4F, M7 (ARMv7-M/E-M, FPU contexts with lazy
       stacking: s16-s31 are saved only for tasks that used the FPU): SysTick
       tick, PendSV switch, PRIMASK critical sections. The kernel defines
       PendSV_Handler and SysTick_Handler (unless NO_HANDLER_NAMES); other
       interrupts stay yours.
     RISC-V rv32/rv64, with or without F/D (M-mode; the port uses CSR
       instructions: with GCC 12 or later build with -march=..._zicsr, or
       -misa-spec=2.2 as tests/firmware.sh does): the kernel installs its
       own trap vector (mtvec, direct mode); CLINT mtimecmp tick, machine
       software interrupt (msip) as the deferred switch; a task that blocks
       or yields switches directly, saving only callee-saved registers. Other
       traps (exceptions, external interrupts) go to the hook set with
       ars_rtos_set_trap_hook(fn(mcause, mepc)), else the CPU halts. The
       task resumes at the CSR mepc as the hook leaves it: one that handles
       an exception (ecall, an emulated instruction) writes mepc past it.
     Hosted (Linux/POSIX, ucontext): tasks run one at a time in one thread;
       time advances only when the program says so: ars_rtos_hosted_tick(n)
       simulates n tick interrupts at that point, ars_rtos_hosted_irq(fn, arg)
       runs fn as an interrupt, and when every task is blocked the idle task
       jumps time straight to the next wake-up (like tickless idle).
       ars_rtos_start() returns on ars_rtos_stop(code) (code) or when no
       task can ever run again (ARS_EBUSY). Works under ASan (fiber
       annotations) and Valgrind.
     Tested in QEMU: mps2-an385 (M3), -an386 (M4F), -an500 (M7), microbit
     (M0), RISC-V virt rv32/rv32f/rv64/rv64gc; hosted on x86_64, i686,
     aarch64, armhf, riscv64 Linux.

   CAVEATS
     - Deleting a task that holds a mutex is refused (ARS_EBUSY). A task
       whose function returns deletes itself, or, if it still holds a
       mutex, is suspended (the mutex stays held).
     - A give, send or unlock hands its unit (a count, a queue item copied
       into the receiver's buffer, the mutex) straight to the first
       waiter. Until that task has run, a count or an item keeps its room
       in the object: a semaphore is at its max, a queue full, counting
       the units handed out and not taken yet (a give then fails with
       ARS_EOVERFLOW, a send blocks or fails with ARS_EAGAIN, as in a
       kernel where the unit waits in the object for the task). If the
       task is suspended or deleted before it has run, the unit goes back:
       to the next waiter, else to the object (a queue item first in line,
       ahead of the items sent after it). So nothing a give or send
       returned 0 for is lost. A mutex handed over that way does not make
       the delete ARS_EBUSY. Event bits a waiter cleared
       (ARS_RTOS_EV_CLEAR) are not given back.
     - Stack overflow is detected at switch time, after the fact (as in every
       kernel without an MPU): the hook (ars_rtos_set_overflow_hook) runs in
       the switch interrupt and the task is suspended, as by
       ars_rtos_task_suspend (a unit handed to it and not taken yet goes
       back). Its stack and maybe its neighbour's memory are damaged: delete
       it (or reset the system) rather than resume it, which the kernel does
       not refuse (the check would cost code size). With no hook the CPU
       spins there.
     - RISC-V: interrupts run on the interrupted task's stack (a frame of 32
       registers plus FP state, then the tick and timer callbacks): size every
       task's stack for that. Cortex-M interrupts use the main stack.
     - Cortex-M tickless: each stretched SysTick period restarts the counter
       (a few CPU cycles of drift per sleep). An interrupt other than SysTick
       during a stretched period makes idle count the ticks that passed and
       resynchronise to the tick edge (checked in QEMU against a free-running
       APB timer); the tick hook and timer callbacks of that count run in
       the idle task, with ars_rtos_in_isr() true. Under QEMU's -icount
       sleep=off every WFI sleep lasts twice the time to the next timer
       deadline (measured on SysTick, the APB timers and the FPGAIO counter
       alike): there an idle tick spans 2 ms of virtual time. Real hardware
       does not do this.
     - RISC-V tickless: idle counts the ticks of each sleep itself and moves
       mtimecmp back to the next tick edge before it unmasks interrupts, so
       an interrupt that ends a sleep early and is taken before the timer's
       (MEI > MSI > MTI; QEMU without AIA: lowest cause number first) sees
       the current tick count (checked in QEMU virt against mtime, with a
       PLIC and an Sstc timer interrupt; -icount sleep=off does not distort
       sleeps there). The tick hook and timer callbacks then run in the
       idle task, with ars_rtos_in_isr() true.
     - Hosted stacks hold the ucontext too: give tasks >= 16 KiB there.

   NAVIGATION (grep for the markers)
     >>api  >>config  >>port-hosted  >>port-cm  >>port-rv  >>lists
     >>sched  >>tick  >>task  >>sem  >>mutex  >>queue  >>event  >>timer  >>hal
*/
#ifndef ARSENAL_RTOS_H
#define ARSENAL_RTOS_H

#define ARSENAL_RTOS_VERSION_MAJOR 0
#define ARSENAL_RTOS_VERSION_MINOR 1
#define ARSENAL_RTOS_VERSION_PATCH 0

/* >>common: identical in every arsenal_*.h (tests/check_common.sh compares) */
#ifndef ARSENAL_COMMON_BLOCK_V1
#define ARSENAL_COMMON_BLOCK_V1
#include <stddef.h>
#include <stdint.h>
/* Error codes: 0 is success, negative is failure. One list makes the enum
   and ars_strerror(). */
#define ARS__ERRORS(X) \
    X(ARS_OK,          0,  "success") \
    X(ARS_EINVAL,     -1,  "invalid argument") \
    X(ARS_ENOMEM,     -2,  "out of memory") \
    X(ARS_ETIMEDOUT,  -3,  "deadline passed") \
    X(ARS_ECANCELED,  -4,  "operation canceled") \
    X(ARS_ECLOSED,    -5,  "closed") \
    X(ARS_EAGAIN,     -6,  "would block") \
    X(ARS_ESTATE,     -7,  "wrong state for this call") \
    X(ARS_EOVERFLOW,  -8,  "value too large") \
    X(ARS_ECORRUPT,   -9,  "corrupt or truncated data") \
    X(ARS_EEOF,       -10, "end of stream") \
    X(ARS_ECONNRESET, -11, "connection reset by peer") \
    X(ARS_ECONNREFUSED, -12, "connection refused") \
    X(ARS_EADDRINUSE, -13, "address in use") \
    X(ARS_EPIPE,      -14, "broken pipe") \
    X(ARS_EMFILE,     -15, "too many open files") \
    X(ARS_ENOTFOUND,  -16, "not found") \
    X(ARS_EPERM,      -17, "operation not permitted") \
    X(ARS_EBUSY,      -18, "resource busy") \
    X(ARS_EUNREACH,   -19, "network unreachable") \
    X(ARS_EISR,       -20, "not allowed in interrupt context") \
    X(ARS_EIO,        -21, "input/output error")
#define ARS__ERROR_ENUM(name, value, text) name = value,
enum ars_error { ARS__ERRORS(ARS__ERROR_ENUM) ARS__ERROR_LAST = -21 };
#undef ARS__ERROR_ENUM
/* Human-readable text of an ARS_E* code (or "unknown error"). */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((unused))
#endif
static const char *ars_strerror(int err) {
    switch (err) {
#define ARS__ERROR_CASE(name, value, text) case value: return text;
    ARS__ERRORS(ARS__ERROR_CASE)
#undef ARS__ERROR_CASE
    default: return "unknown error";
    }
}
/* Allocator: alloc returns memory aligned to `align` (a power of two) or
   NULL; free receives the size that was asked for. NULL allocator pointers
   mean the header's default (ARSENAL_MALLOC / ARSENAL_FREE, else malloc). */
typedef struct ars_allocator {
    void *(*alloc)(void *ctx, size_t size, size_t align);
    void (*free)(void *ctx, void *ptr, size_t size);
    void *ctx;
} ars_allocator;
#endif /* ARSENAL_COMMON_BLOCK_V1 */
/* <<common */

/* >>api ------------------------------------------------------------------ */
#ifndef ARSENAL_RTOS_API
#ifdef ARSENAL_RTOS_STATIC
#if defined(__GNUC__) || defined(__clang__)
#define ARSENAL_RTOS_API static __attribute__((unused))
#else
#define ARSENAL_RTOS_API static
#endif
#else
#define ARSENAL_RTOS_API extern
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t ars_rtos_tick_t;
#define ARS_RTOS_NEVER  ((ars_rtos_tick_t)0xFFFFFFFFu)
#define ARS_RTOS_NOWAIT ((ars_rtos_tick_t)0)

/* Task states (ars_rtos_task_state). */
enum {
    ARS_RTOS_READY = 0, ARS_RTOS_DELAYED, ARS_RTOS_SUSPENDED, ARS_RTOS_DELETED,
    ARS_RTOS_BLOCKED          /* waiting on an object (this and above) */
};

struct ars_rtos_mutex;
/* Task control block: caller-owned memory, fields private. 48 bytes on
   32-bit targets. The saved stack pointer must stay first (ports use it). */
typedef struct ars_rtos_task {
    void *sp;                              /* saved stack pointer / context */
    struct ars_rtos_task *next, *prev;     /* ready list or wait queue */
    struct ars_rtos_task *tnext;           /* timeout list (sorted) */
    struct ars_rtos_task **wq;             /* wait queue it sits in; ready: the
                                              object that handed it a unit it
                                              has not taken yet; or 0 */
    unsigned char *stack;                  /* lowest stack address (canary) */
    uint32_t stack_size;
    ars_rtos_tick_t wake;                  /* timeout / delay deadline */
    uintptr_t msg;                         /* wait payload (item, bits) */
    struct ars_rtos_mutex *held;           /* mutexes held, for inheritance */
    struct ars_rtos_task **rq;             /* ready list of its priority */
    uint8_t prio, base, state;             /* effective, own priority, state */
    int8_t result;                         /* result of the last wait */
} ars_rtos_task;

typedef struct ars_rtos_sem {
    ars_rtos_task *waiters;
    uint32_t held;                         /* handed to waiters, not taken yet */
    uint32_t count, max;
} ars_rtos_sem;

typedef struct ars_rtos_mutex {
    ars_rtos_task *waiters;                /* highest priority first */
    ars_rtos_task *owner;
    struct ars_rtos_mutex *next_held;      /* owner's list of held mutexes */
    uint16_t depth;                        /* recursion depth */
    uint8_t recursive, pad_;
} ars_rtos_mutex;

typedef struct ars_rtos_queue {
    ars_rtos_task *receivers;
    uint32_t held;                         /* handed to receivers, not taken yet */
    ars_rtos_task *senders;
    unsigned char *buf;
    uint32_t item, cap, count, head;
} ars_rtos_queue;

typedef struct ars_rtos_event {
    ars_rtos_task *waiters;
    uint32_t bits;
} ars_rtos_event;

/* event wait options */
#define ARS_RTOS_EV_ANY   0u  /* wake when any of the bits is set */
#define ARS_RTOS_EV_ALL   1u  /* wake when all of them are set */
#define ARS_RTOS_EV_CLEAR 2u  /* clear the awaited bits on success */

typedef struct ars_rtos_timer {
    struct ars_rtos_timer *next;
    ars_rtos_tick_t expiry, period;
    void (*fn)(struct ars_rtos_timer *t, void *arg);
    void *arg;
    uint8_t active;
} ars_rtos_timer;

/* kernel */
ARSENAL_RTOS_API int  ars_rtos_init(void);   /* resets the kernel, makes idle */
ARSENAL_RTOS_API int  ars_rtos_start(void);  /* firmware: never returns */
ARSENAL_RTOS_API void ars_rtos_stop(int code); /* hosted: start() returns code */
ARSENAL_RTOS_API ars_rtos_tick_t ars_rtos_now(void);
ARSENAL_RTOS_API int  ars_rtos_in_isr(void);
ARSENAL_RTOS_API void ars_rtos_tick(void);   /* the tick interrupt's body */
ARSENAL_RTOS_API void ars_rtos_set_overflow_hook(void (*hook)(ars_rtos_task *t));

/* tasks: prio 1..ARSENAL_RTOS_PRIORITIES-1; stack: caller memory, any
   alignment (trimmed to 8 bytes); ARS_EINVAL if what is left cannot hold
   the first context above the canary word (Cortex-M 72 B, RISC-V 144 B on
   rv32 up to 544 B on rv64gc, hosted about 1.1 KiB). t = NULL means the calling task, so it
   is valid only in a task (after ars_rtos_start), never in main before. A
   task suspended while in ars_rtos_delay/delay_until and later resumed
   returns from the delay at once, with 0 (the delay is not resumed).
   delay and delay_until return ARS_EISR in an interrupt or with interrupts
   masked (INTERRUPTS); delay(0) is a yield. */
ARSENAL_RTOS_API int  ars_rtos_task_create(ars_rtos_task *t, void (*fn)(void *), void *arg,
                                           unsigned prio, void *stack, size_t stack_size);
ARSENAL_RTOS_API int  ars_rtos_task_delete(ars_rtos_task *t);
ARSENAL_RTOS_API int  ars_rtos_task_suspend(ars_rtos_task *t);
ARSENAL_RTOS_API int  ars_rtos_task_resume(ars_rtos_task *t);
ARSENAL_RTOS_API int  ars_rtos_task_state(const ars_rtos_task *t);
ARSENAL_RTOS_API ars_rtos_task *ars_rtos_self(void);
ARSENAL_RTOS_API int  ars_rtos_yield(void);
ARSENAL_RTOS_API int  ars_rtos_delay(ars_rtos_tick_t ticks);
/* sleeps until *prev + period, then *prev += period (no drift) */
ARSENAL_RTOS_API int  ars_rtos_delay_until(ars_rtos_tick_t *prev, ars_rtos_tick_t period);
ARSENAL_RTOS_API int  ars_rtos_priority_get(const ars_rtos_task *t); /* effective */
ARSENAL_RTOS_API int  ars_rtos_priority_set(ars_rtos_task *t, unsigned prio);
/* bytes of the stack never touched so far (high-water mark) */
ARSENAL_RTOS_API size_t ars_rtos_stack_unused(const ars_rtos_task *t);

/* counting / binary (max 1) semaphores */
ARSENAL_RTOS_API int  ars_rtos_sem_init(ars_rtos_sem *s, uint32_t initial, uint32_t max);
ARSENAL_RTOS_API int  ars_rtos_sem_take(ars_rtos_sem *s, ars_rtos_tick_t deadline);
/* ARS_EOVERFLOW at max, counting the units handed to waiters that have
   not run yet (CAVEATS) */
ARSENAL_RTOS_API int  ars_rtos_sem_give(ars_rtos_sem *s);
ARSENAL_RTOS_API uint32_t ars_rtos_sem_count(const ars_rtos_sem *s);

/* mutexes with priority inheritance (not from interrupts) */
ARSENAL_RTOS_API int  ars_rtos_mutex_init(ars_rtos_mutex *m, int recursive);
ARSENAL_RTOS_API int  ars_rtos_mutex_lock(ars_rtos_mutex *m, ars_rtos_tick_t deadline);
ARSENAL_RTOS_API int  ars_rtos_mutex_unlock(ars_rtos_mutex *m);  /* ARS_EPERM if not owner */

/* message queues: copies items of item_size bytes into caller storage buf
   of cap * item_size bytes, at most 2^31 (else ARS_EINVAL). A queue is
   full with cap items in it or handed to receivers that have not run yet
   (CAVEATS); a send to a full queue waits. */
ARSENAL_RTOS_API int  ars_rtos_queue_init(ars_rtos_queue *q, void *buf, size_t item_size, size_t cap);
ARSENAL_RTOS_API int  ars_rtos_queue_send(ars_rtos_queue *q, const void *item, ars_rtos_tick_t deadline);
ARSENAL_RTOS_API int  ars_rtos_queue_recv(ars_rtos_queue *q, void *item, ars_rtos_tick_t deadline);
ARSENAL_RTOS_API uint32_t ars_rtos_queue_count(const ars_rtos_queue *q);

/* event flags (32 bits) */
ARSENAL_RTOS_API int  ars_rtos_event_init(ars_rtos_event *e, uint32_t bits);
ARSENAL_RTOS_API int  ars_rtos_event_set(ars_rtos_event *e, uint32_t bits);
ARSENAL_RTOS_API int  ars_rtos_event_clear(ars_rtos_event *e, uint32_t bits);
ARSENAL_RTOS_API uint32_t ars_rtos_event_get(const ars_rtos_event *e);
/* *got (may be NULL) receives the bits seen when the wait succeeded */
ARSENAL_RTOS_API int  ars_rtos_event_wait(ars_rtos_event *e, uint32_t bits, unsigned opts,
                                          uint32_t *got, ars_rtos_tick_t deadline);

/* software timers: fn runs in the tick interrupt; period 0 = one-shot */
ARSENAL_RTOS_API int  ars_rtos_timer_init(ars_rtos_timer *t, void (*fn)(ars_rtos_timer *, void *), void *arg);
ARSENAL_RTOS_API int  ars_rtos_timer_start(ars_rtos_timer *t, ars_rtos_tick_t delay, ars_rtos_tick_t period);
ARSENAL_RTOS_API int  ars_rtos_timer_stop(ars_rtos_timer *t);

/* hosted port only: simulate interrupts */
ARSENAL_RTOS_API void ars_rtos_hosted_tick(unsigned n);
ARSENAL_RTOS_API void ars_rtos_hosted_irq(void (*fn)(void *), void *arg);
#if defined(__arm__) && defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
/* Cortex-M port: the PendSV and SysTick handlers (also defined as
   PendSV_Handler and SysTick_Handler) */
ARSENAL_RTOS_API void ars_rtos_pendsv_handler(void);
ARSENAL_RTOS_API void ars_rtos_systick_handler(void);
#endif
/* RISC-V port: called for traps the kernel does not own (NULL: halt) */
ARSENAL_RTOS_API void ars_rtos_set_trap_hook(void (*hook)(uintptr_t mcause, uintptr_t mepc));

/* Minimal HAL, compiled with the implementation when a board is chosen:
   ARSENAL_RTOS_HAL_MPS2 (CMSDK UART0, LEDs in the FPGA I/O block),
   ARSENAL_RTOS_HAL_VIRT (NS16550 UART; virt has no GPIO block, so pins are
   a RAM word), ARSENAL_RTOS_HAL_HOSTED (stdout; stdin read without
   blocking, see below; RAM pins). */
#if defined(ARSENAL_RTOS_HAL_MPS2) || defined(ARSENAL_RTOS_HAL_VIRT) || defined(ARSENAL_RTOS_HAL_HOSTED)
ARSENAL_RTOS_API int  ars_rtos_uart_write(const void *buf, size_t n);     /* n */
/* Reads what has arrived, up to n bytes; if nothing has, waits for at least
   one byte, polling every tick. Returns the count (0 when n is 0),
   ARS_EAGAIN (NOWAIT, nothing there), ARS_ETIMEDOUT, or ARS_EISR (a wait
   asked for in an interrupt or with interrupts masked). Hosted: stdin
   (file descriptor 0, polled, so the other tasks keep running; bytes
   already taken into stdio's stdin buffer are not seen); ARS_EEOF at its
   end (always, without POSIX: no input there), ARS_EIO on a read error.
   Hosted time is simulated: while every task waits, ticks pass at once,
   so a deadline passes without waiting for a person to type, and an
   ARS_RTOS_NEVER wait keeps the CPU busy until a byte or the end of input
   comes. */
ARSENAL_RTOS_API int  ars_rtos_uart_read(void *buf, size_t n, ars_rtos_tick_t deadline);
ARSENAL_RTOS_API void ars_rtos_gpio_set(unsigned pin, int level);
ARSENAL_RTOS_API int  ars_rtos_gpio_get(unsigned pin);
#endif

#ifdef __cplusplus
}
#endif
#endif /* ARSENAL_RTOS_H */

/* ======================================================================== */
#if defined(ARSENAL_IMPLEMENTATION) && !defined(ARSENAL_RTOS_IMPLEMENTATION)
#define ARSENAL_RTOS_IMPLEMENTATION
#endif
#if defined(ARSENAL_RTOS_IMPLEMENTATION) && !defined(ARSENAL_RTOS_IMPLEMENTATION_ONCE)
#define ARSENAL_RTOS_IMPLEMENTATION_ONCE

/* >>config */
#ifndef ARSENAL_RTOS_PRIORITIES
#define ARSENAL_RTOS_PRIORITIES 8
#endif
#if ARSENAL_RTOS_PRIORITIES < 2 || ARSENAL_RTOS_PRIORITIES > 32
#error "arsenal_rtos.h: ARSENAL_RTOS_PRIORITIES must be 2..32"
#endif
#ifndef ARSENAL_RTOS_TIMESLICE
#define ARSENAL_RTOS_TIMESLICE 1
#endif
#ifndef ARSENAL_RTOS_TICK_HZ
#define ARSENAL_RTOS_TICK_HZ 1000
#endif
#ifndef ARSENAL_RTOS_STACK_CHECK
#define ARSENAL_RTOS_STACK_CHECK 1
#endif
#ifndef ARSENAL_RTOS_TICKLESS
#define ARSENAL_RTOS_TICKLESS 0
#endif
#ifdef ARSENAL_ASSERT
#define ARS__ASSERT(c) ARSENAL_ASSERT(c)
#else
#define ARS__ASSERT(c) ((void)0)
#endif

#if !defined(ARSENAL_RTOS_PORT_CORTEX_M) && !defined(ARSENAL_RTOS_PORT_RISCV) && !defined(ARSENAL_RTOS_PORT_HOSTED)
#if defined(__arm__) && defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
#define ARSENAL_RTOS_PORT_CORTEX_M 1
#elif defined(__riscv) && !defined(__linux__)
#define ARSENAL_RTOS_PORT_RISCV 1
#elif defined(__unix__) || defined(__APPLE__)
#define ARSENAL_RTOS_PORT_HOSTED 1
#else
#error "arsenal_rtos.h: no port for this target; define ARSENAL_RTOS_PORT_CORTEX_M, _RISCV or _HOSTED"
#endif
#endif
#if defined(ARSENAL_RTOS_PORT_RISCV) && (defined(__riscv_32e) || defined(__riscv_e))
#error "arsenal_rtos.h: the RISC-V port saves x1-x31 and does not support RV32E (ilp32e); arsenal_coro.h does"
#endif

#define ARS__CANARY 0xC0FFEE5Au
#define ARS__STR2(x) #x
#define ARS__STR(x) ARS__STR2(x)
#define ARS__FILL   0xA5u
#define ARS__NPRIO  ARSENAL_RTOS_PRIORITIES

#if defined(__GNUC__) || defined(__clang__)
#define ARS__UNUSED __attribute__((unused))
#define ARS__NORETURN __attribute__((noreturn))
#else
#define ARS__UNUSED
#define ARS__NORETURN
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Kernel state. The ports' switch code depends on the first four fields
   (offsets checked below). */
typedef struct ars__kernel {
    ars_rtos_task *cur;
    uint32_t map;
    uint32_t isr;                 /* in an interrupt (hosted, RISC-V), or
                                     tickless idle counting ticks */
    ars_rtos_task *ready[ARS__NPRIO];   /* highest priority first: ARS__RQ(p) */
    ars_rtos_tick_t now;
    ars_rtos_task *timeouts;
    ars_rtos_timer *timers;
    void (*overflow_hook)(ars_rtos_task *t);
    void (*trap_hook)(uintptr_t mcause, uintptr_t mepc);
    uint8_t slice, started, pending;
} ars__kernel;
#if defined(__GNUC__) || defined(__clang__)
__attribute__((used))
#endif
static ars__kernel ars__k;
/* the ready list of priority p; stored highest first so that on Cortex-M
   clz(map) indexes it directly */
#define ARS__RQ(p) ars__k.ready[ARS__NPRIO - 1 - (p)]
#define ARS__PW ((int)sizeof(void *))
/* offsets the assembly uses: map, isr, ready[], tcb->stack */
#define ARS__OFF_READY (ARS__PW == 8 ? 16 : 12)
typedef char ars__layout_check[(offsetof(ars__kernel, map) == (size_t)ARS__PW &&
    offsetof(ars__kernel, isr) == (size_t)ARS__PW + 4 && offsetof(ars__kernel, ready) == ARS__OFF_READY &&
    offsetof(ars_rtos_task, stack) == 5u * sizeof(void *)) ? 1 : -1];

static ars_rtos_task ars__idle_task;

static void ars__idle(void *arg);
static void ars__task_exit(void);
static void ars__stack_overflow(ars_rtos_task *t);
static void ars__detach(ars_rtos_task *t);
static void ars__settle(ars_rtos_task *t, int back);
static void ars__put_out(ars_rtos_task *t, unsigned state);
static ars_rtos_tick_t ars__until_next(void);
static void ars__tick_n(ars_rtos_tick_t n);
static ars_rtos_task *ars__select(void);
#if ARSENAL_RTOS_STACK_CHECK
static void ars__check_stack(ars_rtos_task *t, uintptr_t sp);
#endif

/* ---- port interface -----------------------------------------------------
   ars__irq_save() / ars__irq_restore(s): critical section (nesting-safe)
   ARS__UNMASKED(s):   s, saved by ars__irq_save, says interrupts were on
                       (a task may block only then: masked, no switch
                       can take it away)
   ars__pend():        ask for a switch once interrupts are enabled again
   ars__switch_out(s): give the CPU away, ending critical section s
   ars__switch_hold(s): the same, and back in critical section s when the
                       task runs again
   ars__isr():         nonzero in interrupt context
   ars__stack_init(t, fn, arg): build the first frame, set t->sp
   ars__port_start():  start the highest ready task, never returns (hosted:
                       returns when stopped)
   ars__port_idle():   one round of the idle loop                          */

/* >>port-hosted ---------------------------------------------------------- */
#if defined(ARSENAL_RTOS_PORT_HOSTED)
#include <ucontext.h>
#include <string.h>
#ifndef ARSENAL_RTOS_IDLE_STACK
#define ARSENAL_RTOS_IDLE_STACK 65536
#endif
#if defined(__SANITIZE_ADDRESS__)
#define ARS__ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARS__ASAN 1
#endif
#endif
#ifdef ARS__ASAN
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old, size_t *size_old);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
/* a reused stack may still carry the poison of a task that never returned */
#define ARS__STACK_PREPARE(p, n) __asan_unpoison_memory_region((p), (n))
#endif
/* Valgrind must know the task stacks: they live in static memory, and a
   stack-pointer jump into them would otherwise look like stack growth over
   the globals between. One registration per stack, renewed on re-creation. */
#if defined(__has_include) && !defined(ARSENAL_RTOS_NO_VALGRIND)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define ARS__RTOS_VALGRIND 1
#endif
#endif
#ifdef ARS__RTOS_VALGRIND
#include <valgrind/memcheck.h>
#ifndef ARS__STACK_PREPARE
/* memory of a task that ended was below its stack pointer: writable again */
#define ARS__STACK_PREPARE(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#endif
static struct { const void *stack; unsigned id; } ars__vg_stacks[64];
static void ars__vg_register(const void *lo, const void *hi) {
    int i, slot = -1;
    (void)hi; /* the client requests compile to nothing where Valgrind has no port */
    for (i = 0; i < 64; i++) {
        if (ars__vg_stacks[i].stack == lo) { VALGRIND_STACK_DEREGISTER(ars__vg_stacks[i].id); slot = i; break; }
        if (!ars__vg_stacks[i].stack && slot < 0) slot = i;
    }
    if (slot < 0) return;
    ars__vg_stacks[slot].stack = lo;
    ars__vg_stacks[slot].id = VALGRIND_STACK_REGISTER(lo, hi);
}
#endif
typedef unsigned ars__irqstate;
static struct {
    ucontext_t main_ctx;
    unsigned crit;
    int stop_code, stopping;
    const void *main_bottom;
    size_t main_size;
} ars__h;

static void ars__switch_now(void);
static unsigned ars__irq_save(void) { unsigned s = ars__h.crit; ars__h.crit = 1; return s; }
#define ARS__UNMASKED(s) (!(s))                /* not in a critical section */
static void ars__irq_restore(unsigned s) {
    ars__h.crit = s;
    if (!s && ars__k.pending && !ars__k.isr) ars__switch_now();
}
static void ars__pend(void) { ars__k.pending = 1; }
static void ars__switch_out(unsigned s) { ars__pend(); ars__irq_restore(s); }
static void ars__switch_hold(unsigned s) { ars__switch_out(s); ars__h.crit = 1; }
static int ars__isr(void) { return ars__k.isr != 0; }
static ucontext_t *ars__ctx(ars_rtos_task *t) { return (ucontext_t *)t->sp; }

/* fn and arg sit right above the ucontext at the top of the task's stack */
static void ars__hosted_entry(unsigned lo, unsigned hi) {
    ars_rtos_task *t = (ars_rtos_task *)(((uintptr_t)hi << 16 << 16) | (uintptr_t)lo);
    void **fa = (void **)(void *)(ars__ctx(t) + 1);
    void (*fn)(void *);
#ifdef ARS__ASAN
    __sanitizer_finish_switch_fiber(0, &ars__h.main_bottom, &ars__h.main_size);
#endif
    memcpy(&fn, &fa[0], sizeof fn);
    fn(fa[1]);
    ars__task_exit();
}

/* smallest stack (after trimming) that holds the first context above the
   canary word: here the ucontext, fn and arg, alignment, and a little room
   for makecontext's own frame */
#define ARS__STACK_MIN (sizeof(ucontext_t) + 2 * sizeof(void *) + 64 + 64)
static void ars__stack_init(ars_rtos_task *t, void (*fn)(void *), void *arg) {
    uintptr_t top = (uintptr_t)t->stack + t->stack_size;
    ucontext_t *c = (ucontext_t *)((top - sizeof(ucontext_t) - 2 * sizeof(void *)) & ~(uintptr_t)63);
    void **fa = (void **)(void *)(c + 1);
    uintptr_t tp = (uintptr_t)t;
    getcontext(c);
    c->uc_stack.ss_sp = t->stack;
    c->uc_stack.ss_size = (size_t)((uintptr_t)c - (uintptr_t)t->stack) & ~(size_t)15;
    c->uc_link = 0;
    t->sp = c;
#ifdef ARS__RTOS_VALGRIND
    ars__vg_register(t->stack, (const char *)t->stack + t->stack_size);
#endif
    memcpy(&fa[0], &fn, sizeof fn);
    fa[1] = arg;
    makecontext(c, (void (*)(void))ars__hosted_entry, 2, (unsigned)(tp & 0xFFFFFFFFu),
                (unsigned)((tp >> 16) >> 16));
}

static void ars__swap(ars_rtos_task *from, ars_rtos_task *to) {
#ifdef ARS__ASAN
    void *fake = 0;
    if (to) __sanitizer_start_switch_fiber(&fake, to->stack, to->stack_size);
    else __sanitizer_start_switch_fiber(&fake, ars__h.main_bottom, ars__h.main_size);
#endif
    swapcontext(from ? ars__ctx(from) : &ars__h.main_ctx, to ? ars__ctx(to) : &ars__h.main_ctx);
#ifdef ARS__ASAN
    __sanitizer_finish_switch_fiber(fake, &ars__h.main_bottom, &ars__h.main_size);
#endif
}

static void ars__switch_now(void) {
    ars_rtos_task *from = ars__k.cur, *to;
    char here;
    ars__k.pending = 0;
#if ARSENAL_RTOS_STACK_CHECK
    ars__check_stack(from, (uintptr_t)&here);
#else
    (void)here;
#endif
    to = ars__select();
    if (to == from) return;
    ars__k.cur = to;
    ars__swap(from, to);
}

static int ars__port_start(void) {
    ars_rtos_task *t = ars__select();
    ars__k.cur = t;
    ars__k.started = 1;
    ars__h.stopping = 0;
    ars__swap(0, t);
    ars__k.started = 0;
    return ars__h.stop_code;
}

ARSENAL_RTOS_API void ars_rtos_stop(int code) {
    ars__h.stop_code = code;
    ars__h.stopping = 1;
    if (ars__k.started) ars__swap(ars__k.cur, 0);
}

static void ars__port_idle(void) {
    /* nothing runnable: jump simulated time to the next event */
    ars__irqstate s = ars__irq_save();
    ars_rtos_tick_t d = ars__until_next();
    if (d == ARS_RTOS_NEVER) {
        ars__irq_restore(s);
        ars_rtos_stop(ARS_EBUSY);
        return;
    }
    ars__k.isr++;
    ars__tick_n(d);           /* as one tick interrupt: the tick hook runs too */
    ars__k.isr--;
    ars__irq_restore(s);
}

ARSENAL_RTOS_API void ars_rtos_hosted_irq(void (*fn)(void *), void *arg) {
    unsigned s = ars__irq_save();
    ars__k.isr++;
    ars__h.crit = 0;          /* interrupt bodies take their own sections */
    fn(arg);
    ars__k.isr--;
    ars__irq_restore(s);
}
static void ars__tick_irq(void *arg) { (void)arg; ars_rtos_tick(); }
ARSENAL_RTOS_API void ars_rtos_hosted_tick(unsigned n) {
    while (n--) ars_rtos_hosted_irq(ars__tick_irq, 0);
}
ARSENAL_RTOS_API void ars_rtos_set_trap_hook(void (*hook)(uintptr_t, uintptr_t)) { (void)hook; }

/* >>port-cm --------------------------------------------------------------- */
#elif defined(ARSENAL_RTOS_PORT_CORTEX_M)
#if defined(__ARM_ARCH_6M__)
#define ARS__CM_V6M 1      /* Cortex-M0/M0+: no stmdb/ldmia on r8-r11, no clz */
#elif defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__)
#define ARS__CM_V6M 0
#else
#error "arsenal_rtos.h: the Cortex-M port knows ARMv6-M (M0/M0+), ARMv7-M and ARMv7E-M (M3/M4/M7)"
#endif
#ifndef ARSENAL_RTOS_CPU_HZ
#define ARSENAL_RTOS_CPU_HZ 25000000u
#endif
#ifndef ARSENAL_RTOS_IDLE_STACK
#define ARSENAL_RTOS_IDLE_STACK 512
#endif
#if defined(__ARM_FP) && !defined(__SOFTFP__)
#define ARS__CM_FPU 1
#else
#define ARS__CM_FPU 0
#endif
#define ARS__REG(a) (*(volatile uint32_t *)(a))
#define ARS__ICSR   ARS__REG(0xE000ED04u)
#define ARS__SHPR3  ARS__REG(0xE000ED20u)
#define ARS__SYST_CSR ARS__REG(0xE000E010u)
#define ARS__SYST_RVR ARS__REG(0xE000E014u)
#define ARS__SYST_CVR ARS__REG(0xE000E018u)
#define ARS__CPACR  ARS__REG(0xE000ED88u)
#define ARS__TICK_RELOAD ((uint32_t)(ARSENAL_RTOS_CPU_HZ / ARSENAL_RTOS_TICK_HZ))
typedef uint32_t ars__irqstate;
static inline uint32_t ars__irq_save(void) {
    uint32_t s; __asm volatile("mrs %0, primask\n cpsid i" : "=r"(s) :: "memory"); return s;
}
static inline void ars__irq_restore(uint32_t s) { __asm volatile("msr primask, %0" :: "r"(s) : "memory"); }
#if ARS__CM_V6M
#define ARS__UNMASKED(s) (!(s))                /* PRIMASK was 0 */
#else
/* and BASEPRI was 0: PendSV runs at the lowest priority, which any
   nonzero BASEPRI masks (ARMv6-M has no BASEPRI) */
static inline uint32_t ars__cm_basepri(void) {
    uint32_t v; __asm volatile("mrs %0, basepri" : "=r"(v)); return v;
}
#define ARS__UNMASKED(s) (!((s) | ars__cm_basepri()))   /* PRIMASK, BASEPRI were 0 */
#endif
/* one call is smaller than the two constants and the store; yield, whose
   cost per switch counts, stores itself (a block calls) */
#define ARS__CM_PEND() (ARS__ICSR = 1u << 28)
__attribute__((noinline)) static void ars__pend(void) { ARS__CM_PEND(); }
static inline void ars__switch_out(uint32_t s) { ARS__CM_PEND(); ars__irq_restore(s); }
/* the switch back returns unmasked, before the cpsid: a switch pended by
   then takes the task away again at once, and its stack check too may
   take it out before it settles (ars__put_out) */
static inline void ars__switch_hold(uint32_t s) {
    ars__pend(); ars__irq_restore(s); __asm volatile("cpsid i" ::: "memory");
}
#if ARSENAL_RTOS_TICKLESS
/* isr also marks idle's own tick count after an early wake-up */
static inline int ars__isr(void) {
    uint32_t v;
    __asm volatile("mrs %0, ipsr" : "=r"(v));
    return v != 0 || *(volatile uint32_t *)&ars__k.isr != 0;
}
#else
static inline int ars__isr(void) { uint32_t v; __asm volatile("mrs %0, ipsr" : "=r"(v)); return v != 0; }
#endif

/* smallest stack whose first frame (16 words, 17 with the FPU) stays above
   the canary word */
#define ARS__STACK_MIN 72u
static void ars__stack_init(ars_rtos_task *t, void (*fn)(void *), void *arg) {
    uint32_t *sp = (uint32_t *)(((uintptr_t)t->stack + t->stack_size) & ~(uintptr_t)7);
    *--sp = 0x01000000u;                          /* xPSR: Thumb */
    *--sp = (uint32_t)(uintptr_t)fn & ~1u;        /* pc */
    *--sp = (uint32_t)(uintptr_t)ars__task_exit;  /* lr */
    sp -= 4;                                      /* r12, r3, r2, r1 */
    *--sp = (uint32_t)(uintptr_t)arg;             /* r0 */
#if ARS__CM_FPU
    *--sp = 0xFFFFFFFDu;                          /* EXC_RETURN: thread, PSP, no FP */
#endif
    sp -= 8;                                      /* r4-r11 */
    t->sp = sp;
}

/* The switch: save r4-r11 (and s16-s31 when the task used the FPU) on the
   task's process stack, store its sp, check it, pick the head of the highest
   ready list, restore. Kernel layout: cur @0, map @4, ready[] @12 stored
   highest priority first, so ready list clz(map) - (32 - NPRIO) is next. */
#if ARS__CM_FPU
#define ARS__CM_SAVE "tst lr, #0x10\n it eq\n vstmdbeq r0!, {s16-s31}\n stmdb r0!, {r4-r11, lr}\n"
#define ARS__CM_LOAD "ldmia r0!, {r4-r11, lr}\n tst lr, #0x10\n it eq\n vldmiaeq r0!, {s16-s31}\n"
#else
#define ARS__CM_SAVE "stmdb r0!, {r4-r11}\n"
#define ARS__CM_LOAD "ldmia r0!, {r4-r11}\n"
#endif
#if ARSENAL_RTOS_STACK_CHECK
/* t->stack is word 5 of the TCB; the saved frame at sp must not reach the
   canary word at t->stack (sp is a multiple of 4) */
#define ARS__CM_CHECK \
    "ldr r1, [r2, #20]\n cmp r0, r1\n bls 9f\n ldr r1, [r1]\n" \
    "ldr r12, =0xC0FFEE5A\n cmp r1, r12\n bne 9f\n"
#define ARS__CM_CHECK_FAIL "9: push {r3, lr}\n mov r0, r2\n bl ars__cm_overflow\n pop {r3, lr}\n b 8b\n"
#else
#define ARS__CM_CHECK ""
#define ARS__CM_CHECK_FAIL ""
#endif

__attribute__((used)) static void ars__cm_overflow(ars_rtos_task *t) {
    uint32_t s = ars__irq_save();
    ars__stack_overflow(t);
    ars__irq_restore(s);
}

/* r3 = &ars__k + ARS__CM_RQ0: then ready list clz(map) is at r3 + 4 * clz */
#define ARS__CM_RQ0 "(12 - 128 + 4 * " ARS__STR(ARSENAL_RTOS_PRIORITIES) ")"
#if ARS__CM_V6M
/* ARMv6-M: save r4-r11 below the hardware frame with low registers only,
   let C store, check and pick, restore */
__attribute__((used)) static void *ars__m0_switch(void *sp) {
    ars_rtos_task *t = ars__k.cur;
    uint32_t s = ars__irq_save();
    t->sp = sp;
#if ARSENAL_RTOS_STACK_CHECK
    ars__check_stack(t, (uintptr_t)sp);
#endif
    t = ars__select();
    ars__k.cur = t;
    ars__irq_restore(s);
    return t->sp;
}
__attribute__((naked)) ARSENAL_RTOS_API void ars_rtos_pendsv_handler(void) {
    __asm volatile(
        ".syntax unified\n"
        "mrs r0, psp\n"
        "subs r0, #32\n"
        "stmia r0!, {r4-r7}\n"
        "mov r4, r8\n mov r5, r9\n mov r6, r10\n mov r7, r11\n"
        "stmia r0!, {r4-r7}\n"
        "subs r0, #32\n"
        "push {r0, lr}\n"
        "bl ars__m0_switch\n"
        "pop {r1, r2}\n"
        "mov lr, r2\n"
        "adds r0, #16\n"
        "ldmia r0!, {r4-r7}\n"
        "mov r8, r4\n mov r9, r5\n mov r10, r6\n mov r11, r7\n"
        "msr psp, r0\n"
        "subs r0, #32\n"
        "ldmia r0!, {r4-r7}\n"
        "bx lr\n");
}
#else
__attribute__((naked)) ARSENAL_RTOS_API void ars_rtos_pendsv_handler(void) {
    __asm volatile(
        "mrs r0, psp\n"
        "ldr r3, =ars__k + " ARS__CM_RQ0 "\n"
        "ldr r2, [r3, #-" ARS__CM_RQ0 "]\n"
        ARS__CM_SAVE
        "str r0, [r2]\n"
        ARS__CM_CHECK
        "8: cpsid i\n"
        "ldr r1, [r3, #(4 - " ARS__CM_RQ0 ")]\n"
        "clz r1, r1\n"
        "ldr r2, [r3, r1, lsl #2]\n"
        "str r2, [r3, #-" ARS__CM_RQ0 "]\n"
        "cpsie i\n"
        "ldr r0, [r2]\n"
        ARS__CM_LOAD
        "msr psp, r0\n"
        "bx lr\n"
        ARS__CM_CHECK_FAIL
        ".ltorg\n");
}
#endif

#ifndef ARSENAL_RTOS_NO_HANDLER_NAMES
void PendSV_Handler(void) __attribute__((alias("ars_rtos_pendsv_handler"), nothrow));
void SysTick_Handler(void) __attribute__((alias("ars_rtos_systick_handler")));
#endif

static int ars__port_start(void) {
    ars_rtos_task *t;
    ars__irq_save();
    ARS__SHPR3 |= 0xFFFF0000u;                 /* PendSV, SysTick lowest */
#if ARS__CM_FPU
    ARS__CPACR |= 0xFu << 20;                  /* CP10, CP11 full access */
#endif
    ARS__SYST_RVR = ARS__TICK_RELOAD - 1u;
    ARS__SYST_CVR = 0;
    ARS__SYST_CSR = 7;
    t = ars__select();
    ars__k.cur = t;
    ars__k.started = 1;
    /* run the first task on its own stack top (its prepared frame is not
       needed); the main stack is left to interrupts */
    __asm volatile(
        "msr psp, %0\n"
        "movs r0, #2\n msr control, r0\n isb\n"
        "mov r0, %1\n"
        "cpsie i\n"
        "blx %2\n"
        "bl ars__task_exit\n"
        :: "r"(((uintptr_t)t->stack + t->stack_size) & ~(uintptr_t)7),
           "r"(((uint32_t *)t->sp)[8 + ARS__CM_FPU]), "r"(((uint32_t *)t->sp)[14 + ARS__CM_FPU] | 1u)
        : "r0", "memory");
    return 0;
}
#if ARSENAL_RTOS_TICKLESS
/* Tickless: idle stops SysTick for a moment and loads one long period that
   ends on the tick edge of the next event; the interrupt that ends it counts
   all its ticks (ars__cm_n) and restarts the normal period. An early wake-up
   (another interrupt) counts the whole ticks that passed and loads the rest
   of the current tick. SysTick's reload register is only changed together
   with a counter restart, so each tickless sleep costs a few CPU cycles of
   drift (the handler's entry), and nothing depends on when a new reload
   value is picked up. */
static volatile uint32_t ars__cm_n = 1, ars__cm_load, ars__cm_phase;
#define ARS__SYST_RESTART(load) \
    (ARS__SYST_CSR = 6u, ARS__SYST_RVR = (load), ARS__SYST_CVR = 0, ARS__SYST_CSR = 7u)
ARSENAL_RTOS_API void ars_rtos_systick_handler(void) {
    ars_rtos_tick_t n = ars__cm_n & 0x7FFFFFFFu;
    if (ars__cm_n != 1u) {                      /* a stretched period ended */
        ARS__SYST_RESTART(ARS__TICK_RELOAD - 1u);
        ars__cm_n = 1;
    }
    ars__tick_n(n);
}
static void ars__port_idle(void) {
    uint32_t s = ars__irq_save();
    ars_rtos_tick_t d = ars__until_next();
    if (d > 0xFFFFFFu / ARS__TICK_RELOAD) d = 0xFFFFFFu / ARS__TICK_RELOAD;
    if (ars__k.map != 1u || d < 2 || ars__cm_n != 1u) {
        __asm volatile("dsb\n wfi" ::: "memory");
        ars__irq_restore(s);
        return;
    }
    /* stop, then look for a pending tick: a tick edge between a look and
       the stop would leave the tick interrupt pending under the stretched
       period, and its handler would count all d ticks of it at once (a
       wait ended d - 1 ticks early) */
    ARS__SYST_CSR = 6u;
    if (ARS__ICSR & (1u << 26)) {                    /* go on, count that tick */
        ARS__SYST_CSR = 7u;
        ars__irq_restore(s);
        return;
    }
    ars__cm_phase = ARS__SYST_CVR;                   /* counts left in this tick */
    ars__cm_load = ars__cm_phase + (d - 1u) * ARS__TICK_RELOAD;
    ARS__SYST_RVR = ars__cm_load;
    ARS__SYST_CVR = 0;
    ARS__SYST_CSR = 7u;
    ars__cm_n = d;
    __asm volatile("dsb\n wfi" ::: "memory");    /* wakes on a pending interrupt */
    /* stop before looking at PENDSTSET: a period that ends between the look
       and the stop would otherwise be counted as a few counts of a new one
       (d - 1 ticks lost). Stopped with SysTick pending, the handler
       restarts it; ars__cm_n is still d here (interrupts are off).
       Never early: stopped, the counter cannot reach 0, so PENDSTSET set
       means the whole stretched period (phase + (d - 1) periods + 1 count
       for the load from 0) did pass: d ticks, a count late. Clear, 'gone'
       leaves out that load count and the one from the tick edge to the
       reload, so it is 2 counts short of the time since the edge: whole
       ticks counted now have passed, and a tick counted one count before
       its edge (rest == 0 below) has too. */
    ARS__SYST_CSR = 6u;
    if (!(ARS__ICSR & (1u << 26))) {                 /* woken early */
        uint32_t left, gone, done, rest;
        left = ARS__SYST_CVR;
        /* counts since the start of the tick we were in */
        gone = (ARS__TICK_RELOAD - 1u - ars__cm_phase) + (ars__cm_load - left);
        done = gone / ARS__TICK_RELOAD;
        /* the rest of this tick: a period of rest + 1 counts. One count
           left would need a reload of 0, which SysTick takes as "never"
           (it stopped for good): count that tick now, one count early */
        rest = ARS__TICK_RELOAD - 1u - gone % ARS__TICK_RELOAD;
        if (!rest) { rest = ARS__TICK_RELOAD; done++; }
        ARS__SYST_RESTART(rest);
        ars__cm_n = 0x80000000u | 1u;                /* one tick, then restore */
        if (done) {                                  /* as the tick interrupt would */
            *(volatile uint32_t *)&ars__k.isr = 1;
            ars__tick_n(done);
            *(volatile uint32_t *)&ars__k.isr = 0;
        }
    }
    ars__irq_restore(s);
}
#else
ARSENAL_RTOS_API void ars_rtos_systick_handler(void) { ars_rtos_tick(); }
static void ars__port_idle(void) { __asm volatile("wfi"); }
#endif
ARSENAL_RTOS_API void ars_rtos_stop(int code) { (void)code; }
ARSENAL_RTOS_API void ars_rtos_hosted_tick(unsigned n) { (void)n; }
ARSENAL_RTOS_API void ars_rtos_hosted_irq(void (*fn)(void *), void *arg) { (void)fn; (void)arg; }
ARSENAL_RTOS_API void ars_rtos_set_trap_hook(void (*hook)(uintptr_t, uintptr_t)) { (void)hook; }

/* >>port-rv --------------------------------------------------------------- */
#elif defined(ARSENAL_RTOS_PORT_RISCV)
#ifndef ARSENAL_RTOS_CPU_HZ
#define ARSENAL_RTOS_CPU_HZ 10000000u      /* CLINT mtime rate */
#endif
#ifndef ARSENAL_RTOS_CLINT
#define ARSENAL_RTOS_CLINT 0x2000000u
#endif
#ifndef ARSENAL_RTOS_IDLE_STACK
#define ARSENAL_RTOS_IDLE_STACK 1024
#endif
#define ARS__MSIP     (*(volatile uint32_t *)(uintptr_t)(ARSENAL_RTOS_CLINT))
#define ARS__MTIMECMP ((volatile uint32_t *)(uintptr_t)(ARSENAL_RTOS_CLINT + 0x4000u))
#define ARS__MTIME    ((volatile uint32_t *)(uintptr_t)(ARSENAL_RTOS_CLINT + 0xBFF8u))
#define ARS__PERIOD   ((uint64_t)(ARSENAL_RTOS_CPU_HZ / ARSENAL_RTOS_TICK_HZ))
typedef uintptr_t ars__irqstate;
static inline uintptr_t ars__irq_save(void) {
    uintptr_t s; __asm volatile("csrrci %0, mstatus, 8" : "=r"(s) :: "memory"); return s & 8u;
}
static inline void ars__irq_restore(uintptr_t s) { __asm volatile("csrs mstatus, %0" :: "r"(s) : "memory"); }
#define ARS__UNMASKED(s) ((s) != 0)            /* mstatus.MIE was set */
static inline void ars__pend(void) { ARS__MSIP = 1; }
void ars__rv_switch(void) __asm__("ars__rv_switch");
/* a task gives the CPU away (yield, block): switch right here, saving only
   the callee-saved registers, unless it is inside a critical section */
static inline void ars__switch_hold(uintptr_t s) { if (s) ars__rv_switch(); else ars__pend(); }
static inline void ars__switch_out(uintptr_t s) { ars__switch_hold(s); ars__irq_restore(s); }
static inline int ars__isr(void) { return *(volatile uint32_t *)&ars__k.isr != 0; }

static uint64_t ars__rv_next;             /* mtime of the next tick */
/* RV32: lo was read between two reads of the same hi and mtime only grows,
   so lo belongs to that hi (only ars__port_start needs all 64 bits) */
static uint64_t ars__rv_mtime(void) {
#if __riscv_xlen == 64
    return *(volatile uint64_t *)(void *)ARS__MTIME;
#else
    uint32_t hi, lo;
    do { hi = ARS__MTIME[1]; lo = ARS__MTIME[0]; } while (hi != ARS__MTIME[1]);
    return ((uint64_t)hi << 32) | lo;
#endif
}
/* RV32: the high half goes to -1 first, so both values in between are
   >= 2^64 - 2^32 (mtime gets there after 58000 years at 10 MHz): no early
   match. Every caller has interrupts masked (trap, idle, start), so no
   trap writes mtimecmp between the halves. A spurious match would cost a
   wake-up, no early tick: ars__rv_timer counts from mtime alone. */
static void ars__rv_cmp(uint64_t v) {
#if __riscv_xlen == 64
    *(volatile uint64_t *)(void *)ARS__MTIMECMP = v;
#else
    ARS__MTIMECMP[1] = 0xFFFFFFFFu;       /* no spurious match in between */
    ARS__MTIMECMP[0] = (uint32_t)v;
    ARS__MTIMECMP[1] = (uint32_t)(v >> 32);
#endif
}
/* the tick count follows mtime exactly: every whole period that passed
   (one normally, many after a tickless sleep) is counted; tickless idle
   calls it too, with interrupts masked */
__attribute__((used)) static void ars__rv_timer(void) {
    uint32_t now = ARS__MTIME[0];      /* the low word: sleeps are < 2^31 counts */
    ars_rtos_tick_t n = 0;
    while ((int32_t)(now - (uint32_t)ars__rv_next) >= 0) { ars__rv_next += ARS__PERIOD; n++; }
    ars__rv_cmp(ars__rv_next);
    if (n) ars__tick_n(n);
}

#define ARS__RV_STR2(x) #x
#define ARS__RV_STR(x) ARS__RV_STR2(x)
#if __riscv_xlen == 64
#define ARS__RV_LOGR "3"
#define ARS__RV_READY "16"
#define ARS__RV_ST "sd"
#define ARS__RV_LD "ld"
#define ARS__RV_LDW "lwu"
#define ARS__RV_R "8"
#else
#define ARS__RV_LOGR "2"
#define ARS__RV_READY "12"
#define ARS__RV_ST "sw"
#define ARS__RV_LD "lw"
#define ARS__RV_LDW "lw"
#define ARS__RV_R "4"
#endif
#if defined(__riscv_flen) && __riscv_flen == 64
#define ARS__RV_FST "fsd"
#define ARS__RV_FLD "fld"
#define ARS__RV_F "8"
#define ARS__RV_FRAME "(32*" ARS__RV_R "+32*8+16)"
#elif defined(__riscv_flen)
#define ARS__RV_FST "fsw"
#define ARS__RV_FLD "flw"
#define ARS__RV_F "4"
#define ARS__RV_FRAME "(32*" ARS__RV_R "+32*4+16)"
#else
#define ARS__RV_FRAME "(32*" ARS__RV_R ")"
#endif
#define ARS__RV_X(op, n) op " x" #n ", " #n "*" ARS__RV_R "(sp)\n"
#define ARS__RV_XREGS(op) \
    ARS__RV_X(op, 1) ARS__RV_X(op, 5) ARS__RV_X(op, 6) ARS__RV_X(op, 7) ARS__RV_X(op, 8) \
    ARS__RV_X(op, 9) ARS__RV_X(op, 10) ARS__RV_X(op, 11) ARS__RV_X(op, 12) ARS__RV_X(op, 13) \
    ARS__RV_X(op, 14) ARS__RV_X(op, 15) ARS__RV_X(op, 16) ARS__RV_X(op, 17) ARS__RV_X(op, 18) \
    ARS__RV_X(op, 19) ARS__RV_X(op, 20) ARS__RV_X(op, 21) ARS__RV_X(op, 22) ARS__RV_X(op, 23) \
    ARS__RV_X(op, 24) ARS__RV_X(op, 25) ARS__RV_X(op, 26) ARS__RV_X(op, 27) ARS__RV_X(op, 28) \
    ARS__RV_X(op, 29) ARS__RV_X(op, 30) ARS__RV_X(op, 31)
#ifdef __riscv_flen
#define ARS__RV_FX(op, n) op " f" #n ", (32*" ARS__RV_R "+" #n "*" ARS__RV_F ")(sp)\n"
#define ARS__RV_FREGS(op) \
    ARS__RV_FX(op, 0) ARS__RV_FX(op, 1) ARS__RV_FX(op, 2) ARS__RV_FX(op, 3) ARS__RV_FX(op, 4) \
    ARS__RV_FX(op, 5) ARS__RV_FX(op, 6) ARS__RV_FX(op, 7) ARS__RV_FX(op, 8) ARS__RV_FX(op, 9) \
    ARS__RV_FX(op, 10) ARS__RV_FX(op, 11) ARS__RV_FX(op, 12) ARS__RV_FX(op, 13) ARS__RV_FX(op, 14) \
    ARS__RV_FX(op, 15) ARS__RV_FX(op, 16) ARS__RV_FX(op, 17) ARS__RV_FX(op, 18) ARS__RV_FX(op, 19) \
    ARS__RV_FX(op, 20) ARS__RV_FX(op, 21) ARS__RV_FX(op, 22) ARS__RV_FX(op, 23) ARS__RV_FX(op, 24) \
    ARS__RV_FX(op, 25) ARS__RV_FX(op, 26) ARS__RV_FX(op, 27) ARS__RV_FX(op, 28) ARS__RV_FX(op, 29) \
    ARS__RV_FX(op, 30) ARS__RV_FX(op, 31)
#define ARS__RV_FSAVE ARS__RV_FREGS(ARS__RV_FST) "frcsr t0\n sw t0, (32*" ARS__RV_R "+32*" ARS__RV_F ")(sp)\n"
#define ARS__RV_FLOAD "lw t0, (32*" ARS__RV_R "+32*" ARS__RV_F ")(sp)\n fscsr t0\n" ARS__RV_FREGS(ARS__RV_FLD)
#else
#define ARS__RV_FSAVE ""
#define ARS__RV_FLOAD ""
#endif
#if ARSENAL_RTOS_STACK_CHECK
#define ARS__RV_CHECK \
    ARS__RV_LD " t2, 5*" ARS__RV_R "(t1)\n bleu sp, t2, 7f\n" \
    ARS__RV_LDW " t3, 0(t2)\n li t4, 0xC0FFEE5A\n bne t3, t4, 7f\n"
#define ARS__RV_CHECK_FAIL "7: mv a0, t1\n call ars__stack_overflow\n la t0, ars__k\n j ars__rv_select\n"
#else
#define ARS__RV_CHECK ""
#define ARS__RV_CHECK_FAIL ""
#endif
/* prio of the top bit of t1 into t2 (binary search, rv has no clz) */
#if ARS__NPRIO > 16
#define ARS__RV_TOP16 "srli t3, t1, 16\n beqz t3, 1f\n addi t2, t2, 16\n mv t1, t3\n1:"
#else
#define ARS__RV_TOP16 ""
#endif
#if ARS__NPRIO > 8
#define ARS__RV_TOP8 "srli t3, t1, 8\n beqz t3, 2f\n addi t2, t2, 8\n mv t1, t3\n2:"
#else
#define ARS__RV_TOP8 ""
#endif
#define ARS__RV_TOP "li t2, 0\n" ARS__RV_TOP16 ARS__RV_TOP8 \
    "srli t3, t1, 4\n beqz t3, 3f\n addi t2, t2, 4\n mv t1, t3\n3:" \
    "srli t3, t1, 2\n beqz t3, 4f\n addi t2, t2, 2\n mv t1, t3\n4:" \
    "srli t3, t1, 1\n add t2, t2, t3\n"

#define ARS__RV_SREGS(op) \
    ARS__RV_X(op, 8) ARS__RV_X(op, 9) ARS__RV_X(op, 18) ARS__RV_X(op, 19) ARS__RV_X(op, 20) \
    ARS__RV_X(op, 21) ARS__RV_X(op, 22) ARS__RV_X(op, 23) ARS__RV_X(op, 24) ARS__RV_X(op, 25) \
    ARS__RV_X(op, 26) ARS__RV_X(op, 27)
#if __riscv_xlen == 64
#define ARS__RV_MSI "0x8000000000000003"
#define ARS__RV_MTI "0x8000000000000007"
#else
#define ARS__RV_MSI "0x80000003"
#define ARS__RV_MTI "0x80000007"
#endif

/* One trap entry for everything. The interrupted task's registers go on its
   own stack (a full frame: word 0 mepc, word n register xn, word 2 = 0),
   handlers run below them, and the exit picks the head of the highest ready
   list, so a pended switch (msip) costs nothing extra.
   ars__rv_switch is the voluntary switch, called by a task with interrupts
   masked: it saves only what a call must preserve (same layout, word 2 = 1)
   and the restore returns to its caller. */
__asm__(
    ".section .text.ars__rv_trap, \"ax\", @progbits\n"
    ".balign 4\n"
    ".type ars__rv_trap, @function\n"
    "ars__rv_trap:\n"
    "addi sp, sp, -" ARS__RV_FRAME "\n"
    ARS__RV_XREGS(ARS__RV_ST)
    "csrr t0, mepc\n" ARS__RV_ST " t0, 0(sp)\n"
    ARS__RV_ST " zero, 2*" ARS__RV_R "(sp)\n"
    ARS__RV_FSAVE
    "la t0, ars__k\n"
    ARS__RV_LD " t1, 0(t0)\n"
    ARS__RV_ST " sp, 0(t1)\n"
    "csrr a0, mcause\n"
    "li t2, " ARS__RV_MSI "\n beq a0, t2, ars__rv_check\n"   /* pended switch */
    "li t2, 1\n sw t2, " ARS__RV_R "+4(t0)\n"                 /* in an interrupt */
    "li t2, " ARS__RV_MTI "\n bne a0, t2, 5f\n"
    "call ars__rv_timer\n"
    "j 6f\n"
    "5: csrr a1, mepc\n call ars__rv_other\n"
    "csrr t0, mepc\n" ARS__RV_ST " t0, 0(sp)\n"                 /* the hook may move it */
    "6: la t0, ars__k\n"
    ARS__RV_LD " t1, 0(t0)\n"
    "ars__rv_check:\n"                       /* t0 = &ars__k, t1 = outgoing */
    ARS__RV_CHECK
    "ars__rv_select:\n"
    "li t3, " ARS__RV_STR(ARSENAL_RTOS_CLINT) "\n sw zero, 0(t3)\n"  /* switching now */
    ARS__RV_LDW " t1, " ARS__RV_R "(t0)\n"
    ARS__RV_TOP
    "slli t2, t2, " ARS__RV_LOGR "\n"
    "sub t2, t0, t2\n"
    ARS__RV_LD " t1, (" ARS__RV_READY " + " ARS__RV_R " * (" ARS__STR(ARSENAL_RTOS_PRIORITIES) " - 1))(t2)\n"
    ARS__RV_ST " t1, 0(t0)\n"
    "sw zero, " ARS__RV_R "+4(t0)\n"
    ARS__RV_LD " sp, 0(t1)\n"
    "ars__rv_restore:\n"
    ARS__RV_LD " t0, 2*" ARS__RV_R "(sp)\n"
    "bnez t0, 8f\n"
    "li t0, 0x1880\n csrs mstatus, t0\n"     /* mret to M-mode, interrupts on */
    ARS__RV_FLOAD
    ARS__RV_LD " t0, 0(sp)\n csrw mepc, t0\n"
    ARS__RV_XREGS(ARS__RV_LD)
    "addi sp, sp, " ARS__RV_FRAME "\n"
    "mret\n"
    "8:\n"
    ARS__RV_FLOAD
    ARS__RV_LD " ra, 0(sp)\n"
    ARS__RV_SREGS(ARS__RV_LD)
    "addi sp, sp, " ARS__RV_FRAME "\n"
    "ret\n"
    ARS__RV_CHECK_FAIL
    ".size ars__rv_trap, . - ars__rv_trap\n"
    ".balign 4\n"
    ".type ars__rv_switch, @function\n"
    "ars__rv_switch:\n"
    "addi sp, sp, -" ARS__RV_FRAME "\n"
    ARS__RV_ST " ra, 0(sp)\n"
    ARS__RV_SREGS(ARS__RV_ST)
    "li t0, 1\n" ARS__RV_ST " t0, 2*" ARS__RV_R "(sp)\n"
    ARS__RV_FSAVE
    "la t0, ars__k\n"
    ARS__RV_LD " t1, 0(t0)\n"
    ARS__RV_ST " sp, 0(t1)\n"
    "j ars__rv_check\n"
    ".size ars__rv_switch, . - ars__rv_switch\n"
    ".text\n");
__attribute__((used)) static void ars__rv_other(uintptr_t mcause, uintptr_t mepc) {
    if (ars__k.trap_hook) ars__k.trap_hook(mcause, mepc);
    else for (;;) {}
}
ARSENAL_RTOS_API void ars_rtos_set_trap_hook(void (*hook)(uintptr_t, uintptr_t)) { ars__k.trap_hook = hook; }

/* smallest stack whose first frame (32 registers, plus FP state) stays
   above the canary word once the top is aligned to 16 */
#ifdef __riscv_flen
#define ARS__STACK_MIN (32u * sizeof(uintptr_t) + 32u * (__riscv_flen / 8) + 16u + 16u)
#else
#define ARS__STACK_MIN (32u * sizeof(uintptr_t) + 16u)
#endif
static void ars__stack_init(ars_rtos_task *t, void (*fn)(void *), void *arg) {
    uintptr_t top = ((uintptr_t)t->stack + t->stack_size) & ~(uintptr_t)15;
#ifdef __riscv_flen
    size_t frame = 32 * sizeof(uintptr_t) + 32 * (__riscv_flen / 8) + 16;
#else
    size_t frame = 32 * sizeof(uintptr_t);
#endif
    uintptr_t *f = (uintptr_t *)(top - frame);
#ifdef __riscv_flen
    *(uint32_t *)(void *)((char *)f + 32 * sizeof(uintptr_t) + 32 * (__riscv_flen / 8)) = 0;  /* fcsr */
#endif
    f[2] = 0;                             /* a full frame; other registers start as they are */
    f[0] = (uintptr_t)fn;                 /* mepc */
    f[1] = (uintptr_t)ars__task_exit;     /* ra */
    f[10] = (uintptr_t)arg;               /* a0 */
    t->sp = f;
}

static int ars__port_start(void) {
    extern char ars__rv_trap[];
    ars__irq_save();
    __asm volatile("csrw mtvec, %0" :: "r"(ars__rv_trap));
    ars__rv_next = ars__rv_mtime() + ARS__PERIOD;
    ars__rv_cmp(ars__rv_next);
    __asm volatile("csrs mie, %0" :: "r"((uintptr_t)0x88u));     /* MTIE | MSIE */
    ars__k.started = 1;
    /* the trap exit picks the highest ready task and mret's into it; this
       (main's) context is left behind for good */
    __asm volatile("la t0, ars__k\n j ars__rv_select\n" ::: "t0", "memory");
    return 0;
}
/* Tickless: idle moves mtimecmp to the tick edge of the next event and
   sleeps with interrupts masked (wfi wakes on a pending one). Whatever woke
   it, it counts the whole periods that passed and sets mtimecmp back to the
   next tick edge before it unmasks, so an interrupt taken before the
   timer's (MEI > MSI > MTI) finds the tick count current. The count runs
   as in the tick interrupt (isr set, for the timer callbacks); a task it
   wakes is pended (msip) and switched to once interrupts are unmasked.
   No wait ends early here, wherever a tick edge falls in this window
   (the Cortex-M race, a tick left pending under a stretched period and
   counted as all of it, has no counterpart): nothing counts ticks from
   what idle saw before it slept. ars__rv_next is always the
   mtime of tick now + 1 (only ars__rv_timer moves it, one period for each
   tick it counts), and ars__rv_timer counts a tick only once mtime, read
   after the wake with interrupts masked, has reached its edge: the count
   never runs ahead of mtime, whatever ended the wfi (the compare, another
   interrupt, a spurious match, a wfi that is a no-op). MTIP is a level,
   mtime >= mtimecmp, that every write of mtimecmp updates: an edge that
   passes after the mask and before the stretch leaves nothing pending
   under the stretched compare; the stretch aims at the absolute edge of
   tick now + d, which that edge does not move (on time, not late); the
   edge is counted after the wake. An edge that passes between the
   count's mtime read and ars__rv_cmp leaves mtimecmp <= mtime: MTIP
   stays set and the trap counts it once interrupts are unmasked (late by
   that latency, never lost). The low-word compare holds while sleeps
   stay below 2^31 counts (d is clamped) and interrupts are not masked
   for that long (214 s at 10 MHz). Checked under -icount on rv32, rv32f,
   rv32d, rv64 and rv64gc: a 10-tick wait started at each of 800
   consecutive instructions around the edge crossing this window ended
   at its edge by mtime or less than 200 counts (20 us) after it. */
static void ars__port_idle(void) {
#if ARSENAL_RTOS_TICKLESS
    uintptr_t s = ars__irq_save();
    ars_rtos_tick_t d = ars__until_next();
    if (d > 0x7FFFFFFFu / ARS__PERIOD) d = (ars_rtos_tick_t)(0x7FFFFFFFu / ARS__PERIOD);
    if ((int32_t)d > 1) ars__rv_cmp(ars__rv_next + (uint64_t)(d - 1) * ARS__PERIOD);
    if (ars__k.map == 1u) __asm volatile("wfi");
    *(volatile uint32_t *)&ars__k.isr = 1;
    ars__rv_timer();
    *(volatile uint32_t *)&ars__k.isr = 0;
    ars__irq_restore(s);
#else
    __asm volatile("wfi");
#endif
}
ARSENAL_RTOS_API void ars_rtos_stop(int code) { (void)code; }
ARSENAL_RTOS_API void ars_rtos_hosted_tick(unsigned n) { (void)n; }
ARSENAL_RTOS_API void ars_rtos_hosted_irq(void (*fn)(void *), void *arg) { (void)fn; (void)arg; }
#endif

/* >>lists ----------------------------------------------------------------- */
/* circular doubly linked lists through next/prev; *head is the first */
static void ars__push_tail(ars_rtos_task **head, ars_rtos_task *t) {
    ars_rtos_task *h = *head;
    if (!h) { t->next = t->prev = t; *head = t; return; }
    t->next = h; t->prev = h->prev; h->prev->next = t; h->prev = t;
}
static void ars__unlink(ars_rtos_task **head, ars_rtos_task *t) {
    if (t->next == t) *head = 0;
    else {
        t->prev->next = t->next; t->next->prev = t->prev;
        if (*head == t) *head = t->next;
    }
}
/* priority order, FIFO among equals */
static void ars__push_prio(ars_rtos_task **head, ars_rtos_task *t) {
    ars_rtos_task *h = *head, *p = h;
    if (!h) { t->next = t->prev = t; *head = t; return; }
    do { if (p->prio < t->prio) break; p = p->next; } while (p != h);
    t->next = p; t->prev = p->prev; p->prev->next = t; p->prev = t;
    if (p == h && h->prio < t->prio) *head = t;
}

/* >>sched ----------------------------------------------------------------- */
static unsigned ars__top(uint32_t map) {
#if defined(__GNUC__) && (defined(__ARM_FEATURE_CLZ) || defined(__x86_64__) || defined(__i386__) || \
                          defined(__aarch64__) || defined(__riscv_zbb))
    return 31u - (unsigned)__builtin_clz(map);
#else
    unsigned n = 0;
#if ARS__NPRIO > 16
    if (map & 0xFFFF0000u) { n += 16; map >>= 16; }
#endif
#if ARS__NPRIO > 8
    if (map & 0xFF00u) { n += 8; map >>= 8; }
#endif
    if (map & 0xF0u) { n += 4; map >>= 4; }
    if (map & 0xCu) { n += 2; map >>= 2; }
    return n + (map >> 1);
#endif
}
static ARS__UNUSED ars_rtos_task *ars__select(void) { return ARS__RQ(ars__top(ars__k.map)); }

static void ars__ready(ars_rtos_task *t) {
    t->state = ARS_RTOS_READY;
    ars__push_tail(t->rq, t);
    ars__k.map |= 1u << t->prio;
    if (ars__k.cur && t->prio > ars__k.cur->prio) ars__pend();
}
static void ars__unready(ars_rtos_task *t) {
    ars__unlink(t->rq, t);
    if (!*t->rq) ars__k.map &= ~(1u << t->prio);
}
static int ars__due(ars_rtos_tick_t deadline, ars_rtos_tick_t now) {
    return (int32_t)(now - deadline) >= 0;
}
static void ars__timeout_add(ars_rtos_task *t) {
    ars_rtos_task **pp = &ars__k.timeouts;
    while (*pp && (int32_t)((*pp)->wake - t->wake) <= 0) pp = &(*pp)->tnext;
    t->tnext = *pp; *pp = t;
}
static void ars__timeout_del(ars_rtos_task *t) {
    ars_rtos_task **pp = &ars__k.timeouts;
    while (*pp && *pp != t) pp = &(*pp)->tnext;
    if (*pp) *pp = t->tnext;
}

static void ars__mutex_reprio(ars_rtos_task *owner);

/* Takes t out of whatever it waits in. */
static void ars__unwait(ars_rtos_task *t) {
    if (t->wq) {
        ars_rtos_task **wq = t->wq;
        ars__unlink(wq, t);
        t->wq = 0;
        if (t->state == ARS_RTOS_BLOCKED + 1) {            /* on a mutex */
            ars_rtos_mutex *m = (ars_rtos_mutex *)(void *)wq;
            if (m->owner) ars__mutex_reprio(m->owner);
        }
    }
    /* a sleep is always timed, also one that ends on tick 0xFFFFFFFF */
    if (t->wake != ARS_RTOS_NEVER || t->state == ARS_RTOS_DELAYED) {
        ars__timeout_del(t);
        t->wake = ARS_RTOS_NEVER;
    }
}
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))                       /* smaller: gcc -Os inlined it 4 times */
#endif
static void ars__wake(ars_rtos_task *t, int result) {
    ars__unwait(t);
    t->result = (int8_t)result;
    ars__ready(t);
}
/* wakes the first waiter of wq with a unit of the object (a count, an item
   in its buffer, a mutex): until it runs, t->wq says where the unit goes
   back if it is suspended or deleted (ars__settle) */
static ars_rtos_task *ars__hand(ars_rtos_task **wq) {
    ars_rtos_task *t = *wq;
    ars__wake(t, 0);
    t->wq = wq;
    return t;
}
/* the same for a count or an item, which holds its room in the object
   until taken: held follows the wait queue in ars_rtos_sem and
   ars_rtos_queue alike (checked below ars__settle) */
#define ARS__HELD(wq) (*(uint32_t *)(void *)((wq) + 1))
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static void ars__hand_unit(ars_rtos_task **wq) {
    ars__hand(wq);
    ARS__HELD(wq)++;
}

/* Blocks the calling task (inside a critical section s, which it ends).
   state: ARS_RTOS_DELAYED or ARS_RTOS_BLOCKED(+1 for mutexes). */
static int ars__block(ars__irqstate s, ars_rtos_task **wq, unsigned state, ars_rtos_tick_t deadline) {
    ars_rtos_task *t = ars__k.cur;
    int r;
    ars__unready(t);
    t->state = (uint8_t)state;
    t->result = ARS_ETIMEDOUT;
    t->wq = wq;
    if (wq) ars__push_prio(wq, t);
    t->wake = deadline;
    if (deadline != ARS_RTOS_NEVER || !wq) ars__timeout_add(t);   /* !wq: a sleep */
    if (state == ARS_RTOS_BLOCKED + 1)          /* lend our priority along */
        ars__mutex_reprio(((ars_rtos_mutex *)(void *)wq)->owner);
    ars__switch_hold(s);                        /* back in the critical section */
    if (t->wq) ars__settle(t, 0);               /* it runs: a unit handed over is taken */
    r = t->result;
    ars__irq_restore(s);
    return r;
}
/* The common tail of every call that may wait on an object: no wait wanted
   (ARS_EAGAIN), in an interrupt or with interrupts masked before the call
   (ARS_EISR: no switch could take the task away), deadline passed, or
   block. */
static int ars__wait(ars__irqstate s, ars_rtos_task **wq, unsigned state, ars_rtos_tick_t deadline,
                     uintptr_t msg) {
    int r = ARS_EAGAIN;
    if (deadline != ARS_RTOS_NOWAIT) {
        r = ARS_EISR;
        if (!ars__isr() && ARS__UNMASKED(s)) {
            r = ARS_ETIMEDOUT;
            if (deadline == ARS_RTOS_NEVER || !ars__due(deadline, ars__k.now)) {
                ars__k.cur->msg = msg;
                return ars__block(s, wq, state, deadline);
            }
        }
    }
    ars__irq_restore(s);
    return r;
}

/* >>tick ------------------------------------------------------------------ */
static void ars__timers_run(void);
static void ars__expire(void) {
    ars_rtos_task *t;
    while ((t = ars__k.timeouts) != 0 && ars__due(t->wake, ars__k.now))
        ars__wake(t, ARS_ETIMEDOUT);            /* takes it off the list's head */
    ars__timers_run();
}
/* n ticks passed (n > 1 after a tickless sleep) */
static void ars__tick_n(ars_rtos_tick_t n) {
    ars__irqstate s = ars__irq_save();
    ars_rtos_task *c = ars__k.cur;
#ifdef ARSENAL_RTOS_TICK_HOOK
    ARSENAL_RTOS_TICK_HOOK();
#endif
    ars__k.now += n;
    ars__expire();
#if ARSENAL_RTOS_TIMESLICE
    /* a slice of 1 tick needs no count */
    if (c && c->state == ARS_RTOS_READY && c != c->next &&
        (ARSENAL_RTOS_TIMESLICE == 1 || ++ars__k.slice >= ARSENAL_RTOS_TIMESLICE)) {
        if (ARSENAL_RTOS_TIMESLICE > 1) ars__k.slice = 0;
        if (*c->rq == c) *c->rq = c->next;
        ars__pend();
    }
#else
    (void)c;
#endif
    ars__irq_restore(s);
}
ARSENAL_RTOS_API void ars_rtos_tick(void) { ars__tick_n(1); }
/* ticks from now to the first timeout or timer expiry (>= 1), or NEVER if
   there is none: as an absolute tick, 0xFFFFFFFF could not say "none" */
static ARS__UNUSED ars_rtos_tick_t ars__until_next(void) {
    ars_rtos_tick_t n = ARS_RTOS_NEVER, d;
    if (ars__k.timeouts) n = ars__k.timeouts->wake - ars__k.now;
    if (ars__k.timers && (d = ars__k.timers->expiry - ars__k.now) < n) n = d;
    return n;
}
ARSENAL_RTOS_API ars_rtos_tick_t ars_rtos_now(void) { return *(volatile ars_rtos_tick_t *)&ars__k.now; }
ARSENAL_RTOS_API int ars_rtos_in_isr(void) { return ars__isr(); }

/* >>task ------------------------------------------------------------------ */
#if ARSENAL_RTOS_STACK_CHECK
static ARS__UNUSED void ars__check_stack(ars_rtos_task *t, uintptr_t sp) {
    if (t->state == ARS_RTOS_DELETED) return;
    if (sp <= (uintptr_t)t->stack + 4 || *(uint32_t *)(void *)t->stack != ARS__CANARY)
        ars__stack_overflow(t);
}
#endif
#if defined(__GNUC__) || defined(__clang__)
__attribute__((used))
#endif
static void ars__stack_overflow(ars_rtos_task *t) {
    /* the task's state cannot be trusted any more: take it out for good;
       one that deleted itself (its last switch is checked) stays deleted */
    if (t->state != ARS_RTOS_DELETED) {
        ars__detach(t);
        ars__put_out(t, ARS_RTOS_SUSPENDED);   /* as a suspend: a unit not taken goes back */
    }
#ifndef ARSENAL_RTOS_PORT_CORTEX_M
    /* the hook runs as in the switch interrupt: calls that must not run
       there (block, yield, suspend, delete, mutexes) refuse with ARS_EISR.
       Cortex-M's IPSR says so already; hosted and RISC-V check here from a
       task's own switch (or the pended one), where the flag is clear */
    ars__k.isr++;
#endif
    if (ars__k.overflow_hook) ars__k.overflow_hook(t);
    else for (;;) {}
#ifndef ARSENAL_RTOS_PORT_CORTEX_M
    ars__k.isr--;
#endif
}
ARSENAL_RTOS_API void ars_rtos_set_overflow_hook(void (*hook)(ars_rtos_task *t)) { ars__k.overflow_hook = hook; }

static ARS__UNUSED void ars__task_exit(void) {
    /* refused while it holds a mutex: then it waits suspended, holding it,
       instead of spinning here at its priority */
    if (ars_rtos_task_delete(0)) ars_rtos_task_suspend(0);
    for (;;) {}
}

static void ars__idle(void *arg) {
    (void)arg;
    for (;;) ars__port_idle();
}

static void ars__fill(unsigned char *p, size_t n) { while (n--) *p++ = ARS__FILL; }

#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static int ars__task_setup(ars_rtos_task *t, void (*fn)(void *), void *arg, unsigned prio,
                           void *stack, size_t size) {
    uintptr_t lo = ((uintptr_t)stack + 7u) & ~(uintptr_t)7u;
    uintptr_t hi = ((uintptr_t)stack + size) & ~(uintptr_t)7u;
    if (!t || !fn || !stack || prio >= ARS__NPRIO || hi <= lo || hi - lo < ARS__STACK_MIN) return ARS_EINVAL;
    t->stack = (unsigned char *)lo;
    t->stack_size = (uint32_t)(hi - lo);
#ifdef ARS__STACK_PREPARE
    ARS__STACK_PREPARE(t->stack, t->stack_size);
#endif
    ars__fill(t->stack, t->stack_size);
    *(uint32_t *)(void *)t->stack = ARS__CANARY;
    t->prio = t->base = (uint8_t)prio;
    t->rq = &ARS__RQ(prio);
    t->held = 0; t->wq = 0;                  /* tnext, msg, result: set before they are read */
    t->wake = ARS_RTOS_NEVER;
    ars__stack_init(t, fn, arg);
    return 0;
}

ARSENAL_RTOS_API int ars_rtos_init(void) {
    static uint64_t idle_stack[(ARSENAL_RTOS_IDLE_STACK + 7) / 8];
    unsigned char *p = (unsigned char *)(void *)&ars__k;
    size_t i;
    for (i = 0; i < sizeof ars__k; i++) p[i] = 0;
#if defined(ARSENAL_RTOS_PORT_HOSTED)
    ars__h.crit = 0;       /* a stop in a timer callback left the tick's section held */
#endif
    ars__task_setup(&ars__idle_task, ars__idle, 0, 0, idle_stack, sizeof idle_stack);
    ars__ready(&ars__idle_task);
    return 0;
}

ARSENAL_RTOS_API int ars_rtos_start(void) {
    if (ars__k.started || !ars__k.map) return ARS_ESTATE;
    return ars__port_start();
}

ARSENAL_RTOS_API int ars_rtos_task_create(ars_rtos_task *t, void (*fn)(void *), void *arg,
                                          unsigned prio, void *stack, size_t stack_size) {
    ars__irqstate s;
    int r;
    if (ars__isr()) return ARS_EISR;
    if (prio == 0) return ARS_EINVAL;
    r = ars__task_setup(t, fn, arg, prio, stack, stack_size);
    if (r) return r;
    s = ars__irq_save();
    ars__ready(t);
    ars__irq_restore(s);
    return 0;
}

ARSENAL_RTOS_API ars_rtos_task *ars_rtos_self(void) { return ars__k.cur; }
ARSENAL_RTOS_API int ars_rtos_task_state(const ars_rtos_task *t) {
    if (!t) t = ars__k.cur;
    return t->state > ARS_RTOS_BLOCKED ? (int)ARS_RTOS_BLOCKED : (int)t->state;
}

/* takes t out of the ready list or whatever it waits on */
static void ars__detach(ars_rtos_task *t) {
    if (t->state == ARS_RTOS_READY) ars__unready(t);
    else {
        if (t->state >= ARS_RTOS_BLOCKED) t->result = ARS_ECANCELED;
        ars__unwait(t);
    }
}

/* suspend (state SUSPENDED) or delete (state DELETED) */
static int ars__take_out(ars_rtos_task *t, unsigned state) {
    ars__irqstate s;
    int r = 0;
    if (ars__isr()) return ARS_EISR;
    if (!t) t = ars__k.cur;
    if (t == &ars__idle_task) return ARS_EINVAL;
    s = ars__irq_save();
    if (t->state == ARS_RTOS_DELETED || t->state == state) r = ARS_ESTATE;
    /* a mutex handed to it and not taken yet is given back below */
    else if (state == ARS_RTOS_DELETED && t->held &&
             (t->held != (ars_rtos_mutex *)(void *)t->wq || t->held->next_held)) r = ARS_EBUSY;
    else {
        ars__detach(t);
        ars__put_out(t, state);
        if (t == ars__k.cur) ars__pend();
    }
    ars__irq_restore(s);
    return r;
}
ARSENAL_RTOS_API int ars_rtos_task_delete(ars_rtos_task *t) { return ars__take_out(t, ARS_RTOS_DELETED); }
ARSENAL_RTOS_API int ars_rtos_task_suspend(ars_rtos_task *t) { return ars__take_out(t, ARS_RTOS_SUSPENDED); }

ARSENAL_RTOS_API int ars_rtos_task_resume(ars_rtos_task *t) {
    ars__irqstate s;
    int r = ARS_ESTATE;
    if (!t) return ARS_EINVAL;
    s = ars__irq_save();
    if (t->state == ARS_RTOS_SUSPENDED) { ars__ready(t); r = 0; }
    ars__irq_restore(s);
    return r;
}

ARSENAL_RTOS_API int ars_rtos_yield(void) {
    ars__irqstate s;
    ars_rtos_task *c;
    if (ars__isr()) return ARS_EISR;
    s = ars__irq_save();
    c = ars__k.cur;
    *c->rq = c->next;                  /* the next one has the rest of the slice */
    ars__switch_out(s);
    return 0;
}

/* sleeps until *prev + period (prev 0: now + period), as ars__wait refuses
   to in an interrupt or with interrupts masked (*prev is left as it is) */
static int ars__sleep(ars_rtos_tick_t *prev, ars_rtos_tick_t period) {
    ars__irqstate s = ars__irq_save();
    ars_rtos_tick_t when;
    int r = ARS_EISR;
    if (!ars__isr() && ARS__UNMASKED(s)) {
        r = 0;
        when = prev ? (*prev += period) : ars__k.now + period;
        if (!ars__due(when, ars__k.now)) { ars__block(s, 0, ARS_RTOS_DELAYED, when); return 0; }
    }
    ars__irq_restore(s);
    return r;
}
ARSENAL_RTOS_API int ars_rtos_delay(ars_rtos_tick_t ticks) {
    if (!ticks) return ars_rtos_yield();         /* both refuse in an interrupt */
    return ars__sleep(0, ticks);
}
ARSENAL_RTOS_API int ars_rtos_delay_until(ars_rtos_tick_t *prev, ars_rtos_tick_t period) {
    if (!prev) return ARS_EINVAL;
    return ars__sleep(prev, period);
}

ARSENAL_RTOS_API int ars_rtos_priority_get(const ars_rtos_task *t) {
    return (t ? t : ars__k.cur)->prio;
}

/* effective priority = max(base, top waiter of every held mutex) */
static unsigned ars__inherited(ars_rtos_task *t) {
    unsigned p = t->base;
    ars_rtos_mutex *m;
    for (m = t->held; m; m = m->next_held)
        if (m->waiters && m->waiters->prio > p) p = m->waiters->prio;
    return p;
}
/* moves t to the priority it should have now (its own or lent) wherever
   it sits; follows the chain of owners */
static void ars__mutex_reprio(ars_rtos_task *t) {
    unsigned depth, p;
    for (depth = 0; depth < 64 && t->prio != (p = ars__inherited(t)); depth++) {
        if (t->state == ARS_RTOS_READY) {
            ars__unready(t);
            t->prio = (uint8_t)p;
            t->rq = &ARS__RQ(p);
            ars__ready(t);
            if (t == ars__k.cur) *t->rq = t;  /* keep it at the head of its new list */
            ars__pend();
            return;
        }
        t->prio = (uint8_t)p;
        t->rq = &ARS__RQ(p);
        if (!t->wq) return;
        ars__unlink(t->wq, t);
        ars__push_prio(t->wq, t);
        if (t->state != ARS_RTOS_BLOCKED + 1) return;
        t = ((ars_rtos_mutex *)(void *)t->wq)->owner;  /* next in the chain */
        if (!t) return;
    }
}

ARSENAL_RTOS_API int ars_rtos_priority_set(ars_rtos_task *t, unsigned prio) {
    ars__irqstate s;
    if (ars__isr()) return ARS_EISR;
    if (!t) t = ars__k.cur;
    if (prio == 0 || prio >= ARS__NPRIO || t == &ars__idle_task) return ARS_EINVAL;
    s = ars__irq_save();
    if (t->state == ARS_RTOS_DELETED) { ars__irq_restore(s); return ARS_ESTATE; }
    t->base = (uint8_t)prio;
    ars__mutex_reprio(t);
    ars__irq_restore(s);
    return 0;
}

ARSENAL_RTOS_API size_t ars_rtos_stack_unused(const ars_rtos_task *t) {
    const unsigned char *p;
    size_t n = 0;
    if (!t) t = ars__k.cur;
    p = t->stack + 4;
#ifdef ARS__RTOS_VALGRIND
    /* the scan reads below the task's stack pointer, on purpose */
    VALGRIND_DISABLE_ERROR_REPORTING;
#endif
    while (n + 4 < t->stack_size && p[n] == ARS__FILL) n++;
#ifdef ARS__RTOS_VALGRIND
    /* n was computed from bytes Valgrind calls undefined; the count is real */
    VALGRIND_MAKE_MEM_DEFINED(&n, sizeof n);
    VALGRIND_ENABLE_ERROR_REPORTING;
#endif
    return n;
}

/* >>sem ------------------------------------------------------------------- */
ARSENAL_RTOS_API int ars_rtos_sem_init(ars_rtos_sem *s, uint32_t initial, uint32_t max) {
    if (!s || !max || initial > max) return ARS_EINVAL;
    s->waiters = 0; s->count = initial; s->max = max; s->held = 0;
    return 0;
}
ARSENAL_RTOS_API int ars_rtos_sem_take(ars_rtos_sem *sm, ars_rtos_tick_t deadline) {
    ars__irqstate s = ars__irq_save();
    if (sm->count) { sm->count--; ars__irq_restore(s); return 0; }
    return ars__wait(s, &sm->waiters, ARS_RTOS_BLOCKED, deadline, 0);
}
ARSENAL_RTOS_API int ars_rtos_sem_give(ars_rtos_sem *sm) {
    ars__irqstate s = ars__irq_save();
    int r = 0;
    if (sm->count + sm->held >= sm->max) r = ARS_EOVERFLOW;
    else if (sm->waiters) ars__hand_unit(&sm->waiters);

    else sm->count++;
    ars__irq_restore(s);
    return r;
}
ARSENAL_RTOS_API uint32_t ars_rtos_sem_count(const ars_rtos_sem *s) { return s->count; }

/* >>mutex ----------------------------------------------------------------- */
ARSENAL_RTOS_API int ars_rtos_mutex_init(ars_rtos_mutex *m, int recursive) {
    if (!m) return ARS_EINVAL;
    m->waiters = 0; m->owner = 0; m->next_held = 0; m->depth = 0;
    m->recursive = (uint8_t)(recursive != 0); m->pad_ = 0;
    return 0;
}
static void ars__mutex_own(ars_rtos_mutex *m, ars_rtos_task *t) {
    m->owner = t; m->depth = 1;
    m->next_held = t->held; t->held = m;
}
ARSENAL_RTOS_API int ars_rtos_mutex_lock(ars_rtos_mutex *m, ars_rtos_tick_t deadline) {
    ars__irqstate s;
    ars_rtos_task *c;
    if (ars__isr()) return ARS_EISR;
    s = ars__irq_save();
    c = ars__k.cur;
    if (!m->owner) { ars__mutex_own(m, c); ars__irq_restore(s); return 0; }
    if (m->owner == c) {
        int r = ARS_EBUSY;
        if (m->recursive) { if (m->depth == 0xFFFF) r = ARS_EOVERFLOW; else { m->depth++; r = 0; } }
        ars__irq_restore(s);
        return r;
    }
    return ars__wait(s, &m->waiters, ARS_RTOS_BLOCKED + 1, deadline, 0);
}
/* m is off its owner's list: its first waiter gets it, with the priority
   its own waiters lend. The old owner steps down as the waiter leaves the
   queue (ars__unwait); with no waiter, m lent it nothing. */
static void ars__mutex_pass(ars_rtos_mutex *m) {
    ars_rtos_task *w = m->waiters;
    if (w) {
        ars__hand(&m->waiters);
        ars__mutex_own(m, w);
        ars__mutex_reprio(w);
    } else m->owner = 0;
}
ARSENAL_RTOS_API int ars_rtos_mutex_unlock(ars_rtos_mutex *m) {
    ars__irqstate s;
    ars_rtos_task *c;
    ars_rtos_mutex **pp;
    if (ars__isr()) return ARS_EISR;
    s = ars__irq_save();
    c = ars__k.cur;
    if (m->owner != c) { ars__irq_restore(s); return ARS_EPERM; }
    if (--m->depth) { ars__irq_restore(s); return 0; }
    for (pp = &c->held; *pp != m; pp = &(*pp)->next_held) {}
    *pp = m->next_held;
    ars__mutex_pass(m);                    /* c steps down by one mutex */
    ars__irq_restore(s);
    return 0;
}

/* >>queue ----------------------------------------------------------------- */
/* gcc -O3 vectorises the byte loop and, where a call is inlined with an
   object smaller than a vector, warns about the vector path that an item of
   that size never takes (-Wstringop-overflow, -Warray-bounds and
   -Wmaybe-uninitialized on the bytes past the object: false positives) */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 7
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
static void ars__copy(void *d, const void *s, uint32_t n) {
#ifdef ARSENAL_RTOS_MEMCPY
    ARSENAL_RTOS_MEMCPY(d, s, n);
#else
    if (n == 4 && !(((uintptr_t)d | (uintptr_t)s) & 3u)) { *(uint32_t *)d = *(const uint32_t *)s; return; }
    {
        unsigned char *dp = (unsigned char *)d;
        const unsigned char *sp = (const unsigned char *)s;
        while (n--) *dp++ = *sp++;
    }
#endif
}
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 7
#pragma GCC diagnostic pop
#endif
ARSENAL_RTOS_API int ars_rtos_queue_init(ars_rtos_queue *q, void *buf, size_t item, size_t cap) {
    /* at most 2^31 bytes: then head + count (each < cap) never wraps */
    if (!q || !buf || !item || !cap || item > 0x80000000u / cap) return ARS_EINVAL;
    q->receivers = q->senders = 0;
    q->buf = (unsigned char *)buf;
    q->item = (uint32_t)item; q->cap = (uint32_t)cap; q->count = 0; q->head = 0; q->held = 0;
    return 0;
}
/* an item in (room checked): straight into the first receiver's buffer,
   else last in line, or first if it comes back (its slot: head + count or
   head - 1, reduced mod cap once, as both are < 2 * cap) */
static void ars__q_in(ars_rtos_queue *q, const void *item, int first) {
    ars_rtos_task *r = q->receivers;
    uint32_t i = first ? q->head + q->cap - 1u : q->head + q->count;
    if (r) {
        ars__copy((void *)r->msg, item, q->item);
        ars__hand_unit(&q->receivers);
        return;
    }
    if (i >= q->cap) i -= q->cap;
    if (first) q->head = i;
    ars__copy(q->buf + (size_t)i * q->item, item, q->item);
    q->count++;
}
/* a slot came free: the first waiting sender's item goes in */
static void ars__q_admit(ars_rtos_queue *q) {
    ars_rtos_task *w = q->senders;
    if (w) { ars__q_in(q, (const void *)w->msg, 0); ars__wake(w, 0); }
}
ARSENAL_RTOS_API int ars_rtos_queue_send(ars_rtos_queue *q, const void *item, ars_rtos_tick_t deadline) {
    ars__irqstate s = ars__irq_save();
    if (q->count + q->held < q->cap) { ars__q_in(q, item, 0); ars__irq_restore(s); return 0; }
    return ars__wait(s, &q->senders, ARS_RTOS_BLOCKED, deadline, (uintptr_t)item);
}
ARSENAL_RTOS_API int ars_rtos_queue_recv(ars_rtos_queue *q, void *item, ars_rtos_tick_t deadline) {
    ars__irqstate s = ars__irq_save();
    if (q->count) {
        ars__copy(item, q->buf + (size_t)q->head * q->item, q->item);
        if (++q->head == q->cap) q->head = 0;
        q->count--;
        ars__q_admit(q);
        ars__irq_restore(s);
        return 0;
    }
    return ars__wait(s, &q->receivers, ARS_RTOS_BLOCKED, deadline, (uintptr_t)item);
}
ARSENAL_RTOS_API uint32_t ars_rtos_queue_count(const ars_rtos_queue *q) { return q->count; }

/* t's wait ended with a unit handed to it by t->wq's object: t ran and
   took it (back = 0), or t is suspended or deleted before it ran (back = 1):
   then, as if taken out while it still waited (ARS_ECANCELED), the unit goes
   back. A mutex (the last one it got, first on its list) to the next waiter
   or free; a queue item, still in t's buffer, to the next receiver, else
   first in line; a count to the next waiter or the count. A handed item or
   count held its room in the object until now (held), so it fits back; once
   taken, its room lets a waiting sender in. Both run inside a critical
   section, so taking a unit and giving it back exclude each other */
static void ars__settle(ars_rtos_task *t, int back) {
    void *o = t->wq;
    ars_rtos_queue *q = (ars_rtos_queue *)o;        /* if it is one */
    t->wq = 0;
    if (back) t->result = ARS_ECANCELED;
    if (t->held == (ars_rtos_mutex *)o) {
        if (back) {
            t->held = t->held->next_held;
            ars__mutex_pass((ars_rtos_mutex *)o);
        }
        return;
    }
    ARS__HELD((ars_rtos_task **)o)--;           /* a sem's or a queue's room */
    if (!t->msg) { if (back) ars_rtos_sem_give((ars_rtos_sem *)o); }
    else if (!back) ars__q_admit(q);
    else ars__q_in(q, (const void *)t->msg, 1);          /* first in line */
}
/* t, detached, goes into state (SUSPENDED, DELETED) and gives back a unit
   it was handed and has not taken: for suspend and delete, and for a stack
   overflow, which on Cortex-M can catch a woken task before its take (the
   switch returns to it unmasked: a switch pended meanwhile tail-chains and
   checks it again, before its cpsid i). One copy of the give-back is
   smaller than one inlined in each */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static void ars__put_out(ars_rtos_task *t, unsigned state) {
    t->state = (uint8_t)state;
    if (t->wq) ars__settle(t, 1);
}
typedef char ars__held_check[offsetof(ars_rtos_sem, held) == sizeof(void *) &&
                             offsetof(ars_rtos_queue, held) == sizeof(void *) ? 1 : -1];

/* >>event ----------------------------------------------------------------- */
static int ars__ev_match(uint32_t have, uint32_t want, unsigned opts) {
    return (opts & ARS_RTOS_EV_ALL) ? (have & want) == want : (have & want) != 0;
}
ARSENAL_RTOS_API int ars_rtos_event_init(ars_rtos_event *e, uint32_t bits) {
    if (!e) return ARS_EINVAL;
    e->waiters = 0; e->bits = bits;
    return 0;
}
ARSENAL_RTOS_API uint32_t ars_rtos_event_get(const ars_rtos_event *e) { return e->bits; }
ARSENAL_RTOS_API int ars_rtos_event_clear(ars_rtos_event *e, uint32_t bits) {
    ars__irqstate s = ars__irq_save();
    e->bits &= ~bits;
    ars__irq_restore(s);
    return 0;
}
/* a waiter points msg at this record on its own stack */
typedef struct ars__evwait { uint32_t want, got; unsigned opts; } ars__evwait;
ARSENAL_RTOS_API int ars_rtos_event_set(ars_rtos_event *e, uint32_t bits) {
    ars__irqstate s = ars__irq_save();
    ars_rtos_task *t, *nx;
    uint32_t clear = 0;
    e->bits |= bits;
    t = e->waiters;
    while (t) {
        ars__evwait *w = (ars__evwait *)t->msg;
        nx = (t->next == e->waiters) ? 0 : t->next;
        if (ars__ev_match(e->bits, w->want, w->opts)) {
            w->got = e->bits;
            if (w->opts & ARS_RTOS_EV_CLEAR) clear |= w->want;
            ars__wake(t, 0);
            if (!e->waiters) break;
        }
        t = nx;
    }
    e->bits &= ~clear;
    ars__irq_restore(s);
    return 0;
}
ARSENAL_RTOS_API int ars_rtos_event_wait(ars_rtos_event *e, uint32_t bits, unsigned opts,
                                         uint32_t *got, ars_rtos_tick_t deadline) {
    ars__irqstate s;
    ars__evwait w;
    int r;
    if (!bits) return ARS_EINVAL;
    s = ars__irq_save();
    if (ars__ev_match(e->bits, bits, opts)) {
        if (got) *got = e->bits;
        if (opts & ARS_RTOS_EV_CLEAR) e->bits &= ~bits;
        ars__irq_restore(s);
        return 0;
    }
    w.want = bits; w.got = 0; w.opts = opts;
    r = ars__wait(s, &e->waiters, ARS_RTOS_BLOCKED, deadline, (uintptr_t)&w);
    if (!r && got) *got = w.got;
    return r;
}

/* >>timer ----------------------------------------------------------------- */
ARSENAL_RTOS_API int ars_rtos_timer_init(ars_rtos_timer *t, void (*fn)(ars_rtos_timer *, void *), void *arg) {
    if (!t || !fn) return ARS_EINVAL;
    t->next = 0; t->expiry = 0; t->period = 0; t->fn = fn; t->arg = arg; t->active = 0;
    return 0;
}
static void ars__timer_unlink(ars_rtos_timer *t) {
    ars_rtos_timer **pp = &ars__k.timers;
    while (*pp && *pp != t) pp = &(*pp)->next;
    if (*pp) *pp = t->next;
    t->active = 0;
}
static void ars__timer_link(ars_rtos_timer *t) {
    ars_rtos_timer **pp = &ars__k.timers;
    while (*pp && (int32_t)((*pp)->expiry - t->expiry) <= 0) pp = &(*pp)->next;
    t->next = *pp; *pp = t;
    t->active = 1;
}
ARSENAL_RTOS_API int ars_rtos_timer_start(ars_rtos_timer *t, ars_rtos_tick_t delay, ars_rtos_tick_t period) {
    ars__irqstate s;
    if (!delay) delay = period;
    if (!t || !delay) return ARS_EINVAL;
    s = ars__irq_save();
    if (t->active) ars__timer_unlink(t);
    t->expiry = ars__k.now + delay;
    t->period = period;
    ars__timer_link(t);
    ars__irq_restore(s);
    return 0;
}
ARSENAL_RTOS_API int ars_rtos_timer_stop(ars_rtos_timer *t) {
    ars__irqstate s;
    int r = 0;
    if (!t) return ARS_EINVAL;
    s = ars__irq_save();
    if (t->active) ars__timer_unlink(t); else r = ARS_ESTATE;
    ars__irq_restore(s);
    return r;
}
/* runs in the tick interrupt, inside its critical section */
static void ars__timers_run(void) {
    ars_rtos_timer *t;
    while ((t = ars__k.timers) != 0 && ars__due(t->expiry, ars__k.now)) {
        ars__k.timers = t->next;
        t->active = 0;
        if (t->period) { t->expiry += t->period; ars__timer_link(t); }
        t->fn(t, t->arg);
    }
}


/* >>hal ------------------------------------------------------------------- */
#if defined(ARSENAL_RTOS_HAL_MPS2) || defined(ARSENAL_RTOS_HAL_VIRT) || defined(ARSENAL_RTOS_HAL_HOSTED)
#if defined(ARSENAL_RTOS_HAL_MPS2)
#define ARS__HREG(a) (*(volatile uint32_t *)(uintptr_t)(a))
/* TX and RX on (CTRL bits 0, 1) at the first use in either direction: a
   board's startup may have enabled TX alone, and a read that comes first
   must not find the receiver off */
static void ars__uart_on(void) {
    if ((ARS__HREG(0x40004008u) & 3u) != 3u) { ARS__HREG(0x40004010u) = 16; ARS__HREG(0x40004008u) |= 3u; }
}
static void ars__uart_put(unsigned char c) {
    ars__uart_on();
    while (ARS__HREG(0x40004004u) & 1u) {}                 /* TX buffer full */
    ARS__HREG(0x40004000u) = c;
}
static int ars__uart_get(unsigned char *c) {
    ars__uart_on();
    if (!(ARS__HREG(0x40004004u) & 2u)) return 0;         /* RX buffer full bit */
    *c = (unsigned char)ARS__HREG(0x40004000u);
    return 1;
}
#define ARS__LEDS ARS__HREG(0x40028000u)                      /* FPGAIO LED0 */
#elif defined(ARSENAL_RTOS_HAL_VIRT)
#define ARS__HREG8(a) (*(volatile uint8_t *)(uintptr_t)(a))
static void ars__uart_put(unsigned char c) {
    while (!(ARS__HREG8(0x10000005u) & 0x20u)) {}
    ARS__HREG8(0x10000000u) = c;
}
static int ars__uart_get(unsigned char *c) {
    if (!(ARS__HREG8(0x10000005u) & 1u)) return 0;
    *c = ARS__HREG8(0x10000000u);
    return 1;
}
static volatile uint32_t ars__leds;
#define ARS__LEDS ars__leds
#else
#include <stdio.h>
#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif
#if defined(_POSIX_VERSION)
#include <errno.h>
#include <poll.h>
#endif
static void ars__uart_put(unsigned char c) { fputc(c, stdout); if (c == '\n') fflush(stdout); }
/* Input is file descriptor 0, read without blocking the (single-threaded)
   hosted kernel: poll() with no wait, then read() of one byte. 1: a byte,
   0: none yet, ARS_EEOF: end of input, ARS_EIO: read error. Without POSIX
   there is no input: always ARS_EEOF. */
static int ars__uart_get(unsigned char *c) {
#if defined(_POSIX_VERSION)
    struct pollfd pf;
    ssize_t r;
    pf.fd = 0; pf.events = POLLIN; pf.revents = 0;
    if (poll(&pf, 1, 0) <= 0) return 0;
    if (pf.revents & POLLNVAL) return ARS_EEOF;                 /* fd 0 closed */
    r = read(0, c, 1);
    if (r == 1) return 1;
    if (r == 0) return ARS_EEOF;
    return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : ARS_EIO;
#else
    (void)c;
    return ARS_EEOF;
#endif
}
static volatile uint32_t ars__leds;
#define ARS__LEDS ars__leds
#endif
ARSENAL_RTOS_API int ars_rtos_uart_write(const void *buf, size_t n) {
    const unsigned char *p = (const unsigned char *)buf;
    size_t i;
    for (i = 0; i < n; i++) ars__uart_put(p[i]);
    return (int)n;
}
ARSENAL_RTOS_API int ars_rtos_uart_read(void *buf, size_t n, ars_rtos_tick_t deadline) {
    unsigned char *p = (unsigned char *)buf;
    size_t got = 0;
    int r = 0;
    if (!n) return 0;
    for (;;) {
        while (got < n && (r = ars__uart_get(&p[got])) == 1) got++;
        if (got) return (int)got;
        if (r < 0) return r;                          /* hosted: end of input, error */
        if (deadline == ARS_RTOS_NOWAIT) return ARS_EAGAIN;
        if (ars__isr()) return ARS_EISR;
        if (deadline != ARS_RTOS_NEVER && ars__due(deadline, ars__k.now)) return ARS_ETIMEDOUT;
        if ((r = ars_rtos_delay(1)) != 0) return r;      /* interrupts masked */
    }
}
ARSENAL_RTOS_API void ars_rtos_gpio_set(unsigned pin, int level) {
    ars__irqstate s = ars__irq_save();
    if (level) ARS__LEDS |= 1u << (pin & 31u); else ARS__LEDS &= ~(1u << (pin & 31u));
    ars__irq_restore(s);
}
ARSENAL_RTOS_API int ars_rtos_gpio_get(unsigned pin) { return (int)((ARS__LEDS >> (pin & 31u)) & 1u); }
#undef ARS__LEDS
#endif

#ifdef __cplusplus
}
#endif

#undef ARS__ASSERT
#undef ARS__CANARY
#undef ARS__FILL
#undef ARS__NPRIO
#undef ARS__STACK_MIN
#undef ARS__STR
#undef ARS__STR2
#undef ARS__RQ
#undef ARS__UNUSED
#undef ARS__NORETURN
#undef ARS__HELD
#endif /* ARSENAL_RTOS_IMPLEMENTATION */

/*
MIT License

Copyright (c) 2026 Arsenal contributors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
*/
