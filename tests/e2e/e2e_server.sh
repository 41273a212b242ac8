#!/bin/bash
# wb-testserver on its own, with wsdump as the client: every script step arrives as specified,
# each client gets the script from the start, --loop, restart on the same port, the hang mode.
source "$(dirname "$0")/lib.sh"
[[ -n $WB_WSDUMP ]] || fail "WB_WSDUMP is not set"

# expect_dump SEEN EXPECTED
expect_dump() {
    diff -u "$2" "$1" >&2 || fail "wsdump output $1 differs from $2 (diff above: - expected, + seen)"
}

# dump NAME OUT ARGS...: runs wsdump in the background, recorded for cleanup; sets DUMP_PID.
dump() {
    local name=$1 out=$2
    shift 2
    "$WB_WSDUMP" "$(url "$name" any/path)" "$@" >"$out" 2>"$out.stderr" &
    DUMP_PID=$!
    WB_PIDS+=("$DUMP_PID")
}

# ---- every kind of step, to two clients at once
script=$(server_script all <<'S'
# every kind of step
{"a":1}
@raw not json
@binary bin
@invalid-utf8
@big 2000000
@big 300 {"key":"c","value":5}
@fragments 1 {"k":2}
@fragments 3 {"k":3}
@big-fragments 5000 1000 {"v":3}
@repeat 3 {"n":%d,"m":"%d"}
@sleep 200
[1,2]
@close 4001
S
)
server_start all --script "$script"
x52=$(printf 'x%.0s' $(seq 52))
x25=${x52:0:25}
cat >"$WB_SCRATCH/all.expected" <<E
text 7 1 {"a":1}
text 8 1 not json
binary 3 1 bin
text 2 1 \\xC3(
text 2000000 1 {"pad":"$x52...$x25"}
text 300 1 {"pad":"$x52...xxxxx","key":"c","value":5}
text 7 7 {"k":2}
text 7 3 {"k":3}
text 5000 5 {"pad":"$x52...${x25:0:19}","v":3}
text 15 1 {"n":1,"m":"1"}
text 15 1 {"n":2,"m":"2"}
text 15 1 {"n":3,"m":"3"}
text 5 1 [1,2]
close 4001
end
E
dump all "$WB_SCRATCH/all.1.out" --seconds 20
c1=$DUMP_PID
dump all "$WB_SCRATCH/all.2.out" --seconds 20
c2=$DUMP_PID
wait_pid "$c1" 25
((WAIT_RC == 0)) || fail "wsdump (client 1) exited $WAIT_RC"
wait_pid "$c2" 25
((WAIT_RC == 0)) || fail "wsdump (client 2) exited $WAIT_RC"
expect_dump "$WB_SCRATCH/all.1.out" "$WB_SCRATCH/all.expected"
expect_dump "$WB_SCRATCH/all.2.out" "$WB_SCRATCH/all.expected"
# a third client later still gets it all from the start
dump all "$WB_SCRATCH/all.3.out" --seconds 20
wait_pid "$DUMP_PID" 25
expect_dump "$WB_SCRATCH/all.3.out" "$WB_SCRATCH/all.expected"
server_stop all

# ---- end of script holds the connection open; --loop starts again
hold=$(server_script hold <<'S'
{"x":1}
S
)
server_start hold --script "$hold"
dump hold "$WB_SCRATCH/hold.out" --seconds 1.5
wait_pid "$DUMP_PID" 10
printf 'text 7 1 {"x":1}\nend\n' >"$WB_SCRATCH/hold.expected"
expect_dump "$WB_SCRATCH/hold.out" "$WB_SCRATCH/hold.expected"

loop=$(server_script loop <<'S'
{"x":1}
@sleep 10
{"y":2}
S
)
server_start loop --script "$loop" --loop
dump loop "$WB_SCRATCH/loop.out" --count 5 --seconds 20
wait_pid "$DUMP_PID" 25
printf 'text 7 1 {"x":1}\ntext 7 1 {"y":2}\ntext 7 1 {"x":1}\ntext 7 1 {"y":2}\ntext 7 1 {"x":1}\nend\n' \
    >"$WB_SCRATCH/loop.expected"
expect_dump "$WB_SCRATCH/loop.out" "$WB_SCRATCH/loop.expected"

# ---- killed (no clean exit), then restarted on the same port with another script
port=${SRV_PORT[hold]}
server_kill hold
other=$(server_script other <<'S'
{"after":"restart"}
@close 1000
S
)
server_start hold --script "$other" --port "$port"
[[ ${SRV_PORT[hold]} == "$port" ]] || fail "restart with --port $port listened on ${SRV_PORT[hold]}"
dump hold "$WB_SCRATCH/restart.out" --seconds 10
wait_pid "$DUMP_PID" 15
printf 'text 19 1 {"after":"restart"}\nclose 1000\nend\n' >"$WB_SCRATCH/restart.expected"
expect_dump "$WB_SCRATCH/restart.out" "$WB_SCRATCH/restart.expected"

# ---- only loopback: the port is not reachable on another local address
if ss -ltn 2>/dev/null | awk '{print $4}' | grep -q ":$port\$"; then
    addrs=$(ss -ltn | awk '{print $4}' | grep ":$port\$" | tr '\n' ' ')
    [[ $addrs == "127.0.0.1:$port " ]] || fail "expected to listen on 127.0.0.1:$port only, saw: $addrs"
fi

# ---- --handshake-hang: TCP accepted, no handshake reply, ever
server_start hang --handshake-hang
dump hang "$WB_SCRATCH/hang.out" --seconds 2
wait_pid "$DUMP_PID" 10
printf 'end\n' >"$WB_SCRATCH/hang.expected"
expect_dump "$WB_SCRATCH/hang.out" "$WB_SCRATCH/hang.expected"

# ---- --log: one line per handshake, with the query
server_start logged --script "$hold" --log "$WB_SCRATCH/logged.log"
dump logged "$WB_SCRATCH/logged.out" --count 1 --seconds 10
wait_pid "$DUMP_PID" 15
"$WB_WSDUMP" "ws://127.0.0.1:${SRV_PORT[logged]}/p/q?a=1&b=2" --count 1 --seconds 10 >/dev/null
printf 'connect /any/path\nconnect /p/q?a=1&b=2\n' >"$WB_SCRATCH/logged.expected"
expect_dump "$WB_SCRATCH/logged.log" "$WB_SCRATCH/logged.expected"
server_stop logged

# ---- a bad script is refused with its line number, exit 2
bad=$(server_script bad <<'S'
{"ok":1}
@frobnicate 3
S
)
rc=0
"$WB_SERVER" --port-file "$WB_SCRATCH/bad.port" --script "$bad" 2>"$WB_SCRATCH/bad.stderr" || rc=$?
((rc == 2)) || fail "a bad script: expected exit 2, saw $rc"
grep -q "bad.script:2: unknown step" "$WB_SCRATCH/bad.stderr" ||
    fail "a bad script: expected 'bad.script:2: unknown step' on stderr, saw: $(cat "$WB_SCRATCH/bad.stderr")"
[[ ! -e $WB_SCRATCH/bad.port ]] || fail "a bad script: the port file was written anyway"

# ---- SIGINT and SIGTERM end it cleanly (exit 0), also with a client attached
dump loop "$WB_SCRATCH/attached.out" --seconds 20
poll 10 test -s "$WB_SCRATCH/attached.out" || fail "no message from the --loop server"
stop_pid "${SRV_PID[loop]}" 10 INT
((STOP_FORCED == 0 && STOP_RC == 0)) || fail "server on SIGINT: expected exit 0 within 10 s, saw status $STOP_RC (forced: $STOP_FORCED)"
wait_pid "$DUMP_PID" 25
server_stop hold
server_stop hang
