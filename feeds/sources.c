/* sources.c: the registry of built-in feed sources, one line per path.
 * Must never hold model logic: each source lives in its own gen_*.c. */
#include "source.h"

#include <string.h>

static const feed_source *const all_sources[] = {
    &gen_demo_source,
    &gen_clinics_source,
    &gen_attendance_source,
    &gen_trades_source,
};

const feed_source *const *feed_sources(size_t *count)
{
    *count = sizeof all_sources / sizeof all_sources[0];
    return all_sources;
}

const feed_source *feed_source_find(const char *path)
{
    for (size_t i = 0; i < sizeof all_sources / sizeof all_sources[0]; i++)
        if (strcmp(all_sources[i]->path, path) == 0) return all_sources[i];
    return NULL;
}

int feed_source_warm_up(const feed_source *source, void *model, char *err, size_t err_size)
{
    json_t *event;
    int rc;
    while ((rc = source->step(model, 0, &event, err, err_size)) == 1) {
        rc = source->apply(model, event, err, err_size);
        json_decref(event);
        if (rc) return -1;
    }
    return rc;
}
