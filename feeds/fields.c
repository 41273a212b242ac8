/* fields.c: checked reads of message fields with errors that name the field.
 * Must never accept a value of the wrong JSON type silently (3.0 is not a count, "5" is not a number). */
#include "fields.h"

#include <math.h>
#include <stdio.h>

#define MAX_FEN 1e15 /* ten trillion yuan: beyond that a value is garbage, not a trade */

static void field_error(const char *where, const char *key, const char *expected, char *err,
                        size_t err_size)
{
    if (where && where[0])
        snprintf(err, err_size, "%s.%s: expected %s", where, key, expected);
    else
        snprintf(err, err_size, "\"%s\": expected %s", key, expected);
}

static json_t *member(const json_t *obj, const char *where, const char *key, const char *expected,
                      char *err, size_t err_size)
{
    json_t *v = json_object_get(obj, key);
    if (!v) field_error(where, key, expected, err, err_size);
    return v;
}

static int typed_member(const json_t *obj, const char *where, const char *key, json_type type,
                        const char *expected, json_t **out, char *err, size_t err_size)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_typeof(v) != type) {
        field_error(where, key, expected, err, err_size);
        return -1;
    }
    *out = v;
    return 0;
}

int field_object(const json_t *obj, const char *where, const char *key, json_t **out,
                 char *err, size_t err_size)
{
    return typed_member(obj, where, key, JSON_OBJECT, "an object", out, err, err_size);
}

int field_array(const json_t *obj, const char *where, const char *key, json_t **out,
                char *err, size_t err_size)
{
    return typed_member(obj, where, key, JSON_ARRAY, "an array", out, err, err_size);
}

int field_string(const json_t *obj, const char *where, const char *key, int nonempty,
                 const char **out, char *err, size_t err_size)
{
    const char *expected = nonempty ? "a non-empty string" : "a string";
    json_t *v = member(obj, where, key, expected, err, err_size);
    if (!v) return -1;
    const char *s = json_string_value(v);
    if (!s || (nonempty && !s[0])) {
        field_error(where, key, expected, err, err_size);
        return -1;
    }
    *out = s;
    return 0;
}

int field_count(const json_t *obj, const char *where, const char *key, int64_t *out,
                char *err, size_t err_size)
{
    json_t *v = member(obj, where, key, "an integer >= 0", err, err_size);
    if (!v) return -1;
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        field_error(where, key, "an integer >= 0", err, err_size);
        return -1;
    }
    *out = (int64_t)json_integer_value(v);
    return 0;
}

int field_fen(const json_t *obj, const char *where, const char *key, int64_t *out,
              char *err, size_t err_size)
{
    json_t *v = member(obj, where, key, "a number of yuan >= 0", err, err_size);
    if (!v) return -1;
    double yuan = json_number_value(v);
    if (!json_is_number(v) || !(yuan >= 0) || yuan * 100 > MAX_FEN) {
        field_error(where, key, "a number of yuan >= 0", err, err_size);
        return -1;
    }
    *out = (int64_t)llround(yuan * 100);
    return 0;
}

int field_wrong_type(const json_t *msg, const char *path, const char *accepted, char *err,
                     size_t err_size)
{
    const char *type = json_string_value(json_object_get(msg, "type"));
    if (type)
        snprintf(err, err_size, "%s sends %s messages, not \"%s\"", path, accepted, type);
    else
        snprintf(err, err_size, "%s sends %s messages, not one without a string \"type\"",
                 path, accepted);
    return -1;
}

json_t *fen_json(int64_t fen)
{
    return json_real((double)fen / 100.0);
}
