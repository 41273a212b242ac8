/* feedset.c: the wall's feeds as groups (one feeds object each, see feed.h): the first config's
 * feeds are one group, each reload that adds or changes feeds starts one more. A group whose
 * feeds are all gone is stopped; one with some left closes only those (feeds_retire). */
#include "feedset.h"
#include "error.h"

#include <stdlib.h>
#include <string.h>

typedef struct feed_group {
    feeds *F;
    long *config_index;   /* per feed of the group: its index in the applied config, or -1 */
    size_t live;          /* feeds of the group still in the config */
} feed_group;

typedef struct feed_ref {
    feed_group *group;
    size_t index;
} feed_ref;

struct feedset {
    void (*wake)(void *ctx);
    void *wake_ctx;
    feed_group **groups;
    size_t group_count;
    feed_ref *refs;       /* per feed of the applied config */
    size_t ref_count;
};

feedset *feedset_create(void (*wake)(void *ctx), void *wake_ctx)
{
    feedset *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->wake = wake;
    s->wake_ctx = wake_ctx;
    return s;
}

static void group_free(feed_group *g)
{
    if (!g) return;
    feeds_destroy(g->F); /* stops first: close frames (1001) to what is still connected */
    free(g->config_index);
    free(g);
}

/* One feeds object for feeds[which[0..n-1]], started. NULL with err. */
static feed_group *group_start(feedset *s, const wall_feed *feeds, const size_t *which,
                               size_t n, char *err, size_t err_size)
{
    feed_group *g = calloc(1, sizeof *g);
    feed_spec *specs = calloc(n, sizeof *specs);
    const char ***names = calloc(n, sizeof *names);
    const char ***values = calloc(n, sizeof *values);
    int ok = 0;
    if (!g || !specs || !names || !values) {
        set_error(err, err_size, "out of memory");
        goto done;
    }
    g->config_index = calloc(n, sizeof *g->config_index);
    if (!g->config_index) {
        set_error(err, err_size, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < n; k++) {
        const wall_feed *f = &feeds[which[k]];
        size_t hc = f->header_count;
        names[k] = calloc(hc ? hc : 1, sizeof **names);
        values[k] = calloc(hc ? hc : 1, sizeof **values);
        if (!names[k] || !values[k]) {
            set_error(err, err_size, "out of memory");
            goto done;
        }
        for (size_t h = 0; h < hc; h++) {
            names[k][h] = f->headers[h].name;
            values[k][h] = f->headers[h].value;
        }
        specs[k] = (feed_spec){.name = f->name, .url = f->url, .header_names = names[k],
                               .header_values = values[k], .header_count = hc,
                               .ca_file = f->ca_file,
                               .coalesce_by = (const char *const *)f->coalesce_by,
                               .coalesce_count = f->coalesce_count};
        g->config_index[k] = (long)which[k];
    }
    g->live = n;
    g->F = feeds_create(specs, n, NULL, s->wake, s->wake_ctx, err, err_size);
    if (!g->F || feeds_start(g->F, err, err_size) != 0) goto done;
    ok = 1;
done:
    for (size_t k = 0; names && values && k < n; k++) {
        free(names[k]);
        free(values[k]);
    }
    free(names);
    free(values);
    free(specs);
    if (!ok) {
        group_free(g);
        return NULL;
    }
    return g;
}

int feedset_apply(feedset *s, const wall_feed *feeds, size_t count, const wall_feed *old,
                  size_t old_count, unsigned char *kept_out, char *err, size_t err_size)
{
    if (old_count != s->ref_count) {
        set_error(err, err_size, "feedset: the old config has %zu feeds, the set %zu",
                  old_count, s->ref_count);
        return -1;
    }
    int rc = -1;
    feed_ref *refs = calloc(count ? count : 1, sizeof *refs);
    unsigned char *kept = calloc(old_count ? old_count : 1, 1);
    size_t *fresh = calloc(count ? count : 1, sizeof *fresh);
    feed_group **groups = calloc(s->group_count + 1, sizeof *groups);
    feed_group *added = NULL;
    if (!refs || !kept || !fresh || !groups) {
        set_error(err, err_size, "out of memory");
        goto done;
    }
    size_t fresh_count = 0;
    for (size_t i = 0; i < count; i++) {
        size_t j = 0;
        while (j < old_count && (kept[j] || !config_feed_same(&feeds[i], &old[j]))) j++;
        if (j < old_count) {
            kept[j] = 1;
            refs[i] = s->refs[j];
        } else {
            fresh[fresh_count++] = i;
        }
    }
    if (fresh_count) {
        added = group_start(s, feeds, fresh, fresh_count, err, err_size);
        if (!added) goto done;
        for (size_t k = 0; k < fresh_count; k++) refs[fresh[k]] = (feed_ref){added, k};
    }
    /* Nothing can fail from here: the old groups change only now. */
    for (size_t j = 0; j < old_count; j++) {
        if (kept[j]) continue;
        feed_group *g = s->refs[j].group;
        g->config_index[s->refs[j].index] = -1;
        g->live--;
        if (g->live > 0) feeds_retire(g->F, s->refs[j].index);
    }
    for (size_t i = 0; i < count; i++) refs[i].group->config_index[refs[i].index] = (long)i;
    for (size_t i = 0; kept_out && i < count; i++) kept_out[i] = refs[i].group != added;
    size_t n = 0;
    for (size_t k = 0; k < s->group_count; k++) {
        if (s->groups[k]->live == 0) group_free(s->groups[k]);
        else groups[n++] = s->groups[k];
    }
    if (added) groups[n++] = added;
    free(s->groups);
    s->groups = groups;
    s->group_count = n;
    groups = NULL;
    free(s->refs);
    s->refs = refs;
    s->ref_count = count;
    refs = NULL;
    rc = 0;
done:
    free(refs);
    free(kept);
    free(fresh);
    free(groups);
    return rc;
}

typedef struct drain_ctx {
    const feed_group *group;
    feeds_message_fn fn;
    void *ctx;
} drain_ctx;

static void drained(void *ctx, size_t feed_index, json_t *message)
{
    drain_ctx *d = ctx;
    long i = d->group->config_index[feed_index];
    if (i >= 0 && d->fn) d->fn(d->ctx, (size_t)i, message);
}

size_t feedset_drain(feedset *s, feeds_message_fn fn, void *ctx)
{
    size_t n = 0;
    for (size_t k = 0; s && k < s->group_count; k++) {
        drain_ctx d = {s->groups[k], fn, ctx};
        n += feeds_drain(s->groups[k]->F, drained, &d);
    }
    return n;
}

void feedset_stats(feedset *s, size_t i, feed_stats *out)
{
    if (!s || i >= s->ref_count) {
        memset(out, 0, sizeof *out);
        return;
    }
    feeds_stats(s->refs[i].group->F, s->refs[i].index, out);
}

void feedset_stop(feedset *s)
{
    for (size_t k = 0; s && k < s->group_count; k++) feeds_stop(s->groups[k]->F);
}

void feedset_destroy(feedset *s)
{
    if (!s) return;
    for (size_t k = 0; k < s->group_count; k++) group_free(s->groups[k]);
    free(s->groups);
    free(s->refs);
    free(s);
}
