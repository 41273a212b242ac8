/* server.c: serves every feed path over websockets: a snapshot on connect, then the shared events.
 * Must never block the loop, let a slow client cost more than its queue, or let clients change the stream. */
#include "server.h"
#include "source.h"
#include "wire.h"

#include <libwebsockets.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROTOCOL_NAME "wallboard-feed"
#define TICK_MAX_US 100000        /* bounds how late a stop request or a paced event is seen */
#define TICK_MIN_US 1000          /* the poll loop's resolution; faster rates emit in batches */
#define DRAIN_US 1000000          /* how long shutdown waits for clients to take their close */
#define CLOSE_REASON "server shutting down"

typedef struct channel {
    const feed_source *source;
    void *gen;
    uint64_t seq;              /* seq of the last event emitted, 0 before the first */
    lws_dll2_owner_t clients;  /* of client.node */
} channel;

/* lws's per-session data: zeroed by lws, so channel == NULL means "not (or no longer) set up". */
typedef struct client {
    lws_dll2_t node;
    struct lws *wsi;
    channel *channel;
    outq queue;
    int lag_reported;
    int closing;
} client;

struct server {
    struct lws_context *context;
    struct lws_vhost *vhost;
    struct lws_protocols protocols[2];
    channel *channels;
    size_t channel_count;
    server_options options;
    lws_sorted_usec_list_t tick;
    int64_t started_us;        /* monotonic; events are paced from here */
    uint64_t events_emitted;   /* per channel: they all run at the same rate */
    volatile sig_atomic_t *stop;
    int draining;
    int64_t drain_deadline_us;
};

static int64_t mono_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static int64_t wall_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static channel *channel_for_request(server *s, struct lws *wsi)
{
    char uri[256];
    if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) <= 0) return NULL;
    for (size_t i = 0; i < s->channel_count; i++)
        if (strcmp(uri, s->channels[i].source->path) == 0) return &s->channels[i];
    return NULL;
}

static size_t client_total(const server *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->channel_count; i++) n += s->channels[i].clients.count;
    return n;
}

/* ---- clients ---- */

static int queue_snapshot(channel *ch, outq *queue, char *err, size_t err_size)
{
    int64_t ts = wall_ms();
    size_t keys = ch->source->key_count(ch->gen);
    for (size_t i = 0; i < keys; i++) {
        json_t *value = ch->source->key_value(ch->gen, i);
        if (!value) {
            snprintf(err, err_size, "%s: out of memory for a snapshot", ch->source->path);
            return -1;
        }
        wire_msg *m = wire_msg_build("snapshot", ch->seq, ts, ch->source->key_name(ch->gen, i),
                                     value, err, err_size);
        json_decref(value);
        if (!m) return -1;
        outq_push(queue, m);
        wire_msg_unref(m);
    }
    return 0;
}

static int client_start(server *s, client *cl, struct lws *wsi, channel *ch,
                        char *err, size_t err_size)
{
    /* Room for the whole snapshot on top of the backlog, so a fresh client never loses it. */
    size_t capacity = s->options.backlog + ch->source->key_count(ch->gen);
    if (outq_init(&cl->queue, capacity, err, err_size)) return -1;
    if (queue_snapshot(ch, &cl->queue, err, err_size)) goto fail;
    cl->wsi = wsi;
    cl->channel = ch;
    lws_dll2_add_tail(&cl->node, &ch->clients);
    lws_callback_on_writable(wsi);
    return 0;

fail:
    outq_free(&cl->queue);
    return -1;
}

static void client_stop(client *cl)
{
    if (!cl->channel) return;
    lws_dll2_remove(&cl->node);
    outq_free(&cl->queue);
    cl->channel = NULL;
}

static int client_write_next(client *cl)
{
    if (cl->closing) {
        lws_close_reason(cl->wsi, LWS_CLOSE_STATUS_GOINGAWAY, (unsigned char *)CLOSE_REASON,
                         strlen(CLOSE_REASON));
        return -1;
    }
    wire_msg *m = outq_pop(&cl->queue);
    if (!m) return 0;
    /* lws keeps whatever the socket does not take and holds back WRITEABLE until it is sent,
     * so a short count here is a real failure. */
    int written = lws_write(cl->wsi, wire_msg_payload(m), m->len, LWS_WRITE_TEXT);
    int complete = written >= 0 && (size_t)written >= m->len;
    wire_msg_unref(m);
    if (!complete) return -1;
    if (cl->queue.count) lws_callback_on_writable(cl->wsi);
    return 0;
}

static void client_enqueue(client *cl, wire_msg *m)
{
    if (outq_push(&cl->queue, m) && !cl->lag_reported) {
        char peer[64];
        cl->lag_reported = 1; /* once per connection: a stuck wall would otherwise flood the log */
        if (!lws_get_peer_simple(cl->wsi, peer, sizeof peer)) snprintf(peer, sizeof peer, "?");
        fprintf(stderr, "wallboard-feeds: %s: client %s is not keeping up; dropping its oldest "
                "queued messages (it will see a gap in seq)\n", cl->channel->source->path, peer);
    }
    lws_callback_on_writable(cl->wsi);
}

/* ---- events ---- */

static void channel_broadcast(channel *ch, wire_msg *m)
{
    lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1, lws_dll2_get_head(&ch->clients)) {
        client_enqueue(lws_container_of(d, client, node), m);
    } lws_end_foreach_dll_safe(d, d1);
}

static void channel_emit(channel *ch, int64_t ts)
{
    char err[256];
    /* Step even with nobody listening: the stream must not depend on who is connected. */
    size_t key = ch->source->step(ch->gen);
    ch->seq++;
    if (ch->clients.count == 0) return;

    json_t *value = ch->source->key_value(ch->gen, key);
    snprintf(err, sizeof err, "out of memory");
    wire_msg *m = value ? wire_msg_build("counter", ch->seq, ts, ch->source->key_name(ch->gen, key),
                                         value, err, sizeof err)
                        : NULL;
    json_decref(value);
    if (!m) {
        /* Clients see the missing seq as a gap, which is the truth. */
        fprintf(stderr, "wallboard-feeds: %s: event %llu lost: %s\n", ch->source->path,
                (unsigned long long)ch->seq, err);
        return;
    }
    channel_broadcast(ch, m);
    wire_msg_unref(m);
}

/* Events due since start at the configured rate. Split so that years of uptime at the top
 * rate cannot overflow. */
static uint64_t events_due(const server *s, int64_t now_us)
{
    uint64_t elapsed = (uint64_t)(now_us - s->started_us);
    return elapsed / 1000000 * s->options.rate + elapsed % 1000000 * s->options.rate / 1000000;
}

static void emit_due_events(server *s, int64_t now_us)
{
    uint64_t due = events_due(s, now_us);
    /* After a stall (suspend, debugger) skip the backlog instead of flooding clients. */
    if (due > s->events_emitted + s->options.rate) s->events_emitted = due - s->options.rate;
    int64_t ts = wall_ms();
    for (; s->events_emitted < due; s->events_emitted++)
        for (size_t i = 0; i < s->channel_count; i++) channel_emit(&s->channels[i], ts);
}

static int64_t next_tick_delay_us(const server *s, int64_t now_us)
{
    int64_t delay = TICK_MAX_US;
    if (s->options.rate && !s->draining) {
        uint64_t next = s->events_emitted + 1;
        /* Rounded up so the tick never lands just before the event it is for. */
        int64_t at = (int64_t)((next * 1000000 + s->options.rate - 1) / s->options.rate);
        delay = s->started_us + at - now_us;
    }
    if (delay < TICK_MIN_US) delay = TICK_MIN_US;
    if (delay > TICK_MAX_US) delay = TICK_MAX_US;
    return delay;
}

static void begin_drain(server *s)
{
    s->draining = 1;
    s->drain_deadline_us = mono_us() + DRAIN_US;
    for (size_t i = 0; i < s->channel_count; i++) {
        lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1,
                                   lws_dll2_get_head(&s->channels[i].clients)) {
            client *cl = lws_container_of(d, client, node);
            cl->closing = 1;
            lws_callback_on_writable(cl->wsi);
        } lws_end_foreach_dll_safe(d, d1);
    }
}

/* Runs on the service loop. Also what makes the loop return regularly, so that a stop
 * request raised by a signal between two polls is noticed within TICK_MAX_US. */
static void on_tick(lws_sorted_usec_list_t *sul)
{
    server *s = lws_container_of(sul, server, tick);
    int64_t now = mono_us();
    if (*s->stop && !s->draining) begin_drain(s);
    if (!s->draining) emit_due_events(s, now);
    lws_sul_schedule(s->context, 0, &s->tick, on_tick, next_tick_delay_us(s, mono_us()));
}

/* ---- lws glue ---- */

static int reject_unknown_path(struct lws *wsi)
{
    /* >0 tells lws we answered the request ourselves; it completes the transaction. */
    if (lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, "no such feed path"))
        return -1;
    return 1;
}

static int on_established(server *s, client *cl, struct lws *wsi)
{
    char err[256];
    channel *ch = channel_for_request(s, wsi);
    if (!ch || s->draining) return -1;
    if (client_start(s, cl, wsi, ch, err, sizeof err)) {
        fprintf(stderr, "wallboard-feeds: %s: refusing a client: %s\n", ch->source->path, err);
        return -1;
    }
    return 0;
}

static int feed_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                         void *in, size_t len)
{
    server *s = lws_context_user(lws_get_context(wsi));
    client *cl = user;

    switch (reason) {
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
        /* Refuse before the 101 so a client on a wrong path gets a plain 404. */
        if (!in || strcasecmp(in, "websocket") != 0) return -1; /* e.g. h2c: not ours */
        return channel_for_request(s, wsi) ? 0 : reject_unknown_path(wsi);
    case LWS_CALLBACK_ESTABLISHED:
        return on_established(s, cl, wsi);
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return cl->channel ? client_write_next(cl) : -1;
    case LWS_CALLBACK_RECEIVE:
        return 0; /* feeds are one-way: whatever a client says is read and dropped */
    case LWS_CALLBACK_CLOSED:
        client_stop(cl);
        return 0;
    default:
        /* Plain HTTP requests (no upgrade) get lws's stock 404. */
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

static int is_ipv4_address(const char *address)
{
    struct in_addr a;
    return inet_pton(AF_INET, address, &a) == 1;
}

/* lws treats an address that no interface holds as "not up yet": it would create the vhost,
 * retry every 30 s and never listen. A throwaway bind to an ephemeral port tells us now. */
static int check_local_address(const char *address, char *err, size_t err_size)
{
    struct sockaddr_storage sa;
    socklen_t sa_len;
    memset(&sa, 0, sizeof sa);
    if (is_ipv4_address(address)) {
        struct sockaddr_in *v4 = (struct sockaddr_in *)&sa;
        v4->sin_family = AF_INET;
        inet_pton(AF_INET, address, &v4->sin_addr);
        sa_len = sizeof *v4;
    } else {
        struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&sa;
        v6->sin6_family = AF_INET6;
        if (inet_pton(AF_INET6, address, &v6->sin6_addr) != 1) {
            snprintf(err, err_size, "'%s' is not a numeric IPv4 or IPv6 address", address);
            return -1;
        }
        sa_len = sizeof *v6;
    }
    int fd = socket(sa.ss_family, SOCK_STREAM, 0);
    if (fd < 0) {
        snprintf(err, err_size, "cannot create a socket: %s", strerror(errno));
        return -1;
    }
    int rc = bind(fd, (struct sockaddr *)&sa, sa_len);
    int bind_errno = errno;
    close(fd);
    if (rc != 0) {
        snprintf(err, err_size, "cannot listen on %s: %s", address, strerror(bind_errno));
        return -1;
    }
    return 0;
}

static int create_lws(server *s, char *err, size_t err_size)
{
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    s->protocols[0] = (struct lws_protocols){
        .name = PROTOCOL_NAME,
        .callback = feed_callback,
        .per_session_data_size = sizeof(client),
    };
    /* protocols[1] stays zeroed: lws 4.1 ends the list with an empty entry. Being first,
     * PROTOCOL_NAME is also what clients naming no subprotocol get. */
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
    if (is_ipv4_address(s->options.bind_address)) info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    info.user = s;
    s->context = lws_create_context(&info);
    if (!s->context) {
        snprintf(err, err_size, "cannot create the websocket context");
        return -1;
    }

    info.vhost_name = "wallboard-feeds";
    info.port = s->options.port;
    info.iface = s->options.bind_address;
    info.protocols = s->protocols;
    /* TCP keepalive reaps clients whose machine vanished without closing. */
    info.ka_time = 60;
    info.ka_probes = 3;
    info.ka_interval = 10;
    s->vhost = lws_create_vhost(s->context, &info);
    if (!s->vhost || lws_get_vhost_listen_port(s->vhost) <= 0) {
        snprintf(err, err_size, "cannot listen on %s port %d (in use, or not a local address?)",
                 s->options.bind_address, s->options.port);
        return -1;
    }
    return 0;
}

static int create_channels(server *s, char *err, size_t err_size)
{
    size_t count;
    const feed_source *const *sources = feed_sources(&count);
    s->channels = calloc(count, sizeof *s->channels);
    if (!s->channels) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    feed_source_args args = { .seed = s->options.seed };
    for (size_t i = 0; i < count; i++) {
        s->channels[i].source = sources[i];
        s->channels[i].gen = sources[i]->create(&args, err, err_size);
        if (!s->channels[i].gen) return -1;
        s->channel_count = i + 1;
    }
    return 0;
}

server *server_create(const server_options *options, char *err, size_t err_size)
{
    server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    s->options = *options;
    if (s->options.backlog == 0) s->options.backlog = SERVER_DEFAULT_BACKLOG;
    if (check_local_address(s->options.bind_address, err, err_size)) goto fail;
    if (create_channels(s, err, err_size)) goto fail;
    if (create_lws(s, err, err_size)) goto fail;
    return s;

fail:
    server_destroy(s);
    return NULL;
}

int server_port(const server *s)
{
    return lws_get_vhost_listen_port(s->vhost);
}

int server_run(server *s, volatile sig_atomic_t *stop, char *err, size_t err_size)
{
    s->stop = stop;
    s->started_us = mono_us();
    s->events_emitted = 0;
    lws_sul_schedule(s->context, 0, &s->tick, on_tick, TICK_MIN_US);
    for (;;) {
        if (lws_service(s->context, 0) < 0) {
            snprintf(err, err_size, "websocket service loop failed");
            return -1;
        }
        if (*stop && !s->draining) begin_drain(s);
        if (s->draining && (client_total(s) == 0 || mono_us() > s->drain_deadline_us)) return 0;
    }
}

/* Frees the queues of clients still connected while their lws session memory is still
 * valid; the CLOSED callbacks that context destruction raises then find nothing to do. */
static void release_remaining_clients(server *s)
{
    for (size_t i = 0; i < s->channel_count; i++) {
        lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1,
                                   lws_dll2_get_head(&s->channels[i].clients)) {
            client_stop(lws_container_of(d, client, node));
        } lws_end_foreach_dll_safe(d, d1);
    }
}

void server_destroy(server *s)
{
    if (!s) return;
    release_remaining_clients(s);
    if (s->context) {
        lws_sul_cancel(&s->tick);
        lws_context_destroy(s->context);
    }
    for (size_t i = 0; i < s->channel_count; i++)
        s->channels[i].source->destroy(s->channels[i].gen);
    free(s->channels);
    free(s);
}
