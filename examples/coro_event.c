/* coro_event.c - building on park/wake: a one-shot event, and a poller hook
   that wakes a coroutine when a pipe has data (POSIX: pipe(2), poll(2))

   Build and run:
       cc -std=c99 -D_DEFAULT_SOURCE -O2 -o coro_event examples/coro_event.c -lpthread && ./coro_event
   ars-build-libs: -lpthread

   What it shows:
   - the park protocol other headers use to block a coroutine:
     ars_park_prepare() arms the running coroutine and returns its waker,
     the waker is published where a waker finds it, ars_park(deadline)
     sleeps until ars_wake(waker, result) (or the deadline: ARS_ETIMEDOUT);
   - a one-shot event made of that and a list on the waiters' stacks:
     several coroutines wait, two with deadlines that pass first; the
     setter wakes the rest at once; a waiter that timed out takes itself off
     the list (a waker must not outlive its coroutine);
   - ars_sched_count(): the coroutines alive on this thread's scheduler;
   - a poller hook (ars_sched_set_poller): when nothing is runnable the
     scheduler calls poll(ctx, deadline) instead of sleeping. This one waits
     in poll(2) on a pipe fed by another thread, reads what arrived and
     wakes the coroutine parked for it with ars_wake; its wake(ctx) writes
     to a self-pipe, which the scheduler calls when another thread wakes one
     of its coroutines while it sleeps; ars_sched_set_poller(NULL) removes it.
   POSIX only (pipes, poll(2), pthreads); the scheduler itself also runs on
   Windows and in firmware.
*/
#define ARSENAL_CORO_IMPLEMENTATION
#include "../arsenal_coro.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t t0;
static int failed;
#define MS() ((int)(ars_now() - t0))

/* ---- part 1: a one-shot event ----------------------------------------- */

/* A waiter lives on its coroutine's stack while it waits. */
typedef struct waiter {
    ars_waker w;
    struct waiter *next, *prev;
} waiter;

typedef struct event {
    int set;
    waiter list;                         /* circular, a sentinel */
} event;

static void event_init(event *e) {
    e->set = 0;
    e->list.next = e->list.prev = &e->list;
}
static void unlink_waiter(waiter *w) {
    w->prev->next = w->next;
    w->next->prev = w->prev;
    w->next = w->prev = w;
}

/* 0 once the event is set; ARS_ETIMEDOUT, ARS_ECANCELED. One thread: no lock
   (an event shared by threads would guard the list with a mutex, and
   publish the waker under it, between ars_park_prepare and ars_park). */
static int event_wait(event *e, int64_t deadline) {
    waiter me;
    int r;
    if (e->set) return 0;
    me.w = ars_park_prepare();           /* 1. arm */
    me.prev = e->list.prev;              /* 2. publish */
    me.next = &e->list;
    me.prev->next = &me;
    e->list.prev = &me;
    r = ars_park(deadline);              /* 3. sleep */
    if (r != 0) unlink_waiter(&me);      /* not woken by the setter: still listed */
    return r;
}

/* Sets the event and wakes every waiter; returns how many were woken. */
static int event_set(event *e) {
    int n = 0;
    e->set = 1;
    while (e->list.next != &e->list) {
        waiter *w = e->list.next;
        unlink_waiter(w);
        if (ars_wake(w->w, 0) == 0) n++;
    }
    return n;
}

static event ready;

typedef struct wait_spec { const char *name; int timeout_ms; int expect; } wait_spec;
static const wait_spec specs[] = {
    { "a", -1, 0 },                      /* no deadline */
    { "b", 400, 0 },                     /* a deadline the setter beats */
    { "c", 40, ARS_ETIMEDOUT },
    { "d", 70, ARS_ETIMEDOUT },
    { "e", -1, 0 },
};

static void event_waiter(void *arg) {
    const wait_spec *s = (const wait_spec *)arg;
    int64_t deadline = s->timeout_ms < 0 ? -1 : ars_now() + s->timeout_ms;
    int r = event_wait(&ready, deadline);
    char dl[32];
    if (s->timeout_ms < 0) snprintf(dl, sizeof dl, "no deadline");
    else snprintf(dl, sizeof dl, "deadline +%d ms", s->timeout_ms);
    printf("  +%3d ms  %s (%s): %s; alive: %lu\n", MS(), s->name, dl,
           r == 0 ? "event set" : ars_strerror(r), (unsigned long)ars_sched_count());
    if (r != s->expect) {
        fprintf(stderr, "%s: got %d, expected %d\n", s->name, r, s->expect);
        failed = 1;
    }
}

static void late_waiter(void *arg) {
    int r = event_wait(&ready, ars_now() + 10);
    (void)arg;
    printf("  +%3d ms  late waiter: %s; alive: %lu\n", MS(),
           r == 0 ? "returned at once, the event was already set" : ars_strerror(r),
           (unsigned long)ars_sched_count());
    if (r != 0) failed = 1;
}

static void setter(void *arg) {
    int n;
    (void)arg;
    ars_sleep_until(ars_now() + 100);
    n = event_set(&ready);
    printf("  +%3d ms  setter: event set, %d waiters woken; alive: %lu\n", MS(), n,
           (unsigned long)ars_sched_count());
    if (n != 3) failed = 1;
    ars_go(late_waiter, NULL);
}

/* ---- part 2: a poller on a pipe --------------------------------------- */

typedef struct pipe_poller {
    int data_rd;                         /* the helper thread writes the other end; -1 at EOF */
    int wake_rd, wake_wr;                /* self-pipe for wake() */
    char buf[64];
    size_t have;                         /* bytes read, not yet taken by the reader */
    int eof;
    ars_waker reader;                    /* the coroutine parked for data */
    int reader_parked;
    int polls, waits;                    /* scheduler thread only */
    int wakes;                           /* other threads; read after the join */
} pipe_poller;

/* The scheduler calls this when it has nothing to run (deadline: its next
   timer, -1 none) and between rounds with deadline 0. */
static int pp_poll(void *ctx, int64_t deadline) {
    pipe_poller *pp = (pipe_poller *)ctx;
    struct pollfd fds[2];
    int timeout, n;
    int64_t now = ars_now();
    timeout = deadline < 0 ? -1 : deadline <= now ? 0 : (int)(deadline - now);
    fds[0].fd = pp->have < sizeof pp->buf ? pp->data_rd : -1;   /* -1: ignored by poll */
    fds[0].events = POLLIN;
    fds[1].fd = pp->wake_rd;
    fds[1].events = POLLIN;
    fds[0].revents = fds[1].revents = 0;
    pp->polls++;
    if (timeout != 0) pp->waits++;
    n = poll(fds, 2, timeout);
    if (n <= 0) return 0;                /* the deadline, or EINTR */
    if (fds[1].revents) {                /* a wake(): only to end the wait */
        char junk[16];
        while (read(pp->wake_rd, junk, sizeof junk) > 0) {}
    }
    if (fds[0].revents & (POLLIN | POLLHUP)) {
        ssize_t r = read(pp->data_rd, pp->buf + pp->have, sizeof pp->buf - pp->have);
        if (r > 0) pp->have += (size_t)r;
        else if (r == 0) { pp->eof = 1; close(pp->data_rd); pp->data_rd = -1; }
        if ((r >= 0 || errno != EAGAIN) && pp->reader_parked) {
            pp->reader_parked = 0;
            ars_wake(pp->reader, 0);     /* the reader runs once this returns */
        }
    }
    return 0;
}

/* Called from another thread (through its ars_wake) while the scheduler
   sleeps in pp_poll: make that poll(2) return. */
static void pp_wake(void *ctx) {
    pipe_poller *pp = (pipe_poller *)ctx;
    ssize_t r = write(pp->wake_wr, "w", 1);
    (void)r;                             /* full pipe: a wake is pending anyway */
    pp->wakes++;
}

static pipe_poller pp;
static int data_wr;
static pthread_mutex_t handoff_mu = PTHREAD_MUTEX_INITIALIZER;
static ars_waker handoff;                /* the joiner's waker, under handoff_mu */
static int handoff_ready;

static void reader(void *arg) {
    size_t total = 0;
    (void)arg;
    for (;;) {
        int r;
        if (pp.have) {
            printf("  +%3d ms  reader: \"%.*s\"\n", MS(), (int)pp.have, pp.buf);
            total += pp.have;
            pp.have = 0;
            continue;
        }
        if (pp.eof) break;
        pp.reader = ars_park_prepare();
        pp.reader_parked = 1;
        r = ars_park(ars_now() + 1000);
        pp.reader_parked = 0;
        if (r) { fprintf(stderr, "reader: %s\n", ars_strerror(r)); failed = 1; return; }
    }
    printf("  +%3d ms  reader: end of stream, %lu bytes; alive: %lu\n", MS(),
           (unsigned long)total, (unsigned long)ars_sched_count());
    if (total != 20) failed = 1;
}

/* parks until the helper thread wakes it, across threads */
static void joiner(void *arg) {
    int r;
    (void)arg;
    pthread_mutex_lock(&handoff_mu);
    handoff = ars_park_prepare();
    handoff_ready = 1;
    pthread_mutex_unlock(&handoff_mu);
    r = ars_park(ars_now() + 2000);
    pthread_mutex_lock(&handoff_mu);     /* withdraw the waker before it goes stale */
    handoff_ready = 0;
    pthread_mutex_unlock(&handoff_mu);
    printf("  +%3d ms  joiner: woken from the helper thread with %d; alive: %lu\n", MS(), r,
           (unsigned long)ars_sched_count());
    if (r != 42) failed = 1;
}

static void sleep_ms(int ms) {
    struct timespec ts;
    ts.tv_sec = 0;
    ts.tv_nsec = (long)ms * 1000000L;
    nanosleep(&ts, NULL);
}

static void *helper(void *arg) {
    static const char *chunks[] = { "tick1", "tick2", "tick3", "tick4" };
    int i, woke = -1;
    (void)arg;
    for (i = 0; i < 4; i++) {
        sleep_ms(50);
        if (write(data_wr, chunks[i], 5) != 5) { failed = 1; break; }
    }
    close(data_wr);                      /* EOF for the reader */
    sleep_ms(30);                        /* the scheduler is asleep in poll(2) by now */
    for (i = 0; i < 1000 && woke < 0; i++) {
        pthread_mutex_lock(&handoff_mu);
        if (handoff_ready) { woke = ars_wake(handoff, 42); handoff_ready = 0; }
        pthread_mutex_unlock(&handoff_mu);
        if (woke < 0) sleep_ms(1);
    }
    if (woke != 0) failed = 1;
    return NULL;
}

static int set_nonblock(int fd) {
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int main(void) {
    size_t i;
    int data[2], wake[2];
    ars_poller poller;
    pthread_t th;

    t0 = ars_now();
    printf("== a one-shot event: five waiters, two with deadlines that pass first\n");
    event_init(&ready);
    for (i = 0; i < sizeof specs / sizeof specs[0]; i++)
        if (ars_go(event_waiter, (void *)&specs[i])) return 1;
    if (ars_go(setter, NULL)) return 1;
    printf("  spawned: alive: %lu\n", (unsigned long)ars_sched_count());
    ars_sched_run();
    printf("  after ars_sched_run: alive: %lu\n", (unsigned long)ars_sched_count());
    if (failed) { fprintf(stderr, "the event did not behave as expected\n"); return 1; }

    printf("\n== a poller hook: poll(2) on a pipe fed by another thread\n");
    if (pipe(data) || pipe(wake)) { perror("pipe"); return 1; }
    if (set_nonblock(data[0]) || set_nonblock(wake[0]) || set_nonblock(wake[1])) {
        perror("fcntl");
        return 1;
    }
    memset(&pp, 0, sizeof pp);
    pp.data_rd = data[0];
    pp.wake_rd = wake[0];
    pp.wake_wr = wake[1];
    data_wr = data[1];
    poller.poll = pp_poll;
    poller.wake = pp_wake;
    poller.ctx = &pp;
    ars_sched_set_poller(&poller);       /* per thread; kept across ars_sched_run calls */

    t0 = ars_now();
    if (ars_go(reader, NULL) || ars_go(joiner, NULL)) return 1;
    if (pthread_create(&th, NULL, helper, NULL)) { fprintf(stderr, "pthread_create failed\n"); return 1; }
    ars_sched_run();
    pthread_join(th, NULL);
    ars_sched_set_poller(NULL);          /* back to the scheduler's own sleep */
    printf("  poller: %d calls, %d of them waited; wake() called %d time(s)\n",
           pp.polls, pp.waits, pp.wakes);
    close(wake[0]);
    close(wake[1]);
    if (pp.data_rd >= 0) close(pp.data_rd);
    ars_coro_cache_trim();
    if (failed) { fprintf(stderr, "the poller did not behave as expected\n"); return 1; }
    return 0;
}
