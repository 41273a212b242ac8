#!/bin/bash
# absent_students against the test server: a snapshot then updates give exact numbers in --state
# and LED red on screen; a killed and restarted server's new snapshot is shown exactly; the tiles
# (1x1 and 2x1 of a 4x3 grid) render at 1280x720, 1920x1080 and 3840x2160 without overflow.
source "$(dirname "$0")/lib.sh"

need_plugins absent_students

# ------------------------------------------------------------------ the data

# Twelve schools of the hall's feed, their longest names among them:
# id, name, romanized, county, enrolled, left_behind, absent, absent_left_behind, late, notified
TABLE="$WB_SCRATCH/schools.tsv"
cat >"$TABLE" <<'T'
weining-caohai-primary	威宁县草海镇中心小学	Weining Caohai Town Central Primary School	威宁县	2150	1030	71	39	28	97
nayong-yangchang-middle	纳雍县阳长镇中学	Nayong Yangchang Town Middle School	纳雍县	1650	880	58	35	21	76
liuzhi-langdai-primary	六枝特区郎岱镇中心小学	Liuzhi Langdai Town Central Primary School	六枝特区	900	420	36	22	11	45
rongjiang-guzhou-middle	榕江县古州镇中学	Rongjiang Guzhou Town Middle School	榕江县	1870	650	52	19	30	80
dafang-yangchang-primary	大方县羊场镇中心小学	Dafang Yangchang Town Central Primary School	大方县	1480	810	44	27	18	60
congjiang-bingmei-primary	从江县丙妹镇中心小学	Congjiang Bingmei Town Central Primary School	从江县	1580	720	41	23	25	63
zhengan-ruixi-primary	正安县瑞溪镇中心小学	Zheng'an Ruixi Town Central Primary School	正安县	1260	610	33	20	14	45
panzhou-baotian-middle	盘州市保田镇中学	Panzhou Baotian Town Middle School	盘州市	1760	700	49	24	27	72
hezhang-magu-primary	赫章县妈姑镇中心小学	Hezhang Magu Town Central Primary School	赫章县	1390	760	39	25	16	52
yanhe-guanzhou-middle	沿河县官舟镇中学	Yanhe Guanzhou Town Middle School	沿河县	1430	760	37	21	19	54
songtao-panxin-primary	松桃县盘信镇中心小学	Songtao Panxin Town Central Primary School	松桃县	1260	690	30	18	12	40
sandu-zhouqin-primary	三都县周覃镇中心小学	Sandu Zhouqin Town Central Primary School	三都县	1100	560	28	17	10	37
ziyun-houchang-primary	紫云县猴场镇中心小学	Ziyun Houchang Town Central Primary School	紫云县	650	330	0	0	0	0
T

# school ID [ABSENT LB LATE NOTIFIED]: the table's school as a SCHOOL object, counts replaced.
school() {
    jq -Rnc --arg id "$1" --arg counts "${*:2}" '
        [inputs | split("\t") | select(.[0] == $id)] | first
        | (if $counts == "" then .[6:10] else ($counts | split(" ")) end) as $c
        | {id: .[0], name: .[1], romanized: .[2], county: .[3], enrolled: (.[4] | tonumber),
           left_behind: (.[5] | tonumber), absent: ($c[0] | tonumber),
           absent_left_behind: ($c[1] | tonumber), late: ($c[2] | tonumber),
           parents_notified: ($c[3] | tonumber)}' "$TABLE"
}

# snapshot SEQ DATE SCHOOL_JSON...: totals are the sums, as the feed sends them.
snapshot() {
    local seq=$1 date=$2
    shift 2
    printf '%s\n' "$@" | jq -sc --argjson seq "$seq" --arg date "$date" '
        {type: "attendance.snapshot", v: 1, seq: $seq, ts: (1795625654977 + $seq), date: $date,
         schools: ., totals: ({schools: length} + (reduce .[] as $s ({};
            reduce ("enrolled", "left_behind", "absent", "absent_left_behind", "late",
                    "parents_notified") as $k (.; .[$k] += $s[$k]))))}'
}

# update SEQ SCHOOL_JSON TOTALS_JSON
update() {
    jq -nc --argjson seq "$1" --argjson s "$2" --argjson t "$3" \
        '{type: "attendance.update", v: 1, seq: $seq, ts: (1795625654977 + $seq), school: $s,
          totals: $t}'
}

first_twelve=()
while IFS=$'\t' read -r id _; do
    [[ $id == ziyun-houchang-primary ]] || first_twelve+=("$(school "$id")")
done <"$TABLE"

# The snapshot (290 left-behind absent of 518), then: weining 72/40 (a child more, told);
# liuzhi leaps to 75/45 and first place; ziyun, not in the snapshot, reports; a message of a
# type the plugin does not know; one with a string for a count (refused, state kept).
first=$(server_script first <<S
$(snapshot 120 2026-11-25 "${first_twelve[@]}")
$(update 121 "$(school weining-caohai-primary 72 40 28 98)" \
    '{"schools":12,"enrolled":17830,"left_behind":8590,"absent":519,"absent_left_behind":291,"late":231,"parents_notified":722}')
$(update 122 "$(school liuzhi-langdai-primary 75 45 11 45)" \
    '{"schools":12,"enrolled":17830,"left_behind":8590,"absent":558,"absent_left_behind":314,"late":231,"parents_notified":722}')
{"type":"attendance.summary","v":1,"seq":123,"ts":1795625655100,"note":"not for this plugin"}
$(update 124 "$(school ziyun-houchang-primary 5 3 2 7)" \
    '{"schools":13,"enrolled":18480,"left_behind":8920,"absent":563,"absent_left_behind":317,"late":233,"parents_notified":729}')
$(update 125 "$(school nayong-yangchang-middle 90 80 1 1 | jq -c '.absent = "90"')" \
    '{"schools":13,"enrolled":18480,"left_behind":8920,"absent":595,"absent_left_behind":362,"late":233,"parents_notified":729}')
@hold
S
)

# After the restart: another day, four schools.
second=$(server_script second <<S
$(snapshot 7 2026-11-26 "$(school weining-caohai-primary 12 7 5 15)" \
    "$(school nayong-yangchang-middle 20 11 3 22)" "$(school sandu-zhouqin-primary 9 6 2 10)" \
    "$(school liuzhi-langdai-primary 15 9 4 18)")
@hold
S
)

# ------------------------------------------------------------------ the wall

# Tile "one": 1x1, no count-up, thresholds it stays under. Tile "two": 2x1, the default
# count-up, five rows, late over its warn threshold.
write_wall() {
    cat >"$WALL_CONFIG" <<EOF
{"title": "e2e absent_students", "grid": {"columns": 4, "rows": 3, "gap": 12},
 "feeds": {"att": {"url": "$(url feed attendance)"}},
 "tiles": [
  {"id": "one", "plugin": "absent_students", "feed": "att", "cell": [0, 0],
   "title": "결석 유수아동 · 缺勤留守儿童 · Absent left-behind children", "stale_after": 60,
   "options": {"animate_ms": 0, "thresholds": {"warn": 400, "alarm": 600}}},
  {"id": "two", "plugin": "absent_students", "feed": "att", "cell": [1, 0], "span": [2, 1],
   "title": "缺勤留守儿童 · Absent left-behind children", "stale_after": 60,
   "options": {"top": 5, "late_thresholds": {"warn": 200, "alarm": 400}}}
 ]}
EOF
}

# landed ID LB LATE NOTIFIED: the tile's LEDs show these, count-ups over.
landed() {
    printf '%s.values.shown == {"absent_left_behind": "%s", "late": "%s", "parents_notified": "%s"}' \
        "$(tile "$1")" "$2" "$3" "$4"
}

# assert_clean SIZE: both tiles inside the screen, no overflow, LED red on screen.
assert_clean() {
    local size=$1 id
    for id in one two; do
        assert_eq "$(tile "$id").values.overflow" false "tile $id overflow at $size"
        assert_eq "$(tile "$id").overflow" false "tile $id host-drawn overflow at $size"
        assert_eq "$(tile "$id").state" '"live"' "tile $id state at $size"
        assert_pixels "$WALL_SHOT" "$id" red 400
    done
}

server_start feed --script "$first"
port=${SRV_PORT[feed]}
write_wall

wall_start --headless --size 1920x1080
wall_wait 20 "$(landed one 317 233 729) and $(landed two 317 233 729) and $(tile two).invalid == 1" \
    "both tiles showing 317 / 233 / 729 after the snapshot and the updates"
wall_stop

# Exact numbers after the snapshot and the updates.
for id in one two; do
    assert_eq "$(tile "$id").values | [.absent_left_behind, .absent, .late, .parents_notified, .schools, .enrolled, .left_behind]" \
        '[317,563,233,729,13,18480,8920]' "tile $id totals"
    assert_eq "$(tile "$id").values.date" '"2026-11-25"' "tile $id date"
    assert_eq "$(tile "$id").values.kept" 13 "tile $id schools kept"
    assert_eq "$(tile "$id").values.evicted" 0 "tile $id evicted"
    assert_eq "$(tile "$id").matched" 6 "tile $id matched (all six messages)"
    assert_eq "$(tile "$id").invalid" 1 "tile $id invalid (the string count)"
done
assert_eq "$(tile one).values.top" \
    '[{"absent":75,"absent_left_behind":45,"id":"liuzhi-langdai-primary","name":"六枝特区郎岱镇中心小学"},{"absent":72,"absent_left_behind":40,"id":"weining-caohai-primary","name":"威宁县草海镇中心小学"},{"absent":58,"absent_left_behind":35,"id":"nayong-yangchang-middle","name":"纳雍县阳长镇中学"}]' \
    "tile one's three schools with most absences"
assert_eq "[$(tile two).values.top[] | [.id, .absent, .absent_left_behind]]" \
    '[["liuzhi-langdai-primary",75,45],["weining-caohai-primary",72,40],["nayong-yangchang-middle",58,35],["rongjiang-guzhou-middle",52,19],["panzhou-baotian-middle",49,24]]' \
    "tile two's five schools with most absences"
assert_eq "$(tile one).values.rows" 3 "tile one rows on screen"
assert_eq "$(tile two).values.rows" 5 "tile two rows on screen"
assert_eq "$(tile one).values | [.level, .late_level]" '["normal","normal"]' "tile one levels"
assert_eq "$(tile two).values | [.level, .late_level]" '["normal","warn"]' "tile two levels"
assert_screenshot_size 1920 1080
assert_clean 1920x1080
cp "$WALL_SHOT" "$WB_SCRATCH/absent_1920x1080.png"

# A reconnect: the server dies, the tiles keep their numbers; it comes back on the same port
# with another day's snapshot, and that is what the tiles show.
wall_start --headless --size 1920x1080
wall_wait 20 "$(landed two 317 233 729)" "tile two showing the first script's numbers again"
server_kill feed
wall_wait 20 "$(tile one).state == \"down\" or $(tile one).state == \"connecting\"" \
    "tile one down after the server was killed"
assert_eq "$(tile one).values.absent_left_behind" 317 "tile one keeps its number while down"
assert_eq "$(tile one).values.shown.absent_left_behind" '"317"' "tile one keeps showing it"
server_start feed --script "$second" --port "$port"
wall_wait 30 "$(landed one 33 14 65) and $(landed two 33 14 65) and $(tile one).state == \"live\"" \
    "both tiles showing the new snapshot's 33 / 14 / 65 after the restart"
wall_stop
assert_eq "$(feed att).connects" 2 "feed connects after the restart"
for id in one two; do
    assert_eq "$(tile "$id").values | [.absent_left_behind, .absent, .late, .parents_notified, .schools, .enrolled, .left_behind, .date, .kept]" \
        '[33,56,14,65,4,5800,2890,"2026-11-26",4]' "tile $id after the restart"
done
assert_eq "[$(tile one).values.top[] | [.id, .absent, .absent_left_behind]]" \
    '[["nayong-yangchang-middle",20,11],["liuzhi-langdai-primary",15,9],["weining-caohai-primary",12,7]]' \
    "tile one's ranking after the restart"
assert_eq "[$(tile two).values.top[].id]" \
    '["nayong-yangchang-middle","liuzhi-langdai-primary","weining-caohai-primary","sandu-zhouqin-primary"]' \
    "tile two lists the four schools there are"
assert_eq "$(tile two).values.late_level" '"normal"' "tile two's late level after the restart"

# The other two resolutions of the hall, on the same (second) script.
for size in 1280x720 3840x2160; do
    wall_start --headless --size "$size"
    wall_wait 30 "$(landed one 33 14 65) and $(landed two 33 14 65)" "both tiles landed at $size"
    wall_stop
    assert_screenshot_size "${size%x*}" "${size#*x}"
    assert_eq "$(tile two).values.rows" 4 "tile two rows at $size"
    assert_clean "$size"
    cp "$WALL_SHOT" "$WB_SCRATCH/absent_$size.png"
done
server_stop feed
