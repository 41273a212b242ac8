#!/usr/bin/env python3
# make_corpus.py: (re)writes the seed corpus in tests/fuzz/corpus/ from the recordings
# (tests/feeds/recordings), docs/feeds.md's examples, the configs, and hand-made hostile inputs.
# Run from anywhere; reproducers of fixed crashes (crash-*, named by hand) are kept.
import glob
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")


def out(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def compact(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def recording(name):
    with open(os.path.join(ROOT, "tests/feeds/recordings", name), encoding="utf-8") as f:
        return [json.loads(line)["msg"] for line in f if line.strip()]


def docs_examples():
    lines = []
    with open(os.path.join(ROOT, "docs/feeds.md"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("{\"type\"") and "..." not in line:
                lines.append(line)
    return lines


# fuzz_plugins' ctest runs with -max_len=12288 (tests/fuzz/CMakeLists.txt): seeds fit in it.
PIECE = 12288
RECORDINGS = {n: recording(n + ".jsonl") for n in ("clinics", "attendance", "trades")}
DOCS = docs_examples()

# Hostile messages: shapes the plugins must survive (and reject, or show, without harm).
HOSTILE = [
    '{"a":' + "[" * 3000 + "]" * 3000 + "}",
    '{"type":"counter","key":"k1","value":1e400}',
    '{"type":"counter","key":"k1","value":-0}',
    '{"type":"counter","key":"k1","value":-0.0}',
    '{"type":"counter","key":"k1","value":1.7976931348623157e308}',
    '{"type":"counter","key":"k1","value":-9223372036854775808}',
    '{"type":"counter","key":"k1","value":9223372036854775807,"seq":9223372036854775807}',
    '{"type":"counter","key":"k1","value":"12"}',
    '{"type":"counter","key":"k1","value":null,"seq":-5}',
    '{"value":4.9e-324}',
    '{"value":123456789012345678901234567890}',
    '{"type":"clinic.update","v":1,"seq":1,"clinic":{"id":"x","name":"\udcff\udcfe","waiting":"12"},"totals":{}}',
    '{"type":"clinic.update","v":1,"clinic":{"id":"a\\u0000b","name":"\\ud800","waiting":-1,"scans_pending":1e300,"prescriptions":-0,"flagged":true},"totals":{"clinics":-3,"waiting":1e308}}',
    '{"type":"clinics.snapshot","v":1,"seq":1,"clinics":[' + ",".join(
        '{"id":"c%d","name":"%s","waiting":%d}' % (i, "\u9ed4" * (i % 40), i * 7919 % 5000)
        for i in range(100)) + '],"totals":{"clinics":100,"waiting":-1}}',
    '{"type":"clinics.snapshot","clinics":{},"totals":[]}',
    '{"type":"attendance.update","school":{"id":null,"absent":2147483648,"late":-2147483649},"totals":{"schools":0}}',
    '{"type":"attendance.snapshot","date":"9999-99-99","schools":[null,1,"x",[],{}],"totals":null}',
    '{"type":"attendance.snapshot","date":"' + "2" * 4000 + '","schools":[],"totals":{}}',
    '{"type":"trade","trade":{"id":"' + "T" * 5000 + '","dataset":"\u6570\udce6\udc8d","price":1e400},"day":{"trades":-1,"turnover":-0.0}}',
    '{"type":"trade","trade":{"price":"NaN","volume":1e308,"amount":-1e308},"day":{"trades":1.5,"turnover":1e308,"volume":-1}}',
    '{"type":"trades.snapshot","day":{},"recent":[' + ",".join(
        '{"id":"T%d","price":%d.5}' % (i, i) for i in range(200)) + '],"datasets":[{"id":"","name":"","last_price":-0}]}',
    '{"type":"time","time":1e400}',
    '{"type":"snapshot","key":{"k":1},"value":[1,2]}',
    '{"seq":1}',
    '{}',
    '[]',
    '"just a string"',
    '42',
    '{"a":1,"a":2}',
    '{"type":"counter","key":"k1","value":1',
    '\ufeff{"type":"counter","value":1}',
]


def plugins_corpus():
    for name, msgs in RECORDINGS.items():
        # The whole recording, in pieces of at most PIECE bytes (the ctest's -max_len).
        piece, n = "", 0
        for m in msgs:
            line = compact(m) + "\n"
            if piece and len((piece + line).encode()) > PIECE:
                out("fuzz_plugins", "rec_%s_%d.jsonl" % (name, n), piece)
                piece, n = "", n + 1
            piece += line
        out("fuzz_plugins", "rec_%s_%d.jsonl" % (name, n), piece)
        out("fuzz_plugins", "%s_snapshot.json" % name, compact(msgs[0]))
        seen = set()
        for m in msgs[1:]:
            if m.get("type") not in seen:
                seen.add(m.get("type"))
                out("fuzz_plugins", "%s_%s.json" % (name, m["type"]), compact(m))
    out("fuzz_plugins", "docs_feeds.jsonl", "".join(line + "\n" for line in DOCS))
    for i, h in enumerate(HOSTILE):
        out("fuzz_plugins", "hostile_%02d.json" % i, h.encode("utf-8", "surrogateescape")
            if isinstance(h, str) else h)
    # Hostile after a realistic snapshot: the plugins' update paths on a populated state.
    for name, msgs in RECORDINGS.items():
        out("fuzz_plugins", "hostile_after_%s.jsonl" % name,
            compact(msgs[0]) + "\n" + "\n".join(HOSTILE[1:13]) + "\n")


# fuzz_feed_rx frames: see fuzz_feed_rx.c.
FIRST, FINAL, BINARY, FILL, TAKE, DRAIN, RECONNECT, LEN16 = 1, 2, 4, 8, 16, 32, 64, 128


def frame(op, payload=b"", fill=None, length=None):
    if isinstance(payload, str):
        payload = payload.encode("utf-8", "surrogateescape")
    n = length if fill is not None else len(payload)
    if n > 255:
        op |= LEN16
    head = bytes([op]) + (struct.pack("<H", n) if op & LEN16 else bytes([n]))
    return head + (bytes([fill]) if fill is not None else payload)


def whole(msg, extra=0):
    return frame(FIRST | FINAL | extra, msg)


def feed_rx_corpus():
    msgs = [compact(m) for m in RECORDINGS["trades"][1:6]]
    demo = [line for line in DOCS if '"key"' in line]
    # setup: bits 0-1 max message (2048, 100, 24K, 40K), 2-3 ring, 4 coalesce, 5-6 capacity,
    # 7 two-pointer key; limits: 0-1 big budget, 2-3 hand-over bytes, 4 batch size.
    def seed(name, setup, limits, frames):
        out("fuzz_feed_rx", name, bytes([setup, limits]) + b"".join(frames))

    seed("one_chunk", 0x02 | 0x60, 0x1f, [whole(m, TAKE | DRAIN) for m in msgs])
    seed("demo_coalesced", 0x12 | 0x20, 0x1c, [whole(m) for m in demo] + [frame(TAKE | DRAIN)])
    seed("two_pointer_key", 0x92 | 0x20, 0x1c,
         [whole(compact(m)) for m in RECORDINGS["clinics"][1:12]] + [frame(TAKE)])
    # A message in fragments, then one whose continuation comes without "first".
    m = msgs[0]
    seed("fragments", 0x02 | 0x60, 0x0c,
         [frame(FIRST, m[:10]), frame(0, m[10:30]), frame(FINAL | TAKE, m[30:]),
          frame(0, m[:5]), frame(FINAL | TAKE | DRAIN, m[5:])])
    seed("binary", 0x02, 0x0c, [frame(FIRST | BINARY, "\x00\x01"), frame(FINAL, "\x02"),
                                whole(m, TAKE)])
    # Over the 2 KiB limit across fragments, then one that fits.
    seed("too_big", 0x00 | 0x60, 0x0c,
         [frame(FIRST, '{"key":"'), frame(0, fill=ord("x"), length=3000),
          frame(FINAL, '"}'), whole('{"key":"k1","value":1}', TAKE | DRAIN)])
    # Over 16 KiB: moved into the ring with its buffer (RAW_BIG); valid JSON thanks to spaces.
    seed("big_spaces", 0x02 | 0x60, 0x1d,
         [frame(FIRST, '{"key":"k1","value":1'), frame(0, fill=ord(" "), length=20000),
          frame(FINAL, "}"), frame(FIRST, '{"key":"k2","value":'),
          frame(0, fill=ord("7"), length=17000), frame(FINAL | TAKE | DRAIN, "}")])
    # Big messages past the big budget (limits & 3 == 1: one at a time).
    seed("big_budget", 0x03, 0x01,
         [frame(FIRST, '{"a":"'), frame(0, fill=ord("b"), length=18000), frame(FINAL, '"}')] * 3
         + [frame(TAKE | DRAIN)])
    # The smallest ring and no take: the oldest go; padding at the end of the ring.
    seed("ring_full", 0x00, 0x00,
         [whole('{"seq":%d,"pad":"%s"}' % (i, "p" * (200 + 23 * i))) for i in range(36)]
         + [frame(TAKE)])
    seed("seq_gaps", 0x02 | 0x60, 0x1c,
         [whole('{"seq":%d}' % s) for s in (1, 2, 5, 3, 4, 100, 9223372036854775807)]
         + [frame(TAKE)])
    seed("reconnect", 0x02 | 0x60, 0x1c,
         [whole('{"seq":1}'), frame(FIRST, '{"seq":'), frame(RECONNECT | FIRST | FINAL,
                                                          '{"seq":7}'), frame(TAKE | DRAIN)])
    seed("invalid", 0x02 | 0x60, 0x1c,
         [whole(h if isinstance(h, str) else h) for h in HOSTILE[1:] if len(h) < 2048]
         + [frame(TAKE | DRAIN)])
    seed("empty_frames", 0x02, 0x0c, [frame(FIRST | FINAL), frame(FIRST), frame(FINAL),
                                      frame(FINAL), frame(TAKE)])


def config_corpus():
    for path in sorted(glob.glob(os.path.join(ROOT, "config", "*.json"))):
        with open(path, "rb") as f:
            out("fuzz_config", "config_" + os.path.basename(path), f.read())
    for path in sorted(glob.glob(os.path.join(ROOT, "tests/unit/configs", "*.json"))):
        with open(path, "rb") as f:
            out("fuzz_config", "unit_" + os.path.basename(path), f.read())
    base = {"grid": {"columns": 2, "rows": 2},
            "feeds": {"f": {"url": "ws://127.0.0.1:7681/f", "coalesce_by": ["/key", "/a~1b"],
                            "headers": {"Authorization": {"env": "WB_FUZZ_TOKEN"},
                                        "X-Token": {"file": "missing.token", "prefix": "t "}},
                            "ca_file": "ca.pem"},
                      "s": {"url": "wss://[::1]:443/x?token=secret"}},
            "tiles": [{"plugin": "counter", "feed": "f", "cell": [0, 0], "span": [2, 1],
                       "match": {"key": "k1", "/a/0": 1.5}, "stale_after": 0.5,
                       "options": {"value": "/value"}},
                      {"plugin": "clock", "cell": [1, 1], "title": "\u65f6\u949f"}]}
    out("fuzz_config", "all_keys.json", json.dumps(base, ensure_ascii=False, indent=1))
    hostile = [
        '{"grid":{"columns":1e400,"rows":-0},"tiles":[]}',
        '{"grid":{"columns":2147483648,"rows":2,"gap":-1},"tiles":[{"plugin":"counter","cell":[2147483647,2147483647],"span":[2147483647,1]}]}',
        '{"grid":{"columns":"2","rows":null},"feeds":[],"tiles":{}}',
        '{"title":"\udcff\udcfe","background":"#zzzzzz","grid":{"columns":1,"rows":1},"tiles":[{"plugin":"../../etc/passwd","cell":[0,0]}]}',
        '{"grid":{"columns":1,"rows":1},"feeds":{"":{"url":"ws://a@b:0/"},"x":{"url":"http://x"}},"tiles":[{"plugin":"counter","feed":"nope","cell":[0,0],"id":""}]}',
        '{"grid":{"columns":1,"rows":1},"feeds":{"f":{"url":"ws://h:1/","headers":{"Bad\\r\\nName":"v","Ok":"a\\nb","E":{"env":""},"F":{"file":"/etc/shadow"}},"coalesce_by":["nokey","/a","/b","/c","/d"]}},"tiles":[]}',
        '{"grid":{"columns":1,"rows":1},"tiles":[' + ",".join(
            '{"plugin":"counter","cell":[0,0],"id":"t"}' for _ in range(50)) + ']}',
        '{"a":' + "[" * 3000 + "]" * 3000 + "}",
        '{"grid":{"columns":1,"rows":1},"grid":{"columns":2,"rows":2}}',
        '',
        '\x00',
    ]
    for i, h in enumerate(hostile):
        out("fuzz_config", "hostile_%02d.json" % i, h.encode("utf-8", "surrogateescape"))


def main():
    for target in ("fuzz_plugins", "fuzz_feed_rx", "fuzz_config"):
        d = os.path.join(CORPUS, target)
        if os.path.isdir(d):
            for name in os.listdir(d):
                if not name.startswith("crash-"):
                    os.remove(os.path.join(d, name))
    plugins_corpus()
    feed_rx_corpus()
    config_corpus()


if __name__ == "__main__":
    main()
