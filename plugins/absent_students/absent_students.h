/* absent_students.h: the instance of an absent_students tile, shared by its source files.
 * Internal to the plugin: nothing here is exported, and it must never name a host symbol. */
#ifndef ABSENT_STUDENTS_H
#define ABSENT_STUDENTS_H

#include <wallboard/plugin.h>

#include "as_model.h"
#include "wbkit.h"

#define AS_PLUGIN_NAME "absent_students"

#define AS_DEFAULT_TOP 3
#define AS_MAX_TOP 10
#define AS_DEFAULT_ANIMATE_MS 800
#define AS_MAX_ANIMATE_MS 60000

/* The LED shows at most this many digit positions; beyond, wbkit scales to k, M... */
#define AS_LED_DIGITS 7

/* One LED number on screen: its count-up, and the text the last frame drew. */
typedef struct as_number {
    wbkit_anim anim;
    char text[WBKIT_LED_TEXT_SIZE];
} as_number;

typedef struct absent_students {
    const wb_host_services *svc; /* borrowed from the host until destroy */
    wb_host *host;

    /* options */
    wbkit_title title;
    int top;
    int has_thresholds, has_late_thresholds;
    wb_thresholds thresholds;      /* for absent_left_behind */
    wb_thresholds late_thresholds; /* for late */

    as_model model;

    /* the totals on screen: absent left-behind children (the big one), late, parents told */
    as_number big, late, notified;

    /* what the last frame drew, for report() */
    int rows_drawn; /* rows of the ranked list */
    int overflow;   /* some text or number did not fit its box */
} absent_students;

/* Draws the whole tile into rect (as_render.c). */
void as_render(absent_students *a, wb_rect rect);

/* The LED text of a number now: its (animated) value, or dashes before the first. */
void as_number_text(const absent_students *a, const as_number *n, char *buf, size_t size);

/* The level of the big number and of late, against their thresholds (normal without). */
wb_level as_big_level(const absent_students *a);
wb_level as_late_level(const absent_students *a);

#endif /* ABSENT_STUDENTS_H */
