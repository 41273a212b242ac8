/* wbkit_anim.c: the count-up animation: ease-out from the shown value to the latest target.
 * It must never read a clock itself: the caller passes the host's now_ms in. */
#include "wbkit.h"

void wbkit_anim_init(wbkit_anim *a, int duration_ms)
{
    *a = (wbkit_anim){.duration_ms = duration_ms};
}

double wbkit_ease_out(double t)
{
    double rest = 1.0 - t;
    return 1.0 - rest * rest * rest;
}

double wbkit_anim_value_at(const wbkit_anim *a, uint64_t now_ms)
{
    if (!a->animating) return a->target;
    uint64_t elapsed = now_ms > a->start_ms ? now_ms - a->start_ms : 0;
    if (elapsed >= (uint64_t)a->duration_ms) return a->target;
    return a->from + (a->target - a->from) * wbkit_ease_out((double)elapsed / a->duration_ms);
}

int wbkit_anim_set(wbkit_anim *a, double target, uint64_t now_ms)
{
    /* The same value again leaves a running count-up alone: restarting it would make the
     * digits stutter on a feed that repeats itself. */
    if (a->has_value && target == a->target) return 0;
    double from = a->has_value ? wbkit_anim_value_at(a, now_ms) : 0.0;
    a->target = target;
    a->has_value = 1;
    if (a->duration_ms <= 0 || from == target) {
        a->shown = target;
        a->animating = 0;
        return 1;
    }
    a->from = from;
    a->start_ms = now_ms;
    a->shown = from;
    a->animating = 1;
    return 1;
}

int wbkit_anim_tick(wbkit_anim *a, uint64_t now_ms)
{
    if (!a->animating) return 0;
    a->shown = wbkit_anim_value_at(a, now_ms);
    if (now_ms >= a->start_ms + (uint64_t)a->duration_ms) {
        a->shown = a->target;
        a->animating = 0;
    }
    return 1;
}
