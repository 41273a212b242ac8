/* counter.c: the general tile plugin: one big red LED number read from a field of each message.
 * It must never link or call the host except through the wb_host_services table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <wallboard/plugin.h>

#include "wbkit.h"

#define COUNTER_VERSION "1.0.0"

/* Option limits (see README.md). */
#define DEFAULT_POINTER "/value"
#define MAX_DECIMALS 6
#define DEFAULT_SPARKLINE 60
#define MAX_SPARKLINE 1000
#define DEFAULT_DIGITS 6
#define MAX_DIGITS 12
#define DEFAULT_ANIMATE_MS 600
#define MAX_ANIMATE_MS 60000

/* Beyond this a double no longer holds every integer exactly and the LED would show noise. */
#define MAX_ABS_VALUE WBKIT_EXACT_MAX

/* Layout, as fractions of the tile so any tile size gets the same look. */
#define TITLE_FRACTION 0.15
#define SPARKLINE_FRACTION 0.18
#define PAD_FRACTION 0.04
#define UNIT_BELOW_FRACTION 0.22   /* of the number's band, at most, for a unit under it */
#define UNIT_BELOW_MAX_OF_LED 0.45 /* ...and at most this much of the digits' height */
#define UNIT_BESIDE_WIDTH 0.25     /* of the number's band, for a unit beside it */
#define UNIT_BESIDE_HEIGHT 0.35    /* of the digits' height */

#define UNIT_TEXT_SIZE 256

typedef struct counter {
    const wb_host_services *svc; /* borrowed from the host until destroy */
    wb_host *host;

    /* options, owned copies */
    wbkit_title title;     /* title.text NULL when there is none */
    char *value_pointer;
    char *unit;            /* may be NULL */
    int decimals;
    int digits;
    int has_thresholds;
    wb_thresholds thresholds;
    int has_color;
    wb_color color;

    wbkit_ring ring;       /* recent values for the sparkline; capacity 0 when off */

    /* the value and its count-up animation: anim.target is the last value received (what
     * report() says), anim.shown what the LED shows now */
    wbkit_anim anim;

    /* what the last render drew, for report() */
    char shown_text[WBKIT_LED_TEXT_SIZE];
    const char *shown_scale; /* "", "k", "M", "G" or "T": a static string */
    int overflow;
} counter;

/* ---- options ------------------------------------------------------------------------------ */

/* A typo in a wall's config should be seen, but not take the tile down. */
static void warn_unknown_options(counter *c, const json_t *options)
{
    static const char *const option_names[] = {"value", "unit", "decimals", "thresholds",
                                               "sparkline", "color", "digits", "animate_ms",
                                               NULL};
    wbkit_warn_unknown_keys(c->svc, c->host, "counter", options, option_names, "option");
    wbkit_warn_unknown_threshold_keys(c->svc, c->host, "counter",
                                      json_object_get(options, "thresholds"));
}

/* Reads the options into c; the sparkline's length into *sparkline. */
static int read_options(counter *c, const json_t *options, int *sparkline, char *err,
                        size_t err_size)
{
    if (!json_is_object(options)) {
        snprintf(err, err_size, "options must be an object");
        return -1;
    }
    if (wbkit_read_pointer(options, "value", &c->value_pointer, err, err_size) < 0) return -1;
    if (wbkit_read_string(options, "unit", &c->unit, err, err_size) < 0) return -1;
    if (wbkit_read_int(options, "decimals", 0, MAX_DECIMALS, &c->decimals, err, err_size) < 0)
        return -1;
    if (wbkit_read_int(options, "digits", 1, MAX_DIGITS, &c->digits, err, err_size) < 0)
        return -1;
    if (wbkit_read_int(options, "sparkline", 0, MAX_SPARKLINE, sparkline, err, err_size) < 0)
        return -1;
    if (wbkit_read_int(options, "animate_ms", 0, MAX_ANIMATE_MS, &c->anim.duration_ms, err,
                       err_size) < 0)
        return -1;
    c->has_thresholds = wbkit_read_thresholds(options, "thresholds", &c->thresholds, err,
                                              err_size);
    if (c->has_thresholds < 0) return -1;
    c->has_color = wbkit_read_color(options, "color", &c->color, err, err_size);
    if (c->has_color < 0) return -1;
    warn_unknown_options(c, options);
    return 0;
}

static void update_shown_text(counter *c);

/* ---- life cycle --------------------------------------------------------------------------- */

static void counter_destroy(void *self)
{
    counter *c = self;
    if (!c) return;
    wbkit_title_free(&c->title);
    free(c->value_pointer);
    free(c->unit);
    wbkit_ring_free(&c->ring);
    free(c);
}

static void *counter_create(const wb_tile_info *tile, char *err, size_t err_size)
{
    /* every service this plugin calls exists since 1.0 */
    if (wbkit_check_services(tile, "counter", err, err_size) != 0) return NULL;
    counter *c = calloc(1, sizeof *c);
    if (!c) goto out_of_memory;
    c->svc = tile->services;
    c->host = tile->host;
    c->decimals = 0;
    c->digits = DEFAULT_DIGITS;
    wbkit_anim_init(&c->anim, DEFAULT_ANIMATE_MS);
    int sparkline = DEFAULT_SPARKLINE;
    c->value_pointer = strdup(DEFAULT_POINTER);
    if (!c->value_pointer) goto out_of_memory;
    if (wbkit_title_init(&c->title, tile->title) != 0) goto out_of_memory;

    if (read_options(c, tile->options, &sparkline, err, err_size) != 0) goto fail;

    if (wbkit_ring_init(&c->ring, sparkline) != 0) goto out_of_memory;
    update_shown_text(c); /* dashes, so a report before the first render reads right */
    return c; /* owned by the host until counter_destroy */

out_of_memory:
    snprintf(err, err_size, "counter: out of memory");
fail:
    counter_destroy(c);
    return NULL;
}

/* ---- values and animation ----------------------------------------------------------------- */

static int counter_on_message(void *self, const struct json_t *message)
{
    counter *c = self;
    const json_t *v = c->svc->json_pointer(message, c->value_pointer);
    if (!v) return WB_MSG_IGNORED; /* a message about something else */
    if (!json_is_number(v)) return WB_MSG_INVALID;
    double value = json_number_value(v);
    if (!isfinite(value) || fabs(value) > MAX_ABS_VALUE) return WB_MSG_INVALID;

    wbkit_ring_push(&c->ring, value);
    /* a repeated value is a sample all the same, but leaves a running count-up alone */
    wbkit_anim_set(&c->anim, value, c->svc->now_ms(c->host));
    return WB_MSG_CHANGED;
}

/* Returns 1 on every tick that moved the value, including the one that lands it on the
 * target, so the final value is always drawn; 0 once it rests. */
static int counter_tick(void *self, uint64_t now_ms)
{
    counter *c = self;
    return wbkit_anim_tick(&c->anim, now_ms);
}

/* ---- LED text ----------------------------------------------------------------------------- */

/* The LED text for `value` into buf (WBKIT_LED_TEXT_SIZE bytes); returns the scale. */
static const char *led_text(const counter *c, double value, char *buf)
{
    return wbkit_led_text(c->svc, value, c->decimals, c->digits, buf, WBKIT_LED_TEXT_SIZE);
}

/* What the LED shows now: the (animated) value, or dashes before the first one. */
static void update_shown_text(counter *c)
{
    if (c->anim.has_value) {
        c->shown_scale = led_text(c, c->anim.shown, c->shown_text);
    } else {
        wbkit_led_dashes(c->digits, c->shown_text, sizeof c->shown_text);
        c->shown_scale = "";
    }
}

/* Positions to size the LED for: the longest of what it shows now (the dashes before any
 * value), where the animation started and where it ends, so the digits keep one size through
 * a whole count-up. */
static int sizing_positions(const counter *c)
{
    return wbkit_anim_led_positions(c->svc, &c->anim, c->decimals, c->digits,
                                    wbkit_led_positions(c->shown_text));
}

/* ---- layout ------------------------------------------------------------------------------- */

typedef struct counter_layout {
    wb_rect title, led, unit, sparkline; /* zero width or height: not drawn */
    int title_lines;                     /* 2: title.first/title.second, one per half */
    wb_align led_align, unit_align;
} counter_layout;

static int scaled(int length, double fraction)
{
    return (int)lround(length * fraction);
}

static int is_visible(wb_rect r)
{
    return r.w > 0 && r.h > 0;
}

/* The height at which `positions` LED digits (1..MAX_DIGITS) fit box_w: draw_led then fits by
 * height and reports no overflow, and the digits keep their size while the value changes
 * length. The LED gets its whole box when it cannot be measured. */
static int fitted_led_height(const counter *c, int positions, int box_w, int box_h)
{
    char ghost[MAX_DIGITS + 1];
    wbkit_led_eights(positions, ghost, sizeof ghost);
    return wbkit_led_fit_height(c->svc, c->host, ghost, box_w, box_h);
}

/* The unit beside the number (sharing its bottom line), the LED right-aligned against it. */
static counter_layout unit_beside(const counter *c, wb_rect band, int pad, int positions)
{
    counter_layout l = {.led_align = WB_ALIGN_RIGHT, .unit_align = WB_ALIGN_LEFT};
    int unit_w = scaled(band.w, UNIT_BESIDE_WIDTH);
    int led_w = band.w - unit_w - pad;
    int led_h = fitted_led_height(c, positions, led_w, band.h);
    int unit_h = scaled(led_h, UNIT_BESIDE_HEIGHT);
    int y = band.y + (band.h - led_h) / 2;
    l.led = (wb_rect){band.x, y, led_w, led_h};
    l.unit = (wb_rect){band.x + band.w - unit_w, y + led_h - unit_h, unit_w, unit_h};
    return l;
}

/* The unit centred under the number. */
static counter_layout unit_below(const counter *c, wb_rect band, int positions)
{
    counter_layout l = {.led_align = WB_ALIGN_CENTER, .unit_align = WB_ALIGN_CENTER};
    int unit_max = scaled(band.h, UNIT_BELOW_FRACTION);
    int led_h = fitted_led_height(c, positions, band.w, band.h - unit_max);
    int unit_h = scaled(led_h, UNIT_BELOW_MAX_OF_LED);
    if (unit_h > unit_max) unit_h = unit_max;
    int y = band.y + (band.h - led_h - unit_h) / 2;
    l.led = (wb_rect){band.x, y, band.w, led_h};
    l.unit = (wb_rect){band.x, y + led_h, band.w, unit_h};
    return l;
}

static counter_layout number_only(const counter *c, wb_rect band, int positions)
{
    counter_layout l = {.led_align = WB_ALIGN_CENTER, .unit_align = WB_ALIGN_CENTER};
    int led_h = fitted_led_height(c, positions, band.w, band.h);
    l.led = (wb_rect){band.x, band.y + (band.h - led_h) / 2, band.w, led_h};
    return l;
}

/* Everything from the rectangle alone: bands top to bottom are title, number (+ unit),
 * sparkline, with padding proportional to the tile. The unit goes beside or below the
 * number, whichever leaves the number larger. */
static counter_layout layout_bands(const counter *c, wb_rect r, int has_unit, int positions,
                                   int title_h, int pad)
{
    counter_layout l = {.led_align = WB_ALIGN_CENTER, .unit_align = WB_ALIGN_CENTER};
    wb_rect inner = {r.x + pad, r.y + pad, r.w - 2 * pad, r.h - 2 * pad};
    int spark_h = c->ring.capacity > 0 ? scaled(r.h, SPARKLINE_FRACTION) : 0;
    int top = inner.y + title_h + (title_h ? pad : 0);
    int bottom = inner.y + inner.h - spark_h - (spark_h ? pad : 0);
    wb_rect band = {inner.x, top, inner.w, bottom - top};

    if (!has_unit) {
        l = number_only(c, band, positions);
    } else {
        counter_layout beside = unit_beside(c, band, pad, positions);
        counter_layout below = unit_below(c, band, positions);
        l = beside.led.h >= below.led.h ? beside : below;
    }
    l.title = (wb_rect){inner.x, inner.y, inner.w, title_h};
    l.title_lines = 1;
    l.sparkline = (wb_rect){inner.x, inner.y + inner.h - spark_h, inner.w, spark_h};
    return l;
}

static counter_layout compute_layout(const counter *c, wb_rect r, int has_unit, int positions)
{
    counter_layout none = {.led_align = WB_ALIGN_CENTER, .unit_align = WB_ALIGN_CENTER};
    int shorter = r.w < r.h ? r.w : r.h;
    int pad = shorter > 0 ? scaled(shorter, PAD_FRACTION) : 0;
    if (r.w - 2 * pad <= 0 || r.h - 2 * pad <= 0) return none;

    /* of the shorter side: a tile two rows high should not get a title twice as large */
    int title_h = c->title.text ? scaled(shorter, TITLE_FRACTION) : 0;
    if (title_h && wbkit_title_lines(c->svc, c->host, &c->title, r.w - 2 * pad, title_h) == 2) {
        /* Two lines take the band of one and a half: the number stays the tile's largest part. */
        counter_layout l = layout_bands(c, r, has_unit, positions, title_h * 3 / 2, pad);
        l.title_lines = 2;
        return l;
    }
    return layout_bands(c, r, has_unit, positions, title_h, pad);
}

/* ---- render ------------------------------------------------------------------------------- */

static wb_level current_level(const counter *c)
{
    if (!c->anim.has_value || !c->has_thresholds) return WB_LEVEL_NORMAL;
    return c->svc->threshold_level(c->anim.target, &c->thresholds);
}

/* The LED colour: the level's when a threshold is crossed, else the configured or wall red. */
static wb_color led_color(const counter *c, wb_level level)
{
    if (level != WB_LEVEL_NORMAL) return c->svc->level_color(c->host, level);
    if (c->has_color) return c->color;
    return c->svc->color(c->host, WB_COLOR_LED);
}

static void note_overflow(counter *c, int draw_result)
{
    if (draw_result == 1) c->overflow = 1;
}

static void draw_sparkline(counter *c, wb_rect box, wb_level level)
{
    if (!is_visible(box) || c->ring.count < 2) return;
    const double *values = wbkit_ring_ordered(&c->ring);
    wb_color color = level != WB_LEVEL_NORMAL ? c->svc->level_color(c->host, level)
                                              : c->svc->color(c->host, WB_COLOR_ACCENT);
    c->svc->draw_sparkline(c->host, box, values, c->ring.count, color);
}

static void draw_title(counter *c, counter_layout l)
{
    wb_color color = c->svc->color(c->host, WB_COLOR_TEXT);
    note_overflow(c, wbkit_title_draw(c->svc, c->host, &c->title, l.title, l.title_lines,
                                      color));
}

static void counter_render(void *self, wb_rect rect)
{
    counter *c = self;
    const wb_host_services *s = c->svc;
    c->overflow = 0;
    update_shown_text(c);

    char unit_text[UNIT_TEXT_SIZE];
    wbkit_unit_text(c->shown_scale, c->unit, unit_text, sizeof unit_text);
    counter_layout l = compute_layout(c, rect, unit_text[0] != '\0', sizing_positions(c));
    wb_level level = current_level(c);

    draw_title(c, l);
    if (is_visible(l.led))
        note_overflow(c, s->draw_led(c->host, c->shown_text, l.led, l.led_align,
                                     led_color(c, level), 1));
    if (is_visible(l.unit) && unit_text[0])
        note_overflow(c, s->draw_text(c->host, WB_FONT_LABEL, 0, unit_text, l.unit, l.unit_align,
                                      s->color(c->host, WB_COLOR_TEXT_DIM)));
    draw_sparkline(c, l.sparkline, level);
}

/* ---- report ------------------------------------------------------------------------------- */

/* An absent unit or title reads "" (as docs/state.md shows), so readers need no null case. */
static json_t *string_or_empty(const char *s)
{
    return json_string(s ? s : "");
}

static int counter_report(void *self, struct json_t *out)
{
    counter *c = self;
    int rc = 0;
    rc |= json_object_set_new(out, "value",
                              c->anim.has_value ? wbkit_number_json(c->anim.target) : json_null());
    rc |= json_object_set_new(out, "shown", json_string(c->shown_text));
    rc |= json_object_set_new(out, "scale", json_string(c->shown_scale));
    rc |= json_object_set_new(out, "unit", string_or_empty(c->unit));
    rc |= json_object_set_new(out, "title", string_or_empty(c->title.text));
    rc |= json_object_set_new(out, "level", json_string(wbkit_level_name(current_level(c))));
    rc |= json_object_set_new(out, "samples", json_integer(c->ring.count));
    rc |= json_object_set_new(out, "overflow", json_boolean(c->overflow));
    return rc ? -1 : 0;
}

/* ---- entry -------------------------------------------------------------------------------- */

static const wb_plugin_descriptor counter_descriptor = {
    WB_PLUGIN_DESCRIPTOR_INIT_HEADER,
    .name = "counter",
    .version = COUNTER_VERSION,
    .description = "A big LED number from a field of each message, with thresholds and a "
                   "sparkline",
    .create = counter_create,
    .destroy = counter_destroy,
    .on_message = counter_on_message,
    .render = counter_render,
    .tick = counter_tick,
    .report = counter_report,
};

WB_PLUGIN_EXPORT const wb_plugin_descriptor *wallboard_plugin_entry(void)
{
    return &counter_descriptor;
}
