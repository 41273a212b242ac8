/* tiles.c: the tiles at run time: plugin instances, message dispatch with "match", feed
 * states (live/stale/down) and animation ticks. No SDL here; a plugin fault never ends the wall. */
#include "host.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonptr.h"
#include "layout.h"
#include "log.h"

/* A stale or down tile shows the age of its values; redraw it when the age text changes. */
#define BADGE_REFRESH_MS 1000

static wall_plugin *find_plugin(const wall *w, const char *name)
{
    for (size_t i = 0; i < w->plugin_count; i++)
        if (!strcmp(w->plugins[i]->name, name)) return w->plugins[i];
    return NULL;
}

/* The entry for `name`, made empty (not loaded) if the wall never tried it. NULL on no memory. */
static wall_plugin *plugin_entry(wall *w, const char *name)
{
    wall_plugin *wp = find_plugin(w, name);
    if (wp) return wp;
    wall_plugin **grown = realloc(w->plugins, (w->plugin_count + 1) * sizeof *grown);
    if (!grown) return NULL;
    w->plugins = grown;
    wp = calloc(1, sizeof *wp);
    if (!wp || !(wp->name = strdup(name))) {
        free(wp);
        return NULL;
    }
    w->plugins[w->plugin_count++] = wp;
    return wp;
}

struct wb_host *tiles_of_handle(wall *w, const wb_host *h)
{
    if (!w || !w->tiles || !h) return NULL;
    /* Nearly always the tile whose callback runs: no search. */
    long slot = crash_current_slot();
    if (slot >= 0 && (size_t)slot < w->tile_count && w->tiles[slot].handle == (const void *)h)
        return &w->tiles[slot];
    for (size_t i = 0; i < w->tile_count; i++)
        if (w->tiles[i].handle == (const void *)h) return &w->tiles[i];
    return NULL;
}

size_t tiles_index(const wall *w, const struct wb_host *tile)
{
    return (size_t)(tile - w->tiles);
}

/* The latest crash the journal blames on plugin `name`, or NULL. Host crashes blame nobody. */
static const crash_entry *last_crash_of(const wall *w, const char *name)
{
    char journal_name[CRASH_NAME_MAX];
    crash_sanitize(name, journal_name, sizeof journal_name);
    const crash_entry *last = NULL;
    for (size_t i = 0; i < w->crash_count; i++) {
        const crash_entry *c = &w->crashes[i];
        if (c->callback != CRASH_HOST && !strcmp(c->plugin, journal_name) &&
            (!last || c->time >= last->time))
            last = c;
    }
    return last;
}

/* "disabled after a crash at 14:05 (SIGSEGV in on_message of tile k1); ...": local time, with
 * the date when it was not today, so an operator can match it with what happened. */
static void describe_crash(const crash_entry *c, char *out, size_t size)
{
    time_t when = (time_t)c->time, now = time(NULL);
    struct tm tm, today;
    char at[48] = "?";
    if (localtime_r(&when, &tm) && localtime_r(&now, &today)) {
        if (tm.tm_year == today.tm_year && tm.tm_yday == today.tm_yday)
            strftime(at, sizeof at, "%H:%M", &tm);
        else
            strftime(at, sizeof at, "%H:%M on %Y-%m-%d", &tm);
    }
    const char *sig = crash_signal_name(c->signal);
    char sig_text[16];
    if (!sig) {
        snprintf(sig_text, sizeof sig_text, "signal %d", c->signal);
        sig = sig_text;
    }
    snprintf(out, size, "disabled after a crash at %s (%s in %s of tile %s); start with "
             "--reset-crashes to re-enable it", at, sig, crash_callback_name(c->callback), c->tile);
}

/* Loads `name` once for the whole wall. Returns NULL with the reason in err. */
static const loaded_plugin *load_plugin(wall *w, size_t index, const char *name, char *err,
                                        size_t err_size)
{
    wall_plugin *wp = plugin_entry(w, name);
    if (!wp) {
        snprintf(err, err_size, "out of memory loading plugin '%s'", name);
        return NULL;
    }
    if (wp->p.handle) return &wp->p;

    char *path = loader_find(&w->plugin_path, name);
    if (!path) {
        snprintf(err, err_size, "plugin '%s' not found on the plugin path", name);
        snprintf(wp->error, sizeof wp->error, "%s", err);
        return NULL;
    }
    /* dlopen runs its constructors and the loader calls its entry: plugin code already. */
    int mark = crash_enter(index, CRASH_LOAD);
    int rc = loader_open(path, &wp->p, err, err_size);
    crash_leave(mark);
    free(path);
    if (rc) {
        snprintf(wp->error, sizeof wp->error, "%s", err);
        return NULL;
    }
    wp->error[0] = '\0';
    wp->loads++;
    return &wp->p;
}

static void create_tile(wall *w, size_t index, json_t *empty_options)
{
    struct wb_host *t = &w->tiles[index];
    const wall_tile *cfg = &w->config.tiles[index];
    /* What identifies the tile to its plugin and counts its instances outlives a re-create. */
    void *handle = t->handle;
    uint64_t generation = t->generation;
    memset(t, 0, sizeof *t);
    t->wall = w;
    t->cfg = cfg;
    t->dirty = 1;
    t->state = cfg->feed_index >= 0 ? WB_FEED_CONNECTING : WB_FEED_LIVE;
    t->handle = handle ? handle : malloc(1);
    t->generation = generation;
    if (!t->handle) {
        snprintf(t->error, sizeof t->error, "out of memory");
        return;
    }

    const crash_entry *crash = last_crash_of(w, cfg->plugin);
    if (crash) {
        /* Not even loaded: its constructors or entry may be what crashed. */
        describe_crash(crash, t->error, sizeof t->error);
        int first = 1;
        for (size_t i = 0; i < index; i++)
            first &= strcmp(w->config.tiles[i].plugin, cfg->plugin) != 0;
        if (first)
            log_line(WB_LOG_ERROR, cfg->id,
                     "plugin %s is disabled: it crashed (signal %d in %s of tile %s); start the "
                     "wall once with --reset-crashes, or delete %s, to re-enable it",
                     cfg->plugin, crash->signal, crash_callback_name(crash->callback), crash->tile,
                     crash_journal_path() ? crash_journal_path() : "the crash journal");
        return;
    }

    char reason[sizeof t->error] = "";
    t->plugin = load_plugin(w, index, cfg->plugin, reason, sizeof reason);
    if (!t->plugin) {
        snprintf(t->error, sizeof t->error, "%s", reason);
        log_line(WB_LOG_ERROR, cfg->id, "%s", reason);
        return;
    }

    wb_tile_info info = {
        .size = sizeof info,
        .id = cfg->id,
        .title = cfg->title,
        .feed = cfg->feed,
        .options = cfg->options ? cfg->options : empty_options,
        .services = &w->services,
        .host = t->handle,
    };
    char create_err[200] = "";
    int mark = crash_enter(index, CRASH_CREATE);
    t->self = t->plugin->desc.create(&info, create_err, sizeof create_err);
    crash_leave(mark);
    create_err[sizeof create_err - 1] = '\0'; /* a plugin may have filled it without a NUL */
    if (t->self) t->generation++;
    if (!t->self) {
        snprintf(t->error, sizeof t->error, "%s: %s", cfg->plugin,
                 create_err[0] ? create_err : "create failed (no reason given)");
        log_line(WB_LOG_ERROR, cfg->id, "%s", t->error);
    }
}

static void prepare_crash_slots(wall *w);

void tiles_create(wall *w)
{
    w->tile_count = w->config.tile_count;
    w->tiles = calloc(w->tile_count ? w->tile_count : 1, sizeof *w->tiles);
    if (!w->tiles) {
        log_line(WB_LOG_ERROR, NULL, "out of memory creating tiles");
        abort();
    }
    prepare_crash_slots(w);
    json_t *empty_options = json_object();
    for (size_t i = 0; i < w->tile_count; i++) create_tile(w, i, empty_options);
    json_decref(empty_options);
}

static void destroy_instance(wall *w, size_t i)
{
    struct wb_host *t = &w->tiles[i];
    if (t->self) {
        int mark = crash_enter(i, CRASH_DESTROY);
        t->plugin->desc.destroy(t->self);
        crash_leave(mark);
    }
    t->self = NULL;
}

/* dlclose runs its destructors: blamed on the first tile of that plugin. */
static void close_plugin(wall *w, wall_plugin *wp)
{
    if (!wp->p.handle) return;
    size_t first = 0;
    while (first < w->tile_count && w->tiles[first].plugin != &wp->p) first++;
    int mark = crash_enter(first, CRASH_UNLOAD);
    loader_close(&wp->p);
    crash_leave(mark);
}

void tiles_destroy(wall *w)
{
    for (size_t i = 0; i < w->tile_count; i++) destroy_instance(w, i);
    for (size_t i = 0; i < w->plugin_count; i++) {
        close_plugin(w, w->plugins[i]);
        free(w->plugins[i]->name);
        free(w->plugins[i]);
    }
    for (size_t i = 0; i < w->tile_count; i++) free(w->tiles[i].handle);
    crash_slots_free();
    free(w->plugins);
    free(w->tiles);
    w->plugins = NULL;
    w->tiles = NULL;
    w->plugin_count = w->tile_count = 0;
}

static void prepare_crash_slots(wall *w)
{
    /* Before any plugin code runs: the crash handler only reads this table. */
    if (crash_slots_prepare(w->tile_count) != 0)
        log_line(WB_LOG_ERROR, NULL,
                 "out of memory: a plugin crash will be journalled as the host's");
    for (size_t i = 0; i < w->tile_count; i++)
        crash_slot_set(i, w->config.tiles[i].plugin, w->config.tiles[i].id);
}

void tiles_apply_config(wall *w, wall_config *next, const unsigned char *feed_kept)
{
    size_t n = next->tile_count, old_n = w->tile_count;
    struct wb_host *tiles = calloc(n ? n : 1, sizeof *tiles);
    long *from = calloc(n ? n : 1, sizeof *from);
    unsigned char *taken = calloc(old_n ? old_n : 1, 1);
    if (!tiles || !from || !taken) {
        log_line(WB_LOG_ERROR, NULL, "out of memory switching to the new config");
        abort();
    }
    size_t kept = 0;
    for (size_t j = 0; j < n; j++) {
        const wall_tile *c = &next->tiles[j];
        from[j] = -1;
        if (c->feed_index >= 0 && !feed_kept[c->feed_index]) continue; /* a new connection */
        for (size_t i = 0; i < old_n; i++) {
            if (taken[i] || !config_tile_same(w->tiles[i].cfg, c)) continue;
            taken[i] = 1;
            from[j] = (long)i;
            kept++;
            break;
        }
    }
    /* The old tiles go first, under the old crash table and config. */
    for (size_t i = 0; i < old_n; i++) {
        if (taken[i]) continue;
        destroy_instance(w, i);
        free(w->tiles[i].handle);
    }
    for (size_t j = 0; j < n; j++) {
        if (from[j] < 0) continue;
        tiles[j] = w->tiles[from[j]];
        tiles[j].cfg = &next->tiles[j];
    }
    free(w->tiles);
    w->tiles = tiles;
    w->tile_count = n;
    config_free(&w->config);
    w->config = *next;
    memset(next, 0, sizeof *next);
    prepare_crash_slots(w);
    json_t *empty_options = json_object();
    for (size_t j = 0; j < n; j++)
        if (from[j] < 0) create_tile(w, j, empty_options);
    json_decref(empty_options);
    log_line(WB_LOG_INFO, NULL, "config %s loaded: %zu tiles kept, %zu created, %zu removed",
             w->config.path, kept, n - kept, old_n - kept);
    free(from);
    free(taken);
}

size_t tiles_reload_plugin(wall *w, const char *name)
{
    size_t users = 0;
    for (size_t i = 0; i < w->tile_count; i++) users += !strcmp(w->tiles[i].cfg->plugin, name);
    if (users == 0) return 0;
    json_t **saved = calloc(w->tile_count, sizeof *saved);
    if (!saved) {
        log_line(WB_LOG_ERROR, NULL, "out of memory reloading plugin %s", name);
        return 0;
    }
    for (size_t i = 0; i < w->tile_count; i++) {
        struct wb_host *t = &w->tiles[i];
        if (strcmp(t->cfg->plugin, name) != 0 || !t->self) continue;
        if (t->plugin->desc.save) {
            int mark = crash_enter(i, CRASH_SAVE);
            saved[i] = t->plugin->desc.save(t->self);
            crash_leave(mark);
        }
        destroy_instance(w, i);
    }
    /* Only now: its code must not be unmapped under a live instance. */
    wall_plugin *wp = find_plugin(w, name);
    if (wp) close_plugin(w, wp);
    json_t *empty_options = json_object();
    size_t live = 0;
    for (size_t i = 0; i < w->tile_count; i++) {
        struct wb_host *t = &w->tiles[i];
        if (strcmp(t->cfg->plugin, name) != 0) continue;
        wb_rect rect = t->rect;
        create_tile(w, i, empty_options);
        t->rect = rect;
        if (t->self && saved[i] && t->plugin->desc.restore) {
            int mark = crash_enter(i, CRASH_RESTORE);
            int rc = t->plugin->desc.restore(t->self, saved[i]);
            crash_leave(mark);
            if (rc != 0) services_fault(t, "restore returned %d: the tile starts afresh", rc);
        }
        live += t->self != NULL;
        json_decref(saved[i]);
    }
    json_decref(empty_options);
    free(saved);
    wp = find_plugin(w, name);
    if (wp && wp->p.handle)
        log_line(WB_LOG_INFO, NULL, "plugin %s reloaded from %s (load %llu): %zu of %zu tiles "
                 "live", name, wp->p.path, (unsigned long long)wp->loads, live, users);
    else
        log_line(WB_LOG_ERROR, NULL, "plugin %s did not load again: %s; its %zu tiles show "
                 "the error until the file is fixed", name, wp ? wp->error : "?", users);
    return users;
}

void tiles_layout(wall *w, int width, int height)
{
    /* A rejected config's banner takes a band across the top; the tiles share the rest. */
    int band = 0;
    if (w->config_errors.count) {
        band = height / 8;
        if (band < 48) band = height < 96 ? height / 2 : 48;
        if (band > 200) band = 200;
    }
    w->banner_rect = band ? (wb_rect){0, 0, width, band} : (wb_rect){0, 0, 0, 0};
    w->banner_dirty = 1;
    layout_grid grid = {
        .width = width, .height = height - band,
        .columns = w->config.columns, .rows = w->config.rows, .gap = w->config.gap,
    };
    for (size_t i = 0; i < w->tile_count; i++) {
        struct wb_host *t = &w->tiles[i];
        const wall_tile *c = t->cfg;
        if (layout_tile_rect(&grid, c->col, c->row, c->col_span, c->row_span, &t->rect)) {
            /* The config check keeps tiles inside the grid; only a tiny output gets here. */
            t->rect = (wb_rect){0, 0, 0, 0};
        }
        t->rect.y += band;
        t->only_paint_on_bg = 0; /* the canvas was cleared to the wall's colour, or moved */
        t->dirty = 1;
    }
}

/* Equality of a message field with a match value: numbers by value (1 == 1.0), the rest by
 * jansson's deep equality. */
static int field_matches(const json_t *field, const json_t *want)
{
    if (!field) return 0;
    if (json_is_number(field) && json_is_number(want))
        return json_number_value(field) == json_number_value(want);
    return json_equal((json_t *)field, (json_t *)want);
}

static int tile_accepts(const struct wb_host *t, const json_t *message)
{
    if (!t->cfg->match) return 1;
    const char *key;
    json_t *want;
    json_object_foreach(t->cfg->match, key, want) {
        const json_t *field = key[0] == '/' ? jsonptr_get(message, key)
                                            : json_object_get(message, key);
        if (!field_matches(field, want)) return 0;
    }
    return 1;
}

void tiles_dispatch(wall *w, size_t feed_index, json_t *message)
{
    uint64_t now = clock_mono_ms();
    for (size_t i = 0; i < w->tile_count; i++) {
        struct wb_host *t = &w->tiles[i];
        if (t->cfg->feed_index != (int)feed_index || !t->self) continue;
        if (!tile_accepts(t, message)) continue;
        t->matched++;
        t->last_matched_mono_ms = now;
        t->last_matched_wall_ms = clock_wall_ms();
        int mark = crash_enter(i, CRASH_ON_MESSAGE);
        int rc = t->plugin->desc.on_message(t->self, message);
        crash_leave(mark);
        if (rc != WB_MSG_CHANGED && rc != WB_MSG_IGNORED && rc != WB_MSG_INVALID) {
            /* Redrawn: whatever it meant, a redraw is never wrong. */
            services_fault(t, "on_message returned %d, not WB_MSG_IGNORED, _CHANGED or _INVALID",
                           rc);
            rc = WB_MSG_CHANGED;
        }
        if (rc == WB_MSG_CHANGED) {
            t->dirty = 1;
            if (t->plugin->desc.tick) t->animating = 1;  /* tick() decides if it moves */
        } else if (rc == WB_MSG_INVALID) {
            t->invalid++;
            log_limited(WB_LOG_WARN, t->cfg->id, t->cfg->id,
                        "message rejected by plugin %s (wrong field types?)", t->cfg->plugin);
        }
    }
}

static wb_feed_state state_of(const struct wb_host *t, const feed_stats *fs, uint64_t now,
                              uint64_t *deadline_ms)
{
    if (fs->state != WB_FEED_LIVE) return fs->state;
    uint64_t last = t->last_matched_mono_ms > t->live_since_mono_ms ? t->last_matched_mono_ms
                                                                     : t->live_since_mono_ms;
    uint64_t stale_ms = (uint64_t)(t->cfg->stale_after * 1000.0);
    /* A message dispatched during this frame's drain carries a later clock read than `now`:
     * without this the unsigned age wraps and a busy tile reads stale. */
    if (now < last) now = last;
    if (now - last >= stale_ms) return WB_FEED_STALE;
    *deadline_ms = last + stale_ms - now;
    return WB_FEED_LIVE;
}

int tiles_due_frames(wall *w, uint64_t now_ms)
{
    int next = -1;
    for (size_t i = 0; i < w->tile_count; i++) {
        struct wb_host *t = &w->tiles[i];
        if (!t->frame_at_mono_ms) continue;
        if (t->frame_at_mono_ms <= now_ms) {
            t->frame_at_mono_ms = 0;
            t->dirty = 1;
            continue;
        }
        uint64_t wait = t->frame_at_mono_ms - now_ms;
        int ms = wait > INT32_MAX ? INT32_MAX : (int)wait;
        if (next < 0 || ms < next) next = ms;
    }
    return next;
}

int tiles_update_states(wall *w, uint64_t now_ms)
{
    int next = tiles_due_frames(w, now_ms);
    for (size_t i = 0; i < w->tile_count; i++) {
        struct wb_host *t = &w->tiles[i];
        if (t->cfg->feed_index < 0 || !w->feeds || t->error[0]) continue;
        feed_stats fs;
        feedset_stats(w->feeds, (size_t)t->cfg->feed_index, &fs);
        if (fs.state == WB_FEED_LIVE && t->state != WB_FEED_LIVE && t->state != WB_FEED_STALE)
            t->live_since_mono_ms = now_ms;

        uint64_t deadline = 0;
        wb_feed_state s = state_of(t, &fs, now_ms, &deadline);
        if (s != t->state) {
            t->state = s;
            t->dirty = 1;
            if (t->self && t->plugin->desc.on_feed_state) {
                int mark = crash_enter(i, CRASH_ON_FEED_STATE);
                t->plugin->desc.on_feed_state(t->self, s);
                crash_leave(mark);
            }
        }
        int wait;
        if (s == WB_FEED_LIVE) {
            wait = deadline > INT32_MAX ? INT32_MAX : (int)deadline;
        } else {
            /* The badge shows the values' age in seconds: redraw when the second turns. */
            uint64_t second = now_ms / BADGE_REFRESH_MS;
            if (second != t->badge_second) {
                t->badge_second = second;
                t->badge_dirty = 1; /* the badge alone; it may not even change its text */
            }
            wait = (int)(BADGE_REFRESH_MS - now_ms % BADGE_REFRESH_MS);
        }
        if (wait >= 0 && (next < 0 || wait < next)) next = wait;
    }
    return next;
}

int tiles_tick(wall *w, uint64_t now_ms)
{
    int any = 0;
    for (size_t i = 0; i < w->tile_count; i++) {
        struct wb_host *t = &w->tiles[i];
        if (!t->animating || !t->self || !t->plugin->desc.tick) continue;
        int mark = crash_enter(i, CRASH_TICK);
        t->animating = t->plugin->desc.tick(t->self, now_ms) ? 1 : 0;
        crash_leave(mark);
        t->dirty = 1;
        any |= t->animating;
    }
    return any;
}

const char *tiles_state_name(const struct wb_host *t)
{
    if (t->error[0]) return "error";
    switch (t->state) {
    case WB_FEED_CONNECTING: return "connecting";
    case WB_FEED_LIVE: return "live";
    case WB_FEED_STALE: return "stale";
    case WB_FEED_DOWN: return "down";
    }
    return "unknown";
}
