/* tp_plugin.c: one tiny plugin compiled into several purpose-built good and broken variants
 * (see CMakeLists.txt) for the loader tests. It must never be installed or shipped. */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>
#include <wallboard/plugin.h>

/* Knobs, set per variant with compile definitions:
 *   TP_NAME          the file name without ".so" (always set by the build)
 *   TP_DECLARED_NAME the descriptor's name, if it must differ from TP_NAME
 *   TP_ABI_MAJOR     the descriptor's ABI major (default WB_ABI_MAJOR)
 *   TP_ABI_MINOR     the descriptor's ABI minor (default WB_ABI_MINOR)
 *   TP_SIZE          the descriptor's size (default sizeof, the correct value)
 *   TP_CREATE_FAILS  create() refuses with "sensor array offline"
 *   TP_NO_RENDER     no render callback (a required one)
 *   TP_NO_ENTRY      export a differently named symbol instead of the entry
 *   TP_NULL_ENTRY    the entry returns NULL
 *   TP_FRAME_EVERY_MS each render asks for the next frame that many ms later
 *                    (request_frame_at); the report counts renders */
#ifndef TP_NAME
#error "TP_NAME must be set by the build"
#endif
#ifndef TP_DECLARED_NAME
#define TP_DECLARED_NAME TP_NAME
#endif
#ifndef TP_ABI_MAJOR
#define TP_ABI_MAJOR WB_ABI_MAJOR
#endif
#ifndef TP_ABI_MINOR
#define TP_ABI_MINOR WB_ABI_MINOR
#endif
#ifndef TP_SIZE
#define TP_SIZE sizeof(wb_plugin_descriptor)
#endif

typedef struct tp_instance {
    int messages; /* so a test can see its calls arrive */
    int renders;
    const wb_host_services *svc;
    wb_host *host;
} tp_instance;

/* Keeps only what the render counter needs: the instance proves create/destroy pair up. */
static void *tp_create(const wb_tile_info *tile, char *err, size_t err_size)
{
    (void)tile;
#ifdef TP_CREATE_FAILS
    snprintf(err, err_size, "sensor array offline");
    return NULL;
#else
    (void)err;
    (void)err_size;
    tp_instance *t = calloc(1, sizeof(tp_instance)); /* owned by the host until destroy */
    if (t) {
        t->svc = tile->services;
        t->host = tile->host;
    }
    return t;
#endif
}

static void tp_destroy(void *self)
{
    free(self);
}

static int tp_on_message(void *self, const struct json_t *message)
{
    (void)message;
    ((tp_instance *)self)->messages++;
    return WB_MSG_CHANGED;
}

#ifndef TP_NO_RENDER
static void tp_render(void *self, wb_rect rect)
{
    tp_instance *t = self;
    (void)rect;
    t->renders++;
#ifdef TP_FRAME_EVERY_MS
    t->svc->request_frame_at(t->host, t->svc->now_ms(t->host) + TP_FRAME_EVERY_MS);
#endif
}
#endif

static int tp_tick(void *self, uint64_t now_ms)
{
    (void)self;
    (void)now_ms;
    return 0;
}

static int tp_report(void *self, struct json_t *out)
{
    tp_instance *t = self;
    if (json_object_set_new(out, "renders", json_integer(t->renders)) != 0) return -1;
    return json_object_set_new(out, "ok", json_true());
}

static const wb_plugin_descriptor descriptor = {
    .size = TP_SIZE,
    .abi_major = TP_ABI_MAJOR,
    .abi_minor = TP_ABI_MINOR,
    .name = TP_DECLARED_NAME,
    .version = "1.0.0",
    .description = "loader test plugin " TP_NAME,
    .create = tp_create,
    .destroy = tp_destroy,
    .on_message = tp_on_message,
#ifndef TP_NO_RENDER
    .render = tp_render,
#endif
    .tick = tp_tick,
    .report = tp_report,
};

#if defined(TP_NO_ENTRY)
/* Looks like an entry to a human, but is not the symbol the loader asks for. */
WB_PLUGIN_EXPORT const wb_plugin_descriptor *wallboard_plugin_main(void)
{
    return &descriptor;
}
#elif defined(TP_NULL_ENTRY)
WB_PLUGIN_EXPORT const wb_plugin_descriptor *wallboard_plugin_entry(void)
{
    (void)&descriptor; /* built but never handed out */
    return NULL;
}
#else
WB_PLUGIN_EXPORT const wb_plugin_descriptor *wallboard_plugin_entry(void)
{
    return &descriptor;
}
#endif
