#!/bin/bash
# doc_examples.sh DOC.md: every example of docs/plugins.md still compiles and works: whole C files
# are built (plugins listed by the wall, tests run), C fragments compiled, JSON parsed and checked.
# Environment (tests/harness/CMakeLists.txt): WB_WALL WB_SOURCE_DIR WB_SCRATCH WB_TEMPLATE_SO
# (template.so, for the unit test example), CC, WB_DOC_CFLAGS (e.g. sanitizer flags).
set -euo pipefail
doc=$1
: "${WB_WALL:?}" "${WB_SOURCE_DIR:?}" "${WB_SCRATCH:?}" "${WB_TEMPLATE_SO:=}"
: "${CC:=cc}" "${WB_DOC_CFLAGS:=}"
[[ $WB_SCRATCH == /*/scratch/* ]] || { echo "refusing WB_SCRATCH=$WB_SCRATCH" >&2; exit 2; }
rm -rf "$WB_SCRATCH"
mkdir -p "$WB_SCRATCH/blocks" "$WB_SCRATCH/plugins"
cd "$WB_SCRATCH"
export XDG_STATE_HOME=$WB_SCRATCH/state-home

# shellcheck disable=SC2206 # flags are words
CFLAGS=(-std=c11 -Wall -Wextra -Wpedantic -Werror -I "$WB_SOURCE_DIR/include" $WB_DOC_CFLAGS)
read -r -a JANSSON <<<"$(pkg-config --cflags --libs jansson)"
FAILS=0 COUNT=0
fail() {
    echo "FAIL [docs_plugins_examples]: $*" >&2
    FAILS=$((FAILS + 1))
}

# Each fenced block to blocks/N.LANG, and its first line's number in the doc to blocks/N.line.
awk -v out=blocks '
    /^```/ && !inside { inside = 1; lang = substr($0, 4); n++; if (lang == "") lang = "txt";
                        file = sprintf("%s/%03d.%s", out, n, lang);
                        printf "" > file; print NR + 1 > sprintf("%s/%03d.line", out, n); next }
    /^```/ && inside  { inside = 0; close(file); next }
    inside            { print >> file }' "$doc"

fragment_prologue() {
    cat <<'EOF'
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <wallboard/plugin.h>
void doc_fragment(const wb_host_services *s, wb_host *h, wb_rect rect,
                  const struct json_t *message, struct json_t *out);
void doc_fragment(const wb_host_services *s, wb_host *h, wb_rect rect,
                  const struct json_t *message, struct json_t *out)
{
    (void)s, (void)h, (void)rect, (void)message, (void)out;
EOF
}

for block in blocks/*.c; do
    COUNT=$((COUNT + 1))
    line=$(cat "${block%.c}.line")
    where="$doc:$line"
    name=$(sed -n '1s|^/\* \([A-Za-z0-9_]*\)\.c:.*|\1|p' "$block")
    if [[ -z $name ]]; then
        # A fragment: compiled in a function where s, h, rect, message and out exist.
        { fragment_prologue; echo "#line $line \"$doc\""; cat "$block"; echo "}"; } >"${block%.c}.frag.c"
        "$CC" "${CFLAGS[@]}" -Wno-unused-variable -Wno-unused-but-set-variable -fsyntax-only \
            "${JANSSON[@]}" "${block%.c}.frag.c" 2>"${block%.c}.err" ||
            fail "the fragment at $where does not compile: $(cat "${block%.c}.err")"
        continue
    fi
    src="$WB_SCRATCH/$name.c"
    { echo "#line $line \"$doc\""; cat "$block"; } >"$src"
    if grep -q 'wallboard_plugin_entry(void)' "$src"; then
        # A plugin: built as the SDK would, then the wall must load it.
        if "$CC" "${CFLAGS[@]}" -fPIC -shared -fvisibility=hidden -o "plugins/$name.so" "$src" \
            "${JANSSON[@]}" 2>"$name.err"; then
            "$WB_WALL" --list-plugins --plugin-dir "$WB_SCRATCH/plugins" >list.txt 2>&1 || true
            grep -Eq "^$name  [^ ]+  ABI [0-9]+\.[0-9]+  " list.txt ||
                fail "the plugin $name.c at $where does not load: $(grep "^$name" list.txt)"
        else
            fail "the plugin $name.c at $where does not compile: $(cat "$name.err")"
        fi
    elif grep -q '<cmocka.h>' "$src"; then
        # A unit test of the template plugin: built and run on it.
        read -r -a CMOCKA <<<"$(pkg-config --cflags --libs cmocka)"
        if ! "$CC" "${CFLAGS[@]}" -o "$name" "$src" "${CMOCKA[@]}" "${JANSSON[@]}" -ldl -lm \
            2>"$name.err"; then
            fail "the test $name.c at $where does not compile: $(cat "$name.err")"
        elif [[ -z $WB_TEMPLATE_SO ]]; then
            echo "note: WB_TEMPLATE_SO unset: $name.c compiled, not run" >&2
        elif ! "./$name" "$WB_TEMPLATE_SO" >"$name.out" 2>&1; then
            fail "the test $name.c at $where fails on $WB_TEMPLATE_SO: $(cat "$name.out")"
        fi
    else
        "$CC" "${CFLAGS[@]}" -fsyntax-only "$src" "${JANSSON[@]}" 2>"$name.err" ||
            fail "$name.c at $where does not compile: $(cat "$name.err")"
    fi
done

# JSON blocks parse; a wall config among them passes --check-config (its plugins stood in for
# by the doc's own tiny.so, under each name it uses).
for block in blocks/*.json; do
    [[ -e $block ]] || continue
    COUNT=$((COUNT + 1))
    where="$doc:$(cat "${block%.json}.line")"
    jq -e . "$block" >/dev/null 2>&1 || { fail "the JSON at $where does not parse"; continue; }
    jq -e 'has("tiles")' "$block" >/dev/null || continue
    mkdir -p stand-in
    for plugin in $(jq -r '.tiles[].plugin' "$block"); do
        cp "plugins/tiny.so" "stand-in/$plugin.so" 2>/dev/null || fail "no tiny.so to stand in for $plugin"
    done
    "$WB_WALL" --check-config --config "$block" --plugin-dir "$WB_SCRATCH/stand-in" >check.txt 2>&1 ||
        fail "the wall config at $where is refused: $(cat check.txt)"
done

if ((FAILS > 0)); then
    echo "FAIL [docs_plugins_examples]: $FAILS of $COUNT examples; see $WB_SCRATCH" >&2
    exit 1
fi
echo "PASS [docs_plugins_examples]: $COUNT C and JSON examples of $doc"
