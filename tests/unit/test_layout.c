/* test_layout.c: checks that grid cells become exact pixel rectangles at every resolution.
 * It must never compare against a second copy of the formula only: it checks geometric facts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "layout.h"

static const int sizes[][2] = {
    {1280, 720}, {1920, 1080}, {3840, 2160}, {1366, 768}, {1024, 600}, {1921, 1081},
    {2560, 1440}, {7680, 4320}, {800, 1280},
};
static const int gaps[] = {0, 1, 12, 40};

static wb_rect rect(const layout_grid *g, int c, int r, int cs, int rs)
{
    wb_rect out = {-1, -1, -1, -1};
    assert_int_equal(layout_tile_rect(g, c, r, cs, rs, &out), 0);
    return out;
}

static void test_scaled_gap(void **state)
{
    (void)state;
    layout_grid g = {1920, 1080, 4, 3, 12};
    assert_int_equal(layout_scaled_gap(&g), 12);
    g.height = 720;
    assert_int_equal(layout_scaled_gap(&g), 8);
    g.height = 2160;
    assert_int_equal(layout_scaled_gap(&g), 24);
    g.height = 768;            /* 12 * 768 / 1080 = 8.53: truncated */
    assert_int_equal(layout_scaled_gap(&g), 8);
    g.height = 50;             /* would round to 0: a gap asked for stays visible */
    assert_int_equal(layout_scaled_gap(&g), 1);
    g.gap = 0;
    assert_int_equal(layout_scaled_gap(&g), 0);
}

/* Along both axes: first cell one gap from the edge, last one gap from the far edge,
 * neighbours exactly one gap apart, and cell sizes differing by at most one pixel. */
static void check_grid(const layout_grid *g)
{
    int gap = layout_scaled_gap(g);
    for (int c = 0; c < g->columns; c++) {
        wb_rect a = rect(g, c, 0, 1, 1);
        wb_rect first = rect(g, 0, 0, 1, 1);
        assert_true(a.w >= 1);
        assert_true(a.w - first.w <= 1 && first.w - a.w <= 1);
        if (c == 0)
            assert_int_equal(a.x, gap);
        if (c == g->columns - 1)
            assert_int_equal(a.x + a.w, g->width - gap);
        if (c > 0) {
            wb_rect left = rect(g, c - 1, 0, 1, 1);
            assert_int_equal(a.x - (left.x + left.w), gap);
        }
    }
    for (int r = 0; r < g->rows; r++) {
        wb_rect a = rect(g, 0, r, 1, 1);
        assert_true(a.h >= 1);
        if (r == 0)
            assert_int_equal(a.y, gap);
        if (r == g->rows - 1)
            assert_int_equal(a.y + a.h, g->height - gap);
        if (r > 0) {
            wb_rect up = rect(g, 0, r - 1, 1, 1);
            assert_int_equal(a.y - (up.y + up.h), gap);
        }
    }
}

/* A span covers exactly its first cell's top-left to its last cell's bottom-right. */
static void check_spans(const layout_grid *g)
{
    for (int c = 0; c < g->columns; c++)
        for (int cs = 1; c + cs <= g->columns; cs++) {
            int r = g->rows / 2, rs = g->rows - r;
            wb_rect s = rect(g, c, r, cs, rs);
            wb_rect tl = rect(g, c, r, 1, 1);
            wb_rect br = rect(g, c + cs - 1, r + rs - 1, 1, 1);
            assert_int_equal(s.x, tl.x);
            assert_int_equal(s.y, tl.y);
            assert_int_equal(s.x + s.w, br.x + br.w);
            assert_int_equal(s.y + s.h, br.y + br.h);
        }
}

static void test_resolutions(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (size_t k = 0; k < sizeof gaps / sizeof gaps[0]; k++)
            for (int cols = 1; cols <= 12; cols++) {
                int rows = cols % 5 + 1;
                layout_grid g = {sizes[i][0], sizes[i][1], cols, rows, gaps[k]};
                check_grid(&g);
                check_spans(&g);
            }
}

/* The spreading of remainders, pinned on one case worked by hand: 1366 px, 12 columns,
 * gap 12 at 768 px high -> 8 px; avail = 1366 - 13 * 8 = 1262 = 12 * 105 + 2. */
static void test_exact_values(void **state)
{
    (void)state;
    layout_grid g = {1366, 768, 12, 1, 12};
    wb_rect a = rect(&g, 0, 0, 1, 1);
    assert_int_equal(a.x, 8);
    assert_int_equal(a.w, 105);          /* 1262 / 12 = 105 */
    wb_rect b = rect(&g, 5, 0, 1, 1);    /* 8 + 40 + 5*1262/12 = 48 + 525 = 573 */
    assert_int_equal(b.x, 573);
    assert_int_equal(b.w, 106);          /* 6*1262/12 = 631, 631 - 525 = 106 */
    wb_rect all = rect(&g, 0, 0, 12, 1);
    assert_int_equal(all.x, 8);
    assert_int_equal(all.w, 1366 - 16);
    assert_int_equal(all.y, 8);
    assert_int_equal(all.h, 768 - 16);
}

static void test_errors(void **state)
{
    (void)state;
    layout_grid g = {1920, 1080, 4, 3, 12};
    wb_rect r = {7, 7, 7, 7};
    assert_int_equal(layout_tile_rect(&g, 4, 0, 1, 1, &r), -1);
    assert_int_equal(layout_tile_rect(&g, 3, 0, 2, 1, &r), -1);
    assert_int_equal(layout_tile_rect(&g, 0, 2, 1, 2, &r), -1);
    assert_int_equal(layout_tile_rect(&g, -1, 0, 1, 1, &r), -1);
    assert_int_equal(layout_tile_rect(&g, 0, 0, 0, 1, &r), -1);
    assert_int_equal(layout_tile_rect(&g, 0, 0, 1, -1, &r), -1);
    assert_int_equal(layout_tile_rect(&g, 1, 0, 2147483647, 1, &r), -1);
    assert_int_equal(r.x, 7);            /* untouched on failure */
    layout_grid bad = {0, 1080, 4, 3, 12};
    assert_int_equal(layout_tile_rect(&bad, 0, 0, 1, 1, &r), -1);
    bad = (layout_grid){1920, 1080, 0, 3, 12};
    assert_int_equal(layout_tile_rect(&bad, 0, 0, 1, 1, &r), -1);
    bad = (layout_grid){1920, 1080, 4, 3, -1};
    assert_int_equal(layout_tile_rect(&bad, 0, 0, 1, 1, &r), -1);
}

/* 12 columns need 13 gaps plus 12 pixels: one pixel less and a cell would vanish. */
static void test_too_small(void **state)
{
    (void)state;
    layout_grid g = {13 * 12 + 12, 1080, 12, 1, 12};
    wb_rect r;
    assert_int_equal(layout_tile_rect(&g, 11, 0, 1, 1, &r), 0);
    assert_int_equal(r.w, 1);
    g.width--;
    assert_int_equal(layout_tile_rect(&g, 0, 0, 1, 1, &r), -1);
    layout_grid tall = {1920, 40, 1, 32, 0};
    assert_int_equal(layout_tile_rect(&tall, 0, 0, 1, 1, &r), 0);
    tall.rows = 41;
    assert_int_equal(layout_tile_rect(&tall, 0, 0, 1, 1, &r), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scaled_gap),
        cmocka_unit_test(test_resolutions),
        cmocka_unit_test(test_exact_values),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_too_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
