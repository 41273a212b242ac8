/* feed_rx.h: the socket-free half of a feed: fragment reassembly under a size limit, the raw
 * ring between the network and the parse thread, and parsing its records into the hand-over. */
#ifndef WB_FEED_RX_H
#define WB_FEED_RX_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "handover.h"

/* Messages up to this size are copied into the raw ring; bigger ones move in with their
 * reassembly buffer (the record holds the pointer). */
#define RAW_INLINE_MAX (16u * 1024)
/* Records are padded to this; a ring's size must be a multiple of it. */
#define RAW_ALIGN 16
/* The largest record (an inline message): a ring and a raw_take buffer hold at least one. */
#define RAW_RECORD_MAX (sizeof(raw_header) + RAW_INLINE_MAX)

/* What a raw record holds. */
enum raw_kind {
    RAW_PAD,     /* filler up to the end of the buffer: the next record starts at 0 */
    RAW_TEXT,    /* a text message, copied in */
    RAW_BIG,     /* a text message in its own malloc'd buffer: the record holds the pointer */
    RAW_BINARY,  /* the news of an invalid message, for the parse thread to count and log */
    RAW_TOOBIG,
    RAW_NOMEM,
};

typedef struct raw_header {
    uint32_t len;           /* message bytes (RAW_TEXT, RAW_BIG) */
    uint32_t gen;           /* the connection it came on: seq gaps are per connection */
    uint32_t kind;          /* enum raw_kind */
    uint32_t spare;
} raw_header;

/* ------------------------------------------------------------------ reassembly */

/* One connection's message being reassembled (network thread only). */
typedef struct rx_buffer {
    unsigned char *data;
    size_t len, cap;
    size_t max_message_bytes; /* a bigger message is discarded and queued as RAW_TOOBIG */
    int in_message;
    enum raw_kind skip;     /* RAW_BINARY, RAW_TOOBIG, RAW_NOMEM: the rest is discarded */
} rx_buffer;

/* Where a finished message goes: RAW_TEXT with `len` bytes of `data` (borrowed for the call),
 * RAW_BIG with `big` (malloc'd, `len` bytes, owned by the callee from then on), or the news of
 * an invalid one (RAW_BINARY, RAW_TOOBIG, RAW_NOMEM). */
typedef void (*rx_push_fn)(void *ctx, enum raw_kind kind, const void *data, size_t len,
                           unsigned char *big);

/* An empty buffer for messages of at most max_message_bytes (<= UINT32_MAX). Allocates nothing. */
void rx_init(rx_buffer *rx, size_t max_message_bytes);
/* Frees the buffer and forgets a partial message (a connection ended: it never completed).
 * Returns 1 if a message was in progress (it is lost: the caller counts it), else 0. */
int rx_release(rx_buffer *rx);
/* One received chunk, with the websocket frame's flags as lws reports them. A final chunk
 * completes a message: exactly one push per completed message. A whole message in one chunk
 * goes straight from `in` to push, without the copy into the buffer. */
void rx_fragment(rx_buffer *rx, int first, int final, int binary, const void *in, size_t len,
                 rx_push_fn push, void *ctx);

/* ------------------------------------------------------------------ the raw ring */

/* Received messages waiting for the parse thread, one record each (header, then the text or
 * the pointer, padded to RAW_ALIGN), oldest at `head`. Records never wrap: one that does not
 * fit at the end of the buffer starts at 0 behind a RAW_PAD filler. No lock of its own: the
 * caller guards it (feed.c: raw_lock). */
typedef struct raw_ring {
    unsigned char *buf;
    size_t size;            /* a multiple of RAW_ALIGN, >= RAW_RECORD_MAX */
    size_t head, tail;      /* the oldest record; where the next one goes */
    size_t used;            /* bytes from head to tail, padding included */
    size_t big_bytes;       /* message bytes of the RAW_BIG records in it */
    size_t big_max;         /* more than this of RAW_BIG messages (but one) drops the oldest */
} raw_ring;

/* Allocates `size` bytes (rounded down to RAW_ALIGN, at least RAW_RECORD_MAX). 0 or -1. */
int raw_ring_init(raw_ring *r, size_t size, size_t big_max);
/* Empties (raw_clear) and frees the buffer. */
void raw_ring_free(raw_ring *r);
/* Empties the ring without counting: at stop, or when the feed is freed. */
void raw_clear(raw_ring *r);

/* Producer, with the lock: queues one record for connection `gen` (RAW_TEXT copies `len` bytes
 * of `data`; RAW_BIG moves in `big`, which then belongs to the ring). While it does not fit the
 * oldest records go, counted in *dropped: on a wall the newest values matter, and a parse
 * thread that lags must not stall the network behind it. Returns NULL once queued; or, before
 * queueing, the buffer of a RAW_BIG record it dropped: freeing that can take a while, so the
 * caller frees it outside the lock and calls again with the same arguments. */
unsigned char *raw_push(raw_ring *r, enum raw_kind kind, uint32_t gen, const void *data,
                        size_t len, unsigned char *big, uint64_t *dropped);

/* Consumer, with the lock: copies whole records, oldest first, into `out` (`cap` >=
 * RAW_RECORD_MAX bytes) and frees their room. At most one RAW_BIG per batch, so the big
 * messages out of the ring stay bounded too. Returns the bytes copied. */
size_t raw_take(raw_ring *r, unsigned char *out, size_t cap);

/* ------------------------------------------------------------------ parsing */

/* One feed's parsing state (parse thread only). */
typedef struct rx_parser {
    const char *name;                   /* the feed's, for log lines */
    const char *const *coalesce_by;     /* the key's JSON pointers; none = no coalescing */
    size_t coalesce_count;
    handover *queue;                    /* where objects go */
    size_t max_message_bytes;           /* for the "too big" log line */
    uint32_t gen;                       /* connection of the last record parsed */
    json_int_t last_seq;                /* "seq" of the last message on it, -1 = none yet */
} rx_parser;

/* One batch's counters: the caller adds them to the feed's stats at once. */
typedef struct parse_tally {
    uint64_t received, bytes, invalid, seq_gaps, seq_missed;
} parse_tally;

/* Parses the records raw_take copied out (`n` bytes): objects into the hand-over (keyed when
 * coalesce_by finds a key), everything else counted (and logged, rate-limited) as invalid.
 * Frees RAW_BIG buffers. Each record adds 1 to received or to invalid. */
void rx_parse_batch(rx_parser *p, const unsigned char *batch, size_t n, parse_tally *t);

#endif
