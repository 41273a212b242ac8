#!/bin/bash
# stale_after: a connected feed that goes quiet makes its tile "stale" (value kept, feed still
# live); the next message makes it "live" again. A server that closes (1001) is reconnected to.
source "$(dirname "$0")/lib.sh"

server_start_script feed <<'S'
{"key":"a","value":10}
@sleep 6000
{"key":"a","value":20}
@sleep 1500
@close 1001
S

write_counter_wall --stale-after 1 "e2e stale" a

wall_start --headless --size 640x360
# the server is quiet for 6 s after the first message; stale_after is 1 s
wall_wait 20 "$(tile a).values.value == 10 and $(tile a).state == \"stale\"" \
    "tile a stale with its value 10 kept while the feed is quiet"
assert_eq "$(feed f1).state" '"live"' "feed f1 state while its tile is stale"
wall_wait 20 "$(tile a).values.value == 20" "tile a showing 20 after the quiet spell"
assert_jq "$(tile a).state == \"live\" or $(tile a).state == \"stale\"" "tile a live (or stale again) after a new message"
# the server then closes with 1001 (going away): the wall reconnects by itself
wall_wait 30 "$(feed f1).connects >= 2" "feed f1 reconnected after the server closed with 1001"
wall_stop
server_stop feed
