#!/bin/bash
# The clock tile (feedless): for a fixed instant the title, the time and the trilingual date are
# exact, drawn in LED red, with no overflow in the tile sizes of a 4x3 grid at 1280x720,
# 1920x1080 and 3840x2160. Live, the time moves each second while the wall sleeps in between.
source "$(dirname "$0")/lib.sh"

TITLE='귀주 빅데이터 홀 · 贵州大数据展厅 · Guizhou Big Data Hall'
AT=1795570205 # 2026-11-25T01:30:05Z
cat >"$WALL_CONFIG" <<EOF
{"title": "e2e clock", "grid": {"columns": 4, "rows": 3, "gap": 12},
 "tiles": [
  {"id": "wide", "plugin": "clock", "cell": [0, 0], "span": [2, 1], "title": "$TITLE",
   "options": {"fixed_epoch_s": $AT}},
  {"id": "small", "plugin": "clock", "cell": [2, 0], "title": "$TITLE",
   "options": {"fixed_epoch_s": $AT, "utc_offset_minutes": 540}},
  {"id": "tall", "plugin": "clock", "cell": [3, 0], "span": [1, 2], "title": "$TITLE",
   "options": {"fixed_epoch_s": $AT, "seconds": false, "date": ["zh"]}},
  {"id": "big", "plugin": "clock", "cell": [0, 1], "span": [2, 2], "title": "$TITLE",
   "options": {"fixed_epoch_s": $AT, "utc_offset_minutes": -300}},
  {"id": "plain", "plugin": "clock", "cell": [2, 1], "options": {"fixed_epoch_s": $AT}},
  {"id": "live", "plugin": "clock", "cell": [2, 2], "span": [2, 1], "title": "$TITLE"}
 ]}
EOF

DATE_CN='["2026년 11월 25일 수요일","2026年11月25日 星期三","Wednesday 25 November 2026"]'
DATE_US='["2026년 11월 24일 화요일","2026年11月24日 星期二","Tuesday 24 November 2026"]'

for size in 1280x720 1920x1080 3840x2160; do
    wall_start --headless --size "$size"
    wall_wait 20 ".wallboard.frames >= 1 and ([.tiles[].values.time] | all(type == \"string\"))" \
        "the first frame drawn at $size"
    wall_stop
    cp "$WALL_SHOT" "$WB_SCRATCH/clock_$size.png"
    cp "$WALL_STATE" "$WB_SCRATCH/clock_$size.json"

    assert_jq '[.tiles[].state] | all(. == "live")' "every clock tile live (feedless) at $size"
    assert_jq '[.tiles[] | .overflow, .values.overflow] | all(. == false)' \
        "no text shrunk or cut in any tile at $size"
    assert_eq "$(tile wide).values.time" '"09:30:05"' "wide tile time at $size"
    assert_eq "$(tile wide).values.local" '"2026-11-25T09:30:05+08:00"' "wide tile local time at $size"
    assert_eq "$(tile wide).values.date" "$DATE_CN" "wide tile date at $size"
    assert_eq "$(tile wide).values.date_lines" 1 "wide tile: the date on one line at $size"
    assert_eq "$(tile wide).values.title" "\"$TITLE\"" "wide tile title at $size"
    assert_eq "$(tile wide).values.frozen" true "wide tile frozen at $size"
    assert_eq "$(tile small).values.time" '"10:30:05"' "small tile time (UTC+9) at $size"
    assert_eq "$(tile small).values.zone" '"UTC+9"' "small tile zone at $size"
    assert_eq "$(tile tall).values.time" '"09:30"' "tall tile time without seconds at $size"
    assert_eq "$(tile tall).values.date" '["2026年11月25日 星期三"]' "tall tile date at $size"
    assert_eq "$(tile big).values.time" '"20:30:05"' "big tile time (UTC-5) at $size"
    assert_eq "$(tile big).values.date" "$DATE_US" "big tile date (UTC-5, the day before) at $size"
    assert_eq "$(tile plain).values.title" '""' "plain tile has no title at $size"
    assert_jq "$(tile live).values.frozen == false and $(tile live).values.zone == \"UTC+8\"" \
        "live tile in UTC+8 at $size"
    assert_screenshot_size "${size%x*}" "${size#*x}"
    for id in wide small tall big plain live; do
        assert_pixels "$WALL_SHOT" "$id" red 300
    done
done

# Live: the time moves second by second, and only about one frame a second is drawn for it.
cat >"$WALL_CONFIG" <<EOF
{"title": "e2e clock live", "grid": {"columns": 2, "rows": 1, "gap": 12},
 "tiles": [{"id": "live", "plugin": "clock", "cell": [0, 0], "span": [2, 1], "title": "$TITLE"}]}
EOF
wall_start --headless --size 960x360
wall_wait 20 ".wallboard.frames >= 1" "the first frame"
first=$(jqv "$(tile live).values.local")
frames1=$(jqv .wallboard.frames)
start_ns=$(date +%s%N)
wall_wait 10 "$(tile live).values.local != \"$first\"" "the clock to move from $first"
second=$(jqv "$(tile live).values.local")
wall_wait 10 "$(tile live).values.local != \"$second\"" "the clock to move again from $second"
wall_wait 10 "$(tile live).values.local != \"$(jqv "$(tile live).values.local")\"" \
    "the clock to move a third time"
frames2=$(jqv .wallboard.frames)
elapsed_ms=$((($(date +%s%N) - start_ns) / 1000000))
log "frames $frames1 -> $frames2 in $elapsed_ms ms"
# 60 frames a second would be ~180 here; one a second is ~3 (a dump may add one).
((frames2 - frames1 <= elapsed_ms / 1000 + 4)) ||
    fail "the wall drew $((frames2 - frames1)) frames in $elapsed_ms ms for a clock: it does not sleep between seconds"
assert_jq "$(tile live).values.next_frame_ms | . >= 1 and . <= 1003" \
    "the next frame asked for within the next second"
assert_jq "$(tile live).values.time | test(\"^[0-2][0-9]:[0-5][0-9]:[0-5][0-9]$\")" "HH:MM:SS"
wall_stop
assert_pixels "$WALL_SHOT" live red 300
