# lib.sh: shared functions of the e2e tests (sourced, not run). Starts wb-testserver and the wall,
# polls with bounds (never sleeps a fixed time to assert), asserts on --state with jq, probes PNGs.
# Every process it starts is recorded and stopped by PID in the EXIT trap.
#
# Environment (set by tests/e2e/CMakeLists.txt):
#   WB_WALL WB_SERVER WB_PNGPROBE WB_WSDUMP WB_PLUGIN_DIR WB_TEST_PLUGIN_DIR WB_SOURCE_DIR WB_SCRATCH
#   WB_BUDGET_S (the test's own time limit, 5 s below ctest's TIMEOUT)
#   WB_FEEDS (optional: a wallboard-feeds other than the one built next to wallboard)
# Run: ctest -L e2e --output-on-failure (in a build tree); one test: ctest -R e2e_basic -V.
# After a failure, WB_SCRATCH (build/tests/e2e/scratch/NAME) keeps the config, the scripts, the
# state, the screenshot and every process's stderr.
set -euo pipefail

: "${WB_WALL:?WB_WALL (path of wallboard) is not set}"
: "${WB_SERVER:?WB_SERVER (path of wb-testserver) is not set}"
: "${WB_PLUGIN_DIR:?WB_PLUGIN_DIR is not set}"
: "${WB_SCRATCH:?WB_SCRATCH is not set}"
: "${WB_PNGPROBE:=}"
: "${WB_WSDUMP:=}"
: "${WB_TEST_PLUGIN_DIR:=}"
: "${WB_SOURCE_DIR:=}"

TEST_NAME=$(basename "$0" .sh)
# it is wiped: only a folder of its own (CMake passes .../scratch/TEST_NAME)
[[ $WB_SCRATCH == /*/scratch/* || $WB_SCRATCH == /tmp/?* ]] ||
    { echo "lib.sh: refusing WB_SCRATCH=$WB_SCRATCH (not .../scratch/NAME nor under /tmp)" >&2; exit 2; }
rm -rf "$WB_SCRATCH"
mkdir -p "$WB_SCRATCH"

WB_PIDS=()                 # every process started and not yet reaped
declare -A SRV_PID=() SRV_PORT=()
WALL_PID=""
WALL_STATE="$WB_SCRATCH/state.json"
WALL_SHOT="$WB_SCRATCH/screenshot.png"
WALL_CONFIG="$WB_SCRATCH/wall.json"
WALL_ERR="$WB_SCRATCH/wall.stderr"
WALL_OUT="$WB_SCRATCH/wall.stdout"

# ------------------------------------------------------------------ basics

log() { echo "[$TEST_NAME] $*" >&2; }

fail() {
    echo "FAIL [$TEST_NAME]: $*" >&2
    exit 1
}

_forget_pid() {
    local pid=$1 kept=() p
    for p in "${WB_PIDS[@]}"; do [[ $p == "$pid" ]] || kept+=("$p"); done
    WB_PIDS=("${kept[@]}")
}

# alive PID: the process exists and is not a zombie.
alive() {
    local pid=$1 state
    kill -0 "$pid" 2>/dev/null || return 1
    state=$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || return 1
    [[ -n $state && $state != Z ]]
}

# The test's own budget (seconds since it started), below ctest's TIMEOUT so that a slow test
# still fails with a message and stops what it started instead of being killed by ctest.
: "${WB_BUDGET_S:=55}"
budget_check() {
    ((SECONDS < WB_BUDGET_S)) || fail "the test ran out of its ${WB_BUDGET_S} s budget"
}

# poll SECONDS CMD...: runs CMD every 0.1 s until it succeeds (0) or SECONDS pass (1).
poll() {
    local limit=$1
    shift
    local deadline=$(($(date +%s%N) + limit * 1000000000))
    while true; do
        if "$@"; then return 0; fi
        (($(date +%s%N) < deadline)) || return 1
        [[ ${_IN_CLEANUP:-0} == 1 ]] || budget_check
        sleep 0.1
    done
}

# stop_pid PID SECONDS [SIGNAL]: signal (default TERM), wait up to SECONDS, then KILL; reaps it.
# Sets STOP_RC to its exit status (128+N when killed by signal N) and STOP_FORCED to 1 if KILLed.
stop_pid() {
    local pid=$1 limit=$2 sig=${3:-TERM}
    STOP_FORCED=0
    kill "-$sig" "$pid" 2>/dev/null || true
    if ! poll "$limit" eval "! alive $pid"; then
        STOP_FORCED=1
        kill -KILL "$pid" 2>/dev/null || true
    fi
    STOP_RC=0
    wait "$pid" 2>/dev/null || STOP_RC=$?
    _forget_pid "$pid"
}

# wait_pid PID SECONDS: waits for PID to end by itself; KILLs it after SECONDS and fails.
# Sets WAIT_RC to its exit status.
wait_pid() {
    local pid=$1 limit=$2
    if ! poll "$limit" eval "! alive $pid"; then
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        _forget_pid "$pid"
        fail "process $pid did not end within $limit s"
    fi
    local st=0
    wait "$pid" 2>/dev/null || st=$?
    # shellcheck disable=SC2034 # read by the tests
    WAIT_RC=$st
    _forget_pid "$pid"
}

_show_tail() {
    local f=$1
    if [[ -s $f ]]; then
        echo "---- last lines of $f:" >&2
        tail -n 25 "$f" >&2
    fi
}

_cleanup() {
    local rc=$? pid
    trap - EXIT
    _IN_CLEANUP=1
    for pid in "${WB_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${WB_PIDS[@]}"; do
        poll 5 eval "! alive $pid" || kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if ((rc != 0)); then
        echo "---- $TEST_NAME failed (exit $rc); scratch dir: $WB_SCRATCH" >&2
        _show_tail "$WALL_ERR"
        local f
        for f in "$WB_SCRATCH"/*.server.stderr; do [[ -e $f ]] && _show_tail "$f"; done
    else
        echo "PASS [$TEST_NAME]" >&2
    fi
    exit "$rc"
}
trap _cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

need_tool() {
    command -v "$1" >/dev/null 2>&1 || fail "this test needs '$1' (scripts/install-deps.sh installs it)"
}
need_tool jq

# need_plugins NAME...: each NAME.so is in WB_PLUGIN_DIR, or fail.
need_plugins() {
    local name
    for name in "$@"; do
        [[ -f $WB_PLUGIN_DIR/$name.so ]] ||
            fail "$name.so is missing in $WB_PLUGIN_DIR (build target $name)"
    done
}

# need_recordings FILE...: sets RECORDINGS to tests/feeds/recordings, where each FILE must be
# (and not empty), or fail.
need_recordings() {
    RECORDINGS="$WB_SOURCE_DIR/tests/feeds/recordings"
    local f
    for f in "$@"; do
        [[ -s $RECORDINGS/$f ]] || fail "$RECORDINGS/$f is missing"
    done
}

# ------------------------------------------------------------------ the test server

# server_start NAME ARGS...: starts wb-testserver with ARGS (e.g. --script FILE, --port N,
# --handshake-hang) and waits (10 s at most) for its port file. Sets SRV_PID[NAME], SRV_PORT[NAME].
server_start() {
    local name=$1
    shift
    local pf="$WB_SCRATCH/$name.port"
    rm -f "$pf"
    "$WB_SERVER" --port-file "$pf" "$@" >"$WB_SCRATCH/$name.server.stdout" \
        2>"$WB_SCRATCH/$name.server.stderr" &
    local pid=$!
    WB_PIDS+=("$pid")
    SRV_PID[$name]=$pid
    if ! poll 10 test -s "$pf"; then
        alive "$pid" || fail "server '$name' exited before listening (args: $*)"
        fail "server '$name' did not write its port file $pf within 10 s"
    fi
    SRV_PORT[$name]=$(cat "$pf")
    [[ ${SRV_PORT[$name]} =~ ^[0-9]+$ ]] || fail "server '$name' wrote '${SRV_PORT[$name]}' as its port"
    log "server '$name' pid $pid listening on 127.0.0.1:${SRV_PORT[$name]}"
}

# server_script NAME: writes stdin to $WB_SCRATCH/NAME.script and prints the path.
server_script() {
    local f="$WB_SCRATCH/$1.script"
    cat >"$f"
    printf '%s\n' "$f"
}

# server_start_script NAME [ARGS...]: server_script NAME (the script on stdin), then
# server_start NAME --script THAT_FILE ARGS...
server_start_script() {
    local name=$1 script
    shift
    script=$(server_script "$name")
    server_start "$name" --script "$script" "$@"
}

# server_stop NAME: SIGTERM, and the server must exit 0 within 10 s.
server_stop() {
    local name=$1
    stop_pid "${SRV_PID[$name]}" 10 TERM
    ((STOP_FORCED == 0)) || fail "server '$name' did not exit within 10 s of SIGTERM"
    ((STOP_RC == 0)) || fail "server '$name' exited $STOP_RC after SIGTERM, expected 0"
}

# server_kill NAME: SIGKILL (a crash: no close frame).
server_kill() {
    local name=$1
    stop_pid "${SRV_PID[$name]}" 10 KILL
    log "server '$name' killed"
}

# url NAME [PATH]: the ws:// URL of a running server.
url() {
    printf 'ws://127.0.0.1:%s/%s' "${SRV_PORT[$1]}" "${2:-feed}"
}

# ------------------------------------------------------------------ wallboard-feeds

# need_feeds: sets FEEDS to wallboard-feeds (WB_FEEDS, else the one built next to wallboard),
# or fails if it is not there.
need_feeds() {
    FEEDS=${WB_FEEDS:-$(dirname "$WB_WALL")/feeds/wallboard-feeds}
    [[ -x $FEEDS ]] || fail "wallboard-feeds is missing at $FEEDS (build target wallboard-feeds)"
}

# feeds_start NAME ARGS...: wallboard-feeds ARGS (e.g. --replay FILE --speed max, or --seed N)
# as server NAME: server_start runs it, since it takes --port-file as wb-testserver does, so
# SRV_PID[NAME], SRV_PORT[NAME], server_stop, server_kill and url work on it. On a free port
# unless ARGS has a --port.
feeds_start() {
    local name=$1
    shift
    need_feeds
    [[ " $* " == *" --port "* ]] || set -- --port 0 "$@"
    WB_SERVER=$FEEDS server_start "$name" "$@"
}

# ------------------------------------------------------------------ the wall

# counter_tile ID COL ROW [STALE_AFTER [FEED]]: prints the JSON of a counter tile at cell
# [COL, ROW] on FEED (default f1) taking the messages whose "key" is ID, showing /value with
# 0 decimals and no animation, stale after STALE_AFTER s (default 60).
counter_tile() {
    local id=$1 col=$2 row=$3 stale=${4:-60} feed=${5:-f1}
    printf '{"id": "%s", "plugin": "counter", "feed": "%s", "match": {"key": "%s"}, "cell": [%s, %s],\n' \
        "$id" "$feed" "$id" "$col" "$row"
    printf '   "stale_after": %s, "options": {"value": "/value", "decimals": 0, "animate_ms": 0}}' "$stale"
}

# write_counter_wall [--stale-after N] TITLE ID...: writes $WALL_CONFIG: a wall titled TITLE,
# one row of as many columns as IDs (gap 12), feed f1 on the server named "feed" (url feed), and
# a counter_tile per ID in that order, ID number i at cell [i, 0].
write_counter_wall() {
    local stale=60
    if [[ $1 == --stale-after ]]; then
        stale=$2
        shift 2
    fi
    local title=$1
    shift
    local tiles="" sep="" i=0 id
    for id in "$@"; do
        tiles+="$sep  $(counter_tile "$id" "$i" 0 "$stale")"
        sep=$',\n'
        i=$((i + 1))
    done
    cat >"$WALL_CONFIG" <<EOF
{"title": "$title", "grid": {"columns": $#, "rows": 1, "gap": 12},
 "feeds": {"f1": {"url": "$(url feed)"}},
 "tiles": [
$tiles
 ]}
EOF
}

# wall_start ARGS...: starts wallboard on $WALL_CONFIG with --plugin-dir $WB_PLUGIN_DIR (unless
# ARGS has one), --state and --screenshot in the scratch dir, plus ARGS (e.g. --headless
# --size 800x450). Waits until it handles SIGUSR1 (so wall_dump cannot kill it).
wall_start() { _wall_spawn --screenshot "$WALL_SHOT" -- "$@"; }

# _wall_spawn EXTRA... -- ARGS...: wall_start's body; EXTRA are the output options it adds.
_wall_spawn() {
    local args=(--config "$WALL_CONFIG" --state "$WALL_STATE")
    while [[ $1 != -- ]]; do args+=("$1"); shift; done
    shift
    [[ " $* " == *" --plugin-dir "* ]] || args+=(--plugin-dir "$WB_PLUGIN_DIR")
    rm -f "$WALL_STATE" "$WALL_SHOT"
    log "wallboard ${args[*]} $*"
    "$WB_WALL" "${args[@]}" "$@" >"$WALL_OUT" 2>"$WALL_ERR" &
    WALL_PID=$!
    WB_PIDS+=("$WALL_PID")
    wall_wait_ready
}

_catches_usr1() {
    alive "$1" || return 2
    # Between fork and exec the child is still this bash, which catches SIGUSR1 itself: only a
    # process that is no longer bash has the wall's handler (valgrind's tool, for one, is not).
    [[ $(readlink "/proc/$1/exe" 2>/dev/null) != "$(readlink -f "$BASH")" ]] || return 1
    local mask
    mask=$(awk '/^SigCgt:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
    [[ -n $mask ]] || return 1
    (((16#$mask >> 9) & 1)) # SIGUSR1 = 10: bit 9
}

# wall_wait_ready: the wall is running and has a SIGUSR1 handler (20 s at most).
wall_wait_ready() {
    local deadline=$(($(date +%s) + 20)) rc
    while true; do
        rc=0
        _catches_usr1 "$WALL_PID" || rc=$?
        ((rc == 0)) && return 0
        if ((rc == 2)); then
            local st=0
            wait "$WALL_PID" || st=$?
            _forget_pid "$WALL_PID"
            fail "wallboard exited ($st) while starting; expected it to run"
        fi
        (($(date +%s) < deadline)) || fail "wallboard did not install a SIGUSR1 handler within 20 s"
        sleep 0.1
    done
}

_wall_dead() {
    local st=0
    wait "$WALL_PID" || st=$?
    _forget_pid "$WALL_PID"
    fail "wallboard died (exit status $st) while the test expected it to run"
}

# wall_dump: SIGUSR1, then wait (10 s at most) for a fresh --state file.
wall_dump() {
    alive "$WALL_PID" || _wall_dead
    rm -f "$WALL_STATE"
    kill -USR1 "$WALL_PID"
    if ! poll 10 test -s "$WALL_STATE"; then
        alive "$WALL_PID" || _wall_dead
        fail "wallboard did not write $WALL_STATE within 10 s of SIGUSR1 (it is running: the signal is not acted on)"
    fi
    jq -e . "$WALL_STATE" >/dev/null 2>&1 || fail "$WALL_STATE is not valid JSON: $(head -c 400 "$WALL_STATE")"
}

# wall_wait SECONDS 'JQ' 'what is expected': dumps the state until JQ is true, or fails
# printing the last state.
wall_wait() {
    local limit=$1 expr=$2 what=$3
    local deadline=$(($(date +%s%N) + limit * 1000000000))
    while true; do
        wall_dump
        if jq -e "$expr" "$WALL_STATE" >/dev/null 2>&1; then return 0; fi
        if (($(date +%s%N) >= deadline)); then
            _dump_state_and_fail "$WALL_STATE" "waited $limit s for: $what (jq: $expr)"
        fi
        budget_check
        sleep 0.2
    done
}

# wall_wait_advancing SECONDS TILE_ID 'what is expected': takes the frame count and TILE_ID's
# value from a fresh dump, then wall_wait SECONDS until both have grown: the wall still draws
# and still takes messages. In 'what', the first %s is that frame count, the second that value.
wall_wait_advancing() {
    local limit=$1 id=$2 what=$3 frames1 value1
    frames1=$(jqv .wallboard.frames)
    value1=$(jqv "$(tile "$id").values.value")
    # shellcheck disable=SC2059 # 'what' is the format on purpose
    wall_wait "$limit" ".wallboard.frames > $frames1 and $(tile "$id").values.value > $value1" \
        "$(printf "$what" "$frames1" "$value1")"
}

# wall_stop [SIGNAL]: SIGTERM (or SIGNAL, e.g. INT); the wall must exit 0 within 20 s and leave
# a fresh --state file.
# shellcheck disable=SC2120 # the signal is optional
wall_stop() {
    local sig=${1:-TERM}
    rm -f "$WALL_STATE"
    stop_pid "$WALL_PID" 20 "$sig"
    ((STOP_FORCED == 0)) || fail "wallboard did not exit within 20 s of SIG$sig (killed)"
    ((STOP_RC == 0)) || fail "wallboard exited $STOP_RC after SIG$sig, expected 0"
    [[ -s $WALL_STATE ]] || fail "wallboard exited on SIG$sig without writing --state $WALL_STATE"
    jq -e . "$WALL_STATE" >/dev/null 2>&1 || fail "$WALL_STATE is not valid JSON: $(head -c 400 "$WALL_STATE")"
}

# wall_wait_exit SECONDS: the wall ends by itself (--seconds/--frames) with status 0.
wall_wait_exit() {
    local limit=$1
    if ! poll "$limit" eval "! alive $WALL_PID"; then
        fail "wallboard still running $limit s after it should have ended by itself"
    fi
    local st=0
    wait "$WALL_PID" || st=$?
    _forget_pid "$WALL_PID"
    ((st == 0)) || fail "wallboard exited $st, expected 0"
}

# wall_run SECONDS ARGS...: runs wallboard in the foreground (killed after SECONDS);
# sets RUN_RC, output in $WALL_OUT / $WALL_ERR.
wall_run() {
    local limit=$1
    shift
    RUN_RC=0
    log "wallboard $*"
    timeout -k 5 "$limit" "$WB_WALL" "$@" >"$WALL_OUT" 2>"$WALL_ERR" || RUN_RC=$?
    ((RUN_RC != 124 && RUN_RC != 137)) || fail "wallboard $* did not finish within $limit s"
}

# replace_by_rename SRC DEST: SRC copied beside DEST (mode 644), then renamed over it, the way
# install(1) and the linker replace a file: a watching wall sees one whole new file at once.
replace_by_rename() {
    local tmp
    tmp="$(dirname "$2")/.$(basename "$2").new"
    cp "$1" "$tmp" && chmod 644 "$tmp" && mv -f "$tmp" "$2" || fail "cannot replace $2 by $1"
}

# ------------------------------------------------------------------ assertions on the state

# jqv 'JQ' [FILE]: prints a value of the state (raw strings).
jqv() { jq -r "$1" "${2:-$WALL_STATE}"; }

# _dump_state_and_fail FILE MESSAGE: the failure is named before the (long) state dump as well
# as after it, so a log cut in the middle still says which assertion failed.
_dump_state_and_fail() {
    local file=$1 message=$2
    echo "FAIL [$TEST_NAME]: $message; the state follows" >&2
    echo "---- state ($file):" >&2
    jq . "$file" >&2 || cat "$file" >&2
    fail "$message"
}

# assert_jq 'JQ' 'what is expected' [FILE]
assert_jq() {
    local expr=$1 what=$2 file=${3:-$WALL_STATE}
    if ! jq -e "$expr" "$file" >/dev/null 2>&1; then
        _dump_state_and_fail "$file" "expected $what (jq: $expr)"
    fi
}

# assert_eq 'JQ' EXPECTED 'what' [FILE]: the value at JQ (jq -c) equals EXPECTED (jq -c form).
assert_eq() {
    local expr=$1 want=$2 what=$3 file=${4:-$WALL_STATE} got
    got=$(jq -c "$expr" "$file" 2>&1) || got="(jq error: $got)"
    if [[ $got != "$want" ]]; then
        _dump_state_and_fail "$file" "$what: expected $want, saw $got (jq: $expr)"
    fi
}

# tile 'ID': jq filter of one tile, for use inside expressions: "$(tile a).values.value".
tile() { printf '(.tiles[] | select(.id == "%s"))' "$1"; }
feed() { printf '(.feeds[] | select(.name == "%s"))' "$1"; }

# ------------------------------------------------------------------ pixels

# probe PNG TILE_ID PREDICATE [STATE]: count of PREDICATE pixels inside the tile's state "rect".
probe() {
    local png=$1 id=$2 pred=$3 file=${4:-$WALL_STATE} rect
    [[ -n $WB_PNGPROBE ]] || fail "WB_PNGPROBE is not set"
    rect=$(jq -r "$(tile "$id").rect | select(length == 4) | map(tostring) | join(\" \")" "$file")
    [[ -n $rect ]] || fail "tile '$id' has no rect [x,y,w,h] in $file"
    # shellcheck disable=SC2086
    "$WB_PNGPROBE" "$png" $rect "$pred"
}

# assert_pixels PNG TILE_ID PREDICATE MIN [STATE]
assert_pixels() {
    local png=$1 id=$2 pred=$3 min=$4 file=${5:-$WALL_STATE} n
    [[ -s $png ]] || fail "screenshot $png is missing or empty"
    n=$(probe "$png" "$id" "$pred" "$file") || fail "pngprobe failed on $png"
    ((n >= min)) || fail "expected at least $min '$pred' pixels in tile '$id' (rect $(jqv "$(tile "$id").rect|tostring" "$file")) of $png, saw $n"
    log "$n '$pred' pixels in tile '$id' of $(basename "$png")"
}

# assert_screenshot_size W H [PREFIX]: the PNG $WALL_SHOT is W x H pixels; PREFIX (e.g.
# "--frames 1: ") starts the failure messages.
assert_screenshot_size() {
    local w=$1 h=$2 prefix=${3:-} pw ph
    read -r pw ph < <("$WB_PNGPROBE" "$WALL_SHOT" size) || fail "${prefix}cannot read the screenshot $WALL_SHOT"
    [[ "$pw $ph" == "$w $h" ]] || fail "${prefix}screenshot size: expected $w $h, saw $pw $ph"
}

# ------------------------------------------------------------------ Xvfb

# xvfb_start: a private X server on a free display; exports XVFB_DISPLAY (":N").
xvfb_start() {
    need_tool Xvfb
    local n pid
    for n in $(seq 90 140); do
        [[ -e /tmp/.X11-unix/X$n || -e /tmp/.X$n-lock ]] && continue
        Xvfb ":$n" -screen 0 1280x720x24 -nolisten tcp >"$WB_SCRATCH/xvfb.stdout" \
            2>"$WB_SCRATCH/xvfb.stderr" &
        pid=$!
        WB_PIDS+=("$pid")
        if poll 10 test -S "/tmp/.X11-unix/X$n" && alive "$pid"; then
            # shellcheck disable=SC2034 # read by the tests
            XVFB_PID=$pid
            XVFB_DISPLAY=":$n"
            log "Xvfb pid $pid on $XVFB_DISPLAY"
            return 0
        fi
        stop_pid "$pid" 5 TERM # lost a race for that display: try the next one
    done
    fail "could not start Xvfb on any display :90..:140"
}

# ------------------------------------------------------------------ hostile feeds: health, memory

# server_start_beat NAME [KEY [COUNT]]: a healthy feed server NAME sending {"key":KEY,"value":i}
# for i = 1..COUNT (default key "beat", 600 messages), one every 100 ms, then holding. A tile
# on it shows i == its `matched` as long as no message was lost (see assert_feed_healthy).
server_start_beat() {
    local name=$1 key=${2:-beat} count=${3:-600} i f="$WB_SCRATCH/$1.script"
    for ((i = 1; i <= count; i++)); do
        printf '{"key":"%s","value":%d}\n@sleep 100\n' "$key" "$i"
    done >"$f"
    server_start "$name" --script "$f" # not in a pipe: SRV_PID and SRV_PORT are set here
}

# assert_feed_healthy FEED [TILE]: FEED is live over its first connection, with nothing invalid,
# dropped or gone wrong; and TILE (on it, counting 1, 2, 3... as server_start_beat sends) shows
# exactly as many as it matched: every message arrived, once, in order.
assert_feed_healthy() {
    local f=$1 t=${2:-}
    assert_eq "$(feed "$f") | [.state, .connects, .invalid, .dropped, .last_error]" \
        '["live",1,0,0,""]' "healthy feed $f: state, connects, invalid, dropped, last_error"
    if [[ -n $t ]]; then
        assert_jq "$(tile "$t").values.value == $(tile "$t").matched and $(tile "$t").invalid == 0" \
            "tile $t on feed $f: its value == its matched count (nothing lost) and invalid 0"
        assert_jq "$(feed "$f").received >= $(tile "$t").matched" \
            "feed $f received >= what tile $t matched"
    fi
}

# wall_is_asan: the wall is built with AddressSanitizer (its heap then has redzones, shadow
# memory and a quarantine of freed blocks: memory bounds differ per build).
wall_is_asan() {
    if command -v ldd >/dev/null 2>&1 && ldd "$WB_WALL" 2>/dev/null | grep -q 'libasan'; then
        return 0
    fi
    grep -qa '__asan_init' "$WB_WALL"
}

# asan_small_quarantine: under ASan, a freed block stays in a quarantine of up to 256 MB by
# default, so the peak memory of a wall that frees every hostile message still climbs by each
# message's size; capped at 16 MB (before wall_start) the bounds below stay meaningful.
asan_small_quarantine() {
    if wall_is_asan; then
        export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16"
    fi
}

# wall_mem_kb FIELD: VmRSS or VmHWM (peak RSS) of the wall, in kB.
wall_mem_kb() {
    alive "$WALL_PID" || _wall_dead
    awk -v f="$1:" '$1 == f {print $2}' "/proc/$WALL_PID/status"
}

# mem_mark: resets the wall's peak RSS (VmHWM) to its RSS now (clear_refs 5) and keeps that as
# MEM_BASE_KB, so that mem_assert_growth measures the peak of what happens from here on.
mem_mark() {
    alive "$WALL_PID" || _wall_dead
    echo 5 >"/proc/$WALL_PID/clear_refs" 2>/dev/null ||
        fail "cannot reset the peak RSS of the wall (echo 5 > /proc/$WALL_PID/clear_refs)"
    MEM_BASE_KB=$(wall_mem_kb VmRSS)
}

# mem_assert_growth PLAIN_KB ASAN_KB 'what': the wall's peak RSS since mem_mark grew by less
# than PLAIN_KB (ASAN_KB in an ASan build). Logs the figures; MEM_MAX_HWM_KB keeps the highest
# peak seen by any call.
mem_assert_growth() {
    local plain=$1 asan=$2 what=$3 bound hwm rss growth
    bound=$plain
    wall_is_asan && bound=$asan
    hwm=$(wall_mem_kb VmHWM)
    rss=$(wall_mem_kb VmRSS)
    growth=$((hwm - MEM_BASE_KB))
    ((hwm > ${MEM_MAX_HWM_KB:-0})) && MEM_MAX_HWM_KB=$hwm
    log "memory, $what: RSS before $MEM_BASE_KB kB, peak since $hwm kB (+$growth kB, bound +$bound kB), now $rss kB"
    ((growth < bound)) ||
        fail "memory, $what: the wall's peak RSS grew by $growth kB (from $MEM_BASE_KB to $hwm kB), bound $bound kB: a buffer is not bounded or memory leaks"
}

# mem_assert_total PLAIN_KB ASAN_KB 'what': the wall's peak RSS since its start (or the last
# mem_mark) is below PLAIN_KB (ASAN_KB in an ASan build).
mem_assert_total() {
    local plain=$1 asan=$2 what=$3 bound hwm
    bound=$plain
    wall_is_asan && bound=$asan
    hwm=$(wall_mem_kb VmHWM)
    log "memory, $what: peak RSS $hwm kB (bound $bound kB)"
    ((hwm < bound)) || fail "memory, $what: the wall's peak RSS is $hwm kB, bound $bound kB"
}

# go NAME: creates $WB_SCRATCH/go.NAME, releasing the server connections that "@await" it.
go() { : >"$WB_SCRATCH/go.$1"; }

# wall_start_noshot ARGS...: wall_start without --screenshot. Each SIGUSR1 (every wall_dump)
# then writes only the state, not a PNG of the frame: encoding one costs several MB for a
# moment, which would blur what a memory bound measures.
wall_start_noshot() { _wall_spawn -- "$@"; }
