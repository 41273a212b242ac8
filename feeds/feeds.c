/* feeds.c: wallboard-feeds, the built-in feed server: options, replay check, signals, port file, run.
 * Must never do work in a signal handler beyond setting a flag, nor exit non-zero on a clean stop. */
#include "recording.h"
#include "server.h"
#include "sim.h"
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
#define DEFAULT_CLOCK "08:10"   /* a visitor hall opens to the morning rush */
#define MAX_SPEED 1000.0
#define MAX_WAIT_CLIENTS 10000

typedef struct cli {
    server_options server;
    const char *port_file; /* NULL = none */
    int seed_given;
    int date_given;
    const char *live_option;   /* the last option that only makes sense when generating */
    const char *replay_option; /* the last option that only makes sense with --replay */
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
            "       " PROGRAM " --replay FILE [--speed X] [--wait-clients N] [OPTION]...\n"
            "Serve the wallboard demo feeds over websockets (ws://ADDR:PORT/PATH): generated\n"
            "live, or replayed from a recording. A client gets a snapshot of the path's state,\n"
            "then its events; see docs/feeds.md for every message.\n"
            "\n"
            "Serving:\n"
            "  --port N        TCP port, 0..65535 (default %d); 0 lets the system choose and\n"
            "                  the chosen port is printed and written to --port-file\n"
            "  --bind ADDR     numeric IPv4 or IPv6 address to listen on (default %s)\n"
            "  --backlog N     messages a slow client may have queued beyond its snapshot,\n"
            "                  1..%d (default %d); past it its oldest are dropped and it\n"
            "                  sees a gap in seq\n"
            "  --port-file F   once listening, write the port number to F (atomically, via\n"
            "                  a temporary file renamed over F)\n"
            "\n"
            "Generating (the default):\n"
            "  --seed N        seed, 0..2^64-1: the same seed (and --clock) gives the same\n"
            "                  events on every run (default: from the clock, printed on\n"
            "                  stderr so a run can be repeated)\n"
            "  --rate N        /demo events per second, 0..%d (default %d); 0 sends\n"
            "                  snapshots only\n"
            "  --clock HH:MM   simulated local time at start for /clinics, /attendance and\n"
            "                  /trades (default %s); the day before it is simulated\n"
            "                  silently, so the first snapshot has the morning's history\n"
            "  --time-scale N  simulated seconds per real second, 0..%u (default 1); 60 runs\n"
            "                  a day in 24 minutes, 0 stops the simulated clock (snapshots\n"
            "                  only on those paths)\n"
            "  --date YYYY-MM-DD  simulated date at start (default: today, local time); it\n"
            "                  appears in /attendance snapshots and /trades ids only\n"
            "  --record FILE   write every message sent on every path to FILE, one JSON\n"
            "                  line each: {\"t\": ms since start, \"path\", \"msg\"}, starting\n"
            "                  with a snapshot of each path\n"
            "\n"
            "Replaying:\n"
            "  --replay FILE   serve a recording instead of generating: only its paths,\n"
            "                  with its seq values, each message sent at its \"t\" divided by\n"
            "                  --speed; a client connecting meanwhile gets a snapshot of the\n"
            "                  state so far. At the end the server stays up, idle, with the\n"
            "                  final state. The whole file is checked first: an error names\n"
            "                  FILE:LINE and exits 2\n"
            "  --speed X       replay speed, a number > 0 up to %g (default 1), or 0 or\n"
            "                  \"max\": as fast as possible\n"
            "  --wait-clients N  start replaying once N clients are connected (default 0);\n"
            "                  they get the recording's first snapshot, then every event\n"
            "\n"
            "  --help          show this help and exit\n"
            "  --version       show the version and exit\n"
            "\n"
            "Paths:\n",
            DEFAULT_PORT, DEFAULT_BIND, MAX_BACKLOG, SERVER_DEFAULT_BACKLOG, SERVER_MAX_RATE,
            DEFAULT_RATE, DEFAULT_CLOCK, SIM_MAX_TIME_SCALE, MAX_SPEED);
    for (size_t i = 0; i < count; i++)
        fprintf(out, "  %-14s  %s\n", sources[i]->path, sources[i]->summary);
    fprintf(out,
            "Other paths are refused with HTTP 404 during the handshake.\n"
            "\n"
            "Stops cleanly on SIGINT or SIGTERM (clients get close code 1001).\n"
            "Exit status: 0 after a clean stop, 1 on a runtime error (e.g. port in use,\n"
            "recording not writable), 2 on bad options or a bad replay file.\n");
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

enum { OPT_PORT = 1, OPT_BIND, OPT_SEED, OPT_RATE, OPT_BACKLOG, OPT_PORT_FILE, OPT_CLOCK,
       OPT_TIME_SCALE, OPT_DATE, OPT_RECORD, OPT_REPLAY, OPT_SPEED, OPT_WAIT_CLIENTS, OPT_HELP,
       OPT_VERSION };

/* "max", or a plain decimal number (digits, at most one point) up to MAX_SPEED. */
static int parse_speed(const char *text, double *out)
{
    if (strcmp(text, "max") == 0) {
        *out = 0;
        return 0;
    }
    size_t digits = strspn(text, "0123456789.");
    const char *point = strchr(text, '.');
    if (!text[0] || digits != strlen(text) || (point && strchr(point + 1, '.')) ||
        strcmp(text, ".") == 0)
        return -1;
    double v = strtod(text, NULL);
    if (!(v >= 0 && v <= MAX_SPEED)) return -1;
    *out = v;
    return 0;
}

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
    case OPT_CLOCK:
        if (sim_parse_clock(arg, &c->server.start_ms))
            return usage_error("--clock: expected HH:MM, 00:00..23:59, got '%s'", arg);
        return 0;
    case OPT_TIME_SCALE:
        if (parse_uint(arg, SIM_MAX_TIME_SCALE, &v))
            return usage_error("--time-scale: expected 0..%u simulated seconds per second, "
                               "got '%s'", SIM_MAX_TIME_SCALE, arg);
        c->server.time_scale = (unsigned)v;
        return 0;
    case OPT_DATE:
        if (sim_parse_date(arg, &c->server.start_day))
            return usage_error("--date: expected a date YYYY-MM-DD from 1970 on, got '%s'", arg);
        c->date_given = 1;
        return 0;
    case OPT_RECORD:
        if (!arg[0]) return usage_error("--record: expected a file name");
        c->server.record_path = arg;
        return 0;
    case OPT_REPLAY:
        if (!arg[0]) return usage_error("--replay: expected a file name");
        c->server.replay_path = arg;
        return 0;
    case OPT_SPEED:
        if (parse_speed(arg, &c->server.replay_speed))
            return usage_error("--speed: expected a number from 0 to %g, or 'max', got '%s'",
                               MAX_SPEED, arg);
        return 0;
    case OPT_WAIT_CLIENTS:
        if (parse_uint(arg, MAX_WAIT_CLIENTS, &v))
            return usage_error("--wait-clients: expected 0..%d, got '%s'", MAX_WAIT_CLIENTS, arg);
        c->server.wait_clients = (unsigned)v;
        return 0;
    default:
        return EXIT_USAGE;
    }
}

static const struct option long_options[] = {
    { "port", required_argument, NULL, OPT_PORT },
    { "bind", required_argument, NULL, OPT_BIND },
    { "seed", required_argument, NULL, OPT_SEED },
    { "rate", required_argument, NULL, OPT_RATE },
    { "backlog", required_argument, NULL, OPT_BACKLOG },
    { "port-file", required_argument, NULL, OPT_PORT_FILE },
    { "clock", required_argument, NULL, OPT_CLOCK },
    { "time-scale", required_argument, NULL, OPT_TIME_SCALE },
    { "date", required_argument, NULL, OPT_DATE },
    { "record", required_argument, NULL, OPT_RECORD },
    { "replay", required_argument, NULL, OPT_REPLAY },
    { "speed", required_argument, NULL, OPT_SPEED },
    { "wait-clients", required_argument, NULL, OPT_WAIT_CLIENTS },
    { "help", no_argument, NULL, OPT_HELP },
    { "version", no_argument, NULL, OPT_VERSION },
    { NULL, 0, NULL, 0 },
};

static const char *option_name(int opt)
{
    for (const struct option *o = long_options; o->name; o++)
        if (o->val == opt) return o->name;
    return "?";
}

/* Returns -1 to go on and run, or an exit status (0 after --help/--version). */
static int parse_options(int argc, char **argv, cli *c)
{
    *c = (cli){ .server = { .bind_address = DEFAULT_BIND, .port = DEFAULT_PORT,
                            .rate = DEFAULT_RATE, .backlog = SERVER_DEFAULT_BACKLOG,
                            .time_scale = 1, .replay_speed = 1 } };
    sim_parse_clock(DEFAULT_CLOCK, &c->server.start_ms);
    opterr = 0; /* getopt's own messages would not say which values are allowed */
    int opt;
    while ((opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
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
        if (opt == OPT_SEED || opt == OPT_RATE || opt == OPT_CLOCK || opt == OPT_TIME_SCALE ||
            opt == OPT_DATE || opt == OPT_RECORD)
            c->live_option = option_name(opt);
        if (opt == OPT_SPEED || opt == OPT_WAIT_CLIENTS) c->replay_option = option_name(opt);
    }
    if (optind < argc) return usage_error("unexpected argument '%s'", argv[optind]);
    /* Options that would silently do nothing are mistakes worth saying so. */
    if (c->server.replay_path && c->live_option)
        return usage_error("--%s has no effect with --replay: a replay sends what was recorded",
                           c->live_option);
    if (!c->server.replay_path && c->replay_option)
        return usage_error("--%s needs --replay FILE", c->replay_option);
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
    int v6 = strchr(c->server.bind_address, ':') != NULL;
    printf(PROGRAM ": listening on ws://%s%s%s:%d (paths:", v6 ? "[" : "",
           c->server.bind_address, v6 ? "]" : "", port);
    for (size_t i = 0; i < c->server.source_count; i++)
        printf("%s %s", i ? "," : "", c->server.sources[i]->path);
    printf(")\n");
    fflush(stdout);
}

static int32_t today_local(void)
{
    time_t now = time(NULL);
    struct tm tm;
    if (!localtime_r(&now, &tm)) return (int32_t)(now / 86400);
    return sim_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* The paths a replay serves: those its recording has lines for. 0, or an exit status. */
static int choose_replay_sources(cli *c, const feed_source **chosen)
{
    char err[512];
    size_t count, lines;
    const feed_source *const *sources = feed_sources(&count);
    int used[16] = { 0 };
    if (count > sizeof used / sizeof used[0]) count = sizeof used / sizeof used[0];
    if (replay_check(c->server.replay_path, used, &lines, err, sizeof err)) {
        fprintf(stderr, PROGRAM ": --replay: %s\n", err);
        return EXIT_USAGE;
    }
    c->server.source_count = 0;
    for (size_t i = 0; i < count; i++)
        if (used[i]) chosen[c->server.source_count++] = sources[i];
    c->server.sources = chosen;
    char speed[32] = "full speed";
    if (c->server.replay_speed > 0) snprintf(speed, sizeof speed, "speed %g", c->server.replay_speed);
    fprintf(stderr, PROGRAM ": replaying %s (%zu messages) at %s", c->server.replay_path, lines,
            speed);
    if (c->server.wait_clients)
        fprintf(stderr, " once %u clients are connected", c->server.wait_clients);
    fputc('\n', stderr);
    return 0;
}

static void describe_live(const cli *c)
{
    char date[11];
    sim_format_date(c->server.start_day, 0, date);
    int64_t minutes = c->server.start_ms / SIM_MINUTE_MS;
    fprintf(stderr, PROGRAM ": seed %llu, /demo at %u events/s, simulated clock %s %02d:%02d "
            "at %ux%s%s\n", (unsigned long long)c->server.seed, c->server.rate, date,
            (int)(minutes / 60), (int)(minutes % 60), c->server.time_scale,
            c->server.record_path ? ", recording to " : "",
            c->server.record_path ? c->server.record_path : "");
}

static int run(cli *c)
{
    char err[512];
    const feed_source *chosen[16];
    server *s = NULL;
    if (c->server.replay_path) {
        int status = choose_replay_sources(c, chosen);
        if (status) return status;
    } else {
        if (!c->seed_given) c->server.seed = seed_from_clock();
        if (!c->date_given) c->server.start_day = today_local();
        c->server.sources = feed_sources(&c->server.source_count);
    }
    if (install_signal_handlers(err, sizeof err)) goto fail;
    lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
    s = server_create(&c->server, err, sizeof err);
    if (!s) goto fail;
    int port = server_port(s);
    if (c->port_file && write_port_file(c->port_file, port, err, sizeof err)) goto fail;
    if (!c->server.replay_path) describe_live(c);
    print_listening(c, port);
    if (server_run(s, &stop_requested, err, sizeof err)) goto fail;
    server *done = s;
    s = NULL;
    if (server_destroy(done, err, sizeof err)) goto fail;
    return 0;

fail:
    fprintf(stderr, PROGRAM ": %s\n", err);
    server_destroy(s, NULL, 0);
    return 1;
}

int main(int argc, char **argv)
{
    cli c;
    int status = parse_options(argc, argv, &c);
    if (status >= 0) return status;
    return run(&c);
}
