/* test_config.c: the config model, each error class with its exact FILE:LINE:COL: path, jsonpos.
 * It must never let a secret reach an error line, nor leave temporary files behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "jsonpos.h"

#define CFG(name) TEST_DATA_DIR "/configs/" name
#define SECRET "tok-5ecret-xyz"
#define BAD_SECRET "bad-5ecret\nInjected: 1"

static int known(const char *name, void *ctx)
{
    (void)ctx;
    return strcmp(name, "counter") == 0 || strcmp(name, "clock") == 0;
}

static int setup(void **state)
{
    (void)state;
    setenv("WB_TEST_TOKEN", SECRET, 1);
    setenv("WB_TEST_BAD_TOKEN", BAD_SECRET, 1);
    setenv("WB_TEST_EMPTY_VAR", "", 1);
    unsetenv("WB_TEST_UNSET_VAR");
    return 0;
}

/* `pattern` with {F} replaced by `file` and {D} by `dir`. Returns a static buffer. */
static const char *expand(const char *pattern, const char *file, const char *dir)
{
    static char out[4096];
    size_t n = 0;
    for (const char *p = pattern; *p && n < sizeof out - 1;) {
        const char *sub = strncmp(p, "{F}", 3) == 0   ? file
                          : strncmp(p, "{D}", 3) == 0 ? dir
                                                      : NULL;
        if (sub) {
            n += (size_t)snprintf(out + n, sizeof out - n, "%s", sub);
            p += 3;
        } else {
            out[n++] = *p++;
        }
    }
    out[n < sizeof out ? n : sizeof out - 1] = '\0';
    return out;
}

static int wall_is_zero(const wall_config *w)
{
    static const wall_config zero;
    return memcmp(w, &zero, sizeof zero) == 0;
}

/* Loads `file`, expects failure and exactly `expected` (each "{F}:" + the rest), in order. */
static void expect_errors_in(const char *file, const char *dir, const char *const *expected,
                             size_t n)
{
    wall_config w;
    config_errors errs = {0};
    assert_int_equal(config_load(file, known, NULL, &w, &errs), -1);
    assert_true(wall_is_zero(&w));
    for (size_t i = 0; i < errs.count; i++)
        print_message("  got: %s\n", errs.lines[i]);
    for (size_t i = 0; i < n && i < errs.count; i++) {
        char want[4096];
        snprintf(want, sizeof want, "{F}:%s", expected[i]);
        assert_string_equal(errs.lines[i], expand(want, file, dir));
    }
    assert_int_equal(errs.count, n);
    config_errors_free(&errs);
}

static char configs_dir[PATH_MAX];

static void expect_errors(const char *file, const char *const *expected, size_t n)
{
    if (!configs_dir[0])
        assert_non_null(realpath(TEST_DATA_DIR "/configs", configs_dir));
    expect_errors_in(file, configs_dir, expected, n);
}

#define EXPECT(file, ...)                                                                    \
    do {                                                                                     \
        static const char *const want_[] = {__VA_ARGS__};                                    \
        expect_errors(file, want_, sizeof want_ / sizeof want_[0]);                          \
    } while (0)

/* ------------------------------------------------------------------ the model */

static void test_valid(void **state)
{
    (void)state;
    wall_config w;
    config_errors errs = {0};
    char dir[PATH_MAX], ca[PATH_MAX + 16];
    assert_non_null(realpath(TEST_DATA_DIR "/configs", dir));
    snprintf(ca, sizeof ca, "%s/ca.pem", dir);

    assert_int_equal(config_load(CFG("valid.json"), known, NULL, &w, &errs), 0);
    assert_int_equal(errs.count, 0);
    assert_string_equal(w.path, CFG("valid.json"));
    assert_string_equal(w.dir, dir);
    assert_string_equal(w.title, "Test wall · 테스트 · 测试");
    assert_int_equal(w.background.r, 0x10);
    assert_int_equal(w.background.g, 0x20);
    assert_int_equal(w.background.b, 0x30);
    assert_int_equal(w.background.a, 255);
    assert_int_equal(w.columns, 4);
    assert_int_equal(w.rows, 3);
    assert_int_equal(w.gap, 8);

    assert_int_equal(w.feed_count, 2);
    wall_feed *f = &w.feeds[0];
    assert_string_equal(f->name, "main");
    assert_string_equal(f->url, "wss://feeds.example.org:8443/wall?x=1");
    assert_string_equal(f->ca_file, ca);
    assert_int_equal(f->header_count, 2);
    assert_string_equal(f->headers[0].name, "X-Wall");
    assert_string_equal(f->headers[0].value, "lobby");
    assert_int_equal(f->headers[0].secret, 0);
    assert_string_equal(f->headers[1].name, "Authorization");
    assert_string_equal(f->headers[1].value, "Bearer " SECRET);
    assert_int_equal(f->headers[1].secret, 1);
    assert_int_equal(f->coalesce_count, 2);
    assert_string_equal(f->coalesce_by[0], "/key");
    assert_string_equal(f->coalesce_by[1], "/meta/site");
    assert_string_equal(w.feeds[1].name, "side");
    assert_int_equal(w.feeds[1].header_count, 0);
    assert_null(w.feeds[1].ca_file);
    assert_int_equal(w.feeds[1].coalesce_count, 0);

    assert_int_equal(w.tile_count, 4);
    wall_tile *t = &w.tiles[0];
    assert_string_equal(t->id, "patients");
    assert_string_equal(t->plugin, "counter");
    assert_string_equal(t->feed, "main");
    assert_int_equal(t->feed_index, 0);
    assert_string_equal(t->title, "환자 대기 · 候诊患者 · Patients waiting");
    assert_int_equal(t->col, 0);
    assert_int_equal(t->row, 0);
    assert_int_equal(t->col_span, 2);
    assert_int_equal(t->row_span, 1);
    assert_true(t->stale_after == 2.5);
    assert_int_equal(t->line, 17);
    assert_int_equal(t->column, 5);
    json_t *match = json_pack("{s:s, s:i, s:b, s:n}", "key", "k1", "/meta/site", 3, "ok", 1,
                              "gone");
    json_t *options = json_pack("{s:s, s:i}", "value", "/value", "decimals", 0);
    assert_true(json_equal(t->match, match));
    assert_true(json_equal(t->options, options));
    json_decref(match);
    json_decref(options);

    t = &w.tiles[1];
    assert_string_equal(t->id, "counter-1");
    assert_int_equal(t->feed_index, 1);
    assert_null(t->match);
    assert_null(t->title);
    assert_int_equal(t->col_span, 1);
    assert_int_equal(t->row_span, 1);
    assert_true(t->stale_after == 10.0);
    assert_true(json_is_object(t->options) && json_object_size(t->options) == 0);
    assert_int_equal(t->line, 21);

    t = &w.tiles[2];
    assert_string_equal(t->id, "clock-2");
    assert_null(t->feed);
    assert_int_equal(t->feed_index, -1);
    assert_int_equal(t->col, 3);
    assert_int_equal(t->row_span, 3);

    assert_true(w.tiles[3].stale_after == 30.0);
    config_free(&w);
    assert_true(wall_is_zero(&w));
    config_free(&w);              /* twice is harmless */
}

static void test_defaults(void **state)
{
    (void)state;
    wall_config w;
    config_errors errs = {0};
    assert_int_equal(config_load(CFG("minimal.json"), NULL, NULL, &w, &errs), 0);
    assert_string_equal(w.title, "wallboard");
    assert_int_equal(w.background.r, 0x05);
    assert_int_equal(w.background.g, 0x07);
    assert_int_equal(w.background.b, 0x0a);
    assert_int_equal(w.gap, 12);
    assert_int_equal(w.feed_count, 0);
    assert_null(w.feeds);
    assert_int_equal(w.tile_count, 1);
    assert_string_equal(w.tiles[0].id, "clock-0");
    assert_int_equal(w.tiles[0].line, 1);
    assert_int_equal(w.tiles[0].column, 47);
    config_free(&w);
}

/* The default wall must load with the plugins the host ships. */
static void test_demo_config(void **state)
{
    (void)state;
    wall_config w;
    config_errors errs = {0};
    int rc = config_load(TEST_DATA_DIR "/../../config/demo.json", known, NULL, &w, &errs);
    for (size_t i = 0; i < errs.count; i++)
        print_message("  got: %s\n", errs.lines[i]);
    assert_int_equal(rc, 0);
    assert_string_equal(w.title, "贵州大数据展厅 · 귀주 빅데이터 홀 · Guizhou Big Data Hall");
    assert_int_equal(w.columns, 4);
    assert_int_equal(w.rows, 3);
    assert_int_equal(w.gap, 12);
    assert_int_equal(w.feed_count, 1);
    assert_string_equal(w.feeds[0].name, "demo");
    assert_string_equal(w.feeds[0].url, "ws://127.0.0.1:7681/demo");
    assert_true(w.tile_count >= 1 && w.tile_count <= 12);
    int cells = 0, spans = 0;
    for (size_t i = 0; i < w.tile_count; i++) {
        const wall_tile *t = &w.tiles[i];
        char key[32];
        snprintf(key, sizeof key, "k%zu", i + 1);
        assert_string_equal(t->plugin, "counter");
        assert_int_equal(t->feed_index, 0);
        assert_string_equal(json_string_value(json_object_get(t->match, "key")), key);
        assert_non_null(t->title);
        assert_string_equal(json_string_value(json_object_get(t->options, "value")), "/value");
        assert_true(json_is_string(json_object_get(t->options, "unit")));
        assert_true(json_is_integer(json_object_get(t->options, "decimals")));
        assert_true(json_is_integer(json_object_get(t->options, "sparkline")));
        json_t *th = json_object_get(t->options, "thresholds");
        assert_true(json_is_number(json_object_get(th, "warn")));
        assert_true(json_is_number(json_object_get(th, "alarm")));
        cells += t->col_span * t->row_span;
        spans += t->col_span * t->row_span == 2;
    }
    assert_int_equal(cells, 12);      /* no overlaps (checked by the loader): the wall is full */
    assert_true(spans >= 1);
    config_free(&w);
}

/* ------------------------------------------------------------------ error classes */

#define ROOT_KEYS "(expected one of: title, background, grid, feeds, tiles)"
#define TILE_KEYS \
    "(expected one of: id, plugin, feed, match, cell, span, title, stale_after, options)"

static void test_unknown_keys(void **state)
{
    (void)state;
    EXPECT(CFG("unknown_key.json"),
           "3:3: $.colour: unknown key " ROOT_KEYS,
           "4:37: $.grid.gutter: unknown key (expected one of: columns, rows, gap)",
           "6:29: $.feeds.f.retry: unknown key (expected one of: url, headers, ca_file, "
           "coalesce_by)",
           "9:56: $.tiles[0].colour: unknown key " TILE_KEYS,
           "11:41: $.tiles[1][\"odd.key\"]: unknown key " TILE_KEYS);
}

static void test_wrong_types(void **state)
{
    (void)state;
    EXPECT(CFG("wrong_type.json"),
           "2:3: $.title: must be a string, not an integer",
           "3:12: $.grid.columns: must be an integer, not a string",
           "3:28: $.grid.rows: must be an integer, not a fractional number",
           "4:19: $.feeds.f.url: must be a string, not an array",
           "4:39: $.feeds.f.headers: must be an object, not an array",
           "4:54: $.feeds.f.ca_file: must be a string, not a boolean",
           "6:6: $.tiles[0].id: must be a string, not an integer",
           "6:36: $.tiles[0].cell: must be an array of two integers [column, row]",
           "6:51: $.tiles[0].title: must be a string, not an object",
           "7:6: $.tiles[0].stale_after: must be a number, not a string",
           "7:27: $.tiles[0].options: must be an object, not an array",
           "8:39: $.tiles[1].cell[1]: must be an integer, not a string",
           "8:45: $.tiles[1].span: must be an array of two integers [columns, rows]",
           "9:5: $.tiles[2]: must be an object, not a string");
}

static void test_missing_keys(void **state)
{
    (void)state;
    EXPECT(CFG("missing.json"),
           "1:1: $: missing required key \"grid\"",
           "3:13: $.feeds.f: missing required key \"url\"",
           "5:5: $.tiles[0]: missing required key \"plugin\"",
           "5:5: $.tiles[0]: missing required key \"cell\"");
}

static void test_ranges(void **state)
{
    (void)state;
    EXPECT(CFG("range.json"),
           "2:12: $.grid.columns: must be between 1 and 32, not 0",
           "2:26: $.grid.rows: must be between 1 and 32, not 33",
           "2:38: $.grid.gap: must be between 0 and 200, not 201",
           "4:36: $.tiles[0].cell[0]: must be 0 or more, not -1",
           "4:53: $.tiles[0].span[0]: must be 1 or more, not 0",
           "4:60: $.tiles[0].stale_after: must be a number of seconds greater than 0 and at "
           "most 31536000",
           "5:43: $.tiles[1].stale_after: must be a number of seconds greater than 0 and at "
           "most 31536000");
}

/* Every feed is a connection with queues of its own: their number is bounded too. */
static void test_feeds_bounded(void **state)
{
    (void)state;
    EXPECT(CFG("too_many_feeds.json"),
           "2:2: $.feeds: 65 feeds, at most 64 (each is a connection of its own)");
}

static void test_colour(void **state)
{
    (void)state;
    EXPECT(CFG("colour.json"), "2:3: $.background: must be a colour written #rrggbb");
}

static void test_urls(void **state)
{
    (void)state;
    EXPECT(CFG("url.json"),
           "4:14: $.feeds.http.url: must start with ws:// or wss://",
           "5:16: $.feeds.nohost.url: has no host",
           "6:18: $.feeds.portonly.url: has no host",
           "7:17: $.feeds.badport.url: has an invalid port",
           "8:15: $.feeds.space.url: must not contain spaces or control characters");
}

static void test_geometry(void **state)
{
    (void)state;
    EXPECT(CFG("geometry.json"),
           "5:41: $.tiles[1].cell: tile 'edge' at [3, 0] spanning [2, 1] does not fit the 4x3 "
           "grid",
           "6:40: $.tiles[2].cell: tile 'low' at [0, 3] spanning [1, 1] does not fit the 4x3 "
           "grid",
           "7:43: $.tiles[3].cell: overlaps tile 'wide' (at {F}:4:41)",
           "8:43: $.tiles[4].cell: overlaps tile 'wide' (at {F}:4:41)",
           "8:43: $.tiles[4].cell: overlaps tile 'inside' (at {F}:7:43)");
}

static void test_duplicate_ids(void **state)
{
    (void)state;
    EXPECT(CFG("ids.json"),
           "5:6: $.tiles[1].id: duplicate tile id 'a' (first at {F}:4:6)",
           "7:6: $.tiles[3].id: duplicate tile id 'counter-2' (first at {F}:6:5)");
}

static void test_references(void **state)
{
    (void)state;
    EXPECT(CFG("refs.json"),
           "6:27: $.tiles[1].feed: unknown feed 'dmeo'",
           "7:6: $.tiles[2].plugin: unknown plugin 'gauge'",
           "8:6: $.tiles[3].plugin: plugin names are 1 to 64 letters, digits, '_' or '-'");
}

static void test_match(void **state)
{
    (void)state;
    EXPECT(CFG("match.json"),
           "6:16: $.tiles[0].match.key: must be a string, number, boolean or null, not an array",
           "6:31: $.tiles[0].match[\"/a~2b\"]: invalid JSON pointer: '~' must be followed by "
           "0 or 1",
           "7:43: $.tiles[1].match: has no effect without \"feed\"");
}

static void test_coalesce_by(void **state)
{
    (void)state;
    EXPECT(CFG("coalesce.json"),
           "4:33: $.feeds.type.coalesce_by: must be an array, not a string",
           "5:34: $.feeds.empty.coalesce_by: must list 1 to 4 JSON pointers, not 0",
           "6:33: $.feeds.many.coalesce_by: must list 1 to 4 JSON pointers, not 5",
           "7:50: $.feeds.items.coalesce_by[0]: must be a JSON pointer string, not an integer",
           "7:53: $.feeds.items.coalesce_by[1]: must start with '/'",
           "7:60: $.feeds.items.coalesce_by[2]: must start with '/' (\"\" is the whole message, "
           "never a key)",
           "7:64: $.feeds.items.coalesce_by[3]: invalid JSON pointer: '~' must be followed by 0 "
           "or 1",
           "8:60: $.feeds.dup.coalesce_by[2]: duplicate pointer (the same as [0])",
           "9:49: $.feeds.long.coalesce_by[0]: invalid JSON pointer: a reference token is longer "
           "than 255 characters");
}

#define HDR "$.feeds.f.headers."
static void test_headers(void **state)
{
    (void)state;
    EXPECT(CFG("secrets.json"),
           "7:27: " HDR "Authorization.env: environment variable WB_TEST_UNSET_VAR is not set",
           "8:21: " HDR "X-Empty.env: environment variable WB_TEST_EMPTY_VAR is empty",
           "9:21: " HDR "X-Token.file: cannot read header file {D}/no-such-token-file: No such "
           "file or directory",
           "10:9: " HDR "X-Both: give either \"env\" or \"file\", not both",
           "11:9: " HDR "X-Neither: missing required key \"env\" or \"file\"",
           "12:9: $.feeds.f.headers[\"Bad Name\"]: is not a valid HTTP header name",
           "13:9: " HDR "X-Split: header value must not contain line breaks or control characters",
           "14:43: " HDR "X-Key.pefix: unknown key (expected one of: env, file, prefix)",
           "15:19: " HDR "X-Bad.env: environment variable WB_TEST_BAD_TOKEN contains a line "
           "break or control character",
           "16:9: " HDR "x-key: duplicate header (header names ignore case)",
           "18:7: $.feeds.f.ca_file: cannot read CA file {D}/missing-ca.pem: No such file or "
           "directory");
}

/* Secrets are read (X-Key's token is loaded, X-Bad's rejected) but never echoed. */
static void test_secret_never_printed(void **state)
{
    (void)state;
    const char *files[] = {CFG("secrets.json"), CFG("several.json"), CFG("valid.json")};
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        wall_config w;
        config_errors errs = {0};
        config_load(files[f], known, NULL, &w, &errs);
        for (size_t i = 0; i < errs.count; i++) {
            assert_null(strstr(errs.lines[i], "5ecret"));
            assert_null(strstr(errs.lines[i], "Injected"));
        }
        config_errors_free(&errs);
        config_free(&w);
    }
}

static void test_syntax_error(void **state)
{
    (void)state;
    EXPECT(CFG("syntax.json"), "5:5: $: invalid JSON: ']' expected near '{'");
    EXPECT(CFG("dup_key.json"), "3:54: $: invalid JSON: duplicate object key near '\"cell\"'");
}

static void test_structure(void **state)
{
    (void)state;
    EXPECT(CFG("empty_tiles.json"), "3:3: $.tiles: must hold at least one tile");
    EXPECT(CFG("not_object.json"), "1:1: $: the config must be an object, not an array");
    EXPECT(CFG("no-such-file.json"), "1:1: $: cannot read the config: No such file or directory");
}

/* One run reports everything, sorted by position, columns counted in characters. */
static void test_several_errors(void **state)
{
    (void)state;
    EXPECT(CFG("several.json"),
           "3:3: $.background: must be a colour written #rrggbb",
           "4:37: $.grid.gap: must be between 0 and 200, not -1",
           "5:22: $.feeds.demo.url: must start with ws:// or wss://",
           "8:40: $.tiles[1].feed: unknown feed 'nope'",
           "8:56: $.tiles[1].cell: overlaps tile 'one' (at {F}:7:56)",
           "9:24: $.tiles[2].id: duplicate tile id 'one' (first at {F}:7:6)",
           "9:37: $.tiles[2].plugin: unknown plugin 'pie'",
           "9:54: $.tiles[2].cell: tile 'one' at [0, 2] spanning [1, 1] does not fit the 2x2 "
           "grid",
           "9:70: $.tiles[2].extra: unknown key " TILE_KEYS);
}

/* ------------------------------------------------------------------ header files */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_header_file_modes(void **state)
{
    (void)state;
    char tmp[] = "/tmp/wb-test-config-XXXXXX";
    assert_non_null(mkdtemp(tmp));
    char dir[PATH_MAX], token[PATH_MAX + 32], conf[PATH_MAX + 32], text[1024];
    assert_non_null(realpath(tmp, dir));
    snprintf(token, sizeof token, "%s/token-XXXXXX", dir);
    int fd = mkstemp(token);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "file-5ecret-123\r\n\n", 18), 18);
    close(fd);
    snprintf(conf, sizeof conf, "%s/wall.json", dir);
    snprintf(text, sizeof text,
             "{\n"
             "  \"grid\": {\"columns\": 1, \"rows\": 1},\n"
             "  \"feeds\": {\"f\": {\"url\": \"wss://example.org/\",\n"
             "                  \"headers\": {\"Authorization\": "
             "{\"file\": \"%s\", \"prefix\": \"Bearer \"}}}},\n"
             "  \"tiles\": [{\"plugin\": \"clock\", \"cell\": [0, 0]}]\n"
             "}\n", strrchr(token, '/') + 1);
    write_file(conf, text);

    assert_int_equal(chmod(token, 0644), 0);
    char want[PATH_MAX * 2];
    snprintf(want, sizeof want, "4:49: $.feeds.f.headers.Authorization.file: header file %s has "
             "mode 0644: it holds a secret, so group and others must have no access "
             "(chmod 600 it)", token);
    const char *expected[] = {want};
    expect_errors_in(conf, dir, expected, 1);

    assert_int_equal(chmod(token, 0640), 0);   /* group read alone is refused too */
    wall_config w;
    config_errors errs = {0};
    assert_int_equal(config_load(conf, known, NULL, &w, &errs), -1);
    assert_int_equal(errs.count, 1);
    assert_null(strstr(errs.lines[0], "5ecret"));
    config_errors_free(&errs);

    assert_int_equal(chmod(token, 0600), 0);
    assert_int_equal(config_load(conf, known, NULL, &w, &errs), 0);
    assert_int_equal(w.feeds[0].header_count, 1);
    assert_string_equal(w.feeds[0].headers[0].value, "Bearer file-5ecret-123");
    assert_int_equal(w.feeds[0].headers[0].secret, 1);
    config_free(&w);

    write_file(token, "\n");                  /* only a newline: nothing to send */
    snprintf(want, sizeof want, "4:49: $.feeds.f.headers.Authorization.file: header file %s is "
             "empty", token);
    expect_errors_in(conf, dir, expected, 1);

    assert_int_equal(unlink(token), 0);
    assert_int_equal(unlink(conf), 0);
    assert_int_equal(rmdir(dir), 0);
}

/* ------------------------------------------------------------------ small parts */

static void test_parse_color(void **state)
{
    (void)state;
    wb_color c = {1, 2, 3, 4};
    assert_int_equal(config_parse_color("#A0b1C2", &c), 0);
    assert_int_equal(c.r, 0xa0);
    assert_int_equal(c.g, 0xb1);
    assert_int_equal(c.b, 0xc2);
    assert_int_equal(c.a, 0xff);
    assert_int_equal(config_parse_color("#00000080", &c), 0);
    assert_int_equal(c.a, 0x80);
    assert_int_equal(config_parse_color("000000", &c), -1);
    assert_int_equal(config_parse_color("#00000", &c), -1);
    assert_int_equal(config_parse_color("#0000000", &c), -1);
    assert_int_equal(config_parse_color("#00000g", &c), -1);
    assert_int_equal(config_parse_color("", &c), -1);
    assert_int_equal(config_parse_color(NULL, &c), -1);
    assert_int_equal(c.a, 0x80);              /* untouched on failure */
}

static void expect_pos(const jsonpos *p, const char *path, int rc, int line, int col)
{
    int l = -5, c = -5;
    print_message("  %s\n", path);
    assert_int_equal(jsonpos_find(p, path, &l, &c), rc);
    assert_int_equal(l, line);
    assert_int_equal(c, col);
}

static void test_jsonpos(void **state)
{
    (void)state;
    const char *text =
        "\n"
        "  {\"a\": [1, \"x\\\"]\", {\"b\\\\\": null}],\n"
        "\t\"a.b\": {\"q\\\"x\": -1.5e3, \"\xe6\x95\xb0\": true},\n"
        "  \"\xe6\x95\xb0\xe6\x8d\xae\": [[], [false, \"\xe8\xb4\xb5\"]]}\n";
    jsonpos *p = jsonpos_index(text, strlen(text));
    assert_non_null(p);
    expect_pos(p, "$", 0, 2, 3);
    expect_pos(p, "$.a", 0, 2, 4);
    expect_pos(p, "$.a[0]", 0, 2, 10);
    expect_pos(p, "$.a[1]", 0, 2, 13);
    expect_pos(p, "$.a[2]", 0, 2, 21);
    expect_pos(p, "$.a[2][\"b\\\\\"]", 0, 2, 22);
    expect_pos(p, "$[\"a.b\"]", 0, 3, 2);
    expect_pos(p, "$[\"a.b\"][\"q\\\"x\"]", 0, 3, 10);
    expect_pos(p, "$[\"a.b\"][\"\xe6\x95\xb0\"]", 0, 3, 26);
    expect_pos(p, "$[\"\xe6\x95\xb0\xe6\x8d\xae\"]", 0, 4, 3);
    expect_pos(p, "$[\"\xe6\x95\xb0\xe6\x8d\xae\"][0]", 0, 4, 10);
    expect_pos(p, "$[\"\xe6\x95\xb0\xe6\x8d\xae\"][1][1]", 0, 4, 22);
    /* not indexed: the longest indexed prefix */
    expect_pos(p, "$.a[2].missing.deeper[3]", 0, 2, 21);
    expect_pos(p, "$[\"a.b\"].x", 0, 3, 2);
    expect_pos(p, "$.zzz", 0, 2, 3);
    expect_pos(p, "$.a[9]", 0, 2, 4);
    expect_pos(p, "nonsense", -1, 1, 1);
    jsonpos_free(p);

    assert_null(jsonpos_index("{\"a\": }", 7));
    p = jsonpos_index("  42", 4);             /* a scalar root is only known at the end */
    assert_non_null(p);
    expect_pos(p, "$", 0, 1, 3);
    jsonpos_free(p);
    expect_pos(NULL, "$", -1, 1, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_demo_config),
        cmocka_unit_test(test_unknown_keys),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_missing_keys),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_feeds_bounded),
        cmocka_unit_test(test_colour),
        cmocka_unit_test(test_urls),
        cmocka_unit_test(test_geometry),
        cmocka_unit_test(test_duplicate_ids),
        cmocka_unit_test(test_references),
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_coalesce_by),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_secret_never_printed),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_several_errors),
        cmocka_unit_test(test_header_file_modes),
        cmocka_unit_test(test_parse_color),
        cmocka_unit_test(test_jsonpos),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
