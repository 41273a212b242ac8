/* test_clock.c: the clock plugin loaded with the real loader against a recording fake host, and
 * its calendar checked against the C library. Never sleeps and needs no display. */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "clock_calendar.h"
#include "plugin_fixture.h"

#define CLOCK_PATH WB_PLUGIN_BUILD_DIR "/clock.so"
#define MAX_TEXTS 8
#define GUIZHOU_0930 INT64_C(1795570205) /* 2026-11-25T01:30:05Z: 09:30:05 in Guizhou (UTC+8) */

/* ---- the fake host ------------------------------------------------------------------------ */

typedef struct drawn_text {
    char text[256];
    wb_rect box;
    int px;
    wb_align align;
} drawn_text;

struct wb_host {
    pf_host_base base; /* now, logs, last_log: plugin_fixture.h's services use it */
    int text_result;   /* forced draw_text answer */
    int measure_fails;
    int measure_calls;

    int led_calls;
    char led_text[64];
    wb_rect led_box;
    wb_color led_color;
    int led_ghost;
    wb_align led_align;

    int text_calls;
    drawn_text texts[MAX_TEXTS];

    int frame_at_calls;
    uint64_t frame_at;
};

static void assert_box_sane(wb_rect box)
{
    assert_true(box.w > 0);
    assert_true(box.h > 0);
}

/* Rough font metrics in em: LED digits 0.6, ':' 0.3; labels 0.5 a Latin character and 1 a
 * CJK or Hangul one (a UTF-8 lead byte above 0x7f), rounded to whole pixels. */
static int fake_width(wb_font_role role, const char *text, int px)
{
    double em = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (role == WB_FONT_LED) em += *p == ':' ? 0.3 : 0.6;
        else if (*p < 0x80) em += 0.5;
        else if (*p >= 0xc0) em += 1.0;
    }
    return (int)(em * px + 0.5);
}

static int fake_measure_text(wb_host *h, wb_font_role role, int px, const char *utf8, int *w,
                             int *height)
{
    h->measure_calls++;
    if (h->measure_fails) return -1;
    assert_true(px >= 1 && px <= 2000);
    *w = fake_width(role, utf8, px);
    *height = px;
    return 0;
}

/* Like the host's: 1 when the text does not fit the box at its size (0 = 80 % of the box). */
static int fake_draw_text(wb_host *h, wb_font_role role, int px, const char *utf8, wb_rect box,
                          wb_align align, wb_color color)
{
    (void)color;
    assert_box_sane(box);
    assert_true(h->text_calls < MAX_TEXTS);
    drawn_text *t = &h->texts[h->text_calls++];
    snprintf(t->text, sizeof t->text, "%s", utf8);
    t->box = box;
    t->px = px;
    t->align = align;
    if (h->text_result) return h->text_result;
    return fake_width(role, utf8, px ? px : box.h * 8 / 10) > box.w;
}

/* Like the host's: 1 when the box's width, not its height, limited the digits. */
static int fake_draw_led(wb_host *h, const char *text, wb_rect box, wb_align align,
                         wb_color color, int ghost)
{
    assert_box_sane(box);
    for (const char *p = text; *p; p++) assert_non_null(strchr("0123456789:", *p));
    h->led_calls++;
    snprintf(h->led_text, sizeof h->led_text, "%s", text);
    h->led_box = box;
    h->led_color = color;
    h->led_ghost = ghost;
    h->led_align = align;
    return fake_width(WB_FONT_LED, text, box.h) > box.w;
}

static void fake_request_frame_at(wb_host *h, uint64_t mono_ms)
{
    h->frame_at_calls++;
    h->frame_at = mono_ms;
}

static const wb_host_services fake_services = {
    .size = sizeof(wb_host_services),
    .abi_major = WB_ABI_MAJOR,
    .abi_minor = WB_ABI_MINOR,
    .log = pf_log,
    .now_ms = pf_now,
    .color = pf_color,
    .draw_text = fake_draw_text,
    .measure_text = fake_measure_text,
    .draw_led = fake_draw_led,
    .request_frame_at = fake_request_frame_at,
};

/* ---- fixture ------------------------------------------------------------------------------ */

typedef struct fixture {
    plugin_fixture pf;
    wb_host host;
} fixture;

static int setup(void **state)
{
    return pf_setup(state, sizeof(fixture), offsetof(fixture, host), CLOCK_PATH, &fake_services,
                    5000);
}

static void render(fixture *f, wb_rect rect)
{
    f->host.led_calls = f->host.text_calls = 0;
    f->pf.plugin.desc.render(f->pf.self, rect);
}

static const char *report_string(fixture *f, const char *key, char *buf, size_t size)
{
    json_t *out = pf_report(&f->pf);
    snprintf(buf, size, "%s", json_string_value(json_object_get(out, key)));
    json_decref(out);
    return buf;
}

static const drawn_text *find_text(fixture *f, const char *text)
{
    for (int i = 0; i < f->host.text_calls; i++)
        if (strcmp(f->host.texts[i].text, text) == 0) return &f->host.texts[i];
    return NULL;
}

/* A 2x1 cell of a 4x3 grid at 1080p, and a 1x1 cell at 720p. */
static const wb_rect WIDE = {12, 12, 942, 344};
static const wb_rect SMALL = {8, 8, 310, 229};

#define HALL_TITLE "귀주 빅데이터 홀 · 贵州大数据展厅 · Guizhou Big Data Hall"

/* ---- the calendar, against the C library ---------------------------------------------------- */

static void assert_civil_matches_gmtime(int64_t epoch_s, int offset_minutes)
{
    clock_civil c;
    clock_civil_from_epoch(epoch_s, offset_minutes, &c);
    time_t shifted = (time_t)(epoch_s + offset_minutes * 60);
    struct tm tm;
    assert_non_null(gmtime_r(&shifted, &tm));
    if (c.year != tm.tm_year + 1900 || c.month != tm.tm_mon + 1 || c.day != tm.tm_mday ||
        c.weekday != tm.tm_wday || c.hour != tm.tm_hour || c.minute != tm.tm_min ||
        c.second != tm.tm_sec) {
        print_error("epoch %lld offset %d: %04d-%02d-%02d wd%d %02d:%02d:%02d\n",
                    (long long)epoch_s, offset_minutes, c.year, c.month, c.day, c.weekday,
                    c.hour, c.minute, c.second);
        fail();
    }
}

static void test_calendar_matches_libc(void **state)
{
    (void)state;
    static const int offsets[] = {0, 480, 540, 330, -300, -720, 840, 345};
    /* a step that is not a multiple of a day, minute or second pattern, 1970 .. 9999 */
    for (int64_t s = 0; s <= INT64_C(253402300799); s += INT64_C(7777777) + 13)
        for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++)
            assert_civil_matches_gmtime(s, offsets[i]);
    /* day and year edges, leap days */
    static const int64_t edges[] = {0, 86399, 86400, 951782400 /* 2000-02-29 */,
                                    1709164800 /* 2024-02-29 */, 1735689599, 1735689600,
                                    4107542400 /* 2100-03-01 */, INT64_C(253402300799)};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        assert_civil_matches_gmtime(edges[i], 0);
        assert_civil_matches_gmtime(edges[i], 480);
        assert_civil_matches_gmtime(edges[i], -720);
    }
}

static void test_calendar_texts(void **state)
{
    (void)state;
    clock_civil c;
    char buf[128];
    clock_civil_from_epoch(GUIZHOU_0930, 480, &c);
    clock_date_text(&c, CLOCK_LANG_KO, buf, sizeof buf);
    assert_string_equal(buf, "2026년 11월 25일 수요일");
    clock_date_text(&c, CLOCK_LANG_ZH, buf, sizeof buf);
    assert_string_equal(buf, "2026年11月25日 星期三");
    clock_date_text(&c, CLOCK_LANG_EN, buf, sizeof buf);
    assert_string_equal(buf, "Wednesday 25 November 2026");
    clock_time_text(&c, 1, buf, sizeof buf);
    assert_string_equal(buf, "09:30:05");
    clock_time_text(&c, 0, buf, sizeof buf);
    assert_string_equal(buf, "09:30");
    clock_iso_text(&c, 480, buf, sizeof buf);
    assert_string_equal(buf, "2026-11-25T09:30:05+08:00");

    clock_civil_from_epoch(0, -570, &c); /* 1969-12-31 14:30 at UTC-9:30, a Wednesday */
    clock_iso_text(&c, -570, buf, sizeof buf);
    assert_string_equal(buf, "1969-12-31T14:30:00-09:30");
    clock_date_text(&c, CLOCK_LANG_ZH, buf, sizeof buf);
    assert_string_equal(buf, "1969年12月31日 星期三");

    clock_civil_from_epoch(1709164800, 0, &c); /* 2024-02-29, a Thursday */
    clock_date_text(&c, CLOCK_LANG_KO, buf, sizeof buf);
    assert_string_equal(buf, "2024년 2월 29일 목요일");
    clock_date_text(&c, CLOCK_LANG_EN, buf, sizeof buf);
    assert_string_equal(buf, "Thursday 29 February 2024");

    static const struct {
        int offset;
        const char *text;
    } zones[] = {{480, "UTC+8"}, {0, "UTC"}, {330, "UTC+5:30"}, {-570, "UTC-9:30"},
                 {-720, "UTC-12"}, {840, "UTC+14"}, {45, "UTC+0:45"}};
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        clock_offset_text(zones[i].offset, buf, sizeof buf);
        assert_string_equal(buf, zones[i].text);
    }
    assert_int_equal(clock_lang_from_code("ko"), CLOCK_LANG_KO);
    assert_int_equal(clock_lang_from_code("zh"), CLOCK_LANG_ZH);
    assert_int_equal(clock_lang_from_code("en"), CLOCK_LANG_EN);
    assert_int_equal(clock_lang_from_code("EN"), -1);
    assert_int_equal(clock_lang_from_code(""), -1);
    assert_string_equal(clock_lang_code(CLOCK_LANG_ZH), "zh");
}

/* ---- the plugin --------------------------------------------------------------------------- */

static void test_loads_hidden_and_named(void **state)
{
    fixture *f = *state;
    assert_string_equal(f->pf.plugin.name, "clock");
    assert_string_equal(f->pf.plugin.desc.version, "1.0.0");
    /* no tick: a tick that said "draw me again" would keep the wall at full frame rate */
    assert_null(f->pf.plugin.desc.tick);
    assert_non_null(f->pf.plugin.desc.report);
    assert_null(dlsym(f->pf.plugin.handle, "clock_create"));
    assert_null(dlsym(f->pf.plugin.handle, "clock_civil_from_epoch"));
    assert_non_null(dlsym(f->pf.plugin.handle, WB_PLUGIN_ENTRY_SYMBOL));
}

static void test_frozen_instant_exact(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, HALL_TITLE, "{\"fixed_epoch_s\": 1795570205}");
    /* before the first render the report already reads right */
    pf_assert_report(&f->pf, "{\"time\": \"09:30:05\", \"local\": \"2026-11-25T09:30:05+08:00\"}");
    render(f, WIDE);
    assert_int_equal(f->host.led_calls, 1);
    assert_string_equal(f->host.led_text, "09:30:05");
    assert_int_equal(f->host.led_ghost, 1);
    assert_int_equal(f->host.led_align, WB_ALIGN_CENTER);
    assert_int_equal(f->host.led_color.r, 10 * WB_COLOR_LED);
    assert_int_equal(f->host.frame_at_calls, 0); /* frozen: nothing to wake up for */
    pf_assert_report(&f->pf,
                     "{\"time\": \"09:30:05\", \"local\": \"2026-11-25T09:30:05+08:00\", "
                     "\"date\": [\"2026년 11월 25일 수요일\", \"2026年11月25日 星期三\", "
                     "\"Wednesday 25 November 2026\"], \"date_languages\": [\"ko\", \"zh\", "
                     "\"en\"], \"date_lines\": 1, \"zone\": \"UTC+8\", "
                     "\"utc_offset_minutes\": 480, \"frozen\": true, \"next_frame_ms\": null, "
                     "\"title\": \"" HALL_TITLE "\", \"overflow\": false}");
    assert_int_equal(f->host.base.logs, 0);
}

static void test_offsets(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *options, *time, *local, *zone, *first_date;
    } cases[] = {
        {"{\"utc_offset_minutes\": 540, \"fixed_epoch_s\": 1795570205}", "10:30:05",
         "2026-11-25T10:30:05+09:00", "UTC+9", "2026년 11월 25일 수요일"},
        {"{\"utc_offset_minutes\": -300, \"fixed_epoch_s\": 1795570205}", "20:30:05",
         "2026-11-24T20:30:05-05:00", "UTC-5", "2026년 11월 24일 화요일"},
        {"{\"utc_offset_minutes\": 330, \"fixed_epoch_s\": 1795570205}", "07:00:05",
         "2026-11-25T07:00:05+05:30", "UTC+5:30", "2026년 11월 25일 수요일"},
        {"{\"utc_offset_minutes\": 0, \"fixed_epoch_s\": 0}", "00:00:00",
         "1970-01-01T00:00:00+00:00", "UTC", "1970년 1월 1일 목요일"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pf_start(&f->pf, NULL, cases[i].options);
        render(f, WIDE);
        assert_string_equal(f->host.led_text, cases[i].time);
        char buf[128];
        assert_string_equal(report_string(f, "local", buf, sizeof buf), cases[i].local);
        assert_string_equal(report_string(f, "zone", buf, sizeof buf), cases[i].zone);
        json_t *out = pf_report(&f->pf);
        assert_string_equal(json_string_value(json_array_get(json_object_get(out, "date"), 0)),
                            cases[i].first_date);
        json_decref(out);
    }
}

static void test_without_seconds(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, NULL, "{\"seconds\": false, \"fixed_epoch_s\": 1795570205}");
    render(f, WIDE);
    assert_string_equal(f->host.led_text, "09:30");
    pf_assert_report(&f->pf, "{\"time\": \"09:30\", \"local\": \"2026-11-25T09:30:05+08:00\"}");
}

static void test_date_languages(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, NULL, "{\"date\": [\"en\"], \"fixed_epoch_s\": 1795570205}");
    render(f, WIDE);
    assert_non_null(find_text(f, "Wednesday 25 November 2026"));
    pf_assert_report(&f->pf, "{\"date\": [\"Wednesday 25 November 2026\"], "
                             "\"date_languages\": [\"en\"], \"date_lines\": 1}");

    pf_start(&f->pf, NULL, "{\"date\": [\"zh\", \"ko\"], \"fixed_epoch_s\": 1795570205}");
    render(f, WIDE);
    assert_non_null(find_text(f, "2026年11月25日 星期三 · 2026년 11월 25일 수요일"));

    pf_start(&f->pf, NULL, "{\"date\": [], \"fixed_epoch_s\": 1795570205}");
    render(f, WIDE);
    assert_int_equal(f->host.text_calls, 0); /* no title, no date */
    assert_int_equal(f->host.led_calls, 1);
    pf_assert_report(&f->pf, "{\"date\": [], \"date_languages\": [], \"date_lines\": 0}");
}

static void test_option_errors(void **state)
{
    fixture *f = *state;
    static const char date_err[] =
        "option \"date\" must be an array of \"ko\", \"zh\" and \"en\", each at most once";
    static const char offset_err[] = "option \"utc_offset_minutes\" must be an integer -720..840";
    static const char epoch_err[] =
        "option \"fixed_epoch_s\" must be an integer 0..253402300799 (seconds since 1970 UTC)";
    static const struct {
        const char *options, *err;
    } cases[] = {
        {"{\"utc_offset_minutes\": 841}", offset_err},
        {"{\"utc_offset_minutes\": -721}", offset_err},
        {"{\"utc_offset_minutes\": \"480\"}", offset_err},
        {"{\"utc_offset_minutes\": 480.0}", offset_err},
        {"{\"seconds\": 1}", "option \"seconds\" must be true or false"},
        {"{\"seconds\": \"yes\"}", "option \"seconds\" must be true or false"},
        {"{\"date\": \"ko\"}", date_err},
        {"{\"date\": [\"fr\"]}", date_err},
        {"{\"date\": [\"ko\", \"ko\"]}", date_err},
        {"{\"date\": [\"ko\", \"zh\", \"en\", \"ko\"]}", date_err},
        {"{\"date\": [1]}", date_err},
        {"{\"color\": \"red\"}", "option \"color\" must be a colour \"#rrggbb\""},
        {"{\"fixed_epoch_s\": -1}", epoch_err},
        {"{\"fixed_epoch_s\": 253402300800}", epoch_err},
        {"{\"fixed_epoch_s\": 1.5}", epoch_err},
        {"{\"fixed_epoch_s\": \"1795570205\"}", epoch_err},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        pf_assert_refused(&f->pf, cases[i].options, cases[i].err);
    pf_assert_refused(&f->pf, "[]", "options must be an object");
}

static void test_unknown_option_is_logged_not_fatal(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, NULL, "{\"timezone\": \"Asia/Shanghai\", \"fixed_epoch_s\": 0}");
    assert_int_equal(f->host.base.logs, 1);
    assert_string_equal(f->host.base.last_log, "clock: unknown option \"timezone\" ignored");
    pf_assert_report(&f->pf, "{\"title\": \"\", \"utc_offset_minutes\": 480}");
}

static void test_too_old_services_refused(void **state)
{
    fixture *f = *state;
    pf_assert_old_services_refused(&f->pf, "clock needs host services of ABI 1.0 or later");
}

static time_t realtime_s(void)
{
    struct timespec ts;
    assert_int_equal(clock_gettime(CLOCK_REALTIME, &ts), 0);
    return ts.tv_sec;
}

/* Live: one frame asked for just after the second turns, and nothing else keeps it awake. */
static void test_live_asks_for_the_next_second(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, HALL_TITLE, "{}");
    /* The plugin reads CLOCK_REALTIME; time() is the coarse clock, which may still be in the
     * second before it (it failed this test once under ASan). */
    time_t before = realtime_s();
    render(f, WIDE);
    time_t after = realtime_s();
    assert_int_equal(f->host.frame_at_calls, 1);
    assert_true(f->host.frame_at > f->host.base.now);
    assert_true(f->host.frame_at <= f->host.base.now + 1000 + 3);
    json_t *out = pf_report(&f->pf);
    assert_int_equal(json_integer_value(json_object_get(out, "next_frame_ms")),
                     (json_int_t)(f->host.frame_at - f->host.base.now));
    assert_false(json_is_true(json_object_get(out, "frozen")));

    /* the shown second is the real one, in UTC+8 */
    const char *local = json_string_value(json_object_get(out, "local"));
    int matched = 0;
    for (time_t t = before; t <= after; t++) {
        clock_civil c;
        char iso[40];
        clock_civil_from_epoch(t, 480, &c);
        clock_iso_text(&c, 480, iso, sizeof iso);
        matched |= strcmp(iso, local) == 0;
    }
    assert_true(matched);
    json_decref(out);

    /* each render asks again; a message changes nothing */
    f->host.base.now += 1000;
    render(f, WIDE);
    assert_int_equal(f->host.frame_at_calls, 2);
    assert_true(f->host.frame_at > f->host.base.now && f->host.frame_at <= f->host.base.now + 1003);
    assert_int_equal(f->pf.plugin.desc.on_message(f->pf.self, out = json_pack("{s:i}", "value", 3)),
                     WB_MSG_IGNORED);
    json_decref(out);
}

static void test_live_minutes_ask_for_the_next_minute(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, NULL, "{\"seconds\": false}");
    render(f, WIDE);
    assert_int_equal(f->host.frame_at_calls, 1);
    assert_true(f->host.frame_at > f->host.base.now &&
                f->host.frame_at <= f->host.base.now + 60003);
}

/* A host without request_frame_at: the clock still shows, logs why it will not move alone. */
static void test_host_without_frame_at(void **state)
{
    fixture *f = *state;
    wb_host_services old = fake_services;
    old.size = offsetof(wb_host_services, request_frame_at);
    f->pf.services = &old;
    pf_start(&f->pf, NULL, "{}");
    assert_int_equal(f->host.base.logs, 1);
    assert_string_equal(f->host.base.last_log,
                        "clock: the host cannot schedule frames; the time moves only on redraws");
    render(f, WIDE);
    assert_int_equal(f->host.led_calls, 1);
    assert_int_equal(f->host.frame_at_calls, 0);
    pf_assert_report(&f->pf, "{\"next_frame_ms\": null}");
}

/* Title on top, the digits under it, the date under them: inside the tile, no overlap. */
static void assert_stacked(fixture *f, wb_rect tile, int date_lines)
{
    const drawn_text *title = &f->host.texts[0];
    assert_true(f->host.text_calls >= 1 + date_lines);
    assert_true(pf_inside(f->host.led_box, tile));
    assert_true(title->box.y + title->box.h <= f->host.led_box.y);
    for (int i = 0; i < f->host.text_calls; i++) assert_true(pf_inside(f->host.texts[i].box, tile));
    for (int i = f->host.text_calls - date_lines; i < f->host.text_calls; i++) {
        const drawn_text *d = &f->host.texts[i];
        assert_true(d->box.y >= f->host.led_box.y + f->host.led_box.h);
        assert_int_equal(d->align, WB_ALIGN_CENTER);
        assert_true(d->px >= 8);
        if (i > f->host.text_calls - date_lines)
            assert_true(d->box.y >= f->host.texts[i - 1].box.y + f->host.texts[i - 1].box.h);
    }
}

static void test_layout_wide_one_date_line(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, HALL_TITLE, "{\"fixed_epoch_s\": 1795570205}");
    render(f, WIDE);
    pf_assert_report(&f->pf, "{\"date_lines\": 1, \"overflow\": false}");
    assert_int_equal(f->host.text_calls, 3); /* the title on two lines, the date */
    assert_stacked(f, WIDE, 1);
    /* the digits are the tile's largest part */
    assert_true(f->host.led_box.h >= WIDE.h * 2 / 5);
    assert_string_equal(f->host.texts[2].text, "2026년 11월 25일 수요일 · 2026年11月25日 星期三 · "
                                               "Wednesday 25 November 2026");
}

static void test_layout_small_one_language_a_line(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, HALL_TITLE, "{\"fixed_epoch_s\": 1795570205}");
    render(f, SMALL);
    pf_assert_report(&f->pf, "{\"date_lines\": 3, \"overflow\": false}");
    assert_stacked(f, SMALL, 3);
    assert_non_null(find_text(f, "2026年11月25日 星期三"));
    /* all three lines at one size */
    int n = f->host.text_calls;
    assert_int_equal(f->host.texts[n - 1].px, f->host.texts[n - 3].px);
}

static void test_layout_scales_with_tile(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, HALL_TITLE, "{\"fixed_epoch_s\": 1795570205}");
    render(f, WIDE);
    wb_rect small = f->host.led_box;
    int small_px = f->host.texts[f->host.text_calls - 1].px;
    wb_rect big_tile = {WIDE.x * 2, WIDE.y * 2, WIDE.w * 2, WIDE.h * 2};
    render(f, big_tile);
    assert_true(abs(f->host.led_box.h - 2 * small.h) <= 2);
    assert_true(abs(f->host.texts[f->host.text_calls - 1].px - 2 * small_px) <= 2);
    pf_assert_report(&f->pf, "{\"overflow\": false}");
}

/* The layout is measured once per tile size and day, not every second. */
static void test_layout_kept_between_seconds(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, HALL_TITLE, "{}");
    render(f, WIDE);
    int measured = f->host.measure_calls;
    assert_true(measured > 0);
    render(f, WIDE);
    render(f, WIDE);
    assert_int_equal(f->host.measure_calls, measured);
    render(f, SMALL);
    assert_true(f->host.measure_calls > measured);
}

static void test_no_title_gives_the_digits_the_room(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, NULL, "{\"fixed_epoch_s\": 1795570205}");
    render(f, WIDE);
    wb_rect without = f->host.led_box;
    json_t *out = pf_report(&f->pf);
    /* only the date's lines */
    assert_int_equal(f->host.text_calls, json_integer_value(json_object_get(out, "date_lines")));
    json_decref(out);
    pf_start(&f->pf, HALL_TITLE, "{\"fixed_epoch_s\": 1795570205}");
    render(f, WIDE);
    assert_true(without.h > f->host.led_box.h);
    pf_assert_report(&f->pf, "{\"title\": \"" HALL_TITLE "\"}");
}

static void test_color_option(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, NULL, "{\"color\": \"#00ff66\", \"fixed_epoch_s\": 0}");
    render(f, WIDE);
    assert_int_equal(f->host.led_color.r, 0);
    assert_int_equal(f->host.led_color.g, 0xff);
    assert_int_equal(f->host.led_color.b, 0x66);
}

static void test_overflow_tracked_per_render(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, HALL_TITLE, "{\"fixed_epoch_s\": 0}");
    f->host.text_result = 1;
    render(f, WIDE);
    pf_assert_report(&f->pf, "{\"overflow\": true}");
    f->host.text_result = 0;
    render(f, WIDE);
    pf_assert_report(&f->pf, "{\"overflow\": false}");
}

static void test_without_measure(void **state)
{
    fixture *f = *state;
    f->host.measure_fails = 1;
    pf_start(&f->pf, HALL_TITLE, "{\"fixed_epoch_s\": 1795570205}");
    render(f, WIDE);
    assert_int_equal(f->host.led_calls, 1);
    assert_string_equal(f->host.led_text, "09:30:05");
    pf_assert_report(&f->pf, "{\"date_lines\": 3}"); /* one language a line, fitted by the host */
    assert_int_equal(f->host.texts[f->host.text_calls - 1].px, 0);
}

static void test_tiny_and_empty_tiles(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, HALL_TITLE, "{\"fixed_epoch_s\": 0}");
    static const wb_rect tiles[] = {{0, 0, 0, 0}, {0, 0, 5, 5}, {0, 0, 40, 20}, {0, 0, 1, 400},
                                    {0, 0, 400, 1}};
    for (size_t i = 0; i < sizeof tiles / sizeof tiles[0]; i++) {
        render(f, tiles[i]); /* the fake host asserts every box it gets is sane */
        if (f->host.led_calls) assert_true(pf_inside(f->host.led_box, tiles[i]));
        for (int t = 0; t < f->host.text_calls; t++)
            assert_true(pf_inside(f->host.texts[t].box, tiles[i]));
    }
    pf_assert_report(&f->pf, "{\"time\": \"08:00:00\"}");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, pf_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calendar_matches_libc),
        cmocka_unit_test(test_calendar_texts),
        T(test_loads_hidden_and_named),
        T(test_frozen_instant_exact),
        T(test_offsets),
        T(test_without_seconds),
        T(test_date_languages),
        T(test_option_errors),
        T(test_unknown_option_is_logged_not_fatal),
        T(test_too_old_services_refused),
        T(test_live_asks_for_the_next_second),
        T(test_live_minutes_ask_for_the_next_minute),
        T(test_host_without_frame_at),
        T(test_layout_wide_one_date_line),
        T(test_layout_small_one_language_a_line),
        T(test_layout_scales_with_tile),
        T(test_layout_kept_between_seconds),
        T(test_no_title_gives_the_digits_the_room),
        T(test_color_option),
        T(test_overflow_tracked_per_render),
        T(test_without_measure),
        T(test_tiny_and_empty_tiles),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
