/* handover.c: the bounded queue of parsed messages from the parse thread to the main thread,
 * coalescing per key. It must never block the producer on a slow consumer, grow, or allocate per
 * message: when full (in messages or in bytes), the oldest goes. */
#include "handover.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "jsonptr.h"

#define NO_SLOT ((size_t)-1)
/* The index holds uint32_t slot numbers, at most half full. */
#define CAPACITY_MAX ((size_t)1 << 28)

typedef struct slot {
    json_t *msg;        /* owned reference */
    size_t bytes;       /* its size on the wire, as the producer counted it */
    handover_key key;   /* count 0: no key; values borrowed from msg */
} slot;

struct handover {
    pthread_mutex_t lock;
    slot *slots;        /* ring */
    size_t capacity;
    size_t max_bytes;
    size_t head;        /* index of the oldest message */
    size_t length;
    size_t bytes;       /* sum over the queued messages */
    uint64_t dropped;
    uint64_t coalesced;
    /* Open addressing (linear probing) over the keyed queued messages: slot number + 1, 0 =
     * empty. At least twice the capacity, so probes stay short; removal shifts back, so there
     * are no tombstones to clean up. */
    uint32_t *index;
    size_t index_mask;
};

/* ------------------------------------------------------------------ keys */

/* splitmix64's finaliser: every input bit reaches the low bits the index uses. */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

static uint64_t hash_bytes(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) /* FNV-1a: keys are short strings such as ids */
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h;
}

/* A scalar's hash, consistent with scalar_equal: the type is part of it. */
static uint64_t hash_scalar(uint64_t h, const json_t *v)
{
    h = mix(h ^ (uint64_t)json_typeof(v));
    switch (json_typeof(v)) {
    case JSON_STRING:
        return hash_bytes(h, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        return mix(h ^ (uint64_t)json_integer_value(v));
    case JSON_REAL: {
        double d = json_real_value(v);
        uint64_t bits;
        if (d == 0)
            d = 0; /* -0.0 == 0.0, so they must hash alike */
        memcpy(&bits, &d, sizeof bits);
        return mix(h ^ bits);
    }
    default:
        return h; /* true, false, null: the type is the value */
    }
}

static int scalar_equal(const json_t *a, const json_t *b)
{
    if (json_typeof(a) != json_typeof(b))
        return 0;
    switch (json_typeof(a)) {
    case JSON_STRING:
        return json_string_length(a) == json_string_length(b) &&
               memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
    case JSON_INTEGER:
        return json_integer_value(a) == json_integer_value(b);
    case JSON_REAL:
        return json_real_value(a) == json_real_value(b);
    default:
        return 1;
    }
}

static int key_equal(const handover_key *a, const handover_key *b)
{
    if (a->hash != b->hash || a->count != b->count)
        return 0;
    for (size_t i = 0; i < a->count; i++)
        if (!scalar_equal(a->values[i], b->values[i]))
            return 0;
    return 1;
}

int handover_key_of(const json_t *msg, const char *const *pointers, size_t count,
                    handover_key *key)
{
    uint64_t h = 0x84222325cbf29ce4ull;

    key->count = 0;
    if (count == 0 || count > HANDOVER_KEY_MAX || !pointers)
        return -1;
    for (size_t i = 0; i < count; i++) {
        const json_t *v = jsonptr_get(msg, pointers[i]);
        if (!v || json_is_object(v) || json_is_array(v))
            return -1;
        key->values[i] = v;
        h = hash_scalar(h + i, v);
    }
    key->count = count;
    key->hash = mix(h);
    return 0;
}

/* ------------------------------------------------------------------ the index (with the lock) */

static size_t index_find(const handover *h, const handover_key *key)
{
    for (size_t i = key->hash & h->index_mask;; i = (i + 1) & h->index_mask) {
        uint32_t e = h->index[i];
        if (!e)
            return NO_SLOT;
        if (key_equal(&h->slots[e - 1].key, key))
            return e - 1;
    }
}

static void index_insert(handover *h, size_t pos)
{
    size_t i = h->slots[pos].key.hash & h->index_mask;
    while (h->index[i])
        i = (i + 1) & h->index_mask;
    h->index[i] = (uint32_t)(pos + 1);
}

/* Removes slot `pos` (still holding its key) from the index, shifting later entries of the
 * probe run back so lookups never stop early at the hole. */
static void index_remove(handover *h, size_t pos)
{
    size_t mask = h->index_mask;
    size_t i = h->slots[pos].key.hash & mask;
    while (h->index[i] != pos + 1)
        i = (i + 1) & mask;
    for (size_t j = i;;) {
        j = (j + 1) & mask;
        uint32_t e = h->index[j];
        if (!e)
            break;
        size_t home = h->slots[e - 1].key.hash & mask;
        /* Entry j may fill the hole at i only if its home is not cyclically in (i, j]. */
        int home_between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (home_between)
            continue;
        h->index[i] = e;
        i = j;
    }
    h->index[i] = 0;
}

/* ------------------------------------------------------------------ the ring */

handover *handover_create(size_t capacity, size_t max_bytes)
{
    handover *h = NULL;
    size_t index_size = 2;

    if (capacity == 0 || capacity > CAPACITY_MAX)
        goto fail;
    while (index_size < 2 * capacity)
        index_size *= 2;
    h = calloc(1, sizeof *h);
    if (!h)
        goto fail;
    h->slots = calloc(capacity, sizeof *h->slots);
    h->index = calloc(index_size, sizeof *h->index);
    if (!h->slots || !h->index)
        goto fail;
    if (pthread_mutex_init(&h->lock, NULL) != 0)
        goto fail;
    h->capacity = capacity;
    h->max_bytes = max_bytes;
    h->index_mask = index_size - 1;
    return h;

fail:
    if (h) {
        free(h->slots);
        free(h->index);
    }
    free(h);
    return NULL;
}

void handover_destroy(handover *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->length; i++)
        json_decref(h->slots[(h->head + i) % h->capacity].msg);
    pthread_mutex_destroy(&h->lock);
    free(h->slots);
    free(h->index);
    free(h);
}

/* Takes the oldest message out of the ring (and the index). Called with the lock, length > 0. */
static json_t *take_oldest(handover *h)
{
    slot *s = &h->slots[h->head];
    json_t *msg = s->msg;
    if (s->key.count)
        index_remove(h, h->head);
    h->bytes -= s->bytes;
    *s = (slot){0};
    h->head = (h->head + 1) % h->capacity;
    h->length--;
    return msg;
}

static int is_full(const handover *h, size_t bytes)
{
    return h->length == h->capacity || (h->length > 0 && h->bytes + bytes > h->max_bytes);
}

int handover_push(handover *h, json_t *msg, size_t bytes)
{
    return handover_push_keyed(h, msg, bytes, NULL);
}

int handover_push_keyed(handover *h, json_t *msg, size_t bytes, const handover_key *key)
{
    int result = 0;

    if (!msg) /* a queued NULL would read as "empty" on the consumer side */
        return 0;
    if (key && (key->count == 0 || key->count > HANDOVER_KEY_MAX))
        key = NULL;
    for (;;) {
        json_t *released;
        pthread_mutex_lock(&h->lock);
        size_t pos = key ? index_find(h, key) : NO_SLOT;
        if (pos != NO_SLOT) {
            slot *s = &h->slots[pos];
            size_t others = h->bytes - s->bytes;
            if (others == 0 || others + bytes <= h->max_bytes) {
                /* In place: same key, same index entry (equal keys hash alike). The key's
                 * values now point into the new message, the old one is about to go. */
                released = s->msg;
                s->msg = msg;
                s->bytes = bytes;
                s->key = *key;
                h->bytes = others + bytes;
                h->coalesced++;
                pthread_mutex_unlock(&h->lock);
                json_decref(released);
                return result | HANDOVER_COALESCED;
            }
            /* The newer value does not fit where the older one is: make room from the oldest.
             * If that is the older value itself, it goes as superseded, and the new one
             * queues at the tail (the next round finds no pending message of its key). */
            int superseded = pos == h->head;
            released = take_oldest(h);
            if (superseded) {
                h->coalesced++;
                result |= HANDOVER_COALESCED;
            } else {
                h->dropped++;
                result |= HANDOVER_DROPPED;
            }
        } else if (is_full(h, bytes)) {
            released = take_oldest(h);
            h->dropped++;
            result |= HANDOVER_DROPPED;
        } else {
            size_t tail = (h->head + h->length) % h->capacity;
            h->slots[tail] = (slot){.msg = msg, .bytes = bytes};
            if (key) {
                h->slots[tail].key = *key;
                index_insert(h, tail);
            }
            h->length++;
            h->bytes += bytes;
            pthread_mutex_unlock(&h->lock);
            return result;
        }
        pthread_mutex_unlock(&h->lock);
        /* Freeing a big message can take a while: never under the lock the consumer waits on. */
        json_decref(released);
    }
}

size_t handover_pop_many(handover *h, json_t **out, size_t max)
{
    size_t n = 0;

    pthread_mutex_lock(&h->lock);
    while (n < max && h->length > 0)
        out[n++] = take_oldest(h);
    pthread_mutex_unlock(&h->lock);
    return n;
}

json_t *handover_pop(handover *h)
{
    json_t *msg = NULL;
    return handover_pop_many(h, &msg, 1) ? msg : NULL;
}

size_t handover_length(handover *h)
{
    pthread_mutex_lock(&h->lock);
    size_t n = h->length;
    pthread_mutex_unlock(&h->lock);
    return n;
}

uint64_t handover_dropped(handover *h)
{
    pthread_mutex_lock(&h->lock);
    uint64_t n = h->dropped;
    pthread_mutex_unlock(&h->lock);
    return n;
}

uint64_t handover_coalesced(handover *h)
{
    pthread_mutex_lock(&h->lock);
    uint64_t n = h->coalesced;
    pthread_mutex_unlock(&h->lock);
    return n;
}
