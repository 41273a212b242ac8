/* handover.h: the bounded hand-over of parsed messages from the network thread to the main
 * thread. One producer, one consumer; when full the oldest message is dropped and counted. */
#ifndef WB_HANDOVER_H
#define WB_HANDOVER_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

typedef struct handover handover;

/* capacity >= 1. Returns NULL on allocation failure. Caller frees with handover_destroy. */
handover *handover_create(size_t capacity);
/* Releases (json_decref) messages still queued. */
void handover_destroy(handover *h);

/* Producer side. Takes ownership of `msg` (a reference). If the queue is full the oldest
 * queued message is released and counted as dropped; returns 1 then, 0 otherwise. */
int handover_push(handover *h, json_t *msg);

/* Consumer side. Returns the oldest message (caller owns the reference), or NULL if empty. */
json_t *handover_pop(handover *h);

size_t handover_length(handover *h);
uint64_t handover_dropped(handover *h);

#endif
