/* loader.h: finding and loading plugin shared objects with dlopen, and checking their ABI.
 * It never calls a plugin's callbacks except the entry function. */
#ifndef WB_LOADER_H
#define WB_LOADER_H

#include <stddef.h>
#include <stdio.h>
#include <wallboard/plugin.h>

typedef struct loaded_plugin {
    char *name;                  /* from the file name, owned */
    char *path;                  /* owned */
    void *handle;                /* dlopen handle */
    wb_plugin_descriptor desc;   /* the plugin's descriptor, copied into a zeroed struct of
                                  * the host's size, so missing tail members are NULL */
} loaded_plugin;

/* Plugin search path: the ordered list of folders to look in. */
typedef struct plugin_path {
    char **dirs;
    size_t count;
} plugin_path;

/* Append a folder (copied). 0 or -1. */
int plugin_path_add(plugin_path *p, const char *dir);
/* Append each folder of a ':'-separated list (e.g. $WALLBOARD_PLUGIN_PATH). */
int plugin_path_add_list(plugin_path *p, const char *list);
void plugin_path_free(plugin_path *p);

/* First DIR/NAME.so on the path that exists; caller frees. NULL if none. */
char *loader_find(const plugin_path *p, const char *name);
/* Whether NAME.so is on the plugin path `p` (a plugin_path *): config_load's "known" check. */
int loader_knows(const char *name, void *p);

/* Check a descriptor against the host's ABI. 0, or -1 with a message naming both versions
 * (e.g. "plugin ABI 2.0, host ABI 1.0: incompatible major version"). */
int loader_check_abi(const wb_plugin_descriptor *d, char *err, size_t err_size);

/* dlopen `path`, find the entry, check ABI, required callbacks and name == file name.
 * Before any code of it runs, the file and its folder must be writable by nobody but root and
 * the wall's user (owned by root or the effective user, not world-writable, group-writable only
 * by the user's own group); otherwise it is refused, e.g. "plugin dir /x is world-writable
 * (mode 0777): refusing counter.so" or "refusing /x/counter.so: the file is world-writable
 * (mode 0666)". The file checked with fstat is the one dlopen reads (via /proc/self/fd/N).
 * On success 0 and *out filled (free with loader_close). On failure -1 and a one-line reason
 * in err (dlerror text included), *out zeroed. Main thread only. */
int loader_open(const char *path, loaded_plugin *out, char *err, size_t err_size);
void loader_close(loaded_plugin *p);

/* --list-plugins: one line per NAME.so on the path: "NAME  VERSION  ABI X.Y  PATH  DESCRIPTION"
 * or "NAME  cannot load: REASON" (a refused folder or file too, with why).
 * Returns the number of plugins that load. */
int loader_list(const plugin_path *p, FILE *out);

#endif
