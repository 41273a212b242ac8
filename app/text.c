/* text.c: labels with a Korean -> Chinese -> Latin font fallback, and DSEG7 LED numbers with
 * ghost segments, kept as textures. Never renders a cached string again nor draws .notdef boxes. */
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
#define FONT_CACHE_MAX 64
/* Fonts handed out by text_font() are never closed before text_close (plugins keep the
 * pointer); at most this many, so the cache keeps room for its own sizes. */
#define FONT_PINNED_MAX 32
#define TEX_CACHE_MAX 256
#define TEX_CACHE_BYTES ((size_t)64 << 20)
#define FIT_CACHE_MAX 256
#define PX_MAX 4096
#define FIT_HEIGHT_PERCENT 80
#define SHRINK_MIN_PERCENT 60
#define ELLIPSIS "\xE2\x80\xA6"
/* Glyph widths of the LED font are compared at this size (any size would do). */
#define LED_REF_SIZE 64

typedef struct face_ref {
    char *path;        /* owned */
    int index;
} face_ref;

typedef struct font_entry {
    TTF_Font *font;    /* owned; NULL = free slot */
    int role, face, size;
    int pinned;
    uint64_t used;
} font_entry;

/* A rendered string in white; drawn with a colour mod, so colour is not part of the key. */
typedef struct tex_entry {
    SDL_Texture *tex;  /* owned; NULL = free slot */
    char *text;        /* owned */
    uint32_t hash;
    int role, size;
    int w, h;
    int ascent;        /* baseline, from the top */
    size_t bytes;
    uint64_t used;
} tex_entry;

/* How a string was fitted into a box: the pixel size, and where it was cut. */
typedef struct fit_entry {
    char *text;        /* owned; NULL = free slot */
    uint32_t hash;
    int kind;          /* role, or FIT_LED */
    int req_size, box_w, box_h;
    int size;
    int keep_bytes;    /* bytes kept before the ellipsis; -1 = not cut */
    int result;        /* 0 fitted, 1 shrunk or cut */
    uint64_t used;
} fit_entry;

/* One stretch of a string drawn with one face of the chain. */
typedef struct run {
    size_t start, len;
    int face;
    int w, h, ascent;
} run;

typedef struct run_list {
    run *runs;         /* owned */
    int count, cap;
    int w, h, ascent;  /* the whole line: runs side by side on a common baseline */
} run_list;

struct text {
    face_ref chain[ROLE_COUNT][FONTS_MAX_CHAIN];
    int count[ROLE_COUNT];
    /* Faces that failed to open: not retried for every character of every string. */
    unsigned char broken[ROLE_COUNT][FONTS_MAX_CHAIN];
    SDL_Renderer *ren; /* borrowed */
    font_entry fonts[FONT_CACHE_MAX];
    tex_entry tex[TEX_CACHE_MAX];
    size_t tex_bytes;
    fit_entry fit[FIT_CACHE_MAX];
    uint64_t clock;    /* LRU stamps */
};

static int valid_role(int role)
{
    return role >= 0 && role < ROLE_COUNT;
}

static uint32_t hash_key(int kind, int a, int b, int c, const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    int ints[4] = {kind, a, b, c};
    const unsigned char *p = (const unsigned char *)ints;
    for (size_t i = 0; i < sizeof ints; i++)
        h = (h ^ p[i]) * 16777619u;
    for (p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
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

/* A free slot, closing the least recently used unpinned font if the cache is full. */
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

/* Face `face` of the role's chain at `size`: borrowed, valid until evicted (pinned: until
 * text_close). NULL if it cannot be opened or the cache is full of pinned fonts. */
static TTF_Font *get_font(text *t, int role, int face, int size, int pin)
{
    if (!valid_role(role) || face < 0 || face >= t->count[role] || size < 1 || size > PX_MAX ||
        t->broken[role][face])
        return NULL;
    font_entry *e = NULL;
    for (int i = 0; i < FONT_CACHE_MAX && !e; i++) {
        font_entry *c = &t->fonts[i];
        if (c->font && c->role == role && c->face == face && c->size == size)
            e = c;
    }
    if (!e) {
        e = font_slot(t);
        if (!e)
            return NULL;
        const face_ref *f = &t->chain[role][face];
        e->font = TTF_OpenFontIndex(f->path, size, f->index);
        if (!e->font) {
            t->broken[role][face] = 1;
            return NULL;
        }
        e->role = role;
        e->face = face;
        e->size = size;
    }
    if (pin && !e->pinned) {
        if (pinned_count(t) >= FONT_PINNED_MAX)
            return NULL;
        e->pinned = 1;
    }
    e->used = ++t->clock;
    return e->font;
}

/* The first face of the chain with a glyph for cp; a code point no face has stays with the
 * current run (`cur`), so one missing glyph does not split the line. -1 if no face opens. */
static int face_for(text *t, int role, int size, Uint32 cp, int cur)
{
    int first_open = -1;
    for (int k = 0; k < t->count[role]; k++) {
        TTF_Font *f = get_font(t, role, k, size, 0);
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

static int measure_line(text *t, int role, int size, const char *utf8, int *w, int *h)
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
    return 0;
}

/* Blits one run's white glyphs onto the line at its baseline. */
static int run_blit(text *t, int role, int size, char *s, const run *r, int x, int ascent,
                    SDL_Surface *line)
{
    if (r->w <= 0)
        return 0; /* zero-width text (e.g. U+200B): SDL_ttf refuses to render it */
    TTF_Font *f = get_font(t, role, r->face, size, 0);
    if (!f)
        return -1;
    char saved = s[r->start + r->len];
    s[r->start + r->len] = '\0';
    SDL_Surface *glyphs = TTF_RenderUTF8_Blended(f, s + r->start, (SDL_Color){255, 255, 255, 255});
    s[r->start + r->len] = saved;
    if (!glyphs)
        return -1;
    SDL_Rect dst = {x, ascent - r->ascent, glyphs->w, glyphs->h};
    int rc = SDL_BlitSurface(glyphs, NULL, line, &dst);
    SDL_FreeSurface(glyphs);
    return rc;
}

/* The whole line, white on transparent, and its baseline. Caller owns the surface. NULL on
 * error or if empty. */
static SDL_Surface *render_line(text *t, int role, int size, const char *utf8, int *ascent)
{
    SDL_Surface *line = NULL;
    run_list l = {0};
    char *s = strdup(utf8);
    if (!s || runs_split(t, role, size, s, &l) != 0 || l.w <= 0 || l.h <= 0)
        goto fail;
    line = SDL_CreateRGBSurfaceWithFormat(0, l.w, l.h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!line)
        goto fail;
    /* Transparent white, so blending glyph edges that overlap a neighbour keeps them white. */
    SDL_FillRect(line, NULL, SDL_MapRGBA(line->format, 255, 255, 255, 0));
    for (int i = 0, x = 0; i < l.count; x += l.runs[i].w, i++)
        if (run_blit(t, role, size, s, &l.runs[i], x, l.ascent, line) != 0)
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
        if (t->tex[i].tex && (!victim || t->tex[i].used < victim->used))
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
        if (!t->tex[i].tex)
            return &t->tex[i];
    e = tex_lru(t);
    tex_slot_free(t, e);
    return e;
}

/* The white texture of utf8 at role/size, from the cache or rendered now. Borrowed: valid
 * until the next get_texture (which may evict it), so draw it before asking for another. */
static tex_entry *get_texture(text *t, int role, int size, const char *utf8)
{
    uint32_t hash = hash_key(role, size, 0, 0, utf8);
    for (int i = 0; i < TEX_CACHE_MAX; i++) {
        tex_entry *e = &t->tex[i];
        if (e->tex && e->hash == hash && e->role == role && e->size == size &&
            strcmp(e->text, utf8) == 0) {
            e->used = ++t->clock;
            return e;
        }
    }
    int ascent = 0;
    SDL_Surface *line = render_line(t, role, size, utf8, &ascent);
    if (!line)
        return NULL;
    size_t bytes = (size_t)line->w * (size_t)line->h * 4;
    tex_entry *e = tex_slot(t, bytes);
    e->text = strdup(utf8);
    e->tex = e->text ? SDL_CreateTextureFromSurface(t->ren, line) : NULL;
    e->w = line->w;
    e->h = line->h;
    e->ascent = ascent;
    SDL_FreeSurface(line);
    if (!e->tex) {
        free(e->text);
        memset(e, 0, sizeof *e);
        return NULL;
    }
    SDL_SetTextureBlendMode(e->tex, SDL_BLENDMODE_BLEND);
    e->hash = hash;
    e->role = role;
    e->size = size;
    e->bytes = bytes;
    e->used = ++t->clock;
    t->tex_bytes += bytes;
    return e;
}

static void copy_texture(text *t, tex_entry *e, int x, int y, wb_color color)
{
    SDL_Rect dst = {x, y, e->w, e->h};
    SDL_SetTextureColorMod(e->tex, color.r, color.g, color.b);
    SDL_SetTextureAlphaMod(e->tex, color.a);
    SDL_RenderCopy(t->ren, e->tex, NULL, &dst);
}

/* ---- fit cache ------------------------------------------------------------------------ */

static fit_entry *fit_find(text *t, int kind, int req_size, wb_rect box, const char *s)
{
    uint32_t hash = hash_key(kind, req_size, box.w, box.h, s);
    for (int i = 0; i < FIT_CACHE_MAX; i++) {
        fit_entry *e = &t->fit[i];
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
    fit_entry *slot = NULL;
    for (int i = 0; i < FIT_CACHE_MAX; i++) {
        fit_entry *e = &t->fit[i];
        if (!e->text) {
            slot = e;
            break;
        }
        if (!slot || e->used < slot->used)
            slot = e;
    }
    free(slot->text);
    *slot = *d;
    slot->text = strdup(s);
    slot->hash = hash_key(d->kind, d->req_size, d->box_w, d->box_h, s);
    slot->used = ++t->clock;
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
        if (measure_line(t, role, size, buf, &w, &h) != 0)
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
static int fit_label(text *t, int role, int pixel_size, const char *utf8, wb_rect box,
                     fit_entry *d)
{
    int size = label_size(pixel_size, box), w, h;
    *d = (fit_entry){.kind = role, .req_size = pixel_size, .box_w = box.w, .box_h = box.h,
                     .size = size, .keep_bytes = -1, .result = 0};
    if (measure_line(t, role, size, utf8, &w, &h) != 0)
        return -1;
    if (w <= box.w)
        return 0;
    d->result = 1;
    int min_size = (size * SHRINK_MIN_PERCENT + 99) / 100;
    /* Width is nearly proportional to size; hinting may need a step or two more. */
    for (int s = (int)((long long)size * box.w / w); s >= min_size && s >= 1; s--) {
        if (measure_line(t, role, s, utf8, &w, &h) != 0)
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

/* Where the label's baseline goes so that the ink of Latin capitals, descenders and CJK
 * characters is centred in the box. The line box (ascent..descent) would not do: Noto Sans
 * CJK's ascent leaves room for stacked accents, which would push every label low. */
static int label_baseline(text *t, int role, int size, wb_rect box)
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
    return box.y + (box.h + top + bottom) / 2;
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
    const char *shown = utf8;
    char *cut = NULL;
    if (d.keep_bytes >= 0) {
        cut = malloc((size_t)d.keep_bytes + sizeof ELLIPSIS);
        if (!cut)
            return -1;
        memcpy(cut, utf8, (size_t)d.keep_bytes);
        memcpy(cut + d.keep_bytes, ELLIPSIS, sizeof ELLIPSIS);
        shown = cut;
    }
    tex_entry *e = get_texture(t, (int)role, d.size, shown);
    free(cut);
    if (!e)
        return -1;
    int y = label_baseline(t, (int)role, d.size, box) - e->ascent;
    copy_texture(t, e, align_x(box, e->w, align), y, color);
    return d.result;
}

int text_measure(text *t, wb_font_role role, int pixel_size, const char *utf8, int *width,
                 int *height)
{
    int w = 0, h = 0;
    if (!t || !utf8 || !valid_role((int)role) || pixel_size < 1 || pixel_size > PX_MAX)
        return -1;
    if (*utf8 && measure_line(t, (int)role, pixel_size, utf8, &w, &h) != 0)
        return -1;
    if (!*utf8) {
        TTF_Font *f = get_font(t, (int)role, 0, pixel_size, 0);
        h = f ? TTF_FontHeight(f) : 0;
    }
    if (width)
        *width = w;
    if (height)
        *height = h;
    return 0;
}

/* ---- LED numbers ---------------------------------------------------------------------- */

/* DSEG7 lines its "8" ghosts up only with full-width glyphs: a space is narrow, '!' is the
 * full-width blank. '.' (zero width) and ':' (narrow) keep their place in both strings. A
 * character DSEG7 lacks (',' of "1,234") or draws at another width becomes a blank cell:
 * a .notdef box would be wrong, and shift every lit segment off its ghost. lit and ghost hold
 * strlen(digits) + 1 bytes. 0, or -1 if the LED font cannot be opened. */
static int led_strings(text *t, const char *digits, char *lit, char *ghost)
{
    TTF_Font *f = get_font(t, WB_FONT_LED, 0, LED_REF_SIZE, 0);
    int minx, maxx, miny, maxy, full, adv;
    if (!f || TTF_GlyphMetrics32(f, '8', &minx, &maxx, &miny, &maxy, &full) != 0)
        return -1;
    size_t n = 0;
    for (const char *p = digits; *p;) {
        Uint32 cp;
        p += utf8_next(p, &cp);
        if (cp == 0x2212)
            cp = '-'; /* the typographic minus */
        int keep = cp == '.' || cp == ':';
        int cell = cp < 0x80 && cp != ' ' && TTF_GlyphIsProvided32(f, cp) &&
                   TTF_GlyphMetrics32(f, cp, &minx, &maxx, &miny, &maxy, &adv) == 0 && adv == full;
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
        if (measure_line(t, WB_FONT_LED, s, ghost, &w, &h) != 0)
            return -1;
        if (w <= box_w && h <= box_h)
            return s;
    }
    return 0;
}

/* The largest size at which the ghost string fits box; result 1 when the width limited it. */
static int fit_led(text *t, const char *ghost, wb_rect box, fit_entry *d)
{
    int size = box.h > PX_MAX ? PX_MAX : box.h, w, h;
    *d = (fit_entry){.kind = FIT_LED, .box_w = box.w, .box_h = box.h, .keep_bytes = -1};
    if (measure_line(t, WB_FONT_LED, size, ghost, &w, &h) != 0)
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
    if (measure_line(t, WB_FONT_LED, by_height, ghost, &w, &h) != 0)
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

int text_draw_led(text *t, const char *digits, wb_rect box, wb_align align, wb_color color,
                  int ghost, wb_color ghost_color, const wb_color *under)
{
    (void)under;
    if (!t || !digits)
        return -1;
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
    /* Ghost first, then the lit digits over it at the same origin: the same glyph widths
     * ('8' for every full-width glyph) put every lit segment on its ghost. */
    tex_entry *e = get_texture(t, WB_FONT_LED, d.size, ghost_s);
    if (!e) {
        rc = -1;
        goto done;
    }
    int x = align_x(box, e->w, align), y = box.y + (box.h - e->h) / 2;
    if (ghost)
        copy_texture(t, e, x, y, ghost_color);
    e = get_texture(t, WB_FONT_LED, d.size, lit);
    if (!e) {
        rc = -1;
        goto done;
    }
    copy_texture(t, e, x, y, color);
done:
    free(lit);
    return rc;
}

/* ---- lifetime ------------------------------------------------------------------------- */

static int copy_chains(text *t, const font_set *fonts, char *err, size_t err_size)
{
    static const char *const names[ROLE_COUNT] = {"led", "label", "label_bold"};
    for (int role = 0; role < ROLE_COUNT; role++) {
        if (fonts->count[role] < 1 || fonts->count[role] > FONTS_MAX_CHAIN) {
            set_error(err, err_size, "no font for role %s", names[role]);
            return -1;
        }
        for (int i = 0; i < fonts->count[role]; i++) {
            t->chain[role][i].path = strdup(fonts->chain[role][i].path);
            t->chain[role][i].index = fonts->chain[role][i].face_index;
            if (!t->chain[role][i].path) {
                set_error(err, err_size, "out of memory");
                return -1;
            }
            t->count[role] = i + 1;
        }
        /* Open the first face now so a broken file is a clear error at start, not a blank tile. */
        TTF_Font *f = TTF_OpenFontIndex(t->chain[role][0].path, 16, t->chain[role][0].index);
        if (!f) {
            set_error(err, err_size, "cannot open font %s (face %d) for role %s: %s",
                    t->chain[role][0].path, t->chain[role][0].index, names[role], TTF_GetError());
            return -1;
        }
        TTF_CloseFont(f);
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
}

void text_close(text *t)
{
    if (!t)
        return;
    text_flush_cache(t);
    for (int i = 0; i < FIT_CACHE_MAX; i++)
        free(t->fit[i].text);
    for (int i = 0; i < FONT_CACHE_MAX; i++)
        font_slot_close(&t->fonts[i]);
    for (int role = 0; role < ROLE_COUNT; role++)
        for (int i = 0; i < t->count[role]; i++)
            free(t->chain[role][i].path);
    free(t);
    TTF_Quit(); /* reference counted by SDL_ttf: pairs with text_open's TTF_Init */
}

void *text_font(text *t, wb_font_role role, int pixel_size)
{
    if (!t)
        return NULL;
    return get_font(t, (int)role, 0, pixel_size, 1);
}
