/* io_udp_echo.c - a UDP echo and a TCP echo on 127.0.0.1, each on a port the
   system picks, with the address calls of arsenal_io.h; runs by itself and
   exits 0 when every reply comes back right.
   ars-build-libs: -lpthread

   Build and run (from the repository root):
       cc -std=c99 -O2 -D_DEFAULT_SOURCE -o io_udp_echo examples/io_udp_echo.c -lpthread
       ./io_udp_echo

   UDP: the server binds port 0 and learns its port with ars_io_local_addr;
   the client resolves that address, sends datagrams with ars_udp_send_to and
   checks that each reply came from the server (ars_udp_recv_from's sender).
   TCP: the client connects to an ars_addr (ars_tcp_connect_addr) and sends a
   header and a body in one ars_tcp_writev. POSIX: a coroutine waits on a
   pipe wrapped with ars_io_attach. Every wait has a 2 s deadline.
*/
#define ARSENAL_IMPLEMENTATION
#include "../arsenal_io.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#if !defined(_WIN32)
#include <sys/socket.h>
#include <unistd.h>
#endif

static ars_addr udp_addr, tcp_addr;   /* where the servers listen (port 0: the system picks) */
static int failures;

static int fail(const char *what, int err) {
    printf("FAILED %s: %s\n", what, ars_strerror(err));
    failures++;
    return err;
}

static void udp_server(void *arg) {
    ars_sock *s = (ars_sock *)arg;
    char buf[512];
    ars_addr from;
    ptrdiff_t n, i;
    while ((n = ars_udp_recv_from(s, buf, sizeof buf, &from, ars_now() + 2000)) > 0) {
        for (i = 0; i < n; i++) buf[i] = (char)toupper((unsigned char)buf[i]);
        if (ars_udp_send_to(s, buf, (size_t)n, &from, ars_now() + 2000) != n) break;
        if (n == 4 && memcmp(buf, "QUIT", 4) == 0) break;
    }
    ars_io_close(s);
}

static void udp_client(void *arg) {
    static const char *msgs[] = { "hello", "datagram", "quit" };
    ars_sock *c;
    ars_addr to, from;
    char buf[512], a[64], b[64];
    ptrdiff_t n;
    size_t i;
    int r;
    (void)arg;
    /* ars_addr_resolve turns a host and port into an address; here the
       port is the one the server's bind picked */
    if ((r = ars_addr_resolve(&to, "127.0.0.1", ars_addr_port(&udp_addr), ars_now() + 2000)) != 0) { fail("resolve", r); return; }
    if ((r = ars_udp_bind(&c, "127.0.0.1", 0)) != 0) { fail("udp bind", r); return; }
    for (i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
        size_t len = strlen(msgs[i]);
        if ((n = ars_udp_send_to(c, msgs[i], len, &to, ars_now() + 2000)) != (ptrdiff_t)len) { fail("send_to", (int)n); break; }
        if ((n = ars_udp_recv_from(c, buf, sizeof buf, &from, ars_now() + 2000)) < 0) { fail("recv_from", (int)n); break; }
        ars_addr_format(&to, a, sizeof a);
        ars_addr_format(&from, b, sizeof b);
        printf("udp: sent \"%s\" to %s, got \"%.*s\" from %s\n", msgs[i], a, (int)n, buf, b);
        if (strcmp(a, b) != 0 || (size_t)n != len) fail("udp reply", ARS_ECORRUPT);
    }
    ars_io_close(c);
}

static void tcp_server(void *arg) {
    ars_sock *ls = (ars_sock *)arg, *c;
    ars_addr peer;
    char buf[256], p[64];
    ptrdiff_t n;
    int r;
    if ((r = ars_tcp_accept(ls, &c, &peer, ars_now() + 2000)) != 0) { fail("accept", r); ars_io_close(ls); return; }
    ars_addr_format(&peer, p, sizeof p);
    while ((n = ars_tcp_read(c, buf, sizeof buf, ars_now() + 2000)) > 0) {
        printf("tcp: server read %d bytes from %s\n", (int)n, p);
        if (ars_tcp_write(c, buf, (size_t)n, NULL, ars_now() + 2000) < 0) break;
    }
    ars_io_close(c);
    ars_io_close(ls);
}

static void tcp_client(void *arg) {
    static const char head[] = "LEN 5\n", body[] = "howdy";
    ars_iovec iov[2];
    ars_sock *s;
    ars_addr local, peer;
    char buf[64], l[64], p[64];
    size_t done = 0;
    ptrdiff_t n;
    int r;
    (void)arg;
    if ((r = ars_tcp_connect_addr(&s, &tcp_addr, ars_now() + 2000)) != 0) { fail("connect_addr", r); return; }
    /* keepalive probes after 30 s idle: a dead peer is noticed even when
       this side never writes */
    if ((r = ars_tcp_set_keepalive(s, 1, 30)) != 0) fail("keepalive", r);
    if (ars_io_local_addr(s, &local) == 0 && ars_io_peer_addr(s, &peer) == 0) {
        ars_addr_format(&local, l, sizeof l);
        ars_addr_format(&peer, p, sizeof p);
        printf("tcp: connected %s -> %s\n", l, p);
    }
    iov[0].base = head; iov[0].len = sizeof head - 1;   /* two buffers, one call */
    iov[1].base = body; iov[1].len = sizeof body - 1;
    if ((n = ars_tcp_writev(s, iov, 2, &done, ars_now() + 2000)) < 0) fail("writev", (int)n);
    n = ars_tcp_read_full(s, buf, done, NULL, ars_now() + 2000);
    if (n != (ptrdiff_t)done || memcmp(buf, head, iov[0].len) || memcmp(buf + iov[0].len, body, iov[1].len))
        fail("tcp echo", n < 0 ? (int)n : ARS_ECORRUPT);
    else
        printf("tcp: writev sent %d bytes in 2 pieces, all echoed\n", (int)done);
    ars_io_close(s);
}

#if !defined(_WIN32)
/* ars_io_attach wraps any fd (here a pipe) so a coroutine can park in
   ars_io_wait on it; ars_io_detach hands the fd back, still open */
static int pipe_fds[2];

static void pipe_writer(void *arg) {
    (void)arg;
    ars_sleep_until(ars_now() + 20);
    if (write(pipe_fds[1], "!", 1) != 1) fail("pipe write", ARS_EIO);
}

static void pipe_reader(void *arg) {
    ars_sock *p;
    int64_t t0 = ars_now();
    intptr_t fd;
    char ch;
    int r;
    (void)arg;
    if ((r = ars_io_attach(&p, pipe_fds[0])) != 0) { fail("attach", r); return; }
    ars_go(pipe_writer, NULL);
    r = ars_io_wait(p, ARS_IO_READ, ars_now() + 2000);
    /* ARS_ECLOSED: another coroutine closed p while we waited, and p is gone
       (nobody does here; a waiter that may see it must not touch p again) */
    if (r == ARS_ECLOSED) { fail("pipe wait", r); return; }
    fd = ars_io_detach(p);                      /* the same fd, not closed */
    if (r != ARS_IO_READ || fd != pipe_fds[0] || read((int)fd, &ch, 1) != 1) { fail("pipe wait", r < 0 ? r : ARS_EIO); return; }
    printf("pipe: fd %d became readable after %d ms; the other coroutines ran meanwhile\n",
           (int)fd, (int)(ars_now() - t0));
}
#endif

int main(void) {
    ars_sock *us, *ls;
    char a[64];
    int r;
    /* creating the loop up front reports a failure here, not at the first socket */
    if ((r = ars_io_init()) != 0) { printf("ars_io_init: %s\n", ars_strerror(r)); return 1; }
    printf("backend: %s\n", ars_io_backend());
    if ((r = ars_udp_bind(&us, "127.0.0.1", 0)) != 0) return fail("udp bind", r), 1;
    if ((r = ars_io_set_bufsize(us, 256 * 1024, 256 * 1024)) != 0) fail("set_bufsize", r);
#if !defined(_WIN32)
    {   /* ars_io_fd gives the OS socket for calls arsenal_io.h does not wrap:
           here, reading back what the kernel made of the 256 KiB asked for */
        int got = 0;
        socklen_t len = sizeof got;
        if (getsockopt((int)ars_io_fd(us), SOL_SOCKET, SO_RCVBUF, &got, &len) == 0)
            printf("udp: asked for a 256 KiB receive buffer, the kernel gave %d bytes\n", got);
    }
#endif
    if ((r = ars_io_local_addr(us, &udp_addr)) != 0) return fail("local_addr", r), 1;
    ars_addr_format(&udp_addr, a, sizeof a);
    printf("udp: server bound to %s (port %d)\n", a, ars_addr_port(&udp_addr));

    if ((r = ars_tcp_listen(&ls, "127.0.0.1", 0, NULL)) != 0) return fail("listen", r), 1;
    if ((r = ars_io_local_addr(ls, &tcp_addr)) != 0) return fail("local_addr", r), 1;
    ars_addr_format(&tcp_addr, a, sizeof a);
    printf("tcp: listening on %s\n", a);

    ars_go(udp_server, us);
    ars_go(udp_client, NULL);
    ars_go(tcp_server, ls);
    ars_go(tcp_client, NULL);
#if !defined(_WIN32)
    if (pipe(pipe_fds) != 0) return fail("pipe", ARS_EIO), 1;
    ars_go(pipe_reader, NULL);
#endif
    ars_sched_run();
    ars_io_deinit();
#if !defined(_WIN32)
    close(pipe_fds[0]);
    close(pipe_fds[1]);
#endif
    printf("%s\n", failures ? "some checks failed" : "all replies correct");
    return failures ? 1 : 0;
}
