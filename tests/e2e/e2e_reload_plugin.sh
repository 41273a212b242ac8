#!/bin/bash
# Hot reload of a plugin file: tp_reload.so build A is replaced (renamed over, as `install`
# does) by build B: its tile is made again by B's code, which restores what A saved (the
# message count); the counter tile beside it keeps its instance, value and matched count.
source "$(dirname "$0")/lib.sh"
[[ -n $WB_TEST_PLUGIN_DIR ]] || fail "WB_TEST_PLUGIN_DIR is not set"
for b in a b; do
    [[ -f $WB_TEST_PLUGIN_DIR/reload_$b/tp_reload.so ]] ||
        fail "missing $WB_TEST_PLUGIN_DIR/reload_$b/tp_reload.so (target testplugin_reload_$b)"
done

PLUGINS="$WB_SCRATCH/plugins"
mkdir -p "$PLUGINS"
chmod 755 "$PLUGINS"
# put BUILD: that build's tp_reload.so renamed over the watched file.
put() { replace_by_rename "$WB_TEST_PLUGIN_DIR/reload_$1/tp_reload.so" "$PLUGINS/tp_reload.so"; }
put a

server_start_script feed <<S
{"key":"r","value":5}
{"key":"c","value":42}
{"key":"r","value":6}
@await $WB_SCRATCH/go.more
{"key":"r","value":7}
{"key":"c","value":43}
S

cat >"$WALL_CONFIG" <<EOF
{"title": "e2e reload plugin", "grid": {"columns": 2, "rows": 1, "gap": 12},
 "feeds": {"f1": {"url": "$(url feed)"}},
 "tiles": [
  {"id": "r", "plugin": "tp_reload", "feed": "f1", "match": {"key": "r"}, "cell": [0, 0]},
  {"id": "c", "plugin": "counter", "feed": "f1", "match": {"key": "c"}, "cell": [1, 0],
   "options": {"value": "/value", "decimals": 0, "animate_ms": 0}}
 ]}
EOF

wall_start --headless --size 800x450 --plugin-dir "$PLUGINS" --plugin-dir "$WB_PLUGIN_DIR"
wall_wait 20 "$(tile r).values.messages == 2 and $(tile c).values.value == 42" \
    "build A took 2 messages, counter c shows 42"
assert_eq "$(tile r).values.build" '"A"' "build A at start"
assert_eq "$(tile r).generation" 1 "tile r's first instance"
assert_eq "$(tile c).generation" 1 "tile c's first instance"
assert_jq '.plugins[] | select(.name == "tp_reload") | .loads == 1' "tp_reload loaded once"

put b
wall_wait 20 "$(tile r).values.build == \"B\"" "tile r running build B's code"
assert_eq "$(tile r).generation" 2 "tile r made again"
assert_eq "$(tile r).state" '"live"' "tile r live after the reload"
assert_eq "$(tile r).values.restored" true "B restored what A saved"
assert_eq "$(tile r).values.messages" 2 "the message count carried across (save/restore)"
assert_eq "$(tile r).values.value" 6 "the last value carried across"
assert_eq "$(tile c).generation" 1 "counter c untouched (same instance)"
assert_eq "$(tile c).values.value" 42 "counter c keeps its value"
assert_eq "$(tile c).matched" 1 "counter c keeps its matched count"
assert_eq "$(feed f1).connects" 1 "the feed kept its connection"
assert_jq '.plugins[] | select(.name == "tp_reload") | .loads == 2 and .loaded' "tp_reload loaded twice"
# B paints green (A blue): polled, as a dump may come between the reload and its frame.
painted_green() { (($(probe "$WALL_SHOT" r green) >= 1000)) || { wall_dump; false; }; }
poll 10 painted_green ||
    fail "tile r not painted green by build B within 10 s ($(probe "$WALL_SHOT" r green) pixels)"

go more
wall_wait 20 "$(tile r).values.messages == 3 and $(tile r).values.value == 7 and $(tile c).values.value == 43" \
    "B takes the next message (3 in all) and c shows 43"

# A careless rebuild: build A copied ONTO the loaded file (truncated and rewritten in place, not
# renamed). The wall maps a private copy of each plugin, so the running code is untouched (the
# file itself is never mapped) and the new content is simply the next reload.
grep -qF "$PLUGINS/tp_reload.so" "/proc/$WALL_PID/maps" &&
    fail "the wall maps $PLUGINS/tp_reload.so itself, not a private copy"
cp "$WB_TEST_PLUGIN_DIR/reload_a/tp_reload.so" "$PLUGINS/tp_reload.so"
wall_wait 20 "$(tile r).values.build == \"A\" and $(tile r).generation == 3" \
    "tile r running build A again after the in-place copy (generation 3)"
assert_eq "$(tile r).values.messages" 3 "the count carried across again"
assert_eq "$(tile c).values.value" 43 "counter c untouched"
wall_stop
grep -q "plugin tp_reload reloaded" "$WALL_ERR" || fail "the log does not say tp_reload was reloaded"
log "ok"
