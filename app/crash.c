/* crash.c: the crash journal: a fatal-signal handler that records which plugin callback was
 * running, and the reading and resetting of that journal. The handler only indexes and writes. */
#include "crash.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Only the journal's tail is read: a wall in a restart loop that crashes outside any plugin
 * appends a line every RestartSec, and old lines matter less than a quick start. */
#define JOURNAL_READ_MAX (1024 * 1024)
/* A journal grown past JOURNAL_READ_MAX is cut to its last JOURNAL_KEEP bytes (whole lines). */
#define JOURNAL_KEEP (256 * 1024)
/* Enough for the handler's few frames even when the fault was a stack overflow. */
#define ALT_STACK_SIZE (64 * 1024)
/* g_marker = (slot + 1) * MARKER_SPAN + callback; 0 = no plugin code running. */
#define MARKER_SPAN 16

typedef struct crash_slot {
    char plugin[CRASH_NAME_MAX];
    char tile[CRASH_NAME_MAX];
} crash_slot;

/* Globals, because a signal handler has nothing else: written before the wall runs (slots, fd)
 * or as one sig_atomic_t store (marker), so the handler never sees half of anything. */
static volatile sig_atomic_t g_marker;
static crash_slot *g_slots;
static size_t g_slot_count;
static int g_fd = -1;
static char g_path[4096];
static char g_alt_stack[ALT_STACK_SIZE];

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

static const char *const callback_names[CRASH_CALLBACK_COUNT] = {
    [CRASH_HOST] = "host",
    [CRASH_LOAD] = "load",
    [CRASH_CREATE] = "create",
    [CRASH_DESTROY] = "destroy",
    [CRASH_ON_MESSAGE] = "on_message",
    [CRASH_ON_FEED_STATE] = "on_feed_state",
    [CRASH_RENDER] = "render",
    [CRASH_TICK] = "tick",
    [CRASH_REPORT] = "report",
    [CRASH_UNLOAD] = "unload",
    [CRASH_SAVE] = "save",
    [CRASH_RESTORE] = "restore",
};

const char *crash_callback_name(crash_callback cb)
{
    return (unsigned)cb < CRASH_CALLBACK_COUNT ? callback_names[cb] : "host";
}

const char *crash_signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGABRT: return "SIGABRT";
    }
    return NULL;
}

void crash_sanitize(const char *name, char *out, size_t size)
{
    size_t n = 0;
    if (!size) return;
    for (; name && name[n] && n + 1 < size; n++) {
        unsigned char c = (unsigned char)name[n];
        out[n] = (char)(c <= 0x20 || c == 0x7f ? '_' : c);
    }
    if (n == 0 && size > 1) out[n++] = '-'; /* a line never has an empty field */
    out[n] = '\0';
}

/* ---- the line, async-signal-safe --------------------------------------------------------- */

typedef struct line_buf {
    char *p;
    size_t size, len;
} line_buf;

static void put(line_buf *b, const char *s)
{
    while (*s && b->len + 1 < b->size) b->p[b->len++] = *s++;
}

static void put_i64(line_buf *b, int64_t v)
{
    char digits[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) digits[n++] = '-';
    char out[24];
    for (int i = 0; i < n; i++) out[i] = digits[n - 1 - i];
    out[n] = '\0';
    put(b, out);
}

size_t crash_format_line(char *buf, size_t size, int64_t time, int sig, crash_callback cb,
                         const char *plugin, const char *tile)
{
    if (size < 2) return 0;
    line_buf b = {buf, size - 1, 0}; /* keeps room for the '\n' */
    put(&b, "time=");
    put_i64(&b, time);
    put(&b, " signal=");
    put_i64(&b, sig);
    put(&b, " callback=");
    put(&b, crash_callback_name(cb));
    put(&b, " plugin=");
    put(&b, plugin && *plugin ? plugin : "-");
    put(&b, " tile=");
    put(&b, tile && *tile ? tile : "-");
    buf[b.len++] = '\n';
    buf[b.len] = '\0';
    return b.len;
}

/* ---- the handler ------------------------------------------------------------------------- */

static void on_fatal(int sig, siginfo_t *info, void *context)
{
    (void)info;
    (void)context;
    int saved_errno = errno;
    if (g_fd >= 0) {
        int marker = g_marker;
        /* Plugins run on the main thread only (its thread id is the process id): a fault on
         * another thread is the host's, whatever the main thread was doing. */
        if ((pid_t)syscall(SYS_gettid) != getpid()) marker = 0;
        size_t slot = marker > 0 ? (size_t)(marker / MARKER_SPAN - 1) : 0;
        crash_callback cb = marker > 0 ? (crash_callback)(marker % MARKER_SPAN) : CRASH_HOST;
        if (cb != CRASH_HOST && (slot >= g_slot_count || !g_slots)) cb = CRASH_HOST;
        const char *plugin = cb != CRASH_HOST ? g_slots[slot].plugin : "-";
        const char *tile = cb != CRASH_HOST ? g_slots[slot].tile : "-";
        struct timespec ts = {0, 0};
        clock_gettime(CLOCK_REALTIME, &ts);
        char line[CRASH_LINE_MAX];
        size_t len = crash_format_line(line, sizeof line, (int64_t)ts.tv_sec, sig, cb, plugin,
                                       tile);
        ssize_t rc = write(g_fd, line, len); /* one write: O_APPEND keeps the line whole */
        (void)rc;
    }
    /* Die by the signal itself (status, core dump policy): SA_RESETHAND already restored the
     * default action; set it again in case something re-installed a handler meanwhile. The
     * re-raised signal is blocked until we return, then kills; a fault also recurs on return. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    raise(sig);
    errno = saved_errno;
}

int crash_install_handlers(char *err, size_t err_size)
{
    stack_t ss;
    memset(&ss, 0, sizeof ss);
    ss.ss_sp = g_alt_stack;
    ss.ss_size = sizeof g_alt_stack;
    if (sigaltstack(&ss, NULL) != 0)
        return set_error(err, err_size, "sigaltstack: %s", strerror(errno));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fatal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
        if (sigaction(fatal_signals[i], &sa, NULL) != 0)
            return set_error(err, err_size, "sigaction(%d): %s", fatal_signals[i], strerror(errno));
    return 0;
}

/* ---- marking plugin callbacks ------------------------------------------------------------ */

int crash_slots_prepare(size_t count)
{
    crash_slots_free();
    if (count == 0) return 0;
    crash_slot *slots = calloc(count, sizeof *slots);
    if (!slots) return -1;
    g_slots = slots;
    g_slot_count = count;
    return 0;
}

void crash_slot_set(size_t slot, const char *plugin, const char *tile)
{
    if (slot >= g_slot_count) return;
    crash_sanitize(plugin, g_slots[slot].plugin, sizeof g_slots[slot].plugin);
    crash_sanitize(tile, g_slots[slot].tile, sizeof g_slots[slot].tile);
}

void crash_slots_free(void)
{
    g_marker = 0;
    g_slot_count = 0;
    free(g_slots);
    g_slots = NULL;
}

int crash_enter(size_t slot, crash_callback cb)
{
    int previous = g_marker;
    if (slot < g_slot_count && (int)cb > CRASH_HOST && cb < CRASH_CALLBACK_COUNT)
        g_marker = (sig_atomic_t)((slot + 1) * MARKER_SPAN + (size_t)cb);
    else
        g_marker = 0;
    return previous;
}

void crash_leave(int previous)
{
    g_marker = previous;
}

long crash_current_slot(void)
{
    int marker = g_marker;
    return marker > 0 ? (long)(marker / MARKER_SPAN - 1) : -1;
}

/* ---- the journal file -------------------------------------------------------------------- */

int crash_state_dir(char *out, size_t size, char *err, size_t err_size)
{
    const char *xdg = getenv("XDG_STATE_HOME");
    int n;
    if (xdg && xdg[0] == '/') {
        n = snprintf(out, size, "%s/wallboard", xdg);
    } else {
        const char *home = getenv("HOME");
        if (!home || home[0] != '/')
            return set_error(err, err_size, "neither XDG_STATE_HOME nor HOME is an absolute path");
        n = snprintf(out, size, "%s/.local/state/wallboard", home);
    }
    if (n < 0 || (size_t)n >= size) return set_error(err, err_size, "state folder path too long");
    return 0;
}

/* mkdir -p with 0700 for what it creates (the XDG spec's mode for state folders). */
static int make_dirs(char *path, char *err, size_t err_size)
{
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char saved = *p;
        *p = '\0';
        int rc = mkdir(path, 0700);
        int e = errno;
        *p = saved;
        if (rc != 0 && e != EEXIST) {
            *p = '\0';
            set_error(err, err_size, "cannot create %s: %s", path, strerror(e));
            *p = saved;
            return -1;
        }
        if (!saved) return 0;
    }
}

/* A crash loop under Restart=always must not grow the journal without end. The tail is written
 * to a new file renamed over the old, so a crash meanwhile leaves one or the other whole. A
 * journal that cannot be trimmed is left as it is: only its last MiB is read anyway. */
static void trim_journal(const char *path)
{
    char tmp[sizeof g_path + 8];
    char *tail = NULL;
    int in = -1, out = -1;
    struct stat st;

    in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0 || fstat(in, &st) != 0 || st.st_size <= JOURNAL_READ_MAX) goto done;
    tail = malloc(JOURNAL_KEEP);
    if (!tail) goto done;
    ssize_t got = pread(in, tail, JOURNAL_KEEP, st.st_size - JOURNAL_KEEP);
    if (got != JOURNAL_KEEP) goto done;
    const char *nl = memchr(tail, '\n', JOURNAL_KEEP);
    if (!nl) goto done;
    size_t skip = (size_t)(nl + 1 - tail);
    snprintf(tmp, sizeof tmp, "%s.trim", path);
    out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) goto done;
    if (write(out, tail + skip, JOURNAL_KEEP - skip) == (ssize_t)(JOURNAL_KEEP - skip) &&
        fsync(out) == 0 && rename(tmp, path) == 0) {
        log_line(WB_LOG_INFO, NULL, "crash journal %s: trimmed from %lld to %zu bytes", path,
                 (long long)st.st_size, JOURNAL_KEEP - skip);
    } else {
        log_line(WB_LOG_WARN, NULL, "crash journal %s: cannot trim it: %s", path,
                 strerror(errno));
        unlink(tmp);
    }
done:
    if (out >= 0) close(out);
    if (in >= 0) close(in);
    free(tail);
}

int crash_journal_open(char *err, size_t err_size)
{
    char dir[sizeof g_path - 16];
    crash_journal_close();
    if (crash_state_dir(dir, sizeof dir, err, err_size) != 0) return -1;
    if (make_dirs(dir, err, err_size) != 0) return -1;
    snprintf(g_path, sizeof g_path, "%s/crashes", dir);
    trim_journal(g_path);
    /* Opened now, so the handler needs no path work; read and truncated through it too. */
    g_fd = open(g_path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (g_fd < 0) {
        set_error(err, err_size, "cannot open the crash journal %s: %s", g_path, strerror(errno));
        g_path[0] = '\0';
        return -1;
    }
    return 0;
}

const char *crash_journal_path(void)
{
    return g_fd >= 0 ? g_path : NULL;
}

int crash_journal_reset(char *err, size_t err_size)
{
    if (g_fd < 0) return set_error(err, err_size, "no crash journal is open");
    if (ftruncate(g_fd, 0) != 0)
        return set_error(err, err_size, "cannot empty the crash journal %s: %s", g_path,
                         strerror(errno));
    return 0;
}

void crash_journal_close(void)
{
    if (g_fd >= 0) close(g_fd);
    g_fd = -1;
    g_path[0] = '\0';
}

static int parse_field(const char **p, const char *key, char *out, size_t size)
{
    size_t klen = strlen(key);
    if (strncmp(*p, key, klen) != 0) return -1;
    const char *v = *p + klen;
    size_t n = strcspn(v, " ");
    if (n == 0 || n >= size) return -1;
    memcpy(out, v, n);
    out[n] = '\0';
    *p = v + n + (v[n] == ' ');
    return 0;
}

static int parse_int(const char *text, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max) return -1;
    *out = v;
    return 0;
}

int crash_parse_line(const char *line, crash_entry *out, char *err, size_t err_size)
{
    char time_text[24], sig_text[8], cb_text[24];
    const char *p = line;
    int64_t t, sig;
    memset(out, 0, sizeof *out);
    if (parse_field(&p, "time=", time_text, sizeof time_text) ||
        parse_field(&p, "signal=", sig_text, sizeof sig_text) ||
        parse_field(&p, "callback=", cb_text, sizeof cb_text) ||
        parse_field(&p, "plugin=", out->plugin, sizeof out->plugin) ||
        parse_field(&p, "tile=", out->tile, sizeof out->tile) || *p)
        return set_error(err, err_size,
                         "expected 'time=N signal=N callback=NAME plugin=NAME tile=ID'");
    if (parse_int(time_text, 0, INT64_MAX, &t))
        return set_error(err, err_size, "time=%s is not epoch seconds", time_text);
    if (parse_int(sig_text, 1, 64, &sig))
        return set_error(err, err_size, "signal=%s is not a signal number", sig_text);
    int cb = -1;
    for (int i = 0; i < CRASH_CALLBACK_COUNT; i++)
        if (!strcmp(cb_text, callback_names[i])) cb = i;
    if (cb < 0) return set_error(err, err_size, "callback=%s is not a plugin callback", cb_text);
    out->time = t;
    out->signal = (int)sig;
    out->callback = (crash_callback)cb;
    return 0;
}

int crash_journal_read(crash_entry **entries, size_t *count, char *err, size_t err_size)
{
    *entries = NULL;
    *count = 0;
    if (g_fd < 0) return set_error(err, err_size, "no crash journal is open");
    struct stat st;
    if (fstat(g_fd, &st) != 0)
        return set_error(err, err_size, "cannot read %s: %s", g_path, strerror(errno));
    off_t start = st.st_size > JOURNAL_READ_MAX ? st.st_size - JOURNAL_READ_MAX : 0;
    size_t size = (size_t)(st.st_size - start);
    char *text = malloc(size + 1);
    crash_entry *list = NULL;
    size_t n = 0, got = 0;
    if (!text) goto oom;
    while (got < size) {
        ssize_t r = pread(g_fd, text + got, size - got, start + (off_t)got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    text[got] = '\0';
    char *line = text;
    if (start > 0) { /* the first line is cut: skip it */
        char *nl = strchr(line, '\n');
        line = nl ? nl + 1 : text + got;
    }
    size_t lines = 0;
    for (const char *c = line; *c; c++) lines += *c == '\n';
    list = calloc(lines + 1, sizeof *list);
    if (!list) goto oom;
    for (int number = 1; *line; number++) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        char why[160];
        if (*line && crash_parse_line(line, &list[n], why, sizeof why) == 0) {
            n++;
        } else if (*line) {
            /* Numbered from where reading started: the whole file unless it is over a MiB. */
            log_line(WB_LOG_ERROR, NULL, "crash journal %s: line %d ignored: %s", g_path,
                     number, why);
        }
        if (!nl) break;
        line = nl + 1;
    }
    free(text);
    *entries = list;
    *count = n;
    return 0;
oom:
    free(text);
    free(list);
    return set_error(err, err_size, "out of memory reading %s", g_path);
}
