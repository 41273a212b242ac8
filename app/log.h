/* log.h: the wall's one log, on stderr, usable from any thread.
 * Repeated lines are rate-limited per key so a hostile feed cannot flood the log. */
#ifndef WB_LOG_H
#define WB_LOG_H

#include <stdarg.h>
#include <stdint.h>
#include <wallboard/plugin.h>

/* Lines at or below this level are printed (default WB_LOG_INFO; WALLBOARD_LOG=debug|info|warn|error). */
void log_set_level(wb_log_level level);
wb_log_level log_level(void);

/* "2026-11-25T10:00:00Z wallboard[tag] warn: message". `tag` may be NULL. Thread-safe. */
void log_line(wb_log_level level, const char *tag, const char *fmt, ...) WB_PRINTF(3, 4);
void log_linev(wb_log_level level, const char *tag, const char *fmt, va_list ap);

/* Like log_line, but at most LOG_BURST lines per `key` (any stable string, copied) every
 * LOG_WINDOW_MS; the next line after a quiet window says how many were suppressed.
 * Thread-safe; at most LOG_MAX_KEYS keys are tracked at once: a slot is reused only after
 * its window closed, and while all are busy new keys share one limited overflow slot. */
#define LOG_BURST 5
#define LOG_WINDOW_MS 10000
#define LOG_MAX_KEYS 64
void log_limited(wb_log_level level, const char *tag, const char *key, const char *fmt, ...)
    WB_PRINTF(4, 5);

/* Lines suppressed by log_limited since start (for --state). */
uint64_t log_suppressed_total(void);

/* Monotonic and wall-clock milliseconds, and microseconds (latency, start-up). */
uint64_t clock_mono_ms(void);
int64_t clock_wall_ms(void);
uint64_t clock_mono_us(void);
int64_t clock_wall_us(void);

#endif
