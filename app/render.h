/* render.h: the SDL window or headless surface, the frame buffer kept between frames (so only
 * dirty tiles are redrawn), event waiting, and PNG screenshots. One of two files with SDL. */
#ifndef WB_RENDER_H
#define WB_RENDER_H

#include <stddef.h>
#include <wallboard/plugin.h>

typedef struct render render;

typedef struct render_options {
    int headless;        /* no window: a software renderer on a memory surface */
    int windowed;        /* a window of width x height instead of fullscreen */
    int width, height;   /* headless/windowed size; fullscreen uses the display's mode */
    int display;         /* display index for fullscreen/windowed */
    const char *title;   /* window title */
    wb_color background;
} render_options;

/* Opens SDL video (or only SDL events when headless), the window and a renderer. Without
 * --headless it refuses to run when there is no display (no DISPLAY/WAYLAND_DISPLAY, or SDL
 * fell back to the offscreen/dummy driver): err then names DISPLAY/WAYLAND_DISPLAY and
 * --headless. With a software renderer it sets SDL_FRAMEBUFFER_ACCELERATION=0 unless the user
 * set it. Returns NULL with err filled. Free with render_close. */
render *render_open(const render_options *opt, char *err, size_t err_size);
void render_close(render *r);

struct SDL_Renderer *render_renderer(render *r);  /* borrowed */
void render_size(const render *r, int *width, int *height);

/* Events, returned as a bit mask by render_wait. */
#define RENDER_EV_QUIT    1  /* window closed, SIGINT/SIGTERM (SDL's quit event) */
#define RENDER_EV_WAKE    2  /* render_wake() was called */
#define RENDER_EV_RESIZED 4  /* the output size changed: relayout, redraw everything */
#define RENDER_EV_EXPOSED 8  /* the window needs its contents again: present again */

/* Waits up to timeout_ms (0 = poll, -1 = forever) for events; handles all queued ones.
 * Headless it sleeps in poll() on a self-pipe (no CPU while idle); with a window in SDL's wait,
 * in slices of at most 200 ms so flags set by signal handlers are seen. */
int render_wait(render *r, int timeout_ms);
/* Thread-safe; coalesced (many calls before the next wait wake it once). */
void render_wake(render *r);
/* render_wake for callbacks that take a void * context (feeds, the watch thread). */
void render_wake_ctx(void *r);
/* Asks render_wait to return RENDER_EV_QUIT soon; async-signal-safe. */
void render_request_quit(render *r);
/* Makes render_wait return soon (e.g. after a signal set a flag of the caller's);
 * async-signal-safe. */
void render_interrupt(render *r);

/* Frame drawing: the frame buffer persists between frames. render_begin_tile clears the tile
 * to `bg` and sets the clip; render_end_tile resets the clip. render_present shows the frame
 * buffer (the whole buffer is copied to the window). */
void render_begin_tile(render *r, wb_rect rect, wb_color bg);
/* As render_begin_tile, but clears only `rects` (clipped to the tile): the caller knows the
 * rest of the tile still shows `bg`. */
void render_begin_tile_refill(render *r, wb_rect rect, wb_color bg, const wb_rect *rects,
                              int count);
void render_end_tile(render *r);
/* Target back on the canvas and clip back on the tile, without clearing it. */
void render_restore_tile(render *r, wb_rect rect);
void render_clear(render *r);            /* whole frame to the background (after resize) */
void render_present(render *r);
unsigned long render_presented_frames(const render *r);

/* The last presented frame as a PNG (IMG_SavePNG). 0, or -1 with err. */
int render_screenshot(render *r, const char *path, char *err, size_t err_size);

#endif
