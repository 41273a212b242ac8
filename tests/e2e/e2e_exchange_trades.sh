#!/bin/bash
# exchange_trades against wb-testserver playing /trades: a snapshot then trades give exact numbers
# in --state and LED red in the tile; the server killed and restarted with another snapshot gives
# the new numbers; at 1280x720, 1920x1080 and 3840x2160 (4x3 grid, 1x1, 2x1, 1x2) no overflow.
source "$(dirname "$0")/lib.sh"

# A trade message: trade N of data set DS (NAME) at PRICE x VOLUME, with the day's totals.
trade() {
    local n=$1 ds=$2 name=$3 price=$4 volume=$5 turnover=$6 day_volume=$7
    jq -cn --argjson n "$n" --arg ds "$ds" --arg name "$name" --argjson price "$price" \
        --argjson volume "$volume" --argjson turnover "$turnover" --argjson dv "$day_volume" '
        {type: "trade", v: 1, seq: $n, ts: 1795622372000,
         trade: {id: ("T20261125-" + ($n | tostring)), dataset_id: $ds, dataset: $name,
                 category: "交通", buyer: "贵州银行", seller: "贵州交通大数据中心",
                 price: $price, volume: $volume, amount: ($price * $volume * 100 | round / 100)},
         day: {trades: $n, turnover: $turnover, volume: $dv}}'
}

# A snapshot: the day's totals, two recent trades, three data sets (traffic leads with 40).
snapshot() {
    local trades=$1 turnover=$2 volume=$3
    jq -cn --argjson t "$trades" --argjson o "$turnover" --argjson v "$volume" '
        {type: "trades.snapshot", v: 1, seq: 1, ts: 1795622372000,
         day: {trades: $t, turnover: $o, volume: $v},
         recent: [
          {id: "T-A", dataset_id: "bus", dataset: "公交车辆GPS轨迹数据", category: "交通",
           buyer: "华为云", seller: "贵阳公交集团", price: 450.5, volume: 2, amount: 901},
          {id: "T-B", dataset_id: "traffic", dataset: "贵阳市实时交通流量数据", category: "交通",
           buyer: "腾讯云", seller: "贵州交通大数据中心", price: 1200, volume: 3, amount: 3600}],
         datasets: [
          {id: "traffic", name: "贵阳市实时交通流量数据", category: "交通", last_price: 1200,
           trades: 40},
          {id: "bus", name: "公交车辆GPS轨迹数据", category: "交通", last_price: 450.5, trades: 35},
          {id: "rain", name: "山区降雨监测数据", category: "气象", last_price: 300, trades: 25}]}'
}

# The first script: snapshot at 100 trades, then bus trades three times (41 trades: the top).
{
    snapshot 100 12345678.9 5000
    trade 101 bus 公交车辆GPS轨迹数据 460.25 1 12346139.15 5001
    trade 102 bus 公交车辆GPS轨迹数据 461 20 12355359.15 5021
    trade 103 bus 公交车辆GPS轨迹数据 459.5 120 12410499.15 5141
    trade 104 bus 公交车辆GPS轨迹数据 458 1 12410957.15 5142
    trade 105 bus 公交车辆GPS轨迹数据 458 1 12411415.15 5143
    trade 106 bus 公交车辆GPS轨迹数据 458 1 12411873.15 5144
    echo "@hold"
} | server_script first >/dev/null
# After the restart: another day's page, then one trade of the rain data set.
{
    snapshot 20000 212345678.9 120456
    trade 20001 rain 山区降雨监测数据 310.75 12 212349407.9 120468
    echo "@hold"
} | server_script second >/dev/null

# wall_config SIZE_NAME: a 4x3 grid with the plugin at 2x1 ("wide"), 1x1 ("one") and 1x2
# ("tall"), trilingual titles, on the feed of the server named "feed".
wall_config() {
    local title="데이터 거래소 · 数据交易所 · Data exchange"
    cat >"$WALL_CONFIG" <<EOF
{"title": "e2e exchange_trades", "grid": {"columns": 4, "rows": 3, "gap": 12},
 "feeds": {"trades": {"url": "$(url feed trades)"}},
 "tiles": [
  {"id": "wide", "plugin": "exchange_trades", "feed": "trades", "cell": [0, 0], "span": [2, 1],
   "title": "$title", "stale_after": 60, "options": {"animate_ms": 0}},
  {"id": "one", "plugin": "exchange_trades", "feed": "trades", "cell": [2, 0],
   "title": "$title", "stale_after": 60, "options": {"animate_ms": 0, "ticker": 3}},
  {"id": "tall", "plugin": "exchange_trades", "feed": "trades", "cell": [3, 0], "span": [1, 2],
   "title": "$title", "stale_after": 60,
   "options": {"animate_ms": 0, "ticker": 8, "thresholds": {"warn": 50000}}}
 ]}
EOF
}

ids=(wide one tall)
# every_tile 'JQ on .values': true for each tile
every_tile() {
    local expr=$1 all="" id
    for id in "${ids[@]}"; do all+="${all:+ and }($(tile "$id").values | $expr)"; done
    printf '%s' "$all"
}

# ------------------------------------------------------------------ snapshot, then trades

server_start feed --script "$WB_SCRATCH/first.script"
port=${SRV_PORT[feed]}
wall_config
wall_start --headless --size 1920x1080
wall_wait 20 "$(every_tile '.trades == 106')" "every tile at 106 trades"
wall_dump # one more frame at rest, for the screenshot

assert_eq "$(tile wide).values.trades" 106 "trades today"
assert_eq "$(tile wide).values.trades_text" '"106"' "trades as drawn"
assert_eq "$(tile wide).values.turnover" 12411873.15 "turnover"
assert_eq "$(tile wide).values.turnover_text" '"¥12,411,873.15"' "turnover as drawn"
assert_eq "$(tile wide).values.volume" 5144 "volume"
assert_eq "[$(tile wide).values.ticker[].id]" \
    '["T20261125-106","T20261125-105","T20261125-104","T20261125-103","T20261125-102"]' \
    "the ticker, newest first"
assert_jq "$(tile wide).values.ticker[2] == {id: \"T20261125-104\", dataset_id: \"bus\", dataset: \"公交车辆GPS轨迹数据\", category: \"交通\", price: 458, volume: 1, amount: 458}" \
    "a ticker row, every field"
assert_eq "$(tile wide).values.ticker[3].amount" 55140 "a block trade's amount"
assert_eq "[$(tile one).values.ticker[].id]" \
    '["T20261125-106","T20261125-105","T20261125-104"]' "three rows in the 1x1 tile"
assert_eq "$(tile wide).values.top_dataset" '"bus"' "the most traded data set (35 + 6)"
assert_eq "$(tile wide).values.top_trades" 41 "its trades today"
assert_eq "$(tile wide).values.top_price" 458 "its last price"
assert_eq "$(tile wide).values.samples" 7 "its sparkline points (1 recent + 6 trades)"
assert_eq "$(tile wide).values.evicted" 0 "nothing evicted"
assert_eq "$(tile tall).values.level" '"normal"' "tall tile below its threshold"
assert_jq "$(every_tile '.overflow == false')" "no overflow in any tile"
assert_jq "$(every_tile '.ticker_shown >= 3')" "at least three ticker rows on screen"
assert_eq "$(feed trades).invalid" 0 "no invalid message"
for id in "${ids[@]}"; do assert_pixels "$WALL_SHOT" "$id" red 400; done
cp "$WALL_SHOT" "$WB_SCRATCH/first.png"

# ------------------------------------------------------------------ reconnect

server_kill feed
wall_wait 20 "$(feed trades).state != \"live\"" "the feed down after the server was killed"
assert_eq "$(tile wide).values.trades" 106 "trades kept while down"
assert_eq "$(tile wide).values.turnover_text" '"¥12,411,873.15"' "turnover kept while down"
server_start feed --script "$WB_SCRATCH/second.script" --port "$port"
wall_wait 30 "$(every_tile '.trades == 20001') and $(feed trades).state == \"live\"" \
    "every tile at 20,001 trades after the reconnect"
wall_stop

assert_eq "$(feed trades).connects" 2 "connects after the restart"
assert_eq "$(tile wide).values.trades_text" '"20,001"' "trades as drawn after the reconnect"
assert_eq "$(tile wide).values.turnover" 212349407.9 "turnover after the reconnect"
assert_eq "$(tile wide).values.turnover_text" '"¥212,349,407.90"' "turnover as drawn after the reconnect"
assert_eq "$(tile wide).values.volume" 120468 "volume after the reconnect"
assert_eq "[$(tile wide).values.ticker[].id]" '["T20261125-20001","T-B","T-A"]' \
    "the ticker is the new page's"
assert_eq "$(tile wide).values.top_dataset" '"traffic"' "the top data set from the new snapshot"
assert_eq "$(tile wide).values.top_trades" 40 "its trades"
assert_eq "$(tile wide).values.samples" 1 "its one price (from the recent trades)"
assert_eq "$(tile tall).values.level" '"normal"' "tall tile below 50,000"
assert_jq "$(every_tile '.overflow == false')" "no overflow after the reconnect"
server_stop feed

# ------------------------------------------------------------------ three resolutions

server_start feed --script "$WB_SCRATCH/second.script"
wall_config
for size in 1280x720 1920x1080 3840x2160; do
    wall_start --headless --size "$size"
    wall_wait 20 "$(every_tile '.trades == 20001')" "every tile at 20,001 trades at $size"
    wall_dump
    wall_stop
    cp "$WALL_SHOT" "$WB_SCRATCH/exchange_trades_$size.png"
    cp "$WALL_STATE" "$WB_SCRATCH/exchange_trades_$size.json"
    assert_jq "$(every_tile '.overflow == false')" "no overflow in any tile at $size"
    assert_jq '[.tiles[].overflow] | all(. == false)' "no host-drawn overflow at $size"
    assert_jq "$(every_tile '.turnover_text == "¥212,349,407.90" and .trades_text == "20,001"')" \
        "the numbers as drawn at $size"
    assert_jq "$(every_tile '.ticker_shown >= 3')" "at least three ticker rows at $size"
    scale=$(( ${size%x*} / 1280 ))
    for id in "${ids[@]}"; do
        assert_pixels "$WALL_SHOT" "$id" red $((300 * scale * scale))
    done
done
server_stop feed
