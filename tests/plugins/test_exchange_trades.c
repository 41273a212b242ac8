/* test_exchange_trades.c: the exchange_trades plugin loaded with the real loader and fed /trades
 * messages, against a fake host that keeps every draw. Needs no display and never sleeps. */
#include <dlfcn.h>
#include <math.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "format.h"
#include "plugin_fixture.h"

#define XT_PATH WB_PLUGIN_BUILD_DIR "/exchange_trades.so"
#define DRAWS_MAX 400

/* ---- the fake host: fixed metrics, every draw kept ----------------------------------------- */

typedef enum kind { K_TEXT, K_LED, K_FILL, K_SPARK } kind;

typedef struct drawn {
    kind what;
    char text[200];
    wb_rect box;
    wb_color color;
    int px;
    int ink_w; /* how wide the glyphs are, by the metrics below */
} drawn;

struct wb_host {
    pf_host_base base; /* now, logs: plugin_fixture.h's services use it */
    int count;
    drawn d[DRAWS_MAX];
    int spark_count;
    double spark[1000];
};

/* Palette colours carry their index in g; level colours 100 + level in g. */
static wb_color h_color(wb_host *h, wb_palette which)
{
    (void)h;
    return (wb_color){50, (uint8_t)which, 50, 255};
}

static wb_color h_level_color(wb_host *h, wb_level level)
{
    (void)h;
    return (wb_color){50, (uint8_t)(100 + level), 50, 255};
}

/* Metrics like the wall's fonts, roughly: an LED position 0.8 em, its point none, its line
 * 1 em high; a label's ASCII byte 0.55 em, a CJK (or other) character 1 em. */
static int width_of(wb_font_role role, int px, const char *s)
{
    double em = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (role == WB_FONT_LED) em += *p == '.' ? 0 : 0.8;
        else if (*p < 0x80) em += 0.55;
        else if (*p >= 0xC0) em += 1.0;
    }
    return (int)ceil(em * px);
}

static int h_measure(wb_host *h, wb_font_role role, int px, const char *s, int *w, int *ht)
{
    (void)h;
    assert_true(px >= 1 && px <= 4096);
    *w = width_of(role, px, s);
    *ht = px;
    return 0;
}

static drawn *keep(wb_host *h, kind what, const char *s, wb_rect box, wb_color color)
{
    assert_true(box.w > 0 && box.h > 0);
    assert_true(h->count < DRAWS_MAX);
    drawn *d = &h->d[h->count++];
    *d = (drawn){.what = what, .box = box, .color = color};
    snprintf(d->text, sizeof d->text, "%s", s ? s : "");
    return d;
}

static int h_text(wb_host *h, wb_font_role role, int px, const char *s, wb_rect box,
                  wb_align align, wb_color color)
{
    (void)align;
    if (px == 0) px = box.h * 8 / 10;
    drawn *d = keep(h, K_TEXT, s, box, color);
    d->px = px;
    d->ink_w = width_of(role, px, s);
    return d->ink_w > box.w;
}

/* Like the host: the largest size whose line fits the box height; 1 if the width limited it. */
static int h_led(wb_host *h, const char *s, wb_rect box, wb_align align, wb_color color, int ghost)
{
    (void)align;
    assert_int_equal(ghost, 1);
    for (const char *p = s; *p; p++) assert_non_null(strchr("0123456789-. ", *p));
    drawn *d = keep(h, K_LED, s, box, color);
    d->px = box.h;
    d->ink_w = width_of(WB_FONT_LED, box.h, s);
    return d->ink_w > box.w;
}

static void h_fill(wb_host *h, wb_rect r, wb_color c)
{
    keep(h, K_FILL, NULL, r, c);
}

static void h_spark(wb_host *h, wb_rect r, const double *v, int n, wb_color c)
{
    keep(h, K_SPARK, NULL, r, c);
    assert_true(n >= 2 && n <= 1000);
    memcpy(h->spark, v, (size_t)n * sizeof *v);
    h->spark_count = n;
}

static const wb_host_services services = {
    .size = sizeof(wb_host_services),
    .abi_major = WB_ABI_MAJOR,
    .abi_minor = WB_ABI_MINOR,
    .log = pf_log,
    .now_ms = pf_now,
    .color = h_color,
    .threshold_level = pf_threshold_level,
    .level_color = h_level_color,
    .fill_rect = h_fill,
    .draw_text = h_text,
    .measure_text = h_measure,
    .draw_led = h_led,
    .draw_sparkline = h_spark,
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
    return pf_setup(state, sizeof(fixture), offsetof(fixture, host), XT_PATH, &services, 1000);
}

static void render(fixture *f, wb_rect r)
{
    f->host.count = 0;
    f->host.spark_count = 0;
    f->pf.plugin.desc.render(f->pf.self, r);
}

static const drawn *find(const wb_host *h, kind what, const char *text)
{
    for (int i = 0; i < h->count; i++)
        if (h->d[i].what == what && strcmp(h->d[i].text, text) == 0) return &h->d[i];
    return NULL;
}

/* The LED groups of one number, joined with commas, e.g. "18,342" (LED boxes in a row). */
static void led_number(const wb_host *h, int which, char *out, size_t size)
{
    int n = -1, last_right = -1000000;
    out[0] = '\0';
    for (int i = 0; i < h->count; i++) {
        const drawn *d = &h->d[i];
        if (d->what != K_LED) continue;
        int joined = d->box.x - last_right >= 0 && d->box.x - last_right < d->box.h;
        if (!joined) n++;
        if (n == which) {
            if (joined) strncat(out, ",", size - strlen(out) - 1);
            strncat(out, d->text, size - strlen(out) - 1);
        }
        last_right = d->box.x + d->box.w;
    }
}

/* ---- messages ----------------------------------------------------------------------------- */

static json_t *trade_json(int n, const char *ds, const char *name, double price, int volume)
{
    char id[32];
    snprintf(id, sizeof id, "T20261125-%06d", n);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:i, s:f}", "id", id, "dataset_id", ds,
                     "dataset", name, "category", "交通", "buyer", "贵州银行", "seller", "贵州交通",
                     "price", price, "volume", volume, "amount", round(price * volume * 100) / 100);
}

static json_t *day_json(int trades, double turnover, int volume)
{
    /* to the fen, as the feed sends it: the nearest double to the 2-decimal value */
    return json_pack("{s:i, s:f, s:i}", "trades", trades, "turnover", round(turnover * 100) / 100,
                     "volume", volume);
}

static json_t *trade_msg(int n, const char *ds, const char *name, double price, int volume,
                         double turnover, int day_volume)
{
    return json_pack("{s:s, s:i, s:i, s:i, s:o, s:o}", "type", "trade", "v", 1, "seq", n, "ts",
                     1795622372, "trade", trade_json(n, ds, name, price, volume), "day",
                     day_json(n, turnover, day_volume));
}

/* Three data sets; traffic leads with 40 trades today; two recent trades. */
static const char SNAPSHOT[] =
    "{\"type\":\"trades.snapshot\",\"v\":1,\"seq\":1,\"ts\":1,"
    "\"day\":{\"trades\":100,\"turnover\":12345678.9,\"volume\":5000},"
    "\"recent\":["
    "{\"id\":\"T-99\",\"dataset_id\":\"bus\",\"dataset\":\"公交车辆GPS轨迹数据\",\"category\":\"交通\","
    "\"buyer\":\"b\",\"seller\":\"s\",\"price\":450.5,\"volume\":2,\"amount\":901},"
    "{\"id\":\"T-100\",\"dataset_id\":\"traffic\",\"dataset\":\"贵阳市实时交通流量数据\","
    "\"category\":\"交通\",\"buyer\":\"b\",\"seller\":\"s\",\"price\":1200,\"volume\":3,"
    "\"amount\":3600}],"
    "\"datasets\":["
    "{\"id\":\"traffic\",\"name\":\"贵阳市实时交通流量数据\",\"category\":\"交通\","
    "\"last_price\":1200,\"trades\":40},"
    "{\"id\":\"bus\",\"name\":\"公交车辆GPS轨迹数据\",\"category\":\"交通\",\"last_price\":450.5,"
    "\"trades\":35},"
    "{\"id\":\"rain\",\"name\":\"山区降雨监测数据\",\"category\":\"气象\",\"last_price\":300,"
    "\"trades\":25}]}";

static void snapshot(fixture *f)
{
    assert_int_equal(pf_send_text(&f->pf, SNAPSHOT), WB_MSG_CHANGED);
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_loads_hidden_and_named(void **state)
{
    fixture *f = *state;
    assert_string_equal(f->pf.plugin.name, "exchange_trades");
    assert_non_null(f->pf.plugin.desc.tick);
    assert_non_null(f->pf.plugin.desc.report);
    assert_null(dlsym(f->pf.plugin.handle, "xt_model_apply"));
    assert_null(dlsym(f->pf.plugin.handle, "xt_render"));
    assert_non_null(dlsym(f->pf.plugin.handle, WB_PLUGIN_ENTRY_SYMBOL));
}

static void test_before_any_message(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "Data exchange", "{}");
    pf_assert_report(&f->pf, "{\"trades\": null, \"turnover\": null, \"volume\": null, "
                     "\"trades_text\": \"-----\", \"turnover_text\": \"¥-----.--\", "
                     "\"ticker\": [], \"top_dataset\": null, \"samples\": 0, \"evicted\": 0, "
                     "\"datasets\": 0, \"level\": \"normal\", \"threshold_on\": \"trades\", "
                     "\"title\": \"Data exchange\", \"overflow\": false}");
    render(f, (wb_rect){0, 0, 942, 344});
    char led[64];
    led_number(&f->host, 0, led, sizeof led);
    assert_string_equal(led, "-----"); /* never blank */
    led_number(&f->host, 1, led, sizeof led);
    assert_string_equal(led, "-----.--");
    assert_non_null(find(&f->host, K_TEXT, "¥"));
    assert_non_null(find(&f->host, K_TEXT, "暂无成交 · No trades yet"));
    assert_int_equal(f->host.base.logs, 0);
    pf_assert_report(&f->pf, "{\"overflow\": false, \"ticker_shown\": 0}");
}

static void test_option_errors(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *options, *err;
    } cases[] = {
        {"{\"ticker\": 0}", "option \"ticker\" must be an integer 1..12"},
        {"{\"ticker\": 13}", "option \"ticker\" must be an integer 1..12"},
        {"{\"ticker\": \"5\"}", "option \"ticker\" must be an integer 1..12"},
        {"{\"ticker\": 5.0}", "option \"ticker\" must be an integer 1..12"},
        {"{\"sparkline\": -1}", "option \"sparkline\" must be an integer 0..1000"},
        {"{\"sparkline\": 1001}", "option \"sparkline\" must be an integer 0..1000"},
        {"{\"animate_ms\": -1}", "option \"animate_ms\" must be an integer 0..60000"},
        {"{\"animate_ms\": true}", "option \"animate_ms\" must be an integer 0..60000"},
        {"{\"thresholds\": 5}",
         "option \"thresholds\" must be an object like {\"warn\": 80, \"alarm\": 95, "
         "\"below\": false}"},
        {"{\"thresholds\": {\"warn\": \"9\"}}", "option \"thresholds\": \"warn\" must be a number"},
        {"{\"threshold_on\": \"volume\"}",
         "option \"threshold_on\" must be \"trades\" or \"turnover\""},
        {"{\"threshold_on\": 1}", "option \"threshold_on\" must be \"trades\" or \"turnover\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        pf_assert_refused(&f->pf, cases[i].options, cases[i].err);
}

static void test_unknown_options_logged(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, NULL, "{\"tickers\": 3, \"thresholds\": {\"warning\": 3}, \"threshold_on\": \"turnover\"}");
    assert_int_equal(f->host.base.logs, 2);
    assert_string_equal(f->host.base.last_log, "exchange_trades: unknown threshold \"warning\" ignored");
    pf_assert_report(&f->pf, "{\"title\": \"\", \"threshold_on\": \"turnover\"}");
}

static void test_old_services_refused(void **state)
{
    fixture *f = *state;
    pf_assert_old_services_refused(&f->pf, "exchange_trades needs host services of ABI 1.0 or later");
}

static void test_snapshot_then_trades_exact(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0}");
    snapshot(f);
    pf_assert_report(&f->pf, "{\"trades\": 100, \"trades_text\": \"100\", \"turnover\": 12345678.9, "
                     "\"turnover_text\": \"¥12,345,678.90\", \"volume\": 5000, "
                     "\"ticker\": [{\"id\": \"T-100\", \"dataset_id\": \"traffic\", "
                     "\"dataset\": \"贵阳市实时交通流量数据\", \"category\": \"交通\", "
                     "\"price\": 1200, \"volume\": 3, \"amount\": 3600}, "
                     "{\"id\": \"T-99\", \"dataset_id\": \"bus\", \"dataset\": "
                     "\"公交车辆GPS轨迹数据\", \"category\": \"交通\", \"price\": 450.5, "
                     "\"volume\": 2, \"amount\": 901}], "
                     "\"top_dataset\": \"traffic\", \"top_trades\": 40, \"top_price\": 1200, "
                     "\"samples\": 1, \"datasets\": 3}");
    /* bus trades six times: 41 trades, the busiest; its price line has 7 points */
    double turnover = 12345678.9;
    for (int n = 101; n <= 106; n++) {
        turnover += 460.25 * (n - 100);
        assert_int_equal(pf_send(&f->pf, trade_msg(n, "bus", "公交车辆GPS轨迹数据", 460.25, n - 100,
                                           turnover, 5000 + n)),
                         WB_MSG_CHANGED);
    }
    pf_assert_report(&f->pf, "{\"trades\": 106, \"trades_text\": \"106\", \"turnover\": 12355344.15, "
                     "\"turnover_text\": \"¥12,355,344.15\", \"volume\": 5106, "
                     "\"top_dataset\": \"bus\", \"top_name\": \"公交车辆GPS轨迹数据\", "
                     "\"top_trades\": 41, \"top_price\": 460.25, \"samples\": 7}");
    json_t *out = pf_report(&f->pf), *ticker = json_object_get(out, "ticker");
    assert_int_equal(json_array_size(ticker), 5); /* the default: 5 rows, newest first */
    assert_string_equal(json_string_value(json_object_get(json_array_get(ticker, 0), "id")),
                        "T20261125-000106");
    assert_string_equal(json_string_value(json_object_get(json_array_get(ticker, 4), "id")),
                        "T20261125-000102");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(ticker, 0), "volume")), 6);
    json_decref(out);

    render(f, (wb_rect){0, 0, 942, 344});
    char led[64];
    led_number(&f->host, 0, led, sizeof led);
    assert_string_equal(led, "106");
    led_number(&f->host, 1, led, sizeof led);
    assert_string_equal(led, "12,355,344.15");
    assert_non_null(find(&f->host, K_TEXT, "¥2,761.50")); /* the newest row's amount */
    assert_int_equal(f->host.spark_count, 7);
    assert_true(f->host.spark[0] == 450.5 && f->host.spark[6] == 460.25);
    pf_assert_report(&f->pf, "{\"overflow\": false, \"ticker_shown\": 5}");
}

/* Every malformed message is refused whole: the state reads exactly as before. */
static void test_invalid_leaves_state(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0}");
    snapshot(f);
    char *before = pf_report_text(&f->pf);
    static const char *const bad[] = {
        "{\"type\":\"trade\",\"day\":{\"trades\":101,\"turnover\":1,\"volume\":1}}",
        "{\"type\":\"trade\",\"trade\":{\"id\":\"x\",\"dataset_id\":\"d\",\"dataset\":\"n\","
        "\"category\":\"c\",\"price\":\"12\",\"volume\":1,\"amount\":12},"
        "\"day\":{\"trades\":101,\"turnover\":1,\"volume\":1}}",
        "{\"type\":\"trade\",\"trade\":{\"id\":\"x\",\"dataset_id\":\"d\",\"dataset\":\"n\","
        "\"category\":\"c\",\"price\":12,\"volume\":-1,\"amount\":12},"
        "\"day\":{\"trades\":101,\"turnover\":1,\"volume\":1}}",
        "{\"type\":\"trade\",\"trade\":{\"id\":\"x\",\"dataset_id\":\"d\",\"dataset\":\"n\","
        "\"category\":\"c\",\"price\":12,\"volume\":1.5,\"amount\":12},"
        "\"day\":{\"trades\":101,\"turnover\":1,\"volume\":1}}",
        "{\"type\":\"trade\",\"trade\":{\"id\":\"\",\"dataset_id\":\"d\",\"dataset\":\"n\","
        "\"category\":\"c\",\"price\":12,\"volume\":1,\"amount\":12},"
        "\"day\":{\"trades\":101,\"turnover\":1,\"volume\":1}}",
        "{\"type\":\"trade\",\"trade\":{\"id\":\"x\",\"dataset_id\":\"d\",\"dataset\":\"n\","
        "\"category\":\"c\",\"buyer\":7,\"price\":12,\"volume\":1,\"amount\":12},"
        "\"day\":{\"trades\":101,\"turnover\":1,\"volume\":1}}",
        "{\"type\":\"trade\",\"trade\":{\"id\":\"x\",\"dataset_id\":\"d\",\"dataset\":\"n\","
        "\"category\":\"c\",\"price\":12,\"volume\":1,\"amount\":12},"
        "\"day\":{\"trades\":101,\"turnover\":1e16,\"volume\":1}}",
        "{\"type\":\"trade\",\"trade\":{\"id\":\"x\",\"dataset_id\":\"d\",\"dataset\":\"n\","
        "\"category\":\"c\",\"price\":12,\"volume\":1,\"amount\":12},"
        "\"day\":{\"trades\":-101,\"turnover\":1,\"volume\":1}}",
        "{\"type\":\"trade\",\"trade\":[1],\"day\":{\"trades\":1,\"turnover\":1,\"volume\":1}}",
        "{\"type\":\"trades.snapshot\",\"day\":{\"trades\":1,\"turnover\":1,\"volume\":1},"
        "\"recent\":{},\"datasets\":[]}",
        "{\"type\":\"trades.snapshot\",\"day\":{\"trades\":1,\"turnover\":1,\"volume\":1},"
        "\"recent\":[],\"datasets\":[{\"id\":\"a\",\"name\":\"n\",\"category\":\"c\","
        "\"last_price\":1,\"trades\":\"3\"}]}",
        "{\"type\":\"trades.snapshot\",\"day\":{\"trades\":1,\"turnover\":1,\"volume\":1},"
        "\"recent\":[],\"datasets\":[{\"id\":\"a\",\"name\":\"n\",\"category\":\"c\","
        "\"last_price\":1,\"trades\":3}, 5]}",
        "{\"type\":\"trades.snapshot\",\"day\":{\"trades\":1,\"turnover\":1,\"volume\":1},"
        "\"recent\":[{\"id\":\"x\"}],\"datasets\":[]}",
        "{\"type\":\"trades.snapshot\",\"recent\":[],\"datasets\":[]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (pf_send_text(&f->pf, bad[i]) != WB_MSG_INVALID) fail_msg("accepted: %s", bad[i]);
        char *after = pf_report_text(&f->pf);
        assert_string_equal(after, before);
        free(after);
    }
    /* not for this tile: ignored, state kept */
    assert_int_equal(pf_send_text(&f->pf, "{\"type\":\"clinic.update\",\"clinic\":{}}"), WB_MSG_IGNORED);
    assert_int_equal(pf_send_text(&f->pf, "{\"value\": 3}"), WB_MSG_IGNORED);
    assert_int_equal(pf_send_text(&f->pf, "{\"type\": 5}"), WB_MSG_IGNORED);
    char *after = pf_report_text(&f->pf);
    assert_string_equal(after, before);
    free(after);
    free(before);
}

/* At most 256 data sets: the one updated longest ago goes first, and is counted. */
static void test_eviction_bound(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0, \"sparkline\": 5}");
    snapshot(f);
    for (int n = 101; n <= 400; n++) {
        char ds[16];
        snprintf(ds, sizeof ds, "ds-%d", n);
        assert_int_equal(pf_send(&f->pf, trade_msg(n, ds, "数据", 10, 1, 100.0 * n, n)), WB_MSG_CHANGED);
    }
    /* 3 + 300 data sets: the snapshot's three (updated before any new one), then ds-101 to
     * ds-144 went; of those left each traded once, the last one traded last */
    pf_assert_report(&f->pf, "{\"datasets\": 256, \"evicted\": 47, \"trades\": 400, "
                     "\"top_dataset\": \"ds-400\", \"top_trades\": 1, \"samples\": 1}");
    assert_int_equal(pf_send(&f->pf, trade_msg(401, "ds-145", "数据", 12, 1, 1e5, 401)), WB_MSG_CHANGED);
    pf_assert_report(&f->pf, "{\"datasets\": 256, \"evicted\": 47, \"top_dataset\": \"ds-145\", "
                     "\"top_trades\": 2, \"samples\": 2}"); /* ds-145 was kept */

    /* a snapshot of 300 data sets keeps the 256 busiest; the count of evictions goes on */
    json_t *list = json_array();
    for (int i = 0; i < 300; i++) {
        char id[16];
        snprintf(id, sizeof id, "s-%d", i);
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:f, s:i}", "id", id, "name",
                                              "数据", "category", "交通", "last_price", 5.0,
                                              "trades", i));
    }
    assert_int_equal(pf_send(&f->pf, json_pack("{s:s, s:o, s:[], s:o}", "type", "trades.snapshot", "day",
                                       day_json(5000, 1e6, 9000), "recent", "datasets", list)),
                     WB_MSG_CHANGED);
    pf_assert_report(&f->pf, "{\"datasets\": 256, \"evicted\": 91, \"top_dataset\": \"s-299\", "
                     "\"top_trades\": 299, \"samples\": 1, \"ticker\": []}");
}

/* The top data set: most trades today, ties to the one traded last; a new day starts over. */
static void test_top_dataset(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0}");
    snapshot(f); /* traffic 40, bus 35, rain 25 */
    for (int n = 101; n <= 105; n++)
        pf_send(&f->pf, trade_msg(n, "bus", "公交车辆GPS轨迹数据", 451, 1, 1e7, 6000));
    pf_assert_report(&f->pf, "{\"top_dataset\": \"bus\", \"top_trades\": 40}"); /* tie: bus traded last */
    pf_send(&f->pf, trade_msg(106, "traffic", "贵阳市实时交通流量数据", 1210, 1, 1e7, 6001));
    pf_assert_report(&f->pf, "{\"top_dataset\": \"traffic\", \"top_trades\": 41, \"top_price\": 1210, "
                     "\"samples\": 2}");
    /* the next day: the count starts at 1 again */
    pf_send(&f->pf, trade_msg(1, "rain", "山区降雨监测数据", 310, 2, 620, 2));
    pf_assert_report(&f->pf, "{\"trades\": 1, \"top_dataset\": \"rain\", \"top_trades\": 1, "
                     "\"top_price\": 310, \"samples\": 2}");
}

static void test_ticker_rows_option(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0, \"ticker\": 1}");
    snapshot(f);
    json_t *out = pf_report(&f->pf);
    assert_int_equal(json_array_size(json_object_get(out, "ticker")), 1);
    json_decref(out);
    pf_assert_report(&f->pf, "{\"ticker\": [{\"id\": \"T-100\", \"dataset_id\": \"traffic\", "
                     "\"dataset\": \"贵阳市实时交通流量数据\", \"category\": \"交通\", "
                     "\"price\": 1200, \"volume\": 3, \"amount\": 3600}]}");
    render(f, (wb_rect){0, 0, 465, 344});
    pf_assert_report(&f->pf, "{\"ticker_shown\": 1, \"overflow\": false}");
}

/* The count-up eases from what is shown; an equal total repeated does not restart or freeze. */
static void test_count_up_and_repeats(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 600}");
    f->host.base.now = 1000;
    snapshot(f);
    pf_assert_report(&f->pf, "{\"trades\": 100, \"trades_text\": \"0\", \"turnover_text\": \"¥0.00\"}");
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1300), 1);
    /* 100 * (1 - 0.5^3) = 87.5; 12345678.9 * 0.875 = 10802469.0375 */
    pf_assert_report(&f->pf, "{\"trades_text\": \"88\", \"turnover_text\": \"¥10,802,469.04\"}");
    f->host.base.now = 1300;
    snapshot(f); /* the same totals again: the count-up carries on */
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1450), 1);
    pf_assert_report(&f->pf, "{\"trades_text\": \"98\"}"); /* 100 * (1 - 0.25^3) = 98.4 */
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1600), 1); /* lands: drawn once more */
    pf_assert_report(&f->pf, "{\"trades_text\": \"100\", \"turnover_text\": \"¥12,345,678.90\"}");
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 1616), 0);

    /* a trade: counts from 100 to 101, and the ticker slides one row */
    f->host.base.now = 2000;
    assert_int_equal(pf_send(&f->pf, trade_msg(101, "bus", "公交车辆GPS轨迹数据", 450, 1, 12346128.9,
                                       5001)),
                     WB_MSG_CHANGED);
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 2100), 1);
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 2600), 1);
    assert_int_equal(f->pf.plugin.desc.tick(f->pf.self, 2601), 0);
    pf_assert_report(&f->pf, "{\"trades_text\": \"101\", \"turnover_text\": \"¥12,346,128.90\"}");
}

/* A new trade fades in at the top while the others already sit a whole row lower: rows never
 * pass over each other. */
static void test_ticker_slides(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 400}");
    snapshot(f);
    f->pf.plugin.desc.tick(f->pf.self, 1400);
    f->pf.plugin.desc.tick(f->pf.self, 1401);
    wb_rect tile = {0, 0, 942, 344};
    render(f, tile);
    const drawn *old = find(&f->host, K_TEXT, "¥3,600.00");
    assert_non_null(old);
    int y_top = old->box.y;
    f->host.base.now = 2000;
    pf_send(&f->pf, trade_msg(101, "bus", "公交车辆GPS轨迹数据", 450, 1, 12346128.9, 5001));
    f->host.base.now = 2100; /* a quarter of the way: 1 - 0.75^3 = 58 % */
    render(f, tile);
    const drawn *fresh = find(&f->host, K_TEXT, "¥450.00");
    old = find(&f->host, K_TEXT, "¥3,600.00");
    assert_non_null(fresh);
    assert_non_null(old);
    assert_int_equal(fresh->box.y, y_top);
    assert_true(fresh->color.a > 100 && fresh->color.a < 200); /* fading in */
    assert_true(old->box.y > y_top);
    int row_h = old->box.y - y_top; /* a whole row down at once */
    assert_true(row_h >= fresh->box.h);
    f->host.base.now = 2400;
    f->pf.plugin.desc.tick(f->pf.self, 2400);
    render(f, tile);
    old = find(&f->host, K_TEXT, "¥3,600.00");
    assert_int_equal(old->box.y - y_top, row_h); /* and there it stays */
    assert_int_equal(find(&f->host, K_TEXT, "¥450.00")->color.a, 255);
    pf_assert_report(&f->pf, "{\"overflow\": false}");
}

static void test_thresholds_colour(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0, \"thresholds\": {\"warn\": 50, \"alarm\": 1000}}");
    snapshot(f);
    render(f, (wb_rect){0, 0, 942, 344});
    pf_assert_report(&f->pf, "{\"level\": \"warn\"}");
    assert_non_null(find(&f->host, K_LED, "100"));
    assert_int_equal(find(&f->host, K_LED, "100")->color.g, 100 + WB_LEVEL_WARN);
    assert_int_equal(find(&f->host, K_LED, "345")->color.g, WB_COLOR_LED); /* turnover */

    pf_start(&f->pf, "T", "{\"animate_ms\": 0, \"threshold_on\": \"turnover\", "
                  "\"thresholds\": {\"warn\": 1e6, \"alarm\": 1e7}}");
    snapshot(f);
    render(f, (wb_rect){0, 0, 942, 344});
    pf_assert_report(&f->pf, "{\"level\": \"alarm\"}");
    assert_int_equal(find(&f->host, K_LED, "100")->color.g, WB_COLOR_LED);
    assert_int_equal(find(&f->host, K_LED, "345")->color.g, 100 + WB_LEVEL_ALARM);
}

/* The tile sizes of a 4x3 grid at 720p, 1080p and 4K, 1x1, 2x1 and 1x2 (and the demo's 2x2):
 * nothing shrunk or cut, every text inside the tile, no two texts on each other. */
static void test_layout_at_wall_sizes(void **state)
{
    fixture *f = *state;
    static const wb_rect tiles[] = {{8, 8, 310, 229},    {8, 8, 628, 229},   {8, 8, 310, 466},
                                    {12, 12, 465, 344},  {12, 12, 942, 344}, {12, 12, 465, 700},
                                    {12, 12, 942, 700},  {24, 24, 930, 688}, {24, 24, 1884, 688},
                                    {24, 24, 930, 1400}};
    static const char *const titles[] = {"데이터 거래소 · 数据交易所 · Data exchange", NULL};
    for (size_t t = 0; t < sizeof tiles / sizeof tiles[0]; t++) {
        for (int k = 0; k < 2; k++) {
            pf_start(&f->pf, titles[k], "{\"animate_ms\": 0}");
            snapshot(f);
            double turnover = 212345678.9;
            for (int n = 101; n <= 112; n++)
                pf_send(&f->pf, trade_msg(n, n % 2 ? "grid" : "weather",
                                  n % 2 ? "电网负荷曲线数据" : "贵州网格化气象预报数据",
                                  1234.56 + n, 120, turnover += 150000, 120456 + n));
            render(f, tiles[t]);
            const wb_host *h = &f->host;
            for (int i = 0; i < h->count; i++) {
                const drawn *a = &h->d[i];
                if (!pf_inside(a->box, tiles[t]) || (a->what <= K_LED && a->ink_w > a->box.w))
                    fail_msg("tile %zu title %d: \"%s\" box %d,%d %dx%d ink %d", t, k, a->text,
                             a->box.x, a->box.y, a->box.w, a->box.h, a->ink_w);
                for (int j = 0; j < i && a->what <= K_LED; j++) {
                    const drawn *b = &h->d[j];
                    if (b->what <= K_LED && pf_overlap(a->box, b->box))
                        fail_msg("tile %zu title %d: \"%s\" on \"%s\"", t, k, a->text, b->text);
                }
            }
            json_t *out = pf_report(&f->pf);
            if (json_is_true(json_object_get(out, "overflow"))) fail_msg("tile %zu overflow", t);
            assert_true(json_integer_value(json_object_get(out, "ticker_shown")) >= 2);
            json_decref(out);
            char led[64];
            led_number(h, 0, led, sizeof led);
            assert_string_equal(led, "112");
            led_number(h, 1, led, sizeof led);
            assert_string_equal(led, "214,145,678.90");
        }
    }
}

/* A runaway name is shown cut with "…" (the report keeps it whole), not shrinking the ticker. */
static void test_long_names(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "T", "{\"animate_ms\": 0}");
    snapshot(f);
    const char *name = "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"; /* 30 */
    json_t *m = trade_msg(101, "long", name, 12.5, 2, 12345703.9, 5002);
    json_object_set_new(json_object_get(m, "trade"), "category", json_string("交通运输物流仓储快递服务"));
    assert_int_equal(pf_send(&f->pf, m), WB_MSG_CHANGED);
    render(f, (wb_rect){12, 12, 942, 344});
    assert_non_null(find(&f->host, K_TEXT, "一二三四五六七八九十一二三四五六七八九十…"));
    assert_null(find(&f->host, K_TEXT, name));
    assert_non_null(find(&f->host, K_TEXT, "交通运输物流仓储…"));
    json_t *out = pf_report(&f->pf);
    json_t *row = json_array_get(json_object_get(out, "ticker"), 0);
    assert_string_equal(json_string_value(json_object_get(row, "dataset")), name);
    assert_true(json_is_false(json_object_get(out, "overflow")));
    json_decref(out);
    const drawn *d = find(&f->host, K_TEXT, "一二三四五六七八九十一二三四五六七八九十…");
    assert_true(d->px >= 344 * 52 / 1000); /* still at least the captions' size */
}

static void test_tiny_tiles(void **state)
{
    fixture *f = *state;
    pf_start(&f->pf, "Title", "{}");
    snapshot(f);
    static const wb_rect tiles[] = {{0, 0, 0, 0}, {0, 0, 1, 1}, {0, 0, 12, 12}, {0, 0, 60, 40},
                                    {0, 0, 2000, 30}, {0, 0, 30, 900}};
    for (size_t i = 0; i < sizeof tiles / sizeof tiles[0]; i++) render(f, tiles[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_loads_hidden_and_named, setup, pf_teardown),
        cmocka_unit_test_setup_teardown(test_before_any_message, setup, pf_teardown),
        cmocka_unit_test_setup_teardown(test_option_errors, setup, pf_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_options_logged, setup, pf_teardown),
        cmocka_unit_test_setup_teardown(test_old_services_refused, setup, pf_teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_then_trades_exact, setup, pf_teardown),
        cmocka_unit_test_setup_teardown(test_invalid_leaves_state, setup, pf_teardown),
        cmocka_unit_test_setup_teardown(test_eviction_bound, setup, pf_teardown),
        cmocka_unit_test_setup_teardown(test_top_dataset, setup, pf_teardown),
        cmocka_unit_test_setup_teardown(test_ticker_rows_option, setup, pf_teardown),
        cmocka_unit_test_setup_teardown(test_count_up_and_repeats, setup, pf_teardown),
        cmocka_unit_test_setup_teardown(test_ticker_slides, setup, pf_teardown),
        cmocka_unit_test_setup_teardown(test_thresholds_colour, setup, pf_teardown),
        cmocka_unit_test_setup_teardown(test_layout_at_wall_sizes, setup, pf_teardown),
        cmocka_unit_test_setup_teardown(test_long_names, setup, pf_teardown),
        cmocka_unit_test_setup_teardown(test_tiny_tiles, setup, pf_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
