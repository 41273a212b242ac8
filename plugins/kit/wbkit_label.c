/* wbkit_label.c: picks which of a label's texts (longest first) to draw in a width.
 * It must never draw: it only measures, with the host's measure_text. */
#include "wbkit.h"

int wbkit_label_pick(const wb_host_services *svc, wb_host *host, wb_font_role role, int px,
                     const char *const *texts, int width, int *text_w)
{
    int last = -1;
    for (int i = 0; texts[i]; i++) {
        int w = 0, h = 0;
        last = i;
        if (px < 1 || svc->measure_text(host, role, px, texts[i], &w, &h) != 0) continue;
        if (w >= 0 && w <= width) {
            if (text_w) *text_w = w;
            return i;
        }
    }
    if (text_w) *text_w = -1;
    return last;
}
