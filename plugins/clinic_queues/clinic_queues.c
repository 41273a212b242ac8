/* clinic_queues.c: the /clinics tile: patients waiting as the big LED number, the longest queues,
 * scans pending, flagged prescriptions. Must never reach the host except through its services. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinic_queues.h"

#define CLINIC_QUEUES_VERSION "1.0.0"

/* Option limits (see README.md). */
#define DEFAULT_TOP 5
#define DEFAULT_SPARKLINE 120
#define MAX_SPARKLINE 1000
#define DEFAULT_SAMPLE_S 2
#define MAX_SAMPLE_S 3600
#define DEFAULT_ANIMATE_MS 600
#define MAX_ANIMATE_MS 60000

typedef struct clinic_queues {
    const wb_host_services *svc; /* borrowed from the host until destroy */
    wb_host *host;
    wbkit_title title;
    cq_model model;
    cq_series series;
    cq_view view;   /* what cq_draw needs; points into this struct */
    cq_drawn drawn; /* what the last render showed */
} clinic_queues;

typedef struct cq_options {
    int top, sparkline, sample_s, animate_ms;
    int has_thresholds, has_flagged_thresholds;
    wb_thresholds thresholds, flagged_thresholds;
} cq_options;

/* ---- options ------------------------------------------------------------------------------ */

/* A typo in a wall's config should be seen, but not take the tile down. */
static void warn_unknown_options(const wb_tile_info *tile)
{
    static const char *const names[] = {"top", "thresholds", "flagged_thresholds", "sparkline",
                                        "sample_s", "animate_ms", NULL};
    wbkit_warn_unknown_keys(tile->services, tile->host, "clinic_queues", tile->options, names,
                            "option");
    wbkit_warn_unknown_threshold_keys(tile->services, tile->host, "clinic_queues",
                                      json_object_get(tile->options, "thresholds"));
    wbkit_warn_unknown_threshold_keys(tile->services, tile->host, "clinic_queues",
                                      json_object_get(tile->options, "flagged_thresholds"));
}

static int read_options(const wb_tile_info *tile, cq_options *o, char *err, size_t err_size)
{
    const json_t *options = tile->options;
    *o = (cq_options){.top = DEFAULT_TOP, .sparkline = DEFAULT_SPARKLINE,
                      .sample_s = DEFAULT_SAMPLE_S, .animate_ms = DEFAULT_ANIMATE_MS};
    if (!json_is_object(options)) {
        snprintf(err, err_size, "options must be an object");
        return -1;
    }
    if (wbkit_read_int(options, "top", 1, CQ_MAX_TOP, &o->top, err, err_size) < 0 ||
        wbkit_read_int(options, "sparkline", 0, MAX_SPARKLINE, &o->sparkline, err, err_size) < 0 ||
        wbkit_read_int(options, "sample_s", 0, MAX_SAMPLE_S, &o->sample_s, err, err_size) < 0 ||
        wbkit_read_int(options, "animate_ms", 0, MAX_ANIMATE_MS, &o->animate_ms, err,
                       err_size) < 0)
        return -1;
    o->has_thresholds = wbkit_read_thresholds(options, "thresholds", &o->thresholds, err,
                                              err_size);
    if (o->has_thresholds < 0) return -1;
    o->has_flagged_thresholds = wbkit_read_thresholds(options, "flagged_thresholds",
                                                      &o->flagged_thresholds, err, err_size);
    if (o->has_flagged_thresholds < 0) return -1;
    warn_unknown_options(tile);
    return 0;
}

/* ---- life cycle --------------------------------------------------------------------------- */

static void cq_destroy(void *self)
{
    clinic_queues *c = self;
    if (!c) return;
    wbkit_title_free(&c->title);
    cq_model_free(&c->model);
    cq_series_free(&c->series);
    free(c);
}

static void *cq_create(const wb_tile_info *tile, char *err, size_t err_size)
{
    /* every service this plugin calls exists since 1.0 */
    if (wbkit_check_services(tile, "clinic_queues", err, err_size) != 0) return NULL;
    cq_options o;
    if (read_options(tile, &o, err, err_size) != 0) return NULL;
    clinic_queues *c = calloc(1, sizeof *c);
    if (!c) goto out_of_memory;
    c->svc = tile->services;
    c->host = tile->host;
    if (wbkit_title_init(&c->title, tile->title) != 0) goto out_of_memory;
    if (cq_model_init(&c->model, o.animate_ms) != 0) goto out_of_memory;
    if (cq_series_init(&c->series, o.sparkline, o.sample_s * 1000) != 0) goto out_of_memory;
    c->view = (cq_view){.svc = c->svc, .host = c->host, .title = &c->title, .model = &c->model,
                        .series = &c->series, .top = o.top, .has_thresholds = o.has_thresholds,
                        .has_flagged_thresholds = o.has_flagged_thresholds,
                        .thresholds = o.thresholds, .flagged_thresholds = o.flagged_thresholds};
    c->drawn.rows = -1;
    return c; /* owned by the host until cq_destroy */

out_of_memory:
    snprintf(err, err_size, "clinic_queues: out of memory");
    cq_destroy(c);
    return NULL;
}

/* ---- messages and animation --------------------------------------------------------------- */

static int cq_on_message(void *self, const struct json_t *message)
{
    clinic_queues *c = self;
    uint64_t now = c->svc->now_ms(c->host);
    int rc = cq_model_apply(&c->model, message, now);
    /* every accepted message is a sample, even with the same total: time goes on */
    if (rc == WB_MSG_CHANGED) cq_series_add(&c->series, c->model.totals[CQ_WAITING], now);
    return rc;
}

/* The ranked rows on screen: those of the last render, or the option before one. */
static int visible_rows(const clinic_queues *c)
{
    return c->drawn.rows >= 0 ? c->drawn.rows : c->view.top;
}

static int cq_tick(void *self, uint64_t now_ms)
{
    clinic_queues *c = self;
    return cq_model_tick(&c->model, now_ms, visible_rows(c));
}

static void cq_render(void *self, wb_rect rect)
{
    clinic_queues *c = self;
    cq_draw(&c->view, rect, &c->drawn);
}

/* ---- report ------------------------------------------------------------------------------- */

/* Counts are whole numbers below 1e15: JSON integers, so a feed's 42 reads back as 42. */
static json_t *count_json(const clinic_queues *c, int which)
{
    if (!c->model.has_totals) return json_null();
    return json_integer((json_int_t)c->model.totals[which]);
}

static json_t *top_json(const clinic_queues *c)
{
    json_t *top = json_array();
    int rows = visible_rows(c);
    if (rows > c->model.count) rows = c->model.count;
    for (int i = 0; top && i < rows; i++) {
        const cq_clinic *k = &c->model.clinics[c->model.ranked[i]];
        json_array_append_new(top, json_pack("{s:s, s:s, s:I}", "id", k->id, "name", k->name,
                                             "waiting", (json_int_t)k->waiting));
    }
    return top;
}

static int cq_report(void *self, struct json_t *out)
{
    static const struct {
        const char *key;
        int which;
    } counts[] = {{"waiting", CQ_WAITING}, {"scans_pending", CQ_SCANS},
                  {"prescriptions", CQ_PRESCRIPTIONS}, {"flagged", CQ_FLAGGED},
                  {"clinics", CQ_CLINICS}};
    clinic_queues *c = self;
    const cq_view *v = &c->view;
    int rc = 0;
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        rc |= json_object_set_new(out, counts[i].key, count_json(c, counts[i].which));
    rc |= json_object_set_new(out, "top", top_json(c));
    rc |= json_object_set_new(out, "level", json_string(wbkit_level_name(
        cq_level(v, c->model.totals[CQ_WAITING], v->has_thresholds, &v->thresholds))));
    rc |= json_object_set_new(out, "flagged_level", json_string(wbkit_level_name(
        cq_level(v, c->model.totals[CQ_FLAGGED], v->has_flagged_thresholds,
                 &v->flagged_thresholds))));
    int samples = 0;
    cq_series_values(&c->series, &samples);
    rc |= json_object_set_new(out, "samples", json_integer(samples));
    rc |= json_object_set_new(out, "tracked", json_integer(c->model.count));
    rc |= json_object_set_new(out, "evicted", json_integer((json_int_t)c->model.evicted));
    rc |= json_object_set_new(out, "title", json_string(c->title.text ? c->title.text : ""));
    rc |= json_object_set_new(out, "overflow", json_boolean(c->drawn.overflow));
    return rc ? -1 : 0;
}

/* ---- entry -------------------------------------------------------------------------------- */

static const wb_plugin_descriptor cq_descriptor = {
    WB_PLUGIN_DESCRIPTOR_INIT_HEADER,
    .name = "clinic_queues",
    .version = CLINIC_QUEUES_VERSION,
    .description = "Patients waiting at county clinics (/clinics): total, longest queues, scans "
                   "pending, flagged prescriptions",
    .create = cq_create,
    .destroy = cq_destroy,
    .on_message = cq_on_message,
    .render = cq_render,
    .tick = cq_tick,
    .report = cq_report,
};

WB_PLUGIN_EXPORT const wb_plugin_descriptor *wallboard_plugin_entry(void)
{
    return &cq_descriptor;
}
