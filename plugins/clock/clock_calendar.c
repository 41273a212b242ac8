/* clock_calendar.c: civil time at a fixed UTC offset, and the clock's texts in three languages.
 * It must never read the environment or a time zone database (tzset/localtime are not safe to
 * retarget in a threaded host), and never call the host. */
#include <stdio.h>
#include <string.h>

#include "clock_calendar.h"

#define SECONDS_PER_DAY 86400
/* Days from 0000-03-01 to 1970-01-01; a 400-year era has 146097 days. */
#define DAYS_TO_EPOCH_FROM_0000_03_01 719468
#define DAYS_PER_ERA 146097
#define EPOCH_WEEKDAY 4 /* 1970-01-01 was a Thursday */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Howard Hinnant's days-to-civil: exact over the whole proleptic Gregorian calendar, in
 * integers, without tables. The year starts in March so that the leap day comes last. */
static void civil_from_days(int64_t days, clock_civil *out)
{
    int64_t z = days + DAYS_TO_EPOCH_FROM_0000_03_01;
    int64_t era = floor_div(z, DAYS_PER_ERA);
    int64_t doe = z - era * DAYS_PER_ERA;                                  /* 0..146096 */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  /* 0..399 */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                 /* 0..365 */
    int64_t mp = (5 * doy + 2) / 153;                                      /* 0..11, March first */
    out->day = (int)(doy - (153 * mp + 2) / 5 + 1);
    out->month = (int)(mp < 10 ? mp + 3 : mp - 9);
    out->year = (int)(yoe + era * 400 + (out->month <= 2));
    int64_t wd = (days + EPOCH_WEEKDAY) % 7;
    out->weekday = (int)(wd < 0 ? wd + 7 : wd);
}

void clock_civil_from_epoch(int64_t epoch_s, int offset_minutes, clock_civil *out)
{
    int64_t local = epoch_s + (int64_t)offset_minutes * 60;
    int64_t days = floor_div(local, SECONDS_PER_DAY);
    int64_t second_of_day = local - days * SECONDS_PER_DAY;
    civil_from_days(days, out);
    out->day_number = days;
    out->hour = (int)(second_of_day / 3600);
    out->minute = (int)(second_of_day / 60 % 60);
    out->second = (int)(second_of_day % 60);
}

static const char *const lang_codes[CLOCK_LANG_COUNT] = {"ko", "zh", "en"};

int clock_lang_from_code(const char *code)
{
    for (int i = 0; i < CLOCK_LANG_COUNT; i++)
        if (strcmp(code, lang_codes[i]) == 0) return i;
    return -1;
}

const char *clock_lang_code(clock_lang lang)
{
    return lang >= 0 && lang < CLOCK_LANG_COUNT ? lang_codes[lang] : "";
}

/* Weekdays from Sunday. Korean and Chinese name them by one syllable each. */
static const char *const weekday_ko[7] = {"일", "월", "화", "수", "목", "금", "토"};
static const char *const weekday_zh[7] = {"日", "一", "二", "三", "四", "五", "六"};
static const char *const weekday_en[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                          "Thursday", "Friday", "Saturday"};
static const char *const month_en[12] = {"January", "February", "March",     "April",
                                         "May",     "June",     "July",      "August",
                                         "September", "October", "November", "December"};

void clock_date_text(const clock_civil *c, clock_lang lang, char *buf, size_t size)
{
    int wd = c->weekday, m = c->month - 1;
    switch (lang) {
    case CLOCK_LANG_KO:
        snprintf(buf, size, "%d년 %d월 %d일 %s요일", c->year, c->month, c->day, weekday_ko[wd]);
        break;
    case CLOCK_LANG_ZH:
        snprintf(buf, size, "%d年%d月%d日 星期%s", c->year, c->month, c->day, weekday_zh[wd]);
        break;
    case CLOCK_LANG_EN:
        snprintf(buf, size, "%s %d %s %d", weekday_en[wd], c->day, month_en[m], c->year);
        break;
    default:
        if (size) buf[0] = '\0';
    }
}

void clock_time_text(const clock_civil *c, int seconds, char *buf, size_t size)
{
    if (seconds)
        snprintf(buf, size, "%02d:%02d:%02d", c->hour, c->minute, c->second);
    else
        snprintf(buf, size, "%02d:%02d", c->hour, c->minute);
}

void clock_iso_text(const clock_civil *c, int offset_minutes, char *buf, size_t size)
{
    int east = offset_minutes >= 0, off = east ? offset_minutes : -offset_minutes;
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", c->year, c->month, c->day,
             c->hour, c->minute, c->second, east ? '+' : '-', off / 60, off % 60);
}

void clock_offset_text(int offset_minutes, char *buf, size_t size)
{
    int east = offset_minutes >= 0, off = east ? offset_minutes : -offset_minutes;
    if (off == 0)
        snprintf(buf, size, "UTC");
    else if (off % 60 == 0)
        snprintf(buf, size, "UTC%c%d", east ? '+' : '-', off / 60);
    else
        snprintf(buf, size, "UTC%c%d:%02d", east ? '+' : '-', off / 60, off % 60);
}
