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
 * rendered strings are cached as textures (LRU, bounded). NULL with err on failure. */
text *text_open(const font_set *fonts, struct SDL_Renderer *renderer, char *err,
                size_t err_size);
void text_close(text *t);

/* A TTF_Font * of the role's first face at pixel_size; borrowed, cached. NULL on error. */
void *text_font(text *t, wb_font_role role, int pixel_size);

/* As wb_host_services.draw_text / measure_text / draw_led (see plugin.h), on `renderer`. */
int text_draw(text *t, wb_font_role role, int pixel_size, const char *utf8, wb_rect box,
              wb_align align, wb_color color);
int text_measure(text *t, wb_font_role role, int pixel_size, const char *utf8, int *width,
                 int *height);
int text_draw_led(text *t, const char *digits, wb_rect box, wb_align align, wb_color color,
                  int ghost, wb_color ghost_color, const wb_color *under);

/* Drops cached textures (after a renderer reset). */
void text_flush_cache(text *t);

#endif
