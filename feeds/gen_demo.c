/* gen_demo.c: the /demo generator: twelve Guizhou big-data hall counters as random walks with spikes.
 * Must never read the clock or any global random state: its output is a function of the seed. */
#include "source.h"
#include "prng.h"

#include <stdio.h>
#include <stdlib.h>

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
    int64_t values[DEMO_KEY_COUNT];
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
    prng_seed(&g->rng, args->seed, "/demo");
    for (size_t i = 0; i < DEMO_KEY_COUNT; i++) {
        const demo_key *k = &demo_keys[i];
        g->total_weight += k->weight;
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

static size_t demo_key_count(const void *gen)
{
    (void)gen;
    return DEMO_KEY_COUNT;
}

static const char *demo_key_name(const void *gen, size_t index)
{
    (void)gen;
    return index < DEMO_KEY_COUNT ? demo_keys[index].name : NULL;
}

static json_t *demo_key_value(const void *gen, size_t index)
{
    const demo_gen *g = gen;
    return index < DEMO_KEY_COUNT ? json_integer((json_int_t)g->values[index]) : NULL;
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

static size_t demo_step(void *gen)
{
    demo_gen *g = gen;
    size_t i = pick_key(g);
    const demo_key *k = &demo_keys[i];
    g->values[i] = k->kind == WALK_TOTAL ? next_total(g, k, g->values[i])
                                         : next_level(g, k, g->values[i]);
    return i;
}

const feed_source gen_demo_source = {
    .path = "/demo",
    .summary = "12 counters k1..k12 of a Guizhou big-data hall",
    .create = demo_create,
    .destroy = demo_destroy,
    .key_count = demo_key_count,
    .key_name = demo_key_name,
    .key_value = demo_key_value,
    .step = demo_step,
};
