#!/bin/bash
# Misbehaving clients do not disturb the others: while 20 clients read, others send garbage
# frames, garbage instead of a handshake, unmasked and oversized frames, leave in the middle of
# a frame they send or receive, or stop reading. The 20 get every event (no gap, the same
# bytes), the server closes the garbage senders, keeps the stalled ones, serves new clients
# afterwards and stops cleanly.
source "$(dirname "$0")/lib.sh"

bad=garbage:5,unmasked:5,http-garbage:5,halfsend:5,halfread:5,bigframe:3,stall:5
feeds_start srv --seed 4 --date 2026-11-25 --time-scale 120 --rate 400 --backlog 64

for p in /demo /clinics; do
    name="bad${p//\//_}"
    client "$name" srv --path "$p" --clients 20 --events 400 --misbehave "$bad" --timeout 70
    expect_summary complete 20
    expect_summary gaps 0
    expect_summary mismatches 0
    expect_summary misbehavers 33
    expect_summary stalled 5
    # garbage and http-garbage at least; lws tolerates unmasked frames
    (($(summary closed_by_server) >= 10)) || fail "the server closed only $(summary closed_by_server) garbage senders"
done
alive "${PID_OF[srv]}" || fail "wallboard-feeds died"

# Afterwards, new clients are served as usual.
client after srv --path /attendance --clients 5 --events 3 --timeout 60
expect_summary complete 5
client after_demo srv --path /demo --clients 5 --events 50
expect_summary gaps 0

# A 404 for an unknown path, and the server still fine.
client nopath srv --path /nope --clients 3 --expect-http 404
expect_summary complete 3
feeds_stop srv
