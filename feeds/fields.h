/* fields.h: checked reads of message fields, for the models' apply(). Each names the field it
 * rejects ("totals.waiting: expected an integer >= 0"), so a bad replay line says what is wrong. */
#ifndef WB_FEEDS_FIELDS_H
#define WB_FEEDS_FIELDS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* `where` names the object in errors ("clinic", "totals"); NULL or "" for the message itself.
 * All return 0, or -1 with err filled. */
int field_object(const json_t *obj, const char *where, const char *key, json_t **out,
                 char *err, size_t err_size);
int field_array(const json_t *obj, const char *where, const char *key, json_t **out,
                char *err, size_t err_size);
/* A string; non-empty when `nonempty`. */
int field_string(const json_t *obj, const char *where, const char *key, int nonempty,
                 const char **out, char *err, size_t err_size);
/* An integer >= 0. */
int field_count(const json_t *obj, const char *where, const char *key, int64_t *out,
                char *err, size_t err_size);
/* Yuan as a JSON number >= 0, returned in fen (rounded to the nearest fen). */
int field_fen(const json_t *obj, const char *where, const char *key, int64_t *out,
              char *err, size_t err_size);

/* For a message a path does not send: fills err with 'PATH sends ACCEPTED messages, not
 * "TYPE"' and returns -1. */
int field_wrong_type(const json_t *msg, const char *path, const char *accepted, char *err,
                     size_t err_size);

/* Fen as the JSON number in yuan that the feeds send (2 decimals at most). */
json_t *fen_json(int64_t fen);

#endif
