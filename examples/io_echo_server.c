/* io_echo_server.c - a TCP echo server: one coroutine per connection,
   N threads each with its own loop sharing the port (SO_REUSEPORT), atomic
   statistics, graceful shutdown on Ctrl+C / SIGTERM.
   ars-build-libs: -lpthread

   Build and run:
       cc -O2 -D_DEFAULT_SOURCE -o io_echo_server examples/io_echo_server.c -lpthread
       ./io_echo_server -p 7000 -t 2
       echo hello | nc -q1 127.0.0.1 7000         # prints hello
   Windows (mingw): x86_64-w64-mingw32-gcc -O2 -o io_echo_server.exe
       examples/io_echo_server.c -lws2_32 -lmswsock  (one thread; Ctrl+C stops it)
   Options: -p PORT, 1 to 65535 [7000]; -t THREADS, 1 to 64 [1];
            -h HOST [127.0.0.1];
            -d SECONDS, 1 to 86400: stop by itself after that long [run
               until a signal];
            -s MICROSECONDS, 0 to 1000000: how long an idle loop may
               busy-poll before it blocks (ars_io_set_spin; 0 saves the CPU
               time, at some latency) [ARSENAL_IO_SPIN_US, 50];
            --help: this list in one line.
   A bad option or value is refused with a message and exit status 2, a
   listen that fails with its reason and exit status 1, before the "echo
   server on" line (printed once the port listens).
*/
#define ARSENAL_IMPLEMENTATION
#include "../arsenal_io.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <errno.h>
#if !defined(_WIN32)
#include <pthread.h>
#endif

static const char *host = "127.0.0.1";
static int port = 7000;
static int spin_set, spin_us;          /* -s: ars_io_set_spin in every thread */
static volatile int stopping;
static uint64_t n_conns, n_bytes;      /* updated with atomics by every thread */

static void add64(uint64_t *p, uint64_t v) { __atomic_add_fetch(p, v, __ATOMIC_RELAXED); }

#if defined(_MSC_VER)
#define NOINLINE __declspec(noinline)
#else
#define NOINLINE __attribute__((noinline))
#endif

/* Echoes what the socket holds now: 0 when drained, <0 on EOF or error.
   Out of line, so the buffer is on the stack only while there is data: an
   idle connection, parked in ars_io_wait, touches one page of its stack.
   The buffer is small enough (2 KiB) that what a read writes at its low
   end lands in that same page, so an active connection holds one page too
   (a 16 KiB buffer would put those bytes four pages down: a second page
   per connection); larger messages take more reads. */
static NOINLINE int echo_some(ars_sock *c) {
    char buf[2048];
    ptrdiff_t n;
    for (;;) {
        n = ars_tcp_read(c, buf, sizeof buf, 0);   /* deadline 0: never parks */
        if (n == ARS_ETIMEDOUT) return 0;
        if (n <= 0) return -1;
        if (ars_tcp_write(c, buf, (size_t)n, NULL, ars_now() + 10000) < 0) return -1;
        add64(&n_bytes, (uint64_t)n);
        if ((size_t)n < sizeof buf) return 0;     /* short read: drained */
    }
}

static void conn(void *arg) {
    ars_sock *c = (ars_sock *)arg;
    int64_t idle_end = ars_now() + 60000;
    int r;
    add64(&n_conns, 1);
    ars_tcp_set_nodelay(c, 1);
    /* a client idle for 60 s is dropped; a shutdown ends it within 200 ms */
    while (!stopping && ars_now() < idle_end) {
        r = ars_io_wait(c, ARS_IO_READ, ars_now() + 200);
        if (r == ARS_ETIMEDOUT) continue;
        if (r != ARS_IO_READ || echo_some(c) < 0) break;
        idle_end = ars_now() + 60000;
    }
    ars_io_close(c);
}

/* This thread's listening socket on host:port (every thread has its own,
   SO_REUSEPORT); a listen that fails ends the process with its reason:
   a server that cannot serve should not idle. */
static ars_sock *listen_or_exit(void) {
    ars_tcp_listen_opts o;
    ars_sock *ls;
    int r;
    memset(&o, 0, sizeof o);
#if !defined(_WIN32)
    o.reuseport = 1;              /* Windows has no SO_REUSEPORT: one thread there */
#endif
    o.backlog = 4096;
    if ((r = ars_tcp_listen(&ls, host, port, &o)) != 0) {
        fprintf(stderr, "listen %s:%d: %s\n", host, port, ars_strerror(r));
        exit(1);
    }
    return ls;
}

/* arg: the listening socket, or NULL to listen in this thread first */
static void acceptor(void *arg) {
    ars_sock *ls = arg ? (ars_sock *)arg : listen_or_exit(), *c;
    ars_coro_opts co;
    int r;
    memset(&co, 0, sizeof co);
    co.stack_size = 64 * 1024;
    while (!stopping) {
        r = ars_tcp_accept(ls, &c, NULL, ars_now() + 200);
        if (r == ARS_ETIMEDOUT) continue;
        if (r) { fprintf(stderr, "accept: %s\n", ars_strerror(r)); continue; }
        if (ars_go_opts(conn, c, &co, NULL) != 0) ars_io_close(c);
    }
    ars_io_close(ls);
}

#if !defined(_WIN32)
static void *worker(void *arg) {
    if (spin_set) ars_io_set_spin(spin_us);
    ars_go(acceptor, arg);
    ars_sched_run();
    ars_io_deinit();
    ars_coro_cache_trim();
    return NULL;
}
#endif

static void signals(void *arg) {
    int sigs[2] = { SIGINT, SIGTERM };
    int64_t end = *(int64_t *)arg;
    int r = ars_io_signal_wait(sigs, 2, end);
    if (r > 0) fprintf(stderr, "signal %d: shutting down\n", r);
    stopping = 1;
}

static const char usage[] =
    "usage: io_echo_server [-p PORT] [-t THREADS] [-h HOST] [-d SECONDS] [-s MICROSECONDS]\n";

/* Exit status 2, after a one-line reason and the usage line. */
static void bad_usage(const char *opt, const char *what) {
    fprintf(stderr, "io_echo_server: %s %s\n%s", opt, what, usage);
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
    int i, r, threads = 1;
    int64_t end = -1;
    ars_sock *ls;
#if !defined(_WIN32)
    pthread_t th[64];
    sigset_t set;
#endif
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-p")) port = (int)number(a, value(argc, argv, &i), 1, 65535);
        else if (!strcmp(a, "-t")) threads = (int)number(a, value(argc, argv, &i), 1, 64);
        else if (!strcmp(a, "-h")) host = value(argc, argv, &i);
        else if (!strcmp(a, "-d")) end = ars_now() + 1000 * (int64_t)number(a, value(argc, argv, &i), 1, 86400);
        else if (!strcmp(a, "-s")) { spin_us = (int)number(a, value(argc, argv, &i), 0, 1000000); spin_set = 1; }
        else if (!strcmp(a, "--help")) { fputs(usage, stdout); return 0; }
        else bad_usage(a, "is not an option");
    }
    if (spin_set && (r = ars_io_set_spin(spin_us)) < 0) {
        fprintf(stderr, "io_echo_server: -s %d: %s\n", spin_us, ars_strerror(r));
        return 1;
    }
#if !defined(_WIN32)
    /* block the shutdown signals in every thread; the main loop takes them */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
#endif
    ls = listen_or_exit();        /* before the line below: a script waits for it */
#if !defined(_WIN32)
    for (i = 1; i < threads; i++) pthread_create(&th[i], NULL, worker, NULL);
#endif
    printf("echo server on %s:%d, %d thread(s), backend %s\n", host, port, threads, ars_io_backend());
    fflush(stdout);
    ars_go(signals, &end);
    ars_go(acceptor, ls);
    ars_sched_run();
#if !defined(_WIN32)
    for (i = 1; i < threads; i++) pthread_join(th[i], NULL);
#endif
    ars_io_deinit();
    printf("served %llu connections, %llu bytes\n",
           (unsigned long long)__atomic_load_n(&n_conns, __ATOMIC_RELAXED),
           (unsigned long long)__atomic_load_n(&n_bytes, __ATOMIC_RELAXED));
    return 0;
}
