/* recv_only: the machine's libwebsockets receive limit. A minimal lws client, set up like the
 * wall's network thread (one context, one thread, 4 KiB rx buffer), that only counts complete
 * messages: no copy, no parse, no hand-over. Prints one JSON line. 127.0.0.1 only. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <libwebsockets.h>

#define MAX_CONNS 64

static struct {
    int port;
    int conns;
    double seconds;
    double warmup;
    int parse;          /* also json_loadb each message (the network thread's work) */
} opt = {.conns = 1, .seconds = 3, .warmup = 0.5};

static uint64_t g_count, g_count_at_start, g_bytes;
static double g_t_start, g_t_end;
static int g_measuring, g_established, g_failed;
static unsigned char g_rx[1 << 20];
static size_t g_rx_len;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    (void)user;
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        g_established++;
        break;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        g_bytes += len;
        if (opt.parse) {
            /* One connection's fragments arrive in order; with several connections a message
             * is normally one fragment anyway (100 bytes < the 4 KiB rx buffer). */
            if (g_rx_len + len <= sizeof g_rx) {
                memcpy(g_rx + g_rx_len, in, len);
                g_rx_len += len;
            }
        }
        if (lws_is_final_fragment(wsi)) {
            if (opt.parse) {
                json_error_t e;
                json_t *m = json_loadb((const char *)g_rx, g_rx_len,
                                       JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);
                json_decref(m);
                g_rx_len = 0;
            }
            g_count++;
        }
        break;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        fprintf(stderr, "recv_only: connection error: %s\n", in ? (const char *)in : "?");
        g_failed = 1;
        break;
    case LWS_CALLBACK_CLIENT_CLOSED:
        g_failed = g_measuring ? g_failed : 1;
        break;
    default:
        break;
    }
    return 0;
}

static const struct lws_protocols protocols[] = {
    {"recv-only", callback, 0, 4096, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0}
};

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(a, "--port")) opt.port = atoi(v), i++;
        else if (!strcmp(a, "--conns")) opt.conns = atoi(v), i++;
        else if (!strcmp(a, "--seconds")) opt.seconds = atof(v), i++;
        else if (!strcmp(a, "--warmup")) opt.warmup = atof(v), i++;
        else if (!strcmp(a, "--parse")) opt.parse = 1;
        else {
            fprintf(stderr, "usage: recv_only --port N [--conns C] [--seconds S] [--warmup S] "
                            "[--parse]\n  connects C times to ws://127.0.0.1:N/rI (a loadgen), "
                            "counts messages for S s after S warm-up, prints JSON\n");
            return 2;
        }
    }
    if (opt.port <= 0 || opt.conns < 1 || opt.conns > MAX_CONNS) {
        fprintf(stderr, "recv_only: --port N and 1..%d --conns needed\n", MAX_CONNS);
        return 2;
    }
    lws_set_log_level(LLL_ERR, NULL);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.gid = info.uid = -1;
    info.pt_serv_buf_size = 8192;
    struct lws_context *ctx = lws_create_context(&info);
    if (!ctx)
        return 1;
    char paths[MAX_CONNS][16];
    for (int i = 0; i < opt.conns; i++) {
        struct lws_client_connect_info ci;
        memset(&ci, 0, sizeof ci);
        snprintf(paths[i], sizeof paths[i], "/r%d", i + 1);
        ci.context = ctx;
        ci.address = "127.0.0.1";
        ci.port = opt.port;
        ci.path = paths[i];
        ci.host = "127.0.0.1";
        ci.origin = "127.0.0.1";
        ci.local_protocol_name = "recv-only";
        ci.ietf_version_or_minus_one = -1;
        if (!lws_client_connect_via_info(&ci)) {
            fprintf(stderr, "recv_only: connect failed\n");
            return 1;
        }
    }
    double t0 = now_s();
    while (!g_failed) {
        lws_service(ctx, 0);
        double t = now_s();
        if (!g_measuring && g_established == opt.conns && g_count > 0 &&
            t - t0 >= opt.warmup) {
            g_measuring = 1;
            g_t_start = t;
            g_count_at_start = g_count;
        }
        if (g_measuring && t - g_t_start >= opt.seconds) {
            g_t_end = t;
            break;
        }
        if (t - t0 > opt.seconds + opt.warmup + 10) {
            fprintf(stderr, "recv_only: no traffic\n");
            g_failed = 1;
        }
    }
    lws_context_destroy(ctx);
    if (g_failed && !g_t_end)
        return 1;
    double secs = g_t_end - g_t_start;
    uint64_t n = g_count - g_count_at_start;
    printf("{\"conns\":%d,\"parse\":%s,\"messages\":%llu,\"seconds\":%.3f,\"rate\":%.0f}\n",
           opt.conns, opt.parse ? "true" : "false", (unsigned long long)n, secs,
           (double)n / secs);
    return 0;
}
