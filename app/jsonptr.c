/* jsonptr.c: RFC 6901 JSON pointer lookup on a jansson tree.
 * Never allocates per call beyond one bounded token buffer on the stack; never parses JSON. */
#include "jsonptr.h"

#include <stdlib.h>
#include <string.h>

#define TOKEN_MAX 256

/* Copies one reference token, undoing ~1 and ~0, into out. Returns the token's end in
 * `p` (at '/' or NUL), or NULL if it is malformed or too long. */
static const char *read_token(const char *p, char *out, size_t out_size)
{
    size_t n = 0;
    for (; *p && *p != '/'; p++) {
        char c = *p;
        if (c == '~') {
            if (p[1] == '0') c = '~';
            else if (p[1] == '1') c = '/';
            else return NULL;
            p++;
        }
        if (n + 1 >= out_size) return NULL;
        out[n++] = c;
    }
    out[n] = '\0';
    return p;
}

static const json_t *array_item(const json_t *array, const char *token)
{
    if (!*token || (token[0] == '0' && token[1]) || strspn(token, "0123456789") != strlen(token))
        return NULL;
    char *end;
    unsigned long index = strtoul(token, &end, 10);
    return json_array_get(array, index);
}

const json_t *jsonptr_get(const json_t *root, const char *pointer)
{
    if (!root || !pointer) return NULL;
    if (!*pointer) return root;
    if (*pointer != '/') return NULL;

    const json_t *node = root;
    char token[TOKEN_MAX];
    const char *p = pointer;
    while (node && *p == '/') {
        p = read_token(p + 1, token, sizeof token);
        if (!p) return NULL;
        if (json_is_object(node)) node = json_object_get(node, token);
        else if (json_is_array(node)) node = array_item(node, token);
        else return NULL;
    }
    return node;
}
