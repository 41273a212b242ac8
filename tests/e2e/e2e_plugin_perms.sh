#!/bin/bash
# Safe defaults for plugins: a world-writable --plugin-dir holding a copy of the counter plugin
# is refused (dlopen would run whatever anyone put there with the wall's rights). Its counter tile
# becomes an error tile saying why, the clock tile from the good folder runs, the log names the
# folder and its mode, and --list-plugins gives the same reason.
source "$(dirname "$0")/lib.sh"

[[ -f $WB_PLUGIN_DIR/counter.so && -f $WB_PLUGIN_DIR/clock.so ]] ||
    fail "$WB_PLUGIN_DIR/counter.so or clock.so is missing (built by targets counter and clock)"

OPEN_DIR="$WB_SCRATCH/open"
mkdir -p "$OPEN_DIR"
cp "$WB_PLUGIN_DIR/counter.so" "$OPEN_DIR/counter.so"
chmod 0755 "$OPEN_DIR/counter.so"
chmod 0777 "$OPEN_DIR"

server_start_script feed <<'S'
{"key":"x","value":4711}
S

cat >"$WALL_CONFIG" <<EOF
{"title": "e2e plugin perms", "grid": {"columns": 2, "rows": 1, "gap": 12},
 "feeds": {"f1": {"url": "$(url feed)"}},
 "tiles": [
  $(counter_tile x 0 0),
  {"id": "c", "plugin": "clock", "cell": [1, 0], "title": "Clock",
   "options": {"fixed_epoch_s": 1700000000}}
 ]}
EOF

# The open folder first, so its counter.so is the one found (and shadows the good one).
wall_start --headless --size 800x450 --plugin-dir "$OPEN_DIR" --plugin-dir "$WB_PLUGIN_DIR"
wall_wait 20 "$(feed f1).received == 1 and $(tile c).state == \"live\"" \
    "the clock tile live and the error tile's message received"
wall_stop

assert_eq "$(tile x).state" '"error"' "tile x (counter from the world-writable folder) state"
assert_eq "$(tile x).plugin" '"counter"' "tile x plugin"
assert_jq "$(tile x).error | type == \"string\" and contains(\"world-writable (mode 0777)\")" \
    "tile x error saying the folder is world-writable"
assert_jq "$(tile x).error | contains(\"$OPEN_DIR\")" "tile x error naming the folder"
assert_eq "$(tile c).state" '"live"' "tile c (clock from the good folder) state"
grep -qF "plugin dir $OPEN_DIR is world-writable (mode 0777): refusing counter.so" "$WALL_ERR" ||
    fail "expected a log line naming $OPEN_DIR and its mode, saw: $(cat "$WALL_ERR")"

# --list-plugins gives the reason as well, and still lists the good folder's plugins.
wall_run 20 --list-plugins --plugin-dir "$OPEN_DIR" --plugin-dir "$WB_PLUGIN_DIR"
((RUN_RC == 0)) || fail "--list-plugins: expected exit 0, saw $RUN_RC; stderr: $(cat "$WALL_ERR")"
grep -qF "counter  cannot load: plugin dir $OPEN_DIR is world-writable" "$WALL_OUT" ||
    fail "--list-plugins: expected counter refused as world-writable, saw: $(cat "$WALL_OUT")"
grep -qE '^clock  .*ABI 1\.' "$WALL_OUT" ||
    fail "--list-plugins: expected a loadable clock line, saw: $(cat "$WALL_OUT")"
server_stop feed
