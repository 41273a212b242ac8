/* latency.h: feed-to-pixel latency, measured by the host itself: the send time a message
 * carries ("sent_us") against the moment the frame that shows it was presented. No SDL. */
#ifndef WB_LATENCY_H
#define WB_LATENCY_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* Log-linear bins: exact below 128 us, then 64 per power of two (1.6 % wide) up to ~38 h;
 * longer ones share the last bin (max_us stays exact). */
#define LATENCY_BINS 2048
/* Messages dispatched between two presents that are remembered; more are counted only. */
#define LATENCY_PENDING_MAX 16384

typedef struct latency {
    int64_t pending[LATENCY_PENDING_MAX]; /* sent_us of messages dispatched since the last present */
    size_t npending;
    uint64_t overflow;                    /* dispatched while pending was full: not sampled */
    uint32_t bins[LATENCY_BINS];
    uint64_t samples;
    uint64_t max_us;
} latency;

/* Main thread, for each message handed to tiles: remembers its integer "sent_us"
 * (microseconds since the epoch, stamped by the sender), if it has one. No allocation. */
void latency_dispatched(latency *l, const json_t *message);
/* Main thread, right after a frame was presented at now_us (epoch microseconds): every
 * remembered message is on screen now; its latency is binned. A sender clock ahead of ours
 * gives a negative latency, counted as 0. */
void latency_presented(latency *l, int64_t now_us);
/* The upper edge, in microseconds, of the bin holding the q-quantile (0 < q <= 1); 0 if no
 * samples. Upper edges overstate by at most one bin width. */
uint64_t latency_quantile_us(const latency *l, double q);
/* {"samples", "p50_ms", "p90_ms", "p99_ms", "max_ms", "not_sampled"} as a new object. */
json_t *latency_json(const latency *l);

#endif
