/* wbkit_title.c: tile titles on one line, or on two where a long trilingual title needs it.
 * It must never call the host except through the services table it is given. */
#include <stdlib.h>
#include <string.h>

#include "wbkit.h"

/* The occurrence of `sep` strictly inside `t` (neither line empty) nearest its middle. */
static int nearest_middle(const char *t, const char *sep, size_t *at_out)
{
    size_t len = strlen(t), sep_len = strlen(sep), best_distance = (size_t)-1;
    for (const char *p = strstr(t, sep); p; p = strstr(p + 1, sep)) {
        size_t at = (size_t)(p - t);
        size_t distance = at > len / 2 ? at - len / 2 : len / 2 - at;
        if (at > 0 && at + sep_len < len && distance < best_distance) {
            *at_out = at;
            best_distance = distance;
        }
    }
    return best_distance != (size_t)-1;
}

int wbkit_title_split(const char *title, size_t *first_len, size_t *second_at)
{
    static const char *const separators[] = {" \xc2\xb7 ", " "}; /* " · ", then a space */
    for (size_t i = 0; i < sizeof separators / sizeof separators[0]; i++) {
        if (nearest_middle(title, separators[i], first_len)) {
            *second_at = *first_len + strlen(separators[i]);
            return 1;
        }
    }
    return 0;
}

int wbkit_title_init(wbkit_title *t, const char *title)
{
    *t = (wbkit_title){0};
    if (!title || !*title) return 0;
    if (!(t->text = strdup(title))) return -1;
    size_t first_len, second_at;
    if (!wbkit_title_split(t->text, &first_len, &second_at)) return 0;
    if (!(t->first = strndup(t->text, first_len))) return -1;
    t->second = t->text + second_at;
    return 0;
}

void wbkit_title_free(wbkit_title *t)
{
    free(t->text);
    free(t->first);
    *t = (wbkit_title){0};
}

int wbkit_title_lines(const wb_host_services *svc, wb_host *host, const wbkit_title *t,
                      int width, int height)
{
    if (!t->text) return 0;
    if (!t->first) return 1;
    int w = 0, h = 0;
    /* draw_text with size 0 uses about 0.8 of the box height */
    if (svc->measure_text(host, WB_FONT_LABEL, height * 8 / 10, t->text, &w, &h) != 0) return 1;
    return w <= width ? 1 : 2;
}

/* One line in its box: 1 when the host had to shrink or cut it. */
static int draw_line(const wb_host_services *svc, wb_host *host, const char *text, wb_rect box,
                     wb_color color)
{
    return svc->draw_text(host, WB_FONT_LABEL, 0, text, box, WB_ALIGN_LEFT, color) == 1;
}

int wbkit_title_draw(const wb_host_services *svc, wb_host *host, const wbkit_title *t,
                     wb_rect box, int lines, wb_color color)
{
    if (!t->text || box.w <= 0 || box.h <= 0) return 0;
    if (lines != 2 || !t->first) return draw_line(svc, host, t->text, box, color);
    wb_rect first = {box.x, box.y, box.w, box.h / 2};
    wb_rect second = {box.x, box.y + first.h, box.w, box.h - first.h};
    int overflow = draw_line(svc, host, t->first, first, color);
    overflow |= draw_line(svc, host, t->second, second, color);
    return overflow;
}
