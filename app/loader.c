/* loader.c: finds plugin shared objects on the search path, dlopens them and checks their ABI.
 * It must never call a plugin callback other than the entry function (create runs in tiles.c). */
#include "loader.h"
#include "error.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ABI 1.0 descriptors must reach at least to `render`, the last required callback: a shorter
 * one cannot be a correct 1.0 descriptor, whatever its header says. Later members (tick,
 * report, anything since 1.1) are optional, so a plugin built with an older, shorter
 * descriptor still loads and sees them as NULL. */
#define DESCRIPTOR_MIN_SIZE \
    (offsetof(wb_plugin_descriptor, render) + sizeof(((wb_plugin_descriptor *)0)->render))

static const char PLUGIN_SUFFIX[] = ".so";
#define PLUGIN_SUFFIX_LEN (sizeof PLUGIN_SUFFIX - 1)

/* Writes a one-line message into the caller's buffer; tolerates a NULL or empty buffer so that
 * callers that only care about success can pass none. */
/* ---- search path ---------------------------------------------------------------------- */

int plugin_path_add(plugin_path *p, const char *dir)
{
    if (!p || !dir || !*dir) return -1;
    char *copy = strdup(dir);
    if (!copy) return -1;
    char **grown = realloc(p->dirs, (p->count + 1) * sizeof *grown);
    if (!grown) {
        free(copy);
        return -1;
    }
    p->dirs = grown;
    p->dirs[p->count++] = copy; /* owned by p, freed in plugin_path_free */
    return 0;
}

/* Empty entries ("a::b", a trailing ':') are skipped instead of meaning the current folder as
 * they would in $PATH: loading code from wherever the wall was started is never wanted. */
int plugin_path_add_list(plugin_path *p, const char *list)
{
    if (!p) return -1;
    if (!list) return 0;
    const char *start = list;
    for (;;) {
        const char *end = strchr(start, ':');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        if (len > 0) {
            char *dir = strndup(start, len);
            if (!dir) return -1;
            int rc = plugin_path_add(p, dir);
            free(dir);
            if (rc != 0) return -1;
        }
        if (!end) return 0;
        start = end + 1;
    }
}

void plugin_path_free(plugin_path *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->count; i++) free(p->dirs[i]);
    free(p->dirs);
    p->dirs = NULL;
    p->count = 0;
}

/* "DIR/FILE" without doubling a trailing slash of DIR; caller frees. */
static char *join_path(const char *dir, const char *file)
{
    size_t dir_len = strlen(dir);
    const char *sep = (dir_len > 0 && dir[dir_len - 1] == '/') ? "" : "/";
    size_t size = dir_len + strlen(sep) + strlen(file) + 1;
    char *path = malloc(size);
    if (path) snprintf(path, size, "%s%s%s", dir, sep, file);
    return path;
}

/* A plugin name is one file name: never a path that could escape the plugin folders, never a
 * hidden file. */
static int plugin_name_is_safe(const char *name)
{
    return name && *name && name[0] != '.' && !strchr(name, '/');
}

static int is_regular_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *loader_find(const plugin_path *p, const char *name)
{
    if (!p || !plugin_name_is_safe(name)) return NULL;
    size_t file_size = strlen(name) + PLUGIN_SUFFIX_LEN + 1;
    char *file = malloc(file_size);
    if (!file) return NULL;
    snprintf(file, file_size, "%s%s", name, PLUGIN_SUFFIX);

    char *found = NULL;
    for (size_t i = 0; i < p->count && !found; i++) {
        char *candidate = join_path(p->dirs[i], file);
        if (candidate && is_regular_file(candidate)) found = candidate; /* to the caller */
        else free(candidate);
    }
    free(file);
    return found;
}

/* ---- ABI ------------------------------------------------------------------------------ */

/* Reads only size, abi_major and abi_minor: the one part of a descriptor every ABI version
 * promises to keep in place. */
int loader_check_abi(const wb_plugin_descriptor *d, char *err, size_t err_size)
{
    if (!d) {
        set_error(err, err_size, "no plugin descriptor");
        return -1;
    }
    unsigned major = d->abi_major, minor = d->abi_minor;
    if (major != WB_ABI_MAJOR) {
        set_error(err, err_size,
                  "plugin ABI %u.%u, host ABI %d.%d: incompatible major version; "
                  "rebuild the plugin against wallboard/plugin.h %d.x",
                  major, minor, WB_ABI_MAJOR, WB_ABI_MINOR, WB_ABI_MAJOR);
        return -1;
    }
    if (minor > WB_ABI_MINOR) {
        set_error(err, err_size,
                  "plugin ABI %u.%u is newer than host ABI %d.%d; upgrade the wallboard",
                  major, minor, WB_ABI_MAJOR, WB_ABI_MINOR);
        return -1;
    }
    if (d->size < DESCRIPTOR_MIN_SIZE) {
        set_error(err, err_size,
                  "plugin ABI %u.%u descriptor is %u bytes, smaller than the %zu bytes "
                  "host ABI %d.%d requires; rebuild the plugin",
                  major, minor, (unsigned)d->size, DESCRIPTOR_MIN_SIZE, WB_ABI_MAJOR,
                  WB_ABI_MINOR);
        return -1;
    }
    return 0;
}

/* ---- loading -------------------------------------------------------------------------- */

/* The plugin name a file must declare: its base name without ".so"; caller frees. */
static char *name_from_path(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t len = strlen(base);
    if (len > PLUGIN_SUFFIX_LEN && strcmp(base + len - PLUGIN_SUFFIX_LEN, PLUGIN_SUFFIX) == 0)
        len -= PLUGIN_SUFFIX_LEN;
    return strndup(base, len);
}

/* dlerror() usually starts with the path again ("PATH: invalid ELF header"); drop that echo
 * so the message names the file once. */
static const char *dlerror_reason(const char *dl_path)
{
    const char *text = dlerror();
    if (!text) return "unknown dlopen error";
    size_t len = strlen(dl_path);
    if (strncmp(text, dl_path, len) == 0 && strncmp(text + len, ": ", 2) == 0) return text + len + 2;
    return text;
}

/* The first required callback the descriptor lacks, or NULL if it has them all. */
static const char *missing_required_callback(const wb_plugin_descriptor *d)
{
    if (!d->create) return "create";
    if (!d->destroy) return "destroy";
    if (!d->on_message) return "on_message";
    if (!d->render) return "render";
    return NULL;
}

/* dlsym returns an object pointer; ISO C has no cast from it to a function pointer, so copy
 * the bits (what POSIX guarantees to work). */
static wb_plugin_entry_fn find_entry(void *handle)
{
    dlerror(); /* clear a stale error so a NULL below is unambiguous */
    void *symbol = dlsym(handle, WB_PLUGIN_ENTRY_SYMBOL);
    if (!symbol) return NULL;
    wb_plugin_entry_fn entry;
    memcpy(&entry, &symbol, sizeof entry);
    return entry;
}

/* Checks everything but the dlopen itself, and fills out->desc. 0, or -1 with err filled. */
static int adopt_descriptor(loaded_plugin *out, char *err, size_t err_size)
{
    const char *path = out->path;
    wb_plugin_entry_fn entry = find_entry(out->handle);
    if (!entry) {
        set_error(err, err_size, "%s: no entry symbol %s (is it a wallboard plugin?)", path,
                  WB_PLUGIN_ENTRY_SYMBOL);
        return -1;
    }
    const wb_plugin_descriptor *d = entry();
    if (!d) {
        set_error(err, err_size, "%s: %s() returned no descriptor", path, WB_PLUGIN_ENTRY_SYMBOL);
        return -1;
    }
    char abi_err[256];
    if (loader_check_abi(d, abi_err, sizeof abi_err) != 0) {
        set_error(err, err_size, "%s: %s", path, abi_err);
        return -1;
    }

    /* A plugin built against an older minor has a shorter descriptor: copy only what it has,
     * so the members it does not know stay NULL in our zeroed copy. */
    memset(&out->desc, 0, sizeof out->desc);
    size_t copy = d->size < sizeof out->desc ? d->size : sizeof out->desc;
    memcpy(&out->desc, d, copy);

    const char *declared = out->desc.name;
    if (!declared || !*declared) {
        set_error(err, err_size, "%s: plugin descriptor has no name", path);
        return -1;
    }
    if (strcmp(declared, out->name) != 0) {
        set_error(err, err_size,
                  "%s: plugin calls itself \"%s\" but its file is %s.so; the name must equal "
                  "the file name",
                  path, declared, out->name);
        return -1;
    }
    const char *missing = missing_required_callback(&out->desc);
    if (missing) {
        set_error(err, err_size, "plugin %s: missing required callback %s", out->name, missing);
        return -1;
    }
    return 0;
}

int loader_open(const char *path, loaded_plugin *out, char *err, size_t err_size)
{
    if (!out) return -1;
    memset(out, 0, sizeof *out);
    if (!path || !*path) {
        set_error(err, err_size, "cannot load a plugin without a path");
        return -1;
    }

    /* dlopen("x.so") searches the system library path, not the current folder: anchor a
     * bare file name so we load the file that was meant and never a namesake elsewhere. */
    char *dl_path = strchr(path, '/') ? strdup(path) : join_path(".", path);
    out->path = strdup(path);
    out->name = name_from_path(path);
    if (!dl_path || !out->path || !out->name) {
        set_error(err, err_size, "cannot load %s: out of memory", path);
        goto fail;
    }

    out->handle = dlopen(dl_path, RTLD_NOW | RTLD_LOCAL);
    if (!out->handle) {
        set_error(err, err_size, "cannot load %s: %s", path, dlerror_reason(dl_path));
        goto fail;
    }
    if (adopt_descriptor(out, err, err_size) != 0) goto fail;

    free(dl_path);
    return 0;

fail:
    free(dl_path);
    loader_close(out);
    return -1;
}

void loader_close(loaded_plugin *p)
{
    if (!p) return;
    if (p->handle) dlclose(p->handle);
    free(p->name);
    free(p->path);
    memset(p, 0, sizeof *p);
}

/* ---- listing -------------------------------------------------------------------------- */

typedef struct plugin_file {
    char *name;     /* owned */
    char *path;     /* owned */
    size_t order;   /* position of its folder on the path, then of discovery: first wins */
} plugin_file;

typedef struct plugin_files {
    plugin_file *items;
    size_t count, capacity;
} plugin_files;

static void plugin_files_free(plugin_files *files)
{
    for (size_t i = 0; i < files->count; i++) {
        free(files->items[i].name);
        free(files->items[i].path);
    }
    free(files->items);
}

/* Takes ownership of name and path (freed on failure too). */
static int plugin_files_push(plugin_files *files, char *name, char *path)
{
    if (!name || !path) goto fail;
    if (files->count == files->capacity) {
        size_t capacity = files->capacity ? files->capacity * 2 : 16;
        plugin_file *grown = realloc(files->items, capacity * sizeof *grown);
        if (!grown) goto fail;
        files->items = grown;
        files->capacity = capacity;
    }
    files->items[files->count] = (plugin_file){name, path, files->count};
    files->count++;
    return 0;
fail:
    free(name);
    free(path);
    return -1;
}

/* Every "NAME.so" regular file of one folder. A folder that does not exist is no error: the
 * default path names places (the install folder) that a development tree lacks. */
static int collect_folder(const char *dir, plugin_files *files)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int rc = 0;
    struct dirent *entry;
    while (rc == 0 && (entry = readdir(d)) != NULL) {
        const char *file = entry->d_name;
        size_t len = strlen(file);
        if (file[0] == '.' || len <= PLUGIN_SUFFIX_LEN ||
            strcmp(file + len - PLUGIN_SUFFIX_LEN, PLUGIN_SUFFIX) != 0)
            continue;
        char *path = join_path(dir, file);
        if (!path) {
            rc = -1;
            break;
        }
        if (!is_regular_file(path)) {
            free(path);
            continue;
        }
        rc = plugin_files_push(files, strndup(file, len - PLUGIN_SUFFIX_LEN), path);
    }
    closedir(d);
    return rc;
}

static int compare_plugin_files(const void *a, const void *b)
{
    const plugin_file *x = a, *y = b;
    int by_name = strcmp(x->name, y->name);
    if (by_name != 0) return by_name;
    return (x->order > y->order) - (x->order < y->order);
}

static int list_one(const plugin_file *file, FILE *out)
{
    loaded_plugin plugin;
    char err[512];
    if (loader_open(file->path, &plugin, err, sizeof err) != 0) {
        fprintf(out, "%s  cannot load: %s\n", file->name, err);
        return 0;
    }
    const wb_plugin_descriptor *d = &plugin.desc;
    fprintf(out, "%s  %s  ABI %u.%u  %s  %s\n", plugin.name, d->version ? d->version : "?",
            (unsigned)d->abi_major, (unsigned)d->abi_minor, plugin.path,
            d->description ? d->description : "");
    loader_close(&plugin);
    return 1;
}

int loader_list(const plugin_path *p, FILE *out)
{
    if (!p || !out) return 0;
    plugin_files files = {0};
    for (size_t i = 0; i < p->count; i++) {
        if (collect_folder(p->dirs[i], &files) != 0) {
            fprintf(out, "cannot list plugins: out of memory\n");
            break;
        }
    }
    /* Sorted by name, then by path order, so the first folder's copy of a name comes first
     * and shadows the others, exactly as loader_find would pick it. */
    if (files.count > 1) /* qsort's array must not be NULL, even for 0 items */
        qsort(files.items, files.count, sizeof *files.items, compare_plugin_files);
    int loadable = 0;
    for (size_t i = 0; i < files.count; i++) {
        if (i > 0 && strcmp(files.items[i].name, files.items[i - 1].name) == 0) continue;
        loadable += list_one(&files.items[i], out);
    }
    plugin_files_free(&files);
    return loadable;
}
