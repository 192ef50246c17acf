/* bench_coro_fiber.cpp - the reference figures behind bench_coro.c's fcontext
   column: Boost.Context's C++ layer, boost::context::fiber, over the same
   jump_fcontext, with Boost's own stack allocators
   ars-build-libs: -lboost_context

   Build and run (`make bench` builds it as build/bench/bench_coro_fiber):
       c++ -std=c++17 -O2 -g -o build/bench/bench_coro_fiber \
           bench/bench_coro_fiber.cpp -lboost_context
       build/bench/bench_coro_fiber
   Instruction counts: run each mode with N and with 0 under callgrind and
   take (Ir(N) - Ir(0)) / N (bench/bench_coro_callgrind.sh does it):
       bench_coro_fiber --callgrind-roundtrip fiber [N]
       bench_coro_fiber --callgrind-create pooled|fixed|protected [N]

   round trip  fiber::resume there and back (a value passed through a variable:
               fibers carry no value)
   create      a fiber on a 256 KiB stack from pooled_fixedsize_stack (recycled
               through boost::pool, no guard page), fixedsize_stack (malloc and
               free, no guard page; boost's default) or protected_fixedsize_stack
               (mmap + guard page each time), resumed once, its function
               returning; the stack goes back to the allocator
*/
#include <boost/context/fiber.hpp>
#include <boost/context/fixedsize_stack.hpp>
#include <boost/context/pooled_fixedsize_stack.hpp>
#include <boost/context/protected_fixedsize_stack.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <vector>

namespace ctx = boost::context;

static const std::size_t kStack = 256 * 1024;
static void *volatile g_value;

static long long cpu_ns() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct pingpong {
    ctx::fiber f;
    pingpong()
        : f(std::allocator_arg, ctx::protected_fixedsize_stack(kStack), [](ctx::fiber &&sink) {
              for (;;) {
                  g_value = (void *)((std::uintptr_t)g_value + 1);
                  sink = std::move(sink).resume();
              }
              return std::move(sink);
          }) {}
    __attribute__((noinline)) void run(long n) {
        for (long i = 0; i < n; i++) {
            g_value = (void *)i;
            f = std::move(f).resume();
        }
    }
};

/* clears the sticky MXCSR status flags, so both sides of a switch hold the
   same value (see bench_coro.c: a flag mismatch makes every switch slow) */
static void mxcsr_clear_flags() {
    unsigned m;
    __asm__ volatile("stmxcsr %0" : "=m"(m));
    m &= ~0x3Fu;
    __asm__ volatile("ldmxcsr %0" : : "m"(m));
}

template <class Alloc> __attribute__((noinline)) static void create_run(Alloc &a, long n) {
    for (long i = 0; i < n; i++) {
        ctx::fiber f(std::allocator_arg, a, [](ctx::fiber &&sink) {
            g_value = (void *)1;
            return std::move(sink);
        });
        f = std::move(f).resume();   // runs to completion; the stack is freed
    }
}

static double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

int main(int argc, char **argv) {
    ctx::pooled_fixedsize_stack pooled(kStack);
    ctx::protected_fixedsize_stack prot(kStack);
    ctx::fixedsize_stack fixd(kStack);
    mxcsr_clear_flags();
    if (argc > 2 && std::strncmp(argv[1], "--callgrind-", 12) == 0) {
        long n = argc > 3 ? std::atol(argv[3]) : 1000000;
        if (!std::strcmp(argv[1], "--callgrind-roundtrip") && !std::strcmp(argv[2], "fiber")) {
            pingpong p;
            p.run(1);
            p.run(n);
        } else if (!std::strcmp(argv[1], "--callgrind-create") && !std::strcmp(argv[2], "pooled")) {
            create_run(pooled, 1);
            create_run(pooled, n);
        } else if (!std::strcmp(argv[1], "--callgrind-create") && !std::strcmp(argv[2], "fixed")) {
            create_run(fixd, 1);
            create_run(fixd, n);
        } else if (!std::strcmp(argv[1], "--callgrind-create") && !std::strcmp(argv[2], "protected")) {
            create_run(prot, 1);
            create_run(prot, n);
        } else {
            std::fprintf(stderr, "usage: bench_coro_fiber --callgrind-roundtrip fiber [N] | "
                                 "--callgrind-create pooled|fixed|protected [N]\n");
            return 2;
        }
        return 0;
    }
    const int reps = 31;
    std::vector<double> rt, cp, cf, cg;
    pingpong p;
    p.run(1000);
    create_run(pooled, 1000);
    create_run(fixd, 1000);
    create_run(prot, 100);
    for (int r = 0; r < reps; r++) {   // interleaved
        mxcsr_clear_flags();            // the divisions below set PE
        long long t0 = cpu_ns();
        p.run(200000);
        long long t1 = cpu_ns();
        create_run(pooled, 100000);
        long long t2 = cpu_ns();
        create_run(fixd, 100000);
        long long t3 = cpu_ns();
        create_run(prot, 2000);
        long long t4 = cpu_ns();
        rt.push_back((t1 - t0) / 200000.0);
        cp.push_back((t2 - t1) / 100000.0);
        cf.push_back((t3 - t2) / 100000.0);
        cg.push_back((t4 - t3) / 2000.0);
    }
    std::printf("bench_coro_fiber: boost::context::fiber, thread CPU time, medians of %d interleaved repetitions\n", reps);
    std::printf("  %-34s %9.2f ns\n", "round trip (resume there and back)", median(rt));
    std::printf("  %-34s %9.2f ns\n", "create+run+destroy, pooled stack", median(cp));
    std::printf("  %-34s %9.2f ns\n", "create+run+destroy, malloc stack", median(cf));
    std::printf("  %-34s %9.2f ns\n", "create+run+destroy, protected", median(cg));
    return 0;
}
