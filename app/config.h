/* config.h: the wall's JSON config (jansson) turned into a plain model with no SDL in it.
 * Every error is reported, each as "FILE:LINE:COL: json-path: message", in one run. */
#ifndef WB_CONFIG_H
#define WB_CONFIG_H

#include <stddef.h>
#include <jansson.h>
#include <wallboard/plugin.h>

typedef struct wall_header {
    char *name;
    char *value;      /* resolved (from env/file for secrets); never log when secret */
    int secret;       /* 1 if it came from {"env": ...} or {"file": ...} */
} wall_header;

/* At most this many "coalesce_by" pointers per feed (the hand-over's HANDOVER_KEY_MAX). */
#define WALL_COALESCE_MAX 4

typedef struct wall_feed {
    char *name;
    char *url;
    wall_header *headers;
    size_t header_count;
    char *ca_file;    /* absolute (resolved from the config's folder) or NULL */
    char *coalesce_by[WALL_COALESCE_MAX]; /* JSON pointers ("/key"): messages whose values
                                           * there are equal scalars replace each other while
                                           * pending; owned */
    size_t coalesce_count; /* 0 = never coalesce (the default: events must not merge) */
} wall_feed;

typedef struct wall_tile {
    char *id;         /* "id" or "<plugin>-<index>" */
    char *plugin;
    char *feed;       /* feed name or NULL */
    int feed_index;   /* index into wall_config.feeds, -1 if none */
    json_t *match;    /* object of field (name or /json/pointer) -> scalar, or NULL; owned */
    char *title;      /* or NULL */
    int col, row, col_span, row_span;
    double stale_after; /* seconds, default 10 */
    json_t *options;  /* object, never NULL (empty if absent); owned */
    int line, column; /* where the tile's object starts, for run-time messages */
} wall_tile;

typedef struct wall_config {
    char *path;       /* as given */
    char *dir;        /* folder of the config file, for relative paths */
    char *title;
    wb_color background;
    int columns, rows, gap;
    wall_feed *feeds;
    size_t feed_count;
    wall_tile *tiles;
    size_t tile_count;
} wall_config;

typedef struct config_errors {
    char **lines;     /* "FILE:LINE:COL: json-path: message" */
    size_t count;
    size_t capacity;
} config_errors;

/* Returns 1 if a plugin of that name can be found (not necessarily loaded). */
typedef int (*config_plugin_known_fn)(const char *name, void *ctx);

/* Reads and validates `path`. On success returns 0 and fills *wall (free with config_free).
 * On failure returns -1, *wall is zeroed, and errs holds every error found (free with
 * config_errors_free). `known` may be NULL to skip the plugin check. */
int config_load(const char *path, config_plugin_known_fn known, void *known_ctx,
                wall_config *wall, config_errors *errs);
/* The same for a config already in memory (`len` bytes of `data`, no terminator needed), as if
 * read from the file `name`: errors name it and relative paths are relative to its folder. */
int config_load_buffer(const char *name, const char *data, size_t len,
                       config_plugin_known_fn known, void *known_ctx, wall_config *wall,
                       config_errors *errs);
void config_free(wall_config *wall);

/* Whether two feeds connect and deliver the same: name, url, headers (values too), ca_file,
 * coalesce_by. A reload keeps the connection of such a feed. */
int config_feed_same(const wall_feed *a, const wall_feed *b);
/* Whether a plugin instance made for tile a serves tile b: id, plugin, feed, title, options,
 * match, stale_after (the place on the grid may differ). */
int config_tile_same(const wall_tile *a, const wall_tile *b);
void config_errors_free(config_errors *errs);

/* "#rrggbb" or "#rrggbbaa" -> colour. 0 or -1. */
int config_parse_color(const char *text, wb_color *out);

#endif
