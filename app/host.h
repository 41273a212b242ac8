/* host.h: the running wall: its tiles (each a struct wb_host, the handle plugins get), the
 * loaded plugins, feeds and output. Shared by main.c, tiles.c, services.c, state.c, reload.c. */
#ifndef WB_HOST_H
#define WB_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <wallboard/plugin.h>

#include "cli.h"
#include "config.h"
#include "crash.h"
#include "feed.h"
#include "feedset.h"
#include "latency.h"
#include "fonts.h"
#include "loader.h"
#include "watch.h"

struct render;
struct text;
struct wall;

/* What a tile painted since its frame began: text and LED numbers ask it whether the rect they
 * cover is still one opaque colour, to copy opaque pixels instead of blending (5x cheaper), and
 * the next frame clears only these rects instead of the whole tile. */
#define PAINT_OPS_MAX 64
typedef struct paint_log {
    int count;                      /* > PAINT_OPS_MAX: too much to follow, assume anything */
    wb_rect rect[PAINT_OPS_MAX];    /* covers every pixel the call may have touched */
    wb_color color[PAINT_OPS_MAX];
    unsigned char solid[PAINT_OPS_MAX]; /* an opaque fill of exactly rect, in color */
} paint_log;

/* One tile at run time. Plugins see it only as the opaque wb_host *. */
struct wb_host {
    struct wall *wall;
    const wall_tile *cfg;           /* borrowed from wall->config */
    const loaded_plugin *plugin;    /* NULL for error tiles whose plugin did not load */
    void *self;                     /* the plugin's instance; NULL for error tiles */
    char error[256];                /* non-empty: an error tile showing this reason */
    wb_rect rect;
    wb_feed_state state;            /* as last shown */
    int dirty;                      /* needs drawing in the next frame */
    int animating;                  /* tick() asked for another frame */
    int in_render;                  /* drawing services only work inside render() */
    uint64_t matched;               /* messages that passed "match" */
    uint64_t invalid;               /* on_message said WB_MSG_INVALID */
    uint64_t last_matched_mono_ms;  /* 0 = never */
    int64_t last_matched_wall_ms;
    uint64_t live_since_mono_ms;    /* when the feed last went live */
    uint64_t badge_second;          /* the second whose age the state badge shows */
    uint64_t frame_at_mono_ms;      /* request_frame_at(): redraw then; 0 = none */
    int overflow;                   /* host-drawn text did not fit */
    int badge_dirty;                /* only the state badge's text changed */
    wb_rect badge_rect;             /* where the badge was drawn; it only grows while shown */
    char badge_label[96];           /* what it showed */
    paint_log paint;                /* this frame's, then (until the next) the last frame's */
    int only_paint_on_bg;           /* outside paint's rects the tile shows the bare background */
    int raw_renderer;               /* its plugin took the SDL renderer: paint is unknowable */
    uint64_t slow_renders;          /* renders over RENDER_BUDGET_US */
    uint64_t render_us_max;         /* the longest render */
    int last_render_slow;           /* the last render was over budget: the tile shows "slow" */
    uint64_t last_render_us;
    uint64_t faults;                /* service calls refused, bad return values (see faults) */
    char last_fault[160];
    void *handle;                   /* what the plugin got as its wb_host *: a malloc'd token
                                     * that stays the same when a reload moves this struct to
                                     * another slot (services map it back); owned */
    uint64_t generation;            /* instances created for this tile: 1 after the first
                                     * create, +1 per plugin reload (kept over config reloads) */
};

/* A tile's render over this is slow: at 60 Hz a frame is 16 ms, and while one tile renders
 * every other tile waits, so 50 ms (three frames lost for the whole wall) is where an operator
 * sees the wall stutter. The bundled plugins render in well under 5 ms at 4K, so a loaded
 * machine's noise does not mark a healthy tile. */
#define RENDER_BUDGET_US 50000

/* A plugin as the wall holds it: across reloads of its file the struct stays (tiles point at
 * its `p`), its `p` is closed and opened again. */
typedef struct wall_plugin {
    loaded_plugin p;                /* handle NULL: not loaded now (failed, or being reloaded) */
    char *name;                     /* owned */
    uint64_t loads;                 /* successful loads of its file */
    char error[256];                /* why the last load failed, "" if it did not */
} wall_plugin;

typedef struct wall {
    cli_options options;
    wall_config config;
    plugin_path plugin_path;
    font_set fonts;
    wb_host_services services;
    wall_plugin **plugins;          /* one per distinct plugin name ever tried; each malloc'd,
                                     * so tiles' pointers to them survive growth */
    size_t plugin_count;
    struct wb_host *tiles;
    size_t tile_count;
    feedset *feeds;                 /* NULL until the feeds start */
    struct render *render;
    struct text *text;
    uint64_t start_mono_ms;
    uint64_t start_mono_us;         /* main() entered */
    uint64_t first_frame_mono_us;   /* the first frame was presented; 0 = not yet */
    latency latency;                /* feed to pixels, of messages that carry "sent_us" */
    crash_entry *crashes;           /* the crash journal read at start (plugins to disable) */
    size_t crash_count;

    /* Hot reload (reload.c). */
    watch *watch;                   /* NULL: nothing is watched (no inotify) */
    uint64_t config_loads;          /* valid configs in use so far, the first one included */
    config_errors config_errors;    /* the last rejected config's errors; none = no banner */
    int banner_dirty;               /* the banner (or its absence) must be drawn */
    wb_rect banner_rect;            /* where it is drawn; {0} when there is none */
} wall;

/* tiles.c: no SDL. */

/* Loads each plugin the config names and creates every tile's instance; a plugin that does
 * not load, a create that fails, or a plugin the crash journal (w->crashes) names makes an
 * error tile. Prepares the crash handler's table first. Never fails as a whole. */
void tiles_create(wall *w);
/* Destroys instances, then closes plugins. */
void tiles_destroy(wall *w);
/* Switches the tiles to `next` (a valid config; on return the wall owns it and the old config
 * is freed). A tile of next that equals one of the old config (id, plugin, feed, title,
 * options, match, stale_after; its feed's connection unchanged: `feed_kept` says, per feed of
 * next, whether it is the same connection) keeps its plugin instance and values; the other old
 * tiles are destroyed, the other new ones created. Re-prepares the crash handler's table.
 * Call tiles_layout afterwards. */
void tiles_apply_config(wall *w, wall_config *next, const unsigned char *feed_kept);
/* The file of plugin `name` changed: its tiles are destroyed (after save() if it has one), the
 * plugin closed and loaded again, the tiles created again (restore() given what save
 * returned). A load that fails leaves error tiles saying why; the next change tries again.
 * Returns the number of tiles re-created (0: the wall does not use that plugin). */
size_t tiles_reload_plugin(wall *w, const char *name);
/* The tile a plugin's host handle stands for, or NULL. */
struct wb_host *tiles_of_handle(wall *w, const wb_host *handle);
/* Lays the tiles out for an output of width x height and marks all dirty. */
void tiles_layout(wall *w, int width, int height);
/* Hands one message of feed `feed_index` to every tile on that feed whose match accepts it. */
void tiles_dispatch(wall *w, size_t feed_index, json_t *message);
/* Recomputes each tile's feed state at now; calls on_feed_state and marks changed tiles dirty.
 * Returns the ms until a state could change again by time alone (stale deadlines, badge ages),
 * or -1 if none. */
int tiles_update_states(wall *w, uint64_t now_ms);
/* Frames plugins asked for with request_frame_at(): due tiles become dirty. Returns the ms
 * until the next request, or -1 if none. */
int tiles_due_frames(wall *w, uint64_t now_ms);
/* Ticks animating tiles; returns 1 if any still animates. */
int tiles_tick(wall *w, uint64_t now_ms);
/* "connecting", "live", "stale", "down" or "error". */
const char *tiles_state_name(const struct wb_host *tile);

/* The index of a tile, its slot in the crash handler's table. */
size_t tiles_index(const wall *w, const struct wb_host *tile);

/* services.c: the host services table and drawing a tile (plugin render plus host chrome). */
/* Fills w->services; the services check their wb_host * against w's tiles. */
void services_init(wall *w);
/* A plugin misbehaved without crashing (a service called with NULL or outside render, a
 * return value out of range...): counted on the tile, logged rate-limited with `what`. */
void services_fault(struct wb_host *tile, const char *fmt, ...) WB_PRINTF(2, 3);
void services_draw_tile(wall *w, struct wb_host *tile, uint64_t now_ms);
/* Redraws only the state badge of a tile whose badge_dirty is set (its age text turned);
 * returns 1 if pixels changed. */
int services_draw_badge(wall *w, struct wb_host *tile, uint64_t now_ms);

/* Draws the config error banner in w->banner_rect (nothing when it is empty); clears
 * banner_dirty. */
void services_draw_banner(wall *w);

/* state.c: the --state dump, written atomically (temp file + rename). 0 or -1 with err. */
int state_write(wall *w, const char *path, char *err, size_t err_size);

#endif
