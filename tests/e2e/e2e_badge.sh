#!/bin/bash
# A stale tile's badge counts the seconds without the tile being drawn again: only the badge
# is redrawn (idle cost), the plugin's render is not called, and the badge still shows.
source "$(dirname "$0")/lib.sh"

[[ -f $WB_TEST_PLUGIN_DIR/good.so ]] || fail "$WB_TEST_PLUGIN_DIR/good.so is missing (target testplugin_good)"

server_start_script feed <<'S'
{"key":"a","value":1}
@sleep 60000
S

cat >"$WALL_CONFIG" <<EOF2
{"title": "e2e badge", "grid": {"columns": 1, "rows": 1, "gap": 12},
 "feeds": {"f1": {"url": "$(url feed)"}},
 "tiles": [{"id": "t", "plugin": "good", "feed": "f1", "cell": [0, 0], "stale_after": 1,
            "options": {}}]}
EOF2

wall_start --headless --size 640x360 --plugin-dir "$WB_TEST_PLUGIN_DIR"
wall_wait 20 "$(tile t).state == \"stale\"" "tile t stale one second after its only message"
renders=$(jqv "$(tile t).values.renders")
frames=$(jqv .wallboard.frames)
# The age text turns every second ("stale 2 s", "stale 3 s", ...): each turn is a frame.
wall_wait 20 ".wallboard.frames >= $((frames + 3))" "three more frames for the badge's age (from $frames)"
assert_eq "$(tile t).values.renders" "$renders" "plugin renders while only the badge changed"
wall_stop
assert_eq "$(tile t).state" '"stale"' "tile t state at exit"
# The badge (warn amber on black) is on screen after the partial redraws.
assert_pixels "$WALL_SHOT" t amber 50
