/* arsenal_coro.h - v0.1.0 - stackful coroutines with hand-written context
   switches, and a per-thread scheduler. Public domain or MIT (end of file).

   Define the implementation in exactly one .c file:

       #define ARSENAL_CORO_IMPLEMENTATION
       #include "arsenal_coro.h"

   (ARSENAL_IMPLEMENTATION switches on every arsenal header at once.)
   On POSIX with -std=c99 strict, either include this header first in that
   file (it then defines _DEFAULT_SOURCE) or compile with -D_DEFAULT_SOURCE.

   THREE LAYERS, each usable alone
   >>ctx     ars_ctx_make / ars_ctx_jump: the bare context switch. A jump saves
             the callee-saved registers of the platform ABI, swaps stacks and
             passes one pointer across. On x86_64 System V (gcc, clang) it is
             inline asm that declares every register clobbered, so the code
             around it saves only the registers that hold live values.
   >>coro    ars_coro_create / resume / yield / destroy: asymmetric coroutines
             on an allocated (guard-paged, recycled) or caller-given stack,
             passing a value each way; status; the running coroutine.
   >>sched   ars_go / ars_sched_run / ars_sched_yield / ars_sleep_until /
             ars_park / ars_wake / ars_cancel: one cooperative scheduler per
             OS thread with a timer heap, a poller hook (arsenal_io.h) and a
             thread-safe wake (cross-thread channels in arsenal_chan.h).
   (grep for ">>name" to jump to a section; >>asm holds the switch routines.)

   CONFIGURATION (define before including; defaults in brackets)
   ARSENAL_CORO_STATIC          make every function static to the including file
   ARSENAL_CORO_API             [extern] decoration of every public function
   ARSENAL_CORO_USE_UCONTEXT    force the ucontext backend (POSIX) [asm]
   ARSENAL_CORO_USE_FIBERS      force Windows fibers [asm; fibers on MSVC and ARM]
   ARSENAL_CORO_STACK_SIZE      default stack bytes [256 KiB on 64-bit, 64 KiB on 32-bit];
                                in such stacks the coroutine object and the
                                first frame sit 0 to 960 bytes (a multiple
                                of 64, by turns) below the top
   ARSENAL_CORO_STACK_CACHE     stacks kept per thread for reuse [64]
   ARSENAL_CORO_DIRECT_RUNS     coroutine runs a scheduler round may add by
                                switching straight from a parking coroutine to
                                the next runnable one, before timers, other
                                threads' wakes and I/O get their turn [64];
                                0: every switch goes through the scheduler
   ARSENAL_CORO_NO_GUARD        allocate stacks without guard pages [guarded]
   ARSENAL_CORO_SHARE_FPENV     x86 asm switches: do not keep MXCSR and the x87
                                control word per context; every coroutine of a
                                thread runs with the thread's current modes, and
                                a mode one sets is seen by all (as libaco's
                                ACO_CONFIG_SHARE_FPU_MXCSR_ENV). For programs
                                that never change rounding, DAZ/FTZ or exception
                                masks: a round trip then takes about a third of
                                the time on AMD [kept per context, as the ABI's
                                callee-saved rule asks]
   ARSENAL_CORO_FREESTANDING    no libc, no OS (firmware): caller-given stacks
                                only; needs ARSENAL_CORO_NOW_MS [auto when
                                __STDC_HOSTED__ == 0]
   ARSENAL_CORO_NOW_MS()        int64 milliseconds for ars_now() in firmware
   ARSENAL_CORO_MAX_TIMERS      coroutines sleeping with a deadline at once,
                                firmware only (no allocator there) [64]
   ARSENAL_CORO_IDLE()          what the firmware scheduler does while waiting
                                for a timer [busy wait]
   ARSENAL_CORO_NO_VALGRIND     do not register stacks with Valgrind [registered
                                when <valgrind/valgrind.h> exists]
   ARSENAL_CORO_NO_MEMBARRIER   arm every park with a full fence instead of
                                a plain store that a cross-thread ars_cancel
                                orders with the membarrier system call [Linux:
                                membarrier when the kernel has it, never under
                                TSan]
   ARSENAL_ASSERT(x)            [assert(x); nothing in freestanding builds]
   ARSENAL_MALLOC(size) / ARSENAL_FREE(ptr)  [malloc/free]; define both or
                                neither (the same pair for every arsenal header)

   EXAMPLE: a generator

       #define ARSENAL_CORO_IMPLEMENTATION
       #include "arsenal_coro.h"
       #include <stdio.h>

       static void *count(void *arg) {
           for (intptr_t i = 1; i <= (intptr_t)arg; i++)
               ars_coro_yield((void *)i, NULL);
           return NULL;                       // an entry may simply return
       }
       int main(void) {
           ars_coro *co; void *v;
           ars_coro_create(&co, count, (void *)3, NULL);
           while (ars_coro_resume(co, NULL, &v) == 0 && ars_coro_status(co) != ARS_CORO_DEAD)
               printf("%d\n", (int)(intptr_t)v);          // 1 2 3
           ars_coro_destroy(co);
       }

   EXAMPLE: the scheduler

       static void worker(void *arg) {
           ars_sleep_until(ars_now() + 10);      // deadlines are absolute ms
           printf("%s woke\n", (const char *)arg);
       }
       int main(void) {
           ars_go(worker, "a");  ars_go(worker, "b");
           return ars_sched_run();               // until all have finished
       }

   PLATFORMS
   asm switch: x86_64 System V (Linux, BSD, macOS), x86_64 Windows (mingw;
   also swaps xmm6-15 and the TIB stack base/limit/deallocation stack and
   exception list), i386 (System V and Windows), ARM32 A32 and Thumb-2
   (Linux, Cortex-M3/M4/M7; d8-d15 with a hardware FPU), AArch64, RISC-V
   rv32/rv64 and RV32E (fs0-fs11 with F/D); built with AArch64 branch
   protection, its entries carry BTI landing pads. x86 also keeps MXCSR
   and the x87 control word per context. Fallbacks: ucontext on other
   POSIX systems, fibers on Windows compilers without GNU asm and on
   Windows for ARM.

   CAVEATS
   - A coroutine belongs to the thread that created it; resume it there.
   - The coroutine object lives at the top of its stack memory.
   - ars_coro_destroy on a suspended coroutine frees its stack without
     unwinding it: anything it owns leaks unless it is told to finish first.
   - Top-level asm and -flto: keep this file out of LTO partitioning, or use
     ARSENAL_CORO_USE_UCONTEXT.
   - x86 CET shadow stacks are not kept by the asm switch. Built with
     -fcf-protection=return or =full (Ubuntu's default is full) a program
     runs as usual while shadow stacks are off, as they are unless asked
     for (Linux 6.6+, glibc 2.39+: GLIBC_TUNABLES=glibc.cpu.x86_shstk=on);
     when they are on, coroutine creation fails with ARS_EPERM rather than
     the first switch faulting. There, use ARSENAL_CORO_USE_UCONTEXT (glibc
     gives makecontext contexts their own shadow stacks) or build with
     -fcf-protection=branch. On Windows x64 the same holds for a program
     linked CET-compatible; there use ARSENAL_CORO_USE_FIBERS.
   - Under ASan, TSan and Valgrind the coroutine layer's switches and stacks
     are annotated for them. Under ASan, ars_coro_destroy on a suspended
     coroutine that has a fake stack (detect_stack_use_after_return)
     switches into it once so ASan frees that stack; none of the
     coroutine's own code runs. The bare ars_ctx_* layer is not: register a
     stack you hand to ars_ctx_make yourself (VALGRIND_STACK_REGISTER) or
     Valgrind reports the first jump onto it.
*/
#ifndef ARSENAL_CORO_H
#define ARSENAL_CORO_H

/* the implementation needs POSIX declarations: when this header comes
   first in the file, ask for them before the system headers below (the
   common block's <stdint.h> fixes the feature macros of the file) */
#if (defined(ARSENAL_CORO_IMPLEMENTATION) || defined(ARSENAL_IMPLEMENTATION)) && !defined(_WIN32) && \
    !defined(ARSENAL_CORO_FREESTANDING) && !defined(_DEFAULT_SOURCE) && !defined(_GNU_SOURCE) && \
    !defined(_XOPEN_SOURCE) && !defined(_POSIX_C_SOURCE) && !defined(__APPLE__)
#define _DEFAULT_SOURCE 1
#endif

#define ARSENAL_CORO_VERSION_MAJOR 0
#define ARSENAL_CORO_VERSION_MINOR 1
#define ARSENAL_CORO_VERSION_PATCH 0

#ifndef ARSENAL_CORO_API
#if defined(ARSENAL_CORO_STATIC) && (defined(__GNUC__) || defined(__clang__))
#define ARSENAL_CORO_API static __attribute__((unused))
#elif defined(ARSENAL_CORO_STATIC)
#define ARSENAL_CORO_API static
#else
#define ARSENAL_CORO_API extern
#endif
#endif

/* >>common: identical in every arsenal_*.h (tests/check_common.sh compares) */
#ifndef ARSENAL_COMMON_BLOCK_V1
#define ARSENAL_COMMON_BLOCK_V1
#include <stddef.h>
#include <stdint.h>
/* Error codes: 0 is success, negative is failure. One list makes the enum
   and ars_strerror(). */
#define ARS__ERRORS(X) \
    X(ARS_OK,          0,  "success") \
    X(ARS_EINVAL,     -1,  "invalid argument") \
    X(ARS_ENOMEM,     -2,  "out of memory") \
    X(ARS_ETIMEDOUT,  -3,  "deadline passed") \
    X(ARS_ECANCELED,  -4,  "operation canceled") \
    X(ARS_ECLOSED,    -5,  "closed") \
    X(ARS_EAGAIN,     -6,  "would block") \
    X(ARS_ESTATE,     -7,  "wrong state for this call") \
    X(ARS_EOVERFLOW,  -8,  "value too large") \
    X(ARS_ECORRUPT,   -9,  "corrupt or truncated data") \
    X(ARS_EEOF,       -10, "end of stream") \
    X(ARS_ECONNRESET, -11, "connection reset by peer") \
    X(ARS_ECONNREFUSED, -12, "connection refused") \
    X(ARS_EADDRINUSE, -13, "address in use") \
    X(ARS_EPIPE,      -14, "broken pipe") \
    X(ARS_EMFILE,     -15, "too many open files") \
    X(ARS_ENOTFOUND,  -16, "not found") \
    X(ARS_EPERM,      -17, "operation not permitted") \
    X(ARS_EBUSY,      -18, "resource busy") \
    X(ARS_EUNREACH,   -19, "network unreachable") \
    X(ARS_EISR,       -20, "not allowed in interrupt context") \
    X(ARS_EIO,        -21, "input/output error")
#define ARS__ERROR_ENUM(name, value, text) name = value,
enum ars_error { ARS__ERRORS(ARS__ERROR_ENUM) ARS__ERROR_LAST = -21 };
#undef ARS__ERROR_ENUM
/* Human-readable text of an ARS_E* code (or "unknown error"). */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((unused))
#endif
static const char *ars_strerror(int err) {
    switch (err) {
#define ARS__ERROR_CASE(name, value, text) case value: return text;
    ARS__ERRORS(ARS__ERROR_CASE)
#undef ARS__ERROR_CASE
    default: return "unknown error";
    }
}
/* Allocator: alloc returns memory aligned to `align` (a power of two) or
   NULL; free receives the size that was asked for. NULL allocator pointers
   mean the header's default (ARSENAL_MALLOC / ARSENAL_FREE, else malloc). */
typedef struct ars_allocator {
    void *(*alloc)(void *ctx, size_t size, size_t align);
    void (*free)(void *ctx, void *ptr, size_t size);
    void *ctx;
} ars_allocator;
#endif /* ARSENAL_COMMON_BLOCK_V1 */
/* <<common */

#if defined(ARSENAL_CORO_USE_UCONTEXT)
#include <ucontext.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* >>ctx ---------------------------------------------------------------- */
/* A saved execution context. Zero-initialise the one you jump *from* the
   first time (e.g. a thread's original stack); make the others with
   ars_ctx_make. */
#if !defined(ARSENAL_CORO_USE_UCONTEXT) && !defined(ARSENAL_CORO_USE_FIBERS) && \
    defined(__x86_64__) && !defined(_WIN32) && (defined(__GNUC__) || defined(__clang__))
/* x86_64 System V: the jump is inline asm in this header (see ars_ctx_jump) */
#define ARS__CTX_INLINE_X86_64 1
#endif
/* Windows fibers: asked for, or with MSVC (no GNU asm), or on Windows for
   ARM, which keeps the stack bounds that its stack probes and unwinder
   check in the TEB; only the x86 switches here swap them */
#if !defined(ARSENAL_CORO_USE_UCONTEXT) && \
    (defined(ARSENAL_CORO_USE_FIBERS) || (defined(_MSC_VER) && !defined(__clang__)) || \
     (defined(_WIN32) && !defined(__x86_64__) && !defined(__i386__)))
#define ARS__CTX_FIBERS 1
#endif
typedef struct ars_ctx {
    void *sp;                     /* saved stack pointer (asm), fiber (fibers) */
#if defined(ARS__CTX_INLINE_X86_64)
    void *pc;                     /* where the jump resumes */
    void *bp;                     /* rbp (the one register not left to the compiler) */
    unsigned csr;                 /* MXCSR */
    unsigned short cw;            /* x87 control word */
#elif defined(ARSENAL_CORO_USE_UCONTEXT)
    ucontext_t uc;
    void (*fn)(void *value, void *arg);
    void *arg;
#elif defined(ARS__CTX_FIBERS)
    void (*fn)(void *value, void *arg);
    void *arg;
    unsigned fpctl[2];            /* MXCSR and x87 CW while switched out (x86) */
#endif
} ars_ctx;

/* Prepares `ctx` to run fn(value, arg) on the stack [stack, stack+size) when
   first jumped to; `value` is what that first jump passes. fn must never
   return: it ends by jumping elsewhere. Returns 0 or ARS_EINVAL (stack too
   small or misaligned size), ARS_ENOMEM (fibers), ARS_EPERM (x86 built
   with -fcf-protection=return/full and running with CET shadow stacks on,
   which this switch does not keep: see CAVEATS). */
ARSENAL_CORO_API int ars_ctx_make(ars_ctx *ctx, void *stack, size_t size,
                                  void (*fn)(void *value, void *arg), void *arg);
/* Saves the running context into *from and continues *to; returns the value
   passed by whoever jumps back to *from. */
#if defined(ARS__CTX_INLINE_X86_64)
/* x86_64 System V: inline, so the compiler saves only what is live here.
   The asm declares every register but rsp and rbp clobbered (all general
   registers, xmm0-15 and, with AVX-512, xmm16-31 and k0-7, the x87 stack),
   so each callee-saved register (rbx, r12-r15) that holds a value across the
   jump is kept by the code around it, as around any call; rbp, which a frame
   pointer may occupy, goes into *from with rsp and the resume address. The
   MXCSR control bits and the x87 control word are callee-saved too: the
   outgoing side stores both (the incoming side compares them with its own,
   each with a load of the stored size, which store forwarding serves), and
   each is reloaded only when its control bits differ; the sticky status
   flags are caller-saved and stay as they are (on Intel, ldmxcsr that
   changes them costs ~100 ns). On AMD the outgoing side does not read its
   MXCSR back (see ars__ctx_amd) and the incoming side always reloads its
   own, status flags included. The side that arrives finds the sender's
   words in ecx/edx and its own context in rsi. */
#if defined(__SSE__)
#define ARS__CTX_CLOBBER_SSE , "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", \
    "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"
#else /* -mgeneral-regs-only, -mno-sse: the compiler keeps nothing there */
#define ARS__CTX_CLOBBER_SSE
#endif
#if !defined(_SOFT_FLOAT)
#define ARS__CTX_CLOBBER_X87 , "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)"
#else /* -mno-80387, -msoft-float */
#define ARS__CTX_CLOBBER_X87
#endif
#if defined(__AVX512F__)
#define ARS__CTX_CLOBBER_AVX512 , "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", \
    "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", \
    "xmm31", "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"
#else
#define ARS__CTX_CLOBBER_AVX512
#endif
/* Within a function, the asm's "memory" clobber makes gcc store and reload
   every variable around the jump. Across functions it does not: gcc's
   ipa-reference pass sums up what each function may change, counts no
   file-static variable (one whose address is never taken) as changed by an
   asm, and so a caller of a function that jumps (ars_ctx_jump itself when it
   is not inlined, or any function around it) kept such a variable's value
   across the call although the other side changed it, and dropped stores to
   it before the call. One call of an empty function that gcc must treat as
   unknown puts every function that jumps in the "may change anything it can
   reach" class, as a real call would. clang counts the asm as an unknown
   call already. */
#if defined(__GNUC__) && !defined(__clang__)
#if __GNUC__ >= 8
__attribute__((noipa, unused))
#else
__attribute__((noinline, noclone, unused))
#endif
static void ars__ctx_fence(void) { __asm__ __volatile__("" : : : "memory"); }
#define ARS__CTX_FENCE() ars__ctx_fence()
#else
#define ARS__CTX_FENCE() ((void)0)
#endif
/* the jump after each side's MXCSR/CW prologue, and its operands */
#define ARS__CTX_X64_JUMP \
    "leaq 1f(%%rip), %%r8\n\t" \
    "movq %%rsp, 0(%%rdi)\n\t" \
    "movq %%r8, 8(%%rdi)\n\t" \
    "movq %%rbp, 16(%%rdi)\n\t" \
    "movq 0(%%rsi), %%rsp\n\t" \
    "movq 16(%%rsi), %%rbp\n\t" \
    "jmpq *8(%%rsi)\n" \
    "1:\n\t" \
    ARS__CTX_X64_ARRIVE
#if defined(ARSENAL_CORO_SHARE_FPENV)
#define ARS__CTX_X64_ARRIVE
#else
#define ARS__CTX_X64_ARRIVE \
    "xorl 24(%%rsi), %%ecx\n\t" \
    "andl $0xffc0, %%ecx\n\t" \
    "jz 3f\n\t" \
    "ldmxcsr 24(%%rsi)\n" \
    "3:\n\t" \
    "xorw 28(%%rsi), %%dx\n\t" \
    "jz 2f\n\t" \
    "fldcw 28(%%rsi)\n" \
    "2:"
#endif
#define ARS__CTX_X64_OPERANDS \
    : "+a"(value), "+D"(from), "+S"(to) \
    : \
    : "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", \
    "memory", "cc" ARS__CTX_CLOBBER_SSE ARS__CTX_CLOBBER_X87 ARS__CTX_CLOBBER_AVX512
/* 1 on AMD processors, set by ars_ctx_make: there a load of the word
   stmxcsr just stored waits for that store to retire (measured on Zen 5:
   +4 ns a round trip, more than the rest of the jump), so the jump does
   not read its own MXCSR back. It hands the arriving side the complement
   of that side's saved MXCSR instead, which makes the comparison below
   fail, and the arriving side reloads its MXCSR and x87 CW, which AMD
   does without the penalty Intel takes when ldmxcsr changes status
   flags. Either side's arrival code is the same, so the two ways mix
   safely. One copy per file: a file without the implementation, which
   never calls ars_ctx_make, keeps 0 and the first way. */
static int ars__ctx_amd __attribute__((unused));
static inline void *ars_ctx_jump(ars_ctx *from, ars_ctx *to, void *value) {
#if defined(ARSENAL_CORO_SHARE_FPENV)
    __asm__ __volatile__(ARS__CTX_X64_JUMP ARS__CTX_X64_OPERANDS);
#else
    /* both ways store MXCSR and CW and hand over the CW; they differ in ecx */
#define ARS__CTX_X64_SAVE "stmxcsr 24(%%rdi)\n\tfnstcw 28(%%rdi)\n\tmovzwl 28(%%rdi), %%edx\n\t"
    if (__atomic_load_n(&ars__ctx_amd, __ATOMIC_RELAXED))
        __asm__ __volatile__(ARS__CTX_X64_SAVE "movl 24(%%rsi), %%ecx\n\tnotl %%ecx\n\t"
                             ARS__CTX_X64_JUMP ARS__CTX_X64_OPERANDS);
    else
        __asm__ __volatile__(ARS__CTX_X64_SAVE "movl 24(%%rdi), %%ecx\n\t"
                             ARS__CTX_X64_JUMP ARS__CTX_X64_OPERANDS);
#endif
    ARS__CTX_FENCE();
    return value;
}
#else
ARSENAL_CORO_API void *ars_ctx_jump(ars_ctx *from, ars_ctx *to, void *value);
#endif
/* Frees what ars_ctx_make allocated (fibers); a no-op with the asm switch. */
ARSENAL_CORO_API void ars_ctx_release(ars_ctx *ctx);

/* >>coro --------------------------------------------------------------- */
typedef struct ars_coro ars_coro;
typedef void *(*ars_coro_fn)(void *arg);

enum ars_coro_status {
    ARS_CORO_SUSPENDED = 0,   /* created or yielded: may be resumed */
    ARS_CORO_RUNNING,         /* executing now */
    ARS_CORO_NORMAL,          /* has resumed another coroutine */
    ARS_CORO_DEAD             /* its entry function returned */
};

typedef struct ars_coro_opts {
    size_t stack_size;              /* 0 = ARSENAL_CORO_STACK_SIZE (not with stack) */
    void *stack;                    /* caller memory of stack_size bytes (> 0), or NULL */
    const ars_allocator *allocator; /* for non-guarded stacks; NULL = default */
} ars_coro_opts;

/* Creates a suspended coroutine that will run fn(arg). opts may be NULL.
   Returns 0, ARS_EINVAL (no out or fn; a stack_size below
   ars_coro_overhead() + 4096 for an allocated stack or + 1024 for caller
   memory, or above SIZE_MAX / 2; a caller stack with stack_size 0; fibers
   take any size and refuse caller memory), ARS_ENOMEM. */
ARSENAL_CORO_API int ars_coro_create(ars_coro **out, ars_coro_fn fn, void *arg,
                                     const ars_coro_opts *opts);
/* Runs co until it yields or returns. `in` becomes the result of its
   ars_coro_yield; *out (if out) receives the yielded or returned value.
   Returns 0, ARS_EINVAL (NULL), or ARS_ESTATE if co is not suspended
   (running, normal, dead) or belongs to a scheduler (ars_go: only the
   scheduler resumes it). */
ARSENAL_CORO_API int ars_coro_resume(ars_coro *co, void *in, void **out);
/* Suspends the running coroutine, handing `value` to its resumer; *in (if
   in) receives the next resume's value. ARS_ESTATE (*in = NULL) outside a
   coroutine. In a coroutine of a scheduler (ars_go) it acts as
   ars_sched_yield: `value` is dropped, *in is NULL, and the coroutine runs
   again after the others that are runnable. */
ARSENAL_CORO_API int ars_coro_yield(void *value, void **in);
/* One of enum ars_coro_status (ARS_CORO_DEAD for NULL). */
ARSENAL_CORO_API int ars_coro_status(const ars_coro *co);
/* The running coroutine of this thread, or NULL on the thread's own stack. */
ARSENAL_CORO_API ars_coro *ars_coro_running(void);
/* Frees a suspended or dead coroutine. ARS_EINVAL for NULL; ARS_ESTATE if
   running or normal, or if it belongs to a scheduler (ars_go), which frees
   it when it finishes. */
ARSENAL_CORO_API int ars_coro_destroy(ars_coro *co);
/* 1 if the coroutine's stack has a no-access guard page below it. */
ARSENAL_CORO_API int ars_coro_guarded(const ars_coro *co);
/* Usable stack bytes of the coroutine: the caller's stack_size for caller
   memory, the allocated size (whole pages) otherwise, the fiber's stack size
   with fibers. 0 for NULL. */
ARSENAL_CORO_API size_t ars_coro_stack_size(const ars_coro *co);
/* Bytes a coroutine object takes at the top of a caller-given stack. */
ARSENAL_CORO_API size_t ars_coro_overhead(void);
/* Frees this thread's cache of recycled stacks (POSIX threads do this when
   they exit; on Windows call it before a thread that used coroutines ends). */
ARSENAL_CORO_API void ars_coro_cache_trim(void);

/* >>sched -------------------------------------------------------------- */
/* Milliseconds on a monotonic clock; deadlines are absolute on it. -1 means
   never, 0 means "do not block". */
ARSENAL_CORO_API int64_t ars_now(void);

/* Spawns fn(arg) on this thread's scheduler; *out (if out) receives the
   coroutine, valid until it finishes. Returns 0 or ARS_ENOMEM/ARS_EINVAL. */
ARSENAL_CORO_API int ars_go(void (*fn)(void *arg), void *arg);
ARSENAL_CORO_API int ars_go_opts(void (*fn)(void *arg), void *arg,
                                 const ars_coro_opts *opts, ars_coro **out);
/* Runs this thread's scheduler until every spawned coroutine has finished
   (at once with none). Returns 0, ARS_ESTATE if called from inside a
   coroutine, or ARS_ENOMEM (no memory for the scheduler). */
ARSENAL_CORO_API int ars_sched_run(void);
/* Lets the other runnable coroutines run. ARS_ESTATE outside a scheduled
   coroutine. */
ARSENAL_CORO_API int ars_sched_yield(void);
/* Sleeps until the deadline (-1: until canceled). 0, ARS_ECANCELED,
   ARS_ESTATE, ARS_ENOMEM (no room for the timer; firmware: more than
   ARSENAL_CORO_MAX_TIMERS at once; -1 takes none). Outside every coroutine
   the thread sleeps, as ars_park below describes (-1 then never ends). */
ARSENAL_CORO_API int ars_sleep_until(int64_t deadline);
/* Number of coroutines alive on this thread's scheduler. */
ARSENAL_CORO_API size_t ars_sched_count(void);

/* Park / wake: how other headers block a coroutine.
     ars_waker w = ars_park_prepare();   // 1. arm the running coroutine
     publish w where a waker finds it     // 2. (under your own lock)
     int r = ars_park(deadline);          // 3. sleep until woken
   ars_wake(w, result) makes that ars_park return `result`; it may be called
   from any thread, exactly one waker wins (the deadline and ars_cancel are
   wakers too: ARS_ETIMEDOUT, ARS_ECANCELED). A stale waker (the park already
   ended) does nothing and returns ARS_ESTATE; one with co NULL (below)
   returns ARS_EINVAL.
   Outside every coroutine (a plain thread, or main before ars_sched_run)
   ars_park blocks the thread itself, unless this thread's scheduler has
   live coroutines, which could not run meanwhile: then, as in a coroutine
   that has no scheduler (ars_coro_create), and in firmware, ars_park_prepare
   gives a waker with co NULL and ars_park returns ARS_ESTATE. */
typedef struct ars_waker { ars_coro *co; uint32_t seq; } ars_waker;
ARSENAL_CORO_API ars_waker ars_park_prepare(void);
ARSENAL_CORO_API int ars_park(int64_t deadline);
ARSENAL_CORO_API int ars_wake(ars_waker w, int result);
/* Cancels co: its current (or next) blocking call returns ARS_ECANCELED.
   Thread-safe. Returns 0 or ARS_EINVAL. */
ARSENAL_CORO_API int ars_cancel(ars_coro *co);
/* Internal, shared with arsenal_chan.h: whether the membarrier system
   call's private expedited barrier works in this process (Linux; the first
   call registers the process), and one such barrier on every thread of it.
   Elsewhere 0 and nothing. */
ARSENAL_CORO_API int ars__membarrier_on(void);
ARSENAL_CORO_API void ars__membarrier(void);
/* Internal, shared with arsenal_chan.h: the running coroutine, its park
   prepared, may spin a while before ars_park in case a peer thread answers
   at once: if ars__park_spin_begin() says so (0 when other coroutines of
   this thread are runnable: they run instead), its own wait, then
   ars__park_spin_end. When a waker on another thread claimed the park
   meanwhile and, seeing the spin, left the coroutine running instead of
   queueing it on its scheduler, that returns the park's result, and
   ars_park must not be called. Else it returns ARS__UNSPUN: call ars_park
   as usual. Outside every coroutine begin says 1 and end ARS__UNSPUN. */
#define ARS__UNSPUN 0x7fffffff
ARSENAL_CORO_API int ars__park_spin_begin(void);
/* 1 when no other coroutine of the caller's scheduler is runnable (or the
   caller is no scheduled coroutine): a spin-wait then delays nobody */
ARSENAL_CORO_API int ars__sched_alone(void);
ARSENAL_CORO_API int ars__park_spin_end(void);
/* the clock of ars_now() in nanoseconds (arsenal_io.h's idle busy-poll) */
ARSENAL_CORO_API int64_t ars__now_ns(void);

/* Poller hook (arsenal_io.h): when nothing is runnable the scheduler calls
   poll(ctx, deadline) to wait for events (waking coroutines with ars_wake)
   until the deadline (-1: no timer pending; 0: do not block). wake(ctx) must
   interrupt a poll from another thread. Pass NULL to remove. The poller is
   per thread and stays installed across ars_sched_run calls. */
typedef struct ars_poller {
    int (*poll)(void *ctx, int64_t deadline);
    void (*wake)(void *ctx);
    void *ctx;
} ars_poller;
ARSENAL_CORO_API void ars_sched_set_poller(const ars_poller *poller);

#ifdef __cplusplus
}
#endif
#endif /* ARSENAL_CORO_H */

/* ====================================================================== */
#if (defined(ARSENAL_CORO_IMPLEMENTATION) || defined(ARSENAL_IMPLEMENTATION)) && \
    !defined(ARSENAL_CORO_IMPLEMENTATION_ONCE)
#define ARSENAL_CORO_IMPLEMENTATION_ONCE

#if defined(ARSENAL_MALLOC) != defined(ARSENAL_FREE)
#error "arsenal_coro.h: define both ARSENAL_MALLOC and ARSENAL_FREE, or neither"
#endif

/* >>platform: detect once into private macros */
#if !defined(ARSENAL_CORO_FREESTANDING) && defined(__STDC_HOSTED__) && __STDC_HOSTED__ == 0
#define ARSENAL_CORO_FREESTANDING
#endif

#if defined(ARSENAL_CORO_FREESTANDING)
#define ARS__CORO_OS_NONE 1
#elif defined(_WIN32)
#define ARS__CORO_OS_WIN 1
#else
#define ARS__CORO_OS_POSIX 1
#endif

#if defined(ARSENAL_CORO_USE_UCONTEXT)
#define ARS__CORO_UCONTEXT 1
#elif defined(ARS__CTX_FIBERS)
#define ARS__CORO_FIBERS 1
#elif defined(__x86_64__) && defined(_WIN32)
#define ARS__ARCH_X86_64_WIN 1
#elif defined(__x86_64__)
#define ARS__ARCH_X86_64 1
#elif defined(__i386__)
#define ARS__ARCH_I386 1
#elif defined(__aarch64__)
#define ARS__ARCH_ARM64 1
#elif defined(__arm__)
#define ARS__ARCH_ARM 1
#elif defined(__riscv)
#define ARS__ARCH_RISCV 1
#elif defined(ARS__CORO_OS_POSIX)
#define ARS__CORO_UCONTEXT 1
#else
#error "arsenal_coro.h: no context switch for this target; options: x86_64, i386, arm, aarch64, riscv asm, ARSENAL_CORO_USE_UCONTEXT (POSIX) or ARSENAL_CORO_USE_FIBERS (Windows)"
#endif
#if defined(ARS__CORO_UCONTEXT) && !defined(ARSENAL_CORO_USE_UCONTEXT)
#error "arsenal_coro.h: this target needs the ucontext backend: define ARSENAL_CORO_USE_UCONTEXT everywhere the header is included"
#endif
#if defined(ARS__CORO_UCONTEXT) && defined(ARS__CORO_OS_NONE)
#error "arsenal_coro.h: ucontext needs an OS; freestanding builds need an asm target"
#endif
#if defined(ARS__CORO_FIBERS) && !defined(_WIN32)
#error "arsenal_coro.h: ARSENAL_CORO_USE_FIBERS is for Windows"
#endif
#if defined(ARS__ARCH_ARM) && defined(__ARM_ARCH_6M__)
#error "arsenal_coro.h: ARMv6-M (Cortex-M0/M0+) is not supported by the coroutine switch"
#endif

#if defined(ARS__CORO_OS_POSIX)
#if !defined(_DEFAULT_SOURCE) && !defined(_GNU_SOURCE) && !defined(_XOPEN_SOURCE) && !defined(_POSIX_C_SOURCE) && !defined(__APPLE__)
#define _DEFAULT_SOURCE 1
#endif
#include <sys/mman.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>
#include <sched.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#if defined(__linux__)
#include <fcntl.h>
#endif
#if !defined(MAP_ANONYMOUS) && defined(MAP_ANON)
#define MAP_ANONYMOUS MAP_ANON
#endif
#if !defined(MAP_ANONYMOUS) || !defined(CLOCK_MONOTONIC)
#error "arsenal_coro.h: POSIX declarations are hidden: compile with -D_DEFAULT_SOURCE (or include this header first)"
#endif
#elif defined(ARS__CORO_OS_WIN)
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <string.h>
#include <stdlib.h>
#endif

#if !defined(ARS__CORO_OS_NONE) && !defined(ARSENAL_ASSERT)
#include <assert.h>
#define ARSENAL_ASSERT(x) assert(x)
#elif !defined(ARSENAL_ASSERT)
#define ARSENAL_ASSERT(x) ((void)0)
#endif

#if defined(ARSENAL_MALLOC)
#define ARS__CORO_ALLOC(sz, al) ((void)(al), ARSENAL_MALLOC(sz))
#define ARS__CORO_FREE(p, sz) ((void)(sz), ARSENAL_FREE(p))
#elif !defined(ARS__CORO_OS_NONE)
#define ARS__CORO_ALLOC(sz, al) malloc(sz)
#define ARS__CORO_FREE(p, sz) free(p)
#else
#define ARS__CORO_ALLOC(sz, al) ((void)(sz), (void)(al), (void *)0)
#define ARS__CORO_FREE(p, sz) ((void)(p), (void)(sz))
#endif

#if defined(ARS__CORO_OS_NONE) && !defined(ARSENAL_CORO_NOW_MS)
#error "arsenal_coro.h: freestanding builds need ARSENAL_CORO_NOW_MS() returning int64 milliseconds (e.g. from SysTick)"
#endif
#ifndef ARSENAL_CORO_IDLE
#define ARSENAL_CORO_IDLE() ((void)0)
#endif

#ifndef ARSENAL_CORO_STACK_SIZE
#if UINTPTR_MAX > 0xFFFFFFFFu
#define ARSENAL_CORO_STACK_SIZE (256u * 1024u)
#else
#define ARSENAL_CORO_STACK_SIZE (64u * 1024u)
#endif
#endif
#ifndef ARSENAL_CORO_MAX_TIMERS
#define ARSENAL_CORO_MAX_TIMERS 64
#endif
#ifndef ARSENAL_CORO_STACK_CACHE
#define ARSENAL_CORO_STACK_CACHE 64
#endif
#ifndef ARSENAL_CORO_DIRECT_RUNS
#define ARSENAL_CORO_DIRECT_RUNS 64
#endif

/* thread-local storage */
#if defined(ARS__CORO_OS_NONE)
#define ARS__TLS
#elif defined(_MSC_VER) && !defined(__clang__)
#define ARS__TLS __declspec(thread)
#elif defined(__cplusplus)
#define ARS__TLS thread_local
#else
#define ARS__TLS __thread
#endif

#if defined(__GNUC__) || defined(__clang__)
#define ARS__UNUSED __attribute__((unused))
#else
#define ARS__UNUSED
#endif

/* atomics: GNU builtins (gcc, clang; C and C++) or MSVC intrinsics */
#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
ARS__UNUSED static uint32_t ars__ld32(uint32_t *p) { return (uint32_t)_InterlockedOr((volatile long *)p, 0); }
ARS__UNUSED static uint32_t ars__ld32_rlx(uint32_t *p) { return *(volatile uint32_t *)p; }
ARS__UNUSED static void ars__st32(uint32_t *p, uint32_t v) { _InterlockedExchange((volatile long *)p, (long)v); }
ARS__UNUSED static int ars__cas32(uint32_t *p, uint32_t e, uint32_t d) {
    return (uint32_t)_InterlockedCompareExchange((volatile long *)p, (long)d, (long)e) == e;
}
ARS__UNUSED static void ars__add32(uint32_t *p, uint32_t v) { _InterlockedExchangeAdd((volatile long *)p, (long)v); }
ARS__UNUSED static uint32_t ars__xchg32(uint32_t *p, uint32_t v) { return (uint32_t)_InterlockedExchange((volatile long *)p, (long)v); }
ARS__UNUSED static void *ars__ldp(void **p) { return _InterlockedCompareExchangePointer(p, NULL, NULL); }
ARS__UNUSED static int ars__casp(void **p, void **e, void *d) {
    void *old = _InterlockedCompareExchangePointer(p, d, *e);
    if (old == *e) return 1;
    *e = old; return 0;
}
ARS__UNUSED static void *ars__xchgp(void **p, void *v) { return _InterlockedExchangePointer(p, v); }
#else
ARS__UNUSED static uint32_t ars__ld32(uint32_t *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
ARS__UNUSED static uint32_t ars__ld32_rlx(uint32_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
ARS__UNUSED static void ars__st32(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }
ARS__UNUSED static int ars__cas32(uint32_t *p, uint32_t e, uint32_t d) {
    return __atomic_compare_exchange_n(p, &e, d, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
ARS__UNUSED static void ars__add32(uint32_t *p, uint32_t v) { __atomic_add_fetch(p, v, __ATOMIC_SEQ_CST); }
ARS__UNUSED static uint32_t ars__xchg32(uint32_t *p, uint32_t v) { return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST); }
ARS__UNUSED static void *ars__ldp(void **p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
ARS__UNUSED static int ars__casp(void **p, void **e, void *d) {
    return __atomic_compare_exchange_n(p, e, d, 1, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}
ARS__UNUSED static void *ars__xchgp(void **p, void *v) { return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST); }
#endif

/* memory functions: libc, or the firmware's own (the compiler's builtins
   lower to calls of memset/memcpy, which a firmware provides) */
#if defined(ARS__CORO_OS_NONE)
#define ARS__MEMSET __builtin_memset
#define ARS__MEMCPY __builtin_memcpy
#else
#define ARS__MEMSET memset
#define ARS__MEMCPY memcpy
#endif

/* sanitizers */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARS__ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define ARS__TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(ARS__ASAN)
#define ARS__ASAN 1
#endif
#if defined(__SANITIZE_THREAD__) && !defined(ARS__TSAN)
#define ARS__TSAN 1
#endif
#ifdef __cplusplus
extern "C" {
#endif
#ifdef ARS__ASAN
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old, size_t *size_old);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#endif
#ifdef ARS__TSAN
void *__tsan_get_current_fiber(void);
void *__tsan_create_fiber(unsigned flags);
void __tsan_destroy_fiber(void *fiber);
void __tsan_switch_to_fiber(void *fiber, unsigned flags);
#endif
#ifdef __cplusplus
}
#endif
/* membarrier (Linux): a barrier on every thread of the process, paid by
   the thread that asks. The asymmetric fence: ars_park_prepare arms a park
   with a plain store, and ars_cancel from another thread pays one
   membarrier instead of every park paying a full fence for the Dekker
   pairing of `wait` and `cancel_pending`. Off under TSan, which cannot see
   the system call's barrier. */
#if defined(__linux__) && defined(ARS__CORO_OS_POSIX) && (defined(__GNUC__) || defined(__clang__))
#include <sys/syscall.h>
#ifdef __NR_membarrier
#define ARS__MEMBARRIER 1
#if !defined(__cplusplus) && !defined(_GNU_SOURCE) && !defined(_DEFAULT_SOURCE) && \
    !defined(_BSD_SOURCE) && !defined(_SVID_SOURCE)
long syscall(long number, ...);        /* <unistd.h> hides it under strict C */
#endif
#if !defined(ARS__TSAN) && !defined(ARSENAL_CORO_NO_MEMBARRIER)
#define ARS__ASYM 1
#endif
#endif
#endif
#ifdef ARS__MEMBARRIER
static uint32_t ars__membarrier_state;  /* 0 unknown, 1 on, 2 off */
ARSENAL_CORO_API int ars__membarrier_on(void) {
    uint32_t st = __atomic_load_n(&ars__membarrier_state, __ATOMIC_ACQUIRE);
    if (st == 0) {
        long q = syscall(__NR_membarrier, 0 /* QUERY */, 0, 0);
        st = 2;
        if (q > 0 && (q & 8 /* PRIVATE_EXPEDITED */) &&
            syscall(__NR_membarrier, 16 /* REGISTER_PRIVATE_EXPEDITED */, 0, 0) == 0)
            st = 1;
        __atomic_store_n(&ars__membarrier_state, st, __ATOMIC_RELEASE);
    }
    return st == 1;
}
ARSENAL_CORO_API void ars__membarrier(void) {
    if (syscall(__NR_membarrier, 8 /* PRIVATE_EXPEDITED */, 0, 0) != 0)
        ARSENAL_ASSERT(!"membarrier failed after registering");
}
#else
ARSENAL_CORO_API int ars__membarrier_on(void) { return 0; }
ARSENAL_CORO_API void ars__membarrier(void) {}
#endif
#ifdef ARS__ASYM
/* arms a park (see ars_park_prepare) while ars__membarrier_state is not yet 1 */
__attribute__((noinline)) static void ars__arm_slow(uint32_t *wait, uint32_t v) {
    if (ars__membarrier_on()) {
        __atomic_store_n(wait, v, __ATOMIC_RELEASE);
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
    } else {
        __atomic_store_n(wait, v, __ATOMIC_SEQ_CST);
    }
}
#endif
#if defined(ARS__CORO_OS_POSIX) && !defined(ARSENAL_CORO_NO_VALGRIND) && defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define ARS__VALGRIND 1
#endif
#endif


#ifdef __cplusplus
extern "C" {
#endif

/* >>asm ----------------------------------------------------------------
   ars__ctx_switch(ars_ctx *from, ars_ctx *to, void *value): pushes the
   callee-saved state on the current stack, stores sp in from->sp, loads
   to->sp, pops, and returns `value` to the side that resumes.
   ars__ctx_start: first code of a new context; calls fn(value, arg), with fn
   and arg taken from callee-saved registers of the initial frame.
   Both symbols are local to this object file. On x86_64 System V the switch
   is ars_ctx_jump itself, inline in the declarations, and ars__ctx_start
   takes fn and arg from the new stack. */
#if defined(__APPLE__) || (defined(_WIN32) && defined(__i386__))
#define ARS__SYM(x) "_" #x
#else
#define ARS__SYM(x) #x
#endif
#if defined(__ELF__)
#define ARS__FUNC_BEGIN(x) ".type " ARS__SYM(x) ", %function\n" ARS__SYM(x) ":\n"
#define ARS__FUNC_END(x) ".size " ARS__SYM(x) ", .-" ARS__SYM(x) "\n"
#elif defined(_WIN32)
#define ARS__FUNC_BEGIN(x) ".def " ARS__SYM(x) "; .scl 3; .type 32; .endef\n" ARS__SYM(x) ":\n"
#define ARS__FUNC_END(x) ""
#else
#define ARS__FUNC_BEGIN(x) ARS__SYM(x) ":\n"
#define ARS__FUNC_END(x) ""
#endif

#if !defined(ARS__CORO_UCONTEXT) && !defined(ARS__CORO_FIBERS)
/* hidden: the compiler must address these directly, never through a GOT
   entry (a GOT entry for a local symbol loses its offset) */
#if defined(__ELF__)
#if !defined(ARS__ARCH_X86_64) /* there the switch is ars_ctx_jump, inline */
__attribute__((visibility("hidden"))) void *ars__ctx_switch(ars_ctx *from, ars_ctx *to, void *value);
#endif
__attribute__((visibility("hidden"))) void ars__ctx_start(void);
#else
void *ars__ctx_switch(ars_ctx *from, ars_ctx *to, void *value);
void ars__ctx_start(void);
#endif
#endif

#if defined(ARS__ARCH_X86_64)
/* System V: the jump itself is ars_ctx_jump, inline asm in the declarations
   above. A new context starts here with the jump's registers: rax the value,
   rsi its own ars_ctx, ecx/edx the sender's MXCSR (or on AMD the
   complement of this side's) and x87 CW, which it compares with the
   defaults ars_ctx_make stored, as a resumed jump does; fn
   and arg sit at the 16-aligned stack pointer. */
__asm__(
    ".text\n.p2align 4\n"
    ARS__FUNC_BEGIN(ars__ctx_start)
    "  .cfi_startproc\n  .cfi_undefined rip\n"
#if !defined(ARSENAL_CORO_SHARE_FPENV)
    "  xorl 24(%rsi), %ecx\n  andl $0xffc0, %ecx\n  jz 2f\n  ldmxcsr 24(%rsi)\n"
    "2:\n  xorw 28(%rsi), %dx\n  jz 1f\n  fldcw 28(%rsi)\n"
#endif
    "1:\n  movq %rax, %rdi\n  movq 8(%rsp), %rsi\n  callq *(%rsp)\n  ud2\n"
    "  .cfi_endproc\n"
    ARS__FUNC_END(ars__ctx_start));
typedef char ars__ctx_layout_check[(offsetof(ars_ctx, pc) == 8 && offsetof(ars_ctx, bp) == 16 &&
                                     offsetof(ars_ctx, csr) == 24 && offsetof(ars_ctx, cw) == 28) ? 1 : -1];

#elif defined(ARS__ARCH_X86_64_WIN)
/* Windows x64: rbx rbp rdi rsi r12-r15, xmm6-xmm15, MXCSR, x87 CW, and the
   TIB: ExceptionList gs:0, StackBase gs:8, StackLimit gs:16,
   DeallocationStack gs:0x1478. */
#if defined(ARSENAL_CORO_SHARE_FPENV)
#define ARS__W64_FP_SAVE
#define ARS__W64_FP_LOAD
#else
#define ARS__W64_FP_SAVE "  stmxcsr 0xa0(%rsp)\n  fnstcw 0xa4(%rsp)\n"
#define ARS__W64_FP_LOAD "  ldmxcsr 0xa0(%rsp)\n  fldcw 0xa4(%rsp)\n"
#endif
__asm__(
    ".text\n.p2align 4\n"
    ARS__FUNC_BEGIN(ars__ctx_switch)
    "  pushq %rbp\n  pushq %rbx\n  pushq %rdi\n  pushq %rsi\n"
    "  pushq %r12\n  pushq %r13\n  pushq %r14\n  pushq %r15\n"
    "  pushq %gs:0x1478\n  pushq %gs:0x10\n  pushq %gs:0x08\n  pushq %gs:0x00\n"
    "  subq $0xa8, %rsp\n"
    "  movups %xmm6, 0x00(%rsp)\n  movups %xmm7, 0x10(%rsp)\n  movups %xmm8, 0x20(%rsp)\n"
    "  movups %xmm9, 0x30(%rsp)\n  movups %xmm10, 0x40(%rsp)\n  movups %xmm11, 0x50(%rsp)\n"
    "  movups %xmm12, 0x60(%rsp)\n  movups %xmm13, 0x70(%rsp)\n  movups %xmm14, 0x80(%rsp)\n"
    "  movups %xmm15, 0x90(%rsp)\n" ARS__W64_FP_SAVE
    "  movq %rsp, (%rcx)\n  movq (%rdx), %rsp\n"
    "  movups 0x00(%rsp), %xmm6\n  movups 0x10(%rsp), %xmm7\n  movups 0x20(%rsp), %xmm8\n"
    "  movups 0x30(%rsp), %xmm9\n  movups 0x40(%rsp), %xmm10\n  movups 0x50(%rsp), %xmm11\n"
    "  movups 0x60(%rsp), %xmm12\n  movups 0x70(%rsp), %xmm13\n  movups 0x80(%rsp), %xmm14\n"
    "  movups 0x90(%rsp), %xmm15\n" ARS__W64_FP_LOAD
    "  addq $0xa8, %rsp\n"
    "  popq %gs:0x00\n  popq %gs:0x08\n  popq %gs:0x10\n  popq %gs:0x1478\n"
    "  popq %r15\n  popq %r14\n  popq %r13\n  popq %r12\n"
    "  popq %rsi\n  popq %rdi\n  popq %rbx\n  popq %rbp\n"
    "  movq %r8, %rax\n  popq %rcx\n  jmpq *%rcx\n"
    ARS__FUNC_END(ars__ctx_switch)
    ".p2align 4\n"
    ARS__FUNC_BEGIN(ars__ctx_start)
    "  movq %rax, %rcx\n  movq %r12, %rdx\n  callq *%rbx\n  ud2\n"
    ARS__FUNC_END(ars__ctx_start));
/* frame in slots of 8 bytes from the saved sp: 21 slots of xmm/ctrl, then
   exlist, stackbase, stacklimit, dealloc, r15 r14 r13 r12 rsi rdi rbx rbp ret */
enum { ARS__FRAME_SLOTS = 21 + 4 + 8 + 1, ARS__SLOT_FN = 31, ARS__SLOT_ARG = 28,
       ARS__SLOT_RET = 33, ARS__FRAME_ALIGN_PAD = 6 };

#elif defined(ARS__ARCH_I386)
/* cdecl: ebx esi edi ebp, x87 CW, MXCSR (with SSE). Windows: also the TIB
   (fs:0 ExceptionList, fs:4 StackBase, fs:8 StackLimit, fs:0xE0C
   DeallocationStack). */
#if defined(ARSENAL_CORO_SHARE_FPENV)
#define ARS__I386_MXCSR_SAVE
#define ARS__I386_MXCSR_LOAD
#define ARS__I386_CW_SAVE
#define ARS__I386_CW_LOAD
#else
#define ARS__I386_CW_SAVE "  fnstcw 4(%esp)\n"
#define ARS__I386_CW_LOAD "  fldcw 4(%esp)\n"
#define ARS__I386_MXCSR_SAVE "  stmxcsr (%esp)\n"
#define ARS__I386_MXCSR_LOAD "  ldmxcsr (%esp)\n"
#if !defined(__SSE__)
/* Built without SSE (e.g. Debian's i686 default), the program may still
   run where MXCSR is live: libm's SSE2 variants and fesetround use it. A
   second switch, ars__ctx_switch_x87, leaves it alone for CPUs without
   SSE (where stmxcsr faults); ARS__JUMP picks one by cpuid, found once by
   ars_ctx_make. Both use the same frame. */
#define ARS__I386_RUNTIME_SSE 1
#endif
#endif
#if defined(_WIN32)
#define ARS__I386_TIB_SAVE "  pushl %fs:0xe0c\n  pushl %fs:0x08\n  pushl %fs:0x04\n  pushl %fs:0x00\n"
#define ARS__I386_TIB_LOAD "  popl %fs:0x00\n  popl %fs:0x04\n  popl %fs:0x08\n  popl %fs:0xe0c\n"
#define ARS__I386_TIB_SLOTS 4
#else
#define ARS__I386_TIB_SAVE
#define ARS__I386_TIB_LOAD
#define ARS__I386_TIB_SLOTS 0
#endif
#define ARS__I386_SWITCH(name, mxsave, mxload) \
    ".p2align 4\n" \
    ARS__FUNC_BEGIN(name) \
    "  movl 4(%esp), %ecx\n  movl 8(%esp), %edx\n  movl 12(%esp), %eax\n" \
    "  pushl %ebp\n  pushl %ebx\n  pushl %esi\n  pushl %edi\n" \
    ARS__I386_TIB_SAVE \
    "  subl $8, %esp\n" \
    mxsave \
    ARS__I386_CW_SAVE \
    "  movl %esp, (%ecx)\n  movl (%edx), %esp\n" \
    mxload \
    ARS__I386_CW_LOAD \
    "  addl $8, %esp\n" \
    ARS__I386_TIB_LOAD \
    "  popl %edi\n  popl %esi\n  popl %ebx\n  popl %ebp\n" \
    "  popl %ecx\n  jmp *%ecx\n" \
    ARS__FUNC_END(name)
#if defined(__ELF__) && defined(ARS__I386_RUNTIME_SSE)
__attribute__((visibility("hidden"))) void *ars__ctx_switch_x87(ars_ctx *from, ars_ctx *to, void *value);
#elif defined(ARS__I386_RUNTIME_SSE)
void *ars__ctx_switch_x87(ars_ctx *from, ars_ctx *to, void *value);
#endif
__asm__(
    ".text\n"
    ARS__I386_SWITCH(ars__ctx_switch, ARS__I386_MXCSR_SAVE, ARS__I386_MXCSR_LOAD)
#if defined(ARS__I386_RUNTIME_SSE)
    ARS__I386_SWITCH(ars__ctx_switch_x87, "", "")
#endif
    ".p2align 4\n"
    ARS__FUNC_BEGIN(ars__ctx_start)
    "  pushl %esi\n  pushl %eax\n  call *%ebx\n  ud2\n"
    ARS__FUNC_END(ars__ctx_start));
/* slots of 4 bytes: mxcsr, cw, [tib x4], edi esi ebx ebp ret */
enum { ARS__FRAME_SLOTS = 2 + ARS__I386_TIB_SLOTS + 5,
       ARS__SLOT_FN = 2 + ARS__I386_TIB_SLOTS + 2, ARS__SLOT_ARG = 2 + ARS__I386_TIB_SLOTS + 1,
       ARS__SLOT_RET = 2 + ARS__I386_TIB_SLOTS + 4, ARS__FRAME_ALIGN_PAD = 3 };

#elif defined(ARS__ARCH_ARM64)
/* AAPCS64: x19-x29, lr, sp, d8-d15. Built with -mbranch-protection=bti or
   =standard, the object is marked BTI-ready, so each entry begins with a
   landing pad (bti c, a hint): a call through a register (a PLT, a
   function pointer to ars_ctx_jump) faults on a page that enforces BTI
   without one. */
#if defined(__ARM_FEATURE_BTI_DEFAULT) && __ARM_FEATURE_BTI_DEFAULT
#define ARS__A64_BTI "  hint #34\n"
#else
#define ARS__A64_BTI ""
#endif
__asm__(
    ".text\n.p2align 4\n"
    ARS__FUNC_BEGIN(ars__ctx_switch)
    ARS__A64_BTI
    "  sub sp, sp, #0xa0\n"
    "  stp x19, x20, [sp, #0x00]\n  stp x21, x22, [sp, #0x10]\n  stp x23, x24, [sp, #0x20]\n"
    "  stp x25, x26, [sp, #0x30]\n  stp x27, x28, [sp, #0x40]\n  stp x29, x30, [sp, #0x50]\n"
    "  stp d8, d9, [sp, #0x60]\n  stp d10, d11, [sp, #0x70]\n"
    "  stp d12, d13, [sp, #0x80]\n  stp d14, d15, [sp, #0x90]\n"
    "  mov x9, sp\n  str x9, [x0]\n  ldr x9, [x1]\n  mov sp, x9\n"
    "  ldp x19, x20, [sp, #0x00]\n  ldp x21, x22, [sp, #0x10]\n  ldp x23, x24, [sp, #0x20]\n"
    "  ldp x25, x26, [sp, #0x30]\n  ldp x27, x28, [sp, #0x40]\n  ldp x29, x30, [sp, #0x50]\n"
    "  ldp d8, d9, [sp, #0x60]\n  ldp d10, d11, [sp, #0x70]\n"
    "  ldp d12, d13, [sp, #0x80]\n  ldp d14, d15, [sp, #0x90]\n"
    "  add sp, sp, #0xa0\n  mov x0, x2\n  ret\n"
    ARS__FUNC_END(ars__ctx_switch)
    ".p2align 4\n"
    ARS__FUNC_BEGIN(ars__ctx_start)
    "  .cfi_startproc\n  .cfi_undefined x30\n"
    ARS__A64_BTI
    "  mov x1, x20\n  blr x19\n  brk #0\n"
    "  .cfi_endproc\n"
    ARS__FUNC_END(ars__ctx_start));
/* slots of 8 bytes: x19 x20 ... x29 x30 (ret), d8-d15 */
enum { ARS__FRAME_SLOTS = 20, ARS__SLOT_FN = 0, ARS__SLOT_ARG = 1, ARS__SLOT_RET = 11,
       ARS__FRAME_ALIGN_PAD = 0 };

#elif defined(ARS__ARCH_ARM)
/* AAPCS: r4-r11, lr, sp; d8-d15 when a VFP unit is in use. r3 is pushed as
   padding to keep sp 8-byte aligned. */
#if defined(__ARM_FP) && !defined(__SOFTFP__)
#define ARS__ARM_VPUSH "  vpush {d8-d15}\n"
#define ARS__ARM_VPOP "  vpop {d8-d15}\n"
#define ARS__ARM_VFP_SLOTS 16
#else
#define ARS__ARM_VPUSH
#define ARS__ARM_VPOP
#define ARS__ARM_VFP_SLOTS 0
#endif
#if defined(__thumb__)
#define ARS__ARM_MODE ".thumb\n.thumb_func\n"
#else
#define ARS__ARM_MODE ".arm\n"
#endif
__asm__(
    ".text\n.syntax unified\n.p2align 2\n"
    ARS__ARM_MODE
    ARS__FUNC_BEGIN(ars__ctx_switch)
    "  push {r3-r11, lr}\n"
    ARS__ARM_VPUSH
    "  mov r3, sp\n  str r3, [r0]\n  ldr r3, [r1]\n  mov sp, r3\n"
    ARS__ARM_VPOP
    "  mov r0, r2\n  pop {r3-r11, pc}\n"
    ARS__FUNC_END(ars__ctx_switch)
    ".p2align 2\n"
    ARS__ARM_MODE
    ARS__FUNC_BEGIN(ars__ctx_start)
    "  mov r1, r5\n  blx r4\n  udf #0\n"
    ARS__FUNC_END(ars__ctx_start));
/* slots of 4 bytes: [d8-d15 as 16 words], r3 r4 r5 ... r11 lr */
enum { ARS__FRAME_SLOTS = ARS__ARM_VFP_SLOTS + 10, ARS__SLOT_FN = ARS__ARM_VFP_SLOTS + 1,
       ARS__SLOT_ARG = ARS__ARM_VFP_SLOTS + 2, ARS__SLOT_RET = ARS__ARM_VFP_SLOTS + 9,
       ARS__FRAME_ALIGN_PAD = 0 };

#elif defined(ARS__ARCH_RISCV)
/* psABI: ra, sp, s0-s11 (s0-s1 on RV32E); fs0-fs11 when the F or D
   extension is present. */
#if __riscv_xlen == 64
#define ARS__RV_S "sd"
#define ARS__RV_L "ld"
#define ARS__RV_X 8
#else
#define ARS__RV_S "sw"
#define ARS__RV_L "lw"
#define ARS__RV_X 4
#endif
#if defined(__riscv_flen) && __riscv_flen == 64
#define ARS__RV_FS "fsd"
#define ARS__RV_FL "fld"
#define ARS__RV_F 8
#elif defined(__riscv_flen) && __riscv_flen == 32
#define ARS__RV_FS "fsw"
#define ARS__RV_FL "flw"
#define ARS__RV_F 4
#else
#define ARS__RV_F 0
#endif
#define ARS__RV_STR2(x) #x
#define ARS__RV_STR(x) ARS__RV_STR2(x)
#define ARS__RV_GPR(op, r, i) "  " op " " #r ", " ARS__RV_STR(i) "*" ARS__RV_STR(ARS__RV_X) "(sp)\n"
#if defined(__riscv_32e) || defined(__riscv_e)
/* RV32E (ilp32e, x0-x15): the callee-saved registers are s0 and s1 only */
#define ARS__RV_NGPR 3
#define ARS__RV_GPRS(op) ARS__RV_GPR(op, ra, 0) ARS__RV_GPR(op, s0, 1) ARS__RV_GPR(op, s1, 2)
#else
#define ARS__RV_NGPR 13
#define ARS__RV_GPRS(op) \
    ARS__RV_GPR(op, ra, 0) ARS__RV_GPR(op, s0, 1) ARS__RV_GPR(op, s1, 2) ARS__RV_GPR(op, s2, 3) \
    ARS__RV_GPR(op, s3, 4) ARS__RV_GPR(op, s4, 5) ARS__RV_GPR(op, s5, 6) ARS__RV_GPR(op, s6, 7) \
    ARS__RV_GPR(op, s7, 8) ARS__RV_GPR(op, s8, 9) ARS__RV_GPR(op, s9, 10) ARS__RV_GPR(op, s10, 11) \
    ARS__RV_GPR(op, s11, 12)
#endif
/* the FP slots start at the integer slots' end rounded up to the FP width:
   on RV32 with D that end (13 * 4 = 52) is not 8-aligned, and fsd/fld
   there are misaligned accesses, which a core may trap */
#if ARS__RV_F
#define ARS__RV_FOFF ((ARS__RV_NGPR * ARS__RV_X + ARS__RV_F - 1) / ARS__RV_F * ARS__RV_F)
#else
#define ARS__RV_FOFF (ARS__RV_NGPR * ARS__RV_X)
#endif
#define ARS__RV_FRAME (((ARS__RV_FOFF + 12 * ARS__RV_F) + 15) / 16 * 16)
#if ARS__RV_F
#define ARS__RV_FPR(op, r, i) "  " op " " #r ", " ARS__RV_STR(ARS__RV_FOFF) "+" ARS__RV_STR(i) "*" ARS__RV_STR(ARS__RV_F) "(sp)\n"
#define ARS__RV_FPRS(op) \
    ARS__RV_FPR(op, fs0, 0) ARS__RV_FPR(op, fs1, 1) ARS__RV_FPR(op, fs2, 2) ARS__RV_FPR(op, fs3, 3) \
    ARS__RV_FPR(op, fs4, 4) ARS__RV_FPR(op, fs5, 5) ARS__RV_FPR(op, fs6, 6) ARS__RV_FPR(op, fs7, 7) \
    ARS__RV_FPR(op, fs8, 8) ARS__RV_FPR(op, fs9, 9) ARS__RV_FPR(op, fs10, 10) ARS__RV_FPR(op, fs11, 11)
#define ARS__RV_FSAVE ARS__RV_FPRS(ARS__RV_FS)
#define ARS__RV_FLOAD ARS__RV_FPRS(ARS__RV_FL)
#else
#define ARS__RV_FSAVE
#define ARS__RV_FLOAD
#endif
__asm__(
    ".text\n.p2align 2\n"
    ARS__FUNC_BEGIN(ars__ctx_switch)
    "  addi sp, sp, -" ARS__RV_STR(ARS__RV_FRAME) "\n"
    ARS__RV_GPRS(ARS__RV_S)
    ARS__RV_FSAVE
    "  " ARS__RV_S " sp, 0(a0)\n  " ARS__RV_L " sp, 0(a1)\n"
    ARS__RV_GPRS(ARS__RV_L)
    ARS__RV_FLOAD
    "  addi sp, sp, " ARS__RV_STR(ARS__RV_FRAME) "\n"
    "  mv a0, a2\n  ret\n"
    ARS__FUNC_END(ars__ctx_switch)
    ".p2align 2\n"
    ARS__FUNC_BEGIN(ars__ctx_start)
    "  mv a1, s1\n  jalr s0\n  ebreak\n"
    ARS__FUNC_END(ars__ctx_start));
/* slots of XLEN bytes: ra s0 s1 ... */
enum { ARS__FRAME_SLOTS = ARS__RV_FRAME / ARS__RV_X, ARS__SLOT_FN = 1, ARS__SLOT_ARG = 2,
       ARS__SLOT_RET = 0, ARS__FRAME_ALIGN_PAD = 0 };
#endif

#ifdef __cplusplus
}
#endif

/* >>ctx implementation -------------------------------------------------- */
#if !defined(ARS__CORO_UCONTEXT) && !defined(ARS__CORO_FIBERS)
#if defined(ARS__ARCH_X86_64)
#define ARS__JUMP(from, to, v) ars_ctx_jump((from), (to), (v))
#elif defined(ARS__I386_RUNTIME_SSE)
/* 1 where the CPU has SSE: the switch that keeps MXCSR (set by ars_ctx_make
   before any context can be jumped to, and never changed after) */
#include <cpuid.h>
static int ars__i386_sse = -1;
static void ars__i386_sse_check(void) {
    unsigned a, b, c, d;
    int sse = __get_cpuid(1, &a, &b, &c, &d) && ((d >> 25) & 1u);
    __atomic_store_n(&ars__i386_sse, sse, __ATOMIC_RELAXED);
}
#define ARS__JUMP(from, to, v) (__atomic_load_n(&ars__i386_sse, __ATOMIC_RELAXED) > 0 ? \
    ars__ctx_switch((from), (to), (v)) : ars__ctx_switch_x87((from), (to), (v)))
#else
#define ARS__JUMP(from, to, v) ars__ctx_switch((from), (to), (v))
#endif

#if defined(ARS__CTX_INLINE_X86_64) && !defined(ARSENAL_CORO_SHARE_FPENV)
/* ars__ctx_amd's value, found once with cpuid's vendor string (AMD, and
   Hygon, whose cores are AMD's) */
static int ars__ctx_cpu_known;
static void ars__ctx_cpu_check(void) {
    unsigned a = 0, b, c, d;
    __asm__ __volatile__("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
    (void)c; (void)d;
    __atomic_store_n(&ars__ctx_amd, b == 0x68747541u /* "Auth" */ || b == 0x6f677948u /* "Hygo" */,
                     __ATOMIC_RELAXED);
    __atomic_store_n(&ars__ctx_cpu_known, 1, __ATOMIC_RELAXED);
}
#endif

/* the body of ars_ctx_make, inlined where a recycled coroutine is remade */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((always_inline))
#endif
static inline int ars__ctx_init(ars_ctx *ctx, void *stack, size_t size,
                                void (*fn)(void *value, void *arg), void *arg) {
    uintptr_t lo, top;
    void **frame;
    size_t i;
    if (!ctx || !stack || !fn || size < 256) return ARS_EINVAL;
    lo = (uintptr_t)stack;
    top = (lo + size) & ~(uintptr_t)15;
#if defined(ARS__ARCH_X86_64)
    /* fn and arg at a 16-aligned sp: ars__ctx_start's call then enters fn
       with sp = 8 mod 16, as a call must */
    (void)i;
    frame = (void **)top - 2;
    frame[0] = (void *)(uintptr_t)fn;
    frame[1] = arg;
    ctx->sp = frame;
    ctx->pc = (void *)(uintptr_t)&ars__ctx_start;
    ctx->bp = NULL;
    ctx->csr = 0x1F80; /* MXCSR: all exceptions masked, round to nearest */
    ctx->cw = 0x037F;  /* x87 CW: extended precision, masked */
    return 0;
#else
    /* room for the frame; ARS__FRAME_ALIGN_PAD slots sit above the return
       address so the entry call sees the ABI's stack alignment */
    frame = (void **)top - ARS__FRAME_SLOTS - ARS__FRAME_ALIGN_PAD;
#if defined(ARS__ARCH_X86_64_WIN) || defined(ARS__ARCH_I386)
    /* after `ret` pops the return slot, sp must be 16-aligned (x86_64) or
       8 mod 16 (i386 pushes two words before its call) */
    {
        uintptr_t after_ret = (uintptr_t)(frame + ARS__SLOT_RET + 1);
#if defined(ARS__ARCH_I386)
        while ((after_ret & 15) != 8) { frame--; after_ret -= sizeof(void *); }
#else
        while (after_ret & 15) { frame--; after_ret -= sizeof(void *); }
#endif
    }
#endif
    if ((uintptr_t)frame < lo + 64) return ARS_EINVAL;
    for (i = 0; i < (size_t)ARS__FRAME_SLOTS + ARS__FRAME_ALIGN_PAD; i++) frame[i] = 0;
    frame[ARS__SLOT_FN] = (void *)(uintptr_t)fn;
    frame[ARS__SLOT_ARG] = arg;
    frame[ARS__SLOT_RET] = (void *)(uintptr_t)&ars__ctx_start;
#if defined(ARS__ARCH_X86_64_WIN)
    ((uint32_t *)frame)[40] = 0x1F80;
    ((uint32_t *)frame)[41] = 0x027F; /* Windows default: double precision */
    frame[21] = (void *)(intptr_t)-1; /* ExceptionList: end of chain */
    frame[22] = (void *)top;          /* StackBase */
    frame[23] = stack;                /* StackLimit */
    frame[24] = stack;                /* DeallocationStack */
#elif defined(ARS__ARCH_I386)
    ((uint32_t *)frame)[0] = 0x1F80;
#if defined(_WIN32)
    ((uint32_t *)frame)[1] = 0x027F;
    frame[2] = (void *)(intptr_t)-1;
    frame[3] = (void *)top;
    frame[4] = stack;
    frame[5] = stack;
#else
    ((uint32_t *)frame)[1] = 0x037F;
#endif
#endif
    ctx->sp = frame;
    return 0;
#endif /* ARS__ARCH_X86_64 */
}

/* CET shadow stacks: this switch moves the stack pointer, not the shadow
   stack, so a coroutine's first return would fault. A program built with
   -fcf-protection=return or =full may run with shadow stacks on (Linux 6.6
   and glibc 2.39 or later, when asked with GLIBC_TUNABLES), and on Windows
   x64 a program linked CET-compatible (a link flag, whatever the compile
   flags) may too; ars_ctx_make then refuses with ARS_EPERM, and with it
   every coroutine creation (there ARSENAL_CORO_USE_FIBERS works).
   rdssp reads the shadow stack pointer, and leaves 0 where shadow stacks
   are off or the CPU has none (it is a hint no-op there). */
#if (defined(__CET__) && (__CET__ & 2) && (defined(ARS__ARCH_X86_64) || defined(ARS__ARCH_I386))) || \
    defined(ARS__ARCH_X86_64_WIN)
#define ARS__SHSTK_CHECK 1
static int ars__shstk_on(void) {
    uintptr_t ssp = 0;
#if defined(ARS__ARCH_I386)
    __asm__ __volatile__("rdsspd %0" : "+r"(ssp));
#else
    __asm__ __volatile__("rdsspq %0" : "+r"(ssp));
#endif
    return ssp != 0;
}
#endif

ARSENAL_CORO_API int ars_ctx_make(ars_ctx *ctx, void *stack, size_t size,
                                  void (*fn)(void *value, void *arg), void *arg) {
#ifdef ARS__SHSTK_CHECK
    if (ars__shstk_on()) return ARS_EPERM;
#endif
    /* here, not in ars__ctx_init: a recycled context (ARS__CTX_INIT) was
       made here first, so the hot spawn path skips the test */
#if defined(ARS__CTX_INLINE_X86_64) && !defined(ARSENAL_CORO_SHARE_FPENV)
    if (__builtin_expect(!__atomic_load_n(&ars__ctx_cpu_known, __ATOMIC_RELAXED), 0)) ars__ctx_cpu_check();
#endif
#if defined(ARS__I386_RUNTIME_SSE)
    if (__builtin_expect(__atomic_load_n(&ars__i386_sse, __ATOMIC_RELAXED) < 0, 0)) ars__i386_sse_check();
#endif
    return ars__ctx_init(ctx, stack, size, fn, arg);
}
#define ARS__CTX_INIT ars__ctx_init

#if defined(ARS__ARCH_X86_64)
/* ars_ctx_jump is inline in the declarations */
#elif !defined(ARSENAL_CORO_STATIC) && defined(__ELF__) && \
    (defined(ARS__ARCH_ARM64) || defined(ARS__ARCH_RISCV))
/* the public name is the switch itself (no wrapper jump) */
__asm__(".globl " ARS__SYM(ars_ctx_jump) "\n.type " ARS__SYM(ars_ctx_jump) ", %function\n"
        ".set " ARS__SYM(ars_ctx_jump) ", " ARS__SYM(ars__ctx_switch) "\n");
#else
ARSENAL_CORO_API void *ars_ctx_jump(ars_ctx *from, ars_ctx *to, void *value) {
    return ARS__JUMP(from, to, value);
}
#endif

ARSENAL_CORO_API void ars_ctx_release(ars_ctx *ctx) { (void)ctx; }

#elif defined(ARS__CORO_UCONTEXT)
static ARS__TLS void *ars__uc_value;
static ARS__TLS ars_ctx *ars__uc_starting;

static void ars__uc_entry(void) {
    ars_ctx *c = ars__uc_starting;
    c->fn(ars__uc_value, c->arg);
    abort(); /* fn must not return */
}

ARSENAL_CORO_API int ars_ctx_make(ars_ctx *ctx, void *stack, size_t size,
                                  void (*fn)(void *value, void *arg), void *arg) {
    if (!ctx || !stack || !fn || size < 256) return ARS_EINVAL;
    if (getcontext(&ctx->uc) != 0) return ARS_EINVAL;
    ctx->uc.uc_stack.ss_sp = stack;
    ctx->uc.uc_stack.ss_size = size;
    ctx->uc.uc_link = NULL;
    ctx->fn = fn;
    ctx->arg = arg;
    ctx->sp = stack; /* marks "not started" */
    makecontext(&ctx->uc, ars__uc_entry, 0);
    return 0;
}

ARSENAL_CORO_API void *ars_ctx_jump(ars_ctx *from, ars_ctx *to, void *value) {
    ars__uc_value = value;
    if (to->sp) { ars__uc_starting = to; to->sp = NULL; }
    swapcontext(&from->uc, &to->uc);
    return ars__uc_value;
}
#define ARS__JUMP(from, to, v) ars_ctx_jump((from), (to), (v))
ARSENAL_CORO_API void ars_ctx_release(ars_ctx *ctx) { (void)ctx; }

#elif defined(ARS__CORO_FIBERS)
static ARS__TLS void *ars__fb_value;

/* SwitchToFiber keeps the FP control state only with FIBER_FLAG_FLOAT_SWITCH,
   which not every Windows implementation honours: on x86 do it here (on
   ARM the flag is relied on). */
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
static void ars__fp_save(unsigned *fp) {
    unsigned short cw;
    __asm__ volatile("stmxcsr %0" : "=m"(fp[0]));
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    fp[1] = cw;
}
static void ars__fp_load(const unsigned *fp) {
    unsigned short cw = (unsigned short)fp[1];
    __asm__ volatile("ldmxcsr %0" : : "m"(fp[0]));
    __asm__ volatile("fldcw %0" : : "m"(cw));
}
#elif defined(_M_X64) || defined(_M_IX86)
#include <xmmintrin.h>
static void ars__fp_save(unsigned *fp) { fp[0] = _mm_getcsr(); fp[1] = 0; }
static void ars__fp_load(const unsigned *fp) { _mm_setcsr(fp[0]); }
#else
static void ars__fp_save(unsigned *fp) { fp[0] = fp[1] = 0; }
static void ars__fp_load(const unsigned *fp) { (void)fp; }
#endif

static VOID CALLBACK ars__fb_entry(LPVOID param) {
    ars_ctx *c = (ars_ctx *)param;
    unsigned fp[2] = { 0x1F80, 0x027F };
    ars__fp_load(fp);
    c->fn(ars__fb_value, c->arg);
    abort();
}

/* Fibers bring their own stack: `stack` is ignored, `size` is its size. */
ARSENAL_CORO_API int ars_ctx_make(ars_ctx *ctx, void *stack, size_t size,
                                  void (*fn)(void *value, void *arg), void *arg) {
    (void)stack;
    if (!ctx || !fn || size < 256) return ARS_EINVAL;
    ctx->fn = fn;
    ctx->arg = arg;
    /* `size` reserved; committed only as the stack grows from the
       executable's default initial commit (0). Committing the whole stack
       up front charged every fiber's full size to the system commit
       limit. */
    ctx->sp = CreateFiberEx(0, size, FIBER_FLAG_FLOAT_SWITCH, ars__fb_entry, ctx);
    return ctx->sp ? 0 : ARS_ENOMEM;
}

/* GetCurrentFiber reads gs/fs through an intrinsic that gcc 12 misjudges
   with -Warray-bounds; the warning is about the system header. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#endif
static void *ars__fb_current(void) {
    if (!IsThreadAFiber()) return ConvertThreadToFiberEx(NULL, FIBER_FLAG_FLOAT_SWITCH);
    return GetCurrentFiber();
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

ARSENAL_CORO_API void *ars_ctx_jump(ars_ctx *from, ars_ctx *to, void *value) {
    from->sp = ars__fb_current();
    ars__fb_value = value;
    ars__fp_save(from->fpctl);
    SwitchToFiber(to->sp);
    ars__fp_load(from->fpctl);
    return ars__fb_value;
}
#define ARS__JUMP(from, to, v) ars_ctx_jump((from), (to), (v))
ARSENAL_CORO_API void ars_ctx_release(ars_ctx *ctx) {
    if (ctx && ctx->sp) { DeleteFiber(ctx->sp); ctx->sp = NULL; }
}
#endif

/* >>stack --------------------------------------------------------------- */
/* A stack: memory [lo, lo+size) usable, optional guard below lo. */
typedef struct ars__stack {
    void *map;         /* what to unmap / free (NULL: caller memory) */
    size_t map_size;
    char *lo;
    size_t size;
    uint8_t guarded;
    uint8_t from_alloc; /* came from an ars_allocator / ARSENAL_MALLOC */
    uint8_t soft_guard; /* guard installed by madvise, no mapping split */
#ifdef ARS__VALGRIND
    unsigned vg_id;     /* registered once per mapping, not per coroutine */
#endif
} ars__stack;

#define ARS__CANARY ((uint64_t)0xA55E7A1C0FFEE5EDull)

#if defined(ARS__CORO_OS_POSIX)
static size_t ars__page_size(void) {
    /* threads may ask first at the same time: they store the same value,
       atomically (a plain static was a data race TSan reported) */
    static size_t ps;
    size_t v = __atomic_load_n(&ps, __ATOMIC_RELAXED);
    if (!v) {
        long n = sysconf(_SC_PAGESIZE);
        v = n > 0 ? (size_t)n : 4096;
        __atomic_store_n(&ps, v, __ATOMIC_RELAXED);
    }
    return v;
}
/* Guard pages split mappings: each guarded stack costs the kernel two of its
   vm.max_map_count (65530 by default). Past a budget of half that (minus
   headroom for the rest of the program) stacks come without a guard page
   and with a canary checked on destroy, instead of failing at ~32k. */
static long ars__guard_used;
#if !defined(ARSENAL_CORO_NO_GUARD)
static long ars__guard_budget = -1;
static long ars__guard_limit(void) {
    long v = __atomic_load_n(&ars__guard_budget, __ATOMIC_RELAXED);
    if (v < 0) {
        long maps = 65530;
#if defined(__linux__)
        int fd = open("/proc/sys/vm/max_map_count", O_RDONLY);
        if (fd >= 0) {
            char buf[32]; ssize_t n = read(fd, buf, sizeof buf - 1);
            if (n > 0) { buf[n] = 0; maps = strtol(buf, NULL, 10); }
            close(fd);
        }
#endif
        v = maps / 2 - 4096;
        if (v < 0) v = 0;
        __atomic_store_n(&ars__guard_budget, v, __ATOMIC_RELAXED);
    }
    return v;
}
#endif /* !ARSENAL_CORO_NO_GUARD */
#endif

#if defined(ARS__CORO_OS_POSIX) && defined(__linux__) && !defined(ARSENAL_CORO_NO_GUARD)
/* Linux 6.13+ can install guard pages inside one mapping
   (MADV_GUARD_INSTALL): no split, so no map budget. Whether it really
   guards (emulators may accept and ignore the advice) is probed once: a
   write(2) from a guarded page must fail with EFAULT. */
#define ARS__MADV_GUARD_INSTALL 102
static int ars__soft_guard_state; /* 0 unknown, 1 works, 2 not available */
static int ars__soft_guard_works(size_t ps) {
    int st = __atomic_load_n(&ars__soft_guard_state, __ATOMIC_RELAXED);
    if (st == 0) {
        int fds[2], ok = 0;
        char *m = (char *)mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m != (char *)MAP_FAILED) {
            if (madvise(m, ps, ARS__MADV_GUARD_INSTALL) == 0 && pipe(fds) == 0) {
                ok = write(fds[1], m, 1) < 0;
                close(fds[0]);
                close(fds[1]);
            }
            munmap(m, ps);
        }
        st = ok ? 1 : 2;
        __atomic_store_n(&ars__soft_guard_state, st, __ATOMIC_RELAXED);
    }
    return st == 1;
}
#endif

ARS__UNUSED static int ars__stack_alloc(ars__stack *st, size_t size, const ars_allocator *a) {
    ARS__MEMSET(st, 0, sizeof *st);
#if defined(ARS__CORO_OS_POSIX)
    if (!a) {
        size_t ps = ars__page_size();
        size = (size + ps - 1) & ~(ps - 1);
#if defined(__linux__) && !defined(ARSENAL_CORO_NO_GUARD)
        if (ars__soft_guard_works(ps)) {
            char *m = (char *)mmap(NULL, size + ps, PROT_READ | PROT_WRITE,
                                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
            if (m == (char *)MAP_FAILED) return ARS_ENOMEM;
            if (madvise(m, ps, ARS__MADV_GUARD_INSTALL) == 0) {
                st->map = m; st->map_size = size + ps; st->lo = m + ps; st->size = size;
                st->guarded = 1; st->soft_guard = 1;
                goto registered;
            }
            munmap(m, size + ps);
        }
#endif
#if !defined(ARSENAL_CORO_NO_GUARD)
        if (__atomic_add_fetch(&ars__guard_used, 1, __ATOMIC_RELAXED) <= ars__guard_limit()) {
            char *m = (char *)mmap(NULL, size + ps, PROT_NONE,
                                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
            if (m != (char *)MAP_FAILED) {
                if (mprotect(m + ps, size, PROT_READ | PROT_WRITE) == 0) {
                    st->map = m; st->map_size = size + ps; st->lo = m + ps; st->size = size;
                    st->guarded = 1;
                    goto registered;
                }
                munmap(m, size + ps);
            }
        }
        __atomic_sub_fetch(&ars__guard_used, 1, __ATOMIC_RELAXED);
#endif
        {
            char *m = (char *)mmap(NULL, size, PROT_READ | PROT_WRITE,
                                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
            if (m == (char *)MAP_FAILED) return ARS_ENOMEM;
            st->map = m; st->map_size = size; st->lo = m; st->size = size;
            goto registered;
        }
    registered:
#ifdef ARS__VALGRIND
        st->vg_id = VALGRIND_STACK_REGISTER(st->lo, st->lo + st->size);
#endif
        return 0;
    }
#elif defined(ARS__CORO_OS_WIN) && !defined(ARS__CORO_FIBERS)
    if (!a) {
        SYSTEM_INFO si; size_t ps; DWORD old; char *m;
        GetSystemInfo(&si);
        ps = si.dwPageSize;
        size = (size + ps - 1) & ~(ps - 1);
        m = (char *)VirtualAlloc(NULL, size + ps, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
        if (!m) return ARS_ENOMEM;
        if (!VirtualProtect(m, ps, PAGE_NOACCESS, &old)) { VirtualFree(m, 0, MEM_RELEASE); return ARS_ENOMEM; }
        st->map = m; st->map_size = size + ps; st->lo = m + ps; st->size = size; st->guarded = 1;
        return 0;
    }
#endif
    {
        char *m = a ? (char *)a->alloc(a->ctx, size, 16) : (char *)ARS__CORO_ALLOC(size, 16);
        if (!m) return ARS_ENOMEM;
        st->map = m; st->map_size = size; st->lo = m; st->size = size; st->from_alloc = 1;
        return 0;
    }
}

#if defined(ARS__CORO_OS_POSIX)
/* Mapped stacks are unmapped in batches. Each munmap call costs a TLB flush,
   which is most of what freeing a stack costs (measured on a VM: 9.5 us a
   stack one call each, 0.24 us a stack for one call over many); freed
   stacks wait here, up to ARS__UNMAP_BATCH of them, and then go in one
   call per run of adjacent mappings (consecutive mmaps usually are). A
   thread's batch is flushed when it fills, by ars_coro_cache_trim and when
   the thread exits. */
#define ARS__UNMAP_BATCH 32
typedef struct ars__unmap { char *p; size_t len; int hard_guard; } ars__unmap;
typedef struct ars__unmap_batch {
    ars__unmap e[ARS__UNMAP_BATCH];
    int n;
} ars__unmap_batch;
static ARS__TLS ars__unmap_batch ars__unmaps;
static void ars__unmap_flush(void) {
    ars__unmap_batch *b = &ars__unmaps;
    int i, j, hard = 0;
    for (i = 1; i < b->n; i++) {          /* by address (insertion sort) */
        ars__unmap u = b->e[i];
        for (j = i; j > 0 && b->e[j - 1].p > u.p; j--) b->e[j] = b->e[j - 1];
        b->e[j] = u;
    }
    for (i = 0; i < b->n; i = j) {        /* one call per adjacent run */
        char *start = b->e[i].p, *end = start + b->e[i].len;
        hard += b->e[i].hard_guard;
        for (j = i + 1; j < b->n && b->e[j].p == end; j++) {
            end += b->e[j].len;
            hard += b->e[j].hard_guard;
        }
        munmap(start, (size_t)(end - start));
    }
    if (hard) __atomic_sub_fetch(&ars__guard_used, hard, __ATOMIC_RELAXED);
    b->n = 0;
}
static void ars__cache_watch_once(void);
#endif

static void ars__stack_free(ars__stack *st, const ars_allocator *a) {
    if (!st->map) return;
    if (st->from_alloc) {
        if (a) a->free(a->ctx, st->map, st->map_size);
        else ARS__CORO_FREE(st->map, st->map_size);
        return;
    }
#if defined(ARS__CORO_OS_POSIX)
#ifdef ARS__VALGRIND
    VALGRIND_STACK_DEREGISTER(st->vg_id);
#endif
    {
        ars__unmap_batch *b = &ars__unmaps;
        ars__unmap *u;
        if (b->n == ARS__UNMAP_BATCH) ars__unmap_flush();
        u = &b->e[b->n++];
        u->p = (char *)st->map;
        u->len = st->map_size;
        u->hard_guard = st->guarded && !st->soft_guard;
        ars__cache_watch_once();              /* flushed at thread exit */
    }
#elif defined(ARS__CORO_OS_WIN) && !defined(ARS__CORO_FIBERS)
    VirtualFree(st->map, 0, MEM_RELEASE);
#endif
}

/* >>coro implementation ------------------------------------------------- */
struct ars_sched;

struct ars_coro {
    ars_ctx ctx;              /* its own context while suspended */
    ars_ctx caller_ctx;       /* the resumer's context while it runs */
    ars_coro_fn fn;
    void *arg;
    int status;
    uint8_t cached_stack;     /* stack goes back to the thread cache */
    ars__stack stack;
#if defined(ARS__CORO_FIBERS)
    size_t fiber_size;        /* the fiber's own stack (stack: the object) */
#endif
    const ars_allocator *allocator;
#ifdef ARS__ASAN
    void *asan_fake;          /* its fake stack while suspended, or NULL */
    const void *caller_lo;
    size_t caller_size;
    int asan_dying;           /* ars_coro_destroy resumed it to free asan_fake */
#endif
#ifdef ARS__TSAN
    void *tsan_fiber;
    void *tsan_caller;
#endif
#ifdef ARS__VALGRIND
    unsigned vg_id;
    int vg_own;
#endif
    /* scheduler part */
    struct ars_sched *sched;
    ars_coro *next;           /* run queue / inbox link */
    void (*go_fn)(void *);
    void *go_arg;
    int64_t deadline;
    size_t heap_index;        /* position in the timer heap, or (size_t)-1 */
    uint32_t wait;            /* park state: seq << 1 | armed */
    int park_result;
    uint32_t cancel_pending;
    uint32_t spin;            /* 1: spinning before its park (ars__park_spin_begin);
                                 2: a waker on another thread claimed that park
                                 and left the coroutine running */
    uint8_t prepared;         /* ars_park_prepare ran; owner-only */
};

static ARS__TLS ars_coro *ars__current;

/* Per-thread cache of finished coroutines with default-size stacks: the
   object lives at the top of its stack, so reusing it reuses both. */
typedef struct ars__coro_cache {
    ars_coro *co[ARSENAL_CORO_STACK_CACHE > 0 ? ARSENAL_CORO_STACK_CACHE : 1];
    int n;
    int watched;              /* the thread-exit hook is set */
    unsigned color;           /* the next new cached stack's color */
} ars__coro_cache;
static ARS__TLS ars__coro_cache ars__cache;

static void ars__coro_release(ars_coro *co) {
    ars__stack st = co->stack; /* co lives inside the stack: copy first */
#ifdef ARS__TSAN
    __tsan_destroy_fiber(co->tsan_fiber);
#endif
#ifdef ARS__VALGRIND
    if (co->vg_own) VALGRIND_STACK_DEREGISTER(co->vg_id);
#endif
#if defined(ARS__CORO_FIBERS)
    ars_ctx_release(&co->ctx);
#endif
    if (st.map) ars__stack_free(&st, co->allocator);
}

static void ars__sched_spare_free(void);
ARSENAL_CORO_API void ars_coro_cache_trim(void) {
    while (ars__cache.n > 0) ars__coro_release(ars__cache.co[--ars__cache.n]);
    ars__sched_spare_free();
#if defined(ARS__CORO_OS_POSIX)
    ars__unmap_flush();
#endif
}

#if defined(ARS__CORO_OS_POSIX)
/* a thread that cached stacks gives them back when it exits */
static pthread_key_t ars__cache_key;
static pthread_once_t ars__cache_once = PTHREAD_ONCE_INIT;
static void ars__cache_exit(void *p) { (void)p; ars_coro_cache_trim(); }
static void ars__cache_key_init(void) { pthread_key_create(&ars__cache_key, ars__cache_exit); }
static void ars__cache_watch(void) {
    pthread_once(&ars__cache_once, ars__cache_key_init);
    pthread_setspecific(ars__cache_key, (void *)&ars__cache);
}
#else
static void ars__cache_watch(void) {}
#endif
/* the thread-exit hook (ars_coro_cache_trim), set once per thread */
static void ars__cache_watch_once(void) {
    if (!ars__cache.watched) { ars__cache.watched = 1; ars__cache_watch(); }
}

ARSENAL_CORO_API size_t ars_coro_overhead(void) {
    return (sizeof(ars_coro) + 63) & ~(size_t)63;
}

/* stacks without a guard page end in a canary, checked at each switch */
static void ars__canary_check(const ars_coro *co) {
    if (!co->stack.guarded && *(const uint64_t *)(const void *)(((uintptr_t)co->stack.lo + 7) & ~(uintptr_t)7) != ARS__CANARY) {
        ARSENAL_ASSERT(0 && "coroutine stack overflow (canary)");
    }
}
static void ars__sched_exit(ars_coro *co);
static void ars__coro_entry(void *value, void *arg) {
    ars_coro *co = (ars_coro *)arg;
    void *ret;
    (void)value;
#ifdef ARS__ASAN
    __sanitizer_finish_switch_fiber(NULL, &co->caller_lo, &co->caller_size);
#endif
    ret = co->fn(co->arg);
    co->status = ARS_CORO_DEAD;
    if (co->sched) ars__sched_exit(co);   /* returns when it did not switch away */
#ifdef ARS__ASAN
    co->asan_fake = NULL;                 /* freed here, not by destroy */
    __sanitizer_start_switch_fiber(NULL, co->caller_lo, co->caller_size);
#endif
#ifdef ARS__TSAN
    __tsan_switch_to_fiber(co->tsan_caller, 0);
#endif
    ARS__JUMP(&co->ctx, &co->caller_ctx, ret);
    ARSENAL_ASSERT(0 && "a dead coroutine was resumed");
}

/* a finished coroutine of this thread: object, stack, registrations and
   the park sequence (stale wakers stay stale) are reused */
static int ars__cache_take(ars_coro **out, ars_coro_fn fn, void *arg) {
    ars_coro *co = ars__cache.co[--ars__cache.n];
    int r;
    co->fn = fn;
    co->arg = arg;
    co->status = ARS_CORO_SUSPENDED;
    co->sched = NULL;
    co->next = NULL;
    co->go_fn = NULL;
    co->go_arg = NULL;
    co->deadline = -1;
    co->heap_index = (size_t)-1;
    co->wait &= ~1u;
    co->park_result = 0;
    co->cancel_pending = 0;
    co->spin = 0;
    co->prepared = 0;
#ifdef ARS__CTX_INIT
    r = ARS__CTX_INIT(&co->ctx, co->stack.lo + 16, (size_t)((char *)co - co->stack.lo) - 16,
                      ars__coro_entry, co);
#else
    r = ars_ctx_make(&co->ctx, co->stack.lo + 16, (size_t)((char *)co - co->stack.lo) - 16,
                     ars__coro_entry, co);
#endif
    if (r) return r;
    *out = co;
    return 0;
}

static int ars__coro_create_new(ars_coro **out, ars_coro_fn fn, void *arg, const ars_coro_opts *opts);
ARSENAL_CORO_API int ars_coro_create(ars_coro **out, ars_coro_fn fn, void *arg,
                                     const ars_coro_opts *opts) {
    if (!out || !fn) return ARS_EINVAL;
#if !defined(ARS__CORO_FIBERS)
    if (!opts && ars__cache.n > 0) return ars__cache_take(out, fn, arg);   /* the common case */
#endif
    return ars__coro_create_new(out, fn, arg, opts);
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static int ars__coro_create_new(ars_coro **out, ars_coro_fn fn, void *arg, const ars_coro_opts *opts) {
    ars__stack st;
    ars_coro *co;
    size_t size = opts && opts->stack_size ? opts->stack_size : ARSENAL_CORO_STACK_SIZE;
    const ars_allocator *a = opts ? opts->allocator : NULL;
    int cached = 0, r;
    uintptr_t top;
    *out = NULL;
    /* rounding up to pages (and adding a guard page) must not wrap */
    if (size > (size_t)-1 / 2) return ARS_EINVAL;
#if defined(ARS__CORO_FIBERS)
    /* fibers own their stacks: only the object is allocated here */
    if (opts && opts->stack) return ARS_EINVAL;
    ARS__MEMSET(&st, 0, sizeof st);
    st.size = ars_coro_overhead() + 64;
    st.lo = (char *)ARS__CORO_ALLOC(st.size, 64);
    if (!st.lo) return ARS_ENOMEM;
    st.map = st.lo; st.map_size = st.size; st.from_alloc = 1;
    a = NULL;
#else
    if (opts && opts->stack) {
        /* caller memory has no default size: 0 is refused, not read as
           ARSENAL_CORO_STACK_SIZE bytes the caller may not have */
        if (!opts->stack_size || size < ars_coro_overhead() + 1024) return ARS_EINVAL;
        ARS__MEMSET(&st, 0, sizeof st);
        st.lo = (char *)opts->stack;
        st.size = size;
    } else if (size == ARSENAL_CORO_STACK_SIZE && !a && ars__cache.n > 0) {
        return ars__cache_take(out, fn, arg);
    } else {
        if (size < ars_coro_overhead() + 4096) return ARS_EINVAL;
        r = ars__stack_alloc(&st, size, a);
        if (r) return r;
        cached = size == ARSENAL_CORO_STACK_SIZE && !a;
    }
#endif
    /* the object sits at the top of the stack memory */
    top = ((uintptr_t)st.lo + st.size - sizeof(ars_coro)) & ~(uintptr_t)63;
    /* Cache colouring: every stack's top is page-aligned, so the objects
       and first frames of many coroutines would share the same few cache
       sets (12-way L1: in batches of 32 spawns on an Intel Xeon, 31 ns
       each instead of 21). Default stacks (the recycled ones) start 0 to
       15 lines down, by turns; the touched bytes stay within the top page
       for frames up to ~3 KiB (RSS per idle coroutine unchanged). */
    if (cached) top -= (uintptr_t)(ars__cache.color++ % 16u) * 64u;
    co = (ars_coro *)top;
    ARS__MEMSET(co, 0, sizeof *co);
    co->fn = fn;
    co->arg = arg;
    co->stack = st;
    co->allocator = a;
    co->cached_stack = (uint8_t)cached;
    co->status = ARS_CORO_SUSPENDED;
    co->heap_index = (size_t)-1;
    co->deadline = -1;
    if (!st.guarded) *(uint64_t *)(void *)(((uintptr_t)st.lo + 7) & ~(uintptr_t)7) = ARS__CANARY;
#if defined(ARS__CORO_FIBERS)
    co->fiber_size = size;
    r = ars_ctx_make(&co->ctx, NULL, size, ars__coro_entry, co);
#else
    r = ars_ctx_make(&co->ctx, st.lo + 16, (size_t)((char *)co - st.lo) - 16, ars__coro_entry, co);
#endif
    if (r) { if (!opts || !opts->stack) ars__stack_free(&st, a); return r; }
#ifdef ARS__TSAN
    co->tsan_fiber = __tsan_create_fiber(0);
#endif
#ifdef ARS__VALGRIND
    /* mmap'd stacks were registered when mapped; others are registered here */
    co->vg_own = !(st.map && !st.from_alloc);
    if (co->vg_own) co->vg_id = VALGRIND_STACK_REGISTER(st.lo, (char *)co);
#endif
    *out = co;
    return 0;
}

/* A suspended coroutine of a scheduler carries this bit in its status, so
   ars_coro_resume refuses it with the one status compare it makes anyway
   (only the scheduler runs it); ars_coro_status hides the bit. */
#define ARS__CORO_OWNED 0x100

/* resume without the checks: ars_coro_resume, and the scheduler for its own */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((always_inline))
#endif
static inline void *ars__coro_resume(ars_coro *co, void *in) {
    ars_coro *prev;
    void *r;
#ifdef ARS__ASAN
    void *fake = NULL;
#endif
    prev = ars__current;
    if (prev) prev->status = ARS_CORO_NORMAL;
    co->status = ARS_CORO_RUNNING;
    ars__current = co;
#ifdef ARS__ASAN
    __sanitizer_start_switch_fiber(&fake, co->stack.lo, co->stack.size);
#endif
#ifdef ARS__TSAN
    co->tsan_caller = __tsan_get_current_fiber();
    __tsan_switch_to_fiber(co->tsan_fiber, 0);
#endif
    r = ARS__JUMP(&co->caller_ctx, &co->ctx, in);
#ifdef ARS__ASAN
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
    ars__current = prev;
    if (prev) prev->status = ARS_CORO_RUNNING;
    return r;
}

ARSENAL_CORO_API int ars_coro_resume(ars_coro *co, void *in, void **out) {
    void *r;
    if (!co) return ARS_EINVAL;
    /* also refuses a scheduler's coroutine: its status has ARS__CORO_OWNED */
    if (co->status != ARS_CORO_SUSPENDED) return ARS_ESTATE;
    r = ars__coro_resume(co, in);
    if (out) *out = r;
    return 0;
}

/* status: ARS_CORO_SUSPENDED, or with ARS__CORO_OWNED for the scheduler */
static void *ars__coro_yield(ars_coro *co, void *value, int status) {
    void *r;
    co->status = status;
    ars__canary_check(co);
#ifdef ARS__ASAN
    __sanitizer_start_switch_fiber(&co->asan_fake, co->caller_lo, co->caller_size);
#endif
#ifdef ARS__TSAN
    __tsan_switch_to_fiber(co->tsan_caller, 0);
#endif
    r = ARS__JUMP(&co->ctx, &co->caller_ctx, value);
#ifdef ARS__ASAN
    __sanitizer_finish_switch_fiber(co->asan_fake, &co->caller_lo, &co->caller_size);
    if (co->asan_dying) {     /* ars__asan_drop_fake: leave for good */
        __sanitizer_start_switch_fiber(NULL, co->caller_lo, co->caller_size);
        (void)ARS__JUMP(&co->ctx, &co->caller_ctx, NULL);
    }
#endif
    return r;
}

#ifdef ARS__ASAN
/* A coroutine suspended with a fake stack (ASan's
   detect_stack_use_after_return frames, which live off its own stack)
   keeps it in asan_fake, and only a switch away with a NULL save frees
   it: destroy resumes the coroutine once and it leaves that way from
   ars__coro_yield, without returning into its own frames. */
static void ars__asan_drop_fake(ars_coro *co) {
    void *fake = NULL;
    co->asan_dying = 1;
    __sanitizer_start_switch_fiber(&fake, co->stack.lo, co->stack.size);
    (void)ARS__JUMP(&co->caller_ctx, &co->ctx, NULL);
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
    co->asan_dying = 0;
    co->asan_fake = NULL;
}
#endif

ARSENAL_CORO_API int ars_coro_yield(void *value, void **in) {
    ars_coro *co = ars__current;
    void *r;
    if (!co) {
        if (in) *in = NULL;
        return ARS_ESTATE;
    }
    /* in a scheduler's coroutine this lands in ars_sched_run, which queues
       it again (see there): no check here, on the generators' path */
    r = ars__coro_yield(co, value, ARS_CORO_SUSPENDED);
    if (in) *in = r;
    return 0;
}

ARSENAL_CORO_API int ars_coro_status(const ars_coro *co) {
    return co ? co->status & ~ARS__CORO_OWNED : ARS_CORO_DEAD;
}

ARSENAL_CORO_API ars_coro *ars_coro_running(void) { return ars__current; }

ARSENAL_CORO_API int ars_coro_guarded(const ars_coro *co) { return co && co->stack.guarded; }

ARSENAL_CORO_API size_t ars_coro_stack_size(const ars_coro *co) {
#if defined(ARS__CORO_FIBERS)
    return co ? co->fiber_size : 0;
#else
    return co ? co->stack.size : 0;
#endif
}

ARSENAL_CORO_API int ars_coro_destroy(ars_coro *co) {
    if (!co) return ARS_EINVAL;
    if (co->status == ARS_CORO_RUNNING || co->status == ARS_CORO_NORMAL) return ARS_ESTATE;
    if (co->sched && co->status != ARS_CORO_DEAD) return ARS_ESTATE; /* owned by a scheduler */
    ars__canary_check(co);
#ifdef ARS__ASAN
    if (co->status != ARS_CORO_DEAD && co->asan_fake) ars__asan_drop_fake(co);
#endif
#if defined(ARS__ASAN) && !defined(ARS__CORO_FIBERS)
    /* suspended: its frames never returned, and gcc's ASan clears a frame's
       redzones only on return; the next user of this memory (a coroutine
       from the cache, the caller's own reuse) would trip over them */
    if (co->status != ARS_CORO_DEAD)
        __asan_unpoison_memory_region(co->stack.lo, (size_t)((char *)co - co->stack.lo));
#endif
    co->status = ARS_CORO_DEAD;
    if (co->cached_stack && ars__cache.n < ARSENAL_CORO_STACK_CACHE) {
        ars__cache_watch_once();
        ars__cache.co[ars__cache.n++] = co;
    } else {
        ars__coro_release(co);
    }
    return 0;
}

/* >>clock --------------------------------------------------------------- */
/* ars_now() is this clock's whole milliseconds */
ARSENAL_CORO_API int64_t ars__now_ns(void) {
#if defined(ARS__CORO_OS_NONE)
    return (int64_t)(ARSENAL_CORO_NOW_MS()) * 1000000;
#elif defined(ARS__CORO_OS_WIN)
    static LARGE_INTEGER freq;
    LARGE_INTEGER c;
    if (!freq.QuadPart) QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&c);
    return (int64_t)(c.QuadPart / freq.QuadPart * 1000000000 + (c.QuadPart % freq.QuadPart) * 1000000000 / freq.QuadPart);
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
#endif
}
ARSENAL_CORO_API int64_t ars_now(void) {
#if defined(ARS__CORO_OS_NONE)
    return (int64_t)(ARSENAL_CORO_NOW_MS());
#elif defined(ARS__CORO_OS_WIN)
    return ars__now_ns() / 1000000;
#else
    struct timespec ts;   /* no 64-bit division on 32-bit targets */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
#endif
}

/* >>sched implementation ------------------------------------------------ */
/* A lock and a condition variable (the scheduler's idle wait, the thread
   waiter) whose timed waits run on the clock of ars_now() (macOS offers no
   choice: real time). */
#if defined(ARS__CORO_OS_POSIX)
typedef pthread_mutex_t ars__os_lock_t;
typedef pthread_cond_t ars__os_cond_t;
#define ars__os_lock(m) pthread_mutex_lock(m)
#define ars__os_unlock(m) pthread_mutex_unlock(m)
static void ars__lock_cv_init(pthread_mutex_t *mu, pthread_cond_t *cv) {
    pthread_condattr_t ca;
    pthread_mutex_init(mu, NULL);
    pthread_condattr_init(&ca);
#if !defined(__APPLE__)
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
#endif
    pthread_cond_init(cv, &ca);
    pthread_condattr_destroy(&ca);
}
#elif defined(ARS__CORO_OS_WIN)
typedef SRWLOCK ars__os_lock_t;
typedef CONDITION_VARIABLE ars__os_cond_t;
#define ars__os_lock(m) AcquireSRWLockExclusive(m)
#define ars__os_unlock(m) ReleaseSRWLockExclusive(m)
static void ars__lock_cv_init(SRWLOCK *mu, CONDITION_VARIABLE *cv) {
    InitializeSRWLock(mu);
    InitializeConditionVariable(cv);
}
#endif
#if !defined(ARS__CORO_OS_NONE)
/* sets *flag under the lock and wakes the one thread that waits for it */
static void ars__os_raise(ars__os_lock_t *mu, ars__os_cond_t *cv, int *flag) {
    ars__os_lock(mu);
    *flag = 1;
#if defined(ARS__CORO_OS_POSIX)
    pthread_cond_signal(cv);
#else
    WakeConditionVariable(cv);
#endif
    ars__os_unlock(mu);
}
#endif

typedef struct ars_sched {
    ars_coro *run_head;
    ars_coro **run_tailp;     /* the last one's next, or &run_head when empty */
    size_t run_len;
    size_t round_left;        /* runs left in this round (direct hand-offs count) */
    ars_coro *running;        /* the coroutine the scheduler's context runs */
    ars_coro **heap;          /* timer min-heap on deadline */
    size_t heap_len, heap_cap;
    size_t count;             /* live spawned coroutines */
    ars_coro *inbox;          /* coroutines woken by other threads (atomic stack) */
    uint32_t remote_inflight; /* other threads between claiming and notifying */
    uint32_t sleeping;
    ars_poller poller;
    int has_poller;
#if !defined(ARS__CORO_OS_NONE)
    ars__os_lock_t mu;
    ars__os_cond_t cv;
    int wake_flag;
#endif
} ars_sched;

static ARS__TLS ars_sched *ars__sched;
/* the installed poller outlives a scheduler: it is per thread, and each new
   scheduler of the thread starts with it */
static ARS__TLS ars_poller ars__poller_cfg;

#if defined(ARS__CORO_OS_POSIX)
/* the scheduler of a finished run, kept for the thread's next run (its
   mutex, condition variable and timer heap array stay set up); freed by
   ars_coro_cache_trim and when the thread exits */
static ARS__TLS ars_sched *ars__sched_spare;
#endif

static ars_sched *ars__sched_get(void) {
    ars_sched *s = ars__sched;
    if (s) return s;
#if defined(ARS__CORO_OS_POSIX)
    s = ars__sched_spare;
    if (s) {
        ars__sched_spare = NULL;
        s->poller = ars__poller_cfg;
        s->has_poller = ars__poller_cfg.poll != NULL;
        ars__sched = s;
        return s;
    }
#endif
#if defined(ARS__CORO_OS_NONE)
    {
        static ars_sched one;
        s = &one;
        ARS__MEMSET(s, 0, sizeof *s);
    }
#else
    s = (ars_sched *)ARS__CORO_ALLOC(sizeof *s, 16);
    if (!s) return NULL;
    ARS__MEMSET(s, 0, sizeof *s);
#endif
#if !defined(ARS__CORO_OS_NONE)
    ars__lock_cv_init(&s->mu, &s->cv);
#endif
    s->run_tailp = &s->run_head;
    s->poller = ars__poller_cfg;
    s->has_poller = ars__poller_cfg.poll != NULL;
    ars__sched = s;
    return s;
}

static void ars__sched_release(ars_sched *s) {
#if !defined(ARS__CORO_OS_NONE)
    ARS__CORO_FREE(s->heap, s->heap_cap * sizeof *s->heap);
#endif
    s->heap = NULL; s->heap_cap = 0;
#if defined(ARS__CORO_OS_POSIX)
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
#endif
#if !defined(ARS__CORO_OS_NONE)
    ARS__CORO_FREE(s, sizeof *s);
#endif
}

static void ars__sched_spare_free(void) {
#if defined(ARS__CORO_OS_POSIX)
    if (ars__sched_spare) ars__sched_release(ars__sched_spare);
    ars__sched_spare = NULL;
#endif
}

/* every coroutine has finished: other threads may still be between
   claiming a stale park and announcing it (remote_inflight) */
static void ars__sched_free(ars_sched *s) {
    while (ars__ld32(&s->remote_inflight)) {
#if defined(ARS__CORO_OS_POSIX)
        sched_yield();
#elif defined(ARS__CORO_OS_WIN)
        SwitchToThread();
#endif
    }
    ars__sched = NULL;
#if defined(ARS__CORO_OS_POSIX)
    s->heap_len = 0;
    s->run_head = NULL;
    s->run_tailp = &s->run_head;
    s->run_len = 0;
    s->inbox = NULL;
    s->wake_flag = 0;
    s->sleeping = 0;
    s->running = NULL;
    if (!ars__sched_spare) {
        ars__cache_watch_once();
        ars__sched_spare = s;
        return;
    }
#endif
    ars__sched_release(s);
}

/* the run queue: a list through next, appended at *run_tailp, so neither
   end needs a test but the pop that empties it. A coroutine's next means
   nothing while it is not queued. */
static void ars__runq_push(ars_sched *s, ars_coro *co) {
    co->next = NULL;
    *s->run_tailp = co;
    s->run_tailp = &co->next;
    s->run_len++;
}
static ars_coro *ars__runq_pop(ars_sched *s) {
    ars_coro *co = s->run_head;
    if (!(s->run_head = co->next)) s->run_tailp = &s->run_head;
    s->run_len--;
    return co;
}

/* Suspends the running scheduled coroutine `co` (already queued or parked).
   While the round has runs left, it switches straight to the next runnable
   coroutine, which inherits co's way back to the scheduler's context: one
   switch instead of two, and no pass through the scheduler loop. Asm
   backends only (a ucontext or fiber context cannot be handed over by
   copying it), and not under ASan, whose fake-stack bookkeeping follows
   resume/yield pairs. */
#if !defined(ARS__CORO_UCONTEXT) && !defined(ARS__CORO_FIBERS) && !defined(ARS__ASAN) && ARSENAL_CORO_DIRECT_RUNS > 0
#define ARS__DIRECT 1
#endif
/* the park's parts, inline where they are used (arsenal_chan.h's fast
   paths among them) */
#if defined(__GNUC__) || defined(__clang__)
#define ARS__PARK_INLINE static inline __attribute__((always_inline, unused))
#else
#define ARS__PARK_INLINE static inline
#endif
#ifdef ARS__DIRECT
/* co (suspended or dead) hands the scheduler's way back to next, runs it */
ARS__PARK_INLINE void ars__sched_handoff(ars_sched *s, ars_coro *co, ars_coro *next) {
        next->caller_ctx = co->caller_ctx;
        next->status = ARS_CORO_RUNNING;
        ars__current = next;
        s->running = next;
#ifdef ARS__TSAN
        next->tsan_caller = co->tsan_caller;
        __tsan_switch_to_fiber(next->tsan_fiber, 0);
#endif
        (void)ARS__JUMP(&co->ctx, &next->ctx, NULL);
}
#endif

/* (inline in a park, whose frame already keeps the callee-saved registers
   the jump clobbers; a call apart would save them again). queued: co may
   be in the run queue itself (a yield, or a park woken on this thread
   before it suspends); 0 where nothing could have queued it. */
ARS__PARK_INLINE void ars__sched_suspend_in(ars_sched *s, ars_coro *co, int queued) {
#ifdef ARS__DIRECT
    if (s->run_head && s->round_left) {
        ars_coro *next;
        s->round_left--;
        next = ars__runq_pop(s);
        if (queued && next == co) return;   /* it was the only runnable one */
        co->status = ARS_CORO_SUSPENDED | ARS__CORO_OWNED;
        ars__canary_check(co);
        ars__sched_handoff(s, co, next);
        return;
    }
#endif
    (void)s; (void)queued;
    (void)ars__coro_yield(co, NULL, ARS_CORO_SUSPENDED | ARS__CORO_OWNED);
}
static void ars__sched_suspend(ars_sched *s, ars_coro *co) { ars__sched_suspend_in(s, co, 1); }

/* A finished scheduled coroutine whose stack goes back to the thread's
   cache leaves straight for the next runnable one: the cache is only read
   by ars_coro_create, which cannot run before this switch completes. */
static void ars__sched_exit(ars_coro *co) {
#ifdef ARS__DIRECT
    ars_sched *s = co->sched;
    if (s->run_head && s->round_left && co->cached_stack && ars__cache.n < ARSENAL_CORO_STACK_CACHE) {
        ars_coro *next;
        s->round_left--;
        next = ars__runq_pop(s);
        s->count--;
        ars__canary_check(co);
        ars__cache_watch_once();
        ars__cache.co[ars__cache.n++] = co;     /* as ars_coro_destroy would */
        ars__sched_handoff(s, co, next);
        ARSENAL_ASSERT(0 && "a dead coroutine was resumed");
    }
#else
    (void)co;
#endif
}

/* timer heap */
static void ars__timer_set(ars_sched *s, size_t i, ars_coro *co) { s->heap[i] = co; co->heap_index = i; }
static void ars__timer_up(ars_sched *s, size_t i) {
    ars_coro *co = s->heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (s->heap[p]->deadline <= co->deadline) break;
        ars__timer_set(s, i, s->heap[p]);
        i = p;
    }
    ars__timer_set(s, i, co);
}
static void ars__timer_down(ars_sched *s, size_t i) {
    ars_coro *co = s->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= s->heap_len) break;
        if (c + 1 < s->heap_len && s->heap[c + 1]->deadline < s->heap[c]->deadline) c++;
        if (co->deadline <= s->heap[c]->deadline) break;
        ars__timer_set(s, i, s->heap[c]);
        i = c;
    }
    ars__timer_set(s, i, co);
}
static int ars__timer_add(ars_sched *s, ars_coro *co) {
#if defined(ARS__CORO_OS_NONE)
    static ars_coro *fixed[ARSENAL_CORO_MAX_TIMERS];
    if (!s->heap) { s->heap = fixed; s->heap_cap = ARSENAL_CORO_MAX_TIMERS; }
    if (s->heap_len == s->heap_cap) return ARS_ENOMEM;
#else
    if (s->heap_len == s->heap_cap) {
        size_t ncap = s->heap_cap ? s->heap_cap * 2 : 64;
        ars_coro **nh = (ars_coro **)ARS__CORO_ALLOC(ncap * sizeof *nh, sizeof(void *));
        if (!nh) return ARS_ENOMEM;
        if (s->heap_len) ARS__MEMCPY(nh, s->heap, s->heap_len * sizeof *nh);
        ARS__CORO_FREE(s->heap, s->heap_cap * sizeof *nh);
        s->heap = nh;
        s->heap_cap = ncap;
    }
#endif
    s->heap[s->heap_len++] = co;
    ars__timer_up(s, s->heap_len - 1);
    return 0;
}
static void ars__timer_remove(ars_sched *s, ars_coro *co) {
    size_t i = co->heap_index;
    if (i == (size_t)-1) return;
    co->heap_index = (size_t)-1;
    s->heap_len--;
    if (i == s->heap_len) return;
    ars__timer_set(s, i, s->heap[s->heap_len]);
    ars__timer_up(s, i);
    ars__timer_down(s, s->heap[i]->heap_index);
}

static void ars__sched_notify(ars_sched *s) {
    if (!ars__ld32(&s->sleeping)) return;
    if (s->has_poller) { s->poller.wake(s->poller.ctx); return; }
#if !defined(ARS__CORO_OS_NONE)
    ars__os_raise(&s->mu, &s->cv, &s->wake_flag);
#endif
}

/* >>thread waiter: outside every coroutine, on a thread whose scheduler
   has no live coroutine (they could not run while it waits), ars_park
   blocks the thread itself. Its waiter is an ars_coro with no scheduler
   (so an ars_waker names it as any other), plus a lock and a condition
   variable; a waker sets `woken` under the lock after the result. */
#if !defined(ARS__CORO_OS_NONE)
typedef struct ars__twaiter {
    ars_coro co;              /* first: a waker's co is the waiter; its
                                 sched is ARS__TW_SCHED once set up */
    int woken;                /* guarded by mu */
    ars__os_lock_t mu;
    ars__os_cond_t cv;
} ars__twaiter;
static ARS__TLS ars__twaiter ars__tw;
/* a thread waiter's `sched`: no thread's scheduler, so ars__make_runnable
   tells it apart only on its cross-thread path */
static char ars__tw_tag;
#define ARS__TW_SCHED ((ars_sched *)(void *)&ars__tw_tag)

#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static ars_coro *ars__tw_get(void) {
    ars__twaiter *t = &ars__tw;
    if (t->co.sched != ARS__TW_SCHED) {
        ars__lock_cv_init(&t->mu, &t->cv);
        t->co.heap_index = (size_t)-1;
        t->co.deadline = -1;
        t->co.sched = ARS__TW_SCHED;
    }
    return &t->co;
}


/* one wait on the condition variable (lock held) until the deadline (-1:
   none); it may end early, the caller loops */
static void ars__tw_wait(ars__twaiter *t, int64_t deadline) {
#if defined(ARS__CORO_OS_POSIX)
    struct timespec ts;
#if defined(__APPLE__)
    int64_t left = deadline - ars_now();     /* the condition's clock is real time */
    if (deadline >= 0) {
        clock_gettime(CLOCK_REALTIME, &ts);
        if (left < 0) left = 0;
        if (left > 86400000) left = 86400000;
        ts.tv_sec += (time_t)(left / 1000);
        ts.tv_nsec += (long)(left % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) { ts.tv_sec++; ts.tv_nsec -= 1000000000L; }
    }
#else
    ts.tv_sec = (time_t)(deadline / 1000);
    ts.tv_nsec = (long)(deadline % 1000) * 1000000L;
    if (deadline >= 0 && (int64_t)ts.tv_sec != deadline / 1000) deadline = -1;   /* past time_t: never */
#endif
    if (deadline < 0) pthread_cond_wait(&t->cv, &t->mu);
    else pthread_cond_timedwait(&t->cv, &t->mu, &ts);
#else
    int64_t left = deadline < 0 ? -1 : deadline - ars_now();
    DWORD ms = left < 0 ? INFINITE : left >= (int64_t)INFINITE ? INFINITE - 1 : (DWORD)left;
    if (deadline >= 0 && left <= 0) return;
    SleepConditionVariableSRW(&t->cv, &t->mu, ms, 0);
#endif
}

/* ars_park on the thread waiter */
static int ars__tw_park(int64_t deadline) {
    ars__twaiter *t = &ars__tw;
    ars_coro *co = &t->co;
    uint32_t w;
    int r;
    if (!co->prepared) ars_park_prepare();
    co->prepared = 0;
    w = ars__ld32(&co->wait);
    ars__os_lock(&t->mu);
    while (!t->woken) {
        if ((w & 1u) && deadline >= 0 && ars_now() >= deadline) {
            if (ars__cas32(&co->wait, w, ((w >> 1) + 1u) << 1)) { r = ARS_ETIMEDOUT; goto out; }
            w &= ~1u;         /* a waker won the race: its wake follows */
            continue;
        }
        ars__tw_wait(t, (w & 1u) ? deadline : -1);
    }
    t->woken = 0;
    r = co->park_result;
out:
    ars__os_unlock(&t->mu);
    return r;
}
#endif

/* Outside every coroutine: the thread's own waiter, unless live
   coroutines of this thread's scheduler would starve while it waits (or in
   firmware, with no threads); else NULL. */
static ars_coro *ars__parker_thread(void) {
#if defined(ARS__CORO_OS_NONE)
    return NULL;
#else
    if (ars__sched && ars__sched->count > 0) return NULL;
    return ars__tw_get();
#endif
}

/* makes a claimed coroutine of another thread (or a thread waiter)
   runnable */
static void ars__make_runnable_far(ars_coro *co) {
    ars_sched *s = co->sched;
    void *head;
#if !defined(ARS__CORO_OS_NONE)
    if (s == ARS__TW_SCHED) {
        ars__twaiter *t = (ars__twaiter *)(void *)co;   /* a thread outside every coroutine */
        ars__os_raise(&t->mu, &t->cv, &t->woken);
        return;
    }
#endif
    /* spinning before its park: it sees 2 and runs on by itself, so from
       here co and its scheduler may be gone */
    if (ars__xchg32(&co->spin, 2u) == 1u) return;
    /* Once co is in the inbox its scheduler may run it, finish and free
       itself: announce this thread first, and the free waits for it. */
    ars__add32(&s->remote_inflight, 1u);
    head = ars__ldp((void **)&s->inbox);
    do { co->next = (ars_coro *)head; }
    while (!ars__casp((void **)&s->inbox, &head, co));
    ars__sched_notify(s);
    ars__add32(&s->remote_inflight, (uint32_t)-1);
}

/* The one who moves `wait` from (seq, armed) to (seq+1, idle) owns the
   wake, and makes the coroutine runnable on its own scheduler. For a
   coroutine of this thread's scheduler (ars__here), ars__claim_here: the
   run queue, and no call, so a caller whose other paths make none either
   needs no callee-saved register (arsenal_chan.h's fast paths). */
#define ars__here(co) ((co)->sched == ars__sched)
ARS__PARK_INLINE int ars__claim_here(ars_coro *co, uint32_t seq, int result) {
    if (!ars__cas32(&co->wait, (seq << 1) | 1u, (seq + 1u) << 1)) return ARS_ESTATE;
    co->park_result = result;
    ars__runq_push(co->sched, co);
    return 0;
}
ARS__PARK_INLINE int ars__claim(ars_coro *co, uint32_t seq, int result) {
    if (ars__here(co)) return ars__claim_here(co, seq, result);
    if (!ars__cas32(&co->wait, (seq << 1) | 1u, (seq + 1u) << 1)) return ARS_ESTATE;
    co->park_result = result;
    ars__make_runnable_far(co);
    return 0;
}
/* Arms the park of co, a coroutine of this thread's scheduler (the
   running one, or a thread waiter): returns its sequence number. The
   wait word is read relaxed (no RMW with MSVC, no ldar on Arm): nobody
   writes it while it is not armed (claims and cancels exchange it only
   from an armed value), and the claim that ended co's last park happened
   before co runs again (its run queue push on this thread, or the inbox
   exchange, the spin word, the thread waiter's lock), so the load sees
   that claim's value or co's own later one. */
ARS__PARK_INLINE uint32_t ars__park_arm(ars_coro *co) {
    uint32_t seq = ars__ld32_rlx(&co->wait) >> 1;
#ifdef ARS__ASYM
    /* a cross-thread ars_cancel fences this thread with membarrier */
    if (__builtin_expect(__atomic_load_n(&ars__membarrier_state, __ATOMIC_RELAXED) == 1, 1)) {
        __atomic_store_n(&co->wait, (seq << 1) | 1u, __ATOMIC_RELEASE);
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
    } else {
        ars__arm_slow(&co->wait, (seq << 1) | 1u);
    }
#else
    ars__st32(&co->wait, (seq << 1) | 1u);
#endif
    return seq;
}
/* ars_park_prepare and ars_park, inline for arsenal_chan.h when its
   implementation shares this file */
ARS__PARK_INLINE ars_waker ars__park_prepare_in(void) {
    ars_waker w;
    ars_coro *co = ars__current;
    if (!co) co = ars__parker_thread();
    else if (!co->sched) co = NULL;     /* ars_coro_create's: no scheduler */
    w.co = co;
    w.seq = 0;
    if (w.co) {
        co->prepared = 1;
        w.seq = ars__park_arm(co);
    }
    return w;
}
ARSENAL_CORO_API ars_waker ars_park_prepare(void) { return ars__park_prepare_in(); }

/* ars_wake, inline for arsenal_chan.h as well */
ARS__PARK_INLINE int ars__wake_in(ars_waker w, int result) {
    if (!w.co) return ARS_EINVAL;
    return ars__claim(w.co, w.seq, result);
}
ARSENAL_CORO_API int ars_wake(ars_waker w, int result) { return ars__wake_in(w, result); }

/* One cancel ends one park: the flag is set, and whoever takes it back
   (here, for a park seen armed, or that park itself) acts on it. A cancel
   that a late load here saw after its park had already taken it cannot
   also end the next park. */
ARSENAL_CORO_API int ars_cancel(ars_coro *co) {
#ifdef ARS__ASYM
    int remote;
#endif
    if (!co || !co->sched) return ARS_EINVAL;
#ifdef ARS__ASYM
    remote = co->sched != ars__sched;
#endif
    for (;;) {
        uint32_t w;
        ars__st32(&co->cancel_pending, 1u);
#ifdef ARS__ASYM
        /* the target's thread may have armed its park with a plain store: a
           barrier on every thread orders that store before the load below */
        if (remote && ars__membarrier_on()) ars__membarrier();
#endif
        w = ars__ld32(&co->wait);
        /* not parked: its next park finds the flag; or the park took it */
        if (!(w & 1u) || !ars__cas32(&co->cancel_pending, 1u, 0u)) return 0;
        if (ars__claim(co, w >> 1, ARS_ECANCELED) == 0) return 0;
        /* a waker ended that park first: the cancel is for the next one */
    }
}

/* Parks the running coroutine co of scheduler s, armed by ars__park_arm
   (the second half of ars_park), in three parts: ars__park_settle, before
   the suspend: 0 to suspend, else the park's end (a pending cancel, a
   passed deadline, no timer slot). Only then does it read co's wait word,
   in a function apart (the usual park computes nothing for it), and it
   settles nothing once a waker has claimed the park (that waker queues co,
   or will): an exchange from the word it read fails if one claims it
   later. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static int ars__park_settle_more(ars_sched *s, ars_coro *co, int64_t deadline) {
    uint32_t w = ars__ld32(&co->wait);
    if (!(w & 1u)) return 0;                    /* claimed already */
    if (ars__ld32(&co->cancel_pending) && ars__cas32(&co->cancel_pending, 1u, 0u)) {
        if (ars__cas32(&co->wait, w, ((w >> 1) + 1u) << 1)) return ARS_ECANCELED;
        ars__st32(&co->cancel_pending, 1u);   /* a waker came first: keep it */
    } else if (deadline >= 0 && deadline <= ars_now()) {
        if (ars__cas32(&co->wait, w, ((w >> 1) + 1u) << 1)) return ARS_ETIMEDOUT;
    } else if (deadline >= 0) {
        co->deadline = deadline;
        if (ars__timer_add(s, co) != 0) {
            if (ars__cas32(&co->wait, w, ((w >> 1) + 1u) << 1)) return ARS_ENOMEM;
        }
    }
    return 0;
}
ARS__PARK_INLINE int ars__park_settle(ars_sched *s, ars_coro *co, int64_t deadline) {
    if (ars__ld32(&co->cancel_pending) || deadline >= 0) return ars__park_settle_more(s, co, deadline);
    return 0;
}
/* after the suspend: co runs again */
ARS__PARK_INLINE int ars__park_end(ars_coro *co) {
    if (co->heap_index != (size_t)-1) ars__timer_remove(co->sched, co);
    return co->park_result;   /* a canceler took the flag before claiming */
}
/* Suspend exactly once per park: whoever claimed us has queued us, or will. */
ARS__PARK_INLINE int ars__park_armed(ars_sched *s, ars_coro *co, int64_t deadline) {
    int r = ars__park_settle(s, co, deadline);
    if (r) return r;
    ars__sched_suspend(s, co);
    return ars__park_end(co);
}
/* The same with the suspend inline, for a caller that keeps nothing in
   registers across it (co is read back after the jump): its frame saves
   the registers the jump clobbers once, where a call of the suspend would
   save them again. Nothing on this thread may have woken co since
   ars__park_arm (a waker of another thread queues it in the inbox): co is
   not in the run queue. */
ARS__PARK_INLINE int ars__park_armed_in(ars_sched *s, ars_coro *co, int64_t deadline) {
    int r = ars__park_settle(s, co, deadline);
    if (r) return r;
    ars__sched_suspend_in(s, co, 0);
    return ars__park_end(ars__current);
}
ARS__PARK_INLINE int ars__park_in(int64_t deadline) {
    ars_coro *co = ars__current;
    if (!co || !co->sched) {
#if !defined(ARS__CORO_OS_NONE)
        if (!co && ars__parker_thread()) return ars__tw_park(deadline);
#endif
        return ARS_ESTATE;
    }
    if (!co->prepared) (void)ars__park_arm(co);
    co->prepared = 0;
    return ars__park_armed(co->sched, co, deadline);
}
/* the running coroutine if it belongs to a scheduler, else NULL (for
   arsenal_chan.h's fast paths, which then take the general ones) */
#define ars__running_scheduled() (ars__current && ars__current->sched ? ars__current : NULL)
ARSENAL_CORO_API int ars_park(int64_t deadline) { return ars__park_in(deadline); }

ARSENAL_CORO_API int ars__sched_alone(void) {
    ars_coro *co = ars__current;
    return !co || !co->sched || !co->sched->run_head;
}
ARSENAL_CORO_API int ars__park_spin_begin(void) {
    ars_coro *co = ars__current;
    if (!co || !co->sched || !co->prepared) return 1;
    if (co->sched->run_head) return 0;
    ars__st32(&co->spin, 1u);
    return 1;
}
ARSENAL_CORO_API int ars__park_spin_end(void) {
    ars_coro *co = ars__current;
    /* the exchange pairs with a far waker's (ars__make_runnable_far): one
       of the two sees the other's value */
    if (!co || !co->sched || !co->prepared || ars__xchg32(&co->spin, 0u) != 2u) return ARS__UNSPUN;
    co->prepared = 0;
    return co->park_result;
}

ARSENAL_CORO_API int ars_sleep_until(int64_t deadline) {
    int r;
    /* outside every coroutine ars_park waits in the thread (or refuses) */
    if (ars__current && !ars__current->sched) return ARS_ESTATE;
    /* -1 parks with no deadline: no timer slot (firmware has
       ARSENAL_CORO_MAX_TIMERS of them), only a cancel ends it */
    r = ars_park(deadline < 0 ? -1 : deadline);
    return r == ARS_ETIMEDOUT ? 0 : r;
}

ARSENAL_CORO_API int ars_sched_yield(void) {
    ars_coro *co = ars__current;
    if (!co || !co->sched) return ARS_ESTATE;
    ars__runq_push(co->sched, co);
    ars__sched_suspend(co->sched, co);
    return 0;
}

static void *ars__go_entry(void *arg) {
    ars_coro *co = (ars_coro *)arg;
    co->go_fn(co->go_arg);
    return NULL;
}

ARSENAL_CORO_API int ars_go_opts(void (*fn)(void *arg), void *arg,
                                 const ars_coro_opts *opts, ars_coro **out) {
    ars_sched *s;
    ars_coro *co;
    int r;
    if (!fn) return ARS_EINVAL;
    s = ars__sched;
    if (!s && !(s = ars__sched_get())) return ARS_ENOMEM;
    if (!opts && ars__cache.n > 0) r = ars__cache_take(&co, ars__go_entry, NULL);
    else r = ars_coro_create(&co, ars__go_entry, NULL, opts);
    if (r) return r;
    co->arg = co;
    co->go_fn = fn;
    co->go_arg = arg;
    co->sched = s;
    co->status = ARS_CORO_SUSPENDED | ARS__CORO_OWNED;   /* only the scheduler resumes it */
    s->count++;
    ars__runq_push(s, co);
    if (out) *out = co;
    return 0;
}

ARSENAL_CORO_API int ars_go(void (*fn)(void *arg), void *arg) {
    return ars_go_opts(fn, arg, NULL, NULL);
}

ARSENAL_CORO_API size_t ars_sched_count(void) { return ars__sched ? ars__sched->count : 0; }

ARSENAL_CORO_API void ars_sched_set_poller(const ars_poller *p) {
    ars_sched *s = ars__sched;
    if (p && p->poll && p->wake) ars__poller_cfg = *p;
    else ARS__MEMSET(&ars__poller_cfg, 0, sizeof ars__poller_cfg);
    if (s) { s->poller = ars__poller_cfg; s->has_poller = ars__poller_cfg.poll != NULL; }
}

static void ars__drain_inbox(ars_sched *s) {
    ars_coro *list, *rev = NULL;
    if (!ars__ldp((void **)&s->inbox)) return; /* the common case: a load, no exchange */
    list = (ars_coro *)ars__xchgp((void **)&s->inbox, NULL);
    while (list) { ars_coro *n = list->next; list->next = rev; rev = list; list = n; }
    while (rev) { ars_coro *n = rev->next; ars__runq_push(s, rev); rev = n; }
}

/* waits until the deadline (-1: forever) or a wake from another thread */
static void ars__sched_idle(ars_sched *s, int64_t deadline) {
    ars__st32(&s->sleeping, 1u);
    if (ars__ldp((void **)&s->inbox) == NULL) {
        if (s->has_poller) {
            s->poller.poll(s->poller.ctx, deadline);
        } else {
#if defined(ARS__CORO_OS_POSIX)
            pthread_mutex_lock(&s->mu);
            if (!s->wake_flag && ars__ldp((void **)&s->inbox) == NULL) {
                struct timespec ts;
                ts.tv_sec = (time_t)(deadline / 1000);
                /* a deadline past what time_t holds (32-bit time_t, e.g.
                   INT64_MAX) is as good as never: truncated, it was in the
                   past and the thread spun */
                if (deadline < 0 || (int64_t)ts.tv_sec != deadline / 1000) {
                    pthread_cond_wait(&s->cv, &s->mu);
                } else {
                    ts.tv_nsec = (long)(deadline % 1000) * 1000000L;
                    pthread_cond_timedwait(&s->cv, &s->mu, &ts);
                }
            }
            s->wake_flag = 0;
            pthread_mutex_unlock(&s->mu);
#elif defined(ARS__CORO_OS_WIN)
            AcquireSRWLockExclusive(&s->mu);
            if (!s->wake_flag && ars__ldp((void **)&s->inbox) == NULL) {
                int64_t now = ars_now();
                /* at most INFINITE - 1: a longer wait truncated to DWORD
                   could come out 0 and spin */
                DWORD ms = deadline < 0 ? INFINITE
                         : deadline - now >= (int64_t)INFINITE ? INFINITE - 1
                         : (DWORD)(deadline > now ? deadline - now : 0);
                SleepConditionVariableSRW(&s->cv, &s->mu, ms, 0);
            }
            s->wake_flag = 0;
            ReleaseSRWLockExclusive(&s->mu);
#else
            while (ars__ldp((void **)&s->inbox) == NULL &&
                   (deadline < 0 || ars_now() < deadline))
                ARSENAL_CORO_IDLE();
#endif
        }
    }
    ars__st32(&s->sleeping, 0u);
}

ARSENAL_CORO_API int ars_sched_run(void) {
    ars_sched *s;
    int polled = 0;
    if (ars__current) return ARS_ESTATE;
    s = ars__sched_get();
    if (!s) return ARS_ENOMEM;
    while (s->count > 0) {
        int64_t now;
        ars__drain_inbox(s);
        /* fire expired timers */
        if (s->heap_len) {
            now = ars_now();
            while (s->heap_len && s->heap[0]->deadline <= now) {
                ars_coro *co = s->heap[0];
                uint32_t w = ars__ld32(&co->wait);
                ars__timer_remove(s, co);
                if (w & 1u) ars__claim(co, w >> 1, ARS_ETIMEDOUT);
            }
        }
        if (!s->run_head) {
            int64_t deadline = s->heap_len ? s->heap[0]->deadline : -1;
            ars__sched_idle(s, deadline);
            polled = 1;
            continue;
        }
        /* I/O gets its turn between rounds, unless the idle wait just polled */
        if (s->has_poller && !polled) s->poller.poll(s->poller.ctx, 0);
        polled = 0;
        /* run what is runnable now, plus up to ARSENAL_CORO_DIRECT_RUNS of
           what they make runnable; the rest waits a round */
        s->round_left = s->run_len + (size_t)ARSENAL_CORO_DIRECT_RUNS;
        while (s->round_left && s->run_head) {
            ars_coro *co = ars__runq_pop(s);
            s->round_left--;
            s->running = co;
            (void)ars__coro_resume(co, NULL);
            co = s->running;            /* direct hand-offs change who comes back */
            if (co->status == ARS_CORO_DEAD) {
                s->count--;
                ars_coro_destroy(co);
            } else if (co->status == ARS_CORO_SUSPENDED) {
                /* it called ars_coro_yield, not a scheduler call: as
                   ars_sched_yield, it runs again after the others */
                co->status = ARS_CORO_SUSPENDED | ARS__CORO_OWNED;
                ars__runq_push(s, co);
            }
        }
    }
    ars__sched_free(s);
    return 0;
}

#undef ARS__JUMP
#undef ARS__DIRECT
#undef ARS__CORO_OWNED
#undef ARS__CTX_INIT
#undef ARS__MEMSET
#undef ARS__MEMCPY
#undef ARS__TLS
#undef ARS__CORO_ALLOC
#undef ARS__CORO_FREE
#undef ARS__CANARY
#undef ARS__SYM
#undef ARS__FUNC_BEGIN
#undef ARS__FUNC_END
#undef ARS__A64_BTI
#undef ARS__UNUSED
#undef ARS__ASAN
#undef ARS__TSAN
#undef ARS__VALGRIND
#undef ARS__CORO_UCONTEXT
#undef ARS__CORO_FIBERS
#undef ARS__ARCH_X86_64
#undef ARS__ARCH_X86_64_WIN
#undef ARS__ARCH_I386
#undef ARS__ARCH_ARM64
#undef ARS__ARCH_ARM
#undef ARS__ARCH_RISCV
#undef ARS__I386_MXCSR_SAVE
#undef ARS__I386_MXCSR_LOAD
#undef ARS__I386_CW_SAVE
#undef ARS__I386_CW_LOAD
#undef ARS__W64_FP_SAVE
#undef ARS__W64_FP_LOAD
#undef ARS__I386_TIB_SAVE
#undef ARS__I386_TIB_LOAD
#undef ARS__I386_TIB_SLOTS
#undef ARS__I386_SWITCH
#undef ARS__I386_RUNTIME_SSE
#undef ARS__ARM_VPUSH
#undef ARS__ARM_VPOP
#undef ARS__ARM_VFP_SLOTS
#undef ARS__ARM_MODE
#undef ARS__RV_S
#undef ARS__RV_L
#undef ARS__RV_X
#undef ARS__RV_FS
#undef ARS__RV_FL
#undef ARS__RV_F
#undef ARS__RV_STR2
#undef ARS__RV_STR
#undef ARS__RV_FRAME
#undef ARS__RV_FOFF
#undef ARS__RV_GPR
#undef ARS__RV_GPRS
#undef ARS__RV_NGPR
#undef ARS__RV_FPR
#undef ARS__RV_FPRS
#undef ARS__RV_FSAVE
#undef ARS__RV_FLOAD
#undef ARS__MADV_GUARD_INSTALL
#undef ARS__CORO_OS_NONE
#undef ARS__CORO_OS_POSIX
#undef ARS__CORO_OS_WIN
#endif /* ARSENAL_CORO_IMPLEMENTATION */

/*
------------------------------------------------------------------------------
This software is available under 2 licenses -- choose whichever you prefer.
------------------------------------------------------------------------------
ALTERNATIVE A - MIT License
Copyright (c) 2026 Arsenal contributors
Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:
The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
------------------------------------------------------------------------------
ALTERNATIVE B - Public Domain (www.unlicense.org)
This is free and unencumbered software released into the public domain.
Anyone is free to copy, modify, publish, use, compile, sell, or distribute this
software, either in source code form or as a compiled binary, for any purpose,
commercial or non-commercial, and by any means.
------------------------------------------------------------------------------
*/
