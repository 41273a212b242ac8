/* feed.h: websocket feeds. One libwebsockets client context on its own thread, one connection
 * per feed; a parse thread beside it turns the raw messages into JSON for the main thread. */
#ifndef WB_FEED_H
#define WB_FEED_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <wallboard/plugin.h>

typedef struct feed_spec {
    const char *name;                 /* for logs */
    const char *url;                  /* ws://host[:port]/path or wss://... */
    const char *const *header_names;  /* extra handshake headers, e.g. "Authorization" */
    const char *const *header_values; /* secrets: never logged */
    size_t header_count;
    const char *ca_file;              /* wss: PEM of a private CA, or NULL for the system's */
    const char *const *coalesce_by;   /* JSON pointers of the coalescing key (see handover.h), */
    size_t coalesce_count;            /* 0..HANDOVER_KEY_MAX; 0 = every message is kept */
} feed_spec;

typedef struct feeds_options {
    size_t max_message_bytes;     /* default 1 MiB: bigger messages are dropped as invalid */
    size_t queue_capacity;        /* per feed, default 4096 parsed messages */
    size_t queue_bytes;           /* per feed, default 64 MiB of queued message text */
    size_t raw_queue_bytes;       /* all feeds together, default 4 MiB of received messages
                                   * not yet parsed, shared evenly (at least 64 KiB each);
                                   * messages over 16 KiB wait outside it, up to 4 MiB per feed */
    unsigned backoff_base_ms;     /* default BACKOFF_BASE_MS */
    unsigned backoff_cap_ms;      /* default BACKOFF_CAP_MS */
    unsigned ping_after_s;        /* idle seconds before a ping, default 5 */
    unsigned hangup_after_s;      /* idle seconds (no pong either) before dropping, default 12 */
    unsigned message_timeout_s;   /* seconds without a fragment in the middle of a message
                                   * before dropping, default 30: a server that answers pings
                                   * but never finishes a message must not hold a feed forever */
} feeds_options;

/* Counters of one feed; read with feeds_stats (thread-safe snapshot). */
typedef struct feed_stats {
    wb_feed_state state;          /* CONNECTING, LIVE or DOWN (STALE is decided per tile) */
    int ever_connected;
    uint64_t connects;            /* successful handshakes */
    uint64_t received;            /* valid messages parsed and handed over */
    uint64_t dropped;             /* lost without a newer value of their key: the main thread
                                   * lagged (hand-over full) or the parse thread did (raw
                                   * queue full, so never parsed nor received) */
    uint64_t dropped_unparsed;    /* the parse thread's share of dropped (in dropped too) */
    uint64_t coalesced;           /* handed over, then replaced by a newer one of the same key
                                   * before the main thread took it */
    uint64_t invalid;             /* not JSON, not an object, binary, bad UTF-8, too big */
    uint64_t bytes;
    uint64_t seq_gaps;            /* times "seq" jumped forward by more than 1 */
    uint64_t seq_missed;          /* messages those jumps skipped */
    uint64_t cut;                 /* messages a connection ended in the middle of (never
                                   * complete, so neither received nor invalid) */
    int64_t last_message_wall_ms; /* epoch ms of the last valid message, 0 = never */
    uint64_t last_message_mono_ms;/* clock_mono_ms() of the same, 0 = never */
    char last_error[160];         /* last connection error, "" if none; never holds secrets */
} feed_stats;

typedef struct feeds feeds;

/* `wake` is called from the network and parse threads (so it must be thread-safe) whenever
 * messages or a state change are ready; the main thread then calls feeds_drain. Specs are copied.
 * Returns NULL with `err` filled on a bad URL or allocation failure. Free with feeds_destroy. */
feeds *feeds_create(const feed_spec *specs, size_t count, const feeds_options *options,
                    void (*wake)(void *ctx), void *wake_ctx, char *err, size_t err_size);
/* Starts the parse thread, then the network thread. 0 or -1 with err. */
int feeds_start(feeds *f, char *err, size_t err_size);
/* Closes connections, joins the network thread, then the parse thread, and discards what was
 * received but not parsed. Parsed messages stay queued for feeds_drain or feeds_destroy.
 * Safe to call twice and without start. */
void feeds_stop(feeds *f);
void feeds_destroy(feeds *f);
/* Any thread: closes feed `feed_index` for good (close frame 1001, no reconnect) while the
 * others keep their connections; its state becomes DOWN. Its queued messages stay for
 * feeds_drain. Used when a reloaded config drops or changes that feed. */
void feeds_retire(feeds *f, size_t feed_index);

/* Main thread: hands the messages queued when it starts to fn, oldest first, feed by feed.
 * `message` is borrowed for the call (the drain releases it). Returns the count. */
typedef void (*feeds_message_fn)(void *ctx, size_t feed_index, json_t *message);
size_t feeds_drain(feeds *f, feeds_message_fn fn, void *ctx);

/* Thread-safe snapshot of one feed's counters. */
void feeds_stats(feeds *f, size_t feed_index, feed_stats *out);

#endif
