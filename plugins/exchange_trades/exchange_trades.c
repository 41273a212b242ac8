/* exchange_trades.c: the data exchange tile: trades today as a big LED number, turnover in yuan,
 * a ticker of the latest trades and the busiest data set's prices. It must never link or call
 * the host except through the wb_host_services table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exchange_trades.h"

#define XT_VERSION "1.0.0"

/* The ticker's slide follows animate_ms but never drags: a busy exchange must stay legible. */
#define SLIDE_MAX_MS 450

/* ---- options ------------------------------------------------------------------------------ */

/* A typo in a wall's config should be seen, but not take the tile down. */
static void warn_unknown_options(xt *x, const json_t *options)
{
    static const char *const option_names[] = {"ticker", "thresholds", "threshold_on",
                                               "sparkline", "animate_ms", NULL};
    wbkit_warn_unknown_keys(x->svc, x->host, XT_NAME, options, option_names, "option");
    wbkit_warn_unknown_threshold_keys(x->svc, x->host, XT_NAME,
                                      json_object_get(options, "thresholds"));
}

/* "trades" (the default) or "turnover": which number the thresholds colour. */
static int read_watch(const json_t *options, xt_watch *out, char *err, size_t err_size)
{
    char *text = NULL;
    int rc = wbkit_read_string(options, "threshold_on", &text, err, err_size);
    if (rc == 1 && strcmp(text, "trades") == 0) *out = XT_WATCH_TRADES;
    else if (rc == 1 && strcmp(text, "turnover") == 0) *out = XT_WATCH_TURNOVER;
    else if (rc != 0) rc = wbkit_option_error(err, err_size, "threshold_on",
                                              "\"trades\" or \"turnover\"");
    free(text);
    return rc < 0 ? -1 : 0;
}

/* Reads the options into x, the ticker's rows and the sparkline's points into the out values. */
static int read_options(xt *x, const json_t *options, int *ticker, int *sparkline, char *err,
                        size_t err_size)
{
    if (!json_is_object(options)) {
        snprintf(err, err_size, "options must be an object");
        return -1;
    }
    if (wbkit_read_int(options, "ticker", 1, XT_TICKER_MAX, ticker, err, err_size) < 0 ||
        wbkit_read_int(options, "sparkline", 0, XT_SPARKLINE_MAX, sparkline, err, err_size) < 0 ||
        wbkit_read_int(options, "animate_ms", 0, XT_ANIMATE_MAX, &x->animate_ms, err,
                       err_size) < 0)
        return -1;
    x->has_thresholds = wbkit_read_thresholds(options, "thresholds", &x->thresholds, err,
                                              err_size);
    if (x->has_thresholds < 0) return -1;
    if (read_watch(options, &x->watch, err, err_size) != 0) return -1;
    warn_unknown_options(x, options);
    return 0;
}

/* ---- life cycle --------------------------------------------------------------------------- */

static void xt_destroy(void *self)
{
    xt *x = self;
    if (!x) return;
    wbkit_title_free(&x->title);
    xt_model_free(&x->model);
    free(x);
}

static void *xt_create(const wb_tile_info *tile, char *err, size_t err_size)
{
    /* every service this plugin calls exists since 1.0 */
    if (wbkit_check_services(tile, XT_NAME, err, err_size) != 0) return NULL;
    xt *x = calloc(1, sizeof *x);
    if (!x) goto out_of_memory;
    x->svc = tile->services;
    x->host = tile->host;
    x->animate_ms = XT_ANIMATE_DEFAULT;
    int ticker = XT_TICKER_DEFAULT, sparkline = XT_SPARKLINE_DEFAULT;
    if (wbkit_title_init(&x->title, tile->title) != 0) goto out_of_memory;
    if (read_options(x, tile->options, &ticker, &sparkline, err, err_size) != 0) goto fail;
    if (xt_model_init(&x->model, ticker, sparkline) != 0) goto out_of_memory;
    wbkit_anim_init(&x->trades_anim, x->animate_ms);
    wbkit_anim_init(&x->turnover_anim, x->animate_ms);
    return x; /* owned by the host until xt_destroy */

out_of_memory:
    snprintf(err, err_size, XT_NAME ": out of memory");
fail:
    xt_destroy(x);
    return NULL;
}

/* ---- messages and animation --------------------------------------------------------------- */

static int slide_ms(const xt *x)
{
    return x->animate_ms < SLIDE_MAX_MS ? x->animate_ms : SLIDE_MAX_MS;
}

double xt_slide_offset(const xt *x, uint64_t now_ms)
{
    if (!x->sliding) return 0.0;
    uint64_t elapsed = now_ms > x->slide_start_ms ? now_ms - x->slide_start_ms : 0;
    if (elapsed >= (uint64_t)slide_ms(x)) return 0.0;
    return 1.0 - wbkit_ease_out((double)elapsed / slide_ms(x));
}

/* The next waiting row slides in. One row at a time, each at full speed, so the top row is
 * readable however fast trades come. */
static void reveal_next(xt *x, uint64_t now_ms)
{
    x->sliding = 0;
    if (x->pending <= 0) return;
    if (slide_ms(x) <= 0) {
        x->pending = 0;
        return;
    }
    x->pending--;
    x->slide_start_ms = now_ms;
    x->sliding = 1;
}

/* A trade came in: it waits its turn behind a running slide; a queue too long to catch up
 * is dropped and the ticker shows the newest at once. */
static void queue_row(xt *x, uint64_t now_ms)
{
    if (++x->pending > XT_PENDING_MAX) {
        x->pending = 0;
        x->sliding = 0;
        return;
    }
    if (!x->sliding) reveal_next(x, now_ms);
}

static int xt_on_message(void *self, const struct json_t *message)
{
    xt *x = self;
    xt_applied applied = xt_model_apply(&x->model, message);
    if (applied == XT_IGNORED) return WB_MSG_IGNORED;
    if (applied == XT_INVALID) return WB_MSG_INVALID;
    if (applied == XT_NOMEM) {
        x->svc->log(x->host, WB_LOG_ERROR, XT_NAME ": out of memory, a message was dropped");
        return WB_MSG_IGNORED;
    }
    uint64_t now = x->svc->now_ms(x->host);
    /* a repeated total leaves a running count-up alone (the kit's rule) */
    wbkit_anim_set(&x->trades_anim, (double)x->model.day.trades, now);
    wbkit_anim_set(&x->turnover_anim, x->model.day.turnover, now);
    if (applied == XT_TRADE) {
        queue_row(x, now);
    } else { /* a snapshot is a new page, not a row */
        x->pending = 0;
        x->sliding = 0;
    }
    return WB_MSG_CHANGED;
}

static int xt_tick(void *self, uint64_t now_ms)
{
    xt *x = self;
    int moving = wbkit_anim_tick(&x->trades_anim, now_ms);
    moving |= wbkit_anim_tick(&x->turnover_anim, now_ms);
    if (x->sliding) {
        /* true on the frame that lands too, so the rows are drawn at rest */
        if (now_ms >= x->slide_start_ms + (uint64_t)slide_ms(x)) reveal_next(x, now_ms);
        moving = 1;
    }
    return moving;
}

wb_level xt_level(const xt *x)
{
    const wbkit_anim *a = x->watch == XT_WATCH_TURNOVER ? &x->turnover_anim : &x->trades_anim;
    if (!x->has_thresholds || !a->has_value) return WB_LEVEL_NORMAL;
    return x->svc->threshold_level(a->target, &x->thresholds);
}

void xt_note(xt *x, int draw_result)
{
    if (draw_result == 1) x->overflow = 1;
}

/* ---- report ------------------------------------------------------------------------------- */

/* The newest `ticker` rows: what the ticker shows once it is at rest. */
static json_t *ticker_json(const xt_model *m)
{
    json_t *rows = json_array();
    for (int i = 0; rows && i < m->ticker_count && i < m->ticker_cap; i++) {
        const xt_trade *t = &m->ticker[i];
        if (json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:o}",
                                                  "id", t->id, "dataset_id", t->dataset_id,
                                                  "dataset", t->dataset, "category",
                                                  t->category, "price", wbkit_number_json(t->price),
                                                  "volume", (json_int_t)t->volume, "amount",
                                                  wbkit_number_json(t->amount))) != 0) {
            json_decref(rows);
            return NULL;
        }
    }
    return rows;
}

static int report_top(const xt *x, json_t *out)
{
    int top_at = xt_model_top(&x->model);
    const xt_dataset *top = top_at >= 0 ? &x->model.datasets[top_at] : NULL;
    int rc = 0;
    rc |= json_object_set_new(out, "top_dataset", top ? json_string(top->id) : json_null());
    rc |= json_object_set_new(out, "top_name", top ? json_string(top->name) : json_null());
    rc |= json_object_set_new(out, "top_trades", json_integer(top ? top->trades : 0));
    rc |= json_object_set_new(out, "top_price", top && top->has_price
                                                    ? wbkit_number_json(top->last_price)
                                                    : json_null());
    rc |= json_object_set_new(out, "samples", json_integer(top ? top->prices.count : 0));
    return rc;
}

static json_t *day_value(const xt *x, double value)
{
    return x->model.has_day ? wbkit_number_json(value) : json_null();
}

static int xt_report(void *self, struct json_t *out)
{
    xt *x = self;
    const xt_model *m = &x->model;
    xt_update_texts(x); /* the values as they stand now: what render draws at this moment */
    int rc = 0;
    rc |= json_object_set_new(out, "trades", day_value(x, (double)m->day.trades));
    rc |= json_object_set_new(out, "trades_text", json_string(x->trades_text));
    rc |= json_object_set_new(out, "turnover", day_value(x, m->day.turnover));
    rc |= json_object_set_new(out, "turnover_text", json_string(x->turnover_text));
    rc |= json_object_set_new(out, "volume", day_value(x, (double)m->day.volume));
    rc |= json_object_set_new(out, "ticker", ticker_json(m));
    rc |= json_object_set_new(out, "ticker_shown", json_integer(x->rows_shown));
    rc |= report_top(x, out);
    rc |= json_object_set_new(out, "datasets", json_integer(m->dataset_count));
    rc |= json_object_set_new(out, "evicted", json_integer(m->evicted));
    rc |= json_object_set_new(out, "level", json_string(wbkit_level_name(xt_level(x))));
    rc |= json_object_set_new(out, "threshold_on",
                              json_string(x->watch == XT_WATCH_TURNOVER ? "turnover" : "trades"));
    rc |= json_object_set_new(out, "title", json_string(x->title.text ? x->title.text : ""));
    rc |= json_object_set_new(out, "overflow", json_boolean(x->overflow));
    return rc ? -1 : 0;
}

/* ---- entry -------------------------------------------------------------------------------- */

static void xt_render_entry(void *self, wb_rect rect)
{
    xt_render(self, rect);
}

static const wb_plugin_descriptor xt_descriptor = {
    WB_PLUGIN_DESCRIPTOR_INIT_HEADER,
    .name = XT_NAME,
    .version = XT_VERSION,
    .description = "The data exchange: trades today, turnover in yuan, a ticker of the latest "
                   "trades and the busiest data set's prices",
    .create = xt_create,
    .destroy = xt_destroy,
    .on_message = xt_on_message,
    .render = xt_render_entry,
    .tick = xt_tick,
    .report = xt_report,
};

WB_PLUGIN_EXPORT const wb_plugin_descriptor *wallboard_plugin_entry(void)
{
    return &xt_descriptor;
}
