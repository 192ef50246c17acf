/* bench_rtos_fw.c - firmware measured by bench/bench_rtos.sh: every kernel
   module linked (tasks, semaphores, mutexes, queues, events, timers), then
   two instruction-count windows opened by bench_begin() and closed by
   bench_end(), which the QEMU plugin tests/rtos_icount_plugin.c counts:
     window 0: an empty window (marker overhead)
     window 1: N yields by each of two tasks of one priority (2N switches)
     window 2: N queue sends from a task to a higher-priority receiver that
               waits in receive: each is a full send -> switch -> receive
               returns -> receive blocks again -> switch back round trip
   Built with tests/firmware.sh's board support (board.h). */
#define ARSENAL_RTOS_IMPLEMENTATION
#include "../arsenal_rtos.h"
#include "board.h"

#define N 100

__attribute__((noinline, used)) void bench_begin(void) { __asm volatile(""); }
__attribute__((noinline, used)) void bench_end(void) { __asm volatile(""); }

static ars_rtos_task ta, tb, tr;
static uint32_t sa[256], sb[256], sr[256];
static ars_rtos_sem go;
static ars_rtos_queue q;
static uint32_t qbuf[4];
static volatile uint32_t sink;

static void yield_b(void *arg) {
    int i;
    (void)arg;
    ars_rtos_sem_take(&go, ARS_RTOS_NEVER);
    for (i = 0; i < N; i++) ars_rtos_yield();
}
static void receiver(void *arg) {
    uint32_t v = 0;
    (void)arg;
    for (;;) { ars_rtos_queue_recv(&q, &v, ARS_RTOS_NEVER); sink = v; }
}

/* keeps every module linked, as an application using all of them would */
static ars_rtos_mutex mx;
static ars_rtos_event ev;
static ars_rtos_timer tm;
static void on_timer(ars_rtos_timer *t, void *a) { (void)t; (void)a; ars_rtos_event_set(&ev, 1); }
static void use_everything(void) {
    uint32_t got;
    ars_rtos_mutex_init(&mx, 1);
    ars_rtos_mutex_lock(&mx, ars_rtos_now() + 1);
    ars_rtos_mutex_unlock(&mx);
    ars_rtos_event_init(&ev, 0);
    ars_rtos_timer_init(&tm, on_timer, 0);
    ars_rtos_timer_start(&tm, 1, 0);
    ars_rtos_event_wait(&ev, 1, ARS_RTOS_EV_ANY | ARS_RTOS_EV_CLEAR, &got, ars_rtos_now() + 5);
    ars_rtos_event_clear(&ev, 1);
    ars_rtos_timer_stop(&tm);
    ars_rtos_sem_give(&go); ars_rtos_sem_take(&go, 0);
    ars_rtos_priority_set(0, ars_rtos_priority_get(0));
    ars_rtos_task_suspend(&tr); ars_rtos_task_resume(&tr);
    sink = (uint32_t)ars_rtos_stack_unused(0) + (uint32_t)ars_rtos_task_state(0);
}

static void main_task(void *arg) {
    int i;
    uint32_t v = 0;
    (void)arg;
    use_everything();
    bench_begin(); bench_end();

    ars_rtos_task_create(&tb, yield_b, 0, 2, sb, sizeof sb);
    ars_rtos_delay(1);                          /* start right after a tick */
    ars_rtos_sem_give(&go);
    bench_begin();
    for (i = 0; i < N; i++) ars_rtos_yield();
    bench_end();

    ars_rtos_delay(1);
    bench_begin();
    for (i = 0; i < N; i++) ars_rtos_queue_send(&q, &v, ARS_RTOS_NEVER);
    bench_end();
    board_exit(0);
}

int main(void) {
    ars_rtos_init();
    ars_rtos_sem_init(&go, 0, 1);
    ars_rtos_queue_init(&q, qbuf, sizeof qbuf[0], 4);
    ars_rtos_task_create(&ta, main_task, 0, 2, sa, sizeof sa);
    ars_rtos_task_create(&tr, receiver, 0, 3, sr, sizeof sr);
    return ars_rtos_start();
}
