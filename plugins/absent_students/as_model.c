/* as_model.c: the /attendance messages read into a bounded table of schools and the totals.
 * It must never change the state before the whole message is checked, nor call the host. */
#include "as_model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The feed's key of each counter. */
static const char *const as_counter_keys[AS_COUNTERS] = {
    "enrolled", "left_behind", "absent", "absent_left_behind", "late", "parents_notified",
};

#define SNAPSHOT_TYPE "attendance.snapshot"
#define UPDATE_TYPE "attendance.update"

/* A school as read from a message: the strings are borrowed from it for the call. */
typedef struct school_in {
    const char *id, *name, *romanized;
    int64_t v[AS_COUNTERS];
} school_in;

/* ---- reading and checking ----------------------------------------------------------------- */

static int refuse(char *why, size_t why_size, const char *fmt, ...) WB_PRINTF(3, 4);

/* Writes the reason (when asked for) and returns -1. */
static int refuse(char *why, size_t why_size, const char *fmt, ...)
{
    if (why && why_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_size, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* A count: a whole number 0..1e15. 12.0 is taken (some encoders write every number so). */
static int read_count(const json_t *object, const char *key, const char *where, int64_t *out,
                      char *why, size_t why_size)
{
    const json_t *j = json_object_get(object, key);
    if (!j) return refuse(why, why_size, "%s \"%s\" is missing", where, key);
    double d = json_is_integer(j) ? (double)json_integer_value(j)
               : json_is_real(j)  ? json_real_value(j)
                                  : NAN;
    if (!isfinite(d) || d < 0 || d > AS_MAX_COUNT || d != floor(d))
        return refuse(why, why_size, "%s \"%s\" must be a whole number 0..1e15", where, key);
    *out = (int64_t)d;
    return 0;
}

/* A string of 1..AS_MAX_TEXT bytes. An optional one may be absent, null or "" (*out = NULL). */
static int read_text(const json_t *object, const char *key, int required, const char *where,
                     const char **out, char *why, size_t why_size)
{
    const json_t *j = json_object_get(object, key);
    *out = NULL;
    if (!required && (!j || json_is_null(j) || (json_is_string(j) && !json_string_length(j))))
        return 0;
    if (!j) return refuse(why, why_size, "%s \"%s\" is missing", where, key);
    size_t len = json_is_string(j) ? json_string_length(j) : 0;
    if (len == 0 || len > AS_MAX_TEXT)
        return refuse(why, why_size, "%s \"%s\" must be a string of 1..%d bytes", where, key,
                      AS_MAX_TEXT);
    /* an embedded NUL would make the C string say less than the feed did */
    if (strlen(json_string_value(j)) != len)
        return refuse(why, why_size, "%s \"%s\" must not contain NUL", where, key);
    *out = json_string_value(j);
    return 0;
}

static int read_counters(const json_t *object, const char *where, int64_t *v, char *why,
                         size_t why_size)
{
    for (int i = 0; i < AS_COUNTERS; i++)
        if (read_count(object, as_counter_keys[i], where, &v[i], why, why_size) != 0) return -1;
    return 0;
}

static int read_school(const json_t *j, school_in *s, char *why, size_t why_size)
{
    const char *county;
    if (!json_is_object(j)) return refuse(why, why_size, "a school must be an object");
    if (read_text(j, "id", 1, "school", &s->id, why, why_size) != 0 ||
        read_text(j, "name", 1, "school", &s->name, why, why_size) != 0 ||
        read_text(j, "romanized", 0, "school", &s->romanized, why, why_size) != 0 ||
        read_text(j, "county", 0, "school", &county, why, why_size) != 0)
        return -1;
    return read_counters(j, "school", s->v, why, why_size);
}

static int read_totals(const json_t *message, as_totals *t, char *why, size_t why_size)
{
    const json_t *j = json_object_get(message, "totals");
    if (!json_is_object(j)) return refuse(why, why_size, "\"totals\" must be an object");
    if (read_count(j, "schools", "totals", &t->schools, why, why_size) != 0) return -1;
    return read_counters(j, "totals", t->v, why, why_size);
}

static int is_date(const char *s)
{
    if (strlen(s) != 10) return 0;
    for (int i = 0; i < 10; i++) {
        int dash = i == 4 || i == 7;
        if (dash ? s[i] != '-' : (s[i] < '0' || s[i] > '9')) return 0;
    }
    return 1;
}

/* "date" as YYYY-MM-DD; an update may leave it out (*out = NULL). */
static int read_date(const json_t *message, int required, const char **out, char *why,
                     size_t why_size)
{
    const json_t *j = json_object_get(message, "date");
    *out = NULL;
    if (!j && !required) return 0;
    if (!json_is_string(j) || !is_date(json_string_value(j)))
        return refuse(why, why_size, "\"date\" must be a string \"YYYY-MM-DD\"");
    *out = json_string_value(j);
    return 0;
}

/* ---- the table ---------------------------------------------------------------------------- */

static void school_free(as_school *s)
{
    free(s->id);
    free(s->name);
    free(s->romanized);
    memset(s, 0, sizeof *s);
}

static as_school *find(as_school *table, int count, const char *id)
{
    for (int i = 0; i < count; i++)
        if (strcmp(table[i].id, id) == 0) return &table[i];
    return NULL;
}

/* The slot of the school set longest ago, freed and filled with the last one: the table stays
 * dense. Returns the (now empty) last slot. */
static as_school *evict_oldest(as_school *table, int *count)
{
    int oldest = 0;
    for (int i = 1; i < *count; i++)
        if (table[i].touched < table[oldest].touched) oldest = i;
    school_free(&table[oldest]);
    (*count)--;
    if (oldest != *count) table[oldest] = table[*count];
    memset(&table[*count], 0, sizeof table[*count]);
    return &table[*count];
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Owned copies of a school's strings, all or none. */
typedef struct school_strings {
    char *id, *name, *romanized;
} school_strings;

static int copy_strings(const school_in *in, school_strings *out)
{
    *out = (school_strings){strdup(in->id), strdup(in->name), dup_or_null(in->romanized)};
    if (out->id && out->name && (out->romanized || !in->romanized)) return 0;
    free(out->id);
    free(out->name);
    free(out->romanized);
    return -1;
}

/* Sets one school in `table`: replaces the one of the same id, or adds it (evicting the oldest
 * when full; counted in *evicted). A new school's row count-up continues from `carry` (the
 * school in the state being replaced) if there is one, else from 0. -1 only when out of
 * memory, with the table unchanged. */
static int put_school(as_model *m, as_school *table, int *count, const school_in *in,
                      const as_school *carry, uint64_t now_ms, int64_t *evicted)
{
    school_strings str;
    if (copy_strings(in, &str) != 0) return -1;
    as_school *s = find(table, *count, in->id);
    if (s) {
        free(s->id);
        free(s->name);
        free(s->romanized);
    } else {
        if (*count == AS_MAX_SCHOOLS) {
            evict_oldest(table, count);
            (*evicted)++;
        }
        s = &table[(*count)++];
        if (carry) {
            s->absent_anim = carry->absent_anim;
            s->lb_anim = carry->lb_anim;
        } else {
            wbkit_anim_init(&s->absent_anim, m->animate_ms);
            wbkit_anim_init(&s->lb_anim, m->animate_ms);
        }
    }
    s->id = str.id;
    s->name = str.name;
    s->romanized = str.romanized;
    memcpy(s->v, in->v, sizeof s->v);
    s->touched = m->next_touch++;
    wbkit_anim_set(&s->absent_anim, (double)in->v[AS_ABSENT], now_ms);
    wbkit_anim_set(&s->lb_anim, (double)in->v[AS_ABSENT_LB], now_ms);
    return 0;
}

static void set_date(as_model *m, const char *date)
{
    if (date) snprintf(m->date, sizeof m->date, "%s", date);
}

/* ---- messages ----------------------------------------------------------------------------- */

static as_result apply_update(as_model *m, const json_t *message, uint64_t now_ms, char *why,
                              size_t why_size)
{
    school_in in;
    as_totals totals;
    const char *date;
    if (read_school(json_object_get(message, "school"), &in, why, why_size) != 0 ||
        read_totals(message, &totals, why, why_size) != 0 ||
        read_date(message, 0, &date, why, why_size) != 0)
        return AS_INVALID;
    if (put_school(m, m->schools, &m->count, &in, NULL, now_ms, &m->evicted) != 0)
        return AS_NO_MEMORY;
    m->totals = totals;
    m->has_totals = 1;
    set_date(m, date);
    return AS_CHANGED;
}

static int read_schools(const json_t *list, school_in *in, char *why, size_t why_size)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        if (read_school(json_array_get(list, i), &in[i], why, why_size) != 0) {
            size_t used = strlen(why ? why : "");
            if (why && used < why_size)
                snprintf(why + used, why_size - used, " (schools[%zu])", i);
            return -1;
        }
    }
    return 0;
}

/* The new table from checked schools; the old one only lends its row count-ups. */
static as_result build_table(as_model *m, const school_in *in, size_t n, uint64_t now_ms,
                             as_school **out, int *out_count, int64_t *evicted)
{
    as_school *table = calloc(AS_MAX_SCHOOLS, sizeof *table);
    int count = 0;
    if (!table) return AS_NO_MEMORY;
    for (size_t i = 0; i < n; i++) {
        const as_school *carry = find(m->schools, m->count, in[i].id);
        if (put_school(m, table, &count, &in[i], carry, now_ms, evicted) != 0) {
            for (int k = 0; k < count; k++) school_free(&table[k]);
            free(table);
            return AS_NO_MEMORY;
        }
    }
    *out = table;
    *out_count = count;
    return AS_CHANGED;
}

static as_result apply_snapshot(as_model *m, const json_t *message, uint64_t now_ms, char *why,
                                size_t why_size)
{
    const json_t *list = json_object_get(message, "schools");
    as_totals totals;
    const char *date;
    if (!json_is_array(list)) {
        refuse(why, why_size, "\"schools\" must be an array");
        return AS_INVALID;
    }
    if (read_totals(message, &totals, why, why_size) != 0 ||
        read_date(message, 1, &date, why, why_size) != 0)
        return AS_INVALID;
    size_t n = json_array_size(list);
    school_in *in = calloc(n ? n : 1, sizeof *in);
    if (!in) return AS_NO_MEMORY;
    as_result rc = AS_INVALID;
    as_school *table = NULL;
    int count = 0;
    int64_t evicted = 0;
    if (read_schools(list, in, why, why_size) != 0) goto done;
    rc = build_table(m, in, n, now_ms, &table, &count, &evicted);
    if (rc != AS_CHANGED) goto done;

    for (int k = 0; k < m->count; k++) school_free(&m->schools[k]);
    free(m->schools);
    m->schools = table;
    m->count = count;
    m->evicted += evicted;
    m->totals = totals;
    m->has_totals = 1;
    set_date(m, date);
done:
    free(in);
    return rc;
}

as_result as_model_apply(as_model *m, const json_t *message, uint64_t now_ms, char *why,
                         size_t why_size)
{
    const char *type = json_string_value(json_object_get(message, "type"));
    if (why && why_size) why[0] = '\0';
    if (!type) return AS_IGNORED;
    if (strcmp(type, SNAPSHOT_TYPE) == 0)
        return apply_snapshot(m, message, now_ms, why, why_size);
    if (strcmp(type, UPDATE_TYPE) == 0) return apply_update(m, message, now_ms, why, why_size);
    return AS_IGNORED;
}

/* ---- life cycle, animation, ranking ------------------------------------------------------- */

int as_model_init(as_model *m, int animate_ms)
{
    *m = (as_model){.animate_ms = animate_ms};
    m->schools = calloc(AS_MAX_SCHOOLS, sizeof *m->schools);
    return m->schools ? 0 : -1;
}

void as_model_free(as_model *m)
{
    if (m->schools)
        for (int i = 0; i < m->count; i++) school_free(&m->schools[i]);
    free(m->schools);
    *m = (as_model){0};
}

int as_model_tick(as_model *m, uint64_t now_ms)
{
    int moved = 0;
    for (int i = 0; i < m->count; i++) {
        moved |= wbkit_anim_tick(&m->schools[i].absent_anim, now_ms);
        moved |= wbkit_anim_tick(&m->schools[i].lb_anim, now_ms);
    }
    return moved;
}

/* 1 if a ranks before b. */
static int ranks_before(const as_school *a, const as_school *b)
{
    if (a->v[AS_ABSENT] != b->v[AS_ABSENT]) return a->v[AS_ABSENT] > b->v[AS_ABSENT];
    if (a->v[AS_ABSENT_LB] != b->v[AS_ABSENT_LB]) return a->v[AS_ABSENT_LB] > b->v[AS_ABSENT_LB];
    return strcmp(a->id, b->id) < 0;
}

int as_model_top(const as_model *m, const as_school **out, int max)
{
    int n = 0;
    /* insertion into a short sorted list: max is at most a few rows */
    for (int i = 0; i < m->count; i++) {
        const as_school *s = &m->schools[i];
        if (s->v[AS_ABSENT] <= 0) continue;
        int at = n;
        while (at > 0 && ranks_before(s, out[at - 1])) at--;
        if (at >= max) continue;
        int last = n < max ? n : max - 1;
        memmove(&out[at + 1], &out[at], (size_t)(last - at) * sizeof *out);
        out[at] = s;
        if (n < max) n++;
    }
    return n;
}
