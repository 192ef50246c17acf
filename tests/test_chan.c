/* test_chan.c - tests for arsenal_chan.h
   ars-test-libs: -lpthread
   ars-test-legs: native asan tsan valgrind musl cross wine firmware
*/
#if defined(ARS_TEST_FREESTANDING)
#include "board.h"
#define ARSENAL_CORO_NOW_MS() ((int64_t)board_millis())
#endif
#if defined(ARS_TEST_FREESTANDING)
/* no heap in firmware: select keeps the state of up to 16 cases in its
   frame, and returns ARS_ENOMEM for more */
#define ARSENAL_CHAN_SELECT_STACK 16
#else
/* the heap, with a switch that makes it fail (a select's block for many
   cases) */
#include <stdlib.h>
static int fail_malloc;
static void *test_malloc(size_t n) { return fail_malloc ? NULL : malloc(n); }
#define ARSENAL_MALLOC(n) test_malloc(n)
#define ARSENAL_FREE(p) free(p)
#endif
#define ARSENAL_CORO_IMPLEMENTATION
#define ARSENAL_CHAN_IMPLEMENTATION
#include "../arsenal_chan.h"
#include "ars_test.h"

#if !defined(ARS_TEST_FREESTANDING)
#include <string.h>
#if defined(_WIN32)
#include <windows.h>
#else
#include <pthread.h>
#include <sched.h>
#endif
#define HAVE_THREADS 1
#endif


#ifdef ARS_TEST_QUICK
#define SCALE(full, quick) (quick)
#define SLACK_MS 400
#else
#define SCALE(full, quick) (full)
#define SLACK_MS 60
#endif

/* ---- spawning: firmware has no mmap, coroutines run on static stacks ---- */
#define FW_STACKS 10
#define FW_STACK_SIZE 6144
static unsigned char fw_stacks[FW_STACKS][FW_STACK_SIZE] __attribute__((aligned(16)));
static int fw_next;
static int go(void (*fn)(void *), void *arg, ars_coro **out) {
#ifdef ARS_TEST_FREESTANDING
    ars_coro_opts o;
    memset(&o, 0, sizeof o);
    o.stack = fw_stacks[fw_next++ % FW_STACKS];
    o.stack_size = FW_STACK_SIZE;
    return ars_go_opts(fn, arg, &o, out);
#else
    (void)fw_stacks; (void)fw_next;
    return ars_go_opts(fn, arg, NULL, out);
#endif
}
static void run(void) { fw_next = 0; EXPECT_EQ(ars_sched_run(), 0); }

/* ---- channels from caller memory (what firmware does) ---- */
static ars_chan chans[16];
static unsigned char arena[16384] __attribute__((aligned(16)));
static size_t arena_used;
static int nchans;
static void reset_chans(void) { arena_used = 0; nchans = 0; }
static ars_chan *mk(size_t es, size_t cap) {
    ars_chan *c = &chans[nchans++];
    size_t bs = ARS_CHAN_BUFFER_SIZE(es, cap);
    void *buf = bs ? arena + arena_used : NULL;
    arena_used += (bs + 15) & ~(size_t)15;
    if (nchans > 16 || arena_used > sizeof arena) return NULL;
    return ars_chan_init(c, es, cap, buf, bs) == 0 ? c : NULL;
}

/* ---- rendezvous: a send completes only when a receiver takes it ---- */
static int events[16], nevents;
static ars_chan *g_ch, *g_ch2, *g_ch3;
static void rv_sender(void *arg) {
    int v = 7;
    (void)arg;
    events[nevents++] = 1;                     /* before send */
    EXPECT_EQ(ars_chan_send(g_ch, &v, -1), 0);
    events[nevents++] = 3;                     /* after the receiver took it */
}
static void rv_receiver(void *arg) {
    int v = 0;
    (void)arg;
    ars_sched_yield(); ars_sched_yield();      /* the sender is parked by now */
    events[nevents++] = 2;
    EXPECT_EQ(ars_chan_recv(g_ch, &v, -1), 0);
    EXPECT_EQ(v, 7);
}
static void test_rendezvous(void) {
    int v = 1;
    reset_chans();
    g_ch = mk(sizeof(int), 0);
    ASSERT(g_ch);
    EXPECT_EQ(ars_chan_cap(g_ch), 0);
    EXPECT_EQ(ars_chan_try_send(g_ch, &v), ARS_EAGAIN);   /* nobody receives */
    EXPECT_EQ(ars_chan_try_recv(g_ch, &v), ARS_EAGAIN);
#if defined(ARS_TEST_FREESTANDING)
    EXPECT_EQ(ars_chan_send(g_ch, &v, -1), ARS_ESTATE);   /* no coroutine, no threads */
#else
    {   /* outside a coroutine the thread itself waits, here until its deadline */
        int64_t t0 = ars_now();
        EXPECT_EQ(ars_chan_send(g_ch, &v, t0 + 20), ARS_ETIMEDOUT);
        EXPECT(ars_now() - t0 >= 19);
    }
#endif
    nevents = 0;
    go(rv_sender, NULL, NULL);
    go(rv_receiver, NULL, NULL);
    run();
    EXPECT_EQ(nevents, 3);
    EXPECT_EQ(events[0], 1); EXPECT_EQ(events[1], 2); EXPECT_EQ(events[2], 3);
    EXPECT_EQ(ars_chan_len(g_ch), 0);
    ars_chan_deinit(g_ch);
}

/* ---- buffered FIFO, len/cap, try_ ---- */
static void test_buffered(void) {
    int i, v;
    ars_chan *c;
    reset_chans();
    c = mk(sizeof(int), 4);
    ASSERT(c);
    EXPECT_EQ(ars_chan_cap(c), 4);
    for (i = 0; i < 4; i++) EXPECT_EQ(ars_chan_try_send(c, &i), 0);
    EXPECT_EQ(ars_chan_try_send(c, &i), ARS_EAGAIN);
    EXPECT_EQ(ars_chan_len(c), 4);
    for (i = 0; i < 2; i++) { EXPECT_EQ(ars_chan_try_recv(c, &v), 0); EXPECT_EQ(v, i); }
    for (i = 4; i < 6; i++) EXPECT_EQ(ars_chan_try_send(c, &i), 0);   /* wraps */
    for (i = 2; i < 6; i++) { EXPECT_EQ(ars_chan_try_recv(c, &v), 0); EXPECT_EQ(v, i); }
    EXPECT_EQ(ars_chan_try_recv(c, &v), ARS_EAGAIN);
    EXPECT_EQ(ars_chan_len(c), 0);
    EXPECT_EQ(ars_chan_send(c, NULL, 0), ARS_EINVAL);
    EXPECT_EQ(ars_chan_init(c, 4, 4, NULL, 0), ARS_EINVAL);
    ars_chan_deinit(c);
    /* zero-size elements: a counting signal channel */
    EXPECT_EQ(ars_chan_init(c, 0, 2, NULL, 0), 0);
    EXPECT_EQ(ars_chan_try_send(c, NULL), 0);
    EXPECT_EQ(ars_chan_try_send(c, NULL), 0);
    EXPECT_EQ(ars_chan_try_send(c, NULL), ARS_EAGAIN);
    EXPECT_EQ(ars_chan_len(c), 2);
    EXPECT_EQ(ars_chan_try_recv(c, NULL), 0);
    EXPECT_EQ(ars_chan_len(c), 1);
    ars_chan_deinit(c);
}

/* ---- close: receivers drain the buffer, then ARS_ECLOSED; senders and a
   second close get ARS_ECLOSED ---- */
static void test_close_drain(void) {
    int i, v = 0;
    ars_chan *c;
    reset_chans();
    c = mk(sizeof(int), 8);
    ASSERT(c);
    for (i = 0; i < 3; i++) EXPECT_EQ(ars_chan_try_send(c, &i), 0);
    EXPECT_EQ(ars_chan_closed(c), 0);
    EXPECT_EQ(ars_chan_close(c), 0);
    EXPECT_EQ(ars_chan_closed(c), 1);
    EXPECT_EQ(ars_chan_close(c), ARS_ECLOSED);
    EXPECT_EQ(ars_chan_try_send(c, &i), ARS_ECLOSED);
    EXPECT_EQ(ars_chan_send(c, &i, -1), ARS_ECLOSED);
    for (i = 0; i < 3; i++) { EXPECT_EQ(ars_chan_try_recv(c, &v), 0); EXPECT_EQ(v, i); }
    v = 99;
    EXPECT_EQ(ars_chan_try_recv(c, &v), ARS_ECLOSED);
    EXPECT_EQ(ars_chan_recv(c, &v, -1), ARS_ECLOSED);    /* never blocks */
    EXPECT_EQ(v, 99);                                       /* untouched */
    ars_chan_deinit(c);
}

/* close wakes parked receivers (empty) and parked senders (full) */
static int close_results[8], nclose;
static void parked_recv(void *arg) { int v; (void)arg; close_results[nclose++] = ars_chan_recv(g_ch, &v, -1); }
static void parked_send(void *arg) { int v = 5; (void)arg; close_results[nclose++] = ars_chan_send(g_ch2, &v, -1); }
static void closer(void *arg) {
    (void)arg;
    ars_sched_yield(); ars_sched_yield();
    EXPECT_EQ(ars_chan_close(g_ch), 0);
    EXPECT_EQ(ars_chan_close(g_ch2), 0);
}
static void test_close_wakes(void) {
    int i, v = 1;
    reset_chans();
    g_ch = mk(sizeof(int), 0);
    g_ch2 = mk(sizeof(int), 1);
    ASSERT(g_ch && g_ch2);
    EXPECT_EQ(ars_chan_try_send(g_ch2, &v), 0);   /* full */
    nclose = 0;
    for (i = 0; i < 3; i++) go(parked_recv, NULL, NULL);
    for (i = 0; i < 2; i++) go(parked_send, NULL, NULL);
    go(closer, NULL, NULL);
    run();
    EXPECT_EQ(nclose, 5);
    for (i = 0; i < nclose; i++) EXPECT_EQ(close_results[i], ARS_ECLOSED);
    EXPECT_EQ(ars_chan_len(g_ch2), 1);               /* the buffered one stays */
    EXPECT_EQ(ars_chan_try_recv(g_ch2, &v), 0);
    EXPECT_EQ(ars_chan_try_recv(g_ch2, &v), ARS_ECLOSED);
}

/* destroy wakes parked peers; nothing leaks (ASan/Valgrind legs) */
static void destroyer(void *arg) {
    (void)arg;
    ars_sched_yield(); ars_sched_yield();
#if defined(ARS_TEST_FREESTANDING)
    EXPECT_EQ(ars_chan_deinit(g_ch), 0);
#else
    EXPECT_EQ(ars_chan_destroy(g_ch), 0);
#endif
}
static void test_destroy_wakes(void) {
    int i;
    reset_chans();
#if defined(ARS_TEST_FREESTANDING)
    g_ch = mk(sizeof(int), 0);
#else
    ASSERT_EQ(ars_chan_create(&g_ch, sizeof(int), 0, NULL), 0);
#endif
    ASSERT(g_ch);
    nclose = 0;
    for (i = 0; i < 3; i++) go(parked_recv, NULL, NULL);
    go(destroyer, NULL, NULL);
    run();
    EXPECT_EQ(nclose, 3);
    for (i = 0; i < nclose; i++) EXPECT_EQ(close_results[i], ARS_ECLOSED);
}

/* ---- select ---- */
static void test_select_ready(void) {
    int a = 1, b = 2, x = 0, y = 0, r;
    ars_chan *c0, *c1, *c2;
    ars_select_case cs[3];
    reset_chans();
    c0 = mk(sizeof(int), 1); c1 = mk(sizeof(int), 1); c2 = mk(sizeof(int), 0);
    ASSERT(c0 && c1 && c2);
    {   /* nothing ready: deadline 0 is Go's default */
        ars_select_case k[3] = { ARS_RECV_CASE(c0, &x), ARS_RECV_CASE(c1, &y), ARS_SEND_CASE(c2, &a) };
        memcpy(cs, k, sizeof k);
    }
    EXPECT_EQ(ars_select(cs, 3, 0), ARS_EAGAIN);
#if defined(ARS_TEST_FREESTANDING)
    EXPECT_EQ(ars_select(cs, 3, -1), ARS_ESTATE);     /* would park outside a coroutine */
#else
    EXPECT_EQ(ars_select(cs, 3, ars_now() + 10), ARS_ETIMEDOUT);   /* the thread waits */
#endif
    /* one receive ready */
    EXPECT_EQ(ars_chan_try_send(c1, &b), 0);
    r = ars_select(cs, 3, 0);
    EXPECT_EQ(r, 1); EXPECT_EQ(cs[1].result, 0); EXPECT_EQ(y, 2);
    /* a send ready (room in c0) */
    cs[0].op = ARS_SELECT_SEND; cs[0].elem = &a;
    r = ars_select(cs, 3, 0);
    EXPECT_EQ(r, 0); EXPECT_EQ(ars_chan_len(c0), 1);
    /* nil channels are never ready; no cases at all with deadline 0 */
    cs[0].ch = NULL;
    EXPECT_EQ(ars_select(cs, 3, 0), ARS_EAGAIN);
    EXPECT_EQ(ars_select(cs, 0, 0), ARS_EAGAIN);
    /* closed channels are ready: a receive gets ARS_ECLOSED once drained, a
       send gets ARS_ECLOSED (where Go would panic) */
    EXPECT_EQ(ars_chan_close(c2), 0);
    r = ars_select(cs, 3, 0);
    EXPECT_EQ(r, 2); EXPECT_EQ(cs[2].result, ARS_ECLOSED);
    cs[2].op = ARS_SELECT_RECV; cs[2].elem = &x;
    r = ars_select(cs, 3, 0);
    EXPECT_EQ(r, 2); EXPECT_EQ(cs[2].result, ARS_ECLOSED);
    ars_chan_close(c0);
    cs[0].ch = c0; cs[0].op = ARS_SELECT_RECV; cs[0].elem = &x; cs[2].ch = NULL;
    x = 0;
    r = ars_select(cs, 3, 0);                         /* buffered value first */
    EXPECT_EQ(r, 0); EXPECT_EQ(cs[0].result, 0); EXPECT_EQ(x, 1);
    r = ars_select(cs, 3, 0);
    EXPECT_EQ(r, 0); EXPECT_EQ(cs[0].result, ARS_ECLOSED);
    cs[0].op = 7;
    EXPECT_EQ(ars_select(cs, 3, 0), ARS_EINVAL);
}

/* fairness: ready cases are chosen uniformly. Case 0 is never ready, cases
   1..3 always are; a "first ready after a random start" scan would pick
   case 1 half the time (chi-square ~7500 at 60,000 rounds, ~750 at 6,000).
   Chi-square with 2 degrees of freedom: 32.2 is the 1e-7 point, so a fair
   picker fails this test about once in ten million runs (13.8, the 0.1%
   point, failed one CI run out of a few dozen with some 40 runs of this
   test per matrix). */
static void print_counts(const char *what, const long *count) {
    int i;
    ars_test_puts("  "); ars_test_puts(what); ars_test_puts(" counts:");
    for (i = 1; i < 4; i++) { ars_test_putc(' '); ars_test_putl(count[i]); }
    ars_test_putc('\n');
}

static void test_select_fairness(void) {
    int i, v = 0, rounds = SCALE(60000, 6000);
    long count[4] = { 0, 0, 0, 0 };
    double chi = 0, e;
    ars_chan *c[4];
    ars_select_case cs[4];
    reset_chans();
    for (i = 0; i < 4; i++) { c[i] = mk(sizeof(int), 1); ASSERT(c[i]); }
    for (i = 1; i < 4; i++) ars_chan_try_send(c[i], &v);
    for (i = 0; i < 4; i++) {
        ars_select_case k = ARS_RECV_CASE(c[i], &v);
        cs[i] = k;
    }
    for (i = 0; i < rounds; i++) {
        int r = ars_select(cs, 4, 0);
        if (r < 0 || r > 3) { EXPECT(r >= 0 && r <= 3); return; }
        count[r]++;
        ars_chan_try_send(c[r], &v);   /* ready again */
    }
    EXPECT_EQ(count[0], 0);
    e = rounds / 3.0;
    for (i = 1; i < 4; i++) chi += ((double)count[i] - e) * ((double)count[i] - e) / e;
    if (chi >= 32.2) print_counts("recv", count);
    EXPECT(chi < 32.2);
    /* also over send cases */
    for (i = 0; i < 4; i++) { ars_chan_try_recv(c[i], &v); cs[i].op = ARS_SELECT_SEND; count[i] = 0; }
    cs[0].ch = NULL;
    for (i = 0; i < rounds; i++) {
        int r = ars_select(cs, 4, 0);
        if (r < 1 || r > 3) { EXPECT(r >= 1 && r <= 3); return; }
        count[r]++;
        ars_chan_try_recv(c[r], &v);
    }
    chi = 0;
    for (i = 1; i < 4; i++) chi += ((double)count[i] - e) * ((double)count[i] - e) / e;
    if (chi >= 32.2) print_counts("send", count);
    EXPECT(chi < 32.2);
}

/* The same over more cases than ars__ch_select_round's one-pass list
   holds (8): 12 cases, 10 of them ready, each picked ~1/10 of the time
   (chi-square, 9 degrees of freedom, threshold at p ~ 1e-7). */
static void test_select_fairness_many(void) {
    enum { K = 12 };
    int i, v = 0, rounds = SCALE(100000, 10000);
    long count[K];
    double chi = 0, e = rounds / 10.0;
    ars_chan *c[K];
    ars_select_case cs[K];
    reset_chans();
    for (i = 0; i < K; i++) {
        ars_select_case k;
        c[i] = mk(sizeof(int), 1);
        ASSERT(c[i]);
        if (i != 0 && i != 7) ars_chan_try_send(c[i], &v);    /* 0 and 7 stay empty */
        k.ch = c[i]; k.op = ARS_SELECT_RECV; k.elem = &v; k.result = 0;
        cs[i] = k;
        count[i] = 0;
    }
    for (i = 0; i < rounds; i++) {
        int r = ars_select(cs, K, 0);
        if (r < 0 || r >= K) { EXPECT(r >= 0 && r < K); return; }
        count[r]++;
        ars_chan_try_send(c[r], &v);   /* ready again */
    }
    EXPECT_EQ(count[0], 0);
    EXPECT_EQ(count[7], 0);
    for (i = 0; i < K; i++)
        if (i != 0 && i != 7) chi += ((double)count[i] - e) * ((double)count[i] - e) / e;
    if (chi >= 50.0) {
        ars_test_puts("  counts:");
        for (i = 0; i < K; i++) { ars_test_putc(' '); ars_test_putl(count[i]); }
        ars_test_putc('\n');
    }
    EXPECT(chi < 50.0);
}

/* The same for two cases on two channels, which take a path of their own
   (ars__ch_select_pair) with its own pick when both are ready: two receives,
   two sends, a send and a receive, each case picked ~1/2 of the time
   (chi-square, 1 degree of freedom: 28.4 is the 1e-7 point). */
static void test_select_fairness_pair(void) {
    int i, m, rounds = SCALE(60000, 6000);
    long v = 0;
    ars_chan *c[2];
    reset_chans();
    for (i = 0; i < 2; i++) { c[i] = mk(sizeof(long), 1); ASSERT(c[i]); }
    for (m = 0; m < 3; m++) {      /* 0: recv recv, 1: send send, 2: send on c[0], recv on c[1] */
        long count[2] = { 0, 0 };
        double chi = 0, e = rounds / 2.0;
        ars_select_case cs[2];
        for (i = 0; i < 2; i++) {
            int snd = m == 1 || (m == 2 && i == 0);
            ars_select_case k = ARS_RECV_CASE(c[i], &v);
            k.op = snd ? ARS_SELECT_SEND : ARS_SELECT_RECV;
            cs[i] = k;
            (void)ars_chan_try_recv(c[i], &v);              /* empty, */
            if (!snd) EXPECT_EQ(ars_chan_try_send(c[i], &v), 0);   /* or full for a receive */
        }
        for (i = 0; i < rounds; i++) {
            int r = ars_select(cs, 2, 0);
            if (r < 0 || r > 1) { EXPECT(r >= 0 && r <= 1); return; }
            count[r]++;
            /* ready again */
            if (cs[r].op == ARS_SELECT_SEND) EXPECT_EQ(ars_chan_try_recv(c[r], &v), 0);
            else EXPECT_EQ(ars_chan_try_send(c[r], &v), 0);
        }
        for (i = 0; i < 2; i++) chi += ((double)count[i] - e) * ((double)count[i] - e) / e;
        if (chi >= 28.4) {
            ars_test_puts("  pair counts:");
            for (i = 0; i < 2; i++) { ars_test_putc(' '); ars_test_putl(count[i]); }
            ars_test_putc('\n');
        }
        EXPECT(chi < 28.4);
    }
}

/* a parked select is completed by a peer on one channel and leaves no
   waiter behind on the others */
static int sel_r, sel_x, sel_y;
static void sel_waiter(void *arg) {
    int a = 100;
    ars_select_case cs[3];
    ars_select_case k[3] = { ARS_RECV_CASE(g_ch, &sel_x), ARS_RECV_CASE(g_ch2, &sel_y), ARS_SEND_CASE(g_ch3, &a) };
    (void)arg;
    memcpy(cs, k, sizeof k);
    sel_r = ars_select(cs, 3, -1);
}
static void sel_sender(void *arg) {
    int v = 42;
    (void)arg;
    ars_sched_yield();
    EXPECT_EQ(ars_chan_send(g_ch2, &v, -1), 0);
}
static void sel_receiver(void *arg) {
    int v = 0;
    (void)arg;
    ars_sched_yield();
    EXPECT_EQ(ars_chan_recv(g_ch3, &v, -1), 0);
    EXPECT_EQ(v, 100);
}
static void test_select_parked(void) {
    int v = 0;
    reset_chans();
    g_ch = mk(sizeof(int), 0); g_ch2 = mk(sizeof(int), 0); g_ch3 = mk(sizeof(int), 0);
    ASSERT(g_ch && g_ch2 && g_ch3);
    sel_r = -99; sel_y = 0;
    go(sel_waiter, NULL, NULL);
    go(sel_sender, NULL, NULL);
    run();
    EXPECT_EQ(sel_r, 1); EXPECT_EQ(sel_y, 42);
    EXPECT_EQ(ars_chan_try_send(g_ch, &v), ARS_EAGAIN);     /* no stale receiver */
    EXPECT_EQ(ars_chan_try_recv(g_ch3, &v), ARS_EAGAIN);    /* no stale sender */
    EXPECT(g_ch->recv_head == NULL && g_ch3->send_head == NULL);
    sel_r = -99;
    go(sel_waiter, NULL, NULL);
    go(sel_receiver, NULL, NULL);
    run();
    EXPECT_EQ(sel_r, 2);
    EXPECT(g_ch->recv_head == NULL && g_ch2->recv_head == NULL);
    /* a close wakes a parked select with that case */
    sel_r = -99;
    go(sel_waiter, NULL, NULL);
    go(closer, NULL, NULL);          /* closes g_ch and g_ch2 */
    run();
    EXPECT(sel_r == 0 || sel_r == 1);
    EXPECT(g_ch3->send_head == NULL);
}

/* two-case selects (a path of their own): the channels in either address
   order, a nil channel in either place, the same channel twice; each parks,
   is woken through one case, and leaves no waiter behind */
static ars_select_case two_cs[2];
static int two_r, two_x, two_y;
static ars_chan *two_to;
static void two_sel(void *arg) { (void)arg; two_r = ars_select(two_cs, 2, -1); }
static void two_send(void *arg) {
    int v = 77;
    (void)arg;
    ars_sched_yield();
    EXPECT_EQ(ars_chan_send(two_to, &v, -1), 0);
}
static void test_select_two(void) {
    ars_chan *lo, *hi;
    int k;
    reset_chans();
    lo = mk(sizeof(int), 0); hi = mk(sizeof(int), 0);
    ASSERT(lo && hi);
    if ((uintptr_t)hi < (uintptr_t)lo) { ars_chan *t = lo; lo = hi; hi = t; }
    for (k = 0; k < 10; k++) {
        /* cases: 0 lo,hi  1 hi,lo  2 NULL,lo  3 lo,NULL  4 lo,lo; woken
           through case k % 2 (case 1 of 2: the only live one) */
        ars_chan *a = k / 2 == 1 ? hi : k / 2 == 2 ? NULL : lo;
        ars_chan *b = k / 2 == 0 ? hi : k / 2 == 3 ? NULL : lo;
        int want = k / 2 == 2 ? 1 : k / 2 == 3 ? 0 : k % 2;
        if (k / 2 == 4) want = -1;    /* the same channel: either case */
        two_cs[0].ch = a; two_cs[0].op = ARS_SELECT_RECV; two_cs[0].elem = &two_x;
        two_cs[1].ch = b; two_cs[1].op = ARS_SELECT_RECV; two_cs[1].elem = &two_y;
        two_to = want == 1 ? b : a;
        two_r = -99; two_x = two_y = 0;
        go(two_sel, NULL, NULL);
        go(two_send, NULL, NULL);
        run();
        if (want >= 0) EXPECT_EQ(two_r, want);
        else EXPECT(two_r == 0 || two_r == 1);
        EXPECT_EQ(two_r == 0 ? two_x : two_y, 77);
        EXPECT(lo->recv_head == NULL && hi->recv_head == NULL);   /* none left queued */
    }
    /* send and receive on one buffered channel in one select */
    {
        int in = 5, out = 0, r;
        ars_chan *c = mk(sizeof(int), 1);
        ars_select_case cs[2] = { ARS_RECV_CASE(c, &out), ARS_SEND_CASE(c, &in) };
        ASSERT(c);
        r = ars_select(cs, 2, 0);                 /* empty: only the send is ready */
        EXPECT_EQ(r, 1);
        r = ars_select(cs, 2, 0);                 /* full: only the receive */
        EXPECT_EQ(r, 0); EXPECT_EQ(out, 5);
    }
}

/* The 2-case select hands an element to or takes one from a parked peer of
   its thread, or a ring, at every element size: the sizes the fast paths
   copy inline (1, 4, 8, 16) and others (3, 24), each with a channel of
   size 8 as the other case (so the pair's channels differ in size). */
static ars_chan *psz_ch[2];
static unsigned char psz_out[24], psz_in[24];
static int psz_r;
static void psz_peer_send(void *arg) {
    (void)arg;
    EXPECT_EQ(ars_chan_send(psz_ch[0], psz_out, -1), 0);
}
static void psz_peer_recv(void *arg) {
    (void)arg;
    EXPECT_EQ(ars_chan_recv(psz_ch[1], psz_in, -1), 0);
}
static void psz_select(void *arg) {
    long other = 0;
    int snd = arg != NULL;
    ars_select_case cs[2] = { ARS_RECV_CASE(psz_ch[0], psz_in), ARS_RECV_CASE(psz_ch[1], &other) };
    if (snd) {                  /* case 1 sends to the parked receiver */
        ars_select_case k = ARS_SEND_CASE(psz_ch[1], psz_out);
        cs[0].elem = &other;
        cs[1] = k;
    }
    psz_r = ars_select(cs, 2, -1);
}
static void test_select_pair_sizes(void) {
    static const size_t sizes[] = { 1, 3, 4, 8, 16, 24 };
    int z, m, round;
    for (z = 0; z < (int)(sizeof sizes / sizeof sizes[0]); z++) {
        size_t n = sizes[z], j;
        for (m = 0; m < 3; m++) {   /* 0: a parked sender, 1: a parked receiver, 2: a full ring */
            reset_chans();
            /* the case's channel of size n, the other of size 8 */
            psz_ch[0] = mk(m == 1 ? 8 : n, m == 2 ? 1 : 0);
            psz_ch[1] = mk(m == 1 ? n : 8, 0);
            ASSERT(psz_ch[0] && psz_ch[1]);
            /* the second round finds both channels biased to this thread */
            for (round = 0; round < 2; round++) {
                for (j = 0; j < sizeof psz_out; j++) {
                    psz_out[j] = (unsigned char)(j * 7 + n + (size_t)round + 1);
                    psz_in[j] = 0;
                }
                psz_r = -99;
                if (m == 2) {
                    EXPECT_EQ(ars_chan_try_send(psz_ch[0], psz_out), 0);
                    go(psz_select, NULL, NULL);
                } else {
                    go(m == 0 ? psz_peer_send : psz_peer_recv, NULL, NULL);
                    go(psz_select, m == 1 ? (void *)psz_out : NULL, NULL);
                }
                run();
                EXPECT_EQ(psz_r, m == 1 ? 1 : 0);
                for (j = 0; j < n; j++)
                    if (psz_in[j] != psz_out[j]) { EXPECT_EQ(psz_in[j], psz_out[j]); break; }
                for (; j < sizeof psz_in; j++)
                    if (psz_in[j] != 0) { EXPECT_EQ(psz_in[j], 0); break; }
            }
        }
    }
}

/* more cases than the small-select fast path holds, duplicates included */
static ars_select_case many_cs[12];
static int many_v, many_r;
static void many_sel(void *arg) { (void)arg; many_r = ars_select(many_cs, 12, -1); }
static void many_send(void *arg) {
    int v = 321;
    (void)arg;
    ars_sched_yield();
    EXPECT_EQ(ars_chan_send(g_ch3, &v, -1), 0);
}
static void test_select_many(void) {
    ars_chan *c[6];
    int i, v = 5, r;
    reset_chans();
    for (i = 0; i < 6; i++) { c[i] = mk(sizeof(int), i == 5 ? 0 : 1); ASSERT(c[i]); }
    for (i = 0; i < 12; i++) {
        ars_select_case k = ARS_RECV_CASE(c[(i * 5) % 6], &many_v);
        many_cs[i] = k;
    }
    EXPECT_EQ(ars_select(many_cs, 12, 0), ARS_EAGAIN);
    ars_chan_try_send(c[2], &v);
    r = ars_select(many_cs, 12, 0);
    EXPECT(r >= 0 && r < 12 && many_cs[r].ch == c[2]);
    EXPECT_EQ(many_v, 5);
    /* parked on all twelve; a sender on the unbuffered one completes it */
    g_ch3 = c[5];
    many_r = -99;
    go(many_sel, NULL, NULL);
    go(many_send, NULL, NULL);
    run();
    EXPECT(many_r >= 0 && many_r < 12 && many_cs[many_r].ch == c[5]);
    EXPECT_EQ(many_v, 321);
    for (i = 0; i < 6; i++) EXPECT(c[i]->recv_head == NULL);
    EXPECT_EQ(ars_select(many_cs, ARSENAL_CHAN_SELECT_MAX + 1, 0), ARS_EINVAL);
}
/* more cases than select keeps in its frame: a heap block for the call;
   without one, ARS_ENOMEM and nothing done (but a bad case is ARS_EINVAL
   first) */
static ars_select_case big_cs[20];
static void test_select_big(void) {
    ars_chan *c[3];
    int i, v = 9, w = 0, r;
    reset_chans();
    for (i = 0; i < 3; i++) { c[i] = mk(sizeof(int), 1); ASSERT(c[i]); }
    for (i = 0; i < 20; i++) {
        ars_select_case k = ARS_RECV_CASE(c[i % 3], &w);
        big_cs[i] = k;
    }
    EXPECT_EQ(ars_chan_try_send(c[1], &v), 0);
    /* a bad case is ARS_EINVAL whether or not the block can be had */
    big_cs[13].op = 9;
#if !defined(ARS_TEST_FREESTANDING)
    fail_malloc = 1;
#endif
    EXPECT_EQ(ars_select(big_cs, 20, 0), ARS_EINVAL);
#if !defined(ARS_TEST_FREESTANDING)
    fail_malloc = 0;
    EXPECT_EQ(ars_select(big_cs, 20, 0), ARS_EINVAL);
#endif
    big_cs[13].op = ARS_SELECT_RECV;
#if defined(ARS_TEST_FREESTANDING)
    EXPECT_EQ(ars_select(big_cs, 20, 0), ARS_ENOMEM);
    EXPECT_EQ(ars_select(big_cs, 16, -1) % 3, 1);   /* 16 fit in the frame */
#else
    fail_malloc = 1;
    r = ars_select(big_cs, 20, -1);
    fail_malloc = 0;
    EXPECT_EQ(r, ARS_ENOMEM);
    EXPECT_EQ(w, 0);
    EXPECT_EQ(ars_chan_len(c[1]), 1u);
    r = ars_select(big_cs, 20, -1);
    EXPECT(r >= 0 && r % 3 == 1);
#endif
    EXPECT_EQ(w, 9);
    EXPECT_EQ(ars_chan_len(c[1]), 0u);
    (void)r;
}

/* ---- deadlines: never early, late by at most a tick (plus load) ---- */
static int64_t dl_late[4];
static int dl_res[4];
static void dl_recv(void *arg) {
    int v; int64_t d = ars_now() + 30;
    (void)arg;
    dl_res[0] = ars_chan_recv(g_ch, &v, d);
    dl_late[0] = ars_now() - d;
}
static void dl_send(void *arg) {
    int v = 1; int64_t d = ars_now() + 20;
    (void)arg;
    dl_res[1] = ars_chan_send(g_ch2, &v, d);   /* g_ch2 is full */
    dl_late[1] = ars_now() - d;
}
static void dl_select(void *arg) {
    int v = 0; int64_t d = ars_now() + 25;
    ars_select_case cs[2];
    ars_select_case k[2] = { ARS_RECV_CASE(g_ch, &v), ARS_SEND_CASE(g_ch2, &v) };
    (void)arg;
    memcpy(cs, k, sizeof k);
    dl_res[2] = ars_select(cs, 2, d);
    dl_late[2] = ars_now() - d;
}
static void dl_past(void *arg) {
    int v = 0;
    int64_t d = ars_now() - 5;                  /* already passed */
    (void)arg;
    if (d < 1) d = 1;                           /* 0 means "do not block", < 0 never */
    dl_res[3] = ars_chan_recv(g_ch, &v, d);
    dl_late[3] = 0;
}
static void test_deadlines(void) {
    int i, v = 3, round, late;
    reset_chans();
    g_ch = mk(sizeof(int), 0); g_ch2 = mk(sizeof(int), 1);
    ASSERT(g_ch && g_ch2);
    ars_chan_try_send(g_ch2, &v);
    /* Never early, every time. Late by more than SLACK_MS only when the
       machine took the thread away: a round that late is run again, and
       three late rounds in a row fail (a slow timer is late every time). */
    for (round = 0; round < 3; round++) {
        go(dl_recv, NULL, NULL); go(dl_send, NULL, NULL); go(dl_select, NULL, NULL); go(dl_past, NULL, NULL);
        run();
        late = 0;
        for (i = 0; i < 4; i++) {
            EXPECT_EQ(dl_res[i], ARS_ETIMEDOUT);
            EXPECT(dl_late[i] >= 0);
            if (dl_late[i] > SLACK_MS) late = 1;
        }
        if (!late) break;
        ars_test_puts("# a deadline round was late (a loaded machine?): again\n");
    }
    EXPECT(round < 3);
    EXPECT(g_ch->recv_head == NULL && g_ch2->send_head == NULL);
    EXPECT_EQ(ars_chan_len(g_ch2), 1);
    EXPECT_EQ(ars_chan_try_recv(g_ch2, &v), 0);
    EXPECT_EQ(v, 3);
}

/* ---- cancellation in every blocking call ---- */
static int cx_res[4];
static ars_coro *cx_co[4];
static void cx_recv(void *arg) { int v = 77; (void)arg; cx_res[0] = ars_chan_recv(g_ch, &v, -1); EXPECT_EQ(v, 77); }
static void cx_send(void *arg) { int v = 9; (void)arg; cx_res[1] = ars_chan_send(g_ch2, &v, ars_now() + 100000); }
static void cx_select(void *arg) {
    int v = 5, w = 0;
    ars_select_case cs[2];
    ars_select_case k[2] = { ARS_RECV_CASE(g_ch, &w), ARS_SEND_CASE(g_ch2, &v) };
    (void)arg;
    memcpy(cs, k, sizeof k);
    cx_res[2] = ars_select(cs, 2, -1);
}
static void cx_send0(void *arg) { int v = 1; (void)arg; cx_res[3] = ars_chan_send(g_ch3, &v, -1); }
static void cx_canceller(void *arg) {
    int i;
    (void)arg;
    ars_sched_yield(); ars_sched_yield();
    for (i = 0; i < 4; i++) EXPECT_EQ(ars_cancel(cx_co[i]), 0);
}
static void test_cancel(void) {
    int v = 1, i;
    reset_chans();
    g_ch = mk(sizeof(int), 0); g_ch2 = mk(sizeof(int), 1); g_ch3 = mk(sizeof(int), 0);
    ASSERT(g_ch && g_ch2 && g_ch3);
    ars_chan_try_send(g_ch2, &v);   /* full */
    go(cx_recv, NULL, &cx_co[0]); go(cx_send, NULL, &cx_co[1]);
    go(cx_select, NULL, &cx_co[2]); go(cx_send0, NULL, &cx_co[3]);
    go(cx_canceller, NULL, NULL);
    run();
    for (i = 0; i < 4; i++) EXPECT_EQ(cx_res[i], ARS_ECANCELED);
    /* consistent: no waiters left, the buffered value intact */
    EXPECT(g_ch->recv_head == NULL && g_ch->send_head == NULL);
    EXPECT(g_ch2->recv_head == NULL && g_ch2->send_head == NULL);
    EXPECT_EQ(ars_chan_len(g_ch2), 1);
    EXPECT_EQ(ars_chan_try_recv(g_ch2, &v), 0);
    EXPECT_EQ(v, 1);
    EXPECT_EQ(ars_chan_try_send(g_ch, &v), ARS_EAGAIN);
    EXPECT(g_ch3->recv_head == NULL && g_ch3->send_head == NULL);
}

/* ---- typed layer ---- */
typedef struct point { int x, y; } point;
ARS_CHAN_TYPED(intchan, int)
ARS_CHAN_TYPED(pointchan, point)
static intchan g_ic;
static void typed_producer(void *arg) {
    int i;
    (void)arg;
    for (i = 1; i <= 5; i++) EXPECT_EQ(intchan_send(g_ic, i), 0);
    EXPECT_EQ(intchan_close(g_ic), 0);
}
static int typed_sum;
static void typed_consumer(void *arg) {
    int v;
    (void)arg;
    typed_sum = intchan_recv(g_ic);                    /* v := <-c */
    while (intchan_recv_ok(g_ic, &v) == 0) typed_sum += v;   /* v, ok := <-c */
    EXPECT_EQ(intchan_recv(g_ic), 0);                  /* zero value once closed */
}
static void test_typed(void) {
    pointchan pc;
    point p = { 3, 4 }, q = { 0, 0 };
    reset_chans();
    g_ic.ch = mk(sizeof(int), 2);
    ASSERT(g_ic.ch);
    typed_sum = 0;
    go(typed_producer, NULL, NULL);
    go(typed_consumer, NULL, NULL);
    run();
    EXPECT_EQ(typed_sum, 15);
    EXPECT_EQ(intchan_cap(g_ic), 2);
    pc.ch = mk(sizeof(point), 1);
    ASSERT(pc.ch);
    EXPECT_EQ(pointchan_try_send(pc, p), 0);
    EXPECT_EQ(pointchan_len(pc), 1);
    EXPECT_EQ(pointchan_try_recv(pc, &q), 0);
    EXPECT(q.x == 3 && q.y == 4);
#if !defined(ARS_TEST_FREESTANDING)
    {
        intchan hc;
        int v = 0;
        ASSERT_EQ(intchan_make(&hc, 1), 0);
        EXPECT_EQ(ars_chan_try_send(intchan_chan(hc), &v), 0);
        EXPECT_EQ(intchan_try_send(hc, 1), ARS_EAGAIN);
        intchan_free(hc);
    }
#endif
}

/* ---- allocator hooks ---- */
static int alloc_calls, free_calls;
static unsigned char alloc_buf[4096] __attribute__((aligned(64)));
static void *my_alloc(void *ctx, size_t size, size_t align) {
    (void)ctx; (void)align;
    alloc_calls++;
    /* 16 bytes into a line: create must align within the block and free
       the block it was given */
    return size <= sizeof alloc_buf - 16 ? alloc_buf + 16 : NULL;
}
static void my_free(void *ctx, void *p, size_t size) { (void)ctx; (void)size; if (p == alloc_buf + 16) free_calls++; }
static void test_allocator(void) {
    ars_allocator a;
    ars_chan *c;
    ars_spsc *s;
    ars_mpmc *m;
    int v = 4;
    a.alloc = my_alloc; a.free = my_free; a.ctx = NULL;
    alloc_calls = free_calls = 0;
    ASSERT_EQ(ars_chan_create(&c, sizeof(int), 8, &a), 0);
    EXPECT_EQ((uintptr_t)c % ARSENAL_CHAN_CACHE_LINE, 0);   /* on a line, whatever the allocator gave */
    EXPECT_EQ(ars_chan_try_send(c, &v), 0);
    EXPECT_EQ(ars_chan_destroy(c), 0);
    EXPECT_EQ(ars_chan_create(&c, 1024, 1024, &a), ARS_ENOMEM);
    EXPECT_EQ(ars_spsc_create(&s, 4, 64, &a), 0);
    ars_spsc_destroy(s);
    EXPECT_EQ(ars_mpmc_create(&m, 4, 64, &a), 0);
    ars_mpmc_destroy(m);
    EXPECT_EQ(ars_spsc_create(&s, 4, 3, &a), ARS_EINVAL);   /* not a power of two */
    EXPECT_EQ(alloc_calls, 4);
    EXPECT_EQ(free_calls, 3);
}

/* ---- lock-free queues, one thread ---- */
static void test_spsc_basic(void) {
    static size_t buf[ARS_SPSC_BUFFER_SIZE(sizeof(int), 8) / sizeof(size_t)];
    ars_spsc q;
    int i, v, in[20], out[20];
    EXPECT_EQ(ars_spsc_init(&q, sizeof(int), 8, buf, sizeof buf - 1), ARS_EINVAL);   /* too small */
    EXPECT_EQ(ars_spsc_init(&q, sizeof(int), 8, (char *)buf + 1, sizeof buf - 8), ARS_EINVAL);   /* misaligned */
    ASSERT_EQ(ars_spsc_init(&q, sizeof(int), 8, buf, sizeof buf), 0);
    EXPECT_EQ(ars_spsc_pop(&q, &v), ARS_EAGAIN);
    for (i = 0; i < 8; i++) EXPECT_EQ(ars_spsc_push(&q, &i), 0);
    EXPECT_EQ(ars_spsc_push(&q, &i), ARS_EAGAIN);
    EXPECT_EQ(ars_spsc_len(&q), 8);
    for (i = 0; i < 5; i++) { EXPECT_EQ(ars_spsc_pop(&q, &v), 0); EXPECT_EQ(v, i); }
    for (i = 0; i < 20; i++) in[i] = 100 + i;
    EXPECT_EQ(ars_spsc_push_n(&q, in, 20), 5);          /* wraps around the end */
    EXPECT_EQ(ars_spsc_pop_n(&q, out, 20), 8);
    for (i = 0; i < 3; i++) EXPECT_EQ(out[i], 5 + i);
    for (i = 0; i < 5; i++) EXPECT_EQ(out[3 + i], 100 + i);
    EXPECT_EQ(ars_spsc_pop_n(&q, out, 4), 0);
    /* single and batch calls interleaved on both sides: the batches' copies
       of the other index fall behind the single calls and must not wrap */
    for (i = 0; i < 3; i++) EXPECT_EQ(ars_spsc_push(&q, &i), 0);
    for (i = 0; i < 3; i++) { EXPECT_EQ(ars_spsc_pop(&q, &v), 0); EXPECT_EQ(v, i); }
    EXPECT_EQ(ars_spsc_pop_n(&q, out, 4), 0);
    EXPECT_EQ(ars_spsc_push_n(&q, in, 20), 8);
    EXPECT_EQ(ars_spsc_push(&q, &i), ARS_EAGAIN);
    EXPECT_EQ(ars_spsc_push_n(&q, in, 1), 0);
    EXPECT_EQ(ars_spsc_pop(&q, &v), 0); EXPECT_EQ(v, 100);
    EXPECT_EQ(ars_spsc_push_n(&q, in + 8, 20), 1);
    EXPECT_EQ(ars_spsc_len(&q), 8);
    EXPECT_EQ(ars_spsc_pop_n(&q, out, 20), 8);
    for (i = 0; i < 8; i++) EXPECT_EQ(out[i], 101 + i);
    EXPECT_EQ(ars_spsc_init(&q, sizeof(int), 6, buf, sizeof buf), ARS_EINVAL);
    EXPECT_EQ(ars_spsc_init(&q, 0, 8, buf, sizeof buf), ARS_EINVAL);
}

/* The published indices may trail the cells by one call: a pop frees its
   cell before it stores head, a push fills its cell before it stores tail.
   White-box: hold an index back by one, as the other thread may see it,
   and check that the batches find no room rather than 2^64 - 1 cells. */
static void test_spsc_trailing_index(void) {
    static size_t buf[ARS_SPSC_BUFFER_SIZE(sizeof(int), 4) / sizeof(size_t)];
    ars_spsc q;
    int i, v, in[4] = { 10, 11, 12, 13 }, out[4];
    ASSERT_EQ(ars_spsc_init(&q, sizeof(int), 4, buf, sizeof buf), 0);
    for (i = 0; i < 4; i++) EXPECT_EQ(ars_spsc_push(&q, &i), 0);   /* full: 0 1 2 3 */
    EXPECT_EQ(ars_spsc_pop(&q, &v), 0);
    EXPECT_EQ(v, 0);
    q.head--;                                   /* that pop's head store, not seen yet */
    EXPECT_EQ(ars_spsc_push(&q, &i), 0);        /* its cell is free: 5 past head */
    EXPECT_EQ(ars_spsc_push_n(&q, in, 4), 0);
    q.head++;
    for (i = 1; i <= 4; i++) { EXPECT_EQ(ars_spsc_pop(&q, &v), 0); EXPECT_EQ(v, i); }
    EXPECT_EQ(ars_spsc_push(&q, &i), 0);        /* 5 */
    q.tail--;                                   /* that push's tail store, not seen yet */
    EXPECT_EQ(ars_spsc_pop(&q, &v), 0);         /* its cell is full: head passes tail */
    EXPECT_EQ(v, 5);
    EXPECT_EQ(ars_spsc_pop_n(&q, out, 4), 0);
    q.tail++;
    EXPECT_EQ(ars_spsc_len(&q), 0);
}

/* a ring of one cell: full after one push, empty after one pop, for laps */
static void test_spsc_one(void) {
    static size_t buf[ARS_SPSC_BUFFER_SIZE(3, 1) / sizeof(size_t)];
    ars_spsc q;
    unsigned char in[3], out[3];
    int i;
    ASSERT_EQ(ars_spsc_init(&q, 3, 1, buf, sizeof buf), 0);
    for (i = 0; i < 1000; i++) {
        in[0] = (unsigned char)i; in[1] = (unsigned char)(i >> 8); in[2] = 7;
        EXPECT_EQ(ars_spsc_pop(&q, out), ARS_EAGAIN);
        EXPECT_EQ(ars_spsc_push(&q, in), 0);
        EXPECT_EQ(ars_spsc_push(&q, in), ARS_EAGAIN);
        EXPECT_EQ(ars_spsc_len(&q), 1);
        EXPECT_EQ(i & 1 ? ars_spsc_pop_n(&q, out, 2) : (size_t)(ars_spsc_pop(&q, out) == 0), 1);
        EXPECT(memcmp(in, out, 3) == 0);
    }
}
static void test_mpmc_basic(void) {
    static size_t buf[ARS_MPMC_BUFFER_SIZE(sizeof(int), 8) / sizeof(size_t)];
    ars_mpmc q;
    int i, v, in[20], out[20];
    ASSERT_EQ(ars_mpmc_init(&q, sizeof(int), 8, buf), 0);
    EXPECT_EQ(ars_mpmc_pop(&q, &v), ARS_EAGAIN);
    for (i = 0; i < 8; i++) EXPECT_EQ(ars_mpmc_push(&q, &i), 0);
    EXPECT_EQ(ars_mpmc_push(&q, &i), ARS_EAGAIN);
    EXPECT_EQ(ars_mpmc_len(&q), 8);
    for (i = 0; i < 5; i++) { EXPECT_EQ(ars_mpmc_pop(&q, &v), 0); EXPECT_EQ(v, i); }
    for (i = 0; i < 20; i++) in[i] = 100 + i;
    EXPECT_EQ(ars_mpmc_push_n(&q, in, 20), 5);
    EXPECT_EQ(ars_mpmc_push_n(&q, in, 20), 0);
    EXPECT_EQ(ars_mpmc_pop_n(&q, out, 20), 8);
    for (i = 0; i < 3; i++) EXPECT_EQ(out[i], 5 + i);
    for (i = 0; i < 5; i++) EXPECT_EQ(out[3 + i], 100 + i);
    EXPECT_EQ(ars_mpmc_pop_n(&q, out, 4), 0);
    EXPECT_EQ(ars_mpmc_len(&q), 0);
    EXPECT_EQ(ars_mpmc_init(&q, sizeof(int), 1, buf), ARS_EINVAL);
}

/* ---- sizes whose products overflow size_t are refused, never wrapped ---- */
static int no_alloc_calls;
static void *no_alloc(void *ctx, size_t size, size_t align) { (void)ctx; (void)size; (void)align; no_alloc_calls++; return NULL; }
static void no_free(void *ctx, void *p, size_t size) { (void)ctx; (void)p; (void)size; }
static void test_overflowing_sizes(void) {
    static size_t buf[ARS_MPMC_BUFFER_SIZE(sizeof(int), 8) / sizeof(size_t)];
    ars_allocator a;
    ars_mpmc q, *m;
    ars_spsc s, *sp;
    ars_chan c, *cp;
    size_t k, big;
    a.alloc = no_alloc; a.free = no_free; a.ctx = NULL;
    no_alloc_calls = 0;
    /* element sizes near SIZE_MAX: the MPMC cell size (element + sequence
       word, rounded up) wrapped to 0 or a few bytes, or the size check
       divided by zero */
    for (k = 0; k <= 4 * sizeof(size_t); k++) {
        big = (size_t)-1 - k;
        m = (ars_mpmc *)1;
        EXPECT_EQ(ars_mpmc_create(&m, big, 2, &a), ARS_EINVAL);
        EXPECT(m == NULL);
        EXPECT_EQ(ars_mpmc_init(&q, big, 2, buf), ARS_EINVAL);
        EXPECT_EQ(ars_spsc_create(&sp, big, 2, &a), ARS_EINVAL);
        EXPECT_EQ(ars_spsc_init(&s, big, 2, buf, (size_t)-1), ARS_EINVAL);
        EXPECT_EQ(ars_chan_create(&cp, big, 2, &a), ARS_EINVAL);
        EXPECT_EQ(ars_chan_init(&c, big, 2, buf, (size_t)-1), ARS_EINVAL);
    }
    /* capacities whose product with the element size overflows */
    big = ((size_t)1 << (sizeof(size_t) * 8 - 2));      /* a power of two */
    EXPECT_EQ(ars_mpmc_create(&m, 16, big, &a), ARS_EINVAL);
    EXPECT_EQ(ars_mpmc_init(&q, 16, big, buf), ARS_EINVAL);
    EXPECT_EQ(ars_spsc_create(&sp, 16, big, &a), ARS_EINVAL);
    EXPECT_EQ(ars_spsc_init(&s, 16, big, buf, (size_t)-1), ARS_EINVAL);
    EXPECT_EQ(ars_chan_create(&cp, 16, big, &a), ARS_EINVAL);
    EXPECT_EQ(ars_chan_init(&c, 16, big, buf, (size_t)-1), ARS_EINVAL);
    EXPECT_EQ(no_alloc_calls, 0);                       /* refused before allocating */
    /* sane sizes still reach the allocator (which says no here) */
    EXPECT_EQ(ars_mpmc_create(&m, 1024, 1024, &a), ARS_ENOMEM);
    EXPECT_EQ(no_alloc_calls, 1);
}

/* ---- a pipeline of many coroutines on one thread, checksummed ---- */
#define PIPE_N 6
static ars_chan *pipe_ch[PIPE_N + 1];
static long pipe_items;
static void pipe_src(void *arg) {
    long i;
    (void)arg;
    for (i = 1; i <= pipe_items; i++) EXPECT_EQ(ars_chan_send(pipe_ch[0], &i, -1), 0);
    ars_chan_close(pipe_ch[0]);
}
static void pipe_stage(void *arg) {
    int k = (int)(intptr_t)arg;
    long v;
    while (ars_chan_recv(pipe_ch[k], &v, -1) == 0) { v += 1; ars_chan_send(pipe_ch[k + 1], &v, -1); }
    ars_chan_close(pipe_ch[k + 1]);
}
static long pipe_count;
static long long pipe_sum;
static void pipe_sink(void *arg) {
    long v;
    (void)arg;
    while (ars_chan_recv(pipe_ch[PIPE_N], &v, -1) == 0) { pipe_sum += v; pipe_count++; }
}
static void test_pipeline(void) {
    int k;
    long n;
    reset_chans();
    for (k = 0; k <= PIPE_N; k++) { pipe_ch[k] = mk(sizeof(long), (size_t)(k % 3) * 3); ASSERT(pipe_ch[k]); }
    pipe_items = n = SCALE(200000, 3000);
    pipe_sum = pipe_count = 0;
    go(pipe_src, NULL, NULL);
    for (k = 0; k < PIPE_N; k++) go(pipe_stage, (void *)(intptr_t)k, NULL);
    go(pipe_sink, NULL, NULL);
    run();
    EXPECT_EQ(pipe_count, n);
    EXPECT_EQ(pipe_sum, (long long)n * (n + 1) / 2 + (long long)PIPE_N * n);
}

#if defined(HAVE_THREADS)
/* ---- threads: each runs its own scheduler ---- */
#define AADD(p, v) __atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)
#define ALOAD(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define ASTORE(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)

typedef struct thr_start { void (*fn)(void *); void *arg; } thr_start;
#if defined(_WIN32)
typedef HANDLE thr_t;
static DWORD WINAPI thr_entry(LPVOID p) { thr_start *s = (thr_start *)p; s->fn(s->arg); return 0; }
static int thr_create(thr_t *t, thr_start *s) { *t = CreateThread(NULL, 0, thr_entry, s, 0, NULL); return *t ? 0 : -1; }
static void thr_join(thr_t t) { WaitForSingleObject(t, INFINITE); CloseHandle(t); }
#else
typedef pthread_t thr_t;
static void *thr_entry(void *p) { thr_start *s = (thr_start *)p; s->fn(s->arg); return NULL; }
static int thr_create(thr_t *t, thr_start *s) { return pthread_create(t, NULL, thr_entry, s); }
static void thr_join(thr_t t) { pthread_join(t, NULL); }
#endif

#ifdef UNDER_TSAN
#define UNDER_TSAN_SCALE(n) ((n) / 5)
#else
#define UNDER_TSAN_SCALE(n) (n)
#endif
#if defined(_WIN32)
static void ars_test_yield(void) { SwitchToThread(); }
#else
#include <sched.h>
static void ars_test_yield(void) { sched_yield(); }
#endif
static void sleep_1ms(void *arg) { (void)arg; ars_sleep_until(ars_now() + 1); }

#define MAX_THR 8
static thr_t thr[MAX_THR];
static thr_start thr_s[MAX_THR];
static void spawn_thread(int i, void (*fn)(void *), void *arg) {
    thr_s[i].fn = fn; thr_s[i].arg = arg;
    EXPECT_EQ(thr_create(&thr[i], &thr_s[i]), 0);
}

/* a scheduler thread: spawns `coros` coroutines of fn, runs them */
typedef struct sched_job { void (*fn)(void *); int coros; int base; } sched_job;
static void sched_thread(void *arg) {
    sched_job *j = (sched_job *)arg;
    int i;
    for (i = 0; i < j->coros; i++) ars_go(j->fn, (void *)(intptr_t)(j->base + i));
    ars_sched_run();
    ars_coro_cache_trim();
}

/* cross-thread ping-pong over two unbuffered channels */
static ars_chan *pp_a, *pp_b;
static long pp_n;
static void pp_ping(void *arg) {
    long i, v;
    (void)arg;
    for (i = 0; i < pp_n; i++) {
        if (ars_chan_send(pp_a, &i, -1) != 0 || ars_chan_recv(pp_b, &v, -1) != 0 || v != i + 1) {
            EXPECT_EQ(v, i + 1); break;
        }
    }
    ars_chan_close(pp_a);
}
static void pp_pong(void *arg) {
    long v;
    (void)arg;
    while (ars_chan_recv(pp_a, &v, -1) == 0) { v++; ars_chan_send(pp_b, &v, -1); }
}
static void test_threads_pingpong(void) {
    sched_job j1 = { pp_ping, 1, 0 }, j2 = { pp_pong, 1, 0 };
    ASSERT_EQ(ars_chan_create(&pp_a, sizeof(long), 0, NULL), 0);
    ASSERT_EQ(ars_chan_create(&pp_b, sizeof(long), 0, NULL), 0);
    pp_n = SCALE(100000, 2000);
    spawn_thread(0, sched_thread, &j1);
    spawn_thread(1, sched_thread, &j2);
    thr_join(thr[0]); thr_join(thr[1]);
    ars_chan_destroy(pp_a); ars_chan_destroy(pp_b);
}

/* many producers x many consumers over one channel across threads; sends
   and receives with short deadlines that often expire, selects, all
   racing. Every item must arrive exactly once. */
#define MP_THREADS 3
#define MP_COROS 4
static ars_chan *mp_ch, *mp_never;
static long mp_per;                  /* items per producer coroutine */
static unsigned *mp_seen;
static long mp_count, mp_producers_left, mp_timeouts;
static long long mp_sum;            /* 64-bit: the full-size sums pass 2^31 */
static void mp_producer(void *arg) {
    long base = (long)(intptr_t)arg * mp_per, i;
    for (i = 0; i < mp_per; i++) {
        long v = base + i;
        int r;
        if (i % 3 == 0) {
            while ((r = ars_chan_send(mp_ch, &v, ars_now() + 1)) == ARS_ETIMEDOUT) AADD(&mp_timeouts, 1);
        } else if (i % 3 == 1) {
            ars_select_case cs[2] = { ARS_SEND_CASE(NULL, &v), ARS_SEND_CASE(NULL, &v) };
            cs[0].ch = mp_never; cs[1].ch = mp_ch;
            cs[0].op = ARS_SELECT_RECV;
            while ((r = ars_select(cs, 2, ars_now() + 1)) == ARS_ETIMEDOUT) AADD(&mp_timeouts, 1);
            EXPECT_EQ(r, 1);
            r = cs[1].result;
        } else {
            r = ars_chan_send(mp_ch, &v, -1);
        }
        EXPECT_EQ(r, 0);
    }
    if (AADD(&mp_producers_left, -1) == 0) ars_chan_close(mp_ch);
}
static void mp_consumer(void *arg) {
    long v, n = 0;
    long long sum = 0;
    int k = (int)(intptr_t)arg, r;
    for (;;) {
        if (k % 2) {
            r = ars_chan_recv(mp_ch, &v, ars_now() + 1);
            if (r == ARS_ETIMEDOUT) { AADD(&mp_timeouts, 1); continue; }
        } else {
            long w;
            ars_select_case cs[2] = { ARS_RECV_CASE(NULL, &w), ARS_RECV_CASE(NULL, &v) };
            cs[0].ch = mp_never; cs[1].ch = mp_ch;
            r = ars_select(cs, 2, -1);
            EXPECT_EQ(r, 1);
            r = cs[1].result;
        }
        if (r != 0) { EXPECT_EQ(r, ARS_ECLOSED); break; }
        if (v < 0 || v >= mp_per * MP_THREADS * MP_COROS) { EXPECT(0); break; }
        AADD(&mp_seen[v], 1);
        sum += v; n++;
    }
    AADD(&mp_sum, sum);
    AADD(&mp_count, n);
}
/* a stream of `producers` * mp_per items over a channel of capacity cap;
   the item count, or 0 if the set-up failed */
static long mp_setup(size_t cap, int producers) {
    mp_per = SCALE(UNDER_TSAN_SCALE(20000), 300);
    if (!EXPECT_EQ(ars_chan_create(&mp_ch, sizeof(long), cap, NULL), 0)) return 0;
    if (!EXPECT_EQ(ars_chan_create(&mp_never, sizeof(long), 0, NULL), 0)) return 0;
    mp_seen = (unsigned *)calloc((size_t)(mp_per * producers), sizeof *mp_seen);
    if (!EXPECT(mp_seen)) return 0;
    mp_sum = mp_count = mp_timeouts = 0;
    mp_producers_left = producers;
    return mp_per * producers;
}
/* every item arrived exactly once, no waiter left behind */
static void mp_check(long total) {
    long i, bad = 0;
    EXPECT_EQ(mp_count, total);
    EXPECT_EQ(mp_sum, (long long)total * (total - 1) / 2);
    for (i = 0; i < total; i++) bad += mp_seen[i] != 1;
    EXPECT_EQ(bad, 0);
    EXPECT(mp_ch->recv_head == NULL && mp_ch->send_head == NULL && mp_never->recv_head == NULL);
    free(mp_seen);
    ars_chan_destroy(mp_ch); ars_chan_destroy(mp_never);
}
static void mp_run(size_t cap) {
    sched_job jp[MP_THREADS], jc[MP_THREADS];
    long total = mp_setup(cap, MP_THREADS * MP_COROS);
    int t;
    if (!total) return;
    for (t = 0; t < MP_THREADS; t++) {
        jp[t].fn = mp_producer; jp[t].coros = MP_COROS; jp[t].base = t * MP_COROS;
        jc[t].fn = mp_consumer; jc[t].coros = MP_COROS; jc[t].base = t * MP_COROS;
        spawn_thread(t, sched_thread, &jp[t]);
        spawn_thread(MP_THREADS + t, sched_thread, &jc[t]);
    }
    for (t = 0; t < 2 * MP_THREADS; t++) thr_join(thr[t]);
    mp_check(total);
}
static void test_threads_mpmc_unbuffered(void) { mp_run(0); }
static void test_threads_mpmc_buffered(void) { mp_run(16); }

/* the same stream with plain threads among the producers and consumers:
   their waits (thread waiters) race with coroutine waiters on one channel */
static void mp_plain_run(size_t cap) {
    sched_job jp, jc;
    long total = mp_setup(cap, MP_COROS + 2);
    int t;
    if (!total) return;
    jp.fn = mp_producer; jp.coros = MP_COROS; jp.base = 0;
    jc.fn = mp_consumer; jc.coros = MP_COROS; jc.base = 0;
    spawn_thread(0, sched_thread, &jp);
    spawn_thread(1, sched_thread, &jc);
    spawn_thread(2, mp_producer, (void *)(intptr_t)MP_COROS);          /* plain threads */
    spawn_thread(3, mp_producer, (void *)(intptr_t)(MP_COROS + 1));
    spawn_thread(4, mp_consumer, (void *)(intptr_t)MP_COROS);          /* select */
    spawn_thread(5, mp_consumer, (void *)(intptr_t)(MP_COROS + 1));    /* timed recv */
    for (t = 0; t < 6; t++) thr_join(thr[t]);
    mp_check(total);
}
static void test_threads_mpmc_plain(void) { mp_plain_run(0); mp_plain_run(8); }

/* Chaos across threads: coroutines on 2 scheduler threads, each sending its
   own items and receiving everyone's, over 3 channels (two unbuffered, one
   of capacity 2), through plain sends and receives with short deadlines,
   try_ calls, and selects of 1-3 cases mixing sends and receives on any of
   them (a select may send and receive on the same channel, and selects
   meet selects); a plain thread cancels coroutines at random, and the
   buffered channel is closed halfway (its buffer drains, then its sends and
   receives report ARS_ECLOSED). A call that returns ARS_ECANCELED,
   ARS_ETIMEDOUT, ARS_EAGAIN or ARS_ECLOSED moved nothing, so its sender
   tries the item again elsewhere: every item must arrive exactly once, and
   no waiter be left on a channel. */
#define CH_THREADS 2
#define CH_COROS 4
#define CH_NCH 3
static ars_chan *ch_ch[CH_NCH];
static ars_coro *ch_co[CH_THREADS * CH_COROS];
static long ch_per, ch_total, ch_recvd, ch_sent, ch_closed, ch_cancels, ch_stop, ch_finished, ch_release;
static long ch_hits[6];              /* selects by outcome: send, recv, closed case, timeout, cancel, default */
static unsigned *ch_seen;
static int64_t ch_until, ch_last;   /* time limit; time of the last receive */
static unsigned ch_rand(unsigned *x) { *x ^= *x << 13; *x ^= *x >> 17; *x ^= *x << 5; return *x; }
/* a call that moved nothing: only the documented reasons */
static void ch_failed(int r) {
    if (r == ARS_ECANCELED) AADD(&ch_cancels, 1);
    else if (r != ARS_ETIMEDOUT && r != ARS_EAGAIN && r != ARS_ECLOSED) EXPECT_EQ(r, 0);
}
static int ch_got(long v) {
    if (v < 0 || v >= ch_total) return EXPECT(0);
    AADD(&ch_seen[v], 1);
    AADD(&ch_recvd, 1);
    ASTORE(&ch_last, ars_now());
    return 1;
}
static void ch_worker(void *arg) {
    int k = (int)(intptr_t)arg;
    unsigned x = 0x9e3779b9u * (unsigned)(k + 1);
    long next = (long)k * ch_per, end = next + ch_per;
    __atomic_store_n(&ch_co[k], ars_coro_running(), __ATOMIC_SEQ_CST);
    while (ALOAD(&ch_recvd) < ch_total && !ALOAD(&ch_stop)) {
        unsigned op = ch_rand(&x) % 8;
        int c = (int)(ch_rand(&x) % CH_NCH), r;
        long v = -1;
        int64_t dl = ch_rand(&x) % 4 == 0 ? 0 : ars_now() + 1;
        /* a lost item: everything sent, nothing received for 5 s */
        if (ars_now() > ch_until || (ALOAD(&ch_sent) == ch_total && ars_now() - ALOAD(&ch_last) > 5000)) {
            ASTORE(&ch_stop, 1);
            break;
        }
        if (next < end && c == 2 && ALOAD(&ch_closed)) c = (int)(ch_rand(&x) % 2);
        if (op < 2 && next < end) {                       /* send */
            r = op ? ars_chan_send(ch_ch[c], &next, dl) : ars_chan_try_send(ch_ch[c], &next);
            if (r == 0) { next++; AADD(&ch_sent, 1); }
            else ch_failed(r);
        } else if (op < 4) {                              /* receive */
            r = op == 2 ? ars_chan_recv(ch_ch[c], &v, dl) : ars_chan_try_recv(ch_ch[c], &v);
            if (r == 0) ch_got(v);
            else ch_failed(r);
        } else {                                          /* select of 1-3 cases */
            ars_select_case cs[3];
            long in[3] = { -1, -1, -1 }, out = next;
            int n = 1 + (int)(ch_rand(&x) % 3), i;
            for (i = 0; i < n; i++) {
                int cc = (int)(ch_rand(&x) % CH_NCH);
                cs[i].ch = ch_ch[cc];
                cs[i].result = 0;
                if (next < end && ch_rand(&x) % 2 && !(cc == 2 && ALOAD(&ch_closed))) {
                    cs[i].op = ARS_SELECT_SEND; cs[i].elem = &out;
                } else {
                    cs[i].op = ARS_SELECT_RECV; cs[i].elem = &in[i];
                }
            }
            r = ars_select(cs, n, dl);
            if (r >= 0 && r < n) {
                if (cs[r].result == ARS_ECLOSED) {
                    EXPECT(cs[r].ch == ch_ch[2]);
                    AADD(&ch_hits[2], 1);
                } else if (EXPECT_EQ(cs[r].result, 0)) {
                    if (cs[r].op == ARS_SELECT_SEND) { next++; AADD(&ch_sent, 1); AADD(&ch_hits[0], 1); }
                    else { ch_got(in[r]); AADD(&ch_hits[1], 1); }
                }
            } else if (r == ARS_ETIMEDOUT) {
                AADD(&ch_hits[3], 1);
            } else if (r == ARS_ECANCELED) {
                AADD(&ch_hits[4], 1); AADD(&ch_cancels, 1);
            } else if (r == ARS_EAGAIN) {
                AADD(&ch_hits[5], 1);
            } else {
                EXPECT_EQ(r, 0);
            }
            for (i = 0; i < n; i++) if (cs[i].op == ARS_SELECT_RECV && (r != i || cs[i].result)) EXPECT_EQ(in[i], -1);
        }
        /* the first sender past half of all items closes the buffered channel */
        if (ALOAD(&ch_sent) >= ch_total / 2 && !ALOAD(&ch_closed) && __atomic_exchange_n(&ch_closed, 1, __ATOMIC_SEQ_CST) == 0)
            EXPECT_EQ(ars_chan_close(ch_ch[2]), 0);
    }
    /* stay alive (cancelable) until the canceller has stopped */
    AADD(&ch_finished, 1);
    while (!ALOAD(&ch_release)) ars_sleep_until(ars_now() + 1);
}
static void ch_canceller(void *arg) {
    unsigned x = 777;
    (void)arg;
    while (ALOAD(&ch_finished) < CH_THREADS * CH_COROS) {
        ars_coro *co = __atomic_load_n(&ch_co[ch_rand(&x) % (CH_THREADS * CH_COROS)], __ATOMIC_SEQ_CST);
        if (co && ch_rand(&x) % 4 == 0) ars_cancel(co);
#if defined(_WIN32)
        SwitchToThread();
#else
        sched_yield();
#endif
    }
}
static void test_threads_chaos(void) {
    sched_job j[CH_THREADS];
    long i, bad = 0;
    int t;
    ch_per = SCALE(UNDER_TSAN_SCALE(20000), 400);
    ch_total = ch_per * CH_THREADS * CH_COROS;
    ASSERT_EQ(ars_chan_create(&ch_ch[0], sizeof(long), 0, NULL), 0);
    ASSERT_EQ(ars_chan_create(&ch_ch[1], sizeof(long), 0, NULL), 0);
    ASSERT_EQ(ars_chan_create(&ch_ch[2], sizeof(long), 2, NULL), 0);
    ch_seen = (unsigned *)calloc((size_t)ch_total, sizeof *ch_seen);
    ASSERT(ch_seen);
    ch_recvd = ch_sent = ch_closed = ch_cancels = ch_stop = ch_finished = ch_release = 0;
    for (i = 0; i < 6; i++) ch_hits[i] = 0;
    for (i = 0; i < CH_THREADS * CH_COROS; i++) ch_co[i] = NULL;
    ch_until = ars_now() + 300000;
    ch_last = ars_now();
    for (t = 0; t < CH_THREADS; t++) {
        j[t].fn = ch_worker; j[t].coros = CH_COROS; j[t].base = t * CH_COROS;
        spawn_thread(t, sched_thread, &j[t]);
    }
    spawn_thread(CH_THREADS, ch_canceller, NULL);
    thr_join(thr[CH_THREADS]);       /* returns once every worker finished */
    ASTORE(&ch_release, 1);
    for (t = 0; t < CH_THREADS; t++) thr_join(thr[t]);
    EXPECT_EQ(ch_stop, 0);
    EXPECT_EQ(ch_recvd, ch_total);
    EXPECT_EQ(ch_sent, ch_total);
    for (i = 0; i < ch_total; i++) bad += ch_seen[i] != 1;
    EXPECT_EQ(bad, 0);
    /* every path ran: select sends, receives, closed cases, timeouts,
       cancels, defaults (a quick run has ~3 canceled selects: not checked) */
    for (i = 0; i < 6; i++) if (!SCALE(0, i == 3 || i == 4)) EXPECT(ch_hits[i] > 0);
    if (!SCALE(0, 1)) EXPECT(ch_cancels > 0);
    for (t = 0; t < CH_NCH; t++) {
        EXPECT(ch_ch[t]->recv_head == NULL && ch_ch[t]->send_head == NULL);
        ars_chan_destroy(ch_ch[t]);
    }
    free(ch_seen);
}

/* ars_cancel from another thread, racing with deliveries: a canceled call
   delivered nothing, so the totals still add up */
#define CX_RECV 4
static ars_chan *cxt_ch, *cxt_never;
static ars_coro *cxt_co[CX_RECV];
static long cxt_sum, cxt_count, cxt_cancels, cxt_done, cxt_finished, cxt_release;
static void cxt_receiver(void *arg) {
    long v, sum = 0, n = 0;
    int k = (int)(intptr_t)arg, r;
    __atomic_store_n(&cxt_co[k], ars_coro_running(), __ATOMIC_SEQ_CST);
    for (;;) {
        if (k % 2) {
            r = ars_chan_recv(cxt_ch, &v, -1);
        } else {                          /* a select with a never-ready case */
            long w;
            ars_select_case cs[2] = { ARS_RECV_CASE(NULL, &w), ARS_RECV_CASE(NULL, &v) };
            cs[0].ch = cxt_never; cs[1].ch = cxt_ch;
            r = ars_select(cs, 2, -1);
            if (r == 1) r = cs[1].result;
            else if (r >= 0) { EXPECT_EQ(r, 1); break; }
        }
        if (r == ARS_ECANCELED) { AADD(&cxt_cancels, 1); continue; }
        if (r != 0) break;
        sum += v; n++;
    }
    AADD(&cxt_sum, sum); AADD(&cxt_count, n);
    /* stay alive (cancelable) until the canceller has stopped */
    AADD(&cxt_finished, 1);
    while (!ALOAD(&cxt_release)) ars_sleep_until(ars_now() + 1);
}
static void cxt_sender(void *arg) {
    long i, n = (long)(intptr_t)arg;
    int64_t until;
    for (i = 1; i <= n / 2; i++) EXPECT_EQ(ars_chan_send(cxt_ch, &i, -1), 0);
    /* halfway, wait (at most 30 s) until a cancel has landed: the receivers
       sit blocked meanwhile, so the canceller hits one even on a slow leg
       (TSan, Valgrind, qemu) where it may not start before the stream ends */
    until = ars_now() + 30000;
    while (!ALOAD(&cxt_cancels) && ars_now() < until) ars_sleep_until(ars_now() + 1);
    for (; i <= n; i++) EXPECT_EQ(ars_chan_send(cxt_ch, &i, -1), 0);
    ars_chan_close(cxt_ch);
}
static void cxt_canceller(void *arg) {
    unsigned x = 12345;
    (void)arg;
    while (!ALOAD(&cxt_done)) {
        ars_coro *co;
        x = x * 1103515245u + 12345u;
        co = __atomic_load_n(&cxt_co[(x >> 16) % CX_RECV], __ATOMIC_SEQ_CST);
        if (co && !ALOAD(&cxt_done)) ars_cancel(co);
        /* let the other threads run: under Valgrind, which runs one thread
           at a time, a pure spin here starved them past the leg's timeout */
#if defined(_WIN32)
        SwitchToThread();
#else
        sched_yield();
#endif
    }
}
static void cxt_run(size_t cap) {
    long n = SCALE(UNDER_TSAN_SCALE(100000), 2000);
    sched_job jr = { cxt_receiver, CX_RECV, 0 };
    int i;
    ASSERT_EQ(ars_chan_create(&cxt_ch, sizeof(long), cap, NULL), 0);
    ASSERT_EQ(ars_chan_create(&cxt_never, sizeof(long), 0, NULL), 0);
    cxt_sum = cxt_count = cxt_cancels = cxt_done = cxt_finished = cxt_release = 0;
    for (i = 0; i < CX_RECV; i++) cxt_co[i] = NULL;
    spawn_thread(0, sched_thread, &jr);
    spawn_thread(1, cxt_canceller, NULL);
    ars_go(cxt_sender, (void *)(intptr_t)n);
    ars_sched_run();
    /* a coroutine pointer must not outlive its coroutine: stop the
       canceller before the receivers may finish */
    while (ALOAD(&cxt_finished) < CX_RECV) {
        ars_go(sleep_1ms, NULL);
        ars_sched_run();
    }
    ASTORE(&cxt_done, 1);
    thr_join(thr[1]);
    ASTORE(&cxt_release, 1);
    thr_join(thr[0]);
    EXPECT(cxt_cancels > 0);   /* the sender waits for one halfway */
    EXPECT_EQ(cxt_count, n);
    EXPECT_EQ(cxt_sum, n * (n + 1) / 2);
    EXPECT(cxt_ch->recv_head == NULL && cxt_never->recv_head == NULL);
    ars_chan_destroy(cxt_ch);
    ars_chan_destroy(cxt_never);
}
/* unbuffered, and a buffered ring (lock-free once shared) */
static void test_threads_cancel(void) { cxt_run(0); cxt_run(4); }

/* MPMC queue: 2 producers x 2 consumers (threads, no coroutines), single
   and batch operations, every item exactly once */
static ars_mpmc *mq;
static long mq_per, mq_count;
static long long mq_sum;
static unsigned *mq_seen;
static long mq_producers_left;
static void mq_producer(void *arg) {
    long base = (long)(intptr_t)arg * mq_per, i = 0, batch[7];
    while (i < mq_per) {
        if (i % 2) {
            long k, n = mq_per - i < 7 ? mq_per - i : 7;
            size_t got;
            for (k = 0; k < n; k++) batch[k] = base + i + k;
            got = ars_mpmc_push_n(mq, batch, (size_t)n);
            i += (long)got;
            if (!got) ars_test_yield();
        } else {
            long v = base + i;
            if (ars_mpmc_push(mq, &v) == 0) i++; else ars_test_yield();
        }
    }
    AADD(&mq_producers_left, -1);
}
static void mq_consumer(void *arg) {
    long n = 0, batch[5], total = mq_per * 2;
    long long sum = 0;
    int single = (int)(intptr_t)arg;
    for (;;) {
        size_t got, k;
        if (single) got = ars_mpmc_pop(mq, batch) == 0;
        else got = ars_mpmc_pop_n(mq, batch, 5);
        if (!got) {
            if (ALOAD(&mq_producers_left) == 0 && ars_mpmc_len(mq) == 0) break;
            ars_test_yield();
            continue;
        }
        for (k = 0; k < got; k++) {
            long v = batch[k];
            if (v < 0 || v >= total) { EXPECT(0); return; }
            AADD(&mq_seen[v], 1);
            sum += v; n++;
        }
    }
    AADD(&mq_sum, sum); AADD(&mq_count, n);
}
static void test_threads_mpmc_queue(void) {
    long total, i, bad = 0;
    mq_per = SCALE(UNDER_TSAN_SCALE(500000), 5000);
    total = mq_per * 2;
    ASSERT_EQ(ars_mpmc_create(&mq, sizeof(long), 64, NULL), 0);
    mq_seen = (unsigned *)calloc((size_t)total, sizeof *mq_seen);
    ASSERT(mq_seen);
    mq_sum = mq_count = 0; mq_producers_left = 2;
    spawn_thread(0, mq_producer, (void *)0);
    spawn_thread(1, mq_producer, (void *)1);
    spawn_thread(2, mq_consumer, (void *)0);
    spawn_thread(3, mq_consumer, (void *)1);
    for (i = 0; i < 4; i++) thr_join(thr[i]);
    EXPECT_EQ(mq_count, total);
    EXPECT_EQ(mq_sum, (long long)total * (total - 1) / 2);
    for (i = 0; i < total; i++) bad += mq_seen[i] != 1;
    EXPECT_EQ(bad, 0);
    free(mq_seen);
    ars_mpmc_destroy(mq);
}

/* SPSC across two threads: order preserved, single and batch */
static ars_spsc *sq;
static long sq_n, sq_errors;
static void sq_producer(void *arg) {
    long i = 0, batch[9];
    (void)arg;
    while (i < sq_n) {
        if ((i / 9) % 2) {
            long k, n = sq_n - i < 9 ? sq_n - i : 9;
            size_t got;
            for (k = 0; k < n; k++) batch[k] = i + k;
            got = ars_spsc_push_n(sq, batch, (size_t)n);
            i += (long)got;
            if (!got) ars_test_yield();
        } else if (ars_spsc_push(sq, &i) == 0) i++;
        else ars_test_yield();
    }
}
static void sq_consumer(void *arg) {
    long next = 0, batch[6];
    (void)arg;
    while (next < sq_n) {
        size_t got = (next / 6) % 2 ? ars_spsc_pop_n(sq, batch, 6) : (size_t)(ars_spsc_pop(sq, batch) == 0);
        size_t k;
        if (!got) { ars_test_yield(); continue; }
        for (k = 0; k < got; k++) if (batch[k] != next++) sq_errors++;
    }
}
/* n elements from a producer thread to a consumer thread through sq */
static void sq_run(long n, size_t elem_size, size_t cap, void (*producer)(void *), void (*consumer)(void *)) {
    sq_n = n;
    sq_errors = 0;
    ASSERT_EQ(ars_spsc_create(&sq, elem_size, cap, NULL), 0);
    spawn_thread(0, producer, NULL);
    spawn_thread(1, consumer, NULL);
    thr_join(thr[0]); thr_join(thr[1]);
    EXPECT_EQ(sq_errors, 0);
    EXPECT_EQ(ars_spsc_len(sq), 0);
    ars_spsc_destroy(sq);
}
static void test_threads_spsc(void) {
    sq_run(SCALE(UNDER_TSAN_SCALE(1000000), 10000), sizeof(long), 128, sq_producer, sq_consumer);
}

/* The same with 3-byte elements (cells of a word and a padded element) in
   a ring of 4, so it wraps and runs full and empty all the time. */
static void sq3_put(unsigned char *e, long v) { e[0] = (unsigned char)v; e[1] = (unsigned char)(v >> 8); e[2] = (unsigned char)(v >> 16); }
static long sq3_get(const unsigned char *e) { return (long)e[0] | (long)e[1] << 8 | (long)e[2] << 16; }
static void sq3_producer(void *arg) {
    long i = 0;
    unsigned char batch[5][3];
    (void)arg;
    while (i < sq_n) {
        if ((i / 5) % 2) {
            long k, n = sq_n - i < 5 ? sq_n - i : 5;
            size_t got;
            for (k = 0; k < n; k++) sq3_put(batch[k], i + k);
            got = ars_spsc_push_n(sq, batch, (size_t)n);
            i += (long)got;
            if (!got) ars_test_yield();
        } else {
            sq3_put(batch[0], i);
            if (ars_spsc_push(sq, batch[0]) == 0) i++;
            else ars_test_yield();
        }
    }
}
static void sq3_consumer(void *arg) {
    long next = 0;
    unsigned char batch[3][3];
    (void)arg;
    while (next < sq_n) {
        size_t got = (next / 3) % 2 ? ars_spsc_pop_n(sq, batch, 3) : (size_t)(ars_spsc_pop(sq, batch) == 0);
        size_t k;
        if (!got) { ars_test_yield(); continue; }
        for (k = 0; k < got; k++) if (sq3_get(batch[k]) != (next++ & 0xffffff)) sq_errors++;
    }
}
static void test_threads_spsc_odd(void) {
    sq_run(SCALE(UNDER_TSAN_SCALE(300000), 5000), 3, 4, sq3_producer, sq3_consumer);
}
#endif /* HAVE_THREADS */

/* ---- 100,000 live coroutines parked on channels (small stacks; no 32k
   cap from guard-page mappings) ---- */
#if !defined(ARS_TEST_QUICK) && !defined(ARS_TEST_FREESTANDING)
#if defined(ARS_TEST_FIBER_CAP)
#define MANY ARS_TEST_FIBER_CAP
#elif defined(UNDER_TSAN)
#define MANY 20000
#else
#define MANY 100000
#endif
static ars_chan *many_ch[16];
static long many_parked, many_done;
static long long many_sum;
static void many_recv(void *arg) {
    long v;
    int k = (int)(intptr_t)arg;
    many_parked++;
    if (ars_chan_recv(many_ch[k % 16], &v, -1) == 0) { many_sum += v; many_done++; }
}
static void many_feed(void *arg) {
    long i;
    (void)arg;
    EXPECT_EQ(many_parked, MANY);                  /* all parked at once */
    EXPECT_EQ((long)ars_sched_count(), MANY + 1);
    for (i = 0; i < MANY; i++) ars_chan_send(many_ch[i % 16], &i, -1);
}
static void test_many_parked(void) {
    ars_coro_opts o;
    int i;
    memset(&o, 0, sizeof o);
    o.stack_size = 16 * 1024;
    for (i = 0; i < 16; i++) ASSERT_EQ(ars_chan_create(&many_ch[i], sizeof(long), 0, NULL), 0);
    many_parked = many_sum = many_done = 0;
    for (i = 0; i < MANY; i++)
        if (ars_go_opts(many_recv, (void *)(intptr_t)i, &o, NULL) != 0) { EXPECT_EQ(i, MANY); break; }
    ars_go_opts(many_feed, NULL, &o, NULL);
    EXPECT_EQ(ars_sched_run(), 0);
    EXPECT_EQ(many_done, MANY);
    EXPECT_EQ(many_sum, (long long)MANY * (MANY - 1) / 2);
    for (i = 0; i < 16; i++) ars_chan_destroy(many_ch[i]);
}
#endif

#if defined(HAVE_THREADS)
/* ---- blocking calls outside every coroutine: the thread itself waits ---- */
static ars_chan *pt_a, *pt_b;
static long pt_n, pt_sum, pt_got;
static int pt_r;
static void pt_producer(void *arg) {      /* a plain thread: no scheduler */
    long i;
    (void)arg;
    for (i = 1; i <= pt_n; i++) if (ars_chan_send(pt_a, &i, -1) != 0) break;
    ars_chan_close(pt_a);
}
static void pt_consumer(void *arg) {
    long v, sum = 0, got = 0;
    (void)arg;
    while (ars_chan_recv(pt_a, &v, -1) == 0) { sum += v; got++; }
    pt_sum = sum; pt_got = got;
}
/* ping-pong between a plain thread and a coroutine of the main thread */
static void pt_thread_ping(void *arg) {
    long i, v = 0;
    (void)arg;
    for (i = 0; i < pt_n; i++) {
        if (ars_chan_send(pt_a, &i, -1) != 0 || ars_chan_recv(pt_b, &v, -1) != 0 || v != i * 2) {
            pt_r = -1; break;
        }
    }
    ars_chan_close(pt_a);
}
static void pt_coro_pong(void *arg) {
    long v;
    (void)arg;
    while (ars_chan_recv(pt_a, &v, -1) == 0) { v *= 2; if (ars_chan_send(pt_b, &v, -1) != 0) break; }
}
static void pt_selector(void *arg) {    /* a plain thread in ars_select */
    long x = 0, y = 0;
    ars_select_case k[2] = { ARS_RECV_CASE(pt_a, &x), ARS_RECV_CASE(pt_b, &y) };
    (void)arg;
    pt_r = ars_select(k, 2, ars_now() + 10000);
    if (pt_r == 1 && (k[1].result != 0 || y != 77)) pt_r = -2;
}
static void pt_late_sender(void *arg) {
    long v = 77;
    (void)arg;
    ars_sleep_until(ars_now() + 20);
    ars_chan_send(pt_b, &v, -1);
}
static void pt_blocked_recv(void *arg) {
    long v;
    (void)arg;
    pt_r = ars_chan_recv(pt_a, &v, -1);
}
static void pt_idle(void *arg) { (void)arg; ars_sleep_until(ars_now() + 5); }
/* Biased locks: a channel belongs to the first thread that uses it until
   a second thread's call revokes that. Here the owner keeps calling (its
   plain-store lock) while the other thread's first call revokes, in many
   rounds so the revocation lands inside the owner's calls: every item
   arrives once, and (where the process can bias) every round was biased
   and ends revoked. */
static ars_chan *rv_c;
static long rv_n, rv_sum[2], rv_total;
static int rv_go;
/* both threads keep changing the channel: the owner sends every item and
   takes some back itself, the other thread takes the rest */
static void rv_owner(void *arg) {
    long i, v;
    unsigned k;
    (void)arg;
    for (i = 1; i <= rv_n; i++) {
        for (k = 0; ars_chan_try_send(rv_c, &i) == ARS_EAGAIN; k++) if (k > 2000) ars_test_yield();
        if ((i & 1) && ars_chan_try_recv(rv_c, &v) == 0) { rv_sum[0] += v; AADD(&rv_total, 1); }
        if (i == 4) ASTORE(&rv_go, 1);
    }
    for (k = 0; ALOAD(&rv_total) < rv_n; k++) {
        if (ars_chan_try_recv(rv_c, &v) == 0) { rv_sum[0] += v; AADD(&rv_total, 1); }
        else if (k > 2000) { ars_test_yield(); k = 0; }
    }
}
static void rv_thief(void *arg) {
    long v;
    unsigned k = 0;
    (void)arg;
    while (!ALOAD(&rv_go)) ars_test_yield();
    while (ALOAD(&rv_total) < rv_n) {
        int r = ars_chan_try_recv(rv_c, &v);
        if (r == ARS_EAGAIN) { if (++k > 2000) { ars_test_yield(); k = 0; } continue; }
        if (r != 0) { EXPECT_EQ(r, 0); break; }
        rv_sum[1] += v; AADD(&rv_total, 1);
    }
}
static void test_threads_bias_revoke(void) {
    int round, rounds = SCALE(300, 20), biased = 0;
    for (round = 0; round < rounds; round++) {
        ASSERT_EQ(ars_chan_create(&rv_c, sizeof(long), 8, NULL), 0);
        rv_n = SCALE(2000, 200); rv_sum[0] = rv_sum[1] = rv_total = 0; rv_go = 0;
        spawn_thread(0, rv_owner, NULL);
        spawn_thread(1, rv_thief, NULL);
        thr_join(thr[0]); thr_join(thr[1]);
        EXPECT_EQ(rv_total, rv_n);
        EXPECT_EQ(rv_sum[0] + rv_sum[1], rv_n * (rv_n + 1) / 2);
        EXPECT_EQ(ars_chan_len(rv_c), (size_t)0);
#if ARSENAL_CHAN_BIAS
        if (rv_c->owner != ARS__CH_OWNER_SHARED) {
            biased++;
            EXPECT_EQ(rv_c->revoked, 2u);
            /* the owner's fast paths test fast alone: it names no thread now */
            EXPECT_EQ(rv_c->fast, (size_t)ARS__CH_OWNER_SHARED);
        }
#endif
        ars_chan_destroy(rv_c);
    }
#if ARSENAL_CHAN_BIAS
    /* the process could bias (membarrier works): then every round did */
    if (ars__membarrier_on()) EXPECT_EQ(biased, rounds);
    else EXPECT_EQ(biased, 0);
#else
    EXPECT_EQ(biased, 0);
#endif
}

/* ---- the ring turned lock-free (shared across threads) ---- */
static ars_chan *lf_c, *lf_never;
static long lf_n, lf_bad, lf_got;
static int lf_r;
/* another thread takes what one thread left in a wrapped plain ring: the
   ring turns lock-free with every element where it was, in order */
static void lf_thief(void *arg) {
    long v, i;
    (void)arg;
    for (i = 3; i <= 6; i++) {
        if (ars_chan_try_recv(lf_c, &v) != 0 || v != i) lf_bad++;
    }
    if (ars_chan_try_recv(lf_c, &v) != ARS_EAGAIN) lf_bad++;
    v = 7;
    if (ars_chan_try_send(lf_c, &v) != 0) lf_bad++;
}
/* parks (plain ring, this thread's biased lock) until another thread sends */
static void lf_parked_recv(void *arg) {
    long v = 0;
    (void)arg;
    lf_r = ars_chan_recv(lf_c, &v, ars_now() + 5000);
    if (v != 42) lf_bad++;
}
static void lf_parked_select(void *arg) {
    long v = 0, w;
    ars_select_case cs[2] = { ARS_RECV_CASE(NULL, &w), ARS_RECV_CASE(NULL, &v) };
    (void)arg;
    cs[0].ch = lf_never;
    cs[1].ch = lf_c;
    lf_r = ars_select(cs, 2, ars_now() + 5000);
    if (lf_r != 1 || cs[1].result != 0 || v != 43) lf_bad++;
}
static void lf_send42(void *arg) {
    long v = (long)(intptr_t)arg;
    int64_t t0 = ars_now();
    while (ars_now() - t0 < 20) ars_test_yield();      /* the receiver parks first */
    if (ars_chan_send(lf_c, &v, -1) != 0) lf_bad++;
}
/* one producer thread, one consumer thread: FIFO holds (values in order),
   senders park on a full ring and receivers on an empty one */
static void lf_fifo_producer(void *arg) {
    long i;
    (void)arg;
    for (i = 1; i <= lf_n; i++)
        if (ars_chan_send(lf_c, &i, -1) != 0) { lf_bad++; break; }
    ars_chan_close(lf_c);
}
static void lf_fifo_consumer(void *arg) {
    long v, want = 1;
    int r;
    (void)arg;
    while ((r = ars_chan_recv(lf_c, &v, -1)) == 0) {
        if (v != want) lf_bad++;
        want = v + 1;
        lf_got++;
    }
    if (r != ARS_ECLOSED) lf_bad++;
}
static void lf_fifo(size_t cap) {
    sched_job jp = { lf_fifo_producer, 1, 0 }, jc = { lf_fifo_consumer, 1, 0 };
    ASSERT_EQ(ars_chan_create(&lf_c, sizeof(long), cap, NULL), 0);
    lf_n = SCALE(UNDER_TSAN_SCALE(200000), 5000); lf_bad = lf_got = 0;
    spawn_thread(0, sched_thread, &jp);
    spawn_thread(1, sched_thread, &jc);
    thr_join(thr[0]); thr_join(thr[1]);
    EXPECT_EQ(lf_bad, 0);
    EXPECT_EQ(lf_got, lf_n);
    /* every channel able to be lock-free is after crossing threads */
    if (sizeof(size_t) >= 8 || !(cap & (cap - 1))) EXPECT(lf_c->state & ARS__CH_LF);
    EXPECT(lf_c->recv_head == NULL && lf_c->send_head == NULL);
    ars_chan_destroy(lf_c);
}
static void test_threads_lockfree_ring(void) {
    long v;
    int i;
    /* a plain ring of 4, wrapped: 1 2 3 in, 1 2 out, 4 5 6 in (full) */
    ASSERT_EQ(ars_chan_create(&lf_c, sizeof(long), 4, NULL), 0);
    for (v = 1; v <= 3; v++) EXPECT_EQ(ars_chan_try_send(lf_c, &v), 0);
    for (i = 1; i <= 2; i++) { EXPECT_EQ(ars_chan_try_recv(lf_c, &v), 0); EXPECT_EQ(v, i); }
    for (v = 4; v <= 6; v++) EXPECT_EQ(ars_chan_try_send(lf_c, &v), 0);
    EXPECT_EQ(ars_chan_len(lf_c), (size_t)4);
#if ARSENAL_CHAN_BIAS
    /* one thread's channel keeps the plain ring (the biased lock) */
    if (ars__membarrier_on()) EXPECT(!(lf_c->state & ARS__CH_LF));
#endif
    lf_bad = 0;
    spawn_thread(0, lf_thief, NULL);
    thr_join(thr[0]);
    EXPECT_EQ(lf_bad, 0);
    EXPECT(lf_c->state & ARS__CH_LF);
    EXPECT_EQ(ars_chan_len(lf_c), (size_t)1);
    EXPECT_EQ(ars_chan_try_recv(lf_c, &v), 0);
    EXPECT_EQ(v, 7);
    /* full, empty and closed on the lock-free ring */
    for (v = 0; v < 4; v++) EXPECT_EQ(ars_chan_try_send(lf_c, &v), 0);
    EXPECT_EQ(ars_chan_try_send(lf_c, &v), ARS_EAGAIN);
    EXPECT_EQ(ars_chan_len(lf_c), (size_t)4);
    EXPECT_EQ(ars_chan_send(lf_c, &v, ars_now() + 20), ARS_ETIMEDOUT);
    EXPECT_EQ(ars_chan_close(lf_c), 0);
    EXPECT(lf_c->tpos & 1u);            /* no push can claim a cell after the close */
    EXPECT_EQ(ars_chan_close(lf_c), ARS_ECLOSED);
    EXPECT(ars_chan_closed(lf_c));
    EXPECT_EQ(ars_chan_try_send(lf_c, &v), ARS_ECLOSED);
    for (i = 0; i < 4; i++) { EXPECT_EQ(ars_chan_recv(lf_c, &v, -1), 0); EXPECT_EQ(v, i); }
    EXPECT_EQ(ars_chan_recv(lf_c, &v, -1), ARS_ECLOSED);
    EXPECT_EQ(ars_chan_try_recv(lf_c, &v), ARS_ECLOSED);
    EXPECT_EQ(ars_chan_len(lf_c), (size_t)0);
    ars_chan_destroy(lf_c);

    /* a receiver parked on the plain ring is woken when another thread's
       send turns it lock-free; the same for a select */
    ASSERT_EQ(ars_chan_create(&lf_never, sizeof(long), 0, NULL), 0);
    for (i = 0; i < 2; i++) {
        ASSERT_EQ(ars_chan_create(&lf_c, sizeof(long), i ? 5 : 8, NULL), 0);
        v = 1; EXPECT_EQ(ars_chan_try_send(lf_c, &v), 0);       /* biased to this thread */
        EXPECT_EQ(ars_chan_try_recv(lf_c, &v), 0);
        lf_bad = 0; lf_r = -99;
        go(i ? lf_parked_select : lf_parked_recv, NULL, NULL);
        spawn_thread(0, lf_send42, (void *)(intptr_t)(i ? 43 : 42));
        run();
        thr_join(thr[0]);
        EXPECT_EQ(lf_r, i ? 1 : 0);
        EXPECT_EQ(lf_bad, 0);
        ars_chan_destroy(lf_c);
    }
    ars_chan_destroy(lf_never);
    /* FIFO across threads, capacities a power of two and not */
    lf_fifo(1);
    lf_fifo(4);
    lf_fifo(3);
    lf_fifo(100);
}
/* A select of more than 8 cases on a lock-free ring that another thread
   fills and drains all the time: readiness changes under the select
   without its locks. It used to count the ready cases in one pass and
   pick in a second; when the second saw fewer, the pick ran off the end
   and performed cs[n], a case not given to the select (here a receive
   from lfm_d, which must keep its element). */
static ars_chan *lfm_c, *lfm_d;
static int lfm_stop, lfm_rounds;
static void lfm_racer(void *arg) {
    long v = 7, w;
    (void)arg;
    while (!ALOAD(&lfm_stop)) {
        (void)ars_chan_try_send(lfm_c, &v);
        (void)ars_chan_try_recv(lfm_c, &w);
        AADD(&lfm_rounds, 1);
    }
}
static void lfm_run(int n) {
    ars_select_case *cs = (ars_select_case *)calloc((size_t)n + 1, sizeof *cs);
    long *dst = (long *)calloc((size_t)n + 1, sizeof *dst), v = 7;
    int64_t end;
    long k, got = 0, bad = 0;
    int i;
    ASSERT(cs && dst);
    ASSERT_EQ(ars_chan_create(&lfm_c, sizeof(long), 4, NULL), 0);
    ASSERT_EQ(ars_chan_create(&lfm_d, sizeof(long), 1, NULL), 0);
    EXPECT_EQ(ars_chan_try_send(lfm_c, &v), 0);
    v = 99;
    EXPECT_EQ(ars_chan_try_send(lfm_d, &v), 0);
    for (i = 0; i < n; i++) { cs[i].ch = lfm_c; cs[i].op = ARS_SELECT_RECV; cs[i].elem = &dst[i]; }
    cs[n].ch = lfm_d; cs[n].op = ARS_SELECT_RECV; cs[n].elem = &dst[n]; cs[n].result = 12345;
    ASTORE(&lfm_stop, 0);
    ASTORE(&lfm_rounds, 0);
    spawn_thread(0, lfm_racer, NULL);
    /* the racer's first operation makes the ring lock-free (Valgrind may
       not run it at all while this thread is busy) */
    end = ars_now() + 5000;
    while (!ALOAD(&lfm_rounds) && ars_now() < end) ars_test_yield();
    end = ars_now() + 150;
    for (k = 0; k < UNDER_TSAN_SCALE(200000) && (k & 255 || ars_now() < end); k++) {
        int r = ars_select(cs, n, 0);
        if (r == ARS_EAGAIN) continue;
        if (r < 0 || r >= n || cs[r].result != 0 || dst[r] != 7) { bad++; break; }
        got++;
    }
    ASTORE(&lfm_stop, 1);
    thr_join(thr[0]);
    EXPECT_EQ(bad, 0);
    EXPECT(got > 0);
    EXPECT(lfm_c->state & ARS__CH_LF);
    EXPECT_EQ(ars_chan_len(lfm_d), (size_t)1);     /* cs[n] never ran */
    EXPECT_EQ(dst[n], 0);
    EXPECT_EQ(cs[n].result, 12345);
    ars_chan_destroy(lfm_c);
    ars_chan_destroy(lfm_d);
    free(cs);
    free(dst);
}
static void test_threads_select_many_lf(void) {
    lfm_run(9);                        /* the frame's waiters */
    lfm_run(ARSENAL_CHAN_SELECT_STACK + 12);   /* a heap block's */
}
/* a signal channel (no element buffer) with a capacity stays a plain ring
   across threads: counted exactly */
static ars_chan *sig_c;
static long sig_n, sig_got;
static void sig_producer(void *arg) {
    long i;
    (void)arg;
    for (i = 0; i < sig_n; i++) EXPECT_EQ(ars_chan_send(sig_c, NULL, -1), 0);
    ars_chan_close(sig_c);
}
static void sig_consumer(void *arg) {
    (void)arg;
    while (ars_chan_recv(sig_c, NULL, -1) == 0) sig_got++;
}
static void test_threads_signal_ring(void) {
    sched_job jp = { sig_producer, 1, 0 }, jc = { sig_consumer, 1, 0 };
    ASSERT_EQ(ars_chan_create(&sig_c, 0, 3, NULL), 0);
    sig_n = SCALE(UNDER_TSAN_SCALE(50000), 2000); sig_got = 0;
    spawn_thread(0, sched_thread, &jp);
    spawn_thread(1, sched_thread, &jc);
    thr_join(thr[0]); thr_join(thr[1]);
    EXPECT_EQ(sig_got, sig_n);
    EXPECT(!(sig_c->state & ARS__CH_LF));
    ars_chan_destroy(sig_c);
}
static void test_threads_mpmc_buffered_odd(void) { mp_run(5); mp_run(1); }

/* A select woken by a push on one lock-free ring that then takes another
   case's element passes the wake on: an element never sits in a ring while
   a receiver of it stays parked. The producer waits for every item to
   arrive without closing (a close would wake everyone). */
static ars_chan *sp_a, *sp_b;
static long sp_got, sp_n;
static void sp_select_consumer(void *arg) {
    long va, vb;
    (void)arg;
    for (;;) {
        ars_select_case cs[2] = { ARS_RECV_CASE(NULL, &va), ARS_RECV_CASE(NULL, &vb) };
        int r;
        cs[0].ch = sp_a; cs[1].ch = sp_b;
        r = ars_select(cs, 2, -1);
        if (r < 0 || cs[r].result != 0) break;
        AADD(&sp_got, 1);
    }
}
static void sp_plain_consumer(void *arg) {
    long v;
    ars_chan *c = ((intptr_t)arg & 1) ? sp_b : sp_a;
    while (ars_chan_recv(c, &v, -1) == 0) AADD(&sp_got, 1);
}
static void sp_consumers(void *arg) {
    int i;
    (void)arg;
    for (i = 0; i < 2; i++) ars_go(sp_select_consumer, NULL);
    for (i = 0; i < 4; i++) ars_go(sp_plain_consumer, (void *)(intptr_t)i);
    ars_sched_run();
    ars_coro_cache_trim();
}
/* the same on one thread, deterministically: a select and a receiver
   parked on ring A (the select also on B), a push to A wakes the select,
   one to B finds it claimed; the select then takes A or B at random. When
   it takes B, the receiver must still get A's element. */
static ars_chan *po_a, *po_b;
static int po_sel, po_recv_r;
static long po_recv_v;
static void po_touch(void *arg) {
    long v;
    (void)arg;
    EXPECT_EQ(ars_chan_try_recv(po_a, &v), ARS_EAGAIN);    /* turns them lock-free */
    EXPECT_EQ(ars_chan_try_recv(po_b, &v), ARS_EAGAIN);
}
static void po_selector(void *arg) {
    long va = 0, vb = 0;
    ars_select_case cs[2] = { ARS_RECV_CASE(NULL, &va), ARS_RECV_CASE(NULL, &vb) };
    (void)arg;
    cs[0].ch = po_a; cs[1].ch = po_b;
    po_sel = ars_select(cs, 2, -1);
}
static void po_receiver(void *arg) {
    (void)arg;
    po_recv_r = ars_chan_recv(po_a, &po_recv_v, ars_now() + 2000);
}
static void po_pusher(void *arg) {
    long v = 7;
    int i;
    (void)arg;
    EXPECT_EQ(ars_chan_try_send(po_a, &v), 0);
    EXPECT_EQ(ars_chan_try_send(po_b, &v), 0);
    for (i = 0; i < 10 || (po_sel == -99 && i < 100000); i++) ars_sched_yield();
    /* the select took A's element: one more for the receiver */
    v = 8;
    if (po_sel == 0) EXPECT_EQ(ars_chan_try_send(po_a, &v), 0);
}
static void test_threads_select_pass_on_1t(void) {
    int round, took_b = 0;
    long v;
    for (round = 0; round < 40; round++) {
        ASSERT_EQ(ars_chan_create(&po_a, sizeof(long), 4, NULL), 0);
        ASSERT_EQ(ars_chan_create(&po_b, sizeof(long), 4, NULL), 0);
        EXPECT_EQ(ars_chan_try_recv(po_a, &v), ARS_EAGAIN);    /* this thread first */
        EXPECT_EQ(ars_chan_try_recv(po_b, &v), ARS_EAGAIN);
        spawn_thread(0, po_touch, NULL);
        thr_join(thr[0]);
        EXPECT(po_a->state & po_b->state & ARS__CH_LF);
        po_sel = -99; po_recv_r = -99; po_recv_v = 0;
        go(po_selector, NULL, NULL);
        go(po_receiver, NULL, NULL);
        go(po_pusher, NULL, NULL);
        run();
        EXPECT(po_sel == 0 || po_sel == 1);
        took_b += po_sel == 1;
        /* the receiver got the element the select left, or the select took A */
        EXPECT_EQ(po_recv_r, 0);
        EXPECT_EQ(po_recv_v, po_sel == 1 ? 7 : 8);
        ars_chan_destroy(po_a); ars_chan_destroy(po_b);
    }
    EXPECT(took_b > 0);
}
static void test_threads_select_pass_on(void) {
    int round, rounds = SCALE(UNDER_TSAN_SCALE(150), 10);
    ASSERT_EQ(ars_chan_create(&sp_a, sizeof(long), 4, NULL), 0);
    ASSERT_EQ(ars_chan_create(&sp_b, sizeof(long), 4, NULL), 0);
    sp_got = 0; sp_n = 0;
    spawn_thread(0, sp_consumers, NULL);
    for (round = 0; round < rounds; round++) {
        long i, burst = 1 + round % 9;
        int64_t until;
        for (i = 0; i < burst; i++) {
            EXPECT_EQ(ars_chan_send((i + round) % 3 ? sp_a : sp_b, &i, -1), 0);
            sp_n++;
        }
        until = ars_now() + 5000;
        while (ALOAD(&sp_got) < sp_n && ars_now() < until) ars_test_yield();
        if (!EXPECT_EQ(ALOAD(&sp_got), sp_n)) break;
    }
    ars_chan_close(sp_a); ars_chan_close(sp_b);
    thr_join(thr[0]);
    EXPECT_EQ(sp_got, sp_n);
    ars_chan_destroy(sp_a); ars_chan_destroy(sp_b);
}

/* close racing with senders in mid-stream on a lock-free ring: every send
   that returned 0 is received exactly once, none after a receiver saw
   ARS_ECLOSED, and every send after the close fails */
static ars_chan *cr_c;
static long cr_sent, cr_recv, cr_bad;
static long long cr_sent_sum, cr_recv_sum;
static void cr_sender(void *arg) {
    long v = (long)(intptr_t)arg * 1000000000L, n = 0;
    long long sum = 0;
    int r;
    while ((r = ars_chan_send(cr_c, &v, -1)) == 0) { sum += v; n++; v++; }
    if (r != ARS_ECLOSED) AADD(&cr_bad, 1);
    if (ars_chan_try_send(cr_c, &v) != ARS_ECLOSED) AADD(&cr_bad, 1);
    AADD(&cr_sent, n); AADD(&cr_sent_sum, sum);
}
static void cr_receiver(void *arg) {
    long v, n = 0;
    long long sum = 0;
    int r;
    (void)arg;
    while ((r = ars_chan_recv(cr_c, &v, -1)) == 0) { sum += v; n++; }
    if (r != ARS_ECLOSED) AADD(&cr_bad, 1);
    /* closed and drained stays so */
    if (ars_chan_try_recv(cr_c, &v) != ARS_ECLOSED) AADD(&cr_bad, 1);
    AADD(&cr_recv, n); AADD(&cr_recv_sum, sum);
}
static void test_threads_close_race(void) {
    static const size_t caps[] = { 1, 3, 4, 64 };
    int round, rounds = SCALE(UNDER_TSAN_SCALE(400), 8);
    for (round = 0; round < rounds; round++) {
        sched_job js = { cr_sender, 2, 1 + 2 * (round % 2) }, jr = { cr_receiver, 2, 0 };
        int64_t t0;
        ASSERT_EQ(ars_chan_create(&cr_c, sizeof(long), caps[round % 4], NULL), 0);
        cr_sent = cr_recv = cr_bad = 0; cr_sent_sum = cr_recv_sum = 0;
        spawn_thread(0, sched_thread, &js);
        spawn_thread(1, sched_thread, &jr);
        spawn_thread(2, cr_sender, (void *)(intptr_t)9);       /* a plain thread too */
        t0 = ars_now();
        while (ars_now() - t0 < round % 3) ars_test_yield();
        EXPECT_EQ(ars_chan_close(cr_c), 0);
        thr_join(thr[0]); thr_join(thr[1]); thr_join(thr[2]);
        EXPECT_EQ(cr_bad, 0);
        EXPECT_EQ(cr_recv, cr_sent);
        EXPECT(cr_recv_sum == cr_sent_sum);
        EXPECT_EQ(ars_chan_len(cr_c), (size_t)0);
        ars_chan_destroy(cr_c);
    }
}

/* A destroy racing a waiter of another thread whose park ended otherwise
   (canceled here) and which is on its way to the channel's lock to leave
   the queue: the destroy must keep the channel's memory until that thread
   is done with it (a use-after-free of the lock before). The canceled
   coroutine parks in a receive or, every other round, a 2-case select; the
   destroy comes a swept delay after the cancel, so some rounds land in the
   waiter's few hundred nanoseconds between reading its link and locking. */
static ars_chan *dr_c, *dr_q;
static ars_coro *dr_co;
static int dr_parked, dr_select;
static long dr_bad;
static void dr_waiter(void *arg) {
    long v, w;
    int r;
    (void)arg;
    if (ALOAD(&dr_select)) {
        ars_select_case cs[2] = { ARS_RECV_CASE(dr_c, &v), ARS_RECV_CASE(dr_q, &w) };
        r = ars_select(cs, 2, -1);
        if (r == 0) r = cs[0].result;
    } else {
        r = ars_chan_recv(dr_c, &v, -1);
    }
    if (r != ARS_ECANCELED && r != ARS_ECLOSED) AADD(&dr_bad, 1);
}
/* runs once the waiter, spawned first, has parked */
static void dr_notify(void *arg) { (void)arg; ASTORE(&dr_parked, 1); }
static void dr_thread(void *arg) {
    ars_coro *co = NULL;
    (void)arg;
    if (ars_go_opts(dr_waiter, NULL, NULL, &co) != 0 || ars_go(dr_notify, NULL) != 0) {
        AADD(&dr_bad, 1);
        return;
    }
    ASTORE(&dr_co, co);
    ars_sched_run();
    ars_coro_cache_trim();
}
static void test_threads_destroy_race(void) {
    int round, rounds = SCALE(UNDER_TSAN_SCALE(600), 20);
    dr_bad = 0;
    ASSERT_EQ(ars_chan_create(&dr_q, sizeof(long), 0, NULL), 0);
    for (round = 0; round < rounds; round++) {
        volatile unsigned spin;
        unsigned k = (unsigned)(round * 7919) % 40000u;
        ars_coro *co;
        ASSERT_EQ(ars_chan_create(&dr_c, sizeof(long), 0, NULL), 0);
        ASTORE(&dr_co, (ars_coro *)NULL);
        ASTORE(&dr_parked, 0);
        ASTORE(&dr_select, round & 1);
        spawn_thread(0, dr_thread, NULL);
        /* the waiter is parked: its thread has gone on to dr_notify */
        while (((co = ALOAD(&dr_co)) == NULL || !ALOAD(&dr_parked)) && !ALOAD(&dr_bad)) ars_test_yield();
        if (!co) { thr_join(thr[0]); ars_chan_destroy(dr_c); break; }
        EXPECT_EQ(ars_cancel(co), 0);
        for (spin = 0; spin < k; spin++) {}
        EXPECT_EQ(ars_chan_destroy(dr_c), 0);
        thr_join(thr[0]);
    }
    ars_chan_destroy(dr_q);
    EXPECT_EQ(dr_bad, 0);
}

/* A destroy after an operation on a lock-free ring woke a parked peer to
   retry: the peer comes back to the channel, so the destroy waits for it
   (yielding, as the peer may be a coroutine of its own thread), and a
   select woken so by one channel no longer touches another that a destroy
   took meanwhile (that case fires, ARS_ECLOSED). Before, the peer retried
   on the freed channel: here its memory set up again as a new channel, on
   which a receive found the new one's end (or element) and a send went in.
   Modes: 0 a receive, 1 a send on a full ring, 2 a 3-case select, 3 a
   select over x and y when y is destroyed; the peer a coroutine of this
   thread, then (modes 0 to 2) of another one. */
static ars_chan dt_x, dt_y;
static size_t dt_xbuf[ARS_CHAN_BUFFER_SIZE(sizeof(long), 4) / sizeof(size_t)];
static size_t dt_ybuf[ARS_CHAN_BUFFER_SIZE(sizeof(long), 4) / sizeof(size_t)];
static int dt_mode, dt_parked, dt_sent;
static long dt_bad;
static void dt_try_recv(void *arg) { long v; EXPECT_EQ(ars_chan_try_recv((ars_chan *)arg, &v), ARS_EAGAIN); }
/* a channel used by two threads: its ring lock-free */
static void dt_make(ars_chan *c, size_t *buf) {
    ASSERT_EQ(ars_chan_init(c, sizeof(long), 4, buf, sizeof dt_xbuf), 0);
    dt_try_recv(c);
    spawn_thread(MAX_THR - 1, dt_try_recv, c);
    thr_join(thr[MAX_THR - 1]);
    EXPECT(c->state & ARS__CH_LF);
}
static void dt_peer(void *arg) {
    long v = 9, u = 0;
    int r;
    (void)arg;
    if (dt_mode == 1) {                  /* the ring is full */
        /* ARS_ECLOSED; or, with the peer on another thread, 0 when its
           retry came before the destroy's close (the round checks that
           the 9 did not go into the channel set up again) */
        r = ars_chan_send(&dt_x, &v, ars_now() + 2000);
        if (r == 0) ASTORE(&dt_sent, 1);
        else if (r != ARS_ECLOSED) AADD(&dt_bad, 1);
    } else if (dt_mode == 0) {
        if (ars_chan_recv(&dt_x, &v, ars_now() + 2000) != 0 || v != 5) AADD(&dt_bad, 1);
    } else {
        ars_select_case cs[3] = { ARS_RECV_CASE(NULL, &u), ARS_RECV_CASE(&dt_x, &v), ARS_RECV_CASE(NULL, &u) };
        if (dt_mode == 3) cs[2].ch = &dt_y;
        r = ars_select(cs, 3, ars_now() + 2000);
        /* x's element, or y's end */
        if (!((r == 1 && cs[1].result == 0 && v == 5) || (r == 2 && cs[2].result == ARS_ECLOSED && u == 0)))
            AADD(&dt_bad, 1);
    }
}
/* wakes the peer to retry, destroys, and sets the memory up again */
static void dt_kill(void) {
    long v = 5, w = 7;
    if (dt_mode == 1) EXPECT_EQ(ars_chan_try_recv(&dt_x, &v), 0);
    else EXPECT_EQ(ars_chan_try_send(&dt_x, &v), 0);
    if (dt_mode == 3) {
        EXPECT_EQ(ars_chan_deinit(&dt_y), 0);
        dt_make(&dt_y, dt_ybuf);
        EXPECT_EQ(ars_chan_try_send(&dt_y, &w), 0);
        return;
    }
    EXPECT_EQ(ars_chan_deinit(&dt_x), 0);
    dt_make(&dt_x, dt_xbuf);
    if (dt_mode != 1) EXPECT_EQ(ars_chan_close(&dt_x), 0);
}
static void dt_killer(void *arg) { (void)arg; dt_kill(); }
static void dt_notify(void *arg) { (void)arg; ASTORE(&dt_parked, 1); }
static void dt_thread(void *arg) {
    (void)arg;
    ars_go(dt_peer, NULL);
    ars_go(dt_notify, NULL);
    ars_sched_run();
    ars_coro_cache_trim();
}
static void test_threads_destroy_retry(void) {
    int round, rounds = SCALE(UNDER_TSAN_SCALE(80), 16);
    dt_bad = 0;
    for (round = 0; round < rounds; round++) {
        long v;
        int here = round < rounds / 2;
        dt_mode = here ? round % 4 : round % 3;
        ASTORE(&dt_sent, 0);
        dt_make(&dt_x, dt_xbuf);
        dt_make(&dt_y, dt_ybuf);
        if (dt_mode == 1) for (v = 0; v < 4; v++) EXPECT_EQ(ars_chan_try_send(&dt_x, &v), 0);
        if (here) {                      /* the peer parks, then the killer runs */
            ars_go(dt_peer, NULL);
            ars_go(dt_killer, NULL);
            run();
        } else {
            ASTORE(&dt_parked, 0);
            spawn_thread(0, dt_thread, NULL);
            while (!ALOAD(&dt_parked)) ars_test_yield();
            dt_kill();
            thr_join(thr[0]);
        }
        if (dt_mode == 1 && ALOAD(&dt_sent)) EXPECT_EQ(ars_chan_try_recv(&dt_x, &v), ARS_EAGAIN);
        EXPECT_EQ(ars_chan_deinit(&dt_x), 0);
        EXPECT_EQ(ars_chan_deinit(&dt_y), 0);
    }
    EXPECT_EQ(dt_bad, 0);
}

/* A destroy on another thread while a select woken to retry by one
   channel (x, a lock-free ring's push) is between leaving its queue on
   another (y) and locking y again in its next round: the select was parked
   on y, so the destroy must wait for it (before, it freed y under that
   round: here y's memory set up again, with an element, which the select
   then took). This thread holds the lock of a third channel z to stop the
   select there, after (mode 0) or before (mode 1) its leave of y, and
   takes x's element back. Mode 0: the select has left y's queue. Mode 1:
   a push on y (its element taken back too) dropped the select's waiter,
   its park already claimed, from y's queue. Either way the destroy then
   finds nothing of the select on y. The select must return y's end
   (ARS_ECLOSED). */
static ars_chan sw_z;
static size_t sw_zbuf[ARS_CHAN_BUFFER_SIZE(sizeof(long), 4) / sizeof(size_t)];
static int sw_mode, sw_deinit;
static long sw_bad;
static void sw_select(void *arg) {
    long v = 0, u = 0;
    int y = sw_mode == 0 ? 1 : 2, r;
    ars_select_case cs[3] = { ARS_RECV_CASE(&dt_x, &v), ARS_RECV_CASE(&dt_y, &u), ARS_RECV_CASE(&sw_z, &u) };
    (void)arg;
    if (sw_mode == 1) { cs[1].ch = &sw_z; cs[2].ch = &dt_y; }      /* z left before y */
    r = ars_select(cs, 3, ars_now() + 5000);
    if (r != y || cs[y].result != ARS_ECLOSED || u != 0) AADD(&sw_bad, 1);
}
static void sw_thread(void *arg) {
    (void)arg;
    ars_go(sw_select, NULL);
    ars_go(dt_notify, NULL);
    ars_sched_run();
    ars_coro_cache_trim();
}
static void sw_destroy(void *arg) { (void)arg; EXPECT_EQ(ars_chan_deinit(&dt_y), 0); ASTORE(&sw_deinit, 1); }
static void test_threads_destroy_select_between(void) {
    int round, b, again;
    sw_bad = 0;
    for (round = 0; round < 4; round++) {
        long v = 5, w = 7;
        int64_t t0;
        sw_mode = round & 1;
        dt_make(&dt_x, dt_xbuf);
        dt_make(&dt_y, dt_ybuf);
        dt_make(&sw_z, sw_zbuf);
        ASTORE(&dt_parked, 0);
        ASTORE(&sw_deinit, 0);
        spawn_thread(0, sw_thread, NULL);
        while (!ALOAD(&dt_parked)) ars_test_yield();
        b = ars__ch_lock_b(&sw_z);
        EXPECT_EQ(ars_chan_try_send(&dt_x, &v), 0);     /* wakes the select to retry */
        if (sw_mode == 0) {
            /* it leaves y, then waits for z's lock */
            while (__atomic_load_n(&dt_y.recv_head, __ATOMIC_ACQUIRE) != NULL) ars_test_yield();
        } else {                            /* the push drops it, the pop takes the element back */
            EXPECT_EQ(ars_chan_try_send(&dt_y, &w), 0);
            EXPECT_EQ(ars_chan_try_recv(&dt_y, &w), 0);
        }
        EXPECT_EQ(ars_chan_try_recv(&dt_x, &v), 0);
        spawn_thread(1, sw_destroy, NULL);
        /* the deinit returns, or it waits for the select (counted on y) */
        t0 = ars_now();
        while (!ALOAD(&sw_deinit) && !__atomic_load_n(&dt_y.going, __ATOMIC_ACQUIRE) && ars_now() - t0 < 2000)
            ars_test_yield();
        again = ALOAD(&sw_deinit);
        if (again) {                        /* y's memory a new channel before the select's next round */
            EXPECT_EQ(ars_chan_init(&dt_y, sizeof(long), 4, dt_ybuf, sizeof dt_ybuf), 0);
            EXPECT_EQ(ars_chan_try_send(&dt_y, &w), 0);
        }
        ars__ch_unlock_t(&sw_z, b);
        thr_join(thr[0]);
        thr_join(thr[1]);
        EXPECT_EQ(ars_chan_deinit(&dt_x), 0);
        if (again) EXPECT_EQ(ars_chan_deinit(&dt_y), 0);
        EXPECT_EQ(ars_chan_deinit(&sw_z), 0);
    }
    EXPECT_EQ(sw_bad, 0);
}

/* The 2-case select's own path (ars__ch_pair_park) parks only on two rings
   neither lock-free; when another thread's operation turns one lock-free
   while it is parked, that ring's push or pop wakes it with ARS__CH_RETRY
   and it goes on in ars__ch_pair_retry. The select runs on thread T over
   pa (case 0) and pb (case 1), both buffered, fresh (plain rings, biased
   to T or, without the biased lock, untouched until the select); once it
   has parked, a second coroutine of T holds T in a plain spin, so the
   select cannot run again until this thread says so. This thread then
   pushes to pa (or pops, mode 3), which turns pa lock-free and wakes the
   select to retry. Before T goes on, the state shows which path it is on:
   pa's `going` is 1 (only a wake to retry, or a waker dropping a waiter
   whose park was already claimed, counts there, and nothing else touched
   the select's park), the select's waiter is off pa's queue and still on
   pb's: pair_park's only answer to ARS__CH_RETRY is pair_retry.
   Modes: 0 a receive, the retry takes pa's element; 1 pb destroyed (and
   its memory set up again, with an element) between the wake and the
   retry: the select must return pb's end and never touch pb again, and
   pass the wake on (pa keeps its element); 2 pa destroyed on another
   thread between the wake and the retry: the destroy must wait for the
   retry (pa's memory is set up again, with an element, as soon as it
   returns), which takes the old pa's element; 3 a send on a full pa,
   woken by a pop, the retry pushes (only with the biased lock). Every mode ends with nothing left
   counted or queued on either channel. */
static ars_chan pr_a, pr_b;
static size_t pr_abuf[ARS_CHAN_BUFFER_SIZE(sizeof(long), 4) / sizeof(size_t)];
static size_t pr_bbuf[ARS_CHAN_BUFFER_SIZE(sizeof(long), 4) / sizeof(size_t)];
static int pr_mode, pr_parked, pr_release, pr_r, pr_res0, pr_res1, pr_deinit;
static long pr_v, pr_u;
static void pr_select(void *arg) {
    long v = 0, u = 0, i;
    ars_select_case cs[2] = { ARS_RECV_CASE(&pr_a, &v), ARS_RECV_CASE(&pr_b, &u) };
    (void)arg;
    if (pr_mode == 3) {                  /* pa full (T's plain ring), then a send of 5 */
        for (i = 0; i < 4; i++) EXPECT_EQ(ars_chan_try_send(&pr_a, &i), 0);
        v = 5;
        cs[0].op = ARS_SELECT_SEND;
    }
    pr_r = ars_select(cs, 2, ars_now() + 10000);
    pr_res0 = cs[0].result; pr_res1 = cs[1].result;
    pr_v = v; pr_u = u;
}
/* runs once the select has parked; holds T until released */
static void pr_hold(void *arg) {
    (void)arg;
    ASTORE(&pr_parked, 1);
    while (!ALOAD(&pr_release)) ars_test_yield();
}
static void pr_thread(void *arg) {
    (void)arg;
    ars_go(pr_select, NULL);
    ars_go(pr_hold, NULL);
    ars_sched_run();
    ars_coro_cache_trim();
}
static void pr_destroy_a(void *arg) {
    long w = 9;
    (void)arg;
    EXPECT_EQ(ars_chan_deinit(&pr_a), 0);
    ASTORE(&pr_deinit, 1);
    /* the retry is over: pa's memory may be a new channel at once */
    EXPECT_EQ(ars_chan_init(&pr_a, sizeof(long), 4, pr_abuf, sizeof pr_abuf), 0);
    EXPECT_EQ(ars_chan_try_send(&pr_a, &w), 0);
}
static void test_threads_pair_retry(void) {
    int round, modes = 3;
#if ARSENAL_CHAN_BIAS
    /* a full plain ring needs the biased lock: the spinlock's first
       operation on a buffered ring turns it lock-free */
    if (ars__membarrier_on()) modes = 4;
#endif
    for (round = 0; round < 8; round++) {
        long v = 5, w = 7;
        int64_t t0;
        pr_mode = round % modes;
        ASSERT_EQ(ars_chan_init(&pr_a, sizeof(long), 4, pr_abuf, sizeof pr_abuf), 0);
        ASSERT_EQ(ars_chan_init(&pr_b, sizeof(long), 4, pr_bbuf, sizeof pr_bbuf), 0);
        ASTORE(&pr_parked, 0); ASTORE(&pr_release, 0); ASTORE(&pr_deinit, 0);
        pr_r = -99; pr_res0 = pr_res1 = -99; pr_v = pr_u = -1;
        spawn_thread(0, pr_thread, NULL);
        while (!ALOAD(&pr_parked)) ars_test_yield();
        /* parked by the pair path: both rings plain, one waiter on each */
        EXPECT(!(ALOAD(&pr_a.state) & ARS__CH_LF) && !(ALOAD(&pr_b.state) & ARS__CH_LF));
        EXPECT(ALOAD(pr_mode == 3 ? &pr_a.send_head : &pr_a.recv_head) != NULL);
        EXPECT(ALOAD(&pr_b.recv_head) != NULL);
        /* the wake to retry: a push (a pop of a full ring in mode 3) */
        if (pr_mode == 3) { EXPECT_EQ(ars_chan_try_recv(&pr_a, &v), 0); EXPECT_EQ(v, 0); }
        else EXPECT_EQ(ars_chan_try_send(&pr_a, &v), 0);
        EXPECT(ALOAD(&pr_a.state) & ARS__CH_LF);
        EXPECT_EQ(ALOAD(&pr_a.going), 1u);
        EXPECT(ALOAD(&pr_a.recv_head) == NULL && ALOAD(&pr_a.send_head) == NULL);
        EXPECT(ALOAD(&pr_b.recv_head) != NULL);
        EXPECT_EQ(ALOAD(&pr_r), -99);
        if (pr_mode == 1) {
            /* the select's waiter on pb is marked gone: nothing to wait for */
            EXPECT_EQ(ars_chan_deinit(&pr_b), 0);
            EXPECT_EQ(ars_chan_init(&pr_b, sizeof(long), 4, pr_bbuf, sizeof pr_bbuf), 0);
            EXPECT_EQ(ars_chan_try_send(&pr_b, &w), 0);
        } else if (pr_mode == 2) {
            spawn_thread(1, pr_destroy_a, NULL);
            /* the destroy has closed pa; it must wait for the held retry */
            t0 = ars_now();
            while (!(ALOAD(&pr_a.state) & ARS__CH_CLOSED) && ars_now() - t0 < 5000) ars_test_yield();
            EXPECT(ALOAD(&pr_a.state) & ARS__CH_CLOSED);
            t0 = ars_now();
            while (!ALOAD(&pr_deinit) && ars_now() - t0 < 50) ars_test_yield();
            EXPECT_EQ(ALOAD(&pr_deinit), 0);
        }
        ASTORE(&pr_release, 1);
        thr_join(thr[0]);
        if (pr_mode == 2) {
            /* the retry is over: the destroy returns (a count left on pa
               would keep it waiting for ever: then let it go) */
            t0 = ars_now();
            while (!ALOAD(&pr_deinit) && ars_now() - t0 < 5000) ars_test_yield();
            if (!EXPECT_EQ(ALOAD(&pr_deinit), 1)) ASTORE(&pr_a.going, 0u);
            thr_join(thr[1]);
            EXPECT_EQ(ars_chan_try_recv(&pr_a, &v), 0);     /* the new pa's own element */
            EXPECT_EQ(v, 9);
        }
        switch (pr_mode) {
        case 0: case 2:                  /* pa's element, once */
            EXPECT_EQ(pr_r, 0); EXPECT_EQ(pr_res0, 0); EXPECT_EQ(pr_v, 5); EXPECT_EQ(pr_u, 0);
            break;
        case 1:                          /* pb's end; pa's element still there, the new pb's too */
            EXPECT_EQ(pr_r, 1); EXPECT_EQ(pr_res1, ARS_ECLOSED); EXPECT_EQ(pr_u, 0); EXPECT_EQ(pr_v, 0);
            v = 0; EXPECT_EQ(ars_chan_try_recv(&pr_a, &v), 0); EXPECT_EQ(v, 5);
            w = 0; EXPECT_EQ(ars_chan_try_recv(&pr_b, &w), 0); EXPECT_EQ(w, 7);
            break;
        default:                         /* the 5 went in after 1 2 3 */
            EXPECT_EQ(pr_r, 0); EXPECT_EQ(pr_res0, 0); EXPECT_EQ(pr_u, 0);
            for (w = 1; w <= 3; w++) { EXPECT_EQ(ars_chan_try_recv(&pr_a, &v), 0); EXPECT_EQ(v, w); }
            EXPECT_EQ(ars_chan_try_recv(&pr_a, &v), 0); EXPECT_EQ(v, 5);
            break;
        }
        /* nothing else in either, nothing counted or queued (else no
           destroy: it would wait for ever, or wake a select long gone) */
        EXPECT_EQ(ars_chan_try_recv(&pr_a, &v), ARS_EAGAIN);
        EXPECT_EQ(ars_chan_try_recv(&pr_b, &v), ARS_EAGAIN);
        if (!(EXPECT_EQ(ALOAD(&pr_a.going), 0u) & EXPECT_EQ(ALOAD(&pr_b.going), 0u) &
              EXPECT(pr_a.recv_head == NULL && pr_a.send_head == NULL) &
              EXPECT(pr_b.recv_head == NULL && pr_b.send_head == NULL)))
            break;
        EXPECT_EQ(ars_chan_deinit(&pr_a), 0);
        EXPECT_EQ(ars_chan_deinit(&pr_b), 0);
    }
}

static void test_plain_threads(void) {
    long v = 1;
    int64_t t0;
    ASSERT_EQ(ars_chan_create(&pt_a, sizeof(long), 0, NULL), 0);
    ASSERT_EQ(ars_chan_create(&pt_b, sizeof(long), 0, NULL), 0);
    /* two plain threads over an unbuffered channel: every item, once */
    pt_n = SCALE(20000, 1000); pt_sum = pt_got = 0;
    spawn_thread(0, pt_producer, NULL);
    spawn_thread(1, pt_consumer, NULL);
    thr_join(thr[0]); thr_join(thr[1]);
    EXPECT_EQ(pt_got, pt_n);
    EXPECT_EQ(pt_sum, pt_n * (pt_n + 1) / 2);
    ars_chan_destroy(pt_a);
    ASSERT_EQ(ars_chan_create(&pt_a, sizeof(long), 0, NULL), 0);
    /* a plain thread and a coroutine of this thread, both ways */
    pt_n = SCALE(20000, 1000); pt_r = 0;
    go(pt_coro_pong, NULL, NULL);
    spawn_thread(0, pt_thread_ping, NULL);
    run();
    thr_join(thr[0]);
    EXPECT_EQ(pt_r, 0);
    ars_chan_destroy(pt_a);
    ASSERT_EQ(ars_chan_create(&pt_a, sizeof(long), 0, NULL), 0);
    /* a plain thread's select, fired by a coroutine 20 ms later */
    pt_r = -9;
    spawn_thread(0, pt_selector, NULL);
    go(pt_late_sender, NULL, NULL);
    run();
    thr_join(thr[0]);
    EXPECT_EQ(pt_r, 1);
    /* close wakes a plain thread parked in recv */
    pt_r = 1;
    spawn_thread(0, pt_blocked_recv, NULL);
    t0 = ars_now();
    while (ars_now() - t0 < 30) ars_test_yield();
    ars_chan_close(pt_a);
    thr_join(thr[0]);
    EXPECT_EQ(pt_r, ARS_ECLOSED);
    /* with live coroutines on this thread, waiting would starve them:
       outside a coroutine the call is refused */
    go(pt_idle, NULL, NULL);
    EXPECT_EQ(ars_chan_send(pt_b, &v, -1), ARS_ESTATE);
    EXPECT_EQ(ars_park(-1), ARS_ESTATE);
    run();
    ars_chan_destroy(pt_a);
    ars_chan_destroy(pt_b);
}
#endif

int main(void) {
    ARS_RUN(test_rendezvous);
    ARS_RUN(test_buffered);
    ARS_RUN(test_close_drain);
    ARS_RUN(test_close_wakes);
    ARS_RUN(test_destroy_wakes);
    ARS_RUN(test_select_ready);
    ARS_RUN(test_select_fairness);
    ARS_RUN(test_select_fairness_many);
    ARS_RUN(test_select_fairness_pair);
    ARS_RUN(test_select_pair_sizes);
    ARS_RUN(test_select_parked);
    ARS_RUN(test_select_two);
    ARS_RUN(test_select_many);
    ARS_RUN(test_select_big);
    ARS_RUN(test_deadlines);
    ARS_RUN(test_cancel);
    ARS_RUN(test_typed);
    ARS_RUN(test_allocator);
    ARS_RUN(test_spsc_basic);
    ARS_RUN(test_spsc_one);
    ARS_RUN(test_spsc_trailing_index);
    ARS_RUN(test_mpmc_basic);
    ARS_RUN(test_overflowing_sizes);
    ARS_RUN(test_pipeline);
#if defined(HAVE_THREADS)
    ARS_RUN(test_threads_pingpong);
    ARS_RUN(test_threads_mpmc_unbuffered);
    ARS_RUN(test_threads_mpmc_buffered);
    ARS_RUN(test_threads_mpmc_buffered_odd);
    ARS_RUN(test_threads_lockfree_ring);
    ARS_RUN(test_threads_select_many_lf);
    ARS_RUN(test_threads_signal_ring);
    ARS_RUN(test_threads_close_race);
    ARS_RUN(test_threads_destroy_race);
    ARS_RUN(test_threads_destroy_retry);
    ARS_RUN(test_threads_destroy_select_between);
    ARS_RUN(test_threads_pair_retry);
    ARS_RUN(test_threads_select_pass_on);
    ARS_RUN(test_threads_select_pass_on_1t);
    ARS_RUN(test_threads_cancel);
    ARS_RUN(test_threads_mpmc_queue);
    ARS_RUN(test_threads_spsc);
    ARS_RUN(test_threads_spsc_odd);
    ARS_RUN(test_plain_threads);
    ARS_RUN(test_threads_bias_revoke);
    ARS_RUN(test_threads_mpmc_plain);
    ARS_RUN(test_threads_chaos);
#endif
#if !defined(ARS_TEST_QUICK) && !defined(ARS_TEST_FREESTANDING)
    ARS_RUN(test_many_parked);
#endif
    return ars_test_report();
}
