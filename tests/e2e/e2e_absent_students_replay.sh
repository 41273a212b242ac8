#!/bin/bash
# absent_students fed by `wallboard-feeds --replay` of the committed /attendance recordings: the
# final totals and ranking exactly as jq computes them from the file, a seq gap counted, and a
# reconnect mid-replay (server killed, replayed again) that ends on the right numbers again.
source "$(dirname "$0")/lib.sh"

need_feeds
need_plugins absent_students
need_recordings attendance.jsonl attendance_gap.jsonl state.jq

# expect FILE: what the tile must end on, from the recording alone (jq, no wallboard code):
# the last totals, the date, and the five schools with most absences of the final state.
expect() {
    jq -sc -L "$RECORDINGS" 'include "state";
        map(.msg) | final_state
        | {totals: .totals, date: .date,
           top: (.schools | map(select(.absent > 0))
                 | sort_by(-.absent, -.absent_left_behind, .id) | .[:5]
                 | map({id, name, absent, absent_left_behind}))}' "$RECORDINGS/$1"
}

# ends_on EXPECTED: the tile's values are the expected ones and its count-ups have landed.
ends_on() {
    local t
    t=$(tile att)
    # shellcheck disable=SC2016 # $e and $v are jq's
    printf '(%s) as $e | %s.values as $v
        | [$v.absent_left_behind, $v.absent, $v.late, $v.parents_notified, $v.schools,
           $v.enrolled, $v.left_behind]
          == [$e.totals.absent_left_behind, $e.totals.absent, $e.totals.late,
              $e.totals.parents_notified, $e.totals.schools, $e.totals.enrolled,
              $e.totals.left_behind]
        and $v.date == $e.date and $v.top == $e.top
        and $v.shown.absent_left_behind == ($e.totals.absent_left_behind | tostring)
        and $v.shown.parents_notified == ($e.totals.parents_notified | tostring)' "$1" "$t"
}

# replay NAME FILE SPEED [ARGS...]: wallboard-feeds replaying FILE as server NAME (feeds_start),
# on a free port unless ARGS names one.
replay() {
    local name=$1 file=$2 speed=$3
    shift 3
    feeds_start "$name" --replay "$RECORDINGS/$file" --speed "$speed" "$@"
}

write_wall() {
    cat >"$WALL_CONFIG" <<EOF
{"title": "e2e absent_students replay", "grid": {"columns": 4, "rows": 3, "gap": 12},
 "feeds": {"att": {"url": "$(url feeds attendance)"}},
 "tiles": [
  {"id": "att", "plugin": "absent_students", "feed": "att", "cell": [2, 2], "span": [2, 1],
   "title": "결석 유수아동 · 缺勤留守儿童 · Absent left-behind children", "stale_after": 60,
   "options": {"top": 5, "animate_ms": 300}}
 ]}
EOF
}

# ------------------------------------------------------------------ the gap recording

gap_expected=$(expect attendance_gap.jsonl)
missing=$("$RECORDINGS/final-state.sh" "$RECORDINGS/attendance_gap.jsonl" | jq '.missing | length')
((missing > 0)) || fail "attendance_gap.jsonl has no gap in seq"

# --wait-clients 1: the wall gets the first snapshot and then every event of the file
replay feeds attendance_gap.jsonl 10 --wait-clients 1
write_wall
wall_start --headless --size 1920x1080
wall_wait 30 "$(ends_on "$gap_expected")" "the tile ending on the recording's final state: $gap_expected"
wall_stop
assert_eq "$(feed att).seq_gaps" 1 "one gap in seq counted"
assert_eq "$(feed att).seq_missed" "$missing" "the messages the gap skipped"
assert_eq "$(tile att).invalid" 0 "no message of the recording refused"
assert_eq "$(tile att).values.overflow" false "overflow"
assert_eq "$(tile att).values.rows" 5 "rows on screen"
assert_pixels "$WALL_SHOT" att red 400
server_stop feeds

# ------------------------------------------------------------------ a reconnect mid-replay

expected=$(expect attendance.jsonl)
total=$(wc -l <"$RECORDINGS/attendance.jsonl")
replay feeds attendance.jsonl 1 --wait-clients 1
port=${SRV_PORT[feeds]}
write_wall
wall_start --headless --size 1920x1080
wall_wait 30 "$(feed att).received >= 6" "the first events of the replay"
server_kill feeds
wall_wait 20 "$(tile att).state == \"down\" or $(tile att).state == \"connecting\"" \
    "the tile down after the replaying server was killed"
received=$(jqv "$(feed att).received")
((received < total)) || fail "the replay was over ($received of $total) before the kill"
log "killed the replay after $received of $total messages"

# back on the same port, replaying the whole file at full speed: a fresh snapshot, then events
replay feeds attendance.jsonl max --port "$port"
wall_wait 30 "$(ends_on "$expected") and $(feed att).connects == 2" \
    "the tile ending on the recording's final state after the reconnect: $expected"
wall_stop
assert_eq "$(tile att).state" '"live"' "the tile live at the end"
assert_eq "$(tile att).invalid" 0 "no message refused"
assert_eq "$(tile att).values.overflow" false "overflow after the reconnect"
assert_pixels "$WALL_SHOT" att red 400
server_stop feeds
