#!/bin/bash
# clinic_queues fed by wallboard-feeds --replay of tests/feeds/recordings: the recording's final
# state exactly in --state (totals, the five longest queues, one sample per message), the red
# number in the screenshot; the recording with a gap: the gap counted, the numbers still right;
# the server killed mid-replay and restarted: a fresh snapshot and the final numbers again.
source "$(dirname "$0")/lib.sh"

need_feeds
need_plugins clinic_queues
need_recordings clinics.jsonl clinics_gap.jsonl state.jq

# expect FILE: sets WANT to what the tile must report after all of FILE, computed with jq from
# the recording alone (recordings/state.jq): the last totals, how many clinics, the top five.
expect() {
    WANT=$(jq -cs -L "$RECORDINGS" 'include "state"; map(.msg) | final_state
        | {waiting: .totals.waiting, scans_pending: .totals.scans_pending,
           prescriptions: .totals.prescriptions, flagged: .totals.flagged,
           clinics: .totals.clinics, tracked: (.clinics | length),
           top: (.clinics | sort_by(-.waiting, .id) | .[:5] | map({id, name, waiting}))}' "$1")
    [[ $WANT == *'"waiting":'* ]] || fail "no final state computed from $1"
}

# wall_on NAME: a 4x3 wall at 1920x1080 with one 2x1 clinic_queues tile on server NAME.
wall_on() {
    cat >"$WALL_CONFIG" <<EOF
{"title": "e2e clinic_queues replay", "grid": {"columns": 4, "rows": 3, "gap": 12},
 "feeds": {"clinics": {"url": "$(url "$1" clinics)"}},
 "tiles": [
  {"id": "q", "plugin": "clinic_queues", "feed": "clinics", "cell": [0, 0], "span": [2, 1],
   "title": "원격 진료 대기 · 县域远程医疗候诊 · County telemedicine queues",
   "stale_after": 60, "options": {"sample_s": 0}}
 ]}
EOF
    wall_start --headless --size 1920x1080
}

values_are_final="$(tile q).values | {waiting, scans_pending, prescriptions, flagged, clinics, tracked, top}"

# ---- the whole recording, from its first snapshot
rec="$RECORDINGS/clinics.jsonl"
lines=$(wc -l <"$rec")
expect "$rec"
feeds_start whole --replay "$rec" --speed 4 --wait-clients 1
wall_on whole
wall_wait 30 "$(tile q).matched == $lines" "all $lines messages of the recording at the tile"
wall_stop
assert_eq "$values_are_final" "$WANT" "the recording's final state"
assert_eq "$(tile q).values.samples" "$lines" "one sparkline sample per message"
assert_eq "$(tile q).values.overflow" false "overflow"
assert_eq "$(tile q).invalid" 0 "messages rejected"
assert_eq "$(feed clinics) | [.seq_gaps, .seq_missed]" '[0,0]' "no gap in seq"
assert_pixels "$WALL_SHOT" q red 2000
cp "$WALL_SHOT" "$WB_SCRATCH/whole.png"
server_stop whole

# ---- the recording with three events left out: the gap is counted, the state is still whole
rec="$RECORDINGS/clinics_gap.jsonl"
lines=$(wc -l <"$rec")
missed=$(jq -s '[.[].msg.seq] | (.[-1] - .[0]) - (length - 1)' "$rec")
expect "$rec"
feeds_start gap --replay "$rec" --speed max --wait-clients 1
wall_on gap
wall_wait 30 "$(tile q).matched == $lines" "all $lines messages of the gap recording at the tile"
wall_stop
assert_eq "$(feed clinics) | [.seq_gaps, .seq_missed]" "[1,$missed]" "the gap in seq counted"
assert_eq "$values_are_final" "$WANT" "the gap recording's final state"
assert_eq "$(tile q).values.overflow" false "overflow with the gap recording"
server_stop gap

# ---- killed mid-replay, restarted on the same port: a fresh snapshot, the final numbers
rec="$RECORDINGS/clinics.jsonl"
lines=$(wc -l <"$rec")
expect "$rec"
feeds_start mid --replay "$rec" --speed 0.5 --wait-clients 1
port=${SRV_PORT[mid]}
wall_on mid
wall_wait 20 "$(tile q).matched >= 5" "the replay under way at the tile"
server_kill mid
wall_dump
matched=$(jqv "$(tile q).matched")
((matched < lines)) || fail "the replay ended ($matched messages) before the server was killed"
log "server killed after $matched of $lines messages"
feeds_start mid2 --replay "$rec" --speed max --port "$port"
wall_wait 30 "$(feed clinics).connects == 2 and $(feed clinics).state == \"live\" and $(tile q).values.waiting == $(jq .waiting <<<"$WANT")" \
    "the tile with the final numbers after the restart"
wall_stop
assert_eq "$values_are_final" "$WANT" "the final state after the restart"
assert_eq "$(tile q).values.overflow" false "overflow after the restart"
assert_pixels "$WALL_SHOT" q red 2000
server_stop mid2
