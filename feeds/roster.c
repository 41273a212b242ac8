/* roster.c: published places and totals for /clinics and /attendance: update bodies, snapshot
 * parts, and applying messages. Must never change state from a message it has not fully checked. */
#include "roster.h"
#include "fields.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *string_member(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

place_names roster_names(const roster_place *p)
{
    return (place_names){ string_member(p->obj, "id"), string_member(p->obj, "name"),
                          string_member(p->obj, "romanized"), string_member(p->obj, "county") };
}

void roster_init(roster *r, const roster_spec *spec)
{
    *r = (roster){ .spec = spec };
}

static void release_places(roster_place *places, size_t count)
{
    for (size_t i = 0; i < count; i++) json_decref(places[i].obj);
    free(places);
}

void roster_free(roster *r)
{
    release_places(r->places, r->count);
    roster_init(r, r->spec);
}

const roster_place *roster_find(const roster *r, const char *id)
{
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(string_member(r->places[i].obj, "id"), id) == 0)
            return &r->places[i];
    return NULL;
}

static json_t *place_json(const roster_spec *s, const place_names *n, const int64_t *v)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "id", n->id, "name", n->name,
                          "romanized", n->romanized, "county", n->county);
    for (size_t i = 0; o && i < s->counter_count; i++) {
        if (json_object_set_new(o, s->counters[i], json_integer((json_int_t)v[i]))) {
            json_decref(o);
            o = NULL;
        }
    }
    return o;
}

static json_t *totals_json(const roster_spec *s, const int64_t *t)
{
    json_t *o = json_object();
    if (o && json_object_set_new(o, s->count_key, json_integer((json_int_t)t[0]))) {
        json_decref(o);
        return NULL;
    }
    for (size_t i = 0; o && i < s->counter_count; i++) {
        if (json_object_set_new(o, s->counters[i], json_integer((json_int_t)t[1 + i]))) {
            json_decref(o);
            o = NULL;
        }
    }
    return o;
}

json_t *roster_update(const roster *r, const place_names *names, const int64_t *v)
{
    const roster_spec *s = r->spec;
    int64_t t[1 + ROSTER_MAX_COUNTERS];
    memcpy(t, r->totals, sizeof t);
    const roster_place *old = roster_find(r, names->id);
    if (!old) t[0]++;
    for (size_t i = 0; i < s->counter_count; i++) t[1 + i] += v[i] - (old ? old->v[i] : 0);
    /* "o" steals both references, also when packing fails. */
    return json_pack("{s:s, s:o, s:o}", "type", s->update_type, s->place_key,
                     place_json(s, names, v), "totals", totals_json(s, t));
}

int roster_reset_next(const roster *r, size_t *cursor, unsigned daily_mask, json_t **event)
{
    for (; *cursor < r->count; (*cursor)++) {
        const roster_place *p = &r->places[*cursor];
        int64_t v[ROSTER_MAX_COUNTERS];
        int changed = 0;
        for (size_t i = 0; i < r->spec->counter_count; i++) {
            int daily = (daily_mask >> i) & 1u;
            changed |= daily && p->v[i] != 0;
            v[i] = daily ? 0 : p->v[i];
        }
        if (!changed) continue; /* an update that changes nothing is noise on the wall */
        place_names names = roster_names(p);
        (*cursor)++;
        *event = roster_update(r, &names, v);
        return *event ? 1 : -1;
    }
    return 0;
}

json_t *roster_places_json(const roster *r)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < r->count; i++) {
        if (json_array_append(list, r->places[i].obj)) {
            json_decref(list);
            list = NULL;
        }
    }
    return list;
}

json_t *roster_totals_json(const roster *r)
{
    return totals_json(r->spec, r->totals);
}

static int parse_place(const roster_spec *s, const json_t *obj, const char *where, int64_t *v,
                       const char **id, char *err, size_t err_size)
{
    const char *ignored;
    if (!json_is_object(obj)) {
        snprintf(err, err_size, "%s: expected an object", where);
        return -1;
    }
    if (field_string(obj, where, "id", 1, id, err, err_size) ||
        field_string(obj, where, "name", 0, &ignored, err, err_size) ||
        field_string(obj, where, "romanized", 0, &ignored, err, err_size) ||
        field_string(obj, where, "county", 0, &ignored, err, err_size))
        return -1;
    for (size_t i = 0; i < s->counter_count; i++)
        if (field_count(obj, where, s->counters[i], &v[i], err, err_size)) return -1;
    return 0;
}

static int parse_totals(const roster_spec *s, const json_t *msg, int64_t *t, char *err,
                        size_t err_size)
{
    json_t *obj;
    if (field_object(msg, NULL, "totals", &obj, err, err_size) ||
        field_count(obj, "totals", s->count_key, &t[0], err, err_size))
        return -1;
    for (size_t i = 0; i < s->counter_count; i++)
        if (field_count(obj, "totals", s->counters[i], &t[1 + i], err, err_size)) return -1;
    return 0;
}

static int apply_update(roster *r, const json_t *msg, char *err, size_t err_size)
{
    const roster_spec *s = r->spec;
    json_t *obj;
    int64_t v[ROSTER_MAX_COUNTERS], t[1 + ROSTER_MAX_COUNTERS];
    const char *id;
    if (field_object(msg, NULL, s->place_key, &obj, err, err_size) ||
        parse_place(s, obj, s->place_key, v, &id, err, err_size) ||
        parse_totals(s, msg, t, err, err_size))
        return -1;

    roster_place *p = (roster_place *)roster_find(r, id);
    if (!p) {
        if (r->count == ROSTER_MAX_PLACES) {
            snprintf(err, err_size, "more than %d %s", ROSTER_MAX_PLACES, s->list_key);
            return -1;
        }
        if (r->count == r->capacity) {
            size_t cap = r->capacity ? 2 * r->capacity : 32;
            roster_place *grown = realloc(r->places, cap * sizeof *grown);
            if (!grown) {
                snprintf(err, err_size, "out of memory");
                return -1;
            }
            r->places = grown;
            r->capacity = cap;
        }
        p = &r->places[r->count++];
        p->obj = NULL;
    }
    json_decref(p->obj);
    p->obj = json_incref(obj);
    memcpy(p->v, v, sizeof v);
    memcpy(r->totals, t, sizeof t);
    return 0;
}

static int apply_snapshot(roster *r, const json_t *msg, char *err, size_t err_size)
{
    const roster_spec *s = r->spec;
    json_t *list;
    int64_t t[1 + ROSTER_MAX_COUNTERS];
    if (field_array(msg, NULL, s->list_key, &list, err, err_size) ||
        parse_totals(s, msg, t, err, err_size))
        return -1;
    size_t n = json_array_size(list);
    if (n > ROSTER_MAX_PLACES) {
        snprintf(err, err_size, "%s: more than %d", s->list_key, ROSTER_MAX_PLACES);
        return -1;
    }
    roster_place *places = calloc(n ? n : 1, sizeof *places);
    if (!places) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char where[64];
        const char *id;
        json_t *obj = json_array_get(list, i);
        snprintf(where, sizeof where, "%s[%zu]", s->list_key, i);
        if (parse_place(s, obj, where, places[i].v, &id, err, err_size)) goto fail;
        for (size_t j = 0; j < i; j++) {
            if (strcmp(string_member(places[j].obj, "id"), id) == 0) {
                snprintf(err, err_size, "%s.id: \"%s\" is listed twice", where, id);
                goto fail;
            }
        }
        places[i].obj = json_incref(obj);
    }
    release_places(r->places, r->count);
    r->places = places;
    r->count = r->capacity = n;
    if (n == 0) r->capacity = 1;
    memcpy(r->totals, t, sizeof t);
    return 0;

fail:
    release_places(places, n);
    return -1;
}

int roster_apply(roster *r, const json_t *msg, char *err, size_t err_size)
{
    const roster_spec *s = r->spec;
    const char *type = json_string_value(json_object_get(msg, "type"));
    if (type && strcmp(type, s->update_type) == 0) return apply_update(r, msg, err, err_size);
    if (type && strcmp(type, s->snapshot_type) == 0) return apply_snapshot(r, msg, err, err_size);
    char accepted[128];
    snprintf(accepted, sizeof accepted, "\"%s\" and \"%s\"", s->update_type, s->snapshot_type);
    return field_wrong_type(msg, s->path, accepted, err, err_size);
}
