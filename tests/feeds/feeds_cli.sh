#!/bin/bash
# wallboard-feeds' command line: --help documents every option and path, --version, and every
# bad option or combination is refused with exit 2 and a message saying what is allowed.
source "$(dirname "$0")/lib.sh"

out="$WB_SCRATCH/help.txt"
"$WB_FEEDS" --help >"$out" || fail "--help exited $?"
for word in --port --bind --backlog --port-file --seed --rate --clock --time-scale --date \
    --record --replay --speed --wait-clients --help --version /demo /clinics /attendance /trades \
    "exits 2" 1001; do
    grep -q -- "$word" "$out" || fail "--help does not mention '$word'"
done
"$WB_FEEDS" --version | grep -q '^wallboard-feeds [0-9]' || fail "--version prints no version"

# refused ARGS... / EXPECTED-TEXT: exit 2, the text in stderr, nothing on stdout (never listened).
refused() {
    local want=$1 rc=0
    shift
    "$WB_FEEDS" "$@" --port 0 >"$WB_SCRATCH/refused.out" 2>"$WB_SCRATCH/refused.err" || rc=$?
    ((rc == 2)) || fail "wallboard-feeds $* exited $rc, expected 2: $(cat "$WB_SCRATCH/refused.err")"
    grep -q -- "$want" "$WB_SCRATCH/refused.err" ||
        fail "wallboard-feeds $*: expected '$want' in stderr, got: $(cat "$WB_SCRATCH/refused.err")"
    [[ ! -s $WB_SCRATCH/refused.out ]] || fail "wallboard-feeds $* printed on stdout"
}
refused "expected HH:MM" --clock 24:00
refused "expected HH:MM" --clock 8:10
refused "expected 0..3600" --time-scale 3601
refused "expected 0..3600" --time-scale -1
refused "expected a date" --date 2026-02-30
refused "expected a date" --date 1969-12-31
refused "or 'max'" --replay "$RECORDINGS/clinics.jsonl" --speed fast
refused "or 'max'" --replay "$RECORDINGS/clinics.jsonl" --speed 1001
refused "or 'max'" --replay "$RECORDINGS/clinics.jsonl" --speed 1.2.3
refused "expected 0..10000" --replay "$RECORDINGS/clinics.jsonl" --wait-clients 10001
refused "needs --replay" --wait-clients 3
refused "needs --replay" --speed 2
refused "has no effect with --replay" --replay "$RECORDINGS/clinics.jsonl" --rate 5
refused "has no effect with --replay" --replay "$RECORDINGS/clinics.jsonl" --record "$WB_SCRATCH/x.jsonl"
refused "has no effect with --replay" --replay "$RECORDINGS/clinics.jsonl" --clock 09:00
refused "No such file" --replay "$WB_SCRATCH/missing.jsonl"
refused "unknown option" --frobnicate

# A recording that cannot be created is a runtime error (1), found before listening.
rc=0
"$WB_FEEDS" --port 0 --record "$WB_SCRATCH/no/such/dir/rec.jsonl" >"$WB_SCRATCH/rec.out" \
    2>"$WB_SCRATCH/rec.err" || rc=$?
((rc == 1)) || fail "an unwritable --record exited $rc, expected 1"
grep -q "no/such/dir/rec.jsonl" "$WB_SCRATCH/rec.err" || fail "the --record error does not name the file"

# Every option accepted together, and the start-up lines say what runs.
feeds_start all --seed 1 --rate 3 --clock 23:59 --time-scale 0 --date 2026-11-25 --backlog 9 \
    --bind 127.0.0.1 --record "$WB_SCRATCH/all.jsonl"
grep -q "listening on ws://127.0.0.1:${PORT[all]} (paths: /demo, /clinics, /attendance, /trades)" \
    "$WB_SCRATCH/all.stdout" || fail "unexpected start-up line: $(cat "$WB_SCRATCH/all.stdout")"
grep -q "seed 1, /demo at 3 events/s, simulated clock 2026-11-25 23:59 at 0x" "$WB_SCRATCH/all.stderr" ||
    fail "the start-up line on stderr does not describe the run: $(cat "$WB_SCRATCH/all.stderr")"
feeds_stop all

feeds_start replay --replay "$RECORDINGS/trades.jsonl" --speed max --wait-clients 2
grep -q "listening on ws://127.0.0.1:${PORT[replay]} (paths: /trades)" "$WB_SCRATCH/replay.stdout" ||
    fail "a replay should serve only its recording's paths: $(cat "$WB_SCRATCH/replay.stdout")"
grep -q "replaying .*trades.jsonl (41 messages) at full speed once 2 clients are connected" \
    "$WB_SCRATCH/replay.stderr" || fail "unexpected replay line: $(cat "$WB_SCRATCH/replay.stderr")"
feeds_stop replay
