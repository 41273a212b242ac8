/* error.h: the one way the host fills a caller's error buffer, Redis/SDL style:
 * `return set_error(err, err_size, "what went wrong: %s", why);` */
#ifndef WB_ERROR_H
#define WB_ERROR_H

#include <stddef.h>
#include <wallboard/plugin.h>

/* Formats into err (if err and err_size are non-zero); always returns -1. */
int set_error(char *err, size_t err_size, const char *fmt, ...) WB_PRINTF(3, 4);

#endif
