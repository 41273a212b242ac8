/* handover.h: the bounded hand-over of parsed messages from the network thread to the main
 * thread. One producer, one consumer; when full (count or bytes) the oldest is dropped, counted. */
#ifndef WB_HANDOVER_H
#define WB_HANDOVER_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

typedef struct handover handover;

/* At most `capacity` (>= 1) messages and `max_bytes` bytes queued (a single message bigger
 * than max_bytes is still taken, alone). NULL on allocation failure. Free with handover_destroy. */
handover *handover_create(size_t capacity, size_t max_bytes);
/* Releases (json_decref) messages still queued. */
void handover_destroy(handover *h);

/* Producer side. Takes ownership of `msg` (a reference) whose wire size is `bytes`. While the
 * queue is full in messages or bytes the oldest queued message is released and counted as
 * dropped; returns 1 if any was, 0 otherwise. */
int handover_push(handover *h, json_t *msg, size_t bytes);

/* Consumer side. Returns the oldest message (caller owns the reference), or NULL if empty. */
json_t *handover_pop(handover *h);

size_t handover_length(handover *h);
uint64_t handover_dropped(handover *h);

#endif
