#!/bin/bash
# A feed whose server accepts TCP and never answers the handshake: its tile stays connecting or
# down, while the wall keeps drawing and another feed keeps flowing; SIGTERM still exits 0.
source "$(dirname "$0")/lib.sh"

server_start hang --handshake-hang
beat="$WB_SCRATCH/beat.script"
for i in $(seq 1 400); do
    echo "{\"key\":\"b\",\"value\":$i}"
    echo '@sleep 100'
done >"$beat"
server_start beat --script "$beat"

cat >"$WALL_CONFIG" <<EOF
{"title": "e2e handshake hang", "grid": {"columns": 2, "rows": 1, "gap": 12},
 "feeds": {"hung": {"url": "$(url hang)"}, "beat": {"url": "$(url beat)"}},
 "tiles": [
  $(counter_tile a 0 0 60 hung),
  $(counter_tile b 1 0 60 beat)
 ]}
EOF

wall_start --headless --size 800x450
wall_wait 20 "$(tile b).values.value >= 1" "tile b getting values from the working feed"
wall_wait_advancing 20 b "frames still presented (> %s) and tile b still updating (> %s) next to the hung feed"
assert_jq "$(tile a).state == \"connecting\" or $(tile a).state == \"down\"" \
    "tile a (hung handshake) connecting or down"
assert_jq "$(feed hung).state == \"connecting\" or $(feed hung).state == \"down\"" \
    "feed 'hung' connecting or down"
assert_eq "$(feed hung).connects" 0 "feed 'hung' connects (the handshake never completes)"
assert_eq "$(feed hung).received" 0 "feed 'hung' received"
assert_eq "$(tile a).values.value" null "tile a value (nothing ever arrived)"
assert_eq "$(feed beat).state" '"live"' "feed 'beat' state"

wall_stop
assert_jq "$(tile a).state == \"connecting\" or $(tile a).state == \"down\"" \
    "tile a connecting or down at exit"
server_stop beat
server_stop hang
