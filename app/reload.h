/* reload.h: hot reload: the config file and plugin files are watched (watch.h); a valid config
 * replaces the running one keeping what did not change, an invalid one shows a banner. */
#ifndef WB_RELOAD_H
#define WB_RELOAD_H

#include "host.h"

/* Watches w->config.path and every folder of the plugin path; wakes the main loop through
 * render_wake. Without inotify the wall runs on, unwatched (a warning says so). */
void reload_watch_start(wall *w);
/* Main loop, after every wait: applies what the watch reported (nothing if nothing did).
 * Returns 1 if the wall changed (a new config, a banner, plugins re-created). */
int reload_poll(wall *w);
/* Loads w->config.path again: valid, the wall switches to it (see tiles_apply_config and
 * feedset_apply); invalid, the old config runs on and its errors become the banner and log
 * lines. 0 if switched, -1 if rejected. */
int reload_config(wall *w);
void reload_watch_stop(wall *w);

#endif
