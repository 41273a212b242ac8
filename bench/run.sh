#!/usr/bin/env bash
# bench/run.sh: the wallboard benchmark harness (issue 4). One command, from a fresh clone:
#
#     bench/run.sh
#
# builds what it needs (build-bench/: wallboard, plugins, bench tools), runs every measurement
# against 127.0.0.1 only, prints a table, writes bench/results.json and regenerates
# docs/BENCHMARKS.md from it. About 6 minutes on the 2-core reference machine (< 10 min).
# Latency and start-up come from the wall's own `--state` (.wallboard.latency,
# .wallboard.first_frame_mono_us); the bench walls coalesce by "/key" (latest value per key).
# Not part of the ctest pass/fail: it exits 0 whether targets are met or not (1 if it broke).
#
#   --soak          the full accelerated soak (10 k msg/s for 10 minutes) instead of 60 s; its
#                   result is kept in results.json (.soak_full) by later runs without --soak
#   --only A,B      only these sections (limits ingest latency overload frames memory startup
#                   idle soak), merged into the existing bench/results.json; e.g.
#                   `bench/run.sh --soak --only soak` (10.5 min), `bench/run.sh --only frames`
#   --quick         shorter runs (idle 15 s, soak 20 s, Guizhou memory 8 s, fewer rate steps):
#                   a smoke test only
#   --report-only   regenerate docs/BENCHMARKS.md from bench/results.json and print the table
#   --no-build      use build-bench as it is
# Environment: WB_BENCH_BUILD (build folder, default build-bench), WB_BENCH_KEEP=1 keeps the
# scratch folder (configs, state files, logs) for inspection.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${WB_BENCH_BUILD:-$ROOT/build-bench}
TOOLS=$BUILD/bench-tools
WB=$BUILD/wallboard
PLUGINS=$BUILD/plugins
FEEDS=$BUILD/feeds/wallboard-feeds
RESULTS=$ROOT/bench/results.json
REPORT_MD=$ROOT/docs/BENCHMARKS.md
CLK_TCK=$(getconf CLK_TCK)

ALL_SECTIONS="limits ingest latency overload frames memory startup idle soak"
QUICK=0 SOAK_FULL=0 BUILD_IT=1 ONLY=""
while [ $# -gt 0 ]; do
    a=$1; shift
    case $a in
    --quick) QUICK=1 ;;
    --soak) SOAK_FULL=1 ;;
    --no-build) BUILD_IT=0 ;;
    --only)
        ONLY=${1:?--only needs a list}; shift
        for o in ${ONLY//,/ }; do
            [[ " $ALL_SECTIONS " == *" $o "* ]] || { echo "run.sh: --only: unknown section $o" >&2; exit 2; }
        done ;;
    --report-only)
        "$ROOT/bench/report.sh" "$RESULTS" "$REPORT_MD"
        exit 0 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $a (see --help)" >&2; exit 2 ;;
    esac
done

# Durations (seconds) and sizes.
TRIAL_S=3            # one ingest trial: messages sent over this long
IDLE_S=60            # idle CPU window
IDLE_SETTLE_S=5      # before the idle window: start-up, first messages, animations
LAT_S=6              # one latency run
OVERLOAD_S=8
SOAK_S=60; SOAK_REF_S=20          # RSS at SOAK_REF_S vs at the end
STARTUP_RUNS=30
MEM_LIVE_S=20        # the Guizhou wall on live wallboard-feeds, per size (memory target)
INGEST_START=4000    # total msg/s of the first ingest trial; doubled until one fails
BISECT_STEPS=2
START_DELAY=1        # load starts this long after the wall connected (its first frames are drawn)
if [ "$SOAK_FULL" = 1 ]; then SOAK_S=600; SOAK_REF_S=60; fi
if [ "$QUICK" = 1 ]; then
    IDLE_S=15; SOAK_S=20; SOAK_REF_S=8; STARTUP_RUNS=10; BISECT_STEPS=1; INGEST_START=8000
    MEM_LIVE_S=8
    [ "$SOAK_FULL" = 1 ] && SOAK_S=600 && SOAK_REF_S=60
fi

T_START=$(date +%s)
WORK=$(mktemp -d /tmp/wb-bench.XXXXXX)

log() { printf '[%4ss] %s\n' "$(( $(date +%s) - T_START ))" "$*" >&2; }

# ------------------------------------------------------------------ processes (by PID only)

alive() { kill -0 "$1" 2>/dev/null; }

# stop_pid PID [SECONDS]: SIGTERM, wait up to SECONDS (default 5), then SIGKILL; reaps it.
stop_pid() {
    local pid=$1 limit=${2:-5} i=0
    alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    while alive "$pid" && [ $i -lt $((limit * 20)) ]; do sleep 0.05; i=$((i + 1)); done
    if alive "$pid"; then
        log "pid $pid did not stop in ${limit}s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# Every process the harness starts is listed in $WORK/pids (also from subshells); at exit those
# still running are stopped, by PID.
cleanup() {
    local p
    if [ -f "$WORK/pids" ]; then
        for p in $(cat "$WORK/pids"); do
            if alive "$p"; then
                kill -TERM "$p" 2>/dev/null || true
                sleep 0.5
                alive "$p" && kill -KILL "$p" 2>/dev/null || true
            fi
        done
    fi
    if [ "${WB_BENCH_KEEP:-0}" = 1 ]; then log "scratch kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_file() { # FILE SECONDS
    local i=0
    while [ ! -s "$1" ]; do
        [ $i -ge $(($2 * 50)) ] && return 1
        sleep 0.02; i=$((i + 1))
    done
}

# start_loadgen NAME ARGS...: sets LG_PID and LG_PORT; report goes to $WORK/NAME.rep
start_loadgen() {
    local name=$1; shift
    rm -f "$WORK/$name.port" "$WORK/$name.rep"
    "$TOOLS/loadgen" --port-file "$WORK/$name.port" --report "$WORK/$name.rep" --quiet "$@" \
        >"$WORK/$name.lg.log" 2>&1 &
    LG_PID=$!; echo "$LG_PID" >>"$WORK/pids"
    wait_file "$WORK/$name.port" 10 || { echo "loadgen did not start" >&2; exit 1; }
    LG_PORT=$(cat "$WORK/$name.port")
}

# start_feeds NAME: the project's demo feed server (wallboard-feeds, as scripts/demo.sh starts it)
# on an ephemeral 127.0.0.1 port, fixed seed; sets FEEDS_PID and FEEDS_PORT.
start_feeds() {
    local name=$1
    rm -f "$WORK/$name.feeds.port"
    "$FEEDS" --port 0 --bind 127.0.0.1 --seed 1 --port-file "$WORK/$name.feeds.port" \
        >"$WORK/$name.feeds.log" 2>&1 &
    FEEDS_PID=$!; echo "$FEEDS_PID" >>"$WORK/pids"
    wait_file "$WORK/$name.feeds.port" 10 || { echo "wallboard-feeds did not start" >&2; exit 1; }
    FEEDS_PORT=$(cat "$WORK/$name.feeds.port")
}

# start_wall NAME ARGS...: sets WB_PID; state file $WORK/NAME.state.json
start_wall() {
    local name=$1; shift
    rm -f "$WORK/$name.state.json"
    WALLBOARD_LOG=${WALLBOARD_LOG:-error} "$WB" --headless --state "$WORK/$name.state.json" "$@" \
        >"$WORK/$name.wb.log" 2>&1 &
    WB_PID=$!; echo "$WB_PID" >>"$WORK/pids"
}

# state_now PID FILE: SIGUSR1 and wait for the new state file.
state_now() {
    rm -f "$2"
    kill -USR1 "$1" 2>/dev/null || return 1
    wait_file "$2" 5
}

# wait_caught_up NAME SENT POLLS: polls the wall's state (SIGUSR1, $WORK/NAME.state.json) after
# the last send. Sets CATCHUP (ms until received == SENT, else -1) and SETTLED (ms until every
# message sent is accounted for: received, or dropped before it counted as received, or invalid;
# and received stopped moving; else -1). Returns at SETTLED or after POLLS polls.
wait_caught_up() {
    local name=$1 sent=$2 polls=$3 t0 i=0 recv taken prev=-1
    CATCHUP=-1; SETTLED=-1; t0=$(now_ms)
    while [ $i -lt "$polls" ]; do
        state_now "$WB_PID" "$WORK/$name.state.json" || break
        read -r recv taken < <(jq -r '[([.feeds[].received] | add),
            ([.feeds[] | .received + .dropped + .invalid] | add)] | @tsv' "$WORK/$name.state.json") || break
        if [ "$recv" = "$sent" ]; then CATCHUP=$(( $(now_ms) - t0 )); SETTLED=$CATCHUP; break; fi
        if [ "$taken" -ge "$sent" ] && [ "$recv" = "$prev" ]; then SETTLED=$(( $(now_ms) - t0 )); break; fi
        prev=$recv
        sleep 0.05; i=$((i + 1))
    done
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Nanoseconds on CPU of all threads (schedstat), finer than ticks.
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f", s}'; }
vm_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
now_ms() { date +%s%3N; }

# ------------------------------------------------------------------ results

RES=$WORK/results.json
if [ -n "$ONLY" ] && [ -s "$RESULTS" ]; then
    cp "$RESULTS" "$RES"                       # merge the chosen sections into the last run
elif [ -s "$RESULTS" ]; then
    # A new run keeps only the last full soak (it takes 10 minutes; see --soak).
    jq '{soak_full: .soak_full} | with_entries(select(.value != null))' "$RESULTS" >"$RES" ||
        echo '{}' >"$RES"
else
    echo '{}' >"$RES"
fi
# jq definitions over a --state file: counters summed over the feeds (null when this build
# does not report the counter), and messages dispatched to tiles: the feeds' "dispatched" if
# the state has it, else the counter tiles' "matched" (each bench message matches one tile).
JQ_STATE='
def feeds_sum(k): [.feeds[] | .[k]] | if any(. == null) then null else add end;
def dispatched:
  if (.feeds | length) > 0 and all(.feeds[]; has("dispatched")) then feeds_sum("dispatched")
  else [.tiles[] | select(.plugin == "counter") | .matched] | add end;
def dispatched_source:
  if (.feeds | length) > 0 and all(.feeds[]; has("dispatched")) then "feeds[].dispatched"
  else "tiles[].matched" end;
def counters: {received: feeds_sum("received"), dropped: feeds_sum("dropped"),
               invalid: feeds_sum("invalid"), coalesced: feeds_sum("coalesced"),
               seq_missed: feeds_sum("seq_missed"),
               dispatched: dispatched, dispatched_source: dispatched_source};
# With SENT from loadgen (after the wall caught up): `dropped` has two shares (docs/state.md).
# Dropped before parsing (the parse thread fell behind) is not in `received`: sent - received -
# invalid; it shows as seq gaps (`seq_missed`). The rest was dropped by the hand-over and is in
# received = dispatched + coalesced + dropped in the hand-over.
def drop_shares(sent): (sent - .received - .invalid) as $p
  | {dropped_before_parse: $p, dropped_in_handover: (.dropped - $p)};
'

put() { # JQ-PATH JSON
    jq --argjson v "$2" "$1 = \$v" "$RES" >"$RES.tmp" && mv "$RES.tmp" "$RES"
}
over_budget() { [ $(( $(date +%s) - T_START )) -gt "${1:-540}" ]; }

# gen_config FEEDS KEYS PORT [STALE_AFTER]: FEEDS feeds f1.. each with KEYS counter tiles
# (match key k1..kKEYS), CJK titles like the demo wall, on a grid near 4:3. Every feed coalesces
# by "/key" (loadgen's messages mean "latest value of key kN"), unless COALESCE=0.
gen_config() {
    jq -n --argjson feeds "$1" --argjson keys "$2" --argjson port "$3" --argjson stale "${4:-10}" \
        --argjson coalesce "${COALESCE:-1}" '
      ($feeds * $keys) as $n
      | ([range(1; 100)] | map(select(. * . * 3 >= $n * 4)) | first) as $cols
      | (($n + $cols - 1) / $cols | floor) as $rows
      | {title: "bench 벤치 · 基准", background: "#05070a",
         grid: {columns: $cols, rows: $rows, gap: 8},
         feeds: ([range(1; $feeds + 1)]
                 | map({key: "f\(.)", value: ({url: "ws://127.0.0.1:\($port)/f\(.)"}
                        + if $coalesce == 1 then {coalesce_by: ["/key"]} else {} end)})
                 | from_entries),
         tiles: [range(0; $n) as $i
           | ($i / $keys | floor + 1) as $f | ($i % $keys + 1) as $k
           | {id: "f\($f)k\($k)", plugin: "counter", feed: "f\($f)", match: {key: "k\($k)"},
              cell: [$i % $cols, ($i / $cols | floor)], stale_after: $stale,
              title: "환자 대기 · 候诊患者 · feed \($f) key \($k)",
              options: {value: "/value", unit: "人", digits: 8, sparkline: 60}}]}'
}

# The default wall (config/demo.json) with its feed on the loadgen; optional clock tile.
demo_config() { # PORT [clock] [STALE_AFTER]
    jq --arg url "ws://127.0.0.1:$1/demo" --arg clock "${2:-}" --arg stale "${3:-}" '
        .feeds.demo.url = $url
        | if $clock == "clock" then
            .tiles[0] = {id: "hall", plugin: "clock", cell: [0, 0], span: [2, 1],
                         title: "귀주 빅데이터 홀 · 贵州大数据展厅 · Guizhou Big Data Hall",
                         options: {utc_offset_minutes: 480}}
          else . end
        | if $stale != "" then .tiles |= map(if .feed then .stale_after = ($stale | tonumber) else . end)
          else . end' "$ROOT/config/demo.json"
}

# Tiles whose counter value differs from the last value loadgen sent for their key.
wrong_values() { # STATE REPORT
    jq -n --slurpfile s "$1" --slurpfile r "$2" '
      ($r[0].connections | map({key: .path, value: .last_values}) | from_entries) as $last
      | [$s[0].tiles[] | select(.plugin == "counter") | . as $t
         | ($t.id | capture("^f(?<f>[0-9]+)k(?<k>[0-9]+)$")) as $m
         | ($last["/f" + $m.f]["k" + $m.k]) as $want
         | select($t.values.value != $want)] | length'
}

# ------------------------------------------------------------------ build

build() {
    log "build: dependencies, wallboard, plugins, bench tools ($BUILD)"
    "$ROOT/scripts/install-deps.sh" >&2
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWB_TESTS=OFF >"$WORK/cmake.log" 2>&1 ||
        { cat "$WORK/cmake.log" >&2; exit 1; }
    cmake --build "$BUILD" -j"$(nproc)" --target wallboard counter >"$WORK/build.log" 2>&1 ||
        { tail -30 "$WORK/build.log" >&2; exit 1; }
    # Optional: the clock (idle test), the Guizhou wall's plugins and the demo feed server
    # (memory). A target that does not build (yet) only drops the measurement that needs it.
    local p
    for p in clock clinic_queues exchange_trades absent_students wallboard-feeds; do
        cmake --build "$BUILD" -j"$(nproc)" --target "$p" >>"$WORK/build.log" 2>&1 ||
            log "build: optional target $p did not build; measurements that need it are skipped"
    done
    cmake -S "$ROOT/bench" -B "$TOOLS" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWB_BUILD_DIR="$BUILD" \
        >"$WORK/cmake-bench.log" 2>&1 || { cat "$WORK/cmake-bench.log" >&2; exit 1; }
    cmake --build "$TOOLS" -j"$(nproc)" >"$WORK/build-bench.log" 2>&1 ||
        { tail -30 "$WORK/build-bench.log" >&2; exit 1; }
}

# Does this build know the feed option coalesce_by? Bench walls need it; a build without it
# (older, or half-way through a change) runs them without and the report says so.
probe_coalesce() {
    COALESCE=1
    COALESCE=1 gen_config 1 1 1 >"$WORK/probe.json"
    if ! "$WB" --check-config --config "$WORK/probe.json" >"$WORK/probe.log" 2>&1; then
        if grep -q coalesce_by "$WORK/probe.log"; then
            COALESCE=0
            log "WARNING: this wallboard does not accept \"coalesce_by\": bench walls run WITHOUT coalescing"
        else
            cat "$WORK/probe.log" >&2; echo "run.sh: the generated bench config is invalid" >&2; exit 1
        fi
    fi
}

machine() {
    local model mem
    model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
    mem=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
    put .machine "$(jq -n --arg model "$model" --arg mem "$mem" --argjson nproc "$(nproc)" \
        --arg kernel "$(uname -r)" --arg lws "$(pkg-config --modversion libwebsockets)" \
        --arg jansson "$(pkg-config --modversion jansson)" --arg sdl "$(pkg-config --modversion sdl2)" \
        --arg commit "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)" \
        --arg dirty "$( [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ] && echo yes || echo no)" \
        --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
        '{cpu: $model, nproc: $nproc, memory: $mem, kernel: $kernel, libwebsockets: $lws,
          jansson: $jansson, sdl2: $sdl, commit: $commit, uncommitted_changes: $dirty, date: $date,
          loadavg_start: $load}')"
    put .run "$(jq -n --argjson quick "$QUICK" --argjson soak "$SOAK_S" --arg only "$ONLY" \
        --argjson coalesce "$COALESCE" \
        '{command: "bench/run.sh", quick: ($quick == 1), soak_s: $soak, only: $only,
          build: "RelWithDebInfo (-O2 -g)", coalesce_by: ($coalesce == 1)}')"
}

# ------------------------------------------------------------------ (a) machine limits

limits() {
    log "limits: jansson parse-only, libwebsockets receive-only"
    local parse recv recvp
    parse=$("$TOOLS/parse_only" --seconds 2)
    start_loadgen limits --rate max --keys 12
    recv=$("$TOOLS/recv_only" --port "$LG_PORT" --seconds 3)
    recvp=$("$TOOLS/recv_only" --port "$LG_PORT" --seconds 3 --parse)
    stop_pid "$LG_PID"
    put .limits "$(jq -n --argjson p "$parse" --argjson r "$recv" --argjson rp "$recvp" \
        '{parse_only: $p, lws_receive_only: $r, lws_receive_and_parse_one_thread: $rp}')"
}

# ------------------------------------------------------------------ (a) ingest

# ingest_trial FEEDS KEYS TOTAL_RATE -> JSON line on stdout
ingest_trial() {
    local feeds=$1 keys=$2 rate=$3 per count name=ingest
    per=$(jq -n "$rate / $feeds")
    count=$(jq -n "($per * $TRIAL_S) | floor")
    start_loadgen $name --rate "$per" --keys "$keys" --count "$count" --expect "$feeds" \
        --start-delay "$START_DELAY"
    gen_config "$feeds" "$keys" "$LG_PORT" 60 >"$WORK/$name.json"
    start_wall $name --config "$WORK/$name.json"
    local catchup sent cpu0 cpu1 lg0 lg1
    cpu0=$(cpu_ticks "$WB_PID" 2>/dev/null || echo 0)
    lg0=$(cpu_ticks "$LG_PID" 2>/dev/null || echo 0)
    wait_file "$WORK/$name.rep" $((TRIAL_S * 4 + 10)) || true
    sent=$(jq .sent_total "$WORK/$name.rep" 2>/dev/null || echo 0)
    # Catch-up: until the wall has received everything that was sent.
    wait_caught_up $name "$sent" 60; catchup=$CATCHUP
    sleep 0.3 # the main thread drains what was handed over last
    cpu1=$(cpu_ticks "$WB_PID" 2>/dev/null || echo 0)
    lg1=$(cpu_ticks "$LG_PID" 2>/dev/null || echo 0)
    stop_pid "$WB_PID"; stop_pid "$LG_PID"
    local st=$WORK/$name.state.json wrong
    wrong=$(wrong_values "$st" "$WORK/$name.rep" 2>/dev/null || echo -1)
    jq -n -c --slurpfile s "$st" --slurpfile r "$WORK/$name.rep" --argjson rate "$rate" \
        --argjson feeds "$feeds" --argjson catchup "$catchup" --argjson wrong "$wrong" \
        --argjson cpu "$(jq -n "($cpu1 - $cpu0) / $CLK_TCK")" \
        --argjson lgcpu "$(jq -n "($lg1 - $lg0) / $CLK_TCK")" "$JQ_STATE"'
        {feeds: $feeds, target_rate: $rate, sent: $r[0].sent_total,
         achieved_rate: $r[0].rate_total}
        + ($s[0] | counters)
        | . + drop_shares(.sent)
        + {frames: $s[0].wallboard.frames, catchup_ms: $catchup, wrong_tiles: $wrong,
           wall_cpu_s: $cpu, loadgen_cpu_s: $lgcpu}
        # Coalesced messages are allowed: a superseded value merged away is not lost.
        | .pass = (.achieved_rate >= 0.95 * .target_rate and .received == .sent
                   and .catchup_ms >= 0 and .catchup_ms <= 500 and .dropped == 0
                   and .invalid == 0 and .wrong_tiles == 0)'
}

JQ_TRIAL='"\(if .pass then "ok  " else "FAIL" end) sent at \(.achieved_rate|floor)/s, dropped \(.dropped), coalesced \(.coalesced), catch-up \(.catchup_ms) ms, wrong tiles \(.wrong_tiles)"'

ingest() {
    local feeds keys lo hi rate line trials pass
    for feeds in 1 4 16; do
        keys=$(( feeds >= 12 ? 1 : 12 / feeds ))
        log "ingest: $feeds feed(s) x $keys key(s)"
        trials="[]"; lo=0; hi=0; rate=$INGEST_START
        while :; do
            line=$(ingest_trial "$feeds" "$keys" "$rate")
            trials=$(jq -c --argjson t "$line" '. + [$t]' <<<"$trials")
            pass=$(jq .pass <<<"$line")
            log "  $rate msg/s: $(jq -r "$JQ_TRIAL" <<<"$line")"
            if [ "$pass" = true ]; then lo=$rate; rate=$((rate * 2)); else hi=$rate; break; fi
            [ $rate -gt 2000000 ] && break
            over_budget 300 && break
        done
        if [ "$lo" -eq 0 ]; then
            # Even the first rate failed: go down until one passes (or give up at 125/s).
            rate=$((INGEST_START / 2))
            while [ $rate -ge 125 ] && ! over_budget 330; do
                line=$(ingest_trial "$feeds" "$keys" "$rate")
                trials=$(jq -c --argjson t "$line" '. + [$t]' <<<"$trials")
                log "  $rate msg/s: $(jq -r 'if .pass then "ok" else "FAIL" end' <<<"$line")"
                if [ "$(jq .pass <<<"$line")" = true ]; then lo=$rate; break; fi
                hi=$rate; rate=$((rate / 2))
            done
        fi
        local step=0
        while [ "$lo" -gt 0 ] && [ "$hi" -gt 0 ] && [ $step -lt $BISECT_STEPS ] && ! over_budget 330; do
            rate=$(( (lo + hi) / 2 ))
            line=$(ingest_trial "$feeds" "$keys" "$rate")
            trials=$(jq -c --argjson t "$line" '. + [$t]' <<<"$trials")
            log "  $rate msg/s: $(jq -r "$JQ_TRIAL" <<<"$line")"
            if [ "$(jq .pass <<<"$line")" = true ]; then lo=$rate; else hi=$rate; fi
            step=$((step + 1))
        done
        put ".ingest[\"$feeds\"]" "$(jq -n --argjson t "$trials" --argjson lo "$lo" --argjson hi "$hi" \
            --argjson keys "$keys" --argjson feeds "$feeds" \
            '{feeds: $feeds, keys_per_feed: $keys, tiles: ($feeds * $keys), sustained_rate: $lo,
              first_failing_rate: $hi, trials: $t}')"
    done
}

# ------------------------------------------------------------------ latency and overload

# latency_run NAME TOTAL_RATE SECONDS [rss]: 1 feed x 12 keys -> JSON. The latency is the wall's
# own (.wallboard.latency of the state file it writes at exit): loadgen stamps sent_us. With rss
# (overload) VmRSS is sampled and loadgen sends for SECONDS whatever it manages (an overload
# rate may be more than it can send), otherwise exactly TOTAL_RATE x SECONDS messages.
latency_run() {
    local name=$1 rate=$2 secs=$3 amount
    if [ "${4:-}" = rss ]; then amount=(--duration "$secs")
    else amount=(--count "$(jq -n "($rate * $secs) | floor")"); fi
    start_loadgen "$name" --rate "$rate" --keys 12 "${amount[@]}" --expect 1 \
        --start-delay "$START_DELAY"
    gen_config 1 12 "$LG_PORT" 60 >"$WORK/$name.json"
    start_wall "$name" --config "$WORK/$name.json"
    local rss="[]" t0 i=0 limit
    t0=$(now_ms); limit=$(( (secs * 4 + 10) * 1000 ))
    while [ ! -s "$WORK/$name.rep" ] && [ $(( $(now_ms) - t0 )) -lt $limit ]; do
        if [ "${4:-}" = rss ] && [ $((i % 10)) -eq 0 ]; then
            rss=$(jq -c --argjson t "$(( $(now_ms) - t0 ))" --argjson kb "$(vm_kb "$WB_PID" VmRSS || echo 0)" \
                '. + [{t_ms: $t, rss_kb: $kb}]' <<<"$rss")
        fi
        sleep 0.05; i=$((i + 1))
    done
    local sent catchup settled
    sent=$(jq .sent_total "$WORK/$name.rep" 2>/dev/null || echo 0)
    wait_caught_up "$name" "$sent" 100; catchup=$CATCHUP; settled=$SETTLED
    sleep 0.3
    local hwm; hwm=$(vm_kb "$WB_PID" VmHWM || echo 0)
    stop_pid "$WB_PID"; stop_pid "$LG_PID"
    local wrong; wrong=$(wrong_values "$WORK/$name.state.json" "$WORK/$name.rep" 2>/dev/null || echo -1)
    jq -n -c --slurpfile s "$WORK/$name.state.json" --slurpfile r "$WORK/$name.rep" \
        --argjson rate "$rate" --argjson catchup "$catchup" --argjson settled "$settled" \
        --argjson wrong "$wrong" --argjson rss "$rss" --argjson hwm "$hwm" "$JQ_STATE"'
        {target_rate: $rate, achieved_rate: $r[0].rate_total, sent: $r[0].sent_total}
        + ($s[0] | counters)
        | . + drop_shares(.sent)
        + {frames: $s[0].wallboard.frames, catchup_ms: $catchup, settled_ms: $settled,
           wrong_tiles: $wrong, latency: $s[0].wallboard.latency, vm_hwm_kb: $hwm, rss_samples: $rss}'
}

latency() {
    local r line all="{}"
    for r in 1000 10000 100000; do
        log "latency: $r msg/s (1 feed, 12 tiles, 1920x1080)"
        line=$(latency_run "lat$r" "$r" "$LAT_S")
        log "  $(jq -r '"p50 \(.latency.p50_ms) ms, p99 \(.latency.p99_ms) ms, max \(.latency.max_ms) ms (\(.latency.samples) samples); sent at \(.achieved_rate|floor)/s, dropped \(.dropped), coalesced \(.coalesced)"' <<<"$line")"
        all=$(jq -c --arg r "$r" --argjson v "$line" '.[$r] = $v' <<<"$all")
    done
    put .latency "$all"
}

overload() {
    local base rate line
    base=$(jq '.ingest["1"].sustained_rate // 0' "$RES")
    [ "$base" -gt 0 ] || base=1000
    rate=$((base * 5))
    log "overload: $rate msg/s = 5 x the 1-feed sustained $base msg/s, ${OVERLOAD_S}s"
    line=$(latency_run over "$rate" "$OVERLOAD_S" rss)
    put .overload "$(jq -c --argjson base "$base" --argjson secs "$OVERLOAD_S" \
        '. + {sustained_rate: $base, seconds: $secs}' <<<"$line")"
    log "  $(jq -r '"sent \(.sent) at \(.achieved_rate|floor)/s, received \(.received) = dispatched \(.dispatched) + coalesced \(.coalesced) + dropped in the hand-over \(.dropped_in_handover); dropped before parsing \(.dropped_before_parse) (seq_missed \(.seq_missed)), wrong tiles \(.wrong_tiles), VmHWM \(.vm_hwm_kb) kB, p99 \(.latency.p99_ms) ms"' <<<"$line")"
}

# ------------------------------------------------------------------ (b) frame cost

frames() {
    local tiles size mode line all="[]"
    gen_config 1 12 1 >"$WORK/frames12.json"
    gen_config 1 48 1 >"$WORK/frames48.json"
    for tiles in 12 48; do
        for size in 1920x1080 3840x2160; do
            for mode in change same; do
                line=$("$TOOLS/frame_bench" --config "$WORK/frames$tiles.json" --plugin-dir "$PLUGINS" \
                    --fonts "$ROOT/fonts/fonts.list" --size "$size" --mode "$mode" --frames 200 \
                    --warmup 10 --max-seconds 3)
                log "frame: $tiles tiles $size $mode: p50 $(jq .p50_ms <<<"$line") ms, p99 $(jq .p99_ms <<<"$line") ms"
                all=$(jq -c --argjson v "$line" '. + [$v]' <<<"$all")
            done
        done
    done
    put .frames "$all"
}

# ------------------------------------------------------------------ (c) idle

idle() {
    local clock="" port
    [ -f "$PLUGINS/clock.so" ] && clock=clock
    log "idle: ${IDLE_S}s, feeds connected, one message a minute${clock:+, clock ticking} (two walls side by side)"
    start_loadgen idle --rate 0.0166667 --keys 9
    port=$LG_PORT
    demo_config "$port" "$clock" >"$WORK/idle_default.json"
    demo_config "$port" "$clock" 3600 >"$WORK/idle_fresh.json"
    local names=(idle_default idle_fresh) pids=() n
    for n in "${names[@]}"; do
        start_wall "$n" --config "$WORK/$n.json"
        pids+=("$WB_PID")
    done
    sleep "$IDLE_SETTLE_S"
    local c0=() s0=() f0=() k
    for k in 0 1; do
        state_now "${pids[$k]}" "$WORK/${names[$k]}.state.json"
        f0[$k]=$(jq .wallboard.frames "$WORK/${names[$k]}.state.json")
        c0[$k]=$(cpu_ticks "${pids[$k]}"); s0[$k]=$(cpu_ns "${pids[$k]}")
    done
    sleep "$IDLE_S"
    local out="{}" c1 s1 f1
    for k in 0 1; do
        c1=$(cpu_ticks "${pids[$k]}"); s1=$(cpu_ns "${pids[$k]}")
        state_now "${pids[$k]}" "$WORK/${names[$k]}.state.json"
        f1=$(jq .wallboard.frames "$WORK/${names[$k]}.state.json")
        out=$(jq -c --arg n "${names[$k]}" --argjson ticks "$((c1 - ${c0[$k]}))" --argjson hz "$CLK_TCK" \
            --argjson ns "$(( s1 - ${s0[$k]} ))" --argjson secs "$IDLE_S" --argjson frames "$((f1 - ${f0[$k]}))" \
            --arg clock "$clock" --slurpfile st "$WORK/${names[$k]}.state.json" '
            .[$n] = {seconds: $secs, cpu_ticks: $ticks, cpu_percent: ($ticks / $hz / $secs * 100),
                     cpu_percent_schedstat: ($ns / 1e9 / $secs * 100), frames: $frames,
                     clock: ($clock != ""), received: ([$st[0].feeds[].received] | add),
                     tile_states: ([$st[0].tiles[].state] | group_by(.) | map({key: .[0], value: length}) | from_entries)}' <<<"$out")
        stop_pid "${pids[$k]}"
    done
    stop_pid "$LG_PID"
    put .idle "$out"
    log "  $(jq -r 'to_entries | map("\(.key): \(.value.cpu_percent_schedstat*1000|round/1000) % CPU, \(.value.frames) frames") | join("; ")' <<<"$out")"
}

# ------------------------------------------------------------------ (d) memory, no-change frames

# The target rows: the Guizhou wall (config/guizhou.json, the default; CJK titles) with its feeds
# live on the project's demo feed server, MEM_LIVE_S seconds at each size, VmHWM at the end.
memory_guizhou() { # SIZE
    local size=$1 name=guizhou_$1 p st cjk
    for p in clock clinic_queues exchange_trades absent_students; do
        [ -f "$PLUGINS/$p.so" ] || { log "memory: plugin $p missing: Guizhou wall skipped"; return 0; }
    done
    [ -x "$FEEDS" ] || { log "memory: $FEEDS missing: Guizhou wall skipped"; return 0; }
    log "memory: Guizhou wall (config/guizhou.json) at $size, feeds live on wallboard-feeds, ${MEM_LIVE_S}s"
    start_feeds "$name"
    jq --arg port "$FEEDS_PORT" '.feeds |= with_entries(.value.url |= sub(":[0-9]+/"; ":\($port)/"))' \
        "$ROOT/config/guizhou.json" >"$WORK/$name.json"
    start_wall "$name" --config "$WORK/$name.json" --size "$size"
    sleep "$MEM_LIVE_S"
    state_now "$WB_PID" "$WORK/$name.state.json" || true
    # The CJK collection stays open while its faces are in use (SDL_ttf reads through the file).
    cjk=$(ls -l "/proc/$WB_PID/fd" 2>/dev/null | grep -c 'CJK' || true)
    st=$WORK/$name.state.json
    MEM_OUT=$(jq -c --arg k "$name" --arg size "$size" --argjson hwm "$(vm_kb "$WB_PID" VmHWM)" \
        --argjson rss "$(vm_kb "$WB_PID" VmRSS)" --argjson secs "$MEM_LIVE_S" --argjson cjk "$cjk" \
        --slurpfile st "$st" '
        .[$k] = {wall: "guizhou", size: $size, target: true, vm_hwm_kb: $hwm, vm_rss_kb: $rss,
                 seconds: $secs, cjk_font_handles_open: $cjk, frames: $st[0].wallboard.frames,
                 feeds: ($st[0].feeds | map({key: .name, value: {state, received, dropped, invalid}})
                         | from_entries),
                 feeds_live: ($st[0].feeds | length > 0 and all(.[]; .state == "live" and .received > 0)),
                 tile_states: ([$st[0].tiles[].state] | group_by(.) | map({key: .[0], value: length})
                               | from_entries),
                 note: "config/guizhou.json, feeds live on wallboard-feeds for \($secs) s"}' <<<"$MEM_OUT")
    stop_pid "$WB_PID"; stop_pid "$FEEDS_PID"
    log "  VmHWM $(jq -r --arg k "$name" '.[$k].vm_hwm_kb' <<<"$MEM_OUT") kB; received $(jq -c --arg k "$name" '.[$k].feeds | map_values(.received)' <<<"$MEM_OUT")"
}

# Reference rows: the counter wall (config/demo.json) after 3 s of 200 msg/s (count-ups,
# sparklines); then 3 quiet seconds in which nothing may be drawn (target 3).
memory_demo() { # SIZE
    local size=$1 name=demo_$1 frames_a frames_b cpu_a cpu_b
    log "memory: counter wall (config/demo.json) at $size"
    start_loadgen "$name" --rate 200 --keys 9 --duration 3 --expect 1
    demo_config "$LG_PORT" >"$WORK/$name.json"
    start_wall "$name" --config "$WORK/$name.json" --size "$size"
    wait_file "$WORK/$name.rep" 20 || true
    sleep 1 # count-up animations (600 ms) end
    # Nothing changes for 3 s (tiles stay live: stale_after is 10 s): nothing may be drawn.
    state_now "$WB_PID" "$WORK/$name.state.json"
    frames_a=$(jq .wallboard.frames "$WORK/$name.state.json"); cpu_a=$(cpu_ns "$WB_PID")
    sleep 3
    state_now "$WB_PID" "$WORK/$name.state.json"
    frames_b=$(jq .wallboard.frames "$WORK/$name.state.json"); cpu_b=$(cpu_ns "$WB_PID")
    MEM_OUT=$(jq -c --arg k "$name" --arg size "$size" --argjson hwm "$(vm_kb "$WB_PID" VmHWM)" \
        --argjson rss "$(vm_kb "$WB_PID" VmRSS)" --argjson fa "$frames_a" --argjson fb "$frames_b" \
        --argjson cpu "$(( cpu_b - cpu_a ))" --slurpfile st "$WORK/$name.state.json" '
        .[$k] = {wall: "demo", size: $size, target: false, vm_hwm_kb: $hwm, vm_rss_kb: $rss,
                 quiet_seconds: 3, quiet_frames: ($fb - $fa), quiet_cpu_ms: ($cpu / 1e6), frames: $fb,
                 received: ([$st[0].feeds[].received] | add),
                 note: "config/demo.json (reference), 200 msg/s for 3 s then quiet; \($fb - $fa) frames and \($cpu / 1e4 | round / 100) ms CPU in the 3 quiet seconds"}' <<<"$MEM_OUT")
    stop_pid "$WB_PID"; stop_pid "$LG_PID"
    log "  VmHWM $(jq -r --arg k "$name" '.[$k].vm_hwm_kb' <<<"$MEM_OUT") kB; frames while nothing changed: $((frames_b - frames_a))"
}

memory() {
    local size
    MEM_OUT="{}"
    if [ -f "$ROOT/config/guizhou.json" ]; then
        for size in 1920x1080 3840x2160; do memory_guizhou "$size"; done
    else
        log "memory: config/guizhou.json missing: Guizhou wall skipped"
    fi
    for size in 1920x1080 3840x2160; do memory_demo "$size"; done
    put .memory "$MEM_OUT"
}

# ------------------------------------------------------------------ soak

soak() {
    local name=soak rate=10000 t0 samples="[]" ref=0 el
    log "soak: $rate msg/s for ${SOAK_S}s (RSS at ${SOAK_REF_S}s vs the end)"
    start_loadgen $name --rate "$rate" --keys 12 --duration "$SOAK_S" --expect 1 \
        --start-delay "$START_DELAY"
    gen_config 1 12 "$LG_PORT" 60 >"$WORK/$name.json"
    start_wall $name --config "$WORK/$name.json"
    t0=$(now_ms)
    while [ ! -s "$WORK/$name.rep" ] && alive "$WB_PID"; do
        el=$(( ($(now_ms) - t0) / 1000 ))
        [ "$el" -gt $((SOAK_S + 30)) ] && break
        samples=$(jq -c --argjson t "$el" --argjson kb "$(vm_kb "$WB_PID" VmRSS || echo 0)" \
            '. + [{t_s: $t, rss_kb: $kb}]' <<<"$samples")
        sleep $(( SOAK_S >= 120 ? 5 : 2 ))
    done
    local hwm; hwm=$(vm_kb "$WB_PID" VmHWM || echo 0)
    state_now "$WB_PID" "$WORK/$name.state.json" || true
    stop_pid "$WB_PID"; stop_pid "$LG_PID"
    local soak_json
    soak_json=$(jq -c --argjson s "$samples" --argjson ref "$SOAK_REF_S" --argjson hwm "$hwm" \
        --argjson secs "$SOAK_S" --slurpfile st "$WORK/$name.state.json" --slurpfile r "$WORK/$name.rep" \
        --argjson coalesce "$COALESCE" -n "$JQ_STATE"'
        ($s | map(select(.t_s >= $ref)) | first) as $at_ref | ($s | last) as $fin
        | {seconds: $secs, rate: 10000, achieved_rate: $r[0].rate_total, ref_s: $ref,
           rss_ref_kb: $at_ref.rss_kb, rss_end_kb: $fin.rss_kb, vm_hwm_kb: $hwm,
           growth_percent: (($fin.rss_kb - $at_ref.rss_kb) / $at_ref.rss_kb * 100)}
          + ($st[0] | counters)
          + {coalesce_by: ($coalesce == 1), date: (now | todate), samples: $s}')
    soak_json=$(jq -c --argjson m "$(jq -c .machine "$RES")" '. + {commit: $m.commit}' <<<"$soak_json")
    put .soak "$soak_json"
    [ "$SOAK_FULL" = 1 ] && put .soak_full "$soak_json"
    log "  RSS $(jq -r '"\(.rss_ref_kb) kB at \(.ref_s) s -> \(.rss_end_kb) kB at the end (\(.growth_percent*100|round/100) %)"' <<<"$soak_json")"
}

# ------------------------------------------------------------------ (e) start-up

startup() {
    log "start-up: exec to first presented frame, $STARTUP_RUNS runs"
    start_loadgen startup --rate 0.0166667 --keys 9
    demo_config "$LG_PORT" >"$WORK/startup.json"
    local line
    # startup appends --state FILE and reads .wallboard.first_frame_mono_us from it.
    line=$(WALLBOARD_LOG=error "$TOOLS/startup" --runs "$STARTUP_RUNS" \
        --state "$WORK/startup.state.json" -- "$WB" --headless --frames 1 --config "$WORK/startup.json") ||
        log "  start-up: no run reported a first frame (first_frame_mono_us missing from --state?)"
    stop_pid "$LG_PID"
    [ -n "$line" ] || return 0
    put .startup "$line"
    log "  first frame p50 $(jq .first_frame_ms.p50 <<<"$line") ms (from main() p50 $(jq .main_to_first_frame_ms.p50 <<<"$line") ms), whole run to exit p50 $(jq .exit_ms.p50 <<<"$line") ms"
}

# ------------------------------------------------------------------ main

[ "$BUILD_IT" = 1 ] && build
for t in "$WB" "$PLUGINS/counter.so" "$TOOLS/loadgen" "$TOOLS/frame_bench" "$TOOLS/startup"; do
    [ -e "$t" ] || { echo "run.sh: $t missing (run without --no-build)" >&2; exit 1; }
done
log "measuring (scratch: $WORK)"
probe_coalesce
machine
for section in $ALL_SECTIONS; do
    if [ -z "$ONLY" ] || [[ ",$ONLY," == *",$section,"* ]]; then "$section"; fi
done
put .run.seconds "$(( $(date +%s) - T_START ))"
put .machine.loadavg_end "\"$(cut -d' ' -f1-3 /proc/loadavg)\""
cp "$RES" "$RESULTS"
"$ROOT/bench/report.sh" "$RESULTS" "$REPORT_MD"
log "done in $(( $(date +%s) - T_START ))s: $RESULTS, $REPORT_MD"
