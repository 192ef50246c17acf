/* test_rtos.c - tests for arsenal_rtos.h
   ars-test-libs:
   ars-test-legs: native asan valgrind cross firmware
   ars-test-skip: firmware-rv32e (the RISC-V port saves x1-x31; RV32E has x0-x15)
   Legs left out: tsan (the hosted port runs every task in one thread by
   swapcontext, which TSan does not follow; there is nothing to race),
   wine and musl (the hosted port needs <ucontext.h>; Windows and musl
   have none).

   One runner task runs every test in turn inside one kernel session, so the
   same program works hosted (ars_rtos_start returns on ars_rtos_stop) and
   as firmware (the kernel never returns; the runner exits QEMU). Each test
   leaves no task behind. Firmware: tests/firmware.sh <board> (an385 an386
   rv32 rv32f rv64 rv64gc), also with -DARSENAL_RTOS_TICKLESS=1;
   Cortex-M0: tests/rtos_m0.sh (qemu microbit).

   The HAL's UART input is tested too: tests/firmware.sh feeds the text of
   the next line to QEMU's stdin, which -nographic connects to UART0
   (test_uart_read expects exactly these bytes; hosted, it plays them
   through a pipe in place of stdin).
   ars-test-fw-stdin: ars-uart
*/
#define ARSENAL_RTOS_PRIORITIES 16
static volatile unsigned tick_irqs;     /* tick interrupts taken */
#ifdef ARS_TEST_FREESTANDING
#include "../firmware/board.h"
#endif
#if defined(ARS_TEST_FREESTANDING) && defined(__arm__)
#define ARSENAL_RTOS_TICK_HOOK() (tick_irqs++, board_tick())
#else
#define ARSENAL_RTOS_TICK_HOOK() (tick_irqs++)
#endif
/* the HAL, for ars_rtos_uart_read (micro:bit M0 has no HAL: no UART test) */
#if !defined(ARS_TEST_FREESTANDING)
#define ARSENAL_RTOS_HAL_HOSTED
#elif defined(__riscv)
#define ARSENAL_RTOS_HAL_VIRT
#elif defined(__arm__) && !defined(__ARM_ARCH_6M__)
#define ARSENAL_RTOS_HAL_MPS2
#endif
#define ARSENAL_RTOS_IMPLEMENTATION
#include "../arsenal_rtos.h"
#include "ars_test.h"
#if defined(TEST_STK)
#define STK TEST_STK                 /* small boards (tests/rtos_m0.sh) */
#elif defined(ARS_TEST_FREESTANDING)
#define STK 2048                     /* bytes per task stack */
#else
#include <string.h>
#include <unistd.h>
#define STK 65536
#endif

#define RUNNER_PRIO 8
#define NEVER ARS_RTOS_NEVER

static void settle(void) { ars_rtos_delay(2); }   /* lets lower tasks run until blocked */
static ars_rtos_tick_t in_ticks(ars_rtos_tick_t n) { return ars_rtos_now() + n; }

/* busy-waits for one tick; hosted: simulates that tick interrupt here */
static void spin_one_tick(void) {
#ifdef ARSENAL_RTOS_PORT_HOSTED
    ars_rtos_hosted_tick(1);
#else
    ars_rtos_tick_t t = ars_rtos_now();
    while (ars_rtos_now() == t) {}
#endif
}

static uint64_t stacks[6][STK / 8];
static ars_rtos_task tasks[6];

static char log_buf[64];
static volatile int log_n;
static void logc(char c) { if (log_n < 63) log_buf[log_n++] = c; log_buf[log_n] = 0; }
static void log_reset(void) { log_n = 0; log_buf[0] = 0; }
static int streq(const char *a, const char *b) { while (*a && *a == *b) { a++; b++; } return *a == *b; }

static int spawn(int i, void (*fn)(void *), void *arg, unsigned prio) {
    return ars_rtos_task_create(&tasks[i], fn, arg, prio, stacks[i], sizeof stacks[i]);
}

/* ---- scheduling --------------------------------------------------------- */
static void log_task(void *arg) { logc((char)(uintptr_t)arg); }

static void test_priority_order(void) {
    log_reset();
    EXPECT_EQ(spawn(0, log_task, (void *)'L', 5), 0);
    EXPECT_EQ(spawn(1, log_task, (void *)'H', 9), 0);   /* preempts us at once */
    logc('r');
    EXPECT_EQ(spawn(2, log_task, (void *)'M', 6), 0);
    settle();
    EXPECT(streq(log_buf, "HrML"));
    EXPECT_EQ(ars_rtos_task_state(&tasks[0]), ARS_RTOS_DELETED);
    EXPECT_EQ(ars_rtos_task_create(&tasks[3], log_task, 0, 0, stacks[3], STK), ARS_EINVAL);
    EXPECT_EQ(ars_rtos_task_create(&tasks[3], log_task, 0, 16, stacks[3], STK), ARS_EINVAL);
    EXPECT_EQ(ars_rtos_task_create(&tasks[3], log_task, 0, 3, stacks[3], 16), ARS_EINVAL);
}

static void yielder(void *arg) {
    int i;
    for (i = 0; i < 3; i++) { logc((char)(uintptr_t)arg); ars_rtos_yield(); }
}
static void test_yield(void) {
    log_reset();
    spawn(0, yielder, (void *)'a', 5);
    spawn(1, yielder, (void *)'b', 5);
    settle();
    EXPECT(streq(log_buf, "ababab"));
}

static volatile int rr_stop;
static volatile uint32_t rr_count[2];
static void spinner(void *arg) {
    int i = (int)(uintptr_t)arg;
    while (!rr_stop) { rr_count[i]++; logc((char)('0' + i)); spin_one_tick(); }
}
static void test_round_robin(void) {
    log_reset();
    rr_stop = 0; rr_count[0] = rr_count[1] = 0;
    spawn(0, spinner, (void *)0, 5);
    spawn(1, spinner, (void *)1, 5);
    ars_rtos_delay(10);
    rr_stop = 1;
    settle();
    EXPECT(rr_count[0] >= 3);
    EXPECT(rr_count[1] >= 3);
    EXPECT(log_buf[0] == '0');
    EXPECT(log_buf[1] == '1' || log_buf[2] == '1'); /* shared slices */
}

static volatile int counter;
static void counting(void *arg) { (void)arg; for (;;) { counter++; ars_rtos_delay(1); } }
static void test_suspend_resume_delete(void) {
    int c;
    counter = 0;
    spawn(0, counting, 0, 5);
    settle();
    EXPECT(counter > 0);
    EXPECT_EQ(ars_rtos_task_suspend(&tasks[0]), 0);
    EXPECT_EQ(ars_rtos_task_state(&tasks[0]), ARS_RTOS_SUSPENDED);
    EXPECT_EQ(ars_rtos_task_suspend(&tasks[0]), ARS_ESTATE);
    c = counter;
    ars_rtos_delay(5);
    EXPECT_EQ(counter, c);
    EXPECT_EQ(ars_rtos_task_resume(&tasks[0]), 0);
    EXPECT_EQ(ars_rtos_task_resume(&tasks[0]), ARS_ESTATE);
    ars_rtos_delay(5);
    EXPECT(counter > c);
    EXPECT_EQ(ars_rtos_task_delete(&tasks[0]), 0);
    EXPECT_EQ(ars_rtos_task_state(&tasks[0]), ARS_RTOS_DELETED);
    EXPECT_EQ(ars_rtos_task_delete(&tasks[0]), ARS_ESTATE);
    c = counter;
    ars_rtos_delay(5);
    EXPECT_EQ(counter, c);
}

static void test_priority_set(void) {
    log_reset();
    spawn(0, log_task, (void *)'x', 3);
    logc('r');
    EXPECT_EQ(ars_rtos_priority_get(&tasks[0]), 3);
    EXPECT_EQ(ars_rtos_priority_set(&tasks[0], 10), 0);  /* runs at once */
    logc('s');
    EXPECT(streq(log_buf, "rxs"));
    EXPECT_EQ(ars_rtos_priority_get(0), RUNNER_PRIO);
    EXPECT_EQ(ars_rtos_priority_set(0, 0), ARS_EINVAL);
}

/* ---- time --------------------------------------------------------------- */
static void test_delay_exact(void) {
    ars_rtos_tick_t t0;
    ars_rtos_delay(1);
    t0 = ars_rtos_now();
    EXPECT_EQ(ars_rtos_delay(5), 0);
    EXPECT_EQ(ars_rtos_now(), t0 + 5);
}

static volatile int periodic_misses, periodic_done;
static void periodic(void *arg) {
    ars_rtos_tick_t t = ars_rtos_now(), start = t;
    int i;
    (void)arg;
    for (i = 1; i <= 1000; i++) {
        ars_rtos_delay_until(&t, 3);
        if (ars_rtos_now() != start + 3u * (ars_rtos_tick_t)i) periodic_misses++;
    }
    periodic_done = 1;
}
static void busy_low(void *arg) { (void)arg; for (;;) spin_one_tick(); }
static void test_delay_until_1000(void) {
    int pass;
    for (pass = 0; pass < 2; pass++) {
        periodic_misses = 0; periodic_done = 0;
        spawn(0, periodic, 0, 9);
        if (pass == 0) spawn(1, busy_low, 0, 2);   /* CPU busy in between */
        while (!periodic_done) ars_rtos_delay(50);  /* pass 1: idle (tickless) */
        EXPECT_EQ(periodic_misses, 0);
        if (pass == 0) ars_rtos_task_delete(&tasks[1]);
    }
}

/* tickless idle: a long sleep with nothing else to run takes a handful of
   timer interrupts instead of one per tick, and still ends on its tick.
   (Hosted: the idle task jumps time, like tickless.) */
static void test_tickless_idle(void) {
    unsigned before;
    ars_rtos_tick_t t0;
    ars_rtos_delay(1);
    before = tick_irqs;
    t0 = ars_rtos_now();
    ars_rtos_delay(200);
    EXPECT_EQ(ars_rtos_now(), t0 + 200);
#if ARSENAL_RTOS_TICKLESS || defined(ARSENAL_RTOS_PORT_HOSTED)
    EXPECT(tick_irqs - before <= 3);
    /* but the hook still runs for the ticks idle counts (hosted: it ran
       for none of a jump, so a hook keeping a clock never saw them) */
    EXPECT(tick_irqs - before >= 1);
#else
    EXPECT_EQ(tick_irqs - before, 200);
#endif
}

/* ---- semaphores ---------------------------------------------------------- */
static ars_rtos_sem sem;
static volatile int got_sem;
static void sem_taker(void *arg) {
    (void)arg;
    while (ars_rtos_sem_take(&sem, NEVER) == 0) got_sem++;
}
static void test_semaphore(void) {
    ars_rtos_tick_t t0;
    EXPECT_EQ(ars_rtos_sem_init(&sem, 2, 3), 0);
    EXPECT_EQ(ars_rtos_sem_init(&sem, 4, 3), ARS_EINVAL);
    ars_rtos_sem_init(&sem, 2, 3);
    EXPECT_EQ(ars_rtos_sem_take(&sem, 0), 0);
    EXPECT_EQ(ars_rtos_sem_take(&sem, 0), 0);
    EXPECT_EQ(ars_rtos_sem_take(&sem, 0), ARS_EAGAIN);
    t0 = ars_rtos_now();
    EXPECT_EQ(ars_rtos_sem_take(&sem, t0 + 4), ARS_ETIMEDOUT);
    EXPECT_EQ(ars_rtos_now(), t0 + 4);
    EXPECT_EQ(ars_rtos_sem_give(&sem), 0);
    EXPECT_EQ(ars_rtos_sem_give(&sem), 0);
    EXPECT_EQ(ars_rtos_sem_give(&sem), 0);
    EXPECT_EQ(ars_rtos_sem_give(&sem), ARS_EOVERFLOW);
    EXPECT_EQ(ars_rtos_sem_count(&sem), 3);
    /* binary semaphore handing units to a waiting task */
    ars_rtos_sem_init(&sem, 0, 1);
    got_sem = 0;
    spawn(0, sem_taker, 0, 9);
    EXPECT_EQ(got_sem, 0);
    ars_rtos_sem_give(&sem);          /* higher waiter runs at once */
    EXPECT_EQ(got_sem, 1);
    ars_rtos_sem_give(&sem);
    EXPECT_EQ(got_sem, 2);
    EXPECT_EQ(ars_rtos_sem_count(&sem), 0);
    ars_rtos_task_delete(&tasks[0]);
}

/* ---- mutexes and priority inheritance ------------------------------------ */
enum { OP_LOCK, OP_UNLOCK, OP_QUIT };
typedef struct { int op; ars_rtos_tick_t timeout; ars_rtos_mutex *m; } cmd;
typedef struct { ars_rtos_queue q; cmd buf[4]; volatile int result, done; } worker;
static worker workers[4];

static void worker_fn(void *arg) {
    worker *w = (worker *)arg;
    cmd c;
    for (;;) {
        ars_rtos_queue_recv(&w->q, &c, NEVER);
        if (c.op == OP_QUIT) return;
        w->result = 99;
        if (c.op == OP_LOCK) w->result = ars_rtos_mutex_lock(c.m, c.timeout ? in_ticks(c.timeout) : NEVER);
        else w->result = ars_rtos_mutex_unlock(c.m);
        w->done++;
    }
}
static void wstart(int i, unsigned prio) {
    ars_rtos_queue_init(&workers[i].q, workers[i].buf, sizeof(cmd), 4);
    workers[i].done = 0; workers[i].result = 99;
    spawn(i, worker_fn, &workers[i], prio);
}
static void wcmd(int i, int op, ars_rtos_mutex *m, ars_rtos_tick_t timeout) {
    cmd c; c.op = op; c.m = m; c.timeout = timeout;
    ars_rtos_queue_send(&workers[i].q, &c, NEVER);
    settle();
}
static void wstop(int i) {
    wcmd(i, OP_QUIT, 0, 0);
    EXPECT_EQ(ars_rtos_task_state(&tasks[i]), ARS_RTOS_DELETED);
}
#define PRIO(i) ars_rtos_priority_get(&tasks[i])

static ars_rtos_mutex m1, m2, m3;

static void test_mutex_basic(void) {
    ars_rtos_mutex_init(&m1, 0);
    ars_rtos_mutex_init(&m2, 1);
    EXPECT_EQ(ars_rtos_mutex_lock(&m1, NEVER), 0);
    EXPECT_EQ(ars_rtos_mutex_lock(&m1, NEVER), ARS_EBUSY);    /* not recursive */
    EXPECT_EQ(ars_rtos_mutex_unlock(&m1), 0);
    EXPECT_EQ(ars_rtos_mutex_unlock(&m1), ARS_EPERM);
    EXPECT_EQ(ars_rtos_mutex_lock(&m2, NEVER), 0);
    EXPECT_EQ(ars_rtos_mutex_lock(&m2, NEVER), 0);            /* recursive */
    EXPECT_EQ(ars_rtos_mutex_unlock(&m2), 0);
    wstart(0, 5);
    wcmd(0, OP_LOCK, &m2, 3);                                  /* still held once */
    EXPECT_EQ(workers[0].done, 0);
    ars_rtos_delay(5);
    EXPECT_EQ(workers[0].result, ARS_ETIMEDOUT);
    wcmd(0, OP_UNLOCK, &m2, 0);
    EXPECT_EQ(workers[0].result, ARS_EPERM);
    EXPECT_EQ(ars_rtos_mutex_unlock(&m2), 0);
    wcmd(0, OP_LOCK, &m2, 0);
    EXPECT_EQ(workers[0].result, 0);
    EXPECT_EQ(ars_rtos_mutex_lock(&m2, 0), ARS_EAGAIN);
    EXPECT_EQ(ars_rtos_task_delete(&tasks[0]), ARS_EBUSY);   /* holds a mutex */
    wcmd(0, OP_UNLOCK, &m2, 0);
    wstop(0);
}

/* L holds m1 and m2; H1 (6) waits on m1, H2 (4) waits on m2. Releasing m1
   drops L to 4 (not to its base 2), releasing m2 drops it to 2. */
static void test_pi_step_restore(void) {
    ars_rtos_mutex_init(&m1, 0); ars_rtos_mutex_init(&m2, 0);
    wstart(0, 2); wstart(1, 6); wstart(2, 4);
    wcmd(0, OP_LOCK, &m1, 0); wcmd(0, OP_LOCK, &m2, 0);
    EXPECT_EQ(workers[0].done, 2);
    wcmd(2, OP_LOCK, &m2, 0);
    EXPECT_EQ(PRIO(0), 4);
    wcmd(1, OP_LOCK, &m1, 0);
    EXPECT_EQ(PRIO(0), 6);
    wcmd(0, OP_UNLOCK, &m1, 0);
    EXPECT_EQ(workers[1].result, 0);                 /* H1 got m1 */
    EXPECT_EQ(PRIO(0), 4);
    wcmd(0, OP_UNLOCK, &m2, 0);
    EXPECT_EQ(workers[2].result, 0);
    EXPECT_EQ(PRIO(0), 2);
    wcmd(1, OP_UNLOCK, &m1, 0); wcmd(2, OP_UNLOCK, &m2, 0);
    EXPECT_EQ(PRIO(1), 6); EXPECT_EQ(PRIO(2), 4);
    wstop(0); wstop(1); wstop(2);
}

/* chain: L(2) holds m1; M(4) holds m2 and waits on m1; H(6) waits on m2
   with a timeout. The boost passes along to L; the timeout undoes it. */
static void test_pi_chain_timeout(void) {
    ars_rtos_mutex_init(&m1, 0); ars_rtos_mutex_init(&m2, 0);
    wstart(0, 2); wstart(1, 4); wstart(2, 6);
    wcmd(0, OP_LOCK, &m1, 0);
    wcmd(1, OP_LOCK, &m2, 0);
    wcmd(1, OP_LOCK, &m1, 0);
    EXPECT_EQ(PRIO(0), 4);
    wcmd(2, OP_LOCK, &m2, 10);
    EXPECT_EQ(PRIO(1), 6);
    EXPECT_EQ(PRIO(0), 6);                           /* through the chain */
    ars_rtos_delay(12);
    EXPECT_EQ(workers[2].result, ARS_ETIMEDOUT);
    EXPECT_EQ(PRIO(1), 4);
    EXPECT_EQ(PRIO(0), 4);
    wcmd(0, OP_UNLOCK, &m1, 0);
    EXPECT_EQ(PRIO(0), 2);
    EXPECT_EQ(workers[1].done, 2);                   /* M got m1 */
    wcmd(1, OP_UNLOCK, &m1, 0); wcmd(1, OP_UNLOCK, &m2, 0);
    wstop(0); wstop(1); wstop(2);
}

/* priority set on a boosted owner: base changes, boost stays until release */
static void test_pi_priority_set(void) {
    ars_rtos_mutex_init(&m1, 0); ars_rtos_mutex_init(&m3, 1);
    wstart(0, 2); wstart(1, 6);
    wcmd(0, OP_LOCK, &m1, 0);
    wcmd(0, OP_LOCK, &m3, 0);
    wcmd(1, OP_LOCK, &m1, 0);
    EXPECT_EQ(PRIO(0), 6);
    EXPECT_EQ(ars_rtos_priority_set(&tasks[0], 3), 0);
    EXPECT_EQ(PRIO(0), 6);
    EXPECT_EQ(ars_rtos_priority_set(&tasks[0], 7), 0);
    EXPECT_EQ(PRIO(0), 7);
    EXPECT_EQ(ars_rtos_priority_set(&tasks[0], 3), 0);
    EXPECT_EQ(PRIO(0), 6);
    wcmd(0, OP_UNLOCK, &m1, 0);
    EXPECT_EQ(PRIO(0), 3);
    EXPECT_EQ(workers[1].result, 0);
    /* raising the waiter raises the owner it waits for */
    wcmd(1, OP_UNLOCK, &m1, 0);
    wcmd(1, OP_LOCK, &m3, 0);
    EXPECT_EQ(PRIO(0), 6);
    EXPECT_EQ(ars_rtos_priority_set(&tasks[1], 7), 0);
    EXPECT_EQ(PRIO(0), 7);
    EXPECT_EQ(ars_rtos_priority_set(&tasks[1], 5), 0);
    EXPECT_EQ(PRIO(0), 5);
    wcmd(0, OP_UNLOCK, &m3, 0);
    EXPECT_EQ(PRIO(0), 3);
    wcmd(1, OP_UNLOCK, &m3, 0);
    wstop(0); wstop(1);
}

/* ---- queues --------------------------------------------------------------- */
typedef struct { unsigned char b[7]; } item7;
static ars_rtos_queue q;
static item7 qbuf[3];
static volatile int q_recv_result, q_send_result;
static item7 q_got;
static void q_receiver(void *arg) { (void)arg; q_recv_result = ars_rtos_queue_recv(&q, &q_got, in_ticks(20)); }
static void q_sender(void *arg) {
    item7 it; (void)arg; memset(&it, 0x44, sizeof it);
    q_send_result = ars_rtos_queue_send(&q, &it, in_ticks(20));
}
static void test_queue(void) {
    item7 a, b;
    int i;
    ars_rtos_tick_t t0;
    EXPECT_EQ(ars_rtos_queue_init(&q, qbuf, sizeof(item7), 3), 0);
    for (i = 0; i < 3; i++) { memset(&a, i + 1, sizeof a); EXPECT_EQ(ars_rtos_queue_send(&q, &a, 0), 0); }
    EXPECT_EQ(ars_rtos_queue_send(&q, &a, 0), ARS_EAGAIN);
    t0 = ars_rtos_now();
    EXPECT_EQ(ars_rtos_queue_send(&q, &a, t0 + 3), ARS_ETIMEDOUT);
    EXPECT_EQ(ars_rtos_now(), t0 + 3);
    EXPECT_EQ(ars_rtos_queue_count(&q), 3);
    /* a blocked sender is let in when we take one out */
    q_send_result = 99;
    spawn(0, q_sender, 0, 5);
    settle();
    EXPECT_EQ(q_send_result, 99);
    for (i = 0; i < 3; i++) {
        EXPECT_EQ(ars_rtos_queue_recv(&q, &b, 0), 0);
        EXPECT_EQ(b.b[6], i + 1);
    }
    settle();
    EXPECT_EQ(q_send_result, 0);
    EXPECT_EQ(ars_rtos_queue_recv(&q, &b, 0), 0);
    EXPECT_EQ(b.b[0], 0x44);
    EXPECT_EQ(ars_rtos_queue_recv(&q, &b, 0), ARS_EAGAIN);
    t0 = ars_rtos_now();
    EXPECT_EQ(ars_rtos_queue_recv(&q, &b, t0 + 2), ARS_ETIMEDOUT);
    EXPECT_EQ(ars_rtos_now(), t0 + 2);
    /* a waiting receiver gets the item handed straight over */
    q_recv_result = 99;
    spawn(0, q_receiver, 0, 9);
    memset(&a, 0x77, sizeof a);
    EXPECT_EQ(ars_rtos_queue_send(&q, &a, 0), 0);
    EXPECT_EQ(q_recv_result, 0);
    EXPECT_EQ(q_got.b[3], 0x77);
    EXPECT_EQ(ars_rtos_queue_count(&q), 0);
    /* and a waiting receiver times out */
    q_recv_result = 99;
    spawn(0, q_receiver, 0, 9);
    ars_rtos_delay(21);
    EXPECT_EQ(q_recv_result, ARS_ETIMEDOUT);
}

/* A queue of more than 2^31 one-byte items: the slot of a send was
   head + count reduced once by cap, and that sum wrapped past 2^32 (head
   0xFFFFFFF0 + count 0x20 gave slot 0x10, not 0x11). White box: head and
   count are set, the buffer is touched only at the slot written. */
static unsigned char big_qb[64];
static void test_queue_huge_wrap(void) {
    ars_rtos_queue bq;
    unsigned char x = 0x77;
    int r = ars_rtos_queue_init(&bq, big_qb, 1, 0xFFFFFFFFu);
    if (r == 0) {
        bq.head = 0xFFFFFFF0u; bq.count = 0x20u;
        big_qb[0x10] = big_qb[0x11] = 0;
        EXPECT_EQ(ars_rtos_queue_send(&bq, &x, ARS_RTOS_NOWAIT), 0);
        EXPECT_EQ(big_qb[0x11], 0x77);
        EXPECT_EQ(big_qb[0x10], 0);
    } else EXPECT_EQ(r, ARS_EINVAL);
    EXPECT_EQ(ars_rtos_queue_init(&bq, big_qb, 1, 0x80000000u), 0);   /* 2^31 bytes: the limit */
    EXPECT_EQ(ars_rtos_queue_init(&bq, big_qb, 2, 0x40000001u), ARS_EINVAL);
}

/* ---- event flags ---------------------------------------------------------- */
static ars_rtos_event ev;
static volatile int ev_res[2];
static uint32_t ev_got[2];
static void ev_any(void *arg) { (void)arg; ev_res[0] = ars_rtos_event_wait(&ev, 0x3, ARS_RTOS_EV_ANY, &ev_got[0], NEVER); }
static void ev_all(void *arg) { (void)arg; ev_res[1] = ars_rtos_event_wait(&ev, 0x6, ARS_RTOS_EV_ALL | ARS_RTOS_EV_CLEAR, &ev_got[1], in_ticks(30)); }
static void test_events(void) {
    uint32_t got = 0;
    ars_rtos_event_init(&ev, 0);
    ev_res[0] = ev_res[1] = 99;
    EXPECT_EQ(ars_rtos_event_wait(&ev, 1, 0, &got, 0), ARS_EAGAIN);
    spawn(0, ev_any, 0, 5);
    spawn(1, ev_all, 0, 5);
    settle();
    ars_rtos_event_set(&ev, 0x4);
    settle();
    EXPECT_EQ(ev_res[0], 99); EXPECT_EQ(ev_res[1], 99);
    ars_rtos_event_set(&ev, 0x2);           /* satisfies both */
    settle();
    EXPECT_EQ(ev_res[0], 0); EXPECT_EQ(ev_res[1], 0);
    EXPECT_EQ(ev_got[0], 0x6); EXPECT_EQ(ev_got[1], 0x6);
    EXPECT_EQ(ars_rtos_event_get(&ev), 0);   /* ALL|CLEAR took 0x6 */
    ars_rtos_event_set(&ev, 0x9);
    EXPECT_EQ(ars_rtos_event_wait(&ev, 0x9, ARS_RTOS_EV_ALL | ARS_RTOS_EV_CLEAR, &got, 0), 0);
    EXPECT_EQ(got, 0x9);
    EXPECT_EQ(ars_rtos_event_get(&ev), 0);
    ev_res[1] = 99;
    spawn(1, ev_all, 0, 5);
    ars_rtos_delay(31);
    EXPECT_EQ(ev_res[1], ARS_ETIMEDOUT);
}

/* ---- software timers and interrupt context -------------------------------- */
static ars_rtos_timer tm1, tm2;
static volatile int fired1, fired2, isr_ok, isr_errs;
static ars_rtos_tick_t fire_at[5];
static void on_timer1(ars_rtos_timer *t, void *arg) {
    (void)t; (void)arg;
    if (fired1 < 5) fire_at[fired1] = ars_rtos_now();
    fired1++;
}
static void on_timer2(ars_rtos_timer *t, void *arg) {
    (void)t; (void)arg;
    fired2++;
    isr_ok = ars_rtos_in_isr();
    /* what an interrupt may and may not do */
    isr_errs = 0;
    isr_errs += ars_rtos_sem_take(&sem, in_ticks(5)) == ARS_EISR;
    isr_errs += ars_rtos_mutex_lock(&m1, NEVER) == ARS_EISR;
    isr_errs += ars_rtos_mutex_unlock(&m1) == ARS_EISR;
    isr_errs += ars_rtos_delay(1) == ARS_EISR;
    isr_errs += ars_rtos_yield() == ARS_EISR;
    isr_errs += ars_rtos_task_suspend(0) == ARS_EISR;
    isr_errs += ars_rtos_sem_take(&sem, 0) == ARS_EAGAIN;
    isr_errs += ars_rtos_sem_give(&sem) == 0;           /* wakes the runner */
}
static void test_timers_and_isr(void) {
    ars_rtos_tick_t t0;
    int i;
    fired1 = fired2 = 0;
    ars_rtos_sem_init(&sem, 0, 1);
    ars_rtos_mutex_init(&m1, 0);
    ars_rtos_timer_init(&tm1, on_timer1, 0);
    ars_rtos_timer_init(&tm2, on_timer2, 0);
    t0 = ars_rtos_now();
    EXPECT_EQ(ars_rtos_timer_start(&tm1, 2, 3), 0);    /* periodic */
    EXPECT_EQ(ars_rtos_timer_start(&tm2, 7, 0), 0);    /* one-shot */
    EXPECT_EQ(ars_rtos_sem_take(&sem, t0 + 100), 0);   /* given by tm2 */
    EXPECT_EQ(ars_rtos_now(), t0 + 7);
    EXPECT_EQ(isr_ok, 1);
    EXPECT_EQ(isr_errs, 8);
    EXPECT_EQ(ars_rtos_in_isr(), 0);
    ars_rtos_delay(t0 + 15 - ars_rtos_now());
    EXPECT_EQ(fired2, 1);
    EXPECT_EQ(ars_rtos_timer_stop(&tm2), ARS_ESTATE);
    EXPECT_EQ(ars_rtos_timer_stop(&tm1), 0);
    EXPECT_EQ(fired1, 5);                              /* 2, 5, 8, 11, 14 */
    for (i = 0; i < 5; i++) EXPECT_EQ(fire_at[i], t0 + 2 + 3 * (ars_rtos_tick_t)i);
    ars_rtos_delay(10);
    EXPECT_EQ(fired1, 5);
}

/* ---- an interrupt other than the tick ------------------------------------- */
/* mps2 (M3/M4/M7): the CMSDK APB timer 0 (IRQ 8) fires once, 7.5 ticks after
   the runner started waiting; timer 1 runs free as a reference clock. Under
   tickless idle the interrupt lands inside a stretched SysTick period.
   QEMU's -icount sleep=off makes every WFI sleep twice the time to the next
   timer deadline (SysTick, APB timers and the FPGAIO counter agree on it):
   an idle tick spans 2 SysTick periods, and timer 0 fires after 2 x 7.5
   calibrated ticks = 30 SysTick periods, which tickless idle counts.
   RISC-V virt: two interrupts, each 7.5 ticks after the runner started
   waiting, CLINT mtime the reference clock. (1) The UART (IRQ 10 through
   the PLIC: machine external) in loopback with its FIFO on: a byte sent
   arms the receive timeout, 4 character times (7.5 ms at divisor 75) of
   QEMU's virtual clock; nothing can be printed while loopback is on.
   (2) The Sstc supervisor timer (stimecmp, QEMU >= 7.2; not delegated, so
   it traps to M-mode). QEMU without AIA takes the lowest pending cause
   first (MSI 3, STI 5, MTI 7, MEI 11), not the spec's MEI > MSI > MTI:
   there the tick interrupt runs before the PLIC's, and it is (2) that
   sees a stale tick count unless tickless idle counts the sleep's ticks
   before it unmasks; on hardware it is (1).
   Hosted: a low-priority task raises the interrupt with ars_rtos_hosted_irq. */
#if defined(ARS_TEST_FREESTANDING) && defined(__arm__) && !defined(__ARM_ARCH_6M__)
#define HAVE_EXT_IRQ 1
#define TREG(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define TIMER0 0x40000000u
#define TIMER1 0x40001000u
#elif defined(ARS_TEST_FREESTANDING) && defined(__riscv)
#define HAVE_EXT_IRQ 1
#define UREG(o) (*(volatile uint8_t *)(uintptr_t)(0x10000000u + (o)))     /* NS16550 */
#define PLIC(o) (*(volatile uint32_t *)(uintptr_t)(0x0C000000u + (o)))    /* context 0: hart 0 M-mode */
#define MTIME_LO (*(volatile uint32_t *)(uintptr_t)0x0200BFF8u)
#define MTIME_HI (*(volatile uint32_t *)(uintptr_t)0x0200BFFCu)
#define UART_IRQ 10u
#define MCAUSE_MEI (((uintptr_t)1 << (sizeof(uintptr_t) * 8 - 1)) | 11u)
#define MCAUSE_STI (((uintptr_t)1 << (sizeof(uintptr_t) * 8 - 1)) | 5u)
static void on_trap(uintptr_t mcause, uintptr_t mepc);
#elif defined(ARSENAL_RTOS_PORT_HOSTED)
#define HAVE_EXT_IRQ 1
#endif
#ifdef HAVE_EXT_IRQ
static volatile int ext_isr_ok, ext_fired;
static volatile ars_rtos_tick_t ext_at;
static void ext_irq_body(void *arg) {
    (void)arg;
    ext_fired++;
    ext_at = ars_rtos_now();
    ext_isr_ok = ars_rtos_in_isr() && ars_rtos_mutex_lock(&m1, NEVER) == ARS_EISR;
    ars_rtos_sem_give(&sem);
}
#if defined(ARS_TEST_FREESTANDING) && defined(__riscv)
static volatile uint32_t ext_c;        /* mtime in the interrupt */
static uint64_t mtime64(void) {
    uint32_t hi, lo;
    do { hi = MTIME_HI; lo = MTIME_LO; } while (hi != MTIME_HI);
    return (uint64_t)hi << 32 | lo;
}
static void set_stimecmp(uint64_t v) {
#if __riscv_xlen == 64
    __asm volatile("csrw 0x14D, %0" :: "r"(v));
#else
    __asm volatile("csrw 0x15D, %0" :: "r"(0xFFFFFFFFu));           /* stimecmph */
    __asm volatile("csrw 0x14D, %0" :: "r"((uint32_t)v));
    __asm volatile("csrw 0x15D, %0" :: "r"((uint32_t)(v >> 32)));
#endif
}
static volatile unsigned ext_hooks;    /* tick_irqs in the interrupt */
static void ext_trap(uintptr_t mcause, uintptr_t mepc) {
    ext_c = MTIME_LO;
    ext_hooks = tick_irqs;
    if (mcause == MCAUSE_MEI) {
        uint32_t id = PLIC(0x200004);             /* claim */
        if (id == UART_IRQ) {
            (void)UREG(0);                        /* take the byte: ends the timeout interrupt */
            UREG(1) = 0;                          /* IER: no more */
            ext_irq_body(0);
        }
        if (id) PLIC(0x200004) = id;              /* complete */
    } else if (mcause == MCAUSE_STI) {
        set_stimecmp(~(uint64_t)0);
        ext_irq_body(0);
    } else on_trap(mcause, mepc);
}
/* one interrupt 7.5 ticks after t0 while the runner waits for it */
static void ext_case(int plic) {
    const uint32_t r = ARSENAL_RTOS_CPU_HZ / ARSENAL_RTOS_TICK_HZ;   /* mtime counts per tick */
    uint32_t m0, m1;
    ars_rtos_tick_t t0, t1;
    unsigned h0;
    int took, failed = ars_test__cur_failed;
    ext_fired = 0; ext_isr_ok = 0;
    ars_rtos_set_trap_hook(ext_trap);
    if (plic) {
        PLIC(4u * UART_IRQ) = 1;                  /* priority */
        PLIC(0x2000) |= 1u << UART_IRQ;           /* enable for context 0 */
        PLIC(0x200000) = 0;                       /* threshold */
        UREG(3) = 0x80; UREG(0) = 75; UREG(1) = 0; /* divisor 75 */
        UREG(3) = 0x03;                           /* 8N1 */
        UREG(2) = 0xC1;                           /* FIFO on, trigger level 14 */
        UREG(4) = 0x18;                           /* loopback, OUT2 */
        UREG(1) = 0x01;                           /* receive (and timeout) interrupt */
        __asm volatile("csrs mie, %0" :: "r"((uintptr_t)0x800u));      /* MEIE */
    } else {
        set_stimecmp(~(uint64_t)0);
        __asm volatile("csrs mie, %0" :: "r"((uintptr_t)0x20u));       /* STIE */
    }
    ars_rtos_delay(1);
    t0 = ars_rtos_now();
    m0 = MTIME_LO;
    h0 = tick_irqs;
    if (plic) UREG(0) = 'x';                      /* comes back, times out later */
    else set_stimecmp(mtime64() + 7u * r + r / 2u);
    took = ars_rtos_sem_take(&sem, t0 + 50);
    t1 = ars_rtos_now();
    ars_rtos_delay(20);
    m1 = MTIME_LO;
    if (plic) {
        UREG(1) = 0; UREG(4) = 0x08; UREG(2) = 0; /* back to a plain UART */
        __asm volatile("csrc mie, %0" :: "r"((uintptr_t)0x800u));
        PLIC(0x2000) &= ~(1u << UART_IRQ);
    } else {
        __asm volatile("csrc mie, %0" :: "r"((uintptr_t)0x20u));
    }
    ars_rtos_set_trap_hook(on_trap);
    EXPECT_EQ(took, 0);
    EXPECT_EQ(ext_fired, 1);
    EXPECT_EQ(ext_isr_ok, 1);
    /* the tick count in the interrupt follows mtime, also when the
       interrupt ends a sleep stretched to t0 + 50 */
    EXPECT(ext_at - t0 + 1 >= (ext_c - m0) / r && ext_at - t0 <= (ext_c - m0) / r + 1);
    EXPECT(ext_at - t0 >= 6 && ext_at - t0 <= 9);
    EXPECT(t1 - ext_at <= 1);                     /* the runner ran at once */
#if ARSENAL_RTOS_TICKLESS
    EXPECT(ext_hooks - h0 <= 1);                  /* it did end a long sleep */
#else
    EXPECT(ext_hooks - h0 >= 6);
#endif
    /* no tick lost or counted twice */
    EXPECT(ars_rtos_now() - t0 + 1 >= (m1 - m0) / r && ars_rtos_now() - t0 <= (m1 - m0) / r + 1);
    if (ars_test__cur_failed != failed) ars_test_puts(plic ? "  (PLIC interrupt)\n" : "  (Sstc interrupt)\n");
}
#elif defined(ARS_TEST_FREESTANDING)
static volatile uint32_t ext_c;        /* timer 1 in the interrupt */
void Default_IRQHandler(void);
void Default_IRQHandler(void) {       /* every device interrupt comes here */
    ext_c = TREG(TIMER1 + 0x4);
    TREG(TIMER0 + 0x0) = 0;           /* stop */
    TREG(TIMER0 + 0xC) = 1;           /* clear */
    ext_irq_body(0);
}
#else
static void ext_raiser(void *arg) { (void)arg; ars_rtos_delay(7); ars_rtos_hosted_irq(ext_irq_body, 0); }
#endif
static void test_external_irq(void) {
    ars_rtos_tick_t t0;
    ext_fired = 0; ext_isr_ok = 0;
    ars_rtos_sem_init(&sem, 0, 1);
    ars_rtos_mutex_init(&m1, 0);
    ars_rtos_delay(1);
    t0 = ars_rtos_now();
#if defined(ARS_TEST_FREESTANDING) && defined(__riscv)
    (void)t0;
    ext_case(1);
    ext_case(0);
#elif defined(ARS_TEST_FREESTANDING)
    {
        uint32_t c0, c1, k;
        /* the APB timers' clock is not SysTick's in QEMU: calibrate */
        TREG(TIMER1 + 0x8) = 0xFFFFFFFFu; TREG(TIMER1 + 0x4) = 0xFFFFFFFFu; TREG(TIMER1 + 0x0) = 1;
        c0 = TREG(TIMER1 + 0x4);
        ars_rtos_delay(10);
        k = (c0 - TREG(TIMER1 + 0x4)) / 10u;         /* counts per tick */
        t0 = ars_rtos_now();
        c0 = TREG(TIMER1 + 0x4);
        TREG(TIMER0 + 0x8) = 7u * k + k / 2u;        /* 7.5 ticks */
        TREG(TIMER0 + 0x4) = 7u * k + k / 2u;
        TREG(0xE000E100u) = 1u << 8;                 /* NVIC: enable IRQ 8 */
        TREG(TIMER0 + 0x0) = 1u | 8u;                /* enable, interrupt */
        EXPECT_EQ(ars_rtos_sem_take(&sem, t0 + 50), 0);
        ars_rtos_delay(20);
        c1 = TREG(TIMER1 + 0x4);
#if !ARSENAL_RTOS_TICKLESS
        /* 7.5 ticks by the APB clock; QEMU's APB timers and SysTick agree
           only to about a tick here */
        EXPECT(ext_at == t0 + 7 || ext_at == t0 + 8);
        EXPECT(ars_rtos_now() - t0 + 1 >= (c0 - c1) / k && ars_rtos_now() - t0 <= (c0 - c1) / k + 1);
#else
        /* the early wake-up counts whole SysTick periods since t0's tick
           edge: timer 1 (same 25 MHz clock) must agree, give or take the
           few hundred counts between that edge, c0 and the interrupt */
        {
            uint32_t r = ARSENAL_RTOS_CPU_HZ / ARSENAL_RTOS_TICK_HZ, m = r / 50u;
            EXPECT(ext_at - t0 >= (c0 - ext_c - m) / r && ext_at - t0 <= (c0 - ext_c + m) / r);
        }
        EXPECT(ext_at - t0 >= 7 && ext_at - t0 < 50);
        (void)c1;
#endif
        TREG(TIMER1 + 0x0) = 0;
    }
#else
    spawn(0, ext_raiser, 0, 3);
    EXPECT_EQ(ars_rtos_sem_take(&sem, t0 + 50), 0);
    EXPECT_EQ(ext_at, t0 + 7);
    settle();                                        /* the raiser ends */
#endif
    EXPECT_EQ(ext_fired, 1);
    EXPECT_EQ(ext_isr_ok, 1);
}
#endif

/* ---- Cortex-M tickless: an early wake-up one count before a tick edge ---------- */
/* Idle restarts SysTick for the rest of the current tick after an early
   wake-up, with a reload of (counts left - 1). With one count left that
   was 0, which SysTick takes as "stopped": no tick ever came again (QEMU:
   "Timer with delta zero, disabling"). The sweep moves an APB timer's
   interrupt across a whole tick, in both phases of the sleep's start
   (QEMU's -icount sleep=off moves the wake-up 2 counts per step), and
   checks the reload idle left behind; a dead SysTick is repaired so that
   the suite goes on. */
#if defined(ARS_TEST_FREESTANDING) && defined(__arm__) && !defined(__ARM_ARCH_6M__) && ARSENAL_RTOS_TICKLESS
static void test_tickless_wake_at_edge(void) {
    uint32_t j, v, zeros = 0, minr = 0xFFFFFFFFu, timeouts = 0;
    ars_rtos_sem_init(&sem, 0, 1);
    ars_rtos_mutex_init(&m1, 0);
    TREG(0xE000E100u) = 1u << 8;                         /* NVIC: TIMER0 */
    for (v = 0; v < 2; v++) {
        for (j = 0; j < 12600u; j++) {
            uint32_t r;
            ars_rtos_tick_t t0;
            ars_rtos_delay(1);
            t0 = ars_rtos_now();
            TREG(TIMER0 + 0x8) = 30000u + j; TREG(TIMER0 + 0x4) = 30000u + j;
            TREG(TIMER0 + 0x0) = 1u | 8u;
            if (v) { volatile int k; for (k = 0; k < 5; k++) {} }   /* the other phase */
            if (ars_rtos_sem_take(&sem, t0 + 10) != 0) timeouts++;
            r = ARS__SYST_RVR;
            if (r < minr) minr = r;
            if (r == 0) {                                 /* SysTick stopped for good */
                zeros++;
                ARS__SYST_RESTART(ARS__TICK_RELOAD - 1u);
                ars__cm_n = 1;
            }
        }
    }
    TREG(TIMER0 + 0x0) = 0;
    EXPECT_EQ(zeros, 0);
    EXPECT_EQ(timeouts, 0);
    EXPECT(minr <= 8u);                                   /* the sweep reached the edge */
}
#endif

/* ---- Cortex-M tickless: a tick edge between idle's look and its stop -------- */
/* Idle looked at PENDSTSET, then stopped SysTick and stretched its period
   to the next event, d ticks away. A tick edge between the look and the
   stop left the tick interrupt pending: WFI returned at once and the
   handler counted all d ticks of the stretched period, so a timed wait
   ended d - 1 ticks early. The test starts a 10-tick wait n instructions
   after a tick edge (-icount shift=0: one instruction is 1 ns, a tick
   1000000), finds by bisection the first n whose stop comes before the
   next edge (idle then loads 9 ticks and a few counts), and tries every n
   just below it one instruction apart; timer 1 runs free as the clock. */
#if defined(ARS_TEST_FREESTANDING) && defined(__arm__) && !defined(__ARM_ARCH_6M__) && ARSENAL_RTOS_TICKLESS
static uint32_t sr_k;                    /* timer 1 counts per tick */
/* 1: the stop came before the edge; 0: after; -1: the wait ended early */
static int sr_try(uint32_t n) {
    const uint32_t r = ARSENAL_RTOS_CPU_HZ / ARSENAL_RTOS_TICK_HZ;
    uint32_t c0, el, ld, i = n / 2u + 1u;
    ars_rtos_tick_t t0;
    ars_rtos_delay(1);
    t0 = ars_rtos_now();
    __asm volatile("1: subs %0, #1\n bne 1b" : "+r"(i));
    if (n & 1u) __asm volatile("nop");
    c0 = TREG(TIMER1 + 0x4);
    (void)ars_rtos_sem_take(&sem, t0 + 10);
    el = c0 - TREG(TIMER1 + 0x4);
    ld = ars__cm_load;                   /* the last stretched period */
    if (el < 8u * sr_k) return -1;
    return ld >= 9u * r && ld < 9u * r + r / 2u;
}
static void test_tickless_stop_race(void) {
    uint32_t lo = 900000u, hi = 1000000u, n, c0;
    int early = 0, seen[2] = {0, 0}, v;
    ars_rtos_sem_init(&sem, 0, 1);
    TREG(TIMER1 + 0x8) = 0xFFFFFFFFu; TREG(TIMER1 + 0x4) = 0xFFFFFFFFu; TREG(TIMER1 + 0x0) = 1;
    spin_one_tick();                     /* busy: no WFI, whose sleeps QEMU stretches */
    c0 = TREG(TIMER1 + 0x4);
    for (n = 0; n < 4; n++) spin_one_tick();
    sr_k = (c0 - TREG(TIMER1 + 0x4)) / 4u;
    EXPECT(sr_try(lo) == 1 && sr_try(hi) == 0);
    while (hi - lo > 1) {                /* after lo, before hi */
        n = lo + (hi - lo) / 2u;
        if (sr_try(n) == 1) lo = n; else hi = n;
    }
    for (n = lo - 2u; n <= lo + 12u; n++) {   /* the stop moves across the edge */
        v = sr_try(n);
        if (v < 0) early++; else seen[v] = 1;
    }
    TREG(TIMER1 + 0x0) = 0;
    EXPECT_EQ(early, 0);
    EXPECT(seen[0] && seen[1]);          /* both sides of the edge */
}
#endif

/* ---- RISC-V: an exception the trap hook handles ------------------------------ */
/* The hook is where exceptions go; one that handles an ecall resumes the
   task past it by writing mepc, as any RISC-V trap handler does. The trap
   exit restored mepc from the frame saved at entry, so the write was lost
   and the ecall trapped again for ever. */
#if defined(ARS_TEST_FREESTANDING) && defined(__riscv)
static volatile int ecalls;
static void ecall_trap(uintptr_t mcause, uintptr_t mepc) {
    if (mcause != 11u) { on_trap(mcause, mepc); return; }     /* ecall from M-mode */
    if (++ecalls > 1) {
        board_puts("FAIL test_trap_hook_resumes: the ecall trapped again (mepc written by the hook lost)\n");
        board_exit(1);
    }
    __asm volatile("csrw mepc, %0" :: "r"(mepc + 4u));
}
static void test_trap_hook_resumes(void) {
    ecalls = 0;
    ars_rtos_set_trap_hook(ecall_trap);
    __asm volatile("ecall" ::: "memory");
    ars_rtos_set_trap_hook(on_trap);
    EXPECT_EQ(ecalls, 1);
}
#endif

/* ---- stacks ----------------------------------------------------------------- */
static volatile ars_rtos_task *overflowed;
static volatile int overflow_calls;
/* the hook runs in the switch interrupt (CAVEATS): there the calls the
   header lists as interrupt-unsafe must refuse with ARS_EISR. Hosted and
   RISC-V ran it with the interrupt flag clear: ars_rtos_in_isr() was 0,
   and suspend, delete, delay, yield, mutex calls ran on a task already
   taken off the ready lists (suspend here is harmless: it is suspended) */
static volatile int overflow_isr, overflow_suspend_rc;
static void on_overflow(ars_rtos_task *t) {
    overflowed = t; overflow_calls++;
    overflow_isr = ars_rtos_in_isr();
    overflow_suspend_rc = ars_rtos_task_suspend(t);
}

#ifdef ARS_TEST_FREESTANDING
#define VICTIM_STK 768                 /* >= the largest first frame (rv64gc: 544 B) */
#define VICTIM_EAT 1024
#else
#define VICTIM_STK 16384
#define VICTIM_EAT 32768
#endif
static struct { uint64_t pad[VICTIM_EAT / 4]; uint64_t stack[VICTIM_STK / 8]; } victim;
static void deep(size_t n) {
    volatile unsigned char *p = (volatile unsigned char *)__builtin_alloca(n);
    size_t i;
    for (i = 0; i < n; i += 16) p[i] = 1;
    ars_rtos_yield();                 /* the switch notices */
    logc('!');                         /* never runs */
}
static void eater(void *arg) { deep((size_t)(uintptr_t)arg); }
static void canary_smasher(void *arg) {
    (void)arg;
    ((volatile unsigned char *)victim.stack)[0] ^= 1u;  /* the canary: lowest word */
    ars_rtos_yield();
    logc('!');
}
static void canary_then_return(void *arg) {
    (void)arg;
    ((volatile unsigned char *)victim.stack)[0] ^= 1u;  /* then returns: deletes itself */
}
static void user_of_stack(void *arg) { volatile unsigned char b[256]; size_t i; (void)arg; for (i = 0; i < sizeof b; i++) b[i] = (unsigned char)i; }
static void test_stack_overflow(void) {
    size_t before, after;
    log_reset();
    ars_rtos_set_overflow_hook(on_overflow);
    overflowed = 0; overflow_calls = 0;
    EXPECT_EQ(ars_rtos_task_create(&tasks[0], eater, (void *)(uintptr_t)VICTIM_EAT, 5,
                                   victim.stack, sizeof victim.stack), 0);
    overflow_isr = 0; overflow_suspend_rc = 99;
    settle();
    EXPECT(overflowed == &tasks[0]);
    EXPECT_EQ(overflow_calls, 1);
    EXPECT_EQ(overflow_isr, 1);
    EXPECT_EQ(overflow_suspend_rc, ARS_EISR);
    EXPECT_EQ(ars_rtos_task_state(&tasks[0]), ARS_RTOS_SUSPENDED);
    ars_rtos_task_delete(&tasks[0]);
    /* the canary alone */
    overflowed = 0;
    EXPECT_EQ(ars_rtos_task_create(&tasks[0], canary_smasher, 0, 5, victim.stack, sizeof victim.stack), 0);
    overflow_isr = 0; overflow_suspend_rc = 99;
    settle();
    EXPECT(overflowed == &tasks[0]);
    EXPECT_EQ(overflow_calls, 2);
    EXPECT_EQ(overflow_isr, 1);
    EXPECT_EQ(overflow_suspend_rc, ARS_EISR);
    EXPECT(streq(log_buf, ""));
    ars_rtos_task_delete(&tasks[0]);
    /* a task that deletes itself with its canary damaged stays deleted:
       the check of its last switch (Cortex-M, RISC-V) made it SUSPENDED,
       and a resume ran it again after its own delete (hosted skips the
       check of a deleted task) */
    EXPECT_EQ(ars_rtos_task_create(&tasks[0], canary_then_return, 0, 5, victim.stack, sizeof victim.stack), 0);
    settle();
    EXPECT_EQ(ars_rtos_task_state(&tasks[0]), ARS_RTOS_DELETED);
    EXPECT_EQ(ars_rtos_task_resume(&tasks[0]), ARS_ESTATE);
    ars_rtos_set_overflow_hook(0);
    /* high-water mark */
    spawn(0, log_task, (void *)'.', 5);
    before = ars_rtos_stack_unused(&tasks[0]);
    EXPECT(before > STK / 2);
    EXPECT(before < STK);
    settle();
    spawn(1, user_of_stack, 0, 5);
    settle();
    after = ars_rtos_stack_unused(&tasks[1]);
    EXPECT(STK - after >= 256);         /* at least its array was used */
    EXPECT(after > 0);
}

/* ---- floating point context --------------------------------------------------- */
static volatile float fres[2];
static void fp_task(void *arg) {
    float x = (float)(uintptr_t)arg, acc = 0.0f;
    int i;
    for (i = 0; i < 50; i++) {
        acc += x * 0.5f;
        if (i % 5 == 0) ars_rtos_yield();
        if (i % 7 == 0) spin_one_tick();
    }
    fres[(uintptr_t)arg - 1] = acc;
}
static void test_float_contexts(void) {
    fres[0] = fres[1] = 0;
    spawn(0, fp_task, (void *)1, 5);
    spawn(1, fp_task, (void *)2, 5);
    ars_rtos_delay(30);
    EXPECT(fres[0] == 25.0f);
    EXPECT(fres[1] == 50.0f);
}

/* ---- tick wrap-around ---------------------------------------------------------- */
/* White box: moves the kernel's tick count close to the wrap (nothing timed
   is pending when it is called). The tick interrupt does not depend on it. */
static void set_now(ars_rtos_tick_t t) {
    ars__irqstate s = ars__irq_save();
    ars__k.now = t;
    ars__irq_restore(s);
}
static volatile ars_rtos_tick_t wrap_woke;
static volatile int wrap_n;
static void wrap_sleeper(void *arg) { (void)arg; ars_rtos_delay(15); wrap_woke = ars_rtos_now(); }
static void wrap_periodic(void *arg) {
    ars_rtos_tick_t t = ars_rtos_now();
    int i;
    (void)arg;
    for (i = 0; i < 32; i++) {
        ars_rtos_delay_until(&t, 1);
        if (ars_rtos_now() != t) break;
        wrap_n++;
    }
}
static volatile ars_rtos_tick_t wrap_fired;
static volatile int wrap_fires;
static void on_wrap_timer(ars_rtos_timer *t, void *arg) { (void)t; (void)arg; wrap_fired = ars_rtos_now(); wrap_fires++; }
/* A sleep that ends on tick 0xFFFFFFFF (the value of ARS_RTOS_NEVER) used
   to be taken for "no timeout" and never ended: ars_rtos_delay(n) at
   now = 0xFFFFFFFF - n, and every periodic task once per wrap. */
static void test_delay_to_tick_max(void) {
    ars_rtos_tick_t t0;
    ars_rtos_delay(1);
    set_now(0xFFFFFFF0u);
    wrap_woke = 0; wrap_n = 0;
    t0 = ars_rtos_now();
    spawn(0, wrap_sleeper, 0, 9);      /* runs now: sleeps until 0xFFFFFFFF */
    spawn(1, wrap_periodic, 0, 9);     /* its 15th period ends there */
    ars_rtos_delay(40);
    EXPECT_EQ(wrap_woke, 0xFFFFFFFFu);
    EXPECT_EQ(wrap_n, 32);
    EXPECT_EQ(ars_rtos_now(), t0 + 40);
    ars_rtos_task_delete(&tasks[0]);   /* were they stuck: take them out */
    ars_rtos_task_delete(&tasks[1]);
}
/* A timer that expires on tick 0xFFFFFFFF while every task sleeps longer:
   the idle's "next event" was NEVER, meaning none (hosted: the kernel
   stopped with ARS_EBUSY; tickless: idle slept past every wake-up). */
static void test_timer_at_tick_max(void) {
    ars_rtos_tick_t t0;
    ars_rtos_delay(1);
    set_now(0xFFFFFFF0u);
    wrap_fired = 0; wrap_fires = 0;
    t0 = ars_rtos_now();
    ars_rtos_timer_init(&tm1, on_wrap_timer, 0);
    EXPECT_EQ(ars_rtos_timer_start(&tm1, 15, 0), 0);
    EXPECT_EQ(ars_rtos_delay(20), 0);
    EXPECT_EQ(ars_rtos_now(), t0 + 20);
    EXPECT_EQ(wrap_fires, 1);
    EXPECT_EQ(wrap_fired, 0xFFFFFFFFu);
}

/* ---- stacks too small for the first frame ------------------------------------- */
/* task_create accepted any stack of 64 bytes or more, then built the first
   context below it: hosted, the ucontext (about 1 KiB) was written under the
   caller's buffer; RISC-V rv64gc's 528-byte frame and Cortex-M4F's 68-byte
   frame likewise. Too small must be ARS_EINVAL, with nothing written. */
static struct { unsigned char below[2048]; uint64_t stk[32]; } small_stk;
static void test_small_stack_rejected(void) {
    static const size_t sizes[2] = { 64, 256 };
    size_t i, k;
    for (k = 0; k < 2; k++) {
        int r, changed = 0;
        for (i = 0; i < sizeof small_stk.below; i++) small_stk.below[i] = 0x5C;
        r = ars_rtos_task_create(&tasks[0], log_task, 0, 3, small_stk.stk, sizes[k]);
        if (r == 0) EXPECT_EQ(ars_rtos_task_delete(&tasks[0]), 0);   /* lower: never ran */
        else EXPECT_EQ(r, ARS_EINVAL);
        for (i = 0; i < sizeof small_stk.below; i++) changed += small_stk.below[i] != 0x5C;
        EXPECT_EQ(changed, 0);
        if (r == 0) {                                /* the canary word is intact (little-endian) */
            const unsigned char *c = (const unsigned char *)small_stk.stk;
            EXPECT_EQ((uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24, 0xC0FFEE5Au);
        }
    }
}

/* ---- a unit handed to a waiter that is deleted before it runs ------------------- */
/* sem_give, queue_send and mutex_unlock hand their unit straight to the
   first waiter, which then only has to run. Deleted before it ran, that
   waiter took the unit with it: the count, the item or the mutex (whose
   delete was refused with ARS_EBUSY: the task held a mutex it never saw)
   was lost. Now it goes back to the object, to its next waiter first; a
   suspend does the same (the wait ends with ARS_ECANCELED, as a suspend
   in the wait itself does), where the unit used to wait with the
   suspended task. The waiters have a lower priority than the runner, so
   they do not run until it waits. */
static volatile int ho_rc[2], ho_val[2];
static void ho_sem_taker(void *arg) {
    int i = (int)(uintptr_t)arg;
    ho_rc[i] = ars_rtos_sem_take(&sem, NEVER);
}
static void ho_q_taker(void *arg) {
    int i = (int)(uintptr_t)arg;
    item7 b;
    ho_rc[i] = ars_rtos_queue_recv(&q, &b, NEVER);
    ho_val[i] = b.b[0];
}
static void ho_locker2(void *arg) {     /* holds m2 while it waits for m1 */
    (void)arg;
    ars_rtos_mutex_lock(&m2, NEVER);
    ho_rc[0] = ars_rtos_mutex_lock(&m1, NEVER);
    if (!ho_rc[0]) ars_rtos_mutex_unlock(&m1);
    ars_rtos_mutex_unlock(&m2);
}
static void ho_m2_locker(void *arg) {
    (void)arg;
    ho_rc[1] = ars_rtos_mutex_lock(&m2, NEVER);
    if (!ho_rc[1]) ars_rtos_mutex_unlock(&m2);
}
static void ho_locker(void *arg) {
    int i = (int)(uintptr_t)arg;
    ho_rc[i] = ars_rtos_mutex_lock(&m1, NEVER);
    if (!ho_rc[i]) ars_rtos_mutex_unlock(&m1);
}
static void ho_consumer(void *arg) {      /* takes its unit, then keeps busy */
    (void)arg;
    ho_rc[0] = ars_rtos_sem_take(&sem, NEVER);
    for (;;) spin_one_tick();
}
static void ho_reset(void) { ho_rc[0] = ho_rc[1] = 99; ho_val[0] = ho_val[1] = 0; }
static void test_handover_to_deleted(void) {
    item7 a, b;
    int i;
    /* semaphore: back to the count, or to the next waiter */
    ars_rtos_sem_init(&sem, 0, 2);
    ho_reset();
    spawn(0, ho_sem_taker, (void *)0, 3);
    settle();
    EXPECT_EQ(ars_rtos_sem_give(&sem), 0);            /* handed to task 0 */
    EXPECT_EQ(ars_rtos_task_delete(&tasks[0]), 0);
    EXPECT_EQ(ars_rtos_sem_count(&sem), 1);
    EXPECT_EQ(ars_rtos_sem_take(&sem, 0), 0);
    spawn(0, ho_sem_taker, (void *)0, 3);
    spawn(1, ho_sem_taker, (void *)1, 3);
    settle();
    EXPECT_EQ(ars_rtos_sem_give(&sem), 0);            /* to task 0, then task 1 */
    EXPECT_EQ(ars_rtos_task_suspend(&tasks[0]), 0);   /* suspended first */
    EXPECT_EQ(ars_rtos_task_delete(&tasks[0]), 0);
    EXPECT_EQ(ars_rtos_sem_count(&sem), 0);
    settle();
    EXPECT_EQ(ho_rc[1], 0);
    EXPECT_EQ(ho_rc[0], 99);
    /* suspended and resumed: the unit went back, the take is canceled */
    spawn(0, ho_sem_taker, (void *)0, 3);
    settle();
    EXPECT_EQ(ars_rtos_sem_give(&sem), 0);
    EXPECT_EQ(ars_rtos_task_suspend(&tasks[0]), 0);
    EXPECT_EQ(ars_rtos_sem_count(&sem), 1);
    EXPECT_EQ(ars_rtos_task_resume(&tasks[0]), 0);
    settle();
    EXPECT_EQ(ho_rc[0], ARS_ECANCELED);
    EXPECT_EQ(ars_rtos_task_state(&tasks[0]), ARS_RTOS_DELETED);
    EXPECT_EQ(ars_rtos_sem_take(&sem, 0), 0);
    /* a unit the task took (it ran) stays taken */
    ho_reset();
    spawn(0, ho_consumer, 0, 3);
    settle();
    EXPECT_EQ(ars_rtos_sem_give(&sem), 0);
    settle();
    EXPECT_EQ(ho_rc[0], 0);
    EXPECT_EQ(ars_rtos_task_delete(&tasks[0]), 0);    /* ready, past its take */
    EXPECT_EQ(ars_rtos_sem_count(&sem), 0);
    /* queue: the item goes back first in line, or to the next receiver */
    EXPECT_EQ(ars_rtos_queue_init(&q, qbuf, sizeof(item7), 3), 0);
    ho_reset();
    spawn(0, ho_q_taker, (void *)0, 3);
    settle();
    memset(&a, 1, sizeof a);
    EXPECT_EQ(ars_rtos_queue_send(&q, &a, 0), 0);     /* into task 0's buffer */
    memset(&a, 2, sizeof a);
    EXPECT_EQ(ars_rtos_queue_send(&q, &a, 0), 0);     /* queued after it */
    EXPECT_EQ(ars_rtos_task_delete(&tasks[0]), 0);
    EXPECT_EQ(ars_rtos_queue_count(&q), 2);
    for (i = 1; i <= 2; i++) {
        b.b[0] = 0;
        EXPECT_EQ(ars_rtos_queue_recv(&q, &b, 0), 0);
        EXPECT_EQ(b.b[0], i);
    }
    spawn(0, ho_q_taker, (void *)0, 3);
    spawn(1, ho_q_taker, (void *)1, 3);
    settle();
    memset(&a, 3, sizeof a);
    EXPECT_EQ(ars_rtos_queue_send(&q, &a, 0), 0);
    EXPECT_EQ(ars_rtos_task_delete(&tasks[0]), 0);
    EXPECT_EQ(ars_rtos_queue_count(&q), 0);
    settle();
    EXPECT_EQ(ho_rc[1], 0);
    EXPECT_EQ(ho_val[1], 3);
    /* mutex: the delete is not refused; the mutex is free, or the next
       waiter's */
    ars_rtos_mutex_init(&m1, 0);
    ho_reset();
    EXPECT_EQ(ars_rtos_mutex_lock(&m1, 0), 0);
    spawn(0, ho_locker, (void *)0, 3);
    settle();
    EXPECT_EQ(ars_rtos_mutex_unlock(&m1), 0);         /* handed to task 0 */
    EXPECT_EQ(ars_rtos_task_delete(&tasks[0]), 0);
    EXPECT_EQ(ars_rtos_mutex_lock(&m1, 0), 0);
    spawn(0, ho_locker, (void *)0, 3);
    spawn(1, ho_locker, (void *)1, 4);
    settle();
    EXPECT_EQ(ars_rtos_mutex_unlock(&m1), 0);         /* to task 1 (higher), then 0 */
    EXPECT_EQ(ars_rtos_task_delete(&tasks[1]), 0);
    EXPECT_EQ(ars_rtos_mutex_lock(&m1, 0), ARS_EAGAIN); /* task 0 has it now */
    settle();
    EXPECT_EQ(ho_rc[0], 0);
    EXPECT_EQ(ho_rc[1], 99);
    EXPECT_EQ(ars_rtos_mutex_lock(&m1, 0), 0);
    /* a task handed m1 that holds m2 too: a delete is refused, with
       nothing done; a suspend gives m1 back (it keeps m2 and the priority
       m2's waiters lend, no more) */
    ars_rtos_mutex_init(&m2, 0);
    ho_reset();
    spawn(0, ho_locker2, 0, 3);
    settle();
    spawn(1, ho_locker, (void *)1, 5);                 /* waits for m1 too */
    EXPECT_EQ(ars_rtos_priority_get(&tasks[0]), 3);
    EXPECT_EQ(ars_rtos_mutex_unlock(&m1), 0);         /* to task 1 (5), then 0 */
    EXPECT_EQ(ars_rtos_mutex_lock(&m1, 0), ARS_EAGAIN);
    settle();                                         /* task 1 done, task 0 has m1 */
    EXPECT_EQ(ho_rc[1], 0);
    EXPECT_EQ(ho_rc[0], 0);
    spawn(0, ho_locker2, 0, 3);
    EXPECT_EQ(ars_rtos_mutex_lock(&m1, 0), 0);
    settle();                                         /* task 0: m2, waits for m1 */
    ho_rc[1] = 99;
    spawn(1, ho_m2_locker, 0, 6);
    settle();                                         /* waits for m2: lends 6 */
    EXPECT_EQ(ars_rtos_priority_get(&tasks[0]), 6);
    ho_rc[0] = 99;
    EXPECT_EQ(ars_rtos_mutex_unlock(&m1), 0);         /* handed to task 0 */
    EXPECT_EQ(ars_rtos_task_delete(&tasks[0]), ARS_EBUSY);
    EXPECT_EQ(ars_rtos_task_state(&tasks[0]), ARS_RTOS_READY);
    EXPECT_EQ(ars_rtos_mutex_lock(&m1, 0), ARS_EAGAIN);
    EXPECT_EQ(ars_rtos_task_suspend(&tasks[0]), 0);
    EXPECT_EQ(ars_rtos_mutex_lock(&m1, 0), 0);        /* given back */
    EXPECT_EQ(ars_rtos_priority_get(&tasks[0]), 6);   /* m2 still held and waited for */
    EXPECT_EQ(ars_rtos_task_resume(&tasks[0]), 0);
    settle();                                         /* canceled; m2 to task 1 */
    EXPECT_EQ(ho_rc[0], ARS_ECANCELED);
    EXPECT_EQ(ho_rc[1], 0);
    EXPECT_EQ(ars_rtos_task_state(&tasks[0]), ARS_RTOS_DELETED);
    EXPECT_EQ(ars_rtos_mutex_unlock(&m1), 0);
    ars_rtos_mutex_init(&m1, 0);
    ars_rtos_mutex_init(&m2, 0);
}

/* ---- a handed unit is not lost when the object fills up meanwhile ------------------ */
/* A unit handed to a waiter that has not run yet used to leave the object's
   room free: sends (gives) filled the queue (the count) up to capacity, and
   when the waiter was then deleted or suspended, its unit no longer fitted
   and was dropped, although its send had returned 0. Now a handed unit
   holds its room until taken: every send or give that returned 0 is
   delivered or stays in the object, and the handed item comes out first.
   The waiters have a lower priority than the runner. */
static int ho_fill_queue(void) {           /* sends 2, 3, ... until full */
    item7 a;
    int n = 0;
    do memset(&a, 2 + n, sizeof a); while (ars_rtos_queue_send(&q, &a, ARS_RTOS_NOWAIT) == 0 && ++n < 10);
    return n;
}
static void test_handover_object_full(void) {
    item7 a, b;
    int i, n, k, accepted;
    for (k = 0; k < 2; k++) {                        /* deleted; suspended, deleted */
        EXPECT_EQ(ars_rtos_queue_init(&q, qbuf, sizeof(item7), 3), 0);
        ho_reset();
        spawn(0, ho_q_taker, (void *)0, 3);
        settle();
        memset(&a, 1, sizeof a);
        EXPECT_EQ(ars_rtos_queue_send(&q, &a, 0), 0);     /* into task 0's buffer */
        n = ho_fill_queue();
        EXPECT_EQ(n, 2);                                  /* its item holds a slot */
        EXPECT_EQ(k ? ars_rtos_task_suspend(&tasks[0]) : ars_rtos_task_delete(&tasks[0]), 0);
        EXPECT_EQ(ars_rtos_queue_count(&q), n + 1);
        if (k) { EXPECT_EQ(ars_rtos_task_delete(&tasks[0]), 0); }
        for (i = 1; i <= n + 1; i++) {                    /* nothing lost, in order */
            b.b[0] = 0;
            EXPECT_EQ(ars_rtos_queue_recv(&q, &b, 0), 0);
            EXPECT_EQ(b.b[0], i);
        }
        EXPECT_EQ(ars_rtos_queue_recv(&q, &b, 0), ARS_EAGAIN);
    }
    /* suspended, then resumed: the receive is canceled */
    EXPECT_EQ(ars_rtos_queue_init(&q, qbuf, sizeof(item7), 3), 0);
    ho_reset();
    spawn(0, ho_q_taker, (void *)0, 3);
    settle();
    memset(&a, 1, sizeof a);
    EXPECT_EQ(ars_rtos_queue_send(&q, &a, 0), 0);
    n = ho_fill_queue();
    EXPECT_EQ(n, 2);
    EXPECT_EQ(ars_rtos_task_suspend(&tasks[0]), 0);
    EXPECT_EQ(ars_rtos_queue_count(&q), n + 1);
    EXPECT_EQ(ars_rtos_task_resume(&tasks[0]), 0);
    settle();
    EXPECT_EQ(ho_rc[0], ARS_ECANCELED);
    for (i = 1; i <= n + 1; i++) {
        b.b[0] = 0;
        EXPECT_EQ(ars_rtos_queue_recv(&q, &b, 0), 0);
        EXPECT_EQ(b.b[0], i);
    }
    /* the receiver runs: its slot is free again, for a sender that waits
       for room; with a receiver waiting too, that one gets the item */
    EXPECT_EQ(ars_rtos_queue_init(&q, qbuf, sizeof(item7), 1), 0);
    ho_reset();
    q_send_result = 99;
    spawn(0, ho_q_taker, (void *)0, 3);
    settle();
    memset(&a, 1, sizeof a);
    EXPECT_EQ(ars_rtos_queue_send(&q, &a, 0), 0);         /* to task 0; full */
    EXPECT_EQ(ars_rtos_queue_send(&q, &a, 0), ARS_EAGAIN);
    spawn(1, q_sender, 0, 5);                            /* waits for room */
    spawn(2, ho_q_taker, (void *)1, 4);                  /* waits for an item */
    settle();                                            /* task 0 takes; 1 -> 2 */
    EXPECT_EQ(ho_rc[0], 0);
    EXPECT_EQ(ho_val[0], 1);
    EXPECT_EQ(q_send_result, 0);
    EXPECT_EQ(ho_rc[1], 0);
    EXPECT_EQ(ho_val[1], 0x44);
    EXPECT_EQ(ars_rtos_queue_count(&q), 0);
    ars_rtos_task_delete(&tasks[1]);                     /* gone already if all went well */
    /* the same without a second receiver: the item waits in the queue */
    q_send_result = 99;
    ho_reset();
    spawn(0, ho_q_taker, (void *)0, 3);
    settle();
    EXPECT_EQ(ars_rtos_queue_send(&q, &a, 0), 0);
    spawn(1, q_sender, 0, 5);
    settle();
    EXPECT_EQ(ho_val[0], 1);
    EXPECT_EQ(q_send_result, 0);
    EXPECT_EQ(ars_rtos_queue_recv(&q, &b, 0), 0);
    EXPECT_EQ(b.b[0], 0x44);
    ars_rtos_task_delete(&tasks[1]);
    /* semaphore at its maximum: the handed count holds its room */
    for (k = 0; k < 2; k++) {                        /* deleted, suspended */
        ars_rtos_sem_init(&sem, 0, 2);
        ho_reset();
        spawn(0, ho_sem_taker, (void *)0, 3);
        settle();
        accepted = 0;
        while (accepted < 10 && ars_rtos_sem_give(&sem) == 0) accepted++;
        EXPECT_EQ(accepted, 2);
        EXPECT_EQ(k ? ars_rtos_task_suspend(&tasks[0]) : ars_rtos_task_delete(&tasks[0]), 0);
        EXPECT_EQ(ars_rtos_sem_count(&sem), accepted);   /* none lost */
        if (k) { EXPECT_EQ(ars_rtos_task_delete(&tasks[0]), 0); }
        EXPECT_EQ(ars_rtos_sem_count(&sem), accepted);
        EXPECT_EQ(ars_rtos_sem_give(&sem), ARS_EOVERFLOW);
    }
    /* taken: the room is free again */
    ars_rtos_sem_init(&sem, 0, 1);
    ho_reset();
    spawn(0, ho_sem_taker, (void *)0, 3);
    settle();
    EXPECT_EQ(ars_rtos_sem_give(&sem), 0);
    EXPECT_EQ(ars_rtos_sem_give(&sem), ARS_EOVERFLOW);   /* binary: its unit is out */
    settle();
    EXPECT_EQ(ho_rc[0], 0);
    EXPECT_EQ(ars_rtos_sem_give(&sem), 0);
    EXPECT_EQ(ars_rtos_sem_count(&sem), 1);
    ars_rtos_sem_init(&sem, 0, 1);
}

/* ---- a stack overflow caught before a woken task took its unit (Cortex-M) ---------- */
/* Cortex-M's switch returns to a woken task with interrupts enabled, before
   its cpsid i and the take of the unit it was handed: a switch pended by
   then (a tick, or any interrupt, during the switch to it) tail-chains, and
   the stack check of that switch sees the task again. Its overflow used to
   suspend it still holding the unit: the count, the item or the mutex
   stayed handed to a task that never takes it, and a later delete unlinked
   it from the wait queue it had left (the object lost its other waiters; a
   mutex stayed owned by the deleted task). Now the unit goes back, as on a
   suspend. The runner hands W (tasks[0]) its unit; X (tasks[1], above W)
   damages both canaries and yields; X's overflow hook, which runs in that
   switch, pends the next switch: the switch then picks W, and the pended
   one checks W at once. RISC-V and hosted resume a woken task with
   interrupts masked until it took its unit: no window there. */
#if defined(ARS_TEST_FREESTANDING) && defined(__arm__)
static volatile int gap_calls;
static ars_rtos_task *volatile gap_seen[2];
static void gap_hook(ars_rtos_task *t) {
    if (gap_calls < 2) gap_seen[gap_calls] = t;
    gap_calls++;
    if (t == &tasks[1]) *(volatile uint32_t *)0xE000ED04u = 1u << 28;   /* ICSR.PENDSVSET */
}
static void gap_overflower(void *arg) {
    (void)arg;
    ((volatile unsigned char *)tasks[0].stack)[0] ^= 1u;   /* W's canary */
    ((volatile unsigned char *)tasks[1].stack)[0] ^= 1u;   /* its own */
    ars_rtos_yield();
    logc('!');
}
static int gap_hand(int kind) {          /* hands (or puts) a unit of kind */
    item7 a;
    memset(&a, 5, sizeof a);
    if (kind == 0) return ars_rtos_sem_give(&sem);
    if (kind == 1) return ars_rtos_queue_send(&q, &a, 0);
    return ars_rtos_mutex_unlock(&m1);
}
static int gap_take(int kind) {          /* takes one without waiting */
    item7 b;
    int r;
    if (kind == 0) return ars_rtos_sem_take(&sem, 0);
    if (kind == 1) { b.b[0] = 0; r = ars_rtos_queue_recv(&q, &b, 0); return r ? r : b.b[0] - 5; }
    return ars_rtos_mutex_lock(&m1, 0);
}
static void test_overflow_before_take(void) {
    static void (*const waiter[3])(void *) = { ho_sem_taker, ho_q_taker, ho_locker };
    int k;
    for (k = 0; k < 3; k++) {            /* semaphore, queue, mutex */
        log_reset();
        ars_rtos_sem_init(&sem, 0, 2);
        EXPECT_EQ(ars_rtos_queue_init(&q, qbuf, sizeof(item7), 2), 0);
        ars_rtos_mutex_init(&m1, 0);
        if (k == 2) { EXPECT_EQ(ars_rtos_mutex_lock(&m1, 0), 0); }
        ho_reset();
        gap_calls = 0; gap_seen[0] = gap_seen[1] = 0;
        ars_rtos_set_overflow_hook(gap_hook);
        spawn(0, waiter[k], (void *)0, 6);           /* W */
        settle();
        EXPECT_EQ(gap_hand(k), 0);                   /* to W, which has not run */
        spawn(1, gap_overflower, 0, 7);              /* X */
        settle();
        EXPECT_EQ(gap_calls, 2);
        EXPECT(gap_seen[0] == &tasks[1]);
        EXPECT(gap_seen[1] == &tasks[0]);            /* before W took its unit */
        EXPECT_EQ(ars_rtos_task_state(&tasks[0]), ARS_RTOS_SUSPENDED);
        EXPECT_EQ(ho_rc[0], 99);
        if (k == 0) { EXPECT_EQ(ars_rtos_sem_count(&sem), 1); EXPECT_EQ(sem.held, 0); }
        if (k == 1) { EXPECT_EQ(ars_rtos_queue_count(&q), 1); EXPECT_EQ(q.held, 0); }
        EXPECT_EQ(gap_take(k), 0);                   /* the unit went back */
        spawn(2, waiter[k], (void *)1, 5);           /* another waiter */
        settle();
        EXPECT_EQ(ars_rtos_task_delete(&tasks[0]), 0);
        EXPECT(k == 0 ? sem.waiters == &tasks[2] : k == 1 ? q.receivers == &tasks[2]
                      : m1.waiters == &tasks[2]);   /* still waits */
        EXPECT_EQ(gap_hand(k), 0);
        settle();
        EXPECT_EQ(ho_rc[1], 0);
        EXPECT_EQ(gap_take(k), (k == 2 ? 0 : ARS_EAGAIN));   /* it took it (a mutex: and let go) */
        if (k == 2) { EXPECT_EQ(ars_rtos_mutex_unlock(&m1), 0); }
        EXPECT(streq(log_buf, ""));
        ars_rtos_set_overflow_hook(0);
        ars_rtos_task_delete(&tasks[1]);
        ars_rtos_task_delete(&tasks[2]);             /* gone already if all went well */
    }
    ars_rtos_sem_init(&sem, 0, 1);
    ars_rtos_mutex_init(&m1, 0);
}
#endif

/* ---- a task that returns holding a mutex ---------------------------------------- */
/* It cannot delete itself (refused while it holds a mutex): it used to spin
   there for ever at its priority, starving every lower task (hosted: the
   whole program). Now it is suspended, still holding the mutex. */
static void returns_holding(void *arg) { (void)arg; ars_rtos_mutex_lock(&m1, NEVER); }
static void test_return_holding_mutex(void) {
    int c;
    ars_rtos_mutex_init(&m1, 0);
    counter = 0;
    spawn(0, counting, 0, 3);
    spawn(1, returns_holding, 0, 5);
    ars_rtos_delay(5);
    c = counter;
    ars_rtos_delay(5);
    EXPECT(counter > c);                                 /* the lower task runs */
    EXPECT_EQ(ars_rtos_task_state(&tasks[1]), ARS_RTOS_SUSPENDED);
    EXPECT_EQ(ars_rtos_mutex_lock(&m1, ARS_RTOS_NOWAIT), ARS_EAGAIN);   /* still held */
    ars_rtos_task_suspend(&tasks[1]);
    ars_rtos_task_delete(&tasks[0]);
    ars_rtos_mutex_init(&m1, 0);
}

/* ---- UART input (HAL) --------------------------------------------------------- */
#if defined(ARSENAL_RTOS_HAL_MPS2) || defined(ARSENAL_RTOS_HAL_VIRT) || defined(ARSENAL_RTOS_HAL_HOSTED)
#define UART_IN "ars-uart"          /* the ars-test-fw-stdin text at the top */
/* Firmware: QEMU holds these bytes from boot, before anything is written
   on the UART through the HAL (mps2's receiver used to be switched on only
   by the first ars_rtos_uart_write). Hosted: a pipe stands in for stdin,
   then its end gives ARS_EEOF (the hosted HAL used to have no input). */
static void test_uart_read(void) {
    char buf[16];
    int n = 0, r = 0, i;
    ars_rtos_tick_t t0;
#ifdef ARSENAL_RTOS_HAL_HOSTED
    int fds[2], saved = dup(0);
    EXPECT(saved >= 0);
    EXPECT_EQ(pipe(fds), 0);
    EXPECT_EQ(dup2(fds[0], 0), 0);
    close(fds[0]);
    EXPECT_EQ(ars_rtos_uart_read(buf, sizeof buf, ARS_RTOS_NOWAIT), ARS_EAGAIN);
    EXPECT_EQ(write(fds[1], UART_IN, sizeof UART_IN - 1), (long)sizeof UART_IN - 1);
#endif
    EXPECT_EQ(ars_rtos_uart_read(buf, 0, in_ticks(3)), 0);   /* used to wait for nothing */
    /* QEMU delivers them a few at a time, when its main loop runs: wait
       long in virtual time (each tick here is a poll of the UART) */
    t0 = ars_rtos_now();
    while (n < (int)sizeof UART_IN - 1) {
        r = ars_rtos_uart_read(buf + n, sizeof UART_IN - 1 - (size_t)n, t0 + 200000);
        if (r <= 0) break;
        n += r;
    }
    EXPECT_EQ(r > 0 ? 0 : r, 0);
    EXPECT_EQ(n, (int)sizeof UART_IN - 1);
    for (i = 0; i < n && i < (int)sizeof UART_IN - 1; i++) EXPECT_EQ(buf[i], UART_IN[i]);
    /* nothing more is pending */
    EXPECT_EQ(ars_rtos_uart_read(buf, sizeof buf, ARS_RTOS_NOWAIT), ARS_EAGAIN);
    ars_rtos_delay(1);
    t0 = ars_rtos_now();
    EXPECT_EQ(ars_rtos_uart_read(buf, sizeof buf, t0 + 5), ARS_ETIMEDOUT);
    EXPECT_EQ(ars_rtos_now(), t0 + 5);
    EXPECT_EQ(ars_rtos_uart_read(buf, sizeof buf, t0), ARS_ETIMEDOUT);   /* passed */
    EXPECT_EQ(ars_rtos_now(), t0 + 5);
#ifdef ARSENAL_RTOS_HAL_HOSTED
    close(fds[1]);                                   /* end of input */
    t0 = ars_rtos_now();                 /* with NEVER it used to poll forever */
    r = ars_rtos_uart_read(buf, sizeof buf, t0 + 1000);
    EXPECT_EQ(r, ARS_EEOF);
    if (r == ARS_EEOF) EXPECT_EQ(ars_rtos_uart_read(buf, sizeof buf, NEVER), ARS_EEOF);
    EXPECT_EQ(ars_rtos_now(), t0);
    dup2(saved, 0);
    close(saved);
#endif
}
/* in an interrupt: no waiting */
static volatile int uart_isr_r[2];
static void on_uart_timer(ars_rtos_timer *t, void *arg) {
    char c;
    (void)t; (void)arg;
    uart_isr_r[0] = ars_rtos_uart_read(&c, 1, ars_rtos_now() + 5);
    uart_isr_r[1] = ars_rtos_uart_read(&c, 1, ars_rtos_now());            /* passed */
}
static void test_uart_read_isr(void) {
#ifdef ARSENAL_RTOS_HAL_HOSTED
    int fds[2], saved = dup(0);
    EXPECT_EQ(pipe(fds), 0);                         /* open, empty: no byte yet */
    dup2(fds[0], 0);
    close(fds[0]);
#endif
    uart_isr_r[0] = uart_isr_r[1] = 99;
    ars_rtos_timer_init(&tm1, on_uart_timer, 0);
    ars_rtos_timer_start(&tm1, 2, 0);
    ars_rtos_delay(3);
    EXPECT_EQ(uart_isr_r[0], ARS_EISR);
    EXPECT_EQ(uart_isr_r[1], ARS_EISR);
#ifdef ARSENAL_RTOS_HAL_HOSTED
    close(fds[1]);
    dup2(saved, 0);
    close(saved);
#endif
}
#endif

/* ---- runner ------------------------------------------------------------------- */
/* a delayed task that is suspended and resumed returns from the delay at
   once with 0 (documented) */
static volatile int sleeper_rc = 99;
static volatile ars_rtos_tick_t sleeper_woke;
static void sleeper(void *arg) {
    (void)arg;
    sleeper_rc = ars_rtos_delay(1000);
    sleeper_woke = ars_rtos_now();
}
static void test_suspend_while_delayed(void) {
    ars_rtos_tick_t t0;
    sleeper_rc = 99;
    spawn(0, sleeper, 0, RUNNER_PRIO + 1);          /* runs now, sleeps 1000 */
    EXPECT_EQ(ars_rtos_task_state(&tasks[0]), ARS_RTOS_DELAYED);
    EXPECT_EQ(ars_rtos_task_suspend(&tasks[0]), 0);
    ars_rtos_delay(3);
    EXPECT_EQ(sleeper_rc, 99);
    t0 = ars_rtos_now();
    EXPECT_EQ(ars_rtos_task_resume(&tasks[0]), 0);  /* higher priority: runs now */
    EXPECT_EQ(sleeper_rc, 0);
    EXPECT(sleeper_woke - t0 <= 1);
    EXPECT_EQ(ars_rtos_task_state(&tasks[0]), ARS_RTOS_DELETED);
}

#ifndef ARS_TEST_FREESTANDING
/* ---- hosted: a new kernel session after ars_rtos_stop in a timer callback -- */
/* The stop left the hosted port's critical-section flag set (the tick
   interrupt holds it around the callbacks), and ars_rtos_init did not clear
   it: in every later session no switch happened (a delay returned at once,
   its task still on the timeout list; lower tasks never ran). main() runs
   these two sessions after the suite's and then this test. */
static ars_rtos_timer restart_tm;
static volatile int restart_rc1, restart_slept = -1, restart_lower;
static void restart_stop(ars_rtos_timer *t, void *arg) { (void)t; (void)arg; ars_rtos_stop(5); }
static void restart_sleeper(void *arg) { (void)arg; for (;;) ars_rtos_delay(100); }
static void restart_lower_fn(void *arg) { (void)arg; restart_lower++; }
static void restart_checker(void *arg) {
    ars_rtos_tick_t t0 = ars_rtos_now();
    (void)arg;
    ars_rtos_delay(10);
    restart_slept = (int)(ars_rtos_now() - t0);
    ars_rtos_delay(1);                               /* the lower task runs */
    ars_rtos_stop(0);
}
static void test_restart_after_timer_stop(void) {
    ars_rtos_init();
    ars_rtos_timer_init(&restart_tm, restart_stop, 0);
    ars_rtos_timer_start(&restart_tm, 3, 0);
    spawn(0, restart_sleeper, 0, 3);
    restart_rc1 = ars_rtos_start();
    ars_rtos_init();
    spawn(0, restart_checker, 0, 3);
    spawn(1, restart_lower_fn, 0, 2);
    EXPECT_EQ(ars_rtos_start(), 0);
    EXPECT_EQ(restart_rc1, 5);
    EXPECT_EQ(restart_slept, 10);
    EXPECT_EQ(restart_lower, 1);
}
#endif

/* ---- a blocking call made with interrupts masked ------------------------------ */
/* A task that masks interrupts (Cortex-M cpsid i, RISC-V mstatus.MIE
   cleared) cannot be switched away from: the switch a wait asks for stays
   pending until it unmasks. Such a wait used to go on regardless: the task
   returned from it still linked in the object's wait queue (or the timeout
   list), in state BLOCKED (DELAYED), and the take of a handed unit it then
   did on that queue decremented the object's held count (a mutex's owner
   pointer) below zero; after the unmask the task stayed stuck there. Now
   every call that would block returns ARS_EISR at once with interrupts
   masked, as in an interrupt, doing nothing; NOWAIT keeps ARS_EAGAIN, and a
   yield takes effect when interrupts are unmasked. Hosted has no masking
   for user code: the test sets the port's critical-section flag, which is
   what masking is there. The worker has a lower priority than the runner.
   Cortex-M3/M4/M7 run every call a second time with PRIMASK clear and
   BASEPRI raised to PendSV's own priority (the lowest: it masks PendSV and
   SysTick, nothing else), as a FreeRTOS critical section does: no switch
   can come either. That case was not caught: the wait went on as above
   (state BLOCKED, a unit taken from the queue), and at BASEPRI 0 the
   worker was switched away for good. After the unmask the worker makes a
   normal timed wait (a semaphore nobody gives, 1 tick): the kernel is
   still consistent for it. */
#if defined(ARS_TEST_FREESTANDING) && defined(__arm__) && !defined(__ARM_ARCH_6M__)
#define MK_HOWS 2                               /* PRIMASK, then BASEPRI */
static volatile int mk_how;
static void mk_mask(void) {
    uint32_t pendsv_prio = *(volatile uint8_t *)0xE000ED22u;   /* SHPR3 byte 2 */
    if (mk_how) __asm volatile("msr basepri, %0\n isb" :: "r"(pendsv_prio) : "memory");
    else __asm volatile("cpsid i" ::: "memory");
}
static void mk_unmask(void) {
    if (mk_how) __asm volatile("msr basepri, %0\n isb" :: "r"(0) : "memory");
    else __asm volatile("cpsie i" ::: "memory");
}
#define MASK_IRQS()   mk_mask()
#define UNMASK_IRQS() mk_unmask()
#elif defined(ARS_TEST_FREESTANDING) && defined(__arm__)
#define MASK_IRQS()   __asm volatile("cpsid i" ::: "memory")
#define UNMASK_IRQS() __asm volatile("cpsie i" ::: "memory")
#elif defined(ARS_TEST_FREESTANDING) && defined(__riscv)
#define MASK_IRQS()   __asm volatile("csrci mstatus, 8" ::: "memory")
#define UNMASK_IRQS() __asm volatile("csrsi mstatus, 8" ::: "memory")
#else
#define MASK_IRQS()   (ars__h.crit = 1)
#define UNMASK_IRQS() ars__irq_restore(0)       /* and a pending switch */
#endif
#ifndef MK_HOWS
#define MK_HOWS 1
#endif
enum { MK_SEM, MK_SEM_TIMED, MK_RECV, MK_SEND, MK_LOCK, MK_EVENT, MK_DELAY, MK_DELAY_UNTIL,
       MK_UART, MK_NOWAIT, MK_YIELD, MK_N };
static volatile int mk_rc, mk_state, mk_done, mk_later;
static volatile ars_rtos_tick_t mk_prev;
static void mk_other(void *arg) { (void)arg; logc('b'); }
static void mk_worker(void *arg) {
    int op = (int)(uintptr_t)arg, rc = 99;
    ars_rtos_tick_t prev = 100;
    uint32_t got = 0;
    item7 it;
    memset(&it, 0x55, sizeof it);
    MASK_IRQS();
    logc('a');
    switch (op) {
    case MK_SEM:         rc = ars_rtos_sem_take(&sem, NEVER); break;
    case MK_SEM_TIMED:   rc = ars_rtos_sem_take(&sem, in_ticks(5)); break;
    case MK_RECV:        rc = ars_rtos_queue_recv(&q, &it, NEVER); break;
    case MK_SEND:        rc = ars_rtos_queue_send(&q, &it, in_ticks(5)); break;
    case MK_LOCK:        rc = ars_rtos_mutex_lock(&m1, NEVER); break;
    case MK_EVENT:       rc = ars_rtos_event_wait(&ev, 1, ARS_RTOS_EV_CLEAR, &got, NEVER); break;
    case MK_DELAY:       rc = ars_rtos_delay(5); break;
    case MK_DELAY_UNTIL: rc = ars_rtos_delay_until(&prev, 5); break;
#if defined(ARSENAL_RTOS_HAL_MPS2) || defined(ARSENAL_RTOS_HAL_VIRT)
    case MK_UART:        rc = ars_rtos_uart_read(&it, 1, in_ticks(3)); break;
#endif
    case MK_NOWAIT:      rc = ars_rtos_sem_take(&sem, ARS_RTOS_NOWAIT); break;
    case MK_YIELD:       rc = ars_rtos_yield(); break;
    }
    mk_rc = rc;
    mk_prev = prev;
    mk_state = ars_rtos_task_state(0);   /* still masked: it runs, so READY */
    logc('c');
    UNMASK_IRQS();
    logc('d');
    mk_later = ars_rtos_sem_take(&sem, in_ticks(1));   /* a normal wait works */
    mk_done = 1;
}
static void test_wait_irqs_masked(void) {
    int op, how;
    item7 a, b;
    ars_rtos_event_init(&ev, 0);
    for (how = 0; how < MK_HOWS; how++)
    for (op = 0; op < MK_N; op++) {
        int want = op == MK_NOWAIT ? ARS_EAGAIN : op == MK_YIELD ? 0 : ARS_EISR;
#if MK_HOWS > 1
        mk_how = how;
#endif
#if !defined(ARSENAL_RTOS_HAL_MPS2) && !defined(ARSENAL_RTOS_HAL_VIRT)
        if (op == MK_UART) continue;
#endif
        ars_rtos_sem_init(&sem, 0, 2);
        ars_rtos_queue_init(&q, qbuf, sizeof(item7), 2);
        memset(&a, 7, sizeof a);
        if (op == MK_SEND) { ars_rtos_queue_send(&q, &a, 0); ars_rtos_queue_send(&q, &a, 0); }
        ars_rtos_mutex_init(&m1, 0);
        ars_rtos_mutex_lock(&m1, 0);
        ars_rtos_event_clear(&ev, 0xFFFFFFFFu);
        mk_rc = 99; mk_state = 99; mk_done = 0; mk_prev = 0; mk_later = 99;
        log_reset();
        spawn(0, mk_worker, (void *)(uintptr_t)op, 3);
        if (op == MK_YIELD) spawn(1, mk_other, 0, 3);
        ars_rtos_delay(4);                      /* < 5 ticks: no masked wait ended */
        if (mk_rc != want || mk_later != ARS_ETIMEDOUT) {   /* which case failed */
            ars_test_puts("  mask "); ars_test_putl(how);
            ars_test_puts(" op "); ars_test_putl(op); ars_test_putc('\n');
        }
        EXPECT_EQ(mk_rc, want);
        EXPECT_EQ(mk_later, ARS_ETIMEDOUT);
        EXPECT_EQ(mk_state, ARS_RTOS_READY);
        EXPECT_EQ(mk_done, 1);                  /* it went on after the unmask */
        EXPECT_EQ(ars_rtos_task_state(&tasks[0]), ARS_RTOS_DELETED);
        /* the switch of a masked yield waits for the unmask */
        EXPECT(streq(log_buf, op == MK_YIELD ? "acbd" : "acd"));
        if (op == MK_DELAY_UNTIL) { EXPECT_EQ(mk_prev, 100); }   /* untouched */
        /* nothing waits; nothing given is handed to the worker */
        EXPECT(!sem.waiters && !q.receivers && !q.senders && !m1.waiters && !ev.waiters);
        EXPECT_EQ(ars_rtos_sem_give(&sem), 0);
        EXPECT_EQ(ars_rtos_sem_give(&sem), 0);
        EXPECT_EQ(ars_rtos_sem_give(&sem), ARS_EOVERFLOW);
        EXPECT_EQ(ars_rtos_sem_count(&sem), 2);
        EXPECT_EQ(ars_rtos_sem_take(&sem, 0), 0);
        EXPECT_EQ(ars_rtos_sem_count(&sem), 1);
        if (op == MK_SEND) { EXPECT_EQ(ars_rtos_queue_recv(&q, &b, 0), 0); }
        memset(&a, op, sizeof a);
        EXPECT_EQ(ars_rtos_queue_send(&q, &a, 0), 0);
        EXPECT_EQ(ars_rtos_queue_count(&q), op == MK_SEND ? 2 : 1);
        EXPECT_EQ(ars_rtos_queue_recv(&q, &b, 0), 0);
        EXPECT_EQ(b.b[0], op == MK_SEND ? 7 : op);
        EXPECT_EQ(ars_rtos_mutex_unlock(&m1), 0);      /* still ours, not handed on */
        EXPECT_EQ(ars_rtos_mutex_lock(&m1, 0), 0);
        EXPECT_EQ(ars_rtos_mutex_unlock(&m1), 0);
        EXPECT_EQ(ars_rtos_priority_get(0), RUNNER_PRIO);
        ars_rtos_event_set(&ev, 1);
        EXPECT_EQ(ars_rtos_event_get(&ev), 1);         /* no waiter cleared it */
        if (ars_rtos_task_state(&tasks[0]) != ARS_RTOS_DELETED) ars_rtos_task_delete(&tasks[0]);
        if (op == MK_YIELD) ars_rtos_task_delete(&tasks[1]);
    }
    ars_rtos_sem_init(&sem, 0, 1);
    ars_rtos_mutex_init(&m1, 0);
    ars_rtos_event_init(&ev, 0);
}

static ars_rtos_task runner_task;
static uint64_t runner_stack[STK / 8 * 2];
static int exit_code;

static void runner(void *arg) {
    (void)arg;
#if defined(ARSENAL_RTOS_HAL_MPS2) || defined(ARSENAL_RTOS_HAL_VIRT) || defined(ARSENAL_RTOS_HAL_HOSTED)
    ARS_RUN(test_uart_read);           /* first: nothing written through the HAL before */
    ARS_RUN(test_uart_read_isr);
#endif
    ARS_RUN(test_priority_order);
    ARS_RUN(test_yield);
    ARS_RUN(test_round_robin);
    ARS_RUN(test_suspend_resume_delete);
    ARS_RUN(test_suspend_while_delayed);
    ARS_RUN(test_priority_set);
    ARS_RUN(test_delay_exact);
    ARS_RUN(test_delay_until_1000);
    ARS_RUN(test_tickless_idle);
    ARS_RUN(test_semaphore);
    ARS_RUN(test_mutex_basic);
    ARS_RUN(test_pi_step_restore);
    ARS_RUN(test_pi_chain_timeout);
    ARS_RUN(test_pi_priority_set);
    ARS_RUN(test_queue);
    ARS_RUN(test_queue_huge_wrap);
    ARS_RUN(test_events);
    ARS_RUN(test_timers_and_isr);
#ifdef HAVE_EXT_IRQ
    ARS_RUN(test_external_irq);
#endif
#if defined(ARS_TEST_FREESTANDING) && defined(__riscv)
    ARS_RUN(test_trap_hook_resumes);
#endif
#if defined(ARS_TEST_FREESTANDING) && defined(__arm__) && !defined(__ARM_ARCH_6M__) && ARSENAL_RTOS_TICKLESS
    ARS_RUN(test_tickless_wake_at_edge);
    ARS_RUN(test_tickless_stop_race);
#endif
    ARS_RUN(test_stack_overflow);
    ARS_RUN(test_float_contexts);
    ARS_RUN(test_return_holding_mutex);
    ARS_RUN(test_handover_to_deleted);
    ARS_RUN(test_handover_object_full);
#if defined(ARS_TEST_FREESTANDING) && defined(__arm__)
    ARS_RUN(test_overflow_before_take);
#endif
    ARS_RUN(test_delay_to_tick_max);
    ARS_RUN(test_timer_at_tick_max);
    ARS_RUN(test_small_stack_rejected);
    ARS_RUN(test_wait_irqs_masked);
#ifdef ARS_TEST_FREESTANDING
    exit_code = ars_test_report();
    board_exit(exit_code);
#else
    exit_code = 0x7E57;                  /* main() runs one more test and reports */
    ars_rtos_stop(exit_code);
#endif
}

#if defined(ARS_TEST_FREESTANDING) && defined(__riscv)
static void on_trap(uintptr_t mcause, uintptr_t mepc) { board_trap_fault(mcause, mepc, 0, 0, 0); }
#endif

int main(void) {
    int r;
    ars_rtos_init();
#if defined(ARS_TEST_FREESTANDING) && defined(__riscv)
    ars_rtos_set_trap_hook(on_trap);
#endif
    ars_rtos_task_create(&runner_task, runner, 0, RUNNER_PRIO, runner_stack, sizeof runner_stack);
    r = ars_rtos_start();
    if (r != exit_code) { ars_test_puts("kernel stopped early\n"); return 1; }
#ifndef ARS_TEST_FREESTANDING
    ARS_RUN(test_restart_after_timer_stop);
    r = ars_test_report();
#endif
    return r;
}
