/* test_text.c: LED digits, fallback text, shapes, events and screenshots on a headless
 * software renderer, checked pixel by pixel. Never needs a display, and never leaves one open. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>

#include "draw.h"
#include "fonts.h"
#include "render.h"
#include "text.h"

#define FONTS_LIST WB_SOURCE_DIR "/fonts/fonts.list"
#define DEJAVU "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define NOTO "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
/* 환자 候诊 Waiting */
#define MIXED "\xED\x99\x98\xEC\x9E\x90 \xE5\x80\x99\xE8\xAF\x8A Waiting"

static const wb_color BG = {0, 0, 0, 255};
static const wb_color LIT = {255, 40, 40, 255};
static const wb_color GHOST = {60, 10, 10, 255};
static const wb_color WHITE = {255, 255, 255, 255};

/* A headless 640x360 output with the wall's fonts: what every drawing test starts from. */
typedef struct fixture {
    render *r;
    text *t;
    font_set fonts;
} fixture;

static int fixture_setup(void **state)
{
    static fixture f;
    char err[256] = "";
    memset(&f, 0, sizeof f);
    render_options opt = {.headless = 1, .width = 640, .height = 360, .background = BG};
    f.r = render_open(&opt, err, sizeof err);
    if (!f.r) {
        fprintf(stderr, "render_open: %s\n", err);
        return -1;
    }
    if (fonts_load_list(FONTS_LIST, &f.fonts, err, sizeof err) != 0) {
        fprintf(stderr, "fonts_load_list: %s\n", err);
        return -1;
    }
    f.t = text_open(&f.fonts, render_renderer(f.r), err, sizeof err);
    if (!f.t) {
        fprintf(stderr, "text_open: %s\n", err);
        return -1;
    }
    render_begin_tile(f.r, (wb_rect){0, 0, 640, 360}, BG);
    *state = &f;
    return 0;
}

static int fixture_teardown(void **state)
{
    fixture *f = *state;
    text_close(f->t);
    fonts_free(&f->fonts);
    render_close(f->r);
    return 0;
}

/* The current frame (caller frees). */
static SDL_Surface *read_frame(render *r)
{
    int w, h;
    render_size(r, &w, &h);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    assert_non_null(s);
    assert_int_equal(SDL_RenderReadPixels(render_renderer(r), NULL, SDL_PIXELFORMAT_ARGB8888,
                                          s->pixels, s->pitch), 0);
    return s;
}

static wb_color pixel(const SDL_Surface *s, int x, int y)
{
    Uint32 p = ((const Uint32 *)((const Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch))[x];
    wb_color c = {(uint8_t)(p >> 16), (uint8_t)(p >> 8), (uint8_t)p, (uint8_t)(p >> 24)};
    return c;
}

static int same_rgb(wb_color a, wb_color b)
{
    return a.r == b.r && a.g == b.g && a.b == b.b;
}

static int inside(wb_rect b, int x, int y)
{
    return x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + b.h;
}

/* Pixel counts of a colour inside and outside a box, and of anything but BG outside. */
typedef struct census {
    int color_in, color_out, other_out;
    int min_x, max_x; /* columns with anything but BG */
} census;

static census count_pixels(const SDL_Surface *s, wb_rect box, wb_color color)
{
    census c = {0, 0, 0, s->w, -1};
    for (int y = 0; y < s->h; y++) {
        for (int x = 0; x < s->w; x++) {
            wb_color p = pixel(s, x, y);
            int in = inside(box, x, y);
            if (same_rgb(p, color))
                *(in ? &c.color_in : &c.color_out) += 1;
            if (!same_rgb(p, BG)) {
                c.other_out += !in;
                c.min_x = x < c.min_x ? x : c.min_x;
                c.max_x = x > c.max_x ? x : c.max_x;
            }
        }
    }
    return c;
}

static void clear(fixture *f)
{
    render_begin_tile(f->r, (wb_rect){0, 0, 640, 360}, BG);
}

/* A query for text_set_under that gives one answer (NULL: unknown) and remembers what it was
 * asked. */
typedef struct under_probe {
    const wb_color *answer;
    int asked;
    wb_rect last;
} under_probe;

static const wb_color *probe_under(void *ctx, wb_rect covered)
{
    under_probe *p = ctx;
    p->asked++;
    p->last = covered;
    return p->answer;
}

/* text_draw_led with the host's word that *under (if not NULL) fills whatever it covers. */
static int draw_led_on(text *t, const char *digits, wb_rect box, wb_align align, wb_color color,
                       int ghost, wb_color ghost_color, const wb_color *under)
{
    under_probe probe = {under, 0, {0, 0, 0, 0}};
    text_set_under(t, under ? probe_under : NULL, &probe);
    int rc = text_draw_led(t, digits, box, align, color, ghost, ghost_color);
    text_set_under(t, NULL, NULL);
    return rc;
}

static int same_rect(wb_rect a, wb_rect b)
{
    return a.x == b.x && a.y == b.y && a.w == b.w && a.h == b.h;
}

static int rect_contains(wb_rect outer, wb_rect inner)
{
    return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w &&
           inner.y + inner.h <= outer.y + outer.h;
}

/* ---- fonts.list ------------------------------------------------------------------------ */

static void test_fonts_list(void **state)
{
    fixture *f = *state;
    assert_int_equal(f->fonts.count[WB_FONT_LED], 1);
    assert_int_equal(f->fonts.count[WB_FONT_LABEL], 3);
    assert_int_equal(f->fonts.count[WB_FONT_LABEL_BOLD], 3);
    assert_non_null(strstr(f->fonts.chain[WB_FONT_LED][0].path, "DSEG7Classic-Bold.ttf"));
    assert_int_equal(f->fonts.chain[WB_FONT_LABEL][0].face_index, 1);
    assert_int_equal(f->fonts.chain[WB_FONT_LABEL][1].face_index, 2);
    assert_string_equal(f->fonts.chain[WB_FONT_LABEL][2].package, "fonts-dejavu-core");
    assert_non_null(strstr(f->fonts.chain[WB_FONT_LABEL_BOLD][0].path, "NotoSansCJK-Bold"));
}

static int load_list_text(const char *content, font_set *set, char *err, size_t err_size)
{
    char path[] = "/tmp/wb_fonts_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    fputs(content, fp);
    fclose(fp);
    int rc = fonts_load_list(path, set, err, err_size);
    remove(path);
    return rc;
}

static void test_fonts_list_errors(void **state)
{
    (void)state;
    font_set set;
    char err[256];
    /* A missing file is skipped; a role left empty names the package to install. */
    assert_int_equal(load_list_text("led /nonexistent/DSEG7.ttf 0 fonts-dseg\n"
                                    "label " DEJAVU " 0 fonts-dejavu-core\n"
                                    "label_bold " DEJAVU " 0 fonts-dejavu-core\n",
                                    &set, err, sizeof err), -1);
    assert_non_null(strstr(err, "fonts-dseg"));
    assert_non_null(strstr(err, "led"));
    assert_int_equal(load_list_text("led " DEJAVU " 0 x\nlabel /nope 1 fonts-noto-cjk\n"
                                    "label " DEJAVU " 0 fonts-dejavu-core\n"
                                    "label_bold " DEJAVU " 0 fonts-dejavu-core # bold\n",
                                    &set, err, sizeof err), 0);
    assert_int_equal(set.count[WB_FONT_LABEL], 1);
    fonts_free(&set);
    assert_int_equal(load_list_text("label " DEJAVU "\n", &set, err, sizeof err), -1);
    assert_non_null(strstr(err, ":1:"));
    assert_int_equal(load_list_text("italic " DEJAVU " 0 x\n", &set, err, sizeof err), -1);
    assert_non_null(strstr(err, "italic"));
    assert_int_equal(fonts_load_list("/nonexistent/fonts.list", &set, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/fonts.list"));
}

/* ---- LED ------------------------------------------------------------------------------ */

static void test_led_in_box(void **state)
{
    fixture *f = *state;
    wb_rect box = {40, 60, 560, 130};
    clear(f);
    /* "1234" at the box height (130 px) is ~430 px wide: height-limited. */
    assert_int_equal(text_draw_led(f->t, "1234", box, WB_ALIGN_CENTER, LIT, 1, GHOST), 0);
    SDL_Surface *s = read_frame(f->r);
    census lit = count_pixels(s, box, LIT);
    census ghost = count_pixels(s, box, GHOST);
    assert_true(lit.color_in > 2000);
    assert_int_equal(lit.other_out, 0); /* nothing at all outside the box */
    assert_true(ghost.color_in > 1000);  /* unlit segments of "1", "2", "3", "4" */
    assert_int_equal(ghost.color_out, 0);
    /* Centred: the margins left and right differ by a few pixels at most. */
    int left = lit.min_x - box.x, right = box.x + box.w - 1 - lit.max_x;
    assert_true(abs(left - right) <= 12);
    SDL_FreeSurface(s);
}

static void test_led_width_limited(void **state)
{
    fixture *f = *state;
    wb_rect box = {20, 100, 200, 150};
    clear(f);
    assert_int_equal(text_draw_led(f->t, "-12.5", box, WB_ALIGN_RIGHT, LIT, 1, GHOST), 1);
    SDL_Surface *s = read_frame(f->r);
    census lit = count_pixels(s, box, LIT);
    assert_true(lit.color_in > 500);
    assert_int_equal(lit.other_out, 0);
    assert_true(box.x + box.w - 1 - lit.max_x <= 12); /* right aligned */
    SDL_FreeSurface(s);
    /* The same call again comes from the caches and draws the same pixels. */
    clear(f);
    assert_int_equal(text_draw_led(f->t, "-12.5", box, WB_ALIGN_RIGHT, LIT, 1, GHOST), 1);
    s = read_frame(f->r);
    census again = count_pixels(s, box, LIT);
    assert_int_equal(again.color_in, lit.color_in);
    SDL_FreeSurface(s);
}

/* A leading space is drawn as DSEG7's full-width blank, so the lit "8" lands exactly on its
 * ghost: no ghost pixel remains visible in the right half. */
static void test_led_space_keeps_ghost_aligned(void **state)
{
    fixture *f = *state;
    wb_rect box = {0, 0, 640, 300};
    clear(f);
    assert_int_equal(text_draw_led(f->t, " 8", box, WB_ALIGN_LEFT, LIT, 1, GHOST), 0);
    SDL_Surface *s = read_frame(f->r);
    census all = count_pixels(s, box, GHOST);
    int mid = (all.min_x + all.max_x) / 2;
    wb_rect left = {0, 0, mid, 300}, right = {mid, 0, 640 - mid, 300};
    assert_true(count_pixels(s, left, GHOST).color_in > 1000);
    assert_int_equal(count_pixels(s, right, GHOST).color_in, 0);
    assert_true(count_pixels(s, right, LIT).color_in > 1000);
    assert_int_equal(count_pixels(s, left, LIT).color_in, 0);
    SDL_FreeSurface(s);
    /* Without ghosts only the lit digit is drawn. */
    clear(f);
    assert_int_equal(text_draw_led(f->t, " 8", box, WB_ALIGN_LEFT, LIT, 0, GHOST), 0);
    s = read_frame(f->r);
    assert_int_equal(count_pixels(s, box, GHOST).color_in, 0);
    SDL_FreeSurface(s);
}

/* DSEG7 has no ',' : it becomes a blank cell, not a .notdef box, and the digits after it stay
 * on their ghosts. */
static void test_led_unsupported_char_is_blank(void **state)
{
    fixture *f = *state;
    wb_rect box = {10, 10, 620, 150};
    clear(f);
    assert_true(text_draw_led(f->t, "1,234", box, WB_ALIGN_LEFT, LIT, 1, GHOST) >= 0);
    SDL_Surface *a = read_frame(f->r);
    clear(f);
    assert_true(text_draw_led(f->t, "1 234", box, WB_ALIGN_LEFT, LIT, 1, GHOST) >= 0);
    SDL_Surface *b = read_frame(f->r);
    assert_int_equal(memcmp(a->pixels, b->pixels, (size_t)a->pitch * (size_t)a->h), 0);
    SDL_FreeSurface(a);
    SDL_FreeSurface(b);
}

/* Largest difference of one colour channel (alpha aside: the screen shows none) between a and
 * b inside box. */
static int max_rgb_diff(const SDL_Surface *a, const SDL_Surface *b, wb_rect box)
{
    int worst = 0;
    for (int y = box.y; y < box.y + box.h; y++) {
        for (int x = box.x; x < box.x + box.w; x++) {
            wb_color p = pixel(a, x, y), q = pixel(b, x, y);
            int d[3] = {abs(p.r - q.r), abs(p.g - q.g), abs(p.b - q.b)};
            for (int i = 0; i < 3; i++)
                worst = d[i] > worst ? d[i] : worst;
        }
    }
    return worst;
}

static SDL_Surface *filled(int w, int h, wb_color c)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    assert_non_null(s);
    SDL_FillRect(s, NULL, SDL_MapRGBA(s->format, c.r, c.g, c.b, 255));
    return s;
}

/* One whole string blended onto dst at x, y, as text.c drew LED numbers before cells: either
 * rendered in its colour, or rendered white and coloured by a colour mod (the original path). */
static void blit_string(SDL_Surface *dst, TTF_Font *font, const char *s, int x, int y, wb_color c,
                        int by_mod)
{
    SDL_Color fg = by_mod ? (SDL_Color){255, 255, 255, 255} : (SDL_Color){c.r, c.g, c.b, c.a};
    SDL_Surface *g = TTF_RenderUTF8_Blended(font, s, fg);
    assert_non_null(g);
    SDL_SetSurfaceBlendMode(g, SDL_BLENDMODE_BLEND);
    if (by_mod) {
        SDL_SetSurfaceColorMod(g, c.r, c.g, c.b);
        SDL_SetSurfaceAlphaMod(g, c.a);
    }
    SDL_Rect r = {x, y, g->w, g->h};
    assert_int_equal(SDL_BlitSurface(g, NULL, dst, &r), 0);
    SDL_FreeSurface(g);
}

/* LED numbers are drawn from per-glyph cells now; on a uniform background both ways of drawing
 * them (blended, and opaque cells composed on the background) must give the pixels of the whole
 * ghost string, then the whole lit string, blended at the same place. */
static void test_led_cells_match_whole_strings(void **state)
{
    fixture *f = *state;
    /* What led_strings makes of each: the lit string, and the ghost string that is fitted. */
    static const struct { const char *digits, *lit, *ghost; } cases[] = {
        {"-12.5", "-12.5", "888.8"}, {"88:88", "88:88", "88:88"},
        {"1234", "1234", "8888"},    {" 7", "!7", "88"},
        {".5", ".5", ".8"},          {"12:34.5", "12:34.5", "88:88.8"},
        {"7.", "7.", "8."},          {"1,2", "1!2", "888"},
    };
    static const wb_color bgs[] = {{0, 0, 0, 255}, {20, 20, 24, 255}, {230, 230, 220, 255}};
    /* Tall and wide enough that every case fits by height: the size is the box height. */
    static const wb_rect boxes[] = {{10, 20, 620, 100}, {5, 150, 630, 137}};
    static const wb_align aligns[] = {WB_ALIGN_LEFT, WB_ALIGN_CENTER, WB_ALIGN_RIGHT};
    const wb_color lit_c = {255, 40, 40, 255}, ghost_c = {60, 10, 10, 255};
    int worst_vs_mod = 0, draws = 0;
    for (size_t bi = 0; bi < sizeof boxes / sizeof boxes[0]; bi++) {
        wb_rect box = boxes[bi];
        const font_face *ff = &f->fonts.chain[WB_FONT_LED][0];
        TTF_Font *font = TTF_OpenFontIndex(ff->path, box.h, ff->face_index);
        assert_non_null(font);
        for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
            for (size_t gi = 0; gi < sizeof bgs / sizeof bgs[0]; gi++) {
                for (int ghost = 0; ghost <= 1; ghost++) {
                    wb_color bg = bgs[gi];
                    wb_align align = aligns[(ci + gi + (size_t)ghost) % 3];
                    const char *digits = cases[ci].digits;
                    int gw, gh;
                    assert_int_equal(TTF_SizeUTF8(font, cases[ci].ghost, &gw, &gh), 0);
                    int x = align == WB_ALIGN_LEFT     ? box.x
                            : align == WB_ALIGN_RIGHT  ? box.x + box.w - gw
                                                       : box.x + (box.w - gw) / 2;
                    int y = box.y + (box.h - gh) / 2;
                    SDL_Surface *ref = filled(640, 360, bg), *old = filled(640, 360, bg);
                    if (ghost) {
                        blit_string(ref, font, cases[ci].ghost, x, y, ghost_c, 0);
                        blit_string(old, font, cases[ci].ghost, x, y, ghost_c, 1);
                    }
                    blit_string(ref, font, cases[ci].lit, x, y, lit_c, 0);
                    blit_string(old, font, cases[ci].lit, x, y, lit_c, 1);

                    render_begin_tile(f->r, (wb_rect){0, 0, 640, 360}, bg);
                    assert_int_equal(text_draw_led(f->t, digits, box, align, lit_c, ghost, ghost_c),
                                     0);
                    SDL_Surface *blended = read_frame(f->r);
                    render_begin_tile(f->r, (wb_rect){0, 0, 640, 360}, bg);
                    assert_int_equal(draw_led_on(f->t, digits, box, align, lit_c, ghost, ghost_c,
                                                 &bg), 0);
                    SDL_Surface *opaque = read_frame(f->r);
                    wb_rect all = {0, 0, 640, 360};
                    if (max_rgb_diff(blended, ref, all) || max_rgb_diff(opaque, ref, all))
                        fprintf(stderr, "\"%s\" box %zu bg %zu ghost %d: blended %d, opaque %d\n",
                                digits, bi, gi, ghost, max_rgb_diff(blended, ref, all),
                                max_rgb_diff(opaque, ref, all));
                    assert_int_equal(max_rgb_diff(blended, ref, all), 0);
                    assert_int_equal(max_rgb_diff(opaque, ref, all), 0);
                    int d = max_rgb_diff(blended, old, all);
                    worst_vs_mod = d > worst_vs_mod ? d : worst_vs_mod;
                    draws++;
                    SDL_FreeSurface(blended);
                    SDL_FreeSurface(opaque);
                    SDL_FreeSurface(ref);
                    SDL_FreeSurface(old);
                }
            }
        }
        TTF_CloseFont(font);
    }
    /* Against the colour-mod path only the blender's rounding differs: SDL's blitter for a
     * pre-coloured texture divides by 256 where the colour-mod one divides by 255. */
    fprintf(stderr, "LED cells vs colour-mod whole strings: %d draws, max channel diff %d\n",
            draws, worst_vs_mod);
    assert_true(worst_vs_mod <= 4);
}

/* A new value renders nothing new: LED strings no longer fill the string cache, and the cells of
 * one combination stop growing once every character has been seen. */
static void test_led_cache_bounded(void **state)
{
    fixture *f = *state;
    text_cache_info before, info;
    text_flush_cache(f->t);
    text_cache_info_get(f->t, &before);
    assert_int_equal(before.led_bytes, 0);
    assert_int_equal(before.tex_bytes, 0);
    wb_rect box = {0, 0, 640, 120};
    char buf[32];
    size_t settled = 0;
    unsigned seed = 12345;
    for (int i = 0; i < 3000; i++) {
        seed = seed * 1103515245u + 12345u;
        /* Always 6 characters (padded with spaces), so always the ghost "8888.8" and one size. */
        snprintf(buf, sizeof buf, "%6.1f", (double)((seed >> 8) % 100000u) / 10.0);
        wb_color bg = BG;
        assert_true(draw_led_on(f->t, buf, box, WB_ALIGN_RIGHT, LIT, 1, GHOST,
                                i % 2 ? &bg : NULL) >= 0);
        text_cache_info_get(f->t, &info);
        assert_true(info.led_bytes <= info.led_bound);
        assert_int_equal(info.tex_bytes, 0);
        if (i == 1000)
            settled = info.led_bytes;
    }
    assert_true(settled > 0);
    assert_int_equal(info.led_bytes, settled);
    assert_int_equal(info.led_sets, 2); /* blended and on BG */
    /* Many sizes and colours: least recently used combinations go, the bound holds. */
    for (int i = 0; i < 400; i++) {
        wb_color c = {(uint8_t)(i * 37), (uint8_t)(255 - i), 40, 255};
        wb_rect b = {0, 0, 640, 40 + i % 160};
        assert_true(draw_led_on(f->t, "-8:88.8", b, WB_ALIGN_LEFT, c, i % 3 != 0, GHOST,
                                i % 2 ? &BG : NULL) >= 0);
        text_cache_info_get(f->t, &info);
        assert_true(info.led_bytes <= info.led_bound);
        assert_true(info.led_sets >= 1);
    }
    text_flush_cache(f->t);
    text_cache_info_get(f->t, &info);
    assert_int_equal(info.led_bytes, 0);
    assert_int_equal(info.led_sets, 0);
    assert_int_equal(info.tex_bytes, 0);
}

/* Opaque LED cells: the host is asked once, with exactly the rect the cells cover. A wrong answer
 * (magenta here) shows as exactly that rect of magenta around the digits, and every pixel
 * outside it is what blending gives. */
static void test_led_asks_cells_rect(void **state)
{
    fixture *f = *state;
    const wb_color magenta = {255, 0, 255, 255};
    static const struct { const char *digits; wb_rect box; wb_align align; } cases[] = {
        {"-12.5", {20, 100, 200, 150}, WB_ALIGN_RIGHT},   /* width-limited */
        {"12:34", {10, 20, 620, 120}, WB_ALIGN_CENTER},
        {".5", {300, 200, 300, 100}, WB_ALIGN_LEFT},       /* a leading '.' hangs left */
        {"88888888", {0, 0, 60, 300}, WB_ALIGN_CENTER},    /* far too wide: shrunk to fit */
    };
    wb_rect all = {0, 0, 640, 360};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clear(f);
        int rc = text_draw_led(f->t, cases[i].digits, cases[i].box, cases[i].align, LIT, 1, GHOST);
        SDL_Surface *blended = read_frame(f->r);
        clear(f);
        under_probe probe = {&magenta, 0, {0, 0, 0, 0}};
        text_set_under(f->t, probe_under, &probe);
        assert_int_equal(text_draw_led(f->t, cases[i].digits, cases[i].box, cases[i].align, LIT,
                                       1, GHOST), rc);
        text_set_under(f->t, NULL, NULL);
        SDL_Surface *wrong = read_frame(f->r);
        assert_int_equal(probe.asked, 1);
        assert_true(rect_contains(text_last_drawn(f->t), probe.last));
        int x0 = 640, y0 = 360, x1 = -1, y1 = -1;
        for (int y = 0; y < 360; y++) {
            for (int x = 0; x < 640; x++) {
                wb_color p = pixel(wrong, x, y), q = pixel(blended, x, y);
                if (same_rgb(p, magenta)) {
                    x0 = x < x0 ? x : x0;
                    x1 = x > x1 ? x : x1;
                    y0 = y < y0 ? y : y0;
                    y1 = y;
                } else if (!inside(probe.last, x, y)) {
                    assert_true(same_rgb(p, q));
                }
            }
        }
        /* Exactly the cells: magenta reaches every edge of the rect (tiny glyphs aside,
         * whose antialiased ink covers whole edges). */
        if (probe.last.h >= 40)
            assert_true(same_rect((wb_rect){x0, y0, x1 - x0 + 1, y1 - y0 + 1}, probe.last));
        /* And with the right answer, the blended pixels. */
        clear(f);
        assert_int_equal(draw_led_on(f->t, cases[i].digits, cases[i].box, cases[i].align, LIT, 1,
                                     GHOST, &BG), rc);
        SDL_Surface *opaque = read_frame(f->r);
        assert_int_equal(max_rgb_diff(opaque, blended, all), 0);
        SDL_FreeSurface(blended);
        SDL_FreeSurface(wrong);
        SDL_FreeSurface(opaque);
    }
    /* Translucent colours are never copied opaque: nothing is asked. */
    under_probe probe = {&BG, 0, {0, 0, 0, 0}};
    text_set_under(f->t, probe_under, &probe);
    wb_color faint = LIT;
    faint.a = 128;
    assert_true(text_draw_led(f->t, "42", (wb_rect){0, 0, 300, 100}, 0, faint, 1, GHOST) >= 0);
    text_set_under(f->t, NULL, NULL);
    assert_int_equal(probe.asked, 0);
}

/* Labels are rendered in their colour: nothing white on the screen, the colour itself inside the
 * glyphs, its alpha applied. */
static void test_text_color(void **state)
{
    fixture *f = *state;
    const wb_color cyan = {0, 200, 255, 255}, half = {255, 255, 255, 128};
    wb_rect box = {10, 10, 620, 80};
    clear(f);
    assert_int_equal(text_draw(f->t, WB_FONT_LABEL_BOLD, 60, "Waiting 8", box, WB_ALIGN_LEFT,
                               cyan), 0);
    SDL_Surface *s = read_frame(f->r);
    census c = count_pixels(s, box, cyan);
    assert_true(c.color_in > 500);
    assert_int_equal(c.other_out, 0);
    assert_int_equal(count_pixels(s, box, WHITE).color_in, 0);
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++)
            assert_int_equal(pixel(s, x, y).r, 0); /* cyan over black: never any red */
    SDL_FreeSurface(s);
    /* Half-transparent white over black: greys up to 128, never brighter. */
    clear(f);
    assert_int_equal(text_draw(f->t, WB_FONT_LABEL_BOLD, 60, "Waiting 8", box, WB_ALIGN_LEFT,
                               half), 0);
    s = read_frame(f->r);
    int brightest = 0;
    for (int y = box.y; y < box.y + box.h; y++)
        for (int x = box.x; x < box.x + box.w; x++)
            brightest = pixel(s, x, y).g > brightest ? pixel(s, x, y).g : brightest;
    assert_in_range(brightest, 126, 128);
    SDL_FreeSurface(s);
    text_cache_info info;
    text_cache_info_get(f->t, &info);
    assert_int_equal(info.tex_count, 2); /* one texture per colour */
}

/* Labels copied opaque (the host knows the colour under their ink) give the pixels of blended
 * labels on that colour: shrunk, cut, translucent, mixed scripts, any alignment. The host is
 * asked about exactly the ink's rect, which is what text_last_drawn reports, and a wrong answer
 * shows in that rect only. */
typedef struct wb_role_size {
    wb_font_role role;
    int size;
} wb_role_size;

static void test_label_opaque_matches_blended(void **state)
{
    fixture *f = *state;
    /* The last: 환자 대기 · 候诊 · feed 1 key 2, a bench tile's title. */
    static const char *const texts[] = {
        "Waiting room", MIXED, "Qy|g \xC2\xB7 8",
        ("\xED\x99\x98\xEC\x9E\x90 \xEB\x8C\x80\xEA\xB8\xB0 \xC2\xB7 "
         "\xE5\x80\x99\xE8\xAF\x8A \xC2\xB7 feed 1 key 2")};
    static const wb_color bgs[] = {{0, 0, 0, 255}, {16, 20, 28, 255}, {230, 230, 220, 255}};
    static const wb_color colors[] = {{232, 234, 240, 255}, {255, 176, 0, 255},
                                      {255, 255, 255, 128}, {74, 163, 255, 200}};
    /* Wide, then narrow enough to shrink or cut, then a tall box reaching the frame's edge. */
    static const wb_rect boxes[] = {{10, 10, 620, 60}, {30, 100, 200, 40}, {500, 300, 140, 60}};
    static const wb_role_size sizes[] = {{WB_FONT_LABEL, 0}, {WB_FONT_LABEL_BOLD, 28}};
    wb_rect all = {0, 0, 640, 360};
    int draws = 0, cut = 0;
    for (size_t ti = 0; ti < sizeof texts / sizeof texts[0]; ti++) {
        for (size_t bi = 0; bi < sizeof boxes / sizeof boxes[0]; bi++) {
            for (size_t ci = 0; ci < sizeof colors / sizeof colors[0]; ci++) {
                wb_color bg = bgs[(ti + ci) % 3], color = colors[ci];
                wb_align align = (wb_align)((ti + bi + ci) % 3);
                wb_role_size rs = sizes[(bi + ci) % 2];
                render_begin_tile(f->r, all, bg);
                int rc = text_draw(f->t, rs.role, rs.size, texts[ti], boxes[bi], align, color);
                wb_rect drawn = text_last_drawn(f->t);
                SDL_Surface *blended = read_frame(f->r);
                render_begin_tile(f->r, all, bg);
                under_probe probe = {&bg, 0, {0, 0, 0, 0}};
                text_set_under(f->t, probe_under, &probe);
                assert_int_equal(text_draw(f->t, rs.role, rs.size, texts[ti], boxes[bi], align,
                                           color), rc);
                text_set_under(f->t, NULL, NULL);
                SDL_Surface *opaque = read_frame(f->r);
                assert_int_equal(probe.asked, drawn.w > 0);
                assert_true(same_rect(text_last_drawn(f->t), drawn));
                if (probe.asked)
                    assert_true(same_rect(probe.last, drawn));
                assert_int_equal(max_rgb_diff(opaque, blended, all), 0);
                cut += rc == 1;
                draws++;
                SDL_FreeSurface(blended);
                SDL_FreeSurface(opaque);
            }
        }
    }
    assert_true(cut > 0);
    fprintf(stderr, "labels opaque vs blended: %d draws (%d shrunk or cut), identical\n", draws,
            cut);
    /* A wrong answer: magenta fills the ink's rect wherever no glyph covers it, nothing else. */
    const wb_color magenta = {255, 0, 255, 255};
    clear(f);
    under_probe probe = {&magenta, 0, {0, 0, 0, 0}};
    text_set_under(f->t, probe_under, &probe);
    assert_int_equal(text_draw(f->t, WB_FONT_LABEL, 0, "Waiting", (wb_rect){10, 100, 400, 60},
                               WB_ALIGN_LEFT, WHITE), 0);
    text_set_under(f->t, NULL, NULL);
    SDL_Surface *s = read_frame(f->r);
    assert_true(rect_contains((wb_rect){0, 0, 640, 360}, probe.last));
    census c = count_pixels(s, probe.last, magenta);
    assert_true(c.color_in > probe.last.w * probe.last.h / 3);
    assert_int_equal(c.color_out, 0);
    assert_int_equal(c.other_out, 0);
    SDL_FreeSurface(s);
}

/* Every size of a face is served by at most two open instances (resized as needed), and a
 * frame that draws and measures what the one before did opens and resizes nothing. */
static void test_font_instances(void **state)
{
    fixture *f = *state;
    char err[256];
    text *t = text_open(&f->fonts, render_renderer(f->r), err, sizeof err);
    assert_non_null(t);
    text_cache_info start, info;
    text_cache_info_get(t, &start);
    assert_int_equal(start.fonts_open, 3); /* the first face of each role, checked at open */
    void *pinned = text_font(t, WB_FONT_LABEL, 33);
    assert_non_null(pinned);
    int pinned_h = TTF_FontHeight(pinned);
    for (int round = 0; round < 3; round++) {
        text_cache_info before;
        text_cache_info_get(t, &before);
        clear(f);
        for (int size = 12; size < 60; size += 3) {
            int w, h;
            assert_int_equal(text_measure(t, WB_FONT_LABEL, size, MIXED, &w, &h), 0);
            assert_int_equal(text_measure(t, WB_FONT_LED, size, "888", &w, &h), 0);
            assert_int_equal(text_draw(t, WB_FONT_LABEL, size + 1, "Waiting \xED\x99\x98",
                                       (wb_rect){0, 0, 640, 100}, WB_ALIGN_LEFT, WHITE), 0);
            assert_true(text_draw_led(t, "12.5", (wb_rect){0, 100, 640, size}, WB_ALIGN_LEFT, LIT,
                                      1, GHOST) >= 0);
        }
        text_cache_info_get(t, &info);
        /* Noto Sans CJK KR holds Hangul and Latin: one label face, plus the pinned font. */
        assert_true(info.fonts_open <= 2 + 2 + 1 + 1);
        if (round == 0)
            assert_true(info.font_resizes > 0);
        else
            assert_true(info.font_opens == before.font_opens &&
                        info.font_resizes == before.font_resizes &&
                        info.renders == before.renders);
        assert_int_equal(TTF_FontHeight(pinned), pinned_h);
    }
    int w33, h33;
    assert_int_equal(TTF_SizeUTF8(pinned, "Waiting", &w33, &h33), 0);
    TTF_Font *fresh = TTF_OpenFontIndex(f->fonts.chain[WB_FONT_LABEL][0].path, 33,
                                        f->fonts.chain[WB_FONT_LABEL][0].face_index);
    int wf, hf;
    assert_int_equal(TTF_SizeUTF8(fresh, "Waiting", &wf, &hf), 0);
    assert_int_equal(w33, wf); /* never resized */
    assert_int_equal(h33, hf);
    TTF_CloseFont(fresh);
    text_close(t);
}

/* A label fading out keeps at most two of its alphas cached, not one texture per frame. */
static void test_fade_keeps_two(void **state)
{
    fixture *f = *state;
    text_cache_info before, info;
    text_flush_cache(f->t);
    text_cache_info_get(f->t, &before);
    for (int a = 255; a > 0; a -= 16) {
        wb_color c = {232, 234, 240, (uint8_t)a};
        clear(f);
        assert_int_equal(text_draw(f->t, WB_FONT_LABEL, 40, "Fading out", (wb_rect){0, 0, 640, 60},
                                   WB_ALIGN_LEFT, c), 0);
        text_cache_info_get(f->t, &info);
        assert_true(info.tex_count - before.tex_count <= 2);
    }
    /* Two alphas taking turns are both kept: nothing is rendered again. */
    for (int i = 0; i < 6; i++) {
        wb_color c = {232, 234, 240, (uint8_t)(i % 2 ? 255 : 128)};
        assert_int_equal(text_draw(f->t, WB_FONT_LABEL, 40, "Blinking", (wb_rect){0, 0, 640, 60},
                                   WB_ALIGN_LEFT, c), 0);
        if (i == 1)
            text_cache_info_get(f->t, &before);
    }
    text_cache_info_get(f->t, &info);
    assert_int_equal(info.renders, before.renders);
}

/* Many distinct strings and sizes: the caches evict and stay usable. */
static void test_cache_churn(void **state)
{
    fixture *f = *state;
    char buf[32];
    for (int i = 0; i < 700; i++) {
        snprintf(buf, sizeof buf, "%d", i * 7919);
        wb_rect box = {0, 0, 100 + i % 300, 20 + i % 200};
        assert_true(text_draw_led(f->t, buf, box, WB_ALIGN_RIGHT, LIT, 1, GHOST) >= 0);
        assert_true(text_draw(f->t, WB_FONT_LABEL, 0, buf, box, WB_ALIGN_LEFT, WHITE) >= 0);
    }
}

static void test_led_degenerate(void **state)
{
    fixture *f = *state;
    assert_int_equal(text_draw_led(f->t, "", (wb_rect){0, 0, 100, 50}, 0, LIT, 1, GHOST), 0);
    assert_int_equal(text_draw_led(f->t, "12", (wb_rect){0, 0, 0, 50}, 0, LIT, 1, GHOST), 1);
    assert_int_equal(
        text_draw_led(f->t, "12345678", (wb_rect){0, 0, 4, 50}, 0, LIT, 1, GHOST), 1);
    assert_int_equal(text_draw_led(NULL, "1", (wb_rect){0, 0, 10, 10}, 0, LIT, 1, GHOST), -1);
}

/* ---- labels --------------------------------------------------------------------------- */

static void utf8_codepoints(const char *s, Uint32 *out, int *n)
{
    const unsigned char *u = (const unsigned char *)s;
    *n = 0;
    while (*u) {
        int len = *u < 0x80 ? 1 : *u < 0xE0 ? 2 : *u < 0xF0 ? 3 : 4;
        Uint32 c = len == 1 ? *u : len == 2 ? (*u & 0x1Fu) : len == 3 ? (*u & 0x0Fu) : (*u & 7u);
        for (int i = 1; i < len; i++)
            c = (c << 6) | (u[i] & 0x3Fu);
        out[(*n)++] = c;
        u += len;
    }
}

static void test_mixed_script(void **state)
{
    fixture *f = *state;
    int w_mixed, h_mixed, w_latin, h_latin;
    assert_int_equal(text_measure(f->t, WB_FONT_LABEL, 32, MIXED, &w_mixed, &h_mixed), 0);
    assert_int_equal(text_measure(f->t, WB_FONT_LABEL, 32, " Waiting", &w_latin, &h_latin), 0);
    /* Four CJK ideographs/syllables at 32 px are ~32 px each. */
    assert_true(w_mixed > w_latin + 4 * 28);
    assert_true(h_mixed >= h_latin);
    /* No .notdef box: every code point has a glyph in some face of the chain. */
    Uint32 cps[64];
    int n;
    utf8_codepoints(MIXED, cps, &n);
    assert_int_equal(n, 13);
    TTF_Font *faces[FONTS_MAX_CHAIN];
    for (int k = 0; k < f->fonts.count[WB_FONT_LABEL]; k++) {
        const font_face *ff = &f->fonts.chain[WB_FONT_LABEL][k];
        faces[k] = TTF_OpenFontIndex(ff->path, 16, ff->face_index);
        assert_non_null(faces[k]);
    }
    for (int i = 0; i < n; i++) {
        int provided = 0;
        for (int k = 0; k < f->fonts.count[WB_FONT_LABEL]; k++)
            provided |= TTF_GlyphIsProvided32(faces[k], cps[i]) != 0;
        assert_true(provided);
    }
    for (int k = 0; k < f->fonts.count[WB_FONT_LABEL]; k++)
        TTF_CloseFont(faces[k]);
    /* And it draws, inside its box. */
    clear(f);
    wb_rect box = {10, 10, 600, 60};
    assert_int_equal(text_draw(f->t, WB_FONT_LABEL, 0, MIXED, box, WB_ALIGN_LEFT, WHITE), 0);
    SDL_Surface *s = read_frame(f->r);
    census c = count_pixels(s, box, WHITE);
    assert_true(c.color_in > 300);
    assert_int_equal(c.other_out, 0);
    SDL_FreeSurface(s);
}

/* A chain whose first face lacks Hangul (DejaVu) must hand the Hangul run to the next face:
 * the line measures the same as with that face alone, not as DejaVu's .notdef boxes. */
static void test_fallback_runs(void **state)
{
    fixture *f = *state;
    font_set latin_first, noto_only;
    memset(&latin_first, 0, sizeof latin_first);
    memset(&noto_only, 0, sizeof noto_only);
    for (int role = 0; role < 3; role++) {
        latin_first.chain[role][0] = (font_face){DEJAVU, 0, "fonts-dejavu-core"};
        latin_first.chain[role][1] = (font_face){NOTO, 1, "fonts-noto-cjk"};
        latin_first.count[role] = 2;
        noto_only.chain[role][0] = (font_face){NOTO, 1, "fonts-noto-cjk"};
        noto_only.count[role] = 1;
    }
    char err[256];
    text *a = text_open(&latin_first, render_renderer(f->r), err, sizeof err);
    text *b = text_open(&noto_only, render_renderer(f->r), err, sizeof err);
    assert_non_null(a);
    assert_non_null(b);
    int wa, ha, wb, hb, wlat, hlat;
    const char *hangul = "\xED\x99\x98\xEC\x9E\x90"; /* 환자 */
    assert_int_equal(text_measure(a, WB_FONT_LABEL, 40, hangul, &wa, &ha), 0);
    assert_int_equal(text_measure(b, WB_FONT_LABEL, 40, hangul, &wb, &hb), 0);
    assert_int_equal(wa, wb);
    /* Mixed: DejaVu's "ab" plus Noto's Hangul, on one baseline as tall as the taller face. */
    assert_int_equal(text_measure(a, WB_FONT_LABEL, 40, "ab", &wlat, &hlat), 0);
    assert_int_equal(text_measure(a, WB_FONT_LABEL, 40, "ab\xED\x99\x98\xEC\x9E\x90", &wa, &ha), 0);
    assert_int_equal(wa, wlat + wb);
    assert_true(ha >= hb && ha >= hlat);
    clear(f);
    assert_int_equal(text_draw(a, WB_FONT_LABEL, 40, "ab\xED\x99\x98\xEC\x9E\x90",
                               (wb_rect){0, 0, 640, 80}, WB_ALIGN_LEFT, WHITE), 0);
    SDL_Surface *s = read_frame(f->r);
    census c = count_pixels(s, (wb_rect){0, 0, 640, 80}, WHITE);
    assert_true(c.max_x > wlat + wb / 2); /* the Hangul run was drawn after the Latin one */
    SDL_FreeSurface(s);
    text_close(a);
    text_close(b);
}

static void test_label_shrink_and_cut(void **state)
{
    fixture *f = *state;
    const char *label = "Waiting room";
    int w, h;
    assert_int_equal(text_measure(f->t, WB_FONT_LABEL, 40, label, &w, &h), 0);
    /* Fits at its size. */
    wb_rect box = {0, 0, w + 10, 60};
    clear(f);
    assert_int_equal(text_draw(f->t, WB_FONT_LABEL, 40, label, box, WB_ALIGN_LEFT, WHITE), 0);
    /* 80 % of the width: shrunk, still inside. */
    box.w = w * 8 / 10;
    clear(f);
    assert_int_equal(text_draw(f->t, WB_FONT_LABEL, 40, label, box, WB_ALIGN_RIGHT, WHITE), 1);
    SDL_Surface *s = read_frame(f->r);
    census c = count_pixels(s, box, WHITE);
    assert_true(c.color_in > 100);
    assert_int_equal(c.other_out, 0);
    SDL_FreeSurface(s);
    /* 30 %: below the 60 % floor, so cut with an ellipsis, still inside. */
    box.w = w * 3 / 10;
    clear(f);
    assert_int_equal(text_draw(f->t, WB_FONT_LABEL, 40, label, box, WB_ALIGN_CENTER, WHITE), 1);
    s = read_frame(f->r);
    c = count_pixels(s, box, WHITE);
    assert_true(c.color_in > 20);
    assert_int_equal(c.other_out, 0);
    SDL_FreeSurface(s);
    /* Size 0 fits the box height; empty text draws nothing. */
    clear(f);
    box = (wb_rect){0, 100, 600, 50};
    assert_int_equal(text_draw(f->t, WB_FONT_LABEL_BOLD, 0, label, box, WB_ALIGN_LEFT, WHITE), 0);
    s = read_frame(f->r);
    assert_int_equal(count_pixels(s, box, WHITE).other_out, 0);
    SDL_FreeSurface(s);
    assert_int_equal(text_draw(f->t, WB_FONT_LABEL, 0, "", box, WB_ALIGN_LEFT, WHITE), 0);
    assert_int_equal(text_measure(f->t, WB_FONT_LABEL, 0, label, &w, &h), -1);
}

static void test_font_handle(void **state)
{
    fixture *f = *state;
    void *a = text_font(f->t, WB_FONT_LED, 48);
    assert_non_null(a);
    assert_ptr_equal(text_font(f->t, WB_FONT_LED, 48), a);
    assert_ptr_not_equal(text_font(f->t, WB_FONT_LABEL, 48), a);
    assert_int_equal(TTF_FontHeight(a), 48); /* DSEG7: one em tall */
    /* Many sizes through the caches: handed-out fonts stay open (pinned) meanwhile. */
    for (int size = 10; size < 120; size++)
        text_draw_led(f->t, "88", (wb_rect){0, 0, 400, size}, 0, LIT, 1, GHOST);
    assert_int_equal(TTF_FontHeight(a), 48);
    text_flush_cache(f->t);
    assert_int_equal(text_draw_led(f->t, "1", (wb_rect){0, 0, 400, 80}, 0, LIT, 1, GHOST), 0);
}

/* ---- shapes --------------------------------------------------------------------------- */

static void test_bar_and_sparkline(void **state)
{
    fixture *f = *state;
    SDL_Renderer *ren = render_renderer(f->r);
    wb_color accent = {0, 200, 255, 255};
    wb_rect bar = {20, 20, 200, 20};
    clear(f);
    draw_bar(ren, bar, 0.5, accent);
    SDL_Surface *s = read_frame(f->r);
    assert_true(same_rgb(pixel(s, 30, 30), accent));
    wb_color track = pixel(s, 200, 30);
    assert_false(same_rgb(track, accent));
    assert_false(same_rgb(track, BG)); /* a dim track */
    assert_true(same_rgb(pixel(s, 10, 30), BG));
    SDL_FreeSurface(s);

    wb_rect spark = {20, 100, 300, 100};
    double v[] = {1, 3, 2, NAN, NAN, 5, 4, 6, NAN, 2};
    clear(f);
    draw_sparkline(ren, spark, v, (int)(sizeof v / sizeof v[0]), accent);
    s = read_frame(f->r);
    census c = count_pixels(s, spark, accent);
    assert_true(c.color_in > 200);
    assert_int_equal(c.other_out, 0);
    /* The gap: no pixel in the column halfway between samples 3 and 4. */
    int gap_x = spark.x + (int)(spark.w * 3.5 / 9);
    int in_gap = 0;
    for (int y = spark.y; y < spark.y + spark.h; y++)
        in_gap += same_rgb(pixel(s, gap_x, y), accent);
    assert_int_equal(in_gap, 0);
    SDL_FreeSurface(s);
    /* Sharp peaks: the line stays inside its rect, and the caller's clip comes back. */
    double peaks[] = {0, 10, 0, 10, 0, 10, 0};
    wb_rect small = {400, 100, 60, 40};
    clear(f);
    SDL_Rect tile = {300, 50, 300, 300};
    SDL_RenderSetClipRect(ren, &tile);
    draw_sparkline(ren, small, peaks, 7, accent);
    SDL_Rect back;
    SDL_RenderGetClipRect(ren, &back);
    assert_true(SDL_RectEquals(&back, &tile));
    SDL_RenderSetClipRect(ren, NULL);
    s = read_frame(f->r);
    c = count_pixels(s, small, accent);
    assert_true(c.color_in > 50);
    assert_int_equal(c.other_out, 0);
    SDL_FreeSurface(s);
}

/* The sparkline as draw.c drew it before it was batched (one SDL_RenderGeometry and one
 * SDL_RenderDrawLineF per segment, one SDL_RenderFillRectF per lone point): the reference the
 * batched one must match pixel for pixel. */
static SDL_FPoint ref_join_offset(const SDL_FPoint *p, const int *ok, int count, int i, float t)
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

static void ref_sparkline(SDL_Renderer *r, wb_rect rect, const double *values, int count,
                          wb_color color)
{
    double lo = 0, hi = 0;
    int any = 0;
    for (int i = 0; i < count; i++) {
        if (!isfinite(values[i]))
            continue;
        lo = !any || values[i] < lo ? values[i] : lo;
        hi = !any || values[i] > hi ? values[i] : hi;
        any = 1;
    }
    if (!any || color.a == 0 || rect.w <= 0 || rect.h <= 0)
        return;
    int ti = (rect.h + 12) / 25;
    ti = ti > rect.h / 8 ? rect.h / 8 : ti;
    ti = ti > 8 ? 8 : ti;
    float t = ti < 1 ? 1.0f : (float)ti;
    float x0 = (float)rect.x + t / 2, span_w = (float)rect.w - t;
    float y0 = (float)rect.y + t / 2, span_h = (float)rect.h - t;
    SDL_Color c = {color.r, color.g, color.b, color.a};
    SDL_Rect old_clip, clip = {rect.x, rect.y, rect.w, rect.h};
    SDL_bool had_clip = SDL_RenderIsClipEnabled(r);
    SDL_RenderGetClipRect(r, &old_clip);
    if (had_clip && !SDL_IntersectRect(&old_clip, &clip, &clip))
        return;
    SDL_RenderSetClipRect(r, &clip);
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(r, color.r, color.g, color.b, color.a);
    enum { WINDOW = 256 };
    for (int base = -1; base < count - 1; base += WINDOW) {
        SDL_FPoint p[WINDOW + 3];
        int ok[WINDOW + 3], n = 0;
        for (int i = base; i < count && n < WINDOW + 3; i++, n++) {
            ok[n] = i >= 0 && isfinite(values[i]);
            double f = !ok[n] ? 0 : hi > lo ? (values[i] - lo) / (hi - lo) : 0.5;
            p[n] = (SDL_FPoint){count > 1 ? x0 + span_w * (float)i / (float)(count - 1)
                                          : x0 + span_w / 2,
                                y0 + span_h * (float)(1.0 - f)};
        }
        for (int k = 1; k <= WINDOW && k < n; k++) {
            if (!ok[k])
                continue;
            if (!ok[k - 1] && (k + 1 >= n || !ok[k + 1])) {
                SDL_FRect dot = {p[k].x - t / 2, p[k].y - t / 2, t, t};
                SDL_RenderFillRectF(r, &dot);
            }
            if (k + 1 < n && ok[k + 1]) {
                SDL_FPoint a = p[k], na = ref_join_offset(p, ok, n, k, t), b = p[k + 1],
                           nb = ref_join_offset(p, ok, n, k + 1, t);
                SDL_Vertex v[4] = {
                    {{a.x + na.x, a.y + na.y}, c, {0, 0}}, {{a.x - na.x, a.y - na.y}, c, {0, 0}},
                    {{b.x - nb.x, b.y - nb.y}, c, {0, 0}}, {{b.x + nb.x, b.y + nb.y}, c, {0, 0}},
                };
                const int idx[6] = {0, 1, 2, 0, 2, 3};
                SDL_RenderGeometry(r, NULL, v, 4, idx, 6);
                SDL_RenderDrawLineF(r, p[k].x, p[k].y, p[k + 1].x, p[k + 1].y);
            }
        }
    }
    SDL_RenderSetClipRect(r, had_clip ? &old_clip : NULL);
}

/* Batched, the sparkline draws the very pixels it drew one piece at a time (alpha included):
 * opaque and translucent colours, gaps and lone points, flat runs, tiny rects, long segments,
 * hundreds of points (several windows), clipped by the caller or not. */
static void test_sparkline_matches_unbatched(void **state)
{
    fixture *f = *state;
    SDL_Renderer *ren = render_renderer(f->r);
    static double v[600];
    unsigned seed = 4242;
    int opaque_draws = 0, cases = 0;
    for (int it = 0; it < 600; it++) {
        /* Few points make long segments (drawn in strips), many make several windows. */
        unsigned most = it % 7 == 0 ? 600u : it % 4 == 3 ? 4u : 90u;
        int count = 1 + (int)(((seed = seed * 1103515245u + 12345u) >> 8) % most);
        for (int i = 0; i < count; i++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = seed >> 8;
            v[i] = it % 5 == 0 ? 5.0 : it % 5 == 1 ? (double)(r % 4) : (double)(r % 100000) / 7.0;
            if (r % 97 < 8)
                v[i] = NAN;
        }
        seed = seed * 1103515245u + 12345u;
        unsigned r = seed >> 8;
        wb_rect rect = {(int)(r % 100), (int)(r / 100 % 100),
                        1 + (int)(r / 7 % (it % 3 ? 530u : 20u)),
                        1 + (int)(r / 13 % (it % 4 ? 250u : 12u))};
        wb_color color = {(uint8_t)r, (uint8_t)(r >> 3), (uint8_t)(r >> 6),
                          (uint8_t)(it % 3 == 0 ? 1 + r % 254 : 255)};
        SDL_Rect caller = {(int)(r % 200), (int)(r / 3 % 150), 300, 200};
        SDL_Surface *out[2];
        for (int pass = 0; pass < 2; pass++) {
            clear(f);
            SDL_RenderSetClipRect(ren, it % 2 ? &caller : NULL);
            if (pass == 0)
                ref_sparkline(ren, rect, v, count, color);
            else
                draw_sparkline(ren, rect, v, count, color);
            SDL_RenderSetClipRect(ren, NULL);
            out[pass] = read_frame(f->r);
        }
        for (int y = 0; y < out[0]->h; y++)
            assert_memory_equal((Uint8 *)out[0]->pixels + (size_t)y * (size_t)out[0]->pitch,
                                (Uint8 *)out[1]->pixels + (size_t)y * (size_t)out[1]->pitch,
                                (size_t)out[0]->w * 4);
        opaque_draws += color.a == 255;
        cases++;
        SDL_FreeSurface(out[0]);
        SDL_FreeSurface(out[1]);
    }
    fprintf(stderr, "sparklines batched vs one by one: %d cases (%d opaque), identical\n", cases,
            opaque_draws);
}

/* ---- render --------------------------------------------------------------------------- */

static void test_screenshot(void **state)
{
    fixture *f = *state;
    wb_color tile_bg = {20, 20, 24, 255};
    render_clear(f->r);
    render_begin_tile(f->r, (wb_rect){0, 0, 640, 360}, tile_bg);
    text_draw(f->t, WB_FONT_LABEL_BOLD, 0, MIXED, (wb_rect){20, 10, 600, 50}, WB_ALIGN_LEFT,
              (wb_color){200, 200, 200, 255});
    text_draw_led(f->t, "12:34.5", (wb_rect){20, 80, 600, 180}, WB_ALIGN_CENTER, LIT, 1, GHOST);
    text_draw_led(f->t, " -7", (wb_rect){20, 280, 200, 70}, WB_ALIGN_LEFT, LIT, 1, GHOST);
    render_end_tile(f->r);
    unsigned long before = render_presented_frames(f->r);
    render_present(f->r);
    assert_int_equal(render_presented_frames(f->r), before + 1);
    char err[256];
    const char *path = TEST_OUT_DIR "/test_text_led.png";
    assert_int_equal(render_screenshot(f->r, path, err, sizeof err), 0);
    SDL_Surface *png = IMG_Load(path);
    assert_non_null(png);
    SDL_Surface *argb = SDL_ConvertSurfaceFormat(png, SDL_PIXELFORMAT_ARGB8888, 0);
    assert_non_null(argb);
    assert_int_equal(argb->w, 640);
    assert_int_equal(argb->h, 360);
    assert_true(same_rgb(pixel(argb, 2, 2), tile_bg));
    census lit = count_pixels(argb, (wb_rect){20, 80, 600, 180}, LIT);
    assert_true(lit.color_in > 2000);
    assert_int_equal(pixel(argb, 2, 2).a, 255);
    SDL_FreeSurface(argb);
    SDL_FreeSurface(png);
    assert_int_equal(render_screenshot(f->r, "/nonexistent/dir/x.png", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/dir/x.png"));
}

static void *wake_later(void *arg)
{
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
    render_wake(arg);
    return NULL;
}

static void *interrupt_later(void *arg)
{
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
    render_interrupt(arg);
    return NULL;
}

static void test_wake_and_quit(void **state)
{
    fixture *f = *state;
    while (render_wait(f->r, 0) != 0) {
    }
    render_wake(f->r);
    render_wake(f->r);
    render_wake(f->r);
    assert_int_equal(render_wait(f->r, 100), RENDER_EV_WAKE);
    assert_int_equal(render_wait(f->r, 0), 0); /* coalesced into one event */
    /* From another thread, while waiting forever. */
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, wake_later, f->r), 0);
    assert_int_equal(render_wait(f->r, -1), RENDER_EV_WAKE);
    pthread_join(th, NULL);
    /* A timeout with nothing to do returns 0. */
    assert_int_equal(render_wait(f->r, 120), 0);
    /* A forever-wait returns when a signal handler interrupts it (here from a thread). */
    assert_int_equal(pthread_create(&th, NULL, interrupt_later, f->r), 0);
    assert_int_equal(render_wait(f->r, -1), RENDER_EV_WAKE);
    pthread_join(th, NULL);
    /* Quit, as a signal handler would ask for it: even a forever-wait returns. */
    render_request_quit(f->r);
    assert_true(render_wait(f->r, -1) & RENDER_EV_QUIT);
}

static void test_no_display_refused(void **state)
{
    (void)state;
    char err[256] = "";
    unsetenv("DISPLAY");
    unsetenv("WAYLAND_DISPLAY");
    unsetenv("SDL_VIDEODRIVER");
    render_options opt = {.windowed = 1, .width = 320, .height = 200, .title = "test"};
    assert_null(render_open(&opt, err, sizeof err));
    assert_non_null(strstr(err, "--headless"));
    assert_non_null(strstr(err, "DISPLAY"));
    /* SDL's invisible fallback drivers count as no display either. */
    setenv("SDL_VIDEODRIVER", "offscreen", 1);
    err[0] = '\0';
    assert_null(render_open(&opt, err, sizeof err));
    assert_non_null(strstr(err, "--headless"));
    unsetenv("SDL_VIDEODRIVER");
    /* Headless needs no display at all. */
    opt.headless = 1;
    render *r = render_open(&opt, err, sizeof err);
    assert_non_null(r);
    int w, h;
    render_size(r, &w, &h);
    assert_int_equal(w, 320);
    assert_int_equal(h, 200);
    render_close(r);
}

int main(void)
{
    const struct CMUnitTest drawing[] = {
        cmocka_unit_test(test_fonts_list),
        cmocka_unit_test(test_fonts_list_errors),
        cmocka_unit_test(test_led_in_box),
        cmocka_unit_test(test_led_width_limited),
        cmocka_unit_test(test_led_space_keeps_ghost_aligned),
        cmocka_unit_test(test_led_unsupported_char_is_blank),
        cmocka_unit_test(test_led_degenerate),
        cmocka_unit_test(test_led_cells_match_whole_strings),
        cmocka_unit_test(test_led_cache_bounded),
        cmocka_unit_test(test_led_asks_cells_rect),
        cmocka_unit_test(test_text_color),
        cmocka_unit_test(test_label_opaque_matches_blended),
        cmocka_unit_test(test_font_instances),
        cmocka_unit_test(test_fade_keeps_two),
        cmocka_unit_test(test_cache_churn),
        cmocka_unit_test(test_mixed_script),
        cmocka_unit_test(test_fallback_runs),
        cmocka_unit_test(test_label_shrink_and_cut),
        cmocka_unit_test(test_font_handle),
        cmocka_unit_test(test_bar_and_sparkline),
        cmocka_unit_test(test_sparkline_matches_unbatched),
        cmocka_unit_test(test_screenshot),
        cmocka_unit_test(test_wake_and_quit),
    };
    const struct CMUnitTest alone[] = {
        cmocka_unit_test(test_no_display_refused),
    };
    int failed = cmocka_run_group_tests_name("drawing", drawing, fixture_setup, fixture_teardown);
    failed += cmocka_run_group_tests_name("display", alone, NULL, NULL);
    return failed;
}
