#!/bin/bash
# A redrawn tile clears only what it painted last frame: after a long number was replaced by a
# short one, the wall must look exactly like a wall that only ever got the short one.
source "$(dirname "$0")/lib.sh"

# counter tiles without their sparkline: it shows history, which the two walls differ in.
short_history_wall() {
    write_counter_wall "e2e refill" a b
    jq '.tiles |= map(.options.sparkline = 0)' "$WALL_CONFIG" >"$WALL_CONFIG.tmp"
    mv "$WALL_CONFIG.tmp" "$WALL_CONFIG"
}

server_start_script feed <<'S'
{"key":"a","value":88888888}
{"key":"b","value":-1234567}
@sleep 2000
{"key":"a","value":7}
{"key":"b","value":2}
@sleep 60000
S
short_history_wall
wall_start --headless --size 800x450
wall_wait 20 "$(tile a).values.value == 88888888 and $(tile b).values.value == -1234567" \
    "the long numbers on screen first"
wall_wait 20 "$(tile a).values.value == 7 and $(tile b).values.value == 2" "then the short ones"
wall_stop
cp "$WALL_SHOT" "$WB_SCRATCH/after_long.png"
server_stop feed

server_start_script feed <<'S'
{"key":"a","value":7}
{"key":"b","value":2}
@sleep 60000
S
short_history_wall
wall_start --headless --size 800x450
wall_wait 20 "$(tile a).values.value == 7 and $(tile b).values.value == 2" "only the short numbers"
wall_stop
assert_pixels "$WALL_SHOT" a red 100
n=$("$WB_PNGPROBE" "$WB_SCRATCH/after_long.png" diff "$WALL_SHOT") || fail "pngprobe diff failed"
((n == 0)) || fail "$n pixels differ from a wall that never showed the long numbers (left-overs of the old digits?)"
server_stop feed
