#!/bin/bash
# Coalescing: a flood of 30000 messages over 3 keys, to one feed with "coalesce_by": ["/key"] and
# (the same script on a second connection) to one without. The main thread, drawing, takes far
# fewer than arrive: on the coalescing feed the hand-over merges the rest and drops nothing; on the
# other it drops the oldest. Every message is accounted for (matched + coalesced + dropped), seq
# gaps only where messages were dropped before parsing, and every tile shows the last value sent.
source "$(dirname "$0")/lib.sh"

N=30000
server_start_script feed <<S
@repeat-keys $N 3 {"key":"k%k","value":%d,"seq":%d}
S

# Tiles k1..k3 on f1 (coalescing), e1..e3 on f2 (the same keys, every message kept or dropped).
tiles=""
for i in 1 2 3; do
    tiles+="$(counter_tile "k$i" $((i - 1)) 0 60 f1),"$'\n'
    tiles+="{\"id\": \"e$i\", \"plugin\": \"counter\", \"feed\": \"f2\", \"match\": {\"key\": \"k$i\"},
     \"cell\": [$((i - 1)), 1], \"stale_after\": 60,
     \"options\": {\"value\": \"/value\", \"decimals\": 0, \"animate_ms\": 0}}"
    [[ $i == 3 ]] || tiles+=","$'\n'
done
cat >"$WALL_CONFIG" <<EOF
{"title": "e2e coalesce", "grid": {"columns": 3, "rows": 2, "gap": 12},
 "feeds": {"f1": {"url": "$(url feed)", "coalesce_by": ["/key"]},
           "f2": {"url": "$(url feed)"}},
 "tiles": [
$tiles
 ]}
EOF

want() { echo $((N - (N - $1) % 3)); } # the last i <= N with (i - 1) % 3 + 1 == $1
w1=$(want 1) w2=$(want 2) w3=$(want 3)
((w1 == N - 2 && w2 == N - 1 && w3 == N)) || fail "test arithmetic: last values $w1 $w2 $w3"

wall_start --headless --size 800x450
wall_wait 45 "$(tile k1).values.value == $w1 and $(tile k2).values.value == $w2 and
              $(tile k3).values.value == $w3 and $(tile e1).values.value == $w1 and
              $(tile e2).values.value == $w2 and $(tile e3).values.value == $w3" \
    "every tile showing the last value sent for its key"
wall_stop

for f in f1 f2; do
    assert_eq "$(feed $f).invalid" 0 "feed $f invalid"
    assert_eq "$(feed $f).connects" 1 "feed $f connects"
done
assert_eq "[$(tile k1).values.value, $(tile k2).values.value, $(tile k3).values.value]" \
    "[$w1,$w2,$w3]" "f1 tiles (coalescing): the last value of each key"
assert_eq "[$(tile e1).values.value, $(tile e2).values.value, $(tile e3).values.value]" \
    "[$w1,$w2,$w3]" "f2 tiles (no coalescing): the last value of each key"
assert_eq "$(feed f2).coalesced" 0 "feed f2 coalesced (it has no coalesce_by)"
assert_jq "$(tile k1).coalesced == $(feed f1).coalesced and $(tile e1).coalesced == 0" \
    "each tile showing its feed's coalesced count"

for f in f1 f2; do
    if [[ $f == f1 ]]; then t="k"; else t="e"; fi
    received=$(jqv "$(feed $f).received")
    dropped=$(jqv "$(feed $f).dropped")
    coalesced=$(jqv "$(feed $f).coalesced")
    missed=$(jqv "$(feed $f).seq_missed")
    matched=$(jqv "[$(tile ${t}1).matched, $(tile ${t}2).matched, $(tile ${t}3).matched] | add")
    log "feed $f: received $received, matched $matched, coalesced $coalesced, dropped $dropped, seq_missed $missed"
    ((matched + coalesced + dropped == N)) ||
        fail "feed $f accounting: matched $matched + coalesced $coalesced + dropped $dropped should be $N"
    # Messages lost before parsing (raw queue full) are neither received nor seen by the seq
    # check; messages dropped or merged after parsing are both.
    ((received + missed == N)) ||
        fail "feed $f: received $received + seq_missed $missed should be $N"
done

coalesced=$(jqv "$(feed f1).coalesced")
((coalesced > 0)) || fail "feed f1 coalesced nothing: the flood should outrun the frames"
# Nothing may be lost on f1: three keys never fill its hand-over (4096), and its raw queue (half
# of the 4 MiB budget: 2 MiB) holds the whole flood (30000 records of 64 bytes) even if the parse
# thread did not run at all meanwhile.
assert_eq "$(feed f1).dropped" 0 "feed f1 dropped (coalescing, and a raw queue the flood fits in)"
assert_eq "$(feed f1).seq_missed" 0 "feed f1 seq_missed"
server_stop feed
