/* gen_demo.c: the /demo generator: twelve Guizhou big-data hall counters as random walks with spikes.
 * Must never read the clock or any global random state: its output is a function of the seed. */
#include "source.h"
#include "prng.h"
#include "fields.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum walk_kind {
    WALK_LEVEL, /* wanders inside [low, high], pulled back towards the middle */
    WALK_TOTAL  /* running total of the day: starts in [low, high], only ever grows */
} walk_kind;

typedef struct demo_key {
    const char *name;
    walk_kind kind;
    int64_t low, high;
    int64_t step;           /* LEVEL: largest ordinary move either way; TOTAL: largest increment */
    int64_t spike;          /* size of an occasional jump (a bus of patients, a block trade) */
    unsigned weight;        /* relative chance that an event concerns this key */
} demo_key;

/* The docs/feeds.md table describes these; keep the two in step. */
static const demo_key demo_keys[] = {
    /* name   kind        low      high     step   spike  weight */
    { "k1",  WALK_LEVEL,     100,     400,     6,     80,  8 }, /* patients waiting, all clinics */
    { "k2",  WALK_LEVEL,      20,      80,     3,     20,  4 }, /* scans awaiting reading */
    { "k3",  WALK_LEVEL,       0,      30,     2,     10,  4 }, /* prescriptions flagged */
    { "k4",  WALK_LEVEL,      50,     300,     5,     60,  4 }, /* children absent today */
    { "k5",  WALK_LEVEL,      10,      80,     3,     20,  4 }, /* children late today */
    { "k6",  WALK_TOTAL,     100,     200,     1,      8,  2 }, /* parents notified today */
    { "k7",  WALK_TOTAL,   10000,   20000,    25,    400, 12 }, /* trades today */
    /* About 6.5 million yuan an hour: within the 8 digits the demo tile shows, all day. */
    { "k8",  WALK_TOTAL, 1000000, 2000000,  1500,  30000, 12 }, /* turnover today, yuan */
    { "k9",  WALK_LEVEL,      20,     150,     3,     25,  4 }, /* free hospital beds */
    { "k10", WALK_TOTAL,    2000,    4000,     8,     60,  4 }, /* appointments booked today */
    { "k11", WALK_LEVEL,     800,    1200,    12,    120,  4 }, /* merchants online */
    { "k12", WALK_LEVEL,       5,      60,     2,     15,  4 }, /* average wait, minutes */
};

#define DEMO_KEY_COUNT (sizeof demo_keys / sizeof demo_keys[0])
#define SPIKE_PER_MILLE 25      /* about one event in forty is a spike */
#define SPIKE_UP_PER_MILLE 750  /* queues mostly jump up: a surge, rarely a sudden clear-out */
#define PULL_DIVISOR 16         /* how fast a level drifts back to its middle after a spike */

typedef struct demo_gen {
    prng rng;
    unsigned total_weight;
    unsigned rate;      /* events per second of the server's clock */
    int empty;          /* replay: never steps */
    uint64_t emitted;   /* events stepped so far */
    int64_t values[DEMO_KEY_COUNT]; /* published: what the messages so far said */
} demo_gen;

static int64_t clamp(int64_t v, int64_t low, int64_t high)
{
    return v < low ? low : v > high ? high : v;
}

static void *demo_create(const feed_source_args *args, char *err, size_t err_size)
{
    demo_gen *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, err_size, "/demo: out of memory");
        return NULL;
    }
    g->rate = args->rate;
    g->empty = args->empty;
    for (size_t i = 0; i < DEMO_KEY_COUNT; i++) g->total_weight += demo_keys[i].weight;
    if (g->empty) return g;
    prng_seed(&g->rng, args->seed, "/demo");
    for (size_t i = 0; i < DEMO_KEY_COUNT; i++) {
        const demo_key *k = &demo_keys[i];
        if (k->kind == WALK_TOTAL) {
            g->values[i] = prng_range(&g->rng, k->low, k->high);
        } else {
            /* Start in the middle half so the first minutes do not sit on a bound. */
            int64_t quarter = (k->high - k->low) / 4;
            g->values[i] = prng_range(&g->rng, k->low + quarter, k->high - quarter);
        }
    }
    return g;
}

static void demo_destroy(void *gen)
{
    free(gen);
}

static size_t pick_key(demo_gen *g)
{
    uint64_t ticket = prng_below(&g->rng, g->total_weight);
    for (size_t i = 0; i < DEMO_KEY_COUNT; i++) {
        if (ticket < demo_keys[i].weight) return i;
        ticket -= demo_keys[i].weight;
    }
    return DEMO_KEY_COUNT - 1;
}

static int64_t next_total(demo_gen *g, const demo_key *k, int64_t value)
{
    int64_t add = prng_range(&g->rng, 1, k->step);
    if (prng_chance(&g->rng, SPIKE_PER_MILLE)) add += prng_range(&g->rng, k->spike / 2, k->spike);
    return value + add;
}

static int64_t next_level(demo_gen *g, const demo_key *k, int64_t value)
{
    int64_t middle = k->low + (k->high - k->low) / 2;
    int64_t next;
    if (prng_chance(&g->rng, SPIKE_PER_MILLE)) {
        int64_t jump = prng_range(&g->rng, k->spike / 2, k->spike);
        next = value + (prng_chance(&g->rng, SPIKE_UP_PER_MILLE) ? jump : -jump);
    } else {
        next = value + prng_range(&g->rng, -k->step, k->step) + (middle - value) / PULL_DIVISOR;
    }
    next = clamp(next, k->low, k->high);
    /* An event that changes nothing would look like a stuck feed on the wall. */
    if (next == value) next = clamp(value + (value < middle ? 1 : -1), k->low, k->high);
    return next;
}

/* Events due after `elapsed_us` at the rate. Split so that years of uptime at the top rate
 * cannot overflow. */
static uint64_t events_due(const demo_gen *g, int64_t elapsed_us)
{
    uint64_t e = (uint64_t)elapsed_us;
    return e / 1000000 * g->rate + e % 1000000 * g->rate / 1000000;
}

static int demo_step(void *gen, int64_t now_us, json_t **event, char *err, size_t err_size)
{
    demo_gen *g = gen;
    if (g->empty || g->emitted >= events_due(g, now_us)) return 0;
    size_t i = pick_key(g);
    const demo_key *k = &demo_keys[i];
    int64_t value = k->kind == WALK_TOTAL ? next_total(g, k, g->values[i])
                                          : next_level(g, k, g->values[i]);
    g->emitted++;
    *event = json_pack("{s:s, s:s, s:I}", "type", "counter", "key", k->name,
                       "value", (json_int_t)value);
    if (!*event) {
        snprintf(err, err_size, "/demo: out of memory for an event");
        return -1;
    }
    return 1;
}

static int64_t demo_next_due_us(const void *gen)
{
    const demo_gen *g = gen;
    if (g->empty || g->rate == 0) return INT64_MAX;
    /* Rounded up so the server never wakes just before the event it is waking for. */
    return (int64_t)(((g->emitted + 1) * 1000000 + g->rate - 1) / g->rate);
}

static int demo_apply(void *gen, const json_t *msg, char *err, size_t err_size)
{
    demo_gen *g = gen;
    const char *type = json_string_value(json_object_get(msg, "type"));
    const char *key = json_string_value(json_object_get(msg, "key"));
    json_t *value = json_object_get(msg, "value");
    if (!type || (strcmp(type, "snapshot") != 0 && strcmp(type, "counter") != 0))
        return field_wrong_type(msg, "/demo", "\"snapshot\" and \"counter\"", err, err_size);
    for (size_t i = 0; key && i < DEMO_KEY_COUNT; i++) {
        if (strcmp(key, demo_keys[i].name) != 0) continue;
        if (!json_is_integer(value)) {
            snprintf(err, err_size, "\"value\": expected an integer");
            return -1;
        }
        g->values[i] = (int64_t)json_integer_value(value);
        return 0;
    }
    snprintf(err, err_size, "\"key\": expected one of k1..k%zu", DEMO_KEY_COUNT);
    return -1;
}

static json_t *demo_snapshot(const void *gen, char *err, size_t err_size)
{
    const demo_gen *g = gen;
    json_t *list = json_array();
    for (size_t i = 0; list && i < DEMO_KEY_COUNT; i++) {
        if (json_array_append_new(list, json_pack("{s:s, s:s, s:I}", "type", "snapshot", "key",
                                                  demo_keys[i].name,
                                                  "value", (json_int_t)g->values[i]))) {
            json_decref(list);
            list = NULL;
        }
    }
    if (!list) snprintf(err, err_size, "/demo: out of memory for a snapshot");
    return list;
}

const feed_source gen_demo_source = {
    .path = "/demo",
    .summary = "12 counters k1..k12 of a Guizhou big-data hall, --rate events/s",
    .create = demo_create,
    .destroy = demo_destroy,
    .step = demo_step,
    .next_due_us = demo_next_due_us,
    .apply = demo_apply,
    .snapshot = demo_snapshot,
};
