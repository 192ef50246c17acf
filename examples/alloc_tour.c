/* alloc_tour.c - a tour of arsenal_alloc.h: scratch arenas with savepoints,
   fixed and growing pools, a heap over two RAM banks, a lock-free pool shared
   by threads, and one piece of code running on every allocator
   ars-build-libs: -lpthread

   Build and run (from the repository root):
       cc -std=c99 -D_DEFAULT_SOURCE -O2 -o alloc_tour examples/alloc_tour.c -lpthread && ./alloc_tour

   Six sections, each a small use a server or a firmware image would have:
     1. arena    per-request scratch in one static buffer (ars_arena_init):
                 a savepoint (ars_arena_mark) before each request and
                 ars_arena_rewind after it, a nested savepoint for a
                 temporary log line, a cache-line aligned reply buffer
                 (ars_arena_alloc_aligned); data allocated before the
                 savepoint survives every rewind.
     2. pool     a fixed table of connection objects (ars_pool_init over a
                 static array): a burst of clients beyond its capacity is
                 refused with NULL, closed slots are reused,
                 ars_pool_get_stats reports used/peak/capacity.
     3. grow     a binary tree of 1000 nodes from a pool that grows by
                 chunks (ars_pool_init_grow) taken from ars_malloc_allocator
                 through a counting wrapper; ars_pool_deinit gives every
                 chunk back.
     4. heap     one heap over two static RAM banks (ars_heap_init +
                 ars_heap_add_region): 64-byte aligned DMA buffers
                 (ars_heap_alloc_aligned), a frame buffer only the big bank
                 can hold, ars_heap_usable_size, message churn with the
                 free-block cache (ars_heap_set_cache) emptied by
                 ars_heap_trim, then ars_heap_deinit and the banks reused.
     5. pool_mt  a lock-free message pool in memory sized by
                 ars_pool_mt_need (ars_pool_mt_init), hammered by 4 threads
                 that allocate, fill, check and free; afterwards every object
                 is back (ars_pool_mt_capacity of them, no more).
     6. adapters library code that knows only ars_allocator runs unchanged
                 on ars_malloc_allocator, ars_arena_allocator,
                 ars_pool_allocator, ars_pool_mt_allocator (its pool from
                 ars_pool_mt_init_alloc over a heap) and ars_heap_allocator,
                 and leaves each of them as it found it.
   Every result is checked: the exit status is 0 when everything behaved as
   documented, otherwise 1 with the reason on stderr.
*/
#define ARSENAL_ALLOC_IMPLEMENTATION
#include "../arsenal_alloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- checking ---- */
static void die(const char *what, long got) {
    fprintf(stderr, "alloc_tour: %s (got %ld)\n", what, got);
    exit(1);
}
#define CHECK(cond, what, got) do { if (!(cond)) die(what, (long)(got)); } while (0)
#define ALIGNED(p, a) (((uintptr_t)(p) & ((uintptr_t)(a) - 1)) == 0)
#define INSIDE(p, buf) ((const unsigned char *)(p) >= (buf) && (const unsigned char *)(p) < (buf) + sizeof(buf))
/* The static buffers that hold 64-byte aligned data are used from their
   first 64-byte boundary (where a linker script would place them), so the
   padding, and every number printed, does not depend on how the compiler
   aligned the arrays. Each has 64 bytes to spare for this. */
static unsigned char *cache_line_start(unsigned char *p) { return p + ((64 - (uintptr_t)p % 64) % 64); }

/* A wrapper allocator that counts what is outstanding at its parent, so a
   section can prove that a _deinit gave everything back. */
typedef struct counting { ars_allocator inner; size_t blocks, bytes; } counting;
static void *counting_alloc(void *ctx, size_t size, size_t align) {
    counting *c = (counting *)ctx;
    void *p = c->inner.alloc(c->inner.ctx, size, align);
    if (p) { c->blocks++; c->bytes += size; }
    return p;
}
static void counting_free(void *ctx, void *ptr, size_t size) {
    counting *c = (counting *)ctx;
    if (!ptr) return;
    c->blocks--;
    c->bytes -= size;
    c->inner.free(c->inner.ctx, ptr, size);
}
static ars_allocator counting_allocator(counting *c, ars_allocator inner) {
    ars_allocator a;
    c->inner = inner;
    c->blocks = c->bytes = 0;
    a.alloc = counting_alloc;
    a.free = counting_free;
    a.ctx = c;
    return a;
}

/* ---- 1. arena: per-request scratch with savepoints ---- */

#define SCRATCH_SIZE (8 * 1024)
static unsigned char scratch_mem[SCRATCH_SIZE + 64];

typedef struct param { const char *key, *val; } param;

static char *arena_strdup(ars_arena *a, const char *s) {
    size_t n = strlen(s) + 1;
    char *d = (char *)ars_arena_alloc(a, n);
    if (d) memcpy(d, s, n);
    return d;
}

/* Parses "METHOD /path?k=v&k=v" with scratch memory only and writes a reply
   line into out. Returns the number of parameters. */
static int handle_request(ars_arena *a, const char *server, const char *req, char *out, size_t cap) {
    char *copy = arena_strdup(a, req), *s, *reply, *log;
    param *params = (param *)ars_arena_calloc(a, 16, sizeof *params);
    int n = 0;
    ars_arena_pos before_log;
    CHECK(copy && params, "scratch allocation failed", 0);
    s = strchr(copy, '?');
    if (s) {
        *s++ = 0;
        while (*s && n < 16) {
            char *amp = strchr(s, '&'), *eq;
            if (amp) *amp = 0;
            eq = strchr(s, '=');
            if (eq) *eq = 0;
            params[n].key = s;
            params[n].val = eq ? eq + 1 : "";
            n++;
            s = amp ? amp + 1 : s + strlen(s);
        }
    }
    /* A temporary log line under a nested savepoint: gone right after. */
    before_log = ars_arena_mark(a);
    log = (char *)ars_arena_alloc(a, 256);
    CHECK(log != NULL, "log line allocation failed", 0);
    snprintf(log, 256, "%s: %s with %d parameter(s)", server, copy, n);
    ars_arena_rewind(a, before_log);
    CHECK(ars_arena_alloc(a, 256) == log, "a nested rewind should give the log line's bytes back", 0);

    /* The reply is built in a 64-byte aligned buffer (as for a DMA or SIMD
       copy out); any power of two works. */
    reply = (char *)ars_arena_alloc_aligned(a, 192, 64);
    CHECK(reply != NULL && ALIGNED(reply, 64), "ars_arena_alloc_aligned(192, 64)", (uintptr_t)reply & 63);
    snprintf(reply, 192, "200 %s %s", copy, n ? params[n - 1].key : "-");
    snprintf(out, cap, "%s", reply);
    return n;
}

static void section_arena(void) {
    static const char *requests[] = {
        "GET /search?q=arena&page=2&lang=en",
        "GET /status",
        "POST /upload?name=log.txt&size=4096&compress=lz4&tag=a&tag=b",
        "GET /search?q=pool",
    };
    static const int expect_params[] = { 3, 0, 5, 1 };
    ars_arena ar;
    ars_arena_stats st;
    const char *server;
    size_t base;
    void *first_scratch = NULL;
    char reply[200];
    int i;

    ars_arena_init(&ar, cache_line_start(scratch_mem), SCRATCH_SIZE);
    server = arena_strdup(&ar, "tour/1.0");   /* long-lived: before any savepoint */
    CHECK(server != NULL, "arena_strdup", 0);
    ars_arena_get_stats(&ar, &st);
    base = st.used;

    for (i = 0; i < 400; i++) {
        ars_arena_pos pos = ars_arena_mark(&ar);
        int n;
        void *probe = ars_arena_alloc(&ar, 1);        /* where this request's scratch begins */
        ars_arena_rewind(&ar, pos);
        if (!first_scratch) first_scratch = probe;
        CHECK(probe == first_scratch, "each request should reuse the same scratch bytes", i);
        n = handle_request(&ar, server, requests[i % 4], reply, sizeof reply);
        CHECK(n == expect_params[i % 4], "wrong parameter count", n);
        if (i < 4) printf("[arena]    request %d -> \"%s\"\n", i, reply);
        ars_arena_rewind(&ar, pos);
        ars_arena_get_stats(&ar, &st);
        CHECK(st.used == base, "used after rewind should be back to the long-lived bytes", st.used);
    }
    CHECK(strcmp(server, "tour/1.0") == 0, "data before the savepoint should survive", 0);
    CHECK(ars_arena_alloc(&ar, SCRATCH_SIZE) == NULL, "a fixed arena should refuse more than it holds", 0);
    CHECK(ars_arena_alloc_aligned(&ar, 8, 48) == NULL, "alignment 48 is not a power of two", 0);
    ars_arena_get_stats(&ar, &st);
    CHECK(st.capacity == SCRATCH_SIZE && st.used == base && st.peak > base && st.peak < st.capacity,
          "arena stats", st.peak);
    printf("[arena]    400 requests in a %d-byte buffer: peak %zu bytes, %zu after every rewind\n",
           SCRATCH_SIZE, st.peak, st.used);
    ars_arena_deinit(&ar);
}

/* ---- 2. pool: a fixed table of connection objects ---- */

typedef struct conn {            /* 64 bytes on 32- and 64-bit targets */
    uint32_t id, state;
    uint64_t bytes_in, bytes_out;
    char peer[40];
} conn;
#define CONN_MAX 16
/* + 16: room to align the first object; the capacity is still CONN_MAX */
static unsigned char conn_mem[CONN_MAX * sizeof(conn) + 16];

static void section_pool(void) {
    ars_pool pool;
    ars_pool_stats st;
    conn *live[CONN_MAX + 8];
    int accepted = 0, refused = 0, i, open = 0;
    uint32_t next_id = 1;

    CHECK(ars_pool_init(&pool, sizeof(conn), 0, conn_mem, sizeof conn_mem) == 0, "ars_pool_init", 0);
    ars_pool_get_stats(&pool, &st);
    CHECK(st.capacity == CONN_MAX && st.object_size == sizeof(conn), "pool geometry", st.capacity);

    /* a burst of 20 clients: the table holds 16 */
    for (i = 0; i < 20; i++) {
        conn *c = (conn *)ars_pool_alloc(&pool);
        if (!c) { refused++; continue; }
        memset(c, 0, sizeof *c);
        c->id = next_id++;
        snprintf(c->peer, sizeof c->peer, "10.0.0.%d:%d", 10 + i, 40000 + i);
        live[open++] = c;
        accepted++;
    }
    CHECK(accepted == CONN_MAX && refused == 4, "a burst of 20 should fill the table and refuse 4", refused);

    /* clients with even ids hang up */
    for (i = 0; i < open;) {
        if (live[i]->id % 2 == 0) {
            ars_pool_free(&pool, live[i]);
            live[i] = live[--open];
        } else {
            i++;
        }
    }
    ars_pool_get_stats(&pool, &st);
    CHECK(st.used == 8 && st.peak == CONN_MAX, "after 8 hang-ups", st.used);

    /* six new clients take freed slots; nothing outside the table is used */
    for (i = 0; i < 6; i++) {
        conn *c = (conn *)ars_pool_alloc(&pool);
        CHECK(c != NULL && INSIDE(c, conn_mem), "a freed slot should be reused", i);
        memset(c, 0, sizeof *c);
        c->id = next_id++;
        live[open++] = c;
    }
    for (i = 0; i < open; i++) live[i]->bytes_in += 512u * live[i]->id;   /* every object writable */
    ars_pool_get_stats(&pool, &st);
    CHECK(st.used == 14 && st.peak == CONN_MAX && st.capacity == CONN_MAX && st.chunks == 1,
          "pool stats after reuse", st.used);
    printf("[pool]     %d of 20 clients accepted, 8 hung up, 6 more served from their slots: "
           "used %zu, peak %zu of %zu (%zu-byte objects)\n",
           accepted, st.used, st.peak, st.capacity, st.object_size);

    while (open) ars_pool_free(&pool, live[--open]);
    ars_pool_get_stats(&pool, &st);
    CHECK(st.used == 0, "all connections closed", st.used);
    ars_pool_deinit(&pool);
    memset(conn_mem, 0, sizeof conn_mem);    /* plain memory again after deinit */
}

/* ---- 3. grow: tree nodes from a pool that grows by chunks ---- */

typedef struct node { struct node *left, *right; uint32_t key; } node;

static node *tree_insert(ars_pool *p, node *root, uint32_t key) {
    node **at = &root, *n;
    while (*at) at = key < (*at)->key ? &(*at)->left : &(*at)->right;
    n = (node *)ars_pool_alloc(p);
    CHECK(n != NULL, "a growing pool should not run out", key);
    n->left = n->right = NULL;
    n->key = key;
    *at = n;
    return root;
}
/* In-order walk: checks the keys come out sorted; returns their count. */
static size_t tree_walk(const node *n, long *last) {
    size_t c;
    if (!n) return 0;
    c = tree_walk(n->left, last);
    CHECK((long)n->key > *last, "tree keys out of order", n->key);
    *last = (long)n->key;
    return c + 1 + tree_walk(n->right, last);
}
static void tree_free(ars_pool *p, node *n) {
    if (!n) return;
    tree_free(p, n->left);
    tree_free(p, n->right);
    ars_pool_free(p, n);
}

static void shuffle(uint32_t *v, uint32_t n, uint32_t seed) {
    uint32_t i, s = seed;
    for (i = 0; i < n; i++) v[i] = i;
    for (i = n - 1; i > 0; i--) {
        uint32_t j, t;
        s ^= s << 13; s ^= s >> 17; s ^= s << 5;
        j = s % (i + 1);
        t = v[i]; v[i] = v[j]; v[j] = t;
    }
}

static void section_pool_grow(void) {
    static uint32_t keys[1000];
    counting cnt;
    ars_allocator from_malloc = counting_allocator(&cnt, ars_malloc_allocator());
    ars_pool pool;
    ars_pool_stats st;
    node *root = NULL;
    long last = -1;
    uint32_t i;

    CHECK(ars_pool_init_grow(&pool, sizeof(node), 0, 32, &from_malloc) == 0, "ars_pool_init_grow", 0);
    ars_pool_get_stats(&pool, &st);
    CHECK(st.capacity == 0 && cnt.blocks == 0, "a growing pool takes nothing before the first alloc", st.capacity);

    shuffle(keys, 1000, 2463534242u);
    for (i = 0; i < 1000; i++) root = tree_insert(&pool, root, keys[i]);
    CHECK(tree_walk(root, &last) == 1000 && last == 999, "tree of 1000 keys", last);
    ars_pool_get_stats(&pool, &st);
    CHECK(st.used == 1000 && st.peak == 1000 && st.chunks == 32 && st.capacity == 1024 && cnt.blocks == 32,
          "growing pool stats", st.chunks);
    printf("[grow]     1000-node tree: %zu chunks of 32 nodes (%zu bytes from malloc), peak %zu\n",
           st.chunks, cnt.bytes, st.peak);

    /* rebuild with half the keys: freed nodes are reused, no new chunk */
    tree_free(&pool, root);
    root = NULL;
    for (i = 0; i < 500; i++) root = tree_insert(&pool, root, keys[i] * 2);
    last = -1;
    CHECK(tree_walk(root, &last) == 500, "rebuilt tree", 0);
    ars_pool_get_stats(&pool, &st);
    CHECK(st.used == 500 && st.chunks == 32 && cnt.blocks == 32, "a rebuild should take no new chunk", st.chunks);
    tree_free(&pool, root);

    ars_pool_deinit(&pool);
    CHECK(cnt.blocks == 0 && cnt.bytes == 0, "ars_pool_deinit should return every chunk", cnt.blocks);
    printf("[grow]     rebuilt with 500 nodes in the same chunks; deinit returned every chunk\n");
}

/* ---- 4. heap: one malloc over two RAM banks ---- */

/* Two banks, e.g. fast SRAM and external RAM. */
#define BANK_A_SIZE (24 * 1024)
#define BANK_B_SIZE (64 * 1024)
static unsigned char bank_a[BANK_A_SIZE + 64];
static unsigned char bank_b[BANK_B_SIZE + 64];
static unsigned char tiny_bank[16];

static void section_heap(void) {
    static const size_t msg_sizes[] = { 24, 40, 72, 136, 264, 40, 24, 72 };
    ars_heap heap;
    ars_heap_stats st;
    void *dma[4], *frame, *ring[16] = { 0 };
    char *line;
    size_t usable, cached_before_trim;
    int i;

    CHECK(ars_heap_init(&heap, cache_line_start(bank_a), BANK_A_SIZE) == 0, "ars_heap_init", 0);
    CHECK(ars_heap_add_region(&heap, cache_line_start(bank_b), BANK_B_SIZE) == 0, "ars_heap_add_region", 0);
    CHECK(ars_heap_add_region(&heap, tiny_bank, sizeof tiny_bank) == ARS_EINVAL,
          "a 16-byte region is too small to add", 0);
    ars_heap_get_stats(&heap, &st);
    CHECK(st.total > BANK_B_SIZE && st.total < BANK_A_SIZE + BANK_B_SIZE, "heap total", st.total);
    printf("[heap]     two banks (%d + %d bytes): %zu bytes of blocks\n", BANK_A_SIZE, BANK_B_SIZE, st.total);

    /* DMA descriptors want 64-byte alignment; the heap's own is 8 */
    for (i = 0; i < 4; i++) {
        dma[i] = ars_heap_alloc_aligned(&heap, 1536, 64);
        CHECK(dma[i] != NULL && ALIGNED(dma[i], 64), "ars_heap_alloc_aligned(1536, 64)", i);
        CHECK(ars_heap_usable_size(&heap, dma[i]) >= 1536, "usable size of a DMA buffer", i);
        memset(dma[i], 0xA5, 1536);
    }
    CHECK(ars_heap_alloc_aligned(&heap, 64, 24) == NULL, "alignment 24 is not a power of two", 0);

    /* 40 KiB fits in bank B only */
    frame = ars_heap_alloc(&heap, 40 * 1024);
    CHECK(frame != NULL && INSIDE(frame, bank_b), "the frame buffer should come from bank B", 0);
    memset(frame, 0, 40 * 1024);
    CHECK(ars_heap_alloc(&heap, 40 * 1024) == NULL, "no second 40 KiB frame fits", 0);

    /* A block often has a few bytes more than asked for. ASan builds
       unpoison only the bytes asked for, so claim the rest with realloc to
       the usable size: in place, nothing copied. */
    line = (char *)ars_heap_alloc(&heap, 90);
    CHECK(line != NULL, "ars_heap_alloc(90)", 0);
    usable = ars_heap_usable_size(&heap, line);
    CHECK(usable >= 90 && usable < 90 + 16, "ars_heap_usable_size(90-byte block)", usable);
    CHECK(ars_heap_realloc(&heap, line, usable) == line, "a realloc to the usable size stays in place", 0);
    memset(line, '=', usable - 1);
    line[usable - 1] = 0;
    CHECK(strlen(line) == usable - 1, "the whole usable size holds the line", strlen(line));
    printf("[heap]     4 DMA buffers 64-aligned, a 40 KiB frame in bank B, a 90-byte request has %zu usable\n",
           usable);

    /* Message churn with the free-block cache on: small freed blocks stay
       whole and go straight to the next request of their size. */
    ars_heap_set_cache(&heap, 16 * 1024, 8);
    {
        void *p = ars_heap_alloc(&heap, 200), *q;
        CHECK(p != NULL, "ars_heap_alloc(200)", 0);
        ars_heap_free(&heap, p);
        q = ars_heap_alloc(&heap, 200);
        CHECK(q == p, "the cache should hand the same block back", 0);
        ars_heap_free(&heap, q);
    }
    for (i = 0; i < 4000; i++) {
        int k = i % 16;
        size_t n = msg_sizes[(i * 7) % 8];
        ars_heap_free(&heap, ring[k]);
        ring[k] = ars_heap_alloc(&heap, n);
        CHECK(ring[k] != NULL, "churn allocation", i);
        memset(ring[k], (int)(i & 0xFF), n);
    }
    for (i = 0; i < 16; i++) ars_heap_free(&heap, ring[i]);
    ars_heap_get_stats(&heap, &st);
    cached_before_trim = st.cached;
    CHECK(st.cached > 0 && st.cached <= 16 * 1024, "freed messages should sit in the cache", st.cached);
    CHECK(ars_heap_check(&heap) == 0, "ars_heap_check with a full cache", 0);
    ars_heap_trim(&heap);
    ars_heap_get_stats(&heap, &st);
    CHECK(st.cached == 0, "ars_heap_trim should empty the cache", st.cached);
    printf("[heap]     4000 messages with the cache on: %zu bytes cached at the end, %zu after trim\n",
           cached_before_trim, st.cached);

    for (i = 0; i < 4; i++) ars_heap_free(&heap, dma[i]);
    ars_heap_free(&heap, frame);
    ars_heap_free(&heap, line);
    ars_heap_get_stats(&heap, &st);
    CHECK(st.used == 0 && st.used_blocks == 0 && st.allocs == st.frees, "everything freed", st.used_blocks);
    CHECK(ars_heap_check(&heap) == 0, "ars_heap_check at the end", 0);
    printf("[heap]     %zu allocations, %zu frees, peak %zu bytes, largest free block %zu\n",
           st.allocs, st.frees, st.peak_used, st.largest_free);

    ars_heap_deinit(&heap);
    memset(bank_a, 0, sizeof bank_a);     /* the banks are plain memory again */
    memset(bank_b, 0, sizeof bank_b);
}

/* ---- 5. pool_mt: a lock-free message pool shared by threads ---- */

typedef struct msg {             /* 64 bytes: one cache line each */
    uint32_t from, seq;
    uint64_t stamp;
    unsigned char body[48];
} msg;
#define MT_THREADS 4
#define MT_HOLD 8                /* messages each thread keeps in flight */
#define MT_COUNT (MT_THREADS * MT_HOLD)
#define MT_ROUNDS 20000

static unsigned char mt_mem[4096];
static ars_pool_mt msg_pool;

typedef struct worker { uint32_t id; long sent, bad; } worker;

static void msg_fill(msg *m, uint32_t from, uint32_t seq) {
    m->from = from;
    m->seq = seq;
    m->stamp = ((uint64_t)from << 32) | seq;
    memset(m->body, (int)((from * 31u + seq) & 0xFF), sizeof m->body);
}
static int msg_ok(const msg *m, uint32_t from, uint32_t seq) {
    size_t j;
    if (m->from != from || m->seq != seq || m->stamp != (((uint64_t)from << 32) | seq)) return 0;
    for (j = 0; j < sizeof m->body; j++)
        if (m->body[j] != (unsigned char)((from * 31u + seq) & 0xFF)) return 0;
    return 1;
}

static void *mt_worker(void *arg) {
    worker *w = (worker *)arg;
    msg *held[MT_HOLD] = { 0 };
    uint32_t seq[MT_HOLD] = { 0 }, r;
    int k;
    for (r = 1; r <= MT_ROUNDS; r++) {
        k = (int)(r % MT_HOLD);
        if (held[k]) {
            if (!msg_ok(held[k], w->id, seq[k])) w->bad++;
            ars_pool_mt_free(&msg_pool, held[k]);
        }
        held[k] = (msg *)ars_pool_mt_alloc(&msg_pool);
        if (!held[k]) { w->bad++; continue; }   /* never: MT_COUNT objects suffice */
        seq[k] = r;
        msg_fill(held[k], w->id, r);
        w->sent++;
    }
    for (k = 0; k < MT_HOLD; k++)
        if (held[k]) {
            if (!msg_ok(held[k], w->id, seq[k])) w->bad++;
            ars_pool_mt_free(&msg_pool, held[k]);
        }
    return NULL;
}

static void section_pool_mt(void) {
    size_t need = ars_pool_mt_need(sizeof(msg), 64, MT_COUNT), cap, n = 0, i, j;
    pthread_t th[MT_THREADS];
    worker w[MT_THREADS];
    void *all[MT_COUNT + 8];
    long sent = 0;

    CHECK(need > MT_COUNT * sizeof(msg) && need <= sizeof mt_mem - 64, "ars_pool_mt_need", need);
    CHECK(ars_pool_mt_init(&msg_pool, sizeof(msg), 64, cache_line_start(mt_mem), need) == 0, "ars_pool_mt_init", 0);
    cap = ars_pool_mt_capacity(&msg_pool);
    CHECK(cap >= MT_COUNT && cap < MT_COUNT + 8, "ars_pool_mt_capacity", cap);

    for (i = 0; i < MT_THREADS; i++) {
        w[i].id = (uint32_t)i + 1;
        w[i].sent = w[i].bad = 0;
        CHECK(pthread_create(&th[i], NULL, mt_worker, &w[i]) == 0, "pthread_create", i);
    }
    for (i = 0; i < MT_THREADS; i++) pthread_join(th[i], NULL);
    for (i = 0; i < MT_THREADS; i++) {
        CHECK(w[i].bad == 0, "a message was lost, corrupted or shared", w[i].bad);
        sent += w[i].sent;
    }
    CHECK(sent == (long)MT_THREADS * MT_ROUNDS, "messages sent", sent);

    /* every object is back, each exactly once, all 64-byte aligned */
    for (;;) {
        void *o = ars_pool_mt_alloc(&msg_pool);
        if (!o) break;
        CHECK(n < cap && ALIGNED(o, 64) && INSIDE(o, mt_mem), "object after the threads", n);
        for (j = 0; j < n; j++) CHECK(all[j] != o, "an object handed out twice", n);
        all[n++] = o;
    }
    CHECK(n == cap, "objects back in the pool", n);
    while (n) ars_pool_mt_free(&msg_pool, all[--n]);
    printf("[pool_mt]  %d threads sent %ld messages through %zu pooled 64-byte objects (%zu bytes of memory)\n",
           MT_THREADS, sent, cap, need);
    ars_pool_mt_deinit(&msg_pool);
    memset(mt_mem, 0, sizeof mt_mem);
}

/* ---- 6. adapters: one piece of code, every allocator ---- */

typedef struct job { struct job *next; uint32_t id, cost; } job;
struct job_align_probe { char c; job j; };
#define JOB_ALIGN offsetof(struct job_align_probe, j)

/* Library code that knows only ars_allocator: queues n jobs, runs them and
   frees them newest first. Returns the total cost, or -1 if out of memory. */
static long run_jobs(const ars_allocator *al, uint32_t n) {
    job *top = NULL;
    long total = 0;
    uint32_t i;
    for (i = 0; i < n; i++) {
        job *j = (job *)al->alloc(al->ctx, sizeof *j, JOB_ALIGN);
        if (!j) { total = -1; break; }
        j->id = i;
        j->cost = (i * 37u) % 101u;
        j->next = top;
        top = j;
    }
    while (top) {
        job *next = top->next;
        if (total >= 0) total += top->cost;
        al->free(al->ctx, top, sizeof *top);
        top = next;
    }
    return total;
}

static unsigned char adapt_arena_mem[2048];
/* 64 objects: a job's stride is 16 bytes on 32- and 64-bit targets; + 15 to
   align the first one */
static unsigned char adapt_pool_mem[64 * 16 + 15];
static unsigned char adapt_heap_mem[16 * 1024];

static void section_adapters(void) {
    const uint32_t jobs = 50;
    long expect = 0, got;
    uint32_t i;
    counting cnt;
    ars_allocator m = counting_allocator(&cnt, ars_malloc_allocator()), al;
    ars_arena ar;
    ars_arena_stats as;
    ars_pool pool;
    ars_pool_stats ps;
    ars_pool_mt pmt;
    ars_heap heap;
    ars_heap_stats hs;
    void *a, *b;
    size_t used_ab;

    for (i = 0; i < jobs; i++) expect += (long)((i * 37u) % 101u);

    /* malloc, with any power-of-two alignment */
    got = run_jobs(&m, jobs);
    CHECK(got == expect && cnt.blocks == 0, "run_jobs on ars_malloc_allocator", got);
    a = m.alloc(m.ctx, 4096, 4096);
    CHECK(a != NULL && ALIGNED(a, 4096), "a page-aligned block from ars_malloc_allocator", 0);
    m.free(m.ctx, a, 4096);
    CHECK(cnt.blocks == 0, "malloc adapter: all freed", cnt.blocks);
    printf("[adapters] malloc: %ld (a 4096-aligned page too)\n", got);

    /* arena: free() rolls back only the newest allocation, so the LIFO frees
       of run_jobs give everything back */
    ars_arena_init(&ar, adapt_arena_mem, sizeof adapt_arena_mem);
    al = ars_arena_allocator(&ar);
    got = run_jobs(&al, jobs);
    ars_arena_get_stats(&ar, &as);
    CHECK(got == expect && as.used == 0, "run_jobs on ars_arena_allocator", as.used);
    a = al.alloc(al.ctx, 40, 8);
    b = al.alloc(al.ctx, 40, 8);
    CHECK(a && b, "arena adapter alloc", 0);
    ars_arena_get_stats(&ar, &as);
    used_ab = as.used;
    al.free(al.ctx, a, 40);                      /* not the newest: nothing happens */
    ars_arena_get_stats(&ar, &as);
    CHECK(as.used == used_ab, "freeing an older arena block is a no-op", as.used);
    al.free(al.ctx, b, 40);                      /* the newest: rolled back, then a is the newest */
    al.free(al.ctx, a, 40);
    ars_arena_get_stats(&ar, &as);
    CHECK(as.used == 0, "freeing newest first empties the arena", as.used);
    CHECK(run_jobs(&al, 1000) == -1, "1000 jobs do not fit in 2 KiB: -1, not a crash", 0);
    ars_arena_get_stats(&ar, &as);
    CHECK(as.used == 0, "the failed run gave the arena back", as.used);
    printf("[adapters] arena:  %ld (LIFO frees rolled it back to 0 bytes used)\n", expect);
    ars_arena_deinit(&ar);

    /* pool: requests up to the object size */
    CHECK(ars_pool_init(&pool, sizeof(job), 0, adapt_pool_mem, sizeof adapt_pool_mem) == 0, "pool init", 0);
    al = ars_pool_allocator(&pool);
    got = run_jobs(&al, jobs);
    ars_pool_get_stats(&pool, &ps);
    CHECK(got == expect && ps.used == 0 && ps.peak == jobs, "run_jobs on ars_pool_allocator", ps.peak);
    CHECK(al.alloc(al.ctx, ps.object_size + 1, 8) == NULL, "a pool refuses requests above its object size", 0);
    CHECK(run_jobs(&al, (uint32_t)ps.capacity + 1) == -1, "one job more than the pool holds: -1", 0);
    ars_pool_get_stats(&pool, &ps);
    CHECK(ps.used == 0 && ps.peak == ps.capacity, "the failed run gave the pool back", ps.used);
    printf("[adapters] pool:   %ld (%u of %zu objects; one job more than that fails cleanly)\n", expect,
           (unsigned)jobs, ps.capacity);
    ars_pool_deinit(&pool);

    /* pool_mt with its memory from a heap, then the heap itself */
    CHECK(ars_heap_init(&heap, adapt_heap_mem, sizeof adapt_heap_mem) == 0, "heap init", 0);
    al = ars_heap_allocator(&heap);
    CHECK(ars_pool_mt_init_alloc(&pmt, sizeof(job), 0, 64, &al) == 0, "ars_pool_mt_init_alloc", 0);
    ars_heap_get_stats(&heap, &hs);
    CHECK(hs.used_blocks == 1 && hs.used >= ars_pool_mt_need(sizeof(job), 0, 64), "pool_mt memory in the heap",
          hs.used);
    CHECK(ars_pool_mt_capacity(&pmt) >= 64, "pool_mt capacity", ars_pool_mt_capacity(&pmt));
    {
        ars_allocator mt = ars_pool_mt_allocator(&pmt);
        got = run_jobs(&mt, jobs);
        CHECK(got == expect, "run_jobs on ars_pool_mt_allocator", got);
        CHECK(mt.alloc(mt.ctx, 4096, 8) == NULL, "a pool_mt refuses requests above its object size", 0);
    }
    ars_pool_mt_deinit(&pmt);
    ars_heap_get_stats(&heap, &hs);
    CHECK(hs.used_blocks == 0, "ars_pool_mt_deinit should free its memory to the heap", hs.used_blocks);
    printf("[adapters] pool_mt: %ld (its %zu bytes came from the heap and went back)\n",
           expect, ars_pool_mt_need(sizeof(job), 0, 64));

    got = run_jobs(&al, jobs);
    ars_heap_get_stats(&heap, &hs);
    CHECK(got == expect && hs.used_blocks == 0 && ars_heap_check(&heap) == 0, "run_jobs on ars_heap_allocator",
          got);
    printf("[adapters] heap:   %ld (%zu allocations, all freed, check ok)\n", got, hs.allocs);
    ars_heap_deinit(&heap);
}

int main(void) {
    section_arena();
    section_pool();
    section_pool_grow();
    section_heap();
    section_pool_mt();
    section_adapters();
    printf("alloc_tour: all checks passed\n");
    return 0;
}
