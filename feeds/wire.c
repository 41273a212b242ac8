/* wire.c: serializes feed messages once with jansson and queues them per client, bounded.
 * Must never touch sockets or build JSON text by hand, and never let a queue grow past its capacity. */
#include "wire.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int wire_is_snapshot_type(const char *type)
{
    static const char suffix[] = ".snapshot";
    size_t len = strlen(type), n = sizeof suffix - 1;
    return strcmp(type, "snapshot") == 0 || (len > n && strcmp(type + len - n, suffix) == 0);
}

json_t *wire_envelope(const json_t *body, uint64_t seq, int64_t ts_ms, char *err,
                      size_t err_size)
{
    const char *type = json_string_value(json_object_get(body, "type"));
    if (!type) {
        snprintf(err, err_size, "a message body without a string \"type\"");
        return NULL;
    }
    /* Members keep insertion order in jansson, so the envelope leads every message. */
    json_t *msg = json_pack("{s:s, s:i, s:I, s:I}", "type", type, "v", WIRE_ENVELOPE_VERSION,
                            "seq", (json_int_t)seq, "ts", (json_int_t)ts_ms);
    if (!msg) goto oom;
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)body, key, value) {
        if (strcmp(key, "type") == 0 || strcmp(key, "v") == 0 || strcmp(key, "seq") == 0 ||
            strcmp(key, "ts") == 0)
            continue;
        if (json_object_set(msg, key, value)) goto oom;
    }
    return msg;

oom:
    json_decref(msg);
    snprintf(err, err_size, "out of memory for a %s message", type);
    return NULL;
}

wire_msg *wire_msg_build(const json_t *msg, char *err, size_t err_size)
{
    wire_msg *m = NULL;
    size_t len = json_dumpb(msg, NULL, 0, WIRE_JSON_FLAGS);
    if (len == 0) {
        snprintf(err, err_size, "cannot serialize a message");
        goto fail;
    }
    m = malloc(sizeof *m + LWS_PRE + len);
    if (!m) {
        snprintf(err, err_size, "out of memory for a %zu byte message", len);
        goto fail;
    }
    m->refs = 1;
    m->len = len;
    if (json_dumpb(msg, (char *)m->frame + LWS_PRE, len, WIRE_JSON_FLAGS) != len) {
        snprintf(err, err_size, "serialized size of a message changed");
        goto fail;
    }
    return m;

fail:
    free(m);
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

void outq_pin(outq *q)
{
    q->pinned = q->count;
}

int outq_push(outq *q, wire_msg *m)
{
    int dropped = 0;
    if (q->capacity == 0) return 1; /* never initialized: nowhere to keep it */
    if (q->count == q->capacity) {
        q->dropped++;
        if (q->pinned >= q->count) return 1;
        /* Drop the oldest unpinned message: move the pinned ones up over it. Snapshots are
         * a handful of messages, so this is cheap. */
        size_t cap = q->capacity;
        wire_msg_unref(q->slots[(q->head + q->pinned) % cap]);
        for (size_t i = q->pinned; i > 0; i--)
            q->slots[(q->head + i) % cap] = q->slots[(q->head + i - 1) % cap];
        q->slots[q->head] = NULL;
        q->head = (q->head + 1) % cap;
        q->count--;
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
    if (q->pinned) q->pinned--;
    return m;
}
