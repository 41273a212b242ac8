/* plugin_fixture.h: a tile plugin under test, loaded with the real loader, and the calls every
 * plugin test makes: create it from JSON options, send it messages, read its report. It never
 * fakes the host itself: each test brings its own services table and wb_host.
 * Include after <cmocka.h> and <jansson.h>; link wbcore (the loader). */
#ifndef PLUGIN_FIXTURE_H
#define PLUGIN_FIXTURE_H

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

/* ---- fake services every test needs alike ------------------------------------------------- */

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
