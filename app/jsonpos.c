/* jsonpos.c: JSON paths to line:column in the source text, so config errors point into the file.
 * It must never build a tree or interpret values: jansson owns the data, yajl gives offsets. */
#include "jsonpos.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

/*
 * Path syntax (config.c writes the same): "$" is the root; an object key that is non-empty and
 * made only of ASCII letters, digits, '_' and '-' is appended as ".key"; any other key as
 * ["key"] with '"' and '\' escaped by a backslash; an array element as "[N]".
 * Columns count UTF-8 code points (continuation bytes do not advance), as jansson's do, so a
 * syntax error from jansson and a schema error from us agree on a line with Chinese text.
 */

typedef struct jp_entry {
    char *path;
    int line, col;
} jp_entry;

struct jsonpos {
    jp_entry *entries;   /* sorted by path after indexing */
    size_t count;
};

/* One open container while parsing. */
typedef struct jp_frame {
    int is_array;
    long next_index;     /* arrays: index of the next element */
    size_t base_len;     /* path length of the container itself */
} jp_frame;

typedef struct jp_state {
    yajl_handle yh;
    const unsigned char *text;
    size_t len;
    size_t *line_starts; /* offset of each line's first byte */
    size_t line_count;
    char *path;          /* current path, NUL-terminated */
    size_t path_len, path_cap;
    jp_frame *frames;
    size_t depth, frames_cap;
    jp_entry *entries;
    size_t count, cap;
    int oom;
} jp_state;

static int path_reserve(jp_state *s, size_t extra)
{
    if (s->path_len + extra + 1 <= s->path_cap)
        return 0;
    size_t cap = s->path_cap ? s->path_cap : 64;
    while (cap < s->path_len + extra + 1)
        cap *= 2;
    char *p = realloc(s->path, cap);
    if (!p)
        return -1;
    s->path = p;
    s->path_cap = cap;
    return 0;
}

static int path_append(jp_state *s, const char *bytes, size_t n)
{
    if (path_reserve(s, n) != 0)
        return -1;
    memcpy(s->path + s->path_len, bytes, n);
    s->path_len += n;
    s->path[s->path_len] = '\0';
    return 0;
}

static int key_is_plain(const unsigned char *key, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = key[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

static int path_append_key(jp_state *s, const unsigned char *key, size_t n)
{
    if (key_is_plain(key, n))
        return path_append(s, ".", 1) || path_append(s, (const char *)key, n);
    if (path_append(s, "[\"", 2) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if ((key[i] == '"' || key[i] == '\\') && path_append(s, "\\", 1) != 0)
            return -1;
        if (path_append(s, (const char *)key + i, 1) != 0)
            return -1;
    }
    return path_append(s, "\"]", 2);
}

static int path_append_index(jp_state *s, long index)
{
    char buf[32];
    int n = snprintf(buf, sizeof buf, "[%ld]", index);
    return path_append(s, buf, (size_t)n);
}

static int build_line_starts(jp_state *s)
{
    size_t lines = 1;
    for (size_t i = 0; i < s->len; i++)
        lines += s->text[i] == '\n';
    s->line_starts = malloc(lines * sizeof *s->line_starts);
    if (!s->line_starts)
        return -1;
    s->line_starts[0] = 0;
    s->line_count = 1;
    for (size_t i = 0; i < s->len; i++)
        if (s->text[i] == '\n')
            s->line_starts[s->line_count++] = i + 1;
    return 0;
}

static void offset_to_line_col(const jp_state *s, size_t off, int *line, int *col)
{
    size_t lo = 0, hi = s->line_count;   /* last line start <= off */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->line_starts[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    int c = 1;
    for (size_t i = s->line_starts[lo]; i < off && i < s->len; i++)
        c += (s->text[i] & 0xC0) != 0x80;
    *line = (int)lo + 1;
    *col = c;
}

static int record(jp_state *s, size_t off)
{
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        jp_entry *e = realloc(s->entries, cap * sizeof *e);
        if (!e)
            return -1;
        s->entries = e;
        s->cap = cap;
    }
    char *copy = strdup(s->path);
    if (!copy)
        return -1;
    jp_entry *e = &s->entries[s->count++];
    e->path = copy;
    offset_to_line_col(s, off, &e->line, &e->col);
    return 0;
}

/* Offset just past the token yajl has just lexed. */
static size_t token_end(const jp_state *s)
{
    size_t end = yajl_get_bytes_consumed(s->yh);
    return end > s->len ? s->len : end;
}

/* A string token ends with its closing quote; the opening one is the nearest earlier quote
 * not preceded by an odd run of backslashes (no unescaped quote can occur inside). */
static size_t string_start(const jp_state *s, size_t end)
{
    if (end < 2)
        return 0;
    size_t i = end - 1;     /* the closing quote */
    while (i > 0) {
        i--;
        if (s->text[i] != '"')
            continue;
        size_t slashes = 0;
        while (slashes < i && s->text[i - 1 - slashes] == '\\')
            slashes++;
        if (slashes % 2 == 0)
            return i;
    }
    return 0;
}

/* Numbers and true/false/null: back over the characters such a token can contain. */
static size_t bare_start(const jp_state *s, size_t end)
{
    size_t i = end;
    while (i > 0) {
        unsigned char c = s->text[i - 1];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '+' || c == '-' || c == '.'))
            break;
        i--;
    }
    return i;
}

/* The root's first byte; found directly because a scalar root is only reported by
 * yajl_complete_parse, whose offsets are into yajl's own one-byte buffer. */
static size_t root_start(const jp_state *s)
{
    size_t i = 0;
    while (i < s->len && (s->text[i] == ' ' || s->text[i] == '\t' || s->text[i] == '\n' ||
                          s->text[i] == '\r'))
        i++;
    return i;
}

/* Called at the start of every value. Members were recorded at their key; array elements
 * and the root are recorded here, and their path component is pushed for the value's life. */
static int value_begin(jp_state *s, size_t value_off)
{
    if (s->depth == 0)
        return record(s, root_start(s)) == 0;
    jp_frame *f = &s->frames[s->depth - 1];
    if (!f->is_array)
        return 1;
    s->path_len = f->base_len;
    s->path[s->path_len] = '\0';
    if (path_append_index(s, f->next_index++) != 0)
        return 0;
    return record(s, value_off) == 0;
}

static int scalar(jp_state *s, int is_string)
{
    if (s->depth == 0)
        return value_begin(s, 0);
    size_t end = token_end(s);
    size_t start = is_string ? string_start(s, end) : bare_start(s, end);
    return value_begin(s, start);
}

static int container_begin(jp_state *s, int is_array)
{
    size_t end = token_end(s);
    if (!value_begin(s, end ? end - 1 : 0))
        return 0;
    if (s->depth == s->frames_cap) {
        size_t cap = s->frames_cap ? s->frames_cap * 2 : 16;
        jp_frame *f = realloc(s->frames, cap * sizeof *f);
        if (!f)
            return 0;
        s->frames = f;
        s->frames_cap = cap;
    }
    s->frames[s->depth++] = (jp_frame){.is_array = is_array, .next_index = 0,
                                       .base_len = s->path_len};
    return 1;
}

static int container_end(jp_state *s)
{
    if (s->depth == 0)
        return 0;
    jp_frame *f = &s->frames[--s->depth];
    s->path_len = f->base_len;
    s->path[s->path_len] = '\0';
    return 1;
}

static int cb_null(void *ctx) { return scalar(ctx, 0); }
static int cb_boolean(void *ctx, int v) { (void)v; return scalar(ctx, 0); }
static int cb_number(void *ctx, const char *v, size_t n)
{
    (void)v;
    (void)n;
    return scalar(ctx, 0);
}

static int cb_string(void *ctx, const unsigned char *v, size_t n)
{
    (void)v;
    (void)n;
    return scalar(ctx, 1);
}
static int cb_start_map(void *ctx) { return container_begin(ctx, 0); }
static int cb_start_array(void *ctx) { return container_begin(ctx, 1); }
static int cb_end(void *ctx) { return container_end(ctx); }

static int cb_map_key(void *ctx, const unsigned char *key, size_t n)
{
    jp_state *s = ctx;
    jp_frame *f = &s->frames[s->depth - 1];
    s->path_len = f->base_len;
    s->path[s->path_len] = '\0';
    if (path_append_key(s, key, n) != 0)
        return 0;
    return record(s, string_start(s, token_end(s))) == 0;
}

static const yajl_callbacks callbacks = {
    .yajl_null = cb_null,
    .yajl_boolean = cb_boolean,
    .yajl_number = cb_number,     /* set, so yajl never converts (or overflows) numbers */
    .yajl_string = cb_string,
    .yajl_start_map = cb_start_map,
    .yajl_map_key = cb_map_key,
    .yajl_end_map = cb_end,
    .yajl_start_array = cb_start_array,
    .yajl_end_array = cb_end,
};

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const jp_entry *)a)->path, ((const jp_entry *)b)->path);
}

static void state_free_entries(jp_state *s)
{
    for (size_t i = 0; i < s->count; i++)
        free(s->entries[i].path);
    free(s->entries);
    s->entries = NULL;
    s->count = 0;
}

jsonpos *jsonpos_index(const char *text, size_t len)
{
    jp_state s = {.text = (const unsigned char *)text, .len = len};
    jsonpos *out = NULL;
    if (!text || build_line_starts(&s) != 0 || path_append(&s, "$", 1) != 0)
        goto fail;
    s.yh = yajl_alloc(&callbacks, NULL, &s);
    if (!s.yh)
        goto fail;
    if (yajl_parse(s.yh, s.text, len) != yajl_status_ok ||
        yajl_complete_parse(s.yh) != yajl_status_ok)
        goto fail;
    out = malloc(sizeof *out);
    if (!out)
        goto fail;
    /* Stable order is not needed: paths are unique once jansson has rejected duplicate keys. */
    qsort(s.entries, s.count, sizeof *s.entries, entry_cmp);
    out->entries = s.entries;
    out->count = s.count;
    s.entries = NULL;
    s.count = 0;
fail:
    if (s.yh)
        yajl_free(s.yh);
    state_free_entries(&s);
    free(s.line_starts);
    free(s.path);
    free(s.frames);
    return out;
}

void jsonpos_free(jsonpos *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->count; i++)
        free(p->entries[i].path);
    free(p->entries);
    free(p);
}

static const jp_entry *lookup(const jsonpos *p, const char *path, size_t n)
{
    size_t lo = 0, hi = p->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *e = p->entries[mid].path;
        int c = strncmp(e, path, n);
        if (c == 0)
            c = e[n] == '\0' ? 0 : 1;   /* entry is longer than the prefix */
        if (c == 0)
            return &p->entries[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Length of the path component starting at path[i] ('.' or '['), or 0 if malformed. */
static size_t component_len(const char *path, size_t i)
{
    size_t j = i + 1;
    if (path[i] == '.') {
        while (path[j] && path[j] != '.' && path[j] != '[')
            j++;
        return j - i;
    }
    if (path[i] != '[')
        return 0;
    if (path[j] == '"') {
        for (j++; path[j] && path[j] != '"'; j++)
            if (path[j] == '\\' && path[j + 1])
                j++;
        if (path[j] != '"' || path[j + 1] != ']')
            return 0;
        return j + 2 - i;
    }
    while (path[j] && path[j] != ']')
        j++;
    return path[j] == ']' ? j + 1 - i : 0;
}

int jsonpos_find(const jsonpos *p, const char *path, int *line, int *col)
{
    *line = 1;
    *col = 1;
    if (!p || !path || path[0] != '$')
        return -1;
    /* Every ancestor of an indexed value is indexed, so walk the prefixes from "$" down and
     * keep the last one found: that is the longest indexed prefix. */
    const jp_entry *best = NULL;
    size_t i = 1;
    for (;;) {
        const jp_entry *e = lookup(p, path, i);
        if (!e)
            break;
        best = e;
        size_t n = path[i] ? component_len(path, i) : 0;
        if (n == 0)
            break;
        i += n;
    }
    if (!best)
        return -1;
    *line = best->line;
    *col = best->col;
    return 0;
}
