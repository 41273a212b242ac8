/* source.h: the interface between the feed server and the model behind one path.
 * A model never sees sockets, clients, seq numbers, ts or the real clock: the server owns those. */
#ifndef WB_FEEDS_SOURCE_H
#define WB_FEEDS_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* What every model is created from. */
typedef struct feed_source_args {
    uint64_t seed;       /* same seed (and clock), same sequence of events */
    unsigned rate;       /* /demo: events per real second, 0 = none */
    int32_t start_day;   /* simulated date at start, days since 1970-01-01 */
    int64_t start_ms;    /* simulated local time at start, ms after that day's midnight */
    unsigned time_scale; /* simulated seconds per real second, 0 = the clock stands still */
    int empty;           /* for replay: start with no state and never generate */
} feed_source_args;

/* A model holds the path's published state: exactly what its messages so far have told
 * clients, changed only by apply(). Generating models also hold a hidden simulation that
 * step() advances. The server's loop, for live paths, is:
 *
 *     while (step(model, now, &event) == 1) { seq++; apply(model, event); send(event); }
 *
 * and a replay calls apply() with each recorded message instead. So a snapshot, built from the
 * published state only, always agrees with the events sent before it, live or replayed.
 *
 * Message bodies are JSON objects whose first member is "type" (for example
 * {"type":"clinic.update","clinic":{...},"totals":{...}}); the server adds "v", "seq" and "ts"
 * after "type". Snapshot types are "snapshot" or end in ".snapshot"; every other type is an
 * event and takes the next seq. */
typedef struct feed_source {
    const char *path;    /* websocket path it serves, e.g. "/demo" */
    const char *summary; /* one line for --help */

    /* Returns the model, or NULL with err filled. A generating model may simulate the time
     * between midnight and args->start_ms here, silently, so the day has a history. */
    void *(*create)(const feed_source_args *args, char *err, size_t err_size);
    void (*destroy)(void *model);

    /* The next event due by `now_us` (microseconds the server has run, stalls excluded) as a
     * new message body. 1 with *event set, 0 if none is due yet, -1 with err filled. Events
     * must depend on nothing but the args and the number of earlier steps, never on when
     * step is called. It must not touch the published state: apply() does that, with this
     * very event, before step is called again. */
    int (*step)(void *model, int64_t now_us, json_t **event, char *err, size_t err_size);
    /* When step will next return an event, in the same microseconds; INT64_MAX for never. */
    int64_t (*next_due_us)(const void *model);

    /* Updates the published state from one message of this path, an event or a snapshot,
     * envelope and all. Checks it first: a type this path does not send, a missing or
     * mistyped field, gives -1 with err filled and leaves the state unchanged. */
    int (*apply)(void *model, const json_t *msg, char *err, size_t err_size);
    /* The published state as the message bodies a new client gets first: a new array of
     * bodies, all of snapshot types. NULL with err filled on allocation failure. */
    json_t *(*snapshot)(const void *model, char *err, size_t err_size);
} feed_source;

/* Every built-in source, in the order --help and the start-up line list them.
 * To add a feed: write gen_NAME.c exporting one feed_source and list it in sources.c. */
const feed_source *const *feed_sources(size_t *count);
/* Applies every event `model` has due at the server's time 0 (its simulated start), sending
 * none: how a generator gives the day before the start a history. 0, or -1 with err. */
int feed_source_warm_up(const feed_source *source, void *model, char *err, size_t err_size);
/* The built-in source serving `path`, or NULL. */
const feed_source *feed_source_find(const char *path);

extern const feed_source gen_demo_source;
extern const feed_source gen_clinics_source;
extern const feed_source gen_attendance_source;
extern const feed_source gen_trades_source;

#endif
