/* test_log.c: the rate limit that keeps a hostile feed or a chatty plugin from flooding the
 * journal, including when more keys rotate than the table holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <fcntl.h>
#include <unistd.h>

#include "log.h"

/* The lines go to stderr, which cmocka also reports on: silence it only while logging. */
static int saved_stderr = -1;

static void quiet(void)
{
    fflush(stderr);
    saved_stderr = dup(2);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 2);
    close(null);
}

static void loud(void)
{
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
}

static void one_key_is_limited(void **state)
{
    (void)state;
    uint64_t before = log_suppressed_total();
    quiet();
    for (int i = 0; i < 100; i++)
        log_limited(WB_LOG_ERROR, "test", "one-key", "line %d", i);
    loud();
    assert_int_equal(log_suppressed_total() - before, 100 - LOG_BURST);
}

/* More keys than slots, in rotation: each key's window is still open when the table is full,
 * so the newcomers share the overflow slot instead of resetting a live key's count. */
static void rotating_keys_stay_limited(void **state)
{
    (void)state;
    enum { KEYS = LOG_MAX_KEYS + 1, ROUNDS = 20 };
    uint64_t before = log_suppressed_total();
    char key[32];
    quiet();
    for (int round = 0; round < ROUNDS; round++) {
        for (int k = 0; k < KEYS; k++) {
            snprintf(key, sizeof key, "rotating-%d", k);
            log_limited(WB_LOG_ERROR, "test", key, "round %d", round);
        }
    }
    loud();
    uint64_t printed = (uint64_t)KEYS * ROUNDS - (log_suppressed_total() - before);
    /* At most a burst per key that holds a slot, plus one burst for the shared overflow slot
     * (the one-key test above still holds a slot). */
    assert_true(printed <= (uint64_t)(LOG_MAX_KEYS - 1) * LOG_BURST + LOG_BURST);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_key_is_limited),
        cmocka_unit_test(rotating_keys_stay_limited),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
