#!/bin/bash
# Servers that close with odd codes, each on its own feed: the protocol-level ones (1002, 1003,
# 1007, 1009, 1011), registered and private ones (3000, 4999), a close frame with no code, and
# codes RFC 6455 forbids on the wire (1005, 999: lws reports them as 1002, protocol error).
# Each sends 1, closes, and says 2 on the next connection: the wall shows why it dropped in
# last_error (kept after the reconnect), reconnects once, loses no message and counts nothing
# invalid; the healthy feed next to them is untouched and the wall keeps drawing.
source "$(dirname "$0")/lib.sh"

server_start_beat beat

# NAME -> its close step; NAME -> what last_error must say in its brackets
declare -A close_line=(
    [c1002]="@close 1002 protocol error" [c1003]="@close 1003 unacceptable"
    [c1007]="@close 1007 bad payload" [c1009]="@close 1009 too big"
    [c1011]="@close 1011 internal error" [c3000]="@close 3000 unauthorized"
    [c4999]="@close 4999" [cnone]="@close" [c1005]="@close 1005" [c999]="@close 999 odd"
)
declare -A close_error=(
    [c1002]="code 1002" [c1003]="code 1003" [c1007]="code 1007" [c1009]="code 1009"
    [c1011]="code 1011" [c3000]="code 3000" [c4999]="code 4999" [cnone]="no close code"
    [c1005]="code 1002" [c999]="code 1002"
)
names=(c1002 c1003 c1007 c1009 c1011 c3000 c4999 cnone c1005 c999)

feeds_json=""
tiles=""
i=0
for n in "${names[@]}"; do
    server_start_script "$n" <<S
@connection 1
{"key":"$n","value":1}
${close_line[$n]}
@connection 2
{"key":"$n","value":2}
@hold
S
    feeds_json+="\"$n\": {\"url\": \"$(url "$n")\"}, "
    tiles+="$(counter_tile "$n" $((i % 4)) $((i / 4)) 60 "$n"),"$'\n'
    i=$((i + 1))
done
cat >"$WALL_CONFIG" <<EOF2
{"title": "e2e hostile close", "grid": {"columns": 4, "rows": 3, "gap": 8},
 "feeds": {$feeds_json "beat": {"url": "$(url beat)"}},
 "tiles": [
$tiles  $(counter_tile beat 3 2 60 beat)
 ]}
EOF2

asan_small_quarantine
wall_start_noshot --headless --size 960x540
wall_wait 20 "$(tile beat).values.value >= 1" "the healthy feed's first message"
mem_mark
all_two="true"
for n in "${names[@]}"; do
    all_two+=" and $(tile "$n").values.value == 2 and $(feed "$n").connects == 2"
done
wall_wait 30 "$all_two" "every closing feed reconnected once and showing 2"

for n in "${names[@]}"; do
    assert_eq "$(feed "$n") | [.state, .connects, .received, .invalid, .dropped, .last_error]" \
        "[\"live\",2,2,0,0,\"closed by server (${close_error[$n]})\"]" \
        "feed $n (${close_line[$n]}): state, connects, received, invalid, dropped, last_error"
    assert_eq "$(tile "$n") | [.values.value, .matched, .invalid, .state]" '[2,2,0,"live"]' \
        "tile $n: 1 then 2, nothing lost"
done
wall_wait_advancing 20 beat "the wall still presenting frames (> %s) and the healthy tile advancing (> %s)"
assert_feed_healthy beat beat
# Ten connections closed and redialled: seen +1 MB plain, +5 MB ASan.
mem_assert_growth 8192 24576 "ten closes and reconnects"

wall_stop
for n in "${names[@]}"; do
    assert_eq "$(feed "$n") | [.connects, .received, .last_error]" \
        "[2,2,\"closed by server (${close_error[$n]})\"]" "feed $n at exit"
    server_stop "$n"
done
server_stop beat
