/* wire.h: what travels to feed clients. One serialized JSON message shared by every client it
 * goes to (reference counted), and the bounded per-client queue of such messages. */
#ifndef WB_FEEDS_WIRE_H
#define WB_FEEDS_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define WIRE_ENVELOPE_VERSION 1

typedef struct wire_msg {
    unsigned refs;
    size_t len;            /* JSON bytes after the headroom */
    unsigned char frame[]; /* LWS_PRE bytes lws may write its frame header into, then the JSON */
} wire_msg;

/* Serializes {"type","v","seq","ts","key","value"} compactly with jansson. `value` is only
 * borrowed. Returns a message holding one reference, or NULL with err filled. */
wire_msg *wire_msg_build(const char *type, uint64_t seq, int64_t ts_ms, const char *key,
                         json_t *value, char *err, size_t err_size);
wire_msg *wire_msg_ref(wire_msg *m);
void wire_msg_unref(wire_msg *m);
/* The JSON text, with LWS_PRE writable bytes in front of it as lws_write needs. */
unsigned char *wire_msg_payload(wire_msg *m);

/* A ring of messages waiting for one client's socket. Never grows: when full, the oldest
 * message is dropped, and the client sees the gap in seq. */
typedef struct outq {
    wire_msg **slots;
    size_t capacity;
    size_t head;      /* index of the oldest queued message */
    size_t count;
    uint64_t dropped; /* messages lost to overflow since the client connected */
} outq;

int outq_init(outq *q, size_t capacity, char *err, size_t err_size);
/* Releases every queued message. Safe on a zeroed or already freed queue. */
void outq_free(outq *q);
/* Queues a new reference to m. Returns 1 if the oldest message had to be dropped, else 0. */
int outq_push(outq *q, wire_msg *m);
/* The oldest message, whose reference passes to the caller; NULL if empty. */
wire_msg *outq_pop(outq *q);

#endif
