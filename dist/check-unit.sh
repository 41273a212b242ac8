#!/bin/bash
# check-unit.sh: the configured systemd user unit parses and says what the README promises
# (Restart=always, RestartSec=2, the installed wallboard, graphical-session.target).
# Usage: check-unit.sh UNIT INSTALLED_WALLBOARD BUILT_WALLBOARD SCRATCH_DIR
set -euo pipefail
unit=$1 installed=$2 built=$3 scratch=$4
fail() { echo "FAIL [check-unit]: $*" >&2; exit 1; }

[[ -s $unit ]] || fail "$unit is missing"
for line in "Restart=always" "RestartSec=2" "ExecStart=$installed" "WantedBy=graphical-session.target" \
    "StartLimitIntervalSec=0"; do
    grep -qxF "$line" "$unit" || fail "$unit has no line '$line'"
done
! grep -q '@[A-Z_]*@' "$unit" || fail "$unit has an unreplaced @VARIABLE@"

command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze is not installed" >&2; exit 77; }
rm -rf "$scratch"
mkdir -p "$scratch/run"
chmod 700 "$scratch/run"

# verify UNIT_FILE: systemd-analyze's output (empty when the unit is clean); its status in VERIFY_RC.
# The unit names the installed wallboard, which a build tree has not: verify checks that
# ExecStart is executable, so the copy points at the built one. A user manager needs a runtime
# folder: a private one works without a running systemd (as in containers); should --user
# still fail to start its manager, the system manager's parser (the same one) is used.
verify() {
    local out
    VERIFY_RC=0
    out=$(XDG_RUNTIME_DIR="$scratch/run" systemd-analyze verify --user --man=no "$1" 2>&1) || VERIFY_RC=$?
    if grep -q "Failed to initialize manager" <<<"$out"; then
        echo "check-unit: no user manager here ($out); verifying with the system manager" >&2
        VERIFY_RC=0
        out=$(systemd-analyze verify --man=no "$1" 2>&1) || VERIFY_RC=$?
    fi
    printf '%s' "$out"
}

copy="$scratch/wallboard.service"
sed "s#^ExecStart=$installed#ExecStart=$built#" "$unit" >"$copy"
verify "$copy" >"$scratch/verify.out" # not in $(): VERIFY_RC must reach this shell
out=$(cat "$scratch/verify.out")
[[ $VERIFY_RC == 0 && -z $out ]] || fail "systemd-analyze verify $copy (status $VERIFY_RC): $out"

# The check can fail: a unit with a bad Restart= is reported.
bad="$scratch/bad.service"
sed 's/^Restart=always/Restart=sometimes/' "$copy" >"$bad"
verify "$bad" >"$scratch/verify.out"
out=$(cat "$scratch/verify.out")
grep -qi "restart" <<<"$out" || fail "systemd-analyze did not report Restart=sometimes in $bad: '$out'"
echo "PASS [check-unit]: $unit" >&2
