#!/bin/bash
# The server dies mid-run: the tile goes down keeping its last value; the server comes back on the
# same port with another script: the wall reconnects by itself (connects == 2) and shows it.
source "$(dirname "$0")/lib.sh"

first=$(server_script first <<'S'
{"key":"a","value":111}
@hold
S
)
server_start feed --script "$first"
port=${SRV_PORT[feed]}

write_counter_wall "e2e restart" a

wall_start --headless --size 640x360
wall_wait 20 "$(tile a).values.value == 111 and $(feed f1).state == \"live\"" \
    "tile a showing 111 over a live feed"
assert_eq "$(feed f1).connects" 1 "feed f1 connects before the server dies"

server_kill feed
wall_wait 20 "($(tile a).state == \"down\" or $(tile a).state == \"connecting\") and ($(feed f1).state == \"down\" or $(feed f1).state == \"connecting\")" \
    "tile a and feed f1 down or connecting after the server was killed"
assert_eq "$(tile a).values.value" 111 "tile a keeps its last value while down"
assert_eq "$(tile a).values.shown" '"111"' "tile a keeps showing its last value while down"
assert_eq "$(feed f1).connects" 1 "feed f1 connects while the server is down"
assert_jq "$(feed f1).last_error | type == \"string\" and length > 0" "feed f1 last_error saying why it is down"

second=$(server_script second <<'S'
{"key":"a","value":222}
@hold
S
)
server_start feed --script "$second" --port "$port"
[[ ${SRV_PORT[feed]} == "$port" ]] || fail "the restarted server listens on ${SRV_PORT[feed]}, expected $port"
wall_wait 30 "$(tile a).values.value == 222 and $(feed f1).state == \"live\"" \
    "tile a showing 222 after the server came back on port $port"
wall_stop

assert_eq "$(feed f1).connects" 2 "feed f1 connects after the restart"
assert_eq "$(feed f1).received" 2 "feed f1 received (111, then 222)"
assert_eq "$(tile a).values.value" 222 "tile a value"
assert_eq "$(tile a).state" '"live"' "tile a state"
assert_eq "$(tile a).matched" 2 "tile a matched"
server_stop feed
