/* test_jsonptr.c: RFC 6901 pointers as used by tile "match" rules and the counter plugin.
 * Includes the RFC's own examples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "jsonptr.h"

static json_t *rfc_doc(void)
{
    json_error_t e;
    return json_loads("{\"foo\": [\"bar\", \"baz\"], \"\": 0, \"a/b\": 1, \"c%d\": 2, \"e^f\": 3,"
                      " \"g|h\": 4, \"i\\\\j\": 5, \"k\\\"l\": 6, \" \": 7, \"m~n\": 8}", 0, &e);
}

static void rfc6901_examples(void **state)
{
    (void)state;
    json_t *doc = rfc_doc();
    assert_non_null(doc);
    assert_ptr_equal(jsonptr_get(doc, ""), doc);
    assert_string_equal(json_string_value(jsonptr_get(doc, "/foo/0")), "bar");
    assert_int_equal(json_integer_value(jsonptr_get(doc, "/")), 0);
    assert_int_equal(json_integer_value(jsonptr_get(doc, "/a~1b")), 1);
    assert_int_equal(json_integer_value(jsonptr_get(doc, "/c%d")), 2);
    assert_int_equal(json_integer_value(jsonptr_get(doc, "/i\\j")), 5);
    assert_int_equal(json_integer_value(jsonptr_get(doc, "/k\"l")), 6);
    assert_int_equal(json_integer_value(jsonptr_get(doc, "/ ")), 7);
    assert_int_equal(json_integer_value(jsonptr_get(doc, "/m~0n")), 8);
    json_decref(doc);
}

static void absent_and_malformed(void **state)
{
    (void)state;
    json_t *doc = rfc_doc();
    assert_null(jsonptr_get(doc, "/nope"));
    assert_null(jsonptr_get(doc, "/foo/2"));
    assert_null(jsonptr_get(doc, "/foo/01"));   /* leading zeros are not indices */
    assert_null(jsonptr_get(doc, "/foo/-"));
    assert_null(jsonptr_get(doc, "/foo/0/x"));  /* into a string */
    assert_null(jsonptr_get(doc, "foo"));       /* must start with '/' */
    assert_null(jsonptr_get(doc, "/m~2n"));     /* bad escape */
    assert_null(jsonptr_get(NULL, "/foo"));
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc6901_examples),
        cmocka_unit_test(absent_and_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
