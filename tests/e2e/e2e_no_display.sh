#!/bin/bash
# Without a display and without --headless the wall refuses to start: a non-zero exit and a
# message naming DISPLAY and --headless (not a crash, not a hang, not a silent offscreen wall).
source "$(dirname "$0")/lib.sh"

cat >"$WALL_CONFIG" <<'EOF'
{"title": "no display", "grid": {"columns": 1, "rows": 1},
 "tiles": [{"id": "a", "plugin": "counter", "cell": [0, 0], "options": {"value": "/value"}}]}
EOF

RUN_RC=0
timeout -k 5 20 env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER \
    "$WB_WALL" --config "$WALL_CONFIG" --plugin-dir "$WB_PLUGIN_DIR" --seconds 2 \
    >"$WALL_OUT" 2>"$WALL_ERR" || RUN_RC=$?
((RUN_RC != 124 && RUN_RC != 137)) || fail "wallboard without a display hung (killed after 20 s)"
((RUN_RC != 0)) || fail "wallboard without a display: expected a non-zero exit, saw 0"
((RUN_RC < 128)) || fail "wallboard without a display died of signal $((RUN_RC - 128))"
grep -q "DISPLAY" "$WALL_ERR" || fail "expected stderr to mention DISPLAY, saw: $(cat "$WALL_ERR")"
grep -q -- "--headless" "$WALL_ERR" || fail "expected stderr to mention --headless, saw: $(cat "$WALL_ERR")"
log "exit $RUN_RC: $(head -n 3 "$WALL_ERR")"
