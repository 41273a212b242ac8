/* clock_calendar.h: the clock plugin's calendar: civil time at a fixed UTC offset and its texts.
 * Pure functions only: no time zone database, no environment, no globals, nothing from the host. */
#ifndef CLOCK_CALENDAR_H
#define CLOCK_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

/* A local date and time (proleptic Gregorian calendar). */
typedef struct clock_civil {
    int year;    /* 1 BC is 0; every epoch second of 0..9999-12-31 fits */
    int month;   /* 1..12 */
    int day;     /* 1..31 */
    int weekday; /* 0 = Sunday .. 6 = Saturday */
    int hour, minute, second;
    int64_t day_number; /* days since 1970-01-01, local: changes exactly when the date does */
} clock_civil;

/* The languages of the date line, in no particular order. */
typedef enum clock_lang {
    CLOCK_LANG_KO = 0,
    CLOCK_LANG_ZH = 1,
    CLOCK_LANG_EN = 2,
    CLOCK_LANG_COUNT = 3
} clock_lang;

/* The local time `offset_minutes` east of UTC at `epoch_s` (seconds since 1970 UTC). */
void clock_civil_from_epoch(int64_t epoch_s, int offset_minutes, clock_civil *out);

/* "ko", "zh" or "en" to its language; -1 for anything else. */
int clock_lang_from_code(const char *code);

/* The code of a language ("ko", "zh", "en"), a static string. */
const char *clock_lang_code(clock_lang lang);

/* The date in one language, written into buf (cut at `size`):
 *   ko "2026년 11월 25일 수요일"
 *   zh "2026年11月25日 星期三"
 *   en "Wednesday 25 November 2026" */
void clock_date_text(const clock_civil *c, clock_lang lang, char *buf, size_t size);

/* The LED text "09:30:05", or "09:30" without seconds. */
void clock_time_text(const clock_civil *c, int seconds, char *buf, size_t size);

/* ISO 8601 with the offset, "2026-11-25T09:30:05+08:00" (for --state). */
void clock_iso_text(const clock_civil *c, int offset_minutes, char *buf, size_t size);

/* The offset as the wall shows it: "UTC+8", "UTC+5:30", "UTC-3", "UTC". */
void clock_offset_text(int offset_minutes, char *buf, size_t size);

#endif /* CLOCK_CALENDAR_H */
