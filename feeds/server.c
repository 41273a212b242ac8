/* server.c: serves every feed path over websockets: a snapshot on connect, then the shared events, live or replayed.
 * Must never block the loop, let a slow client cost more than its queue, or let clients change the stream. */
#include "server.h"
#include "recording.h"
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
#define STALL_US 1000000          /* the most the feeds' clock advances in one tick */
#define MAX_BATCH 4096            /* events (or replayed lines) per path per tick, so that
                                     clients are served between batches however fast it runs */
#define WRITES_PER_CALLBACK 64    /* bounds one client's turn, so the others get theirs */
#define SNAPSHOT_REUSE_MS 1000    /* a snapshot this recent is reused for the next client */
#define DRAIN_US 1000000          /* how long shutdown waits for clients to take their close */
#define CLOSE_REASON "server shutting down"

typedef struct channel {
    const feed_source *source;
    void *model;
    uint64_t seq;              /* seq of the last event published, 0 before the first */
    lws_dll2_owner_t clients;  /* of client.node */
    /* The serialized snapshot of the current state, shared by clients connecting close
     * together (200 walls starting at once cost one snapshot). */
    wire_msg **snap;
    size_t snap_count;
    int64_t snap_ms;
    int snap_valid;
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

typedef struct replay_state {
    replay_reader *reader;
    replay_line pending;       /* the next line to play, if have_pending */
    int have_pending;
    int started;
    int finished;
    int64_t start_us;          /* feeds' clock when playing started */
    size_t played;
} replay_state;

struct server {
    struct lws_context *context;
    struct lws_vhost *vhost;
    struct lws_protocols protocols[2];
    channel *channels;
    size_t channel_count;
    server_options options;
    lws_sorted_usec_list_t tick;
    /* The feeds' clock: real time since server_run, except that one tick never advances it
     * by more than STALL_US. After a suspend the feeds resume where they were instead of
     * flooding clients with what they missed. */
    int64_t elapsed_us;
    int64_t last_mono_us;
    recorder *recorder;
    replay_state replay;
    int replaying;
    volatile sig_atomic_t *stop;
    int draining;
    int64_t drain_deadline_us;
    int failed;                /* a fatal error in the loop; err holds it */
    char err[512];
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

static void fatal(server *s, const char *what)
{
    if (s->failed) return;
    s->failed = 1;
    snprintf(s->err, sizeof s->err, "%s", what);
    lws_cancel_service(s->context);
}

static channel *channel_for_source(server *s, const feed_source *source)
{
    for (size_t i = 0; i < s->channel_count; i++)
        if (s->channels[i].source == source) return &s->channels[i];
    return NULL;
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

/* ---- snapshots ---- */

static void snapshot_release(channel *ch)
{
    for (size_t i = 0; i < ch->snap_count; i++) wire_msg_unref(ch->snap[i]);
    free(ch->snap);
    ch->snap = NULL;
    ch->snap_count = 0;
    ch->snap_valid = 0;
}

/* The channel's snapshot messages at its current seq, built or reused. */
static int snapshot_current(channel *ch, char *err, size_t err_size)
{
    int64_t now = wall_ms();
    if (ch->snap_valid && now - ch->snap_ms < SNAPSHOT_REUSE_MS) return 0;
    snapshot_release(ch);
    json_t *bodies = ch->source->snapshot(ch->model, err, err_size);
    if (!bodies) return -1;
    size_t n = json_array_size(bodies);
    ch->snap = calloc(n ? n : 1, sizeof *ch->snap);
    if (!ch->snap) {
        snprintf(err, err_size, "%s: out of memory for a snapshot", ch->source->path);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *msg = wire_envelope(json_array_get(bodies, i), ch->seq, now, err, err_size);
        wire_msg *m = msg ? wire_msg_build(msg, err, err_size) : NULL;
        json_decref(msg);
        if (!m) goto fail;
        ch->snap[ch->snap_count++] = m;
    }
    json_decref(bodies);
    ch->snap_ms = now;
    ch->snap_valid = 1;
    return 0;

fail:
    json_decref(bodies);
    snapshot_release(ch);
    return -1;
}

/* ---- clients ---- */

static int client_start(server *s, client *cl, struct lws *wsi, channel *ch,
                        char *err, size_t err_size)
{
    if (snapshot_current(ch, err, err_size)) return -1;
    /* Room for the whole snapshot on top of the backlog, so a fresh client never loses it. */
    if (outq_init(&cl->queue, s->options.backlog + ch->snap_count, err, err_size)) return -1;
    for (size_t i = 0; i < ch->snap_count; i++) outq_push(&cl->queue, ch->snap[i]);
    /* However many events pile up before the socket takes them, the snapshot goes first. */
    outq_pin(&cl->queue);
    cl->wsi = wsi;
    cl->channel = ch;
    lws_dll2_add_tail(&cl->node, &ch->clients);
    lws_callback_on_writable(wsi);
    return 0;
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
    /* Several messages per callback while the socket takes them: one per poll round would
     * cap a client at the loop's rate, far below what a loopback client reads. */
    for (int n = 0; n < WRITES_PER_CALLBACK && cl->queue.count; n++) {
        wire_msg *m = outq_pop(&cl->queue);
        /* lws keeps whatever the socket does not take and holds back WRITEABLE until it is
         * sent, so a short count here is a real failure. */
        int written = lws_write(cl->wsi, wire_msg_payload(m), m->len, LWS_WRITE_TEXT);
        int complete = written >= 0 && (size_t)written >= m->len;
        wire_msg_unref(m);
        if (!complete) return -1;
        if (lws_send_pipe_choked(cl->wsi)) break;
    }
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

/* ---- publishing ---- */

static void channel_broadcast(channel *ch, const json_t *msg)
{
    char err[256];
    if (ch->clients.count == 0) return;
    wire_msg *m = wire_msg_build(msg, err, sizeof err);
    if (!m) {
        /* Clients see the missing seq as a gap, which is the truth. */
        fprintf(stderr, "wallboard-feeds: %s: message lost: %s\n", ch->source->path, err);
        return;
    }
    lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1, lws_dll2_get_head(&ch->clients)) {
        client_enqueue(lws_container_of(d, client, node), m);
    } lws_end_foreach_dll_safe(d, d1);
    wire_msg_unref(m);
}

static int record(server *s, const channel *ch, const json_t *msg, char *err, size_t err_size)
{
    if (!s->recorder) return 0;
    return recorder_write(s->recorder, s->elapsed_us / 1000, ch->source->path, msg, err,
                          err_size);
}

/* Applies a complete message to the channel's model, then sends it to its clients: the model
 * is always the state that the messages sent so far describe. */
static int channel_publish(server *s, channel *ch, const json_t *msg, uint64_t seq, char *err,
                           size_t err_size)
{
    char why[400];
    if (ch->source->apply(ch->model, msg, why, sizeof why)) {
        snprintf(err, err_size, "%s: %s", ch->source->path, why);
        return -1;
    }
    ch->seq = seq;
    ch->snap_valid = 0;
    channel_broadcast(ch, msg);
    return record(s, ch, msg, err, err_size);
}

/* Steps the channel's model through the events due now, numbering them. */
static int channel_generate(server *s, channel *ch, int *more, char *err, size_t err_size)
{
    json_t *body;
    int rc = 0;
    size_t n = 0;
    int64_t ts = wall_ms();
    /* Step even with nobody listening: the stream must not depend on who is connected. */
    while (n < MAX_BATCH && (rc = ch->source->step(ch->model, s->elapsed_us, &body, err,
                                                   err_size)) == 1) {
        json_t *msg = wire_envelope(body, ch->seq + 1, ts, err, err_size);
        json_decref(body);
        if (!msg) return -1;
        rc = channel_publish(s, ch, msg, ch->seq + 1, err, err_size);
        json_decref(msg);
        if (rc) return -1;
        n++;
    }
    if (n == MAX_BATCH) *more = 1;
    return n == MAX_BATCH ? 0 : rc;
}

static int record_snapshots(server *s, char *err, size_t err_size)
{
    int64_t ts = wall_ms();
    for (size_t i = 0; s->recorder && i < s->channel_count; i++) {
        channel *ch = &s->channels[i];
        json_t *bodies = ch->source->snapshot(ch->model, err, err_size);
        if (!bodies) return -1;
        size_t k;
        json_t *body;
        json_array_foreach(bodies, k, body) {
            json_t *msg = wire_envelope(body, ch->seq, ts, err, err_size);
            int rc = msg ? record(s, ch, msg, err, err_size) : -1;
            json_decref(msg);
            if (rc) {
                json_decref(bodies);
                return -1;
            }
        }
        json_decref(bodies);
    }
    return 0;
}

/* ---- replay ---- */

/* Plays one recorded line: the recorded message with the same seq, stamped with the time it
 * is sent. Snapshot lines replace the state and go to the clients connected at the time. */
static int replay_play(server *s, replay_line *l, char *err, size_t err_size)
{
    char why[400];
    channel *ch = channel_for_source(s, l->source);
    /* Re-enveloped: the same type, seq and body in the same order, a fresh ts in its place
     * (also when the line had none). */
    json_t *msg = wire_envelope(l->msg, l->seq, wall_ms(), why, sizeof why);
    int rc = msg ? channel_publish(s, ch, msg, l->seq, why, sizeof why) : -1;
    json_decref(msg);
    if (rc) {
        snprintf(err, err_size, "%s:%ld: %s", replay_file(s->replay.reader), l->line, why);
        return -1;
    }
    s->replay.played++;
    return 0;
}

static int replay_advance(replay_state *r, char *err, size_t err_size)
{
    json_decref(r->pending.msg);
    r->pending.msg = NULL;
    int rc = replay_read(r->reader, &r->pending, err, err_size);
    r->have_pending = rc == 1;
    return rc < 0 ? -1 : 0;
}

/* Before serving: the recording's opening snapshot lines are the state clients connect to. */
static int replay_open_state(server *s, char *err, size_t err_size)
{
    replay_state *r = &s->replay;
    r->reader = replay_open(s->options.replay_path, err, err_size);
    if (!r->reader) return -1;
    if (replay_advance(r, err, err_size)) return -1;
    while (r->have_pending && r->pending.is_snapshot) {
        if (replay_play(s, &r->pending, err, err_size) || replay_advance(r, err, err_size))
            return -1;
    }
    return 0;
}

static int64_t replay_due_us(const server *s)
{
    const replay_state *r = &s->replay;
    if (!r->started || !r->have_pending) return INT64_MAX;
    if (s->options.replay_speed <= 0) return r->start_us;
    return r->start_us + (int64_t)((double)r->pending.t_ms * 1000.0 / s->options.replay_speed);
}

static void replay_finish(server *s, const char *why)
{
    replay_state *r = &s->replay;
    r->finished = 1;
    fprintf(stderr, "wallboard-feeds: replay of %s %s after %zu messages; serving the last "
            "state until stopped\n", replay_file(r->reader), why, r->played);
}

static void replay_due(server *s, int *more)
{
    replay_state *r = &s->replay;
    char err[512];
    if (r->finished) return;
    if (!r->started) {
        if (client_total(s) < s->options.wait_clients) return;
        r->started = 1;
        r->start_us = s->elapsed_us;
    }
    for (size_t n = 0; r->have_pending && replay_due_us(s) <= s->elapsed_us; n++) {
        if (n == MAX_BATCH) {
            *more = 1;
            return;
        }
        if (replay_play(s, &r->pending, err, sizeof err) ||
            replay_advance(r, err, sizeof err)) {
            /* The file passed replay_check, so it changed since: keep what was played. */
            fprintf(stderr, "wallboard-feeds: %s\n", err);
            replay_finish(s, "stopped");
            return;
        }
    }
    if (!r->have_pending) replay_finish(s, "finished");
}

/* ---- the loop ---- */

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

static void advance_clock(server *s)
{
    int64_t now = mono_us(), step = now - s->last_mono_us;
    s->last_mono_us = now;
    s->elapsed_us += step > STALL_US ? STALL_US : step < 0 ? 0 : step;
}

static int64_t next_due_us(const server *s)
{
    if (s->replaying) return replay_due_us(s);
    int64_t due = INT64_MAX;
    for (size_t i = 0; i < s->channel_count; i++) {
        int64_t d = s->channels[i].source->next_due_us(s->channels[i].model);
        if (d < due) due = d;
    }
    return due;
}

static void on_tick(lws_sorted_usec_list_t *sul);

static void schedule_tick(server *s, int64_t delay)
{
    if (delay < TICK_MIN_US) delay = TICK_MIN_US;
    if (delay > TICK_MAX_US) delay = TICK_MAX_US;
    lws_sul_schedule(s->context, 0, &s->tick, on_tick, delay);
}

/* Runs on the service loop. Also what makes the loop return regularly, so that a stop
 * request raised by a signal between two polls is noticed within TICK_MAX_US. */
static void on_tick(lws_sorted_usec_list_t *sul)
{
    server *s = lws_container_of(sul, server, tick);
    char err[512];
    int more = 0;
    advance_clock(s);
    if (*s->stop && !s->draining) begin_drain(s);
    if (!s->draining && !s->failed) {
        if (s->replaying) replay_due(s, &more);
        for (size_t i = 0; !s->replaying && i < s->channel_count; i++) {
            if (channel_generate(s, &s->channels[i], &more, err, sizeof err)) {
                fatal(s, err);
                break;
            }
        }
        if (s->recorder && recorder_flush(s->recorder, err, sizeof err)) fatal(s, err);
    }
    int64_t due = next_due_us(s);
    schedule_tick(s, more ? 0 : due == INT64_MAX ? TICK_MAX_US : due - s->elapsed_us);
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
    /* A replay waiting for its clients starts on the next tick, not up to TICK_MAX_US later. */
    if (s->replaying && !s->replay.started && client_total(s) >= s->options.wait_clients)
        schedule_tick(s, 0);
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
    const feed_source *const *sources = s->options.sources;
    size_t count = s->options.source_count;
    if (!sources) sources = feed_sources(&count);
    s->channels = calloc(count ? count : 1, sizeof *s->channels);
    if (!s->channels) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    const server_options *o = &s->options;
    feed_source_args args = {
        .seed = o->seed, .rate = o->rate, .start_day = o->start_day, .start_ms = o->start_ms,
        .time_scale = o->time_scale, .empty = s->replaying,
    };
    for (size_t i = 0; i < count; i++) {
        s->channels[i].source = sources[i];
        s->channels[i].model = sources[i]->create(&args, err, err_size);
        if (!s->channels[i].model) return -1;
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
    s->replaying = options->replay_path != NULL;
    if (s->options.backlog == 0) s->options.backlog = SERVER_DEFAULT_BACKLOG;
    if (check_local_address(s->options.bind_address, err, err_size)) goto fail;
    if (create_channels(s, err, err_size)) goto fail;
    if (s->replaying && replay_open_state(s, err, err_size)) goto fail;
    if (options->record_path) {
        s->recorder = recorder_open(options->record_path, err, err_size);
        if (!s->recorder) goto fail;
    }
    if (create_lws(s, err, err_size)) goto fail;
    return s;

fail:
    server_destroy(s, NULL, 0);
    return NULL;
}

int server_port(const server *s)
{
    return lws_get_vhost_listen_port(s->vhost);
}

int server_run(server *s, volatile sig_atomic_t *stop, char *err, size_t err_size)
{
    s->stop = stop;
    s->elapsed_us = 0;
    s->last_mono_us = mono_us();
    if (record_snapshots(s, err, err_size)) return -1;
    schedule_tick(s, 0);
    for (;;) {
        if (lws_service(s->context, 0) < 0) {
            snprintf(err, err_size, "websocket service loop failed");
            return -1;
        }
        if (s->failed) {
            snprintf(err, err_size, "%s", s->err);
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

int server_destroy(server *s, char *err, size_t err_size)
{
    char ignored[8];
    if (!s) return 0;
    if (!err) {
        err = ignored;
        err_size = sizeof ignored;
    }
    release_remaining_clients(s);
    if (s->context) {
        lws_sul_cancel(&s->tick);
        lws_context_destroy(s->context);
    }
    int rc = recorder_close(s->recorder, err, err_size);
    json_decref(s->replay.pending.msg);
    replay_close(s->replay.reader);
    for (size_t i = 0; i < s->channel_count; i++) {
        snapshot_release(&s->channels[i]);
        s->channels[i].source->destroy(s->channels[i].model);
    }
    free(s->channels);
    free(s);
    return rc;
}
