/* latency.c: feed-to-pixel latency histogram, filled on the main thread without allocating:
 * a message's send time is remembered at dispatch and binned when its frame is presented. */
#include "latency.h"

#include <math.h>

static unsigned floor_log2(uint64_t v)
{
    unsigned n = 0;
    while (v >>= 1) n++;
    return n;
}

static size_t bin_of(uint64_t us)
{
    if (us < 128) return (size_t)us;
    unsigned shift = floor_log2(us) - 6; /* us >> shift is in [64, 127] */
    size_t bin = 64 * ((size_t)shift + 1) + (size_t)((us >> shift) - 64);
    return bin < LATENCY_BINS ? bin : LATENCY_BINS - 1;
}

static uint64_t bin_upper_us(size_t bin)
{
    if (bin < 128) return (uint64_t)bin + 1;
    unsigned shift = (unsigned)(bin / 64 - 1);
    return ((uint64_t)(64 + bin % 64) << shift) + ((uint64_t)1 << shift);
}

void latency_dispatched(latency *l, const json_t *message)
{
    const json_t *sent = json_object_get(message, "sent_us");
    if (!json_is_integer(sent)) return;
    if (l->npending == LATENCY_PENDING_MAX) {
        l->overflow++;
        return;
    }
    l->pending[l->npending++] = (int64_t)json_integer_value(sent);
}

void latency_presented(latency *l, int64_t now_us)
{
    for (size_t i = 0; i < l->npending; i++) {
        int64_t d = now_us - l->pending[i];
        uint64_t us = d > 0 ? (uint64_t)d : 0;
        l->bins[bin_of(us)]++;
        l->samples++;
        if (us > l->max_us) l->max_us = us;
    }
    l->npending = 0;
}

uint64_t latency_quantile_us(const latency *l, double q)
{
    if (l->samples == 0) return 0;
    uint64_t rank = (uint64_t)ceil(q * (double)l->samples), seen = 0;
    if (rank < 1) rank = 1;
    for (size_t b = 0; b < LATENCY_BINS; b++) {
        seen += l->bins[b];
        if (seen >= rank) {
            uint64_t up = bin_upper_us(b);
            return up < l->max_us ? up : l->max_us; /* never above the largest sample */
        }
    }
    return l->max_us;
}

static double ms(uint64_t us)
{
    return (double)us / 1000.0;
}

json_t *latency_json(const latency *l)
{
    return json_pack("{s:I, s:f, s:f, s:f, s:f, s:I}", "samples", (json_int_t)l->samples,
                     "p50_ms", ms(latency_quantile_us(l, 0.50)),
                     "p90_ms", ms(latency_quantile_us(l, 0.90)),
                     "p99_ms", ms(latency_quantile_us(l, 0.99)), "max_ms", ms(l->max_us),
                     "not_sampled", (json_int_t)l->overflow);
}
