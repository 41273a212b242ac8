/* cli.c: parses the wallboard command line and prints --help.
 * It never opens files or windows: main.c acts on what it returns. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void cli_usage(FILE *out)
{
    fputs(
"Usage: wallboard [OPTIONS]\n"
"A fullscreen wall of tiles with big LED numbers, fed by websocket JSON feeds.\n"
"\n"
"  --config FILE        the wall to show (default: the Guizhou hall, config/guizhou.json)\n"
"  --windowed           a window instead of fullscreen\n"
"  --size WxH           window or headless size (default 1920x1080; fullscreen uses the\n"
"                       display's mode)\n"
"  --display N          display index for fullscreen or the window (default 0)\n"
"  --headless           no window: render offscreen with the software renderer at --size\n"
"  --frames N           exit after N presented frames (frames are only presented when\n"
"                       something changed; combine with --seconds as a bound)\n"
"  --seconds S          exit after S seconds (fractions allowed)\n"
"  --screenshot FILE    write the last presented frame as PNG at exit and on SIGUSR1\n"
"  --state FILE         write what every tile shows as JSON at exit and on SIGUSR1\n"
"  --check-config       validate the config, print every error as\n"
"                       FILE:LINE:COL: json-path: message, exit 0 if valid, 1 if not\n"
"  --list-plugins       list the plugins on the plugin path, or why one cannot load\n"
"  --plugin-dir DIR     look for plugins (NAME.so) in DIR first; repeatable. Then in\n"
"                       WALLBOARD_PLUGIN_PATH (DIR:DIR...), $XDG_DATA_HOME/wallboard/plugins\n"
"                       (~/.local/share/wallboard/plugins), then the wall's own plugins:\n"
"                       PREFIX/lib/wallboard/plugins (the build tree's when run from it)\n"
"  --reset-crashes      empty the crash journal, re-enabling the plugins disabled after\n"
"                       a crash, then start as usual. The journal is\n"
"                       $XDG_STATE_HOME/wallboard/crashes (~/.local/state/wallboard/crashes)\n"
"  --version            print the version and plugin ABI version\n"
"  --help               this text\n"
"\n"
"Signals: SIGINT/SIGTERM end cleanly (state and screenshot still written);\n"
"SIGUSR1 writes the state and screenshot files now. A crash in a plugin (SIGSEGV...) is\n"
"journalled; the wall then exits by that signal, and at its next start shows that plugin's\n"
"tiles as disabled while the rest of the wall runs.\n"
"Environment: WALLBOARD_LOG=error|warn|info|debug, WALLBOARD_FONTS=font list file.\n",
        out);
}

static int parse_long(const char *text, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max) return -1;
    *out = v;
    return 0;
}

static int parse_size(const char *text, int *w, int *h)
{
    char *end;
    errno = 0;
    long width = strtol(text, &end, 10);
    if (errno || end == text || (*end != 'x' && *end != 'X')) return -1;
    const char *rest = end + 1;
    long height = strtol(rest, &end, 10);
    if (errno || end == rest || *end) return -1;
    if (width < 64 || width > 16384 || height < 64 || height > 16384) return -1;
    *w = (int)width;
    *h = (int)height;
    return 0;
}

/* Options that take a value; returns it, or NULL with err set when it is missing. */
static const char *take_value(int argc, char **argv, int *i, char *err, size_t err_size)
{
    if (*i + 1 >= argc) {
        snprintf(err, err_size, "%s needs a value (see --help)", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

int cli_parse(int argc, char **argv, cli_options *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = NULL;
        long n;
        if (!strcmp(arg, "--headless")) out->headless = 1;
        else if (!strcmp(arg, "--windowed")) out->windowed = 1;
        else if (!strcmp(arg, "--check-config")) out->check_config = 1;
        else if (!strcmp(arg, "--list-plugins")) out->list_plugins = 1;
        else if (!strcmp(arg, "--version")) out->show_version = 1;
        else if (!strcmp(arg, "--reset-crashes")) out->reset_crashes = 1;
        else if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) out->show_help = 1;
        else if (!strcmp(arg, "--config")) {
            if (!(val = take_value(argc, argv, &i, err, err_size))) return -1;
            out->config_path = val;
        } else if (!strcmp(arg, "--size")) {
            if (!(val = take_value(argc, argv, &i, err, err_size))) return -1;
            if (parse_size(val, &out->width, &out->height)) {
                snprintf(err, err_size, "--size %s: expected WxH, e.g. 1920x1080 (64..16384)", val);
                return -1;
            }
        } else if (!strcmp(arg, "--display")) {
            if (!(val = take_value(argc, argv, &i, err, err_size))) return -1;
            if (parse_long(val, 0, 64, &n)) {
                snprintf(err, err_size, "--display %s: expected a display index 0..64", val);
                return -1;
            }
            out->display = (int)n;
        } else if (!strcmp(arg, "--frames")) {
            if (!(val = take_value(argc, argv, &i, err, err_size))) return -1;
            if (parse_long(val, 1, 1000000000L, &out->frames)) {
                snprintf(err, err_size, "--frames %s: expected a positive number", val);
                return -1;
            }
        } else if (!strcmp(arg, "--seconds")) {
            if (!(val = take_value(argc, argv, &i, err, err_size))) return -1;
            char *end;
            errno = 0;
            out->seconds = strtod(val, &end);
            if (errno || end == val || *end || !(out->seconds > 0) || out->seconds > 1e9) {
                snprintf(err, err_size, "--seconds %s: expected a positive number", val);
                return -1;
            }
        } else if (!strcmp(arg, "--screenshot")) {
            if (!(val = take_value(argc, argv, &i, err, err_size))) return -1;
            out->screenshot_path = val;
        } else if (!strcmp(arg, "--state")) {
            if (!(val = take_value(argc, argv, &i, err, err_size))) return -1;
            out->state_path = val;
        } else if (!strcmp(arg, "--plugin-dir")) {
            if (!(val = take_value(argc, argv, &i, err, err_size))) return -1;
            if (out->plugin_dir_count == CLI_MAX_PLUGIN_DIRS) {
                snprintf(err, err_size, "--plugin-dir: at most %d folders", CLI_MAX_PLUGIN_DIRS);
                return -1;
            }
            out->plugin_dirs[out->plugin_dir_count++] = val;
        } else {
            snprintf(err, err_size, "unknown option %s (see --help)", arg);
            return -1;
        }
    }
    if (out->headless && out->windowed) {
        snprintf(err, err_size, "--headless and --windowed exclude each other");
        return -1;
    }
    return 0;
}
