/* server.h: the websocket side of wallboard-feeds. One lws context on the calling thread,
 * one channel per feed source path, every client of a path fed the same event stream. */
#ifndef WB_FEEDS_SERVER_H
#define WB_FEEDS_SERVER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define SERVER_DEFAULT_BACKLOG 1024
#define SERVER_MAX_RATE 10000

typedef struct server_options {
    const char *bind_address; /* numeric IPv4 or IPv6 address */
    int port;                 /* 0 = let the kernel choose; see server_port */
    uint64_t seed;
    unsigned rate;            /* events per second per path, 0 = snapshots only */
    size_t backlog;           /* events a client may have queued beyond its snapshot */
} server_options;

typedef struct server server;

/* Creates the generators and starts listening. NULL with err filled (e.g. port in use). */
server *server_create(const server_options *options, char *err, size_t err_size);
/* The port actually listened on (the chosen one when options->port was 0). */
int server_port(const server *s);
/* Serves until *stop becomes nonzero (set it from a signal handler), then sends every client
 * a "going away" close and waits briefly for them. 0, or -1 with err on a fatal error. */
int server_run(server *s, volatile sig_atomic_t *stop, char *err, size_t err_size);
/* Closes whatever is still connected and frees everything. NULL is fine. */
void server_destroy(server *s);

#endif
