/* layout.h: grid cells to pixel rectangles at any resolution, exact to the pixel.
 * Pure integer arithmetic: no SDL, no floating point drift between neighbouring tiles. */
#ifndef WB_LAYOUT_H
#define WB_LAYOUT_H

#include <wallboard/plugin.h>

typedef struct layout_grid {
    int width, height;    /* screen in pixels */
    int columns, rows;
    int gap;              /* pixels between cells and around the edge, at 1080p height */
} layout_grid;

/* The gap scaled to the screen: gap * height / 1080, at least 1 if gap > 0. */
int layout_scaled_gap(const layout_grid *g);

/* Rectangle of a tile at (col,row) spanning (col_span,row_span). Cells share the space left
 * after gaps; remainders are spread so tiles in a row tile the width exactly.
 * Returns 0, or -1 if the span leaves the grid or the screen is too small. */
int layout_tile_rect(const layout_grid *g, int col, int row, int col_span, int row_span,
                     wb_rect *out);

#endif
