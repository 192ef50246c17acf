/* chan_select_send.c - sending with ars_select: a dispatcher offers each job
   to whichever of two workers' inboxes has room, and drops it when both are
   full (arsenal_chan.h)
   ars-build-libs: -lpthread

   Build and run (from the repository root):
       cc -std=c99 -O2 -D_DEFAULT_SOURCE -o chan_select_send examples/chan_select_send.c -lpthread
       ./chan_select_send

   The inboxes live in static memory: ars_chan_init over a buffer of
   ARS_CHAN_BUFFER_SIZE(elem_size, cap) bytes (aligned like size_t: an array
   of size_t), no allocation. Each job goes
   out through a select of two ARS_SEND_CASEs with deadline 0 (Go's
   `select { case a <- j: case b <- j: default: }`). The end markers are
   literals, sent with ARS_CHAN_SEND, which blocks until a worker makes room.
*/
#define ARSENAL_CORO_IMPLEMENTATION
#define ARSENAL_CHAN_IMPLEMENTATION
#include "../arsenal_chan.h"
#include <stdio.h>

#define CAP 3
#define JOBS 12

static size_t buf_a[ARS_CHAN_BUFFER_SIZE(sizeof(int), CAP) / sizeof(size_t)];
static size_t buf_b[ARS_CHAN_BUFFER_SIZE(sizeof(int), CAP) / sizeof(size_t)];
static ars_chan inbox[2];
static int sent[2], dropped, done[2];

static void worker(void *arg) {
    int me = (int)(intptr_t)arg, job;
    while (ars_chan_recv(&inbox[me], &job, -1) == 0 && job >= 0) {
        done[me]++;
        ars_sleep_until(ars_now() + 1);         /* the work */
    }
}

static void dispatcher(void *arg) {
    int job, r;
    (void)arg;
    for (job = 1; job <= JOBS; job++) {
        ars_select_case cs[2] = { ARS_SEND_CASE(&inbox[0], &job), ARS_SEND_CASE(&inbox[1], &job) };
        r = ars_select(cs, 2, 0);
        if (r == 0 || r == 1) sent[r]++;
        else if (r == ARS_EAGAIN) { dropped++; printf("job %d dropped: both inboxes full\n", job); }
        else { printf("select: %s\n", ars_strerror(r)); return; }
        if (job == 9) ars_sleep_until(ars_now() + 20);   /* a pause: the workers catch up */
    }
    ARS_CHAN_SEND(&inbox[0], int, -1);          /* end markers */
    ARS_CHAN_SEND(&inbox[1], int, -1);
}

int main(void) {
    if (ars_chan_init(&inbox[0], sizeof(int), CAP, buf_a, sizeof buf_a) ||
        ars_chan_init(&inbox[1], sizeof(int), CAP, buf_b, sizeof buf_b))
        return 1;
    ars_go(worker, (void *)(intptr_t)0);
    ars_go(worker, (void *)(intptr_t)1);
    ars_go(dispatcher, NULL);
    ars_sched_run();
    printf("sent %d + %d, dropped %d; workers did %d + %d\n", sent[0], sent[1], dropped, done[0], done[1]);
    ars_chan_deinit(&inbox[0]);
    ars_chan_deinit(&inbox[1]);
    return sent[0] + sent[1] + dropped == JOBS && done[0] == sent[0] && done[1] == sent[1] ? 0 : 1;
}
