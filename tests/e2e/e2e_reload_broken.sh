#!/bin/bash
# Hot reload of a plugin file that breaks: a text file replaces tp_reload.so; its tile becomes
# an error tile saying why, the rest of the wall runs on; the good file back, the tile is live.
source "$(dirname "$0")/lib.sh"
[[ -n $WB_TEST_PLUGIN_DIR ]] || fail "WB_TEST_PLUGIN_DIR is not set"
[[ -f $WB_TEST_PLUGIN_DIR/reload_a/tp_reload.so ]] ||
    fail "missing $WB_TEST_PLUGIN_DIR/reload_a/tp_reload.so (target testplugin_reload_a)"

PLUGINS="$WB_SCRATCH/plugins"
mkdir -p "$PLUGINS"
chmod 755 "$PLUGINS"
# put FILE: renamed over the watched tp_reload.so.
put() { replace_by_rename "$1" "$PLUGINS/tp_reload.so"; }
put "$WB_TEST_PLUGIN_DIR/reload_a/tp_reload.so"
echo "this is not a shared object" >"$WB_SCRATCH/not_a_plugin.so"

server_start_script feed <<S
{"key":"r","value":5}
{"key":"c","value":42}
@await $WB_SCRATCH/go.broken
{"key":"c","value":43}
{"key":"r","value":8}
@await $WB_SCRATCH/go.fixed
{"key":"r","value":9}
S

cat >"$WALL_CONFIG" <<EOF
{"title": "e2e reload broken", "grid": {"columns": 2, "rows": 1, "gap": 12},
 "feeds": {"f1": {"url": "$(url feed)"}},
 "tiles": [
  {"id": "r", "plugin": "tp_reload", "feed": "f1", "match": {"key": "r"}, "cell": [0, 0]},
  {"id": "c", "plugin": "counter", "feed": "f1", "match": {"key": "c"}, "cell": [1, 0],
   "options": {"value": "/value", "decimals": 0, "animate_ms": 0}}
 ]}
EOF

wall_start --headless --size 800x450 --plugin-dir "$PLUGINS" --plugin-dir "$WB_PLUGIN_DIR"
wall_wait 20 "$(tile r).values.messages == 1 and $(tile c).values.value == 42" \
    "tp_reload took 1 message, counter c shows 42"

put "$WB_SCRATCH/not_a_plugin.so"
wall_wait 20 "$(tile r).state == \"error\"" "tile r an error tile once its file is broken"
assert_jq "$(tile r).error | test(\"tp_reload\\\\.so\")" "the error names the file"
assert_jq "$(tile r).error | test(\"ELF|invalid|too short\")" "the error gives dlopen's reason"
assert_jq '.plugins[] | select(.name == "tp_reload") | (.loaded | not) and (.error | length > 0)' \
    "tp_reload listed as not loaded, with the reason"
assert_eq "$(tile c).state" '"live"' "counter c still live"
assert_eq "$(tile c).generation" 1 "counter c untouched"
go broken
wall_wait 20 "$(tile c).values.value == 43" "the rest of the wall runs: c shows 43"
assert_eq "$(tile r).state" '"error"' "tile r still an error tile"
# The error tile's alarm-red stripe and heading (build A paints blue, no red at all); polled,
# as a dump may come between the reload and the frame that shows it.
red_r() { probe "$WALL_SHOT" r red; }
shows_error() { (($(red_r) >= 500)) || { wall_dump; false; }; }
poll 10 shows_error || fail "tile r does not look like an error tile: $(red_r) red pixels, expected >= 500"

put "$WB_TEST_PLUGIN_DIR/reload_a/tp_reload.so"
wall_wait 20 "$(tile r).state == \"live\"" "tile r live again with the good file back"
assert_eq "$(tile r).generation" 2 "tile r made again (second instance)"
assert_eq "$(tile r).values.build" '"A"' "build A's code again"
assert_jq "$(tile r) | has(\"error\") | not" "no error on tile r"
shows_live() { (($(red_r) < 100)) || { wall_dump; false; }; }
poll 10 shows_live || fail "tile r still drawn as an error tile: $(red_r) red pixels"
go fixed
wall_wait 20 "$(tile r).values.messages == 1 and $(tile r).values.value == 9" \
    "the revived tile takes messages again (9)"
assert_eq "$(tile c).values.value" 43 "counter c kept its value throughout"
assert_eq "$(feed f1).connects" 1 "the feed kept its connection throughout"
wall_stop
log "ok"
