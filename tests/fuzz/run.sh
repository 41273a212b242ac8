#!/bin/sh
# Runs one libFuzzer target for ctest: run.sh TARGET WORKDIR CORPUS [libFuzzer flags...].
# WORKDIR (the build tree's) takes new inputs; CORPUS (committed seeds) is only read. With
# WB_FUZZ_FRESH=1 WORKDIR starts empty, so a CI run is the same run every time.
set -eu
target=$1 work=$2 corpus=$3
shift 3
if [ "${WB_FUZZ_FRESH:-0}" = 1 ]; then
    rm -rf "$work"
fi
mkdir -p "$work"
for arg in "$@"; do
    case $arg in -artifact_prefix=*) mkdir -p "${arg#-artifact_prefix=}" ;; esac
done
exec "$target" "$@" "$work" "$corpus"
