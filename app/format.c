/* format.c: numbers and ages as text for the wall, decimal-exact and snprintf-like.
 * Never depends on the locale or SDL; never shows a number that reads wrong ("-0", cut digits). */
#include "format.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DECIMALS_MAX 9
/* A double's integer part has at most 309 digits; room for that and the decimals. */
#define DIGITS_CAP 352
/* Below this magnitude a double is read as its 15 significant digits (DBL_DIG), which is the
 * decimal the feed most likely sent (2.675 -> "2.675", not 2.67499999...); from here up the
 * binary value has at most 3 fractional binary digits, so "%.3f" prints it exactly. */
#define EXACT_FROM 1e15

/* A decimal magnitude: digits[0..len) with the point after `point` digits (may be <= 0). */
typedef struct decimal {
    char digits[DIGITS_CAP];
    int len;
    int point;
} decimal;

/* The same magnitude rounded: integer digits (no leading zeros, at least "0") and exactly
 * `decimals` fraction digits. */
typedef struct rounded {
    char int_part[DIGITS_CAP + 2];
    char frac_part[DECIMALS_MAX + 1];
    int is_zero;
} rounded;

/* snprintf-like output: copies what fits, counts everything. */
typedef struct out {
    char *buf;
    size_t size;
    size_t len;
} out;

static void put(out *o, const char *s, size_t n)
{
    if (o->buf && o->size > 0 && o->len < o->size - 1) {
        size_t room = o->size - 1 - o->len;
        memcpy(o->buf + o->len, s, n < room ? n : room);
    }
    o->len += n;
}

static void put_str(out *o, const char *s)
{
    put(o, s, strlen(s));
}

/* Terminates the buffer where the text (or the room) ended; returns the full length. */
static int finish(out *o)
{
    if (o->buf && o->size > 0)
        o->buf[o->len < o->size - 1 ? o->len : o->size - 1] = '\0';
    return (int)o->len;
}

static int emit(const char *text, char *buf, size_t size)
{
    out o = {buf, size, 0};
    put_str(&o, text);
    return finish(&o);
}

static int clamp_decimals(int decimals)
{
    return decimals < 0 ? 0 : decimals > DECIMALS_MAX ? DECIMALS_MAX : decimals;
}

static void decimal_from(double mag, decimal *d)
{
    char tmp[DIGITS_CAP];
    d->len = 0;
    if (mag >= EXACT_FROM) {
        snprintf(tmp, sizeof tmp, "%.3f", mag);
        d->point = (int)(strchr(tmp, '.') - tmp);
        for (const char *p = tmp; *p; p++)
            if (*p != '.')
                d->digits[d->len++] = *p;
        return;
    }
    /* "d.dddddddddddddde+XX": 15 significant digits, then the exponent. */
    snprintf(tmp, sizeof tmp, "%.14e", mag);
    const char *e = strchr(tmp, 'e');
    for (const char *p = tmp; p < e; p++)
        if (*p != '.')
            d->digits[d->len++] = *p;
    d->point = (int)strtol(e + 1, NULL, 10) + 1;
}

static char digit_at(const decimal *d, int j)
{
    return j >= 0 && j < d->len ? d->digits[j] : '0';
}

/* Rounds half away from zero (we work on the magnitude, so "up") at `decimals` places. */
static void decimal_round(const decimal *d, int decimals, rounded *r)
{
    char work[DIGITS_CAP + DECIMALS_MAX + 2];
    int ip = d->point > 0 ? d->point : 0;
    int n = ip + decimals;
    work[0] = '0'; /* room for a carry out of the top digit */
    for (int k = 0; k < n; k++)
        work[k + 1] = digit_at(d, d->point - ip + k);
    if (digit_at(d, d->point + decimals) >= '5') {
        int k = n;
        while (work[k] == '9')
            work[k--] = '0';
        work[k]++;
    }
    work[n + 1] = '\0';
    /* Integer digits are work[0 .. ip], fraction digits work[ip+1 .. n]. */
    int start = 0;
    while (start < ip && work[start] == '0')
        start++;
    memcpy(r->int_part, work + start, (size_t)(ip + 1 - start));
    r->int_part[ip + 1 - start] = '\0';
    memcpy(r->frac_part, work + ip + 1, (size_t)decimals);
    r->frac_part[decimals] = '\0';
    r->is_zero = strspn(work, "0") >= (size_t)(n + 1);
}

static void round_value(double value, int decimals, rounded *r)
{
    decimal d;
    decimal_from(fabs(value), &d);
    decimal_round(&d, decimals, r);
}

/* Integer digits with `sep` between groups of three, counted from the right. */
static void put_grouped(out *o, const char *digits, const char *sep)
{
    size_t len = strlen(digits);
    if (!sep || !*sep) {
        put(o, digits, len);
        return;
    }
    size_t first = len % 3 ? len % 3 : 3;
    put(o, digits, first);
    for (size_t i = first; i < len; i += 3) {
        put_str(o, sep);
        put(o, digits + i, 3);
    }
}

int format_number(double value, int decimals, const char *separator, char *buf, size_t size)
{
    if (isnan(value))
        return emit("NaN", buf, size);
    if (isinf(value))
        return emit(value < 0 ? "-inf" : "inf", buf, size);
    decimals = clamp_decimals(decimals);
    rounded r;
    round_value(value, decimals, &r);
    out o = {buf, size, 0};
    if (signbit(value) && !r.is_zero)
        put_str(&o, "-");
    put_grouped(&o, r.int_part, separator);
    if (decimals > 0) {
        put_str(&o, ".");
        put_str(&o, r.frac_part);
    }
    return finish(&o);
}

int format_age(double seconds, char *buf, size_t size)
{
    char tmp[64];
    if (isnan(seconds))
        return emit("?", buf, size);
    if (seconds < 0)
        seconds = 0;
    if (seconds < 60)
        snprintf(tmp, sizeof tmp, "%.0f s", floor(seconds));
    else if (seconds < 3600)
        snprintf(tmp, sizeof tmp, "%.0f min", floor(seconds / 60));
    else if (seconds < 86400)
        snprintf(tmp, sizeof tmp, "%.0f h", floor(seconds / 3600));
    else if (seconds < 1e9 * 86400)
        snprintf(tmp, sizeof tmp, "%.0f d", floor(seconds / 86400));
    else
        snprintf(tmp, sizeof tmp, "?");
    return emit(tmp, buf, size);
}
