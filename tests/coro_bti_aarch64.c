/* coro_bti_aarch64.c - arsenal_coro.h's AArch64 switch under BTI (run by
   tests/extra_coro.sh). Freestanding (no libc: Debian's static glibc has
   no BTI landing pads, so no glibc program can run with BTI enforced),
   built with -mbranch-protection=standard, which marks the object
   BTI-ready, and run in qemu-aarch64 -cpu max, which then enforces BTI.
   The bare switch is entered through a function pointer (blr), as through
   a PLT: without a landing pad at ars_ctx_jump that faults. With
   BTI_CONTROL the program instead calls, the same way, a function without
   a landing pad, and must fault: BTI really is enforced. Exit status 0 on
   success. */
#define ARSENAL_CORO_FREESTANDING
#define ARSENAL_CORO_NOW_MS() 0
#define ARSENAL_CORO_IMPLEMENTATION
#include "arsenal_coro.h"

static long sys3(long n, long a, long b, long c) {
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    __asm__ __volatile__("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return x0;
}
static void say(const char *s) {
    long n = 0;
    while (s[n]) n++;
    (void)sys3(64, 1, (long)s, n);     /* write(1, s, n) */
}
static void leave(int status) {
    (void)sys3(93, status, 0, 0);      /* exit(status) */
    for (;;) {}
}
/* what the compiler may call in a freestanding build */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n) {
    unsigned char *p = (unsigned char *)d;
    while (n--) *p++ = (unsigned char)c;
    return d;
}
void *memcpy(void *d, const void *s, size_t n) {
    unsigned char *p = (unsigned char *)d;
    const unsigned char *q = (const unsigned char *)s;
    while (n--) *p++ = *q++;
    return d;
}

#ifdef BTI_CONTROL
/* no landing pad */
__asm__(".text\n.p2align 2\n.globl bti_no_pad\n.type bti_no_pad, %function\n"
        "bti_no_pad:\n  mov x0, x1\n  ret\n.size bti_no_pad, .-bti_no_pad\n");
void *bti_no_pad(void *a, void *b);
static void *(*volatile no_pad)(void *, void *) = bti_no_pad;
void _start(void);
void _start(void) {
    (void)no_pad(0, 0);
    say("control: a call to a function without a landing pad did not fault\n");
    leave(1);
}
#else
static ars_ctx main_ctx, co_ctx;
static unsigned char stack[16384] __attribute__((aligned(16)));
static void *(*volatile jump)(ars_ctx *, ars_ctx *, void *) = ars_ctx_jump;   /* called through x-reg */
static void body(void *value, void *arg) {
    long i;
    (void)arg;
    for (i = (long)value;; i++) (void)jump(&co_ctx, &main_ctx, (void *)i);
}
void _start(void);
void _start(void) {
    long i;
    int ok = ars_ctx_make(&co_ctx, stack, sizeof stack, body, 0) == 0;
    for (i = 0; ok && i < 1000; i++) ok = (long)jump(&main_ctx, &co_ctx, (void *)5) == 5 + i;
    say(ok ? "1000 switches entered through a function pointer under BTI\n" : "switch results wrong\n");
    leave(ok ? 0 : 1);
}
#endif
