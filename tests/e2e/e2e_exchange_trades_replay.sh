#!/bin/bash
# exchange_trades fed by `wallboard-feeds --replay` of the committed /trades recordings: the final
# numbers, ticker and busiest data set exactly as the recording says (worked out here with jq);
# the recording with a gap counts it; a server killed mid-replay and restarted gives the right
# numbers again from its fresh snapshot.
source "$(dirname "$0")/lib.sh"

need_feeds
need_recordings trades.jsonl trades_gap.jsonl

# replay_start NAME FILE [ARGS...]: wallboard-feeds replaying FILE once a client is connected,
# as server NAME (feeds_start: on a free port unless ARGS pins --port).
replay_start() {
    local name=$1 file=$2
    shift 2
    feeds_start "$name" --replay "$file" --wait-clients 1 "$@"
}

# What a client has at the end of a recording, by jq alone: the day, the ticker's newest five
# trade ids, and each data set's trades today (snapshot counts plus the trades after it).
expect() {
    jq -cs 'map(.msg) as $m
        | ($m[0].datasets | map({(.id): .trades}) | add) as $base
        | ($m[1:] | map(select(.type == "trade"))) as $events
        | {day: $m[-1].day,
           ticker: (($m[0].recent + ($events | map(.trade))) | map(.id) | reverse | .[0:5]),
           counts: (reduce $events[].trade.dataset_id as $d ($base; .[$d] += 1))}
        | .top = (.counts | [.[]] | max)' "$1"
}

# "¥12,345,678.90" for 12345678.9: how the wall writes money.
money_text() {
    local fen int frac out=""
    fen=$(jq -n --argjson v "$1" '$v * 100 | round')
    int=$((fen / 100))
    frac=$(printf '%02d' $((fen % 100)))
    while ((${#int} > 3)); do
        out=",${int: -3}$out"
        int=${int:0:${#int}-3}
    done
    printf '¥%s%s.%s' "$int" "$out" "$frac"
}

# wall_config NAME: one exchange_trades tile on server NAME.
wall_config() {
    cat >"$WALL_CONFIG" <<EOF
{"title": "e2e exchange_trades replay", "grid": {"columns": 4, "rows": 3, "gap": 12},
 "feeds": {"trades": {"url": "$(url "$1" trades)"}},
 "tiles": [
  {"id": "x", "plugin": "exchange_trades", "feed": "trades", "cell": [0, 1], "span": [2, 2],
   "title": "데이터 거래소 · 大数据交易所 · Data exchange trades", "stale_after": 60,
   "options": {"animate_ms": 0}}
 ]}
EOF
}

# assert_final FILE: the tile shows what FILE ends with.
assert_final() {
    local e trades
    e=$(expect "$1")
    trades=$(jq '.day.trades' <<<"$e")
    wall_wait 20 "$(tile x).values.trades == $trades" "the tile at the recording's $trades trades"
    wall_dump
    assert_eq "$(tile x).values.trades" "$trades" "trades today"
    assert_eq "$(tile x).values.turnover" "$(jq '.day.turnover' <<<"$e")" "turnover"
    assert_eq "$(tile x).values.turnover_text" "\"$(money_text "$(jq '.day.turnover' <<<"$e")")\"" \
        "turnover as drawn"
    assert_eq "$(tile x).values.volume" "$(jq '.day.volume' <<<"$e")" "volume"
    assert_eq "[$(tile x).values.ticker[].id]" "$(jq -c '.ticker' <<<"$e")" "the ticker, newest first"
    assert_eq "$(tile x).values.top_trades" "$(jq '.top' <<<"$e")" "the busiest data set's trades"
    assert_jq "$(tile x).values.top_dataset as \$d | $(jq -c '.counts' <<<"$e")[\$d] == $(jq '.top' <<<"$e")" \
        "top_dataset is a data set with the most trades"
    assert_eq "$(tile x).values.overflow" false "no overflow"
    assert_eq "$(tile x).invalid" 0 "no message rejected"
}

# ------------------------------------------------------------------ the whole recording

replay_start whole "$RECORDINGS/trades.jsonl" --speed max
wall_config whole
wall_start --headless --size 1920x1080
assert_final "$RECORDINGS/trades.jsonl"
assert_eq "$(feed trades).seq_gaps" 0 "no gap in the full recording"
assert_pixels "$WALL_SHOT" x red 2000
wall_stop
server_stop whole

# ------------------------------------------------------------------ with three events missing

replay_start gap "$RECORDINGS/trades_gap.jsonl" --speed max
wall_config gap
wall_start --headless --size 1280x720
assert_final "$RECORDINGS/trades_gap.jsonl"
assert_eq "$(feed trades).seq_gaps" 1 "the gap counted"
assert_eq "$(feed trades).seq_missed" 3 "three messages missed"
wall_stop
server_stop gap

# ------------------------------------------------------------------ killed mid-replay

first=$(jq -s '.[0].msg.day.trades' "$RECORDINGS/trades.jsonl")
last=$(jq -s '.[-1].msg.day.trades' "$RECORDINGS/trades.jsonl")
replay_start mid "$RECORDINGS/trades.jsonl" --speed 0.1 # about 8 s
port=${SRV_PORT[mid]}
wall_config mid
wall_start --headless --size 3840x2160
wall_wait 20 "$(tile x).values.trades > $first" "some trades after the snapshot"
server_kill mid
wall_wait 20 "$(feed trades).state != \"live\"" "the feed down after the kill"
mid=$(jqv "$(tile x).values.trades")
log "server killed at $mid trades"
((mid > first && mid < last)) || fail "the server was not killed mid-replay ($mid trades, $first..$last)"
wall_dump
assert_eq "$(tile x).values.trades" "$mid" "the tile keeps its numbers while down"
replay_start mid2 "$RECORDINGS/trades.jsonl" --port "$port" --speed max
assert_final "$RECORDINGS/trades.jsonl"
assert_eq "$(feed trades).connects" 2 "reconnected once"
assert_pixels "$WALL_SHOT" x red 8000
wall_stop
server_stop mid2
