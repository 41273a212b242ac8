/* test_format.c: exact strings from format_number and format_age.
 * Never depends on the locale, SDL or a display. */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "format.h"

/* Formats and checks both the text and the returned length. */
#define NUM(expect, value, decimals, sep)                                              \
    do {                                                                                \
        char b_[128];                                                                   \
        int n_ = format_number((value), (decimals), (sep), b_, sizeof b_);             \
        assert_string_equal(b_, (expect));                                              \
        assert_int_equal(n_, (int)strlen(expect));                                      \
    } while (0)

#define AGE(expect, seconds)                                                            \
    do {                                                                                \
        char b_[64];                                                                    \
        int n_ = format_age((seconds), b_, sizeof b_);                                  \
        assert_string_equal(b_, (expect));                                              \
        assert_int_equal(n_, (int)strlen(expect));                                      \
    } while (0)

static void test_number_rounding(void **state)
{
    (void)state;
    NUM("1", 0.5, 0, NULL);
    NUM("2", 1.5, 0, NULL);
    NUM("3", 2.5, 0, NULL);            /* half away from zero, not to even */
    NUM("-1", -0.5, 0, NULL);
    NUM("-3", -2.5, 0, NULL);
    NUM("2.68", 2.675, 2, NULL);       /* the decimal the feed sent, not 2.67499999... */
    NUM("1.01", 1.005, 2, NULL);
    NUM("0.30", 0.1 + 0.2, 2, NULL);
    NUM("1000.00", 999.995, 2, NULL);  /* carry through every digit */
    NUM("10", 9.5, 0, NULL);
    NUM("0.000", 0.0, 3, NULL);
    NUM("0.1", 0.05, 1, NULL);
    NUM("0", 0.049, 0, NULL);
    /* Past 15 significant digits a double holds no decimal information: zeros, not noise. */
    NUM("123456789.123457000", 123456789.123456789, 9, NULL);
}

static void test_number_negative_zero(void **state)
{
    (void)state;
    NUM("0", -0.0, 0, NULL);
    NUM("0", -0.4, 0, NULL);
    NUM("0.00", -0.004, 2, NULL);
    NUM("0.00", -0.0, 2, ",");
    NUM("-0.01", -0.005, 2, NULL);
    NUM("-0.1", -0.1, 1, NULL);
}

static void test_number_grouping(void **state)
{
    (void)state;
    NUM("1,234,567", 1234567, 0, ",");
    NUM("12,345.68", 12345.678, 2, ",");
    NUM("123", 123, 0, ",");
    NUM("1,234", 1234, 0, ",");
    NUM("123,456", 123456, 0, ",");
    NUM("-1,234,567.9", -1234567.89, 1, ",");
    NUM("1 000 000", 1e6, 0, " ");
    NUM("1\xE2\x80\xAF" "000.5", 1000.5, 1, "\xE2\x80\xAF"); /* narrow no-break space */
    NUM("1234567", 1234567, 0, "");
    NUM("1234567", 1234567, 0, NULL);
    NUM("1,000", 999.5, 0, ",");      /* grouping after the carry */
    NUM("100,000,000,000,000,000,000", 1e20, 0, ",");
    NUM("1000000000000000.13", 1e15 + 0.125, 2, NULL); /* exact binary, half away */
    /* The largest double: 309 digits, 102 separators, 9 decimals and the point. */
    assert_int_equal(format_number(DBL_MAX, 9, ",", NULL, 0), 309 + 102 + 10);
    assert_int_equal(format_number(-DBL_MAX, 0, NULL, NULL, 0), 310);
    NUM("0.000000000", 5e-324, 9, ",");
}

static void test_number_currency_is_callers(void **state)
{
    (void)state;
    /* format_number never adds a currency: the caller puts "¥" (UTF-8) in front. */
    char num[32], text[40];
    format_number(12345, 0, ",", num, sizeof num);
    snprintf(text, sizeof text, "\xC2\xA5%s", num);
    assert_string_equal(text, "\xC2\xA5" "12,345");
    assert_null(strchr(num, '\xC2'));
}

static void test_number_special(void **state)
{
    (void)state;
    NUM("NaN", NAN, 2, ",");
    NUM("inf", INFINITY, 2, ",");
    NUM("-inf", -INFINITY, 0, NULL);
    NUM("1.000000000", 1.0, 12, NULL); /* decimals clamped to 9 */
    NUM("1", 1.0, -3, NULL);           /* and to 0 */
}

static void test_number_truncation(void **state)
{
    (void)state;
    char b[16];
    memset(b, 'x', sizeof b);
    assert_int_equal(format_number(1234567, 0, ",", b, 5), 9);
    assert_string_equal(b, "1,23");
    assert_int_equal(b[5], 'x'); /* nothing written past size */
    memset(b, 'x', sizeof b);
    assert_int_equal(format_number(1234567, 0, ",", b, 1), 9);
    assert_string_equal(b, "");
    assert_int_equal(b[1], 'x');
    memset(b, 'x', sizeof b);
    assert_int_equal(format_number(1234567, 0, ",", b, 0), 9);
    assert_int_equal(b[0], 'x');
    assert_int_equal(format_number(1234567, 0, ",", NULL, 0), 9);
    assert_int_equal(format_number(42, 0, NULL, b, 3), 2); /* exactly fits */
    assert_string_equal(b, "42");
    assert_int_equal(format_number(NAN, 0, NULL, b, 2), 3);
    assert_string_equal(b, "N");
    /* As snprintf(s, 6, "%s", "-98765.43"): the first 5 bytes, the full length returned. */
    char s1[6];
    assert_int_equal(format_number(-98765.4321, 2, NULL, s1, sizeof s1), 9);
    assert_string_equal(s1, "-9876");
}

static void test_age(void **state)
{
    (void)state;
    AGE("0 s", 0);
    AGE("42 s", 42.9);
    AGE("59 s", 59.99);
    AGE("1 min", 60);
    AGE("3 min", 200);
    AGE("59 min", 3599);
    AGE("1 h", 3600);
    AGE("2 h", 7300);
    AGE("23 h", 86399);
    AGE("5 d", 5 * 86400 + 10);
    AGE("0 s", -3);
    AGE("?", NAN);
    char b[4];
    assert_int_equal(format_age(200, b, sizeof b), 5);
    assert_string_equal(b, "3 m");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_number_rounding),
        cmocka_unit_test(test_number_negative_zero),
        cmocka_unit_test(test_number_grouping),
        cmocka_unit_test(test_number_currency_is_callers),
        cmocka_unit_test(test_number_special),
        cmocka_unit_test(test_number_truncation),
        cmocka_unit_test(test_age),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
