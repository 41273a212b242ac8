#!/bin/bash
# The SDK as a plugin author meets it: `cmake --install` of this build into a scratch prefix (then
# moved), the template built from a copy out of tree with find_package and with pkg-config, each
# run on the INSTALLED wall fed by the test server: exact values in --state, the LED in pixels.
#
# Environment (tests/sdk/CMakeLists.txt): lib.sh's, plus WB_BUILD_DIR (the build tree to
# install), WB_INSTALL_LIBDIR (CMAKE_INSTALL_LIBDIR), WB_ABI (the header's "MAJOR.MINOR") and
# WB_CMAKE. Everything it makes is under a mktemp folder in /tmp (outside the source tree),
# removed when it passes and kept (its path printed) when it fails.
source "$WB_SOURCE_DIR/tests/e2e/lib.sh"
: "${WB_BUILD_DIR:?}" "${WB_INSTALL_LIBDIR:?}" "${WB_ABI:?}" "${WB_CMAKE:?}"
need_tool pkg-config
need_tool make
need_tool nm

OOT=$(mktemp -d /tmp/wallboard-sdk-test.XXXXXX)
chmod 0755 "$OOT" # like a home folder: readable, writable by its owner only (the loader checks)
_sdk_cleanup() {
    local rc=$?
    if ((rc == 0)); then rm -rf "$OOT"; else echo "---- sdk_install kept $OOT" >&2; fi
    (exit "$rc")
    _cleanup
}
trap _sdk_cleanup EXIT

LIBDIR=$WB_INSTALL_LIBDIR
# ------------------------------------------------------------------ (a) install, then move it

log "cmake --install $WB_BUILD_DIR --prefix $OOT/staging"
"$WB_CMAKE" --install "$WB_BUILD_DIR" --prefix "$OOT/staging" >"$WB_SCRATCH/install.log" 2>&1 ||
    fail "cmake --install failed: $(tail -n 20 "$WB_SCRATCH/install.log")"
# Relocatable: every path of the package is relative to where it lies now.
mv "$OOT/staging" "$OOT/prefix"
P=$OOT/prefix

# ------------------------------------------------------------------ (b) the installed files

need_file() { [[ -f $P/$1 ]] || fail "cmake --install did not install $1 (in $P)"; }
need_exec() { [[ -x $P/$1 ]] || fail "cmake --install did not install the program $1 (in $P)"; }
need_exec bin/wallboard
need_exec bin/wallboard-feeds
for plugin in counter clock clinic_queues absent_students exchange_trades; do
    need_file "$LIBDIR/wallboard/plugins/$plugin.so"
done
[[ ! -e $P/$LIBDIR/wallboard/plugins/template.so ]] ||
    fail "the template plugin is installed with the bundled ones; it is an example to copy"
need_file include/wallboard/plugin.h
cmp -s "$P/include/wallboard/plugin.h" "$WB_SOURCE_DIR/include/wallboard/plugin.h" ||
    fail "the installed plugin.h differs from include/wallboard/plugin.h"
need_file "$LIBDIR/pkgconfig/wallboard-plugin.pc"
CMAKE_PKG=$LIBDIR/cmake/WallboardPlugin
need_file "$CMAKE_PKG/WallboardPluginConfig.cmake"
need_file "$CMAKE_PKG/WallboardPluginConfigVersion.cmake"
need_file "$CMAKE_PKG/WallboardPluginFunctions.cmake"
# the plugin test harness goes with the package when it is in the tree (another part of the SDK)
if [[ -f $WB_SOURCE_DIR/sdk/WallboardPluginTest.cmake ]]; then
    need_file "$CMAKE_PKG/WallboardPluginTest.cmake"
fi
if [[ -f $WB_SOURCE_DIR/sdk/wallboard-plugin-test.sh ]]; then
    need_exec "$CMAKE_PKG/wallboard-plugin-test.sh"
fi
need_file share/man/man1/wallboard.1
need_file share/man/man1/wallboard-feeds.1
for f in guizhou.json demo.json fonts.list; do need_file "share/wallboard/$f"; done
need_file lib/systemd/user/wallboard.service
log "installed: programs, ${LIBDIR}/wallboard/plugins, header, .pc, CMake package, man pages, data"

# pkg-config, from the moved prefix: the folders resolve inside it, the ABI is the header's.
export PKG_CONFIG_PATH=$P/$LIBDIR/pkgconfig
pc() { pkg-config "$@" wallboard-plugin 2>&1 || fail "pkg-config $* wallboard-plugin: failed"; }
[[ $(pc --modversion) == "$WB_ABI" ]] || fail "wallboard-plugin.pc Version: expected $WB_ABI, saw $(pc --modversion)"
[[ $(pc --variable=abi) == "$WB_ABI" ]] || fail "wallboard-plugin.pc abi: expected $WB_ABI, saw $(pc --variable=abi)"
plugindir=$(pc --variable=plugindir)
[[ $(realpath "$plugindir") == "$P/$LIBDIR/wallboard/plugins" ]] ||
    fail "wallboard-plugin.pc plugindir: expected $P/$LIBDIR/wallboard/plugins, saw $plugindir"
include_flag=$(pc --cflags-only-I | tr ' ' '\n' | grep -m1 -- '-I.*include$' || true)
[[ -n $include_flag && $(realpath "${include_flag#-I}") == "$P/include" ]] ||
    fail "pkg-config --cflags wallboard-plugin: expected -I to $P/include, saw: $(pc --cflags)"
pc --print-requires | grep -qx 'jansson' || fail "wallboard-plugin.pc: expected Requires: jansson, saw: $(pc --print-requires)"

# ------------------------------------------------------------------ (c) the template, twice

cp -r "$WB_SOURCE_DIR/plugins/template" "$OOT/with-cmake"
cp -r "$WB_SOURCE_DIR/plugins/template" "$OOT/with-make"
rm -rf "$OOT"/with-*/build "$OOT"/with-*/*.so

log "the template with find_package(WallboardPlugin) (CMAKE_PREFIX_PATH=$P)"
(
    unset PKG_CONFIG_PATH # find_package alone must be enough (jansson comes from the system)
    "$WB_CMAKE" -S "$OOT/with-cmake" -B "$OOT/with-cmake/build" -DCMAKE_PREFIX_PATH="$P" \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS=-Werror &&
        "$WB_CMAKE" --build "$OOT/with-cmake/build"
) >"$WB_SCRATCH/with-cmake.log" 2>&1 || fail "the template did not build with find_package: $(tail -n 30 "$WB_SCRATCH/with-cmake.log")"
found=$(sed -n 's/^WallboardPlugin_DIR:[A-Z]*=//p' "$OOT/with-cmake/build/CMakeCache.txt")
[[ $found == "$P/$CMAKE_PKG" ]] || fail "find_package(WallboardPlugin) found $found, expected $P/$CMAKE_PKG"
CMAKE_SO=$OOT/with-cmake/build/template.so
[[ -f $CMAKE_SO ]] || fail "the CMake build made no template.so (no 'lib' prefix): $(ls "$OOT/with-cmake/build")"

# What the package tells a CMake project: the installed (moved) programs and folders, the ABI,
# and add_wallboard_plugin_test() when the harness is installed.
mkdir -p "$OOT/package-vars"
cat >"$OOT/package-vars/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.20)
project(package_vars C)
find_package(WallboardPlugin 1.0 REQUIRED)
if(COMMAND add_wallboard_plugin_test)
  set(harness yes)
else()
  set(harness no)
endif()
get_target_property(inc Wallboard::plugin INTERFACE_INCLUDE_DIRECTORIES)
file(WRITE ${CMAKE_BINARY_DIR}/vars.txt "abi=${WALLBOARD_PLUGIN_ABI}
plugindir=${WALLBOARD_PLUGIN_DIR}
wallboard=${WALLBOARD_EXECUTABLE}
feeds=${WALLBOARD_FEEDS_EXECUTABLE}
include=${inc}
harness=${harness}
")
EOF
"$WB_CMAKE" -S "$OOT/package-vars" -B "$OOT/package-vars/build" -DCMAKE_PREFIX_PATH="$P" \
    >"$WB_SCRATCH/package-vars.log" 2>&1 ||
    fail "find_package(WallboardPlugin 1.0) failed: $(tail -n 20 "$WB_SCRATCH/package-vars.log")"
vars=$OOT/package-vars/build/vars.txt
var() { sed -n "s/^$1=//p" "$vars"; }
[[ $(var abi) == "$WB_ABI" ]] || fail "WALLBOARD_PLUGIN_ABI: expected $WB_ABI, saw $(var abi)"
[[ $(var plugindir) == "$P/$LIBDIR/wallboard/plugins" ]] || fail "WALLBOARD_PLUGIN_DIR: saw $(var plugindir)"
[[ $(var wallboard) == "$P/bin/wallboard" ]] || fail "WALLBOARD_EXECUTABLE: saw $(var wallboard)"
[[ $(var feeds) == "$P/bin/wallboard-feeds" ]] || fail "WALLBOARD_FEEDS_EXECUTABLE: saw $(var feeds)"
[[ $(var include) == "$P/include" ]] || fail "Wallboard::plugin's include folder: saw $(var include)"
if [[ -f $WB_SOURCE_DIR/sdk/WallboardPluginTest.cmake ]]; then
    [[ $(var harness) == yes ]] || fail "find_package(WallboardPlugin) gives no add_wallboard_plugin_test()"
fi
# A newer minor than the installed ABI's, or another major, is refused by the version file.
abi_major=${WB_ABI%%.*}
for want in "$abi_major.99" "$((abi_major + 1)).0"; do
    sed -i "s/^find_package(WallboardPlugin [0-9.]* REQUIRED)/find_package(WallboardPlugin $want REQUIRED)/" \
        "$OOT/package-vars/CMakeLists.txt"
    if "$WB_CMAKE" -S "$OOT/package-vars" -B "$OOT/package-vars/build-$want" \
        -DCMAKE_PREFIX_PATH="$P" >"$WB_SCRATCH/package-vars-$want.log" 2>&1; then
        fail "find_package(WallboardPlugin $want) accepted the installed ABI $WB_ABI"
    fi
    grep -q "version: $WB_ABI" "$WB_SCRATCH/package-vars-$want.log" ||
        fail "find_package(WallboardPlugin $want) failed, but not naming version $WB_ABI: $(tail -n 20 "$WB_SCRATCH/package-vars-$want.log")"
done

log "the template with its Makefile and pkg-config (PKG_CONFIG_PATH=$PKG_CONFIG_PATH)"
make -C "$OOT/with-make" CFLAGS="-O2 -Werror" >"$WB_SCRATCH/with-make.log" 2>&1 ||
    fail "the template did not build with make + pkg-config: $(tail -n 30 "$WB_SCRATCH/with-make.log")"
MAKE_SO=$OOT/with-make/template.so
[[ -f $MAKE_SO ]] || fail "make built no template.so"
for so in "$CMAKE_SO" "$MAKE_SO"; do
    "$WB_SOURCE_DIR/tests/check_exports.sh" "$so" >/dev/null 2>"$WB_SCRATCH/exports.err" ||
        fail "$so exports more than its entry: $(cat "$WB_SCRATCH/exports.err")"
done

# ------------------------------------------------------------------ (d) on the installed wall

WB_WALL=$P/bin/wallboard # lib.sh's wall_* functions run this one from here on
export XDG_DATA_HOME=$OOT/data-home
mkdir -p "$XDG_DATA_HOME/wallboard/plugins"

# Its own plugin path: the user's folder, then the prefix's plugins (found from where the
# program lies, so after the move), never the build tree's.
wall_run 20 --list-plugins
((RUN_RC == 0)) || fail "--list-plugins: exit $RUN_RC: $(cat "$WALL_ERR")"
grep -qE "^counter  .*  $P/$LIBDIR/wallboard/plugins/counter\.so( |$)" "$WALL_OUT" ||
    fail "installed wallboard --list-plugins: expected counter from $P/$LIBDIR/wallboard/plugins, saw: $(cat "$WALL_OUT")"
! grep -q "$WB_BUILD_DIR" "$WALL_OUT" ||
    fail "the installed wallboard looks in the build tree $WB_BUILD_DIR: $(cat "$WALL_OUT")"
! grep -qE '^template ' "$WALL_OUT" || fail "the installed wallboard sees a template plugin: $(cat "$WALL_OUT")"
cp "$MAKE_SO" "$XDG_DATA_HOME/wallboard/plugins/template.so"
wall_run 20 --list-plugins
grep -qE "^template  1\.0\.0  ABI [0-9]+\.[0-9]+  $XDG_DATA_HOME/wallboard/plugins/template\.so" "$WALL_OUT" ||
    fail "--list-plugins: expected the template from \$XDG_DATA_HOME/wallboard/plugins, saw: $(cat "$WALL_OUT")"
rm "$XDG_DATA_HOME/wallboard/plugins/template.so"

# The installed wall config is valid with the installed plugins, and its fonts are all there.
wall_run 20 --check-config --config "$P/share/wallboard/guizhou.json"
((RUN_RC == 0)) || fail "--check-config of the installed guizhou.json: exit $RUN_RC: $(cat "$WALL_OUT" "$WALL_ERR")"

server_start_script feed <<'S'
{"key":"beds","value":12}
{"key":"beds","other":1}
{"key":"beds","value":"many"}
{"key":"beds","value":9876}
S
cat >"$WALL_CONFIG" <<EOF
{"title": "sdk", "grid": {"columns": 1, "rows": 1},
 "feeds": {"f1": {"url": "$(url feed)"}},
 "tiles": [{"id": "t", "plugin": "template", "feed": "f1", "match": {"key": "beds"},
            "cell": [0, 0], "title": "Beds free",
            "options": {"value": "/value", "thresholds": {"warn": 5000, "alarm": 20000}}}]}
EOF
# Both builds, each alone on the plugin path (with the installed fonts list).
for build in cmake make; do
    so_dir=$OOT/with-$build
    [[ $build == cmake ]] && so_dir=$OOT/with-cmake/build
    log "the $build build on the installed wall"
    WALLBOARD_FONTS=$P/share/wallboard/fonts.list wall_start --headless --size 640x360 --plugin-dir "$so_dir"
    wall_wait 20 "$(tile t).values.messages == 2" "the template tile on 9876 after 2 values"
    wall_stop
    assert_eq "$(tile t).state" '"live"' "$build build: the tile's state"
    assert_eq "$(tile t).values.value" 9876 "$build build: the value reported"
    assert_eq "$(tile t).values.shown" '"9876"' "$build build: the LED text"
    assert_eq "$(tile t).values.label" '"Beds free"' "$build build: the label (the tile title)"
    assert_eq "$(tile t).values.level" '"warn"' "$build build: the level (warn 5000 <= 9876 < alarm 20000)"
    assert_eq "$(tile t).values.feed_state" '"live"' "$build build: the feed state the plugin saw"
    assert_eq "$(tile t).matched" 4 "$build build: messages matched"
    assert_eq "$(tile t).invalid" 1 "$build build: the string value counted invalid"
    assert_eq ".wallboard.abi" "\"$WB_ABI\"" "$build build: the host's ABI"
    # the LED number in the warn colour (amber), not the dashes of an empty tile
    assert_pixels "$WALL_SHOT" t amber 1500
    cp "$WALL_SHOT" "$WB_SCRATCH/template-$build.png"
done
server_stop feed

# (e) the installed test harness, as docs/plugins.md shows an author using it: a recording and an
# expected state next to the copied template, one add_wallboard_plugin_test() line, `ctest`. It
# runs the installed wallboard and wallboard-feeds.
if [[ -f $WB_SOURCE_DIR/sdk/WallboardPluginTest.cmake ]]; then
    log "the installed harness on the out-of-tree template"
    cp "$WB_SOURCE_DIR/tests/harness/demo_seed2024.jsonl" "$OOT/with-cmake/demo.jsonl"
    cp "$WB_SOURCE_DIR/tests/harness/template.expected.json" "$OOT/with-cmake/expected.json"
    cat >>"$OOT/with-cmake/CMakeLists.txt" <<'CMAKE'

enable_testing()
add_wallboard_plugin_test(template_replay PLUGIN template
  RECORDING demo.jsonl EXPECT_STATE expected.json
  MATCH [=[{"key": "k1"}]=] OPTIONS [=[{"thresholds": {"warn": 200, "alarm": 300}}]=]
  TITLE "Patients waiting")
CMAKE
    (
        unset PKG_CONFIG_PATH
        "$WB_CMAKE" -S "$OOT/with-cmake" -B "$OOT/with-cmake/build" -DCMAKE_PREFIX_PATH="$P" &&
            "$WB_CMAKE" --build "$OOT/with-cmake/build" &&
            cd "$OOT/with-cmake/build" && "$WB_CTEST" --output-on-failure --timeout 60
    ) >"$WB_SCRATCH/harness-oot.log" 2>&1 ||
        fail "the installed harness failed on the template: $(tail -n 30 "$WB_SCRATCH/harness-oot.log")"
    grep -q "template_replay .*Passed" "$WB_SCRATCH/harness-oot.log" ||
        fail "the out-of-tree ctest ran no template_replay: $(tail -n 20 "$WB_SCRATCH/harness-oot.log")"
    grep -qF "$P/bin/wallboard" "$OOT/with-cmake/build/CTestTestfile.cmake" ||
        fail "the out-of-tree test does not run the installed wallboard ($P/bin/wallboard)"
fi
