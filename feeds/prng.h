/* prng.h: the small deterministic random generator behind every feed generator, so that a
 * given --seed replays the same values on every machine and libc (rand() would not). */
#ifndef WB_FEEDS_PRNG_H
#define WB_FEEDS_PRNG_H

#include <stdint.h>

typedef struct prng {
    uint64_t state; /* xorshift64* state, never 0 */
} prng;

/* One step of splitmix64: turns any 64-bit value (a seed, a seed mixed with a name) into a
 * well-spread one. Advances *x. */
uint64_t prng_splitmix64(uint64_t *x);

/* Seeds from `seed` mixed with `stream` (e.g. a feed path), so each feed gets its own
 * independent sequence and adding a feed does not change the others' output. */
void prng_seed(prng *r, uint64_t seed, const char *stream);

uint64_t prng_next(prng *r);
/* Uniform in [0, bound) without modulo bias; bound 0 gives 0. */
uint64_t prng_below(prng *r, uint64_t bound);
/* Uniform in [low, high] inclusive; low > high gives low. */
int64_t prng_range(prng *r, int64_t low, int64_t high);
/* 1 with probability per_mille / 1000. */
int prng_chance(prng *r, unsigned per_mille);

#endif
