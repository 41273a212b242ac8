#!/bin/bash
# request_frame_at(): a plugin that asks for its next frame 100 ms ahead is redrawn although
# nothing else happens on the wall (no feed, no animation), and the wall sleeps in between.
source "$(dirname "$0")/lib.sh"

[[ -f $WB_TEST_PLUGIN_DIR/frame_timer.so ]] ||
    fail "$WB_TEST_PLUGIN_DIR/frame_timer.so is missing (built by target testplugin_frame_timer)"

cat >"$WALL_CONFIG" <<EOF2
{"title": "e2e frame at", "grid": {"columns": 1, "rows": 1, "gap": 12},
 "tiles": [{"id": "t", "plugin": "frame_timer", "cell": [0, 0], "options": {}}]}
EOF2

wall_start --headless --size 640x360 --plugin-dir "$WB_TEST_PLUGIN_DIR"
# Without request_frame_at the tile is drawn once, at start, and never again.
wall_wait 20 "$(tile t).values.renders >= 5" "the tile redrawn at its own request (renders >= 5)"
wall_stop
assert_jq ".wallboard.frames >= 5" "frames presented for the timer (>= 5)"
