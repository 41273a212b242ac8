/* error.c: formatting of error messages into caller-supplied buffers.
 * Never allocates and never logs: the caller decides where an error is reported. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

int set_error(char *err, size_t err_size, const char *fmt, ...)
{
    if (!err || err_size == 0) return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
    return -1;
}
