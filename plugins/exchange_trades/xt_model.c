/* xt_model.c: the exchange's day as the /trades feed tells it: totals, the latest trades and the
 * data sets' trade counts and prices. It must never change the model for a message it rejects. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exchange_trades.h"

/* ---- reading fields: borrowed views of a message, checked before anything is applied ----- */

typedef struct trade_view {
    const char *id, *dataset_id, *dataset, *category;
    double price, amount;
    int64_t volume;
} trade_view;

typedef struct dataset_view {
    const char *id, *name, *category;
    double last_price;
    int64_t trades;
} dataset_view;

/* A string member; `nonempty` for identifiers. 0, or -1 if absent or not a string. */
static int get_string(const json_t *obj, const char *key, int nonempty, const char **out)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_string(v)) return -1;
    *out = json_string_value(v);
    return nonempty && !**out ? -1 : 0;
}

/* A member that need not be there, but must be a string when it is (buyer, seller). */
static int check_optional_string(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return !v || json_is_string(v) ? 0 : -1;
}

/* A finite number in [0, XT_MAX_ABS]: money and counts are never negative. */
static int get_amount(const json_t *obj, const char *key, double *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_number(v)) return -1;
    double d = json_number_value(v);
    if (!isfinite(d) || d < 0 || d > XT_MAX_ABS) return -1;
    *out = d;
    return 0;
}

/* A count: an amount that is a whole number (12 or 12.0, never 12.5). */
static int get_count(const json_t *obj, const char *key, int64_t *out)
{
    double d;
    if (get_amount(obj, key, &d) != 0 || d != floor(d)) return -1;
    *out = (int64_t)d;
    return 0;
}

static int read_day(const json_t *day, xt_day *out)
{
    if (!json_is_object(day)) return -1;
    return get_count(day, "trades", &out->trades) || get_amount(day, "turnover", &out->turnover) ||
                   get_count(day, "volume", &out->volume)
               ? -1
               : 0;
}

static int read_trade(const json_t *t, trade_view *v)
{
    if (!json_is_object(t)) return -1;
    return get_string(t, "id", 1, &v->id) || get_string(t, "dataset_id", 1, &v->dataset_id) ||
                   get_string(t, "dataset", 0, &v->dataset) ||
                   get_string(t, "category", 0, &v->category) ||
                   check_optional_string(t, "buyer") || check_optional_string(t, "seller") ||
                   get_amount(t, "price", &v->price) || get_count(t, "volume", &v->volume) ||
                   get_amount(t, "amount", &v->amount)
               ? -1
               : 0;
}

static int read_dataset(const json_t *d, dataset_view *v)
{
    if (!json_is_object(d)) return -1;
    return get_string(d, "id", 1, &v->id) || get_string(d, "name", 0, &v->name) ||
                   get_string(d, "category", 0, &v->category) ||
                   get_amount(d, "last_price", &v->last_price) ||
                   get_count(d, "trades", &v->trades)
               ? -1
               : 0;
}

/* Every element of `list` is an array that reads as trades (or as data sets). */
static int check_list(const json_t *list, int datasets)
{
    size_t i;
    const json_t *item;
    trade_view t;
    dataset_view d;
    if (!json_is_array(list)) return -1;
    json_array_foreach(list, i, item) {
        if ((datasets ? read_dataset(item, &d) : read_trade(item, &t)) != 0) return -1;
    }
    return 0;
}

/* ---- owned records ------------------------------------------------------------------------ */

static void trade_free(xt_trade *t)
{
    free(t->id);
    free(t->dataset_id);
    free(t->dataset);
    free(t->category);
    *t = (xt_trade){0};
}

static int trade_copy(xt_trade *t, const trade_view *v)
{
    *t = (xt_trade){.id = strdup(v->id), .dataset_id = strdup(v->dataset_id),
                    .dataset = strdup(v->dataset), .category = strdup(v->category),
                    .price = v->price, .amount = v->amount, .volume = v->volume};
    if (t->id && t->dataset_id && t->dataset && t->category) return 0;
    trade_free(t);
    return -1;
}

static void dataset_free(xt_dataset *d)
{
    free(d->id);
    free(d->name);
    free(d->category);
    wbkit_ring_free(&d->prices);
    *d = (xt_dataset){0};
}

static int dataset_make(xt_dataset *d, const char *id, const char *name, const char *category,
                        int spark_cap)
{
    *d = (xt_dataset){.id = strdup(id), .name = strdup(name), .category = strdup(category)};
    if (d->id && d->name && d->category && wbkit_ring_init(&d->prices, spark_cap) == 0) return 0;
    dataset_free(d);
    return -1;
}

/* ---- the model ---------------------------------------------------------------------------- */

int xt_model_init(xt_model *m, int ticker_cap, int spark_cap)
{
    *m = (xt_model){.ticker_cap = ticker_cap, .spark_cap = spark_cap};
    m->datasets = calloc(XT_DATASETS_MAX, sizeof *m->datasets);
    return m->datasets ? 0 : -1;
}

void xt_model_free(xt_model *m)
{
    for (int i = 0; i < m->ticker_count; i++) trade_free(&m->ticker[i]);
    for (int i = 0; m->datasets && i < m->dataset_count; i++) dataset_free(&m->datasets[i]);
    free(m->datasets);
    *m = (xt_model){0};
}

static xt_dataset *find_dataset(xt_model *m, const char *id)
{
    for (int i = 0; i < m->dataset_count; i++)
        if (strcmp(m->datasets[i].id, id) == 0) return &m->datasets[i];
    return NULL;
}

/* The slot to evict: updated longest ago, and of those the one with fewest trades today (a
 * snapshot's data sets share one age, and the busiest must stay for the sparkline). */
static xt_dataset *oldest_dataset(xt_model *m)
{
    xt_dataset *victim = &m->datasets[0];
    for (int i = 1; i < m->dataset_count; i++) {
        xt_dataset *d = &m->datasets[i];
        if (d->stamp < victim->stamp || (d->stamp == victim->stamp && d->trades < victim->trades))
            victim = d;
    }
    return victim;
}

/* Takes over `made` (fully built, so nothing can fail any more) into a free slot or the oldest
 * one's. */
static xt_dataset *place_dataset(xt_model *m, xt_dataset *made)
{
    xt_dataset *slot;
    if (m->dataset_count < XT_DATASETS_MAX) {
        slot = &m->datasets[m->dataset_count++];
    } else {
        slot = oldest_dataset(m);
        dataset_free(slot);
        m->evicted++;
    }
    *slot = *made;
    return slot;
}

/* The data set with that id, added if new. NULL when out of memory (the model unchanged). */
static xt_dataset *upsert_dataset(xt_model *m, const char *id, const char *name,
                                  const char *category)
{
    xt_dataset *d = find_dataset(m, id), made;
    if (d) return d;
    if (dataset_make(&made, id, name, category, m->spark_cap) != 0) return NULL;
    return place_dataset(m, &made);
}

/* A new newest row, taking over *row; the oldest beyond the cap goes. */
static void push_row(xt_model *m, xt_trade *row)
{
    if (m->ticker_count == m->ticker_cap + XT_PENDING_MAX)
        trade_free(&m->ticker[--m->ticker_count]);
    memmove(&m->ticker[1], &m->ticker[0], (size_t)m->ticker_count * sizeof m->ticker[0]);
    m->ticker[0] = *row;
    m->ticker_count++;
    m->pushed++;
    *row = (xt_trade){0};
}

static void note_price(xt_model *m, xt_dataset *d, double price)
{
    d->last_price = price;
    d->has_price = 1;
    d->stamp = ++m->clock;
    wbkit_ring_push(&d->prices, price);
}

int xt_model_top(const xt_model *m)
{
    int best = -1;
    for (int i = 0; i < m->dataset_count; i++) {
        const xt_dataset *d = &m->datasets[i], *b = best >= 0 ? &m->datasets[best] : NULL;
        if (d->trades <= 0) continue;
        if (!b || d->trades > b->trades || (d->trades == b->trades && d->stamp > b->stamp))
            best = i;
    }
    return best;
}

/* ---- snapshot ----------------------------------------------------------------------------- */

/* The snapshot's data sets into the fresh model `n`. A later duplicate id updates the first.
 * They share one age, so that beyond the cap the ones with fewest trades today are left out. */
static int load_datasets(xt_model *n, const json_t *list)
{
    size_t i;
    const json_t *item;
    uint64_t age = ++n->clock;
    json_array_foreach(list, i, item) {
        dataset_view v;
        read_dataset(item, &v); /* checked already */
        if (n->dataset_count == XT_DATASETS_MAX && !find_dataset(n, v.id) &&
            v.trades <= oldest_dataset(n)->trades) {
            n->evicted++; /* it would be the first to go */
            continue;
        }
        xt_dataset *d = upsert_dataset(n, v.id, v.name, v.category);
        if (!d) return -1;
        d->trades = v.trades;
        d->last_price = v.last_price;
        d->has_price = 1;
        d->stamp = age;
    }
    return 0;
}

/* The recent trades, oldest first: ticker rows and price points. */
static int load_recent(xt_model *n, const json_t *recent)
{
    size_t i;
    const json_t *item;
    json_array_foreach(recent, i, item) {
        trade_view v;
        xt_trade row;
        read_trade(item, &v); /* checked already */
        xt_dataset *d = upsert_dataset(n, v.dataset_id, v.dataset, v.category);
        if (!d || trade_copy(&row, &v) != 0) return -1;
        note_price(n, d, v.price);
        push_row(n, &row);
    }
    return 0;
}

/* A data set none of the recent trades touched starts its line at its last price. */
static void seed_prices(xt_model *n)
{
    for (int i = 0; i < n->dataset_count; i++) {
        xt_dataset *d = &n->datasets[i];
        if (d->prices.count == 0 && d->has_price) wbkit_ring_push(&d->prices, d->last_price);
    }
}

static xt_applied apply_snapshot(xt_model *m, const json_t *msg)
{
    xt_day day;
    const json_t *recent = json_object_get(msg, "recent");
    const json_t *list = json_object_get(msg, "datasets");
    if (read_day(json_object_get(msg, "day"), &day) != 0 || check_list(recent, 0) != 0 ||
        check_list(list, 1) != 0)
        return XT_INVALID;

    xt_model n;
    if (xt_model_init(&n, m->ticker_cap, m->spark_cap) != 0) return XT_NOMEM;
    if (load_datasets(&n, list) != 0 || load_recent(&n, recent) != 0) {
        xt_model_free(&n);
        return XT_NOMEM;
    }
    seed_prices(&n);
    n.day = day;
    n.has_day = 1;
    n.evicted += m->evicted;
    n.generation = m->generation + 1;
    xt_model_free(m);
    *m = n;
    return XT_SNAPSHOT;
}

/* ---- one trade ---------------------------------------------------------------------------- */

static xt_applied apply_trade(xt_model *m, const json_t *msg)
{
    trade_view v;
    xt_day day;
    if (read_trade(json_object_get(msg, "trade"), &v) != 0 ||
        read_day(json_object_get(msg, "day"), &day) != 0)
        return XT_INVALID;

    xt_trade row;
    if (trade_copy(&row, &v) != 0) return XT_NOMEM;
    xt_dataset *d = upsert_dataset(m, v.dataset_id, v.dataset, v.category);
    if (!d) {
        trade_free(&row);
        return XT_NOMEM;
    }
    /* A day count that does not grow means the exchange's day turned over: "trades today"
     * start again, as the feed server counts them (its next snapshot then agrees). */
    if (m->has_day && day.trades <= m->day.trades)
        for (int i = 0; i < m->dataset_count; i++) m->datasets[i].trades = 0;
    d->trades++;
    note_price(m, d, v.price);
    push_row(m, &row);
    m->day = day;
    m->has_day = 1;
    m->generation++;
    return XT_TRADE;
}

xt_applied xt_model_apply(xt_model *m, const json_t *message)
{
    const char *type = json_string_value(json_object_get(message, "type"));
    if (!type) return XT_IGNORED;
    if (strcmp(type, "trades.snapshot") == 0) return apply_snapshot(m, message);
    if (strcmp(type, "trade") == 0) return apply_trade(m, message);
    return XT_IGNORED;
}
