/* test_alloc.c - tests for arsenal_alloc.h
   ars-test-libs: -lpthread
   ars-test-legs: native asan tsan valgrind musl cross wine firmware

   Heap: differential random operations against a shadow model (fixed seeds,
   millions of operations natively, ARS_TEST_QUICK scales down), exhaustive
   small-region edge cases, corruption detection. Arena: alignment, nested
   mark/rewind, parent-allocator fault injection (the Nth parent call fails).
   Pool: exact capacity, growth with fault injection, random differential;
   pool_mt: threads hammering one pool (run it under TSan). With ASan, a child
   process shows use-after-free inside a pool / arena / heap is reported.
*/
/* The header's internal checks count here instead of aborting, so a test
   can see a double free caught; test_no_stray_asserts fails the run on any
   count the tests did not expect. */
static int t_asserts;
#define ARSENAL_ASSERT(x) do { if (!(x)) t_asserts++; } while (0)
#define ARSENAL_ALLOC_IMPLEMENTATION
#include "../arsenal_alloc.h"
#include "ars_test.h"

#if !defined(ARS_TEST_FREESTANDING)
#include <string.h>
#define T_HOSTED 1
#if defined(_WIN32)
#include <windows.h>
#define T_WINTHREADS 1
#else
#include <pthread.h>
#include <unistd.h>
#include <sys/wait.h>
#define T_PTHREADS 1
#endif
#endif

#if defined(__SANITIZE_ADDRESS__)
#define T_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define T_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define T_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define T_TSAN 1
#endif
#endif

#if defined(ARS_TEST_FREESTANDING)
#define T_SCALE 1      /* firmware: tiny */
#elif defined(ARS_TEST_QUICK) || defined(T_TSAN)
#define T_SCALE 20
#else
#define T_SCALE 1000
#endif

/* ---------------------------------------------------------------- helpers */

static uint64_t rng_state;
static void rng_seed(uint64_t s) { rng_state = s * 0x9E3779B97F4A7C15ull + 1; }
static uint32_t rng(void) {
    uint64_t x = rng_state;
    x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
    rng_state = x;
    return (uint32_t)((x * 0x2545F4914F6CDD1Dull) >> 32);
}
static uint32_t rng_below(uint32_t n) { return n ? rng() % n : 0; }

static unsigned char pat(uint32_t seed, size_t i) { return (unsigned char)(seed + i * 131u + (i >> 8)); }
static void fill(void *p, size_t n, uint32_t seed) {
    unsigned char *c = (unsigned char *)p;
    size_t i;
    for (i = 0; i < n; i++) c[i] = pat(seed, i);
}
static int same(const void *p, size_t n, uint32_t seed) {
    const unsigned char *c = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < n; i++) if (c[i] != pat(seed, i)) return 0;
    return 1;
}
static int all_zero(const void *p, size_t n) {
    const unsigned char *c = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < n; i++) if (c[i]) return 0;
    return 1;
}

/* [ptr, ptr+size) records: sorted by address, no two may overlap. */
typedef struct span { uintptr_t lo, hi; } span;
static int spans_disjoint(span *s, size_t n) {
    size_t gap, i, j;
    for (gap = n / 2; gap > 0; gap /= 2)      /* shell sort: no libc here */
        for (i = gap; i < n; i++) {
            span t = s[i];
            for (j = i; j >= gap && s[j - gap].lo > t.lo; j -= gap) s[j] = s[j - gap];
            s[j] = t;
        }
    for (i = 1; i < n; i++) if (s[i].lo < s[i - 1].hi) return 0;
    return 1;
}

/* An allocator that fails its Nth call (0 = first) and counts what it holds. */
typedef struct fault_alloc {
    ars_heap heap;
    long calls, fail_at;     /* fail_at < 0: never fail */
    long live; size_t live_bytes;
    int bad_free;            /* free() with a size that was not asked for */
} fault_alloc;
static void *fault_alloc_fn(void *ctx, size_t size, size_t align) {
    fault_alloc *f = (fault_alloc *)ctx;
    void *p;
    if (f->calls++ == f->fail_at) return NULL;
    p = ars_heap_alloc_aligned(&f->heap, size, align);
    if (p) { f->live++; f->live_bytes += size; }
    return p;
}
static void fault_free_fn(void *ctx, void *p, size_t size) {
    fault_alloc *f = (fault_alloc *)ctx;
    if (!p) return;
    if (ars_heap_usable_size(&f->heap, p) < size) f->bad_free = 1;
    f->live--; f->live_bytes -= size;
    ars_heap_free(&f->heap, p);
}
#if defined(ARS_TEST_FREESTANDING)
static unsigned char fault_mem[24 * 1024];
#else
static unsigned char fault_mem[1 << 20];
#endif
static ars_allocator fault_init(fault_alloc *f, long fail_at) {
    ars_allocator a;
    ars_heap_init(&f->heap, fault_mem, sizeof fault_mem);
    f->calls = 0; f->fail_at = fail_at; f->live = 0; f->live_bytes = 0; f->bad_free = 0;
    a.alloc = fault_alloc_fn; a.free = fault_free_fn; a.ctx = f;
    return a;
}

/* ------------------------------------------------------------------- heap */

#if defined(ARS_TEST_FREESTANDING)
#define HEAP_MEM (40 * 1024)
#define SLOTS 64
#else
#define HEAP_MEM (1 << 20)
#define SLOTS 700
#endif
static unsigned char heap_mem[HEAP_MEM + 64];

typedef struct slot { unsigned char *p; size_t n, align; uint32_t seed; } slot;
static slot slots[SLOTS];
static span spans[SLOTS];

static size_t random_size(void) {
    uint32_t r = rng_below(100);
    if (r < 3) return rng_below(9);                       /* tiny, incl. 0 */
    if (r < 70) return 1 + rng_below(256);
    if (r < 95) return 257 + rng_below(HEAP_MEM / 256);
    return 1 + rng_below(HEAP_MEM / 16);
}
static size_t random_align(void) {
    uint32_t r = rng_below(100);
    if (r < 60) return 0;
    return (size_t)1 << rng_below(13);                   /* 1 .. 4096 */
}

/* Validates every live slot and the heap; returns 0 on the first problem. */
static int heap_validate(ars_heap *h, size_t live) {
    size_t i, k = 0, used_req = 0;
    ars_heap_stats st;
    if (!EXPECT_EQ(ars_heap_check(h), 0)) return 0;
    for (i = 0; i < SLOTS; i++) {
        if (!slots[i].p) continue;
        spans[k].lo = (uintptr_t)slots[i].p;
        spans[k].hi = (uintptr_t)slots[i].p + (slots[i].n ? slots[i].n : 1);
        if (!EXPECT((uintptr_t)slots[i].p >= (uintptr_t)heap_mem &&
                    spans[k].hi <= (uintptr_t)heap_mem + sizeof heap_mem)) return 0;
        if (!EXPECT(ars_heap_usable_size(h, slots[i].p) >= slots[i].n)) return 0;
        used_req += slots[i].n;
        k++;
    }
    if (!EXPECT_EQ(k, live)) return 0;
    if (!EXPECT(spans_disjoint(spans, k))) return 0;
    ars_heap_get_stats(h, &st);
    if (!EXPECT_EQ(st.used_blocks, live)) return 0;
    if (!EXPECT_EQ(st.used + st.free + st.cached, st.total)) return 0;
    if (!EXPECT(st.used >= used_req + 4 * live)) return 0;
    if (!EXPECT(st.peak_used >= st.used)) return 0;
    if (!EXPECT_EQ(st.allocs - st.frees, live)) return 0;
    if (!EXPECT(st.largest_free <= st.free)) return 0;
    if (!EXPECT(st.fragmentation <= 100)) return 0;
    return 1;
}

static void heap_random_run(uint64_t seed, long ops, int check_every, size_t cache, unsigned per_class) {
    ars_heap h;
    long step;
    size_t live = 0, i;
    uint32_t gen = 1;
    rng_seed(seed);
    for (i = 0; i < SLOTS; i++) slots[i].p = NULL;
    /* an odd start and length exercise region alignment */
    ASSERT_EQ(ars_heap_init(&h, heap_mem + 3, HEAP_MEM + 57), 0);
    ars_heap_set_cache(&h, cache, per_class);
    for (step = 0; step < ops; step++) {
        slot *s = &slots[rng_below(SLOTS)];
        uint32_t op = rng_below(100);
        if (!s->p) {
            size_t n = random_size(), al = random_align();
            void *p;
            if (op < 10) {                            /* calloc */
                size_t c = 1 + rng_below(8);
                p = ars_heap_calloc(&h, c, n / c);
                n = (n / c) * c;
                al = 0;
                if (p && !EXPECT(all_zero(p, n))) return;
            } else if (op < 40) {
                p = ars_heap_alloc_aligned(&h, n, al);
            } else {
                p = ars_heap_alloc(&h, n);
                al = 0;
            }
            if (p) {
                ASSERT(((uintptr_t)p & 7) == 0);
                if (al) ASSERT(((uintptr_t)p & (al - 1)) == 0);
                s->p = (unsigned char *)p; s->n = n; s->align = al; s->seed = gen++;
                fill(p, n, s->seed);
                live++;
            } else {
                ars_heap_stats st;
                ars_heap_get_stats(&h, &st);
                /* a refusal must be (nearly) genuine: good fit is within a size class */
                ASSERT(st.largest_free < n + n / 16 + (al > 8 ? 2 * al : 0) + 64);
            }
        } else if (op < 30) {                         /* realloc */
            size_t n = random_size();
            void *p;
            if (!EXPECT(same(s->p, s->n, s->seed))) return;
            p = ars_heap_realloc(&h, s->p, n);
            if (n == 0) { ASSERT(p == NULL); s->p = NULL; live--; continue; }
            if (p) {
                size_t keep = n < s->n ? n : s->n;
                ASSERT(same(p, keep, s->seed));
                if (s->align) ASSERT(((uintptr_t)p & (s->align - 1)) == 0);
                s->p = (unsigned char *)p; s->n = n; s->seed = gen++;
                fill(p, n, s->seed);
            } else {
                ASSERT(same(s->p, s->n, s->seed));   /* failed realloc leaves it intact */
            }
        } else {
            if (!EXPECT(same(s->p, s->n, s->seed))) return;
            ars_heap_free(&h, s->p);
            s->p = NULL;
            live--;
        }
        if (step % check_every == 0 && !heap_validate(&h, live)) return;
    }
    ASSERT(heap_validate(&h, live));
    if (cache) {   /* lowering the limit trims */
        ars_heap_set_cache(&h, cache / 2, per_class > 2 ? per_class / 2 : 1);
        ASSERT(heap_validate(&h, live));
    }
    for (i = 0; i < SLOTS; i++) {
        if (!slots[i].p) continue;
        EXPECT(same(slots[i].p, slots[i].n, slots[i].seed));
        ars_heap_free(&h, slots[i].p);
        slots[i].p = NULL;
    }
    {
        ars_heap_stats st;
        ars_heap_trim(&h);
        ars_heap_get_stats(&h, &st);
        EXPECT_EQ(st.used, 0);
        EXPECT_EQ(st.cached, 0);
        EXPECT_EQ(st.free_blocks, 1);     /* everything coalesced back */
        EXPECT_EQ(st.largest_free + 4, st.total);
        EXPECT_EQ(st.fragmentation, 0);
    }
    EXPECT_EQ(ars_heap_check(&h), 0);
    ars_heap_deinit(&h);
}

static void test_heap_random_seed1(void) { heap_random_run(1, 2000L * T_SCALE, 997, 0, 0); }
static void test_heap_random_seed2(void) { heap_random_run(0xC0FFEE, 1000L * T_SCALE, 101, 0, 0); }
static void test_heap_random_seed3(void) { heap_random_run(42, 50L * T_SCALE + 2000, 1, 0, 0); }
/* the same with the free-block cache on: small, and big enough to cause OOMs */
static void test_heap_random_cache(void) {
    heap_random_run(7, 1000L * T_SCALE, 499, 4096, 0);
    heap_random_run(8, 300L * T_SCALE, 97, HEAP_MEM / 2, 0);
    heap_random_run(9, 20L * T_SCALE + 1000, 1, 1024, 3);
    heap_random_run(10, 300L * T_SCALE, 97, HEAP_MEM / 4, 4);
}

#if ARSENAL_ALLOC_HEAP_CACHE_CLASSES > 0
/* With the cache on, a realloc that can grow in place into the block after
   it must, even when that block sits in the cache (marked used there): it
   used to try a new block only, fail, and return NULL on a heap with room.
   An aligned block too. */
static void test_heap_cache_realloc_grows(void) {
    static unsigned char mem[4096] __attribute__((aligned(16)));
    int aligned;
    for (aligned = 0; aligned < 2; aligned++) {
        ars_heap h;
        unsigned char *a, *b, *r;
        size_t n = 4096, i;
        ASSERT_EQ(ars_heap_init(&h, mem, sizeof mem), 0);
        ars_heap_set_cache(&h, 65536, 0);
        a = (unsigned char *)(aligned ? ars_heap_alloc_aligned(&h, 100, 32) : ars_heap_alloc(&h, 100));
        b = (unsigned char *)ars_heap_alloc(&h, 100);
        ASSERT(a && b);
        for (i = 0; i < 100; i++) a[i] = (unsigned char)(i * 7);
        while (n >= 8) { if (!ars_heap_alloc(&h, n)) n -= 8; }   /* every other byte taken */
        ars_heap_free(&h, b);              /* into the cache: a's neighbour */
        r = (unsigned char *)ars_heap_realloc(&h, a, 180);
        EXPECT(r == a);                    /* in place: nothing else fits */
        if (r) {
            for (i = 0; i < 100; i++) if (r[i] != (unsigned char)(i * 7)) break;
            EXPECT_EQ(i, (size_t)100);
            if (aligned) EXPECT_EQ((uintptr_t)r % 32, (uintptr_t)0);
        }
        EXPECT_EQ(ars_heap_check(&h), 0);
        ars_heap_deinit(&h);
    }
}
/* With the cache on, peak_used is the highest used + cached (as its comment
   says): bytes waiting in the cache count until they are flushed. */
static void test_heap_cache_peak(void) {
    ars_heap h;
    ars_heap_stats st;
    void *a1, *a2, *z;
    size_t top;
    ars_heap_init(&h, heap_mem, 8192);
    ars_heap_set_cache(&h, 4096, 0);
    a1 = ars_heap_alloc(&h, 40);
    a2 = ars_heap_alloc(&h, 40);
    ASSERT(a1 && a2);
    ars_heap_free(&h, a1);
    ars_heap_free(&h, a2);                   /* both wait in the cache */
    ars_heap_get_stats(&h, &st);
    EXPECT_EQ(st.used, 0);
    top = st.cached;
    EXPECT_EQ(st.peak_used, top);
    z = ars_heap_alloc(&h, 80);              /* another class: from the lists */
    ASSERT(z != NULL);
    ars_heap_get_stats(&h, &st);
    EXPECT_EQ(st.peak_used, st.used + st.cached);
    top = st.peak_used;
    a1 = ars_heap_alloc(&h, 40);             /* from the cache: no new bytes */
    ars_heap_get_stats(&h, &st);
    EXPECT_EQ(st.peak_used, top);
    EXPECT_EQ(st.used + st.cached, top);
    ars_heap_free(&h, a1);
    ars_heap_free(&h, z);
    ars_heap_trim(&h);
    ars_heap_get_stats(&h, &st);
    EXPECT_EQ(st.used + st.cached, 0);
    EXPECT_EQ(st.peak_used, top);
    EXPECT_EQ(ars_heap_check(&h), 0);
    ars_heap_deinit(&h);
}
#endif

/* Exhaustive small regions: every start offset, every length up to ~300,
   the largest request that fits succeeds, one byte more fails. */
static void test_heap_small_regions(void) {
    size_t off, len;
    size_t maxlen = T_SCALE >= 1000 ? 320 : 160;
    for (off = 0; off < 8; off++)
        for (len = 0; len < maxlen; len++) {
            ars_heap h;
            size_t n, best = (size_t)-1;
            int rc = ars_heap_init(&h, heap_mem + off, len);
            if (len == 0) { EXPECT_EQ(rc, ARS_EINVAL); continue; }
            if (rc) { EXPECT(len < 6 * sizeof(void *) + 48); continue; }   /* region header + min block + sentinel */
            ASSERT_EQ(ars_heap_check(&h), 0);
            for (n = 0; n <= len; n++) {
                void *p = ars_heap_alloc(&h, n);
                if (!p) break;
                best = n;
                if (n % 8 == 0) ASSERT_EQ(ars_heap_check(&h), 0);
                ars_heap_free(&h, p);
            }
            ASSERT(best != (size_t)-1);
            {
                ars_heap_stats st;
                void *p;
                ars_heap_get_stats(&h, &st);
                EXPECT_EQ(best, st.largest_free);    /* an exactly fitting block works */
                p = ars_heap_alloc(&h, best);
                EXPECT(p != NULL);
                EXPECT(ars_heap_alloc(&h, 1) == NULL);
                ars_heap_free(&h, p);
            }
            EXPECT_EQ(ars_heap_check(&h), 0);
            ars_heap_deinit(&h);
        }
}

/* Three/four neighbours freed in every order: always coalesce to one block. */
static void test_heap_coalesce_orders(void) {
    static const size_t sizes[][4] = { {16, 16, 16, 16}, {1, 100, 3, 250}, {300, 8, 500, 20}, {20, 20, 2000, 0} };
    static const int perms[24][4] = {
        {0,1,2,3},{0,1,3,2},{0,2,1,3},{0,2,3,1},{0,3,1,2},{0,3,2,1},{1,0,2,3},{1,0,3,2},
        {1,2,0,3},{1,2,3,0},{1,3,0,2},{1,3,2,0},{2,0,1,3},{2,0,3,1},{2,1,0,3},{2,1,3,0},
        {2,3,0,1},{2,3,1,0},{3,0,1,2},{3,0,2,1},{3,1,0,2},{3,1,2,0},{3,2,0,1},{3,2,1,0}};
    size_t si;
    int pi, k, tail;
    for (si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
        for (tail = 0; tail < 2; tail++)
            for (pi = 0; pi < 24; pi++) {
                ars_heap h;
                void *p[4], *guard = NULL;
                ars_heap_stats st0, st;
                ars_heap_init(&h, heap_mem, 8192);
                ars_heap_get_stats(&h, &st0);
                for (k = 0; k < 4; k++) p[k] = ars_heap_alloc(&h, sizes[si][k]);
                if (tail) guard = ars_heap_alloc(&h, 1);   /* block the wilderness */
                for (k = 0; k < 4; k++) {
                    ars_heap_free(&h, p[perms[pi][k]]);
                    ASSERT_EQ(ars_heap_check(&h), 0);
                }
                ars_heap_get_stats(&h, &st);
                EXPECT_EQ(st.free_blocks, tail ? 2u : 1u);
                ars_heap_free(&h, guard);
                ars_heap_get_stats(&h, &st);
                EXPECT_EQ(st.free_blocks, 1);
                EXPECT_EQ(st.largest_free, st0.largest_free);
                EXPECT_EQ(ars_heap_check(&h), 0);
            }
}

static void test_heap_split_and_realloc_edges(void) {
    ars_heap h;
    unsigned char *a, *b, *c, *d;
    size_t ua;
    ars_heap_stats st;
    ars_heap_init(&h, heap_mem, 4096);
    /* a remainder too small to be a block stays inside the allocation */
    a = (unsigned char *)ars_heap_alloc(&h, 100);
    b = (unsigned char *)ars_heap_alloc(&h, 100);
    c = (unsigned char *)ars_heap_alloc(&h, 100);
    ASSERT(a && b && c);
    ars_heap_free(&h, b);
    d = (unsigned char *)ars_heap_alloc(&h, 96);    /* 100-byte hole, 96 asked: no split */
    EXPECT(d == b);
    EXPECT_EQ(ars_heap_usable_size(&h, d), ars_heap_usable_size(&h, a));
    /* every usable byte may be written (ASan would flag it otherwise) */
    ua = ars_heap_usable_size(&h, d);
    EXPECT(ua > 96);
    fill(d, ua, 5);
    EXPECT(same(d, ua, 5));
    EXPECT_EQ(ars_heap_check(&h), 0);
    ars_heap_free(&h, d);
    d = (unsigned char *)ars_heap_alloc(&h, 40);    /* now a real split */
    EXPECT(d == b);
    EXPECT(ars_heap_usable_size(&h, d) < 100);
    EXPECT_EQ(ars_heap_check(&h), 0);
    /* growing in place takes what it needs from the free neighbour, and the
       peak counts only that (not the whole neighbour) */
    {
        ars_heap hp;
        ars_heap_stats s0, s1;
        unsigned char *x;
        ars_heap_init(&hp, heap_mem + 4096, 8192);
        x = (unsigned char *)ars_heap_alloc(&hp, 16);
        ASSERT(x != NULL);
        ars_heap_get_stats(&hp, &s0);
        x = (unsigned char *)ars_heap_realloc(&hp, x, 64);
        ASSERT(x != NULL);
        ars_heap_get_stats(&hp, &s1);
        EXPECT(s1.used > s0.used && s1.used < s0.used + 128);
        EXPECT_EQ(s1.peak_used, s1.used);
        ars_heap_free(&hp, x);
    }
    /* grow in place into the free remainder, exactly to its end */
    ua = ars_heap_usable_size(&h, a);
    fill(d, 40, 7);
    b = (unsigned char *)ars_heap_realloc(&h, d, ua);
    EXPECT(b == d);
    EXPECT(same(b, 40, 7));
    EXPECT_EQ(ars_heap_check(&h), 0);
    /* shrink in place, remainder merges with nothing / with a free neighbour */
    b = (unsigned char *)ars_heap_realloc(&h, b, 10);
    EXPECT(b == d);
    EXPECT_EQ(ars_heap_check(&h), 0);
    b = (unsigned char *)ars_heap_realloc(&h, b, 9);
    EXPECT(b == d);
    EXPECT_EQ(ars_heap_check(&h), 0);
    /* grow that must move */
    fill(b, 9, 9);
    d = (unsigned char *)ars_heap_realloc(&h, b, 1000);
    EXPECT(d != NULL && d != b && same(d, 9, 9));
    EXPECT_EQ(ars_heap_check(&h), 0);
    /* too big to grow: NULL, old block intact */
    fill(d, 1000, 3);
    EXPECT(ars_heap_realloc(&h, d, 100000) == NULL);
    EXPECT(same(d, 1000, 3));
    ars_heap_free(&h, a); ars_heap_free(&h, c); ars_heap_free(&h, d);
    ars_heap_get_stats(&h, &st);
    EXPECT_EQ(st.free_blocks, 1);
    EXPECT_EQ(st.used, 0);
    EXPECT_EQ(ars_heap_check(&h), 0);
}

static void test_heap_limits(void) {
    ars_heap h;
    void *p;
    ars_heap_init(&h, heap_mem, HEAP_MEM);
    EXPECT(ars_heap_alloc(&h, (size_t)-1) == NULL);
    EXPECT(ars_heap_alloc(&h, (size_t)-1 - 3) == NULL);
    EXPECT(ars_heap_alloc(&h, (size_t)-1 / 2) == NULL);
    EXPECT(ars_heap_alloc_aligned(&h, (size_t)-1, 64) == NULL);
    EXPECT(ars_heap_alloc_aligned(&h, 16, (size_t)1 << (sizeof(size_t) * 8 - 1)) == NULL);
    EXPECT(ars_heap_alloc_aligned(&h, 16, 24) == NULL);        /* not a power of two */
    EXPECT(ars_heap_calloc(&h, (size_t)-1 / 2 + 2, 2) == NULL); /* overflows */
    EXPECT(ars_heap_calloc(&h, 65536, 65537) == NULL || sizeof(size_t) > 4);
    EXPECT(ars_heap_calloc(&h, (size_t)1 << (sizeof(size_t) * 4), (size_t)1 << (sizeof(size_t) * 4)) == NULL);
    p = ars_heap_alloc(&h, 0);
    EXPECT(p != NULL);
    p = ars_heap_realloc(&h, p, (size_t)-1);
    EXPECT(p == NULL);
    EXPECT_EQ(ars_heap_check(&h), 0);
    EXPECT(ars_heap_realloc(&h, NULL, 10) != NULL);
    ars_heap_free(&h, NULL);
    EXPECT_EQ(ars_heap_check(&h), 0);
    {   /* an empty heap refuses everything */
        ars_heap e;
        EXPECT_EQ(ars_heap_init(&e, NULL, 0), 0);
        EXPECT(ars_heap_alloc(&e, 1) == NULL);
        EXPECT_EQ(ars_heap_check(&e), 0);
    }
    ars_heap_deinit(&h);
}

static void test_heap_aligned_kept_by_realloc(void) {
    ars_heap h;
    size_t al;
    ars_heap_init(&h, heap_mem, HEAP_MEM);
    for (al = 1; al <= 8192; al *= 2) {
        void *x = ars_heap_alloc(&h, 24);   /* so blocks do not start at the region start */
        unsigned char *p = (unsigned char *)ars_heap_alloc_aligned(&h, 10, al);
        void *y = ars_heap_alloc(&h, 24);   /* keeps realloc from growing in place */
        ASSERT(p != NULL);
        EXPECT(((uintptr_t)p & (al - 1)) == 0);
        fill(p, 10, (uint32_t)al);
        p = (unsigned char *)ars_heap_realloc(&h, p, 5000);
        ASSERT(p != NULL);
        EXPECT(((uintptr_t)p & (al - 1)) == 0);
        EXPECT(same(p, 10, (uint32_t)al));
        p = (unsigned char *)ars_heap_realloc(&h, p, 3);
        EXPECT(((uintptr_t)p & (al - 1)) == 0);
        EXPECT_EQ(ars_heap_check(&h), 0);
        ars_heap_free(&h, x); ars_heap_free(&h, p); ars_heap_free(&h, y);
    }
    EXPECT_EQ(ars_heap_check(&h), 0);
}

static void test_heap_regions_and_adapter(void) {
    ars_heap h;
    ars_allocator a;
    void *p[64];
    int i, in_second = 0;
    ars_heap_stats st;
    ars_heap_init(&h, heap_mem, 2048);
    EXPECT_EQ(ars_heap_add_region(&h, heap_mem + 4096, 2048), 0);
    EXPECT_EQ(ars_heap_add_region(&h, heap_mem + 8000, 10), ARS_EINVAL);
    a = ars_heap_allocator(&h);
    for (i = 0; i < 64; i++) {
        p[i] = a.alloc(a.ctx, 40, 16);
        if (p[i]) {
            EXPECT(((uintptr_t)p[i] & 15) == 0);
            if ((unsigned char *)p[i] >= heap_mem + 4096) in_second = 1;
        }
    }
    EXPECT(in_second);
    EXPECT(p[63] == NULL);   /* both regions are full by now */
    EXPECT_EQ(ars_heap_check(&h), 0);
    for (i = 0; i < 64; i++) a.free(a.ctx, p[i], 40);
    ars_heap_get_stats(&h, &st);
    EXPECT_EQ(st.free_blocks, 2);
    EXPECT_EQ(st.used, 0);
    EXPECT_EQ(ars_heap_check(&h), 0);
    ars_heap_deinit(&h);
}

#if defined(T_ASAN)
__attribute__((no_sanitize_address))
#endif
static void poke(unsigned char *p, unsigned char v) { *(volatile unsigned char *)p ^= v; }

static void test_heap_check_detects_corruption(void) {
    ars_heap h;
    unsigned char *a, *b;
    ars_heap_init(&h, heap_mem, 4096);
    a = (unsigned char *)ars_heap_alloc(&h, 64);
    b = (unsigned char *)ars_heap_alloc(&h, 64);
    ars_heap_free(&h, a);
    EXPECT_EQ(ars_heap_check(&h), 0);
    poke(b - 4, 0x40);           /* b's size field */
    EXPECT_EQ(ars_heap_check(&h), ARS_ECORRUPT);
    poke(b - 4, 0x40);
    EXPECT_EQ(ars_heap_check(&h), 0);
    poke(b - 8, 0x08);           /* footer of the free block before b */
    EXPECT_EQ(ars_heap_check(&h), ARS_ECORRUPT);
    poke(b - 8, 0x08);
    poke(a + sizeof(void *), 0x10);   /* free-list back link of a */
    EXPECT_EQ(ars_heap_check(&h), ARS_ECORRUPT);
    poke(a + sizeof(void *), 0x10);
    EXPECT_EQ(ars_heap_check(&h), 0);
    ars_heap_free(&h, b);
    ars_heap_deinit(&h);
}

#if ARSENAL_ALLOC_DEBUG
/* End of a debug-check test: everything freed comes back as one free
   block, the heap checks clean, exactly `asserts` debug asserts fired
   since `before` (taken back: they were expected), and the heap goes. */
static void heap_end_whole(ars_heap *h, int before, int asserts) {
    ars_heap_stats st;
    ars_heap_trim(h);
    ars_heap_get_stats(h, &st);
    EXPECT_EQ(st.used, 0);
    EXPECT_EQ(st.free_blocks, 1);
    EXPECT_EQ(ars_heap_check(h), 0);
    EXPECT_EQ(t_asserts - before, asserts);
    t_asserts = before;
    ars_heap_deinit(h);
}

/* Debug builds catch a double free (one ARSENAL_ASSERT each) and ignore it,
   also when the block was already merged into the free block before it or
   waits in the free-block cache; the heap stays intact. */
static void test_heap_debug_double_free(void) {
    ars_heap h;
    unsigned char *a, *b, *c, *x, *y;
    int before = t_asserts;
    ars_heap_init(&h, heap_mem, 8192);
    a = (unsigned char *)ars_heap_alloc(&h, 64);
    b = (unsigned char *)ars_heap_alloc(&h, 64);
    c = (unsigned char *)ars_heap_alloc(&h, 64);   /* keeps b from the wilderness */
    ASSERT(a && b && c);
    ars_heap_free(&h, a);
    ars_heap_free(&h, b);                          /* merges into a */
    ars_heap_free(&h, b);
    EXPECT_EQ(t_asserts - before, 1);
    ASSERT_EQ(ars_heap_check(&h), 0);
    ars_heap_free(&h, a);
    EXPECT_EQ(t_asserts - before, 2);
    EXPECT(ars_heap_realloc(&h, b, 100) == NULL);  /* a freed block is not resized */
    EXPECT_EQ(t_asserts - before, 3);
    ASSERT_EQ(ars_heap_check(&h), 0);
    /* the same for an aligned block */
    a = (unsigned char *)ars_heap_alloc_aligned(&h, 64, 64);
    b = (unsigned char *)ars_heap_alloc_aligned(&h, 64, 64);
    ASSERT(a && b);
    ars_heap_free(&h, a);
    ars_heap_free(&h, b);
    ars_heap_free(&h, b);
    EXPECT_EQ(t_asserts - before, 4);
    ASSERT_EQ(ars_heap_check(&h), 0);
    /* a block in the cache is not handed out twice */
    ars_heap_set_cache(&h, 4096, 0);
    x = (unsigned char *)ars_heap_alloc(&h, 40);
    ASSERT(x != NULL);
    ars_heap_free(&h, x);
    ars_heap_free(&h, x);
    EXPECT_EQ(t_asserts - before, 5);
    EXPECT(ars_heap_realloc(&h, x, 10) == NULL);
    EXPECT_EQ(t_asserts - before, 6);
    x = (unsigned char *)ars_heap_alloc(&h, 40);
    y = (unsigned char *)ars_heap_alloc(&h, 40);
    EXPECT(x != NULL && y != NULL && x != y);
    ASSERT_EQ(ars_heap_check(&h), 0);
    ars_heap_free(&h, x);
    ars_heap_free(&h, y);
    ars_heap_free(&h, c);
    heap_end_whole(&h, before, 6);
}

/* A freed aligned block loses the marker below its pointer to the list (or
   cache) links written over it; the pointer then reads as a plain one whose
   head is half a link. A second free of it must still be caught, not free
   that made-up block (which corrupted the heap or crashed). Where it can,
   the test maps its memory at an address whose upper half reads as a
   plausible plain head (64-bit); a 32-bit link is the next block's address. */
#if defined(T_PTHREADS) && UINTPTR_MAX > 0xFFFFFFFFu
#include <sys/mman.h>
#define T_MAPPED 1
#endif
static void heap_aligned_double_free(unsigned char *mem, size_t len, int cached) {
    ars_heap h;
    unsigned char *probe, *g0, *a, *x, *g[3], *f[2];
    size_t bs;
    int before = t_asserts;
    ASSERT_EQ(ars_heap_init(&h, mem, len), 0);
    if (cached) ars_heap_set_cache(&h, 4096, 0);
    probe = (unsigned char *)ars_heap_alloc(&h, 1);   /* the first block is probe - 8 */
    ASSERT(probe != NULL);
    ars_heap_free(&h, probe);
    ars_heap_trim(&h);
    /* a block before a's that ends where a's block (16 below a) can start
       64-aligned: no gap block, so a's block is not merged into a free one */
    for (bs = 64 - ((uintptr_t)(probe - 8 + 16) & 63); bs < 32; bs += 64) {}
    g0 = (unsigned char *)ars_heap_alloc(&h, bs - 4);
    a = (unsigned char *)ars_heap_alloc_aligned(&h, 100, 64);
    g[0] = (unsigned char *)ars_heap_alloc(&h, 40);
    f[0] = (unsigned char *)ars_heap_alloc(&h, 108);      /* a's block size (112) */
    g[1] = (unsigned char *)ars_heap_alloc(&h, 40);
    f[1] = (unsigned char *)ars_heap_alloc(&h, 108);
    g[2] = (unsigned char *)ars_heap_alloc(&h, 40);
    ASSERT(g0 && a && g[0] && f[0] && g[1] && f[1] && g[2]);
    EXPECT(a == probe + bs + 8);
    ars_heap_free(&h, f[0]);
    ars_heap_free(&h, a);        /* links to f[0] (and from f[1]) over its marker */
    ars_heap_free(&h, f[1]);
    ars_heap_free(&h, a);
    EXPECT_EQ(t_asserts - before, 1);
    ASSERT_EQ(ars_heap_check(&h), 0);
    EXPECT(ars_heap_realloc(&h, a, 10) == NULL);
    EXPECT_EQ(t_asserts - before, 2);
    ASSERT_EQ(ars_heap_check(&h), 0);
    /* the blocks come back whole: a's and f's are still free, once each */
    x = (unsigned char *)ars_heap_alloc(&h, 108);
    EXPECT(x == f[0] || x == f[1] || x == a - 8);
    ars_heap_free(&h, x);
    ars_heap_free(&h, g0);
    ars_heap_free(&h, g[0]); ars_heap_free(&h, g[1]); ars_heap_free(&h, g[2]);
    heap_end_whole(&h, before, 2);
}
static void test_heap_debug_aligned_double_free(void) {
    unsigned char *mem = heap_mem;
    size_t len = 65536;
#if defined(T_MAPPED)
    /* upper halves with the FREE and marker bits clear, >= the smallest
       block; the low ones suit TSan's and Valgrind's layouts, 0x1008 ASan's */
    static const uintptr_t upper[] = { 0x18, 0x20, 0x28, 0x1008, 0x2008 };
    size_t i;
    for (i = 0; i < sizeof upper / sizeof upper[0] && mem == heap_mem; i++) {
        void *want = (void *)(upper[i] << 32);
        void *m = mmap(want, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == want) mem = (unsigned char *)m;
        else if (m != MAP_FAILED) munmap(m, len);
    }
#endif
    heap_aligned_double_free(mem, len, 0);
    heap_aligned_double_free(mem, len, 1);
#if defined(T_MAPPED)
    if (mem != heap_mem) munmap(mem, len);
#endif
}
#endif

/* ------------------------------------------------------------------ arena */

static unsigned char arena_buf[8192];

static void test_arena_fixed(void) {
    ars_arena a;
    ars_arena_stats st;
    size_t al, total = 0;
    int k = 0;
    ars_arena_init(&a, arena_buf + 1, sizeof arena_buf - 1);
    for (al = 1; al <= 1024; al *= 2) {
        unsigned char *p = (unsigned char *)ars_arena_alloc_aligned(&a, 13, al);
        ASSERT(p != NULL);
        EXPECT(((uintptr_t)p & (al - 1)) == 0);
        EXPECT(p >= arena_buf + 1 && p + 13 <= arena_buf + sizeof arena_buf);
        spans[k].lo = (uintptr_t)p; spans[k].hi = (uintptr_t)p + 13; k++;
        fill(p, 13, (uint32_t)al);
        total += 13;
    }
    EXPECT(spans_disjoint(spans, (size_t)k));
    EXPECT(ars_arena_alloc_aligned(&a, 1, 3) == NULL);    /* not a power of two */
    EXPECT(ars_arena_alloc(&a, (size_t)-1) == NULL);
    EXPECT(ars_arena_alloc(&a, (size_t)-1 - 64) == NULL);
    EXPECT(ars_arena_calloc(&a, (size_t)-1 / 2, 3) == NULL);
    ars_arena_get_stats(&a, &st);
    EXPECT(st.used >= total && st.used < total + 2048);
    {   /* the buffer from its first address aligned for any object */
        uintptr_t al = sizeof(void *) >= 8 ? 16 : 8;
        uintptr_t first = ((uintptr_t)(arena_buf + 1) + al - 1) & ~(al - 1);
        EXPECT_EQ(st.capacity, (uintptr_t)(arena_buf + sizeof arena_buf) - first);
    }
    EXPECT_EQ(st.blocks, 0);
    while (ars_arena_alloc(&a, 100)) {}
    EXPECT(ars_arena_alloc(&a, 100) == NULL);              /* full: NULL, no abort */
    ars_arena_get_stats(&a, &st);
    EXPECT(st.used <= st.capacity && st.peak == st.used);
    ars_arena_reset(&a);
    ars_arena_get_stats(&a, &st);
    EXPECT_EQ(st.used, 0);
    EXPECT(st.peak > 8000);
    EXPECT(ars_arena_alloc(&a, 8000) != NULL);
    ars_arena_deinit(&a);
}

/* sizes are rounded so the bump pointer stays aligned; the last bytes of a
   fixed buffer still serve a request that fits them exactly */
static void test_arena_rounding(void) {
    ars_arena a;
    ars_arena_stats st;
    ars_allocator al;
    uintptr_t ma = sizeof(void *) >= 8 ? 16 : 8;
    unsigned char *p, *q, *last = NULL;
    fault_alloc f;
    ars_allocator par = fault_init(&f, -1);
    /* from an odd address, six aligned slots and 5 bytes more */
    uintptr_t first = ((uintptr_t)(arena_buf + 3) + ma - 1) & ~(ma - 1);
    size_t size = (size_t)(first - (uintptr_t)(arena_buf + 3)) + 6 * ma + 5;
    unsigned char *end = arena_buf + 3 + size;
    int n = 0;
    ars_arena_init(&a, arena_buf + 3, size);
    while ((p = (unsigned char *)ars_arena_alloc(&a, 1)) != NULL) {
        EXPECT(((uintptr_t)p & (ma - 1)) == 0);
        EXPECT(p >= arena_buf + 3 && p + 1 <= end);
        EXPECT(last == NULL || p >= last + 1);
        last = p;
        if (++n > 200) break;
    }
    EXPECT_EQ(n, 7);            /* six slots, then the 5-byte tail */
    EXPECT(last == end - 5);
    EXPECT(ars_arena_alloc(&a, 1) == NULL);
    ars_arena_get_stats(&a, &st);
    EXPECT(st.used <= st.capacity);
    /* the tail: after a reset, fill all but a piece smaller than ma, then
       ask for exactly that piece */
    ars_arena_reset(&a);
    ars_arena_get_stats(&a, &st);
    {
        size_t cap = st.capacity, body = cap & ~(size_t)(ma - 1), tail = cap - body;
        unsigned char *b0 = (unsigned char *)ars_arena_alloc(&a, body);
        ASSERT(body == 6 * ma && tail == 5 && b0 != NULL);
        EXPECT(ars_arena_alloc(&a, tail + 1) == NULL);
        EXPECT(ars_arena_alloc(&a, tail) == b0 + body);
        EXPECT(b0 + body + tail == end);
        EXPECT(ars_arena_alloc(&a, 1) == NULL);
        ars_arena_get_stats(&a, &st);
        EXPECT(st.used <= cap);
    }
    ars_arena_deinit(&a);

    /* growing: size 0 takes no new block; the adapter's free gives back the
       last allocation, rounding included */
    ars_arena_init_parent(&a, &par, 256);   /* no malloc in firmware */
    p = (unsigned char *)ars_arena_alloc(&a, 10);
    ASSERT(p != NULL);
    q = (unsigned char *)ars_arena_alloc(&a, 0);
    EXPECT(q != NULL && q >= p + 10);
    EXPECT(ars_arena_alloc(&a, 0) != NULL);
    ars_arena_get_stats(&a, &st);
    EXPECT_EQ(st.blocks, 1);
    al = ars_arena_allocator(&a);
    q = (unsigned char *)al.alloc(al.ctx, 10, 1);
    ASSERT(q != NULL);
    EXPECT(((uintptr_t)q & (ma - 1)) == 0);
    al.free(al.ctx, q, 10);
    EXPECT(ars_arena_alloc(&a, 20) == q);
    /* the peak covers an allocation freed before any stats call */
    ars_arena_get_stats(&a, &st);
    {
        size_t used = st.used;
        q = (unsigned char *)al.alloc(al.ctx, 100, 1);
        ASSERT(q != NULL);
        al.free(al.ctx, q, 100);
        ars_arena_get_stats(&a, &st);
        EXPECT_EQ(st.used, used);
        EXPECT(st.peak >= used + 100);
    }
    ars_arena_deinit(&a);
    EXPECT_EQ(f.live, 0);
    EXPECT(!f.bad_free);
}

static void test_arena_nested_marks(void) {
    ars_arena a;
    ars_arena_pos m0, m1, m2;
    ars_arena_stats st;
    unsigned char *p0, *p1, *p2, *q;
    size_t u0, u1;
    fault_alloc f;
    ars_allocator par = fault_init(&f, -1);
    int parent;
    for (parent = 0; parent < 2; parent++) {
        if (parent) ars_arena_init_parent(&a, &par, 256);
        else ars_arena_init(&a, arena_buf, sizeof arena_buf);
        p0 = (unsigned char *)ars_arena_alloc(&a, 50);
        fill(p0, 50, 1);
        m0 = ars_arena_mark(&a);
        ars_arena_get_stats(&a, &st); u0 = st.used;
        p1 = (unsigned char *)ars_arena_alloc(&a, 300);     /* new block when parent-backed */
        fill(p1, 300, 2);
        m1 = ars_arena_mark(&a);
        ars_arena_get_stats(&a, &st); u1 = st.used;
        p2 = (unsigned char *)ars_arena_alloc(&a, 1000);
        fill(p2, 1000, 3);
        m2 = ars_arena_mark(&a);
        q = (unsigned char *)ars_arena_alloc(&a, 10);
        ASSERT(p0 && p1 && p2 && q);
        ars_arena_rewind(&a, m2);
        EXPECT(ars_arena_alloc(&a, 10) == q);                /* same spot again */
        ars_arena_rewind(&a, m1);
        ars_arena_get_stats(&a, &st);
        EXPECT_EQ(st.used, u1);
        EXPECT(same(p0, 50, 1) && same(p1, 300, 2));
        ars_arena_rewind(&a, m0);
        ars_arena_get_stats(&a, &st);
        EXPECT_EQ(st.used, u0);
        EXPECT(st.peak >= u1 + 1000);
        EXPECT(same(p0, 50, 1));
        if (parent) EXPECT_EQ(st.blocks, 1);
        ars_arena_reset(&a);
        ars_arena_get_stats(&a, &st);
        EXPECT_EQ(st.used, 0);
        ars_arena_deinit(&a);
    }
    EXPECT_EQ(f.live, 0);
    EXPECT(!f.bad_free);
}

/* The parent's Nth call fails for every N in a scripted run: the failing
   allocation returns NULL and leaves the arena as it was; nothing leaks. */
static void test_arena_parent_fault_injection(void) {
#if defined(ARS_TEST_FREESTANDING)
    static const size_t script[] = { 10, 200, 5000, 3, 700, 64, 64, 6000, 1, 300, 300, 300 };
#else
    static const size_t script[] = { 10, 200, 5000, 3, 700, 64, 64, 20000, 1, 300, 300, 300 };
#endif
    const size_t nscript = sizeof script / sizeof script[0];
    long n, parent_calls = 0;
    for (n = -1; n < 12; n++) {
        fault_alloc f;
        ars_allocator par = fault_init(&f, n);
        ars_arena a;
        size_t i, failures = 0;
        ars_arena_init_parent(&a, &par, 1024);
        for (i = 0; i < nscript; i++) {
            ars_arena_stats before, after;
            ars_arena_pos m = ars_arena_mark(&a);
            unsigned char *p;
            ars_arena_get_stats(&a, &before);
            p = (unsigned char *)ars_arena_alloc_aligned(&a, script[i], (size_t)1 << (i % 7));
            ars_arena_get_stats(&a, &after);
            if (!p) {
                failures++;
                EXPECT_EQ(after.used, before.used);
                EXPECT_EQ(after.blocks, before.blocks);
                EXPECT(ars_arena_mark(&a).cur == m.cur);
            } else {
                EXPECT(((uintptr_t)p & (((size_t)1 << (i % 7)) - 1)) == 0);
                fill(p, script[i], (uint32_t)i);
                EXPECT(after.used >= before.used + script[i]);
            }
            if (i == 6) ars_arena_rewind(&a, m);
        }
        if (n < 0) parent_calls = f.calls;
        EXPECT(parent_calls >= 5);
        EXPECT_EQ(failures, n >= 0 && n < parent_calls ? 1u : 0u);
        EXPECT(f.live > 0);
        ars_arena_reset(&a);
        EXPECT(f.live <= 1);
        ars_arena_deinit(&a);
        EXPECT_EQ(f.live, 0);
        EXPECT_EQ(f.live_bytes, 0);
        EXPECT(!f.bad_free);
        EXPECT_EQ(ars_heap_check(&f.heap), 0);
    }
}

/* An alignment with only the top bit set: the block size the arena asks
   its parent for (header + size + align) must not wrap around to a small
   block, which once handed out a pointer outside every block. */
static void test_arena_huge_align(void) {
    fault_alloc f;
    ars_allocator par = fault_init(&f, -1);
    ars_arena a;
    ars_arena_stats st;
    size_t top = (size_t)1 << (sizeof(size_t) * 8 - 1);
    unsigned char *p;
    ars_arena_init_parent(&a, &par, 1024);
    EXPECT(ars_arena_alloc_aligned(&a, top, top) == NULL);
    EXPECT(ars_arena_alloc_aligned(&a, top + 4096, top) == NULL);
    EXPECT(ars_arena_alloc_aligned(&a, 16, top) == NULL);
    EXPECT(ars_arena_alloc_aligned(&a, top, top / 2) == NULL);
    ars_arena_get_stats(&a, &st);
    EXPECT_EQ(st.used, 0);
    p = (unsigned char *)ars_arena_alloc(&a, 100);   /* the arena still works */
    ASSERT(p != NULL);
    EXPECT((uintptr_t)p >= (uintptr_t)fault_mem && (uintptr_t)p + 100 <= (uintptr_t)fault_mem + sizeof fault_mem);
    fill(p, 100, 1);
    ars_arena_deinit(&a);
    EXPECT_EQ(f.live, 0);
    EXPECT_EQ(ars_heap_check(&f.heap), 0);
    ars_arena_init(&a, arena_buf, sizeof arena_buf);   /* a fixed buffer refuses too */
    EXPECT(ars_arena_alloc_aligned(&a, top, top) == NULL);
    EXPECT(ars_arena_alloc_aligned(&a, 16, top) == NULL);
    ars_arena_deinit(&a);
}

static void test_arena_allocator_adapter(void) {
    ars_arena a;
    ars_allocator al;
    void *p, *q;
    ars_arena_stats st;
    ars_arena_init(&a, arena_buf, sizeof arena_buf);
    al = ars_arena_allocator(&a);
    p = al.alloc(al.ctx, 100, 64);
    EXPECT(p && ((uintptr_t)p & 63) == 0);
    q = al.alloc(al.ctx, 50, 8);
    al.free(al.ctx, p, 100);            /* not the last: no effect */
    al.free(al.ctx, q, 50);             /* the last: rolled back */
    EXPECT(al.alloc(al.ctx, 50, 8) == q);
    ars_arena_get_stats(&a, &st);
    EXPECT(st.used >= 150);
    ars_arena_deinit(&a);
}

/* ------------------------------------------------------------------- pool */

/* 16-aligned, so "pool_buf + 5" below is 11 bytes short of the next 16-byte
   boundary whatever else the file declares (a char array alone may land 4
   mod 16 on rv32, and 10 objects then no longer fit) */
#if defined(__GNUC__)
static unsigned char pool_buf[4096] __attribute__((aligned(16)));
#else
static union { unsigned char b[4096]; long double ld; uint64_t u; } pool_buf_u;
#define pool_buf pool_buf_u.b
#endif

/* used and peak against a reference count over random allocs and frees
   (peak is derived from the objects ever taken, not counted per call) */
static void test_pool_stats_random(void) {
    ars_pool p;
    ars_pool_stats st;
    void *live[10];
    int n = 0, i, maxn = 0, bad = 0;
    uint32_t r = 12345u;
    ASSERT_EQ(ars_pool_init(&p, 48, 16, pool_buf, 10 * 48), 0);
    for (i = 0; i < 4000; i++) {
        r = r * 1103515245u + 12345u;
        /* drift up for the first half, down for the second: peak moves in steps */
        if (n > 0 && (r >> 16) % 8 < (i < 2000 ? 3u : 5u)) {
            int k = (int)((r >> 8) % (uint32_t)n);
            ars_pool_free(&p, live[k]);
            live[k] = live[--n];
        } else if (n < 10) {
            live[n] = ars_pool_alloc(&p);
            if (!live[n]) { bad++; break; }
            n++;
            if (n > maxn) maxn = n;
        }
        ars_pool_get_stats(&p, &st);
        if (st.used != (size_t)n || st.peak != (size_t)maxn) { bad++; break; }
    }
    EXPECT_EQ(bad, 0);
    EXPECT_EQ(maxn, 10);
    while (n > 0) ars_pool_free(&p, live[--n]);
    ars_pool_get_stats(&p, &st);
    EXPECT_EQ(st.used, 0);
    EXPECT_EQ(st.peak, 10);
    ars_pool_deinit(&p);
}

static void test_pool_fixed_capacity(void) {
    ars_pool p;
    ars_pool_stats st;
    void *o[64];
    int i, n = 0;
    /* 10 objects of 48 bytes, 16-aligned, from an unaligned buffer */
    ASSERT_EQ(ars_pool_init(&p, 48, 16, pool_buf + 5, 10 * 48 + 11), 0);
    for (i = 0; i < 12; i++) {
        o[i] = ars_pool_alloc(&p);
        if (o[i]) {
            n++;
            EXPECT(((uintptr_t)o[i] & 15) == 0);
            spans[i].lo = (uintptr_t)o[i]; spans[i].hi = spans[i].lo + 48;
            fill(o[i], 48, (uint32_t)i);
        }
    }
    EXPECT_EQ(n, 10);
    EXPECT(spans_disjoint(spans, 10));
    ars_pool_get_stats(&p, &st);
    EXPECT_EQ(st.used, 10); EXPECT_EQ(st.capacity, 10); EXPECT_EQ(st.peak, 10);
    for (i = 0; i < 10; i++) EXPECT(same(o[i], 48, (uint32_t)i));
    ars_pool_free(&p, o[3]);
    ars_pool_free(&p, o[7]);
    EXPECT(ars_pool_alloc(&p) == o[7]);   /* LIFO reuse */
    EXPECT(ars_pool_alloc(&p) == o[3]);
    EXPECT(ars_pool_alloc(&p) == NULL);
    for (i = 0; i < 10; i++) ars_pool_free(&p, o[i]);
    ars_pool_free(&p, NULL);
    ars_pool_get_stats(&p, &st);
    EXPECT_EQ(st.used, 0);
    ars_pool_deinit(&p);
    EXPECT_EQ(ars_pool_init(&p, 48, 16, pool_buf, 40), ARS_EINVAL);
    EXPECT_EQ(ars_pool_init(&p, 0, 0, pool_buf, 4096), ARS_EINVAL);
    EXPECT_EQ(ars_pool_init(&p, 8, 3, pool_buf, 4096), ARS_EINVAL);
}

/* A pool whose init failed, or after deinit, is zeroed: alloc returns NULL
   and the stats read all zero. get_stats divided by the stride (0 then)
   and died with SIGFPE. */
static void test_pool_stats_of_empty_pool(void) {
    ars_pool p;
    ars_pool_stats st;
    EXPECT_EQ(ars_pool_init(&p, 0, 0, pool_buf, 4096), ARS_EINVAL);
    EXPECT(ars_pool_alloc(&p) == NULL);
    ars_pool_get_stats(&p, &st);
    EXPECT_EQ(st.used, 0); EXPECT_EQ(st.peak, 0); EXPECT_EQ(st.capacity, 0); EXPECT_EQ(st.chunks, 0);
    ASSERT_EQ(ars_pool_init(&p, 32, 0, pool_buf, 4 * 32), 0);
    EXPECT(ars_pool_alloc(&p) != NULL);
    ars_pool_get_stats(&p, &st);
    EXPECT_EQ(st.peak, 1); EXPECT_EQ(st.chunks, 1);
    ars_pool_deinit(&p);
    ars_pool_get_stats(&p, &st);
    EXPECT_EQ(st.used, 0); EXPECT_EQ(st.peak, 0); EXPECT_EQ(st.capacity, 0); EXPECT_EQ(st.chunks, 0);
}

static void test_pool_grow_fault_injection(void) {
    long n;
    for (n = -1; n < 6; n++) {
        fault_alloc f;
        ars_allocator par = fault_init(&f, n);
        ars_pool p;
        ars_pool_stats st;
        void *o[100];
        int i, got = 0;
        ASSERT_EQ(ars_pool_init_grow(&p, 24, 8, 16, &par), 0);
        for (i = 0; i < 100; i++) {
            o[i] = ars_pool_alloc(&p);
            if (o[i]) { got++; fill(o[i], 24, (uint32_t)i); }
        }
        EXPECT_EQ(got, n >= 0 ? 99 : 100);   /* a failed chunk is one NULL; the next call retries */
        ars_pool_get_stats(&p, &st);
        EXPECT_EQ(st.used, (size_t)got);
        EXPECT_EQ(st.chunks, (size_t)f.live);
        for (i = 0; i < 100; i++) if (o[i]) { EXPECT(same(o[i], 24, (uint32_t)i)); ars_pool_free(&p, o[i]); }
        ars_pool_deinit(&p);
        EXPECT_EQ(f.live, 0);
        EXPECT(!f.bad_free);
    }
}

static void test_pool_random_and_adapter(void) {
    ars_pool p;
    ars_allocator al;
    void *o[SLOTS];
    uint32_t seeds[SLOTS];
    size_t i, live = 0;
    long step, ops = 200L * T_SCALE;
    ars_pool_stats st;
    fault_alloc f;
    ars_allocator par = fault_init(&f, -1);
    rng_seed(77);
#if defined(T_HOSTED)
    (void)par;
    ASSERT_EQ(ars_pool_init_grow(&p, 40, 0, 32, NULL), 0);   /* the default allocator */
#else
    ASSERT_EQ(ars_pool_init_grow(&p, 40, 0, 32, &par), 0);
#endif
    for (i = 0; i < SLOTS; i++) o[i] = NULL;
    for (step = 0; step < ops; step++) {
        size_t k = rng_below(SLOTS);
        if (o[k]) {
            EXPECT(same(o[k], 40, seeds[k]));
            ars_pool_free(&p, o[k]);
            o[k] = NULL;
            live--;
        } else {
            o[k] = ars_pool_alloc(&p);
            ASSERT(o[k] != NULL);
            ASSERT(((uintptr_t)o[k] & (sizeof(void *) >= 8 ? 15 : 7)) == 0);
            seeds[k] = (uint32_t)step;
            fill(o[k], 40, seeds[k]);
            live++;
        }
    }
    for (i = 0; i < SLOTS; i++) if (o[i]) ars_pool_free(&p, o[i]);
    ars_pool_get_stats(&p, &st);
    EXPECT_EQ(st.used, 0);
    EXPECT(st.peak <= SLOTS && st.peak >= live);
    al = ars_pool_allocator(&p);
    EXPECT(al.alloc(al.ctx, 49, 8) == NULL);   /* stride is 48 */
    EXPECT(al.alloc(al.ctx, 8, 64) == NULL);
    o[0] = al.alloc(al.ctx, 40, 8);
    EXPECT(o[0] != NULL);
    al.free(al.ctx, o[0], 40);
    ars_pool_deinit(&p);
}

#ifndef ARSENAL_ALLOC_NO_ATOMICS
static void test_pool_mt_single(void) {
    ars_pool_mt p;
    void *o[40];
    int i, n = 0;
    size_t need = ars_pool_mt_need(32, 32, 30);
    ASSERT(need > 0 && need <= sizeof pool_buf);
    ASSERT_EQ(ars_pool_mt_init(&p, 32, 32, pool_buf + 3, need), 0);
    EXPECT(ars_pool_mt_capacity(&p) >= 30);
    for (i = 0; i < 40; i++) {
        o[i] = ars_pool_mt_alloc(&p);
        if (o[i]) { n++; EXPECT(((uintptr_t)o[i] & 31) == 0); fill(o[i], 32, (uint32_t)i); }
    }
    EXPECT_EQ((size_t)n, ars_pool_mt_capacity(&p));
    for (i = 0; i < n; i++) { EXPECT(same(o[i], 32, (uint32_t)i)); ars_pool_mt_free(&p, o[i]); }
    for (i = 0; i < n; i++) EXPECT(ars_pool_mt_alloc(&p) != NULL);
    EXPECT(ars_pool_mt_alloc(&p) == NULL);
    ars_pool_mt_deinit(&p);
}

/* More objects than the head word can index: ars_pool_mt_need says 0 and
   ars_pool_mt_init_alloc refuses (it used to take the memory and quietly
   hold fewer objects than asked for). */
static void test_pool_mt_count_limit(void) {
    size_t max = sizeof(ars__pool_word) == 8 ? (size_t)0xFFFFFFFEu : (size_t)0xFFFE;
    fault_alloc f;
    ars_allocator par = fault_init(&f, -1);
    ars_pool_mt p;
    EXPECT_EQ(ars_pool_mt_need(8, 0, max + 1), 0);
    if (sizeof(size_t) == 8 || sizeof(ars__pool_word) == 4) EXPECT(ars_pool_mt_need(8, 0, max) != 0);
    EXPECT_EQ(ars_pool_mt_init_alloc(&p, 8, 0, max + 1, &par), ARS_EINVAL);
    EXPECT_EQ(f.calls, 0);
    EXPECT_EQ(ars_pool_mt_init_alloc(&p, 8, 0, 100, &par), 0);
    EXPECT(ars_pool_mt_capacity(&p) >= 100);
    ars_pool_mt_deinit(&p);
    EXPECT_EQ(f.live, 0);
}

/* A pool_mt after a 4-byte member of a struct: its head word (64 bits
   wherever the target has a 64-bit CAS) must still be naturally aligned.
   The i386 SysV ABI aligns uint64_t members to 4 only, and there the
   atomic load is an x87 fildq and the CAS a lock cmpxchg8b: neither is
   atomic (the CAS becomes a split lock) when the word straddles a cache
   line, which a 4-aligned head can. */
static struct { uint32_t before; ars_pool_mt p; } mt_after_u32;
static void test_pool_mt_head_aligned(void) {
    ars_pool_mt *p = &mt_after_u32.p;
    void *o;
    EXPECT_EQ((uintptr_t)&p->head % sizeof p->head, 0);
    ASSERT_EQ(ars_pool_mt_init(p, 16, 0, pool_buf, 1024), 0);
    o = ars_pool_mt_alloc(p);
    EXPECT(o != NULL);
    ars_pool_mt_free(p, o);
    EXPECT(ars_pool_mt_alloc(p) == o);   /* the freed object comes back first */
    ars_pool_mt_deinit(p);
}
#endif

#if defined(T_PTHREADS) || defined(T_WINTHREADS)
#define MT_THREADS 4
#define MT_OBJS 64
static ars_pool_mt mt_pool;
static volatile int mt_errors;
static long mt_ops;

static void mt_worker(uintptr_t id) {
    unsigned char *mine[16] = {0};
    uint64_t s = id * 7919u + 1;
    long i;
    int k;
    for (i = 0; i < mt_ops; i++) {
        s ^= s << 13; s ^= s >> 7; s ^= s << 17;
        k = (int)(s % 16);
        if (mine[k]) {
            int j;
            for (j = 0; j < 32; j++) if (mine[k][j] != (unsigned char)(id + (uintptr_t)k + j)) mt_errors = 1;
            ars_pool_mt_free(&mt_pool, mine[k]);
            mine[k] = NULL;
        } else {
            mine[k] = (unsigned char *)ars_pool_mt_alloc(&mt_pool);
            if (mine[k]) {   /* may be NULL: 4 threads x 16 > 64 objects */
                int j;
                for (j = 0; j < 32; j++) mine[k][j] = (unsigned char)(id + (uintptr_t)k + j);
            }
        }
    }
    for (k = 0; k < 16; k++) if (mine[k]) ars_pool_mt_free(&mt_pool, mine[k]);
}
#if defined(T_PTHREADS)
static void *mt_thread(void *arg) { mt_worker((uintptr_t)arg); return NULL; }
#else
static DWORD WINAPI mt_thread(LPVOID arg) { mt_worker((uintptr_t)arg); return 0; }
#endif

static void test_pool_mt_threads(void) {
    int i, n = 0;
    void *seen[MT_OBJS + 1];
    ASSERT_EQ(ars_pool_mt_init_alloc(&mt_pool, 32, 0, MT_OBJS, NULL), 0);
    mt_ops = 2000L * (T_SCALE >= 1000 ? 200 : 5);
    mt_errors = 0;
    {
#if defined(T_PTHREADS)
        pthread_t th[MT_THREADS];
        for (i = 0; i < MT_THREADS; i++) ASSERT_EQ(pthread_create(&th[i], NULL, mt_thread, (void *)(uintptr_t)(i + 1)), 0);
        for (i = 0; i < MT_THREADS; i++) pthread_join(th[i], NULL);
#else
        HANDLE th[MT_THREADS];
        for (i = 0; i < MT_THREADS; i++) th[i] = CreateThread(NULL, 0, mt_thread, (LPVOID)(uintptr_t)(i + 1), 0, NULL);
        WaitForMultipleObjects(MT_THREADS, th, TRUE, INFINITE);
        for (i = 0; i < MT_THREADS; i++) CloseHandle(th[i]);
#endif
    }
    EXPECT(!mt_errors);
    /* nothing lost, nothing handed out twice */
    for (;;) {
        void *o = ars_pool_mt_alloc(&mt_pool);
        if (!o) break;
        ASSERT(n < MT_OBJS);
        for (i = 0; i < n; i++) EXPECT(seen[i] != o);
        seen[n++] = o;
    }
    EXPECT_EQ(n, MT_OBJS);
    ars_pool_mt_deinit(&mt_pool);
}
#endif

/* ----------------------------------------------------------------- malloc */

static void test_malloc_adapter(void) {
    ars_allocator a = ars_malloc_allocator();
    size_t al;
#if defined(T_HOSTED)
    for (al = 1; al <= 4096; al *= 2) {
        unsigned char *p = (unsigned char *)a.alloc(a.ctx, 100, al);
        ASSERT(p != NULL);
        EXPECT(((uintptr_t)p & (al - 1)) == 0);
        fill(p, 100, 5);
        EXPECT(same(p, 100, 5));
        a.free(a.ctx, p, 100);
    }
    EXPECT(a.alloc(a.ctx, (size_t)-1, 8) == NULL);
    EXPECT(a.alloc(a.ctx, 10, 12) == NULL);
#else
    (void)al;
    EXPECT(a.alloc(a.ctx, 10, 8) == NULL);   /* freestanding: no default malloc */
#endif
    EXPECT(ars_strerror(ARS_ENOMEM) != NULL);
}

/* ------------------------------------------------ ASan catches use-after-free */
#if defined(T_ASAN) && defined(T_PTHREADS)
static int asan_child_dies(void (*fn)(void)) {
    int fds[2], status = 0;
    pid_t pid;
    char buf[8192];
    size_t got = 0;
    ssize_t r;
    if (pipe(fds)) return 0;
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        fn();
        _exit(0);            /* reaching here means ASan missed it */
    }
    close(fds[1]);
    while ((r = read(fds[0], buf + got, sizeof buf - 1 - got)) > 0) got += (size_t)r;
    buf[got] = 0;
    close(fds[0]);
    waitpid(pid, &status, 0);
    return !(WIFEXITED(status) && WEXITSTATUS(status) == 0) && strstr(buf, "AddressSanitizer") != NULL
           && strstr(buf, "use-after-poison") != NULL;
}
static void uaf_pool(void) {
    ars_pool p;
    volatile char *o;
    ars_pool_init(&p, 32, 0, pool_buf, sizeof pool_buf);
    o = (volatile char *)ars_pool_alloc(&p);
    o[0] = 1;
    ars_pool_free(&p, (void *)o);
    o[5] = 2;
}
static void uaf_arena(void) {
    ars_arena a;
    ars_arena_pos m;
    volatile char *o;
    ars_arena_init_parent(&a, NULL, 0);
    m = ars_arena_mark(&a);
    o = (volatile char *)ars_arena_alloc(&a, 64);
    o[0] = 1;
    ars_arena_rewind(&a, m);
    o[10] = 2;
}
static void uaf_heap(void) {
    ars_heap h;
    volatile char *o;
    ars_heap_init(&h, heap_mem, 4096);
    o = (volatile char *)ars_heap_alloc(&h, 64);
    o[0] = 1;
    ars_heap_free(&h, (void *)o);
    o[20] = 2;
}
static void overflow_heap(void) {
    ars_heap h;
    volatile char *o;
    ars_heap_init(&h, heap_mem, 4096);
    o = (volatile char *)ars_heap_alloc(&h, 61);
    o[61] = 1;   /* one past the size asked for */
}
static void test_asan_catches_use_after_free(void) {
    EXPECT(asan_child_dies(uaf_pool));
    EXPECT(asan_child_dies(uaf_arena));
    EXPECT(asan_child_dies(uaf_heap));
    EXPECT(asan_child_dies(overflow_heap));
}
#endif

static void test_no_stray_asserts(void) { EXPECT_EQ(t_asserts, 0); }

int main(void) {
    ARS_RUN(test_heap_limits);
    ARS_RUN(test_heap_split_and_realloc_edges);
    ARS_RUN(test_heap_coalesce_orders);
    ARS_RUN(test_heap_small_regions);
    ARS_RUN(test_heap_aligned_kept_by_realloc);
    ARS_RUN(test_heap_regions_and_adapter);
    ARS_RUN(test_heap_check_detects_corruption);
#if ARSENAL_ALLOC_DEBUG
    ARS_RUN(test_heap_debug_double_free);
    ARS_RUN(test_heap_debug_aligned_double_free);
#endif
    ARS_RUN(test_heap_random_seed1);
    ARS_RUN(test_heap_random_seed2);
    ARS_RUN(test_heap_random_seed3);
    ARS_RUN(test_heap_random_cache);
#if ARSENAL_ALLOC_HEAP_CACHE_CLASSES > 0
    ARS_RUN(test_heap_cache_peak);
    ARS_RUN(test_heap_cache_realloc_grows);
#endif
    ARS_RUN(test_arena_fixed);
    ARS_RUN(test_arena_rounding);
    ARS_RUN(test_arena_nested_marks);
    ARS_RUN(test_arena_parent_fault_injection);
    ARS_RUN(test_arena_allocator_adapter);
    ARS_RUN(test_arena_huge_align);
    ARS_RUN(test_pool_fixed_capacity);
    ARS_RUN(test_pool_stats_of_empty_pool);
    ARS_RUN(test_pool_stats_random);
    ARS_RUN(test_pool_grow_fault_injection);
    ARS_RUN(test_pool_random_and_adapter);
#ifndef ARSENAL_ALLOC_NO_ATOMICS
    ARS_RUN(test_pool_mt_single);
    ARS_RUN(test_pool_mt_head_aligned);
    ARS_RUN(test_pool_mt_count_limit);
#endif
#if defined(T_PTHREADS) || defined(T_WINTHREADS)
    ARS_RUN(test_pool_mt_threads);
#endif
    ARS_RUN(test_malloc_adapter);
#if defined(T_ASAN) && defined(T_PTHREADS)
    ARS_RUN(test_asan_catches_use_after_free);
#endif
    ARS_RUN(test_no_stray_asserts);
    return ars_test_report();
}
