/* backoff.h: the reconnect schedule, a pure function so it is unit-tested without a network.
 * Exponential from base to cap with "equal jitter": never zero, never above cap. */
#ifndef WB_BACKOFF_H
#define WB_BACKOFF_H

#define BACKOFF_BASE_MS 250u
#define BACKOFF_CAP_MS 4000u

/* Delay before reconnect attempt `attempt` (0 = first retry after a loss), in ms:
 * d = min(cap, base * 2^attempt); result = d/2 + rand01 * d/2, rand01 in [0, 1).
 * The caller resets attempt to 0 after a connection that stayed up (see feed.c). */
unsigned backoff_delay_ms(unsigned attempt, unsigned base_ms, unsigned cap_ms, double rand01);

#endif
