/* ars_test.h - Arsenal's tiny test harness (hosted and bare metal).

   Assertions always evaluate their arguments, also under -DNDEBUG.
   A test program looks like this:

       #include "ars_test.h"
       static void test_add(void) { EXPECT(1 + 1 == 2); EXPECT_EQ(3, 1 + 2); }
       int main(void) {
           ARS_RUN(test_add);
           return ars_test_report();   // prints "N passed, N failed"
       }

   Output: hosted builds write to stdout. Bare-metal builds (define
   ARS_TEST_FREESTANDING) call `void ars_test_putc(char c)`, which the board
   support in firmware/ provides (UART).
*/
#ifndef ARS_TEST_H
#define ARS_TEST_H

#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define ARS_TEST__UNUSED __attribute__((unused))
#else
#define ARS_TEST__UNUSED
#endif

/* Which sanitizer the program runs under (tests scale or skip by it). */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) && !defined(UNDER_TSAN)
#define UNDER_TSAN 1
#endif
/* gcc's TSan counts each coroutine's fiber against its limit of 8128
   threads, and each one costs it ~6 ms (6000 took 36 s in test_chan alone):
   tests that keep thousands of coroutines alive keep 1500 there, enough to
   share every path with the other threads' work; the 100,000 run elsewhere */
#if defined(UNDER_TSAN) && !defined(__clang__)
#define ARS_TEST_FIBER_CAP 1500
#endif
/* 32-bit Windows fibers: wine reserves at least 1 MiB for each fiber's
   stack, so the 2 GiB of a 32-bit process hold ~1900 of them (measured) */
#if defined(_WIN32) && !defined(_WIN64) && defined(ARSENAL_CORO_USE_FIBERS) && !defined(ARS_TEST_FIBER_CAP)
#define ARS_TEST_FIBER_CAP 1500
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(UNDER_ASAN)
#define UNDER_ASAN 1
#endif

#ifdef ARS_TEST_FREESTANDING
void ars_test_putc(char c);
#else
#include <stdio.h>
#include <stdlib.h>
ARS_TEST__UNUSED static void ars_test_putc(char c) { fputc(c, stdout); if (c == '\n') fflush(stdout); }
#endif

static int ars_test__passed, ars_test__failed, ars_test__cur_failed;
static const char *ars_test__cur_name = "";

ARS_TEST__UNUSED static void ars_test_puts(const char *s) { while (*s) ars_test_putc(*s++); }

ARS_TEST__UNUSED static void ars_test_putl(long long v) {
    char buf[24]; int i = 0; unsigned long long u;
    if (v < 0) { ars_test_putc('-'); u = 0ULL - (unsigned long long)v; } else u = (unsigned long long)v;
    do { buf[i++] = (char)('0' + (int)(u % 10u)); u /= 10u; } while (u);
    while (i) ars_test_putc(buf[--i]);
}

ARS_TEST__UNUSED static int ars_test__check(int ok, const char *expr, const char *file, int line) {
    if (!ok) {
        ars_test__cur_failed++;
        ars_test_puts("  FAIL "); ars_test_puts(ars_test__cur_name); ars_test_puts(": ");
        ars_test_puts(file); ars_test_putc(':'); ars_test_putl(line);
        ars_test_puts(": "); ars_test_puts(expr); ars_test_putc('\n');
    }
    return ok;
}

ARS_TEST__UNUSED static int ars_test__check_eq(long long a, long long b, const char *ea, const char *eb,
                              const char *file, int line) {
    if (a != b) {
        ars_test__cur_failed++;
        ars_test_puts("  FAIL "); ars_test_puts(ars_test__cur_name); ars_test_puts(": ");
        ars_test_puts(file); ars_test_putc(':'); ars_test_putl(line); ars_test_puts(": ");
        ars_test_puts(ea); ars_test_puts(" == "); ars_test_puts(eb); ars_test_puts(" (");
        ars_test_putl(a); ars_test_puts(" vs "); ars_test_putl(b); ars_test_puts(")\n");
        return 0;
    }
    return 1;
}

/* EXPECT records a failure and continues; ASSERT also returns from the test. */
#define EXPECT(c)        ars_test__check(!!(c), #c, __FILE__, __LINE__)
#define EXPECT_EQ(a, b)  ars_test__check_eq((long long)(a), (long long)(b), #a, #b, __FILE__, __LINE__)
#define ASSERT(c)        do { if (!EXPECT(c)) return; } while (0)
#define ASSERT_EQ(a, b)  do { if (!EXPECT_EQ(a, b)) return; } while (0)

ARS_TEST__UNUSED static void ars_test_run(const char *name, void (*fn)(void)) {
    ars_test__cur_name = name;
    ars_test__cur_failed = 0;
    fn();
    if (ars_test__cur_failed) { ars_test__failed++; ars_test_puts("not ok "); }
    else { ars_test__passed++; ars_test_puts("ok "); }
    ars_test_puts(name); ars_test_putc('\n');
}
#define ARS_RUN(fn) ars_test_run(#fn, fn)

/* Prints the closing line and returns the exit status (0 = all passed). */
ARS_TEST__UNUSED static int ars_test_report(void) {
    ars_test_putl(ars_test__passed); ars_test_puts(" passed, ");
    ars_test_putl(ars_test__failed); ars_test_puts(" failed\n");
    return ars_test__failed ? 1 : (ars_test__passed ? 0 : 1);
}

#endif /* ARS_TEST_H */
