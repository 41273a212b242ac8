/* tp_reload.c: the hot-reload test plugin, built twice (TPR_BUILD "A" and "B", each as
 * tp_reload.so in a folder of its own) so a test can replace one by the other under the wall.
 * It must never be installed or shipped. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <wallboard/plugin.h>

#ifndef TPR_BUILD
#error "TPR_BUILD must be set by the build"
#endif

/* Knobs: TPR_BUILD names the build ("A", "B"): reported as "build" and painted in its own
 * colour (A blue, B green) so a screenshot shows which code draws; TPR_NO_SAVE leaves out
 * save/restore (a plugin that keeps nothing across a reload). */
typedef struct tpr {
    long messages;     /* messages taken, by this instance and those it was restored from */
    double value;      /* the last "value" */
    int restored;      /* restore() was called and accepted */
    const wb_host_services *svc;
    wb_host *host;
} tpr;

static void *tpr_create(const wb_tile_info *tile, char *err, size_t err_size)
{
    tpr *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    t->svc = tile->services;
    t->host = tile->host;
    return t;
}

static void tpr_destroy(void *self)
{
    free(self);
}

static int tpr_on_message(void *self, const json_t *message)
{
    tpr *t = self;
    const json_t *v = json_object_get(message, "value");
    if (v && !json_is_number(v)) return WB_MSG_INVALID;
    t->messages++;
    if (v) t->value = json_number_value(v);
    return WB_MSG_CHANGED;
}

static void tpr_render(void *self, wb_rect rect)
{
    tpr *t = self;
    static const wb_color a = {0x20, 0x40, 0xff, 0xff}, b = {0x20, 0xe0, 0x40, 0xff};
    wb_rect inner = {rect.x + rect.w / 8, rect.y + rect.h / 8, rect.w * 3 / 4, rect.h * 3 / 4};
    t->svc->fill_rect(t->host, inner, strcmp(TPR_BUILD, "A") == 0 ? a : b);
}

static int tpr_report(void *self, json_t *out)
{
    tpr *t = self;
    json_object_set_new(out, "build", json_string(TPR_BUILD));
    json_object_set_new(out, "messages", json_integer(t->messages));
    json_object_set_new(out, "value", json_real(t->value));
    json_object_set_new(out, "restored", json_boolean(t->restored));
    return 0;
}

#ifndef TPR_NO_SAVE
static json_t *tpr_save(void *self)
{
    tpr *t = self;
    return json_pack("{s:I, s:f, s:s}", "messages", (json_int_t)t->messages, "value", t->value,
                     "build", TPR_BUILD);
}

static int tpr_restore(void *self, const json_t *saved)
{
    tpr *t = self;
    const json_t *m = json_object_get(saved, "messages");
    const json_t *v = json_object_get(saved, "value");
    if (!json_is_integer(m) || !json_is_number(v)) return -1;
    t->messages = (long)json_integer_value(m);
    t->value = json_number_value(v);
    t->restored = 1;
    return 0;
}
#endif

static const wb_plugin_descriptor descriptor = {
    WB_PLUGIN_DESCRIPTOR_INIT_HEADER,
    .name = "tp_reload",
    .version = "1.0.0",
    .description = "hot reload test plugin build " TPR_BUILD,
    .create = tpr_create,
    .destroy = tpr_destroy,
    .on_message = tpr_on_message,
    .render = tpr_render,
    .report = tpr_report,
#ifndef TPR_NO_SAVE
    .save = tpr_save,
    .restore = tpr_restore,
#endif
};

WB_PLUGIN_EXPORT const wb_plugin_descriptor *wallboard_plugin_entry(void)
{
    return &descriptor;
}
