/* feed.c: websocket feeds on one lws client thread, reconnecting; a parse thread turns what it
 * receives into JSON for the main thread. It must never block the main thread, trust a peer's
 * sizes, or log header values (secrets). */
#include "feed.h"
#include "error.h"

#include <libwebsockets.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "backoff.h"
#include "feed_rx.h"
#include "handover.h"
#include "log.h"

#define FEED_PROTOCOL "wallboard-feed"
#define DEFAULT_MAX_MESSAGE_BYTES ((size_t)1 << 20)
#define DEFAULT_QUEUE_CAPACITY 4096
/* With 1 MiB messages the count alone would allow 4 GiB per feed while the main thread stalls. */
#define DEFAULT_QUEUE_BYTES (64u << 20)
#define DEFAULT_PING_AFTER_S 5
#define DEFAULT_HANGUP_AFTER_S 12
#define DEFAULT_MESSAGE_TIMEOUT_S 30
/* A connection that lived this long (or delivered a valid message) resets the backoff. */
#define STABLE_CONNECTION_MS 5000
/* How long feeds_stop lets servers acknowledge our close frames before tearing down. */
#define STOP_GRACE_MS 1000
/* The client handshake (with the extra headers, e.g. long bearer tokens) is built in the
 * per-thread service buffer, so it is larger than lws' 4 KiB default. */
#define SERVICE_BUFFER_BYTES 8192
#define RX_CHUNK_BYTES 4096
#define ERROR_TEXT 160
/* The raw queues between the network and the parse thread: one per feed, sharing a budget
 * (one parse thread serves them all, so what matters is the backlog of all of them). Under
 * overload it is a backlog the newest values wait behind (4 MiB: ~32000 messages of 100 bytes,
 * ~70 ms of parsing on the 2-core reference machine); smaller, it overflows whenever the parse
 * thread is not scheduled for a while and the network thread then empties the socket's backlog
 * into it at three times the parse speed (512 KiB for one feed dropped messages at 64 k msg/s
 * there). Messages over RAW_INLINE_MAX move in by pointer (their reassembly buffer) instead, up
 * to RAW_BIG_BYTES of them per feed (one bigger message alone). */
#define DEFAULT_RAW_QUEUE_BYTES (4u << 20)
#define RAW_QUEUE_MIN_BYTES (64u * 1024)
#define RAW_BIG_BYTES (4u << 20)
/* What the parse thread copies out of a raw queue at once (>= one inline record): one lock,
 * one stats update, one wake of the main thread per batch. */
#define PARSE_BATCH_BYTES (64u * 1024)
/* Messages the main thread takes from a hand-over under one lock. */
#define DRAIN_BATCH 64

typedef struct feed {
    struct feeds *owner;
    size_t index;

    /* Copied from the spec, immutable after feeds_create. */
    char *name;
    char *address;          /* host to connect to, without brackets */
    char *host_header;      /* "host[:port]" as the server expects it */
    char *path;             /* with its leading '/', and the query if any */
    int port;
    int tls;
    char *ca_file;          /* NULL = the system's trust store only */
    char **header_names;    /* with the trailing ':' lws wants */
    char **header_values;   /* secrets: never logged */
    size_t header_count;
    char *coalesce_by[HANDOVER_KEY_MAX]; /* the key's JSON pointers; none = no coalescing */
    size_t coalesce_count;
    handover *queue;

    /* Network thread only. */
    struct lws_vhost *vhost;
    char vhost_name[32];    /* lws keeps the pointer, so it lives as long as the feed */
    lws_sorted_usec_list_t retry_timer;
    struct lws *wsi;        /* the current attempt's connection, once known */
    int attempt_open;       /* an attempt is in flight and its end not yet handled */
    int established;
    unsigned retry_attempt;
    uint64_t attempt_mono_ms;
    uint64_t established_mono_ms;
    uint64_t last_rx_mono_ms;
    uint64_t last_fragment_mono_ms;
    int message_timer;      /* lws_set_timeout armed for a message in progress */
    int peer_close_code;    /* -1 = the server sent no close frame */
    char attempt_error[ERROR_TEXT]; /* a reason found before lws reports the end */
    char last_logged_error[ERROR_TEXT];
    rx_buffer rx;           /* the message being reassembled */
    uint32_t conn_gen;      /* +1 per established connection, carried by each raw record */

    /* Guarded by owner->raw_lock; raw_dropped is read without it. */
    raw_ring raw;
    atomic_uint_fast64_t raw_dropped; /* dropped from the raw queue, never parsed */

    /* Parse thread only: seq gaps per connection, where objects go. */
    rx_parser parser;

    /* Guarded by owner->stats_lock. */
    feed_stats stats;

    /* feeds_retire: asked by the main thread (atomic), done by the network thread (retired):
     * a retired feed closes with 1001 and never connects again. */
    atomic_int retire_requested;
    int retired;
} feed;

struct feeds {
    feed *feeds;
    size_t count;
    feeds_options opt;
    size_t raw_feed_bytes;       /* each feed's raw queue */
    lws_retry_bo_t idle_policy;
    void (*wake)(void *ctx);
    void *wake_ctx;

    pthread_mutex_t stats_lock;
    atomic_int wake_pending;     /* a wake was sent and feeds_drain has not run since */
    atomic_int stop_requested;
    atomic_int retire_pending;   /* some feed's retire_requested is set and not yet done */

    /* Thread lifecycle. ctx is written by the network thread under ctx_lock so feeds_stop
     * can call lws_cancel_service on it; the network thread reads it freely. */
    pthread_mutex_t ctx_lock;
    pthread_cond_t started_cond;
    struct lws_context *ctx;
    int start_result;            /* 0 pending, 1 running, -1 failed */
    char start_error[ERROR_TEXT];
    pthread_t thread;
    int thread_running;          /* both threads created and not yet joined */

    /* The parse thread: it sleeps on raw_cond while every raw queue is empty. */
    pthread_mutex_t raw_lock;
    pthread_cond_t raw_cond;
    int parse_waiting;           /* guarded by raw_lock: a push must signal raw_cond */
    int parse_stop;              /* guarded by raw_lock */
    pthread_t parse_thread;
    size_t parse_next;           /* parse thread: the feed to look at first (round robin) */
    unsigned char *batch;        /* parse thread: PARSE_BATCH_BYTES copied out of a raw queue */

    /* Network thread only. */
    int closing;
    int grace_over;
    lws_sorted_usec_list_t grace_timer;
    uint64_t prng;
};

/* ------------------------------------------------------------------ small helpers */

static char *copy_string(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    if (copy)
        memcpy(copy, s, n);
    return copy;
}

/* Reasons may quote a peer (e.g. an lws handshake message): keep them short and printable. */
static void copy_printable(char *dst, size_t size, const char *src)
{
    size_t n = 0;
    for (; src && *src && n + 1 < size; src++) {
        unsigned char c = (unsigned char)*src;
        if (c == '\n' || c == '\r')
            break;
        dst[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    while (n > 0 && dst[n - 1] == ' ')
        n--;
    dst[n] = '\0';
}

/* xorshift64*: only the network thread draws from it, so it needs no lock. */
static double next_rand01(feeds *F)
{
    uint64_t x = F->prng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    F->prng = x;
    return (double)((x * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0);
}

static void seed_rand(feeds *F)
{
    uint64_t seed = (uint64_t)clock_wall_ms() ^ (clock_mono_ms() << 21) ^
                    ((uint64_t)getpid() << 40) ^ (uint64_t)(uintptr_t)F;
    F->prng = seed ? seed : 0x9e3779b97f4a7c15ull;
}

/* Coalesced: a flood of messages costs the main thread one wake per drain, not per message. */
static void request_wake(feeds *F)
{
    if (!F->wake || atomic_load(&F->stop_requested))
        return;
    if (!atomic_exchange(&F->wake_pending, 1))
        F->wake(F->wake_ctx);
}

/* ------------------------------------------------------------------ spec validation */

static int is_token_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Header names end up in the handshake verbatim: anything but a token would let a config
 * inject extra lines. The colon lws needs is appended here. Returns a new string or NULL. */
static char *header_name_for_lws(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n > 0 && name[n - 1] == ':')
        n--;
    if (n == 0 || n > 128)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!is_token_char((unsigned char)name[i]))
            return NULL;
    char *out = malloc(n + 2);
    if (!out)
        return NULL;
    memcpy(out, name, n);
    out[n] = ':';
    out[n + 1] = '\0';
    return out;
}

static int header_value_is_safe(const char *value)
{
    for (; *value; value++) {
        unsigned char c = (unsigned char)*value;
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return 0;
    }
    return 1;
}

/* The URL may carry a token in its query, so errors name the feed, never the URL. */
static int url_authority_is_plain(const char *url)
{
    const char *start = strstr(url, "://");
    if (!start)
        return 0;
    start += 3;
    size_t len = strcspn(start, "/?#");
    for (size_t i = 0; i < len; i++)
        if (start[i] == '@')
            return 0;
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p == 0x7f)
            return 0;
    return 1;
}

static int parse_feed_url(feed *f, const char *url, char *err, size_t err_size)
{
    char *work = copy_string(url); /* lws_parse_uri cuts its input up */
    const char *scheme, *host, *path;
    int port = 0;
    int rc = -1;

    if (!work) {
        set_error(err, err_size, "feed %s: out of memory", f->name);
        return -1;
    }
    if (!url_authority_is_plain(url) || lws_parse_uri(work, &scheme, &host, &port, &path)) {
        set_error(err, err_size, "feed %s: url is not ws://host[:port]/path or wss://...",
                  f->name);
        goto done;
    }
    if (strcmp(scheme, "ws") != 0 && strcmp(scheme, "wss") != 0) {
        set_error(err, err_size, "feed %s: url scheme must be ws:// or wss://", f->name);
        goto done;
    }
    if (!*host || port < 1 || port > 65535) {
        set_error(err, err_size, "feed %s: url needs a host and a port in 1..65535", f->name);
        goto done;
    }
    f->tls = strcmp(scheme, "wss") == 0;
    f->port = port;
    f->address = copy_string(host);
    f->path = malloc(strlen(path) + 2);
    f->host_header = malloc(strlen(host) + 16);
    if (!f->address || !f->path || !f->host_header) {
        set_error(err, err_size, "feed %s: out of memory", f->name);
        goto done;
    }
    snprintf(f->path, strlen(path) + 2, "%s%s", path[0] == '/' ? "" : "/", path);
    int ipv6 = strchr(host, ':') != NULL;
    int default_port = port == (f->tls ? 443 : 80);
    if (default_port)
        snprintf(f->host_header, strlen(host) + 16, ipv6 ? "[%s]" : "%s", host);
    else
        snprintf(f->host_header, strlen(host) + 16, ipv6 ? "[%s]:%d" : "%s:%d", host, port);
    rc = 0;
done:
    free(work);
    return rc;
}

static int readable_file(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return 0;
    fclose(fp);
    return 1;
}

static int copy_headers(feed *f, const feed_spec *spec, char *err, size_t err_size)
{
    if (spec->header_count == 0)
        return 0;
    if (!spec->header_names || !spec->header_values) {
        set_error(err, err_size, "feed %s: headers without names or values", f->name);
        return -1;
    }
    f->header_names = calloc(spec->header_count, sizeof *f->header_names);
    f->header_values = calloc(spec->header_count, sizeof *f->header_values);
    if (!f->header_names || !f->header_values) {
        set_error(err, err_size, "feed %s: out of memory", f->name);
        return -1;
    }
    f->header_count = spec->header_count;
    for (size_t i = 0; i < spec->header_count; i++) {
        const char *value = spec->header_values[i];
        f->header_names[i] = header_name_for_lws(spec->header_names[i]);
        if (!f->header_names[i]) {
            set_error(err, err_size, "feed %s: header %zu has an invalid name", f->name, i + 1);
            return -1;
        }
        if (!value || !header_value_is_safe(value)) {
            set_error(err, err_size, "feed %s: header %s has a missing or multi-line value",
                      f->name, spec->header_names[i]);
            return -1;
        }
        f->header_values[i] = copy_string(value);
        if (!f->header_values[i]) {
            set_error(err, err_size, "feed %s: out of memory", f->name);
            return -1;
        }
    }
    return 0;
}

static int copy_coalesce_by(feed *f, const feed_spec *spec, char *err, size_t err_size)
{
    if (spec->coalesce_count == 0)
        return 0;
    if (spec->coalesce_count > HANDOVER_KEY_MAX || !spec->coalesce_by) {
        set_error(err, err_size, "feed %s: coalesce_by takes 1 to %d JSON pointers", f->name,
                  HANDOVER_KEY_MAX);
        return -1;
    }
    for (size_t i = 0; i < spec->coalesce_count; i++) {
        const char *p = spec->coalesce_by[i];
        if (!p || p[0] != '/') {
            set_error(err, err_size, "feed %s: coalesce_by pointers start with '/'", f->name);
            return -1;
        }
        f->coalesce_by[i] = copy_string(p);
        if (!f->coalesce_by[i]) {
            set_error(err, err_size, "feed %s: out of memory", f->name);
            return -1;
        }
        f->coalesce_count = i + 1;
    }
    return 0;
}

static int init_feed(feed *f, feeds *F, size_t index, const feed_spec *spec, char *err,
                     size_t err_size)
{
    f->owner = F;
    f->index = index;
    f->peer_close_code = -1;
    f->stats.state = WB_FEED_CONNECTING;
    f->name = copy_string(spec->name && *spec->name ? spec->name : "feed");
    if (!f->name) {
        set_error(err, err_size, "out of memory");
        return -1;
    }
    if (!spec->url) {
        set_error(err, err_size, "feed %s: no url", f->name);
        return -1;
    }
    if (parse_feed_url(f, spec->url, err, err_size) < 0)
        return -1;
    if (copy_headers(f, spec, err, err_size) < 0)
        return -1;
    if (spec->ca_file && *spec->ca_file) {
        /* lws would only log a bad CA file and then fail every handshake: say it now. */
        if (!readable_file(spec->ca_file)) {
            set_error(err, err_size, "feed %s: cannot read ca_file %s", f->name, spec->ca_file);
            return -1;
        }
        f->ca_file = copy_string(spec->ca_file);
        if (!f->ca_file) {
            set_error(err, err_size, "feed %s: out of memory", f->name);
            return -1;
        }
    }
    if (copy_coalesce_by(f, spec, err, err_size) < 0)
        return -1;
    rx_init(&f->rx, F->opt.max_message_bytes);
    f->queue = handover_create(F->opt.queue_capacity, F->opt.queue_bytes);
    if (raw_ring_init(&f->raw, F->raw_feed_bytes, RAW_BIG_BYTES) < 0 || !f->queue) {
        set_error(err, err_size, "feed %s: out of memory", f->name);
        return -1;
    }
    f->parser = (rx_parser){.name = f->name,
                            .coalesce_by = (const char *const *)f->coalesce_by,
                            .coalesce_count = f->coalesce_count,
                            .queue = f->queue,
                            .max_message_bytes = F->opt.max_message_bytes,
                            .last_seq = -1};
    return 0;
}

static void free_feed(feed *f)
{
    for (size_t i = 0; i < f->header_count; i++) {
        free(f->header_names ? f->header_names[i] : NULL);
        if (f->header_values && f->header_values[i]) {
            /* Secrets should not linger in freed heap memory. */
            explicit_bzero(f->header_values[i], strlen(f->header_values[i]));
            free(f->header_values[i]);
        }
    }
    free(f->header_names);
    free(f->header_values);
    free(f->name);
    free(f->address);
    free(f->host_header);
    free(f->path);
    free(f->ca_file);
    for (size_t i = 0; i < f->coalesce_count; i++)
        free(f->coalesce_by[i]);
    rx_release(&f->rx);
    raw_ring_free(&f->raw);
    handover_destroy(f->queue);
}

static void apply_defaults(feeds_options *o, const feeds_options *given)
{
    if (given)
        *o = *given;
    if (!o->max_message_bytes)
        o->max_message_bytes = DEFAULT_MAX_MESSAGE_BYTES;
    if (!o->queue_capacity)
        o->queue_capacity = DEFAULT_QUEUE_CAPACITY;
    if (!o->queue_bytes)
        o->queue_bytes = DEFAULT_QUEUE_BYTES;
    if (!o->backoff_base_ms)
        o->backoff_base_ms = BACKOFF_BASE_MS;
    if (!o->backoff_cap_ms)
        o->backoff_cap_ms = BACKOFF_CAP_MS;
    if (!o->ping_after_s)
        o->ping_after_s = DEFAULT_PING_AFTER_S;
    if (!o->hangup_after_s)
        o->hangup_after_s = DEFAULT_HANGUP_AFTER_S;
    if (!o->message_timeout_s)
        o->message_timeout_s = DEFAULT_MESSAGE_TIMEOUT_S;
    /* lws keeps these in 16 bits, and a hangup before the ping would never let a pong save
     * the connection. */
    if (o->ping_after_s > 30000)
        o->ping_after_s = 30000;
    if (o->hangup_after_s <= o->ping_after_s)
        o->hangup_after_s = o->ping_after_s + 1;
    if (o->hangup_after_s > 60000)
        o->hangup_after_s = 60000;
    /* A raw record keeps a message's size in 32 bits. */
    if (o->max_message_bytes > UINT32_MAX)
        o->max_message_bytes = UINT32_MAX;
    if (!o->raw_queue_bytes)
        o->raw_queue_bytes = DEFAULT_RAW_QUEUE_BYTES;
}

/* Each feed's share of the raw budget: at least RAW_QUEUE_MIN_BYTES (one inline message must
 * always fit), a multiple of RAW_ALIGN. */
static size_t raw_share(size_t budget, size_t count)
{
    size_t share = count ? budget / count : budget;
    if (share < RAW_QUEUE_MIN_BYTES)
        share = RAW_QUEUE_MIN_BYTES;
    if (share > SIZE_MAX / 2)
        share = SIZE_MAX / 2;
    return share / RAW_ALIGN * RAW_ALIGN;
}

feeds *feeds_create(const feed_spec *specs, size_t count, const feeds_options *options,
                    void (*wake)(void *ctx), void *wake_ctx, char *err, size_t err_size)
{
    feeds *F = calloc(1, sizeof *F);
    size_t initialised = 0;
    int locks = 0;

    if (!F) {
        set_error(err, err_size, "out of memory");
        return NULL;
    }
    if (count > 0 && !specs) {
        set_error(err, err_size, "no feed specs");
        goto fail;
    }
    apply_defaults(&F->opt, options);
    F->idle_policy.secs_since_valid_ping = (uint16_t)F->opt.ping_after_s;
    F->idle_policy.secs_since_valid_hangup = (uint16_t)F->opt.hangup_after_s;
    F->wake = wake;
    F->wake_ctx = wake_ctx;
    F->raw_feed_bytes = raw_share(F->opt.raw_queue_bytes, count);
    if (pthread_mutex_init(&F->stats_lock, NULL) != 0)
        goto fail_nomem;
    locks++;
    if (pthread_mutex_init(&F->ctx_lock, NULL) != 0)
        goto fail_nomem;
    locks++;
    if (pthread_cond_init(&F->started_cond, NULL) != 0)
        goto fail_nomem;
    locks++;
    if (pthread_mutex_init(&F->raw_lock, NULL) != 0)
        goto fail_nomem;
    locks++;
    if (pthread_cond_init(&F->raw_cond, NULL) != 0)
        goto fail_nomem;
    locks++;
    F->batch = malloc(PARSE_BATCH_BYTES);
    if (!F->batch)
        goto fail_nomem;
    if (count > 0) {
        F->feeds = calloc(count, sizeof *F->feeds);
        if (!F->feeds)
            goto fail_nomem;
    }
    F->count = count;
    for (; initialised < count; initialised++) {
        if (init_feed(&F->feeds[initialised], F, initialised, &specs[initialised], err,
                      err_size) < 0) {
            initialised++; /* partially initialised: free it too */
            goto fail;
        }
    }
    return F;

fail_nomem:
    set_error(err, err_size, "out of memory");
fail:
    for (size_t i = 0; i < initialised; i++)
        free_feed(&F->feeds[i]);
    free(F->feeds);
    free(F->batch);
    if (locks > 4)
        pthread_cond_destroy(&F->raw_cond);
    if (locks > 3)
        pthread_mutex_destroy(&F->raw_lock);
    if (locks > 2)
        pthread_cond_destroy(&F->started_cond);
    if (locks > 1)
        pthread_mutex_destroy(&F->ctx_lock);
    if (locks > 0)
        pthread_mutex_destroy(&F->stats_lock);
    free(F);
    return NULL;
}

/* ------------------------------------------------------------------ counters and state */

static void set_state(feed *f, wb_feed_state state, const char *error)
{
    feeds *F = f->owner;
    pthread_mutex_lock(&F->stats_lock);
    int changed = f->stats.state != state;
    f->stats.state = state;
    if (error)
        snprintf(f->stats.last_error, sizeof f->stats.last_error, "%s", error);
    pthread_mutex_unlock(&F->stats_lock);
    if (changed)
        request_wake(F);
}

static void mark_established(feed *f)
{
    feeds *F = f->owner;
    /* Records carry it: the parse thread restarts seq-gap counting at a new connection, which
     * starts with a snapshot (no gap to the old one). */
    f->conn_gen++;
    pthread_mutex_lock(&F->stats_lock);
    f->stats.connects++;
    f->stats.ever_connected = 1;
    pthread_mutex_unlock(&F->stats_lock);
    set_state(f, WB_FEED_LIVE, NULL);
}

static void count_cut(feed *f)
{
    feeds *F = f->owner;
    pthread_mutex_lock(&F->stats_lock);
    f->stats.cut++;
    pthread_mutex_unlock(&F->stats_lock);
}

/* ------------------------------------------------------------------ the raw queue */

/* Network thread -> parse thread (the ring itself is in feed_rx.c). One lock (raw_lock) for all
 * feeds: there is one producer and one consumer whatever the number of feeds. The producer
 * takes it once per message to copy the message in; the consumer once per batch to copy many
 * out. */

/* Network thread, rx_fragment's push: queues one message for the parse thread, or the news of
 * an invalid one; while the ring is full the oldest records go (raw_push), counted as dropped. */
static void push_message(void *ctx, enum raw_kind kind, const void *data, size_t len,
                         unsigned char *big)
{
    feed *f = ctx;
    feeds *F = f->owner;
    uint64_t dropped = 0;
    unsigned char *gone;
    int signal;

    pthread_mutex_lock(&F->raw_lock);
    while ((gone = raw_push(&f->raw, kind, f->conn_gen, data, len, big, &dropped)) != NULL) {
        /* Freeing a big message can take a while: not under the parse thread's lock. */
        pthread_mutex_unlock(&F->raw_lock);
        free(gone);
        pthread_mutex_lock(&F->raw_lock);
    }
    if (dropped)
        atomic_fetch_add_explicit(&f->raw_dropped, dropped, memory_order_relaxed);
    signal = F->parse_waiting;
    F->parse_waiting = 0; /* one signal per sleep, not one per message */
    pthread_mutex_unlock(&F->raw_lock);
    if (signal)
        pthread_cond_signal(&F->raw_cond);
}

/* ------------------------------------------------------------------ the parse thread */

static void add_tally(feed *f, const parse_tally *t)
{
    feeds *F = f->owner;
    if (t->received == 0 && t->invalid == 0)
        return;
    uint64_t mono = t->received ? clock_mono_ms() : 0;
    int64_t wall = t->received ? clock_wall_ms() : 0;
    pthread_mutex_lock(&F->stats_lock);
    f->stats.received += t->received;
    f->stats.bytes += t->bytes;
    f->stats.invalid += t->invalid;
    f->stats.seq_missed += t->seq_missed;
    f->stats.seq_gaps += t->seq_gaps;
    if (t->received) {
        f->stats.last_message_mono_ms = mono ? mono : 1;
        f->stats.last_message_wall_ms = wall;
    }
    pthread_mutex_unlock(&F->stats_lock);
    if (t->received)
        request_wake(F);
}

/* Parses the records raw_take copied out (`n` bytes), all of feed f; the counters go to the
 * feed's stats once per batch, under one lock with one pair of clock reads (per message they
 * would cost more than the hand-over itself). */
static void parse_batch(feed *f, const unsigned char *batch, size_t n)
{
    parse_tally t = {0};
    rx_parse_batch(&f->parser, batch, n, &t);
    add_tally(f, &t);
}

/* The next feed with raw records, round robin so a flooding feed cannot starve the others.
 * With the lock. */
static feed *next_raw_feed(feeds *F)
{
    for (size_t i = 0; i < F->count; i++) {
        size_t idx = (F->parse_next + i) % F->count;
        if (F->feeds[idx].raw.used > 0) {
            F->parse_next = (idx + 1) % F->count;
            return &F->feeds[idx];
        }
    }
    return NULL;
}

static void *parse_thread(void *arg)
{
    feeds *F = arg;

    prctl(PR_SET_NAME, "wb-parse"); /* for top -H and perf: which thread is busy */
    pthread_mutex_lock(&F->raw_lock);
    for (;;) {
        feed *f = NULL;
        while (!F->parse_stop && (f = next_raw_feed(F)) == NULL) {
            F->parse_waiting = 1;
            pthread_cond_wait(&F->raw_cond, &F->raw_lock);
        }
        F->parse_waiting = 0;
        if (F->parse_stop)
            break;
        size_t n = raw_take(&f->raw, F->batch, PARSE_BATCH_BYTES);
        pthread_mutex_unlock(&F->raw_lock);
        parse_batch(f, F->batch, n);
        pthread_mutex_lock(&F->raw_lock);
    }
    pthread_mutex_unlock(&F->raw_lock);
    return NULL;
}

/* Joins the parse thread and discards what it had not taken: nobody would parse it now. */
static void stop_parse_thread(feeds *F)
{
    pthread_mutex_lock(&F->raw_lock);
    F->parse_stop = 1;
    pthread_mutex_unlock(&F->raw_lock);
    pthread_cond_signal(&F->raw_cond);
    pthread_join(F->parse_thread, NULL);
    for (size_t i = 0; i < F->count; i++)
        raw_clear(&F->feeds[i].raw);
}

/* ------------------------------------------------------------------ message reassembly */

static void receive_fragment(feed *f, struct lws *wsi, const void *in, size_t len)
{
    f->last_fragment_mono_ms = clock_mono_ms();
    rx_fragment(&f->rx, lws_is_first_fragment(wsi), lws_is_final_fragment(wsi),
                lws_frame_is_binary(wsi), in, len, push_message, f);
    /* Pongs keep the idle policy happy, so a message that stops half-way needs a clock of its
     * own: re-armed by every fragment, disarmed when the message completes. */
    if (f->rx.in_message) {
        lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, (int)f->owner->opt.message_timeout_s);
        f->message_timer = 1;
    } else if (f->message_timer) {
        lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
        f->message_timer = 0;
    }
}

/* ------------------------------------------------------------------ connection lifecycle */

static void connect_feed(feed *f);

static void retry_due(lws_sorted_usec_list_t *sul)
{
    feed *f = lws_container_of(sul, feed, retry_timer);
    if (!f->owner->closing && !f->retired)
        connect_feed(f);
}

static void schedule_retry(feed *f)
{
    feeds *F = f->owner;
    unsigned delay = backoff_delay_ms(f->retry_attempt, F->opt.backoff_base_ms,
                                      F->opt.backoff_cap_ms, next_rand01(F));
    if (f->retry_attempt < UINT_MAX)
        f->retry_attempt++;
    log_line(WB_LOG_DEBUG, "feed", "%s: reconnecting in %u ms", f->name, delay);
    lws_sul_schedule(F->ctx, 0, &f->retry_timer, retry_due, (lws_usec_t)delay * LWS_US_PER_MS);
}

/* A server that is down keeps failing the same way: say so once, not every few seconds; and
 * one that accepts and hangs up at once is rate-limited like any other hostile input. */
static void log_connection_end(feed *f, const char *reason, int was_live)
{
    char key[160];
    int repeated = strcmp(f->last_logged_error, reason) == 0;
    wb_log_level level = (was_live || !repeated) ? WB_LOG_WARN : WB_LOG_DEBUG;
    snprintf(key, sizeof key, "feed:%s:down", f->name);
    log_limited(level, "feed", key, "%s: %s %s:%d: %s", f->name,
                was_live ? "lost" : "cannot reach", f->address, f->port, reason);
    snprintf(f->last_logged_error, sizeof f->last_logged_error, "%s", reason);
}

static void log_connection_up(feed *f)
{
    char key[160];
    snprintf(key, sizeof key, "feed:%s:up", f->name);
    log_limited(WB_LOG_INFO, "feed", key, "%s: connected to %s:%d", f->name, f->address,
                f->port);
}

/* Every way an attempt can end (error, close, or just WSI_DESTROY after a failed handshake)
 * lands here; only the first one for the current attempt counts. wsi NULL = no wsi exists. */
static void connection_ended(feed *f, struct lws *wsi, const char *reason)
{
    if (!f->attempt_open || (wsi && f->wsi && f->wsi != wsi))
        return;
    int was_live = f->established;
    if (f->attempt_error[0])
        reason = f->attempt_error;
    if (was_live && clock_mono_ms() - f->established_mono_ms >= STABLE_CONNECTION_MS)
        f->retry_attempt = 0;
    f->attempt_open = 0;
    f->wsi = NULL;
    f->established = 0;
    f->message_timer = 0;
    if (rx_release(&f->rx))
        count_cut(f);
    if (f->owner->closing || f->retired) {
        set_state(f, WB_FEED_DOWN, NULL);
        return;
    }
    log_connection_end(f, reason, was_live);
    set_state(f, WB_FEED_DOWN, reason);
    schedule_retry(f);
}

static void connect_feed(feed *f)
{
    feeds *F = f->owner;
    struct lws_client_connect_info ci;

    memset(&ci, 0, sizeof ci);
    ci.context = F->ctx;
    ci.vhost = f->vhost;
    ci.address = f->address;
    ci.port = f->port;
    ci.path = f->path;
    ci.host = f->host_header;
    ci.ssl_connection = f->tls ? LCCSCF_USE_SSL : 0; /* verification stays on */
    ci.protocol = NULL;          /* no subprotocol: plain servers (websocketd) must work */
    ci.local_protocol_name = FEED_PROTOCOL;
    ci.ietf_version_or_minus_one = -1;
    ci.alpn = "http/1.1";        /* a websocket upgrade needs HTTP/1.1, never h2 */
    ci.opaque_user_data = f;
    ci.retry_and_idle_policy = &F->idle_policy;

    f->wsi = NULL;
    f->attempt_open = 1;
    f->attempt_mono_ms = clock_mono_ms();
    f->established = 0;
    f->peer_close_code = -1;
    f->attempt_error[0] = '\0';
    rx_release(&f->rx);
    set_state(f, WB_FEED_CONNECTING, NULL);

    struct lws *wsi = lws_client_connect_via_info(&ci);
    if (!f->attempt_open)
        return; /* it already failed inside the call, and was handled */
    if (!wsi) {
        /* lws 4.1 resolves names synchronously and returns NULL when that fails. */
        f->wsi = NULL;
        connection_ended(f, NULL, "connect failed: unknown host or no route");
        return;
    }
    f->wsi = wsi;
}

/* lws' reasons are terse and vary by phase; keep the meaning, lose the jargon. lws 4.1 says
 * only "Unable to connect" when the TCP connect fails, whatever the errno was. */
static void describe_connect_error(feed *f, struct lws *wsi, const char *lws_reason,
                                   char *out, size_t size)
{
    char reason[ERROR_TEXT];
    copy_printable(reason, sizeof reason, lws_reason ? lws_reason : "");
    unsigned status = wsi ? lws_http_client_http_response(wsi) : 0;

    if (strstr(reason, "REFUSED") || strstr(reason, "refused"))
        snprintf(out, size, "connection refused");
    else if (strcmp(reason, "Unable to connect") == 0)
        snprintf(out, size, "connection refused or unreachable");
    else if (status >= 100 && status != 101)
        snprintf(out, size, "handshake failed: HTTP %u", status);
    else if (strstr(reason, "imeout") || strstr(reason, "imed out"))
        snprintf(out, size, "timed out");
    else if (strstr(reason, "HS:") || strstr(reason, "andshake"))
        snprintf(out, size, "handshake failed: %.120s", reason);
    else if (f->tls && (strstr(reason, "SSL") || strstr(reason, "ssl") || strstr(reason, "tls")))
        /* lws 4.1 says only "connect SSL err 1" here, and the peer certificate is already gone;
         * its own error line (logged through lws_log_emit) names the verification failure. */
        snprintf(out, size, "tls handshake failed (certificate not trusted or not for this "
                            "host?)");
    else if (reason[0])
        snprintf(out, size, "connect failed: %.120s", reason);
    else
        snprintf(out, size, f->established ? "connection lost" : "connect failed");
}

/* An attempt that ends before the upgrade, without an error callback: lws closed it, either
 * on its handshake timeout or because the server hung up. */
static void describe_failed_handshake(feed *f, char *out, size_t size)
{
    uint64_t waited_ms = clock_mono_ms() - f->attempt_mono_ms;
    if (waited_ms + 1000 >= (uint64_t)f->owner->opt.hangup_after_s * 1000)
        snprintf(out, size, "handshake timed out after %llu s",
                 (unsigned long long)(waited_ms / 1000));
    else
        snprintf(out, size, "handshake failed: connection closed by server");
}

static void describe_close(feed *f, char *out, size_t size)
{
    feeds *F = f->owner;
    uint64_t silent_ms = clock_mono_ms() - f->last_rx_mono_ms;
    uint64_t stalled_ms = clock_mono_ms() - f->last_fragment_mono_ms;

    if (f->peer_close_code == LWS_CLOSE_STATUS_NO_STATUS)
        snprintf(out, size, "closed by server (no close code)");
    else if (f->peer_close_code >= 0)
        snprintf(out, size, "closed by server (code %d)", f->peer_close_code);
    else if (f->established && silent_ms + 1000 >= (uint64_t)F->opt.hangup_after_s * 1000)
        snprintf(out, size, "no answer for %llu s (ping unanswered)",
                 (unsigned long long)(silent_ms / 1000));
    else if (f->established && f->rx.in_message &&
             stalled_ms + 1000 >= (uint64_t)F->opt.message_timeout_s * 1000)
        snprintf(out, size, "message stalled: no data for %llu s in the middle of it",
                 (unsigned long long)(stalled_ms / 1000));
    else if (f->established)
        snprintf(out, size, "connection lost");
    else
        describe_failed_handshake(f, out, size);
}

static int append_extra_headers(feed *f, struct lws *wsi, void *in, size_t len)
{
    unsigned char **p = (unsigned char **)in;
    unsigned char *end = *p + len;

    for (size_t i = 0; i < f->header_count; i++) {
        const char *value = f->header_values[i];
        if (lws_add_http_header_by_name(wsi, (const unsigned char *)f->header_names[i],
                                        (const unsigned char *)value, (int)strlen(value), p,
                                        end)) {
            snprintf(f->attempt_error, sizeof f->attempt_error,
                     "handshake failed: header %.60s does not fit", f->header_names[i]);
            return -1;
        }
    }
    return 0;
}

static void note_peer_close(feed *f, const void *in, size_t len)
{
    const unsigned char *b = in;
    f->peer_close_code = len >= 2 ? (b[0] << 8) | b[1] : LWS_CLOSE_STATUS_NO_STATUS;
}

/* ------------------------------------------------------------------ stopping */

static void grace_over(lws_sorted_usec_list_t *sul)
{
    feeds *F = lws_container_of(sul, feeds, grace_timer);
    F->grace_over = 1;
}

/* Established connections get a close frame (1001 going away) on their next writable
 * callback; half-open ones are killed at once. Runs from the service loop, outside any lws
 * callback, because a synchronous kill re-enters the callback for that connection. */
static void begin_close(feeds *F)
{
    if (F->closing)
        return;
    F->closing = 1;
    for (size_t i = 0; i < F->count; i++) {
        feed *f = &F->feeds[i];
        lws_sul_cancel(&f->retry_timer);
        if (!f->attempt_open || !f->wsi)
            continue;
        if (f->established) {
            lws_close_reason(f->wsi, LWS_CLOSE_STATUS_GOINGAWAY, (unsigned char *)"stopping",
                             8);
            lws_callback_on_writable(f->wsi);
        } else {
            lws_set_timeout(f->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
        }
    }
    lws_sul_schedule(F->ctx, 0, &F->grace_timer, grace_over,
                     (lws_usec_t)STOP_GRACE_MS * LWS_US_PER_MS);
}

/* A feed the wall's new config no longer has: its connection closes like at a stop (1001),
 * the others go on untouched. Service loop only, outside any callback (as begin_close). */
static void retire_feed(feed *f)
{
    if (f->retired)
        return;
    f->retired = 1;
    lws_sul_cancel(&f->retry_timer);
    if (!f->attempt_open || !f->wsi) {
        set_state(f, WB_FEED_DOWN, NULL);
        return;
    }
    if (f->established) {
        lws_close_reason(f->wsi, LWS_CLOSE_STATUS_GOINGAWAY, (unsigned char *)"removed", 7);
        lws_callback_on_writable(f->wsi);
    } else {
        lws_set_timeout(f->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
    }
}

static void retire_requested_feeds(feeds *F)
{
    if (!atomic_exchange(&F->retire_pending, 0))
        return;
    for (size_t i = 0; i < F->count; i++)
        if (atomic_load(&F->feeds[i].retire_requested))
            retire_feed(&F->feeds[i]);
}

static int all_connections_ended(const feeds *F)
{
    for (size_t i = 0; i < F->count; i++)
        if (F->feeds[i].attempt_open)
            return 0;
    return 1;
}

/* ------------------------------------------------------------------ lws glue */

static feed *feed_of(struct lws *wsi)
{
    return wsi ? lws_get_opaque_user_data(wsi) : NULL;
}

static int feed_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                         void *in, size_t len)
{
    char why[ERROR_TEXT];
    feed *f;
    (void)user;

    /* feeds_stop's lws_cancel_service lands here; returning makes lws_service return, and
     * the service loop (outside any callback) then sees stop_requested and closes. */
    if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED)
        return 0;
    f = feed_of(wsi);
    if (!f)
        return 0;

    switch (reason) {
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
        return append_extra_headers(f, wsi, in, len);
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        if (f->retired) {
            /* Retired while its handshake ran: it must not come alive. */
            lws_close_reason(wsi, LWS_CLOSE_STATUS_GOINGAWAY, (unsigned char *)"removed", 7);
            return -1;
        }
        f->established = 1;
        f->established_mono_ms = f->last_rx_mono_ms = clock_mono_ms();
        f->last_logged_error[0] = '\0';
        log_connection_up(f);
        mark_established(f);
        break;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        f->last_rx_mono_ms = clock_mono_ms();
        /* Traffic proves the server alive as well as a pong would: a chatty server that
         * ignores pings is not the silent one the idle policy is for. */
        lws_validity_confirmed(wsi);
        receive_fragment(f, wsi, in, len);
        break;
    case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
        f->last_rx_mono_ms = clock_mono_ms();
        break;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        note_peer_close(f, in, len);
        break;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        if (f->owner->closing || f->retired)
            return -1; /* sends the close frame set up in begin_close or retire_feed */
        break;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        describe_connect_error(f, wsi, in, why, sizeof why);
        connection_ended(f, wsi, why);
        break;
    case LWS_CALLBACK_CLIENT_CLOSED:
        describe_close(f, why, sizeof why);
        connection_ended(f, wsi, why);
        break;
    case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
    case LWS_CALLBACK_WSI_DESTROY:
        /* A handshake that hangs or is cut may end with nothing but these. */
        describe_close(f, why, sizeof why);
        connection_ended(f, wsi, why);
        break;
    default:
        break;
    }
    return 0;
}

static const struct lws_protocols feed_protocols[] = {
    {.name = FEED_PROTOCOL, .callback = feed_callback, .rx_buffer_size = RX_CHUNK_BYTES},
    {0}, /* lws 4.1 has no LWS_PROTOCOL_LIST_TERM */
};

/* lws' own lines (errors only) go through our log, rate-limited: a broken TLS setup would
 * otherwise print one per reconnect. */
static void lws_log_emit(int level, const char *line)
{
    char clean[512];
    copy_printable(clean, sizeof clean, line);
    log_limited(level == LLL_ERR ? WB_LOG_ERROR : WB_LOG_WARN, "lws", "lws", "%s", clean);
}

/* `tls`: with OpenSSL set up. For a vhost that means a client SSL_CTX loaded with the whole
 * system CA store (X509_STORE_set_default_paths, a quarter of the start-up's CPU), so only
 * the context and vhosts that wss:// feeds need get it. */
static void base_creation_info(feeds *F, struct lws_context_creation_info *info, int tls)
{
    memset(info, 0, sizeof *info);
    info->port = CONTEXT_PORT_NO_LISTEN;
    info->protocols = feed_protocols;
    info->options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS |
                    (tls ? LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT : 0);
    info->gid = -1;
    info->uid = -1;
    info->user = F;
    info->pt_serv_buf_size = SERVICE_BUFFER_BYTES;
    /* A server that accepts TCP but never answers the handshake is given up on this fast. */
    info->timeout_secs = F->opt.hangup_after_s;
    info->connect_timeout_secs = F->opt.hangup_after_s;
}

/* Same vhost for two feeds: both ws://, or both wss:// trusting the same CA file. */
static int same_vhost(const feed *a, const feed *b)
{
    if (a->tls != b->tls)
        return 0;
    if (!a->tls)
        return 1; /* a ca_file means nothing without TLS */
    return (!a->ca_file && !b->ca_file) ||
           (a->ca_file && b->ca_file && strcmp(a->ca_file, b->ca_file) == 0);
}

static int any_tls(const feeds *F)
{
    for (size_t i = 0; i < F->count; i++)
        if (F->feeds[i].tls)
            return 1;
    return 0;
}

/* One plain vhost for the ws:// feeds, and one per distinct CA file for the wss:// ones,
 * because lws binds the client CA to the vhost: feeds that trust a private CA do not make the
 * others trust it. */
static int create_vhosts(feeds *F, char *err, size_t err_size)
{
    for (size_t i = 0; i < F->count; i++) {
        feed *f = &F->feeds[i];
        for (size_t j = 0; j < i && !f->vhost; j++)
            if (same_vhost(&F->feeds[j], f))
                f->vhost = F->feeds[j].vhost;
        if (f->vhost)
            continue;
        struct lws_context_creation_info info;
        base_creation_info(F, &info, f->tls);
        snprintf(f->vhost_name, sizeof f->vhost_name, "wallboard-%zu", i);
        info.vhost_name = f->vhost_name;
        info.client_ssl_ca_filepath = f->tls ? f->ca_file : NULL;
        f->vhost = lws_create_vhost(F->ctx, &info);
        if (!f->vhost) {
            set_error(err, err_size, "feed %s: cannot set up its client (tls/ca_file?)",
                      f->name);
            return -1;
        }
    }
    return 0;
}

static struct lws_context *create_context(feeds *F, char *err, size_t err_size)
{
    struct lws_context_creation_info info;
    base_creation_info(F, &info, any_tls(F));
    struct lws_context *ctx = lws_create_context(&info);
    if (!ctx)
        set_error(err, err_size, "cannot create the websocket client context");
    return ctx;
}

static void publish_context(feeds *F, struct lws_context *ctx)
{
    pthread_mutex_lock(&F->ctx_lock);
    F->ctx = ctx;
    pthread_mutex_unlock(&F->ctx_lock);
}

/* Wakes feeds_start, which waits for the context (or the reason there is none). */
static void publish_start(feeds *F, int result, const char *error)
{
    pthread_mutex_lock(&F->ctx_lock);
    F->start_result = result;
    snprintf(F->start_error, sizeof F->start_error, "%s", error ? error : "");
    pthread_cond_broadcast(&F->started_cond);
    pthread_mutex_unlock(&F->ctx_lock);
}

static void destroy_context(feeds *F)
{
    struct lws_context *ctx = F->ctx;
    F->closing = 1; /* callbacks during destruction must not schedule anything */
    for (size_t i = 0; i < F->count; i++)
        lws_sul_cancel(&F->feeds[i].retry_timer);
    lws_sul_cancel(&F->grace_timer);
    publish_context(F, NULL); /* feeds_stop must not cancel a context being destroyed */
    lws_context_destroy(ctx);
}

static void *network_thread(void *arg)
{
    feeds *F = arg;
    char err[ERROR_TEXT] = "";

    prctl(PR_SET_NAME, "wb-net");
    struct lws_context *ctx = create_context(F, err, sizeof err);
    if (!ctx) {
        publish_start(F, -1, err);
        return NULL;
    }
    publish_context(F, ctx);
    if (create_vhosts(F, err, sizeof err) < 0) {
        destroy_context(F);
        publish_start(F, -1, err);
        return NULL;
    }
    publish_start(F, 1, NULL);

    seed_rand(F);
    for (size_t i = 0; i < F->count; i++)
        connect_feed(&F->feeds[i]);
    while (!F->grace_over) {
        if (atomic_load(&F->stop_requested))
            begin_close(F);
        else
            retire_requested_feeds(F);
        if (F->closing && all_connections_ended(F))
            break;
        if (lws_service(F->ctx, 0) < 0) {
            log_line(WB_LOG_ERROR, "feed", "websocket service failed; feeds stop");
            break;
        }
    }
    destroy_context(F);
    return NULL;
}

/* ------------------------------------------------------------------ public API */

int feeds_start(feeds *F, char *err, size_t err_size)
{
    if (F->thread_running) {
        set_error(err, err_size, "feeds already started");
        return -1;
    }
    lws_set_log_level(LLL_ERR, lws_log_emit);
    atomic_store(&F->stop_requested, 0);
    F->start_result = 0;
    F->closing = 0;
    F->grace_over = 0;
    F->parse_stop = 0;
    /* The parse thread first: the network thread pushes to it from its first message. */
    if (pthread_create(&F->parse_thread, NULL, parse_thread, F) != 0) {
        set_error(err, err_size, "cannot start the parse thread");
        return -1;
    }
    if (pthread_create(&F->thread, NULL, network_thread, F) != 0) {
        stop_parse_thread(F);
        set_error(err, err_size, "cannot start the network thread");
        return -1;
    }
    pthread_mutex_lock(&F->ctx_lock);
    while (F->start_result == 0)
        pthread_cond_wait(&F->started_cond, &F->ctx_lock);
    int result = F->start_result;
    pthread_mutex_unlock(&F->ctx_lock);
    if (result < 0) {
        pthread_join(F->thread, NULL);
        stop_parse_thread(F);
        set_error(err, err_size, "%s", F->start_error);
        return -1;
    }
    F->thread_running = 1;
    return 0;
}

void feeds_stop(feeds *F)
{
    if (!F || !F->thread_running)
        return;
    atomic_store(&F->stop_requested, 1);
    pthread_mutex_lock(&F->ctx_lock);
    if (F->ctx)
        lws_cancel_service(F->ctx); /* the one lws call that is safe from another thread */
    pthread_mutex_unlock(&F->ctx_lock);
    pthread_join(F->thread, NULL);
    /* Then the parse thread: nothing pushes to it any more, and what it pushes to (the
     * hand-overs) lives until feeds_destroy. */
    stop_parse_thread(F);
    F->thread_running = 0;
}

void feeds_retire(feeds *F, size_t feed_index)
{
    if (!F || feed_index >= F->count)
        return;
    atomic_store(&F->feeds[feed_index].retire_requested, 1);
    atomic_store(&F->retire_pending, 1);
    pthread_mutex_lock(&F->ctx_lock);
    if (F->ctx)
        lws_cancel_service(F->ctx);
    pthread_mutex_unlock(&F->ctx_lock);
}

void feeds_destroy(feeds *F)
{
    if (!F)
        return;
    feeds_stop(F);
    for (size_t i = 0; i < F->count; i++)
        free_feed(&F->feeds[i]);
    free(F->feeds);
    free(F->batch);
    pthread_cond_destroy(&F->raw_cond);
    pthread_mutex_destroy(&F->raw_lock);
    pthread_cond_destroy(&F->started_cond);
    pthread_mutex_destroy(&F->ctx_lock);
    pthread_mutex_destroy(&F->stats_lock);
    free(F);
}

size_t feeds_drain(feeds *F, feeds_message_fn fn, void *ctx)
{
    size_t handed = 0;

    /* Cleared before popping, so a message pushed from now on wakes the main thread again. */
    atomic_store(&F->wake_pending, 0);
    for (size_t idx = 0; idx < F->count; idx++) {
        feed *f = &F->feeds[idx];
        /* What is queued now, not more: a flood must not keep the main thread here. */
        size_t budget = handover_length(f->queue);
        json_t *batch[DRAIN_BATCH];
        while (budget > 0) {
            size_t n = handover_pop_many(f->queue, batch,
                                         budget < DRAIN_BATCH ? budget : DRAIN_BATCH);
            if (n == 0)
                break;
            budget -= n;
            for (size_t i = 0; i < n; i++) {
                if (fn)
                    fn(ctx, idx, batch[i]);
                json_decref(batch[i]);
            }
            handed += n;
        }
    }
    return handed;
}

void feeds_stats(feeds *F, size_t feed_index, feed_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!F || feed_index >= F->count)
        return;
    feed *f = &F->feeds[feed_index];
    pthread_mutex_lock(&F->stats_lock);
    *out = f->stats;
    pthread_mutex_unlock(&F->stats_lock);
    out->dropped_unparsed = atomic_load_explicit(&f->raw_dropped, memory_order_relaxed);
    out->dropped = handover_dropped(f->queue) + out->dropped_unparsed;
    out->coalesced = handover_coalesced(f->queue);
}

