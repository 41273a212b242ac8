/* reload.c: hot reload of the config file and of plugin files: what the watch thread saw is
 * applied here, on the main thread, between frames. Never stops the wall: a bad file is shown. */
#include "reload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "render.h"

void reload_watch_start(wall *w)
{
    char err[512];
    w->watch = watch_open(render_wake_ctx, w->render, err, sizeof err);
    if (!w->watch) {
        log_line(WB_LOG_WARN, NULL, "no hot reload: %s", err);
        return;
    }
    if (watch_file(w->watch, w->config.path, err, sizeof err) != 0)
        log_line(WB_LOG_WARN, NULL, "the config is not watched: %s", err);
    /* A config reached through a symlink (/etc/wallboard/wall.json -> a checkout) is edited
     * where it really is: watch that folder too. */
    char *real = realpath(w->config.path, NULL);
    if (real && strcmp(real, w->config.path) != 0 &&
        watch_file(w->watch, real, err, sizeof err) != 0)
        log_line(WB_LOG_WARN, NULL, "the config's target is not watched: %s", err);
    free(real);
    for (size_t i = 0; i < w->plugin_path.count; i++)
        if (watch_plugin_dir(w->watch, w->plugin_path.dirs[i], err, sizeof err) != 0)
            log_line(WB_LOG_WARN, NULL, "plugins are not watched there: %s", err);
}

void reload_watch_stop(wall *w)
{
    watch_close(w->watch);
    w->watch = NULL;
}

/* The banner takes (or gives back) a band at the top: everything is laid out again. */
static void relayout(wall *w)
{
    int width, height;
    render_size(w->render, &width, &height);
    render_clear(w->render);
    tiles_layout(w, width, height);
}

/* errs becomes the one line `line` (when the loader gave no error of its own, or the feeds
 * could not start). */
static void set_one_error(config_errors *errs, const char *line)
{
    config_errors_free(errs);
    errs->lines = calloc(1, sizeof *errs->lines);
    if (!errs->lines || !(errs->lines[0] = strdup(line))) {
        free(errs->lines);
        errs->lines = NULL;
        return;
    }
    errs->count = errs->capacity = 1;
}

static int reject(wall *w, config_errors *errs)
{
    log_line(WB_LOG_ERROR, NULL, "config %s rejected (%zu error%s); the wall keeps the last "
             "good one", w->config.path, errs->count, errs->count == 1 ? "" : "s");
    for (size_t i = 0; i < errs->count; i++) log_line(WB_LOG_ERROR, NULL, "%s", errs->lines[i]);
    config_errors_free(&w->config_errors);
    w->config_errors = *errs;
    memset(errs, 0, sizeof *errs);
    relayout(w);
    return -1;
}

int reload_config(wall *w)
{
    wall_config next;
    config_errors errs = {0};
    char *path = strdup(w->config.path);
    if (!path) return -1;
    char line[512];
    int rc = config_load(path, loader_knows, &w->plugin_path, &next, &errs);
    if (rc != 0 && errs.count == 0) {
        snprintf(line, sizeof line, "%s: cannot load the config", path);
        set_one_error(&errs, line);
    }
    free(path);
    if (rc != 0) return reject(w, &errs);

    unsigned char *feed_kept = calloc(next.feed_count ? next.feed_count : 1, 1);
    if (!feed_kept) {
        config_free(&next);
        return -1;
    }
    char err[256];
    if (feedset_apply(w->feeds, next.feeds, next.feed_count, w->config.feeds,
                      w->config.feed_count, feed_kept, err, sizeof err) != 0) {
        snprintf(line, sizeof line, "%s: feeds: %s", next.path, err);
        set_one_error(&errs, line);
        config_free(&next);
        free(feed_kept);
        return reject(w, &errs);
    }
    tiles_apply_config(w, &next, feed_kept);
    free(feed_kept);
    w->config_loads++;
    if (w->config_errors.count)
        log_line(WB_LOG_INFO, NULL, "config %s is valid again: banner removed", w->config.path);
    config_errors_free(&w->config_errors);
    relayout(w);
    return 0;
}

int reload_poll(wall *w)
{
    char **names = NULL;
    size_t count = 0;
    int what = watch_take(w->watch, &names, &count);
    if (!what) return 0;
    if (what & WATCH_CONFIG) {
        log_line(WB_LOG_INFO, NULL, "config %s changed: loading it", w->config.path);
        reload_config(w);
    }
    for (size_t i = 0; i < count; i++) {
        if (tiles_reload_plugin(w, names[i]) > 0)
            log_line(WB_LOG_DEBUG, NULL, "plugin file %s.so changed", names[i]);
        free(names[i]);
    }
    free(names);
    return 1;
}
