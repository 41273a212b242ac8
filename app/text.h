/* text.h: fonts opened with SDL2_ttf, text with a CJK fallback chain, and LED numbers with
 * ghost segments, cached as textures. One of two files with SDL (with render.c and draw.c). */
#ifndef WB_TEXT_H
#define WB_TEXT_H

#include <stddef.h>
#include <wallboard/plugin.h>
#include "fonts.h"

struct SDL_Renderer;
typedef struct text text;

/* Opens TTF, keeps the font set (copied). Fonts are opened lazily per pixel size and cached;
 * rendered strings are cached as textures in their colour, and LED numbers as per-glyph cells
 * (both LRU, bounded by bytes). NULL with err on failure. */
text *text_open(const font_set *fonts, struct SDL_Renderer *renderer, char *err,
                size_t err_size);
void text_close(text *t);

/* A TTF_Font * of the role's first face at pixel_size; borrowed, cached. NULL on error. */
void *text_font(text *t, wb_font_role role, int pixel_size);

/* As wb_host_services.draw_text / measure_text / draw_led (see plugin.h), on `renderer`. */
int text_draw(text *t, wb_font_role role, int pixel_size, const char *utf8, wb_rect box,
              wb_align align, wb_color color);
/* Every pixel the last text_draw call may have touched ({0,0,0,0} if it drew nothing): the
 * host's paint log needs it, as glyphs may reach outside the box they were fitted in. */
wb_rect text_last_drawn(const text *t);
int text_measure(text *t, wb_font_role role, int pixel_size, const char *utf8, int *width,
                 int *height);

/* As draw_led, with ghost segments in ghost_color. `under`: NULL, or an opaque colour (a == 255)
 * that the caller guarantees fills the whole box right now (e.g. the tile background, nothing
 * drawn in the box yet). With it, each digit is a cell composed once on that colour and copied
 * without blending, the cheapest draw there is; a wrong promise shows as boxes of that colour
 * over whatever was there. NULL (or a translucent colour) blends the glyphs over what is there.
 * Both give the same pixels on a uniform background. Borrowed, read during the call only. */
int text_draw_led(text *t, const char *digits, wb_rect box, wb_align align, wb_color color,
                  int ghost, wb_color ghost_color, const wb_color *under);

/* Drops cached textures (after a renderer reset). */
void text_flush_cache(text *t);

/* What the texture caches hold now and their bounds, in bytes of pixels. An LED combination
 * (size, colours, ghost, background) in use is never evicted while it draws, so led_bytes may
 * pass led_bound by that one combination. For tests and diagnostics. */
typedef struct text_cache_info {
    size_t tex_bytes, tex_bound; /* rendered strings */
    size_t led_bytes, led_bound; /* LED cells */
    int tex_count, led_sets;
} text_cache_info;
void text_cache_info_get(const text *t, text_cache_info *info);

#endif
