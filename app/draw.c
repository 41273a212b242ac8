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

/* A sparkline is drawn a window of points at a time. In an opaque colour everything of one
 * window is batched on the stack (no allocation, about 10 KiB with the window's points): the
 * quads of all its segments in one SDL_RenderGeometry (long ones in strips, below), the spine as
 * one SDL_RenderDrawLinesF per unbroken run, the lone dots in one SDL_RenderFillRectsF: about 3
 * calls instead of 2 per segment. Each opaque piece sets its pixels to the colour, so their
 * order does not show. A translucent colour shows the order (it blends twice where pieces
 * overlap) and costs SDL a temporary surface per triangle anyway: it is drawn piece by piece,
 * in the order it always was. Either way the pixels are those of one SDL call per piece. */
#define SPARK_WINDOW 64

typedef struct spark_batch {
    SDL_Renderer *r;
    SDL_Rect clip;     /* the sparkline's */
    int opaque;        /* the colour is: pieces may go in any order, quads unblended */
    SDL_Vertex v[4 * SPARK_WINDOW];
    int idx[6 * SPARK_WINDOW];
    int quads;
    SDL_FPoint run[SPARK_WINDOW + 1]; /* the spine's current run of joined points */
    int nrun;
    SDL_FRect dots[SPARK_WINDOW];
    int ndots;
} spark_batch;

/* SDL's software rasteriser tests every pixel of a triangle's bounding box, so a long sloped
 * quad (a sparkline of two points spans the whole rect) costs its whole box. Such a quad is
 * drawn again per strip along its longer side instead, each strip clipped to where the quad can
 * be in it: about its own area. Its pixels are the same: SDL tests each with the same exact
 * integer edge functions wherever its box starts, the clip only skips pixels, and each pixel is
 * in one strip, so it is set once. */
#define SPARK_STRIP_AREA 4096
#define SPARK_STRIP 64

/* The range of coordinate `minor` over the hull of the 4 points within the slab lo..hi of
 * coordinate `major`: its extremes lie at points in the slab or where a side (or diagonal)
 * crosses the slab's bounds. */
static void slab_range(float pt[4][2], int major, float lo, float hi, float *min, float *max)
{
    int minor = 1 - major;
    *min = INFINITY;
    *max = -INFINITY;
    for (int i = 0; i < 4; i++) {
        const float *a = pt[i];
        if (a[major] >= lo && a[major] <= hi) {
            *min = SDL_min(*min, a[minor]);
            *max = SDL_max(*max, a[minor]);
        }
        for (int j = i + 1; j < 4; j++) {
            const float *b = pt[j];
            for (int k = 0; k < 2; k++) {
                float at = k ? hi : lo;
                if ((a[major] - at) * (b[major] - at) >= 0 || a[major] == b[major])
                    continue;
                float m = a[minor] +
                          (at - a[major]) * (b[minor] - a[minor]) / (b[major] - a[major]);
                *min = SDL_min(*min, m);
                *max = SDL_max(*max, m);
            }
        }
    }
}

/* Draws quad v (4 vertices, triangles 0-1-2 and 0-2-3) strip by strip; the clip is left at the
 * batch's. */
static void spark_quad_strips(spark_batch *b, const SDL_Vertex *v, const int *idx)
{
    /* Where SDL rasterises: vertices truncated to whole pixels, pixels of the box they span. */
    float pt[4][2], box_lo[2] = {INFINITY, INFINITY}, box_hi[2] = {-INFINITY, -INFINITY};
    for (int i = 0; i < 4; i++) {
        pt[i][0] = (float)(int)v[i].position.x;
        pt[i][1] = (float)(int)v[i].position.y;
        for (int k = 0; k < 2; k++) {
            box_lo[k] = SDL_min(box_lo[k], pt[i][k]);
            box_hi[k] = SDL_max(box_hi[k], pt[i][k]);
        }
    }
    int major = box_hi[0] - box_lo[0] >= box_hi[1] - box_lo[1] ? 0 : 1;
    /* Whole pixels, with a pixel's margin all round (a pixel is in when its centre is). */
    for (float lo = box_lo[major] - 1; lo < box_hi[major] + 1; lo += SPARK_STRIP) {
        float hi = SDL_min(lo + SPARK_STRIP, box_hi[major] + 1), min, max;
        slab_range(pt, major, lo - 1, hi + 1, &min, &max);
        if (min > max)
            continue;
        int from = (int)SDL_floorf(min) - 1, to = (int)SDL_ceilf(max) + 1;
        SDL_Rect strip = major == 0 ? (SDL_Rect){(int)lo, from, (int)(hi - lo), to - from}
                                    : (SDL_Rect){from, (int)lo, to - from, (int)(hi - lo)};
        if (!SDL_IntersectRect(&strip, &b->clip, &strip))
            continue;
        SDL_RenderSetClipRect(b->r, &strip);
        SDL_RenderGeometry(b->r, NULL, v, 4, idx, 6);
    }
    SDL_RenderSetClipRect(b->r, &b->clip);
}

/* The quad of segment a-e, na and ne its half-thickness offsets at each end: two triangles on
 * four vertices of their own. SDL's software renderer draws two consecutive triangles that share
 * two vertices and make an axis-parallel rectangle as a rectangle fill; with no vertex shared
 * between segments it pairs exactly the triangles it paired when each segment was one
 * SDL_RenderGeometry call, and rasterises the others one by one as before. */
static void spark_quad(spark_batch *b, SDL_FPoint a, SDL_FPoint na, SDL_FPoint e, SDL_FPoint ne,
                       SDL_Color c)
{
    static const int order[6] = {0, 1, 2, 0, 2, 3};
    SDL_Vertex *v = &b->v[4 * b->quads];
    int *idx = &b->idx[6 * b->quads], base = 4 * b->quads;
    v[0] = (SDL_Vertex){{a.x + na.x, a.y + na.y}, c, {0, 0}};
    v[1] = (SDL_Vertex){{a.x - na.x, a.y - na.y}, c, {0, 0}};
    v[2] = (SDL_Vertex){{e.x - ne.x, e.y - ne.y}, c, {0, 0}};
    v[3] = (SDL_Vertex){{e.x + ne.x, e.y + ne.y}, c, {0, 0}};
    for (int i = 0; i < 6; i++)
        idx[i] = base + order[i];
    float w = SDL_max(SDL_max(v[0].position.x, v[1].position.x),
                      SDL_max(v[2].position.x, v[3].position.x)) -
              SDL_min(SDL_min(v[0].position.x, v[1].position.x),
                      SDL_min(v[2].position.x, v[3].position.x));
    float h = SDL_max(SDL_max(v[0].position.y, v[1].position.y),
                      SDL_max(v[2].position.y, v[3].position.y)) -
              SDL_min(SDL_min(v[0].position.y, v[1].position.y),
                      SDL_min(v[2].position.y, v[3].position.y));
    if (b->opaque && w * h > SPARK_STRIP_AREA) {
        /* Unblended now, as the batch will be; the order of opaque pieces does not show. */
        SDL_SetRenderDrawBlendMode(b->r, SDL_BLENDMODE_NONE);
        spark_quad_strips(b, v, order);
        SDL_SetRenderDrawBlendMode(b->r, SDL_BLENDMODE_BLEND);
        return;
    }
    b->quads++;
}

/* The spine's run so far as one polyline. SDL 2.26's software renderer draws a polyline's
 * segments with the pixels of separate SDL_RenderDrawLineF calls (a joint is the end of one
 * segment and the start of the next, both truncated to the same pixel), each pixel once. */
static void spark_end_run(spark_batch *b)
{
    if (b->nrun >= 2)
        SDL_RenderDrawLinesF(b->r, b->run, b->nrun);
    b->nrun = 0;
}

/* Segment a-e of the spine: continues the run if it starts where the run ends. */
static void spark_spine(spark_batch *b, SDL_FPoint a, SDL_FPoint e)
{
    if (b->nrun > 0 && (b->run[b->nrun - 1].x != a.x || b->run[b->nrun - 1].y != a.y))
        spark_end_run(b);
    if (b->nrun == 0)
        b->run[b->nrun++] = a;
    b->run[b->nrun++] = e;
}

/* Draws what the batch holds: quads, then the spine, then the dots. */
static void spark_flush(spark_batch *b)
{
    /* An opaque colour covers what is under it, blended or not: without blending, the software
     * renderer fills a triangle in place instead of in a temporary surface of its own that it
     * then blends (an allocation and a blit per triangle). Same colours on the screen. The
     * spine and dots stay blended: unblended, SDL would draw a zero-length line as a pixel. */
    if (b->quads > 0) {
        SDL_SetRenderDrawBlendMode(b->r, b->opaque ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
        SDL_RenderGeometry(b->r, NULL, b->v, 4 * b->quads, b->idx, 6 * b->quads);
        SDL_SetRenderDrawBlendMode(b->r, SDL_BLENDMODE_BLEND);
    }
    spark_end_run(b);
    if (b->ndots > 0)
        SDL_RenderFillRectsF(b->r, b->dots, b->ndots);
    b->quads = b->ndots = 0;
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
    spark_batch b;
    b.r = r;
    b.clip = clip;
    b.opaque = color.a == 255;
    b.quads = b.nrun = b.ndots = 0;
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
        /* Each join's offset once: segments k-1 and k share the one at k. */
        SDL_FPoint off[SPARK_WINDOW + 3];
        for (int k = 1; k <= SPARK_WINDOW + 1 && k < n; k++)
            off[k] = join_offset(p, ok, n, k, t);
        /* Segments starting at window positions 1..SPARK_WINDOW (values base+1 ..). */
        for (int k = 1; k <= SPARK_WINDOW && k < n; k++) {
            if (!ok[k])
                continue;
            if (!ok[k - 1] && (k + 1 >= n || !ok[k + 1])) {
                /* A point alone between gaps is still shown, as a dot. */
                b.dots[b.ndots++] = (SDL_FRect){p[k].x - t / 2, p[k].y - t / 2, t, t};
            }
            if (k + 1 < n && ok[k + 1]) {
                spark_quad(&b, p[k], off[k], p[k + 1], off[k + 1], c);
                /* The software rasteriser drops pixels of thin, nearly flat triangles; a
                 * one-pixel spine keeps the line unbroken. */
                spark_spine(&b, p[k], p[k + 1]);
            }
            if (!b.opaque)
                spark_flush(&b); /* piece by piece, see above */
        }
        spark_flush(&b);
    }
    SDL_RenderSetClipRect(r, had_clip ? &old_clip : NULL);
}
