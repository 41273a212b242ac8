#!/bin/sh
# The README's second command and what CI runs: install, build warning-free, run every test,
# then the unit and end-to-end tests again under AddressSanitizer + UBSan, then the fuzz targets.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs=$(nproc)

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWB_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
# The benchmark tools (bench/, not tests) link the wall's libraries: built here so that a change
# to those libraries cannot break bench/run.sh unseen.
cmake -S bench -B build/bench-tools -DWB_BUILD_DIR="$PWD/build" -DCMAKE_C_FLAGS=-Werror >/dev/null
cmake --build build/bench-tools -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs" -LE 'soak|fuzz-long|valgrind')

cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DWB_SANITIZE=ON -DWB_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -j"$jobs" -L asan -LE 'soak|fuzz-long|valgrind')

# Then the libFuzzer targets (docs/FUZZING.md) with ASan + UBSan, 20 000 inputs each, from the
# committed seed corpus: clang builds only them (-fsanitize=fuzzer; the libraries and plugins
# get -fsanitize=fuzzer-no-link), and a crash, leak or broken invariant fails the run.
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWB_FUZZ=ON -DWB_SANITIZE=ON \
    -DWB_WERROR=ON >/dev/null
cmake --build build-fuzz -j"$jobs" --target fuzz-targets
(cd build-fuzz && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -j"$jobs" -L fuzz -LE 'soak|fuzz-long|valgrind')
