#!/bin/bash
# The Guizhou hall wall (config/guizhou.json) against the real wallboard-feeds on its three paths:
# at 1280x720, 1920x1080 and 3840x2160 every tile is live, no tile or plugin reports overflow,
# the clinic, attendance and trades tiles show LED red, and the hall tile shows the time.
source "$(dirname "$0")/lib.sh"

need_feeds
HALL_CONFIG="$WB_SOURCE_DIR/config/guizhou.json"
[[ -s $HALL_CONFIG ]] || fail "$HALL_CONFIG is missing"
# shellcheck disable=SC2046 # plugin names are single words
need_plugins $(jq -r '[.tiles[].plugin] | unique | .[]' "$HALL_CONFIG")

# wallboard-feeds on a free port, seeded so that a failure can be replayed, at 08:10 simulated:
# the morning's numbers are non-zero and below the hall config's thresholds, so the big numbers
# are LED red.
feeds_start feeds --seed 20261125 --clock 08:10
FEEDS_PORT=${SRV_PORT[feeds]}
# The hall's config as shipped, but on the test's port.
sed "s#ws://127.0.0.1:7681/#ws://127.0.0.1:$FEEDS_PORT/#g" "$HALL_CONFIG" >"$WALL_CONFIG"
assert_jq "[.feeds[].url] | length == 3 and all(startswith(\"ws://127.0.0.1:$FEEDS_PORT/\"))" \
    "the three feeds of the hall config moved to port $FEEDS_PORT" "$WALL_CONFIG"

feed_tiles=(clinics attendance trades)
all_live='([.tiles[].state] | all(. == "live"))'
fed='([.tiles[] | select(.feed != null) | .matched >= 1] | all)'

for size in 1280x720 1920x1080 3840x2160; do
    wall_start --headless --size "$size"
    wall_wait 30 "$all_live and $fed and ([.feeds[].state] | all(. == \"live\"))" \
        "every tile live with its snapshot at $size"
    # Let count-ups land and the clock turn a second: the last frames are the settled layout.
    frames=$(jqv .wallboard.frames)
    wall_wait 10 ".wallboard.frames > $frames + 1 and $(tile hall).values.local != \"$(jqv "$(tile hall).values.local")\"" \
        "the wall still drawing and the clock moving at $size"
    wall_stop
    cp "$WALL_SHOT" "$WB_SCRATCH/guizhou_$size.png"
    cp "$WALL_STATE" "$WB_SCRATCH/guizhou_$size.json"

    assert_jq "$all_live" "every tile live at exit at $size"
    assert_jq '[.tiles[].error // "" ] | all(. == "")' "no error tile at $size"
    assert_jq '[.tiles[] | .overflow] | all(. == false)' "no host-drawn text overflowing at $size"
    assert_jq '[.tiles[] | .values.overflow] | all(. == false)' \
        "every plugin reporting overflow false at $size"
    assert_jq '[.feeds[] | .invalid == 0 and .dropped == 0] | all' "no invalid or dropped messages at $size"
    assert_jq '[.tiles[] | .invalid] | all(. == 0)' "no message rejected by a plugin at $size"
    assert_jq "$(tile hall).values.time | test(\"^[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\$\")" \
        "the hall tile showing HH:MM:SS at $size"
    assert_eq "$(tile hall).values.date | length" 3 "the hall tile's date in three languages at $size"
    # The hall's big numbers are live and non-zero.
    assert_jq "$(tile clinics).values.waiting > 0" "patients waiting > 0 at $size"
    assert_jq "$(tile attendance).values.absent_left_behind > 0" \
        "absent left-behind children > 0 at $size"
    assert_jq "$(tile trades).values.trades > 0" "trades today > 0 at $size"
    assert_screenshot_size "${size%x*}" "${size#*x}"
    for id in "${feed_tiles[@]}" hall; do
        assert_pixels "$WALL_SHOT" "$id" red 200
    done
done

server_stop feeds
