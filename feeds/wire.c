/* wire.c: serializes feed messages once with jansson and queues them per client, bounded.
 * Must never touch sockets or build JSON text by hand, and never let a queue grow past its capacity. */
#include "wire.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>

wire_msg *wire_msg_build(const char *type, uint64_t seq, int64_t ts_ms, const char *key,
                         json_t *value, char *err, size_t err_size)
{
    wire_msg *m = NULL;
    json_error_t jerr;
    /* "O" takes its own reference, so the caller's value is untouched even on failure. */
    json_t *obj = json_pack_ex(&jerr, 0, "{s:s, s:i, s:I, s:I, s:s, s:O}",
                               "type", type, "v", WIRE_ENVELOPE_VERSION,
                               "seq", (json_int_t)seq, "ts", (json_int_t)ts_ms,
                               "key", key, "value", value);
    if (!obj) {
        snprintf(err, err_size, "cannot build %s message for %s: %s", type, key, jerr.text);
        goto fail;
    }
    size_t len = json_dumpb(obj, NULL, 0, JSON_COMPACT);
    if (len == 0) {
        snprintf(err, err_size, "cannot serialize %s message for %s", type, key);
        goto fail;
    }
    m = malloc(sizeof *m + LWS_PRE + len);
    if (!m) {
        snprintf(err, err_size, "out of memory for a %zu byte message", len);
        goto fail;
    }
    m->refs = 1;
    m->len = len;
    if (json_dumpb(obj, (char *)m->frame + LWS_PRE, len, JSON_COMPACT) != len) {
        snprintf(err, err_size, "serialized size of %s message changed", type);
        goto fail;
    }
    json_decref(obj);
    return m;

fail:
    free(m);
    json_decref(obj);
    return NULL;
}

wire_msg *wire_msg_ref(wire_msg *m)
{
    m->refs++;
    return m;
}

void wire_msg_unref(wire_msg *m)
{
    if (m && --m->refs == 0) free(m);
}

unsigned char *wire_msg_payload(wire_msg *m)
{
    return m->frame + LWS_PRE;
}

int outq_init(outq *q, size_t capacity, char *err, size_t err_size)
{
    *q = (outq){0};
    if (capacity == 0) {
        snprintf(err, err_size, "queue capacity must be at least 1");
        return -1;
    }
    q->slots = calloc(capacity, sizeof *q->slots);
    if (!q->slots) {
        snprintf(err, err_size, "out of memory for a %zu message queue", capacity);
        return -1;
    }
    q->capacity = capacity;
    return 0;
}

void outq_free(outq *q)
{
    wire_msg *m;
    while ((m = outq_pop(q)) != NULL) wire_msg_unref(m);
    free(q->slots);
    *q = (outq){0};
}

int outq_push(outq *q, wire_msg *m)
{
    int dropped = 0;
    if (q->capacity == 0) return 1; /* never initialized: nowhere to keep it */
    if (q->count == q->capacity) {
        wire_msg_unref(outq_pop(q));
        q->dropped++;
        dropped = 1;
    }
    q->slots[(q->head + q->count) % q->capacity] = wire_msg_ref(m);
    q->count++;
    return dropped;
}

wire_msg *outq_pop(outq *q)
{
    if (q->count == 0) return NULL;
    wire_msg *m = q->slots[q->head];
    q->slots[q->head] = NULL;
    q->head = (q->head + 1) % q->capacity;
    q->count--;
    return m;
}
