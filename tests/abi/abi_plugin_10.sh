#!/bin/bash
# A plugin built only against the frozen ABI 1.0 header (abi10.so) on today's host: listed as
# ABI 1.0, created, fed, drawn (pixels) and reporting exact values next to a current plugin, and
# replaced on disk (hot reload) with its missing 1.1 callbacks read as absent.
source "$(dirname "$0")/../e2e/lib.sh"

need_plugins abi10
# The wall loads it from a folder of the test's own, where the file may be replaced.
PLUGINS=$WB_SCRATCH/plugins
mkdir -p "$PLUGINS"
chmod 755 "$PLUGINS"
cp "$WB_PLUGIN_DIR/abi10.so" "$PLUGINS/abi10.so"

# ---- --list-plugins names it with the ABI it was built against
"$WB_WALL" --list-plugins --plugin-dir "$PLUGINS" >"$WB_SCRATCH/list.txt" 2>&1 ||
    fail "wallboard --list-plugins failed: $(cat "$WB_SCRATCH/list.txt")"
grep -E '^abi10  1\.0\.0  ABI 1\.0  ' "$WB_SCRATCH/list.txt" >/dev/null ||
    fail "--list-plugins does not list abi10 1.0.0 as ABI 1.0: $(cat "$WB_SCRATCH/list.txt")"
host_abi=$("$WB_WALL" --version | sed -n 's/.*plugin ABI \([0-9]*\.[0-9]*\).*/\1/p')
[[ $host_abi == 1.* ]] || fail "the host's ABI is '$host_abi', not 1.x"
log "host ABI $host_abi; $(grep '^abi10' "$WB_SCRATCH/list.txt")"

# ---- on a wall: a number, a message it ignores, one it rejects, then the number it keeps;
# after the go file "second", one more
server_start_script feed <<S
{"key":"x","value":12.25}
{"key":"x","other":1}
{"key":"x","value":"not a number"}
{"key":"x","value":1234567.54}
{"key":"c","value":4321}
@await $WB_SCRATCH/go.second
{"key":"x","value":42}
@hold
S

cat >"$WALL_CONFIG" <<EOF
{"title": "abi 1.0 plugin", "grid": {"columns": 2, "rows": 1, "gap": 12},
 "feeds": {"f1": {"url": "$(url feed)"}},
 "tiles": [
  {"id": "old", "plugin": "abi10", "feed": "f1", "match": {"key": "x"}, "cell": [0, 0],
   "title": "ABI 1.0", "stale_after": 60,
   "options": {"value": "/value", "decimals": 1, "thresholds": {"warn": 100, "alarm": 1000000}}},
  {"id": "now", "plugin": "counter", "feed": "f1", "match": {"key": "c"}, "cell": [1, 0],
   "title": "ABI $host_abi", "stale_after": 60,
   "options": {"value": "/value", "animate_ms": 0}}
 ]}
EOF

# abi10 from the test's folder, counter from the wall's own plugins.
wall_start --headless --size 1280x480 --plugin-dir "$PLUGINS"
wall_wait 20 "$(tile old).matched == 4 and $(tile now).values.value == 4321" \
    "the 1.0 tile with its 4 messages and the current counter with 4321"
cp "$WALL_SHOT" "$WB_SCRATCH/first.png"
cp "$WALL_STATE" "$WB_SCRATCH/first.json"
first=$WB_SCRATCH/first.json

assert_eq "$(tile old).state" '"live"' "the 1.0 tile's state (not an error tile)" "$first"
assert_eq "$(tile old).error" 'null' "the 1.0 tile's error" "$first"
assert_eq "$(tile old).values | {value, shown, level, accepted, history, feed_state}" \
    '{"value":1234567.54,"shown":"1,234,567.5","level":"alarm","accepted":2,"history":2,"feed_state":"live"}' \
    "what the 1.0 plugin shows (format_number, threshold_level, json_pointer, on_feed_state)" "$first"
assert_eq "$(tile old).values | {built_abi, host_abi}" "{\"built_abi\":\"1.0\",\"host_abi\":\"$host_abi\"}" \
    "the ABI it was built for and the host's" "$first"
assert_eq "$(tile old).values.services" \
    '{"font":true,"measure_text":true,"now_ms":true,"rendered":true,"renderer":true,"request_frame_at":true}' \
    "every 1.0 service answered" "$first"
assert_eq "$(tile old).invalid" 1 "the message with a string value rejected (WB_MSG_INVALID)" "$first"
assert_eq "$(tile old) | [.faults, .last_fault]" '[0,""]' "no service refused it" "$first"
assert_eq ".wallboard.abi" "\"$host_abi\"" "the host's ABI in --state" "$first"
assert_eq "$(tile now).values.shown" '"4321"' "the current counter beside it" "$first"

# Pixels: the 1.0 plugin's green band (fill_rect, WB_COLOR_OK), its alarm-red LED digits
# (draw_led, level_color); the current counter's red digits.
assert_pixels "$WB_SCRATCH/first.png" old green 5000 "$first"
assert_pixels "$WB_SCRATCH/first.png" old red 1500 "$first"
assert_pixels "$WB_SCRATCH/first.png" now red 500 "$first"

# ---- replaced on disk while the wall runs (a hot-reloading host, ABI 1.1): the 1.0 descriptor
# ends before save/restore, which the host must read as absent, not as whatever follows the
# descriptor in the plugin's memory; the tile is created again and takes messages.
if jq -e "$(tile old) | has(\"generation\")" "$first" >/dev/null; then
    generation=$(jqv "$(tile old).generation" "$first")
    replace_by_rename "$WB_PLUGIN_DIR/abi10.so" "$PLUGINS/abi10.so"
    wall_wait 20 "$(tile old).generation > $generation and $(tile old).state == \"live\"" \
        "the 1.0 tile created again after its file was replaced"
    go second
    wall_wait 20 "$(tile old).values.value == 42" "the reloaded 1.0 tile taking a new message"
    wall_stop
    assert_eq "$(tile old).values | {accepted, shown, level}" \
        '{"accepted":1,"shown":"42.0","level":"normal"}' \
        "a fresh instance after the reload (a 1.0 plugin has no restore)"
else
    log "this wall reports no tile generation (no hot reload): the reload step is left out"
    go second
    wall_wait 20 "$(tile old).values.value == 42" "the 1.0 tile taking a later message"
    wall_stop
    assert_eq "$(tile old).values.accepted" 3 "three numbers taken"
fi
assert_eq "$(tile old) | [.state, .faults]" '["live",0]' "the 1.0 tile live and without faults at exit"
assert_pixels "$WALL_SHOT" old green 5000
server_stop feed
