#!/bin/bash
# --check-config: a config with three errors gives exit 1 and exactly those three lines
# "FILE:LINE:COL: $.path: message" (LINE:COL where the member's key starts); a valid one exits 0.
source "$(dirname "$0")/lib.sh"

bad="$WB_SCRATCH/three-errors.json"
cat >"$bad" <<'EOF'
{"title": "three errors",
 "grid": {"columns": 2, "rows": 1, "gap": -5},
 "feeds": {"f1": {"url": "ws://127.0.0.1:9/x"}},
 "tiles": [
  {"id": "a", "plugin": "counter", "cell": [0, 0],
   "feed": "nofeed"},
  {"id": "b", "cell": [1, 0],
   "plugin": "no_such_plugin"}
 ]}
EOF

# col_of LINE KEY: the 1-based column of "KEY" on that line of $bad.
col_of() { awk -v n="$1" -v k="\"$2\"" 'NR == n { print index($0, k) }' "$bad"; }

wall_run 20 --check-config --config "$bad" --plugin-dir "$WB_PLUGIN_DIR"
((RUN_RC == 1)) || fail "--check-config on $bad: expected exit 1, saw $RUN_RC; stderr: $(cat "$WALL_ERR")"
all=$(cat "$WALL_OUT" "$WALL_ERR")
# ERE-quote a path
ere_quote() { printf '%s' "$1" | sed 's/[].[*^$\/+?(){}|]/\\&/g'; }
pattern="^$(ere_quote "$bad")"':[0-9]+:[0-9]+: \$[^ ]*: .+'
matching=$(grep -cE "$pattern" <<<"$all" || true)
if ((matching != 3)); then
    echo "---- output:" >&2
    echo "$all" >&2
    fail "expected exactly 3 lines 'FILE:LINE:COL: \$.path: message', saw $matching"
fi
lines=$(grep -c . <<<"$all" || true)
((lines == 3)) || { echo "$all" >&2; fail "expected only the 3 error lines, saw $lines lines"; }

# expect_error LINE KEY PATH WORDS: the error at LINE:COL(KEY) for PATH, message matching WORDS.
expect_error() {
    local line=$1 key=$2 path=$3 words=$4 col
    col=$(col_of "$line" "$key")
    local prefix="$bad:$line:$col: $path: "
    local got
    got=$(grep -F "$prefix" <<<"$all" || true)
    [[ -n $got ]] || { echo "$all" >&2; fail "expected an error starting '$prefix'"; }
    grep -qiE "$words" <<<"$got" || fail "error '$got': expected its message to match /$words/"
}
expect_error 2 gap '$.grid.gap' 'range|between|0|200|negative'
expect_error 6 feed '$.tiles[0].feed' 'nofeed|unknown|no such|not'
expect_error 8 plugin '$.tiles[1].plugin' 'no_such_plugin|unknown|not found|no such'

# sorted by position
order=$(grep -oE ":[0-9]+:[0-9]+: " <<<"$all" | cut -d: -f2 | tr '\n' ' ')
[[ $order == "2 6 8 " ]] || fail "expected the errors sorted by line (2 6 8), saw $order"

# a JSON syntax error: one line with a position
syntax="$WB_SCRATCH/syntax.json"
printf '{"grid": {"columns": 1, "rows": 1},\n "tiles": [ ,\n ]}\n' >"$syntax"
wall_run 20 --check-config --config "$syntax" --plugin-dir "$WB_PLUGIN_DIR"
((RUN_RC == 1)) || fail "--check-config on a syntax error: expected exit 1, saw $RUN_RC"
grep -qE "^$(ere_quote "$syntax"):2:[0-9]+: " "$WALL_ERR" ||
    fail "syntax error: expected a '$syntax:2:COL: ...' line, saw: $(cat "$WALL_OUT" "$WALL_ERR")"

# a valid config, checked without a display
good="$WB_SCRATCH/valid.json"
cat >"$good" <<'EOF'
{"title": "valid", "grid": {"columns": 2, "rows": 1, "gap": 12},
 "feeds": {"f1": {"url": "ws://127.0.0.1:9/x"}},
 "tiles": [
  {"id": "a", "plugin": "counter", "feed": "f1", "match": {"key": "a"}, "cell": [0, 0],
   "span": [1, 1], "title": "Waiting", "stale_after": 2,
   "options": {"value": "/value", "decimals": 0, "animate_ms": 0}},
  {"id": "b", "plugin": "counter", "feed": "f1", "match": {"/meta/key": "b"}, "cell": [1, 0],
   "options": {"value": "/value"}}
 ]}
EOF
RUN_RC=0
timeout -k 5 20 env -u DISPLAY -u WAYLAND_DISPLAY "$WB_WALL" --check-config --config "$good" \
    --plugin-dir "$WB_PLUGIN_DIR" >"$WALL_OUT" 2>"$WALL_ERR" || RUN_RC=$?
((RUN_RC == 0)) || fail "--check-config on a valid config: expected exit 0, saw $RUN_RC; output: $(cat "$WALL_OUT" "$WALL_ERR")"
