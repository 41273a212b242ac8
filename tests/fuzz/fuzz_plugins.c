/* fuzz_plugins.c: libFuzzer target for every bundled plugin through the real host: a headless
 * wall (tests/fuzz/plugins_wall.json, one tile per plugin on one feed) gets arbitrary messages.
 *
 * Input: JSON documents, one per line (a recording's "msg" objects, say), at most 32 of them.
 * Each line is parsed as the feed's parse thread does (json_loadb with JSON_REJECT_DUPLICATES |
 * JSON_DECODE_ANY, only objects go on) and dispatched with tiles_dispatch: no tile has a "match",
 * so every plugin sees every message; after each message the tiles tick. After the input the
 * dirty tiles are drawn (services_draw_tile: plugin render plus host chrome) and the --state
 * report is written (state_write, every plugin's report). Each input starts from fresh plugin
 * instances (destroy, then create with the tile's options), so a crash reproduces from its
 * input alone. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"
#include "log.h"
#include "render.h"
#include "text.h"

#define WIDTH 640
#define HEIGHT 360
#define MAX_MESSAGES 32

static wall w;
static json_t *empty_options;
static char state_dir[64];
static char state_path[sizeof state_dir + 16];

static void fail(const char *what, const char *why)
{
    fprintf(stderr, "fuzz_plugins: %s: %s\n", what, why);
    exit(1);
}

static void remove_state_dir(void)
{
    char tmp[sizeof state_path + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", state_path);
    unlink(tmp);
    unlink(state_path);
    rmdir(state_dir);
}

/* A tile as tiles_create left it: a new plugin instance, live. */
static void renew_tile(struct wb_host *t)
{
    char err[200] = "";
    if (t->self)
        t->plugin->desc.destroy(t->self);
    wb_tile_info info = {
        .size = sizeof info,
        .id = t->cfg->id,
        .title = t->cfg->title,
        .feed = t->cfg->feed,
        .options = t->cfg->options ? t->cfg->options : empty_options,
        .services = &w.services,
        .host = t->handle, /* the token tiles_create gave the tile */
    };
    t->self = t->plugin->desc.create(&info, err, sizeof err);
    if (!t->self)
        fail(t->cfg->id, err[0] ? err : "create failed");
    /* Not dirty: as on the wall, only what a message changed (or an animation) is drawn. */
    t->dirty = 0;
    t->animating = 0;
    t->frame_at_mono_ms = 0;
    t->state = WB_FEED_LIVE;
    if (t->plugin->desc.on_feed_state)
        t->plugin->desc.on_feed_state(t->self, WB_FEED_LIVE);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char err[512];
    (void)argc;
    (void)argv;
    /* Plugins log what they reject (rate-limited): the fuzzer's output stays readable. */
    log_set_level(WB_LOG_ERROR);
    w.start_mono_ms = clock_mono_ms();
    w.start_mono_us = clock_mono_us();
    if (plugin_path_add(&w.plugin_path, WB_PLUGIN_BUILD_DIR))
        fail("plugin path", "out of memory");
    config_errors errs = {0};
    if (config_load(WB_FUZZ_WALL, loader_knows, &w.plugin_path, &w.config, &errs)) {
        for (size_t i = 0; i < errs.count; i++)
            fprintf(stderr, "%s\n", errs.lines[i]);
        fail(WB_FUZZ_WALL, "cannot load the wall");
    }
    config_errors_free(&errs);
    if (fonts_load_list(WB_SOURCE_DIR "/fonts/fonts.list", &w.fonts, err, sizeof err))
        fail("fonts", err);
    w.options.headless = 1;
    w.options.width = WIDTH;
    w.options.height = HEIGHT;
    render_options ro = {.headless = 1, .width = WIDTH, .height = HEIGHT,
                         .title = "fuzz_plugins", .background = w.config.background};
    w.render = render_open(&ro, err, sizeof err);
    if (!w.render)
        fail("render", err);
    w.text = text_open(&w.fonts, render_renderer(w.render), err, sizeof err);
    if (!w.text)
        fail("text", err);
    services_init(&w);
    tiles_create(&w);
    tiles_layout(&w, WIDTH, HEIGHT);
    for (size_t i = 0; i < w.tile_count; i++)
        if (w.tiles[i].error[0])
            fail(w.tiles[i].cfg->id, w.tiles[i].error);
    empty_options = json_object();
    /* In memory if it can be: on a disk, creating and renaming the file would cost more than
     * the plugins. */
    snprintf(state_dir, sizeof state_dir, "%s/fuzz_plugins.XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(state_dir))
        fail("mkdtemp", state_dir);
    snprintf(state_path, sizeof state_path, "%s/state.json", state_dir);
    atexit(remove_state_dir);
    return 0;
}

static void draw_dirty_tiles(uint64_t now)
{
    for (size_t i = 0; i < w.tile_count; i++)
        if (w.tiles[i].dirty)
            services_draw_tile(&w, &w.tiles[i], now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    char err[256];
    int messages = 0;

    for (size_t i = 0; i < w.tile_count; i++)
        renew_tile(&w.tiles[i]);
    for (size_t at = 0; at < size && messages < MAX_MESSAGES;) {
        const char *nl = memchr(text + at, '\n', size - at);
        size_t len = nl ? (size_t)(nl - (text + at)) : size - at;
        json_error_t error;
        json_t *message =
            json_loadb(text + at, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &error);
        at += len + 1;
        if (!message)
            continue;
        if (json_is_object(message)) {
            messages++;
            tiles_dispatch(&w, 0, message);
            tiles_tick(&w, clock_mono_ms());
        }
        json_decref(message);
    }
    /* Drawn once per input, on whatever state the messages left: drawing after every message
     * would cost 20 times the rest. */
    draw_dirty_tiles(clock_mono_ms());
    if (state_write(&w, state_path, err, sizeof err) != 0)
        fail("state", err);
    return 0;
}
