#!/bin/bash
# 500 messages as fast as the server can send them: the last value, exact counts, nothing dropped;
# SIGINT ends the wall as cleanly as SIGTERM.
source "$(dirname "$0")/lib.sh"

server_start_script feed <<'S'
@repeat 500 {"key":"a","value":%d,"seq":%d}
S

write_counter_wall --stale-after 30 "e2e sequence" a

wall_start --headless --size 640x360
wall_wait 30 "$(feed f1).received >= 500 and $(tile a).values.value == 500" \
    "feed f1 received 500 messages and tile a showing 500"
wall_stop INT

assert_eq "$(feed f1).received" 500 "feed f1 received"
assert_eq "$(feed f1).dropped" 0 "feed f1 dropped"
assert_eq "$(feed f1).invalid" 0 "feed f1 invalid"
assert_eq "$(feed f1).connects" 1 "feed f1 connects"
assert_eq "$(feed f1).seq_gaps" 0 "feed f1 seq gaps (seq 1..500 without a hole)"
assert_eq "$(tile a).values.value" 500 "tile a value"
assert_eq "$(tile a).values.shown" '"500"' "tile a shown"
assert_eq "$(tile a).matched" 500 "tile a matched"
assert_eq "$(tile a).received" 500 "tile a received (the feed's)"
assert_eq "$(tile a).dropped" 0 "tile a dropped (the feed's)"
assert_eq "$(tile a).invalid" 0 "tile a invalid"
server_stop feed
