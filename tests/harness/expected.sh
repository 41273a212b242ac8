#!/bin/bash
# expected.sh: the expected tile states of the harness tests, computed with jq from the
# recordings alone (recordings/state.jq, never the wall's output), and checked against the files.
#   expected.sh print NAME     the expected state of NAME (clinic_queues, absent_students, ...)
#   expected.sh check          each NAME.expected.json equals what the recording says (exit 0/1)
#   expected.sh write          (re)writes the NAME.expected.json files, after a recording changed
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
RECORDINGS=${WB_RECORDINGS:-$HERE/../feeds/recordings}
NAMES=(clinic_queues absent_students exchange_trades counter template)

# The tile options each test gives (tests/harness/CMakeLists.txt passes the same).
COUNTER_WARN=200
COUNTER_ALARM=300
CLINIC_TITLE="원격 진료 대기 · 县域远程医疗候诊 · County telemedicine queues"

# jq over all of a recording's lines, with state.jq's final_state in scope.
over() {
    local file=$1
    shift
    jq -S -s -L "$RECORDINGS" "$@" "$file"
}

expect_clinic_queues() {
    over "$RECORDINGS/clinics.jsonl" --arg title "$CLINIC_TITLE" 'include "state";
      length as $n | map(.msg) | final_state
      | {state: "live", matched: $n, invalid: 0,
         values: {waiting: .totals.waiting, scans_pending: .totals.scans_pending,
                  prescriptions: .totals.prescriptions, flagged: .totals.flagged,
                  clinics: .totals.clinics, tracked: (.clinics | length),
                  top: (.clinics | sort_by(-.waiting, .id) | .[:5] | map({id, name, waiting})),
                  samples: $n, title: $title, overflow: false}}'
}

expect_absent_students() {
    over "$RECORDINGS/attendance.jsonl" 'include "state";
      length as $n | map(.msg) | final_state
      | {state: "live", matched: $n, invalid: 0,
         values: ((.totals | {absent_left_behind, absent, late, parents_notified, schools,
                              enrolled, left_behind})
           + {date: .date,
              top: (.schools | map(select(.absent > 0))
                    | sort_by(-.absent, -.absent_left_behind, .id) | .[:5]
                    | map({id, name, absent, absent_left_behind})),
              shown: (.totals | {absent_left_behind, late, parents_notified} | map_values(tostring)),
              overflow: false})}'
}

expect_exchange_trades() {
    over "$RECORDINGS/trades.jsonl" 'include "state";
      # 10387328.78 -> "¥10,387,328.78": yuan to the fen, thousands grouped.
      def group: tostring | if length <= 3 then . else (.[:-3] | group) + "," + .[-3:] end;
      def money: (. * 100 | round) as $fen
        | "¥\(($fen / 100 | floor) | group).\(($fen % 100) + 100 | tostring | .[1:])";
      length as $n | map(.msg) as $m | $m | final_state as $fin
      | ($fin.datasets | max_by(.trades)) as $top
      | if ($fin.datasets | map(select(.trades == $top.trades)) | length) != 1
        then error("several data sets share the most trades: no one top_dataset") else . end
      | {state: "live", matched: $n, invalid: 0,
         values: {trades: $fin.day.trades, turnover: $fin.day.turnover, volume: $fin.day.volume,
                  trades_text: ($fin.day.trades | group), turnover_text: ($fin.day.turnover | money),
                  datasets: ($fin.datasets | length),
                  top_dataset: $top.id, top_name: $top.name, top_trades: $top.trades,
                  top_price: $top.last_price,
                  ticker: ($fin.recent | reverse | .[:5]
                           | map({id, dataset_id, dataset, category, price, volume, amount})),
                  overflow: false}}'
}

expect_counter() {
    over "$HERE/demo_seed2024.jsonl" --argjson warn "$COUNTER_WARN" --argjson alarm "$COUNTER_ALARM" '
      (map(.msg) | map(select(.key == "k1"))) as $k1
      | ($k1[-1].value) as $v
      | {state: "live", received: length, matched: ($k1 | length), invalid: 0,
         values: {value: $v, shown: ($v | tostring), scale: "", samples: ($k1 | length),
                  level: (if $v >= $alarm then "alarm" elif $v >= $warn then "warn"
                          else "normal" end),
                  title: "환자 대기 · 候诊患者 · Patients waiting", overflow: false}}'
}

# The template plugin (plugins/template), as docs/plugins.md tests it: the same recording and rule.
expect_template() {
    over "$HERE/demo_seed2024.jsonl" --argjson warn "$COUNTER_WARN" --argjson alarm "$COUNTER_ALARM" '
      (map(.msg) | map(select(.key == "k1"))) as $k1
      | ($k1[-1].value) as $v
      | {state: "live", matched: ($k1 | length), invalid: 0,
         values: {value: $v, shown: ($v | tostring), messages: ($k1 | length),
                  level: (if $v >= $alarm then "alarm" elif $v >= $warn then "warn"
                          else "normal" end),
                  label: "Patients waiting", feed_state: "live"}}'
}

case ${1:-} in
print)
    "expect_${2:?expected.sh print NAME}"
    ;;
write)
    for name in "${NAMES[@]}"; do "expect_$name" >"$HERE/$name.expected.json"; done
    ;;
check)
    rc=0
    for name in "${NAMES[@]}"; do
        want=$("expect_$name")
        got=$(jq -S . "$HERE/$name.expected.json")
        if [[ $want == "$got" ]]; then
            echo "ok: $name.expected.json is what its recording says"
        else
            echo "FAIL: $name.expected.json differs from what its recording says:"
            diff <(echo "$got") <(echo "$want") || true
            rc=1
        fi
    done
    exit "$rc"
    ;;
*)
    echo "usage: expected.sh print NAME | check | write" >&2
    exit 2
    ;;
esac
