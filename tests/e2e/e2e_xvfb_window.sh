#!/bin/bash
# A real X11 window under Xvfb: --windowed --size 1280x720 ending by itself after --seconds; its
# screenshot at exit shows the LED red digits of the value that arrived. Then fullscreen (the
# default): the wall takes the display's mode whatever --size says, and ends cleanly on SIGINT.
source "$(dirname "$0")/lib.sh"

xvfb_start

server_start_script feed <<'S'
{"key":"a","value":8086}
S

write_counter_wall "e2e xvfb" a

# --seconds bounds the run; the test waits for the value with SIGUSR1 dumps, then lets the wall
# end by itself. 10 s leaves room for a slow (sanitizer) start; nothing asserts on the timing.
export DISPLAY=$XVFB_DISPLAY
unset WAYLAND_DISPLAY SDL_VIDEODRIVER
wall_start --windowed --size 1280x720 --seconds 10
wall_wait 10 "$(tile a).values.value == 8086" "tile a showing 8086 in the X11 window"
wall_wait_exit 30
[[ -s $WALL_STATE ]] || fail "wallboard ended (--seconds) without a --state file"
[[ -s $WALL_SHOT ]] || fail "wallboard ended (--seconds) without a --screenshot file"

assert_eq "$(tile a).values.value" 8086 "tile a value"
assert_eq ".wallboard.size" '[1280,720]' "window size"
assert_screenshot_size 1280 720
assert_pixels "$WALL_SHOT" a red 500

# The window draws straight into its framebuffer (no canvas): the same pixels as headless.
cp "$WALL_SHOT" "$WB_SCRATCH/window.png"
wall_start --headless --size 1280x720
wall_wait 20 "$(tile a).values.value == 8086" "tile a showing 8086 headless"
wall_stop
n=$("$WB_PNGPROBE" "$WB_SCRATCH/window.png" diff "$WALL_SHOT") || fail "pngprobe diff failed"
((n == 0)) || fail "the X11 window and headless differ in $n pixels (window.png vs $WALL_SHOT)"

# Fullscreen on the primary display: --size is for windows and headless only.
rm -f "$WALL_SHOT"
wall_start --size 800x600 --seconds 30
wall_wait 10 "$(tile a).values.value == 8086" "tile a showing 8086 fullscreen"
wall_stop INT
assert_eq ".wallboard.size" '[1280,720]' "fullscreen size (the Xvfb screen's mode)"
assert_screenshot_size 1280 720
assert_pixels "$WALL_SHOT" a red 500

server_stop feed
stop_pid "$XVFB_PID" 10 TERM
