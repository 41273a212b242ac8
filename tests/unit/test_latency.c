/* test_latency.c: unit tests of the feed-to-pixel latency histogram: what is sampled, when,
 * and that its quantiles are within one bin (1.6 %) of the exact ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "latency.h"

static json_t *msg_sent(int64_t sent_us)
{
    return json_pack("{s:s, s:I}", "key", "k1", "sent_us", (json_int_t)sent_us);
}

static void test_only_messages_with_sent_us_are_sampled(void **state)
{
    (void)state;
    latency *l = calloc(1, sizeof *l);
    json_t *with = msg_sent(1000000), *without = json_pack("{s:i}", "value", 3),
           *wrong = json_pack("{s:s}", "sent_us", "soon");
    latency_dispatched(l, with);
    latency_dispatched(l, without);
    latency_dispatched(l, wrong);
    assert_int_equal(l->samples, 0); /* nothing until a frame is presented */
    latency_presented(l, 1000000 + 12345);
    assert_int_equal(l->samples, 1);
    assert_int_equal(l->max_us, 12345);
    latency_presented(l, 9000000); /* a frame with no new message samples nothing */
    assert_int_equal(l->samples, 1);
    json_decref(with);
    json_decref(without);
    json_decref(wrong);
    free(l);
}

static void test_quantiles_within_a_bin(void **state)
{
    (void)state;
    latency *l = calloc(1, sizeof *l);
    /* 1000 messages at 1..1000 ms: p50 is 500 ms, p99 990 ms, max 1000 ms. */
    for (int i = 1; i <= 1000; i++) {
        json_t *m = msg_sent(0);
        latency_dispatched(l, m);
        json_decref(m);
        latency_presented(l, (int64_t)i * 1000);
    }
    assert_int_equal(l->samples, 1000);
    uint64_t p50 = latency_quantile_us(l, 0.50), p99 = latency_quantile_us(l, 0.99);
    assert_in_range(p50, 500000, 500000 + 500000 / 64 + 1);
    assert_in_range(p99, 990000, 990000 + 990000 / 64 + 1);
    assert_int_equal(latency_quantile_us(l, 1.0), 1000000);
    /* Below 128 us the bins are exact. */
    latency *s = calloc(1, sizeof *s);
    json_t *m = msg_sent(100);
    latency_dispatched(s, m);
    json_decref(m);
    latency_presented(s, 137);
    assert_int_equal(latency_quantile_us(s, 0.5), 37);
    free(s);
    free(l);
}

static void test_clock_skew_and_overflow(void **state)
{
    (void)state;
    latency *l = calloc(1, sizeof *l);
    json_t *ahead = msg_sent(5000000);
    latency_dispatched(l, ahead); /* the sender's clock is ahead of ours */
    latency_presented(l, 1000000);
    assert_int_equal(l->samples, 1);
    assert_int_equal(l->max_us, 0);
    for (int i = 0; i < LATENCY_PENDING_MAX + 10; i++) latency_dispatched(l, ahead);
    assert_int_equal(l->overflow, 10);
    latency_presented(l, 5000000 + 2000);
    assert_int_equal(l->samples, 1 + LATENCY_PENDING_MAX);
    json_t *report = latency_json(l);
    assert_int_equal(json_integer_value(json_object_get(report, "not_sampled")), 10);
    assert_true(json_real_value(json_object_get(report, "max_ms")) == 2.0);
    json_decref(report);
    json_decref(ahead);
    free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_only_messages_with_sent_us_are_sampled),
        cmocka_unit_test(test_quantiles_within_a_bin),
        cmocka_unit_test(test_clock_skew_and_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
