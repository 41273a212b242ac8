#!/bin/bash
# Credentials reach the server and go nowhere else: a literal header, an {"env": ...} header and a
# query-string token are sent with the handshake, and never appear in --state, stdout or stderr,
# also for a feed that cannot connect.
source "$(dirname "$0")/lib.sh"

literal=LITERAL-SECRET-456
env_secret=ENV-SECRET-789
query=QUERY-SECRET-123
dead_query=DEAD-SECRET-321

script=$(server_script feed <<'S'
{"key":"a","value":42}
S
)
server_start feed --script "$script" --log "$WB_SCRATCH/handshakes.log" \
    --log-header X-Api-Key --log-header Authorization
# a port that refuses: a server started and stopped
server_start dead --script "$script"
dead_port=${SRV_PORT[dead]}
server_stop dead

cat >"$WALL_CONFIG" <<EOF
{"title": "e2e secrets", "grid": {"columns": 2, "rows": 1, "gap": 12},
 "feeds": {
  "f1": {"url": "$(url feed "feed?token=$query")",
         "headers": {"X-Api-Key": "$literal",
                     "Authorization": {"env": "WB_E2E_TOKEN", "prefix": "Bearer "}}},
  "dead": {"url": "ws://127.0.0.1:$dead_port/x?token=$dead_query",
           "headers": {"Authorization": {"env": "WB_E2E_TOKEN", "prefix": "Bearer "}}}},
 "tiles": [
  $(counter_tile a 0 0),
  {"id": "d", "plugin": "counter", "feed": "dead", "cell": [1, 0],
   "stale_after": 60, "options": {"value": "/value", "decimals": 0, "animate_ms": 0}}
 ]}
EOF

export WB_E2E_TOKEN=$env_secret
WALLBOARD_LOG=debug wall_start --headless --size 800x450
wall_wait 20 "$(tile a).values.value == 42 and $(feed dead).last_error != \"\"" \
    "tile a showing 42, and feed 'dead' with a last_error"
cp "$WALL_STATE" "$WB_SCRATCH/state-running.json"
wall_stop

# the server got them
log_file="$WB_SCRATCH/handshakes.log"
grep -qxF "connect /feed?token=$query" "$log_file" ||
    fail "the server saw no handshake on /feed?token=$query; its log: $(cat "$log_file")"
grep -qxF "header X-Api-Key: $literal" "$log_file" ||
    fail "the server did not get X-Api-Key: $literal; its log: $(cat "$log_file")"
grep -qxF "header Authorization: Bearer $env_secret" "$log_file" ||
    fail "the server did not get 'Authorization: Bearer $env_secret'; its log: $(cat "$log_file")"

# nothing else did
for f in "$WALL_STATE" "$WB_SCRATCH/state-running.json" "$WALL_OUT" "$WALL_ERR"; do
    for secret in "$literal" "$env_secret" "$query" "$dead_query"; do
        if grep -qF "$secret" "$f"; then
            grep -nF "$secret" "$f" | head -n 5 >&2
            fail "secret '$secret' leaked into $(basename "$f")"
        fi
    done
done
assert_jq "$(feed f1).url | startswith(\"ws://127.0.0.1:${SRV_PORT[feed]}/feed\")" "feed f1 url without its query"
assert_eq "$(tile a).values.value" 42 "tile a value"
server_stop feed
