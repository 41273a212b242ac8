/* wbkit_ring.c: the ring of recent values behind a sparkline.
 * It must never grow: the capacity is fixed at init, and a full ring drops its oldest value. */
#include <stdlib.h>

#include "wbkit.h"

int wbkit_ring_init(wbkit_ring *r, int capacity)
{
    *r = (wbkit_ring){0};
    if (capacity <= 0) return 0;
    r->values = calloc((size_t)capacity, sizeof *r->values);
    r->ordered = calloc((size_t)capacity, sizeof *r->ordered);
    if (!r->values || !r->ordered) {
        wbkit_ring_free(r);
        return -1;
    }
    r->capacity = capacity;
    return 0;
}

void wbkit_ring_free(wbkit_ring *r)
{
    free(r->values);
    free(r->ordered);
    *r = (wbkit_ring){0};
}

void wbkit_ring_push(wbkit_ring *r, double value)
{
    if (r->capacity == 0) return;
    r->values[r->head] = value;
    r->head = (r->head + 1) % r->capacity;
    if (r->count < r->capacity) r->count++;
}

const double *wbkit_ring_ordered(wbkit_ring *r)
{
    if (r->count == 0) return NULL;
    int oldest = (r->head - r->count + r->capacity) % r->capacity;
    for (int i = 0; i < r->count; i++) r->ordered[i] = r->values[(oldest + i) % r->capacity];
    return r->ordered;
}
