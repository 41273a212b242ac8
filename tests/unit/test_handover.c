/* test_handover.c: unit tests of the bounded network-to-main-thread hand-over.
 * It must never rely on timing for correctness: the threaded test checks invariants only. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "handover.h"

#define THREADED_SENT 100000
#define THREADED_CAPACITY 64

/* Live jansson allocations, to prove every message is released whoever drops it. */
static atomic_long live_json_allocations;

static void *counting_malloc(size_t size)
{
    void *p = malloc(size);
    if (p)
        atomic_fetch_add(&live_json_allocations, 1);
    return p;
}

static void counting_free(void *p)
{
    if (p)
        atomic_fetch_sub(&live_json_allocations, 1);
    free(p);
}

static int count_json_allocations(void **state)
{
    (void)state;
    json_set_alloc_funcs(counting_malloc, counting_free);
    return 0;
}

/* No cmocka asserts here: it is also called on the producer thread. */
static json_t *make_message(long long seq)
{
    return json_pack("{s:I, s:s}", "seq", (json_int_t)seq, "kind", "test");
}

static json_t *message(long long seq)
{
    json_t *m = make_message(seq);
    assert_non_null(m);
    return m;
}

static long long seq_in(json_t *m)
{
    return (long long)json_integer_value(json_object_get(m, "seq"));
}

static long long seq_of(json_t *m)
{
    assert_true(json_is_object(m));
    return seq_in(m);
}

static void test_zero_capacity_is_refused(void **state)
{
    (void)state;
    assert_null(handover_create(0, SIZE_MAX));
}

static void test_fifo_order(void **state)
{
    (void)state;
    long before = atomic_load(&live_json_allocations);
    handover *h = handover_create(8, SIZE_MAX);
    assert_non_null(h);
    assert_null(handover_pop(h));
    for (int i = 0; i < 5; i++)
        assert_int_equal(handover_push(h, message(i), 100), 0);
    assert_int_equal(handover_length(h), 5);
    for (int i = 0; i < 5; i++) {
        json_t *m = handover_pop(h);
        assert_int_equal(seq_of(m), i);
        json_decref(m);
    }
    assert_null(handover_pop(h));
    assert_int_equal(handover_length(h), 0);
    assert_int_equal(handover_dropped(h), 0);
    handover_destroy(h);
    assert_int_equal(atomic_load(&live_json_allocations), before);
}

static void test_full_drops_oldest(void **state)
{
    (void)state;
    long before = atomic_load(&live_json_allocations);
    handover *h = handover_create(3, SIZE_MAX);
    assert_non_null(h);
    for (int i = 0; i < 3; i++)
        assert_int_equal(handover_push(h, message(i), 100), 0);
    assert_int_equal(handover_push(h, message(3), 100), 1);
    assert_int_equal(handover_push(h, message(4), 100), 1);
    assert_int_equal(handover_length(h), 3);
    assert_int_equal(handover_dropped(h), 2);
    for (int i = 2; i < 5; i++) {
        json_t *m = handover_pop(h);
        assert_int_equal(seq_of(m), i);
        json_decref(m);
    }
    assert_null(handover_pop(h));
    handover_destroy(h);
    assert_int_equal(atomic_load(&live_json_allocations), before);
}

/* A main thread that stalls must not let big messages pile up to count x 1 MiB: the byte
 * bound drops the oldest too, and one message larger than the bound still gets through. */
static void test_byte_bound_drops_oldest(void **state)
{
    (void)state;
    long before = atomic_load(&live_json_allocations);
    handover *h = handover_create(100, 1000);
    assert_non_null(h);
    for (int i = 0; i < 3; i++)
        assert_int_equal(handover_push(h, message(i), 300), 0);
    assert_int_equal(handover_push(h, message(3), 300), 1);   /* 900 + 300 > 1000 */
    assert_int_equal(handover_length(h), 3);
    assert_int_equal(handover_dropped(h), 1);
    assert_int_equal(handover_push(h, message(4), 5000), 1);  /* too big for the bound: alone */
    assert_int_equal(handover_length(h), 1);
    assert_int_equal(handover_dropped(h), 4);
    json_t *m = handover_pop(h);
    assert_int_equal(seq_of(m), 4);
    json_decref(m);
    assert_int_equal(handover_push(h, message(5), 600), 0);    /* the bytes were given back */
    assert_int_equal(handover_push(h, message(6), 400), 0);   /* exactly 1000 fits */
    assert_int_equal(handover_length(h), 2);
    handover_destroy(h);
    assert_int_equal(atomic_load(&live_json_allocations), before);
}

static void test_capacity_one_wraps(void **state)
{
    (void)state;
    handover *h = handover_create(1, SIZE_MAX);
    assert_non_null(h);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(handover_push(h, message(i), 100), i % 2 == 1);
        if (i % 2 == 1) {
            json_t *m = handover_pop(h);
            assert_int_equal(seq_of(m), i);
            json_decref(m);
        }
    }
    handover_destroy(h);
}

static void test_null_push_is_ignored(void **state)
{
    (void)state;
    handover *h = handover_create(2, SIZE_MAX);
    assert_non_null(h);
    assert_int_equal(handover_push(h, NULL, 100), 0);
    assert_int_equal(handover_length(h), 0);
    handover_destroy(h);
}

static void test_destroy_releases_queued(void **state)
{
    (void)state;
    long before = atomic_load(&live_json_allocations);
    handover *h = handover_create(16, SIZE_MAX);
    assert_non_null(h);
    for (int i = 0; i < 40; i++)
        handover_push(h, message(i), 100);
    assert_true(atomic_load(&live_json_allocations) > before);
    handover_destroy(h);
    assert_int_equal(atomic_load(&live_json_allocations), before);
    handover_destroy(NULL);
}

typedef struct threaded_run {
    handover *h;
    atomic_int producer_done;
    uint64_t received;
    int order_ok;
    int alloc_failed;
} threaded_run;

static void *produce(void *arg)
{
    threaded_run *run = arg;
    for (long long i = 0; i < THREADED_SENT; i++) {
        json_t *m = make_message(i);
        if (!m) {
            run->alloc_failed = 1;
            break;
        }
        handover_push(run->h, m, 100);
        if (i % 1024 == 0)
            sched_yield(); /* let the consumer catch up sometimes: both paths get exercised */
    }
    atomic_store(&run->producer_done, 1);
    return NULL;
}

/* Pops until the producer is done and the queue is empty; the done flag is read before the
 * last pop so a message pushed just before it is never missed. */
static void *consume(void *arg)
{
    threaded_run *run = arg;
    long long last = -1;
    run->order_ok = 1;
    for (;;) {
        int done = atomic_load(&run->producer_done);
        json_t *m = handover_pop(run->h);
        if (!m) {
            if (done)
                break;
            sched_yield();
            continue;
        }
        long long seq = seq_in(m);
        if (seq <= last)
            run->order_ok = 0;
        last = seq;
        run->received++;
        json_decref(m);
    }
    return NULL;
}

static void test_two_threads_account_for_every_message(void **state)
{
    (void)state;
    long before = atomic_load(&live_json_allocations);
    threaded_run run = {0};
    pthread_t producer, consumer;

    run.h = handover_create(THREADED_CAPACITY, SIZE_MAX);
    assert_non_null(run.h);
    assert_int_equal(pthread_create(&consumer, NULL, consume, &run), 0);
    assert_int_equal(pthread_create(&producer, NULL, produce, &run), 0);
    pthread_join(producer, NULL);
    pthread_join(consumer, NULL);

    uint64_t dropped = handover_dropped(run.h);
    print_message("received %llu, dropped %llu\n", (unsigned long long)run.received,
                  (unsigned long long)dropped);
    assert_false(run.alloc_failed);
    assert_int_equal(run.received + dropped, THREADED_SENT);
    assert_true(run.order_ok);
    assert_int_equal(handover_length(run.h), 0);
    handover_destroy(run.h);
    assert_int_equal(atomic_load(&live_json_allocations), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_capacity_is_refused),
        cmocka_unit_test(test_fifo_order),
        cmocka_unit_test(test_full_drops_oldest),
        cmocka_unit_test(test_byte_bound_drops_oldest),
        cmocka_unit_test(test_capacity_one_wraps),
        cmocka_unit_test(test_null_push_is_ignored),
        cmocka_unit_test(test_destroy_releases_queued),
        cmocka_unit_test(test_two_threads_account_for_every_message),
    };
    return cmocka_run_group_tests(tests, count_json_allocations, NULL);
}
