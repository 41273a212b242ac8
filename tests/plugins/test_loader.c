/* test_loader.c: the plugin loader against purpose-built good and broken plugins.
 * Never touches build/plugins or the user's plugin folders: only WB_TEST_PLUGIN_DIR and temp dirs. */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "loader.h"

/* The ABI as the loader words it: these tests outlive a minor bump of the header. */
#define STR_(x) #x
#define STR(x) STR_(x)
#define MINOR STR(WB_ABI_MINOR)
#define HOST_ABI STR(WB_ABI_MAJOR) "." MINOR

#define PLUGIN(name) WB_TEST_PLUGIN_DIR "/" name ".so"

/* Fails the test, showing the whole message, unless `text` contains `part`. */
#define assert_contains(text, part) assert_contains_impl((text), (part), __FILE__, __LINE__)
static void assert_contains_impl(const char *text, const char *part, const char *file, int line)
{
    if (text && part && strstr(text, part)) return;
    print_error("\"%s\" does not contain \"%s\"\n", text ? text : "(null)", part ? part : "(null)");
    _fail(file, line);
}

static void assert_zeroed(const loaded_plugin *p)
{
    static const loaded_plugin zero;
    assert_memory_equal(p, &zero, sizeof zero);
}

/* Loads `path` expecting refusal; returns the message (static buffer). */
static const char *refusal(const char *path)
{
    static char err[512];
    loaded_plugin p;
    memset(&p, 0x5a, sizeof p); /* garbage in: the loader must zero it */
    err[0] = '\0';
    assert_int_equal(loader_open(path, &p, err, sizeof err), -1);
    assert_zeroed(&p);
    assert_true(strlen(err) > 0);
    assert_null(strchr(err, '\n')); /* one line: it is shown on an error tile */
    return err;
}

/* ---- broken plugins --------------------------------------------------------------------- */

static void test_abi_major2_refused_naming_both_versions(void **state)
{
    (void)state;
    const char *err = refusal(PLUGIN("abi_major2"));
    assert_contains(err, PLUGIN("abi_major2"));
    assert_contains(err, "plugin ABI 2." MINOR);
    assert_contains(err, "host ABI " HOST_ABI);
    assert_contains(err, "incompatible major version");
}

static void test_abi_minor_newer_refused_naming_both_versions(void **state)
{
    (void)state;
    char plugin_abi[32], host_abi[32];
    snprintf(plugin_abi, sizeof plugin_abi, "plugin ABI %d.%d is newer", WB_ABI_MAJOR,
             WB_ABI_MINOR + 1);
    snprintf(host_abi, sizeof host_abi, "host ABI %d.%d", WB_ABI_MAJOR, WB_ABI_MINOR);
    const char *err = refusal(PLUGIN("abi_minor_newer"));
    assert_contains(err, plugin_abi);
    assert_contains(err, host_abi);
    assert_contains(err, "upgrade the wallboard");
}

static void test_no_entry_refused(void **state)
{
    (void)state;
    const char *err = refusal(PLUGIN("no_entry"));
    assert_string_equal(err, PLUGIN("no_entry") ": no entry symbol wallboard_plugin_entry "
                                                "(is it a wallboard plugin?)");
}

static void test_null_entry_refused(void **state)
{
    (void)state;
    const char *err = refusal(PLUGIN("null_entry"));
    assert_contains(err, PLUGIN("null_entry"));
    assert_contains(err, "returned no descriptor");
}

static void test_no_render_refused(void **state)
{
    (void)state;
    assert_string_equal(refusal(PLUGIN("no_render")),
                        "plugin no_render: missing required callback render");
}

static void test_no_destroy_refused(void **state)
{
    (void)state;
    assert_string_equal(refusal(PLUGIN("no_destroy")),
                        "plugin no_destroy: missing required callback destroy");
}

static void test_wrong_name_refused(void **state)
{
    (void)state;
    const char *err = refusal(PLUGIN("wrong_name"));
    assert_contains(err, "\"not_wrong_name\"");
    assert_contains(err, "wrong_name.so");
    assert_contains(err, "must equal the file name");
}

static void test_descriptor_too_small_refused(void **state)
{
    (void)state;
    const char *err = refusal(PLUGIN("size_too_small"));
    assert_contains(err, "plugin ABI " HOST_ABI " descriptor is");
    assert_contains(err, "host ABI " HOST_ABI);
}

static void test_not_elf_refused_with_dlerror(void **state)
{
    (void)state;
    const char *err = refusal(PLUGIN("not_a_plugin"));
    assert_contains(err, "cannot load " PLUGIN("not_a_plugin") ": ");
    /* glibc says "invalid ELF header" or "file too short" depending on the size */
    assert_true(strstr(err, "ELF") || strstr(err, "too short"));
}

static void test_missing_file_refused(void **state)
{
    (void)state;
    const char *err = refusal(PLUGIN("does_not_exist"));
    assert_contains(err, "cannot load " PLUGIN("does_not_exist") ": ");
    assert_contains(err, "No such file");
}

/* A bare file name must mean the current folder, never a library on the system path. */
static void test_bare_file_name_is_relative_to_cwd(void **state)
{
    (void)state;
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(WB_TEST_PLUGIN_DIR), 0);
    loaded_plugin p;
    char err[512] = "";
    int rc = loader_open("good.so", &p, err, sizeof err);
    const char *libc_err = refusal("libc.so.6");
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rc, 0);
    assert_string_equal(p.name, "good");
    loader_close(&p);
    assert_contains(libc_err, "cannot load libc.so.6");
}

/* ---- good plugins ----------------------------------------------------------------------- */

/* Just enough of a host for create(): the test plugins use no services. */
struct wb_host {
    int unused;
};

static wb_tile_info test_tile(json_t *options, wb_host *host)
{
    static const wb_host_services services = {
        .size = sizeof(wb_host_services), .abi_major = WB_ABI_MAJOR, .abi_minor = WB_ABI_MINOR};
    return (wb_tile_info){.size = sizeof(wb_tile_info), .id = "t1", .title = "Test",
                          .options = options, .services = &services, .host = host};
}

static void test_good_loads_with_its_descriptor(void **state)
{
    (void)state;
    loaded_plugin p;
    char err[512] = "";
    assert_int_equal(loader_open(PLUGIN("good"), &p, err, sizeof err), 0);
    assert_string_equal(err, "");
    assert_string_equal(p.name, "good");
    assert_string_equal(p.path, PLUGIN("good"));
    assert_non_null(p.handle);
    assert_int_equal(p.desc.size, sizeof(wb_plugin_descriptor));
    assert_int_equal(p.desc.abi_major, WB_ABI_MAJOR);
    assert_int_equal(p.desc.abi_minor, WB_ABI_MINOR);
    assert_string_equal(p.desc.name, "good");
    assert_string_equal(p.desc.version, "1.0.0");
    assert_string_equal(p.desc.description, "loader test plugin good");
    assert_non_null(p.desc.create);
    assert_non_null(p.desc.destroy);
    assert_non_null(p.desc.on_message);
    assert_non_null(p.desc.render);
    assert_non_null(p.desc.tick);
    assert_non_null(p.desc.report);
    assert_null(p.desc.on_feed_state);

    /* the copy works: a full instance life through it */
    json_t *options = json_object();
    wb_host host = {0};
    wb_tile_info tile = test_tile(options, &host);
    void *self = p.desc.create(&tile, err, sizeof err);
    assert_non_null(self);
    json_t *message = json_pack("{s:i}", "value", 1);
    assert_int_equal(p.desc.on_message(self, message), WB_MSG_CHANGED);
    json_t *report = json_object();
    assert_int_equal(p.desc.report(self, report), 0);
    json_t *expected = json_pack("{s:i, s:i, s:b}", "renders", 0, "messages", 1, "ok", 1);
    assert_true(json_equal(report, expected));
    p.desc.destroy(self);
    json_decref(expected);
    json_decref(report);
    json_decref(message);
    json_decref(options);

    loader_close(&p);
    assert_zeroed(&p);
    loader_close(&p); /* closing twice is harmless */
}

static void test_older_descriptor_loads_without_tail(void **state)
{
    (void)state;
    loaded_plugin p;
    char err[512] = "";
    assert_int_equal(loader_open(PLUGIN("good_old"), &p, err, sizeof err), 0);
    assert_int_equal(p.desc.size, offsetof(wb_plugin_descriptor, report));
    assert_non_null(p.desc.tick);
    assert_null(p.desc.report); /* the plugin's static descriptor has one; its size says no */
    loader_close(&p);
}

/* The loader never calls create; the host does, and shows the plugin's reason. */
static void test_create_fails_loads_and_create_reports(void **state)
{
    (void)state;
    loaded_plugin p;
    char err[512] = "";
    assert_int_equal(loader_open(PLUGIN("create_fails"), &p, err, sizeof err), 0);
    json_t *options = json_object();
    wb_host host = {0};
    wb_tile_info tile = test_tile(options, &host);
    assert_null(p.desc.create(&tile, err, sizeof err));
    assert_string_equal(err, "sensor array offline");
    json_decref(options);
    loader_close(&p);
}

/* create() may return NULL without a word: the host then says so itself (tiles.c). */
static void test_create_null_silent_leaves_err_empty(void **state)
{
    (void)state;
    loaded_plugin p;
    char err[512] = "";
    assert_int_equal(loader_open(PLUGIN("create_null_silent"), &p, err, sizeof err), 0);
    json_t *options = json_object();
    wb_host host = {0};
    wb_tile_info tile = test_tile(options, &host);
    assert_null(p.desc.create(&tile, err, sizeof err));
    assert_string_equal(err, "");
    json_decref(options);
    loader_close(&p);
}

static void test_same_plugin_opened_twice(void **state)
{
    (void)state;
    loaded_plugin a, b;
    assert_int_equal(loader_open(PLUGIN("good"), &a, NULL, 0), 0);
    assert_int_equal(loader_open(PLUGIN("good"), &b, NULL, 0), 0);
    loader_close(&a);
    assert_string_equal(b.desc.name, "good"); /* still mapped: dlopen counts references */
    loader_close(&b);
}

/* ---- loader_check_abi ------------------------------------------------------------------- */

static void test_check_abi(void **state)
{
    (void)state;
    char err[256];
    wb_plugin_descriptor d = {WB_PLUGIN_DESCRIPTOR_INIT_HEADER};
    assert_int_equal(loader_check_abi(&d, err, sizeof err), 0);

    d.abi_major = 0;
    assert_int_equal(loader_check_abi(&d, err, sizeof err), -1);
    assert_contains(err, "plugin ABI 0." MINOR ", host ABI " HOST_ABI ": incompatible major version");

    d.abi_major = WB_ABI_MAJOR;
    d.abi_minor = WB_ABI_MINOR + 3;
    assert_int_equal(loader_check_abi(&d, err, sizeof err), -1);
    char newer[96];
    snprintf(newer, sizeof newer, "plugin ABI %d.%d is newer than host ABI %d.%d; upgrade the "
             "wallboard", WB_ABI_MAJOR, WB_ABI_MINOR + 3, WB_ABI_MAJOR, WB_ABI_MINOR);
    assert_contains(err, newer);

    d.abi_minor = WB_ABI_MINOR;
    d.size = offsetof(wb_plugin_descriptor, render) + sizeof d.render;
    assert_int_equal(loader_check_abi(&d, err, sizeof err), 0);
    d.size -= 1;
    assert_int_equal(loader_check_abi(&d, err, sizeof err), -1);
    d.size = 0;
    assert_int_equal(loader_check_abi(&d, err, sizeof err), -1);

    assert_int_equal(loader_check_abi(NULL, err, sizeof err), -1);
    assert_int_equal(loader_check_abi(&d, NULL, 0), -1); /* no buffer: still refuses */
}

/* ---- search path ------------------------------------------------------------------------ */

static void test_path_add_list(void **state)
{
    (void)state;
    plugin_path p = {0};
    assert_int_equal(plugin_path_add_list(&p, "/a:/b/c::/d:"), 0);
    assert_int_equal(p.count, 3);
    assert_string_equal(p.dirs[0], "/a");
    assert_string_equal(p.dirs[1], "/b/c");
    assert_string_equal(p.dirs[2], "/d");
    assert_int_equal(plugin_path_add_list(&p, NULL), 0);
    assert_int_equal(plugin_path_add_list(&p, ""), 0);
    assert_int_equal(plugin_path_add_list(&p, ":::"), 0);
    assert_int_equal(p.count, 3);
    assert_int_equal(plugin_path_add(&p, "/e"), 0);
    assert_int_equal(plugin_path_add(&p, ""), -1);
    assert_int_equal(p.count, 4);
    assert_string_equal(p.dirs[3], "/e");
    plugin_path_free(&p);
    assert_null(p.dirs);
    assert_int_equal(p.count, 0);
    plugin_path_free(&p);
}

/* A temporary folder tree for path tests; removed by remove_tree. */
typedef struct temp_tree {
    char root[64];
    char dir_a[96], dir_b[96];
} temp_tree;

static void write_file(const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("x\n", f);
    fclose(f);
}

static void make_tree(temp_tree *t)
{
    snprintf(t->root, sizeof t->root, "/tmp/wb_test_loader_XXXXXX");
    assert_non_null(mkdtemp(t->root));
    snprintf(t->dir_a, sizeof t->dir_a, "%s/a", t->root);
    snprintf(t->dir_b, sizeof t->dir_b, "%s/b/", t->root); /* trailing slash on purpose */
    assert_int_equal(mkdir(t->dir_a, 0700), 0);
    assert_int_equal(mkdir(t->dir_b, 0700), 0);
}

static void remove_tree(temp_tree *t)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->root);
    assert_int_equal(system(cmd), 0);
}

static void test_find_order(void **state)
{
    (void)state;
    temp_tree t;
    make_tree(&t);
    char path[256];
    snprintf(path, sizeof path, "%s/both.so", t.dir_a);
    write_file(path);
    snprintf(path, sizeof path, "%sboth.so", t.dir_b);
    write_file(path);
    snprintf(path, sizeof path, "%sonly_b.so", t.dir_b);
    write_file(path);
    snprintf(path, sizeof path, "%s/dir.so", t.dir_a);
    assert_int_equal(mkdir(path, 0700), 0); /* a folder is not a plugin */

    plugin_path p = {0};
    assert_int_equal(plugin_path_add(&p, "/nonexistent/wallboard"), 0);
    assert_int_equal(plugin_path_add(&p, t.dir_a), 0);
    assert_int_equal(plugin_path_add(&p, t.dir_b), 0);

    char *found = loader_find(&p, "both");
    snprintf(path, sizeof path, "%s/both.so", t.dir_a);
    assert_non_null(found);
    assert_string_equal(found, path);
    free(found);

    found = loader_find(&p, "only_b");
    snprintf(path, sizeof path, "%sonly_b.so", t.dir_b); /* no doubled slash */
    assert_non_null(found);
    assert_string_equal(found, path);
    free(found);

    assert_null(loader_find(&p, "missing"));
    assert_null(loader_find(&p, "dir"));
    assert_null(loader_find(&p, ""));
    assert_null(loader_find(&p, NULL));
    assert_null(loader_find(&p, "../a/both"));
    assert_null(loader_find(&p, "a/both"));
    assert_null(loader_find(&p, ".hidden"));

    plugin_path_free(&p);
    remove_tree(&t);
}

/* ---- loader_list ------------------------------------------------------------------------ */

/* Everything written to `f`, NUL-terminated; caller frees. */
static char *read_all(FILE *f)
{
    long size = ftell(f);
    assert_true(size >= 0);
    rewind(f);
    char *text = calloc(1, (size_t)size + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
    return text;
}

static void test_list_reports_good_and_reasons(void **state)
{
    (void)state;
    plugin_path p = {0};
    assert_int_equal(plugin_path_add(&p, WB_TEST_PLUGIN_DIR), 0);
    FILE *f = tmpfile();
    assert_non_null(f);
    int loadable = loader_list(&p, f);
    char *text = read_all(f);
    fclose(f);

    /* good, good_old, create_fails (its create is never called while listing), frame_timer,
     * and the plugin-fault ones that load: create_null_silent, report_fails, slow_render,
     * bad_services, crash_on_message */
    assert_int_equal(loadable, 9);
    assert_contains(text, "good  1.0.0  ABI " HOST_ABI "  " PLUGIN("good") "  loader test plugin good\n");
    assert_contains(text, "good_old  1.0.0  ABI " HOST_ABI "  " PLUGIN("good_old") "  ");
    assert_contains(text, "create_fails  1.0.0  ABI " HOST_ABI "  ");
    assert_contains(text, "abi_major2  cannot load: " PLUGIN("abi_major2") ": plugin ABI 2." MINOR);
    assert_contains(text, "abi_minor_newer  cannot load: ");
    assert_contains(text, "upgrade the wallboard");
    assert_contains(text, "no_entry  cannot load: " PLUGIN("no_entry") ": no entry symbol");
    assert_contains(text, "no_render  cannot load: plugin no_render: missing required callback "
                          "render\n");
    assert_contains(text, "no_destroy  cannot load: plugin no_destroy: missing required callback "
                          "destroy\n");
    assert_contains(text, "wrong_name  cannot load: ");
    assert_contains(text, "not_a_plugin  cannot load: cannot load " PLUGIN("not_a_plugin"));

    /* sorted by name */
    assert_true(strstr(text, "abi_major2  ") < strstr(text, "good  "));
    assert_true(strstr(text, "good  ") < strstr(text, "wrong_name  "));
    assert_true(text[0] == 'a');
    free(text);
    plugin_path_free(&p);
}

/* The first folder's NAME.so shadows later ones, as loader_find would choose. */
static void test_list_first_occurrence_wins(void **state)
{
    (void)state;
    temp_tree t;
    make_tree(&t);
    char shadow[256];
    snprintf(shadow, sizeof shadow, "%s/good.so", t.dir_a);
    assert_int_equal(symlink(PLUGIN("abi_major2"), shadow), 0);

    plugin_path p = {0};
    assert_int_equal(plugin_path_add(&p, t.dir_a), 0);
    assert_int_equal(plugin_path_add(&p, "/nonexistent/wallboard"), 0);
    assert_int_equal(plugin_path_add(&p, WB_TEST_PLUGIN_DIR), 0);
    FILE *f = tmpfile();
    assert_non_null(f);
    /* good_old, create_fails, frame_timer and the five plugin-fault ones that load */
    assert_int_equal(loader_list(&p, f), 8);
    char *text = read_all(f);
    fclose(f);

    assert_contains(text, "good  cannot load: ");
    assert_contains(text, shadow);
    assert_contains(text, "plugin ABI 2." MINOR);
    assert_null(strstr(text, "good  1.0.0"));
    const char *first = strstr(text, "\ngood  ");
    assert_non_null(first);
    assert_null(strstr(first + 1, "\ngood  ")); /* listed once */

    free(text);
    plugin_path_free(&p);
    remove_tree(&t);
}

static void test_list_empty_path(void **state)
{
    (void)state;
    plugin_path p = {0};
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(loader_list(&p, f), 0);
    assert_int_equal(ftell(f), 0);
    fclose(f);
}

/* ---- who may write a plugin: folder and file ------------------------------------------- */

/* Copies src to dst with the given mode (chmod'ed, so the umask does not matter). */
static void copy_file(const char *src, const char *dst, mode_t mode)
{
    FILE *in = fopen(src, "rb");
    assert_non_null(in);
    FILE *out = fopen(dst, "wb");
    assert_non_null(out);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) assert_int_equal(fwrite(buf, 1, n, out), n);
    assert_int_equal(ferror(in), 0);
    fclose(in);
    assert_int_equal(fclose(out), 0);
    assert_int_equal(chmod(dst, mode), 0);
}

/* Loads `path` expecting success; closes it again. */
static void loads(const char *path)
{
    loaded_plugin p;
    char err[512] = "";
    int rc = loader_open(path, &p, err, sizeof err);
    if (rc != 0) print_error("loader_open(%s): %s\n", path, err);
    assert_int_equal(rc, 0);
    assert_string_equal(p.desc.name, "good");
    loader_close(&p);
}

static void test_world_writable_dir_refused(void **state)
{
    (void)state;
    temp_tree t;
    make_tree(&t);
    char path[256], expected[256];
    snprintf(path, sizeof path, "%s/good.so", t.dir_a);
    copy_file(PLUGIN("good"), path, 0755);

    assert_int_equal(chmod(t.dir_a, 0755), 0);
    loads(path);

    assert_int_equal(chmod(t.dir_a, 0777), 0);
    snprintf(expected, sizeof expected,
             "plugin dir %s is world-writable (mode 0777): refusing good.so", t.dir_a);
    assert_string_equal(refusal(path), expected);

    /* the sticky bit (as on /tmp) does not make it a place for plugins */
    assert_int_equal(chmod(t.dir_a, 01777), 0);
    assert_contains(refusal(path), "world-writable (mode 1777)");

    /* --list-plugins says why too */
    plugin_path p = {0};
    assert_int_equal(plugin_path_add(&p, t.dir_a), 0);
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(loader_list(&p, f), 0);
    char *text = read_all(f);
    fclose(f);
    snprintf(expected, sizeof expected, "good  cannot load: plugin dir %s is world-writable",
             t.dir_a);
    assert_contains(text, expected);
    free(text);
    plugin_path_free(&p);

    assert_int_equal(chmod(t.dir_a, 0700), 0);
    remove_tree(&t);
}

static void test_world_writable_file_refused(void **state)
{
    (void)state;
    temp_tree t;
    make_tree(&t);
    char path[256], expected[400];
    snprintf(path, sizeof path, "%s/good.so", t.dir_a);
    copy_file(PLUGIN("good"), path, 0666);
    snprintf(expected, sizeof expected, "refusing %s: the file is world-writable (mode 0666)",
             path);
    assert_string_equal(refusal(path), expected);

    assert_int_equal(chmod(path, 0644), 0);
    loads(path);

    /* a symlink is judged by the file it leads to */
    char link[256];
    snprintf(link, sizeof link, "%sgood.so", t.dir_b);
    assert_int_equal(symlink(path, link), 0);
    loads(link);
    assert_int_equal(chmod(path, 0646), 0);
    assert_contains(refusal(link), "the file is world-writable (mode 0646)");
    remove_tree(&t);
}

/* Another user's plugin (or folder) needs root to make: skipped unless the test runs as root,
 * which then gives them to nobody (65534). */
static void test_other_owner_refused(void **state)
{
    (void)state;
    if (geteuid() != 0) skip();
    temp_tree t;
    make_tree(&t);
    char path[256], expected[400];
    snprintf(path, sizeof path, "%s/good.so", t.dir_a);
    copy_file(PLUGIN("good"), path, 0755);
    loads(path);

    assert_int_equal(chown(path, 65534, (gid_t)-1), 0);
    snprintf(expected, sizeof expected,
             "refusing %s: the file is owned by uid 65534, neither root nor the wall's user "
             "(uid 0)",
             path);
    assert_string_equal(refusal(path), expected);

    /* a group other than the user's own may not write it either */
    assert_int_equal(chown(path, 0, 65534), 0);
    assert_int_equal(chmod(path, 0775), 0);
    assert_contains(refusal(path), "the file is group-writable (mode 0775) by gid 65534");
    assert_int_equal(chmod(path, 0755), 0);
    loads(path); /* readable by that group is fine */

    assert_int_equal(chown(t.dir_a, 65534, (gid_t)-1), 0);
    assert_contains(refusal(path), "is owned by uid 65534, neither root nor the wall's user");
    remove_tree(&t);
}

/* glibc knows a loaded object by the name it was opened with, and "/proc/self/fd/N" may since
 * name another file: the loader must load the file it checked, never the stale namesake. */
static void test_descriptor_names_reused(void **state)
{
    (void)state;
    loaded_plugin a, b, c;
    assert_int_equal(loader_open(PLUGIN("good"), &a, NULL, 0), 0);
    assert_int_equal(loader_open(PLUGIN("good"), &b, NULL, 0), 0);
    loader_close(&a); /* good stays loaded (b), under a's descriptor name too */
    char err[512] = "";
    assert_int_equal(loader_open(PLUGIN("good_old"), &c, err, sizeof err), 0);
    assert_string_equal(c.desc.name, "good_old");
    assert_true(c.handle != b.handle);
    assert_string_equal(b.desc.name, "good");
    loader_close(&c);
    loader_close(&b);
}

/* A plugin already loaded by its path elsewhere in the process loads too, as its own copy. */
static void test_plugin_loaded_elsewhere(void **state)
{
    (void)state;
    void *elsewhere = dlopen(PLUGIN("good"), RTLD_NOW | RTLD_LOCAL);
    assert_non_null(elsewhere);
    loaded_plugin p;
    char err[512] = "";
    assert_int_equal(loader_open(PLUGIN("good"), &p, err, sizeof err), 0);
    assert_true(p.handle != elsewhere);
    assert_string_equal(p.desc.name, "good");
    loader_close(&p);
    dlclose(elsewhere);
}

/* Whether /proc/self/maps maps `path` (the file itself, not a copy). */
static int mapped(const char *path)
{
    FILE *f = fopen("/proc/self/maps", "r");
    assert_non_null(f);
    char line[4096];
    int found = 0;
    size_t len = strlen(path);
    while (fgets(line, sizeof line, f)) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        size_t n = strlen(line);
        found |= n >= len && strcmp(line + n - len, path) == 0 && line[n - len - 1] == ' ';
    }
    fclose(f);
    return found;
}

/* What is mapped is a private copy: the plugin file overwritten in place (cp onto it, as a
 * careless rebuild does) while the plugin is loaded changes nothing under the running code.
 * Mapping the file itself, the read of the plugin's name below would fault (SIGBUS). */
static void test_file_overwritten_in_place(void **state)
{
    (void)state;
    temp_tree t;
    make_tree(&t);
    char path[256];
    snprintf(path, sizeof path, "%s/good.so", t.dir_a);
    copy_file(PLUGIN("good"), path, 0755);
    loaded_plugin p;
    char err[512] = "";
    assert_int_equal(loader_open(path, &p, err, sizeof err), 0);
    assert_false(mapped(path));
    FILE *f = fopen(path, "w"); /* truncates it, as cp does */
    assert_non_null(f);
    fputs("x", f);
    assert_int_equal(fclose(f), 0);
    assert_string_equal(p.desc.name, "good");
    assert_string_equal(p.desc.description, "loader test plugin good");
    loader_close(&p);
    remove_tree(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_abi_major2_refused_naming_both_versions),
        cmocka_unit_test(test_abi_minor_newer_refused_naming_both_versions),
        cmocka_unit_test(test_no_entry_refused),
        cmocka_unit_test(test_null_entry_refused),
        cmocka_unit_test(test_no_render_refused),
        cmocka_unit_test(test_no_destroy_refused),
        cmocka_unit_test(test_create_null_silent_leaves_err_empty),
        cmocka_unit_test(test_wrong_name_refused),
        cmocka_unit_test(test_descriptor_too_small_refused),
        cmocka_unit_test(test_not_elf_refused_with_dlerror),
        cmocka_unit_test(test_missing_file_refused),
        cmocka_unit_test(test_bare_file_name_is_relative_to_cwd),
        cmocka_unit_test(test_good_loads_with_its_descriptor),
        cmocka_unit_test(test_older_descriptor_loads_without_tail),
        cmocka_unit_test(test_create_fails_loads_and_create_reports),
        cmocka_unit_test(test_same_plugin_opened_twice),
        cmocka_unit_test(test_check_abi),
        cmocka_unit_test(test_path_add_list),
        cmocka_unit_test(test_find_order),
        cmocka_unit_test(test_list_reports_good_and_reasons),
        cmocka_unit_test(test_list_first_occurrence_wins),
        cmocka_unit_test(test_list_empty_path),
        cmocka_unit_test(test_world_writable_dir_refused),
        cmocka_unit_test(test_world_writable_file_refused),
        cmocka_unit_test(test_other_owner_refused),
        cmocka_unit_test(test_descriptor_names_reused),
        cmocka_unit_test(test_plugin_loaded_elsewhere),
        cmocka_unit_test(test_file_overwritten_in_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
