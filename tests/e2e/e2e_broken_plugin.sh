#!/bin/bash
# A plugin whose create() fails ("sensor array offline", tests/plugins create_fails.so) makes an
# error tile with the reason, while the counter tile beside it works as usual.
source "$(dirname "$0")/lib.sh"

[[ -n $WB_TEST_PLUGIN_DIR ]] || fail "WB_TEST_PLUGIN_DIR is not set"
[[ -f $WB_TEST_PLUGIN_DIR/create_fails.so ]] ||
    fail "$WB_TEST_PLUGIN_DIR/create_fails.so is missing (built by target testplugin_create_fails)"

server_start_script feed <<'S'
{"key":"a","value":4711}
{"key":"x","value":1}
S

cat >"$WALL_CONFIG" <<EOF
{"title": "e2e broken plugin", "grid": {"columns": 2, "rows": 1, "gap": 12},
 "feeds": {"f1": {"url": "$(url feed)"}},
 "tiles": [
  $(counter_tile a 0 0),
  {"id": "x", "plugin": "create_fails", "feed": "f1", "match": {"key": "x"}, "cell": [1, 0],
   "title": "Broken", "stale_after": 60, "options": {}}
 ]}
EOF

wall_start --headless --size 800x450 --plugin-dir "$WB_PLUGIN_DIR" --plugin-dir "$WB_TEST_PLUGIN_DIR"
wall_wait 20 "$(tile a).values.value == 4711" "the counter tile showing 4711 beside the broken tile"
wall_stop

assert_eq "$(tile x).state" '"error"' "tile x (create fails) state"
assert_eq "$(tile x).plugin" '"create_fails"' "tile x plugin"
assert_jq "$(tile x).error | type == \"string\" and contains(\"sensor array offline\")" \
    "tile x error holding the plugin's reason 'sensor array offline'"
assert_eq "$(tile a).state" '"live"' "tile a state"
assert_eq "$(tile a).values.value" 4711 "tile a value"
assert_eq "$(tile a).values.shown" '"4711"' "tile a shown"
assert_eq "$(feed f1).received" 2 "feed f1 received (the error tile's message too)"
assert_pixels "$WALL_SHOT" a red 200
server_stop feed
