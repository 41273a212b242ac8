/* feed_rx.c: what a feed does with received bytes, without a socket or a lock: reassembly under
 * the size limit, the raw ring, and parsing into the hand-over. It must never trust a peer's
 * sizes, copy a message more than once, or allocate per message (but for one over 16 KiB). */
#include "feed_rx.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"

#define RX_INITIAL_BYTES 4096
/* After a big message the reassembly buffer is released rather than kept per feed. */
#define RX_KEEP_BYTES (64 * 1024)

/* ------------------------------------------------------------------ reassembly */

void rx_init(rx_buffer *rx, size_t max_message_bytes)
{
    memset(rx, 0, sizeof *rx);
    rx->max_message_bytes = max_message_bytes;
    rx->skip = RAW_TEXT;
}

int rx_release(rx_buffer *rx)
{
    int cut = rx->in_message;
    free(rx->data);
    rx->data = NULL;
    rx->len = rx->cap = 0;
    rx->in_message = 0;
    rx->skip = RAW_TEXT;
    return cut;
}

static void begin_message(rx_buffer *rx, int binary)
{
    rx->len = 0;
    rx->in_message = 1;
    rx->skip = binary ? RAW_BINARY : RAW_TEXT;
}

/* Grows geometrically up to the limit; returns 0, or -1 if the chunk cannot be kept. */
static int reserve(rx_buffer *rx, size_t needed)
{
    size_t limit = rx->max_message_bytes;
    if (needed <= rx->cap)
        return 0;
    size_t cap = rx->cap ? rx->cap : RX_INITIAL_BYTES;
    while (cap < needed)
        cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
    if (cap > limit)
        cap = limit;
    unsigned char *grown = realloc(rx->data, cap);
    if (!grown)
        return -1;
    rx->data = grown;
    rx->cap = cap;
    return 0;
}

static void append_chunk(rx_buffer *rx, const void *data, size_t len)
{
    if (len > rx->max_message_bytes - rx->len) {
        rx->skip = RAW_TOOBIG;
        rx->len = 0;
        return;
    }
    if (reserve(rx, rx->len + len) < 0) {
        rx->skip = RAW_NOMEM;
        rx->len = 0;
        return;
    }
    memcpy(rx->data + rx->len, data, len);
    rx->len += len;
}

/* A whole message is in: pushed, copied, or moved with its buffer if big. */
static void finish_message(rx_buffer *rx, rx_push_fn push, void *ctx)
{
    if (rx->skip != RAW_TEXT) {
        push(ctx, rx->skip, NULL, 0, NULL);
    } else if (rx->len <= RAW_INLINE_MAX) {
        push(ctx, RAW_TEXT, rx->data, rx->len, NULL);
    } else {
        unsigned char *big = rx->data;
        size_t len = rx->len;
        rx->data = NULL;
        rx->cap = 0;
        push(ctx, RAW_BIG, NULL, len, big);
    }
    rx->len = 0;
    rx->in_message = 0;
    rx->skip = RAW_TEXT;
    if (rx->cap > RX_KEEP_BYTES)
        rx_release(rx);
}

void rx_fragment(rx_buffer *rx, int first, int final, int binary, const void *in, size_t len,
                 rx_push_fn push, void *ctx)
{
    if (first || !rx->in_message)
        begin_message(rx, binary);
    /* The usual case, a whole message in one chunk: straight into the raw ring, without the
     * copy into the reassembly buffer. */
    if (final && rx->skip == RAW_TEXT && rx->len == 0 && len <= RAW_INLINE_MAX &&
        len <= rx->max_message_bytes) {
        push(ctx, RAW_TEXT, in, len, NULL);
        rx->in_message = 0;
        return;
    }
    if (rx->skip == RAW_TEXT && len > 0)
        append_chunk(rx, in, len);
    if (final)
        finish_message(rx, push, ctx);
}

/* ------------------------------------------------------------------ the raw ring */

#define NO_ROOM ((size_t)-1)

int raw_ring_init(raw_ring *r, size_t size, size_t big_max)
{
    memset(r, 0, sizeof *r);
    if (size < RAW_RECORD_MAX)
        size = RAW_RECORD_MAX;
    r->size = size / RAW_ALIGN * RAW_ALIGN;
    r->big_max = big_max;
    r->buf = malloc(r->size);
    return r->buf ? 0 : -1;
}

void raw_ring_free(raw_ring *r)
{
    if (r->buf)
        raw_clear(r);
    free(r->buf);
    r->buf = NULL;
}

static size_t payload_bytes(const raw_header *h)
{
    return h->kind == RAW_TEXT ? h->len : h->kind == RAW_BIG ? sizeof(unsigned char *) : 0;
}

static size_t record_bytes(size_t payload)
{
    return (sizeof(raw_header) + payload + RAW_ALIGN - 1) / RAW_ALIGN * RAW_ALIGN;
}

/* The oldest record's header and size (a filler runs to the end of the buffer). */
static size_t oldest(const raw_ring *r, raw_header *h)
{
    memcpy(h, r->buf + r->head, sizeof *h);
    return h->kind == RAW_PAD ? r->size - r->head : record_bytes(payload_bytes(h));
}

static void advance(raw_ring *r, size_t bytes)
{
    r->head += bytes;
    r->used -= bytes;
    if (r->head == r->size)
        r->head = 0;
    if (r->used == 0)
        r->head = r->tail = 0;
}

/* Removes the oldest record. Returns the buffer of a RAW_BIG message (the caller frees it),
 * else NULL; *message is 1 if a message (not a filler) went. used > 0. */
static unsigned char *drop_oldest(raw_ring *r, int *message)
{
    raw_header h;
    size_t bytes = oldest(r, &h);
    unsigned char *big = NULL;
    if (h.kind == RAW_BIG) {
        memcpy(&big, r->buf + r->head + sizeof h, sizeof big);
        r->big_bytes -= h.len;
    }
    *message = h.kind != RAW_PAD;
    advance(r, bytes);
    return big;
}

void raw_clear(raw_ring *r)
{
    int message;
    while (r->used > 0)
        free(drop_oldest(r, &message));
}

/* Where a record of `need` bytes can go, padding the end of the buffer to wrap if that is
 * what it takes; NO_ROOM until older records go. */
static size_t reserve_record(raw_ring *r, size_t need)
{
    if (r->used == 0) {
        r->head = r->tail = 0;
        return need <= r->size ? 0 : NO_ROOM;
    }
    if (r->tail > r->head) { /* records in [head, tail): room at the end, then before head */
        if (r->size - r->tail >= need)
            return r->tail;
        if (r->head < need)
            return NO_ROOM;
        raw_header pad = {.kind = RAW_PAD};
        memcpy(r->buf + r->tail, &pad, sizeof pad); /* sizes are multiples of RAW_ALIGN */
        r->used += r->size - r->tail;
        r->tail = 0;
        return 0;
    }
    /* Wrapped (or full, tail == head): the room is between them. */
    return r->head - r->tail >= need ? r->tail : NO_ROOM;
}

unsigned char *raw_push(raw_ring *r, enum raw_kind kind, uint32_t gen, const void *data,
                        size_t len, unsigned char *big, uint64_t *dropped)
{
    raw_header h = {.len = (uint32_t)len, .gen = gen, .kind = (uint32_t)kind};
    size_t need = record_bytes(payload_bytes(&h));
    size_t at;

    for (;;) {
        int big_full = kind == RAW_BIG && r->big_bytes > 0 && r->big_bytes + len > r->big_max;
        if (!big_full && (at = reserve_record(r, need)) != NO_ROOM)
            break;
        int message;
        unsigned char *gone = drop_oldest(r, &message);
        if (message)
            ++*dropped;
        if (gone)
            return gone;
    }
    memcpy(r->buf + at, &h, sizeof h);
    if (kind == RAW_TEXT && len > 0)
        memcpy(r->buf + at + sizeof h, data, len);
    if (kind == RAW_BIG) {
        memcpy(r->buf + at + sizeof h, &big, sizeof big);
        r->big_bytes += len;
    }
    r->tail = at + need == r->size ? 0 : at + need;
    r->used += need;
    return NULL;
}

size_t raw_take(raw_ring *r, unsigned char *out, size_t cap)
{
    size_t n = 0;
    while (r->used > 0) {
        raw_header h;
        size_t bytes = oldest(r, &h);
        if (h.kind != RAW_PAD) {
            if (n + bytes > cap)
                break;
            memcpy(out + n, r->buf + r->head, bytes);
            n += bytes;
        }
        advance(r, bytes);
        if (h.kind == RAW_BIG) {
            r->big_bytes -= h.len;
            break;
        }
    }
    return n;
}

/* ------------------------------------------------------------------ parsing */

static void count_invalid(rx_parser *p, parse_tally *t, const char *kind, const char *fmt, ...)
    WB_PRINTF(4, 5);
static void count_invalid(rx_parser *p, parse_tally *t, const char *kind, const char *fmt, ...)
{
    char key[160], why[200];
    va_list ap;

    t->invalid++;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    snprintf(key, sizeof key, "feed:%s:%s", p->name, kind);
    /* log.c is thread-safe and rate-limits per key: a hostile feed cannot flood the log. */
    log_limited(WB_LOG_WARN, "feed", key, "%s: invalid message: %s", p->name, why);
}

/* Messages missed between this one and the last, by their "seq" (per feed, +1 per event).
 * A seq that goes back means the server restarted its numbering: not a gap. */
static uint64_t seq_gap(rx_parser *p, const json_t *message)
{
    const json_t *seq = json_object_get(message, "seq");
    if (!json_is_integer(seq))
        return 0;
    json_int_t now = json_integer_value(seq);
    uint64_t missed = 0;
    if (p->last_seq >= 0 && now > p->last_seq && now - p->last_seq > 1)
        missed = (uint64_t)(now - p->last_seq - 1);
    p->last_seq = now;
    return missed;
}

static void parse_message(rx_parser *p, const char *text, size_t len, parse_tally *t)
{
    json_error_t error;
    /* Duplicate keys are ambiguous (which one wins?), so such a message is refused; scalars
     * are decoded only to be reported as "not an object" rather than as a syntax error. */
    json_t *message = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &error);

    if (!message) {
        count_invalid(p, t, "json", "not JSON (%s at byte %d)", error.text, error.position);
        return;
    }
    if (!json_is_object(message)) {
        json_decref(message);
        count_invalid(p, t, "notobject", "not a JSON object");
        return;
    }
    /* Read before the hand-over: after it the message belongs to the main thread. Counted
     * before coalescing, so a merged message is never mistaken for a gap. */
    uint64_t missed = seq_gap(p, message);
    handover_key key;
    int keyed = p->coalesce_count > 0 &&
                handover_key_of(message, p->coalesce_by, p->coalesce_count, &key) == 0;
    /* Drops (and counts) the oldest if the wall lags; replaces a pending one of the same key. */
    handover_push_keyed(p->queue, message, len, keyed ? &key : NULL);
    t->received++;
    t->bytes += len;
    t->seq_missed += missed;
    t->seq_gaps += missed ? 1 : 0;
}

void rx_parse_batch(rx_parser *p, const unsigned char *batch, size_t n, parse_tally *t)
{
    for (size_t off = 0; off < n;) {
        raw_header h;
        memcpy(&h, batch + off, sizeof h);
        const unsigned char *payload = batch + off + sizeof h;
        off += record_bytes(payload_bytes(&h));
        if (h.gen != p->gen) {
            p->gen = h.gen;
            p->last_seq = -1;
        }
        switch (h.kind) {
        case RAW_TEXT:
            parse_message(p, (const char *)payload, h.len, t);
            break;
        case RAW_BIG: {
            unsigned char *big;
            memcpy(&big, payload, sizeof big);
            parse_message(p, (const char *)big, h.len, t);
            free(big);
            break;
        }
        case RAW_BINARY:
            count_invalid(p, t, "binary", "binary frame");
            break;
        case RAW_TOOBIG:
            count_invalid(p, t, "toobig", "larger than %zu bytes", p->max_message_bytes);
            break;
        default:
            count_invalid(p, t, "nomem", "out of memory while reassembling");
            break;
        }
    }
}
