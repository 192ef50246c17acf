/* test_io.c - tests for arsenal_io.h
   ars-test-libs: -lpthread
   ars-test-libs-wine: -lws2_32 -lmswsock
   ars-test-legs: native asan tsan valgrind ucontext musl cross wine

   Loopback only (127.0.0.1, ::1); every wait has a deadline. The same file
   tests each backend: -DARSENAL_IO_USE_POLL for poll(2), mingw + wine for
   IOCP, and -DARSENAL_IO_USE_KQUEUE -I<libkqueue>/include/kqueue with
   <libkqueue>/lib/libkqueue.a for kqueue on Linux.
*/
#define ARSENAL_CORO_IMPLEMENTATION
#define ARSENAL_IO_IMPLEMENTATION
#include "../arsenal_io.h"
#include "ars_test.h"

#include <string.h>
#include <stdlib.h>
#include <signal.h>
#if defined(_WIN32)
#include <winsock2.h>
#include <windows.h>
#else
#include <pthread.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <poll.h>
#define HAVE_FORK 1
#endif

#if defined(ARS_TEST_QUICK)
#define SLOW 1
#else
#define SLOW 0
#endif
/* generous upper bounds: qemu-user and valgrind are slow */
#define LATE_MS (SLOW ? 1500 : 400)

static int64_t go_deadline(int ms) { return ars_now() + ms; }

static int listen_any(ars_sock **ls, const char *host, int backlog) {
    ars_tcp_listen_opts o;
    memset(&o, 0, sizeof o);
    o.backlog = backlog;
    return ars_tcp_listen(ls, host, 0, &o);
}
static int port_of(ars_sock *s) {
    ars_addr a;
    if (ars_io_local_addr(s, &a) != 0) return -1;
    return ars_addr_port(&a);
}
/* a listener on 127.0.0.1 and a connection to it, both ends (in a
   coroutine): 0, or -1 with nothing left open */
static int tcp_trio(ars_sock **ls, ars_sock **c, ars_sock **s) {
    if (listen_any(ls, "127.0.0.1", 4) != 0) return -1;
    if (ars_tcp_connect(c, "127.0.0.1", port_of(*ls), go_deadline(2000)) != 0) { ars_io_close(*ls); return -1; }
    if (ars_tcp_accept(*ls, s, NULL, go_deadline(2000)) != 0) { ars_io_close(*c); ars_io_close(*ls); return -1; }
    return 0;
}

/* ---- the first call of a program needs no ars_io_init (Windows: WSAStartup) ---- */
static void test_first_use(void) {
    ars_sock *u = NULL;
    ars_addr a;
    EXPECT_EQ(ars_addr_resolve(&a, "localhost", 80, -1), 0);
    EXPECT_EQ(ars_udp_bind(&u, "127.0.0.1", 0), 0);
    if (u) ars_io_close(u);
}

/* ---- backend name ---- */
static void test_backend(void) {
    const char *b = ars_io_backend();
    EXPECT(b != NULL);
    EXPECT(!strcmp(b, "epoll") || !strcmp(b, "poll") || !strcmp(b, "kqueue") || !strcmp(b, "iocp"));
    ars_test_puts("# backend: "); ars_test_puts(b); ars_test_putc('\n');
    EXPECT_EQ(ars_io_init(), 0);
}

/* ---- echo of 1 B .. 16 MiB with small socket buffers (partial I/O) ---- */
typedef struct echo_ctx { ars_sock *ls; size_t sizes[8]; int nsizes; int server_ok, client_ok; } echo_ctx;

static void echo_server(void *arg) {
    echo_ctx *e = (echo_ctx *)arg;
    ars_sock *c;
    char buf[7001];
    ptrdiff_t n;
    if (ars_tcp_accept(e->ls, &c, NULL, go_deadline(5000)) != 0) return;
    while ((n = ars_tcp_read(c, buf, sizeof buf, go_deadline(20000))) > 0)
        if (ars_tcp_write(c, buf, (size_t)n, NULL, go_deadline(20000)) != n) break;
    e->server_ok = n == ARS_EEOF;
    ars_io_close(c);
}

typedef struct echo_writer { ars_sock *c; const unsigned char *data; size_t n; int ok; int done; } echo_writer;
static void echo_write_co(void *arg) {
    echo_writer *w = (echo_writer *)arg;
    size_t off = 0;
    /* write in uneven pieces, via write and writev */
    while (off < w->n) {
        size_t k = w->n - off, done = 0;
        if (k > 100003) k = 100003;
        if ((off / 100003) % 2) {
            ars_iovec v[3];
            size_t a = k / 3, b = k / 3;
            v[0].base = w->data + off; v[0].len = a;
            v[1].base = w->data + off + a; v[1].len = b;
            v[2].base = w->data + off + a + b; v[2].len = k - a - b;
            if (ars_tcp_writev(w->c, v, 3, &done, go_deadline(20000)) != (ptrdiff_t)k) { w->done = 1; return; }
        } else if (ars_tcp_write(w->c, w->data + off, k, &done, go_deadline(20000)) != (ptrdiff_t)k) { w->done = 1; return; }
        EXPECT_EQ(done, k);
        off += k;
    }
    w->ok = 1;
    w->done = 1;
}

static void echo_client(void *arg) {
    echo_ctx *e = (echo_ctx *)arg;
    ars_sock *c;
    int i, ok = 1;
    size_t maxn = 0;
    unsigned char *out, *in;
    for (i = 0; i < e->nsizes; i++) if (e->sizes[i] > maxn) maxn = e->sizes[i];
    out = (unsigned char *)malloc(maxn);
    in = (unsigned char *)malloc(maxn);
    if (!out || !in) { free(out); free(in); return; }
    for (i = 0; i < (int)maxn; i++) out[i] = (unsigned char)((unsigned)i * 131u + ((unsigned)i >> 9));
    if (ars_tcp_connect(&c, "127.0.0.1", port_of(e->ls), go_deadline(5000)) != 0) { free(out); free(in); return; }
    for (i = 0; i < e->nsizes && ok; i++) {
        echo_writer w;
        size_t got = 0;
        ptrdiff_t r;
        w.c = c; w.data = out; w.n = e->sizes[i]; w.ok = 0; w.done = 0;
        ars_go(echo_write_co, &w);
        r = ars_tcp_read_full(c, in, e->sizes[i], &got, go_deadline(30000));
        while (!w.done) ars_sched_yield();
        ok = r == (ptrdiff_t)e->sizes[i] && got == e->sizes[i] && w.ok && !memcmp(in, out, e->sizes[i]);
        if (!EXPECT(ok)) printf("# size %zu: r=%d got=%zu w.ok=%d\n", e->sizes[i], (int)r, got, w.ok);
    }
    e->client_ok = ok;
    ars_io_close(c);
    free(out); free(in);
}

static void test_echo_sizes(void) {
    echo_ctx e;
    memset(&e, 0, sizeof e);
    ASSERT_EQ(listen_any(&e.ls, "127.0.0.1", 16), 0);
    EXPECT_EQ(ars_io_set_bufsize(e.ls, 8192, 8192), 0);   /* accepted sockets inherit: more partial I/O */
    e.sizes[0] = 1; e.sizes[1] = 2; e.sizes[2] = 1000; e.sizes[3] = 65537;
    e.sizes[4] = 1u << 20; e.sizes[5] = SLOW ? (2u << 20) : (16u << 20);
    e.nsizes = 6;
    ars_go(echo_server, &e);
    ars_go(echo_client, &e);
    EXPECT_EQ(ars_sched_run(), 0);
    EXPECT(e.server_ok);
    EXPECT(e.client_ok);
    ars_io_close(e.ls);
}

/* ---- wait for readability, then read without blocking ----
   The pattern of a server that holds no buffer while a connection is idle:
   ars_io_wait(READ), then reads with deadline 0 until ARS_ETIMEDOUT. The
   client sends bursts with pauses (each burst arrives after the server found
   the socket drained, so it must be woken by a new edge), then closes: the
   wait reports READ and the read EOF. Every byte must come back in order. */
typedef struct wr_ctx { ars_sock *ls; int waits, eof, bytes_ok, server_done; size_t served, sent; } wr_ctx;
static void wr_server(void *arg) {
    wr_ctx *x = (wr_ctx *)arg;
    ars_sock *c;
    size_t total = 0;
    int r;
    if (ars_tcp_accept(x->ls, &c, NULL, go_deadline(5000)) != 0) { x->server_done = 1; return; }
    for (;;) {
        char buf[700];
        ptrdiff_t n;
        r = ars_io_wait(c, ARS_IO_READ, go_deadline(5000));
        if (!EXPECT_EQ(r, ARS_IO_READ)) break;
        x->waits++;
        while ((n = ars_tcp_read(c, buf, sizeof buf, 0)) > 0) {
            total += (size_t)n;
            if (ars_tcp_write(c, buf, (size_t)n, NULL, go_deadline(5000)) != n) { n = -1; break; }
        }
        if (n == ARS_EEOF) { x->eof = 1; break; }
        if (!EXPECT_EQ(n, ARS_ETIMEDOUT)) break;
    }
    ars_io_close(c);
    x->served = total;
    x->server_done = 1;
}
static void wr_client(void *arg) {
    wr_ctx *x = (wr_ctx *)arg;
    ars_sock *c;
    unsigned char out[5000], in[5000];
    int i, ok = 1;
    if (!EXPECT_EQ(ars_tcp_connect(&c, "127.0.0.1", port_of(x->ls), go_deadline(5000)), 0)) return;
    for (i = 0; i < 40 && ok; i++) {
        size_t n = 1 + (size_t)(i * 397) % sizeof out, k;
        for (k = 0; k < n; k++) out[k] = (unsigned char)(i * 31 + (int)k);
        x->sent += n;
        ok = ars_tcp_write(c, out, n, NULL, go_deadline(5000)) == (ptrdiff_t)n &&
             ars_tcp_read_full(c, in, n, NULL, go_deadline(5000)) == (ptrdiff_t)n && !memcmp(in, out, n);
        if (i % 4 == 0) ars_sleep_until(go_deadline(2));   /* the server parks with the socket drained */
    }
    x->bytes_ok = ok;
    ars_io_close(c);
}
static void test_wait_then_read(void) {
    wr_ctx x;
    memset(&x, 0, sizeof x);
    ASSERT_EQ(listen_any(&x.ls, "127.0.0.1", 4), 0);
    ars_go(wr_server, &x);
    ars_go(wr_client, &x);
    EXPECT_EQ(ars_sched_run(), 0);
    EXPECT(x.bytes_ok);
    EXPECT(x.eof);
    EXPECT(x.server_done);
    EXPECT_EQ(x.served, x.sent);
    /* at least one wait per pause (the server found the socket drained); IOCP
       may fetch the next request in the deadline-0 read instead of waiting */
    EXPECT(x.waits >= 10);
    ars_io_close(x.ls);
}

/* ---- many concurrent connections ---- */
typedef struct many_ctx { ars_sock *ls; int port, n, accepted, echoed, clients_ok; } many_ctx;

static void many_conn(void *arg) {
    ars_sock *c = (ars_sock *)arg;
    char b[16];
    ptrdiff_t n = ars_tcp_read(c, b, sizeof b, go_deadline(30000));
    if (n > 0) ars_tcp_write(c, b, (size_t)n, NULL, go_deadline(30000));
    ars_tcp_read(c, b, sizeof b, go_deadline(30000));   /* until the client closes */
    ars_io_close(c);
}
static void many_acceptor(void *arg) {
    many_ctx *m = (many_ctx *)arg;
    ars_coro_opts o;
    memset(&o, 0, sizeof o);
    o.stack_size = 32 * 1024;
    while (m->accepted < m->n) {
        ars_sock *c;
        if (ars_tcp_accept(m->ls, &c, NULL, go_deadline(30000)) != 0) break;
        m->accepted++;
        if (ars_go_opts(many_conn, c, &o, NULL) != 0) ars_io_close(c);
    }
}
typedef struct many_client_arg { many_ctx *m; int i; } many_client_arg;
static int many_connected, many_finished;
static void many_client(void *arg) {
    many_client_arg *a = (many_client_arg *)arg;
    ars_sock *c;
    char b[16];
    int64_t dl = go_deadline(30000);
    if (ars_tcp_connect(&c, "127.0.0.1", a->m->port, dl) != 0) { many_finished++; return; }
    many_connected++;
    if (ars_tcp_write(c, "ping", 4, NULL, dl) == 4 &&
        ars_tcp_read_full(c, b, 4, NULL, dl) == 4 && !memcmp(b, "ping", 4))
        a->m->echoed++;
    many_finished++;
    while (many_finished < a->m->n && ars_now() < dl) ars_sleep_until(go_deadline(20));
    if (a->i == 0) a->m->clients_ok = many_connected;   /* all were open at once */
    ars_io_close(c);
}
static void many_clients(many_ctx *m) {
    many_client_arg *args = (many_client_arg *)malloc(sizeof *args * (size_t)m->n);
    ars_coro_opts o;
    int i;
    memset(&o, 0, sizeof o);
    o.stack_size = 32 * 1024;
    many_connected = 0; many_finished = 0;
    for (i = 0; i < m->n; i++) {
        args[i].m = m; args[i].i = i;
        ars_go_opts(many_client, &args[i], &o, NULL);
    }
    ars_sched_run();
    free(args);
}

static void test_many_connections(void) {
    many_ctx m;
    memset(&m, 0, sizeof m);
#if defined(ARS_TEST_FIBER_CAP)
    m.n = SLOW ? 500 : ARS_TEST_FIBER_CAP / 2;   /* a coroutine per connection, each side */
#else
    m.n = SLOW ? 500 : 10000;
#endif
#if defined(_WIN32)
    m.n = 1000;
#endif
    ASSERT_EQ(listen_any(&m.ls, "127.0.0.1", 4096), 0);
    m.port = port_of(m.ls);
#if defined(ARSENAL_IO_USE_KQUEUE)
    m.n = 9000;   /* libkqueue does not survive fork: one process, 2 fds per connection */
#endif
#if defined(HAVE_FORK) && !defined(ARSENAL_IO_USE_KQUEUE)
    {
        pid_t pid = fork();
        int st = 0;
        ASSERT(pid >= 0);
        if (pid == 0) {
            /* child: its own loop; all n connections from here */
            close((int)ars_io_fd(m.ls));   /* not ars_io_close: the epoll set is shared with the parent */
            ars_io_deinit();
            many_clients(&m);
            ars_io_deinit();
            _exit(m.echoed == m.n ? 0 : 1);
        }
        ars_go(many_acceptor, &m);
        EXPECT_EQ(ars_sched_run(), 0);
        EXPECT_EQ(waitpid(pid, &st, 0), pid);
        EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        EXPECT_EQ(m.accepted, m.n);
    }
#else
    ars_go(many_acceptor, &m);
    many_clients(&m);
    EXPECT_EQ(m.accepted, m.n);
    EXPECT_EQ(m.echoed, m.n);
#endif
    ars_io_close(m.ls);
}

/* ---- deadlines ---- */
typedef struct dl_ctx { ars_sock *ls; int port; int r_accept, r_read, r_write, r_connect, r_zero; int64_t t_accept, t_read, t_write, t_connect; } dl_ctx;

static void dl_accept(void *arg) {
    dl_ctx *d = (dl_ctx *)arg;
    ars_sock *c;
    int64_t t0 = ars_now();
    d->r_accept = ars_tcp_accept(d->ls, &c, NULL, t0 + 60);
    d->t_accept = ars_now() - t0;
    d->r_zero = ars_tcp_accept(d->ls, &c, NULL, 0);
}
static void dl_rw(void *arg) {
    dl_ctx *d = (dl_ctx *)arg;
    ars_sock *srv, *c;
    char b[64];
    static char big[1 << 16];
    int64_t t0;
    int i;
    if (ars_tcp_listen(&srv, "127.0.0.1", 0, NULL) != 0) return;
    if (ars_tcp_connect(&c, "127.0.0.1", port_of(srv), go_deadline(2000)) != 0) return;
    t0 = ars_now();
    d->r_read = (int)ars_tcp_read(c, b, sizeof b, t0 + 60);
    d->t_read = ars_now() - t0;
    /* the peer is never accepted nor read: the buffers fill, then the deadline */
    t0 = ars_now();
    for (i = 0; i < 2000; i++) {
        ptrdiff_t r = ars_tcp_write(c, big, sizeof big, NULL, t0 + 100);
        if (r < 0) { d->r_write = (int)r; break; }
    }
    d->t_write = ars_now() - t0;
    ars_io_close(c);
    ars_io_close(srv);
}
static void dl_connect(void *arg) {
    /* a listener with a tiny backlog that never accepts: SYNs are dropped */
    dl_ctx *d = (dl_ctx *)arg;
    ars_sock *ls, *cs[16];
    int i, n = 0;
    d->r_connect = 1;
    if (listen_any(&ls, "127.0.0.1", 1) != 0) return;
    for (i = 0; i < 16; i++) {
        int64_t t0 = ars_now();
        int r = ars_tcp_connect(&cs[n], "127.0.0.1", port_of(ls), t0 + 100);
        if (r == 0) { n++; continue; }
        d->r_connect = r;
        d->t_connect = ars_now() - t0;
        break;
    }
    for (i = 0; i < n; i++) ars_io_close(cs[i]);
    ars_io_close(ls);
}

static void test_deadlines(void) {
    dl_ctx d;
    memset(&d, 0, sizeof d);
    ASSERT_EQ(listen_any(&d.ls, "127.0.0.1", 16), 0);
    ars_go(dl_accept, &d);
    ars_go(dl_rw, &d);
    ars_go(dl_connect, &d);
    EXPECT_EQ(ars_sched_run(), 0);
    EXPECT_EQ(d.r_accept, ARS_ETIMEDOUT);
    EXPECT(d.t_accept >= 59 && d.t_accept < 60 + LATE_MS);
    EXPECT_EQ(d.r_zero, ARS_ETIMEDOUT);
    EXPECT_EQ(d.r_read, ARS_ETIMEDOUT);
    EXPECT(d.t_read >= 59 && d.t_read < 60 + LATE_MS);
    EXPECT_EQ(d.r_write, ARS_ETIMEDOUT);
    EXPECT(d.t_write >= 99 && d.t_write < 100 + LATE_MS);
#if !defined(_WIN32)
    EXPECT_EQ(d.r_connect, ARS_ETIMEDOUT);
    EXPECT(d.t_connect >= 99 && d.t_connect < 100 + LATE_MS);
#endif
    ars_io_close(d.ls);
}

/* ---- accept with deadline 0 or a passed one takes a queued connection
   (IOCP posted AcceptEx and cancelled it at once: under wine, where it
   always pends, ARS_ETIMEDOUT as often as not) ---- */
static int an_rounds;
static void an_co(void *arg) {
    ars_sock *ls, *c, *a;
    ars_addr pa, ca;
    int i;
    (void)arg;
    if (!EXPECT_EQ(listen_any(&ls, "127.0.0.1", 16), 0)) return;
    for (i = 0; i < 6; i++) {
        int64_t past;
        int r;
        if (!EXPECT_EQ(ars_tcp_connect(&c, "127.0.0.1", port_of(ls), go_deadline(2000)), 0)) break;
        ars_sleep_until(go_deadline(10));     /* queued on the listener */
        past = ars_now() - 1;
        if (past < 1) past = 1;               /* 0 means "do not block", < 0 never */
        memset(&pa, 0, sizeof pa);
        r = ars_tcp_accept(ls, &a, &pa, i & 1 ? past : 0);
        EXPECT_EQ(r, 0);
        if (r == 0) {
            /* the connection works, and the peer is the client */
            EXPECT_EQ(ars_io_local_addr(c, &ca), 0);
            EXPECT_EQ(ars_addr_port(&pa), ars_addr_port(&ca));
            EXPECT_EQ(ars_tcp_write(c, "q", 1, NULL, go_deadline(1000)), 1);
            EXPECT_EQ(ars_tcp_write(a, "a", 1, NULL, go_deadline(1000)), 1);
            {
                char b[2];
                EXPECT_EQ(ars_tcp_read(a, b, 1, go_deadline(1000)), 1);
                EXPECT_EQ(ars_tcp_read(c, b + 1, 1, go_deadline(1000)), 1);
                EXPECT(b[0] == 'q' && b[1] == 'a');
            }
            ars_io_close(a);
            an_rounds++;
        }
        ars_io_close(c);
    }
    EXPECT_EQ(ars_tcp_accept(ls, &a, NULL, 0), ARS_ETIMEDOUT);   /* none queued */
    ars_io_close(ls);
}
static void test_accept_now(void) {
    an_rounds = 0;
    ars_go(an_co, NULL);
    EXPECT_EQ(ars_sched_run(), 0);
    EXPECT_EQ(an_rounds, 6);
}

/* ---- a slow client is cut off by the server's deadline ---- */
typedef struct slow_ctx { ars_sock *ls; int server_r, client_r; } slow_ctx;
static void slow_server(void *arg) {
    slow_ctx *s = (slow_ctx *)arg;
    ars_sock *c;
    char b[16];
    if (ars_tcp_accept(s->ls, &c, NULL, go_deadline(2000)) != 0) return;
    s->server_r = (int)ars_tcp_read(c, b, sizeof b, go_deadline(80));
    ars_io_close(c);
}
static void slow_client(void *arg) {
    slow_ctx *s = (slow_ctx *)arg;
    ars_sock *c;
    char b[16];
    if (ars_tcp_connect(&c, "127.0.0.1", port_of(s->ls), go_deadline(2000)) != 0) return;
    s->client_r = (int)ars_tcp_read(c, b, sizeof b, go_deadline(3000));   /* never sends */
    ars_io_close(c);
}
static void test_slow_client(void) {
    slow_ctx s;
    memset(&s, 0, sizeof s);
    ASSERT_EQ(listen_any(&s.ls, "127.0.0.1", 16), 0);
    ars_go(slow_server, &s);
    ars_go(slow_client, &s);
    ars_sched_run();
    EXPECT_EQ(s.server_r, ARS_ETIMEDOUT);
    EXPECT_EQ(s.client_r, ARS_EEOF);
    ars_io_close(s.ls);
}

/* ---- peer reset during a write, reset seen by read ---- */
static void reset_close(ars_sock *c) {
    struct linger lg;
    lg.l_onoff = 1; lg.l_linger = 0;
    setsockopt((int)ars_io_fd(c), SOL_SOCKET, SO_LINGER, (const char *)&lg, sizeof lg);
    ars_io_close(c);
}
typedef struct rst_ctx { ars_sock *ls; int w_r, r_r; } rst_ctx;
static void rst_server(void *arg) {
    rst_ctx *x = (rst_ctx *)arg;
    ars_sock *c;
    static char big[1 << 20];
    int i;
    ptrdiff_t r = 0;
    if (ars_tcp_accept(x->ls, &c, NULL, go_deadline(2000)) != 0) return;
    for (i = 0; i < 64 && r >= 0; i++) r = ars_tcp_write(c, big, sizeof big, NULL, go_deadline(5000));
    x->w_r = (int)r;
    ars_io_close(c);
    if (ars_tcp_accept(x->ls, &c, NULL, go_deadline(2000)) != 0) return;
    {
        char b[16];
        do r = ars_tcp_read(c, b, sizeof b, go_deadline(3000)); while (r > 0);
        x->r_r = (int)r;
    }
    ars_io_close(c);
}
static void rst_client(void *arg) {
    rst_ctx *x = (rst_ctx *)arg;
    ars_sock *c;
    char b[4096];
    if (ars_tcp_connect(&c, "127.0.0.1", port_of(x->ls), go_deadline(2000)) != 0) return;
    ars_tcp_read_full(c, b, sizeof b, NULL, go_deadline(3000));
    reset_close(c);          /* RST while the server is writing */
    if (ars_tcp_connect(&c, "127.0.0.1", port_of(x->ls), go_deadline(2000)) != 0) return;
    ars_sleep_until(go_deadline(30));
    reset_close(c);          /* RST while the server is reading */
}
static void test_reset(void) {
    rst_ctx x;
    memset(&x, 0, sizeof x);
    ASSERT_EQ(listen_any(&x.ls, "127.0.0.1", 16), 0);
    ars_go(rst_server, &x);
    ars_go(rst_client, &x);
    ars_sched_run();
    EXPECT(x.w_r == ARS_ECONNRESET || x.w_r == ARS_EPIPE);
    EXPECT_EQ(x.r_r, ARS_ECONNRESET);
    ars_io_close(x.ls);
}

/* ---- half-close ---- */
typedef struct half_ctx { ars_sock *ls; int server_ok, client_ok; } half_ctx;
static void half_server(void *arg) {
    half_ctx *h = (half_ctx *)arg;
    ars_sock *c;
    char b[64];
    size_t got = 0;
    ptrdiff_t r;
    if (ars_tcp_accept(h->ls, &c, NULL, go_deadline(2000)) != 0) return;
    r = ars_tcp_read_full(c, b, sizeof b, &got, go_deadline(2000));
    h->server_ok = r == ARS_EEOF && got == 5 && !memcmp(b, "hello", 5);
    if (ars_tcp_write(c, "bye", 3, NULL, go_deadline(2000)) != 3) h->server_ok = 0;
    ars_io_close(c);
}
static void half_client(void *arg) {
    half_ctx *h = (half_ctx *)arg;
    ars_sock *c;
    char b[8];
    if (ars_tcp_connect(&c, "127.0.0.1", port_of(h->ls), go_deadline(2000)) != 0) return;
    ars_tcp_write(c, "hello", 5, NULL, go_deadline(2000));
    EXPECT_EQ(ars_tcp_shutdown(c, ARS_SHUT_WR), 0);
    EXPECT_EQ(ars_tcp_write(c, "x", 1, NULL, go_deadline(2000)), ARS_EPIPE);
    h->client_ok = ars_tcp_read_full(c, b, 3, NULL, go_deadline(2000)) == 3 && !memcmp(b, "bye", 3) &&
                   ars_tcp_read(c, b, sizeof b, go_deadline(2000)) == ARS_EEOF;
    ars_io_close(c);
}
static void test_half_close(void) {
    half_ctx h;
    memset(&h, 0, sizeof h);
    ASSERT_EQ(listen_any(&h.ls, "127.0.0.1", 16), 0);
    ars_go(half_server, &h);
    ars_go(half_client, &h);
    ars_sched_run();
    EXPECT(h.server_ok);
    EXPECT(h.client_ok);
    ars_io_close(h.ls);
}

/* ---- ARS_SHUT_RD: reads see the end of the stream on every backend, and a
   reader parked at that moment wakes (IOCP gave ARS_EPIPE, and left a
   parked reader waiting until its deadline) ---- */
/* a reader parked on c for up to ms: its result and when it came */
typedef struct pr_ctx { ars_sock *c; int ms; ptrdiff_t r; int64_t t; int fin; } pr_ctx;
static void pr_reader(void *arg) {
    pr_ctx *x = (pr_ctx *)arg;
    char b[8];
    x->r = ars_tcp_read(x->c, b, sizeof b, go_deadline(x->ms));
    x->t = ars_now();
    x->fin = 1;
}
static int shrd_ok;
static void shrd_co(void *arg) {
    ars_sock *ls, *s;
    pr_ctx x;
    char b[8];
    int64_t t0;
    (void)arg;
    memset(&x, 0, sizeof x);
    x.ms = SLOW ? 8000 : 3000;
    if (tcp_trio(&ls, &x.c, &s) != 0) return;
    ars_go(pr_reader, &x);
    ars_sleep_until(go_deadline(20));          /* the reader waits */
    t0 = ars_now();
    EXPECT_EQ(ars_tcp_shutdown(x.c, ARS_SHUT_RD), 0);
    while (!x.fin) ars_sleep_until(go_deadline(5));
    EXPECT_EQ(x.r, ARS_EEOF);
    EXPECT(x.t - t0 < LATE_MS);
    EXPECT_EQ(ars_io_wait(x.c, ARS_IO_READ, go_deadline(1000)), ARS_IO_READ);
    EXPECT_EQ(ars_tcp_read(x.c, b, sizeof b, go_deadline(1000)), ARS_EEOF);
    EXPECT_EQ(ars_tcp_read(x.c, b, sizeof b, 0), ARS_EEOF);
    /* the other direction still works */
    EXPECT_EQ(ars_tcp_write(x.c, "up", 2, NULL, go_deadline(1000)), 2);
    EXPECT_EQ(ars_tcp_read_full(s, b, 2, NULL, go_deadline(1000)), 2);
    shrd_ok = x.r == ARS_EEOF && x.t - t0 < LATE_MS;
    ars_io_close(x.c); ars_io_close(s); ars_io_close(ls);
}
static void test_shutdown_read(void) {
    shrd_ok = 0;
    ars_go(shrd_co, NULL);
    ars_sched_run();
    EXPECT(shrd_ok);
}

/* ---- ars_io_detach wakes a coroutine parked on the socket with ARS_ECLOSED,
   as ars_io_close does, and leaves the descriptor working (IOCP did not
   cancel the receive it waited for, so the reader slept on) ---- */
static int dt_ok;
static void dt_co(void *arg) {
    ars_sock *ls, *s;
    pr_ctx x;
    intptr_t fd;
    int64_t t0;
    (void)arg;
    memset(&x, 0, sizeof x);
    x.ms = SLOW ? 4000 : 2000;
    if (tcp_trio(&ls, &x.c, &s) != 0) return;
    ars_go(pr_reader, &x);
    ars_sleep_until(go_deadline(20));          /* the reader waits */
    t0 = ars_now();
    fd = ars_io_detach(x.c);
    while (!x.fin && ars_now() - t0 < LATE_MS + 500) ars_sleep_until(go_deadline(5));
    if (!x.fin) {                              /* still asleep: data ends its receive */
        ars_tcp_write(s, "wake", 4, NULL, go_deadline(1000));
        while (!x.fin) ars_sleep_until(go_deadline(5));
    }
    EXPECT_EQ(x.r, ARS_ECLOSED);
    EXPECT(x.t - t0 < LATE_MS);
    dt_ok = x.r == ARS_ECLOSED && x.t - t0 < LATE_MS;
#if defined(_WIN32)
    closesocket((SOCKET)fd);
#else
    close((int)fd);
#endif
    ars_io_close(s); ars_io_close(ls);
}
static void test_detach_wakes(void) {
    dt_ok = 0;
    ars_go(dt_co, NULL);
    ars_sched_run();
    EXPECT(dt_ok);
}

/* ---- a detached socket attaches again, to the same loop, any number of
   times (IOCP: a handle binds to one completion port, once, so the second
   attach failed, ARS_EINVAL); on Windows another thread's loop refuses it
   with ARS_EBUSY ---- */
static int ra_ok;
#if defined(_WIN32)
static intptr_t ra_fd;
static int ra_thread_r;
static DWORD WINAPI ra_thread(LPVOID p) {
    ars_sock *x;
    (void)p;
    ra_thread_r = ars_io_attach(&x, ra_fd);
    if (ra_thread_r == 0) ars_io_detach(x);
    ars_io_deinit();
    return 0;
}
#endif
static void ra_co(void *arg) {
    ars_sock *ls, *c, *s, *x;
    intptr_t fd;
    char b[8];
    int k, ok = 1;
#if defined(_WIN32)
    HANDLE th;
#endif
    (void)arg;
    if (tcp_trio(&ls, &c, &s) != 0) return;
    fd = ars_io_detach(c);
    for (k = 0; k < 3; k++) {
        if (!EXPECT_EQ(ars_io_attach(&x, fd), 0)) { ok = 0; break; }
        ok &= EXPECT_EQ(ars_tcp_write(s, "r", 1, NULL, go_deadline(1000)), 1);
        ok &= EXPECT_EQ(ars_io_wait(x, ARS_IO_READ, go_deadline(1000)), ARS_IO_READ);
        ok &= EXPECT_EQ(ars_tcp_read(x, b, sizeof b, go_deadline(1000)), 1);
        ok &= EXPECT_EQ(ars_tcp_write(x, "w", 1, NULL, go_deadline(1000)), 1);
        ok &= EXPECT_EQ(ars_tcp_read(s, b, sizeof b, go_deadline(1000)), 1);
        ok &= EXPECT_EQ(ars_io_detach(x), fd);
    }
#if defined(_WIN32)
    ra_fd = fd;
    ra_thread_r = 1;
    th = CreateThread(NULL, 0, ra_thread, NULL, 0, NULL);
    if (th) { WaitForSingleObject(th, INFINITE); CloseHandle(th); }
    ok &= EXPECT_EQ(ra_thread_r, ARS_EBUSY);
    if (EXPECT_EQ(ars_io_attach(&x, fd), 0)) ars_io_detach(x);   /* still this loop's */
    else ok = 0;
    closesocket((SOCKET)fd);
#else
    close((int)fd);
#endif
    ars_io_close(s); ars_io_close(ls);
    ra_ok = ok;
}
static void test_detach_reattach(void) {
    ra_ok = 0;
    ars_go(ra_co, NULL);
    EXPECT_EQ(ars_sched_run(), 0);
    EXPECT(ra_ok);
}

/* ---- refused, resolve, IPv6, host names ---- */
static int refused_r, v6_ok, name_ok, resolve_r;
static void refused_co(void *arg) {
    ars_sock *ls, *c;
    int port;
    (void)arg;
    if (ars_tcp_listen(&ls, "127.0.0.1", 0, NULL) != 0) return;
    port = port_of(ls);
    ars_io_close(ls);
    refused_r = ars_tcp_connect(&c, "127.0.0.1", port, go_deadline(2000));
    if (refused_r == 0) ars_io_close(c);
}
typedef struct v6_arg { ars_sock *ls; int *ok; } v6_arg;
static void v6_server(void *arg) {
    v6_arg *a = (v6_arg *)arg;
    ars_sock *c;
    ars_addr peer;
    char b[8], txt[64];
    if (ars_tcp_accept(a->ls, &c, &peer, go_deadline(3000)) != 0) return;
    if (ars_tcp_read_full(c, b, 2, NULL, go_deadline(2000)) == 2 && ars_tcp_write(c, b, 2, NULL, go_deadline(2000)) == 2)
        if (ars_addr_format(&peer, txt, sizeof txt) > 0) *a->ok += 1;
    ars_io_close(c);
}
static void v6_client_co(void *arg) {
    v6_arg *a = (v6_arg *)arg;
    ars_sock *c;
    char b[2];
    int port = port_of(a->ls);
    if (ars_tcp_connect(&c, a->ok == &v6_ok ? "::1" : "localhost", port, go_deadline(3000)) != 0) return;
    if (ars_tcp_write(c, "hi", 2, NULL, go_deadline(2000)) == 2 && ars_tcp_read_full(c, b, 2, NULL, go_deadline(2000)) == 2)
        *a->ok += 1;
    ars_io_close(c);
}
static void resolve_co(void *arg) {
    ars_addr a;
    char txt[64];
    (void)arg;
    resolve_r = ars_addr_resolve(&a, "localhost", 8080, go_deadline(3000));
    if (resolve_r == 0 && ars_addr_port(&a) != 8080) resolve_r = -100;
    if (resolve_r == 0 && ars_addr_format(&a, txt, sizeof txt) <= 0) resolve_r = -101;
    if (resolve_r == 0 && ars_addr_format(&a, txt, 3) != ARS_EOVERFLOW) resolve_r = -102;
}
static void test_addresses(void) {
    ars_sock *ls6 = NULL, *ls4 = NULL;
    v6_arg a6, a4;
    ars_addr a;
    char txt[64];
    refused_r = 0; v6_ok = 0; name_ok = 0;
    EXPECT_EQ(ars_addr_resolve(&a, "::1", 80, -1), 0);
    EXPECT_EQ(ars_addr_format(&a, txt, sizeof txt), 8);
    EXPECT(!strcmp(txt, "[::1]:80"));
    EXPECT_EQ(ars_addr_resolve(&a, "10.1.2.3", 65535, -1), 0);
    EXPECT_EQ(ars_addr_format(&a, txt, sizeof txt), 14);
    EXPECT(!strcmp(txt, "10.1.2.3:65535"));
    EXPECT_EQ(ars_addr_resolve(&a, "no-such-host.invalid", 80, -1), ARS_ENOTFOUND);
    /* deadlines outside a coroutine: 0 or a passed one never waits for a
       lookup (a name used to be looked up, blocking, whatever the deadline);
       a numeric address still resolves; a later one is kept by a thread */
    EXPECT_EQ(ars_addr_resolve(&a, "localhost", 80, 0), ARS_ETIMEDOUT);
    EXPECT_EQ(ars_addr_resolve(&a, "localhost", 80, 1), ARS_ETIMEDOUT);
    EXPECT_EQ(ars_addr_resolve(&a, "127.0.0.1", 81, 0), 0);
    EXPECT_EQ(ars_addr_port(&a), 81);
    a.len = 0;
    EXPECT_EQ(ars_addr_resolve(&a, "localhost", 82, go_deadline(5000)), 0);
    EXPECT_EQ(ars_addr_port(&a), 82);
    ars_go(refused_co, NULL);
    ars_go(resolve_co, NULL);
    if (listen_any(&ls6, "::1", 16) == 0) {
        a6.ls = ls6; a6.ok = &v6_ok;
        ars_go(v6_server, &a6);
        ars_go(v6_client_co, &a6);
    } else ars_test_puts("# no IPv6 loopback here\n");
    /* "localhost" may resolve to ::1 or 127.0.0.1 first: listen on the v4 one,
       the connect falls through to the next address when refused */
    ASSERT_EQ(listen_any(&ls4, "127.0.0.1", 16), 0);
    a4.ls = ls4; a4.ok = &name_ok;
    ars_go(v6_server, &a4);
    ars_go(v6_client_co, &a4);
    ars_sched_run();
    EXPECT_EQ(refused_r, ARS_ECONNREFUSED);
    EXPECT_EQ(resolve_r, 0);
    if (ls6) { EXPECT_EQ(v6_ok, 2); ars_io_close(ls6); }
    EXPECT_EQ(name_ok, 2);
    ars_io_close(ls4);
}

/* ---- UDP ---- */
static int udp_ok;
typedef struct udp_arg { const char *host; } udp_arg;
static void udp_co(void *arg) {
    udp_arg *u = (udp_arg *)arg;
    ars_sock *a, *b;
    ars_addr ab, from;
    char buf[64];
    if (ars_udp_bind(&a, u->host, 0) != 0) return;
    if (ars_udp_bind(&b, u->host, 0) != 0) { ars_io_close(a); return; }
    ars_io_local_addr(b, &ab);
    EXPECT_EQ(ars_udp_recv_from(b, buf, sizeof buf, &from, go_deadline(30)), ARS_ETIMEDOUT);
    if (ars_udp_send_to(a, "datagram", 8, &ab, go_deadline(1000)) == 8 &&
        ars_udp_recv_from(b, buf, sizeof buf, &from, go_deadline(2000)) == 8 && !memcmp(buf, "datagram", 8) &&
        ars_udp_send_to(b, "back", 4, &from, go_deadline(1000)) == 4 &&
        ars_udp_recv_from(a, buf, sizeof buf, NULL, go_deadline(2000)) == 4 && !memcmp(buf, "back", 4))
        udp_ok++;
    ars_io_close(a);
    ars_io_close(b);
}
static void test_udp(void) {
    udp_arg u4, u6;
    ars_sock *probe;
    int want = 1;
    udp_ok = 0;
    u4.host = "127.0.0.1"; u6.host = "::1";
    ars_go(udp_co, &u4);
    if (ars_udp_bind(&probe, "::1", 0) == 0) { ars_io_close(probe); ars_go(udp_co, &u6); want = 2; }
    ars_sched_run();
    EXPECT_EQ(udp_ok, want);
}

/* ---- ars_io_wait on a UDP socket says readable when a datagram is there
   (IOCP's zero-byte peek found it too long: ARS_EOVERFLOW) ---- */
typedef struct uw_ctx { ars_sock *a; ars_addr to; } uw_ctx;
static void uw_late(void *arg) {
    uw_ctx *u = (uw_ctx *)arg;
    ars_sleep_until(go_deadline(30));
    EXPECT_EQ(ars_udp_send_to(u->a, "late", 4, &u->to, go_deadline(1000)), 4);
}
static int uw_ok;
static void uw_co(void *arg) {
    uw_ctx u;
    ars_sock *b;
    char buf[16];
    (void)arg;
    if (ars_udp_bind(&u.a, "127.0.0.1", 0) != 0) return;
    if (ars_udp_bind(&b, "127.0.0.1", 0) != 0) { ars_io_close(u.a); return; }
    ars_io_local_addr(b, &u.to);
    EXPECT_EQ(ars_io_wait(b, ARS_IO_READ, go_deadline(30)), ARS_ETIMEDOUT);
    /* queued before the wait */
    EXPECT_EQ(ars_udp_send_to(u.a, "queued", 6, &u.to, go_deadline(1000)), 6);
    ars_sleep_until(go_deadline(20));
    EXPECT_EQ(ars_io_wait(b, ARS_IO_READ, go_deadline(1000)), ARS_IO_READ);
    EXPECT_EQ(ars_udp_recv_from(b, buf, sizeof buf, NULL, go_deadline(1000)), 6);
    /* arrives while it waits */
    ars_go(uw_late, &u);
    EXPECT_EQ(ars_io_wait(b, ARS_IO_READ, go_deadline(2000)), ARS_IO_READ);
    EXPECT_EQ(ars_udp_recv_from(b, buf, sizeof buf, NULL, go_deadline(1000)), 4);
    uw_ok = 1;
    ars_io_close(u.a);
    ars_io_close(b);
}
static void test_udp_wait(void) {
    uw_ok = 0;
    ars_go(uw_co, NULL);
    ars_sched_run();
    EXPECT(uw_ok);
}

/* ---- an empty datagram is a datagram: sent, and received as 0 bytes (IOCP
   skipped the zero-length buffer and sent nothing) ---- */
static int ue_ok;
static void ue_co(void *arg) {
    ars_sock *a, *b;
    ars_addr ab, from, aa;
    char buf[8];
    (void)arg;
    if (ars_udp_bind(&a, "127.0.0.1", 0) != 0) return;
    if (ars_udp_bind(&b, "127.0.0.1", 0) != 0) { ars_io_close(a); return; }
    ars_io_local_addr(a, &aa);
    ars_io_local_addr(b, &ab);
    EXPECT_EQ(ars_udp_send_to(a, "", 0, &ab, go_deadline(1000)), 0);
    EXPECT_EQ(ars_udp_send_to(a, NULL, 0, &ab, go_deadline(1000)), 0);
    memset(&from, 0, sizeof from);
    EXPECT_EQ(ars_udp_recv_from(b, buf, sizeof buf, &from, go_deadline(1000)), 0);
    EXPECT_EQ(ars_addr_port(&from), ars_addr_port(&aa));
    EXPECT_EQ(ars_udp_recv_from(b, buf, sizeof buf, NULL, go_deadline(1000)), 0);
    EXPECT_EQ(ars_udp_send_to(a, "z", 1, &ab, go_deadline(1000)), 1);
    EXPECT_EQ(ars_udp_recv_from(b, buf, sizeof buf, NULL, go_deadline(1000)), 1);
    ue_ok = 1;
    ars_io_close(a);
    ars_io_close(b);
}
static void test_udp_empty_datagram(void) {
    ue_ok = 0;
    ars_go(ue_co, NULL);
    ars_sched_run();
    EXPECT(ue_ok);
}

/* ---- UDP: a send to a port where nobody listens is no error on the next
   receive, as on Linux, whose unconnected UDP sockets ignore the ICMP
   port unreachable (Windows reports it as WSAECONNRESET there, which the
   IOCP backend returned as an empty datagram from an unset address; wine
   does not report it, so this passes there either way) ---- */
static int ui_ok;
static void ui_co(void *arg) {
    ars_sock *a, *b, *c;
    ars_addr gone, aa, ca, from;
    char buf[8];
    int k, ok = 1;
    (void)arg;
    if (ars_udp_bind(&a, "127.0.0.1", 0) != 0) return;
    if (ars_udp_bind(&b, "127.0.0.1", 0) != 0) { ars_io_close(a); return; }
    if (ars_udp_bind(&c, "127.0.0.1", 0) != 0) { ars_io_close(a); ars_io_close(b); return; }
    ars_io_local_addr(b, &gone);
    ars_io_local_addr(a, &aa);
    ars_io_local_addr(c, &ca);
    ars_io_close(b);                            /* nobody listens there now */
    for (k = 0; k < 2; k++) {
        ok &= EXPECT_EQ(ars_udp_send_to(a, "x", 1, &gone, go_deadline(1000)), 1);
        ars_sleep_until(go_deadline(30));       /* the ICMP error comes back */
        if (k == 0) {
            ok &= EXPECT_EQ(ars_udp_recv_from(a, buf, sizeof buf, &from, go_deadline(100)), ARS_ETIMEDOUT);
        } else {
            /* a receive that waits through the error gets the next datagram */
            ok &= EXPECT_EQ(ars_udp_send_to(c, "hi", 2, &aa, go_deadline(1000)), 2);
            memset(&from, 0, sizeof from);
            ok &= EXPECT_EQ(ars_udp_recv_from(a, buf, sizeof buf, &from, go_deadline(1000)), 2);
            ok &= EXPECT(memcmp(buf, "hi", 2) == 0);
            ok &= EXPECT_EQ(ars_addr_port(&from), ars_addr_port(&ca));
        }
    }
    ui_ok = ok;
    ars_io_close(a); ars_io_close(c);
}
static void test_udp_icmp_ignored(void) {
    ui_ok = 0;
    ars_go(ui_co, NULL);
    EXPECT_EQ(ars_sched_run(), 0);
    EXPECT(ui_ok);
}

/* ---- a datagram longer than the buffer is reported, never cut silently ---- */
static int udpbig_ok;
typedef struct udpbig_arg { ars_sock *a; ars_addr to; int done; } udpbig_arg;
static void udpbig_late_sender(void *arg) {
    udpbig_arg *u = (udpbig_arg *)arg;
    static char big[100];
    memset(big, 'L', sizeof big);
    ars_sleep_until(go_deadline(30));
    EXPECT_EQ(ars_udp_send_to(u->a, big, sizeof big, &u->to, go_deadline(1000)), 100);
    u->done = 1;
}
static void udpbig_co(void *arg) {
    const char *host = (const char *)arg;
    ars_sock *a, *b;
    ars_addr aa, ab, from, empty;
    udpbig_arg u;
    static char big[100], huge[70000];
    char buf[64];
    int i, ok = 1;
    if (ars_udp_bind(&a, host, 0) != 0) return;
    if (ars_udp_bind(&b, host, 0) != 0) { ars_io_close(a); return; }
    ars_io_local_addr(a, &aa);
    ars_io_local_addr(b, &ab);
    memset(big, 'Q', sizeof big);
    /* already queued when the receive starts */
    EXPECT_EQ(ars_udp_send_to(a, big, sizeof big, &ab, go_deadline(1000)), 100);
    ars_sleep_until(go_deadline(20));
    memset(buf, 0, sizeof buf);
    memset(&from, 0, sizeof from);
    EXPECT_EQ(ars_udp_recv_from(b, buf, 10, &from, go_deadline(2000)), ARS_EOVERFLOW);
    for (i = 0; i < 10; i++) if (buf[i] != 'Q') ok = 0;
    EXPECT(ok && buf[10] == 0);
    EXPECT_EQ(from.len, aa.len);
    EXPECT_EQ(ars_addr_port(&from), ars_addr_port(&aa));
    /* arrives while the receive waits */
    u.a = a; u.to = ab; u.done = 0;
    ars_go(udpbig_late_sender, &u);
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(ars_udp_recv_from(b, buf, 10, NULL, go_deadline(2000)), ARS_EOVERFLOW);
    EXPECT(buf[0] == 'L' && buf[9] == 'L' && buf[10] == 0);
    while (!u.done) ars_sleep_until(go_deadline(5));
    /* the socket goes on: a datagram that fits, then one of exactly cap bytes */
    EXPECT_EQ(ars_udp_send_to(a, "fits", 4, &ab, go_deadline(1000)), 4);
    EXPECT_EQ(ars_udp_recv_from(b, buf, sizeof buf, NULL, go_deadline(2000)), 4);
    EXPECT_EQ(ars_udp_send_to(a, big, 10, &ab, go_deadline(1000)), 10);
    EXPECT_EQ(ars_udp_recv_from(b, buf, 10, NULL, go_deadline(2000)), 10);
    /* a datagram no UDP packet can carry, and bad destinations */
    EXPECT_EQ(ars_udp_send_to(a, huge, sizeof huge, &ab, go_deadline(1000)), ARS_EOVERFLOW);
    memset(&empty, 0, sizeof empty);
    EXPECT_EQ(ars_udp_send_to(a, "x", 1, &empty, go_deadline(1000)), ARS_EINVAL);
    empty = ab; empty.len = 100;   /* past the end of ars_addr */
    EXPECT_EQ(ars_udp_send_to(a, "x", 1, &empty, go_deadline(1000)), ARS_EINVAL);
    udpbig_ok++;
    ars_io_close(a);
    ars_io_close(b);
}
static void test_udp_truncation(void) {
    ars_sock *probe;
    int want = 1;
    udpbig_ok = 0;
    ars_go(udpbig_co, (void *)"127.0.0.1");
    if (ars_udp_bind(&probe, "::1", 0) == 0) { ars_io_close(probe); ars_go(udpbig_co, (void *)"::1"); want = 2; }
    ars_sched_run();
    EXPECT_EQ(udpbig_ok, want);
}

/* ---- a second writer never slips its bytes into a parked writer's stream ---- */
#define WB_BIG (4u << 20)
typedef struct wb_ctx { ars_sock *c; unsigned char *data; ptrdiff_t r; int done; } wb_ctx;
static void wb_writer(void *arg) {
    wb_ctx *w = (wb_ctx *)arg;
    w->r = ars_tcp_write(w->c, w->data, WB_BIG, NULL, go_deadline(20000));
    w->done = 1;
}
static int wb_ok;
static void wb_co(void *arg) {
    ars_sock *ls, *c, *s;
    wb_ctx w;
    unsigned char *in;
    size_t got = 0;
    int slipped = 0, busy = 0, bad = 0;
    ars_iovec v;
    (void)arg;
    if (tcp_trio(&ls, &c, &s) != 0) return;
    ars_io_set_bufsize(c, 16384, 16384);
    ars_io_set_bufsize(s, 16384, 16384);
    w.c = c; w.r = 0; w.done = 0;
    w.data = (unsigned char *)malloc(WB_BIG);
    in = (unsigned char *)malloc(65536);
    if (!w.data || !in) { free(w.data); free(in); return; }
    memset(w.data, 'a', WB_BIG);
    ars_go(wb_writer, &w);
    ars_sleep_until(go_deadline(20));         /* the writer fills the buffers and waits */
    while (got < WB_BIG + 16) {
        ptrdiff_t n, k;
        size_t i;
        if (!w.done) {                         /* the writer waits: another write is refused */
            k = ars_tcp_write(c, "X", 1, NULL, 0);
            if (k > 0) slipped++; else if (k == ARS_EBUSY) busy++;
            v.base = "Y"; v.len = 1;
            k = ars_tcp_writev(c, &v, 1, NULL, 0);
            if (k > 0) slipped++; else if (k == ARS_EBUSY) busy++;
        }
        n = ars_tcp_read(s, in, 65536, go_deadline(w.done ? 100 : 5000));
        if (n <= 0) break;
        for (i = 0; i < (size_t)n; i++) if (in[i] != 'a') bad++;
        got += (size_t)n;
    }
    while (!w.done) ars_sleep_until(go_deadline(5));
    EXPECT_EQ(slipped, 0);
    EXPECT_EQ(bad, 0);
    EXPECT(busy > 0);
    EXPECT_EQ(got, WB_BIG + 0);
    EXPECT_EQ(w.r, (ptrdiff_t)WB_BIG);
    wb_ok = slipped == 0 && bad == 0 && got == WB_BIG;
    free(w.data); free(in);
    ars_io_close(c); ars_io_close(s); ars_io_close(ls);
}
static void test_second_writer_busy(void) {
    wb_ok = 0;
    ars_go(wb_co, NULL);
    ars_sched_run();
    EXPECT(wb_ok);
}

/* ---- a read, wait or accept while another coroutine waits on that side is
   ARS_EBUSY, before it takes data, a datagram or a connection the waiter
   was woken for (poll took them and left the waiter to its deadline) ---- */
typedef struct rb_ctx { ars_sock *s; int kind; ptrdiff_t r; int fin; ars_sock *got; } rb_ctx;
static void rb_waiter(void *arg) {
    rb_ctx *x = (rb_ctx *)arg;
    char b[8];
    int64_t d = go_deadline(SLOW ? 8000 : 3000);
    if (x->kind == 0) x->r = ars_tcp_read(x->s, b, sizeof b, d);
    else if (x->kind == 1) x->r = ars_udp_recv_from(x->s, b, sizeof b, NULL, d);
    else if (x->kind == 2) x->r = ars_io_wait(x->s, ARS_IO_READ, d);
    else x->r = ars_tcp_accept(x->s, &x->got, NULL, d);
    x->fin = 1;
}
/* tries the second call until the waiter has run: ARS_EBUSY every time
   (yields let the loop poll, so on epoll too the socket is seen readable
   while the woken waiter has not run yet) */
static int rb_second(rb_ctx *x) {
    char b[8];
    ars_sock *c2 = NULL;
    int bad = 0, i;
    for (i = 0; i < 1000 && !x->fin; i++) {
        ptrdiff_t r;
        if (x->kind == 0) r = ars_tcp_read(x->s, b, sizeof b, 0);
        else if (x->kind == 1) r = ars_udp_recv_from(x->s, b, sizeof b, NULL, 0);
        else if (x->kind == 2) r = ars_io_wait(x->s, ARS_IO_READ, 0);
        else { r = ars_tcp_accept(x->s, &c2, NULL, 0); if (r == 0) ars_io_close(c2); }
        if (r != ARS_EBUSY) bad++;
        /* a wait for reading or writing is a wait for reading (IOCP said
           writable) */
        if (ars_io_wait(x->s, ARS_IO_READ | ARS_IO_WRITE, 0) != ARS_EBUSY) bad++;
        ars_sched_yield();
    }
    while (!x->fin) ars_sleep_until(go_deadline(5));
    return bad;
}
static int rb_ok;
static void rb_co(void *arg) {
    ars_sock *ls, *c, *s, *u1, *u2;
    ars_addr to;
    rb_ctx x;
    char b[8];
    int kind, ok = 1;
    (void)arg;
    if (tcp_trio(&ls, &c, &s) != 0) return;
    for (kind = 0; kind < 3; kind += 2) {         /* read, then wait */
        memset(&x, 0, sizeof x);
        x.s = s; x.kind = kind;
        ars_go(rb_waiter, &x);
        ars_sched_yield();                        /* it waits */
        EXPECT_EQ(ars_tcp_write(c, "hello", 5, NULL, go_deadline(1000)), 5);
        EXPECT_EQ(rb_second(&x), 0);
        EXPECT_EQ(x.r, kind == 0 ? 5 : ARS_IO_READ);
        ok &= x.r == (kind == 0 ? 5 : ARS_IO_READ);
    }
    EXPECT_EQ(ars_tcp_read(s, b, sizeof b, go_deadline(1000)), 5);   /* the wait's data */
    memset(&x, 0, sizeof x);                      /* accept */
    x.s = ls; x.kind = 3;
    ars_go(rb_waiter, &x);
    ars_sched_yield();
#if !defined(_WIN32)
    {   /* a blocking connect queues the connection without a poll, so the
           acceptor has not run when the second call comes (on Windows it
           would; IOCP refused it there before the readiness backends did) */
        ars_addr la;
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        ars_io_local_addr(ls, &la);
        if (fd >= 0 && connect(fd, (const struct sockaddr *)(const void *)la.u.bytes, (socklen_t)la.len) == 0) {
            EXPECT_EQ(rb_second(&x), 0);
            EXPECT_EQ(x.r, 0);
            ok &= x.r == 0;
            if (x.r == 0) ars_io_close(x.got);
        } else ok = 0;
        if (fd >= 0) close(fd);
    }
#else
    if (ars_tcp_connect(&u1, "127.0.0.1", port_of(ls), go_deadline(2000)) == 0) {
        EXPECT_EQ(rb_second(&x), 0);
        EXPECT_EQ(x.r, 0);
        ok &= x.r == 0;
        if (x.r == 0) ars_io_close(x.got);
        ars_io_close(u1);
    } else ok = 0;
#endif
    ars_io_close(c); ars_io_close(s); ars_io_close(ls);
    if (ars_udp_bind(&u1, "127.0.0.1", 0) != 0) return;     /* recv_from */
    if (ars_udp_bind(&u2, "127.0.0.1", 0) == 0) {
        memset(&x, 0, sizeof x);
        x.s = u1; x.kind = 1;
        ars_go(rb_waiter, &x);
        ars_sched_yield();
        ars_io_local_addr(u1, &to);
        EXPECT_EQ(ars_udp_send_to(u2, "dgram", 5, &to, go_deadline(1000)), 5);
        EXPECT_EQ(rb_second(&x), 0);
        EXPECT_EQ(x.r, 5);
        ok &= x.r == 5;
        ars_io_close(u2);
    } else ok = 0;
    ars_io_close(u1);
    rb_ok = ok;
}
/* the write side: while a writer waits, a wait for writing (alone or with
   reading) is ARS_EBUSY, also with the socket readable (readiness backends
   said readable) or the writer's room back before it ran (they said
   writable; IOCP said writable at once); a wait for reading alone is not */
typedef struct rbw_ctx { ars_sock *c; unsigned char *data; ptrdiff_t r; int fin; } rbw_ctx;
static void rbw_writer(void *arg) {
    rbw_ctx *w = (rbw_ctx *)arg;
    w->r = ars_tcp_write(w->c, w->data, WB_BIG, NULL, go_deadline(SLOW ? 20000 : 5000));
    w->fin = 1;
}
static int rb_write_side(void) {
    ars_sock *ls, *c, *s;
    rbw_ctx w;
    unsigned char *in;
    size_t got = 0;
    ptrdiff_t n = 1;
    int bad = 0, tries = 0, ok = 0;
    if (tcp_trio(&ls, &c, &s) != 0) return 0;
    ars_io_set_bufsize(c, 16384, 16384);
    ars_io_set_bufsize(s, 16384, 16384);
    memset(&w, 0, sizeof w);
    w.c = c;
    w.data = (unsigned char *)malloc(WB_BIG);
    in = (unsigned char *)malloc(65536);
    if (w.data && in) {
        memset(w.data, 'w', WB_BIG);
        EXPECT_EQ(ars_tcp_write(s, "back", 4, NULL, go_deadline(1000)), 4);   /* c is readable */
        EXPECT_EQ(ars_io_wait(c, ARS_IO_READ, go_deadline(1000)), ARS_IO_READ);
        ars_go(rbw_writer, &w);
        ars_sleep_until(go_deadline(20));         /* it fills the buffers and waits */
        while (!w.fin && got < WB_BIG) {          /* here the writer waits, woken or not */
            if (ars_io_wait(c, ARS_IO_WRITE, 0) != ARS_EBUSY) bad++;
            if (ars_io_wait(c, ARS_IO_READ | ARS_IO_WRITE, 0) != ARS_EBUSY) bad++;
            if (ars_io_wait(c, ARS_IO_READ, 0) != ARS_IO_READ) bad++;
            tries++;
            if ((n = ars_tcp_read(s, in, 65536, go_deadline(5000))) <= 0) break;
            got += (size_t)n;
            ars_sched_yield();                    /* the loop polls: the writer may be woken, not run */
        }
        while (n > 0 && got < WB_BIG && (n = ars_tcp_read(s, in, 65536, go_deadline(5000))) > 0) got += (size_t)n;
        while (!w.fin) ars_sleep_until(go_deadline(5));
        EXPECT(tries > 0);
        EXPECT_EQ(bad, 0);
        EXPECT_EQ(got, WB_BIG + 0);
        EXPECT_EQ(w.r, (ptrdiff_t)WB_BIG);
        ok = tries > 0 && bad == 0 && got == WB_BIG && w.r == (ptrdiff_t)WB_BIG;
    }
    free(w.data); free(in);
    ars_io_close(c); ars_io_close(s); ars_io_close(ls);
    return ok;
}
static void rb_write_co(void *arg) { *(int *)arg = rb_write_side(); }
static void test_second_reader_busy(void) {
    int wok = 0;
    rb_ok = 0;
    ars_go(rb_co, NULL);
    ars_sched_run();
    EXPECT(rb_ok);
    ars_go(rb_write_co, &wok);
    ars_sched_run();
    EXPECT(wok);
}

/* ---- a writer cut short by ars_io_close still learns what it wrote ---- */
typedef struct cw_ctx { ars_sock *c; unsigned char *data; ptrdiff_t r; size_t done; int fin; } cw_ctx;
static void cw_writer(void *arg) {
    cw_ctx *w = (cw_ctx *)arg;
    w->r = ars_tcp_write(w->c, w->data, WB_BIG, &w->done, go_deadline(SLOW ? 20000 : 5000));
    w->fin = 1;
}
static int cw_ok;
static void cw_co(void *arg) {
    ars_sock *ls, *s;
    cw_ctx w;
    (void)arg;
    memset(&w, 0, sizeof w);
    w.done = (size_t)-1;
    if (tcp_trio(&ls, &w.c, &s) != 0) return;
    ars_io_set_bufsize(w.c, 16384, 16384);
    w.data = (unsigned char *)calloc(1, WB_BIG);
    if (w.data) {
        ars_go(cw_writer, &w);
        ars_sleep_until(go_deadline(20));     /* it filled the buffers and waits */
        if (!w.fin) {
            ars_io_close(w.c);
            while (!w.fin) ars_sleep_until(go_deadline(5));
            EXPECT_EQ(w.r, ARS_ECLOSED);
#if !defined(_WIN32)   /* IOCP: the aborted send may report 0 bytes */
            EXPECT(w.done > 0);
#endif
            EXPECT(w.done < WB_BIG);
            cw_ok = w.r == ARS_ECLOSED && w.done < WB_BIG;
        } else ars_io_close(w.c);
        free(w.data);
    }
    ars_io_close(s); ars_io_close(ls);
}
static void test_close_writer_done(void) {
    cw_ok = 0;
    ars_go(cw_co, NULL);
    ars_sched_run();
    EXPECT(cw_ok);
}

/* ---- a write cut short by its deadline reports in *done every byte that
   went out (IOCP left out what the cancelled send had already sent) ---- */
static int wd_ok;
static void wd_co(void *arg) {
    ars_sock *ls, *c, *s;
    unsigned char *data, *in;
    size_t done, got;
    ptrdiff_t r, n;
    int pass, ok = 1;
    (void)arg;
    if (tcp_trio(&ls, &c, &s) != 0) return;
    ars_io_set_bufsize(c, 16384, 16384);
    ars_io_set_bufsize(s, 16384, 16384);
    data = (unsigned char *)malloc(WB_BIG);
    in = (unsigned char *)malloc(65536);
    if (data && in) {
        memset(data, 'd', WB_BIG);
        for (pass = 0; pass < 2; pass++) {   /* a deadline ahead, then 0 */
            done = (size_t)-1;
            r = ars_tcp_write(c, data, WB_BIG, &done, pass == 0 ? go_deadline(50) : 0);
            EXPECT_EQ(r, ARS_ETIMEDOUT);
            got = 0;
            while ((n = ars_tcp_read(s, in, 65536, go_deadline(200))) > 0) got += (size_t)n;
            EXPECT_EQ(n, ARS_ETIMEDOUT);
            EXPECT(got > 0);
            EXPECT_EQ(done, got);
            if (r != ARS_ETIMEDOUT || got == 0 || done != got) ok = 0;
        }
        wd_ok = ok;
    }
    free(data); free(in);
    ars_io_close(c); ars_io_close(s); ars_io_close(ls);
}
static void test_write_deadline_done(void) {
    wd_ok = 0;
    ars_go(wd_co, NULL);
    ars_sched_run();
    EXPECT(wd_ok);
}

/* ---- 32-bit: a write whose total a ptrdiff_t result cannot hold is refused
   before any byte moves (POSIX sent 2.4 GB, then returned the count as a
   negative number no ARS_E* code has) ---- */
#if PTRDIFF_MAX <= 0x7fffffff
#define BIG_LEN ((size_t)1200 << 20)
typedef struct big_ctx { ars_sock *s; unsigned long long got; int fin; } big_ctx;
static void big_reader(void *arg) {
    big_ctx *x = (big_ctx *)arg;
    static char b[1 << 16];
    ptrdiff_t n;
    while ((n = ars_tcp_read(x->s, b, sizeof b, go_deadline(300))) > 0) x->got += (unsigned long long)n;
    x->fin = 1;
}
static int big_ok;
static void big_co(void *arg) {
    ars_sock *ls, *c;
    ars_iovec v[2];
    big_ctx x;
    size_t done = 7;
    ptrdiff_t r;
    char *buf = (char *)calloc(1, BIG_LEN);   /* untouched zero pages */
    (void)arg;
    memset(&x, 0, sizeof x);
    if (!buf) { ars_test_puts("# no 1.2 GB buffer here\n"); big_ok = 1; return; }
    if (listen_any(&ls, "127.0.0.1", 4) == 0) {
        if (ars_tcp_connect(&c, "127.0.0.1", port_of(ls), go_deadline(2000)) == 0) {
            if (ars_tcp_accept(ls, &x.s, NULL, go_deadline(2000)) == 0) {
                ars_go(big_reader, &x);
                v[0].base = buf; v[0].len = BIG_LEN;
                v[1].base = buf; v[1].len = BIG_LEN;
                r = ars_tcp_writev(c, v, 2, &done, go_deadline(60000));
                while (!x.fin) ars_sleep_until(go_deadline(10));
                EXPECT_EQ(r, ARS_EINVAL);
                EXPECT_EQ(done, 0);
                EXPECT(x.got == 0);
                big_ok = r == ARS_EINVAL && done == 0 && x.got == 0;
                ars_io_close(x.s);
            }
            ars_io_close(c);
        }
        ars_io_close(ls);
    }
    free(buf);
}
static void test_huge_sizes(void) {
    big_ok = 0;
    ars_go(big_co, NULL);
    ars_sched_run();
    EXPECT(big_ok);
}
#endif

/* ---- a second acceptor on one listener gets ARS_EBUSY; the first still accepts ---- */
typedef struct ab_ctx { ars_sock *ls, *got; int r; int64_t t; } ab_ctx;
static void ab_acceptor(void *arg) {
    ab_ctx *x = (ab_ctx *)arg;
    x->r = ars_tcp_accept(x->ls, &x->got, NULL, go_deadline(SLOW ? 8000 : 3000));
    x->t = ars_now();
}
static int ab_ok;
static void ab_co(void *arg) {
    ab_ctx x;
    ars_sock *c2, *c;
    int64_t t0;
    (void)arg;
    memset(&x, 0, sizeof x);
    x.r = 1;
    if (listen_any(&x.ls, "127.0.0.1", 4) != 0) return;
    ars_go(ab_acceptor, &x);
    ars_sleep_until(go_deadline(10));
    EXPECT_EQ(ars_tcp_accept(x.ls, &c2, NULL, go_deadline(50)), ARS_EBUSY);
    t0 = ars_now();
    if (ars_tcp_connect(&c, "127.0.0.1", port_of(x.ls), go_deadline(2000)) == 0) {
        while (x.r == 1 && ars_now() - t0 < (SLOW ? 9000 : 4000)) ars_sleep_until(go_deadline(5));
        EXPECT_EQ(x.r, 0);
        EXPECT(x.t - t0 < LATE_MS);
        ab_ok = x.r == 0 && x.t - t0 < LATE_MS;
        if (x.r == 0) ars_io_close(x.got);
        ars_io_close(c);
    }
    while (x.r == 1) ars_sleep_until(go_deadline(5));
    ars_io_close(x.ls);
}
static void test_second_acceptor_busy(void) {
    ab_ok = 0;
    ars_go(ab_co, NULL);
    ars_sched_run();
    EXPECT(ab_ok);
}

/* ---- IOCP: an iovec entry longer than a WSABUF holds is refused, not cut ---- */
#if defined(_WIN32) && SIZE_MAX > 0xffffffffu
static int wv_ok;
static void wv_co(void *arg) {
    ars_sock *ls, *c, *s;
    ars_iovec v[2];
    char b[4];
    size_t done = 7;
    (void)arg;
    if (listen_any(&ls, "127.0.0.1", 4) != 0) return;
    if (ars_tcp_connect(&c, "127.0.0.1", port_of(ls), go_deadline(2000)) == 0) {
        if (ars_tcp_accept(ls, &s, NULL, go_deadline(2000)) == 0) {
            /* the length is never used: the call must refuse it first */
            v[0].base = "a"; v[0].len = 1;
            v[1].base = "Z"; v[1].len = (size_t)0x100000001u;
            EXPECT_EQ(ars_tcp_writev(c, v, 2, &done, go_deadline(1000)), ARS_EINVAL);
            EXPECT_EQ(done, 0);
            EXPECT_EQ(ars_tcp_read(s, b, sizeof b, go_deadline(50)), ARS_ETIMEDOUT);   /* nothing was sent */
            wv_ok = 1;
            ars_io_close(s);
        }
        ars_io_close(c);
    }
    ars_io_close(ls);
}
static void test_iocp_writev_len(void) {
    wv_ok = 0;
    ars_go(wv_co, NULL);
    ars_sched_run();
    EXPECT(wv_ok);
}

#endif
#if defined(_WIN32)
/* ---- IOCP: an accept backing off for want of sockets ends with ARS_ECLOSED
   when the listener is closed (it slept in ars_sleep_until, which a close
   cannot end, then used the freed listener until its deadline) ---- */
typedef struct ie_ctx { ars_sock *ls; int r; int64_t t; } ie_ctx;
static void ie_acceptor(void *arg) {
    ie_ctx *x = (ie_ctx *)arg;
    ars_sock *c = NULL;
    x->r = ars_tcp_accept(x->ls, &c, NULL, go_deadline(SLOW ? 4000 : 2000));
    x->t = ars_now();
    if (x->r == 0) ars_io_close(c);
}
static void ie_co(void *arg) {
    static SOCKET hold[40000];
    ie_ctx x;
    ars_sock *c = NULL, *probe = NULL;
    int n = 0, i, r;
    int64_t t0;
    (void)arg;
    memset(&x, 0, sizeof x);
    x.r = 1;
    if (listen_any(&x.ls, "127.0.0.1", 16) != 0) return;
    if (ars_tcp_connect(&c, "127.0.0.1", port_of(x.ls), go_deadline(2000)) != 0) c = NULL;
    while (n < 40000 && (hold[n] = socket(AF_INET, SOCK_DGRAM, 0)) != INVALID_SOCKET) n++;
    r = ars_udp_bind(&probe, "127.0.0.1", 0);
    if (r == 0) ars_io_close(probe);
    if (r != ARS_EMFILE) {
        ars_test_puts("# no socket limit reached: IOCP accept back-off not tested\n");
        for (i = 0; i < n; i++) closesocket(hold[i]);
        if (c) ars_io_close(c);
        ars_io_close(x.ls);
        return;
    }
    ars_go(ie_acceptor, &x);
    ars_sleep_until(go_deadline(30));          /* it backs off */
    t0 = ars_now();
    ars_io_close(x.ls);
    while (x.r == 1) ars_sleep_until(go_deadline(5));
    for (i = 0; i < n; i++) closesocket(hold[i]);
    EXPECT_EQ(x.r, ARS_ECLOSED);
    EXPECT(x.t - t0 < LATE_MS);
    if (c) ars_io_close(c);
}
static void test_iocp_emfile_close(void) {
    ars_go(ie_co, NULL);
    ars_sched_run();
}

#endif
#if defined(_WIN32) && SIZE_MAX > 0xffffffffu
/* ---- IOCP: a writev whose entries add up to more than 4 GiB sends each byte
   once (one WSASend took them all, and its DWORD byte count wrapped: the
   loop re-sent gigabytes) ---- */
#define W4_LEN ((size_t)0x7fffffff)
#define W4_TAIL ((size_t)4096)
typedef struct w4_ctx { ars_sock *s, *c; unsigned long long got, want; int fin; ptrdiff_t rr; } w4_ctx;
static void w4_reader(void *arg) {
    w4_ctx *x = (w4_ctx *)arg;
    static char b[1 << 20];
    ptrdiff_t n;
    while ((n = ars_tcp_read(x->s, b, sizeof b, go_deadline(10000))) > 0) {
        x->got += (unsigned long long)n;
        if (x->got > x->want) { ars_io_close(x->c); x->c = NULL; break; }   /* duplicated: stop the writer */
    }
    x->rr = n;
    x->fin = 1;
}
static int w4_ok;
static void w4_co(void *arg) {
    ars_sock *ls;
    ars_iovec v[3];
    w4_ctx x;
    size_t done = 0;
    ptrdiff_t r;
    char *buf = (char *)calloc(1, W4_LEN);   /* untouched zero pages: no memory used */
    (void)arg;
    memset(&x, 0, sizeof x);
    x.want = 2 * (unsigned long long)W4_LEN + W4_TAIL;
    if (!buf) { ars_test_puts("# no 2 GiB buffer here\n"); w4_ok = 1; return; }
    if (listen_any(&ls, "127.0.0.1", 4) != 0) { free(buf); return; }
    if (ars_tcp_connect(&x.c, "127.0.0.1", port_of(ls), go_deadline(2000)) == 0) {
        if (ars_tcp_accept(ls, &x.s, NULL, go_deadline(2000)) == 0) {
            ars_go(w4_reader, &x);
            v[0].base = buf; v[0].len = W4_LEN;
            v[1].base = buf; v[1].len = W4_LEN;
            v[2].base = buf; v[2].len = W4_TAIL;
            r = ars_tcp_writev(x.c, v, 3, &done, go_deadline(60000));
            if (x.c) ars_tcp_shutdown(x.c, ARS_SHUT_WR);
            while (!x.fin) ars_sleep_until(go_deadline(10));
            EXPECT_EQ((unsigned long long)r, x.want);
            EXPECT_EQ((unsigned long long)done, x.want);
            EXPECT_EQ(x.got, x.want);
            EXPECT_EQ(x.rr, ARS_EEOF);
            w4_ok = (unsigned long long)r == x.want && x.got == x.want;
            ars_io_close(x.s);
        }
        if (x.c) ars_io_close(x.c);
    }
    ars_io_close(ls);
    free(buf);
}
static void test_iocp_writev_4g(void) {
    w4_ok = 0;
    ars_go(w4_co, NULL);
    ars_sched_run();
    EXPECT(w4_ok);
}
#endif

/* ---- bad arguments get ARS_EINVAL ---- */
/* ---- outside a coroutine a call blocks the thread, with its deadline,
   the same on every backend (POSIX returned ARS_ESTATE, IOCP waited) ---- */
static void outside_idle(void *arg) { (void)arg; ars_sleep_until(ars_now() + 5); }
static void test_outside_coroutine(void) {
    ars_sock *ls = NULL, *c = NULL, *a = NULL, *u = NULL;
    char buf[8];
    int64_t t0;
    int sigs[1];
    ASSERT_EQ(listen_any(&ls, "127.0.0.1", 4), 0);
    /* the kernel completes the handshake into the backlog: no acceptor needed */
    ASSERT_EQ(ars_tcp_connect(&c, "127.0.0.1", port_of(ls), go_deadline(3000)), 0);
    ASSERT_EQ(ars_tcp_accept(ls, &a, NULL, go_deadline(3000)), 0);
    EXPECT_EQ(ars_tcp_write(c, "ping", 4, NULL, go_deadline(3000)), 4);
    EXPECT_EQ(ars_tcp_read_full(a, buf, 4, NULL, go_deadline(3000)), 4);
    EXPECT(!memcmp(buf, "ping", 4));
    EXPECT_EQ(ars_io_wait(c, ARS_IO_WRITE, go_deadline(3000)), ARS_IO_WRITE);
    /* nothing to read: the deadline ends the wait, not before it */
    t0 = ars_now();
    EXPECT_EQ(ars_tcp_read(c, buf, sizeof buf, go_deadline(60)), ARS_ETIMEDOUT);
    EXPECT(ars_now() - t0 >= 59 && ars_now() - t0 < 60 + LATE_MS);
    EXPECT_EQ(ars_tcp_read(c, buf, sizeof buf, 0), ARS_ETIMEDOUT);
    EXPECT_EQ(ars_tcp_write(a, "pong", 4, NULL, -1), 4);
    EXPECT_EQ(ars_tcp_read(c, buf, sizeof buf, -1), 4);    /* waits for the bytes already there */
    ars_io_close(a);
    EXPECT_EQ(ars_tcp_read(c, buf, sizeof buf, go_deadline(3000)), ARS_EEOF);
    t0 = ars_now();
    EXPECT_EQ(ars_tcp_accept(ls, &a, NULL, go_deadline(50)), ARS_ETIMEDOUT);
    EXPECT(ars_now() - t0 >= 49 && ars_now() - t0 < 50 + LATE_MS);
    if (EXPECT_EQ(ars_udp_bind(&u, "127.0.0.1", 0), 0)) {
        ars_addr from;
        EXPECT_EQ(ars_udp_recv_from(u, buf, sizeof buf, &from, go_deadline(40)), ARS_ETIMEDOUT);
        ars_io_close(u);
    }
    /* a signal wait needs a coroutine on every backend */
    sigs[0] = SIGINT;
    EXPECT_EQ(ars_io_signal_wait(sigs, 1, go_deadline(10)), ARS_ESTATE);
    /* with a live coroutine on this thread, waiting would starve it */
    ars_go(outside_idle, NULL);
    EXPECT_EQ(ars_tcp_accept(ls, &a, NULL, -1), ARS_ESTATE);
    {
        ars_addr ad;
        EXPECT_EQ(ars_addr_resolve(&ad, "localhost", 80, -1), ARS_ESTATE);      /* a lookup waits */
        EXPECT_EQ(ars_addr_resolve(&ad, "127.0.0.1", 80, -1), 0);               /* a number does not */
    }
    ars_sched_run();
    ars_io_close(c);
    ars_io_close(ls);
}

static void test_bad_args(void) {
    ars_sock *s = NULL;
    ars_addr a;
    memset(&a, 0, sizeof a);
    EXPECT_EQ(ars_tcp_connect_addr(&s, &a, go_deadline(100)), ARS_EINVAL);
    EXPECT_EQ(ars_addr_resolve(&a, "127.0.0.1", 80, -1), 0);
    a.len = 100;                              /* past the end of ars_addr */
    EXPECT_EQ(ars_tcp_connect_addr(&s, &a, go_deadline(100)), ARS_EINVAL);
    EXPECT(s == NULL);
    EXPECT_EQ(ars_tcp_listen(&s, "127.0.0.1", 65536, NULL), ARS_EINVAL);
    EXPECT_EQ(ars_tcp_listen(&s, "127.0.0.1", -1, NULL), ARS_EINVAL);
    EXPECT_EQ(ars_udp_bind(&s, "127.0.0.1", 70000), ARS_EINVAL);
}

/* ---- options, writev, EBUSY ---- */
static int opts_ok;
static void opts_reader(void *arg) {
    char b[4];
    EXPECT_EQ(ars_tcp_read((ars_sock *)arg, b, sizeof b, go_deadline(50)), ARS_ETIMEDOUT);
}
static void opts_co(void *arg) {
    ars_sock *ls, *c, *s;
    ars_iovec v[20];
    char got[20];
    int i;
    (void)arg;
    if (ars_tcp_listen(&ls, NULL, 0, NULL) != 0) return;
    if (ars_tcp_connect(&c, "127.0.0.1", port_of(ls), go_deadline(2000)) != 0) return;
    if (ars_tcp_accept(ls, &s, NULL, go_deadline(2000)) != 0) return;
    EXPECT_EQ(ars_tcp_set_nodelay(c, 1), 0);
    EXPECT_EQ(ars_tcp_set_keepalive(c, 1, 30), 0);
    EXPECT_EQ(ars_io_set_bufsize(c, 16384, 16384), 0);
    for (i = 0; i < 20; i++) { v[i].base = &"abcdefghijklmnopqrst"[i]; v[i].len = 1; }
    EXPECT_EQ(ars_tcp_writev(c, v, 20, NULL, go_deadline(1000)), 20);
    EXPECT_EQ(ars_tcp_read_full(s, got, 20, NULL, go_deadline(1000)), 20);
    EXPECT(!memcmp(got, "abcdefghijklmnopqrst", 20));
    /* a negative length cast to size_t is refused, data waiting or not
       (the kernel would cap it and read into a too small buffer) */
    ars_tcp_write(c, "y", 1, NULL, -1);
    EXPECT_EQ(ars_io_wait(s, ARS_IO_READ, go_deadline(1000)), ARS_IO_READ);
    EXPECT_EQ(ars_tcp_read(s, got, (size_t)-1, go_deadline(50)), ARS_EINVAL);
    EXPECT_EQ(ars_tcp_read(s, got, (size_t)PTRDIFF_MAX + 1, go_deadline(50)), ARS_EINVAL);
    EXPECT_EQ(ars_tcp_read(s, got, 20, go_deadline(1000)), 1);
    EXPECT_EQ(got[0], 'y');
    /* a second reader on the same socket is refused */
    ars_go(opts_reader, s);
    ars_sched_yield();
    EXPECT_EQ(ars_tcp_read(s, got, 4, go_deadline(50)), ARS_EBUSY);
    ars_sleep_until(go_deadline(80));
    EXPECT_EQ(ars_tcp_read(s, got, 4, 0), ARS_ETIMEDOUT);
    EXPECT_EQ(ars_io_wait(c, ARS_IO_WRITE, go_deadline(1000)), ARS_IO_WRITE);
    EXPECT_EQ(ars_io_wait(s, ARS_IO_READ, go_deadline(30)), ARS_ETIMEDOUT);
    ars_tcp_write(c, "z", 1, NULL, -1);
    EXPECT_EQ(ars_io_wait(s, ARS_IO_READ, go_deadline(1000)), ARS_IO_READ);
    EXPECT_EQ(ars_io_wait(s, ARS_IO_READ, go_deadline(1000)), ARS_IO_READ);   /* still readable */
    EXPECT_EQ(ars_tcp_read(s, got, 4, 0), 1);
    opts_ok = 1;
    ars_io_close(c); ars_io_close(s); ars_io_close(ls);
}
static void test_options(void) {
    opts_ok = 0;
    ars_go(opts_co, NULL);
    ars_sched_run();
    EXPECT(opts_ok);
}

/* ---- close wakes a parked coroutine; cancel in each call ---- */
static int closed_r;
static void closed_reader(void *arg) {
    char b[4];
    closed_r = (int)ars_tcp_read((ars_sock *)arg, b, sizeof b, go_deadline(3000));
}
typedef struct cancel_ctx { ars_sock *ls, *c, *s, *u, *u2, *full; int results[8]; } cancel_ctx;
static void cancel_accept(void *arg) { cancel_ctx *x = (cancel_ctx *)arg; ars_sock *c; x->results[0] = ars_tcp_accept(x->ls, &c, NULL, go_deadline(3000)); }
static void cancel_read(void *arg) { cancel_ctx *x = (cancel_ctx *)arg; char b[4]; x->results[1] = (int)ars_tcp_read(x->c, b, 4, go_deadline(3000)); }
static void cancel_write(void *arg) {
    cancel_ctx *x = (cancel_ctx *)arg;
    static char big[1 << 16];
    ptrdiff_t r = 0;
    int i;
    for (i = 0; i < 10000; i++) if ((r = ars_tcp_write(x->c, big, sizeof big, NULL, go_deadline(3000))) < 0) break;
    x->results[2] = (int)r;
}
static void cancel_udp(void *arg) { cancel_ctx *x = (cancel_ctx *)arg; char b[4]; x->results[3] = (int)ars_udp_recv_from(x->u, b, 4, NULL, go_deadline(3000)); }
static void cancel_wait(void *arg) { cancel_ctx *x = (cancel_ctx *)arg; x->results[4] = ars_io_wait(x->u2, ARS_IO_READ, go_deadline(3000)); }
static void cancel_connect(void *arg) {
    cancel_ctx *x = (cancel_ctx *)arg;
    ars_sock *cs[16];
    int i, n = 0, r = 1;
    for (i = 0; i < 16; i++) {
        r = ars_tcp_connect(&cs[n], "127.0.0.1", port_of(x->full), go_deadline(3000));
        if (r != 0) break;
        n++;
    }
    x->results[5] = r;
    for (i = 0; i < n; i++) ars_io_close(cs[i]);
}
static void cancel_sleep(void *arg) { cancel_ctx *x = (cancel_ctx *)arg; x->results[6] = ars_sleep_until(go_deadline(3000)); }
static void cancel_resolve(void *arg) { cancel_ctx *x = (cancel_ctx *)arg; ars_addr a; x->results[7] = ars_addr_resolve(&a, "localhost", 1, go_deadline(3000)); }

static int cancel_done;
static void cancel_driver(void *arg) {
    cancel_ctx *x = (cancel_ctx *)arg;
    ars_sock *c2, *s2;
    ars_coro *co[8];
    void (*fns[8])(void *);
    int i, port;
    int64_t t0;
    fns[0] = cancel_accept; fns[1] = cancel_read; fns[2] = cancel_write; fns[3] = cancel_udp;
    fns[4] = cancel_wait; fns[5] = cancel_connect; fns[6] = cancel_sleep; fns[7] = cancel_resolve;
    port = port_of(x->ls);
    if (ars_tcp_connect(&x->c, "127.0.0.1", port, go_deadline(2000)) != 0) return;
    if (ars_tcp_accept(x->ls, &x->s, NULL, go_deadline(2000)) != 0) return;
    if (ars_tcp_connect(&c2, "127.0.0.1", port, go_deadline(2000)) != 0) return;
    if (ars_tcp_accept(x->ls, &s2, NULL, go_deadline(2000)) != 0) return;
    /* close from another coroutine */
    closed_r = 1;
    ars_go(closed_reader, s2);
    ars_sleep_until(go_deadline(10));
    EXPECT_EQ(closed_r, 1);
    EXPECT_EQ(ars_io_close(s2), 0);
    ars_sleep_until(go_deadline(10));
    EXPECT_EQ(closed_r, ARS_ECLOSED);
    ars_io_close(c2);
    /* cancel each kind of wait */
    for (i = 0; i < 8; i++) { x->results[i] = 1; EXPECT_EQ(ars_go_opts(fns[i], x, NULL, &co[i]), 0); }
    ars_sched_yield();
    EXPECT_EQ(ars_cancel(co[7]), 0);        /* the resolver thread is still busy */
    ars_sleep_until(go_deadline(SLOW ? 300 : 60));
    t0 = ars_now();
    for (i = 0; i < 7; i++) {
        EXPECT_EQ(x->results[i], 1);
        EXPECT_EQ(ars_cancel(co[i]), 0);
    }
    for (i = 0; i < 200; i++) {
        int k, all = 1;
        for (k = 0; k < 8; k++) if (x->results[k] == 1) all = 0;
        if (all) break;
        ars_sleep_until(go_deadline(5));
    }
    EXPECT(ars_now() - t0 < 500);
    for (i = 0; i < 7; i++) EXPECT_EQ(x->results[i], ARS_ECANCELED);
    EXPECT(x->results[7] == ARS_ECANCELED || x->results[7] == 0);
    cancel_done = 1;
}
static void test_close_and_cancel(void) {
    cancel_ctx x;
    memset(&x, 0, sizeof x);
    cancel_done = 0;
    ASSERT_EQ(listen_any(&x.ls, "127.0.0.1", 16), 0);
    ASSERT_EQ(listen_any(&x.full, "127.0.0.1", 1), 0);
    ASSERT_EQ(ars_udp_bind(&x.u, "127.0.0.1", 0), 0);
    ASSERT_EQ(ars_udp_bind(&x.u2, "127.0.0.1", 0), 0);
    ars_go(cancel_driver, &x);
    EXPECT_EQ(ars_sched_run(), 0);
    EXPECT(cancel_done);
    if (x.c) ars_io_close(x.c);
    if (x.s) ars_io_close(x.s);
    ars_io_close(x.ls); ars_io_close(x.full); ars_io_close(x.u); ars_io_close(x.u2);
}

/* ---- a cancel that ended a park but that the call did not report stays
   pending: the next blocking call returns ARS_ECANCELED. Round 0: the
   receive completes (IOCP: in the kernel, not yet dequeued) before the
   cancel lands; IOCP returned the bytes and the cancel was lost, the next
   call slept on. Round 1: the socket is closed after the cancel, before
   the reader runs; every backend returned ARS_ECLOSED and lost it ---- */
static void thread_sleep_ms(int ms) {
#if defined(_WIN32)
    Sleep((DWORD)ms);
#else
    usleep((useconds_t)ms * 1000);
#endif
}
typedef struct ck_ctx { ars_sock *c; ptrdiff_t r; int next, fin; } ck_ctx;
static void ck_reader(void *arg) {
    ck_ctx *x = (ck_ctx *)arg;
    char b[8];
    x->r = ars_tcp_read(x->c, b, sizeof b, go_deadline(3000));
    x->next = ars_sleep_until(go_deadline(LATE_MS));
    x->fin = 1;
}
static int ck_rounds;
static void ck_co(void *arg) {
    ars_sock *ls, *s;
    ars_coro *co;
    ck_ctx x;
    int round;
    (void)arg;
    for (round = 0; round < 2; round++) {
        memset(&x, 0, sizeof x);
        if (tcp_trio(&ls, &x.c, &s) != 0) return;
        if (!EXPECT_EQ(ars_go_opts(ck_reader, &x, NULL, &co), 0)) return;
        ars_sleep_until(go_deadline(20));       /* the reader waits */
        if (round == 0) {
            /* sent past the loop, which does not poll while this thread sleeps */
#if defined(_WIN32)
            EXPECT_EQ(send((SOCKET)ars_io_fd(s), "data", 4, 0), 4);
#else
            EXPECT_EQ(send((int)ars_io_fd(s), "data", 4, 0), 4);
#endif
            thread_sleep_ms(100);
            EXPECT_EQ(ars_cancel(co), 0);
        } else {
            EXPECT_EQ(ars_cancel(co), 0);
            EXPECT_EQ(ars_io_close(x.c), 0);
        }
        while (!x.fin) ars_sleep_until(go_deadline(5));
        if (round == 0) {
            /* readiness backends: the cancel ends the wait, the data stays;
               IOCP: the receive had taken it, so the call returns it */
            EXPECT(x.r == ARS_ECANCELED || x.r == 4);
            EXPECT_EQ(x.next, x.r == ARS_ECANCELED ? 0 : ARS_ECANCELED);
            ars_io_close(x.c);
        } else {
            EXPECT_EQ(x.r, ARS_ECLOSED);
            EXPECT_EQ(x.next, ARS_ECANCELED);
        }
        ars_io_close(s); ars_io_close(ls);
        ck_rounds++;
    }
}
static void test_cancel_kept(void) {
    ck_rounds = 0;
    ars_go(ck_co, NULL);
    EXPECT_EQ(ars_sched_run(), 0);
    EXPECT_EQ(ck_rounds, 2);
}

/* ---- closing a socket whose write waits: the write ends at once with
   ARS_ECLOSED, and none of its bytes reach a connection made after.
   Under wine (8.0) closesocket left a pending overlapped WSASend alive:
   it ended only many seconds later, and meanwhile sent its bytes by the
   handle's number, which the next socket had taken, into that socket's
   connection (found by test_chaos) ---- */
typedef struct cps_ctx { ars_sock *c; ptrdiff_t r; size_t done; int fin; } cps_ctx;
static void cps_writer(void *arg) {
    cps_ctx *x = (cps_ctx *)arg;
    static unsigned char big[4 << 20];
    memset(big, 0xAA, sizeof big);
    x->r = ars_tcp_write(x->c, big, sizeof big, &x->done, go_deadline(SLOW ? 20000 : 5000));
    x->fin = 1;
}
static int cps_rounds;
static void cps_co(void *arg) {
    ars_sock *ls, *s, *c2, *s2;
    cps_ctx x;
    int round;
    (void)arg;
    if (!EXPECT_EQ(listen_any(&ls, "127.0.0.1", 16), 0)) return;
    EXPECT_EQ(ars_io_set_bufsize(ls, 8192, 8192), 0);
    for (round = 0; round < 4; round++) {
        char b[64];
        ptrdiff_t r;
        int64_t t0;
        memset(&x, 0, sizeof x);
        if (!EXPECT_EQ(ars_tcp_connect(&x.c, "127.0.0.1", port_of(ls), go_deadline(2000)), 0)) break;
        if (!EXPECT_EQ(ars_tcp_accept(ls, &s, NULL, go_deadline(2000)), 0)) { ars_io_close(x.c); break; }
        EXPECT_EQ(ars_io_set_bufsize(x.c, 8192, 8192), 0);
        ars_go(cps_writer, &x);
        ars_sleep_until(go_deadline(30));       /* s never reads: the write waits */
        EXPECT_EQ(x.fin, 0);
        t0 = ars_now();
        EXPECT_EQ(ars_io_close(x.c), 0);
        /* a new connection, perhaps on the closed one's number */
        if (!EXPECT_EQ(ars_tcp_connect(&c2, "127.0.0.1", port_of(ls), go_deadline(2000)), 0)) { ars_io_close(s); break; }
        if (!EXPECT_EQ(ars_tcp_accept(ls, &s2, NULL, go_deadline(2000)), 0)) { ars_io_close(c2); ars_io_close(s); break; }
        while (!x.fin && ars_now() - t0 < 3000) ars_sleep_until(go_deadline(5));
        EXPECT_EQ(x.r, ARS_ECLOSED);
        EXPECT(ars_now() - t0 < LATE_MS);
        EXPECT_EQ(ars_tcp_write(c2, "hello", 5, NULL, go_deadline(2000)), 5);
        ars_sleep_until(go_deadline(30));
        r = ars_tcp_read(s2, b, sizeof b, go_deadline(2000));
        if (!EXPECT_EQ(r, 5) || !EXPECT(memcmp(b, "hello", 5) == 0))
            printf("# round %d: %d bytes, first %02x\n", round, (int)r, r > 0 ? (unsigned char)b[0] : 0);
        EXPECT_EQ(ars_tcp_read(s2, b, sizeof b, go_deadline(30)), ARS_ETIMEDOUT);   /* nothing else */
        ars_io_close(c2); ars_io_close(s2); ars_io_close(s);
        cps_rounds++;
    }
    ars_io_close(ls);
}
static void test_close_pending_write(void) {
    cps_rounds = 0;
    ars_go(cps_co, NULL);
    EXPECT_EQ(ars_sched_run(), 0);
    EXPECT_EQ(cps_rounds, 4);
}

/* ---- threads: SO_REUSEPORT loops, and a cancel from another thread ---- */
#if !defined(_WIN32)
typedef struct rp_ctx { int port, served[2], stop, ready; ars_sock *ls[2]; } rp_ctx;
typedef struct rp_arg { rp_ctx *x; int id; } rp_arg;
static void rp_conn(void *arg) {
    ars_sock *c = (ars_sock *)arg;
    char b[8];
    ptrdiff_t n;
    while ((n = ars_tcp_read(c, b, sizeof b, go_deadline(5000))) > 0)
        if (ars_tcp_write(c, b, (size_t)n, NULL, go_deadline(5000)) < 0) break;
    ars_io_close(c);
}
static void rp_accept(void *arg) {
    rp_arg *a = (rp_arg *)arg;
    ars_sock *c;
    while (!__atomic_load_n(&a->x->stop, __ATOMIC_SEQ_CST)) {
        int r = ars_tcp_accept(a->x->ls[a->id], &c, NULL, go_deadline(20));
        if (r == ARS_ETIMEDOUT) continue;
        if (r) break;
        __atomic_add_fetch(&a->x->served[a->id], 1, __ATOMIC_SEQ_CST);
        ars_go(rp_conn, c);
    }
}
static void *rp_thread(void *arg) {
    rp_arg *a = (rp_arg *)arg;
    ars_tcp_listen_opts o;
    memset(&o, 0, sizeof o);
    o.reuseport = 1;
    if (ars_tcp_listen(&a->x->ls[a->id], "127.0.0.1", a->x->port, &o) == 0) {
        __atomic_add_fetch(&a->x->ready, 1, __ATOMIC_SEQ_CST);
        ars_go(rp_accept, a);
        ars_sched_run();
        ars_io_close(a->x->ls[a->id]);
    } else __atomic_add_fetch(&a->x->ready, 100, __ATOMIC_SEQ_CST);
    ars_io_deinit();
    ars_coro_cache_trim();
    return NULL;
}
static int rp_client_ok;
static void rp_client(void *arg) {
    rp_ctx *x = (rp_ctx *)arg;
    ars_sock *c;
    char b[2];
    if (ars_tcp_connect(&c, "127.0.0.1", x->port, go_deadline(3000)) != 0) return;
    if (ars_tcp_write(c, "ok", 2, NULL, go_deadline(3000)) == 2 && ars_tcp_read_full(c, b, 2, NULL, go_deadline(3000)) == 2)
        rp_client_ok++;
    ars_io_close(c);
}
static void test_reuseport_threads(void) {
    rp_ctx x;
    rp_arg a[2];
    pthread_t th[2];
    ars_tcp_listen_opts o;
    ars_sock *first;
    int i, n = 40;
    memset(&x, 0, sizeof x);
    memset(&o, 0, sizeof o);
    o.reuseport = 1;
    ASSERT_EQ(ars_tcp_listen(&first, "127.0.0.1", 0, &o), 0);
    x.port = port_of(first);
    for (i = 0; i < 2; i++) { a[i].x = &x; a[i].id = i; pthread_create(&th[i], NULL, rp_thread, &a[i]); }
    while (__atomic_load_n(&x.ready, __ATOMIC_SEQ_CST) < 2) usleep(1000);
    ars_io_close(first);
    EXPECT_EQ(x.ready, 2);
    rp_client_ok = 0;
    for (i = 0; i < n; i++) ars_go(rp_client, &x);
    ars_sched_run();
    __atomic_store_n(&x.stop, 1, __ATOMIC_SEQ_CST);
    for (i = 0; i < 2; i++) pthread_join(th[i], NULL);
    EXPECT_EQ(rp_client_ok, n);
    EXPECT_EQ(x.served[0] + x.served[1], n);
    EXPECT(x.served[0] > 0 && x.served[1] > 0);
}

/* a cancel from another thread interrupts a poll that has no timer */
typedef struct xc_ctx { ars_coro *co; int r; } xc_ctx;
static void xc_reader(void *arg) {
    xc_ctx *x = (xc_ctx *)arg;
    ars_sock *u;
    char b[4];
    if (ars_udp_bind(&u, "127.0.0.1", 0) != 0) return;
    x->r = (int)ars_udp_recv_from(u, b, sizeof b, NULL, -1);
    ars_io_close(u);
}
static void *xc_thread(void *arg) {
    xc_ctx *x = (xc_ctx *)arg;
    usleep(50000);
    ars_cancel(x->co);
    return NULL;
}
static void test_cross_thread_cancel(void) {
    xc_ctx x;
    pthread_t th;
    int64_t t0 = ars_now();
    x.r = 1;
    ASSERT_EQ(ars_go_opts(xc_reader, &x, NULL, &x.co), 0);
    pthread_create(&th, NULL, xc_thread, &x);
    ars_sched_run();
    pthread_join(th, NULL);
    EXPECT_EQ(x.r, ARS_ECANCELED);
    EXPECT(ars_now() - t0 < 50 + LATE_MS);
}

/* ---- EMFILE during accept: back off, then recover ---- */
typedef struct mf_ctx { ars_sock *ls; int r; int attempts_ok; } mf_ctx;
static void mf_acceptor(void *arg) {
    mf_ctx *m = (mf_ctx *)arg;
    ars_sock *c;
    m->r = ars_tcp_accept(m->ls, &c, NULL, go_deadline(3000));
    if (m->r == 0) ars_io_close(c);
}
static void mf_driver(void *arg) {
    mf_ctx *m = (mf_ctx *)arg;
    ars_sock *c, *c2;
    int *fds, n = 0, i;
    struct rlimit old, low;
    struct rusage r0, r1;
    long cpu_us;
    if (ars_tcp_connect(&c, "127.0.0.1", port_of(m->ls), go_deadline(2000)) != 0) return;
    getrlimit(RLIMIT_NOFILE, &old);
    low = old;
    if (low.rlim_cur > 512) low.rlim_cur = 512;
    setrlimit(RLIMIT_NOFILE, &low);
    fds = (int *)malloc(sizeof(int) * 20000);
    while (n < 20000) { int fd = dup(0); if (fd < 0) break; fds[n++] = fd; }
    m->r = 1;
    ars_go(mf_acceptor, m);
    getrusage(RUSAGE_SELF, &r0);
    ars_sleep_until(go_deadline(150));
    getrusage(RUSAGE_SELF, &r1);
    EXPECT_EQ(m->r, 1);                     /* still waiting, not failed */
    cpu_us = (r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) * 1000000L + (r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) +
             (r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) * 1000000L + (r1.ru_stime.tv_usec - r0.ru_stime.tv_usec);
    EXPECT(cpu_us < (SLOW ? 120000L : 40000L));   /* no spinning while out of fds */
    for (i = 0; i < n; i++) close(fds[i]);
    free(fds);
    setrlimit(RLIMIT_NOFILE, &old);
    /* a second client: under Valgrind the first connection is lost (its fd
       limit closes what the kernel accepted) */
    if (ars_tcp_connect(&c2, "127.0.0.1", port_of(m->ls), go_deadline(2000)) != 0) c2 = NULL;
    for (i = 0; i < 100 && m->r == 1; i++) ars_sleep_until(go_deadline(10));
    EXPECT_EQ(m->r, 0);
    ars_io_close(c);
    if (c2) ars_io_close(c2);
}
static void test_emfile_accept(void) {
    mf_ctx m;
    memset(&m, 0, sizeof m);
    ASSERT_EQ(listen_any(&m.ls, "127.0.0.1", 16), 0);
    ars_go(mf_driver, &m);
    ars_sched_run();
    ars_io_close(m.ls);
}
/* The same outside every coroutine: the back-off is a timed wait in the
   thread, and the deadline holds. It used to poll the listener, which
   stays readable with the connection it cannot take: accept4 and poll
   in a loop at full CPU, past any deadline. */
static void test_emfile_accept_outside(void) {
    ars_sock *ls, *c = NULL, *c2 = NULL, *a = NULL;
    int *fds, n = 0, i, r;
    struct rlimit old, low;
    struct rusage r0, r1;
    long cpu_us;
    int64_t t0, late;
    ASSERT_EQ(listen_any(&ls, "127.0.0.1", 16), 0);
    ASSERT_EQ(ars_tcp_connect(&c, "127.0.0.1", port_of(ls), go_deadline(2000)), 0);
    getrlimit(RLIMIT_NOFILE, &old);
    low = old;
    if (low.rlim_cur > 512) low.rlim_cur = 512;
    setrlimit(RLIMIT_NOFILE, &low);
    fds = (int *)malloc(sizeof(int) * 20000);
    while (fds && n < 20000) { int fd = dup(0); if (fd < 0) break; fds[n++] = fd; }
    getrusage(RUSAGE_SELF, &r0);
    t0 = ars_now();
    r = ars_tcp_accept(ls, &a, NULL, t0 + 300);
    late = ars_now() - (t0 + 300);
    getrusage(RUSAGE_SELF, &r1);
    for (i = 0; i < n; i++) close(fds[i]);
    free(fds);
    setrlimit(RLIMIT_NOFILE, &old);
    EXPECT_EQ(r, ARS_ETIMEDOUT);
    EXPECT(late >= 0 && late < LATE_MS);
    cpu_us = (r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) * 1000000L + (r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) +
             (r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) * 1000000L + (r1.ru_stime.tv_usec - r0.ru_stime.tv_usec);
    EXPECT(cpu_us < (SLOW ? 120000L : 40000L));    /* it waited, not spun */
    if (r == 0) ars_io_close(a);
    /* descriptors back: accepts again (a second client, as above: under
       Valgrind the first connection is lost) */
    if (ars_tcp_connect(&c2, "127.0.0.1", port_of(ls), go_deadline(2000)) != 0) c2 = NULL;
    r = ars_tcp_accept(ls, &a, NULL, go_deadline(2000));
    EXPECT_EQ(r, 0);
    if (r == 0) ars_io_close(a);
    ars_io_close(c);
    if (c2) ars_io_close(c2);
    ars_io_close(ls);
}

/* ---- signals and attached fds ---- */
static int sig_r;
static void sig_waiter(void *arg) {
    int sigs[2];
    (void)arg;
    sigs[0] = SIGUSR1; sigs[1] = SIGTERM;
    EXPECT_EQ(ars_io_signal_wait(sigs, 2, go_deadline(20)), ARS_ETIMEDOUT);
    sig_r = ars_io_signal_wait(sigs, 2, go_deadline(3000));
}
static void sig_sender(void *arg) {
    (void)arg;
    ars_sleep_until(go_deadline(60));
    kill(getpid(), SIGUSR1);
}
static void pipe_co(void *arg) {
    int p[2];
    ars_sock *r = NULL, *w = NULL;
    char b[8];
    (void)arg;
    if (pipe(p) != 0) return;
    ASSERT_EQ(ars_io_attach(&r, p[0]), 0);
    ASSERT_EQ(ars_io_attach(&w, p[1]), 0);
    EXPECT_EQ(ars_io_wait(r, ARS_IO_READ, go_deadline(30)), ARS_ETIMEDOUT);
    EXPECT_EQ(ars_io_wait(w, ARS_IO_WRITE, go_deadline(1000)), ARS_IO_WRITE);
    EXPECT_EQ(write(p[1], "abc", 3), 3);
    EXPECT_EQ(ars_io_wait(r, ARS_IO_READ | ARS_IO_WRITE, go_deadline(1000)), ARS_IO_READ);
    EXPECT_EQ(read(p[0], b, sizeof b), 3);
    EXPECT_EQ(ars_io_detach(r), p[0]);
    EXPECT_EQ(ars_io_detach(w), p[1]);
    EXPECT_EQ(close(p[0]), 0);             /* detach left the fds open */
    EXPECT_EQ(close(p[1]), 0);
}
/* a failed attach leaves the fd as it was: epoll refuses a regular file,
   and the fd used to stay O_NONBLOCK (poll and kqueue take the file) */
static void test_attach_failure_restores(void) {
    FILE *f = tmpfile();
    ars_sock *s = NULL;
    int fd, before, r;
    ASSERT(f != NULL);
    fd = fileno(f);
    before = fcntl(fd, F_GETFL, 0);
    ASSERT(before >= 0 && !(before & O_NONBLOCK));
    r = ars_io_attach(&s, fd);
    if (r == 0) {
        EXPECT(strcmp(ars_io_backend(), "epoll") != 0);
        EXPECT(fcntl(fd, F_GETFL, 0) & O_NONBLOCK);       /* as documented */
        EXPECT_EQ(ars_io_detach(s), fd);
    } else {
        EXPECT(s == NULL);
        EXPECT_EQ(fcntl(fd, F_GETFL, 0), before);
    }
    EXPECT_EQ(ars_io_attach(&s, -1), ARS_EINVAL);
    fclose(f);
}
/* Data that came since the loop last polled is found by a call whose
   deadline is 0 or already passed: such a call still looks once. With
   epoll, after a short read, ars_io_wait(READ, 0) and ars_tcp_read with a
   passed deadline used to return ARS_ETIMEDOUT without a look. */
static void pd_co(void *arg) {
    ars_sock *ls = (ars_sock *)arg, *c = NULL, *s = NULL;
    char b[8];
    struct pollfd pf;
    int64_t past;
    int round;
    ASSERT_EQ(ars_tcp_connect(&c, "127.0.0.1", port_of(ls), go_deadline(2000)), 0);
    ASSERT_EQ(ars_tcp_accept(ls, &s, NULL, go_deadline(2000)), 0);
    for (round = 0; round < 3; round++) {
        EXPECT_EQ(ars_tcp_write(c, "x", 1, NULL, go_deadline(1000)), 1);
        EXPECT_EQ(ars_tcp_read(s, b, sizeof b, go_deadline(1000)), 1);   /* short: drained */
        EXPECT_EQ(ars_tcp_write(c, "y", 1, NULL, go_deadline(1000)), 1);
        pf.fd = (int)ars_io_fd(s); pf.events = POLLIN; pf.revents = 0;
        EXPECT_EQ(poll(&pf, 1, 1000), 1);        /* there, and the loop has not polled */
        past = ars_now() - 1;
        if (past < 1) past = 1;                  /* 0 means "do not block", < 0 never */
        if (round == 0) EXPECT_EQ(ars_io_wait(s, ARS_IO_READ, 0), ARS_IO_READ);
        if (round == 1) EXPECT_EQ(ars_io_wait(s, ARS_IO_READ, past), ARS_IO_READ);
        EXPECT_EQ(ars_tcp_read(s, b, sizeof b, round == 2 ? past : 0), 1);
        EXPECT_EQ(b[0], 'y');
    }
    /* nothing there: the same calls time out */
    past = ars_now() - 1;
    if (past < 1) past = 1;
    EXPECT_EQ(ars_io_wait(s, ARS_IO_READ, 0), ARS_ETIMEDOUT);
    EXPECT_EQ(ars_io_wait(s, ARS_IO_READ, past), ARS_ETIMEDOUT);
    EXPECT_EQ(ars_tcp_read(s, b, sizeof b, past), ARS_ETIMEDOUT);
    EXPECT_EQ(ars_tcp_read(s, b, sizeof b, 0), ARS_ETIMEDOUT);
    ars_io_close(s);
    ars_io_close(c);
}
static void test_passed_deadline_looks(void) {
    ars_sock *ls;
    ASSERT_EQ(listen_any(&ls, "127.0.0.1", 4), 0);
    ars_go(pd_co, ls);
    EXPECT_EQ(ars_sched_run(), 0);
    ars_io_close(ls);
}
/* attach sets O_NONBLOCK only: the close-on-exec flag stays the caller's,
   attached or not, detached or not (it used to be set, and left set even
   by a failed attach) */
static void test_attach_keeps_cloexec(void) {
    int p[2], k;
    ars_sock *s = NULL;
    FILE *f = tmpfile();
    ASSERT(f != NULL);
    ASSERT_EQ(pipe(p), 0);
    for (k = 0; k < 2; k++) {
        int fd = k ? fileno(f) : p[0], r;
        ASSERT_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
        r = ars_io_attach(&s, fd);
        EXPECT_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
        if (r == 0) EXPECT_EQ(ars_io_detach(s), fd);
        EXPECT_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
    }
    close(p[0]); close(p[1]);
    fclose(f);
}
static void test_signal_and_fds(void) {
    if (!strcmp(ars_io_backend(), "epoll")) {
        /* signalfd: block the signals on the thread's own stack first (the
           documented way; with ucontext each context has its own mask) */
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGUSR1);
        sigaddset(&set, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &set, NULL);
    }
    sig_r = 0;
    ars_go(sig_waiter, NULL);
    ars_go(sig_sender, NULL);
    ars_go(pipe_co, NULL);
    ars_sched_run();
    EXPECT_EQ(sig_r, SIGUSR1);
}
/* ---- waits on different signal sets at the same time, two coroutines of
   one loop and two threads' loops: each gets its own signal, none is lost.
   poll and kqueue shared one self-pipe, and a wait that read the other's
   signal dropped it (the other waited to its deadline) ---- */
typedef struct sw_ctx { int sig; int r; } sw_ctx;
static void sw_waiter(void *arg) {
    sw_ctx *w = (sw_ctx *)arg;
    w->r = ars_io_signal_wait(&w->sig, 1, go_deadline(SLOW ? 6000 : 2000));
}
static void sw_sender(void *arg) {
    const int *order = (const int *)arg;
    ars_sleep_until(go_deadline(50));      /* both waits parked */
    kill(getpid(), order[0]);
    kill(getpid(), order[1]);
}
static void *sw_thread(void *arg) {
    ars_go(sw_waiter, arg);
    ars_sched_run();
    ars_io_deinit();
    return NULL;
}
static void test_signal_sets_apart(void) {
    static const int orders[2][2] = { { SIGUSR1, SIGUSR2 }, { SIGUSR2, SIGUSR1 } };
    sw_ctx w[2];
    pthread_t th[2];
    sigset_t set;
    int k, i;
    /* signalfd (epoll) needs them blocked in every thread; the others
       unblock them in the waiting thread */
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    for (k = 0; k < 4; k++) {               /* one loop: both orders of waits and of signals */
        w[0].sig = SIGUSR1; w[1].sig = SIGUSR2;
        w[0].r = w[1].r = 0;
        ars_go(sw_waiter, &w[k & 1]);
        ars_go(sw_waiter, &w[1 - (k & 1)]);
        ars_go(sw_sender, (void *)orders[k >> 1]);
        EXPECT_EQ(ars_sched_run(), 0);
        EXPECT_EQ(w[0].r, SIGUSR1);
        EXPECT_EQ(w[1].r, SIGUSR2);
    }
    for (k = 0; k < 2; k++) {               /* two threads' loops */
        w[0].sig = SIGUSR1; w[1].sig = SIGUSR2;
        w[0].r = w[1].r = 0;
        for (i = 0; i < 2; i++) ASSERT_EQ(pthread_create(&th[i], NULL, sw_thread, &w[i]), 0);
        usleep(100000);                     /* both waits parked */
        kill(getpid(), orders[k][0]);
        kill(getpid(), orders[k][1]);
        for (i = 0; i < 2; i++) pthread_join(th[i], NULL);
        EXPECT_EQ(w[0].r, SIGUSR1);
        EXPECT_EQ(w[1].r, SIGUSR2);
    }
}

/* ---- SIGKILL and SIGSTOP cannot be caught: a wait for one is ARS_EINVAL on
   every backend (signalfd took them without a word, and the wait ran to its
   deadline) ---- */
static int sgu_r[3];
static void sgu_waiter(void *arg) {
    int k[1], st[2], ok[1];
    (void)arg;
    k[0] = SIGKILL;
    st[0] = SIGUSR2; st[1] = SIGSTOP;
    ok[0] = SIGUSR2;
    sgu_r[0] = ars_io_signal_wait(k, 1, 0);
    sgu_r[1] = ars_io_signal_wait(st, 2, go_deadline(20));
    sgu_r[2] = ars_io_signal_wait(ok, 1, 0);     /* a catchable one still waits */
}
static void test_signal_uncatchable(void) {
    sgu_r[0] = sgu_r[1] = sgu_r[2] = 1;
    ars_go(sgu_waiter, NULL);
    ars_sched_run();
    EXPECT_EQ(sgu_r[0], ARS_EINVAL);
    EXPECT_EQ(sgu_r[1], ARS_EINVAL);
    EXPECT_EQ(sgu_r[2], ARS_ETIMEDOUT);
}
#else /* _WIN32 */
/* a cancel from another thread interrupts GetQueuedCompletionStatusEx */
typedef struct xc_ctx { ars_coro *co; int r; } xc_ctx;
static void xc_reader(void *arg) {
    xc_ctx *x = (xc_ctx *)arg;
    ars_sock *u;
    char b[4];
    if (ars_udp_bind(&u, "127.0.0.1", 0) != 0) return;
    x->r = (int)ars_udp_recv_from(u, b, sizeof b, NULL, -1);
    ars_io_close(u);
}
static DWORD WINAPI xc_thread(LPVOID arg) {
    xc_ctx *x = (xc_ctx *)arg;
    Sleep(50);
    ars_cancel(x->co);
    return 0;
}
static void test_cross_thread_cancel(void) {
    xc_ctx x;
    HANDLE th;
    int64_t t0 = ars_now();
    x.r = 1;
    ASSERT_EQ(ars_go_opts(xc_reader, &x, NULL, &x.co), 0);
    th = CreateThread(NULL, 0, xc_thread, &x, 0, NULL);
    ars_sched_run();
    WaitForSingleObject(th, INFINITE);
    CloseHandle(th);
    EXPECT_EQ(x.r, ARS_ECANCELED);
    EXPECT(ars_now() - t0 < 50 + LATE_MS);
}
static int sig_r;
static void sig_waiter(void *arg) {
    int sigs[2];
    (void)arg;
    sigs[0] = SIGINT; sigs[1] = SIGTERM;
    sig_r = ars_io_signal_wait(sigs, 2, go_deadline(30));
}
static void test_signal_timeout(void) {
    sig_r = 1;
    ars_go(sig_waiter, NULL);
    ars_sched_run();
    EXPECT_EQ(sig_r, ARS_ETIMEDOUT);
}

#endif /* !_WIN32 */

/* ---- an idle loop's busy-poll window adapts, and never runs past a timer ----
   A thread wakes a parked coroutine ~1 ms after it parks: with a 1 s limit
   the first wait (1 ms, within the limit) opens the window at a quarter of
   the limit, and the next waits are caught by the spin, which leaves it so.
   A 20 ms sleep then ends on time although the window is 250 ms; a sleep
   longer than the limit closes it (a quarter halves to 0); with the limit
   at 0 it stays closed. */
typedef struct spw_ctx {
    ars_waker w;
    int armed, rounds, done;
    int64_t win_after_wakes, win_after_sleep, win_after_long, win_off;
    int64_t slept_ms;
    int long_sleeps;
} spw_ctx;
static void spw_waker_loop(spw_ctx *x) {
    for (;;) {
        int r = __atomic_load_n(&x->armed, __ATOMIC_ACQUIRE), d = __atomic_load_n(&x->done, __ATOMIC_ACQUIRE);
        if (d) return;
        if (r) {
#if defined(_WIN32)
            Sleep(1);
#else
            usleep(1000);
#endif
            __atomic_store_n(&x->armed, 0, __ATOMIC_RELAXED);
            ars_wake(x->w, 0);
        } else {
#if defined(_WIN32)
            Sleep(0);
#else
            sched_yield();
#endif
        }
    }
}
#if defined(_WIN32)
static DWORD WINAPI spw_thread(LPVOID arg) { spw_waker_loop((spw_ctx *)arg); return 0; }
#else
static void *spw_thread(void *arg) { spw_waker_loop((spw_ctx *)arg); return NULL; }
#endif
static void spw_wait_woken(spw_ctx *x) {
    x->w = ars_park_prepare();
    __atomic_store_n(&x->armed, 1, __ATOMIC_RELEASE);
    EXPECT_EQ(ars_park(go_deadline(5000)), 0);
}
static void spw_main(void *arg) {
    spw_ctx *x = (spw_ctx *)arg;
    int64_t t0;
    int i;
    for (i = 0; i < x->rounds; i++) spw_wait_woken(x);
    x->win_after_wakes = ars__io_loop->spin_win;
    t0 = ars_now();
    ars_sleep_until(t0 + 20);
    x->slept_ms = ars_now() - t0;
    x->win_after_sleep = ars__io_loop->spin_win;
    /* halving from at most 1 s: 0 after at most three (one when kept at 250 ms) */
    for (i = 0; i < 3 && ars__io_loop->spin_win > 0; i++) ars_sleep_until(ars_now() + 1100);
    x->win_after_long = ars__io_loop->spin_win;
    x->long_sleeps = i;
    EXPECT_EQ(ars_io_set_spin(0), 1000000);
    for (i = 0; i < 3; i++) spw_wait_woken(x);
    x->win_off = ars__io_loop->spin_win;
    __atomic_store_n(&x->done, 1, __ATOMIC_RELEASE);
}
static void test_spin_window(void) {
    spw_ctx x;
#if defined(_WIN32)
    HANDLE th;
#else
    pthread_t th;
#endif
    memset(&x, 0, sizeof x);
    x.rounds = 5;
    ASSERT_EQ(ars_io_init(), 0);
    EXPECT_EQ(ars_io_set_spin(-1), ARS_EINVAL);
    EXPECT_EQ(ars_io_set_spin(1000001), ARS_EINVAL);
    EXPECT_EQ(ars_io_set_spin(1000000), ARSENAL_IO_SPIN_US);
    ars_go(spw_main, &x);
#if defined(_WIN32)
    th = CreateThread(NULL, 0, spw_thread, &x, 0, NULL);
#else
    pthread_create(&th, NULL, spw_thread, &x);
#endif
    EXPECT_EQ(ars_sched_run(), 0);
    __atomic_store_n(&x.done, 1, __ATOMIC_RELEASE);
#if defined(_WIN32)
    WaitForSingleObject(th, INFINITE);
    CloseHandle(th);
#else
    pthread_join(th, NULL);
#endif
    /* a quarter of 1 s, kept (doubled if a slow machine missed a wake) */
    EXPECT(x.win_after_wakes >= (int64_t)250000000 && x.win_after_wakes <= (int64_t)1000000000);
    EXPECT(x.slept_ms >= 20 && x.slept_ms < 20 + (SLOW ? 200 : 100));
    EXPECT_EQ(x.win_after_sleep, x.win_after_wakes);   /* a timer's wait changes nothing */
    EXPECT_EQ(x.win_after_long, 0);
    EXPECT(x.long_sleeps == (x.win_after_wakes == (int64_t)250000000 ? 1 : x.win_after_wakes == (int64_t)500000000 ? 2 : 3));
    EXPECT_EQ(x.win_off, 0);
    EXPECT_EQ(ars_io_set_spin(ARSENAL_IO_SPIN_US), 0);
}

/* ---- chaos: a randomized stress of one loop. K clients run random
   rounds against an echo server (a coroutine per accepted connection):
   echoes of 1 B .. 256 KiB (a writer coroutine and the reader on one
   socket when big), the same with deadlines of 0..3 ms on every read and
   write (a timed-out call's *got / *done bytes are the stream's: none may
   be lost or doubled), an idle read that must time out and leave the
   connection usable, a half-close read to EOF, a close in the middle of a
   message, another coroutine closing the socket the client is parked on
   in a read or a write (ARS_ECLOSED), a cancel of a parked read (then the
   connection is still used) or of a connect to a listener whose backlog is
   full, and cancels at random moments. Checks: every byte read back
   matches; each cancel is reported by exactly one blocking call; every
   call has one of the results the header documents for it; every server
   coroutine ends and every socket is closed (Linux: /proc/self/fd counts
   the same before and after); the loop ends. The seed is printed
   (ARS_CHAOS_SEED=n repeats its choices; the timing differs) ---- */
#if defined(__linux__)
#include <dirent.h>
static int ch_count_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;
    if (!d) return -1;
    while ((e = readdir(d)) != NULL) if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}
#endif

#define CH_CLIENTS (SLOW ? 8 : 32)
#define CH_ROUNDS (SLOW ? 14 : 60)
#define CH_MAXMSG (256u * 1024u)
#define CH_LONG_MS (SLOW ? 30000 : 10000)      /* deadlines that must not pass */
#define CH_FILL 16                              /* connections that fill the full listener */
enum { CH_ECHO, CH_RACY, CH_IDLE, CH_HALF, CH_ABORT, CH_CLOSE_RD, CH_CLOSE_WR, CH_CANCEL_RD,
       CH_CONNECT, CH_NTYPES };
static const char *const ch_names[CH_NTYPES] = { "echo", "racy", "idle", "half", "abort", "close-rd",
                                                 "close-wr", "cancel-rd", "connect" };

typedef struct ch_state {
    ars_sock *ls, *full, *fill[CH_FILL];
    int port, full_port, full_ok, nfill;
    uint64_t seed;
    /* outcomes */
    long rounds[CH_NTYPES], bytes_ok, idle_timeouts, racy_timeouts, racy_partial, cancels_sent, cancels_seen,
        cancel_continued, closed_rd, closed_wr, writer_closed, eofs, aborts, conn_timeouts, conn_cancels,
        connects, closes, failures;
    long accepted, srv_ended, srv_eof, srv_reset, srv_pipe, srv_other, srv_wait_empty;
    int clients_done, acceptor_r, acceptor_done;
} ch_state;
static ch_state ch;

static uint64_t ch_next(uint64_t *s) {        /* xorshift64* */
    uint64_t x = *s;
    x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}
static unsigned ch_rnd(uint64_t *s, unsigned n) { return (unsigned)((ch_next(s) >> 33) % n); }
/* a deadline for the racy rounds: 0 (do not block) or 1..3 ms away */
static int64_t ch_racy_deadline(uint64_t *s) {
    unsigned k = ch_rnd(s, 4);
    return k == 0 ? 0 : go_deadline((int)k);
}

typedef struct ch_client {
    int id;
    uint64_t rng;
    ars_coro *co;
    ars_sock *c;
    unsigned char *out, *in;
    int in_call;        /* inside a call on c: parked there whenever another coroutine runs */
    int cancel_open;    /* a random-moment canceller may fire */
    long sent, seen;    /* cancels sent to this client / reported by its calls */
    int type, round;
} ch_client;

/* a failed check, with what the client was doing */
static int ch_check(int ok, ch_client *cl, const char *what, long long r, int line) {
    if (!ok) {
        ch.failures++;
        ars_test__check(0, what, __FILE__, line);
        printf("#   chaos seed %llu: client %d round %d (%s): %s -> %lld\n", (unsigned long long)ch.seed,
               cl ? cl->id : -1, cl ? cl->round : -1, cl ? ch_names[cl->type] : "-", what, r);
    }
    return ok;
}
#define CH_CHECK(cond, cl, r) ch_check(!!(cond), (cl), #cond, (long long)(r), __LINE__)

/* every blocking call of a client reports a cancel at most once */
static int ch_seen(ch_client *cl, long long r) {
    if (r == ARS_ECANCELED) { cl->seen++; return 1; }
    return 0;
}
static void ch_pause(ch_client *cl, int ms) { ch_seen(cl, ars_sleep_until(go_deadline(ms))); }

/* helpers that act on a client from another coroutine */
enum { CH_AG_CANCEL_ANY, CH_AG_CANCEL_PARKED, CH_AG_CLOSE_PARKED };
typedef struct ch_agent { ch_client *cl; int kind, delay_ms, fired, stop, done; } ch_agent;
static void ch_agent_co(void *arg) {
    ch_agent *a = (ch_agent *)arg;
    ch_client *cl = a->cl;
    if (a->delay_ms) ars_sleep_until(go_deadline(a->delay_ms));
    if (a->kind == CH_AG_CANCEL_ANY) {
        if (cl->cancel_open && !a->stop) {
            EXPECT_EQ(ars_cancel(cl->co), 0);
            cl->sent++; ch.cancels_sent++;
            a->fired = 1;
        }
    } else {
        int64_t end = go_deadline(CH_LONG_MS);
        /* the client runs a call that waits for ever unless acted on */
        while (!cl->in_call && !a->stop && ars_now() < end) ars_sleep_until(go_deadline(1));
        if (cl->in_call) {
            if (a->kind == CH_AG_CANCEL_PARKED) {
                EXPECT_EQ(ars_cancel(cl->co), 0);
                cl->sent++; ch.cancels_sent++;
            } else {
                EXPECT_EQ(ars_io_close(cl->c), 0);
            }
            a->fired = 1;
        }
    }
    a->done = 1;
}
static void ch_agent_start(ch_agent *a, ch_client *cl, int kind, int delay_ms) {
    memset(a, 0, sizeof *a);
    a->cl = cl; a->kind = kind; a->delay_ms = delay_ms;
    if (!EXPECT_EQ(ars_go(ch_agent_co, a), 0)) a->done = 1;
}
static void ch_agent_join(ch_client *cl, ch_agent *a) {
    a->stop = 1;
    while (!a->done) ch_pause(cl, 1);
}

/* the writer half of an exchange: data[0..n) in pieces, through write and
   writev; racy: short deadlines, resuming after ARS_ETIMEDOUT from *done */
typedef struct ch_writer {
    ch_client *cl;
    ars_sock *c;
    const unsigned char *data;
    size_t n, off, period;   /* period: data holds that many bytes, sent over and over */
    uint64_t rng;
    int racy, shut, in_call, stop, done;
    ptrdiff_t r;
} ch_writer;
static void ch_writer_co(void *arg) {
    ch_writer *w = (ch_writer *)arg;
    ptrdiff_t r = 0;
    while (w->off < w->n && !w->stop) {
        size_t k = w->n - w->off, done = 0, lim = (size_t)1 << (8 + ch_rnd(&w->rng, 11));
        size_t at = w->period ? w->off % w->period : w->off;
        int64_t dl = w->racy ? ch_racy_deadline(&w->rng) : go_deadline(CH_LONG_MS);
        if (k > lim) k = lim;
        if (w->period && k > w->period - at) k = w->period - at;
        w->in_call = 1;
        if (k >= 3 && ch_rnd(&w->rng, 3) == 0) {
            ars_iovec v[3];
            v[0].base = w->data + at; v[0].len = k / 3;
            v[1].base = w->data + at + k / 3; v[1].len = 0;
            v[2].base = w->data + at + k / 3; v[2].len = k - k / 3;
            r = ars_tcp_writev(w->c, v, 3, &done, dl);
        } else {
            r = ars_tcp_write(w->c, w->data + at, k, &done, dl);
        }
        w->in_call = 0;
        CH_CHECK(done <= k, w->cl, done);
        w->off += done;
        if (r >= 0) { CH_CHECK(r == (ptrdiff_t)k && done == k, w->cl, r); continue; }
        if (r == ARS_ETIMEDOUT && w->racy) {
            ch.racy_timeouts++;
            if (done == 0 && dl == 0) ars_sleep_until(go_deadline(1));   /* let the loop poll */
            continue;
        }
        break;      /* ARS_ECLOSED (the reader closed it): the socket is gone */
    }
    if (w->off == w->n && r >= 0) {
        r = (ptrdiff_t)w->n;
        if (w->shut) CH_CHECK(ars_tcp_shutdown(w->c, ARS_SHUT_WR) == 0, w->cl, 0);
    }
    w->r = r;
    w->done = 1;
}

/* closes the client's connection; a writer of it that waits in a call
   must wake with ARS_ECLOSED and never touch it again */
static void ch_close(ch_client *cl, ch_writer *w) {
    int parked = 0;
    if (w) {
        w->stop = 1;
        /* spawned and not yet run, or between calls: let it get into a call or out */
        while (!w->done && !w->in_call) ch_pause(cl, 1);
        parked = !w->done;
    }
    EXPECT_EQ(ars_io_close(cl->c), 0);
    cl->c = NULL;
    ch.closes++;
    if (parked) {
        while (!w->done) ch_pause(cl, 1);
        CH_CHECK(w->r == ARS_ECLOSED, cl, w->r);
        ch.writer_closed++;
    }
}

static int ch_connect(ch_client *cl) {
    int r;
    int64_t dl = ch_rnd(&cl->rng, 4) == 0 ? -1 : go_deadline(CH_LONG_MS);
    cl->in_call = 1;
    r = ars_tcp_connect(&cl->c, "127.0.0.1", ch.port, dl);
    cl->in_call = 0;
    if (ch_seen(cl, r)) { cl->c = NULL; return r; }
    if (!CH_CHECK(r == 0, cl, r)) { cl->c = NULL; return r; }
    ch.connects++;
    if (ch_rnd(&cl->rng, 4) == 0) EXPECT_EQ(ars_tcp_set_nodelay(cl->c, 1), 0);
    return 0;
}

static void ch_fill(ch_client *cl, size_t n) {
    size_t i;
    for (i = 0; i < n; i += 8) {
        uint64_t x = ch_next(&cl->rng);
        size_t k = n - i < 8 ? n - i : 8;
        memcpy(cl->out + i, &x, k);
    }
}
static size_t ch_len(ch_client *cl) {
    unsigned bits = ch_rnd(&cl->rng, 19);   /* log-uniform, 1 B .. 256 KiB */
    return 1 + ch_rnd(&cl->rng, 1u << bits);
}

/* Sends n fresh bytes and reads them back, comparing every byte. racy:
   deadlines of 0..3 ms everywhere; half: shut the write side after the
   message, then the echo ends with ARS_EEOF. 0 when the stream is in step
   again (all sent came back), else the connection was closed here. */
static int ch_exchange(ch_client *cl, size_t n, int racy, int half) {
    ch_writer w;
    int use_writer = racy || half || n > 16384 || ch_rnd(&cl->rng, 4) == 0;
    size_t off = 0;
    ptrdiff_t r;
    ch_fill(cl, n);
    memset(&w, 0, sizeof w);
    if (use_writer) {
        w.cl = cl; w.c = cl->c; w.data = cl->out; w.n = n; w.racy = racy; w.shut = half;
        w.rng = ch_next(&cl->rng) | 1;
        if (!EXPECT_EQ(ars_go(ch_writer_co, &w), 0)) { ch_close(cl, NULL); return -1; }
    } else {
        size_t done = 0;
        cl->in_call = 1;
        r = ars_tcp_write(cl->c, cl->out, n, &done, go_deadline(CH_LONG_MS));
        cl->in_call = 0;
        if (r != (ptrdiff_t)n) {
            if (!ch_seen(cl, r)) CH_CHECK(r == (ptrdiff_t)n, cl, r);
            ch_close(cl, NULL);
            return -1;
        }
    }
    if (!racy && ch_rnd(&cl->rng, 4) == 0) {
        cl->in_call = 1;
        r = ars_io_wait(cl->c, ARS_IO_READ, go_deadline(CH_LONG_MS));
        cl->in_call = 0;
        if (r != ARS_IO_READ) {
            if (!ch_seen(cl, r)) CH_CHECK(r == ARS_IO_READ, cl, r);
            ch_close(cl, use_writer ? &w : NULL);
            return -1;
        }
    }
    while (off < n) {
        size_t got = 0;
        int64_t dl = racy ? ch_racy_deadline(&cl->rng) : go_deadline(CH_LONG_MS);
        cl->in_call = 1;
        if (ch_rnd(&cl->rng, 2)) {
            r = ars_tcp_read_full(cl->c, cl->in + off, n - off, &got, dl);
        } else {
            r = ars_tcp_read(cl->c, cl->in + off, n - off, dl);
            got = r > 0 ? (size_t)r : 0;
        }
        cl->in_call = 0;
        if (!CH_CHECK(got <= n - off && memcmp(cl->in + off, cl->out + off, got) == 0, cl, (long long)off)) {
            ch_close(cl, use_writer ? &w : NULL);
            return -1;
        }
        off += got;
        if (r > 0) continue;
        if (r == ARS_ETIMEDOUT && racy) {
            ch.racy_timeouts++;
            if (got) ch.racy_partial++;
            if (got == 0 && dl == 0) ch_pause(cl, 1);
            continue;
        }
        if (ch_seen(cl, r) && ch_rnd(&cl->rng, 2)) {
            ch.cancel_continued++;      /* the stream stays whole across a cancel */
            continue;
        }
        if (r != ARS_ECANCELED) CH_CHECK(r > 0, cl, r);
        ch_close(cl, use_writer ? &w : NULL);
        return -1;
    }
    if (use_writer) {
        while (!w.done) ch_pause(cl, 1);
        if (!CH_CHECK(w.r == (ptrdiff_t)n && w.off == n, cl, w.r)) { ch_close(cl, NULL); return -1; }
    }
    ch.bytes_ok += (long)n;
    if (half) {
        char b[16];
        ptrdiff_t e;
        CH_CHECK(ars_tcp_write(cl->c, "x", 1, NULL, go_deadline(CH_LONG_MS)) == ARS_EPIPE, cl, 0);
        cl->in_call = 1;
        e = ars_tcp_read(cl->c, b, sizeof b, go_deadline(CH_LONG_MS));
        cl->in_call = 0;
        if (!ch_seen(cl, e) && CH_CHECK(e == ARS_EEOF, cl, e)) ch.eofs++;
        ch_close(cl, NULL);
        return -1;
    }
    return 0;
}

static void ch_round(ch_client *cl, int type) {
    ch_agent ag, ov;
    int overlay = 0;
    ptrdiff_t r;
    char b[16];
    memset(&ag, 0, sizeof ag);
    cl->type = type;
    ch.rounds[type]++;
    /* a cancel at a random moment (perhaps in the connect), on a quarter
       of the rounds whose calls may all report it */
    if ((type == CH_ECHO || type == CH_RACY || type == CH_IDLE || type == CH_HALF) && ch_rnd(&cl->rng, 4) == 0) {
        overlay = 1;
        cl->cancel_open = 1;
        ch_agent_start(&ov, cl, CH_AG_CANCEL_ANY, (int)ch_rnd(&cl->rng, 5));
    }
    if (type != CH_CONNECT && !cl->c && ch_connect(cl) != 0) goto end;
    switch (type) {
    case CH_ECHO:
        ch_exchange(cl, ch_len(cl), 0, 0);
        break;
    case CH_RACY:
        ch_exchange(cl, ch_len(cl), 1, 0);
        break;
    case CH_IDLE: {
        /* nothing is coming: the deadline passes, and the connection works after */
        int64_t dl = ch_rnd(&cl->rng, 3) == 0 ? 0 : go_deadline(1 + (int)ch_rnd(&cl->rng, 8));
        cl->in_call = 1;
        r = ch_rnd(&cl->rng, 3) == 0 ? ars_io_wait(cl->c, ARS_IO_READ, dl) : ars_tcp_read(cl->c, b, sizeof b, dl);
        cl->in_call = 0;
        if (ch_seen(cl, r)) { ch_close(cl, NULL); break; }
        if (CH_CHECK(r == ARS_ETIMEDOUT, cl, r)) ch.idle_timeouts++;
        ch_exchange(cl, ch_len(cl), 0, 0);
        break;
    }
    case CH_HALF:
        ch_exchange(cl, ch_len(cl), 0, 1);
        break;
    case CH_ABORT: {
        /* part of a message, maybe some of its echo read, then close:
           the server reads EOF or a reset, or fails a write */
        size_t n = ch_len(cl), part = 1 + ch_rnd(&cl->rng, (unsigned)n), done = 0;
        ch_fill(cl, n);
        cl->in_call = 1;
        r = ars_tcp_write(cl->c, cl->out, part, &done, go_deadline(CH_LONG_MS));
        cl->in_call = 0;
        CH_CHECK(r == (ptrdiff_t)part, cl, r);
        if (ch_rnd(&cl->rng, 2)) ch_pause(cl, (int)ch_rnd(&cl->rng, 3));
        ch.aborts++;
        ch_close(cl, NULL);
        break;
    }
    case CH_CLOSE_RD:
    case CH_CLOSE_WR: {
        /* another coroutine closes the socket this one waits on; or
           (close-wr, half the time) this one closes it under its writer */
        if (type == CH_CLOSE_WR && ch_rnd(&cl->rng, 2)) {
            ch_writer w;
            int64_t until = go_deadline(CH_LONG_MS);
            memset(&w, 0, sizeof w);
            EXPECT_EQ(ars_io_set_bufsize(cl->c, 8192, 8192), 0);
            ch_fill(cl, CH_MAXMSG);
            w.cl = cl; w.c = cl->c; w.data = cl->out; w.n = 8 * CH_MAXMSG; w.period = CH_MAXMSG;
            w.rng = ch_next(&cl->rng) | 1;
            if (!EXPECT_EQ(ars_go(ch_writer_co, &w), 0)) { ch_close(cl, NULL); break; }
            /* the echo is never read: the writer soon waits in a call */
            while (!w.done && !w.in_call && ars_now() < until) ch_pause(cl, 1);
            ch_pause(cl, (int)ch_rnd(&cl->rng, 4));
            CH_CHECK(!w.done, cl, w.r);
            ch_close(cl, &w);
            break;
        }
        ch_agent_start(&ag, cl, CH_AG_CLOSE_PARKED, 1 + (int)ch_rnd(&cl->rng, 4));
        if (type == CH_CLOSE_RD) {
            cl->in_call = 1;
            r = ch_rnd(&cl->rng, 3) == 0 ? ars_io_wait(cl->c, ARS_IO_READ, go_deadline(CH_LONG_MS))
                                         : ars_tcp_read(cl->c, b, sizeof b, go_deadline(CH_LONG_MS));
            cl->in_call = 0;
        } else {
            /* more than the buffers hold: the echo is never read, so the
               server stops reading and this write waits */
            ars_iovec v[8];
            size_t done = 0;
            int i;
            EXPECT_EQ(ars_io_set_bufsize(cl->c, 8192, 8192), 0);
            ch_fill(cl, CH_MAXMSG);
            for (i = 0; i < 8; i++) { v[i].base = cl->out; v[i].len = CH_MAXMSG; }
            cl->in_call = 1;
            r = ars_tcp_writev(cl->c, v, 8, &done, go_deadline(CH_LONG_MS));
            cl->in_call = 0;
        }
        ch_agent_join(cl, &ag);
        if (ag.fired) {
            if (CH_CHECK(r == ARS_ECLOSED, cl, r)) { if (type == CH_CLOSE_RD) ch.closed_rd++; else ch.closed_wr++; }
            cl->c = NULL;          /* closed by the agent */
            ch.closes++;
        } else {
            ch_check(0, cl, "the call did not wait", (long long)r, __LINE__);
            ch_close(cl, NULL);
        }
        break;
    }
    case CH_CANCEL_RD:
        /* a parked read (or wait) cancelled; the connection works after */
        ch_agent_start(&ag, cl, CH_AG_CANCEL_PARKED, 1 + (int)ch_rnd(&cl->rng, 4));
        cl->in_call = 1;
        r = ch_rnd(&cl->rng, 3) == 0 ? ars_io_wait(cl->c, ARS_IO_READ, go_deadline(CH_LONG_MS))
                                     : ars_tcp_read(cl->c, b, sizeof b, go_deadline(CH_LONG_MS));
        cl->in_call = 0;
        ch_seen(cl, r);
        ch_agent_join(cl, &ag);
        CH_CHECK(ag.fired && r == ARS_ECANCELED, cl, r);
        ch_exchange(cl, ch_len(cl), 0, 0);
        break;
    case CH_CONNECT: {
        /* a connect that waits (the listener's backlog is full) ends by its
           deadline or by a cancel */
        ars_sock *s = NULL;
        int cancel = (int)ch_rnd(&cl->rng, 2);
        if (!ch.full_ok) break;
        if (cancel) ch_agent_start(&ag, cl, CH_AG_CANCEL_PARKED, 1 + (int)ch_rnd(&cl->rng, 4));
        cl->in_call = 1;
        r = ars_tcp_connect(&s, "127.0.0.1", ch.full_port,
                            cancel ? go_deadline(CH_LONG_MS) : go_deadline(2 + (int)ch_rnd(&cl->rng, 9)));
        cl->in_call = 0;
        ch_seen(cl, r);
        if (cancel) ch_agent_join(cl, &ag);
#if defined(_WIN32)
        if (r == 0) { ars_io_close(s); break; }   /* wine: a SYN to a full backlog may be taken */
#endif
        if (cancel) {
            if (CH_CHECK(r == ARS_ECANCELED && ag.fired, cl, r)) ch.conn_cancels++;
        } else if (CH_CHECK(r == ARS_ETIMEDOUT, cl, r)) {
            ch.conn_timeouts++;
        }
        if (r == 0) ars_io_close(s);
        break;
    }
    }
end:
    if (overlay) {
        cl->cancel_open = 0;
        ch_agent_join(cl, &ov);
    }
    /* a cancel no call reported yet is reported by the next one, once */
    r = ars_sleep_until(go_deadline(1));
    if (cl->sent > cl->seen) {
        if (CH_CHECK(r == ARS_ECANCELED, cl, r)) cl->seen++;
    } else {
        CH_CHECK(r == 0, cl, r);
    }
    CH_CHECK(cl->sent == cl->seen, cl, cl->sent - cl->seen);
}

static void ch_client_co(void *arg) {
    ch_client *cl = (ch_client *)arg;
    int i;
    for (i = 0; i < CH_ROUNDS && !ch.failures; i++) {
        /* each kind of round early on in some client, then at random */
        int type = i < CH_NTYPES ? (cl->id + i) % CH_NTYPES : (int)ch_rnd(&cl->rng, CH_NTYPES);
        cl->round = i;
        ch_round(cl, type);
        if (cl->c && ch_rnd(&cl->rng, 8) == 0) ch_close(cl, NULL);
    }
    if (cl->c) ch_close(cl, NULL);
    ch.clients_done++;
}

typedef struct ch_conn { ars_sock *c; uint64_t rng; } ch_conn;
static void ch_server_co(void *arg) {
    ch_conn *sv = (ch_conn *)arg;
    char buf[8192];
    ptrdiff_t n;
    for (;;) {
        size_t cap = 1 + ch_rnd(&sv->rng, sizeof buf);
        if (ch_rnd(&sv->rng, 4) == 0) {
            /* wait for readability, then read without blocking */
            int r = ars_io_wait(sv->c, ARS_IO_READ, go_deadline(CH_LONG_MS * 2));
            if (r != ARS_IO_READ) { n = r; break; }
            n = ars_tcp_read(sv->c, buf, cap, 0);
            if (n == ARS_ETIMEDOUT) { ch.srv_wait_empty++; continue; }
        } else {
            n = ars_tcp_read(sv->c, buf, cap, go_deadline(CH_LONG_MS * 2));
        }
        if (n <= 0) break;
        {
            ptrdiff_t w = ars_tcp_write(sv->c, buf, (size_t)n, NULL, go_deadline(CH_LONG_MS * 2));
            if (w != n) { n = w; break; }
        }
    }
    if (n == ARS_EEOF) ch.srv_eof++;
    else if (n == ARS_ECONNRESET) ch.srv_reset++;
    else if (n == ARS_EPIPE) ch.srv_pipe++;
    else { ch.srv_other++; printf("#   chaos server: %d (%s)\n", (int)n, ars_strerror((int)n)); }
    EXPECT_EQ(ars_io_close(sv->c), 0);
    free(sv);
    ch.srv_ended++;
}
static void ch_acceptor_co(void *arg) {
    uint64_t rng = ch.seed ^ 0x9E3779B97F4A7C15ULL;
    int r;
    (void)arg;
    for (;;) {
        ars_sock *c;
        ch_conn *sv;
        r = ars_tcp_accept(ch.ls, &c, NULL, go_deadline(CH_LONG_MS * 6));
        if (r) break;
        ch.accepted++;
        sv = (ch_conn *)malloc(sizeof *sv);
        if (!EXPECT(sv != NULL)) { ars_io_close(c); continue; }
        sv->c = c;
        sv->rng = ch_next(&rng) | 1;
        if (!EXPECT_EQ(ars_go(ch_server_co, sv), 0)) { ars_io_close(c); free(sv); }
    }
    ch.acceptor_r = r;
    ch.acceptor_done = 1;
}

static void ch_main_co(void *arg) {
    ch_client *cls = (ch_client *)arg;
    int i;
    int64_t end;
    /* fill the small listener's backlog until a connect waits out its deadline */
    for (i = 0; i < CH_FILL; i++) {
        int r = ars_tcp_connect(&ch.fill[ch.nfill], "127.0.0.1", ch.full_port, go_deadline(SLOW ? 300 : 100));
        if (r == ARS_ETIMEDOUT) { ch.full_ok = 1; break; }
        if (!EXPECT_EQ(r, 0)) break;
        ch.nfill++;
    }
    ars_go(ch_acceptor_co, NULL);
    for (i = 0; i < CH_CLIENTS; i++)
        if (!EXPECT_EQ(ars_go_opts(ch_client_co, &cls[i], NULL, &cls[i].co), 0)) ch.clients_done++;
    end = go_deadline(CH_LONG_MS * 6);
    while (ch.clients_done < CH_CLIENTS && ars_now() < end) ars_sleep_until(go_deadline(5));
    EXPECT_EQ(ch.clients_done, CH_CLIENTS);
    /* the acceptor waits: closing its listener wakes it with ARS_ECLOSED */
    EXPECT_EQ(ars_io_close(ch.ls), 0);
    end = go_deadline(CH_LONG_MS);
    while ((!ch.acceptor_done || ch.srv_ended < ch.accepted) && ars_now() < end) ars_sleep_until(go_deadline(5));
    for (i = 0; i < ch.nfill; i++) ars_io_close(ch.fill[i]);
    EXPECT_EQ(ars_io_close(ch.full), 0);
}

static void test_chaos(void) {
    ch_client *cls;
    const char *env = getenv("ARS_CHAOS_SEED");
    uint64_t seed;
    int i, t;
    int64_t t0;
#if defined(__linux__)
    int fds0;
#endif
    memset(&ch, 0, sizeof ch);
    seed = env ? (uint64_t)strtoull(env, NULL, 10) : (uint64_t)ars_now() * 2654435761u;
    if (!seed) seed = 1;
    ch.seed = seed;
    printf("# chaos seed %llu, %d clients x %d rounds\n", (unsigned long long)seed, CH_CLIENTS, CH_ROUNDS);
    ASSERT_EQ(ars_io_init(), 0);
#if defined(__linux__)
    fds0 = ch_count_fds();
#endif
    ASSERT_EQ(listen_any(&ch.ls, "127.0.0.1", 256), 0);
    EXPECT_EQ(ars_io_set_bufsize(ch.ls, 65536, 65536), 0);   /* accepted sockets inherit: more partial I/O */
    ch.port = port_of(ch.ls);
    ASSERT_EQ(listen_any(&ch.full, "127.0.0.1", 1), 0);
    ch.full_port = port_of(ch.full);
    cls = (ch_client *)calloc(CH_CLIENTS, sizeof *cls);
    ASSERT(cls != NULL);
    for (i = 0; i < CH_CLIENTS; i++) {
        uint64_t s = seed + 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1);
        cls[i].id = i;
        cls[i].rng = ch_next(&s) | 1;
        cls[i].out = (unsigned char *)malloc(CH_MAXMSG);
        cls[i].in = (unsigned char *)malloc(CH_MAXMSG);
        if (!cls[i].out || !cls[i].in) { EXPECT(0); goto out; }
    }
    t0 = ars_now();
    ars_go(ch_main_co, cls);
    EXPECT_EQ(ars_sched_run(), 0);
    EXPECT_EQ(ars_sched_count(), 0);
    for (i = 0; i < CH_CLIENTS; i++) ch.cancels_seen += cls[i].seen;
    printf("# chaos %lld ms: rounds", (long long)(ars_now() - t0));
    for (t = 0; t < CH_NTYPES; t++) printf(" %s %ld", ch_names[t], ch.rounds[t]);
    printf("\n# chaos: %ld bytes echoed, %ld connects, %ld closes, timeouts idle %ld racy %ld (partial %ld), "
           "cancels %ld/%ld (%ld read on), closed while parked rd %ld wr %ld writer %ld, eof %ld, aborts %ld, "
           "connect timeouts %ld cancels %ld (full %d)\n",
           ch.bytes_ok, ch.connects, ch.closes, ch.idle_timeouts, ch.racy_timeouts, ch.racy_partial, ch.cancels_seen,
           ch.cancels_sent, ch.cancel_continued, ch.closed_rd, ch.closed_wr, ch.writer_closed, ch.eofs, ch.aborts,
           ch.conn_timeouts, ch.conn_cancels, ch.full_ok);
    printf("# chaos server: accepted %ld ended %ld: eof %ld reset %ld pipe %ld other %ld, wait-then-empty %ld\n",
           ch.accepted, ch.srv_ended, ch.srv_eof, ch.srv_reset, ch.srv_pipe, ch.srv_other, ch.srv_wait_empty);
    EXPECT_EQ(ch.failures, 0);
    EXPECT_EQ(ch.clients_done, CH_CLIENTS);
    EXPECT_EQ(ch.acceptor_r, ARS_ECLOSED);
    EXPECT_EQ(ch.srv_ended, ch.accepted);
    EXPECT_EQ(ch.srv_other, 0);
    EXPECT_EQ(ch.srv_wait_empty, 0);      /* readable, and the one reader found nothing */
    EXPECT_EQ(ch.cancels_seen, ch.cancels_sent);
    EXPECT_EQ(ch.closes, ch.connects);
    /* the rounds whose outcome is certain ran in every client */
    EXPECT(ch.bytes_ok > 0 && ch.idle_timeouts > 0 && ch.closed_rd > 0 && ch.closed_wr > 0 && ch.eofs > 0 &&
           ch.aborts > 0 && ch.cancels_sent > 0);
#if !defined(_WIN32)
    EXPECT(ch.full_ok && ch.conn_timeouts > 0 && ch.conn_cancels > 0);
#endif
    /* left to chance, each well above 0 in a full run (x86_64 Linux: over
       100 writer closes, 300 timeouts, 250 resets, 15 reads on after a cancel) */
    if (!SLOW)
        EXPECT(ch.writer_closed > 0 && ch.racy_timeouts > 0 && ch.srv_reset + ch.srv_pipe > 0 && ch.cancel_continued > 0);
#if defined(__linux__)
    EXPECT_EQ(ch_count_fds(), fds0);
#endif
out:
    for (i = 0; i < CH_CLIENTS; i++) { free(cls[i].out); free(cls[i].in); }
    free(cls);
}

int main(void) {
    ARS_RUN(test_first_use);          /* first: before anything creates the loop */
    ARS_RUN(test_backend);
    ARS_RUN(test_echo_sizes);
    ARS_RUN(test_wait_then_read);
    ARS_RUN(test_deadlines);
    ARS_RUN(test_accept_now);
    ARS_RUN(test_spin_window);
    ARS_RUN(test_slow_client);
    ARS_RUN(test_reset);
    ARS_RUN(test_half_close);
    ARS_RUN(test_shutdown_read);
    ARS_RUN(test_detach_wakes);
    ARS_RUN(test_detach_reattach);
    ARS_RUN(test_addresses);
    ARS_RUN(test_udp);
    ARS_RUN(test_udp_truncation);
    ARS_RUN(test_udp_wait);
    ARS_RUN(test_udp_empty_datagram);
    ARS_RUN(test_udp_icmp_ignored);
    ARS_RUN(test_second_writer_busy);
    ARS_RUN(test_second_reader_busy);
    ARS_RUN(test_second_acceptor_busy);
    ARS_RUN(test_close_writer_done);
#if PTRDIFF_MAX <= 0x7fffffff
    ARS_RUN(test_huge_sizes);
#endif
    ARS_RUN(test_write_deadline_done);
    ARS_RUN(test_bad_args);
    ARS_RUN(test_outside_coroutine);
    ARS_RUN(test_options);
    ARS_RUN(test_close_and_cancel);
    ARS_RUN(test_cancel_kept);
    ARS_RUN(test_close_pending_write);
#if !defined(_WIN32)
    ARS_RUN(test_emfile_accept);
    ARS_RUN(test_emfile_accept_outside);
    ARS_RUN(test_signal_and_fds);
    ARS_RUN(test_signal_sets_apart);
    ARS_RUN(test_signal_uncatchable);
    ARS_RUN(test_attach_failure_restores);
    ARS_RUN(test_attach_keeps_cloexec);
    ARS_RUN(test_passed_deadline_looks);
    ARS_RUN(test_reuseport_threads);
    ARS_RUN(test_cross_thread_cancel);
#else
    ARS_RUN(test_cross_thread_cancel);
    ARS_RUN(test_signal_timeout);
#if SIZE_MAX > 0xffffffffu
    ARS_RUN(test_iocp_writev_len);
    ARS_RUN(test_iocp_writev_4g);
#endif
    ARS_RUN(test_iocp_emfile_close);
#endif
    ARS_RUN(test_chaos);
    ARS_RUN(test_many_connections);
    ars_io_deinit();
    ars_coro_cache_trim();
    return ars_test_report();
}
