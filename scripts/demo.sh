#!/bin/sh
# The README's first command: install what is missing, build, start the demo feed server and
# the default wall on this display. Extra arguments go to wallboard (e.g. --windowed).
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"

run=$(mktemp -d)
./build/feeds/wallboard-feeds --port 7681 --port-file "$run/port" &
feeds_pid=$!
trap 'kill "$feeds_pid" 2>/dev/null || true; wait "$feeds_pid" 2>/dev/null || true; rm -rf "$run"' EXIT INT TERM

# The wall must show the demo feed, not whatever else may hold the port.
tries=0
while [ ! -s "$run/port" ]; do
    if ! kill -0 "$feeds_pid" 2>/dev/null; then
        echo "demo: wallboard-feeds did not start (is port 7681 in use?)" >&2
        exit 1
    fi
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ]; then
        echo "demo: wallboard-feeds did not listen within 10 s" >&2
        exit 1
    fi
    sleep 0.1
done

status=0
./build/wallboard "$@" || status=$?
exit "$status"
