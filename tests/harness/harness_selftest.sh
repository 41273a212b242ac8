#!/bin/bash
# harness_selftest.sh: sdk/wallboard-plugin-test.sh fails when it must, saying why in a line a
# plugin author understands, and passes when it must; it never touches the user's crash journal.
# Environment (tests/harness/CMakeLists.txt): WB_WALL WB_FEEDS WB_PLUGIN_DIR WB_TEST_PLUGIN_DIR
# WB_SOURCE_DIR WB_SCRATCH.
set -euo pipefail
: "${WB_WALL:?}" "${WB_FEEDS:?}" "${WB_PLUGIN_DIR:?}" "${WB_TEST_PLUGIN_DIR:?}" "${WB_SOURCE_DIR:?}"
: "${WB_SCRATCH:?}"
[[ $WB_SCRATCH == /*/scratch/* ]] || { echo "refusing WB_SCRATCH=$WB_SCRATCH" >&2; exit 2; }
rm -rf "$WB_SCRATCH"
mkdir -p "$WB_SCRATCH"

HARNESS=$WB_SOURCE_DIR/sdk/wallboard-plugin-test.sh
RECORDINGS=$WB_SOURCE_DIR/tests/feeds/recordings
# What a user's session would have: the harness must keep the wall's crash journal elsewhere.
export XDG_STATE_HOME=$WB_SCRATCH/user-state
FAILS=0

fail() {
    echo "FAIL [harness_selftest]: $*" >&2
    FAILS=$((FAILS + 1))
}

# run CASE EXPECT_JSON ARGS...: the harness on CASE's own scratch folder with EXPECT_JSON as the
# expected state; RC and OUT (its stdout and stderr) are kept.
run() {
    local case=$1 want=$2
    shift 2
    printf '%s\n' "$want" >"$WB_SCRATCH/$case.expected.json"
    RC=0
    bash "$HARNESS" --name "$case" --wallboard "$WB_WALL" --feeds "$WB_FEEDS" \
        --expect-state "$WB_SCRATCH/$case.expected.json" --scratch "$WB_SCRATCH/$case" --budget 40 \
        "$@" >"$WB_SCRATCH/$case.out" 2>&1 || RC=$?
    OUT=$(cat "$WB_SCRATCH/$case.out")
    echo "---- $case: exit $RC" >&2
}

# expect_rc CASE RC: the last run ended with RC.
expect_rc() {
    ((RC == $2)) || fail "$1: the harness exited $RC, expected $2; its output:"$'\n'"$OUT"
}

# expect_line CASE TEXT: the last run's output has a line containing TEXT (fixed string).
expect_line() {
    grep -qF -- "$2" <<<"$OUT" || fail "$1: expected a line with '$2' in its output:"$'\n'"$OUT"
}

clinics=(--plugin "$WB_PLUGIN_DIR/clinic_queues.so" --recording "$RECORDINGS/clinics.jsonl")

# ---- a pass: the members named match, the others are not checked
run pass '{"state": "live", "matched": 41, "values": {"waiting": 2426, "clinics": 27}}' "${clinics[@]}"
expect_rc pass 0
expect_line pass "PASS: the tile shows"

# ---- one number off: the member's path, what was expected and what the tile showed
run wrong_number '{"state": "live", "values": {"waiting": 2427, "clinics": 27}}' "${clinics[@]}"
expect_rc wrong_number 1
expect_line wrong_number '  .values.waiting: expected 2427, saw 2426'
expect_line wrong_number 'differs from'
grep -qF '.values.clinics' <<<"$OUT" && fail "wrong_number: a member that matched is listed as a difference"

# ---- a member the tile does not have, and an array that is only a prefix (arrays are exact)
run missing_member '{"values": {"no_such_value": 1, "top": [{"id": "zunyi-renhuai", "name": "仁怀市人民医院", "waiting": 208}]}}' "${clinics[@]}"
expect_rc missing_member 1
expect_line missing_member '  .values.no_such_value: expected 1, but the tile has no such member'
expect_line missing_member '  .values.top: expected [{"id":"zunyi-renhuai"'
expect_line missing_member 'in 2 place(s)'

# ---- MATCH that no message passes: said before anything starts
run match_none '{}' "${clinics[@]}" --match '{"type": "no.such.type"}'
expect_rc match_none 1
expect_line match_none 'none of the 41 messages of /clinics'

# ---- a recording of two paths: PATH is needed, and then chooses
jq -c -s 'sort_by(.t)[]' "$RECORDINGS/clinics.jsonl" "$RECORDINGS/trades.jsonl" >"$WB_SCRATCH/two_paths.jsonl"
run two_paths '{}' --plugin "$WB_PLUGIN_DIR/exchange_trades.so" --recording "$WB_SCRATCH/two_paths.jsonl"
expect_rc two_paths 1
expect_line two_paths 'has several paths (/clinics /trades )'
run two_paths_chosen '{"state": "live", "received": 41, "values": {"trades": 7426}}' \
    --plugin "$WB_PLUGIN_DIR/exchange_trades.so" --recording "$WB_SCRATCH/two_paths.jsonl" --path /trades
expect_rc two_paths_chosen 0

# ---- a plugin whose create() fails: an error tile, named as such with its reason
run error_tile '{"state": "live"}' --plugin "$WB_TEST_PLUGIN_DIR/create_fails.so" \
    --recording "$RECORDINGS/clinics.jsonl"
expect_rc error_tile 1
expect_line error_tile 'the tile is an error tile'
expect_line error_tile 'sensor array offline'

# ---- a plugin that crashes on a message: the wall's death and the crash journal's line; the
# journal is the test's own, never $XDG_STATE_HOME's
printf '%s\n' '{"t":0,"path":"/demo","msg":{"type":"snapshot","v":1,"seq":0,"key":"k1","value":5}}' \
    '{"t":10,"path":"/demo","msg":{"type":"counter","v":1,"seq":1,"key":"k1","value":6,"crash":true}}' \
    >"$WB_SCRATCH/crash.jsonl"
run crash '{"state": "live"}' --plugin "$WB_TEST_PLUGIN_DIR/crash_on_message.so" \
    --recording "$WB_SCRATCH/crash.jsonl"
expect_rc crash 1
expect_line crash 'killed by signal 11 (SIGSEGV)'
expect_line crash 'crash journal:'
expect_line crash 'crash_on_message'
[[ ! -e $XDG_STATE_HOME/wallboard/crashes ]] || fail "crash: the harness wrote the user's crash journal $XDG_STATE_HOME/wallboard/crashes"
grep -q 'crash_on_message' "$WB_SCRATCH/crash/state-home/wallboard/crashes" ||
    fail "crash: no journal line in the test's own $WB_SCRATCH/crash/state-home/wallboard/crashes"

# ---- usage errors exit 2; a scratch folder that is not the harness's own is never emptied
run usage '{}' --recording "$RECORDINGS/clinics.jsonl"
expect_rc usage 2
expect_line usage '--plugin DIR/NAME.so is required'
mkdir -p "$WB_SCRATCH/precious"
echo keep >"$WB_SCRATCH/precious/file"
RC=0
OUT=$(bash "$HARNESS" --wallboard "$WB_WALL" --feeds "$WB_FEEDS" "${clinics[@]}" \
    --expect-state "$WB_SCRATCH/pass.expected.json" --scratch "$WB_SCRATCH/precious" 2>&1) || RC=$?
expect_rc precious 1
expect_line precious 'refusing to empty it'
[[ -s $WB_SCRATCH/precious/file ]] || fail "precious: the harness emptied a folder that was not its own"

if ((FAILS > 0)); then
    echo "FAIL [harness_selftest]: $FAILS check(s) failed; everything is in $WB_SCRATCH" >&2
    exit 1
fi
echo "PASS [harness_selftest]" >&2
