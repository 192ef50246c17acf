/* io_echo_client.c - an echo load generator: N connections, each a
   coroutine that writes a message, reads it back whole, and times the
   round trip; prints round trips per second and p50/p99/max latency.
   ars-build-libs: -lpthread

   Build and run (against examples/io_echo_server.c):
       cc -O2 -D_DEFAULT_SOURCE -o io_echo_server examples/io_echo_server.c -lpthread
       cc -O2 -D_DEFAULT_SOURCE -o io_echo_client examples/io_echo_client.c -lpthread
       ./io_echo_server -p 7000 &
       ./io_echo_client -c 100 -s 64 -d 3 127.0.0.1 7000
   Options: -c CONNECTIONS, 1 to 1000000 [1];
            -s MESSAGE_BYTES, 1 to 67108864 [64];
            -d SECONDS, 1 to 86400 [3];
            -n ROUND_TRIPS, 1 to 1000000000: each connection stops after
               that many (no warm-up; the rate is over the whole run)
               [timed by -d];
            -i: idle: open the connections, hold them for -d seconds
               without sending (for measuring a server's memory);
            -h, --help: this list in one line;
            then HOST [127.0.0.1] and PORT, 1 to 65535 [7000].
   A bad option or value is refused with a message and exit status 2. A
   connection that fails counts as an error; with any error the exit
   status is 1 (the first connect error is printed).
   Timed runs count the round trips begun after a warm-up of 10% of -d (at
   most 1 s) that also lasts until every connection has made its first
   round trip, and 100 ms more: with thousands of connections, opening them
   can take longer than the warm-up (stacks and sockets are set up on both
   sides, and a server may set up a connection's buffers on its first
   message), and the rate is meant for the steady state. The run then
   lasts -d seconds from there.
   A connection that is done keeps its socket open until every connection
   is done, then all close: closes while other round trips are still in
   flight would make those wait behind the server's teardown of the closed
   connections (at 10,000 connections that put the last 200-300 ms of a
   run at 3-4x the steady latency, and made p99 a measure of teardown).
   RLIMIT_NOFILE is raised (up to the hard limit) to fit the connections.
   Output (one line, easy to parse):
       rt/s 123456 p50_us 700 p99_us 1500 max_us 9000 rts 370368 conns 100 errors 0
   (-i prints "idle conns N errors N" once all have connected, then holds.)
*/
#define ARSENAL_IMPLEMENTATION
#include "../arsenal_io.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#if !defined(_WIN32)
#include <sys/resource.h>
#endif

#define HIST_US 1000000                   /* 1 us buckets up to 1 s, then one overflow */
static uint32_t hist[HIST_US + 1];
static uint64_t total_rts, max_us;
static int n_errors, n_connected, n_done;
/* Connections whose last round trip is done wait here, open, until every
   connection is done: a close makes the server tear the connection down
   (free its state, close its socket), and that work would delay the round
   trips still in flight and show up in their latency. The last one to
   finish wakes the others; then all close. */
static ars_waker *waiting;
static int n_waiting, n_finished;
static const char *host = "127.0.0.1";
static int port = 7000, conns = 1, idle;
static long rt_limit;                     /* -n: round trips per connection, 0: timed */
static size_t msg_size = 64;
static int64_t t_start, t_end;            /* ars_now() ms: when counting starts and stops */
static int64_t timed_ms;                  /* -d in ms */

/* Every connection has made its first round trip (or failed): counting
   starts 100 ms from now if that is after the warm-up, and lasts timed_ms
   from then. */
static int n_warm, warm_done;
static void all_warm_check(void) {
    int64_t now;
    if (warm_done || n_warm + n_errors < conns || rt_limit || idle) return;
    warm_done = 1;
    now = ars_now();
    if (now + 100 > t_start) {
        t_start = now + 100;
        t_end = t_start + timed_ms;
    }
}

static uint64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void client(void *arg) {
    ars_sock *s;
    char *out, *in;
    ptrdiff_t r;
    int i;
    (void)arg;
    out = (char *)malloc(msg_size);
    in = (char *)malloc(msg_size);
    if (!out || !in) { n_errors++; all_warm_check(); goto done_mem; }
    for (i = 0; (size_t)i < msg_size; i++) out[i] = (char)('a' + i % 26);
    r = ars_tcp_connect(&s, host, port, ars_now() + 5000);
    if (r != 0) {
        if (n_errors++ == 0) fprintf(stderr, "connect %s:%d: %s\n", host, port, ars_strerror((int)r));
        all_warm_check();
        goto done_mem;
    }
    ars_tcp_set_nodelay(s, 1);
    n_connected++;
    if (idle) {
        if (n_connected + n_errors == conns) {
            printf("idle conns %d errors %d\n", n_connected, n_errors);
            fflush(stdout);
        }
        ars_sleep_until(t_end);
    }
    for (i = 0; !idle && (rt_limit ? i < rt_limit : ars_now() < t_end); i++) {
        uint64_t t0 = now_us(), us;
        int64_t started = ars_now(), dl = started + 10000;
        if ((r = ars_tcp_write(s, out, msg_size, NULL, dl)) < 0 ||
            (r = ars_tcp_read_full(s, in, msg_size, NULL, dl)) < 0) {
            if (n_errors++ == 0) fprintf(stderr, "round trip: %s\n", ars_strerror((int)r));
            all_warm_check();
            break;
        }
        if (i == 0) { n_warm++; all_warm_check(); }
        /* warm-up: a round trip counts only if it began in the timed part
           (one begun during the warm-up may have waited behind the
           opening of every other connection) */
        if (!rt_limit && started < t_start) continue;
        us = now_us() - t0;
        hist[us < HIST_US ? us : HIST_US]++;
        if (us > max_us) max_us = us;
        total_rts++;
    }
    if (++n_finished + n_errors < conns && waiting) {
        waiting[n_waiting++] = ars_park_prepare();
        ars_park(-1);
    } else {
        for (i = 0; i < n_waiting; i++) ars_wake(waiting[i], 0);
        n_waiting = 0;
    }
    ars_io_close(s);
done_mem:
    free(out);
    free(in);
    n_done++;
}

static uint64_t percentile(double p) {
    uint64_t want = (uint64_t)(p * (double)total_rts), seen = 0, us;
    if (want == 0) want = 1;
    for (us = 0; us <= HIST_US; us++)
        if ((seen += hist[us]) >= want) return us;
    return HIST_US;
}

static const char usage[] =
    "usage: io_echo_client [-c CONNS] [-s BYTES] [-d SECONDS] [-n ROUND_TRIPS] [-i] [HOST [PORT]]\n";

/* Exit status 2, after a one-line reason and the usage line. */
static void bad_usage(const char *opt, const char *what) {
    fprintf(stderr, "io_echo_client: %s %s\n%s", opt, what, usage);
    exit(2);
}

/* The value that follows option argv[*i]; a missing one is refused. */
static const char *value(int argc, char **argv, int *i) {
    if (*i + 1 >= argc) bad_usage(argv[*i], "needs a value");
    return argv[++*i];
}

/* s as a whole decimal number from lo to hi, or refused naming opt and the
   range ("12abc", " 12", "" and overflow included). */
static long number(const char *opt, const char *s, long lo, long hi) {
    char *end, why[160];
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (!((*s >= '0' && *s <= '9') || (*s == '-' && s[1] >= '0' && s[1] <= '9')) || *end) {
        snprintf(why, sizeof why, "'%.40s': not a number (%ld to %ld)", s, lo, hi);
        bad_usage(opt, why);
    }
    if (errno == ERANGE || v < lo || v > hi) {
        snprintf(why, sizeof why, "%.40s: out of range (%ld to %ld)", s, lo, hi);
        bad_usage(opt, why);
    }
    return v;
}

int main(int argc, char **argv) {
    int i, pos = 0, secs = 3;
    ars_coro_opts co;
    double elapsed;
    uint64_t t0;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-c")) conns = (int)number(a, value(argc, argv, &i), 1, 1000000);
        else if (!strcmp(a, "-s")) msg_size = (size_t)number(a, value(argc, argv, &i), 1, 67108864);
        else if (!strcmp(a, "-d")) secs = (int)number(a, value(argc, argv, &i), 1, 86400);
        else if (!strcmp(a, "-n")) rt_limit = number(a, value(argc, argv, &i), 1, 1000000000);
        else if (!strcmp(a, "-i")) idle = 1;
        else if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(usage, stdout); return 0; }
        else if (a[0] == '-' && a[1]) bad_usage(a, "is not an option");
        else if (pos == 0) { host = a; pos++; }
        else if (pos == 1) { port = (int)number("PORT", a, 1, 65535); pos++; }
        else bad_usage(a, "is one argument too many");
    }
#if !defined(_WIN32)
    {   /* one descriptor per connection, and a few more */
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)conns + 64) {
            rl.rlim_cur = (rlim_t)conns + 64;
            if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max) rl.rlim_cur = rl.rlim_max;
            setrlimit(RLIMIT_NOFILE, &rl);
        }
    }
#endif
    /* 10% warm-up (at most 1 s) while connections open, then the timed part */
    timed_ms = 1000 * (int64_t)secs;
    t_start = ars_now() + (secs >= 10 ? 1000 : 100 * secs);
    t_end = t_start + timed_ms;
    if (!idle) waiting = (ars_waker *)malloc(sizeof *waiting * (size_t)conns);   /* NULL: close at once */
    memset(&co, 0, sizeof co);
    co.stack_size = 32 * 1024;
    for (i = 0; i < conns; i++)
        if (ars_go_opts(client, NULL, &co, NULL) != 0) { fprintf(stderr, "ars_go failed\n"); return 1; }
    t0 = now_us();
    ars_sched_run();
    ars_io_deinit();
    elapsed = rt_limit ? (double)(now_us() - t0) / 1e6 : (double)secs;
    if (idle) return n_errors ? 1 : 0;
    if (total_rts == 0) {
        fprintf(stderr, "no round trips (%d connected, %d errors)\n", n_connected, n_errors);
        return 1;
    }
    printf("rt/s %.0f p50_us %llu p99_us %llu max_us %llu rts %llu conns %d errors %d\n",
           (double)total_rts / elapsed, (unsigned long long)percentile(0.50),
           (unsigned long long)percentile(0.99), (unsigned long long)max_us,
           (unsigned long long)total_rts, n_connected, n_errors);
    return n_errors ? 1 : 0;
}
