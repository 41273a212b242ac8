/* handover.c: the bounded FIFO of parsed messages from the network thread to the main thread.
 * It must never block the producer on a slow consumer nor grow: when full, the oldest goes. */
#include "handover.h"

#include <pthread.h>
#include <stdlib.h>

struct handover {
    pthread_mutex_t lock;
    json_t **slots;     /* ring of owned references */
    size_t capacity;
    size_t head;        /* index of the oldest message */
    size_t length;
    uint64_t dropped;
};

handover *handover_create(size_t capacity)
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
        json_decref(h->slots[(h->head + i) % h->capacity]);
    pthread_mutex_destroy(&h->lock);
    free(h->slots);
    free(h);
}

int handover_push(handover *h, json_t *msg)
{
    json_t *evicted = NULL;

    if (!msg) /* a queued NULL would read as "empty" on the consumer side */
        return 0;
    pthread_mutex_lock(&h->lock);
    if (h->length == h->capacity) {
        evicted = h->slots[h->head];
        h->head = (h->head + 1) % h->capacity;
        h->length--;
        h->dropped++;
    }
    h->slots[(h->head + h->length) % h->capacity] = msg;
    h->length++;
    pthread_mutex_unlock(&h->lock);

    /* Freeing a big message can take a while: never under the lock the consumer waits on. */
    json_decref(evicted);
    return evicted != NULL;
}

json_t *handover_pop(handover *h)
{
    json_t *msg = NULL;

    pthread_mutex_lock(&h->lock);
    if (h->length > 0) {
        msg = h->slots[h->head];
        h->slots[h->head] = NULL;
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
