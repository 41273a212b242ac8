#!/bin/bash
# final-state.sh FILE...: the state a client has after all of a recording, computed with jq
# alone (no wallboard-feeds code), one JSON line per file: the file, its message count, the
# last seq, the seqs missing, and the final totals (/trades: "day", trades kept, and the
# last trade id). tests/feeds/feeds_replay.sh checks the server against this.
set -euo pipefail
for f in "$@"; do
    jq -cs --arg file "$(basename "$f")" '
      map(.msg) as $m
      | ($m | map(select(.type | test("snapshot$") | not)) | map(.seq)) as $seqs
      | ($m[0].seq) as $s0
      | {file: $file, messages: ($m | length), last_seq: ($m[-1].seq),
         missing: ([range($s0 + 1; $m[-1].seq + 1)] - $seqs)}
        + (if $m[-1] | has("totals") then {totals: $m[-1].totals}
           else {day: $m[-1].day, last_trade: $m[-1].trade.id} end)' "$f"
done
