#!/bin/bash
# Soak (label "soak", about 11 minutes; not in CI): one headless wall for 10 minutes with
#  * 16 counter tiles (k1..k16) and a "gen" tile on a busy wb-testserver feed: bursts of 100
#    messages over the 16 keys every 50 ms (up to 2000 messages/s), looped; the server killed
#    (SIGKILL, no close frame) or stopped (SIGTERM, close frame) in turn every 30 s and restarted
#    on the same port, each time with "gen" = the restart number, so the wall reconnects ~20 times;
#  * the bundled plugins on wallboard-feeds' /clinics, /attendance and /trades at --time-scale 60
#    (ten simulated hours pass: the morning rush, lunch, the afternoon), and the clock tile.
# The wall's VmRSS and open fds are sampled at the end of every minute into soak.csv in the scratch
# dir, each time right after a --state dump that shows every feed live (so the same sockets are
# open in every sample). Asserted: fds after minute 10 == fds after minute 1, exactly; RSS after
# minute 10 within 2 % of minute 1; every tile live with the latest values; connects of the busy
# feed == restarts + 1 and 1 on the other feeds; every message handed over accounted for.
# WB_SOAK_MINUTES (default 10) shortens it for trying the script out.
source "$(dirname "$0")/lib.sh"

MINUTES=${WB_SOAK_MINUTES:-10}
((MINUTES >= 2)) || fail "WB_SOAK_MINUTES must be at least 2"
RESTART_EVERY=30 # seconds; the first restart 15 s in, so every sample is 15 s after a restart
KEYS=16
BURST=100 # messages per burst, over the KEYS keys in turn
# The allowed RSS drift between minute 1 and the end, in per cent. Not "equal": RSS counts
# resident pages, not bytes in use. glibc malloc hands memory back to the kernel only when the
# top of a heap (or a whole mmapped chunk) is free, and per-thread arenas grow and trim in 64 KiB
# to 1 MiB steps depending on which blocks happen to be live at the moment of the sample; lws and
# the feed threads allocate and free a message buffer per message. So two samples of a wall that
# leaks nothing differ by some pages. 2 % of this ~33 MB wall is ~650 KiB: less than what ten
# minutes would add if anything leaked per message (1 byte per message is ~1.2 MB here). A small
# leak per reconnect (4 KiB x 20 = 80 KiB) hides below it: the fd count catches a socket left
# open exactly, and the valgrind label catches the bytes.
RSS_TOLERANCE_PCT=2

need_feeds
need_plugins counter clock clinic_queues absent_students exchange_trades

# ------------------------------------------------------------------ the servers

# busy_start GEN [--port P]: the busy server, looping: "gen" = GEN, then bursts on k1..k16.
busy_start() {
    local gen=$1 script
    shift
    script=$(server_script "busy$gen" <<S
{"key":"gen","value":$gen}
@repeat-keys $BURST $KEYS {"key":"k%k","value":%d}
@sleep 50
S
)
    server_start busy --script "$script" --loop "$@"
}

busy_start 0
BUSY_PORT=${SRV_PORT[busy]}
feeds_start feeds --seed 20261125 --clock 08:10 --time-scale 60
FEEDS_PORT=${SRV_PORT[feeds]}

# ------------------------------------------------------------------ the wall

COLS=6
tiles="" i=0
cell() { printf '%s, %s' $(($1 % COLS)) $(($1 / COLS)); }
for ((k = 1; k <= KEYS; k++)); do
    tiles+="  $(counter_tile "k$k" $((i % COLS)) $((i / COLS)) 60 busy),"$'\n'
    i=$((i + 1))
done
tiles+="  $(counter_tile gen $((i % COLS)) $((i / COLS)) 60 busy),"$'\n'
i=$((i + 1))
cat >"$WALL_CONFIG" <<EOF
{"title": "e2e soak", "grid": {"columns": $COLS, "rows": 4, "gap": 8},
 "feeds": {"busy": {"url": "ws://127.0.0.1:$BUSY_PORT/busy"},
           "clinics": {"url": "ws://127.0.0.1:$FEEDS_PORT/clinics"},
           "attendance": {"url": "ws://127.0.0.1:$FEEDS_PORT/attendance"},
           "trades": {"url": "ws://127.0.0.1:$FEEDS_PORT/trades"}},
 "tiles": [
$tiles  {"id": "hall", "plugin": "clock", "cell": [$(cell $i)], "title": "soak",
   "options": {"utc_offset_minutes": 480, "date": ["ko", "zh", "en"]}},
  {"id": "clinics", "plugin": "clinic_queues", "feed": "clinics", "cell": [$(cell $((i + 1)))],
   "stale_after": 60, "options": {"top": 5, "sparkline": 120, "sample_s": 5}},
  {"id": "attendance", "plugin": "absent_students", "feed": "attendance",
   "cell": [$(cell $((i + 2)))], "stale_after": 3600, "options": {"top": 3}},
  {"id": "trades", "plugin": "exchange_trades", "feed": "trades", "cell": [$(cell $((i + 3)))],
   "stale_after": 60, "options": {"ticker": 5, "sparkline": 60}}
 ]}
EOF

# (attendance: schools report until 15:30 and notify parents a little later, so from simulated
# ~16:00, minute 8 at 60x, the feed is connected but quiet: stale_after 60 would rightly turn
# the tile stale. A hall would configure it so too.)
fds() { find "/proc/$WALL_PID/fd" -mindepth 1 -maxdepth 1 | wc -l; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$WALL_PID/status"; }
# resident KiB of the brk heap and of anonymous mappings (thread arenas, big mallocs, SDL
# surfaces): to tell which one moved when RSS does
heap_anon_kb() {
    awk '/^[0-9a-f]+-[0-9a-f]+ / {name = $6} /^Rss:/ {if (name == "[heap]") h += $2; else if (name == "") a += $2}
         END {printf "%d,%d", h, a}' "/proc/$WALL_PID/smaps"
}

restarts=0
RSS_SERIES=""
all_live='([.tiles[].state] | all(. == "live")) and ([.feeds[].state] | all(. == "live"))'
# connected: every feed and tile live, the busy feed on its latest server (connects and gen).
wait_connected() {
    local what=$1
    wall_wait 30 "$all_live and $(feed busy).connects == $((restarts + 1)) and
                  $(tile gen).values.value == $restarts and
                  ([$(feed clinics).connects, $(feed attendance).connects, $(feed trades).connects] == [1,1,1])" \
        "$what: every feed and tile live, busy on server $restarts (connects $((restarts + 1)))"
}

CSV="$WB_SCRATCH/soak.csv"
echo "minute,uptime_s,rss_kb,heap_kb,anon_kb,fds,restarts,busy_connects,busy_received,busy_dropped,clinics_received,attendance_received,trades_received,frames,trades_today,clock" >"$CSV"
sample() { # MINUTE: after wait_connected; one CSV line, sets S_RSS, S_FDS
    local m=$1
    S_FDS=$(fds)
    S_RSS=$(rss_kb)
    RSS_SERIES+="${RSS_SERIES:+ }$S_RSS"
    printf '%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$m" "$(jqv .wallboard.uptime_s)" "$S_RSS" "$(heap_anon_kb)" "$S_FDS" \
        "$restarts" "$(jqv "$(feed busy).connects")" "$(jqv "$(feed busy).received")" \
        "$(jqv "$(feed busy).dropped")" "$(jqv "$(feed clinics).received")" \
        "$(jqv "$(feed attendance).received")" "$(jqv "$(feed trades).received")" \
        "$(jqv .wallboard.frames)" "$(jqv "$(tile trades).values.trades")" \
        "$(jqv "$(tile hall).values.local")" >>"$CSV"
    log "minute $m: RSS $S_RSS KiB, $S_FDS fds, $restarts restarts, busy received $(jqv "$(feed busy).received")"
}

restart_busy() {
    restarts=$((restarts + 1))
    if ((restarts % 2)); then server_kill busy; else server_stop busy; fi
    busy_start "$restarts" --port "$BUSY_PORT"
    [[ ${SRV_PORT[busy]} == "$BUSY_PORT" ]] ||
        fail "restart $restarts: the busy server listens on ${SRV_PORT[busy]}, not $BUSY_PORT"
}

sleep_until() { # EPOCH_S: the pace of the soak (nothing is asserted on time)
    local now
    now=$(date +%s)
    ((now >= $1)) || sleep $(($1 - now))
    alive "$WALL_PID" || _wall_dead
}

# glibc's malloc adapts its mmap threshold to the largest block freed so far (and its trim
# threshold to twice that): after the wall frees one big buffer, blocks of that size come from an
# arena instead of their own mapping, and the arena keeps the pages resident after they are freed.
# Where that first happens is a matter of timing: it moved RSS by a one-off ~0.5 MB (after
# minute 4) in two of three runs, failing the 2 % bound with RSS flat before and after. Fixing both thresholds at their defaults (128 KiB) turns that off,
# so that RSS follows what the wall holds; it changes nothing the wall does.
GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072:glibc.malloc.trim_threshold=131072 \
    wall_start --headless --size 1280x720
t0=$(date +%s)
wait_connected "start"
next_restart=$((t0 + RESTART_EVERY / 2))
prev_trades=-1 prev_local=""
for ((m = 1; m <= MINUTES; m++)); do
    while ((next_restart < t0 + 60 * m)); do
        sleep_until "$next_restart"
        restart_busy
        next_restart=$((next_restart + RESTART_EVERY))
    done
    sleep_until $((t0 + 60 * m))
    wait_connected "minute $m"
    sample "$m"
    # the plugin feeds move: trades today grow (at 60x, ten simulated hours from 08:10; they
    # would only fall back at simulated midnight) and the clock turns
    trades=$(jqv "$(tile trades).values.trades")
    local_time=$(jqv "$(tile hall).values.local")
    ((trades > prev_trades)) || fail "minute $m: trades today $trades, not more than $prev_trades a minute before"
    [[ $local_time != "$prev_local" ]] || fail "minute $m: the clock tile still shows $local_time"
    prev_trades=$trades prev_local=$local_time
    if ((m == 1)); then
        fds_1=$S_FDS rss_1=$S_RSS
    fi
done
fds_end=$S_FDS rss_end=$S_RSS
log "RSS $rss_1 KiB after minute 1, $rss_end KiB after minute $MINUTES; fds $fds_1 and $fds_end; $restarts restarts"
((fds_end == fds_1)) ||
    fail "open file descriptors: $fds_1 after minute 1, $fds_end after minute $MINUTES (see $CSV)"
drift=$((rss_end > rss_1 ? rss_end - rss_1 : rss_1 - rss_end))
rss_failure=""
# checked last, so that a failing run still checks (and logs) the end of the soak
((drift * 100 <= rss_1 * RSS_TOLERANCE_PCT)) ||
    rss_failure="RSS $rss_1 KiB after minute 1, $rss_end KiB after minute $MINUTES: more than $RSS_TOLERANCE_PCT % apart (KiB at each minute: $RSS_SERIES; see $CSV)"
((restarts >= 2 * MINUTES - 1)) || fail "only $restarts restarts in $MINUTES minutes"

# ---- the end: everything quiescent, so every counter can be checked exactly
# wallboard-feeds stops (close 1001): its tiles' feeds go down and nothing more arrives on them.
server_stop feeds
wall_wait 20 "[$(feed clinics).state, $(feed attendance).state, $(feed trades).state] | all(. != \"live\")" \
    "the plugin feeds down after wallboard-feeds stopped"
# A last busy server with a finite script: gen, 16 bursts, then one known last value per key.
restarts=$((restarts + 1))
server_kill busy
final=$(server_script final <<S
{"key":"gen","value":$restarts}
@repeat-keys $((BURST * 16)) $KEYS {"key":"k%k","value":%d}
@repeat-keys $KEYS $KEYS {"key":"k%k","value":100000%k}
@hold
S
)
server_start busy --script "$final" --port "$BUSY_PORT"
want_values="[$(seq -s, -f '100000%g' 1 "$KEYS")]"
wall_wait 30 "$(feed busy).state == \"live\" and $(feed busy).connects == $((restarts + 1)) and
              $(tile gen).values.value == $restarts and
              [.tiles[] | select(.id | test(\"^k[0-9]+\$\")) | .values.value] == $want_values" \
    "the busy tiles showing the last server's last values"
wall_dump # again: the last value shown does not mean every counter is updated in the same dump
cp "$WALL_STATE" "$WB_SCRATCH/final.json"
assert_jq "[.tiles[] | select(.feed == \"busy\") | .state] | all(. == \"live\")" "every busy tile live"
assert_eq "$(feed busy).connects" $((restarts + 1)) "connects of the busy feed ($restarts restarts + 1)"
for f in clinics attendance trades; do
    assert_eq "$(feed $f).connects" 1 "connects of $f (its server never restarted until the end)"
done
assert_jq '[.feeds[].invalid] | all(. == 0)' "no invalid messages on any feed"
assert_jq '[.tiles[].invalid] | all(. == 0)' "no message rejected by a plugin"
assert_jq '[.tiles[].error // ""] | all(. == "")' "no error tile"
# Every message handed over was matched by exactly one tile, or dropped by the hand-over (no
# coalescing configured): received == sum(matched) + (dropped - dropped_unparsed).
for f in busy clinics attendance trades; do
    received=$(jqv "$(feed $f).received")
    dropped=$(jqv "$(feed $f).dropped - $(feed $f).dropped_unparsed")
    matched=$(jqv "[.tiles[] | select(.feed == \"$f\") | .matched] | add")
    log "feed $f: received $received, matched $matched, dropped after parsing $dropped, dropped before $(jqv "$(feed $f).dropped_unparsed")"
    ((received == matched + dropped)) ||
        fail "feed $f: received $received != matched $matched + dropped after parsing $dropped"
done
wall_stop
assert_eq "$(feed busy).connects" $((restarts + 1)) "connects of the busy feed at exit"
server_stop busy
[[ -z $rss_failure ]] || fail "$rss_failure"
log "soak figures: $(column -s, -t <"$CSV" | sed 's/^/  /')"
