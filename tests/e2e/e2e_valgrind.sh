#!/bin/bash
# Valgrind memcheck (label "valgrind"; not in CI, about 1 minute): the DEFAULT wall
# (config/guizhou.json, its feeds moved to a wallboard-feeds on a free port) runs headless at
# 1920x1080 for WB_VALGRIND_SECONDS (40) under memcheck with full leak checking and origin
# tracking. Passes only if valgrind reports no error and no definitely or indirectly lost block
# (exit status 0, not 99: "ERROR SUMMARY: 0 errors"), and the wall really ran: every tile live
# with its snapshot and later events, the clock showing the time, the four plugins' symbols read
# by valgrind, the screenshot written.
#
# tests/valgrind.supp may only hold suppressions of system libraries (see its header).
# --keep-debuginfo=yes: the wall dlcloses its plugins before exit, before valgrind's leak check;
# without it a leak allocated in a plugin would be reported with "???" frames where the plugin's
# functions are (and a suppression with "..." could swallow it).
# Triage: the log ($WB_SCRATCH/valgrind.log) has each error's stack and, from
# --gen-suppressions=all, the suppression that would match it: paste one into tests/valgrind.supp
# only if every frame of ours (wallboard, plugins/*.so) is gone from it and it is narrowed to the
# library's own frames.
source "$(dirname "$0")/lib.sh"

SECONDS_RUN=${WB_VALGRIND_SECONDS:-40}
need_tool valgrind
need_feeds
HALL_CONFIG="$WB_SOURCE_DIR/config/guizhou.json"
SUPP="$WB_SOURCE_DIR/tests/valgrind.supp"
VG_LOG="$WB_SCRATCH/valgrind.log"
[[ -s $HALL_CONFIG ]] || fail "$HALL_CONFIG is missing"
[[ -s $SUPP ]] || fail "$SUPP is missing"
mapfile -t plugins < <(jq -r '[.tiles[].plugin] | unique | .[]' "$HALL_CONFIG")
need_plugins "${plugins[@]}"

# Seeded, at 08:10 simulated and 60x, so that every simulated path sends events within the run
# even though valgrind slows the wall ~20x (the feed server runs natively).
feeds_start feeds --seed 20261125 --clock 08:10 --time-scale 60
FEEDS_PORT=${SRV_PORT[feeds]}
sed "s#ws://127.0.0.1:7681/#ws://127.0.0.1:$FEEDS_PORT/#g" "$HALL_CONFIG" >"$WALL_CONFIG"
assert_jq "[.feeds[].url] | length == 3 and all(startswith(\"ws://127.0.0.1:$FEEDS_PORT/\"))" \
    "the three feeds of the hall config moved to port $FEEDS_PORT" "$WALL_CONFIG"

# shellcheck disable=SC2054 # the commas are inside valgrind options
vg=(valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --track-origins=yes
    --suppressions="$SUPP" --keep-debuginfo=yes --num-callers=40 --gen-suppressions=all -v
    --log-file="$VG_LOG")
start=$(date +%s)
# The wall ends by itself after --seconds; the bound is only for a hang (valgrind's start-up and
# the leak check at exit take a few seconds each). In the background, so that the EXIT trap stops
# it if the test is interrupted.
log "${vg[*]} $WB_WALL ..."
WALLBOARD_LOG=info "${vg[@]}" "$WB_WALL" --config "$WALL_CONFIG" --plugin-dir "$WB_PLUGIN_DIR" --headless \
    --size 1920x1080 --seconds "$SECONDS_RUN" --state "$WALL_STATE" --screenshot "$WALL_SHOT" \
    >"$WALL_OUT" 2>"$WALL_ERR" &
WALL_PID=$!
WB_PIDS+=("$WALL_PID")
# lib.sh's wall_wait_ready (SigCgt in /proc) cannot tell when the wall's SIGUSR1 handler is in
# under valgrind, which catches every signal itself and kills on one the client has not asked
# for. The wall installs its handlers before it opens the feeds: its "connected" lines say so.
connected() { (($(grep -c ': connected to ' "$WALL_ERR" 2>/dev/null) >= 3)); }
poll $((SECONDS_RUN / 2)) connected ||
    { alive "$WALL_PID" || _wall_dead; fail "the wall under valgrind did not log its three feeds connected"; }
# A third of the way in, one dump (SIGUSR1): every feed live and every fed tile with its
# snapshot; the clock's time is kept to see it move by the end. Under valgrind a dump (state and
# a 1920x1080 PNG) takes seconds, hence a bound of its own rather than lib.sh's 10 s wall_dump.
sleep_s=$((start + SECONDS_RUN / 3 - $(date +%s)))
((sleep_s <= 0)) || sleep "$sleep_s"
rm -f "$WALL_STATE"
kill -USR1 "$WALL_PID" 2>/dev/null || _wall_dead
poll 60 test -s "$WALL_STATE" ||
    { alive "$WALL_PID" || _wall_dead; fail "the wall under valgrind wrote no state within 60 s of SIGUSR1"; }
alive "$WALL_PID" || fail "the wall ended before its dump a third of the way in: raise WB_VALGRIND_SECONDS"
cp "$WALL_STATE" "$WB_SCRATCH/mid.json"
assert_jq '([.feeds[].state] | all(. == "live")) and ([.tiles[] | select(.feed != null) | .matched >= 1] | all)' \
    "every feed live and every fed tile with its snapshot a third of the way in"
mid_time=$(jqv "$(tile hall).values.time")
wait_pid "$WALL_PID" $((SECONDS_RUN + 120))
RUN_RC=$WAIT_RC
log "valgrind run: $(($(date +%s) - start)) s, exit status $RUN_RC"
[[ -s $VG_LOG ]] || fail "valgrind wrote no log $VG_LOG (exit status $RUN_RC)"

summary=$(grep -E '== ERROR SUMMARY:' "$VG_LOG" | tail -n 1)
log "${summary#*== }"
grep -E '(definitely|indirectly|possibly) lost:|still reachable:' "$VG_LOG" | sed 's/^==[0-9]*== */  /' >&2 || true
used=$(grep -E '^--[0-9]+-- +used_suppression:' "$VG_LOG" | sed 's/^--[0-9]*-- *used_suppression: *//' || true)
log "suppressions used: ${used:-none}"
if ((RUN_RC != 0)) || [[ $summary != *"ERROR SUMMARY: 0 errors"* ]]; then
    echo "---- valgrind's errors ($VG_LOG):" >&2
    # the log from the command line on, without the -v lines
    grep -v -E '^--[0-9]+--' "$VG_LOG" | sed -n '/^==[0-9]*== Command:/,$p' | head -n 300 >&2
    ((RUN_RC != 99)) || fail "valgrind found errors or leaks (exit status 99): $summary; log: $VG_LOG"
    fail "the wall under valgrind exited $RUN_RC (expected 0); $summary; log: $VG_LOG"
fi
# valgrind read every plugin's symbols (they are dlopened through /proc/self/fd/N, which it
# resolves to the file), so an error in a plugin would show its functions and lines.
for p in "${plugins[@]}"; do
    grep -qE "^--[0-9]+-- Reading syms from .*/$p\.so\$" "$VG_LOG" ||
        fail "valgrind did not read the symbols of $p.so (no 'Reading syms from .../$p.so' in $VG_LOG)"
done

# The wall really ran: the state and screenshot at exit show every tile live and fed.
[[ -s $WALL_STATE ]] || fail "the wall wrote no --state $WALL_STATE"
[[ -s $WALL_SHOT ]] || fail "the wall wrote no --screenshot $WALL_SHOT"
assert_screenshot_size 1920 1080
assert_jq '[.tiles[].state] | all(. == "live")' "every tile live at exit"
assert_jq '[.feeds[] | .state == "live" and .connects == 1] | all' "every feed live, connected once"
assert_jq '[.tiles[] | select(.feed != null) | .matched >= 2] | all' \
    "every fed tile got its snapshot and at least one event"
assert_jq '[.feeds[] | .invalid == 0] | all' "no invalid message"
assert_jq '[.tiles[].error // ""] | all(. == "")' "no error tile"
assert_jq "$(tile hall).values.time | test(\"^[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\$\")" "the clock showing HH:MM:SS"
assert_jq "$(tile clinics).values.waiting > 0" "patients waiting > 0"
assert_jq "$(tile attendance).values.absent_left_behind > 0" "absent left-behind children > 0"
assert_jq "$(tile trades).values.trades > 0" "trades today > 0"
assert_jq "$(tile hall).values.time != \"$mid_time\"" "the clock moved on from $mid_time (a third of the way in)"
log "frames $(jqv .wallboard.frames), first frame $(jqv .wallboard.first_frame_ms) ms; received: $(jqv '[.feeds[] | "\(.name) \(.received)"] | join(", ")')"
server_stop feeds
