/* bench_chan.c - arsenal_chan.h side by side with Go channels and ck_ring
   ars-build-libs: -lpthread

   Build and run (x86_64 Linux; golang-go and libck-dev for the peers):
       cc -O2 -I. bench/bench_chan.c -o build/bench/bench_chan -lpthread
       build/bench/bench_chan            # builds bench/go with `go build`
       build/bench/bench_chan quick      # fewer iterations
       build/bench/bench_chan pingpong   # only the same-thread ping-pong, select and buffered rows
       build/bench/bench_chan xthread    # only the cross-thread ping-pong (C side)
       build/bench/bench_chan xbuffered  # only the buffered row across threads
   The Go side (bench/go/main.go) is built into build/bench/chan_go when Go
   is installed; CHAN_GO=<path> points at a prebuilt binary.

   Callgrind instruction counts of the unbuffered ping-pong (repeatable on
   any machine; 100000 round trips = 200000 one-way hand-offs):
       valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out \
           --toggle-collect=cg_pingpong build/bench/bench_chan callgrind
       callgrind_annotate /tmp/cg.out | head    # total Ir / 200000
   (--toggle-collect=cg_select: the select ping-pong, 100000 round trips;
   --toggle-collect=cg_spawn: 103200 spawns, the first 3200 warm the stack
   cache.)

   Rows (C and Go run the same program):
     pingpong   two coroutines, two unbuffered channels, ns per one-way
                hand-off (Go: GOMAXPROCS=1)
     select     the same with every operation a 2-clause select
     buffered   producer -> consumer over a cap-1024 channel, M msg/s
     spawn      start a coroutine that does nothing and run it to the end,
                ns each (batches of 32)
     xthread    unbuffered ping-pong between two threads, each running a
                scheduler (Go: GOMAXPROCS=2, where the runtime may keep both
                goroutines on one P), ns one way, wall time; a second row
                compares the same figure with Go where each goroutine is
                locked to its own OS thread (runtime.LockOSThread), so every
                hand-off crosses threads there too
     xbuffered  the buffered row with producer and consumer on two threads,
                each running a scheduler (Go: GOMAXPROCS=2), wall time
     spsc/mpmc  1 producer thread, 1 consumer thread, 8-byte items, M/s,
                against ck_ring (spsc; mpmc enqueue/dequeue)
     rtt        two SPSC rings between two threads, ns one way, against
                the floor: one shared word stored and awaited each way
     1-thread   push 256 then pop 256 on one thread, ns per item: the
                queues' own instructions, without the cache-line traffic
   The machine is shared: single-thread rows use process CPU time, so time
   other programs had the core is left out; thread rows are wall time.
*/
#define ARSENAL_CORO_IMPLEMENTATION
#define ARSENAL_CHAN_IMPLEMENTATION
#include "arsenal_chan.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#if defined(__has_include)
#if __has_include(<ck_ring.h>)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wcast-qual"
#include <ck_ring.h>
#pragma GCC diagnostic pop
#define HAVE_CK 1
#endif
#endif

static double cpu_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}
static double wall_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}
static int cmpd(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
/* thread rows run for a fixed time, not a fixed count (a loaded machine
   can make a count take minutes) */
static int stop_flag;
static int stopped(void) { return __atomic_load_n(&stop_flag, __ATOMIC_RELAXED); }
static void run_for_ms(long ms) {
    struct timespec t;
    t.tv_sec = ms / 1000; t.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&t, NULL);
    __atomic_store_n(&stop_flag, 1, __ATOMIC_RELAXED);
}
static double median3(double (*f)(long), long n) {
    double r[3];
    int i;
    for (i = 0; i < 3; i++) r[i] = f(n);
    qsort(r, 3, sizeof r[0], cmpd);
    return r[1];
}

/* ---- unbuffered ping-pong on one thread ---- */
static ars_chan *pa, *pb, *pnever;
static long pn;
static long xrounds;
static void ping(void *arg) {
    long i, v;
    (void)arg;
    for (i = 0; i < pn; i++) { ars_chan_send(pa, &i, -1); ars_chan_recv(pb, &v, -1); }
    ars_chan_close(pa);
}
static void xping(void *arg) {
    long i, v;
    (void)arg;
    for (i = 0; !stopped(); i++) { ars_chan_send(pa, &i, -1); ars_chan_recv(pb, &v, -1); }
    xrounds = i;
    ars_chan_close(pa);
}
static void pong(void *arg) {
    long v;
    (void)arg;
    while (ars_chan_recv(pa, &v, -1) == 0) { v++; ars_chan_send(pb, &v, -1); }
}
/* a named function so callgrind can count just this part */
__attribute__((noinline)) void cg_pingpong(void) { ars_sched_run(); }
static double b_pingpong(long n) {
    double t;
    ars_chan_create(&pa, sizeof(long), 0, NULL);
    ars_chan_create(&pb, sizeof(long), 0, NULL);
    pn = n;
    ars_go(ping, NULL); ars_go(pong, NULL);
    t = cpu_ns();
    cg_pingpong();
    t = cpu_ns() - t;
    ars_chan_destroy(pa); ars_chan_destroy(pb);
    return t / (double)(2 * n);
}

/* ---- 2-clause select ping-pong ---- */
static void sping(void *arg) {
    long i, v, dummy;
    (void)arg;
    for (i = 0; i < pn; i++) {
        ars_select_case s1[2] = { ARS_SEND_CASE(pa, &i), ARS_RECV_CASE(pnever, &dummy) };
        ars_select_case s2[2] = { ARS_RECV_CASE(pb, &v), ARS_RECV_CASE(pnever, &dummy) };
        ars_select(s1, 2, -1);
        ars_select(s2, 2, -1);
    }
}
static void spong(void *arg) {
    long i, v = 0, dummy;
    (void)arg;
    for (i = 0; i < pn; i++) {
        ars_select_case s1[2] = { ARS_RECV_CASE(pa, &v), ARS_RECV_CASE(pnever, &dummy) };
        ars_select_case s2[2] = { ARS_SEND_CASE(pb, &v), ARS_RECV_CASE(pnever, &dummy) };
        ars_select(s1, 2, -1);
        v++;
        ars_select(s2, 2, -1);
    }
}
__attribute__((noinline)) void cg_select(void) { ars_sched_run(); }
static double b_select(long n) {
    double t;
    ars_chan_create(&pa, sizeof(long), 0, NULL);
    ars_chan_create(&pb, sizeof(long), 0, NULL);
    ars_chan_create(&pnever, sizeof(long), 0, NULL);
    pn = n;
    ars_go(sping, NULL); ars_go(spong, NULL);
    t = cpu_ns();
    cg_select();
    t = cpu_ns() - t;
    ars_chan_destroy(pa); ars_chan_destroy(pb); ars_chan_destroy(pnever);
    return t / (double)(2 * n);
}

/* ---- buffered producer -> consumer ---- */
static long bsum;
static void bprod(void *arg) {
    long i;
    (void)arg;
    for (i = 0; i < pn; i++) ars_chan_send(pa, &i, -1);
    ars_chan_close(pa);
}
static void bcons(void *arg) {
    long v, s = 0;
    (void)arg;
    while (ars_chan_recv(pa, &v, -1) == 0) s += v;
    bsum = s;
}
static double b_buffered(long n) {
    double t;
    ars_chan_create(&pa, sizeof(long), 1024, NULL);
    pn = n;
    ars_go(bprod, NULL); ars_go(bcons, NULL);
    t = cpu_ns();
    ars_sched_run();
    t = cpu_ns() - t;
    ars_chan_destroy(pa);
    if (bsum != n * (n - 1) / 2) fprintf(stderr, "buffered: bad sum\n");
    return (double)n / (t / 1e9) / 1e6;
}

/* ---- spawn + run to completion ---- */
static long spawned;
static void nothing(void *arg) { (void)arg; spawned++; }
__attribute__((noinline)) void cg_spawn(long n) {
    long i, k;
    for (i = 0; i < n; i += 32) {
        for (k = 0; k < 32; k++) ars_go(nothing, NULL);
        ars_sched_run();
    }
}
static double b_spawn(long n) {
    double t = cpu_ns();
    cg_spawn(n);
    return (cpu_ns() - t) / (double)n;
}

/* ---- cross-thread ping-pong: two schedulers ---- */
typedef struct fnbox { void (*fn)(void *); } fnbox;
static void *sched_thread(void *arg) {
    ars_go(((fnbox *)arg)->fn, NULL);
    ars_sched_run();
    ars_coro_cache_trim();
    return NULL;
}
/* Runs fn1 and fn2, each on its own thread's scheduler; run_ms > 0 stops
   them (stopped()) after that long. Returns the wall time in ns. */
static double two_scheds(void (*fn1)(void *), void (*fn2)(void *), long run_ms) {
    pthread_t t1, t2;
    double t;
    fnbox f1, f2;
    f1.fn = fn1; f2.fn = fn2;
    stop_flag = 0;
    t = wall_ns();
    pthread_create(&t1, NULL, sched_thread, &f1);
    pthread_create(&t2, NULL, sched_thread, &f2);
    if (run_ms > 0) run_for_ms(run_ms);
    pthread_join(t1, NULL); pthread_join(t2, NULL);
    return wall_ns() - t;
}
static double b_xthread(long n) {
    double t;
    ars_chan_create(&pa, sizeof(long), 0, NULL);
    ars_chan_create(&pb, sizeof(long), 0, NULL);
    t = two_scheds(xping, pong, n);
    ars_chan_destroy(pa); ars_chan_destroy(pb);
    return t / (double)(2 * xrounds);
}

/* ---- buffered producer -> consumer, each on its own thread's scheduler ---- */
static double b_xbuffered(long n) {
    double t;
    ars_chan_create(&pa, sizeof(long), 1024, NULL);
    pn = n;
    bsum = 0;
    t = two_scheds(bprod, bcons, 0);
    ars_chan_destroy(pa);
    if (bsum != n * (n - 1) / 2) fprintf(stderr, "xbuffered: bad sum\n");
    return (double)n / (t / 1e9) / 1e6;
}

/* ---- lock-free queues across two threads ---- */
enum { Q_SPSC, Q_MPMC, Q_CK_SPSC, Q_CK_MPMC };
static int qkind;
static long qn;
static ars_spsc *qs;
static ars_mpmc *qm;
#ifdef HAVE_CK
static ck_ring_t ckr;
static ck_ring_buffer_t *ckbuf;
#endif
static long qproduced;
static void *q_producer(void *arg) {
    long i;
    (void)arg;
    for (i = 1; !stopped() || (i & 1023); i++) {
        void *p = (void *)(intptr_t)i;
        switch (qkind) {
        case Q_SPSC: while (ars_spsc_push(qs, &p) != 0) {} break;
        case Q_MPMC: while (ars_mpmc_push(qm, &p) != 0) {} break;
#ifdef HAVE_CK
        case Q_CK_SPSC: while (!ck_ring_enqueue_spsc(&ckr, ckbuf, p)) {} break;
        case Q_CK_MPMC: while (!ck_ring_enqueue_mpmc(&ckr, ckbuf, p)) {} break;
#endif
        }
    }
    __atomic_store_n(&qproduced, i - 1, __ATOMIC_RELEASE);
    return NULL;
}
static long qsum;
static void *q_consumer(void *arg) {
    long i, s = 0;
    (void)arg;
    for (i = 1; ; i++) {
        void *p = NULL;
        int got = 0;
        while (!got) {
            switch (qkind) {
            case Q_SPSC: got = ars_spsc_pop(qs, &p) == 0; break;
            case Q_MPMC: got = ars_mpmc_pop(qm, &p) == 0; break;
#ifdef HAVE_CK
            case Q_CK_SPSC: got = ck_ring_dequeue_spsc(&ckr, ckbuf, &p); break;
            case Q_CK_MPMC: got = ck_ring_dequeue_mpmc(&ckr, ckbuf, &p); break;
#endif
            }
            if (!got && __atomic_load_n(&qproduced, __ATOMIC_ACQUIRE) == i - 1) goto out;
        }
        s += (long)(intptr_t)p;
    }
out:
    qsum = s;
    qn = i - 1;
    return NULL;
}
#define QCAP 1024
static double b_queue(long n) {
    pthread_t t1, t2;
    double t;
    stop_flag = 0;
    qproduced = -1;
    ars_spsc_create(&qs, sizeof(void *), QCAP, NULL);
    ars_mpmc_create(&qm, sizeof(void *), QCAP, NULL);
#ifdef HAVE_CK
    ckbuf = (ck_ring_buffer_t *)calloc(QCAP, sizeof *ckbuf);
    ck_ring_init(&ckr, QCAP);
#endif
    t = wall_ns();
    pthread_create(&t1, NULL, q_producer, NULL);
    pthread_create(&t2, NULL, q_consumer, NULL);
    run_for_ms(n);
    pthread_join(t1, NULL); pthread_join(t2, NULL);
    t = wall_ns() - t;
    n = qn;
    if (qsum != n * (n + 1) / 2) fprintf(stderr, "queue: bad sum\n");
    ars_spsc_destroy(qs); ars_mpmc_destroy(qm);
#ifdef HAVE_CK
    free(ckbuf);
#endif
    return (double)n / (t / 1e9) / 1e6;
}

/* ---- the queues' own cost, one thread: push 256 then pop 256, ns per
   item (push + pop); CPU time, so it means something on a busy machine ---- */
static double b_queue_1t(long n) {
    double t;
    long i, k, s = 0;
    qn = n;
    ars_spsc_create(&qs, sizeof(void *), QCAP, NULL);
    ars_mpmc_create(&qm, sizeof(void *), QCAP, NULL);
#ifdef HAVE_CK
    ckbuf = (ck_ring_buffer_t *)calloc(QCAP, sizeof *ckbuf);
    ck_ring_init(&ckr, QCAP);
#endif
    n = (n / 256) * 256;
    t = cpu_ns();
    for (i = 0; i < n; i += 256) {
        for (k = 1; k <= 256; k++) {
            void *p = (void *)(intptr_t)k;
            switch (qkind) {
            case Q_SPSC: ars_spsc_push(qs, &p); break;
            case Q_MPMC: ars_mpmc_push(qm, &p); break;
#ifdef HAVE_CK
            case Q_CK_SPSC: ck_ring_enqueue_spsc(&ckr, ckbuf, p); break;
            case Q_CK_MPMC: ck_ring_enqueue_mpmc(&ckr, ckbuf, p); break;
#endif
            }
        }
        for (k = 1; k <= 256; k++) {
            void *p = NULL;
            switch (qkind) {
            case Q_SPSC: ars_spsc_pop(qs, &p); break;
            case Q_MPMC: ars_mpmc_pop(qm, &p); break;
#ifdef HAVE_CK
            case Q_CK_SPSC: ck_ring_dequeue_spsc(&ckr, ckbuf, &p); break;
            case Q_CK_MPMC: ck_ring_dequeue_mpmc(&ckr, ckbuf, &p); break;
#endif
            }
            s += (long)(intptr_t)p;
        }
    }
    t = cpu_ns() - t;
    if (s != (n / 256) * 256 * 257 / 2) fprintf(stderr, "queue_1t: bad sum\n");
    ars_spsc_destroy(qs); ars_mpmc_destroy(qm);
#ifdef HAVE_CK
    free(ckbuf);
#endif
    return t / (double)n;
}

/* ---- one-way latency between two threads over two SPSC rings ---- */
static ars_spsc *r1, *r2;
static void *rtt_echo(void *arg) {
    long v;
    (void)arg;
    for (;;) {
        while (ars_spsc_pop(r1, &v) != 0) {}
        if (v < 0) break;
        while (ars_spsc_push(r2, &v) != 0) {}
    }
    return NULL;
}
static double b_rtt(long n) {
    pthread_t t1;
    double t;
    long i, v;
    double end;
    ars_spsc_create(&r1, sizeof(long), 64, NULL);
    ars_spsc_create(&r2, sizeof(long), 64, NULL);
    pthread_create(&t1, NULL, rtt_echo, NULL);
    t = wall_ns();
    end = t + (double)n * 1e6;
    for (i = 0; (i & 255) || wall_ns() < end; i++) {
        while (ars_spsc_push(r1, &i) != 0) {}
        while (ars_spsc_pop(r2, &v) != 0) {}
    }
    t = wall_ns() - t;
    v = -1;
    while (ars_spsc_push(r1, &v) != 0) {}
    pthread_join(t1, NULL);
    n = i;
    ars_spsc_destroy(r1); ars_spsc_destroy(r2);
    return t / (double)(2 * n);
}

/* ---- the floor: one shared word each way, nothing else ---- */
static long word_a[16], word_b[16];   /* apart: one cache line each */
static void *word_echo(void *arg) {
    long v, last = 0;
    (void)arg;
    for (;;) {
        while ((v = __atomic_load_n(&word_a[8], __ATOMIC_ACQUIRE)) == last) {}
        last = v;
        if (v < 0) break;
        __atomic_store_n(&word_b[8], v, __ATOMIC_RELEASE);
    }
    return NULL;
}
static double b_word_rtt(long n) {
    pthread_t t1;
    double t, end;
    long i;
    __atomic_store_n(&word_a[8], 0, __ATOMIC_RELAXED);
    __atomic_store_n(&word_b[8], 0, __ATOMIC_RELAXED);
    pthread_create(&t1, NULL, word_echo, NULL);
    t = wall_ns();
    end = t + (double)n * 1e6;
    for (i = 1; (i & 255) || wall_ns() < end; i++) {
        __atomic_store_n(&word_a[8], i, __ATOMIC_RELEASE);
        while (__atomic_load_n(&word_b[8], __ATOMIC_ACQUIRE) != i) {}
    }
    t = wall_ns() - t;
    __atomic_store_n(&word_a[8], -1, __ATOMIC_RELEASE);
    pthread_join(t1, NULL);
    return t / (double)(2 * (i - 1));
}

/* ---- the Go side ---- */
static double go_val[8];
static const char *go_names[] = { "pingpong_ns", "select_ns", "buffered_mps", "spawn_ns", "xthread_ns",
                                   "xthread_locked_ns", "xbuffered_mps" };
#define GO_NAMES (sizeof go_names / sizeof go_names[0])
static int run_go(int quick) {
    const char *bin = getenv("CHAN_GO");
    char cmd[512], line[256];
    FILE *f;
    struct stat st;
    int got = 0;
    if (!bin) {
        bin = "build/bench/chan_go";
        struct stat src;
        /* (re)build when missing or older than its source */
        if ((stat(bin, &st) != 0 || (stat("bench/go/main.go", &src) == 0 && src.st_mtime > st.st_mtime)) &&
            system("command -v go >/dev/null 2>&1") == 0) {
            fprintf(stderr, "building %s with go build...\n", bin);
            if (system("mkdir -p build/bench && cd bench/go && go build -o ../../build/bench/chan_go .") != 0)
                return 0;
        }
    }
    if (stat(bin, &st) != 0) return 0;
    snprintf(cmd, sizeof cmd, "%s%s", bin, quick ? " quick" : "");
    f = popen(cmd, "r");
    if (!f) return 0;
    while (fgets(line, sizeof line, f)) {
        char name[64];
        double v;
        int i;
        if (sscanf(line, "%63s %lf", name, &v) != 2) continue;
        for (i = 0; i < (int)GO_NAMES; i++) if (!strcmp(name, go_names[i])) { go_val[i] = v; got++; }
    }
    pclose(f);
    return got;
}

static void row(const char *name, const char *unit, double c, double peer, const char *peer_name, int lower_better) {
    if (peer > 0)
        printf("%-34s %10.1f %10.1f  %-8s %6.2fx %s\n", name, c, peer, peer_name,
               lower_better ? peer / c : c / peer, unit);
    else
        printf("%-34s %10.1f %10s  %-8s %7s %s\n", name, c, "-", peer_name, "-", unit);
}

int main(int argc, char **argv) {
    int quick = argc > 1 && !strcmp(argv[1], "quick");
    long n = quick ? 200000 : 2000000;
    long ms = quick ? 50 : 200;        /* per thread-row repetition */
    int have_go;
    if (argc > 1 && !strcmp(argv[1], "callgrind")) {
        b_pingpong(100000);
        b_select(100000);
        b_spawn(3200);      /* warms the stack cache */
        b_spawn(100000);
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "pingpong")) {  /* the same-thread rows alone */
        printf("ping-pong, one way: %.2f ns\n", median3(b_pingpong, n));
        printf("select ping-pong, one way: %.2f ns\n", median3(b_select, n / 2));
        printf("buffered cap 1024, 1 thread: %.2f M msg/s\n", median3(b_buffered, 4 * n));
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "xbuffered")) {
        printf("buffered cap 1024 across threads: %.2f M msg/s\n", median3(b_xbuffered, n));
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "xthread")) {   /* that row alone, for a profiler */
        printf("cross-thread ping-pong, one way: %.1f ns\n", b_xthread(1000));
        return 0;
    }
    have_go = run_go(quick);
    printf("arsenal_chan vs peers (ratio > 1: arsenal is better)\n");
    printf("%-34s %10s %10s  %-8s %7s\n", "row", "arsenal", "peer", "peer", "ratio");
    row("unbuffered ping-pong, one way", "ns", median3(b_pingpong, n), have_go ? go_val[0] : 0, "Go", 1);
    row("2-clause select ping-pong, one way", "ns", median3(b_select, n / 2), have_go ? go_val[1] : 0, "Go", 1);
    row("buffered cap 1024, 1 thread", "M msg/s", median3(b_buffered, 4 * n), have_go ? go_val[2] : 0, "Go", 0);
    row("spawn + run to completion", "ns", median3(b_spawn, n), have_go ? go_val[3] : 0, "Go", 1);
    {
        double x = median3(b_xthread, ms);
        row("cross-thread ping-pong, one way", "ns", x, have_go ? go_val[4] : 0, "Go(2)", 1);
        row("  the same vs Go, locked threads", "ns", x, have_go ? go_val[5] : 0, "Go(lock)", 1);
    }
    row("buffered cap 1024, across threads", "M msg/s", median3(b_xbuffered, n), have_go ? go_val[6] : 0, "Go(2)", 0);
    {
        double s, m, cs = 0, cm = 0;
        long qn2 = ms;
        qkind = Q_SPSC; s = median3(b_queue, qn2);
        qkind = Q_MPMC; m = median3(b_queue, qn2);
#ifdef HAVE_CK
        qkind = Q_CK_SPSC; cs = median3(b_queue, qn2);
        qkind = Q_CK_MPMC; cm = median3(b_queue, qn2);
#endif
        row("SPSC 1p/1c across threads", "M/s", s, cs, "ck_ring", 0);
        row("MPMC 1p/1c across threads", "M/s", m, cm, "ck_ring", 0);
    }
    /* against the machine's floor: a bare word passed back and forth */
    row("SPSC round trip / 2 (one way)", "ns", median3(b_rtt, ms), median3(b_word_rtt, ms), "1 word", 1);
    {
        double s, m, cs = 0, cm = 0;
        long qn1 = quick ? 1000000 : 10000000;
        qkind = Q_SPSC; s = median3(b_queue_1t, qn1);
        qkind = Q_MPMC; m = median3(b_queue_1t, qn1);
#ifdef HAVE_CK
        qkind = Q_CK_SPSC; cs = median3(b_queue_1t, qn1);
        qkind = Q_CK_MPMC; cm = median3(b_queue_1t, qn1);
#endif
        row("SPSC push+pop, one thread", "ns", s, cs, "ck_ring", 1);
        row("MPMC push+pop, one thread", "ns", m, cm, "ck_ring", 1);
    }
    return 0;
}
