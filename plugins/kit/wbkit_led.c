/* wbkit_led.c: text for seven-segment LED numbers, the scale and unit beside them, and the height
 * to draw them at. It must never cut a number into one that reads wrong: what does not fit
 * becomes dashes. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "wbkit.h"

int wbkit_led_positions(const char *text)
{
    int n = 0;
    for (; *text; text++)
        if (isdigit((unsigned char)*text) || *text == '-' || *text == ' ') n++;
    return n;
}

void wbkit_led_dashes(int digits, char *buf, size_t size)
{
    if (size == 0) return;
    size_t n = digits > 0 ? (size_t)digits : 0;
    if (n >= size) n = size - 1;
    memset(buf, '-', n);
    buf[n] = '\0';
}

void wbkit_led_eights(int positions, char *buf, size_t size)
{
    if (size < 2) {
        if (size) buf[0] = '\0';
        return;
    }
    size_t n = positions > 1 ? (size_t)positions : 1;
    if (n >= size) n = size - 1;
    memset(buf, '8', n);
    buf[n] = '\0';
}

int wbkit_led_fit_height(const wb_host_services *svc, wb_host *host, const char *ghost,
                         int box_w, int box_h)
{
    if (box_w <= 0 || box_h <= 0) return 0;
    /* measured near the size it is drawn at: hinting makes small sizes less proportional */
    int px = box_h < WBKIT_LED_MEASURE_MAX_PX ? box_h : WBKIT_LED_MEASURE_MAX_PX;
    int w = 0, h = 0;
    if (svc->measure_text(host, WB_FONT_LED, px, ghost, &w, &h) != 0 || w <= 0) return box_h;
    double per_px = (double)w / px;
    if (per_px * box_h <= box_w) return box_h;
    int fitted = (int)floor(box_w / per_px * WBKIT_LED_FIT_MARGIN);
    return fitted < 1 ? 1 : fitted;
}

/* Formats with the host and says whether the text fits `digits` positions without looking
 * wrong: a compact (scaled) form must not read "0.3k". */
static int format_fits(const wb_host_services *svc, double value, int decimals, int digits,
                       int compact, char *buf, size_t size)
{
    int needed = svc->format_number(value, decimals, NULL, buf, size);
    if (needed < 0 || (size_t)needed >= size) return 0;
    if (compact) {
        const char *first = buf[0] == '-' ? buf + 1 : buf;
        if (first[0] == '0') return 0;
    }
    return wbkit_led_positions(buf) <= digits;
}

const char *wbkit_led_text(const wb_host_services *svc, double value, int decimals, int digits,
                           char *buf, size_t size)
{
    static const struct {
        double divisor;
        const char *suffix;
    } scales[] = {{1e3, "k"}, {1e6, "M"}, {1e9, "G"}, {1e12, "T"}};

    for (int d = decimals; d >= 0; d--)
        if (format_fits(svc, value, d, digits, 0, buf, size)) return "";
    for (size_t i = 0; i < sizeof scales / sizeof scales[0]; i++)
        for (int d = 1; d >= 0; d--)
            if (format_fits(svc, value / scales[i].divisor, d, digits, 1, buf, size))
                return scales[i].suffix;
    wbkit_led_dashes(digits, buf, size);
    return "";
}

void wbkit_unit_text(const char *scale, const char *unit, char *buf, size_t size)
{
    if (!unit) unit = "";
    int glue = strlen(unit) <= 3;
    for (const char *p = unit; *p && glue; p++) glue = isalpha((unsigned char)*p);
    const char *sep = (*scale && *unit && !glue) ? " " : "";
    snprintf(buf, size, "%s%s%s", scale, sep, unit);
}

int wbkit_anim_led_positions(const wb_host_services *svc, const wbkit_anim *anim, int decimals,
                             int digits, int least)
{
    if (!anim->has_value) return least;
    const double values[3] = {anim->target, anim->shown, anim->from};
    int most = least;
    for (int i = 0; i < (anim->animating ? 3 : 2); i++) {
        char buf[WBKIT_LED_TEXT_SIZE];
        wbkit_led_text(svc, values[i], decimals, digits, buf, sizeof buf);
        if (wbkit_led_positions(buf) > most) most = wbkit_led_positions(buf);
    }
    return most;
}
