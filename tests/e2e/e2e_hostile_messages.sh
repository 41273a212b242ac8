#!/bin/bash
# Hostile message contents on one feed, in phases the test releases one at a time (@await):
# invalid UTF-8 in many shapes, JSON nested 100 000 deep, 10 MiB messages, objects of 100 000
# keys, numbers that are huge, NaN/Infinity-like or negative zero, strings where numbers belong.
# For each phase: --state counts exactly what happened (feed received/invalid/dropped/connects,
# last_error, each tile's invalid and value), the wall keeps presenting frames and a tile on a
# healthy feed keeps advancing, that feed is untouched, and the wall's peak memory during the
# phase stays within a bound that a buffered or leaked hostile message would break.
source "$(dirname "$0")/lib.sh"

server_start_beat beat

# Every tile first shows 123456 then 7890 (2 messages each, 32 in all), so the LED digits are
# drawn and cached before memory is measured: a phase's growth is then what its messages cost.
warm=""
for id in m u d x k h1 h2 z1 z2 z3 z4 z5 z6 z7 z8 s1; do
    warm+="{\"key\":\"$id\",\"value\":123456}"$'\n'"{\"key\":\"$id\",\"value\":7890}"$'\n'
done

# The hostile feed: marker m = N after phase N, so the test knows when a phase went through.
server_start_script h <<S
$warm{"key":"m","value":1}
@await $WB_SCRATCH/go.utf8
# -- 11 invalid: bad UTF-8 anywhere (lws does not check it: the wall must), NUL, then one valid
@invalid-utf8
@esc {"key":"u","value":66,"name":"\\xC3\\x28"}
@esc {"key":"u","value":66,"name":"\\xC0\\xAF"}
@esc {"key":"u","value":66,"name":"\\xED\\xA0\\x80"}
@esc {"key":"u","value":66,"name":"\\xF4\\x90\\x80\\x80"}
@esc {"key":"u","value":66,"name":"\\xE2\\x82"}
@esc {"key":"u","value":66,"name":"\\x80"}
@esc {"key":"u","value":66,"name":"\\xFF\\xFE"}
@esc {"\\xFF":1,"key":"u","value":66}
@esc {"key":"u","value":66}\\x00
{"key":"u","value":66,"name":"a\\u0000b"}
{"key":"u","value":7,"name":"遵义 😀 \\u00e9 \\ud83d\\ude00"}
{"key":"m","value":2}
@await $WB_SCRATCH/go.deep
# -- 8 invalid: 100 000 levels (arrays, objects) four times each; valid: 1000 levels
@nested 100000 {"key":"d","value":66}
@nested-objects 100000 {"key":"d","value":66}
@nested 100000 {"key":"d","value":66}
@nested-objects 100000 {"key":"d","value":66}
@nested 100000 {"key":"d","value":66}
@nested-objects 100000 {"key":"d","value":66}
@nested 100000 {"key":"d","value":66}
@nested-objects 100000 {"key":"d","value":66}
@nested 1000 {"key":"d","value":9}
{"key":"m","value":3}
@await $WB_SCRATCH/go.big
# -- 5 invalid: 10 MiB in one frame (3 times), in 64 KiB fragments, in 1 MiB fragments;
# valid: exactly 1 MiB (the limit is inclusive)
@big 10485760 {"key":"x","value":66}
@big 10485760 {"key":"x","value":66}
@big 10485760 {"key":"x","value":66}
@big-fragments 10485760 65536 {"key":"x","value":66}
@big-fragments 10485760 1048576 {"key":"x","value":66}
@big 1048576 {"key":"x","value":5}
{"key":"m","value":4}
@await $WB_SCRATCH/go.keys
# -- 4 valid objects of 100 001 keys, one at a time; 1 invalid: a duplicate key
@many-keys 100000 {"key":"k","value":8}
@sleep 300
@many-keys 100000 {"key":"k","value":8}
@sleep 300
@many-keys 100000 {"key":"k","value":8}
@sleep 300
@many-keys 100000 {"key":"k","value":8}
{"key":"k","value":99,"value":98}
{"key":"m","value":5}
@await $WB_SCRATCH/go.numbers
# -- h1: 1 valid, then 4 rejected by the counter (beyond +-1e15 its digits would be noise)
{"key":"h1","value":41}
{"key":"h1","value":1e308}
{"key":"h1","value":-1e308}
{"key":"h1","value":1000000000000001}
{"key":"h1","value":1.7976931348623157e308}
# -- h2: 1 valid, then 12 that are not JSON (jansson: overflow, NaN/Infinity literals, hex...)
{"key":"h2","value":42}
{"key":"h2","value":1e400}
{"key":"h2","value":-1e400}
{"key":"h2","value":123456789012345678901234567890}
{"key":"h2","value":-9223372036854775809}
{"key":"h2","value":NaN}
{"key":"h2","value":Infinity}
{"key":"h2","value":-Infinity}
{"key":"h2","value":nan}
{"key":"h2","value":inf}
{"key":"h2","value":1e}
{"key":"h2","value":0x10}
{"key":"h2","value":01}
# -- 8 valid numbers that must never read "-0" (z5 shows 2 decimals), nor lose digits (z8)
{"key":"z1","value":-0}
{"key":"z2","value":-0.0}
{"key":"z3","value":-1e-300}
{"key":"z4","value":-0.4}
{"key":"z5","value":-0.004}
{"key":"z6","value":1e-400}
{"key":"z7","value":-1e-400}
{"key":"z8","value":1000000000000000}
{"key":"m","value":6}
@await $WB_SCRATCH/go.strings
# -- s1: 1 valid, then 8 rejected by the counter: strings and others where a number belongs
{"key":"s1","value":77}
{"key":"s1","value":"12"}
{"key":"s1","value":"NaN"}
{"key":"s1","value":"Infinity"}
{"key":"s1","value":""}
{"key":"s1","value":null}
{"key":"s1","value":true}
{"key":"s1","value":[12]}
{"key":"s1","value":{"v":12}}
{"key":"m","value":7}
@hold
S

tiles=""
col=0
row=0
for id in m u d x k h1 h2 z1 z2 z3 z4 z5 z6 z7 z8 s1; do
    tiles+="$(counter_tile "$id" "$col" "$row" 60 h),"$'\n'
    col=$((col + 1))
    if ((col == 6)); then col=0; row=$((row + 1)); fi
done
cat >"$WALL_CONFIG" <<EOF2
{"title": "e2e hostile messages", "grid": {"columns": 6, "rows": 3, "gap": 8},
 "feeds": {"h": {"url": "$(url h)"}, "beat": {"url": "$(url beat)"}},
 "tiles": [
$tiles  $(counter_tile beat 5 2 60 beat)
 ]}
EOF2
# z5 shows two decimals
jq '(.tiles[] | select(.id == "z5") | .options.decimals) = 2' "$WALL_CONFIG" >"$WALL_CONFIG.tmp" &&
    mv "$WALL_CONFIG.tmp" "$WALL_CONFIG"

asan_small_quarantine
wall_start_noshot --headless --size 1280x720
wall_wait 20 "$(tile m).values.value == 1 and $(feed h).received == 33 and $(tile beat).values.value >= 1" \
    "the hostile feed's 32 warm-up messages and first marker, and the heartbeat"

# phase NAME MARK RECEIVED INVALID PLAIN_KB ASAN_KB: releases phase NAME and waits until its
# marker MARK is shown and the feed received RECEIVED messages in all (so every earlier
# message was counted too); then the feed's invalid count must be INVALID exactly, the wall
# still drawing and the heartbeat advancing, the healthy feed untouched, and the peak memory
# during the phase within +PLAIN_KB (+ASAN_KB under ASan).
phase() {
    local name=$1 mark=$2 received=$3 invalid=$4 plain_kb=$5 asan_kb=$6
    mem_mark
    go "$name"
    wall_wait 40 "$(tile m).values.value == $mark and $(feed h).received >= $received" \
        "phase $name: marker $mark shown and $received messages received in all"
    assert_eq "$(feed h) | [.received, .invalid, .dropped, .connects, .state, .last_error]" \
        "[$received,$invalid,0,1,\"live\",\"\"]" \
        "phase $name: feed h received, invalid, dropped, connects, state, last_error"
    wall_wait_advancing 20 beat "phase $name: the wall still presenting frames (> %s) and the healthy feed's tile advancing (> %s)"
    assert_feed_healthy beat beat
    mem_assert_growth "$plain_kb" "$asan_kb" "phase $name"
}

# Bounds (peak RSS growth during the phase): the wall's own buffers for one message are at most
# 1 MiB of reassembly plus what jansson builds of it. Seen on the 2-core reference machine
# (plain / ASan): utf8 +0.9 / +7 MB, deep +2.5 / +16, big +3.5 / +10, keys +13 / +31, numbers
# and strings +0.5 / +0.2. A 10 MiB message kept whole would add >= 10 MiB (16 with the
# buffer's doubling) and break the 8 MB bound; each leaked 100 000-key object (~13 MB parsed, 4
# sent) adds 13 MB, so 32 MB catches a leak of them. Under ASan every allocation carries
# redzones and shadow, and freed blocks wait in a 16 MB quarantine (asan_small_quarantine):
# larger bounds, and ASan's own leak check at exit does the rest.
phase utf8 2 35 11 8192 24576
assert_eq "$(tile u) | [.values.value, .values.shown, .matched, .invalid]" '[7,"7",3,11]' \
    "tile u: only the valid UTF-8 message (4-byte and escaped surrogate pair) arrived"

phase deep 3 37 19 8192 32768
assert_eq "$(tile d) | [.values.value, .matched, .invalid]" '[9,3,19]' \
    "tile d: only the 1000-level message arrived"

phase big 4 39 24 8192 24576
assert_eq "$(tile x) | [.values.value, .matched, .invalid]" '[5,3,24]' \
    "tile x: only the message of exactly 1 MiB arrived"
assert_jq "$(feed h).bytes >= 1048576" "feed h bytes count the 1 MiB message"

phase keys 5 44 25 32768 65536
assert_eq "$(tile k) | [.values.value, .matched, .invalid]" '[8,6,25]' \
    "tile k: the four 100 001-key objects arrived, the duplicate key did not"

# numbers: 1 + 4 (h1) + 1 (h2) + 8 (z) + marker valid; 12 invalid. (matched: + 2 warm-ups)
phase numbers 6 59 37 8192 24576
assert_eq "$(tile h1) | [.values.value, .values.shown, .matched, .invalid]" '[41,"41",7,41]' \
    "tile h1: 41 kept, 1e308, -1e308, 1e15+1 and DBL_MAX rejected by the plugin"
assert_eq "$(tile h2) | [.values.value, .values.shown, .matched, .invalid]" '[42,"42",3,37]' \
    "tile h2: 42 kept, the 12 non-JSON numbers counted invalid by the feed"
for z in z1 z2 z6 z7; do
    assert_eq "$(tile $z) | [.values.value, .values.shown, .matched, .invalid]" '[0,"0",3,37]' \
        "tile $z: a zero (negative or underflowed) reads 0"
done
assert_eq "$(tile z3) | [.values.shown, .matched]" '["0",3]' "tile z3: -1e-300 reads 0, not -0"
assert_eq "$(tile z4) | [.values.value, .values.shown]" '[-0.4,"0"]' "tile z4: -0.4 with 0 decimals reads 0, not -0"
assert_eq "$(tile z5) | [.values.value, .values.shown]" '[-0.004,"0.00"]' "tile z5: -0.004 with 2 decimals reads 0.00, not -0.00"
assert_eq "$(tile z8) | [.values.value, .values.shown, .values.scale]" '[1000000000000000,"1000.0","T"]' \
    "tile z8: 1e15 (the largest accepted) reads 1000.0 T, every digit right"

phase strings 7 69 37 8192 24576
assert_eq "$(tile s1) | [.values.value, .values.shown, .matched, .invalid]" '[77,"77",11,45]' \
    "tile s1: 77 kept; the 8 strings, null, true, array and object rejected (37 + 8 invalid)"

# every tile kept its value; the wall ends cleanly with the same numbers
wall_stop
assert_eq "$(feed h) | [.received, .invalid, .dropped, .connects]" '[69,37,0,1]' "feed h at exit"
assert_eq "[$(tile u).values.value, $(tile d).values.value, $(tile x).values.value, $(tile k).values.value, $(tile h1).values.value, $(tile h2).values.value, $(tile s1).values.value]" \
    '[7,9,5,8,41,42,77]' "tile values at exit (u d x k h1 h2 s1)"
assert_feed_healthy beat beat
server_stop h
server_stop beat
