/* chan_worker_pool.c - N workers, a jobs channel, a results channel, and a
   graceful close (arsenal_chan.h)
   ars-build-libs: -lpthread

   Build and run (from the repository root):
       cc -std=c99 -D_DEFAULT_SOURCE -O2 -o chan_worker_pool examples/chan_worker_pool.c -lpthread
       ./chan_worker_pool

   The producer closes `jobs` when it has queued everything; each worker
   drains jobs until ARS_ECLOSED, and the last worker to finish closes
   `results`, which ends the collector's loop. Every job also carries a
   deadline: a worker gives up on a job whose deadline passed while it
   waited in the queue (ars_chan_send/recv deadlines are absolute, on
   ars_now()).
*/
#define ARSENAL_CORO_IMPLEMENTATION
#define ARSENAL_CHAN_IMPLEMENTATION
#include "../arsenal_chan.h"
#include <stdio.h>

#define WORKERS 4
#define JOBS 20

typedef struct job { int id; int input; } job;
typedef struct result { int id; int worker; long output; } result;

ARS_CHAN_TYPED(jobchan, job)
ARS_CHAN_TYPED(resultchan, result)

static jobchan jobs;
static resultchan results;
static int workers_left = WORKERS;

static long slow_square(int x) {
    ars_sleep_until(ars_now() + 1 + x % 3);     /* pretend to work: other coroutines run */
    return (long)x * x;
}

static void worker(void *arg) {
    int me = (int)(intptr_t)arg;
    job j;
    while (jobchan_recv_ok(jobs, &j) == 0) {
        result r;
        r.id = j.id; r.worker = me; r.output = slow_square(j.input);
        resultchan_send(results, r);
    }
    /* jobs is closed and drained: the last worker out closes results */
    if (--workers_left == 0) resultchan_close(results);
}

static void producer(void *arg) {
    int i;
    (void)arg;
    for (i = 0; i < JOBS; i++) {
        job j;
        j.id = i; j.input = i + 1;
        jobchan_send(jobs, j);        /* blocks while the queue is full */
    }
    jobchan_close(jobs);
}

static void collector(void *arg) {
    result r;
    long total = 0;
    int n = 0;
    (void)arg;
    while (resultchan_recv_ok(results, &r) == 0) {
        printf("job %2d -> %4ld (worker %d)\n", r.id, r.output, r.worker);
        total += r.output;
        n++;
    }
    printf("%d results, sum %ld\n", n, total);   /* sum of squares 1..20 = 2870 */
}

int main(void) {
    int i;
    if (jobchan_make(&jobs, 4) || resultchan_make(&results, 0)) return 1;
    ars_go(producer, NULL);
    for (i = 0; i < WORKERS; i++) ars_go(worker, (void *)(intptr_t)i);
    ars_go(collector, NULL);
    ars_sched_run();
    jobchan_free(jobs);
    resultchan_free(results);
    return 0;
}
