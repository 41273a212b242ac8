/* test_crash.c: the crash journal (app/crash.c): its line format, the files it makes, and the
 * handler in forked children that really crash, on a stack overflow too. No display, no plugin. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "crash.h"

static char g_home[64];
static char g_journal[160];

static int make_home(void **state)
{
    (void)state;
    snprintf(g_home, sizeof g_home, "/tmp/wb_test_crash_XXXXXX");
    assert_non_null(mkdtemp(g_home));
    setenv("XDG_STATE_HOME", g_home, 1);
    snprintf(g_journal, sizeof g_journal, "%s/wallboard/crashes", g_home);
    return 0;
}

static int remove_home(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_home);
    return system(cmd);
}

static char *read_journal(void)
{
    static char text[4096];
    FILE *f = fopen(g_journal, "r");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

static void test_line_round_trip(void **state)
{
    (void)state;
    char line[CRASH_LINE_MAX], name[CRASH_NAME_MAX], err[200];
    crash_sanitize("my plugin\t1", name, sizeof name);
    assert_string_equal(name, "my_plugin_1");
    size_t n = crash_format_line(line, sizeof line, 1764064800, 11, CRASH_ON_MESSAGE, name,
                                 "k1");
    assert_string_equal(line, "time=1764064800 signal=11 callback=on_message "
                              "plugin=my_plugin_1 tile=k1\n");
    assert_int_equal(n, strlen(line));
    line[n - 1] = '\0';
    crash_entry e;
    assert_int_equal(crash_parse_line(line, &e, err, sizeof err), 0);
    assert_int_equal(e.time, 1764064800);
    assert_int_equal(e.signal, 11);
    assert_int_equal(e.callback, CRASH_ON_MESSAGE);
    assert_string_equal(e.plugin, "my_plugin_1");
    assert_string_equal(e.tile, "k1");

    /* Every callback has a name the journal can be read back with (hot reload's too). */
    for (int cb = 0; cb < CRASH_CALLBACK_COUNT; cb++) {
        n = crash_format_line(line, sizeof line, 1, 7, (crash_callback)cb, "p", "t");
        line[n - 1] = '\0';
        assert_int_equal(crash_parse_line(line, &e, err, sizeof err), 0);
        assert_int_equal(e.callback, cb);
    }
    assert_string_equal(crash_callback_name(CRASH_SAVE), "save");
    assert_string_equal(crash_callback_name(CRASH_RESTORE), "restore");

#define REFUSED(text) assert_int_equal(crash_parse_line((text), &e, err, sizeof err), -1)
    REFUSED("time=1 signal=11 callback=render plugin=p");
    assert_non_null(strstr(err, "expected"));
    REFUSED("time=x signal=11 callback=render plugin=p tile=t");
    REFUSED("time=1 signal=99 callback=render plugin=p tile=t");
    REFUSED("time=1 signal=11 callback=paint plugin=p tile=t");
    assert_non_null(strstr(err, "callback=paint"));
    REFUSED("time=1 signal=11 callback=render plugin=p tile=t extra");
    REFUSED("");
#undef REFUSED
}

static void test_journal_files_reset_and_read(void **state)
{
    (void)state;
    char err[512] = "";
    assert_int_equal(crash_journal_open(err, sizeof err), 0);
    assert_string_equal(crash_journal_path(), g_journal);
    struct stat st;
    char dir[128];
    snprintf(dir, sizeof dir, "%s/wallboard", g_home);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(stat(g_journal, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    FILE *f = fopen(g_journal, "a");
    assert_non_null(f);
    fputs("time=100 signal=11 callback=render plugin=a tile=t1\n"
          "garbage\n"
          "time=200 signal=6 callback=host plugin=- tile=-\n", f);
    fclose(f);
    crash_entry *e = NULL;
    size_t count = 0;
    assert_int_equal(crash_journal_read(&e, &count, err, sizeof err), 0);
    assert_int_equal(count, 2); /* the malformed line is skipped (and logged) */
    assert_string_equal(e[0].plugin, "a");
    assert_int_equal(e[1].callback, CRASH_HOST);
    free(e);

    assert_int_equal(crash_journal_reset(err, sizeof err), 0);
    assert_int_equal(stat(g_journal, &st), 0);
    assert_int_equal(st.st_size, 0);
    crash_journal_close();
    assert_null(crash_journal_path());
}

/* A crash loop's journal is cut back at the next open: to its last 256 KiB, whole lines only,
 * the newest kept, mode 0600 still, and still readable. */
static void test_big_journal_is_trimmed(void **state)
{
    (void)state;
    char err[512] = "";
    assert_int_equal(crash_journal_open(err, sizeof err), 0); /* makes the folder */
    crash_journal_close();
    FILE *f = fopen(g_journal, "w");
    assert_non_null(f);
    int lines = 0;
    for (long written = 0; written <= 1536L * 1024; lines++)
        written += fprintf(f, "time=%d signal=11 callback=render plugin=p%d tile=t\n",
                           1000000 + lines, lines);
    fclose(f);

    assert_int_equal(crash_journal_open(err, sizeof err), 0);
    struct stat st;
    assert_int_equal(stat(g_journal, &st), 0);
    assert_true(st.st_size > 200 * 1024 && st.st_size <= 256 * 1024);
    assert_int_equal(st.st_mode & 0777, 0600);
    crash_entry *e = NULL;
    size_t count = 0;
    assert_int_equal(crash_journal_read(&e, &count, err, sizeof err), 0);
    /* Each line is the same length, so the count follows from the size: no line was cut. */
    size_t line_len = strlen("time=1000000 signal=11 callback=render plugin=p0 tile=t\n") + 4;
    assert_true(count > 0);
    assert_int_equal((size_t)st.st_size % line_len, 0);
    assert_int_equal(count, (size_t)st.st_size / line_len);
    char last[32];
    snprintf(last, sizeof last, "p%d", lines - 1);
    assert_string_equal(e[count - 1].plugin, last);
    assert_int_equal(e[count - 1].time, 1000000 + lines - 1);
    free(e);
    assert_int_equal(crash_journal_reset(err, sizeof err), 0);
    crash_journal_close();
}

/* Deep enough to overflow any stack; volatile so that it is neither a loop nor inlined away. */
static int recurse(volatile char *above, unsigned long depth)
{
    volatile char frame[1024];
    frame[0] = above ? above[0] : 1;
    if (depth == 0) return frame[0];
    return recurse(frame, depth - 1) + frame[sizeof frame - 1];
}

enum { CRASH_BY_OVERFLOW, CRASH_BY_ABORT };

/* Forks a child that opens the journal, installs the handler and crashes as `how`, inside a
 * render of slot 1 or (in_plugin 0) in the host; returns its wait status. */
static int crash_child(int how, int in_plugin)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char err[512];
        if (crash_journal_open(err, sizeof err) || crash_journal_reset(err, sizeof err) ||
            crash_slots_prepare(2) || crash_install_handlers(err, sizeof err))
            _exit(3);
        crash_slot_set(0, "other", "t0");
        crash_slot_set(1, "deep plugin", "t1");
        if (in_plugin) crash_enter(1, CRASH_RENDER);
        if (how == CRASH_BY_OVERFLOW) {
            volatile unsigned long depth = 1ul << 40;
            recurse(NULL, depth);
        } else {
            abort();
        }
        _exit(4);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void test_stack_overflow_in_a_plugin_is_journalled(void **state)
{
    (void)state;
    int status = crash_child(CRASH_BY_OVERFLOW, 1);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGSEGV); /* it still dies by the signal */
    const char *text = read_journal();
    assert_non_null(strstr(text, " signal=11 callback=render plugin=deep_plugin tile=t1\n"));
    assert_int_equal(strncmp(text, "time=", 5), 0);
    int lines = 0;
    for (const char *c = text; *c; c++) lines += *c == '\n';
    assert_int_equal(lines, 1);
}

static void test_host_crash_blames_no_plugin(void **state)
{
    (void)state;
    int status = crash_child(CRASH_BY_ABORT, 0);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    assert_non_null(strstr(read_journal(), " signal=6 callback=host plugin=- tile=-\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_round_trip),
        cmocka_unit_test(test_journal_files_reset_and_read),
        cmocka_unit_test(test_big_journal_is_trimmed),
        cmocka_unit_test(test_stack_overflow_in_a_plugin_is_journalled),
        cmocka_unit_test(test_host_crash_blames_no_plugin),
    };
    return cmocka_run_group_tests(tests, make_home, remove_home);
}
