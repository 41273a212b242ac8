/* handover.c: the bounded FIFO of parsed messages from the network thread to the main thread.
 * It must never block the producer on a slow consumer nor grow: when full (in messages or in
 * bytes), the oldest goes. */
#include "handover.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct slot {
    json_t *msg;        /* owned reference */
    size_t bytes;       /* its size on the wire, as the producer counted it */
} slot;

struct handover {
    pthread_mutex_t lock;
    slot *slots;        /* ring */
    size_t capacity;
    size_t max_bytes;
    size_t head;        /* index of the oldest message */
    size_t length;
    size_t bytes;       /* sum over the queued messages */
    uint64_t dropped;
};

handover *handover_create(size_t capacity, size_t max_bytes)
{
    handover *h = NULL;

    if (capacity == 0)
        goto fail;
    h = calloc(1, sizeof *h);
    if (!h)
        goto fail;
    h->slots = calloc(capacity, sizeof *h->slots);
    if (!h->slots)
        goto fail;
    if (pthread_mutex_init(&h->lock, NULL) != 0)
        goto fail;
    h->capacity = capacity;
    h->max_bytes = max_bytes;
    return h;

fail:
    if (h)
        free(h->slots);
    free(h);
    return NULL;
}

void handover_destroy(handover *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->length; i++)
        json_decref(h->slots[(h->head + i) % h->capacity].msg);
    pthread_mutex_destroy(&h->lock);
    free(h->slots);
    free(h);
}

/* Takes the oldest message out if another of `bytes` would not fit. Called with the lock. */
static json_t *evict_for(handover *h, size_t bytes)
{
    int full = h->length == h->capacity ||
               (h->length > 0 && h->bytes + bytes > h->max_bytes);
    if (!full)
        return NULL;
    slot oldest = h->slots[h->head];
    h->slots[h->head].msg = NULL;
    h->head = (h->head + 1) % h->capacity;
    h->length--;
    h->bytes -= oldest.bytes;
    h->dropped++;
    return oldest.msg;
}

int handover_push(handover *h, json_t *msg, size_t bytes)
{
    int dropped_any = 0;

    if (!msg) /* a queued NULL would read as "empty" on the consumer side */
        return 0;
    for (;;) {
        pthread_mutex_lock(&h->lock);
        json_t *evicted = evict_for(h, bytes);
        if (!evicted) {
            h->slots[(h->head + h->length) % h->capacity] = (slot){msg, bytes};
            h->length++;
            h->bytes += bytes;
            pthread_mutex_unlock(&h->lock);
            return dropped_any;
        }
        pthread_mutex_unlock(&h->lock);
        /* Freeing a big message can take a while: never under the lock the consumer waits on. */
        json_decref(evicted);
        dropped_any = 1;
    }
}

json_t *handover_pop(handover *h)
{
    json_t *msg = NULL;

    pthread_mutex_lock(&h->lock);
    if (h->length > 0) {
        msg = h->slots[h->head].msg;
        h->bytes -= h->slots[h->head].bytes;
        h->slots[h->head].msg = NULL;
        h->head = (h->head + 1) % h->capacity;
        h->length--;
    }
    pthread_mutex_unlock(&h->lock);
    return msg;
}

size_t handover_length(handover *h)
{
    pthread_mutex_lock(&h->lock);
    size_t n = h->length;
    pthread_mutex_unlock(&h->lock);
    return n;
}

uint64_t handover_dropped(handover *h)
{
    pthread_mutex_lock(&h->lock);
    uint64_t n = h->dropped;
    pthread_mutex_unlock(&h->lock);
    return n;
}
