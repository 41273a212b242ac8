/* config.c: the wall's JSON config into a wall_config, every error as FILE:LINE:COL: path: msg.
 * It must never print a secret (header values from env or files), nor stop at the first error. */

/*
 * The config file
 * ---------------
 * One JSON object (UTF-8, no comments, no duplicate keys). Unknown keys are errors everywhere
 * except inside "options" and "match" (free-form) and among header names.
 *
 * {
 *   "title": "string",            optional, window title (default "wallboard")
 *   "background": "#rrggbb",      optional, hex colour (default "#05070a")
 *   "grid": {                     required
 *     "columns": 1..32,           required integer
 *     "rows": 1..32,              required integer
 *     "gap": 0..200               optional integer, pixels at 1080p height (default 12),
 *                                 between cells and around the edge; scales with the screen
 *   },
 *   "feeds": {                    optional, at most 64; each key is a feed name (non-empty)
 *     "NAME": {
 *       "url": "ws://host[:port]/path" or "wss://...",   required
 *       "headers": {              optional; sent with the websocket handshake
 *         "Header-Name": "literal value",
 *         "Header-Name": {"env": "VAR", "prefix": "Bearer "},    value = prefix + $VAR
 *         "Header-Name": {"file": "path", "prefix": "..."}       value = prefix + file content
 *       },
 *       "ca_file": "path",        optional, PEM bundle to verify wss:// servers against
 *       "coalesce_by": ["/ptr"]   optional, 1 to 4 distinct JSON pointers (RFC 6901, each
 *                                 starting with '/'): a message not yet taken by the main
 *                                 thread is replaced by a newer one whose values there are the
 *                                 same scalars; only for feeds of latest values, never events
 *     }
 *   },
 *   "tiles": [                    required, at least one
 *     {
 *       "id": "string",           optional, unique (default "PLUGIN-INDEX", INDEX from 0)
 *       "plugin": "name",         required; letters, digits, '_' and '-': loads name.so
 *       "feed": "NAME",           optional; one of "feeds"
 *       "match": {                optional, needs "feed"; a message is for this tile when
 *         "field": scalar,        every entry equals: a top-level field, or
 *         "/json/pointer": scalar a JSON pointer (RFC 6901) when the key starts with '/';
 *       },                        values are strings, numbers, booleans or null
 *       "cell": [column, row],    required, 0-based, inside the grid
 *       "span": [columns, rows],  optional, each >= 1 (default [1, 1])
 *       "title": "string",        optional
 *       "stale_after": seconds,   optional number, 0 < s <= 31536000 (default 10)
 *       "options": {...}          optional object, handed to the plugin as is
 *     }
 *   ]
 * }
 *
 * Rules checked besides types and ranges: tiles must fit the grid and must not overlap; tile
 * ids must be unique; a tile's feed must exist; its plugin must be known; a header name must
 * be an HTTP token and a header value must hold no control characters (no CR/LF injection).
 * Secrets: an "env" header needs the variable set and non-empty; a "file" header needs a
 * regular file that only its owner may access (mode 0600 or stricter: group/other bits are
 * refused because the file holds a credential), at most 16 KiB; its trailing line breaks (LF
 * or CRLF) are trimmed. Relative "file" and "ca_file" paths are relative to the config file's
 * folder and stored resolved (absolute).
 * Error messages name variables and files but never print a secret value.
 *
 * Errors are "FILE:LINE:COL: PATH: message", sorted by position. PATH is "$" for the root,
 * ".key" for plain keys (letters, digits, '_', '-'), ["key"] for any other key, "[N]" for
 * array elements, as in jsonpos.h; LINE:COL is where that member's key (or element) starts,
 * columns counted in characters. A JSON syntax error is one line with jansson's position.
 */
#include "config.h"

#include "jsonpos.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_MAX_BYTES (4 * 1024 * 1024)
#define SECRET_MAX_BYTES 16384
#define GRID_MAX 32
/* Each feed is a connection with its own queues (docs/RELIABILITY.md lists the bounds): a
 * wall of 32x32 one-cell tiles has no use for more. */
#define FEEDS_MAX 64
#define GAP_MAX 200
#define PAIR_MAX 1000000          /* cell/span bound: far outside any grid, no overflow */
#define DEFAULT_GAP 12
#define DEFAULT_STALE_AFTER 10.0
#define STALE_MAX 31536000      /* a year: keeps stale_after * 1000 far inside uint64_t */
#define DEFAULT_BACKGROUND "#05070a"
#define DEFAULT_TITLE "wallboard"

typedef struct cfg_error {
    int line, col;
    size_t seq;
    char *text;
} cfg_error;

/* Per-tile facts the cross-checks need but the model does not keep. */
typedef struct tile_aux {
    int geom_ok;              /* cell and span are valid integers */
    json_int_t col, row, cspan, rspan;
    int id_explicit;
} tile_aux;

/* Validation state: the current JSON path (same syntax as jsonpos) and the errors so far. */
typedef struct vctx {
    const char *file;
    const char *dir;
    const jsonpos *pos;
    config_plugin_known_fn known;
    void *known_ctx;
    char *path;
    size_t path_len, path_cap;
    cfg_error *errs;
    size_t err_count, err_cap;
    int oom;
} vctx;

enum kind { K_STRING, K_INT, K_NUMBER, K_OBJECT, K_ARRAY };

static void fail_at(vctx *v, const char *fmt, ...) WB_PRINTF(2, 3);
static void fail_key(vctx *v, const char *key, const char *fmt, ...) WB_PRINTF(3, 4);

/* ------------------------------------------------------------------ paths and errors */

static int path_add(vctx *v, const char *s, size_t n)
{
    if (v->path_len + n + 1 > v->path_cap) {
        size_t cap = v->path_cap ? v->path_cap : 128;
        while (cap < v->path_len + n + 1)
            cap *= 2;
        char *p = realloc(v->path, cap);
        if (!p) {
            v->oom = 1;
            return -1;
        }
        v->path = p;
        v->path_cap = cap;
    }
    memcpy(v->path + v->path_len, s, n);
    v->path_len += n;
    v->path[v->path_len] = '\0';
    return 0;
}

static int key_is_plain(const char *key)
{
    if (!*key)
        return 0;
    for (const char *c = key; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '_' || *c == '-'))
            return 0;
    return 1;
}

/* Appends a key as jsonpos.c does; returns the length to pop back to. */
static size_t push_key(vctx *v, const char *key)
{
    size_t old = v->path_len;
    if (key_is_plain(key)) {
        if (path_add(v, ".", 1) == 0)
            path_add(v, key, strlen(key));
        return old;
    }
    path_add(v, "[\"", 2);
    for (const char *c = key; *c; c++) {
        if (*c == '"' || *c == '\\')
            path_add(v, "\\", 1);
        path_add(v, c, 1);
    }
    path_add(v, "\"]", 2);
    return old;
}

static size_t push_index(vctx *v, size_t index)
{
    size_t old = v->path_len;
    char buf[32];
    int n = snprintf(buf, sizeof buf, "[%zu]", index);
    path_add(v, buf, (size_t)n);
    return old;
}

static void pop(vctx *v, size_t len)
{
    if (v->path) {
        v->path_len = len;
        v->path[len] = '\0';
    }
}

/* "FILE:LINE:COL" of a path, for messages that point at a second place. */
static void where(const vctx *v, const char *path, char *buf, size_t size)
{
    int line, col;
    jsonpos_find(v->pos, path, &line, &col);
    snprintf(buf, size, "%s:%d:%d", v->file, line, col);
}

static void add_error(vctx *v, int line, int col, char *text)
{
    if (!text) {
        v->oom = 1;
        return;
    }
    if (v->err_count == v->err_cap) {
        size_t cap = v->err_cap ? v->err_cap * 2 : 16;
        cfg_error *e = realloc(v->errs, cap * sizeof *e);
        if (!e) {
            free(text);
            v->oom = 1;
            return;
        }
        v->errs = e;
        v->err_cap = cap;
    }
    v->errs[v->err_count] = (cfg_error){line, col, v->err_count, text};
    v->err_count++;
}

static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

static char *format(const char *fmt, ...) WB_PRINTF(1, 2);
static char *format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    return s;
}

static void vfail_at(vctx *v, const char *fmt, va_list ap)
{
    const char *path = v->path ? v->path : "$";
    int line, col;
    jsonpos_find(v->pos, path, &line, &col);
    char *msg = vformat(fmt, ap);
    if (!msg) {
        v->oom = 1;
        return;
    }
    add_error(v, line, col, format("%s:%d:%d: %s: %s", v->file, line, col, path, msg));
    free(msg);
}

/* An error at the current path. */
static void fail_at(vctx *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail_at(v, fmt, ap);
    va_end(ap);
}

/* An error at member `key` of the current path. */
static void fail_key(vctx *v, const char *key, const char *fmt, ...)
{
    size_t mark = push_key(v, key);
    va_list ap;
    va_start(ap, fmt);
    vfail_at(v, fmt, ap);
    va_end(ap);
    pop(v, mark);
}

/* A user-given name, safe to echo: control bytes become '?', long names are cut. */
static const char *shown(const char *s, char *buf, size_t size)
{
    size_t i = 0;
    for (; s[i] && i + 4 < size; i++)
        buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
    if (s[i]) {
        while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
            i--;              /* do not cut a UTF-8 sequence in half */
        memcpy(buf + i, "...", 3);
        i += 3;
    }
    buf[i] = '\0';
    return buf;
}

/* ------------------------------------------------------------------ typed access */

static const char *type_name(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a fractional number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

static int is_kind(const json_t *j, enum kind k)
{
    switch (k) {
    case K_STRING: return json_is_string(j);
    case K_INT: return json_is_integer(j);
    case K_NUMBER: return json_is_number(j);
    case K_OBJECT: return json_is_object(j);
    default: return json_is_array(j);
    }
}

static const char *kind_name(enum kind k)
{
    static const char *const names[] = {"a string", "an integer", "a number", "an object",
                                        "an array"};
    return names[k];
}

/* Member `key` of `obj` (the current path) if it has kind `k`. Reports a missing required
 * member or a wrong type and returns NULL; an absent optional member returns NULL silently. */
static json_t *member(vctx *v, json_t *obj, const char *key, enum kind k, int required)
{
    json_t *m = json_object_get(obj, key);
    if (!m) {
        if (required)
            fail_at(v, "missing required key \"%s\"", key);
        return NULL;
    }
    if (!is_kind(m, k)) {
        fail_key(v, key, "must be %s, not %s", kind_name(k), type_name(m));
        return NULL;
    }
    return m;
}

/* Integer member in [min, max], or `def` when absent. 0, or -1 if reported as wrong. */
static int member_int(vctx *v, json_t *obj, const char *key, int required, json_int_t min,
                      json_int_t max, int def, int *out)
{
    *out = def;
    if (!json_object_get(obj, key)) {
        if (required)
            fail_at(v, "missing required key \"%s\"", key);
        return required ? -1 : 0;
    }
    json_t *m = member(v, obj, key, K_INT, 1);
    if (!m)
        return -1;
    json_int_t n = json_integer_value(m);
    if (n < min || n > max) {
        fail_key(v, key, "must be between %" JSON_INTEGER_FORMAT " and %" JSON_INTEGER_FORMAT
                 ", not %" JSON_INTEGER_FORMAT, min, max, n);
        return -1;
    }
    *out = (int)n;
    return 0;
}

/* Reports every key of `obj` not in the NULL-terminated `allowed`. */
static void check_keys(vctx *v, json_t *obj, const char *const *allowed)
{
    char list[256] = "";
    for (size_t i = 0; allowed[i]; i++) {
        strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
        strncat(list, allowed[i], sizeof list - strlen(list) - 1);
    }
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val) {
        size_t i = 0;
        while (allowed[i] && strcmp(allowed[i], key) != 0)
            i++;
        if (!allowed[i])
            fail_key(v, key, "unknown key (expected one of: %s)", list);
    }
}

static char *dup_or_oom(vctx *v, const char *s)
{
    char *d = strdup(s);
    if (!d)
        v->oom = 1;
    return d;
}

/* ------------------------------------------------------------------ files */

static int read_all(int fd, size_t limit, char **out, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        return -1;
    for (;;) {
        if (n == cap) {
            if (cap > limit)
                break;
            char *b = realloc(buf, cap * 2 + 1);
            if (!b)
                goto fail;
            buf = b;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            goto fail;
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
fail:
    free(buf);
    return -1;
}

static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash == path ? strdup("/") : slash ? strndup(path, (size_t)(slash - path))
                                                    : strdup(".");
    if (!dir)
        return NULL;
    char *real = realpath(dir, NULL);   /* so stored paths stay valid after a chdir */
    if (real) {
        free(dir);
        return real;
    }
    return dir;
}

static char *resolve(const char *dir, const char *path)
{
    if (path[0] == '/')
        return strdup(path);
    return format("%s/%s", dir, path);
}

/* Reads a secret header file: a regular file only its owner can access. On failure writes a
 * reason into `why` that names the file but never its content. *out is malloc'd. */
static int read_secret_file(const char *path, char **out, char *why, size_t why_size)
{
    struct stat st;
    char *buf = NULL;
    size_t len = 0;
    /* O_NONBLOCK: a FIFO planted in place of the file must not hang the wall at start. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(why, why_size, "cannot read header file %s: %s", path, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, why_size, "header file %s is not a regular file", path);
        goto fail;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        snprintf(why, why_size, "header file %s has mode %04o: it holds a secret, so group and "
                 "others must have no access (chmod 600 it)", path,
                 (unsigned)(st.st_mode & 07777));
        goto fail;
    }
    if (read_all(fd, SECRET_MAX_BYTES, &buf, &len) != 0) {
        snprintf(why, why_size, "cannot read header file %s: %s", path, strerror(errno));
        goto fail;
    }
    if (len > SECRET_MAX_BYTES) {
        snprintf(why, why_size, "header file %s is larger than %d bytes", path,
                 SECRET_MAX_BYTES);
        goto fail;
    }
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        buf[--len] = '\0';
    if (len == 0) {
        snprintf(why, why_size, "header file %s is empty", path);
        goto fail;
    }
    if (strlen(buf) != len) {
        snprintf(why, why_size, "header file %s contains a NUL byte", path);
        goto fail;
    }
    close(fd);
    *out = buf;
    return 0;
fail:
    if (buf) {
        explicit_bzero(buf, len);
        free(buf);
    }
    if (fd >= 0)
        close(fd);
    return -1;
}

/* ------------------------------------------------------------------ feeds */

/* NULL if `url` is ws:// or wss:// with a plausible host, else what is wrong. A deliberately
 * small check: the websocket library does the real parsing. Never echoes the URL: a query
 * string may carry a token. */
static const char *url_problem(const char *url)
{
    size_t skip = strncasecmp(url, "ws://", 5) == 0    ? 5
                : strncasecmp(url, "wss://", 6) == 0 ? 6
                                                     : 0;
    if (!skip)
        return "must start with ws:// or wss://";
    for (const char *c = url; *c; c++)
        if ((unsigned char)*c <= 0x20 || *c == 0x7f)
            return "must not contain spaces or control characters";
    const char *auth = url + skip;
    size_t n = strcspn(auth, "/?#");
    const char *at = memchr(auth, '@', n);
    const char *host = at ? at + 1 : auth;
    size_t hn = n - (size_t)(host - auth);
    const char *port = NULL;
    if (hn > 0 && host[0] == '[') {
        const char *close = memchr(host, ']', hn);
        if (!close || close == host + 1)
            return "has an invalid IPv6 host";
        if (close + 1 < host + hn)
            port = close + 1;
    } else {
        port = memchr(host, ':', hn);
        if (port == host || hn == 0)
            return "has no host";
    }
    if (port) {
        size_t pn = (size_t)(host + hn - port);
        if (port[0] != ':' || pn < 2 || pn > 6 || strspn(port + 1, "0123456789") != pn - 1 ||
            atoi(port + 1) < 1 || atoi(port + 1) > 65535)
            return "has an invalid port";
    }
    return NULL;
}

static int is_token_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int header_name_ok(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!is_token_char((unsigned char)*s))
            return 0;
    return 1;
}

/* Header values must not carry CR/LF (header injection) or other control bytes. */
static int header_value_ok(const char *s)
{
    for (; *s; s++)
        if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
            return 0;
    return 1;
}

/* The secret part of an {"env"} or {"file"} header; NULL after reporting why. */
static char *header_secret(vctx *v, json_t *spec)
{
    char why[PATH_MAX + 200];
    json_t *env = json_object_get(spec, "env"), *file = json_object_get(spec, "file");
    if (env && file) {
        fail_at(v, "give either \"env\" or \"file\", not both");
        return NULL;
    }
    if (!env && !file) {
        fail_at(v, "missing required key \"env\" or \"file\"");
        return NULL;
    }
    json_t *src = member(v, spec, env ? "env" : "file", K_STRING, 1);
    if (!src)
        return NULL;
    const char *name = json_string_value(src);
    if (!*name) {
        fail_key(v, env ? "env" : "file", "must not be empty");
        return NULL;
    }
    if (env) {
        const char *val = getenv(name);
        if (!val || !*val) {
            fail_key(v, "env", "environment variable %s is %s", shown(name, why, 80),
                     val ? "empty" : "not set");
            return NULL;
        }
        if (!header_value_ok(val)) {
            fail_key(v, "env", "environment variable %s contains a line break or control "
                     "character", shown(name, why, 80));
            return NULL;
        }
        return dup_or_oom(v, val);
    }
    char *path = resolve(v->dir, name), *out = NULL;
    if (!path) {
        v->oom = 1;
        return NULL;
    }
    if (read_secret_file(path, &out, why, sizeof why) != 0)
        fail_key(v, "file", "%s", why);
    else if (!header_value_ok(out)) {
        fail_key(v, "file", "header file %s contains a line break or control character (only "
                 "trailing newlines are allowed)", path);
        explicit_bzero(out, strlen(out));
        free(out);
        out = NULL;
    }
    free(path);
    return out;
}

/* Fills h from one "headers" member (the current path); 0, or -1 after reporting. */
static int load_header(vctx *v, const char *name, json_t *spec, wall_header *h)
{
    static const char *const keys[] = {"env", "file", "prefix", NULL};
    if (!header_name_ok(name)) {
        fail_at(v, "is not a valid HTTP header name");
        return -1;
    }
    if (json_is_string(spec)) {
        if (!header_value_ok(json_string_value(spec))) {
            fail_at(v, "header value must not contain line breaks or control characters");
            return -1;
        }
        h->name = dup_or_oom(v, name);
        h->value = dup_or_oom(v, json_string_value(spec));
        return 0;
    }
    if (!json_is_object(spec)) {
        fail_at(v, "must be a string or an object {\"env\": ...} or {\"file\": ...}, not %s",
                type_name(spec));
        return -1;
    }
    check_keys(v, spec, keys);
    json_t *prefix = member(v, spec, "prefix", K_STRING, 0);
    if (prefix && !header_value_ok(json_string_value(prefix))) {
        fail_key(v, "prefix", "must not contain line breaks or control characters");
        return -1;
    }
    char *secret = header_secret(v, spec);
    if (!secret)
        return -1;
    h->name = dup_or_oom(v, name);
    h->value = format("%s%s", prefix ? json_string_value(prefix) : "", secret);
    h->secret = 1;
    if (!h->value)
        v->oom = 1;
    explicit_bzero(secret, strlen(secret));
    free(secret);
    return 0;
}

static void load_headers(vctx *v, json_t *headers, wall_feed *f)
{
    f->headers = calloc(json_object_size(headers) + 1, sizeof *f->headers);
    if (!f->headers) {
        v->oom = 1;
        return;
    }
    const char *name;
    json_t *spec;
    json_object_foreach(headers, name, spec) {
        size_t mark = push_key(v, name);
        for (size_t i = 0; i < f->header_count; i++)
            if (f->headers[i].name && strcasecmp(f->headers[i].name, name) == 0) {
                fail_at(v, "duplicate header (header names ignore case)");
                break;
            }
        wall_header *h = &f->headers[f->header_count];
        if (load_header(v, name, spec, h) == 0)
            f->header_count++;   /* even if a strdup failed: config_free releases the rest */
        pop(v, mark);
    }
}

static void load_ca_file(vctx *v, json_t *ca, wall_feed *f)
{
    if (!*json_string_value(ca)) {
        fail_key(v, "ca_file", "must not be empty");
        return;
    }
    f->ca_file = resolve(v->dir, json_string_value(ca));
    if (!f->ca_file) {
        v->oom = 1;
        return;
    }
    struct stat st;
    int fd = open(f->ca_file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0 || fstat(fd, &st) != 0)
        fail_key(v, "ca_file", "cannot read CA file %s: %s", f->ca_file, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        fail_key(v, "ca_file", "CA file %s is not a regular file", f->ca_file);
    if (fd >= 0)
        close(fd);
}

/* NULL if `p` is a JSON pointer the feed can take a key from, else what is wrong. The root
 * ("") is an object, never a key; a token longer than jsonptr.c reads would never match. */
static const char *coalesce_pointer_problem(const char *p)
{
    if (*p != '/')
        return *p ? "must start with '/'"
                  : "must start with '/' (\"\" is the whole message, never a key)";
    size_t token = 0;
    for (p++; *p; p++) {
        if (*p == '/') {
            token = 0;
            continue;
        }
        if (*p == '~' && p[1] != '0' && p[1] != '1')
            return "invalid JSON pointer: '~' must be followed by 0 or 1";
        if (*p == '~')
            p++;
        if (++token > 255)
            return "invalid JSON pointer: a reference token is longer than 255 characters";
    }
    return NULL;
}

/* "coalesce_by": 1..WALL_COALESCE_MAX distinct pointers (the current path is $.feeds.NAME). */
static void load_coalesce_by(vctx *v, json_t *arr, wall_feed *f)
{
    size_t n = json_array_size(arr);
    if (n == 0 || n > WALL_COALESCE_MAX) {
        fail_key(v, "coalesce_by", "must list 1 to %d JSON pointers, not %zu",
                 WALL_COALESCE_MAX, n);
        return;
    }
    size_t mark = push_key(v, "coalesce_by");
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_array_get(arr, i);
        size_t m = push_index(v, i);
        const char *problem = NULL;
        size_t dup = i;
        if (!json_is_string(p)) {
            fail_at(v, "must be a JSON pointer string, not %s", type_name(p));
        } else if ((problem = coalesce_pointer_problem(json_string_value(p))) != NULL) {
            fail_at(v, "%s", problem);
        } else {
            for (dup = 0; dup < i; dup++)
                if (json_equal(json_array_get(arr, dup), p))
                    break;
            if (dup < i)
                fail_at(v, "duplicate pointer (the same as [%zu])", dup);
            else if (f->coalesce_count < WALL_COALESCE_MAX)
                f->coalesce_by[f->coalesce_count++] = dup_or_oom(v, json_string_value(p));
        }
        pop(v, m);
    }
    pop(v, mark);
}

/* One feed (the current path is $.feeds.NAME). */
static void load_feed(vctx *v, const char *name, json_t *spec, wall_feed *f)
{
    static const char *const keys[] = {"url", "headers", "ca_file", "coalesce_by", NULL};
    f->name = dup_or_oom(v, name);
    if (!*name)
        fail_at(v, "feed name must not be empty");
    if (!json_is_object(spec)) {
        fail_at(v, "must be an object, not %s", type_name(spec));
        return;
    }
    check_keys(v, spec, keys);
    json_t *url = member(v, spec, "url", K_STRING, 1);
    if (url) {
        const char *problem = url_problem(json_string_value(url));
        if (problem)
            fail_key(v, "url", "%s", problem);
        f->url = dup_or_oom(v, json_string_value(url));
    }
    json_t *headers = member(v, spec, "headers", K_OBJECT, 0);
    if (headers) {
        size_t mark = push_key(v, "headers");
        load_headers(v, headers, f);
        pop(v, mark);
    }
    json_t *ca = member(v, spec, "ca_file", K_STRING, 0);
    if (ca)
        load_ca_file(v, ca, f);
    json_t *coalesce = member(v, spec, "coalesce_by", K_ARRAY, 0);
    if (coalesce)
        load_coalesce_by(v, coalesce, f);
}

static void load_feeds(vctx *v, json_t *root, wall_config *w)
{
    json_t *feeds = member(v, root, "feeds", K_OBJECT, 0);
    if (!feeds || json_object_size(feeds) == 0)
        return;
    if (json_object_size(feeds) > FEEDS_MAX) {
        fail_key(v, "feeds", "%zu feeds, at most %d (each is a connection of its own)",
                 json_object_size(feeds), FEEDS_MAX);
        return;
    }
    w->feeds = calloc(json_object_size(feeds), sizeof *w->feeds);
    if (!w->feeds) {
        v->oom = 1;
        return;
    }
    size_t mark = push_key(v, "feeds");
    const char *name;
    json_t *spec;
    json_object_foreach(feeds, name, spec) {
        size_t m = push_key(v, name);
        load_feed(v, name, spec, &w->feeds[w->feed_count++]);
        pop(v, m);
    }
    pop(v, mark);
}

/* ------------------------------------------------------------------ tiles */

static int plugin_name_ok(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789_-") == n;
}

/* A pair [a, b] of integers >= min, as for "cell" and "span". 0, or -1 after reporting. */
static int int_pair(vctx *v, json_t *tile, const char *key, json_int_t min, const char *shape,
                    json_int_t out[2])
{
    json_t *arr = json_object_get(tile, key);
    size_t mark = push_key(v, key);
    int rc = -1;
    if (!json_is_array(arr) || json_array_size(arr) != 2) {
        fail_at(v, "must be an array of two integers %s", shape);
        goto done;
    }
    rc = 0;
    for (size_t i = 0; i < 2; i++) {
        json_t *n = json_array_get(arr, i);
        size_t m = push_index(v, i);
        if (!json_is_integer(n)) {
            fail_at(v, "must be an integer, not %s", type_name(n));
            rc = -1;
        } else if (json_integer_value(n) < min) {
            fail_at(v, "must be %" JSON_INTEGER_FORMAT " or more, not %" JSON_INTEGER_FORMAT,
                    min, json_integer_value(n));
            rc = -1;
        } else if (json_integer_value(n) > PAIR_MAX) {
            fail_at(v, "must be at most %d", PAIR_MAX);
            rc = -1;
        } else {
            out[i] = json_integer_value(n);
        }
        pop(v, m);
    }
done:
    pop(v, mark);
    return rc;
}

static void load_geometry(vctx *v, json_t *tile, const wall_config *w, int grid_ok,
                          wall_tile *t, tile_aux *aux)
{
    json_int_t cell[2] = {0, 0}, span[2] = {1, 1};
    int ok = 1;
    if (!json_object_get(tile, "cell")) {
        fail_at(v, "missing required key \"cell\"");
        ok = 0;
    } else if (int_pair(v, tile, "cell", 0, "[column, row]", cell) != 0) {
        ok = 0;
    }
    if (json_object_get(tile, "span") && int_pair(v, tile, "span", 1, "[columns, rows]", span))
        ok = 0;
    if (!ok)
        return;
    *aux = (tile_aux){1, cell[0], cell[1], span[0], span[1], aux->id_explicit};
    if (grid_ok && (cell[0] + span[0] > w->columns || cell[1] + span[1] > w->rows)) {
        char b[96];
        fail_key(v, "cell", "tile '%s' at [%" JSON_INTEGER_FORMAT ", %" JSON_INTEGER_FORMAT
                 "] spanning [%" JSON_INTEGER_FORMAT ", %" JSON_INTEGER_FORMAT "] does not fit "
                 "the %dx%d grid", t->id ? shown(t->id, b, sizeof b) : "?", cell[0], cell[1],
                 span[0], span[1], w->columns, w->rows);
        aux->geom_ok = 0;
        return;
    }
    t->col = (int)cell[0];
    t->row = (int)cell[1];
    t->col_span = (int)span[0];
    t->row_span = (int)span[1];
}

/* A match key starting with '/' is a JSON pointer: '~' may only escape '0' or '1'. */
static int pointer_ok(const char *p)
{
    for (; *p; p++)
        if (*p == '~' && p[1] != '0' && p[1] != '1')
            return 0;
    return 1;
}

static void load_match(vctx *v, json_t *tile, wall_tile *t)
{
    json_t *match = member(v, tile, "match", K_OBJECT, 0);
    if (!match)
        return;
    size_t mark = push_key(v, "match");
    if (!json_object_get(tile, "feed"))
        fail_at(v, "has no effect without \"feed\"");
    const char *key;
    json_t *val;
    json_object_foreach(match, key, val) {
        if (json_is_object(val) || json_is_array(val))
            fail_key(v, key, "must be a string, number, boolean or null, not %s",
                     type_name(val));
        if (key[0] == '/' && !pointer_ok(key))
            fail_key(v, key, "invalid JSON pointer: '~' must be followed by 0 or 1");
    }
    pop(v, mark);
    t->match = json_deep_copy(match);   /* detached from the document, owned by the tile */
    if (!t->match)
        v->oom = 1;
}

static void load_feed_ref(vctx *v, json_t *tile, const wall_config *w, wall_tile *t)
{
    json_t *feed = member(v, tile, "feed", K_STRING, 0);
    if (!feed)
        return;
    const char *name = json_string_value(feed);
    t->feed = dup_or_oom(v, name);
    for (size_t i = 0; i < w->feed_count; i++)
        if (w->feeds[i].name && strcmp(w->feeds[i].name, name) == 0) {
            t->feed_index = (int)i;
            return;
        }
    char b[96];
    fail_key(v, "feed", "unknown feed '%s'%s", shown(name, b, sizeof b),
             w->feed_count ? "" : " (\"feeds\" defines none)");
}

static void load_plugin(vctx *v, json_t *tile, wall_tile *t)
{
    json_t *plugin = member(v, tile, "plugin", K_STRING, 1);
    if (!plugin)
        return;
    const char *name = json_string_value(plugin);
    char b[96];
    t->plugin = dup_or_oom(v, name);
    if (!plugin_name_ok(name))
        fail_key(v, "plugin", "plugin names are 1 to 64 letters, digits, '_' or '-'");
    else if (v->known && !v->known(name, v->known_ctx))
        fail_key(v, "plugin", "unknown plugin '%s'", shown(name, b, sizeof b));
}

static void load_id(vctx *v, json_t *tile, size_t index, wall_tile *t, tile_aux *aux)
{
    json_t *id = member(v, tile, "id", K_STRING, 0);
    if (id && !*json_string_value(id))
        fail_key(v, "id", "must not be empty");
    aux->id_explicit = id != NULL;
    t->id = id ? dup_or_oom(v, json_string_value(id))
               : format("%s-%zu", t->plugin ? t->plugin : "tile", index);
    if (!t->id)
        v->oom = 1;
}

static void load_scalars(vctx *v, json_t *tile, wall_tile *t)
{
    json_t *title = member(v, tile, "title", K_STRING, 0);
    if (title)
        t->title = dup_or_oom(v, json_string_value(title));
    json_t *stale = member(v, tile, "stale_after", K_NUMBER, 0);
    t->stale_after = DEFAULT_STALE_AFTER;
    if (stale && (json_number_value(stale) <= 0 || json_number_value(stale) > STALE_MAX))
        fail_key(v, "stale_after", "must be a number of seconds greater than 0 and at most %d",
                 STALE_MAX);
    else if (stale)
        t->stale_after = json_number_value(stale);
    json_t *options = member(v, tile, "options", K_OBJECT, 0);
    t->options = options ? json_deep_copy(options) : json_object();
    if (!t->options)
        v->oom = 1;
}

/* One tile (the current path is $.tiles[index]). */
static void load_tile(vctx *v, json_t *tile, size_t index, const wall_config *w, int grid_ok,
                      wall_tile *t, tile_aux *aux)
{
    static const char *const keys[] = {"id", "plugin", "feed", "match", "cell", "span",
                                       "title", "stale_after", "options", NULL};
    t->feed_index = -1;
    jsonpos_find(v->pos, v->path, &t->line, &t->column);
    if (!json_is_object(tile)) {
        fail_at(v, "must be an object, not %s", type_name(tile));
        return;
    }
    check_keys(v, tile, keys);
    load_plugin(v, tile, t);
    load_id(v, tile, index, t, aux);
    load_feed_ref(v, tile, w, t);
    load_match(v, tile, t);
    load_geometry(v, tile, w, grid_ok, t, aux);
    load_scalars(v, tile, t);
}

static void tile_path(vctx *v, size_t i, const char *key, char *buf, size_t size)
{
    size_t mark = push_index(v, i);
    size_t m2 = key ? push_key(v, key) : v->path_len;
    snprintf(buf, size, "%s", v->path);
    pop(v, m2);
    pop(v, mark);
}

static void check_ids(vctx *v, const wall_config *w, const tile_aux *aux)
{
    for (size_t j = 0; j < w->tile_count; j++)
        for (size_t i = 0; i < j && w->tiles[j].id; i++) {
            if (!w->tiles[i].id || strcmp(w->tiles[i].id, w->tiles[j].id) != 0)
                continue;
            char first[128], at[PATH_MAX], b[96];
            tile_path(v, i, aux[i].id_explicit ? "id" : NULL, first, sizeof first);
            where(v, first, at, sizeof at);
            size_t mark = push_index(v, j);
            if (aux[j].id_explicit)
                fail_key(v, "id", "duplicate tile id '%s' (first at %s)",
                         shown(w->tiles[j].id, b, sizeof b), at);
            else
                fail_at(v, "duplicate tile id '%s' (first at %s)",
                        shown(w->tiles[j].id, b, sizeof b), at);
            pop(v, mark);
            break;
        }
}

static int overlap(const tile_aux *a, const tile_aux *b)
{
    return a->col < b->col + b->cspan && b->col < a->col + a->cspan &&
           a->row < b->row + b->rspan && b->row < a->row + a->rspan;
}

static void check_overlaps(vctx *v, const wall_config *w, const tile_aux *aux)
{
    for (size_t j = 0; j < w->tile_count; j++)
        for (size_t i = 0; i < j && aux[j].geom_ok; i++) {
            if (!aux[i].geom_ok || !overlap(&aux[i], &aux[j]))
                continue;
            char other[128], at[PATH_MAX], b[96];
            tile_path(v, i, "cell", other, sizeof other);
            where(v, other, at, sizeof at);
            size_t mark = push_index(v, j);
            fail_key(v, "cell", "overlaps tile '%s' (at %s)",
                     w->tiles[i].id ? shown(w->tiles[i].id, b, sizeof b) : "?", at);
            pop(v, mark);
        }
}

static void load_tiles(vctx *v, json_t *root, wall_config *w, int grid_ok)
{
    json_t *tiles = member(v, root, "tiles", K_ARRAY, 1);
    if (!tiles)
        return;
    size_t n = json_array_size(tiles);
    if (n == 0) {
        fail_key(v, "tiles", "must hold at least one tile");
        return;
    }
    w->tiles = calloc(n, sizeof *w->tiles);
    tile_aux *aux = calloc(n, sizeof *aux);
    if (!w->tiles || !aux) {
        v->oom = 1;
        free(aux);
        return;
    }
    w->tile_count = n;
    size_t mark = push_key(v, "tiles");
    for (size_t i = 0; i < n; i++) {
        size_t m = push_index(v, i);
        load_tile(v, json_array_get(tiles, i), i, w, grid_ok, &w->tiles[i], &aux[i]);
        pop(v, m);
    }
    check_ids(v, w, aux);         /* both name tiles by path: still under "$.tiles" */
    check_overlaps(v, w, aux);
    pop(v, mark);
    free(aux);
}

/* ------------------------------------------------------------------ root */

static void load_look(vctx *v, json_t *root, wall_config *w)
{
    json_t *title = member(v, root, "title", K_STRING, 0);
    w->title = dup_or_oom(v, title ? json_string_value(title) : DEFAULT_TITLE);
    json_t *bg = member(v, root, "background", K_STRING, 0);
    const char *text = bg ? json_string_value(bg) : DEFAULT_BACKGROUND;
    if (strlen(text) != 7 || config_parse_color(text, &w->background) != 0)
        fail_key(v, "background", "must be a colour written #rrggbb");
}

/* Returns 1 if the grid is complete and valid, so tiles can be checked against it. */
static int load_grid(vctx *v, json_t *root, wall_config *w)
{
    static const char *const keys[] = {"columns", "rows", "gap", NULL};
    json_t *grid = member(v, root, "grid", K_OBJECT, 1);
    if (!grid)
        return 0;
    size_t mark = push_key(v, "grid");
    check_keys(v, grid, keys);
    int ok = member_int(v, grid, "columns", 1, 1, GRID_MAX, 0, &w->columns) == 0;
    ok &= member_int(v, grid, "rows", 1, 1, GRID_MAX, 0, &w->rows) == 0;
    member_int(v, grid, "gap", 0, 0, GAP_MAX, DEFAULT_GAP, &w->gap);
    pop(v, mark);
    return ok;
}

static void load_root(vctx *v, json_t *root, wall_config *w)
{
    static const char *const keys[] = {"title", "background", "grid", "feeds", "tiles", NULL};
    if (!json_is_object(root)) {
        fail_at(v, "the config must be an object, not %s", type_name(root));
        return;
    }
    check_keys(v, root, keys);
    load_look(v, root, w);
    int grid_ok = load_grid(v, root, w);
    load_feeds(v, root, w);
    load_tiles(v, root, w, grid_ok);
}

/* ------------------------------------------------------------------ entry points */

static int error_cmp(const void *a, const void *b)
{
    const cfg_error *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int errors_push(config_errors *errs, char *line)
{
    if (errs->count == errs->capacity) {
        size_t cap = errs->capacity ? errs->capacity * 2 : 16;
        char **l = realloc(errs->lines, cap * sizeof *l);
        if (!l)
            return -1;
        errs->lines = l;
        errs->capacity = cap;
    }
    errs->lines[errs->count++] = line;
    return 0;
}

/* Moves the collected errors, sorted by position, into errs. */
static void errors_flush(vctx *v, config_errors *errs)
{
    if (v->oom)
        add_error(v, INT_MAX, INT_MAX, format("%s:1:1: $: out of memory", v->file));
    qsort(v->errs, v->err_count, sizeof *v->errs, error_cmp);
    for (size_t i = 0; i < v->err_count; i++)
        if (errors_push(errs, v->errs[i].text) != 0)
            free(v->errs[i].text);
    free(v->errs);
    v->errs = NULL;
    v->err_count = 0;
}

/* Reads the file; 0, or -1 with an error recorded. *text is malloc'd. */
static int read_config(vctx *v, const char *path, char **text, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0 || read_all(fd, CONFIG_MAX_BYTES, text, len) != 0) {
        fail_at(v, "cannot read the config: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    if (*len > CONFIG_MAX_BYTES) {
        fail_at(v, "the config is larger than %d bytes", CONFIG_MAX_BYTES);
        free(*text);
        return -1;
    }
    return 0;
}

static json_t *parse_config(vctx *v, const char *text, size_t len)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (root)
        return root;
    /* jansson counts from 1 but reports column 0 after a line break: clamp for editors. */
    int line = je.line > 0 ? je.line : 1, col = je.column > 0 ? je.column : 1;
    add_error(v, line, col, format("%s:%d:%d: $: invalid JSON: %s", v->file, line, col,
                                   je.text));
    return NULL;
}

/* Both entry points, one code path: `text` is the config's contents, or NULL to read the file
 * `name`. Relative paths in it are relative to name's folder. */
static int load(const char *name, const char *text, size_t len, config_plugin_known_fn known,
                void *known_ctx, wall_config *wall, config_errors *errs)
{
    vctx v = {.file = name, .known = known, .known_ctx = known_ctx};
    char *file_text = NULL;
    json_t *root = NULL;
    jsonpos *pos = NULL;
    memset(wall, 0, sizeof *wall);
    if (path_add(&v, "$", 1) != 0)
        goto done;
    wall->path = dup_or_oom(&v, name);
    wall->dir = folder_of(name);
    if (!wall->dir)
        v.oom = 1;
    v.dir = wall->dir ? wall->dir : ".";
    if (!text) {
        if (read_config(&v, name, &file_text, &len) != 0)
            goto done;
        text = file_text;
    } else if (len > CONFIG_MAX_BYTES) {
        fail_at(&v, "the config is larger than %d bytes", CONFIG_MAX_BYTES);
        goto done;
    }
    if (!(root = parse_config(&v, text, len)))
        goto done;
    pos = jsonpos_index(text, len);   /* NULL only on OOM: then every error points at 1:1 */
    v.pos = pos;
    load_root(&v, root, wall);
done:
    json_decref(root);
    jsonpos_free(pos);
    free(file_text);
    free(v.path);
    if (v.err_count == 0 && !v.oom)
        return 0;
    errors_flush(&v, errs);
    config_free(wall);
    return -1;
}

int config_load(const char *path, config_plugin_known_fn known, void *known_ctx,
                wall_config *wall, config_errors *errs)
{
    return load(path, NULL, 0, known, known_ctx, wall, errs);
}

int config_load_buffer(const char *name, const char *data, size_t len,
                       config_plugin_known_fn known, void *known_ctx, wall_config *wall,
                       config_errors *errs)
{
    return load(name, data ? data : "", data ? len : 0, known, known_ctx, wall, errs);
}

static void free_feed(wall_feed *f)
{
    for (size_t i = 0; i < f->header_count; i++) {
        wall_header *h = &f->headers[i];
        if (h->secret && h->value)
            explicit_bzero(h->value, strlen(h->value));
        free(h->name);
        free(h->value);
    }
    free(f->headers);
    free(f->name);
    free(f->url);
    free(f->ca_file);
    for (size_t i = 0; i < f->coalesce_count; i++)
        free(f->coalesce_by[i]);
}

static void free_tile(wall_tile *t)
{
    free(t->id);
    free(t->plugin);
    free(t->feed);
    free(t->title);
    json_decref(t->match);
    json_decref(t->options);
}

void config_free(wall_config *wall)
{
    if (!wall)
        return;
    for (size_t i = 0; i < wall->feed_count; i++)
        free_feed(&wall->feeds[i]);
    for (size_t i = 0; i < wall->tile_count; i++)
        free_tile(&wall->tiles[i]);
    free(wall->feeds);
    free(wall->tiles);
    free(wall->path);
    free(wall->dir);
    free(wall->title);
    memset(wall, 0, sizeof *wall);
}

void config_errors_free(config_errors *errs)
{
    if (!errs)
        return;
    for (size_t i = 0; i < errs->count; i++)
        free(errs->lines[i]);
    free(errs->lines);
    memset(errs, 0, sizeof *errs);
}

static int hex_byte(const char *s, uint8_t *out)
{
    int v = 0;
    for (int i = 0; i < 2; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    *out = (uint8_t)v;
    return 0;
}

int config_parse_color(const char *text, wb_color *out)
{
    size_t n = text ? strlen(text) : 0;
    wb_color c = {0, 0, 0, 255};
    if ((n != 7 && n != 9) || text[0] != '#')
        return -1;
    if (hex_byte(text + 1, &c.r) || hex_byte(text + 3, &c.g) || hex_byte(text + 5, &c.b) ||
        (n == 9 && hex_byte(text + 7, &c.a)))
        return -1;
    *out = c;
    return 0;
}

/* ------------------------------------------------------------------ comparing (reloads) */

static int same_text(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

static int same_json(const json_t *a, const json_t *b)
{
    if (!a || !b) return a == b;
    return json_equal((json_t *)a, (json_t *)b);
}

int config_feed_same(const wall_feed *a, const wall_feed *b)
{
    if (!same_text(a->name, b->name) || !same_text(a->url, b->url) ||
        !same_text(a->ca_file, b->ca_file) || a->header_count != b->header_count ||
        a->coalesce_count != b->coalesce_count)
        return 0;
    for (size_t h = 0; h < a->header_count; h++)
        if (!same_text(a->headers[h].name, b->headers[h].name) ||
            !same_text(a->headers[h].value, b->headers[h].value))
            return 0;
    for (size_t c = 0; c < a->coalesce_count; c++)
        if (!same_text(a->coalesce_by[c], b->coalesce_by[c])) return 0;
    return 1;
}

int config_tile_same(const wall_tile *a, const wall_tile *b)
{
    return same_text(a->id, b->id) && same_text(a->plugin, b->plugin) &&
           same_text(a->feed, b->feed) && same_text(a->title, b->title) &&
           same_json(a->options, b->options) && same_json(a->match, b->match) &&
           a->stale_after == b->stale_after;
}
