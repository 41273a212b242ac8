#!/bin/bash
# The generators: every message of every path has exactly the documented schema; totals are the
# sums of what was published; /demo is unchanged from the first release (a golden file); the
# same seed, clock and date give the same events on every run whatever the time scale; clinics
# come online during the day; midnight resets the day's counts.
source "$(dirname "$0")/lib.sh"

enough() { # FILE PATH N: FILE has more than N lines of PATH
    local n
    n=$(grep -c "\"path\":\"$2\"" "$1" 2>/dev/null) || n=0
    ((n > $3))
}

record_run() { # NAME TIME_SCALE: a run with --record NAME.jsonl until each path has enough
    local name=$1
    feeds_start "$name" --seed 2024 --date 2026-11-25 --clock 08:50 --time-scale "$2" --rate 2000 \
        --record "$WB_SCRATCH/$name.jsonl"
    local f="$WB_SCRATCH/$name.jsonl"
    poll 60 eval "enough $f /demo 2012 && enough $f /clinics 1200 && enough $f /attendance 300 && enough $f /trades 400" ||
        fail "run $name did not produce enough events within 60 s"
}

record_run a 1200
# Clients while it runs: snapshot first, contiguous seq, the same bytes for everyone.
for p in /demo /clinics /attendance /trades; do
    client "live${p//\//_}" a --path "$p" --clients 3 --events 20 --dump "$WB_SCRATCH/live${p//\//_}.jsonl"
done
feeds_stop a
record_run b 300
feeds_stop b

# ---- /demo: the golden file made by the first release with --seed 2024
jq -r 'select(.path == "/demo") | .msg | select(.seq <= 2000) | "\(.seq) \(.key) \(.value)"' \
    "$WB_SCRATCH/a.jsonl" >"$WB_SCRATCH/demo.txt"
diff -q "$WB_SOURCE_DIR/tests/feeds/demo_seed2024.txt" "$WB_SCRATCH/demo.txt" >/dev/null ||
    fail "/demo with --seed 2024 differs from tests/feeds/demo_seed2024.txt (diff it with $WB_SCRATCH/demo.txt)"

# ---- determinism: the same events in both runs (ts aside), though run b went 4 times slower
for p in /demo /clinics /attendance /trades; do
    for run in a b; do
        jq -cn --arg p "$p" '[inputs | select(.path == $p) | .msg | del(.ts)] | .[:300][]' \
            "$WB_SCRATCH/$run.jsonl" >"$WB_SCRATCH/$run${p//\//_}.txt"
    done
    cmp -s "$WB_SCRATCH/a${p//\//_}.txt" "$WB_SCRATCH/b${p//\//_}.txt" ||
        fail "$p: the same seed, clock and date gave different events at another time scale"
done

# ---- schemas, message by message (jq: the first failing message is printed)
cat >"$WB_SCRATCH/schema.jq" <<'JQ'
def int0: type == "number" and . >= 0 and . == floor;
def fen: type == "number" and . >= 0 and ((. * 100 | round) - . * 100 | fabs) < 0.000001;
def keys_are($k): keys_unsorted == $k;
def place($counters): keys_are(["id","name","romanized","county"] + $counters)
  and (.id | type == "string" and length > 0) and (.name | test("\\p{Han}"))
  and (.romanized | test("^[A-Za-z]")) and (.county | test("\\p{Han}"))
  and ([.[$counters[]]] | all(int0));
def totals($count; $counters): keys_are([$count] + $counters) and ([.[]] | all(int0));
def sums($list; $count; $counters):
  .totals[$count] == (.[$list] | length)
  and ([$counters[] as $c | (.totals[$c] == ([.[$list][][$c]] | add // 0))] | all);
def trade: keys_are(["id","dataset_id","dataset","category","buyer","seller","price","volume","amount"])
  and (.id | test("^T[0-9]{8}-[0-9]{6}$")) and (.dataset | test("\\p{Han}"))
  and (.category | test("\\p{Han}")) and (.buyer | test("\\p{Han}")) and .buyer != .seller
  and (.price | fen) and .price > 0 and (.volume | int0) and .volume > 0 and (.amount | fen)
  and ((.price * .volume * 100 | round) == (.amount * 100 | round));
def day: keys_are(["trades","turnover","volume"]) and (.trades | int0) and (.turnover | fen) and (.volume | int0);
def dataset: keys_are(["id","name","category","last_price","trades"]) and (.last_price | fen) and (.trades | int0);
def cc: ["waiting","scans_pending","prescriptions","flagged"];
def ac: ["enrolled","left_behind","absent","absent_left_behind","late","parents_notified"];
def ok:
  (.msg | keys_unsorted[0:4] == ["type","v","seq","ts"] and .v == 1 and (.seq | int0) and (.ts | int0))
  and (.msg | if .type == "snapshot" or .type == "counter" then keys_are(["type","v","seq","ts","key","value"])
    elif .type == "clinics.snapshot" then keys_are(["type","v","seq","ts","clinics","totals"])
      and all(.clinics[]; place(cc) and .flagged <= .prescriptions) and (.totals | totals("clinics"; cc))
      and sums("clinics"; "clinics"; cc)
    elif .type == "clinic.update" then keys_are(["type","v","seq","ts","clinic","totals"])
      and (.clinic | place(cc) and .flagged <= .prescriptions) and (.totals | totals("clinics"; cc))
    elif .type == "attendance.snapshot" then keys_are(["type","v","seq","ts","date","schools","totals"])
      and (.date | test("^2026-11-2[56]$"))
      and all(.schools[]; place(ac) and .absent_left_behind <= .absent and .left_behind <= .enrolled)
      and (.totals | totals("schools"; ac)) and sums("schools"; "schools"; ac)
    elif .type == "attendance.update" then keys_are(["type","v","seq","ts","school","totals"])
      and (.school | place(ac) and .absent_left_behind <= .absent and .left_behind <= .enrolled)
      and (.totals | totals("schools"; ac))
    elif .type == "trades.snapshot" then keys_are(["type","v","seq","ts","day","recent","datasets"])
      and (.day | day) and (.recent | length <= 20) and all(.recent[]; trade) and all(.datasets[]; dataset)
    elif .type == "trade" then keys_are(["type","v","seq","ts","trade","day"]) and (.trade | trade) and (.day | day)
    else false end);
select(ok | not)
JQ
bad=$(jq -c -f "$WB_SCRATCH/schema.jq" "$WB_SCRATCH/a.jsonl" | head -c 1500)
[[ -z $bad ]] || fail "messages not matching the documented schema: $bad"

# Per path: events numbered 1, 2, 3... after the opening snapshot at seq 0; totals after every
# event are the sums over the state so far (state.jq), and the trades' day adds up.
for pk in /clinics:clinics:clinic /attendance:schools:school; do
    IFS=: read -r path list key <<<"$pk"
    jq -s -e --arg p "$path" --arg list "$list" --arg key "$key" -L "$RECORDINGS" 'include "state";
        map(select(.path == $p) | .msg) as $m
        | ($m[0].seq == 0) and ([$m[1:][].seq] == [range(1; $m | length)])
        and (reduce $m[1:][] as $e ({s: $m[0], ok: ($m[0] | totals_are_sums($list))};
               .s |= step_roster($key; $list; $e) | .ok = (.ok and (.s | totals_are_sums($list))))
             | .ok)' "$WB_SCRATCH/a.jsonl" >/dev/null ||
        fail "$path: seq not 1, 2, 3... or totals that are not the sums of the state after every event"
done
jq -s -e 'map(select(.path == "/trades") | .msg) as $m
    | [range(2; $m | length) | . as $i | $m[$i].day as $d | $m[$i - 1].day as $e
       | select($d.trades != 1)
       | ($d.trades == $e.trades + 1) and ($d.volume == $e.volume + $m[$i].trade.volume)
         and ((($d.turnover - $e.turnover - $m[$i].trade.amount) * 100 | round) == 0)
         and ($m[$i].trade.id | endswith("-" + ($d.trades | tostring | "000000"[length:] + .)))]
    | length > 300 and all' "$WB_SCRATCH/a.jsonl" >/dev/null || fail "/trades: the day's totals do not add up trade by trade"

# The rollout: the 08:50 snapshot lists some clinics, more come online in updates.
jq -s -e 'map(select(.path == "/clinics") | .msg) as $m
    | ($m[0].clinics | map(.id)) as $first
    | ($first | length) < 42 and ([$m[1:][] | .clinic.id] | unique - $first | length) > 0' \
    "$WB_SCRATCH/a.jsonl" >/dev/null || fail "/clinics: no clinic came online after the start"

# ---- midnight: attendance and the day's prescriptions reset, trades start a new day
feeds_start night --seed 8 --date 2026-11-25 --clock 23:58 --time-scale 3600 --rate 0 \
    --record "$WB_SCRATCH/night.jsonl"
poll 30 grep -q 'T20261126-000002' "$WB_SCRATCH/night.jsonl" || fail "no trade of the next day"
client night_att night --path /attendance --events 0 --dump "$WB_SCRATCH/night_att.jsonl"
feeds_stop night
jq -e '.date == "2026-11-26"' "$WB_SCRATCH/night_att.jsonl" >/dev/null ||
    fail "an /attendance snapshot after midnight should carry the new date"
jq -s -e 'map(.msg) as $m
    | ($m | map(select(.type == "trade")) | map(select(.trade.id | startswith("T20261126")))[0].day.trades == 1)
    and ($m | map(select(.type == "attendance.update")) | last.totals | .absent == 0 and .late == 0 and .parents_notified == 0)
    and ($m | map(select(.type == "clinic.update")) | (map(.totals.prescriptions) | max) > 10 * (last.totals.prescriptions + 1))' \
    "$WB_SCRATCH/night.jsonl" >/dev/null || fail "midnight did not reset the day's counts"
