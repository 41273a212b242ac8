/* fuzz_feed_rx.c: libFuzzer target for the feed path without a socket: websocket frames decoded
 * from the input go through the wall's reassembly, raw ring, parsing and hand-over (feed_rx.c,
 * handover.c), with small limits so that every overflow path runs; counts must add up.
 *
 * Input: one setup byte, one limits byte, then frames, each
 *   op (bit 0 first, 1 final, 2 binary, 3 fill, 4 take+parse after, 5 drain the hand-over
 *       after, 6 the connection ends before it, 7 two-byte length),
 *   length (1 byte, or 2 little-endian), then `length` bytes of payload, or with "fill" one
 *   byte repeated `length` times (so a few input bytes make a message over 16 KiB).
 * Invariants (abort on violation): every completed message (a final frame) is counted exactly
 * once, as received, invalid or dropped from the raw ring; every message received is popped,
 * dropped or coalesced by the hand-over; the ring's and the buffer's sizes stay in bounds.
 * Leaks and overflows are ASan's. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed_rx.h"
#include "handover.h"
#include "log.h"

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "fuzz_feed_rx: invariant failed at %s:%d: %s\n", __FILE__, \
                    __LINE__, #cond);                                                  \
            abort();                                                                   \
        }                                                                              \
    } while (0)

#define OP_FIRST 0x01
#define OP_FINAL 0x02
#define OP_BINARY 0x04
#define OP_FILL 0x08
#define OP_TAKE 0x10
#define OP_DRAIN 0x20
#define OP_RECONNECT 0x40
#define OP_LEN16 0x80

/* Small limits, so that too-big messages, big (moved) messages, a full raw ring, a full big
 * budget and a full hand-over all happen within a few KiB of input. */
static const size_t max_message_choices[4] = {2048, 100, 24 * 1024, 40 * 1024};
static const size_t ring_choices[4] = {0 /* the minimum: one inline record */, 20 * 1024,
                                       32 * 1024, 64 * 1024};
static const size_t capacity_choices[4] = {1, 3, 8, 64};
static const size_t queue_bytes_choices[4] = {512, 4096, 64 * 1024, 1 << 20};
static const size_t big_max_choices[4] = {1, 30 * 1024, 64 * 1024, 1 << 20};
static const char *const one_pointer[] = {"/key"};
static const char *const two_pointers[] = {"/type", "/id"};

typedef struct harness {
    rx_buffer rx;
    raw_ring ring;
    rx_parser parser;
    handover *queue;
    uint32_t gen;
    uint64_t completed;   /* final frames: messages rx_fragment must push */
    uint64_t pushed;      /* what it pushed */
    uint64_t raw_dropped;
    parse_tally tally;
    uint64_t popped;
    unsigned char *batch;
    size_t batch_cap;
} harness;

/* As feed.c's push_message, without the lock: a dropped big buffer is freed and the push
 * retried. */
static void push(void *ctx, enum raw_kind kind, const void *data, size_t len, unsigned char *big)
{
    harness *h = ctx;
    unsigned char *gone;
    h->pushed++;
    CHECK(kind != RAW_PAD);
    CHECK(kind == RAW_BIG ? big != NULL && len > RAW_INLINE_MAX : big == NULL);
    CHECK(len <= h->rx.max_message_bytes);
    while ((gone = raw_push(&h->ring, kind, h->gen, data, len, big, &h->raw_dropped)) != NULL)
        free(gone);
}

static void check_bounds(const harness *h)
{
    const raw_ring *r = &h->ring;
    CHECK(r->used <= r->size);
    CHECK(r->head < r->size && r->tail < r->size);
    CHECK((r->head + r->used) % r->size == r->tail);
    CHECK(r->used > 0 || r->big_bytes == 0);
    CHECK(h->rx.len <= h->rx.cap && h->rx.cap <= h->rx.max_message_bytes);
    CHECK(h->rx.len == 0 || h->rx.in_message);
}

static void take_and_parse(harness *h)
{
    size_t n = raw_take(&h->ring, h->batch, h->batch_cap);
    CHECK(n <= h->batch_cap && n % RAW_ALIGN == 0);
    CHECK(n > 0 || h->ring.used == 0);
    rx_parse_batch(&h->parser, h->batch, n, &h->tally);
}

static void drain(harness *h)
{
    json_t *out[16];
    size_t n;
    while ((n = handover_pop_many(h->queue, out, 16)) > 0) {
        for (size_t i = 0; i < n; i++) {
            CHECK(json_is_object(out[i]));
            json_decref(out[i]);
        }
        h->popped += n;
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* Invalid messages are logged (rate-limited); the fuzzer's output stays readable. */
    log_set_level(WB_LOG_ERROR);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned char fill[1 << 16];
    harness h;
    if (size < 2)
        return 0;
    memset(&h, 0, sizeof h);
    uint8_t setup = data[0], limits = data[1];
    data += 2;
    size -= 2;

    rx_init(&h.rx, max_message_choices[setup & 3]);
    CHECK(raw_ring_init(&h.ring, ring_choices[(setup >> 2) & 3], big_max_choices[limits & 3]) ==
          0);
    h.queue = handover_create(capacity_choices[(setup >> 5) & 3],
                              queue_bytes_choices[(limits >> 2) & 3]);
    CHECK(h.queue != NULL);
    h.batch_cap = (limits & 0x10) ? 64 * 1024 : RAW_RECORD_MAX;
    h.batch = malloc(h.batch_cap);
    CHECK(h.batch != NULL);
    h.parser = (rx_parser){.name = "fuzz", .queue = h.queue,
                           .max_message_bytes = h.rx.max_message_bytes, .last_seq = -1};
    if (setup & 0x10) {
        int two = (setup & 0x80) != 0;
        h.parser.coalesce_by = two ? two_pointers : one_pointer;
        h.parser.coalesce_count = two ? 2 : 1;
    }

    while (size > 0) {
        uint8_t op = *data++;
        size--;
        size_t len;
        if (op & OP_LEN16) {
            if (size < 2)
                break;
            len = (size_t)data[0] | (size_t)data[1] << 8;
            data += 2;
            size -= 2;
        } else {
            if (size < 1)
                break;
            len = *data++;
            size--;
        }
        const void *chunk;
        if (op & OP_FILL) {
            if (size < 1)
                break;
            memset(fill, *data++, len);
            size--;
            chunk = fill;
        } else {
            if (len > size)
                len = size;
            chunk = data;
            data += len;
            size -= len;
        }
        if (op & OP_RECONNECT) {
            /* feed.c's connection_ended: a partial message never completed. */
            rx_release(&h.rx);
            h.gen++;
        }
        uint64_t before = h.pushed;
        int final = (op & OP_FINAL) != 0;
        h.completed += final;
        rx_fragment(&h.rx, (op & OP_FIRST) != 0, final, (op & OP_BINARY) != 0, chunk, len, push,
                    &h);
        CHECK(h.pushed - before == (uint64_t)final);
        check_bounds(&h);
        if (op & OP_TAKE)
            take_and_parse(&h);
        if (op & OP_DRAIN)
            drain(&h);
        check_bounds(&h);
    }

    /* What is left is parsed and drained, as the wall would before it idles. */
    while (h.ring.used > 0)
        take_and_parse(&h);
    CHECK(h.ring.big_bytes == 0);
    drain(&h);

    CHECK(h.pushed == h.completed);
    CHECK(h.tally.received + h.tally.invalid + h.raw_dropped == h.completed);
    CHECK(h.popped + handover_dropped(h.queue) + handover_coalesced(h.queue) ==
          h.tally.received);
    CHECK(h.tally.seq_gaps <= h.tally.received && h.tally.seq_gaps <= h.tally.seq_missed);

    rx_release(&h.rx);
    raw_ring_free(&h.ring);
    handover_destroy(h.queue);
    free(h.batch);
    return 0;
}
