/* test_compress.c - tests for arsenal_compress.h
   ars-test-libs: -llz4
   ars-test-legs: native asan valgrind musl cross wine firmware
   ars-test-fwflags-arm: -Ibuild/sysroot/src/lz4/lib -DLZ4_USER_MEMORY_FUNCTIONS -DLZ4_HEAPMODE=1 build/sysroot/src/lz4/lib/lz4.c build/sysroot/src/lz4/lib/lz4hc.c -Wl,--defsym=__stack_size=0x10000
   ars-test-fwflags-riscv: --specs=picolibc.specs -Ibuild/sysroot/src/lz4/lib -DLZ4_USER_MEMORY_FUNCTIONS -DLZ4_HEAPMODE=1 build/sysroot/src/lz4/lib/lz4.c build/sysroot/src/lz4/lib/lz4hc.c -Wl,--defsym=__stack_size=0x10000

   Firmware: liblz4's lz4.c and lz4hc.c (the source of Debian's lz4 package,
   unpacked by tests/cross_sysroot.sh to build/sysroot/src/lz4) are compiled
   into the image. LZ4_USER_MEMORY_FUNCTIONS: lz4 allocates through
   LZ4_malloc/LZ4_calloc/LZ4_free, defined below on a test heap (an ars_heap
   over the board's free RAM), which also serves the test's malloc/free/
   realloc and the header's default allocator (ARSENAL_MALLOC/ARSENAL_FREE).
   LZ4_HEAPMODE=1: LZ4_compress_fast keeps its 16 KiB state on that heap
   (LZ4HC_HEAPMODE is 1 already: the 64 KiB optimal-parser table of levels
   10..12 is on the heap too). The stack is 64 KiB, not 16: the header's
   ars_lz4_frame_compress keeps an LZ4_stream_t (16 KiB) on the stack, and
   test_block_bounds has 16 KiB of arrays. --specs=picolibc.specs on RISC-V:
   arsenal_compress.h and lz4.c include <string.h> (and xxhash.h <stdlib.h>),
   which bare riscv64-unknown-elf lacks; only headers are used, nothing of
   picolibc is linked (-nostdlib). Sizes are capped (T_MAX_INPUT) to fit the
   4 MiB of RAM on the mps2 boards.
*/
#ifdef ARS_TEST_FREESTANDING
#define ARSENAL_ALLOC_IMPLEMENTATION
#include "../arsenal_alloc.h"
#include "board.h"
static void *t_malloc(size_t n);
static void t_free(void *p);
#define ARSENAL_MALLOC(size) t_malloc(size)
#define ARSENAL_FREE(ptr) t_free(ptr)
#endif
#define ARSENAL_COMPRESS_IMPLEMENTATION
#include "../arsenal_compress.h"
#include "ars_test.h"

#ifdef ARS_TEST_FREESTANDING
#include <string.h>
/* the test heap: every allocation of the test, the header and liblz4 */
static ars_heap t_heap;
static void *t_malloc(size_t n) { return ars_heap_alloc(&t_heap, n); }
static void t_free(void *p) { ars_heap_free(&t_heap, p); }
void *LZ4_malloc(size_t s);
void *LZ4_calloc(size_t n, size_t s);
void LZ4_free(void *p);
/* liblz4's own allocations (LZ4_HEAPMODE=1): counted, and made to fail
   when t_lz4_fail is set */
static long t_lz4_allocs;
static int t_lz4_fail;
void *LZ4_malloc(size_t s) { t_lz4_allocs++; return t_lz4_fail ? NULL : t_malloc(s); }
void *LZ4_calloc(size_t n, size_t s) { t_lz4_allocs++; return t_lz4_fail ? NULL : ars_heap_calloc(&t_heap, n, s); }
void LZ4_free(void *p) { t_free(p); }
#define malloc(n) t_malloc(n)
#define calloc(n, s) ars_heap_calloc(&t_heap, (n), (s))
#define realloc(p, n) ars_heap_realloc(&t_heap, (p), (n))
#define free(p) t_free(p)
/* Largest input of one test (bytes); sizes above it are cut to it (T_CAP),
   the checks are the same. Three buffers of it and an HC state take 2.0 MiB
   of heap; test_frame_streaming (1 MiB blocks, its own cap) takes 2.6 MiB,
   the most of any test, of the mps2 boards' 3.9 MiB. */
#define T_MAX_INPUT 600000u
#else
#include <stdlib.h>
#include <string.h>
#define T_MAX_INPUT 0xFFFFFFFFu
#endif
#define T_CAP(n) ((size_t)(n) < (size_t)T_MAX_INPUT ? (size_t)(n) : (size_t)T_MAX_INPUT)

#ifdef ARS_TEST_QUICK
#define SCALE 8 /* divide the work on slow legs */
#else
#define SCALE 1
#endif

/* ---- data shapes ---- */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void) {
    rng_state ^= rng_state << 13; rng_state ^= rng_state >> 7; rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}
enum { SHAPE_ZERO, SHAPE_RANDOM, SHAPE_TEXT, SHAPE_RUNS, SHAPE_MIXED, SHAPES };
static void fill(unsigned char *p, size_t n, int shape, uint32_t seed) {
    static const char *words[] = { "the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ", "dog\n",
                                   "compress ", "arsenal ", "frame ", "block " };
    size_t i = 0;
    rng_state = 0x9E3779B97F4A7C15ull ^ ((uint64_t)seed * 0x100000001B3ull);
    switch (shape) {
    case SHAPE_ZERO: memset(p, 0, n); break;
    case SHAPE_RANDOM: for (i = 0; i < n; i++) p[i] = (unsigned char)rnd(); break;
    case SHAPE_TEXT:
        while (i < n) {
            const char *w = words[rnd() % 12];
            while (*w && i < n) p[i++] = (unsigned char)*w++;
        }
        break;
    case SHAPE_RUNS:
        while (i < n) {
            size_t run = 1 + rnd() % 300;
            unsigned char c = (unsigned char)rnd();
            while (run-- && i < n) p[i++] = c;
        }
        break;
    default: /* mixed: text with random stretches */
        while (i < n) {
            size_t run = 1 + rnd() % 5000;
            int s = (int)(rnd() % 3);
            if (run > n - i) run = n - i;
            fill(p + i, run, s == 0 ? SHAPE_RANDOM : s == 1 ? SHAPE_TEXT : SHAPE_RUNS, rnd());
            i += run;
        }
        break;
    }
}

/* ---- a counting allocator ---- */
typedef struct { long live; long calls; long fail_at; size_t bytes; } counting;
static void *c_alloc(void *ctx, size_t size, size_t align) {
    counting *c = (counting *)ctx;
    (void)align;
    c->calls++;
    if (c->fail_at && c->calls >= c->fail_at) return NULL;
    c->live++; c->bytes += size;
    return malloc(size);
}
static void c_free(void *ctx, void *p, size_t size) {
    counting *c = (counting *)ctx;
    c->live--; c->bytes -= size;
    free(p);
}

/* ---- memory sink / chunked source ---- */
typedef struct { unsigned char *p; size_t len, cap; int fail_after; } msink;
static int sink_fn(void *ctx, const void *data, size_t n) {
    msink *m = (msink *)ctx;
    if (m->fail_after > 0 && --m->fail_after == 0) return ARS_EIO;
    if (n > m->cap - m->len) {
        size_t nc = (m->cap ? m->cap * 2 : 4096);
        while (nc - m->len < n) nc *= 2;
        m->p = (unsigned char *)realloc(m->p, nc);
        m->cap = nc;
    }
    memcpy(m->p + m->len, data, n);
    m->len += n;
    return 0;
}
typedef struct { const unsigned char *p; size_t len, pos; size_t max_chunk; int fail_at_end; } msource;
static int source_fn(void *ctx, void *buf, size_t cap) {
    msource *s = (msource *)ctx;
    size_t n = s->len - s->pos;
    if (n == 0 && s->fail_at_end) return ARS_EIO;
    if (n > cap) n = cap;
    if (s->max_chunk && n > s->max_chunk) n = 1 + rnd() % s->max_chunk;
    if (n > cap) n = cap;
    memcpy(buf, s->p + s->pos, n);
    s->pos += n;
    return (int)n;
}

/* ===================================================================== */
static void test_block_roundtrip(void) {
    static const size_t sizes[] = { 0, 1, 2, 3, 7, 12, 13, 15, 16, 17, 64, 100, 255, 256, 1000, 4095,
                                    65535, 65536, 65537, 200000, 1048579 };
    static const int levels[] = { -20, -1, 0, 2, 3, 9, 12 };
    size_t si, maxn = T_CAP(1048579);
    unsigned char *src = (unsigned char *)malloc(maxn), *dst, *back = (unsigned char *)malloc(maxn);
    dst = (unsigned char *)malloc(ars_lz4_compress_bound(maxn));
    ASSERT(src && dst && back);
    for (si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        int shape, li;
        size_t n = T_CAP(sizes[si]);
        for (shape = 0; shape < SHAPES; shape++) {
            fill(src, n, shape, (uint32_t)(si * 7 + (size_t)shape));
            for (li = 0; li < 7; li++) {
                int c, d;
                if (levels[li] >= 3 && n > 70000 / SCALE) continue; /* HC is slow: small sizes only */
                if (SCALE > 1 && n > 200000 && li != 2) continue;
                c = ars_lz4_compress(src, n, dst, ars_lz4_compress_bound(n), levels[li], NULL);
                if (!EXPECT(c > 0)) continue;
                EXPECT((size_t)c <= ars_lz4_compress_bound(n));
                d = ars_lz4_decompress(dst, (size_t)c, back, n);
                EXPECT_EQ(d, (long long)n);
                EXPECT(d < 0 || memcmp(src, back, n) == 0);
            }
        }
    }
    free(src); free(dst); free(back);
}

static void test_block_bounds(void) {
    unsigned char src[4096], dst[8192], back[4096];
    void *state;
    size_t ss;
    int c, d;
    fill(src, sizeof src, SHAPE_RANDOM, 1);
    EXPECT_EQ(ars_lz4_compress(src, sizeof src, dst, 100, 0, NULL), ARS_EOVERFLOW);
    EXPECT_EQ(ars_lz4_compress(src, sizeof src, dst, 100, 9, NULL), ARS_EOVERFLOW);
    EXPECT_EQ(ars_lz4_compress(NULL, 5, dst, 100, 0, NULL), ARS_EINVAL);
    EXPECT_EQ(ars_lz4_compress_bound((size_t)ARS_LZ4_MAX_INPUT + 1), 0);
    EXPECT(ars_lz4_compress_bound(0) > 0);
    /* caller-provided state, fast and HC */
    ss = ars_lz4_state_size(9);
    EXPECT(ss >= ars_lz4_state_size(0));
    state = malloc(ss);
    fill(src, sizeof src, SHAPE_TEXT, 2);
    c = ars_lz4_compress_with_state(state, ss, src, sizeof src, dst, sizeof dst, 9);
    EXPECT(c > 0 && c < 4096);
    d = ars_lz4_decompress(dst, (size_t)c, back, sizeof back);
    EXPECT_EQ(d, 4096);
    EXPECT(memcmp(src, back, sizeof src) == 0);
    c = ars_lz4_compress_with_state(state, ss, src, sizeof src, dst, sizeof dst, -3);
    EXPECT(c > 0);
    EXPECT_EQ(ars_lz4_decompress(dst, (size_t)c, back, sizeof back), 4096);
    EXPECT_EQ(ars_lz4_compress_with_state(state, 16, src, sizeof src, dst, sizeof dst, 0), ARS_EINVAL);
    free(state);
    /* output larger than dst_cap is refused, not overrun */
    c = ars_lz4_compress(src, sizeof src, dst, sizeof dst, 0, NULL);
    EXPECT_EQ(ars_lz4_decompress(dst, (size_t)c, back, 4095), ARS_ECORRUPT);
    EXPECT_EQ(ars_lz4_decompress(dst, 0, back, 4096), ARS_ECORRUPT);
    /* a custom allocator is used for HC state and everything is returned */
    {
        counting cnt = { 0, 0, 0, 0 };
        ars_allocator a;
        a.alloc = c_alloc; a.free = c_free; a.ctx = &cnt;
        c = ars_lz4_compress(src, sizeof src, dst, sizeof dst, 9, &a);
        EXPECT(c > 0);
        EXPECT_EQ(cnt.calls, 1);
        EXPECT_EQ(cnt.live, 0);
        cnt.fail_at = 1; cnt.calls = 0;
        EXPECT_EQ(ars_lz4_compress(src, sizeof src, dst, sizeof dst, 9, &a), ARS_ENOMEM);
    }
}

#ifdef ARS_TEST_FREESTANDING
/* Fast levels never allocate, as documented, also with liblz4 built with
   LZ4_HEAPMODE=1 (what the header recommends for firmware): there
   LZ4_compress_fast allocates its 16 KiB state, and when that failed
   ars_lz4_compress said ARS_EOVERFLOW with room for the worst case. */
static void test_block_fast_no_lz4_alloc(void) {
    unsigned char src[3000], dst[3100], back[3000];
    int c;
    fill(src, sizeof src, SHAPE_TEXT, 11);
    t_lz4_allocs = 0; t_lz4_fail = 1;
    c = ars_lz4_compress(src, sizeof src, dst, sizeof dst, 0, NULL);
    EXPECT(c > 0);
    EXPECT_EQ(ars_lz4_decompress(dst, c > 0 ? (size_t)c : 0, back, sizeof back), (int)sizeof src);
    EXPECT(memcmp(src, back, sizeof src) == 0);
    EXPECT(ars_lz4_compress(src, sizeof src, dst, sizeof dst, -5, NULL) > 0);
    EXPECT(ars_lz4_msg_encode(src, sizeof src, dst, sizeof dst, 1, NULL) < (int)sizeof src); /* compressed */
    t_lz4_fail = 0;
    EXPECT_EQ(t_lz4_allocs, 0);
}
#endif

/* Random damage to valid blocks: never a crash, never an overrun (ASan,
   valgrind); a result is either an error or a size within the buffer. */
static void test_block_corrupt(void) {
    enum { N = 20000 };
    unsigned char *src = (unsigned char *)malloc(N), *dst = (unsigned char *)malloc(ars_lz4_compress_bound(N));
    unsigned char *bad = (unsigned char *)malloc(ars_lz4_compress_bound(N)), *back = (unsigned char *)malloc(N);
    int iter, iters = 3000 / SCALE;
    ASSERT(src && dst && bad && back);
    for (iter = 0; iter < iters; iter++) {
        int c, d, k, flips;
        size_t n = 1 + rnd() % N, len;
        fill(src, n, iter % SHAPES, (uint32_t)iter);
        c = ars_lz4_compress(src, n, dst, ars_lz4_compress_bound(n), 0, NULL);
        ASSERT(c > 0);
        len = (size_t)c;
        memcpy(bad, dst, len);
        flips = 1 + (int)(rnd() % 4);
        for (k = 0; k < flips; k++) bad[rnd() % len] ^= (unsigned char)(1u << (rnd() % 8));
        if (iter % 3 == 0) len = rnd() % len; /* truncated too */
        d = ars_lz4_decompress(bad, len, back, n);
        EXPECT(d == ARS_ECORRUPT || (d >= 0 && (size_t)d <= n));
    }
    /* pure garbage */
    for (iter = 0; iter < iters; iter++) {
        size_t len = 1 + rnd() % 300, k;
        int d;
        for (k = 0; k < len; k++) bad[k] = (unsigned char)rnd();
        d = ars_lz4_decompress(bad, len, back, 1000);
        EXPECT(d == ARS_ECORRUPT || (d >= 0 && d <= 1000));
    }
    free(src); free(dst); free(bad); free(back);
}

/* ---- frames ---- */
static const unsigned char lz4cli_hello[] = { /* printf 'hello\n' | lz4 */
    0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7, 0x06, 0x00, 0x00, 0x80, 0x68, 0x65,
    0x6c, 0x6c, 0x6f, 0x0a, 0x00, 0x00, 0x00, 0x00, 0xf9, 0x5b, 0x6b, 0x94 };
static const unsigned char lz4cli_hello2[] = { /* lz4 -BX -B4 --content-size */
    0x04, 0x22, 0x4d, 0x18, 0x7c, 0x40, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x79, 0x06, 0x00, 0x00, 0x80, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0a, 0xf9,
    0x5b, 0x6b, 0x94, 0x00, 0x00, 0x00, 0x00, 0xf9, 0x5b, 0x6b, 0x94 };

static void test_frame_known(void) {
    char out[64];
    unsigned char frame[64];
    ars_lz4_frame_opts o = ARS_LZ4_FRAME_OPTS_DEFAULT;
    int n;
    EXPECT_EQ(ars_lz4_frame_decompress(lz4cli_hello, sizeof lz4cli_hello, out, sizeof out), 6);
    EXPECT(memcmp(out, "hello\n", 6) == 0);
    EXPECT_EQ(ars_lz4_frame_decompress(lz4cli_hello2, sizeof lz4cli_hello2, out, sizeof out), 6);
    EXPECT(memcmp(out, "hello\n", 6) == 0);
    /* what we write for the same options is byte-identical to lz4's output */
    o.block_size = 65536;
    n = ars_lz4_frame_compress("hello\n", 6, frame, sizeof frame, &o);
    EXPECT_EQ(n, (long long)sizeof lz4cli_hello);
    EXPECT(n > 0 && memcmp(frame, lz4cli_hello, sizeof lz4cli_hello) == 0);
    o.block_checksum = 1; o.content_size = 6;
    n = ars_lz4_frame_compress("hello\n", 6, frame, sizeof frame, &o);
    EXPECT_EQ(n, (long long)sizeof lz4cli_hello2);
    EXPECT(n > 0 && memcmp(frame, lz4cli_hello2, sizeof lz4cli_hello2) == 0);
    /* the empty frame: header, end mark, XXH32("") = 0x02CC5D05 */
    n = ars_lz4_frame_compress("", 0, frame, sizeof frame, NULL);
    EXPECT_EQ(n, 15);
    EXPECT(frame[11] == 0x05 && frame[12] == 0x5D && frame[13] == 0xCC && frame[14] == 0x02);
    EXPECT_EQ(ars_lz4_frame_decompress(frame, (size_t)n, out, sizeof out), 0);
    /* bad options */
    o.block_size = 1000;
    EXPECT_EQ(ars_lz4_frame_compress("x", 1, frame, sizeof frame, &o), ARS_EINVAL);
    EXPECT_EQ(ars_lz4_frame_bound(1, &o), 0);
    o.block_size = 0; o.content_size = 5;
    EXPECT_EQ(ars_lz4_frame_compress("x", 1, frame, sizeof frame, &o), ARS_EINVAL);
    EXPECT_EQ(ars_lz4_frame_decompress("", 0, out, sizeof out), ARS_ECORRUPT);
}

static void test_frame_roundtrip(void) {
    static const size_t bss[] = { 65536, 262144, 1048576, 4194304 };
    static const size_t sizes[] = { 0, 1, 1000, 65535, 65536, 65537, 300000, 1100000 };
    size_t maxn = T_CAP(1100000), cap = ars_lz4_frame_bound(maxn, NULL) + 4096 * 8;
    unsigned char *src = (unsigned char *)malloc(maxn), *dst = (unsigned char *)malloc(cap);
    unsigned char *back = (unsigned char *)malloc(maxn);
    int combo;
    ASSERT(src && dst && back);
    for (combo = 0; combo < 64; combo++) {
        ars_lz4_frame_opts o = ARS_LZ4_FRAME_OPTS_DEFAULT;
        size_t si;
        o.block_size = bss[combo & 3];
        o.linked = (combo >> 2) & 1;
        o.content_checksum = (combo >> 3) & 1;
        o.block_checksum = (combo >> 4) & 1;
        o.level = (combo >> 5) ? 9 : (combo & 1 ? -2 : 0);
        if (SCALE > 1 && (combo % 5)) continue;
        for (si = 0; si < sizeof sizes / sizeof *sizes; si++) {
            size_t n = T_CAP(sizes[si]);
            int c, d;
            if (o.level >= 3 && n > 300000 / SCALE) continue;
            fill(src, n, (int)((si + (size_t)combo) % SHAPES), (uint32_t)(combo * 31 + (int)si));
            o.content_size = (si & 1) ? n : 0;
            c = ars_lz4_frame_compress(src, n, dst, ars_lz4_frame_bound(n, &o), &o);
            if (!EXPECT(c > 0)) continue;
            d = ars_lz4_frame_decompress(dst, (size_t)c, back, maxn);
            EXPECT_EQ(d, (long long)n);
            EXPECT(d < 0 || memcmp(src, back, n) == 0);
            /* a frame buffer of exactly the frame's size is enough; one byte less is not */
            if (combo % 4 == 0) {
                EXPECT_EQ(ars_lz4_frame_compress(src, n, dst, (size_t)c, &o), c);
                EXPECT_EQ(ars_lz4_frame_decompress(dst, (size_t)c, back, maxn), (long long)n);
                EXPECT(memcmp(src, back, n) == 0);
                EXPECT_EQ(ars_lz4_frame_compress(src, n, dst, (size_t)c - 1, &o), ARS_EOVERFLOW);
                c = ars_lz4_frame_compress(src, n, dst, ars_lz4_frame_bound(n, &o), &o);
            }
            /* exactly-sized output works; one byte less is an overflow */
            if (n) {
                EXPECT_EQ(ars_lz4_frame_decompress(dst, (size_t)c, back, n), (long long)n);
                EXPECT_EQ(ars_lz4_frame_decompress(dst, (size_t)c, back, n - 1), ARS_EOVERFLOW);
            }
        }
    }
    free(src); free(dst); free(back);
}

/* Linked blocks with too little room for one block's worst case: that block
   is stored as it is and the blocks after it still refer back correctly
   (lz4.h leaves a stream undefined after a failed _continue). */
static void test_frame_linked_tight(void) {
    enum { K = 65536, N = 2 * K + 2000 };
    unsigned char *src = (unsigned char *)malloc(N), *back = (unsigned char *)malloc(N);
    size_t cap = ars_lz4_frame_bound(N, NULL);
    unsigned char *dst = (unsigned char *)malloc(cap);
    int level;
    ASSERT(src && back && dst);
    fill(src, K, SHAPE_TEXT, 5);
    fill(src + K, K, SHAPE_RANDOM, 6);         /* incompressible: stored */
    memcpy(src + 2 * K, src + K + 1000, 2000); /* the last block repeats part of it */
    for (level = 0; level <= 9; level += 9) {
        ars_lz4_frame_opts o = ARS_LZ4_FRAME_OPTS_DEFAULT;
        int c, t;
        o.block_size = K; o.linked = 1; o.level = level;
        c = ars_lz4_frame_compress(src, N, dst, cap, &o);
        ASSERT(c > 0);
        EXPECT((size_t)c < N - 1000);         /* the last block matched back */
        EXPECT_EQ(ars_lz4_frame_decompress(dst, (size_t)c, back, N), N);
        EXPECT(memcmp(src, back, N) == 0);
        /* 100 bytes more than c: the random block gets less room than its
           bound (the last block is small), so its compression fails and it
           is stored; the stream goes on, and the last block is compressed
           against it (its output may differ from the roomy run) */
        t = ars_lz4_frame_compress(src, 2 * K, dst, cap, &o);
        ASSERT(t > 0);
        EXPECT(c - t < 100);                   /* the last block is that small */
        t = ars_lz4_frame_compress(src, N, dst, (size_t)c + 100, &o);
        ASSERT(t > 0);
        EXPECT((size_t)t < N - 1000);
        EXPECT_EQ(ars_lz4_frame_decompress(dst, (size_t)t, back, N), N);
        EXPECT(memcmp(src, back, N) == 0);
    }
    free(src); free(back); free(dst);
}

/* Writer fed in random pieces (with flushes), reader pulling random pieces
   from a source that returns random chunks: both agree with the buffer API. */
static void test_frame_streaming(void) {
#ifdef ARS_TEST_FREESTANDING
    size_t maxn = 150000; /* with a 1 MiB-block writer or reader (2.1 MiB each): 2.6 MiB */
#else
    size_t maxn = 2500000 / SCALE;
#endif
    unsigned char *src = (unsigned char *)malloc(maxn), *back = (unsigned char *)malloc(maxn);
    int iter;
    ASSERT(src && back);
    for (iter = 0; iter < 24; iter++) {
        static const size_t bss[] = { 65536, 262144, 1048576, 4194304 };
        ars_lz4_frame_opts o = ARS_LZ4_FRAME_OPTS_DEFAULT;
        ars_lz4_writer *w;
        ars_lz4_reader *r;
        msink m = { NULL, 0, 0, 0 };
        msource s;
        size_t n, pos = 0, got = 0;
        int k, frames = 1 + (iter % 3), f;
#ifdef ARS_TEST_FREESTANDING
        /* 4 MiB blocks cannot run in firmware: the writer holds a block and
           its compressed bound (8 MiB) and the reader a block in and out,
           more than the 4 MiB of RAM of the mps2 boards */
        if (bss[iter & 3] > 1048576) continue;
#endif
        n = rnd() % maxn;
        o.block_size = bss[iter & 3];
        o.linked = (iter >> 2) & 1;
        o.block_checksum = iter % 3 == 0;
        o.content_checksum = iter % 5 != 0;
        o.level = iter % 7 == 0 ? 4 : 0;
        if (o.level) n /= 8;
        fill(src, n, iter % SHAPES, (uint32_t)iter);
        ASSERT_EQ(ars_lz4_writer_create(&w, &o, sink_fn, &m, NULL), 0);
        /* the data split over `frames` frames, each written in random pieces */
        for (f = 0; f < frames; f++) {
            size_t end = f == frames - 1 ? n : pos + (n - pos) / 2;
            while (pos < end) {
                size_t piece = rnd() % 3 ? rnd() % 5000 : rnd() % 600000;
                if (piece > end - pos) piece = end - pos;
                EXPECT_EQ(ars_lz4_writer_write(w, src + pos, piece), 0);
                pos += piece;
                if (rnd() % 17 == 0) EXPECT_EQ(ars_lz4_writer_flush(w), 0);
            }
            EXPECT_EQ(ars_lz4_writer_finish(w), 0);
        }
        ars_lz4_writer_destroy(w);
        /* one buffer holding all frames decodes in one call */
        EXPECT_EQ(ars_lz4_frame_decompress(m.p, m.len, back, maxn), (long long)n);
        EXPECT(memcmp(src, back, n) == 0);
        /* the reader, in pieces */
        s.p = m.p; s.len = m.len; s.pos = 0; s.max_chunk = iter & 1 ? 7 + rnd() % 70000 : 0; s.fail_at_end = 0;
        ASSERT_EQ(ars_lz4_reader_create(&r, source_fn, &s, 0, NULL), 0);
        memset(back, 0, n);
        for (;;) {
            size_t want = 1 + rnd() % 100000;
            if (want > maxn - got) want = maxn - got;
            k = ars_lz4_reader_read(r, back + got, want);
            if (k <= 0) break;
            got += (size_t)k;
        }
        EXPECT_EQ(k, 0);
        EXPECT_EQ(got, n);
        EXPECT(memcmp(src, back, n) == 0);
        EXPECT_EQ(ars_lz4_reader_read(r, back, 10), 0); /* stays at the end */
        ars_lz4_reader_destroy(r);
        free(m.p);
    }
    free(src); free(back);
}

/* Reads with room for a whole block decode straight into the caller's
   buffer (independent blocks): same bytes, checksums still verified, and
   pending data from a smaller read is returned first. */
static void test_frame_reader_direct(void) {
    enum { N = 300000 };
    unsigned char *src = (unsigned char *)malloc(N), *frame = (unsigned char *)malloc(N + 4096);
    unsigned char *back = (unsigned char *)malloc(N + 65536);
    int variant;
    ASSERT(src && frame && back);
    fill(src, N, SHAPE_MIXED, 77);
    for (variant = 0; variant < 4; variant++) {
        ars_lz4_frame_opts o = ARS_LZ4_FRAME_OPTS_DEFAULT;
        ars_lz4_reader *r;
        msource s;
        size_t got = 0, first = variant & 1 ? 1000 : 0;
        int c, k;
        o.block_size = 65536; o.block_checksum = variant >> 1; o.content_size = variant == 3 ? N : 0;
        c = ars_lz4_frame_compress(src, N, frame, N + 4096, &o);
        ASSERT(c > 0);
        s.p = frame; s.len = (size_t)c; s.pos = 0; s.max_chunk = 0; s.fail_at_end = 0;
        ASSERT_EQ(ars_lz4_reader_create(&r, source_fn, &s, 0, NULL), 0);
        if (first) { EXPECT_EQ(ars_lz4_reader_read(r, back, first), (int)first); got = first; }
        while ((k = ars_lz4_reader_read(r, back + got, variant == 2 ? 65536 : N + 65536 - got)) > 0) {
            EXPECT(k <= 65536);
            got += (size_t)k;
        }
        EXPECT_EQ(k, 0);
        EXPECT_EQ(got, (size_t)N);
        EXPECT(memcmp(src, back, N) == 0);
        ars_lz4_reader_destroy(r);
        /* a wrong content checksum is still caught on this path */
        frame[c - 1] ^= 0x40;
        s.pos = 0;
        ASSERT_EQ(ars_lz4_reader_create(&r, source_fn, &s, 0, NULL), 0);
        while ((k = ars_lz4_reader_read(r, back, N)) > 0) {}
        EXPECT_EQ(k, ARS_ECORRUPT);
        ars_lz4_reader_destroy(r);
    }
    free(src); free(frame); free(back);
}

static void test_frame_stream_calls(void) {
    size_t n = 700000 / SCALE;
    unsigned char *src = (unsigned char *)malloc(n);
    msink c = { NULL, 0, 0, 0 }, d = { NULL, 0, 0, 0 };
    msource s;
    ars_lz4_frame_opts o = ARS_LZ4_FRAME_OPTS_DEFAULT;
    counting cnt = { 0, 0, 0, 0 };
    ars_allocator a;
    a.alloc = c_alloc; a.free = c_free; a.ctx = &cnt;
    ASSERT(src);
    fill(src, n, SHAPE_MIXED, 99);
    o.block_size = 65536; o.linked = 1; o.block_checksum = 1;
    s.p = src; s.len = n; s.pos = 0; s.max_chunk = 30000; s.fail_at_end = 0;
    EXPECT_EQ(ars_lz4_compress_stream(source_fn, &s, sink_fn, &c, &o, &a), 0);
    EXPECT_EQ(cnt.live, 0);
    s.p = c.p; s.len = c.len; s.pos = 0; s.max_chunk = 999;
    EXPECT_EQ(ars_lz4_decompress_stream(source_fn, &s, sink_fn, &d, 0, &a), 0);
    EXPECT_EQ(cnt.live, 0);
    EXPECT_EQ(d.len, n);
    EXPECT(d.len == n && memcmp(d.p, src, n) == 0);
    /* the reader's block limit */
    s.pos = 0; d.len = 0;
    EXPECT_EQ(ars_lz4_decompress_stream(source_fn, &s, sink_fn, &d, 65536, NULL), 0);
    {
        msink e = { NULL, 0, 0, 0 };
        o.block_size = 262144;
        s.p = src; s.len = n; s.pos = 0;
        EXPECT_EQ(ars_lz4_compress_stream(source_fn, &s, sink_fn, &e, &o, NULL), 0);
        s.p = e.p; s.len = e.len; s.pos = 0; d.len = 0;
        EXPECT_EQ(ars_lz4_decompress_stream(source_fn, &s, sink_fn, &d, 65536, NULL), ARS_EOVERFLOW);
        free(e.p);
    }
    /* source and sink errors are passed through */
    s.p = src; s.len = n; s.pos = 0; s.fail_at_end = 1;
    d.len = 0;
    EXPECT_EQ(ars_lz4_compress_stream(source_fn, &s, sink_fn, &d, &o, NULL), ARS_EIO);
    s.p = c.p; s.len = c.len / 2; s.pos = 0; s.fail_at_end = 1;
    EXPECT_EQ(ars_lz4_decompress_stream(source_fn, &s, sink_fn, &d, 0, NULL), ARS_EIO);
    s.pos = 0; s.fail_at_end = 0;
    EXPECT_EQ(ars_lz4_decompress_stream(source_fn, &s, sink_fn, &d, 0, NULL), ARS_ECORRUPT); /* truncated */
    {   /* the reader: what was decoded comes first, then the source's error,
           then ARS_ESTATE */
        ars_lz4_reader *r;
        unsigned char *buf = (unsigned char *)malloc(n);
        size_t got = 0;
        int k;
        ASSERT(buf != NULL);
        s.len = c.len - 20; s.pos = 0; s.fail_at_end = 1; /* the last block is cut */
        ASSERT_EQ(ars_lz4_reader_create(&r, source_fn, &s, 0, NULL), 0);
        while ((k = ars_lz4_reader_read(r, buf + got, n - got)) > 0) got += (size_t)k;
        EXPECT_EQ(k, ARS_EIO);
        EXPECT(got > 0 && got < n && memcmp(buf, src, got) == 0);
        EXPECT_EQ(ars_lz4_reader_read(r, buf, n), ARS_ESTATE);
        ars_lz4_reader_destroy(r);
        free(buf);
    }
    {
        ars_lz4_writer *w;
        msink f = { NULL, 0, 0, 2 };
        o.block_size = 65536;
        ASSERT_EQ(ars_lz4_writer_create(&w, &o, sink_fn, &f, &a), 0);
        EXPECT_EQ(ars_lz4_writer_write(w, src, n), ARS_EIO); /* n > one block */
        EXPECT_EQ(ars_lz4_writer_write(w, src, 10), ARS_ESTATE);
        EXPECT_EQ(ars_lz4_writer_finish(w), ARS_ESTATE);
        ars_lz4_writer_destroy(w);
        EXPECT_EQ(cnt.live, 0);
        free(f.p);
    }
    {   /* a writer promised content_size bytes */
        ars_lz4_writer *w;
        msink f = { NULL, 0, 0, 0 };
        o.content_size = 100;
        ASSERT_EQ(ars_lz4_writer_create(&w, &o, sink_fn, &f, NULL), 0);
        EXPECT_EQ(ars_lz4_writer_write(w, src, 101), ARS_EINVAL);
        EXPECT_EQ(ars_lz4_writer_write(w, src, 60), 0);
        EXPECT_EQ(ars_lz4_writer_finish(w), ARS_EINVAL);
        ars_lz4_writer_destroy(w);
        free(f.p);
    }
    cnt.fail_at = 1; cnt.calls = 0;
    {
        ars_lz4_writer *w = (ars_lz4_writer *)&cnt;
        ars_lz4_reader *r = (ars_lz4_reader *)&cnt;
        EXPECT_EQ(ars_lz4_writer_create(&w, &o, sink_fn, &d, &a), ARS_ENOMEM);
        EXPECT(w == NULL);
        EXPECT_EQ(ars_lz4_reader_create(&r, source_fn, &s, 0, &a), ARS_ENOMEM);
        EXPECT(r == NULL);
    }
    free(src); free(c.p); free(d.p);
}

/* Skippable frames are skipped, also between data frames. */
static void test_frame_skippable(void) {
    unsigned char buf[256], out[64];
    size_t n = 0;
    int k;
    static const unsigned char skip[] = { 0x5A, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 'a', 'b', 'c' };
    memcpy(buf, skip, sizeof skip); n += sizeof skip;
    memcpy(buf + n, lz4cli_hello, sizeof lz4cli_hello); n += sizeof lz4cli_hello;
    memcpy(buf + n, skip, sizeof skip); n += sizeof skip;
    memcpy(buf + n, lz4cli_hello2, sizeof lz4cli_hello2); n += sizeof lz4cli_hello2;
    k = ars_lz4_frame_decompress(buf, n, out, sizeof out);
    EXPECT_EQ(k, 12);
    EXPECT(memcmp(out, "hello\nhello\n", 12) == 0);
    {
        ars_lz4_reader *r;
        msource s;
        s.p = buf; s.len = n; s.pos = 0; s.max_chunk = 3; s.fail_at_end = 0;
        ASSERT_EQ(ars_lz4_reader_create(&r, source_fn, &s, 0, NULL), 0);
        k = 0;
        for (;;) { int g = ars_lz4_reader_read(r, out + k, 5); if (g <= 0) { EXPECT_EQ(g, 0); break; } k += g; }
        EXPECT_EQ(k, 12);
        ars_lz4_reader_destroy(r);
    }
    EXPECT_EQ(ars_lz4_frame_decompress(skip, sizeof skip - 1, out, sizeof out), ARS_ECORRUPT);
}

/* Every truncation and every single-byte change of a checksummed frame is an
   error, in the buffer decoder and in the reader. */
static void test_frame_damage(void) {
    enum { N = 3000 };
    unsigned char src[N], frame[N + 200], bad[N + 200], back[N];
    ars_lz4_frame_opts o = ARS_LZ4_FRAME_OPTS_DEFAULT;
    int n, i, variant;
    for (variant = 0; variant < 4; variant++) {
        o.block_size = 65536;
        o.linked = variant & 1;
        o.block_checksum = 1; o.content_checksum = 1;
        o.content_size = variant & 2 ? N : 0;
        fill(src, N, variant == 3 ? SHAPE_RANDOM : SHAPE_TEXT, (uint32_t)variant);
        n = ars_lz4_frame_compress(src, N, frame, sizeof frame, &o);
        ASSERT(n > 0);
        for (i = 0; i < n; i++) {
            int d;
            EXPECT_EQ(ars_lz4_frame_decompress(frame, (size_t)i, back, N), ARS_ECORRUPT);
            memcpy(bad, frame, (size_t)n);
            bad[i] ^= (unsigned char)(1u << (i % 8));
            d = ars_lz4_frame_decompress(bad, (size_t)n, back, N);
            if (!EXPECT(d < 0)) { ars_test_putl(i); ars_test_putc('\n'); }
            if (i % 7 == 0 || i < 20) {
                ars_lz4_reader *r;
                msource s;
                int k;
                s.p = bad; s.len = (size_t)n; s.pos = 0; s.max_chunk = 0; s.fail_at_end = 0;
                ASSERT_EQ(ars_lz4_reader_create(&r, source_fn, &s, 0, NULL), 0);
                while ((k = ars_lz4_reader_read(r, back, N)) > 0) {}
                EXPECT(k < 0);
                ars_lz4_reader_destroy(r);
                s.p = frame; s.len = (size_t)i; s.pos = 0;
                ASSERT_EQ(ars_lz4_reader_create(&r, source_fn, &s, 0, NULL), 0);
                while ((k = ars_lz4_reader_read(r, back, N)) > 0) {}
                EXPECT_EQ(k, ARS_ECORRUPT);
                ars_lz4_reader_destroy(r);
            }
        }
    }
}

/* A corrupt linked block is ARS_ECORRUPT also when dst has less room left
   than a whole block (it was ARS_EOVERFLOW, "does not fit", whatever the
   damage: a buffer sized to the content could never tell corrupt input from
   a short buffer). Frame: a stored 16-byte block, then a compressed block
   whose first match reaches 100 bytes back, before the frame's start. */
static unsigned char lcs_frame[96];
static size_t lcs_make(size_t header, unsigned char token, unsigned char offset) {
    size_t n = header;
    unsigned char *f = lcs_frame;
    f[n++] = 16; f[n++] = 0; f[n++] = 0; f[n++] = 0x80;      /* stored, 16 bytes */
    memcpy(f + n, "0123456789abcdef", 16); n += 16;
    f[n++] = 17; f[n++] = 0; f[n++] = 0; f[n++] = 0;         /* compressed, 17 bytes: */
    f[n++] = token; f[n++] = 'x';                            /* 1 literal, */
    f[n++] = offset; f[n++] = 0;                             /* a match of 4 + (token & 15), */
    f[n++] = 0xC0; memset(f + n, 'y', 12); n += 12;          /* 12 last literals */
    memset(f + n, 0, 4); n += 4;                             /* end mark */
    return n;
}
static void test_frame_linked_corrupt_small_dst(void) {
    unsigned char out[64], hdr[96];
    ars_lz4_frame_opts o = ARS_LZ4_FRAME_OPTS_DEFAULT;
    size_t n;
    o.block_size = 65536; o.linked = 1; o.content_checksum = 0;
    ASSERT_EQ(ars_lz4_frame_compress("", 0, lcs_frame, sizeof lcs_frame, &o), 11); /* header 7 + end mark */
    n = lcs_make(7, 0x10, 100);
    {   /* room for a whole block after the first: corrupt */
        unsigned char *big = (unsigned char *)malloc(65536 + 16);
        ASSERT(big != NULL);
        EXPECT_EQ(ars_lz4_frame_decompress(lcs_frame, n, big, 65536 + 16), ARS_ECORRUPT);
        free(big);
    }
#if LZ4_VERSION_NUMBER >= 10904 /* needs LZ4_decompress_safe_partial_usingDict */
    EXPECT_EQ(ars_lz4_frame_decompress(lcs_frame, n, out, sizeof out), ARS_ECORRUPT);
    EXPECT_EQ(ars_lz4_frame_decompress(lcs_frame, n, out, 33), ARS_ECORRUPT);
    EXPECT_EQ(ars_lz4_frame_decompress(lcs_frame, n, out, 20), ARS_ECORRUPT);
#endif
    EXPECT_EQ(ars_lz4_frame_decompress(lcs_frame, n, out, 10), ARS_EOVERFLOW); /* the stored block does not fit */
    /* with a valid match (offset 10) it decodes to 33 bytes, and one byte
       less of room is still an overflow */
    n = lcs_make(7, 0x10, 10);
    EXPECT_EQ(ars_lz4_frame_decompress(lcs_frame, n, out, sizeof out), 33);
    EXPECT(memcmp(out, "0123456789abcdefx789ayyyyyyyyyyyy", 33) == 0);
    EXPECT_EQ(ars_lz4_frame_decompress(lcs_frame, n, out, 33), 33);
    EXPECT_EQ(ars_lz4_frame_decompress(lcs_frame, n, out, 32), ARS_EOVERFLOW);
    /* with a content size (33) in the header, which dst holds, a block that
       decodes to more than the content is corrupt, not an overflow */
    o.content_size = 33;
    ASSERT_EQ(ars_lz4_frame_compress(out, 33, hdr, sizeof hdr, &o) > 0, 1);
    memcpy(lcs_frame, hdr, 15);
    n = lcs_make(15, 0x10, 10);
    EXPECT_EQ(ars_lz4_frame_decompress(lcs_frame, n, out, 33), 33);
    n = lcs_make(15, 0x11, 10);                                  /* a match of 5: 34 bytes */
    EXPECT_EQ(ars_lz4_frame_decompress(lcs_frame, n, out, sizeof out), ARS_ECORRUPT);
    EXPECT_EQ(ars_lz4_frame_decompress(lcs_frame, n, out, 33), ARS_ECORRUPT);
}

/* A stored block longer than the content size in the header is corrupt,
   like a compressed one (test_frame_linked_corrupt_small_dst), also when
   dst has room for exactly the declared content: it was ARS_EOVERFLOW
   there ("does not fit"), though dst held all the frame said it holds. */
static void test_frame_stored_over_content_size(void) {
    unsigned char f[96], out[64];
    ars_lz4_frame_opts o = ARS_LZ4_FRAME_OPTS_DEFAULT;
    size_t n;
    int linked;
    for (linked = 0; linked < 2; linked++) {
        o.block_size = 65536; o.linked = linked; o.content_checksum = 0; o.content_size = 20;
        ASSERT_EQ(ars_lz4_frame_compress("01234567890123456789", 20, f, sizeof f, &o) > 0, 1);
        n = 15;                                                  /* header with the content size */
        f[n++] = 30; f[n++] = 0; f[n++] = 0; f[n++] = 0x80;      /* stored, 30 bytes */
        memset(f + n, 'a', 30); n += 30;
        memset(f + n, 0, 4); n += 4;                             /* end mark */
        EXPECT_EQ(ars_lz4_frame_decompress(f, n, out, sizeof out), ARS_ECORRUPT);
        EXPECT_EQ(ars_lz4_frame_decompress(f, n, out, 20), ARS_ECORRUPT);
        EXPECT_EQ(ars_lz4_frame_decompress(f, n, out, 25), ARS_ECORRUPT);
        EXPECT_EQ(ars_lz4_frame_decompress(f, n, out, 19), ARS_EOVERFLOW); /* the content does not fit */
    }
}

/* dst may be NULL when dst_cap is 0 (only !dst with dst_cap > 0 is
   refused): a frame of empty blocks then decodes to 0 bytes. The decoder
   did pointer arithmetic on the NULL dst and passed it to memcpy (undefined
   behaviour: the asan leg, -fsanitize=undefined, stopped here). */
static void test_frame_null_dst(void) {
    unsigned char f[64], g[64];
    ars_lz4_frame_opts o = ARS_LZ4_FRAME_OPTS_DEFAULT;
    int n;
    o.block_size = 65536;
    n = ars_lz4_frame_compress("", 0, f, sizeof f, &o);                 /* header 7, end 4, checksum 4 */
    ASSERT_EQ(n, 15);
    EXPECT_EQ(ars_lz4_frame_decompress(f, (size_t)n, NULL, 0), 0);
    memcpy(g, f, 7);
    g[7] = 0; g[8] = 0; g[9] = 0; g[10] = 0x80;                          /* a stored block of 0 bytes */
    g[11] = 1; g[12] = 0; g[13] = 0; g[14] = 0; g[15] = 0;               /* an LZ4 block of 0 bytes */
    memcpy(g + 16, f + 7, 8);
    EXPECT_EQ(ars_lz4_frame_decompress(g, 24, NULL, 0), 0);
    g[15] = 0x10;                                                        /* ... or of 1 literal: no room */
    EXPECT_EQ(ars_lz4_frame_decompress(g, 24, NULL, 0) < 0, 1);
}

/* Random damage without checksums: no crash, no overrun. */
static void test_frame_fuzzish(void) {
    enum { N = 200000 };
    unsigned char *src = (unsigned char *)malloc(N), *frame = (unsigned char *)malloc(N + 4096);
    unsigned char *back = (unsigned char *)malloc(N);
    int iter, iters = 400 / SCALE;
    ASSERT(src && frame && back);
    for (iter = 0; iter < iters; iter++) {
        ars_lz4_frame_opts o = ARS_LZ4_FRAME_OPTS_DEFAULT;
        size_t n = rnd() % N, len;
        int c, d, k;
        o.block_size = 65536; o.linked = iter & 1; o.content_checksum = 0;
        fill(src, n, iter % SHAPES, (uint32_t)iter + 1000);
        c = ars_lz4_frame_compress(src, n, frame, N + 4096, &o);
        ASSERT(c > 0);
        len = (size_t)c;
        for (k = 0; k < 1 + (int)(rnd() % 3); k++) frame[rnd() % len] = (unsigned char)rnd();
        if (iter % 4 == 0) len = rnd() % len;
        d = ars_lz4_frame_decompress(frame, len, back, N);
        EXPECT(d < 0 || (size_t)d <= N);
        {
            ars_lz4_reader *r;
            msource s;
            s.p = frame; s.len = len; s.pos = 0; s.max_chunk = 5000; s.fail_at_end = 0;
            ASSERT_EQ(ars_lz4_reader_create(&r, source_fn, &s, 0, NULL), 0);
            while ((k = ars_lz4_reader_read(r, back, N)) > 0) {}
            ars_lz4_reader_destroy(r);
        }
    }
    free(src); free(frame); free(back);
}

/* ---- messages ---- */
static void test_msg(void) {
    static const size_t sizes[] = { 0, 1, 5, 16, 100, 4096, 70000, 1000000 };
    size_t si, maxn = T_CAP(1000000), cap = ars_lz4_msg_bound(maxn);
    unsigned char *src = (unsigned char *)malloc(maxn), *msg = (unsigned char *)malloc(cap);
    unsigned char *back = (unsigned char *)malloc(maxn);
    ASSERT(src && msg && back);
    for (si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        int shape;
        for (shape = 0; shape < SHAPES; shape++) {
            size_t n = T_CAP(sizes[si]);
            ars_lz4_msg_info info;
            int m, d;
            memset(&info, 0, sizeof info); /* read below even if a peek fails */
            fill(src, n, shape, (uint32_t)(si * 10 + (size_t)shape));
            m = ars_lz4_msg_encode(src, n, msg, ars_lz4_msg_bound(n), shape == 2 && n < 5000 ? 9 : 0, NULL);
            if (!EXPECT(m >= ARS_LZ4_MSG_HEADER)) continue;
            EXPECT((size_t)m <= ARS_LZ4_MSG_HEADER + n); /* never grows beyond stored */
            EXPECT_EQ(ars_lz4_msg_peek(msg, 15, 1u << 30, &info), ARS_EAGAIN);
            EXPECT_EQ(ars_lz4_msg_peek(msg, 16, 1u << 30, &info), 0);
            EXPECT_EQ(info.message_size, (long long)m);
            EXPECT_EQ(info.content_size, (long long)n);
            d = ars_lz4_msg_decode(msg, (size_t)m, back, n, n);
            EXPECT_EQ(d, (long long)n);
            EXPECT(d < 0 || memcmp(src, back, n) == 0);
            EXPECT_EQ(ars_lz4_msg_decode(msg, (size_t)m - 1, back, n, n), m > ARS_LZ4_MSG_HEADER ? ARS_EAGAIN : ARS_EAGAIN);
            if (n) {
                EXPECT_EQ(ars_lz4_msg_decode(msg, (size_t)m, back, n, n - 1), ARS_EOVERFLOW);
                EXPECT_EQ(ars_lz4_msg_peek(msg, (size_t)m, n - 1, &info), ARS_EOVERFLOW);
                EXPECT_EQ(ars_lz4_msg_decode(msg, (size_t)m, back, n - 1, n), ARS_EOVERFLOW);
                EXPECT_EQ(ars_lz4_msg_encode(src, n, msg, (size_t)m - 1, 0, NULL), ARS_EOVERFLOW);
            }
        }
    }
    /* the largest content a message carries is ARS_LZ4_MAX_INPUT - 16 (encode
       refuses more, peek calls more corrupt): msg_bound is 0 above it, as
       its doc says, so a caller sizing a buffer with it learns the limit
       (it gave a size for up to ARS_LZ4_MAX_INPUT) */
    EXPECT(ars_lz4_msg_bound((size_t)ARS_LZ4_MAX_INPUT - ARS_LZ4_MSG_HEADER) > 0);
    EXPECT_EQ(ars_lz4_msg_bound((size_t)ARS_LZ4_MAX_INPUT - ARS_LZ4_MSG_HEADER + 1), 0);
    EXPECT_EQ(ars_lz4_msg_bound((size_t)ARS_LZ4_MAX_INPUT), 0);
    EXPECT_EQ(ars_lz4_msg_encode(src, (size_t)ARS_LZ4_MAX_INPUT - ARS_LZ4_MSG_HEADER + 1, msg, cap, 0, NULL), ARS_EINVAL);
    /* every single-byte change is caught */
    {
        size_t n = 3000, i;
        int m;
        fill(src, n, SHAPE_TEXT, 5);
        m = ars_lz4_msg_encode(src, n, msg, cap, 0, NULL);
        ASSERT(m > 16 && m < 3000);
        for (i = 0; i < (size_t)m; i++) {
            int d;
            msg[i] ^= (unsigned char)(1u << (i % 8));
            d = ars_lz4_msg_decode(msg, (size_t)m, back, n, n);
            EXPECT(d == ARS_ECORRUPT || d == ARS_EOVERFLOW || d == ARS_EAGAIN);
            msg[i] ^= (unsigned char)(1u << (i % 8));
        }
        msg[0] = 'X';
        EXPECT_EQ(ars_lz4_msg_decode(msg, (size_t)m, back, n, n), ARS_ECORRUPT);
    }
    /* random garbage never decodes and never overruns */
    {
        int iter;
        for (iter = 0; iter < 2000 / SCALE; iter++) {
            size_t len = rnd() % 200, k;
            int d;
            for (k = 0; k < len; k++) msg[k] = (unsigned char)rnd();
            if (len > 3) { msg[0] = 'A'; msg[1] = 'Z'; msg[2] = 1; msg[3] &= 1; }
            d = ars_lz4_msg_decode(msg, len, back, 1000, 1000);
            EXPECT(d < 0);
        }
    }
    free(src); free(msg); free(back);
}

int main(void) {
#ifdef ARS_TEST_FREESTANDING
    if (ars_heap_init(&t_heap, board_heap_start(), board_heap_size()) != 0) return 1;
#endif
    ARS_RUN(test_block_roundtrip);
    ARS_RUN(test_block_bounds);
    ARS_RUN(test_block_corrupt);
#ifdef ARS_TEST_FREESTANDING
    ARS_RUN(test_block_fast_no_lz4_alloc);
#endif
    ARS_RUN(test_frame_known);
    ARS_RUN(test_frame_roundtrip);
    ARS_RUN(test_frame_linked_tight);
    ARS_RUN(test_frame_streaming);
    ARS_RUN(test_frame_reader_direct);
    ARS_RUN(test_frame_stream_calls);
    ARS_RUN(test_frame_skippable);
    ARS_RUN(test_frame_damage);
    ARS_RUN(test_frame_linked_corrupt_small_dst);
    ARS_RUN(test_frame_stored_over_content_size);
    ARS_RUN(test_frame_null_dst);
    ARS_RUN(test_frame_fuzzish);
    ARS_RUN(test_msg);
    return ars_test_report();
}
