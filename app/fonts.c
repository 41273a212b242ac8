/* fonts.c: reads fonts/fonts.list into per-role fallback chains of existing font files.
 * Never opens a font or touches SDL: it only decides which files the renderer may use. */
#include "fonts.h"
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ROLE_COUNT 3
#define LINE_MAX_LEN 4096
/* Room for the package names of skipped entries, for the "install ..." error. */
#define MISSING_MAX 256

static const char *const role_names[ROLE_COUNT] = {"led", "label", "label_bold"};

static int role_from_name(const char *name)
{
    for (int i = 0; i < ROLE_COUNT; i++)
        if (strcmp(name, role_names[i]) == 0)
            return i;
    return -1;
}

/* A relative PATH is taken relative to the list file, so a source tree or an install prefix
 * can ship its own fonts next to the list. Returns a malloc'ed path (caller owns) or NULL. */
static char *resolve_path(const char *list_path, const char *path)
{
    if (path[0] == '/')
        return strdup(path);
    const char *slash = strrchr(list_path, '/');
    size_t dir_len = slash ? (size_t)(slash - list_path) + 1 : 0;
    size_t len = dir_len + strlen(path) + 1;
    char *out = malloc(len);
    if (!out)
        return NULL;
    memcpy(out, list_path, dir_len);
    strcpy(out + dir_len, path);
    return out;
}

/* Remembers the package of a skipped entry once per role, space separated. */
static void note_missing(char missing[ROLE_COUNT][MISSING_MAX], int role, const char *package)
{
    char *list = missing[role];
    size_t plen = strlen(package);
    for (const char *p = strstr(list, package); p; p = strstr(p + 1, package)) {
        int starts = (p == list || p[-1] == ' ');
        int ends = (p[plen] == '\0' || p[plen] == ' ');
        if (starts && ends)
            return;
    }
    size_t used = strlen(list);
    if (used + plen + 2 > MISSING_MAX)
        return;
    if (used)
        list[used++] = ' ';
    memcpy(list + used, package, plen + 1);
}

/* Parses one non-comment line into out (or notes a missing file). 0, or -1 with err. */
static int parse_line(const char *list_path, int line_no, char *line, font_set *out,
                      char missing[ROLE_COUNT][MISSING_MAX], char *err, size_t err_size)
{
    char *save = NULL;
    char *role_s = strtok_r(line, " \t\r\n", &save);
    if (!role_s || role_s[0] == '#')
        return 0; /* blank line or comment */
    char *path_s = strtok_r(NULL, " \t\r\n", &save);
    char *face_s = strtok_r(NULL, " \t\r\n", &save);
    char *pkg_s = strtok_r(NULL, " \t\r\n", &save);
    char *extra = strtok_r(NULL, " \t\r\n", &save);
    if (!path_s || !face_s || !pkg_s || (extra && extra[0] != '#')) {
        set_error(err, err_size, "%s:%d: expected \"ROLE PATH FACE PACKAGE\"", list_path, line_no);
        return -1;
    }
    int role = role_from_name(role_s);
    if (role < 0) {
        set_error(err, err_size, "%s:%d: unknown font role \"%s\" (led, label, label_bold)",
                list_path, line_no, role_s);
        return -1;
    }
    char *end = NULL;
    errno = 0;
    long face = strtol(face_s, &end, 10);
    if (errno || *end || face < 0 || face > 255) {
        set_error(err, err_size, "%s:%d: bad face index \"%s\"", list_path, line_no, face_s);
        return -1;
    }
    if (out->count[role] >= FONTS_MAX_CHAIN) {
        set_error(err, err_size, "%s:%d: more than %d fonts for role %s", list_path, line_no,
                FONTS_MAX_CHAIN, role_s);
        return -1;
    }
    char *path = resolve_path(list_path, path_s);
    if (!path) {
        set_error(err, err_size, "out of memory reading %s", list_path);
        return -1;
    }
    if (access(path, R_OK) != 0) {
        /* Not an error yet: a later entry of the chain may cover the role. */
        note_missing(missing, role, pkg_s);
        free(path);
        return 0;
    }
    font_face *f = &out->chain[role][out->count[role]];
    f->path = path;
    f->face_index = (int)face;
    f->package = strdup(pkg_s);
    if (!f->package) {
        free(path);
        f->path = NULL;
        set_error(err, err_size, "out of memory reading %s", list_path);
        return -1;
    }
    out->count[role]++;
    return 0;
}

static int check_roles(const char *list_path, const font_set *out,
                       char missing[ROLE_COUNT][MISSING_MAX], char *err, size_t err_size)
{
    for (int role = 0; role < ROLE_COUNT; role++) {
        if (out->count[role] > 0)
            continue;
        if (missing[role][0])
            set_error(err, err_size, "no font file for role %s: apt-get install %s",
                    role_names[role], missing[role]);
        else
            set_error(err, err_size, "%s lists no font for role %s", list_path, role_names[role]);
        return -1;
    }
    return 0;
}

int fonts_load_list(const char *list_path, font_set *out, char *err, size_t err_size)
{
    char missing[ROLE_COUNT][MISSING_MAX] = {{0}};
    char line[LINE_MAX_LEN];
    int line_no = 0;
    memset(out, 0, sizeof *out);
    FILE *f = fopen(list_path, "r");
    if (!f) {
        set_error(err, err_size, "cannot open font list %s: %s", list_path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        line_no++;
        if (!strchr(line, '\n') && !feof(f)) {
            set_error(err, err_size, "%s:%d: line too long", list_path, line_no);
            goto fail;
        }
        if (parse_line(list_path, line_no, line, out, missing, err, err_size) != 0)
            goto fail;
    }
    if (ferror(f)) {
        set_error(err, err_size, "cannot read font list %s", list_path);
        goto fail;
    }
    if (check_roles(list_path, out, missing, err, err_size) != 0)
        goto fail;
    fclose(f);
    return 0;
fail:
    fclose(f);
    fonts_free(out);
    return -1;
}

void fonts_free(font_set *set)
{
    if (!set)
        return;
    for (int role = 0; role < ROLE_COUNT; role++) {
        for (int i = 0; i < set->count[role] && i < FONTS_MAX_CHAIN; i++) {
            free(set->chain[role][i].path);
            free(set->chain[role][i].package);
        }
    }
    memset(set, 0, sizeof *set);
}
