/* recording.h: the JSON-lines files of --record and --replay. One message a line:
 *     {"t": ms since the recording started, "path": "/clinics", "msg": {...}}
 * The writer, the line reader (every check a replay needs, with FILE:LINE errors) and the
 * whole-file check that runs before a replay serves anything. */
#ifndef WB_FEEDS_RECORDING_H
#define WB_FEEDS_RECORDING_H

#include "source.h"

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define RECORDING_MAX_LINE (1024 * 1024) /* the wall's own limit for one message */

typedef struct recorder recorder;

/* Creates (truncates) FILE. NULL with err filled. */
recorder *recorder_open(const char *file, char *err, size_t err_size);
/* Appends one line; msg is only borrowed. 0, or -1 with err (a write error, e.g. disk full). */
int recorder_write(recorder *r, int64_t t_ms, const char *path, const json_t *msg, char *err,
                   size_t err_size);
/* Pushes buffered lines to the file so it can be read while recording. 0 or -1 with err. */
int recorder_flush(recorder *r, char *err, size_t err_size);
/* Flushes and closes. 0, or -1 with err if anything could not be written. NULL is fine. */
int recorder_close(recorder *r, char *err, size_t err_size);

typedef struct replay_line {
    int64_t t_ms;
    const feed_source *source; /* the built-in source of its path */
    json_t *msg;               /* the caller's reference */
    uint64_t seq;
    int is_snapshot;
    long line;                 /* 1-based, for messages */
} replay_line;

typedef struct replay_reader replay_reader;

replay_reader *replay_open(const char *file, char *err, size_t err_size);
/* The next message. 1 with *out, 0 at the end, -1 with err "FILE:LINE: what is wrong" for a
 * line that is not {"t": integer >= 0 and not below the line before, "path": a built-in path,
 * "msg": {"type": string, "v": 1, "seq": integer >= 0, "ts": integer if present, ...}}. Blank
 * lines are skipped. */
int replay_read(replay_reader *r, replay_line *out, char *err, size_t err_size);
const char *replay_file(const replay_reader *r);
void replay_close(replay_reader *r);

/* Reads all of FILE and applies each message to a fresh empty model of its path, so every
 * error (down to a mistyped field of one clinic) is found before serving. Sets used[i] for
 * each built-in source i (feed_sources order) that has at least one line, and *lines.
 * 0, or -1 with "FILE:LINE: ..." in err; a file with no messages is an error too. */
int replay_check(const char *file, int *used, size_t *lines, char *err, size_t err_size);

#endif
