/* as_render.c: the absent_students tile's layout and drawing, sized from the tile rectangle.
 * It must never draw outside render() nor change the model; what it drew goes to report(). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "absent_students.h"

/* Layout, as fractions of the tile so every tile size gets the same look. */
#define PAD_FRACTION 0.04        /* of the shorter side */
#define TITLE_FRACTION 0.14      /* of the shorter side; 1.5 times that on two lines */
#define WIDE_RATIO 2.2           /* body width / height from which the list goes to the right */
#define WIDE_NUMBERS_SHARE 0.44  /* of the body width, for the numbers in the wide layout */
#define ROW_FRACTION 0.085       /* a list row, of the shorter side (stacked layout) */
#define ROW_MAX_FRACTION 0.16    /* the tallest row, of the shorter side (wide layout) */
#define ROW_MIN_FRACTION 0.055   /* below this rows are dropped rather than shrunk */
#define ROMAN_MIN_FRACTION 0.04  /* romanized names no smaller than this, of the shorter side */
#define ROMAN_MIN_OF_ROW 0.5     /* ...nor, after a name, than this of the row's text */
#define ROW_TEXT_SHARE 0.55      /* a row's counts and names, of the row height */
#define NAME_LINE_SHARE 0.6      /* the Chinese name's line, with the romanized one under it */
#define ROMAN_AFTER_SHARE 0.72   /* a romanized name after the Chinese one, of its size */
#define LIST_MAX_SHARE 0.55      /* of the body height, for the list (stacked layout) */
#define HEADER_ROWS 0.8          /* the list's header, in rows */
#define BIG_SHARE 0.62           /* of the numbers block, for the big number */
#define CELL_LABEL_SHARE 0.36    /* of a secondary cell's height, for its label */
#define LED_MIN_POSITIONS 4      /* digits keep one size from 0 to 9999 */
#define TEXT_FILL 0.8            /* a label's pixel size, of its box height (as draw_text's 0) */

typedef struct as_cell {
    wb_rect label, led; /* a secondary number: its label above its digits */
} as_cell;

typedef struct as_layout {
    wb_rect title;
    int title_lines;
    wb_rect big;         /* the big number's box, as high as its digits are drawn */
    as_cell late, notified;
    wb_rect divider;     /* wide layout: between the numbers and the list */
    wb_rect header;      /* the list's header */
    wb_rect rows;        /* the list's rows, `row_count` of `row_h` */
    int row_count, row_h;
    int roman_min_px;    /* smaller romanized names are left out */
} as_layout;

static int scaled(int length, double fraction)
{
    return (int)lround(length * fraction);
}

static int is_visible(wb_rect r)
{
    return r.w > 0 && r.h > 0;
}

/* A draw that had to shrink or cut (1) makes the frame's overflow; an error (-1) does not. */
static void note(absent_students *a, int draw_result)
{
    if (draw_result == 1) a->overflow = 1;
}

/* ---- LED sizing --------------------------------------------------------------------------- */

/* Digit positions to size a number for: where its count-up started, where it is and where it
 * ends, at least LED_MIN_POSITIONS, so the digits keep one size through a count-up. */
static int sizing_positions(const absent_students *a, const as_number *n)
{
    return wbkit_anim_led_positions(a->svc, &n->anim, 0, AS_LED_DIGITS, LED_MIN_POSITIONS);
}

/* The height at which `positions` LED digits fit `box`: the host then fits them by height and
 * says no overflow. The whole box height when the font cannot be measured. Unlike
 * wbkit_led_fit_height, the margin is kept whether or not the width limits the digits: a
 * number a hair narrower than its box is drawn WBKIT_LED_FIT_MARGIN smaller all the same. */
static int led_height(const absent_students *a, int positions, wb_rect box)
{
    if (!is_visible(box)) return 0;
    char eights[WBKIT_LED_TEXT_SIZE];
    wbkit_led_eights(positions, eights, sizeof eights);
    /* measure near the drawn size: hinting makes small sizes less proportional */
    int px = box.h < WBKIT_LED_MEASURE_MAX_PX ? box.h : WBKIT_LED_MEASURE_MAX_PX;
    int w = 0, h = 0;
    if (a->svc->measure_text(a->host, WB_FONT_LED, px, eights, &w, &h) != 0 || w <= 0)
        return box.h;
    int fit = (int)floor((double)box.w * px / w * WBKIT_LED_FIT_MARGIN);
    if (fit >= box.h) return box.h;
    return fit < 1 ? 1 : fit;
}

/* box shrunk to `height`, centred vertically. */
static wb_rect centre_height(wb_rect box, int height)
{
    return (wb_rect){box.x, box.y + (box.h - height) / 2, box.w, height};
}

/* ---- layout ------------------------------------------------------------------------------- */

/* A secondary number's cell: label on top, digits below. */
static as_cell cell_in(const absent_students *a, wb_rect box, int positions)
{
    int label_h = scaled(box.h, CELL_LABEL_SHARE);
    wb_rect digits = {box.x, box.y + label_h, box.w, box.h - label_h};
    int led_h = led_height(a, positions, digits);
    as_cell c = {.label = {box.x, box.y, box.w, label_h},
                 .led = {box.x, digits.y, box.w, led_h}};
    return c;
}

/* The big number beside (column on the right) or above (a row of two) the secondaries. */
static void numbers_in(const absent_students *a, wb_rect box, int pad, int beside, as_layout *l)
{
    int big_pos = sizing_positions(a, &a->big);
    int small_pos = sizing_positions(a, &a->late);
    int notified_pos = sizing_positions(a, &a->notified);
    if (notified_pos > small_pos) small_pos = notified_pos;
    wb_rect big, first, second;
    if (beside) {
        int big_w = scaled(box.w, BIG_SHARE);
        int col_x = box.x + big_w + pad, col_w = box.x + box.w - col_x;
        big = (wb_rect){box.x, box.y, big_w, box.h};
        first = (wb_rect){col_x, box.y, col_w, (box.h - pad) / 2};
        second = (wb_rect){col_x, first.y + first.h + pad, col_w, box.h - first.h - pad};
    } else {
        int big_h = scaled(box.h, BIG_SHARE);
        int row_y = box.y + big_h + pad, row_h = box.y + box.h - row_y;
        big = (wb_rect){box.x, box.y, box.w, big_h};
        first = (wb_rect){box.x, row_y, (box.w - pad) / 2, row_h};
        second = (wb_rect){first.x + first.w + pad, row_y, box.w - first.w - pad, row_h};
    }
    l->big = centre_height(big, led_height(a, big_pos, big));
    l->late = cell_in(a, first, small_pos);
    l->notified = cell_in(a, second, small_pos);
}

/* Whichever arrangement draws the big number larger. */
static void numbers_best(const absent_students *a, wb_rect box, int pad, as_layout *l)
{
    as_layout beside = *l, below = *l;
    if (!is_visible(box)) return;
    numbers_in(a, box, pad, 1, &beside);
    numbers_in(a, box, pad, 0, &below);
    *l = beside.big.h > below.big.h ? beside : below;
}

/* Rows of at least the minimum height: fewer rows rather than unreadable ones. */
static void fit_rows(as_layout *l, int top, int row_h, int min_row_h, wb_rect list)
{
    int rows = top;
    if (row_h < min_row_h) {
        row_h = min_row_h;
        rows = (int)floor(list.h / (double)row_h - HEADER_ROWS);
        if (rows < 0) rows = 0;
        if (rows > top) rows = top;
    }
    int header_h = scaled(row_h, HEADER_ROWS);
    if (row_h < 1 || header_h + rows * row_h > list.h) return; /* no room for a list at all */
    l->row_h = row_h;
    l->row_count = rows;
    l->header = (wb_rect){list.x, list.y, list.w, header_h};
    l->rows = (wb_rect){list.x, list.y + header_h, list.w, rows * row_h};
}

static void layout_wide(const absent_students *a, wb_rect body, int pad, int shorter,
                        as_layout *l)
{
    int numbers_w = scaled(body.w, WIDE_NUMBERS_SHARE);
    wb_rect numbers = {body.x, body.y, numbers_w, body.h};
    wb_rect list = {body.x + numbers_w + 2 * pad, body.y, body.w - numbers_w - 2 * pad, body.h};
    int line = shorter / 300 > 1 ? shorter / 300 : 1;
    l->divider = (wb_rect){body.x + numbers_w + pad - line / 2, body.y, line, body.h};
    numbers_best(a, numbers, pad, l);
    int row_h = (int)floor(list.h / (a->top + HEADER_ROWS));
    if (row_h > scaled(shorter, ROW_MAX_FRACTION)) row_h = scaled(shorter, ROW_MAX_FRACTION);
    fit_rows(l, a->top, row_h, scaled(shorter, ROW_MIN_FRACTION), list);
    /* a short list sits in the middle of its column, as the numbers do */
    int spare = list.h - l->header.h - l->rows.h;
    if (l->row_h && spare > 0) {
        l->header.y += spare / 2;
        l->rows.y += spare / 2;
    }
}

static void layout_stacked(const absent_students *a, wb_rect body, int pad, int shorter,
                           as_layout *l)
{
    int max_list = scaled(body.h, LIST_MAX_SHARE);
    int row_h = scaled(shorter, ROW_FRACTION);
    if (row_h * (a->top + HEADER_ROWS) > max_list)
        row_h = (int)floor(max_list / (a->top + HEADER_ROWS));
    wb_rect list = {body.x, body.y + body.h - max_list, body.w, max_list};
    fit_rows(l, a->top, row_h, scaled(shorter, ROW_MIN_FRACTION), list);
    int list_h = l->row_h ? l->header.h + l->rows.h : 0;
    /* the list hugs the bottom; the numbers take everything above it */
    int list_y = body.y + body.h - list_h;
    l->header.y = list_y;
    l->rows.y = list_y + l->header.h;
    wb_rect numbers = {body.x, body.y, body.w, list_y - body.y - (list_h ? pad : 0)};
    numbers_best(a, numbers, pad, l);
}

static as_layout compute_layout(const absent_students *a, wb_rect r)
{
    as_layout l = {0};
    int shorter = r.w < r.h ? r.w : r.h;
    int pad = shorter > 0 ? scaled(shorter, PAD_FRACTION) : 0;
    wb_rect inner = {r.x + pad, r.y + pad, r.w - 2 * pad, r.h - 2 * pad};
    if (!is_visible(inner)) return l;

    int title_h = a->title.text ? scaled(shorter, TITLE_FRACTION) : 0;
    l.title_lines = title_h ? wbkit_title_lines(a->svc, a->host, &a->title, inner.w, title_h) : 0;
    if (l.title_lines == 2) title_h = title_h * 3 / 2;
    l.title = (wb_rect){inner.x, inner.y, inner.w, title_h};
    int body_y = inner.y + title_h + (title_h ? pad : 0);
    wb_rect body = {inner.x, body_y, inner.w, inner.y + inner.h - body_y};
    if (!is_visible(body)) return l;

    if (body.w >= WIDE_RATIO * body.h)
        layout_wide(a, body, pad, shorter, &l);
    else
        layout_stacked(a, body, pad, shorter, &l);
    l.roman_min_px = scaled(shorter, ROMAN_MIN_FRACTION);
    return l;
}

/* ---- text --------------------------------------------------------------------------------- */

static int text_width(const absent_students *a, wb_font_role role, int px, const char *text)
{
    int w = 0, h = 0;
    if (px < 1 || a->svc->measure_text(a->host, role, px, text, &w, &h) != 0) return -1;
    return w;
}

/* The first of `variants` (NULL-terminated, longest first) that fits box.w at px, else the
 * last: drawn, and an overflow noted if the host had to shrink or cut it. */
static void draw_label(absent_students *a, const char *const *variants, int px, wb_rect box,
                       wb_align align, wb_color color, wb_font_role role)
{
    if (!is_visible(box) || px < 1) return;
    int i = wbkit_label_pick(a->svc, a->host, role, px, variants, box.w, NULL);
    note(a, a->svc->draw_text(a->host, role, px, variants[i], box, align, color));
}

static int fill_px(wb_rect box)
{
    return (int)(box.h * TEXT_FILL);
}

static wb_color faded(wb_color c, uint8_t alpha)
{
    c.a = alpha;
    return c;
}

/* The share bar under a row's names: thin, but never under 2 px. */
static int bar_height(int row_h)
{
    return row_h / 12 > 2 ? row_h / 12 : 2;
}

/* ---- the numbers -------------------------------------------------------------------------- */

static wb_color number_color(const absent_students *a, wb_level level, wb_palette normal)
{
    if (level != WB_LEVEL_NORMAL) return a->svc->level_color(a->host, level);
    return a->svc->color(a->host, normal);
}

/* The number behind blank cells up to the positions it is sized for: the unlit "8"s of a
 * fixed display, and digits that stay put as the count grows. */
static void draw_led(absent_students *a, const as_number *n, wb_rect box, wb_color color)
{
    if (!is_visible(box)) return;
    char padded[2 * WBKIT_LED_TEXT_SIZE];
    int blanks = sizing_positions(a, n) - wbkit_led_positions(n->text);
    if (blanks < 0) blanks = 0;
    if (blanks > WBKIT_LED_TEXT_SIZE - 1) blanks = WBKIT_LED_TEXT_SIZE - 1;
    snprintf(padded, sizeof padded, "%*s%.*s", blanks, "", WBKIT_LED_TEXT_SIZE - 1, n->text);
    note(a, a->svc->draw_led(a->host, padded, box, WB_ALIGN_CENTER, color, 1));
}

static void draw_cell(absent_students *a, const as_cell *c, const char *const *label,
                      const as_number *n, wb_color color)
{
    draw_label(a, label, fill_px(c->label), c->label, WB_ALIGN_CENTER,
               a->svc->color(a->host, WB_COLOR_TEXT_DIM), WB_FONT_LABEL);
    draw_led(a, n, c->led, color);
}

static void draw_numbers(absent_students *a, const as_layout *l)
{
    static const char *const late_label[] = {"迟到 · Late", "迟到", NULL};
    static const char *const notified_label[] = {"已通知家长 · Parents notified",
                                                 "已通知家长 · Notified", "已通知家长", NULL};
    /* every number in the wall's LED red, as the hall's other tiles: size makes the order */
    draw_led(a, &a->big, l->big, number_color(a, as_big_level(a), WB_COLOR_LED));
    draw_cell(a, &l->late, late_label, &a->late,
              number_color(a, as_late_level(a), WB_COLOR_LED));
    draw_cell(a, &l->notified, notified_label, &a->notified,
              a->svc->color(a->host, WB_COLOR_LED));
}

/* ---- the ranked list ---------------------------------------------------------------------- */

/* Columns of a row: rank, names, left-behind absent, all absent; px of the rank and counts. */
typedef struct row_columns {
    int rank_w, name_x, name_w, lb_x, absent_x, number_w, px;
} row_columns;

/* Where the romanized names go: nowhere, after the Chinese ones, or on a line under them. */
typedef enum roman_place { ROMAN_NONE, ROMAN_AFTER, ROMAN_BELOW } roman_place;

/* One look for every row of a frame, so the list reads as a table. */
typedef struct row_style {
    int name_px, roman_px;
    roman_place roman;
    wb_rect name_line, roman_line; /* ROMAN_BELOW: the two lines, relative to a row's top */
} row_style;

/* The width of the widest count of the rows at px, and never less than three digits: the
 * columns stay put while counts stay realistic. */
static int counts_width(const absent_students *a, const as_school *const *rows, int n, int px)
{
    int most = text_width(a, WB_FONT_LABEL_BOLD, px, "888");
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < 2; k++) {
            char text[32];
            double v = (double)rows[i]->v[k ? AS_ABSENT_LB : AS_ABSENT];
            a->svc->format_number(v, 0, ",", text, sizeof text);
            int w = text_width(a, WB_FONT_LABEL_BOLD, px, text);
            if (w > most) most = w;
        }
    }
    return most > 0 ? most : px * 2;
}

static row_columns columns_for(const absent_students *a, wb_rect list, int row_h,
                               const as_school *const *rows, int n)
{
    row_columns c = {0};
    c.px = (int)(row_h * ROW_TEXT_SHARE);
    /* the column heads are two characters wide */
    int head_w = text_width(a, WB_FONT_LABEL, c.px, "缺勤");
    int counts_w = counts_width(a, rows, n, c.px);
    c.number_w = (counts_w > head_w ? counts_w : head_w) + c.px / 2;
    c.rank_w = (int)(c.px * 1.4);
    c.absent_x = list.x + list.w - c.number_w;
    c.lb_x = c.absent_x - c.number_w;
    c.name_x = list.x + c.rank_w;
    c.name_w = c.lb_x - c.px / 2 - c.name_x;
    return c;
}

/* The height of a row without its share bar. */
static int row_content_h(int row_h)
{
    return row_h - 2 * bar_height(row_h);
}

/* The widest name (romanized ones when `roman`) of the rows at px; 0 when none; -1 on error. */
static int widest(const absent_students *a, const as_school *const *rows, int n, int roman,
                  int px)
{
    int most = 0;
    for (int i = 0; i < n; i++) {
        const char *text = roman ? rows[i]->romanized : rows[i]->name;
        if (!text) continue;
        int w = text_width(a, WB_FONT_LABEL, px, text);
        if (w < 0) return -1;
        if (w > most) most = w;
    }
    return most;
}

/* px made smaller so that text `widest` px wide at px fits `width`. */
static int shrunk_to(int px, int widest, int width)
{
    if (widest <= width || widest <= 0) return px;
    return (int)((long long)px * width / widest);
}

/* The romanized names on a line of their own, if every one fits there at a legible size. */
static int style_below(const absent_students *a, const as_layout *l, const row_columns *c,
                       const as_school *const *rows, int n, int least, row_style *st)
{
    int h = row_content_h(l->row_h);
    wb_rect first = {0, 0, c->name_w, scaled(h, NAME_LINE_SHARE)};
    wb_rect second = {0, first.h, c->name_w, h - first.h};
    int name_px = fill_px(first), roman_px = fill_px(second);
    int names = widest(a, rows, n, 0, name_px);
    if (roman_px < least || names < 0 || names > c->name_w) return 0;
    int romans = widest(a, rows, n, 1, roman_px);
    if (romans <= 0) return 0;
    roman_px = shrunk_to(roman_px, romans, c->name_w);
    if (roman_px < least || widest(a, rows, n, 1, roman_px) > c->name_w) return 0;
    *st = (row_style){name_px, roman_px, ROMAN_BELOW, first, second};
    return 1;
}

/* The romanized names after the Chinese ones, if each fits at one legible size. */
static void roman_after(const absent_students *a, const row_columns *c,
                        const as_school *const *rows, int n, int least, row_style *st)
{
    int px = (int)(st->name_px * ROMAN_AFTER_SHARE);
    for (int i = 0; i < n && px >= least; i++) {
        if (!rows[i]->romanized) continue;
        int nw = text_width(a, WB_FONT_LABEL, st->name_px, rows[i]->name);
        int rw = text_width(a, WB_FONT_LABEL, px, rows[i]->romanized);
        if (nw < 0 || rw < 0) return;
        px = shrunk_to(px, rw, c->name_w - nw - st->name_px);
    }
    if (px < least) return;
    st->roman_px = px;
    st->roman = ROMAN_AFTER;
}

/* One line: the Chinese names at one size, shrunk together to the widest (to 60 % at most:
 * below that the host cuts and it counts as an overflow). */
static row_style style_one_line(const absent_students *a, const row_columns *c,
                                const as_school *const *rows, int n, int least)
{
    row_style st = {.name_px = c->px, .roman = ROMAN_NONE};
    int names = widest(a, rows, n, 0, c->px);
    if (names < 0) return st;
    int floor_px = (c->px * 6 + 9) / 10;
    st.name_px = shrunk_to(c->px, names, c->name_w);
    if (st.name_px < floor_px) st.name_px = floor_px;
    roman_after(a, c, rows, n, least, &st);
    return st;
}

/* One look for all rows: romanized names below, after, or left out. Romanized text smaller
 * than the tile's legible least is noise, not information; after a name, so is text much
 * smaller than the name. */
static row_style style_rows(const absent_students *a, const as_layout *l, const row_columns *c,
                            const as_school *const *rows, int n)
{
    int least = l->roman_min_px > 1 ? l->roman_min_px : 1;
    int least_after = (int)(c->px * ROMAN_MIN_OF_ROW);
    row_style st;
    if (style_below(a, l, c, rows, n, least, &st)) return st;
    return style_one_line(a, c, rows, n, least_after > least ? least_after : least);
}

static void draw_header(absent_students *a, const as_layout *l, const row_columns *c)
{
    static const char *const heading[] = {"缺勤最多的学校 · Most absences",
                                          "缺勤最多 · Most absent", "缺勤最多", NULL};
    static const char *const lb_head[] = {"留守", NULL};
    static const char *const absent_head[] = {"缺勤", NULL};
    wb_rect h = l->header;
    wb_color dim = a->svc->color(a->host, WB_COLOR_TEXT_DIM);
    /* never louder than the rows it heads */
    int px = fill_px(h) < c->px ? fill_px(h) : c->px;
    wb_rect left = {h.x, h.y, c->lb_x - h.x, h.h};
    draw_label(a, heading, px, left, WB_ALIGN_LEFT, dim, WB_FONT_LABEL);
    draw_label(a, lb_head, px, (wb_rect){c->lb_x, h.y, c->number_w, h.h}, WB_ALIGN_RIGHT,
               a->svc->color(a->host, WB_COLOR_LED), WB_FONT_LABEL);
    draw_label(a, absent_head, px, (wb_rect){c->absent_x, h.y, c->number_w, h.h},
               WB_ALIGN_RIGHT, dim, WB_FONT_LABEL);
}

/* A count for a row: grouped digits of the count-up's value now. */
static void row_number(const absent_students *a, const wbkit_anim *anim, char *buf, size_t size)
{
    a->svc->format_number(round(anim->shown), 0, ",", buf, size);
}

static void draw_text_in(absent_students *a, int px, const char *text, wb_rect box,
                         wb_palette color)
{
    if (is_visible(box) && px >= 1)
        note(a, a->svc->draw_text(a->host, WB_FONT_LABEL, px, text, box, WB_ALIGN_LEFT,
                                  a->svc->color(a->host, color)));
}

/* The school's names in the row's name box, as the frame's style says. */
static void draw_names(absent_students *a, const as_school *s, wb_rect box, const row_style *st)
{
    if (st->roman == ROMAN_BELOW) {
        wb_rect first = {box.x, box.y + st->name_line.y, box.w, st->name_line.h};
        wb_rect second = {box.x, box.y + st->roman_line.y, box.w, st->roman_line.h};
        draw_text_in(a, st->name_px, s->name, first, WB_COLOR_TEXT);
        if (s->romanized) draw_text_in(a, st->roman_px, s->romanized, second, WB_COLOR_TEXT_DIM);
        return;
    }
    draw_text_in(a, st->name_px, s->name, box, WB_COLOR_TEXT);
    if (st->roman != ROMAN_AFTER || !s->romanized) return;
    int nw = text_width(a, WB_FONT_LABEL, st->name_px, s->name);
    if (nw < 0) return;
    int skip = nw + st->name_px; /* a gap of one character */
    draw_text_in(a, st->roman_px, s->romanized,
                 (wb_rect){box.x + skip, box.y, box.w - skip, box.h}, WB_COLOR_TEXT_DIM);
}

/* The absences as a bar under the name: all of them dim, the left-behind share in red. */
static void draw_share_bar(absent_students *a, const as_school *s, wb_rect bar, double most)
{
    if (!is_visible(bar) || most <= 0) return;
    wb_color dim = a->svc->color(a->host, WB_COLOR_TEXT_DIM);
    a->svc->fill_rect(a->host, bar, faded(dim, 48));
    int all = (int)lround(bar.w * fmin(1.0, s->absent_anim.shown / most));
    int lb = (int)lround(bar.w * fmin(1.0, s->lb_anim.shown / most));
    if (all > 0) a->svc->fill_rect(a->host, (wb_rect){bar.x, bar.y, all, bar.h}, faded(dim, 200));
    if (lb > 0)
        a->svc->fill_rect(a->host, (wb_rect){bar.x, bar.y, lb, bar.h},
                          a->svc->color(a->host, WB_COLOR_LED));
}

static void draw_count(absent_students *a, const wbkit_anim *anim, int px, wb_rect box,
                       wb_palette color)
{
    char text[32];
    const char *const variants[] = {text, NULL};
    row_number(a, anim, text, sizeof text);
    draw_label(a, variants, px, box, WB_ALIGN_RIGHT, a->svc->color(a->host, color),
               WB_FONT_LABEL_BOLD);
}

static void draw_row(absent_students *a, const as_layout *l, const row_columns *c,
                     const row_style *st, int i, const as_school *s, double most)
{
    int y = l->rows.y + i * l->row_h, h = row_content_h(l->row_h), bar_h = bar_height(l->row_h);
    char rank[16];
    const char *const rank_v[] = {rank, NULL};
    snprintf(rank, sizeof rank, "%d", i + 1);
    draw_label(a, rank_v, c->px, (wb_rect){l->rows.x, y, c->rank_w, h}, WB_ALIGN_LEFT,
               a->svc->color(a->host, WB_COLOR_TEXT_DIM), WB_FONT_LABEL_BOLD);
    wb_rect names = {c->name_x, y, c->name_w, h};
    if (is_visible(names)) draw_names(a, s, names, st);
    draw_count(a, &s->lb_anim, c->px, (wb_rect){c->lb_x, y, c->number_w, h}, WB_COLOR_LED);
    draw_count(a, &s->absent_anim, c->px, (wb_rect){c->absent_x, y, c->number_w, h},
               WB_COLOR_TEXT);
    int bar_w = c->absent_x + c->number_w - c->name_x;
    draw_share_bar(a, s, (wb_rect){c->name_x, y + h, bar_w, bar_h}, most);
}

/* Said in the rows' place when there is nothing to rank. */
static void draw_no_rows(absent_students *a, const as_layout *l, int px)
{
    static const char *const waiting[] = {"等待数据 · Waiting for data", "等待数据", NULL};
    static const char *const none[] = {"今日暂无缺勤 · No absences today", "暂无缺勤", NULL};
    wb_rect box = {l->rows.x, l->rows.y, l->rows.w, l->row_h};
    draw_label(a, a->model.has_totals ? none : waiting, px, box, WB_ALIGN_LEFT,
               a->svc->color(a->host, WB_COLOR_TEXT_DIM), WB_FONT_LABEL);
}

static void draw_list(absent_students *a, const as_layout *l)
{
    a->rows_drawn = 0;
    if (!is_visible(l->header)) return;
    const as_school *top[AS_MAX_TOP];
    int n = is_visible(l->rows) ? as_model_top(&a->model, top, l->row_count) : 0;
    row_columns c = columns_for(a, l->header, l->row_h, top, n);
    draw_header(a, l, &c);
    if (!is_visible(l->rows)) return;
    if (n == 0) {
        draw_no_rows(a, l, c.px);
        return;
    }
    row_style st = style_rows(a, l, &c, top, n);
    double most = 0;
    for (int i = 0; i < n; i++) most = fmax(most, top[i]->absent_anim.shown);
    for (int i = 0; i < n; i++) draw_row(a, l, &c, &st, i, top[i], most);
    a->rows_drawn = n;
}

/* ---- the frame ---------------------------------------------------------------------------- */

void as_render(absent_students *a, wb_rect rect)
{
    a->overflow = 0;
    as_number_text(a, &a->big, a->big.text, sizeof a->big.text);
    as_number_text(a, &a->late, a->late.text, sizeof a->late.text);
    as_number_text(a, &a->notified, a->notified.text, sizeof a->notified.text);
    as_layout l = compute_layout(a, rect);

    if (is_visible(l.title))
        note(a, wbkit_title_draw(a->svc, a->host, &a->title, l.title, l.title_lines,
                                 a->svc->color(a->host, WB_COLOR_TEXT)));
    draw_numbers(a, &l);
    if (is_visible(l.divider))
        a->svc->fill_rect(a->host, l.divider, faded(a->svc->color(a->host, WB_COLOR_TEXT_DIM), 70));
    draw_list(a, &l);
}
