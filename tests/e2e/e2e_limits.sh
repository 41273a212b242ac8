#!/bin/bash
# Limits: messages over 1 MiB that arrive in fragments (64 KiB and 100-byte ones) are dropped as
# invalid without costing the connection; a burst of 20000 messages right after a=3 keeps exact
# accounting (the newest value always shown; every message matched, coalesced or dropped). The
# feed coalesces by "/key", so the burst of b merges in the hand-over instead of pushing a=3 out.
source "$(dirname "$0")/lib.sh"

server_start_script feed <<'S'
@big-fragments 2000000 65536 {"key":"a","value":1}
@big-fragments 1100000 100 {"key":"a","value":2}
{"key":"a","value":3}
@repeat 20000 {"key":"b","value":%d}
S

write_counter_wall "e2e limits" a b
jq '.feeds.f1.coalesce_by = ["/key"]' "$WALL_CONFIG" >"$WALL_CONFIG.tmp" && mv "$WALL_CONFIG.tmp" "$WALL_CONFIG"

wall_start --headless --size 800x450
wall_wait 40 "$(feed f1).received + $(feed f1).dropped >= 20001 and $(tile b).values.value == 20000" \
    "all 20001 valid messages handed over and tile b showing 20000"
wall_stop

assert_eq "$(feed f1).invalid" 2 "feed f1 invalid (the two fragmented messages over 1 MiB)"
assert_eq "$(feed f1).connects" 1 "feed f1 connects (oversized messages must not cost the connection)"
assert_eq "$(tile a).values.value" 3 "tile a value (the message after the oversized ones)"
assert_eq "$(tile a).matched" 1 "tile a matched"
assert_eq "$(tile b).values.value" 20000 "tile b value (the newest is never dropped)"
dropped=$(jqv "$(feed f1).dropped")
coalesced=$(jqv "$(feed f1).coalesced")
received=$(jqv "$(feed f1).received")
matched_b=$(jqv "$(tile b).matched")
matched_a=$(jqv "$(tile a).matched")
# What the raw queue dropped before parsing (parse thread behind) was never received.
((received + dropped == 20001)) ||
    fail "feed f1 received $received + dropped $dropped: expected 20001 (each valid message once)"
((matched_a + matched_b + coalesced + dropped == 20001)) ||
    fail "accounting: matched a ($matched_a) + matched b ($matched_b) + coalesced ($coalesced) + dropped ($dropped) should be 20001"
log "burst of 20000: coalesced $coalesced, dropped $dropped"
server_stop feed
