/* frame_bench: the cost of one full redraw of the wall, on the headless software renderer.
 * It builds the wall the way wallboard does (config, fonts, render, text, tiles and plugins: the
 * host's own tiles.c and services.c from libwbhost, the rest from libwbgfx/libwbcore)
 * and then times, frame after frame, what main.c's frame loop does for dirty tiles:
 * services_draw_tile for every tile (render_begin_tile, the plugin's render, host chrome,
 * render_end_tile) and render_present. No feeds: tiles are set live and messages are
 * dispatched straight to them with tiles_dispatch (not timed; reported apart).
 * Modes: "change" gives every tile a new value before each frame (new LED text each time, as on
 * a busy wall); "same" redraws unchanged tiles (text cache hits). Prints one JSON line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host.h"
#include "log.h"
#include "render.h"
#include "text.h"
#include "stats.h"

#define MAX_FRAMES 100000

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}


/* {"key":"kN","value":V} to every tile of feed 0 whose match takes key kN, N = 1..keys. */
static double dispatch_values(wall *w, unsigned keys, long frame)
{
    double t0 = now_ms();
    for (unsigned k = 1; k <= keys; k++) {
        char key[16];
        snprintf(key, sizeof key, "k%u", k);
        /* A different number of digits now and then, like a real count. */
        json_int_t v = 1000 + (json_int_t)frame * 7919 + (json_int_t)k * 104729;
        json_t *m = json_pack("{s:s, s:I, s:I}", "key", key, "value", v, "seq", (json_int_t)frame);
        tiles_dispatch(w, 0, m);
        json_decref(m);
    }
    return now_ms() - t0;
}

int main(int argc, char **argv)
{
    const char *config_path = NULL, *plugin_dir = NULL, *fonts_list = NULL, *mode = "change";
    const char *shot = NULL;
    int width = 1920, height = 1080;
    long frames = 200, warmup = 10;
    double max_seconds = 5;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) goto usage;
        if (!strcmp(a, "--config")) config_path = v;
        else if (!strcmp(a, "--plugin-dir")) plugin_dir = v;
        else if (!strcmp(a, "--fonts")) fonts_list = v;
        else if (!strcmp(a, "--mode")) mode = v;
        else if (!strcmp(a, "--frames")) frames = atol(v);
        else if (!strcmp(a, "--warmup")) warmup = atol(v);
        else if (!strcmp(a, "--max-seconds")) max_seconds = atof(v);
        else if (!strcmp(a, "--screenshot")) shot = v;
        else if (!strcmp(a, "--size")) {
            if (sscanf(v, "%dx%d", &width, &height) != 2) goto usage;
        } else goto usage;
        i++;
    }
    if (!config_path || !plugin_dir || !fonts_list || frames < 1 || frames > MAX_FRAMES ||
        (strcmp(mode, "change") && strcmp(mode, "same")))
        goto usage;
    log_set_level(WB_LOG_ERROR);

    static wall w;
    char err[512];
    if (plugin_path_add(&w.plugin_path, plugin_dir)) return 1;
    config_errors errs = {0};
    if (config_load(config_path, loader_knows, &w.plugin_path, &w.config, &errs)) {
        for (size_t i = 0; i < errs.count; i++) fprintf(stderr, "%s\n", errs.lines[i]);
        return 1;
    }
    config_errors_free(&errs);
    if (fonts_load_list(fonts_list, &w.fonts, err, sizeof err)) {
        fprintf(stderr, "frame_bench: %s\n", err);
        return 1;
    }
    render_options ro = {.headless = 1, .width = width, .height = height, .title = "bench",
                         .background = w.config.background};
    w.render = render_open(&ro, err, sizeof err);
    if (!w.render) {
        fprintf(stderr, "frame_bench: %s\n", err);
        return 1;
    }
    w.text = text_open(&w.fonts, render_renderer(w.render), err, sizeof err);
    if (!w.text) {
        fprintf(stderr, "frame_bench: %s\n", err);
        return 1;
    }
    services_init(&w);
    tiles_create(&w);
    tiles_layout(&w, width, height);
    size_t errors = 0;
    for (size_t i = 0; i < w.tile_count; i++) {
        w.tiles[i].state = WB_FEED_LIVE; /* no feeds here: no state badges */
        errors += w.tiles[i].error[0] != 0;
    }
    if (errors) {
        fprintf(stderr, "frame_bench: %zu tiles failed: %s\n", errors, w.tiles[0].error);
        return 1;
    }
    unsigned keys = (unsigned)w.tile_count;
    int change = !strcmp(mode, "change");

    static double total[MAX_FRAMES], draw[MAX_FRAMES], present[MAX_FRAMES];
    double dispatch_sum = 0;
    long n = 0;
    double started = now_ms();
    /* A first value everywhere and a sparkline that fills as frames go by. */
    dispatch_values(&w, keys, 0);
    for (long f = 1; f <= warmup + frames; f++) {
        if (change || f == 1) {
            double d = dispatch_values(&w, keys, f);
            if (f > warmup) dispatch_sum += d;
        }
        for (size_t i = 0; i < w.tile_count; i++) w.tiles[i].dirty = 1;
        uint64_t now = clock_mono_ms();
        double t0 = now_ms();
        for (size_t i = 0; i < w.tile_count; i++)
            if (w.tiles[i].dirty) services_draw_tile(&w, &w.tiles[i], now);
        double t1 = now_ms();
        render_present(w.render);
        double t2 = now_ms();
        if (f > warmup) {
            total[n] = t2 - t0;
            draw[n] = t1 - t0;
            present[n] = t2 - t1;
            n++;
        }
        if (f > warmup + 20 && now_ms() - started > max_seconds * 1000) break;
    }
    if (shot && render_screenshot(w.render, shot, err, sizeof err))
        fprintf(stderr, "frame_bench: %s\n", err);
    double mean = 0;
    for (long i = 0; i < n; i++) mean += total[i];
    mean /= (double)n;
    stats_sort(total, (size_t)n);
    stats_sort(draw, (size_t)n);
    stats_sort(present, (size_t)n);
    printf("{\"tiles\":%zu,\"size\":\"%dx%d\",\"mode\":\"%s\",\"frames\":%ld,"
           "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,\"mean_ms\":%.3f,"
           "\"draw_p50_ms\":%.3f,\"draw_p99_ms\":%.3f,\"present_p50_ms\":%.3f,"
           "\"present_p99_ms\":%.3f,\"dispatch_per_frame_ms\":%.3f}\n",
           w.tile_count, width, height, mode, n, stats_pct(total, (int)n, 0.5),
           stats_pct(total, (int)n, 0.99), total[n - 1], mean, stats_pct(draw, (int)n, 0.5),
           stats_pct(draw, (int)n, 0.99), stats_pct(present, (int)n, 0.5),
           stats_pct(present, (int)n, 0.99),
           change ? dispatch_sum / (double)n : 0.0);
    tiles_destroy(&w);
    text_close(w.text);
    render_close(w.render);
    config_free(&w.config);
    fonts_free(&w.fonts);
    plugin_path_free(&w.plugin_path);
    return 0;
usage:
    fprintf(stderr, "usage: frame_bench --config CFG --plugin-dir DIR --fonts fonts.list "
                    "[--size WxH] [--mode change|same] [--frames N] [--warmup N] "
                    "[--max-seconds S] [--screenshot F.png]\n");
    return 2;
}
