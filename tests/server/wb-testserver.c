/* wb-testserver: a scripted libwebsockets server on 127.0.0.1 that plays a script of frames to every
 * client, for the e2e tests. It must never listen beyond loopback nor print anything but errors. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <strings.h>

#include <libwebsockets.h>

/* ------------------------------------------------------------------ the script */

typedef enum step_kind {
    STEP_TEXT,        /* JSON line or @raw: one text frame */
    STEP_BINARY,      /* @binary: one binary frame */
    STEP_INVALID_UTF8,/* @invalid-utf8 */
    STEP_BIG,         /* @big BYTES [JSON object]: one text frame of ~BYTES */
    STEP_BIG_FRAGMENTS, /* @big-fragments BYTES N [JSON object]: the same, in N-byte fragments */
    STEP_FRAGMENTS,   /* @fragments N JSON: one message in N-byte fragments */
    STEP_SLEEP,       /* @sleep MS */
    STEP_CLOSE,       /* @close CODE */
    STEP_HOLD,        /* @hold */
    STEP_REPEAT,      /* @repeat N TEMPLATE (%d -> 1..N) */
    STEP_REPEAT_KEYS, /* @repeat-keys N K TEMPLATE (%d -> 1..N, %k -> 1..K in turn) */
    STEP_NESTED,      /* @nested DEPTH [JSON], @nested-objects DEPTH [JSON] */
    STEP_MANY_KEYS,   /* @many-keys N [JSON] */
    STEP_STALL,       /* @stall MS JSON, @stall-deaf MS JSON */
    STEP_PINGS,       /* @pings N [PAYLOAD] */
    STEP_AWAIT,       /* @await FILE */
    STEP_CONNECTION   /* @connection N: the steps after it are for the Nth connection */
} step_kind;

typedef struct step {
    step_kind kind;
    char *text;       /* payload, template or JSON to merge into @big; may be NULL */
    size_t len;
    long n;           /* ms, code, count, bytes */
    long frag;        /* fragment size; @repeat-keys: K */
    int binary;       /* @big-binary, @big-binary-fragments: binary frames */
    int variant;      /* @nested-objects: objects; @stall-deaf: stop reading; @close: has code */
    int line;
} step;

typedef struct script {
    step *steps;
    size_t count;
    int has_frames;   /* at least one step sends something: --loop may restart */
} script;

static script g_script;
static int g_loop;
static long g_connections;          /* websocket connections established so far */
static FILE *g_log;                 /* --log: one line per handshake and logged header */
static const char *g_log_headers[8];/* --log-header NAME (custom headers, and Authorization) */
static int g_log_header_count;
static volatile sig_atomic_t g_interrupted;
static struct lws_context *g_context;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("wb-testserver: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        die("out of memory");
    return d;
}

static long parse_long(const char *text, const char **rest, long min, long max, const char *file,
                       int line, const char *what)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || errno || v < min || v > max)
        die("%s:%d: %s: expected a number in %ld..%ld", file, line, what, min, max);
    while (*end == ' ' || *end == '\t')
        end++;
    if (rest)
        *rest = end;
    else if (*end)
        die("%s:%d: %s: unexpected text after the number", file, line, what);
    return v;
}

/* The text after a directive name: "" if none. */
static const char *argument(const char *line, size_t name_len)
{
    const char *p = line + name_len;
    if (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static int directive_is(const char *line, const char *name)
{
    size_t n = strlen(name);
    return strncmp(line, name, n) == 0 && (line[n] == '\0' || line[n] == ' ' || line[n] == '\t');
}

static void script_add(step s)
{
    step *grown = realloc(g_script.steps, (g_script.count + 1) * sizeof *grown);
    if (!grown)
        die("out of memory");
    g_script.steps = grown;
    g_script.steps[g_script.count++] = s;
    if (s.kind != STEP_SLEEP && s.kind != STEP_HOLD && s.kind != STEP_CLOSE &&
        s.kind != STEP_AWAIT && s.kind != STEP_CONNECTION)
        g_script.has_frames = 1;
}

/* TEXT with the escapes \\xHH (a byte) and \\\\ (a backslash) decoded; other backslashes are
 * kept. *len gets the byte count (the text may hold NUL bytes). */
static char *decode_escapes(const char *text, size_t *len, const char *file, int line)
{
    char *out = malloc(strlen(text) + 1);
    size_t n = 0;
    if (!out)
        die("out of memory");
    for (const char *p = text; *p;) {
        if (p[0] == '\\' && p[1] == '\\') {
            out[n++] = '\\';
            p += 2;
        } else if (p[0] == '\\' && p[1] == 'x') {
            if (!isxdigit((unsigned char)p[2]) || !isxdigit((unsigned char)p[3]))
                die("%s:%d: @esc: \\x needs two hex digits", file, line);
            char hex[3] = {p[2], p[3], 0};
            out[n++] = (char)strtol(hex, NULL, 16);
            p += 4;
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
    *len = n;
    return out;
}

static void script_load(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die("%s: %s", path, strerror(errno));
    char *buf = NULL;
    size_t cap = 0;
    ssize_t got;
    int line_no = 0;
    while ((got = getline(&buf, &cap, f)) >= 0) {
        line_no++;
        while (got > 0 && (buf[got - 1] == '\n' || buf[got - 1] == '\r'))
            buf[--got] = '\0';
        const char *l = buf;
        if (*l == '\0' || *l == '#')
            continue;
        step s = {.line = line_no};
        if (*l == '{' || *l == '[') {
            s.kind = STEP_TEXT;
            s.text = xstrdup(l);
        } else if (directive_is(l, "@sleep")) {
            s.kind = STEP_SLEEP;
            s.n = parse_long(argument(l, 6), NULL, 0, 3600000, path, line_no, "@sleep");
        } else if (directive_is(l, "@raw")) {
            s.kind = STEP_TEXT;
            s.text = xstrdup(argument(l, 4));
        } else if (directive_is(l, "@binary")) {
            s.kind = STEP_BINARY;
            s.text = xstrdup(argument(l, 7));
        } else if (directive_is(l, "@invalid-utf8")) {
            s.kind = STEP_INVALID_UTF8;
            s.text = xstrdup("\xC3\x28");
        } else if (directive_is(l, "@big")) {
            const char *rest;
            s.kind = STEP_BIG;
            s.n = parse_long(argument(l, 4), &rest, 0, 256L * 1024 * 1024, path, line_no, "@big");
            s.text = *rest ? xstrdup(rest) : NULL;
        } else if (directive_is(l, "@big-fragments")) {
            const char *rest;
            s.kind = STEP_BIG_FRAGMENTS;
            s.n = parse_long(argument(l, 14), &rest, 0, 256L * 1024 * 1024, path, line_no,
                             "@big-fragments BYTES");
            s.frag = parse_long(rest, &rest, 1, INT_MAX, path, line_no, "@big-fragments N");
            s.text = *rest ? xstrdup(rest) : NULL;
        } else if (directive_is(l, "@fragments")) {
            const char *rest;
            s.kind = STEP_FRAGMENTS;
            s.frag = parse_long(argument(l, 10), &rest, 1, INT_MAX, path, line_no, "@fragments");
            if (!*rest)
                die("%s:%d: @fragments N JSON: the message is missing", path, line_no);
            s.text = xstrdup(rest);
        } else if (directive_is(l, "@close")) {
            const char *rest;
            s.kind = STEP_CLOSE;
            if (*argument(l, 6)) {
                /* any 16-bit code goes on the wire as is, even ones RFC 6455 forbids there */
                s.variant = 1;
                s.n = parse_long(argument(l, 6), &rest, 0, 65535, path, line_no, "@close CODE");
                if (strlen(rest) > 123)
                    die("%s:%d: @close: the reason is at most 123 bytes", path, line_no);
                s.text = *rest ? xstrdup(rest) : NULL;
            }
        } else if (directive_is(l, "@hold")) {
            s.kind = STEP_HOLD;
        } else if (directive_is(l, "@repeat")) {
            const char *rest;
            s.kind = STEP_REPEAT;
            s.n = parse_long(argument(l, 7), &rest, 0, 100000000, path, line_no, "@repeat");
            if (!*rest)
                die("%s:%d: @repeat N TEMPLATE: the template is missing", path, line_no);
            s.text = xstrdup(rest);
        } else if (directive_is(l, "@repeat-keys")) {
            const char *rest;
            s.kind = STEP_REPEAT_KEYS;
            s.n = parse_long(argument(l, 12), &rest, 0, 100000000, path, line_no,
                             "@repeat-keys N");
            s.frag = parse_long(rest, &rest, 1, 1000000, path, line_no, "@repeat-keys K");
            if (!*rest)
                die("%s:%d: @repeat-keys N K TEMPLATE: the template is missing", path, line_no);
            s.text = xstrdup(rest);
        } else if (directive_is(l, "@esc")) {
            s.kind = STEP_TEXT;
            s.text = decode_escapes(argument(l, 4), &s.len, path, line_no);
        } else if (directive_is(l, "@big-binary")) {
            const char *rest;
            s.kind = STEP_BIG;
            s.binary = 1;
            s.n = parse_long(argument(l, 11), &rest, 0, 256L * 1024 * 1024, path, line_no,
                             "@big-binary");
            s.text = *rest ? xstrdup(rest) : NULL;
        } else if (directive_is(l, "@big-binary-fragments")) {
            const char *rest;
            s.kind = STEP_BIG_FRAGMENTS;
            s.binary = 1;
            s.n = parse_long(argument(l, 21), &rest, 0, 256L * 1024 * 1024, path, line_no,
                             "@big-binary-fragments BYTES");
            s.frag = parse_long(rest, &rest, 1, INT_MAX, path, line_no,
                                "@big-binary-fragments N");
            s.text = *rest ? xstrdup(rest) : NULL;
        } else if (directive_is(l, "@nested") || directive_is(l, "@nested-objects")) {
            const char *rest;
            s.kind = STEP_NESTED;
            s.variant = directive_is(l, "@nested-objects");
            s.n = parse_long(argument(l, s.variant ? 15 : 7), &rest, 1, 10000000, path, line_no,
                             "@nested DEPTH");
            s.text = *rest ? xstrdup(rest) : NULL;
        } else if (directive_is(l, "@many-keys")) {
            const char *rest;
            s.kind = STEP_MANY_KEYS;
            s.n = parse_long(argument(l, 10), &rest, 0, 10000000, path, line_no, "@many-keys N");
            s.text = *rest ? xstrdup(rest) : NULL;
        } else if (directive_is(l, "@stall") || directive_is(l, "@stall-deaf")) {
            const char *rest;
            s.kind = STEP_STALL;
            s.variant = directive_is(l, "@stall-deaf");
            s.n = parse_long(argument(l, s.variant ? 11 : 6), &rest, 0, 3600000, path, line_no,
                             "@stall MS");
            if (strlen(rest) < 2)
                die("%s:%d: @stall MS JSON: a message of 2 bytes or more is needed", path,
                    line_no);
            s.text = xstrdup(rest);
        } else if (directive_is(l, "@pings")) {
            const char *rest;
            s.kind = STEP_PINGS;
            s.n = parse_long(argument(l, 6), &rest, 0, 100000000, path, line_no, "@pings N");
            if (strlen(rest) > 125)
                die("%s:%d: @pings: a ping's payload is at most 125 bytes", path, line_no);
            s.text = xstrdup(rest);
        } else if (directive_is(l, "@await")) {
            s.kind = STEP_AWAIT;
            s.text = xstrdup(argument(l, 6));
            if (!*s.text)
                die("%s:%d: @await FILE: the file is missing", path, line_no);
        } else if (directive_is(l, "@connection")) {
            s.kind = STEP_CONNECTION;
            s.n = parse_long(argument(l, 11), NULL, 1, LONG_MAX, path, line_no, "@connection");
            long last = 0;
            for (size_t i = 0; i < g_script.count; i++)
                if (g_script.steps[i].kind == STEP_CONNECTION)
                    last = g_script.steps[i].n;
            if (g_script.count > 0 && last == 0)
                die("%s:%d: @connection: the steps before the first @connection belong to no "
                    "connection", path, line_no);
            if (s.n <= last)
                die("%s:%d: @connection %ld after @connection %ld: they must increase", path,
                    line_no, s.n, last);
        } else {
            die("%s:%d: unknown step \"%s\" (a JSON line, or @sleep @raw @esc @binary "
                "@invalid-utf8 @big @big-fragments @big-binary @big-binary-fragments @fragments "
                "@nested @nested-objects @many-keys @stall @stall-deaf @pings @await "
                "@connection @close @hold @repeat @repeat-keys)", path, line_no, l);
        }
        if (s.text && !s.len)
            s.len = strlen(s.text);
        script_add(s);
    }
    free(buf);
    if (ferror(f))
        die("%s: read error", path);
    fclose(f);
}

static void script_free(void)
{
    for (size_t i = 0; i < g_script.count; i++)
        free(g_script.steps[i].text);
    free(g_script.steps);
    g_script.steps = NULL;
    g_script.count = 0;
}

/* A buffer with LWS_PRE bytes of headroom before the payload. */
typedef struct frame {
    unsigned char *base;  /* malloc'd, LWS_PRE + len */
    size_t len;
} frame;

static unsigned char *frame_alloc(frame *f, size_t len)
{
    f->base = malloc(LWS_PRE + len + 1);
    f->len = len;
    return f->base ? f->base + LWS_PRE : NULL;
}

/* {"pad":"xxx..."} of about `bytes` bytes, with the members of `merge` (a JSON object's text)
 * appended after "pad" when given. */
static int build_big(frame *f, long bytes, const char *merge)
{
    static const char head[] = "{\"pad\":\"";
    const char *inner = "";
    size_t inner_len = 0;
    if (merge) {
        /* the object's members: between the first '{' and the last '}' */
        const char *open = strchr(merge, '{');
        const char *close = strrchr(merge, '}');
        if (open && close && close > open) {
            inner = open + 1;
            inner_len = (size_t)(close - open - 1);
            while (inner_len && (*inner == ' ' || *inner == '\t')) {
                inner++;
                inner_len--;
            }
        }
    }
    size_t fixed = sizeof head - 1 + 2 + (inner_len ? inner_len + 1 : 0); /* '"' '}' ',' */
    size_t pad = (size_t)bytes > fixed ? (size_t)bytes - fixed : 0;
    size_t len = fixed + pad;
    unsigned char *p = frame_alloc(f, len);
    if (!p)
        return -1;
    memcpy(p, head, sizeof head - 1);
    p += sizeof head - 1;
    memset(p, 'x', pad);
    p += pad;
    *p++ = '"';
    if (inner_len) {
        *p++ = ',';
        memcpy(p, inner, inner_len);
        p += inner_len;
    }
    *p++ = '}';
    return 0;
}

/* TEMPLATE with every "%d" replaced by `i` and, if k >= 0, every "%k" by `k`. */
static int build_repeat(frame *f, const char *tmpl, long i, long k)
{
    char num[32], key[32];
    size_t num_len = (size_t)snprintf(num, sizeof num, "%ld", i);
    size_t key_len = (size_t)snprintf(key, sizeof key, "%ld", k);
    size_t len = 0;
    for (int pass = 0; pass < 2; pass++) {
        unsigned char *out = pass ? frame_alloc(f, len) : NULL;
        if (pass && !out)
            return -1;
        size_t n = 0;
        for (const char *p = tmpl; *p;) {
            const char *sub = NULL;
            size_t sub_len = 0;
            if (p[0] == '%' && p[1] == 'd') {
                sub = num;
                sub_len = num_len;
            } else if (p[0] == '%' && p[1] == 'k' && k >= 0) {
                sub = key;
                sub_len = key_len;
            }
            if (sub) {
                if (pass)
                    memcpy(out + n, sub, sub_len);
                n += sub_len;
                p += 2;
            } else {
                if (pass)
                    out[n] = (unsigned char)*p;
                n++;
                p++;
            }
        }
        len = n;
    }
    return 0;
}

/* The members of `merge` (a JSON object's text, may be NULL): between its first '{' and its last
 * '}', without leading blanks. *len 0 when there are none. */
static const char *merge_members(const char *merge, size_t *len)
{
    *len = 0;
    if (!merge)
        return "";
    const char *open = strchr(merge, '{');
    const char *close = strrchr(merge, '}');
    if (!open || !close || close <= open)
        return "";
    const char *inner = open + 1;
    size_t n = (size_t)(close - open - 1);
    while (n && (*inner == ' ' || *inner == '\t')) {
        inner++;
        n--;
    }
    *len = n;
    return inner;
}

/* {MEMBERS,"nest":[[[...]]]} with `depth` arrays (or {"a":{"a":...{}}} objects), so the
 * message is nested depth + 1 levels deep. */
static int build_nested(frame *f, long depth, int objects, const char *merge)
{
    size_t inner_len;
    const char *inner = merge_members(merge, &inner_len);
    static const char head[] = "{\"nest\":";
    size_t open_len = objects ? 5 : 1;  /* {"a": or [ */
    size_t close_len = objects ? 2 : 1; /* "{}" at the bottom: see below; } or ] */
    size_t len = 1 + (inner_len ? inner_len + 1 : 0) + sizeof head - 2 +
                 (size_t)depth * (open_len + 1) + (objects ? close_len : 0) + 1;
    unsigned char *p = frame_alloc(f, len);
    if (!p)
        return -1;
    unsigned char *start = p;
    *p++ = '{';
    if (inner_len) {
        memcpy(p, inner, inner_len);
        p += inner_len;
        *p++ = ',';
    }
    memcpy(p, head + 1, sizeof head - 2);
    p += sizeof head - 2;
    for (long i = 0; i < depth; i++) {
        memcpy(p, objects ? "{\"a\":" : "[", open_len);
        p += open_len;
    }
    if (objects) {
        memcpy(p, "{}", 2); /* the innermost value */
        p += 2;
    }
    memset(p, objects ? '}' : ']', (size_t)depth);
    p += depth;
    *p++ = '}';
    f->len = (size_t)(p - start);
    return 0;
}

/* {MEMBERS,"0":0,"1":0,...} with n distinct keys: the numbers 0..n-1 in base 36 (upper case:
 * no clash with lower-case MEMBERS such as "key", which is 26458), so 100000 keys
 * fit in 0.9 MB (under the wall's 1 MiB limit). */
static int build_many_keys(frame *f, long n, const char *merge)
{
    size_t inner_len;
    const char *inner = merge_members(merge, &inner_len);
    size_t len = 2 + inner_len + (size_t)n * 16;
    unsigned char *p = frame_alloc(f, len);
    if (!p)
        return -1;
    unsigned char *start = p;
    *p++ = '{';
    memcpy(p, inner, inner_len);
    p += inner_len;
    for (long i = 0; i < n; i++) {
        char digits[16];
        int d = 0;
        long v = i;
        do {
            digits[d++] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[v % 36];
            v /= 36;
        } while (v);
        if (i > 0 || inner_len)
            *p++ = ',';
        *p++ = '"';
        while (d)
            *p++ = (unsigned char)digits[--d];
        memcpy(p, "\":0", 3);
        p += 3;
    }
    *p++ = '}';
    f->len = (size_t)(p - start);
    return 0;
}

/* ------------------------------------------------------------------ the websocket side */

typedef struct session {
    struct lws *wsi;
    lws_sorted_usec_list_t sul;
    long connection;    /* 1 for the first connection the server took, 2 for the next... */
    size_t first, end;  /* the steps played to this connection: [first, end) */
    size_t step;        /* index of the current step */
    long repeat_i;      /* @repeat, @pings: frames already sent */
    size_t frag_off;    /* fragments: bytes of the message already sent */
    frame pending;      /* fragments: the whole message being sent */
    int sleeping;
    int holding;
    int stalled;        /* @stall: the first part went out and the pause is running */
    int deaf;           /* @stall-deaf: not reading, until the pause is over */
    int awaiting;       /* @await: polling for the file */
} session;

/* The steps for connection number `conn`: those after the last "@connection N" with N <= conn
 * up to the next @connection; the whole script if it has none; none if conn comes before the
 * first section. */
static void session_range(session *s, long conn)
{
    size_t first = 0, end = g_script.count;
    int sections = 0, found = 0;
    for (size_t i = 0; i < g_script.count; i++) {
        const step *st = &g_script.steps[i];
        if (st->kind != STEP_CONNECTION)
            continue;
        if (found && end == g_script.count)
            end = i; /* the section after the one chosen */
        sections = 1;
        if (st->n <= conn) {
            first = i + 1;
            end = g_script.count;
            found = 1;
        }
    }
    if (sections && !found)
        first = end = 0;
    s->first = first;
    s->end = end;
    s->step = first;
}

static void session_wake(lws_sorted_usec_list_t *sul)
{
    session *s = lws_container_of(sul, session, sul);
    s->sleeping = 0;
    if (s->deaf) {
        s->deaf = 0;
        lws_rx_flow_control(s->wsi, 1);
    }
    lws_callback_on_writable(s->wsi);
}

/* @await: checks for the file every 20 ms. */
static void session_poll_file(lws_sorted_usec_list_t *sul)
{
    session *s = lws_container_of(sul, session, sul);
    struct stat st;
    if (s->step < s->end && stat(g_script.steps[s->step].text, &st) == 0) {
        s->awaiting = 0;
        s->step++;
        lws_callback_on_writable(s->wsi);
        return;
    }
    lws_sul_schedule(lws_get_context(s->wsi), 0, &s->sul, session_poll_file,
                     20 * LWS_US_PER_MS);
}

static void session_next(session *s)
{
    s->step++;
    s->repeat_i = 0;
    s->frag_off = 0;
    s->stalled = 0;
    free(s->pending.base);
    s->pending.base = NULL;
    if (s->step >= s->end && g_loop && g_script.has_frames && s->end > s->first)
        s->step = s->first;
}

/* Sends `len` bytes at `payload` (inside a frame with LWS_PRE headroom). lws keeps whatever the
 * socket does not take and delays the next WRITEABLE until it is out. 0 or -1 (close). */
static int send_frame(session *s, unsigned char *payload, size_t len, int protocol)
{
    int n = lws_write(s->wsi, payload, len, (enum lws_write_protocol)protocol);
    if (n < 0) {
        lwsl_err("lws_write of %zu bytes failed\n", len);
        return -1;
    }
    return 0;
}

/* One fragment of s->pending from s->frag_off. Returns 1 when the message is complete. */
static int send_fragment(session *s, size_t frag, int binary, int *rc)
{
    size_t total = s->pending.len;
    size_t off = s->frag_off;
    size_t n = total - off < frag ? total - off : frag;
    int first = off == 0;
    int last = off + n >= total;
    int proto = first ? (binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT) : LWS_WRITE_CONTINUATION;
    if (!last)
        proto |= LWS_WRITE_NO_FIN;
    unsigned char *start = s->pending.base + LWS_PRE + off;
    /* lws writes its header into the LWS_PRE bytes before the payload: save and restore them,
     * they hold the previous fragment's bytes. */
    unsigned char saved[LWS_PRE];
    memcpy(saved, start - LWS_PRE, LWS_PRE);
    *rc = send_frame(s, start, n, proto);
    memcpy(start - LWS_PRE, saved, LWS_PRE);
    s->frag_off = off + n;
    return last;
}

/* Plays steps until one frame went out, a sleep started, or the script holds. 0 or -1. */
static int session_play(session *s)
{
    if (s->sleeping || s->holding || s->awaiting)
        return 0;
    if (lws_partial_buffered(s->wsi) || lws_send_pipe_choked(s->wsi)) {
        lws_callback_on_writable(s->wsi);
        return 0;
    }
    while (s->step < s->end) {
        const step *st = &g_script.steps[s->step];
        frame f = {0};
        unsigned char *p;
        int rc = 0;
        switch (st->kind) {
        case STEP_TEXT:
        case STEP_BINARY:
        case STEP_INVALID_UTF8:
            p = frame_alloc(&f, st->len);
            if (!p)
                return -1;
            memcpy(p, st->text, st->len);
            rc = send_frame(s, p, st->len, st->kind == STEP_BINARY ? LWS_WRITE_BINARY
                                                                    : LWS_WRITE_TEXT);
            free(f.base);
            session_next(s);
            break;
        case STEP_BIG:
        case STEP_NESTED:
        case STEP_MANY_KEYS:
            if ((st->kind == STEP_BIG && build_big(&f, st->n, st->text) < 0) ||
                (st->kind == STEP_NESTED && build_nested(&f, st->n, st->variant, st->text) < 0) ||
                (st->kind == STEP_MANY_KEYS && build_many_keys(&f, st->n, st->text) < 0))
                return -1;
            rc = send_frame(s, f.base + LWS_PRE, f.len,
                            st->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);
            free(f.base);
            session_next(s);
            break;
        case STEP_BIG_FRAGMENTS:
        case STEP_FRAGMENTS:
            if (!s->pending.base) {
                if (st->kind == STEP_BIG_FRAGMENTS) {
                    if (build_big(&s->pending, st->n, st->text) < 0)
                        return -1;
                } else {
                    p = frame_alloc(&s->pending, st->len);
                    if (!p)
                        return -1;
                    memcpy(p, st->text, st->len);
                }
                s->frag_off = 0;
            }
            /* small fragments: as many as the socket takes now (up to 1024), not one per
             * WRITEABLE, or a 1 MB message in 1-byte fragments would take a minute */
            for (int burst = 0; burst < 1024 && rc == 0; burst++) {
                if (send_fragment(s, (size_t)st->frag, st->binary, &rc)) {
                    session_next(s);
                    break;
                }
                if (lws_send_pipe_choked(s->wsi))
                    break;
            }
            break;
        case STEP_STALL:
            if (s->stalled) {
                /* the pause is over: the rest of the message, and on with the script */
                size_t half = st->len / 2;
                p = frame_alloc(&f, st->len - half);
                if (!p)
                    return -1;
                memcpy(p, st->text + half, st->len - half);
                rc = send_frame(s, p, st->len - half, LWS_WRITE_CONTINUATION);
                free(f.base);
                session_next(s);
                break;
            }
            p = frame_alloc(&f, st->len / 2);
            if (!p)
                return -1;
            memcpy(p, st->text, st->len / 2);
            rc = send_frame(s, p, st->len / 2, LWS_WRITE_TEXT | LWS_WRITE_NO_FIN);
            free(f.base);
            if (rc < 0)
                return -1;
            s->stalled = 1;
            s->sleeping = 1;
            if (st->variant) {
                /* stop reading: the client's pings are not answered (lws pongs as it reads) */
                s->deaf = 1;
                lws_rx_flow_control(s->wsi, 0);
            }
            lws_sul_schedule(lws_get_context(s->wsi), 0, &s->sul, session_wake,
                             (lws_usec_t)st->n * LWS_US_PER_MS);
            return 0;
        case STEP_PINGS:
            /* as many as the socket takes now (up to 1024), then the next WRITEABLE */
            for (int burst = 0; burst < 1024 && s->repeat_i < st->n && rc == 0; burst++) {
                p = frame_alloc(&f, st->len);
                if (!p)
                    return -1;
                memcpy(p, st->text, st->len);
                rc = send_frame(s, p, st->len, LWS_WRITE_PING);
                free(f.base);
                f.base = NULL;
                s->repeat_i++;
                if (lws_send_pipe_choked(s->wsi))
                    break;
            }
            if (s->repeat_i >= st->n)
                session_next(s);
            break;
        case STEP_AWAIT:
            s->awaiting = 1;
            session_poll_file(&s->sul);
            return 0;
        case STEP_CONNECTION:
            s->step = s->end; /* the next section is for another connection */
            return 0;
        case STEP_REPEAT:
        case STEP_REPEAT_KEYS:
            if (s->repeat_i >= st->n) {
                session_next(s);
                continue;
            }
            if (build_repeat(&f, st->text, s->repeat_i + 1,
                             st->kind == STEP_REPEAT_KEYS ? s->repeat_i % st->frag + 1 : -1) < 0)
                return -1;
            rc = send_frame(s, f.base + LWS_PRE, f.len, LWS_WRITE_TEXT);
            free(f.base);
            if (++s->repeat_i >= st->n)
                session_next(s);
            break;
        case STEP_SLEEP:
            session_next(s);
            s->sleeping = 1;
            lws_sul_schedule(lws_get_context(s->wsi), 0, &s->sul, session_wake,
                             (lws_usec_t)st->n * LWS_US_PER_MS);
            return 0;
        case STEP_CLOSE:
            if (st->variant) {
                lws_close_reason(s->wsi, (enum lws_close_status)st->n,
                                 (unsigned char *)st->text, st->text ? st->len : 0);
            } else {
                /* lws itself would send no close frame at all here: an empty one, by hand
                 * (opcode 4 is lws' private LWS_WRITE_CLOSE, kept out of its public enum) */
                unsigned char empty[LWS_PRE + 1];
                lws_write(s->wsi, empty + LWS_PRE, 0, (enum lws_write_protocol)4);
            }
            return -1;
        case STEP_HOLD:
            s->holding = 1;
            return 0;
        }
        if (rc < 0)
            return -1;
        /* one frame (or one burst) per WRITEABLE */
        if (s->step < s->end)
            lws_callback_on_writable(s->wsi);
        return 0;
    }
    return 0; /* end of script: keep the connection open */
}

/* --log: "connect PATH[?ARGS]" then "header NAME: VALUE" for each --log-header that came. */
static void log_handshake(struct lws *wsi)
{
    if (!g_log)
        return;
    char buf[2048];
    if (lws_hdr_copy(wsi, buf, sizeof buf, WSI_TOKEN_GET_URI) < 0)
        buf[0] = '\0';
    fprintf(g_log, "connect %s", buf);
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_URI_ARGS) > 0) {
        /* the arguments come one per fragment, joined by '&' */
        for (int i = 0; lws_hdr_copy_fragment(wsi, buf, sizeof buf, WSI_TOKEN_HTTP_URI_ARGS, i) > 0; i++)
            fprintf(g_log, "%c%s", i ? '&' : '?', buf);
    }
    fputc('\n', g_log);
    for (int h = 0; h < g_log_header_count; h++) {
        const char *name = g_log_headers[h];
        int n = -1;
        if (!strcasecmp(name, "authorization")) {
            if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_AUTHORIZATION) > 0)
                n = lws_hdr_copy(wsi, buf, sizeof buf, WSI_TOKEN_HTTP_AUTHORIZATION);
        } else {
            char key[128];
            int kl = snprintf(key, sizeof key, "%s:", name);
            if (kl > 0 && kl < (int)sizeof key) {
                for (int i = 0; i < kl; i++)
                    key[i] = (char)tolower((unsigned char)key[i]);
                if (lws_hdr_custom_length(wsi, key, kl) > 0)
                    n = lws_hdr_custom_copy(wsi, buf, sizeof buf, key, kl);
            }
        }
        if (n > 0)
            fprintf(g_log, "header %s: %s\n", name, buf);
    }
    fflush(g_log);
}

/* --log: "close CODE" (or "close none") for each close frame a client sends. */
static void log_close(const void *in, size_t len)
{
    if (!g_log)
        return;
    const unsigned char *b = in;
    if (len >= 2)
        fprintf(g_log, "close %d\n", (b[0] << 8) | b[1]);
    else
        fprintf(g_log, "close none\n");
    fflush(g_log);
}

static int callback_script(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                           size_t len)
{
    session *s = user;
    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
        log_handshake(wsi);
        memset(s, 0, sizeof *s);
        s->wsi = wsi;
        s->connection = ++g_connections;
        session_range(s, s->connection);
        if (s->first < s->end)
            lws_callback_on_writable(wsi);
        break;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return session_play(s);
    case LWS_CALLBACK_RECEIVE:
        break; /* whatever the client says is ignored */
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        log_close(in, len);
        break;
    case LWS_CALLBACK_CLOSED:
        lws_sul_cancel(&s->sul);
        free(s->pending.base);
        s->pending.base = NULL;
        break;
    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
    {"wb-script", callback_script, sizeof(session), 4096, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0}
};

/* ------------------------------------------------------------------ shared bits */

static void on_signal(int sig)
{
    (void)sig;
    g_interrupted = 1;
    if (g_context)
        lws_cancel_service(g_context); /* a write() to lws' event pipe */
}

static void write_port_file(const char *path, int port)
{
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp)
        die("out of memory");
    snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        die("%s: %s", tmp, strerror(errno));
    fprintf(f, "%d\n", port);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0)
        die("%s: %s", tmp, strerror(errno));
    if (rename(tmp, path) != 0)
        die("rename %s -> %s: %s", tmp, path, strerror(errno));
    free(tmp);
}

/* --handshake-hang: accepts TCP on 127.0.0.1 and never answers; reads and discards. */
static int run_handshake_hang(const char *port_file, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket: %s", strerror(errno));
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0)
        die("bind 127.0.0.1:%d: %s", port, strerror(errno));
    if (listen(fd, 16) != 0)
        die("listen: %s", strerror(errno));
    socklen_t al = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &al) != 0)
        die("getsockname: %s", strerror(errno));
    write_port_file(port_file, ntohs(a.sin_port));

    enum { MAX_CLIENTS = 64 };
    struct pollfd fds[1 + MAX_CLIENTS];
    nfds_t nfds = 1;
    fds[0].fd = fd;
    fds[0].events = POLLIN;
    while (!g_interrupted) {
        int n = poll(fds, nfds, 200);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("poll: %s", strerror(errno));
        }
        for (nfds_t i = nfds; i-- > 1;) {
            if (!fds[i].revents)
                continue;
            char sink[4096];
            ssize_t r = read(fds[i].fd, sink, sizeof sink);
            if (r <= 0 && !(r < 0 && (errno == EINTR || errno == EAGAIN))) {
                close(fds[i].fd);
                fds[i] = fds[--nfds];
            }
        }
        if (fds[0].revents & POLLIN) {
            int c = accept(fd, NULL, NULL);
            if (c >= 0) {
                fcntl(c, F_SETFD, FD_CLOEXEC);
                fcntl(c, F_SETFL, fcntl(c, F_GETFL) | O_NONBLOCK);
                if (nfds < 1 + MAX_CLIENTS) {
                    fds[nfds].fd = c;
                    fds[nfds].events = POLLIN;
                    fds[nfds].revents = 0;
                    nfds++;
                } else {
                    close(c);
                }
            }
        }
    }
    for (nfds_t i = 0; i < nfds; i++)
        close(fds[i].fd);
    return 0;
}

static void usage(FILE *out)
{
    fputs("usage: wb-testserver --port-file FILE [--port N] (--script FILE [--loop] | "
          "--handshake-hang)\n"
          "                    [--log FILE [--log-header NAME]...]\n"
          "                    [--tls-cert FILE --tls-key FILE]\n"
          "Listens on 127.0.0.1 (port 0 = ephemeral), writes the port to FILE (tmp + rename),\n"
          "and plays the script to every websocket client (over TLS, wss://, with --tls-cert:\n"
          "PEM certificate chain and its PEM private key; not with --handshake-hang).\n"
          "Script steps, one per line:\n"
          "  {...} or [...]            one text frame, verbatim\n"
          "  @sleep MS                 pause this connection\n"
          "  @raw TEXT                 TEXT as a text frame\n"
          "  @esc TEXT                 TEXT as a text frame, with \\xHH a byte (invalid UTF-8,\n"
          "                            NUL...) and \\\\ a backslash\n"
          "  @binary TEXT              TEXT as a binary frame\n"
          "  @invalid-utf8             a text frame of bytes C3 28\n"
          "  @big BYTES [JSON]         one text frame {\"pad\":\"xx..\"[,JSON's members]} of ~BYTES\n"
          "  @big-fragments BYTES N [JSON]  the same message in N-byte fragments\n"
          "  @big-binary BYTES [JSON]  the @big message as one binary frame\n"
          "  @big-binary-fragments BYTES N [JSON]  ...as a binary message in N-byte fragments\n"
          "  @fragments N JSON         JSON as one message in N-byte fragments\n"
          "  @nested DEPTH [JSON]      {JSON's members,\"nest\":[[..]]}: DEPTH arrays deep\n"
          "  @nested-objects DEPTH [JSON]  the same with {\"a\":{\"a\":..{}}}, DEPTH objects\n"
          "  @many-keys N [JSON]       {JSON's members,\"0\":0,\"1\":0,..}: N more keys (base 36,\n"
          "                            upper case)\n"
          "  @stall MS JSON            the first half of JSON as a first fragment, then nothing\n"
          "                            for MS (pings are answered), then the rest\n"
          "  @stall-deaf MS JSON       the same, but not reading the connection during the pause:\n"
          "                            the client's pings go unanswered\n"
          "  @pings N [PAYLOAD]        N ping frames (payload up to 125 bytes), back to back\n"
          "  @await FILE               pause this connection until FILE exists (the test says go)\n"
          "  @connection N             the steps after it, up to the next @connection, are\n"
          "                            played to the Nth connection the server takes (from 1;\n"
          "                            the last section to every later one too); N increase,\n"
          "                            and a script using it starts with it\n"
          "  @close [CODE [REASON]]    close with CODE (0..65535 as is, even ones RFC 6455\n"
          "                            forbids on the wire) and REASON; no CODE: a close frame\n"
          "                            with no payload\n"
          "  @hold                     send nothing more, keep the connection\n"
          "  @repeat N TEMPLATE        N text frames, %d -> 1..N\n"
          "  @repeat-keys N K TEMPLATE the same, and %k -> 1..K in turn (message i has key\n"
          "                            (i - 1) mod K + 1): many messages over a few keys\n"
          "  # comment, blank lines ignored\n"
          "End of script: keep the connection open, or start again with --loop.\n"
          "--log appends \"connect PATH[?QUERY]\" per handshake and \"header NAME: VALUE\" for\n"
          "each --log-header NAME the client sent (test secrets only: values are written as is),\n"
          "and \"close CODE\" (or \"close none\") for each close frame a client sends.\n",
          out);
}

int main(int argc, char **argv)
{
    const char *port_file = NULL, *script_path = NULL, *tls_cert = NULL, *tls_key = NULL;
    int port = 0, hang = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--port-file") && i + 1 < argc) {
            port_file = argv[++i];
        } else if (!strcmp(a, "--port") && i + 1 < argc) {
            port = (int)parse_long(argv[++i], NULL, 0, 65535, "--port", 0, "port");
        } else if (!strcmp(a, "--script") && i + 1 < argc) {
            script_path = argv[++i];
        } else if (!strcmp(a, "--log") && i + 1 < argc) {
            const char *path = argv[++i];
            g_log = fopen(path, "a");
            if (!g_log)
                die("%s: %s", path, strerror(errno));
        } else if (!strcmp(a, "--log-header") && i + 1 < argc) {
            if (g_log_header_count == (int)(sizeof g_log_headers / sizeof g_log_headers[0]))
                die("--log-header: at most %zu", sizeof g_log_headers / sizeof g_log_headers[0]);
            g_log_headers[g_log_header_count++] = argv[++i];
        } else if (!strcmp(a, "--tls-cert") && i + 1 < argc) {
            tls_cert = argv[++i];
        } else if (!strcmp(a, "--tls-key") && i + 1 < argc) {
            tls_key = argv[++i];
        } else if (!strcmp(a, "--loop")) {
            g_loop = 1;
        } else if (!strcmp(a, "--handshake-hang")) {
            hang = 1;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "wb-testserver: unknown or incomplete argument \"%s\"\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (!port_file || (!script_path && !hang)) {
        usage(stderr);
        return 2;
    }
    if (!tls_cert != !tls_key)
        die("--tls-cert and --tls-key go together");
    if (tls_cert && hang)
        die("--tls-cert: not with --handshake-hang (it never answers anyway)");
    /* lws only logs an unreadable certificate or key: say it before listening */
    if (tls_cert && access(tls_cert, R_OK) != 0)
        die("--tls-cert %s: %s", tls_cert, strerror(errno));
    if (tls_key && access(tls_key, R_OK) != 0)
        die("--tls-key %s: %s", tls_key, strerror(errno));

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (hang)
        return run_handshake_hang(port_file, port);

    script_load(script_path);
    lws_set_log_level(LLL_ERR, NULL);

    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS | LWS_SERVER_OPTION_DISABLE_IPV6 |
                   (tls_cert ? LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT : 0);
    g_context = lws_create_context(&info);
    if (!g_context)
        die("lws_create_context failed");

    memset(&info, 0, sizeof info);
    info.port = port;
    info.iface = "127.0.0.1";
    info.protocols = protocols;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    if (tls_cert) {
        /* this vhost then speaks TLS only: clients connect with wss:// */
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        info.ssl_cert_filepath = tls_cert;
        info.ssl_private_key_filepath = tls_key;
    }
    info.vhost_name = "wb-testserver";
    struct lws_vhost *vh = lws_create_vhost(g_context, &info);
    if (!vh) {
        lws_context_destroy(g_context);
        die(tls_cert ? "cannot listen on 127.0.0.1:%d (or load --tls-cert/--tls-key)"
                     : "cannot listen on 127.0.0.1:%d", port);
    }
    int bound = lws_get_vhost_listen_port(vh);
    if (bound <= 0) {
        lws_context_destroy(g_context);
        die("no listening port");
    }
    write_port_file(port_file, bound);

    int n = 0;
    while (n >= 0 && !g_interrupted)
        n = lws_service(g_context, 0);

    lws_context_destroy(g_context);
    g_context = NULL;
    script_free();
    if (g_log)
        fclose(g_log);
    return 0;
}
