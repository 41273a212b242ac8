#!/bin/bash
# The command line contract outside a running feed: --version, --help, a bad option, --list-plugins,
# and --frames / --seconds ending a headless wall by itself with --state and --screenshot written.
source "$(dirname "$0")/lib.sh"

# --version
wall_run 10 --version
((RUN_RC == 0)) || fail "--version: expected exit 0, saw $RUN_RC"
grep -qE '[0-9]+\.[0-9]+\.[0-9]+' "$WALL_OUT" || fail "--version: expected a version x.y.z on stdout, saw: $(cat "$WALL_OUT")"
abi=$(awk '/^#define WB_ABI_MAJOR/ {ma=$3} /^#define WB_ABI_MINOR/ {mi=$3} END {print ma "." mi}' \
    "$WB_SOURCE_DIR/include/wallboard/plugin.h")
grep -qF "(plugin ABI $abi)" "$WALL_OUT" ||
    fail "--version: expected '(plugin ABI $abi)' on stdout, saw: $(cat "$WALL_OUT")"

# --help names every option of the contract
wall_run 10 --help
((RUN_RC == 0)) || fail "--help: expected exit 0, saw $RUN_RC"
for opt in --config --headless --windowed --size --seconds --frames --screenshot --state \
    --plugin-dir --check-config --list-plugins --version --help; do
    grep -q -- "$opt" "$WALL_OUT" || fail "--help: expected it to mention $opt, saw: $(cat "$WALL_OUT")"
done

# an unknown option: refused, named, no window opened
wall_run 10 --no-such-option
((RUN_RC != 0 && RUN_RC < 128)) || fail "--no-such-option: expected a non-zero exit (not a crash), saw $RUN_RC"
grep -q -- "--no-such-option" "$WALL_ERR" || fail "--no-such-option: expected stderr to name it, saw: $(cat "$WALL_ERR")"

# --list-plugins: one line per plugin, the good ones with their ABI, broken ones with the reason
args=(--list-plugins --plugin-dir "$WB_PLUGIN_DIR")
[[ -d $WB_TEST_PLUGIN_DIR ]] && args+=(--plugin-dir "$WB_TEST_PLUGIN_DIR")
wall_run 10 "${args[@]}"
((RUN_RC == 0)) || fail "--list-plugins: expected exit 0, saw $RUN_RC; stderr: $(cat "$WALL_ERR")"
grep -qE "^counter[[:space:]]+[0-9.]+[[:space:]]+ABI ${abi//./\\.}[[:space:]]" "$WALL_OUT" ||
    fail "--list-plugins: expected a 'counter VERSION ABI $abi ...' line, saw: $(cat "$WALL_OUT")"
if [[ -f $WB_TEST_PLUGIN_DIR/not_a_plugin.so ]]; then
    grep -qE '^not_a_plugin[: ].*cannot load' "$WALL_OUT" ||
        fail "--list-plugins: expected 'not_a_plugin: cannot load: reason', saw: $(cat "$WALL_OUT")"
fi

# a feedless wall ended by --frames, then by --seconds: exit 0, state and screenshot written
cat >"$WALL_CONFIG" <<'EOF'
{"title": "cli", "grid": {"columns": 1, "rows": 1},
 "tiles": [{"id": "a", "plugin": "counter", "cell": [0, 0], "options": {"value": "/value"}}]}
EOF
for end in "--frames 1" "--seconds 0.5"; do
    rm -f "$WALL_STATE" "$WALL_SHOT"
    # shellcheck disable=SC2086 # $end is two words on purpose
    wall_run 30 --config "$WALL_CONFIG" --plugin-dir "$WB_PLUGIN_DIR" --headless --size 320x240 \
        $end --state "$WALL_STATE" --screenshot "$WALL_SHOT"
    ((RUN_RC == 0)) || fail "$end: expected exit 0, saw $RUN_RC; stderr: $(cat "$WALL_ERR")"
    [[ -s $WALL_STATE ]] || fail "$end: no --state file written at exit"
    assert_jq ".wallboard.frames >= 1" "$end: at least one frame presented"
    assert_eq ".wallboard.size" '[320,240]' "$end: wall size"
    assert_eq "$(tile a).values.value" null "$end: tile a value (no feed, nothing shown)"
    assert_screenshot_size 320 240 "$end: "
done
