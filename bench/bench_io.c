/* bench_io.c - arsenal_io.h side of the I/O benchmark: an HTTP "hello"
   server (GET, keep-alive, pipelining) or an echo server, one thread.
   bench/bench_io_uv.c is the same server on libuv; bench/bench_io.sh drives
   both with wrk (HTTP) on pinned cores and prints the ratio.
   ars-build-libs: -lpthread

       cc -O2 -D_DEFAULT_SOURCE -o bench_io bench/bench_io.c -lpthread
       ./bench_io http 8080 [seconds]     |  ./bench_io echo 7000 [seconds]
*/
#define ARSENAL_IMPLEMENTATION
#include "../arsenal_io.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char RESP[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";
static int64_t end_at = -1;

/* counts request ends ("\r\n\r\n") across reads; *st keeps the partial match */
static int count_requests(const char *p, size_t n, int *st) {
    int k = 0, s = *st;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\r') s = (s == 2) ? 3 : 1;
        else if (c == '\n') { if (s == 1) s = 2; else if (s == 3) { k++; s = 0; } else s = 0; }
        else s = 0;
    }
    *st = s;
    return k;
}

static void http_conn(void *arg) {
    ars_sock *c = (ars_sock *)arg;
    static char out[sizeof RESP * 64];   /* one thread: shared, as in the libuv peer */
    char in[8192];
    int st = 0;
    ptrdiff_t n;
    while ((n = ars_tcp_read(c, in, sizeof in, -1)) > 0) {
        int k = count_requests(in, (size_t)n, &st);
        while (k > 0) {
            int m = k > 64 ? 64 : k, i;
            for (i = 0; i < m; i++) memcpy(out + i * (sizeof RESP - 1), RESP, sizeof RESP - 1);
            if (ars_tcp_write(c, out, (size_t)m * (sizeof RESP - 1), NULL, -1) < 0) { k = -1; break; }
            k -= m;
        }
        if (k < 0) break;
    }
    ars_io_close(c);
}

/* Echoes what the socket holds now; 0 when drained (a short read), <0 on
   EOF or error. Out of line, so the buffer is on the stack only while
   there is data: a connection parked in ars_io_wait touches one stack page.
   2 KiB, so that the bytes a read writes (from the buffer's low end) land
   in that same page: with 16 KiB they landed four pages down, and every
   connection faulted in a second page on its first message (~12 us a page
   on the benchmark's VM: at 10,000 connections the server was still
   catching up when the client's timing began). Larger messages take more
   reads. */
static __attribute__((noinline)) int echo_some(ars_sock *c) {
    char buf[2048];
    ptrdiff_t n;
    for (;;) {
        n = ars_tcp_read(c, buf, sizeof buf, 0);
        if (n == ARS_ETIMEDOUT) return 0;
        if (n <= 0 || ars_tcp_write(c, buf, (size_t)n, NULL, -1) < 0) return -1;
        if ((size_t)n < sizeof buf) return 0;
    }
}
static void echo_conn(void *arg) {
    ars_sock *c = (ars_sock *)arg;
    while (ars_io_wait(c, ARS_IO_READ, -1) == ARS_IO_READ && echo_some(c) == 0) {}
    ars_io_close(c);
}

static int port = 8080, http = 1;
static void acceptor(void *arg) {
    ars_tcp_listen_opts o;
    ars_sock *ls, *c;
    ars_coro_opts co;
    (void)arg;
    memset(&o, 0, sizeof o);
    o.backlog = 4096;
    if (ars_tcp_listen(&ls, "127.0.0.1", port, &o) != 0) { perror("listen"); return; }
    memset(&co, 0, sizeof co);
    co.stack_size = 32 * 1024;
    /* connections wait without deadlines, like the libuv peer; the run
       ends when the acceptor's deadline passes */
    while (ars_tcp_accept(ls, &c, NULL, end_at) == 0) {
        ars_tcp_set_nodelay(c, 1);
        if (ars_go_opts(http ? http_conn : echo_conn, c, &co, NULL) != 0) ars_io_close(c);
    }
    ars_io_close(ls);
    exit(0);
}

int main(int argc, char **argv) {
    if (argc > 1) http = strcmp(argv[1], "echo") != 0;
    if (argc > 2) port = atoi(argv[2]);
    if (argc > 3) end_at = ars_now() + 1000 * (int64_t)atoi(argv[3]);
    printf("arsenal %s server on 127.0.0.1:%d (%s)\n", http ? "http" : "echo", port, ars_io_backend());
    fflush(stdout);
    ars_go(acceptor, NULL);
    ars_sched_run();
    ars_io_deinit();
    return 0;
}
