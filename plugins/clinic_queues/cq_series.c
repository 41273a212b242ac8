/* cq_series.c: total waiting over recent minutes for the sparkline, one point per period.
 * It must never read a clock itself: the caller passes the host's now_ms in. */
#include <stdlib.h>

#include "clinic_queues.h"

int cq_series_init(cq_series *s, int points, int period_ms)
{
    *s = (cq_series){.points = points, .period_ms = period_ms};
    if (points <= 0) return 0;
    s->scratch = malloc((size_t)points * sizeof *s->scratch);
    /* the running period is the last point, so the ring holds the points before it */
    if (!s->scratch || wbkit_ring_init(&s->ring, points - 1) != 0) return -1;
    return 0;
}

void cq_series_free(cq_series *s)
{
    wbkit_ring_free(&s->ring);
    free(s->scratch);
    s->scratch = NULL;
}

void cq_series_roll(cq_series *s, uint64_t now_ms)
{
    if (!s->has_open || s->period_ms <= 0) return;
    uint64_t period = now_ms / (uint64_t)s->period_ms;
    /* A queue is a level: it stood at open_value through every period without a message.
     * More periods than the ring holds would only push the same value again. */
    for (int n = 0; s->open_period < period && n <= s->ring.capacity; n++) {
        wbkit_ring_push(&s->ring, s->open_value);
        s->open_period++;
    }
    if (s->open_period < period) s->open_period = period;
}

void cq_series_add(cq_series *s, double value, uint64_t now_ms)
{
    if (s->points <= 0) return;
    if (s->period_ms <= 0) {
        /* a point per message: the last one is the running "period" */
        if (s->has_open) wbkit_ring_push(&s->ring, s->open_value);
    } else if (s->has_open) {
        cq_series_roll(s, now_ms);
    } else {
        s->open_period = now_ms / (uint64_t)s->period_ms;
    }
    s->open_value = value; /* the period's last value stands for it */
    s->has_open = 1;
}

const double *cq_series_values(cq_series *s, int *count)
{
    *count = 0;
    if (!s->has_open || !s->scratch) return NULL;
    const double *closed = wbkit_ring_ordered(&s->ring);
    for (int i = 0; i < s->ring.count; i++) s->scratch[(*count)++] = closed[i];
    s->scratch[(*count)++] = s->open_value;
    return s->scratch;
}
