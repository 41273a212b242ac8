/* watch.h: inotify on the folders of the config file and of the plugins, so the wall notices a
 * saved config or a rebuilt plugin. A thread debounces bursts and wakes the main loop. No SDL. */
#ifndef WB_WATCH_H
#define WB_WATCH_H

#include <stddef.h>

typedef struct watch watch;

/* Quiet time after the last event of a burst before it is reported: editors and `install`
 * write, rename and chmod in several steps. */
#define WATCH_QUIET_MS 250

/* NULL with err when inotify or the thread cannot be had. `wake` is called from the watch
 * thread after a burst (thread-safe, like render_wake). Free with watch_close. */
watch *watch_open(void (*wake)(void *ctx), void *wake_ctx, char *err, size_t err_size);
/* Watches the folder of `file` for that one name: WATCH_CONFIG is reported when it is written,
 * replaced (renamed over), created or deleted. 0 or -1 with err. Main thread. */
int watch_file(watch *w, const char *file, char *err, size_t err_size);
/* Watches folder `dir` for NAME.so files written, replaced, created or deleted (reported by
 * NAME). A folder that does not exist is skipped (returns 0). 0 or -1 with err. Main thread. */
int watch_plugin_dir(watch *w, const char *dir, char *err, size_t err_size);

#define WATCH_CONFIG 1
#define WATCH_PLUGINS 2
/* Main thread: what changed since the last call (WATCH_* bits, 0 if nothing). With
 * WATCH_PLUGINS, *names gets the plugin names (without ".so"), *count of them; the caller
 * frees each and the array. names may be NULL to drop them. */
int watch_take(watch *w, char ***names, size_t *count);
/* Stops the thread, closes inotify. Safe on NULL. */
void watch_close(watch *w);

#endif
