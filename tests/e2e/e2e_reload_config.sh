#!/bin/bash
# Hot reload of a valid config: an unchanged feed keeps its one connection (connects 1, one
# handshake in the server's log), an unchanged tile keeps its instance and value, a changed tile
# is made again, an added one appears, a feed whose URL changed connects to the new server.
source "$(dirname "$0")/lib.sh"

# A second connection to it would show -2 on tiles a and n: the reload must not make one.
server_start_script feed --log "$WB_SCRATCH/feed.log" <<S
@connection 1
{"key":"a","value":1234}
{"key":"t","value":77}
@await $WB_SCRATCH/go.more
{"key":"a","value":1300}
{"key":"n","value":55}
@connection 2
{"key":"a","value":-2}
{"key":"n","value":-2}
S
server_start_script two --log "$WB_SCRATCH/two.log" <<'S'
{"key":"b","value":222}
S
server_start_script three --log "$WB_SCRATCH/three.log" <<'S'
{"key":"b","value":333}
S

# write_wall TITLE_OF_T URL_OF_F2 [EXTRA_TILE]
write_wall() {
    cat >"$WALL_CONFIG.new" <<EOF
{"title": "e2e reload", "grid": {"columns": 4, "rows": 1, "gap": 12},
 "feeds": {"f1": {"url": "$(url feed)"}, "f2": {"url": "$2"}},
 "tiles": [
  {"id": "a", "plugin": "counter", "feed": "f1", "match": {"key": "a"}, "cell": [0, 0],
   "title": "Unchanged", "options": {"value": "/value", "decimals": 0, "animate_ms": 0}},
  {"id": "t", "plugin": "counter", "feed": "f1", "match": {"key": "t"}, "cell": [1, 0],
   "title": "$1", "options": {"value": "/value", "decimals": 0, "animate_ms": 0}},
  {"id": "b", "plugin": "counter", "feed": "f2", "match": {"key": "b"}, "cell": [2, 0],
   "options": {"value": "/value", "decimals": 0, "animate_ms": 0}}${3:-}
 ]}
EOF
    mv -f "$WALL_CONFIG.new" "$WALL_CONFIG" # as editors save: a new file renamed over
}

# connections_to NAME: established TCP connections to server NAME's port (the wall's side),
# from /proc/net/tcp: a removed feed's connection must really be closed.
connections_to() {
    local hex
    hex=$(printf '%04X' "${SRV_PORT[$1]}")
    awk -v p=":$hex" '$4 == "01" && substr($3, length($3) - 4) == p' /proc/net/tcp | wc -l
}
no_connection_to_two() { (($(connections_to two) == 0)); }

write_wall "Before" "$(url two)"
wall_start --headless --size 800x300
wall_wait 20 "$(tile a).values.value == 1234 and $(tile t).values.value == 77 and $(tile b).values.value == 222" \
    "a 1234, t 77, b 222 from the first config"
assert_eq ".wallboard.config_loads" 1 "config loads at start"
assert_eq ".wallboard.config_errors" '[]' "no config errors at start"
assert_eq "$(tile a).generation" 1 "tile a's first instance"
n=$(connections_to two)
((n == 1)) || fail "expected the wall's one connection to server 'two' before the reload, saw $n"

# The change: t's title, f2's URL (server three), a tile n added; f1 and tile a as they were.
NEW_TILE=',
  {"id": "n", "plugin": "counter", "feed": "f1", "match": {"key": "n"}, "cell": [3, 0],
   "title": "Added", "options": {"value": "/value", "decimals": 0, "animate_ms": 0}}'
write_wall "After" "$(url three)" "$NEW_TILE"
wall_wait 20 ".wallboard.config_loads == 2" "the changed config loaded (config_loads 2)"
wall_wait 20 "$(tile b).values.value == 333" "tile b showing server three's 333 after its URL changed"
assert_eq ".wallboard.config_errors" '[]' "no config errors after a valid change"
assert_eq "$(feed f1).connects" 1 "unchanged feed f1 kept its connection"
n=$(grep -c '^connect' "$WB_SCRATCH/feed.log")
((n == 1)) || fail "server 'feed' saw $n handshakes after the reload, expected 1 (f1 unchanged)"
assert_eq "$(tile a).values.value" 1234 "unchanged tile a keeps its value"
assert_eq "$(tile a).matched" 1 "unchanged tile a keeps its instance (matched count)"
assert_eq "$(tile a).generation" 1 "unchanged tile a: no new instance"
assert_eq "$(tile t).title" '"After"' "tile t's new title"
assert_eq "$(tile t).matched" 0 "tile t was made again (nothing matched since)"
assert_eq "$(tile n).title" '"Added"' "the added tile n is on the wall"
assert_eq "$(feed f1).connects" 1 "unchanged feed f1 kept its connection"
assert_eq "$(feed f2).url" "\"$(url three)\"" "feed f2's new URL"
assert_eq "$(feed f2).connects" 1 "feed f2 connected once to its new server"
poll 10 no_connection_to_two ||
    fail "the old f2 connection to server 'two' is still open 10 s after the reload"
grep -qx 'close 1001' "$WB_SCRATCH/two.log" ||
    fail "server 'two' got no close frame 1001 (going away) from the removed feed: $(grep close "$WB_SCRATCH/two.log")"
assert_eq "$(tile a).rect[2] < 300" true "tiles laid out on the new 4-column grid"

# The kept connection still delivers, to the kept tile and to the new one.
go more
wall_wait 20 "$(tile a).values.value == 1300 and $(tile n).values.value == 55" \
    "a 1300 and the added n 55 over the kept f1 connection"
assert_eq "$(feed f1).connects" 1 "feed f1 still one connection"
wall_stop

n=$(grep -c '^connect' "$WB_SCRATCH/feed.log")
((n == 1)) || fail "server 'feed' saw $n handshakes, expected 1 (the reload must keep f1's connection)"
n=$(grep -c '^connect' "$WB_SCRATCH/three.log")
((n == 1)) || fail "server 'three' saw $n handshakes, expected 1"
# Server two lost its client at the reload: it must not have been reconnected to.
n=$(grep -c '^connect' "$WB_SCRATCH/two.log")
((n == 1)) || fail "server 'two' saw $n handshakes, expected 1 (the old f2 must not reconnect)"
grep -q "config .* loaded: 1 tiles kept" "$WALL_ERR" ||
    fail "the log does not say the config loaded keeping one tile: $(grep config "$WALL_ERR" | tail -3)"
log "ok"
