/* gen_clinics.c: /clinics, telemedicine queues, remote scan reading and prescription flags at county hospitals.
 * Must never read the real clock or global random state: its events are a function of seed, clock and date. */
#include "source.h"
#include "prng.h"
#include "roster.h"
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>

enum { WAITING, SCANS, PRESCRIPTIONS, FLAGGED, COUNTERS };
#define DAILY_MASK ((1u << PRESCRIPTIONS) | (1u << FLAGGED)) /* reset at midnight */

static const roster_spec clinics_spec = {
    .path = "/clinics",
    .place_key = "clinic",
    .list_key = "clinics",
    .count_key = "clinics",
    .update_type = "clinic.update",
    .snapshot_type = "clinics.snapshot",
    .counters = { "waiting", "scans_pending", "prescriptions", "flagged" },
    .counter_count = COUNTERS,
};

typedef struct clinic_info {
    place_names names;
    int size; /* relative patient load, 1 (small county) .. 5 (district seat) */
    int wave; /* rollout stage: index into wave_minute */
} clinic_info;

/* Rollout: wave 0 was live before the simulated first day; the others go live on it, from
 * these times of day. */
static const int wave_minute[] = { 0, 9 * 60, 11 * 60 + 30, 14 * 60 + 30 };

static const clinic_info catalogue[] = {
    /* 遵义市 Zunyi */
    { { "zunyi-bozhou", "遵义市播州区人民医院", "Zunyi Bozhou District People's Hospital", "播州区" }, 5, 0 },
    { { "zunyi-renhuai", "仁怀市人民医院", "Renhuai People's Hospital", "仁怀市" }, 4, 0 },
    { { "zunyi-chishui", "赤水市人民医院", "Chishui People's Hospital", "赤水市" }, 3, 0 },
    { { "zunyi-tongzi", "桐梓县人民医院", "Tongzi County People's Hospital", "桐梓县" }, 3, 0 },
    { { "zunyi-suiyang", "绥阳县人民医院", "Suiyang County People's Hospital", "绥阳县" }, 2, 0 },
    { { "zunyi-zhengan", "正安县人民医院", "Zheng'an County People's Hospital", "正安县" }, 2, 1 },
    { { "zunyi-meitan", "湄潭县人民医院", "Meitan County People's Hospital", "湄潭县" }, 2, 0 },
    { { "zunyi-xishui", "习水县人民医院", "Xishui County People's Hospital", "习水县" }, 3, 0 },
    { { "zunyi-daozhen", "道真仡佬族苗族自治县人民医院",
        "Daozhen Gelao and Miao Autonomous County People's Hospital", "道真县" }, 1, 2 },
    { { "zunyi-wuchuan", "务川仡佬族苗族自治县人民医院",
        "Wuchuan Gelao and Miao Autonomous County People's Hospital", "务川县" }, 1, 3 },
    /* 黔南州 Qiannan */
    { { "qiannan-duyun", "都匀市人民医院", "Duyun People's Hospital", "都匀市" }, 4, 0 },
    { { "qiannan-fuquan", "福泉市人民医院", "Fuquan People's Hospital", "福泉市" }, 2, 0 },
    { { "qiannan-libo", "荔波县人民医院", "Libo County People's Hospital", "荔波县" }, 1, 1 },
    { { "qiannan-wengan", "瓮安县人民医院", "Weng'an County People's Hospital", "瓮安县" }, 3, 0 },
    { { "qiannan-dushan", "独山县人民医院", "Dushan County People's Hospital", "独山县" }, 2, 0 },
    { { "qiannan-luodian", "罗甸县人民医院", "Luodian County People's Hospital", "罗甸县" }, 1, 2 },
    { { "qiannan-sandu", "三都水族自治县人民医院", "Sandu Shui Autonomous County People's Hospital",
        "三都县" }, 1, 3 },
    /* 黔东南州 Qiandongnan */
    { { "qiandongnan-kaili", "凯里市第一人民医院", "Kaili First People's Hospital", "凯里市" }, 4, 0 },
    { { "qiandongnan-leishan", "雷山县人民医院", "Leishan County People's Hospital", "雷山县" }, 1, 0 },
    { { "qiandongnan-congjiang", "从江县人民医院", "Congjiang County People's Hospital", "从江县" }, 2, 1 },
    { { "qiandongnan-liping", "黎平县人民医院", "Liping County People's Hospital", "黎平县" }, 3, 0 },
    { { "qiandongnan-rongjiang", "榕江县人民医院", "Rongjiang County People's Hospital", "榕江县" }, 2, 0 },
    { { "qiandongnan-taijiang", "台江县人民医院", "Taijiang County People's Hospital", "台江县" }, 1, 2 },
    { { "qiandongnan-jianhe", "剑河县人民医院", "Jianhe County People's Hospital", "剑河县" }, 1, 3 },
    /* 毕节市 Bijie */
    { { "bijie-qixingguan", "毕节市七星关区人民医院", "Bijie Qixingguan District People's Hospital",
        "七星关区" }, 5, 0 },
    { { "bijie-dafang", "大方县人民医院", "Dafang County People's Hospital", "大方县" }, 3, 0 },
    { { "bijie-qianxi", "黔西市人民医院", "Qianxi People's Hospital", "黔西市" }, 3, 0 },
    { { "bijie-zhijin", "织金县人民医院", "Zhijin County People's Hospital", "织金县" }, 3, 1 },
    { { "bijie-nayong", "纳雍县人民医院", "Nayong County People's Hospital", "纳雍县" }, 2, 0 },
    { { "bijie-weining", "威宁彝族回族苗族自治县人民医院",
        "Weining Yi, Hui and Miao Autonomous County People's Hospital", "威宁县" }, 4, 0 },
    { { "bijie-hezhang", "赫章县人民医院", "Hezhang County People's Hospital", "赫章县" }, 2, 2 },
    /* 铜仁市 Tongren */
    { { "tongren-songtao", "松桃苗族自治县人民医院", "Songtao Miao Autonomous County People's Hospital",
        "松桃县" }, 3, 0 },
    { { "tongren-yinjiang", "印江土家族苗族自治县人民医院",
        "Yinjiang Tujia and Miao Autonomous County People's Hospital", "印江县" }, 2, 1 },
    { { "tongren-sinan", "思南县人民医院", "Sinan County People's Hospital", "思南县" }, 3, 0 },
    { { "tongren-dejiang", "德江县人民医院", "Dejiang County People's Hospital", "德江县" }, 2, 0 },
    { { "tongren-yanhe", "沿河土家族自治县人民医院", "Yanhe Tujia Autonomous County People's Hospital",
        "沿河县" }, 2, 3 },
    /* 安顺市 Anshun */
    { { "anshun-puding", "普定县人民医院", "Puding County People's Hospital", "普定县" }, 2, 0 },
    { { "anshun-zhenning", "镇宁布依族苗族自治县人民医院",
        "Zhenning Buyei and Miao Autonomous County People's Hospital", "镇宁县" }, 1, 1 },
    { { "anshun-ziyun", "紫云苗族布依族自治县人民医院",
        "Ziyun Miao and Buyei Autonomous County People's Hospital", "紫云县" }, 1, 2 },
    /* 六盘水市 Liupanshui */
    { { "liupanshui-panzhou", "盘州市人民医院", "Panzhou People's Hospital", "盘州市" }, 4, 0 },
    { { "liupanshui-shuicheng", "六盘水市水城区人民医院",
        "Liupanshui Shuicheng District People's Hospital", "水城区" }, 3, 0 },
    { { "liupanshui-liuzhi", "六枝特区人民医院", "Liuzhi Special District People's Hospital",
        "六枝特区" }, 2, 1 },
};

#define CLINIC_COUNT (sizeof catalogue / sizeof catalogue[0])
/* Candidate happenings per size unit per simulated hour at full activity: with every clinic
 * live that is about 3 a second across the province, a county hospital's outpatient pace. */
#define HAPPENINGS_PER_SIZE_HOUR 110
#define GOLIVE_STAGGER_MIN 4
#define QUEUE_PER_SIZE 25       /* a clinic's morning queue at its peak, per size unit */
#define BUS_PER_MILLE 12        /* a bus of patients from a township: a queue spike */
#define SCAN_PER_MILLE 300      /* a patient seen gets a CT/MRI sent for remote reading */
#define PRESCRIPTION_PER_MILLE 650
#define FLAG_PER_MILLE 70       /* of prescriptions, flagged for over-prescription review */

/* How busy the clinics are (per mille of full activity) through the day. */
static const sim_point activity[] = {
    { 0, 40 }, { 6 * 60, 40 }, { 7 * 60, 250 }, { 8 * 60, 800 }, { 9 * 60, 1000 },
    { 11 * 60 + 30, 1000 }, { 12 * 60 + 30, 550 }, { 14 * 60, 900 }, { 17 * 60, 700 },
    { 18 * 60 + 30, 300 }, { 21 * 60, 120 }, { 23 * 60, 50 },
};
/* Where the queues head (per mille of their peak): they build in the morning, drain at lunch,
 * build a little again and drain by evening. */
static const sim_point queue_target[] = {
    { 0, 20 }, { 6 * 60, 20 }, { 7 * 60, 150 }, { 8 * 60, 550 }, { 9 * 60 + 30, 1000 },
    { 10 * 60 + 30, 1000 }, { 12 * 60, 450 }, { 13 * 60 + 30, 350 }, { 15 * 60, 600 },
    { 17 * 60, 300 }, { 19 * 60, 60 }, { 22 * 60, 20 },
};
#define PROFILE(p, t) sim_profile((p), sizeof(p) / sizeof((p)[0]), (t))

typedef struct clinics_gen {
    prng rng;
    sim_clock clock;
    int empty;
    roster pub;                  /* published state */
    unsigned total_size;
    size_t golive_order[CLINIC_COUNT]; /* catalogue indexes by rollout time */
    size_t golive_next;          /* how many have gone live */
    int64_t next_candidate;      /* simulated ms */
    int64_t next_midnight;
    size_t reset_cursor;         /* midnight resets sent so far, as a roster index */
} clinics_gen;

/* Within a wave, hospitals go live one by one, GOLIVE_STAGGER_MIN minutes apart. */
static int64_t golive_at(const clinics_gen *g)
{
    if (g->golive_next == CLINIC_COUNT) return INT64_MAX;
    size_t c = g->golive_order[g->golive_next];
    int wave = catalogue[c].wave;
    int64_t rank = 0;
    for (size_t i = g->golive_next; i > 0 && catalogue[g->golive_order[i - 1]].wave == wave; i--)
        rank++;
    if (wave == 0) return 0; /* live before the day began */
    return (wave_minute[wave] + rank * GOLIVE_STAGGER_MIN) * SIM_MINUTE_MS;
}

static int64_t next_at(const clinics_gen *g)
{
    int64_t at = g->next_candidate, live = golive_at(g);
    if (live < at) at = live;
    if (g->next_midnight < at) at = g->next_midnight;
    return at;
}

static json_t *publish(const clinics_gen *g, size_t clinic, const int64_t *v)
{
    return roster_update(&g->pub, &catalogue[clinic].names, v);
}

static json_t *go_live(clinics_gen *g, int64_t now)
{
    size_t c = g->golive_order[g->golive_next++];
    int size = catalogue[c].size;
    /* A clinic opens with the queue its size would have at this hour. */
    int64_t v[COUNTERS] = { 0 };
    v[WAITING] = size * QUEUE_PER_SIZE * PROFILE(queue_target, now) / 1000 / 2 +
                 prng_range(&g->rng, 0, size);
    return publish(g, c, v);
}

static size_t pick_clinic(clinics_gen *g)
{
    uint64_t ticket = prng_below(&g->rng, g->total_size);
    for (size_t i = 0; i < CLINIC_COUNT; i++) {
        if (ticket < (uint64_t)catalogue[i].size) return i;
        ticket -= (uint64_t)catalogue[i].size;
    }
    return CLINIC_COUNT - 1;
}

/* One thing happening at a clinic: it always changes at least one counter. */
static void happen(clinics_gen *g, int size, int64_t now, int64_t *v)
{
    int64_t target = (int64_t)size * QUEUE_PER_SIZE * PROFILE(queue_target, now) / 1000;
    if (PROFILE(activity, now) >= 600 && prng_chance(&g->rng, BUS_PER_MILLE)) {
        v[WAITING] += prng_range(&g->rng, 3 * size, 8 * size);
        return;
    }
    /* The remote reading centre works through its backlog faster the longer it is. */
    int64_t read_chance = v[SCANS] * 25 > 300 ? 300 : v[SCANS] * 25;
    if (v[SCANS] > 0 && prng_chance(&g->rng, (unsigned)read_chance)) {
        v[SCANS]--;
        return;
    }
    /* Patients arrive more often than they are seen while the queue is below where the hour
     * wants it, and less often above: queues follow queue_target with noise. */
    int64_t pull = (target - v[WAITING]) * 400 / (target + 5);
    if (pull > 420) pull = 420;
    if (pull < -420) pull = -420;
    if (v[WAITING] == 0 || prng_chance(&g->rng, (unsigned)(500 + pull))) {
        v[WAITING] += prng_range(&g->rng, 1, 2);
        return;
    }
    v[WAITING]--;
    if (prng_chance(&g->rng, SCAN_PER_MILLE)) v[SCANS]++;
    if (prng_chance(&g->rng, PRESCRIPTION_PER_MILLE)) {
        v[PRESCRIPTIONS]++;
        if (prng_chance(&g->rng, FLAG_PER_MILLE)) v[FLAGGED]++;
    }
}

/* A candidate happening: thinned by the hour's activity and by whether its clinic is live,
 * so the rate follows the day without a gap computed at night skipping the morning. */
static json_t *candidate(clinics_gen *g, int64_t now, int *oom)
{
    g->next_candidate += sim_gap_ms(&g->rng, (uint64_t)g->total_size * HAPPENINGS_PER_SIZE_HOUR);
    size_t c = pick_clinic(g);
    const roster_place *p = roster_find(&g->pub, catalogue[c].names.id);
    if (!prng_chance(&g->rng, (unsigned)PROFILE(activity, now)) || !p) return NULL;
    int64_t v[COUNTERS];
    for (size_t i = 0; i < COUNTERS; i++) v[i] = p->v[i];
    happen(g, catalogue[c].size, now, v);
    json_t *event = publish(g, c, v);
    *oom = !event;
    return event;
}

static int clinics_step(void *model, int64_t now_us, json_t **event, char *err, size_t err_size)
{
    clinics_gen *g = model;
    if (g->empty) return 0;
    int64_t now = sim_now_ms(&g->clock, now_us);
    for (;;) {
        int64_t at = next_at(g);
        if (at > now) return 0;
        int oom = 0;
        json_t *e = NULL;
        if (at == g->next_midnight) {
            int rc = roster_reset_next(&g->pub, &g->reset_cursor, DAILY_MASK, &e);
            oom = rc < 0;
            if (rc == 0) {
                g->reset_cursor = 0;
                g->next_midnight += SIM_DAY_MS;
            }
        } else if (at == golive_at(g)) {
            e = go_live(g, at);
            oom = !e;
        } else {
            e = candidate(g, at, &oom);
        }
        if (oom) {
            snprintf(err, err_size, "/clinics: out of memory for an event");
            return -1;
        }
        if (e) {
            *event = e;
            return 1;
        }
    }
}

static int64_t clinics_next_due_us(const void *model)
{
    const clinics_gen *g = model;
    return g->empty ? INT64_MAX : sim_due_us(&g->clock, next_at(g));
}

static int clinics_apply(void *model, const json_t *msg, char *err, size_t err_size)
{
    clinics_gen *g = model;
    return roster_apply(&g->pub, msg, err, err_size);
}

static json_t *clinics_snapshot(const void *model, char *err, size_t err_size)
{
    const clinics_gen *g = model;
    json_t *list = json_pack("[{s:s, s:o, s:o}]", "type", clinics_spec.snapshot_type,
                             clinics_spec.list_key, roster_places_json(&g->pub),
                             "totals", roster_totals_json(&g->pub));
    if (!list) snprintf(err, err_size, "/clinics: out of memory for a snapshot");
    return list;
}

static void clinics_destroy(void *model)
{
    clinics_gen *g = model;
    if (!g) return;
    roster_free(&g->pub);
    free(g);
}

static void *clinics_create(const feed_source_args *args, char *err, size_t err_size)
{
    clinics_gen *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, err_size, "/clinics: out of memory");
        return NULL;
    }
    roster_init(&g->pub, &clinics_spec);
    g->empty = args->empty;
    g->clock = (sim_clock){ args->start_day, args->start_ms, args->time_scale };
    if (g->empty) return g;
    prng_seed(&g->rng, args->seed, "/clinics");
    /* Stable order by wave: the catalogue order within a wave. */
    size_t n = 0;
    for (size_t w = 0; w < sizeof wave_minute / sizeof wave_minute[0]; w++)
        for (size_t i = 0; i < CLINIC_COUNT; i++)
            if (catalogue[i].wave == (int)w) g->golive_order[n++] = i;
    for (size_t i = 0; i < CLINIC_COUNT; i++) g->total_size += (unsigned)catalogue[i].size;
    g->next_candidate = sim_gap_ms(&g->rng, (uint64_t)g->total_size * HAPPENINGS_PER_SIZE_HOUR);
    g->next_midnight = SIM_DAY_MS;
    if (feed_source_warm_up(&gen_clinics_source, g, err, err_size)) {
        clinics_destroy(g);
        return NULL;
    }
    return g;
}

const feed_source gen_clinics_source = {
    .path = "/clinics",
    .summary = "telemedicine at 42 Guizhou county hospitals (simulated clock)",
    .create = clinics_create,
    .destroy = clinics_destroy,
    .step = clinics_step,
    .next_due_us = clinics_next_due_us,
    .apply = clinics_apply,
    .snapshot = clinics_snapshot,
};
