/* text.h: fonts opened with SDL2_ttf, text with a CJK fallback chain, and LED numbers with
 * ghost segments, cached as textures. One of two files with SDL (with render.c and draw.c). */
#ifndef WB_TEXT_H
#define WB_TEXT_H

#include <stddef.h>
#include <wallboard/plugin.h>
#include "fonts.h"

struct SDL_Renderer;
typedef struct text text;

/* Opens TTF, keeps the font set (copied). Each face (file and index) is opened at most twice
 * (plus fonts handed out by text_font): another size resizes the least recently used instance,
 * since an instance of a Noto Sans CJK face holds ~3 MB. Rendered strings are cached as
 * textures in their colour, LED numbers as per-glyph cells, both LRU and bounded by bytes; sizes
 * of measured strings and fitted boxes are cached too, so a frame that draws what the last one
 * drew never calls FreeType. NULL with err on failure. */
text *text_open(const font_set *fonts, struct SDL_Renderer *renderer, char *err,
                size_t err_size);
void text_close(text *t);

/* A TTF_Font * of the role's first face at pixel_size; borrowed, valid until text_close, never
 * resized (the caller may keep it). NULL on error. */
void *text_font(text *t, wb_font_role role, int pixel_size);

/* What is under a rect about to be drawn: an opaque colour (a == 255) that fills all of
 * `covered` right now, or NULL if that is not known. The answer is borrowed and read at once. */
typedef const wb_color *(*text_under_fn)(void *ctx, wb_rect covered);

/* While `under` is set (NULL: unset), text_draw and text_draw_led ask it with exactly the rect
 * they are about to cover (a label's ink; an LED number's full-width cells) and, when it answers
 * an opaque colour, copy a texture composed once on that colour instead of blending: the same
 * pixels, copied without blending (~5x cheaper). A wrong answer shows as a box of that colour
 * over whatever was there. ctx is passed back, borrowed. */
void text_set_under(text *t, text_under_fn under, void *ctx);

/* As wb_host_services.draw_text / measure_text / draw_led (see plugin.h), on `renderer`. */
int text_draw(text *t, wb_font_role role, int pixel_size, const char *utf8, wb_rect box,
              wb_align align, wb_color color);
int text_measure(text *t, wb_font_role role, int pixel_size, const char *utf8, int *width,
                 int *height);
/* As draw_led, with ghost segments in ghost_color. Opaque cells (see text_set_under) need the
 * colours opaque too; otherwise the glyphs are blended. */
int text_draw_led(text *t, const char *digits, wb_rect box, wb_align align, wb_color color,
                  int ghost, wb_color ghost_color);
/* Every pixel the last text_draw or text_draw_led call may have changed ({0,0,0,0} if none):
 * a label's ink, an LED number's cells and pieces. The host's paint log needs it, as glyphs may
 * reach outside the box they were fitted in. */
wb_rect text_last_drawn(const text *t);

/* Drops cached textures (after a renderer reset). */
void text_flush_cache(text *t);

/* What the caches hold now and their bounds (textures in bytes of pixels), how much was
 * rendered, and how often fonts were opened and resized. An LED combination (size, colours,
 * ghost, background) in use is never evicted while it draws, so led_bytes may pass led_bound by
 * that one combination. For tests and diagnostics. */
typedef struct text_cache_info {
    size_t tex_bytes, tex_bound; /* rendered strings */
    size_t led_bytes, led_bound; /* LED cells */
    int tex_count, led_sets;
    int fonts_open;              /* TTF_Font instances open now */
    unsigned long renders;       /* strings and LED characters rendered into textures, ever */
    unsigned long font_opens, font_resizes;
} text_cache_info;
void text_cache_info_get(const text *t, text_cache_info *info);

#endif
