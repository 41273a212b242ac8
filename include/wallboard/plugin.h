/* wallboard/plugin.h: the one public header a wallboard tile plugin is built against.
 * It is an ABI contract: structs only grow by appending members, and never change meaning. */
#ifndef WALLBOARD_PLUGIN_H
#define WALLBOARD_PLUGIN_H

/*
 * How a plugin works
 * ------------------
 * A plugin is a shared object (`NAME.so`) that exports one function, wallboard_plugin_entry(),
 * returning a pointer to a static wb_plugin_descriptor. Build it with -fvisibility=hidden and
 * mark the entry WB_PLUGIN_EXPORT so nothing else is exported. Never link against the host:
 * everything the host offers comes through the wb_host_services table handed to create().
 * Messages arrive as jansson json_t objects, so a plugin includes <jansson.h> and links
 * jansson (pkg-config jansson); drawing helpers need no SDL, but render may use the
 * SDL_Renderer from services->renderer() if the plugin links SDL2 itself.
 *
 * Threading: every callback of every plugin runs on the host's main thread, one at a time.
 * A plugin needs no locks and must not start threads that call the host services.
 *
 * Instances: the host calls create() once per tile; the returned `self` is passed back to every
 * other callback of that tile and released by destroy(). Keep all state in `self`, none in
 * globals: several tiles may use the same plugin.
 *
 * Versioning: a descriptor and the services table each begin with their own size and the ABI
 * major/minor they were compiled against. The host loads a plugin of the same major whose minor
 * is no newer than its own; a plugin built against an older minor sees NULL for services added
 * later (check `services->size` before using a member marked "since 1.N", N > your minor).
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WB_ABI_MAJOR 1
#define WB_ABI_MINOR 1

#define WB_PLUGIN_ENTRY_SYMBOL "wallboard_plugin_entry"

#if defined(__GNUC__)
#define WB_PLUGIN_EXPORT __attribute__((visibility("default")))
#define WB_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define WB_PLUGIN_EXPORT
#define WB_PRINTF(f, a)
#endif

struct json_t;         /* jansson's value type (include <jansson.h> to use it) */
struct SDL_Renderer;   /* SDL2's renderer (include <SDL.h> to use it) */

typedef struct wb_rect {
    int x, y, w, h;
} wb_rect;

typedef struct wb_color {
    uint8_t r, g, b, a;
} wb_color;

/* The state of the feed a tile listens to, as the host sees it. The host also draws it on the
 * tile (dimmed content and a badge) for every state but LIVE; plugins need not. */
typedef enum wb_feed_state {
    WB_FEED_CONNECTING = 0, /* never connected yet, or handshake in progress */
    WB_FEED_LIVE = 1,       /* connected and messages are recent */
    WB_FEED_STALE = 2,      /* connected but nothing arrived for the tile's stale_after */
    WB_FEED_DOWN = 3        /* connection lost; the host is reconnecting with backoff */
} wb_feed_state;

typedef enum wb_log_level {
    WB_LOG_ERROR = 0,
    WB_LOG_WARN = 1,
    WB_LOG_INFO = 2,
    WB_LOG_DEBUG = 3
} wb_log_level;

typedef enum wb_font_role {
    WB_FONT_LED = 0,        /* DSEG7 seven-segment digits */
    WB_FONT_LABEL = 1,      /* Noto Sans CJK with fallbacks: Korean, Chinese, Latin */
    WB_FONT_LABEL_BOLD = 2
} wb_font_role;

typedef enum wb_align {
    WB_ALIGN_LEFT = 0,
    WB_ALIGN_CENTER = 1,
    WB_ALIGN_RIGHT = 2
} wb_align;

/* Severity of a value against its thresholds; the host maps levels to the wall's palette. */
typedef enum wb_level {
    WB_LEVEL_NORMAL = 0,
    WB_LEVEL_WARN = 1,
    WB_LEVEL_ALARM = 2
} wb_level;

/* Thresholds as plugins usually read them from options. Unset limits are NAN.
 * `below` != 0 means low values are bad (e.g. free disk), otherwise high values are. */
typedef struct wb_thresholds {
    double warn;
    double alarm;
    int below;
} wb_thresholds;

/* Colours of the wall's palette, for wb_host_services.color(). */
typedef enum wb_palette {
    WB_COLOR_LED = 0,        /* the signature LED red */
    WB_COLOR_LED_GHOST = 1,  /* unlit segments behind LED digits */
    WB_COLOR_WARN = 2,       /* amber */
    WB_COLOR_ALARM = 3,      /* alarm red, brighter than LED */
    WB_COLOR_OK = 4,         /* green */
    WB_COLOR_TEXT = 5,       /* primary label text */
    WB_COLOR_TEXT_DIM = 6,   /* secondary text: units, captions */
    WB_COLOR_TILE_BG = 7,
    WB_COLOR_ACCENT = 8      /* bars and sparklines */
} wb_palette;

/* The host's handle for one tile; opaque. Pass it back to every service call. */
typedef struct wb_host wb_host;

/* Services the host offers, passed to create(). Valid until destroy() returns.
 * All drawing is clipped to the tile and only allowed inside render(). Strings are UTF-8. */
typedef struct wb_host_services {
    uint32_t size;          /* sizeof(wb_host_services) of the host */
    uint16_t abi_major;
    uint16_t abi_minor;

    /* --- since 1.0 --- */

    /* Log a line tagged with the tile id; the host rate-limits repeated lines. */
    void (*log)(wb_host *host, wb_log_level level, const char *fmt, ...) WB_PRINTF(3, 4);

    /* Monotonic milliseconds; the same clock as tick()'s now_ms. */
    uint64_t (*now_ms)(wb_host *host);

    /* Ask for a frame: call when state changed outside on_message (on_message's return value
     * already does this). Cheap; frames are coalesced. */
    void (*request_frame)(wb_host *host);

    /* The renderer, with the tile's clip rectangle set during render(). Borrowed. */
    struct SDL_Renderer *(*renderer)(wb_host *host);

    /* A font (TTF_Font *) of the role at a pixel height. Borrowed, cached by the host, valid
     * until destroy(). NULL if the font cannot be opened. */
    void *(*font)(wb_host *host, wb_font_role role, int pixel_size);

    /* Palette colour, and the colour of a threshold level. */
    wb_color (*color)(wb_host *host, wb_palette which);
    wb_level (*threshold_level)(double value, const wb_thresholds *thresholds);
    wb_color (*level_color)(wb_host *host, wb_level level);

    /* Fill a rectangle (alpha blended). */
    void (*fill_rect)(wb_host *host, wb_rect rect, wb_color color);

    /* Text in `box`: a font of `pixel_size` (0 = fit the box height), vertically centred,
     * aligned horizontally. Missing glyphs fall back Korean -> Chinese -> Latin fonts. Text
     * wider than the box is shrunk (down to 60 %) and then cut with an ellipsis.
     * Returns 1 if the text did not fit at pixel_size (shrunk or cut), 0 if it did, -1 on error. */
    int (*draw_text)(wb_host *host, wb_font_role role, int pixel_size, const char *utf8,
                     wb_rect box, wb_align align, wb_color color);

    /* Size of text at a pixel height without drawing. Returns 0, or -1 on error. */
    int (*measure_text)(wb_host *host, wb_font_role role, int pixel_size, const char *utf8,
                        int *width, int *height);

    /* An LED number: `text` of digits, '-', '.', ':' and spaces, drawn with DSEG7 as large as
     * fits `box`, with dim "8" ghost segments behind it when `ghost` != 0.
     * Returns 1 if it had to be drawn smaller than the box height allows, 0 if not, -1 on error. */
    int (*draw_led)(wb_host *host, const char *text, wb_rect box, wb_align align,
                    wb_color color, int ghost);

    /* A horizontal bar filled to `fraction` (0..1, clamped) over a dim track. */
    void (*draw_bar)(wb_host *host, wb_rect rect, double fraction, wb_color color);

    /* A line through `count` values scaled to the rectangle (min..max of the values);
     * NAN values are gaps. */
    void (*draw_sparkline)(wb_host *host, wb_rect rect, const double *values, int count,
                           wb_color color);

    /* Format a number: `decimals` after the point, thousands grouped with `separator`
     * (NULL or "" for none). Writes at most `size` bytes; returns the length it needed. */
    int (*format_number)(double value, int decimals, const char *separator, char *buf,
                         size_t size);

    /* The value at an RFC 6901 JSON pointer ("/value", "/clinics/0/name", "" = the root),
     * or NULL if absent. Borrowed from `root`. */
    const struct json_t *(*json_pointer)(const struct json_t *root, const char *pointer);

    /* Ask for a frame at a monotonic time (now_ms's clock), e.g. a clock at the next second,
     * without keeping the wall awake until then. The earliest pending request wins; a time
     * already past means the next frame. */
    void (*request_frame_at)(wb_host *host, uint64_t mono_ms);
} wb_host_services;

/* What create() is given about its tile. Valid only during create(): copy what you keep. */
typedef struct wb_tile_info {
    uint32_t size;                       /* sizeof(wb_tile_info) of the host */
    const char *id;                      /* tile id from the config, never NULL */
    const char *title;                   /* tile title, may be NULL */
    const char *feed;                    /* feed name, may be NULL for feedless tiles */
    const struct json_t *options;        /* the tile's "options" object, never NULL (may be
                                          * empty); borrowed */
    const wb_host_services *services;    /* valid until destroy() */
    wb_host *host;                       /* pass to every service call */
} wb_tile_info;

/* on_message() results. */
#define WB_MSG_IGNORED 0   /* not for this tile, or nothing changed */
#define WB_MSG_CHANGED 1   /* state changed: the host redraws the tile */
#define WB_MSG_INVALID (-1) /* for this tile but malformed (wrong types...): counted as invalid */

typedef struct wb_plugin_descriptor {
    uint32_t size;           /* sizeof(wb_plugin_descriptor) as the plugin was compiled */
    uint16_t abi_major;      /* WB_ABI_MAJOR */
    uint16_t abi_minor;      /* WB_ABI_MINOR */
    const char *name;        /* must equal the file name without ".so" */
    const char *version;     /* the plugin's own version, e.g. "1.2.0" */
    const char *description; /* one line for --list-plugins */

    /* Required. Make an instance for one tile. On failure return NULL and write a one-line
     * reason into `err` (at most err_size bytes, NUL-terminated): the tile becomes an error
     * tile showing it. */
    void *(*create)(const wb_tile_info *tile, char *err, size_t err_size);

    /* Required. Free everything the instance owns. */
    void (*destroy)(void *self);

    /* Required. One message of the tile's feed (already filtered by the tile's "match").
     * `message` is a JSON object, borrowed for the duration of the call: json_incref() what
     * you keep. Return WB_MSG_IGNORED, WB_MSG_CHANGED or WB_MSG_INVALID. */
    int (*on_message)(void *self, const struct json_t *message);

    /* Optional. The feed's state changed. The host already shows it on the tile. */
    void (*on_feed_state)(void *self, wb_feed_state state);

    /* Required. Draw into `rect` (the tile minus nothing: the plugin owns the whole tile).
     * The clip rectangle is set; the host has cleared the tile to its background. */
    void (*render)(void *self, wb_rect rect);

    /* Optional. Advance animations to `now_ms` (monotonic). Return 1 to be drawn again
     * (and ticked again next frame), 0 when nothing moves: the wall then sleeps. */
    int (*tick)(void *self, uint64_t now_ms);

    /* Optional. Add the values on screen to `out` (a JSON object, borrowed), for --state, so
     * tests assert exact numbers. Return 0, or -1 on error. */
    int (*report)(void *self, struct json_t *out);

    /* ---- since 1.1 (a 1.0 plugin's descriptor ends above: the host sees these as NULL) ---- */

    /* Optional, with restore: keep state across a hot reload of the plugin's file (the wall
     * watches it; a rebuilt .so replaces the old code without a restart). Called on the old
     * code just before destroy(self). Return a NEW reference (e.g. json_pack(...)) that the
     * host then owns and releases, or NULL to keep nothing. Make it plain JSON data: it
     * outlives your shared object (no pointers into it, no custom allocators). */
    struct json_t *(*save)(void *self);

    /* Optional. Called on the new code right after create() of the same tile (same options)
     * with what save() returned; not called when save() returned NULL or is absent. `saved`
     * is borrowed for the call: json_incref() what you keep. It may come from an older build
     * of your plugin: check what you read. Return 0, or -1 if it did not fit (the tile keeps
     * its fresh instance, and the host counts a fault). */
    int (*restore)(void *self, const struct json_t *saved);
} wb_plugin_descriptor;

/* The one exported symbol. Return a pointer to a static descriptor. */
typedef const wb_plugin_descriptor *(*wb_plugin_entry_fn)(void);

#define WB_PLUGIN_DESCRIPTOR_INIT_HEADER \
    .size = sizeof(wb_plugin_descriptor), .abi_major = WB_ABI_MAJOR, .abi_minor = WB_ABI_MINOR

#ifdef __cplusplus
}
#endif

#endif /* WALLBOARD_PLUGIN_H */
