/* services.c: the host services table plugins call, and a tile's frame: plugin render plus the
 * host's chrome (error tiles, dimmed stale/down content with its age). Never exits on a fault. */
#include "host.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "format.h"
#include "jsonptr.h"
#include "log.h"
#include "render.h"
#include "text.h"

static const wb_color palette[] = {
    [WB_COLOR_LED] = {0xff, 0x2a, 0x1f, 0xff},
    [WB_COLOR_LED_GHOST] = {0x36, 0x0b, 0x09, 0xff},
    [WB_COLOR_WARN] = {0xff, 0xb0, 0x00, 0xff},
    [WB_COLOR_ALARM] = {0xff, 0x10, 0x50, 0xff},
    [WB_COLOR_OK] = {0x30, 0xe0, 0x60, 0xff},
    [WB_COLOR_TEXT] = {0xe8, 0xea, 0xf0, 0xff},
    [WB_COLOR_TEXT_DIM] = {0x8a, 0x93, 0xa6, 0xff},
    [WB_COLOR_TILE_BG] = {0x10, 0x14, 0x1c, 0xff},
    [WB_COLOR_ACCENT] = {0x4a, 0xa3, 0xff, 0xff},
};
#define PALETTE_SIZE (sizeof palette / sizeof palette[0])

static const wb_color error_bg = {0x2a, 0x08, 0x0a, 0xff};
/* The rejected-config banner: a colour no tile uses, so an operator (and a test's pixel probe)
 * tells it from any tile at a glance. */
static const wb_color banner_bg = {0xc8, 0x1e, 0x1e, 0xff};
static const wb_color banner_fg = {0xff, 0xff, 0xff, 0xff};
static const wb_color shade = {0x00, 0x00, 0x00, 0x9c};
/* Opaque, so redrawing the badge alone (its age turns every second) needs nothing under it. */
static const wb_color badge_bg = {0x00, 0x00, 0x00, 0xff};

/* ---- what a tile painted (see paint_log in host.h) --------------------------------------- */

static int overlaps(wb_rect a, wb_rect b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

static int contains(wb_rect outer, wb_rect inner)
{
    return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w &&
           inner.y + inner.h <= outer.y + outer.h;
}

static wb_rect clip_to(wb_rect r, wb_rect clip)
{
    int x0 = r.x > clip.x ? r.x : clip.x, y0 = r.y > clip.y ? r.y : clip.y;
    int x1 = r.x + r.w < clip.x + clip.w ? r.x + r.w : clip.x + clip.w;
    int y1 = r.y + r.h < clip.y + clip.h ? r.y + r.h : clip.y + clip.h;
    return (wb_rect){x0, y0, x1 - x0, y1 - y0};
}

static void paint_note(wb_host *h, wb_rect rect, wb_color color, int solid)
{
    paint_log *p = &h->paint;
    if (p->count >= PAINT_OPS_MAX) {
        p->count = PAINT_OPS_MAX + 1;
        return;
    }
    p->rect[p->count] = rect;
    p->color[p->count] = color;
    p->solid[p->count] = (unsigned char)(solid && color.a == 0xff);
    p->count++;
}

/* The one opaque colour that fills all of `box` now, or NULL if that cannot be known. Only the
 * part inside the tile counts: the tile's clip keeps the rest from being drawn. */
static const wb_color *paint_under(const wb_host *h, wb_rect box)
{
    const paint_log *p = &h->paint;
    if (h->raw_renderer || p->count > PAINT_OPS_MAX) return NULL;
    box = clip_to(box, h->rect);
    if (box.w <= 0 || box.h <= 0) return NULL; /* nothing of it shows */
    for (int i = p->count - 1; i >= 0; i--) {
        if (!overlaps(p->rect[i], box)) continue;
        return p->solid[i] && contains(p->rect[i], box) ? &p->color[i] : NULL;
    }
    return &palette[WB_COLOR_TILE_BG]; /* render_begin_tile's fill */
}

/* text.c asks this, while the tile's plugin renders, before it covers a rect with text. */
static const wb_color *under_query(void *tile, wb_rect covered)
{
    return paint_under(tile, covered);
}

/* ---- plugins that misbehave without crashing ------------------------------------------------ */

/* The one wall the services serve: a handle a plugin passes is checked against its tiles. */
static wall *services_wall;

void services_fault(struct wb_host *t, const char *fmt, ...)
{
    char what[sizeof t->last_fault];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    t->faults++;
    snprintf(t->last_fault, sizeof t->last_fault, "%s", what);
    /* Its own key: a plugin's chatty log lines must not hide its faults, nor the reverse. */
    char key[160];
    snprintf(key, sizeof key, "fault:%s", t->cfg->id);
    log_limited(WB_LOG_WARN, t->cfg->id, key, "plugin %s fault: %s", t->cfg->plugin, what);
}

/* `h` if it is one of the wall's tiles; otherwise NULL, and the fault is counted on the tile
 * whose callback is running (the one that passed the bad handle), if any. */
static wb_host *checked(wb_host *h, const char *service)
{
    wall *w = services_wall;
    if (!w || !w->tiles) return NULL;
    struct wb_host *t = tiles_of_handle(w, h);
    if (t) return t;
    long slot = crash_current_slot();
    if (slot >= 0 && (size_t)slot < w->tile_count)
        services_fault(&w->tiles[slot], "%s called with %s host handle", service,
                       h ? "an invalid" : "a NULL");
    else
        log_limited(WB_LOG_WARN, NULL, "fault:host-handle",
                    "a plugin called %s with %s host handle outside its callbacks", service,
                    h ? "an invalid" : "a NULL");
    return NULL;
}

/* Drawing is only allowed inside render(): the clip is set then, and the frame is being drawn. */
static wb_host *drawing(wb_host *h, const char *service)
{
    if (!(h = checked(h, service))) return NULL;
    if (!h->in_render) {
        services_fault(h, "%s called outside render(): ignored", service);
        return NULL;
    }
    return h;
}

static void svc_log(wb_host *h, wb_log_level level, const char *fmt, ...)
{
    if (!(h = checked(h, "log"))) return;
    if (!fmt) {
        services_fault(h, "log called with a NULL format");
        return;
    }
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* Keyed per tile: one chatty tile cannot silence the others. */
    log_limited(level, h->cfg->id, h->cfg->id, "%s", line);
}

static uint64_t svc_now_ms(wb_host *h)
{
    (void)h; /* only a clock: a bad handle does no harm here */
    return clock_mono_ms();
}

static void svc_request_frame(wb_host *h)
{
    if (!(h = checked(h, "request_frame"))) return;
    h->dirty = 1;
}

static void svc_request_frame_at(wb_host *h, uint64_t mono_ms)
{
    if (!(h = checked(h, "request_frame_at"))) return;
    if (mono_ms == 0) mono_ms = 1; /* 0 means "none pending" */
    if (h->frame_at_mono_ms == 0 || mono_ms < h->frame_at_mono_ms) h->frame_at_mono_ms = mono_ms;
}

/* Only inside render(): the clip is set then, and the frame is being drawn. */
static struct SDL_Renderer *svc_renderer(wb_host *h)
{
    if (!(h = drawing(h, "renderer"))) return NULL;
    /* It may keep the pointer and draw in any later frame, from any of its tiles. */
    wall *w = h->wall;
    for (size_t i = 0; i < w->tile_count; i++)
        if (w->tiles[i].plugin == h->plugin) w->tiles[i].raw_renderer = 1;
    return render_renderer(w->render);
}

static void *svc_font(wb_host *h, wb_font_role role, int pixel_size)
{
    if (!(h = checked(h, "font"))) return NULL;
    if ((int)role < 0 || role > WB_FONT_LABEL_BOLD || pixel_size < 1 || pixel_size > 2000) {
        services_fault(h, "font called with role %d, size %d: no such font", (int)role,
                       pixel_size);
        return NULL;
    }
    return text_font(h->wall->text, role, pixel_size);
}

static wb_color svc_color(wb_host *h, wb_palette which)
{
    (void)h;
    if ((unsigned)which >= PALETTE_SIZE) return palette[WB_COLOR_TEXT];
    return palette[which];
}

static wb_level svc_threshold_level(double value, const wb_thresholds *t)
{
    if (!t || isnan(value)) return WB_LEVEL_NORMAL;
    if (t->below) {
        if (!isnan(t->alarm) && value <= t->alarm) return WB_LEVEL_ALARM;
        if (!isnan(t->warn) && value <= t->warn) return WB_LEVEL_WARN;
    } else {
        if (!isnan(t->alarm) && value >= t->alarm) return WB_LEVEL_ALARM;
        if (!isnan(t->warn) && value >= t->warn) return WB_LEVEL_WARN;
    }
    return WB_LEVEL_NORMAL;
}

static wb_color svc_level_color(wb_host *h, wb_level level)
{
    (void)h;
    switch (level) {
    case WB_LEVEL_WARN: return palette[WB_COLOR_WARN];
    case WB_LEVEL_ALARM: return palette[WB_COLOR_ALARM];
    default: return palette[WB_COLOR_LED];
    }
}

static void svc_fill_rect(wb_host *h, wb_rect rect, wb_color color)
{
    if (!(h = drawing(h, "fill_rect"))) return;
    draw_fill_rect(render_renderer(h->wall->render), rect, color);
    paint_note(h, rect, color, 1);
}

static int svc_draw_text(wb_host *h, wb_font_role role, int pixel_size, const char *utf8,
                         wb_rect box, wb_align align, wb_color color)
{
    if (!(h = drawing(h, "draw_text"))) return -1;
    if (!utf8) {
        services_fault(h, "draw_text called with NULL text");
        return -1;
    }
    if ((int)role < 0 || role > WB_FONT_LABEL_BOLD) {
        services_fault(h, "draw_text called with font role %d", (int)role);
        return -1;
    }
    int rc = text_draw(h->wall->text, role, pixel_size, utf8, box, align, color);
    paint_note(h, text_last_drawn(h->wall->text), color, 0);
    return rc;
}

static int svc_measure_text(wb_host *h, wb_font_role role, int pixel_size, const char *utf8,
                            int *width, int *height)
{
    if (!(h = checked(h, "measure_text"))) return -1;
    if (!utf8) {
        services_fault(h, "measure_text called with NULL text");
        return -1;
    }
    return text_measure(h->wall->text, role, pixel_size, utf8, width, height);
}

static int svc_draw_led(wb_host *h, const char *digits, wb_rect box, wb_align align,
                        wb_color color, int ghost)
{
    if (!(h = drawing(h, "draw_led"))) return -1;
    if (!digits) {
        services_fault(h, "draw_led called with NULL text");
        return -1;
    }
    int rc = text_draw_led(h->wall->text, digits, box, align, color, ghost,
                           palette[WB_COLOR_LED_GHOST]);
    paint_note(h, text_last_drawn(h->wall->text), color, 0);
    return rc;
}

static void svc_draw_bar(wb_host *h, wb_rect rect, double fraction, wb_color color)
{
    if (!(h = drawing(h, "draw_bar"))) return;
    draw_bar(render_renderer(h->wall->render), rect, fraction, color);
    paint_note(h, rect, color, 0);
}

static void svc_draw_sparkline(wb_host *h, wb_rect rect, const double *values, int count,
                               wb_color color)
{
    if (!(h = drawing(h, "draw_sparkline"))) return;
    if (!values && count > 0) {
        services_fault(h, "draw_sparkline called with NULL values and count %d", count);
        return;
    }
    if (count <= 0) return;
    draw_sparkline(render_renderer(h->wall->render), rect, values, count, color);
    paint_note(h, rect, color, 0); /* draw.c clips the line, miters included, to rect */
}

static const struct json_t *svc_json_pointer(const struct json_t *root, const char *pointer)
{
    return jsonptr_get(root, pointer);
}

void services_init(wall *w)
{
    wb_host_services *s = &w->services;
    services_wall = w;
    memset(s, 0, sizeof *s);
    s->size = sizeof *s;
    s->abi_major = WB_ABI_MAJOR;
    s->abi_minor = WB_ABI_MINOR;
    s->log = svc_log;
    s->now_ms = svc_now_ms;
    s->request_frame = svc_request_frame;
    s->renderer = svc_renderer;
    s->font = svc_font;
    s->color = svc_color;
    s->threshold_level = svc_threshold_level;
    s->level_color = svc_level_color;
    s->fill_rect = svc_fill_rect;
    s->draw_text = svc_draw_text;
    s->measure_text = svc_measure_text;
    s->draw_led = svc_draw_led;
    s->draw_bar = svc_draw_bar;
    s->draw_sparkline = svc_draw_sparkline;
    s->format_number = format_number;
    s->json_pointer = svc_json_pointer;
    s->request_frame_at = svc_request_frame_at;
}

static wb_rect inset(wb_rect r, int dx, int dy)
{
    return (wb_rect){r.x + dx, r.y + dy, r.w - 2 * dx, r.h - 2 * dy};
}

static int min_int(int a, int b)
{
    return a < b ? a : b;
}

/* Host chrome is sized from the tile's shorter dimension, so it reads the same on a wide
 * tile and a tall one: about a tenth of the height, never wider than the tile allows. */
static int chrome_px(wb_rect r)
{
    int px = min_int(r.h / 10, r.w / 14);
    return px < 10 ? 10 : px;
}

/* Draws `text` word-wrapped into at most `max_lines` lines of `px` from box.y down; the last
 * line is cut by text_draw if words remain. Returns the y below the last line drawn. */
static int draw_wrapped(wall *w, const char *text, wb_rect box, int px, int max_lines,
                        wb_color color)
{
    char line[512];
    const char *p = text;
    int line_h = px * 13 / 10;
    for (int n = 0; n < max_lines && *p; n++) {
        size_t len = 0, fit = 0;
        /* Grow the line word by word while it still fits (always at least one word). */
        while (p[len]) {
            size_t next = len;
            while (p[next] == ' ') next++;
            while (p[next] && p[next] != ' ') next++;
            if (next >= sizeof line) break;
            memcpy(line, p, next);
            line[next] = '\0';
            int tw = 0, th = 0;
            if (fit && (text_measure(w->text, WB_FONT_LABEL, px, line, &tw, &th) != 0 || tw > box.w))
                break;
            fit = len = next;
        }
        if (n == max_lines - 1) fit = strlen(p) < sizeof line ? strlen(p) : sizeof line - 1;
        memcpy(line, p, fit);
        line[fit] = '\0';
        text_draw(w->text, WB_FONT_LABEL, px, line, (wb_rect){box.x, box.y, box.w, line_h},
                  WB_ALIGN_LEFT, color);
        box.y += line_h;
        p += fit;
        while (*p == ' ') p++;
    }
    return box.y;
}

static void draw_error_tile(wall *w, struct wb_host *t)
{
    wb_rect r = t->rect;
    int px = chrome_px(r);
    int pad = px;
    draw_fill_rect(render_renderer(w->render), r, error_bg);
    draw_fill_rect(render_renderer(w->render), (wb_rect){r.x, r.y, r.w, px / 4 + 1},
                   palette[WB_COLOR_ALARM]);

    wb_rect box = {r.x + pad, r.y + pad, r.w - 2 * pad, px * 13 / 10};
    const char *title = t->cfg->title ? t->cfg->title : t->cfg->id;
    t->overflow |= text_draw(w->text, WB_FONT_LABEL_BOLD, px, title, box, WB_ALIGN_LEFT,
                             palette[WB_COLOR_TEXT]) == 1;
    box.y += box.h + px / 2;
    char head[160];
    snprintf(head, sizeof head, "\xe2\x9a\xa0 plugin %s failed", t->cfg->plugin);
    text_draw(w->text, WB_FONT_LABEL_BOLD, px, head, box, WB_ALIGN_LEFT, palette[WB_COLOR_ALARM]);
    box.y += box.h + px / 2;
    int body_px = px * 8 / 10;
    int lines = (r.y + r.h - pad - box.y) / (body_px * 13 / 10);
    draw_wrapped(w, t->error, box, body_px, lines < 1 ? 1 : lines, palette[WB_COLOR_TEXT]);
}

static void badge_label(const struct wb_host *t, uint64_t now_ms, char *label, size_t size,
                        wb_color *color)
{
    char age[32] = "";
    if (t->last_matched_mono_ms)
        format_age((double)(now_ms - t->last_matched_mono_ms) / 1000.0, age, sizeof age);
    *color = palette[WB_COLOR_WARN];
    switch (t->state) {
    case WB_FEED_STALE:
        snprintf(label, size, age[0] ? "stale %s" : "stale", age);
        break;
    case WB_FEED_DOWN:
        *color = palette[WB_COLOR_ALARM];
        snprintf(label, size, age[0] ? "reconnecting \xc2\xb7 %s old" : "reconnecting", age);
        break;
    default:
        snprintf(label, size, "connecting");
        break;
    }
}

/* The feed state with the age of the values still shown, in an opaque pill at the bottom
 * right, where it hides neither the title nor the number. While it stays up it never
 * shrinks, so redrawing it alone always covers what it showed before. */
static void draw_badge_pill(wall *w, struct wb_host *t, const char *label, wb_color color,
                            int fresh)
{
    wb_rect r = t->rect;
    int px = chrome_px(r);
    int tw = 0, th = 0;
    text_measure(w->text, WB_FONT_LABEL_BOLD, px, label, &tw, &th);
    int margin = px / 2;
    int width = min_int(tw + 2 * px, r.w - 2 * margin);
    if (!fresh && t->badge_rect.w > width) width = t->badge_rect.w;
    int height = px * 16 / 10;
    wb_rect pill = {r.x + r.w - margin - width, r.y + r.h - margin - height, width, height};
    draw_fill_rect(render_renderer(w->render), pill, badge_bg);
    draw_fill_rect(render_renderer(w->render), (wb_rect){pill.x, pill.y, px / 4 + 1, pill.h}, color);
    t->overflow |= text_draw(w->text, WB_FONT_LABEL_BOLD, px, label, inset(pill, px * 2 / 3, 0),
                             WB_ALIGN_CENTER, color) == 1;
    t->badge_rect = pill;
    snprintf(t->badge_label, sizeof t->badge_label, "%s", label);
}

/* "slow · 152 ms" in an amber pill at the top right while the tile's last render was over
 * RENDER_BUDGET_US: the wall stutters, and this says which tile makes it. */
static void draw_slow_mark(wall *w, struct wb_host *t)
{
    wb_rect r = t->rect;
    int px = chrome_px(r);
    char label[48];
    snprintf(label, sizeof label, "slow \xc2\xb7 %llu ms",
             (unsigned long long)(t->last_render_us / 1000));
    int tw = 0, th = 0;
    text_measure(w->text, WB_FONT_LABEL_BOLD, px, label, &tw, &th);
    int margin = px / 2;
    int width = min_int(tw + 2 * px, r.w - 2 * margin);
    wb_rect pill = {r.x + r.w - margin - width, r.y + margin, width, px * 16 / 10};
    draw_fill_rect(render_renderer(w->render), pill, badge_bg);
    draw_fill_rect(render_renderer(w->render), (wb_rect){pill.x, pill.y, px / 4 + 1, pill.h},
                   palette[WB_COLOR_WARN]);
    t->overflow |= text_draw(w->text, WB_FONT_LABEL_BOLD, px, label, inset(pill, px * 2 / 3, 0),
                             WB_ALIGN_CENTER, palette[WB_COLOR_WARN]) == 1;
    paint_note(t, pill, badge_bg, 0); /* so the next frame clears it with the plugin's paint */
}

/* The plugin's render, marked for the crash journal and timed against RENDER_BUDGET_US. */
static void render_plugin(wall *w, struct wb_host *t)
{
    uint64_t start = clock_mono_us();
    int mark = crash_enter(tiles_index(w, t), CRASH_RENDER);
    t->plugin->desc.render(t->self, t->rect);
    crash_leave(mark);
    uint64_t took = clock_mono_us() - start;
    t->last_render_us = took;
    if (took > t->render_us_max) t->render_us_max = took;
    t->last_render_slow = took > RENDER_BUDGET_US;
    if (t->last_render_slow) {
        t->slow_renders++;
        char key[160];
        snprintf(key, sizeof key, "slow:%s", t->cfg->id);
        log_limited(WB_LOG_WARN, t->cfg->id, key,
                    "render of tile %s (plugin %s) took %llu ms, over the %d ms budget: the "
                    "whole wall waits for it", t->cfg->id, t->cfg->plugin,
                    (unsigned long long)(took / 1000), RENDER_BUDGET_US / 1000);
    }
}

/* Dims the whole tile under its badge: the values are old or may be. */
static void draw_state_badge(wall *w, struct wb_host *t, uint64_t now_ms)
{
    draw_fill_rect(render_renderer(w->render), t->rect, shade);
    char label[96];
    wb_color color;
    badge_label(t, now_ms, label, sizeof label, &color);
    draw_badge_pill(w, t, label, color, 1);
}

int services_draw_badge(wall *w, struct wb_host *t, uint64_t now_ms)
{
    t->badge_dirty = 0;
    if (t->state == WB_FEED_LIVE || t->error[0] || !t->self || t->rect.w <= 0 || t->rect.h <= 0)
        return 0;
    char label[96];
    wb_color color;
    badge_label(t, now_ms, label, sizeof label, &color);
    if (strcmp(label, t->badge_label) == 0) return 0; /* e.g. "stale 3 min" for a minute */
    render_restore_tile(w->render, t->rect);
    draw_badge_pill(w, t, label, color, 0);
    render_end_tile(w->render);
    return 1;
}

void services_draw_tile(wall *w, struct wb_host *t, uint64_t now_ms)
{
    t->dirty = 0;
    t->badge_dirty = 0;
    t->badge_label[0] = '\0';
    if (t->rect.w <= 0 || t->rect.h <= 0) return;
    /* Clearing a whole 4K tile writes 2.7 MB; clearing what was painted on it last frame is
     * enough when nothing else was (the bare background is already there). */
    if (t->only_paint_on_bg && !t->raw_renderer && t->paint.count <= PAINT_OPS_MAX)
        render_begin_tile_refill(w->render, t->rect, palette[WB_COLOR_TILE_BG], t->paint.rect,
                                 t->paint.count);
    else
        render_begin_tile(w->render, t->rect, palette[WB_COLOR_TILE_BG]);
    t->paint.count = 0;
    t->only_paint_on_bg = 0;
    if (t->error[0] || !t->self) {
        draw_error_tile(w, t);
    } else {
        /* Only what the plugin draws goes through the paint log; the chrome below blends. */
        text_set_under(w->text, under_query, t);
        t->in_render = 1;
        render_plugin(w, t);
        t->in_render = 0;
        text_set_under(w->text, NULL, NULL);
        /* A plugin using the renderer directly may have moved the target or the clip. */
        render_restore_tile(w->render, t->rect);
        if (t->state != WB_FEED_LIVE) draw_state_badge(w, t, now_ms);
        else t->only_paint_on_bg = 1; /* the plugin's paint is all there is */
        if (t->last_render_slow) draw_slow_mark(w, t);
    }
    render_end_tile(w->render);
}

/* "Config rejected (2 errors): the wall keeps running the last good one" over the first error
 * ("FILE:LINE:COL: $.path: message", shrunk to fit) on a red band: the first error is the one to
 * fix first, the log has them all. */
void services_draw_banner(wall *w)
{
    w->banner_dirty = 0;
    wb_rect r = w->banner_rect;
    if (r.w <= 0 || r.h <= 0 || !w->config_errors.count) return;
    render_begin_tile(w->render, r, banner_bg);
    size_t n = w->config_errors.count;
    char head[160];
    snprintf(head, sizeof head, "Config rejected (%zu error%s%s): the wall keeps running the last "
             "good one", n, n == 1 ? "" : "s", n == 1 ? "" : ", the first below, all in the log");
    int pad = r.h / 10;
    int line = (r.h - 2 * pad) / 2;
    text_draw(w->text, WB_FONT_LABEL_BOLD, 0, head,
              (wb_rect){r.x + pad, r.y + pad, r.w - 2 * pad, line}, WB_ALIGN_LEFT, banner_fg);
    text_draw(w->text, WB_FONT_LABEL, 0, w->config_errors.lines[0],
              (wb_rect){r.x + pad, r.y + pad + line, r.w - 2 * pad, line}, WB_ALIGN_LEFT,
              banner_fg);
    render_end_tile(w->render);
}
