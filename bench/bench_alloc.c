/* bench_alloc.c - arsenal_alloc.h side by side with glibc malloc and mimalloc
   ars-build-libs: -lmimalloc -ldl

   Build and run (x86_64 Linux, libmimalloc-dev installed):
       cc -O2 -DNDEBUG bench/bench_alloc.c -o bench/bench_alloc -lmimalloc -ldl
       bench/bench_alloc            # table, a few seconds
       bench/bench_alloc quick      # fewer repetitions

   Callgrind instruction counts per alloc+free pair (repeatable on any machine):
       valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out \
           --toggle-collect=cg_run bench/bench_alloc callgrind heap
       callgrind_annotate /tmp/cg.out | head     # total Ir / 100000 pairs
   (heap | heapc4 | heapc | glibc | mimalloc | pool | empty; "empty" is the
   loop alone, "heapc4" the heap with ars_heap_set_cache(64 KiB, 4 per class),
   "heapc" with (1 MiB, no per-class limit); for arena use
   --toggle-collect=cg_arena.)

   Linking mimalloc replaces malloc process-wide, so glibc's malloc is reached
   through dlopen("libc.so.6") + dlsym. Every allocator is called through a
   non-inlined function, as a program calls a library in another file.

   Patterns:
     random  1000 live objects of 16..512 bytes; each step frees a random one
             and allocates a new random size; ns per alloc+free pair (median of
             repetitions)
     fixed   the same with 64-byte objects (the pool's home ground)
     arena   ns per allocation of 16..512 bytes, reset every 4096
     latency cycles of single heap/glibc/mimalloc allocations in the random
             pattern: p50, p99, p99.9, max
     memory  for the random pattern, bytes the heap holds (highest address
             touched in its region) against the live bytes asked for
*/
#define _GNU_SOURCE
#define ARSENAL_ALLOC_IMPLEMENTATION
#ifndef NDEBUG
#define NDEBUG
#endif
#include "../arsenal_alloc.h"
#include <dlfcn.h>
#include <malloc.h>
#include <mimalloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define HAVE_TSC 1
#endif

#define LIVE 1000
#define OPS (1 << 20)
#define NOINLINE __attribute__((noinline))

static unsigned sizes[OPS], slots_ix[OPS];
static void *slots[LIVE];
static size_t slot_n[LIVE];
static int reps = 7;

/* CPU time of this thread: the machine the numbers come from is shared, and
   wall time there includes waiting for a core. */
static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}
static uint64_t rs = 88172645463325252ull;
static unsigned rnd(void) { rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17; return (unsigned)(rs >> 11); }
static void make_pattern(unsigned lo, unsigned hi) {
    int i;
    rs = 88172645463325252ull;
    for (i = 0; i < OPS; i++) { sizes[i] = lo + rnd() % (hi - lo + 1); slots_ix[i] = rnd() % LIVE; }
}

/* ---- the allocators, each behind a non-inlined call ---- */
static void *(*libc_malloc)(size_t);
static void (*libc_free)(void *);
static struct mallinfo2 (*libc_mallinfo2)(void);
static unsigned char heap_mem[32 << 20];
static ars_heap heap, heapc, heapc2;
static unsigned char heapc_mem[32 << 20], heapc2_mem[32 << 20];
static ars_pool pool;
static ars_arena arena;

NOINLINE static void *a_heap(size_t n) { return ars_heap_alloc(&heap, n); }
NOINLINE static void f_heap(void *p) { ars_heap_free(&heap, p); }
NOINLINE static void *a_heapc(size_t n) { return ars_heap_alloc(&heapc, n); }
NOINLINE static void f_heapc(void *p) { ars_heap_free(&heapc, p); }
NOINLINE static void *a_heapc2(size_t n) { return ars_heap_alloc(&heapc2, n); }
NOINLINE static void f_heapc2(void *p) { ars_heap_free(&heapc2, p); }
NOINLINE static void *a_glibc(size_t n) { return libc_malloc(n); }
NOINLINE static void f_glibc(void *p) { libc_free(p); }
NOINLINE static void *a_mi(size_t n) { return mi_malloc(n); }
NOINLINE static void f_mi(void *p) { mi_free(p); }
NOINLINE static void *a_pool(size_t n) { (void)n; return ars_pool_alloc(&pool); }
NOINLINE static void f_pool(void *p) { ars_pool_free(&pool, p); }
NOINLINE static void *a_arena(size_t n) { return ars_arena_alloc(&arena, n); }
static char empty_obj[64];
/* the floor for a pool: a free list with no checks and no counts */
static void *bare_head;
static unsigned char bare_mem[64 * 2048];
static size_t bare_used;
NOINLINE static void *a_bare(size_t n) {
    void *o = bare_head;
    (void)n;
    if (o) { bare_head = *(void **)o; return o; }
    o = bare_mem + bare_used;
    bare_used += 64;
    return o;
}
NOINLINE static void f_bare(void *p) { *(void **)p = bare_head; bare_head = p; }
NOINLINE static void *a_empty(size_t n) { (void)n; return empty_obj; }
NOINLINE static void f_empty(void *p) { (void)p; }

typedef struct impl { const char *name; void *(*alloc)(size_t); void (*free)(void *); } impl;
static impl impls[] = {
    { "arsenal heap", a_heap, f_heap },
    { "glibc malloc", a_glibc, f_glibc },
    { "mimalloc", a_mi, f_mi },
    { "arsenal pool", a_pool, f_pool },
    { "empty loop", a_empty, f_empty },
    { "heap c64K/4", a_heapc, f_heapc },
    { "heap c1M", a_heapc2, f_heapc2 },
    { "bare free list", a_bare, f_bare },
};
#define NIMPL 8

static void fill_live(const impl *m, unsigned n) {
    int i;
    for (i = 0; i < LIVE; i++) slots[i] = m->alloc(n ? n : sizes[i]);
}
static void drain(const impl *m) {
    int i;
    for (i = 0; i < LIVE; i++) { m->free(slots[i]); slots[i] = NULL; }
}

/* The measured loop: free a random live object, allocate a new one. The
   first byte is touched so every allocator pays for real memory. */
NOINLINE void cg_run(const impl *m, int ops) {
    int i;
    for (i = 0; i < ops; i++) {
        unsigned k = slots_ix[i];
        m->free(slots[k]);
        slots[k] = m->alloc(sizes[i]);
        *(volatile char *)slots[k] = 1;
    }
}

/* Arena allocations for callgrind (--toggle-collect=cg_arena). */
NOINLINE void cg_arena(int ops) {
    int i;
    for (i = 0; i < ops; i++) {
        void *p = a_arena(sizes[i]);
        if ((i & 4095) == 4095) ars_arena_reset(&arena);
        *(volatile char *)p = 1;
    }
}

static int cmp_d(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }
static int cmp_u(const void *a, const void *b) { unsigned x = *(const unsigned *)a, y = *(const unsigned *)b; return (x > y) - (x < y); }

static double pair_ns(const impl *m, unsigned fixed) {
    double t[16];
    int r;
    for (r = 0; r < reps; r++) {
        double t0;
        fill_live(m, fixed);
        cg_run(m, OPS / 8);            /* warm up */
        t0 = now_ns();
        cg_run(m, OPS);
        t[r] = (now_ns() - t0) / OPS;
        drain(m);
    }
    qsort(t, (size_t)reps, sizeof t[0], cmp_d);
    return t[reps / 2];
}

static double arena_ns(void) {
    double t[16];
    int r, i;
    for (r = 0; r < reps; r++) {
        double t0 = now_ns();
        for (i = 0; i < OPS; i++) {
            void *p = a_arena(sizes[i]);
            if ((i & 4095) == 4095) ars_arena_reset(&arena);
            *(volatile char *)p = 1;
        }
        t[r] = (now_ns() - t0) / OPS;
    }
    qsort(t, (size_t)reps, sizeof t[0], cmp_d);
    return t[reps / 2];
}

#ifdef HAVE_TSC
static unsigned lat[OPS];
static double tsc_per_ns;
static void latency(const impl *m) {
    int i;
    unsigned n = OPS / 2;
    fill_live(m, 0);
    cg_run(m, OPS / 8);
    for (i = 0; i < (int)n; i++) {
        unsigned k = slots_ix[i];
        uint64_t t0, t1;
        unsigned aux;
        m->free(slots[k]);
        _mm_lfence();
        t0 = __rdtsc();
        slots[k] = m->alloc(sizes[i]);
        t1 = __rdtscp(&aux);
        *(volatile char *)slots[k] = 1;
        lat[i] = (unsigned)(t1 - t0);
    }
    drain(m);
    qsort(lat, n, sizeof lat[0], cmp_u);
    printf("  %-14s %8u %8u %8u %8u %9u   (%.1f / %.1f / %.0f ns)\n", m->name, lat[n / 2],
           lat[(size_t)n * 99 / 100], lat[(size_t)n * 999 / 1000], lat[(size_t)n * 9999 / 10000], lat[n - 1],
           lat[n / 2] / tsc_per_ns, lat[(size_t)n * 99 / 100] / tsc_per_ns, lat[n - 1] / tsc_per_ns);
}
#endif

static ars_heap heap_glibc_marker;
static void memory(ars_heap *hp, unsigned char *mem, const char *name) {
    ars_heap heap;
    size_t live = 0, peak_live = 0, extent = 0;
    uintptr_t base = (uintptr_t)mem;
    int i;
    ars_heap_stats st;
    size_t limit = hp->cache_limit;
    if (hp == &heap_glibc_marker) goto glibc;
    ars_heap_init(&heap, mem, 32 << 20);   /* a fresh heap, same settings */
    ars_heap_set_cache(&heap, limit, hp->cache_per_class);
    for (i = 0; i < LIVE; i++) {
        slots[i] = ars_heap_alloc(&heap, sizes[i]);
        slot_n[i] = sizes[i];
        live += sizes[i];
    }
    for (i = 0; i < OPS; i++) {
        unsigned k = slots_ix[i];
        uintptr_t end;
        ars_heap_free(&heap, slots[k]);
        live -= slot_n[k];
        slots[k] = ars_heap_alloc(&heap, sizes[i]);
        slot_n[k] = sizes[i];
        live += sizes[i];
        end = (uintptr_t)slots[k] + ars_heap_usable_size(&heap, slots[k]);
        if (end - base > extent) extent = end - base;
        if (live > peak_live) peak_live = live;
    }
    ars_heap_get_stats(&heap, &st);
    printf("  %-14s live %zu (highest %zu); blocks in use %zu = %.3fx live; cached %zu; "
           "span touched %zu = %.3fx highest live\n", name, live, peak_live, st.used, (double)st.used / live,
           st.cached, extent, (double)extent / peak_live);
    if (ars_heap_check(&heap) != 0) printf("  HEAP CHECK FAILED\n");
    for (i = 0; i < LIVE; i++) ars_heap_free(&heap, slots[i]);
    ars_heap_deinit(&heap);
    return;
glibc:
    for (i = 0; i < LIVE; i++) peak_live += sizes[i];   /* the starting live set, for scale */
    if (libc_mallinfo2) {   /* glibc, same pattern, for reference */
        struct mallinfo2 m0 = libc_mallinfo2(), m1;
        for (i = 0; i < LIVE; i++) slots[i] = libc_malloc(sizes[i]);
        for (i = 0; i < OPS; i++) { unsigned k = slots_ix[i]; libc_free(slots[k]); slots[k] = libc_malloc(sizes[i]); }
        m1 = libc_mallinfo2();
        (void)m0;
        printf("  %-14s in use %zu bytes (mallinfo2 uordblks, %.3fx the starting live set); arena %zu\n",
               "glibc malloc", m1.uordblks, (double)m1.uordblks / peak_live, m1.arena);
        for (i = 0; i < LIVE; i++) libc_free(slots[i]);
    }
}

int main(int argc, char **argv) {
    void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_LOCAL);
    double r[NIMPL], f[NIMPL], ar;
    int i;
    if (!libc) { fprintf(stderr, "dlopen libc.so.6: %s\n", dlerror()); return 1; }
    *(void **)&libc_malloc = dlsym(libc, "malloc");
    *(void **)&libc_free = dlsym(libc, "free");
    *(void **)&libc_mallinfo2 = dlsym(libc, "mallinfo2");
    if (!libc_malloc || !libc_free) { fprintf(stderr, "dlsym malloc/free failed\n"); return 1; }
    ars_heap_init(&heap, heap_mem, sizeof heap_mem);
    ars_heap_init(&heapc, heapc_mem, sizeof heapc_mem);
    ars_heap_set_cache(&heapc, 64 << 10, 4);
    ars_heap_init(&heapc2, heapc2_mem, sizeof heapc2_mem);
    ars_heap_set_cache(&heapc2, 1 << 20, 0);
    ars_pool_init_grow(&pool, 512, 0, 1024, NULL);
    ars_arena_init_parent(&arena, NULL, 1 << 22);

    if (argc > 2 && strcmp(argv[1], "callgrind") == 0) {   /* one allocator, few pairs */
        const impl *m = NULL;
        int n = 100000;
        make_pattern(16, 512);
        if (strcmp(argv[2], "heapc") == 0) m = &impls[6];
        if (strcmp(argv[2], "heapc4") == 0) m = &impls[5];
        for (i = 0; i < 5; i++) {
            const char *s = impls[i].name;
            if (strstr(s, argv[2]) || (strcmp(argv[2], "mimalloc") == 0 && i == 2) ||
                (strcmp(argv[2], "glibc") == 0 && i == 1) || (strcmp(argv[2], "empty") == 0 && i == 4))
                m = &impls[i];
        }
        if (strcmp(argv[2], "arena") == 0) {
            cg_arena(n);
            return 0;
        }
        if (!m) { fprintf(stderr, "unknown allocator %s\n", argv[2]); return 1; }
        fill_live(m, 0);
        cg_run(m, n);
        printf("%s: %d pairs under cg_run\n", m->name, n);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "quick") == 0) reps = 3;

#ifdef HAVE_TSC
    {   /* against the wall clock */
        struct timespec a, b;
        uint64_t c0, c1;
        clock_gettime(CLOCK_MONOTONIC, &a);
        c0 = __rdtsc();
        do clock_gettime(CLOCK_MONOTONIC, &b); while ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec) < 2e7);
        c1 = __rdtsc();
        tsc_per_ns = (double)(c1 - c0) / ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec));
    }
#endif
    make_pattern(16, 512);
    for (i = 0; i < NIMPL; i++) r[i] = i == 3 || i == 7 ? 0 : pair_ns(&impls[i], 0);
    ar = arena_ns();
    make_pattern(64, 64);
    for (i = 0; i < NIMPL; i++) f[i] = pair_ns(&impls[i], 64);
    make_pattern(16, 512);

    printf("ns (thread CPU time) per alloc+free pair, median of %d runs of %d pairs, %d live objects\n", reps, OPS,
           LIVE);
    printf("  %-14s %12s %12s %14s %14s\n", "", "random16-512", "fixed 64 B", "random/glibc", "random/mimalloc");
    for (i = 0; i < NIMPL; i++) {
        if (i == 3 || i == 7)
            printf("  %-16s %12s %12.2f %14s %14s\n", impls[i].name, "-", f[i], "-", "-");
        else
            printf("  %-16s %12.2f %12.2f %14.2f %14.2f\n", impls[i].name, r[i], f[i], r[i] / r[1], r[i] / r[2]);
    }
    printf("  fixed 64 B vs glibc: heap %.2fx, pool %.2fx; vs mimalloc: heap %.2fx, pool %.2fx\n", f[0] / f[1],
           f[3] / f[1], f[0] / f[2], f[3] / f[2]);
    printf("  pool net of the empty loop: %.2f ns per pair (bare free list %.2f; target <= 1.2)\n", f[3] - f[4],
           f[7] - f[4]);
    printf("  arsenal arena: %.2f ns per allocation (16..512 B, reset every 4096)\n", ar);
#ifdef HAVE_TSC
    printf("\nsingle-allocation latency, random pattern, TSC cycles (%.2f per ns)\n", tsc_per_ns);
    printf("  %-14s %8s %8s %8s %8s %9s\n", "", "p50", "p99", "p99.9", "p99.99", "max");
    latency(&impls[0]);
    latency(&impls[1]);
    latency(&impls[2]);
    latency(&impls[5]);
    latency(&impls[6]);
#endif
    printf("\nmemory, random 16..512 B, %d live, %d steps (blocks in use include 4-byte headers and rounding):\n",
           LIVE, OPS);
    memory(&heap, heap_mem, "arsenal heap");
    memory(&heapc, heapc_mem, "heap c64K/4");
    memory(&heapc2, heapc2_mem, "heap c1M");
    memory(&heap_glibc_marker, heap_mem, "glibc");
    return 0;
}
