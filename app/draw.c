/* draw.c: rectangles, bars and sparklines for tiles, straight onto the SDL renderer.
 * Never allocates, never keeps state between calls, never draws outside the rect given. */
#include "draw.h"

#include <SDL.h>
#include <math.h>

/* The track of a bar: the bar's colour at a quarter of its alpha, over the tile background. */
#define TRACK_ALPHA_DIV 4
#define SPARK_MAX_THICKNESS 8

static int rect_empty(wb_rect rect)
{
    return rect.w <= 0 || rect.h <= 0;
}

void draw_fill_rect(SDL_Renderer *r, wb_rect rect, wb_color color)
{
    if (!r || rect_empty(rect) || color.a == 0)
        return;
    SDL_Rect sr = {rect.x, rect.y, rect.w, rect.h};
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(r, color.r, color.g, color.b, color.a);
    SDL_RenderFillRect(r, &sr);
}

void draw_bar(SDL_Renderer *r, wb_rect rect, double fraction, wb_color color)
{
    if (!r || rect_empty(rect))
        return;
    if (!(fraction > 0)) /* also NaN */
        fraction = 0;
    if (fraction > 1)
        fraction = 1;
    wb_color track = color;
    track.a = (uint8_t)(color.a / TRACK_ALPHA_DIV);
    draw_fill_rect(r, rect, track);
    wb_rect fill = rect;
    fill.w = (int)lround(fraction * rect.w);
    draw_fill_rect(r, fill, color);
}

/* Line thickness: 2 px for a sparkline of ~100 px height (a tile third at 1080p), growing with
 * the rect so 4K walls keep the same look, never more than an eighth of the height. */
static float spark_thickness(wb_rect rect)
{
    int t = (rect.h + 12) / 25;
    if (t > rect.h / 8)
        t = rect.h / 8;
    if (t > SPARK_MAX_THICKNESS)
        t = SPARK_MAX_THICKNESS;
    return t < 1 ? 1.0f : (float)t;
}

/* Half-thickness offset of the line's edge at point i, as a miter: the two neighbouring
 * segments' normals averaged, lengthened so both edges stay t/2 from their segment (capped
 * at twice that on sharp turns). Shared by both segments at i, so they join without gaps. */
static SDL_FPoint join_offset(const SDL_FPoint *p, const int *ok, int count, int i, float t)
{
    SDL_FPoint n = {0, 0}, last = {0, 0};
    for (int j = i - 1; j <= i; j++) {
        if (j < 0 || j + 1 >= count || !ok[j] || !ok[j + 1])
            continue;
        float dx = p[j + 1].x - p[j].x, dy = p[j + 1].y - p[j].y;
        float len = sqrtf(dx * dx + dy * dy);
        if (len <= 0.0f)
            continue;
        last = (SDL_FPoint){-dy / len, dx / len};
        n.x += last.x;
        n.y += last.y;
    }
    float len = sqrtf(n.x * n.x + n.y * n.y);
    if (len <= 0.0f)
        return (SDL_FPoint){0, t / 2};
    n.x /= len;
    n.y /= len;
    float cosine = n.x * last.x + n.y * last.y;
    float scale = cosine > 0.5f ? 1.0f / cosine : 2.0f;
    return (SDL_FPoint){n.x * t / 2 * scale, n.y * t / 2 * scale};
}

static void spark_segment(SDL_Renderer *r, SDL_FPoint a, SDL_FPoint na, SDL_FPoint b,
                          SDL_FPoint nb, SDL_Color c)
{
    SDL_Vertex v[4] = {
        {{a.x + na.x, a.y + na.y}, c, {0, 0}}, {{a.x - na.x, a.y - na.y}, c, {0, 0}},
        {{b.x - nb.x, b.y - nb.y}, c, {0, 0}}, {{b.x + nb.x, b.y + nb.y}, c, {0, 0}},
    };
    const int idx[6] = {0, 1, 2, 0, 2, 3};
    SDL_RenderGeometry(r, NULL, v, 4, idx, 6);
}

/* Smallest and largest finite values; 0 if there is none. */
static int value_range(const double *values, int count, double *lo, double *hi)
{
    int any = 0;
    for (int i = 0; i < count; i++) {
        if (!isfinite(values[i]))
            continue;
        if (!any || values[i] < *lo)
            *lo = values[i];
        if (!any || values[i] > *hi)
            *hi = values[i];
        any = 1;
    }
    return any;
}

/* Points are computed a window at a time, so the sparkline needs no allocation. */
#define SPARK_WINDOW 256

void draw_sparkline(SDL_Renderer *r, wb_rect rect, const double *values, int count,
                    wb_color color)
{
    double lo = 0, hi = 0;
    if (!r || !values || count <= 0 || rect_empty(rect) || color.a == 0)
        return;
    if (!value_range(values, count, &lo, &hi))
        return;
    float t = spark_thickness(rect);
    /* Keep the line's thickness inside the rect: points span the rect minus half a line. */
    float x0 = (float)rect.x + t / 2, span_w = (float)rect.w - t;
    float y0 = (float)rect.y + t / 2, span_h = (float)rect.h - t;
    SDL_Color c = {color.r, color.g, color.b, color.a};
    /* Miters on sharp peaks reach past the half-line margin: clip to rect (within the
     * caller's clip, which is restored after). */
    SDL_Rect old_clip, clip = {rect.x, rect.y, rect.w, rect.h};
    SDL_bool had_clip = SDL_RenderIsClipEnabled(r);
    SDL_RenderGetClipRect(r, &old_clip);
    if (had_clip && !SDL_IntersectRect(&old_clip, &clip, &clip))
        return;
    SDL_RenderSetClipRect(r, &clip);
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(r, color.r, color.g, color.b, color.a);
    /* Windows of SPARK_WINDOW + 2 points overlapping by 2, so every segment and join has its
     * neighbours at hand. */
    for (int base = -1; base < count - 1; base += SPARK_WINDOW) {
        SDL_FPoint p[SPARK_WINDOW + 3];
        int ok[SPARK_WINDOW + 3], n = 0;
        for (int i = base; i < count && n < SPARK_WINDOW + 3; i++, n++) {
            ok[n] = i >= 0 && isfinite(values[i]);
            /* A flat series sits in the middle rather than on the floor. */
            double f = !ok[n] ? 0 : hi > lo ? (values[i] - lo) / (hi - lo) : 0.5;
            p[n] = (SDL_FPoint){count > 1 ? x0 + span_w * (float)i / (float)(count - 1)
                                          : x0 + span_w / 2,
                                y0 + span_h * (float)(1.0 - f)};
        }
        /* Segments starting at window positions 1..SPARK_WINDOW (values base+1 ..). */
        for (int k = 1; k <= SPARK_WINDOW && k < n; k++) {
            if (!ok[k])
                continue;
            int alone = !ok[k - 1] && (k + 1 >= n || !ok[k + 1]);
            if (alone) {
                /* A point alone between gaps is still shown, as a dot. */
                SDL_FRect dot = {p[k].x - t / 2, p[k].y - t / 2, t, t};
                SDL_RenderFillRectF(r, &dot);
            }
            if (k + 1 < n && ok[k + 1]) {
                spark_segment(r, p[k], join_offset(p, ok, n, k, t), p[k + 1],
                              join_offset(p, ok, n, k + 1, t), c);
                /* The software rasteriser drops pixels of thin, nearly flat triangles; a
                 * one-pixel spine keeps the line unbroken. */
                SDL_RenderDrawLineF(r, p[k].x, p[k].y, p[k + 1].x, p[k + 1].y);
            }
        }
    }
    SDL_RenderSetClipRect(r, had_clip ? &old_clip : NULL);
}
