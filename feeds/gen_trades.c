/* gen_trades.c: /trades, data set trades on the Guizhou big-data exchange with the day's running totals.
 * Must never read the real clock or global random state, nor keep money in floating point (fen in integers). */
#include "source.h"
#include "fields.h"
#include "prng.h"
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECENT_MAX 20        /* trades a snapshot repeats */
#define MAX_DATASETS 4096    /* a replay file cannot grow the state without bound */

typedef struct dataset_info {
    const char *id;
    const char *name;     /* Chinese */
    const char *category; /* Chinese */
    const char *seller;
    int64_t base_fen;     /* the price it trades around, per unit */
    unsigned weight;      /* how often it trades */
} dataset_info;

static const dataset_info catalogue[] = {
    { "gy-traffic-flow", "贵阳市实时交通流量数据", "交通", "贵州交通大数据中心", 19800, 10 },
    { "gz-bus-gps", "公交车辆GPS轨迹数据", "交通", "贵阳公交集团", 7600, 6 },
    { "gz-highway-toll", "高速公路收费站通行数据", "交通", "贵州高速公路集团", 14500, 7 },
    { "gz-freight-match", "货车运力匹配数据", "交通", "满帮集团", 5900, 8 },
    { "gz-medical-claims", "医保结算脱敏数据", "医疗", "贵州省医保信息中心", 36000, 4 },
    { "gz-hospital-beds", "医院床位使用数据", "医疗", "贵州省卫生健康信息中心", 8800, 5 },
    { "gz-telemed-stats", "远程会诊影像统计数据", "医疗", "贵州省远程医疗服务中心", 16500, 3 },
    { "gz-weather-grid", "贵州网格化气象预报数据", "气象", "贵州省气象信息中心", 10800, 9 },
    { "gz-mountain-rain", "山区降雨监测数据", "气象", "贵州省气象信息中心", 4900, 5 },
    { "gz-lightning", "雷电监测数据", "气象", "贵州省防雷减灾中心", 3600, 3 },
    { "gz-sme-credit", "中小企业信用评分数据", "金融", "贵州征信服务有限公司", 42000, 6 },
    { "gz-rural-credit", "农户小额贷款脱敏数据", "金融", "贵州省农村信用社联合社", 25000, 4 },
    { "gz-grid-load", "电网负荷曲线数据", "电力", "贵州电网有限责任公司", 18500, 7 },
    { "gz-hydro-output", "水电站发电量数据", "电力", "贵州乌江水电开发有限责任公司", 12800, 4 },
    { "gz-ev-charging", "新能源汽车充电桩数据", "电力", "贵州电网有限责任公司", 4700, 5 },
    { "gz-tea-trace", "茶叶产销溯源数据", "农业", "贵州茶产业大数据中心", 2900, 3 },
    { "gz-tourism-flow", "景区客流数据", "文旅", "一码游贵州平台", 6900, 5 },
};

static const char *const buyers[] = {
    "贵州银行", "贵阳农商银行", "中国移动贵州公司", "中国联通贵州分公司", "华为云", "腾讯云",
    "阿里云", "京东科技", "百度智能云", "满帮集团", "航天云网", "国家电网贵州电力",
    "云上贵州大数据公司", "贵阳市交通委员会", "黔南州大数据局", "遵义医科大学附属医院",
    "中国人寿贵州分公司", "平安科技",
};

#define DATASET_COUNT (sizeof catalogue / sizeof catalogue[0])
#define BUYER_COUNT (sizeof buyers / sizeof buyers[0])
#define PEAK_PER_HOUR 5000     /* trades per simulated hour at a normal busy hour */
#define BURST_LEVEL 4000       /* activity per mille in a burst: four times the normal pace */
#define NORMAL_LEVEL 1000
#define QUIET_LEVEL 100
#define BLOCK_PER_MILLE 50     /* a block trade: tens to hundreds of units at once */

/* The exchange's day (per mille of a normal busy hour): a night trickle, the working day
 * with a lunch lull, an evening tail. */
static const sim_point hours[] = {
    { 0, 60 }, { 6 * 60, 60 }, { 8 * 60, 400 }, { 9 * 60, 1000 }, { 11 * 60 + 30, 1000 },
    { 12 * 60, 500 }, { 13 * 60 + 30, 500 }, { 14 * 60, 1000 }, { 17 * 60 + 30, 900 },
    { 18 * 60 + 30, 300 }, { 21 * 60, 150 }, { 23 * 60, 80 },
};

typedef struct dataset_pub {
    char *id, *name, *category;
    int64_t last_price_fen;
    int64_t trades; /* today */
} dataset_pub;

typedef struct trades_gen {
    prng rng;
    sim_clock clock;
    int empty;
    /* published state */
    json_t *recent[RECENT_MAX]; /* ring of TRADE objects (own references), oldest at head */
    size_t recent_head, recent_count;
    dataset_pub *datasets;
    size_t dataset_count, dataset_capacity;
    int64_t day_trades, day_turnover_fen, day_volume;
    /* hidden simulation */
    unsigned total_weight;
    int level;                 /* BURST_LEVEL, NORMAL_LEVEL or QUIET_LEVEL */
    int64_t level_until;       /* simulated ms */
    int64_t next_candidate;
    int64_t last_trade_day;    /* simulated day of the last trade, -1 before any */
} trades_gen;

/* ---- published state ---- */

static dataset_pub *find_dataset(const trades_gen *g, const char *id)
{
    for (size_t i = 0; i < g->dataset_count; i++)
        if (strcmp(g->datasets[i].id, id) == 0) return &g->datasets[i];
    return NULL;
}

static void free_datasets(dataset_pub *d, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(d[i].id);
        free(d[i].name);
        free(d[i].category);
    }
    free(d);
}

/* Fills *d with copies of the strings; on failure leaves it zeroed. */
static int set_dataset(dataset_pub *d, const char *id, const char *name, const char *category,
                       int64_t price_fen, int64_t trades)
{
    *d = (dataset_pub){ strdup(id), strdup(name), strdup(category), price_fen, trades };
    if (d->id && d->name && d->category) return 0;
    free(d->id);
    free(d->name);
    free(d->category);
    *d = (dataset_pub){ 0 };
    return -1;
}

/* Room for one more published data set, without changing any. */
static int reserve_dataset(trades_gen *g, char *err, size_t err_size)
{
    if (g->dataset_count < g->dataset_capacity) return 0;
    if (g->dataset_count >= MAX_DATASETS) {
        snprintf(err, err_size, "more than %d datasets", MAX_DATASETS);
        return -1;
    }
    size_t cap = g->dataset_capacity ? 2 * g->dataset_capacity : 32;
    dataset_pub *grown = realloc(g->datasets, cap * sizeof *grown);
    if (!grown) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    g->datasets = grown;
    g->dataset_capacity = cap;
    return 0;
}

static void push_recent(trades_gen *g, json_t *trade)
{
    if (g->recent_count == RECENT_MAX) {
        json_decref(g->recent[g->recent_head]);
        g->recent_head = (g->recent_head + 1) % RECENT_MAX;
        g->recent_count--;
    }
    g->recent[(g->recent_head + g->recent_count) % RECENT_MAX] = json_incref(trade);
    g->recent_count++;
}

static void clear_recent(trades_gen *g)
{
    while (g->recent_count) {
        json_decref(g->recent[g->recent_head]);
        g->recent_head = (g->recent_head + 1) % RECENT_MAX;
        g->recent_count--;
    }
    g->recent_head = 0;
}

/* ---- checking messages ---- */

typedef struct day_totals {
    int64_t trades, turnover_fen, volume;
} day_totals;

static int parse_day(const json_t *msg, day_totals *d, char *err, size_t err_size)
{
    json_t *day;
    return field_object(msg, NULL, "day", &day, err, err_size) ||
                   field_count(day, "day", "trades", &d->trades, err, err_size) ||
                   field_fen(day, "day", "turnover", &d->turnover_fen, err, err_size) ||
                   field_count(day, "day", "volume", &d->volume, err, err_size)
               ? -1
               : 0;
}

typedef struct trade_fields {
    const char *dataset_id, *dataset, *category;
    int64_t price_fen;
} trade_fields;

static int parse_trade(const json_t *t, const char *where, trade_fields *f, char *err,
                       size_t err_size)
{
    const char *s;
    int64_t n;
    if (!json_is_object(t)) {
        snprintf(err, err_size, "%s: expected an object", where);
        return -1;
    }
    return field_string(t, where, "id", 1, &s, err, err_size) ||
                   field_string(t, where, "dataset_id", 1, &f->dataset_id, err, err_size) ||
                   field_string(t, where, "dataset", 0, &f->dataset, err, err_size) ||
                   field_string(t, where, "category", 0, &f->category, err, err_size) ||
                   field_string(t, where, "buyer", 0, &s, err, err_size) ||
                   field_string(t, where, "seller", 0, &s, err, err_size) ||
                   field_fen(t, where, "price", &f->price_fen, err, err_size) ||
                   field_count(t, where, "volume", &n, err, err_size) ||
                   field_fen(t, where, "amount", &n, err, err_size)
               ? -1
               : 0;
}

static int apply_trade(trades_gen *g, const json_t *msg, char *err, size_t err_size)
{
    json_t *trade;
    trade_fields f;
    day_totals day;
    if (field_object(msg, NULL, "trade", &trade, err, err_size) ||
        parse_trade(trade, "trade", &f, err, err_size) || parse_day(msg, &day, err, err_size))
        return -1;
    dataset_pub *d = find_dataset(g, f.dataset_id);
    if (!d) {
        if (reserve_dataset(g, err, err_size)) return -1;
        d = &g->datasets[g->dataset_count];
        if (set_dataset(d, f.dataset_id, f.dataset, f.category, f.price_fen, 0)) {
            snprintf(err, err_size, "out of memory");
            return -1;
        }
        g->dataset_count++;
    }
    /* A day count that does not grow means the exchange's day turned over: the data sets'
     * "trades today" start again. */
    if (day.trades <= g->day_trades)
        for (size_t i = 0; i < g->dataset_count; i++) g->datasets[i].trades = 0;
    d->last_price_fen = f.price_fen;
    d->trades++;
    push_recent(g, trade);
    g->day_trades = day.trades;
    g->day_turnover_fen = day.turnover_fen;
    g->day_volume = day.volume;
    return 0;
}

static int parse_datasets(const json_t *list, dataset_pub *out, char *err, size_t err_size)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *d = json_array_get(list, i);
        char where[48];
        const char *id, *name, *category;
        int64_t price, trades;
        snprintf(where, sizeof where, "datasets[%zu]", i);
        if (!json_is_object(d)) {
            snprintf(err, err_size, "%s: expected an object", where);
            return -1;
        }
        if (field_string(d, where, "id", 1, &id, err, err_size) ||
            field_string(d, where, "name", 0, &name, err, err_size) ||
            field_string(d, where, "category", 0, &category, err, err_size) ||
            field_fen(d, where, "last_price", &price, err, err_size) ||
            field_count(d, where, "trades", &trades, err, err_size))
            return -1;
        for (size_t j = 0; j < i; j++) {
            if (strcmp(out[j].id, id) == 0) {
                snprintf(err, err_size, "%s.id: \"%s\" is listed twice", where, id);
                return -1;
            }
        }
        if (set_dataset(&out[i], id, name, category, price, trades)) {
            snprintf(err, err_size, "out of memory");
            return -1;
        }
    }
    return 0;
}

static int apply_snapshot(trades_gen *g, const json_t *msg, char *err, size_t err_size)
{
    json_t *recent, *list;
    day_totals day;
    trade_fields f;
    if (parse_day(msg, &day, err, err_size) ||
        field_array(msg, NULL, "recent", &recent, err, err_size) ||
        field_array(msg, NULL, "datasets", &list, err, err_size))
        return -1;
    for (size_t i = 0; i < json_array_size(recent); i++) {
        char where[48];
        snprintf(where, sizeof where, "recent[%zu]", i);
        if (parse_trade(json_array_get(recent, i), where, &f, err, err_size)) return -1;
    }
    size_t n = json_array_size(list);
    if (n > MAX_DATASETS) {
        snprintf(err, err_size, "datasets: more than %d", MAX_DATASETS);
        return -1;
    }
    dataset_pub *datasets = calloc(n ? n : 1, sizeof *datasets);
    if (!datasets) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    if (parse_datasets(list, datasets, err, err_size)) {
        free_datasets(datasets, n);
        return -1;
    }
    free_datasets(g->datasets, g->dataset_count);
    g->datasets = datasets;
    g->dataset_count = n;
    g->dataset_capacity = n ? n : 1;
    clear_recent(g);
    size_t total = json_array_size(recent);
    for (size_t i = total > RECENT_MAX ? total - RECENT_MAX : 0; i < total; i++)
        push_recent(g, json_array_get(recent, i));
    g->day_trades = day.trades;
    g->day_turnover_fen = day.turnover_fen;
    g->day_volume = day.volume;
    return 0;
}

static int trades_apply(void *model, const json_t *msg, char *err, size_t err_size)
{
    trades_gen *g = model;
    const char *type = json_string_value(json_object_get(msg, "type"));
    if (type && strcmp(type, "trade") == 0) return apply_trade(g, msg, err, err_size);
    if (type && strcmp(type, "trades.snapshot") == 0) return apply_snapshot(g, msg, err, err_size);
    return field_wrong_type(msg, "/trades", "\"trade\" and \"trades.snapshot\"", err, err_size);
}

static json_t *day_json(int64_t trades, int64_t turnover_fen, int64_t volume)
{
    return json_pack("{s:I, s:o, s:I}", "trades", (json_int_t)trades,
                     "turnover", fen_json(turnover_fen), "volume", (json_int_t)volume);
}

static json_t *trades_snapshot(const void *model, char *err, size_t err_size)
{
    const trades_gen *g = model;
    json_t *recent = json_array(), *datasets = json_array();
    for (size_t i = 0; recent && i < g->recent_count; i++)
        if (json_array_append(recent, g->recent[(g->recent_head + i) % RECENT_MAX])) goto oom;
    for (size_t i = 0; datasets && i < g->dataset_count; i++) {
        const dataset_pub *d = &g->datasets[i];
        if (json_array_append_new(datasets,
                                  json_pack("{s:s, s:s, s:s, s:o, s:I}", "id", d->id,
                                            "name", d->name, "category", d->category,
                                            "last_price", fen_json(d->last_price_fen),
                                            "trades", (json_int_t)d->trades)))
            goto oom;
    }
    json_t *list = json_pack("[{s:s, s:o, s:o, s:o}]", "type", "trades.snapshot",
                             "day", day_json(g->day_trades, g->day_turnover_fen, g->day_volume),
                             "recent", recent, "datasets", datasets);
    if (list) return list;
    recent = datasets = NULL; /* stolen by the failed pack */
oom:
    json_decref(recent);
    json_decref(datasets);
    snprintf(err, err_size, "/trades: out of memory for a snapshot");
    return NULL;
}

/* ---- simulation ---- */

static const char *pick_buyer(trades_gen *g, const char *seller)
{
    size_t k = (size_t)prng_below(&g->rng, BUYER_COUNT);
    /* A seller does not buy its own data: the next buyer on the list does. */
    if (strcmp(buyers[k], seller) == 0) k = (k + 1) % BUYER_COUNT;
    return buyers[k];
}

static size_t pick_dataset(trades_gen *g)
{
    uint64_t ticket = prng_below(&g->rng, g->total_weight);
    for (size_t i = 0; i < DATASET_COUNT; i++) {
        if (ticket < catalogue[i].weight) return i;
        ticket -= catalogue[i].weight;
    }
    return DATASET_COUNT - 1;
}

/* Bursts (a buying round) and quiet spells come and go; most of the time the pace is normal. */
static void next_level(trades_gen *g)
{
    prng *r = &g->rng;
    if (g->level == NORMAL_LEVEL) {
        unsigned roll = (unsigned)prng_below(r, 1000);
        if (roll < 300) {
            g->level = BURST_LEVEL;
            g->level_until += prng_range(r, 10000, 60000);
            return;
        }
        if (roll < 550) {
            g->level = QUIET_LEVEL;
            g->level_until += prng_range(r, 60000, 4 * SIM_MINUTE_MS);
            return;
        }
    }
    g->level = NORMAL_LEVEL;
    g->level_until += prng_range(r, SIM_MINUTE_MS, 5 * SIM_MINUTE_MS);
}

static json_t *make_trade(trades_gen *g, int64_t now)
{
    prng *r = &g->rng;
    size_t i = pick_dataset(g);
    const dataset_info *ds = &catalogue[i];
    const char *buyer = pick_buyer(g, ds->seller);
    const dataset_pub *pub = find_dataset(g, ds->id);
    int64_t last = pub ? pub->last_price_fen : ds->base_fen;
    /* A random walk of a few per cent, pulled back towards the data set's usual price. */
    int64_t price = last + last * prng_range(r, -25, 25) / 1000 + (ds->base_fen - last) / 12;
    if (price < 100) price = 100;
    int64_t volume = prng_chance(r, BLOCK_PER_MILLE) ? prng_range(r, 20, 120) : prng_range(r, 1, 12);
    int64_t amount = price * volume;

    int64_t day = now / SIM_DAY_MS;
    int new_day = day != g->last_trade_day;
    g->last_trade_day = day;
    int64_t trades = (new_day ? 0 : g->day_trades) + 1;
    int64_t turnover = (new_day ? 0 : g->day_turnover_fen) + amount;
    int64_t day_volume = (new_day ? 0 : g->day_volume) + volume;

    char date[11], id[40];
    sim_format_date(g->clock.start_day + (int32_t)day, 1, date);
    snprintf(id, sizeof id, "T%s-%06lld", date, (long long)trades);
    return json_pack("{s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:o}, s:o}",
                     "type", "trade",
                     "trade", "id", id, "dataset_id", ds->id, "dataset", ds->name,
                     "category", ds->category, "buyer", buyer, "seller", ds->seller,
                     "price", fen_json(price), "volume", (json_int_t)volume,
                     "amount", fen_json(amount),
                     "day", day_json(trades, turnover, day_volume));
}

static int64_t next_at(const trades_gen *g)
{
    return g->level_until < g->next_candidate ? g->level_until : g->next_candidate;
}

static int trades_step(void *model, int64_t now_us, json_t **event, char *err, size_t err_size)
{
    trades_gen *g = model;
    if (g->empty) return 0;
    int64_t now = sim_now_ms(&g->clock, now_us);
    for (;;) {
        int64_t at = next_at(g);
        if (at > now) return 0;
        if (at == g->level_until) {
            next_level(g);
            continue;
        }
        /* Candidates come at the burst pace; thinning by the hour and the current level
         * gives the actual pace without a long gap computed in a lull skipping a burst. */
        g->next_candidate += sim_gap_ms(&g->rng, (uint64_t)PEAK_PER_HOUR * BURST_LEVEL / 1000);
        unsigned keep = (unsigned)(sim_profile(hours, sizeof hours / sizeof hours[0], at) *
                                   g->level / BURST_LEVEL);
        if (!prng_chance(&g->rng, keep)) continue;
        *event = make_trade(g, at);
        if (*event) return 1;
        snprintf(err, err_size, "/trades: out of memory for an event");
        return -1;
    }
}

static int64_t trades_next_due_us(const void *model)
{
    const trades_gen *g = model;
    return g->empty ? INT64_MAX : sim_due_us(&g->clock, next_at(g));
}

static void trades_destroy(void *model)
{
    trades_gen *g = model;
    if (!g) return;
    clear_recent(g);
    free_datasets(g->datasets, g->dataset_count);
    free(g);
}

static void *trades_create(const feed_source_args *args, char *err, size_t err_size)
{
    trades_gen *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, err_size, "/trades: out of memory");
        return NULL;
    }
    g->empty = args->empty;
    g->clock = (sim_clock){ args->start_day, args->start_ms, args->time_scale };
    g->last_trade_day = -1;
    if (g->empty) return g;
    /* The exchange lists its data sets at their usual prices before the first trade. */
    for (size_t i = 0; i < DATASET_COUNT; i++) {
        const dataset_info *ds = &catalogue[i];
        if (reserve_dataset(g, err, err_size) ||
            set_dataset(&g->datasets[i], ds->id, ds->name, ds->category, ds->base_fen, 0)) {
            snprintf(err, err_size, "/trades: out of memory");
            goto fail;
        }
        g->dataset_count = i + 1;
        g->total_weight += ds->weight;
    }
    prng_seed(&g->rng, args->seed, "/trades");
    g->level = NORMAL_LEVEL;
    g->level_until = prng_range(&g->rng, SIM_MINUTE_MS, 5 * SIM_MINUTE_MS);
    g->next_candidate = sim_gap_ms(&g->rng, (uint64_t)PEAK_PER_HOUR * BURST_LEVEL / 1000);
    if (feed_source_warm_up(&gen_trades_source, g, err, err_size)) goto fail;
    return g;

fail:
    trades_destroy(g);
    return NULL;
}

const feed_source gen_trades_source = {
    .path = "/trades",
    .summary = "data set trades on the Guizhou big-data exchange (simulated clock)",
    .create = trades_create,
    .destroy = trades_destroy,
    .step = trades_step,
    .next_due_us = trades_next_due_us,
    .apply = trades_apply,
    .snapshot = trades_snapshot,
};
