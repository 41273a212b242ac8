/* wire.h: what travels to feed clients. The envelope every message gets, one serialized JSON
 * message shared by every client it goes to (reference counted), and the bounded per-client
 * queue of such messages. */
#ifndef WB_FEEDS_WIRE_H
#define WB_FEEDS_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define WIRE_ENVELOPE_VERSION 1
/* Compact, and reals at 15 significant digits: money kept in fen prints as 1234.56, never
 * as 1234.5599999999999. The same flags for the wire and for recordings. */
#define WIRE_JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

/* "snapshot" (/demo) or "NAME.snapshot": a message that does not take a seq of its own. */
int wire_is_snapshot_type(const char *type);

/* A new message {"type", "v", "seq", "ts", then the body's other members in their order}
 * from a body whose "type" is a string. NULL with err filled otherwise. */
json_t *wire_envelope(const json_t *body, uint64_t seq, int64_t ts_ms, char *err,
                      size_t err_size);

typedef struct wire_msg {
    unsigned refs;
    size_t len;            /* JSON bytes after the headroom */
    unsigned char frame[]; /* LWS_PRE bytes lws may write its frame header into, then the JSON */
} wire_msg;

/* Serializes msg once (WIRE_JSON_FLAGS). Returns a message holding one reference, or NULL
 * with err filled. */
wire_msg *wire_msg_build(const json_t *msg, char *err, size_t err_size);
wire_msg *wire_msg_ref(wire_msg *m);
void wire_msg_unref(wire_msg *m);
/* The JSON text, with LWS_PRE writable bytes in front of it as lws_write needs. */
unsigned char *wire_msg_payload(wire_msg *m);

/* A ring of messages waiting for one client's socket. Never grows: when full, the oldest
 * message that is not pinned is dropped, and the client sees the gap in seq. */
typedef struct outq {
    wire_msg **slots;
    size_t capacity;
    size_t head;      /* index of the oldest queued message */
    size_t count;
    size_t pinned;    /* the oldest `pinned` messages are never dropped (a snapshot) */
    uint64_t dropped; /* messages lost to overflow since the client connected */
} outq;

int outq_init(outq *q, size_t capacity, char *err, size_t err_size);
/* Releases every queued message. Safe on a zeroed or already freed queue. */
void outq_free(outq *q);
/* Pins every message queued now: overflow drops later ones, never these. */
void outq_pin(outq *q);
/* Queues a new reference to m. Returns 1 if a message had to be dropped (the oldest one not
 * pinned; m itself if everything queued is pinned), else 0. */
int outq_push(outq *q, wire_msg *m);
/* The oldest message, whose reference passes to the caller; NULL if empty. */
wire_msg *outq_pop(outq *q);

#endif
