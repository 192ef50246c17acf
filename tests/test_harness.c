/* test_harness.c - tests for the test harness (tests/ars_test.h) itself and,
   on the firmware leg, for the board support in firmware/.
   ars-test-libs:
   ars-test-legs: native asan tsan valgrind musl cross wine firmware
*/
/* The harness must work under NDEBUG: build this whole file that way. */
#ifndef NDEBUG
#define NDEBUG
#endif
#include "ars_test.h"

#ifdef ARS_TEST_FREESTANDING
#include "board.h"
#else
#include <assert.h>
#include <string.h>
#endif

static int calls;
static long long bump(long long v) { calls++; return v; }

/* A failing check that is part of the test: run it, then take the failure
   back out of the books so the test itself still passes. */
#define EXPECT_FAILS(check)                                                  \
    do {                                                                     \
        int saved_ = ars_test__cur_failed, r_;                               \
        ars_test_puts("  (the next FAIL line is deliberate)\n");             \
        r_ = (check);                                                        \
        EXPECT(r_ == 0);                                                     \
        EXPECT(ars_test__cur_failed == saved_ + 1);                          \
        ars_test__cur_failed = saved_;                                       \
    } while (0)

static void test_expect_evaluates_once(void) {
    calls = 0; EXPECT(bump(1));         EXPECT_EQ(calls, 1);
    calls = 0; EXPECT(!bump(0));        EXPECT_EQ(calls, 1);
    calls = 0; EXPECT_EQ(bump(7), 7);   EXPECT_EQ(calls, 1);
    calls = 0; EXPECT_EQ(3, bump(3));   EXPECT_EQ(calls, 1);
    calls = 0; ASSERT(bump(1));         EXPECT_EQ(calls, 1);
    calls = 0; ASSERT_EQ(bump(2), 2);   EXPECT_EQ(calls, 1);
    calls = 0; EXPECT_FAILS(EXPECT(bump(0))); EXPECT_EQ(calls, 1);
#ifndef ARS_TEST_FREESTANDING
    /* assert() really is compiled out here, so the checks above prove that
       EXPECT/ASSERT do not depend on it. */
    calls = 0; assert(bump(1));         EXPECT_EQ(calls, 0);
#endif
}

static int assert_helper_reached_end;
static void assert_helper(void) {
    ASSERT(bump(0));
    assert_helper_reached_end = 1;
}

static void test_assert_returns(void) {
    int saved = ars_test__cur_failed;
    calls = 0; assert_helper_reached_end = 0;
    ars_test_puts("  (the next FAIL line is deliberate)\n");
    assert_helper();
    EXPECT_EQ(ars_test__cur_failed, saved + 1);
    ars_test__cur_failed = saved;
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(assert_helper_reached_end, 0);
}

static void test_expect_eq_64bit(void) {
    volatile long long big = 0x100000005LL, minus_one = -1;
    volatile unsigned long long u = 0xFFFFFFFFFFFFFFF0ULL;
    EXPECT_EQ(big, 0x100000005LL);
    EXPECT_EQ(big + big, 0x20000000ALL);
    EXPECT_EQ(u, 0xFFFFFFFFFFFFFFF0ULL);
    EXPECT_EQ(-9223372036854775807LL - 1, (long long)(-9223372036854775807LL - 1));
    /* values that agree in their low 32 bits must still differ */
    EXPECT_FAILS(EXPECT_EQ(big, 5));
    EXPECT_FAILS(EXPECT_EQ(minus_one, 0xFFFFFFFFLL));
    EXPECT_FAILS(EXPECT_EQ(1LL << 32, 0));
}

static void test_int64_divmod(void) {
    volatile unsigned long long a = 0x123456789ABCDEF0ULL, b = 1000003;
    volatile long long s = -0x0FEDCBA987654321LL, d = 12347;
    EXPECT_EQ(a / b, 1311764532170LL);
    EXPECT_EQ(a % b, 193810);
    EXPECT_EQ(s / d, -92961643235669LL);
    EXPECT_EQ(s % d, -11402);
    EXPECT_EQ((a / b) * b + a % b, 0x123456789ABCDEF0LL);
    EXPECT_EQ(a >> 36, 0x1234567);
    EXPECT_EQ(s * 3, -0x2FC962FC962FC963LL);
}

static void test_float_math(void) {
    volatile float f = 1.5f, g = 0.25f;
    volatile double x = 7.0, y = 1e12;
    volatile long long n = 123456789012LL;
    double h;
    EXPECT(f * f + g == 2.5f);
    EXPECT(f / g == 6.0f);
    EXPECT(x / 2.0 == 3.5);
    EXPECT_EQ((long long)(x / 2.0 * y), 3500000000000LL);
    EXPECT(x > f && (float)x == 7.0f);
    EXPECT((double)n == 123456789012.0);
    EXPECT_EQ((long long)((double)n * 0.5), 61728394506LL);
    EXPECT_EQ((int)(f * 10.0f), 15);
    EXPECT_EQ((unsigned long long)(y * 4.0), 4000000000000ULL);
    h = 1.0 / 3.0;
    EXPECT(h * 3.0 > 0.999999 && h * 3.0 < 1.000001);
    EXPECT_EQ((long long)(-x * 1.5), -10);
}

/* .data is copied and .bss cleared by the reset code on the boards. */
static int initialised = 12345;
static unsigned char big[256 * 1024];

static void test_memory(void) {
    unsigned i, bad = 0;
    unsigned char buf[64];
    EXPECT_EQ(initialised, 12345);
    for (i = 0; i < sizeof big; i++) bad += big[i] != 0;
    EXPECT_EQ(bad, 0);
    memset(big, 0xA5, sizeof big);
    memcpy(big + 1, "abcdef", 6);
    EXPECT_EQ(big[0], 0xA5);
    EXPECT(memcmp(big + 1, "abcdef", 6) == 0);
    EXPECT(memcmp(big + 1, "abcdeg", 6) < 0);
    EXPECT(memcmp(big + 1, "abcdee", 6) > 0);
    EXPECT_EQ(big[sizeof big - 1], 0xA5);
    memset(big, 0, sizeof big);
    for (i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)i;
    memmove(buf + 3, buf, 40);              /* overlapping, forwards */
    EXPECT_EQ(buf[3], 0); EXPECT_EQ(buf[42], 39); EXPECT_EQ(buf[2], 2); EXPECT_EQ(buf[43], 43);
    for (i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)i;
    memmove(buf, buf + 5, 50);              /* overlapping, backwards */
    EXPECT_EQ(buf[0], 5); EXPECT_EQ(buf[49], 54); EXPECT_EQ(buf[50], 50);
    EXPECT_EQ(strlen("harness"), 7);
}

/* Deep enough to need most of the boards' 16 KiB main stack. */
static long long stack_user(int depth) {
    volatile unsigned char frame[1024];
    unsigned i;
    long long sum = 0;
    for (i = 0; i < sizeof frame; i++) frame[i] = (unsigned char)(i + (unsigned)depth);
    if (depth > 0) sum = stack_user(depth - 1);
    for (i = 0; i < sizeof frame; i++) sum += frame[i];
    return sum;
}

static void test_stack(void) {
    /* each 1 KiB frame holds (i + depth) & 0xff: four runs of 0..255 */
    EXPECT_EQ(stack_user(10), 11LL * 4 * (255 * 256 / 2));
}

#ifdef ARS_TEST_FREESTANDING
static void test_board(void) {
    uint32_t t0 = board_millis(), t1 = t0;
    unsigned long spins = 0;
    unsigned char *heap = (unsigned char *)board_heap_start();
    size_t heap_size = board_heap_size();
    ars_test_puts("  board "); ars_test_puts(board_name()); ars_test_putc('\n');
    EXPECT(board_name()[0] != 0);
    /* the clock advances: wait for 3 ms, but never forever */
    while (t1 - t0 < 3 && spins < 100000000ul) { t1 = board_millis(); spins++; }
    EXPECT(t1 - t0 >= 3);
    EXPECT(t1 - t0 < 1000);
    EXPECT(board_millis() >= t1);
    EXPECT(heap_size >= 1024u * 1024u);
    heap[0] = 1; heap[heap_size - 1] = 2;
    EXPECT_EQ(heap[0] + heap[heap_size - 1], 3);
}
#endif

int main(void) {
    ARS_RUN(test_expect_evaluates_once);
    ARS_RUN(test_assert_returns);
    ARS_RUN(test_expect_eq_64bit);
    ARS_RUN(test_int64_divmod);
    ARS_RUN(test_float_math);
    ARS_RUN(test_memory);
    ARS_RUN(test_stack);
#ifdef ARS_TEST_FREESTANDING
    ARS_RUN(test_board);
#endif
    return ars_test_report();
}
