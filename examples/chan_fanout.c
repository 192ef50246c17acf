/* chan_fanout.c - one broadcaster, many listeners, with ars_select
   (arsenal_chan.h)
   ars-build-libs: -lpthread

   Build and run (from the repository root):
       cc -std=c99 -D_DEFAULT_SOURCE -O2 -o chan_fanout examples/chan_fanout.c -lpthread
       ./chan_fanout

   Every listener has its own small buffered channel. The broadcaster sends
   each message to every listener with a non-blocking send (deadline 0): a
   listener that is too slow misses messages instead of stalling everybody.
   Listeners wait with ars_select on their message channel and on a shared
   `quit` channel; closing `quit` stops all of them at once, because a closed
   channel is always ready in a select.
*/
#define ARSENAL_CORO_IMPLEMENTATION
#define ARSENAL_CHAN_IMPLEMENTATION
#include "../arsenal_chan.h"
#include <stdio.h>

#define LISTENERS 4
#define MESSAGES 10

static ars_chan *inbox[LISTENERS];
static ars_chan *quit;

static void listener(void *arg) {
    int me = (int)(intptr_t)arg, msg = 0, got = 0;
    char dummy;
    for (;;) {
        ars_select_case cs[2] = { ARS_RECV_CASE(NULL, &msg), ARS_RECV_CASE(NULL, &dummy) };
        int r;
        cs[0].ch = inbox[me];
        cs[1].ch = quit;
        r = ars_select(cs, 2, -1);              /* select { case msg = <-inbox: case <-quit: } */
        if (r == 1) break;                      /* quit closed */
        got++;
        if (me == LISTENERS - 1) ars_sleep_until(ars_now() + 3);   /* a slow one */
    }
    printf("listener %d received %d of %d messages\n", me, got, MESSAGES);
}

static void broadcaster(void *arg) {
    int m, i, dropped = 0;
    (void)arg;
    for (m = 0; m < MESSAGES; m++) {
        for (i = 0; i < LISTENERS; i++)
            if (ars_chan_send(inbox[i], &m, 0) == ARS_EAGAIN) dropped++;   /* never blocks */
        ars_sleep_until(ars_now() + 1);
    }
    ars_sleep_until(ars_now() + 50);            /* let the listeners drain */
    printf("broadcaster: %d sends dropped for slow listeners\n", dropped);
    ars_chan_close(quit);                       /* wakes every listener */
}

int main(void) {
    int i;
    for (i = 0; i < LISTENERS; i++)
        if (ars_chan_create(&inbox[i], sizeof(int), 2, NULL)) return 1;
    if (ars_chan_create(&quit, 1, 0, NULL)) return 1;
    for (i = 0; i < LISTENERS; i++) ars_go(listener, (void *)(intptr_t)i);
    ars_go(broadcaster, NULL);
    ars_sched_run();
    for (i = 0; i < LISTENERS; i++) ars_chan_destroy(inbox[i]);
    ars_chan_destroy(quit);
    return 0;
}
