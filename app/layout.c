/* layout.c: turns grid cells into pixel rectangles with integer arithmetic only.
 * It must never use floating point or add up widths: neighbours sit exactly one gap apart. */
#include "layout.h"

#include <stdint.h>

/* Every edge is computed from its own index (never by adding widths), so the remainder of
 * avail / columns is spread over the row and the last tile ends exactly one gap from the edge. */

static int grid_ok(const layout_grid *g)
{
    return g && g->width > 0 && g->height > 0 && g->columns > 0 && g->rows > 0 && g->gap >= 0;
}

int layout_scaled_gap(const layout_grid *g)
{
    if (!g || g->gap <= 0 || g->height <= 0)
        return 0;
    int64_t gap = (int64_t)g->gap * g->height / 1080;
    return gap < 1 ? 1 : gap > INT32_MAX ? INT32_MAX : (int)gap;
}

/* Left (or top) edge of cell `c` and right (or bottom) edge of a span ending before cell `e`,
 * along an axis of `size` pixels split into `n` cells. */
static int64_t start_edge(int64_t gap, int64_t avail, int64_t n, int64_t c)
{
    return gap + c * gap + c * avail / n;
}

static int64_t end_edge(int64_t gap, int64_t avail, int64_t n, int64_t e)
{
    return gap + (e - 1) * gap + e * avail / n;
}

/* One axis: 0 and [*pos, *len], or -1 if the span leaves the grid or a cell is under 1 px. */
static int axis(int size, int n, int gap, int first, int span, int *pos, int *len)
{
    if (first < 0 || span < 1 || first >= n || span > n - first)
        return -1;
    int64_t avail = (int64_t)size - (int64_t)gap * (n + 1);
    if (avail < n)              /* the narrowest cell is floor(avail / n) pixels */
        return -1;
    int64_t a = start_edge(gap, avail, n, first);
    int64_t b = end_edge(gap, avail, n, (int64_t)first + span);
    *pos = (int)a;
    *len = (int)(b - a);
    return 0;
}

int layout_tile_rect(const layout_grid *g, int col, int row, int col_span, int row_span,
                     wb_rect *out)
{
    if (!grid_ok(g) || !out)
        return -1;
    int gap = layout_scaled_gap(g);
    wb_rect r;
    if (axis(g->width, g->columns, gap, col, col_span, &r.x, &r.w) != 0 ||
        axis(g->height, g->rows, gap, row, row_span, &r.y, &r.h) != 0)
        return -1;
    *out = r;
    return 0;
}
