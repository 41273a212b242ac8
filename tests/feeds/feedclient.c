/* feedclient: many websocket clients of wallboard-feeds in one process, some misbehaving on purpose.
 * It must never pass a run it did not verify: every failure is counted and makes the exit 1. */

/* Normal clients check snapshot-then-contiguous-events and that all of them got the same bytes
 * for each seq (and the same snapshot for the same seq); misbehaving ones send garbage, stop
 * reading or vanish mid-frame.
 *
 *   feedclient --port N [--path /clinics] [--clients N] [--events K | --until-seq S]
 *              [--messages M] [--misbehave KIND:N,...] [--dump FILE] [--allow-gaps]
 *              [--expect-http CODE] [--ready-file F] [--hold] [--timeout S]
 *
 * Done when every normal client has K events after its snapshot (--events 0: its first
 * snapshot message), an event with seq >= S (--until-seq), or M messages of any kind
 * (--messages, e.g. the 12 of a /demo snapshot). --expect-http: the handshake must be refused
 * with CODE. --dump: every message of client 0, one per line.
 *
 * KIND: garbage (reserved-bit frame bytes), http-garbage (bytes instead of a handshake): the
 * server must close these. halfsend (half a frame, then a reset), halfread (a few bytes of the
 * snapshot, then a reset): they leave by themselves. bigframe (a valid 256 KiB masked frame,
 * then reads on): must stay open. unmasked (an unmasked frame, then reads on): either way, as
 * lws 4.1 tolerates it. stall (tiny receive buffer, never reads after the handshake): held
 * until the end.
 *
 * Misbehaving clients connect once every normal client has its first message, so the normal
 * clients' events flow while they misbehave. --ready-file is written when that has happened
 * (and every stall client is through its handshake). --hold then keeps every connection open
 * until SIGTERM or --timeout. Output: one summary line of key=value pairs on stdout; reasons
 * for failure on stderr. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_MESSAGE (4u << 20)
#define MAX_SEQ 50000000u
#define BIGFRAME_BYTES (256u * 1024u)

enum role { NORMAL, GARBAGE, UNMASKED, HTTP_GARBAGE, HALFSEND, HALFREAD, BIGFRAME, STALL,
            ROLE_COUNT };
static const char *const role_names[ROLE_COUNT] = {
    "normal", "garbage", "unmasked", "http-garbage", "halfsend", "halfread", "bigframe", "stall",
};

enum phase { HANDSHAKE, OPEN, DONE };

typedef struct buf {
    unsigned char *p;
    size_t len, cap;
} buf;

typedef struct conn {
    int fd;
    enum role role;
    enum phase phase;
    int index;
    buf in, out, msg;
    int msg_started;
    /* normal clients */
    int got_first;
    int in_snapshot;
    uint64_t snap_seq, snap_hash;
    uint64_t last_seq;
    long events;
    long messages;
    int complete;
    int http_status;
    int closed_by_server;
    int close_code;
} conn;

static struct {
    const char *host, *path, *dump_path, *ready_file;
    int port, clients, allow_gaps, hold, expect_http;
    long events, messages;
    uint64_t until_seq;
    int until_given;
    double timeout_s;
    int misbehave[ROLE_COUNT];
} opt = { .host = "127.0.0.1", .path = "/demo", .clients = 1, .events = 10, .timeout_s = 60 };

static struct {
    long gaps, mismatches, snapshot_mismatches, backwards, bad_messages, late_snapshots;
    long unexpected_closes, failures;
    uint64_t *event_hash;   /* by seq: FNV-1a of the event's bytes, 0 = not seen yet */
    size_t event_hash_cap;
    uint64_t *snap_hash;    /* by snapshot seq, the same for snapshots */
    size_t snap_hash_cap;
} g;

static volatile sig_atomic_t g_stop;
static FILE *g_dump;

static void on_signal(int signo)
{
    (void)signo;
    g_stop = 1;
}

__attribute__((format(printf, 1, 2)))
static void problem(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "feedclient: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t fnv1a(const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t h = UINT64_C(0xCBF29CE484222325);
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= UINT64_C(0x100000001B3);
    }
    return h ? h : 1; /* 0 means "not seen" in the tables */
}

static int buf_append(buf *b, const void *data, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (!p) return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    return 0;
}

static void buf_consume(buf *b, size_t n)
{
    memmove(b->p, b->p + n, b->len - n);
    b->len -= n;
}

/* The hash recorded for `seq` in a by-seq table, or records h. 1 if they differ. */
static int table_check(uint64_t **table, size_t *cap, uint64_t seq, uint64_t h)
{
    if (seq >= MAX_SEQ) return 0;
    if (seq >= *cap) {
        size_t n = *cap ? *cap : 1024;
        while (n <= seq) n *= 2;
        uint64_t *p = realloc(*table, n * sizeof *p);
        if (!p) {
            problem("out of memory");
            exit(1);
        }
        memset(p + *cap, 0, (n - *cap) * sizeof *p);
        *table = p;
        *cap = n;
    }
    if ((*table)[seq] == 0) (*table)[seq] = h;
    return (*table)[seq] != h;
}

/* ---- sending ---- */

static void send_frame(conn *c, int opcode, const void *payload, size_t n, size_t claim)
{
    unsigned char hdr[14];
    size_t h = 0;
    static const unsigned char mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
    hdr[h++] = (unsigned char)(0x80 | opcode);
    if (claim < 126) {
        hdr[h++] = (unsigned char)(0x80 | claim);
    } else if (claim < 65536) {
        hdr[h++] = 0x80 | 126;
        hdr[h++] = (unsigned char)(claim >> 8);
        hdr[h++] = (unsigned char)claim;
    } else {
        hdr[h++] = 0x80 | 127;
        for (int i = 7; i >= 0; i--) hdr[h++] = (unsigned char)((uint64_t)claim >> (8 * i));
    }
    memcpy(hdr + h, mask, 4);
    h += 4;
    if (buf_append(&c->out, hdr, h)) exit(1);
    for (size_t i = 0; i < n; i++) {
        unsigned char b = ((const unsigned char *)payload)[i] ^ mask[i % 4];
        if (buf_append(&c->out, &b, 1)) exit(1);
    }
}

static int flush_out(conn *c)
{
    while (c->out.len) {
        ssize_t n = send(c->fd, c->out.p, c->out.len, MSG_NOSIGNAL);
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        buf_consume(&c->out, (size_t)n);
    }
    return 0;
}

static void hard_close(conn *c)
{
    /* SO_LINGER 0: a reset, the way a crashed or unplugged client leaves. */
    struct linger l = { 1, 0 };
    setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close(c->fd);
    c->fd = -1;
    c->phase = DONE;
}

/* ---- connecting ---- */

static int open_conn(conn *c)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port) };
    if (inet_pton(AF_INET, opt.host, &sa.sin_addr) != 1) {
        problem("--host %s: not a numeric IPv4 address", opt.host);
        exit(2);
    }
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0) {
        problem("socket: %s", strerror(errno));
        return -1;
    }
    if (c->role == STALL) {
        /* A small window so the server's side fills after a few messages. */
        int small = 4096;
        setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    }
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        problem("client %d: connect to %s:%d: %s", c->index, opt.host, opt.port, strerror(errno));
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
    if (c->role == HTTP_GARBAGE) {
        static const char junk[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all"
                                   "\r\n\xff\xfe\r\n\r\n";
        buf_append(&c->out, junk, sizeof junk - 1);
    } else {
        char req[512];
        int n = snprintf(req, sizeof req,
                         "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                         "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                         "Sec-WebSocket-Version: 13\r\n\r\n",
                         opt.path, opt.host, opt.port);
        buf_append(&c->out, req, (size_t)n);
    }
    c->phase = HANDSHAKE;
    return flush_out(c);
}

/* What a misbehaving client does once its websocket is open. */
static void misbehave(conn *c)
{
    static const unsigned char bad[] = { 0xff, 0xff, 0x13, 0x37, 0x00, 0x42, 0x99, 0x10 };
    unsigned char big[4096];
    switch (c->role) {
    case GARBAGE:
        /* RSV bits without an extension and a reserved opcode: a protocol error. */
        for (int i = 0; i < 512; i++) buf_append(&c->out, bad, sizeof bad);
        break;
    case UNMASKED: {
        static const unsigned char frame[] = { 0x81, 0x05, 'h', 'e', 'l', 'l', 'o' };
        buf_append(&c->out, frame, sizeof frame);
        break;
    }
    case HALFSEND:
        memset(big, 'x', sizeof big);
        send_frame(c, 1, big, 100, 65536); /* says 64 KiB, sends 100 bytes */
        flush_out(c);
        hard_close(c);
        return;
    case BIGFRAME: {
        unsigned char *p = malloc(BIGFRAME_BYTES);
        if (!p) exit(1);
        memset(p, '{', BIGFRAME_BYTES);
        send_frame(c, 1, p, BIGFRAME_BYTES, BIGFRAME_BYTES);
        free(p);
        break;
    }
    default:
        break;
    }
    if (flush_out(c)) hard_close(c);
}

/* ---- receiving ---- */

static int is_snapshot_type(const char *type)
{
    size_t n = strlen(type);
    return strcmp(type, "snapshot") == 0 || (n > 9 && strcmp(type + n - 9, ".snapshot") == 0);
}

static uint64_t hash_without_ts(json_t *msg)
{
    json_t *copy = json_copy(msg);
    json_object_del(copy, "ts");
    char *s = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
    uint64_t h = s ? fnv1a(s, strlen(s)) : 1;
    free(s);
    json_decref(copy);
    return h;
}

static void on_message(conn *c, const unsigned char *p, size_t n)
{
    if (c->role != NORMAL) return;
    if (g_dump && c->index == 0) {
        fwrite(p, 1, n, g_dump);
        fputc('\n', g_dump);
        fflush(g_dump);
    }
    json_error_t jerr;
    json_t *msg = json_loadb((const char *)p, n, 0, &jerr);
    const char *type = json_string_value(json_object_get(msg, "type"));
    json_t *seqv = json_object_get(msg, "seq");
    if (!type || !json_is_integer(seqv) || json_integer_value(seqv) < 0) {
        problem("client %d: message without a string type and integer seq: %.120s", c->index,
                (const char *)p);
        g.bad_messages++;
        json_decref(msg);
        return;
    }
    uint64_t seq = (uint64_t)json_integer_value(seqv);
    if (opt.messages && ++c->messages >= opt.messages) c->complete = 1;
    if (is_snapshot_type(type)) {
        uint64_t h = hash_without_ts(msg);
        if (!c->got_first || c->in_snapshot) {
            if (c->got_first && seq != c->snap_seq) {
                problem("client %d: snapshot messages with seq %llu and %llu", c->index,
                        (unsigned long long)c->snap_seq, (unsigned long long)seq);
                g.bad_messages++;
            }
            c->snap_seq = seq;
            c->snap_hash = c->snap_hash * 31 + h;
            c->in_snapshot = 1;
        } else {
            g.late_snapshots++; /* a replayed snapshot line: the state starts again from it */
        }
        c->got_first = 1;
        c->last_seq = seq;
        if (!opt.until_given && !opt.messages && opt.events == 0) c->complete = 1;
        json_decref(msg);
        return;
    }
    if (!c->got_first) {
        problem("client %d: first message is a %s, not a snapshot", c->index, type);
        g.bad_messages++;
        c->got_first = 1;
        c->last_seq = seq - 1;
    }
    if (c->in_snapshot) {
        c->in_snapshot = 0;
        if (table_check(&g.snap_hash, &g.snap_hash_cap, c->snap_seq, c->snap_hash)) {
            problem("client %d: snapshot at seq %llu differs from another client's", c->index,
                    (unsigned long long)c->snap_seq);
            g.snapshot_mismatches++;
        }
    }
    if (seq <= c->last_seq) {
        problem("client %d: seq %llu after %llu", c->index, (unsigned long long)seq,
                (unsigned long long)c->last_seq);
        g.backwards++;
    } else if (seq != c->last_seq + 1) {
        if (!opt.allow_gaps)
            problem("client %d: gap: seq %llu after %llu", c->index, (unsigned long long)seq,
                    (unsigned long long)c->last_seq);
        g.gaps++;
    }
    if (table_check(&g.event_hash, &g.event_hash_cap, seq, fnv1a(p, n))) {
        problem("client %d: event seq %llu differs from another client's", c->index,
                (unsigned long long)seq);
        g.mismatches++;
    }
    c->last_seq = seq;
    c->events++;
    if (opt.messages ? c->messages >= opt.messages
                     : opt.until_given ? seq >= opt.until_seq : c->events >= opt.events)
        c->complete = 1;
    json_decref(msg);
}

static int parse_handshake(conn *c)
{
    unsigned char *end = NULL;
    for (size_t i = 0; i + 3 < c->in.len; i++) {
        if (memcmp(c->in.p + i, "\r\n\r\n", 4) == 0) {
            end = c->in.p + i + 4;
            break;
        }
    }
    if (!end) return 0;
    int status = 0;
    if (sscanf((const char *)c->in.p, "HTTP/1.%*d %d", &status) != 1) status = -1;
    c->http_status = status;
    buf_consume(&c->in, (size_t)(end - c->in.p));
    if (status != 101) {
        c->phase = DONE;
        return 1;
    }
    c->phase = OPEN;
    if (c->role != NORMAL && c->role != STALL && c->role != HALFREAD) misbehave(c);
    return 1;
}

/* Parses complete frames in c->in. -1 on a protocol error by the server. */
static int parse_frames(conn *c)
{
    while (c->phase == OPEN && c->in.len >= 2) {
        unsigned char *p = c->in.p;
        int fin = p[0] & 0x80, op = p[0] & 0x0f;
        uint64_t len = p[1] & 0x7f;
        size_t h = 2;
        if (p[1] & 0x80) {
            problem("client %d: the server masked a frame", c->index);
            return -1;
        }
        if (len == 126) {
            if (c->in.len < 4) return 0;
            len = (uint64_t)p[2] << 8 | p[3];
            h = 4;
        } else if (len == 127) {
            if (c->in.len < 10) return 0;
            len = 0;
            for (int i = 0; i < 8; i++) len = len << 8 | p[2 + i];
            h = 10;
        }
        if (len > MAX_MESSAGE) {
            problem("client %d: a %llu byte frame", c->index, (unsigned long long)len);
            return -1;
        }
        if (c->in.len < h + len) return 0;
        const unsigned char *payload = p + h;
        if (op == 8) {
            c->closed_by_server = 1;
            c->close_code = len >= 2 ? payload[0] << 8 | payload[1] : 0;
            c->phase = DONE;
        } else if (op == 9) {
            send_frame(c, 10, payload, (size_t)len, (size_t)len);
        } else if (op <= 2) {
            if (c->msg.len + len > MAX_MESSAGE || buf_append(&c->msg, payload, (size_t)len)) {
                problem("client %d: message too large", c->index);
                return -1;
            }
            if (fin) {
                on_message(c, c->msg.p, c->msg.len);
                c->msg.len = 0;
            }
        }
        buf_consume(&c->in, h + (size_t)len);
    }
    return 0;
}

static void on_readable(conn *c)
{
    unsigned char chunk[65536];
    size_t want = c->role == HALFREAD ? 7 : sizeof chunk;
    ssize_t n = recv(c->fd, chunk, want, 0);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
        c->closed_by_server = 1;
        hard_close(c);
        return;
    }
    if (n == 0) {
        c->closed_by_server = 1;
        close(c->fd);
        c->fd = -1;
        c->phase = DONE;
        return;
    }
    if (c->phase == OPEN && c->role == HALFREAD) {
        /* Seven bytes into the first frame: leave in the middle of it. */
        hard_close(c);
        return;
    }
    buf_append(&c->in, chunk, (size_t)n);
    if (c->phase == HANDSHAKE && !parse_handshake(c)) return;
    if (c->phase == OPEN && c->role == HALFREAD && c->in.len) {
        hard_close(c);
        return;
    }
    if (parse_frames(c)) {
        g.failures++;
        hard_close(c);
    }
}

/* ---- the run ---- */

static int parse_misbehave(const char *spec)
{
    char *copy = strdup(spec), *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(item, ':');
        int count = colon ? atoi(colon + 1) : 1;
        if (colon) *colon = '\0';
        int found = 0;
        for (int r = GARBAGE; r < ROLE_COUNT; r++) {
            if (strcmp(item, role_names[r]) == 0) {
                opt.misbehave[r] += count;
                found = 1;
            }
        }
        if (!found || count < 0) {
            problem("--misbehave: unknown kind '%s'", item);
            free(copy);
            return -1;
        }
    }
    free(copy);
    return 0;
}

static int parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--allow-gaps") == 0) { opt.allow_gaps = 1; continue; }
        if (strcmp(a, "--hold") == 0) { opt.hold = 1; continue; }
        if (!v) {
            problem("unknown option or missing value: %s", a);
            return -1;
        }
        i++;
        if (strcmp(a, "--port") == 0) opt.port = atoi(v);
        else if (strcmp(a, "--host") == 0) opt.host = v;
        else if (strcmp(a, "--path") == 0) opt.path = v;
        else if (strcmp(a, "--clients") == 0) opt.clients = atoi(v);
        else if (strcmp(a, "--events") == 0) opt.events = atol(v);
        else if (strcmp(a, "--messages") == 0) opt.messages = atol(v);
        else if (strcmp(a, "--until-seq") == 0) {
            opt.until_seq = strtoull(v, NULL, 10);
            opt.until_given = 1;
        } else if (strcmp(a, "--timeout") == 0) opt.timeout_s = atof(v);
        else if (strcmp(a, "--dump") == 0) opt.dump_path = v;
        else if (strcmp(a, "--ready-file") == 0) opt.ready_file = v;
        else if (strcmp(a, "--expect-http") == 0) opt.expect_http = atoi(v);
        else if (strcmp(a, "--misbehave") == 0) {
            if (parse_misbehave(v)) return -1;
        } else {
            problem("unknown option %s", a);
            return -1;
        }
    }
    if (opt.port <= 0 || opt.clients < 0) {
        problem("--port is required, --clients must be >= 0");
        return -1;
    }
    return 0;
}

static void write_ready_file(void)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", opt.ready_file);
    FILE *f = fopen(tmp, "w");
    if (!f || fputs("ready\n", f) < 0 || fclose(f) != 0 || rename(tmp, opt.ready_file) != 0)
        problem("--ready-file %s: %s", opt.ready_file, strerror(errno));
}

/* Expected end of each kind: closed by the server (1), left by itself (0), held (2),
 * either (3). */
static int expected_end(enum role r)
{
    switch (r) {
    case GARBAGE: case HTTP_GARBAGE: return 1;
    case HALFSEND: case HALFREAD: return 0;
    case UNMASKED: return 3;
    default: return 2;
    }
}

int main(int argc, char **argv)
{
    if (parse_args(argc, argv)) return 2;
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    if (opt.dump_path && !(g_dump = fopen(opt.dump_path, "w"))) {
        problem("--dump %s: %s", opt.dump_path, strerror(errno));
        return 2;
    }
    int total = opt.clients;
    for (int r = GARBAGE; r < ROLE_COUNT; r++) total += opt.misbehave[r];
    conn *conns = calloc((size_t)(total ? total : 1), sizeof *conns);
    struct pollfd *pfd = calloc((size_t)(total ? total : 1), sizeof *pfd);
    int *slot = calloc((size_t)(total ? total : 1), sizeof *slot);
    if (!conns || !pfd || !slot) return 1;
    int k = 0;
    for (int i = 0; i < opt.clients; i++, k++) conns[k] = (conn){ .fd = -1, .role = NORMAL };
    for (int r = GARBAGE; r < ROLE_COUNT; r++)
        for (int i = 0; i < opt.misbehave[r]; i++, k++)
            conns[k] = (conn){ .fd = -1, .role = (enum role)r, .phase = DONE };
    for (int i = 0; i < total; i++) conns[i].index = i;

    double deadline = now_s() + opt.timeout_s;
    int connect_failures = 0;
    for (int i = 0; i < opt.clients; i++)
        if (open_conn(&conns[i])) connect_failures++;

    int misbehavers_started = total == opt.clients, ready_written = 0, timed_out = 0;
    for (;;) {
        /* Start the misbehaving clients once every normal one is streaming. */
        int all_first = 1, all_complete = 1, pending = 0, stalls_open = 1;
        for (int i = 0; i < total; i++) {
            conn *c = &conns[i];
            if (c->role == NORMAL) {
                int ok = opt.expect_http ? c->http_status != 0 : c->got_first;
                all_first &= ok || c->fd < 0;
                all_complete &= (opt.expect_http ? c->http_status != 0 : c->complete) ||
                                (c->fd < 0 && c->phase == DONE);
            } else if (misbehavers_started) {
                if (c->role == STALL) stalls_open &= c->phase == OPEN;
                else if (expected_end(c->role) < 2) pending += c->phase != DONE;
            }
        }
        if (!misbehavers_started && all_first) {
            misbehavers_started = 1;
            for (int i = opt.clients; i < total; i++)
                if (open_conn(&conns[i])) connect_failures++;
            continue;
        }
        if (misbehavers_started && stalls_open && !ready_written && opt.ready_file) {
            write_ready_file();
            ready_written = 1;
        }
        int finished = misbehavers_started && all_complete && pending == 0 && stalls_open;
        if (finished && !opt.hold) break;
        if (g_stop) {
            if (!finished) timed_out = 1;
            break;
        }
        if (now_s() > deadline) {
            timed_out = !(finished && opt.hold);
            break;
        }

        int n = 0;
        for (int i = 0; i < total; i++) {
            conn *c = &conns[i];
            if (c->fd < 0) continue;
            short ev = 0;
            /* A stalled client reads its handshake reply, then nothing ever again. */
            if (!(c->role == STALL && c->phase == OPEN)) ev |= POLLIN;
            if (c->out.len) ev |= POLLOUT;
            pfd[n] = (struct pollfd){ .fd = c->fd, .events = ev };
            slot[n++] = i;
        }
        if (poll(pfd, (nfds_t)n, 50) < 0 && errno != EINTR) {
            problem("poll: %s", strerror(errno));
            return 1;
        }
        for (int j = 0; j < n; j++) {
            conn *c = &conns[slot[j]];
            if (c->fd < 0) continue;
            if (pfd[j].revents & POLLOUT && flush_out(c)) {
                c->closed_by_server = 1;
                hard_close(c);
                continue;
            }
            if (pfd[j].revents & (POLLIN | POLLHUP | POLLERR)) on_readable(c);
        }
    }

    /* Summary. */
    long snapshots = 0, complete = 0, events = 0, refused = 0, closed = 0, stalled = 0;
    long misbehavers = 0, wrong_end = 0;
    uint64_t first_min = UINT64_MAX, first_max = 0, last_min = UINT64_MAX, last_max = 0;
    for (int i = 0; i < total; i++) {
        conn *c = &conns[i];
        if (c->role == NORMAL) {
            snapshots += c->got_first;
            complete += opt.expect_http ? c->http_status == opt.expect_http : c->complete;
            events += c->events;
            refused += c->http_status != 0 && c->http_status != 101;
            if (c->got_first) {
                if (c->snap_seq < first_min) first_min = c->snap_seq;
                if (c->snap_seq > first_max) first_max = c->snap_seq;
                if (c->last_seq < last_min) last_min = c->last_seq;
                if (c->last_seq > last_max) last_max = c->last_seq;
            }
            if (c->closed_by_server && !opt.expect_http) {
                problem("client %d: closed by the server (code %d) after %ld events", i,
                        c->close_code, c->events);
                g.unexpected_closes++;
            }
            continue;
        }
        misbehavers++;
        closed += c->closed_by_server;
        stalled += c->role == STALL && c->phase == OPEN;
        int want = expected_end(c->role);
        if ((want == 1 && !c->closed_by_server) || (want == 2 && c->phase != OPEN)) {
            problem("client %d (%s): %s", i, role_names[c->role],
                    want == 1 ? "the server did not close it" : "it did not stay connected");
            wrong_end++;
        }
    }
    if (first_min == UINT64_MAX) first_min = last_min = 0;
    printf("clients=%d snapshots=%ld complete=%ld events=%ld gaps=%ld mismatches=%ld "
           "snapshot_mismatches=%ld backwards=%ld bad_messages=%ld late_snapshots=%ld "
           "refused=%ld first_seq=%llu..%llu last_seq=%llu..%llu misbehavers=%ld "
           "closed_by_server=%ld stalled=%ld timed_out=%d\n",
           opt.clients, snapshots, complete, events, g.gaps, g.mismatches,
           g.snapshot_mismatches, g.backwards, g.bad_messages, g.late_snapshots, refused,
           (unsigned long long)first_min, (unsigned long long)first_max,
           (unsigned long long)last_min, (unsigned long long)last_max, misbehavers, closed,
           stalled, timed_out);
    fflush(stdout);

    int ok = complete == opt.clients && (opt.allow_gaps || g.gaps == 0) && g.mismatches == 0 &&
             g.snapshot_mismatches == 0 && g.backwards == 0 && g.bad_messages == 0 &&
             g.unexpected_closes == 0 && g.failures == 0 && wrong_end == 0 &&
             connect_failures == 0 && !timed_out;
    if (timed_out) problem("timed out (or stopped) before every client was done");
    if (connect_failures) problem("%d connections failed", connect_failures);
    for (int i = 0; i < total; i++) {
        if (conns[i].fd >= 0) close(conns[i].fd);
        free(conns[i].in.p);
        free(conns[i].out.p);
        free(conns[i].msg.p);
    }
    free(conns);
    free(pfd);
    free(slot);
    free(g.event_hash);
    free(g.snap_hash);
    if (g_dump) fclose(g_dump);
    return ok ? 0 : 1;
}
