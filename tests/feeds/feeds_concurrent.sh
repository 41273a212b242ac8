#!/bin/bash
# Hundreds of clients at once: 200 loopback clients of one path each get the snapshot and the
# same stream (every event byte for byte, no gap); 4 x 50 clients across the paths at the same
# time; and 200 clients of a replay started together get exactly the recording.
source "$(dirname "$0")/lib.sh"

feeds_start live --seed 3 --date 2026-11-25 --time-scale 60 --rate 100
client trades200 live --path /trades --clients 200 --events 150 --timeout 70
expect_summary complete 200
expect_summary snapshots 200
expect_summary gaps 0
expect_summary mismatches 0
expect_summary snapshot_mismatches 0

for p in demo clinics attendance trades; do
    events=100
    [[ $p == attendance ]] && events=20 # fewer happen: children, not trades
    client_bg "mixed_$p" live --path "/$p" --clients 50 --events "$events" --timeout 70
done
for p in demo clinics attendance trades; do
    client_wait "mixed_$p" 75
    expect_summary complete 50
    expect_summary gaps 0
    expect_summary mismatches 0
done
feeds_stop live

# A replay that starts once all 200 are connected: each gets the recording exactly.
rec="$RECORDINGS/clinics.jsonl"
feeds_start replay --replay "$rec" --speed max --wait-clients 200
client replay200 replay --path /clinics --clients 200 --until-seq 148 --dump "$WB_SCRATCH/replay0.jsonl" --timeout 60
expect_summary complete 200
expect_summary first_seq 108..108
expect_summary last_seq 148..148
expect_summary events 8000
expect_summary mismatches 0
expect_summary snapshot_mismatches 0
diff <(messages "$rec") <(messages "$WB_SCRATCH/replay0.jsonl") >"$WB_SCRATCH/replay.diff" ||
    fail "a client of the replay did not get the recording (diff in $WB_SCRATCH/replay.diff)"
feeds_stop replay
