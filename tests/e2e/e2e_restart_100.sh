#!/bin/bash
# The feed server killed and restarted 100 times in a row on the same port: the wall is back to
# live with the new value after each restart, and ends with the file descriptors it had after the
# first ten and its RSS within 2 MB of it (no leak per reconnect). Label "soak": about 5 minutes,
# most of it the wall's own reconnect backoff (up to 4 s: no connection stays up the 5 s that
# would reset it).
source "$(dirname "$0")/lib.sh"

RESTARTS=${WB_RESTARTS:-100}

start_with_value() { # N [--port P]
    local n=$1
    shift
    local script
    script=$(server_script "s$n" <<S
{"key":"a","value":$n}
@hold
S
)
    server_start feed --script "$script" "$@"
}

fds() { find "/proc/$WALL_PID/fd" -mindepth 1 -maxdepth 1 | wc -l; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$WALL_PID/status"; }

start_with_value 1
port=${SRV_PORT[feed]}
write_counter_wall "e2e restart x$RESTARTS" a
wall_start --headless --size 640x360
fds_ref="" rss_ref=""
for ((i = 1; i <= RESTARTS; i++)); do
    if ((i > 1)); then
        start_with_value "$i" --port "$port"
        [[ ${SRV_PORT[feed]} == "$port" ]] || fail "restart $i: the server listens on ${SRV_PORT[feed]}, not $port"
    fi
    wall_wait 30 "$(tile a).values.value == $i and $(feed f1).state == \"live\" and $(feed f1).connects == $i" \
        "restart $i: live again, showing $i, connects $i"
    # Both measured while connected, so the same sockets are open.
    if ((i == 10)); then
        fds_ref=$(fds)
        rss_ref=$(rss_kb)
        log "after 10 restarts: $fds_ref fds, RSS $rss_ref KiB"
    fi
    if ((i == RESTARTS)); then
        fds_end=$(fds)
        rss_end=$(rss_kb)
    fi
    server_kill feed
    wall_wait 20 "$(feed f1).state != \"live\"" "restart $i: the feed noticed the server died"
done
log "after $RESTARTS restarts: $fds_end fds, RSS $rss_end KiB (after 10: $fds_ref fds, $rss_ref KiB)"
if [[ -n $fds_ref ]]; then
    ((fds_end == fds_ref)) || fail "open file descriptors $fds_ref after 10 restarts, $fds_end after $RESTARTS"
    ((rss_end - rss_ref <= 2048)) || fail "RSS grew from $rss_ref to $rss_end KiB over the restarts"
fi
wall_stop
assert_eq "$(feed f1).connects" "$RESTARTS" "connects after $RESTARTS restarts"
assert_eq "$(tile a).values.value" "$RESTARTS" "tile a showing the last server's value"
