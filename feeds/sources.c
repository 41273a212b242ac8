/* sources.c: the registry of built-in feed sources, one line per path.
 * Must never hold generator logic: each source lives in its own gen_*.c. */
#include "source.h"

static const feed_source *const all_sources[] = {
    &gen_demo_source,
};

const feed_source *const *feed_sources(size_t *count)
{
    *count = sizeof all_sources / sizeof all_sources[0];
    return all_sources;
}
