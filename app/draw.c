/* draw.c: rectangles, bars and sparklines for tiles, straight onto the SDL renderer.
 * Never allocates, never keeps state between calls, and never draws outside the rect it is given. */
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
    int t = (rect.h + 25) / 50;
    if (t > rect.h / 8)
        t = rect.h / 8;
    if (t > SPARK_MAX_THICKNESS)
        t = SPARK_MAX_THICKNESS;
    return t < 1 ? 1.0f : (float)t;
}

/* A segment as a quad of two triangles (SDL has no thick lines), plus a square cap at its end
 * so that consecutive segments join without notches. */
static void spark_segment(SDL_Renderer *r, SDL_FPoint a, SDL_FPoint b, float t, SDL_Color c)
{
    float dx = b.x - a.x, dy = b.y - a.y;
    float len = sqrtf(dx * dx + dy * dy);
    if (len > 0.0f) {
        float nx = -dy / len * t / 2, ny = dx / len * t / 2;
        SDL_Vertex v[4] = {
            {{a.x + nx, a.y + ny}, c, {0, 0}}, {{a.x - nx, a.y - ny}, c, {0, 0}},
            {{b.x - nx, b.y - ny}, c, {0, 0}}, {{b.x + nx, b.y + ny}, c, {0, 0}},
        };
        const int idx[6] = {0, 1, 2, 0, 2, 3};
        SDL_RenderGeometry(r, NULL, v, 4, idx, 6);
    }
    SDL_FRect cap = {b.x - t / 2, b.y - t / 2, t, t};
    SDL_RenderFillRectF(r, &cap);
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
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(r, color.r, color.g, color.b, color.a);
    SDL_FPoint prev = {0, 0};
    int have_prev = 0;
    for (int i = 0; i < count; i++) {
        if (!isfinite(values[i])) {
            have_prev = 0; /* a gap */
            continue;
        }
        /* A flat series sits in the middle rather than on the floor. */
        double f = hi > lo ? (values[i] - lo) / (hi - lo) : 0.5;
        SDL_FPoint p = {count > 1 ? x0 + span_w * (float)i / (float)(count - 1)
                                  : x0 + span_w / 2,
                        y0 + span_h * (float)(1.0 - f)};
        /* A point alone between gaps is still shown, as a dot. */
        spark_segment(r, have_prev ? prev : p, p, t, c);
        prev = p;
        have_prev = 1;
    }
}
