#!/bin/bash
# A plugin that crashes (tests/plugins crash_on_message.so: SIGSEGV in on_message on a message
# with "crash": true) ends the wall by that signal after a line naming plugin and tile (and no
# secret) is appended to the crash journal; a restart loop like systemd's Restart=always brings
# the wall back, with that plugin's tile as "disabled after a crash at HH:MM" while the counter
# beside it runs through the same crash message; --reset-crashes re-enables the plugin.
source "$(dirname "$0")/lib.sh"

[[ -n $WB_TEST_PLUGIN_DIR ]] || fail "WB_TEST_PLUGIN_DIR is not set"
[[ -f $WB_TEST_PLUGIN_DIR/crash_on_message.so ]] ||
    fail "$WB_TEST_PLUGIN_DIR/crash_on_message.so is missing (built by target testplugin_crash_on_message)"

# The journal goes to $XDG_STATE_HOME/wallboard/crashes: a folder of the test's own.
export XDG_STATE_HOME="$WB_SCRATCH/state home" # a space: the path is never split or quoted wrong
journal="$XDG_STATE_HOME/wallboard/crashes"
secret=CRASH-SECRET-5150
export WB_E2E_TOKEN=$secret
# Under ASan (the asan label runs this test too) ASan's own SEGV handler is installed before
# main(); the wall installs its handler later, which then wins. allow_user_segv_handler=1 (the
# default of current ASan) is spelled out so that a changed default fails loudly here instead of
# silently turning the crash into an ASan report without a journal line.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}allow_user_segv_handler=1"

go="$WB_SCRATCH/go"
server_start_script feed <<S
{"key":"a","value":42}
{"key":"x","hello":1}
@await $go
{"key":"x","crash":true}
{"key":"a","value":43}
S

cat >"$WALL_CONFIG" <<EOF
{"title": "e2e crash", "grid": {"columns": 2, "rows": 1, "gap": 12},
 "feeds": {"f1": {"url": "$(url feed)",
                  "headers": {"Authorization": {"env": "WB_E2E_TOKEN", "prefix": "Bearer "}}}},
 "tiles": [
  $(counter_tile a 0 0),
  {"id": "x", "plugin": "crash_on_message", "feed": "f1", "match": {"key": "x"}, "cell": [1, 0],
   "title": "Crashy", "stale_after": 60, "options": {}}
 ]}
EOF
wall_args=(--config "$WALL_CONFIG" --state "$WALL_STATE" --screenshot "$WALL_SHOT"
    --plugin-dir "$WB_PLUGIN_DIR" --plugin-dir "$WB_TEST_PLUGIN_DIR" --headless --size 800x450)

# ---- runs 1 and 2 under a supervisor that restarts the wall whenever it ends, as systemd's
# Restart=always (with RestartSec shortened) does; at most 3 starts, and none after $stop.
stop="$WB_SCRATCH/stop"
supervise() {
    local n pid=""
    trap '[[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null; exit 143' TERM
    for n in 1 2 3; do
        "$WB_WALL" "${wall_args[@]}" >"$WB_SCRATCH/run$n.stdout" 2>"$WB_SCRATCH/run$n.stderr" &
        pid=$!
        echo "$pid" >"$WB_SCRATCH/run$n.pid"
        local st=0
        wait "$pid" || st=$?
        echo "$st" >"$WB_SCRATCH/run$n.status"
        [[ -e $stop ]] && exit 0
        sleep 0.5
    done
}
supervise &
SUPERVISOR=$!
WB_PIDS+=("$SUPERVISOR")

# supervised_wall N: waits until the supervisor's Nth wall is up (handles SIGUSR1, as
# wall_start does); sets WALL_PID, WALL_ERR and RUN_STATUS (the file of its exit status: it is
# the supervisor's child, not ours, so lib.sh's wait cannot tell).
supervised_wall() {
    local n=$1 rc deadline=$((SECONDS + 20))
    poll 10 test -s "$WB_SCRATCH/run$n.pid" || fail "the supervisor did not start wall number $n"
    WALL_PID=$(cat "$WB_SCRATCH/run$n.pid")
    WB_PIDS+=("$WALL_PID")
    WALL_ERR="$WB_SCRATCH/run$n.stderr"
    RUN_STATUS="$WB_SCRATCH/run$n.status"
    while true; do
        rc=0
        _catches_usr1 "$WALL_PID" || rc=$?
        ((rc == 0)) && return 0
        ((rc != 2)) || _wall_dead
        ((SECONDS < deadline)) || fail "run $n: the wall did not get ready within 20 s"
        sleep 0.1
    done
}
# lib.sh's version waits for the wall itself; here the supervisor has its status.
_wall_dead() {
    poll 5 test -s "$RUN_STATUS" || true
    fail "the wall died (status $(cat "$RUN_STATUS" 2>/dev/null || echo unknown)) while the test expected it to run"
}

# run 1: the wall takes both tiles' first messages...
supervised_wall 1
wall_wait 20 "$(tile a).values.value == 42 and $(tile x).values.messages == 1" \
    "run 1: tile a showing 42 and tile x with its first message"
assert_eq "$(tile x).state" '"live"' "run 1: tile x state before the crash"
assert_jq ".wallboard.crash_journal == \"$journal\"" "run 1: the crash journal path under wallboard"
[[ -f $journal && ! -s $journal ]] || fail "run 1: expected an empty journal $journal at start"
[[ $(stat -c %a "$XDG_STATE_HOME/wallboard") == 700 ]] ||
    fail "the state folder is mode $(stat -c %a "$XDG_STATE_HOME/wallboard"), expected 700"
[[ $(stat -c %a "$journal") == 600 ]] || fail "the journal is mode $(stat -c %a "$journal"), expected 600"

# ...then the crash message: the wall must die by SIGSEGV, by itself.
touch "$go"
poll 20 test -s "$WB_SCRATCH/run1.status" || fail "run 1: the wall did not end after the crash message"
_forget_pid "$WALL_PID"
run1_status=$(cat "$WB_SCRATCH/run1.status")
((run1_status == 128 + 11)) ||
    fail "run 1: the wall ended with status $run1_status, expected $((128 + 11)) (killed by SIGSEGV)"

[[ -s $journal ]] || fail "run 1: no crash journal line in $journal"
log "journal: $(cat "$journal")"
(($(wc -l <"$journal") == 1)) || fail "run 1: expected one journal line, saw: $(cat "$journal")"
grep -qE '^time=[0-9]+ signal=11 callback=on_message plugin=crash_on_message tile=x$' "$journal" ||
    fail "run 1: unexpected journal line: $(cat "$journal")"
for f in "$journal" "$WB_SCRATCH/run1.stderr" "$WB_SCRATCH/run1.stdout"; do
    ! grep -qF "$secret" "$f" || fail "the feed's token leaked into $(basename "$f")"
done
crash_time=$(sed -E 's/^time=([0-9]+) .*/\1/' "$journal")
hhmm=$(date -d "@$crash_time" +%H:%M)

# ---- run 2: started again by the supervisor; the same server replays the crash message.
supervised_wall 2
# a:43 comes after the crash message on the same feed: it was dispatched (to nobody) first.
wall_wait 20 "$(tile a).values.value == 43" "run 2: tile a showing 43, sent after the replayed crash message"
assert_eq "$(feed f1).received" 4 "run 2: messages received (the crash message among them)"
assert_eq "$(tile x).state" '"error"' "run 2: tile x state"
assert_jq "$(tile x).error | startswith(\"disabled after a crash at $hhmm\")" \
    "run 2: tile x error 'disabled after a crash at $hhmm...'"
assert_jq "$(tile x).error | contains(\"SIGSEGV in on_message\") and contains(\"--reset-crashes\")" \
    "run 2: tile x error naming the signal, the callback and --reset-crashes"
assert_eq "$(tile x).matched" 0 "run 2: messages given to the disabled tile"
assert_eq "$(tile a).state" '"live"' "run 2: tile a state"
grep -qF "plugin crash_on_message is disabled" "$WALL_ERR" || fail "run 2: the log does not say the plugin is disabled"
grep -qF -- "--reset-crashes, or delete $journal" "$WALL_ERR" ||
    fail "run 2: the log does not say how to re-enable it (--reset-crashes or deleting $journal)"
(($(wc -l <"$journal") == 1)) || fail "run 2: the journal grew: $(cat "$journal")"

# Stopped as systemd stops it: SIGTERM, a clean exit 0 (the wall is the supervisor's child, so
# its status comes from the supervisor).
touch "$stop"
rm -f "$WALL_STATE"
kill -TERM "$WALL_PID"
poll 20 test -s "$WB_SCRATCH/run2.status" || fail "run 2: the wall did not exit within 20 s of SIGTERM"
_forget_pid "$WALL_PID"
[[ $(cat "$WB_SCRATCH/run2.status") == 0 ]] ||
    fail "run 2: the wall exited $(cat "$WB_SCRATCH/run2.status") on SIGTERM, expected 0"
[[ -s $WALL_STATE ]] || fail "run 2: no --state written at exit"
wait "$SUPERVISOR" 2>/dev/null || true
_forget_pid "$SUPERVISOR"
cp "$WALL_SHOT" "$WB_SCRATCH/run2.png" # kept for a look after a failure
[[ ! -e $WB_SCRATCH/run3.pid ]] || fail "the supervisor started a third wall"
# The error tile shows its text: the body (below the title and headline) has lit text on the
# error tile's dark red in run 2, and is the bare tile background in run 3 (the plugin draws
# nothing).
body_rect() {
    jq -r "$(tile x).rect | \"\(.[0]) \(.[1] + (.[3] / 4 | floor)) \(.[2]) \(.[3] - (.[3] / 4 | floor))\"" "$WALL_STATE"
}
# shellcheck disable=SC2046
lit=$("$WB_PNGPROBE" "$WALL_SHOT" $(body_rect) nonblack)
log "run 2: $lit lit pixels in the lower 3/4 of tile x"
((lit >= 1500)) || fail "run 2: the error tile's text is not on the screenshot ($lit lit pixels, expected >= 1500)"
assert_pixels "$WALL_SHOT" a red 200

# ---- run 3: --reset-crashes, and a server without the crash message: the tile is live again.
server_stop feed
server_start_script feed <<'S'
{"key":"a","value":44}
{"key":"x","hello":2}
S
cat "$WALL_CONFIG" >"$WALL_CONFIG.old"
sed -E "s#ws://127\.0\.0\.1:[0-9]+/feed#$(url feed)#" "$WALL_CONFIG.old" >"$WALL_CONFIG"
WALL_ERR="$WB_SCRATCH/run3.stderr"
wall_start "${wall_args[@]:6}" --reset-crashes
wall_wait 20 "$(tile a).values.value == 44 and $(tile x).values.messages == 1" \
    "run 3: tile a showing 44 and tile x live with its message"
wall_stop
assert_eq "$(tile x).state" '"live"' "run 3: tile x state after --reset-crashes"
assert_jq "$(tile x) | has(\"error\") | not" "run 3: tile x without an error"
[[ -f $journal && ! -s $journal ]] || fail "run 3: --reset-crashes left the journal not empty: $(cat "$journal")"
grep -qF "crash journal $journal emptied" "$WALL_ERR" || fail "run 3: the log does not say the journal was emptied"
# The tile's own background is lighter than "nonblack"'s bound, the error tile's is darker: every
# pixel counts on a bare live tile, only the text on an error tile.
# shellcheck disable=SC2046
lit=$("$WB_PNGPROBE" "$WALL_SHOT" $(body_rect) nonblack)
# shellcheck disable=SC2046
area=$("$WB_PNGPROBE" "$WALL_SHOT" $(body_rect) any)
((lit == area)) || fail "run 3: $lit of $area pixels lit where the error text was, expected a bare tile (all)"
server_stop feed
