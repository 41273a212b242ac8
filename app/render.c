/* render.c: the wall's output (fullscreen window or headless surface), its persistent frame
 * buffer, events and screenshots. Never stands in an invisible window for a missing display. */
#include "render.h"
#include "error.h"

#include <SDL.h>
#include <SDL_image.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

/* render_request_quit only sets a flag (it may run in a signal handler); render_wait returns
 * at least this often so the caller sees it and its own signal flags. */
#define WAIT_SLICE_MS 200
#define NO_DISPLAY_MSG \
    "no display: DISPLAY and WAYLAND_DISPLAY are unset; run on a display or use --headless"

/* SDL's user event ids are process-wide; registered once, read by render_wake from any thread. */
static atomic_uint wake_event_type;

struct render {
    SDL_Window *window;    /* owned; NULL when headless */
    SDL_Renderer *ren;     /* owned */
    SDL_Surface *surface;  /* owned; the headless canvas (the software renderer draws on it) */
    SDL_Texture *canvas;   /* owned; the windowed canvas of a GPU renderer, kept between frames */
    int direct;            /* windowed software renderer: draws on the window framebuffer itself */
    Uint32 init_flags;     /* subsystems this render initialised */
    int headless;
    int w, h;
    wb_color bg;
    unsigned long frames;
    atomic_int wake_pending;  /* a wake event is queued and not yet seen by render_wait */
    volatile sig_atomic_t quit_requested;
    /* Headless has no window system to wait on: SDL would poll its queue every millisecond.
     * It sleeps in poll() on this self-pipe instead, written by wakes and signal handlers. */
    int wake_pipe[2];
};

static int open_wake_pipe(render *r, char *err, size_t err_size);

static int env_set(const char *name)
{
    const char *v = getenv(name);
    return v && *v;
}

static Uint32 wake_type(void)
{
    unsigned type = atomic_load(&wake_event_type);
    if (type == 0) {
        unsigned fresh = SDL_RegisterEvents(1);
        if (fresh == (Uint32)-1)
            return 0;
        /* Two first opens racing would register twice; keep whichever was stored first. */
        if (!atomic_compare_exchange_strong(&wake_event_type, &type, fresh))
            return type;
        type = fresh;
    }
    return type;
}

/* ---- canvas --------------------------------------------------------------------------- */

/* A canvas of the output's current size, made the render target. On failure the old canvas
 * (if any) stays the target: stretched by render_present, better than nothing. */
static int canvas_create(render *r, char *err, size_t err_size)
{
    int w, h;
    if (r->headless)
        return 0; /* the surface is the canvas */
    /* With a target set SDL reports the target's size, not the window's. */
    SDL_SetRenderTarget(r->ren, NULL);
    if (SDL_GetRendererOutputSize(r->ren, &w, &h) != 0) {
        set_error(err, err_size, "SDL_GetRendererOutputSize: %s", SDL_GetError());
        goto fail;
    }
    if (r->direct) {
        /* The software renderer draws into the window's own framebuffer, which keeps its
         * pixels between presents: a second frame buffer (33 MB at 4K) would only be copied. */
        r->w = w;
        r->h = h;
        return 0;
    }
    if (r->canvas && w == r->w && h == r->h) {
        SDL_SetRenderTarget(r->ren, r->canvas); /* e.g. the first SIZE_CHANGED of fullscreen */
        return 0;
    }
    SDL_Texture *canvas = SDL_CreateTexture(r->ren, SDL_PIXELFORMAT_ARGB8888,
                                            SDL_TEXTUREACCESS_TARGET, w, h);
    if (!canvas) {
        set_error(err, err_size, "cannot create the %dx%d frame buffer: %s", w, h, SDL_GetError());
        goto fail;
    }
    if (SDL_SetRenderTarget(r->ren, canvas) != 0) {
        set_error(err, err_size, "SDL_SetRenderTarget: %s", SDL_GetError());
        SDL_DestroyTexture(canvas);
        goto fail;
    }
    if (r->canvas)
        SDL_DestroyTexture(r->canvas);
    r->canvas = canvas;
    r->w = w;
    r->h = h;
    return 0;
fail:
    if (r->canvas)
        SDL_SetRenderTarget(r->ren, r->canvas);
    return -1;
}

void render_clear(render *r)
{
    if (!r)
        return;
    SDL_RenderSetClipRect(r->ren, NULL);
    SDL_SetRenderDrawBlendMode(r->ren, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(r->ren, r->bg.r, r->bg.g, r->bg.b, 255);
    SDL_RenderClear(r->ren);
}

/* ---- open / close --------------------------------------------------------------------- */

static int open_headless(render *r, const render_options *opt, char *err, size_t err_size)
{
    if (SDL_InitSubSystem(SDL_INIT_EVENTS) != 0) {
        set_error(err, err_size, "SDL_Init(EVENTS): %s", SDL_GetError());
        return -1;
    }
    r->init_flags = SDL_INIT_EVENTS;
    r->surface = SDL_CreateRGBSurfaceWithFormat(0, opt->width, opt->height, 32,
                                                SDL_PIXELFORMAT_ARGB8888);
    if (!r->surface) {
        set_error(err, err_size, "cannot create a %dx%d surface: %s", opt->width, opt->height,
                SDL_GetError());
        return -1;
    }
    r->ren = SDL_CreateSoftwareRenderer(r->surface);
    if (!r->ren) {
        set_error(err, err_size, "SDL_CreateSoftwareRenderer: %s", SDL_GetError());
        return -1;
    }
    r->w = opt->width;
    r->h = opt->height;
    return 0;
}

static int check_video_driver(char *err, size_t err_size)
{
    const char *driver = SDL_GetCurrentVideoDriver();
    if (!driver || strcmp(driver, "offscreen") == 0 || strcmp(driver, "dummy") == 0) {
        set_error(err, err_size, "no display: SDL's \"%s\" video driver shows nothing (check "
                "DISPLAY, WAYLAND_DISPLAY and SDL_VIDEODRIVER); run on a display or use "
                "--headless", driver ? driver : "none");
        return -1;
    }
    return 0;
}

static int create_window(render *r, const render_options *opt, char *err, size_t err_size)
{
    int display = opt->display;
    if (display < 0 || display >= SDL_GetNumVideoDisplays()) {
        set_error(err, err_size, "display %d does not exist (%d display(s))", display,
                SDL_GetNumVideoDisplays());
        return -1;
    }
    const char *title = opt->title ? opt->title : "wallboard";
    if (opt->windowed) {
        r->window = SDL_CreateWindow(title, SDL_WINDOWPOS_CENTERED_DISPLAY(display),
                                     SDL_WINDOWPOS_CENTERED_DISPLAY(display), opt->width,
                                     opt->height, SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    } else {
        SDL_Rect b;
        if (SDL_GetDisplayBounds(display, &b) != 0) {
            set_error(err, err_size, "SDL_GetDisplayBounds(%d): %s", display, SDL_GetError());
            return -1;
        }
        r->window = SDL_CreateWindow(title, SDL_WINDOWPOS_UNDEFINED_DISPLAY(display),
                                     SDL_WINDOWPOS_UNDEFINED_DISPLAY(display), b.w, b.h,
                                     SDL_WINDOW_FULLSCREEN_DESKTOP | SDL_WINDOW_ALLOW_HIGHDPI);
    }
    if (!r->window) {
        set_error(err, err_size, "SDL_CreateWindow: %s", SDL_GetError());
        return -1;
    }
    if (!opt->windowed)
        SDL_ShowCursor(SDL_DISABLE); /* nobody points at a wall */
    return 0;
}

static int open_window(render *r, const render_options *opt, char *err, size_t err_size)
{
    if (!env_set("DISPLAY") && !env_set("WAYLAND_DISPLAY") && !env_set("SDL_VIDEODRIVER")) {
        set_error(err, err_size, NO_DISPLAY_MSG);
        return -1;
    }
    /* The software renderer presents through a GL texture by default (~7 ms a 1080p frame);
     * a plain window framebuffer takes ~1.2 ms. SDL_SetHint yields to a user's environment
     * variable, and unlike setenv() it is safe while other threads read the environment. */
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        set_error(err, err_size, "SDL_Init(VIDEO): %s (is DISPLAY or WAYLAND_DISPLAY right? or "
                "use --headless)", SDL_GetError());
        return -1;
    }
    r->init_flags = SDL_INIT_VIDEO;
    if (check_video_driver(err, err_size) != 0 || create_window(r, opt, err, err_size) != 0)
        return -1;
    SDL_DisableScreenSaver(); /* a wall must never blank */
    /* The software renderer by default: the same pixels as --headless, and faster here than
     * GL through llvmpipe (a frame is mostly one canvas copy). SDL_RENDER_DRIVER=opengl in
     * the environment overrides it on machines with a real GPU. */
    SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
    r->ren = SDL_CreateRenderer(r->window, -1, SDL_RENDERER_TARGETTEXTURE);
    if (!r->ren) {
        set_error(err, err_size, "SDL_CreateRenderer: %s", SDL_GetError());
        return -1;
    }
    SDL_RendererInfo info;
    r->direct = SDL_GetRendererInfo(r->ren, &info) == 0 && strcmp(info.name, "software") == 0;
    return canvas_create(r, err, err_size);
}

render *render_open(const render_options *opt, char *err, size_t err_size)
{
    render *r = NULL;
    if (!opt || ((opt->headless || opt->windowed) && (opt->width <= 0 || opt->height <= 0))) {
        set_error(err, err_size, "render_open: a headless or windowed output needs width and height");
        return NULL;
    }
    r = calloc(1, sizeof *r);
    if (!r) {
        set_error(err, err_size, "out of memory");
        return NULL;
    }
    r->headless = opt->headless;
    r->bg = opt->background;
    atomic_init(&r->wake_pending, 0);
    r->quit_requested = 0;
    r->wake_pipe[0] = r->wake_pipe[1] = -1;
    if (opt->headless && open_wake_pipe(r, err, err_size) != 0)
        goto fail;
    if ((opt->headless ? open_headless(r, opt, err, err_size)
                       : open_window(r, opt, err, err_size)) != 0)
        goto fail;
    if (wake_type() == 0) {
        set_error(err, err_size, "SDL_RegisterEvents: no user event left");
        goto fail;
    }
    /* PNG screenshots; without it IMG_SavePNG still works through SDL_image's own writer. */
    IMG_Init(IMG_INIT_PNG);
    render_clear(r);
    return r;
fail:
    render_close(r);
    return NULL;
}

void render_close(render *r)
{
    if (!r)
        return;
    if (r->canvas)
        SDL_DestroyTexture(r->canvas);
    if (r->ren)
        SDL_DestroyRenderer(r->ren);
    if (r->window)
        SDL_DestroyWindow(r->window);
    if (r->surface)
        SDL_FreeSurface(r->surface);
    for (int i = 0; i < 2; i++)
        if (r->wake_pipe[i] >= 0)
            close(r->wake_pipe[i]);
    if (r->init_flags) {
        SDL_QuitSubSystem(r->init_flags); /* reference counted: another render may be open */
        if (SDL_WasInit(SDL_INIT_EVERYTHING) == 0) {
            IMG_Quit();
            SDL_Quit(); /* the last one out also frees SDL's hints and globals */
        }
    }
    free(r);
}

SDL_Renderer *render_renderer(render *r)
{
    return r ? r->ren : NULL;
}

void render_size(const render *r, int *width, int *height)
{
    if (width)
        *width = r ? r->w : 0;
    if (height)
        *height = r ? r->h : 0;
}

/* ---- events --------------------------------------------------------------------------- */

static int window_event(render *r, const SDL_WindowEvent *we)
{
    switch (we->event) {
    case SDL_WINDOWEVENT_CLOSE:
        return RENDER_EV_QUIT;
    case SDL_WINDOWEVENT_SIZE_CHANGED: {
        /* A canvas of the new size; on failure the old one is stretched, better than nothing. */
        if (canvas_create(r, NULL, 0) == 0)
            render_clear(r);
        return RENDER_EV_RESIZED;
    }
    case SDL_WINDOWEVENT_EXPOSED:
    case SDL_WINDOWEVENT_SHOWN:
    case SDL_WINDOWEVENT_RESTORED:
        return RENDER_EV_EXPOSED;
    default:
        return 0;
    }
}

static int handle_event(render *r, const SDL_Event *ev)
{
    if (ev->type == SDL_QUIT)
        return RENDER_EV_QUIT;
    if (ev->type == SDL_WINDOWEVENT && r->window &&
        ev->window.windowID == SDL_GetWindowID(r->window))
        return window_event(r, &ev->window);
    if (ev->type == SDL_RENDER_TARGETS_RESET || ev->type == SDL_RENDER_DEVICE_RESET) {
        /* The canvas contents are gone (e.g. a Direct3D/GL device loss): redraw everything. */
        if (ev->type == SDL_RENDER_DEVICE_RESET) {
            SDL_DestroyTexture(r->canvas); /* already invalid; make a new one of any size */
            r->canvas = NULL;
            canvas_create(r, NULL, 0);
        }
        return RENDER_EV_RESIZED;
    }
    if (ev->type != 0 && ev->type == atomic_load(&wake_event_type)) {
        /* Cleared before the caller does its work, so a wake during that work is not lost. */
        atomic_store(&r->wake_pending, 0);
        return RENDER_EV_WAKE;
    }
    return 0;
}

static int drain_events(render *r)
{
    SDL_Event ev;
    int mask = 0;
    while (SDL_PollEvent(&ev))
        mask |= handle_event(r, &ev);
    return mask;
}

static int open_wake_pipe(render *r, char *err, size_t err_size)
{
    if (pipe(r->wake_pipe) != 0)
        return set_error(err, err_size, "cannot create the wake pipe");
    for (int i = 0; i < 2; i++) {
        fcntl(r->wake_pipe[i], F_SETFL, fcntl(r->wake_pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(r->wake_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    return 0;
}

/* Async-signal-safe: write() only; a full pipe already means "wake up". */
static void poke_pipe(render *r)
{
    char byte = 1;
    if (r->wake_pipe[1] >= 0 && write(r->wake_pipe[1], &byte, 1) < 0) {
        /* EAGAIN: plenty of wakes are pending already */
    }
}

/* Headless: sleep in poll() until a wake, a signal's poke or the timeout. */
static int wait_headless(render *r, int timeout_ms)
{
    struct pollfd pfd = {.fd = r->wake_pipe[0], .events = POLLIN};
    if (poll(&pfd, 1, timeout_ms) <= 0)
        return 0;
    char buf[64];
    while (read(r->wake_pipe[0], buf, sizeof buf) > 0) {
    }
    /* Cleared before the caller does its work, so a wake during that work is not lost. */
    atomic_store(&r->wake_pending, 0);
    return RENDER_EV_WAKE;
}

/* With a window, "up to" timeout_ms: one wait never lasts more than WAIT_SLICE_MS, even with
 * -1, and may return 0 early. Flags that signal handlers set cannot wake SDL's wait, so they
 * are seen at the latest one slice later. Headless waits the whole timeout, woken by the pipe. */
int render_wait(render *r, int timeout_ms)
{
    if (!r)
        return RENDER_EV_QUIT;
    int mask = drain_events(r);
    if (mask == 0 && !r->quit_requested && timeout_ms != 0) {
        if (r->wake_pipe[0] >= 0) {
            mask |= wait_headless(r, timeout_ms);
        } else {
            int slice = timeout_ms < 0 || timeout_ms > WAIT_SLICE_MS ? WAIT_SLICE_MS : timeout_ms;
            SDL_Event ev;
            if (SDL_WaitEventTimeout(&ev, slice)) {
                mask |= handle_event(r, &ev);
                mask |= drain_events(r);
            }
        }
    }
    if (r->quit_requested)
        mask |= RENDER_EV_QUIT;
    return mask;
}

void render_wake(render *r)
{
    if (!r || atomic_exchange(&r->wake_pending, 1))
        return; /* one is already on its way */
    if (r->wake_pipe[1] >= 0) {
        poke_pipe(r);
        return;
    }
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = atomic_load(&wake_event_type);
    if (SDL_PushEvent(&ev) != 1)
        atomic_store(&r->wake_pending, 0); /* queue full or filtered: let the next wake retry */
}

void render_wake_ctx(void *r)
{
    render_wake(r);
}

void render_interrupt(render *r)
{
    if (r)
        poke_pipe(r);
}

void render_request_quit(render *r)
{
    if (!r)
        return;
    r->quit_requested = 1; /* only flags and write(): we may be inside a signal handler */
    poke_pipe(r);
}

/* ---- frames --------------------------------------------------------------------------- */

void render_begin_tile(render *r, wb_rect rect, wb_color bg)
{
    render_begin_tile_refill(r, rect, bg, &rect, 1);
}

void render_begin_tile_refill(render *r, wb_rect rect, wb_color bg, const wb_rect *rects,
                              int count)
{
    if (!r)
        return;
    SDL_Rect clip = {rect.x, rect.y, rect.w, rect.h};
    SDL_RenderSetClipRect(r->ren, &clip);
    SDL_SetRenderDrawBlendMode(r->ren, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(r->ren, bg.r, bg.g, bg.b, bg.a);
    for (int i = 0; i < count; i++) {
        SDL_Rect part = {rects[i].x, rects[i].y, rects[i].w, rects[i].h};
        if (part.w > 0 && part.h > 0)
            SDL_RenderFillRect(r->ren, &part);
    }
}

void render_restore_tile(render *r, wb_rect rect)
{
    if (!r)
        return;
    if (r->canvas && SDL_GetRenderTarget(r->ren) != r->canvas)
        SDL_SetRenderTarget(r->ren, r->canvas);
    SDL_Rect clip = {rect.x, rect.y, rect.w, rect.h};
    SDL_RenderSetClipRect(r->ren, &clip);
}

void render_end_tile(render *r)
{
    if (r)
        SDL_RenderSetClipRect(r->ren, NULL);
}

void render_present(render *r)
{
    if (!r)
        return;
    if (r->canvas) {
        /* The whole canvas to the window; the canvas itself stays as it is for the next frame. */
        SDL_SetRenderTarget(r->ren, NULL);
        SDL_RenderSetClipRect(r->ren, NULL);
        SDL_SetTextureBlendMode(r->canvas, SDL_BLENDMODE_NONE);
        SDL_RenderCopy(r->ren, r->canvas, NULL, NULL);
        SDL_RenderPresent(r->ren);
        SDL_SetRenderTarget(r->ren, r->canvas);
    } else {
        SDL_RenderPresent(r->ren); /* headless: flushes the software renderer's queue */
    }
    r->frames++;
}

unsigned long render_presented_frames(const render *r)
{
    return r ? r->frames : 0;
}

int render_screenshot(render *r, const char *path, char *err, size_t err_size)
{
    if (!r || !path) {
        set_error(err, err_size, "render_screenshot: no renderer or path");
        return -1;
    }
    SDL_Surface *shot = SDL_CreateRGBSurfaceWithFormat(0, r->w, r->h, 32,
                                                       SDL_PIXELFORMAT_ARGB8888);
    if (!shot) {
        set_error(err, err_size, "screenshot: %s", SDL_GetError());
        return -1;
    }
    /* Reads the render target: the canvas (GPU), the window framebuffer or the surface. */
    if (SDL_RenderReadPixels(r->ren, NULL, SDL_PIXELFORMAT_ARGB8888, shot->pixels,
                             shot->pitch) != 0) {
        set_error(err, err_size, "screenshot: SDL_RenderReadPixels: %s", SDL_GetError());
        goto fail;
    }
    /* The canvas is opaque; make sure the PNG is too, whatever alpha tiles left behind. */
    SDL_SetSurfaceBlendMode(shot, SDL_BLENDMODE_NONE);
    for (int y = 0; y < shot->h; y++) {
        Uint32 *row = (Uint32 *)((Uint8 *)shot->pixels + (size_t)y * (size_t)shot->pitch);
        for (int x = 0; x < shot->w; x++)
            row[x] |= 0xFF000000u;
    }
    if (IMG_SavePNG(shot, path) != 0) {
        set_error(err, err_size, "cannot write %s: %s", path, IMG_GetError());
        goto fail;
    }
    SDL_FreeSurface(shot);
    return 0;
fail:
    SDL_FreeSurface(shot);
    return -1;
}
