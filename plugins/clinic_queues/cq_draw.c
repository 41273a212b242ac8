/* cq_draw.c: the clinic_queues tile: layout from the tile rectangle alone, and drawing.
 * It must never leave text for the host to shrink or cut unreported: every 1 is an overflow. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "clinic_queues.h"

/* Layout, as fractions of the tile (or of a part of it), so every tile size gets one look. */
#define PAD_FRACTION 0.04          /* of the shorter side */
#define TITLE_FRACTION 0.13        /* of the shorter side, one line */
#define CAPTION_OF_TILE 0.075      /* of the shorter side: captions and the list header */

/* Wide tiles (2x1): the number, stats and sparkline in a column beside the list. */
#define WIDE_RATIO 2.2             /* body width / height from which the list goes beside */
#define WIDE_HERO_WIDTH 0.42       /* of the body */
#define WIDE_LED_HEIGHT 0.54       /* of the hero column */
#define WIDE_STATS_SHARE 0.6       /* of the hero below the number; the sparkline the rest */

/* Landscape tiles (1x1, 2x2): the number and the stacked stats over the list. */
#define TALL_RATIO 0.9             /* body width / height below which everything stacks */
#define NARROW_LIST_MIN 0.46       /* of the body: the list under the number and stats */
#define NARROW_LIST_MAX 0.52
#define NARROW_LED_WIDTH 0.56      /* of the top part; the stats stacked beside */
#define NARROW_LED_HEIGHT 0.74     /* of the number's column; the sparkline under it */

/* Tall tiles (1x2): everything stacked. */
#define TALL_LED_HEIGHT 0.2        /* of the body, each: number, stats, sparkline */
#define TALL_STATS_HEIGHT 0.15
#define TALL_SPARK_HEIGHT 0.08

/* Stat cells: a caption over an LED count. */
#define CAPTION_FRACTION 0.36      /* of a stat cell at most: its caption; the number below */
#define STAT_OF_NUMBER 0.6         /* stat digits at most this high against the big number's */
#define FLAGGED_SHARE 0.55         /* of its cell, the least the flagged count keeps */

/* Ranked rows. */
#define ROW_MIN_FRACTION 0.09      /* of the shorter side: rows lower than this are dropped */
#define ROW_MIN_PX 20              /* ...and lower than this, at any tile size: unreadable */
#define ROMAN_MIN_PX 12            /* a romanized name smaller than this is left out */
#define TWO_LINE_ROWS 1.3          /* rows this many minimum heights high, with room for a */
                                   /* legible line (ROMAN_MIN_PX), show the romanized name */
#define ROW_GAP 0.16               /* of a row, the space under it; of the rest: */
#define ONE_LINE_NAME 0.68         /* the name's line */
#define ONE_LINE_BAR 0.2           /* the bar */
#define TWO_LINE_NAME 0.48
#define TWO_LINE_ROMAN 0.3
#define TWO_LINE_BAR 0.14

/* Text and LED fitting. */
#define TEXT_PX_OF_BOX 0.8         /* label pixel size for a line box of a given height */
#define SHRINK_FLOOR 0.8           /* a label may be drawn this much smaller to fit */

/* LED panels: the fewest positions each one shows (ghost "8"s fill the unused ones, as on a
 * real display, and keep the digits one size while a count grows) and the most. */
#define WAITING_POSITIONS 4
#define STAT_POSITIONS 3
#define ROW_POSITIONS 3
#define MAX_POSITIONS 6

#define TEXT_SIZE 160

typedef struct cq_layout {
    wb_rect title, led, spark, scans, flagged, header, list;
    int title_lines;
    int caption_h;  /* captions and the list header */
    int rows;       /* ranked rows that fit the list */
    int two_line;   /* rows tall enough for the romanized name on a line of its own */
    int pad;
} cq_layout;

typedef struct painter {
    const cq_view *v;
    cq_drawn *drawn;
    uint64_t now_ms;
} painter;

/* ---- small geometry ----------------------------------------------------------------------- */

static int scaled(int length, double fraction)
{
    return (int)lround(length * fraction);
}

static int is_visible(wb_rect r)
{
    return r.w > 0 && r.h > 0;
}

static wb_rect inset(wb_rect r, int dx, int dy)
{
    return (wb_rect){r.x + dx, r.y + dy, r.w - 2 * dx, r.h - 2 * dy};
}

static void note(painter *p, int draw_result)
{
    if (draw_result == 1) p->drawn->overflow = 1;
}

static int text_px(int line_h)
{
    int px = scaled(line_h, TEXT_PX_OF_BOX);
    return px < 1 ? 1 : px;
}

/* ---- text that fits ----------------------------------------------------------------------- */

/* The pixel size <= px (down to SHRINK_FLOOR of it) at which text fits width; 0 if none does.
 * If the host cannot measure, px: draw_text then says whether it fitted. */
static int fitting_px(const cq_view *v, wb_font_role role, int px, const char *text, int width)
{
    int w = 0, h = 0;
    if (v->svc->measure_text(v->host, role, px, text, &w, &h) != 0 || w <= width) return px;
    int floor_px = (int)ceil(px * SHRINK_FLOOR);
    for (int s = (int)((long long)px * width / w); s >= floor_px && s >= 1; s--) {
        if (v->svc->measure_text(v->host, role, s, text, &w, &h) != 0) return 0;
        if (w <= width) return s;
    }
    return 0;
}

static int text_width(const cq_view *v, wb_font_role role, int px, const char *text)
{
    int w = 0, h = 0;
    if (v->svc->measure_text(v->host, role, px, text, &w, &h) != 0) return -1;
    return w;
}

/* The first of `texts` (n, NULL or "" skipped) that fits `width` at px or a little smaller,
 * with its size in *size; -1 if none does. */
static int choose_fitting(const cq_view *v, wb_font_role role, int px, const char *const *texts,
                          int n, int width, int *size)
{
    for (int i = 0; i < n; i++) {
        if (!texts[i] || !texts[i][0]) continue;
        *size = fitting_px(v, role, px, texts[i], width);
        if (*size > 0) return i;
    }
    return -1;
}

/* Draws the text choose_fitting picks. If none fits, the last is left to the host, whose
 * shrink or cut is an overflow. Returns the width drawn (box.w when not known), or 0 when
 * nothing was drawn. */
static int draw_fitting(painter *p, wb_font_role role, int px, const char *const *texts, int n,
                        wb_rect box, wb_align align, wb_color color)
{
    const cq_view *v = p->v;
    int size = px;
    if (!is_visible(box)) return 0;
    int i = choose_fitting(v, role, px, texts, n, box.w, &size);
    if (i < 0) {
        for (i = n - 1; i >= 0 && (!texts[i] || !texts[i][0]); i--) continue;
        if (i < 0) return 0;
        size = px;
    }
    /* a box as wide as the text, so what is drawn beside it cannot be in its box */
    int w = text_width(v, role, size, texts[i]);
    if (w > 0 && w < box.w) {
        if (align == WB_ALIGN_RIGHT) box.x += box.w - w;
        else if (align == WB_ALIGN_CENTER) box.x += (box.w - w) / 2;
        box.w = w;
    }
    note(p, v->svc->draw_text(v->host, role, size, texts[i], box, align, color));
    return box.w;
}

/* A label only if it fits at px, which is legible: for what may be left out. */
static int draw_if_fits(painter *p, wb_font_role role, int px, const char *text, wb_rect box,
                        wb_align align, wb_color color)
{
    if (!is_visible(box) || !text[0] || px < ROMAN_MIN_PX) return 0;
    int w = text_width(p->v, role, px, text);
    if (w < 0 || w > box.w) return 0;
    note(p, p->v->svc->draw_text(p->v->host, role, px, text, box, align, color));
    return 1;
}

/* ---- LED numbers -------------------------------------------------------------------------- */

/* The height at which `positions` LED digits (1..MAX_POSITIONS + 1, for a scale) fit box_w, at
 * most box_h: draw_led then fits by height and has no reason to shrink. */
static int led_height(const cq_view *v, int positions, int box_w, int box_h)
{
    char eights[MAX_POSITIONS + 2];
    wbkit_led_eights(positions, eights, sizeof eights);
    return wbkit_led_fit_height(v->svc, v->host, eights, box_w, box_h);
}

/* The width `positions` digits take at height h (at least 1), with the room led_height leaves. */
static int led_width(const cq_view *v, int positions, int h)
{
    char eights[MAX_POSITIONS + 2];
    wbkit_led_eights(positions, eights, sizeof eights);
    int w = h < 1 ? -1 : text_width(v, WB_FONT_LED, h, eights);
    return w <= 0 ? h : (int)ceil(w / WBKIT_LED_FIT_MARGIN) + 1;
}

/* LED text of a count in at most MAX_POSITIONS, padded with blanks to `positions` so the
 * ghosts show a fixed panel. Returns the scale ("" or "k", "M"...). */
static const char *count_text(const cq_view *v, double value, int positions, char *buf)
{
    char digits[WBKIT_LED_TEXT_SIZE];
    const char *scale = wbkit_led_text(v->svc, value, 0, MAX_POSITIONS, digits, sizeof digits);
    size_t len = strlen(digits);
    int pad = positions - wbkit_led_positions(digits);
    if (pad < 0 || (size_t)pad + len >= WBKIT_LED_TEXT_SIZE) pad = 0;
    memset(buf, ' ', (size_t)pad);
    memcpy(buf + pad, digits, len + 1);
    return scale;
}

/* Positions of a panel showing an animated count: the most of its target, where it is and
 * where it started, and `least`, so the digits keep one size through a count-up. */
static int panel_positions(const cq_view *v, const wbkit_anim *a, int least)
{
    return wbkit_anim_led_positions(v->svc, a, 0, MAX_POSITIONS, least);
}

/* An LED count in box (dashes before any value). A scale letter, for counts too large for
 * the panel, takes one more position's room on the right. Returns the rectangle the digits
 * took, so a caption can follow them. */
static wb_rect draw_count(painter *p, const wbkit_anim *a, int has, int least, wb_rect box,
                          wb_align align, wb_color color)
{
    const cq_view *v = p->v;
    char text[WBKIT_LED_TEXT_SIZE];
    const char *scale = "";
    int positions = has ? panel_positions(v, a, least) : least;
    if (has) scale = count_text(v, round(a->shown), positions, text);
    else wbkit_led_dashes(least, text, sizeof text);
    int slots = positions + (scale[0] ? 1 : 0);
    int h = led_height(v, slots, box.w, box.h);
    int w = led_width(v, slots, h);
    if (w > box.w) w = box.w;
    int x = align == WB_ALIGN_RIGHT ? box.x + box.w - w
            : align == WB_ALIGN_CENTER ? box.x + (box.w - w) / 2 : box.x;
    wb_rect digits = {x, box.y + (box.h - h) / 2, w, h};
    if (!is_visible(digits)) return digits;
    if (scale[0]) {
        int scale_w = led_width(v, 1, h);
        wb_rect sbox = {digits.x + digits.w - scale_w, digits.y + h / 2, scale_w, h - h / 2};
        digits.w -= scale_w;
        note(p, v->svc->draw_text(v->host, WB_FONT_LABEL_BOLD, text_px(sbox.h), scale, sbox,
                                  WB_ALIGN_LEFT, color));
    }
    note(p, v->svc->draw_led(v->host, text, digits, WB_ALIGN_RIGHT, color, 1));
    return digits;
}

/* ---- layout ------------------------------------------------------------------------------- */

/* The top `h` pixels of r into *top, the rest below a gap into *rest. */
static void take_top(wb_rect r, int h, int gap, wb_rect *top, wb_rect *rest)
{
    *top = (wb_rect){r.x, r.y, r.w, h};
    *rest = (wb_rect){r.x, r.y + h + gap, r.w, r.h - h - gap};
}

/* r split at a fraction of its height, or of its width, with a gap between the parts. */
static void split_rows(wb_rect r, double at, int gap, wb_rect *top, wb_rect *rest)
{
    take_top(r, scaled(r.h, at), gap, top, rest);
}

static void split_cols(wb_rect r, double at, int gap, wb_rect *left, wb_rect *right)
{
    int w = scaled(r.w, at);
    *left = (wb_rect){r.x, r.y, w, r.h};
    *right = (wb_rect){r.x + w + gap, r.y, r.w - w - gap, r.h};
}

static int min_row_height(int shorter)
{
    int h = scaled(shorter, ROW_MIN_FRACTION);
    return h < ROW_MIN_PX ? ROW_MIN_PX : h;
}

static void fit_rows(const cq_view *v, cq_layout *l, int shorter)
{
    int min_h = min_row_height(shorter);
    int rows = is_visible(l->list) ? l->list.h / min_h : 0;
    if (rows > v->top) rows = v->top;
    l->rows = rows;
    if (rows <= 0) return;
    int row_h = l->list.h / rows;
    int content = row_h - scaled(row_h, ROW_GAP);
    l->two_line = row_h >= TWO_LINE_ROWS * min_h &&
                  text_px(scaled(content, TWO_LINE_ROMAN)) >= ROMAN_MIN_PX;
}

/* Wide tiles: number, stats and sparkline in a column on the left, the list on the right. */
static void layout_wide(cq_layout *l, wb_rect body)
{
    wb_rect hero, list, rest, stats;
    int gap = l->pad;
    split_cols(body, WIDE_HERO_WIDTH, 2 * gap, &hero, &list);
    split_rows(hero, WIDE_LED_HEIGHT, gap / 2, &l->led, &rest);
    split_rows(rest, WIDE_STATS_SHARE, gap / 2, &stats, &l->spark);
    split_cols(stats, 0.5, gap, &l->scans, &l->flagged);
    take_top(list, l->caption_h, gap / 2, &l->header, &l->list);
}

/* Landscape tiles (1x1, 2x2): the number (sparkline under it) beside the stacked stats, the
 * list below as high as its rows want within NARROW_LIST_MIN..MAX of the body; no list
 * header, the room goes to the rows. */
static void layout_narrow(const cq_view *v, cq_layout *l, wb_rect body, int shorter)
{
    wb_rect top, number, stats;
    int gap = l->pad;
    int list_h = v->top * min_row_height(shorter);
    if (list_h < scaled(body.h, NARROW_LIST_MIN)) list_h = scaled(body.h, NARROW_LIST_MIN);
    if (list_h > scaled(body.h, NARROW_LIST_MAX)) list_h = scaled(body.h, NARROW_LIST_MAX);
    take_top(body, body.h - list_h - gap, gap, &top, &l->list);
    split_cols(top, NARROW_LED_WIDTH, gap, &number, &stats);
    split_rows(number, NARROW_LED_HEIGHT, gap / 2, &l->led, &l->spark);
    split_rows(stats, 0.5, gap / 2, &l->scans, &l->flagged);
}

/* Portrait tiles (1x2): everything stacked, the number across the whole width. */
static void layout_tall(cq_layout *l, wb_rect body)
{
    wb_rect rest, stats;
    int gap = l->pad;
    split_rows(body, TALL_LED_HEIGHT, gap / 2, &l->led, &rest);
    take_top(rest, scaled(body.h, TALL_STATS_HEIGHT), gap / 2, &stats, &rest);
    take_top(rest, scaled(body.h, TALL_SPARK_HEIGHT), gap, &l->spark, &rest);
    take_top(rest, l->caption_h, gap / 2, &l->header, &l->list);
    split_cols(stats, 0.5, gap, &l->scans, &l->flagged);
}

static cq_layout compute_layout(const cq_view *v, wb_rect r)
{
    cq_layout l = {.title_lines = 1};
    int shorter = r.w < r.h ? r.w : r.h;
    l.pad = shorter > 0 ? scaled(shorter, PAD_FRACTION) : 0;
    l.caption_h = shorter > 0 ? scaled(shorter, CAPTION_OF_TILE) : 0;
    wb_rect inner = inset(r, l.pad, l.pad);
    if (!is_visible(inner)) return (cq_layout){0};

    int title_h = v->title->text ? scaled(shorter, TITLE_FRACTION) : 0;
    if (title_h && wbkit_title_lines(v->svc, v->host, v->title, inner.w, title_h) == 2) {
        l.title_lines = 2;
        title_h = title_h * 3 / 2; /* two lines in the band of one and a half */
    }
    l.title = (wb_rect){inner.x, inner.y, inner.w, title_h};
    int below = title_h ? title_h + l.pad : 0;
    wb_rect body = {inner.x, inner.y + below, inner.w, inner.h - below};
    if (!is_visible(body)) return l;

    if (body.w >= WIDE_RATIO * body.h) layout_wide(&l, body);
    else if (body.w >= TALL_RATIO * body.h) layout_narrow(v, &l, body, shorter);
    else layout_tall(&l, body);
    fit_rows(v, &l, shorter);
    return l;
}

/* ---- the parts ---------------------------------------------------------------------------- */

wb_level cq_level(const cq_view *v, double value, int has, const wb_thresholds *t)
{
    if (!has || !v->model->has_totals) return WB_LEVEL_NORMAL;
    return v->svc->threshold_level(value, t);
}

/* The wall's LED red, or the level's colour once a threshold is crossed. */
static wb_color level_or_led(const cq_view *v, wb_level level)
{
    if (level != WB_LEVEL_NORMAL) return v->svc->level_color(v->host, level);
    return v->svc->color(v->host, WB_COLOR_LED);
}

static wb_color dim(const cq_view *v)
{
    return v->svc->color(v->host, WB_COLOR_TEXT_DIM);
}

static void draw_title(painter *p, const cq_layout *l)
{
    const cq_view *v = p->v;
    if (!is_visible(l->title)) return;
    note(p, wbkit_title_draw(v->svc, v->host, v->title, l->title, l->title_lines,
                             v->svc->color(v->host, WB_COLOR_TEXT)));
}

static void draw_sparkline(painter *p, wb_rect box, wb_level level)
{
    const cq_view *v = p->v;
    int count = 0;
    cq_series_roll(v->series, p->now_ms);
    const double *values = cq_series_values(v->series, &count);
    if (!is_visible(box) || count < 2) return;
    wb_color color = level != WB_LEVEL_NORMAL ? v->svc->level_color(v->host, level)
                                              : v->svc->color(v->host, WB_COLOR_ACCENT);
    v->svc->draw_sparkline(v->host, box, values, count, color);
}

static void format_count(const cq_view *v, double value, const char *separator, char *buf,
                         size_t size)
{
    if (v->svc->format_number(round(value), 0, separator, buf, size) < 0) buf[0] = '\0';
}

/* A stat cell's caption line and number band, the pair centred in the cell, the number no
 * higher than led_cap so that it stays below the big one. */
static void stat_parts(wb_rect cell, int caption_max, int led_cap, wb_rect *caption,
                       wb_rect *number)
{
    int ch = scaled(cell.h, CAPTION_FRACTION);
    if (ch > caption_max) ch = caption_max;
    int nh = cell.h - ch;
    if (nh > led_cap) nh = led_cap;
    int y = cell.y + (cell.h - ch - nh) / 2;
    *caption = (wb_rect){cell.x, y, cell.w, ch};
    *number = (wb_rect){cell.x, y + ch, cell.w, nh};
}

static void draw_caption(painter *p, const char *const captions[2], wb_rect box)
{
    draw_fitting(p, WB_FONT_LABEL, text_px(box.h), captions, 2, box, WB_ALIGN_LEFT, dim(p->v));
}

static void draw_scans(painter *p, wb_rect cell, int caption_max, int led_cap)
{
    static const char *const captions[2] = {"待阅片 · Scans pending", "待阅片"};
    const cq_model *m = p->v->model;
    wb_rect caption, number;
    stat_parts(cell, caption_max, led_cap, &caption, &number);
    draw_caption(p, captions, caption);
    draw_count(p, &m->anim[CQ_SCANS], m->has_totals, STAT_POSITIONS, number, WB_ALIGN_LEFT,
               p->v->svc->color(p->v->host, WB_COLOR_LED));
}

/* The texts after the flagged count, "/ 1,520 处方" (of how many prescriptions issued) and
 * shorter forms, into texts[3] backed by buf (3 * TEXT_SIZE bytes). */
static void prescription_texts(const cq_view *v, char *buf, const char *texts[3])
{
    const cq_model *m = v->model;
    char grouped[48], plain[48];
    if (m->has_totals) {
        format_count(v, m->anim[CQ_PRESCRIPTIONS].shown, ",", grouped, sizeof grouped);
        format_count(v, m->anim[CQ_PRESCRIPTIONS].shown, NULL, plain, sizeof plain);
    } else {
        snprintf(grouped, sizeof grouped, "-");
        snprintf(plain, sizeof plain, "-");
    }
    snprintf(buf, TEXT_SIZE, "/ %s 处方", grouped);
    snprintf(buf + TEXT_SIZE, TEXT_SIZE, "/ %s", grouped);
    snprintf(buf + 2 * TEXT_SIZE, TEXT_SIZE, "/%s", plain);
    for (int i = 0; i < 3; i++) texts[i] = buf + i * TEXT_SIZE;
}

/* The flagged count in the level's colour, and after it what it is out of. The count gives up
 * width (down to FLAGGED_SHARE of the cell) before the prescriptions are cut. */
static void draw_flagged(painter *p, wb_rect cell, int caption_max, int led_cap,
                         wb_color color)
{
    static const char *const captions[2] = {"处方预警 · Flagged Rx", "处方预警"};
    const cq_view *v = p->v;
    const cq_model *m = v->model;
    char buf[3 * TEXT_SIZE];
    const char *texts[3];
    wb_rect caption, number;
    stat_parts(cell, caption_max, led_cap, &caption, &number);
    draw_caption(p, captions, caption);
    prescription_texts(v, buf, texts);

    int positions = m->has_totals ? panel_positions(v, &m->anim[CQ_FLAGGED], STAT_POSITIONS)
                                  : STAT_POSITIONS;
    wb_rect digits = number, after = number;
    for (int attempt = 0; attempt < 2; attempt++) {
        int box_w = attempt ? scaled(number.w, FLAGGED_SHARE) : number.w;
        int h = led_height(v, positions, box_w, number.h);
        int w = led_width(v, positions, h), gap = h / 5, line = h / 2;
        digits = (wb_rect){number.x, number.y + (number.h - h) / 2, w, h};
        after = (wb_rect){number.x + w + gap, digits.y + h - line, number.w - w - gap, line};
        int fits = 0;
        for (int i = 0; i < 3 && !fits; i++)
            fits = after.w > 0 && fitting_px(v, WB_FONT_LABEL, text_px(line), texts[i], after.w) > 0;
        if (fits) break;
    }
    draw_count(p, &m->anim[CQ_FLAGGED], m->has_totals, STAT_POSITIONS, digits, WB_ALIGN_LEFT,
               color);
    draw_fitting(p, WB_FONT_LABEL, text_px(after.h), texts, 3, after, WB_ALIGN_LEFT, dim(v));
}

static void draw_stats(painter *p, const cq_layout *l, int big_h, wb_level flagged_level)
{
    int cap = big_h > 0 ? scaled(big_h, STAT_OF_NUMBER) : l->scans.h;
    if (is_visible(l->scans)) draw_scans(p, l->scans, l->caption_h, cap);
    if (is_visible(l->flagged))
        draw_flagged(p, l->flagged, l->caption_h, cap, level_or_led(p->v, flagged_level));
}

/* "排队最长 · Longest queues" on the left, "42 家医院 · clinics" on the right: the count is
 * placed first, and the caption takes what is left. */
static void draw_header(painter *p, wb_rect box)
{
    static const char *const captions[2] = {"排队最长 · Longest queues", "排队最长"};
    const cq_view *v = p->v;
    const cq_model *m = v->model;
    if (!is_visible(box)) return;
    int px = text_px(box.h), left_w = box.w;
    if (m->has_totals) {
        char number[48], longer[TEXT_SIZE], shorter[TEXT_SIZE];
        format_count(v, m->anim[CQ_CLINICS].shown, ",", number, sizeof number);
        snprintf(longer, sizeof longer, "%s 家医院 · clinics", number);
        snprintf(shorter, sizeof shorter, "%s 家医院", number);
        const char *const texts[3] = {longer, shorter, number};
        wb_rect right = {box.x + box.w / 2, box.y, box.w - box.w / 2, box.h};
        int w = draw_fitting(p, WB_FONT_LABEL, px, texts, 3, right, WB_ALIGN_RIGHT, dim(v));
        left_w = box.w - w - box.h;
    }
    wb_rect left = {box.x, box.y, left_w, box.h};
    draw_fitting(p, WB_FONT_LABEL_BOLD, px, captions, 2, left, WB_ALIGN_LEFT,
                 v->svc->color(v->host, WB_COLOR_TEXT));
}

/* ---- ranked rows -------------------------------------------------------------------------- */

typedef struct row_geometry {
    wb_rect rank, name, roman, count, bar;
} row_geometry;

/* One row: rank, name (and romanized name) and count on the text lines, a bar under them. */
static row_geometry row_boxes(const cq_view *v, wb_rect row, int two_line, int positions)
{
    row_geometry g;
    int content = row.h - scaled(row.h, ROW_GAP);
    int name_h = scaled(content, two_line ? TWO_LINE_NAME : ONE_LINE_NAME);
    int roman_h = two_line ? scaled(content, TWO_LINE_ROMAN) : 0;
    int bar_h = scaled(content, two_line ? TWO_LINE_BAR : ONE_LINE_BAR);
    if (bar_h < 2) bar_h = 2;
    int text_h = name_h + roman_h;
    int gap = name_h / 3;
    int rank_w = name_h;
    int count_w = led_width(v, positions, led_height(v, positions, row.w / 3, text_px(text_h)));
    g.rank = (wb_rect){row.x, row.y, rank_w, name_h};
    g.count = (wb_rect){row.x + row.w - count_w, row.y + (text_h - text_px(text_h)) / 2, count_w,
                        text_px(text_h)};
    int name_x = row.x + rank_w + gap;
    int name_w = g.count.x - gap - name_x;
    g.name = (wb_rect){name_x, row.y, name_w, name_h};
    g.roman = (wb_rect){name_x, row.y + name_h, name_w, roman_h};
    g.bar = (wb_rect){name_x, row.y + content - bar_h, row.x + row.w - name_x, bar_h};
    return g;
}

/* The name, or the county's (a short name) when the name does not fit; the romanized name
 * on its own line in tall rows, or after the name when there is room. */
static void draw_names(painter *p, const cq_clinic *c, const row_geometry *g, int two_line)
{
    const cq_view *v = p->v;
    const char *const names[2] = {c->name, c->county};
    int px = text_px(g->name.h);
    int w = draw_fitting(p, WB_FONT_LABEL_BOLD, px, names, 2, g->name, WB_ALIGN_LEFT,
                         v->svc->color(v->host, WB_COLOR_TEXT));
    if (!c->romanized[0]) return;
    if (two_line) {
        draw_if_fits(p, WB_FONT_LABEL, text_px(g->roman.h), c->romanized, g->roman,
                     WB_ALIGN_LEFT, dim(v));
        return;
    }
    int gap = px / 2;
    wb_rect after = {g->name.x + w + gap, g->name.y, g->name.w - w - gap, g->name.h};
    draw_if_fits(p, WB_FONT_LABEL, scaled(px, 0.75), c->romanized, after, WB_ALIGN_LEFT, dim(v));
}

static void draw_row(painter *p, const cq_layout *l, int rank, const cq_clinic *c,
                     wb_rect row, int positions, double longest)
{
    const cq_view *v = p->v;
    row_geometry g = row_boxes(v, row, l->two_line, positions);
    char number[16];
    snprintf(number, sizeof number, "%d", rank + 1);
    const char *const rank_text[1] = {number};
    draw_fitting(p, WB_FONT_LABEL_BOLD, text_px(g.rank.h), rank_text, 1, g.rank, WB_ALIGN_LEFT,
                 dim(v));
    draw_names(p, c, &g, l->two_line);
    draw_count(p, &c->bar, 1, positions, g.count, WB_ALIGN_RIGHT,
               v->svc->color(v->host, WB_COLOR_LED));
    if (is_visible(g.bar))
        v->svc->draw_bar(v->host, g.bar, longest > 0 ? c->bar.shown / longest : 0,
                         v->svc->color(v->host, WB_COLOR_ACCENT));
}

/* Before the first snapshot, the list says so instead of being an empty hole. */
static void draw_no_data(painter *p, const cq_layout *l)
{
    static const char *const texts[2] = {"等待数据 · Waiting for data", "等待数据"};
    if (l->rows <= 0) return;
    wb_rect first = {l->list.x, l->list.y, l->list.w, scaled(l->list.h / l->rows, 0.6)};
    draw_fitting(p, WB_FONT_LABEL, text_px(first.h), texts, 2, first, WB_ALIGN_LEFT, dim(p->v));
}

static void draw_rows(painter *p, const cq_layout *l)
{
    const cq_model *m = p->v->model;
    int rows = l->rows < m->count ? l->rows : m->count;
    p->drawn->rows = rows;
    if (rows <= 0) {
        draw_no_data(p, l);
        return;
    }
    /* one panel width and one bar scale for all rows, so counts line up and bars compare */
    int positions = ROW_POSITIONS;
    double longest = 0;
    for (int i = 0; i < rows; i++) {
        const wbkit_anim *bar = &m->clinics[m->ranked[i]].bar;
        int n = panel_positions(p->v, bar, ROW_POSITIONS);
        if (n > positions) positions = n;
        if (bar->shown > longest) longest = bar->shown;
    }
    int row_h = l->list.h / l->rows;
    for (int i = 0; i < rows; i++) {
        wb_rect row = {l->list.x, l->list.y + i * row_h, l->list.w, row_h};
        draw_row(p, l, i, &m->clinics[m->ranked[i]], row, positions, longest);
    }
}

void cq_draw(const cq_view *v, wb_rect rect, cq_drawn *out)
{
    painter p = {.v = v, .drawn = out, .now_ms = v->svc->now_ms(v->host)};
    const cq_model *m = v->model;
    out->overflow = 0;
    out->rows = 0;
    cq_layout l = compute_layout(v, rect);
    wb_level level = cq_level(v, m->totals[CQ_WAITING], v->has_thresholds, &v->thresholds);
    wb_level flagged_level = cq_level(v, m->totals[CQ_FLAGGED], v->has_flagged_thresholds,
                                      &v->flagged_thresholds);
    draw_title(&p, &l);
    wb_rect big = {0, 0, 0, 0};
    if (is_visible(l.led))
        big = draw_count(&p, &m->anim[CQ_WAITING], m->has_totals, WAITING_POSITIONS, l.led,
                         WB_ALIGN_LEFT, level_or_led(v, level));
    draw_sparkline(&p, l.spark, level);
    draw_stats(&p, &l, big.h, flagged_level);
    draw_header(&p, l.header);
    draw_rows(&p, &l);
}
