/* wbkit.h: the plugin kit, small pieces most tile plugins need. It is a static library that a
 * plugin links into its own .so. It never links the host: it reaches it only through the
 * services table and host handle that the caller passes in.
 *
 * Using it is optional. A plugin built against include/wallboard/plugin.h alone is just as
 * valid. Conventions:
 *   - No globals: all state is in structs that the caller owns (usually inside its `self`).
 *   - Option readers return -1 on an error, with a one-line reason in `err` (at most
 *     `err_size` bytes). They return 0 when the option is absent, leaving `*out` alone, and
 *     1 when they read it. Reasons read like `option "digits" must be an integer 1..12`. The
 *     host puts the plugin's name in front.
 *   - Every service the kit calls exists since ABI 1.0. `svc` and `host` are borrowed.
 *   - Strings are UTF-8. The comment beside each prototype says who owns what it returns. */
#ifndef WBKIT_H
#define WBKIT_H

#include <stddef.h>
#include <stdint.h>

#include <wallboard/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- create and report (wbkit_plugin.c) ---------------------------------------------------- */

/* For the start of create(): 0 if `tile` is a wb_tile_info that reaches `host` and its services
 * are of major WB_ABI_MAJOR and reach json_pointer, the last member of 1.0, so that every 1.0
 * service is there. Otherwise -1, with `PLUGIN needs host services of ABI 1.0 or later` in err
 * (a NULL tile or services too). A service added later ("since 1.N") is still the caller's to
 * check by services->size. */
int wbkit_check_services(const wb_tile_info *tile, const char *plugin, char *err,
                         size_t err_size);

/* "normal", "warn" or "alarm": a level as report() writes it. A static string. */
const char *wbkit_level_name(wb_level level);

/* Beyond this a double no longer holds every integer exactly. */
#define WBKIT_EXACT_MAX 1e15

/* A number for report(): a JSON integer when it is integral and within +-WBKIT_EXACT_MAX, so a
 * feed's 42 reads back as 42 and not 42.0; else a JSON real. A new reference (NULL when out of
 * memory, which json_object_set_new turns into an error). */
struct json_t *wbkit_number_json(double value);

/* ---- options (wbkit_options.c) ------------------------------------------------------------ */

/* Writes `option "NAME" must be WHAT` into err. Always returns -1, so a plugin can write
 * `return wbkit_option_error(...)` in its own checks. */
int wbkit_option_error(char *err, size_t err_size, const char *name, const char *what);

/* An integer within [lo, hi]. A real such as 2.0, a string or an out-of-range value is an
 * error: `must be an integer LO..HI`. */
int wbkit_read_int(const struct json_t *options, const char *name, int lo, int hi, int *out,
                   char *err, size_t err_size);

/* true or false. Anything else is an error: `must be true or false`. On 1, *out is 1 or 0. */
int wbkit_read_bool(const struct json_t *options, const char *name, int *out, char *err,
                    size_t err_size);

/* A string. "" counts as absent. On 1, *out is a new malloc'd copy that the caller owns and
 * frees. The previous *out (malloc'd or NULL) is freed first. */
int wbkit_read_string(const struct json_t *options, const char *name, char **out, char *err,
                      size_t err_size);

/* 1 if `pointer` is RFC 6901 syntax that addresses inside a message: it starts with "/", and
 * "~" appears only as "~0" or "~1". The root "" is refused. Pure. */
int wbkit_is_json_pointer(const char *pointer);

/* wbkit_read_string plus wbkit_is_json_pointer. A bad pointer is an error
 * (`must be a JSON pointer like "/value"`) and leaves *out alone. The copy is owned as above. */
int wbkit_read_pointer(const struct json_t *options, const char *name, char **out, char *err,
                       size_t err_size);

/* "#rrggbb" (hex digits in either case) into an opaque colour. Returns 0, or -1 with *out
 * left alone. Pure. */
int wbkit_parse_color(const char *text, wb_color *out);

/* A colour option "#rrggbb". An error reads `must be a colour "#rrggbb"`. */
int wbkit_read_color(const struct json_t *options, const char *name, wb_color *out, char *err,
                     size_t err_size);

/* {"warn": number, "alarm": number, "below": bool}, each key optional. Always sets *out first
 * to {NAN, NAN, 0}. Returns 1 only when warn or alarm is set, so an absent object, {} or
 * {"below": true} returns 0. Errors are `must be an object like {...}`,
 * `option "NAME": "warn" must be a number` and `option "NAME": "below" must be true or false`. */
int wbkit_read_thresholds(const struct json_t *options, const char *name, wb_thresholds *out,
                          char *err, size_t err_size);

/* Logs a warning `PLUGIN: unknown WHERE "KEY" ignored` through svc->log for each key of
 * `object` that is not in `known` (a NULL-terminated list). Does nothing if `object` is not
 * a JSON object. */
void wbkit_warn_unknown_keys(const wb_host_services *svc, wb_host *host, const char *plugin,
                             const struct json_t *object, const char *const *known,
                             const char *where);

/* The same for a thresholds object, whose known keys are "warn", "alarm" and "below"
 * (WHERE is "threshold"). */
void wbkit_warn_unknown_threshold_keys(const wb_host_services *svc, wb_host *host,
                                       const char *plugin, const struct json_t *thresholds);

/* ---- count-up animation (wbkit_anim.c) ---------------------------------------------------- */

/* An ease-out count-up from the value shown now to the latest target. Plain data that the
 * caller owns. Read the fields; change them only through the functions below. duration_ms may
 * be set directly before the first value. */
typedef struct wbkit_anim {
    int duration_ms;   /* length of a count-up; 0 = jump at once */
    int has_value;     /* a value was set */
    double target;     /* the last value set */
    double shown;      /* what to show now: target, or on its way there */
    int animating;     /* a count-up is running */
    double from;       /* where the running count-up started */
    uint64_t start_ms; /* when it started */
} wbkit_anim;

/* No value yet, not animating. */
void wbkit_anim_init(wbkit_anim *anim, int duration_ms);

/* Ease-out cubic on [0, 1]: fast start, gentle landing. Pure. */
double wbkit_ease_out(double t);

/* The value at `now_ms`: the target once the count-up has run its course. */
double wbkit_anim_value_at(const wbkit_anim *anim, uint64_t now_ms);

/* A new value at `now_ms`. The count-up starts from what is shown at that moment: 0 for the
 * very first value, or the current point of a running count-up. A value equal to the target
 * changes nothing, so a running count-up carries on and a resting one stays at rest. Returns
 * 1 if the target changed, 0 for a repeat. */
int wbkit_anim_set(wbkit_anim *anim, double target, uint64_t now_ms);

/* Moves `shown` to `now_ms`. Returns 1 on every tick that moves the value, including the one
 * that lands it exactly on the target, so the final value is always drawn. Returns 0 at rest. */
int wbkit_anim_tick(wbkit_anim *anim, uint64_t now_ms);

/* ---- sparkline ring (wbkit_ring.c) -------------------------------------------------------- */

/* The last `capacity` values. The caller owns the struct; the ring owns both arrays. */
typedef struct wbkit_ring {
    double *values;  /* owned, `capacity` slots; NULL when capacity is 0 */
    double *ordered; /* owned scratch for wbkit_ring_ordered, same size */
    int capacity;    /* 0: keeps nothing */
    int count;       /* values held, at most capacity */
    int head;        /* the slot the next value goes to */
} wbkit_ring;

/* An empty ring. A negative capacity counts as 0. Returns 0, or -1 when out of memory. The
 * ring is then empty, and wbkit_ring_free may still be called on it. A zeroed struct is an
 * empty ring of capacity 0. */
int wbkit_ring_init(wbkit_ring *ring, int capacity);

/* Frees the arrays and leaves an empty ring of capacity 0. */
void wbkit_ring_free(wbkit_ring *ring);

/* Adds a value. When full, it replaces the oldest. With capacity 0 it does nothing. */
void wbkit_ring_push(wbkit_ring *ring, double value);

/* The ring->count values, oldest first, for services->draw_sparkline. Borrowed from the ring
 * until the next push or free. NULL when the ring holds nothing. */
const double *wbkit_ring_ordered(wbkit_ring *ring);

/* ---- titles (wbkit_title.c) --------------------------------------------------------------- */

/* A tile title, split into two lines for narrow tiles. Trilingual titles such as
 * "환자 대기 · 候诊患者 · Patients waiting" are long. Where one line does not fit, the title
 * wraps once: at the " · " nearest its middle, or failing that at the space nearest it. */
typedef struct wbkit_title {
    char *text;         /* owned copy of the title; NULL when there is none */
    char *first;        /* owned first line; NULL when the title cannot be split */
    const char *second; /* the second line, pointing into text; NULL when unsplit */
} wbkit_title;

/* Where `title` splits. Returns 1 with the first line being `*first_len` bytes and the second
 * line starting at byte `*second_at`. Returns 0 when there is no separator strictly inside
 * the title. Neither line is ever empty. Pure. */
int wbkit_title_split(const char *title, size_t *first_len, size_t *second_at);

/* Copies `title` (NULL or "" means no title) and splits it. Returns 0, or -1 when out of
 * memory; wbkit_title_free may still be called then. */
int wbkit_title_init(wbkit_title *t, const char *title);

/* Frees what the title owns and leaves it empty. */
void wbkit_title_free(wbkit_title *t);

/* How many lines to draw in a box `width` wide and `height` high: 0 without a title, or 2
 * when the title splits and one line would not fit. Otherwise 1, which includes the case
 * where the text cannot be measured. Measures with services->measure_text. */
int wbkit_title_lines(const wb_host_services *svc, wb_host *host, const wbkit_title *t,
                      int width, int height);

/* Draws the title left-aligned in `box` on 1 or 2 lines (each half of the box, for 2).
 * Returns 1 if some line had to be shrunk or cut (draw_text said 1), otherwise 0. An empty box
 * or a missing title draws nothing. */
int wbkit_title_draw(const wb_host_services *svc, wb_host *host, const wbkit_title *t,
                     wb_rect box, int lines, wb_color color);

/* ---- LED text (wbkit_led.c) --------------------------------------------------------------- */

/* Plenty for up to 12 digit positions, a sign, a point and the NUL. */
#define WBKIT_LED_TEXT_SIZE 64

/* Digit positions a text takes on a seven-segment display. Digits, '-' and ' ' take one each;
 * '.' and ':' share a digit's position. Pure. */
int wbkit_led_positions(const char *text);

/* `digits` dashes ("------"), shown before the first value. Cut to fit buf's `size`. */
void wbkit_led_dashes(int digits, char *buf, size_t size);

/* The LED text for `value` in at most `digits` positions, formatted with
 * svc->format_number. It tries `decimals` and then fewer decimals. Next it tries a scale:
 * "1234.6" with "k", since the LED has no letters and the scale goes by the unit. A scaled form
 * never reads "0.3k". If nothing fits, it writes dashes: a number is never cut into one that
 * reads wrong. Writes into buf (size bytes, WBKIT_LED_TEXT_SIZE is enough). Returns the scale
 * "", "k", "M", "G" or "T", a static string. */
const char *wbkit_led_text(const wb_host_services *svc, double value, int decimals, int digits,
                           char *buf, size_t size);

/* The most digit positions the LED text (wbkit_led_text with `decimals` and `digits`) of a
 * count-up takes on its way: of its target, of the value shown and, while it runs, of where it
 * started; at least `least`, and `least` before any value. An LED sized for that many keeps its
 * digits one size through the whole count-up. */
int wbkit_anim_led_positions(const wb_host_services *svc, const wbkit_anim *anim, int decimals,
                             int digits, int least);

/* `positions` "8"s (at least one, cut to fit buf's `size`): the unlit form of any LED text of
 * that many digit positions, to size a panel by. */
void wbkit_led_eights(int positions, char *buf, size_t size);

/* LED text is measured at most this large (hinting makes small sizes less proportional, so
 * near the size it is drawn at) and fitted to WBKIT_LED_FIT_MARGIN of a width that it would
 * fill exactly, since hinting rounds widths. */
#define WBKIT_LED_MEASURE_MAX_PX 512
#define WBKIT_LED_FIT_MARGIN 0.97

/* The height at which the LED text `ghost` fits box_w, at most box_h. `ghost` is the unlit form
 * of what will be drawn ("8" in every position, as wbkit_led_eights writes, or "88:88"), so the
 * digits keep their size while the value changes, and services->draw_led then fits them by the
 * height and reports no overflow. When box_h would be too wide, WBKIT_LED_FIT_MARGIN of the
 * height that fills box_w, at least 1. 0 for an empty box; box_h if it cannot be measured. */
int wbkit_led_fit_height(const wb_host_services *svc, wb_host *host, const char *ghost,
                         int box_w, int box_h);

/* The small text by the number: the scale and the unit. A unit of up to 3 letters is glued on
 * ("kW", "MB"); any other unit is spaced ("k requests", "k ¥"). `unit` may be NULL. Writes
 * into buf, cut at `size`. */
void wbkit_unit_text(const char *scale, const char *unit, char *buf, size_t size);

/* ---- labels (wbkit_label.c) --------------------------------------------------------------- */

/* Which of a label's texts to draw in `width`: `texts` is a NULL-terminated list, longest first.
 * Returns the index of the first that measures at most `width` wide at `px` in `role`, with its
 * width in *text_w. When none does (or none can be measured, or px < 1): the index of the last
 * text, with *text_w = -1, so the caller chooses between drawing it anyway (the host shrinks or
 * cuts it and says so) and leaving it out. -1 for an empty list. text_w may be NULL. */
int wbkit_label_pick(const wb_host_services *svc, wb_host *host, wb_font_role role, int px,
                     const char *const *texts, int width, int *text_w);

#ifdef __cplusplus
}
#endif

#endif /* WBKIT_H */
