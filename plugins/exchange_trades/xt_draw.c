/* xt_draw.c: draws the exchange tile into the layout: the title, the LED numbers, captions, the
 * busiest data set's sparkline and the sliding ticker. It must never draw outside the boxes
 * the layout measured, so that nothing is shrunk, cut or overlapping. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "exchange_trades.h"

#define STRIPE_ALPHA 16   /* every other ticker row, for the eye to follow a line */
#define TAG_ALPHA 90      /* the category's chip */
#define RULE_ALPHA 70

/* ---- texts -------------------------------------------------------------------------------- */

void xt_trades_text(const xt *x, double value, char *buf, size_t size)
{
    x->svc->format_number(value, 0, ",", buf, size);
}

void xt_money_text(const xt *x, double value, char *buf, size_t size)
{
    char number[XT_TEXT_SIZE / 2]; /* 1e15 with separators and fen is 25 bytes */
    x->svc->format_number(value, 2, ",", number, sizeof number);
    snprintf(buf, size, "\xc2\xa5%s", number); /* ¥ */
}

void xt_short_text(const char *s, int max_chars, char *buf, size_t size)
{
    size_t at = 0;
    int chars = 0;
    /* count lead bytes: a code point starts at every byte that is not 10xxxxxx */
    while (s[at] && !(chars == max_chars && (s[at] & 0xC0) != 0x80)) {
        if ((s[at] & 0xC0) != 0x80) chars++;
        at++;
    }
    snprintf(buf, size, "%.*s%s", (int)at, s, s[at] ? "\xe2\x80\xa6" : ""); /* … */
}

void xt_row_texts(const xt *x, const xt_trade *t, xt_row_text *out)
{
    xt_short_text(t->dataset, XT_NAME_CHARS, out->name, sizeof out->name);
    xt_short_text(t->category, XT_CATEGORY_CHARS, out->category, sizeof out->category);
    char volume[XT_TEXT_SIZE / 2]; /* 1e15 grouped is 21 bytes */
    xt_money_text(x, t->price, out->price, sizeof out->price);
    xt_money_text(x, t->amount, out->amount, sizeof out->amount);
    x->svc->format_number((double)t->volume, 0, ",", volume, sizeof volume);
    snprintf(out->volume, sizeof out->volume, "\xc3\x97%s", volume); /* ×12 */
    snprintf(out->price_volume, sizeof out->price_volume, "%s \xc3\x97 %s", out->price, volume);
}

typedef void (*format_fn)(const xt *x, double value, char *buf, size_t size);

static void anim_text(const xt *x, const wbkit_anim *a, double value, format_fn format,
                      const char *dashes, char *buf)
{
    if (a->has_value) format(x, value, buf, XT_TEXT_SIZE);
    else snprintf(buf, XT_TEXT_SIZE, "%s", dashes);
}

void xt_update_texts(xt *x)
{
    anim_text(x, &x->trades_anim, x->trades_anim.shown, xt_trades_text, XT_TRADES_DASHES,
              x->trades_text);
    anim_text(x, &x->turnover_anim, x->turnover_anim.shown, xt_money_text, XT_TURNOVER_DASHES,
              x->turnover_text);
}

/* The longest text of a count-up (where it started, where it is, where it goes): the digits
 * are sized for it and keep their size and places all the way. */
static void sizing_text(const xt *x, const wbkit_anim *a, format_fn format, const char *dashes,
                        const char *shown, char *buf)
{
    char other[XT_TEXT_SIZE];
    snprintf(buf, XT_TEXT_SIZE, "%s", shown);
    if (!a->has_value) return;
    anim_text(x, a, a->target, format, dashes, other);
    if (strlen(other) > strlen(buf)) memcpy(buf, other, strlen(other) + 1);
    if (!a->animating) return;
    anim_text(x, a, a->from, format, dashes, other);
    if (strlen(other) > strlen(buf)) memcpy(buf, other, strlen(other) + 1);
}

/* ---- small helpers ------------------------------------------------------------------------ */

static int is_visible(wb_rect r)
{
    return r.w > 0 && r.h > 0;
}

static wb_color faded(wb_color c, double alpha)
{
    c.a = (uint8_t)lround(c.a * (alpha < 0 ? 0 : alpha > 1 ? 1 : alpha));
    return c;
}

static wb_color palette(const xt *x, wb_palette which, double alpha)
{
    return faded(x->svc->color(x->host, which), alpha);
}

static void text(xt *x, wb_font_role role, int px, const char *s, wb_rect box, wb_align align,
                 wb_color color)
{
    if (!is_visible(box) || !*s) return;
    xt_note(x, x->svc->draw_text(x->host, role, px, s, box, align, color));
}

/* ---- the numbers -------------------------------------------------------------------------- */

static wb_color number_color(const xt *x, xt_watch which)
{
    wb_level level = xt_level(x);
    if (x->watch == which && level != WB_LEVEL_NORMAL) return x->svc->level_color(x->host, level);
    return x->svc->color(x->host, WB_COLOR_LED);
}

static void draw_numbers(xt *x, const xt_layout *l)
{
    char sizing[XT_TEXT_SIZE];
    if (is_visible(l->trades)) {
        sizing_text(x, &x->trades_anim, xt_trades_text, XT_TRADES_DASHES, x->trades_text, sizing);
        xt_led_draw(x, x->trades_text, sizing, l->trades, WB_ALIGN_LEFT,
                    number_color(x, XT_WATCH_TRADES));
    }
    if (is_visible(l->turnover)) {
        sizing_text(x, &x->turnover_anim, xt_money_text, XT_TURNOVER_DASHES, x->turnover_text,
                    sizing);
        xt_led_draw(x, x->turnover_text, sizing, l->turnover, WB_ALIGN_LEFT,
                    number_color(x, XT_WATCH_TURNOVER));
    }
}

static void draw_labels(xt *x, const xt_layout *l)
{
    for (int i = 0; i < l->label_count; i++) {
        const xt_label *lb = &l->labels[i];
        text(x, lb->role, lb->px, lb->text, lb->box, lb->align, palette(x, lb->color, 1.0));
    }
}

static void draw_spark(xt *x, const xt_layout *l)
{
    int top = xt_model_top(&x->model);
    if (!is_visible(l->spark) || top < 0) return;
    wbkit_ring *prices = &x->model.datasets[top].prices;
    wb_color color = x->svc->color(x->host, WB_COLOR_ACCENT);
    if (prices->count >= 2) {
        x->svc->draw_sparkline(x->host, l->spark, wbkit_ring_ordered(prices), prices->count,
                               color);
    } else if (prices->count == 1) {
        /* one price known: a level line, so the chart's place is never blank */
        const double *one = wbkit_ring_ordered(prices);
        double level[2] = {one[0], one[0]};
        x->svc->draw_sparkline(x->host, l->spark, level, 2, color);
    }
}

/* ---- the ticker --------------------------------------------------------------------------- */

/* The category as a chip: a tinted box with the name in it. */
static void draw_tag(xt *x, const xt_layout *l, const char *category, int x0, int y, int h,
                     double alpha)
{
    if (!*category) return;
    int w = l->cols.cat + 2 * l->tag_pad, chip_h = h * 7 / 10;
    x->svc->fill_rect(x->host, (wb_rect){x0, y + (h - chip_h) / 2, w, chip_h},
                      faded(x->svc->color(x->host, WB_COLOR_ACCENT), alpha * TAG_ALPHA / 255.0));
    text(x, WB_FONT_LABEL, l->row_px, category, (wb_rect){x0 + l->tag_pad, y, l->cols.cat, h},
         WB_ALIGN_CENTER, palette(x, WB_COLOR_TEXT, alpha));
}

static void draw_row_full(xt *x, const xt_layout *l, const xt_row_text *rt, int x0, int y,
                          double alpha)
{
    int px = l->row_px, h = l->row_h, right = l->ticker.x + l->ticker.w;
    wb_color dim = palette(x, WB_COLOR_TEXT_DIM, alpha);
    int amount_x = right - l->cols.amount;
    int volume_x = amount_x - l->gap - l->cols.volume;
    int price_x = volume_x - l->gap - l->cols.price;
    int tag_x = price_x - l->gap - (l->cols.cat > 0 ? l->cols.cat + 2 * l->tag_pad : 0);
    text(x, WB_FONT_LABEL, px, rt->name, (wb_rect){x0, y, tag_x - l->gap - x0, h},
         WB_ALIGN_LEFT, palette(x, WB_COLOR_TEXT, alpha));
    draw_tag(x, l, rt->category, tag_x, y, h, alpha);
    text(x, WB_FONT_LABEL, px, rt->price, (wb_rect){price_x, y, l->cols.price, h},
         WB_ALIGN_RIGHT, dim);
    text(x, WB_FONT_LABEL, px, rt->volume, (wb_rect){volume_x, y, l->cols.volume, h},
         WB_ALIGN_RIGHT, dim);
    text(x, WB_FONT_LABEL_BOLD, px, rt->amount, (wb_rect){amount_x, y, l->cols.amount, h},
         WB_ALIGN_RIGHT, palette(x, WB_COLOR_TEXT, alpha));
}

/* Name and amount on one line (of height h): the two-line row's first line, or a compact row. */
static void draw_name_amount(xt *x, const xt_layout *l, const xt_row_text *rt, int x0, int y,
                             int h, double alpha)
{
    int right = l->ticker.x + l->ticker.w, amount_x = right - l->cols.amount;
    text(x, WB_FONT_LABEL, l->row_px, rt->name,
         (wb_rect){x0, y, amount_x - l->gap - x0, h}, WB_ALIGN_LEFT,
         palette(x, WB_COLOR_TEXT, alpha));
    text(x, WB_FONT_LABEL_BOLD, l->row_px, rt->amount, (wb_rect){amount_x, y, l->cols.amount, h},
         WB_ALIGN_RIGHT, palette(x, WB_COLOR_TEXT, alpha));
}

/* Row `index` of the model, the `shown`-th from the top of the ticker. */
static void draw_row(xt *x, const xt_layout *l, int index, int shown, int y, double alpha)
{
    xt_row_text rt;
    wb_rect row = {l->ticker.x, y, l->ticker.w, l->row_h};
    xt_row_texts(x, &x->model.ticker[index], &rt);
    /* the stripes go with the trades (by their push count), so they slide with them */
    if ((x->model.pushed - (uint64_t)index) % 2 == 1)
        x->svc->fill_rect(x->host, row, palette(x, WB_COLOR_TEXT, alpha * STRIPE_ALPHA / 255.0));
    if (shown == 0) /* the newest trade's mark, in the LED red */
        x->svc->fill_rect(x->host,
                          (wb_rect){row.x, y + row.h / 5, l->marker_w, row.h - 2 * (row.h / 5)},
                          palette(x, WB_COLOR_LED, alpha));
    int x0 = row.x + l->marker_w + l->marker_gap, half = row.h / 2;
    switch (l->format) {
    case XT_ROW_FULL:
        draw_row_full(x, l, &rt, x0, y, alpha);
        break;
    case XT_ROW_TWO_LINE: {
        draw_name_amount(x, l, &rt, x0, y, half, alpha);
        draw_tag(x, l, rt.category, x0, y + half, row.h - half, alpha);
        int pv_x = x0 + (*rt.category ? l->cols.cat + 2 * l->tag_pad + l->gap : 0);
        text(x, WB_FONT_LABEL, l->row_px, rt.price_volume,
             (wb_rect){pv_x, y + half, l->cols.price_volume, row.h - half}, WB_ALIGN_LEFT,
             palette(x, WB_COLOR_TEXT_DIM, alpha));
        break;
    }
    default:
        draw_name_amount(x, l, &rt, x0, y, row.h, alpha);
        break;
    }
}

/* Before the first trade: a quiet line where the rows will come, if one fits. */
static void draw_no_trades(xt *x, const xt_layout *l)
{
    static const char *const variants[] = {"暂无成交 · No trades yet", "暂无成交", NULL};
    int w = -1;
    int i = wbkit_label_pick(x->svc, x->host, WB_FONT_LABEL, l->row_px, variants, l->ticker.w, &w);
    if (w >= 0)
        text(x, WB_FONT_LABEL, l->row_px, variants[i],
             (wb_rect){l->ticker.x, l->ticker.y, w, l->row_h}, WB_ALIGN_LEFT,
             palette(x, WB_COLOR_TEXT_DIM, 1.0));
}

/* The k-th row shown (the model's row pending + k) sits at slot k. While a new trade comes
 * in, it fades in at the top; the others have already moved down a whole slot and the one
 * pushed out of the last slot is gone. Gliding them instead would pass rows over each other
 * (the plugin has no clip of its own for the ticker), which reads as a glitch from afar. */
static void draw_ticker(xt *x, const xt_layout *l)
{
    if (!is_visible(l->ticker) || l->rows < 1 || l->row_h < 1) return;
    if (x->model.ticker_count == 0) {
        draw_no_trades(x, l);
        return;
    }
    double offset = xt_slide_offset(x, x->svc->now_ms(x->host));
    int shown = 0;
    for (int k = 0; x->pending + k < x->model.ticker_count && k < l->rows; k++) {
        int y = l->ticker.y + k * l->row_h;
        draw_row(x, l, x->pending + k, k, y, k == 0 ? 1.0 - offset : 1.0);
        shown++;
    }
    x->rows_shown = shown;
}

/* ---- render ------------------------------------------------------------------------------- */

void xt_render(xt *x, wb_rect rect)
{
    x->overflow = 0;
    x->rows_shown = 0;
    xt_update_texts(x);
    xt_layout_update(x, &x->layout, rect);
    const xt_layout *l = &x->layout;
    if (is_visible(l->title))
        xt_note(x, wbkit_title_draw(x->svc, x->host, &x->title, l->title, l->title_lines,
                                    x->svc->color(x->host, WB_COLOR_TEXT)));
    draw_numbers(x, l);
    draw_labels(x, l);
    if (is_visible(l->divider))
        x->svc->fill_rect(x->host, l->divider, palette(x, WB_COLOR_TEXT_DIM, RULE_ALPHA / 255.0));
    draw_spark(x, l);
    draw_ticker(x, l);
}
