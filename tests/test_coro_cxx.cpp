/* test_coro_cxx.cpp - arsenal_coro.h compiled as C++: exceptions thrown and
   caught inside coroutines, interleaved with switches (on Windows x64 this
   needs the TIB stack bounds and exception list swapped with the context).
   ars-test-legs: native asan valgrind wine
*/
#define ARSENAL_CORO_IMPLEMENTATION
#include "../arsenal_coro.h"
#include "ars_test.h"
#include <stdexcept>
#include <string>

static void *thrower(void *arg) {
    long n = (long)(intptr_t)arg, caught = 0;
    for (long i = 0; i < n; i++) {
        try {
            ars_coro_yield((void *)(intptr_t)i, NULL);
            if (i % 2 == 0) throw std::runtime_error("even " + std::to_string(i));
            throw (int)i;
        } catch (const std::runtime_error &e) {
            if (std::string(e.what()) == "even " + std::to_string(i)) caught++;
        } catch (int v) {
            if (v == i) caught++;
        }
    }
    return (void *)(intptr_t)caught;
}

static void test_exceptions_in_coroutines() {
    ars_coro *a, *b;
    ASSERT_EQ(ars_coro_create(&a, thrower, (void *)(intptr_t)50, NULL), 0);
    ASSERT_EQ(ars_coro_create(&b, thrower, (void *)(intptr_t)50, NULL), 0);
    void *ra = NULL, *rb = NULL;
    while (ars_coro_status(a) != ARS_CORO_DEAD || ars_coro_status(b) != ARS_CORO_DEAD) {
        if (ars_coro_status(a) != ARS_CORO_DEAD) ars_coro_resume(a, NULL, &ra);
        if (ars_coro_status(b) != ARS_CORO_DEAD) ars_coro_resume(b, NULL, &rb);
    }
    EXPECT_EQ((intptr_t)ra, 50);
    EXPECT_EQ((intptr_t)rb, 50);
    ars_coro_destroy(a);
    ars_coro_destroy(b);
}

static void test_exception_on_main_after_switches() {
    int caught = 0;
    ars_coro *a;
    ASSERT_EQ(ars_coro_create(&a, thrower, (void *)(intptr_t)3, NULL), 0);
    ars_coro_resume(a, NULL, NULL);
    try { throw std::logic_error("main"); } catch (const std::logic_error &) { caught = 1; }
    while (ars_coro_status(a) != ARS_CORO_DEAD) ars_coro_resume(a, NULL, NULL);
    ars_coro_destroy(a);
    EXPECT_EQ(caught, 1);
}

static void sched_thrower(void *arg) {
    int *ok = (int *)arg;
    try {
        ars_sleep_until(ars_now() + 1);
        throw std::runtime_error("after sleep");
    } catch (const std::exception &) {
        (*ok)++;
    }
}

static void test_exceptions_in_scheduler() {
    int ok = 0;
    for (int i = 0; i < 8; i++) ars_go(sched_thrower, &ok);
    ars_sched_run();
    EXPECT_EQ(ok, 8);
}

int main() {
    ARS_RUN(test_exceptions_in_coroutines);
    ARS_RUN(test_exception_on_main_after_switches);
    ARS_RUN(test_exceptions_in_scheduler);
    return ars_test_report();
}
