/* tp_plugin.c: one tiny plugin compiled into several purpose-built good and broken variants
 * (see CMakeLists.txt) for the loader tests. It must never be installed or shipped. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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
 *                    (request_frame_at); the report counts renders
 *   TP_NO_DESTROY    no destroy callback (a required one)
 *   TP_CREATE_NULL_SILENT create() returns NULL and gives no reason
 *   TP_REPORT_FAILS  report() returns -1
 *   TP_RENDER_SLEEP_MS each render sleeps that long (a slow plugin)
 *   TP_CRASH_ON_MESSAGE a message with "crash": true makes on_message write to address 16
 *                    (SIGSEGV)
 *   TP_BAD_SERVICES  calls services wrongly: drawing outside render, NULL text and values, a
 *                    NULL host handle, a font role that does not exist, a NULL log format; and
 *                    on_message returns 42 */
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
#if defined(TP_CREATE_FAILS)
    snprintf(err, err_size, "sensor array offline");
    return NULL;
#elif defined(TP_CREATE_NULL_SILENT)
    (void)err;
    (void)err_size;
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

#ifndef TP_NO_DESTROY
static void tp_destroy(void *self)
{
    free(self);
}
#endif

static int tp_on_message(void *self, const struct json_t *message)
{
    tp_instance *t = self;
    (void)message;
    t->messages++;
#ifdef TP_CRASH_ON_MESSAGE
    if (json_is_true(json_object_get(message, "crash"))) {
        /* Not NULL itself: UBSan would catch a NULL store and abort, and the test wants the
         * SIGSEGV a real bug gives in every build. The first page is never mapped. */
        volatile uintptr_t where = 16;
        *(volatile int *)where = 1;
    }
#endif
#ifdef TP_BAD_SERVICES
    wb_rect box = {0, 0, 10, 10};
    t->svc->draw_text(t->host, WB_FONT_LABEL, 10, "outside render", box, WB_ALIGN_LEFT,
                      t->svc->color(t->host, WB_COLOR_TEXT));
    t->svc->fill_rect(t->host, box, t->svc->color(t->host, WB_COLOR_TEXT));
    return 42;
#else
    return WB_MSG_CHANGED;
#endif
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
#ifdef TP_RENDER_SLEEP_MS
    struct timespec nap = {TP_RENDER_SLEEP_MS / 1000, (TP_RENDER_SLEEP_MS % 1000) * 1000000L};
    while (nanosleep(&nap, &nap) != 0 && errno == EINTR) {
    }
#endif
#ifdef TP_BAD_SERVICES
    wb_color c = t->svc->color(t->host, WB_COLOR_TEXT);
    const char *volatile no_text = NULL; /* volatile: no compile-time warning, a run-time NULL */
    const double *volatile no_values = NULL;
    t->svc->draw_text(t->host, WB_FONT_LABEL, 10, no_text, rect, WB_ALIGN_LEFT, c);
    t->svc->draw_text(t->host, (wb_font_role)99, 10, "x", rect, WB_ALIGN_LEFT, c);
    t->svc->draw_led(t->host, no_text, rect, WB_ALIGN_LEFT, c, 1);
    t->svc->measure_text(t->host, WB_FONT_LABEL, 10, no_text, NULL, NULL);
    t->svc->draw_sparkline(t->host, rect, no_values, 5, c);
    t->svc->draw_text(NULL, WB_FONT_LABEL, 10, "x", rect, WB_ALIGN_LEFT, c);
    t->svc->request_frame(NULL);
    if (t->svc->font(t->host, (wb_font_role)7, 12) != NULL)
        t->svc->log(t->host, WB_LOG_ERROR, "font 7?");
    /* A NULL format on purpose: the host must count it, not pass it to vsnprintf. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-security"
    t->svc->log(t->host, WB_LOG_INFO, no_text);
#pragma GCC diagnostic pop
    /* and what a careful plugin draws, so the tile shows something of its own */
    t->svc->draw_text(t->host, WB_FONT_LABEL, 0, "still here", rect, WB_ALIGN_CENTER, c);
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
#ifdef TP_REPORT_FAILS
    (void)t;
    (void)out;
    return -1;
#else
    if (json_object_set_new(out, "renders", json_integer(t->renders)) != 0) return -1;
    if (json_object_set_new(out, "messages", json_integer(t->messages)) != 0) return -1;
    return json_object_set_new(out, "ok", json_true());
#endif
}

static const wb_plugin_descriptor descriptor = {
    .size = TP_SIZE,
    .abi_major = TP_ABI_MAJOR,
    .abi_minor = TP_ABI_MINOR,
    .name = TP_DECLARED_NAME,
    .version = "1.0.0",
    .description = "loader test plugin " TP_NAME,
    .create = tp_create,
#ifndef TP_NO_DESTROY
    .destroy = tp_destroy,
#endif
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
