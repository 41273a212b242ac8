/* test_template.c: the template plugin (plugins/template), loaded with the real loader, against
 * a fake host that remembers the label and LED it was asked to draw. Needs no display. */
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

#define TEMPLATE_PATH WB_PLUGIN_BUILD_DIR "/template.so"

struct wb_host {
    pf_host_base base;
    int led_calls, text_calls;
    char led_text[64], label[256];
    wb_rect led_box, label_box;
    wb_color led_color;
};

static int fake_draw_led(wb_host *h, const char *text, wb_rect box, wb_align align,
                         wb_color color, int ghost)
{
    (void)align;
    (void)ghost;
    h->led_calls++;
    snprintf(h->led_text, sizeof h->led_text, "%s", text);
    h->led_box = box;
    h->led_color = color;
    return 0;
}

static int fake_draw_text(wb_host *h, wb_font_role role, int px, const char *utf8, wb_rect box,
                          wb_align align, wb_color color)
{
    (void)role;
    (void)px;
    (void)align;
    (void)color;
    h->text_calls++;
    snprintf(h->label, sizeof h->label, "%s", utf8);
    h->label_box = box;
    return 0;
}

/* The host's contract: `decimals` after the point, no separator when NULL. */
static int fake_format_number(double v, int decimals, const char *sep, char *buf, size_t size)
{
    assert_true(sep == NULL || *sep == '\0');
    return snprintf(buf, size, "%.*f", decimals, v);
}

static const wb_host_services services = {
    .size = sizeof(wb_host_services), .abi_major = WB_ABI_MAJOR, .abi_minor = WB_ABI_MINOR,
    .log = pf_log, .now_ms = pf_now, .color = pf_color, .threshold_level = pf_threshold_level,
    .level_color = pf_level_color, .draw_text = fake_draw_text, .draw_led = fake_draw_led,
    .format_number = fake_format_number, .json_pointer = pf_json_pointer,
};

typedef struct fixture {
    plugin_fixture pf;
    struct wb_host host;
} fixture;

static int setup(void **state)
{
    return pf_setup(state, sizeof(fixture), offsetof(fixture, host), TEMPLATE_PATH, &services, 0);
}

static void test_descriptor(void **state)
{
    fixture *f = *state;
    assert_string_equal(f->pf.plugin.desc.name, "template");
    assert_non_null(f->pf.plugin.desc.report);
    assert_non_null(f->pf.plugin.desc.on_feed_state);
}

static void test_bad_options_refused(void **state)
{
    fixture *f = *state;
    pf_assert_refused(&f->pf, "{\"decimals\": 7}",
                      "template: option \"decimals\" must be an integer 0..6");
    pf_assert_refused(&f->pf, "{\"value\": 3}", "template: option \"value\" must be a string");
    pf_assert_refused(&f->pf, "{\"value\": \"beds\"}",
                      "template: option \"value\" must be a JSON pointer like \"/value\" or "
                      "\"/beds/free\", not \"beds\"");
    pf_assert_refused(&f->pf, "{\"thresholds\": {\"warn\": \"x\"}}",
                      "template: option \"thresholds\": \"warn\" must be a number");
    pf_assert_refused(&f->pf, "{\"thresholds\": {\"below\": 1}}",
                      "template: option \"thresholds\": \"below\" must be true or false");
}

static void test_feedless_tile_refused(void **state)
{
    fixture *f = *state;
    json_t *options = json_object();
    wb_tile_info tile = {.size = sizeof tile, .id = "t", .options = options,
                         .services = &services, .host = &f->host};
    char err[256] = "";
    void *self = f->pf.plugin.desc.create(&tile, err, sizeof err);
    json_decref(options);
    assert_null(self);
    assert_string_equal(err, "template: this tile needs a \"feed\" in the wall config");
}

static void test_values_and_report(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "Beds", "{\"value\": \"/beds/free\", \"decimals\": 1, \"typo\": 1}");
    assert_int_equal(f->host.base.logs, 1); /* the unknown option, logged */
    pf_assert_report(&f->pf, "{\"value\": null, \"shown\": \"----\", \"label\": \"Beds\","
                             " \"level\": \"normal\", \"messages\": 0}");
    assert_int_equal(pf_send_text(&f->pf, "{\"other\": 1}"), WB_MSG_IGNORED);
    assert_int_equal(pf_send_text(&f->pf, "{\"beds\": {\"free\": \"x\"}}"), WB_MSG_INVALID);
    assert_int_equal(pf_send_text(&f->pf, "{\"beds\": {\"free\": 2e15}}"), WB_MSG_INVALID);
    assert_int_equal(pf_send_text(&f->pf, "{\"beds\": {\"free\": 41.25}}"), WB_MSG_CHANGED);
    assert_int_equal(pf_send_text(&f->pf, "{\"beds\": {\"free\": 42}}"), WB_MSG_CHANGED);
    pf_assert_report(&f->pf, "{\"value\": 42, \"shown\": \"42.0\", \"label\": \"Beds\","
                             " \"level\": \"normal\", \"messages\": 2}");
    f->pf.plugin.desc.on_feed_state(f->pf.self, WB_FEED_STALE);
    pf_assert_report(&f->pf, "{\"feed_state\": \"stale\"}");
}

static void test_render_label_led_and_levels(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "Title", "{\"label\": \"Load\", \"thresholds\": {\"warn\": 50, \"alarm\": 90}}");
    wb_rect tile = {10, 20, 400, 200};
    f->pf.plugin.desc.render(f->pf.self, tile);
    assert_string_equal(f->host.led_text, "----"); /* never blank */
    assert_string_equal(f->host.label, "Load");
    assert_true(pf_inside(f->host.led_box, tile) && pf_inside(f->host.label_box, tile));
    assert_false(pf_overlap(f->host.led_box, f->host.label_box));
    assert_true(f->host.led_box.h > f->host.label_box.h); /* the number is the big part */
    assert_int_equal(f->host.led_color.r, 10 * WB_COLOR_LED);

    const struct { const char *msg; const char *level; int red; } steps[] = {
        {"{\"value\": 49}", "normal", 10 * WB_COLOR_LED},
        {"{\"value\": 50}", "warn", 200 + WB_LEVEL_WARN},
        {"{\"value\": 90}", "alarm", 200 + WB_LEVEL_ALARM},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        assert_int_equal(pf_send_text(&f->pf, steps[i].msg), WB_MSG_CHANGED);
        f->pf.plugin.desc.render(f->pf.self, tile);
        assert_int_equal(f->host.led_color.r, steps[i].red);
        char want[64];
        snprintf(want, sizeof want, "{\"level\": \"%s\"}", steps[i].level);
        pf_assert_report(&f->pf, want);
    }
    assert_string_equal(f->host.led_text, "90");

    /* below: low values are bad; and no label: the LED takes the whole inner tile */
    pf_start(&f->pf, NULL, "{\"thresholds\": {\"warn\": 10, \"below\": true}}");
    assert_int_equal(pf_send_text(&f->pf, "{\"value\": 3}"), WB_MSG_CHANGED);
    f->host.text_calls = 0;
    f->pf.plugin.desc.render(f->pf.self, tile);
    assert_int_equal(f->host.text_calls, 0);
    assert_int_equal(f->host.led_color.r, 200 + WB_LEVEL_WARN);
    pf_assert_report(&f->pf, "{\"label\": \"\", \"level\": \"warn\", \"value\": 3}");
}

/* Hot reload: what save() keeps, restore() shows again, formatted with the new options. */
static void test_save_and_restore(void **state)
{
    fixture *f = *state;
    const wb_plugin_descriptor *d = &f->pf.plugin.desc;
    assert_non_null(d->save);
    assert_non_null(d->restore);
    pf_start(&f->pf, "Beds", "{\"decimals\": 1}");
    assert_null(d->save(f->pf.self)); /* nothing shown yet: nothing to keep */
    assert_int_equal(pf_send_text(&f->pf, "{\"value\": 41.25}"), WB_MSG_CHANGED);
    assert_int_equal(pf_send_text(&f->pf, "{\"value\": 42.5}"), WB_MSG_CHANGED);
    json_t *saved = d->save(f->pf.self);
    assert_non_null(saved);

    pf_start(&f->pf, "Beds", "{\"decimals\": 2}"); /* the new build, with new options */
    assert_int_equal(d->restore(f->pf.self, saved), 0);
    json_decref(saved);
    pf_assert_report(&f->pf, "{\"value\": 42.5, \"shown\": \"42.50\", \"messages\": 2}");

    /* what an older build might have saved, or garbage: refused, the tile starts afresh */
    pf_start(&f->pf, "Beds", "{}");
    json_t *bad = json_loads("{\"value\": \"42\", \"messages\": 2}", 0, NULL);
    assert_int_equal(d->restore(f->pf.self, bad), -1);
    json_decref(bad);
    pf_assert_report(&f->pf, "{\"value\": null, \"shown\": \"----\", \"messages\": 0}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_descriptor, setup, pf_teardown),
        cmocka_unit_test_setup_teardown(test_bad_options_refused, setup, pf_teardown),
        cmocka_unit_test_setup_teardown(test_feedless_tile_refused, setup, pf_teardown),
        cmocka_unit_test_setup_teardown(test_values_and_report, setup, pf_teardown),
        cmocka_unit_test_setup_teardown(test_render_label_led_and_levels, setup, pf_teardown),
        cmocka_unit_test_setup_teardown(test_save_and_restore, setup, pf_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
