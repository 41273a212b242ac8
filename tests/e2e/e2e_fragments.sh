#!/bin/bash
# Messages split into websocket fragments (a small one and a 200 KiB one in 1-byte fragments, one
# in 7-byte fragments), a 300 KB message in one frame and one of exactly 1 MiB (the limit, still
# valid): each arrives whole, once, with its value.
source "$(dirname "$0")/lib.sh"

server_start_script feed <<'S'
@fragments 1 {"key":"a","value":4242}
@big 300000 {"key":"b","value":300000}
@big-fragments 204800 1 {"key":"c","value":204800}
@big 1048576 {"key":"e","value":1048576}
@fragments 7 {"key":"d","value":31337,"note":"fragmented"}
S

cat >"$WALL_CONFIG" <<EOF
{"title": "e2e fragments", "grid": {"columns": 3, "rows": 2, "gap": 12},
 "feeds": {"f1": {"url": "$(url feed)"}},
 "tiles": [
  $(counter_tile a 0 0),
  $(counter_tile b 1 0),
  $(counter_tile c 0 1),
  $(counter_tile d 1 1),
  $(counter_tile e 2 0)
 ]}
EOF

wall_start --headless --size 800x450
wall_wait 30 "$(feed f1).received >= 5 and $(tile d).values.value == 31337" \
    "all 5 messages received and tile d showing 31337"
wall_stop

assert_eq "$(feed f1).received" 5 "feed f1 received (each message once)"
assert_eq "$(feed f1).invalid" 0 "feed f1 invalid"
assert_eq "$(feed f1).connects" 1 "feed f1 connects"
assert_jq "$(feed f1).bytes >= 1553376" "feed f1 bytes >= 1553376 (the 300 KB, 200 KiB and 1 MiB messages)"
assert_eq "$(tile a).values.value" 4242 "tile a (1-byte fragments)"
assert_eq "$(tile b).values.value" 300000 "tile b (300 KB in one frame)"
assert_eq "$(tile c).values.value" 204800 "tile c (200 KiB in 1-byte fragments)"
assert_eq "$(tile d).values.value" 31337 "tile d (7-byte fragments)"
assert_eq "$(tile e).values.value" 1048576 "tile e (exactly 1 MiB: the limit is inclusive)"
for t in a b c d e; do
    assert_eq "$(tile $t).matched" 1 "tile $t matched"
    assert_eq "$(tile $t).invalid" 0 "tile $t invalid"
done
server_stop feed
