#!/bin/bash
# 10 000 distinct keys over time for each plugin that keeps per-key state: clinic_queues
# (clinics), absent_students (schools), exchange_trades (data sets), each on its own feed,
# 100 messages every 100 ms. Each keeps at most 256 (tracked/kept/datasets), evicts the one
# updated longest ago and counts it exactly: 9744 after the 10 000; then an update of the oldest
# still kept (id 9745) evicts nothing, one of a long-gone id (1) evicts one more. Memory stays
# bounded, the healthy feed is untouched and the wall keeps drawing.
source "$(dirname "$0")/lib.sh"

need_plugins clinic_queues absent_students exchange_trades
server_start_beat beat

N=10000
clinic() {
    printf '{"type":"clinic.update","clinic":{"id":"c%d","name":"诊所%d","waiting":%d,"scans_pending":1,"prescriptions":2,"flagged":0},"totals":{"clinics":%d,"waiting":%d,"scans_pending":1,"prescriptions":2,"flagged":0}}\n' \
        "$1" "$1" "$(($1 % 1000))" "$2" "$2"
}
school() {
    printf '{"type":"attendance.update","school":{"id":"s%d","name":"学校%d","enrolled":100,"left_behind":50,"absent":3,"absent_left_behind":2,"late":1,"parents_notified":2},"totals":{"schools":%d,"enrolled":100,"left_behind":50,"absent":3,"absent_left_behind":2,"late":1,"parents_notified":%d}}\n' \
        "$1" "$1" "$2" "$2"
}
trade() {
    printf '{"type":"trade","trade":{"id":"T%d","dataset_id":"d%d","dataset":"数据%d","category":"交通","buyer":"b","seller":"s","price":1,"volume":1,"amount":1},"day":{"trades":%d,"turnover":%d,"volume":%d}}\n' \
        "$2" "$1" "$1" "$2" "$2" "$2"
}
# script KIND: ids 1..N paced 100 per 100 ms (the three feeds together 3000 a second: a parse
# thread descheduled on a loaded CI machine must not overflow its 1 MiB raw queue share); then the oldest kept (N - 255), then id 1; the
# last message's count field (totals, day trades) is N + 2.
for kind in clinic school trade; do
    {
        echo "@await $WB_SCRATCH/go.keys"
        for ((i = 1; i <= N; i++)); do
            "$kind" "$i" "$i"
            ((i % 100)) || echo '@sleep 100'
        done
        "$kind" $((N - 255)) $((N + 1))
        "$kind" 1 $((N + 2))
        echo '@hold'
    } >"$WB_SCRATCH/$kind.script"
    server_start "$kind" --script "$WB_SCRATCH/$kind.script"
done

cat >"$WALL_CONFIG" <<EOF2
{"title": "e2e hostile keys", "grid": {"columns": 2, "rows": 2, "gap": 8},
 "feeds": {"clinic": {"url": "$(url clinic)"}, "school": {"url": "$(url school)"},
           "trade": {"url": "$(url trade)"}, "beat": {"url": "$(url beat)"}},
 "tiles": [
  {"id": "cq", "plugin": "clinic_queues", "feed": "clinic", "cell": [0, 0], "stale_after": 60,
   "options": {"animate_ms": 0}},
  {"id": "as", "plugin": "absent_students", "feed": "school", "cell": [1, 0], "stale_after": 60,
   "options": {"animate_ms": 0}},
  {"id": "xt", "plugin": "exchange_trades", "feed": "trade", "cell": [0, 1], "stale_after": 60,
   "options": {"animate_ms": 0}},
  $(counter_tile beat 1 1 60 beat)
 ]}
EOF2

asan_small_quarantine
wall_start_noshot --headless --size 960x540
wall_wait 20 "$(tile beat).values.value >= 1 and $(feed clinic).state == \"live\" and $(feed school).state == \"live\" and $(feed trade).state == \"live\"" \
    "the three feeds live and the heartbeat"
mem_mark
go keys
total=$((N + 2))
wall_wait 45 "$(tile cq).values.waiting == $total and $(tile as).values.parents_notified == $total and $(tile xt).values.trades == $total" \
    "the three tiles showing the last of the $total messages"

for f in clinic school trade; do
    assert_eq "$(feed $f) | [.state, .connects, .received, .invalid, .dropped]" \
        "[\"live\",1,$total,0,0]" "feed $f: every message arrived, none dropped"
done
assert_eq "$(tile cq) | [.values.tracked, .values.evicted, .matched, .invalid]" \
    "[256,$((N - 256 + 1)),$total,0]" \
    "clinic_queues: 256 clinics tracked, the rest evicted (9744, + 1 for id 1 coming back)"
assert_eq "$(tile as) | [.values.kept, .values.evicted, .matched, .invalid]" \
    "[256,$((N - 256 + 1)),$total,0]" "absent_students: 256 schools kept, the rest evicted"
assert_eq "$(tile xt) | [.values.datasets, .values.evicted, .matched, .invalid]" \
    "[256,$((N - 256 + 1)),$total,0]" "exchange_trades: 256 data sets held, the rest evicted"
# the ranking holds the newest clinics: waiting = id mod 1000, so the longest queue is c9999
assert_eq "$(tile cq).values.top[0].id" '"c9999"' "clinic_queues: the longest queue, a clinic still tracked"

wall_wait_advancing 20 beat "the wall still presenting frames (> %s) and the healthy tile advancing (> %s)"
assert_feed_healthy beat beat
# Per-key state is fixed arrays of 256; the names drawn go through the bounded text cache
# (256 strings, 64 MiB). Seen: +4 MB plain, +44 MB ASan (its quarantine and shadow). Per-key
# state without a bound (10 000 clinics, schools and data sets with their names) would not fit.
mem_assert_growth 16384 98304 "30 000 messages over 30 000 distinct keys"

wall_stop
assert_eq "[$(tile cq).values.evicted, $(tile as).values.evicted, $(tile xt).values.evicted]" \
    "[$((N - 255)),$((N - 255)),$((N - 255))]" "evictions at exit"
for s in clinic school trade beat; do server_stop "$s"; done
