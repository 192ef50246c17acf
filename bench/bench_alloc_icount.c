/* bench_alloc_icount.c - the exact number of instructions each single
   allocation and free takes, for arsenal_alloc.h's heap and glibc's malloc,
   in the random pattern of bench_alloc.c (1000 live objects of 16..512
   bytes; each step frees a random one and allocates a new random size).
   Timed single-call latencies on a shared VM mix the allocator's own work
   with cache misses, interrupts and the timer's overhead; instruction
   counts per call are exact and repeatable, so their distribution shows
   whether the worst case is bounded, as the median.

   How: the program forks; the child runs the pattern and stops (int3)
   before each measured call; the parent (ptrace) single-steps it until it
   reaches the end marker, counting steps, and subtracts the steps of an
   empty bracket (the calls through a non-inlined wrapper, as in
   bench_alloc.c, are in the counts). Linux on x86_64 only (ptrace, the rip
   register). Slow: every instruction counted is a trap (here ~40 s for the
   default 2000 steps).

       cc -O2 -I. -o bench_alloc_icount bench/bench_alloc_icount.c
       ./bench_alloc_icount [steps]       (default 2000 measured steps)
*/
#define _GNU_SOURCE
#define ARSENAL_ALLOC_IMPLEMENTATION
#ifndef NDEBUG
#define NDEBUG
#endif
#include "arsenal_alloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__linux__) && defined(__x86_64__)
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#define LIVE 1000
#define WARM 100000    /* unmeasured steps first, as bench_alloc.c's cg_run */
#define NOINLINE __attribute__((noinline))

static void *slots[LIVE];
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void) {
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (uint32_t)(rng >> 32);
}
static unsigned rsize(void) { return 16 + rnd() % 497; }

static ars_heap heap;
static unsigned char heap_mem[32 << 20];

/* the measured calls, each between the two markers */
NOINLINE static void mark_begin(void) { __asm__ volatile("int3"); }
NOINLINE static void mark_end(void) { __asm__ volatile(""); }
typedef struct { void *(*alloc)(size_t); void (*free)(void *); const char *name; } impl;
NOINLINE static void *h_alloc(size_t n) { return ars_heap_alloc(&heap, n); }
NOINLINE static void h_free(void *p) { ars_heap_free(&heap, p); }
NOINLINE static void *g_alloc(size_t n) { return malloc(n); }
NOINLINE static void g_free(void *p) { free(p); }
static const impl impls[] = { { h_alloc, h_free, "arsenal heap" }, { g_alloc, g_free, "glibc malloc" } };
#define NIMPL (sizeof impls / sizeof impls[0])

/* the child: for each implementation, an empty bracket, then `steps` pairs
   (free measured, then alloc measured) */
static void child(long steps) {
    size_t i;
    long s;
    volatile int sink = 0;
    ptrace(PTRACE_TRACEME, 0, NULL, NULL);
    raise(SIGSTOP);
    if (ars_heap_init(&heap, heap_mem, sizeof heap_mem) != 0) _exit(3);
    for (i = 0; i < NIMPL; i++) {
        const impl *m = &impls[i];
        size_t k;
        for (k = 0; k < LIVE; k++) slots[k] = m->alloc(rsize());
        for (s = 0; s < WARM; s++) { k = rnd() % LIVE; m->free(slots[k]); slots[k] = m->alloc(rsize()); }
        mark_begin(); sink++; mark_end();    /* the bracket alone */
        for (s = 0; s < steps; s++) {
            void *p;
            unsigned n;
            k = rnd() % LIVE;
            n = rsize();
            p = slots[k];
            mark_begin(); m->free(p); mark_end();
            mark_begin(); p = m->alloc(n); mark_end();
            if (!p) _exit(4);
            slots[k] = p;
        }
        for (k = 0; k < LIVE; k++) m->free(slots[k]);
    }
    _exit(0);
}

static int cmp_u(const void *a, const void *b) {
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return (x > y) - (x < y);
}

/* steps from the stop at int3 to mark_end; -1 when the child exited */
static long count(pid_t pid) {
    struct user_regs_struct r;
    long n = 0;
    int st;
    if (ptrace(PTRACE_CONT, pid, NULL, NULL) != 0) return -1;
    if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st)) return -1;
    if (WSTOPSIG(st) != SIGTRAP) { fprintf(stderr, "unexpected signal %d\n", WSTOPSIG(st)); return -1; }
    for (;;) {
        if (ptrace(PTRACE_GETREGS, pid, NULL, &r) != 0) return -1;
        if (r.rip == (unsigned long long)(uintptr_t)mark_end) return n;
        if (ptrace(PTRACE_SINGLESTEP, pid, NULL, NULL) != 0) return -1;
        if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st)) return -1;
        n++;
    }
}

static void report(const char *name, const char *what, unsigned *v, long n, long base) {
    long i;
    double sum = 0;
    for (i = 0; i < n; i++) { v[i] -= (unsigned)base; sum += v[i]; }
    qsort(v, (size_t)n, sizeof v[0], cmp_u);
    printf("  %-13s %-5s %7.1f %6u %6u %6u %6u %6u   %5.2f\n", name, what, sum / (double)n, v[n / 2],
           v[n * 9 / 10], v[n * 99 / 100], v[n * 999 / 1000], v[n - 1], (double)v[n - 1] / v[n / 2]);
}

int main(int argc, char **argv) {
    long steps = argc > 1 ? atol(argv[1]) : 2000, s;
    unsigned *fr, *al;
    size_t i;
    int st;
    pid_t pid;
    if (steps < 1000 || steps > 10000000) { fprintf(stderr, "usage: %s [steps: 1000..10000000]\n", argv[0]); return 2; }
    fr = (unsigned *)malloc((size_t)steps * sizeof *fr);
    al = (unsigned *)malloc((size_t)steps * sizeof *al);
    if (!fr || !al) return 1;
    pid = fork();
    if (pid < 0) { perror("fork"); return 1; }
    if (pid == 0) child(steps);
    if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st)) { fprintf(stderr, "child did not stop\n"); return 1; }
    printf("instructions per call, random pattern (16..512 B, %d live), %ld calls each; exact (ptrace single-step)\n",
           LIVE, steps);
    printf("  %-13s %-5s %7s %6s %6s %6s %6s %6s   %s\n", "", "call", "mean", "p50", "p90", "p99", "p99.9", "max",
           "max/p50");
    for (i = 0; i < NIMPL; i++) {
        long base = count(pid), c;
        if (base < 0) { fprintf(stderr, "ptrace failed\n"); return 1; }
        for (s = 0; s < steps; s++) {
            if ((c = count(pid)) < 0) { fprintf(stderr, "ptrace failed\n"); return 1; }
            fr[s] = (unsigned)c;
            if ((c = count(pid)) < 0) { fprintf(stderr, "ptrace failed\n"); return 1; }
            al[s] = (unsigned)c;
        }
        report(impls[i].name, "alloc", al, steps, base);
        report(impls[i].name, "free", fr, steps, base);
    }
    ptrace(PTRACE_CONT, pid, NULL, NULL);
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) { fprintf(stderr, "child failed (%d)\n", st); return 1; }
    return 0;
}
#else
int main(void) {
    printf("bench_alloc_icount: needs Linux on x86_64 (ptrace single-step); skipped\n");
    return 0;
}
#endif
