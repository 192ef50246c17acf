/* chan_pipeline.c - stages connected by channels (arsenal_chan.h)
   ars-build-libs: -lpthread

   Build and run (from the repository root):
       cc -std=c99 -D_DEFAULT_SOURCE -O2 -o chan_pipeline examples/chan_pipeline.c -lpthread
       ./chan_pipeline            # primes below 200 through a 4-stage pipeline

   generate -> square-free filter -> prime test -> print. Each stage is a
   coroutine that receives until its input is closed, then closes its output,
   so the end of the input flows down the pipeline like Go's `range ch`.
*/
#define ARSENAL_CORO_IMPLEMENTATION
#define ARSENAL_CHAN_IMPLEMENTATION
#include "../arsenal_chan.h"
#include <stdio.h>

ARS_CHAN_TYPED(intchan, int)   /* intchan_send, intchan_recv_ok, ... */

typedef struct stage { intchan in, out; } stage;

static void generate(void *arg) {
    intchan out = *(intchan *)arg;
    int i;
    for (i = 2; i < 200; i++) intchan_send(out, i);
    intchan_close(out);
}

static int square_free(int n) {
    int d;
    for (d = 2; d * d <= n; d++) if (n % (d * d) == 0) return 0;
    return 1;
}
static void filter_square_free(void *arg) {
    stage *s = (stage *)arg;
    int v;
    while (intchan_recv_ok(s->in, &v) == 0)      /* for v := range in */
        if (square_free(v)) intchan_send(s->out, v);
    intchan_close(s->out);
}

static int is_prime(int n) {
    int d;
    for (d = 2; d * d <= n; d++) if (n % d == 0) return 0;
    return 1;
}
static void filter_prime(void *arg) {
    stage *s = (stage *)arg;
    int v;
    while (intchan_recv_ok(s->in, &v) == 0)
        if (is_prime(v)) intchan_send(s->out, v);
    intchan_close(s->out);
}

static void print_all(void *arg) {
    intchan in = *(intchan *)arg;
    int v, n = 0;
    while (intchan_recv_ok(in, &v) == 0) printf("%d%s", v, ++n % 10 ? " " : "\n");
    printf("\n%d primes\n", n);
}

int main(void) {
    intchan a, b, c;
    stage s1, s2;
    /* unbuffered and buffered channels mix freely */
    if (intchan_make(&a, 0) || intchan_make(&b, 8) || intchan_make(&c, 0)) return 1;
    s1.in = a; s1.out = b;
    s2.in = b; s2.out = c;
    ars_go(generate, &a);
    ars_go(filter_square_free, &s1);
    ars_go(filter_prime, &s2);
    ars_go(print_all, &c);
    ars_sched_run();
    intchan_free(a); intchan_free(b); intchan_free(c);
    return 0;
}
