#!/bin/bash
# --record then --replay round-trips: the recording holds a snapshot of every path at t=0, then
# every event of every path once, exactly as sent (a live client's events are the recorded
# messages byte for byte); replaying it gives clients of all four paths the same messages again
# (ts aside, which a replay stamps anew), and a newcomer after the end the final state.
source "$(dirname "$0")/lib.sh"

rec="$WB_SCRATCH/rec.jsonl"
feeds_start live --seed 9 --date 2026-11-25 --clock 08:30 --time-scale 30 --rate 50 --record "$rec"
client live_clinics live --path /clinics --events 100 --dump "$WB_SCRATCH/live_clinics.jsonl"
client live_demo live --path /demo --events 100 --dump "$WB_SCRATCH/live_demo.jsonl"
count() { local n; n=$(grep -c "\"path\":\"$1\"" "$rec" 2>/dev/null) || n=0; echo "$n"; }
enough() { (($(count /attendance) > 30 && $(count /trades) > 100)); }
poll 30 enough || fail "too few events recorded"
feeds_stop live

# The format: "t" from 0 and never back, the opening snapshots at t=0 with seq 0, then each
# path's events numbered 1, 2, 3...
jq -s -e '(map(.t) | . == sort and .[0] == 0)
    and (.[0:15] | map(.t == 0 and (.msg.type | endswith("snapshot")) and .msg.seq == 0) | all)
    and ([.[0:15][].path] == ([range(12)] | map("/demo")) + ["/clinics", "/attendance", "/trades"])
    and (.[15:] | group_by(.path) | map(map(.msg.seq) == [range(1; length + 1)]) | all)
    and all(.[]; keys_unsorted == ["t", "path", "msg"])' "$rec" >/dev/null ||
    fail "the recording is not snapshots at t=0 then numbered events (see $rec)"

# A live client's events are recorded messages, byte for byte (ts included: the same message).
for p in clinics demo; do
    jq -c 'select(.type | endswith("snapshot") | not)' "$WB_SCRATCH/live_$p.jsonl" >"$WB_SCRATCH/live_$p.events"
    first=$(head -n 1 "$WB_SCRATCH/live_$p.events" | jq .seq)
    n=$(wc -l <"$WB_SCRATCH/live_$p.events")
    diff "$WB_SCRATCH/live_$p.events" <(jq -c --arg p "/$p" --argjson f "$first" \
        'select(.path == $p and .msg.seq >= $f) | .msg' "$rec" | head -n "$n") >"$WB_SCRATCH/live_$p.diff" ||
        fail "/$p: the live client's events differ from the recording (diff in $WB_SCRATCH/live_$p.diff)"
done

# Replay to a client of each path, started once all four are connected.
feeds_start replay --replay "$rec" --speed max --wait-clients 4 --backlog 100000
for p in demo clinics attendance trades; do
    last=$(jq -s --arg p "/$p" 'map(select(.path == $p)) | last.msg.seq' "$rec")
    client_bg "replay_$p" replay --path "/$p" --until-seq "$last" --dump "$WB_SCRATCH/replay_$p.jsonl"
done
for p in demo clinics attendance trades; do
    client_wait "replay_$p" 60
    expect_summary gaps 0
    diff <(jq -c --arg p "/$p" 'select(.path == $p) | .msg | del(.ts)' "$rec") \
         <(messages "$WB_SCRATCH/replay_$p.jsonl") >"$WB_SCRATCH/replay_$p.diff" ||
        fail "/$p: the replay differs from the recording (diff in $WB_SCRATCH/replay_$p.diff)"
done

# After the end, newcomers get the final state (for /demo: 12 snapshot messages).
poll 10 grep -q "finished after $(wc -l <"$rec") messages" "$WB_SCRATCH/replay.stderr" ||
    fail "the replay did not finish: $(cat "$WB_SCRATCH/replay.stderr")"
client final_demo replay --path /demo --messages 12 --dump "$WB_SCRATCH/final_demo.jsonl"
# /demo: each key's value in the snapshot is its last recorded value.
[[ $(jq -cs -S 'map({(.key): .value}) | add' "$WB_SCRATCH/final_demo.jsonl") == \
   "$(jq -cs -S 'map(select(.path == "/demo") | .msg | {(.key): .value}) | add' "$rec")" ]] ||
    fail "/demo: the final snapshot does not hold the last recorded values"
for p in clinics attendance trades; do
    client "final_$p" replay --path "/$p" --events 0 --dump "$WB_SCRATCH/final_$p.jsonl"
    [[ $(jq -c -S 'del(.ts)' "$WB_SCRATCH/final_$p.jsonl") == \
       "$(jq -cs -S --arg p "/$p" -L "$RECORDINGS" 'include "state"; map(select(.path == $p) | .msg) | final_state' "$rec")" ]] ||
        fail "/$p: the state after the replay is not the recording's final state"
done
feeds_stop replay
