/* test_wbkit.c: every function of the plugin kit, against a small recording fake host.
 * Needs no display and no host: the kit is linked alone, as a plugin links it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "wbkit.h"

/* ---- a fake host: only the services the kit calls ----------------------------------------- */

struct wb_host {
    int logs;
    char log[256];
    int measure_width;   /* every label measures this wide; -1: measuring fails */
    int byte_width;      /* > 0: a label measures this much a byte instead */
    double led_em;       /* > 0: the test measures LED text, a character this many px a px */
    int measured_px;
    int measures;
    int draws;
    char drawn[2][128];
    wb_rect boxes[2];
    int draw_result;     /* what draw_text answers */
};

static void fake_log(wb_host *h, wb_log_level level, const char *fmt, ...)
{
    assert_int_equal(level, WB_LOG_WARN);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->log, sizeof h->log, fmt, ap);
    va_end(ap);
    h->logs++;
}

static int fake_measure(wb_host *h, wb_font_role role, int px, const char *text, int *w, int *ht)
{
    assert_int_equal(role, h->led_em > 0 ? WB_FONT_LED : WB_FONT_LABEL);
    assert_non_null(text);
    assert_true(px >= 1);
    h->measured_px = px;
    h->measures++;
    if (h->measure_width < 0) return -1;
    if (h->led_em > 0) *w = (int)lround(h->led_em * px * (double)strlen(text));
    else if (h->byte_width > 0) *w = h->byte_width * (int)strlen(text);
    else *w = h->measure_width;
    *ht = px;
    return 0;
}

static int fake_draw_text(wb_host *h, wb_font_role role, int px, const char *text, wb_rect box,
                          wb_align align, wb_color color)
{
    (void)color;
    assert_int_equal(role, WB_FONT_LABEL);
    assert_int_equal(px, 0);
    assert_int_equal(align, WB_ALIGN_LEFT);
    assert_true(h->draws < 2);
    snprintf(h->drawn[h->draws], sizeof h->drawn[0], "%s", text);
    h->boxes[h->draws++] = box;
    return h->draw_result;
}

/* Rounded like the host's, and never "-0": -0.001 with 2 decimals is "0.00". */
static int fake_format(double value, int decimals, const char *separator, char *buf, size_t size)
{
    assert_null(separator);
    double scale = pow(10, decimals);
    if (round(fabs(value) * scale) == 0) value = 0.0;
    return snprintf(buf, size, "%.*f", decimals, value);
}

static const wb_host_services services = {
    .size = sizeof(wb_host_services),
    .abi_major = WB_ABI_MAJOR,
    .abi_minor = WB_ABI_MINOR,
    .log = fake_log,
    .measure_text = fake_measure,
    .draw_text = fake_draw_text,
    .format_number = fake_format,
};

static json_t *parse(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    if (!j) print_error("bad JSON in the test: %s\n", jerr.text);
    assert_non_null(j);
    return j;
}

/* ---- options ------------------------------------------------------------------------------ */

static void option_error_text(void **state)
{
    (void)state;
    char err[64];
    assert_int_equal(wbkit_option_error(err, sizeof err, "size", "small"), -1);
    assert_string_equal(err, "option \"size\" must be small");
    char tiny[8];
    wbkit_option_error(tiny, sizeof tiny, "size", "small");
    assert_string_equal(tiny, "option "); /* cut, but terminated */
}

static void read_int(void **state)
{
    (void)state;
    json_t *o = parse("{\"a\": 7, \"lo\": -1, \"hi\": 13, \"real\": 2.0, \"s\": \"2\", \"b\": true}");
    char err[128] = "";
    int out = 99;
    assert_int_equal(wbkit_read_int(o, "absent", 0, 12, &out, err, sizeof err), 0);
    assert_int_equal(out, 99);
    assert_int_equal(wbkit_read_int(o, "a", 0, 12, &out, err, sizeof err), 1);
    assert_int_equal(out, 7);
    static const char *const bad[] = {"lo", "hi", "real", "s", "b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        out = 99;
        assert_int_equal(wbkit_read_int(o, bad[i], 0, 12, &out, err, sizeof err), -1);
        char want[64];
        snprintf(want, sizeof want, "option \"%s\" must be an integer 0..12", bad[i]);
        assert_string_equal(err, want);
        assert_int_equal(out, 99);
    }
    assert_int_equal(wbkit_read_int(o, "lo", -5, 5, &out, err, sizeof err), 1);
    assert_int_equal(out, -1);
    json_decref(o);
}

static void read_bool(void **state)
{
    (void)state;
    json_t *o = parse("{\"on\": true, \"off\": false, \"n\": 1, \"s\": \"true\", \"z\": null}");
    char err[128] = "";
    int out = 7;
    assert_int_equal(wbkit_read_bool(o, "absent", &out, err, sizeof err), 0);
    assert_int_equal(out, 7);
    assert_int_equal(wbkit_read_bool(o, "on", &out, err, sizeof err), 1);
    assert_int_equal(out, 1);
    assert_int_equal(wbkit_read_bool(o, "off", &out, err, sizeof err), 1);
    assert_int_equal(out, 0);
    static const char *const bad[] = {"n", "s", "z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        out = 7;
        assert_int_equal(wbkit_read_bool(o, bad[i], &out, err, sizeof err), -1);
        char want[64];
        snprintf(want, sizeof want, "option \"%s\" must be true or false", bad[i]);
        assert_string_equal(err, want);
        assert_int_equal(out, 7);
    }
    json_decref(o);
}

static void read_string(void **state)
{
    (void)state;
    json_t *o = parse("{\"unit\": \"kWh\", \"empty\": \"\", \"n\": 3, \"cjk\": \"人\"}");
    char err[128] = "";
    char *out = strdup("old");
    assert_int_equal(wbkit_read_string(o, "absent", &out, err, sizeof err), 0);
    assert_int_equal(wbkit_read_string(o, "empty", &out, err, sizeof err), 0);
    assert_string_equal(out, "old");
    assert_int_equal(wbkit_read_string(o, "n", &out, err, sizeof err), -1);
    assert_string_equal(err, "option \"n\" must be a string");
    assert_string_equal(out, "old");
    assert_int_equal(wbkit_read_string(o, "unit", &out, err, sizeof err), 1); /* frees "old" */
    assert_string_equal(out, "kWh");
    assert_int_equal(wbkit_read_string(o, "cjk", &out, err, sizeof err), 1);
    assert_string_equal(out, "人");
    free(out);

    char *none = NULL;
    assert_int_equal(wbkit_read_string(o, "unit", &none, err, sizeof err), 1);
    assert_string_equal(none, "kWh");
    free(none);
    json_decref(o);
}

static void json_pointer_syntax(void **state)
{
    (void)state;
    static const char *const good[] = {"/value", "/", "/a/0/b", "/a~0b", "/a~1b", "//"};
    static const char *const bad[] = {"", "value", "a/b", "/a~", "/a~2", "/~x", "#/a"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_true(wbkit_is_json_pointer(good[i]));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(wbkit_is_json_pointer(bad[i]));
}

static void read_pointer(void **state)
{
    (void)state;
    json_t *o = parse("{\"ok\": \"/beds/0/free\", \"rel\": \"value\", \"tilde\": \"/a~2\", "
                      "\"n\": 1, \"empty\": \"\"}");
    char err[128] = "";
    char *out = strdup("/value");
    assert_int_equal(wbkit_read_pointer(o, "empty", &out, err, sizeof err), 0);
    assert_int_equal(wbkit_read_pointer(o, "rel", &out, err, sizeof err), -1);
    assert_string_equal(err, "option \"rel\" must be a JSON pointer like \"/value\"");
    assert_int_equal(wbkit_read_pointer(o, "tilde", &out, err, sizeof err), -1);
    assert_string_equal(err, "option \"tilde\" must be a JSON pointer like \"/value\"");
    assert_string_equal(out, "/value"); /* a refused pointer leaves the old one */
    assert_int_equal(wbkit_read_pointer(o, "n", &out, err, sizeof err), -1);
    assert_string_equal(err, "option \"n\" must be a string");
    assert_int_equal(wbkit_read_pointer(o, "ok", &out, err, sizeof err), 1);
    assert_string_equal(out, "/beds/0/free");
    free(out);
    json_decref(o);
}

static void colors(void **state)
{
    (void)state;
    wb_color c = {1, 2, 3, 4};
    assert_int_equal(wbkit_parse_color("#00FF80", &c), 0);
    assert_true(c.r == 0 && c.g == 255 && c.b == 128 && c.a == 255);
    assert_int_equal(wbkit_parse_color("#a0b1c2", &c), 0);
    assert_true(c.r == 0xa0 && c.g == 0xb1 && c.b == 0xc2);
    static const char *const bad[] = {"", "red", "#12345", "#1234567", "#12345g", "00ff80",
                                      "#-12345", "# 12345"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(wbkit_parse_color(bad[i], &c), -1);
        assert_int_equal(c.r, 0xa0); /* left alone */
    }

    json_t *o = parse("{\"c\": \"#102030\", \"word\": \"red\", \"n\": 16711680}");
    char err[128] = "";
    wb_color out = {9, 9, 9, 9};
    assert_int_equal(wbkit_read_color(o, "absent", &out, err, sizeof err), 0);
    assert_int_equal(out.r, 9);
    assert_int_equal(wbkit_read_color(o, "word", &out, err, sizeof err), -1);
    assert_string_equal(err, "option \"word\" must be a colour \"#rrggbb\"");
    assert_int_equal(wbkit_read_color(o, "n", &out, err, sizeof err), -1);
    assert_string_equal(err, "option \"n\" must be a colour \"#rrggbb\"");
    assert_int_equal(wbkit_read_color(o, "c", &out, err, sizeof err), 1);
    assert_true(out.r == 0x10 && out.g == 0x20 && out.b == 0x30 && out.a == 255);
    json_decref(o);
}

static void thresholds(void **state)
{
    (void)state;
    json_t *o = parse("{\"full\": {\"warn\": 80, \"alarm\": 95.5, \"below\": true},"
                      " \"warn_only\": {\"warn\": -3}, \"below_only\": {\"below\": true},"
                      " \"empty\": {}, \"not_object\": [80], \"warn_str\": {\"warn\": \"80\"},"
                      " \"alarm_null\": {\"alarm\": null}, \"below_int\": {\"below\": 1}}");
    char err[160] = "";
    wb_thresholds t = {1, 2, 3};
    assert_int_equal(wbkit_read_thresholds(o, "absent", &t, err, sizeof err), 0);
    assert_true(isnan(t.warn) && isnan(t.alarm) && t.below == 0);
    assert_int_equal(wbkit_read_thresholds(o, "full", &t, err, sizeof err), 1);
    assert_true(t.warn == 80 && t.alarm == 95.5 && t.below == 1);
    assert_int_equal(wbkit_read_thresholds(o, "warn_only", &t, err, sizeof err), 1);
    assert_true(t.warn == -3 && isnan(t.alarm) && t.below == 0);
    assert_int_equal(wbkit_read_thresholds(o, "below_only", &t, err, sizeof err), 0);
    assert_true(isnan(t.warn) && isnan(t.alarm) && t.below == 1);
    assert_int_equal(wbkit_read_thresholds(o, "empty", &t, err, sizeof err), 0);

    static const struct {
        const char *name, *err;
    } bad[] = {
        {"not_object", "option \"not_object\" must be an object like {\"warn\": 80, "
                       "\"alarm\": 95, \"below\": false}"},
        {"warn_str", "option \"warn_str\": \"warn\" must be a number"},
        {"alarm_null", "option \"alarm_null\": \"alarm\" must be a number"},
        {"below_int", "option \"below_int\": \"below\" must be true or false"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(wbkit_read_thresholds(o, bad[i].name, &t, err, sizeof err), -1);
        assert_string_equal(err, bad[i].err);
    }
    json_decref(o);
}

static void unknown_keys(void **state)
{
    (void)state;
    wb_host h = {0};
    static const char *const known[] = {"value", "unit", NULL};
    json_t *o = parse("{\"value\": 1, \"unti\": 2, \"thresholds\": {\"warn\": 1, \"warning\": 2}}");
    wbkit_warn_unknown_keys(&services, &h, "queue", o, known, "option");
    assert_int_equal(h.logs, 2); /* "unti" and "thresholds" are not in this list */
    wbkit_warn_unknown_threshold_keys(&services, &h, "queue", json_object_get(o, "thresholds"));
    assert_int_equal(h.logs, 3);
    assert_string_equal(h.log, "queue: unknown threshold \"warning\" ignored");

    json_t *one = parse("{\"unti\": 2}");
    wbkit_warn_unknown_keys(&services, &h, "queue", one, known, "option");
    assert_string_equal(h.log, "queue: unknown option \"unti\" ignored");
    assert_int_equal(h.logs, 4);

    /* not objects: nothing to warn about */
    wbkit_warn_unknown_keys(&services, &h, "queue", NULL, known, "option");
    wbkit_warn_unknown_threshold_keys(&services, &h, "queue", json_object_get(o, "value"));
    wbkit_warn_unknown_threshold_keys(&services, &h, "queue", NULL);
    assert_int_equal(h.logs, 4);
    json_decref(one);
    json_decref(o);
}

/* ---- create and report ------------------------------------------------------------------ */

static void check_services(void **state)
{
    (void)state;
    static const char reason[] = "demo needs host services of ABI 1.0 or later";
    wb_host h = {0};
    wb_host_services svc = services;
    wb_tile_info tile = {.size = sizeof tile, .id = "t", .services = &svc, .host = &h};
    char err[128] = "untouched";
    assert_int_equal(wbkit_check_services(&tile, "demo", err, sizeof err), 0);
    assert_string_equal(err, "untouched");

    /* a 1.0 table ends at json_pointer: enough; one member shorter is not */
    svc.size = offsetof(wb_host_services, json_pointer) + sizeof svc.json_pointer;
    assert_int_equal(wbkit_check_services(&tile, "demo", err, sizeof err), 0);
    svc.size = offsetof(wb_host_services, json_pointer);
    assert_int_equal(wbkit_check_services(&tile, "demo", err, sizeof err), -1);
    assert_string_equal(err, reason);

    svc = services;
    svc.abi_major = WB_ABI_MAJOR + 1;
    strcpy(err, "untouched");
    assert_int_equal(wbkit_check_services(&tile, "demo", err, sizeof err), -1);
    assert_string_equal(err, reason);

    svc = services; /* a tile too short to hold host: its services are not even looked at */
    tile.size = offsetof(wb_tile_info, host);
    strcpy(err, "untouched");
    assert_int_equal(wbkit_check_services(&tile, "demo", err, sizeof err), -1);
    assert_string_equal(err, reason);

    tile.size = sizeof tile;
    tile.services = NULL;
    strcpy(err, "untouched");
    assert_int_equal(wbkit_check_services(&tile, "demo", err, sizeof err), -1);
    assert_string_equal(err, reason);
    strcpy(err, "untouched");
    assert_int_equal(wbkit_check_services(NULL, "demo", err, sizeof err), -1);
    assert_string_equal(err, reason);

    char tiny[6];
    assert_int_equal(wbkit_check_services(NULL, "demo", tiny, sizeof tiny), -1);
    assert_string_equal(tiny, "demo "); /* cut, but terminated */
}

static void level_names(void **state)
{
    (void)state;
    assert_string_equal(wbkit_level_name(WB_LEVEL_NORMAL), "normal");
    assert_string_equal(wbkit_level_name(WB_LEVEL_WARN), "warn");
    assert_string_equal(wbkit_level_name(WB_LEVEL_ALARM), "alarm");
    assert_string_equal(wbkit_level_name((wb_level)7), "normal");
}

static void number_json(void **state)
{
    (void)state;
    static const struct {
        double value;
        const char *json;
    } cases[] = {
        {42.0, "42"},     {-7, "-7"},   {0.0, "0"}, {-0.0, "0"}, {3.5, "3.5"},
        {-0.25, "-0.25"}, {1e15, "1000000000000000"}, {-1e15, "-1000000000000000"},
        {1e16, "10000000000000000.0"}, {1e15 + 2, "1000000000000002.0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *j = wbkit_number_json(cases[i].value);
        assert_non_null(j);
        char *text = json_dumps(j, JSON_ENCODE_ANY);
        if (strcmp(text, cases[i].json) != 0) print_error("%g: %s\n", cases[i].value, text);
        assert_string_equal(text, cases[i].json);
        /* integral within the limit: an integer; anything else: a real */
        assert_int_equal(json_is_integer(j), fabs(cases[i].value) <= WBKIT_EXACT_MAX &&
                                                 cases[i].value == floor(cases[i].value));
        free(text);
        json_decref(j);
    }
}

/* ---- animation ---------------------------------------------------------------------------- */

static void ease_out_curve(void **state)
{
    (void)state;
    assert_true(wbkit_ease_out(0.0) == 0.0);
    assert_true(wbkit_ease_out(1.0) == 1.0);
    assert_true(wbkit_ease_out(0.5) == 0.875);
    double last = 0.0;
    for (int i = 1; i <= 100; i++) { /* rising, and fastest at the start */
        double v = wbkit_ease_out(i / 100.0);
        assert_true(v > last);
        if (i > 1) assert_true(v - last <= wbkit_ease_out(0.01));
        last = v;
    }
}

static void anim_counts_up_and_lands_exactly(void **state)
{
    (void)state;
    wbkit_anim a;
    wbkit_anim_init(&a, 600);
    assert_false(a.has_value);
    assert_int_equal(wbkit_anim_tick(&a, 1000), 0); /* nothing to do yet */

    assert_int_equal(wbkit_anim_set(&a, 100, 1000), 1);
    assert_true(a.has_value && a.animating);
    assert_true(a.target == 100 && a.shown == 0); /* the first value counts up from 0 */
    assert_true(wbkit_anim_value_at(&a, 1300) == 87.5);
    assert_true(wbkit_anim_value_at(&a, 999) == 0); /* before the start: where it started */

    assert_int_equal(wbkit_anim_tick(&a, 1300), 1);
    assert_true(a.shown == 87.5);
    assert_int_equal(wbkit_anim_tick(&a, 1599), 1);
    assert_true(a.shown > 99.99 && a.shown < 100);
    assert_int_equal(wbkit_anim_tick(&a, 1600), 1); /* lands: once more, to be drawn */
    assert_true(a.shown == 100);
    assert_false(a.animating);
    assert_int_equal(wbkit_anim_tick(&a, 1616), 0);
    assert_int_equal(wbkit_anim_tick(&a, 9000), 0);
    assert_true(a.shown == 100);

    /* a late tick far past the end lands in one step */
    assert_int_equal(wbkit_anim_set(&a, 1e15 / 3, 2000), 1);
    assert_int_equal(wbkit_anim_tick(&a, 50000), 1);
    assert_true(a.shown == 1e15 / 3);
    assert_int_equal(wbkit_anim_tick(&a, 50001), 0);
}

static void anim_restarts_from_shown(void **state)
{
    (void)state;
    wbkit_anim a;
    wbkit_anim_init(&a, 600);
    wbkit_anim_set(&a, 100, 1000);
    assert_int_equal(wbkit_anim_set(&a, 200, 1300), 1); /* mid-way, at 87.5 */
    assert_true(a.from == 87.5 && a.shown == 87.5 && a.start_ms == 1300);
    assert_int_equal(wbkit_anim_tick(&a, 1600), 1);
    assert_true(a.shown == 87.5 + 112.5 * 0.875);
    assert_int_equal(wbkit_anim_tick(&a, 1900), 1);
    assert_true(a.shown == 200);
    assert_int_equal(wbkit_anim_tick(&a, 1901), 0);

    /* downwards, and from a value that was set without ticking in between */
    wbkit_anim_set(&a, 0, 2000);
    wbkit_anim_set(&a, 50, 2300); /* shown was 25 at 2300, though never ticked */
    assert_true(a.from == 25 && a.target == 50);

    /* a new target equal to what is shown right now simply lands there */
    wbkit_anim_set(&a, 100, 3000);
    wbkit_anim_tick(&a, 3300);
    double here = a.shown;
    assert_int_equal(wbkit_anim_set(&a, here, 3300), 1);
    assert_false(a.animating);
    assert_int_equal(wbkit_anim_tick(&a, 3316), 0);
    assert_true(a.shown == here);
}

static void anim_repeat_neither_restarts_nor_freezes(void **state)
{
    (void)state;
    wbkit_anim a;
    wbkit_anim_init(&a, 600);
    wbkit_anim_set(&a, 100, 1000);
    assert_int_equal(wbkit_anim_tick(&a, 1200), 1);
    wbkit_anim before;
    memcpy(&before, &a, sizeof a); /* padding too, for the byte comparison */
    assert_int_equal(wbkit_anim_set(&a, 100, 1300), 0); /* a repeat: nothing changes */
    assert_memory_equal(&a, &before, sizeof a);
    assert_int_equal(wbkit_anim_tick(&a, 1300), 1); /* still moving, not frozen */
    assert_true(a.shown == 87.5);                   /* on the first count-up's curve */
    for (uint64_t now = 1316; now < 1600; now += 16) {
        assert_int_equal(wbkit_anim_set(&a, 100, now), 0);
        assert_int_equal(wbkit_anim_tick(&a, now), 1);
    }
    assert_int_equal(wbkit_anim_tick(&a, 1600), 1); /* ends when it would have */
    assert_true(a.shown == 100);
    assert_int_equal(wbkit_anim_tick(&a, 1601), 0);

    /* at rest, a repeat starts nothing */
    assert_int_equal(wbkit_anim_set(&a, 100, 3000), 0);
    assert_false(a.animating);
    assert_int_equal(wbkit_anim_tick(&a, 3001), 0);
}

static void anim_zero_duration_jumps(void **state)
{
    (void)state;
    wbkit_anim a;
    wbkit_anim_init(&a, 0);
    assert_int_equal(wbkit_anim_set(&a, 3.5, 1000), 1);
    assert_true(a.shown == 3.5 && a.target == 3.5);
    assert_false(a.animating);
    assert_int_equal(wbkit_anim_tick(&a, 1000), 0);
    assert_int_equal(wbkit_anim_set(&a, -7, 1001), 1);
    assert_true(a.shown == -7);
    assert_int_equal(wbkit_anim_tick(&a, 1002), 0);
    assert_true(wbkit_anim_value_at(&a, 5000) == -7);

    /* the first value 0 has nowhere to count from either */
    wbkit_anim_init(&a, 600);
    assert_int_equal(wbkit_anim_set(&a, 0, 1000), 1);
    assert_true(a.has_value && !a.animating && a.shown == 0);
}

/* ---- ring --------------------------------------------------------------------------------- */

static void ring_order_and_capacity(void **state)
{
    (void)state;
    wbkit_ring r;
    assert_int_equal(wbkit_ring_init(&r, 3), 0);
    assert_int_equal(r.capacity, 3);
    assert_null(wbkit_ring_ordered(&r));
    wbkit_ring_push(&r, 1);
    const double *v = wbkit_ring_ordered(&r);
    assert_int_equal(r.count, 1);
    assert_true(v[0] == 1);
    wbkit_ring_push(&r, 2);
    v = wbkit_ring_ordered(&r);
    assert_int_equal(r.count, 2);
    assert_true(v[0] == 1 && v[1] == 2);
    for (int i = 3; i <= 7; i++) wbkit_ring_push(&r, i);
    v = wbkit_ring_ordered(&r);
    assert_int_equal(r.count, 3); /* full: the oldest went */
    assert_true(v[0] == 5 && v[1] == 6 && v[2] == 7);
    wbkit_ring_push(&r, NAN); /* a gap is a value like any other */
    v = wbkit_ring_ordered(&r);
    assert_true(v[0] == 6 && v[1] == 7 && isnan(v[2]));
    wbkit_ring_free(&r);
    assert_int_equal(r.capacity, 0);
    assert_int_equal(r.count, 0);
    assert_null(r.values);
    wbkit_ring_free(&r); /* twice is fine */
}

static void ring_of_one_and_none(void **state)
{
    (void)state;
    wbkit_ring r;
    assert_int_equal(wbkit_ring_init(&r, 1), 0);
    wbkit_ring_push(&r, 4);
    wbkit_ring_push(&r, 5);
    assert_int_equal(r.count, 1);
    assert_true(wbkit_ring_ordered(&r)[0] == 5);
    wbkit_ring_free(&r);

    static const int none[] = {0, -4};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        assert_int_equal(wbkit_ring_init(&r, none[i]), 0);
        assert_int_equal(r.capacity, 0);
        wbkit_ring_push(&r, 1);
        assert_int_equal(r.count, 0);
        assert_null(wbkit_ring_ordered(&r));
        wbkit_ring_free(&r);
    }
    wbkit_ring zeroed = {0}; /* a zeroed struct is an empty ring too */
    wbkit_ring_push(&zeroed, 1);
    assert_int_equal(zeroed.count, 0);
    wbkit_ring_free(&zeroed);
}

/* ---- titles ------------------------------------------------------------------------------- */

/* The split as "first|second", or "" when there is none. */
static void assert_split(const char *title, const char *expected)
{
    size_t first_len = 99, second_at = 99;
    char got[256] = "";
    if (wbkit_title_split(title, &first_len, &second_at))
        snprintf(got, sizeof got, "%.*s|%s", (int)first_len, title, title + second_at);
    if (strcmp(got, expected) != 0) print_error("split of \"%s\": \"%s\"\n", title, got);
    assert_string_equal(got, expected);
}

static void title_split_cases(void **state)
{
    (void)state;
    /* no separator */
    assert_split("", "");
    assert_split("Patients", "");
    assert_split("환자대기", "");
    /* one: the " · " wins over spaces nearer the middle */
    assert_split("환자 대기 · Patients waiting", "환자 대기|Patients waiting");
    assert_split("Patients waiting", "Patients|waiting");
    /* several: the one nearest the middle */
    assert_split("환자 대기 · 候诊患者 · Patients waiting", "환자 대기 · 候诊患者|Patients waiting");
    assert_split("A · B · C", "A · B|C");
    assert_split("AAAAA · BB · C", "AAAAA|BB · C"); /* a tie: the first */
    assert_split("Beds · 病床 · 병상", "Beds · 病床|병상");
    assert_split("one two three four five", "one two three|four five");
    /* at the ends: never a split point, so no line is ever empty */
    assert_split(" · ", "");
    assert_split(" ", "");
    assert_split("Patients ", "");
    assert_split(" Patients", "");
    assert_split(" · Patients waiting", " · Patients|waiting");
    assert_split("Patients waiting · ", "Patients|waiting · ");
    assert_split(" · Patients · 환자 · ", " · Patients|환자 · ");
}

static void title_init_and_free(void **state)
{
    (void)state;
    wbkit_title t;
    assert_int_equal(wbkit_title_init(&t, NULL), 0);
    assert_null(t.text);
    assert_null(t.first);
    wbkit_title_free(&t);
    assert_int_equal(wbkit_title_init(&t, ""), 0);
    assert_null(t.text);

    assert_int_equal(wbkit_title_init(&t, "Queue"), 0);
    assert_string_equal(t.text, "Queue");
    assert_null(t.first);
    assert_null(t.second);
    wbkit_title_free(&t);
    assert_null(t.text);

    const char *source = "대기 · Waiting";
    assert_int_equal(wbkit_title_init(&t, source), 0);
    assert_true(t.text != source); /* a copy */
    assert_string_equal(t.first, "대기");
    assert_string_equal(t.second, "Waiting");
    assert_true(t.second > t.text && t.second < t.text + strlen(t.text));
    wbkit_title_free(&t);
    wbkit_title_free(&t);
}

static void title_lines(void **state)
{
    (void)state;
    wb_host h = {.measure_width = 300};
    wbkit_title none, word, two;
    wbkit_title_init(&none, NULL);
    wbkit_title_init(&word, "Supercalifragilistic");
    wbkit_title_init(&two, "대기 환자 · Patients waiting");
    assert_int_equal(wbkit_title_lines(&services, &h, &none, 100, 50), 0);
    assert_int_equal(wbkit_title_lines(&services, &h, &word, 100, 50), 1); /* cannot split */
    assert_int_equal(h.measured_px, 0);                                    /* so not measured */
    assert_int_equal(wbkit_title_lines(&services, &h, &two, 300, 50), 1);   /* just fits */
    assert_int_equal(h.measured_px, 40); /* at the size draw_text picks for the box */
    assert_int_equal(wbkit_title_lines(&services, &h, &two, 299, 50), 2);
    h.measure_width = -1;
    assert_int_equal(wbkit_title_lines(&services, &h, &two, 10, 50), 1); /* unmeasured: one */
    wbkit_title_free(&two);
    wbkit_title_free(&word);
}

static void title_draw(void **state)
{
    (void)state;
    wb_host h = {0};
    wb_color white = {255, 255, 255, 255};
    wbkit_title t;
    wbkit_title_init(&t, "대기 환자 · Patients waiting");
    wb_rect box = {10, 20, 300, 61};

    assert_int_equal(wbkit_title_draw(&services, &h, &t, box, 1, white), 0);
    assert_int_equal(h.draws, 1);
    assert_string_equal(h.drawn[0], "대기 환자 · Patients waiting");
    assert_memory_equal(&h.boxes[0], &box, sizeof box);

    h.draws = 0;
    assert_int_equal(wbkit_title_draw(&services, &h, &t, box, 2, white), 0);
    assert_int_equal(h.draws, 2);
    assert_string_equal(h.drawn[0], "대기 환자");
    assert_string_equal(h.drawn[1], "Patients waiting");
    wb_rect top = {10, 20, 300, 30}, bottom = {10, 50, 300, 31}; /* halves, nothing lost */
    assert_memory_equal(&h.boxes[0], &top, sizeof top);
    assert_memory_equal(&h.boxes[1], &bottom, sizeof bottom);

    h.draws = 0;
    h.draw_result = 1; /* shrunk or cut */
    assert_int_equal(wbkit_title_draw(&services, &h, &t, box, 2, white), 1);
    assert_int_equal(h.draws, 2); /* both lines drawn all the same */
    h.draws = 0;
    h.draw_result = -1; /* an error is not an overflow */
    assert_int_equal(wbkit_title_draw(&services, &h, &t, box, 1, white), 0);

    h.draws = 0;
    assert_int_equal(wbkit_title_draw(&services, &h, &t, (wb_rect){0, 0, 0, 10}, 1, white), 0);
    assert_int_equal(wbkit_title_draw(&services, &h, &t, (wb_rect){0, 0, 10, -1}, 2, white), 0);
    wbkit_title none;
    wbkit_title_init(&none, NULL);
    assert_int_equal(wbkit_title_draw(&services, &h, &none, box, 1, white), 0);
    assert_int_equal(h.draws, 0);

    wbkit_title word; /* asked for two lines but unsplittable: one */
    wbkit_title_init(&word, "Queue");
    assert_int_equal(wbkit_title_draw(&services, &h, &word, box, 2, white), 0);
    assert_int_equal(h.draws, 1);
    assert_string_equal(h.drawn[0], "Queue");
    wbkit_title_free(&word);
    wbkit_title_free(&t);
}

/* ---- labels ------------------------------------------------------------------------------- */

static void label_pick(void **state)
{
    (void)state;
    static const char *const texts[] = {"long label", "short", "s", NULL};
    wb_host h = {.byte_width = 10}; /* 100, 50 and 10 px wide */
    int w = 99;
    assert_int_equal(wbkit_label_pick(&services, &h, WB_FONT_LABEL, 20, texts, 100, &w), 0);
    assert_int_equal(w, 100); /* exactly fits */
    assert_int_equal(h.measured_px, 20);
    assert_int_equal(wbkit_label_pick(&services, &h, WB_FONT_LABEL, 20, texts, 99, &w), 1);
    assert_int_equal(w, 50);
    assert_int_equal(wbkit_label_pick(&services, &h, WB_FONT_LABEL, 20, texts, 49, &w), 2);
    assert_int_equal(w, 10);
    /* none fits: the last, to draw anyway or leave out */
    assert_int_equal(wbkit_label_pick(&services, &h, WB_FONT_LABEL, 20, texts, 9, &w), 2);
    assert_int_equal(w, -1);
    assert_int_equal(wbkit_label_pick(&services, &h, WB_FONT_LABEL, 20, texts, 9, NULL), 2);
    /* nothing to measure at: the last, unmeasured */
    h.measures = 0;
    w = 99;
    assert_int_equal(wbkit_label_pick(&services, &h, WB_FONT_LABEL, 0, texts, 1000, &w), 2);
    assert_int_equal(w, -1);
    assert_int_equal(h.measures, 0);
    /* measuring fails: as if none fits */
    h.measure_width = -1;
    assert_int_equal(wbkit_label_pick(&services, &h, WB_FONT_LABEL, 20, texts, 1000, &w), 2);
    assert_int_equal(w, -1);
    static const char *const none[] = {NULL};
    w = 99;
    assert_int_equal(wbkit_label_pick(&services, &h, WB_FONT_LABEL, 20, none, 1000, &w), -1);
    assert_int_equal(w, -1);
}

/* ---- LED text ----------------------------------------------------------------------------- */

static void led_positions_and_dashes(void **state)
{
    (void)state;
    assert_int_equal(wbkit_led_positions(""), 0);
    assert_int_equal(wbkit_led_positions("1234.6"), 5);
    assert_int_equal(wbkit_led_positions("-1000.0"), 6);
    assert_int_equal(wbkit_led_positions("12:34"), 4);
    assert_int_equal(wbkit_led_positions(" 7"), 2);

    char buf[8];
    wbkit_led_dashes(6, buf, sizeof buf);
    assert_string_equal(buf, "------");
    wbkit_led_dashes(12, buf, sizeof buf);
    assert_string_equal(buf, "-------"); /* cut to the buffer */
    wbkit_led_dashes(0, buf, sizeof buf);
    assert_string_equal(buf, "");
    buf[0] = 'x';
    wbkit_led_dashes(3, buf, 0);
    assert_int_equal(buf[0], 'x');
}

static void led_text_fits_digits(void **state)
{
    (void)state;
    static const struct {
        int digits, decimals;
        double value;
        const char *led, *scale;
    } cases[] = {
        {6, 0, 0, "0", ""},
        {6, 0, 654321, "654321", ""},           /* exactly six */
        {6, 0, 7654321, "7654.3", "k"},         /* one too many: k with a decimal */
        {5, 0, 12345678, "12346", "k"},         /* k without the decimal */
        {6, 0, 2.5e9, "2500.0", "M"},
        {6, 0, 4.2e14, "420000", "G"},
        {5, 0, 4.2e14, "420.0", "T"},
        {6, 0, -99999.9, "-100.0", "k"},        /* rounding adds a digit; the sign takes one */
        {3, 0, -123456, "---", ""},             /* never "-0.1M" */
        {2, 0, 350, "--", ""},                  /* never "0.3k" or "0k" */
        {4, 3, 2.71828, "2.718", ""},           /* the point takes no position */
        {3, 3, 2.71828, "2.72", ""},            /* fewer decimals before any scale */
        {1, 1, 9.96, "-", ""},                  /* "10" is two */
        {6, 2, -0.001, "0.00", ""},             /* the host's "never -0" is kept */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[WBKIT_LED_TEXT_SIZE];
        const char *scale = wbkit_led_text(&services, cases[i].value, cases[i].decimals,
                                           cases[i].digits, buf, sizeof buf);
        if (strcmp(buf, cases[i].led) != 0 || strcmp(scale, cases[i].scale) != 0)
            print_error("case %zu: \"%s\" scale \"%s\"\n", i, buf, scale);
        assert_string_equal(buf, cases[i].led);
        assert_string_equal(scale, cases[i].scale);
    }
    char small[4]; /* a short buffer counts like fewer digits */
    assert_string_equal(wbkit_led_text(&services, 123456, 0, 6, small, sizeof small), "k");
    assert_string_equal(small, "123");
    char tiny[2]; /* too short for any form: dashes, cut to fit */
    assert_string_equal(wbkit_led_text(&services, 123456, 0, 6, tiny, sizeof tiny), "");
    assert_string_equal(tiny, "-");
}

static void led_eights(void **state)
{
    (void)state;
    char buf[8];
    wbkit_led_eights(6, buf, sizeof buf);
    assert_string_equal(buf, "888888");
    wbkit_led_eights(0, buf, sizeof buf); /* at least one */
    assert_string_equal(buf, "8");
    wbkit_led_eights(-3, buf, sizeof buf);
    assert_string_equal(buf, "8");
    wbkit_led_eights(12, buf, sizeof buf); /* cut to the buffer */
    assert_string_equal(buf, "8888888");
    wbkit_led_eights(3, buf, 1);
    assert_string_equal(buf, "");
    buf[0] = 'x';
    wbkit_led_eights(3, buf, 0);
    assert_int_equal(buf[0], 'x');
}

static void led_fit_height(void **state)
{
    (void)state;
    wb_host h = {.led_em = 0.6}; /* "8888" is 2.4 px wide a px of height */
    /* wide enough: the whole height, measured at it */
    assert_int_equal(wbkit_led_fit_height(&services, &h, "8888", 1000, 100), 100);
    assert_int_equal(h.measured_px, 100);
    assert_int_equal(wbkit_led_fit_height(&services, &h, "8888", 240, 100), 100); /* exactly */
    /* too narrow: the height that fills it, less the margin */
    assert_int_equal(wbkit_led_fit_height(&services, &h, "8888", 239, 100),
                     (int)floor(239 / 2.4 * WBKIT_LED_FIT_MARGIN));
    assert_int_equal(wbkit_led_fit_height(&services, &h, "8888", 239, 100), 96);
    assert_int_equal(wbkit_led_fit_height(&services, &h, "88", 60, 100), 48);
    assert_int_equal(wbkit_led_fit_height(&services, &h, "8888", 1, 100), 1); /* never 0 */
    /* measured near the drawn size, at most WBKIT_LED_MEASURE_MAX_PX */
    assert_int_equal(wbkit_led_fit_height(&services, &h, "8888", 100000, 2000), 2000);
    assert_int_equal(h.measured_px, WBKIT_LED_MEASURE_MAX_PX);
    /* an empty box: nothing, and nothing measured */
    h.measures = 0;
    assert_int_equal(wbkit_led_fit_height(&services, &h, "8888", 0, 100), 0);
    assert_int_equal(wbkit_led_fit_height(&services, &h, "8888", 100, 0), 0);
    assert_int_equal(wbkit_led_fit_height(&services, &h, "8888", -5, -5), 0);
    assert_int_equal(h.measures, 0);
    /* cannot be measured, or measures 0 wide: the whole box */
    assert_int_equal(wbkit_led_fit_height(&services, &h, "", 10, 100), 100);
    h.measure_width = -1;
    assert_int_equal(wbkit_led_fit_height(&services, &h, "8888", 10, 100), 100);
}

static void anim_led_positions(void **state)
{
    (void)state;
    wbkit_anim a;
    wbkit_anim_init(&a, 600);
    assert_int_equal(wbkit_anim_led_positions(&services, &a, 0, 6, 4), 4); /* no value yet */
    assert_int_equal(wbkit_anim_led_positions(&services, &a, 0, 6, 0), 0);

    wbkit_anim_set(&a, 100000, 0); /* from 0: the target is the longest */
    assert_int_equal(wbkit_anim_led_positions(&services, &a, 0, 6, 1), 6);
    wbkit_anim_tick(&a, 300);
    wbkit_anim_set(&a, 5, 300); /* turned back at 87500: where it started counts */
    assert_int_equal(wbkit_anim_led_positions(&services, &a, 0, 6, 1), 5);
    wbkit_anim_tick(&a, 599);
    assert_int_equal(wbkit_anim_led_positions(&services, &a, 0, 6, 1), 5);
    wbkit_anim_tick(&a, 900); /* landed: only the value shown */
    assert_int_equal(wbkit_anim_led_positions(&services, &a, 0, 6, 1), 1);
    assert_int_equal(wbkit_anim_led_positions(&services, &a, 0, 6, 3), 3); /* at least */

    wbkit_anim_init(&a, 0);
    wbkit_anim_set(&a, 3.14159, 0);
    assert_int_equal(wbkit_anim_led_positions(&services, &a, 2, 6, 0), 3); /* "3.14" */
    wbkit_anim_set(&a, 1234567, 0);
    assert_int_equal(wbkit_anim_led_positions(&services, &a, 0, 4, 0), 4); /* "1235" k */
}

static void unit_text(void **state)
{
    (void)state;
    static const struct {
        const char *scale, *unit, *text;
    } cases[] = {
        {"", NULL, ""},    {"", "W", "W"},          {"k", NULL, "k"},
        {"k", "W", "kW"},  {"M", "B", "MB"},        {"k", "Wh", "kWh"},
        {"k", "¥", "k ¥"}, {"k", "requests", "k requests"},
        {"G", "m3", "G m3"}, {"", "patients", "patients"}, {"T", "人", "T 人"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[64];
        wbkit_unit_text(cases[i].scale, cases[i].unit, buf, sizeof buf);
        assert_string_equal(buf, cases[i].text);
    }
    char tiny[3];
    wbkit_unit_text("k", "requests", tiny, sizeof tiny);
    assert_string_equal(tiny, "k ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(option_error_text),
        cmocka_unit_test(read_int),
        cmocka_unit_test(read_bool),
        cmocka_unit_test(read_string),
        cmocka_unit_test(json_pointer_syntax),
        cmocka_unit_test(read_pointer),
        cmocka_unit_test(colors),
        cmocka_unit_test(thresholds),
        cmocka_unit_test(unknown_keys),
        cmocka_unit_test(check_services),
        cmocka_unit_test(level_names),
        cmocka_unit_test(number_json),
        cmocka_unit_test(ease_out_curve),
        cmocka_unit_test(anim_counts_up_and_lands_exactly),
        cmocka_unit_test(anim_restarts_from_shown),
        cmocka_unit_test(anim_repeat_neither_restarts_nor_freezes),
        cmocka_unit_test(anim_zero_duration_jumps),
        cmocka_unit_test(ring_order_and_capacity),
        cmocka_unit_test(ring_of_one_and_none),
        cmocka_unit_test(title_split_cases),
        cmocka_unit_test(title_init_and_free),
        cmocka_unit_test(title_lines),
        cmocka_unit_test(title_draw),
        cmocka_unit_test(label_pick),
        cmocka_unit_test(led_positions_and_dashes),
        cmocka_unit_test(led_text_fits_digits),
        cmocka_unit_test(led_eights),
        cmocka_unit_test(led_fit_height),
        cmocka_unit_test(anim_led_positions),
        cmocka_unit_test(unit_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
