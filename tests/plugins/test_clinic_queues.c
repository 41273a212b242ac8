/* test_clinic_queues.c: the clinic_queues plugin, loaded with the real loader, against a recording
 * fake host. Needs no display: the fake services only remember what the plugin asked to draw. */
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

#define PLUGIN_PATH WB_PLUGIN_BUILD_DIR "/clinic_queues.so"
#define MAX_DRAWN 96

/* ---- the fake host ------------------------------------------------------------------------ */

typedef enum drawn_kind { DRAWN_TEXT, DRAWN_LED, DRAWN_BAR, DRAWN_SPARK } drawn_kind;

typedef struct drawn {
    drawn_kind kind;
    char text[256];
    wb_rect box;
    wb_color color;
    int px;
    double fraction;
} drawn;

struct wb_host {
    pf_host_base base; /* now, logs, last_log: plugin_fixture.h's services use it */
    int led_result, text_result; /* forced draw_led / draw_text answers (0: computed) */
    int count;
    drawn items[MAX_DRAWN];
    double spark_values[1000];
    int spark_count;
};

/* Fake font metrics: an LED position as pf_led_width says (0.6 em, '.' none, ':' 0.3 em); a
 * label 0.55 em per ASCII character and 1 em per CJK (any other) character, like Noto Sans CJK. */
static int fake_label_width(const char *text, int px)
{
    double em = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p < 0x80) em += 0.55;
        else if ((*p & 0xC0) != 0x80) em += 1.0; /* a lead byte: one character */
    }
    return (int)lround(em * px);
}

static drawn *record(wb_host *h, drawn_kind kind, const char *text, wb_rect box, wb_color color)
{
    assert_true(box.w > 0 && box.h > 0);
    assert_true(h->count < MAX_DRAWN);
    drawn *d = &h->items[h->count++];
    *d = (drawn){.kind = kind, .box = box, .color = color};
    snprintf(d->text, sizeof d->text, "%s", text ? text : "");
    return d;
}

static int fake_draw_text(wb_host *h, wb_font_role role, int px, const char *utf8, wb_rect box,
                          wb_align align, wb_color color)
{
    (void)role;
    (void)align;
    drawn *d = record(h, DRAWN_TEXT, utf8, box, color);
    d->px = px;
    if (h->text_result) return h->text_result;
    int size = px > 0 ? px : box.h * 8 / 10;
    return fake_label_width(utf8, size) > box.w;
}

static int fake_measure_text(wb_host *h, wb_font_role role, int px, const char *utf8, int *w,
                             int *height)
{
    (void)h;
    assert_true(px >= 1 && px <= 4096);
    *w = role == WB_FONT_LED ? pf_led_width(utf8, px) : fake_label_width(utf8, px);
    *height = px;
    return 0;
}

/* Like the host's: 1 when the box's width, not its height, limited the digits' size. */
static int fake_draw_led(wb_host *h, const char *text, wb_rect box, wb_align align,
                         wb_color color, int ghost)
{
    (void)align;
    assert_int_equal(ghost, 1);
    for (const char *p = text; *p; p++) assert_non_null(strchr("0123456789-.: ", *p));
    record(h, DRAWN_LED, text, box, color);
    if (h->led_result) return h->led_result;
    return pf_led_width(text, box.h) > box.w;
}

static void fake_draw_bar(wb_host *h, wb_rect rect, double fraction, wb_color color)
{
    assert_true(fraction >= 0 && fraction <= 1);
    record(h, DRAWN_BAR, NULL, rect, color)->fraction = fraction;
}

static void fake_draw_sparkline(wb_host *h, wb_rect rect, const double *values, int count,
                                wb_color color)
{
    assert_true(count >= 2 && count <= 1000);
    record(h, DRAWN_SPARK, NULL, rect, color);
    memcpy(h->spark_values, values, (size_t)count * sizeof *values);
    h->spark_count = count;
}

/* Like the host's: rounded to `decimals`, grouped with `separator`. */
static int fake_format_number(double value, int decimals, const char *separator, char *buf,
                              size_t size)
{
    char tmp[128], out[192];
    snprintf(tmp, sizeof tmp, "%.*f", decimals, value);
    size_t digits = strcspn(tmp, "."), o = 0;
    for (size_t i = 0; tmp[i]; i++) {
        if (separator && *separator && i > 0 && i < digits && (digits - i) % 3 == 0 &&
            tmp[i - 1] != '-')
            o += (size_t)snprintf(out + o, sizeof out - o, "%s", separator);
        out[o++] = tmp[i];
    }
    out[o] = '\0';
    return snprintf(buf, size, "%s", out);
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
    .draw_bar = fake_draw_bar,
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
    return pf_setup(state, sizeof(fixture), offsetof(fixture, host), PLUGIN_PATH, &fake_services,
                    1000);
}

static void render(fixture *f, wb_rect rect)
{
    f->host.count = 0;
    f->host.spark_count = 0;
    f->pf.plugin.desc.render(f->pf.self, rect);
}

/* A 2x1 tile of a 4x3 grid at 1920x1080. */
static const wb_rect WIDE = {0, 0, 942, 344};

/* How many things of a kind the last render drew (with `text`, unless NULL). */
static int drawn_count(fixture *f, drawn_kind kind, const char *text)
{
    int n = 0;
    for (int i = 0; i < f->host.count; i++)
        n += f->host.items[i].kind == kind && (!text || strcmp(f->host.items[i].text, text) == 0);
    return n;
}

/* ---- messages ----------------------------------------------------------------------------- */

#define CLINIC(id, name, w, s, p, fl)                                                          \
    "{\"id\":\"" id "\",\"name\":\"" name "\",\"romanized\":\"" id " hospital\","               \
    "\"county\":\"" id "县\",\"waiting\":" #w ",\"scans_pending\":" #s ",\"prescriptions\":" #p \
    ",\"flagged\":" #fl "}"
#define TOTALS(c, w, s, p, fl)                                                                 \
    "{\"clinics\":" #c ",\"waiting\":" #w ",\"scans_pending\":" #s ",\"prescriptions\":" #p   \
    ",\"flagged\":" #fl "}"

static const char SNAPSHOT[] =
    "{\"type\":\"clinics.snapshot\",\"v\":1,\"seq\":0,\"ts\":1795625436393,\"clinics\":["
    CLINIC("zunyi-bozhou", "遵义市播州区人民医院", 107, 3, 190, 14) ","
    CLINIC("zunyi-renhuai", "仁怀市人民医院", 76, 7, 151, 14) ","
    CLINIC("zunyi-chishui", "赤水市人民医院", 42, 6, 116, 10) ","
    CLINIC("bijie-weining", "威宁彝族回族苗族自治县人民医院", 88, 2, 120, 9) "],"
    "\"totals\":" TOTALS(4, 313, 18, 577, 47) "}";

static const char UPDATE_CHISHUI[] =
    "{\"type\":\"clinic.update\",\"v\":1,\"seq\":1,\"ts\":1795625436400,\"clinic\":"
    CLINIC("zunyi-chishui", "赤水市人民医院", 120, 6, 117, 11) ","
    "\"totals\":" TOTALS(4, 391, 18, 578, 48) "}";

/* An update for clinic number i (a new one unless it exists), waiting i. */
static int send_numbered(fixture *f, int i)
{
    char message[1024];
    snprintf(message, sizeof message,
             "{\"type\":\"clinic.update\",\"clinic\":{\"id\":\"c%03d\",\"name\":\"医院%d\","
             "\"waiting\":%d,\"scans_pending\":0,\"prescriptions\":0,\"flagged\":0},"
             "\"totals\":" TOTALS(1, 1, 0, 0, 0) "}",
             i, i, i);
    return pf_send_text(&f->pf, message);
}

/* ---- tests: loading and options ----------------------------------------------------------- */

static void test_loads_hidden_and_named(void **state)
{
    fixture *f = *state;
    assert_string_equal(f->pf.plugin.name, "clinic_queues");
    assert_string_equal(f->pf.plugin.desc.version, "1.0.0");
    assert_non_null(f->pf.plugin.desc.tick);
    assert_non_null(f->pf.plugin.desc.report);
    assert_null(dlsym(f->pf.plugin.handle, "cq_model_apply"));
    assert_null(dlsym(f->pf.plugin.handle, "cq_draw"));
    assert_null(dlsym(f->pf.plugin.handle, "wbkit_anim_set"));
    assert_non_null(dlsym(f->pf.plugin.handle, WB_PLUGIN_ENTRY_SYMBOL));
}

static void test_defaults_before_any_message(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "候诊患者 · Patients waiting", "{}");
    pf_assert_report(&f->pf,
                     "{\"waiting\": null, \"scans_pending\": null, \"prescriptions\": null, "
                     "\"flagged\": null, \"clinics\": null, \"top\": [], \"level\": \"normal\", "
                     "\"flagged_level\": \"normal\", \"samples\": 0, \"evicted\": 0, "
                     "\"tracked\": 0, \"overflow\": false, "
                     "\"title\": \"候诊患者 · Patients waiting\"}");
    render(f, (wb_rect){0, 0, 465, 344});
    /* never blank: dashes on every LED panel, and the list says it waits */
    int leds = 0, waiting_text = 0;
    for (int i = 0; i < f->host.count; i++) {
        const drawn *d = &f->host.items[i];
        if (d->kind == DRAWN_LED) {
            assert_non_null(strstr(d->text, "---"));
            leds++;
        }
        if (d->kind == DRAWN_TEXT && strstr(d->text, "等待数据")) waiting_text++;
    }
    assert_int_equal(leds, 3);
    assert_int_equal(waiting_text, 1);
    assert_int_equal(f->host.base.logs, 0);
    pf_assert_report(&f->pf, "{\"overflow\": false, \"top\": []}");
}

static void test_option_errors(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *options, *err;
    } cases[] = {
        {"{\"top\": 0}", "option \"top\" must be an integer 1..10"},
        {"{\"top\": 11}", "option \"top\" must be an integer 1..10"},
        {"{\"top\": \"5\"}", "option \"top\" must be an integer 1..10"},
        {"{\"top\": 2.5}", "option \"top\" must be an integer 1..10"},
        {"{\"sparkline\": -1}", "option \"sparkline\" must be an integer 0..1000"},
        {"{\"sparkline\": 1001}", "option \"sparkline\" must be an integer 0..1000"},
        {"{\"sample_s\": 3601}", "option \"sample_s\" must be an integer 0..3600"},
        {"{\"animate_ms\": -1}", "option \"animate_ms\" must be an integer 0..60000"},
        {"{\"animate_ms\": true}", "option \"animate_ms\" must be an integer 0..60000"},
        {"{\"thresholds\": 5}",
         "option \"thresholds\" must be an object like {\"warn\": 80, \"alarm\": 95, "
         "\"below\": false}"},
        {"{\"thresholds\": {\"warn\": \"80\"}}", "option \"thresholds\": \"warn\" must be a number"},
        {"{\"flagged_thresholds\": []}",
         "option \"flagged_thresholds\" must be an object like {\"warn\": 80, \"alarm\": 95, "
         "\"below\": false}"},
        {"{\"flagged_thresholds\": {\"alarm\": null}}",
         "option \"flagged_thresholds\": \"alarm\" must be a number"},
        {"{\"flagged_thresholds\": {\"below\": 1}}",
         "option \"flagged_thresholds\": \"below\" must be true or false"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        pf_assert_refused(&f->pf, cases[i].options, cases[i].err); /* also: one line */
    pf_assert_refused(&f->pf, "[]", "options must be an object");
}

static void test_unknown_option_is_logged_not_fatal(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, NULL, "{\"tops\": 3, \"flagged_thresholds\": {\"warning\": 3}}");
    assert_int_equal(f->host.base.logs, 2);
    assert_string_equal(f->host.base.last_log,
                        "clinic_queues: unknown threshold \"warning\" ignored");
    pf_assert_report(&f->pf, "{\"title\": \"\"}");
}

static void test_too_old_services_refused(void **state)
{
    fixture *f = *state;
    pf_assert_old_services_refused(&f->pf, "clinic_queues needs host services of ABI 1.0 or later");
}

/* ---- tests: messages ---------------------------------------------------------------------- */

static void test_snapshot_then_updates(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0, \"top\": 3, \"sample_s\": 0}");
    assert_int_equal(pf_send_text(&f->pf, SNAPSHOT), WB_MSG_CHANGED);
    pf_assert_report(&f->pf, "{\"waiting\": 313, \"scans_pending\": 18, \"prescriptions\": 577, "
                             "\"flagged\": 47, \"clinics\": 4, \"tracked\": 4, \"samples\": 1, "
                             "\"top\": [{\"id\": \"zunyi-bozhou\", \"name\": \"遵义市播州区人民医院\", "
                             "\"waiting\": 107}, {\"id\": \"bijie-weining\", "
                             "\"name\": \"威宁彝族回族苗族自治县人民医院\", \"waiting\": 88}, "
                             "{\"id\": \"zunyi-renhuai\", \"name\": \"仁怀市人民医院\", "
                             "\"waiting\": 76}]}");
    assert_int_equal(pf_send_text(&f->pf, UPDATE_CHISHUI), WB_MSG_CHANGED);
    pf_assert_report(&f->pf, "{\"waiting\": 391, \"prescriptions\": 578, \"flagged\": 48, "
                             "\"tracked\": 4, \"samples\": 2, "
                             "\"top\": [{\"id\": \"zunyi-chishui\", \"name\": \"赤水市人民医院\", "
                             "\"waiting\": 120}, {\"id\": \"zunyi-bozhou\", "
                             "\"name\": \"遵义市播州区人民医院\", \"waiting\": 107}, "
                             "{\"id\": \"bijie-weining\", \"name\": \"威宁彝族回族苗族自治县人民医院\", "
                             "\"waiting\": 88}]}");

    /* what is drawn agrees: the big number, the stats and the first row */
    render(f, WIDE);
    const drawn *big = NULL;
    for (int i = 0; i < f->host.count; i++) {
        const drawn *d = &f->host.items[i];
        if (d->kind == DRAWN_LED && (!big || d->box.h > big->box.h)) big = d;
    }
    assert_non_null(big);
    assert_string_equal(big->text, " 391");
    assert_int_equal(big->color.r, 10 * WB_COLOR_LED);
    assert_int_equal(drawn_count(f, DRAWN_TEXT, "赤水市人民医院"), 1);
    pf_assert_report(&f->pf, "{\"overflow\": false}");
}

/* A new snapshot (a reconnect) replaces the state: clinics it lacks are gone. */
static void test_snapshot_replaces(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0}");
    pf_send_text(&f->pf, SNAPSHOT);
    assert_int_equal(pf_send_text(&f->pf, "{\"type\":\"clinics.snapshot\",\"clinics\":["
                                          CLINIC("new-one", "新医院", 5, 1, 2, 0) "],"
                                          "\"totals\":" TOTALS(1, 5, 1, 2, 0) "}"),
                     WB_MSG_CHANGED);
    pf_assert_report(&f->pf,
                     "{\"waiting\": 5, \"clinics\": 1, \"tracked\": 1, \"evicted\": 0, "
                     "\"top\": [{\"id\": \"new-one\", \"name\": \"新医院\", \"waiting\": 5}]}");
    /* an empty snapshot empties the list */
    assert_int_equal(pf_send_text(&f->pf, "{\"type\":\"clinics.snapshot\",\"clinics\":[],"
                                          "\"totals\":" TOTALS(0, 0, 0, 0, 0) "}"),
                     WB_MSG_CHANGED);
    pf_assert_report(&f->pf, "{\"waiting\": 0, \"tracked\": 0, \"top\": []}");
}

static void test_invalid_messages_change_nothing(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {
        /* totals */
        "{\"type\":\"clinic.update\",\"clinic\":" CLINIC("a", "甲", 1, 1, 1, 1) "}",
        "{\"type\":\"clinic.update\",\"clinic\":" CLINIC("a", "甲", 1, 1, 1, 1) ","
        "\"totals\":{\"clinics\":1,\"waiting\":\"5\",\"scans_pending\":0,\"prescriptions\":0,"
        "\"flagged\":0}}",
        "{\"type\":\"clinic.update\",\"clinic\":" CLINIC("a", "甲", 1, 1, 1, 1) ","
        "\"totals\":{\"clinics\":1,\"waiting\":5,\"scans_pending\":0,\"prescriptions\":0}}",
        "{\"type\":\"clinic.update\",\"clinic\":" CLINIC("a", "甲", 1, 1, 1, 1) ","
        "\"totals\":" TOTALS(1, -5, 0, 0, 0) "}",
        "{\"type\":\"clinic.update\",\"clinic\":" CLINIC("a", "甲", 1, 1, 1, 1) ","
        "\"totals\":" TOTALS(1, 1e16, 0, 0, 0) "}",
        "{\"type\":\"clinic.update\",\"clinic\":" CLINIC("a", "甲", 1, 1, 1, 1) ","
        "\"totals\":" TOTALS(1, 2.5, 0, 0, 0) "}",
        "{\"type\":\"clinic.update\",\"clinic\":" CLINIC("a", "甲", 1, 1, 1, 1) ","
        "\"totals\":[1,2,3]}",
        /* the clinic */
        "{\"type\":\"clinic.update\",\"totals\":" TOTALS(1, 1, 1, 1, 1) "}",
        "{\"type\":\"clinic.update\",\"clinic\":[],\"totals\":" TOTALS(1, 1, 1, 1, 1) "}",
        "{\"type\":\"clinic.update\",\"clinic\":" CLINIC("a", "甲", "9", 1, 1, 1) ","
        "\"totals\":" TOTALS(1, 1, 1, 1, 1) "}",
        "{\"type\":\"clinic.update\",\"clinic\":" CLINIC("a", "甲", 1, null, 1, 1) ","
        "\"totals\":" TOTALS(1, 1, 1, 1, 1) "}",
        "{\"type\":\"clinic.update\",\"clinic\":" CLINIC("a", "甲", 1, 1, -1, 1) ","
        "\"totals\":" TOTALS(1, 1, 1, 1, 1) "}",
        "{\"type\":\"clinic.update\",\"clinic\":" CLINIC("a", "甲", 1, 1, 1, true) ","
        "\"totals\":" TOTALS(1, 1, 1, 1, 1) "}",
        "{\"type\":\"clinic.update\",\"clinic\":" CLINIC("", "甲", 1, 1, 1, 1) ","
        "\"totals\":" TOTALS(1, 1, 1, 1, 1) "}",
        "{\"type\":\"clinic.update\",\"clinic\":" CLINIC("a", "", 1, 1, 1, 1) ","
        "\"totals\":" TOTALS(1, 1, 1, 1, 1) "}",
        "{\"type\":\"clinic.update\",\"clinic\":{\"id\":5,\"name\":\"甲\",\"waiting\":1,"
        "\"scans_pending\":1,\"prescriptions\":1,\"flagged\":1},\"totals\":"
        TOTALS(1, 1, 1, 1, 1) "}",
        "{\"type\":\"clinic.update\",\"clinic\":{\"id\":\"a\",\"name\":\"甲\",\"romanized\":7,"
        "\"waiting\":1,\"scans_pending\":1,\"prescriptions\":1,\"flagged\":1},\"totals\":"
        TOTALS(1, 1, 1, 1, 1) "}",
        /* the snapshot: one bad clinic spoils all of it */
        "{\"type\":\"clinics.snapshot\",\"clinics\":{},\"totals\":" TOTALS(0, 0, 0, 0, 0) "}",
        "{\"type\":\"clinics.snapshot\",\"totals\":" TOTALS(0, 0, 0, 0, 0) "}",
        "{\"type\":\"clinics.snapshot\",\"clinics\":[" CLINIC("a", "甲", 1, 1, 1, 1) ","
        CLINIC("b", "乙", 1, 1, 1, 0.5) "],\"totals\":" TOTALS(2, 2, 2, 2, 2) "}",
        "{\"type\":\"clinics.snapshot\",\"clinics\":[" CLINIC("a", "甲", 1, 1, 1, 1) ",7],"
        "\"totals\":" TOTALS(2, 2, 2, 2, 2) "}",
        "{\"type\":\"clinics.snapshot\",\"clinics\":[]}",
    };
    pf_start(&f->pf, "T", "{\"animate_ms\": 0}");
    pf_send_text(&f->pf, SNAPSHOT);
    pf_send_text(&f->pf, UPDATE_CHISHUI);
    char *before = pf_report_text(&f->pf);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_error_t jerr;
        json_t *message = json_loads(bad[i], JSON_ALLOW_NUL, &jerr);
        if (!message) continue; /* NaN is not JSON at all: the host never passes it on */
        int rc = f->pf.plugin.desc.on_message(f->pf.self, message);
        json_decref(message);
        if (rc != WB_MSG_INVALID) print_error("case %zu: %d for %s\n", i, rc, bad[i]);
        assert_int_equal(rc, WB_MSG_INVALID);
        char *after = pf_report_text(&f->pf);
        assert_string_equal(after, before);
        free(after);
    }
    free(before);
}

static void test_too_long_id_is_invalid(void **state)
{
    fixture *f = *state;
    char id[200], message[1024];
    memset(id, 'x', sizeof id - 1);
    id[sizeof id - 1] = '\0';
    snprintf(message, sizeof message,
             "{\"type\":\"clinic.update\",\"clinic\":{\"id\":\"%s\",\"name\":\"甲\","
             "\"waiting\":1,\"scans_pending\":1,\"prescriptions\":1,\"flagged\":1},"
             "\"totals\":" TOTALS(1, 1, 1, 1, 1) "}",
             id);
    pf_start(&f->pf, "T", "{}");
    assert_int_equal(pf_send_text(&f->pf, message), WB_MSG_INVALID);
    pf_assert_report(&f->pf, "{\"tracked\": 0, \"waiting\": null}");
}

static void test_other_messages_ignored(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{}");
    assert_int_equal(pf_send_text(&f->pf, "{\"type\": \"heartbeat\"}"), WB_MSG_IGNORED);
    assert_int_equal(pf_send_text(&f->pf, "{\"type\": \"attendance.update\", \"totals\": 5}"),
                     WB_MSG_IGNORED);
    assert_int_equal(pf_send_text(&f->pf, "{\"type\": 7}"), WB_MSG_IGNORED);
    assert_int_equal(pf_send_text(&f->pf, "{\"value\": 7}"), WB_MSG_IGNORED);
    pf_assert_report(&f->pf, "{\"waiting\": null, \"samples\": 0}");
}

/* Real numbers that are whole, as some JSON writers print them, are counts all the same. */
static void test_whole_reals_accepted(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0}");
    assert_int_equal(pf_send_text(&f->pf, "{\"type\":\"clinic.update\",\"clinic\":"
                                          CLINIC("a", "甲", 12.0, 1, 1, 0) ",\"totals\":"
                                          TOTALS(1.0, 12.0, 1, 1, 0) "}"),
                     WB_MSG_CHANGED);
    pf_assert_report(&f->pf, "{\"waiting\": 12, \"clinics\": 1, "
                             "\"top\": [{\"id\": \"a\", \"name\": \"甲\", \"waiting\": 12}]}");
}

static void test_eviction_bound(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0, \"top\": 2}");
    for (int i = 1; i <= 300; i++) assert_int_equal(send_numbered(f, i), WB_MSG_CHANGED);
    pf_assert_report(&f->pf, "{\"tracked\": 256, \"evicted\": 44, "
                             "\"top\": [{\"id\": \"c300\", \"name\": \"医院300\", \"waiting\": 300}, "
                             "{\"id\": \"c299\", \"name\": \"医院299\", \"waiting\": 299}]}");
    /* the oldest went: c045 is kept, c044 came back as a new one (and c045 went for it) */
    send_numbered(f, 45);
    pf_assert_report(&f->pf, "{\"tracked\": 256, \"evicted\": 44}");
    send_numbered(f, 44);
    pf_assert_report(&f->pf, "{\"tracked\": 256, \"evicted\": 45}");

    /* a snapshot of 300 keeps its last 256 */
    char *message = malloc(300 * 200 + 200);
    assert_non_null(message);
    size_t n = (size_t)sprintf(message, "{\"type\":\"clinics.snapshot\",\"clinics\":[");
    for (int i = 1; i <= 300; i++)
        n += (size_t)sprintf(message + n,
                             "%s{\"id\":\"s%03d\",\"name\":\"医院\",\"waiting\":%d,"
                             "\"scans_pending\":0,\"prescriptions\":0,\"flagged\":0}",
                             i > 1 ? "," : "", i, 1000 - i);
    sprintf(message + n, "],\"totals\":" TOTALS(300, 1, 0, 0, 0) "}");
    assert_int_equal(pf_send_text(&f->pf, message), WB_MSG_CHANGED);
    free(message);
    pf_assert_report(&f->pf, "{\"tracked\": 256, \"evicted\": 89, \"clinics\": 300, "
                             "\"top\": [{\"id\": \"s045\", \"name\": \"医院\", \"waiting\": 955}, "
                             "{\"id\": \"s046\", \"name\": \"医院\", \"waiting\": 954}]}");
}

/* ---- tests: animation --------------------------------------------------------------------- */

/* The big number's LED text (the tallest LED) after a render of a 2x1 tile. */
static const char *big_led(fixture *f)
{
    render(f, WIDE);
    const drawn *big = NULL;
    for (int i = 0; i < f->host.count; i++)
        if (f->host.items[i].kind == DRAWN_LED && (!big || f->host.items[i].box.h > big->box.h))
            big = &f->host.items[i];
    assert_non_null(big);
    return big->text;
}

static void test_count_up(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 600}");
    f->host.base.now = 1000;
    pf_send_text(&f->pf, SNAPSHOT);
    pf_assert_report(&f->pf, "{\"waiting\": 313}"); /* the target at once */
    assert_string_equal(big_led(f), "   0");
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1300), 1);
    assert_string_equal(big_led(f), " 274"); /* 313 * (1 - 0.5^3) = 273.9 */
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1600), 1); /* lands: drawn once more */
    assert_string_equal(big_led(f), " 313");
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1616), 0);
}

/* An equal value repeated neither freezes nor restarts a running count-up. */
static void test_repeated_value_keeps_counting(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 600}");
    f->host.base.now = 1000;
    pf_send_text(&f->pf, SNAPSHOT);
    f->host.base.now = 1300;
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1300), 1);
    assert_int_equal(pf_send_text(&f->pf, SNAPSHOT), WB_MSG_CHANGED); /* the same totals again */
    assert_string_equal(big_led(f), " 274");
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1450), 1);
    assert_string_equal(big_led(f), " 308"); /* 313 * (1 - 0.25^3) = 308.1: still moving */
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1600), 1);
    assert_string_equal(big_led(f), " 313");
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1601), 0);

    f->host.base.now = 5000; /* at rest: a repeat starts nothing, the value stays */
    assert_int_equal(pf_send_text(&f->pf, SNAPSHOT), WB_MSG_CHANGED);
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 5001), 0);
    assert_string_equal(big_led(f), " 313");

    /* a new value counts on from where the number is */
    f->host.base.now = 6000;
    pf_send_text(&f->pf, UPDATE_CHISHUI);
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 6300), 1);
    assert_string_equal(big_led(f), " 381"); /* 313 + 78 * 0.875 = 381.25 */
}

/* The bars count up too, and only bars on screen ask for frames. */
static void test_bars_count_up(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 600, \"top\": 1}");
    f->host.base.now = 1000;
    pf_send_text(&f->pf, SNAPSHOT);
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1300), 1);
    render(f, WIDE);
    assert_int_equal(drawn_count(f, DRAWN_BAR, NULL), 1);
    for (int i = 0; i < f->host.count; i++)
        if (f->host.items[i].kind == DRAWN_BAR) /* the longest queue is the scale */
            assert_true(f->host.items[i].fraction == 1.0);
    assert_int_equal(drawn_count(f, DRAWN_LED, " 94"), 1); /* 107 * 0.875 = 93.6 */
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1600), 1);
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1700), 0);

    /* a clinic off screen that changes asks for no frame; the totals do */
    f->host.base.now = 2000;
    pf_send_text(&f->pf, "{\"type\":\"clinic.update\",\"clinic\":"
                         CLINIC("zunyi-chishui", "赤水市人民医院", 43, 6, 116, 10)
                         ",\"totals\":" TOTALS(4, 313, 18, 577, 47) "}");
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 2100), 0);
}

/* A count too large for the panel reads in thousands, with the scale beside it. */
static void test_huge_count_scaled(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0}");
    pf_send_text(&f->pf, "{\"type\":\"clinics.snapshot\",\"clinics\":[],\"totals\":"
                         TOTALS(0, 1234567, 0, 0, 0) "}");
    assert_string_equal(big_led(f), "1234.6");
    assert_int_equal(drawn_count(f, DRAWN_TEXT, "k"), 1);
    pf_assert_report(&f->pf, "{\"waiting\": 1234567, \"overflow\": false}");
}

static void test_no_animation(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0}");
    pf_send_text(&f->pf, SNAPSHOT);
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1000), 0);
    assert_string_equal(big_led(f), " 313");
}

/* ---- tests: thresholds, sparkline --------------------------------------------------------- */

static const drawn *led_with(fixture *f, const char *text)
{
    for (int i = 0; i < f->host.count; i++)
        if (f->host.items[i].kind == DRAWN_LED && strcmp(f->host.items[i].text, text) == 0)
            return &f->host.items[i];
    return NULL;
}

static void test_thresholds(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0, \"thresholds\": {\"warn\": 300, \"alarm\": 380}, "
                          "\"flagged_thresholds\": {\"warn\": 48, \"alarm\": 60}}");
    pf_send_text(&f->pf, SNAPSHOT);
    render(f, WIDE);
    assert_int_equal(led_with(f, " 313")->color.r, 200 + WB_LEVEL_WARN);
    assert_int_equal(led_with(f, " 47")->color.r, 10 * WB_COLOR_LED);
    pf_assert_report(&f->pf, "{\"level\": \"warn\", \"flagged_level\": \"normal\"}");
    pf_send_text(&f->pf, UPDATE_CHISHUI);
    render(f, WIDE);
    assert_int_equal(led_with(f, " 391")->color.r, 200 + WB_LEVEL_ALARM);
    assert_int_equal(led_with(f, " 48")->color.r, 200 + WB_LEVEL_WARN);
    pf_assert_report(&f->pf, "{\"level\": \"alarm\", \"flagged_level\": \"warn\"}");
    for (int i = 0; i < f->host.count; i++)
        if (f->host.items[i].kind == DRAWN_SPARK)
            assert_int_equal(f->host.items[i].color.r, 200 + WB_LEVEL_ALARM);
}

static void test_sparkline_per_message(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0, \"sample_s\": 0, \"sparkline\": 3}");
    pf_send_text(&f->pf, SNAPSHOT);
    pf_send_text(&f->pf, UPDATE_CHISHUI);
    pf_send_text(&f->pf, SNAPSHOT);
    pf_send_text(&f->pf, UPDATE_CHISHUI);
    /* no sample */
    assert_int_equal(pf_send_text(&f->pf, "{\"type\":\"clinic.update\"}"), WB_MSG_INVALID);
    render(f, WIDE);
    assert_int_equal(f->host.spark_count, 3);
    assert_true(f->host.spark_values[0] == 391 && f->host.spark_values[1] == 313 &&
                f->host.spark_values[2] == 391);
    pf_assert_report(&f->pf, "{\"samples\": 3}");
}

/* sample_s: one point per period, its last value; quiet periods hold the level. */
static void test_sparkline_per_period(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0, \"sample_s\": 5, \"sparkline\": 10}");
    f->host.base.now = 10000;
    pf_send_text(&f->pf, SNAPSHOT);           /* period 2: 313 */
    f->host.base.now = 12000;
    pf_send_text(&f->pf, UPDATE_CHISHUI);     /* period 2: 391 replaces it */
    pf_assert_report(&f->pf, "{\"samples\": 1}");
    f->host.base.now = 26000;         /* period 5: 2, 3 and 4 closed at 391 */
    pf_send_text(&f->pf, SNAPSHOT);
    pf_assert_report(&f->pf, "{\"samples\": 4}");
    f->host.base.now = 31000;         /* drawn in period 6: period 5 closes at 313 */
    render(f, WIDE);
    assert_int_equal(f->host.spark_count, 5);
    static const double want[] = {391, 391, 391, 313, 313};
    for (int i = 0; i < 5; i++) assert_true(f->host.spark_values[i] == want[i]);
    f->host.base.now = 1000000;       /* long quiet: the ring fills with the level, no more */
    render(f, WIDE);
    pf_assert_report(&f->pf, "{\"samples\": 10}");
}

/* By default a point per 2 s, 120 of them: the last four minutes. */
static void test_sparkline_defaults(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0}");
    for (int i = 0; i < 200; i++) {
        f->host.base.now = 1000 + (uint64_t)i * 1000;
        pf_send_text(&f->pf, i % 2 ? SNAPSHOT : UPDATE_CHISHUI);
    }
    pf_assert_report(&f->pf, "{\"samples\": 101}"); /* from 1 s to 200 s: periods 0..100 */
    for (int i = 200; i < 300; i++) {
        f->host.base.now = 1000 + (uint64_t)i * 1000;
        pf_send_text(&f->pf, SNAPSHOT);
    }
    pf_assert_report(&f->pf, "{\"samples\": 120}");
}

static void test_sparkline_off(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0, \"sparkline\": 0, \"sample_s\": 0}");
    pf_send_text(&f->pf, SNAPSHOT);
    pf_send_text(&f->pf, UPDATE_CHISHUI);
    render(f, WIDE);
    assert_int_equal(f->host.spark_count, 0);
    pf_assert_report(&f->pf, "{\"samples\": 0}");
}

/* ---- tests: layout ------------------------------------------------------------------------ */

/* A snapshot like the feed's at its busiest: long names, four-digit totals. */
static void send_busy_snapshot(fixture *f)
{
    static const char busy[] =
        "{\"type\":\"clinics.snapshot\",\"clinics\":["
        "{\"id\":\"bijie-weining\",\"name\":\"威宁彝族回族苗族自治县人民医院\","
        "\"romanized\":\"Weining Yi, Hui and Miao Autonomous County People's Hospital\","
        "\"county\":\"威宁县\",\"waiting\":188,\"scans_pending\":12,"
        "\"prescriptions\":900,\"flagged\":70},"
        CLINIC("zunyi-bozhou", "遵义市播州区人民医院", 175, 3, 190, 14) ","
        CLINIC("qiandongnan-kaili", "凯里市第一人民医院", 150, 3, 190, 14) ","
        CLINIC("zunyi-daozhen", "道真仡佬族苗族自治县人民医院", 140, 3, 190, 14) ","
        CLINIC("liupanshui-shuicheng", "六盘水市水城区人民医院", 130, 3, 190, 14) ","
        CLINIC("bijie-qixingguan", "毕节市七星关区人民医院", 120, 3, 190, 14) "],"
        "\"totals\":" TOTALS(42, 4321, 388, 12345, 987) "}";
    assert_int_equal(pf_send_text(&f->pf, busy), WB_MSG_CHANGED);
}

/* The tiles a 4x3 grid (gap 12 at 1080p, scaled) gives at 720p, 1080p and 4K: 1x1, 2x1, 2x2,
 * and 1x2. Everything inside the tile, nothing overlapping, nothing shrunk or cut. */
static void test_layout_at_wall_sizes(void **state)
{
    fixture *f = *state;
    static const wb_rect tiles[] = {
        {8, 8, 310, 229},   {8, 8, 628, 229},   {8, 8, 628, 466},   {8, 8, 310, 466},
        {12, 12, 465, 344}, {12, 12, 942, 344}, {12, 12, 942, 700}, {12, 12, 465, 700},
        {24, 24, 930, 688}, {24, 24, 1884, 688}, {24, 24, 1884, 1400}, {24, 24, 930, 1400},
    };
    static const char *const titles[] = {NULL, "候诊患者",
                                         "환자 대기 · 候诊患者 · Patients waiting"};
    for (size_t t = 0; t < sizeof tiles / sizeof tiles[0]; t++) {
        for (size_t k = 0; k < sizeof titles / sizeof titles[0]; k++) {
            pf_start(&f->pf, titles[k], "{\"animate_ms\": 0, \"sample_s\": 0}");
            send_busy_snapshot(f);
            send_busy_snapshot(f);
            render(f, tiles[t]);
            for (int i = 0; i < f->host.count; i++) {
                const drawn *a = &f->host.items[i];
                assert_true(pf_inside(a->box, tiles[t]));
                for (int j = i + 1; j < f->host.count; j++) {
                    const drawn *b = &f->host.items[j];
                    if (pf_overlap(a->box, b->box))
                        print_error("tile %zu title %zu: '%s' {%d %d %d %d} overlaps '%s' "
                                    "{%d %d %d %d}\n", t, k, a->text, a->box.x, a->box.y,
                                    a->box.w, a->box.h, b->text, b->box.x, b->box.y, b->box.w,
                                    b->box.h);
                    assert_false(pf_overlap(a->box, b->box));
                }
            }
            json_t *out = pf_report(&f->pf);
            size_t rows = json_array_size(json_object_get(out, "top"));
            if (json_is_true(json_object_get(out, "overflow")) || rows < 3)
                print_error("tile %zu title %zu: overflow or %zu rows\n", t, k, rows);
            assert_true(json_is_false(json_object_get(out, "overflow")));
            assert_true(rows >= 3);
            json_decref(out);
        }
    }
}

/* A name too long for its row gives way to the county's short name, never an ellipsis. */
static void test_long_name_gives_way_to_county(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, NULL, "{\"animate_ms\": 0, \"top\": 1}");
    send_busy_snapshot(f);
    render(f, (wb_rect){0, 0, 310, 229});
    assert_int_equal(drawn_count(f, DRAWN_TEXT, "威宁县"), 1);
    assert_int_equal(drawn_count(f, DRAWN_TEXT, "威宁彝族回族苗族自治县人民医院"), 0);
    pf_assert_report(&f->pf, "{\"overflow\": false, \"top\": [{\"id\": \"bijie-weining\", "
                             "\"name\": \"威宁彝族回族苗族自治县人民医院\", \"waiting\": 188}]}");
}

static void test_top_limits_rows(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0, \"top\": 2}");
    send_busy_snapshot(f);
    render(f, WIDE);
    assert_int_equal(drawn_count(f, DRAWN_BAR, NULL), 2);
    json_t *out = pf_report(&f->pf);
    assert_int_equal(json_array_size(json_object_get(out, "top")), 2);
    json_decref(out);
}

/* A tile too short for the rows asked for shows those that fit, and says so in the report. */
static void test_rows_fit_the_tile(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0, \"top\": 10}");
    send_busy_snapshot(f);
    render(f, (wb_rect){0, 0, 465, 344});
    int bars = drawn_count(f, DRAWN_BAR, NULL);
    json_t *out = pf_report(&f->pf);
    assert_true(bars >= 2 && bars < 6);
    assert_int_equal(json_array_size(json_object_get(out, "top")), (size_t)bars);
    json_decref(out);
}

static void test_overflow_tracked_per_render(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0}");
    pf_send_text(&f->pf, SNAPSHOT);
    render(f, WIDE);
    pf_assert_report(&f->pf, "{\"overflow\": false}");
    f->host.led_result = 1;
    render(f, WIDE);
    pf_assert_report(&f->pf, "{\"overflow\": true}");
    f->host.led_result = 0;
    f->host.text_result = 1;
    render(f, WIDE);
    pf_assert_report(&f->pf, "{\"overflow\": true}");
    f->host.text_result = -1; /* an error is not an overflow */
    render(f, WIDE);
    pf_assert_report(&f->pf, "{\"overflow\": false}");
}

static void test_tiny_and_empty_tiles(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "Title", "{}");
    pf_send_text(&f->pf, SNAPSHOT);
    static const wb_rect tiles[] = {{0, 0, 0, 0}, {0, 0, 1, 1}, {0, 0, 3, 3}, {5, 5, 7, 40},
                                    {0, 0, -10, 50}, {0, 0, 2000, 2}, {0, 0, 40, 900}};
    for (size_t i = 0; i < sizeof tiles / sizeof tiles[0]; i++)
        render(f, tiles[i]); /* the fake asserts every drawn box is non-empty */
    pf_assert_report(&f->pf, "{\"waiting\": 313}");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, pf_teardown)
    const struct CMUnitTest tests[] = {
        T(test_loads_hidden_and_named),
        T(test_defaults_before_any_message),
        T(test_option_errors),
        T(test_unknown_option_is_logged_not_fatal),
        T(test_too_old_services_refused),
        T(test_snapshot_then_updates),
        T(test_snapshot_replaces),
        T(test_invalid_messages_change_nothing),
        T(test_too_long_id_is_invalid),
        T(test_other_messages_ignored),
        T(test_whole_reals_accepted),
        T(test_eviction_bound),
        T(test_count_up),
        T(test_repeated_value_keeps_counting),
        T(test_bars_count_up),
        T(test_huge_count_scaled),
        T(test_no_animation),
        T(test_thresholds),
        T(test_sparkline_per_message),
        T(test_sparkline_per_period),
        T(test_sparkline_defaults),
        T(test_sparkline_off),
        T(test_layout_at_wall_sizes),
        T(test_long_name_gives_way_to_county),
        T(test_top_limits_rows),
        T(test_rows_fit_the_tile),
        T(test_overflow_tracked_per_render),
        T(test_tiny_and_empty_tiles),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
