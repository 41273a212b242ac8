/* watch.c: one inotify descriptor on folders (never on files: editors and cp/install replace a
 * file by rename, which a watch on the file would lose), read by a thread that waits for a burst
 * to go quiet, then hands the changed names to the main thread and wakes it. */
#include "watch.h"
#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "log.h"

/* A burst never grows this list without bound (a build writing 1000 files): past it, the
 * extra names are dropped with a log line. */
#define WATCH_NAMES_MAX 64
#define WATCH_EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM | \
                      IN_ATTRIB)

typedef struct watched {
    int wd;
    char *file;           /* the config's base name, or NULL: a plugin folder (*.so) */
} watched;

struct watch {
    int fd;
    int stop_pipe[2];
    pthread_t thread;
    int thread_running;
    void (*wake)(void *ctx);
    void *wake_ctx;

    pthread_mutex_t lock; /* guards everything below */
    watched *items;
    size_t item_count;
    int pending;          /* WATCH_* bits of the current burst (thread) */
    char *pending_names[WATCH_NAMES_MAX];
    size_t pending_count;
    int ready;            /* WATCH_* bits of finished bursts, for watch_take */
    char *ready_names[WATCH_NAMES_MAX];
    size_t ready_count;
};

static void add_name(char **names, size_t *count, const char *name, size_t len)
{
    for (size_t i = 0; i < *count; i++)
        if (strlen(names[i]) == len && !strncmp(names[i], name, len)) return;
    if (*count >= WATCH_NAMES_MAX) {
        log_limited(WB_LOG_WARN, "watch", "watch:names", "more than %d plugins changed at "
                    "once: some are not reloaded", WATCH_NAMES_MAX);
        return;
    }
    char *copy = strndup(name, len);
    if (copy) names[(*count)++] = copy;
}

/* Under lock: one event into the current burst. */
static void note_event(watch *w, const struct inotify_event *ev)
{
    if (!ev->len) return;
    for (size_t i = 0; i < w->item_count; i++) {
        const watched *it = &w->items[i];
        if (it->wd != ev->wd) continue;
        if (it->file) {
            if (!strcmp(it->file, ev->name)) w->pending |= WATCH_CONFIG;
            continue;
        }
        size_t len = strlen(ev->name);
        if (len > 3 && !strcmp(ev->name + len - 3, ".so")) {
            w->pending |= WATCH_PLUGINS;
            add_name(w->pending_names, &w->pending_count, ev->name, len - 3);
        }
    }
}

/* Under lock: the burst is over; what it changed becomes ready. */
static int publish(watch *w)
{
    if (!w->pending) return 0;
    w->ready |= w->pending;
    for (size_t i = 0; i < w->pending_count; i++) {
        add_name(w->ready_names, &w->ready_count, w->pending_names[i],
                 strlen(w->pending_names[i]));
        free(w->pending_names[i]);
    }
    w->pending_count = 0;
    w->pending = 0;
    return 1;
}

static void *watch_thread(void *arg)
{
    watch *w = arg;
    prctl(PR_SET_NAME, "wb-watch");
    _Alignas(struct inotify_event) char buf[4096];
    int timeout = -1;
    for (;;) {
        struct pollfd p[2] = {{.fd = w->fd, .events = POLLIN}, {.fd = w->stop_pipe[0],
                                                                .events = POLLIN}};
        int n = poll(p, 2, timeout);
        if (n < 0 && errno != EINTR) break;
        if (p[1].revents) break;
        if (n == 0) {
            /* Quiet for WATCH_QUIET_MS: report the burst. */
            pthread_mutex_lock(&w->lock);
            int any = publish(w);
            pthread_mutex_unlock(&w->lock);
            if (any && w->wake) w->wake(w->wake_ctx);
            timeout = -1;
            continue;
        }
        if (!(p[0].revents & POLLIN)) continue;
        ssize_t len = read(w->fd, buf, sizeof buf);
        if (len <= 0) continue;
        pthread_mutex_lock(&w->lock);
        for (char *at = buf; at < buf + len;) {
            const struct inotify_event *ev = (const struct inotify_event *)(void *)at;
            if (ev->mask & IN_Q_OVERFLOW) w->pending |= WATCH_CONFIG;
            note_event(w, ev);
            at += sizeof *ev + ev->len;
        }
        pthread_mutex_unlock(&w->lock);
        timeout = WATCH_QUIET_MS;
    }
    return NULL;
}

watch *watch_open(void (*wake)(void *ctx), void *wake_ctx, char *err, size_t err_size)
{
    watch *w = calloc(1, sizeof *w);
    if (!w) {
        set_error(err, err_size, "out of memory");
        return NULL;
    }
    w->wake = wake;
    w->wake_ctx = wake_ctx;
    w->stop_pipe[0] = w->stop_pipe[1] = -1;
    pthread_mutex_init(&w->lock, NULL);
    w->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (w->fd < 0 || pipe(w->stop_pipe) != 0) {
        set_error(err, err_size, "inotify: %s", strerror(errno));
        watch_close(w);
        return NULL;
    }
    fcntl(w->stop_pipe[0], F_SETFD, FD_CLOEXEC);
    fcntl(w->stop_pipe[1], F_SETFD, FD_CLOEXEC);
    if (pthread_create(&w->thread, NULL, watch_thread, w) != 0) {
        set_error(err, err_size, "cannot start the watch thread");
        watch_close(w);
        return NULL;
    }
    w->thread_running = 1;
    return w;
}

static int add_watch(watch *w, const char *dir, const char *file, char *err, size_t err_size)
{
    int wd = inotify_add_watch(w->fd, dir, WATCH_EVENTS | IN_ONLYDIR);
    if (wd < 0) {
        if (!file && (errno == ENOENT || errno == ENOTDIR)) return 0;
        return set_error(err, err_size, "cannot watch %s: %s", dir, strerror(errno));
    }
    char *copy = file ? strdup(file) : NULL;
    pthread_mutex_lock(&w->lock);
    watched *grown = realloc(w->items, (w->item_count + 1) * sizeof *grown);
    if (grown) {
        w->items = grown;
        w->items[w->item_count++] = (watched){wd, copy};
    }
    pthread_mutex_unlock(&w->lock);
    if (!grown || (file && !copy)) {
        free(copy);
        return set_error(err, err_size, "out of memory");
    }
    return 0;
}

int watch_file(watch *w, const char *file, char *err, size_t err_size)
{
    const char *slash = strrchr(file, '/');
    char dir[PATH_MAX];
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == file) snprintf(dir, sizeof dir, "/");
    else snprintf(dir, sizeof dir, "%.*s", (int)(slash - file), file);
    return add_watch(w, dir, slash ? slash + 1 : file, err, err_size);
}

int watch_plugin_dir(watch *w, const char *dir, char *err, size_t err_size)
{
    return add_watch(w, dir, NULL, err, err_size);
}

int watch_take(watch *w, char ***names, size_t *count)
{
    if (names) *names = NULL;
    if (count) *count = 0;
    if (!w) return 0;
    pthread_mutex_lock(&w->lock);
    int what = w->ready;
    w->ready = 0;
    char **out = NULL;
    if (names && w->ready_count) out = calloc(w->ready_count, sizeof *out);
    for (size_t i = 0; i < w->ready_count; i++) {
        if (out) out[i] = w->ready_names[i];
        else free(w->ready_names[i]);
    }
    if (out) {
        *names = out;
        *count = w->ready_count;
    }
    w->ready_count = 0;
    pthread_mutex_unlock(&w->lock);
    return what;
}

void watch_close(watch *w)
{
    if (!w) return;
    if (w->thread_running) {
        ssize_t ignored = write(w->stop_pipe[1], "x", 1);
        (void)ignored;
        pthread_join(w->thread, NULL);
    }
    if (w->fd >= 0) close(w->fd);
    if (w->stop_pipe[0] >= 0) close(w->stop_pipe[0]);
    if (w->stop_pipe[1] >= 0) close(w->stop_pipe[1]);
    for (size_t i = 0; i < w->item_count; i++) free(w->items[i].file);
    free(w->items);
    for (size_t i = 0; i < w->pending_count; i++) free(w->pending_names[i]);
    for (size_t i = 0; i < w->ready_count; i++) free(w->ready_names[i]);
    pthread_mutex_destroy(&w->lock);
    free(w);
}
