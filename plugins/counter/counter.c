/* counter.c: the general tile plugin: one big red LED number read from a field of each message.
 * It must never link or call the host except through the wb_host_services table. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <wallboard/plugin.h>

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
#define MAX_ABS_VALUE 1e15

/* Layout, as fractions of the tile so any tile size gets the same look. */
#define TITLE_FRACTION 0.15
#define SPARKLINE_FRACTION 0.18
#define PAD_FRACTION 0.04
#define UNIT_BELOW_FRACTION 0.22   /* of the number's band, at most, for a unit under it */
#define UNIT_BELOW_MAX_OF_LED 0.45 /* ...and at most this much of the digits' height */
#define UNIT_BESIDE_WIDTH 0.25     /* of the number's band, for a unit beside it */
#define UNIT_BESIDE_HEIGHT 0.35    /* of the digits' height */
#define LED_FIT_MARGIN 0.97        /* font hinting rounds widths: keep a little slack */
#define LED_MEASURE_MAX_PX 512

/* LED text: digits and '-' plus '.', so room for 12 digits, a sign, a point and a NUL is
 * plenty; format_number's output is checked against it anyway. */
#define LED_TEXT_SIZE 64
#define UNIT_TEXT_SIZE 256

typedef struct counter {
    const wb_host_services *svc; /* borrowed from the host until destroy */
    wb_host *host;

    /* options, owned copies */
    char *title;           /* may be NULL */
    char *title_first;     /* title split in two lines for narrow tiles, or NULL; owned */
    const char *title_second; /* points into title */
    char *value_pointer;
    char *unit;            /* may be NULL */
    int decimals;
    int digits;
    int animate_ms;
    int has_thresholds;
    wb_thresholds thresholds;
    int has_color;
    wb_color color;

    /* recent values, oldest first from ring_head - ring_count */
    double *ring;          /* owned, ring_capacity values, NULL when sparkline is 0 */
    double *ring_ordered;  /* owned scratch for draw_sparkline, same capacity */
    int ring_capacity, ring_count, ring_head;

    /* the value and its count-up animation */
    int has_value;
    double target;         /* the last value received: what report() says */
    double shown;          /* what the LED shows now: target, or on its way to it */
    int animating;
    double anim_from;
    uint64_t anim_start_ms;

    /* what the last render drew, for report() */
    char shown_text[LED_TEXT_SIZE];
    const char *shown_scale; /* "", "k", "M", "G" or "T": a static string */
    int overflow;
} counter;

/* ---- title -------------------------------------------------------------------------------- */

/* Trilingual titles ("환자 대기 · 候诊患者 · Patients waiting") are long: where one line does not
 * fit, the title wraps once, at the " · " nearest its middle, else at the space nearest it. */
static int split_title(counter *c)
{
    const char *t = c->title;
    size_t len = strlen(t), best = 0, best_skip = 0;
    size_t best_distance = (size_t)-1;
    const char *dot = " \xc2\xb7 ";
    for (int pass = 0; pass < 2 && !best; pass++) {
        const char *sep = pass == 0 ? dot : " ";
        size_t sep_len = strlen(sep);
        for (const char *p = strstr(t, sep); p; p = strstr(p + 1, sep)) {
            size_t at = (size_t)(p - t);
            size_t distance = at > len / 2 ? at - len / 2 : len / 2 - at;
            if (at > 0 && at + sep_len < len && distance < best_distance) {
                best = at;
                best_skip = sep_len;
                best_distance = distance;
            }
        }
    }
    if (!best) return 0;
    c->title_first = strndup(t, best);
    if (!c->title_first) return -1;
    c->title_second = t + best + best_skip;
    return 0;
}

static int title_fits_one_line(const counter *c, int width, int height)
{
    int w = 0, h = 0;
    /* draw_text with size 0 uses about 0.8 of the box height */
    if (c->svc->measure_text(c->host, WB_FONT_LABEL, height * 8 / 10, c->title, &w, &h) != 0)
        return 1;
    return w <= width;
}

/* ---- options ------------------------------------------------------------------------------ */

static int option_error(char *err, size_t err_size, const char *name, const char *what)
{
    snprintf(err, err_size, "option \"%s\" must be %s", name, what);
    return -1;
}

/* An integer option within [lo, hi]; absent leaves *out alone. 0 or -1. */
static int read_int_option(const json_t *options, const char *name, int lo, int hi,
                           int *out, char *err, size_t err_size)
{
    const json_t *v = json_object_get(options, name);
    if (!v) return 0;
    char what[64];
    snprintf(what, sizeof what, "an integer %d..%d", lo, hi);
    if (!json_is_integer(v)) return option_error(err, err_size, name, what);
    json_int_t n = json_integer_value(v);
    if (n < lo || n > hi) return option_error(err, err_size, name, what);
    *out = (int)n;
    return 0;
}

/* A string option; absent leaves *out alone, "" counts as absent. The copy is the caller's. */
static int read_string_option(const json_t *options, const char *name, char **out,
                              char *err, size_t err_size)
{
    const json_t *v = json_object_get(options, name);
    if (!v) return 0;
    if (!json_is_string(v)) return option_error(err, err_size, name, "a string");
    const char *s = json_string_value(v);
    if (!*s) return 0;
    char *copy = strdup(s);
    if (!copy) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    free(*out);
    *out = copy;
    return 0;
}

/* RFC 6901 syntax: "/" tokens with "~" only in "~0" or "~1". The root ("") is refused: a
 * message is an object, never a number. */
static int is_value_pointer(const char *p)
{
    if (p[0] != '/') return 0;
    for (; *p; p++)
        if (*p == '~' && p[1] != '0' && p[1] != '1') return 0;
    return 1;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = (char)tolower((unsigned char)c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* "#rrggbb" into an opaque colour. 0 or -1. */
static int parse_color(const char *s, wb_color *out)
{
    if (strlen(s) != 7 || s[0] != '#') return -1;
    uint8_t channel[3];
    for (int i = 0; i < 3; i++) {
        int hi = hex_digit(s[1 + 2 * i]), lo = hex_digit(s[2 + 2 * i]);
        if (hi < 0 || lo < 0) return -1;
        channel[i] = (uint8_t)(hi * 16 + lo);
    }
    *out = (wb_color){channel[0], channel[1], channel[2], 255};
    return 0;
}

static int read_color_option(counter *c, const json_t *options, char *err, size_t err_size)
{
    const json_t *v = json_object_get(options, "color");
    if (!v) return 0;
    if (!json_is_string(v) || parse_color(json_string_value(v), &c->color) != 0)
        return option_error(err, err_size, "color", "a colour \"#rrggbb\"");
    c->has_color = 1;
    return 0;
}

static int read_limit(const json_t *thresholds, const char *name, double *out, char *err,
                      size_t err_size)
{
    const json_t *v = json_object_get(thresholds, name);
    if (!v) return 0;
    if (!json_is_number(v) || !isfinite(json_number_value(v))) {
        snprintf(err, err_size, "option \"thresholds\": \"%s\" must be a number", name);
        return -1;
    }
    *out = json_number_value(v);
    return 0;
}

/* {"warn": number, "alarm": number, "below": bool}, each optional. */
static int read_thresholds_option(counter *c, const json_t *options, char *err, size_t err_size)
{
    c->thresholds = (wb_thresholds){NAN, NAN, 0};
    const json_t *t = json_object_get(options, "thresholds");
    if (!t) return 0;
    if (!json_is_object(t))
        return option_error(err, err_size, "thresholds",
                            "an object like {\"warn\": 80, \"alarm\": 95, \"below\": false}");
    if (read_limit(t, "warn", &c->thresholds.warn, err, err_size) != 0) return -1;
    if (read_limit(t, "alarm", &c->thresholds.alarm, err, err_size) != 0) return -1;
    const json_t *below = json_object_get(t, "below");
    if (below && !json_is_boolean(below)) {
        snprintf(err, err_size, "option \"thresholds\": \"below\" must be true or false");
        return -1;
    }
    c->thresholds.below = below && json_is_true(below);
    c->has_thresholds = !isnan(c->thresholds.warn) || !isnan(c->thresholds.alarm);
    return 0;
}

/* A typo in a wall's config should be seen, but not take the tile down. */
static void warn_unknown_keys(counter *c, const json_t *object, const char *const *known,
                              const char *where)
{
    const char *key;
    /* jansson's iteration API takes a non-const object but does not modify it */
    json_t *value;
    json_object_foreach((json_t *)object, key, value) {
        int found = 0;
        for (const char *const *k = known; *k && !found; k++) found = strcmp(key, *k) == 0;
        if (!found) c->svc->log(c->host, WB_LOG_WARN, "counter: unknown %s \"%s\" ignored", where, key);
    }
}

static void warn_unknown_options(counter *c, const json_t *options)
{
    static const char *const option_names[] = {"value", "unit", "decimals", "thresholds",
                                               "sparkline", "color", "digits", "animate_ms",
                                               NULL};
    static const char *const threshold_names[] = {"warn", "alarm", "below", NULL};
    warn_unknown_keys(c, options, option_names, "option");
    const json_t *t = json_object_get(options, "thresholds");
    if (json_is_object(t)) warn_unknown_keys(c, t, threshold_names, "threshold");
}

static int read_options(counter *c, const json_t *options, char *err, size_t err_size)
{
    if (!json_is_object(options)) {
        snprintf(err, err_size, "options must be an object");
        return -1;
    }
    if (read_string_option(options, "value", &c->value_pointer, err, err_size) != 0) return -1;
    if (!is_value_pointer(c->value_pointer))
        return option_error(err, err_size, "value", "a JSON pointer like \"/value\"");
    if (read_string_option(options, "unit", &c->unit, err, err_size) != 0) return -1;
    if (read_int_option(options, "decimals", 0, MAX_DECIMALS, &c->decimals, err, err_size) != 0)
        return -1;
    if (read_int_option(options, "digits", 1, MAX_DIGITS, &c->digits, err, err_size) != 0)
        return -1;
    if (read_int_option(options, "sparkline", 0, MAX_SPARKLINE, &c->ring_capacity, err,
                        err_size) != 0)
        return -1;
    if (read_int_option(options, "animate_ms", 0, MAX_ANIMATE_MS, &c->animate_ms, err,
                        err_size) != 0)
        return -1;
    if (read_thresholds_option(c, options, err, err_size) != 0) return -1;
    if (read_color_option(c, options, err, err_size) != 0) return -1;
    warn_unknown_options(c, options);
    return 0;
}

static void update_shown_text(counter *c);

/* ---- life cycle --------------------------------------------------------------------------- */

static void counter_destroy(void *self)
{
    counter *c = self;
    if (!c) return;
    free(c->title);
    free(c->title_first);
    free(c->value_pointer);
    free(c->unit);
    free(c->ring);
    free(c->ring_ordered);
    free(c);
}

/* Every service this plugin calls exists since 1.0, so a 1.x table that reaches the last
 * 1.0 member has them all. */
static int services_usable(const wb_tile_info *tile)
{
    size_t tile_needed = offsetof(wb_tile_info, host) + sizeof tile->host;
    if (tile->size < tile_needed) return 0;
    const wb_host_services *s = tile->services;
    size_t needed = offsetof(wb_host_services, json_pointer) + sizeof s->json_pointer;
    return s && s->abi_major == WB_ABI_MAJOR && s->size >= needed;
}

static void *counter_create(const wb_tile_info *tile, char *err, size_t err_size)
{
    if (!tile || !services_usable(tile)) {
        snprintf(err, err_size, "counter needs host services of ABI %d.0 or later", WB_ABI_MAJOR);
        return NULL;
    }
    counter *c = calloc(1, sizeof *c);
    if (!c) goto out_of_memory;
    c->svc = tile->services;
    c->host = tile->host;
    c->decimals = 0;
    c->digits = DEFAULT_DIGITS;
    c->animate_ms = DEFAULT_ANIMATE_MS;
    c->ring_capacity = DEFAULT_SPARKLINE;
    c->value_pointer = strdup(DEFAULT_POINTER);
    if (!c->value_pointer) goto out_of_memory;
    if (tile->title && *tile->title && !(c->title = strdup(tile->title))) goto out_of_memory;
    if (c->title && split_title(c) != 0) goto out_of_memory;

    if (read_options(c, tile->options, err, err_size) != 0) goto fail;

    if (c->ring_capacity > 0) {
        c->ring = calloc((size_t)c->ring_capacity, sizeof *c->ring);
        c->ring_ordered = calloc((size_t)c->ring_capacity, sizeof *c->ring_ordered);
        if (!c->ring || !c->ring_ordered) goto out_of_memory;
    }
    update_shown_text(c); /* dashes, so a report before the first render reads right */
    return c; /* owned by the host until counter_destroy */

out_of_memory:
    snprintf(err, err_size, "counter: out of memory");
fail:
    counter_destroy(c);
    return NULL;
}

/* ---- values and animation ----------------------------------------------------------------- */

static void ring_push(counter *c, double value)
{
    if (c->ring_capacity == 0) return;
    c->ring[c->ring_head] = value;
    c->ring_head = (c->ring_head + 1) % c->ring_capacity;
    if (c->ring_count < c->ring_capacity) c->ring_count++;
}

/* Ease-out cubic: fast start, gentle landing on the new value. */
static double ease_out(double t)
{
    double rest = 1.0 - t;
    return 1.0 - rest * rest * rest;
}

/* Where the animation is at `now_ms`; the target once it has run its course. */
static double value_at(const counter *c, uint64_t now_ms)
{
    if (!c->animating) return c->target;
    uint64_t elapsed = now_ms > c->anim_start_ms ? now_ms - c->anim_start_ms : 0;
    if (elapsed >= (uint64_t)c->animate_ms) return c->target;
    return c->anim_from + (c->target - c->anim_from) * ease_out((double)elapsed / c->animate_ms);
}

/* A new target: count from what the LED shows right now (0 for the very first value). */
static void start_animation(counter *c, double target)
{
    uint64_t now = c->svc->now_ms(c->host);
    double from = c->has_value ? value_at(c, now) : 0.0;
    c->target = target;
    c->has_value = 1;
    if (c->animate_ms == 0 || from == target) {
        c->shown = target;
        c->animating = 0;
        return;
    }
    c->anim_from = from;
    c->anim_start_ms = now;
    c->shown = from;
    c->animating = 1;
}

static int counter_on_message(void *self, const struct json_t *message)
{
    counter *c = self;
    const json_t *v = c->svc->json_pointer(message, c->value_pointer);
    if (!v) return WB_MSG_IGNORED; /* a message about something else */
    if (!json_is_number(v)) return WB_MSG_INVALID;
    double value = json_number_value(v);
    if (!isfinite(value) || fabs(value) > MAX_ABS_VALUE) return WB_MSG_INVALID;

    ring_push(c, value);
    /* The same value again leaves any running animation alone: restarting it would make the
     * LED stutter on a feed that repeats itself. */
    if (!(c->has_value && value == c->target)) start_animation(c, value);
    return WB_MSG_CHANGED;
}

/* Returns 1 on every tick that moved the value, including the one that lands it on the
 * target, so the final value is always drawn; 0 once it rests. */
static int counter_tick(void *self, uint64_t now_ms)
{
    counter *c = self;
    if (!c->animating) return 0;
    c->shown = value_at(c, now_ms);
    if (now_ms >= c->anim_start_ms + (uint64_t)c->animate_ms) {
        c->shown = c->target;
        c->animating = 0;
    }
    return 1;
}

/* ---- LED text ----------------------------------------------------------------------------- */

/* Digit positions a text takes on a seven-segment display: '.' and ':' share a digit's. */
static int led_positions(const char *text)
{
    int n = 0;
    for (; *text; text++)
        if (isdigit((unsigned char)*text) || *text == '-' || *text == ' ') n++;
    return n;
}

/* Formats with the host, and says whether it fits `digits` positions without looking wrong:
 * a compact form must not read "0.3k". */
static int format_fits(const counter *c, double value, int decimals, int compact, char *buf)
{
    int needed = c->svc->format_number(value, decimals, NULL, buf, LED_TEXT_SIZE);
    if (needed < 0 || needed >= LED_TEXT_SIZE) return 0;
    if (compact) {
        const char *digits = buf[0] == '-' ? buf + 1 : buf;
        if (digits[0] == '0') return 0;
    }
    return led_positions(buf) <= c->digits;
}

static void dashes(const counter *c, char *buf)
{
    memset(buf, '-', (size_t)c->digits);
    buf[c->digits] = '\0';
}

/* The LED text for `value` in at most `digits` positions, into buf (LED_TEXT_SIZE bytes).
 * Fewer decimals first, then a scale ("1234.6" with "k" by the unit: the LED has no letters),
 * and dashes if nothing fits: a number is never cut into a wrong-looking one. Returns the
 * scale: "", "k", "M", "G" or "T" (static strings). */
static const char *led_text(const counter *c, double value, char *buf)
{
    static const struct {
        double divisor;
        const char *suffix;
    } scales[] = {{1e3, "k"}, {1e6, "M"}, {1e9, "G"}, {1e12, "T"}};

    for (int d = c->decimals; d >= 0; d--)
        if (format_fits(c, value, d, 0, buf)) return "";
    for (size_t i = 0; i < sizeof scales / sizeof scales[0]; i++)
        for (int d = 1; d >= 0; d--)
            if (format_fits(c, value / scales[i].divisor, d, 1, buf)) return scales[i].suffix;
    dashes(c, buf);
    return "";
}

/* What the LED shows now: the (animated) value, or dashes before the first one. */
static void update_shown_text(counter *c)
{
    if (c->has_value) {
        c->shown_scale = led_text(c, c->shown, c->shown_text);
    } else {
        dashes(c, c->shown_text);
        c->shown_scale = "";
    }
}

/* Positions to size the LED for: the longest of where the animation started, where it ends
 * and where it is, so the digits keep one size through a whole count-up. */
static int sizing_positions(const counter *c)
{
    int positions = led_positions(c->shown_text);
    if (!c->has_value) return positions;
    char buf[LED_TEXT_SIZE];
    led_text(c, c->target, buf);
    if (led_positions(buf) > positions) positions = led_positions(buf);
    if (c->animating) {
        led_text(c, c->anim_from, buf);
        if (led_positions(buf) > positions) positions = led_positions(buf);
    }
    return positions;
}

/* The small text by the number: scale and unit. "kW", "MB", but "k requests", "k ¥". */
static void compose_unit_text(const counter *c, char *buf, size_t size)
{
    const char *unit = c->unit ? c->unit : "";
    const char *scale = c->shown_scale;
    int glue = strlen(unit) <= 3;
    for (const char *p = unit; *p && glue; p++) glue = isalpha((unsigned char)*p);
    const char *sep = (*scale && *unit && !glue) ? " " : "";
    snprintf(buf, size, "%s%s%s", scale, sep, unit);
}

/* ---- layout ------------------------------------------------------------------------------- */

typedef struct counter_layout {
    wb_rect title, led, unit, sparkline; /* zero width or height: not drawn */
    int title_lines;                     /* 2: title_first/title_second, one per half */
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

/* LED width per pixel of height for `positions` digits, measured with the host's LED font;
 * 0 if it cannot be measured (then the LED simply gets its whole box). */
static double led_aspect(const counter *c, int positions, int box_h)
{
    char ghost[MAX_DIGITS + 1];
    if (positions < 1) positions = 1;
    if (positions > MAX_DIGITS) positions = MAX_DIGITS;
    memset(ghost, '8', (size_t)positions);
    ghost[positions] = '\0';
    /* measure near the size it will be drawn at: hinting makes small sizes less proportional */
    int px = box_h < LED_MEASURE_MAX_PX ? box_h : LED_MEASURE_MAX_PX;
    int w = 0, h = 0;
    if (px < 1 || c->svc->measure_text(c->host, WB_FONT_LED, px, ghost, &w, &h) != 0 || w <= 0)
        return 0.0;
    return (double)w / px;
}

/* The height at which `positions` LED digits fit box_w: draw_led then fits by height and
 * reports no overflow, and the digits keep their size while the value changes length. */
static int fitted_led_height(const counter *c, int positions, int box_w, int box_h)
{
    if (box_w <= 0 || box_h <= 0) return 0;
    double aspect = led_aspect(c, positions, box_h);
    if (aspect <= 0.0 || aspect * box_h <= box_w) return box_h;
    int h = (int)floor(box_w / aspect * LED_FIT_MARGIN);
    return h < 1 ? 1 : h;
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
    int spark_h = c->ring_capacity > 0 ? scaled(r.h, SPARKLINE_FRACTION) : 0;
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
    int title_h = c->title ? scaled(shorter, TITLE_FRACTION) : 0;
    if (title_h && c->title_first && !title_fits_one_line(c, r.w - 2 * pad, title_h)) {
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
    if (!c->has_value || !c->has_thresholds) return WB_LEVEL_NORMAL;
    return c->svc->threshold_level(c->target, &c->thresholds);
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
    if (!is_visible(box) || c->ring_count < 2) return;
    int oldest = (c->ring_head - c->ring_count + c->ring_capacity) % c->ring_capacity;
    for (int i = 0; i < c->ring_count; i++)
        c->ring_ordered[i] = c->ring[(oldest + i) % c->ring_capacity];
    wb_color color = level != WB_LEVEL_NORMAL ? c->svc->level_color(c->host, level)
                                              : c->svc->color(c->host, WB_COLOR_ACCENT);
    c->svc->draw_sparkline(c->host, box, c->ring_ordered, c->ring_count, color);
}

static void draw_title(counter *c, counter_layout l)
{
    const wb_host_services *s = c->svc;
    wb_color color = s->color(c->host, WB_COLOR_TEXT);
    if (!is_visible(l.title)) return;
    if (l.title_lines == 1) {
        note_overflow(c, s->draw_text(c->host, WB_FONT_LABEL, 0, c->title, l.title, WB_ALIGN_LEFT,
                                      color));
        return;
    }
    wb_rect first = {l.title.x, l.title.y, l.title.w, l.title.h / 2};
    wb_rect second = {l.title.x, l.title.y + first.h, l.title.w, l.title.h - first.h};
    note_overflow(c, s->draw_text(c->host, WB_FONT_LABEL, 0, c->title_first, first, WB_ALIGN_LEFT,
                                  color));
    note_overflow(c, s->draw_text(c->host, WB_FONT_LABEL, 0, c->title_second, second,
                                  WB_ALIGN_LEFT, color));
}

static void counter_render(void *self, wb_rect rect)
{
    counter *c = self;
    const wb_host_services *s = c->svc;
    c->overflow = 0;
    update_shown_text(c);

    char unit_text[UNIT_TEXT_SIZE];
    compose_unit_text(c, unit_text, sizeof unit_text);
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

/* Integral values as JSON integers, so a feed's 42 reads back as 42, not 42.0. */
static json_t *number_json(double value)
{
    if (value == floor(value) && fabs(value) <= MAX_ABS_VALUE) return json_integer((json_int_t)value);
    return json_real(value);
}

/* An absent unit or title reads "" (as docs/state.md shows), so readers need no null case. */
static json_t *string_or_empty(const char *s)
{
    return json_string(s ? s : "");
}

static const char *level_name(wb_level level)
{
    switch (level) {
    case WB_LEVEL_WARN: return "warn";
    case WB_LEVEL_ALARM: return "alarm";
    default: return "normal";
    }
}

static int counter_report(void *self, struct json_t *out)
{
    counter *c = self;
    int rc = 0;
    rc |= json_object_set_new(out, "value", c->has_value ? number_json(c->target) : json_null());
    rc |= json_object_set_new(out, "shown", json_string(c->shown_text));
    rc |= json_object_set_new(out, "scale", json_string(c->shown_scale));
    rc |= json_object_set_new(out, "unit", string_or_empty(c->unit));
    rc |= json_object_set_new(out, "title", string_or_empty(c->title));
    rc |= json_object_set_new(out, "level", json_string(level_name(current_level(c))));
    rc |= json_object_set_new(out, "samples", json_integer(c->ring_count));
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
