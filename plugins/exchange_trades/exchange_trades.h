/* exchange_trades.h: what the files of the exchange_trades plugin share: the model of the
 * exchange's day, the layout and the instance. Private to the plugin; never installed. */
#ifndef EXCHANGE_TRADES_H
#define EXCHANGE_TRADES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <wallboard/plugin.h>

#include "wbkit.h"

#define XT_NAME "exchange_trades"

struct xt; /* the instance, at the end */

/* Option limits (README.md). */
#define XT_TICKER_DEFAULT 5
#define XT_TICKER_MAX 12
#define XT_SPARKLINE_DEFAULT 60
#define XT_SPARKLINE_MAX 1000
#define XT_ANIMATE_DEFAULT 600
#define XT_ANIMATE_MAX 60000

/* Trades that came faster than the ticker slides wait, at most this many; more and the
 * ticker jumps to the newest instead of lagging behind. */
#define XT_PENDING_MAX 3

/* Per-item state is bounded: the least recently updated data set goes first. */
#define XT_DATASETS_MAX 256

/* Beyond this a double no longer holds every integer (or every fen) exactly. */
#define XT_MAX_ABS WBKIT_EXACT_MAX

/* Before the first snapshot the numbers show dashes, never a blank or a false zero. */
#define XT_TRADES_DASHES "-----"
#define XT_TURNOVER_DASHES "\xc2\xa5-----.--"

/* Money and counts as text: "¥" + 16 digits + 5 separators + ".00" fits with room to spare. */
#define XT_TEXT_SIZE 64

/* ---- the model (xt_model.c) -------------------------------------------------------------- */

typedef struct xt_trade {
    char *id, *dataset_id, *dataset, *category; /* owned */
    double price, amount;                       /* yuan */
    int64_t volume;
} xt_trade;

typedef struct xt_dataset {
    char *id, *name, *category; /* owned */
    double last_price;
    int has_price;
    int64_t trades;     /* today */
    uint64_t stamp;     /* when it was last updated (model clock): the oldest is evicted */
    wbkit_ring prices;  /* its recent prices, oldest first, for the sparkline */
} xt_dataset;

typedef struct xt_day {
    int64_t trades;
    double turnover; /* yuan */
    int64_t volume;
} xt_day;

typedef struct xt_model {
    int ticker_cap;  /* rows shown and reported: the "ticker" option */
    int spark_cap;   /* prices kept per data set: the "sparkline" option */
    int has_day;
    xt_day day;
    xt_trade ticker[XT_TICKER_MAX + XT_PENDING_MAX]; /* newest first; the cap plus a few
                                                      * for the rows a slide reveals */
    int ticker_count;
    uint64_t pushed;                /* rows pushed since the snapshot: a row's identity */
    xt_dataset *datasets;           /* XT_DATASETS_MAX slots, dataset_count used */
    int dataset_count;
    uint64_t clock;                 /* stamps updates */
    int64_t evicted;                /* data sets dropped for room since the tile started */
    uint64_t generation;            /* bumped on every change: layouts cached by it */
} xt_model;

/* What a message did to the model. */
typedef enum xt_applied {
    XT_IGNORED = 0,  /* not a message of this feed */
    XT_SNAPSHOT = 1, /* the state was replaced */
    XT_TRADE = 2,    /* one trade added: the ticker moved by one row */
    XT_INVALID = -1, /* malformed: nothing changed */
    XT_NOMEM = -2    /* out of memory: nothing changed */
} xt_applied;

int xt_model_init(xt_model *m, int ticker_cap, int spark_cap);
void xt_model_free(xt_model *m);
/* Validates the whole message first, then applies it; on any failure nothing changed. */
xt_applied xt_model_apply(xt_model *m, const json_t *message);
/* The index of the data set with most trades today (ties: the one updated last), or -1 when
 * none traded today. */
int xt_model_top(const xt_model *m);

/* ---- the layout (xt_layout.c) ------------------------------------------------------------ */

typedef enum xt_row_format {
    XT_ROW_FULL,     /* one line: name, category, price, volume, amount */
    XT_ROW_TWO_LINE, /* name and amount; under them category, price x volume */
    XT_ROW_COMPACT   /* one line: name and amount */
} xt_row_format;

/* A line of small text the layout chose to fit its box at its size. */
typedef struct xt_label {
    wb_rect box;
    int px;
    wb_align align;
    wb_font_role role;
    wb_palette color;
    char text[192];
} xt_label;

#define XT_LABELS_MAX 8

/* Widths of the ticker's columns at the rows' font size. */
typedef struct xt_columns {
    int name, cat, price, volume, amount, price_volume;
} xt_columns;

typedef struct xt_layout {
    int valid;
    wb_rect rect;         /* the tile it is for */
    uint64_t generation;  /* the model it is for */

    int caption_px;
    wb_rect title;
    int title_lines;
    wb_rect trades, turnover; /* the numbers' boxes, left-aligned in them */
    xt_label labels[XT_LABELS_MAX]; /* captions */
    int label_count;
    wb_rect divider;      /* a thin rule between the columns of a wide tile; w 0: none */
    wb_rect spark;        /* w 0: none */

    wb_rect ticker;       /* the rows' band */
    xt_row_format format;
    int rows;             /* row slots in the band */
    int row_h, row_px;
    xt_columns cols;      /* widest texts at row_px */
    int gap, marker_w, marker_gap, tag_pad;
} xt_layout;

/* Recomputes l for the tile `r` unless it is valid for r and the model's generation. */
void xt_layout_update(struct xt *x, xt_layout *l, wb_rect r);

/* ---- LED numbers with separators (xt_led.c) ---------------------------------------------- */

#define XT_GROUPS_MAX 8 /* 1e15 has 16 digits: 6 groups */

/* Where the parts of "¥12,345.67" go at one size: prefix, gap, then groups with commas. */
typedef struct xt_led_shape {
    int px, led_h;                    /* the LED font size and its line height */
    int prefix_px, prefix_w, prefix_gap;
    int comma_w;
    int groups;
    int group_w[XT_GROUPS_MAX];
    int width;                        /* all of it */
} xt_led_shape;

/* The largest shape of `sizing` that fits box_w x box_h. 0, or -1 if none can be measured. */
int xt_led_fit(const struct xt *x, const char *sizing, int box_w, int box_h, xt_led_shape *s);
/* Draws `shown` in the places of `sizing` (the longest text of a count-up, so the digits keep
 * their size and place), aligned in box. 0, or -1 (noted as overflow) if it cannot. */
int xt_led_draw(struct xt *x, const char *shown, const char *sizing, wb_rect box, wb_align align,
                wb_color color);

/* ---- drawing (xt_draw.c) ----------------------------------------------------------------- */

/* The number texts the wall shows: "12,345", "¥12,345,678.90", dashes before any value. */
void xt_trades_text(const struct xt *x, double value, char *buf, size_t size);
void xt_money_text(const struct xt *x, double value, char *buf, size_t size);
/* x->trades_text and x->turnover_text for the values shown now (dashes before any). */
void xt_update_texts(struct xt *x);
void xt_render(struct xt *x, wb_rect rect);

/* Names are shown up to this many characters, then "…": a feed's runaway name must not shrink
 * the whole ticker. The catalogue's longest is 14. */
#define XT_NAME_CHARS 20
#define XT_CATEGORY_CHARS 8

/* `s` cut to `max_chars` characters (code points) with "…" after it if it was longer. */
void xt_short_text(const char *s, int max_chars, char *buf, size_t size);

/* The texts of a ticker row, as drawn. */
typedef struct xt_row_text {
    char name[4 * XT_NAME_CHARS + 4], category[4 * XT_CATEGORY_CHARS + 4];
    char price[XT_TEXT_SIZE], volume[XT_TEXT_SIZE], amount[XT_TEXT_SIZE],
        price_volume[2 * XT_TEXT_SIZE];
} xt_row_text;
void xt_row_texts(const struct xt *x, const xt_trade *t, xt_row_text *out);

/* ---- the instance (exchange_trades.c) ---------------------------------------------------- */

typedef enum xt_watch { XT_WATCH_TRADES = 0, XT_WATCH_TURNOVER = 1 } xt_watch;

typedef struct xt {
    const wb_host_services *svc; /* borrowed until destroy */
    wb_host *host;

    wbkit_title title;
    int has_thresholds;
    wb_thresholds thresholds;
    xt_watch watch;              /* what the thresholds apply to */
    int animate_ms;

    xt_model model;
    wbkit_anim trades_anim, turnover_anim; /* targets are the model's day */

    /* The ticker shows model.ticker from index `pending` on: the newest rows wait their turn.
     * While `sliding`, the newest shown row comes in: the rows ease down by one row. */
    int pending;
    uint64_t slide_start_ms;
    int sliding;

    xt_layout layout;

    /* what the last render drew, for report() */
    char trades_text[XT_TEXT_SIZE];
    char turnover_text[XT_TEXT_SIZE];
    int rows_shown;
    int overflow;
} xt;

/* The ticker's offset now, in rows (0 at rest). */
double xt_slide_offset(const xt *x, uint64_t now_ms);
/* The level of the watched number. */
wb_level xt_level(const xt *x);
/* Records a draw_text/draw_led answer: 1 means it was shrunk or cut. */
void xt_note(xt *x, int draw_result);

#endif /* EXCHANGE_TRADES_H */
