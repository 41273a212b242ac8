/* backoff.c: the reconnect delay schedule, exponential with "equal jitter".
 * It must never return 0 (a hot reconnect loop), exceed the cap, or overflow on long outages. */
#include "backoff.h"

#include <stdint.h>

/* Doubling stops as soon as the cap is reached, so any attempt count is safe. */
static uint64_t capped_exponential(unsigned attempt, uint64_t base, uint64_t cap)
{
    uint64_t d = base;
    for (unsigned i = 0; i < attempt && d < cap; i++)
        d *= 2;
    return d < cap ? d : cap;
}

/* NaN and out-of-range inputs would turn into undefined conversions below. */
static double clamp_unit(double r)
{
    if (!(r >= 0.0))
        return 0.0;
    if (r >= 1.0)
        return 0.9999999999;
    return r;
}

unsigned backoff_delay_ms(unsigned attempt, unsigned base_ms, unsigned cap_ms, double rand01)
{
    uint64_t cap = cap_ms ? cap_ms : 1;
    uint64_t base = base_ms ? base_ms : 1;
    uint64_t d = capped_exponential(attempt, base, cap);
    uint64_t half = d / 2;
    uint64_t span = d - half; /* result in [half, d): d - half slots */
    uint64_t result = half + (uint64_t)(clamp_unit(rand01) * (double)span);

    if (result >= d)
        result = d - 1;
    if (result == 0)
        result = 1;
    return (unsigned)result;
}
