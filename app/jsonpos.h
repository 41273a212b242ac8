/* jsonpos.h: where each value of a JSON text starts (line, column), by JSON path, so config
 * errors can point into the file. Uses yajl's event parser; jansson keeps no positions. */
#ifndef WB_JSONPOS_H
#define WB_JSONPOS_H

#include <stddef.h>

typedef struct jsonpos jsonpos;

/* Index every value of `text` (length `len`). Paths are written as "$", "$.tiles[2].cell",
 * "$.feeds.demo.url" (object keys after '.', array indices in brackets). For an object member
 * the position is the member's key; for an array element or the root, the value's first byte.
 * Returns NULL if the text is not valid JSON (jansson reports that error). */
jsonpos *jsonpos_index(const char *text, size_t len);
void jsonpos_free(jsonpos *p);

/* Position of `path`, 1-based. If the path is not indexed, its longest indexed prefix is used.
 * Returns 0, or -1 if nothing matched (then line = col = 1). */
int jsonpos_find(const jsonpos *p, const char *path, int *line, int *col);

#endif
