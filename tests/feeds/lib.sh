# shellcheck shell=bash
# lib.sh: shared functions of the wallboard-feeds tests (sourced, not run). Starts servers and
# clients in the background, records every PID and stops each by PID in the EXIT trap; waits
# by bounded polling, never by sleeping a fixed time to assert.
#
# Environment (set by tests/feeds/CMakeLists.txt):
#   WB_FEEDS (wallboard-feeds) WB_FEEDCLIENT (feedclient) WB_SOURCE_DIR WB_SCRATCH WB_BUDGET_S
#   WB_SANITIZED (1 in an ASan build)
# Run: ctest -L feeds --output-on-failure (in a build tree); one test: ctest -R feeds_replay -V.
# After a failure WB_SCRATCH (build/tests/feeds/scratch/NAME) keeps every output and recording.
set -euo pipefail

: "${WB_FEEDS:?WB_FEEDS (path of wallboard-feeds) is not set}"
: "${WB_FEEDCLIENT:?WB_FEEDCLIENT (path of feedclient) is not set}"
: "${WB_SOURCE_DIR:?WB_SOURCE_DIR is not set}"
: "${WB_SCRATCH:?WB_SCRATCH is not set}"
: "${WB_BUDGET_S:=55}"
: "${WB_SANITIZED:=0}"

TEST_NAME=$(basename "$0" .sh)
# shellcheck disable=SC2034 # used by the tests
RECORDINGS="$WB_SOURCE_DIR/tests/feeds/recordings"
[[ $WB_SCRATCH == /*/scratch/* || $WB_SCRATCH == /tmp/?* ]] ||
    { echo "lib.sh: refusing WB_SCRATCH=$WB_SCRATCH (not .../scratch/NAME nor under /tmp)" >&2; exit 2; }
rm -rf "$WB_SCRATCH"
mkdir -p "$WB_SCRATCH"
command -v jq >/dev/null 2>&1 || { echo "FAIL [$TEST_NAME]: needs jq (scripts/install-deps.sh)" >&2; exit 1; }

PIDS=()                     # every background process not yet reaped
declare -A PORT=() PID_OF=()

log() { echo "[$TEST_NAME] $*" >&2; }

fail() {
    echo "FAIL [$TEST_NAME]: $*" >&2
    exit 1
}

alive() {
    local state
    kill -0 "$1" 2>/dev/null || return 1
    state=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
    [[ -n $state && $state != Z ]]
}

# poll SECONDS CMD...: runs CMD every 0.1 s until it succeeds (0) or SECONDS pass (1).
poll() {
    local deadline=$(($(date +%s%N) + $1 * 1000000000))
    shift
    until "$@"; do
        (($(date +%s%N) < deadline)) || return 1
        ((SECONDS < WB_BUDGET_S)) || fail "ran out of the test's ${WB_BUDGET_S} s budget"
        sleep 0.1
    done
}

_forget() {
    local kept=() p
    for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || kept+=("$p"); done
    PIDS=("${kept[@]}")
}

# reap PID SECONDS: waits for PID to end by itself (KILLs it and fails after SECONDS);
# sets REAP_RC to its exit status.
reap() {
    local pid=$1
    poll "$2" eval "! alive $pid" || { kill -KILL "$pid" 2>/dev/null; fail "process $pid still running after $2 s"; }
    REAP_RC=0
    wait "$pid" 2>/dev/null || REAP_RC=$?
    _forget "$pid"
}

# stop PID: SIGTERM, then reap within 10 s; sets REAP_RC.
stop() {
    kill -TERM "$1" 2>/dev/null || true
    reap "$1" 10
}

_cleanup() {
    local rc=$? pid f
    trap - EXIT
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if ((rc != 0)); then
        echo "---- $TEST_NAME failed (exit $rc); scratch dir: $WB_SCRATCH" >&2
        for f in "$WB_SCRATCH"/*.stderr; do
            [[ -s $f ]] || continue
            echo "---- last lines of $f:" >&2
            tail -n 15 "$f" >&2
        done
    else
        echo "PASS [$TEST_NAME]" >&2
    fi
    exit "$rc"
}
trap _cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# feeds_start NAME ARGS...: starts wallboard-feeds --port 0 --port-file ... ARGS and waits for
# its port. Sets PORT[NAME] and PID_OF[NAME]; output in NAME.stdout / NAME.stderr.
feeds_start() {
    local name=$1 pf="$WB_SCRATCH/$1.port"
    shift
    rm -f "$pf"
    "$WB_FEEDS" --port 0 --port-file "$pf" "$@" >"$WB_SCRATCH/$name.stdout" \
        2>"$WB_SCRATCH/$name.stderr" &
    local pid=$!
    PIDS+=("$pid")
    PID_OF[$name]=$pid
    if ! poll 20 test -s "$pf"; then
        alive "$pid" || fail "wallboard-feeds '$name' exited before listening: $(cat "$WB_SCRATCH/$name.stderr")"
        fail "wallboard-feeds '$name' wrote no port file within 20 s"
    fi
    PORT[$name]=$(cat "$pf")
    log "wallboard-feeds '$name' (pid $pid, port ${PORT[$name]}): $*"
}

# feeds_stop NAME: SIGTERM; it must exit 0 (and, with sanitizers, without reports).
feeds_stop() {
    stop "${PID_OF[$1]}"
    ((REAP_RC == 0)) || fail "wallboard-feeds '$1' exited $REAP_RC after SIGTERM, expected 0"
    ! grep -q "ERROR: \(Address\|Leak\)Sanitizer\|runtime error:" "$WB_SCRATCH/$1.stderr" ||
        fail "sanitizer report in $WB_SCRATCH/$1.stderr"
}

# client NAME SERVER ARGS...: runs feedclient against SERVER in the foreground; its summary
# line is in NAME.out (and in CLIENT_SUMMARY), its complaints in NAME.stderr. Fails unless it
# exits 0.
client() {
    local name=$1 server=$2
    shift 2
    local rc=0
    "$WB_FEEDCLIENT" --port "${PORT[$server]}" "$@" >"$WB_SCRATCH/$name.out" \
        2>"$WB_SCRATCH/$name.stderr" || rc=$?
    CLIENT_SUMMARY=$(cat "$WB_SCRATCH/$name.out")
    log "feedclient $name: $CLIENT_SUMMARY"
    ((rc == 0)) || fail "feedclient $name ($*) exited $rc: $(head -c 600 "$WB_SCRATCH/$name.stderr")"
}

# client_bg NAME SERVER ARGS...: the same in the background; sets CLIENT_PID. Collect it with
# client_wait NAME.
declare -A CLIENT_PIDS=()
client_bg() {
    local name=$1 server=$2
    shift 2
    "$WB_FEEDCLIENT" --port "${PORT[$server]}" "$@" >"$WB_SCRATCH/$name.out" \
        2>"$WB_SCRATCH/$name.stderr" &
    CLIENT_PID=$!
    CLIENT_PIDS[$name]=$CLIENT_PID
    PIDS+=("$CLIENT_PID")
}

# client_wait NAME SECONDS: waits for a background feedclient; it must exit 0.
client_wait() {
    reap "${CLIENT_PIDS[$1]}" "$2"
    CLIENT_SUMMARY=$(cat "$WB_SCRATCH/$1.out")
    log "feedclient $1: $CLIENT_SUMMARY"
    ((REAP_RC == 0)) || fail "feedclient $1 exited $REAP_RC: $(head -c 600 "$WB_SCRATCH/$1.stderr")"
}

# summary KEY: a value from the last client summary line.
summary() {
    local kv
    for kv in $CLIENT_SUMMARY; do
        [[ $kv == "$1="* ]] && { echo "${kv#*=}"; return 0; }
    done
    fail "no $1 in the client summary: $CLIENT_SUMMARY"
}

# expect_summary KEY VALUE: the last client summary says KEY=VALUE.
expect_summary() {
    [[ $(summary "$1") == "$2" ]] || fail "expected $1=$2 in: $CLIENT_SUMMARY"
}

# messages FILE: the messages of a dump or recording without their ts, one compact line each
# (recordings: the "msg" of every line), to compare exact sequences.
messages() {
    jq -c 'if has("msg") and has("path") then .msg else . end | del(.ts)' "$1"
}
