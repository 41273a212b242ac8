/* draw.h: simple shapes for tiles (rectangles, bars, sparklines) on an SDL renderer.
 * The drawing half of the host services, besides text.c. */
#ifndef WB_DRAW_H
#define WB_DRAW_H

#include <wallboard/plugin.h>

struct SDL_Renderer;

void draw_fill_rect(struct SDL_Renderer *r, wb_rect rect, wb_color color);
/* Track in a dim version of color, fill to fraction (clamped 0..1). */
void draw_bar(struct SDL_Renderer *r, wb_rect rect, double fraction, wb_color color);
/* Polyline of values scaled min..max into rect (2 px thick from 1080p up); NAN = gap. */
void draw_sparkline(struct SDL_Renderer *r, wb_rect rect, const double *values, int count,
                    wb_color color);

#endif
