/* clock.c: the wall's title and clock tile: the hall's title, a big LED clock of local time at a
 * fixed UTC offset, and the date in Korean, Chinese and English. It is feedless.
 * It must never keep the wall awake: it asks for one frame at the next second, and has no tick. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <wallboard/plugin.h>

#include "clock_calendar.h"
#include "wbkit.h"

#define CLOCK_VERSION "1.0.0"

/* Options (see README.md). UTC-12:00 .. UTC+14:00 are the offsets in use on Earth. */
#define DEFAULT_OFFSET_MINUTES 480 /* China Standard Time, the Guizhou hall's */
#define MIN_OFFSET_MINUTES (-720)
#define MAX_OFFSET_MINUTES 840
#define MAX_FIXED_EPOCH_S INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

/* Layout, as fractions of the tile so any tile size gets the same look. */
#define PAD_FRACTION 0.04
#define TITLE_FRACTION 0.15        /* of the shorter side, like the other tiles' titles */
#define DATE_FRACTION 0.26         /* of the height under the title, at most, for the date */
#define DATE_MAX_OF_LED 0.30       /* the date's letters at most this much of the digits' height */
#define DATE_GAP_OF_LED 0.10       /* between the digits and the date */
#define LINE_HEIGHT_PERCENT 125    /* a date line's box for its pixel size: draw_text's 80 % */
#define MIN_DATE_PX 8              /* below this the date is left out rather than unreadable */

/* The frame for the next second is asked for this long after it starts, so that the render
 * already reads the new second even if the two clocks disagree by a millisecond. */
#define FRAME_SLACK_MS 3

#define TIME_TEXT_SIZE 16
#define DATE_TEXT_SIZE 96
#define DATE_LINE_SIZE (CLOCK_LANG_COUNT * (DATE_TEXT_SIZE + 8))
#define DATE_SEPARATOR " \xc2\xb7 " /* " · ", as between the parts of a trilingual title */

/* The date's lines as laid out for one tile size and one day. */
typedef struct date_layout {
    int lines;   /* 0: no date */
    int px;      /* pixel size of every line; 0 = let draw_text fit the box */
    int line_h;  /* height of one line's box */
    char text[CLOCK_LANG_COUNT][DATE_LINE_SIZE];
} date_layout;

typedef struct clock_layout {
    wb_rect title, led, date; /* zero width or height: not drawn */
    int title_lines;
    date_layout dates;
} clock_layout;

typedef struct clock_tile {
    const wb_host_services *svc; /* borrowed from the host until destroy */
    wb_host *host;

    /* options */
    wbkit_title title;
    int offset_minutes;
    int show_seconds;
    clock_lang langs[CLOCK_LANG_COUNT];
    int lang_count;
    int has_color;
    wb_color color;
    int frozen;          /* fixed_epoch_s given: the clock shows that instant, always */
    int64_t fixed_epoch_s;
    int can_wake;        /* the host has request_frame_at */

    /* what the last render showed (or would show, before the first), for report() */
    clock_civil shown;
    char time_text[TIME_TEXT_SIZE];
    char date_text[CLOCK_LANG_COUNT][DATE_TEXT_SIZE];
    int date_lines;
    int64_t next_frame_ms; /* how long after the last render its next frame was asked for; -1 */
    int overflow;

    /* the layout depends only on the tile's rectangle and the day: kept between seconds */
    int layout_valid;
    wb_rect layout_rect;
    int64_t layout_day;
    clock_layout layout;
} clock_tile;

/* ---- options ------------------------------------------------------------------------------ */

static void warn_unknown_options(clock_tile *c, const json_t *options)
{
    static const char *const option_names[] = {"utc_offset_minutes", "seconds", "date",
                                               "color", "fixed_epoch_s", NULL};
    wbkit_warn_unknown_keys(c->svc, c->host, "clock", options, option_names, "option");
}

/* "date": the languages of the date line in their order, each once; [] for no date. */
static int read_date_languages(clock_tile *c, const json_t *options, char *err, size_t err_size)
{
    static const char what[] = "an array of \"ko\", \"zh\" and \"en\", each at most once";
    const json_t *v = json_object_get(options, "date");
    if (!v) return 0;
    if (!json_is_array(v) || json_array_size(v) > CLOCK_LANG_COUNT)
        return wbkit_option_error(err, err_size, "date", what);
    int seen[CLOCK_LANG_COUNT] = {0};
    c->lang_count = 0;
    size_t i;
    const json_t *item;
    json_array_foreach(v, i, item) {
        int lang = json_is_string(item) ? clock_lang_from_code(json_string_value(item)) : -1;
        if (lang < 0 || seen[lang]++) return wbkit_option_error(err, err_size, "date", what);
        c->langs[c->lang_count++] = (clock_lang)lang;
    }
    return 1;
}

/* "fixed_epoch_s": an instant to show instead of now, for screenshots and tests. */
static int read_fixed_epoch(clock_tile *c, const json_t *options, char *err, size_t err_size)
{
    const json_t *v = json_object_get(options, "fixed_epoch_s");
    if (!v) return 0;
    json_int_t s = json_is_integer(v) ? json_integer_value(v) : -1;
    if (s < 0 || s > MAX_FIXED_EPOCH_S)
        return wbkit_option_error(err, err_size, "fixed_epoch_s",
                                  "an integer 0..253402300799 (seconds since 1970 UTC)");
    c->frozen = 1;
    c->fixed_epoch_s = s;
    return 1;
}

static int read_options(clock_tile *c, const json_t *options, char *err, size_t err_size)
{
    if (!json_is_object(options)) {
        snprintf(err, err_size, "options must be an object");
        return -1;
    }
    if (wbkit_read_int(options, "utc_offset_minutes", MIN_OFFSET_MINUTES, MAX_OFFSET_MINUTES,
                       &c->offset_minutes, err, err_size) < 0)
        return -1;
    if (wbkit_read_bool(options, "seconds", &c->show_seconds, err, err_size) < 0) return -1;
    if (read_date_languages(c, options, err, err_size) < 0) return -1;
    c->has_color = wbkit_read_color(options, "color", &c->color, err, err_size);
    if (c->has_color < 0) return -1;
    if (read_fixed_epoch(c, options, err, err_size) < 0) return -1;
    warn_unknown_options(c, options);
    return 0;
}

/* ---- time --------------------------------------------------------------------------------- */

/* Milliseconds since 1970 UTC: the fixed instant, or the system's real-time clock. */
static int64_t epoch_ms_now(const clock_tile *c)
{
    if (c->frozen) return c->fixed_epoch_s * 1000;
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The texts for the second that contains epoch_ms. */
static void update_shown(clock_tile *c, int64_t epoch_ms)
{
    int64_t s = epoch_ms / 1000 - (epoch_ms % 1000 < 0);
    clock_civil_from_epoch(s, c->offset_minutes, &c->shown);
    clock_time_text(&c->shown, c->show_seconds, c->time_text, sizeof c->time_text);
    for (int i = 0; i < c->lang_count; i++)
        clock_date_text(&c->shown, c->langs[i], c->date_text[i], sizeof c->date_text[i]);
}

/* Asks for one frame just after the displayed second (or minute) ends. The offset is whole
 * minutes, so local and UTC seconds and minutes turn together. */
static void schedule_next_frame(clock_tile *c, int64_t epoch_ms)
{
    c->next_frame_ms = -1;
    if (c->frozen || !c->can_wake) return;
    int64_t period = c->show_seconds ? 1000 : 60000;
    int64_t into = epoch_ms % period;
    if (into < 0) into += period;
    c->next_frame_ms = period - into + FRAME_SLACK_MS;
    c->svc->request_frame_at(c->host, c->svc->now_ms(c->host) + (uint64_t)c->next_frame_ms);
}

/* ---- life cycle --------------------------------------------------------------------------- */

static void clock_destroy(void *self)
{
    clock_tile *c = self;
    if (!c) return;
    wbkit_title_free(&c->title);
    free(c);
}

/* request_frame_at came last: a host without it still shows the clock, but only moves it when
 * something else redraws the tile. */
static int services_can_wake(const wb_host_services *s)
{
    size_t needed = offsetof(wb_host_services, request_frame_at) + sizeof s->request_frame_at;
    return s->size >= needed && s->request_frame_at != NULL;
}

static void set_defaults(clock_tile *c)
{
    static const clock_lang default_langs[] = {CLOCK_LANG_KO, CLOCK_LANG_ZH, CLOCK_LANG_EN};
    c->offset_minutes = DEFAULT_OFFSET_MINUTES;
    c->show_seconds = 1;
    memcpy(c->langs, default_langs, sizeof default_langs);
    c->lang_count = CLOCK_LANG_COUNT;
    c->next_frame_ms = -1;
}

static void *clock_create(const wb_tile_info *tile, char *err, size_t err_size)
{
    /* every service drawn on exists since 1.0; request_frame_at is checked on its own */
    if (wbkit_check_services(tile, "clock", err, err_size) != 0) return NULL;
    clock_tile *c = calloc(1, sizeof *c);
    if (!c) goto out_of_memory;
    c->svc = tile->services;
    c->host = tile->host;
    set_defaults(c);
    if (wbkit_title_init(&c->title, tile->title) != 0) goto out_of_memory;
    if (read_options(c, tile->options, err, err_size) != 0) goto fail;

    c->can_wake = services_can_wake(c->svc);
    if (!c->can_wake && !c->frozen)
        c->svc->log(c->host, WB_LOG_WARN,
                    "clock: the host cannot schedule frames; the time moves only on redraws");
    update_shown(c, epoch_ms_now(c)); /* so a report before the first render reads right */
    return c; /* owned by the host until clock_destroy */

out_of_memory:
    snprintf(err, err_size, "clock: out of memory");
fail:
    clock_destroy(c);
    return NULL;
}

/* Feedless: a feed wired to it by mistake changes nothing. */
static int clock_on_message(void *self, const struct json_t *message)
{
    (void)self;
    (void)message;
    return WB_MSG_IGNORED;
}

/* ---- layout: the digits ------------------------------------------------------------------- */

static int scaled(int length, double fraction)
{
    return (int)lround(length * fraction);
}

static int is_visible(wb_rect r)
{
    return r.w > 0 && r.h > 0;
}

/* The unlit form of the LED text, every digit an 8: its width does not change with the time. */
static void ghost_text(const clock_tile *c, char *buf, size_t size)
{
    snprintf(buf, size, "%s", c->show_seconds ? "88:88:88" : "88:88");
}

/* The height at which the clock's digits fit box_w x box_h by height alone, so draw_led reports
 * no overflow; box_h if the font cannot be measured. */
static int led_height(const clock_tile *c, int box_w, int box_h)
{
    char ghost[TIME_TEXT_SIZE];
    ghost_text(c, ghost, sizeof ghost);
    return wbkit_led_fit_height(c->svc, c->host, ghost, box_w, box_h);
}

/* ---- layout: the date --------------------------------------------------------------------- */

/* Parts first..last-1 of the date joined with " · " into buf. */
static void join_parts(const clock_tile *c, int first, int last, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = first; i < last && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s", i > first ? DATE_SEPARATOR : "",
                                c->date_text[i]);
}

/* The largest pixel size <= px_max at which every line fits `width`; 0 if none from
 * MIN_DATE_PX up, -1 if the text cannot be measured. */
static int fit_lines_px(const clock_tile *c, const date_layout *d, int width, int px_max)
{
    int px = px_max;
    for (int pass = 0; pass < 4 && px >= MIN_DATE_PX; pass++) {
        int widest = 0, w, h;
        for (int i = 0; i < d->lines; i++) {
            if (c->svc->measure_text(c->host, WB_FONT_LABEL, px, d->text[i], &w, &h) != 0)
                return -1;
            if (w > widest) widest = w;
        }
        if (widest <= width) return px;
        /* width is nearly proportional to size; hinting may need another step down */
        int next = (int)((long long)px * width / widest);
        px = next < px ? next : px - 1;
    }
    return 0;
}

/* The date's parts on `lines` lines (1, 2 or one a line), breaking after part `split` when
 * there are two lines. */
static void group_date(const clock_tile *c, int lines, int split, date_layout *d)
{
    d->lines = lines;
    if (lines == 1) {
        join_parts(c, 0, c->lang_count, d->text[0], sizeof d->text[0]);
    } else if (lines == 2) {
        join_parts(c, 0, split, d->text[0], sizeof d->text[0]);
        join_parts(c, split, c->lang_count, d->text[1], sizeof d->text[1]);
    } else {
        for (int i = 0; i < lines; i++) join_parts(c, i, i + 1, d->text[i], sizeof d->text[i]);
    }
}

/* The grouping of the date into lines that gives the largest letters in box_w x box_h, no
 * larger than px_cap. Fewer lines win a tie. No date when even the best is under MIN_DATE_PX. */
static date_layout layout_date(const clock_tile *c, int box_w, int box_h, int px_cap)
{
    date_layout best = {0};
    int n = c->lang_count;
    for (int lines = 1; lines <= n; lines++) {
        int px_max = box_h * 100 / LINE_HEIGHT_PERCENT / lines;
        if (px_max > px_cap) px_max = px_cap;
        for (int split = 1; split < (lines == 2 ? n : 2); split++) {
            date_layout d = {0};
            group_date(c, lines, split, &d);
            d.px = fit_lines_px(c, &d, box_w, px_max);
            if (d.px < 0) { /* cannot measure: one language a line, sized by the box */
                group_date(c, n, 1, &d);
                d.px = 0;
                d.line_h = box_h / n;
                return d;
            }
            if (d.px >= MIN_DATE_PX && d.px > best.px) best = d;
        }
    }
    best.line_h = best.lines ? best.px * LINE_HEIGHT_PERCENT / 100 : 0;
    return best;
}

/* ---- layout: the tile --------------------------------------------------------------------- */

/* The digits and the date under them, the pair centred in `area`. The date gets a band of
 * DATE_FRACTION, and all the height the digits leave when the width limits them (narrow
 * tiles), so it can take more lines there instead of smaller letters. */
static void layout_clock_face(const clock_tile *c, wb_rect area, clock_layout *l)
{
    int date_max = c->lang_count ? scaled(area.h, DATE_FRACTION) : 0;
    int led_h = led_height(c, area.w, area.h - date_max);
    int gap = scaled(led_h, DATE_GAP_OF_LED);
    int date_box = c->lang_count ? area.h - led_h - gap : 0;
    l->dates = (date_layout){0};
    if (date_box > 0)
        l->dates = layout_date(c, area.w, date_box, scaled(led_h, DATE_MAX_OF_LED));
    int date_h = l->dates.lines * l->dates.line_h;
    if (!date_h) gap = 0;
    int y = area.y + (area.h - led_h - gap - date_h) / 2;
    l->led = (wb_rect){area.x, y, area.w, led_h};
    l->date = (wb_rect){area.x, y + led_h + gap, area.w, date_h};
}

/* The widest line of the title drawn `lines` high in a box `box_h` high, as wbkit_title_draw
 * draws it (each line's letters 80 % of its half or whole box); -1 if it cannot be measured. */
static int title_width(const clock_tile *c, int lines, int box_h)
{
    const char *text[2] = {c->title.text, NULL};
    if (lines == 2) {
        text[0] = c->title.first;
        text[1] = c->title.second;
    }
    int px = (lines == 2 ? box_h / 2 : box_h) * 8 / 10, widest = 0, w, h;
    for (int i = 0; i < 2 && text[i] && px >= 1; i++) {
        if (c->svc->measure_text(c->host, WB_FONT_LABEL, px, text[i], &w, &h) != 0) return -1;
        if (w > widest) widest = w;
    }
    return widest;
}

/* The title box's height, lowered from box_h until its lines fit `width` at full size: a
 * long hall title in a small tile gets smaller letters instead of being squeezed or cut. */
static int fit_title_height(const clock_tile *c, int lines, int width, int box_h)
{
    for (int pass = 0; pass < 4 && box_h > 0; pass++) {
        int widest = title_width(c, lines, box_h);
        if (widest <= width) return box_h; /* fits, or cannot be measured: keep the box */
        int next = (int)((long long)box_h * width / widest);
        box_h = next < box_h ? next : box_h - 1;
    }
    return box_h > 0 ? box_h : 0;
}

/* Everything from the rectangle alone: the title at the top (two lines when narrow), then the
 * clock face in what is left, with padding proportional to the tile. */
static clock_layout compute_layout(const clock_tile *c, wb_rect r)
{
    clock_layout l = {0};
    int shorter = r.w < r.h ? r.w : r.h;
    int pad = shorter > 0 ? scaled(shorter, PAD_FRACTION) : 0;
    wb_rect inner = {r.x + pad, r.y + pad, r.w - 2 * pad, r.h - 2 * pad};
    if (inner.w <= 0 || inner.h <= 0) return l;

    int title_h = c->title.text ? scaled(shorter, TITLE_FRACTION) : 0;
    if (title_h * 8 / 10 < 1) title_h = 0; /* no letters fit: measuring would ask for size 0 */
    l.title_lines = title_h ? wbkit_title_lines(c->svc, c->host, &c->title, inner.w, title_h) : 0;
    if (l.title_lines == 2) title_h = title_h * 3 / 2; /* two lines in one and a half */
    title_h = fit_title_height(c, l.title_lines, inner.w, title_h);
    l.title = (wb_rect){inner.x, inner.y, inner.w, title_h};

    int below = title_h ? title_h + pad : 0;
    wb_rect area = {inner.x, inner.y + below, inner.w, inner.h - below};
    if (area.h > 0) layout_clock_face(c, area, &l);
    return l;
}

/* The layout for this rectangle and the shown day, computed again only when either changed. */
static const clock_layout *current_layout(clock_tile *c, wb_rect r)
{
    if (!c->layout_valid || memcmp(&r, &c->layout_rect, sizeof r) != 0 ||
        c->layout_day != c->shown.day_number) {
        c->layout = compute_layout(c, r);
        c->layout_rect = r;
        c->layout_day = c->shown.day_number;
        c->layout_valid = 1;
    }
    return &c->layout;
}

/* ---- render ------------------------------------------------------------------------------- */

static void note_overflow(clock_tile *c, int draw_result)
{
    if (draw_result == 1) c->overflow = 1;
}

static wb_color led_color(const clock_tile *c)
{
    return c->has_color ? c->color : c->svc->color(c->host, WB_COLOR_LED);
}

static void draw_date(clock_tile *c, const clock_layout *l)
{
    const date_layout *d = &l->dates;
    wb_color color = c->svc->color(c->host, WB_COLOR_TEXT_DIM);
    for (int i = 0; i < d->lines; i++) {
        wb_rect line = {l->date.x, l->date.y + i * d->line_h, l->date.w, d->line_h};
        if (!is_visible(line)) continue;
        note_overflow(c, c->svc->draw_text(c->host, WB_FONT_LABEL, d->px, d->text[i], line,
                                           WB_ALIGN_CENTER, color));
    }
}

static void clock_render(void *self, wb_rect rect)
{
    clock_tile *c = self;
    const wb_host_services *s = c->svc;
    int64_t now = epoch_ms_now(c);
    c->overflow = 0;
    update_shown(c, now);
    const clock_layout *l = current_layout(c, rect);

    if (is_visible(l->title))
        note_overflow(c, wbkit_title_draw(s, c->host, &c->title, l->title, l->title_lines,
                                          s->color(c->host, WB_COLOR_TEXT)));
    if (is_visible(l->led))
        note_overflow(c, s->draw_led(c->host, c->time_text, l->led, WB_ALIGN_CENTER,
                                     led_color(c), 1));
    draw_date(c, l);
    c->date_lines = l->dates.lines;
    schedule_next_frame(c, now);
}

/* ---- report ------------------------------------------------------------------------------- */

static int clock_report(void *self, struct json_t *out)
{
    clock_tile *c = self;
    char iso[40], zone[16];
    clock_iso_text(&c->shown, c->offset_minutes, iso, sizeof iso);
    clock_offset_text(c->offset_minutes, zone, sizeof zone);
    json_t *date = json_array();
    json_t *languages = json_array();
    int rc = !date || !languages;
    for (int i = 0; !rc && i < c->lang_count; i++) {
        rc |= json_array_append_new(date, json_string(c->date_text[i]));
        rc |= json_array_append_new(languages, json_string(clock_lang_code(c->langs[i])));
    }
    rc |= json_object_set_new(out, "time", json_string(c->time_text));
    rc |= json_object_set_new(out, "date", date);
    rc |= json_object_set_new(out, "date_languages", languages);
    rc |= json_object_set_new(out, "date_lines", json_integer(c->date_lines));
    rc |= json_object_set_new(out, "local", json_string(iso));
    rc |= json_object_set_new(out, "zone", json_string(zone));
    rc |= json_object_set_new(out, "utc_offset_minutes", json_integer(c->offset_minutes));
    rc |= json_object_set_new(out, "frozen", json_boolean(c->frozen));
    rc |= json_object_set_new(out, "next_frame_ms", c->next_frame_ms >= 0
                                                        ? json_integer(c->next_frame_ms)
                                                        : json_null());
    rc |= json_object_set_new(out, "title", json_string(c->title.text ? c->title.text : ""));
    rc |= json_object_set_new(out, "overflow", json_boolean(c->overflow));
    return rc ? -1 : 0;
}

/* ---- entry -------------------------------------------------------------------------------- */

static const wb_plugin_descriptor clock_descriptor = {
    WB_PLUGIN_DESCRIPTOR_INIT_HEADER,
    .name = "clock",
    .version = CLOCK_VERSION,
    .description = "The hall's title, a big LED clock and the date in Korean, Chinese and "
                   "English",
    .create = clock_create,
    .destroy = clock_destroy,
    .on_message = clock_on_message,
    .render = clock_render,
    .report = clock_report,
};

WB_PLUGIN_EXPORT const wb_plugin_descriptor *wallboard_plugin_entry(void)
{
    return &clock_descriptor;
}
