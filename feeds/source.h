/* source.h: the interface between the feed server and the generator behind one path.
 * A source only models numbers: it never sees sockets, clocks, seq numbers or JSON envelopes. */
#ifndef WB_FEEDS_SOURCE_H
#define WB_FEEDS_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* What every source is created from. Grows with later sources (e.g. a replay file) so that
 * existing generators keep compiling unchanged. */
typedef struct feed_source_args {
    uint64_t seed; /* same seed, same sequence of (key, value) events */
} feed_source_args;

typedef struct feed_source {
    const char *path;    /* websocket path it serves, e.g. "/demo" */
    const char *summary; /* one line for --help */

    /* Returns the generator's state, or NULL with err filled. */
    void *(*create)(const feed_source_args *args, char *err, size_t err_size);
    void (*destroy)(void *gen);

    /* Keys are fixed for the generator's life; names are borrowed from it. */
    size_t (*key_count)(const void *gen);
    const char *(*key_name)(const void *gen, size_t index);
    /* Current value as a new jansson reference, NULL only on allocation failure. */
    json_t *(*key_value)(const void *gen, size_t index);

    /* Advances the model by one event and returns the index of the key it changed.
     * Must depend on nothing but the seed and the number of earlier steps. */
    size_t (*step)(void *gen);
} feed_source;

/* Every built-in source, in the order --help and the start-up line list them.
 * To add a feed: write gen_NAME.c exporting one feed_source and list it in sources.c. */
const feed_source *const *feed_sources(size_t *count);

extern const feed_source gen_demo_source;

#endif
