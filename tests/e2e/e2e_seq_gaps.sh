#!/bin/bash
# Holes in a feed's "seq" are counted: how often it jumped and how many messages were skipped;
# a seq that goes back (the server renumbered) is not a gap.
source "$(dirname "$0")/lib.sh"

server_start_script feed <<'S'
{"key":"a","value":1,"seq":1}
{"key":"a","value":2,"seq":2}
{"key":"a","value":3,"seq":3}
{"key":"a","value":7,"seq":7}
{"key":"a","value":8,"seq":8}
{"key":"a","value":20,"seq":20}
{"key":"a","value":3,"seq":3}
{"key":"a","value":4,"seq":4}
S

write_counter_wall "e2e seq gaps" a

wall_start --headless --size 640x360
wall_wait 30 "$(feed f1).received == 8" "feed f1 received all 8 messages"
wall_stop

assert_eq "$(feed f1).seq_gaps" 2 "feed f1 seq gaps (3->7 and 8->20)"
assert_eq "$(feed f1).seq_missed" 14 "feed f1 messages skipped (4,5,6 and 9..19)"
assert_eq "$(tile a).values.value" 4 "tile a value"
server_stop feed
