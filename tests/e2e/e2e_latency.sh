#!/bin/bash
# Feed-to-pixel latency in --state: every message that carries "sent_us" and reaches a tile is
# sampled once its frame is presented; one without it is not; a sender clock ahead counts 0.
source "$(dirname "$0")/lib.sh"

# sent_us of 2023-11-14 (1700000000 s): its latency is about three years, so max_ms shows the
# host used the message's own stamp. The one from 2100 is "ahead": 0, never negative.
server_start_script feed <<'S'
{"key":"a","value":1,"sent_us":1700000000000000}
{"key":"a","value":2}
{"key":"a","value":3,"sent_us":4102444800000000}
@sleep 60000
S

write_counter_wall "e2e latency" a
wall_start --headless --size 640x360
wall_wait 20 "$(tile a).values.value == 3 and .wallboard.latency.samples == 2" \
    "tile a showing 3 and two latency samples (the message without sent_us not sampled)"
wall_stop
assert_jq ".wallboard.latency.max_ms > 3600000 * 24 * 365 * 2" "max latency from the 2023 stamp (over two years)"
assert_jq ".wallboard.latency.p50_ms <= 0.001" "the stamp ahead of our clock counted as 0 (p50 of two samples: the first bin, 1 us)"
assert_jq ".wallboard.latency.not_sampled == 0" "nothing over the per-frame bound"
assert_jq ".wallboard.first_frame_ms > 0 and .wallboard.first_frame_mono_us > 0" "start-up to the first frame recorded"
