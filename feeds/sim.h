/* sim.h: the simulated clock and calendar the Guizhou generators run on, and the integer helpers
 * they share (daily activity profiles, random gaps), so every model keeps time the same way. */
#ifndef WB_FEEDS_SIM_H
#define WB_FEEDS_SIM_H

#include "prng.h"

#include <stddef.h>
#include <stdint.h>

#define SIM_MINUTE_MS INT64_C(60000)
#define SIM_HOUR_MS (60 * SIM_MINUTE_MS)
#define SIM_DAY_MS (24 * SIM_HOUR_MS)
#define SIM_MAX_TIME_SCALE 3600u

/* Simulated time is milliseconds after midnight of the start date (so it passes SIM_DAY_MS
 * on the next day). It runs at `scale` simulated seconds per real second of the server's
 * clock; the server's clock excludes stalls, so a suspended server resumes where it was. */
typedef struct sim_clock {
    int32_t start_day; /* days since 1970-01-01 */
    int64_t start_ms;  /* simulated time when the server's clock reads 0 */
    unsigned scale;    /* 0: the simulated clock stands still */
} sim_clock;

/* Simulated time when the server has run `elapsed_us` microseconds. */
int64_t sim_now_ms(const sim_clock *c, int64_t elapsed_us);
/* The server time (microseconds) at which simulated time reaches `sim_ms`: 0 if it already
 * has at the start, INT64_MAX if it never will (scale 0). Rounded up, never early. */
int64_t sim_due_us(const sim_clock *c, int64_t sim_ms);

/* Proleptic Gregorian calendar, days since 1970-01-01 (no time zones: the clock is local). */
int32_t sim_days_from_civil(int year, int month, int day);
void sim_civil_from_days(int32_t days, int *year, int *month, int *day);
/* "YYYY-MM-DD" (11 bytes with the NUL), or "YYYYMMDD" when compact. */
void sim_format_date(int32_t days, int compact, char out[11]);
/* Strict "YYYY-MM-DD" of a real date in 1970..9999. 0, or -1 if it is not one. */
int sim_parse_date(const char *text, int32_t *days);
/* Strict "HH:MM", 00:00..23:59, to milliseconds after midnight. 0 or -1. */
int sim_parse_clock(const char *text, int64_t *ms);

/* A daily profile: levels in per mille at minutes of the day, in increasing minute order;
 * between points the level is interpolated linearly, and it wraps from the last point to
 * the first across midnight. */
typedef struct sim_point {
    int minute; /* 0..1439 */
    int level;  /* per mille, 0..1000 */
} sim_point;

int sim_profile(const sim_point *points, size_t count, int64_t sim_ms);

/* The gap to the next candidate of a process running at `per_hour` events per simulated hour
 * (at least 1): uniform in [1, 2 * mean] ms, so the mean is right without floating point. */
int64_t sim_gap_ms(prng *r, uint64_t per_hour);

#endif
