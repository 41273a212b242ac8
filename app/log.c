/* log.c: the wall's one stderr log, shared by every thread, with per-key rate limiting.
 * It must never block for long, allocate per line, or let a hostile input flood stderr. */
#include "log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define LOG_LINE_MAX 1024
#define LOG_KEY_MAX 96

typedef struct log_key {
    char key[LOG_KEY_MAX];  /* "" = free slot */
    uint64_t window_start_ms;
    uint64_t last_used_ms;  /* for evicting the least recently used key */
    unsigned printed;       /* lines printed in the current window */
    uint64_t suppressed;    /* lines swallowed since the last printed one */
} log_key;

/* The logger is the one module allowed globals: every thread logs without a handle. */
static pthread_mutex_t g_out_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t g_keys_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t g_level_once = PTHREAD_ONCE_INIT;
static atomic_int g_level = WB_LOG_INFO;
static atomic_int g_level_set_explicitly = 0;
static atomic_uint_fast64_t g_suppressed_total = 0;
static log_key g_keys[LOG_MAX_KEYS];

uint64_t clock_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int64_t clock_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + (int64_t)ts.tv_nsec / 1000;
}

uint64_t clock_mono_ms(void)
{
    return clock_mono_us() / 1000u;
}

int64_t clock_wall_ms(void)
{
    return clock_wall_us() / 1000; /* after 1970: truncating is flooring */
}

static int parse_level_name(const char *name, wb_log_level *out)
{
    static const struct { const char *name; wb_log_level level; } names[] = {
        {"error", WB_LOG_ERROR}, {"warn", WB_LOG_WARN}, {"warning", WB_LOG_WARN},
        {"info", WB_LOG_INFO}, {"debug", WB_LOG_DEBUG},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(name, names[i].name) == 0) {
            *out = names[i].level;
            return 0;
        }
    }
    return -1;
}

/* The environment is read lazily so that logging works before main() parses anything, and an
 * explicit log_set_level (e.g. from --verbose) always wins over it. */
static void read_level_from_env(void)
{
    const char *env = getenv("WALLBOARD_LOG");
    wb_log_level level;
    if (!env || !*env)
        return;
    if (parse_level_name(env, &level) == 0) {
        if (!atomic_load(&g_level_set_explicitly))
            atomic_store(&g_level, (int)level);
        return;
    }
    fprintf(stderr, "wallboard warn: WALLBOARD_LOG=%.32s is not debug|info|warn|error\n", env);
}

void log_set_level(wb_log_level level)
{
    pthread_once(&g_level_once, read_level_from_env);
    atomic_store(&g_level_set_explicitly, 1);
    atomic_store(&g_level, (int)level);
}

wb_log_level log_level(void)
{
    pthread_once(&g_level_once, read_level_from_env);
    return (wb_log_level)atomic_load(&g_level);
}

static const char *level_name(wb_log_level level)
{
    switch (level) {
    case WB_LOG_ERROR: return "error";
    case WB_LOG_WARN: return "warn";
    case WB_LOG_INFO: return "info";
    case WB_LOG_DEBUG: return "debug";
    }
    return "log";
}

static int level_enabled(wb_log_level level)
{
    return (int)level <= (int)log_level();
}

/* Messages may quote bytes a remote peer sent: control characters would let it forge lines
 * or drive the terminal, so they become '?'. */
static void neutralise_controls(char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            *s = '?';
    }
}

static void format_timestamp(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (!gmtime_r(&ts.tv_sec, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, size, "?");
}

/* Builds the whole line first so it reaches stderr in one write and lines never interleave. */
static void emit(wb_log_level level, const char *tag, uint64_t suppressed, const char *fmt,
                 va_list ap)
{
    char stamp[32];
    char message[LOG_LINE_MAX];
    char line[LOG_LINE_MAX + 160];

    format_timestamp(stamp, sizeof stamp);
    if (vsnprintf(message, sizeof message, fmt, ap) < 0)
        snprintf(message, sizeof message, "(unformattable log message)");
    neutralise_controls(message);

    int n = snprintf(line, sizeof line, "%s wallboard%s%.48s%s %s: %s", stamp,
                     tag ? "[" : "", tag ? tag : "", tag ? "]" : "", level_name(level), message);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    if (suppressed > 0 && len < sizeof line - 1) {
        n = snprintf(line + len, sizeof line - len, " (%llu similar lines suppressed)",
                     (unsigned long long)suppressed);
        if (n > 0)
            len = len + (size_t)n < sizeof line ? len + (size_t)n : sizeof line - 1;
    }
    if (len >= sizeof line - 1)
        len = sizeof line - 2;
    line[len++] = '\n';
    line[len] = '\0';

    pthread_mutex_lock(&g_out_lock);
    fputs(line, stderr);
    fflush(stderr);
    pthread_mutex_unlock(&g_out_lock);
}

void log_linev(wb_log_level level, const char *tag, const char *fmt, va_list ap)
{
    if (!level_enabled(level))
        return;
    emit(level, tag, 0, fmt, ap);
}

void log_line(wb_log_level level, const char *tag, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_linev(level, tag, fmt, ap);
    va_end(ap);
}

/* Once every slot holds a key whose window is still open, new keys share this one: taking a
 * live slot would reset its count and let a rotation of many keys print without limit. */
static log_key g_overflow_key = {.key = "*"};

/* Caller holds g_keys_lock. Returns the slot of `key`: its own, a free one, the least recently
 * used one whose window has closed (its pending suppressed count is forgotten, but stays in
 * the total), or the shared overflow slot. */
static log_key *find_or_claim_key(const char *key, uint64_t now)
{
    log_key *claim = NULL;
    for (size_t i = 0; i < LOG_MAX_KEYS; i++) {
        log_key *k = &g_keys[i];
        if (k->key[0] && strncmp(k->key, key, LOG_KEY_MAX - 1) == 0)
            return k;
    }
    for (size_t i = 0; i < LOG_MAX_KEYS && !(claim && !claim->key[0]); i++) {
        log_key *k = &g_keys[i];
        int reusable = !k->key[0] || now - k->window_start_ms >= LOG_WINDOW_MS;
        if (reusable && (!claim || !k->key[0] || k->last_used_ms < claim->last_used_ms))
            claim = k;
    }
    if (!claim)
        return &g_overflow_key;
    memset(claim, 0, sizeof *claim);
    snprintf(claim->key, sizeof claim->key, "%s", key);
    if (!claim->key[0])
        snprintf(claim->key, sizeof claim->key, "-");
    claim->window_start_ms = now;
    return claim;
}

/* Decides under the lock whether this line may print; on yes, returns 1 and hands back the
 * count of lines swallowed before it so the printed line can say so. */
static int admit_keyed_line(const char *key, uint64_t *suppressed_before)
{
    uint64_t now = clock_mono_ms();
    int admit = 0;

    pthread_mutex_lock(&g_keys_lock);
    log_key *k = find_or_claim_key(key ? key : "", now);
    k->last_used_ms = now;
    if (now - k->window_start_ms >= LOG_WINDOW_MS) {
        k->window_start_ms = now;
        k->printed = 0;
    }
    if (k->printed < LOG_BURST) {
        k->printed++;
        *suppressed_before = k->suppressed;
        k->suppressed = 0;
        admit = 1;
    } else {
        k->suppressed++;
        atomic_fetch_add(&g_suppressed_total, 1);
    }
    pthread_mutex_unlock(&g_keys_lock);
    return admit;
}

void log_limited(wb_log_level level, const char *tag, const char *key, const char *fmt, ...)
{
    uint64_t suppressed = 0;
    va_list ap;

    if (!level_enabled(level))
        return;
    if (!admit_keyed_line(key, &suppressed))
        return;
    va_start(ap, fmt);
    emit(level, tag, suppressed, fmt, ap);
    va_end(ap);
}

uint64_t log_suppressed_total(void)
{
    return (uint64_t)atomic_load(&g_suppressed_total);
}
