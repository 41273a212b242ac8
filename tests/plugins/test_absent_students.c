/* test_absent_students.c: the absent_students plugin loaded with the real loader, driven with
 * /attendance messages against a fake host that keeps every draw. Needs no display, never sleeps. */
#include <dlfcn.h>
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

#include "format.h"
#include "plugin_fixture.h"

#define PLUGIN_PATH WB_PLUGIN_BUILD_DIR "/absent_students.so"
#define MAX_DRAWS 160

/* ---- a fake host that keeps what was drawn where ------------------------------------------- */

typedef enum draw_kind { DRAW_TEXT, DRAW_LED } draw_kind;

typedef struct draw {
    draw_kind kind;
    char text[256];
    wb_rect box;
    wb_rect ink; /* where the glyphs land, by the fake metrics below */
    wb_color color;
    int px;
} draw;

struct wb_host {
    pf_host_base base; /* now, logs, last_log: the shared fixture's services use it */
    int force_led, force_text; /* non-zero: what draw_led / draw_text answer */
    int draws_count;
    draw draws[MAX_DRAWS];
    int fills;
};

/* Tells which colour was asked for: the palette index in r, 100 + level for levels. */
static wb_color fake_color(wb_host *h, wb_palette which)
{
    (void)h;
    return (wb_color){(uint8_t)which, 7, 7, 255};
}

static wb_color fake_level_color(wb_host *h, wb_level level)
{
    (void)h;
    return (wb_color){(uint8_t)(100 + level), 9, 9, 255};
}

/* Fake metrics: an LED cell is 0.6 em ('.' none); a label's ASCII byte 0.5 em, any other
 * character (CJK) 1 em. Whole pixels, as hinting gives. */
static int led_width(const char *s, int px)
{
    double em = 0;
    for (; *s; s++) em += *s == '.' ? 0 : 0.6;
    return (int)lround(em * px);
}

static int label_width(const char *s, int px)
{
    double em = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x80) em += 0.5;
        else if (*p >= 0xC0) em += 1.0; /* a lead byte: one character */
    return (int)lround(em * px);
}

static int fake_measure(wb_host *h, wb_font_role role, int px, const char *s, int *w, int *hh)
{
    (void)h;
    assert_true(px >= 1 && px <= 2000);
    *w = role == WB_FONT_LED ? led_width(s, px) : label_width(s, px);
    *hh = px;
    return 0;
}

static int x_for(wb_rect box, int w, wb_align align)
{
    return align == WB_ALIGN_LEFT ? box.x : align == WB_ALIGN_RIGHT ? box.x + box.w - w
                                                                    : box.x + (box.w - w) / 2;
}

static draw *record(wb_host *h, draw_kind kind, const char *s, wb_rect box, wb_color color)
{
    assert_true(box.w > 0 && box.h > 0); /* never an empty box */
    assert_true(h->draws_count < MAX_DRAWS);
    draw *d = &h->draws[h->draws_count++];
    *d = (draw){.kind = kind, .box = box, .color = color};
    snprintf(d->text, sizeof d->text, "%s", s);
    return d;
}

/* Like the host: 0 fits the box height; 1 when the text is wider than its box. */
static int fake_draw_text(wb_host *h, wb_font_role role, int px, const char *s, wb_rect box,
                          wb_align align, wb_color color)
{
    (void)role;
    if (px == 0) px = box.h * 8 / 10;
    assert_true(px <= box.h); /* an explicit size never spills out of its box */
    draw *d = record(h, DRAW_TEXT, s, box, color);
    int w = label_width(s, px);
    d->px = px;
    d->ink = (wb_rect){x_for(box, w < box.w ? w : box.w, align), box.y + (box.h - px) / 2,
                       w < box.w ? w : box.w, px};
    if (h->force_text) return h->force_text;
    return w > box.w;
}

static int fake_draw_led(wb_host *h, const char *s, wb_rect box, wb_align align, wb_color color,
                         int ghost)
{
    assert_int_equal(ghost, 1);
    for (const char *p = s; *p; p++) assert_non_null(strchr("0123456789-. ", *p));
    draw *d = record(h, DRAW_LED, s, box, color);
    int w = led_width(s, box.h);
    d->px = box.h;
    d->ink = (wb_rect){x_for(box, w < box.w ? w : box.w, align), box.y, w < box.w ? w : box.w,
                       box.h};
    if (h->force_led) return h->force_led;
    return w > box.w;
}

static void fake_fill(wb_host *h, wb_rect r, wb_color c)
{
    (void)c;
    assert_true(r.w > 0 && r.h > 0);
    h->fills++;
}

static const wb_host_services services = {
    .size = sizeof(wb_host_services),
    .abi_major = WB_ABI_MAJOR,
    .abi_minor = WB_ABI_MINOR,
    .log = pf_log,
    .now_ms = pf_now,
    .color = fake_color,
    .threshold_level = pf_threshold_level,
    .level_color = fake_level_color,
    .fill_rect = fake_fill,
    .draw_text = fake_draw_text,
    .measure_text = fake_measure,
    .draw_led = fake_draw_led,
    .format_number = format_number, /* the host's own */
    .json_pointer = pf_json_pointer,
};

/* ---- fixture ------------------------------------------------------------------------------ */

typedef struct fixture {
    plugin_fixture pf;
    wb_host host;
} fixture;

static int setup(void **state)
{
    return pf_setup(state, sizeof(fixture), offsetof(fixture, host), PLUGIN_PATH, &services, 1000);
}

static void render(fixture *f, wb_rect r)
{
    f->host.draws_count = 0;
    f->host.fills = 0;
    f->pf.plugin.desc.render(f->pf.self, r);
}

static const draw *find_draw(const wb_host *h, draw_kind kind, const char *text)
{
    for (int i = 0; i < h->draws_count; i++)
        if (h->draws[i].kind == kind && strcmp(h->draws[i].text, text) == 0) return &h->draws[i];
    return NULL;
}

/* The n-th LED drawn: 0 the big number, 1 late, 2 parents notified. */
static const draw *led(const wb_host *h, int n)
{
    for (int i = 0; i < h->draws_count; i++)
        if (h->draws[i].kind == DRAW_LED && n-- == 0) return &h->draws[i];
    fail_msg("fewer LEDs than expected");
    return NULL;
}

/* ---- messages ----------------------------------------------------------------------------- */

/* A school: absent, absent left-behind, late, parents notified; enrolled 1000, 400 left-behind. */
static json_t *school(const char *id, const char *name, int absent, int lb, int late, int told)
{
    char romanized[128];
    snprintf(romanized, sizeof romanized, "%s Town Central Primary School", id);
    return json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:i}", "id", id, "name", name,
                     "romanized", romanized, "county", "县", "enrolled", 1000, "left_behind", 400,
                     "absent", absent, "absent_left_behind", lb, "late", late,
                     "parents_notified", told);
}

static json_t *totals(int schools, int absent, int lb, int late, int told)
{
    return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "schools", schools, "enrolled",
                     1000 * schools, "left_behind", 400 * schools, "absent", absent,
                     "absent_left_behind", lb, "late", late, "parents_notified", told);
}

/* A snapshot of `schools` (stolen) with totals summed from them. */
static json_t *snapshot(const char *date, json_t *schools)
{
    int sum[4] = {0};
    static const char *const keys[4] = {"absent", "absent_left_behind", "late",
                                        "parents_notified"};
    size_t i;
    json_t *s;
    json_array_foreach(schools, i, s)
        for (int k = 0; k < 4; k++) sum[k] += (int)json_integer_value(json_object_get(s, keys[k]));
    return json_pack("{s:s, s:i, s:i, s:i, s:s, s:o, s:o}", "type", "attendance.snapshot", "v", 1,
                     "seq", 1, "ts", 1764050400000, "date", date, "schools", schools, "totals",
                     totals((int)json_array_size(schools), sum[0], sum[1], sum[2], sum[3]));
}

static json_t *update(json_t *one_school, json_t *the_totals)
{
    return json_pack("{s:s, s:i, s:i, s:i, s:o, s:o}", "type", "attendance.update", "v", 1, "seq",
                     2, "ts", 1764050401000, "school", one_school, "totals", the_totals);
}

/* Three schools: 71 + 58 + 44 absent, 39 + 35 + 27 of them left-behind. */
static json_t *three_schools(void)
{
    return snapshot("2026-11-25",
                    json_pack("[o, o, o]", school("weining", "威宁县草海镇中心小学", 71, 39, 28, 97),
                              school("nayong", "纳雍县阳长镇中学", 58, 35, 21, 76),
                              school("dafang", "大方县羊场镇中心小学", 44, 27, 18, 60)));
}

/* ---- tests: loading and options ----------------------------------------------------------- */

static void test_loads_hidden_and_named(void **state)
{
    fixture *f = *state;
    assert_string_equal(f->pf.plugin.name, "absent_students");
    assert_string_equal(f->pf.plugin.desc.version, "1.0.0");
    assert_non_null(f->pf.plugin.desc.tick);
    assert_non_null(f->pf.plugin.desc.report);
    assert_null(dlsym(f->pf.plugin.handle, "as_model_apply"));
    assert_null(dlsym(f->pf.plugin.handle, "as_render"));
    assert_non_null(dlsym(f->pf.plugin.handle, WB_PLUGIN_ENTRY_SYMBOL));
}

static void test_before_any_message(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "缺勤留守儿童", "{}");
    pf_assert_report(&f->pf, "{\"absent_left_behind\": null, \"absent\": null, \"late\": null, "
                     "\"parents_notified\": null, \"schools\": null, \"enrolled\": null, "
                     "\"left_behind\": null, \"date\": \"\", \"top\": [], \"level\": \"normal\", "
                     "\"evicted\": 0, \"kept\": 0, \"overflow\": false, \"shown\": "
                     "{\"absent_left_behind\": \"----\", \"late\": \"----\", "
                     "\"parents_notified\": \"----\"}}");
    render(f, (wb_rect){0, 0, 465, 344});
    /* never blank: dashes on every LED, and the list says it waits */
    assert_string_equal(led(&f->host, 0)->text, "----");
    assert_string_equal(led(&f->host, 1)->text, "----");
    assert_string_equal(led(&f->host, 2)->text, "----");
    assert_int_equal(led(&f->host, 0)->color.r, WB_COLOR_LED);
    assert_non_null(find_draw(&f->host, DRAW_TEXT, "等待数据 · Waiting for data"));
    pf_assert_report(&f->pf, "{\"overflow\": false, \"rows\": 0}");
    assert_int_equal(f->host.base.logs, 0);
}

static void test_option_errors(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *options, *err;
    } cases[] = {
        {"{\"top\": 0}", "option \"top\" must be an integer 1..10"},
        {"{\"top\": 11}", "option \"top\" must be an integer 1..10"},
        {"{\"top\": \"3\"}", "option \"top\" must be an integer 1..10"},
        {"{\"top\": 2.5}", "option \"top\" must be an integer 1..10"},
        {"{\"animate_ms\": -1}", "option \"animate_ms\" must be an integer 0..60000"},
        {"{\"animate_ms\": 60001}", "option \"animate_ms\" must be an integer 0..60000"},
        {"{\"thresholds\": [1]}",
         "option \"thresholds\" must be an object like {\"warn\": 80, \"alarm\": 95, "
         "\"below\": false}"},
        {"{\"thresholds\": {\"alarm\": \"300\"}}",
         "option \"thresholds\": \"alarm\" must be a number"},
        {"{\"late_thresholds\": 50}",
         "option \"late_thresholds\" must be an object like {\"warn\": 80, \"alarm\": 95, "
         "\"below\": false}"},
        {"{\"late_thresholds\": {\"below\": \"no\"}}",
         "option \"late_thresholds\": \"below\" must be true or false"},
        {"[]", "options must be an object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        void *self = pf_make(&f->pf, "T", cases[i].options);
        if (self) f->pf.plugin.desc.destroy(self);
        assert_null(self);
        assert_string_equal(f->pf.err, cases[i].err);
        assert_null(strchr(f->pf.err, '\n')); /* one line */
    }
}

static void test_unknown_options_logged(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, NULL, "{\"tops\": 3, \"late_thresholds\": {\"warning\": 5}}");
    assert_int_equal(f->host.base.logs, 2);
    assert_string_equal(f->host.base.last_log, "absent_students: unknown threshold \"warning\" ignored");
    pf_assert_report(&f->pf, "{\"title\": \"\"}");
}

static void test_old_services_refused(void **state)
{
    fixture *f = *state;
    wb_host_services old = services;
    old.size = offsetof(wb_host_services, format_number);
    json_t *options = json_object();
    wb_tile_info tile = {.size = sizeof tile, .id = "t", .options = options, .services = &old,
                         .host = &f->host};
    char err[128];
    assert_null(f->pf.plugin.desc.create(&tile, err, sizeof err));
    assert_string_equal(err, "absent_students needs host services of ABI 1.0 or later");
    json_decref(options);
}

/* ---- tests: messages ---------------------------------------------------------------------- */

static void test_snapshot_then_updates(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0}");
    assert_int_equal(pf_send(&f->pf, three_schools()), WB_MSG_CHANGED);
    pf_assert_report(&f->pf, "{\"absent_left_behind\": 101, \"absent\": 173, \"late\": 67, "
                     "\"parents_notified\": 233, \"schools\": 3, \"enrolled\": 3000, "
                     "\"left_behind\": 1200, \"date\": \"2026-11-25\", \"kept\": 3, "
                     "\"top\": [{\"id\": \"weining\", \"name\": \"威宁县草海镇中心小学\", "
                     "\"absent\": 71, \"absent_left_behind\": 39}, {\"id\": \"nayong\", "
                     "\"name\": \"纳雍县阳长镇中学\", \"absent\": 58, \"absent_left_behind\": 35}, "
                     "{\"id\": \"dafang\", \"name\": \"大方县羊场镇中心小学\", \"absent\": 44, "
                     "\"absent_left_behind\": 27}]}");

    /* dafang overtakes everyone; the totals are the message's, not a sum */
    assert_int_equal(pf_send(&f->pf, update(school("dafang", "大方县羊场镇中心小学", 80, 41, 19, 64),
                                         totals(34, 900, 450, 300, 1200))),
                     WB_MSG_CHANGED);
    pf_assert_report(&f->pf, "{\"absent_left_behind\": 450, \"absent\": 900, \"late\": 300, "
                     "\"parents_notified\": 1200, \"schools\": 34, \"date\": \"2026-11-25\", "
                     "\"kept\": 3, \"top\": [{\"id\": \"dafang\", \"name\": \"大方县羊场镇中心小学\", "
                     "\"absent\": 80, \"absent_left_behind\": 41}, {\"id\": \"weining\", "
                     "\"name\": \"威宁县草海镇中心小学\", \"absent\": 71, \"absent_left_behind\": 39}, "
                     "{\"id\": \"nayong\", \"name\": \"纳雍县阳长镇中学\", \"absent\": 58, "
                     "\"absent_left_behind\": 35}]}");

    /* a school not seen before joins; an update may carry the date */
    json_t *u = update(school("hezhang", "赫章县妈姑镇中心小学", 60, 30, 1, 2),
                       totals(34, 960, 480, 301, 1202));
    json_object_set_new(u, "date", json_string("2026-11-26"));
    assert_int_equal(pf_send(&f->pf, u), WB_MSG_CHANGED);
    pf_assert_report(&f->pf, "{\"absent_left_behind\": 480, \"kept\": 4, \"date\": \"2026-11-26\"}");

    /* on screen: the three numbers exactly, the list in rank order */
    render(f, (wb_rect){0, 0, 942, 344});
    assert_string_equal(led(&f->host, 0)->text, " 480");
    assert_string_equal(led(&f->host, 1)->text, " 301");
    assert_string_equal(led(&f->host, 2)->text, "1202");
    pf_assert_report(&f->pf, "{\"shown\": {\"absent_left_behind\": \"480\", \"late\": \"301\", "
                     "\"parents_notified\": \"1202\"}, \"rows\": 3, \"overflow\": false}");
    const draw *first = find_draw(&f->host, DRAW_TEXT, "大方县羊场镇中心小学");
    const draw *third = find_draw(&f->host, DRAW_TEXT, "赫章县妈姑镇中心小学");
    assert_non_null(first);
    assert_non_null(third);
    assert_true(first->box.y < third->box.y);
    assert_null(find_draw(&f->host, DRAW_TEXT, "纳雍县阳长镇中学")); /* fourth: not shown */
    assert_non_null(find_draw(&f->host, DRAW_TEXT, "80"));
    assert_non_null(find_draw(&f->host, DRAW_TEXT, "41"));
}

/* A new snapshot replaces every school: a reconnect shows the server's state, not a merge. */
static void test_snapshot_replaces(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0}");
    pf_send(&f->pf, three_schools());
    assert_int_equal(pf_send(&f->pf, snapshot("2026-11-27", json_pack("[o]", school("nayong",
                                                      "纳雍县阳长镇中学", 5, 2, 1, 3)))),
                     WB_MSG_CHANGED);
    pf_assert_report(&f->pf, "{\"absent_left_behind\": 2, \"absent\": 5, \"late\": 1, "
                     "\"parents_notified\": 3, \"schools\": 1, \"kept\": 1, "
                     "\"date\": \"2026-11-27\", \"top\": [{\"id\": \"nayong\", "
                     "\"name\": \"纳雍县阳长镇中学\", \"absent\": 5, \"absent_left_behind\": 2}]}");
    /* an empty snapshot is a valid state too */
    assert_int_equal(pf_send(&f->pf, snapshot("2026-11-28", json_array())), WB_MSG_CHANGED);
    pf_assert_report(&f->pf, "{\"absent_left_behind\": 0, \"kept\": 0, \"top\": []}");
}

static void test_unknown_types_ignored(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{}");
    pf_send(&f->pf, three_schools());
    char *before = pf_report_text(&f->pf);
    assert_int_equal(pf_send_text(&f->pf, "{\"type\": \"clinic.update\", \"v\": 1}"), WB_MSG_IGNORED);
    assert_int_equal(pf_send_text(&f->pf, "{\"type\": \"attendance.summary\"}"), WB_MSG_IGNORED);
    assert_int_equal(pf_send_text(&f->pf, "{\"type\": 7}"), WB_MSG_IGNORED);
    assert_int_equal(pf_send_text(&f->pf, "{\"value\": 7}"), WB_MSG_IGNORED);
    char *after = pf_report_text(&f->pf);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* Every malformed message of a known type is refused whole: the state stays exactly as it was. */
static void test_invalid_messages_change_nothing(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {
        /* updates */
        "{\"type\":\"attendance.update\",\"totals\":%T}",
        "{\"type\":\"attendance.update\",\"school\":%S}",
        "{\"type\":\"attendance.update\",\"school\":[],\"totals\":%T}",
        "{\"type\":\"attendance.update\",\"school\":%S,\"totals\":5}",
        "{\"type\":\"attendance.update\",\"school\":%S,\"totals\":%T,\"date\":\"25/11/2026\"}",
        "{\"type\":\"attendance.update\",\"school\":%S,\"totals\":%T,\"date\":20261125}",
        "{\"type\":\"attendance.update\",\"school\":{\"id\":\"x\",\"name\":\"X\",\"enrolled\":1,"
        "\"left_behind\":1,\"absent\":\"3\",\"absent_left_behind\":1,\"late\":1,"
        "\"parents_notified\":1},\"totals\":%T}",
        "{\"type\":\"attendance.update\",\"school\":{\"id\":\"x\",\"name\":\"X\",\"enrolled\":1,"
        "\"left_behind\":1,\"absent\":-1,\"absent_left_behind\":1,\"late\":1,"
        "\"parents_notified\":1},\"totals\":%T}",
        "{\"type\":\"attendance.update\",\"school\":{\"id\":\"x\",\"name\":\"X\",\"enrolled\":1,"
        "\"left_behind\":1,\"absent\":1.5,\"absent_left_behind\":1,\"late\":1,"
        "\"parents_notified\":1},\"totals\":%T}",
        "{\"type\":\"attendance.update\",\"school\":{\"id\":\"x\",\"name\":\"X\",\"enrolled\":1,"
        "\"left_behind\":1,\"absent\":2e15,\"absent_left_behind\":1,\"late\":1,"
        "\"parents_notified\":1},\"totals\":%T}",
        "{\"type\":\"attendance.update\",\"school\":{\"id\":\"x\",\"name\":\"X\",\"enrolled\":1,"
        "\"left_behind\":1,\"absent\":1,\"absent_left_behind\":1,\"late\":1},\"totals\":%T}",
        "{\"type\":\"attendance.update\",\"school\":{\"id\":\"\",\"name\":\"X\",\"enrolled\":1,"
        "\"left_behind\":1,\"absent\":1,\"absent_left_behind\":1,\"late\":1,"
        "\"parents_notified\":1},\"totals\":%T}",
        "{\"type\":\"attendance.update\",\"school\":{\"id\":3,\"name\":\"X\",\"enrolled\":1,"
        "\"left_behind\":1,\"absent\":1,\"absent_left_behind\":1,\"late\":1,"
        "\"parents_notified\":1},\"totals\":%T}",
        "{\"type\":\"attendance.update\",\"school\":{\"id\":\"x\",\"enrolled\":1,"
        "\"left_behind\":1,\"absent\":1,\"absent_left_behind\":1,\"late\":1,"
        "\"parents_notified\":1},\"totals\":%T}",
        "{\"type\":\"attendance.update\",\"school\":{\"id\":\"x\",\"name\":\"X\",\"romanized\":5,"
        "\"enrolled\":1,\"left_behind\":1,\"absent\":1,\"absent_left_behind\":1,\"late\":1,"
        "\"parents_notified\":1},\"totals\":%T}",
        "{\"type\":\"attendance.update\",\"school\":%S,\"totals\":{\"schools\":1,\"enrolled\":1,"
        "\"left_behind\":1,\"absent\":1,\"absent_left_behind\":null,\"late\":1,"
        "\"parents_notified\":1}}",
        "{\"type\":\"attendance.update\",\"school\":%S,\"totals\":{\"enrolled\":1,"
        "\"left_behind\":1,\"absent\":1,\"absent_left_behind\":1,\"late\":1,"
        "\"parents_notified\":1}}",
        /* snapshots */
        "{\"type\":\"attendance.snapshot\",\"date\":\"2026-11-25\",\"totals\":%T}",
        "{\"type\":\"attendance.snapshot\",\"date\":\"2026-11-25\",\"schools\":{},\"totals\":%T}",
        "{\"type\":\"attendance.snapshot\",\"schools\":[%S],\"totals\":%T}",
        "{\"type\":\"attendance.snapshot\",\"date\":\"2026-1-5\",\"schools\":[%S],\"totals\":%T}",
        "{\"type\":\"attendance.snapshot\",\"date\":\"2026-11-25\",\"schools\":[%S]}",
        /* one bad school spoils the whole snapshot, even after good ones */
        "{\"type\":\"attendance.snapshot\",\"date\":\"2026-11-25\",\"schools\":[%S,%S,7],"
        "\"totals\":%T}",
        "{\"type\":\"attendance.snapshot\",\"date\":\"2026-11-25\",\"schools\":[%S,{\"id\":\"y\","
        "\"name\":\"Y\",\"enrolled\":true,\"left_behind\":1,\"absent\":1,"
        "\"absent_left_behind\":1,\"late\":1,\"parents_notified\":1}],\"totals\":%T}",
    };
    const char *good_school = "{\"id\":\"new\",\"name\":\"新学校\",\"enrolled\":9,\"left_behind\":9,"
                              "\"absent\":9,\"absent_left_behind\":9,\"late\":9,"
                              "\"parents_notified\":9}";
    const char *good_totals = "{\"schools\":1,\"enrolled\":9,\"left_behind\":9,\"absent\":9,"
                              "\"absent_left_behind\":9,\"late\":9,\"parents_notified\":9}";
    pf_start(&f->pf, "T", "{\"animate_ms\": 0}");
    pf_send(&f->pf, three_schools());
    char *before = pf_report_text(&f->pf);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[2048] = "";
        for (const char *p = bad[i]; *p; p++) { /* %S: a good school, %T: good totals */
            size_t used = strlen(text);
            if (p[0] == '%' && (p[1] == 'S' || p[1] == 'T'))
                snprintf(text + used, sizeof text - used, "%s", *++p == 'S' ? good_school
                                                                            : good_totals);
            else
                snprintf(text + used, sizeof text - used, "%c", *p);
        }
        int logs = f->host.base.logs;
        int rc = pf_send_text(&f->pf, text);
        if (rc != WB_MSG_INVALID) print_error("case %zu not refused: %s\n", i, text);
        assert_int_equal(rc, WB_MSG_INVALID);
        assert_int_equal(f->host.base.logs, logs + 1); /* the reason is logged */
        char *after = pf_report_text(&f->pf);
        assert_string_equal(before, after);
        free(after);
    }
    assert_non_null(strstr(f->host.base.last_log, "absent_students: message refused: "));
    free(before);
}

/* A string of more than 512 bytes is refused: the memory a school takes stays bounded. */
static void test_overlong_name_refused(void **state)
{
    fixture *f = *state;
    char name[600];
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    pf_start(&f->pf, "T", "{}");
    assert_int_equal(pf_send(&f->pf, update(school("x", name, 1, 1, 1, 1), totals(1, 1, 1, 1, 1))),
                     WB_MSG_INVALID);
    name[512] = '\0';
    assert_int_equal(pf_send(&f->pf, update(school("x", name, 1, 1, 1, 1), totals(1, 1, 1, 1, 1))),
                     WB_MSG_CHANGED);
}

/* romanized and county may be left out, null or "", but never of another type. */
static void test_optional_names(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *key, *value_json;
        int rc;
    } cases[] = {
        {"romanized", "null", WB_MSG_CHANGED}, {"romanized", "\"\"", WB_MSG_CHANGED},
        {"county", "null", WB_MSG_CHANGED},    {"county", "\"\"", WB_MSG_CHANGED},
        {"county", "5", WB_MSG_INVALID},       {"romanized", "[]", WB_MSG_INVALID},
    };
    pf_start(&f->pf, "T", "{\"animate_ms\": 0}");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *s = school("x", "新学校", 3, 2, 1, 1);
        json_object_set_new(s, cases[i].key, json_loads(cases[i].value_json, JSON_DECODE_ANY,
                                                         NULL));
        assert_int_equal(pf_send(&f->pf, update(s, totals(1, 3, 2, 1, 1))), cases[i].rc);
    }
    json_t *s = school("x", "新学校", 3, 2, 1, 1);
    json_object_del(s, "romanized");
    json_object_del(s, "county");
    assert_int_equal(pf_send(&f->pf, update(s, totals(1, 3, 2, 1, 1))), WB_MSG_CHANGED);
    render(f, (wb_rect){0, 0, 1884, 688});
    assert_non_null(find_draw(&f->host, DRAW_TEXT, "新学校"));
    pf_assert_report(&f->pf, "{\"overflow\": false, \"rows\": 1}");
}

/* ---- tests: the bound --------------------------------------------------------------------- */

static json_t *numbered_school(int i)
{
    char id[32], name[32];
    snprintf(id, sizeof id, "s%03d", i);
    snprintf(name, sizeof name, "学校%d", i);
    return school(id, name, i % 50, i % 20, 1, 1);
}

static void test_eviction_bound(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0}");
    json_t *list = json_array();
    for (int i = 0; i < 300; i++) json_array_append_new(list, numbered_school(i));
    assert_int_equal(pf_send(&f->pf, snapshot("2026-11-25", list)), WB_MSG_CHANGED);
    /* the first 44 are evicted to keep the last 256 */
    pf_assert_report(&f->pf, "{\"kept\": 256, \"evicted\": 44, \"schools\": 300}");

    /* an update of a kept school changes nothing in the bound */
    pf_send(&f->pf, update(numbered_school(44), totals(300, 1, 1, 1, 1)));
    pf_assert_report(&f->pf, "{\"kept\": 256, \"evicted\": 44}");
    /* a new one evicts the one set longest ago: s045 (s044 was just updated) */
    pf_send(&f->pf, update(school("late-joiner", "新", 49, 1, 1, 1), totals(301, 1, 1, 1, 1)));
    pf_assert_report(&f->pf, "{\"kept\": 256, \"evicted\": 45}");
    json_t *r = pf_report(&f->pf);
    json_t *top = json_object_get(r, "top");
    assert_int_equal(json_array_size(top), 3);
    /* 49 absent: s099 s149 s199 s249 s299 (s049 is gone) and the joiner; ties go by
     * left-behind (19 for s099 s199 s299), then by id */
    static const char *const ids[] = {"s099", "s199", "s299"};
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(top, i), "id")),
                            ids[i]);
    json_decref(r);
    pf_send(&f->pf, update(numbered_school(45), totals(301, 1, 1, 1, 1))); /* comes back */
    pf_assert_report(&f->pf, "{\"kept\": 256, \"evicted\": 46}");
}

static void test_ranking_and_top_option(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"top\": 4, \"animate_ms\": 0}");
    pf_send(&f->pf, snapshot("2026-11-25",
                          json_pack("[o, o, o, o, o, o]", school("b", "乙", 10, 5, 0, 0),
                                    school("a", "甲", 10, 5, 0, 0), school("c", "丙", 10, 6, 0, 0),
                                    school("d", "丁", 0, 0, 9, 9), school("e", "戊", 3, 0, 0, 0),
                                    school("f", "己", 12, 1, 0, 0))));
    /* most absent first; ties: more left-behind, then id; no one with none absent */
    pf_assert_report(&f->pf, "{\"top\": [{\"id\": \"f\", \"name\": \"己\", \"absent\": 12, "
                     "\"absent_left_behind\": 1}, {\"id\": \"c\", \"name\": \"丙\", \"absent\": 10, "
                     "\"absent_left_behind\": 6}, {\"id\": \"a\", \"name\": \"甲\", \"absent\": 10, "
                     "\"absent_left_behind\": 5}, {\"id\": \"b\", \"name\": \"乙\", \"absent\": 10, "
                     "\"absent_left_behind\": 5}]}");
    render(f, (wb_rect){0, 0, 942, 344});
    pf_assert_report(&f->pf, "{\"rows\": 4, \"overflow\": false}");

    pf_start(&f->pf, "T", "{\"animate_ms\": 0}");
    pf_send(&f->pf, snapshot("2026-11-25", json_pack("[o]", school("d", "丁", 0, 0, 9, 9))));
    pf_assert_report(&f->pf, "{\"top\": [], \"late\": 9}");
    render(f, (wb_rect){0, 0, 465, 344});
    assert_non_null(find_draw(&f->host, DRAW_TEXT, "今日暂无缺勤 · No absences today"));
}

/* ---- tests: count-up ---------------------------------------------------------------------- */

static json_t *totals_only(int lb, int late, int told)
{
    return update(school("weining", "威宁", lb, lb, late, told), totals(1, lb, lb, late, told));
}

static const char *big_after_render(fixture *f)
{
    render(f, (wb_rect){0, 0, 465, 344});
    return led(&f->host, 0)->text;
}

static void test_count_up(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 600}");
    f->host.base.now = 1000;
    assert_int_equal(pf_send(&f->pf, totals_only(100, 40, 2000)), WB_MSG_CHANGED);
    pf_assert_report(&f->pf, "{\"absent_left_behind\": 100, \"late\": 40}"); /* the target at once */
    assert_string_equal(big_after_render(f), "   0");                /* counting from 0 */
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1300), 1);
    assert_string_equal(big_after_render(f), "  88"); /* 100 * (1 - 0.5^3) */
    assert_string_equal(led(&f->host, 2)->text, "1750");
    /* the row counts up with it */
    assert_non_null(find_draw(&f->host, DRAW_TEXT, "88"));
    pf_assert_report(&f->pf, "{\"shown\": {\"absent_left_behind\": \"88\", \"late\": \"35\", "
                     "\"parents_notified\": \"1750\"}}");

    /* the same totals again (a school's late count changed) leave the count-up running */
    f->host.base.now = 1300;
    assert_int_equal(pf_send(&f->pf, totals_only(100, 40, 2000)), WB_MSG_CHANGED);
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1450), 1);
    assert_string_equal(big_after_render(f), "  98"); /* 100 * (1 - 0.25^3): not restarted */
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1600), 1); /* lands, drawn once more */
    assert_string_equal(big_after_render(f), " 100");
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1616), 0); /* rest: the wall may sleep */

    /* at rest a repeat starts nothing; a new value counts from the one shown */
    f->host.base.now = 5000;
    pf_send(&f->pf, totals_only(100, 40, 2000));
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 5001), 0);
    pf_send(&f->pf, totals_only(50, 40, 2000));
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 5300), 1);
    assert_string_equal(big_after_render(f), "  56"); /* 100 - 50 * 0.875 */
    f->host.base.now = 5300;
    pf_send(&f->pf, totals_only(1000, 40, 2000)); /* mid-way: from 56, not from 0 or 50 */
    assert_string_equal(big_after_render(f), "  56");
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 5900), 1);
    assert_string_equal(big_after_render(f), "1000");
}

/* A reconnect's snapshot counts from what is shown, school rows too. */
static void test_snapshot_counts_from_shown(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 600}");
    pf_send(&f->pf, three_schools());
    f->pf.plugin.desc.tick(f->pf.self, 2000);
    f->host.base.now = 3000;
    json_t *again = three_schools(); /* 101 -> 201 with weining 71 -> 171 */
    json_object_set_new(json_array_get(json_object_get(again, "schools"), 0), "absent",
                        json_integer(171));
    json_object_set_new(json_object_get(again, "totals"), "absent_left_behind",
                        json_integer(201));
    pf_send(&f->pf, again);
    f->pf.plugin.desc.tick(f->pf.self, 3300);
    assert_string_equal(big_after_render(f), " 189"); /* 101 + 100 * 0.875 */
    assert_non_null(find_draw(&f->host, DRAW_TEXT, "159"));  /* 71 + 100 * 0.875 */
    assert_non_null(find_draw(&f->host, DRAW_TEXT, "58")); /* unchanged rows stay */
}

static void test_no_animation(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0}");
    pf_send(&f->pf, totals_only(1234567, 3, 4));
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1000), 0);
    /* seven digits fit; more would be scaled, never cut */
    assert_string_equal(big_after_render(f), "1234567");
    pf_send(&f->pf, totals_only(123456789, 3, 4));
    assert_string_equal(big_after_render(f), "123456.8");
}

/* ---- tests: thresholds, layout, overflow -------------------------------------------------- */

static void test_threshold_colours(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 600, \"thresholds\": {\"warn\": 100, \"alarm\": 200}, "
                      "\"late_thresholds\": {\"warn\": 50}}");
    pf_send(&f->pf, totals_only(99, 49, 1));
    f->pf.plugin.desc.tick(f->pf.self, 5000);
    render(f, (wb_rect){0, 0, 465, 344});
    assert_int_equal(led(&f->host, 0)->color.r, WB_COLOR_LED);
    assert_int_equal(led(&f->host, 1)->color.r, WB_COLOR_LED);
    assert_int_equal(led(&f->host, 2)->color.r, WB_COLOR_LED);
    pf_assert_report(&f->pf, "{\"level\": \"normal\", \"late_level\": \"normal\"}");

    f->host.base.now = 6000;
    pf_send(&f->pf, totals_only(250, 50, 1));
    render(f, (wb_rect){0, 0, 465, 344}); /* still counting: the level is the target's */
    assert_int_equal(led(&f->host, 0)->color.r, 100 + WB_LEVEL_ALARM);
    assert_int_equal(led(&f->host, 1)->color.r, 100 + WB_LEVEL_WARN);
    pf_assert_report(&f->pf, "{\"level\": \"alarm\", \"late_level\": \"warn\"}");
    pf_send(&f->pf, totals_only(150, 10, 1));
    pf_assert_report(&f->pf, "{\"level\": \"warn\", \"late_level\": \"normal\"}");
}

/* Realistic data: ten schools with the longest names of the hall's feed. */
static json_t *hall_snapshot(void)
{
    static const char *const names[] = {
        "六枝特区郎岱镇中心小学", "威宁县草海镇中心小学", "从江县丙妹镇中心小学",
        "纳雍县阳长镇中学",       "榕江县古州镇中学",     "大方县羊场镇中心小学",
        "赫章县妈姑镇中心小学",   "盘州市保田镇中学",     "正安县瑞溪镇中心小学",
        "沿河县官舟镇中学"};
    json_t *list = json_array();
    for (int i = 0; i < 10; i++) {
        char id[16];
        snprintf(id, sizeof id, "school-%d", i);
        json_t *s = school(id, names[i], 98 - 7 * i, 61 - 5 * i, 30 + i, 120 + i);
        json_object_set_new(s, "romanized",
                            json_string("Congjiang Bingmei Town Central Primary School"));
        json_array_append_new(list, s);
    }
    json_t *snap = snapshot("2026-11-25", list);
    /* the province's totals: four digits on every LED */
    json_object_set_new(snap, "totals", totals(34, 2345, 1187, 912, 3456));
    return snap;
}

/* Everything inside the tile, no two inks overlapping, nothing shrunk or cut. */
static void assert_clean_layout(fixture *f, wb_rect tile, const char *what)
{
    const wb_host *h = &f->host;
    for (int i = 0; i < h->draws_count; i++) {
        const draw *d = &h->draws[i];
        if (!pf_inside(d->box, tile)) fail_msg("%s: \"%s\" outside the tile", what, d->text);
        for (int k = 0; k < i; k++)
            if (pf_overlap(d->ink, h->draws[k].ink))
                fail_msg("%s: \"%s\" overlaps \"%s\"", what, d->text, h->draws[k].text);
    }
    json_t *r = pf_report(&f->pf);
    if (!json_is_false(json_object_get(r, "overflow"))) fail_msg("%s: overflow", what);
    json_decref(r);
}

/* The tiles a 4x3 grid gives at 1280x720, 1920x1080 and 3840x2160, spans 1x1 and 2x1. */
static void test_hall_tiles_clean(void **state)
{
    fixture *f = *state;
    static const wb_rect tiles[] = {{8, 8, 310, 229},    {8, 8, 628, 229},
                                    {12, 12, 465, 344},  {12, 12, 942, 344},
                                    {24, 24, 930, 688},  {24, 24, 1884, 688}};
    static const char *const options[] = {"{\"animate_ms\": 0}", "{\"animate_ms\": 0, \"top\": 5}"};
    static const char *const titles[] = {"결석 아동 · 缺勤留守儿童 · Absent left-behind children",
                                         NULL};
    for (size_t o = 0; o < 2; o++) {
        for (size_t t = 0; t < 2; t++) {
            pf_start(&f->pf, titles[t], options[o]);
            pf_send(&f->pf, hall_snapshot());
            for (size_t i = 0; i < sizeof tiles / sizeof tiles[0]; i++) {
                char what[64];
                snprintf(what, sizeof what, "tile %zu options %zu title %zu", i, o, t);
                render(f, tiles[i]);
                assert_clean_layout(f, tiles[i], what);
                /* the big number is the largest thing on the tile */
                const draw *big = led(&f->host, 0);
                for (int k = 0; k < f->host.draws_count; k++)
                    assert_true(f->host.draws[k].px <= big->px);
                assert_true(big->box.h >= tiles[i].h / 4);
                json_t *r = pf_report(&f->pf);
                int rows = (int)json_integer_value(json_object_get(r, "rows"));
                json_decref(r);
                assert_int_equal(rows, o == 0 ? 3 : 5);
            }
        }
    }
}

/* Romanized names only where they fit whole at a legible size, and then on every row. */
static void test_romanized_when_room(void **state)
{
    fixture *f = *state;
    static const struct {
        wb_rect tile;
        int top, shown;
    } cases[] = {
        {{0, 0, 310, 229}, 3, 0},   /* 1x1 at 720p: no room */
        {{0, 0, 1884, 688}, 3, 1},  /* 2x1 at 4K: a line under each name */
        {{0, 0, 942, 344}, 3, 1},   /* 2x1 at 1080p */
        {{0, 0, 1884, 1400}, 3, 0}, /* 2x2 at 4K: rows are small for a tile that size */
        {{0, 0, 465, 344}, 10, 0},  /* many small rows */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char options[64], what[32];
        snprintf(options, sizeof options, "{\"animate_ms\": 0, \"top\": %d}", cases[i].top);
        snprintf(what, sizeof what, "case %zu", i);
        pf_start(&f->pf, "缺勤留守儿童", options);
        pf_send(&f->pf, three_schools());
        render(f, cases[i].tile);
        assert_clean_layout(f, cases[i].tile, what);
        static const char *const romanized[] = {"weining Town Central Primary School",
                                                "nayong Town Central Primary School",
                                                "dafang Town Central Primary School"};
        for (int k = 0; k < 3; k++) {
            const draw *d = find_draw(&f->host, DRAW_TEXT, romanized[k]);
            if ((d != NULL) != cases[i].shown) fail_msg("%s: romanized %d", what, k);
            if (d) assert_int_equal(d->color.r, WB_COLOR_TEXT_DIM);
        }
    }
}

static void test_layout_scales(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "缺勤留守儿童", "{\"animate_ms\": 0}");
    pf_send(&f->pf, hall_snapshot());
    render(f, (wb_rect){0, 0, 465, 344});
    wb_rect small = led(&f->host, 0)->box;
    render(f, (wb_rect){0, 0, 930, 688});
    wb_rect big = led(&f->host, 0)->box;
    assert_in_range(big.h, 2 * small.h - 3, 2 * small.h + 3);
}

static void test_tiny_and_empty_tiles(void **state)
{
    fixture *f = *state;
    static const wb_rect tiles[] = {{0, 0, 0, 0},  {0, 0, 1, 1},   {0, 0, 6, 6},
                                    {0, 0, 9, 80}, {0, 0, -5, 40}, {0, 0, 3000, 4},
                                    {0, 0, 60, 40}};
    pf_start(&f->pf, "Title", "{\"top\": 10}");
    pf_send(&f->pf, hall_snapshot());
    for (size_t i = 0; i < sizeof tiles / sizeof tiles[0]; i++)
        render(f, tiles[i]); /* the fake fails on any empty box */
    pf_assert_report(&f->pf, "{\"absent_left_behind\": 1187}");
}

static void test_overflow_per_frame(void **state)
{
    fixture *f = *state;
    wb_rect tile = {0, 0, 465, 344};
    pf_start(&f->pf, "T", "{}");
    pf_send(&f->pf, hall_snapshot());
    render(f, tile);
    pf_assert_report(&f->pf, "{\"overflow\": false}");
    f->host.force_led = 1;
    render(f, tile);
    pf_assert_report(&f->pf, "{\"overflow\": true}");
    f->host.force_led = 0;
    f->host.force_text = 1;
    render(f, tile);
    pf_assert_report(&f->pf, "{\"overflow\": true}");
    f->host.force_text = -1; /* an error is not an overflow */
    render(f, tile);
    pf_assert_report(&f->pf, "{\"overflow\": false}");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, pf_teardown)
    const struct CMUnitTest tests[] = {
        T(test_loads_hidden_and_named),
        T(test_before_any_message),
        T(test_option_errors),
        T(test_unknown_options_logged),
        T(test_old_services_refused),
        T(test_snapshot_then_updates),
        T(test_snapshot_replaces),
        T(test_unknown_types_ignored),
        T(test_invalid_messages_change_nothing),
        T(test_overlong_name_refused),
        T(test_optional_names),
        T(test_eviction_bound),
        T(test_ranking_and_top_option),
        T(test_count_up),
        T(test_snapshot_counts_from_shown),
        T(test_no_animation),
        T(test_threshold_colours),
        T(test_hall_tiles_clean),
        T(test_romanized_when_room),
        T(test_layout_scales),
        T(test_tiny_and_empty_tiles),
        T(test_overflow_per_frame),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
