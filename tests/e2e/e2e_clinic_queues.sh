#!/bin/bash
# clinic_queues against wb-testserver: a /clinics snapshot then events give exact numbers in
# --state (an invalid event changes nothing), the LED red and amber in the screenshot; the server
# killed and restarted with a new snapshot: the numbers right again; the longest names at
# 1280x720, 1920x1080 and 3840x2160 in 4x3 grids of 1x1, 2x1 and 2x2 tiles without overflow.
source "$(dirname "$0")/lib.sh"

need_plugins clinic_queues

# clinic ID NAME WAITING SCANS PRESCRIPTIONS FLAGGED: one CLINIC object (romanized from the id).
clinic() {
    printf '{"id":"%s","name":"%s","romanized":"%s hospital","county":"%s","waiting":%s,"scans_pending":%s,"prescriptions":%s,"flagged":%s}' \
        "$1" "$2" "$1" "县" "$3" "$4" "$5" "$6"
}
# totals CLINICS WAITING SCANS PRESCRIPTIONS FLAGGED
totals() {
    printf '{"clinics":%s,"waiting":%s,"scans_pending":%s,"prescriptions":%s,"flagged":%s}' "$@"
}
envelope() { printf '"v":1,"seq":%s,"ts":%s' "$1" "$((1795625436000 + $1))"; }

first=$(server_script first <<S
{"type":"clinics.snapshot",$(envelope 0),"clinics":[$(clinic zunyi-bozhou 遵义市播州区人民医院 107 3 190 14),$(clinic zunyi-renhuai 仁怀市人民医院 76 7 151 14),$(clinic zunyi-chishui 赤水市人民医院 42 6 116 10),$(clinic bijie-weining 威宁彝族回族苗族自治县人民医院 88 2 120 9)],"totals":$(totals 4 313 18 577 47)}
{"type":"clinic.update",$(envelope 1),"clinic":$(clinic zunyi-chishui 赤水市人民医院 120 6 117 11),"totals":$(totals 4 391 18 578 48)}
{"type":"clinic.update",$(envelope 2),"clinic":$(clinic zunyi-chishui 赤水市人民医院 '"many"' 6 117 11),"totals":$(totals 4 999 18 578 48)}
{"type":"clinic.update",$(envelope 3),"clinic":$(clinic qiannan-duyun 都匀市人民医院 60 5 10 1),"totals":$(totals 5 451 23 588 49)}
@hold
S
)
server_start feed --script "$first"
port=${SRV_PORT[feed]}

# A 4x3 wall: a 2x1 tile with thresholds crossed (amber number, alarm flagged), a 1x1 one
# showing three rows, sampling every message.
cat >"$WALL_CONFIG" <<EOF
{"title": "e2e clinic_queues", "grid": {"columns": 4, "rows": 3, "gap": 12},
 "feeds": {"clinics": {"url": "$(url feed clinics)"}},
 "tiles": [
  {"id": "wide", "plugin": "clinic_queues", "feed": "clinics", "cell": [0, 0], "span": [2, 1],
   "title": "환자 대기 · 候诊患者 · Patients waiting", "stale_after": 60,
   "options": {"thresholds": {"warn": 400, "alarm": 1000},
               "flagged_thresholds": {"warn": 40, "alarm": 45}}},
  {"id": "one", "plugin": "clinic_queues", "feed": "clinics", "cell": [2, 0],
   "title": "候诊患者", "stale_after": 60,
   "options": {"top": 3, "sample_s": 0, "animate_ms": 0}}
 ]}
EOF

wall_start --headless --size 1920x1080
wall_wait 20 "$(tile one).values.waiting == 451 and $(tile wide).values.waiting == 451" \
    "both tiles showing 451 patients waiting"

# exact numbers; the invalid event (a string for "waiting") was rejected and changed nothing
top3='[{"id":"zunyi-chishui","name":"赤水市人民医院","waiting":120},{"id":"zunyi-bozhou","name":"遵义市播州区人民医院","waiting":107},{"id":"bijie-weining","name":"威宁彝族回族苗族自治县人民医院","waiting":88}]'
top5="${top3%]},{\"id\":\"zunyi-renhuai\",\"name\":\"仁怀市人民医院\",\"waiting\":76},{\"id\":\"qiannan-duyun\",\"name\":\"都匀市人民医院\",\"waiting\":60}]"
for t in wide one; do
    assert_eq "$(tile $t).values | [.waiting, .scans_pending, .prescriptions, .flagged, .clinics, .tracked, .evicted]" \
        '[451,23,588,49,5,5,0]' "tile $t: waiting, scans, prescriptions, flagged, clinics, tracked, evicted"
    assert_eq "$(tile $t).invalid" 1 "tile $t: the event with a string for a count rejected"
    assert_eq "$(tile $t).values.overflow" false "tile $t: overflow"
    assert_eq "$(tile $t).state" '"live"' "tile $t: state"
done
assert_eq "$(tile one).values.top" "$top3" "tile one: the three longest queues"
assert_eq "$(tile wide).values.top" "$top5" "tile wide: the five longest queues"
assert_eq "$(tile one).values.samples" 3 "tile one: a sample per accepted message"
assert_eq "$(tile wide).values | [.level, .flagged_level]" '["warn","alarm"]' "tile wide: levels"
assert_eq "$(tile one).values | [.level, .flagged_level]" '["normal","normal"]' "tile one: levels"

# the server dies and comes back with another state: a fresh snapshot replaces it
server_kill feed
wall_wait 20 "$(feed clinics).state == \"down\" or $(feed clinics).state == \"connecting\"" \
    "feed clinics down after the server was killed"
assert_eq "$(tile one).values.waiting" 451 "tile one keeps its numbers while down"
second=$(server_script second <<S
{"type":"clinics.snapshot",$(envelope 0),"clinics":[$(clinic qiannan-duyun 都匀市人民医院 200 9 40 3),$(clinic zunyi-bozhou 遵义市播州区人民医院 150 4 200 15),$(clinic tongren-sinan 思南县人民医院 99 1 50 2)],"totals":$(totals 3 449 14 290 20)}
{"type":"clinic.update",$(envelope 1),"clinic":$(clinic tongren-sinan 思南县人民医院 130 1 50 2),"totals":$(totals 3 480 14 290 20)}
@hold
S
)
server_start feed --script "$second" --port "$port"
wall_wait 30 "$(tile one).values.waiting == 480 and $(tile wide).values.waiting == 480 and $(feed clinics).state == \"live\"" \
    "both tiles showing 480 after the server came back"
wall_stop

new_top='[{"id":"qiannan-duyun","name":"都匀市人民医院","waiting":200},{"id":"zunyi-bozhou","name":"遵义市播州区人民医院","waiting":150},{"id":"tongren-sinan","name":"思南县人民医院","waiting":130}]'
for t in wide one; do
    assert_eq "$(tile $t).values | [.waiting, .scans_pending, .prescriptions, .flagged, .clinics, .tracked]" \
        '[480,14,290,20,3,3]' "tile $t after the reconnect"
    assert_eq "$(tile $t).values.top" "$new_top" "tile $t: the clinics of the new snapshot only"
    assert_eq "$(tile $t).values.overflow" false "tile $t: overflow after the reconnect"
done
assert_eq "$(tile wide).values | [.level, .flagged_level]" '["warn","normal"]' "tile wide: levels after the reconnect"
assert_eq "$(feed clinics).connects" 2 "feed clinics connects"
assert_screenshot_size 1920 1080
assert_pixels "$WALL_SHOT" one red 1500
assert_pixels "$WALL_SHOT" wide amber 1500
cp "$WALL_SHOT" "$WB_SCRATCH/reconnect.png"
server_stop feed

# ---- the three resolutions: the longest names of the feed at the top of the queues
names=(bijie-weining:威宁彝族回族苗族自治县人民医院 zunyi-daozhen:道真仡佬族苗族自治县人民医院
       zunyi-wuchuan:务川仡佬族苗族自治县人民医院 anshun-zhenning:镇宁布依族苗族自治县人民医院
       tongren-yinjiang:印江土家族苗族自治县人民医院 bijie-qixingguan:毕节市七星关区人民医院
       liupanshui-shuicheng:六盘水市水城区人民医院 zunyi-bozhou:遵义市播州区人民医院
       qiandongnan-kaili:凯里市第一人民医院 zunyi-renhuai:仁怀市人民医院)
list="" sep="" w=1988
for entry in "${names[@]}"; do
    list+="$sep$(clinic "${entry%%:*}" "${entry#*:}" "$w" 88 912 97)"
    sep=,
    w=$((w - 111))
done
server_start_script busy <<S
{"type":"clinics.snapshot",$(envelope 0),"clinics":[$list],"totals":$(totals 42 9876 880 9120 970)}
@hold
S
cat >"$WALL_CONFIG" <<EOF
{"title": "e2e clinic_queues sizes", "grid": {"columns": 4, "rows": 3, "gap": 12},
 "feeds": {"clinics": {"url": "$(url busy clinics)"}},
 "tiles": [
  {"id": "w1", "plugin": "clinic_queues", "feed": "clinics", "cell": [0, 0], "span": [2, 1],
   "title": "환자 대기 · 候诊患者 · Patients waiting", "options": {}},
  {"id": "s1", "plugin": "clinic_queues", "feed": "clinics", "cell": [2, 0],
   "title": "환자 대기 · 候诊患者 · Patients waiting", "options": {}},
  {"id": "s2", "plugin": "clinic_queues", "feed": "clinics", "cell": [3, 0], "options": {}},
  {"id": "w2", "plugin": "clinic_queues", "feed": "clinics", "cell": [0, 1], "span": [2, 1],
   "options": {"top": 10}},
  {"id": "big", "plugin": "clinic_queues", "feed": "clinics", "cell": [2, 1], "span": [2, 2],
   "title": "원격 진료 대기 · 县域远程医疗候诊 · County telemedicine queues", "options": {}},
  {"id": "s3", "plugin": "clinic_queues", "feed": "clinics", "cell": [0, 2], "title": "候诊患者",
   "options": {"top": 10}},
  {"id": "s4", "plugin": "clinic_queues", "feed": "clinics", "cell": [1, 2],
   "title": "County telemedicine queues", "options": {}}
 ]}
EOF
ids=(w1 s1 s2 w2 big s3 s4)
for size in 1280x720 1920x1080 3840x2160; do
    wall_start --headless --size "$size"
    wall_wait 30 "[.tiles[].values.waiting] | all(. == 9876)" "every tile showing 9876 at $size"
    wall_stop
    cp "$WALL_SHOT" "$WB_SCRATCH/sizes_$size.png"
    assert_screenshot_size "${size%x*}" "${size#*x}"
    assert_jq '[.tiles[].values.overflow] | all(. == false)' "no tile reporting overflow at $size"
    assert_jq '[.tiles[].values.top | length >= 3] | all' "at least three ranked rows in every tile at $size"
    assert_eq "$(tile w1).values.top | map(.waiting)" '[1988,1877,1766,1655,1544]' "tile w1 rows at $size"
    assert_eq "$(tile w1).values.top[0].name" '"威宁彝族回族苗族自治县人民医院"' "tile w1 first row at $size"
    for id in "${ids[@]}"; do assert_pixels "$WALL_SHOT" "$id" red 300; done
done
server_stop busy
