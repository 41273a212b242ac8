/* xt_led.c: LED numbers with thousands separators ("¥12,345,678.90"): DSEG7 digit groups with a
 * seven-segment style comma between them and a label-font prefix. It must never draw a number
 * that reads differently from its text, nor let the host shrink a group (that is overflow). */
#include <string.h>

#include "exchange_trades.h"

/* The prefix ("¥") beside the digits, and the room a comma takes, as parts of the digits'
 * height or width. */
#define PREFIX_OF_LED 0.7
#define PREFIX_GAP_OF_LED 0.10
#define COMMA_OF_DIGIT 0.42
#define COMMA_DOT_OF_LED 0.085
#define FIT_TRIES 8

static const char LED_CHARS[] = "0123456789-. ";

typedef struct num_parts {
    char prefix[16];
    int groups;
    char group[XT_GROUPS_MAX][XT_TEXT_SIZE];
} num_parts;

/* "¥12,345.67" into "¥" and the groups "12", "345.67". -1 if a part is too long for num_parts. */
static int split_number(const char *text, num_parts *p)
{
    size_t prefix = strcspn(text, LED_CHARS);
    if (prefix >= sizeof p->prefix) return -1;
    memcpy(p->prefix, text, prefix);
    p->prefix[prefix] = '\0';
    p->groups = 0;
    const char *s = text + prefix;
    for (;;) {
        size_t len = strcspn(s, ",");
        if (p->groups == XT_GROUPS_MAX || len >= XT_TEXT_SIZE) return -1;
        memcpy(p->group[p->groups], s, len);
        p->group[p->groups++][len] = '\0';
        if (!s[len]) return 0;
        s += len + 1;
    }
}

/* What the host draws behind a group: "8" in every position, the point kept in place. */
static void ghost_of(const char *group, char *out)
{
    for (; *group; group++) *out++ = *group == '.' || *group == ':' ? *group : '8';
    *out = '\0';
}

static int led_height(const xt *x, int px, int *w8)
{
    int w = 0, h = 0;
    if (px < 1 || x->svc->measure_text(x->host, WB_FONT_LED, px, "8", &w, &h) != 0) return -1;
    if (w8) *w8 = w;
    return h;
}

/* The size the host will draw at in a box `led_h` high: the largest whose line still fits. */
static int host_size(const xt *x, int px, int led_h)
{
    int s = px;
    for (int i = 0; i < 3; i++) {
        int h = led_height(x, s + 1, NULL);
        if (h < 0 || h > led_h) break;
        s++;
    }
    return s;
}

/* The shape of `p` with the LED at px. 0, or -1 if the host cannot measure. */
static int measure_shape(const xt *x, const num_parts *p, int px, xt_led_shape *s)
{
    int w8 = 0;
    *s = (xt_led_shape){.groups = p->groups};
    s->led_h = led_height(x, px, NULL);
    if (s->led_h < 1) return -1;
    s->px = host_size(x, px, s->led_h);
    if (led_height(x, s->px, &w8) < 0) return -1;
    s->comma_w = (int)(w8 * COMMA_OF_DIGIT + 0.5);
    if (s->comma_w < 2) s->comma_w = 2;
    for (int i = 0; i < p->groups; i++) {
        char ghost[XT_TEXT_SIZE];
        int h;
        ghost_of(p->group[i], ghost);
        if (x->svc->measure_text(x->host, WB_FONT_LED, s->px, ghost, &s->group_w[i], &h) != 0)
            return -1;
        s->width += s->group_w[i] + (i ? s->comma_w : 0);
    }
    if (p->prefix[0]) {
        int h;
        s->prefix_px = (int)(s->led_h * PREFIX_OF_LED + 0.5);
        if (s->prefix_px < 1) s->prefix_px = 1;
        if (x->svc->measure_text(x->host, WB_FONT_LABEL_BOLD, s->prefix_px, p->prefix,
                                 &s->prefix_w, &h) != 0)
            return -1;
        s->prefix_gap = (int)(s->led_h * PREFIX_GAP_OF_LED + 0.5);
        s->width += s->prefix_w + s->prefix_gap;
    }
    return 0;
}

static int fit_parts(const xt *x, const num_parts *p, int box_w, int box_h, xt_led_shape *s)
{
    if (box_w < 1 || box_h < 1) return -1;
    int px = box_h < 4096 ? box_h : 4096;
    int h = led_height(x, px, NULL);
    if (h < 1) return -1;
    if (h > box_h) px = (int)((long long)px * box_h / h);
    while (px > 1 && led_height(x, px, NULL) > box_h) px--;
    for (int i = 0; i < FIT_TRIES && px >= 1; i++) {
        if (measure_shape(x, p, px, s) != 0) return -1;
        if (s->width <= box_w && s->led_h <= box_h) return 0;
        /* width is nearly proportional to size; hinting may need a step more */
        int next = (int)((long long)px * box_w / (s->width > 0 ? s->width : 1));
        px = next < px ? next : px - 1;
    }
    return -1;
}

int xt_led_fit(const xt *x, const char *sizing, int box_w, int box_h, xt_led_shape *s)
{
    num_parts p;
    if (split_number(sizing, &p) != 0) return -1;
    return fit_parts(x, &p, box_w, box_h, s);
}

/* shown's groups right-aligned into sizing's, blank-padded: "12,345" in "512,345,678" reads
 * "   ", " 12", "345", so every digit keeps its place through a count-up. */
static int pad_into(const num_parts *sizing, const num_parts *shown, num_parts *out)
{
    if (shown->groups > sizing->groups || strcmp(shown->prefix, sizing->prefix) != 0) return -1;
    *out = *sizing;
    for (int j = 0; j < sizing->groups; j++) {
        char *dst = out->group[sizing->groups - 1 - j];
        size_t room = strlen(dst);
        const char *src = j < shown->groups ? shown->group[shown->groups - 1 - j] : "";
        size_t len = strlen(src);
        if (len > room) return -1;
        memset(dst, ' ', room - len);
        memcpy(dst + room - len, src, len + 1);
    }
    return 0;
}

static int has_digit(const char *group)
{
    return strspn(group, " ") < strlen(group);
}

/* A comma in the digits' style: a square dot on their baseline, like the LED's decimal point,
 * with a tail that steps down to the left, so it never reads as a point. */
static void draw_comma(xt *x, int cx, int comma_w, int y, int led_h, wb_color color)
{
    int d = (int)(led_h * COMMA_DOT_OF_LED + 0.5);
    if (d < 2) d = 2;
    int dot_x = cx + (comma_w - d) / 2, dot_y = y + led_h - d;
    int step = d / 2;
    x->svc->fill_rect(x->host, (wb_rect){dot_x, dot_y, d, d}, color);
    x->svc->fill_rect(x->host, (wb_rect){dot_x + d - step, dot_y + d, step, step}, color);
    x->svc->fill_rect(x->host, (wb_rect){dot_x + d - 2 * step, dot_y + d + step, step, step},
                      color);
}

int xt_led_draw(xt *x, const char *shown, const char *sizing, wb_rect box, wb_align align,
                wb_color color)
{
    num_parts ps, ph, drawn;
    xt_led_shape s;
    if (split_number(sizing, &ps) != 0 || split_number(shown, &ph) != 0 ||
        pad_into(&ps, &ph, &drawn) != 0 || fit_parts(x, &ps, box.w, box.h, &s) != 0) {
        /* cannot lay it out: the host still draws the text, and says it did not fit */
        xt_note(x, 1);
        return -1;
    }
    int px = box.x;
    if (align == WB_ALIGN_RIGHT) px = box.x + box.w - s.width;
    else if (align == WB_ALIGN_CENTER) px = box.x + (box.w - s.width) / 2;
    int y = box.y + (box.h - s.led_h) / 2;
    wb_color ghost = x->svc->color(x->host, WB_COLOR_LED_GHOST);
    if (drawn.prefix[0]) {
        xt_note(x, x->svc->draw_text(x->host, WB_FONT_LABEL_BOLD, s.prefix_px, drawn.prefix,
                                     (wb_rect){px, y, s.prefix_w, s.led_h}, WB_ALIGN_LEFT, color));
        px += s.prefix_w + s.prefix_gap;
    }
    for (int i = 0; i < drawn.groups; i++) {
        if (i > 0) {
            draw_comma(x, px, s.comma_w, y, s.led_h, has_digit(drawn.group[i - 1]) ? color : ghost);
            px += s.comma_w;
        }
        xt_note(x, x->svc->draw_led(x->host, drawn.group[i], (wb_rect){px, y, s.group_w[i], s.led_h},
                                    WB_ALIGN_LEFT, color, 1));
        px += s.group_w[i];
    }
    return 0;
}
