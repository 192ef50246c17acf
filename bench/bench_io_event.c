/* bench_io_event.c - libevent peer of bench/bench_io.c's echo server: one
   thread, one event per connection, echoing what it reads at once (a write
   is tried straight away, as the coroutine server and bench_io_uv.c do;
   only a remainder waits for EV_WRITE). Used by bench/bench_io.sh's echo row.
   ars-build-libs: -levent

       cc -O2 -o bench_io_event bench/bench_io_event.c -levent
       ./bench_io_event echo 7002 [seconds]
*/
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct event_base *base;

typedef struct conn {
    struct event *ev;
    evutil_socket_t fd;
    size_t off, len;                  /* pending output: buf[off..len) */
    char buf[16384];
} conn;

static void conn_free(conn *c) {
    event_free(c->ev);
    evutil_closesocket(c->fd);
    free(c);
}

static void on_event(evutil_socket_t fd, short what, void *arg) {
    conn *c = (conn *)arg;
    ssize_t n;
    (void)what;
    for (;;) {
        if (c->off < c->len) {                    /* flush what is pending first */
            n = send(fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EINTR) continue;
                if (errno != EAGAIN && errno != EWOULDBLOCK) { conn_free(c); return; }
                event_del(c->ev);                 /* wait until writable */
                event_assign(c->ev, base, fd, EV_WRITE | EV_PERSIST, on_event, c);
                event_add(c->ev, NULL);
                return;
            }
            c->off += (size_t)n;
            if (c->off < c->len) continue;
            c->off = c->len = 0;
            if (what & EV_WRITE) {                /* back to reading */
                event_del(c->ev);
                event_assign(c->ev, base, fd, EV_READ | EV_PERSIST, on_event, c);
                event_add(c->ev, NULL);
            }
        }
        n = recv(fd, c->buf, sizeof c->buf, 0);
        if (n > 0) { c->len = (size_t)n; what = 0; continue; }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        conn_free(c);                             /* EOF or error */
        return;
    }
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg) {
    conn *c = (conn *)malloc(sizeof *c);
    int one = 1;
    (void)l; (void)sa; (void)len; (void)arg;
    if (!c) { evutil_closesocket(fd); return; }
    c->fd = fd;
    c->off = c->len = 0;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    evutil_make_socket_nonblocking(fd);
    c->ev = event_new(base, fd, EV_READ | EV_PERSIST, on_event, c);
    if (!c->ev) { evutil_closesocket(fd); free(c); return; }
    event_add(c->ev, NULL);
}

static void on_timer(evutil_socket_t fd, short what, void *arg) {
    (void)fd; (void)what; (void)arg;
    event_base_loopbreak(base);
}

int main(int argc, char **argv) {
    struct sockaddr_in a;
    struct evconnlistener *l;
    struct event *timer = NULL;
    int port = 7002;
    if (argc > 1 && strcmp(argv[1], "echo") != 0) { fprintf(stderr, "only echo is implemented\n"); return 2; }
    if (argc > 2) port = atoi(argv[2]);
    signal(SIGPIPE, SIG_IGN);
    base = event_base_new();
    if (!base) return 1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    l = evconnlistener_new_bind(base, on_accept, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 4096,
                                (struct sockaddr *)&a, sizeof a);
    if (!l) { fprintf(stderr, "listen failed\n"); return 1; }
    if (argc > 3) {
        struct timeval tv;
        tv.tv_sec = atoi(argv[3]);
        tv.tv_usec = 0;
        timer = evtimer_new(base, on_timer, NULL);
        evtimer_add(timer, &tv);
    }
    printf("libevent echo server on 127.0.0.1:%d (%s)\n", port, event_base_get_method(base));
    fflush(stdout);
    event_base_dispatch(base);
    if (timer) event_free(timer);
    evconnlistener_free(l);
    event_base_free(base);
    return 0;
}
