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

#include "jsonptr.h"
#include "loader.h"

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
    uint64_t now;
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

    int log_calls;
    char last_log[256];
};

static void fake_log(wb_host *h, wb_log_level level, const char *fmt, ...)
{
    (void)level;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->last_log, sizeof h->last_log, fmt, ap);
    va_end(ap);
    h->log_calls++;
}

static uint64_t fake_now(wb_host *h)
{
    return h->now;
}

/* Palette colours that tell which one was asked for: r = 10 * palette index. */
static wb_color fake_color(wb_host *h, wb_palette which)
{
    (void)h;
    return (wb_color){(uint8_t)(10 * which), 1, 1, 255};
}

static wb_color fake_level_color(wb_host *h, wb_level level)
{
    (void)h;
    return (wb_color){(uint8_t)(200 + level), 2, 2, 255};
}

static wb_level fake_threshold_level(double v, const wb_thresholds *t)
{
    if (t->below) {
        if (!isnan(t->alarm) && v <= t->alarm) return WB_LEVEL_ALARM;
        if (!isnan(t->warn) && v <= t->warn) return WB_LEVEL_WARN;
    } else {
        if (!isnan(t->alarm) && v >= t->alarm) return WB_LEVEL_ALARM;
        if (!isnan(t->warn) && v >= t->warn) return WB_LEVEL_WARN;
    }
    return WB_LEVEL_NORMAL;
}

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

/* Fake font metrics, roughly DSEG7's: a digit position is 0.6 em wide, '.' takes no room,
 * ':' 0.3 em; labels 0.5 em a byte. Rounded to whole pixels like real hinting. */
static int fake_led_width(const char *text, int px)
{
    double em = 0;
    for (const char *p = text; *p; p++) em += *p == '.' ? 0.0 : *p == ':' ? 0.3 : 0.6;
    return (int)lround(em * px);
}

static int fake_measure_text(wb_host *h, wb_font_role role, int px, const char *utf8, int *w,
                             int *height)
{
    if (h->measure_fails) return -1;
    assert_true(px >= 1 && px <= 2000);
    *w = role == WB_FONT_LED ? fake_led_width(utf8, px) : (int)lround(0.5 * px * strlen(utf8));
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
    return fake_led_width(text, box.h) > box.w;
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

static const struct json_t *fake_json_pointer(const struct json_t *root, const char *pointer)
{
    return jsonptr_get(root, pointer);
}

static const wb_host_services fake_services = {
    .size = sizeof(wb_host_services),
    .abi_major = WB_ABI_MAJOR,
    .abi_minor = WB_ABI_MINOR,
    .log = fake_log,
    .now_ms = fake_now,
    .color = fake_color,
    .threshold_level = fake_threshold_level,
    .level_color = fake_level_color,
    .draw_text = fake_draw_text,
    .draw_led = fake_draw_led,
    .measure_text = fake_measure_text,
    .draw_sparkline = fake_draw_sparkline,
    .format_number = fake_format_number,
    .json_pointer = fake_json_pointer,
};

/* ---- fixture ------------------------------------------------------------------------------ */

typedef struct fixture {
    loaded_plugin plugin;
    wb_host host;
    void *self;
    char err[256];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    char err[512];
    if (loader_open(COUNTER_PATH, &f->plugin, err, sizeof err) != 0) {
        print_error("%s\n", err);
        free(f);
        return -1;
    }
    f->host.now = 1000;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (f->self) f->plugin.desc.destroy(f->self);
    loader_close(&f->plugin);
    free(f);
    return 0;
}

/* create() with options given as JSON text; returns the instance or NULL (err in f->err). */
static void *create_with(fixture *f, const char *title, const char *options_json)
{
    json_error_t jerr;
    json_t *options = json_loads(options_json, 0, &jerr);
    assert_non_null(options);
    wb_tile_info tile = {.size = sizeof(wb_tile_info), .id = "t1", .title = title,
                         .feed = "feed", .options = options, .services = &fake_services,
                         .host = &f->host};
    f->err[0] = '\0';
    void *self = f->plugin.desc.create(&tile, f->err, sizeof f->err);
    json_decref(options);
    return self;
}

static void create_ok(fixture *f, const char *title, const char *options_json)
{
    f->self = create_with(f, title, options_json);
    if (!f->self) print_error("create failed: %s\n", f->err);
    assert_non_null(f->self);
}

static int send(fixture *f, const char *message_json)
{
    json_error_t jerr;
    json_t *message = json_loads(message_json, 0, &jerr);
    assert_non_null(message);
    int rc = f->plugin.desc.on_message(f->self, message);
    json_decref(message);
    return rc;
}

static void render(fixture *f, wb_rect rect)
{
    f->host.led_calls = f->host.text_calls = f->host.spark_calls = 0;
    f->plugin.desc.render(f->self, rect);
}

/* The report as compact JSON text with sorted keys; caller frees. */
static char *report(fixture *f)
{
    json_t *out = json_object();
    assert_int_equal(f->plugin.desc.report(f->self, out), 0);
    char *text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(out);
    return text;
}

static void assert_report(fixture *f, const char *expected_json)
{
    json_error_t jerr;
    json_t *expected = json_loads(expected_json, 0, &jerr);
    assert_non_null(expected);
    json_t *out = json_object();
    assert_int_equal(f->plugin.desc.report(f->self, out), 0);
    /* only the keys the test names */
    const char *key;
    json_t *want;
    json_object_foreach(expected, key, want) {
        json_t *got = json_object_get(out, key);
        if (!got || !json_equal(got, want)) {
            char *text = report(f);
            print_error("report %s: want %s in %s\n", key, json_dumps(want, JSON_ENCODE_ANY), text);
            free(text);
            fail();
        }
    }
    json_decref(out);
    json_decref(expected);
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
    assert_string_equal(f->plugin.name, "counter");
    assert_string_equal(f->plugin.desc.version, "1.0.0");
    assert_non_null(f->plugin.desc.tick);
    assert_non_null(f->plugin.desc.report);
    /* only the entry is exported */
    assert_null(dlsym(f->plugin.handle, "counter_create"));
    assert_null(dlsym(f->plugin.handle, "counter_render"));
    assert_non_null(dlsym(f->plugin.handle, WB_PLUGIN_ENTRY_SYMBOL));
}

static void test_defaults_before_any_value(void **state)
{
    fixture *f = *state;
    create_ok(f, "Patients waiting", "{}");
    assert_report(f, "{\"value\": null, \"shown\": \"------\", \"unit\": \"\", "
                     "\"title\": \"Patients waiting\", \"level\": \"normal\", \"samples\": 0, "
                     "\"overflow\": false}");
    assert_string_equal(led_after_render(f), "------"); /* never blank */
    assert_int_equal(f->host.led_ghost, 1);
    assert_int_equal(f->host.led_color.r, 10 * WB_COLOR_LED);
    assert_int_equal(f->host.spark_calls, 0); /* nothing to draw yet */
    assert_int_equal(f->host.log_calls, 0);
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
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        void *self = create_with(f, "T", cases[i].options);
        if (self) f->plugin.desc.destroy(self);
        assert_null(self);
        assert_string_equal(f->err, cases[i].err);
    }
}

static void test_unknown_option_is_logged_not_fatal(void **state)
{
    fixture *f = *state;
    create_ok(f, NULL, "{\"decimal\": 2, \"thresholds\": {\"warning\": 3}}");
    assert_int_equal(f->host.log_calls, 2);
    assert_string_equal(f->host.last_log, "counter: unknown threshold \"warning\" ignored");
    assert_report(f, "{\"title\": \"\"}");
}

static void test_too_old_services_refused(void **state)
{
    fixture *f = *state;
    wb_host_services old = fake_services;
    old.size = offsetof(wb_host_services, format_number);
    json_t *options = json_object();
    wb_tile_info tile = {.size = sizeof tile, .id = "t", .options = options, .services = &old,
                         .host = &f->host};
    char err[128];
    assert_null(f->plugin.desc.create(&tile, err, sizeof err));
    assert_string_equal(err, "counter needs host services of ABI 1.0 or later");
    json_decref(options);
}

static void test_message_classes(void **state)
{
    fixture *f = *state;
    create_ok(f, "T", "{\"value\": \"/data/level\", \"animate_ms\": 0}");
    assert_int_equal(send(f, "{\"type\": \"heartbeat\"}"), WB_MSG_IGNORED);
    assert_int_equal(send(f, "{\"data\": {}}"), WB_MSG_IGNORED);
    assert_int_equal(send(f, "{\"data\": {\"level\": \"12\"}}"), WB_MSG_INVALID);
    assert_int_equal(send(f, "{\"data\": {\"level\": true}}"), WB_MSG_INVALID);
    assert_int_equal(send(f, "{\"data\": {\"level\": null}}"), WB_MSG_INVALID);
    assert_int_equal(send(f, "{\"data\": {\"level\": {\"v\": 1}}}"), WB_MSG_INVALID);
    assert_int_equal(send(f, "{\"data\": {\"level\": [1]}}"), WB_MSG_INVALID);
    assert_int_equal(send(f, "{\"data\": {\"level\": 1e16}}"), WB_MSG_INVALID);
    assert_int_equal(send(f, "{\"data\": {\"level\": -2e15}}"), WB_MSG_INVALID);
    assert_report(f, "{\"value\": null, \"samples\": 0}");
    assert_int_equal(send(f, "{\"data\": {\"level\": 42}}"), WB_MSG_CHANGED);
    assert_report(f, "{\"value\": 42, \"samples\": 1}");
    assert_int_equal(send(f, "{\"data\": {\"level\": 1e15}}"), WB_MSG_CHANGED);
    assert_string_equal(led_after_render(f), "1000.0"); /* 6 digits: shown in T */
    assert_report(f, "{\"value\": 1000000000000000, \"scale\": \"T\", \"samples\": 2}");
}

static void test_count_up_with_ease_out(void **state)
{
    fixture *f = *state;
    create_ok(f, "T", "{\"animate_ms\": 600}");
    f->host.now = 1000;
    assert_int_equal(send(f, "{\"value\": 100}"), WB_MSG_CHANGED);
    assert_report(f, "{\"value\": 100}"); /* the target, at once */
    assert_string_equal(led_after_render(f), "0"); /* counting up from 0 */

    assert_int_equal(f->plugin.desc.tick(f->self, 1300), 1);
    assert_string_equal(led_after_render(f), "88"); /* 100 * (1 - 0.5^3) = 87.5 */
    assert_report(f, "{\"value\": 100, \"shown\": \"88\"}");

    assert_int_equal(f->plugin.desc.tick(f->self, 1600), 1); /* lands: draw it once more */
    assert_string_equal(led_after_render(f), "100");
    assert_int_equal(f->plugin.desc.tick(f->self, 1616), 0);
    assert_int_equal(f->plugin.desc.tick(f->self, 5000), 0);
}

static void test_new_value_restarts_from_shown(void **state)
{
    fixture *f = *state;
    create_ok(f, "T", "{\"animate_ms\": 600}");
    f->host.now = 1000;
    send(f, "{\"value\": 100}");
    f->host.now = 1300;
    assert_int_equal(f->plugin.desc.tick(f->self, 1300), 1);
    send(f, "{\"value\": 200}"); /* mid-way, at 87.5 */
    assert_string_equal(led_after_render(f), "88");  /* no jump */
    assert_int_equal(f->plugin.desc.tick(f->self, 1600), 1);
    assert_string_equal(led_after_render(f), "186"); /* 87.5 + 112.5 * 0.875 */
    assert_int_equal(f->plugin.desc.tick(f->self, 1899), 1);
    assert_int_equal(f->plugin.desc.tick(f->self, 1900), 1);
    assert_string_equal(led_after_render(f), "200");
    assert_int_equal(f->plugin.desc.tick(f->self, 1901), 0);

    /* and downwards */
    f->host.now = 2000;
    send(f, "{\"value\": 0}");
    assert_int_equal(f->plugin.desc.tick(f->self, 2300), 1);
    assert_string_equal(led_after_render(f), "25"); /* 200 - 200 * 0.875 */
}

static void test_same_value_keeps_animation(void **state)
{
    fixture *f = *state;
    create_ok(f, "T", "{\"animate_ms\": 600}");
    f->host.now = 1000;
    send(f, "{\"value\": 100}");
    f->host.now = 1300;
    assert_int_equal(send(f, "{\"value\": 100}"), WB_MSG_CHANGED); /* a sample all the same */
    assert_int_equal(f->plugin.desc.tick(f->self, 1300), 1);
    assert_string_equal(led_after_render(f), "88"); /* not restarted from 0 or from 88 */
    assert_int_equal(f->plugin.desc.tick(f->self, 1600), 1); /* ends when it would have */
    assert_string_equal(led_after_render(f), "100");
    assert_int_equal(f->plugin.desc.tick(f->self, 1601), 0);

    f->host.now = 3000; /* at rest: a repeat starts nothing */
    assert_int_equal(send(f, "{\"value\": 100}"), WB_MSG_CHANGED);
    assert_int_equal(f->plugin.desc.tick(f->self, 3001), 0);
    assert_string_equal(led_after_render(f), "100");
    assert_report(f, "{\"value\": 100, \"samples\": 3}");
}

static void test_no_animation(void **state)
{
    fixture *f = *state;
    create_ok(f, "T", "{\"animate_ms\": 0, \"decimals\": 2}");
    send(f, "{\"value\": 3.14159}");
    assert_int_equal(f->plugin.desc.tick(f->self, 1000), 0);
    assert_string_equal(led_after_render(f), "3.14");
    assert_report(f, "{\"value\": 3.14159, \"shown\": \"3.14\"}");
    send(f, "{\"value\": -0.001}");
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
        create_ok(f, "T", options);
        assert_int_equal(send(f, message), WB_MSG_CHANGED);
        const char *led = led_after_render(f);
        if (strcmp(led, cases[i].led) != 0)
            print_error("case %zu: %s\n", i, led);
        assert_string_equal(led, cases[i].led);
        char expected[128];
        snprintf(expected, sizeof expected, "{\"shown\": \"%s\", \"scale\": \"%s\"}", cases[i].led,
                 cases[i].scale);
        assert_report(f, expected);
        f->plugin.desc.destroy(f->self);
        f->self = NULL;
    }
}

static const drawn_text *find_text(const wb_host *h, const char *text)
{
    for (int i = 0; i < h->text_calls; i++)
        if (strcmp(h->texts[i].text, text) == 0) return &h->texts[i];
    return NULL;
}

static int inside(wb_rect inner, wb_rect outer)
{
    return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w &&
           inner.y + inner.h <= outer.y + outer.h;
}

static void test_layout_narrow_unit_below(void **state)
{
    fixture *f = *state;
    create_ok(f, "대기 환자 候诊", "{\"unit\": \"patients\", \"animate_ms\": 0}");
    send(f, "{\"value\": 123450}");
    send(f, "{\"value\": 123456}");
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
    assert_true(inside(title->box, TILE));
    assert_true(inside(h->led_box, TILE));
    assert_true(inside(unit->box, TILE));
    assert_true(inside(h->spark_box, TILE));
    assert_in_range(title->box.h, 40, 50);       /* ~15 % of 300 */
    assert_in_range(h->spark_box.h, 50, 58);     /* ~18 % */
    assert_true(title->box.y + title->box.h <= h->led_box.y);
    assert_true(h->led_box.y + h->led_box.h <= unit->box.y); /* six digits: unit below */
    assert_true(unit->box.y + unit->box.h <= h->spark_box.y);
    assert_true(h->led_box.h > title->box.h && h->led_box.h > h->spark_box.h); /* the largest */
    assert_true(h->led_box.h > unit->box.h);
    assert_int_equal(h->led_align, WB_ALIGN_CENTER);
    assert_report(f, "{\"overflow\": false}");
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
                create_ok(f, "Title", with_unit ? "{\"unit\": \"kWh\", \"animate_ms\": 0, "
                                                  "\"decimals\": 1}"
                                                : "{\"animate_ms\": 0}");
                char message[64];
                snprintf(message, sizeof message, "{\"value\": %s}", values[v]);
                send(f, message);
                render(f, tiles[t]);
                assert_true(inside(f->host.led_box, tiles[t]));
                wb_rect led = f->host.led_box;
                int width = fake_led_width(f->host.led_text, led.h);
                /* fits, and is large: fills the width unless it is a third of the tile high */
                if (width > led.w || (width < led.w * 0.9 && led.h < tiles[t].h / 3))
                    print_error("tile %zu value %s unit %d: led %dx%d text %d\n", t,
                                values[v], with_unit, led.w, led.h, width);
                assert_true(width <= led.w);
                assert_true(width >= led.w * 0.9 || led.h >= tiles[t].h / 3);
                assert_report(f, "{\"overflow\": false}");
                f->plugin.desc.destroy(f->self);
                f->self = NULL;
            }
        }
    }
}

/* The digits keep one size through a count-up that adds digits. */
static void test_led_size_steady_while_counting(void **state)
{
    fixture *f = *state;
    create_ok(f, "T", "{\"animate_ms\": 600}");
    f->host.now = 1000;
    send(f, "{\"value\": 100000}");
    wb_rect tall = {0, 0, 200, 400};
    render(f, tall);
    wb_rect first = f->host.led_box;
    assert_string_equal(f->host.led_text, "0");
    for (uint64_t now = 1016; now <= 1600; now += 16) {
        f->plugin.desc.tick(f->self, now);
        render(f, tall);
        assert_memory_equal(&f->host.led_box, &first, sizeof first);
    }
    assert_int_equal(f->plugin.desc.tick(f->self, 1600), 1); /* lands */
    render(f, tall);
    assert_memory_equal(&f->host.led_box, &first, sizeof first);
    assert_string_equal(f->host.led_text, "100000");
    assert_report(f, "{\"overflow\": false}");
    assert_int_equal(f->plugin.desc.tick(f->self, 1616), 0);
}

/* Without metrics the number still gets its whole band. */
static void test_led_without_measure(void **state)
{
    fixture *f = *state;
    f->host.measure_fails = 1;
    create_ok(f, "T", "{\"animate_ms\": 0, \"sparkline\": 0}");
    send(f, "{\"value\": 123456}");
    render(f, TILE);
    assert_int_equal(f->host.led_calls, 1);
    assert_true(f->host.led_box.h > TILE.h / 2);
    assert_report(f, "{\"overflow\": true, \"shown\": \"123456\"}"); /* the host says so */
}

static void test_layout_wide_unit_beside(void **state)
{
    fixture *f = *state;
    create_ok(f, "Power", "{\"unit\": \"W\", \"animate_ms\": 0, \"sparkline\": 0}");
    send(f, "{\"value\": 1234567}");
    wb_rect wide = {0, 0, 1200, 200};
    render(f, wide);
    const wb_host *h = &f->host;
    const drawn_text *unit = find_text(h, "kW"); /* the scale goes with the unit */
    assert_non_null(unit);
    assert_string_equal(h->led_text, "1234.6");
    assert_true(inside(h->led_box, wide));
    assert_true(inside(unit->box, wide));
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
    create_ok(f, "T", "{\"animate_ms\": 0}");
    send(f, "{\"value\": 1}");
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
    create_ok(f, "Title", "{\"unit\": \"u\"}");
    send(f, "{\"value\": 5}");
    static const wb_rect tiles[] = {{0, 0, 0, 0}, {0, 0, 1, 1}, {0, 0, 3, 3}, {5, 5, 7, 40},
                                    {0, 0, -10, 50}, {0, 0, 2000, 2}};
    for (size_t i = 0; i < sizeof tiles / sizeof tiles[0]; i++)
        render(f, tiles[i]); /* the fake asserts every drawn box is non-empty */
    assert_report(f, "{\"value\": 5}");
}

static void test_thresholds_color(void **state)
{
    fixture *f = *state;
    create_ok(f, "T", "{\"animate_ms\": 0, \"color\": \"#00FF80\", "
                      "\"thresholds\": {\"warn\": 80, \"alarm\": 95}}");
    send(f, "{\"value\": 50}");
    send(f, "{\"value\": 51}");
    render(f, TILE);
    wb_color c = f->host.led_color;
    assert_true(c.r == 0 && c.g == 255 && c.b == 128 && c.a == 255); /* the option colour */
    assert_int_equal(f->host.spark_color.r, 10 * WB_COLOR_ACCENT);
    assert_report(f, "{\"level\": \"normal\"}");

    send(f, "{\"value\": 85}");
    render(f, TILE);
    assert_int_equal(f->host.led_color.r, 200 + WB_LEVEL_WARN);
    assert_int_equal(f->host.spark_color.r, 200 + WB_LEVEL_WARN);
    assert_report(f, "{\"level\": \"warn\"}");

    send(f, "{\"value\": 99.5}");
    render(f, TILE);
    assert_int_equal(f->host.led_color.r, 200 + WB_LEVEL_ALARM);
    assert_report(f, "{\"level\": \"alarm\", \"value\": 99.5, \"shown\": \"100\"}");
}

static void test_thresholds_below(void **state)
{
    fixture *f = *state;
    create_ok(f, "Free disk", "{\"animate_ms\": 0, \"unit\": \"%\", "
                              "\"thresholds\": {\"warn\": 20, \"alarm\": 10, \"below\": true}}");
    send(f, "{\"value\": 50}");
    render(f, TILE);
    assert_int_equal(f->host.led_color.r, 10 * WB_COLOR_LED);
    send(f, "{\"value\": 15}");
    assert_report(f, "{\"level\": \"warn\"}");
    send(f, "{\"value\": 5}");
    assert_report(f, "{\"level\": \"alarm\", \"unit\": \"%\"}");
}

/* The level follows the value received, not the count-up on its way there. */
static void test_level_follows_target_during_animation(void **state)
{
    fixture *f = *state;
    create_ok(f, "T", "{\"thresholds\": {\"alarm\": 90}}");
    send(f, "{\"value\": 100}");
    assert_int_equal(f->plugin.desc.tick(f->self, 1100), 1);
    render(f, TILE);
    assert_int_equal(f->host.led_color.r, 200 + WB_LEVEL_ALARM);
}

static void test_sparkline_ring(void **state)
{
    fixture *f = *state;
    create_ok(f, "T", "{\"sparkline\": 3, \"animate_ms\": 0}");
    for (int v = 1; v <= 5; v++) {
        char message[32];
        snprintf(message, sizeof message, "{\"value\": %d}", v);
        send(f, message);
    }
    assert_int_equal(send(f, "{\"value\": \"x\"}"), WB_MSG_INVALID); /* not a sample */
    render(f, TILE);
    assert_int_equal(f->host.spark_count, 3);
    assert_true(f->host.spark_values[0] == 3 && f->host.spark_values[1] == 4 &&
                f->host.spark_values[2] == 5);
    assert_report(f, "{\"samples\": 3, \"value\": 5}");
}

static void test_sparkline_default_and_off(void **state)
{
    fixture *f = *state;
    create_ok(f, "T", "{\"animate_ms\": 0}");
    for (int v = 0; v < 70; v++) send(f, "{\"value\": 7}");
    assert_report(f, "{\"samples\": 60}");
    f->plugin.desc.destroy(f->self);
    f->self = NULL;

    create_ok(f, "T", "{\"sparkline\": 0}");
    send(f, "{\"value\": 7}");
    send(f, "{\"value\": 8}");
    render(f, TILE);
    assert_int_equal(f->host.spark_calls, 0);
    assert_report(f, "{\"samples\": 0}");
}

static void test_overflow_tracked_per_render(void **state)
{
    fixture *f = *state;
    create_ok(f, "A very long title", "{}");
    render(f, TILE);
    assert_report(f, "{\"overflow\": false}");
    f->host.led_result = 1;
    render(f, TILE);
    assert_report(f, "{\"overflow\": true}");
    f->host.led_result = 0;
    f->host.text_result = 1;
    render(f, TILE);
    assert_report(f, "{\"overflow\": true}");
    f->host.text_result = -1; /* an error is not an overflow */
    render(f, TILE);
    assert_report(f, "{\"overflow\": false}");
}

static void test_dashes_follow_digits(void **state)
{
    fixture *f = *state;
    create_ok(f, NULL, "{\"digits\": 3}");
    render(f, TILE);
    assert_string_equal(f->host.led_text, "---");
    assert_int_equal(f->host.text_calls, 0); /* no title, no unit */
    assert_report(f, "{\"shown\": \"---\", \"title\": \"\", \"unit\": \"\"}");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
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
