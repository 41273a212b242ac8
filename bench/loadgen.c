/* loadgen: a load-generating websocket feed server for the benchmarks, on 127.0.0.1 only.
 * Every connection (any path: one path per feed) gets its own paced stream of ~100-byte messages
 * {"key":"kN","value":V,"seq":S,"sent_us":T,"pad":".."}; it prints (and writes with --report)
 * exactly what it sent, so a harness can check the wall's final values against it. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "msg.h"

#define MAX_SESSIONS 1024
#define PACE_MIN_US 2000    /* paced sending wakes at most every 2 ms... */
#define PACE_MAX_US 100000  /* ...and at least every 100 ms */
#define PATH_MAX_LEN 128

typedef struct session {
    struct lws *wsi;
    uint64_t next_due_us;   /* monotonic time the next message falls due; 0 = none */
    char path[PATH_MAX_LEN];
    int started;            /* pacing clock running */
    int done;               /* all messages sent */
    int closed;
    uint64_t start_us;      /* monotonic, pacing origin */
    uint64_t sent;          /* messages written so far (= last seq) */
    uint64_t first_wall_us, last_wall_us; /* realtime of the first/last write */
    uint64_t last_mono_us;
    uint64_t max_behind;    /* most messages ever due but not yet written */
    uint64_t writes;        /* lws_write calls */
} session;

static struct {
    int port;
    const char *port_file;
    const char *report;
    double rate;            /* per connection; <0 = as fast as the socket takes them */
    unsigned keys;
    uint64_t count;         /* per connection; 0 = unlimited */
    double duration;        /* per connection seconds; 0 = unlimited */
    size_t bytes;
    unsigned batch;         /* messages per write at most */
    unsigned expect;        /* start all together once this many connected */
    double start_delay;     /* seconds between that and the first message */
    int raw;                /* frame ourselves and write many frames per syscall */
    int exit_when_done;
    int quiet;
} opt = {.rate = 1000, .keys = 12, .bytes = 100, .batch = 256, .expect = 1, .raw = 1};

static session *g_sessions[MAX_SESSIONS];
static unsigned g_session_count;   /* ever established */
static int g_go;                   /* the expected connections are there: sending */
static int g_reported;
static volatile sig_atomic_t g_interrupted;
static struct lws_context *g_context;
static unsigned char *g_buf;       /* LWS_PRE + batch frames */
static size_t g_buf_size;
/* Pacing: lws 4.1 waits in whole milliseconds (rounded down), so a timer of its own due in
 * less than 1 ms spins in poll(0) and takes a core from the wall. A pacer thread sleeps
 * (clock_nanosleep) until the earliest next message and wakes the service loop with
 * lws_cancel_service(); the loop then asks for WRITEABLE where messages are due. */
static atomic_ullong g_next_due_us;   /* earliest session next_due_us; 0 = none */
static atomic_int g_pacer_stop;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("loadgen: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static uint64_t now_us(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Messages due at monotonic time `t`: the first at once, then one every 1/rate s. */
static uint64_t due_at(const session *s, uint64_t t)
{
    uint64_t due;
    if (t < s->start_us)
        return s->sent; /* --start-delay still running */
    double elapsed = (double)(t - s->start_us) / 1e6;
    if (opt.duration > 0 && elapsed >= opt.duration && s->sent > 0)
        return s->sent; /* time is up */
    if (opt.rate < 0)
        due = s->sent + opt.batch;
    else
        due = 1 + (uint64_t)floor(opt.rate * elapsed);
    if (opt.count && due > opt.count)
        due = opt.count;
    return due;
}

static int finished(const session *s, uint64_t t)
{
    if (opt.count && s->sent >= opt.count)
        return 1;
    if (t >= s->start_us && opt.duration > 0 && (double)(t - s->start_us) / 1e6 >= opt.duration &&
        s->sent > 0)
        return 1;
    return 0;
}

/* ------------------------------------------------------------------ report */

static void write_report(FILE *f)
{
    uint64_t total = 0;
    double longest = 0;
    fprintf(f, "{\"rate_per_connection\":");
    if (opt.rate < 0)
        fprintf(f, "\"max\"");
    else
        fprintf(f, "%.6g", opt.rate);
    fprintf(f, ",\"keys\":%u,\"bytes\":%zu,\"raw\":%s,\"connections\":[", opt.keys, opt.bytes,
            opt.raw ? "true" : "false");
    for (unsigned i = 0; i < g_session_count; i++) {
        session *s = g_sessions[i];
        double secs = s->sent > 1 ? (double)(s->last_wall_us - s->first_wall_us) / 1e6 : 0;
        double rate = secs > 0 ? (double)(s->sent - 1) / secs : 0;
        total += s->sent;
        if (secs > longest)
            longest = secs;
        fprintf(f, "%s{\"path\":\"%s\",\"sent\":%llu,\"seconds\":%.6f,\"rate\":%.1f,"
                   "\"max_behind\":%llu,\"writes\":%llu,\"done\":%s,\"last_values\":{",
                i ? "," : "", s->path, (unsigned long long)s->sent, secs, rate,
                (unsigned long long)s->max_behind, (unsigned long long)s->writes,
                s->done ? "true" : "false");
        /* The last seq of key k is the largest s <= sent with bench_key(s) == k. */
        int first = 1;
        for (unsigned k = 1; k <= opt.keys; k++) {
            if (s->sent < k)
                break;
            uint64_t last = s->sent - ((s->sent - k) % opt.keys);
            fprintf(f, "%s\"k%u\":%llu", first ? "" : ",", k,
                    (unsigned long long)bench_value(last));
            first = 0;
        }
        fprintf(f, "}}");
    }
    fprintf(f, "],\"sent_total\":%llu,\"seconds\":%.6f,\"rate_total\":%.1f}\n",
            (unsigned long long)total, longest, longest > 0 ? (double)total / longest : 0);
}

static uint64_t g_printed_total = UINT64_MAX; /* messages sent when the summary was printed */
static unsigned g_printed_sessions;

static void print_summary(void)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < g_session_count; i++)
        total += g_sessions[i]->sent;
    if (opt.quiet || (total == g_printed_total && g_session_count == g_printed_sessions))
        return;
    g_printed_total = total;
    g_printed_sessions = g_session_count;
    for (unsigned i = 0; i < g_session_count; i++) {
        session *s = g_sessions[i];
        double secs = s->sent > 1 ? (double)(s->last_wall_us - s->first_wall_us) / 1e6 : 0;
        printf("loadgen: %s sent %llu messages in %.3f s (%.0f msg/s), %u keys, last seq %llu%s\n",
               s->path, (unsigned long long)s->sent, secs,
               secs > 0 ? (double)(s->sent - 1) / secs : 0, opt.keys,
               (unsigned long long)s->sent, s->done ? "" : " (not finished)");
    }
    fflush(stdout);
}

static void report_if_all_done(void)
{
    if (g_reported || !g_go || g_session_count < opt.expect)
        return;
    for (unsigned i = 0; i < g_session_count; i++)
        if (!g_sessions[i]->done && !g_sessions[i]->closed)
            return;
    g_reported = 1;
    if (opt.report) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", opt.report);
        FILE *f = fopen(tmp, "w");
        if (!f)
            die("%s: %s", tmp, strerror(errno));
        write_report(f);
        if (fclose(f) != 0 || rename(tmp, opt.report) != 0)
            die("%s: %s", opt.report, strerror(errno));
    }
    print_summary();
    if (opt.exit_when_done) {
        g_interrupted = 1;
        lws_cancel_service(g_context);
    }
}

/* ------------------------------------------------------------------ sending */

/* Service thread: ask for WRITEABLE where a message is due, and publish the next due time. */
static void pace_sessions(void)
{
    uint64_t t = now_us(CLOCK_MONOTONIC), next = 0;
    for (unsigned i = 0; i < g_session_count; i++) {
        session *s = g_sessions[i];
        if (!s->started || s->done || s->closed || !s->next_due_us)
            continue;
        if (s->next_due_us <= t + 200) {
            s->next_due_us = 0;
            lws_callback_on_writable(s->wsi);
        } else if (!next || s->next_due_us < next) {
            next = s->next_due_us;
        }
    }
    atomic_store(&g_next_due_us, next);
}

static void *pacer(void *arg)
{
    (void)arg;
    while (!atomic_load(&g_pacer_stop)) {
        uint64_t t = now_us(CLOCK_MONOTONIC);
        uint64_t next = atomic_load(&g_next_due_us);
        uint64_t target = next ? next : t + PACE_MAX_US;
        if (target < t + PACE_MIN_US)
            target = t + PACE_MIN_US;
        if (target > t + PACE_MAX_US)
            target = t + PACE_MAX_US;
        struct timespec ts = {.tv_sec = (time_t)(target / 1000000u),
                              .tv_nsec = (long)(target % 1000000u) * 1000};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
        }
        if (atomic_load(&g_next_due_us) && g_context)
            lws_cancel_service(g_context);
    }
    return NULL;
}

static void start_all(void)
{
    uint64_t t = now_us(CLOCK_MONOTONIC) + (uint64_t)(opt.start_delay * 1e6);
    g_go = 1;
    for (unsigned i = 0; i < g_session_count; i++) {
        session *s = g_sessions[i];
        if (s->closed || s->started)
            continue;
        s->started = 1;
        s->start_us = t;
        s->next_due_us = t;
    }
    pace_sessions();
}

/* Appends one websocket text frame (server to client: unmasked) at p; returns its size. */
static size_t put_frame(unsigned char *p, const char *payload, size_t len)
{
    size_t h = 0;
    p[h++] = 0x81; /* FIN + text */
    if (len < 126) {
        p[h++] = (unsigned char)len;
    } else {
        p[h++] = 126;
        p[h++] = (unsigned char)(len >> 8);
        p[h++] = (unsigned char)len;
    }
    memcpy(p + h, payload, len);
    return h + len;
}

static int send_due(session *s)
{
    if (!s->started || s->done)
        return 0;
    if (lws_send_pipe_choked(s->wsi) || lws_partial_buffered(s->wsi)) {
        lws_callback_on_writable(s->wsi);
        return 0;
    }
    uint64_t t = now_us(CLOCK_MONOTONIC);
    uint64_t due = due_at(s, t);
    if (due > s->sent && due - s->sent > s->max_behind && opt.rate >= 0)
        s->max_behind = due - s->sent;
    uint64_t n = due > s->sent ? due - s->sent : 0;
    if (n > opt.batch)
        n = opt.batch;
    if (n > 0) {
        uint64_t wall = now_us(CLOCK_REALTIME);
        char msg[BENCH_MSG_MAX];
        if (opt.raw) {
            unsigned char *p = g_buf + LWS_PRE;
            size_t used = 0;
            for (uint64_t i = 0; i < n; i++) {
                uint64_t seq = s->sent + 1 + i;
                size_t len = bench_msg(msg, opt.bytes, bench_key(seq, opt.keys),
                                       bench_value(seq), seq, wall);
                used += put_frame(p + used, msg, len);
            }
            if (lws_write(s->wsi, p, used, LWS_WRITE_RAW) < (int)used)
                return -1;
            s->writes++;
        } else {
            for (uint64_t i = 0; i < n; i++) {
                uint64_t seq = s->sent + 1 + i;
                size_t len = bench_msg((char *)g_buf + LWS_PRE, opt.bytes,
                                       bench_key(seq, opt.keys), bench_value(seq), seq, wall);
                if (lws_write(s->wsi, g_buf + LWS_PRE, len, LWS_WRITE_TEXT) < (int)len)
                    return -1;
                s->writes++;
                if (lws_send_pipe_choked(s->wsi)) {
                    n = i + 1;
                    break;
                }
            }
        }
        if (s->sent == 0)
            s->first_wall_us = wall;
        s->sent += n;
        s->last_wall_us = wall;
        s->last_mono_us = t;
    }
    if (finished(s, t)) {
        s->done = 1;
        report_if_all_done();
        return 0;
    }
    /* More now (max rate, or a full batch went and more are due), or wait for the next one to
     * fall due: paced sending goes out in batches, woken by the pacer thread. */
    if (opt.rate < 0 || (n == opt.batch && due_at(s, now_us(CLOCK_MONOTONIC)) > s->sent)) {
        lws_callback_on_writable(s->wsi);
    } else {
        double next_s = (double)s->sent / opt.rate; /* message sent+1 falls due then */
        uint64_t next = s->start_us + (uint64_t)(next_s * 1e6);
        if (opt.duration > 0 && next > s->start_us + (uint64_t)(opt.duration * 1e6))
            next = s->start_us + (uint64_t)(opt.duration * 1e6);
        uint64_t soonest = now_us(CLOCK_MONOTONIC) + PACE_MIN_US; /* batches, not a spin */
        s->next_due_us = next > soonest ? next : soonest;
        pace_sessions();
    }
    return 0;
}

/* ------------------------------------------------------------------ lws glue */

static int callback_feed(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                         size_t len)
{
    session *s = user;
    switch (reason) {
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED: /* the pacer (or a signal) woke the loop */
        pace_sessions();
        break;
    case LWS_CALLBACK_ESTABLISHED:
        memset(s, 0, sizeof *s);
        s->wsi = wsi;
        if (lws_hdr_copy(wsi, s->path, sizeof s->path, WSI_TOKEN_GET_URI) < 0)
            snprintf(s->path, sizeof s->path, "?");
        if (g_session_count >= MAX_SESSIONS)
            return -1;
        g_sessions[g_session_count++] = s;
        if (g_go) {
            s->started = 1;
            s->start_us = now_us(CLOCK_MONOTONIC) + (uint64_t)(opt.start_delay * 1e6);
            s->next_due_us = s->start_us;
            pace_sessions();
        } else if (g_session_count >= opt.expect) {
            start_all();
        }
        break;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return send_due(s);
    case LWS_CALLBACK_RECEIVE:
        break;
    case LWS_CALLBACK_CLOSED:
        s->closed = 1;
        s->wsi = NULL;
        /* Kept for the report: copy out of lws' per-session memory, which goes now. */
        for (unsigned i = 0; i < g_session_count; i++) {
            if (g_sessions[i] == s) {
                session *copy = malloc(sizeof *copy);
                if (copy) {
                    *copy = *s;
                    g_sessions[i] = copy;
                }
            }
        }
        report_if_all_done();
        break;
    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
    {"wb-loadgen", callback_feed, sizeof(session), 4096, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0}
};

static void on_signal(int sig)
{
    (void)sig;
    g_interrupted = 1;
    if (g_context)
        lws_cancel_service(g_context);
}

static void write_port_file(const char *path, int port)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        die("%s: %s", tmp, strerror(errno));
    fprintf(f, "%d\n", port);
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        die("%s: %s", path, strerror(errno));
}

static void usage(FILE *out)
{
    fputs("usage: loadgen --port-file FILE [--port N] [--rate R|max] [--keys K] [--count N]\n"
          "               [--duration S] [--expect N] [--start-delay S] [--bytes B] [--batch M]\n"
          "               [--framing raw|lws]\n"
          "               [--report FILE] [--exit-when-done] [--quiet]\n"
          "A websocket feed server on 127.0.0.1 (port 0 = any; the port goes to FILE). Every\n"
          "connection, on any path (one path per feed), gets its own stream of messages\n"
          "  {\"key\":\"kN\",\"value\":V,\"seq\":S,\"sent_us\":T,\"pad\":\"x..\"}  (B bytes, default 100)\n"
          "  seq 1, 2, ... per connection; key k((S-1) mod K + 1); value V = S; sent_us = the\n"
          "  realtime clock in microseconds when the message was written to the socket.\n"
          "  --rate R      messages per second per connection (fractions allowed), or max\n"
          "  --count N     stop after N messages per connection (the connection stays open)\n"
          "  --duration S  stop after S seconds per connection\n"
          "  --expect N    wait until N connections are up, then start them all together\n"
          "  --start-delay S  ...and send the first message S seconds after that (a client's\n"
          "                start-up is not measured as its receive speed)\n"
          "  --batch M     at most M messages per write (default 256)\n"
          "  --framing raw frames messages itself and writes a batch in one call (default);\n"
          "                lws writes each with lws_write(LWS_WRITE_TEXT)\n"
          "  --report FILE when every connection is done: JSON with per connection the count,\n"
          "                the achieved rate and the last value of every key (tmp + rename)\n"
          "  --exit-when-done  exit after the report (default: keep connections open until\n"
          "                SIGTERM/SIGINT)\n"
          "Prints one line per connection with what it sent, when done and at exit.\n",
          out);
}

static double parse_num(const char *s, const char *what, double min, double max)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= min && v <= max))
        die("%s %s: expected a number in %g..%g", what, s, min, max);
    return v;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--exit-when-done")) {
            opt.exit_when_done = 1;
        } else if (!strcmp(a, "--quiet")) {
            opt.quiet = 1;
        } else if (!v) {
            usage(stderr);
            die("%s needs a value", a);
        } else if (!strcmp(a, "--port")) {
            opt.port = (int)parse_num(v, a, 0, 65535), i++;
        } else if (!strcmp(a, "--port-file")) {
            opt.port_file = v, i++;
        } else if (!strcmp(a, "--report")) {
            opt.report = v, i++;
        } else if (!strcmp(a, "--rate")) {
            opt.rate = !strcmp(v, "max") ? -1 : parse_num(v, a, 1e-6, 1e9), i++;
        } else if (!strcmp(a, "--keys")) {
            opt.keys = (unsigned)parse_num(v, a, 1, 100000), i++;
        } else if (!strcmp(a, "--count")) {
            opt.count = (uint64_t)parse_num(v, a, 0, 1e15), i++;
        } else if (!strcmp(a, "--duration")) {
            opt.duration = parse_num(v, a, 0, 1e7), i++;
        } else if (!strcmp(a, "--expect")) {
            opt.expect = (unsigned)parse_num(v, a, 1, MAX_SESSIONS), i++;
        } else if (!strcmp(a, "--start-delay")) {
            opt.start_delay = parse_num(v, a, 0, 3600), i++;
        } else if (!strcmp(a, "--bytes")) {
            opt.bytes = (size_t)parse_num(v, a, 16, BENCH_MSG_MAX), i++;
        } else if (!strcmp(a, "--batch")) {
            opt.batch = (unsigned)parse_num(v, a, 1, 100000), i++;
        } else if (!strcmp(a, "--framing")) {
            if (strcmp(v, "raw") && strcmp(v, "lws"))
                die("--framing raw|lws");
            opt.raw = !strcmp(v, "raw"), i++;
        } else {
            usage(stderr);
            die("unknown argument %s", a);
        }
    }
    if (!opt.port_file) {
        usage(stderr);
        return 2;
    }
    g_buf_size = LWS_PRE + (size_t)opt.batch * (BENCH_MSG_MAX + 4);
    g_buf = malloc(g_buf_size);
    if (!g_buf)
        die("out of memory");

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    lws_set_log_level(LLL_ERR, NULL);

    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS | LWS_SERVER_OPTION_DISABLE_IPV6;
    g_context = lws_create_context(&info);
    if (!g_context)
        die("lws_create_context failed");
    memset(&info, 0, sizeof info);
    info.port = opt.port;
    info.iface = "127.0.0.1";
    info.protocols = protocols;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    info.vhost_name = "wb-loadgen";
    struct lws_vhost *vh = lws_create_vhost(g_context, &info);
    if (!vh) {
        lws_context_destroy(g_context);
        die("cannot listen on 127.0.0.1:%d", opt.port);
    }
    write_port_file(opt.port_file, lws_get_vhost_listen_port(vh));
    pthread_t pacer_thread;
    if (pthread_create(&pacer_thread, NULL, pacer, NULL) != 0)
        die("cannot start the pacer thread");

    while (!g_interrupted)
        if (lws_service(g_context, 0) < 0)
            break;
    atomic_store(&g_pacer_stop, 1);
    pthread_join(pacer_thread, NULL);
    /* At exit, what was sent in all, unless that was just printed (connections may have come
     * after the report). */
    print_summary();
    if (opt.report) {
        FILE *f = fopen(opt.report, "w");
        if (f) {
            write_report(f);
            fclose(f);
        }
    }
    lws_context_destroy(g_context);
    free(g_buf);
    return 0;
}
