/* server.h: the websocket side of wallboard-feeds. One lws context on the calling thread,
 * one channel per feed path, every client of a path fed the same event stream, generated live
 * or replayed from a recording. */
#ifndef WB_FEEDS_SERVER_H
#define WB_FEEDS_SERVER_H

#include "source.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define SERVER_DEFAULT_BACKLOG 1024
#define SERVER_MAX_RATE 10000

typedef struct server_options {
    const char *bind_address; /* numeric IPv4 or IPv6 address */
    int port;                 /* 0 = let the kernel choose; see server_port */
    size_t backlog;           /* events a client may have queued beyond its snapshot */
    /* The paths to serve (NULL: every built-in one). */
    const feed_source *const *sources;
    size_t source_count;

    /* Generating (no replay_path): what the models are created from. */
    uint64_t seed;
    unsigned rate;            /* /demo: events per second, 0 = snapshots only */
    int32_t start_day;        /* simulated date, days since 1970-01-01 */
    int64_t start_ms;         /* simulated time of day at start, ms */
    unsigned time_scale;      /* simulated seconds per real second, 0 = stopped */
    const char *record_path;  /* write every message sent here, NULL = no recording */

    /* Replaying: a recording that replay_check has accepted. */
    const char *replay_path;
    double replay_speed;      /* offsets are divided by it; 0 = as fast as possible */
    unsigned wait_clients;    /* start playing once this many clients are connected */
} server_options;

typedef struct server server;

/* Creates the models and starts listening. NULL with err filled (e.g. port in use). */
server *server_create(const server_options *options, char *err, size_t err_size);
/* The port actually listened on (the chosen one when options->port was 0). */
int server_port(const server *s);
/* Serves until *stop becomes nonzero (set it from a signal handler), then sends every client
 * a "going away" close and waits briefly for them. 0, or -1 with err on a fatal error
 * (including a recording that cannot be written). */
int server_run(server *s, volatile sig_atomic_t *stop, char *err, size_t err_size);
/* Closes whatever is still connected, finishes the recording and frees everything. 0, or -1
 * with err if the recording could not be completed. NULL is fine. */
int server_destroy(server *s, char *err, size_t err_size);

#endif
