/* test_cli.c: the command line contract of wallboard (what --help promises).
 * Parsing only: nothing here opens a window or a file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int parse(cli_options *o, char *err, size_t n, int argc, char **argv)
{
    return cli_parse(argc, argv, o, err, n);
}

static void full_headless_run(void **state)
{
    (void)state;
    char *argv[] = {"wallboard", "--config", "w.json", "--headless", "--size", "1280x720",
                    "--seconds", "2.5", "--frames", "10", "--screenshot", "a.png", "--state",
                    "s.json", "--plugin-dir", "p1", "--plugin-dir", "p2", NULL};
    cli_options o;
    char err[200];
    assert_int_equal(parse(&o, err, sizeof err, 18, argv), 0);
    assert_string_equal(o.config_path, "w.json");
    assert_true(o.headless);
    assert_int_equal(o.width, 1280);
    assert_int_equal(o.height, 720);
    assert_true(o.seconds > 2.49 && o.seconds < 2.51);
    assert_int_equal(o.frames, 10);
    assert_string_equal(o.screenshot_path, "a.png");
    assert_string_equal(o.state_path, "s.json");
    assert_int_equal(o.plugin_dir_count, 2);
    assert_string_equal(o.plugin_dirs[1], "p2");
}

static void bad_values_are_refused(void **state)
{
    (void)state;
    cli_options o;
    char err[200];
    char *size[] = {"wallboard", "--size", "1920by1080", NULL};
    assert_int_equal(parse(&o, err, sizeof err, 3, size), -1);
    assert_non_null(strstr(err, "--size"));
    char *missing[] = {"wallboard", "--config", NULL};
    assert_int_equal(parse(&o, err, sizeof err, 2, missing), -1);
    assert_non_null(strstr(err, "needs a value"));
    char *unknown[] = {"wallboard", "--fullscreen-please", NULL};
    assert_int_equal(parse(&o, err, sizeof err, 2, unknown), -1);
    assert_non_null(strstr(err, "unknown option"));
    char *both[] = {"wallboard", "--headless", "--windowed", NULL};
    assert_int_equal(parse(&o, err, sizeof err, 3, both), -1);
    char *secs[] = {"wallboard", "--seconds", "-1", NULL};
    assert_int_equal(parse(&o, err, sizeof err, 3, secs), -1);
}

static void reset_crashes(void **state)
{
    (void)state;
    cli_options o;
    char err[200];
    char *plain[] = {"wallboard", "--headless", NULL};
    assert_int_equal(parse(&o, err, sizeof err, 2, plain), 0);
    assert_false(o.reset_crashes);
    char *reset[] = {"wallboard", "--reset-crashes", "--headless", NULL};
    assert_int_equal(parse(&o, err, sizeof err, 3, reset), 0);
    assert_true(o.reset_crashes);
    assert_true(o.headless); /* it starts the wall as usual */

    /* --help says what it does and where the journal is */
    char text[8192] = "";
    FILE *f = fmemopen(text, sizeof text - 1, "w");
    assert_non_null(f);
    cli_usage(f);
    fclose(f);
    assert_non_null(strstr(text, "--reset-crashes"));
    assert_non_null(strstr(text, "wallboard/crashes"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_headless_run),
        cmocka_unit_test(bad_values_are_refused),
        cmocka_unit_test(reset_crashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
