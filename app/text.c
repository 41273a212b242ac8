/* text.c: labels with a Korean -> Chinese -> Latin font fallback and DSEG7 LED numbers with ghost
 * segments, as textures; a repeated frame calls no FreeType. No .notdef boxes, no colour mods. */
#include "text.h"
#include "error.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROLE_COUNT 3
/* A fit decision for LED numbers is cached under this pseudo-role. */
#define FIT_LED ROLE_COUNT
#define FACE_MAX (ROLE_COUNT * FONTS_MAX_CHAIN)
/* Instances of one face open at once, fonts handed out by text_font aside. Each instance of a
 * Noto Sans CJK face holds ~3 MB of FreeType and HarfBuzz tables; another size resizes the
 * least recently used instance instead (TTF_SetFontSize), which costs SDL_ttf's glyph cache
 * (~0.1 ms for the next string), so the caches below keep sizes from changing on steady frames.
 * Two: a frame typically alternates between a drawing size and a measuring size. */
#define FONTS_PER_FACE 2
#define FONT_CACHE_MAX 64
/* Fonts handed out by text_font() are never resized nor closed before text_close (plugins keep
 * the pointer); at most this many. */
#define FONT_PINNED_MAX 32
/* Texture caches are bounded by bytes of pixels, least recently used out first. The default
 * wall (config/guizhou.json) with live feeds keeps ~5 MiB of strings and ~2.6 MiB of LED cells
 * at 1080p, and would keep 16 MiB and 10.5 MiB at 4K; 8 MiB each costs it a few renders a
 * second more at 4K, 4 MiB of strings would render every string of every frame again. */
#define TEX_CACHE_MAX 256
#define TEX_CACHE_BYTES ((size_t)8 << 20)
/* The fit and measure caches are 4-way set associative: a lookup compares four entries. */
#define CACHE_WAYS 4
#define FIT_SETS 128
#define MEASURE_SETS 128
#define PX_MAX 4096
#define FIT_HEIGHT_PERCENT 80
#define SHRINK_MIN_PERCENT 60
#define ELLIPSIS "\xE2\x80\xA6"
/* Glyph widths of the LED font are compared at this size (any size would do). */
#define LED_REF_SIZE 64
/* LED cells: combinations (size, colours, ghost, background) kept, and their pixel bytes (see
 * TEX_CACHE_BYTES). */
#define LED_SET_MAX 32
#define LED_CACHE_BYTES ((size_t)8 << 20)
/* LED shapes (where each character's pixels lie) kept, per size and ghost. */
#define LED_SHAPE_MAX 16
/* Every character of an LED string is ASCII once led_strings has mapped it. */
#define LED_CHARS 128

typedef struct face_ref {
    char *path;        /* owned */
    int index;
    int broken;        /* failed to open: not retried for every character of every string */
} face_ref;

typedef struct font_entry {
    TTF_Font *font;    /* owned; NULL = free slot */
    int face, size;
    int pinned;        /* handed out by text_font: never resized, closed by text_close */
    uint64_t used;
} font_entry;

/* A rendered string in its colour (alpha included), drawn as it is: colour is part of the key.
 * Only its ink is kept (the rest of the line is transparent: drawing it changes nothing), and an
 * opaque one is that ink composed on `bg`, in the target's format, copied without blending. */
typedef struct tex_entry {
    int live;          /* 0 = free slot */
    SDL_Texture *tex;  /* owned; NULL when the line has no ink */
    char *text;        /* owned */
    uint32_t hash;
    int role, size;
    wb_color color;
    int opaque;
    wb_color bg;       /* zero unless opaque */
    Uint32 format;     /* of opaque textures: the target's; else unknown */
    SDL_Rect ink;      /* where the texture lies in the line; w == 0: no ink */
    size_t bytes;
    uint64_t used;
} tex_entry;

/* How a string was fitted into a box: the pixel size, where it was cut, and where it goes. */
typedef struct fit_entry {
    char *text;        /* owned; NULL = free slot */
    uint32_t hash;
    int kind;          /* role, or FIT_LED */
    int req_size, box_w, box_h;
    int size;
    int keep_bytes;    /* bytes kept before the ellipsis; -1 = not cut */
    int result;        /* 0 fitted, 1 shrunk or cut */
    int w, h;          /* the line drawn at `size` (labels: the shown string, the size of its
                        * texture; FIT_LED: the ghost string) */
    int ascent;        /* labels: the line's baseline, from its top */
    int ink;           /* labels: top + bottom of the reference glyphs (see label_ink) */
    uint64_t used;
} fit_entry;

/* A string's size as text_measure reports it. */
typedef struct measure_entry {
    char *text;        /* owned; NULL = free slot */
    uint32_t hash;
    int role, size, w, h;
    uint64_t used;
} measure_entry;

/* One stretch of a string drawn with one face of the chain. */
typedef struct run {
    size_t start, len;
    int face;          /* index in the role's chain */
    int w, h, ascent;
} run;

typedef struct run_list {
    run *runs;         /* owned */
    int count, cap;
    int w, h, ascent;  /* the whole line: runs side by side on a common baseline */
} run_list;

/* One glyph's pixels for an LED number: a texture cut to its ink, and where that ink sits from
 * the glyph's pen position on the line's top. */
typedef struct led_piece {
    SDL_Texture *tex;  /* owned; NULL = no ink, nothing to draw */
    int dx, dy, w, h;
} led_piece;

/* Where an LED character's pixels lie at one size, whatever its colours (opaque ones: a glyph's
 * alpha is its coverage then), worked out before a number is drawn so the host can be asked
 * about exactly the rect its opaque cells will cover. */
typedef struct led_shape_char {
    int ready;
    int adv;           /* the ghost glyph's advance: the next pen is this far right */
    int left;          /* leftmost ink of ghost and lit glyph from the pen (SDL_ttf's minx) */
    SDL_Rect cell;     /* full-width characters: the ink of the lit glyph and of the ghost '8'
                        * (with ghosts) from the pen and the line's top; w == 0: none */
} led_shape_char;

typedef struct led_shape {
    int live;          /* 0 = free slot */
    int size, ghost;
    led_shape_char c[LED_CHARS];
    uint64_t used;
} led_shape;

/* A character of an LED string in one combination. Full-width characters are cells: with a
 * background, `lit` is the ghost '8' and the lit glyph composed on it over the shape's cell;
 * without, `lit` is the lit glyph alone and the set's ghost8 goes under it. '.' and ':' are
 * narrow: `ghost` and `lit` are the glyph in each colour, blended (the '.' hangs into its
 * neighbours' margins). */
typedef struct led_glyph {
    int ready;
    led_piece lit, ghost;
} led_glyph;

/* The cells of one combination, built lazily per character. */
typedef struct led_set {
    int live;          /* 0 = free slot */
    int size, ghost, opaque;
    wb_color color, ghost_color, bg; /* ghost_color zero without ghost, bg zero unless opaque */
    Uint32 format;     /* of opaque cells: the render target's, so a copy is a plain copy */
    int ghost8_ready;
    led_piece ghost8;  /* blended sets: the ghost '8' under every cell */
    led_glyph glyph[LED_CHARS];
    size_t bytes;
    uint64_t used;
} led_set;

struct text {
    face_ref faces[FACE_MAX]; /* each distinct file and index once */
    int face_count;
    int chain[ROLE_COUNT][FONTS_MAX_CHAIN]; /* the roles' chains, as indices into faces */
    int count[ROLE_COUNT];
    SDL_Renderer *ren; /* borrowed */
    font_entry fonts[FONT_CACHE_MAX];
    unsigned long font_opens, font_resizes;
    unsigned long renders; /* strings rendered into textures */
    tex_entry tex[TEX_CACHE_MAX];
    size_t tex_bytes;
    fit_entry fit[FIT_SETS * CACHE_WAYS];
    measure_entry measure[MEASURE_SETS * CACHE_WAYS];
    /* ASCII characters DSEG7 draws as full-width cells: 0 not known yet, 1 yes, -1 no. */
    signed char led_class[LED_CHARS];
    led_shape shape[LED_SHAPE_MAX];
    led_set led[LED_SET_MAX];
    size_t led_bytes;
    text_under_fn under; /* see text_set_under; NULL = unknown */
    void *under_ctx;     /* borrowed */
    uint64_t clock;    /* LRU stamps */
    wb_rect last_drawn; /* what the last text_draw or text_draw_led covered */
};

static int valid_role(int role)
{
    return role >= 0 && role < ROLE_COUNT;
}

static uint32_t hash_key(uint32_t kind, uint32_t a, uint32_t b, uint32_t c, const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    uint32_t ints[4] = {kind, a, b, c};
    const unsigned char *p = (const unsigned char *)ints;
    for (size_t i = 0; i < sizeof ints; i++)
        h = (h ^ p[i]) * 16777619u;
    for (p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

static uint32_t rgba(wb_color c)
{
    return (uint32_t)c.r | (uint32_t)c.g << 8 | (uint32_t)c.b << 16 | (uint32_t)c.a << 24;
}

static int same_color(wb_color a, wb_color b)
{
    return rgba(a) == rgba(b);
}

static SDL_Rect rect_union(SDL_Rect a, SDL_Rect b)
{
    if (a.w <= 0 || a.h <= 0)
        return b;
    if (b.w > 0 && b.h > 0)
        SDL_UnionRect(&a, &b, &a);
    return a;
}

/* ---- UTF-8 ---------------------------------------------------------------------------- */

/* Decodes the code point at s (not at its NUL). Returns its byte length; a malformed byte is
 * one byte of U+FFFD, as SDL_ttf reads it too. */
static int utf8_next(const char *s, Uint32 *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    int len = u[0] < 0x80            ? 1
              : (u[0] >> 5) == 0x06  ? 2
              : (u[0] >> 4) == 0x0E  ? 3
              : (u[0] >> 3) == 0x1E  ? 4
                                     : 0;
    Uint32 c = len == 1 ? u[0] : u[0] & (0x7Fu >> len); /* payload bits of the lead byte */
    for (int i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            len = 0;
            break;
        }
        c = (c << 6) | (u[i] & 0x3Fu);
    }
    static const Uint32 min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (len == 0 || c < min_for_len[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = c;
    return len;
}

/* ---- fonts ---------------------------------------------------------------------------- */

static void font_slot_close(font_entry *e)
{
    if (e->font)
        TTF_CloseFont(e->font);
    memset(e, 0, sizeof *e);
}

/* A free slot, closing the least recently used unpinned font if all are taken. */
static font_entry *font_slot(text *t)
{
    font_entry *victim = NULL;
    for (int i = 0; i < FONT_CACHE_MAX; i++) {
        font_entry *e = &t->fonts[i];
        if (!e->font)
            return e;
        if (!e->pinned && (!victim || e->used < victim->used))
            victim = e;
    }
    if (victim)
        font_slot_close(victim);
    return victim;
}

static int pinned_count(const text *t)
{
    int n = 0;
    for (int i = 0; i < FONT_CACHE_MAX; i++)
        n += t->fonts[i].font && t->fonts[i].pinned;
    return n;
}

/* Face `face` at `size`, pinned if asked. Borrowed: a pinned font is valid until text_close;
 * an unpinned one until the next call for this face at another size, which may resize it, so
 * use it before asking for another. NULL if it cannot be opened or too many are pinned. */
static TTF_Font *face_font(text *t, int face, int size, int pin)
{
    if (face < 0 || face >= t->face_count || size < 1 || size > PX_MAX || t->faces[face].broken)
        return NULL;
    font_entry *exact = NULL, *lru = NULL;
    int unpinned = 0;
    for (int i = 0; i < FONT_CACHE_MAX; i++) {
        font_entry *e = &t->fonts[i];
        if (!e->font || e->face != face)
            continue;
        if (e->size == size && (!exact || (pin && e->pinned)))
            exact = e;
        if (!e->pinned) {
            unpinned++;
            if (!lru || e->used < lru->used)
                lru = e;
        }
    }
    if (exact && pin && !exact->pinned) {
        if (pinned_count(t) >= FONT_PINNED_MAX)
            return NULL;
        exact->pinned = 1;
    }
    if (exact) {
        exact->used = ++t->clock;
        return exact->font;
    }
    if (!pin && unpinned >= FONTS_PER_FACE) {
        if (TTF_SetFontSize(lru->font, size) != 0) {
            font_slot_close(lru); /* its metrics may be half changed */
            return NULL;
        }
        lru->size = size;
        lru->used = ++t->clock;
        t->font_resizes++;
        return lru->font;
    }
    if (pin && pinned_count(t) >= FONT_PINNED_MAX)
        return NULL;
    font_entry *e = font_slot(t);
    if (!e)
        return NULL;
    const face_ref *f = &t->faces[face];
    e->font = TTF_OpenFontIndex(f->path, size, f->index);
    if (!e->font) {
        t->faces[face].broken = 1;
        return NULL;
    }
    e->face = face;
    e->size = size;
    e->pinned = pin;
    e->used = ++t->clock;
    t->font_opens++;
    return e->font;
}

/* Face `face` of the role's chain at `size`; borrowed, as face_font's. */
static TTF_Font *get_font(text *t, int role, int face, int size, int pin)
{
    if (!valid_role(role) || face < 0 || face >= t->count[role])
        return NULL;
    return face_font(t, t->chain[role][face], size, pin);
}

/* Any open instance of face `face` of the role's chain, for what does not depend on the size
 * (which glyphs it has); one is opened at `size` if none is. Borrowed, as face_font's. */
static TTF_Font *get_font_any_size(text *t, int role, int face, int size)
{
    if (!valid_role(role) || face < 0 || face >= t->count[role])
        return NULL;
    int id = t->chain[role][face];
    const font_entry *best = NULL;
    for (int i = 0; i < FONT_CACHE_MAX; i++) {
        const font_entry *e = &t->fonts[i];
        if (e->font && e->face == id && (!best || e->used > best->used))
            best = e;
    }
    return best ? best->font : face_font(t, id, size, 0);
}

/* The first face of the chain with a glyph for cp; a code point no face has stays with the
 * current run (`cur`), so one missing glyph does not split the line. -1 if no face opens. */
static int face_for(text *t, int role, int size, Uint32 cp, int cur)
{
    int first_open = -1;
    for (int k = 0; k < t->count[role]; k++) {
        TTF_Font *f = get_font_any_size(t, role, k, size);
        if (!f)
            continue; /* a broken file: the rest of the chain still works */
        if (first_open < 0)
            first_open = k;
        if (TTF_GlyphIsProvided32(f, cp))
            return k;
    }
    return cur >= 0 ? cur : first_open;
}

/* ---- runs ----------------------------------------------------------------------------- */

static int runs_push(run_list *l, size_t start, int face)
{
    if (l->count == l->cap) {
        int cap = l->cap ? l->cap * 2 : 8;
        run *n = realloc(l->runs, (size_t)cap * sizeof *n);
        if (!n)
            return -1;
        l->runs = n;
        l->cap = cap;
    }
    l->runs[l->count++] = (run){.start = start, .face = face};
    return 0;
}

/* Measures one run; s is the whole string, written to and restored around the run's end. */
static int run_measure(text *t, int role, int size, char *s, run *r)
{
    TTF_Font *f = get_font(t, role, r->face, size, 0);
    if (!f)
        return -1;
    char saved = s[r->start + r->len];
    s[r->start + r->len] = '\0';
    int rc = TTF_SizeUTF8(f, s + r->start, &r->w, &r->h);
    s[r->start + r->len] = saved;
    r->ascent = TTF_FontAscent(f);
    return rc;
}

/* Splits s (mutable, restored) into runs of one face each and measures the line. Fills l
 * (caller frees l->runs). 0, or -1. */
static int runs_split(text *t, int role, int size, char *s, run_list *l)
{
    memset(l, 0, sizeof *l);
    int cur = -1;
    int below = 0; /* pixels under the baseline */
    for (size_t pos = 0; s[pos];) {
        Uint32 cp;
        int n = utf8_next(s + pos, &cp);
        int face = face_for(t, role, size, cp, cur);
        if (face < 0)
            goto fail;
        if (face != cur && runs_push(l, pos, face) != 0)
            goto fail;
        cur = face;
        l->runs[l->count - 1].len += (size_t)n;
        pos += (size_t)n;
    }
    for (int i = 0; i < l->count; i++) {
        run *r = &l->runs[i];
        if (run_measure(t, role, size, s, r) != 0)
            goto fail;
        l->w += r->w;
        if (r->ascent > l->ascent)
            l->ascent = r->ascent;
        if (r->h - r->ascent > below)
            below = r->h - r->ascent;
    }
    l->h = l->ascent + below;
    return 0;
fail:
    free(l->runs);
    memset(l, 0, sizeof *l);
    return -1;
}

static int measure_line(text *t, int role, int size, const char *utf8, int *w, int *h,
                        int *ascent)
{
    char *s = strdup(utf8);
    run_list l;
    if (!s)
        return -1;
    int rc = runs_split(t, role, size, s, &l);
    free(s);
    if (rc != 0)
        return -1;
    free(l.runs);
    *w = l.w;
    *h = l.h;
    if (ascent)
        *ascent = l.ascent;
    return 0;
}

/* SDL_ttf's Blended rendering in `color`, as ARGB8888 (what every surface here is). SDL_ttf
 * 2.20 applies color.a itself (alpha * a / 255, rounded down, as a texture alpha mod did) and
 * leaves the colour in transparent pixels too. Caller owns the surface; NULL on error. */
static SDL_Surface *render_utf8(TTF_Font *f, const char *utf8, wb_color color)
{
    SDL_Surface *s = TTF_RenderUTF8_Blended(f, utf8, (SDL_Color){color.r, color.g, color.b,
                                                                 color.a});
    if (s && s->format->format != SDL_PIXELFORMAT_ARGB8888) {
        SDL_Surface *argb = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_ARGB8888, 0);
        SDL_FreeSurface(s);
        s = argb;
    }
    return s;
}

/* Lays src (same colour as dst everywhere) over dst at x, y: alpha "over", colour untouched.
 * Not SDL_BlitSurface: its fast blender rounds edges over a transparent pixel (alpha 128 comes
 * out 127, red 0xc8 as 0xc6), which a pre-coloured string would keep on every draw. */
static void over_same_color(SDL_Surface *dst, const SDL_Surface *src, int x, int y)
{
    int x0 = x < 0 ? -x : 0, x1 = dst->w - x < src->w ? dst->w - x : src->w;
    int y0 = y < 0 ? -y : 0, y1 = dst->h - y < src->h ? dst->h - y : src->h;
    for (int sy = y0; sy < y1; sy++) {
        const Uint32 *s = (const Uint32 *)((const Uint8 *)src->pixels + (size_t)sy * src->pitch);
        Uint32 *d = (Uint32 *)((Uint8 *)dst->pixels + (size_t)(y + sy) * dst->pitch) + x;
        for (int sx = x0; sx < x1; sx++) {
            Uint32 sa = s[sx] >> 24, da = d[sx] >> 24;
            Uint32 a = sa + (da * (255 - sa) + 127) / 255;
            d[sx] = (d[sx] & 0x00FFFFFFu) | (a << 24);
        }
    }
}

/* Lays one run's glyphs over the line at its baseline. */
static int run_blit(text *t, int role, int size, char *s, const run *r, int x, int ascent,
                    wb_color color, SDL_Surface *line)
{
    if (r->w <= 0)
        return 0; /* zero-width text (e.g. U+200B): SDL_ttf refuses to render it */
    TTF_Font *f = get_font(t, role, r->face, size, 0);
    if (!f)
        return -1;
    char saved = s[r->start + r->len];
    s[r->start + r->len] = '\0';
    SDL_Surface *glyphs = render_utf8(f, s + r->start, color);
    s[r->start + r->len] = saved;
    if (!glyphs)
        return -1;
    over_same_color(line, glyphs, x, ascent - r->ascent);
    SDL_FreeSurface(glyphs);
    return 0;
}

/* The whole line in `color` on transparent, and its baseline. Caller owns the surface. NULL on
 * error or if empty. */
static SDL_Surface *render_line(text *t, int role, int size, const char *utf8, wb_color color,
                                int *ascent)
{
    SDL_Surface *line = NULL;
    run_list l = {0};
    char *s = strdup(utf8);
    if (!s || runs_split(t, role, size, s, &l) != 0 || l.w <= 0 || l.h <= 0)
        goto fail;
    line = SDL_CreateRGBSurfaceWithFormat(0, l.w, l.h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!line)
        goto fail;
    /* Transparent in the text's colour: glyph edges keep that colour wherever they fall. */
    SDL_FillRect(line, NULL, SDL_MapRGBA(line->format, color.r, color.g, color.b, 0));
    for (int i = 0, x = 0; i < l.count; x += l.runs[i].w, i++)
        if (run_blit(t, role, size, s, &l.runs[i], x, l.ascent, color, line) != 0)
            goto fail;
    *ascent = l.ascent;
    free(l.runs);
    free(s);
    return line;
fail:
    SDL_FreeSurface(line);
    free(l.runs);
    free(s);
    return NULL;
}

/* ---- opaque copies -------------------------------------------------------------------- */

/* The render target's pixel format, for textures copied without blending: the same format
 * makes the software renderer's copy a memcpy per row. render.c draws on an ARGB8888 canvas
 * texture (windowed) or an ARGB8888 surface (headless, which SDL does not report). */
static Uint32 target_format(text *t)
{
    Uint32 format = SDL_PIXELFORMAT_UNKNOWN;
    SDL_Texture *target = SDL_GetRenderTarget(t->ren);
    SDL_Window *win = SDL_RenderGetWindow(t->ren);
    if (target)
        SDL_QueryTexture(target, &format, NULL, NULL, NULL);
    else if (win)
        format = SDL_GetWindowPixelFormat(win);
    if (SDL_PIXELTYPE(format) != SDL_PIXELTYPE_PACKED32 || SDL_BYTESPERPIXEL(format) != 4)
        format = SDL_PIXELFORMAT_ARGB8888;
    return format;
}

/* The rectangle of s holding every pixel with alpha; w == 0 if none. */
static SDL_Rect ink_box(const SDL_Surface *s)
{
    int x0 = s->w, y0 = s->h, x1 = -1, y1 = -1;
    for (int y = 0; y < s->h; y++) {
        const Uint32 *row = (const Uint32 *)((const Uint8 *)s->pixels + (size_t)y * s->pitch);
        for (int x = 0; x < s->w; x++) {
            if (row[x] >> 24) {
                x0 = x < x0 ? x : x0;
                x1 = x > x1 ? x : x1;
                y0 = y < y0 ? y : y0;
                y1 = y;
            }
        }
    }
    if (x1 < 0)
        return (SDL_Rect){0, 0, 0, 0};
    return (SDL_Rect){x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

/* A w x h surface in the target's format, all of it the opaque colour bg: what the target
 * holds under an opaque copy. Caller owns; NULL on error. */
static SDL_Surface *opaque_canvas(Uint32 format, wb_color bg, int w, int h)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, format);
    if (s)
        SDL_FillRect(s, NULL, SDL_MapRGBA(s->format, bg.r, bg.g, bg.b, 255));
    return s;
}

/* Lays all of src (ARGB8888, its own alpha) over dst with its top left at x, y, as the
 * renderer lays a blended texture over a target of dst's format: the same SDL blit, the same
 * pixels. 0, or -1. */
static int blend_onto(SDL_Surface *dst, SDL_Surface *src, int x, int y)
{
    SDL_Rect to = {x, y, src->w, src->h};
    SDL_SetSurfaceBlendMode(src, SDL_BLENDMODE_BLEND);
    return SDL_BlitSurface(src, NULL, dst, &to);
}

/* The texture of a composed canvas, made opaque (SDL's fast blender leaves alpha 253 on an
 * opaque pixel; the screen shows no alpha, but the copy must not blend), copied without
 * blending. NULL on error; the canvas stays the caller's. */
static SDL_Texture *opaque_texture(text *t, SDL_Surface *canvas)
{
    Uint32 amask = canvas->format->Amask;
    for (int y = 0; amask && y < canvas->h; y++) {
        Uint32 *row = (Uint32 *)((Uint8 *)canvas->pixels + (size_t)y * (size_t)canvas->pitch);
        for (int x = 0; x < canvas->w; x++)
            row[x] |= amask;
    }
    SDL_Texture *tex = SDL_CreateTexture(t->ren, canvas->format->format,
                                         SDL_TEXTUREACCESS_STATIC, canvas->w, canvas->h);
    if (tex && (SDL_UpdateTexture(tex, NULL, canvas->pixels, canvas->pitch) != 0 ||
                SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_NONE) != 0)) {
        SDL_DestroyTexture(tex);
        tex = NULL;
    }
    return tex;
}

/* What the caller's query says is under `covered`: an opaque colour, or NULL. */
static const wb_color *ask_under(text *t, wb_rect covered)
{
    if (!t->under || covered.w <= 0 || covered.h <= 0)
        return NULL;
    const wb_color *bg = t->under(t->under_ctx, covered);
    return bg && bg->a == 255 ? bg : NULL;
}

/* ---- texture cache -------------------------------------------------------------------- */

static void tex_slot_free(text *t, tex_entry *e)
{
    if (e->tex)
        SDL_DestroyTexture(e->tex);
    free(e->text);
    t->tex_bytes -= e->bytes;
    memset(e, 0, sizeof *e);
}

static tex_entry *tex_lru(text *t)
{
    tex_entry *victim = NULL;
    for (int i = 0; i < TEX_CACHE_MAX; i++)
        if (t->tex[i].live && (!victim || t->tex[i].used < victim->used))
            victim = &t->tex[i];
    return victim;
}

/* A free slot with room for `bytes` more, evicting the least recently used. */
static tex_entry *tex_slot(text *t, size_t bytes)
{
    tex_entry *e;
    while (t->tex_bytes + bytes > TEX_CACHE_BYTES && (e = tex_lru(t)))
        tex_slot_free(t, e);
    for (int i = 0; i < TEX_CACHE_MAX; i++)
        if (!t->tex[i].live)
            return &t->tex[i];
    e = tex_lru(t);
    tex_slot_free(t, e);
    return e;
}

static uint32_t tex_hash(int role, int size, const char *utf8, wb_color color)
{
    return hash_key((uint32_t)role, (uint32_t)size, rgba(color), 0, utf8);
}

/* Whether e is the blended texture (bg NULL) or the one composed on *bg. */
static int tex_is(text *t, const tex_entry *e, const wb_color *bg)
{
    if (!bg)
        return !e->opaque;
    return e->opaque && same_color(e->bg, *bg) && e->format == target_format(t);
}

/* utf8 at role/size in color from the cache: blended (bg NULL) or composed on *bg, or either
 * when `any` is set (all have the same ink). Borrowed, as tex_add's; NULL if not cached. */
static tex_entry *tex_find(text *t, int role, int size, const char *utf8, wb_color color,
                           const wb_color *bg, int any)
{
    uint32_t hash = tex_hash(role, size, utf8, color);
    for (int i = 0; i < TEX_CACHE_MAX; i++) {
        tex_entry *e = &t->tex[i];
        if (e->live && e->hash == hash && e->role == role && e->size == size &&
            same_color(e->color, color) && (any || tex_is(t, e, bg)) &&
            strcmp(e->text, utf8) == 0) {
            e->used = ++t->clock;
            return e;
        }
    }
    return NULL;
}

/* The texture of the ink of line: blended (bg NULL), or composed on the opaque colour *bg.
 * Caller owns; NULL on error. */
static SDL_Texture *ink_texture(text *t, SDL_Surface *line, SDL_Rect ink, const wb_color *bg,
                                Uint32 format)
{
    if (!bg) {
        SDL_Texture *tex = SDL_CreateTexture(t->ren, SDL_PIXELFORMAT_ARGB8888,
                                             SDL_TEXTUREACCESS_STATIC, ink.w, ink.h);
        const Uint8 *at = (const Uint8 *)line->pixels + (size_t)ink.y * (size_t)line->pitch +
                          (size_t)ink.x * 4;
        if (tex && (SDL_UpdateTexture(tex, NULL, at, line->pitch) != 0 ||
                    SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND) != 0)) {
            SDL_DestroyTexture(tex);
            tex = NULL;
        }
        return tex;
    }
    SDL_Surface *canvas = opaque_canvas(format, *bg, ink.w, ink.h);
    SDL_Texture *tex = canvas && blend_onto(canvas, line, -ink.x, -ink.y) == 0
                           ? opaque_texture(t, canvas)
                           : NULL;
    SDL_FreeSurface(canvas);
    return tex;
}

/* A string fading in or out is drawn in a new alpha every frame, each a texture of its own that
 * is never drawn again: of the variants of one string that differ in alpha alone, the one used
 * last is kept (two alphas taking turns stay cached), the others go before `color` is added. */
static void tex_drop_faded(text *t, int role, int size, const char *utf8, wb_color color,
                           const wb_color *bg)
{
    tex_entry *keep = NULL;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < TEX_CACHE_MAX; i++) {
            tex_entry *e = &t->tex[i];
            if (!e->live || e->role != role || e->size != size || e->color.a == color.a ||
                e->color.r != color.r || e->color.g != color.g || e->color.b != color.b ||
                !tex_is(t, e, bg) || strcmp(e->text, utf8) != 0)
                continue;
            if (pass == 0 && (!keep || e->used > keep->used))
                keep = e;
            else if (pass == 1 && e != keep)
                tex_slot_free(t, e);
        }
    }
}

/* Caches line (utf8 rendered at role/size in color, ARGB8888) as a texture of its ink, blended
 * or composed on *bg. Borrowed: valid until the next tex_add (which may evict it), so draw it
 * before adding another. NULL on error. */
static tex_entry *tex_add(text *t, int role, int size, const char *utf8, wb_color color,
                          const wb_color *bg, SDL_Surface *line)
{
    wb_color none = {0, 0, 0, 0};
    Uint32 format = bg ? target_format(t) : SDL_PIXELFORMAT_UNKNOWN;
    SDL_Rect ink = ink_box(line);
    size_t bytes = (size_t)ink.w * (size_t)ink.h * 4;
    tex_drop_faded(t, role, size, utf8, color, bg);
    tex_entry *e = tex_slot(t, bytes);
    t->renders++;
    e->text = strdup(utf8);
    e->tex = e->text && ink.w > 0 ? ink_texture(t, line, ink, bg, format) : NULL;
    if (!e->text || (ink.w > 0 && !e->tex)) {
        tex_slot_free(t, e);
        return NULL;
    }
    e->live = 1;
    e->hash = tex_hash(role, size, utf8, color);
    e->role = role;
    e->size = size;
    e->color = color;
    e->opaque = bg != NULL;
    e->bg = bg ? *bg : none;
    e->format = format;
    e->ink = ink;
    e->bytes = bytes;
    e->used = ++t->clock;
    t->tex_bytes += bytes;
    return e;
}

/* ---- fit and measure caches ----------------------------------------------------------- */

static fit_entry *fit_find(text *t, int kind, int req_size, wb_rect box, const char *s)
{
    uint32_t hash = hash_key((uint32_t)kind, (uint32_t)req_size, (uint32_t)box.w,
                             (uint32_t)box.h, s);
    fit_entry *set = &t->fit[(hash % FIT_SETS) * CACHE_WAYS];
    for (int i = 0; i < CACHE_WAYS; i++) {
        fit_entry *e = &set[i];
        if (e->text && e->hash == hash && e->kind == kind && e->req_size == req_size &&
            e->box_w == box.w && e->box_h == box.h && strcmp(e->text, s) == 0) {
            e->used = ++t->clock;
            return e;
        }
    }
    return NULL;
}

/* Remembers a decision (a copy of *d keyed by its own fields and s); failures are harmless:
 * the decision is only made again next time. */
static void fit_store(text *t, const fit_entry *d, const char *s)
{
    uint32_t hash = hash_key((uint32_t)d->kind, (uint32_t)d->req_size, (uint32_t)d->box_w,
                             (uint32_t)d->box_h, s);
    fit_entry *set = &t->fit[(hash % FIT_SETS) * CACHE_WAYS], *slot = &set[0];
    for (int i = 0; i < CACHE_WAYS && slot->text; i++)
        if (!set[i].text || set[i].used < slot->used)
            slot = &set[i];
    free(slot->text);
    *slot = *d;
    slot->text = strdup(s);
    slot->hash = hash;
    slot->used = ++t->clock;
}

static measure_entry *measure_find(text *t, int role, int size, const char *s)
{
    uint32_t hash = hash_key((uint32_t)role, (uint32_t)size, 0, 0, s);
    measure_entry *set = &t->measure[(hash % MEASURE_SETS) * CACHE_WAYS];
    for (int i = 0; i < CACHE_WAYS; i++) {
        measure_entry *e = &set[i];
        if (e->text && e->hash == hash && e->role == role && e->size == size &&
            strcmp(e->text, s) == 0) {
            e->used = ++t->clock;
            return e;
        }
    }
    return NULL;
}

/* Remembers a measurement; failures are harmless, as fit_store's. */
static void measure_store(text *t, int role, int size, const char *s, int w, int h)
{
    uint32_t hash = hash_key((uint32_t)role, (uint32_t)size, 0, 0, s);
    measure_entry *set = &t->measure[(hash % MEASURE_SETS) * CACHE_WAYS], *slot = &set[0];
    for (int i = 0; i < CACHE_WAYS && slot->text; i++)
        if (!set[i].text || set[i].used < slot->used)
            slot = &set[i];
    free(slot->text);
    *slot = (measure_entry){strdup(s), hash, role, size, w, h, ++t->clock};
}

/* ---- labels --------------------------------------------------------------------------- */

/* pixel_size 0: the size whose glyphs take about 80 % of the box height. */
static int label_size(int pixel_size, wb_rect box)
{
    int size = pixel_size > 0 ? pixel_size : box.h * FIT_HEIGHT_PERCENT / 100;
    return size < 1 ? 1 : size > PX_MAX ? PX_MAX : size;
}

/* The longest prefix of utf8 that fits box_w with an ellipsis, cut at a code point; trailing
 * spaces dropped. Returns its byte length, or -1 if not even the ellipsis fits or on error. */
static int cut_prefix(text *t, int role, int size, const char *utf8, int box_w)
{
    size_t len = strlen(utf8);
    char *buf = malloc(len + sizeof ELLIPSIS);
    size_t *ends = malloc((len + 1) * sizeof *ends); /* byte length of the first k code points */
    int n = 0, best = -1;
    if (!buf || !ends)
        goto done;
    ends[0] = 0;
    for (size_t pos = 0; pos < len; n++) {
        Uint32 cp;
        pos += (size_t)utf8_next(utf8 + pos, &cp);
        ends[n + 1] = pos;
    }
    int lo = 0, hi = n; /* binary search for the largest k whose cut fits */
    while (lo <= hi) {
        int k = (lo + hi) / 2, w, h;
        size_t keep = ends[k];
        while (keep > 0 && utf8[keep - 1] == ' ')
            keep--;
        memcpy(buf, utf8, keep);
        memcpy(buf + keep, ELLIPSIS, sizeof ELLIPSIS);
        if (measure_line(t, role, size, buf, &w, &h, NULL) != 0)
            break;
        if (w <= box_w) {
            best = (int)keep;
            lo = k + 1;
        } else {
            hi = k - 1;
        }
    }
done:
    free(buf);
    free(ends);
    return best;
}

/* Decides size and cut for a label: shrink proportionally down to 60 %, then cut. */
static int fit_label_size(text *t, int role, int pixel_size, const char *utf8, wb_rect box,
                          fit_entry *d)
{
    int size = label_size(pixel_size, box), w, h;
    *d = (fit_entry){.kind = role, .req_size = pixel_size, .box_w = box.w, .box_h = box.h,
                     .size = size, .keep_bytes = -1, .result = 0};
    if (measure_line(t, role, size, utf8, &w, &h, NULL) != 0)
        return -1;
    if (w <= box.w)
        return 0;
    d->result = 1;
    int min_size = (size * SHRINK_MIN_PERCENT + 99) / 100;
    /* Width is nearly proportional to size; hinting may need a step or two more. */
    for (int s = (int)((long long)size * box.w / w); s >= min_size && s >= 1; s--) {
        if (measure_line(t, role, s, utf8, &w, &h, NULL) != 0)
            return -1;
        if (w <= box.w) {
            d->size = s;
            return 0;
        }
    }
    int keep = cut_prefix(t, role, min_size, utf8, box.w);
    d->keep_bytes = keep < 0 ? 0 : keep;
    d->size = keep < 0 ? 0 : min_size; /* 0: not even "…" fits, draw nothing */
    return 0;
}

/* The string a fit decision shows: utf8, or its cut with the ellipsis in *cut (caller frees).
 * NULL when out of memory. */
static const char *shown_text(const fit_entry *d, const char *utf8, char **cut)
{
    *cut = NULL;
    if (d->keep_bytes < 0)
        return utf8;
    *cut = malloc((size_t)d->keep_bytes + sizeof ELLIPSIS);
    if (!*cut)
        return NULL;
    memcpy(*cut, utf8, (size_t)d->keep_bytes);
    memcpy(*cut + d->keep_bytes, ELLIPSIS, sizeof ELLIPSIS);
    return *cut;
}

/* Top + bottom of the ink of Latin capitals, descenders and CJK characters about the baseline:
 * the baseline goes where that ink is centred in the box. The line box (ascent..descent) would
 * not do: Noto Sans CJK's ascent leaves room for stacked accents, which would push every label
 * low. */
static int label_ink(text *t, int role, int size)
{
    static const Uint32 refs[] = {'H', 'g', 0xD658 /* 환 */, 0x56FD /* 国 */};
    TTF_Font *f = get_font(t, role, 0, size, 0);
    int top = 0, bottom = 0, any = 0;
    for (size_t i = 0; f && i < sizeof refs / sizeof refs[0]; i++) {
        int minx, maxx, miny, maxy, adv;
        if (!TTF_GlyphIsProvided32(f, refs[i]) ||
            TTF_GlyphMetrics32(f, refs[i], &minx, &maxx, &miny, &maxy, &adv) != 0)
            continue;
        top = any && top > maxy ? top : maxy;
        bottom = any && bottom < miny ? bottom : miny;
        any = 1;
    }
    if (!any && f) {
        top = TTF_FontAscent(f);
        bottom = TTF_FontDescent(f);
    }
    return top + bottom;
}

/* fit_label_size, and where the shown string goes: its line's size and baseline, so that a
 * cached decision draws without FreeType. */
static int fit_label(text *t, int role, int pixel_size, const char *utf8, wb_rect box,
                     fit_entry *d)
{
    if (fit_label_size(t, role, pixel_size, utf8, box, d) != 0)
        return -1;
    if (d->size == 0)
        return 0;
    char *cut;
    const char *shown = shown_text(d, utf8, &cut);
    int rc = shown ? measure_line(t, role, d->size, shown, &d->w, &d->h, &d->ascent) : -1;
    free(cut);
    d->ink = label_ink(t, role, d->size);
    return rc;
}

static int align_x(wb_rect box, int w, wb_align align)
{
    if (align == WB_ALIGN_CENTER)
        return box.x + (box.w - w) / 2;
    if (align == WB_ALIGN_RIGHT)
        return box.x + box.w - w;
    return box.x;
}

int text_draw(text *t, wb_font_role role, int pixel_size, const char *utf8, wb_rect box,
              wb_align align, wb_color color)
{
    if (!t || !utf8 || !valid_role((int)role))
        return -1;
    t->last_drawn = (wb_rect){0, 0, 0, 0};
    if (!*utf8)
        return 0;
    if (box.w <= 0 || box.h <= 0)
        return 1;
    fit_entry d;
    fit_entry *cached = fit_find(t, (int)role, pixel_size, box, utf8);
    if (cached) {
        d = *cached;
    } else {
        if (fit_label(t, (int)role, pixel_size, utf8, box, &d) != 0)
            return -1;
        fit_store(t, &d, utf8);
    }
    if (d.size == 0)
        return 1;
    /* The line is d.w x d.h there, its baseline d.ascent from its top; what it changes is its
     * ink, which any cached texture of it knows (else the line is rendered now). */
    int x = align_x(box, d.w, align), y = box.y + (box.h + d.ink) / 2 - d.ascent;
    char *cut;
    const char *shown = shown_text(&d, utf8, &cut);
    SDL_Surface *line = NULL;
    tex_entry *e = shown ? tex_find(t, (int)role, d.size, shown, color, NULL, 1) : NULL;
    if (shown && !e) {
        int ascent;
        line = render_line(t, (int)role, d.size, shown, color, &ascent);
    }
    if (!e && !line) {
        free(cut);
        return -1;
    }
    SDL_Rect ink = e ? e->ink : ink_box(line);
    wb_rect at = {x + ink.x, y + ink.y, ink.w, ink.h};
    const wb_color *bg = ask_under(t, at);
    if (!e || !tex_is(t, e, bg))
        e = tex_find(t, (int)role, d.size, shown, color, bg, 0);
    if (!e) {
        int ascent;
        if (!line)
            line = render_line(t, (int)role, d.size, shown, color, &ascent);
        e = line ? tex_add(t, (int)role, d.size, shown, color, bg, line) : NULL;
    }
    SDL_FreeSurface(line);
    free(cut);
    if (!e)
        return -1;
    if (e->tex) {
        SDL_Rect dst = {at.x, at.y, at.w, at.h};
        SDL_RenderCopy(t->ren, e->tex, NULL, &dst);
        t->last_drawn = at;
    }
    return d.result;
}

wb_rect text_last_drawn(const text *t)
{
    return t ? t->last_drawn : (wb_rect){0, 0, 0, 0};
}

void text_set_under(text *t, text_under_fn under, void *ctx)
{
    if (!t)
        return;
    t->under = under;
    t->under_ctx = under ? ctx : NULL;
}

int text_measure(text *t, wb_font_role role, int pixel_size, const char *utf8, int *width,
                 int *height)
{
    int w = 0, h = 0;
    if (!t || !utf8 || !valid_role((int)role) || pixel_size < 1 || pixel_size > PX_MAX)
        return -1;
    const measure_entry *m = measure_find(t, (int)role, pixel_size, utf8);
    if (m) {
        w = m->w;
        h = m->h;
    } else if (*utf8) {
        if (measure_line(t, (int)role, pixel_size, utf8, &w, &h, NULL) != 0)
            return -1;
        measure_store(t, (int)role, pixel_size, utf8, w, h);
    } else {
        TTF_Font *f = get_font(t, (int)role, 0, pixel_size, 0);
        h = f ? TTF_FontHeight(f) : 0;
        if (f)
            measure_store(t, (int)role, pixel_size, utf8, w, h);
    }
    if (width)
        *width = w;
    if (height)
        *height = h;
    return 0;
}

/* ---- LED numbers ---------------------------------------------------------------------- */

/* Whether DSEG7 draws ASCII character c as a full-width cell: it has a glyph as wide as '8'.
 * Found once per character. 1 or 0, -1 if the LED font cannot be opened. */
static int led_is_cell(text *t, int c)
{
    if (t->led_class[c])
        return t->led_class[c] > 0;
    TTF_Font *f = get_font(t, WB_FONT_LED, 0, LED_REF_SIZE, 0);
    int minx, maxx, miny, maxy, full, adv;
    if (!f || TTF_GlyphMetrics32(f, '8', &minx, &maxx, &miny, &maxy, &full) != 0)
        return -1;
    int cell = TTF_GlyphIsProvided32(f, (Uint32)c) &&
               TTF_GlyphMetrics32(f, (Uint32)c, &minx, &maxx, &miny, &maxy, &adv) == 0 &&
               adv == full;
    t->led_class[c] = cell ? 1 : -1;
    return cell;
}

/* DSEG7 lines its "8" ghosts up only with full-width glyphs: a space is narrow, '!' is the
 * full-width blank. '.' (zero width) and ':' (narrow) keep their place in both strings. A
 * character DSEG7 lacks (',' of "1,234") or draws at another width becomes a blank cell:
 * a .notdef box would be wrong, and shift every lit segment off its ghost. lit and ghost hold
 * strlen(digits) + 1 bytes. 0, or -1 if the LED font cannot be opened. */
static int led_strings(text *t, const char *digits, char *lit, char *ghost)
{
    size_t n = 0;
    for (const char *p = digits; *p;) {
        Uint32 cp;
        p += utf8_next(p, &cp);
        if (cp == 0x2212)
            cp = '-'; /* the typographic minus */
        int keep = cp == '.' || cp == ':', cell = 0;
        if (!keep && cp < 0x80 && cp != ' ' && (cell = led_is_cell(t, (int)cp)) < 0)
            return -1;
        lit[n] = keep || cell ? (char)cp : '!';
        ghost[n] = keep ? (char)cp : '8';
        n++;
    }
    lit[n] = ghost[n] = '\0';
    return 0;
}

/* The largest size <= guess at which ghost fits box_w x box_h, stepping down from a
 * proportional guess (hinting rounds widths, so the guess may be a pixel or two off).
 * 0 if none fits, -1 on error. */
static int led_largest(text *t, const char *ghost, int guess, int box_w, int box_h)
{
    for (int s = guess; s >= 1; s--) {
        int w, h;
        if (measure_line(t, WB_FONT_LED, s, ghost, &w, &h, NULL) != 0)
            return -1;
        if (w <= box_w && h <= box_h)
            return s;
    }
    return 0;
}

/* The largest size at which the ghost string fits box; result 1 when the width limited it. */
static int fit_led_size(text *t, const char *ghost, wb_rect box, fit_entry *d)
{
    int size = box.h > PX_MAX ? PX_MAX : box.h, w, h;
    *d = (fit_entry){.kind = FIT_LED, .box_w = box.w, .box_h = box.h, .keep_bytes = -1};
    if (measure_line(t, WB_FONT_LED, size, ghost, &w, &h, NULL) != 0)
        return -1;
    if (h > box.h) /* DSEG7's line is one em tall; another font may need scaling */
        size = (int)((long long)size * box.h / h);
    int by_height = led_largest(t, ghost, size, INT32_MAX, box.h);
    if (by_height < 0)
        return -1;
    if (by_height == 0) { /* not even 1 px: nothing to draw */
        d->result = 1;
        return 0;
    }
    if (measure_line(t, WB_FONT_LED, by_height, ghost, &w, &h, NULL) != 0)
        return -1;
    if (w <= box.w) {
        d->size = by_height;
        return 0;
    }
    d->result = 1;
    int s = led_largest(t, ghost, (int)((long long)by_height * box.w / w), box.w, box.h);
    if (s < 0)
        return -1;
    /* The proportional guess rounds down; one size up may still fit. */
    if (s >= 1 && s + 1 < by_height) {
        int up = led_largest(t, ghost, s + 1, box.w, box.h);
        if (up < 0)
            return -1;
        s = up;
    }
    d->size = s;
    return 0;
}

/* fit_led_size, and the ghost string's size there: it places the number in the box. */
static int fit_led(text *t, const char *ghost, wb_rect box, fit_entry *d)
{
    if (fit_led_size(t, ghost, box, d) != 0)
        return -1;
    return d->size > 0 ? measure_line(t, WB_FONT_LED, d->size, ghost, &d->w, &d->h, NULL) : 0;
}

/* ---- LED cells ------------------------------------------------------------------------ */

/* A whole string in DSEG7 is its glyphs side by side: each pen is the sum of the advances
 * before it (no kerning), shifted right as far as the leftmost ink is left of 0 (a leading
 * '.'), and no glyph reaches above the ascent (checked against TTF_SizeUTF8 for sizes 1..1200).
 * So a number is drawn as a row of per-character pieces, put exactly where SDL_ttf would put
 * them in the whole string, and a new value renders nothing new. */

static int led_narrow(int c)
{
    return c == '.' || c == ':';
}

/* One LED glyph alone in color, and the column of its pen: SDL_ttf shifts a glyph inked left
 * of its pen right by that much. Caller owns the surface; NULL on error. */
static SDL_Surface *led_glyph_surface(TTF_Font *f, int c, wb_color color, int *pen_x)
{
    char s[2] = {(char)c, '\0'};
    int minx, maxx, miny, maxy, adv;
    if (TTF_GlyphMetrics32(f, (Uint32)c, &minx, &maxx, &miny, &maxy, &adv) != 0)
        return NULL;
    *pen_x = minx < 0 ? -minx : 0;
    return render_utf8(f, s, color);
}

/* The shape of size/ghost, found or started empty (evicting the least recently used). */
static led_shape *led_shape_get(text *t, int size, int ghost)
{
    led_shape *slot = NULL;
    for (int i = 0; i < LED_SHAPE_MAX; i++) {
        led_shape *s = &t->shape[i];
        if (s->live && s->size == size && s->ghost == ghost) {
            s->used = ++t->clock;
            return s;
        }
        if (!slot || (slot->live && (!s->live || s->used < slot->used)))
            slot = s;
    }
    *slot = (led_shape){.live = 1, .size = size, .ghost = ghost, .used = ++t->clock};
    return slot;
}

/* Where character c of a lit string lies at the shape's size, worked out now if new (the cell
 * from the glyphs rendered in opaque white: alpha is coverage alone then). Borrowed; NULL on
 * error. */
static const led_shape_char *led_shape_char_get(text *t, led_shape *sh, int c)
{
    led_shape_char *sc = &sh->c[c];
    if (sc->ready)
        return sc;
    int narrow = led_narrow(c), ghost_c = narrow ? c : '8';
    int minx, maxx, miny, maxy, adv, ghost_minx;
    TTF_Font *f = get_font(t, WB_FONT_LED, 0, sh->size, 0);
    if (!f ||
        TTF_GlyphMetrics32(f, (Uint32)ghost_c, &ghost_minx, &maxx, &miny, &maxy, &sc->adv) != 0 ||
        TTF_GlyphMetrics32(f, (Uint32)c, &minx, &maxx, &miny, &maxy, &adv) != 0)
        return NULL;
    sc->left = minx < ghost_minx ? minx : ghost_minx;
    sc->cell = (SDL_Rect){0, 0, 0, 0};
    const int inks[2] = {c, '8'};
    for (int i = 0; !narrow && i < (sh->ghost ? 2 : 1); i++) {
        int pen_x;
        SDL_Surface *g = led_glyph_surface(f, inks[i], (wb_color){255, 255, 255, 255}, &pen_x);
        if (!g)
            return NULL;
        SDL_Rect ink = ink_box(g);
        SDL_FreeSurface(g);
        ink.x -= pen_x;
        sc->cell = rect_union(sc->cell, ink);
    }
    sc->ready = 1;
    return sc;
}

static void led_piece_free(text *t, led_set *s, led_piece *p)
{
    if (p->tex) {
        size_t bytes = (size_t)p->w * (size_t)p->h * 4;
        SDL_DestroyTexture(p->tex);
        s->bytes -= bytes;
        t->led_bytes -= bytes;
    }
    memset(p, 0, sizeof *p);
}

static void led_set_free(text *t, led_set *s)
{
    if (!s->live)
        return;
    led_piece_free(t, s, &s->ghost8);
    for (int c = 0; c < LED_CHARS; c++) {
        led_piece_free(t, s, &s->glyph[c].lit);
        led_piece_free(t, s, &s->glyph[c].ghost);
    }
    memset(s, 0, sizeof *s);
}

/* Evicts least recently used combinations other than `keep` until `bytes` more fit the bound.
 * `keep` is the one drawing now: it may pass the bound alone rather than evict its own cells
 * in the middle of a number. */
static void led_make_room(text *t, const led_set *keep, size_t bytes)
{
    while (t->led_bytes + bytes > LED_CACHE_BYTES) {
        led_set *victim = NULL;
        for (int i = 0; i < LED_SET_MAX; i++) {
            led_set *s = &t->led[i];
            if (s->live && s != keep && (!victim || s->used < victim->used))
                victim = s;
        }
        if (!victim)
            return;
        led_set_free(t, victim);
    }
}

/* The combination's set, found or started empty (evicting the least recently used slot). bg:
 * NULL (blended cells) or the opaque colour the cells are composed on. */
static led_set *led_set_get(text *t, int size, wb_color color, int ghost, wb_color ghost_color,
                            const wb_color *bg)
{
    int opaque = bg != NULL;
    wb_color none = {0, 0, 0, 0};
    wb_color gc = ghost ? ghost_color : none, back = opaque ? *bg : none;
    Uint32 format = opaque ? target_format(t) : SDL_PIXELFORMAT_UNKNOWN;
    ghost = ghost != 0;
    led_set *slot = NULL;
    for (int i = 0; i < LED_SET_MAX; i++) {
        led_set *s = &t->led[i];
        if (s->live && s->size == size && s->ghost == ghost && s->opaque == opaque &&
            s->format == format && same_color(s->color, color) &&
            same_color(s->ghost_color, gc) && same_color(s->bg, back)) {
            s->used = ++t->clock;
            return s;
        }
        if (!slot || (slot->live && (!s->live || s->used < slot->used)))
            slot = s;
    }
    led_set_free(t, slot);
    slot->live = 1;
    slot->size = size;
    slot->ghost = ghost;
    slot->opaque = opaque;
    slot->color = color;
    slot->ghost_color = gc;
    slot->bg = back;
    slot->format = format;
    slot->used = ++t->clock;
    return slot;
}

/* A texture of the inked part of g, blended when drawn. 0, or -1. */
static int led_piece_make(text *t, led_set *s, SDL_Surface *g, int pen_x, led_piece *p)
{
    SDL_Rect r = ink_box(g);
    memset(p, 0, sizeof *p);
    if (r.w == 0)
        return 0;
    size_t bytes = (size_t)r.w * (size_t)r.h * 4;
    led_make_room(t, s, bytes);
    p->tex = SDL_CreateTexture(t->ren, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC, r.w,
                               r.h);
    if (!p->tex)
        return -1;
    const Uint8 *at = (const Uint8 *)g->pixels + (size_t)r.y * (size_t)g->pitch + (size_t)r.x * 4;
    if (SDL_UpdateTexture(p->tex, NULL, at, g->pitch) != 0 ||
        SDL_SetTextureBlendMode(p->tex, SDL_BLENDMODE_BLEND) != 0) {
        SDL_DestroyTexture(p->tex);
        p->tex = NULL;
        return -1;
    }
    *p = (led_piece){p->tex, r.x - pen_x, r.y, r.w, r.h};
    s->bytes += bytes;
    t->led_bytes += bytes;
    return 0;
}

/* A full-width cell on the set's background: the ghost (if any) then the lit glyph blended on
 * it exactly as they would be on the screen (the same SDL blit, the same pixels), over the
 * shape's cell (which holds all their ink: the set's colours are opaque) and made opaque, in
 * the target's format so that drawing it is a plain copy. 0, or -1. */
static int led_cell_make(text *t, led_set *s, SDL_Rect cell, SDL_Surface *lit, int lit_pen,
                         SDL_Surface *gh, int gh_pen, led_piece *p)
{
    SDL_Surface *src[2] = {gh, lit};
    int pen[2] = {gh_pen, lit_pen};
    memset(p, 0, sizeof *p);
    if (cell.w == 0)
        return 0; /* the blank with no ghost: the background already shows it */
    SDL_Surface *canvas = opaque_canvas(s->format, s->bg, cell.w, cell.h);
    if (!canvas)
        return -1;
    for (int i = 0; i < 2; i++) {
        if (src[i] && blend_onto(canvas, src[i], -pen[i] - cell.x, -cell.y) != 0) {
            SDL_FreeSurface(canvas);
            return -1;
        }
    }
    size_t bytes = (size_t)cell.w * (size_t)cell.h * 4;
    led_make_room(t, s, bytes);
    SDL_Texture *tex = opaque_texture(t, canvas);
    SDL_FreeSurface(canvas);
    if (!tex)
        return -1;
    *p = (led_piece){tex, cell.x, cell.y, cell.w, cell.h};
    s->bytes += bytes;
    t->led_bytes += bytes;
    return 0;
}

/* The set's ghost '8' for blended cells. 0, or -1. */
static int led_ghost8(text *t, led_set *s)
{
    if (s->ghost8_ready)
        return 0;
    TTF_Font *f = get_font(t, WB_FONT_LED, 0, s->size, 0);
    int pen_x;
    SDL_Surface *g = f ? led_glyph_surface(f, '8', s->ghost_color, &pen_x) : NULL;
    int rc = g ? led_piece_make(t, s, g, pen_x, &s->ghost8) : -1;
    SDL_FreeSurface(g);
    s->ghost8_ready = rc == 0;
    return rc;
}

/* Character c of a lit string (see led_strings) in set s, built now if new; sc is its shape.
 * Borrowed, valid while s lives; NULL on error. */
static led_glyph *led_glyph_get(text *t, led_set *s, const led_shape_char *sc, int c)
{
    led_glyph *g = &s->glyph[c];
    if (g->ready)
        return g;
    int narrow = led_narrow(c), ghost_c = narrow ? c : '8';
    int lit_pen = 0, gh_pen = 0, rc = -1;
    TTF_Font *f = get_font(t, WB_FONT_LED, 0, s->size, 0);
    if (!f)
        return NULL;
    int want_ghost = s->ghost && (narrow || s->opaque);
    t->renders++;
    SDL_Surface *lit = led_glyph_surface(f, c, s->color, &lit_pen);
    SDL_Surface *gh = want_ghost ? led_glyph_surface(f, ghost_c, s->ghost_color, &gh_pen) : NULL;
    if (lit && (gh || !want_ghost)) {
        if (s->opaque && !narrow)
            rc = led_cell_make(t, s, sc->cell, lit, lit_pen, gh, gh_pen, &g->lit);
        else
            rc = led_piece_make(t, s, lit, lit_pen, &g->lit) == 0 &&
                         (!gh || led_piece_make(t, s, gh, gh_pen, &g->ghost) == 0)
                     ? 0
                     : -1;
    }
    SDL_FreeSurface(lit);
    SDL_FreeSurface(gh);
    if (rc != 0) {
        led_piece_free(t, s, &g->lit);
        led_piece_free(t, s, &g->ghost);
        return NULL;
    }
    g->ready = 1;
    return g;
}

static void led_copy(text *t, const led_piece *p, int x, int y, SDL_Rect *drawn)
{
    if (!p->tex)
        return;
    SDL_Rect dst = {x + p->dx, y + p->dy, p->w, p->h};
    SDL_RenderCopy(t->ren, p->tex, NULL, &dst);
    *drawn = rect_union(*drawn, dst);
}

int text_draw_led(text *t, const char *digits, wb_rect box, wb_align align, wb_color color,
                  int ghost, wb_color ghost_color)
{
    if (!t || !digits)
        return -1;
    t->last_drawn = (wb_rect){0, 0, 0, 0};
    if (!*digits)
        return 0;
    if (box.w <= 0 || box.h <= 0)
        return 1;
    size_t len = strlen(digits);
    char *lit = malloc(2 * (len + 1)), *ghost_s = lit ? lit + len + 1 : NULL;
    int rc = -1;
    if (!lit)
        return -1;
    if (led_strings(t, digits, lit, ghost_s) != 0)
        goto done;
    fit_entry d;
    fit_entry *cached = fit_find(t, FIT_LED, 0, box, ghost_s);
    if (cached) {
        d = *cached;
    } else {
        if (fit_led(t, ghost_s, box, &d) != 0)
            goto done;
        fit_store(t, &d, ghost_s);
    }
    rc = d.result;
    if (d.size == 0)
        goto done;
    ghost = ghost != 0;
    led_shape *sh = led_shape_get(t, d.size, ghost);
    /* The pens, as in the whole ghost string: the leftmost ink (a leading '.') shifts it. */
    int pen = 0, left = 0;
    for (const char *p = lit; *p; p++) {
        const led_shape_char *sc = led_shape_char_get(t, sh, (unsigned char)*p & (LED_CHARS - 1));
        if (!sc) {
            rc = -1;
            goto done;
        }
        left = pen + sc->left < left ? pen + sc->left : left;
        pen += sc->adv;
    }
    int x0 = align_x(box, d.w, align) - left, y = box.y + (box.h - d.h) / 2;
    /* Opaque cells need opaque colours (the shapes' cells hold their ink then) and a host that
     * knows the one colour under all of them. */
    const wb_color *bg = NULL;
    if (t->under && color.a == 255 && (!ghost || ghost_color.a == 255)) {
        SDL_Rect cells = {0, 0, 0, 0};
        pen = x0;
        for (const char *p = lit; *p; p++) {
            const led_shape_char *sc = &sh->c[(unsigned char)*p & (LED_CHARS - 1)];
            if (!led_narrow(*p)) {
                SDL_Rect at = {pen + sc->cell.x, y + sc->cell.y, sc->cell.w, sc->cell.h};
                cells = rect_union(cells, at);
            }
            pen += sc->adv;
        }
        bg = ask_under(t, (wb_rect){cells.x, cells.y, cells.w, cells.h});
    }
    led_set *s = led_set_get(t, d.size, color, ghost, ghost_color, bg);
    for (const char *p = lit; *p; p++) {
        int c = (unsigned char)*p & (LED_CHARS - 1);
        if (!led_glyph_get(t, s, &sh->c[c], c)) {
            rc = -1;
            goto done;
        }
    }
    if (s->ghost && !s->opaque && led_ghost8(t, s) != 0) {
        rc = -1;
        goto done;
    }
    /* As the whole strings were drawn: every ghost, then every lit glyph over it. Opaque cells
     * hold both already and go first; the narrow pieces blend over their neighbours' margins. */
    SDL_Rect drawn = {0, 0, 0, 0};
    for (int pass = 0; pass < 3; pass++) {
        pen = x0;
        for (const char *p = lit; *p; p++) {
            int c = (unsigned char)*p & (LED_CHARS - 1), narrow = led_narrow(c);
            led_glyph *g = &s->glyph[c];
            const led_piece *piece = NULL;
            if (pass == 0 && s->opaque && !narrow)
                piece = &g->lit;
            else if (pass == 1 && s->ghost && (narrow || !s->opaque))
                piece = narrow ? &g->ghost : &s->ghost8;
            else if (pass == 2 && (narrow || !s->opaque))
                piece = &g->lit;
            if (piece)
                led_copy(t, piece, pen, y, &drawn);
            pen += sh->c[c].adv;
        }
    }
    t->last_drawn = (wb_rect){drawn.x, drawn.y, drawn.w, drawn.h};
done:
    free(lit);
    return rc;
}

/* ---- lifetime ------------------------------------------------------------------------- */

/* The index of f's face (file and index) in t->faces, added if new; -1 when out of memory. */
static int face_id(text *t, const font_face *f)
{
    for (int i = 0; i < t->face_count; i++)
        if (t->faces[i].index == f->face_index && strcmp(t->faces[i].path, f->path) == 0)
            return i;
    if (t->face_count == FACE_MAX || !(t->faces[t->face_count].path = strdup(f->path)))
        return -1;
    t->faces[t->face_count].index = f->face_index;
    return t->face_count++;
}

static int copy_chains(text *t, const font_set *fonts, char *err, size_t err_size)
{
    static const char *const names[ROLE_COUNT] = {"led", "label", "label_bold"};
    for (int role = 0; role < ROLE_COUNT; role++) {
        if (fonts->count[role] < 1 || fonts->count[role] > FONTS_MAX_CHAIN) {
            set_error(err, err_size, "no font for role %s", names[role]);
            return -1;
        }
        for (int i = 0; i < fonts->count[role]; i++) {
            t->chain[role][i] = face_id(t, &fonts->chain[role][i]);
            if (t->chain[role][i] < 0) {
                set_error(err, err_size, "out of memory");
                return -1;
            }
            t->count[role] = i + 1;
        }
        /* Open the first face now so a broken file is a clear error at start, not a blank tile;
         * it stays open as the face's first instance. */
        if (!get_font(t, role, 0, 16, 0)) {
            const face_ref *f = &t->faces[t->chain[role][0]];
            set_error(err, err_size, "cannot open font %s (face %d) for role %s: %s", f->path,
                      f->index, names[role], TTF_GetError());
            return -1;
        }
    }
    return 0;
}

text *text_open(const font_set *fonts, SDL_Renderer *renderer, char *err, size_t err_size)
{
    if (!fonts || !renderer) {
        set_error(err, err_size, "text_open: no font set or renderer");
        return NULL;
    }
    if (TTF_Init() != 0) {
        set_error(err, err_size, "TTF_Init: %s", TTF_GetError());
        return NULL;
    }
    text *t = calloc(1, sizeof *t);
    if (!t) {
        set_error(err, err_size, "out of memory");
        TTF_Quit();
        return NULL;
    }
    t->ren = renderer;
    if (copy_chains(t, fonts, err, err_size) != 0) {
        text_close(t);
        return NULL;
    }
    return t;
}

void text_flush_cache(text *t)
{
    if (!t)
        return;
    for (int i = 0; i < TEX_CACHE_MAX; i++)
        tex_slot_free(t, &t->tex[i]);
    t->tex_bytes = 0;
    for (int i = 0; i < LED_SET_MAX; i++)
        led_set_free(t, &t->led[i]);
    t->led_bytes = 0;
}

void text_cache_info_get(const text *t, text_cache_info *info)
{
    memset(info, 0, sizeof *info);
    info->tex_bound = TEX_CACHE_BYTES;
    info->led_bound = LED_CACHE_BYTES;
    if (!t)
        return;
    info->tex_bytes = t->tex_bytes;
    info->led_bytes = t->led_bytes;
    for (int i = 0; i < TEX_CACHE_MAX; i++)
        info->tex_count += t->tex[i].live;
    for (int i = 0; i < LED_SET_MAX; i++)
        info->led_sets += t->led[i].live;
    for (int i = 0; i < FONT_CACHE_MAX; i++)
        info->fonts_open += t->fonts[i].font != NULL;
    info->renders = t->renders;
    info->font_opens = t->font_opens;
    info->font_resizes = t->font_resizes;
}

void text_close(text *t)
{
    if (!t)
        return;
    text_flush_cache(t);
    for (int i = 0; i < FIT_SETS * CACHE_WAYS; i++)
        free(t->fit[i].text);
    for (int i = 0; i < MEASURE_SETS * CACHE_WAYS; i++)
        free(t->measure[i].text);
    for (int i = 0; i < FONT_CACHE_MAX; i++)
        font_slot_close(&t->fonts[i]);
    for (int i = 0; i < t->face_count; i++)
        free(t->faces[i].path);
    free(t);
    TTF_Quit(); /* reference counted by SDL_ttf: pairs with text_open's TTF_Init */
}

void *text_font(text *t, wb_font_role role, int pixel_size)
{
    if (!t)
        return NULL;
    return get_font(t, (int)role, 0, pixel_size, 1);
}
