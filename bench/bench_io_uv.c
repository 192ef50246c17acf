/* bench_io_uv.c - libuv peer of bench/bench_io.c: the same HTTP "hello"
   (GET, keep-alive, pipelining, the same request counting) or echo server.
   ars-build-libs: -luv

       cc -O2 -o bench_io_uv bench/bench_io_uv.c -luv
       ./bench_io_uv http 8081 [seconds]  |  ./bench_io_uv echo 7001 [seconds]
*/
#include <uv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char RESP[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";
static int http = 1;
static uv_loop_t *loop;

typedef struct conn { uv_tcp_t tcp; int st; char in[8192]; } conn;
typedef struct wreq { uv_write_t req; uv_buf_t buf; char data[]; } wreq;

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

static void on_close(uv_handle_t *h) { free(h); }
static void on_write(uv_write_t *req, int status) { (void)status; free(req); }
static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
    conn *c = (conn *)h;
    (void)hint;
    buf->base = c->in;                 /* one buffer per connection: no malloc per read */
    buf->len = sizeof c->in;
}
static void send_bytes(conn *c, const char *p, size_t n) {
    /* try the write at once (as a coroutine server does); queue only the rest */
    uv_buf_t b = uv_buf_init((char *)p, (unsigned)n);
    int r = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
    if (r < 0) r = 0;
    if ((size_t)r < n) {
        wreq *w = (wreq *)malloc(sizeof *w + (n - (size_t)r));
        memcpy(w->data, p + r, n - (size_t)r);
        w->buf = uv_buf_init(w->data, (unsigned)(n - (size_t)r));
        uv_write(&w->req, (uv_stream_t *)&c->tcp, &w->buf, 1, on_write);
    }
}
static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
    conn *c = (conn *)s;
    if (n < 0) { uv_close((uv_handle_t *)s, on_close); return; }
    if (n == 0) return;
    if (http) {
        static char out[(sizeof RESP - 1) * 64];
        int k = count_requests(buf->base, (size_t)n, &c->st);
        while (k > 0) {
            int m = k > 64 ? 64 : k, i;
            for (i = 0; i < m; i++) memcpy(out + i * (sizeof RESP - 1), RESP, sizeof RESP - 1);
            send_bytes(c, out, (size_t)m * (sizeof RESP - 1));
            k -= m;
        }
    } else send_bytes(c, buf->base, (size_t)n);
}
static void on_conn(uv_stream_t *srv, int status) {
    conn *c;
    if (status < 0) return;
    c = (conn *)malloc(sizeof *c);
    c->st = 0;
    uv_tcp_init(loop, &c->tcp);
    if (uv_accept(srv, (uv_stream_t *)&c->tcp) == 0) {
        uv_tcp_nodelay(&c->tcp, 1);
        uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    } else uv_close((uv_handle_t *)&c->tcp, on_close);
}
static void on_timer(uv_timer_t *t) { (void)t; uv_stop(loop); }

int main(int argc, char **argv) {
    uv_tcp_t srv;
    uv_timer_t timer;
    struct sockaddr_in a;
    int port = 8081;
    if (argc > 1) http = strcmp(argv[1], "echo") != 0;
    if (argc > 2) port = atoi(argv[2]);
    loop = uv_default_loop();
    uv_tcp_init(loop, &srv);
    uv_ip4_addr("127.0.0.1", port, &a);
    if (uv_tcp_bind(&srv, (const struct sockaddr *)&a, 0) || uv_listen((uv_stream_t *)&srv, 4096, on_conn)) {
        fprintf(stderr, "listen failed\n"); return 1;
    }
    if (argc > 3) { uv_timer_init(loop, &timer); uv_timer_start(&timer, on_timer, 1000 * (uint64_t)atoi(argv[3]), 0); }
    printf("libuv %s server on 127.0.0.1:%d\n", http ? "http" : "echo", port);
    fflush(stdout);
    uv_run(loop, UV_RUN_DEFAULT);
    return 0;
}
