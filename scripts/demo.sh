#!/bin/sh
# The README's first command: install what is missing, build, start the demo feed server and
# the default wall on this display. Extra arguments go to wallboard (e.g. --windowed).
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"

./build/feeds/wallboard-feeds --port 7681 &
feeds_pid=$!
trap 'kill "$feeds_pid" 2>/dev/null; wait "$feeds_pid" 2>/dev/null || true' EXIT INT TERM
status=0
./build/wallboard "$@" || status=$?
exit "$status"
