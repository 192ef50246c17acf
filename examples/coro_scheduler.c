/* coro_scheduler.c - several coroutines on one thread: deadlines, yields, cancel

   Build and run (this is the project's demo: `make demo`):
       cc -O2 -o coro_scheduler examples/coro_scheduler.c -lpthread && ./coro_scheduler
   ars-build-libs: -lpthread

   What it shows, on a timeline in milliseconds since the start (about 1 s):
   - ticker   wakes at absolute deadlines start+200, +400, ... +1000 ms with
              ars_sleep_until; absolute deadlines do not drift, however long
              the other coroutines kept the thread;
   - crunch   a long computation (counting primes for 600 ms) that calls
              ars_sched_yield every 10000 numbers, so the timers still fire
              on time while it runs;
   - poller   checks every 150 ms until crunch reports a result, then stops;
   - sleeper  asks to sleep for 10 s; the ticker cancels it at its last tick
              and its ars_sleep_until returns ARS_ECANCELED;
   - main     spawns them with ars_go / ars_go_opts and ars_sched_run returns
              when every one has finished.
   One OS thread runs all of it; nothing here locks.
*/
#define ARSENAL_CORO_IMPLEMENTATION
#include "../arsenal_coro.h"
#include <stdarg.h>
#include <stdio.h>

static int64_t t0;              /* ars_now() at the start */
static ars_coro *sleeper_co;    /* for ars_cancel */
static long primes_found = -1;  /* crunch's result, -1 while it runs */

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void say(const char *who, const char *fmt, ...) {
    va_list ap;
    printf("[%5d ms] %-8s ", (int)(ars_now() - t0), who);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

static void ticker(void *arg) {
    int i;
    (void)arg;
    for (i = 1; i <= 5; i++) {
        ars_sleep_until(t0 + 200 * i);          /* absolute: no drift */
        say("ticker", "tick %d (due at %d ms)", i, 200 * i);
    }
    say("ticker", "cancelling sleeper");
    ars_cancel(sleeper_co);
}

static int is_prime(long n) {
    long d;
    if (n < 2) return 0;
    for (d = 2; d * d <= n; d++)
        if (n % d == 0) return 0;
    return 1;
}

/* works until its time budget runs out, so the demo lasts ~1 s on any machine */
static void crunch(void *arg) {
    int64_t budget_end = t0 + (int64_t)(intptr_t)arg;
    long n, count = 0, yields = 0;
    say("crunch", "counting primes for %d ms, yielding every 10000 numbers", (int)(intptr_t)arg);
    for (n = 0; ; n++) {
        count += is_prime(n);
        if (n % 10000 == 9999) {
            if (n % 500000 == 499999) say("crunch", "%ld numbers checked, %ld primes so far", n + 1, count);
            if (ars_now() >= budget_end) break;
            yields++;
            ars_sched_yield();                  /* let the others run */
        }
    }
    primes_found = count;
    say("crunch", "time is up: %ld primes below %ld (%ld yields)", count, n + 1, yields);
}

static void poller(void *arg) {
    int64_t next = t0;
    (void)arg;
    while (primes_found < 0) {
        next += 150;
        ars_sleep_until(next);
        if (primes_found < 0) say("poller", "crunch still busy");
        else say("poller", "crunch has finished: %ld primes", primes_found);
    }
}

static void sleeper(void *arg) {
    int r;
    (void)arg;
    say("sleeper", "going to sleep for 10 s");
    r = ars_sleep_until(ars_now() + 10000);
    say("sleeper", "ars_sleep_until returned: %s", r ? ars_strerror(r) : "slept the whole 10 s");
}

int main(void) {
    int r;
    t0 = ars_now();
    say("main", "spawning ticker, crunch, poller, sleeper");
    r = ars_go(ticker, NULL);
    if (!r) r = ars_go(crunch, (void *)(intptr_t)600);
    if (!r) r = ars_go(poller, NULL);
    if (!r) r = ars_go_opts(sleeper, NULL, NULL, &sleeper_co);
    if (r) { fprintf(stderr, "spawn: %s\n", ars_strerror(r)); return 1; }
    r = ars_sched_run();
    say("main", "ars_sched_run returned %d: every coroutine has finished", r);
    ars_coro_cache_trim();
    return r ? 1 : 0;
}
