/* loader.c: finds plugin shared objects on the search path, dlopens them and checks their ABI.
 * It must never call a plugin callback other than the entry function (create runs in tiles.c). */
#define _GNU_SOURCE /* dlinfo */
#include "loader.h"
#include "error.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

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

int loader_knows(const char *name, void *p)
{
    char *path = loader_find(p, name);
    free(path);
    return path != NULL;
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

/* ---- who may have written it --------------------------------------------------------- */

/* dlopen runs a plugin's code with the wall's rights, so a plugin file and its folder must be
 * writable by nobody but root and the wall's own user: owned by root or by the effective user,
 * not world-writable (a sticky bit does not help: anyone could still add NAME.so files), and
 * group-writable only when the group is the effective user's own group or root's. 0, or -1 with
 * the reason ("world-writable (mode 0777)") in why. */
static int check_writers(const struct stat *st, char *why, size_t why_size)
{
    uid_t uid = geteuid();
    gid_t gid = getegid();
    unsigned mode = (unsigned)(st->st_mode & 07777);
    if (st->st_uid != 0 && st->st_uid != uid)
        return set_error(why, why_size,
                         "owned by uid %u, neither root nor the wall's user (uid %u)",
                         (unsigned)st->st_uid, (unsigned)uid);
    if (st->st_mode & S_IWOTH)
        return set_error(why, why_size, "world-writable (mode %04o)", mode);
    if ((st->st_mode & S_IWGRP) && st->st_gid != 0 && st->st_gid != gid)
        return set_error(why, why_size,
                         "group-writable (mode %04o) by gid %u, not the wall's own group (gid %u)",
                         mode, (unsigned)st->st_gid, (unsigned)gid);
    return 0;
}

/* ---- dlopen through the checked file descriptor ----------------------------------------- */

/* The checks above are made with fstat on the opened folder and file, and dlopen then reads
 * that very file through /proc/self/fd/N, so nobody can swap it in between. glibc, however,
 * first matches a dlopen name against the names of the objects already loaded, and every
 * "/proc/self/fd/N" that ever loaded something stays such a name while that object is loaded,
 * though N may since name another file. So the loader remembers which file (device and inode)
 * each object it loaded came from; when the name is already taken by an object of another file
 * (or of unknown origin) it moves to a fresh descriptor number. Main thread only. */
typedef struct loaded_file {
    void *handle;
    dev_t dev;
    ino_t ino;
} loaded_file;

static loaded_file *loaded_files;
static size_t loaded_file_count, loaded_file_capacity;

static loaded_file *loaded_file_of(void *handle)
{
    for (size_t i = 0; i < loaded_file_count; i++)
        if (loaded_files[i].handle == handle) return &loaded_files[i];
    return NULL;
}

/* A handle new to glibc (its address may be that of an object unloaded since): (re)record it. */
static int remember_file(void *handle, const struct stat *st)
{
    loaded_file *known = loaded_file_of(handle);
    if (!known) {
        if (loaded_file_count == loaded_file_capacity) {
            size_t capacity = loaded_file_capacity ? loaded_file_capacity * 2 : 16;
            loaded_file *grown = realloc(loaded_files, capacity * sizeof *grown);
            if (!grown) return -1;
            loaded_files = grown;
            loaded_file_capacity = capacity;
        }
        known = &loaded_files[loaded_file_count++];
    }
    *known = (loaded_file){handle, st->st_dev, st->st_ino};
    return 0;
}

/* Whether a loaded object (not loaded by us, or since reused) comes from the file in st: known
 * by the loader, or loaded under a real path that names that file. */
static int same_file(void *handle, const struct stat *st)
{
    const loaded_file *known = loaded_file_of(handle);
    if (known) return known->dev == st->st_dev && known->ino == st->st_ino;
    struct link_map *map = NULL;
    struct stat other;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || !map || !map->l_name ||
        strncmp(map->l_name, "/proc/", 6) == 0 || stat(map->l_name, &other) != 0)
        return 0;
    return other.st_dev == st->st_dev && other.st_ino == st->st_ino;
}

#define MAX_FD_TRIES 64

enum { FD_OPENED, FD_NO_PROC, FD_FAILED };

/* dlopen the file open on fd (fstat'ed into st) as "/proc/self/fd/N", written to dl_path.
 * FD_OPENED: *handle set, or NULL with dlerror() to tell why. FD_NO_PROC: /proc/self/fd is not
 * there. FD_FAILED: no fresh name could be had (or out of memory), why in err. */
static int dlopen_fd(int fd, const struct stat *st, char *dl_path, size_t dl_path_size,
                     void **handle, char *err, size_t err_size)
{
    int held[MAX_FD_TRIES];
    size_t held_count = 0;
    int rc = FD_OPENED;
    *handle = NULL;
    for (;;) {
        snprintf(dl_path, dl_path_size, "/proc/self/fd/%d", fd);
        struct stat via_proc;
        if (stat(dl_path, &via_proc) != 0 || via_proc.st_dev != st->st_dev ||
            via_proc.st_ino != st->st_ino) {
            rc = FD_NO_PROC;
            break;
        }
        void *existing = dlopen(dl_path, RTLD_LAZY | RTLD_NOLOAD);
        if (existing) {
            int same = same_file(existing, st);
            dlclose(existing);
            if (same) {
                *handle = dlopen(dl_path, RTLD_NOW | RTLD_LOCAL); /* one reference more */
                break;
            }
            /* the name is another file's: try the next descriptor number */
            int next = held_count < MAX_FD_TRIES ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
            if (next < 0) {
                set_error(err, err_size, "no free descriptor to load it through");
                rc = FD_FAILED;
                break;
            }
            held[held_count++] = next;
            fd = next;
            continue;
        }
        *handle = dlopen(dl_path, RTLD_NOW | RTLD_LOCAL);
        if (*handle && remember_file(*handle, st) != 0) {
            dlclose(*handle);
            *handle = NULL;
            set_error(err, err_size, "out of memory");
            rc = FD_FAILED;
        }
        break;
    }
    for (size_t i = 0; i < held_count; i++) close(held[i]);
    return rc;
}

/* The file open on `fd` copied to a folder of its own (0700, under $XDG_RUNTIME_DIR or /tmp)
 * with the same base name, so that what the wall maps is a private copy: a plugin file that
 * someone overwrites in place (cp onto it) while the wall runs would otherwise change the code
 * under the running wall, which faults (SIGBUS) or runs garbage. The copy keeps the base name so
 * debuggers and valgrind name it as the plugin. Returns a read-only descriptor of the copy, with
 * `copy` and `copy_dir` filled for private_copy_remove, or -1 (why in err). */
static int private_copy(int fd, const char *base, char *copy_dir, size_t dir_size, char *copy,
                        size_t copy_size, char *err, size_t err_size)
{
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    const char *parent = runtime && runtime[0] == '/' && access(runtime, W_OK | X_OK) == 0
                             ? runtime
                             : "/tmp";
    int n = snprintf(copy_dir, dir_size, "%s/wallboard-plugin-XXXXXX", parent);
    if (n < 0 || (size_t)n >= dir_size || !mkdtemp(copy_dir)) {
        copy_dir[0] = '\0';
        return set_error(err, err_size, "no private folder for a copy in %s: %s", parent,
                         strerror(errno));
    }
    n = snprintf(copy, copy_size, "%s/%s", copy_dir, base);
    int out = n < 0 || (size_t)n >= copy_size
                  ? -1
                  : open(copy, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0) {
        set_error(err, err_size, "cannot copy it to %s: %s", copy_dir, strerror(errno));
        goto fail;
    }
    char buf[65536];
    off_t at = 0;
    for (;;) {
        ssize_t got = pread(fd, buf, sizeof buf, at);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            set_error(err, err_size, "cannot read it: %s", strerror(errno));
            goto fail_out;
        }
        if (got == 0) break;
        for (ssize_t done = 0; done < got;) {
            ssize_t put = write(out, buf + done, (size_t)(got - done));
            if (put < 0 && errno == EINTR) continue;
            if (put < 0) {
                set_error(err, err_size, "cannot copy it to %s: %s", copy_dir, strerror(errno));
                goto fail_out;
            }
            done += put;
        }
        at += got;
    }
    if (close(out) != 0) {
        out = -1;
        set_error(err, err_size, "cannot copy it to %s: %s", copy_dir, strerror(errno));
        goto fail;
    }
    int in = open(copy, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        set_error(err, err_size, "cannot open its copy %s: %s", copy, strerror(errno));
        goto fail;
    }
    return in;
fail_out:
    close(out);
fail:
    if (copy[0]) unlink(copy);
    rmdir(copy_dir);
    copy_dir[0] = copy[0] = '\0';
    return -1;
}

/* Once dlopen mapped it, the copy's name is no longer needed: the mapping keeps it. */
static void private_copy_remove(char *copy_dir, char *copy)
{
    if (copy[0]) unlink(copy);
    if (copy_dir[0]) rmdir(copy_dir);
    copy_dir[0] = copy[0] = '\0';
}

/* dlopen error texts that mean the copy's folder forbids mapping code (mounted noexec). */
static int mapping_refused(const char *reason)
{
    return reason && (strstr(reason, "failed to map segment") || strstr(reason, "Operation not permitted"));
}

/* Opens path's folder and then the file in it, checks who may write either, and dlopens a
 * private copy of the file through its descriptor (the file itself if no copy can be made).
 * 0 with out->handle set, or -1 with err filled. */
static int open_checked(const char *path, loaded_plugin *out, char *err, size_t err_size)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char *dir = !slash         ? strdup(".")
                : slash == path ? strdup("/")
                                : strndup(path, (size_t)(slash - path));
    if (!dir) return set_error(err, err_size, "cannot load %s: out of memory", path);

    char why[160];
    struct stat st;
    int rc = -1, fd = -1;
    int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) {
        set_error(err, err_size, "cannot load %s: %s", path, strerror(errno));
        goto done;
    }
    if (fstat(dir_fd, &st) != 0) {
        set_error(err, err_size, "cannot load %s: %s", path, strerror(errno));
        goto done;
    }
    if (check_writers(&st, why, sizeof why) != 0) {
        set_error(err, err_size, "plugin dir %s is %s: refusing %s", dir, why, base);
        goto done;
    }
    fd = openat(dir_fd, base, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0 || fstat(fd, &st) != 0) {
        set_error(err, err_size, "cannot load %s: %s", path, strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        set_error(err, err_size, "cannot load %s: not a regular file", path);
        goto done;
    }
    if (check_writers(&st, why, sizeof why) != 0) {
        set_error(err, err_size, "refusing %s: the file is %s", path, why);
        goto done;
    }

    char dl_path[64], fd_err[64], copy_dir[PATH_MAX], copy[PATH_MAX + 256], why_copy[256];
    copy_dir[0] = copy[0] = why_copy[0] = '\0';
    int how = FD_FAILED;
    int copy_fd = private_copy(fd, base, copy_dir, sizeof copy_dir, copy, sizeof copy, why_copy,
                               sizeof why_copy);
    struct stat copy_st;
    if (copy_fd >= 0 && fstat(copy_fd, &copy_st) == 0) {
        how = dlopen_fd(copy_fd, &copy_st, dl_path, sizeof dl_path, &out->handle, fd_err,
                        sizeof fd_err);
        if (how == FD_OPENED && !out->handle)
            snprintf(why_copy, sizeof why_copy, "%s", dlerror_reason(dl_path));
    }
    if (copy_fd >= 0) close(copy_fd);
    if (copy_fd < 0)
        log_limited(WB_LOG_WARN, "loader", "loader:copy", "%s: loaded in place: %s", path,
                    why_copy);
    else if (how == FD_OPENED && !out->handle && mapping_refused(why_copy))
        log_limited(WB_LOG_WARN, "loader", "loader:noexec", "plugins are loaded in place: %s "
                    "does not allow mapping code", copy_dir);
    private_copy_remove(copy_dir, copy);
    if (how == FD_OPENED && !out->handle && !mapping_refused(why_copy)) {
        set_error(err, err_size, "cannot load %s: %s", path, why_copy);
        goto done;
    }
    if (!out->handle) /* no copy could be made or mapped: the checked file itself */
        how = dlopen_fd(fd, &st, dl_path, sizeof dl_path, &out->handle, fd_err, sizeof fd_err);
    if (how == FD_FAILED) {
        set_error(err, err_size, "cannot load %s: %s", path, fd_err);
        goto done;
    }
    if (how == FD_NO_PROC) {
        /* No /proc: dlopen the path. The folder and the file were checked just now and nobody
         * else may write either, so only a writable parent of the folder could swap the file in
         * between. Anchor a bare name: dlopen("x.so") would search the system library path. */
        char *anchored = slash ? strdup(path) : join_path(".", path);
        if (!anchored) {
            set_error(err, err_size, "cannot load %s: out of memory", path);
            goto done;
        }
        out->handle = dlopen(anchored, RTLD_NOW | RTLD_LOCAL);
        if (!out->handle)
            set_error(err, err_size, "cannot load %s: %s", path, dlerror_reason(anchored));
        free(anchored);
        if (!out->handle) goto done;
    } else if (!out->handle) {
        set_error(err, err_size, "cannot load %s: %s", path, dlerror_reason(dl_path));
        goto done;
    }
    rc = 0;

done:
    if (fd >= 0) close(fd);
    if (dir_fd >= 0) close(dir_fd);
    free(dir);
    return rc;
}

int loader_open(const char *path, loaded_plugin *out, char *err, size_t err_size)
{
    if (!out) return -1;
    memset(out, 0, sizeof *out);
    if (!path || !*path) {
        set_error(err, err_size, "cannot load a plugin without a path");
        return -1;
    }

    out->path = strdup(path);
    out->name = name_from_path(path);
    if (!out->path || !out->name) {
        set_error(err, err_size, "cannot load %s: out of memory", path);
        goto fail;
    }
    if (open_checked(path, out, err, err_size) != 0) goto fail;
    if (adopt_descriptor(out, err, err_size) != 0) goto fail;
    return 0;

fail:
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
