/* test_counter.c: the counter plugin, loaded with the real loader, against a recording fake host.
 * Needs no display: the fake services only remember what the plugin asked them to draw. */
#include <dlfcn.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "plugin_fixture.h"

#define COUNTER_PATH WB_PLUGIN_BUILD_DIR "/counter.so"
#define MAX_TEXTS 8

/* ---- the fake host ------------------------------------------------------------------------ */

typedef struct drawn_text {
    char text[256];
    wb_rect box;
    wb_color color;
    wb_align align;
} drawn_text;

struct wb_host {
    pf_host_base base; /* now, logs, last_log: plugin_fixture.h's services use it */
    int led_result, text_result; /* forced draw_led / draw_text answers (0: computed) */
    int measure_fails;

    int led_calls;
    char led_text[64];
    wb_rect led_box;
    wb_color led_color;
    wb_align led_align;
    int led_ghost;

    int text_calls;
    drawn_text texts[MAX_TEXTS];

    int spark_calls;
    double spark_values[1000];
    int spark_count;
    wb_rect spark_box;
    wb_color spark_color;
};

static void assert_box_sane(wb_rect box)
{
    assert_true(box.w > 0);
    assert_true(box.h > 0);
}

static int fake_draw_text(wb_host *h, wb_font_role role, int px, const char *utf8, wb_rect box,
                          wb_align align, wb_color color)
{
    (void)role;
    (void)px;
    assert_box_sane(box);
    assert_true(h->text_calls < MAX_TEXTS);
    drawn_text *t = &h->texts[h->text_calls++];
    snprintf(t->text, sizeof t->text, "%s", utf8);
    t->box = box;
    t->color = color;
    t->align = align;
    return h->text_result;
}

/* Fake font metrics: LEDs pf_led_width's, roughly DSEG7's; labels 0.5 em a byte. */
static int fake_measure_text(wb_host *h, wb_font_role role, int px, const char *utf8, int *w,
                             int *height)
{
    if (h->measure_fails) return -1;
    assert_true(px >= 1 && px <= 2000);
    *w = role == WB_FONT_LED ? pf_led_width(utf8, px) : (int)lround(0.5 * px * strlen(utf8));
    *height = px;
    return 0;
}

/* Like the host's: 1 when the box's width, not its height, limited the digits' size. */
static int fake_draw_led(wb_host *h, const char *text, wb_rect box, wb_align align,
                         wb_color color, int ghost)
{
    assert_box_sane(box);
    for (const char *p = text; *p; p++) assert_non_null(strchr("0123456789-.: ", *p));
    h->led_calls++;
    snprintf(h->led_text, sizeof h->led_text, "%s", text);
    h->led_box = box;
    h->led_align = align;
    h->led_color = color;
    h->led_ghost = ghost;
    if (h->led_result) return h->led_result;
    return pf_led_width(text, box.h) > box.w;
}

static void fake_draw_sparkline(wb_host *h, wb_rect rect, const double *values, int count,
                                wb_color color)
{
    assert_box_sane(rect);
    assert_true(count >= 0 && count <= 1000);
    h->spark_calls++;
    memcpy(h->spark_values, values, (size_t)count * sizeof *values);
    h->spark_count = count;
    h->spark_box = rect;
    h->spark_color = color;
}

/* Like the host's: rounded to `decimals`, never "-0". */
static int fake_format_number(double value, int decimals, const char *separator, char *buf,
                              size_t size)
{
    assert_true(separator == NULL || *separator == '\0');
    char tmp[128];
    snprintf(tmp, sizeof tmp, "%.*f", decimals, value);
    const char *text = tmp;
    if (tmp[0] == '-' && strspn(tmp + 1, "0.") == strlen(tmp + 1)) text = tmp + 1;
    return snprintf(buf, size, "%s", text);
}

static const wb_host_services fake_services = {
    .size = sizeof(wb_host_services),
    .abi_major = WB_ABI_MAJOR,
    .abi_minor = WB_ABI_MINOR,
    .log = pf_log,
    .now_ms = pf_now,
    .color = pf_color,
    .threshold_level = pf_threshold_level,
    .level_color = pf_level_color,
    .draw_text = fake_draw_text,
    .draw_led = fake_draw_led,
    .measure_text = fake_measure_text,
    .draw_sparkline = fake_draw_sparkline,
    .format_number = fake_format_number,
    .json_pointer = pf_json_pointer,
};

/* ---- fixture ------------------------------------------------------------------------------ */

typedef struct fixture {
    plugin_fixture pf;
    wb_host host;
} fixture;

static int setup(void **state)
{
    return pf_setup(state, sizeof(fixture), offsetof(fixture, host), COUNTER_PATH, &fake_services,
                    1000);
}

static void render(fixture *f, wb_rect rect)
{
    f->host.led_calls = f->host.text_calls = f->host.spark_calls = 0;
    f->pf.plugin.desc.render(f->pf.self, rect);
}

static const wb_rect TILE = {10, 20, 400, 300};

/* Renders and returns what the LED showed. */
static const char *led_after_render(fixture *f)
{
    render(f, TILE);
    assert_int_equal(f->host.led_calls, 1);
    return f->host.led_text;
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_loads_hidden_and_named(void **state)
{
    fixture *f = *state;
    assert_string_equal(f->pf.plugin.name, "counter");
    assert_string_equal(f->pf.plugin.desc.version, "1.0.0");
    assert_non_null(f->pf.plugin.desc.tick);
    assert_non_null(f->pf.plugin.desc.report);
    /* only the entry is exported */
    assert_null(dlsym(f->pf.plugin.handle, "counter_create"));
    assert_null(dlsym(f->pf.plugin.handle, "counter_render"));
    assert_non_null(dlsym(f->pf.plugin.handle, WB_PLUGIN_ENTRY_SYMBOL));
}

static void test_defaults_before_any_value(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "Patients waiting", "{}");
    pf_assert_report(&f->pf, "{\"value\": null, \"shown\": \"------\", \"unit\": \"\", "
                             "\"title\": \"Patients waiting\", \"level\": \"normal\", "
                             "\"samples\": 0, \"overflow\": false}");
    assert_string_equal(led_after_render(f), "------"); /* never blank */
    assert_int_equal(f->host.led_ghost, 1);
    assert_int_equal(f->host.led_color.r, 10 * WB_COLOR_LED);
    assert_int_equal(f->host.spark_calls, 0); /* nothing to draw yet */
    assert_int_equal(f->host.base.logs, 0);
}

static void test_option_errors(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *options, *err;
    } cases[] = {
        {"{\"decimals\": 7}", "option \"decimals\" must be an integer 0..6"},
        {"{\"decimals\": -1}", "option \"decimals\" must be an integer 0..6"},
        {"{\"decimals\": \"2\"}", "option \"decimals\" must be an integer 0..6"},
        {"{\"decimals\": 2.0}", "option \"decimals\" must be an integer 0..6"},
        {"{\"value\": 5}", "option \"value\" must be a string"},
        {"{\"value\": \"value\"}", "option \"value\" must be a JSON pointer like \"/value\""},
        {"{\"value\": \"/a~2\"}", "option \"value\" must be a JSON pointer like \"/value\""},
        {"{\"unit\": 3}", "option \"unit\" must be a string"},
        {"{\"thresholds\": 5}",
         "option \"thresholds\" must be an object like {\"warn\": 80, \"alarm\": 95, "
         "\"below\": false}"},
        {"{\"thresholds\": {\"warn\": \"80\"}}", "option \"thresholds\": \"warn\" must be a number"},
        {"{\"thresholds\": {\"alarm\": null}}", "option \"thresholds\": \"alarm\" must be a number"},
        {"{\"thresholds\": {\"below\": 1}}",
         "option \"thresholds\": \"below\" must be true or false"},
        {"{\"sparkline\": 1001}", "option \"sparkline\" must be an integer 0..1000"},
        {"{\"sparkline\": -1}", "option \"sparkline\" must be an integer 0..1000"},
        {"{\"color\": \"red\"}", "option \"color\" must be a colour \"#rrggbb\""},
        {"{\"color\": \"#12345g\"}", "option \"color\" must be a colour \"#rrggbb\""},
        {"{\"color\": 16711680}", "option \"color\" must be a colour \"#rrggbb\""},
        {"{\"digits\": 0}", "option \"digits\" must be an integer 1..12"},
        {"{\"digits\": 13}", "option \"digits\" must be an integer 1..12"},
        {"{\"animate_ms\": -5}", "option \"animate_ms\" must be an integer 0..60000"},
        {"{\"animate_ms\": true}", "option \"animate_ms\" must be an integer 0..60000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        pf_assert_refused(&f->pf, cases[i].options, cases[i].err);
}

static void test_unknown_option_is_logged_not_fatal(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, NULL, "{\"decimal\": 2, \"thresholds\": {\"warning\": 3}}");
    assert_int_equal(f->host.base.logs, 2);
    assert_string_equal(f->host.base.last_log, "counter: unknown threshold \"warning\" ignored");
    pf_assert_report(&f->pf, "{\"title\": \"\"}");
}

static void test_too_old_services_refused(void **state)
{
    fixture *f = *state;
    pf_assert_old_services_refused(&f->pf, "counter needs host services of ABI 1.0 or later");
}

static void test_message_classes(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"value\": \"/data/level\", \"animate_ms\": 0}");
    assert_int_equal(pf_send_text(&f->pf, "{\"type\": \"heartbeat\"}"), WB_MSG_IGNORED);
    assert_int_equal(pf_send_text(&f->pf, "{\"data\": {}}"), WB_MSG_IGNORED);
    assert_int_equal(pf_send_text(&f->pf, "{\"data\": {\"level\": \"12\"}}"), WB_MSG_INVALID);
    assert_int_equal(pf_send_text(&f->pf, "{\"data\": {\"level\": true}}"), WB_MSG_INVALID);
    assert_int_equal(pf_send_text(&f->pf, "{\"data\": {\"level\": null}}"), WB_MSG_INVALID);
    assert_int_equal(pf_send_text(&f->pf, "{\"data\": {\"level\": {\"v\": 1}}}"), WB_MSG_INVALID);
    assert_int_equal(pf_send_text(&f->pf, "{\"data\": {\"level\": [1]}}"), WB_MSG_INVALID);
    assert_int_equal(pf_send_text(&f->pf, "{\"data\": {\"level\": 1e16}}"), WB_MSG_INVALID);
    assert_int_equal(pf_send_text(&f->pf, "{\"data\": {\"level\": -2e15}}"), WB_MSG_INVALID);
    pf_assert_report(&f->pf, "{\"value\": null, \"samples\": 0}");
    assert_int_equal(pf_send_text(&f->pf, "{\"data\": {\"level\": 42}}"), WB_MSG_CHANGED);
    pf_assert_report(&f->pf, "{\"value\": 42, \"samples\": 1}");
    assert_int_equal(pf_send_text(&f->pf, "{\"data\": {\"level\": 1e15}}"), WB_MSG_CHANGED);
    assert_string_equal(led_after_render(f), "1000.0"); /* 6 digits: shown in T */
    pf_assert_report(&f->pf, "{\"value\": 1000000000000000, \"scale\": \"T\", \"samples\": 2}");
}

static void test_count_up_with_ease_out(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 600}");
    f->host.base.now = 1000;
    assert_int_equal(pf_send_text(&f->pf, "{\"value\": 100}"), WB_MSG_CHANGED);
    pf_assert_report(&f->pf, "{\"value\": 100}"); /* the target, at once */
    assert_string_equal(led_after_render(f), "0"); /* counting up from 0 */

    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1300), 1);
    assert_string_equal(led_after_render(f), "88"); /* 100 * (1 - 0.5^3) = 87.5 */
    pf_assert_report(&f->pf, "{\"value\": 100, \"shown\": \"88\"}");

    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1600), 1); /* lands: draw it once more */
    assert_string_equal(led_after_render(f), "100");
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1616), 0);
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 5000), 0);
}

static void test_new_value_restarts_from_shown(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 600}");
    f->host.base.now = 1000;
    pf_send_text(&f->pf, "{\"value\": 100}");
    f->host.base.now = 1300;
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1300), 1);
    pf_send_text(&f->pf, "{\"value\": 200}"); /* mid-way, at 87.5 */
    assert_string_equal(led_after_render(f), "88");  /* no jump */
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1600), 1);
    assert_string_equal(led_after_render(f), "186"); /* 87.5 + 112.5 * 0.875 */
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1899), 1);
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1900), 1);
    assert_string_equal(led_after_render(f), "200");
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1901), 0);

    /* and downwards */
    f->host.base.now = 2000;
    pf_send_text(&f->pf, "{\"value\": 0}");
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 2300), 1);
    assert_string_equal(led_after_render(f), "25"); /* 200 - 200 * 0.875 */
}

static void test_same_value_keeps_animation(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 600}");
    f->host.base.now = 1000;
    pf_send_text(&f->pf, "{\"value\": 100}");
    f->host.base.now = 1300;
    /* a sample all the same */
    assert_int_equal(pf_send_text(&f->pf, "{\"value\": 100}"), WB_MSG_CHANGED);
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1300), 1);
    assert_string_equal(led_after_render(f), "88"); /* not restarted from 0 or from 88 */
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1600), 1); /* ends when it would have */
    assert_string_equal(led_after_render(f), "100");
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1601), 0);

    f->host.base.now = 3000; /* at rest: a repeat starts nothing */
    assert_int_equal(pf_send_text(&f->pf, "{\"value\": 100}"), WB_MSG_CHANGED);
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 3001), 0);
    assert_string_equal(led_after_render(f), "100");
    pf_assert_report(&f->pf, "{\"value\": 100, \"samples\": 3}");
}

static void test_no_animation(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0, \"decimals\": 2}");
    pf_send_text(&f->pf, "{\"value\": 3.14159}");
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1000), 0);
    assert_string_equal(led_after_render(f), "3.14");
    pf_assert_report(&f->pf, "{\"value\": 3.14159, \"shown\": \"3.14\"}");
    pf_send_text(&f->pf, "{\"value\": -0.001}");
    assert_string_equal(led_after_render(f), "0.00"); /* never "-0.00" */
}

/* The LED text never exceeds `digits` positions and never looks like another number. */
static void test_digits_fit(void **state)
{
    fixture *f = *state;
    static const struct {
        int digits, decimals;
        double value;
        const char *led, *scale;
    } cases[] = {
        {6, 0, 123456, "123456", ""},
        {6, 0, 1234567, "1234.6", "k"},
        {4, 0, 12345, "12.3", "k"},
        {6, 0, -999999, "-1000.0", "k"}, /* the sign takes a position, the point does not */
        {3, 2, 3.14159, "3.14", ""},
        {2, 2, 3.14159, "3.1", ""},
        {1, 2, 3.14159, "3", ""},
        {2, 0, -5, "-5", ""},
        {1, 0, -5, "-", ""},
        {2, 0, 999.7, "1.0", "k"},
        {1, 0, 1e15, "-", ""},
        {12, 0, 1e15, "1000000000.0", "M"},
        {12, 6, 0.1234567, "0.123457", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char options[128], message[64];
        snprintf(options, sizeof options, "{\"digits\": %d, \"decimals\": %d, \"animate_ms\": 0}",
                 cases[i].digits, cases[i].decimals);
        snprintf(message, sizeof message, "{\"value\": %.17g}", cases[i].value);
        pf_start(&f->pf, "T", options);
        assert_int_equal(pf_send_text(&f->pf, message), WB_MSG_CHANGED);
        const char *led = led_after_render(f);
        if (strcmp(led, cases[i].led) != 0)
            print_error("case %zu: %s\n", i, led);
        assert_string_equal(led, cases[i].led);
        char expected[128];
        snprintf(expected, sizeof expected, "{\"shown\": \"%s\", \"scale\": \"%s\"}", cases[i].led,
                 cases[i].scale);
        pf_assert_report(&f->pf, expected); /* the next pf_start destroys it */
    }
}

static const drawn_text *find_text(const wb_host *h, const char *text)
{
    for (int i = 0; i < h->text_calls; i++)
        if (strcmp(h->texts[i].text, text) == 0) return &h->texts[i];
    return NULL;
}

static void test_layout_narrow_unit_below(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "대기 환자 候诊", "{\"unit\": \"patients\", \"animate_ms\": 0}");
    pf_send_text(&f->pf, "{\"value\": 123450}");
    pf_send_text(&f->pf, "{\"value\": 123456}");
    render(f, TILE);
    const wb_host *h = &f->host;
    const drawn_text *title = find_text(h, "대기 환자 候诊");
    const drawn_text *unit = find_text(h, "patients");
    assert_non_null(title);
    assert_non_null(unit);
    assert_string_equal(h->led_text, "123456");
    assert_int_equal(title->color.r, 10 * WB_COLOR_TEXT);
    assert_int_equal(title->align, WB_ALIGN_LEFT);
    assert_int_equal(unit->color.r, 10 * WB_COLOR_TEXT_DIM);
    assert_int_equal(h->spark_calls, 1);
    assert_int_equal(h->spark_color.r, 10 * WB_COLOR_ACCENT);

    /* bands top to bottom, all inside the tile, none overlapping */
    assert_true(pf_inside(title->box, TILE));
    assert_true(pf_inside(h->led_box, TILE));
    assert_true(pf_inside(unit->box, TILE));
    assert_true(pf_inside(h->spark_box, TILE));
    assert_in_range(title->box.h, 40, 50);       /* ~15 % of 300 */
    assert_in_range(h->spark_box.h, 50, 58);     /* ~18 % */
    assert_true(title->box.y + title->box.h <= h->led_box.y);
    assert_true(h->led_box.y + h->led_box.h <= unit->box.y); /* six digits: unit below */
    assert_true(unit->box.y + unit->box.h <= h->spark_box.y);
    assert_true(h->led_box.h > title->box.h && h->led_box.h > h->spark_box.h); /* the largest */
    assert_true(h->led_box.h > unit->box.h);
    assert_int_equal(h->led_align, WB_ALIGN_CENTER);
    pf_assert_report(&f->pf, "{\"overflow\": false}");
}

/* The digits fill the width they have without the host having to shrink them. */
static void test_led_fits_width_without_overflow(void **state)
{
    fixture *f = *state;
    static const wb_rect tiles[] = {{0, 0, 400, 300}, {0, 0, 300, 700}, {0, 0, 1200, 200},
                                    {0, 0, 200, 200}, {0, 0, 468, 344}, {0, 0, 60, 40}};
    static const char *const values[] = {"7", "231", "123456", "-99999", "12.5", "1234567"};
    for (size_t t = 0; t < sizeof tiles / sizeof tiles[0]; t++) {
        for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
            for (int with_unit = 0; with_unit < 2; with_unit++) {
                pf_start(&f->pf, "Title", with_unit ? "{\"unit\": \"kWh\", \"animate_ms\": 0, "
                                                      "\"decimals\": 1}"
                                                    : "{\"animate_ms\": 0}");
                char message[64];
                snprintf(message, sizeof message, "{\"value\": %s}", values[v]);
                pf_send_text(&f->pf, message);
                render(f, tiles[t]);
                assert_true(pf_inside(f->host.led_box, tiles[t]));
                wb_rect led = f->host.led_box;
                int width = pf_led_width(f->host.led_text, led.h);
                /* fits, and is large: fills the width unless it is a third of the tile high */
                if (width > led.w || (width < led.w * 0.9 && led.h < tiles[t].h / 3))
                    print_error("tile %zu value %s unit %d: led %dx%d text %d\n", t,
                                values[v], with_unit, led.w, led.h, width);
                assert_true(width <= led.w);
                assert_true(width >= led.w * 0.9 || led.h >= tiles[t].h / 3);
                pf_assert_report(&f->pf, "{\"overflow\": false}");
            }
        }
    }
}

/* The digits keep one size through a count-up that adds digits. */
static void test_led_size_steady_while_counting(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 600}");
    f->host.base.now = 1000;
    pf_send_text(&f->pf, "{\"value\": 100000}");
    wb_rect tall = {0, 0, 200, 400};
    render(f, tall);
    wb_rect first = f->host.led_box;
    assert_string_equal(f->host.led_text, "0");
    for (uint64_t now = 1016; now <= 1600; now += 16) {
        f->pf.plugin.desc.tick(f->pf.self, now);
        render(f, tall);
        assert_memory_equal(&f->host.led_box, &first, sizeof first);
    }
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1600), 1); /* lands */
    render(f, tall);
    assert_memory_equal(&f->host.led_box, &first, sizeof first);
    assert_string_equal(f->host.led_text, "100000");
    pf_assert_report(&f->pf, "{\"overflow\": false}");
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1616), 0);
}

/* Without metrics the number still gets its whole band. */
static void test_led_without_measure(void **state)
{
    fixture *f = *state;
    f->host.measure_fails = 1;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0, \"sparkline\": 0}");
    pf_send_text(&f->pf, "{\"value\": 123456}");
    render(f, TILE);
    assert_int_equal(f->host.led_calls, 1);
    assert_true(f->host.led_box.h > TILE.h / 2);
    pf_assert_report(&f->pf, "{\"overflow\": true, \"shown\": \"123456\"}"); /* the host says so */
}

static void test_layout_wide_unit_beside(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "Power", "{\"unit\": \"W\", \"animate_ms\": 0, \"sparkline\": 0}");
    pf_send_text(&f->pf, "{\"value\": 1234567}");
    wb_rect wide = {0, 0, 1200, 200};
    render(f, wide);
    const wb_host *h = &f->host;
    const drawn_text *unit = find_text(h, "kW"); /* the scale goes with the unit */
    assert_non_null(unit);
    assert_string_equal(h->led_text, "1234.6");
    assert_true(pf_inside(h->led_box, wide));
    assert_true(pf_inside(unit->box, wide));
    assert_true(h->led_box.x + h->led_box.w <= unit->box.x); /* beside, on its right */
    assert_true(unit->box.y + unit->box.h <= h->led_box.y + h->led_box.h);
    assert_int_equal(h->led_align, WB_ALIGN_RIGHT);
    assert_int_equal(h->spark_calls, 0);
    /* no sparkline: the number reaches further down */
    assert_true(h->led_box.y + h->led_box.h > wide.h - 20);
}

static void test_layout_scales_with_tile(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0}");
    pf_send_text(&f->pf, "{\"value\": 1}");
    render(f, (wb_rect){0, 0, 200, 100});
    wb_rect small = f->host.led_box;
    render(f, (wb_rect){0, 0, 400, 200});
    wb_rect big = f->host.led_box;
    assert_in_range(big.h, 2 * small.h - 2, 2 * small.h + 2);
    assert_in_range(big.w, 2 * small.w - 2, 2 * small.w + 2);
}

static void test_tiny_and_empty_tiles(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "Title", "{\"unit\": \"u\"}");
    pf_send_text(&f->pf, "{\"value\": 5}");
    static const wb_rect tiles[] = {{0, 0, 0, 0}, {0, 0, 1, 1}, {0, 0, 3, 3}, {5, 5, 7, 40},
                                    {0, 0, -10, 50}, {0, 0, 2000, 2}};
    for (size_t i = 0; i < sizeof tiles / sizeof tiles[0]; i++)
        render(f, tiles[i]); /* the fake asserts every drawn box is non-empty */
    pf_assert_report(&f->pf, "{\"value\": 5}");
}

static void test_thresholds_color(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0, \"color\": \"#00FF80\", "
                          "\"thresholds\": {\"warn\": 80, \"alarm\": 95}}");
    pf_send_text(&f->pf, "{\"value\": 50}");
    pf_send_text(&f->pf, "{\"value\": 51}");
    render(f, TILE);
    wb_color c = f->host.led_color;
    assert_true(c.r == 0 && c.g == 255 && c.b == 128 && c.a == 255); /* the option colour */
    assert_int_equal(f->host.spark_color.r, 10 * WB_COLOR_ACCENT);
    pf_assert_report(&f->pf, "{\"level\": \"normal\"}");

    pf_send_text(&f->pf, "{\"value\": 85}");
    render(f, TILE);
    assert_int_equal(f->host.led_color.r, 200 + WB_LEVEL_WARN);
    assert_int_equal(f->host.spark_color.r, 200 + WB_LEVEL_WARN);
    pf_assert_report(&f->pf, "{\"level\": \"warn\"}");

    pf_send_text(&f->pf, "{\"value\": 99.5}");
    render(f, TILE);
    assert_int_equal(f->host.led_color.r, 200 + WB_LEVEL_ALARM);
    pf_assert_report(&f->pf, "{\"level\": \"alarm\", \"value\": 99.5, \"shown\": \"100\"}");
}

static void test_thresholds_below(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "Free disk",
             "{\"animate_ms\": 0, \"unit\": \"%\", "
             "\"thresholds\": {\"warn\": 20, \"alarm\": 10, \"below\": true}}");
    pf_send_text(&f->pf, "{\"value\": 50}");
    render(f, TILE);
    assert_int_equal(f->host.led_color.r, 10 * WB_COLOR_LED);
    pf_send_text(&f->pf, "{\"value\": 15}");
    pf_assert_report(&f->pf, "{\"level\": \"warn\"}");
    pf_send_text(&f->pf, "{\"value\": 5}");
    pf_assert_report(&f->pf, "{\"level\": \"alarm\", \"unit\": \"%\"}");
}

/* The level follows the value received, not the count-up on its way there. */
static void test_level_follows_target_during_animation(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"thresholds\": {\"alarm\": 90}}");
    pf_send_text(&f->pf, "{\"value\": 100}");
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1100), 1);
    render(f, TILE);
    assert_int_equal(f->host.led_color.r, 200 + WB_LEVEL_ALARM);
}

static void test_sparkline_ring(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"sparkline\": 3, \"animate_ms\": 0}");
    for (int v = 1; v <= 5; v++) {
        char message[32];
        snprintf(message, sizeof message, "{\"value\": %d}", v);
        pf_send_text(&f->pf, message);
    }
    assert_int_equal(pf_send_text(&f->pf, "{\"value\": \"x\"}"), WB_MSG_INVALID); /* not a sample */
    render(f, TILE);
    assert_int_equal(f->host.spark_count, 3);
    assert_true(f->host.spark_values[0] == 3 && f->host.spark_values[1] == 4 &&
                f->host.spark_values[2] == 5);
    pf_assert_report(&f->pf, "{\"samples\": 3, \"value\": 5}");
}

static void test_sparkline_default_and_off(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0}");
    for (int v = 0; v < 70; v++) pf_send_text(&f->pf, "{\"value\": 7}");
    pf_assert_report(&f->pf, "{\"samples\": 60}");

    pf_start(&f->pf, "T", "{\"sparkline\": 0}");
    pf_send_text(&f->pf, "{\"value\": 7}");
    pf_send_text(&f->pf, "{\"value\": 8}");
    render(f, TILE);
    assert_int_equal(f->host.spark_calls, 0);
    pf_assert_report(&f->pf, "{\"samples\": 0}");
}

static void test_overflow_tracked_per_render(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "A very long title", "{}");
    render(f, TILE);
    pf_assert_report(&f->pf, "{\"overflow\": false}");
    f->host.led_result = 1;
    render(f, TILE);
    pf_assert_report(&f->pf, "{\"overflow\": true}");
    f->host.led_result = 0;
    f->host.text_result = 1;
    render(f, TILE);
    pf_assert_report(&f->pf, "{\"overflow\": true}");
    f->host.text_result = -1; /* an error is not an overflow */
    render(f, TILE);
    pf_assert_report(&f->pf, "{\"overflow\": false}");
}

static void test_dashes_follow_digits(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, NULL, "{\"digits\": 3}");
    render(f, TILE);
    assert_string_equal(f->host.led_text, "---");
    assert_int_equal(f->host.text_calls, 0); /* no title, no unit */
    pf_assert_report(&f->pf, "{\"shown\": \"---\", \"title\": \"\", \"unit\": \"\"}");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, pf_teardown)
    const struct CMUnitTest tests[] = {
        T(test_loads_hidden_and_named),
        T(test_defaults_before_any_value),
        T(test_option_errors),
        T(test_unknown_option_is_logged_not_fatal),
        T(test_too_old_services_refused),
        T(test_message_classes),
        T(test_count_up_with_ease_out),
        T(test_new_value_restarts_from_shown),
        T(test_same_value_keeps_animation),
        T(test_no_animation),
        T(test_digits_fit),
        T(test_layout_narrow_unit_below),
        T(test_layout_wide_unit_beside),
        T(test_led_fits_width_without_overflow),
        T(test_led_size_steady_while_counting),
        T(test_led_without_measure),
        T(test_layout_scales_with_tile),
        T(test_tiny_and_empty_tiles),
        T(test_thresholds_color),
        T(test_thresholds_below),
        T(test_level_follows_target_during_animation),
        T(test_sparkline_ring),
        T(test_sparkline_default_and_off),
        T(test_overflow_tracked_per_render),
        T(test_dashes_follow_digits),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
