#!/bin/bash
# Hostile websocket framing, each on a feed of its own next to a healthy one:
#  - frag: 1-byte fragments, of a 200 KiB message and of one over the 1 MiB limit (counted
#    invalid once its reassembly passes 1 MiB, never buffered beyond it);
#  - bin: binary frames, small, 10 MiB in one frame, in 64 KiB and in 1-byte fragments (invalid,
#    discarded as they come);
#  - ping: a ping flood (100 000 pings from the server between 50 messages: lws on the wall's side
#    answers each with a pong, the messages arrive all and in order);
#  - stall: a server that stalls mid-message and stops reading (no pong for the wall's ping): the
#    wall hangs up after its 12 s idle timeout, says why in last_error and reconnects;
#  - stallp: a server that stalls mid-message for 16 s but still answers pings: the connection
#    is kept, the tile goes stale, and the message completes when the server goes on;
#  - stallm: the same, but the message never goes on: pongs keep the idle policy happy, so the
#    wall's 30 s message timeout hangs up, counts the message as cut and reconnects;
#  - hang: a server that accepts TCP and never answers the handshake: given up after 12 s,
#    again and again, and never counted as a connection.
# The first three are released one at a time (@await) to measure the wall's peak memory for each;
# the stalls and the hang run meanwhile. Throughout, the wall presents frames and the healthy
# feed's tile advances with every message it is sent.
source "$(dirname "$0")/lib.sh"

server_start_beat beat

server_start_script frag <<S
{"key":"f","value":1}
@await $WB_SCRATCH/go.frag
@fragments 1 {"key":"f","value":4242}
@big-fragments 204800 1 {"key":"f","value":204800}
@big-fragments 1100000 1 {"key":"f","value":66}
{"key":"f","value":2}
@hold
S

server_start_script bin <<S
{"key":"b","value":1}
@await $WB_SCRATCH/go.bin
@binary {"key":"b","value":66}
@big-binary 10485760 {"key":"b","value":66}
@big-binary 10485760 {"key":"b","value":66}
@big-binary-fragments 10485760 65536 {"key":"b","value":66}
@big-binary-fragments 4000 1 {"key":"b","value":66}
{"key":"b","value":2}
@hold
S

pings="$WB_SCRATCH/ping.script"
{
    echo '{"key":"p","value":0}'
    echo "@await $WB_SCRATCH/go.ping"
    for i in $(seq 1 50); do
        echo "@pings 2000 ping $i: $(printf 'x%.0s' $(seq 1 100))"
        echo "{\"key\":\"p\",\"value\":$i}"
    done
    echo '@hold'
} >"$pings"
server_start ping --script "$pings"

server_start_script stall <<'S'
@connection 1
{"key":"s","value":1}
@stall-deaf 40000 {"key":"s","value":66,"note":"never completed: the wall hangs up first"}
@connection 2
{"key":"s","value":2}
@hold
S

server_start_script stallp <<'S'
{"key":"t","value":1}
@stall 16000 {"key":"t","value":2,"note":"completed after a 16 s pause"}
@hold
S

server_start_script stallm <<'S'
@connection 1
{"key":"m","value":1}
@stall 120000 {"key":"m","value":66,"note":"never completed: the wall gives up after 30 s"}
@connection 2
{"key":"m","value":2}
@hold
S

server_start hang --handshake-hang

cat >"$WALL_CONFIG" <<EOF2
{"title": "e2e hostile protocol", "grid": {"columns": 4, "rows": 2, "gap": 8},
 "feeds": {"frag": {"url": "$(url frag)"}, "bin": {"url": "$(url bin)"},
           "ping": {"url": "$(url ping)"}, "stall": {"url": "$(url stall)"},
           "stallp": {"url": "$(url stallp)"}, "stallm": {"url": "$(url stallm)"},
           "hang": {"url": "$(url hang)"},
           "beat": {"url": "$(url beat)"}},
 "tiles": [
  $(counter_tile f 0 0 60 frag),
  $(counter_tile b 1 0 60 bin),
  $(counter_tile p 2 0 60 ping),
  $(counter_tile s 3 0 60 stall),
  $(counter_tile t 0 1 3 stallp),
  $(counter_tile a 1 1 60 hang),
  $(counter_tile beat 2 1 60 beat),
  $(counter_tile m 3 1 60 stallm)
 ]}
EOF2

asan_small_quarantine
wall_start_noshot --headless --size 960x540
wall_wait 20 "$(tile f).values.value == 1 and $(tile b).values.value == 1 and $(tile p).values.value == 0 and $(tile s).values.value == 1 and $(tile t).values.value == 1 and $(tile m).values.value == 1 and $(tile beat).values.value >= 1" \
    "the first message of every feed but the hung one"
mem_mark
start_kb=$MEM_BASE_KB
# the server that answers pings but stalls mid-message: the tile (stale_after 3 s) goes stale
wall_wait 15 "$(tile t).state == \"stale\" and $(tile t).values.value == 1 and $(feed stallp).state == \"live\"" \
    "tile t stale (its server stalled mid-message) while its feed stays live"

# phase FEED TILE MARK RECEIVED INVALID PLAIN_KB ASAN_KB: releases FEED's hostile part and waits
# for its last message (TILE showing MARK, RECEIVED messages in all); then exact counters, the
# wall still drawing, the healthy feed untouched, and the peak memory growth in the phase.
phase() {
    local f=$1 t=$2 mark=$3 received=$4 invalid=$5 plain_kb=$6 asan_kb=$7
    mem_mark
    go "$f"
    wall_wait 40 "$(tile "$t").values.value == $mark and $(feed "$f").received >= $received" \
        "feed $f: tile $t showing $mark and $received messages received"
    assert_eq "$(feed "$f") | [.received, .invalid, .dropped, .connects, .state, .last_error]" \
        "[$received,$invalid,0,1,\"live\",\"\"]" \
        "feed $f: received, invalid, dropped, connects, state, last_error"
    wall_wait_advancing 20 beat "after feed $f: the wall still presenting frames (> %s) and the healthy feed's tile advancing (> %s)"
    assert_feed_healthy beat beat
    mem_assert_growth "$plain_kb" "$asan_kb" "feed $f"
}

# Bounds as in e2e_hostile_messages: one message costs the wall at most its 1 MiB reassembly
# buffer (and the parse of what it keeps); a 10 MiB binary frame or a 1.1 MB message kept
# whole would add 10-16 MB. Seen (plain / ASan): frag +2.5 / +9 MB, bin +0.5 / +3, ping +0.2 /
# +1.
phase frag f 2 4 1 8192 24576
assert_eq "$(tile f) | [.values.value, .matched, .invalid]" '[2,4,1]' \
    "tile f: 1, the 1-byte-fragment messages (4242, 204800), 2; the 1.1 MB one counted invalid"
assert_jq "$(feed frag).bytes >= 204800" "feed frag bytes count the 200 KiB message"

phase bin b 2 2 5 8192 24576
assert_eq "$(tile b) | [.values.value, .matched, .invalid]" '[2,2,5]' \
    "tile b: only the two text messages; the 5 binary messages counted invalid"

phase ping p 50 51 0 8192 24576
assert_eq "$(tile p) | [.values.value, .matched, .invalid]" '[50,51,0]' \
    "tile p: every message between the 100 000 pings, in order"

# The stall that does not answer pings: the wall pings after 5 s of silence and hangs up at 12 s,
# then reconnects (backoff from 250 ms), and the server's second connection says 2.
wall_wait 40 "$(tile s).values.value == 2 and $(feed stall).connects == 2 and $(feed stall).state == \"live\"" \
    "feed stall: hung up on after its idle timeout and reconnected (tile s showing 2)"
assert_eq "$(feed stall) | [.received, .invalid, .dropped, .connects, .cut]" '[2,0,0,2,1]' \
    "feed stall: received (1, then 2 on the new connection), invalid, dropped, connects, cut (the message the hang-up cut)"
assert_jq "$(feed stall).last_error | test(\"^no answer for 1[0-9] s \\\\(ping unanswered\\\\)$\")" \
    "feed stall: last_error saying the server stopped answering pings after ~12 s"
assert_eq "$(tile s) | [.values.value, .matched, .invalid, .state]" '[2,2,0,"live"]' "tile s"

# The stall that answers pings: the server is alive, the wall keeps the connection; the tile
# (stale_after 3 s) went stale meanwhile and takes the message when it completes at 16 s.
wall_wait 40 "$(tile t).values.value == 2" "tile t showing 2 once the stalled message completed"
assert_eq "$(feed stallp) | [.received, .invalid, .dropped, .connects, .cut, .state, .last_error]" \
    '[2,0,0,1,0,"live",""]' "feed stallp: the connection kept through the 16 s pause"
assert_eq "$(tile t) | [.values.value, .matched, .invalid]" '[2,2,0]' "tile t"

# The message that never completes though pings are answered: hung up on after 30 s without a
# fragment, counted as cut, and the second connection says 2.
wall_wait 45 "$(tile m).values.value == 2 and $(feed stallm).connects == 2 and $(feed stallm).state == \"live\"" \
    "feed stallm: hung up on after its message timeout and reconnected (tile m showing 2)"
assert_eq "$(feed stallm) | [.received, .invalid, .dropped, .connects, .cut]" '[2,0,0,2,1]' \
    "feed stallm: received, invalid, dropped, connects, cut"
assert_jq "$(feed stallm).last_error | test(\"^message stalled: no data for 3[0-9] s in the middle of it$\")" \
    "feed stallm: last_error saying the message stalled for ~30 s"
assert_eq "$(tile m) | [.values.value, .matched, .invalid, .state]" '[2,2,0,"live"]' "tile m"

# The handshake that never completes: by now (> 16 s) it has timed out at least once.
assert_jq "$(feed hang).state == \"connecting\" or $(feed hang).state == \"down\"" \
    "feed hang: connecting or down"
assert_eq "$(feed hang) | [.connects, .received, .invalid, .dropped]" '[0,0,0,0]' \
    "feed hang: never connected, nothing received"
assert_jq "$(feed hang).last_error | test(\"^handshake timed out after 1[0-9] s$\")" \
    "feed hang: last_error saying the handshake timed out after ~12 s"
assert_eq "$(tile a).values.value" null "tile a (hung handshake): no value ever"

wall_wait_advancing 20 beat "at the end: frames still presented (> %s) and the healthy tile advancing (> %s)"
assert_feed_healthy beat beat
# Since the last phase: the stalls' end and the hung handshakes; then the highest peak of the
# whole run (every phase's and this one), against the RSS after the first messages.
mem_assert_growth 8192 24576 "the stalls and hung handshakes, since the last phase"
log "memory, the whole run: RSS after the first messages $start_kb kB, highest peak $MEM_MAX_HWM_KB kB"
((MEM_MAX_HWM_KB - start_kb < $(wall_is_asan && echo 49152 || echo 16384))) ||
    fail "memory, the whole run: the peak RSS grew by $((MEM_MAX_HWM_KB - start_kb)) kB"

wall_stop
assert_eq "[$(feed frag).invalid, $(feed bin).invalid, $(feed ping).received, $(feed stall).connects, $(feed stallp).connects, $(feed stallm).connects, $(feed hang).connects]" \
    '[1,5,51,2,1,2,0]' "at exit: frag invalid, bin invalid, ping received, stall, stallp, stallm, hang connects"
for s in frag bin ping stall stallp stallm beat; do server_stop "$s"; done
server_stop hang
