#!/bin/bash
# Tile "match" rules on one feed: top-level fields, JSON pointers (nested, escaped "~1"), several
# entries (all must hold), numbers, booleans and null; no match = every message.
source "$(dirname "$0")/lib.sh"

server_start_script feed <<'S'
{"key":"a","value":1}
{"meta":{"site":"north","id":7},"value":2}
{"meta":{"site":"south","id":7},"value":3}
{"kind":"x","ok":true,"value":4}
{"kind":"x","ok":false,"value":5}
{"kind":"y","n":null,"value":6}
{"kind":"y","n":0,"value":7}
{"kind":"y","value":8}
{"a/b":"slash","value":9}
{"key":"done","value":10}
S

tile_json() { # ID COL ROW MATCH-JSON (or "" for none)
    local m=""
    [[ -n $4 ]] && m="\"match\": $4,"
    printf '{"id": "%s", "plugin": "counter", "feed": "f1", %s "cell": [%s, %s], "stale_after": 60, "options": {"value": "/value", "decimals": 0, "animate_ms": 0}}' \
        "$1" "$m" "$2" "$3"
}
cat >"$WALL_CONFIG" <<EOF
{"title": "e2e match", "grid": {"columns": 4, "rows": 2, "gap": 8},
 "feeds": {"f1": {"url": "$(url feed)"}},
 "tiles": [
  $(tile_json field 0 0 '{"key": "a"}'),
  $(tile_json ptr2 1 0 '{"/meta/site": "north", "/meta/id": 7}'),
  $(tile_json ptr 2 0 '{"/meta/id": 7}'),
  $(tile_json bool 3 0 '{"kind": "x", "ok": true}'),
  $(tile_json null 0 1 '{"kind": "y", "n": null}'),
  $(tile_json escaped 1 1 '{"/a~1b": "slash"}'),
  $(tile_json number 2 1 '{"value": 5}'),
  $(tile_json all 3 1 '')
 ]}
EOF

wall_start --headless --size 800x450
wall_wait 20 "$(feed f1).received >= 10 and $(tile all).values.value == 10" \
    "all 10 messages received and the unfiltered tile showing the last (10)"
wall_stop

# expect ID VALUE MATCHED
expect() {
    assert_eq "$(tile "$1").values.value" "$2" "tile '$1' value"
    assert_eq "$(tile "$1").matched" "$3" "tile '$1' matched"
}
expect field 1 1
expect ptr2 2 1     # both entries must hold: south is out
expect ptr 3 2      # north and south both have /meta/id 7: the last wins
expect bool 4 1     # ok:false is not ok:true
expect null 6 1     # n:0 and a missing n are not null
expect escaped 9 1  # "/a~1b" is the member "a/b"
expect number 5 1
expect all 10 10
assert_eq "$(feed f1).received" 10 "feed f1 received"
assert_eq "$(feed f1).invalid" 0 "feed f1 invalid"
server_stop feed
