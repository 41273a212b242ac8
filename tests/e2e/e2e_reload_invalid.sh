#!/bin/bash
# Hot reload of an invalid config: a syntax error, then a type error; each time the wall keeps
# running the old config with its values and connection, --state lists the errors with
# file:line:col, a red banner crosses the top of the screenshot; a valid file then clears it.
source "$(dirname "$0")/lib.sh"

server_start_script feed --log "$WB_SCRATCH/feed.log" <<S
{"key":"a","value":1234}
@await $WB_SCRATCH/go.more
{"key":"a","value":4321}
S

good_config() {
    cat <<EOF
{"title": "e2e reload invalid", "grid": {"columns": 2, "rows": 1, "gap": 12},
 "feeds": {"f1": {"url": "$(url feed)"}},
 "tiles": [
  {"id": "a", "plugin": "counter", "feed": "f1", "match": {"key": "a"}, "cell": [0, 0],
   "options": {"value": "/value", "decimals": 0, "animate_ms": 0}},
  {"id": "c", "plugin": "clock", "cell": [1, 0], "options": {}}
 ]}
EOF
}
# save FILE_CONTENT: written and renamed over the config, as an editor saves.
save() {
    cat >"$WALL_CONFIG.new"
    mv -f "$WALL_CONFIG.new" "$WALL_CONFIG"
}
# banner_red: red pixels in the top band (the banner's rect, or the top 48 rows when none).
banner_red() {
    local rect
    rect=$(jq -r '.wallboard.banner // [0,0,800,48] | map(tostring) | join(" ")' "$WALL_STATE")
    # shellcheck disable=SC2086
    "$WB_PNGPROBE" "$WALL_SHOT" $rect red
}
# wait_banner on|off AREA: dumps until the screenshot's top band is >= 70 % red (on) or not
# (off), 10 s at most: the dump may come between the reload and the frame that shows it.
wait_banner() {
    local want=$1 area=$2 red deadline=$(($(date +%s) + 10))
    while true; do
        red=$(banner_red)
        if [[ $want == on ]] && ((red * 10 >= area * 7)); then return 0; fi
        if [[ $want == off ]] && ((red * 10 < area * 7)); then return 0; fi
        (($(date +%s) < deadline)) ||
            fail "banner $want: saw $red red pixels of $area in $(jqv '.wallboard.banner|tostring') within 10 s (before: $no_banner)"
        sleep 0.2
        wall_dump
    done
}

good_config | save
wall_start --headless --size 800x450
wall_wait 20 "$(tile a).values.value == 1234" "tile a showing 1234"
no_banner=$(banner_red)
assert_eq ".wallboard.banner" null "no banner with a valid config"

# 1. A syntax error: a missing comma at the end of line 2.
good_config | sed '2s/}, *$/} /' | save
wall_wait 20 '.wallboard.config_errors | length > 0' "the syntax error reported in --state"
assert_jq '.wallboard.config_errors[0] | test("wall\\.json:[0-9]+:[0-9]+: ")' \
    "the first error as FILE:LINE:COL: ..."
assert_eq ".wallboard.config_loads" 1 "the broken config was not loaded"
assert_eq "$(tile a).values.value" 1234 "tile a keeps its value under the bad config"
assert_eq "$(tile a).state" '"live"' "tile a still live"
assert_eq "$(feed f1).connects" 1 "feed f1 kept its connection"
assert_jq '.wallboard.banner | .[2] == 800 and .[3] >= 40' "a banner across the whole width"
area=$(jq '.wallboard.banner | .[2] * .[3]' "$WALL_STATE")
wait_banner on "$area"
assert_jq "$(tile a).rect[1] >= $(jqv '.wallboard.banner[3]')" "tiles below the banner"
grep -q "wall.json:[0-9]*:[0-9]*: " "$WALL_ERR" || fail "the log does not show the error with file:line:col"

# 2. A type error: columns as a string; reported with its JSON path.
good_config | sed 's/"columns": 2/"columns": "two"/' | save
wall_wait 20 '.wallboard.config_errors | any(test("wall\\.json:1:[0-9]+: \\$\\.grid\\.columns: "))' \
    "the type error reported as wall.json:1:COL: \$.grid.columns: ..."
assert_eq ".wallboard.config_loads" 1 "the mistyped config was not loaded"
go more
wall_wait 20 "$(tile a).values.value == 4321" "the old wall still takes messages (4321)"
wait_banner on "$area"

# 3. Valid again: the banner goes, the tiles take the whole screen back.
good_config | save
wall_wait 20 '.wallboard.config_loads == 2 and (.wallboard.config_errors | length) == 0' \
    "the valid config loaded and the errors cleared"
assert_eq ".wallboard.banner" null "no banner once the config is valid"
assert_eq "$(tile a).values.value" 4321 "tile a (unchanged) keeps its value"
assert_eq "$(feed f1).connects" 1 "feed f1 still its first connection"
wait_banner off "$area"
wall_stop
log "ok (red in the top band: $no_banner without a banner)"
