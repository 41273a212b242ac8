/* wbkit_plugin.c: a plugin's edges with the host: the services check in create() and the values
 * of report(). It must never use a service beyond those of ABI 1.0. */
#include <math.h>
#include <stdio.h>

#include <jansson.h>

#include "wbkit.h"

int wbkit_check_services(const wb_tile_info *tile, const char *plugin, char *err,
                         size_t err_size)
{
    /* tile->services is read only once the tile is known to hold it (and host after it) */
    const wb_host_services *s = NULL;
    if (tile && tile->size >= offsetof(wb_tile_info, host) + sizeof tile->host)
        s = tile->services;
    /* json_pointer is the last 1.0 member: a 1.x table that reaches it has every 1.0 service */
    if (s && s->abi_major == WB_ABI_MAJOR &&
        s->size >= offsetof(wb_host_services, json_pointer) + sizeof s->json_pointer)
        return 0;
    snprintf(err, err_size, "%s needs host services of ABI %d.0 or later", plugin, WB_ABI_MAJOR);
    return -1;
}

const char *wbkit_level_name(wb_level level)
{
    switch (level) {
    case WB_LEVEL_WARN: return "warn";
    case WB_LEVEL_ALARM: return "alarm";
    default: return "normal";
    }
}

json_t *wbkit_number_json(double value)
{
    if (value == floor(value) && fabs(value) <= WBKIT_EXACT_MAX)
        return json_integer((json_int_t)value);
    return json_real(value);
}
