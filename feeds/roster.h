/* roster.h: the published state of a feed about named places (clinics, schools): each place's
 * counters as last sent, in the order places appeared, and the totals the last message carried.
 * Builds update bodies and snapshot parts, and applies update and snapshot messages. */
#ifndef WB_FEEDS_ROSTER_H
#define WB_FEEDS_ROSTER_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define ROSTER_MAX_COUNTERS 8
#define ROSTER_MAX_PLACES 4096 /* a replay file cannot grow a path's state without bound */

/* The names of one kind of place on the wire. A place is
 * {"id","name","romanized","county", counters[0], counters[1], ...} and the totals are
 * {count_key: places published, counters[0]: their sum, ...}. */
typedef struct roster_spec {
    const char *path;          /* for errors: "/clinics" */
    const char *place_key;     /* member of an update holding the place: "clinic" */
    const char *list_key;      /* member of a snapshot holding the places: "clinics" */
    const char *count_key;     /* first member of the totals: "clinics" */
    const char *update_type;   /* "clinic.update" */
    const char *snapshot_type; /* "clinics.snapshot" */
    const char *counters[ROSTER_MAX_COUNTERS];
    size_t counter_count;
} roster_spec;

/* The fixed description of a place, as generators keep it in their catalogues. */
typedef struct place_names {
    const char *id;
    const char *name;      /* Chinese */
    const char *romanized;
    const char *county;    /* Chinese */
} place_names;

typedef struct roster_place {
    json_t *obj;                         /* the place as last published (own reference) */
    int64_t v[ROSTER_MAX_COUNTERS];      /* its counters, in spec order */
} roster_place;

typedef struct roster {
    const roster_spec *spec;
    roster_place *places;
    size_t count, capacity;
    int64_t totals[1 + ROSTER_MAX_COUNTERS]; /* as the last message said: count, then sums */
} roster;

void roster_init(roster *r, const roster_spec *spec);
void roster_free(roster *r);
/* The published place with this id, or NULL. */
const roster_place *roster_find(const roster *r, const char *id);

/* The names of a published place, borrowed from it. */
place_names roster_names(const roster_place *p);

/* The body of an update event publishing `names` with counters `v`: {"type": update_type,
 * place_key: {...}, "totals": the published totals with this place's old counters replaced by
 * v (and counted, if it is new)}. NULL on allocation failure. */
json_t *roster_update(const roster *r, const place_names *names, const int64_t *v);
/* For the midnight reset of daily counters (bit i of daily_mask = counters[i]): the update
 * body for the next published place, from *cursor on, with a daily counter above 0, those
 * counters zeroed. 1 with *event set, 0 when no place is left, -1 on allocation failure. */
int roster_reset_next(const roster *r, size_t *cursor, unsigned daily_mask, json_t **event);

/* The published places (a new array) and totals (a new object), for snapshot bodies. */
json_t *roster_places_json(const roster *r);
json_t *roster_totals_json(const roster *r);

/* Applies an update_type or snapshot_type message (a snapshot replaces every place). Any other
 * type, or a malformed place or totals, gives -1 with err filled and changes nothing. */
int roster_apply(roster *r, const json_t *msg, char *err, size_t err_size);

#endif
