/* jsonptr.h: RFC 6901 JSON pointers over jansson values, for tile "match" rules and plugins
 * (through the services table). Walks an already parsed tree; parses no JSON text. */
#ifndef WB_JSONPTR_H
#define WB_JSONPTR_H

#include <jansson.h>

/* The value at `pointer` ("" = root, "/a/0/b", "~0" = '~', "~1" = '/'), borrowed from root;
 * NULL if absent or the pointer is malformed. */
const json_t *jsonptr_get(const json_t *root, const char *pointer);

#endif
