/* recording.c: writes and reads the JSON-lines recordings of wallboard-feeds (--record, --replay).
 * Must never accept a line it cannot replay exactly, nor report an error without its FILE:LINE. */
#include "recording.h"
#include "wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A file and its name, for messages. */
typedef struct named_file {
    FILE *f;
    char *name;
} named_file;

static int named_open(named_file *nf, const char *file, const char *mode, const char *option,
                      char *err, size_t err_size)
{
    nf->name = strdup(file);
    if (!nf->name) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    nf->f = fopen(file, mode);
    if (!nf->f) {
        snprintf(err, err_size, "%s%s%s: %s", option, option[0] ? " " : "", file, strerror(errno));
        free(nf->name);
        nf->name = NULL;
        return -1;
    }
    return 0;
}

struct recorder {
    named_file file;
};

recorder *recorder_open(const char *file, char *err, size_t err_size)
{
    recorder *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    if (named_open(&r->file, file, "w", "--record", err, err_size)) {
        free(r);
        return NULL;
    }
    return r;
}

static int write_failed(recorder *r, char *err, size_t err_size)
{
    snprintf(err, err_size, "--record %s: cannot write: %s", r->file.name,
             errno ? strerror(errno) : "I/O error");
    return -1;
}

int recorder_write(recorder *r, int64_t t_ms, const char *path, const json_t *msg, char *err,
                   size_t err_size)
{
    json_t *line = json_pack("{s:I, s:s, s:O}", "t", (json_int_t)t_ms, "path", path, "msg", msg);
    if (!line) {
        snprintf(err, err_size, "--record: out of memory");
        return -1;
    }
    errno = 0;
    int rc = json_dumpf(line, r->file.f, WIRE_JSON_FLAGS);
    json_decref(line);
    if (rc != 0 || fputc('\n', r->file.f) == EOF) return write_failed(r, err, err_size);
    return 0;
}

int recorder_flush(recorder *r, char *err, size_t err_size)
{
    errno = 0;
    if (fflush(r->file.f) != 0 || ferror(r->file.f)) return write_failed(r, err, err_size);
    return 0;
}

int recorder_close(recorder *r, char *err, size_t err_size)
{
    if (!r) return 0;
    int rc = recorder_flush(r, err, err_size);
    errno = 0;
    if (fclose(r->file.f) != 0 && rc == 0) rc = write_failed(r, err, err_size);
    free(r->file.name);
    free(r);
    return rc;
}

struct replay_reader {
    named_file file;
    long line;
    int64_t last_t;
    char *buf;
    size_t cap;
};

replay_reader *replay_open(const char *file, char *err, size_t err_size)
{
    replay_reader *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    if (named_open(&r->file, file, "r", "", err, err_size)) {
        free(r);
        return NULL;
    }
    return r;
}

const char *replay_file(const replay_reader *r)
{
    return r->file.name;
}

void replay_close(replay_reader *r)
{
    if (!r) return;
    fclose(r->file.f);
    free(r->file.name);
    free(r->buf);
    free(r);
}

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') return 0;
    return 1;
}

/* Checks the envelope of msg and fills the line's seq and kind. */
static int check_msg(const json_t *msg, replay_line *out, char *err, size_t err_size)
{
    const char *type = json_string_value(json_object_get(msg, "type"));
    json_t *v = json_object_get(msg, "v"), *seq = json_object_get(msg, "seq");
    json_t *ts = json_object_get(msg, "ts");
    if (!json_is_object(msg)) {
        snprintf(err, err_size, "\"msg\": expected an object");
        return -1;
    }
    if (!type) {
        snprintf(err, err_size, "msg.type: expected a string");
        return -1;
    }
    if (!json_is_integer(v) || json_integer_value(v) != 1) {
        snprintf(err, err_size, "msg.v: expected 1, the only envelope version");
        return -1;
    }
    if (!json_is_integer(seq) || json_integer_value(seq) < 0) {
        snprintf(err, err_size, "msg.seq: expected an integer >= 0");
        return -1;
    }
    if (ts && !json_is_integer(ts)) {
        snprintf(err, err_size, "msg.ts: expected an integer (ms since the epoch)");
        return -1;
    }
    out->seq = (uint64_t)json_integer_value(seq);
    out->is_snapshot = wire_is_snapshot_type(type);
    return 0;
}

static void list_paths(char *buf, size_t size)
{
    size_t count, used = 0;
    const feed_source *const *sources = feed_sources(&count);
    buf[0] = '\0';
    for (size_t i = 0; i < count && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", sources[i]->path);
        if (n < 0) break;
        used += (size_t)n;
    }
}

static int parse_line(replay_reader *r, const char *text, size_t len, replay_line *out,
                      char *err, size_t err_size)
{
    json_error_t jerr;
    char why[300];
    json_t *obj = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    *out = (replay_line){ .line = r->line };
    if (!obj) {
        snprintf(why, sizeof why, "column %d: not JSON: %s", jerr.column, jerr.text);
        goto fail;
    }
    json_t *t = json_object_get(obj, "t"), *msg = json_object_get(obj, "msg");
    const char *path = json_string_value(json_object_get(obj, "path"));
    if (!json_is_object(obj)) {
        snprintf(why, sizeof why, "expected an object {\"t\", \"path\", \"msg\"}");
        goto fail;
    }
    if (!json_is_integer(t) || json_integer_value(t) < 0) {
        snprintf(why, sizeof why, "\"t\": expected an integer >= 0 (ms since the recording started)");
        goto fail;
    }
    if (json_integer_value(t) < r->last_t) {
        snprintf(why, sizeof why, "\"t\" goes back in time: %lld after %lld",
                 (long long)json_integer_value(t), (long long)r->last_t);
        goto fail;
    }
    if (!path) {
        snprintf(why, sizeof why, "\"path\": expected a string");
        goto fail;
    }
    out->source = feed_source_find(path);
    if (!out->source) {
        char known[200];
        list_paths(known, sizeof known);
        snprintf(why, sizeof why, "\"path\": no feed \"%.60s\" (known: %s)", path, known);
        goto fail;
    }
    if (!msg) {
        snprintf(why, sizeof why, "\"msg\": expected an object");
        goto fail;
    }
    if (check_msg(msg, out, why, sizeof why)) goto fail;
    out->t_ms = r->last_t = (int64_t)json_integer_value(t);
    out->msg = json_incref(msg);
    json_decref(obj);
    return 1;

fail:
    snprintf(err, err_size, "%s:%ld: %s", r->file.name, r->line, why);
    json_decref(obj);
    return -1;
}

int replay_read(replay_reader *r, replay_line *out, char *err, size_t err_size)
{
    for (;;) {
        errno = 0;
        ssize_t n = getline(&r->buf, &r->cap, r->file.f);
        if (n < 0) {
            if (ferror(r->file.f)) {
                snprintf(err, err_size, "%s:%ld: cannot read: %s", r->file.name, r->line + 1,
                         strerror(errno ? errno : EIO));
                return -1;
            }
            return 0;
        }
        r->line++;
        if ((size_t)n > RECORDING_MAX_LINE) {
            snprintf(err, err_size, "%s:%ld: line longer than %d bytes", r->file.name, r->line,
                     RECORDING_MAX_LINE);
            return -1;
        }
        if (is_blank(r->buf, (size_t)n)) continue;
        return parse_line(r, r->buf, (size_t)n, out, err, err_size);
    }
}

int replay_check(const char *file, int *used, size_t *lines, char *err, size_t err_size)
{
    size_t count;
    const feed_source *const *sources = feed_sources(&count);
    void **models = calloc(count, sizeof *models);
    replay_reader *r = NULL;
    replay_line l = { 0 };
    int rc = -1;
    *lines = 0;
    if (!models) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    r = replay_open(file, err, err_size);
    if (!r) goto done;
    feed_source_args empty = { .empty = 1 };
    for (size_t i = 0; i < count; i++) {
        used[i] = 0;
        models[i] = sources[i]->create(&empty, err, err_size);
        if (!models[i]) goto done;
    }
    int got;
    while ((got = replay_read(r, &l, err, err_size)) == 1) {
        size_t i = 0;
        while (sources[i] != l.source) i++;
        char why[400];
        if (sources[i]->apply(models[i], l.msg, why, sizeof why)) {
            snprintf(err, err_size, "%s:%ld: %s", file, l.line, why);
            goto done;
        }
        used[i] = 1;
        (*lines)++;
        json_decref(l.msg);
        l.msg = NULL;
    }
    if (got < 0) goto done;
    if (*lines == 0) {
        snprintf(err, err_size, "%s: no messages to replay", file);
        goto done;
    }
    rc = 0;

done:
    json_decref(l.msg);
    replay_close(r);
    for (size_t i = 0; i < count; i++)
        if (models[i]) sources[i]->destroy(models[i]);
    free(models);
    return rc;
}
