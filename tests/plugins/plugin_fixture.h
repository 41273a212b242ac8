/* plugin_fixture.h: a tile plugin under test, loaded with the real loader, and the calls every
 * plugin test makes: set up and tear down, create it from JSON options, send it messages, read
 * its report; and the fake services and geometry checks several tests share. Each test brings
 * its own services table (wiring in the pf_ services it wants) and its own wb_host.
 * Include after <cmocka.h> and <jansson.h>; link wbcore (the loader). */
#ifndef PLUGIN_FIXTURE_H
#define PLUGIN_FIXTURE_H

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <wallboard/plugin.h>

#include "jsonptr.h"
#include "loader.h"

/* ---- fake services several tests share ---------------------------------------------------- */

/* What the services below keep: make it the first member of the test's struct wb_host. */
typedef struct pf_host_base {
    uint64_t now;       /* what now_ms() says */
    int logs;           /* log() calls */
    char last_log[256];
} pf_host_base;

static inline void pf_log(wb_host *h, wb_log_level level, const char *fmt, ...)
{
    pf_host_base *b = (pf_host_base *)h;
    va_list ap;
    (void)level;
    va_start(ap, fmt);
    vsnprintf(b->last_log, sizeof b->last_log, fmt, ap);
    va_end(ap);
    b->logs++;
}

static inline uint64_t pf_now(wb_host *h)
{
    return ((pf_host_base *)h)->now;
}

static inline const struct json_t *pf_json_pointer(const struct json_t *root, const char *pointer)
{
    return jsonptr_get(root, pointer);
}

/* Palette colours that tell which one was asked for: r = 10 * palette index. */
static inline wb_color pf_color(wb_host *h, wb_palette which)
{
    (void)h;
    return (wb_color){(uint8_t)(10 * which), 1, 1, 255};
}

/* Level colours that tell the level: r = 200 + level. */
static inline wb_color pf_level_color(wb_host *h, wb_level level)
{
    (void)h;
    return (wb_color){(uint8_t)(200 + level), 2, 2, 255};
}

/* The host's rule: at or past alarm, else at or past warn; past means below with `below`. */
static inline wb_level pf_threshold_level(double v, const wb_thresholds *t)
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

/* Fake LED metrics, roughly DSEG7's: a digit position is 0.6 em wide, '.' takes no room,
 * ':' 0.3 em. Rounded to whole pixels like real hinting. */
static inline int pf_led_width(const char *text, int px)
{
    double em = 0;
    for (const char *p = text; *p; p++) em += *p == '.' ? 0.0 : *p == ':' ? 0.3 : 0.6;
    return (int)lround(em * px);
}

/* ---- geometry checks ---------------------------------------------------------------------- */

/* 1 if `inner` lies wholly within `outer`. */
static inline int pf_inside(wb_rect inner, wb_rect outer)
{
    return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w &&
           inner.y + inner.h <= outer.y + outer.h;
}

/* 1 if the two rectangles share a pixel. */
static inline int pf_overlap(wb_rect a, wb_rect b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/* ---- the plugin under test ---------------------------------------------------------------- */

typedef struct plugin_fixture {
    loaded_plugin plugin;
    void *self;                       /* the instance under test, or NULL */
    const wb_host_services *services; /* the test's fake host */
    wb_host *host;
    char err[256];                    /* the last create()'s reason */
} plugin_fixture;

/* Loads the plugin at `path`; 0, or -1 with the loader's reason printed. */
static inline int pf_open(plugin_fixture *f, const char *path, const wb_host_services *services,
                          wb_host *host)
{
    char err[512];
    memset(f, 0, sizeof *f);
    f->services = services;
    f->host = host;
    if (loader_open(path, &f->plugin, err, sizeof err) == 0) return 0;
    print_error("%s\n", err);
    return -1;
}

static inline void pf_close(plugin_fixture *f)
{
    if (f->self) f->plugin.desc.destroy(f->self);
    f->self = NULL;
    loader_close(&f->plugin);
}

/* cmocka's setup for a test's own fixture struct of `size` bytes, which begins with a
 * plugin_fixture and holds the test's wb_host at `host_offset` (whose first member is a
 * pf_host_base): a zeroed one in *state, the plugin at `path` loaded with `services`, the
 * host's clock at `now`. 0, or -1 with the loader's reason printed. */
static inline int pf_setup(void **state, size_t size, size_t host_offset, const char *path,
                           const wb_host_services *services, uint64_t now)
{
    char *f = calloc(1, size);
    assert_non_null(f);
    wb_host *host = (wb_host *)(f + host_offset);
    ((pf_host_base *)host)->now = now;
    if (pf_open((plugin_fixture *)f, path, services, host) != 0) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

/* cmocka's teardown for pf_setup: the instance destroyed, the plugin closed, the fixture freed. */
static inline int pf_teardown(void **state)
{
    pf_close(*state);
    free(*state);
    return 0;
}

/* create() with options as JSON text: the instance, or NULL with the reason in f->err. */
static inline void *pf_make(plugin_fixture *f, const char *title, const char *options_json)
{
    json_t *options = json_loads(options_json, 0, NULL);
    assert_non_null(options);
    wb_tile_info tile = {.size = sizeof tile, .id = "tile", .title = title, .feed = "feed",
                         .options = options, .services = f->services, .host = f->host};
    f->err[0] = '\0';
    void *self = f->plugin.desc.create(&tile, f->err, sizeof f->err);
    json_decref(options);
    return self;
}

/* A fresh instance in f->self (the previous one destroyed); fails the test if create() does. */
static inline void pf_start(plugin_fixture *f, const char *title, const char *options_json)
{
    if (f->self) f->plugin.desc.destroy(f->self);
    f->self = pf_make(f, title, options_json);
    if (!f->self) print_error("create failed: %s\n", f->err);
    assert_non_null(f->self);
}

/* on_message() with `message`, which it takes (and frees). */
static inline int pf_send(plugin_fixture *f, json_t *message)
{
    assert_non_null(message);
    int rc = f->plugin.desc.on_message(f->self, message);
    json_decref(message);
    return rc;
}

static inline int pf_send_text(plugin_fixture *f, const char *text)
{
    json_error_t e;
    json_t *message = json_loads(text, 0, &e);
    if (!message) print_error("bad test JSON: %s: %s\n", e.text, text);
    return pf_send(f, message);
}

/* The report as an object; the caller frees it. */
static inline json_t *pf_report(plugin_fixture *f)
{
    json_t *out = json_object();
    assert_int_equal(f->plugin.desc.report(f->self, out), 0);
    return out;
}

/* The report as compact text with sorted keys; the caller frees it. */
static inline char *pf_report_text(plugin_fixture *f)
{
    json_t *out = pf_report(f);
    char *text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(out);
    return text;
}

/* The report has (at least) the keys of expected_json, with those values. */
static inline void pf_assert_report(plugin_fixture *f, const char *expected_json)
{
    json_t *want = json_loads(expected_json, 0, NULL), *got = pf_report(f), *value;
    const char *key;
    assert_non_null(want);
    json_object_foreach(want, key, value) {
        if (!json_equal(json_object_get(got, key), value)) {
            char *all = pf_report_text(f), *v = json_dumps(value, JSON_ENCODE_ANY);
            print_error("report \"%s\": want %s in %s\n", key, v, all);
            free(all);
            free(v);
            fail();
        }
    }
    json_decref(want);
    json_decref(got);
}

/* create() with these options fails, with exactly this one-line reason. */
static inline void pf_assert_refused(plugin_fixture *f, const char *options_json,
                                     const char *reason)
{
    void *self = pf_make(f, "T", options_json);
    if (self) f->plugin.desc.destroy(self);
    if (self || strcmp(f->err, reason) != 0)
        print_error("options %s: want \"%s\", got \"%s\"\n", options_json, reason, f->err);
    assert_null(self);
    assert_string_equal(f->err, reason);
    assert_null(strchr(f->err, '\n'));
}

/* A 1.0 services table that ends before format_number is refused, with this reason. */
static inline void pf_assert_old_services_refused(plugin_fixture *f, const char *reason)
{
    wb_host_services old = *f->services;
    old.size = offsetof(wb_host_services, format_number);
    json_t *options = json_object();
    wb_tile_info tile = {.size = sizeof tile, .id = "t", .options = options, .services = &old,
                         .host = f->host};
    char err[256] = "";
    void *self = f->plugin.desc.create(&tile, err, sizeof err);
    if (self) f->plugin.desc.destroy(self);
    json_decref(options);
    assert_null(self);
    assert_string_equal(err, reason);
}

#endif /* PLUGIN_FIXTURE_H */
