#!/bin/sh
# A bundled plugin must export exactly one symbol, the ABI entry: anything else leaks into the
# host's namespace and breaks when two plugins pick the same name.
set -eu
plugin=$1
symbols=$(nm -D --defined-only "$plugin" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sort)
if [ "$symbols" != "wallboard_plugin_entry" ]; then
    echo "FAIL: $plugin exports:" >&2
    echo "$symbols" >&2
    echo "expected only wallboard_plugin_entry" >&2
    exit 1
fi
undefined=$(nm -D --undefined-only "$plugin" | awk '{print $2}' | grep -E '^(tiles_|services_|render_|text_|feeds_|config_|loader_|log_line)' || true)
if [ -n "$undefined" ]; then
    echo "FAIL: $plugin links against the host: $undefined" >&2
    exit 1
fi
echo "ok: $plugin exports only wallboard_plugin_entry"
