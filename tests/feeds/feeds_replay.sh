#!/bin/bash
# --replay of the recordings in tests/feeds/recordings: a client gets exactly the recorded
# messages (seq preserved, gaps reproduced); after the end the server stays up and a new client
# gets the final state, whose totals are those in recordings/README.md; a client connecting in
# the middle gets a snapshot consistent with the events before it, then the rest; bad files are
# refused before serving with FILE:LINE and exit 2.
source "$(dirname "$0")/lib.sh"

# The final state of each recording, as documented in recordings/README.md.
declare -A FINAL=(
    [clinics]='{"clinics":27,"waiting":2426,"scans_pending":186,"prescriptions":5038,"flagged":351}'
    [attendance]='{"schools":34,"enrolled":37370,"left_behind":17320,"absent":809,"absent_left_behind":474,"late":495,"parents_notified":1295}'
    [trades]='{"trades":7426,"turnover":10387328.78,"volume":70792}'
)

# state_of FILE [SEQ]: the snapshot state.jq computes from a recording (up to SEQ), sorted keys.
state_of() {
    jq -cs -S --argjson upto "${2:-1e18}" -L "$RECORDINGS" \
        'include "state"; map(.msg | select(.seq <= $upto)) | final_state' "$1"
}

for name in clinics attendance trades clinics_gap attendance_gap trades_gap; do
    rec="$RECORDINGS/$name.jsonl"
    path=/${name%_gap}
    lines=$(wc -l <"$rec")
    last=$(tail -n 1 "$rec" | jq .msg.seq)
    gap_args=() gaps=0
    [[ $name == *_gap ]] && gap_args=(--allow-gaps) gaps=1

    # From the first snapshot on, exactly the recording.
    feeds_start "$name" --replay "$rec" --speed max --wait-clients 1
    client "$name.seq" "$name" --path "$path" --until-seq "$last" --dump "$WB_SCRATCH/$name.seq.jsonl" "${gap_args[@]}"
    expect_summary gaps "$gaps"
    diff <(messages "$rec") <(messages "$WB_SCRATCH/$name.seq.jsonl") >"$WB_SCRATCH/$name.diff" ||
        fail "$name: the client did not get the recording exactly (diff in $WB_SCRATCH/$name.diff)"

    # After the end: still serving, the final state for newcomers.
    poll 10 grep -q "replay of .*$name.jsonl finished after $lines messages" "$WB_SCRATCH/$name.stderr" ||
        fail "$name: no 'finished' line: $(cat "$WB_SCRATCH/$name.stderr")"
    client "$name.final" "$name" --path "$path" --clients 2 --events 0 --dump "$WB_SCRATCH/$name.final.jsonl"
    expect_summary first_seq "$last..$last"
    [[ $(jq -c -S 'del(.ts)' "$WB_SCRATCH/$name.final.jsonl") == "$(state_of "$rec")" ]] ||
        fail "$name: the final snapshot is not the state the recording leads to"
    got=$(jq -c '.totals // .day' "$WB_SCRATCH/$name.final.jsonl")
    [[ $got == "${FINAL[${name%_gap}]}" ]] || fail "$name: final totals $got, README says ${FINAL[${name%_gap}]}"
    feeds_stop "$name"
done

# A client connecting in the middle of a replay: a snapshot of the state after the events
# before it (and with that seq), then exactly the events after it.
rec="$RECORDINGS/clinics.jsonl"
feeds_start mid --replay "$rec" --speed 0.25
client_bg early mid --path /clinics --until-seq 148 --dump "$WB_SCRATCH/early.jsonl"
poll 30 eval "jq -e 'select(.seq >= 118)' '$WB_SCRATCH/early.jsonl' 2>/dev/null | grep -q seq" ||
    fail "the replay did not get to seq 118"
client late mid --path /clinics --until-seq 148 --dump "$WB_SCRATCH/late.jsonl"
client_wait early 60
s=$(head -n 1 "$WB_SCRATCH/late.jsonl" | jq .seq)
log "the late client's snapshot has seq $s"
((s >= 118 && s < 148)) || fail "the late client did not connect in the middle of the replay (seq $s)"
[[ $(head -n 1 "$WB_SCRATCH/late.jsonl" | jq -c -S 'del(.ts)') == "$(state_of "$rec" "$s")" ]] ||
    fail "the snapshot at seq $s is not the state after the recording's events up to $s"
diff <(jq -c --argjson s "$s" 'select(.msg.seq > $s) | .msg | del(.ts)' "$rec") \
     <(tail -n +2 "$WB_SCRATCH/late.jsonl" | jq -c 'del(.ts)') >"$WB_SCRATCH/late.diff" ||
    fail "the late client's events are not the recording's after seq $s (diff in $WB_SCRATCH/late.diff)"
feeds_stop mid

# ---- bad files: refused before listening, exit 2, FILE:LINE and what is wrong
first=$(head -n 1 "$RECORDINGS/clinics.jsonl")
update=$(sed -n 2p "$RECORDINGS/clinics.jsonl")
trade=$(sed -n 2p "$RECORDINGS/trades.jsonl")
att=$(head -n 1 "$RECORDINGS/attendance.jsonl")
# bad_file NAME LINE EXPECTED-TEXT, the file's content on stdin (a pipe: runs in a subshell,
# whose failure fails the test through pipefail).
bad_file() {
    local f="$WB_SCRATCH/bad_$1.jsonl" line=$2 want=$3 rc=0
    cat >"$f"
    "$WB_FEEDS" --port 0 --replay "$f" >"$f.out" 2>"$f.err" || rc=$?
    ((rc == 2)) || fail "bad_$1 ($want) exited $rc, expected 2: $(cat "$f.err")"
    grep -qF -- "bad_$1.jsonl:$line" "$f.err" || fail "bad_$1: no 'bad_$1.jsonl:$line' in: $(cat "$f.err")"
    grep -qF -- "$want" "$f.err" || fail "bad_$1: expected '$want' in: $(cat "$f.err")"
    [[ ! -s $f.out ]] || fail "bad_$1: it started listening"
}
printf '%s\n{"t": 5, "path": "/clinics", "msg": {' "$first" | bad_file json 2 "not JSON"
printf '%s\n\n%s\n{"t":3,"path":"/clinics","msg":{}}\n' "$first" "$update" | bad_file time 4 '"t" goes back in time'
jq -c 'del(.path)' <<<"$first" | bad_file nopath 1 '"path": expected a string'
jq -c '.path = "/nope"' <<<"$first" | bad_file unknownpath 1 'no feed "/nope"'
jq -c '.msg.v = 2' <<<"$first" | bad_file version 1 'msg.v: expected 1'
jq -c '.msg.seq = -1' <<<"$first" | bad_file seq 1 'msg.seq: expected an integer >= 0'
jq -c '.t = 1.5' <<<"$first" | bad_file t 1 '"t": expected an integer'
{ echo "$first"; jq -c '.msg.clinic.waiting = "12"' <<<"$update"; } | bad_file waiting 2 'clinic.waiting: expected an integer >= 0'
{ echo "$first"; jq -c 'del(.msg.totals.flagged)' <<<"$update"; } | bad_file totals 2 'totals.flagged: expected an integer >= 0'
jq -c '.msg.clinics[3].id = .msg.clinics[1].id' <<<"$first" | bad_file twice 1 'is listed twice'
jq -c 'del(.msg.trade.price)' <<<"$trade" | bad_file price 1 'trade.price: expected a number of yuan'
jq -c '.path = "/clinics"' <<<"$trade" | bad_file wrongtype 1 '/clinics sends "clinic.update" and "clinics.snapshot" messages, not "trade"'
jq -c '.msg.date = "2026-13-01"' <<<"$att" | bad_file date 1 '"date": expected YYYY-MM-DD'
{ echo "$first"; echo '{"t":9,"path":"/demo","msg":{"type":"counter","v":1,"seq":1,"key":"k99","value":1}}'; } |
    bad_file demokey 2 '"key": expected one of k1..k12'
printf '\n\n' | bad_file empty "" "no messages to replay"
