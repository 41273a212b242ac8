/* abi_layout.c: prints where every ABI 1.0 member, enum value and constant of plugin.h is, one
 * line each; built once against the frozen 1.0 header and once against include/ to compare. */
#include <stddef.h>
#include <stdio.h>

#include <wallboard/plugin.h>

/* offset and size of a member: a member moved, resized or retyped to another size shows. */
#define MEMBER(type, member)                                                                 \
    printf("member %s.%s offset %zu size %zu\n", #type, #member, offsetof(type, member),     \
           sizeof(((type *)0)->member))
#define VALUE(name) printf("value %s %lld\n", #name, (long long)(name))
/* Whole structs may grow by appending (the comparison accepts a larger size), never shrink. */
#define STRUCT(type) printf("sizeof %s %zu\n", #type, sizeof(type))

static void value_types(void)
{
    STRUCT(wb_rect);
    MEMBER(wb_rect, x);
    MEMBER(wb_rect, y);
    MEMBER(wb_rect, w);
    MEMBER(wb_rect, h);
    STRUCT(wb_color);
    MEMBER(wb_color, r);
    MEMBER(wb_color, g);
    MEMBER(wb_color, b);
    MEMBER(wb_color, a);
    STRUCT(wb_thresholds);
    MEMBER(wb_thresholds, warn);
    MEMBER(wb_thresholds, alarm);
    MEMBER(wb_thresholds, below);
}

static void host_services(void)
{
    STRUCT(wb_host_services);
    MEMBER(wb_host_services, size);
    MEMBER(wb_host_services, abi_major);
    MEMBER(wb_host_services, abi_minor);
    MEMBER(wb_host_services, log);
    MEMBER(wb_host_services, now_ms);
    MEMBER(wb_host_services, request_frame);
    MEMBER(wb_host_services, renderer);
    MEMBER(wb_host_services, font);
    MEMBER(wb_host_services, color);
    MEMBER(wb_host_services, threshold_level);
    MEMBER(wb_host_services, level_color);
    MEMBER(wb_host_services, fill_rect);
    MEMBER(wb_host_services, draw_text);
    MEMBER(wb_host_services, measure_text);
    MEMBER(wb_host_services, draw_led);
    MEMBER(wb_host_services, draw_bar);
    MEMBER(wb_host_services, draw_sparkline);
    MEMBER(wb_host_services, format_number);
    MEMBER(wb_host_services, json_pointer);
    MEMBER(wb_host_services, request_frame_at);
}

static void tile_info(void)
{
    STRUCT(wb_tile_info);
    MEMBER(wb_tile_info, size);
    MEMBER(wb_tile_info, id);
    MEMBER(wb_tile_info, title);
    MEMBER(wb_tile_info, feed);
    MEMBER(wb_tile_info, options);
    MEMBER(wb_tile_info, services);
    MEMBER(wb_tile_info, host);
}

static void plugin_descriptor(void)
{
    STRUCT(wb_plugin_descriptor);
    MEMBER(wb_plugin_descriptor, size);
    MEMBER(wb_plugin_descriptor, abi_major);
    MEMBER(wb_plugin_descriptor, abi_minor);
    MEMBER(wb_plugin_descriptor, name);
    MEMBER(wb_plugin_descriptor, version);
    MEMBER(wb_plugin_descriptor, description);
    MEMBER(wb_plugin_descriptor, create);
    MEMBER(wb_plugin_descriptor, destroy);
    MEMBER(wb_plugin_descriptor, on_message);
    MEMBER(wb_plugin_descriptor, on_feed_state);
    MEMBER(wb_plugin_descriptor, render);
    MEMBER(wb_plugin_descriptor, tick);
    MEMBER(wb_plugin_descriptor, report);
}

static void values(void)
{
    VALUE(WB_ABI_MAJOR);
    VALUE(WB_FEED_CONNECTING);
    VALUE(WB_FEED_LIVE);
    VALUE(WB_FEED_STALE);
    VALUE(WB_FEED_DOWN);
    VALUE(WB_LOG_ERROR);
    VALUE(WB_LOG_WARN);
    VALUE(WB_LOG_INFO);
    VALUE(WB_LOG_DEBUG);
    VALUE(WB_FONT_LED);
    VALUE(WB_FONT_LABEL);
    VALUE(WB_FONT_LABEL_BOLD);
    VALUE(WB_ALIGN_LEFT);
    VALUE(WB_ALIGN_CENTER);
    VALUE(WB_ALIGN_RIGHT);
    VALUE(WB_LEVEL_NORMAL);
    VALUE(WB_LEVEL_WARN);
    VALUE(WB_LEVEL_ALARM);
    VALUE(WB_COLOR_LED);
    VALUE(WB_COLOR_LED_GHOST);
    VALUE(WB_COLOR_WARN);
    VALUE(WB_COLOR_ALARM);
    VALUE(WB_COLOR_OK);
    VALUE(WB_COLOR_TEXT);
    VALUE(WB_COLOR_TEXT_DIM);
    VALUE(WB_COLOR_TILE_BG);
    VALUE(WB_COLOR_ACCENT);
    VALUE(WB_MSG_IGNORED);
    VALUE(WB_MSG_CHANGED);
    VALUE(WB_MSG_INVALID);
    VALUE(sizeof(wb_feed_state));
    VALUE(sizeof(wb_log_level));
    VALUE(sizeof(wb_font_role));
    VALUE(sizeof(wb_align));
    VALUE(sizeof(wb_level));
    VALUE(sizeof(wb_palette));
    printf("value WB_PLUGIN_ENTRY_SYMBOL %s\n", WB_PLUGIN_ENTRY_SYMBOL);
}

int main(void)
{
    /* Not compared: the minor is what grows. */
    printf("abi %d.%d\n", WB_ABI_MAJOR, WB_ABI_MINOR);
    value_types();
    host_services();
    tile_info();
    plugin_descriptor();
    values();
    return 0;
}
