/* fonts.h: which font files the wall uses, read from fonts/fonts.list (Debian paths). Missing
 * files become one clear error naming the Debian package. No SDL here. */
#ifndef WB_FONTS_H
#define WB_FONTS_H

#include <stddef.h>
#include <wallboard/plugin.h>

#define FONTS_MAX_CHAIN 6

typedef struct font_face {
    char *path;
    int face_index;      /* face in a .ttc (Noto Sans CJK: 1 = KR, 2 = SC) */
    char *package;       /* Debian package that ships it */
} font_face;

/* Per role a fallback chain, first match first. */
typedef struct font_set {
    font_face chain[3][FONTS_MAX_CHAIN];   /* indexed by wb_font_role */
    int count[3];
} font_set;

/* Reads the list file ("ROLE PATH FACE PACKAGE" lines, '#' comments). Entries whose file does
 * not exist are skipped; a role left with no font is an error naming the packages to install.
 * 0, or -1 with err. Free with fonts_free. */
int fonts_load_list(const char *list_path, font_set *out, char *err, size_t err_size);
void fonts_free(font_set *set);

#endif
