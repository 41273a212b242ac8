/* wbkit_options.c: option readers for plugins, each error a one-line reason for the error tile.
 * It must never call the host except through the services table it is given. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "wbkit.h"

int wbkit_option_error(char *err, size_t err_size, const char *name, const char *what)
{
    snprintf(err, err_size, "option \"%s\" must be %s", name, what);
    return -1;
}

int wbkit_read_int(const json_t *options, const char *name, int lo, int hi, int *out, char *err,
                   size_t err_size)
{
    const json_t *v = json_object_get(options, name);
    if (!v) return 0;
    char what[64];
    snprintf(what, sizeof what, "an integer %d..%d", lo, hi);
    if (!json_is_integer(v)) return wbkit_option_error(err, err_size, name, what);
    json_int_t n = json_integer_value(v);
    if (n < lo || n > hi) return wbkit_option_error(err, err_size, name, what);
    *out = (int)n;
    return 1;
}

int wbkit_read_bool(const json_t *options, const char *name, int *out, char *err,
                    size_t err_size)
{
    const json_t *v = json_object_get(options, name);
    if (!v) return 0;
    if (!json_is_boolean(v)) return wbkit_option_error(err, err_size, name, "true or false");
    *out = json_is_true(v);
    return 1;
}

int wbkit_is_json_pointer(const char *p)
{
    if (p[0] != '/') return 0;
    for (; *p; p++)
        if (*p == '~' && p[1] != '0' && p[1] != '1') return 0;
    return 1;
}

/* A string option that `valid` accepts (NULL: any), else `invalid` is the reason. The
 * caller's *out is replaced only by a good value. */
static int read_valid_string(const json_t *options, const char *name, int (*valid)(const char *),
                             const char *invalid, char **out, char *err, size_t err_size)
{
    const json_t *v = json_object_get(options, name);
    if (!v) return 0;
    if (!json_is_string(v)) return wbkit_option_error(err, err_size, name, "a string");
    const char *s = json_string_value(v);
    if (!*s) return 0;
    if (valid && !valid(s)) return wbkit_option_error(err, err_size, name, invalid);
    char *copy = strdup(s);
    if (!copy) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    free(*out);
    *out = copy;
    return 1;
}

int wbkit_read_string(const json_t *options, const char *name, char **out, char *err,
                      size_t err_size)
{
    return read_valid_string(options, name, NULL, NULL, out, err, err_size);
}

int wbkit_read_pointer(const json_t *options, const char *name, char **out, char *err,
                       size_t err_size)
{
    return read_valid_string(options, name, wbkit_is_json_pointer,
                             "a JSON pointer like \"/value\"", out, err, err_size);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = (char)tolower((unsigned char)c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

int wbkit_parse_color(const char *s, wb_color *out)
{
    if (strlen(s) != 7 || s[0] != '#') return -1;
    uint8_t channel[3];
    for (int i = 0; i < 3; i++) {
        int hi = hex_digit(s[1 + 2 * i]), lo = hex_digit(s[2 + 2 * i]);
        if (hi < 0 || lo < 0) return -1;
        channel[i] = (uint8_t)(hi * 16 + lo);
    }
    *out = (wb_color){channel[0], channel[1], channel[2], 255};
    return 0;
}

int wbkit_read_color(const json_t *options, const char *name, wb_color *out, char *err,
                     size_t err_size)
{
    const json_t *v = json_object_get(options, name);
    if (!v) return 0;
    if (!json_is_string(v) || wbkit_parse_color(json_string_value(v), out) != 0)
        return wbkit_option_error(err, err_size, name, "a colour \"#rrggbb\"");
    return 1;
}

static int read_limit(const json_t *thresholds, const char *option, const char *key, double *out,
                      char *err, size_t err_size)
{
    const json_t *v = json_object_get(thresholds, key);
    if (!v) return 0;
    if (!json_is_number(v) || !isfinite(json_number_value(v))) {
        snprintf(err, err_size, "option \"%s\": \"%s\" must be a number", option, key);
        return -1;
    }
    *out = json_number_value(v);
    return 0;
}

int wbkit_read_thresholds(const json_t *options, const char *name, wb_thresholds *out,
                          char *err, size_t err_size)
{
    *out = (wb_thresholds){NAN, NAN, 0};
    const json_t *t = json_object_get(options, name);
    if (!t) return 0;
    if (!json_is_object(t))
        return wbkit_option_error(err, err_size, name,
                                  "an object like {\"warn\": 80, \"alarm\": 95, \"below\": false}");
    if (read_limit(t, name, "warn", &out->warn, err, err_size) != 0) return -1;
    if (read_limit(t, name, "alarm", &out->alarm, err, err_size) != 0) return -1;
    const json_t *below = json_object_get(t, "below");
    if (below && !json_is_boolean(below)) {
        snprintf(err, err_size, "option \"%s\": \"below\" must be true or false", name);
        return -1;
    }
    out->below = below && json_is_true(below);
    return !isnan(out->warn) || !isnan(out->alarm);
}

void wbkit_warn_unknown_keys(const wb_host_services *svc, wb_host *host, const char *plugin,
                             const json_t *object, const char *const *known, const char *where)
{
    const char *key;
    json_t *value;
    if (!json_is_object(object)) return;
    /* jansson's iteration API takes a non-const object but does not modify it */
    json_object_foreach((json_t *)object, key, value) {
        int found = 0;
        for (const char *const *k = known; *k && !found; k++) found = strcmp(key, *k) == 0;
        if (!found)
            svc->log(host, WB_LOG_WARN, "%s: unknown %s \"%s\" ignored", plugin, where, key);
    }
}

void wbkit_warn_unknown_threshold_keys(const wb_host_services *svc, wb_host *host,
                                       const char *plugin, const json_t *thresholds)
{
    static const char *const known[] = {"warn", "alarm", "below", NULL};
    wbkit_warn_unknown_keys(svc, host, plugin, thresholds, known, "threshold");
}
