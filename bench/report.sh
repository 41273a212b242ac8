#!/usr/bin/env bash
# bench/report.sh RESULTS.json OUT.md: docs/BENCHMARKS.md from bench/results.json (bench/run.sh
# calls it; `bench/run.sh --report-only` too). Prints the targets table on stdout as well.
set -euo pipefail
RESULTS=${1:?results.json}
OUT=${2:?BENCHMARKS.md}

# Every target of issue 4: id, what, measured, met (true/false/null = not measured).
targets() {
    jq -c '
    def r(x): (x * 10 | round) / 10;
    def mb(kb): r(kb * 1024 / 1e6);
    def pct(x): (x * 100 | round) / 100;
    def n(x): if x == null then "n/a" else x end;
    . as $R
    | ($R.limits.parse_only.rate) as $parse
    | [
      ( ["1", "4", "16"][] as $f | $R.ingest[$f] // null | select(. != null)
        | {id: "1", target: "Ingest, \(.feeds) feed(s) x \(.keys_per_feed) keys: sustained rate >= 80 % of jansson parse-only",
           measured: "\(.sustained_rate) msg/s = \(pct(.sustained_rate / $parse * 100)) % of \($parse) msg/s (first failing rate \(.first_failing_rate))",
           met: (.sustained_rate >= 0.8 * $parse)}),
      ( ["1000", "10000", "100000"][] as $r | $R.latency[$r] // null | select(. != null)
        | {id: "2", target: "Latency feed to pixels at \($r | tonumber / 1000) k msg/s: p99 <= 18.7 ms",
           measured: (if .latency == null then "no .wallboard.latency in the state file (this build does not measure it)"
                      else "p50 \(r(.latency.p50_ms)) / p99 \(r(.latency.p99_ms)) / max \(r(.latency.max_ms)) ms (\(.latency.samples) samples; sent at \(.achieved_rate | floor) msg/s, \(.dropped) dropped, \(n(.coalesced)) coalesced)" end),
           met: (if .latency == null or .latency.samples == 0 then null else .latency.p99_ms <= 18.7 end)}),
      ( $R.frames // [] | map(select(.tiles == 12 and .size == "3840x2160" and .mode == "change")) | first
        | select(. != null)
        | {id: "3", target: "Frame cost: full redraw, 12 tiles, 3840x2160, software renderer: p99 <= 5 ms",
           measured: "p50 \(r(.p50_ms)) / p99 \(r(.p99_ms)) ms (every tile a new value; unchanged values: see below)",
           met: (.p99_ms <= 5)}),
      ( $R.memory // null | select(. != null) | [.demo_1920x1080, .demo_3840x2160]
        | select(all(. != null))
        | {id: "3", target: "A frame in which nothing changed is not drawn",
           measured: "\(.[0].quiet_frames) frames at 1080p, \(.[1].quiet_frames) at 4K in 3 s with live feeds and no change (counter wall)",
           met: (.[0].quiet_frames == 0 and .[1].quiet_frames == 0)}),
      ( $R.idle.idle_default // null | select(. != null)
        | {id: "4", target: "Idle CPU, 60 s, feeds connected, one message a minute, clock ticking: <= 0.5 % of one core",
           measured: "\(pct(.cpu_percent_schedstat)) % (default `stale_after`: badges ticking; \(.cpu_ticks) ticks in \(.seconds) s; \(.frames) frames\(if .clock then "" else "; no clock plugin" end))",
           met: (.cpu_percent_schedstat <= 0.5)}),
      ( $R.memory // null | select(. != null) | ["1920x1080", "3840x2160"][] as $s | .["guizhou_" + $s]
        | {id: "5", target: "Peak RSS (VmHWM), default Guizhou wall (CJK font loaded), feeds live, \($s): <= 60 MB",
           measured: (if . == null then "not measured (Guizhou plugins or wallboard-feeds missing)"
                      else "\(mb(.vm_hwm_kb)) MB (\(.vm_hwm_kb) KiB; \(.seconds) s on wallboard-feeds, \([.feeds[].received] | add) messages\(if .feeds_live == false then "; NOT every feed was live and receiving" else "" end))" end),
           met: (if . == null then null else .vm_hwm_kb * 1024 <= 60e6 end)}),
      ( ($R.soak_full // $R.soak // null) | select(. != null)
        | {id: "5", target: "Soak, 10 k msg/s for 10 min: RSS at the end within 2 % of RSS after the first minute",
           measured: "\(pct(.growth_percent)) % (\(.rss_ref_kb) KiB at \(.ref_s) s -> \(.rss_end_kb) KiB at \(.seconds) s)\(if .seconds < 600 then "; SHORT soak of \(.seconds) s, run `bench/run.sh --soak --only soak` for 10 min" else "; 10-min soak of \(.date // "?"), commit \(.commit // "?")\(if .coalesce_by == true then "" else ", without coalescing" end)" end)",
           met: (if .seconds < 600 then null else .growth_percent <= 2 end)}),
      ( $R.startup // null | select(. != null)
        | {id: "6", target: "Start-up, exec to first presented frame: <= 150 ms",
           measured: (if .first_frame_ms.n == 0 then "no run reported a first frame (`.wallboard.first_frame_mono_us` missing from --state?)"
                      else "p50 \(.first_frame_ms.p50) ms (p90 \(.first_frame_ms.p90), \(.first_frame_ms.n) runs; main() to first frame p50 \(.main_to_first_frame_ms.p50) ms; whole run to exit p50 \(.exit_ms.p50) ms)" end),
           met: (if .first_frame_ms.n == 0 then null else .first_frame_ms.p50 <= 150 end)}),
      ( $R.overload // null | select(. != null)
        | ((.rss_samples | last.t_ms) // 0) as $tend
        | (.rss_samples | map(select(.t_ms >= $tend / 3)) | first) as $third
        | (($third.rss_kb) // 0) as $early
        | ((.rss_samples | last.rss_kb) // 0) as $late
        | (.dropped_in_handover // .dropped) as $hdrop
        | ((.dispatched // 0) + (.coalesced // 0) + $hdrop) as $sum
        | {id: "7", target: "Overload (5 x sustained = \(.target_rate) msg/s): memory stays bounded",
           measured: "RSS \($early) KiB at \($third.t_ms / 1000 | r(.)) s (a third of the run) -> \($late) KiB at \($tend / 1000 | r(.)) s, VmHWM \(.vm_hwm_kb) KiB (sender managed \(.achieved_rate | floor) msg/s)",
           met: ($early > 0 and $late <= $early * 1.05)},
          {id: "7", target: "Overload: the latest value still reaches the screen within the latency target",
           measured: "\(.wrong_tiles) tiles with a wrong final value; \(if .latency == null then "no latency in the state file" else "latency p99 \(r(.latency.p99_ms)) ms, max \(r(.latency.max_ms)) ms" end)",
           met: (if .latency == null then null else .wrong_tiles == 0 and .latency.p99_ms <= 18.7 end)},
          {id: "7", target: "Overload: the drop/coalesce counters say how much was merged",
           measured: "received \(.received) = dispatched \(.dispatched) + coalesced \(n(.coalesced)) + dropped in the hand-over \($hdrop)\(if .received == $sum then "" else " (does NOT add up: \($sum))" end); dropped before parsing \(.dropped_before_parse // "?") (sent \(.sent) - received; `dropped` \(.dropped) in all\(if .dropped_before_parse != null and .seq_missed != null and .seq_missed != .dropped_before_parse then "; seq gaps \(.seq_missed) disagree" else "" end))\(if .dispatched_source == "tiles[].matched" then "; dispatched: the tiles\u0027 `matched`" else "" end)\(if .coalesced == null then "; this build reports no `coalesced`" else "" end)",
           met: (if .coalesced == null then null else .received == $sum and $hdrop >= 0 and (.dropped_before_parse // 0) >= 0 end)})
    ] | .[]' "$RESULTS"
}

yesno() { jq -r 'if .met == true then "met" elif .met == false then "**not met**" else "not measured" end'; }

table() {
    echo "| # | target | measured | |"
    echo "|---|---|---|---|"
    targets | while IFS= read -r t; do
        printf '| %s | %s | %s | %s |\n' "$(jq -r .id <<<"$t")" "$(jq -r .target <<<"$t")" \
            "$(jq -r .measured <<<"$t")" "$(yesno <<<"$t")"
    done
}

TABLE=$(table)
echo "$TABLE"

{
jq -r '"# Benchmarks

Generated by `bench/run.sh` on \(.machine.date) from `bench/results.json`; do not edit by hand
(regenerate with `bench/run.sh`, or `bench/run.sh --report-only` after editing bench/report.sh).
\(if .run.quick then "\n**This is a --quick smoke run: durations are shortened and the numbers are not the reference.**\n" else "" end)\(if .run.coalesce_by == false then "\n**This build of the wall did not accept `coalesce_by`: the bench walls ran without coalescing.**\n" else "" end)
## The machine

| | |
|---|---|
| CPU | \(.machine.cpu), \(.machine.nproc) cores (`nproc`) |
| memory | \(.machine.memory) |
| kernel | \(.machine.kernel) |
| libraries | libwebsockets \(.machine.libwebsockets), jansson \(.machine.jansson), SDL2 \(.machine.sdl2) |
| build | \(.run.build), commit \(.machine.commit)\(if .machine.uncommitted_changes == "yes" then " with uncommitted changes" else "" end) |
| harness run time | \(.run.seconds) s\(if (.run.only // "") != "" then " (the last run was `--only \(.run.only)`; other sections are from earlier runs)" else "" end) |
| load average (1/5/15 min) | \(.machine.loadavg_start // "?") at the start, \(.machine.loadavg_end // "?") at the end: the harness itself keeps about 1-2 cores busy; more means other work shared the machine and the numbers are noisier |

## The command

    bench/run.sh            # about 6 minutes: builds build-bench/, measures, writes this file
    bench/run.sh --soak     # the same with the full 10-minute soak (about 16 minutes)
    bench/run.sh --soak --only soak   # only the 10-minute soak, merged into results.json
    bench/run.sh --only frames        # one section (see bench/run.sh --help)

It builds `wallboard`, `wallboard-feeds`, the plugins and the tools in `bench/` (their own CMake
project, `bench/CMakeLists.txt`, built into `build-bench/bench-tools`), starts every process on
127.0.0.1 only, stops each by its PID, and writes `bench/results.json` (every number below, with
all ingest trials and RSS samples) and this file. It is not part of `ctest`.

## Targets (issue 4)
"' "$RESULTS"
echo "$TABLE"
cat <<'EOF'

Latency and start-up are the wall's own figures, read from its `--state` file
(`.wallboard.latency`, `.wallboard.first_frame_mono_us`; see docs/state.md and "How each number
is measured" below). The bench walls (ingest, latency, overload, soak) coalesce by `"/key"`:
loadgen's messages mean "the latest value of key kN", so a value superseded while waiting for
the main thread is merged away, not lost; merged messages never reach a tile and are not
latency samples.
EOF

jq -r '
def r(x): (x * 100 | round) / 100;
def n(x): if x == null then "n/a" else x end;
def lat(l; k): if l == null then "-" else r(l[k]) end;
"
## Machine limits (same run)

| what | msg/s | note |
|---|---|---|
| jansson parse-only (`bench/parse_only`) | \(.limits.parse_only.rate) | \(.limits.parse_only.ns_per_message) ns per \(.limits.parse_only.bytes)-byte message: json_loadb(JSON_REJECT_DUPLICATES\\|JSON_DECODE_ANY), object check, read \"seq\", decref; one thread |
| libwebsockets receive-only (`bench/recv_only`) | \(.limits.lws_receive_only.rate) | one lws client thread, 4 KiB rx buffer like the wall, counts messages only; from `loadgen --rate max` |
| lws receive + parse on one thread (`recv_only --parse`) | \(.limits.lws_receive_and_parse_one_thread.rate) | one thread doing both: the ceiling of a wall that parses on its network thread |

## Ingest

A trial: `loadgen` sends for 3 s at the target rate, spread evenly over the feeds; the wall
(1920x1080 headless, one counter tile per key, every feed `\"coalesce_by\": [\"/key\"]`) runs with
`--state`. A rate is *sustained* when the sender kept >= 95 % of the rate (no TCP back-pressure),
the wall had received every message within 500 ms of the last send, `dropped` and `invalid` are
0 (`coalesced` may be anything: merging superseded values is not loss), and every tile'"'"'s final
value equals the last value sent for its key. Rates double from 4 k msg/s until a trial fails,
then bisect twice (`--quick`: from 8 k, once).

| feeds x keys | sustained msg/s | first failing | trials (rate: sent rate, dropped (of which before parsing), coalesced, catch-up ms, wrong tiles, wall CPU s, loadgen CPU s) |
|---|---|---|---|
" + ([.ingest[] ] | sort_by(.feeds) | map("| \(.feeds) x \(.keys_per_feed) | \(.sustained_rate) | \(.first_failing_rate) | \(.trials | map("\(.target_rate): \(.achieved_rate | floor), \(.dropped)\(if .dropped_before_parse != null and .dropped > 0 then " (\(.dropped_before_parse))" else "" end), \(n(.coalesced)), \(.catchup_ms), \(.wrong_tiles), \(.wall_cpu_s), \(.loadgen_cpu_s // "-") \(if .pass then "ok" else "FAIL" end)") | join("; ")) |") | join("\n")) + "

## Latency, feed to pixels

1 feed, 12 counter tiles, 1920x1080 headless, coalescing by `/key`, 6 s per rate. The wall'"'"'s own
`.wallboard.latency` from the state file it writes at exit: for every message handed to a tile,
the time the next frame was presented minus its `sent_us` (loadgen'"'"'s CLOCK_REALTIME stamp).
*sent* = *received* + dropped before parsing (the parse thread fell behind; = sent - received);
*received* = *dispatched* (to tiles; the tiles'"'"' `matched`) + *coalesced* + dropped in the
hand-over (the main thread fell behind); the wall'"'"'s `dropped` is the sum of both drops.
*samples* are the dispatched messages whose frame was presented.

| rate | sent at | sent | received | dispatched | coalesced | dropped: hand-over | dropped: before parsing | samples | frames | p50 ms | p90 ms | p99 ms | max ms |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
" + ([.latency | to_entries[] | .value] | sort_by(.target_rate) | map("| \(.target_rate) | \(.achieved_rate | floor) | \(.sent) | \(.received) | \(n(.dispatched)) | \(n(.coalesced)) | \(.dropped_in_handover // .dropped) | \(n(.dropped_before_parse)) | \(.latency.samples // "-") | \(.frames) | \(lat(.latency; "p50_ms")) | \(lat(.latency; "p90_ms")) | \(lat(.latency; "p99_ms")) | \(lat(.latency; "max_ms")) |") | join("\n")) + "

## Frame cost (`bench/frame_bench`, headless software renderer)

Times what the frame loop does for dirty tiles: `services_draw_tile` for every tile
(render_begin_tile, the plugin'"'"'s render, host chrome) then `render_present`. *change*: every tile
got a new value before the frame (new LED text, as on a busy wall); *same*: all tiles redrawn
with unchanged values (text cache hits). Counter tiles with CJK titles, unit and 60-point
sparkline, animation off so each frame shows the new value.

| tiles | size | values | frames | p50 ms | p99 ms | max ms | of which present p99 ms |
|---|---|---|---|---|---|---|---|
" + (.frames | map("| \(.tiles) | \(.size) | \(.mode) | \(.frames) | \(r(.p50_ms)) | \(r(.p99_ms)) | \(r(.max_ms)) | \(r(.present_p99_ms)) |") | join("\n")) + "

## Idle

Two walls side by side for \(.idle.idle_default.seconds) s (their CPU is counted per process), both the counter wall
(config/demo.json) with the clock tile in place of the first counter, fed one message a minute.
The target is the first row: with the default `stale_after` the tiles go stale between messages
and their badges count the seconds; the wall redraws only a badge whose age text turned (nothing
when the text stays the same).

| wall | CPU % of one core (schedstat) | ticks | frames | tile states at the end |
|---|---|---|---|---|
| **default `stale_after` (10 s): badges ticking (target)** | \(r(.idle.idle_default.cpu_percent_schedstat)) | \(.idle.idle_default.cpu_ticks) | \(.idle.idle_default.frames) | \(.idle.idle_default.tile_states | tostring) |
| `stale_after` 3600: only the clock changes | \(r(.idle.idle_fresh.cpu_percent_schedstat)) | \(.idle.idle_fresh.cpu_ticks) | \(.idle.idle_fresh.frames) | \(.idle.idle_fresh.tile_states | tostring) |

## Memory

Target rows: the default wall, the Guizhou hall (config/guizhou.json: CJK titles, its own
plugins), with its three feeds live on the project'"'"'s demo feed server (`wallboard-feeds --port 0
--seed 1`, otherwise as `scripts/demo.sh` starts it: simulated clock from 08:10, real time),
VmHWM after the given seconds. Reference rows: the counter wall (config/demo.json) after 3 s of
200 msg/s from loadgen (count-ups, sparklines).

| wall | size | VmHWM KiB | MB | note |
|---|---|---|---|---|
" + (.memory | to_entries | sort_by(.value.target != true, .key) | map(.value | "| \(if .target then "**\(.wall)** (target)" else .wall end) | \(.size) | \(.vm_hwm_kb) | \(r(.vm_hwm_kb * 1024 / 1e6)) | \(.note)\(if .feeds then "; received \(.feeds | to_entries | map("\(.key) \(.value.received)") | join(", ")); tile states \(.tile_states | tostring); open handles on the Noto CJK collection \(.cjk_font_handles_open)" else "" end) |") | join("\n")) + "

Soak (1 feed, 12 counter tiles, 1080p, coalescing by `/key`) in this run: \(.soak.rate) msg/s (sender managed \(.soak.achieved_rate | floor)) for \(.soak.seconds) s, \(.soak.dropped) dropped and \(n(.soak.coalesced)) coalesced in the hand-over; RSS \(.soak.rss_ref_kb) KiB at \(.soak.ref_s) s, \(.soak.rss_end_kb) KiB at the end, VmHWM \(.soak.vm_hwm_kb) KiB.
\(if .soak_full then "Last 10-minute soak (`--soak`, \(.soak_full.date), commit \(.soak_full.commit)\(if .soak_full.coalesce_by == true then "" else ", without coalescing" end)): RSS \(.soak_full.rss_ref_kb) KiB at \(.soak_full.ref_s) s, \(.soak_full.rss_end_kb) KiB at \(.soak_full.seconds) s (\(r(.soak_full.growth_percent)) %), VmHWM \(.soak_full.vm_hwm_kb) KiB, \(.soak_full.dropped) dropped, \(n(.soak_full.coalesced)) coalesced. A fall in RSS counts as met (it is no growth)." else "No 10-minute soak recorded yet: `bench/run.sh --soak --only soak`." end)

## Start-up

`bench/startup` runs `wallboard --headless --frames 1 --state FILE` on the counter wall
(config/demo.json, its feed on a quiet loadgen) \(.startup.runs) times; exec to first frame =
the wall'"'"'s `first_frame_mono_us` (CLOCK_MONOTONIC when its first frame was presented) minus
CLOCK_MONOTONIC taken just before fork/exec. \(.startup.first_frame_ms.n) runs reported a first frame\(if (.startup.failed // 0) > 0 then ", \(.startup.failed) failed" else "" end):
first presented frame p50 \(.startup.first_frame_ms.p50) ms (min \(.startup.first_frame_ms.min), p90 \(.startup.first_frame_ms.p90), max \(.startup.first_frame_ms.max));
of which main() to first frame (`first_frame_ms`) p50 \(.startup.main_to_first_frame_ms.p50 // "-") ms;
whole run including shutdown p50 \(.startup.exit_ms.p50) ms.

## Overload

\(.overload.target_rate) msg/s (5 x the 1-feed sustained \(.overload.sustained_rate)) for \(.overload.seconds // 8) s, 12 tiles coalescing by `/key`; the sender managed \(.overload.achieved_rate | floor) msg/s
(the rest is TCP back-pressure from the wall). Sent \(.overload.sent): dropped before parsing \(n(.overload.dropped_before_parse)) (seq gaps seen by the wall: \(n(.overload.seq_missed))), received \(.overload.received); of those, dispatched to tiles \(n(.overload.dispatched))\(if .overload.dispatched_source == "tiles[].matched" then " (the tiles'"'"' `matched`)" else "" end), coalesced \(n(.overload.coalesced)), dropped by the hand-over \(.overload.dropped_in_handover // .overload.dropped); tiles with a wrong final value: \(.overload.wrong_tiles);
\(if .overload.latency then "latency p50 \(r(.overload.latency.p50_ms)) / p99 \(r(.overload.latency.p99_ms)) / max \(r(.overload.latency.max_ms)) ms over \(.overload.latency.samples) samples" else "no latency in the state file" end); VmHWM \(.overload.vm_hwm_kb) KiB.
RSS samples (ms: KiB): \(.overload.rss_samples | map("\(.t_ms): \(.rss_kb)") | join(", ")).
"' "$RESULTS"

cat "$(dirname "$0")/BENCHMARKS.notes.md"
} >"$OUT"
