#!/bin/bash
# Plugins that misbehave without crashing (tests/plugins): an entry returning NULL, a missing
# required callback, create returning NULL without a reason, report failing, services called
# with NULL or outside render, and a render sleeping 150 ms (over the 50 ms budget). Each
# shows on its own tile (an error tile, a fault count, a "slow" mark) while the counter beside
# them keeps taking its values.
source "$(dirname "$0")/lib.sh"

[[ -n $WB_TEST_PLUGIN_DIR ]] || fail "WB_TEST_PLUGIN_DIR is not set"
for p in null_entry no_destroy create_null_silent report_fails bad_services slow_render; do
    [[ -f $WB_TEST_PLUGIN_DIR/$p.so ]] ||
        fail "$WB_TEST_PLUGIN_DIR/$p.so is missing (built by target testplugin_$p)"
done
export XDG_STATE_HOME="$WB_SCRATCH/state-home" # never the user's crash journal

# Every round makes the slow tile render again (its on_message says "changed") and moves the
# counter on; the counter's last value arrives after the slow tile's renders.
server_start_script feed <<'S'
{"key":"b","n":1}
{"key":"r","n":1}
{"key":"s","n":1}
{"key":"a","value":1}
@sleep 200
{"key":"s","n":2}
{"key":"a","value":2}
@sleep 200
{"key":"s","n":3}
{"key":"a","value":3}
S

tp_tile() { # ID PLUGIN COL ROW: a tile of a test plugin taking the messages whose key is ID
    printf '{"id": "%s", "plugin": "%s", "feed": "f1", "match": {"key": "%s"}, "cell": [%s, %s], "title": "%s", "stale_after": 60, "options": {}}' \
        "$1" "$2" "$1" "$3" "$4" "$2"
}
cat >"$WALL_CONFIG" <<EOF
{"title": "e2e plugin faults", "grid": {"columns": 4, "rows": 2, "gap": 12},
 "feeds": {"f1": {"url": "$(url feed)"}},
 "tiles": [
  $(counter_tile a 0 0),
  $(tp_tile s slow_render 1 0),
  $(tp_tile b bad_services 2 0),
  $(tp_tile r report_fails 3 0),
  $(tp_tile n null_entry 0 1),
  $(tp_tile d no_destroy 1 1),
  $(tp_tile c create_null_silent 2 1)
 ]}
EOF

wall_start --headless --size 1200x500 --plugin-dir "$WB_PLUGIN_DIR" --plugin-dir "$WB_TEST_PLUGIN_DIR"
wall_wait 20 "$(tile a).values.value == 3 and $(tile s).values.messages == 3" \
    "tile a showing 3, after tile s took its 3 messages"
wall_stop

# the counter beside them: live, with every value
assert_eq "$(tile a).state" '"live"' "tile a state"
assert_eq "$(tile a).matched" 3 "tile a messages"
assert_eq "$(tile a).faults" 0 "tile a faults"

# slow render: counted, its longest render shown, the tile still live and drawn with its mark
assert_eq "$(tile s).state" '"live"' "tile s (slow_render) state"
assert_jq "$(tile s).slow_renders >= 3 and $(tile s).slow_renders == $(tile s).values.renders" \
    "every render of tile s counted slow (a 150 ms sleep is over the 50 ms budget)"
assert_jq "$(tile s).render_ms_max >= 150" "tile s render_ms_max of at least its 150 ms sleep"
grep -qF "render of tile s (plugin slow_render) took" "$WALL_ERR" ||
    fail "the log does not name the slow tile and its plugin"
assert_pixels "$WALL_SHOT" s amber 100

# services called wrongly: each bad call counted (9 per render, 3 per message), none drawn
assert_eq "$(tile b).state" '"live"' "tile b (bad_services) state"
assert_jq "$(tile b).values.renders >= 1 and $(tile b).values.messages == 1" "tile b rendered and took its message"
assert_jq "$(tile b).faults == 9 * $(tile b).values.renders + 3 * $(tile b).values.messages" \
    "tile b faults: 9 per render, 3 per message"
assert_jq "$(tile b).last_fault | length > 0" "tile b last_fault"
grep -qF "plugin bad_services fault: " "$WALL_ERR" || fail "the log does not report bad_services' faults"

# report failing
assert_eq "$(tile r).state" '"live"' "tile r (report_fails) state"
assert_eq "$(tile r).values.report_error" true "tile r report_error"
assert_eq "$(tile r).last_fault" '"report returned -1"' "tile r last_fault"

# plugins that cannot run: error tiles with the reason
assert_eq "$(tile n).state" '"error"' "tile n (null_entry) state"
assert_jq "$(tile n).error | contains(\"wallboard_plugin_entry() returned no descriptor\")" "tile n error"
assert_eq "$(tile d).state" '"error"' "tile d (no_destroy) state"
assert_eq "$(tile d).error" '"plugin no_destroy: missing required callback destroy"' "tile d error"
assert_eq "$(tile c).state" '"error"' "tile c (create_null_silent) state"
assert_eq "$(tile c).error" '"create_null_silent: create failed (no reason given)"' "tile c error"
assert_pixels "$WALL_SHOT" a red 200
server_stop feed
