#!/bin/bash
# Two counter tiles on one feed: exact values in --state after SIGTERM, LED red in the tiles' pixels.
source "$(dirname "$0")/lib.sh"

server_start_script feed <<'S'
{"key":"a","value":1234}
{"key":"b","value":567}
S

cat >"$WALL_CONFIG" <<EOF
{"title": "e2e basic", "grid": {"columns": 2, "rows": 1, "gap": 12},
 "feeds": {"f1": {"url": "$(url feed)"}},
 "tiles": [
  {"id": "a", "plugin": "counter", "feed": "f1", "match": {"key": "a"}, "cell": [0, 0],
   "span": [1, 1], "title": "Waiting", "stale_after": 30,
   "options": {"value": "/value", "decimals": 0, "animate_ms": 0}},
  {"id": "b", "plugin": "counter", "feed": "f1", "match": {"key": "b"}, "cell": [1, 0],
   "title": "Served", "stale_after": 30,
   "options": {"value": "/value", "decimals": 0, "animate_ms": 0}}
 ]}
EOF

wall_start --headless --size 800x450
wall_wait 20 "$(tile a).values.value == 1234 and $(tile b).values.value == 567" \
    "tile a showing 1234 and tile b showing 567"
# while running (SIGUSR1 dump)
assert_eq "$(feed f1).state" '"live"' "feed f1 state while running"
assert_eq "$(tile a).state" '"live"' "tile a state while running"
wall_stop

# at exit (SIGTERM): the same picture

assert_eq "$(tile a).values.value" 1234 "tile a value"
assert_eq "$(tile a).values.shown" '"1234"' "tile a shown text"
assert_eq "$(tile b).values.value" 567 "tile b value"
assert_eq "$(tile b).values.shown" '"567"' "tile b shown text"
assert_eq "$(tile a).matched" 1 "tile a matched messages"
assert_eq "$(tile b).matched" 1 "tile b matched messages"
assert_eq "$(tile a).plugin" '"counter"' "tile a plugin"
assert_eq "$(tile a).feed" '"f1"' "tile a feed"
assert_eq "$(tile a).url" "\"$(url feed)\"" "tile a url"
assert_eq "$(tile a).state" '"live"' "tile a state at exit"
assert_jq "$(tile a).last_message | type == \"string\" and test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T\")" \
    "tile a last_message as ISO 8601"
assert_eq "$(feed f1).state" '"live"' "feed f1 state at exit (its tiles say live)"
assert_eq "$(feed f1).url" "\"$(url feed)\"" "feed f1 url"
assert_jq "$(feed f1).received >= 2" "feed f1 received >= 2"
assert_eq "$(feed f1).invalid" 0 "feed f1 invalid"
assert_eq "$(feed f1).dropped" 0 "feed f1 dropped"
assert_eq "$(feed f1).connects" 1 "feed f1 connects"
assert_jq "$(feed f1).bytes >= 47" "feed f1 bytes >= 47 (the two messages)"
assert_eq ".wallboard.size" '[800,450]' "wall size"
abi=$(awk '/^#define WB_ABI_MAJOR/ {ma=$3} /^#define WB_ABI_MINOR/ {mi=$3} END {print ma "." mi}' \
    "$WB_SOURCE_DIR/include/wallboard/plugin.h")
assert_eq ".wallboard.abi" "\"$abi\"" "plugin ABI (that of include/wallboard/plugin.h)"
assert_jq ".wallboard.frames >= 1" "at least one frame presented"
assert_jq "$(tile a).rect as [\$x,\$y,\$w,\$h] | \$x >= 0 and \$y >= 0 and \$w > 0 and \$h > 0 and \$x + \$w <= 800 and \$y + \$h <= 450" \
    "tile a's rect inside the 800x450 screen"
assert_jq "$(tile a).rect[0] + $(tile a).rect[2] <= $(tile b).rect[0]" "tile a left of tile b, no overlap"

assert_screenshot_size 800 450
assert_pixels "$WALL_SHOT" a red 200
assert_pixels "$WALL_SHOT" b red 200
server_stop feed
