#!/bin/bash
# Hostile input on a feed: not JSON, not an object, binary, bad UTF-8, 2 MB (over the 1 MiB limit),
# a string where a number belongs. The wall counts each, keeps the connection and keeps drawing.
source "$(dirname "$0")/lib.sh"

script="$WB_SCRATCH/feed.script"
{
    echo '@raw this is {not json'
    echo '[1,2]'
    echo '@binary {"key":"a","value":99}'
    echo '@invalid-utf8'
    echo '@big 2000000 {"key":"a","value":98}'
    echo '{"key":"a","value":"12"}'
    echo '{"key":"a","value":7}'
    # then a heartbeat on tile b, so frames keep coming while the test looks
    for i in $(seq 1 300); do
        echo '@sleep 100'
        echo "{\"key\":\"b\",\"value\":$i}"
    done
} >"$script"
server_start feed --script "$script"

write_counter_wall "e2e bad input" a b

wall_start --headless --size 800x450
wall_wait 30 "$(tile a).values.value == 7 and $(tile b).values.value >= 1" \
    "tile a showing 7 after the bad input, and tile b's heartbeat arriving"
wall_wait_advancing 20 b "the wall still presenting frames (frames > %s) and taking messages (b > %s)"

assert_eq "$(feed f1).invalid" 5 "feed f1 invalid (raw text, array, binary, bad UTF-8, 2 MB)"
assert_eq "$(feed f1).connects" 1 "feed f1 connects (bad input must not cost the connection)"
assert_eq "$(feed f1).state" '"live"' "feed f1 state"
assert_jq "$(tile a).invalid >= 6" "tile a invalid >= 6 (the feed's 5 + the string value)"
assert_eq "$(tile a).values.value" 7 "tile a value"
assert_eq "$(tile a).values.shown" '"7"' "tile a shown"
assert_eq "$(tile a).matched" 2 "tile a matched (the string and the 7)"
assert_eq "$(tile b).invalid" 5 "tile b invalid (only the feed's)"

wall_stop
assert_eq "$(feed f1).invalid" 5 "feed f1 invalid at exit"
assert_eq "$(tile a).values.value" 7 "tile a value at exit"
assert_pixels "$WALL_SHOT" a red 100
server_stop feed
