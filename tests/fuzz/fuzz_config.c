/* fuzz_config.c: libFuzzer target for the wall's config: the input is a config file's text,
 * loaded and validated by config_load_buffer (the code config_load runs), then freed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"

/* The name the text is loaded as: relative "file" headers and "ca_file" resolve next to the
 * unit tests' configs, so a seed naming "ca.pem" finds a real PEM file. */
#define CONFIG_NAME WB_SOURCE_DIR "/tests/unit/configs/fuzz.json"

static int plugin_known(const char *name, void *ctx)
{
    static const char *const bundled[] = {"counter", "clock", "clinic_queues",
                                          "absent_students", "exchange_trades"};
    (void)ctx;
    for (size_t i = 0; i < sizeof bundled / sizeof *bundled; i++)
        if (strcmp(name, bundled[i]) == 0)
            return 1;
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_set_level(WB_LOG_ERROR);
    /* A config may take a header from the environment: give the seeds one to find. */
    setenv("WB_FUZZ_TOKEN", "Bearer fuzz", 1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wall_config wall;
    config_errors errs = {0};
    int rc = config_load_buffer(CONFIG_NAME, (const char *)data, size, plugin_known, NULL, &wall,
                                &errs);
    if (rc == 0) {
        /* A loaded wall is consistent: every tile's feed index points at a feed. */
        if (errs.count != 0)
            abort();
        for (size_t i = 0; i < wall.tile_count; i++) {
            const wall_tile *t = &wall.tiles[i];
            if (t->feed_index >= (int)wall.feed_count || (t->feed_index < 0) != (t->feed == NULL) ||
                !t->options || !t->id || !t->plugin || !plugin_known(t->plugin, NULL))
                abort();
            /* ... and every tile lies inside the grid (layout.c relies on it). */
            if (t->col < 0 || t->row < 0 || t->col_span < 1 || t->row_span < 1 ||
                t->col + t->col_span > wall.columns || t->row + t->row_span > wall.rows)
                abort();
        }
        config_free(&wall);
    } else {
        /* A refused config always says why, each line "FILE:LINE:COL: path: message". */
        if (errs.count == 0)
            abort();
        for (size_t i = 0; i < errs.count; i++)
            if (strncmp(errs.lines[i], CONFIG_NAME ":", strlen(CONFIG_NAME ":")) != 0)
                abort();
    }
    config_errors_free(&errs);
    return 0;
}
