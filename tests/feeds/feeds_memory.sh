#!/bin/bash
# A slow client's backlog is bounded: 125 clients that never read sit on every path while the
# server floods (/demo at 10,000 events/s, the simulated paths at 3600x) and a reading client
# takes 100,000 /demo events (with gaps when the loaded server outruns it: it only paces the
# flood here; feeds_concurrent checks gapless streams). The server drops the stalled clients' oldest
# messages (it says so) and its resident memory stays within a fixed bound of where it started:
# queues that grew with the flood would need well over 100 MB.
source "$(dirname "$0")/lib.sh"

GROWTH_LIMIT_KB=$((32 * 1024))
if [[ $WB_SANITIZED == 1 ]]; then
    # ASan keeps freed blocks in a quarantine (256 MiB by default): keep it small here, so the
    # bound measures the server, not the sanitizer.
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
fi

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# From 07:20 the attendance rush (a few thousand reports) falls into the flood; a backlog of 256
# overflows with them too.
feeds_start flood --seed 5 --date 2026-11-25 --clock 07:20 --time-scale 3600 --rate 10000 --backlog 256
pid=${PID_OF[flood]}

for p in demo clinics attendance trades; do
    n=25
    [[ $p == demo ]] && n=50
    client_bg "stall_$p" flood --path "/$p" --clients 0 --misbehave "stall:$n" --hold \
        --ready-file "$WB_SCRATCH/stall_$p.ready" --timeout 85
done
for p in demo clinics attendance trades; do
    poll 30 test -e "$WB_SCRATCH/stall_$p.ready" || fail "the stalled clients of /$p did not connect"
done
base=$(rss_kb "$pid")
log "VmRSS with 125 stalled clients connected: $base kB"

# Sample VmRSS while a client reads 100,000 /demo events.
client_bg reader flood --path /demo --clients 1 --events 100000 --allow-gaps --timeout 80
max=$base
while alive "${CLIENT_PIDS[reader]}"; do
    r=$(rss_kb "$pid") || break
    ((r > max)) && max=$r
    ((SECONDS < WB_BUDGET_S)) || fail "ran out of the test's budget while flooding"
    sleep 0.2
done
client_wait reader 10
log "VmRSS peak during the flood: $max kB (growth $((max - base)) kB, limit $GROWTH_LIMIT_KB kB)"

# /attendance reports children, a few thousand a day: the kernel's socket buffers take them
# all, so its stalled clients never reach the queue bound. The other paths must have.
for p in demo clinics trades; do
    grep -q "/$p: client 127.0.0.1 is not keeping up" "$WB_SCRATCH/flood.stderr" ||
        fail "/$p: the stalled clients' queues never overflowed, so the bound was not tested"
done
lagged=$(grep -c "is not keeping up" "$WB_SCRATCH/flood.stderr")
log "stalled clients that overflowed their queue: $lagged"
((max - base < GROWTH_LIMIT_KB)) ||
    fail "VmRSS grew by $((max - base)) kB with stalled clients (limit $GROWTH_LIMIT_KB kB)"
alive "$pid" || fail "wallboard-feeds died"

# The stalled clients are still connected (not dropped), then everything stops cleanly.
for p in demo clinics attendance trades; do
    stop "${CLIENT_PIDS[stall_$p]}"
    grep -q "stalled=$([[ $p == demo ]] && echo 50 || echo 25) " "$WB_SCRATCH/stall_$p.out" ||
        fail "/$p: the server dropped stalled clients: $(cat "$WB_SCRATCH/stall_$p.out")"
done
feeds_stop flood
