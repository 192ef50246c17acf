/* rtos_sync.c - a small sensor hub on arsenal_rtos.h's hosted port: an
   interrupt feeds a counting semaphore, samples go through a queue, a mutex
   with priority inheritance guards the shared statistics, event flags (with
   a timeout) drive a logger, periodic tasks keep their grid with
   ars_rtos_delay_until, and a supervisor suspends, resumes and deletes
   tasks. Every result is checked against the tick it must happen at: the
   program prints its timeline and exits 0, or names the failed check on
   stderr and exits 1.

   Build and run (from the repository root):
       cc -std=c99 -D_DEFAULT_SOURCE -O2 -o rtos_sync examples/rtos_sync.c && ./rtos_sync

   The tasks (priority in brackets; higher preempts lower; 1 tick = 1 ms):
     adc [7]       plays the hardware: every 10 ticks it raises the ADC's
                   conversion-done interrupt (ars_rtos_hosted_irq). The
                   handler puts the reading in a 4-slot ring (as a DMA would)
                   and gives a counting semaphore.
     ctl [6]       the supervisor: at ticks 42, 45, 75 and at the end it
                   checks the others and suspends, resumes, deletes them.
     producer [5]  takes the semaphore, converts the reading to mV, sends it
                   into a queue.
     consumer [4]  receives it, adds it to the statistics under the mutex,
                   sets the event bits SAMPLE (and ALARM above 2000 mV), then
                   yields so that the logger, of the same priority, reports
                   each sample of a backlog before the next one is taken.
     logger [4]    waits for SAMPLE or ALARM with a 25-tick timeout; a
                   timeout means the sensor went quiet: it sets QUIET.
     flash [1]     from tick 37, every 40 ticks, writes a snapshot of the
                   statistics while holding the mutex for 6 ticks of busy
                   CPU (erase 2, program 4).
   What happens:
     37-43   flash holds the mutex; the sample of tick 40 makes the consumer
             wait for it, which lends flash the consumer's priority 4 (ctl
             sees it at 42; deleting a mutex holder is refused; ctl raises
             flash's own priority to 2, the loan still wins until the unlock)
     45-75   producer suspended: the interrupts of 50, 60, 70 pile up in the
             semaphore (count 3); the logger times out at 68
     75      producer resumed: its cut-short wait returns ARS_ECANCELED; the
             three samples go through at once (queue backlog 2, 1, 0)
     77-83, 117-123  the same mutex loan for the samples of 80 and 120
     148     the logger's timeout after the last sample wakes ctl, which
             checks everything, deletes the tasks and prints their stacks
   The overflow and trap hooks are installed and must stay silent (the trap
   hook belongs to the RISC-V port; hosted, the call is accepted).

   Time is simulated: when every task waits, the idle task jumps to the next
   wake-up; a task that keeps the CPU busy lets time pass with tick
   interrupts (ars_rtos_hosted_tick, or ars_rtos_hosted_irq running
   ars_rtos_tick). So the run takes a few milliseconds and prints the same
   tick numbers every time (the stack figures depend on the compiler). */
#define ARSENAL_RTOS_IMPLEMENTATION
#include "../arsenal_rtos.h"
#include <stdarg.h>
#include <stdio.h>

#ifndef ARSENAL_RTOS_PORT_HOSTED
#error "rtos_sync.c needs the hosted port (Linux/POSIX with <ucontext.h>)"
#endif

enum { PRIO_FLASH = 1, PRIO_FLASH_NEW = 2, PRIO_LOGGER = 4, PRIO_CONSUMER = 4,
       PRIO_PRODUCER = 5, PRIO_CTL = 6, PRIO_ADC = 7 };
#define SAMPLES        12
#define ADC_PERIOD     10       /* ticks between conversions */
#define RING           4        /* DMA slots = the semaphore's maximum */
#define QUIET_TICKS    25       /* the logger's timeout */
#define FLASH_FIRST    37
#define FLASH_PERIOD   40
#define ERASE_TICKS    2
#define PROGRAM_TICKS  4
#define ALARM_MV       2000u
#define STACK_BYTES    65536    /* hosted stacks also hold a ucontext */

#define EV_SAMPLE 1u
#define EV_ALARM  2u
#define EV_QUIET  4u

enum { T_ADC, T_CTL, T_PRODUCER, T_CONSUMER, T_LOGGER, T_FLASH, NTASKS };
static const char *const task_name[NTASKS] = { "adc", "ctl", "producer", "consumer", "logger", "flash" };
static ars_rtos_task tcb[NTASKS];
static uint64_t stacks[NTASKS][STACK_BYTES / 8];

typedef struct { uint32_t seq, mv; ars_rtos_tick_t at; } sample;

static const uint16_t adc_raw[SAMPLES] = {      /* 12-bit readings, 3.3 V full scale */
    1800, 1850, 1900, 1960, 2030, 2120, 2250, 2600, 2540, 2300, 2100, 1950 };
static struct { ars_rtos_tick_t at; uint16_t raw; } ring[RING];
static uint32_t conversions;                    /* written by the interrupt */
static ars_rtos_sem adc_sem;
static ars_rtos_queue samples_q;
static sample samples_buf[4];
static ars_rtos_mutex stats_mx;
static struct { uint32_t count, sum_mv, max_mv, backlog; sample last; } stats;  /* under stats_mx */
static ars_rtos_event hub_ev;

/* what happened when, for the checks at the end (index: sample number) */
static ars_rtos_tick_t irq_at[SAMPLES + 1], logged_at[SAMPLES + 1];
static uint32_t backlog_of[SAMPLES + 1], alarm_of[SAMPLES + 1];
static ars_rtos_tick_t quiet_at[2], cancel_at, flash_start[3], flash_end[3];
static uint32_t flash_count[3];
static int flash_prio_held[3], flash_prio_after[3];
static int quiets, cancels, flashes, systicks;
static int failures, overflows, traps;

static const char *name_of(const ars_rtos_task *t) {
    int i;
    for (i = 0; i < NTASKS; i++)
        if (t == &tcb[i]) return task_name[i];
    return "idle";
}

/* one timeline line: tick, the calling task, the text */
static void say(const char *fmt, ...) {
    va_list ap;
    printf("%5u  %-8s  ", (unsigned)ars_rtos_now(), name_of(ars_rtos_self()));
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

static void check_failed(int line, const char *what, long got, long want) {
    fflush(stdout);
    fprintf(stderr, "rtos_sync: tick %u, line %d: %s is %ld, expected %ld\n",
            (unsigned)ars_rtos_now(), line, what, got, want);
    failures++;
}
#define CHECK_EQ(a, b) do { long a_ = (long)(a), b_ = (long)(b); \
    if (a_ != b_) check_failed(__LINE__, #a, a_, b_); } while (0)
#define CHECK(c) CHECK_EQ(!!(c), 1)

/* something went wrong that the script cannot get past: end the run */
static void give_up(const char *why) {
    fflush(stdout);
    fprintf(stderr, "rtos_sync: tick %u: %s\n", (unsigned)ars_rtos_now(), why);
    failures++;
    ars_rtos_stop(1);
}
static void on_overflow(ars_rtos_task *t) {
    overflows++;
    fprintf(stderr, "rtos_sync: stack overflow in task %s\n", name_of(t));
    give_up("overflow hook called");
}
static void on_trap(uintptr_t mcause, uintptr_t mepc) {
    traps++;
    fprintf(stderr, "rtos_sync: trap, mcause %lx at %lx\n", (unsigned long)mcause, (unsigned long)mepc);
    give_up("trap hook called");
}

/* ---- interrupts ------------------------------------------------------------ */
/* the ADC's conversion-done interrupt */
static void adc_irq(void *arg) {
    uint32_t n = conversions++;
    (void)arg;
    CHECK(ars_rtos_in_isr());
    if (n >= SAMPLES) return;
    ring[n % RING].at = ars_rtos_now();
    ring[n % RING].raw = adc_raw[n];
    irq_at[n + 1] = ars_rtos_now();
    CHECK_EQ(ars_rtos_sem_give(&adc_sem), 0);     /* ARS_EOVERFLOW: the ring overran */
}

/* what a board's SysTick handler does (ars_rtos_hosted_tick(1) is the same) */
static void systick_irq(void *arg) {
    (void)arg;
    CHECK(ars_rtos_in_isr());
    systicks++;
    ars_rtos_tick();
}

/* ---- tasks --------------------------------------------------------------- */
static void adc_task(void *arg) {
    ars_rtos_tick_t t = ars_rtos_now();
    int i;
    (void)arg;
    for (i = 0; i < SAMPLES; i++) {
        CHECK_EQ(ars_rtos_delay_until(&t, ADC_PERIOD), 0);
        ars_rtos_hosted_irq(adc_irq, 0);
    }
}   /* a task that returns is deleted */

static void producer(void *arg) {
    uint32_t rd = 0;
    (void)arg;
    CHECK(ars_rtos_self() == &tcb[T_PRODUCER]);
    for (;;) {
        sample s;
        int r = ars_rtos_sem_take(&adc_sem, ARS_RTOS_NEVER);
        if (r == ARS_ECANCELED) {                 /* suspended while waiting */
            say("its semaphore wait was cut short by the suspension (ARS_ECANCELED): waits again");
            cancel_at = ars_rtos_now();
            cancels++;
            continue;
        }
        if (r) { CHECK_EQ(r, 0); return; }
        s.seq = rd + 1;
        s.at = ring[rd % RING].at;
        s.mv = ring[rd % RING].raw * 3300u / 4096u;
        rd++;
        r = ars_rtos_queue_send(&samples_q, &s, ARS_RTOS_NEVER);
        if (r) { CHECK_EQ(r, 0); return; }
    }
}

static void consumer(void *arg) {
    (void)arg;
    for (;;) {
        sample s;
        uint32_t backlog;
        int r = ars_rtos_queue_recv(&samples_q, &s, ARS_RTOS_NEVER);
        if (r) { CHECK_EQ(r, 0); return; }
        backlog = ars_rtos_queue_count(&samples_q);
        r = ars_rtos_mutex_lock(&stats_mx, ARS_RTOS_NEVER);
        if (r) { CHECK_EQ(r, 0); return; }
        stats.count++;
        stats.sum_mv += s.mv;
        if (s.mv > stats.max_mv) stats.max_mv = s.mv;
        stats.last = s;
        stats.backlog = backlog;
        CHECK_EQ(ars_rtos_mutex_unlock(&stats_mx), 0);
        CHECK_EQ(ars_rtos_event_set(&hub_ev, EV_SAMPLE | (s.mv > ALARM_MV ? EV_ALARM : 0u)), 0);
        CHECK_EQ(ars_rtos_yield(), 0);            /* the logger reports it now */
    }
}

static void logger(void *arg) {
    (void)arg;
    for (;;) {
        uint32_t got = 0, count, backlog;
        sample s;
        int r = ars_rtos_event_wait(&hub_ev, EV_SAMPLE | EV_ALARM, ARS_RTOS_EV_ANY | ARS_RTOS_EV_CLEAR,
                                    &got, ars_rtos_now() + QUIET_TICKS);
        if (r == ARS_ETIMEDOUT) {
            say("no sample for %d ticks: sets QUIET", QUIET_TICKS);
            if (quiets == 2) { give_up("a third quiet spell: ctl did not end the run"); return; }
            quiet_at[quiets++] = ars_rtos_now();
            CHECK_EQ(ars_rtos_event_set(&hub_ev, EV_QUIET), 0);
            continue;
        }
        if (r) { CHECK_EQ(r, 0); return; }
        r = ars_rtos_mutex_lock(&stats_mx, ARS_RTOS_NEVER);
        if (r) { CHECK_EQ(r, 0); return; }
        s = stats.last;
        count = stats.count;
        backlog = stats.backlog;
        CHECK_EQ(ars_rtos_mutex_unlock(&stats_mx), 0);
        CHECK(got & EV_SAMPLE);
        CHECK_EQ(count, s.seq);                   /* one report per sample */
        say("sample %2u: %4u mV, converted at %3u, queue backlog %u%s", (unsigned)s.seq, (unsigned)s.mv,
            (unsigned)s.at, (unsigned)backlog, (got & EV_ALARM) ? "  ALARM" : "");
        if (s.seq >= 1 && s.seq <= SAMPLES) {
            logged_at[s.seq] = ars_rtos_now();
            backlog_of[s.seq] = backlog;
            alarm_of[s.seq] = (got & EV_ALARM) != 0;
        }
    }
}

static void flash(void *arg) {
    ars_rtos_tick_t t;
    (void)arg;
    CHECK_EQ(ars_rtos_delay(FLASH_FIRST), 0);     /* the phase; then a fixed period */
    t = ars_rtos_now();
    for (;;) {
        int i, n = flashes++, r;
        if (n == 3) { give_up("a fourth snapshot: ctl did not end the run"); return; }
        r = ars_rtos_mutex_lock(&stats_mx, ARS_RTOS_NEVER);
        if (r) { CHECK_EQ(r, 0); return; }
        flash_start[n] = ars_rtos_now();
        flash_count[n] = stats.count;
        say("snapshot %d (%u samples): holds the stats mutex, erase + program %d ticks at priority %d",
            n + 1, (unsigned)stats.count, ERASE_TICKS + PROGRAM_TICKS, ars_rtos_priority_get(NULL));
        ars_rtos_hosted_tick(ERASE_TICKS);        /* busy: tick interrupts go on */
        for (i = 0; i < PROGRAM_TICKS; i++) ars_rtos_hosted_irq(systick_irq, 0);
        flash_prio_held[n] = ars_rtos_priority_get(NULL);
        CHECK_EQ(ars_rtos_mutex_unlock(&stats_mx), 0);
        flash_end[n] = ars_rtos_now();
        flash_prio_after[n] = ars_rtos_priority_get(NULL);
        say("snapshot %d written; priority %d until the unlock, %d now",
            n + 1, flash_prio_held[n], flash_prio_after[n]);
        CHECK_EQ(ars_rtos_delay_until(&t, FLASH_PERIOD), 0);
        CHECK_EQ(ars_rtos_now(), t);              /* on the grid, whatever the work took */
    }
}

static void ctl(void *arg) {
    uint32_t got = 0, sum = 0, max = 0;
    int i, r;
    (void)arg;
    CHECK(ars_rtos_self() == &tcb[T_CTL]);
    CHECK_EQ(ars_rtos_priority_get(NULL), PRIO_CTL);
    CHECK(!ars_rtos_in_isr());
    say("hub up: a conversion every %d ticks, a flash snapshot every %d from tick %d",
        ADC_PERIOD, FLASH_PERIOD, FLASH_FIRST);

    /* 42: flash holds the mutex, the consumer waits for it */
    CHECK_EQ(ars_rtos_now(), 0);
    CHECK_EQ(ars_rtos_delay(42), 0);
    CHECK_EQ(ars_rtos_now(), 42);
    CHECK_EQ(ars_rtos_task_state(&tcb[T_CONSUMER]), ARS_RTOS_BLOCKED);
    CHECK_EQ(ars_rtos_task_state(&tcb[T_FLASH]), ARS_RTOS_READY);
    CHECK_EQ(ars_rtos_priority_get(&tcb[T_FLASH]), PRIO_CONSUMER);       /* lent */
    CHECK_EQ(ars_rtos_task_delete(&tcb[T_FLASH]), ARS_EBUSY);           /* holds a mutex */
    CHECK_EQ(ars_rtos_priority_set(&tcb[T_FLASH], PRIO_FLASH_NEW), 0);
    CHECK_EQ(ars_rtos_priority_get(&tcb[T_FLASH]), PRIO_CONSUMER);       /* the loan still wins */
    say("consumer waits for the mutex, so flash runs at priority %d; delete(flash): %s; "
        "flash's own priority set to %d", ars_rtos_priority_get(&tcb[T_FLASH]),
        ars_strerror(ARS_EBUSY), PRIO_FLASH_NEW);

    /* 45: suspend the producer */
    CHECK_EQ(ars_rtos_delay(3), 0);
    CHECK_EQ(ars_rtos_now(), 45);
    CHECK_EQ(ars_rtos_task_state(&tcb[T_PRODUCER]), ARS_RTOS_BLOCKED);  /* on the semaphore */
    CHECK_EQ(ars_rtos_task_suspend(&tcb[T_PRODUCER]), 0);
    CHECK_EQ(ars_rtos_task_state(&tcb[T_PRODUCER]), ARS_RTOS_SUSPENDED);
    CHECK_EQ(ars_rtos_task_suspend(&tcb[T_PRODUCER]), ARS_ESTATE);
    say("producer suspended");

    /* 75: three conversions waiting; resume */
    CHECK_EQ(ars_rtos_delay(30), 0);
    CHECK_EQ(ars_rtos_now(), 75);
    CHECK_EQ(ars_rtos_sem_count(&adc_sem), 3);
    CHECK_EQ(ars_rtos_queue_count(&samples_q), 0);
    CHECK_EQ(ars_rtos_event_get(&hub_ev), EV_QUIET);                     /* the logger's, at 68 */
    CHECK_EQ(ars_rtos_event_clear(&hub_ev, EV_QUIET), 0);
    CHECK_EQ(ars_rtos_event_get(&hub_ev), 0);
    CHECK_EQ(ars_rtos_task_resume(&tcb[T_PRODUCER]), 0);
    CHECK_EQ(ars_rtos_task_state(&tcb[T_PRODUCER]), ARS_RTOS_READY);     /* runs once we wait */
    CHECK_EQ(ars_rtos_task_resume(&tcb[T_PRODUCER]), ARS_ESTATE);
    say("semaphore count %u (3 conversions waiting), QUIET seen and cleared; producer resumed",
        (unsigned)ars_rtos_sem_count(&adc_sem));

    /* the end: the logger's timeout after the last sample */
    r = ars_rtos_event_wait(&hub_ev, EV_QUIET, ARS_RTOS_EV_ALL | ARS_RTOS_EV_CLEAR, &got,
                            ars_rtos_now() + 200);
    CHECK_EQ(r, 0);
    CHECK_EQ(got, EV_QUIET);
    CHECK_EQ(ars_rtos_now(), 148);
    CHECK_EQ(ars_rtos_event_get(&hub_ev), 0);
    say("the sensor went quiet: checks, then the tasks are deleted");

    CHECK_EQ(ars_rtos_task_state(&tcb[T_ADC]), ARS_RTOS_DELETED);        /* it returned */
    CHECK_EQ(ars_rtos_task_state(&tcb[T_PRODUCER]), ARS_RTOS_BLOCKED);
    CHECK_EQ(ars_rtos_task_state(&tcb[T_CONSUMER]), ARS_RTOS_BLOCKED);
    CHECK_EQ(ars_rtos_task_state(&tcb[T_LOGGER]), ARS_RTOS_READY);       /* preempted by us */
    CHECK_EQ(ars_rtos_task_state(&tcb[T_FLASH]), ARS_RTOS_DELAYED);
    CHECK_EQ(ars_rtos_priority_get(&tcb[T_FLASH]), PRIO_FLASH_NEW);
    CHECK_EQ(ars_rtos_task_delete(&tcb[T_ADC]), ARS_ESTATE);
    for (i = T_PRODUCER; i <= T_FLASH; i++) {
        CHECK_EQ(ars_rtos_task_delete(&tcb[i]), 0);
        CHECK_EQ(ars_rtos_task_state(&tcb[i]), ARS_RTOS_DELETED);
    }
    CHECK_EQ(ars_rtos_sem_count(&adc_sem), 0);
    CHECK_EQ(ars_rtos_queue_count(&samples_q), 0);
    CHECK_EQ(ars_rtos_task_state(NULL), ARS_RTOS_READY);

    /* the timeline */
    CHECK_EQ(conversions, SAMPLES);
    for (i = 1; i <= SAMPLES; i++) {
        static const ars_rtos_tick_t logged[SAMPLES + 1] =       /* when the logger reported it */
            { 0, 10, 20, 30, 43, 75, 75, 75, 83, 90, 100, 110, 123 };
        uint32_t mv = adc_raw[i - 1] * 3300u / 4096u;
        CHECK_EQ(irq_at[i], ADC_PERIOD * i);                 /* the adc task's grid */
        CHECK_EQ(logged_at[i], logged[i]);
        CHECK_EQ(backlog_of[i], i == 5 ? 2 : i == 6 ? 1 : 0);
        CHECK_EQ(alarm_of[i], mv > ALARM_MV);
        sum += mv;
        if (mv > max) max = mv;
    }
    CHECK_EQ(alarm_of[8] + alarm_of[9], 2);
    CHECK_EQ(stats.count, SAMPLES);
    CHECK_EQ(stats.sum_mv, sum);
    CHECK_EQ(stats.max_mv, max);
    CHECK_EQ(cancels, 1);
    CHECK_EQ(cancel_at, 75);
    CHECK_EQ(quiets, 2);
    CHECK_EQ(quiet_at[0], 68);
    CHECK_EQ(quiet_at[1], 148);
    CHECK_EQ(flashes, 3);
    for (i = 0; i < 3; i++) {
        CHECK_EQ(flash_start[i], FLASH_FIRST + FLASH_PERIOD * i);
        CHECK_EQ(flash_end[i], flash_start[i] + ERASE_TICKS + PROGRAM_TICKS);
        CHECK_EQ(flash_count[i], i == 0 ? 3 : i == 1 ? 7 : 11);
        CHECK_EQ(flash_prio_held[i], PRIO_CONSUMER);        /* each time a sample came in */
        CHECK_EQ(flash_prio_after[i], PRIO_FLASH_NEW);
    }
    CHECK_EQ(systicks, 3 * PROGRAM_TICKS);
    say("%u samples, mean %u mV, max %u mV; %d snapshots; %d quiet spells", (unsigned)stats.count,
        (unsigned)(stats.sum_mv / stats.count), (unsigned)stats.max_mv, flashes, quiets);

    /* stacks: the high-water mark of every task */
    for (i = 0; i < NTASKS; i++) {
        size_t unused = ars_rtos_stack_unused(i == T_CTL ? NULL : &tcb[i]);
        say("stack of %-8s: %5lu of %lu bytes never used", task_name[i], (unsigned long)unused,
            (unsigned long)sizeof stacks[i]);
        CHECK(unused > sizeof stacks[i] / 2);
        CHECK(unused < sizeof stacks[i] - 64);
    }
    ars_rtos_stop(failures ? 1 : 0);
}

int main(void) {
    static void (*const fns[NTASKS])(void *) = { adc_task, ctl, producer, consumer, logger, flash };
    static const unsigned prios[NTASKS] = { PRIO_ADC, PRIO_CTL, PRIO_PRODUCER, PRIO_CONSUMER,
                                            PRIO_LOGGER, PRIO_FLASH };
    int i, r;
    CHECK_EQ(ars_rtos_init(), 0);
    ars_rtos_set_overflow_hook(on_overflow);
    ars_rtos_set_trap_hook(on_trap);
    CHECK_EQ(ars_rtos_sem_init(&adc_sem, 0, RING), 0);
    CHECK_EQ(ars_rtos_queue_init(&samples_q, samples_buf, sizeof samples_buf[0], 4), 0);
    CHECK_EQ(ars_rtos_mutex_init(&stats_mx, 0), 0);
    CHECK_EQ(ars_rtos_event_init(&hub_ev, 0), 0);
    for (i = 0; i < NTASKS; i++)
        CHECK_EQ(ars_rtos_task_create(&tcb[i], fns[i], 0, prios[i], stacks[i], sizeof stacks[i]), 0);
    CHECK(!ars_rtos_in_isr());
    r = ars_rtos_start();
    if (r == ARS_EBUSY) fprintf(stderr, "rtos_sync: the kernel stopped: no task can run any more\n");
    if (r || failures || overflows || traps) {
        fprintf(stderr, "rtos_sync: FAILED (%d failed checks)\n", failures);
        return 1;
    }
    puts("rtos_sync: all checks passed");
    return 0;
}
