/* feedset.h: the wall's feeds across config reloads: connections of feeds that did not change
 * are kept, removed or changed ones are closed, added ones connected. No SDL. */
#ifndef WB_FEEDSET_H
#define WB_FEEDSET_H

#include <stddef.h>

#include "config.h"
#include "feed.h"

typedef struct feedset feedset;

/* An empty set; `wake` as for feeds_create (called from other threads). NULL on no memory. */
feedset *feedset_create(void (*wake)(void *ctx), void *wake_ctx);
/* Makes the set serve `feeds` (count of them, borrowed for the call; the specs are copied).
 * A feed of `old` (the config the set served until now, may be NULL with old_count 0) that is
 * config_feed_same as one of `feeds` keeps its connection and counters; the rest of `old` is
 * closed (1001), the new or changed ones are connected. Afterwards feed i of `feeds` is index i
 * for feedset_stats and feedset_drain, and kept_out[i] (count entries, may be NULL) says
 * whether it kept a connection. 0, or -1 with err (the set then serves as before). Main
 * thread only. */
int feedset_apply(feedset *s, const wall_feed *feeds, size_t count, const wall_feed *old,
                  size_t old_count, unsigned char *kept_out, char *err, size_t err_size);
/* As feeds_drain; feed_index is the index in the feeds last applied. Messages of feeds that
 * were dropped are released unseen. */
size_t feedset_drain(feedset *s, feeds_message_fn fn, void *ctx);
/* As feeds_stats for feed i of the feeds last applied (zeroed if none). */
void feedset_stats(feedset *s, size_t i, feed_stats *out);
/* Closes every connection, joins the threads (feeds_stop). Safe on NULL. */
void feedset_stop(feedset *s);
void feedset_destroy(feedset *s);

#endif
