/* io_http_hello.c - a small HTTP/1.1 server: keep-alive, pipelined
   requests answered in order with one write per batch, request bodies
   (Content-Length), one coroutine per connection, -t N threads sharing the
   port (SO_REUSEPORT). A malformed request gets 400, a head over 16 KiB
   431, a chunked body 501; each closes the connection.
   ars-build-libs: -lpthread

   Build and run:
       cc -O2 -D_DEFAULT_SOURCE -o io_http_hello examples/io_http_hello.c -lpthread
       ./io_http_hello -p 8080
       curl http://127.0.0.1:8080/                     # Hello, World!
       curl --data-binary @file http://127.0.0.1:8080/ # received <size> bytes
       wrk -t1 -c100 -d5s http://127.0.0.1:8080/
   Options: -p PORT, 1 to 65535 [8080]; -t THREADS, 1 to 64 [1];
            -d SECONDS, 1 to 86400: stop by itself after that long [run
               until a signal]; -h, --help: this list in one line.
   Ctrl+C / SIGTERM stop it. A bad option or value is refused with a
   message and exit status 2, a listen that fails with its reason and exit
   status 1, before the "http server on" line (printed once the port
   listens).
*/
#define ARSENAL_IMPLEMENTATION
#include "../arsenal_io.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <errno.h>
#include <pthread.h>

static int port = 8080;
static volatile int stopping;
static uint64_t n_requests;

#define BUF 16384

static int ieq_prefix(const char *p, const char *end, const char *name) {
    size_t n = strlen(name);
    if ((size_t)(end - p) < n) return 0;
    for (size_t i = 0; i < n; i++) {
        char a = p[i], b = name[i];
        if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
        if (a != b) return 0;
    }
    return 1;
}

/* parses the head [p, end) (ending in \r\n\r\n): 0, or the status code of
   the error to answer with (400 malformed, 501 a body coding we do not read) */
static int parse_head(const char *p, const char *end, long *clen, int *keep) {
    const char *line = p, *eol;
    int http11;
    eol = memchr(line, '\n', (size_t)(end - line));
    if (!eol || eol - line < 14) return 400;
    http11 = !memcmp(eol - 9, "HTTP/1.1", 8) || !memcmp(eol - 8, "HTTP/1.1", 8);
    if (!http11 && memcmp(eol - 9, "HTTP/1.0", 8) && memcmp(eol - 8, "HTTP/1.0", 8)) return 400;
    *keep = http11;
    *clen = 0;
    for (line = eol + 1; line < end; line = eol + 1) {
        eol = memchr(line, '\n', (size_t)(end - line));
        if (!eol) break;
        if (ieq_prefix(line, eol, "content-length:")) {
            const char *v = line + 15;
            long n = 0;
            while (v < eol && (*v == ' ' || *v == '\t')) v++;
            if (v == eol || *v < '0' || *v > '9') return 400;
            for (; v < eol && *v >= '0' && *v <= '9'; v++) {
                if (n > (0x7fffffffL - 9) / 10) return 400;    /* over 2 GB: refused */
                n = n * 10 + (*v - '0');
            }
            while (v < eol && (*v == ' ' || *v == '\t' || *v == '\r')) v++;
            if (v != eol) return 400;
            *clen = n;
        } else if (ieq_prefix(line, eol, "connection:")) {
            const char *v = line + 11;
            while (v < eol && *v == ' ') v++;
            if (ieq_prefix(v, eol, "close")) *keep = 0;
            else if (ieq_prefix(v, eol, "keep-alive")) *keep = 1;
        } else if (ieq_prefix(line, eol, "transfer-encoding:")) {
            return 501;                 /* chunked bodies: not in this example */
        }
    }
    return 0;
}

static size_t respond(char *out, size_t cap, long body_len, int keep) {
    char body[64];
    int bl, n;
    if (body_len > 0) bl = snprintf(body, sizeof body, "received %ld bytes\n", body_len);
    else bl = snprintf(body, sizeof body, "Hello, World!");
    n = snprintf(out, cap, "HTTP/1.1 200 OK\r\nServer: arsenal\r\nContent-Type: text/plain\r\n"
                 "Content-Length: %d\r\n%s\r\n%s", bl, keep ? "" : "Connection: close\r\n", body);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* an error answer; the connection closes after it */
static size_t respond_error(char *out, size_t cap, int code) {
    const char *why = code == 400 ? "Bad Request" : code == 431 ? "Request Header Fields Too Large"
                                                  : "Not Implemented";
    int n = snprintf(out, cap, "HTTP/1.1 %d %s\r\nServer: arsenal\r\nContent-Length: 0\r\n"
                     "Connection: close\r\n\r\n", code, why);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static void conn(void *arg) {
    ars_sock *c = (ars_sock *)arg;
    char in[BUF], out[BUF];
    size_t have = 0, scanned = 0;  /* bytes of the first pending head searched already */
    int keep = 1, answered_error = 0;
    ars_tcp_set_nodelay(c, 1);
    while (keep && !stopping) {
        size_t used = 0, olen = 0;
        ptrdiff_t n = ars_tcp_read(c, in + have, sizeof in - have, ars_now() + 30000);
        if (n <= 0) break;
        have += (size_t)n;
        /* answer every complete request in the buffer (pipelining) */
        for (;;) {
            const char *start = in + used, *hend = NULL, *p;
            long clen;
            size_t avail = have - used, head, rlen;
            int err;
            /* a head that arrives in pieces is searched once, not per piece */
            for (p = start + (scanned > 3 ? scanned - 3 : 0); p + 3 < in + have; p++)
                if (p[0] == '\r' && p[1] == '\n' && p[2] == '\r' && p[3] == '\n') { hend = p + 4; break; }
            if (!hend) { scanned = avail; break; }
            scanned = 0;
            head = (size_t)(hend - start);
            if ((err = parse_head(start, hend, &clen, &keep)) != 0) {
                olen += respond_error(out + olen, sizeof out - olen, err);
                keep = 0; used = have; answered_error = 1;
                break;
            }
            if (head + (size_t)clen > avail) {
                if (head + (size_t)clen <= sizeof in) break;     /* fits: read more */
                /* a large body: drain it past the buffer */
                {
                    long left = clen - (long)(avail - head);
                    while (left > 0) {
                        ptrdiff_t k = ars_tcp_read(c, in, (size_t)(left < (long)sizeof in ? left : (long)sizeof in),
                                                   ars_now() + 30000);
                        if (k <= 0) { keep = 0; break; }
                        left -= (long)k;
                    }
                    rlen = avail;
                }
            } else rlen = head + (size_t)clen;
            if (olen + 256 > sizeof out) {       /* flush a full batch */
                if (ars_tcp_write(c, out, olen, NULL, ars_now() + 30000) < 0) { keep = 0; break; }
                olen = 0;
            }
            olen += respond(out + olen, sizeof out - olen, clen, keep);
            __atomic_add_fetch(&n_requests, 1, __ATOMIC_RELAXED);
            used += rlen;
            if (!keep || used >= have) break;
        }
        if (keep && used == 0 && have == sizeof in) {   /* a head larger than the buffer */
            olen += respond_error(out + olen, sizeof out - olen, 431);
            keep = 0; answered_error = 1;
        }
        if (olen && ars_tcp_write(c, out, olen, NULL, ars_now() + 30000) < 0) break;
        if (used >= have) have = 0;
        else if (used) { memmove(in, in + used, have - used); have -= used; }
    }
    if (answered_error) {
        /* Closing with unread bytes makes the kernel send a reset, and a
           reset can destroy the error answer before the client reads it:
           end our side, then read what the client still sends (at most
           64 KiB or 1 s) before closing. */
        int64_t until = ars_now() + 1000;
        size_t drained = 0;
        ptrdiff_t k;
        ars_tcp_shutdown(c, ARS_SHUT_WR);
        while (drained < 65536 && (k = ars_tcp_read(c, in, sizeof in, until)) > 0) drained += (size_t)k;
    }
    ars_io_close(c);
}

/* This thread's listening socket (every thread has its own on the port,
   SO_REUSEPORT); a listen that fails ends the process with its reason. */
static ars_sock *listen_or_exit(void) {
    ars_tcp_listen_opts o;
    ars_sock *ls;
    int r;
    memset(&o, 0, sizeof o);
    o.reuseport = 1;
    o.backlog = 4096;
    if ((r = ars_tcp_listen(&ls, "127.0.0.1", port, &o)) != 0) {
        fprintf(stderr, "listen 127.0.0.1:%d: %s\n", port, ars_strerror(r));
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
        if (r == 0 && ars_go_opts(conn, c, &co, NULL) != 0) ars_io_close(c);
    }
    ars_io_close(ls);
}

static void *worker(void *arg) {
    ars_go(acceptor, arg);
    ars_sched_run();
    ars_io_deinit();
    ars_coro_cache_trim();
    return NULL;
}

static void signals(void *arg) {
    int sigs[2] = { SIGINT, SIGTERM };
    ars_io_signal_wait(sigs, 2, *(int64_t *)arg);
    stopping = 1;
}

static const char usage[] = "usage: io_http_hello [-p PORT] [-t THREADS] [-d SECONDS]\n";

/* Exit status 2, after a one-line reason and the usage line. */
static void bad_usage(const char *opt, const char *what) {
    fprintf(stderr, "io_http_hello: %s %s\n%s", opt, what, usage);
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
    int i, threads = 1;
    int64_t end = -1;
    pthread_t th[64];
    sigset_t set;
    ars_sock *ls;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-p")) port = (int)number(a, value(argc, argv, &i), 1, 65535);
        else if (!strcmp(a, "-t")) threads = (int)number(a, value(argc, argv, &i), 1, 64);
        else if (!strcmp(a, "-d")) end = ars_now() + 1000 * (int64_t)number(a, value(argc, argv, &i), 1, 86400);
        else if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(usage, stdout); return 0; }
        else bad_usage(a, "is not an option");
    }
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    ls = listen_or_exit();        /* before the line below: a script waits for it */
    for (i = 1; i < threads; i++) pthread_create(&th[i], NULL, worker, NULL);
    printf("http server on 127.0.0.1:%d, %d thread(s), backend %s\n", port, threads, ars_io_backend());
    fflush(stdout);
    ars_go(signals, &end);
    ars_go(acceptor, ls);
    ars_sched_run();
    for (i = 1; i < threads; i++) pthread_join(th[i], NULL);
    ars_io_deinit();
    printf("served %llu requests\n", (unsigned long long)__atomic_load_n(&n_requests, __ATOMIC_RELAXED));
    return 0;
}
