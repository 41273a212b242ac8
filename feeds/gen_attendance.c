/* gen_attendance.c: /attendance, absent and late children at rural Guizhou schools and their parents notified.
 * Must never read the real clock or global random state: its events are a function of seed, clock and date. */
#include "source.h"
#include "fields.h"
#include "prng.h"
#include "roster.h"
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ENROLLED, LEFT_BEHIND, ABSENT, ABSENT_LB, LATE, NOTIFIED, COUNTERS };
#define DAILY_MASK ((1u << ABSENT) | (1u << ABSENT_LB) | (1u << LATE) | (1u << NOTIFIED))

static const roster_spec attendance_spec = {
    .path = "/attendance",
    .place_key = "school",
    .list_key = "schools",
    .count_key = "schools",
    .update_type = "attendance.update",
    .snapshot_type = "attendance.snapshot",
    .counters = { "enrolled", "left_behind", "absent", "absent_left_behind", "late",
                  "parents_notified" },
    .counter_count = COUNTERS,
};

typedef struct school_info {
    place_names names;
    int enrolled;
    int left_behind; /* children whose parents work away in the cities */
} school_info;

static const school_info catalogue[] = {
    { { "zhengan-ruixi-primary", "正安县瑞溪镇中心小学", "Zheng'an Ruixi Town Central Primary School", "正安县" }, 1260, 610 },
    { { "tongzi-jiuba-primary", "桐梓县九坝镇中心小学", "Tongzi Jiuba Town Central Primary School", "桐梓县" }, 980, 420 },
    { { "xishui-tucheng-middle", "习水县土城镇中学", "Xishui Tucheng Town Middle School", "习水县" }, 1540, 590 },
    { { "meitan-yongxing-primary", "湄潭县永兴镇中心小学", "Meitan Yongxing Town Central Primary School", "湄潭县" }, 870, 330 },
    { { "wuchuan-fengle-primary", "务川县丰乐镇中心小学", "Wuchuan Fengle Town Central Primary School", "务川县" }, 720, 405 },
    { { "daozhen-yuxi-middle", "道真县玉溪镇中学", "Daozhen Yuxi Town Middle School", "道真县" }, 1320, 640 },
    { { "dafang-yangchang-primary", "大方县羊场镇中心小学", "Dafang Yangchang Town Central Primary School", "大方县" }, 1480, 810 },
    { { "nayong-yangchang-middle", "纳雍县阳长镇中学", "Nayong Yangchang Town Middle School", "纳雍县" }, 1650, 880 },
    { { "weining-caohai-primary", "威宁县草海镇中心小学", "Weining Caohai Town Central Primary School", "威宁县" }, 2150, 1030 },
    { { "hezhang-magu-primary", "赫章县妈姑镇中心小学", "Hezhang Magu Town Central Primary School", "赫章县" }, 1390, 760 },
    { { "qianxi-supu-middle", "黔西市素朴镇中学", "Qianxi Supu Town Middle School", "黔西市" }, 1120, 470 },
    { { "jinsha-shatu-primary", "金沙县沙土镇中心小学", "Jinsha Shatu Town Central Primary School", "金沙县" }, 1010, 380 },
    { { "congjiang-bingmei-primary", "从江县丙妹镇中心小学", "Congjiang Bingmei Town Central Primary School", "从江县" }, 1580, 720 },
    { { "rongjiang-guzhou-middle", "榕江县古州镇中学", "Rongjiang Guzhou Town Middle School", "榕江县" }, 1870, 650 },
    { { "leishan-xijiang-primary", "雷山县西江镇中心小学", "Leishan Xijiang Town Central Primary School", "雷山县" }, 640, 250 },
    { { "liping-zhaoxing-primary", "黎平县肇兴镇中心小学", "Liping Zhaoxing Town Central Primary School", "黎平县" }, 760, 395 },
    { { "taijiang-shidong-primary", "台江县施洞镇中心小学", "Taijiang Shidong Town Central Primary School", "台江县" }, 540, 280 },
    { { "jianhe-gedong-middle", "剑河县革东镇中学", "Jianhe Gedong Town Middle School", "剑河县" }, 930, 430 },
    { { "sandu-zhouqin-primary", "三都县周覃镇中心小学", "Sandu Zhouqin Town Central Primary School", "三都县" }, 1100, 560 },
    { { "libo-chaoyang-primary", "荔波县朝阳镇中心小学", "Libo Chaoyang Town Central Primary School", "荔波县" }, 480, 190 },
    { { "luodian-bianyang-middle", "罗甸县边阳镇中学", "Luodian Bianyang Town Middle School", "罗甸县" }, 1050, 520 },
    { { "pingtang-kedu-primary", "平塘县克度镇中心小学", "Pingtang Kedu Town Central Primary School", "平塘县" }, 690, 310 },
    { { "dushan-mawei-primary", "独山县麻尾镇中心小学", "Dushan Mawei Town Central Primary School", "独山县" }, 820, 340 },
    { { "changshun-guangshun-middle", "长顺县广顺镇中学", "Changshun Guangshun Town Middle School", "长顺县" }, 990, 410 },
    { { "songtao-panxin-primary", "松桃县盘信镇中心小学", "Songtao Panxin Town Central Primary School", "松桃县" }, 1260, 690 },
    { { "yanhe-guanzhou-middle", "沿河县官舟镇中学", "Yanhe Guanzhou Town Middle School", "沿河县" }, 1430, 760 },
    { { "yinjiang-muhuang-primary", "印江县木黄镇中心小学", "Yinjiang Muhuang Town Central Primary School", "印江县" }, 710, 350 },
    { { "sinan-tangtou-primary", "思南县塘头镇中心小学", "Sinan Tangtou Town Central Primary School", "思南县" }, 1180, 590 },
    { { "dejiang-jiancha-middle", "德江县煎茶镇中学", "Dejiang Jiancha Town Middle School", "德江县" }, 1340, 600 },
    { { "ziyun-houchang-primary", "紫云县猴场镇中心小学", "Ziyun Houchang Town Central Primary School", "紫云县" }, 650, 330 },
    { { "guanling-yongning-primary", "关岭县永宁镇中心小学", "Guanling Yongning Town Central Primary School", "关岭县" }, 580, 240 },
    { { "panzhou-baotian-middle", "盘州市保田镇中学", "Panzhou Baotian Town Middle School", "盘州市" }, 1760, 700 },
    { { "shuicheng-miluo-primary", "水城区米箩镇中心小学", "Shuicheng Miluo Town Central Primary School", "水城区" }, 620, 260 },
    { { "liuzhi-langdai-primary", "六枝特区郎岱镇中心小学", "Liuzhi Langdai Town Central Primary School", "六枝特区" }, 900, 420 },
};

#define SCHOOL_COUNT (sizeof catalogue / sizeof catalogue[0])
#define M(h, m) ((h) * SIM_HOUR_MS + (m) * SIM_MINUTE_MS)
#define ROLL_CALL_PER_MILLE 850 /* absences found at the morning roll call; the rest later */

typedef enum { H_ABSENT, H_ABSENT_LB, H_LATE, H_NOTIFY } happening_kind;

/* One child's report (or its parents' notification) at a school, at a simulated time. */
typedef struct happening {
    int64_t at;
    uint32_t order;  /* generation order: ties sort the same everywhere */
    uint16_t school;
    uint8_t kind;
} happening;

typedef struct attendance_gen {
    prng rng;
    sim_clock clock;
    int empty;
    roster pub;             /* published state */
    char date[11];          /* the published day, YYYY-MM-DD */
    size_t enrolled_next;   /* schools published so far, at simulated time 0 */
    happening *plan;        /* today's reports, by time */
    size_t plan_count, plan_capacity, plan_next;
    int64_t day;            /* days since the start date */
    int64_t next_midnight;
    size_t reset_cursor;
} attendance_gen;

static int by_time(const void *a, const void *b)
{
    const happening *x = a, *y = b;
    if (x->at != y->at) return x->at < y->at ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int plan_add(attendance_gen *g, size_t school, happening_kind kind, int64_t at)
{
    if (g->plan_count == g->plan_capacity) {
        size_t cap = g->plan_capacity ? 2 * g->plan_capacity : 4096;
        happening *grown = realloc(g->plan, cap * sizeof *grown);
        if (!grown) return -1;
        g->plan = grown;
        g->plan_capacity = cap;
    }
    g->plan[g->plan_count] = (happening){ at, (uint32_t)g->plan_count, (uint16_t)school,
                                          (uint8_t)kind };
    g->plan_count++;
    return 0;
}

/* Who is absent or late at each school on day `g->day`, when the school reports it, and when
 * the parents' phones get the message: mostly 07:30-09:00. */
static int plan_day(attendance_gen *g)
{
    prng *r = &g->rng;
    int64_t base = g->day * SIM_DAY_MS;
    g->plan_count = g->plan_next = 0;
    for (size_t s = 0; s < SCHOOL_COUNT; s++) {
        const school_info *sc = &catalogue[s];
        int64_t absent = sc->enrolled * prng_range(r, 15, 40) / 1000;
        int64_t late = sc->enrolled * prng_range(r, 6, 22) / 1000;
        /* Left-behind children miss school more often than their share of the roll. */
        int64_t lb_chance = (int64_t)sc->left_behind * 1300 / sc->enrolled;
        if (lb_chance > 900) lb_chance = 900;
        for (int64_t i = 0; i < absent; i++) {
            happening_kind kind = prng_chance(r, (unsigned)lb_chance) ? H_ABSENT_LB : H_ABSENT;
            int64_t at = prng_chance(r, ROLL_CALL_PER_MILLE)
                             ? prng_range(r, M(7, 30), M(9, 0) - 1)
                             : prng_range(r, M(9, 0), M(15, 30));
            if (plan_add(g, s, kind, base + at) ||
                plan_add(g, s, H_NOTIFY, base + at + prng_range(r, 30000, 8 * SIM_MINUTE_MS)))
                return -1;
        }
        for (int64_t i = 0; i < late; i++) {
            int64_t at = prng_range(r, M(7, 40), M(9, 10));
            if (plan_add(g, s, H_LATE, base + at) ||
                plan_add(g, s, H_NOTIFY, base + at + prng_range(r, 20000, 4 * SIM_MINUTE_MS)))
                return -1;
        }
    }
    qsort(g->plan, g->plan_count, sizeof *g->plan, by_time);
    return 0;
}

static int64_t next_at(const attendance_gen *g)
{
    if (g->enrolled_next < SCHOOL_COUNT) return 0;
    int64_t at = g->next_midnight;
    if (g->plan_next < g->plan_count && g->plan[g->plan_next].at < at)
        at = g->plan[g->plan_next].at;
    return at;
}

static json_t *enrol(attendance_gen *g)
{
    const school_info *sc = &catalogue[g->enrolled_next++];
    int64_t v[COUNTERS] = { sc->enrolled, sc->left_behind, 0, 0, 0, 0 };
    return roster_update(&g->pub, &sc->names, v);
}

static json_t *report(attendance_gen *g)
{
    const happening *h = &g->plan[g->plan_next++];
    const school_info *sc = &catalogue[h->school];
    const roster_place *p = roster_find(&g->pub, sc->names.id);
    int64_t v[COUNTERS] = { 0 };
    if (p) memcpy(v, p->v, sizeof v); /* always published: enrol() ran at time 0 */
    switch ((happening_kind)h->kind) {
    case H_ABSENT_LB: v[ABSENT]++, v[ABSENT_LB]++; break; /* also counts as absent */
    case H_ABSENT: v[ABSENT]++; break;
    case H_LATE: v[LATE]++; break;
    case H_NOTIFY: v[NOTIFIED]++; break;
    }
    return roster_update(&g->pub, &sc->names, v);
}

/* Midnight: every school's day counters go back to 0, one update each; then the new day. */
static int midnight(attendance_gen *g, json_t **event)
{
    int rc = roster_reset_next(&g->pub, &g->reset_cursor, DAILY_MASK, event);
    if (rc != 0) return rc;
    g->reset_cursor = 0;
    g->next_midnight += SIM_DAY_MS;
    g->day++;
    sim_format_date(g->clock.start_day + (int32_t)g->day, 0, g->date);
    return plan_day(g);
}

static int attendance_step(void *model, int64_t now_us, json_t **event, char *err,
                           size_t err_size)
{
    attendance_gen *g = model;
    if (g->empty) return 0;
    int64_t now = sim_now_ms(&g->clock, now_us);
    for (;;) {
        int64_t at = next_at(g);
        if (at > now) return 0;
        int rc;
        if (g->enrolled_next < SCHOOL_COUNT) {
            rc = (*event = enrol(g)) ? 1 : -1;
        } else if (at == g->next_midnight) {
            rc = midnight(g, event);
        } else {
            rc = (*event = report(g)) ? 1 : -1;
        }
        if (rc < 0) {
            snprintf(err, err_size, "/attendance: out of memory");
            return -1;
        }
        if (rc == 1) return 1;
    }
}

static int64_t attendance_next_due_us(const void *model)
{
    const attendance_gen *g = model;
    return g->empty ? INT64_MAX : sim_due_us(&g->clock, next_at(g));
}

static int attendance_apply(void *model, const json_t *msg, char *err, size_t err_size)
{
    attendance_gen *g = model;
    const char *type = json_string_value(json_object_get(msg, "type"));
    const char *date = NULL;
    int32_t days;
    if (type && strcmp(type, attendance_spec.snapshot_type) == 0) {
        if (field_string(msg, NULL, "date", 1, &date, err, err_size)) return -1;
        if (sim_parse_date(date, &days)) {
            snprintf(err, err_size, "\"date\": expected YYYY-MM-DD, got \"%s\"", date);
            return -1;
        }
    }
    if (roster_apply(&g->pub, msg, err, err_size)) return -1;
    if (date) snprintf(g->date, sizeof g->date, "%s", date);
    return 0;
}

static json_t *attendance_snapshot(const void *model, char *err, size_t err_size)
{
    const attendance_gen *g = model;
    json_t *list = json_pack("[{s:s, s:s, s:o, s:o}]", "type", attendance_spec.snapshot_type,
                             "date", g->date, attendance_spec.list_key,
                             roster_places_json(&g->pub), "totals", roster_totals_json(&g->pub));
    if (!list) snprintf(err, err_size, "/attendance: out of memory for a snapshot");
    return list;
}

static void attendance_destroy(void *model)
{
    attendance_gen *g = model;
    if (!g) return;
    roster_free(&g->pub);
    free(g->plan);
    free(g);
}

static void *attendance_create(const feed_source_args *args, char *err, size_t err_size)
{
    attendance_gen *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, err_size, "/attendance: out of memory");
        return NULL;
    }
    roster_init(&g->pub, &attendance_spec);
    g->empty = args->empty;
    g->clock = (sim_clock){ args->start_day, args->start_ms, args->time_scale };
    sim_format_date(args->start_day, 0, g->date);
    if (g->empty) return g;
    prng_seed(&g->rng, args->seed, "/attendance");
    g->next_midnight = SIM_DAY_MS;
    if (plan_day(g)) {
        snprintf(err, err_size, "/attendance: out of memory");
        goto fail;
    }
    if (feed_source_warm_up(&gen_attendance_source, g, err, err_size)) goto fail;
    return g;

fail:
    attendance_destroy(g);
    return NULL;
}

const feed_source gen_attendance_source = {
    .path = "/attendance",
    .summary = "absent and late children at 34 rural schools (simulated clock)",
    .create = attendance_create,
    .destroy = attendance_destroy,
    .step = attendance_step,
    .next_due_us = attendance_next_due_us,
    .apply = attendance_apply,
    .snapshot = attendance_snapshot,
};
