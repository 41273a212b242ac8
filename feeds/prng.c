/* prng.c: splitmix64 seeding and xorshift64* output for the feed generators.
 * Must never depend on libc's rand(), the clock or the platform: output is part of --seed's promise. */
#include "prng.h"

uint64_t prng_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* FNV-1a: a stable name hash, so a stream's numbers do not depend on registration order. */
static uint64_t hash_name(const char *name)
{
    uint64_t h = UINT64_C(0xCBF29CE484222325);
    for (const unsigned char *p = (const unsigned char *)name; p && *p; p++) {
        h ^= *p;
        h *= UINT64_C(0x100000001B3);
    }
    return h;
}

void prng_seed(prng *r, uint64_t seed, const char *stream)
{
    uint64_t x = seed ^ hash_name(stream);
    r->state = prng_splitmix64(&x);
    if (r->state == 0) r->state = UINT64_C(0x2545F4914F6CDD1D); /* xorshift's one fixed point */
}

uint64_t prng_next(prng *r)
{
    uint64_t x = r->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->state = x;
    return x * UINT64_C(0x2545F4914F6CDD1D);
}

uint64_t prng_below(prng *r, uint64_t bound)
{
    if (bound == 0) return 0;
    /* Reject the top partial block so every residue is equally likely. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t x;
    do x = prng_next(r); while (x >= limit);
    return x % bound;
}

int64_t prng_range(prng *r, int64_t low, int64_t high)
{
    if (low >= high) return low;
    uint64_t span = (uint64_t)high - (uint64_t)low + 1; /* wraps to 0 only for the full range */
    uint64_t offset = span ? prng_below(r, span) : prng_next(r);
    return (int64_t)((uint64_t)low + offset);
}

int prng_chance(prng *r, unsigned per_mille)
{
    return prng_below(r, 1000) < per_mille;
}
