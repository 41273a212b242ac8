/* state.c: the --state dump: what every tile shows, with feed counters and plugin-reported
 * values, as JSON for tests and operators. Never writes a header value (secrets). */
#include "host.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "render.h"

static json_t *iso_time_or_null(int64_t epoch_ms)
{
    if (epoch_ms <= 0) return json_null();
    time_t secs = (time_t)(epoch_ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    return json_sprintf("%s.%03dZ", date, (int)(epoch_ms % 1000));
}

static const char *feed_state_name(wb_feed_state s)
{
    switch (s) {
    case WB_FEED_CONNECTING: return "connecting";
    case WB_FEED_LIVE: return "live";
    case WB_FEED_STALE: return "stale";
    case WB_FEED_DOWN: return "down";
    }
    return "unknown";
}

/* Some servers take tokens in the query string: --state shows only that there is one. */
static json_t *public_url(const char *url)
{
    const char *query = strchr(url, '?');
    if (!query) return json_string(url);
    return json_sprintf("%.*s?\xe2\x80\xa6", (int)(query - url), url);
}

static json_t *feed_json(const wall_feed *cfg, const feed_stats *fs)
{
    return json_pack("{s:s, s:o, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:s}",
                     "name", cfg->name, "url", public_url(cfg->url), "state", feed_state_name(fs->state),
                     "connects", (json_int_t)fs->connects, "received", (json_int_t)fs->received,
                     "dropped", (json_int_t)fs->dropped,
                     "dropped_unparsed", (json_int_t)fs->dropped_unparsed,
                     "coalesced", (json_int_t)fs->coalesced,
                     "invalid", (json_int_t)fs->invalid,
                     "bytes", (json_int_t)fs->bytes,
                     "seq_gaps", (json_int_t)fs->seq_gaps,
                     "seq_missed", (json_int_t)fs->seq_missed,
                     "cut", (json_int_t)fs->cut,
                     "last_message", iso_time_or_null(fs->last_message_wall_ms),
                     "last_error", fs->last_error);
}

static json_t *tile_values(wall *w, struct wb_host *t)
{
    json_t *values = json_object();
    if (!t->self || !t->plugin->desc.report) return values;
    int mark = crash_enter(tiles_index(w, t), CRASH_REPORT);
    int rc = t->plugin->desc.report(t->self, values);
    crash_leave(mark);
    if (rc != 0) {
        services_fault(t, "report returned %d", rc);
        json_object_set_new(values, "report_error", json_true());
    }
    return values;
}

static json_t *tile_json(wall *w, struct wb_host *t)
{
    feed_stats fs;
    memset(&fs, 0, sizeof fs);
    const wall_feed *feed = NULL;
    if (t->cfg->feed_index >= 0 && w->feeds) {
        feedset_stats(w->feeds, (size_t)t->cfg->feed_index, &fs);
        feed = &w->config.feeds[t->cfg->feed_index];
    }
    json_t *o = json_pack("{s:s, s:s, s:s, s:[i,i,i,i], s:o, s:I, s:I, s:I, s:I, s:I, s:b}",
                          "id", t->cfg->id, "plugin", t->cfg->plugin,
                          "state", tiles_state_name(t),
                          "rect", t->rect.x, t->rect.y, t->rect.w, t->rect.h,
                          "last_message", iso_time_or_null(t->last_matched_wall_ms),
                          "received", (json_int_t)fs.received, "dropped", (json_int_t)fs.dropped,
                          "coalesced", (json_int_t)fs.coalesced,
                          "invalid", (json_int_t)(fs.invalid + t->invalid),
                          "matched", (json_int_t)t->matched, "overflow", t->overflow);
    if (!o) return NULL;
    json_object_set_new(o, "feed", feed ? json_string(feed->name) : json_null());
    json_object_set_new(o, "url", feed ? public_url(feed->url) : json_null());
    if (t->cfg->title) json_object_set_new(o, "title", json_string(t->cfg->title));
    if (t->error[0]) json_object_set_new(o, "error", json_string(t->error));
    json_object_set_new(o, "slow_renders", json_integer((json_int_t)t->slow_renders));
    json_object_set_new(o, "render_ms_max", json_real((double)t->render_us_max / 1000.0));
    json_object_set_new(o, "faults", json_integer((json_int_t)t->faults));
    json_object_set_new(o, "last_fault", json_string(t->last_fault));
    json_object_set_new(o, "generation", json_integer((json_int_t)t->generation));
    json_object_set_new(o, "values", tile_values(w, t));
    return o;
}

static json_t *state_json(wall *w)
{
    int width = 0, height = 0;
    if (w->render) render_size(w->render, &width, &height);
    char abi[16];
    snprintf(abi, sizeof abi, "%d.%d", WB_ABI_MAJOR, WB_ABI_MINOR);
    json_t *root = json_pack("{s:{s:s, s:s, s:I, s:[i,i], s:f, s:I}, s:s}",
        "wallboard", "version", WB_VERSION, "abi", abi,
        "frames", (json_int_t)(w->render ? render_presented_frames(w->render) : 0),
        "size", width, height,
        "uptime_s", (double)(clock_mono_ms() - w->start_mono_ms) / 1000.0,
        "log_suppressed", (json_int_t)log_suppressed_total(),
        "config", w->config.path);
    if (!root) return NULL;
    json_t *self = json_object_get(root, "wallboard");
    /* first_frame_mono_us is CLOCK_MONOTONIC: a tool that noted the time before exec gets
     * exec-to-first-frame from it; first_frame_ms counts from main() only. */
    if (w->first_frame_mono_us) {
        json_object_set_new(self, "first_frame_ms",
                            json_real((double)(w->first_frame_mono_us - w->start_mono_us) / 1000.0));
        json_object_set_new(self, "first_frame_mono_us", json_integer((json_int_t)w->first_frame_mono_us));
    } else {
        json_object_set_new(self, "first_frame_ms", json_null());
        json_object_set_new(self, "first_frame_mono_us", json_null());
    }
    json_object_set_new(self, "latency", latency_json(&w->latency));
    const char *journal = crash_journal_path();
    json_object_set_new(self, "crash_journal", journal ? json_string(journal) : json_null());

    json_t *feeds = json_array();
    for (size_t i = 0; i < w->config.feed_count; i++) {
        feed_stats fs;
        memset(&fs, 0, sizeof fs);
        if (w->feeds) feedset_stats(w->feeds, i, &fs);
        json_array_append_new(feeds, feed_json(&w->config.feeds[i], &fs));
    }
    json_object_set_new(root, "feeds", feeds);

    /* Hot reload: how many configs were taken, why the last one was not. */
    json_object_set_new(self, "config_loads", json_integer((json_int_t)w->config_loads));
    json_t *errors = json_array();
    for (size_t i = 0; i < w->config_errors.count; i++)
        json_array_append_new(errors, json_string(w->config_errors.lines[i]));
    json_object_set_new(self, "config_errors", errors);
    wb_rect b = w->banner_rect;
    json_object_set_new(self, "banner", b.w > 0 && b.h > 0 ? json_pack("[i,i,i,i]", b.x, b.y, b.w,
                                                                      b.h)
                                                           : json_null());
    json_t *plugins = json_array();
    for (size_t i = 0; i < w->plugin_count; i++) {
        const wall_plugin *wp = w->plugins[i];
        json_array_append_new(plugins, json_pack("{s:s, s:o, s:I, s:b, s:s}", "name", wp->name,
            "path", wp->p.path ? json_string(wp->p.path) : json_null(),
            "loads", (json_int_t)wp->loads, "loaded", wp->p.handle != NULL,
            "error", wp->error));
    }
    json_object_set_new(root, "plugins", plugins);

    json_t *tiles = json_array();
    for (size_t i = 0; i < w->tile_count; i++)
        json_array_append_new(tiles, tile_json(w, &w->tiles[i]));
    json_object_set_new(root, "tiles", tiles);
    return root;
}

int state_write(wall *w, const char *path, char *err, size_t err_size)
{
    json_t *root = state_json(w);
    if (!root) {
        snprintf(err, err_size, "cannot build the state JSON");
        return -1;
    }
    /* Write beside the target and rename, so a reader never sees half a file. */
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int rc = json_dump_file(root, tmp, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(root);
    if (rc != 0 || rename(tmp, path) != 0) {
        snprintf(err, err_size, "cannot write state file %s", path);
        remove(tmp);
        return -1;
    }
    return 0;
}
