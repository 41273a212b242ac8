/* template.c: the smallest complete wallboard plugin, to copy: one number of the tile's feed as a
 * big LED number under a label, coloured by thresholds. It never uses more than the header. */

/*
 * Read this file top to bottom once; every part a plugin has is here, in the order the host
 * uses them:
 *
 *   wallboard_plugin_entry()  the one exported symbol: returns the descriptor below
 *   tpl_create()              once per tile: read the options, allocate the tile's state
 *   tpl_on_message()          each message of the tile's feed: take the value
 *   tpl_on_feed_state()       the feed connected, went stale, dropped (optional)
 *   tpl_render()              draw the tile (only when something changed)
 *   tpl_report()              the values on screen, for `wallboard --state` (optional)
 *   tpl_save(), tpl_restore() keep the value across a rebuild while the wall runs (optional)
 *   tpl_destroy()             free the tile's state
 *
 * Threading: the host calls every callback on its main thread, one at a time, never two at
 * once, so a plugin needs no locks. Do not start threads that call the host.
 *
 * Who owns what:
 *   - The host owns the tile info, the options object, the services table and every message.
 *     The tile info and options are valid only during create(): copy what you keep (strdup).
 *     A message is valid only during on_message(): copy the values out, or json_incref() it
 *     and json_decref() it later yourself.
 *   - The plugin owns what create() returns (`self`, here a `tpl_tile`) until destroy().
 *   - The services table and the host handle stay valid until destroy() returns.
 *
 * Build it out of tree (see README.md): with CMake, find_package(WallboardPlugin) and
 * wallboard_add_plugin(template template.c); or with pkg-config:
 *   cc -std=c11 -Wall -shared -fPIC -o template.so template.c \
 *       $(pkg-config --cflags --libs wallboard-plugin)
 * To make it your own, rename the file, TPL_NAME and the folder: the wall looks for
 * NAME.so and checks that the descriptor's name is NAME.
 */
#define _POSIX_C_SOURCE 200809L /* strdup(), with -std=c11 */
#include <math.h>   /* isfinite, NAN: macros, no libm needed */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <wallboard/plugin.h>

#define TPL_NAME "template" /* must equal the file name without ".so" */
#define TPL_VERSION "1.0.0" /* your plugin's own version, shown by --list-plugins */

#define DEFAULT_VALUE_POINTER "/value"
#define MAX_DECIMALS 6
/* Beyond this a double no longer holds every integer exactly: the LED would show noise. */
#define MAX_ABS_VALUE 1e15
#define SHOWN_SIZE 32 /* "-" + 16 digits + "." + 6 decimals, and then some */

/* Layout, as fractions of the tile, so that any tile size gets the same look. */
#define PAD_FRACTION 0.05   /* of the shorter side */
#define LABEL_FRACTION 0.22 /* of the inner height, at the top */

/* One tile's state: everything lives here, nothing in globals, since several tiles may use
 * the plugin at once. */
typedef struct tpl_tile {
    const wb_host_services *svc; /* the host's, valid until destroy */
    wb_host *host;               /* pass it to every service call */

    /* options, read once in create (owned copies) */
    char *value_pointer;         /* JSON pointer of the number in a message, e.g. "/value" */
    char *label;                 /* text above the number; "" for none */
    int decimals;
    wb_thresholds thresholds;    /* NAN where unset */

    /* what the tile shows */
    int has_value;
    double value;
    long messages;               /* values taken, for report */
    char shown[SHOWN_SIZE];      /* the LED text: the formatted value, or dashes before one */
    wb_feed_state feed_state;
} tpl_tile;

/* ---- options -------------------------------------------------------------------------------- */

/* A bad option makes create() fail: the tile then shows this one line instead of numbers, so
 * say which option, what it must be, and what it was. Always returns -1. */
static int option_error(char *err, size_t err_size, const char *fmt, ...)
{
    int n = snprintf(err, err_size, TPL_NAME ": ");
    if (n < 0 || (size_t)n >= err_size) return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, err_size - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

/* A string option, copied into *out (the plugin frees it): `fallback` when it is absent. */
static int read_string(const json_t *options, const char *name, const char *fallback, char **out,
                       char *err, size_t err_size)
{
    const json_t *v = json_object_get(options, name); /* borrowed from the options */
    if (v && !json_is_string(v))
        return option_error(err, err_size, "option \"%s\" must be a string", name);
    *out = strdup(v ? json_string_value(v) : fallback);
    if (!*out) return option_error(err, err_size, "out of memory");
    return 0;
}

static int read_decimals(const json_t *options, int *out, char *err, size_t err_size)
{
    const json_t *v = json_object_get(options, "decimals");
    if (!v) return 0; /* keep the default */
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > MAX_DECIMALS)
        return option_error(err, err_size, "option \"decimals\" must be an integer 0..%d",
                            MAX_DECIMALS);
    *out = (int)json_integer_value(v);
    return 0;
}

static int read_limit(const json_t *thresholds, const char *key, double *out, char *err,
                      size_t err_size)
{
    const json_t *v = json_object_get(thresholds, key);
    if (!v) return 0; /* stays NAN: no such level */
    if (!json_is_number(v) || !isfinite(json_number_value(v)))
        return option_error(err, err_size, "option \"thresholds\": \"%s\" must be a number", key);
    *out = json_number_value(v);
    return 0;
}

/* "thresholds": {"warn": 80, "alarm": 95, "below": false}, each key optional. The host's
 * threshold_level() turns a value and these into a level, level_color() into a colour. */
static int read_thresholds(const json_t *options, wb_thresholds *out, char *err, size_t err_size)
{
    *out = (wb_thresholds){.warn = NAN, .alarm = NAN, .below = 0};
    const json_t *t = json_object_get(options, "thresholds");
    if (!t) return 0;
    if (!json_is_object(t))
        return option_error(err, err_size, "option \"thresholds\" must be an object like "
                            "{\"warn\": 80, \"alarm\": 95, \"below\": false}");
    if (read_limit(t, "warn", &out->warn, err, err_size) != 0) return -1;
    if (read_limit(t, "alarm", &out->alarm, err, err_size) != 0) return -1;
    const json_t *below = json_object_get(t, "below");
    if (below && !json_is_boolean(below))
        return option_error(err, err_size, "option \"thresholds\": \"below\" must be true or false");
    out->below = below && json_is_true(below);
    return 0;
}

/* A typo in a wall's config should be seen, but need not take the tile down: log it. */
static void warn_unknown_options(tpl_tile *t, const json_t *options)
{
    static const char *const known[] = {"value", "label", "decimals", "thresholds", NULL};
    const char *key;
    json_t *value;
    /* jansson's iteration macro takes a non-const object; it does not change it */
    json_object_foreach((json_t *)options, key, value) {
        int found = 0;
        for (const char *const *k = known; *k && !found; k++) found = strcmp(key, *k) == 0;
        if (!found) t->svc->log(t->host, WB_LOG_WARN, TPL_NAME ": unknown option \"%s\" ignored", key);
    }
}

static int read_options(tpl_tile *t, const wb_tile_info *tile, char *err, size_t err_size)
{
    const json_t *options = tile->options; /* never NULL, maybe empty; borrowed */
    if (read_string(options, "value", DEFAULT_VALUE_POINTER, &t->value_pointer, err, err_size))
        return -1;
    if (t->value_pointer[0] != '\0' && t->value_pointer[0] != '/')
        return option_error(err, err_size, "option \"value\" must be a JSON pointer like "
                            "\"/value\" or \"/beds/free\", not \"%s\"", t->value_pointer);
    /* the label defaults to the tile's title from the config */
    if (read_string(options, "label", tile->title ? tile->title : "", &t->label, err, err_size))
        return -1;
    if (read_decimals(options, &t->decimals, err, err_size)) return -1;
    if (read_thresholds(options, &t->thresholds, err, err_size)) return -1;
    warn_unknown_options(t, options);
    return 0;
}

/* ---- life cycle ----------------------------------------------------------------------------- */

static void tpl_destroy(void *self)
{
    tpl_tile *t = self;
    if (!t) return;
    free(t->value_pointer);
    free(t->label);
    free(t);
}

/* Dashes until the first value, so the tile is never blank. */
static void show_dashes(tpl_tile *t)
{
    snprintf(t->shown, sizeof t->shown, "----");
}

/* The host calls this once per tile of this plugin. On failure: NULL and one line in err. */
static void *tpl_create(const wb_tile_info *tile, char *err, size_t err_size)
{
    /* Every service used here exists since ABI 1.0, and the host hands a plugin a table at
     * least as new as the header it was built with. A service marked "since 1.N" with N above
     * the minor you require would be checked first, e.g.
     *     if (tile->services->size < offsetof(wb_host_services, later_service) +
     *                                 sizeof tile->services->later_service) fail or do without */
    if (!tile->feed) {
        snprintf(err, err_size, TPL_NAME ": this tile needs a \"feed\" in the wall config");
        return NULL;
    }
    tpl_tile *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, err_size, TPL_NAME ": out of memory");
        return NULL;
    }
    t->svc = tile->services;
    t->host = tile->host;
    t->feed_state = WB_FEED_CONNECTING;
    show_dashes(t);
    if (read_options(t, tile, err, err_size) != 0) {
        tpl_destroy(t);
        return NULL;
    }
    return t; /* the host keeps it and passes it back to every callback until tpl_destroy */
}

/* ---- messages ------------------------------------------------------------------------------- */

static int usable(double v)
{
    return isfinite(v) && v <= MAX_ABS_VALUE && v >= -MAX_ABS_VALUE;
}

static void take_value(tpl_tile *t, double v)
{
    t->value = v;
    t->has_value = 1;
    /* the LED font has digits, '-', '.', ':' and spaces: no thousands separator */
    t->svc->format_number(v, t->decimals, NULL, t->shown, sizeof t->shown);
}

/* A message of the tile's feed (the host already applied the tile's "match"). `message` is
 * borrowed: it is gone after this returns, so copy the number out. */
static int tpl_on_message(void *self, const struct json_t *message)
{
    tpl_tile *t = self;
    const json_t *field = t->svc->json_pointer(message, t->value_pointer); /* borrowed too */
    if (!field) return WB_MSG_IGNORED; /* a message about something else */
    if (!json_is_number(field)) return WB_MSG_INVALID; /* counted in the tile's "invalid" */
    double v = json_number_value(field);
    if (!usable(v)) return WB_MSG_INVALID;

    take_value(t, v);
    t->messages++;
    return WB_MSG_CHANGED; /* the host redraws the tile */
}

/* Optional. The host already draws "stale" or "reconnecting" on the tile and dims it; a
 * plugin only needs this to show something of its own. Kept here for report(). */
static void tpl_on_feed_state(void *self, wb_feed_state state)
{
    tpl_tile *t = self;
    t->feed_state = state;
}

/* ---- drawing -------------------------------------------------------------------------------- */

static wb_level current_level(const tpl_tile *t)
{
    if (!t->has_value) return WB_LEVEL_NORMAL;
    return t->svc->threshold_level(t->value, &t->thresholds); /* NAN limits never trigger */
}

/* Draws into `rect`, the whole tile: the host has cleared it and set the clip. Everything is
 * sized from the rectangle, never in fixed pixels, so the tile looks the same on any wall.
 * Drawing services work only inside render(). */
static void tpl_render(void *self, wb_rect rect)
{
    tpl_tile *t = self;
    int shorter = rect.w < rect.h ? rect.w : rect.h;
    int pad = (int)(shorter * PAD_FRACTION);
    wb_rect inner = {rect.x + pad, rect.y + pad, rect.w - 2 * pad, rect.h - 2 * pad};
    if (inner.w <= 0 || inner.h <= 0) return;

    int label_h = t->label[0] ? (int)(inner.h * LABEL_FRACTION) : 0;
    if (label_h > 0) {
        wb_rect box = {inner.x, inner.y, inner.w, label_h};
        /* size 0: as large as fits the box; too long a label is shrunk, then ellipsised */
        t->svc->draw_text(t->host, WB_FONT_LABEL, 0, t->label, box, WB_ALIGN_CENTER,
                          t->svc->color(t->host, WB_COLOR_TEXT));
    }

    wb_level level = current_level(t);
    wb_color color = level == WB_LEVEL_NORMAL ? t->svc->color(t->host, WB_COLOR_LED)
                                              : t->svc->level_color(t->host, level);
    wb_rect led = {inner.x, inner.y + label_h, inner.w, inner.h - label_h};
    t->svc->draw_led(t->host, t->shown, led, WB_ALIGN_CENTER, color, 1 /* ghost 8s */);
}

/* ---- report --------------------------------------------------------------------------------- */

static const char *level_name(wb_level level)
{
    return level == WB_LEVEL_ALARM ? "alarm" : level == WB_LEVEL_WARN ? "warn" : "normal";
}

static const char *feed_state_name(wb_feed_state state)
{
    switch (state) {
    case WB_FEED_LIVE: return "live";
    case WB_FEED_STALE: return "stale";
    case WB_FEED_DOWN: return "down";
    default: return "connecting";
    }
}

/* A whole number as a JSON integer (1234, not 1234.0), so tests compare it exactly. */
static json_t *number_json(double v)
{
    if (v == (double)(json_int_t)v) return json_integer((json_int_t)v);
    return json_real(v);
}

/* Optional. What the tile shows, for `wallboard --state` (its "values"): tests assert on it.
 * `out` is the host's object; json_object_set_new() hands each new value over to it. */
static int tpl_report(void *self, struct json_t *out)
{
    tpl_tile *t = self;
    int rc = 0;
    rc |= json_object_set_new(out, "value", t->has_value ? number_json(t->value) : json_null());
    rc |= json_object_set_new(out, "shown", json_string(t->shown));
    rc |= json_object_set_new(out, "label", json_string(t->label));
    rc |= json_object_set_new(out, "level", json_string(level_name(current_level(t))));
    rc |= json_object_set_new(out, "messages", json_integer(t->messages));
    rc |= json_object_set_new(out, "feed_state", json_string(feed_state_name(t->feed_state)));
    return rc ? -1 : 0;
}

/* ---- hot reload (optional, since ABI 1.1) ---------------------------------------------------- */

/* Rebuild the plugin while the wall runs and the wall reloads it: save() on each tile of the old
 * code, destroy(), then create() and restore() with the new code. Without these two the tile
 * shows dashes until its next message. Return plain JSON data, a new reference the host then
 * owns (it outlives the old code, so no pointers into it), or NULL to keep nothing. */
static json_t *tpl_save(void *self)
{
    const tpl_tile *t = self;
    if (!t->has_value) return NULL;
    return json_pack("{s:f, s:I}", "value", t->value, "messages", (json_int_t)t->messages);
}

/* `saved` is borrowed and may come from an older build of this plugin: check what you read.
 * create() already ran with the (maybe changed) options, so the value is formatted anew.
 * Return 0, or -1 to start afresh (the host counts a fault). */
static int tpl_restore(void *self, const struct json_t *saved)
{
    tpl_tile *t = self;
    const json_t *value = json_object_get(saved, "value");
    const json_t *messages = json_object_get(saved, "messages");
    if (!json_is_number(value) || !usable(json_number_value(value)) ||
        !json_is_integer(messages))
        return -1;
    take_value(t, json_number_value(value));
    t->messages = (long)json_integer_value(messages);
    return 0;
}

/* ---- entry ---------------------------------------------------------------------------------- */

/* Static: the host reads it and keeps a copy. WB_PLUGIN_DESCRIPTOR_INIT_HEADER fills size and
 * ABI version from the header this file is compiled with; callbacks left out are NULL. */
static const wb_plugin_descriptor tpl_descriptor = {
    WB_PLUGIN_DESCRIPTOR_INIT_HEADER,
    .name = TPL_NAME,
    .version = TPL_VERSION,
    .description = "one number of a feed as a big LED number with a label and thresholds",
    .create = tpl_create,
    .destroy = tpl_destroy,
    .on_message = tpl_on_message,
    .on_feed_state = tpl_on_feed_state,
    .render = tpl_render,
    .report = tpl_report,
    .save = tpl_save,
    .restore = tpl_restore,
};

/* The only exported symbol (WB_PLUGIN_EXPORT; everything else is hidden). */
WB_PLUGIN_EXPORT const wb_plugin_descriptor *wallboard_plugin_entry(void)
{
    return &tpl_descriptor;
}
