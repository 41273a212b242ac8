/* as_model.h: the /attendance state of one absent_students tile: schools, totals, the date,
 * checked before anything changes. It must never call the host or keep a json_t it was lent. */
#ifndef AS_MODEL_H
#define AS_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "wbkit.h"

/* At most this many schools are kept; a new one beyond it evicts the one updated longest ago. */
#define AS_MAX_SCHOOLS 256
/* Bytes of an id, a name or a romanized name: longer ones are refused, memory stays bounded. */
#define AS_MAX_TEXT 512
/* Beyond this a double no longer holds every integer exactly. */
#define AS_MAX_COUNT 1e15

/* The counters of a school and of the totals, in the feed's order. */
enum as_counter {
    AS_ENROLLED,
    AS_LEFT_BEHIND,
    AS_ABSENT,
    AS_ABSENT_LB,
    AS_LATE,
    AS_NOTIFIED,
    AS_COUNTERS
};

typedef struct as_school {
    char *id;        /* owned, never NULL */
    char *name;      /* owned, never NULL: the Chinese name */
    char *romanized; /* owned, NULL when the feed gave none */
    int64_t v[AS_COUNTERS];
    uint64_t touched;       /* when it was last set, in set order: eviction takes the smallest */
    wbkit_anim absent_anim; /* the row's numbers as they count up */
    wbkit_anim lb_anim;
} as_school;

typedef struct as_totals {
    int64_t schools;
    int64_t v[AS_COUNTERS];
} as_totals;

typedef struct as_model {
    as_school *schools; /* owned, AS_MAX_SCHOOLS slots, `count` used, in no order */
    int count;
    uint64_t next_touch;
    int has_totals;      /* a snapshot or an update arrived */
    as_totals totals;
    char date[11];       /* "YYYY-MM-DD" of the last snapshot (or update that had one), or "" */
    int64_t evicted;     /* schools dropped for the cap since the tile started */
    int animate_ms;      /* count-up time of the rows' numbers */
} as_model;

/* What a message does, for on_message. */
typedef enum as_result {
    AS_IGNORED = 0, /* not an /attendance message this plugin knows */
    AS_CHANGED = 1,
    AS_INVALID = -1, /* a known type with missing or wrong fields: nothing changed */
    AS_NO_MEMORY = -2 /* nothing changed */
} as_result;

/* An empty model. Returns 0, or -1 when out of memory (as_model_free may still be called). */
int as_model_init(as_model *m, int animate_ms);
void as_model_free(as_model *m);

/* Applies an "attendance.snapshot" (replaces every school) or an "attendance.update" (one
 * school and the totals). Everything is checked first, so a bad message changes nothing.
 * `now_ms` starts the rows' count-ups. Why a message is invalid goes into why (may be NULL). */
as_result as_model_apply(as_model *m, const json_t *message, uint64_t now_ms, char *why,
                         size_t why_size);

/* Moves every row's count-up to now_ms; 1 while any moved. */
int as_model_tick(as_model *m, uint64_t now_ms);

/* The schools with the most absences, at most `max` of them, most first (ties: more
 * left-behind absences first, then by id). Schools with none absent are left out. Writes
 * pointers into the model (valid until the next apply) and returns how many. */
int as_model_top(const as_model *m, const as_school **out, int max);

#endif /* AS_MODEL_H */
