/* format.h: numbers and ages as the host shows them (grouped thousands, "42 s").
 * No SDL: unit-tested on exact strings. */
#ifndef WB_FORMAT_H
#define WB_FORMAT_H

#include <stddef.h>

/* `decimals` digits after the point (0..9, rounded half away from zero), thousands grouped
 * with `separator` (NULL or "" for none), '-' for negatives (never "-0"). NaN -> "NaN",
 * infinities -> "inf"/"-inf". snprintf-like: writes at most size bytes (NUL included) and
 * returns the length the full text needs. */
int format_number(double value, int decimals, const char *separator, char *buf, size_t size);

/* "42 s", "3 min", "2 h", "5 d": an age for "stale 42 s" badges. */
int format_age(double seconds, char *buf, size_t size);

#endif
