/* handover.h: the bounded hand-over of parsed messages from the parse thread to the main thread,
 * optionally coalescing to the latest value per key. One producer, one consumer; when full
 * (count or bytes) the oldest is dropped, counted. It never allocates per message. */
#ifndef WB_HANDOVER_H
#define WB_HANDOVER_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

typedef struct handover handover;

/* At most this many JSON pointers make a key (the config's "coalesce_by" has the same bound). */
#define HANDOVER_KEY_MAX 4

/* A message's coalescing key: the scalars found at a feed's "coalesce_by" pointers. `values`
 * are borrowed from the message and valid as long as it is. Two keys are the same when every
 * value has the same JSON type and the same value (1 and 1.0 differ; strings byte by byte).
 * `hash` only chooses where the index looks: equal keys must have equal hashes (handover_key_of
 * sees to it), different keys may share one, and equality is always checked. */
typedef struct handover_key {
    const json_t *values[HANDOVER_KEY_MAX];
    size_t count;       /* 1..HANDOVER_KEY_MAX */
    uint64_t hash;
} handover_key;

/* Fills `key` from `msg` (borrowed) at `pointers` (RFC 6901, `count` of 1..HANDOVER_KEY_MAX).
 * Returns 0, or -1 when a pointer finds nothing or an object or array there: such a message
 * has no key and is never coalesced. */
int handover_key_of(const json_t *msg, const char *const *pointers, size_t count,
                    handover_key *key);

/* At most `capacity` (>= 1) messages and `max_bytes` bytes queued (a single message bigger
 * than max_bytes is still taken, alone). The ring and the key index are allocated here, once.
 * NULL on allocation failure or a capacity over 2^28. Free with handover_destroy. */
handover *handover_create(size_t capacity, size_t max_bytes);
/* Releases (json_decref) messages still queued. NULL is ignored. */
void handover_destroy(handover *h);

/* What a push did, as bits of its result. */
#define HANDOVER_DROPPED 1   /* older messages were dropped to make room (counted in dropped) */
#define HANDOVER_COALESCED 2 /* a pending message of the same key was replaced (coalesced) */

/* Producer side. Takes ownership of `msg` (a reference) whose wire size is `bytes`; NULL is
 * ignored. Without a key (NULL), the message queues at the tail. With a key, a pending message
 * of the same key (not yet popped) is released and `msg` takes its place in the queue, so the
 * order across keys is then not the arrival order (within a key it is). While the queue is
 * full in messages or bytes the oldest message is released: counted as coalesced if it is the
 * one `msg` replaces, as dropped otherwise. Messages are released outside the lock. */
int handover_push(handover *h, json_t *msg, size_t bytes);
int handover_push_keyed(handover *h, json_t *msg, size_t bytes, const handover_key *key);

/* Consumer side. Returns the oldest message (caller owns the reference), or NULL if empty. */
json_t *handover_pop(handover *h);
/* Up to `max` of the oldest messages into `out`, oldest first, under one lock; the caller owns
 * each reference. Returns how many. */
size_t handover_pop_many(handover *h, json_t **out, size_t max);

size_t handover_length(handover *h);
uint64_t handover_dropped(handover *h);
uint64_t handover_coalesced(handover *h);

#endif
