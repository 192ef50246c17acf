/* bench_coro.c - arsenal_coro.h side by side with Boost.Context fcontext and
   ucontext (swapcontext), x86_64 Linux
   ars-build-libs: -lboost_context -lpthread

   Build and run (libboost-context-dev installed; `make bench` does the same):
       cc -std=c99 -D_DEFAULT_SOURCE -O2 -g -I. -o build/bench/bench_coro \
           bench/bench_coro.c -lboost_context -lpthread
       build/bench/bench_coro            # the table, ~10 s
       build/bench/bench_coro quick      # fewer repetitions

   Instruction counts (callgrind; repeatable where timings are not):
       bash bench/bench_coro_callgrind.sh [build/bench/bench_coro]
   which runs, with N operations and with none, and prints (Ir(N) - Ir(0)) / N:
       bench_coro --callgrind-roundtrip raw|coro|fcontext|ucontext [N]
       bench_coro --callgrind-create    coro|fcontext|ucontext [N]
   (N defaults to 1000000; one unmeasured operation runs first either way.)

   What is measured. Every timed figure is the median of repetitions that
   are interleaved (A,B,C,D,A,B,...), so machine noise hits all columns alike.
   round trip   one resume + one yield, passing a value each way:
                  arsenal ctx   ars_ctx_jump ping-pong (the raw layer)
                  arsenal coro  ars_coro_resume + ars_coro_yield
                  fcontext      jump_fcontext ping-pong (Boost.Context's C ABI,
                                the layer under boost::context::fiber)
                  ucontext      swapcontext both ways (glibc; a signal-mask
                                system call per switch)
   create       create a coroutine, run it to completion, destroy it:
                  arsenal coro  ars_coro_create/resume/destroy with default
                                options: 256 KiB guard-paged stacks from mmap,
                                recycled through the per-thread cache
                  fcontext      make_fcontext on a 256 KiB guard-paged mmap
                                stack taken from a recycled pool (a LIFO free
                                list, as boost's pooled_fixedsize_stack
                                recycles; guarded like arsenal's, so both
                                sides pay for the same kind of stack), one
                                jump in, one jump out, stack back to the pool
                  ucontext      malloc'd 256 KiB stack, getcontext +
                                makecontext + swapcontext, entry returns
                                through uc_link, free
   Both are timed twice: "flags equal", where the MXCSR status flags are the
   same on both sides of the switch, and "caller PE set", where the resuming
   side has the precision flag set, as it is in any thread that has done one
   inexact floating-point operation, and the coroutine has not (see
   mxcsr_set_flags below for why that matters).
   memory       VmRSS growth per idle coroutine with 100,000 suspended, each
                having run once and touched 512 bytes of its stack:
                  arsenal coro  default ars_coro_create (256 KiB stacks)
                  fcontext      100,000 mmap'd 256 KiB stacks (no guard page:
                                with one, 100k stacks exceed vm.max_map_count)
*/
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1
#endif
#define ARSENAL_CORO_IMPLEMENTATION
#include "../arsenal_coro.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#if !defined(__x86_64__) || !defined(__linux__)
#error "bench_coro.c measures x86_64 Linux (Boost.Context's fcontext for that target)"
#endif

#define NOINLINE __attribute__((noinline))
#define STACK_SIZE (256u * 1024u)

/* ---- Boost.Context's C ABI (boost/context/detail/fcontext.hpp is C++) ---- */
typedef struct fc_transfer { void *fctx; void *data; } fc_transfer;
extern fc_transfer jump_fcontext(void *const to, void *vp);
extern void *make_fcontext(void *sp, size_t size, void (*fn)(fc_transfer));

static void *volatile sink;

static size_t page_size(void) { return (size_t)sysconf(_SC_PAGESIZE); }

/* a stack [lo, lo+size) with a PROT_NONE page below it; returns lo */
static char *stack_map_guarded(size_t size) {
    size_t ps = page_size();
    char *m = (char *)mmap(NULL, size + ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == (char *)MAP_FAILED) { perror("mmap"); exit(1); }
    if (mprotect(m + ps, size, PROT_READ | PROT_WRITE) != 0) { perror("mprotect"); exit(1); }
    return m + ps;
}
static void stack_unmap_guarded(char *lo, size_t size) { munmap(lo - page_size(), size + page_size()); }

static void die(const char *what, int r) {
    fprintf(stderr, "bench_coro: %s: %s\n", what, ars_strerror(r));
    exit(1);
}

/* ======================= round trip ======================= */
enum { RT_RAW, RT_CORO, RT_FC, RT_UC, RT_COUNT };
static const char *const rt_names[RT_COUNT] = { "raw", "coro", "fcontext", "ucontext" };

/* arsenal raw layer */
static ars_ctx raw_main, raw_co;
static void raw_entry(void *v, void *arg) {
    (void)arg;
    for (;;) v = ars_ctx_jump(&raw_co, &raw_main, v);
}
static NOINLINE void rt_raw(long n) {
    void *v = NULL;
    long i;
    for (i = 0; i < n; i++) v = ars_ctx_jump(&raw_main, &raw_co, (void *)(intptr_t)i);
    sink = v;
}

/* arsenal coroutine layer */
static ars_coro *rt_co;
static void *coro_entry(void *arg) {
    void *v = arg;
    for (;;) ars_coro_yield(v, &v);
    return NULL;
}
static NOINLINE void rt_coro(long n) {
    void *v = NULL;
    long i;
    for (i = 0; i < n; i++) ars_coro_resume(rt_co, (void *)(intptr_t)i, &v);
    sink = v;
}

/* Boost fcontext */
static void *fc_co;
static void fc_entry(fc_transfer t) {
    for (;;) t = jump_fcontext(t.fctx, t.data);
}
static NOINLINE void rt_fc(long n) {
    fc_transfer t = { NULL, NULL };
    long i;
    for (i = 0; i < n; i++) {
        t = jump_fcontext(fc_co, (void *)(intptr_t)i);
        fc_co = t.fctx;
    }
    sink = t.data;
}

/* ucontext */
static ucontext_t uc_main, uc_co;
static void *volatile uc_value;
static void uc_entry(void) {
    for (;;) swapcontext(&uc_co, &uc_main);
}
static NOINLINE void rt_uc(long n) {
    long i;
    for (i = 0; i < n; i++) {
        uc_value = (void *)(intptr_t)i;
        swapcontext(&uc_main, &uc_co);
    }
    sink = uc_value;
}

static void rt_setup(void) {
    static int done;
    int r;
    if (done) return;
    done = 1;
    r = ars_ctx_make(&raw_co, stack_map_guarded(STACK_SIZE), STACK_SIZE, raw_entry, NULL);
    if (r) die("ars_ctx_make", r);
    r = ars_coro_create(&rt_co, coro_entry, NULL, NULL);
    if (r) die("ars_coro_create", r);
    fc_co = make_fcontext(stack_map_guarded(STACK_SIZE) + STACK_SIZE, STACK_SIZE, fc_entry);
    getcontext(&uc_co);
    uc_co.uc_stack.ss_sp = stack_map_guarded(STACK_SIZE);
    uc_co.uc_stack.ss_size = STACK_SIZE;
    uc_co.uc_link = NULL;
    makecontext(&uc_co, uc_entry, 0);
}

static void rt_run(int impl, long n) {
    switch (impl) {
    case RT_RAW: rt_raw(n); break;
    case RT_CORO: rt_coro(n); break;
    case RT_FC: rt_fc(n); break;
    default: rt_uc(n); break;
    }
}

/* ======================= create + run + destroy ======================= */
enum { CR_CORO, CR_FC, CR_UC, CR_COUNT };
static const char *const cr_names[CR_COUNT] = { "coro", "fcontext", "ucontext" };

static void *cr_entry(void *arg) { return arg; }
static NOINLINE void cr_coro(long n) {
    ars_coro *co;
    void *v = NULL;
    long i;
    int r;
    for (i = 0; i < n; i++) {
        r = ars_coro_create(&co, cr_entry, (void *)(intptr_t)i, NULL);
        if (r) die("ars_coro_create", r);
        ars_coro_resume(co, NULL, &v);
        ars_coro_destroy(co);
    }
    sink = v;
}

/* a recycled pool of guard-paged stacks: LIFO, like the per-thread cache */
#define FC_POOL_MAX 64
static char *fc_pool[FC_POOL_MAX];
static int fc_pool_n;
static char *fc_pool_get(void) { return fc_pool_n ? fc_pool[--fc_pool_n] : stack_map_guarded(STACK_SIZE); }
static void fc_pool_put(char *lo) {
    if (fc_pool_n < FC_POOL_MAX) fc_pool[fc_pool_n++] = lo;
    else stack_unmap_guarded(lo, STACK_SIZE);
}
static void fc_cr_entry(fc_transfer t) {
    jump_fcontext(t.fctx, t.data);   /* "return" the value; never resumed */
    abort();
}
static NOINLINE void cr_fc(long n) {
    fc_transfer t = { NULL, NULL };
    long i;
    for (i = 0; i < n; i++) {
        char *lo = fc_pool_get();
        void *c = make_fcontext(lo + STACK_SIZE, STACK_SIZE, fc_cr_entry);
        t = jump_fcontext(c, (void *)(intptr_t)i);
        fc_pool_put(lo);
    }
    sink = t.data;
}

static ucontext_t uc_cr_main, uc_cr;
static void uc_cr_entry(void) { uc_value = (void *)1; }
static NOINLINE void cr_uc(long n) {
    long i;
    for (i = 0; i < n; i++) {
        void *stack = malloc(STACK_SIZE);
        if (!stack) { perror("malloc"); exit(1); }
        getcontext(&uc_cr);
        uc_cr.uc_stack.ss_sp = stack;
        uc_cr.uc_stack.ss_size = STACK_SIZE;
        uc_cr.uc_link = &uc_cr_main;
        makecontext(&uc_cr, uc_cr_entry, 0);
        swapcontext(&uc_cr_main, &uc_cr);
        free(stack);
    }
}

static void cr_run(int impl, long n) {
    switch (impl) {
    case CR_CORO: cr_coro(n); break;
    case CR_FC: cr_fc(n); break;
    default: cr_uc(n); break;
    }
}

/* ======================= memory per idle coroutine ======================= */
#define IDLE_COUNT 100000
#define IDLE_TOUCH 512

static long vm_rss_kib(void) {
    char line[256];
    long v = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) { v = strtol(line + 6, NULL, 10); break; }
    fclose(f);
    return v;
}

static NOINLINE void touch_stack(void) {
    volatile char buf[IDLE_TOUCH];
    size_t i;
    for (i = 0; i < sizeof buf; i += 64) buf[i] = (char)i;
}

static void *idle_entry(void *arg) {
    touch_stack();
    ars_coro_yield(arg, NULL);
    return NULL;
}

/* returns bytes per coroutine; *guarded receives how many had guard pages */
static double mem_coro(long *guarded) {
    ars_coro **cos = (ars_coro **)calloc(IDLE_COUNT, sizeof *cos);
    long before, after, i;
    int r;
    if (!cos) { perror("calloc"); exit(1); }
    memset(cos, 1, IDLE_COUNT * sizeof *cos);   /* fault the array in first */
    ars_coro_cache_trim();
    before = vm_rss_kib();
    for (i = 0; i < IDLE_COUNT; i++) {
        r = ars_coro_create(&cos[i], idle_entry, NULL, NULL);
        if (r) die("ars_coro_create (100k)", r);
        ars_coro_resume(cos[i], NULL, NULL);
    }
    after = vm_rss_kib();
    *guarded = 0;
    for (i = 0; i < IDLE_COUNT; i++) {
        *guarded += ars_coro_guarded(cos[i]);
        ars_coro_destroy(cos[i]);
    }
    ars_coro_cache_trim();
    free(cos);
    return (double)(after - before) * 1024.0 / IDLE_COUNT;
}

static void fc_idle_entry(fc_transfer t) {
    touch_stack();
    jump_fcontext(t.fctx, t.data);
    abort();
}

static double mem_fc(void) {
    char **stacks = (char **)calloc(IDLE_COUNT, sizeof *stacks);
    void **ctxs = (void **)calloc(IDLE_COUNT, sizeof *ctxs);
    long before, after, i;
    if (!stacks || !ctxs) { perror("calloc"); exit(1); }
    memset(stacks, 1, IDLE_COUNT * sizeof *stacks);
    memset(ctxs, 1, IDLE_COUNT * sizeof *ctxs);
    before = vm_rss_kib();
    for (i = 0; i < IDLE_COUNT; i++) {
        fc_transfer t;
        stacks[i] = (char *)mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
                                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (stacks[i] == (char *)MAP_FAILED) { perror("mmap (100k)"); exit(1); }
        t = jump_fcontext(make_fcontext(stacks[i] + STACK_SIZE, STACK_SIZE, fc_idle_entry), NULL);
        ctxs[i] = t.fctx;                             /* the suspended context */
    }
    after = vm_rss_kib();
    for (i = 0; i < IDLE_COUNT; i++) munmap(stacks[i], STACK_SIZE);
    free(stacks);
    free(ctxs);
    return (double)(after - before) * 1024.0 / IDLE_COUNT;
}

/* ======================= driver ======================= */
/* MXCSR status flags (bits 0-5) are sticky: any inexact floating-point
   operation sets PE (0x20) and nothing clears it. A switch that saves and
   reloads the whole MXCSR therefore swaps flag values whenever one side has
   done floating-point work and the other has not, and on this kind of CPU an
   stmxcsr after an ldmxcsr that changed the flags is very slow. Each case is
   timed twice: with equal flags on both sides ("FP flags equal") and with PE
   set on the resumer's side only ("caller PE set"), the state of any program
   whose scheduler thread has done one inexact FP operation. */
static void mxcsr_set_flags(unsigned flags) {
    unsigned m;
    __asm__ volatile("stmxcsr %0" : "=m"(m));
    m = (m & ~0x3Fu) | flags;
    __asm__ volatile("ldmxcsr %0" : : "m"(m));
}

/* CPU time of this thread: on a loaded machine a wall-clock sample also
   counts the time the thread waited for a core, which penalises the slower
   (longer) samples more. Samples are kept near SAMPLE_NS so most of them
   run within one time slice. */
#define SAMPLE_NS 2000000
static int64_t clock_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

typedef struct bench_case {
    const char *section, *impl;
    int kind, impl_id;     /* kind 0: round trip, 1: create */
    unsigned flags;        /* MXCSR status flags set on the caller's side */
    int ref;               /* index of the fcontext case of its section */
    long n;                /* operations per sample (calibrated) */
} bench_case;

static int64_t run_case(const bench_case *c, long n) {
    int64_t t0, t1;
    mxcsr_set_flags(c->flags);
    t0 = clock_ns();
    if (c->kind) cr_run(c->impl_id, n);
    else rt_run(c->impl_id, n);
    t1 = clock_ns();
    mxcsr_set_flags(0);
    return t1 - t0;
}

#define MAX_REPS 64
#define MAX_CASES 16

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void cpu_name(char *out, size_t cap) {
    char line[256];
    FILE *f = fopen("/proc/cpuinfo", "r");
    snprintf(out, cap, "unknown cpu");
    if (!f) return;
    while (fgets(line, sizeof line, f)) {
        char *p = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && p) {
            p += 2;
            p[strcspn(p, "\n")] = 0;
            snprintf(out, cap, "%s", p);
            break;
        }
    }
    fclose(f);
}

static void row(const char *what, const char *impl, double v, double ref, const char *unit) {
    printf("  %-34s %-14s %9.2f %-3s %7.2fx\n", what, impl, v, unit, v / ref);
}

static int callgrind_mode(int argc, char **argv) {
    long n = argc > 3 ? atol(argv[3]) : 1000000;
    int impl, create = strcmp(argv[1], "--callgrind-create") == 0;
    if (argc < 3) return 2;
    mxcsr_set_flags(0);
    if (create) {
        for (impl = 0; impl < CR_COUNT && strcmp(argv[2], cr_names[impl]); impl++) {}
        if (impl == CR_COUNT) return 2;
        cr_run(impl, 1);          /* warm-up: first stack allocation, lazy binding */
        cr_run(impl, n);
    } else {
        for (impl = 0; impl < RT_COUNT && strcmp(argv[2], rt_names[impl]); impl++) {}
        if (impl == RT_COUNT) return 2;
        rt_setup();
        rt_run(impl, 1);
        rt_run(impl, n);
    }
    return 0;
}

int main(int argc, char **argv) {
    static const char *const rt_label[RT_COUNT] = { "arsenal ctx", "arsenal coro", "fcontext", "ucontext" };
    static const char *const cr_label[CR_COUNT] = { "arsenal coro", "fcontext pool", "ucontext" };
    static const char *const sections[4] = {
        "round trip, FP flags equal", "round trip, caller PE set",
        "create+run+destroy, flags equal", "create+run+destroy, caller PE set" };
    static bench_case cases[MAX_CASES];
    static double t[MAX_CASES][MAX_REPS];
    int quick = argc > 1 && strcmp(argv[1], "quick") == 0;
    int reps = quick ? 9 : 31, rep, i, k, ncases = 0;
    const long sample_ns = quick ? SAMPLE_NS / 2 : SAMPLE_NS;
    double m_coro, m_fc;
    long guarded;
    char cpu[128];

    if (argc > 1 && strncmp(argv[1], "--callgrind-", 12) == 0) {
        int r = callgrind_mode(argc, argv);
        if (r) fprintf(stderr, "usage: bench_coro --callgrind-roundtrip raw|coro|fcontext|ucontext [N]\n"
                               "       bench_coro --callgrind-create coro|fcontext|ucontext [N]\n");
        return r;
    }

    for (k = 0; k < 4; k++) {
        int kind = k / 2, n = kind ? CR_COUNT : RT_COUNT, first = ncases;
        for (i = 0; i < n; i++) {
            bench_case *c = &cases[ncases++];
            c->section = sections[k];
            c->impl = kind ? cr_label[i] : rt_label[i];
            c->kind = kind;
            c->impl_id = i;
            c->flags = k % 2 ? 0x20u : 0u;
            c->ref = first + (kind ? CR_FC : RT_FC);
        }
    }

    mxcsr_set_flags(0);            /* contexts made below start with clean flags */
    rt_setup();
    for (i = 0; i < ncases; i++) {  /* warm-up and calibration */
        bench_case *c = &cases[i];
        int64_t dt;
        run_case(c, 1000);
        dt = run_case(c, 1000);
        c->n = dt > 0 ? (long)((double)sample_ns * 1000 / (double)dt) : 100000;
        if (c->n < 100) c->n = 100;
        if (c->n > 1000000) c->n = 1000000;
    }
    for (rep = 0; rep < reps; rep++)
        for (i = 0; i < ncases; i++)
            t[i][rep] = (double)run_case(&cases[i], cases[i].n) / (double)cases[i].n;
    mxcsr_set_flags(0);
    m_coro = mem_coro(&guarded);
    m_fc = mem_fc();

    cpu_name(cpu, sizeof cpu);
    printf("bench_coro%s: %s, %ld online cpus; thread CPU time, medians of %d interleaved repetitions\n",
#ifdef ARSENAL_CORO_SHARE_FPENV
           " (built with ARSENAL_CORO_SHARE_FPENV: one set of FP modes per thread)",
#else
           "",
#endif
           cpu, sysconf(_SC_NPROCESSORS_ONLN), reps);
    printf("  %-34s %-14s %9s %-3s %8s\n", "measure", "impl", "value", "", "vs fctx");
    for (i = 0; i < ncases; i++) {
        double med = median(t[i], reps);
        t[i][0] = med;               /* sorted; keep the median in slot 0 */
    }
    for (i = 0; i < ncases; i++)
        row(i == 0 || cases[i].section != cases[i - 1].section ? cases[i].section : "",
            cases[i].impl, t[i][0], t[cases[i].ref][0], "ns");
    row("RSS per idle coroutine (100,000)", "arsenal coro", m_coro / 1024, m_fc / 1024, "KiB");
    row("", "fcontext", m_fc / 1024, m_fc / 1024, "KiB");
    printf("  arsenal: %ld of %d stacks guard-paged (the rest: vm.max_map_count budget)\n",
           guarded, IDLE_COUNT);
    printf("  targets: round trip <= 0.80x fcontext and <= 50 instructions (bench/bench_coro_callgrind.sh);\n"
           "  create <= fcontext's ~30 ns / 400 instructions of the issue, which matches boost's fiber\n"
           "  on its default stack (bench_coro_fiber; the bare pool above is a stricter floor); RSS <= 4.5 KiB\n");
    return 0;
}
