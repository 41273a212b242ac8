/* feeds.c: wallboard-feeds, the built-in demo feed server: options, signals, port file, run.
 * Must never do work in a signal handler beyond setting a flag, nor exit non-zero on a clean stop. */
#include "server.h"
#include "source.h"

#include <libwebsockets.h>
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef WB_VERSION
#define WB_VERSION "unknown"
#endif

#define PROGRAM "wallboard-feeds"
#define DEFAULT_PORT 7681
#define DEFAULT_BIND "127.0.0.1"
#define DEFAULT_RATE 8
#define EXIT_USAGE 2
#define MAX_BACKLOG 1000000

typedef struct cli {
    server_options server;
    const char *port_file; /* NULL = none */
    int seed_given;
} cli;

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int signo)
{
    (void)signo;
    stop_requested = 1;
}

static void print_help(FILE *out)
{
    size_t count;
    const feed_source *const *sources = feed_sources(&count);
    fprintf(out,
            "Usage: " PROGRAM " [OPTION]...\n"
            "Serve built-in demo feeds for wallboard over websockets (ws://ADDR:PORT/PATH).\n"
            "Each path sends a snapshot of every key on connect, then counter events; see\n"
            "docs/feeds.md for the message format.\n"
            "\n"
            "Options:\n"
            "  --port N        TCP port, 0..65535 (default %d); 0 lets the system choose and\n"
            "                  the chosen port is printed and written to --port-file\n"
            "  --bind ADDR     numeric IPv4 or IPv6 address to listen on (default %s)\n"
            "  --seed N        seed, 0..2^64-1: the same seed gives the same sequence of\n"
            "                  (seq, key, value) on every run (default: from the clock,\n"
            "                  printed on stderr so a run can be repeated)\n"
            "  --rate N        events per second on each path, 0..%d (default %d);\n"
            "                  0 sends snapshots only\n"
            "  --backlog N     messages a slow client may have queued beyond its snapshot,\n"
            "                  1..%d (default %d); past it its oldest are dropped\n"
            "  --port-file F   once listening, write the port number to F (atomically, via\n"
            "                  a temporary file renamed over F)\n"
            "  --help          show this help and exit\n"
            "  --version       show the version and exit\n"
            "\n"
            "Paths:\n",
            DEFAULT_PORT, DEFAULT_BIND, SERVER_MAX_RATE, DEFAULT_RATE, MAX_BACKLOG,
            SERVER_DEFAULT_BACKLOG);
    for (size_t i = 0; i < count; i++)
        fprintf(out, "  %-14s  %s\n", sources[i]->path, sources[i]->summary);
    fprintf(out,
            "Other paths are refused with HTTP 404 during the handshake.\n"
            "\n"
            "Stops cleanly on SIGINT or SIGTERM (clients get close code 1001).\n"
            "Exit status: 0 after a clean stop, 1 on a runtime error (e.g. port in use),\n"
            "2 on bad options.\n");
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, PROGRAM ": ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry '" PROGRAM " --help' for more information.\n");
    va_end(ap);
    return EXIT_USAGE;
}

/* Strict decimal: digits only (no sign, no spaces, no trailing junk), at most max. */
static int parse_uint(const char *text, uint64_t max, uint64_t *out)
{
    if (!text[0] || strspn(text, "0123456789") != strlen(text)) return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno == ERANGE || v > max) return -1;
    *out = v;
    return 0;
}

static int is_ip_address(const char *text)
{
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, text, buf) == 1 || inet_pton(AF_INET6, text, buf) == 1;
}

enum { OPT_PORT = 1, OPT_BIND, OPT_SEED, OPT_RATE, OPT_BACKLOG, OPT_PORT_FILE, OPT_HELP,
       OPT_VERSION };

/* Applies one option. Returns 0, or an exit status to leave with. */
static int apply_option(cli *c, int opt, const char *arg)
{
    uint64_t v;
    switch (opt) {
    case OPT_PORT:
        if (parse_uint(arg, 65535, &v))
            return usage_error("--port: expected 0..65535, got '%s'", arg);
        c->server.port = (int)v;
        return 0;
    case OPT_BIND:
        if (!is_ip_address(arg))
            return usage_error("--bind: expected a numeric IPv4 or IPv6 address, got '%s'", arg);
        c->server.bind_address = arg;
        return 0;
    case OPT_SEED:
        if (parse_uint(arg, UINT64_MAX, &v))
            return usage_error("--seed: expected 0..18446744073709551615, got '%s'", arg);
        c->server.seed = v;
        c->seed_given = 1;
        return 0;
    case OPT_RATE:
        if (parse_uint(arg, SERVER_MAX_RATE, &v))
            return usage_error("--rate: expected 0..%d events per second, got '%s'",
                               SERVER_MAX_RATE, arg);
        c->server.rate = (unsigned)v;
        return 0;
    case OPT_BACKLOG:
        if (parse_uint(arg, MAX_BACKLOG, &v) || v == 0)
            return usage_error("--backlog: expected 1..%d, got '%s'", MAX_BACKLOG, arg);
        c->server.backlog = (size_t)v;
        return 0;
    case OPT_PORT_FILE:
        if (!arg[0]) return usage_error("--port-file: expected a file name");
        c->port_file = arg;
        return 0;
    default:
        return EXIT_USAGE;
    }
}

/* Returns -1 to go on and run, or an exit status (0 after --help/--version). */
static int parse_options(int argc, char **argv, cli *c)
{
    static const struct option options[] = {
        { "port", required_argument, NULL, OPT_PORT },
        { "bind", required_argument, NULL, OPT_BIND },
        { "seed", required_argument, NULL, OPT_SEED },
        { "rate", required_argument, NULL, OPT_RATE },
        { "backlog", required_argument, NULL, OPT_BACKLOG },
        { "port-file", required_argument, NULL, OPT_PORT_FILE },
        { "help", no_argument, NULL, OPT_HELP },
        { "version", no_argument, NULL, OPT_VERSION },
        { NULL, 0, NULL, 0 },
    };
    *c = (cli){ .server = { .bind_address = DEFAULT_BIND, .port = DEFAULT_PORT,
                            .rate = DEFAULT_RATE, .backlog = SERVER_DEFAULT_BACKLOG } };
    opterr = 0; /* getopt's own messages would not say which values are allowed */
    int opt;
    while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        if (opt == OPT_HELP || opt == 'h') {
            print_help(stdout);
            return 0;
        }
        if (opt == OPT_VERSION) {
            printf(PROGRAM " " WB_VERSION "\n");
            return 0;
        }
        if (opt == ':') return usage_error("option '%s' needs a value", argv[optind - 1]);
        if (opt == '?') return usage_error("unknown option '%s'", argv[optind - 1]);
        int status = apply_option(c, opt, optarg);
        if (status) return status;
    }
    if (optind < argc) return usage_error("unexpected argument '%s'", argv[optind]);
    return -1;
}

static uint64_t seed_from_clock(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    uint64_t x = (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
    x ^= (uint64_t)getpid() << 32;
    /* Mixed so runs started in the same second still differ in every digit. */
    x ^= x >> 33;
    x *= UINT64_C(0xFF51AFD7ED558CCD);
    x ^= x >> 33;
    return x;
}

/* Readers of the port file must never see it half written: write a sibling, then rename. */
static int write_port_file(const char *path, int port, char *err, size_t err_size)
{
    char tmp[4096];
    FILE *f = NULL;
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp) {
        snprintf(err, err_size, "--port-file: path too long");
        return -1;
    }
    f = fopen(tmp, "w");
    if (!f) goto fail;
    if (fprintf(f, "%d\n", port) < 0 || fflush(f) != 0 || fsync(fileno(f)) != 0) goto fail;
    if (fclose(f) != 0) {
        f = NULL;
        goto fail;
    }
    f = NULL;
    if (rename(tmp, path) != 0) goto fail;
    return 0;

fail:
    snprintf(err, err_size, "--port-file %s: %s", path, strerror(errno));
    if (f) fclose(f);
    unlink(tmp);
    return -1;
}

static int install_signal_handlers(char *err, size_t err_size)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop_signal;
    if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL)) goto fail;
    /* A client vanishing mid-write must cost that client, not the process. */
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &sa, NULL)) goto fail;
    return 0;

fail:
    snprintf(err, err_size, "cannot install signal handlers: %s", strerror(errno));
    return -1;
}

static void print_listening(const cli *c, int port)
{
    size_t count;
    const feed_source *const *sources = feed_sources(&count);
    int v6 = strchr(c->server.bind_address, ':') != NULL;
    printf(PROGRAM ": listening on ws://%s%s%s:%d (paths:", v6 ? "[" : "",
           c->server.bind_address, v6 ? "]" : "", port);
    for (size_t i = 0; i < count; i++) printf("%s %s", i ? "," : "", sources[i]->path);
    printf(")\n");
    fflush(stdout);
}

static int run(cli *c)
{
    char err[512];
    server *s = NULL;
    if (!c->seed_given) c->server.seed = seed_from_clock();
    if (install_signal_handlers(err, sizeof err)) goto fail;
    lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
    s = server_create(&c->server, err, sizeof err);
    if (!s) goto fail;
    int port = server_port(s);
    if (c->port_file && write_port_file(c->port_file, port, err, sizeof err)) goto fail;
    fprintf(stderr, PROGRAM ": seed %llu, %u events/s per path\n",
            (unsigned long long)c->server.seed, c->server.rate);
    print_listening(c, port);
    if (server_run(s, &stop_requested, err, sizeof err)) goto fail;
    server_destroy(s);
    return 0;

fail:
    fprintf(stderr, PROGRAM ": %s\n", err);
    server_destroy(s);
    return 1;
}

int main(int argc, char **argv)
{
    cli c;
    int status = parse_options(argc, argv, &c);
    if (status >= 0) return status;
    return run(&c);
}
