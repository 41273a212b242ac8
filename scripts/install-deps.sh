#!/bin/sh
# Installs the Debian 12 packages the wallboard builds, runs and tests with.
# A no-op when everything is present; apt-get as root, through sudo otherwise.
set -eu

PACKAGES="build-essential cmake pkg-config
libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev
libwebsockets-dev libjansson-dev libyajl-dev libcmocka-dev libssl-dev
fonts-dseg fonts-noto-cjk fonts-dejavu-core
xvfb xauth openssl jq groff-base
clang libclang-rt-14-dev valgrind systemd"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    run=""
elif command -v sudo >/dev/null 2>&1; then
    run="sudo"
else
    echo "install-deps: missing packages:$missing; run as root or install sudo" >&2
    exit 1
fi
echo "install-deps: installing:$missing" >&2
$run env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086
$run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
