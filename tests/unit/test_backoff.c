/* test_backoff.c: unit tests of the reconnect schedule (a pure function, no network).
 * It must never depend on timing or randomness: every rand01 is given explicitly. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "backoff.h"

/* The largest rand01 below 1.0, to probe the open end of the jitter interval. */
#define ALMOST_ONE 0.99999999999999989

static unsigned undelayed(unsigned attempt)
{
    unsigned d = BACKOFF_BASE_MS;
    for (unsigned i = 0; i < attempt && d < BACKOFF_CAP_MS; i++)
        d *= 2;
    return d < BACKOFF_CAP_MS ? d : BACKOFF_CAP_MS;
}

static void test_grows_exponentially(void **state)
{
    (void)state;
    /* rand01 = 0 gives exactly d/2: the lower bound doubles each attempt until the cap. */
    assert_int_equal(backoff_delay_ms(0, 250, 4000, 0.0), 125);
    assert_int_equal(backoff_delay_ms(1, 250, 4000, 0.0), 250);
    assert_int_equal(backoff_delay_ms(2, 250, 4000, 0.0), 500);
    assert_int_equal(backoff_delay_ms(3, 250, 4000, 0.0), 1000);
    assert_int_equal(backoff_delay_ms(4, 250, 4000, 0.0), 2000);
    /* Any fixed jitter doubles too, give or take the integer rounding of each half. */
    for (unsigned a = 0; a + 1 < 4; a++) {
        unsigned now = backoff_delay_ms(a, 250, 4000, 0.5);
        unsigned next = backoff_delay_ms(a + 1, 250, 4000, 0.5);
        assert_in_range(next, 2 * now - 1, 2 * now + 1);
    }
}

static void test_capped(void **state)
{
    (void)state;
    for (unsigned a = 4; a < 64; a++) {
        assert_true(backoff_delay_ms(a, 250, 4000, ALMOST_ONE) < 4000);
        assert_int_equal(backoff_delay_ms(a, 250, 4000, 0.0), 2000);
    }
    /* A base above the cap is cut to the cap. */
    assert_true(backoff_delay_ms(0, 10000, 4000, ALMOST_ONE) < 4000);
}

static void test_jitter_bounds(void **state)
{
    (void)state;
    for (unsigned a = 0; a < 12; a++) {
        unsigned d = undelayed(a);
        for (int step = 0; step <= 1000; step++) {
            double r = step == 1000 ? ALMOST_ONE : step / 1000.0;
            unsigned v = backoff_delay_ms(a, BACKOFF_BASE_MS, BACKOFF_CAP_MS, r);
            assert_true(v >= d / 2);
            assert_true(v < d);
        }
    }
}

static void test_out_of_range_rand_is_clamped(void **state)
{
    (void)state;
    assert_int_equal(backoff_delay_ms(0, 250, 4000, -3.0), 125);
    assert_true(backoff_delay_ms(0, 250, 4000, 1.0) < 250);
    assert_true(backoff_delay_ms(0, 250, 4000, 7.0) < 250);
    assert_int_equal(backoff_delay_ms(0, 250, 4000, (double)NAN), 125);
}

static void test_never_zero(void **state)
{
    (void)state;
    for (unsigned a = 0; a < 40; a++) {
        assert_true(backoff_delay_ms(a, 250, 4000, 0.0) > 0);
        assert_true(backoff_delay_ms(a, 1, 1, 0.0) > 0);
        assert_true(backoff_delay_ms(a, 1, 4000, 0.0) > 0);
        assert_true(backoff_delay_ms(a, 0, 0, 0.0) > 0);
    }
}

static void test_no_overflow_on_long_outage(void **state)
{
    (void)state;
    unsigned caps[] = {4000, 60000, 0x7fffffffu, 0xffffffffu};
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        for (unsigned a = 990; a <= 1000; a++) {
            unsigned lo = backoff_delay_ms(a, 250, caps[i], 0.0);
            unsigned hi = backoff_delay_ms(a, 250, caps[i], ALMOST_ONE);
            assert_int_equal(lo, caps[i] / 2);
            assert_true(hi >= lo);
            assert_true(hi < caps[i]);
        }
    }
    assert_int_equal(backoff_delay_ms(1000, 250, 4000, 0.0), 2000);
    assert_int_equal(backoff_delay_ms(0xffffffffu, 250, 4000, 0.0), 2000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grows_exponentially),
        cmocka_unit_test(test_capped),
        cmocka_unit_test(test_jitter_bounds),
        cmocka_unit_test(test_out_of_range_rand_is_clamped),
        cmocka_unit_test(test_never_zero),
        cmocka_unit_test(test_no_overflow_on_long_outage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
