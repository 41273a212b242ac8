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
    def ms(us): r(us / 1000);
    def mb(kb): r(kb * 1024 / 1e6);
    def pct(x): (x * 100 | round) / 100;
    . as $R
    | ($R.limits.parse_only.rate) as $parse
    | [
      ( ["1", "4", "16"][] as $f | $R.ingest[$f] // null | select(. != null)
        | {id: "1", target: "Ingest, \(.feeds) feed(s) x \(.keys_per_feed) keys: sustained rate >= 80 % of jansson parse-only",
           measured: "\(.sustained_rate) msg/s = \(pct(.sustained_rate / $parse * 100)) % of \($parse) msg/s (first failing rate \(.first_failing_rate))",
           met: (.sustained_rate >= 0.8 * $parse)}),
      ( ["1000", "10000", "100000"][] as $r | $R.latency[$r] // null | select(. != null)
        | {id: "2", target: "Latency feed to pixels at \($r | tonumber / 1000) k msg/s: p99 <= 18.7 ms",
           measured: "p50 \(ms(.latency.p50_us)) / p99 \(ms(.latency.p99_us)) / max \(ms(.latency.max_us)) ms (sent at \(.achieved_rate | floor) msg/s, \(.dropped) dropped)",
           met: (.latency.p99_us <= 18700 and .latency.samples > 0)}),
      ( $R.frames // [] | map(select(.tiles == 12 and .size == "3840x2160" and .mode == "change")) | first
        | select(. != null)
        | {id: "3", target: "Frame cost: full redraw, 12 tiles, 3840x2160, software renderer: p99 <= 5 ms",
           measured: "p50 \(r(.p50_ms)) / p99 \(r(.p99_ms)) ms (every tile a new value; unchanged values: see below)",
           met: (.p99_ms <= 5)}),
      ( $R.memory // null | select(. != null)
        | {id: "3", target: "A frame in which nothing changed is not drawn",
           measured: "\(.["1920x1080"].quiet_frames) frames at 1080p, \(.["3840x2160"].quiet_frames) at 4K in 3 s with live feeds and no change",
           met: (.["1920x1080"].quiet_frames == 0 and .["3840x2160"].quiet_frames == 0)}),
      ( $R.idle.idle_default // null | select(. != null)
        | {id: "4", target: "Idle CPU, 60 s, feeds connected, one message a minute, clock ticking: <= 0.5 % of one core",
           measured: "\(pct(.cpu_percent_schedstat)) % (\(.cpu_ticks) ticks in \(.seconds) s; \(.frames) frames\(if .clock then "" else "; no clock plugin" end))",
           met: (.cpu_percent_schedstat <= 0.5)}),
      ( ["1920x1080", "3840x2160"][] as $s | $R.memory[$s] // null | select(. != null)
        | {id: "5", target: "Peak RSS (VmHWM), default wall, \($s): <= 60 MB",
           measured: "\(mb(.vm_hwm_kb)) MB (\(.vm_hwm_kb) KiB)",
           met: (.vm_hwm_kb * 1024 <= 60e6)}),
      ( ($R.soak_full // $R.soak // null) | select(. != null)
        | {id: "5", target: "Soak, 10 k msg/s for 10 min: RSS at the end within 2 % of RSS after the first minute",
           measured: "\(pct(.growth_percent)) % (\(.rss_ref_kb) KiB at \(.ref_s) s -> \(.rss_end_kb) KiB at \(.seconds) s)\(if .seconds < 600 then "; SHORT soak of \(.seconds) s, run `bench/run.sh --soak --only soak` for 10 min" else "; 10-min soak of \(.date // "?"), commit \(.commit // "?")" end)",
           met: (if .seconds < 600 then null else .growth_percent <= 2 end)}),
      ( $R.startup // null | select(. != null)
        | {id: "6", target: "Start-up, exec to first presented frame: <= 150 ms",
           measured: "p50 \(.first_frame_ms.p50) ms (p90 \(.first_frame_ms.p90), \(.first_frame_ms.n) runs; whole run to exit p50 \(.exit_ms.p50) ms)",
           met: (.first_frame_ms.p50 <= 150 and .first_frame_ms.n > 0)}),
      ( $R.overload // null | select(. != null)
        | ((.rss_samples | last.t_ms) // 0) as $tend
        | (.rss_samples | map(select(.t_ms >= $tend / 3)) | first) as $third
        | (($third.rss_kb) // 0) as $early
        | ((.rss_samples | last.rss_kb) // 0) as $late
        | {id: "7", target: "Overload (5 x sustained = \(.target_rate) msg/s): memory stays bounded",
           measured: "RSS \($early) KiB at \($third.t_ms / 1000 | r(.)) s (a third of the run) -> \($late) KiB at \($tend / 1000 | r(.)) s, VmHWM \(.vm_hwm_kb) KiB (sender managed \(.achieved_rate | floor) msg/s)",
           met: ($early > 0 and $late <= $early * 1.05)},
          {id: "7", target: "Overload: the latest value still reaches the screen within the latency target",
           measured: "\(.wrong_tiles) tiles with a wrong final value; latency p99 \(ms(.latency.p99_us)) ms, max \(ms(.latency.max_us)) ms",
           met: (.wrong_tiles == 0 and .latency.p99_us <= 18700)},
          {id: "7", target: "Overload: the drop/coalesce counters say how much was merged",
           measured: "received \(.received) = dispatched \(.latency.dispatched) + dropped \(.dropped)\(if .received == .latency.dispatched + .dropped then "" else " (does NOT add up)" end)",
           met: (.received == .latency.dispatched + .dropped and .dropped >= 0)})
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
\(if .run.quick then "\n**This is a --quick smoke run: durations are shortened and the numbers are not the reference.**\n" else "" end)
## The machine

| | |
|---|---|
| CPU | \(.machine.cpu), \(.machine.nproc) cores (`nproc`) |
| memory | \(.machine.memory) |
| kernel | \(.machine.kernel) |
| libraries | libwebsockets \(.machine.libwebsockets), jansson \(.machine.jansson), SDL2 \(.machine.sdl2) |
| build | \(.run.build), commit \(.machine.commit)\(if .machine.uncommitted_changes == "yes" then " with uncommitted changes" else "" end) |
| harness run time | \(.run.seconds) s |
| load average (1/5/15 min) | \(.machine.loadavg_start // "?") at the start, \(.machine.loadavg_end // "?") at the end: the harness itself keeps about 1-2 cores busy; more means other work shared the machine and the numbers are noisier |

## The command

    bench/run.sh            # about 6 minutes: builds build-bench/, measures, writes this file
    bench/run.sh --soak     # the same with the full 10-minute soak (about 16 minutes)
    bench/run.sh --soak --only soak   # only the 10-minute soak, merged into results.json
    bench/run.sh --only frames        # one section (see bench/run.sh --help)

It builds `wallboard`, the plugins and the tools in `bench/` (their own CMake project,
`bench/CMakeLists.txt`, built into `build-bench/bench-tools`), starts every process on
127.0.0.1 only, stops each by its PID, and writes `bench/results.json` (every number below, with
all ingest trials and RSS samples) and this file. It is not part of `ctest`.

## Targets (issue 4)
"' "$RESULTS"
echo "$TABLE"
cat <<'EOF'

Latency and start-up are measured on the unmodified wall through `bench/latency_shim.so`
(LD_PRELOAD; see "How each number is measured"); the host change that should replace it is at
the end of this file.
EOF

jq -r '
def r(x): (x * 100 | round) / 100;
"
## Machine limits (same run)

| what | msg/s | note |
|---|---|---|
| jansson parse-only (`bench/parse_only`) | \(.limits.parse_only.rate) | \(.limits.parse_only.ns_per_message) ns per \(.limits.parse_only.bytes)-byte message: json_loadb(JSON_REJECT_DUPLICATES\\|JSON_DECODE_ANY), object check, read \"seq\", decref; one thread |
| libwebsockets receive-only (`bench/recv_only`) | \(.limits.lws_receive_only.rate) | one lws client thread, 4 KiB rx buffer like the wall, counts messages only; from `loadgen --rate max` |
| lws receive + parse on one thread (`recv_only --parse`) | \(.limits.lws_receive_and_parse_one_thread.rate) | the ceiling of the wall'"'"'s single network thread, before hand-over and the main thread |

## Ingest

A trial: `loadgen` sends for 3 s at the target rate, spread evenly over the feeds; the wall (1920x1080 headless, one counter tile per key) runs with `--state`. A rate is
*sustained* when the sender kept the rate (no TCP back-pressure, >= 95 %), the wall had received
every message within 500 ms of the last send, `dropped` and `invalid` are 0, and every tile'"'"'s
final value equals the last value sent for its key. Rates double from 4 k msg/s until a trial
fails, then bisect twice.

| feeds x keys | sustained msg/s | first failing | trials (rate: sent rate, dropped, catch-up ms, wrong tiles, wall CPU s, loadgen CPU s) |
|---|---|---|---|
" + ([.ingest[] ] | sort_by(.feeds) | map("| \(.feeds) x \(.keys_per_feed) | \(.sustained_rate) | \(.first_failing_rate) | \(.trials | map("\(.target_rate): \(.achieved_rate | floor), \(.dropped), \(.catchup_ms), \(.wrong_tiles), \(.wall_cpu_s), \(.loadgen_cpu_s // "-") \(if .pass then "ok" else "FAIL" end)") | join("; ")) |") | join("\n")) + "

## Latency, feed to pixels

1 feed, 12 counter tiles, 1920x1080 headless, 6 s per rate. Latency of a message = the time
its frame was presented (SDL_RenderPresent returned on the main thread) minus its `sent_us`.

| rate | sent at | dispatched | dropped | frames | p50 ms | p90 ms | p99 ms | max ms |
|---|---|---|---|---|---|---|---|---|
" + ([.latency | to_entries[] | .value] | sort_by(.target_rate) | map("| \(.target_rate) | \(.achieved_rate | floor) | \(.latency.dispatched) | \(.dropped) | \(.frames) | \(r(.latency.p50_us / 1000)) | \(r(.latency.p90_us / 1000)) | \(r(.latency.p99_us / 1000)) | \(r(.latency.max_us / 1000)) |") | join("\n")) + "

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

Two walls side by side for \(.idle.idle_default.seconds) s (their CPU is counted per process), both the default wall
(config/demo.json) with the clock tile in place of the first counter, fed one message a minute:

| wall | CPU % of one core (schedstat) | ticks | frames | tile states at the end |
|---|---|---|---|---|
| default `stale_after` (10 s): tiles go stale between messages, their badges count seconds | \(r(.idle.idle_default.cpu_percent_schedstat)) | \(.idle.idle_default.cpu_ticks) | \(.idle.idle_default.frames) | \(.idle.idle_default.tile_states | tostring) |
| `stale_after` 3600: only the clock changes | \(r(.idle.idle_fresh.cpu_percent_schedstat)) | \(.idle.idle_fresh.cpu_ticks) | \(.idle.idle_fresh.frames) | \(.idle.idle_fresh.tile_states | tostring) |

## Memory

| wall | VmHWM KiB | MB | note |
|---|---|---|---|
" + (.memory | to_entries | map("| \(.key) | \(.value.vm_hwm_kb) | \(r(.value.vm_hwm_kb * 1024 / 1e6)) | \(.value.note // "config/demo.json, 200 msg/s for 3 s then quiet; \(.value.quiet_frames) frames and \(r(.value.quiet_cpu_ms)) ms CPU in the 3 quiet seconds") |") | join("\n")) + "

Soak (1 feed, 12 counter tiles, 1080p) in this run: \(.soak.rate) msg/s (sender managed \(.soak.achieved_rate | floor)) for \(.soak.seconds) s, \(.soak.dropped) dropped by the hand-over; RSS \(.soak.rss_ref_kb) KiB at \(.soak.ref_s) s, \(.soak.rss_end_kb) KiB at the end, VmHWM \(.soak.vm_hwm_kb) KiB.
\(if .soak_full then "Last 10-minute soak (`--soak`, \(.soak_full.date), commit \(.soak_full.commit)): RSS \(.soak_full.rss_ref_kb) KiB at \(.soak_full.ref_s) s, \(.soak_full.rss_end_kb) KiB at \(.soak_full.seconds) s (\(r(.soak_full.growth_percent)) %), VmHWM \(.soak_full.vm_hwm_kb) KiB, \(.soak_full.dropped) dropped. A fall in RSS counts as met (it is no growth)." else "No 10-minute soak recorded yet: `bench/run.sh --soak --only soak`." end)

## Start-up

`wallboard --headless --frames 1` on the default wall (its feed on a quiet loadgen), \(.startup.runs) runs:
first presented frame p50 \(.startup.first_frame_ms.p50) ms (min \(.startup.first_frame_ms.min), p90 \(.startup.first_frame_ms.p90), max \(.startup.first_frame_ms.max));
whole run including shutdown p50 \(.startup.exit_ms.p50) ms.

## Overload

\(.overload.target_rate) msg/s (5 x the 1-feed sustained \(.overload.sustained_rate)) for 8 s; the sender managed \(.overload.achieved_rate | floor) msg/s
(the rest is TCP back-pressure from the wall'"'"'s network thread). Received \(.overload.received), dropped by the
hand-over \(.overload.dropped), dispatched to tiles \(.overload.latency.dispatched); tiles with a wrong final value: \(.overload.wrong_tiles);
latency p50 \(r(.overload.latency.p50_us / 1000)) / p99 \(r(.overload.latency.p99_us / 1000)) / max \(r(.overload.latency.max_us / 1000)) ms; VmHWM \(.overload.vm_hwm_kb) KiB.
RSS samples (ms: KiB): \(.overload.rss_samples | map("\(.t_ms): \(.rss_kb)") | join(", ")).
"' "$RESULTS"

cat "$(dirname "$0")/BENCHMARKS.notes.md"
} >"$OUT"
