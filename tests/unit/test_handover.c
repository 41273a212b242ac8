/* test_handover.c: unit tests of the bounded parse-to-main-thread hand-over and its coalescing.
 * It must never rely on timing for correctness: the threaded tests check invariants only. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "handover.h"

#define THREADED_SENT 100000
#define THREADED_CAPACITY 64
#define THREADED_KEYS 16

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


/* ------------------------------------------------------------------ coalescing */

static const char *const KEY_PTR[] = {"/key"};

static json_t *keyed_message(long long seq, const char *key)
{
    json_t *m = json_pack("{s:I, s:s}", "seq", (json_int_t)seq, "key", key);
    assert_non_null(m);
    return m;
}

/* Pushes msg with its key at "/key" (which must be there). */
static int push_by_key(handover *h, json_t *msg, size_t bytes)
{
    handover_key key;
    assert_int_equal(handover_key_of(msg, KEY_PTR, 1, &key), 0);
    return handover_push_keyed(h, msg, bytes, &key);
}

static const char *key_in(json_t *m)
{
    return json_string_value(json_object_get(m, "key"));
}

static void expect_pop(handover *h, long long seq, const char *key)
{
    json_t *m = handover_pop(h);
    assert_non_null(m);
    assert_int_equal(seq_of(m), seq);
    if (key)
        assert_string_equal(key_in(m), key);
    json_decref(m);
}

static void test_coalesce_same_key(void **state)
{
    (void)state;
    long before = atomic_load(&live_json_allocations);
    handover *h = handover_create(8, SIZE_MAX);
    assert_non_null(h);
    assert_int_equal(push_by_key(h, keyed_message(1, "a"), 100), 0);
    assert_int_equal(push_by_key(h, keyed_message(2, "a"), 100), HANDOVER_COALESCED);
    assert_int_equal(push_by_key(h, keyed_message(3, "a"), 100), HANDOVER_COALESCED);
    assert_int_equal(handover_length(h), 1);
    assert_int_equal(handover_coalesced(h), 2);
    assert_int_equal(handover_dropped(h), 0);
    expect_pop(h, 3, "a");                     /* the latest value, the older ones released */
    assert_null(handover_pop(h));
    /* Taken by the consumer: the next one of that key is new, not a replacement. */
    assert_int_equal(push_by_key(h, keyed_message(4, "a"), 100), 0);
    assert_int_equal(handover_length(h), 1);
    assert_int_equal(handover_coalesced(h), 2);
    handover_destroy(h);
    assert_int_equal(atomic_load(&live_json_allocations), before);
}

/* Different keys queue side by side; a newer value takes its predecessor's place, so the order
 * across keys is not the arrival order, within a key it is. Messages without a key (NULL) are
 * never coalesced. */
static void test_coalesce_different_keys(void **state)
{
    (void)state;
    long before = atomic_load(&live_json_allocations);
    handover *h = handover_create(8, SIZE_MAX);
    assert_non_null(h);
    assert_int_equal(push_by_key(h, keyed_message(1, "a"), 100), 0);
    assert_int_equal(push_by_key(h, keyed_message(2, "b"), 100), 0);
    assert_int_equal(handover_push(h, message(3), 100), 0);
    assert_int_equal(handover_push(h, message(4), 100), 0);
    assert_int_equal(push_by_key(h, keyed_message(5, "a"), 100), HANDOVER_COALESCED);
    assert_int_equal(push_by_key(h, keyed_message(6, "c"), 100), 0);
    assert_int_equal(handover_length(h), 5);
    assert_int_equal(handover_coalesced(h), 1);
    expect_pop(h, 5, "a");
    expect_pop(h, 2, "b");
    expect_pop(h, 3, NULL);
    expect_pop(h, 4, NULL);
    expect_pop(h, 6, "c");
    assert_null(handover_pop(h));
    handover_destroy(h);
    assert_int_equal(atomic_load(&live_json_allocations), before);
}

static void test_key_of(void **state)
{
    (void)state;
    static const char *const two[] = {"/a", "/b/0"};
    handover_key k1, k2;
    json_t *m = json_loads("{\"a\": \"x\", \"b\": [1, {}], \"o\": {\"p\": 1}, \"l\": [], "
                           "\"n\": null, \"t\": true}", 0, NULL);
    assert_non_null(m);
    assert_int_equal(handover_key_of(m, two, 2, &k1), 0);
    assert_int_equal(k1.count, 2);
    assert_ptr_equal(k1.values[0], json_object_get(m, "a"));
    static const char *const missing[] = {"/a", "/zzz"};
    assert_int_equal(handover_key_of(m, missing, 2, &k2), -1);
    assert_int_equal(k2.count, 0);
    static const char *const object[] = {"/o"};
    static const char *const array[] = {"/l"};
    static const char *const in_array[] = {"/b/1"};
    static const char *const root[] = {""};
    static const char *const bad[] = {"/a~2"};
    assert_int_equal(handover_key_of(m, object, 1, &k2), -1);
    assert_int_equal(handover_key_of(m, array, 1, &k2), -1);
    assert_int_equal(handover_key_of(m, in_array, 1, &k2), -1);
    assert_int_equal(handover_key_of(m, root, 1, &k2), -1);
    assert_int_equal(handover_key_of(m, bad, 1, &k2), -1);
    assert_int_equal(handover_key_of(m, two, 0, &k2), -1);
    assert_int_equal(handover_key_of(m, two, HANDOVER_KEY_MAX + 1, &k2), -1);
    static const char *const scalars[] = {"/n", "/t", "/o/p"};
    assert_int_equal(handover_key_of(m, scalars, 3, &k2), 0);
    json_decref(m);
}

/* Messages without a key, or with an object or array where the key should be, queue like any
 * other and are never merged, even when they look alike. */
static void test_non_scalar_keys_never_coalesce(void **state)
{
    (void)state;
    long before = atomic_load(&live_json_allocations);
    static const char *const ptrs[] = {"/key"};
    static const char *const texts[] = {
        "{\"seq\": 1, \"key\": {\"id\": 1}}", "{\"seq\": 2, \"key\": {\"id\": 1}}",
        "{\"seq\": 3, \"key\": [1]}", "{\"seq\": 4, \"key\": [1]}",
        "{\"seq\": 5}", "{\"seq\": 6}",
    };
    handover *h = handover_create(8, SIZE_MAX);
    assert_non_null(h);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        json_t *m = json_loads(texts[i], 0, NULL);
        assert_non_null(m);
        handover_key key;
        int keyed = handover_key_of(m, ptrs, 1, &key) == 0;
        assert_false(keyed);
        assert_int_equal(handover_push_keyed(h, m, 100, keyed ? &key : NULL), 0);
    }
    /* A key with count 0 is no key either. */
    handover_key none = {.count = 0};
    assert_int_equal(handover_push_keyed(h, message(7), 100, &none), 0);
    assert_int_equal(handover_push_keyed(h, message(8), 100, &none), 0);
    assert_int_equal(handover_length(h), 8);
    assert_int_equal(handover_coalesced(h), 0);
    for (int i = 1; i <= 8; i++)
        expect_pop(h, i, NULL);
    handover_destroy(h);
    assert_int_equal(atomic_load(&live_json_allocations), before);
}

/* Equal means same JSON type and value: "1", 1 and 1.0 are three keys; -0.0 and 0.0 one. */
static void test_key_types_compare_exactly(void **state)
{
    (void)state;
    long before = atomic_load(&live_json_allocations);
    static const char *const texts[] = {
        "{\"seq\": 1, \"key\": \"1\"}", "{\"seq\": 2, \"key\": 1}", "{\"seq\": 3, \"key\": 1.0}",
        "{\"seq\": 4, \"key\": true}", "{\"seq\": 5, \"key\": false}", "{\"seq\": 6, \"key\": null}",
        "{\"seq\": 7, \"key\": 0.0}", "{\"seq\": 8, \"key\": \"a\\u0000b\"}",
        "{\"seq\": 9, \"key\": \"a\\u0000c\"}",
        /* the same keys again: each replaces its own */
        "{\"seq\": 10, \"key\": \"1\"}", "{\"seq\": 11, \"key\": 1}", "{\"seq\": 12, \"key\": 1.0}",
        "{\"seq\": 13, \"key\": true}", "{\"seq\": 14, \"key\": false}",
        "{\"seq\": 15, \"key\": null}", "{\"seq\": 16, \"key\": -0.0}",
        "{\"seq\": 17, \"key\": \"a\\u0000b\"}", "{\"seq\": 18, \"key\": \"a\\u0000c\"}",
    };
    handover *h = handover_create(32, SIZE_MAX);
    assert_non_null(h);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        json_t *m = json_loads(texts[i], JSON_ALLOW_NUL, NULL);
        assert_non_null(m);
        push_by_key(h, m, 100);
    }
    assert_int_equal(handover_length(h), 9);
    assert_int_equal(handover_coalesced(h), 9);
    for (int i = 10; i <= 18; i++)
        expect_pop(h, i, NULL);
    handover_destroy(h);
    assert_int_equal(atomic_load(&live_json_allocations), before);
}

static void test_key_of_several_pointers(void **state)
{
    (void)state;
    long before = atomic_load(&live_json_allocations);
    static const char *const ptrs[] = {"/room", "/bed/id"};
    static const char *const texts[] = {
        "{\"seq\": 1, \"room\": \"r1\", \"bed\": {\"id\": 1}}",
        "{\"seq\": 2, \"room\": \"r1\", \"bed\": {\"id\": 2}}",
        "{\"seq\": 3, \"room\": \"r2\", \"bed\": {\"id\": 1}}",
        "{\"seq\": 4, \"room\": \"r1\", \"bed\": {\"id\": 2}, \"extra\": 1}",
        "{\"seq\": 5, \"room\": \"r1\"}",
    };
    handover *h = handover_create(8, SIZE_MAX);
    assert_non_null(h);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        json_t *m = json_loads(texts[i], 0, NULL);
        assert_non_null(m);
        handover_key key;
        int keyed = handover_key_of(m, ptrs, 2, &key) == 0;
        assert_int_equal(keyed, i < 4);
        handover_push_keyed(h, m, 100, keyed ? &key : NULL);
    }
    assert_int_equal(handover_coalesced(h), 1);
    expect_pop(h, 1, NULL);
    expect_pop(h, 4, NULL);
    expect_pop(h, 3, NULL);
    expect_pop(h, 5, NULL);
    assert_null(handover_pop(h));
    handover_destroy(h);
    assert_int_equal(atomic_load(&live_json_allocations), before);
}

/* Full of distinct keys: the oldest goes (dropped), and the index forgets it, so a later value
 * of that key queues anew while one of a pending key still replaces. */
static void test_coalesce_full_drops_oldest(void **state)
{
    (void)state;
    long before = atomic_load(&live_json_allocations);
    handover *h = handover_create(3, SIZE_MAX);
    assert_non_null(h);
    assert_int_equal(push_by_key(h, keyed_message(1, "a"), 100), 0);
    assert_int_equal(push_by_key(h, keyed_message(2, "b"), 100), 0);
    assert_int_equal(push_by_key(h, keyed_message(3, "c"), 100), 0);
    assert_int_equal(push_by_key(h, keyed_message(4, "d"), 100), HANDOVER_DROPPED); /* a goes */
    assert_int_equal(push_by_key(h, keyed_message(5, "a"), 100), HANDOVER_DROPPED); /* b goes */
    assert_int_equal(push_by_key(h, keyed_message(6, "d"), 100), HANDOVER_COALESCED);
    assert_int_equal(push_by_key(h, keyed_message(7, "c"), 100), HANDOVER_COALESCED);
    assert_int_equal(handover_length(h), 3);
    assert_int_equal(handover_dropped(h), 2);
    assert_int_equal(handover_coalesced(h), 2);
    expect_pop(h, 7, "c");
    expect_pop(h, 6, "d");
    expect_pop(h, 5, "a");
    assert_null(handover_pop(h));
    handover_destroy(h);
    assert_int_equal(atomic_load(&live_json_allocations), before);
}

/* A newer value bigger than its predecessor still respects the byte bound: older messages of
 * other keys make room (dropped); if the predecessor is itself the oldest, it goes as
 * superseded (coalesced) and the newer one queues at the tail. */
static void test_coalesce_byte_bound(void **state)
{
    (void)state;
    long before = atomic_load(&live_json_allocations);
    handover *h = handover_create(100, 1000);
    assert_non_null(h);
    assert_int_equal(push_by_key(h, keyed_message(1, "a"), 300), 0);
    assert_int_equal(push_by_key(h, keyed_message(2, "b"), 300), 0);
    assert_int_equal(push_by_key(h, keyed_message(3, "c"), 300), 0);
    /* b grows to 400: 300 + 400 + 300 fits exactly, in place */
    assert_int_equal(push_by_key(h, keyed_message(4, "b"), 400), HANDOVER_COALESCED);
    /* c grows to 500: a must go (dropped), then 400 + 500 fits, in place */
    assert_int_equal(push_by_key(h, keyed_message(5, "c"), 500),
                     HANDOVER_DROPPED | HANDOVER_COALESCED);
    assert_int_equal(handover_dropped(h), 1);
    assert_int_equal(handover_length(h), 2);
    /* b (the oldest now) grows to 700: 500 + 700 does not fit, and b itself is the oldest, so
     * it goes as superseded; the new b queues at the tail once c made room (dropped) */
    assert_int_equal(push_by_key(h, keyed_message(6, "b"), 700),
                     HANDOVER_COALESCED | HANDOVER_DROPPED);
    assert_int_equal(handover_length(h), 1);
    assert_int_equal(handover_dropped(h), 2);
    assert_int_equal(handover_coalesced(h), 3);
    expect_pop(h, 6, "b");
    /* A lone message bigger than the bound is replaced in place, whatever its size. */
    assert_int_equal(push_by_key(h, keyed_message(7, "z"), 5000), 0);
    assert_int_equal(push_by_key(h, keyed_message(8, "z"), 9000), HANDOVER_COALESCED);
    assert_int_equal(handover_length(h), 1);
    expect_pop(h, 8, "z");
    handover_destroy(h);
    assert_int_equal(atomic_load(&live_json_allocations), before);
}

/* The superseded value is the oldest: it goes, and the newer one queues at the tail, behind
 * the values of other keys (those older than it that do not fit are dropped). */
static void test_coalesce_superseded_oldest_requeues(void **state)
{
    (void)state;
    long before = atomic_load(&live_json_allocations);
    handover *h = handover_create(100, 1000);
    assert_non_null(h);
    assert_int_equal(push_by_key(h, keyed_message(1, "a"), 300), 0);
    assert_int_equal(push_by_key(h, keyed_message(2, "b"), 300), 0);
    /* a grows to 800: 300 + 800 > 1000; a is the oldest: it goes (coalesced), and the new a
     * needs b gone too (dropped) */
    assert_int_equal(push_by_key(h, keyed_message(3, "a"), 800),
                     HANDOVER_COALESCED | HANDOVER_DROPPED);
    expect_pop(h, 3, "a");
    assert_int_equal(push_by_key(h, keyed_message(4, "a"), 300), 0);
    assert_int_equal(push_by_key(h, keyed_message(5, "b"), 300), 0);
    /* a grows to 700: 300 + 700 fits: in place */
    assert_int_equal(push_by_key(h, keyed_message(6, "a"), 700), HANDOVER_COALESCED);
    /* b grows to 400 while a (700) is the oldest: a is dropped, b stays in place */
    assert_int_equal(push_by_key(h, keyed_message(7, "b"), 400),
                     HANDOVER_DROPPED | HANDOVER_COALESCED);
    expect_pop(h, 7, "b");
    assert_null(handover_pop(h));
    /* a (oldest) grows to 700 beside b and c: a goes (coalesced), b makes room (dropped), c
     * stays, and the new a queues behind it */
    assert_int_equal(push_by_key(h, keyed_message(8, "a"), 200), 0);
    assert_int_equal(push_by_key(h, keyed_message(9, "b"), 200), 0);
    assert_int_equal(push_by_key(h, keyed_message(10, "c"), 200), 0);
    assert_int_equal(push_by_key(h, keyed_message(11, "a"), 700),
                     HANDOVER_COALESCED | HANDOVER_DROPPED);
    expect_pop(h, 10, "c");
    expect_pop(h, 11, "a");
    assert_null(handover_pop(h));
    assert_int_equal(handover_dropped(h), 3);
    assert_int_equal(handover_coalesced(h), 4);
    handover_destroy(h);
    assert_int_equal(atomic_load(&live_json_allocations), before);
}

/* The hash only picks the bucket: with every key forced onto one hash, distinct keys never
 * merge, equal ones still do, and removals in the middle of that one long probe run keep the
 * rest findable. */
static void test_hash_collision_checks_equality(void **state)
{
    (void)state;
    long before = atomic_load(&live_json_allocations);
    enum { KEYS = 40 };
    char names[KEYS][8];
    handover *h = handover_create(64, SIZE_MAX);
    assert_non_null(h);
    for (int round = 0; round < 3; round++) {
        for (int k = 0; k < KEYS; k++) {
            snprintf(names[k], sizeof names[k], "k%d", k);
            json_t *m = keyed_message(round * 100 + k, names[k]);
            handover_key key;
            assert_int_equal(handover_key_of(m, KEY_PTR, 1, &key), 0);
            key.hash = 42; /* every key collides */
            assert_int_equal(handover_push_keyed(h, m, 10, &key),
                             round == 0 ? 0 : HANDOVER_COALESCED);
        }
        assert_int_equal(handover_length(h), KEYS);
    }
    assert_int_equal(handover_coalesced(h), 2 * KEYS);
    /* Take the first half out (their index entries go), then update every key again. */
    for (int k = 0; k < KEYS / 2; k++)
        expect_pop(h, 200 + k, names[k]);
    for (int k = 0; k < KEYS; k++) {
        json_t *m = keyed_message(300 + k, names[k]);
        handover_key key;
        assert_int_equal(handover_key_of(m, KEY_PTR, 1, &key), 0);
        key.hash = 42;
        assert_int_equal(handover_push_keyed(h, m, 10, &key),
                         k < KEYS / 2 ? 0 : HANDOVER_COALESCED);
    }
    for (int k = KEYS / 2; k < KEYS; k++)
        expect_pop(h, 300 + k, names[k]);
    for (int k = 0; k < KEYS / 2; k++)
        expect_pop(h, 300 + k, names[k]);
    assert_null(handover_pop(h));
    assert_int_equal(handover_dropped(h), 0);
    handover_destroy(h);
    assert_int_equal(atomic_load(&live_json_allocations), before);
}

/* A model check: random pushes (keyed, with few hash values so probe runs overlap, or not) and
 * pops against a plain list; the queue must hold exactly what the model says, in order. */
static void test_index_against_model(void **state)
{
    (void)state;
    long before = atomic_load(&live_json_allocations);
    enum { CAP = 16, KEYS = 24, STEPS = 20000 };
    struct { long long seq; int key; } model[CAP];
    size_t len = 0;
    uint64_t drops = 0, merges = 0, x = 0x9e3779b97f4a7c15ull;
    char names[KEYS][8];
    for (int k = 0; k < KEYS; k++)
        snprintf(names[k], sizeof names[k], "k%d", k);
    handover *h = handover_create(CAP, SIZE_MAX);
    assert_non_null(h);
    for (long long step = 0; step < STEPS; step++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int op = (int)(x % 10), key = (int)((x >> 8) % (KEYS + 1)) - 1; /* -1: no key */
        if (op < 3) {
            json_t *m = handover_pop(h);
            if (len == 0) {
                assert_null(m);
                continue;
            }
            assert_non_null(m);
            assert_int_equal(seq_of(m), model[0].seq);
            json_decref(m);
            memmove(&model[0], &model[1], --len * sizeof model[0]);
            continue;
        }
        json_t *m = key < 0 ? message(step) : keyed_message(step, names[key]);
        handover_key hk;
        if (key >= 0) {
            assert_int_equal(handover_key_of(m, KEY_PTR, 1, &hk), 0);
            hk.hash = (uint64_t)(key % 5) * 3; /* few buckets, overlapping runs */
        }
        handover_push_keyed(h, m, 10, key >= 0 ? &hk : NULL);
        size_t i = 0;
        while (key >= 0 && i < len && model[i].key != key)
            i++;
        if (key >= 0 && i < len) {
            model[i].seq = step;
            merges++;
            continue;
        }
        if (len == CAP) {
            memmove(&model[0], &model[1], --len * sizeof model[0]);
            drops++;
        }
        model[len].seq = step;
        model[len].key = key;
        len++;
    }
    assert_int_equal(handover_length(h), len);
    assert_int_equal(handover_dropped(h), drops);
    assert_int_equal(handover_coalesced(h), merges);
    for (size_t i = 0; i < len; i++) {
        json_t *m = handover_pop(h);
        assert_non_null(m);
        assert_int_equal(seq_of(m), model[i].seq);
        json_decref(m);
    }
    handover_destroy(h);
    assert_int_equal(atomic_load(&live_json_allocations), before);
}

static void test_pop_many(void **state)
{
    (void)state;
    handover *h = handover_create(8, SIZE_MAX);
    assert_non_null(h);
    for (int i = 0; i < 5; i++)
        handover_push(h, message(i), 100);
    json_t *out[8];
    assert_int_equal(handover_pop_many(h, out, 3), 3);
    assert_int_equal(handover_pop_many(h, out + 3, 8), 2);
    assert_int_equal(handover_pop_many(h, out, 8), 0);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(seq_of(out[i]), i);
        json_decref(out[i]);
    }
    handover_destroy(h);
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


typedef struct keyed_run {
    handover *h;
    atomic_int producer_done;
    uint64_t received;
    long long last_seen[THREADED_KEYS];  /* per key: the newest seq the consumer saw */
    int order_ok;
    int alloc_failed;
} keyed_run;

static void *produce_keyed(void *arg)
{
    keyed_run *run = arg;
    for (long long i = 0; i < THREADED_SENT; i++) {
        json_t *m = json_pack("{s:I, s:i}", "seq", (json_int_t)i, "key",
                              (int)(i % THREADED_KEYS));
        if (!m) {
            run->alloc_failed = 1;
            break;
        }
        handover_key key;
        if (handover_key_of(m, KEY_PTR, 1, &key) != 0) {
            run->alloc_failed = 1;
            json_decref(m);
            break;
        }
        handover_push_keyed(run->h, m, 100, &key);
        if (i % 1024 == 0)
            sched_yield();
    }
    atomic_store(&run->producer_done, 1);
    return NULL;
}

static void *consume_keyed(void *arg)
{
    keyed_run *run = arg;
    run->order_ok = 1;
    for (int k = 0; k < THREADED_KEYS; k++)
        run->last_seen[k] = -1;
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
        int k = (int)json_integer_value(json_object_get(m, "key"));
        if (k < 0 || k >= THREADED_KEYS || seq <= run->last_seen[k] || seq % THREADED_KEYS != k)
            run->order_ok = 0;
        else
            run->last_seen[k] = seq;
        run->received++;
        json_decref(m);
    }
    return NULL;
}

/* With no more keys than room, coalescing never drops: every message is taken or merged, each
 * key's values arrive in order, and the last value of every key arrives. */
static void test_two_threads_coalesce_keeps_latest(void **state)
{
    (void)state;
    long before = atomic_load(&live_json_allocations);
    keyed_run run = {0};
    pthread_t producer, consumer;

    run.h = handover_create(THREADED_KEYS, SIZE_MAX);
    assert_non_null(run.h);
    assert_int_equal(pthread_create(&consumer, NULL, consume_keyed, &run), 0);
    assert_int_equal(pthread_create(&producer, NULL, produce_keyed, &run), 0);
    pthread_join(producer, NULL);
    pthread_join(consumer, NULL);

    uint64_t coalesced = handover_coalesced(run.h);
    print_message("received %llu, coalesced %llu\n", (unsigned long long)run.received,
                  (unsigned long long)coalesced);
    assert_false(run.alloc_failed);
    assert_int_equal(handover_dropped(run.h), 0);
    assert_int_equal(run.received + coalesced, THREADED_SENT);
    assert_true(run.order_ok);
    for (int k = 0; k < THREADED_KEYS; k++)
        assert_int_equal(run.last_seen[k], THREADED_SENT - THREADED_KEYS + k);
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
        cmocka_unit_test(test_coalesce_same_key),
        cmocka_unit_test(test_coalesce_different_keys),
        cmocka_unit_test(test_key_of),
        cmocka_unit_test(test_non_scalar_keys_never_coalesce),
        cmocka_unit_test(test_key_types_compare_exactly),
        cmocka_unit_test(test_key_of_several_pointers),
        cmocka_unit_test(test_coalesce_full_drops_oldest),
        cmocka_unit_test(test_coalesce_byte_bound),
        cmocka_unit_test(test_coalesce_superseded_oldest_requeues),
        cmocka_unit_test(test_hash_collision_checks_equality),
        cmocka_unit_test(test_index_against_model),
        cmocka_unit_test(test_pop_many),
        cmocka_unit_test(test_two_threads_coalesce_keeps_latest),
    };
    return cmocka_run_group_tests(tests, count_json_allocations, NULL);
}
