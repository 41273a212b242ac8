/* sim.c: simulated clock, calendar and integer activity helpers for the feed generators.
 * Must never read the real clock, the time zone or floating point: output is part of --seed's promise. */
#include "sim.h"

#include <stdio.h>
#include <string.h>

int64_t sim_now_ms(const sim_clock *c, int64_t elapsed_us)
{
    return c->start_ms + elapsed_us * (int64_t)c->scale / 1000;
}

int64_t sim_due_us(const sim_clock *c, int64_t sim_ms)
{
    if (sim_ms <= c->start_ms) return 0;
    if (c->scale == 0) return INT64_MAX;
    /* The least e with floor(e * scale / 1000) >= diff, i.e. e * scale >= diff * 1000. */
    int64_t need = (sim_ms - c->start_ms) * 1000;
    return (need + c->scale - 1) / c->scale;
}

/* Howard Hinnant's days_from_civil / civil_from_days: exact for every Gregorian date. */
int32_t sim_days_from_civil(int year, int month, int day)
{
    year -= month <= 2;
    int era = (year >= 0 ? year : year - 399) / 400;
    int yoe = year - era * 400;
    int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

void sim_civil_from_days(int32_t days, int *year, int *month, int *day)
{
    int32_t z = days + 719468;
    int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    int32_t doe = z - era * 146097;
    int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int32_t mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(yoe + era * 400 + (*month <= 2));
}

void sim_format_date(int32_t days, int compact, char out[11])
{
    int y, m, d;
    sim_civil_from_days(days, &y, &m, &d);
    /* Years stay within 4 digits: --date is limited to 9999 and a run cannot last millennia. */
    snprintf(out, 11, compact ? "%04d%02d%02d" : "%04d-%02d-%02d", y % 10000, m, d);
}

static int digits(const char *p, size_t n, int *value)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return -1;
        v = v * 10 + (p[i] - '0');
    }
    *value = v;
    return 0;
}

int sim_parse_date(const char *text, int32_t *days)
{
    int y, m, d;
    if (strlen(text) != 10 || text[4] != '-' || text[7] != '-') return -1;
    if (digits(text, 4, &y) || digits(text + 5, 2, &m) || digits(text + 8, 2, &d)) return -1;
    if (y < 1970 || m < 1 || m > 12 || d < 1) return -1;
    /* Round-tripping through the day count rejects 2026-02-30 and friends. */
    int32_t n = sim_days_from_civil(y, m, d);
    int y2, m2, d2;
    sim_civil_from_days(n, &y2, &m2, &d2);
    if (y2 != y || m2 != m || d2 != d) return -1;
    *days = n;
    return 0;
}

int sim_parse_clock(const char *text, int64_t *ms)
{
    int h, m;
    if (strlen(text) != 5 || text[2] != ':') return -1;
    if (digits(text, 2, &h) || digits(text + 3, 2, &m) || h > 23 || m > 59) return -1;
    *ms = (int64_t)h * SIM_HOUR_MS + (int64_t)m * SIM_MINUTE_MS;
    return 0;
}

int sim_profile(const sim_point *points, size_t count, int64_t sim_ms)
{
    if (count == 0) return 0;
    int64_t in_day = sim_ms % SIM_DAY_MS;
    if (in_day < 0) in_day += SIM_DAY_MS;
    int64_t minute_ms = in_day; /* work in ms so the level moves smoothly within a minute */
    size_t next = 0;
    while (next < count && (int64_t)points[next].minute * SIM_MINUTE_MS <= minute_ms) next++;
    /* Neighbours around now, the pair wrapping across midnight at either end. */
    const sim_point *a = &points[next == 0 ? count - 1 : next - 1];
    const sim_point *b = &points[next == count ? 0 : next];
    int64_t a_ms = (int64_t)a->minute * SIM_MINUTE_MS;
    int64_t b_ms = (int64_t)b->minute * SIM_MINUTE_MS;
    if (b_ms <= a_ms) b_ms += SIM_DAY_MS;
    if (minute_ms < a_ms) minute_ms += SIM_DAY_MS;
    int64_t span = b_ms - a_ms;
    if (span == 0) return a->level;
    return (int)(a->level + (b->level - a->level) * (minute_ms - a_ms) / span);
}

int64_t sim_gap_ms(prng *r, uint64_t per_hour)
{
    if (per_hour == 0) per_hour = 1;
    int64_t mean = SIM_HOUR_MS / (int64_t)per_hour;
    if (mean < 1) mean = 1;
    return prng_range(r, 1, 2 * mean);
}
