#!/bin/bash
# make.sh: remakes the recordings in this folder from a live wallboard-feeds run, then prints
# their final state for README.md. Needs jq.
#   tests/feeds/recordings/make.sh build/feeds/wallboard-feeds
# Content is fixed by the seed, date and clock below; "t" and "ts" come from the run.
# Each file is what a client connecting at some seq K sees: a snapshot with seq K (computed by
# state.jq from the recorded snapshot and events 1..K), then the next 40 events with "t"
# counted from event K.
set -euo pipefail
feeds=${1:?usage: make.sh PATH/TO/wallboard-feeds}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pid=""
trap '[[ -z $pid ]] || kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
events=40
start=120 # K for /attendance and /trades

"$feeds" --port 0 --port-file "$work/port" --seed 11 --date 2026-11-25 --clock 08:59 \
    --time-scale 10 --rate 0 --record "$work/all.jsonl" >/dev/null 2>"$work/stderr" &
pid=$!

# The seq of the first clinic to come online after the start (the 09:00 rollout wave).
first_golive() {
    jq -s 'map(select(.path == "/clinics") | .msg)
           | (.[0].clinics | map(.id)) as $ids
           | map(select(.type == "clinic.update" and (.clinic.id | IN($ids[]) | not)))
           | first.seq // empty' "$work/all.jsonl" 2>/dev/null
}
count() { grep -c "\"path\":\"$1\"" "$work/all.jsonl" 2>/dev/null || true; }
enough() {
    local g
    g=$(first_golive)
    [[ -n $g ]] && (($(count /clinics) > g + events)) &&
        (($(count /attendance) > start + events)) && (($(count /trades) > start + events))
}
for _ in $(seq 900); do enough && break; sleep 0.2; done
enough || { echo "make.sh: not enough events after 3 minutes" >&2; exit 1; }
kill -TERM "$pid"
wait "$pid"
pid=""

# cut PATH K FILE: the snapshot at seq K, then events K+1..K+$events.
cut() {
    jq -cs --arg p "$1" --argjson k "$2" --argjson n "$events" -L "$here" '
        include "state";
        map(select(.path == $p)) as $lines
        | ($lines | map(.msg)) as $m
        | ($m[0:$k + 1] | final_state) as $s
        | $lines[$k].t as $t0
        | ({t: 0, path: $p,
            msg: ({type: $s.type, v: 1, seq: $s.seq, ts: $m[$k].ts}
                  + ($s | del(.type, .v, .seq)))}),
          ($lines[$k + 1:$k + 1 + $n][] | .t -= $t0)' "$work/all.jsonl" >"$here/$3"
}
golive=$(first_golive)
cut /clinics $((golive - 20)) clinics.jsonl
cut /attendance $start attendance.jsonl
cut /trades $start trades.jsonl

# The gap files: three consecutive events left out from the 16th on (later if need be), so
# seq jumps by 4. For /clinics and /attendance the three left out are ones whose clinic or
# school is updated again later, so the final state is the same as without the gap.
make_gap() {
    local p=$1 key=$2 first=16
    while :; do
        local ok=1 i
        for i in 0 1 2; do
            local id
            [[ -n $key ]] || break
            id=$(sed -n "$((first + 1 + i))p" "$here/$p.jsonl" | jq -r ".msg.$key.id")
            tail -n +$((first + 4)) "$here/$p.jsonl" |
                jq -se --arg id "$id" "any(.[]; .msg.$key.id == \$id)" >/dev/null || ok=0
        done
        ((ok)) && break
        first=$((first + 1))
        ((first + 3 < events)) || { echo "make.sh: no gap to make in $p" >&2; exit 1; }
    done
    sed "$((first + 1)),$((first + 3))d" "$here/$p.jsonl" >"$here/${p}_gap.jsonl"
}
make_gap clinics clinic
make_gap attendance school
make_gap trades ""

"$here/final-state.sh" "$here"/*.jsonl
