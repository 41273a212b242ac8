/* absent_students.c: the /attendance tile's options, messages, count-ups, report and entry.
 * It must never call the host but through its services table, nor keep a message it was lent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "absent_students.h"

#define AS_VERSION "1.0.0"

/* ---- options ------------------------------------------------------------------------------ */

/* A typo in a wall's config should be seen, but not take the tile down. */
static void warn_unknown_options(const absent_students *a, const json_t *options)
{
    static const char *const known[] = {"top", "thresholds", "late_thresholds", "animate_ms",
                                        NULL};
    wbkit_warn_unknown_keys(a->svc, a->host, AS_PLUGIN_NAME, options, known, "option");
    wbkit_warn_unknown_threshold_keys(a->svc, a->host, AS_PLUGIN_NAME,
                                      json_object_get(options, "thresholds"));
    wbkit_warn_unknown_threshold_keys(a->svc, a->host, AS_PLUGIN_NAME,
                                      json_object_get(options, "late_thresholds"));
}

static int read_options(absent_students *a, const json_t *options, int *animate_ms, char *err,
                        size_t err_size)
{
    if (!json_is_object(options)) {
        snprintf(err, err_size, "options must be an object");
        return -1;
    }
    if (wbkit_read_int(options, "top", 1, AS_MAX_TOP, &a->top, err, err_size) < 0) return -1;
    if (wbkit_read_int(options, "animate_ms", 0, AS_MAX_ANIMATE_MS, animate_ms, err, err_size) < 0)
        return -1;
    a->has_thresholds = wbkit_read_thresholds(options, "thresholds", &a->thresholds, err,
                                              err_size);
    if (a->has_thresholds < 0) return -1;
    a->has_late_thresholds = wbkit_read_thresholds(options, "late_thresholds",
                                                   &a->late_thresholds, err, err_size);
    if (a->has_late_thresholds < 0) return -1;
    warn_unknown_options(a, options);
    return 0;
}

/* ---- life cycle --------------------------------------------------------------------------- */

static void as_destroy(void *self)
{
    absent_students *a = self;
    if (!a) return;
    wbkit_title_free(&a->title);
    as_model_free(&a->model);
    free(a);
}

static void *as_create(const wb_tile_info *tile, char *err, size_t err_size)
{
    /* every service this plugin calls exists since 1.0 */
    if (wbkit_check_services(tile, AS_PLUGIN_NAME, err, err_size) != 0) return NULL;
    absent_students *a = calloc(1, sizeof *a);
    if (!a) goto out_of_memory;
    a->svc = tile->services;
    a->host = tile->host;
    a->top = AS_DEFAULT_TOP;
    int animate_ms = AS_DEFAULT_ANIMATE_MS;
    if (read_options(a, tile->options, &animate_ms, err, err_size) != 0) goto fail;

    wbkit_anim_init(&a->big.anim, animate_ms);
    wbkit_anim_init(&a->late.anim, animate_ms);
    wbkit_anim_init(&a->notified.anim, animate_ms);
    if (wbkit_title_init(&a->title, tile->title) != 0) goto out_of_memory;
    if (as_model_init(&a->model, animate_ms) != 0) goto out_of_memory;
    /* dashes, so a report before the first frame reads right */
    as_number_text(a, &a->big, a->big.text, sizeof a->big.text);
    as_number_text(a, &a->late, a->late.text, sizeof a->late.text);
    as_number_text(a, &a->notified, a->notified.text, sizeof a->notified.text);
    return a; /* owned by the host until as_destroy */

out_of_memory:
    snprintf(err, err_size, AS_PLUGIN_NAME ": out of memory");
fail:
    as_destroy(a);
    return NULL;
}

/* ---- messages and count-ups --------------------------------------------------------------- */

static int as_on_message(void *self, const struct json_t *message)
{
    absent_students *a = self;
    uint64_t now = a->svc->now_ms(a->host);
    char why[256];
    switch (as_model_apply(&a->model, message, now, why, sizeof why)) {
    case AS_IGNORED:
        return WB_MSG_IGNORED;
    case AS_INVALID:
        a->svc->log(a->host, WB_LOG_WARN, AS_PLUGIN_NAME ": message refused: %s", why);
        return WB_MSG_INVALID;
    case AS_NO_MEMORY:
        a->svc->log(a->host, WB_LOG_ERROR, AS_PLUGIN_NAME ": out of memory; message dropped");
        return WB_MSG_IGNORED;
    case AS_CHANGED:
        break;
    }
    const int64_t *t = a->model.totals.v;
    /* a repeated total leaves a running count-up alone (the kit's rule) */
    wbkit_anim_set(&a->big.anim, (double)t[AS_ABSENT_LB], now);
    wbkit_anim_set(&a->late.anim, (double)t[AS_LATE], now);
    wbkit_anim_set(&a->notified.anim, (double)t[AS_NOTIFIED], now);
    return WB_MSG_CHANGED;
}

/* 1 on every tick that moved a number, including the one landing it, so it is drawn. */
static int as_tick(void *self, uint64_t now_ms)
{
    absent_students *a = self;
    int moved = wbkit_anim_tick(&a->big.anim, now_ms);
    moved |= wbkit_anim_tick(&a->late.anim, now_ms);
    moved |= wbkit_anim_tick(&a->notified.anim, now_ms);
    moved |= as_model_tick(&a->model, now_ms);
    return moved;
}

void as_number_text(const absent_students *a, const as_number *n, char *buf, size_t size)
{
    if (n->anim.has_value)
        wbkit_led_text(a->svc, n->anim.shown, 0, AS_LED_DIGITS, buf, size);
    else
        wbkit_led_dashes(4, buf, size);
}

static wb_level level_of(const absent_students *a, const as_number *n, int has,
                         const wb_thresholds *t)
{
    /* the value received, not the count-up on its way: an alarm shows at once */
    if (!has || !n->anim.has_value) return WB_LEVEL_NORMAL;
    return a->svc->threshold_level(n->anim.target, t);
}

wb_level as_big_level(const absent_students *a)
{
    return level_of(a, &a->big, a->has_thresholds, &a->thresholds);
}

wb_level as_late_level(const absent_students *a)
{
    return level_of(a, &a->late, a->has_late_thresholds, &a->late_thresholds);
}

/* ---- report ------------------------------------------------------------------------------- */

/* A total, or null before the first message. */
static json_t *total_json(const absent_students *a, int64_t value)
{
    return a->model.has_totals ? json_integer((json_int_t)value) : json_null();
}

static json_t *top_json(const absent_students *a)
{
    const as_school *top[AS_MAX_TOP];
    int n = as_model_top(&a->model, top, a->top);
    json_t *list = json_array();
    for (int i = 0; list && i < n; i++) {
        json_t *row = json_pack("{s:s, s:s, s:I, s:I}", "id", top[i]->id, "name", top[i]->name,
                                "absent", (json_int_t)top[i]->v[AS_ABSENT],
                                "absent_left_behind", (json_int_t)top[i]->v[AS_ABSENT_LB]);
        if (json_array_append_new(list, row) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

static json_t *shown_json(const absent_students *a)
{
    return json_pack("{s:s, s:s, s:s}", "absent_left_behind", a->big.text, "late", a->late.text,
                     "parents_notified", a->notified.text);
}

static int as_report(void *self, struct json_t *out)
{
    absent_students *a = self;
    const as_totals *t = &a->model.totals;
    int rc = 0;
    rc |= json_object_set_new(out, "absent_left_behind", total_json(a, t->v[AS_ABSENT_LB]));
    rc |= json_object_set_new(out, "absent", total_json(a, t->v[AS_ABSENT]));
    rc |= json_object_set_new(out, "late", total_json(a, t->v[AS_LATE]));
    rc |= json_object_set_new(out, "parents_notified", total_json(a, t->v[AS_NOTIFIED]));
    rc |= json_object_set_new(out, "schools", total_json(a, t->schools));
    rc |= json_object_set_new(out, "enrolled", total_json(a, t->v[AS_ENROLLED]));
    rc |= json_object_set_new(out, "left_behind", total_json(a, t->v[AS_LEFT_BEHIND]));
    rc |= json_object_set_new(out, "date", json_string(a->model.date));
    rc |= json_object_set_new(out, "top", top_json(a));
    rc |= json_object_set_new(out, "level", json_string(wbkit_level_name(as_big_level(a))));
    rc |= json_object_set_new(out, "late_level", json_string(wbkit_level_name(as_late_level(a))));
    rc |= json_object_set_new(out, "shown", shown_json(a));
    rc |= json_object_set_new(out, "rows", json_integer(a->rows_drawn));
    rc |= json_object_set_new(out, "kept", json_integer(a->model.count));
    rc |= json_object_set_new(out, "evicted", json_integer((json_int_t)a->model.evicted));
    rc |= json_object_set_new(out, "title", json_string(a->title.text ? a->title.text : ""));
    rc |= json_object_set_new(out, "overflow", json_boolean(a->overflow));
    return rc ? -1 : 0;
}

/* ---- entry -------------------------------------------------------------------------------- */

static void as_render_cb(void *self, wb_rect rect)
{
    as_render(self, rect);
}

static const wb_plugin_descriptor as_descriptor = {
    WB_PLUGIN_DESCRIPTOR_INIT_HEADER,
    .name = AS_PLUGIN_NAME,
    .version = AS_VERSION,
    .description = "Absent left-behind children today as a big LED number, late, parents "
                   "notified and the schools with most absences (/attendance)",
    .create = as_create,
    .destroy = as_destroy,
    .on_message = as_on_message,
    .render = as_render_cb,
    .tick = as_tick,
    .report = as_report,
};

WB_PLUGIN_EXPORT const wb_plugin_descriptor *wallboard_plugin_entry(void)
{
    return &as_descriptor;
}
