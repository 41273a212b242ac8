/* wsdump: a minimal libwebsockets client that prints one line per received message, to test
 * wb-testserver on its own. It must never send anything but the handshake and close replies. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <libwebsockets.h>

/* Lines:
 *   text LEN FRAMES PREVIEW      a complete text message, PREVIEW = its bytes (escaped; long
 *                                ones as the first 60 ... the last 27)
 *   binary LEN FRAMES PREVIEW
 *   close CODE                   the server closed (CODE 0 = no code)
 *   error TEXT                   the connection failed
 *   end                          --count or --seconds reached, or the connection ended */

static int g_done;
static long g_count = -1;   /* messages to wait for, -1 = until close / timeout */
static long g_seen;
static unsigned char *g_msg;
static size_t g_len, g_cap;
static long g_frames;
static int g_binary;
static volatile sig_atomic_t g_interrupted;

static void print_bytes(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
            putchar(p[i]);
        else
            printf("\\x%02X", p[i]);
    }
}

/* The whole message up to 90 bytes, else the first 60 and the last 27 around "...". */
static void print_preview(const unsigned char *p, size_t len)
{
    if (len <= 90) {
        print_bytes(p, len);
        return;
    }
    print_bytes(p, 60);
    fputs("...", stdout);
    print_bytes(p + len - 27, 27);
}

static int append(const void *in, size_t len)
{
    if (g_len + len > g_cap) {
        size_t cap = g_cap ? g_cap : 4096;
        while (cap < g_len + len)
            cap *= 2;
        unsigned char *grown = realloc(g_msg, cap);
        if (!grown)
            return -1;
        g_msg = grown;
        g_cap = cap;
    }
    memcpy(g_msg + g_len, in, len);
    g_len += len;
    return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    switch (reason) {
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        printf("error %s\n", in ? (const char *)in : "(none)");
        g_done = 1;
        break;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (g_len == 0 && g_frames == 0)
            g_binary = lws_frame_is_binary(wsi);
        if (append(in, len) < 0)
            return -1;
        if (lws_remaining_packet_payload(wsi) == 0)
            g_frames++;
        if (lws_is_final_fragment(wsi)) {
            printf("%s %zu %ld ", g_binary ? "binary" : "text", g_len, g_frames);
            print_preview(g_msg, g_len);
            putchar('\n');
            fflush(stdout);
            g_len = 0;
            g_frames = 0;
            if (g_count >= 0 && ++g_seen >= g_count) {
                g_done = 1;
                return -1;
            }
        }
        break;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE: {
        const unsigned char *p = in;
        printf("close %d\n", len >= 2 ? (p[0] << 8) | p[1] : 0);
        fflush(stdout);
        break;
    }
    case LWS_CALLBACK_CLIENT_CLOSED:
        g_done = 1;
        break;
    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
    {"wsdump", callback, 0, 65536, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0}
};

static struct lws_context *g_ctx;

/* SIGINT, SIGTERM and SIGALRM (--seconds) end the run. */
static void on_signal(int sig)
{
    (void)sig;
    g_interrupted = 1;
    if (g_ctx)
        lws_cancel_service(g_ctx); /* a write() to lws' event pipe */
}

int main(int argc, char **argv)
{
    const char *url = NULL;
    double seconds = 10;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--count") && i + 1 < argc)
            g_count = strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            seconds = strtod(argv[++i], NULL);
        else if (!url && argv[i][0] != '-')
            url = argv[i];
        else {
            fprintf(stderr, "usage: wsdump ws://127.0.0.1:PORT/PATH [--count N] [--seconds S]\n");
            return 2;
        }
    }
    if (!url) {
        fprintf(stderr, "usage: wsdump ws://127.0.0.1:PORT/PATH [--count N] [--seconds S]\n");
        return 2;
    }
    char buf[512];
    snprintf(buf, sizeof buf, "%s", url);
    const char *prot, *address, *path;
    int port;
    if (lws_parse_uri(buf, &prot, &address, &port, &path) || strcmp(prot, "ws")) {
        fprintf(stderr, "wsdump: bad url %s (ws:// only)\n", url);
        return 2;
    }
    char full_path[512];
    snprintf(full_path, sizeof full_path, "/%s", path);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
    lws_set_log_level(LLL_ERR, NULL);

    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    struct lws_context *ctx = lws_create_context(&info);
    g_ctx = ctx;
    if (!ctx) {
        fprintf(stderr, "wsdump: lws_create_context failed\n");
        return 1;
    }
    struct lws_client_connect_info cc;
    memset(&cc, 0, sizeof cc);
    cc.context = ctx;
    cc.address = address;
    cc.port = port;
    cc.path = full_path;
    cc.host = address;
    cc.origin = address;
    cc.protocol = NULL;
    cc.local_protocol_name = "wsdump";
    if (!lws_client_connect_via_info(&cc)) {
        printf("error connect\n");
        lws_context_destroy(ctx);
        return 1;
    }
    struct itimerval it;
    memset(&it, 0, sizeof it);
    it.it_value.tv_sec = (time_t)seconds;
    it.it_value.tv_usec = (suseconds_t)((seconds - (double)(time_t)seconds) * 1e6);
    setitimer(ITIMER_REAL, &it, NULL);
    while (!g_done && !g_interrupted)
        if (lws_service(ctx, 0) < 0)
            break;
    printf("end\n");
    g_ctx = NULL;
    lws_context_destroy(ctx);
    free(g_msg);
    return 0;
}
