#!/bin/bash
# wallboard-plugin-test.sh: one plugin tested end to end: a recording replayed by wallboard-feeds
# feeds one tile of a headless wall, and the tile's --state entry must contain what is expected.
# Run by add_wallboard_plugin_test() (WallboardPluginTest.cmake), or by hand (--help). Every
# process it starts is stopped by its PID; every wait is bounded; ports are 127.0.0.1, ephemeral.
set -euo pipefail

ME=wallboard-plugin-test

usage() {
    cat <<'EOF'
Usage: wallboard-plugin-test.sh --plugin DIR/NAME.so --recording FILE.jsonl --expect-state FILE.json
         --scratch DIR [--wallboard FILE] [--feeds FILE] [--name NAME] [--path /PATH]
         [--options JSON] [--match JSON] [--title TEXT] [--size WxH] [--speed X] [--budget S]

Replays FILE.jsonl (a `wallboard-feeds --record` file) with `wallboard-feeds --replay
--wait-clients 1` on a free port of 127.0.0.1, shows NAME.so in a one-tile headless wall
fed by the recording's path /PATH (default: its only path), waits until every message of the
recording has reached the tile, stops both programs, and checks that every member of the JSON
object in --expect-state equals the tile's entry in the wall's --state file: objects member by
member (members not named are not checked), anything else (arrays too) exactly.

  --wallboard, --feeds   the programs (default: $WALLBOARD_EXECUTABLE, $WALLBOARD_FEEDS_EXECUTABLE,
                         else `wallboard` and `wallboard-feeds` on PATH)
  --options JSON         the tile's "options" object (default {})
  --match JSON           the tile's "match" object (default: none, every message of /PATH)
  --title TEXT           the tile's title (default: none)
  --options-file, --match-file, --title-file FILE   the same, read from FILE
  --size WxH             the headless wall's size, the tile covering all of it (default 960x540)
  --speed X              replay speed, as wallboard-feeds --speed (default max)
  --budget S             give up (and fail) after S seconds (default 55)
  --scratch DIR          a folder of the test's own: the wall config, state.json, screenshot.png,
                         each program's stderr and XDG_STATE_HOME (the wall's crash journal)
                         are kept there; it is emptied first

Exit status: 0 when the tile shows what is expected, 1 when it does not (or a program failed),
2 on a usage error.
EOF
}

say() { echo "$ME [$NAME]: $*" >&2; }
usage_error() {
    echo "$ME: $*" >&2
    echo "$ME: see --help" >&2
    exit 2
}
fail() {
    echo "FAIL $ME [$NAME]: $*" >&2
    exit 1
}

# ------------------------------------------------------------------ arguments

NAME="" PLUGIN="" RECORDING="" EXPECT="" SCRATCH="" FEED_PATH="" OPTIONS="{}" MATCH="" TITLE=""
SIZE=960x540 SPEED=max BUDGET=55
WALL=${WALLBOARD_EXECUTABLE:-} FEEDS=${WALLBOARD_FEEDS_EXECUTABLE:-}
while (($#)); do
    case $1 in
    --help | -h) usage; exit 0 ;;
    --wallboard | --feeds | --plugin | --recording | --expect-state | --scratch | --name | --path | \
        --options | --match | --title | --options-file | --match-file | --title-file | --size | \
        --speed | --budget)
        (($# >= 2)) || usage_error "$1 needs a value"
        case $1 in
        --wallboard) WALL=$2 ;;
        --feeds) FEEDS=$2 ;;
        --plugin) PLUGIN=$2 ;;
        --recording) RECORDING=$2 ;;
        --expect-state) EXPECT=$2 ;;
        --scratch) SCRATCH=$2 ;;
        --name) NAME=$2 ;;
        --path) FEED_PATH=$2 ;;
        --options) OPTIONS=$2 ;;
        --match) MATCH=$2 ;;
        --title) TITLE=$2 ;;
        --options-file) OPTIONS=$(cat -- "$2") || usage_error "cannot read $2" ;;
        --match-file) MATCH=$(cat -- "$2") || usage_error "cannot read $2" ;;
        --title-file) TITLE=$(cat -- "$2") || usage_error "cannot read $2" ;;
        --size) SIZE=$2 ;;
        --speed) SPEED=$2 ;;
        --budget) BUDGET=$2 ;;
        esac
        shift 2
        ;;
    *) usage_error "unknown argument '$1'" ;;
    esac
done
[[ -n $PLUGIN ]] || usage_error "--plugin DIR/NAME.so is required"
[[ -n $RECORDING ]] || usage_error "--recording FILE.jsonl is required"
[[ -n $EXPECT ]] || usage_error "--expect-state FILE.json is required"
[[ -n $SCRATCH ]] || usage_error "--scratch DIR is required"
[[ $SIZE =~ ^[1-9][0-9]*x[1-9][0-9]*$ ]] || usage_error "--size must be WxH, e.g. 960x540, not '$SIZE'"
[[ $BUDGET =~ ^[1-9][0-9]*$ ]] || usage_error "--budget must be a whole number of seconds, not '$BUDGET'"
[[ -n $NAME ]] || NAME=$(basename "$PLUGIN" .so)

command -v jq >/dev/null 2>&1 || fail "jq is needed (Debian package jq)"
[[ -n $WALL ]] || WALL=$(command -v wallboard || true)
[[ -n $FEEDS ]] || FEEDS=$(command -v wallboard-feeds || true)
[[ -n $WALL && -x $WALL ]] ||
    fail "wallboard not found ('$WALL'): set WALLBOARD_EXECUTABLE or pass --wallboard"
[[ -n $FEEDS && -x $FEEDS ]] ||
    fail "wallboard-feeds not found ('$FEEDS'): set WALLBOARD_FEEDS_EXECUTABLE or pass --feeds"

# ------------------------------------------------------------------ the plugin and the files

[[ $PLUGIN == *.so ]] || fail "the plugin must be a file NAME.so (the wall loads plugins by that name), not '$PLUGIN'"
[[ -f $PLUGIN ]] || fail "the plugin $PLUGIN does not exist (is it built?)"
PLUGIN_NAME=$(basename "$PLUGIN" .so)
PLUGIN_DIR=$(cd "$(dirname "$PLUGIN")" && pwd)
[[ -s $RECORDING ]] || fail "the recording $RECORDING is missing or empty"
[[ -s $EXPECT ]] || fail "the expected state $EXPECT is missing or empty"

WANT=$(jq -c . "$EXPECT" 2>&1) || fail "$EXPECT is not JSON: $WANT"
jq -e 'type == "object"' <<<"$WANT" >/dev/null ||
    fail "$EXPECT must hold one JSON object (members of the tile's --state entry), not: $(head -c 200 <<<"$WANT")"
# json_object WHAT TEXT: TEXT as compact JSON if it is one object, else the test fails.
json_object() {
    local compact
    if ! compact=$(jq -c . <<<"$2" 2>/dev/null) || ! jq -e 'type == "object"' <<<"$compact" >/dev/null; then
        fail "$1 must be a JSON object, not: $2"
    fi
    printf '%s\n' "$compact"
}
OPTIONS_JSON=$(json_object OPTIONS "$OPTIONS")
MATCH_JSON=null
[[ -z $MATCH ]] || MATCH_JSON=$(json_object MATCH "$MATCH")

# Which path feeds the tile: the one asked for, or the recording's only one.
PATHS=$(jq -r '.path // empty' "$RECORDING" 2>&1 | sort -u) ||
    fail "$RECORDING is not a recording (one JSON object per line: {\"t\", \"path\", \"msg\"}): $PATHS"
[[ -n $PATHS ]] || fail "$RECORDING has no line with a \"path\": is it a wallboard-feeds --record file?"
if [[ -z $FEED_PATH ]]; then
    (($(wc -l <<<"$PATHS") == 1)) ||
        fail "$RECORDING has several paths ($(tr '\n' ' ' <<<"$PATHS")): choose one with PATH"
    FEED_PATH=$PATHS
elif ! grep -qxF -- "$FEED_PATH" <<<"$PATHS"; then
    fail "PATH $FEED_PATH is not in $RECORDING (its paths: $(tr '\n' ' ' <<<"$PATHS"))"
fi

# How many messages the wall must receive on that path, and how many of them reach the tile
# (pass its "match" the way the host does: a key starting with '/' is an RFC 6901 pointer, any
# other a top-level member; absent never matches; numbers compare by value).
COUNT_JQ='
def tokens: ltrimstr("/") | [splits("/")] | map(gsub("~1"; "/") | gsub("~0"; "~"));
def field($key):
  if ($key | startswith("/")) | not then (if type == "object" and has($key) then [.[$key]] else [] end)
  else reduce ($key | tokens[]) as $t ([.];
    if length == 0 then .
    elif (.[0] | type) == "object" then (if .[0] | has($t) then [.[0][$t]] else [] end)
    elif (.[0] | type) == "array" and ($t | test("^(0|[1-9][0-9]*)$"))
         and ($t | tonumber) < (.[0] | length) then [.[0][$t | tonumber]]
    else [] end) end;
def accepts($match):
  . as $msg
  | $match == null or all($match | to_entries[]; .key as $k | .value as $v
                          | [$msg | field($k)[]] | length == 1 and .[0] == $v);
map(select(.path == $path) | .msg)
| {received: length, matched: map(select(accepts($match))) | length}'
COUNTS=$(jq -sc --arg path "$FEED_PATH" --argjson match "$MATCH_JSON" "$COUNT_JQ" "$RECORDING" 2>&1) ||
    fail "cannot read $RECORDING: $COUNTS"
EXPECT_RECEIVED=$(jq .received <<<"$COUNTS")
EXPECT_MATCHED=$(jq .matched <<<"$COUNTS")
((EXPECT_MATCHED > 0)) ||
    fail "none of the $EXPECT_RECEIVED messages of $FEED_PATH in $RECORDING passes MATCH $MATCH_JSON"

# ------------------------------------------------------------------ the scratch folder

# Emptied only if it is one of ours (it has the marker), so a wrong --scratch cannot wipe a tree.
MARKER=.wallboard-plugin-test
if [[ -d $SCRATCH && -n $(ls -A "$SCRATCH") ]]; then
    [[ -e $SCRATCH/$MARKER ]] ||
        fail "--scratch $SCRATCH is not empty and not a scratch folder of this script: refusing to empty it"
    rm -rf "$SCRATCH"
fi
mkdir -p "$SCRATCH"
SCRATCH=$(cd "$SCRATCH" && pwd)
: >"$SCRATCH/$MARKER"
CONFIG=$SCRATCH/wall.json
STATE=$SCRATCH/state.json
SHOT=$SCRATCH/screenshot.png
# The wall keeps its crash journal in $XDG_STATE_HOME: the test's own, never the user's (a
# plugin crashing here must not disable it on the user's wall). Only --plugin-dir adds folders.
export XDG_STATE_HOME=$SCRATCH/state-home
unset WALLBOARD_PLUGIN_PATH

# ------------------------------------------------------------------ processes

PIDS=()
alive() {
    local state
    kill -0 "$1" 2>/dev/null || return 1
    state=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
    [[ -n $state && $state != Z ]]
}
forget() {
    local kept=() p
    for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || kept+=("$p"); done
    PIDS=("${kept[@]}")
}
# wait_gone PID SECONDS: 0 once PID has ended, 1 if it still runs after SECONDS.
wait_gone() {
    local deadline=$(($(date +%s%N) + $2 * 1000000000))
    while alive "$1"; do
        (($(date +%s%N) < deadline)) || return 1
        sleep 0.05
    done
}
# stop PID SECONDS: SIGTERM, SIGKILL after SECONDS; reaps it. STOP_RC: its exit status (128+N
# when a signal N ended it), STOP_FORCED=1 if it had to be killed.
stop() {
    STOP_FORCED=0 STOP_RC=0
    kill -TERM "$1" 2>/dev/null || true
    if ! wait_gone "$1" "$2"; then
        STOP_FORCED=1
        kill -KILL "$1" 2>/dev/null || true
    fi
    wait "$1" 2>/dev/null || STOP_RC=$?
    forget "$1"
}
show_tail() {
    if [[ -s $1 ]]; then
        echo "---- last lines of $1:" >&2
        tail -n 20 "$1" >&2
    fi
}
cleanup() {
    local rc=$? pid
    trap - EXIT
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        wait_gone "$pid" 5 || kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if ((rc != 0)); then
        show_tail "$SCRATCH/wall.stderr"
        show_tail "$SCRATCH/feeds.stderr"
        echo "---- $NAME failed; everything is kept in $SCRATCH" >&2
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

budget_check() {
    ((SECONDS < BUDGET)) || fail "out of time: $BUDGET s passed ($*)"
}

# ------------------------------------------------------------------ the feed server

# A backlog above the recording's length: at --speed max a client must never see a gap.
backlog=$((EXPECT_RECEIVED + 1024))
((backlog <= 1000000)) || backlog=1000000
say "replaying $FEED_PATH of $RECORDING ($EXPECT_RECEIVED messages, $EXPECT_MATCHED for the tile) at speed $SPEED"
"$FEEDS" --replay "$RECORDING" --speed "$SPEED" --wait-clients 1 --backlog "$backlog" \
    --bind 127.0.0.1 --port 0 --port-file "$SCRATCH/feeds.port" \
    >"$SCRATCH/feeds.stdout" 2>"$SCRATCH/feeds.stderr" &
FEEDS_PID=$!
PIDS+=("$FEEDS_PID")
while [[ ! -s $SCRATCH/feeds.port ]]; do
    if ! alive "$FEEDS_PID"; then
        rc=0
        wait "$FEEDS_PID" || rc=$?
        forget "$FEEDS_PID"
        fail "wallboard-feeds refused the recording (exit $rc): $(tail -n 3 "$SCRATCH/feeds.stderr")"
    fi
    budget_check "waiting for wallboard-feeds to write its port file $SCRATCH/feeds.port"
    sleep 0.05
done
PORT=$(cat "$SCRATCH/feeds.port")
[[ $PORT =~ ^[0-9]+$ ]] || fail "wallboard-feeds wrote '$PORT' as its port"

# ------------------------------------------------------------------ the wall

jq -n --arg name "$NAME" --arg plugin "$PLUGIN_NAME" --arg url "ws://127.0.0.1:$PORT$FEED_PATH" \
    --arg title "$TITLE" --argjson options "$OPTIONS_JSON" --argjson match "$MATCH_JSON" '
    {title: ("plugin test " + $name), grid: {columns: 1, rows: 1, gap: 0},
     feeds: {feed: {url: $url}},
     tiles: [{id: "tile", plugin: $plugin, feed: "feed", cell: [0, 0],
              stale_after: 86400, options: $options}
             + (if $title != "" then {title: $title} else {} end)
             + (if $match != null then {match: $match} else {} end)]}' >"$CONFIG"
# The wall's own check names the problem with a line and column (a bad MATCH, a plugin not found).
if ! "$WALL" --check-config --config "$CONFIG" --plugin-dir "$PLUGIN_DIR" \
    >"$SCRATCH/check.stdout" 2>"$SCRATCH/check.stderr"; then
    cat "$SCRATCH/check.stdout" "$SCRATCH/check.stderr" >&2
    fail "the wall refused the one-tile config $CONFIG (above)"
fi

say "wallboard --headless --size $SIZE --plugin-dir $PLUGIN_DIR (plugin $PLUGIN_NAME)"
"$WALL" --headless --size "$SIZE" --config "$CONFIG" --plugin-dir "$PLUGIN_DIR" \
    --state "$STATE" --screenshot "$SHOT" >"$SCRATCH/wall.stdout" 2>"$SCRATCH/wall.stderr" &
WALL_PID=$!
PIDS+=("$WALL_PID")

# wall_died: how the wall ended, with the crash journal's line when a plugin crashed it.
wall_died() {
    local rc=0 journal=$XDG_STATE_HOME/wallboard/crashes
    wait "$WALL_PID" || rc=$?
    forget "$WALL_PID"
    if ((rc > 128)); then
        [[ -s $journal ]] && say "crash journal: $(tail -n 1 "$journal")"
        fail "wallboard was killed by signal $((rc - 128)) (SIG$(kill -l $((rc - 128)) 2>/dev/null || echo '?')) $1: a crash (in the plugin when the crash journal line above names it)"
    fi
    fail "wallboard exited ($rc) $1"
}

# SIGUSR1 before the wall handles it would end it: wait for the handler (SigCgt bit 9) in the
# wall itself, not in the shell forked to start it (bash catches SIGUSR1 until the exec).
WALL_REAL=$(readlink -f "$WALL")
catches_usr1() {
    local mask
    [[ $(readlink "/proc/$WALL_PID/exe" 2>/dev/null) == "$WALL_REAL" ]] || return 1
    mask=$(awk '/^SigCgt:/ {print $2}' "/proc/$WALL_PID/status" 2>/dev/null) || return 1
    [[ -n $mask ]] && (((16#$mask >> 9) & 1))
}
until catches_usr1; do
    alive "$WALL_PID" || wall_died "soon after it started"
    budget_check "waiting for the wall to start"
    sleep 0.05
done

# dump: a fresh --state file (SIGUSR1), 10 s at most.
dump() {
    rm -f "$STATE"
    kill -USR1 "$WALL_PID" 2>/dev/null || true
    local deadline=$(($(date +%s%N) + 10000000000))
    until [[ -s $STATE ]]; do
        alive "$WALL_PID" || wall_died "while the replay was running"
        (($(date +%s%N) < deadline)) || fail "wallboard did not write $STATE within 10 s of SIGUSR1"
        sleep 0.05
    done
}

TILE='(.tiles[] | select(.id == "tile"))'
FEED='(.feeds[] | select(.name == "feed"))'
# Done when every message of the path has arrived and reached the tile, or the tile is an error
# tile (then nothing ever will). Messages are taken by the main thread only when a frame is
# due, so "received" alone is not enough: the tile's "matched" count says they were dispatched.
PROGRESS="{state: $TILE.state, received: ($FEED.received // 0), matched: ($TILE.matched // 0),
           dropped: ($FEED.dropped // 0), seq_gaps: ($FEED.seq_gaps // 0), error: $TILE.error}"
while true; do
    dump
    progress=$(jq -c "$PROGRESS" "$STATE")
    [[ $(jq -r .state <<<"$progress") != error ]] || break
    (($(jq '.dropped + .seq_gaps' <<<"$progress") == 0)) ||
        fail "the wall lost messages of the replay ($progress): use a lower SPEED than $SPEED"
    if jq -e --argjson r "$EXPECT_RECEIVED" --argjson m "$EXPECT_MATCHED" \
        '.received >= $r and .matched >= $m' <<<"$progress" >/dev/null; then
        break
    fi
    budget_check "waiting for $EXPECT_RECEIVED messages received and $EXPECT_MATCHED at the tile; last seen: $progress"
    sleep 0.2
done

# The state written at exit is what the test judges: the wall stops cleanly with every message in.
rm -f "$STATE"
stop "$WALL_PID" 20
((STOP_FORCED == 0)) || fail "wallboard did not exit within 20 s of SIGTERM (killed)"
if ((STOP_RC > 128)); then
    journal=$XDG_STATE_HOME/wallboard/crashes
    [[ -s $journal ]] && say "crash journal: $(tail -n 1 "$journal")"
    fail "wallboard was killed by signal $((STOP_RC - 128)) (SIG$(kill -l $((STOP_RC - 128)) 2>/dev/null || echo '?')) while stopping"
fi
((STOP_RC == 0)) || fail "wallboard exited $STOP_RC after SIGTERM, expected 0"
[[ -s $STATE ]] || fail "wallboard exited without writing --state $STATE"
stop "$FEEDS_PID" 10
((STOP_FORCED == 0 && STOP_RC == 0)) || fail "wallboard-feeds did not stop cleanly (exit $STOP_RC)"

# ------------------------------------------------------------------ the comparison

GOT=$(jq -c "$TILE" "$STATE")
[[ -n $GOT ]] || fail "the tile is missing from $STATE"
# Every difference as "PATH: expected X, saw Y": objects member by member, the rest exactly.
DIFF=$(jq -rn --argjson want "$WANT" --argjson got "$GOT" '
    def where: map(if type == "number" then "[\(.)]"
                   elif test("^[A-Za-z_][A-Za-z0-9_]*$") then ".\(.)" else "[\(tojson)]" end)
               | join("") | if . == "" then "." else . end;
    def diffs($w; $g; $p):
      if ($w | type) == "object" then
        if ($g | type) != "object" then [{p: $p, w: $w, g: $g}]
        else [$w | to_entries[] | .key as $k
              | if $g | has($k) then diffs(.value; $g[$k]; $p + [$k])
                else [{p: ($p + [$k]), w: .value, missing: true}] end] | add // []
        end
      elif $w == $g then []
      else [{p: $p, w: $w, g: $g}] end;
    diffs($want; $got; [])[]
    | "  \(.p | where): expected \(.w | tojson), " +
      (if .missing then "but the tile has no such member" else "saw \(.g | tojson)" end)')
if [[ -n $DIFF ]]; then
    echo "---- the tile's entry in $STATE:" >&2
    jq . <<<"$GOT" >&2
    echo "---- expected (from $EXPECT), member by member:" >&2
    echo "$DIFF" >&2
    if [[ $(jq -r .state <<<"$GOT") == error ]]; then
        fail "the tile is an error tile: $(jq -r .error <<<"$GOT")"
    fi
    fail "the tile differs from $EXPECT in $(wc -l <<<"$DIFF") place(s), listed above"
fi
say "PASS: the tile shows $(jq -c .values <<<"$GOT")"
say "(screenshot: $SHOT)"
