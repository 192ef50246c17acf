/* chan_queues.c - the lock-free queues between plain threads (SPSC ring,
   MPMC queue, single and batch calls), and a channel's state around a close

   Build and run:
       cc -std=c99 -D_DEFAULT_SOURCE -O2 -o chan_queues examples/chan_queues.c -lpthread && ./chan_queues
   ars-build-libs: -lpthread

   What it shows:
   - ars_spsc over caller memory (ars_spsc_init): a batch push that only
     partly fits returns how many went in; ars_spsc_len;
   - ars_spsc_create / destroy between a producer and a consumer thread:
     single push/pop for the first half, push_n/pop_n batches for the
     second; the consumer checks that every value comes in order;
   - ars_mpmc_init over a caller buffer of ARS_MPMC_BUFFER_SIZE bytes, two
     producers and two consumers moving batches (push_n/pop_n, which may
     move fewer than asked); each value is delivered exactly once, checked
     by a count, a sum and a sum of a hash; ars_mpmc_len as a snapshot;
   - a channel used without coroutines: ars_chan_try_send/try_recv never
     block, ars_chan_len/cap/closed, and what close does to a buffered
     channel (the buffer still drains, then ARS_ECLOSED).
   The queues never touch the coroutine scheduler; spinning threads call
   sched_yield() when a queue is full or empty.
*/
#define ARSENAL_CORO_IMPLEMENTATION
#define ARSENAL_CHAN_IMPLEMENTATION
#include "../arsenal_chan.h"
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "line %d: %s\n", __LINE__, #cond); failures++; } } while (0)

/* ---- SPSC ------------------------------------------------------------- */

#define SPSC_ITEMS 400000u
#define SPSC_BATCH 64u

static ars_spsc *ring;
static size_t max_len_seen;              /* consumer side */

static void *spsc_producer(void *arg) {
    uint32_t v = 1, batch[SPSC_BATCH];
    (void)arg;
    while (v <= SPSC_ITEMS / 2) {        /* one at a time */
        if (ars_spsc_push(ring, &v) == 0) v++;
        else sched_yield();              /* full */
    }
    while (v <= SPSC_ITEMS) {            /* batches; a push_n may move fewer */
        uint32_t i, n = SPSC_ITEMS - v + 1 < SPSC_BATCH ? SPSC_ITEMS - v + 1 : SPSC_BATCH;
        size_t moved;
        for (i = 0; i < n; i++) batch[i] = v + i;
        moved = ars_spsc_push_n(ring, batch, n);
        if (!moved) sched_yield();
        v += (uint32_t)moved;
    }
    return NULL;
}

static void *spsc_consumer(void *arg) {
    uint32_t expect = 1, v, batch[256];
    size_t i, n, singles = 0, batches = 0, len;
    (void)arg;
    while (expect <= SPSC_ITEMS / 2) {
        if (ars_spsc_pop(ring, &v) != 0) { sched_yield(); continue; }
        if (v != expect) { fprintf(stderr, "spsc: got %u, expected %u\n", v, expect); failures++; return NULL; }
        expect++;
        singles++;
    }
    while (expect <= SPSC_ITEMS) {
        len = ars_spsc_len(ring);        /* exact on this side */
        if (len > max_len_seen) max_len_seen = len;
        n = ars_spsc_pop_n(ring, batch, 256);
        if (!n) { sched_yield(); continue; }
        batches++;
        for (i = 0; i < n; i++, expect++)
            if (batch[i] != expect) {
                fprintf(stderr, "spsc: got %u, expected %u\n", batch[i], expect);
                failures++;
                return NULL;
            }
    }
    printf("  consumer: %lu single pops, then %lu pop_n calls; all %u values in order\n",
           (unsigned long)singles, (unsigned long)batches, SPSC_ITEMS);
    return NULL;
}

static void spsc_demo(void) {
    /* each cell: a sequence word and the element, rounded to a word */
    static size_t small_buf[ARS_SPSC_BUFFER_SIZE(sizeof(uint32_t), 8) / sizeof(size_t)];
    static const uint32_t ten[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
    uint32_t out[3];
    ars_spsc small;
    size_t moved;
    pthread_t p, c;

    printf("== SPSC over caller memory (cap 8)\n");
    CHECK(ars_spsc_init(&small, sizeof(uint32_t), 6, small_buf, sizeof small_buf) == ARS_EINVAL);   /* cap: a power of two */
    CHECK(ars_spsc_init(&small, sizeof(uint32_t), 8, small_buf, sizeof small_buf / 2) == ARS_EINVAL); /* too small */
    CHECK(ars_spsc_init(&small, sizeof(uint32_t), 8, small_buf, sizeof small_buf) == 0);
    moved = ars_spsc_push_n(&small, ten, 10);
    printf("  push_n of 10: %lu moved, len %lu\n", (unsigned long)moved, (unsigned long)ars_spsc_len(&small));
    CHECK(moved == 8 && ars_spsc_len(&small) == 8);
    CHECK(ars_spsc_push(&small, &ten[9]) == ARS_EAGAIN);
    moved = ars_spsc_pop_n(&small, out, 3);
    printf("  pop_n of 3: %u %u %u, len %lu\n", out[0], out[1], out[2], (unsigned long)ars_spsc_len(&small));
    CHECK(moved == 3 && out[0] == 1 && out[2] == 3 && ars_spsc_len(&small) == 5);
    /* nothing to destroy: the memory is ours (ars_spsc_destroy would do nothing) */

    printf("== SPSC between two threads (cap 1024, %u values)\n", SPSC_ITEMS);
    if (ars_spsc_create(&ring, sizeof(uint32_t), 1024, NULL)) { fprintf(stderr, "spsc_create failed\n"); failures++; return; }
    pthread_create(&c, NULL, spsc_consumer, NULL);
    pthread_create(&p, NULL, spsc_producer, NULL);
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    printf("  most values waiting in the ring at once (seen by the consumer): %lu; left: %lu\n",
           (unsigned long)max_len_seen, (unsigned long)ars_spsc_len(ring));
    CHECK(ars_spsc_len(ring) == 0);
    ars_spsc_destroy(ring);
}

/* ---- MPMC ------------------------------------------------------------- */

#define PRODUCERS 2
#define CONSUMERS 2
#define PER_PRODUCER 200000u
#define MPMC_CAP 256
#define MPMC_BATCH 32

typedef struct item { uint32_t producer, seq; } item;

/* a caller buffer for the cells, aligned like size_t */
static size_t mpmc_cells[ARS_MPMC_BUFFER_SIZE(sizeof(item), MPMC_CAP) / sizeof(size_t)];
static ars_mpmc mq;

static pthread_mutex_t done_mu = PTHREAD_MUTEX_INITIALIZER;
static int producers_done;

typedef struct tally { uint64_t count, sum, hash_sum; size_t batches, max_len; } tally;

/* a value's contribution to the checksum: a duplicate or a loss changes it */
static uint64_t mix(const item *it) {
    uint64_t x = ((uint64_t)it->producer << 32 | it->seq) * 0x9E3779B97F4A7C15ull;
    return x ^ (x >> 29);
}

static void *mpmc_producer(void *arg) {
    uint32_t me = (uint32_t)(uintptr_t)arg, next = 1;
    item batch[MPMC_BATCH];
    size_t want = 0, off = 0;           /* batch[off..want) not pushed yet */
    while (next <= PER_PRODUCER || off < want) {
        size_t moved;
        if (off == want) {               /* refill the batch */
            for (want = 0; want < MPMC_BATCH && next <= PER_PRODUCER; want++, next++) {
                batch[want].producer = me;
                batch[want].seq = next;
            }
            off = 0;
        }
        moved = ars_mpmc_push_n(&mq, batch + off, want - off);
        if (!moved) sched_yield();      /* full */
        off += moved;
    }
    return NULL;
}

static void *mpmc_consumer(void *arg) {
    tally *t = (tally *)arg;
    item batch[MPMC_BATCH];
    for (;;) {
        size_t i, n, len;
        int done;
        pthread_mutex_lock(&done_mu);
        done = producers_done;          /* read before the pop: then empty means finished */
        pthread_mutex_unlock(&done_mu);
        len = ars_mpmc_len(&mq);
        if (len > t->max_len) t->max_len = len;
        n = ars_mpmc_pop_n(&mq, batch, MPMC_BATCH);
        if (!n) {
            if (done) break;
            sched_yield();
            continue;
        }
        t->batches++;
        for (i = 0; i < n; i++) {
            t->count++;
            t->sum += batch[i].seq;
            t->hash_sum += mix(&batch[i]);
        }
    }
    return NULL;
}

static void mpmc_demo(void) {
    pthread_t prod[PRODUCERS], cons[CONSUMERS];
    tally tallies[CONSUMERS] = { { 0, 0, 0, 0, 0 } };
    uint64_t count = 0, sum = 0, hash_sum = 0, want_hash = 0;
    uint32_t p, s;
    int i;

    printf("== MPMC over caller memory (cap %d, %lu bytes): %d producers, %d consumers, batches of %d\n",
           MPMC_CAP, (unsigned long)sizeof mpmc_cells, PRODUCERS, CONSUMERS, MPMC_BATCH);
    CHECK(ars_mpmc_init(&mq, sizeof(item), 3, mpmc_cells) == ARS_EINVAL);        /* cap: a power of two >= 2 */
    if (ars_mpmc_init(&mq, sizeof(item), MPMC_CAP, mpmc_cells)) { fprintf(stderr, "mpmc_init failed\n"); failures++; return; }
    for (i = 0; i < CONSUMERS; i++) pthread_create(&cons[i], NULL, mpmc_consumer, &tallies[i]);
    for (i = 0; i < PRODUCERS; i++) pthread_create(&prod[i], NULL, mpmc_producer, (void *)(uintptr_t)i);
    for (i = 0; i < PRODUCERS; i++) pthread_join(prod[i], NULL);
    pthread_mutex_lock(&done_mu);
    producers_done = 1;
    pthread_mutex_unlock(&done_mu);
    for (i = 0; i < CONSUMERS; i++) pthread_join(cons[i], NULL);

    for (i = 0; i < CONSUMERS; i++) {
        printf("  consumer %d: %lu items in %lu pop_n calls (ars_mpmc_len peaked at %lu)\n", i,
               (unsigned long)tallies[i].count, (unsigned long)tallies[i].batches,
               (unsigned long)tallies[i].max_len);
        count += tallies[i].count;
        sum += tallies[i].sum;
        hash_sum += tallies[i].hash_sum;
    }
    for (p = 0; p < PRODUCERS; p++)
        for (s = 1; s <= PER_PRODUCER; s++) {
            item it;
            it.producer = p;
            it.seq = s;
            want_hash += mix(&it);
        }
    printf("  (the split between the consumers is up to the OS scheduler)\n");
    printf("  total %lu of %lu, checksum %s, left in the queue: %lu\n", (unsigned long)count,
           (unsigned long)PRODUCERS * PER_PRODUCER,
           sum == (uint64_t)PRODUCERS * PER_PRODUCER * (PER_PRODUCER + 1) / 2 && hash_sum == want_hash
               ? "matches (each item exactly once)" : "DIFFERS",
           (unsigned long)ars_mpmc_len(&mq));
    CHECK(count == (uint64_t)PRODUCERS * PER_PRODUCER);
    CHECK(sum == (uint64_t)PRODUCERS * PER_PRODUCER * (PER_PRODUCER + 1) / 2);
    CHECK(hash_sum == want_hash);
    CHECK(ars_mpmc_len(&mq) == 0);
    /* nothing to free: the cells are ours (ars_mpmc_destroy is for ars_mpmc_create) */
}

/* ---- a channel around a close ----------------------------------------- */

static void chan_demo(void) {
    ars_chan *ch;
    int v = 0, i, r;

    printf("== a buffered channel, no coroutines: try_send/try_recv around a close\n");
    if (ars_chan_create(&ch, sizeof(int), 4, NULL)) { fprintf(stderr, "chan_create failed\n"); failures++; return; }
    r = ars_chan_try_recv(ch, &v);
    printf("  empty: len %lu of cap %lu, try_recv: %s\n", (unsigned long)ars_chan_len(ch),
           (unsigned long)ars_chan_cap(ch), ars_strerror(r));
    CHECK(r == ARS_EAGAIN && ars_chan_cap(ch) == 4 && ars_chan_len(ch) == 0);
    for (i = 1; i <= 5; i++) {
        r = ars_chan_try_send(ch, &i);
        if (r) printf("  try_send %d: %s (len %lu = cap)\n", i, ars_strerror(r), (unsigned long)ars_chan_len(ch));
    }
    CHECK(ars_chan_len(ch) == 4);
    r = ars_chan_try_recv(ch, &v);
    printf("  try_recv: %d, len now %lu\n", v, (unsigned long)ars_chan_len(ch));
    CHECK(r == 0 && v == 1 && ars_chan_len(ch) == 3);

    printf("  closed? %d", ars_chan_closed(ch));
    r = ars_chan_close(ch);
    printf("; close: %s; closed? %d\n", ars_strerror(r), ars_chan_closed(ch));
    CHECK(r == 0 && ars_chan_closed(ch) == 1);
    r = ars_chan_try_send(ch, &i);
    printf("  try_send after close: %s\n", ars_strerror(r));
    CHECK(r == ARS_ECLOSED);
    printf("  draining:");
    for (i = 2; (r = ars_chan_try_recv(ch, &v)) == 0; i++) {
        printf(" %d", v);
        CHECK(v == i);
    }
    printf(", then try_recv: %s; len %lu\n", ars_strerror(r), (unsigned long)ars_chan_len(ch));
    CHECK(r == ARS_ECLOSED && i == 5 && ars_chan_len(ch) == 0);
    r = ars_chan_close(ch);
    printf("  a second close: %s\n", ars_strerror(r));
    CHECK(r == ARS_ECLOSED);
    ars_chan_destroy(ch);
}

int main(void) {
    spsc_demo();
    mpmc_demo();
    chan_demo();
    if (failures) { fprintf(stderr, "%d check(s) failed\n", failures); return 1; }
    return 0;
}
