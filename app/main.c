/* main.c: the wallboard host: command line, start-up order, the frame loop and shutdown.
 * It reads like a table of contents: it never draws, parses feeds or touches sockets itself. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crash.h"
#include "host.h"
#include "log.h"
#include "reload.h"
#include "render.h"
#include "text.h"

/* 60 Hz pacing: however fast messages come, at most one frame per interval. */
#define FRAME_INTERVAL_MS 16
#define DEFAULT_WIDTH 1920
#define DEFAULT_HEIGHT 1080

static volatile sig_atomic_t quit_requested;
static volatile sig_atomic_t dump_requested;
static render *signal_render;

static void on_signal(int sig)
{
    int saved_errno = errno; /* write() in the wake may set it under the interrupted code */
    if (sig == SIGUSR1) {
        dump_requested = 1;
        if (signal_render) render_interrupt(signal_render);
    } else {
        quit_requested = 1;
        if (signal_render) render_request_quit(signal_render);
    }
    errno = saved_errno;
}

static void install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* SDL would turn SIGINT into a quit event behind our back; we handle signals ourselves. */
    setenv("SDL_NO_SIGNAL_HANDLERS", "1", 1);
}

/* The user's own plugin folder, $XDG_DATA_HOME/wallboard/plugins (~/.local/share/... when
 * XDG_DATA_HOME is unset or relative, which the XDG spec says to ignore), into buf.
 * 0, or -1 when there is no absolute home to put it in. */
static int user_plugin_dir(char *buf, size_t size)
{
    const char *data_home = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    int n;
    if (data_home && data_home[0] == '/')
        n = snprintf(buf, size, "%s/wallboard/plugins", data_home);
    else if (home && home[0] == '/')
        n = snprintf(buf, size, "%s/.local/share/wallboard/plugins", home);
    else
        return -1;
    return n > 0 && (size_t)n < size ? 0 : -1;
}

/* Where this executable runs from: its build tree (WB_RUN_BUILD_TREE), or PREFIX/bin of an
 * installed prefix, written to `prefix` (WB_RUN_PREFIX: wherever the prefix was installed with
 * `cmake --install --prefix` or moved to), or anywhere else (WB_RUN_ELSEWHERE). */
enum { WB_RUN_ELSEWHERE, WB_RUN_BUILD_TREE, WB_RUN_PREFIX };
static int find_run_location(char *prefix, size_t size)
{
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[len > 0 ? len : 0] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0'; /* the executable's folder, symlinks resolved */
    char *build_dir = realpath(WB_BUILD_DIR, NULL);
    int in_build_tree = build_dir && strcmp(exe, build_dir) == 0;
    free(build_dir);
    if (in_build_tree) return WB_RUN_BUILD_TREE;
    size_t exe_len = strlen(exe), bin_len = strlen("/" WB_INSTALL_BINDIR);
    if (exe_len <= bin_len || strcmp(exe + exe_len - bin_len, "/" WB_INSTALL_BINDIR) != 0)
        return WB_RUN_ELSEWHERE;
    exe[exe_len - bin_len] = '\0';
    int n = snprintf(prefix, size, "%s", exe);
    return n > 0 && (size_t)n < size ? WB_RUN_PREFIX : WB_RUN_ELSEWHERE;
}

/* find_run_location, worked out once (the plugin path, the config and the fonts list ask). */
static int run_location(char *prefix, size_t size)
{
    static int where = -1;
    static char found[4096];
    if (where < 0) where = find_run_location(found, sizeof found);
    if (where == WB_RUN_PREFIX && snprintf(prefix, size, "%s", found) >= (int)size)
        return WB_RUN_ELSEWHERE;
    return where;
}

/* The plugins that come with this executable, into buf: the build tree's when it runs from
 * its build tree (and they are built), else PREFIX/lib/wallboard/plugins of the prefix it is
 * installed in, else the folder configured at build time. 0, or -1 when it does not fit. */
static int bundled_plugin_dir(char *buf, size_t size)
{
    char prefix[4096];
    int where = run_location(prefix, sizeof prefix);
    if (where == WB_RUN_BUILD_TREE && access(WB_PLUGIN_BUILD_DIR, R_OK) == 0)
        return snprintf(buf, size, "%s", WB_PLUGIN_BUILD_DIR) < (int)size ? 0 : -1;
    if (where == WB_RUN_PREFIX) {
        int n = snprintf(buf, size, "%s/%s", prefix, WB_PLUGIN_INSTALL_RELDIR);
        if (n > 0 && (size_t)n < size && access(buf, R_OK) == 0) return 0;
    }
    return snprintf(buf, size, "%s", WB_PLUGIN_INSTALL_DIR) < (int)size ? 0 : -1;
}

/* A file the wall ships (a config, fonts.list): the source tree's `source_path` when it runs
 * from its build tree, else PREFIX/share/wallboard/NAME of the prefix it runs from (wherever
 * it was installed or moved), else the configured data folder's. Returns source_path or buf. */
static const char *shipped_file(const char *source_path, const char *name, char *buf,
                                size_t size)
{
    char prefix[4096];
    int where = run_location(prefix, sizeof prefix);
    if (where == WB_RUN_BUILD_TREE && access(source_path, R_OK) == 0) return source_path;
    if (where == WB_RUN_PREFIX) {
        int n = snprintf(buf, size, "%s/" WB_INSTALL_DATADIR "/wallboard/%s", prefix, name);
        if (n > 0 && (size_t)n < size && access(buf, R_OK) == 0) return buf;
    }
    snprintf(buf, size, "%s/%s", WB_DATA_DIR, name);
    return buf;
}

/* The plugin path, first match wins: --plugin-dir folders, $WALLBOARD_PLUGIN_PATH, the user's
 * folder, then the plugins that come with the wall (see bundled_plugin_dir). A folder that
 * does not exist is skipped when looking; the loader refuses folders others may write. */
static int build_plugin_path(wall *w)
{
    const cli_options *o = &w->options;
    for (size_t i = 0; i < o->plugin_dir_count; i++)
        if (plugin_path_add(&w->plugin_path, o->plugin_dirs[i])) return -1;
    const char *env = getenv("WALLBOARD_PLUGIN_PATH");
    if (env && *env && plugin_path_add_list(&w->plugin_path, env)) return -1;
    char dir[4096];
    if (user_plugin_dir(dir, sizeof dir) == 0 && plugin_path_add(&w->plugin_path, dir)) return -1;
    if (bundled_plugin_dir(dir, sizeof dir) != 0)
        return plugin_path_add(&w->plugin_path, WB_PLUGIN_INSTALL_DIR);
    if (plugin_path_add(&w->plugin_path, dir)) return -1;
    if (strcmp(dir, WB_PLUGIN_BUILD_DIR) == 0) /* from the build tree: the installed ones after */
        return plugin_path_add(&w->plugin_path, WB_PLUGIN_INSTALL_DIR);
    return 0;
}

/* Loads and validates the config; prints every error. 0, or -1. */
static int load_config(wall *w)
{
    const char *path = w->options.config_path;
    char shipped[4096];
    if (!path)
        path = shipped_file(WB_SOURCE_DIR "/config/guizhou.json", "guizhou.json", shipped,
                            sizeof shipped);
    config_errors errs = {0};
    if (config_load(path, loader_knows, &w->plugin_path, &w->config, &errs) != 0) {
        for (size_t i = 0; i < errs.count; i++) fprintf(stderr, "%s\n", errs.lines[i]);
        if (errs.count == 0) fprintf(stderr, "%s: cannot load the config\n", path);
        config_errors_free(&errs);
        return -1;
    }
    config_errors_free(&errs);
    return 0;
}

static int open_output(wall *w)
{
    char err[512];
    const char *fonts_list = getenv("WALLBOARD_FONTS");
    char shipped[4096];
    if (!fonts_list || !*fonts_list)
        fonts_list = shipped_file(WB_SOURCE_DIR "/fonts/fonts.list", "fonts.list", shipped,
                                  sizeof shipped);
    if (fonts_load_list(fonts_list, &w->fonts, err, sizeof err)) {
        fprintf(stderr, "wallboard: %s\n", err);
        return -1;
    }
    const cli_options *o = &w->options;
    render_options ro = {
        .headless = o->headless,
        .windowed = o->windowed,
        .width = o->width ? o->width : DEFAULT_WIDTH,
        .height = o->height ? o->height : DEFAULT_HEIGHT,
        .display = o->display,
        .title = w->config.title ? w->config.title : "wallboard",
        .background = w->config.background,
    };
    w->render = render_open(&ro, err, sizeof err);
    if (!w->render) {
        fprintf(stderr, "wallboard: %s\n", err);
        return -1;
    }
    signal_render = w->render;
    w->text = text_open(&w->fonts, render_renderer(w->render), err, sizeof err);
    if (!w->text) {
        fprintf(stderr, "wallboard: %s\n", err);
        return -1;
    }
    return 0;
}

/* One connection per feed of the config; header values are secrets and stay in memory only.
 * A feed set, so that a reloaded config keeps the connections it did not change. */
static int start_feeds(wall *w)
{
    char err[256];
    w->feeds = feedset_create(render_wake_ctx, w->render);
    if (!w->feeds) {
        fprintf(stderr, "wallboard: feeds: out of memory\n");
        return -1;
    }
    if (feedset_apply(w->feeds, w->config.feeds, w->config.feed_count, NULL, 0, NULL, err,
                      sizeof err) != 0) {
        fprintf(stderr, "wallboard: feeds: %s\n", err);
        return -1;
    }
    return 0;
}

static void write_outputs(wall *w)
{
    char err[512];
    if (w->options.screenshot_path &&
        render_screenshot(w->render, w->options.screenshot_path, err, sizeof err))
        log_line(WB_LOG_ERROR, NULL, "%s", err);
    if (w->options.state_path && state_write(w, w->options.state_path, err, sizeof err))
        log_line(WB_LOG_ERROR, NULL, "%s", err);
}

static void on_feed_message(void *ctx, size_t feed_index, json_t *message)
{
    wall *w = ctx;
    latency_dispatched(&w->latency, message);
    tiles_dispatch(w, feed_index, message);
}

static int draw_dirty_tiles(wall *w, uint64_t now)
{
    int drew = 0;
    for (size_t i = 0; i < w->tile_count; i++) {
        struct wb_host *t = &w->tiles[i];
        if (t->dirty) {
            services_draw_tile(w, t, now);
            drew = 1;
        } else if (t->badge_dirty) {
            drew |= services_draw_badge(w, t, now);
        }
    }
    if (w->banner_dirty) {
        services_draw_banner(w);
        drew = 1;
    }
    return drew;
}

static int any_dirty(const wall *w)
{
    if (w->banner_dirty) return 1;
    for (size_t i = 0; i < w->tile_count; i++)
        if (w->tiles[i].dirty || w->tiles[i].badge_dirty) return 1;
    return 0;
}

static int min_wait(int a, int b)
{
    if (a < 0) return b;
    if (b < 0) return a;
    return a < b ? a : b;
}

/* The frame loop: sleep until an event, data or a deadline; draw only what changed. */
static void run(wall *w)
{
    const cli_options *o = &w->options;
    uint64_t end = o->seconds > 0 ? w->start_mono_ms + (uint64_t)(o->seconds * 1000.0) : 0;
    uint64_t last_frame = 0;
    int timeout = 0, need_present = 1, animating = 0, data_waiting = 0;

    while (!quit_requested) {
        int events = render_wait(w->render, timeout);
        if ((events & RENDER_EV_QUIT) || quit_requested) break;
        if (events & RENDER_EV_RESIZED) {
            int width, height;
            render_size(w->render, &width, &height);
            render_clear(w->render);
            /* Also sent after a render device reset: cached text textures are gone then. */
            text_flush_cache(w->text);
            tiles_layout(w, width, height);
        }
        if (events & RENDER_EV_EXPOSED) need_present = 1;
        if (events & RENDER_EV_WAKE) data_waiting = 1;
        /* A saved config or a rebuilt plugin: applied between frames, on this thread. */
        if (w->watch && reload_poll(w)) need_present = 1;

        uint64_t now = clock_mono_ms();
        uint64_t since_frame = now - last_frame;
        int frame_due = since_frame >= FRAME_INTERVAL_MS || last_frame == 0;
        /* Messages are taken only when a frame may be drawn: nothing they change could be
         * shown sooner, and meanwhile the hand-over merges what coalesces (one value per key
         * per frame), so a flood costs the main thread per frame, not per message. */
        if (frame_due && w->feeds) {
            feedset_drain(w->feeds, on_feed_message, w);
            data_waiting = 0;
        }
        int wait = tiles_update_states(w, now);
        animating = tiles_tick(w, now);
        if (frame_due) {
            if (draw_dirty_tiles(w, now) || need_present) {
                render_present(w->render);
                latency_presented(&w->latency, clock_wall_us());
                if (!w->first_frame_mono_us) w->first_frame_mono_us = clock_mono_us();
                last_frame = now;
                need_present = 0;
            }
            /* Frames asked for from inside render(), at once (still dirty) or for later. */
            wait = min_wait(wait, tiles_due_frames(w, now));
            if (animating || any_dirty(w)) wait = min_wait(wait, FRAME_INTERVAL_MS);
        } else if (any_dirty(w) || animating || data_waiting) {
            wait = min_wait(wait, (int)(FRAME_INTERVAL_MS - since_frame));
        }

        if (dump_requested) {
            dump_requested = 0;
            write_outputs(w);
        }
        if (o->frames && render_presented_frames(w->render) >= (unsigned long)o->frames) break;
        if (end) {
            if (now >= end) break;
            wait = min_wait(wait, (int)(end - now));
        }
        timeout = wait;
    }
}

static void shutdown_wall(wall *w)
{
    /* Outputs first: they show the wall as it was, not with its connections closing. */
    if (w->render) write_outputs(w);
    reload_watch_stop(w);
    feedset_stop(w->feeds);
    tiles_destroy(w);
    feedset_destroy(w->feeds);
    w->feeds = NULL;
    config_errors_free(&w->config_errors);
    if (w->text) text_close(w->text);
    signal_render = NULL;
    if (w->render) render_close(w->render);
    config_free(&w->config);
    fonts_free(&w->fonts);
    plugin_path_free(&w->plugin_path);
    free(w->crashes);
    w->crashes = NULL;
    w->crash_count = 0;
    crash_journal_close();
}

/* The crash journal: opened before any plugin code runs so the handler can write to it, read
 * to know which plugins to disable (or emptied first with --reset-crashes). A wall without a
 * journal (no HOME, a read-only folder) still runs: it only forgets crashes. */
static void open_crash_journal(wall *w)
{
    char err[512];
    if (crash_journal_open(err, sizeof err) != 0) {
        log_line(WB_LOG_WARN, NULL, "no crash journal, crashed plugins stay enabled: %s", err);
        return;
    }
    if (w->options.reset_crashes) {
        if (crash_journal_reset(err, sizeof err) != 0)
            log_line(WB_LOG_ERROR, NULL, "%s", err);
        else
            log_line(WB_LOG_INFO, NULL, "crash journal %s emptied: every plugin is enabled",
                     crash_journal_path());
    }
    if (crash_journal_read(&w->crashes, &w->crash_count, err, sizeof err) != 0) {
        log_line(WB_LOG_ERROR, NULL, "%s", err);
        return;
    }
    /* Host crashes disable nothing, but an operator should hear of the last one. */
    const crash_entry *host = NULL;
    size_t host_count = 0;
    for (size_t i = 0; i < w->crash_count; i++) {
        if (w->crashes[i].callback != CRASH_HOST) continue;
        host = &w->crashes[i];
        host_count++;
    }
    if (host)
        log_line(WB_LOG_WARN, NULL,
                 "the crash journal %s records %zu crash%s outside any plugin, the last at "
                 "epoch %lld by signal %d", crash_journal_path(), host_count,
                 host_count == 1 ? "" : "es", (long long)host->time, host->signal);
}

static void set_log_level_from_env(void)
{
    const char *v = getenv("WALLBOARD_LOG");
    if (!v) return;
    if (!strcmp(v, "error")) log_set_level(WB_LOG_ERROR);
    else if (!strcmp(v, "warn")) log_set_level(WB_LOG_WARN);
    else if (!strcmp(v, "info")) log_set_level(WB_LOG_INFO);
    else if (!strcmp(v, "debug")) log_set_level(WB_LOG_DEBUG);
}

int main(int argc, char **argv)
{
    static wall w;
    char err[512];
    w.start_mono_us = clock_mono_us();
    w.start_mono_ms = w.start_mono_us / 1000;
    set_log_level_from_env();
    if (cli_parse(argc, argv, &w.options, err, sizeof err)) {
        fprintf(stderr, "wallboard: %s\n", err);
        return 2;
    }
    if (w.options.show_help) {
        cli_usage(stdout);
        return 0;
    }
    if (w.options.show_version) {
        printf("wallboard %s (plugin ABI %d.%d)\n", WB_VERSION, WB_ABI_MAJOR, WB_ABI_MINOR);
        return 0;
    }
    if (build_plugin_path(&w)) {
        fprintf(stderr, "wallboard: out of memory\n");
        return 1;
    }
    if (w.options.list_plugins) {
        printf("plugin path (the first NAME.so found is used):\n");
        for (size_t i = 0; i < w.plugin_path.count; i++)
            printf("  %s%s\n", w.plugin_path.dirs[i],
                   access(w.plugin_path.dirs[i], R_OK) == 0 ? "" : "  (not there)");
        loader_list(&w.plugin_path, stdout);
        plugin_path_free(&w.plugin_path);
        return 0;
    }
    if (load_config(&w)) {
        plugin_path_free(&w.plugin_path);
        return 1;
    }
    if (w.options.check_config) {
        printf("%s: ok (%zu tiles, %zu feeds)\n", w.config.path, w.config.tile_count,
               w.config.feed_count);
        config_free(&w.config);
        plugin_path_free(&w.plugin_path);
        return 0;
    }

    install_signal_handlers();
    open_crash_journal(&w);
    /* After ASan's and anything else's handler: the last one installed is the one that runs. */
    if (crash_install_handlers(err, sizeof err) != 0)
        log_line(WB_LOG_WARN, NULL, "crash handler not installed: %s", err);
    int rc = 1;
    if (open_output(&w)) goto done;
    services_init(&w);
    tiles_create(&w);
    int width, height;
    render_size(w.render, &width, &height);
    tiles_layout(&w, width, height);
    w.config_loads = 1;
    if (start_feeds(&w)) goto done;
    reload_watch_start(&w);
    run(&w);
    rc = 0;
done:
    shutdown_wall(&w);
    return rc;
}
