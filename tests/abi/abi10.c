/* abi10.c: a plugin built only against the frozen ABI 1.0 header (tests/abi/include-1.0), calling
 * every 1.0 service, to prove a 1.0 plugin loads, draws and reports on today's host. Never ship it. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <wallboard/plugin.h>

#if WB_ABI_MAJOR != 1 || WB_ABI_MINOR != 0
#error "abi10 must be built against tests/abi/include-1.0 (ABI 1.0), not include/"
#endif

#define HISTORY 16

typedef struct abi10 {
    const wb_host_services *svc; /* borrowed until destroy */
    wb_host *host;
    char *pointer;               /* option "value": where the number is */
    int decimals;                /* option "decimals" */
    wb_thresholds thresholds;    /* option "thresholds": {"warn", "alarm"} */
    char title[128];

    int has_value;
    double value;
    int accepted;
    double history[HISTORY];
    int history_count;
    wb_feed_state feed_state;

    /* what the services answered, for report() */
    int rendered;
    int font_ok, renderer_ok, measured_ok, clock_ok, frame_at_ok;
    char shown[64];
} abi10;

static void abi10_destroy(void *self)
{
    abi10 *a = self;
    if (!a) return;
    free(a->pointer);
    free(a);
}

/* A number option, or NAN when absent; -1 when present but not a number. */
static int number_option(const json_t *object, const char *key, double *out)
{
    const json_t *v = json_object_get(object, key);
    *out = NAN;
    if (!v) return 0;
    if (!json_is_number(v)) return -1;
    *out = json_number_value(v);
    return 0;
}

static void *abi10_create(const wb_tile_info *tile, char *err, size_t err_size)
{
    /* A 1.0 plugin on a newer host: the host's tables are at least as large as 1.0's. */
    if (tile->size < sizeof(wb_tile_info) || tile->services->size < sizeof(wb_host_services) ||
        tile->services->abi_major != WB_ABI_MAJOR) {
        snprintf(err, err_size, "abi10: host tables smaller than ABI 1.0's");
        return NULL;
    }
    abi10 *a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(err, err_size, "abi10: out of memory");
        return NULL;
    }
    a->svc = tile->services;
    a->host = tile->host;
    a->feed_state = WB_FEED_CONNECTING;
    snprintf(a->title, sizeof a->title, "%s", tile->title ? tile->title : tile->id);

    const json_t *value = json_object_get(tile->options, "value");
    const json_t *decimals = json_object_get(tile->options, "decimals");
    const json_t *thresholds = json_object_get(tile->options, "thresholds");
    a->pointer = strdup(json_is_string(value) ? json_string_value(value) : "/value");
    a->decimals = json_is_integer(decimals) ? (int)json_integer_value(decimals) : 0;
    if (!a->pointer || a->decimals < 0 || a->decimals > 6 ||
        number_option(thresholds, "warn", &a->thresholds.warn) != 0 ||
        number_option(thresholds, "alarm", &a->thresholds.alarm) != 0) {
        snprintf(err, err_size, "abi10: options: \"value\" a JSON pointer, \"decimals\" 0..6, "
                                "\"thresholds\" numbers");
        abi10_destroy(a);
        return NULL;
    }
    a->svc->log(a->host, WB_LOG_INFO, "abi10 created for tile %s (host ABI %u.%u)", tile->id,
                (unsigned)a->svc->abi_major, (unsigned)a->svc->abi_minor);
    return a;
}

static int abi10_on_message(void *self, const struct json_t *message)
{
    abi10 *a = self;
    const json_t *v = a->svc->json_pointer(message, a->pointer);
    if (!v) return WB_MSG_IGNORED;
    if (!json_is_number(v)) return WB_MSG_INVALID;
    a->value = json_number_value(v);
    a->has_value = 1;
    a->accepted++;
    if (a->history_count == HISTORY) {
        memmove(a->history, a->history + 1, (HISTORY - 1) * sizeof a->history[0]);
        a->history_count--;
    }
    a->history[a->history_count++] = a->value;
    a->svc->request_frame(a->host); /* not needed after WB_MSG_CHANGED, but a 1.0 service */
    return WB_MSG_CHANGED;
}

static void abi10_on_feed_state(void *self, wb_feed_state state)
{
    ((abi10 *)self)->feed_state = state;
}

static wb_level level_of(const abi10 *a)
{
    return a->has_value ? a->svc->threshold_level(a->value, &a->thresholds) : WB_LEVEL_NORMAL;
}

/* A green band on top (title on it), the LED number in the level's colour, a bar and a
 * sparkline along the bottom. */
static void abi10_render(void *self, wb_rect r)
{
    abi10 *a = self;
    const wb_host_services *s = a->svc;
    wb_level level = level_of(a);
    int band = r.h / 5;

    a->renderer_ok = s->renderer(a->host) != NULL;
    a->font_ok = s->font(a->host, WB_FONT_LABEL, 24) != NULL;
    uint64_t now = s->now_ms(a->host);
    a->clock_ok = now > 0;

    s->fill_rect(a->host, (wb_rect){r.x, r.y, r.w, band}, s->color(a->host, WB_COLOR_OK));
    s->draw_text(a->host, WB_FONT_LABEL_BOLD, 0, a->title, (wb_rect){r.x + 8, r.y, r.w - 16, band},
                 WB_ALIGN_LEFT, s->color(a->host, WB_COLOR_TILE_BG));

    if (a->has_value)
        s->format_number(a->value, a->decimals, ",", a->shown, sizeof a->shown);
    else
        snprintf(a->shown, sizeof a->shown, "----");
    /* DSEG7 has no ','; the LED shows the digits, the report the grouped text. */
    char led[64];
    size_t n = 0;
    for (const char *p = a->shown; *p && n + 1 < sizeof led; p++)
        if (*p != ',') led[n++] = *p;
    led[n] = '\0';
    wb_rect led_box = {r.x + 8, r.y + band + 8, r.w - 16, r.h * 3 / 5 - 16};
    wb_color led_color = level == WB_LEVEL_NORMAL ? s->color(a->host, WB_COLOR_LED)
                                                  : s->level_color(a->host, level);
    s->draw_led(a->host, led, led_box, WB_ALIGN_CENTER, led_color, 1);
    int width = 0, height = 0;
    a->measured_ok = s->measure_text(a->host, WB_FONT_LED, 40, led, &width, &height) == 0 &&
                     width > 0 && height > 0;

    int bottom = r.y + band + r.h * 3 / 5;
    double fraction = isnan(a->thresholds.alarm) || !a->has_value ? 0 : a->value / a->thresholds.alarm;
    s->draw_bar(a->host, (wb_rect){r.x + 8, bottom, r.w - 16, r.h / 20 + 1}, fraction,
                s->color(a->host, WB_COLOR_ACCENT));
    s->draw_sparkline(a->host, (wb_rect){r.x + 8, bottom + r.h / 20 + 4, r.w - 16, r.h / 10},
                      a->history, a->history_count, s->color(a->host, WB_COLOR_ACCENT));
    /* A frame in a minute: harmless, and a 1.0 service like the others. */
    s->request_frame_at(a->host, now + 60000);
    a->frame_at_ok = 1;
    a->rendered = 1;
}

static int abi10_tick(void *self, uint64_t now_ms)
{
    (void)self;
    (void)now_ms;
    return 0; /* nothing moves */
}

static const char *level_name(wb_level level)
{
    return level == WB_LEVEL_ALARM ? "alarm" : level == WB_LEVEL_WARN ? "warn" : "normal";
}

static const char *feed_state_name(wb_feed_state state)
{
    static const char *const names[] = {"connecting", "live", "stale", "down"};
    return (unsigned)state < 4 ? names[state] : "?";
}

static int abi10_report(void *self, struct json_t *out)
{
    abi10 *a = self;
    char host_abi[32];
    snprintf(host_abi, sizeof host_abi, "%u.%u", (unsigned)a->svc->abi_major,
             (unsigned)a->svc->abi_minor);
    int rc = 0;
    rc |= json_object_set_new(out, "value", a->has_value ? json_real(a->value) : json_null());
    rc |= json_object_set_new(out, "shown", json_string(a->shown));
    rc |= json_object_set_new(out, "level", json_string(level_name(level_of(a))));
    rc |= json_object_set_new(out, "accepted", json_integer(a->accepted));
    rc |= json_object_set_new(out, "history", json_integer(a->history_count));
    rc |= json_object_set_new(out, "feed_state", json_string(feed_state_name(a->feed_state)));
    rc |= json_object_set_new(out, "built_abi", json_string("1.0"));
    rc |= json_object_set_new(out, "host_abi", json_string(host_abi));
    rc |= json_object_set_new(out, "descriptor_size", json_integer(sizeof(wb_plugin_descriptor)));
    rc |= json_object_set_new(out, "services", json_pack("{s:b, s:b, s:b, s:b, s:b, s:b}",
                                                         "rendered", a->rendered,
                                                         "font", a->font_ok,
                                                         "renderer", a->renderer_ok,
                                                         "measure_text", a->measured_ok,
                                                         "now_ms", a->clock_ok,
                                                         "request_frame_at", a->frame_at_ok));
    return rc ? -1 : 0;
}

static const wb_plugin_descriptor abi10_descriptor = {
    WB_PLUGIN_DESCRIPTOR_INIT_HEADER,
    .name = "abi10",
    .version = "1.0.0",
    .description = "a plugin built against the frozen ABI 1.0 header (tests/abi)",
    .create = abi10_create,
    .destroy = abi10_destroy,
    .on_message = abi10_on_message,
    .on_feed_state = abi10_on_feed_state,
    .render = abi10_render,
    .tick = abi10_tick,
    .report = abi10_report,
};

WB_PLUGIN_EXPORT const wb_plugin_descriptor *wallboard_plugin_entry(void)
{
    return &abi10_descriptor;
}
