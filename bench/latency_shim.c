/* latency_shim: an LD_PRELOAD library that measures feed-to-pixel latency and start-up time of an
 * unmodified wallboard, until the host records them itself (see docs/BENCHMARKS.md).
 *
 * How: the wall's main thread releases each message right after dispatching it to the tiles
 * (feeds_drain: fn(), then json_decref -> json_delete). This shim interposes json_delete and
 * SDL_RenderPresent (both called through the PLT of the wallboard executable):
 *  - json_delete on the main thread of an object with an integer "sent_us": the message was
 *    dispatched; its send time is queued;
 *  - SDL_RenderPresent returning on the main thread: the frame that contains every message
 *    dispatched before it is on the canvas; latency = realtime now - sent_us, per message.
 * json_delete on another thread is a message the hand-over dropped (counted, never shown).
 * Environment: BENCH_LATENCY_OUT=FILE (JSON summary at exit), BENCH_T0_NS and
 * BENCH_STARTUP_OUT=FILE (CLOCK_MONOTONIC ns from BENCH_T0_NS to the first present returning). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#define BIN_US 10
#define BINS 200000             /* 10 us bins up to 2 s; beyond: counted in the last bin */
#define PENDING_MAX (1u << 20)

typedef struct SDL_Renderer SDL_Renderer;

static pthread_t g_main;
static void (*real_present)(SDL_Renderer *);
static void (*real_delete)(json_t *);
static const char *g_out, *g_startup_out;
static uint64_t g_t0_ns;

/* Main thread only. */
static int64_t *g_pending;
static size_t g_pending_len;
static uint64_t g_pending_lost;
static uint32_t g_hist[BINS];
static uint64_t g_samples, g_frames, g_frames_with_samples, g_max_us, g_sum_us;
static int64_t g_min_us = -1;
static int g_first_present_done;
static uint64_t g_main_deletes;
static atomic_ullong g_other_deletes;

/* dlsym returns an object pointer; ISO C has no cast to a function pointer: copy the bits. */
static void next_symbol(const char *name, void *fn_ptr, size_t size)
{
    void *sym = dlsym(RTLD_NEXT, name);
    memcpy(fn_ptr, &sym, size);
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int64_t real_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

__attribute__((constructor)) static void shim_init(void)
{
    g_main = pthread_self();
    next_symbol("SDL_RenderPresent", &real_present, sizeof real_present);
    next_symbol("json_delete", &real_delete, sizeof real_delete);
    g_out = getenv("BENCH_LATENCY_OUT");
    g_startup_out = getenv("BENCH_STARTUP_OUT");
    const char *t0 = getenv("BENCH_T0_NS");
    g_t0_ns = t0 ? strtoull(t0, NULL, 10) : 0;
    if (g_out)
        g_pending = malloc(PENDING_MAX * sizeof *g_pending);
}

void json_delete(json_t *json)
{
    if (json && json_is_object(json)) {
        json_t *sent = json_object_get(json, "sent_us");
        if (json_is_integer(sent)) {
            if (pthread_equal(pthread_self(), g_main)) {
                g_main_deletes++;
                if (g_pending && g_pending_len < PENDING_MAX)
                    g_pending[g_pending_len++] = (int64_t)json_integer_value(sent);
                else
                    g_pending_lost++;
            } else {
                atomic_fetch_add(&g_other_deletes, 1);
            }
        }
    }
    if (!real_delete)
        next_symbol("json_delete", &real_delete, sizeof real_delete);
    real_delete(json);
}

void SDL_RenderPresent(SDL_Renderer *r)
{
    if (!real_present)
        next_symbol("SDL_RenderPresent", &real_present, sizeof real_present);
    real_present(r);
    if (!pthread_equal(pthread_self(), g_main))
        return;
    if (!g_first_present_done) {
        g_first_present_done = 1;
        if (g_startup_out && g_t0_ns) {
            uint64_t dt = mono_ns() - g_t0_ns;
            FILE *f = fopen(g_startup_out, "w");
            if (f) {
                fprintf(f, "%llu\n", (unsigned long long)dt);
                fclose(f);
            }
        }
    }
    g_frames++;
    if (g_pending_len == 0)
        return;
    int64_t now = real_us();
    g_frames_with_samples++;
    for (size_t i = 0; i < g_pending_len; i++) {
        int64_t d = now - g_pending[i];
        if (d < 0)
            d = 0;
        size_t bin = (size_t)d / BIN_US;
        if (bin >= BINS)
            bin = BINS - 1;
        g_hist[bin]++;
        g_samples++;
        g_sum_us += (uint64_t)d;
        if ((uint64_t)d > g_max_us)
            g_max_us = (uint64_t)d;
        if (g_min_us < 0 || d < g_min_us)
            g_min_us = d;
    }
    g_pending_len = 0;
}

/* Upper edge of the bin holding the q-quantile, in microseconds. */
static uint64_t quantile(double q)
{
    if (!g_samples)
        return 0;
    uint64_t want = (uint64_t)(q * (double)g_samples);
    if (want >= g_samples)
        want = g_samples - 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < BINS; i++) {
        seen += g_hist[i];
        if (seen > want) {
            uint64_t edge = (uint64_t)(i + 1) * BIN_US;
            return edge < g_max_us ? edge : g_max_us;
        }
    }
    return g_max_us;
}

__attribute__((destructor)) static void shim_fini(void)
{
    if (!g_out)
        return;
    FILE *f = fopen(g_out, "w");
    if (!f)
        return;
    fprintf(f,
            "{\"samples\":%llu,\"frames\":%llu,\"frames_with_messages\":%llu,"
            "\"p50_us\":%llu,\"p90_us\":%llu,\"p99_us\":%llu,\"p999_us\":%llu,\"max_us\":%llu,"
            "\"min_us\":%lld,\"mean_us\":%.1f,\"dispatched\":%llu,\"dropped_in_handover\":%llu,"
            "\"not_presented\":%zu,\"lost\":%llu}\n",
            (unsigned long long)g_samples, (unsigned long long)g_frames,
            (unsigned long long)g_frames_with_samples, (unsigned long long)quantile(0.50),
            (unsigned long long)quantile(0.90), (unsigned long long)quantile(0.99),
            (unsigned long long)quantile(0.999), (unsigned long long)g_max_us,
            (long long)g_min_us, g_samples ? (double)g_sum_us / (double)g_samples : 0.0,
            (unsigned long long)g_main_deletes,
            (unsigned long long)atomic_load(&g_other_deletes), g_pending_len,
            (unsigned long long)g_pending_lost);
    fclose(f);
}
