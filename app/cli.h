/* cli.h: the wallboard command line, parsed into a plain struct (no SDL, no side effects)
 * so it is unit-tested and --help stays next to the parser. */
#ifndef WB_CLI_H
#define WB_CLI_H

#include <stddef.h>
#include <stdio.h>

#define CLI_MAX_PLUGIN_DIRS 16

typedef struct cli_options {
    const char *config_path;     /* NULL = the default demo wall */
    int headless, windowed;
    int width, height;           /* 0 = default (1920x1080 headless/windowed, display mode) */
    int display;
    long frames;                 /* exit after this many presented frames; 0 = no limit */
    double seconds;              /* exit after this many seconds; 0 = no limit */
    const char *screenshot_path;
    const char *state_path;
    int check_config, list_plugins, show_version, show_help;
    int reset_crashes;           /* empty the crash journal, then start as usual */
    const char *plugin_dirs[CLI_MAX_PLUGIN_DIRS];
    size_t plugin_dir_count;
} cli_options;

/* Fills *out from argv (pointers into argv). 0, or -1 with a one-line message in err. */
int cli_parse(int argc, char **argv, cli_options *out, char *err, size_t err_size);
void cli_usage(FILE *out);

#endif
