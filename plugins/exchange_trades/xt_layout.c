/* xt_layout.c: where everything goes, from the tile's rectangle and what it shows: bands for the
 * numbers, the sparkline and the ticker, and captions picked to fit. It must never size anything
 * from the screen or hand a text a box it was not measured to fit. */
#include <stdio.h>
#include <string.h>

#include "exchange_trades.h"

/* Proportions, of the tile's shorter side unless said otherwise: any tile gets the same look. */
#define PAD_F 0.045
#define GAP_F 0.025
#define TITLE_F 0.10
#define TITLE_TWO_LINES 1.7 /* a two-line title's band, in one-line bands */
#define CAPTION_F 0.052     /* captions' and the ticker's smallest font size */
#define CAPTION_LINE 1.4    /* a caption line's box, in font sizes */
#define ROW_PX_MAX 1.5      /* the ticker's largest font, in caption sizes */
#define WIDE_ASPECT 1.7     /* wider than this: numbers on the left, the ticker on the right */
#define WIDE_LEFT 0.45      /* the numbers' column, of the body's width */
#define WIDE_TRADES 0.42    /* of that column's height */
#define WIDE_TURNOVER 0.24
#define STACK_TRADES 0.23   /* stacked: of the body's height... */
#define STACK_TRADES_W 0.34 /* ...and at most this much of its width (tall tiles) */
#define STACK_TURNOVER 0.13
#define STACK_TURNOVER_W 0.16
#define STACK_SPARK 0.13
#define STACK_SPARK_W 0.2
#define BESIDE_MAX 0.42     /* a caption beside a number: at most this much of the band */
#define SPARK_BESIDE_MAX 0.5
#define REF_PX 64           /* ticker texts are measured once at this size, then scaled */

/* The ticker's font size per row height, per format (two lines share a row). */
static const double ROW_FONT[] = {[XT_ROW_FULL] = 0.56, [XT_ROW_TWO_LINE] = 0.36,
                                  [XT_ROW_COMPACT] = 0.56};

static int scaled(int length, double fraction)
{
    return (int)(length * fraction + 0.5);
}

static int min_int(int a, int b)
{
    return a < b ? a : b;
}

static int measure(const xt *x, wb_font_role role, int px, const char *text)
{
    int w = 0, h = 0;
    if (px < 1 || x->svc->measure_text(x->host, role, px, text, &w, &h) != 0) return -1;
    return w;
}

/* The largest size <= px at which text fits max_w (at least 1). */
static int fit_px(const xt *x, wb_font_role role, int px, const char *text, int max_w)
{
    int w = measure(x, role, px, text);
    if (w < 0 || w <= max_w) return px;
    int s = (int)((long long)px * max_w / w);
    if (s >= px) s = px - 1;
    while (s > 1 && measure(x, role, s, text) > max_w) s--;
    return s < 1 ? 1 : s;
}

static xt_label *add_label(xt_layout *l, wb_rect box, int px, wb_align align, wb_font_role role,
                           wb_palette color, const char *text)
{
    if (l->label_count == XT_LABELS_MAX) return NULL;
    xt_label *lb = &l->labels[l->label_count++];
    *lb = (xt_label){box, px, align, role, color, ""};
    snprintf(lb->text, sizeof lb->text, "%s", text);
    return lb;
}

/* ---- captions: texts from longest to shortest, the first that fits wins -------------------- */

typedef struct caption_set {
    char text[4][192];
    int count;
} caption_set;

/* Index of the first text no wider than max_w (its width in *w), or the last one (*w then
 * max_w + 1). */
static int pick(const xt *x, const caption_set *c, int px, int max_w, int *w)
{
    const char *texts[5] = {NULL}; /* c->text as a NULL-terminated list */
    for (int i = 0; i < c->count; i++) texts[i] = c->text[i];
    int i = wbkit_label_pick(x->svc, x->host, WB_FONT_LABEL, px, texts, max_w, w);
    if (*w < 0) *w = max_w + 1;
    return i;
}

static void captions_trades(const xt *x, caption_set *line0, caption_set *line1)
{
    char volume[XT_TEXT_SIZE];
    x->svc->format_number((double)x->model.day.volume, 0, ",", volume, sizeof volume);
    if (!x->model.has_day) snprintf(volume, sizeof volume, "-");
    *line0 = (caption_set){{"成交笔数 · Trades today", "成交笔数 · Trades", "成交笔数"}, 3};
    *line1 = (caption_set){.count = 3};
    snprintf(line1->text[0], sizeof line1->text[0], "成交量 Volume %s", volume);
    snprintf(line1->text[1], sizeof line1->text[1], "成交量 %s", volume);
    snprintf(line1->text[2], sizeof line1->text[2], "%s", volume);
}

static void captions_turnover(caption_set *line0, caption_set *line1)
{
    *line0 = (caption_set){{"成交额 · Turnover", "成交额"}, 2};
    *line1 = (caption_set){.count = 0};
}

/* The busiest data set's name, and its last price with its trades today. */
static void captions_top(const xt *x, caption_set *line0, caption_set *line1)
{
    int top_at = xt_model_top(&x->model);
    const xt_dataset *top = top_at >= 0 ? &x->model.datasets[top_at] : NULL;
    *line0 = (caption_set){.count = 2};
    *line1 = (caption_set){.count = 0};
    if (!top) {
        snprintf(line0->text[0], sizeof line0->text[0], "最活跃数据集 · Most traded");
        snprintf(line0->text[1], sizeof line0->text[1], "最活跃");
        return;
    }
    char price[XT_TEXT_SIZE], trades[XT_TEXT_SIZE], name[4 * XT_NAME_CHARS + 4];
    xt_money_text(x, top->last_price, price, sizeof price);
    x->svc->format_number((double)top->trades, 0, ",", trades, sizeof trades);
    xt_short_text(top->name, XT_NAME_CHARS, name, sizeof name);
    snprintf(line0->text[0], sizeof line0->text[0], "最活跃 · %s", name);
    snprintf(line0->text[1], sizeof line0->text[1], "%s", name);
    line1->count = 2;
    snprintf(line1->text[0], sizeof line1->text[0], "%s · %s 笔", price, trades);
    snprintf(line1->text[1], sizeof line1->text[1], "%s", price);
}

/* Two captions on one line, left and right: the longest pair that fits. If even the shortest
 * pair does not, line 0's shortest alone, at a size that fits. */
static void one_line(const xt *x, xt_layout *l, wb_rect row, const caption_set *c0,
                    const caption_set *c1, wb_palette color1)
{
    int px = l->caption_px, gap = scaled(px, 1.2);
    for (int sum = 0; sum < c0->count + (c1->count ? c1->count - 1 : 0); sum++) {
        for (int i = 0; i < c0->count; i++) {
            int j = sum - i, w0, w1 = 0;
            if (j < 0 || (c1->count ? j >= c1->count : j > 0)) continue;
            w0 = measure(x, WB_FONT_LABEL, px, c0->text[i]);
            if (c1->count) w1 = measure(x, WB_FONT_LABEL_BOLD, px, c1->text[j]);
            if (w0 < 0 || w1 < 0 || w0 + (c1->count ? gap + w1 : 0) > row.w) continue;
            add_label(l, (wb_rect){row.x, row.y, w0, row.h}, px, WB_ALIGN_LEFT, WB_FONT_LABEL,
                      WB_COLOR_TEXT_DIM, c0->text[i]);
            if (c1->count)
                add_label(l, (wb_rect){row.x + row.w - w1, row.y, w1, row.h}, px,
                          WB_ALIGN_RIGHT, WB_FONT_LABEL_BOLD, color1, c1->text[j]);
            return;
        }
    }
    const char *last = c0->text[c0->count - 1];
    int fitted = fit_px(x, WB_FONT_LABEL, px, last, row.w);
    add_label(l, row, fitted, WB_ALIGN_LEFT, WB_FONT_LABEL, WB_COLOR_TEXT_DIM, last);
}

/* Captions stacked in a column `w` wide from (x0, top): line 0 dim, line 1 bright. */
static void stacked_lines(const xt *x, xt_layout *l, int x0, int top, int w, int lh,
                          const caption_set *c0, const caption_set *c1, int i0, int i1)
{
    /* a squeezed line gets a smaller font, so that lines never touch */
    int px = min_int(l->caption_px, (int)(lh / CAPTION_LINE + 0.5));
    if (px < 1) px = 1;
    add_label(l, (wb_rect){x0, top, w, lh}, fit_px(x, WB_FONT_LABEL, px, c0->text[i0], w),
              WB_ALIGN_LEFT, WB_FONT_LABEL, WB_COLOR_TEXT_DIM, c0->text[i0]);
    if (c1->count)
        add_label(l, (wb_rect){x0, top + lh, w, lh},
                  fit_px(x, WB_FONT_LABEL_BOLD, px, c1->text[i1], w), WB_ALIGN_LEFT,
                  WB_FONT_LABEL_BOLD, WB_COLOR_TEXT, c1->text[i1]);
}

/* ---- a number with its caption beside it or above it, whichever leaves the number larger -- */

typedef struct stat_plan {
    int led_h;      /* the number's height: the score */
    wb_rect value;
    int beside;
    int i0, i1;     /* caption texts */
    int caption_x, caption_y, caption_w;
} stat_plan;

static stat_plan plan_beside(const xt *x, const xt_layout *l, wb_rect band, const char *sizing,
                             const caption_set *c0, const caption_set *c1)
{
    stat_plan p = {.beside = 1};
    int px = l->caption_px, lh = scaled(px, CAPTION_LINE), gap = scaled(px, 0.8), w0, w1 = 0;
    int max_w = scaled(band.w, BESIDE_MAX), lines = c1->count ? 2 : 1;
    p.i0 = pick(x, c0, px, max_w, &w0);
    if (c1->count) p.i1 = pick(x, c1, px, max_w, &w1);
    p.caption_w = w0 > w1 ? w0 : w1;
    if (p.caption_w > max_w || lines * lh > band.h) return p; /* led_h 0: not this way */
    xt_led_shape s;
    if (xt_led_fit(x, sizing, band.w - p.caption_w - gap, band.h, &s) != 0) return p;
    p.led_h = s.led_h;
    p.value = (wb_rect){band.x, band.y, s.width, band.h};
    /* the captions' last line sits on the digits' bottom, like a unit */
    int bottom = band.y + (band.h + s.led_h) / 2;
    p.caption_y = bottom - lines * lh < band.y ? band.y : bottom - lines * lh;
    p.caption_x = band.x + s.width + gap;
    return p;
}

static stat_plan plan_above(const xt *x, const xt_layout *l, wb_rect band, const char *sizing)
{
    stat_plan p = {.beside = 0};
    int lh = scaled(l->caption_px, CAPTION_LINE);
    if (band.h <= lh) return p;
    xt_led_shape s;
    wb_rect value = {band.x, band.y + lh, band.w, band.h - lh};
    if (xt_led_fit(x, sizing, value.w, value.h, &s) != 0) return p;
    p.led_h = s.led_h;
    p.value = value;
    p.caption_y = band.y;
    return p;
}

static wb_rect place_stat(const xt *x, xt_layout *l, wb_rect band, const char *sizing,
                          const caption_set *c0, const caption_set *c1)
{
    stat_plan beside = plan_beside(x, l, band, sizing, c0, c1);
    stat_plan above = plan_above(x, l, band, sizing);
    int lh = scaled(l->caption_px, CAPTION_LINE);
    if (beside.led_h > 0 && beside.led_h >= above.led_h) {
        stacked_lines(x, l, beside.caption_x, beside.caption_y, beside.caption_w, lh, c0, c1,
                      beside.i0, beside.i1);
        return beside.value;
    }
    if (above.led_h > 0)
        one_line(x, l, (wb_rect){band.x, band.y, band.w, lh}, c0, c1, WB_COLOR_TEXT);
    return above.value.w > 0 ? above.value : band;
}

/* ---- the sparkline with the busiest data set's name ------------------------------------- */

static void place_spark(const xt *x, xt_layout *l, wb_rect band)
{
    caption_set c0, c1;
    int px = l->caption_px, lh = scaled(px, CAPTION_LINE), gap = scaled(px, 0.8);
    if (x->model.spark_cap <= 0 || band.w <= 0 || band.h <= 0) return;
    captions_top(x, &c0, &c1);
    if (band.h >= lh * 5 / 2) { /* the caption on a line of its own, the chart under it */
        one_line(x, l, (wb_rect){band.x, band.y, band.w, lh}, &c0, &c1, WB_COLOR_TEXT);
        l->spark = (wb_rect){band.x, band.y + lh + gap / 2, band.w, band.h - lh - gap / 2};
        return;
    }
    int max_w = scaled(band.w, SPARK_BESIDE_MAX);
    if (band.h >= 2 * lh) { /* beside: name over price on the left, the chart on the right */
        int w0, w1 = 0, i1 = 0;
        int i0 = pick(x, &c0, px, max_w, &w0);
        if (c1.count) i1 = pick(x, &c1, px, max_w, &w1);
        int cw = min_int(w0 > w1 ? w0 : w1, max_w), lines = c1.count ? 2 : 1;
        stacked_lines(x, l, band.x, band.y + (band.h - lines * lh) / 2, cw, lh, &c0, &c1, i0, i1);
        l->spark = (wb_rect){band.x + cw + gap, band.y, band.w - cw - gap, band.h};
        return;
    }
    /* a thin band: name and price on one line on the left, the chart on the right */
    one_line(x, l, (wb_rect){band.x, band.y + (band.h - lh) / 2, max_w, min_int(lh, band.h)},
             &c0, &c1, WB_COLOR_TEXT);
    l->spark = (wb_rect){band.x + max_w + gap, band.y, band.w - max_w - gap, band.h};
}

/* ---- the ticker: the format that shows most rows, all columns, largest, in that order ------ */

/* Widest texts of the held rows at px. */
static void measure_columns(const xt *x, int px, xt_columns *c)
{
    *c = (xt_columns){0};
    for (int i = 0; i < x->model.ticker_count; i++) {
        const xt_trade *t = &x->model.ticker[i];
        xt_row_text rt;
        xt_row_texts(x, t, &rt);
        int w[6] = {measure(x, WB_FONT_LABEL, px, rt.name),
                    measure(x, WB_FONT_LABEL, px, rt.category),
                    measure(x, WB_FONT_LABEL, px, rt.price),
                    measure(x, WB_FONT_LABEL, px, rt.volume),
                    measure(x, WB_FONT_LABEL_BOLD, px, rt.amount),
                    measure(x, WB_FONT_LABEL, px, rt.price_volume)};
        int *dst[6] = {&c->name, &c->cat, &c->price, &c->volume, &c->amount, &c->price_volume};
        for (int k = 0; k < 6; k++)
            if (w[k] > *dst[k]) *dst[k] = w[k];
    }
}

typedef struct spacing {
    int gap, marker_w, marker_gap, tag_pad;
} spacing;

static spacing spacing_at(int px)
{
    spacing s = {scaled(px, 0.9), scaled(px, 0.22), scaled(px, 0.45), scaled(px, 0.35)};
    if (s.marker_w < 2) s.marker_w = 2;
    return s;
}

/* The width a row needs in format f with columns c at the spacing of px. */
static int row_need(xt_row_format f, const xt_columns *c, int px)
{
    spacing s = spacing_at(px);
    int lead = s.marker_w + s.marker_gap;
    int tag = c->cat > 0 ? c->cat + 2 * s.tag_pad : 0;
    int line2;
    switch (f) {
    case XT_ROW_FULL:
        return lead + c->name + tag + c->price + c->volume + c->amount + 4 * s.gap;
    case XT_ROW_TWO_LINE:
        line2 = tag + s.gap + c->price_volume;
        return lead + (c->name + s.gap + c->amount > line2 ? c->name + s.gap + c->amount : line2);
    default:
        return lead + c->name + s.gap + c->amount;
    }
}

static void scale_columns(const xt_columns *ref, int px, xt_columns *out)
{
    const int *in = &ref->name;
    int *o = &out->name;
    for (int k = 0; k < 6; k++) o[k] = (int)((long long)in[k] * px / REF_PX + 1);
}

typedef struct ticker_plan {
    xt_row_format format;
    int rows, row_h, px;
} ticker_plan;

static ticker_plan plan_format(const xt *x, const xt_layout *l, xt_row_format f,
                               const xt_columns *ref)
{
    ticker_plan p = {.format = f};
    double ratio = ROW_FONT[f];
    int min_row = (int)(l->caption_px / ratio + 0.5), band_h = l->ticker.h;
    int max_row = (int)(l->caption_px * ROW_PX_MAX / ratio + 0.5);
    p.rows = min_row > 0 ? band_h / min_row : 1;
    if (p.rows > x->model.ticker_cap) p.rows = x->model.ticker_cap;
    if (p.rows < 1) p.rows = 1;
    p.row_h = min_int(band_h / p.rows, max_row);
    p.px = (int)(p.row_h * ratio);
    /* as large as the width allows, at the spacing of that size */
    while (p.px > 1) {
        xt_columns c;
        scale_columns(ref, p.px, &c);
        if (row_need(f, &c, p.px) <= l->ticker.w) break;
        p.px--;
    }
    return p;
}

/* Better: legible first, then more rows, then every column, then a larger font. */
static int better(const xt_layout *l, const ticker_plan *a, const ticker_plan *b)
{
    int la = a->px >= l->caption_px, lb = b->px >= l->caption_px;
    if (la != lb) return la > lb;
    if (a->rows != b->rows) return a->rows > b->rows;
    int fa = a->format != XT_ROW_COMPACT, fb = b->format != XT_ROW_COMPACT;
    if (fa != fb) return fa > fb;
    return a->px > b->px;
}

static void place_ticker(const xt *x, xt_layout *l)
{
    xt_columns ref;
    if (l->ticker.w <= 0 || l->ticker.h <= 0) return;
    measure_columns(x, REF_PX, &ref);
    ticker_plan best = plan_format(x, l, XT_ROW_FULL, &ref);
    for (int f = XT_ROW_TWO_LINE; f <= XT_ROW_COMPACT; f++) {
        ticker_plan p = plan_format(x, l, (xt_row_format)f, &ref);
        if (better(l, &p, &best)) best = p;
    }
    /* scaled widths are estimates: measure at the size itself, and step down if need be */
    xt_columns c;
    measure_columns(x, best.px, &c);
    while (best.px > 1 && row_need(best.format, &c, best.px) > l->ticker.w)
        measure_columns(x, --best.px, &c);
    spacing s = spacing_at(best.px);
    l->format = best.format;
    l->rows = best.rows;
    l->row_h = best.row_h;
    l->row_px = best.px;
    l->cols = c;
    l->gap = s.gap;
    l->marker_w = s.marker_w;
    l->marker_gap = s.marker_gap;
    l->tag_pad = s.tag_pad;
}

/* ---- title ---------------------------------------------------------------------------------- */

/* The title's band: one line, or two when it splits and one does not fit; smaller until
 * each line fits the width at the size draw_text gives it (0.8 of a line's box). */
static int place_title(const xt *x, xt_layout *l, wb_rect inner, int short_side)
{
    int h = scaled(short_side, TITLE_F);
    if (!x->title.text || h < 2) return 0;
    l->title_lines = wbkit_title_lines(x->svc, x->host, &x->title, inner.w, h);
    if (l->title_lines == 2) h = scaled(h, TITLE_TWO_LINES);
    const char *lines[2] = {l->title_lines == 2 ? x->title.first : x->title.text,
                            x->title.second};
    for (int i = 0; i < l->title_lines; i++) {
        int line_h = h / l->title_lines;
        int px = fit_px(x, WB_FONT_LABEL, line_h * 8 / 10, lines[i], inner.w);
        if (px < line_h * 8 / 10) h = (px * 10 / 8 + 1) * l->title_lines;
    }
    l->title = (wb_rect){inner.x, inner.y, inner.w, h};
    return h;
}

/* ---- bands ---------------------------------------------------------------------------------- */

/* Sizing texts of the numbers as the layout sees them: their targets. */
static void target_texts(const xt *x, char *trades, char *turnover)
{
    if (x->trades_anim.has_value) xt_trades_text(x, x->trades_anim.target, trades, XT_TEXT_SIZE);
    else snprintf(trades, XT_TEXT_SIZE, "%s", XT_TRADES_DASHES);
    if (x->turnover_anim.has_value)
        xt_money_text(x, x->turnover_anim.target, turnover, XT_TEXT_SIZE);
    else snprintf(turnover, XT_TEXT_SIZE, "%s", XT_TURNOVER_DASHES);
}

static void place_numbers(const xt *x, xt_layout *l, wb_rect trades, wb_rect turnover)
{
    char t1[XT_TEXT_SIZE], t2[XT_TEXT_SIZE];
    caption_set c0, c1;
    target_texts(x, t1, t2);
    captions_trades(x, &c0, &c1);
    l->trades = place_stat(x, l, trades, t1, &c0, &c1);
    captions_turnover(&c0, &c1);
    l->turnover = place_stat(x, l, turnover, t2, &c0, &c1);
}

/* Numbers on the left, the ticker on the right, a rule between. */
static void layout_wide(const xt *x, xt_layout *l, wb_rect body, int gap)
{
    int left_w = scaled(body.w, WIDE_LEFT);
    wb_rect left = {body.x, body.y, left_w, body.h};
    int trades_h = scaled(left.h, WIDE_TRADES), turnover_h = scaled(left.h, WIDE_TURNOVER);
    int spark_y = left.y + trades_h + turnover_h + 2 * gap;
    place_numbers(x, l, (wb_rect){left.x, left.y, left.w, trades_h},
                  (wb_rect){left.x, left.y + trades_h + gap, left.w, turnover_h});
    place_spark(x, l, (wb_rect){left.x, spark_y, left.w, left.y + left.h - spark_y});
    int rule = gap / 8 > 0 ? gap / 8 : 1;
    l->divider = (wb_rect){left.x + left.w + gap - rule / 2, body.y, rule, body.h};
    l->ticker = (wb_rect){left.x + left.w + 2 * gap, body.y, body.w - left.w - 2 * gap, body.h};
}

/* Top to bottom: trades, turnover, the sparkline, the ticker. */
static void layout_stacked(const xt *x, xt_layout *l, wb_rect body, int gap)
{
    int trades_h = min_int(scaled(body.h, STACK_TRADES), scaled(body.w, STACK_TRADES_W));
    int turnover_h = min_int(scaled(body.h, STACK_TURNOVER), scaled(body.w, STACK_TURNOVER_W));
    int spark_h = x->model.spark_cap > 0
                      ? min_int(scaled(body.h, STACK_SPARK), scaled(body.w, STACK_SPARK_W))
                      : 0;
    int y = body.y;
    wb_rect trades = {body.x, y, body.w, trades_h};
    y += trades_h + gap;
    wb_rect turnover = {body.x, y, body.w, turnover_h};
    y += turnover_h + gap;
    place_numbers(x, l, trades, turnover);
    if (spark_h > 0) {
        place_spark(x, l, (wb_rect){body.x, y, body.w, spark_h});
        y += spark_h + gap;
    }
    l->ticker = (wb_rect){body.x, y, body.w, body.y + body.h - y};
}

void xt_layout_update(xt *x, xt_layout *l, wb_rect r)
{
    if (l->valid && l->generation == x->model.generation && l->rect.x == r.x &&
        l->rect.y == r.y && l->rect.w == r.w && l->rect.h == r.h)
        return;
    *l = (xt_layout){.valid = 1, .rect = r, .generation = x->model.generation};
    int short_side = min_int(r.w, r.h);
    int pad = scaled(short_side, PAD_F), gap = scaled(short_side, GAP_F);
    wb_rect inner = {r.x + pad, r.y + pad, r.w - 2 * pad, r.h - 2 * pad};
    if (inner.w < 8 || inner.h < 8) return; /* too small to show anything */
    l->caption_px = scaled(short_side, CAPTION_F);
    if (l->caption_px < 1) l->caption_px = 1;
    int title_h = place_title(x, l, inner, short_side);
    int top = inner.y + title_h + (title_h ? gap : 0);
    wb_rect body = {inner.x, top, inner.w, inner.y + inner.h - top};
    if (body.h < 8) return;
    if (r.w >= WIDE_ASPECT * r.h) layout_wide(x, l, body, gap);
    else layout_stacked(x, l, body, gap);
    place_ticker(x, l);
}
