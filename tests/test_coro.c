/* test_coro.c - tests for arsenal_coro.h
   ars-test-libs: -lpthread
   ars-test-legs: native asan tsan valgrind ucontext musl cross wine fibers firmware
*/
#if defined(ARS_TEST_FREESTANDING)
#include "board.h"
#define ARSENAL_CORO_NOW_MS() ((int64_t)board_millis())
#endif
#define ARSENAL_CORO_IMPLEMENTATION
#include "../arsenal_coro.h"
#include "ars_test.h"

#if !defined(ARS_TEST_FREESTANDING)
#include <string.h>
#if !defined(_WIN32)
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
#define HAVE_FORK 1
#else
#include <windows.h>
#endif
#define HAVE_THREADS 1
#endif


#ifdef ARS_TEST_QUICK
#define SCALE(full, quick) (quick)
#else
#define SCALE(full, quick) (full)
#endif

#if defined(__GNUC__) || defined(__clang__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

/* Firmware has no mmap: coroutines there run on these buffers. */
#define FW_STACKS 8
#define FW_STACK_SIZE 8192
static unsigned char fw_stacks[FW_STACKS][FW_STACK_SIZE] __attribute__((aligned(16)));
static ars_coro_opts stack_opts(int i) {
    ars_coro_opts o;
    memset(&o, 0, sizeof o);
#ifdef ARS_TEST_FREESTANDING
    o.stack = fw_stacks[i % FW_STACKS];
    o.stack_size = FW_STACK_SIZE;
#else
    (void)i;
    (void)fw_stacks;
#endif
    return o;
}

/* spawn on the scheduler; in firmware on the static stacks, in turn */
static int fw_next;
static int go(void (*fn)(void *), void *arg, ars_coro **out) {
#ifdef ARS_TEST_FREESTANDING
    ars_coro_opts o = stack_opts(fw_next++);
    return ars_go_opts(fn, arg, &o, out);
#else
    (void)fw_next;
    return ars_go_opts(fn, arg, NULL, out);
#endif
}

#if defined(HAVE_THREADS) && !defined(_WIN32)
/* ---- two threads make the program's first coroutines at once: the
   library's lazily set globals (the page size) must not race; TSan
   reported a plain static. Runs first, before anything else set them. ---- */
static void *first_ret(void *arg) { return arg; }
static void *first_thread(void *p) {
    ars_coro *co;
    void *v = NULL;
    if (ars_coro_create(&co, first_ret, p, NULL) != 0) return NULL;
    ars_coro_resume(co, NULL, &v);
    ars_coro_destroy(co);
    ars_coro_cache_trim();
    return v;
}
static void test_first_use_two_threads(void) {
    pthread_t th[2];
    void *r[2] = { NULL, NULL };
    int i;
    for (i = 0; i < 2; i++) ASSERT_EQ(pthread_create(&th[i], NULL, first_thread, (void *)(intptr_t)(i + 1)), 0);
    for (i = 0; i < 2; i++) pthread_join(th[i], &r[i]);
    EXPECT_EQ((intptr_t)r[0], 1);
    EXPECT_EQ((intptr_t)r[1], 2);
}
#endif

/* ---- layer 1: the bare switch ---- */
static ars_ctx main_ctx, co_ctx;
static void ctx_entry(void *value, void *arg) {
    intptr_t v = (intptr_t)value;
    EXPECT(arg == (void *)&co_ctx);
    for (;;) v = (intptr_t)ars_ctx_jump(&co_ctx, &main_ctx, (void *)(v * 2));
}
static void test_ctx_switch(void) {
    static unsigned char stack[16384] __attribute__((aligned(16)));
    intptr_t i;
    ASSERT_EQ(ars_ctx_make(&co_ctx, stack, sizeof stack, ctx_entry, &co_ctx), 0);
    for (i = 1; i < 1000; i++)
        ASSERT_EQ((intptr_t)ars_ctx_jump(&main_ctx, &co_ctx, (void *)i), i * 2);
    EXPECT_EQ(ars_ctx_make(&co_ctx, stack, 16, ctx_entry, NULL), ARS_EINVAL);
}

/* ---- layer 1: values live across the jump while the other side writes
   every register it may (on x86_64 System V the jump is inline asm whose
   clobber list must name all of them: a missing one corrupts a sum here) ---- */
static ars_ctx trash_ctx;
static void trash_registers(unsigned long seed) {
#if defined(__x86_64__) && !defined(_WIN32) && (defined(__GNUC__) || defined(__clang__))
    __asm__ __volatile__(
        "movq %0, %%rbx\n\tmovq %0, %%rcx\n\tmovq %0, %%rdx\n\tmovq %0, %%rsi\n\t"
        "movq %0, %%rdi\n\tmovq %0, %%r8\n\tmovq %0, %%r9\n\tmovq %0, %%r10\n\t"
        "movq %0, %%r11\n\tmovq %0, %%r12\n\tmovq %0, %%r13\n\tmovq %0, %%r14\n\t"
        "movq %0, %%r15\n\tmovq %0, %%xmm0\n\tpshufd $0, %%xmm0, %%xmm0\n\t"
        "movdqa %%xmm0, %%xmm1\n\tmovdqa %%xmm0, %%xmm2\n\tmovdqa %%xmm0, %%xmm3\n\t"
        "movdqa %%xmm0, %%xmm4\n\tmovdqa %%xmm0, %%xmm5\n\tmovdqa %%xmm0, %%xmm6\n\t"
        "movdqa %%xmm0, %%xmm7\n\tmovdqa %%xmm0, %%xmm8\n\tmovdqa %%xmm0, %%xmm9\n\t"
        "movdqa %%xmm0, %%xmm10\n\tmovdqa %%xmm0, %%xmm11\n\tmovdqa %%xmm0, %%xmm12\n\t"
        "movdqa %%xmm0, %%xmm13\n\tmovdqa %%xmm0, %%xmm14\n\tmovdqa %%xmm0, %%xmm15"
        : : "m"(seed)
        : "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
          "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
          "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
#else
    (void)seed;
#endif
}
static void trash_entry(void *value, void *arg) {
    long seed = (long)(intptr_t)value;
    (void)arg;
    for (;;) {
        trash_registers((unsigned long)seed * 0x5851F42D4C957F2DUL + 1);
        seed = (long)(intptr_t)ars_ctx_jump(&trash_ctx, &main_ctx, (void *)(intptr_t)(seed + 1));
    }
}
static void test_ctx_live_values(void) {
    static unsigned char stack[16384] __attribute__((aligned(16)));
    /* more values than registers: some sit in callee-saved registers, some
       in caller-saved ones the compiler must move out of the way */
    long a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8, k = 9, m = 10, q = 11, r = 12;
    double x0 = 0.5, x1 = 1.5, x2 = 2.5, x3 = 3.5, x4 = 4.5, x5 = 5.5, x6 = 6.5, x7 = 7.5,
           x8 = 8.5, x9 = 9.5, xa = 10.5, xb = 11.5, xc = 12.5, xd = 13.5, xe = 14.5, xf = 15.5,
           xg = 16.5, xh = 17.5;
    long i, n = SCALE(100000, 2000), bad = 0;
    ASSERT_EQ(ars_ctx_make(&trash_ctx, stack, sizeof stack, trash_entry, NULL), 0);
    for (i = 0; i < n; i++) {
        long back = (long)(intptr_t)ars_ctx_jump(&main_ctx, &trash_ctx, (void *)(intptr_t)i);
        bad += back != i + 1;
        a += 1; b += 2; c += 3; d += 4; e += 5; f += 6; g += 7; h += 8; k += 9; m += 10; q += 11; r += 12;
        x0 += 1.0; x1 += 2.0; x2 += 3.0; x3 += 4.0; x4 += 5.0; x5 += 6.0; x6 += 7.0; x7 += 8.0;
        x8 += 9.0; x9 += 10.0; xa += 11.0; xb += 12.0; xc += 13.0; xd += 14.0; xe += 15.0;
        xf += 16.0; xg += 17.0; xh += 18.0;
    }
    EXPECT_EQ(bad, 0);
    EXPECT(a == 1 + n && b == 2 + 2 * n && c == 3 + 3 * n && d == 4 + 4 * n && e == 5 + 5 * n &&
           f == 6 + 6 * n && g == 7 + 7 * n && h == 8 + 8 * n && k == 9 + 9 * n &&
           m == 10 + 10 * n && q == 11 + 11 * n && r == 12 + 12 * n);
    {
        double dn = (double)n;
        EXPECT(x0 == 0.5 + dn && x1 == 1.5 + 2 * dn && x2 == 2.5 + 3 * dn && x3 == 3.5 + 4 * dn &&
               x4 == 4.5 + 5 * dn && x5 == 5.5 + 6 * dn && x6 == 6.5 + 7 * dn && x7 == 7.5 + 8 * dn &&
               x8 == 8.5 + 9 * dn && x9 == 9.5 + 10 * dn && xa == 10.5 + 11 * dn &&
               xb == 11.5 + 12 * dn && xc == 12.5 + 13 * dn && xd == 13.5 + 14 * dn &&
               xe == 14.5 + 15 * dn && xf == 15.5 + 16 * dn && xg == 16.5 + 17 * dn &&
               xh == 17.5 + 18 * dn);
    }
}

/* ---- file-static variables whose address is never taken, changed on the
   other side of a jump: gcc's ipa-reference once kept their value across an
   inline-asm jump (the first reads here gave 0 0 0 0, at every -O level) ---- */
static ars_ctx st_ctx;
static int st_count, st_coro_count;
static void st_entry(void *value, void *arg) {
    (void)value; (void)arg;
    for (;;) { st_count++; ars_ctx_jump(&st_ctx, &main_ctx, NULL); }
}
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static void st_hop(void) { ars_ctx_jump(&main_ctx, &st_ctx, NULL); }
static void *st_coro(void *arg) {
    (void)arg;
    for (;;) { st_coro_count += 10; ars_coro_yield(NULL, NULL); }
    return NULL;
}
static void test_static_across_jump(void) {
    static unsigned char stack[16384] __attribute__((aligned(16)));
    ars_coro *co;
    ars_coro_opts o = stack_opts(0);
    int r1, r2, r3, r4, c1, c2;
    ASSERT_EQ(ars_ctx_make(&st_ctx, stack, sizeof stack, st_entry, NULL), 0);
    st_count = 0;
    ars_ctx_jump(&main_ctx, &st_ctx, NULL);
    r1 = st_count;
    ars_ctx_jump(&main_ctx, &st_ctx, NULL);
    r2 = st_count;
    st_hop();
    r3 = st_count;
    st_count = 100;   /* a store just before the jump reaches the other side */
    st_hop();
    r4 = st_count;
    EXPECT_EQ(r1, 1);
    EXPECT_EQ(r2, 2);
    EXPECT_EQ(r3, 3);
    EXPECT_EQ(r4, 101);
    ASSERT_EQ(ars_coro_create(&co, st_coro, NULL, &o), 0);
    st_coro_count = 0;
    ars_coro_resume(co, NULL, NULL);
    c1 = st_coro_count;
    ars_coro_resume(co, NULL, NULL);
    c2 = st_coro_count;
    EXPECT_EQ(c1, 10);
    EXPECT_EQ(c2, 20);
    ars_coro_destroy(co);
}

/* ---- layer 2: value passing both ways, a million switches ---- */
static void *echo_plus_one(void *arg) {
    void *in = arg;
    for (;;) ars_coro_yield((void *)((intptr_t)in + 1), &in);
    return NULL;
}
static void test_million_switches(void) {
    ars_coro *co;
    ars_coro_opts o = stack_opts(0);
    intptr_t i, n = SCALE(1000000, 20000);
    void *out = NULL;
    ASSERT_EQ(ars_coro_create(&co, echo_plus_one, (void *)0, &o), 0);
    ASSERT_EQ(ars_coro_resume(co, NULL, &out), 0);
    EXPECT_EQ((intptr_t)out, 1);
    for (i = 0; i < n; i++) {
        if (ars_coro_resume(co, (void *)i, &out) != 0 || (intptr_t)out != i + 1) {
            EXPECT_EQ((intptr_t)out, i + 1);
            break;
        }
    }
    EXPECT_EQ(ars_coro_status(co), ARS_CORO_SUSPENDED);
    EXPECT_EQ(ars_coro_destroy(co), 0);
}

/* ---- callee-saved registers: 7 integers and 8 doubles live across every
   switch on both sides; at -O2 the compiler keeps them in callee-saved
   registers, so a switch that drops one corrupts the sums. ---- */
static volatile int keep_going = 1;
static void *fp_worker(void *arg) {
    long a = (long)(intptr_t)arg, b = a * 3, c = a + 7, d = a ^ 0x55, e = a * a, f = a - 9, g = a << 2;
    double x0 = 1.5 * (double)a, x1 = x0 + 0.25, x2 = x0 * 2.0, x3 = x0 - 3.0, x4 = x0 / 4.0,
           x5 = x0 + 100.0, x6 = x0 * x0, x7 = -x0;
    /* floats too: a single-precision FPU (Cortex-M4F) keeps these, not the
       doubles, in its callee-saved s16-s31 */
    float f0 = (float)a, f1 = f0 + 0.5f, f2 = f0 * 2.0f, f3 = f0 - 1.0f,
          f4 = f0 + 8.0f, f5 = f0 * 3.0f, f6 = -f0, f7 = f0 + 0.25f;
    long rounds = 0;
    while (keep_going) {
        ars_coro_yield(NULL, NULL);
        a += 1; b += 3; c += 1; d += 1; e += 2; f -= 1; g += 4;
        x0 += 1.0; x1 += 1.0; x2 += 2.0; x3 += 1.0; x4 += 0.25; x5 += 1.0; x6 += 3.0; x7 -= 1.0;
        f0 += 1.0f; f1 += 1.0f; f2 += 2.0f; f3 += 1.0f; f4 += 0.5f; f5 += 1.0f; f6 -= 1.0f; f7 += 2.0f;
        rounds++;
    }
    {
        long start = (long)(intptr_t)arg;
        float s = (float)start, r = (float)rounds;
        if (!(f0 == s + r && f1 == s + 0.5f + r && f2 == s * 2.0f + 2.0f * r && f3 == s - 1.0f + r &&
              f4 == s + 8.0f + 0.5f * r && f5 == s * 3.0f + r && f6 == -s - r && f7 == s + 0.25f + 2.0f * r))
            return (void *)(intptr_t)3;
    }
    {
        long start = (long)(intptr_t)arg;
        double s0 = 1.5 * (double)start, r = (double)rounds;
        int ok = a == start + rounds && b == start * 3 + 3 * rounds && c == start + 7 + rounds &&
                 d == (start ^ 0x55) + rounds && e == start * start + 2 * rounds &&
                 f == start - 9 - rounds && g == (start << 2) + 4 * rounds &&
                 x0 == s0 + r && x1 == s0 + 0.25 + r && x2 == s0 * 2.0 + 2.0 * r &&
                 x3 == s0 - 3.0 + r && x4 == s0 / 4.0 + 0.25 * r && x5 == s0 + 100.0 + r &&
                 x6 == s0 * s0 + 3.0 * r && x7 == -s0 - r;
        return (void *)(intptr_t)(ok ? 1 : 2);
    }
}
static void test_callee_saved(void) {
    ars_coro *co[2];
    ars_coro_opts o0 = stack_opts(0), o1 = stack_opts(1);
    long a = 11, b = 22, c = 33, d = 44, e = 55, f = 66, g = 77;
    double x0 = 0.5, x1 = 1.5, x2 = 2.5, x3 = 3.5, x4 = 4.5, x5 = 5.5, x6 = 6.5, x7 = 7.5;
    float g0 = 1.0f, g1 = 2.0f, g2 = 3.0f, g3 = 4.0f, g4 = 5.0f, g5 = 6.0f, g6 = 7.0f, g7 = 8.0f;
    long i, n = SCALE(100000, 2000);
    void *r0 = NULL, *r1 = NULL;
    keep_going = 1;
    ASSERT_EQ(ars_coro_create(&co[0], fp_worker, (void *)5, &o0), 0);
    ASSERT_EQ(ars_coro_create(&co[1], fp_worker, (void *)9, &o1), 0);
    for (i = 0; i < n; i++) {
        ars_coro_resume(co[i & 1], NULL, NULL);
        a += 1; b += 2; c += 3; d += 4; e += 5; f += 6; g += 7;
        x0 += 0.5; x1 += 1.0; x2 += 1.5; x3 += 2.0; x4 += 2.5; x5 += 3.0; x6 += 3.5; x7 += 4.0;
        g0 += 1.0f; g1 += 2.0f; g2 += 1.0f; g3 += 2.0f; g4 += 1.0f; g5 += 2.0f; g6 += 1.0f; g7 += 2.0f;
    }
    keep_going = 0;
    ars_coro_resume(co[0], NULL, &r0);
    ars_coro_resume(co[1], NULL, &r1);
    EXPECT_EQ((intptr_t)r0, 1);
    EXPECT_EQ((intptr_t)r1, 1);
    EXPECT(a == 11 + n && b == 22 + 2 * n && c == 33 + 3 * n && d == 44 + 4 * n);
    EXPECT(e == 55 + 5 * n && f == 66 + 6 * n && g == 77 + 7 * n);
    EXPECT(x0 == 0.5 + 0.5 * (double)n && x1 == 1.5 + 1.0 * (double)n && x2 == 2.5 + 1.5 * (double)n);
    EXPECT(x3 == 3.5 + 2.0 * (double)n && x4 == 4.5 + 2.5 * (double)n && x5 == 5.5 + 3.0 * (double)n);
    EXPECT(x6 == 6.5 + 3.5 * (double)n && x7 == 7.5 + 4.0 * (double)n);
    {
        float m = (float)n;
        EXPECT(g0 == 1.0f + m && g1 == 2.0f + 2.0f * m && g2 == 3.0f + m && g3 == 4.0f + 2.0f * m);
        EXPECT(g4 == 5.0f + m && g5 == 6.0f + 2.0f * m && g6 == 7.0f + m && g7 == 8.0f + 2.0f * m);
    }
    EXPECT_EQ(ars_coro_status(co[0]), ARS_CORO_DEAD);
    ars_coro_destroy(co[0]);
    ars_coro_destroy(co[1]);
}

/* ---- x86 floating-point control state travels with the context ---- */
#if defined(__x86_64__) || defined(__i386__)
#define HAVE_MXCSR 1
static unsigned get_mxcsr(void) { unsigned v; __asm__ volatile("stmxcsr %0" : "=m"(v)); return v; }
static void set_mxcsr(unsigned v) { __asm__ volatile("ldmxcsr %0" : : "m"(v)); }
/* i386 built without -msse (Debian's i686 default) still runs on CPUs with
   SSE, where libm's SSE2 variants and fesetround use MXCSR: the switch
   keeps it there too (it used to keep it only when built with __SSE__,
   and a coroutine's rounding mode leaked into its resumer). glibc's i386
   ucontext keeps only the x87 state. */
#if defined(__i386__) && !defined(__SSE__)
#include <cpuid.h>
static int have_mxcsr(void) {
#if defined(ARSENAL_CORO_USE_UCONTEXT)
    return 0;
#else
    unsigned a, b, c, d;
    return __get_cpuid(1, &a, &b, &c, &d) && ((d >> 25) & 1u);
#endif
}
#else
static int have_mxcsr(void) { return 1; }
#endif
#endif
#if defined(__x86_64__) || defined(__i386__)
#define HAVE_X87CW 1
static unsigned short get_cw(void) { unsigned short v; __asm__ volatile("fnstcw %0" : "=m"(v)); return v; }
static void set_cw(unsigned short v) { __asm__ volatile("fldcw %0" : : "m"(v)); }
static void *fpctl_worker(void *arg) {
    (void)arg;
#ifdef HAVE_MXCSR
    if (have_mxcsr()) set_mxcsr((get_mxcsr() & ~0x6000u) | 0x6000u); /* round toward zero */
#endif
    set_cw((unsigned short)((get_cw() & ~0x0C00u) | 0x0400u)); /* round down */
    for (;;) {
        int ok = 1;
#ifdef HAVE_MXCSR
        if (have_mxcsr()) ok &= (get_mxcsr() & 0x6000u) == 0x6000u;
#endif
        ok &= (get_cw() & 0x0C00u) == 0x0400u;
        ars_coro_yield((void *)(intptr_t)ok, NULL);
    }
    return NULL;
}
#if defined(ARSENAL_CORO_SHARE_FPENV) && !defined(ARS__CORO_UCONTEXT) && !defined(ARS__CORO_FIBERS)
/* ARSENAL_CORO_SHARE_FPENV: one set of modes per thread, so the modes the
   coroutine sets are the caller's after the yield, and the caller's reset
   is what the coroutine finds next */
static void test_fp_control(void) {
    ars_coro *co;
    ars_coro_opts o = stack_opts(0);
    void *ok = NULL;
#ifdef HAVE_MXCSR
    unsigned m0 = have_mxcsr() ? get_mxcsr() : 0;
#endif
    unsigned short c0 = get_cw();
    ASSERT_EQ(ars_coro_create(&co, fpctl_worker, NULL, &o), 0);
    ars_coro_resume(co, NULL, &ok);
    EXPECT_EQ((intptr_t)ok, 1);
#ifdef HAVE_MXCSR
    if (have_mxcsr()) {
        EXPECT_EQ(get_mxcsr() & 0x6000u, 0x6000u);   /* its rounding is ours now */
        set_mxcsr(m0);
    }
#endif
    EXPECT_EQ(get_cw() & 0x0C00u, 0x0400u);
    set_cw(c0);
    ars_coro_resume(co, NULL, &ok);
    EXPECT_EQ((intptr_t)ok, 0);                   /* and our reset is its */
    ars_coro_destroy(co);
}
#else
static void test_fp_control(void) {
    ars_coro *co;
    ars_coro_opts o = stack_opts(0);
    void *ok = NULL;
    int i;
#ifdef HAVE_MXCSR
    unsigned m0 = have_mxcsr() ? get_mxcsr() : 0;
#endif
    unsigned short c0 = get_cw();
#ifdef ARS__CTX_INLINE_X86_64
    int amd = ars__ctx_amd;   /* both ways of the x86_64 jump, and mixed */
#endif
    ASSERT_EQ(ars_coro_create(&co, fpctl_worker, NULL, &o), 0);
    for (i = 0; i < 12; i++) {
#ifdef ARS__CTX_INLINE_X86_64
        ars__ctx_amd = i % 3 == 1;
#endif
        ars_coro_resume(co, NULL, &ok);
        EXPECT_EQ((intptr_t)ok, 1);              /* the coroutine kept its modes */
#ifdef HAVE_MXCSR
        if (have_mxcsr()) EXPECT_EQ(get_mxcsr() & 0xFFC0u, m0 & 0xFFC0u); /* ours came back */
#endif
        EXPECT_EQ(get_cw(), c0);
    }
#ifdef ARS__CTX_INLINE_X86_64
    ars__ctx_amd = amd;
#endif
    ars_coro_destroy(co);
}
#endif
#endif

/* ---- RISC-V with D: the switch saves fs0-fs11 with fsd, which must find
   8-aligned slots (a misaligned fsd may trap: the ISA leaves it to the
   core). On RV32 the 13 integer slots end at 52, and fs0 went to sp+52.
   A context that loaded a pattern into fs0 jumps back; its saved frame
   must hold the pattern at an 8-aligned offset ---- */
#if defined(__riscv) && defined(__riscv_flen) && __riscv_flen == 64 && !defined(ARSENAL_CORO_USE_UCONTEXT)
#define HAVE_RV_FP_FRAME 1
static ars_ctx rvf_main, rvf_co;
static const uint64_t rvf_pattern = 0x7ff1234567abcdefull;   /* a NaN no code makes */
static void rvf_entry(void *value, void *arg) {
    (void)value; (void)arg;
    for (;;) {
        __asm__ __volatile__("fld fs0, %0" : : "m"(rvf_pattern) : "fs0");
        ars_ctx_jump(&rvf_co, &rvf_main, NULL);
    }
}
static void test_rv_fp_frame_aligned(void) {
    static unsigned char stack[4096] __attribute__((aligned(16)));
    const unsigned char *sp;
    size_t off, found = (size_t)-1;
    ASSERT_EQ(ars_ctx_make(&rvf_co, stack, sizeof stack, rvf_entry, NULL), 0);
    ars_ctx_jump(&rvf_main, &rvf_co, NULL);
    sp = (const unsigned char *)rvf_co.sp;
    for (off = 0; off + 8 <= 256 && sp + off + 8 <= stack + sizeof stack; off += 4) {
        uint64_t v;
        memcpy(&v, sp + off, 8);
        if (v == rvf_pattern) { found = off; break; }
    }
    EXPECT(found != (size_t)-1);
    EXPECT_EQ(found % 8, 0);
}
#endif

/* ---- nesting, status and the running coroutine ---- */
static ars_coro *outer_co, *inner_co;
static void *inner_fn(void *arg) {
    (void)arg;
    EXPECT(ars_coro_running() == inner_co);
    EXPECT_EQ(ars_coro_status(inner_co), ARS_CORO_RUNNING);
    EXPECT_EQ(ars_coro_status(outer_co), ARS_CORO_NORMAL);
    EXPECT_EQ(ars_coro_resume(outer_co, NULL, NULL), ARS_ESTATE); /* normal: refused */
    ars_coro_yield((void *)7, NULL);
    return (void *)8;
}
static void *outer_fn(void *arg) {
    void *v = NULL;
    ars_coro_opts o = stack_opts(1);
    (void)arg;
    EXPECT_EQ(ars_coro_create(&inner_co, inner_fn, NULL, &o), 0);
    EXPECT_EQ(ars_coro_resume(inner_co, NULL, &v), 0);
    EXPECT_EQ((intptr_t)v, 7);
    EXPECT(ars_coro_running() == outer_co);
    EXPECT_EQ(ars_coro_resume(outer_co, NULL, NULL), ARS_ESTATE); /* running: refused */
    EXPECT_EQ(ars_coro_destroy(outer_co), ARS_ESTATE);             /* running: refused */
    ars_coro_yield((void *)1, NULL);
    EXPECT_EQ(ars_coro_resume(inner_co, NULL, &v), 0);
    EXPECT_EQ((intptr_t)v, 8);
    EXPECT_EQ(ars_coro_status(inner_co), ARS_CORO_DEAD);
    EXPECT_EQ(ars_coro_destroy(inner_co), 0);
    return (void *)2;
}
static void test_nested(void) {
    void *v = NULL;
    ars_coro_opts o = stack_opts(0);
    EXPECT(ars_coro_running() == NULL);
    ASSERT_EQ(ars_coro_create(&outer_co, outer_fn, NULL, &o), 0);
    EXPECT_EQ(ars_coro_resume(outer_co, NULL, &v), 0);
    EXPECT_EQ((intptr_t)v, 1);
    EXPECT_EQ(ars_coro_resume(outer_co, NULL, &v), 0);
    EXPECT_EQ((intptr_t)v, 2);
    EXPECT_EQ(ars_coro_status(outer_co), ARS_CORO_DEAD);
    EXPECT(ars_coro_running() == NULL);
    EXPECT_EQ(ars_coro_destroy(outer_co), 0);
}

/* ---- bad use returns an error ---- */
static void *ret_arg(void *arg) { return arg; }
static void test_bad_use(void) {
    ars_coro *co;
    ars_coro_opts o = stack_opts(0);
    void *v = NULL;
    EXPECT_EQ(ars_coro_yield(NULL, NULL), ARS_ESTATE);   /* not in a coroutine */
    v = &o;
    EXPECT_EQ(ars_coro_yield(NULL, &v), ARS_ESTATE);
    EXPECT(v == NULL);                                   /* *in is set, also on failure */
    EXPECT_EQ(ars_coro_resume(NULL, NULL, NULL), ARS_EINVAL);
    EXPECT_EQ(ars_coro_create(NULL, ret_arg, NULL, &o), ARS_EINVAL);
    EXPECT_EQ(ars_coro_create(&co, NULL, NULL, &o), ARS_EINVAL);
    ASSERT_EQ(ars_coro_create(&co, ret_arg, (void *)42, &o), 0);
    EXPECT_EQ(ars_coro_resume(co, NULL, &v), 0);
    EXPECT_EQ((intptr_t)v, 42);
    EXPECT_EQ(ars_coro_status(co), ARS_CORO_DEAD);
    EXPECT_EQ(ars_coro_resume(co, NULL, &v), ARS_ESTATE); /* dead */
    EXPECT_EQ(ars_coro_destroy(co), 0);
    EXPECT_EQ(ars_sched_yield(), ARS_ESTATE);
#if defined(ARS_TEST_FREESTANDING)
    EXPECT_EQ(ars_sleep_until(0), ARS_ESTATE);
#else
    {   /* outside every coroutine the thread sleeps */
        int64_t t0 = ars_now();
        EXPECT_EQ(ars_sleep_until(0), 0);
        EXPECT_EQ(ars_sleep_until(t0 + 20), 0);
        EXPECT(ars_now() - t0 >= 19);
    }
#endif
#if defined(ARS_TEST_FREESTANDING)
    EXPECT_EQ(ars_park(0), ARS_ESTATE);
#else
    EXPECT_EQ(ars_park(0), ARS_ETIMEDOUT);   /* outside a coroutine: the thread's own park */
    EXPECT_EQ(ars_wake(ars_park_prepare(), 5), 0);
    EXPECT_EQ(ars_park(-1), 5);              /* woken before it waited: returns at once */
#endif
    EXPECT(ars_strerror(ARS_ESTATE) != ars_strerror(ARS_ECANCELED));
}

/* ---- many live coroutines, deep recursion ---- */
static void *park_once(void *arg) {
    ars_coro_yield(arg, NULL);
    return (void *)((intptr_t)arg + 1);
}
static void test_many_live(void) {
#ifdef ARS_TEST_FREESTANDING
    enum { N = FW_STACKS };
#elif defined(ARS_TEST_FIBER_CAP)
    enum { N = ARS_TEST_FIBER_CAP };
#else
    enum { N = 10000 };
#endif
    static ars_coro *cos[N];
    int i, created = 0, ok = 1;
    for (i = 0; i < N; i++) {
        ars_coro_opts o = stack_opts(i);
        if (ars_coro_create(&cos[i], park_once, (void *)(intptr_t)i, &o) != 0) break;
        created++;
    }
    EXPECT_EQ(created, N);
    for (i = 0; i < created; i++) {
        void *v = NULL;
        ars_coro_resume(cos[i], NULL, &v);
        ok &= (intptr_t)v == i;
    }
    for (i = 0; i < created; i++) {
        void *v = NULL;
        ars_coro_resume(cos[i], NULL, &v);
        ok &= (intptr_t)v == i + 1 && ars_coro_status(cos[i]) == ARS_CORO_DEAD;
        ars_coro_destroy(cos[i]);
    }
    EXPECT(ok);
}

static NOINLINE long recurse(long depth) {
    volatile char pad[128];
    pad[0] = (char)depth;
    if (depth == 0) return pad[0];
    return recurse(depth - 1) + 1 + pad[0] - (char)depth;
}
static void *deep_fn(void *arg) { return (void *)(intptr_t)recurse((long)(intptr_t)arg); }
static void test_deep_recursion(void) {
    ars_coro *co;
    ars_coro_opts o = stack_opts(0);
    void *v = NULL;
#ifdef ARS_TEST_FREESTANDING
    long depth = 20;
#else
    long depth = 2000; /* ~2000 frames of 128+ bytes: ~400 KiB */
    o.stack_size = 1024 * 1024;
#endif
    ASSERT_EQ(ars_coro_create(&co, deep_fn, (void *)(intptr_t)depth, &o), 0);
    EXPECT_EQ(ars_coro_resume(co, NULL, &v), 0);
    EXPECT_EQ((intptr_t)v, depth);
    ars_coro_destroy(co);
}

/* caller-given stack (hosted: a static buffer) */
static void test_caller_stack(void) {
    static unsigned char buf[32768] __attribute__((aligned(64)));
    ars_coro_opts o;
    ars_coro *co;
    void *v = NULL;
    memset(&o, 0, sizeof o);
    o.stack = buf;
    o.stack_size = sizeof buf;
#if defined(ARSENAL_CORO_USE_FIBERS) /* fibers bring their own stacks: refused */
    EXPECT_EQ(ars_coro_create(&co, echo_plus_one, (void *)5, &o), ARS_EINVAL);
    (void)v;
    return;
#endif
    ASSERT_EQ(ars_coro_create(&co, echo_plus_one, (void *)5, &o), 0);
    EXPECT((unsigned char *)co >= buf && (unsigned char *)co < buf + sizeof buf);
    EXPECT_EQ(ars_coro_guarded(co), 0);
    ars_coro_resume(co, NULL, &v);
    EXPECT_EQ((intptr_t)v, 6);
    ars_coro_destroy(co);
    o.stack_size = 64;
    EXPECT_EQ(ars_coro_create(&co, echo_plus_one, NULL, &o), ARS_EINVAL);
    /* caller memory of size 0: refused (it used to be taken for
       ARSENAL_CORO_STACK_SIZE bytes, past the end of buf) */
    o.stack_size = 0;
    co = (ars_coro *)&o;
    EXPECT_EQ(ars_coro_create(&co, echo_plus_one, NULL, &o), ARS_EINVAL);
    EXPECT(co == NULL);
}

/* ---- a suspended coroutine destroyed with live frames gives its stack
   back clean: the next coroutine on it (from the cache, or on the same
   caller memory) writes its locals where the abandoned frames were. Under
   gcc's ASan, which poisons a frame's redzones on entry and clears them on
   return only, those redzones stayed poisoned and the next coroutine was
   reported for a stack-buffer-overflow on its own array ---- */
static NOINLINE int abandon_deep(int n) {
    volatile char buf[160];
    buf[n % 160] = (char)n;
    if (n == 0) { ars_coro_yield(NULL, NULL); return buf[0]; }
    return abandon_deep(n - 1) + buf[n % 160];
}
static void *abandon_fn(void *arg) { (void)arg; return (void *)(intptr_t)abandon_deep(12); }
static NOINLINE void *fill_fn(void *arg) {
    volatile char big[3000];
    int i;
    for (i = 0; i < (int)sizeof big; i++) big[i] = (char)i;
    return (void *)(intptr_t)(big[100] + (arg != NULL));
}
static void test_destroy_suspended_reuse(void) {
    ars_coro *co;
    ars_coro_opts o = stack_opts(0);
    void *v = NULL;
    int k;
    for (k = 0; k < 3; k++) {
        ASSERT_EQ(ars_coro_create(&co, abandon_fn, NULL, &o), 0);
        EXPECT_EQ(ars_coro_resume(co, NULL, NULL), 0);
        EXPECT_EQ(ars_coro_status(co), ARS_CORO_SUSPENDED);
        EXPECT_EQ(ars_coro_destroy(co), 0);          /* frames abandoned */
        ASSERT_EQ(ars_coro_create(&co, fill_fn, (void *)1, &o), 0);
        EXPECT_EQ(ars_coro_resume(co, NULL, &v), 0);
        EXPECT_EQ((intptr_t)v, 101);
        EXPECT_EQ(ars_coro_destroy(co), 0);
    }
}

#if defined(__linux__) && !defined(ARS_TEST_FREESTANDING)
/* ---- destroying suspended coroutines gives back everything they had:
   under ASan with detect_stack_use_after_return (on for this program, see
   main) that includes the fake stack each one's frames went to, ~2.8 MiB
   of address space (and 16 KiB of RSS) apiece, which ASan frees only when
   a coroutine switches away for good ---- */
#ifdef UNDER_ASAN
#include <sanitizer/asan_interface.h>
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "detect_stack_use_after_return=1"; }
#endif
static long vm_size_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmSize:", 7) == 0) kb = atol(line + 7);
    fclose(f);
    return kb;
}
static int fake_frames_seen;
static void *abandon_fake_fn(void *arg) {
#ifdef UNDER_ASAN
    fake_frames_seen += __asan_get_current_fake_stack() != NULL;
#endif
    return abandon_fn(arg);
}
static void test_destroy_suspended_frees_all(void) {
    enum { N = 300 };
    ars_coro *co;
    long before, after;
    int i;
    fake_frames_seen = 0;
    for (i = 0; i < 20; i++) {       /* warm up: stack cache, ASan's own */
        ASSERT_EQ(ars_coro_create(&co, abandon_fake_fn, NULL, NULL), 0);
        EXPECT_EQ(ars_coro_resume(co, NULL, NULL), 0);
        EXPECT_EQ(ars_coro_destroy(co), 0);
    }
    before = vm_size_kb();
    for (i = 0; i < N; i++) {
        ASSERT_EQ(ars_coro_create(&co, abandon_fake_fn, NULL, NULL), 0);
        EXPECT_EQ(ars_coro_resume(co, NULL, NULL), 0);
        EXPECT_EQ(ars_coro_status(co), ARS_CORO_SUSPENDED);
        EXPECT_EQ(ars_coro_destroy(co), 0);
    }
    after = vm_size_kb();
    ASSERT(before > 0 && after > 0);
    EXPECT(after - before < 64 * 1024);   /* was ~800 MiB under ASan */
#ifdef UNDER_ASAN
    EXPECT_EQ(fake_frames_seen, N + 20);  /* the case above was exercised */
#endif
    /* a coroutine from the cache that never ran is destroyed without
       running: there is nothing of ASan's to free */
    i = fake_frames_seen;
    ASSERT_EQ(ars_coro_create(&co, abandon_fake_fn, NULL, NULL), 0);
    EXPECT_EQ(ars_coro_destroy(co), 0);
    EXPECT_EQ(fake_frames_seen, i);
    ars_coro_cache_trim();
}
#endif

/* ---- ars_coro_overhead / ars_coro_stack_size, and ars_ctx_release ---- */
static void ret_nothing(void *arg) { (void)arg; }
static void test_stack_sizes(void) {
    static unsigned char buf[8192] __attribute__((aligned(64)));
    size_t ov = ars_coro_overhead();
    ars_coro_opts o;
    ars_coro *co;
    void *v = NULL;
    EXPECT(ov >= 64 && ov % 64 == 0);
    ASSERT(ov + 1024 <= sizeof buf);
    memset(&o, 0, sizeof o);
    o.stack = buf;
#if defined(ARSENAL_CORO_USE_FIBERS)
    /* fibers own their stacks: caller memory is refused; the size asked for
       is the fiber's stack size */
    o.stack_size = ov + 1024;
    EXPECT_EQ(ars_coro_create(&co, echo_plus_one, NULL, &o), ARS_EINVAL);
    memset(&o, 0, sizeof o);
    o.stack_size = 100000;
    ASSERT_EQ(ars_coro_create(&co, echo_plus_one, (void *)1, &o), 0);
    EXPECT_EQ(ars_coro_stack_size(co), 100000);
    EXPECT_EQ(ars_coro_resume(co, NULL, &v), 0);
    EXPECT_EQ((intptr_t)v, 2);
    EXPECT_EQ(ars_coro_destroy(co), 0);
#else
    /* the smallest caller stack accepted: the object plus 1 KiB */
    o.stack_size = ov + 1023;
    EXPECT_EQ(ars_coro_create(&co, echo_plus_one, NULL, &o), ARS_EINVAL);
    o.stack_size = ov + 1024;
    ASSERT_EQ(ars_coro_create(&co, echo_plus_one, (void *)1, &o), 0);
    EXPECT_EQ(ars_coro_stack_size(co), ov + 1024);
    /* the object at the top of the memory, below its end */
    EXPECT((unsigned char *)co >= buf + 1024 - 64 && (unsigned char *)co < buf + ov + 1024);
    EXPECT_EQ(ars_coro_resume(co, NULL, &v), 0);
    EXPECT_EQ((intptr_t)v, 2);
    EXPECT_EQ(ars_coro_resume(co, (void *)41, &v), 0);
    EXPECT_EQ((intptr_t)v, 42);
    EXPECT_EQ(ars_coro_destroy(co), 0);
#if !defined(ARS_TEST_FREESTANDING)
    /* an allocated stack: the asked size, rounded up to whole pages */
    memset(&o, 0, sizeof o);
    o.stack_size = 100000;
    ASSERT_EQ(ars_coro_create(&co, echo_plus_one, (void *)1, &o), 0);
    EXPECT(ars_coro_stack_size(co) >= 100000 && ars_coro_stack_size(co) < 100000 + 65536);
    EXPECT_EQ(ars_coro_resume(co, NULL, &v), 0);
    EXPECT_EQ((intptr_t)v, 2);
    EXPECT_EQ(ars_coro_destroy(co), 0);
#endif
#endif
    /* sizes past SIZE_MAX / 2 are refused: rounding an allocated stack up
       to whole pages wrapped to 0 and the object went into the guard page
       (SIGSEGV); caller memory that large cannot exist either */
    {
        size_t k;
        for (k = 0; k < 3; k++) {
            memset(&o, 0, sizeof o);
            o.stack_size = (size_t)-1 - k * 1000;
            co = NULL;
            EXPECT_EQ(ars_coro_create(&co, echo_plus_one, NULL, &o), ARS_EINVAL);
            EXPECT(co == NULL);
            o.stack = buf;
            EXPECT_EQ(ars_coro_create(&co, echo_plus_one, NULL, &o), ARS_EINVAL);
        }
        memset(&o, 0, sizeof o);
        o.stack_size = (size_t)-1 / 2 + 1;
        EXPECT_EQ(ars_go_opts(ret_nothing, NULL, &o, NULL), ARS_EINVAL);
        EXPECT_EQ(ars_sched_count(), 0);
    }
    /* a context released (a fiber freed; nothing with the asm switch) can be
       made again on the same stack */
    {
        static unsigned char stack[16384] __attribute__((aligned(16)));
        intptr_t i, round;
        for (round = 0; round < 3; round++) {
            ASSERT_EQ(ars_ctx_make(&co_ctx, stack, sizeof stack, ctx_entry, &co_ctx), 0);
            for (i = 1; i < 10; i++)
                EXPECT_EQ((intptr_t)ars_ctx_jump(&main_ctx, &co_ctx, (void *)(i + round)), (i + round) * 2);
            ars_ctx_release(&co_ctx);
        }
    }
}

#if defined(HAVE_FORK)
/* ---- a runaway recursion hits the guard page: the child dies by SIGSEGV ---- */
static volatile long runaway_limit = 0x7fffffffL; /* never reached */
static NOINLINE long runaway(long n) {
    volatile char pad[512];
    pad[0] = (char)n;
    if (n >= runaway_limit) return 0;
    return runaway(n + 1) + pad[0];
}
static void *runaway_fn(void *arg) { return (void *)(intptr_t)runaway((long)(intptr_t)arg); }
static void test_guard_page(void) {
    pid_t pid;
    int status = 0;
    ars_coro *probe;
    ASSERT_EQ(ars_coro_create(&probe, ret_arg, NULL, NULL), 0);
    EXPECT_EQ(ars_coro_guarded(probe), 1);
    ars_coro_destroy(probe);
    fflush(stdout);
    pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        ars_coro *co;
        if (!freopen("/dev/null", "w", stderr)) _exit(4); /* keep the sanitizer's report quiet */
        if (ars_coro_create(&co, runaway_fn, NULL, NULL) != 0) _exit(3);
        ars_coro_resume(co, NULL, NULL);
        _exit(0); /* not reached: the guard page stops it */
    }
    waitpid(pid, &status, 0);
#if defined(UNDER_ASAN) || defined(UNDER_TSAN)
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) != 0); /* the sanitizer reports the overflow */
#else
    EXPECT(WIFSIGNALED(status) && (WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGBUS));
#endif
}
#endif

#if defined(__linux__) && !defined(ARS_TEST_FREESTANDING)
static int count_maps(void) {
    FILE *f = fopen("/proc/self/maps", "r");
    int n = 0, c;
    if (!f) return -1;
    while ((c = fgetc(f)) != EOF) n += c == '\n';
    fclose(f);
    return n;
}
/* ---- stacks are recycled: create/destroy does not map again ---- */
static void test_stack_recycling(void) {
    int i, before, after;
    ars_coro *co;
    ASSERT_EQ(ars_coro_create(&co, ret_arg, NULL, NULL), 0);
    ars_coro_resume(co, NULL, NULL);
    ars_coro_destroy(co);
    before = count_maps();
    for (i = 0; i < 1000; i++) {
        void *v = NULL;
        if (ars_coro_create(&co, ret_arg, (void *)(intptr_t)i, NULL) != 0) break;
        ars_coro_resume(co, NULL, &v);
        ars_coro_destroy(co);
        if ((intptr_t)v != i) break;
    }
    EXPECT_EQ(i, 1000);
    after = count_maps();
    EXPECT_EQ(after, before);
}

/* ---- a thread's cached stacks are unmapped when it exits ---- */
static void *cache_thread(void *arg) {
    ars_coro *co;
    int i;
    (void)arg;
    for (i = 0; i < 3; i++) {
        if (ars_coro_create(&co, ret_arg, NULL, NULL) != 0) return (void *)1;
        ars_coro_resume(co, NULL, NULL);
        ars_coro_destroy(co); /* back into this thread's cache */
    }
    return NULL;
}
/* more live coroutines than the cache holds: the rest of the stacks go
   through the unmap batch, which the thread's exit flushes too */
enum { MANY = ARSENAL_CORO_STACK_CACHE + 40 };
static ars_coro *many_cos[MANY];   /* each lives at the top of its stack */
static void *many_thread(void *arg) {
    int i;
    (void)arg;
    for (i = 0; i < MANY; i++)
        if (ars_coro_create(&many_cos[i], ret_arg, NULL, NULL) != 0) return (void *)1;
    for (i = 0; i < MANY; i++) { ars_coro_resume(many_cos[i], NULL, NULL); ars_coro_destroy(many_cos[i]); }
    return NULL;
}
/* how many of p[0..n) lie in a mapping of /proc/self/maps (read with
   read(2) into a static buffer: nothing is allocated meanwhile; under
   qemu-user the file lists the guest's mappings) */
static char maps_buf[1 << 20];
static int count_mapped(void **p, int n) {
    int fd = open("/proc/self/maps", O_RDONLY), i, hits = 0;
    size_t len = 0;
    ssize_t r;
    char *q;
    if (fd < 0) return -1;
    while (len < sizeof maps_buf - 1 && (r = read(fd, maps_buf + len, sizeof maps_buf - 1 - len)) > 0) len += (size_t)r;
    close(fd);
    maps_buf[len] = 0;
    for (i = 0; i < n; i++) {
        uintptr_t a = (uintptr_t)p[i];
        for (q = maps_buf; *q; ) {
            char *e;
            uintptr_t lo = (uintptr_t)strtoull(q, &e, 16), hi = (uintptr_t)strtoull(e + 1, NULL, 16);
            if (a >= lo && a < hi) { hits++; break; }
            while (*q && *q != '\n') q++;
            if (*q) q++;
        }
    }
    return hits;
}
static void *noop_thread(void *arg) { return arg; }
static void test_thread_exit_releases_cache(void) {
#if defined(UNDER_TSAN)
    /* TSan maps memory of its own for each thread: counts would not compare */
    return;
#endif
    pthread_t th;
    void *r = (void *)1;
    int before, after;
    /* glibc keeps an exited thread's stack for reuse: warm that cache first */
    ASSERT_EQ(pthread_create(&th, NULL, noop_thread, NULL), 0);
    pthread_join(th, NULL);
    before = count_maps();
    ASSERT_EQ(pthread_create(&th, NULL, cache_thread, NULL), 0);
    pthread_join(th, &r);
    EXPECT(r == NULL);
    after = count_maps();
    EXPECT_EQ(after, before);
    r = (void *)1;
    ASSERT_EQ(pthread_create(&th, NULL, many_thread, NULL), 0);
    pthread_join(th, &r);
    EXPECT(r == NULL);
    EXPECT_EQ(count_mapped((void **)many_cos, MANY), 0);   /* every stack unmapped */
}

#if !defined(ARS_TEST_QUICK) && !defined(UNDER_TSAN)
/* ---- more guarded stacks than vm.max_map_count allows: a graceful fallback
   to canary-checked stacks instead of an abort at ~32k ---- */
static void test_map_limit(void) {
    enum { N = 40000 };
    static ars_coro *cos[N];
    int i, created = 0, guarded = 0, ok = 1;
    for (i = 0; i < N; i++) {
        if (ars_coro_create(&cos[i], park_once, (void *)(intptr_t)i, NULL) != 0) break;
        guarded += ars_coro_guarded(cos[i]);
        created++;
    }
    EXPECT_EQ(created, N);
    /* every stack guarded where the kernel installs guards without splitting
       mappings (Linux 6.13+); otherwise guard pages up to the map budget
       and canaries after it */
    EXPECT(guarded == N || (guarded > 20000 && guarded < N));
    for (i = 0; i < created; i++) {
        void *v = NULL;
        ars_coro_resume(cos[i], NULL, &v);
        ok &= (intptr_t)v == i;
    }
    for (i = 0; i < created; i++) ars_coro_destroy(cos[i]);
    ars_coro_cache_trim();
    EXPECT(ok);
}
#endif
#endif

/* ---- the scheduler ---- */
static int order[64], order_n;
static void rr_worker(void *arg) {
    int i;
    for (i = 0; i < 3; i++) {
        if (order_n < 64) order[order_n++] = (int)(intptr_t)arg;
        ars_sched_yield();
    }
}
static void test_sched_round_robin(void) {
    int i, ok = 1;
    order_n = 0;
    for (i = 0; i < 3; i++) EXPECT_EQ(go(rr_worker, (void *)(intptr_t)i, NULL), 0);
    EXPECT_EQ(ars_sched_count(), 3);
    EXPECT_EQ(ars_sched_run(), 0);
    EXPECT_EQ(order_n, 9);
    for (i = 0; i < 9; i++) ok &= order[i] == i % 3;
    EXPECT(ok);
    EXPECT_EQ(ars_sched_count(), 0);
}

/* Two coroutines that wake each other and park forever (a channel
   ping-pong without channels) hand off directly, never through the
   scheduler loop; a round still ends after ARSENAL_CORO_DIRECT_RUNS extra
   runs, so a timer fires and the poller is called while they run. */
static ars_waker pp_w[2];
static int pp_stop, pp_ready;
static long pp_count[2], pp_polls;
static void pp_fn(void *arg) {
    int me = (int)(intptr_t)arg;
    for (;;) {
        int r;
        pp_w[me] = ars_park_prepare();
        pp_ready |= 1 << me;
        if (pp_ready == 3 && pp_w[!me].co) {
            ars_waker other = pp_w[!me];
            pp_w[!me].co = NULL;
            EXPECT_EQ(ars_wake(other, 7), 0);
        }
        if (pp_stop) {                        /* wake the other for good, leave */
            if (pp_w[!me].co) { ars_wake(pp_w[!me], 7); pp_w[!me].co = NULL; }
            return;
        }
        r = ars_park(-1);
        if (r != 7) { EXPECT_EQ(r, 7); return; }
        pp_count[me]++;
        if (pp_stop) {
            if (pp_w[!me].co) { ars_wake(pp_w[!me], 7); pp_w[!me].co = NULL; }
            return;
        }
    }
}
static void pp_timer(void *arg) {
    int k = 0;
    (void)arg;
    /* 20 ms, and on (up to 5 s) until each side counted 200 hand-offs: a
       machine that takes the thread away early must not end the test
       after one round */
    do EXPECT_EQ(ars_sleep_until(ars_now() + 20), 0);
    while ((pp_count[0] < 200 || pp_count[1] < 200) && ++k < 250);
    pp_stop = 1;
}
static int pp_poll(void *ctx, int64_t deadline) {
    (void)ctx;
    if (deadline == 0) pp_polls++;             /* the turns between rounds */
    return 0;
}
static void pp_poll_wake(void *ctx) { (void)ctx; }
static void test_handoff_rounds(void) {
    ars_poller p;
    p.poll = pp_poll; p.wake = pp_poll_wake; p.ctx = NULL;
    pp_stop = pp_ready = 0; pp_count[0] = pp_count[1] = 0; pp_polls = 0;
    pp_w[0].co = pp_w[1].co = NULL;
    ars_sched_set_poller(&p);
    go(pp_fn, (void *)(intptr_t)0, NULL);
    go(pp_fn, (void *)(intptr_t)1, NULL);
    go(pp_timer, NULL, NULL);
    EXPECT_EQ(ars_sched_run(), 0);             /* returns: the timer fired */
    ars_sched_set_poller(NULL);
    EXPECT(pp_stop);
    EXPECT(pp_count[0] > 100 && pp_count[1] > 100);
    EXPECT(pp_count[0] - pp_count[1] <= 1 && pp_count[1] - pp_count[0] <= 1);
    /* the poller had a turn at least every ~64 hand-offs (200 here: the
       rounds also run the coroutines queued at their start) */
    EXPECT(pp_polls >= (pp_count[0] + pp_count[1]) / 200);
}

static int64_t woke_at[4], wanted[4];
static void sleeper(void *arg) {
    int i = (int)(intptr_t)arg;
    EXPECT_EQ(ars_sleep_until(wanted[i]), 0);
    woke_at[i] = ars_now();
}
static void test_sleep_deadlines(void) {
    int i, round, late = 0;
    /* never early, every time; more than 60 ms late only when the machine
       took the thread away: such a round runs again, and three late rounds
       in a row fail (a slow timer is late every time) */
    for (round = 0; round < 3; round++) {
        int64_t t0 = ars_now();
        for (i = 0; i < 4; i++) {
            wanted[i] = t0 + 40 - 10 * i; /* out of order on purpose */
            go(sleeper, (void *)(intptr_t)i, NULL);
        }
        ars_sched_run();
        late = 0;
        for (i = 0; i < 4; i++) {
            EXPECT(woke_at[i] >= wanted[i]);        /* never early */
            if (woke_at[i] > wanted[i] + 60) late = 1;
        }
        if (!late) break;
    }
#if !defined(ARS_TEST_QUICK)
    EXPECT(!late);
#endif
}

static ars_waker parked_waker;
static int park_result, wake_result;
static void parker(void *arg) {
    (void)arg;
    parked_waker = ars_park_prepare();
    park_result = ars_park(-1);
}
static void waker_fn(void *arg) {
    wake_result = ars_wake(parked_waker, (int)(intptr_t)arg);
    EXPECT_EQ(ars_wake(parked_waker, 99), ARS_ESTATE); /* only one waker wins */
}
static void test_park_wake(void) {
    park_result = wake_result = -100;
    go(parker, NULL, NULL);
    go(waker_fn, (void *)(intptr_t)5, NULL);
    ars_sched_run();
    EXPECT_EQ(park_result, 5);
    EXPECT_EQ(wake_result, 0);
}

static void park_timeout_fn(void *arg) {
    int64_t t0 = ars_now();
    ars_waker w;
    (void)arg;
    w = ars_park_prepare();
    EXPECT_EQ(ars_park(t0 + 20), ARS_ETIMEDOUT);
    EXPECT(ars_now() >= t0 + 20);
    EXPECT_EQ(ars_wake(w, 1), ARS_ESTATE);        /* stale after the timeout */
    EXPECT_EQ(ars_park(0), ARS_ETIMEDOUT);        /* 0: do not block */
    EXPECT_EQ(ars_park(ars_now() - 5), ARS_ETIMEDOUT);
}
static void test_park_timeout(void) {
    go(park_timeout_fn, NULL, NULL);
    ars_sched_run();
}

static ars_coro *victim;
static int victim_result, victim_second;
static void victim_fn(void *arg) {
    (void)arg;
    victim_result = ars_sleep_until(ars_now() + 100000);
    victim_second = ars_sleep_until(ars_now() + 5);
}
static void canceller(void *arg) {
    (void)arg;
    ars_sched_yield(); /* let the victim park first */
    EXPECT_EQ(ars_cancel(victim), 0);
}
static void self_cancel(void *arg) {
    (void)arg;
    ars_cancel(ars_coro_running());
    EXPECT_EQ(ars_park(-1), ARS_ECANCELED);  /* a pending cancel: returns at once */
    EXPECT_EQ(ars_park(0), ARS_ETIMEDOUT);   /* consumed */
}
static void test_cancel(void) {
    int64_t t0 = ars_now();
    victim_result = victim_second = -100;
    go(victim_fn, NULL, &victim);
    go(canceller, NULL, NULL);
    go(self_cancel, NULL, NULL);
    ars_sched_run();
    EXPECT_EQ(victim_result, ARS_ECANCELED);
    EXPECT_EQ(victim_second, 0);
    EXPECT(ars_now() - t0 < 5000);
}

/* the poller hook: runs when nothing is runnable and wakes coroutines */
static int poll_calls, poll_blocking_calls;
static ars_waker poll_waiter;
static int poll_wait(void *ctx, int64_t deadline) {
    (void)ctx;
    poll_calls++;
    if (deadline != 0) {
        poll_blocking_calls++;
        if (poll_waiter.co) { ars_wake(poll_waiter, 77); poll_waiter.co = NULL; }
    }
    return 0;
}
static void poll_wake(void *ctx) { (void)ctx; }
static void io_waiter(void *arg) {
    (void)arg;
    poll_waiter = ars_park_prepare();
    EXPECT_EQ(ars_park(-1), 77);
}
static void test_poller_hook(void) {
    ars_poller p;
    p.poll = poll_wait;
    p.wake = poll_wake;
    p.ctx = NULL;
    poll_calls = poll_blocking_calls = 0;
    ars_sched_set_poller(&p);
    go(io_waiter, NULL, NULL);
    ars_sched_run();
    EXPECT(poll_blocking_calls >= 1);
    EXPECT(poll_calls >= 1);
    /* the poller stays installed for the thread's next run */
    poll_blocking_calls = 0;
    go(io_waiter, NULL, NULL);
    ars_sched_run();
    EXPECT_EQ(poll_blocking_calls, 1);
    ars_sched_set_poller(NULL);
}

#if defined(HAVE_THREADS)
/* ---- two threads, each its own scheduler; a coroutine on one wakes a
   coroutine parked on the other ---- */
typedef struct { int id; long sum; int waked; } thread_arg;
static ars_waker cross_waker;
static int cross_ready;
static int cross_result;
static void cross_parker(void *arg) {
    thread_arg *t = (thread_arg *)arg;
    cross_waker = ars_park_prepare();
    __atomic_store_n(&cross_ready, 1, __ATOMIC_RELEASE);
    cross_result = ars_park(ars_now() + 10000);
    t->waked = 1;
}
static void counter_fn(void *arg) {
    thread_arg *t = (thread_arg *)arg;
    int i;
    for (i = 0; i < 1000; i++) { t->sum += i; ars_sched_yield(); }
}
static void cross_waker_fn(void *arg) {
    (void)arg;
    while (!__atomic_load_n(&cross_ready, __ATOMIC_ACQUIRE)) ars_sleep_until(ars_now() + 1);
    EXPECT_EQ(ars_wake(cross_waker, 1234), 0);
}
#if defined(_WIN32)
static DWORD WINAPI thread_main(LPVOID p)
#else
static void *thread_main(void *p)
#endif
{
    thread_arg *t = (thread_arg *)p;
    int i;
    for (i = 0; i < 4; i++) go(counter_fn, t, NULL);
    if (t->id == 0) go(cross_parker, t, NULL); else go(cross_waker_fn, t, NULL);
    ars_sched_run();
    ars_coro_cache_trim();
#if defined(_WIN32)
    return 0;
#else
    return NULL;
#endif
}
#if !defined(_WIN32)
/* ---- ars_cancel from another thread racing with the park it cancels:
   each round the canceller fires as soon as the coroutine announces the
   round, so the cancel lands before, during or after the park is armed.
   Every round must end canceled; a lost cancel sleeps out the deadline ---- */
static ars_coro *xc_co;
static int xc_round, xc_n;
static long xc_got, xc_lost;
static void xc_parker(void *arg) {
    int k;
    (void)arg;
    __atomic_store_n(&xc_co, ars_coro_running(), __ATOMIC_SEQ_CST);
    for (k = 1; k <= xc_n; k++) {
        int r;
        int64_t t0 = ars_now();
        __atomic_store_n(&xc_round, k, __ATOMIC_SEQ_CST);
        r = ars_sleep_until(t0 + 3000);
        if (r == ARS_ECANCELED) xc_got++;
        else { xc_lost++; fprintf(stderr, "round %d: %d (%s) after %lld ms\n", k, r, ars_strerror(r), (long long)(ars_now() - t0)); break; }
    }
    __atomic_store_n(&xc_round, -1, __ATOMIC_SEQ_CST);
}
static void *xc_thread(void *arg) {
    (void)arg;
    go(xc_parker, NULL, NULL);
    ars_sched_run();
    ars_coro_cache_trim();
    return NULL;
}
static void test_cross_thread_cancel_race(void) {
    pthread_t th;
    int k, r;
    xc_co = NULL; xc_round = 0; xc_got = xc_lost = 0;
    xc_n = SCALE(20000, 300);
    ASSERT_EQ(pthread_create(&th, NULL, xc_thread, NULL), 0);
    for (k = 1; k <= xc_n; k++) {
        /* yielding while it waits: under Valgrind, which runs one thread
           at a time, a bare spin holds the CPU for a whole time slice a
           round (38 s to 270 s for test_coro there) */
        while ((r = __atomic_load_n(&xc_round, __ATOMIC_SEQ_CST)) != k && r != -1) sched_yield();
        if (r == -1) break;
        EXPECT_EQ(ars_cancel(__atomic_load_n(&xc_co, __ATOMIC_SEQ_CST)), 0);
    }
    pthread_join(th, NULL);
    EXPECT_EQ(xc_lost, 0);
    EXPECT_EQ(xc_got, (long)xc_n);
}
#endif

static void test_two_threads(void) {
    thread_arg t[2];
    int i;
    memset(t, 0, sizeof t);
    cross_ready = 0;
    cross_result = -100;
    t[0].id = 0; t[1].id = 1;
#if defined(_WIN32)
    {
        HANDLE h[2];
        for (i = 0; i < 2; i++) h[i] = CreateThread(NULL, 0, thread_main, &t[i], 0, NULL);
        WaitForMultipleObjects(2, h, TRUE, INFINITE);
        CloseHandle(h[0]); CloseHandle(h[1]);
    }
#else
    {
        pthread_t th[2];
        for (i = 0; i < 2; i++) pthread_create(&th[i], NULL, thread_main, &t[i]);
        for (i = 0; i < 2; i++) pthread_join(th[i], NULL);
    }
#endif
    EXPECT_EQ(t[0].sum, 4L * 499500L);
    EXPECT_EQ(t[1].sum, 4L * 499500L);
    EXPECT_EQ(cross_result, 1234);
    EXPECT_EQ(t[0].waked, 1);
}
#endif

#if defined(HAVE_THREADS) && !defined(_WIN32)
/* ---- a coroutine asleep for good (until canceled) leaves its thread
   idle. A deadline of INT64_MAX (what ars_sleep_until(-1) used to pass)
   became a negative tv_sec where time_t has 32 bits (i686, armhf): the
   timed wait returned at once and the scheduler spun a whole CPU. -1 now
   parks without a timer (test_sleep_forever_no_timer); INT64_MAX still
   takes the timed path this checks. ---- */
static ars_coro *forever_co;
static int forever_ready, forever_result;
static long forever_cpu_us;
static void forever_fn(void *arg) {
    (void)arg;
    __atomic_store_n(&forever_ready, 1, __ATOMIC_RELEASE);
    forever_result = ars_sleep_until(INT64_MAX);
}
static void *forever_thread(void *p) {
    struct timespec t0, t1;
    (void)p;
    go(forever_fn, NULL, &forever_co);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    ars_sched_run();
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    forever_cpu_us = (long)(t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;
    ars_coro_cache_trim();
    return NULL;
}
static void test_sleep_forever_idles(void) {
    pthread_t th;
    struct timespec ms1 = { 0, 1000000L }, wait = { 0, 500000000L };
    forever_co = NULL; forever_ready = 0; forever_result = -100; forever_cpu_us = -1;
    ASSERT_EQ(pthread_create(&th, NULL, forever_thread, NULL), 0);
    while (!__atomic_load_n(&forever_ready, __ATOMIC_ACQUIRE)) nanosleep(&ms1, NULL);
    nanosleep(&wait, NULL);                  /* 500 ms asleep */
    EXPECT_EQ(ars_cancel(forever_co), 0);
    pthread_join(th, NULL);
    EXPECT_EQ(forever_result, ARS_ECANCELED);
    /* an idle thread uses next to no CPU; the spin used what it got of the
       500 ms (a loaded machine gives it less, an idle thread never more) */
    EXPECT(forever_cpu_us >= 0 && forever_cpu_us < 50000L);
    if (forever_cpu_us >= 50000L) { ars_test_puts("  cpu us while asleep: "); ars_test_putl(forever_cpu_us); ars_test_putc('\n'); }
}
#endif

/* ---- ars_sleep_until(-1) takes no timer slot: more coroutines than
   firmware's ARSENAL_CORO_MAX_TIMERS (64) sleep for good at once. Each used
   to take a slot (an INT64_MAX deadline), and in firmware the ones past 64
   got ARS_ENOMEM at once ---- */
#define FOREVER_N 70
#ifdef ARS_TEST_FREESTANDING
static unsigned char forever_stacks[FOREVER_N][4096] __attribute__((aligned(16)));
#endif
static ars_coro *many_co[FOREVER_N];
static int many_result[FOREVER_N], many_parked;
static void many_sleeper(void *arg) {
    int i = (int)(intptr_t)arg;
    many_parked++;
    many_result[i] = ars_sleep_until(-1);
}
static void many_canceller(void *arg) {
    int i;
    (void)arg;
    while (many_parked < FOREVER_N) ars_sched_yield();
    for (i = 0; i < FOREVER_N; i++) EXPECT_EQ(ars_cancel(many_co[i]), 0);
}
static void test_sleep_forever_no_timer(void) {
    int i;
    many_parked = 0;
    for (i = 0; i < FOREVER_N; i++) {
        ars_coro_opts o;
        memset(&o, 0, sizeof o);
#ifdef ARS_TEST_FREESTANDING
        o.stack = forever_stacks[i];
        o.stack_size = sizeof forever_stacks[i];
#endif
        many_result[i] = -100;
        ASSERT_EQ(ars_go_opts(many_sleeper, (void *)(intptr_t)i, &o, &many_co[i]), 0);
    }
    ASSERT_EQ(go(many_canceller, NULL, NULL), 0);
    EXPECT_EQ(ars_sched_run(), 0);
    for (i = 0; i < FOREVER_N; i++) if (!EXPECT_EQ(many_result[i], ARS_ECANCELED)) break;
    EXPECT_EQ(ars_sched_count(), 0);
}

static void test_sched_bad_use(void);
static void nested_run(void *arg) { (void)arg; EXPECT_EQ(ars_sched_run(), ARS_ESTATE); }
static void test_sched_bad_use(void) {
    ars_waker w;
    EXPECT_EQ(ars_go(NULL, NULL), ARS_EINVAL);
    go(nested_run, NULL, NULL);
    /* outside a coroutine while one is alive here (waiting would starve
       it): an empty waker */
    w = ars_park_prepare();
    EXPECT(w.co == NULL);
    EXPECT_EQ(ars_wake(w, 0), ARS_EINVAL);
    ars_sched_run();
    EXPECT_EQ(ars_cancel(NULL), ARS_EINVAL);
}

/* ---- the generator calls on coroutines the scheduler runs: ars_coro_yield
   from one used to return to the scheduler, which never ran it again
   (ars_sched_run then waited forever); it now acts as ars_sched_yield.
   ars_coro_resume of one ran it outside the scheduler while the scheduler
   still owned it; it is now refused ---- */
static ars_coro *misuse_sleeper, *misuse_noop;
static int misuse_yield_r, misuse_resume_r, misuse_sleep_r, misuse_after, misuse_other;
static void *misuse_in;
static void misuse_other_fn(void *arg) { (void)arg; misuse_other = 1; }
static void misuse_sleep_fn(void *arg) { (void)arg; misuse_sleep_r = ars_sleep_until(ars_now() + 20); }
static void misuse_noop_fn(void *arg) { (void)arg; }
static void misuse_fn(void *arg) {
    (void)arg;
    ars_sched_yield();                                   /* the sleeper parks */
    misuse_resume_r = ars_coro_resume(misuse_sleeper, NULL, NULL);
    EXPECT_EQ(go(misuse_other_fn, NULL, NULL), 0);
    misuse_in = &misuse_in;
    misuse_yield_r = ars_coro_yield((void *)1, &misuse_in);
    EXPECT_EQ(misuse_other, 1);                          /* the others ran meanwhile */
    EXPECT(misuse_in == NULL);
    misuse_after = 1;
}
static void test_sched_generator_misuse(void) {
    misuse_yield_r = misuse_resume_r = misuse_sleep_r = -100;
    misuse_after = misuse_other = 0;
    ASSERT_EQ(go(misuse_noop_fn, NULL, &misuse_noop), 0);
    EXPECT_EQ(ars_coro_resume(misuse_noop, NULL, NULL), ARS_ESTATE);   /* from the thread, before the run */
    EXPECT_EQ(ars_coro_status(misuse_noop), ARS_CORO_SUSPENDED);
    EXPECT_EQ(go(misuse_sleep_fn, NULL, &misuse_sleeper), 0);
    EXPECT_EQ(go(misuse_fn, NULL, NULL), 0);
    EXPECT_EQ(ars_sched_run(), 0);
    EXPECT_EQ(misuse_resume_r, ARS_ESTATE);
    EXPECT_EQ(misuse_yield_r, 0);
    EXPECT_EQ(misuse_after, 1);
    EXPECT_EQ(misuse_sleep_r, 0);                        /* slept its time, undisturbed */
    EXPECT_EQ(ars_sched_count(), 0);
}

int main(void) {
#if defined(HAVE_THREADS) && !defined(_WIN32)
    ARS_RUN(test_first_use_two_threads);   /* first: see there */
#endif
    ARS_RUN(test_ctx_switch);
    ARS_RUN(test_million_switches);
    ARS_RUN(test_ctx_live_values);
    ARS_RUN(test_static_across_jump);
    ARS_RUN(test_callee_saved);
#ifdef HAVE_X87CW
    ARS_RUN(test_fp_control);
#endif
#ifdef HAVE_RV_FP_FRAME
    ARS_RUN(test_rv_fp_frame_aligned);
#endif
    ARS_RUN(test_nested);
    ARS_RUN(test_bad_use);
    ARS_RUN(test_many_live);
    ARS_RUN(test_deep_recursion);
    ARS_RUN(test_caller_stack);
    ARS_RUN(test_destroy_suspended_reuse);
#if defined(__linux__) && !defined(ARS_TEST_FREESTANDING)
    ARS_RUN(test_destroy_suspended_frees_all);
#endif
    ARS_RUN(test_stack_sizes);
#if defined(HAVE_FORK)
    ARS_RUN(test_guard_page);
#endif
#if defined(__linux__) && !defined(ARS_TEST_FREESTANDING)
    ARS_RUN(test_stack_recycling);
    ARS_RUN(test_thread_exit_releases_cache);
#if !defined(ARS_TEST_QUICK) && !defined(UNDER_TSAN)
    ARS_RUN(test_map_limit);
#endif
#endif
    ARS_RUN(test_sched_round_robin);
    ARS_RUN(test_handoff_rounds);
    ARS_RUN(test_sleep_deadlines);
    ARS_RUN(test_park_wake);
    ARS_RUN(test_park_timeout);
    ARS_RUN(test_cancel);
    ARS_RUN(test_poller_hook);
#if defined(HAVE_THREADS)
    ARS_RUN(test_two_threads);
#endif
#if defined(HAVE_THREADS) && !defined(_WIN32)
    ARS_RUN(test_cross_thread_cancel_race);
    ARS_RUN(test_sleep_forever_idles);
#endif
    ARS_RUN(test_sched_bad_use);
    ARS_RUN(test_sched_generator_misuse);
    ARS_RUN(test_sleep_forever_no_timer);
    return ars_test_report();
}
