/* chan_threads.c - two OS threads, each running its own scheduler, talking
   through channels (arsenal_chan.h)
   ars-build-libs: -lpthread

   Build and run (from the repository root, POSIX threads):
       cc -std=c99 -D_DEFAULT_SOURCE -O2 -o chan_threads examples/chan_threads.c -lpthread
       ./chan_threads

   Thread A runs a few "client" coroutines; thread B runs "server"
   coroutines. Requests go A -> B over one channel, each carrying a pointer to
   a reply channel that lives on the client's stack (ars_chan_init over
   caller memory, no allocation). A send on thread A wakes a coroutine
   parked on thread B and the other way round; each thread sleeps in its
   scheduler while it has nothing to run. Then two plain threads (no
   scheduler) serve jobs from main through channels: outside every
   coroutine a blocking channel call blocks the thread itself. The
   lock-free MPMC queue at the end needs no coroutines at all.
*/
#define ARSENAL_CORO_IMPLEMENTATION
#define ARSENAL_CHAN_IMPLEMENTATION
#include "../arsenal_chan.h"
#include <pthread.h>
#include <stdio.h>

#define CLIENTS 3
#define SERVERS 2
#define CALLS 5

typedef struct request { int client, arg; ars_chan *reply; } request;

static ars_chan *requests;                 /* request, cap 4, shared by both threads */

static void client(void *arg) {
    int me = (int)(intptr_t)arg, i;
    ars_chan reply;                        /* an unbuffered channel on this stack */
    ars_chan_init(&reply, sizeof(int), 0, NULL, 0);
    for (i = 0; i < CALLS; i++) {
        request rq;
        int answer;
        rq.client = me; rq.arg = me * 100 + i; rq.reply = &reply;
        ars_chan_send(requests, &rq, -1);
        if (ars_chan_recv(&reply, &answer, ars_now() + 1000) == 0)
            printf("client %d: f(%d) = %d\n", me, rq.arg, answer);
    }
    ars_chan_deinit(&reply);
}

static void server(void *arg) {
    request rq;
    (void)arg;
    while (ars_chan_recv(requests, &rq, -1) == 0) {     /* until closed */
        int answer = rq.arg * 2;
        ars_chan_send(rq.reply, &answer, -1);           /* wakes the client on thread A */
    }
}

static void *thread_a(void *arg) {
    int i;
    (void)arg;
    for (i = 0; i < CLIENTS; i++) ars_go(client, (void *)(intptr_t)i);
    ars_sched_run();                      /* returns when the clients are done */
    ars_chan_close(requests);             /* lets the servers on thread B finish */
    ars_coro_cache_trim();
    return NULL;
}

static void *thread_b(void *arg) {
    int i;
    (void)arg;
    for (i = 0; i < SERVERS; i++) ars_go(server, (void *)(intptr_t)i);
    ars_sched_run();
    ars_coro_cache_trim();
    return NULL;
}

/* plain threads and channels: a blocking call waits in the thread */
static ars_chan *jobs, *results;
static void *plain_worker(void *arg) {
    int job;
    (void)arg;
    while (ars_chan_recv(jobs, &job, -1) == 0) {   /* until closed and drained */
        int sq = job * job;
        ars_chan_send(results, &sq, -1);
    }
    return NULL;
}

/* plain threads and the MPMC queue: no scheduler involved */
static ars_mpmc *q;
static void *queue_producer(void *arg) {
    long i;
    (void)arg;
    for (i = 1; i <= 100000; i++) while (ars_mpmc_push(q, &i) != 0) {}
    return NULL;
}

int main(void) {
    pthread_t a, b;
    long v, n;
    long long sum = 0;
    if (ars_chan_create(&requests, sizeof(request), 4, NULL)) return 1;
    pthread_create(&a, NULL, thread_a, NULL);
    pthread_create(&b, NULL, thread_b, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    ars_chan_destroy(requests);

    {
        pthread_t w[2];
        int i, r, total = 0;
        if (ars_chan_create(&jobs, sizeof(int), 0, NULL) || ars_chan_create(&results, sizeof(int), 10, NULL)) return 1;
        for (i = 0; i < 2; i++) pthread_create(&w[i], NULL, plain_worker, NULL);
        for (i = 1; i <= 10; i++) ars_chan_send(jobs, &i, -1);   /* main is no coroutine either */
        for (i = 0; i < 10; i++) if (ars_chan_recv(results, &r, ars_now() + 5000) == 0) total += r;
        ars_chan_close(jobs);
        for (i = 0; i < 2; i++) pthread_join(w[i], NULL);
        printf("plain threads: sum of squares 1..10 = %d\n", total);   /* 385 */
        ars_chan_destroy(jobs);
        ars_chan_destroy(results);
        if (total != 385) return 1;
    }

    if (ars_mpmc_create(&q, sizeof(long), 256, NULL)) return 1;
    pthread_create(&a, NULL, queue_producer, NULL);
    for (n = 0; n < 100000; ) if (ars_mpmc_pop(q, &v) == 0) { sum += v; n++; }
    pthread_join(a, NULL);
    ars_mpmc_destroy(q);
    printf("mpmc: %ld items, sum %lld\n", n, sum);   /* 5000050000 */
    return sum == 5000050000LL ? 0 : 1;
}
