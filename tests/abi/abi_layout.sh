#!/bin/bash
# abi_layout.sh FROZEN_TABLE CURRENT_TABLE FROZEN_HEADER: the current plugin.h keeps every ABI 1.0
# member where 1.0 had it (structs only grew by appending) and every 1.0 value; the copy is intact.
# The tables are abi_layout.c's output built against each header.
set -euo pipefail
frozen_bin=$1 current_bin=$2 frozen_header=$3

# The frozen header's checksum as it was committed: an edit to it would make this test compare the
# current header with something that is no longer 1.0.
FROZEN_SHA256=9c578fc3d4c96a18284d876b6aa7d730b4ab9ea224f943f3523fe2f05dd57eaf
sha=$(sha256sum "$frozen_header" | cut -d' ' -f1)
if [[ $sha != "$FROZEN_SHA256" ]]; then
    echo "FAIL [abi_layout]: $frozen_header was edited (sha256 $sha, committed $FROZEN_SHA256)." >&2
    echo "It is the ABI 1.0 header as shipped and must never change: restore it with git." >&2
    exit 1
fi

frozen=$("$frozen_bin")
current=$("$current_bin")
[[ $(head -n 1 <<<"$frozen") == "abi 1.0" ]] ||
    { echo "FAIL [abi_layout]: the frozen table says '$(head -n 1 <<<"$frozen")', not 'abi 1.0'" >&2; exit 1; }
now_abi=$(head -n 1 <<<"$current")
[[ $now_abi =~ ^abi\ 1\.[0-9]+$ ]] ||
    { echo "FAIL [abi_layout]: the current header is '$now_abi': a major other than 1 loads no 1.0 plugin" >&2; exit 1; }

problems=()
checked=0
while read -r kind name rest; do
    case $kind in
    abi) continue ;;
    sizeof)
        now=$(awk -v n="$name" '$1 == "sizeof" && $2 == n {print $3}' <<<"$current")
        if [[ -z $now ]]; then
            problems+=("struct $name: gone from the current header")
        elif ((now < rest)); then
            problems+=("struct $name: $rest bytes in 1.0, $now now: it shrank (members removed?)")
        fi
        ;;
    member | value)
        now=$(awk -v k="$kind" -v n="$name" '$1 == k && $2 == n {$1 = ""; $2 = ""; sub(/^  /, ""); print}' <<<"$current")
        if [[ -z $now ]]; then
            problems+=("$name: in 1.0, gone from the current header")
        elif [[ $now != "$rest" ]]; then
            problems+=("$name: 1.0 has $rest, the current header $now")
        fi
        ;;
    *) problems+=("unexpected line in the 1.0 table: $kind $name $rest") ;;
    esac
    checked=$((checked + 1))
done <<<"$frozen"

if ((${#problems[@]} > 0)); then
    echo "FAIL [abi_layout]: the current wallboard/plugin.h ($now_abi) breaks ABI 1.0 plugins:" >&2
    printf '  %s\n' "${problems[@]}" >&2
    echo "Members may only be appended at the end of a struct (marked \"since 1.N\"); never moved," >&2
    echo "resized, removed or renumbered." >&2
    exit 1
fi
echo "PASS [abi_layout]: $checked members, sizes and values of ABI 1.0 unchanged in the current header ($now_abi)"
